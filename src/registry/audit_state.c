/* audit_state.c: does the registry hold what its audit trail says?
 *
 * The hash chain proves the log was not edited; this proves the rows
 * were not either.  Each audited table is one entry of td_audited
 * (audit_tables.c): how to read its rows as the images writers put in
 * audit rows (the same json_object names), which audit entity and
 * actions tell about them, and what a row is born with.  A row's
 * expected image is its birth image with the after-images of its audit
 * rows applied in order (many
 * writers record only the fields they change: tag.send, cert.revoked);
 * an after of NULL (tag.delete, a pick cleared) means the row is gone.
 * Only the fields the audit names are compared, so rows written by an
 * older release whose images held fewer fields still verify.
 *
 * Rows added in bulk (imports) have no row of their own: their bulk
 * audit row's content digest is recomputed over them, in id order, as
 * they stood at the load (a field a later audit row changed is taken
 * from that row's before-image).
 *
 * "Sequence" tables (custody events, count scans) have one row per
 * audit row of their key, matched in order; a field row whose event or
 * scan a kit merge kept as a conflict has none (audit_evidence.c).
 *
 * Everything streams: one pass over each table in an index's order, an
 * indexed look-up of each row's audit rows, and a temporary table of the
 * few images that come from elsewhere (audit_evidence.c: rows brought
 * home by kit merges; holder and token fields carried by certificate
 * images). */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "registry/audit_tables.h"

/* The audit rows of key ?1, oldest first (entity and actions written
 * in: SQLite prepares a statement again at every new binding of a GLOB
 * pattern, which cost more than the look-up). */
#define EVIDENCE \
	"SELECT ord, action, before, after, applies FROM (" \
	" SELECT id AS ord, action, before, after, 1 AS applies FROM main.audit" \
	"  WHERE entity = %Q AND entity_key IS ?1 AND id > ?2" \
	"  AND (action GLOB %Q OR action GLOB 'field:' || %Q)" \
	" UNION ALL SELECT ord, action, before, after, %s FROM temp.td_ev" \
	"  WHERE entity = %Q AND key IS ?1 AND action GLOB %Q) ORDER BY ord"

/* Every key the audit tells about.  In a kit, what its audit rows tell
 * since its last refresh (?3 here, ?2 in EVIDENCE): what came before was
 * merged home, and the refresh made the kit's rows again from home's
 * (home's moves since, no count home holds closed), as kit make did. */
#define KEYS \
	"SELECT entity_key FROM main.audit WHERE entity = ?1 AND id > ?3" \
	" AND (action GLOB ?2 OR action GLOB 'field:' || ?2)" \
	" AND (entity_key IS NOT NULL OR action GLOB 'plan.*')" \
	" UNION SELECT key FROM temp.td_ev WHERE entity = ?1 AND action GLOB ?2" \
	" AND (key IS NOT NULL OR action GLOB 'plan.*')"

struct state_check {
	struct td_registry *reg;
	const struct audited *t;
	td_audit_diff_fn fn;
	void *ctx;
	int in_kit;   /* a field kit: rows copied at kit make have no audit row */
	int64_t kit_since;    /* a kit's last kit.refresh row (0: none) */
	int64_t differences;
	sqlite3_stmt *evidence, *count;
	sqlite3_stmt *then;   /* a side's first before-image after a bulk row */
	int have_then;        /* td_then has rows */
	struct td_error *err;
	int64_t born;         /* the row's load (audit id): older rows of its key
	                         tell of an earlier row (a tag deleted, then
	                         added again by a plan apply) */
};

/* ---- reporting ------------------------------------------------------- */

/* A value as a message shows it: 'text', a number, NULL. */
static void show_value(const json_t *v, char *out, size_t size)
{
	char *text;

	if (!v || json_is_null(v))
		snprintf(out, size, "NULL");
	else if (json_is_string(v))
		snprintf(out, size, "'%s'", json_string_value(v));
	else if ((text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY))) {
		snprintf(out, size, "%s", text);
		free(text);
	} else
		snprintf(out, size, "?");
	if (strlen(out) == size - 1 && size > 4)
		memcpy(out + size - 4, "...", 4);
}

/* Report one difference (d's table is filled in here). */
static void differ(struct state_check *c, struct td_audit_diff d)
{
	d.table = c->t->table;
	c->differences++;
	if (c->fn)
		c->fn(&d, c->ctx);
}

/* differ() for audit_tag_bulk.c's loads. */
static void differ_cb(const struct td_audit_diff *d, void *ctx)
{
	differ(ctx, *d);
}

/* Compare every field the audit names that the row has too; objects
 * (and arrays of them, as a handover's items) field by field, so that an
 * image from an older release, with fewer fields, still fits.  path
 * names the field in messages ("items[2].proof"). */
