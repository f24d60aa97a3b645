/* bulk.c: audit of bulk loads.  A million additions audited row by row
 * would double the size of the registry and the time of an import; here
 * they become one row per kind holding a SHA-256 over every added row's
 * content, so the audit still proves exactly what was loaded, by whom
 * and when.  Updates are never folded: their before/after matter. */
#include <config.h>

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "registry/internal.h"

static int table_empty(struct td_registry *reg, const char *table)
{
	char sql[128];
	sqlite3_stmt *st;
	int empty = 0;

	snprintf(sql, sizeof sql, "SELECT NOT EXISTS (SELECT 1 FROM %s)", table);
	if (sqlite3_prepare_v2(reg->db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		empty = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return empty;
}

/* The highest id in table (0 when empty): a load's additions come after. */
static int64_t max_id(struct td_registry *reg, const char *table)
{
	char sql[128];
	sqlite3_stmt *st;
	int64_t id = 0;

	snprintf(sql, sizeof sql, "SELECT coalesce(max(id), 0) FROM %s", table);
	if (sqlite3_prepare_v2(reg->db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

/* prefix and key as one string in k (cut at size): a million look-ups
 * per load, where snprintf cost more than the hash. */
static void fresh_key(char *k, size_t size, const char *prefix, const char *key)
{
	size_t p = strlen(prefix), n = strlen(key);

	if (p >= size)
		p = size - 1;
	if (n > size - 1 - p)
		n = size - 1 - p;
	memcpy(k, prefix, p);
	memcpy(k + p, key, n);
	k[p + n] = '\0';
}

int64_t td_reg_fresh_get(struct td_registry *reg, const char *prefix, const char *key)
{
	char k[512];

	if (!reg->fresh_ids)
		return 0;
	fresh_key(k, sizeof k, prefix, key);
	return (int64_t)(intptr_t)td_strmap_get(reg->fresh_ids, k);
}

void td_reg_fresh_put(struct td_registry *reg, const char *prefix, const char *key,
                      int64_t id)
{
	char k[512], *copy;

	fresh_key(k, sizeof k, prefix, key);
	if (reg->fresh_arena && (copy = td_arena_strdup(reg->fresh_arena, k)))
		td_strmap_put(reg->fresh_ids, copy, (void *)(intptr_t)id);
}

/* Page cache for a bulk load: random-key index inserts must stay in
 * memory, or a national list (a registry near 1 GB) thrashes.  Measured
 * on 1,000,000 certificates: 136 s CPU with 256 MiB, 63 s with 1 GiB.
 * A quarter of the RAM, at least 256 MiB and at most 1 GiB; SQLite takes
 * it only as pages are used, so a small import stays small.  A first
 * load adds its certificates in key order (import.c), so their pages
 * are written once and left: 384 MiB, where 1 GiB held a national
 * registry whole and made the import's peak 1.5 GB (issue 27: at most
 * 1 GB).  Measured at 1,000,000 certificates: 256 MiB 54.4 s CPU and
 * 773 MB peak, 512 MiB 51.3 s and 1041 MB, 1 GiB 50.5 s and 1044 MB.
 * Returns the size it replaced, for the load's end to put back. */
static long long set_bulk_cache(struct td_registry *reg)
{
	long long was = td_reg_cache_size(reg);
	long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
	long long kib = pages > 0 && size > 0 ? (long long)pages / 4 * (size / 1024)
	                                      : 0;

	if (kib < 262144)
		kib = 262144;
	if (reg->fresh_certs)
		kib = 393216;
	if (kib > 1048576)
		kib = 1048576;
	td_reg_set_cache_size(reg, -kib);
	return was;
}

/* A fresh load drops the indexes of the tables it fills and builds them
 * again at commit: one sort per index costs less than a random-key
 * B-tree insert per row (300,000 certificates: 16.6 s of CPU against
 * 18.5 s).  That takes the named keys of holder and token too (schema
 * step 13): the import refused two rows for one key before writing, and
 * while they are gone the load finds its own holders and tokens in
 * memory (td_reg_fresh_get); were one key still doubled, building its
 * index fails the commit, and the load writes nothing.  The keys
 * declared in a table (certificate's) cannot be dropped; a first load
 * adds its certificates in their key's order.  All in the load's own
 * transaction, so a failed or killed load leaves the indexes as they
 * were (tests/crash/crash-import.sh checks). */
static int defer_indexes(struct td_registry *reg, const char *tables,
                         struct td_error *err)
{
	char *sql = sqlite3_mprintf("SELECT sql, name FROM sqlite_schema WHERE type = 'index'"
	                            " AND sql IS NOT NULL AND tbl_name IN (%s)", tables);
	sqlite3_stmt *st;
	int rc = TD_OK, n = 0;

	if (!sql || sqlite3_prepare_v2(reg->db, sql, -1, &st, NULL) != SQLITE_OK) {
		sqlite3_free(sql);
		return td_reg_db_error(reg, err, "listing indexes");
	}
	sqlite3_free(sql);
	/* names and statements first: the schema cannot change under a read */
	while (rc == TD_OK && sqlite3_step(st) == SQLITE_ROW) {
		struct deferred_index *grown = realloc(reg->deferred_idx,
		                                       (size_t)(n + 1) * sizeof *grown);
		char *create = td_reg_col_dup(st, 0), *name = td_reg_col_dup(st, 1);

		if (grown)
			reg->deferred_idx = grown;
		if (!grown || !create || !name) {
			free(create);
			free(name);
			rc = td_error_set(err, TD_ERR_NOMEM, "out of memory");
			break;
		}
		grown[n++] = (struct deferred_index){ create, name };
		reg->n_deferred_idx = n;
	}
	sqlite3_finalize(st);
	for (int i = 0; rc == TD_OK && i < n; i++) {
		char *drop = sqlite3_mprintf("DROP INDEX \"%w\"", reg->deferred_idx[i].name);
		rc = drop ? td_reg_exec(reg, drop, err)
		          : td_error_set(err, TD_ERR_NOMEM, "out of memory");
		sqlite3_free(drop);
	}
	return rc;
}

static int build_deferred_indexes(struct td_registry *reg, struct td_error *err)
{
	for (int i = 0; i < reg->n_deferred_idx; i++) {
		int rc = td_reg_exec(reg, reg->deferred_idx[i].create, err);
		if (rc < 0)
			return rc;
	}
	return TD_OK;
}

static void free_deferred_indexes(struct td_registry *reg)
{
	for (int i = 0; i < reg->n_deferred_idx; i++) {
		free(reg->deferred_idx[i].create);
		free(reg->deferred_idx[i].name);
	}
	free(reg->deferred_idx);
	reg->deferred_idx = NULL;
	reg->n_deferred_idx = 0;
}

/* journal_mode set to mode ("delete" or "wal"); 1 when it now is.
 * Without waiting: leaving WAL needs the file to itself, and a reader
 * (a desk) open on it means the load keeps WAL. */
static int set_journal(struct td_registry *reg, const char *mode)
{
	char sql[64];
	sqlite3_stmt *st;
	int ok = 0;

	snprintf(sql, sizeof sql, "PRAGMA journal_mode = %s", mode);
	sqlite3_busy_handler(reg->db, NULL, NULL);
	if (sqlite3_prepare_v2(reg->db, sql, -1, &st, NULL) == SQLITE_OK) {
		ok = sqlite3_step(st) == SQLITE_ROW &&
		     sqlite3_stricmp((const char *)sqlite3_column_text(st, 0), mode) == 0;
		sqlite3_finalize(st);
	}
	td_reg_set_busy(reg, reg->busy_ms, reg->busy_wait, reg->busy_ctx);
	return ok;
}

/* A first load (no certificate, holder or token yet) goes through a
 * rollback journal instead of the WAL: the journal then holds only the
 * few pages the file had, where the WAL would take every page written
 * (1.76 GB through the WAL for an 875 MB file at 1,000,000
 * certificates, issue 27), and the checkpoint would copy them all again.
 * A kill leaves a hot journal that the next open rolls back (crash-
 * import.sh); the file goes back to WAL at the end of the load. */
static void first_load_journal(struct td_registry *reg)
{
	reg->bulk_journal = table_empty(reg, "certificate") && table_empty(reg, "holder") &&
	                    table_empty(reg, "token") && set_journal(reg, "delete");
}

int td_reg_begin_bulk(struct td_registry *reg, const char *label,
                      struct td_error *err)
{
	int rc;

	first_load_journal(reg);
	if ((rc = td_reg_begin(reg, err)) < 0) {
		if (reg->bulk_journal)
			set_journal(reg, "wal");
		reg->bulk_journal = 0;
		return rc;
	}
	reg->bulk = 1;
	snprintf(reg->bulk_label, sizeof reg->bulk_label, "%s", label ? label : "");
	reg->bulk_agency.base_id = max_id(reg, "agency");
	reg->bulk_cert.base_id = max_id(reg, "certificate");
	reg->fresh_agencies = table_empty(reg, "agency");
	reg->fresh_certs = table_empty(reg, "certificate") && table_empty(reg, "holder") &&
	                   table_empty(reg, "token");
	if (reg->fresh_certs) {
		reg->fresh_ids = td_strmap_new(1 << 16);
		reg->fresh_arena = td_arena_new();
		if (!reg->fresh_ids || !reg->fresh_arena)
			reg->fresh_certs = 0;
	}
	reg->cache_before_bulk = set_bulk_cache(reg);
	if (reg->fresh_certs && (rc = defer_indexes(reg, "'holder','token','certificate'",
	                                            err)) < 0) {
		td_reg_rollback(reg);
		return rc;
	}
	return TD_OK;
}

void td_reg_bulk_hash_row(struct td_sha256 *h, const char *const *fields, int n)
{
	static const unsigned char sep = 0x1f, rec = 0x1e, null_mark = 0;

	for (int i = 0; i < n; i++) {
		if (fields[i])
			td_sha256_add(h, fields[i], strlen(fields[i]));
		else
			td_sha256_add(h, &null_mark, 1);
		td_sha256_add(h, &sep, 1);
	}
	td_sha256_add(h, &rec, 1);
}

int td_reg_bulk_add(struct td_registry *reg, struct bulk_tally *t,
                    const char *key)
{
	if (!reg->bulk)
		return 0;
	if (t->count++ == 0)
		snprintf(t->first, sizeof t->first, "%s", key);
	snprintf(t->last, sizeof t->last, "%s", key);
	return 1;
}

/* The digest of the rows this load added (ids above base_id), read as
 * committed: a holder or token two rows of the list described apart
 * holds one version, and the digest must be of what the registry holds
 * (audit verify recomputes it from the rows). */
static int content_digest(struct td_registry *reg, struct bulk_tally *t,
                          const char *sql, int n, char hex[65],
                          struct td_error *err)
{
	struct td_sha256 *h = td_sha256_new(err);
	const char *fields[16];
	sqlite3_stmt *st;
	int64_t rows = 0;
	int step;

	if (!h)
		return err->code;
	if (sqlite3_prepare_v2(reg->db, sql, -1, &st, NULL) != SQLITE_OK) {
		td_sha256_free(h);
		return td_reg_db_error(reg, err, "digesting the added rows");
	}
	sqlite3_bind_int64(st, 1, t->base_id);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < n; i++)
			fields[i] = (const char *)sqlite3_column_text(st, i);
		td_reg_bulk_hash_row(h, fields, n);
		rows++;
	}
	sqlite3_finalize(st);
	td_sha256_hex(h, hex);
	td_sha256_free(h);
	if (step != SQLITE_DONE)
		return td_reg_db_error(reg, err, "digesting the added rows");
	if (rows != t->count)
		return td_error_set(err, TD_ERR_INTERNAL, "%" PRId64 " rows added but %"
		                    PRId64 " found at commit", t->count, rows);
	return TD_OK;
}

static int flush_one(struct td_registry *reg, struct bulk_tally *t,
                     const char *action, const char *entity, const char *sql,
                     int n, struct td_error *err)
{
	char hex[65];
	json_t *o;
	char *text;
	int rc;

	if (t->count == 0)
		return TD_OK;
	if ((rc = content_digest(reg, t, sql, n, hex, err)) < 0)
		return rc;
	o = json_pack("{s:s,s:I,s:s,s:s,s:s}", "source", reg->bulk_label,
	              "added", (json_int_t)t->count, "first", t->first,
	              "last", t->last, "content_sha256", hex);
	text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	rc = text ? td_reg_audit(reg, action, entity, NULL, NULL, text, err)
	          : td_error_set(err, TD_ERR_NOMEM, "out of memory");
	free(text);
	return rc;
}

/* FTS5 merges its segments as they gather (automerge: every 4 of a
 * level), so a level is merged again and again as the index grows: at
 * 1,000,000 names that cost 3.4 us a name against 2.7 at 200,000.  A
 * first load holds the merges (automerge 0; a crisis merge only past 64
 * segments of a level), merges everything once at its end ('optimize':
 * one segment, which a search reads fastest), and puts FTS5's defaults
 * back for the writes after it.  Measured at 1,000,000: 2.8 us a name. */
#define FTS_HOLD_MERGES \
	"INSERT INTO search_idx (search_idx, rank) VALUES ('automerge', 0);" \
	"INSERT INTO search_idx (search_idx, rank) VALUES ('crisismerge', 64);"
#define FTS_MERGE_ONCE \
	"INSERT INTO search_idx (search_idx) VALUES ('optimize');" \
	"INSERT INTO search_idx (search_idx, rank) VALUES ('automerge', 4);" \
	"INSERT INTO search_idx (search_idx, rank) VALUES ('crisismerge', 16);"

/* A first load's page cache from its commit on, in KiB (td_reg_bulk_flush). */
#define FLUSH_CACHE_KIB 655360

/* Index what a fresh load added, in one statement per kind. */
static int index_fresh(struct td_registry *reg, struct td_error *err)
{
	int rc = TD_OK;

	if (reg->fresh_certs)
		rc = td_reg_exec(reg, FTS_HOLD_MERGES, err);
	if (rc == TD_OK && reg->fresh_agencies)
		rc = td_reg_exec(reg, "INSERT INTO search_idx (rowid, text)"
		                 " SELECT id * 4 + 0, td_fold(name || ' ' || code) FROM agency ORDER BY id",
		                 err);
	if (rc == TD_OK && reg->fresh_certs)
		rc = td_reg_exec(reg, "INSERT INTO search_idx (rowid, text)"
		                 " SELECT id * 4 + 1, td_fold(name || ' ' || ext_id) FROM holder"
		                 /* rowid order: FTS5 appends cheaply, random order costs 4x.
		                  * "+kind": a scan of the table in that order.  Through
		                  * the (kind, ext_id) key, each row was a random page
		                  * and then a sort: at 1,000,000 certificates the table
		                  * no longer stayed in the cache, and the look-ups read
		                  * 3.6 GB from the file (issue 27, CPU per row) */
		                 " WHERE +kind = 'person' ORDER BY id", err);
	if (rc == TD_OK && reg->fresh_certs)
		rc = td_reg_exec(reg, FTS_MERGE_ONCE, err);
	return rc;
}

int td_reg_bulk_flush(struct td_registry *reg, struct td_error *err)
{
	int rc;

	if (!reg->bulk)
		return TD_OK;
	/* Nothing is added any more: the ids map goes before the indexes
	 * and the search index are built (their sorts take memory of their
	 * own; issue 27: a national load's peak at most 1 GB). */
	td_strmap_free(reg->fresh_ids);
	td_arena_free(reg->fresh_arena);
	reg->fresh_ids = NULL;
	reg->fresh_arena = NULL;
	/* The rows read from the lists are gone too (the import frees them
	 * before the commit): a first load's cache may grow into their room
	 * for the indexes, the search index and the digest, which read the
	 * whole file again.  At 384 MiB, 1,000,000 certificates' pages
	 * (640 MB) went out and were read back: 3.7 s of a 26 s load on a
	 * host whose kernel reclaims files' cold pages, against 1.9 s; the
	 * peak stayed at 804 MB. */
	if (reg->fresh_certs)
		td_reg_set_cache_size(reg, -FLUSH_CACHE_KIB);
	if ((rc = build_deferred_indexes(reg, err)) < 0 ||
	    (rc = index_fresh(reg, err)) < 0)
		return rc;
	if ((rc = flush_one(reg, &reg->bulk_agency, "agency.add.bulk", "agency",
	                    "SELECT " TD_BULK_AGENCY_CONTENT TD_BULK_AGENCY_FROM
	                    " WHERE a.id > ?1 ORDER BY a.id", 6, err)) < 0 ||
	    (rc = flush_one(reg, &reg->bulk_cert, "cert.add.bulk", "cert",
	                    "SELECT " TD_BULK_CERT_CONTENT TD_BULK_CERT_FROM
	                    " WHERE c.id > ?1 ORDER BY c.id", 14, err)) < 0)
		return rc;
	return TD_OK;
}

/* ---- tags added as one load (plan apply; tag.c gathers them) ---------- */

#define TAG_CHUNK 256   /* rows per INSERT */

static int cmp_tag_row(const void *x, const void *y)
{
	const struct tag_load_row *a = x, *b = y;
	int c = strcmp(a->target_kind, b->target_kind);

	return c ? c : strcmp(a->target, b->target);
}

/* INSERT of n rows of per values each (?2 on), each row ending with ?1,
 * the created stamp, when stamped.  OR FAIL: a row that breaks a
 * constraint fails the whole load anyway (the caller rolls back), so no
 * statement journal need be kept for each INSERT (it went to a temporary
 * file, rows by the hundred per statement). */
static sqlite3_stmt *rows_insert(struct td_registry *reg, const char *head, int per,
                                 int stamped, int n)
{
	char *sql = sqlite3_mprintf("INSERT OR FAIL INTO %s VALUES", head);
	sqlite3_stmt *st = NULL;

	for (int i = 0; sql && i < n; i++) {
		char *row = sqlite3_mprintf("%s%s (", sql, i ? "," : "");
		for (int k = 0; row && k < per; k++) {
			char *more = sqlite3_mprintf("%s%s?%d", row, k ? "," : "", per * i + 2 + k);
			sqlite3_free(row);
			row = more;
		}
		sqlite3_free(sql);
		sql = row ? sqlite3_mprintf("%s%s)", row, stamped ? ",?1" : "") : NULL;
		sqlite3_free(row);
	}
	if (sql && sqlite3_prepare_v2(reg->db, sql, -1, &st, NULL) != SQLITE_OK)
		st = NULL;
	sqlite3_free(sql);
	return st;
}

/* What tags of one load share (schema step 12): kind, request, origin,
 * rule and reason ("" is stored as NULL, so the same as NULL). */
#define NOTE_N 5

static void note_fields(const struct tag_load_row *r, const char *f[NOTE_N])
{
	f[0] = r->kind;
	f[1] = r->request;
	f[2] = r->origin;
	f[3] = r->rule;
	f[4] = r->reason;
	for (int k = 0; k < NOTE_N; k++)
		if (f[k] && !*f[k])
			f[k] = NULL;
}

static int cmp_note(const void *x, const void *y)
{
	const char *a[NOTE_N], *b[NOTE_N];

	note_fields(*(const struct tag_load_row *const *)x, a);
	note_fields(*(const struct tag_load_row *const *)y, b);
	/* note_fields made "" NULL: a field is NULL or not empty */
	for (int k = 0; k < NOTE_N; k++) {
		int c = strcmp(a[k] ? a[k] : "", b[k] ? b[k] : "");
		if (c)
			return c;
	}
	return 0;
}

/* The highest tag_note id, or -1. */
static int64_t max_note_id(struct td_registry *reg)
{
	sqlite3_stmt *st;
	int64_t id = -1;

	if (sqlite3_prepare_v2(reg->db, "SELECT coalesce(max(id), 0) FROM tag_note", -1,
	                       &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

/* Insert the notes (each with its note_id set), chunk by chunk. */
static int insert_notes(struct td_registry *reg, struct tag_load_row **notes,
                        size_t n, struct td_error *err)
{
	sqlite3_stmt *st = NULL;
	size_t done = 0;
	int rc = TD_OK, size = 0;

	while (rc == TD_OK && done < n) {
		int k = n - done >= TAG_CHUNK ? TAG_CHUNK : (int)(n - done);
		if (k != size) {
			sqlite3_finalize(st);
			if (!(st = rows_insert(reg, "tag_note (id, kind, request, origin, rule,"
			                       " reason, created)", NOTE_N + 1, 1, k)))
				return td_reg_db_error(reg, err, "writing tag notes");
			sqlite3_bind_text(st, 1, reg->tag_bulk_at, -1, SQLITE_STATIC);
			size = k;
		}
		for (int i = 0; i < k; i++) {
			const char *f[NOTE_N];
			note_fields(notes[done + i], f);
			sqlite3_bind_int64(st, (NOTE_N + 1) * i + 2, notes[done + i]->note_id);
			for (int c = 0; c < NOTE_N; c++)
				td_reg_bind_text(st, (NOTE_N + 1) * i + 3 + c, f[c]);
		}
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = td_reg_db_error(reg, err, "writing tag notes");
		sqlite3_reset(st);
		done += (size_t)k;
	}
	sqlite3_finalize(st);
	return rc;
}

/* One note per distinct reason, above the highest note id; each row
 * names its own (r->note_id). */
static int write_tag_notes(struct td_registry *reg, struct td_error *err)
{
	size_t n = reg->n_tag_rows, distinct = 0;
	struct tag_load_row **by_note = malloc(n * sizeof *by_note);
	int64_t id = max_note_id(reg);
	int rc;

	if (!by_note)
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	if (id < 0) {
		free(by_note);
		return td_reg_db_error(reg, err, "reading tag notes");
	}
	for (size_t i = 0; i < n; i++)
		by_note[i] = &reg->tag_rows[i];
	qsort(by_note, n, sizeof *by_note, cmp_note);
	/* number them, the first row of each reason kept in by_note[0..distinct) */
	for (size_t i = 0; i < n; i++) {
		struct tag_load_row *r = by_note[i];
		if (i == 0 || cmp_note(&by_note[distinct - 1], &r) != 0)
			by_note[distinct++] = r, ++id;
		r->note_id = id;
	}
	rc = insert_notes(reg, by_note, distinct, err);
	free(by_note);
	return rc;
}

/* Bind row r as the i-th of the statement and add it to the digest as
 * it reads (TD_TAG_ROWS: its note's fields in their places). */
static void bind_tag_row(struct td_registry *reg, sqlite3_stmt *st, int i,
                         const struct tag_load_row *r, struct td_sha256 *h)
{
	const char *f[TD_BULK_TAG_N] = { r->target_kind, r->target, r->kind,
	                                 r->request, r->origin, r->rule, r->reason,
	                                 r->detail, reg->tag_bulk_at };

	for (int k = 0; k < TD_BULK_TAG_N - 1; k++)
		if (f[k] && !*f[k])
			f[k] = NULL;
	td_reg_bind_text(st, 4 * i + 2, f[0]);
	td_reg_bind_text(st, 4 * i + 3, f[1]);
	sqlite3_bind_int64(st, 4 * i + 4, r->note_id);
	td_reg_bind_text(st, 4 * i + 5, f[7]);
	td_reg_bulk_hash_row(h, f, TD_BULK_TAG_N);
}

/* Write the gathered rows in key order, hashing them as written. */
static int write_tag_rows(struct td_registry *reg, struct td_sha256 *h,
                          struct td_error *err)
{
	size_t n = reg->n_tag_rows, done = 0;
	sqlite3_stmt *st = NULL;
	int rc, size = 0;

	qsort(reg->tag_rows, n, sizeof *reg->tag_rows, cmp_tag_row);
	if ((rc = write_tag_notes(reg, err)) < 0)
		return rc;
	while (rc == TD_OK && done < n) {
		int k = n - done >= TAG_CHUNK ? TAG_CHUNK : (int)(n - done);
		if (k != size) {
			sqlite3_finalize(st);
			if (!(st = rows_insert(reg, "tag (target_kind, target, note_id, detail)",
			                       4, 0, k)))
				return td_reg_db_error(reg, err, "writing tags");
			size = k;
		}
		for (int i = 0; i < k; i++)
			bind_tag_row(reg, st, i, &reg->tag_rows[done + i], h);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = td_reg_db_error(reg, err, "writing tags");
		sqlite3_reset(st);
		done += k;
	}
	sqlite3_finalize(st);
	return rc;
}

/* The ids the load's rows took (one transaction: base+1 on, in order). */
static int tag_ids(struct td_registry *reg, int64_t *lo, int64_t *hi, int64_t *n)
{
	sqlite3_stmt *st;
	int ok = 0;

	if (sqlite3_prepare_v2(reg->db, "SELECT min(id), max(id), count(*) FROM tag"
	                       " WHERE id > ?1", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, reg->bulk_tag.base_id);
		if ((ok = sqlite3_step(st) == SQLITE_ROW)) {
			*lo = sqlite3_column_int64(st, 0);
			*hi = sqlite3_column_int64(st, 1);
			*n = sqlite3_column_int64(st, 2);
		}
	}
	sqlite3_finalize(st);
	return ok;
}

/* The load's rows and its tag.add.bulk row. */
static int tag_bulk_row(struct td_registry *reg, struct td_error *err)
{
	struct td_sha256 *h = td_sha256_new(err);
	int64_t lo = 0, hi = 0, rows = 0, n = (int64_t)reg->n_tag_rows;
	sqlite3_stmt *st;
	char hex[65];
	json_t *o;
	char *text;
	int rc;

	if (!h)
		return err->code;
	/* the ids above the highest now: the same run's removals (before
	 * this) may have freed the highest ids begin saw */
	if (sqlite3_prepare_v2(reg->db, "SELECT coalesce(max(id), 0) FROM tag", -1,
	                       &st, NULL) != SQLITE_OK) {
		td_sha256_free(h);
		return td_reg_db_error(reg, err, "reading tags");
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		reg->bulk_tag.base_id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	rc = write_tag_rows(reg, h, err);
	td_sha256_hex(h, hex);
	td_sha256_free(h);
	if (rc < 0)
		return rc;
	if (!tag_ids(reg, &lo, &hi, &rows))
		return td_reg_db_error(reg, err, "reading the added tags");
	if (rows != n || hi - lo + 1 != n)
		return td_error_set(err, TD_ERR_INTERNAL, "%" PRId64 " tags added but %"
		                    PRId64 " found", n, rows);
	o = json_pack("{s:s,s:I,s:s,s:s,s:I,s:I,s:s,s:s}", "source", reg->bulk_label,
	              "added", (json_int_t)n, "first", reg->tag_rows[0].target,
	              "last", reg->tag_rows[n - 1].target, "first_id", (json_int_t)lo,
	              "last_id", (json_int_t)hi, "created", reg->tag_bulk_at,
	              "content_sha256", hex);
	text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	rc = text ? td_reg_audit(reg, "tag.add.bulk", "tag", NULL, NULL, text, err)
	          : td_error_set(err, TD_ERR_NOMEM, "out of memory");
	free(text);
	return rc;
}

int td_reg_tag_bulk_end(struct td_registry *reg, int rc, struct td_error *err)
{
	int on = reg->tag_bulk;

	reg->tag_bulk = 0;
	if (rc == TD_OK && on && reg->n_tag_rows) {
		/* The tag table's CHECK lists, evaluated per row, rebuild an
		 * ephemeral table each (SQLite codes CHECKs without its run-once
		 * guard): 1.2 s of 5 at 328,413 tags.  td_reg_tag_bulk_add has
		 * checked every value against the same lists. */
		long long cache = set_bulk_cache(reg);
		sqlite3_exec(reg->db, "PRAGMA ignore_check_constraints = 1", NULL, NULL, NULL);
		rc = tag_bulk_row(reg, err);
		sqlite3_exec(reg->db, "PRAGMA ignore_check_constraints = 0", NULL, NULL, NULL);
		td_reg_set_cache_size(reg, cache);
	}
	free(reg->tag_rows);
	td_arena_free(reg->tag_arena);
	reg->tag_rows = NULL;
	reg->tag_arena = NULL;
	reg->n_tag_rows = reg->cap_tag_rows = 0;
	td_strmap_free(reg->tag_reasons_ok);
	reg->tag_reasons_ok = NULL;
	memset(&reg->bulk_tag, 0, sizeof reg->bulk_tag);
	return rc;
}

void td_reg_bulk_end(struct td_registry *reg)
{
	if (!reg->bulk)
		return;
	memset(&reg->bulk_agency, 0, sizeof reg->bulk_agency);
	memset(&reg->bulk_cert, 0, sizeof reg->bulk_cert);
	td_strmap_free(reg->fresh_ids);
	td_arena_free(reg->fresh_arena);
	free_deferred_indexes(reg);
	reg->fresh_ids = NULL;
	reg->fresh_arena = NULL;
	reg->fresh_agencies = reg->fresh_certs = 0;
	reg->bulk = 0;
	td_reg_set_cache_size(reg, reg->cache_before_bulk);
	if (reg->bulk_journal)
		set_journal(reg, "wal");   /* readers may come back: WAL again */
	reg->bulk_journal = 0;
}
