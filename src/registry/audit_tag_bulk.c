/* audit_tag_bulk.c: audit verify's check of the tags plan apply adds.
 *
 * A plan over a national registry adds hundreds of thousands of tags;
 * audited row by row they grew the file by 40%.  plan apply folds them
 * into one tag.add.bulk row (bulk.c): the count, the id range, the one
 * created stamp of the load and a SHA-256 over every added row's
 * TD_BULK_TAG_CONTENT, in key order.  Unlike certificates, tags are
 * deleted in the ordinary course (a corrected plan, `tag remove`), and a
 * deleted row leaves only its tag.delete before-image, without its id;
 * so the load's rows are told by key:
 *   - live: a tag with an id in the load's range and its created stamp
 *     (every load has its own: td_reg_tag_bulk_begin), not born again
 *     since (no tag.add of its key after the load);
 *   - gone: a tag.delete after the load whose before-image carries the
 *     load's stamp, the first tag.add/tag.delete of its key since, and no
 *     tag.add of that key with the same stamp (a tag added on its own in
 *     the same second, before the load).
 * Each row's content is taken as it stood at the load: from the
 * before-image of the first audit row of its key since that has one
 * (tag.update, tag.confirm, tag.delete; tag.send and a CRL's confirm
 * write none, and change none of these fields), else from the row.
 * state, batch and updated are not in the digest (tag.send changes them
 * without a before-image): audit_state.c checks them against the birth
 * image {state tagged, batch NULL, updated = created} and the rows since.
 * A row edited by hand shows as a digest that differs (the load is named:
 * the digest cannot tell which row); one deleted by hand as a count that
 * differs; one added by hand, or whose created stamp was edited, as a
 * tag with no audit row, by its key. */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "registry/internal.h"

static const char *const member_sql[] = {
	"CREATE TEMP TABLE IF NOT EXISTS td_tbulk (aid INTEGER, added INTEGER,"
	" lo INTEGER, hi INTEGER, at TEXT, first TEXT, last TEXT, digest TEXT)",
	"DELETE FROM temp.td_tbulk",
	"INSERT INTO temp.td_tbulk SELECT id, json_extract(after, '$.added'),"
	" json_extract(after, '$.first_id'), json_extract(after, '$.last_id'),"
	" json_extract(after, '$.created'), json_extract(after, '$.first'),"
	" json_extract(after, '$.last'), json_extract(after, '$.content_sha256')"
	" FROM main.audit WHERE entity = 'tag' AND entity_key IS NULL"
	" AND action = 'tag.add.bulk'",
	"CREATE TEMP TABLE IF NOT EXISTS td_tag_member (aid INTEGER, id INTEGER,"
	" target_kind TEXT, target TEXT)",
	"DELETE FROM temp.td_tag_member",
	"INSERT INTO temp.td_tag_member SELECT b.aid, t.id, t.target_kind, t.target"
	" FROM temp.td_tbulk b JOIN " TD_TAG_ROWS " t ON t.id BETWEEN b.lo AND b.hi"
	" AND t.created = b.at WHERE NOT EXISTS (SELECT 1 FROM main.audit a"
	" WHERE a.entity = 'tag' AND a.entity_key = t.target AND a.action = 'tag.add'"
	" AND a.id > b.aid)",
	"INSERT INTO temp.td_tag_member SELECT b.aid, NULL,"
	" json_extract(d.before, '$.target_kind'), d.entity_key"
	" FROM temp.td_tbulk b JOIN main.audit d ON d.entity = 'tag'"
	" AND d.action = 'tag.delete' AND d.id > b.aid"
	" AND json_extract(d.before, '$.created') = b.at"
	" WHERE NOT EXISTS (SELECT 1 FROM main.audit a WHERE a.entity = 'tag'"
	"  AND a.entity_key = d.entity_key AND a.action IN ('tag.add', 'tag.delete')"
	"  AND a.id > b.aid AND a.id < d.id)"
	" AND NOT EXISTS (SELECT 1 FROM main.audit a WHERE a.entity = 'tag'"
	"  AND a.entity_key = d.entity_key AND a.action = 'tag.add' AND a.id < d.id"
	"  AND json_extract(a.after, '$.created') = b.at)",
	"CREATE INDEX IF NOT EXISTS temp.td_tag_member_id ON td_tag_member (id)",
};

int td_reg_tag_bulk_members(struct td_registry *reg, struct td_error *err)
{
	for (size_t i = 0; i < sizeof member_sql / sizeof member_sql[0]; i++) {
		int rc = td_reg_exec(reg, member_sql[i], err);
		if (rc < 0)
			return rc;
	}
	return TD_OK;
}

/* Content names in the images, in TD_BULK_TAG_CONTENT's order. */
static const char *const content_names[TD_BULK_TAG_N] = {
	"target_kind", "target", "kind", "request", "origin", "rule", "reason",
	"detail", "created"
};

/* Each load's rows, its own first; column 2 the row's first before-image
 * since the load (or NULL), then the row's content (NULL when gone). */
#define MEMBER_CONTENT \
	"SELECT m.aid, m.target_kind, (SELECT a.before FROM main.audit a" \
	"  WHERE a.entity = 'tag' AND a.entity_key = m.target AND a.id > m.aid" \
	"  AND a.before IS NOT NULL ORDER BY a.id LIMIT 1)," \
	" t.target_kind, m.target, t.kind, t.request, t.origin, t.rule, t.reason," \
	" t.detail, t.created" \
	" FROM temp.td_tag_member m LEFT JOIN " TD_TAG_ROWS " t ON t.id = m.id" \
	" ORDER BY m.aid, m.target_kind, m.target"

