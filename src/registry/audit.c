/* audit.c: the hash-chained audit log.
 *
 * Row n's hash is SHA-256 over row n-1's hash and row n's own fields
 * (id included, so reordering breaks the chain).  The newest row's id and
 * hash are also kept in meta('audit_head'), so deleting the newest rows
 * is caught too.  Verification names the first row that does not fit. */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/internal.h"
#include "tokendesk/text.h"

static void hash_part(struct td_sha256 *h, const char *s)
{
	static const unsigned char sep = 0x1f, null_mark = 0x00;

	td_sha256_add(h, &sep, 1);
	if (s)
		td_sha256_add(h, s, strlen(s));
	else
		td_sha256_add(h, &null_mark, 1);
}

int td_reg_audit_hash(struct td_registry *reg, const char *prev,
                      const struct audit_fields *f, char out[65],
                      struct td_error *err)
{
	char id[32];

	if (!reg->md_ctx && !(reg->md_ctx = td_sha256_new(err)))
		return err->code;
	if (!td_sha256_begin(reg->md_ctx))
		return td_error_set(err, TD_ERR_INTERNAL, "SHA-256 does not start");
	snprintf(id, sizeof id, "%" PRId64, f->id);
	td_sha256_add(reg->md_ctx, prev, strlen(prev));
	hash_part(reg->md_ctx, id);
	hash_part(reg->md_ctx, f->at);
	hash_part(reg->md_ctx, f->operator_name);
	hash_part(reg->md_ctx, f->action);
	hash_part(reg->md_ctx, f->entity);
	hash_part(reg->md_ctx, f->key);
	hash_part(reg->md_ctx, f->before);
	hash_part(reg->md_ctx, f->after);
	td_sha256_hex(reg->md_ctx, out);
	return TD_OK;
}

