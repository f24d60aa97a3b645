/* tag.c: tags (what must happen to a certificate, token or agency's
 * dossiers, and how far it got), CRL confirmations. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "registry/internal.h"
#include "tokendesk/text.h"

static const char *col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static int same(const char *a, const char *b)
{
	if (!a || !*a)
		return !b || !*b;
	return b && strcmp(a, b) == 0;
}

/* JSON snapshot of a tag row (malloc'ed), or NULL. */
static char *tag_json(struct td_registry *reg, int64_t id)
{
	struct td_error err;

	return td_reg_row_json(reg, ST_TAG_JSON, id, &err);
}

static int audit_tag(struct td_registry *reg, const char *action, int64_t id,
                     const char *key, char *before, struct td_error *err)
{
	char *after = id ? tag_json(reg, id) : NULL;
	int rc = td_reg_audit(reg, action, "tag", key, before, after, err);

	free(before);
	free(after);
	return rc;
}

/* The canonical key of a target: serials in their canonical spelling. */
static int canon_target(const char *kind, const char *target, char *out,
                        size_t size, struct td_error *err)
{
	if (strcmp(kind, "cert") == 0) {
		if (td_serial_hex(target, out, size) < 0)
			return td_error_set(err, TD_ERR_USAGE,
			                    "%s is not a certificate serial", target);
	} else if (strcmp(kind, "token") == 0) {
		if (td_token_serial(target, out, size) < 0)
			return td_error_set(err, TD_ERR_USAGE, "%s is not a token serial",
			                    target);
	} else if (snprintf(out, size, "%s", target) >= (int)size)
		return td_error_set(err, TD_ERR_USAGE, "agency code too long");
	return TD_OK;
}

static int step_finalize(struct td_registry *reg, sqlite3_stmt *st,
                         const char *what, struct td_error *err)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? TD_OK : td_reg_db_error(reg, err, what);
}

/* In a field kit, was a tag of key that the kit was made with removed
 * since?  A kit's merge backs a record it adds by its field rows, which
 * for such a key begin with the removal: the whole kit was refused as
 * edited by hand.  So such a tag waits for home.  (A tag the field
 * itself added and removed begins with its tag.add, and merges.) */
