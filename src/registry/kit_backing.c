/* kit_backing.c: every change a kit brings home is one its audit records.
 *
 * The kit's own audit chain verified before the merge (kit_merge.c), but
 * the chain covers the log, not the rows: a row edited with the sqlite3
 * shell on the stick has no audit row, and would be carried home as if
 * the field had done it.  So each change the merge would apply is held
 * against the kit's field audit rows (those after the kit.make row):
 *   - an UPDATE or DELETE of a row the kit was made with: the first field
 *     row of that record must have before = the row as made, the newest
 *     must have after = the row as it came back (DELETE: no after).  The
 *     images are built by the code the ordinary writers use (the same
 *     statement on the kit's copy, on the image's copy and at home), and
 *     only the columns those writers change may differ;
 *   - rows the field added: custody events pair one to one, in order,
 *     with the token.move rows of their token (kit_pairs.c), every field of the event
 *     (time, operator, from, to, state, condition, remarks) as the row's
 *     after.event holds it; a handover's image
 *     (items included) is its handover.create row's after; a signature
 *     of a handover's record is its handover.sign row's after (the
 *     whole row, keyed by the kit's row id); dossiers, tags and counts
 *     start with their .add/.start row and end at their newest row's
 *     after; scans pair with count.scan rows;
 *   - anything else (a table no field work writes) is not backed.
 * A change not backed is tampering: the merge is refused whole (exit 65)
 * with the table and the key.  What is applied gets a home audit row in
 * the form of the ordinary writer of that table (same action, entity,
 * key, and before/after images built by the same code). */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/kit.h"

enum img_kind { IMG_TOKEN, IMG_TAG, IMG_DOSSIER, IMG_COUNT };

/* The records field work changes, how their audit rows name them, and
 * the columns their writers change (others never change in the field). */
struct entity_map {
	const char *table, *entity, *key_sql;
	enum img_kind img;
	const char *const *changes;
};

static const char *const token_changes[] = { "state", "custodian", NULL };
/* A re-tag of a tag a plan apply added moves its note's fields into the
 * row (statements.c, ST_TAG_UPDATE): note_id and created change then,
 * what the tag says (ST_TAG_JSON) is held against the audit as ever. */
static const char *const tag_changes[] = { "kind", "request", "state", "batch",
	"origin", "rule", "reason", "detail", "updated", "note_id", "created", NULL };
static const char *const dossier_changes[] = { "agency_id", "status", NULL };
static const char *const count_changes[] = { "closed_at", "closed_by", NULL };

static const struct entity_map maps[] = {
	{ "token", "token", "SELECT serial FROM token WHERE id = ?", IMG_TOKEN,
	  token_changes },
	{ "tag", "tag", "SELECT target FROM tag WHERE id = ?", IMG_TAG, tag_changes },
	{ "dossier", "dossier", "SELECT ref FROM dossier WHERE id = ?", IMG_DOSSIER,
	  dossier_changes },
	{ "count_session", "count", "SELECT uid FROM count_session WHERE id = ?",
	  IMG_COUNT, count_changes },
};

static const struct entity_map *map_of(const char *table)
{
	for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++)
		if (strcmp(maps[i].table, table) == 0)
			return &maps[i];
	return NULL;
}

const char *const *kit_backing_columns(const char *table)
{
	const struct entity_map *e = map_of(table);

	return e ? e->changes : NULL;
}

/* Slots of m->backing: each map's key query on the image, then: */
enum { BK_FIRST = 4, BK_LAST = 5, BK_COVERS = 6, BK_COVERS_OLDER = 7 };

/* The statement of slot, prepared on reg at its first use, reset and
 * unbound; NULL when it does not prepare. */
static sqlite3_stmt *cached(struct kit_merge *m, int slot, struct td_registry *reg,
                            const char *sql)
{
	sqlite3_stmt **st = &m->backing[slot];

	if (!*st && sqlite3_prepare_v2(reg->db, sql, -1, st, NULL) != SQLITE_OK) {
		sqlite3_finalize(*st);
		*st = NULL;
		return NULL;
	}
	sqlite3_reset(*st);
	sqlite3_clear_bindings(*st);
	return *st;
}