static int load_head(struct td_registry *reg, struct td_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (reg->have_head)
		return TD_OK;
	if (sqlite3_prepare_v2(reg->db, "SELECT id, hash FROM audit"
	                       " ORDER BY id DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "reading the audit log");
	reg->head_id = 0;
	reg->prev_hash[0] = '\0';
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *h = (const char *)sqlite3_column_text(st, 1);
		reg->head_id = sqlite3_column_int64(st, 0);
		snprintf(reg->prev_hash, sizeof reg->prev_hash, "%s", h ? h : "");
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return td_reg_db_error(reg, err, "reading the audit log");
	reg->have_head = 1;
	return TD_OK;
}

int td_reg_audit(struct td_registry *reg, const char *action,
                 const char *entity, const char *key,
                 const char *before, const char *after, struct td_error *err)
{
	struct audit_fields f;
	char at[21], hash[65];
	sqlite3_stmt *st;
	int rc;

	if ((rc = td_reg_require_tx(reg, err)) < 0 || (rc = load_head(reg, err)) < 0)
		return rc;
	td_now_iso(at);
	f = (struct audit_fields){ reg->head_id + 1, at, td_reg_operator(reg),
	                           action, entity, key, before, after };
	if ((rc = td_reg_audit_hash(reg, reg->prev_hash, &f, hash, err)) < 0)
		return rc;
	if (!(st = td_reg_stmt(reg, ST_AUDIT_INSERT, err)))
		return TD_ERR_DB;
	sqlite3_bind_int64(st, 1, f.id);
	sqlite3_bind_text(st, 2, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, f.operator_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, entity, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, before, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, after, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, hash, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return td_reg_db_error(reg, err, "writing the audit log");
	reg->head_id = f.id;
	memcpy(reg->prev_hash, hash, sizeof hash);
	reg->head_dirty = 1;
	return TD_OK;
}

int td_reg_audit_flush_head(struct td_registry *reg, struct td_error *err)
{
	char value[96];
	sqlite3_stmt *st;
	int rc;

	snprintf(value, sizeof value, "%" PRId64 ":%s", reg->head_id, reg->prev_hash);
	if (sqlite3_prepare_v2(reg->db, "INSERT OR REPLACE INTO meta (key, value)"
	                       " VALUES ('audit_head', ?)", -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "writing the audit head");
	sqlite3_bind_text(st, 1, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return td_reg_db_error(reg, err, "writing the audit head");
	reg->head_dirty = 0;
	return TD_OK;
}

/* Compare the last row with meta('audit_head'). */
static int check_head(struct td_registry *reg, int64_t last_id,
                      const char *last_hash, int64_t *bad_id,
                      struct td_error *err)
{
	sqlite3_stmt *st;
	char expect[96] = "", got[96];

	if (sqlite3_prepare_v2(reg->db, "SELECT value FROM meta"
	                       " WHERE key = 'audit_head'", -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "reading the audit head");
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(expect, sizeof expect, "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (last_id == 0 && !expect[0])
		return TD_OK;
	snprintf(got, sizeof got, "%" PRId64 ":%s", last_id, last_hash);
	if (strcmp(expect, got) == 0)
		return TD_OK;
	*bad_id = last_id;
	return td_error_set(err, TD_ERR_CONFLICT,
	                    "the audit log ends at row %" PRId64 " but its recorded "
	                    "head is %s: rows after %" PRId64 " were deleted, or the "
	                    "head was edited", last_id, expect[0] ? expect : "missing",
	                    last_id);
}

static int verify_row(struct td_registry *reg, sqlite3_stmt *st, int64_t expect_id,
                      const char *prev, char hash[65], int64_t *bad_id,
                      struct td_error *err)
{
	struct audit_fields f;
	const char *stored = (const char *)sqlite3_column_text(st, 8);
	int rc;

	f.id = sqlite3_column_int64(st, 0);
	f.at = (const char *)sqlite3_column_text(st, 1);
	f.operator_name = (const char *)sqlite3_column_text(st, 2);
	f.action = (const char *)sqlite3_column_text(st, 3);
	f.entity = (const char *)sqlite3_column_text(st, 4);
	f.key = (const char *)sqlite3_column_text(st, 5);
	f.before = (const char *)sqlite3_column_text(st, 6);
	f.after = (const char *)sqlite3_column_text(st, 7);
	if ((rc = td_reg_audit_hash(reg, prev, &f, hash, err)) < 0)
		return rc;
	if (f.id != expect_id || !stored || strcmp(stored, hash) != 0)
		*bad_id = f.id;
	if (f.id != expect_id)
		return td_error_set(err, TD_ERR_CONFLICT,
		                    "audit row %" PRId64 " follows row %" PRId64
		                    ": rows were deleted or renumbered",
		                    f.id, expect_id - 1);
	if (!stored || strcmp(stored, hash) != 0)
		return td_error_set(err, TD_ERR_CONFLICT,
		                    "audit row %" PRId64 " (%s %s %s) does not match its "
		                    "hash: it, or a row before it, was changed by hand",
		                    f.id, f.action ? f.action : "?",
		                    f.entity ? f.entity : "?", f.key ? f.key : "");
	return TD_OK;
}

int td_reg_audit_verify(struct td_registry *reg, int64_t *rows,
                        int64_t *bad_id, struct td_error *err)
{
	sqlite3_stmt *st;
	char prev[65] = "", hash[65];
	int64_t n = 0, field = 0, dummy;
	int rc = TD_OK, step;

	if (!bad_id)
		bad_id = &dummy;
	*bad_id = 0;
	if (sqlite3_prepare_v2(reg->db, "SELECT id, at, operator, action, entity,"
	                       " entity_key, before, after, hash FROM audit ORDER BY id",
	                       -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "reading the audit log");
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		rc = verify_row(reg, st, n + 1, prev, hash, bad_id, err);
		if (rc < 0)
			break;
		memcpy(prev, hash, sizeof hash);
		n++;
	}
	sqlite3_finalize(st);
	if (rows)
		*rows = n;
	if (rc < 0)
		return rc;
	if (step != SQLITE_DONE)
		return td_reg_db_error(reg, err, "reading the audit log");
	if ((rc = check_head(reg, n, prev, bad_id, err)) < 0)
		return rc;
	/* The home chain is sound, so the kit.merge rows anchoring the
	 * field rows are what the merges wrote. */
	rc = td_reg_audit_verify_field(reg, &field, err);
	if (rc == TD_OK)
		rc = td_reg_audit_verify_conflicts(reg, err);
	if (rows)
		*rows = n + field;
	return rc;
}

char *td_reg_row_json(struct td_registry *reg, enum td_stmt_id id,
                      int64_t rowid, struct td_error *err)
{
	sqlite3_stmt *st = td_reg_stmt(reg, id, err);
	char *json = NULL;

	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, rowid);
	if (sqlite3_step(st) == SQLITE_ROW)
		json = td_reg_col_dup(st, 0);
	sqlite3_reset(st);
	return json;
}
