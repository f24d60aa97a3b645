/* audit_field.c: verifying the audit rows that kit merges brought home.
 *
 * A merge copies the kit's audit rows into kit_field_audit as the kit
 * wrote them: their own ids (field_id), times, operators and hashes, in
 * the kit's order, numbered on from the rows of earlier merges.  It also
 * appends one row to the home chain, kit.merge, whose after holds
 *     "field_audit": {"first": F, "last": L, "prev": P, "head": H}
 * F..L being the rows' ids here, P the hash of the kit row just before
 * them and H the hash of the last one.  The home chain protects that
 * anchor; chaining the rows again from P must then end at H.  So an
 * edited, deleted, reordered or added field row is found, and named,
 * without the rows having been hashed a second time at merge. */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "registry/internal.h"

struct anchor {
	int64_t merge_row;       /* the kit.merge row in the home chain */
	const char *kit;
	int64_t first, last;
	const char *prev, *head;
};

/* Check one row against its anchor and the hash before it (prev, which
 * becomes this row's hash).  *last_field is the field id of the row
 * before, 0 at an anchor's first row. */
static int verify_field_row(struct td_registry *reg, sqlite3_stmt *st,
                            const struct anchor *a, int64_t expect_id,
                            int64_t *last_field, char prev[65],
                            struct td_error *err)
{
	struct audit_fields f;
	const char *kit = (const char *)sqlite3_column_text(st, 1);
	const char *stored = (const char *)sqlite3_column_text(st, 10);
	char hash[65];
	int64_t id = sqlite3_column_int64(st, 0);
	int rc;

	if (id != expect_id)
		return td_error_set(err, TD_ERR_CONFLICT, "field audit row %" PRId64
		                    " follows row %" PRId64 ": rows brought home from kit"
		                    " %s were deleted or renumbered", id, expect_id - 1,
		                    a->kit);
	if (!kit || strcmp(kit, a->kit) != 0)
		return td_error_set(err, TD_ERR_CONFLICT, "field audit row %" PRId64
		                    " names another kit than its merge (audit row %"
		                    PRId64 ", kit %s)", id, a->merge_row, a->kit);
	f = (struct audit_fields){ sqlite3_column_int64(st, 2),
		(const char *)sqlite3_column_text(st, 3),
		(const char *)sqlite3_column_text(st, 4),
		(const char *)sqlite3_column_text(st, 5),
		(const char *)sqlite3_column_text(st, 6),
		(const char *)sqlite3_column_text(st, 7),
		(const char *)sqlite3_column_text(st, 8),
		(const char *)sqlite3_column_text(st, 9) };
	if ((rc = td_reg_audit_hash(reg, prev, &f, hash, err)) < 0)
		return rc;
	if ((*last_field && f.id != *last_field + 1) || !stored ||
	    strcmp(stored, hash) != 0)
		return td_error_set(err, TD_ERR_CONFLICT, "field audit row %" PRId64
		                    " (kit %s, its row %" PRId64 ": %s %s %s) does not"
		                    " match its hash: it, or a row before it, was changed"
		                    " by hand", id, a->kit, f.id, f.action ? f.action : "?",
		                    f.entity ? f.entity : "?", f.key ? f.key : "");
	*last_field = f.id;
	memcpy(prev, hash, 65);
	return TD_OK;
}

/* The rows of one anchor, read on from st's current position. */
static int verify_anchor(struct td_registry *reg, sqlite3_stmt *st,
                         const struct anchor *a, struct td_error *err)
{
	char prev[65];
	int64_t last_field = 0;
	int rc;

	snprintf(prev, sizeof prev, "%s", a->prev ? a->prev : "");
	for (int64_t id = a->first; id <= a->last; id++) {
		if ((rc = sqlite3_step(st)) == SQLITE_DONE)
			return td_error_set(err, TD_ERR_CONFLICT, "the field audit rows end"
			                    " before row %" PRId64 ", which the merge of kit"
			                    " %s (audit row %" PRId64 ") brought: rows were"
			                    " deleted", id, a->kit, a->merge_row);
		if (rc != SQLITE_ROW)
			return td_reg_db_error(reg, err, "reading the field audit rows");
		if ((rc = verify_field_row(reg, st, a, id, &last_field, prev, err)) < 0)
			return rc;
	}
	if (!a->head || strcmp(prev, a->head) != 0)
		return td_error_set(err, TD_ERR_CONFLICT, "the field audit rows up to %"
		                    PRId64 " do not end where the merge of kit %s (audit"
		                    " row %" PRId64 ") left them: rows were changed by"
		                    " hand", a->last, a->kit, a->merge_row);
	return TD_OK;
}

static int prepare(struct td_registry *reg, sqlite3_stmt **anchors,
                   sqlite3_stmt **rows, struct td_error *err)
{
	*anchors = *rows = NULL;
	if (sqlite3_prepare_v2(reg->db, "SELECT id, entity_key,"
	                       " json_extract(after, '$.field_audit.first'),"
	                       " json_extract(after, '$.field_audit.last'),"
	                       " json_extract(after, '$.field_audit.prev'),"
	                       " json_extract(after, '$.field_audit.head')"
	                       " FROM audit WHERE action = 'kit.merge'"
	                       " AND json_extract(after, '$.field_audit') IS NOT NULL"
	                       " ORDER BY id", -1, anchors, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(reg->db, "SELECT id, kit_uuid, field_id, at, operator,"
	                       " action, entity, entity_key, before, after, hash"
	                       " FROM kit_field_audit ORDER BY id", -1, rows, NULL)
	    != SQLITE_OK)
		return td_reg_db_error(reg, err, "reading the field audit rows");
	return TD_OK;
}

int td_reg_audit_verify_field(struct td_registry *reg, int64_t *rows,
                              struct td_error *err)
{
	sqlite3_stmt *anchors, *st;
	int64_t n = 0, next = 1;
	int rc = prepare(reg, &anchors, &st, err), step = SQLITE_DONE;

	while (rc == TD_OK && (step = sqlite3_step(anchors)) == SQLITE_ROW) {
		struct anchor a = { sqlite3_column_int64(anchors, 0),
			(const char *)sqlite3_column_text(anchors, 1),
			sqlite3_column_int64(anchors, 2), sqlite3_column_int64(anchors, 3),
			(const char *)sqlite3_column_text(anchors, 4),
			(const char *)sqlite3_column_text(anchors, 5) };
		if (!a.kit || a.first != next || a.last < a.first)
			rc = td_error_set(err, TD_ERR_CONFLICT, "the merge of kit %s (audit"
			                  " row %" PRId64 ") does not continue the field"
			                  " audit rows at %" PRId64, a.kit ? a.kit : "?",
			                  a.merge_row, next);
		else if ((rc = verify_anchor(reg, st, &a, err)) == TD_OK) {
			n += a.last - a.first + 1;
			next = a.last + 1;
		}
	}
	if (rc == TD_OK && step != SQLITE_DONE)
		rc = td_reg_db_error(reg, err, "reading the audit log");
	if (rc == TD_OK && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = td_error_set(err, TD_ERR_CONFLICT, "field audit row %" PRId64
		                  " comes from no kit merge (the merges brought rows up"
		                  " to %" PRId64 "): it was added by hand",
		                  (int64_t)sqlite3_column_int64(st, 0), next - 1);
	else if (rc == TD_OK && step != SQLITE_DONE)
		rc = td_reg_db_error(reg, err, "reading the field audit rows");
	sqlite3_finalize(anchors);
	sqlite3_finalize(st);
	*rows = n;
	return rc;
}