struct load {
	int64_t aid, added, rows;
	char first[130], last[130], digest[65];
	struct td_sha256 *sha;
};

/* Hash one row as it stood at the load. */
static void add_member(struct load *l, sqlite3_stmt *st)
{
	const char *was_text = (const char *)sqlite3_column_text(st, 2);
	json_t *was = was_text ? json_loads(was_text, 0, NULL) : NULL;
	const char *fields[TD_BULK_TAG_N];

	for (int i = 0; i < TD_BULK_TAG_N; i++) {
		json_t *v = json_is_object(was) ? json_object_get(was, content_names[i])
		                                : NULL;
		fields[i] = json_is_object(was) ? json_string_value(v)
		            : (const char *)sqlite3_column_text(st, 3 + i);
	}
	td_reg_bulk_hash_row(l->sha, fields, TD_BULK_TAG_N);
	l->rows++;
	json_decref(was);
}

static void close_load(struct load *l, td_audit_diff_fn fn, void *ctx)
{
	struct td_audit_diff d = { .table = "tag", .n = l->added, .audit_id = l->aid,
	                           .action = "tag.add.bulk", .first = l->first,
	                           .last = l->last };
	char hex[65];

	td_sha256_hex(l->sha, hex);
	if (l->rows != l->added)
		d.kind = TD_DIFF_BULK_ROWS;
	else if (strcmp(hex, l->digest) != 0)
		d.kind = TD_DIFF_BULK_DIGEST;
	else
		return;
	fn(&d, ctx);
}

static void open_load(struct load *l, sqlite3_stmt *st)
{
	l->aid = sqlite3_column_int64(st, 0);
	l->added = sqlite3_column_int64(st, 1);
	l->rows = 0;
	snprintf(l->first, sizeof l->first, "%s", sqlite3_column_text(st, 2)
	         ? (const char *)sqlite3_column_text(st, 2) : "");
	snprintf(l->last, sizeof l->last, "%s", sqlite3_column_text(st, 3)
	         ? (const char *)sqlite3_column_text(st, 3) : "");
	snprintf(l->digest, sizeof l->digest, "%s", sqlite3_column_text(st, 4)
	         ? (const char *)sqlite3_column_text(st, 4) : "");
	td_sha256_begin(l->sha);
}

/* A tag that names a note holds none of the note's fields itself (the
 * schema's CHECK, which the sqlite3 shell can be told to ignore).  Such
 * a field changes nothing a reader sees, but it is an edit by hand, and
 * the next write of the row (a batch sent, a kit made) would fail on it:
 * named here as the field holding a value where the audit says none. */
static int own_fields_of_noted(struct td_registry *reg, td_audit_diff_fn fn,
                               void *ctx, struct td_error *err)
{
	static const char *const cols[] = { "kind", "request", "origin", "rule",
	                                    "reason", "created" };
	sqlite3_stmt *st;

	/* one pass over the tags, each column quoted as the diff shows it */
	if (sqlite3_prepare_v2(reg->db, "SELECT target, quote(kind), quote(request),"
	                       " quote(origin), quote(rule), quote(reason), quote(created)"
	                       " FROM tag WHERE note_id IS NOT NULL AND coalesce(kind,"
	                       " request, origin, rule, reason, created) IS NOT NULL"
	                       " ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "reading the added tags");
	while (sqlite3_step(st) == SQLITE_ROW)
		for (int i = 0; i < (int)(sizeof cols / sizeof cols[0]); i++) {
			const char *is = (const char *)sqlite3_column_text(st, i + 1);
			struct td_audit_diff d = { .kind = TD_DIFF_FIELD, .table = "tag",
			        .key = (const char *)sqlite3_column_text(st, 0),
			        .field = cols[i], .is = is, .says = "NULL" };
			if (is && strcmp(is, "NULL") != 0)
				fn(&d, ctx);
		}
	return sqlite3_finalize(st) == SQLITE_OK ? TD_OK
	       : td_reg_db_error(reg, err, "reading the added tags");
}

int td_reg_tag_bulk_verify(struct td_registry *reg, td_audit_diff_fn fn,
                           void *ctx, struct td_error *err)
{
	struct load l = { 0 };
	sqlite3_stmt *loads = NULL, *rows = NULL;
	int rc = TD_OK, step = SQLITE_DONE, more;

	if (!(l.sha = td_sha256_new(err)))
		return err->code;
	if (sqlite3_prepare_v2(reg->db, "SELECT aid, added, first, last, digest"
	                       " FROM temp.td_tbulk ORDER BY aid", -1, &loads, NULL)
	    != SQLITE_OK ||
	    sqlite3_prepare_v2(reg->db, MEMBER_CONTENT, -1, &rows, NULL) != SQLITE_OK)
		rc = td_reg_db_error(reg, err, "reading the added tags");
	more = rc == TD_OK ? sqlite3_step(rows) : SQLITE_DONE;
	while (rc == TD_OK && (step = sqlite3_step(loads)) == SQLITE_ROW) {
		open_load(&l, loads);
		while (more == SQLITE_ROW && sqlite3_column_int64(rows, 0) == l.aid) {
			add_member(&l, rows);
			more = sqlite3_step(rows);
		}
		close_load(&l, fn, ctx);
	}
	if (rc == TD_OK && (step != SQLITE_DONE || (more != SQLITE_DONE &&
	                                            more != SQLITE_ROW)))
		rc = td_reg_db_error(reg, err, "reading the added tags");
	sqlite3_finalize(loads);
	sqlite3_finalize(rows);
	td_sha256_free(l.sha);
	return rc < 0 ? rc : own_fields_of_noted(reg, fn, ctx, err);
}