static void compare_value(struct state_check *c, const char *key, const char *path,
                          json_t *have, json_t *want, int64_t nth);

static void compare_object(struct state_check *c, const char *key,
                           const char *path, json_t *now, json_t *says,
                           int64_t nth)
{
	const char *field;
	json_t *want;

	json_object_foreach(says, field, want) {
		json_t *have = json_object_get(now, field);
		char sub[256];

		if (!have)
			continue;   /* not a field of this table's rows */
		snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", field);
		compare_value(c, key, sub, have, want, nth);
	}
}

static void compare_value(struct state_check *c, const char *key, const char *path,
                          json_t *have, json_t *want, int64_t nth)
{
	char a[200], b[200];

	if (json_is_object(have) && json_is_object(want)) {
		compare_object(c, key, path, have, want, nth);
		return;
	}
	if (json_is_array(have) && json_is_array(want) &&
	    json_array_size(have) == json_array_size(want)) {
		for (size_t i = 0; i < json_array_size(want); i++) {
			char sub[256];
			snprintf(sub, sizeof sub, "%s[%zu]", path, i + 1);
			compare_value(c, key, sub, json_array_get(have, i),
			              json_array_get(want, i), nth);
		}
		return;
	}
	/* The writers store "" as NULL. */
	if (json_equal(have, want) ||
	    (json_is_null(want) && json_is_string(have) && !*json_string_value(have)))
		return;
	show_value(have, a, sizeof a);
	show_value(want, b, sizeof b);
	differ(c, (struct td_audit_diff){ .kind = TD_DIFF_FIELD, .key = key,
	                                  .field = path, .is = a, .says = b,
	                                  .n = nth });
}

/* nth: the row's place among its key's rows in a sequence table (0 in
 * others), for the message. */
static void compare(struct state_check *c, const char *key, json_t *now,
                    json_t *says, int64_t nth)
{
	compare_object(c, key, "", now, says, nth);
}

/* ---- evidence -------------------------------------------------------- */