/* Column 0 of sql run with one integer (or, when text, text) parameter. */
static char *text_of(struct td_registry *reg, const char *sql, int64_t id,
                     const char *text)
{
	sqlite3_stmt *st;
	char *out = NULL;

	if (sqlite3_prepare_v2(reg->db, sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	if (text)
		sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		out = td_reg_col_dup(st, 0);
	sqlite3_finalize(st);
	return out;
}

/* count.start's after, as count.c's INSERT ... RETURNING builds it. */
#define COUNT_START_JSON "SELECT json_object('uid', uid, 'scope_kind'," \
	" scope_kind, 'scope', scope, 'started_at', started_at)" \
	" FROM count_session WHERE id = ?"

/* The audit image of record id (key) in reg, or NULL when none. */
static char *image_of(struct td_registry *reg, const struct entity_map *e,
                      int64_t id, const char *key)
{
	struct td_error err;

	switch (e->img) {
	case IMG_TOKEN: return td_reg_row_json(reg, ST_TOKEN_JSON, id, &err);
	case IMG_TAG: return td_reg_row_json(reg, ST_TAG_JSON, id, &err);
	case IMG_DOSSIER: return key ? td_reg_dossier_json(reg, key) : NULL;
	default: return text_of(reg, COUNT_START_JSON, id, NULL);
	}
}

/* ---- the kit's field audit rows of one record ------------------------------ */

struct field_rows {
	int64_t n, first_id, last_id;
	char *first_action, *first_before, *last_action, *last_after, *last_operator;
};

static void field_rows_clear(struct field_rows *f)
{
	free(f->first_action);
	free(f->first_before);
	free(f->last_action);
	free(f->last_after);
	free(f->last_operator);
	memset(f, 0, sizeof *f);
}

/* The action of the home row that records what a merge applied.  The
 * field's own rows come home with the kit and already stand for each
 * custody event or scan (audit verify pairs them one to one with
 * token.move and count.scan rows), so a merged move is "token.merge":
 * the token's state, not another event. */
static const char *home_action(const char *field_action)
{
	return strcmp(field_action, "token.move") == 0 ? "token.merge" : field_action;
}

/* One end of the field rows of (entity, key), of one action when action
 * is set: both ends are found through the audit's (entity, entity_key)
 * index, whose entries run in id order. */
static sqlite3_stmt *field_end(struct kit_merge *m, int last, const char *entity,
                               const char *key, const char *action)
{
	sqlite3_stmt *st = cached(m, last ? BK_LAST : BK_FIRST, m->kitc, last
	        ? "SELECT id, action, after, operator FROM audit WHERE entity = ?1"
	          " AND entity_key = ?2 AND id > ?3 AND (?4 IS NULL OR action = ?4)"
	          " ORDER BY id DESC LIMIT 1"
	        : "SELECT id, action, before FROM audit WHERE entity = ?1"
	          " AND entity_key = ?2 AND id > ?3 AND (?4 IS NULL OR action = ?4)"
	          " ORDER BY id LIMIT 1");

	if (!st)
		return NULL;
	sqlite3_bind_text(st, 1, entity, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, m->audit_base);
	if (action)
		sqlite3_bind_text(st, 4, action, -1, SQLITE_STATIC);
	return st;
}

/* The field rows of (entity, key), of one action when action is set:
 * f->n is 0 when there are none. */
static int field_rows(struct kit_merge *m, const char *entity, const char *key,
                      const char *action, struct field_rows *f,
                      struct td_error *err)
{
	sqlite3_stmt *st;

	memset(f, 0, sizeof *f);
	if (!(st = field_end(m, 0, entity, key, action)))
		return td_reg_db_error(m->kitc, err, "reading the kit's audit log");
	if (sqlite3_step(st) == SQLITE_ROW) {
		f->n = 1;
		f->first_id = sqlite3_column_int64(st, 0);
		f->first_action = td_reg_col_dup(st, 1);
		f->first_before = td_reg_col_dup(st, 2);
	}
	sqlite3_reset(st);
	if (!f->n)
		return TD_OK;
	if (!(st = field_end(m, 1, entity, key, action)))
		return td_reg_db_error(m->kitc, err, "reading the kit's audit log");
	if (sqlite3_step(st) == SQLITE_ROW) {
		f->last_id = sqlite3_column_int64(st, 0);
		f->last_action = td_reg_col_dup(st, 1);
		f->last_after = td_reg_col_dup(st, 2);
		f->last_operator = td_reg_col_dup(st, 3);
	}
	sqlite3_reset(st);
	return TD_OK;
}

/* Does the audit JSON say what image says?  Every field of the image
 * must be in it with the same value (an audit row may say more: a
 * dossier.move names its handover); in a kit an older release made,
 * every field the audit JSON names (m->kit_older).  On a difference,
 * *field, *is and *says get the first one (heap; NULL for SQL NULL). */
static int covers(struct kit_merge *m, const char *image, const char *audit,
                  char **field, char **is, char **says)
{
	sqlite3_stmt *st;
	int ok = 0;

	*field = *is = *says = NULL;
	if (!image || !audit)
		return !image && !audit;
	/* the same writer's json_object: most often the very same text */
	if (strcmp(image, audit) == 0)
		return 1;
	if (m->kit_older)
		/* Every leaf of the image, at any depth (a handover's items),
		 * that the older release's image holds too; its arrays as long. */
		st = cached(m, BK_COVERS_OLDER, m->kitc, "SELECT t.fullkey, t.atom,"
		            " json_extract(?2, t.fullkey) FROM json_tree(?1) t"
		            " WHERE json_valid(?2) = 0 OR (json_type(?2, t.fullkey)"
		            " IS NOT NULL AND (t.type = 'array' AND"
		            " json_array_length(?1, t.fullkey) IS NOT"
		            " json_array_length(?2, t.fullkey) OR t.type NOT IN"
		            " ('object', 'array') AND t.atom IS NOT"
		            " json_extract(?2, t.fullkey))) LIMIT 1");
	else
		st = cached(m, BK_COVERS, m->kitc, "SELECT i.key, i.value,"
		            " json_extract(?2, '$.\"' || i.key || '\"') FROM"
		            " json_each(?1) i WHERE json_valid(?2) = 0 OR i.value IS"
		            " NOT json_extract(?2, '$.\"' || i.key || '\"') LIMIT 1");
	if (!st)
		return 0;
	sqlite3_bind_text(st, 1, image, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, audit, -1, SQLITE_STATIC);
	switch (sqlite3_step(st)) {
	case SQLITE_DONE: ok = 1; break;
	case SQLITE_ROW:
		*field = td_reg_col_dup(st, 0);
		*is = td_reg_col_dup(st, 1);
		*says = td_reg_col_dup(st, 2);
		break;
	default: break;
	}
	sqlite3_reset(st);
	return ok;
}

static int matches(struct kit_merge *m, const char *image, const char *audit)
{
	char *field, *is, *says;
	int ok = covers(m, image, audit, &field, &is, &says);

	free(field);
	free(is);
	free(says);
	return ok;
}

/* ---- refusals ----------------------------------------------------------------- */

static int tampered(struct kit_merge *m, struct td_error *err, const char *table,
                    const char *key, const char *why)
{
	return td_error_set(err, TD_ERR_DATA, "kit %s: %s %s %s; the kit was"
	                    " edited outside tokendesk: not merged, nothing"
	                    " changed here", m->kit_path, table, key ? key : "?", why);
}

/* The refusal of image (what the kit holds) against audit (what its row
 * id says). */
static int disagrees(struct kit_merge *m, struct td_error *err, const char *table,
                     const char *key, const char *image, const char *audit,
                     int64_t row, const char *side)
{
	char *field, *is, *says, why[600];
	int rc;

	covers(m, image, audit, &field, &is, &says);
	if (field)
		snprintf(why, sizeof why, "%s: %s is '%s', the kit's audit row %" PRId64
		         " says '%s'", side, field, is ? is : "(none)", row,
		         says ? says : "(none)");
	else
		snprintf(why, sizeof why, "%s disagrees with the kit's audit row %"
		         PRId64, side, row);
	rc = tampered(m, err, table, key, why);
	free(field);
	free(is);
	free(says);
	return rc;
}

/* ---- changes to rows the kit was made with ------------------------------------ */

static int allowed_change(const struct entity_map *e, const char *col)
{
	for (int i = 0; e->changes[i]; i++)
		if (strcmp(e->changes[i], col) == 0)
			return 1;
	return 0;
}

/* The columns changed must be ones the table's writers change. */
static int check_columns(struct kit_merge *m, struct kit_table *t,
                         const struct entity_map *e, sqlite3_value **nv,
                         const char *key, struct td_error *err)
{
	char why[300];

	for (int i = 0; nv && i < t->ncols; i++) {
		if (!nv[i] || allowed_change(e, t->cols[i]))
			continue;
		snprintf(why, sizeof why, "has its %s changed, which no field work"
		         " changes", t->cols[i]);
		return tampered(m, err, t->name, key, why);
	}
	return TD_OK;
}

/* A count closed in the field: count.close's after is a tally, not the
 * row; the row must name the operator of its count.close row. */
static int check_count_close(struct kit_merge *m, int64_t id, const char *key,
                             sqlite3_value **nv, struct kit_backing *b,
                             struct td_error *err)
{
	struct field_rows f;
	char *by;
	int rc = TD_OK;

	if (!nv)
		return tampered(m, err, "count_session", key, "is deleted, which no"
		                " field work does");
	if ((rc = field_rows(m, "count", key, "count.close", &f, err)) < 0)
		return rc;
	by = text_of(m->kitc, "SELECT closed_by FROM count_session WHERE id = ?",
	             id, NULL);
	if (!f.n)
		rc = tampered(m, err, "count_session", key, "is closed with no"
		              " count.close row in the kit's audit log");
	else if (!by || !f.last_operator || strcmp(by, f.last_operator) != 0)
		rc = disagrees(m, err, "count_session", key, NULL, NULL, f.last_id,
		               "closed_by");
	if (rc == TD_OK) {
		snprintf(b->action, sizeof b->action, "count.close");
		b->count_close = 1;
		b->field_after = f.last_after;
		f.last_after = NULL;
	}
	free(by);
	field_rows_clear(&f);
	return rc;
}

/* The record's first field row starts from the row as made, its newest
 * ends at the row as it came back (or, deleted, at nothing). */
static int check_images(struct kit_merge *m, const struct entity_map *e,
                        int64_t id, const char *key, int deleted,
                        struct kit_backing *b, struct td_error *err)
{
	struct field_rows f;
	char *made = image_of(m->imgc, e, id, key);
	char *back = deleted ? NULL : image_of(m->kitc, e, id, key);
	int rc;

	if ((rc = field_rows(m, e->entity, key, NULL, &f, err)) < 0)
		goto out;
	if (f.n == 0)
		rc = tampered(m, err, e->table, key, deleted ? "is deleted with no"
		              " audit row of the kit recording it" : "is changed with"
		              " no audit row of the kit recording it");
	else if (!matches(m, made, f.first_before))
		rc = disagrees(m, err, e->table, key, made, f.first_before, f.first_id,
		               "as made");
	else if (!matches(m, back, f.last_after))
		rc = disagrees(m, err, e->table, key, back, f.last_after, f.last_id,
		               deleted ? "deleted" : "as it came back");
	else
		snprintf(b->action, sizeof b->action, "%s", home_action(f.last_action));
	field_rows_clear(&f);
out:
	free(made);
	free(back);
	return rc;
}

/* The record's key in the image (the kit as made). */
static char *key_as_made(struct kit_merge *m, const struct entity_map *e,
                         int64_t id)
{
	sqlite3_stmt *st = cached(m, (int)(e - maps), m->imgc, e->key_sql);
	char *key = NULL;

	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		key = td_reg_col_dup(st, 0);
	sqlite3_reset(st);
	return key;
}

int kit_backing_check(struct kit_merge *m, struct kit_table *t,
                      sqlite3_value **pk, sqlite3_value **nv,
                      struct kit_backing *b, struct td_error *err)
{
	const struct entity_map *e = map_of(t->name);
	int64_t id;
	int rc;

	memset(b, 0, sizeof *b);
	if (!e || t->int_pk < 0 || !pk[t->int_pk]) {
		const char *k = t->int_pk >= 0 && pk[t->int_pk]
		                ? (const char *)sqlite3_value_text(pk[t->int_pk]) : "row";
		return tampered(m, err, t->name, k, nv ? "is changed, which no field"
		                " work does" : "is deleted, which no field work does");
	}
	id = sqlite3_value_int64(pk[t->int_pk]);
	if (!(b->key = key_as_made(m, e, id)))
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	snprintf(b->entity, sizeof b->entity, "%s", e->entity);
	if ((rc = check_columns(m, t, e, nv, b->key, err)) < 0)
		return rc;
	if (e->img == IMG_COUNT)
		return check_count_close(m, id, b->key, nv, b, err);
	if ((rc = check_images(m, e, id, b->key, !nv, b, err)) < 0)
		return rc;
	b->home_before = image_of(m->home, e, kit_prior_id(m, t, id), b->key);
	return TD_OK;
}

/* Master data: how audit rows name its records. */
static const struct entity_map home_maps[] = {
	{ "agency", "agency", "SELECT code FROM agency WHERE id = ?", IMG_COUNT, NULL },
	{ "holder", "holder", "SELECT ext_id FROM holder WHERE id = ?", IMG_COUNT, NULL },
	{ "certificate", "cert", "SELECT serial FROM certificate WHERE id = ?",
	  IMG_COUNT, NULL },
};

/* An import changes an official through their certificate: its
 * cert.add/cert.update row names them (ST_CERT_JSON's holder_id). */
static int holder_in_cert_rows(struct kit_merge *m, const char *ext_id)
{
	sqlite3_stmt *st;
	int found = 0;

	if (sqlite3_prepare_v2(m->kitc->db, "SELECT 1 FROM audit WHERE entity ="
	                       " 'cert' AND id > ?2 AND json_extract(after,"
	                       " '$.holder_id') = ?1 LIMIT 1", -1, &st, NULL)
	    != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, ext_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, m->audit_base);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

/* A certificate an import in the field changed is what the import's
 * rows say, as made and as it came back: an audit row alone was taken as
 * backing, and a certificate edited on the stick (its validity, its
 * holder: the new token then went to another official) waited home as
 * the field's version. */
static int cert_as_audited(struct kit_merge *m, int64_t id, const char *key,
                           const struct field_rows *f, struct td_error *err)
{
	struct td_error ignored;
	char *made = td_reg_row_json(m->imgc, ST_CERT_JSON, id, &ignored);
	char *back = td_reg_row_json(m->kitc, ST_CERT_JSON, id, &ignored);
	int rc = TD_OK;

	if (!matches(m, made, f->first_before))
		rc = disagrees(m, err, "certificate", key, made, f->first_before,
		               f->first_id, "as made");
	else if (!matches(m, back, f->last_after))
		rc = disagrees(m, err, "certificate", key, back, f->last_after,
		               f->last_id, back ? "as it came back" : "deleted");
	free(made);
	free(back);
	return rc;
}

int kit_backing_check_home(struct kit_merge *m, struct kit_table *t,
                           sqlite3_value **pk, struct td_error *err)
{
	const struct entity_map *e = NULL;
	struct field_rows f;
	char *key;
	int rc;

	for (size_t i = 0; i < sizeof home_maps / sizeof home_maps[0]; i++)
		if (strcmp(home_maps[i].table, t->name) == 0)
			e = &home_maps[i];
	if (!e || t->int_pk < 0 || !pk[t->int_pk])
		return TD_OK;   /* a conflict all the same */
	key = text_of(m->imgc, e->key_sql, sqlite3_value_int64(pk[t->int_pk]), NULL);
	if (!key)
		return TD_OK;
	if ((rc = field_rows(m, e->entity, key, NULL, &f, err)) == TD_OK && !f.n &&
	    !(strcmp(t->name, "holder") == 0 && holder_in_cert_rows(m, key)))
		rc = tampered(m, err, t->name, key, "is changed with no audit row of"
		              " the kit recording it");
	else if (rc == TD_OK && f.n && strcmp(t->name, "certificate") == 0)
		rc = cert_as_audited(m, sqlite3_value_int64(pk[t->int_pk]), key, &f, err);
	field_rows_clear(&f);
	free(key);
	return rc;
}

int kit_backing_audit(struct kit_merge *m, struct kit_table *t,
                      sqlite3_value **pk, struct kit_backing *b,
                      struct td_error *err)
{
	const struct entity_map *e = map_of(t->name);
	int64_t id = sqlite3_value_int64(pk[t->int_pk]);
	char *after;
	int rc;

	if (b->count_close)
		return td_reg_audit(m->home, "count.close", "count", b->key, NULL,
		                    b->field_after, err);
	after = image_of(m->home, e, id, b->key);
	rc = td_reg_audit(m->home, b->action, b->entity, b->key, b->home_before,
	                  after, err);
	free(after);
	return rc;
}

void kit_backing_clear(struct kit_backing *b)
{
	free(b->key);
	free(b->home_before);
	free(b->field_after);
	memset(b, 0, sizeof *b);
}

/* ---- a conflict decided for the field (kit_conflict.c) ------------------------ */

char *kit_record_image(struct td_registry *reg, const char *table, int64_t id,
                       char **key, const char **entity, const char **action)
{
	const struct entity_map *e = map_of(table);

	*key = NULL;
	if (!e || e->img == IMG_COUNT)
		return NULL;
	*entity = e->entity;
	/* not token.move: that action is a custody event's (audit_state.c
	 * pairs them), and keeping the field's version moves nothing */
	*action = e->img == IMG_TOKEN ? "token.resolve" : e->img == IMG_TAG
	          ? "tag.resolve" : "dossier.resolve";
	if (!(*key = text_of(reg, e->key_sql, id, NULL)))
		return NULL;
	return image_of(reg, e, id, *key);
}

/* ---- rows the field added ------------------------------------------------------ */

static int64_t made_max(struct kit_merge *m, const char *table)
{
	char *sql = sqlite3_mprintf("SELECT coalesce(max(id), 0) FROM \"%w\"", table);
	char *v = sql ? text_of(m->imgc, sql, 0, NULL) : NULL;
	int64_t n = v ? strtoll(v, NULL, 10) : 0;

	sqlite3_free(sql);
	free(v);
	return n;
}

/* The first key sql finds (?1: the table's last id as made, ?2: the
 * kit's last audit row as made, ?3 and ?4: handover's and certificate's
 * last ids as made), or NULL when none: each query below finds what is
 * not backed. */
static char *first_unbacked(struct kit_merge *m, const char *sql, int64_t max)
{
	sqlite3_stmt *st;
	char *key = NULL;

	if (sqlite3_prepare_v2(m->kitc->db, sql, -1, &st, NULL) != SQLITE_OK)
		return strdup("?");
	sqlite3_bind_int64(st, 1, max);
	sqlite3_bind_int64(st, 2, m->audit_base);
	if (sqlite3_bind_parameter_count(st) >= 3)
		sqlite3_bind_int64(st, 3, made_max(m, "handover"));
	if (sqlite3_bind_parameter_count(st) >= 4)
		sqlite3_bind_int64(st, 4, made_max(m, "certificate"));
	if (sqlite3_step(st) == SQLITE_ROW)
		key = td_reg_col_dup(st, 0);
	if (!key && sqlite3_errcode(m->kitc->db) != SQLITE_DONE &&
	    sqlite3_errcode(m->kitc->db) != SQLITE_OK)
		key = strdup("?");
	sqlite3_finalize(st);
	return key;
}

/* The kit refused (tampered: entity, the key, why) when sql finds a key
 * (first_unbacked), TD_OK when it finds none. */
static int refuse_unbacked(struct kit_merge *m, const char *sql, int64_t max,
                           const char *entity, const char *why,
                           struct td_error *err)
{
	char *key = first_unbacked(m, sql, max);
	int rc = key ? tampered(m, err, entity, key, why) : TD_OK;

	free(key);
	return rc;
}

struct new_rule {
	const char *table, *why, *sql;
};

/* The token rule's parts, on a token t the field added (?2: the kit's
 * last audit row as made, ?4: the certificates' last id as made).
 *
 * Certificate c is one a load of the kit added whose digest holds
 * (temp.td_kit_load, load_imports). */
#define IN_HELD_LOAD(c) "EXISTS (SELECT 1 FROM temp.td_kit_load l WHERE " c \
	".id BETWEEN l.first_id AND l.last_id)"

/* A certificate the field added carries t: its rows name t, or a held
 * load added it and no row of its own since (then the digest tells it
 * as loaded, not as it is: its rows name its token). */
#define TOKEN_CARRIED \
	"EXISTS (SELECT 1 FROM certificate c WHERE c.token_id = t.id AND" \
	" c.id > ?4 AND (EXISTS (SELECT 1 FROM audit a WHERE a.id > ?2 AND" \
	" a.action IN ('cert.add', 'cert.update') AND json_extract(a.after," \
	" '$.token') = t.serial) OR (" IN_HELD_LOAD("c") " AND NOT EXISTS" \
	" (SELECT 1 FROM audit a WHERE a.id > ?2 AND a.entity = 'cert' AND" \
	" a.entity_key = c.serial))))"

/* An import moved a certificate onto t (maybe on again since). */
#define TOKEN_MOVED_ONTO \
	"EXISTS (SELECT 1 FROM audit a WHERE a.id > ?2 AND a.entity = 'cert'" \
	" AND a.action = 'cert.update' AND json_extract(a.after, '$.token') =" \
	" t.serial)"

/* The kit's cert.update rows that left t: each gave its certificate
 * another token, its before naming t (a swap in a later import). */
#define LEFT_ROWS \
	"FROM audit a WHERE a.id > ?2 AND a.entity = 'cert' AND a.action =" \
	" 'cert.update' AND json_extract(a.before, '$.token') = t.serial AND " \
	TD_CERT_LEAVES_TOKEN("a.before", "a.after")

/* A certificate the field added, itself backed (its own cert.add row,
 * or a held load's: the digest is taken over the rows as loaded, so
 * over the token the first of its cert.update rows left), left t, which
 * then carries none.  A planted certificate, or a made-with one, backs
 * nothing here: a made-with certificate's first token is not new, and
 * one it moved onto is named by TOKEN_MOVED_ONTO. */
#define TOKEN_LEFT \
	"EXISTS (SELECT 1 " LEFT_ROWS " AND EXISTS (SELECT 1 FROM certificate c" \
	" WHERE c.serial = a.entity_key AND c.id > ?4 AND (EXISTS (SELECT 1" \
	" FROM audit b WHERE b.id > ?2 AND b.entity = 'cert' AND b.action =" \
	" 'cert.add' AND b.entity_key = c.serial) OR " IN_HELD_LOAD("c") ")))"

/* t stands as its newest token.move left it, else in use with the
 * holder the first audit row naming it gave it (a load names none: its
 * certificate's), else, left by all its certificates, with the holder
 * of the first row that left it: home's audit verify gives a token
 * with no certificate that holder (audit_tables.c, TOKEN_BORN). */
#define TOKEN_STANDS \
	"coalesce((SELECT json_extract(m.after, '$.custodian') IS t.custodian" \
	" AND json_extract(m.after, '$.state') IS t.state FROM audit m WHERE" \
	" m.id > ?2 AND m.entity = 'token' AND m.entity_key = t.serial AND" \
	" m.action = 'token.move' ORDER BY m.id DESC LIMIT 1), t.state =" \
	" 'in_use' AND t.custodian = 'holder:' || coalesce((SELECT" \
	" json_extract(a.after, '$.holder_id') FROM audit a WHERE a.id > ?2" \
	" AND a.entity = 'cert' AND json_extract(a.after, '$.token') =" \
	" t.serial ORDER BY a.id LIMIT 1), (SELECT h.ext_id FROM certificate c" \
	" JOIN holder h ON h.id = c.holder_id WHERE c.token_id = t.id ORDER BY" \
	" c.id LIMIT 1), (SELECT json_extract(a.before, '$.holder_id') " \
	LEFT_ROWS " ORDER BY a.id LIMIT 1)))"

/* Set-based checks of the added rows of the tables whose rows are backed
 * through another record's audit rows. */
static const struct new_rule new_rules[] = {
	{ "custody_event", "has a custody event of a token the kit does not hold",
	  "SELECT 'id ' || e.token_id FROM custody_event e WHERE e.id > ?1 AND"
	  " NOT EXISTS (SELECT 1 FROM token t WHERE t.id = e.token_id) LIMIT 1" },
	{ "token", "was added with no certificate added in the field carrying"
	  " it (cert.add), or not in the state its audit rows leave it",
	  /* a token comes with its certificate (an import in the field,
	   * which may also move a certificate the kit was made with onto
	   * it, then maybe on again: cert.update; the certificate, master
	   * data, waits home as a conflict), or is one such a certificate
	   * left for another (a second import swapped it: the kit was
	   * refused, an honest one), and stands as its rows leave it.  A
	   * load's row names no token: its certificate must be one of a
	   * load whose digest holds.  Any cert.add.bulk row at all used to
	   * let a certificate and token planted on the stick in. */
	  "SELECT t.serial FROM token t WHERE t.id > ?1 AND NOT ((" TOKEN_CARRIED
	  " OR " TOKEN_MOVED_ONTO " OR " TOKEN_LEFT ") AND " TOKEN_STANDS ")"
	  " LIMIT 1" },
	{ "handover_item", "gained an item in the field, which no field work"
	  " does (items come with their handover)",
	  "SELECT coalesce(h.number, 'id ' || i.handover_id) FROM handover_item i"
	  " LEFT JOIN handover h ON h.id = i.handover_id WHERE i.id > ?1 AND"
	  " (h.id IS NULL OR h.id <= ?3) LIMIT 1" },
	{ "count_result", "has results of a count not closed by a count.close"
	  " row of the kit's audit log",
	  "SELECT coalesce(c.uid, 'id ' || r.count_id) FROM count_result r"
	  " LEFT JOIN count_session c ON c.id = r.count_id WHERE r.id > ?1 AND"
	  " (c.closed_at IS NULL OR NOT EXISTS (SELECT 1 FROM audit a WHERE"
	  " a.entity = 'count' AND a.entity_key = c.uid AND a.action ="
	  " 'count.close' AND a.id > ?2)) LIMIT 1" },
};

/* Custody events and scans pair one to one with audit rows (kit_pairs.c);
 * *done: table is one of theirs. */
static int check_pairs(struct kit_merge *m, const char *table, int64_t max,
                       int *done, struct td_error *err)
{
	const char *entity = NULL;
	char *key, why[600];
	int rc = TD_OK;

	*done = kit_pairs_check(m, table, max, &entity, &key, why, sizeof why);
	if (key)
		rc = tampered(m, err, entity, key, why);
	free(key);
	return rc;
}

/* A handover added in the field is its handover.create row's after,
 * items included. */
static int check_new_handovers(struct kit_merge *m, int64_t max,
                               struct td_error *err)
{
	char *top = text_of(m->kitc, "SELECT coalesce(max(id), 0) FROM handover",
	                    0, NULL);
	int64_t last = top ? strtoll(top, NULL, 10) : 0;
	int rc = TD_OK;

	free(top);
	for (int64_t id = max + 1; rc == TD_OK && id <= last; id++) {
		struct field_rows f;
		char *number, *image = td_reg_handover_image(m->kitc, id, &number);
		if (!image)
			continue;
		if ((rc = field_rows(m, "handover", number, "handover.create", &f,
		                     err)) == TD_OK) {
			if (!f.n)
				rc = tampered(m, err, "handover", number, "was added"
				              " with no handover.create row of the kit's"
				              " audit log");
			else if (!f.last_after || (strcmp(image, f.last_after) != 0 &&
			         /* an older release recorded fewer fields */
			         !(m->kit_older && matches(m, image, f.last_after))))
				rc = disagrees(m, err, "handover", number, image,
				               f.last_after, f.last_id, "as it came back");
		}
		field_rows_clear(&f);
		free(number);
		free(image);
	}
	return rc;
}

/* A signature made in the field on a handover's record (receipt --sign
 * in the kit) is its handover.sign row's after: the whole row, keyed by
 * the kit's row id.  Its handover_id there is the kit's; the merge
 * renumbers it with the handover (a declared reference). */
static int check_new_signatures(struct kit_merge *m, int64_t max,
                                struct td_error *err)
{
	char *sql = sqlite3_mprintf("SELECT id FROM handover_signature WHERE id >"
	                            " %lld ORDER BY id", (long long)max);
	sqlite3_stmt *st;
	int rc = TD_OK;

	if (!sql || sqlite3_prepare_v2(m->kitc->db, sql, -1, &st, NULL) != SQLITE_OK) {
		sqlite3_free(sql);
		return td_reg_db_error(m->kitc, err, "reading the kit");
	}
	sqlite3_free(sql);
	while (rc == TD_OK && sqlite3_step(st) == SQLITE_ROW) {
		char key[32], *image;
		struct field_rows f;
		snprintf(key, sizeof key, "%lld", (long long)sqlite3_column_int64(st, 0));
		image = td_reg_handover_sig_image(m->kitc, sqlite3_column_int64(st, 0));
		if ((rc = field_rows(m, "handover_signature", key, "handover.sign", &f,
		                     err)) < 0)
			;
		else if (!f.n)
			rc = tampered(m, err, "handover_signature", key, "was added with"
			              " no handover.sign row of the kit's audit log");
		else if (!matches(m, image, f.last_after))
			rc = disagrees(m, err, "handover_signature", key, image,
			               f.last_after, f.last_id, "as it came back");
		field_rows_clear(&f);
		free(image);
	}
	sqlite3_finalize(st);
	return rc;
}

/* A dossier, tag or count added in the field starts with a row with no
 * before and ends at its newest row's after. */
static int check_new_records(struct kit_merge *m, const struct entity_map *e,
                             int64_t max, struct td_error *err)
{
	char *sql = sqlite3_mprintf("SELECT id FROM \"%w\" WHERE id > %lld ORDER BY"
	                            " id", e->table, (long long)max);
	sqlite3_stmt *st;
	int rc = TD_OK;

	if (!sql || sqlite3_prepare_v2(m->kitc->db, sql, -1, &st, NULL) != SQLITE_OK) {
		sqlite3_free(sql);
		return td_reg_db_error(m->kitc, err, "reading the kit");
	}
	sqlite3_free(sql);
	while (rc == TD_OK && sqlite3_step(st) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		char *key = text_of(m->kitc, e->key_sql, id, NULL);
		char *image = image_of(m->kitc, e, id, key);
		struct field_rows f;
		if ((rc = field_rows(m, e->entity, key ? key : "", NULL, &f, err)) < 0)
			;
		else if (f.n == 0 || f.first_before)
			rc = tampered(m, err, e->table, key, "was added with no audit row"
			              " of the kit recording it");
		else if (e->img == IMG_COUNT) {
			/* count.start's after is the row as started */
			char *start = text_of(m->kitc, "SELECT after FROM audit WHERE id"
			                      " = ?", f.first_id, NULL);
			if (!matches(m, image, start))
				rc = disagrees(m, err, e->table, key, image, start,
				               f.first_id, "as started");
			free(start);
		} else if (!matches(m, image, f.last_after))
			rc = disagrees(m, err, e->table, key, image, f.last_after,
			               f.last_id, "as it came back");
		field_rows_clear(&f);
		free(key);
		free(image);
	}
	sqlite3_finalize(st);
	return rc;
}

static int check_rules(struct kit_merge *m, const char *table, int64_t max,
                       struct td_error *err)
{
	const char *entity = strcmp(table, "token") == 0 ||
	                     strcmp(table, "custody_event") == 0 ? "token" :
	                     strcmp(table, "handover_item") == 0 ? "handover" : "count";
	int rc = TD_OK;

	for (size_t i = 0; rc == TD_OK && i < sizeof new_rules / sizeof new_rules[0]; i++)
		if (strcmp(new_rules[i].table, table) == 0)
			rc = refuse_unbacked(m, new_rules[i].sql, max, entity,
			                     new_rules[i].why, err);
	return rc;
}

static int has_rule(const char *table)
{
	for (size_t i = 0; i < sizeof new_rules / sizeof new_rules[0]; i++)
		if (strcmp(new_rules[i].table, table) == 0)
			return 1;
	return 0;
}

static int check_new_table(struct kit_merge *m, struct kit_table *t,
                           struct td_error *err)
{
	const struct entity_map *e = map_of(t->name);
	int64_t max = made_max(m, t->name);
	char *sql, *added;
	int rc, paired;

	if (!(sql = sqlite3_mprintf("SELECT min(id) FROM \"%w\" WHERE id > %lld",
	                            t->name, (long long)max)))
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	added = text_of(m->kitc, sql, 0, NULL);
	sqlite3_free(sql);
	if (!added)
		return TD_OK;   /* nothing added */
	if ((rc = check_pairs(m, t->name, max, &paired, err)) < 0)
		;
	else if (has_rule(t->name))
		rc = check_rules(m, t->name, max, err);
	else if (paired)
		;
	else if (strcmp(t->name, "handover") == 0)
		rc = check_new_handovers(m, max, err);
	else if (strcmp(t->name, "handover_signature") == 0)
		rc = check_new_signatures(m, max, err);
	else if (e)
		rc = check_new_records(m, e, max, err);
	else
		rc = tampered(m, err, t->name, added, "(id) was added, and no field"
		              " work adds to that table");
	free(added);
	return rc;
}

/* Every count closed in the field holds the lines its count.close row
 * froze (lines_sha256; a kit made by an older release wrote none):
 * lines edited, added or all deleted on the stick show, whatever rows
 * the kit still has. */
static int check_count_lines(struct kit_merge *m, struct td_error *err)
{
	return refuse_unbacked(m, "SELECT c.uid FROM audit a JOIN count_session c"
	        " ON c.uid = a.entity_key WHERE a.entity = 'count' AND a.action ="
	        " 'count.close' AND a.id > ?2 AND json_type(a.after,"
	        " '$.lines_sha256') = 'text' AND json_extract(a.after, '$.lines_sha256')"
	        " IS NOT " TD_COUNT_LINES_SHA256("c.id") " LIMIT 1", 0, "count",
	        "has count lines other than those its count.close row froze", err);
}

/* ---- certificates the field added -------------------------------------------- */

/* An import whose rows are not what its cert.add.bulk row recorded. */
static int load_broken(struct kit_merge *m, const struct td_bulk_load *l,
                       struct td_error *err)
{
	char key[300], why[300];

	snprintf(key, sizeof key, "%s to %s", l->first, l->last);
	snprintf(why, sizeof why, "were added by the import that the kit's audit"
	         " row %" PRId64 " records, and are no longer what that row"
	         " recorded (%" PRId64 " rows and their content digest)",
	         l->audit_id, l->added);
	return tampered(m, err, "certificates", key, why);
}

/* The kit's own imports (its cert.add.bulk rows past the audit base),
 * found and digested over the kit's rows as audit verify does at home
 * (td_reg_bulk_cert_loads).  A load's row names no certificate, so it
 * backs the ones it added only while its count and content digest hold:
 * a load that does not is refused, and the ids of those that do go into
 * temp.td_kit_load, which check_new_certs and the token rule read. */
static int load_imports(struct kit_merge *m, struct td_error *err)
{
	struct td_bulk_load *loads;
	sqlite3_stmt *st = NULL;
	size_t n;
	int rc;

	if ((rc = td_reg_bulk_cert_loads(m->kitc, m->audit_base,
	                                 made_max(m, "certificate"), &loads, &n,
	                                 err)) < 0)
		return rc;
	if ((rc = td_reg_exec(m->kitc, "CREATE TEMP TABLE IF NOT EXISTS td_kit_load"
	                      " (first_id INTEGER, last_id INTEGER);"
	                      " DELETE FROM temp.td_kit_load", err)) == TD_OK &&
	    sqlite3_prepare_v2(m->kitc->db, "INSERT INTO temp.td_kit_load VALUES"
	                       " (?, ?)", -1, &st, NULL) != SQLITE_OK)
		rc = td_reg_db_error(m->kitc, err, "reading the kit's imports");
	for (size_t i = 0; rc == TD_OK && i < n; i++) {
		if (!loads[i].held) {
			rc = load_broken(m, &loads[i], err);
			break;
		}
		sqlite3_bind_int64(st, 1, loads[i].first_id);
		sqlite3_bind_int64(st, 2, loads[i].last_id);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = td_reg_db_error(m->kitc, err, "reading the kit's imports");
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	free(loads);
	return rc;
}

/* A certificate the field added is one an import recorded: its own
 * cert.add or cert.update row, or its id in a load that holds.  Master
 * data added on the stick would wait home as a conflict, which a person
 * might keep, and a token planted with it would come home. */
static int check_new_certs(struct kit_merge *m, struct td_error *err)
{
	return refuse_unbacked(m, "SELECT c.serial FROM certificate c WHERE"
	        " c.id > ?1 AND NOT EXISTS (SELECT 1 FROM audit a WHERE a.id > ?2"
	        " AND a.entity = 'cert' AND a.entity_key = c.serial AND a.action IN"
	        " ('cert.add', 'cert.update')) AND NOT EXISTS (SELECT 1 FROM"
	        " temp.td_kit_load l WHERE c.id BETWEEN l.first_id AND l.last_id)"
	        " ORDER BY c.id LIMIT 1", made_max(m, "certificate"), "certificate",
	        "was added with no cert.add row or import (cert.add.bulk) of the"
	        " kit's audit log recording it", err);
}

int kit_backing_check_new(struct kit_merge *m, struct td_error *err)
{
	int rc;

	/* certificates first: a planted token's refusal names its
	 * certificate, what was planted with it */
	if ((rc = load_imports(m, err)) == TD_OK)
		rc = check_new_certs(m, err);
	for (int i = 0; rc == TD_OK && i < m->ks.n; i++) {
		struct kit_table *t = &m->ks.t[i];
		if (t->kind == KIT_FIELD && t->int_pk >= 0 &&
		    strcmp(t->cols[t->int_pk], "id") == 0)
			rc = check_new_table(m, t, err);
	}
	if (rc == TD_OK)
		rc = check_count_lines(m, err);
	sqlite3_exec(m->kitc->db, "DROP TABLE IF EXISTS temp.td_kit_load", NULL, NULL,
	             NULL);
	return rc;
}

/* ---- home audit rows of the rows the field added ---------------------------- */

/* Where each record's ids stood at home before the merge: the rows past
 * them are the ones it added (bulk or one by one), conflicts left out.
 * maps[] first, then handover, then handover_signature (after its
 * handover: its home row names the handover's home id). */
enum { HOME_HANDOVER = 4, HOME_SIGNATURE = 5, N_HOME = 6 };
static const char *const home_key_col[N_HOME] = { "serial", "target", "ref",
                                                  "uid", "number", "id" };
static const char *const home_table[N_HOME] = { "token", "tag", "dossier",
                                                "count_session", "handover",
                                                "handover_signature" };

int kit_backing_mark_home(struct kit_merge *m, struct td_error *err)
{
	for (int i = 0; i < N_HOME; i++) {
		char *sql = sqlite3_mprintf("SELECT coalesce(max(id), 0) FROM"
		                            " main.\"%w\"", home_table[i]);
		char *v = sql ? text_of(m->home, sql, 0, NULL) : NULL;
		sqlite3_free(sql);
		if (!v)
			return td_reg_db_error(m->home, err, "reading the registry");
		m->home_max[i] = strtoll(v, NULL, 10);
		free(v);
	}
	return TD_OK;
}

static const char *const add_action[] = {
	[IMG_TOKEN] = "token.add", [IMG_TAG] = "tag.add",
	[IMG_DOSSIER] = "dossier.add", [IMG_COUNT] = "count.start",
};

/* A record added in the field: its .add/.start row at home (the image
 * as it stands at home now; a token the field moved, token.move), and a
 * count closed in the field its count.close row as the field wrote it. */
static int audit_new_record(struct kit_merge *m, const struct entity_map *e,
                            int64_t id, const char *key, struct td_error *err)
{
	char *after = image_of(m->home, e, id, key);
	const char *action = add_action[e->img];
	struct field_rows f;
	int rc;

	if (e->img == IMG_TOKEN &&
	    (rc = field_rows(m, "token", key, "token.move", &f, err)) == TD_OK) {
		if (f.n)
			action = home_action("token.move");
		field_rows_clear(&f);
	}
	rc = td_reg_audit(m->home, action, e->entity, key, NULL, after, err);
	free(after);
	if (rc < 0 || e->img != IMG_COUNT)
		return rc;
	if ((rc = field_rows(m, "count", key, "count.close", &f, err)) == TD_OK &&
	    f.n > 0)
		rc = td_reg_audit(m->home, "count.close", "count", key, NULL,
		                  f.last_after, err);
	field_rows_clear(&f);
	return rc;
}

/* A signature brought home: its handover.sign row, keyed by its home id,
 * after = the row as it stands at home (its handover renumbered), as
 * signature.c writes it. */
static int audit_new_signature(struct kit_merge *m, int64_t id, const char *key,
                               struct td_error *err)
{
	char *after = td_reg_handover_sig_image(m->home, id);
	int rc;

	if (!after)
		return td_reg_db_error(m->home, err, "auditing the kit's records");
	rc = td_reg_audit(m->home, "handover.sign", "handover_signature", key, NULL,
	                  after, err);
	free(after);
	return rc;
}

/* Each record table i's rows this merge added, audited (i: maps[] index,
 * HOME_HANDOVER sealed as handover.c does, or HOME_SIGNATURE). */
static int audit_added(struct kit_merge *m, int i, struct td_error *err)
{
	char *sql = sqlite3_mprintf("SELECT id, \"%w\" FROM main.\"%w\" WHERE"
	                            " id > %lld ORDER BY id", home_key_col[i],
	                            home_table[i], (long long)m->home_max[i]);
	sqlite3_stmt *st;
	int rc = TD_OK;

	if (!sql || sqlite3_prepare_v2(m->home->db, sql, -1, &st, NULL) != SQLITE_OK) {
		sqlite3_free(sql);
		return td_reg_db_error(m->home, err, "auditing the kit's records");
	}
	sqlite3_free(sql);
	while (rc == TD_OK && sqlite3_step(st) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		char *key = td_reg_col_dup(st, 1);
		if (i == HOME_HANDOVER)
			rc = td_reg_handover_seal(m->home, id, err);
		else if (i == HOME_SIGNATURE)
			rc = audit_new_signature(m, id, key, err);
		else
			rc = audit_new_record(m, &maps[i], id, key, err);
		free(key);
	}
	sqlite3_finalize(st);
	return rc;
}

int kit_backing_audit_new(struct kit_merge *m, struct td_error *err)
{
	int rc = TD_OK;

	for (int i = 0; rc == TD_OK && i < N_HOME; i++)
		rc = audit_added(m, i, err);
	return rc;
}