static int removed_in_field(struct td_registry *reg, const char *key)
{
	sqlite3_stmt *st;
	int removed = 0;

	if (!td_reg_is_field_kit(reg) ||
	    sqlite3_prepare_v2(reg->db, "WITH f AS (SELECT id, action FROM audit"
	                       " WHERE entity = 'tag' AND entity_key = ?1 AND id >"
	                       " coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE"
	                       " key = 'kit_audit_base'), 0))"
	                       " SELECT 1 FROM f WHERE action = 'tag.delete' AND"
	                       " (SELECT action FROM f ORDER BY id LIMIT 1) <> 'tag.add'",
	                       -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	removed = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return removed;
}

/* Is the stored tag (row from SELECT in tag_put) the same as t? */
static int tag_same(sqlite3_stmt *st, const struct td_tag *t)
{
	return same(col(st, 1), t->kind) && same(col(st, 2), t->request) &&
	       same(col(st, 3), t->origin) && same(col(st, 4), t->rule) &&
	       same(col(st, 5), t->reason) && same(col(st, 6), t->detail);
}

int td_reg_tag_put(struct td_registry *reg, const struct td_tag *t,
                   int *changed, struct td_error *err)
{
	char key[256], now[21];
	const char *problem;
	sqlite3_stmt *st;
	int64_t id = 0;
	int rc, same_tag = 0;

	*changed = 0;
	if ((rc = td_reg_require_tx(reg, err)) < 0 ||
	    (rc = canon_target(t->target_kind, t->target, key, sizeof key, err)) < 0)
		return rc;
	/* The reason goes to DOST in the lists, and is printed as it is. */
	if (t->reason && (problem = td_typed_text_problem(t->reason)))
		return td_error_set(err, TD_ERR_USAGE, "reason: %s", problem);
	if (!(st = td_reg_stmt(reg, ST_TAG_BY_TARGET, err)))
		return err->code;
	sqlite3_bind_text(st, 1, t->target_kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		same_tag = tag_same(st, t);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return td_reg_db_error(reg, err, "reading a tag");
	if (same_tag)
		return TD_OK;
	if (!id && removed_in_field(reg, key))
		return td_error_set(err, TD_ERR_CONFLICT, "the tag of %s was removed in"
		                    " this field kit: merge the kit, then tag it again at"
		                    " home", key);
	td_now_iso(now);
	char *before = id ? tag_json(reg, id) : NULL;
	if (!(st = td_reg_stmt(reg, id ? ST_TAG_UPDATE : ST_TAG_INSERT, err))) {
		free(before);
		return err->code;
	}
	if (!id) {
		sqlite3_bind_text(st, 1, t->target_kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	}
	td_reg_bind_text(st, 3, t->kind);
	td_reg_bind_text(st, 4, t->request);
	td_reg_bind_text(st, 5, t->origin ? t->origin : "manual");
	td_reg_bind_text(st, 6, t->rule);
	td_reg_bind_text(st, 7, t->reason);
	td_reg_bind_text(st, 8, t->detail);
	sqlite3_bind_text(st, 9, now, -1, SQLITE_STATIC);
	if (id)
		sqlite3_bind_int64(st, 10, id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		free(before);
		return td_reg_db_error(reg, err, "writing a tag");
	}
	if (!id)
		id = sqlite3_last_insert_rowid(reg->db);
	*changed = 1;
	return audit_tag(reg, before ? "tag.update" : "tag.add", id, key, before, err);
}

int td_reg_tag_delete(struct td_registry *reg, const char *target_kind,
                      const char *target, struct td_error *err)
{
	char key[256];
	sqlite3_stmt *st;
	int64_t id = 0;
	int rc;

	if ((rc = td_reg_require_tx(reg, err)) < 0 ||
	    (rc = canon_target(target_kind, target, key, sizeof key, err)) < 0)
		return rc;
	if (sqlite3_prepare_v2(reg->db, "SELECT id FROM tag WHERE target_kind = ?"
	                       " AND target = ?", -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "reading a tag");
	sqlite3_bind_text(st, 1, target_kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (!id)
		return td_error_set(err, TD_ERR_NOTFOUND, "%s %s carries no tag",
		                    target_kind, key);
	char *before = tag_json(reg, id);
	if (sqlite3_prepare_v2(reg->db, "DELETE FROM tag WHERE id = ?", -1, &st,
	                       NULL) != SQLITE_OK) {
		free(before);
		return td_reg_db_error(reg, err, "deleting a tag");
	}
	sqlite3_bind_int64(st, 1, id);
	if ((rc = step_finalize(reg, st, "deleting a tag", err)) < 0) {
		free(before);
		return rc;
	}
	return audit_tag(reg, "tag.delete", 0, key, before, err);
}

/* The managing agency of a tag's target: the certificate holder's agency,
 * the agency of the first certificate on a token, or the agency itself. */
#define TAG_SELECT \
	"SELECT t.id, t.target_kind, t.target, t.kind, t.request, t.state," \
	" coalesce(t.batch, 0), t.origin, t.rule, t.reason, t.detail, t.created," \
	" t.updated, coalesce(ca.code, ta.code, ag.code)," \
	" coalesce(ca.name, ta.name, ag.name), coalesce(ch.name, th.name)," \
	" c.subject_dn, ct.serial," \
	" coalesce(ch.ext_id, th.ext_id), coalesce(ch.position, th.position)," \
	" coalesce(ch.email, th.email), coalesce(c.serial, tc.serial)," \
	" coalesce(c.not_before, tc.not_before), coalesce(c.not_after, tc.not_after)," \
	" coalesce(ct.model, tk.model), coalesce(ct.serial, tk.serial)" \
	" FROM " TD_TAG_ROWS " t" \
	" LEFT JOIN certificate c ON t.target_kind = 'cert' AND c.id =" \
	"   (SELECT id FROM certificate WHERE serial = t.target ORDER BY id LIMIT 1)" \
	" LEFT JOIN holder ch ON ch.id = c.holder_id" \
	" LEFT JOIN agency ca ON ca.id = ch.agency_id" \
	" LEFT JOIN token ct ON ct.id = c.token_id" \
	" LEFT JOIN token tk ON t.target_kind = 'token' AND tk.serial = t.target" \
	" LEFT JOIN certificate tc ON tc.id =" \
	"   (SELECT id FROM certificate WHERE token_id = tk.id ORDER BY id LIMIT 1)" \
	" LEFT JOIN holder th ON th.id = tc.holder_id" \
	" LEFT JOIN agency ta ON ta.id = th.agency_id" \
	" LEFT JOIN agency ag ON t.target_kind = 'agency' AND ag.code = t.target"

static int each_tag_stmt(struct td_registry *reg, sqlite3_stmt *st, td_tag_fn fn,
                         void *ctx, int *seen, struct td_error *err)
{
	int rc, stop = 0;

	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct td_tag t = {
			sqlite3_column_int64(st, 0), col(st, 1), col(st, 2), col(st, 3),
			col(st, 4), col(st, 5), sqlite3_column_int64(st, 6), col(st, 7),
			col(st, 8), col(st, 9), col(st, 10), col(st, 11), col(st, 12),
			col(st, 13), col(st, 14), col(st, 15), col(st, 16), col(st, 17),
			col(st, 18), col(st, 19), col(st, 20), col(st, 21), col(st, 22),
			col(st, 23), col(st, 24), col(st, 25)
		};
		if (seen)
			(*seen)++;
		stop = fn(&t, ctx);
	}
	sqlite3_finalize(st);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? TD_OK : td_reg_db_error(reg, err, "reading tags");
}

int td_reg_each_tag(struct td_registry *reg, const char *state, int64_t batch,
                    td_tag_fn fn, void *ctx, struct td_error *err)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(reg->db, TAG_SELECT
	                       " WHERE (?1 IS NULL OR t.state = ?1)"
	                       " AND (?2 = 0 OR t.batch = ?2)"
	                       " ORDER BY 14, t.kind, t.target", -1, &st, NULL)
	    != SQLITE_OK)
		return td_reg_db_error(reg, err, "reading tags");
	td_reg_bind_text(st, 1, state);
	sqlite3_bind_int64(st, 2, batch);
	/* The pass reads each plan tag's note by its id, in no order: a
	 * 16 MiB cache holds a national plan's notes (80,591 in 14.8 MiB)
	 * where SQLite's 2 MB read a page from the file per tag (lists of
	 * 100,000 tags as XLSX: 3.73 -> 3.56 s, peak 40 -> 67 MB). */
	long long was = td_reg_cache_size(reg);
	if (was < 0 && was > -16384)
		td_reg_set_cache_size(reg, -16384);
	int rc = each_tag_stmt(reg, st, fn, ctx, NULL, err);
	td_reg_set_cache_size(reg, was);
	return rc;
}

int td_reg_tag_batch_exists(struct td_registry *reg, int64_t batch,
                            struct td_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(reg->db, "SELECT 1 FROM tag WHERE batch = ? LIMIT 1",
	                       -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "reading tags");
	sqlite3_bind_int64(st, 1, batch);
	rc = sqlite3_step(st);
	rc = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0
	     : td_reg_db_error(reg, err, "reading tags");
	sqlite3_finalize(st);
	return rc;
}

int td_reg_tag_find(struct td_registry *reg, const char *target_kind,
                    const char *target, td_tag_fn fn, void *ctx,
                    struct td_error *err)
{
	char key[256];
	sqlite3_stmt *st;
	int rc, seen = 0;

	if ((rc = canon_target(target_kind, target, key, sizeof key, err)) < 0)
		return rc == TD_ERR_USAGE ? td_error_set(err, TD_ERR_NOTFOUND,
		                                         "%s", err ? err->message : "")
		                          : rc;
	if (sqlite3_prepare_v2(reg->db, TAG_SELECT " WHERE t.target_kind = ?"
	                       " AND t.target = ?", -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "reading a tag");
	sqlite3_bind_text(st, 1, target_kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	if ((rc = each_tag_stmt(reg, st, fn, ctx, &seen, err)) != TD_OK)
		return rc;
	return seen ? TD_OK : td_error_set(err, TD_ERR_NOTFOUND, "%s %s carries no tag",
	                                   target_kind, key);
}

int td_reg_cert_tag(struct td_registry *reg, const char *cert_serial,
                    char **kind_out, char **state_out, struct td_error *err)
{
	char key[256];
	sqlite3_stmt *st;
	int rc;

	if (kind_out)
		*kind_out = NULL;
	if (state_out)
		*state_out = NULL;
	if (td_serial_hex(cert_serial, key, sizeof key) < 0)
		return td_error_set(err, TD_ERR_NOTFOUND, "%s is not a certificate serial",
		                    cert_serial);
	if (sqlite3_prepare_v2(reg->db, "SELECT kind, state FROM " TD_TAG_ROWS " t WHERE"
	                       " target_kind = 'cert' AND target = ?", -1, &st, NULL)
	    != SQLITE_OK)
		return td_reg_db_error(reg, err, "reading a tag");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (kind_out)
			*kind_out = td_reg_col_dup(st, 0);
		if (state_out)
			*state_out = td_reg_col_dup(st, 1);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return ((kind_out && !*kind_out) || (state_out && !*state_out))
		       ? td_error_set(err, TD_ERR_NOMEM, "out of memory") : TD_OK;
	if (rc == SQLITE_DONE)
		return td_error_set(err, TD_ERR_NOTFOUND, "certificate %s carries no tag",
		                    key);
	return td_reg_db_error(reg, err, "reading a tag");
}

int td_reg_tag_send(struct td_registry *reg, int64_t *batch, long *count,
                    struct td_error *err)
{
	sqlite3_stmt *st;
	char now[21];
	int rc;

	*batch = 0;
	*count = 0;
	if ((rc = td_reg_require_tx(reg, err)) < 0)
		return rc;
	/* DOST's batches are numbered at home: a kit's own batch 1 would be
	 * another than home's, and its merge refused the kit as edited by
	 * hand (tag.send rows carry no before-image to hold it to). */
	if (td_reg_is_field_kit(reg))
		return td_error_set(err, TD_ERR_USAGE, "tags are sent to DOST from the"
		                    " registry at home, not from a field kit: merge the"
		                    " kit, then send there");
	if (sqlite3_prepare_v2(reg->db, "SELECT coalesce(max(batch), 0) + 1,"
	                       " (SELECT count(*) FROM tag WHERE state = 'tagged')"
	                       " FROM tag", -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "numbering a batch");
	if (sqlite3_step(st) == SQLITE_ROW) {
		*batch = sqlite3_column_int64(st, 0);
		*count = (long)sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (*count == 0) {
		*batch = 0;
		return TD_OK;
	}
	td_now_iso(now);
	if (sqlite3_prepare_v2(reg->db, "UPDATE tag SET state = 'sent_to_dost',"
	                       " batch = ?, updated = ? WHERE state = 'tagged'"
	                       " RETURNING id, target", -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "sending a batch");
	sqlite3_bind_int64(st, 1, *batch);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
	/* RETURNING rows are all produced before the first is handed out,
	 * so auditing between steps is safe. */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char after[128];
		snprintf(after, sizeof after, "{\"state\":\"sent_to_dost\",\"batch\":%lld,"
		         "\"updated\":\"%s\"}", (long long)*batch, now);
		if ((rc = td_reg_audit(reg, "tag.send", "tag", col(st, 1), NULL, after,
		                       err)) < 0) {
			sqlite3_finalize(st);
			return rc;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? TD_OK : td_reg_db_error(reg, err, "sending a batch");
}

int td_reg_tag_confirm(struct td_registry *reg, const char *target_kind,
                       const char *target, struct td_error *err)
{
	char key[256], now[21], state[32] = "";
	sqlite3_stmt *st;
	int64_t id = 0;
	int rc;

	if ((rc = td_reg_require_tx(reg, err)) < 0 ||
	    (rc = canon_target(target_kind, target, key, sizeof key, err)) < 0)
		return rc;
	if (sqlite3_prepare_v2(reg->db, "SELECT id, state FROM tag WHERE"
	                       " target_kind = ? AND target = ?", -1, &st, NULL)
	    != SQLITE_OK)
		return td_reg_db_error(reg, err, "reading a tag");
	sqlite3_bind_text(st, 1, target_kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		snprintf(state, sizeof state, "%s", col(st, 1));
	}
	sqlite3_finalize(st);
	if (!id)
		return td_error_set(err, TD_ERR_NOTFOUND, "%s %s carries no tag",
		                    target_kind, key);
	if (strcmp(state, "sent_to_dost") != 0)
		/* the state in words (vi.po has the codes), as the workflow says it */
		return td_error_set(err, TD_ERR_CONFLICT, "%s is %s, not sent to DOST: "
		                    "nothing to confirm", key, td_error_translate(state));
	char *before = tag_json(reg, id);
	td_now_iso(now);
	if (sqlite3_prepare_v2(reg->db, "UPDATE tag SET state = 'confirmed',"
	                       " updated = ? WHERE id = ?", -1, &st, NULL) != SQLITE_OK) {
		free(before);
		return td_reg_db_error(reg, err, "confirming a tag");
	}
	sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	if ((rc = step_finalize(reg, st, "confirming a tag", err)) < 0) {
		free(before);
		return rc;
	}
	return audit_tag(reg, "tag.confirm", id, key, before, err);
}

int td_reg_cert_mark_revoked(struct td_registry *reg, const char *serial,
                             const char *issuer_dn, const char *date,
                             int *found, struct td_error *err)
{
	char key[256], after[160];
	sqlite3_stmt *st;
	int64_t id = 0;
	int rc, active = 0;

	*found = 0;
	if ((rc = td_reg_require_tx(reg, err)) < 0)
		return rc;
	if (td_serial_hex(serial, key, sizeof key) < 0)
		return TD_OK;
	/* Issuers compare with or without a space after the commas. */
	if (sqlite3_prepare_v2(reg->db, "SELECT id, status FROM certificate"
	                       " WHERE serial = ? AND issuer_id IN (SELECT id FROM"
	                       " issuer WHERE replace(dn, ', ', ',')"
	                       " = replace(?, ', ', ','))", -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "reading a certificate");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, issuer_dn, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		active = strcmp(col(st, 1), "active") == 0;
	}
	sqlite3_finalize(st);
	if (!id)
		return TD_OK;
	*found = 1;
	if (active) {
		if (sqlite3_prepare_v2(reg->db, "UPDATE certificate SET status ="
		                       " 'revoked', revoked_at = ? WHERE id = ?", -1, &st,
		                       NULL) != SQLITE_OK)
			return td_reg_db_error(reg, err, "revoking a certificate");
		sqlite3_bind_text(st, 1, date, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, id);
		if ((rc = step_finalize(reg, st, "revoking a certificate", err)) < 0)
			return rc;
		snprintf(after, sizeof after, "{\"status\":\"revoked\",\"revoked_at\":\"%s\"}",
		         date);
		if ((rc = td_reg_audit(reg, "cert.revoked", "cert", key,
		                       "{\"status\":\"active\"}", after, err)) < 0)
			return rc;
	}
	if (sqlite3_prepare_v2(reg->db, "UPDATE tag SET state = 'confirmed',"
	                       " updated = ? WHERE id IN (SELECT id FROM " TD_TAG_ROWS
	                       " t WHERE target_kind = 'cert' AND target = ?"
	                       " AND kind = 'revoke' AND state <> 'confirmed')"
	                       " RETURNING id", -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "confirming a tag");
	char now[21];
	td_now_iso(now);
	sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW) {
		snprintf(after, sizeof after, "{\"state\":\"confirmed\",\"updated\":\"%s\"}",
		         now);
		return td_reg_audit(reg, "tag.confirm", "tag", key, NULL, after, err);
	}
	return rc == SQLITE_DONE ? TD_OK : td_reg_db_error(reg, err, "confirming a tag");
}

int td_reg_crl_record(struct td_registry *reg, const char *issuer,
                      const char *crl_number, const char *this_update,
                      const char *next_update, long entries,
                      const char *sha256_hex, const char *ca_sha256,
                      struct td_error *err)
{
	sqlite3_stmt *st;
	char now[21], key[24];
	char *after;
	int rc;

	if ((rc = td_reg_require_tx(reg, err)) < 0)
		return rc;
	td_now_iso(now);
	/* Audited as entity crl_import keyed by the row id, the whole row as
	 * after-image (before release 7: entity "crl", key the CRL number). */
	if (sqlite3_prepare_v2(reg->db, "INSERT INTO crl_import (issuer, crl_number,"
	                       " this_update, next_update, entries, sha256,"
	                       " imported_at, ca_sha256) VALUES (?,?,?,?,?,?,?,?)"
	                       " RETURNING id, json_object('id', id, 'issuer', issuer,"
	                       " 'crl_number', crl_number, 'this_update', this_update,"
	                       " 'next_update', next_update, 'entries', entries,"
	                       " 'sha256', sha256, 'imported_at', imported_at,"
	                       " 'ca_sha256', ca_sha256)", -1, &st, NULL)
	    != SQLITE_OK)
		return td_reg_db_error(reg, err, "recording a CRL");
	td_reg_bind_text(st, 1, issuer);
	td_reg_bind_text(st, 2, crl_number);
	td_reg_bind_text(st, 3, this_update);
	td_reg_bind_text(st, 4, next_update);
	sqlite3_bind_int64(st, 5, entries);
	td_reg_bind_text(st, 6, sha256_hex);
	sqlite3_bind_text(st, 7, now, -1, SQLITE_STATIC);
	td_reg_bind_text(st, 8, ca_sha256);
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = td_reg_db_error(reg, err, "recording a CRL");
		sqlite3_finalize(st);
		return rc;
	}
	snprintf(key, sizeof key, "%lld", (long long)sqlite3_column_int64(st, 0));
	after = td_reg_col_dup(st, 1);
	sqlite3_finalize(st);
	if (!after)
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	rc = td_reg_audit(reg, "crl.import", "crl_import", key, NULL, after, err);
	free(after);
	return rc;
}

int td_reg_crl_newest(struct td_registry *reg, const char *issuer, char out[11],
                      struct td_error *err)
{
	sqlite3_stmt *st;
	int rc;

	out[0] = '\0';
	if (sqlite3_prepare_v2(reg->db, "SELECT max(this_update) FROM crl_import"
	                       " WHERE issuer = ?", -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "reading CRL imports");
	sqlite3_bind_text(st, 1, issuer, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW && col(st, 0))
		snprintf(out, 11, "%s", col(st, 0));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? TD_OK : td_reg_db_error(reg, err, "reading CRL imports");
}

/* ---- tags added as one load (plan apply) ------------------------------- */

/* Does an earlier load carry this created stamp?  Then its rows and
 * these could not be told apart once some are deleted. */
static int stamp_taken(struct td_registry *reg, const char *at)
{
	sqlite3_stmt *st;
	int taken = 0;

	if (sqlite3_prepare_v2(reg->db, "SELECT 1 FROM audit WHERE entity = 'tag'"
	                       " AND entity_key IS NULL AND action = 'tag.add.bulk'"
	                       " AND json_extract(after, '$.created') = ?", -1, &st,
	                       NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, at, -1, SQLITE_STATIC);
		taken = sqlite3_step(st) == SQLITE_ROW;
	}
	sqlite3_finalize(st);
	return taken;
}

int td_reg_tag_bulk_begin(struct td_registry *reg, const char *source,
                          struct td_error *err)
{
	struct timespec pause = { 0, 100 * 1000 * 1000 };
	int rc;

	reg->tag_bulk = 0;
	/* in a field kit the merge backs each added tag with the kit's own
	 * tag.add row (kit_backing.c), so nothing is folded there */
	if ((rc = td_reg_require_tx(reg, err)) < 0 || td_reg_is_field_kit(reg))
		return rc;
	memset(&reg->bulk_tag, 0, sizeof reg->bulk_tag);
	/* Two loads in one second (a test, a quick re-apply) wait for the
	 * next one; a clock set back far is given up on after 2 s. */
	td_now_iso(reg->tag_bulk_at);
	for (int i = 0; i < 20 && stamp_taken(reg, reg->tag_bulk_at); i++) {
		nanosleep(&pause, NULL);
		td_now_iso(reg->tag_bulk_at);
	}
	if (!(reg->tag_arena = td_arena_new()) ||
	    !(reg->tag_reasons_ok = td_strmap_new(1 << 12)))
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	snprintf(reg->bulk_label, sizeof reg->bulk_label, "%s", source ? source : "");
	reg->tag_bulk = 1;
	return TD_OK;
}

/* The schema's CHECK lists for the columns a load writes (schema.c,
 * CREATE TABLE tag): the load is inserted with CHECKs off (bulk.c), so
 * each value is held against them here.  A list shorter than the
 * schema's only refuses more. */
static const char *const tag_target_kinds[] = { "cert", "token", "agency", NULL };
static const char *const tag_kinds[] = { "change_info", "revoke", "keep", "collect",
	"handover_dossiers", "renew", "recover_token", "new_issue", NULL };
static const char *const tag_requests[] = { "new_issue", "renewal", "info_change",
	"revocation", "token_recovery", NULL };
static const char *const tag_origins[] = { "plan", "manual", NULL };

static int one_of(const char *v, const char *const *list)
{
	for (; v && *list; list++)
		if (strcmp(v, *list) == 0)
			return 1;
	return 0;
}

static int tag_values_ok(const struct td_tag *t, struct td_error *err)
{
	if (!one_of(t->target_kind, tag_target_kinds) || !one_of(t->kind, tag_kinds) ||
	    (t->request && *t->request && !one_of(t->request, tag_requests)) ||
	    (t->origin && !one_of(t->origin, tag_origins)))
		return td_error_set(err, TD_ERR_USAGE, "%s %s: not a tag the registry"
		                    " holds (%s, %s)", t->target_kind ? t->target_kind : "?",
		                    t->target ? t->target : "?", t->kind ? t->kind : "?",
		                    t->request ? t->request : "-");
	return TD_OK;
}

int td_reg_tag_bulk_add(struct td_registry *reg, const struct td_tag *t,
                        struct td_error *err)
{
	struct tag_load_row *r;
	const char *problem;
	char key[256], *copy;
	int rc, changed;

	if (!reg->tag_bulk)
		return td_reg_tag_put(reg, t, &changed, err);
	if ((rc = tag_values_ok(t, err)) < 0 ||
	    (rc = canon_target(t->target_kind, t->target, key, sizeof key, err)) < 0)
		return rc;
	if (t->reason && !td_strmap_get(reg->tag_reasons_ok, t->reason)) {
		if ((problem = td_typed_text_problem(t->reason)))
			return td_error_set(err, TD_ERR_USAGE, "reason: %s", problem);
		if (td_strmap_put(reg->tag_reasons_ok, t->reason, reg) < 0)
			return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	}
	if (reg->n_tag_rows == reg->cap_tag_rows) {
		size_t cap = reg->cap_tag_rows ? reg->cap_tag_rows * 2 : 4096;
		struct tag_load_row *v = realloc(reg->tag_rows, cap * sizeof *v);
		if (!v)
			return td_error_set(err, TD_ERR_NOMEM, "out of memory");
		reg->tag_rows = v;
		reg->cap_tag_rows = cap;
	}
	if (!(copy = td_arena_strdup(reg->tag_arena, key)))
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	r = &reg->tag_rows[reg->n_tag_rows++];
	*r = (struct tag_load_row){ t->target_kind, copy, t->kind, t->request,
	                            t->origin ? t->origin : "manual", t->rule,
	                            t->reason, t->detail, 0 };
	return TD_OK;
}