static int bind_evidence(struct state_check *c, const char *key)
{
	sqlite3_reset(c->evidence);
	if (key)
		sqlite3_bind_text(c->evidence, 1, key, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(c->evidence, 1);
	sqlite3_bind_int64(c->evidence, 2, c->kit_since);
	return TD_OK;
}

static json_t *col_json(sqlite3_stmt *st, int i)
{
	const char *text = (const char *)sqlite3_column_text(st, i);

	return text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
}

/* ---- bulk ranges ----------------------------------------------------- */

struct bulk_range {
	int64_t audit_id, start, end;   /* start 0: not located */
	int64_t added;
	char first[130], last[130], digest[65];
	struct td_sha256 *sha;
	int broken;
	int held;   /* its rows digested, and the digest is the one recorded */
};

struct bulk_state {
	struct bulk_range *r;
	size_t n, at;
};

static int locate_range(struct state_check *c, const struct bulk_kind *k,
                        struct bulk_range *r, int64_t after_id)
{
	sqlite3_stmt *st;
	int rc = TD_OK;

	if (sqlite3_prepare_v2(c->reg->db, k->start, -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(c->reg, c->err, "locating bulk rows");
	sqlite3_bind_text(st, 1, r->first, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, after_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		r->start = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (!r->start)
		return TD_OK;
	if (sqlite3_prepare_v2(c->reg->db, k->end, -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(c->reg, c->err, "locating bulk rows");
	sqlite3_bind_int64(st, 1, r->start);
	sqlite3_bind_int64(st, 2, r->added - 1);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(st, 1);
		r->end = sqlite3_column_int64(st, 0);
		r->broken = !key || strcmp(key, r->last) != 0;
	} else {
		r->end = INT64_MAX;   /* fewer rows than were added */
		r->broken = 1;
	}
	sqlite3_finalize(st);
	return rc;
}

static void bulk_free(struct bulk_state *b)
{
	for (size_t i = 0; i < b->n; i++)
		td_sha256_free(b->r[i].sha);
	free(b->r);
	b->r = NULL;
	b->n = 0;
}

/* The bulk rows of c->t past audit row since, located in order among
 * the rows past id after (home: all of them, from the first row). */
static int bulk_load(struct state_check *c, struct bulk_state *b, int64_t since,
                     int64_t after)
{
	const struct bulk_kind *k = c->t->bulk;
	sqlite3_stmt *st;
	int64_t prev_end = after;
	int rc = TD_OK;

	memset(b, 0, sizeof *b);
	if (!k)
		return TD_OK;
	if (sqlite3_prepare_v2(c->reg->db, "SELECT id, json_extract(after, '$.added'),"
	                       " json_extract(after, '$.first'), json_extract(after,"
	                       " '$.last'), json_extract(after, '$.content_sha256')"
	                       " FROM audit WHERE action = ? AND id > ? ORDER BY id",
	                       -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(c->reg, c->err, "reading bulk audit rows");
	sqlite3_bind_text(st, 1, k->action, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, since);
	while (rc == TD_OK && sqlite3_step(st) == SQLITE_ROW) {
		struct bulk_range *grown = realloc(b->r, (b->n + 1) * sizeof *grown), *r;
		if (!grown) {
			rc = td_error_set(c->err, TD_ERR_NOMEM, "out of memory");
			break;
		}
		b->r = grown;
		r = memset(&b->r[b->n++], 0, sizeof *r);
		r->audit_id = sqlite3_column_int64(st, 0);
		r->added = sqlite3_column_int64(st, 1);
		snprintf(r->first, sizeof r->first, "%s", sqlite3_column_text(st, 2)
		         ? (const char *)sqlite3_column_text(st, 2) : "");
		snprintf(r->last, sizeof r->last, "%s", sqlite3_column_text(st, 3)
		         ? (const char *)sqlite3_column_text(st, 3) : "");
		snprintf(r->digest, sizeof r->digest, "%s", sqlite3_column_text(st, 4)
		         ? (const char *)sqlite3_column_text(st, 4) : "");
		if (!(r->sha = td_sha256_new(c->err)))
			rc = c->err->code;
		else if ((rc = locate_range(c, k, r, prev_end)) == TD_OK && r->start)
			prev_end = r->end;
	}
	sqlite3_finalize(st);
	for (size_t i = 0; rc == TD_OK && i < b->n; i++)
		if (!b->r[i].start || b->r[i].broken)
			differ(c, (struct td_audit_diff){ .kind = TD_DIFF_BULK_ROWS,
			       .n = b->r[i].added, .audit_id = b->r[i].audit_id,
			       .action = k->action, .first = b->r[i].first,
			       .last = b->r[i].last });
	return rc;
}

/* The bulk range row id falls in, or NULL. */
static struct bulk_range *bulk_find(struct bulk_state *b, int64_t id)
{
	while (b->at < b->n && (!b->r[b->at].start || b->r[b->at].end < id))
		b->at++;
	if (b->at < b->n && b->r[b->at].start <= id)
		return &b->r[b->at];
	return NULL;
}

/* Add a row's content as it stood at the load: a field that a later
 * audit row changed comes from that row's before-image. */
static void bulk_add(struct state_check *c, struct bulk_range *r, sqlite3_stmt *st,
                     int first_col, json_t *then)
{
	const struct bulk_kind *k = c->t->bulk;
	const char *fields[16];

	for (int i = 0; i < k->n && i < 16; i++) {
		json_t *v = then ? json_object_get(then, k->names[i]) : NULL;
		fields[i] = v ? json_string_value(v)
		              : (const char *)sqlite3_column_text(st, first_col + i);
	}
	td_reg_bulk_hash_row(r->sha, fields, k->n);
}

static void bulk_close(struct state_check *c, struct bulk_range *r)
{
	char hex[65];

	td_sha256_hex(r->sha, hex);
	r->held = !r->broken && strcmp(hex, r->digest) == 0;
	if (!r->broken && !r->held)
		differ(c, (struct td_audit_diff){ .kind = TD_DIFF_BULK_DIGEST,
		       .n = r->added, .audit_id = r->audit_id,
		       .action = c->t->bulk->action, .first = r->first,
		       .last = r->last });
}

/* ---- one table ------------------------------------------------------- */

/* Fold a key's audit rows over its birth image (column 2 of st); *state
 * stays NULL when there are none.  *then gets the before-image of the
 * first row after `since` (for bulk content), *deleted whether the newest
 * row removed it, *rows how many there were. */
static int fold(struct state_check *c, const char *key, sqlite3_stmt *st,
                json_t **state, int64_t since, json_t **then, int *deleted,
                int *rows)
{
	int step;

	*deleted = 0;
	*rows = 0;
	bind_evidence(c, key);
	while ((step = sqlite3_step(c->evidence)) == SQLITE_ROW) {
		json_t *after;
		if (!sqlite3_column_int(c->evidence, 4))
			continue;   /* a field change home did not take */
		if (sqlite3_column_double(c->evidence, 0) <= (double)c->born)
			continue;   /* an earlier life of the key (check_fold_row) */
		if (!*state && !(st && (*state = col_json(st, 2))))
			*state = json_object();
		after = col_json(c->evidence, 3);
		if (then && !*then && sqlite3_column_double(c->evidence, 0) > (double)since)
			*then = col_json(c->evidence, 2);
		(*rows)++;
		*deleted = !after;
		if (json_is_object(after))
			json_object_update(*state, after);
		json_decref(after);
	}
	sqlite3_reset(c->evidence);
	return step == SQLITE_DONE ? TD_OK
	                           : td_reg_db_error(c->reg, c->err, "reading the audit log");
}

/* Columns of a FOLD table's rows query. */
enum { COL_KEY, COL_IMAGE, COL_BIRTH, COL_COVERED, COL_ID, COL_AS_BORN, COL_CONTENT };

/* The holder's and token's fields of a bulk-loaded certificate as they
 * were at the load, over then (the certificate's own before-image): a
 * shared holder may have changed through another certificate.  The
 * holder or token is the one the certificate named at the load: then's
 * when it has the field (an import since gave the certificate another
 * token, whose own later changes tell nothing about the load; null: it
 * had none), else the row's. */
static json_t *side_then(struct state_check *c, sqlite3_stmt *st, int64_t since,
                         json_t *then)
{
	const struct bulk_kind *k = c->t->bulk;

	for (int i = 0; c->have_then && i < 2 && k->sides[i].entity; i++) {
		json_t *was = json_is_object(then)
		              ? json_object_get(then, k->names[k->sides[i].key]) : NULL;
		const char *key = json_is_string(was) ? json_string_value(was)
		                  : (const char *)sqlite3_column_text(st, COL_CONTENT +
		                                                      k->sides[i].key);
		json_t *side;

		if (!key || json_is_null(was))
			continue;   /* none then: nothing of it in the content */
		sqlite3_reset(c->then);
		sqlite3_bind_text(c->then, 1, k->sides[i].entity, -1, SQLITE_STATIC);
		sqlite3_bind_text(c->then, 2, key, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(c->then, 3, since);
		if (sqlite3_step(c->then) == SQLITE_ROW && (side = col_json(c->then, 0))) {
			if (!json_is_object(then)) {
				json_decref(then);
				then = json_object();
			}
			json_object_update(then, side);
			json_decref(side);
		}
		sqlite3_reset(c->then);
	}
	return then;
}

/* Row id (st) of load r into r's digest, as it stood at the load (then:
 * its own first before-image since, the holder's and token's added
 * here); r closed at its last row.  Returns then, which the caller
 * frees. */
static json_t *bulk_row(struct state_check *c, sqlite3_stmt *st,
                        struct bulk_range *r, int64_t id, json_t *then)
{
	then = side_then(c, st, r->audit_id, then);
	bulk_add(c, r, st, COL_CONTENT, json_is_object(then) ? then : NULL);
	if (id == r->end)
		bulk_close(c, r);
	return then;
}

static int check_fold_row(struct state_check *c, sqlite3_stmt *st,
                          struct bulk_state *b)
{
	const char *key = (const char *)sqlite3_column_text(st, COL_KEY);
	json_t *now = NULL, *state = NULL, *then = NULL;
	int64_t id = sqlite3_column_int64(st, COL_ID);
	struct bulk_range *r = c->t->bulk ? bulk_find(b, id) : NULL;
	int deleted, rows, rc;

	/* A FOLD table with no bulk content may give a 7th column: the audit
	 * row that added the row in a load (tags: TAG_BORN). */
	c->born = !c->t->bulk && sqlite3_column_count(st) > COL_CONTENT
	          ? sqlite3_column_int64(st, COL_CONTENT) : 0;

	rc = fold(c, key, st, &state, r ? r->audit_id : INT64_MAX, r ? &then : NULL,
	          &deleted, &rows);
	if (rc < 0 || (c->in_kit && !rows))
		;   /* as kit make copied it: the merge diffs it against its base */
	else {
		if (r)
			then = bulk_row(c, st, r, id, then);
		if (!rows && !r && !sqlite3_column_int(st, COL_COVERED))
			differ(c, (struct td_audit_diff){ .kind = TD_DIFF_UNAUDITED,
			                                  .key = key });
		else if (deleted)
			differ(c, (struct td_audit_diff){ .kind = TD_DIFF_REMOVED,
			                                  .key = key });
		else if (rows || !sqlite3_column_int(st, COL_AS_BORN)) {
			if (!state && !(state = col_json(st, COL_BIRTH)))
				state = json_object();
			now = col_json(st, COL_IMAGE);
			compare(c, key, now, state, 0);
		}
	}
	c->born = 0;
	json_decref(now);
	json_decref(state);
	json_decref(then);
	return rc;
}

/* The key's next audit row whose custody event or scan is here (one the
 * merge kept as a conflict is not). */
static int next_landed(struct state_check *c)
{
	int step;

	while ((step = sqlite3_step(c->evidence)) == SQLITE_ROW &&
	       !sqlite3_column_int(c->evidence, 4))
		;
	return step;
}

/* A SEQ table's rows of one key against its audit rows, in order.  st
 * is on the key's first row; returns with st past its last. */
static int check_seq_key(struct state_check *c, sqlite3_stmt *st, int *step)
{
	char *key = td_reg_col_dup(st, 0);
	const char *k;
	int64_t rows = 0, told = 0;
	int ev = SQLITE_ROW;

	bind_evidence(c, key);
	do {
		json_t *now = col_json(st, 1), *after = NULL;
		rows++;
		if (ev == SQLITE_ROW && (ev = next_landed(c)) == SQLITE_ROW) {
			told++;
			after = col_json(c->evidence, 3);
			if (json_is_object(after))
				compare(c, key, now, after, rows);
		}
		json_decref(now);
		json_decref(after);
		*step = sqlite3_step(st);
		k = *step == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
	} while (*step == SQLITE_ROW && (k && key ? strcmp(k, key) == 0 : k == key));
	while (ev == SQLITE_ROW && (ev = next_landed(c)) == SQLITE_ROW)
		told++;
	sqlite3_reset(c->evidence);
	if (rows != told)
		differ(c, (struct td_audit_diff){ .kind = TD_DIFF_COUNT, .key = key,
		                                  .n = rows, .told = told });
	free(key);
	return ev == SQLITE_DONE || ev == SQLITE_ROW ? TD_OK
	       : td_reg_db_error(c->reg, c->err, "reading the audit log");
}

static int check_rows(struct state_check *c)
{
	struct bulk_state b;
	sqlite3_stmt *st;
	int rc, step;

	if ((rc = bulk_load(c, &b, 0, 0)) < 0) {
		bulk_free(&b);
		return rc;
	}
	if (sqlite3_prepare_v2(c->reg->db, c->t->rows, -1, &st, NULL) != SQLITE_OK) {
		bulk_free(&b);
		return td_reg_db_error(c->reg, c->err, "reading the registry");
	}
	step = sqlite3_step(st);
	while (rc == TD_OK && step == SQLITE_ROW) {
		if (c->t->shape == SEQ)
			rc = check_seq_key(c, st, &step);
		else if ((rc = check_fold_row(c, st, &b)) == TD_OK)
			step = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	bulk_free(&b);
	if (rc == TD_OK && step != SQLITE_DONE)
		rc = td_reg_db_error(c->reg, c->err, "reading the registry");
	return rc;
}

/* Keys the audit tells about that have no row now. */
static int check_missing(struct state_check *c)
{
	sqlite3_stmt *keys;
	int rc = TD_OK, step;

	if (sqlite3_prepare_v2(c->reg->db, KEYS, -1, &keys, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(c->reg->db, c->t->count, -1, &c->count, NULL) != SQLITE_OK) {
		sqlite3_finalize(keys);
		return td_reg_db_error(c->reg, c->err, "reading the audit log");
	}
	sqlite3_bind_text(keys, 1, c->t->entity, -1, SQLITE_STATIC);
	sqlite3_bind_text(keys, 2, c->t->actions, -1, SQLITE_STATIC);
	sqlite3_bind_int64(keys, 3, c->kit_since);
	while (rc == TD_OK && (step = sqlite3_step(keys)) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(keys, 0);
		json_t *state = NULL;
		int deleted, rows;

		sqlite3_reset(c->count);
		sqlite3_bind_value(c->count, 1, sqlite3_column_value(keys, 0));
		if (sqlite3_step(c->count) == SQLITE_ROW && sqlite3_column_int64(c->count, 0) == 0 &&
		    (rc = fold(c, key, NULL, &state, INT64_MAX, NULL, &deleted, &rows)) == TD_OK &&
		    rows && !deleted)
			differ(c, (struct td_audit_diff){ .kind = TD_DIFF_MISSING, .key = key });
		json_decref(state);
	}
	if (rc == TD_OK && step != SQLITE_DONE)
		rc = td_reg_db_error(c->reg, c->err, "reading the audit log");
	sqlite3_finalize(keys);
	sqlite3_finalize(c->count);
	c->count = NULL;
	return rc;
}

/* ---- foreign keys ---------------------------------------------------- */

static int check_foreign_keys(struct state_check *c)
{
	static const struct audited fk = { "foreign key", NULL, NULL, FOLD, NULL,
	                                   NULL, NULL, NULL, 0 };
	sqlite3_stmt *st;
	int step;

	c->t = &fk;
	if (sqlite3_prepare_v2(c->reg->db, "PRAGMA foreign_key_check", -1, &st, NULL)
	    != SQLITE_OK)
		return td_reg_db_error(c->reg, c->err, "checking foreign keys");
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		differ(c, (struct td_audit_diff){ .kind = TD_DIFF_FOREIGN_KEY,
		       .key = (const char *)sqlite3_column_text(st, 0),
		       .n = sqlite3_column_int64(st, 1),
		       .field = (const char *)sqlite3_column_text(st, 2) });
	}
	sqlite3_finalize(st);
	return step == SQLITE_DONE ? TD_OK
	                           : td_reg_db_error(c->reg, c->err, "checking foreign keys");
}

/* Time on one registry's machine runs forward (desks of a hall write
 * through one; kit rows keep a chain of their own): a home audit row
 * dated more than five minutes before the row before it was written
 * under a clock set back, or backdated (a test's fixed clock,
 * TOKENDESK_TEST_NOW); one dated more than five minutes after this
 * moment, under a clock set forward.  Five minutes leave room for a
 * clock the network corrects.  A time that is no time (T99:00:00Z)
 * is a difference too: it would hide the rows around it.  Each
 * names the row before, so the reader sees which of the two is off.
 * A kit's chain is not checked: its field rows follow a laptop's
 * clock, its kit.make row home's. */
static int check_clock(struct state_check *c)
{
	static const struct audited clock = { "audit", NULL, NULL, FOLD, NULL,
	                                       NULL, NULL, "audit", 0 };
	sqlite3_stmt *st;
	int step;

	if (sqlite3_prepare_v2(c->reg->db, "SELECT id, at, prev_id, prev_at FROM"
	                       " (SELECT id, at, julianday(at) AS t, lag(id) OVER w"
	                       "  AS prev_id, lag(at) OVER w AS prev_at,"
	                       "  lag(julianday(at)) OVER w AS prev_t FROM audit"
	                       "  WINDOW w AS (ORDER BY id))"
	                       " WHERE t IS NULL OR at NOT GLOB '[0-9][0-9][0-9][0-9]-"
	                       "[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z'"
	                       " OR prev_t - t > 300.0 / 86400"
	                       " OR t - julianday('now') > 300.0 / 86400 ORDER BY id",
	                       -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(c->reg, c->err, "reading the audit log");
	c->t = &clock;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		char is[64], says[64];
		snprintf(is, sizeof is, "'%s'", (const char *)sqlite3_column_text(st, 1));
		snprintf(says, sizeof says, "'%s'", sqlite3_column_type(st, 3) == SQLITE_NULL
		         ? "" : (const char *)sqlite3_column_text(st, 3));
		differ(c, (struct td_audit_diff){ .kind = TD_DIFF_CLOCK,
		       .n = sqlite3_column_int64(st, 0), .is = is, .says = says,
		       .told = sqlite3_column_int64(st, 2) });
	}
	sqlite3_finalize(st);
	return step == SQLITE_DONE ? TD_OK
	                           : td_reg_db_error(c->reg, c->err, "reading the audit log");
}

/* The evidence statement of table c->t. */
static int prepare_table(struct state_check *c)
{
	const struct audited *t = c->t;
	char *sql = sqlite3_mprintf(EVIDENCE, t->entity, t->actions, t->actions,
	                            t->shape == SEQ ? "landed" : "applies",
	                            t->entity, t->actions);
	int rc;

	sqlite3_finalize(c->evidence);
	c->evidence = NULL;
	if (!sql)
		return td_error_set(c->err, TD_ERR_NOMEM, "out of memory");
	rc = sqlite3_prepare_v2(c->reg->db, sql, -1, &c->evidence, NULL);
	sqlite3_free(sql);
	return rc == SQLITE_OK ? TD_OK
	                       : td_reg_db_error(c->reg, c->err, "reading the audit log");
}

/* Does this registry's schema have the table yet? */
static int has_table(struct td_registry *reg, const char *name)
{
	sqlite3_stmt *st;
	int found = 0;

	if (sqlite3_prepare_v2(reg->db, "SELECT 1 FROM sqlite_schema WHERE type ="
	                       " 'table' AND name = ?", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		found = sqlite3_step(st) == SQLITE_ROW;
	}
	sqlite3_finalize(st);
	return found;
}

/* A kit's newest kit.refresh audit row, 0 when it was never refreshed. */
static int64_t last_refresh(struct td_registry *reg)
{
	sqlite3_stmt *st;
	int64_t id = 0;

	if (sqlite3_prepare_v2(reg->db, "SELECT coalesce(max(id), 0) FROM main.audit"
	                       " WHERE entity = 'kit' AND action = 'kit.refresh'", -1,
	                       &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

static int prepare_evidence(struct state_check *c)
{
	sqlite3_stmt *st;

	if (td_reg_audit_evidence(c->reg, c->err) < 0)
		return c->err->code;
	if (sqlite3_prepare_v2(c->reg->db, "SELECT EXISTS (SELECT 1 FROM temp.td_then)",
	                       -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(c->reg, c->err, "reading the audit log");
	c->have_then = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(c->reg->db, "SELECT was FROM temp.td_then"
	                       " WHERE entity = ?1 AND key = ?2 AND ord > ?3"
	                       " ORDER BY ord LIMIT 1", -1, &c->then, NULL) != SQLITE_OK)
		return td_reg_db_error(c->reg, c->err, "reading the audit log");
	return TD_OK;
}

/* The end of a check: its statements, its read transaction and the
 * evidence tables go. */
static void end_check(struct state_check *c)
{
	struct td_registry *reg = c->reg;

	sqlite3_finalize(c->evidence);
	sqlite3_finalize(c->then);
	c->evidence = c->then = NULL;
	sqlite3_exec(reg->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_exec(reg->db, "DROP TABLE IF EXISTS temp.td_ev", NULL, NULL, NULL);
	sqlite3_exec(reg->db, "DROP TABLE IF EXISTS temp.td_then", NULL, NULL, NULL);
	sqlite3_exec(reg->db, "DROP TABLE IF EXISTS temp.td_left", NULL, NULL, NULL);
	sqlite3_exec(reg->db, "DROP TABLE IF EXISTS temp.td_tbulk", NULL, NULL, NULL);
	sqlite3_exec(reg->db, "DROP TABLE IF EXISTS temp.td_tag_member", NULL, NULL, NULL);
}

int td_reg_audit_verify_state(struct td_registry *reg, td_audit_diff_fn fn,
                              void *ctx, int64_t *differences, struct td_error *err)
{
	struct state_check c = { reg, NULL, fn, ctx, td_reg_is_field_kit(reg), 0, 0, NULL,
	                         NULL, NULL, 0, err, 0 };
	int rc;

	/* One read transaction: every table as of one moment. */
	if ((rc = td_reg_exec(reg, "BEGIN", err)) < 0)
		return rc;
	if (c.in_kit)
		c.kit_since = last_refresh(reg);
	rc = prepare_evidence(&c);
	for (size_t i = 0; rc == TD_OK && i < td_n_audited; i++) {
		c.t = &td_audited[i];
		/* A kit's copied history has no audit rows in the kit, so its
		 * sequences cannot be matched; home checks them after merge. */
		if ((c.in_kit && c.t->shape == SEQ) || !has_table(reg, c.t->sql_table))
			continue;
		if ((rc = prepare_table(&c)) < 0)
			break;
		if ((rc = check_rows(&c)) == TD_OK)
			rc = check_missing(&c);
		if (rc == TD_OK && strcmp(c.t->sql_table, "tag") == 0)
			rc = td_reg_tag_bulk_verify(reg, differ_cb, &c, err);
	}
	if (rc == TD_OK)
		rc = check_foreign_keys(&c);
	if (rc == TD_OK && !c.in_kit)
		rc = check_clock(&c);
	end_check(&c);
	if (differences)
		*differences = c.differences;
	if (rc == TD_OK && c.differences)
		rc = td_error_set(err, TD_ERR_CONFLICT, "%" PRId64 " row(s) differ from"
		                  " what the audit trail says: they were changed by hand",
		                  c.differences);
	return rc;
}

/* The per-key count queries run once for every key the audit log names:
 * each must be a look-up, never a scan of its table (EXPLAIN QUERY PLAN
 * "SCAN"), or the check grows with the square of the log. */
int td_reg_audit_count_scans(struct td_registry *reg, const char **first)
{
	int scans = 0;

	*first = NULL;
	for (size_t i = 0; i < td_n_audited; i++) {
		char *sql;
		sqlite3_stmt *st;
		int scan = 0;

		if (!has_table(reg, td_audited[i].sql_table))
			continue;
		sql = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", td_audited[i].count);
		if (sql && sqlite3_prepare_v2(reg->db, sql, -1, &st, NULL) == SQLITE_OK) {
			while (sqlite3_step(st) == SQLITE_ROW) {
				const char *step = (const char *)sqlite3_column_text(st, 3);
				scan |= step && strncmp(step, "SCAN", 4) == 0 &&
				        strcmp(step, "SCAN CONSTANT ROW") != 0;
			}
			sqlite3_finalize(st);
		} else {
			scan = 1;   /* a query that does not even prepare */
		}
		sqlite3_free(sql);
		if (scan && !*first)
			*first = td_audited[i].table;
		scans += scan;
	}
	return scans;
}

/* ---- a field kit's own imports (kit_backing.c) ------------------------ */

/* The rows of the loads in b into their load's digest, each as audit
 * verify takes it (check_fold_row); rows of no load are passed over. */
static int digest_loads(struct state_check *c, struct bulk_state *b)
{
	sqlite3_stmt *st;
	int rc = TD_OK, step = SQLITE_DONE;

	if (sqlite3_prepare_v2(c->reg->db, c->t->rows, -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(c->reg, c->err, "reading the registry");
	while (rc == TD_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, COL_ID);
		struct bulk_range *r = bulk_find(b, id);
		json_t *state = NULL, *then = NULL;
		int deleted, rows;

		if (!r)
			continue;
		rc = fold(c, (const char *)sqlite3_column_text(st, COL_KEY), st, &state,
		          r->audit_id, &then, &deleted, &rows);
		if (rc == TD_OK)
			then = bulk_row(c, st, r, id, then);
		json_decref(state);
		json_decref(then);
	}
	sqlite3_finalize(st);
	if (rc == TD_OK && step != SQLITE_DONE)
		rc = td_reg_db_error(c->reg, c->err, "reading the registry");
	return rc;
}

/* The audited table whose bulk rows are action's. */
static const struct audited *bulk_table(const char *action)
{
	for (size_t i = 0; i < td_n_audited; i++)
		if (td_audited[i].bulk && strcmp(td_audited[i].bulk->action, action) == 0)
			return &td_audited[i];
	return NULL;
}

static int copy_loads(const struct bulk_state *b, struct td_bulk_load **loads,
                      size_t *n, struct td_error *err)
{
	if (!b->n)
		return TD_OK;
	if (!(*loads = calloc(b->n, sizeof **loads)))
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < b->n; i++) {
		struct td_bulk_load *l = &(*loads)[i];
		l->audit_id = b->r[i].audit_id;
		l->added = b->r[i].added;
		l->first_id = b->r[i].start;
		l->last_id = b->r[i].start ? b->r[i].end : 0;
		memcpy(l->first, b->r[i].first, sizeof l->first);
		memcpy(l->last, b->r[i].last, sizeof l->last);
		l->held = b->r[i].held;
	}
	*n = b->n;
	return TD_OK;
}

int td_reg_bulk_cert_loads(struct td_registry *reg, int64_t since, int64_t after,
                           struct td_bulk_load **loads, size_t *n,
                           struct td_error *err)
{
	struct state_check c = { .reg = reg, .t = bulk_table("cert.add.bulk"),
	                         .in_kit = 1, .kit_since = since, .err = err };
	struct bulk_state b = { NULL, 0, 0 };
	int rc;

	*loads = NULL;
	*n = 0;
	if (!c.t)
		return td_error_set(err, TD_ERR_INTERNAL, "no audited table holds"
		                    " certificate imports");
	/* One read transaction, as audit verify's; evidence only when the
	 * kit has loads of its own (most kits have none). */
	if ((rc = td_reg_exec(reg, "BEGIN", err)) < 0)
		return rc;
	if ((rc = bulk_load(&c, &b, since, after)) == TD_OK && b.n &&
	    (rc = prepare_evidence(&c)) == TD_OK && (rc = prepare_table(&c)) == TD_OK)
		rc = digest_loads(&c, &b);
	if (rc == TD_OK)
		rc = copy_loads(&b, loads, n, err);
	bulk_free(&b);
	end_check(&c);
	return rc;
}

/* ---- the head -------------------------------------------------------- */

int td_reg_audit_head(struct td_registry *reg, int64_t *id, char hash[65],
                      struct td_error *err)
{
	sqlite3_stmt *st;
	int rc;

	*id = 0;
	hash[0] = '\0';
	if (sqlite3_prepare_v2(reg->db, "SELECT id, hash FROM audit ORDER BY id DESC"
	                       " LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "reading the audit log");
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		snprintf(hash, 65, "%s", sqlite3_column_text(st, 1)
		         ? (const char *)sqlite3_column_text(st, 1) : "");
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE
	       ? TD_OK : td_reg_db_error(reg, err, "reading the audit log");
}

int td_reg_audit_check_kept(struct td_registry *reg, int64_t id, const char *hash,
                            int *why, char stored[65], struct td_error *err)
{
	sqlite3_stmt *st;
	int rc;

	*why = 0;
	stored[0] = '\0';
	if (sqlite3_prepare_v2(reg->db, "SELECT hash FROM audit WHERE id = ?", -1, &st,
	                       NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "reading the audit log");
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		snprintf(stored, 65, "%s", sqlite3_column_text(st, 0)
		         ? (const char *)sqlite3_column_text(st, 0) : "");
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return td_reg_db_error(reg, err, "reading the audit log");
	if (rc == SQLITE_DONE)
		*why = 1;
	else if (strcasecmp(stored, hash) != 0)
		*why = 2;
	if (!*why)
		return TD_OK;
	return td_error_set(err, TD_ERR_CONFLICT, *why == 1
	                    ? "the kept head %" PRId64 " is no longer in the audit"
	                      " log: the chain was cut off before it"
	                    : "audit row %" PRId64 " has another hash than the kept"
	                      " one: the chain was rewritten since that head was"
	                      " kept", id);
}
