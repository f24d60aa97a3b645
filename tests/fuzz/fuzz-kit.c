/* fuzz-kit.c: merging a field kit (td_reg_kit_merge) whose bytes are
 * arbitrary, as a kit carried around on a USB stick may come back.
 *
 * A kit holds no changeset of its own: it holds its pristine image as
 * made (kit_base.image, a serialized SQLite database) and the merge
 * computes the changeset by bringing that image to the kit's current
 * state under a session (kit_merge.c).  So the fuzzed bytes enter where
 * a kit delivers them: as the image, or as the kit file itself.
 *
 * Set-up, once per process: a home registry from the plan tests' lists
 * (tests/cli/plan), a kit for district P.H1 made from it, field work in
 * the kit (two token handovers and a tag) and a home handover of a token
 * the field also handed over (a conflict).  Home and kit are kept as
 * bytes: each input gets its own kit file, and home is put back after
 * any merge that changed it.
 *
 * Input: byte 0 picks what the rest does (mode & 3):
 *   0  the rest is the kit's image (replaces kit_base.image);
 *   1  patches to the real image (see apply_patches);
 *   2  patches to the kit file itself;
 *   3  the real image cut to the length in bytes 1-3, then patches;
 *   4-7  edits to the real kit through SQL (see apply_edits): what a
 *      raw tool does in the field, so the file stays whole and the
 *      merge meets odd rows, not damaged pages (which it refuses).
 * Properties: no crash or leak; the kit file is not written; a refused
 * merge blames the kit (TD_ERR_DATA or TD_ERR_CONFLICT, never a registry
 * or internal error), has a message and leaves home exactly as it was
 * (every row of every table); a merge that succeeds leaves a home that
 * passes PRAGMA integrity_check and the audit chain verification, and
 * merging the same kit again reports "already merged" and commits
 * nothing.
 * FUZZ_KIT_SEEDS=DIR writes the seed corpus (corpus/kit) into DIR. */
#include <config.h>

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "tokendesk/handover.h"
#include "tokendesk/import.h"
#include "tokendesk/registry.h"
#include "registry/txn.h"
#include "fuzz.h"

static char dir[256], home_db[300], kit_db[300];
struct bytes {
	uint8_t *p;
	size_t n;
};
/* The pristine home and kit files, and the kit's image. */
static struct bytes home_tpl, kit_tpl, image;
static uint64_t home_fp;
/* Connections of the harness's own, kept while their file stays: one
 * reads home (fingerprints), one writes the kit's image.  Opening a
 * connection parses the whole schema, the larger part of an input's
 * cost.  The merge itself always gets a registry opened afresh. */
static sqlite3 *home_rd, *kit_wr;
static int kit_patched;   /* the kit file is not the template's */
static uint8_t *work;     /* an image or kit being patched (the larger) */

/* ---- files ------------------------------------------------------------- */

static void forget_tables(void);
static void free_kit_tables(void);

static void cleanup(void)
{
	forget_tables();
	free_kit_tables();
	sqlite3_close(home_rd);
	sqlite3_close(kit_wr);
	td_reg_remove(home_db);
	td_reg_remove(kit_db);
	rmdir(dir);
	free(home_tpl.p);
	free(kit_tpl.p);
	free(image.p);
	free(work);
}

static void write_file(const char *path, const void *data, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	FUZZ_CHECK(fd >= 0);
	FUZZ_CHECK(n == 0 || write(fd, data, n) == (ssize_t)n);
	close(fd);
}

static struct bytes read_file(const char *path)
{
	struct bytes b = { NULL, 0 };
	struct stat st;
	int fd = open(path, O_RDONLY);

	FUZZ_CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 0);
	b.n = (size_t)st.st_size;
	FUZZ_CHECK((b.p = malloc(b.n)) != NULL);
	FUZZ_CHECK(read(fd, b.p, b.n) == (ssize_t)b.n);
	close(fd);
	return b;
}

/* ---- home's content, as SQL sees it ----------------------------------- */

/* The tables of a file that hold rows (the search index's virtual tables
 * are seen through their shadow tables), by name: for home's fingerprint
 * and for the kit tables an edit picks from. */
#define REAL_TABLES "SELECT name FROM sqlite_schema WHERE type = 'table'" \
	" AND name NOT LIKE 'sqlite%' AND sql NOT LIKE 'CREATE VIRTUAL%'" \
	" ORDER BY name"

/* Hashing home's rows is the harness's own work, not the merge's: left
 * out of the coverage libFuzzer steers by (its comparisons were a tenth
 * of the fingerprint's cost). */
#if defined(__clang__) && __clang_major__ >= 13
#define HARNESS_ONLY __attribute__((no_sanitize("coverage")))
#else
#define HARNESS_ONLY
#endif

HARNESS_ONLY
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

/* SELECT * of each table of home, prepared once per home_rd connection:
 * preparing them again for every input cost a sixth of the run. */
#define MAX_TABLES 64
static struct {
	char *name;
	sqlite3_stmt *all;
} tables[MAX_TABLES];
static size_t n_tables;

static void forget_tables(void)
{
	for (size_t i = 0; i < n_tables; i++) {
		sqlite3_finalize(tables[i].all);
		free(tables[i].name);
	}
	n_tables = 0;
}

/* The statement reading every row of table; a table not seen before
 * (home's schema changed) gets one too, and so changes the hash. */
static sqlite3_stmt *select_all(sqlite3 *db, const char *table)
{
	char *sql;
	size_t i;

	for (i = 0; i < n_tables; i++)
		if (strcmp(tables[i].name, table) == 0)
			return tables[i].all;
	FUZZ_CHECK(n_tables < MAX_TABLES);
	sql = sqlite3_mprintf("SELECT * FROM main.\"%w\"", table);
	FUZZ_CHECK(sql && sqlite3_prepare_v2(db, sql, -1, &tables[i].all, NULL)
	           == SQLITE_OK);
	sqlite3_free(sql);
	FUZZ_CHECK((tables[i].name = strdup(table)) != NULL);
	n_tables++;
	return tables[i].all;
}

HARNESS_ONLY
static uint64_t hash_table(sqlite3 *db, const char *table, uint64_t h)
{
	sqlite3_stmt *st = select_all(db, table);

	h = fnv(h, table, strlen(table) + 1);
	while (sqlite3_step(st) == SQLITE_ROW)
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			uint8_t type = (uint8_t)sqlite3_column_type(st, i);
			const void *v = sqlite3_column_blob(st, i);
			h = fnv(h, &type, 1);
			h = fnv(h, v ? v : "", (size_t)sqlite3_column_bytes(st, i));
		}
	sqlite3_reset(st);
	return h;
}

static void integrity(sqlite3 *db)
{
	sqlite3_stmt *st;

	FUZZ_CHECK(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL)
	           == SQLITE_OK);
	FUZZ_CHECK(sqlite3_step(st) == SQLITE_ROW);
	FUZZ_CHECK(strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0);
	sqlite3_finalize(st);
}

static void open_home_rd(void)
{
	if (!home_rd)
		FUZZ_CHECK(sqlite3_open_v2(home_db, &home_rd, SQLITE_OPEN_READONLY, NULL)
		           == SQLITE_OK);
}

/* PRAGMA data_version of home_rd: it changes when any other connection
 * commits to home, so a merge that leaves it as it was changed nothing
 * (and need not be read row by row). */
static int64_t home_version(void)
{
	sqlite3_stmt *st;
	int64_t v;

	open_home_rd();
	FUZZ_CHECK(sqlite3_prepare_v2(home_rd, "PRAGMA data_version", -1, &st, NULL)
	           == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* A hash of every row of every real table of home (the search index's
 * virtual tables are seen through their shadow tables), read with a
 * connection of our own. */
static uint64_t fingerprint(void)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	sqlite3_stmt *st;

	open_home_rd();
	FUZZ_CHECK(sqlite3_prepare_v2(home_rd, REAL_TABLES, -1, &st, NULL) == SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		h = hash_table(home_rd, (const char *)sqlite3_column_text(st, 0), h);
	sqlite3_finalize(st);
	return h;
}

/* ---- set-up -------------------------------------------------------------- */

static struct td_registry *open_reg(const char *path, int flags, const char *op)
{
	struct td_error err;
	struct td_registry *r = td_reg_open(path, flags, &err);

	if (!r)
		fprintf(stderr, "fuzz-kit: %s\n", err.message);
	FUZZ_CHECK(r != NULL);
	td_reg_set_operator(r, op);
	return r;
}

static void hand_over(struct td_registry *reg, const char *to,
                      const char *const *serials, size_t n)
{
	char number[TD_HANDOVER_NUMBER_MAX];
	struct td_error err;
	struct td_handover *h = td_handover_new(reg, TD_HANDOVER_TOKENS, &err);
	int rc;

	FUZZ_CHECK(h && td_handover_set_to(h, to, &err) == 0);
	/* the kit's merge is what is fuzzed, not the path rule */
	td_handover_set_force(h, 1);
	FUZZ_CHECK(td_handover_set_reason(h, "nộp thẳng", &err) == 0);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(td_handover_add_token(h, serials[i], &err) >= 0);
	rc = td_handover_commit(h, number, NULL, &err);
	if (rc != 0)
		fprintf(stderr, "fuzz-kit: handover to %s: %s\n", to, err.message);
	FUZZ_CHECK(rc == 0);
	td_handover_free(h);
}

static void tag(struct td_registry *reg, const char *cert)
{
	struct td_tag t = { .target_kind = "cert", .target = cert, .kind = "revoke",
	                    .origin = "manual", .reason = "field check" };
	struct td_error err;
	int changed;

	FUZZ_CHECK(td_reg_begin(reg, &err) == 0);
	FUZZ_CHECK(td_reg_tag_put(reg, &t, &changed, &err) == 0);
	FUZZ_CHECK(td_reg_commit(reg, &err) == 0);
}

static void make_home(void)
{
	const char *lists[2] = { FUZZ_SRCDIR "/tests/cli/plan/agencies.csv",
	                         FUZZ_SRCDIR "/tests/cli/plan/certificates.csv" };
	const char *home_tokens[] = { "TKB005" };
	struct td_registry *home = open_reg(home_db, TD_REG_CREATE, "home");
	struct td_import_report rep;
	struct td_kit_info info;
	struct td_error err;
	const char *code = "P.H1";

	if (td_import_files(home, lists, 2, NULL, &rep, &err) != 0)
		fprintf(stderr, "fuzz-kit: lists: %s\n", err.message);
	FUZZ_CHECK(rep.certificates.added > 0);
	td_import_report_free(&rep);
	if (td_reg_kit_make(home, kit_db, &code, 1, &info, &err) != 0)
		fprintf(stderr, "fuzz-kit: kit make: %s\n", err.message);
	FUZZ_CHECK(info.tokens > 0);
	/* Home moves a token the field moves too: the merge's conflict path. */
	hand_over(home, "dost", home_tokens, 1);
	td_reg_close(home);   /* the last close checkpoints: the file is whole */
}

static void field_work(void)
{
	const char *to_district[] = { "TKA091", "TKA092" }, *to_x2[] = { "TKB005" };
	struct td_registry *kit = open_reg(kit_db, 0, "field");

	hand_over(kit, "agency:P.H1", to_district, 2);
	hand_over(kit, "agency:P.H1.X2", to_x2, 1);
	tag(kit, "A093");
	td_reg_close(kit);
}

/* The kit's image, and a template of the kit file. */
static void keep_kit(void)
{
	sqlite3_stmt *st;
	sqlite3 *db;

	FUZZ_CHECK(sqlite3_open_v2(kit_db, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
	FUZZ_CHECK(sqlite3_prepare_v2(db, "SELECT image FROM kit_base WHERE id = 1",
	                              -1, &st, NULL) == SQLITE_OK);
	FUZZ_CHECK(sqlite3_step(st) == SQLITE_ROW);
	image.n = (size_t)sqlite3_column_bytes(st, 0);
	FUZZ_CHECK(image.n > 100 && (image.p = malloc(image.n)) != NULL);
	memcpy(image.p, sqlite3_column_blob(st, 0), image.n);
	sqlite3_finalize(st);
	sqlite3_close(db);
	kit_tpl = read_file(kit_db);
}

static void write_seeds(const char *out);
static void read_kit_tables(void);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *seeds = getenv("FUZZ_KIT_SEEDS");

	(void)argc;
	(void)argv;
	/* One thread, and no memory statistics: SQLite's mutexes (taken on
	 * every call and every malloc in Debian's serialized build) were a
	 * tenth of the run.  The merge's logic is the same in either mode. */
	FUZZ_CHECK(sqlite3_config(SQLITE_CONFIG_SINGLETHREAD) == SQLITE_OK);
	FUZZ_CHECK(sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK);
	snprintf(dir, sizeof dir, "%s/td-fuzz-kit-XXXXXX",
	         access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	FUZZ_CHECK(mkdtemp(dir) != NULL);
	atexit(cleanup);
	snprintf(home_db, sizeof home_db, "%s/home.db", dir);
	snprintf(kit_db, sizeof kit_db, "%s/field.kit", dir);
	make_home();
	field_work();
	keep_kit();
	read_kit_tables();
	home_tpl = read_file(home_db);
	home_fp = fingerprint();
	integrity(home_rd);
	kit_patched = 1;   /* keep_kit's reading left -wal and -shm behind */
	/* Once: a fresh buffer of this size per input costs an mmap. */
	FUZZ_CHECK((work = malloc(kit_tpl.n > image.n ? kit_tpl.n : image.n)) != NULL);
	fprintf(stderr, "fuzz-kit: home %zu bytes, kit %zu bytes, image %zu bytes\n",
	        home_tpl.n, kit_tpl.n, image.n);
	if (seeds)
		write_seeds(seeds);
	return 0;
}

/* ---- the kit of one input --------------------------------------------------- */

/* Patches: each is 3 bytes of offset (big-endian, taken modulo the
 * target's length), 1 byte of length, then that many bytes (fewer when
 * the input ends), written over the target and cut at its end. */
static void apply_patches(uint8_t *t, size_t tn, const uint8_t *d, size_t n)
{
	while (tn > 0 && n >= 4) {
		size_t off = ((size_t)d[0] << 16 | (size_t)d[1] << 8 | d[2]) % tn;
		size_t len = d[3];
		d += 4;
		n -= 4;
		if (len > n)
			len = n;
		memcpy(t + off, d, len < tn - off ? len : tn - off);
		d += len;
		n -= len;
	}
}

/* The kit file is the template again (the merge only reads the kit:
 * after a merge it is as before, image aside). */
static void restore_kit(const uint8_t *bytes)
{
	sqlite3_close(kit_wr);
	kit_wr = NULL;
	td_reg_remove(kit_db);
	write_file(kit_db, bytes, kit_tpl.n);
	kit_patched = bytes != kit_tpl.p;
}

/* The kit file from the template, with img as its image. */
static void write_kit(const void *img, size_t n)
{
	sqlite3_stmt *st;

	if (kit_patched)
		restore_kit(kit_tpl.p);
	if (!kit_wr)
		FUZZ_CHECK(sqlite3_open(kit_db, &kit_wr) == SQLITE_OK);
	FUZZ_CHECK(sqlite3_prepare_v2(kit_wr, "UPDATE kit_base SET image = ?"
	                              " WHERE id = 1", -1, &st, NULL) == SQLITE_OK);
	sqlite3_bind_blob64(st, 1, n ? img : "", n, SQLITE_STATIC);
	FUZZ_CHECK(sqlite3_step(st) == SQLITE_DONE);
	sqlite3_finalize(st);
}

/* The kit's tables and their columns, read once from the template. */
#define MAX_KIT_TABLES 64
static struct edit_table {
	char *name;
	char **cols;
	int ncols;
} kit_tables[MAX_KIT_TABLES];
static int n_kit_tables;

static void read_kit_tables(void)
{
	sqlite3_stmt *st, *ci;
	sqlite3 *db;

	FUZZ_CHECK(sqlite3_open_v2(kit_db, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
	FUZZ_CHECK(sqlite3_prepare_v2(db, REAL_TABLES, -1, &st, NULL) == SQLITE_OK);
	FUZZ_CHECK(sqlite3_prepare_v2(db, "SELECT name FROM pragma_table_info(?)",
	                              -1, &ci, NULL) == SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW && n_kit_tables < MAX_KIT_TABLES) {
		struct edit_table *t = &kit_tables[n_kit_tables++];
		FUZZ_CHECK((t->name = strdup((const char *)sqlite3_column_text(st, 0))));
		sqlite3_bind_text(ci, 1, t->name, -1, SQLITE_STATIC);
		while (sqlite3_step(ci) == SQLITE_ROW) {
			FUZZ_CHECK((t->cols = realloc(t->cols, (t->ncols + 1) * sizeof *t->cols)));
			FUZZ_CHECK((t->cols[t->ncols++] =
			            strdup((const char *)sqlite3_column_text(ci, 0))));
		}
		sqlite3_reset(ci);
	}
	sqlite3_finalize(ci);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void free_kit_tables(void)
{
	for (int i = 0; i < n_kit_tables; i++) {
		for (int c = 0; c < kit_tables[i].ncols; c++)
			free(kit_tables[i].cols[c]);
		free(kit_tables[i].cols);
		free(kit_tables[i].name);
	}
	n_kit_tables = 0;
}

/* One edit, from 5 bytes and a value: table (d[0]), what (d[1]: bits 0-1
 * set a column to the value / delete the row / set it NULL / set it to
 * the value as an integer; bit 2 binds the value as text, else as a
 * blob), row (d[2]: the row at that offset in rowid order), column
 * (d[3]), value length (d[4]), then the value.  An edit the schema
 * refuses (NOT NULL, CHECK, UNIQUE, a trigger) is skipped.  Returns the
 * bytes used. */
static size_t apply_edit(const uint8_t *d, size_t n)
{
	const struct edit_table *t = &kit_tables[d[0] % n_kit_tables];
	const char *col = t->cols[d[3] % t->ncols];
	size_t len = d[4] < n - 5 ? d[4] : n - 5;
	const uint8_t *value = d + 5;
	sqlite3_int64 as_int = 0;
	sqlite3_stmt *st;
	char *sql;

	if ((d[1] & 3) == 1)
		sql = sqlite3_mprintf("DELETE FROM \"%w\" WHERE rowid = (SELECT rowid"
		                      " FROM \"%w\" ORDER BY rowid LIMIT 1 OFFSET ?2)",
		                      t->name, t->name);
	else
		sql = sqlite3_mprintf("UPDATE \"%w\" SET \"%w\" = ?1 WHERE rowid ="
		                      " (SELECT rowid FROM \"%w\" ORDER BY rowid LIMIT 1"
		                      " OFFSET ?2)", t->name, col, t->name);
	FUZZ_CHECK(sql != NULL);
	if (sqlite3_prepare_v2(kit_wr, sql, -1, &st, NULL) == SQLITE_OK) {
		if ((d[1] & 3) == 0 && (d[1] & 4))
			sqlite3_bind_text(st, 1, (const char *)value, (int)len, SQLITE_STATIC);
		else if ((d[1] & 3) == 0)
			sqlite3_bind_blob(st, 1, value, (int)len, SQLITE_STATIC);
		else if ((d[1] & 3) == 3) {
			for (size_t i = 0; i < len && i < 8; i++)
				as_int = (sqlite3_int64)((sqlite3_uint64)as_int << 8 | value[i]);
			sqlite3_bind_int64(st, 1, as_int);
		}
		sqlite3_bind_int(st, 2, d[2]);
		(void)sqlite3_step(st);
	}
	sqlite3_finalize(st);
	sqlite3_free(sql);
	return 5 + len;
}

/* The real kit with the edits of d applied, in one transaction. */
static void apply_edits(const uint8_t *d, size_t n)
{
	restore_kit(kit_tpl.p);
	FUZZ_CHECK(sqlite3_open(kit_db, &kit_wr) == SQLITE_OK);
	kit_patched = 1;
	sqlite3_exec(kit_wr, "BEGIN", NULL, NULL, NULL);
	while (n >= 5) {
		size_t used = apply_edit(d, n);
		d += used;
		n -= used;
	}
	sqlite3_exec(kit_wr, "COMMIT", NULL, NULL, NULL);
}

static void make_kit(const uint8_t *d, size_t n)
{
	int mode = d[0] & 7;
	size_t cut = image.n;

	d++;
	n--;
	if (mode >= 4) {
		apply_edits(d, n);
		return;
	}
	if (mode == 0) {
		write_kit(d, n);
		return;
	}
	if (mode == 3 && n >= 3) {
		cut = ((size_t)d[0] << 16 | (size_t)d[1] << 8 | d[2]) % (image.n + 1);
		d += 3;
		n -= 3;
	}
	if (mode == 2) {
		memcpy(work, kit_tpl.p, kit_tpl.n);
		apply_patches(work, kit_tpl.n, d, n);
		restore_kit(work);
	} else {
		memcpy(work, image.p, cut);
		apply_patches(work, cut, d, n);
		write_kit(work, cut);
	}
}

/* The merge reads a kit and never writes it: merging a file that was not
 * a kit once wrote a registry's tables into it.  Its inode, size and
 * modification time (nanoseconds on tmpfs) stay as they were. */
static struct stat kit_stat(void)
{
	struct stat st;

	FUZZ_CHECK(stat(kit_db, &st) == 0);
	return st;
}

static void kit_unchanged(const struct stat *before)
{
	struct stat now = kit_stat();

	FUZZ_CHECK(now.st_ino == before->st_ino && now.st_size == before->st_size &&
	           now.st_mtim.tv_sec == before->st_mtim.tv_sec &&
	           now.st_mtim.tv_nsec == before->st_mtim.tv_nsec);
}

/* ---- one input ---------------------------------------------------------------- */

/* Home as it was before the merge: only after a merge that changed it
 * (a refused one must leave it as it was, and that is checked). */
static void restore_home(void)
{
	forget_tables();
	sqlite3_close(home_rd);
	home_rd = NULL;
	td_reg_remove(home_db);
	write_file(home_db, home_tpl.p, home_tpl.n);
}

/* After a merge home took: whole, its audit chain verifies, and merging
 * the same kit again commits nothing at all (data_version unchanged). */
static void merged(struct td_registry *home)
{
	struct td_kit_merge_report again;
	struct td_error err;
	int64_t rows, bad, version;
	int rc;

	FUZZ_CHECK(td_reg_audit_verify(home, &rows, &bad, &err) == 0);
	open_home_rd();
	integrity(home_rd);
	version = home_version();
	rc = td_reg_kit_merge(home, kit_db, &again, &err);
	if (rc != 0)
		fprintf(stderr, "fuzz-kit: merging again: %s\n", err.message);
	FUZZ_CHECK(rc == 0);
	FUZZ_CHECK(again.already == 1);
	FUZZ_CHECK(home_version() == version);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct td_kit_merge_report rep;
	struct td_registry *home;
	struct td_error err;
	struct stat kit_before;
	int64_t version;
	int rc;

	if (size < 1)
		return 0;
	make_kit(data, size);
	kit_before = kit_stat();
	version = home_version();
	home = open_reg(home_db, 0, "home");
	rc = td_reg_kit_merge(home, kit_db, &rep, &err);
	if (getenv("FUZZ_VERBOSE"))
		fprintf(stderr, "fuzz-kit: merge %d%s%s (+%lld ~%lld -%lld, %lld"
		        " conflicts)\n", rc, rc ? ": " : "", rc ? err.message : "",
		        (long long)rep.inserted, (long long)rep.updated,
		        (long long)rep.deleted, (long long)rep.conflicts);
	if (rc == 0) {
		FUZZ_CHECK(!rep.already);
		/* A merge commits (kit_merged at least): home_version sees it,
		 * which is what the check of a refused merge relies on. */
		FUZZ_CHECK(home_version() != version);
		merged(home);
	} else {
		/* The kit's fault (bad data, a conflict with home): a kit
		 * can never make the merge an internal or registry failure. */
		FUZZ_CHECK((rc == TD_ERR_DATA || rc == TD_ERR_CONFLICT ||
		            rc == TD_ERR_NOMEM) && err.message[0]);
		/* Committed nothing, or committed and put every row back. */
		FUZZ_CHECK(home_version() == version || fingerprint() == home_fp);
	}
	td_reg_close(home);
	kit_unchanged(&kit_before);
	if (rc == 0)
		restore_home();
	return 0;
}

/* ---- seeds (FUZZ_KIT_SEEDS=DIR) ------------------------------------------------ */

static void seed(const char *out, const char *name, const void *p, size_t n)
{
	char path[4200];

	snprintf(path, sizeof path, "%s/%s", out, name);
	write_file(path, p, n);
}

/* A patch seed: mode, then one patch of text at the first occurrence of
 * find in the image (or the kit file, mode 2). */
static void seed_patch(const char *out, const char *name, int mode,
                       const char *find, const char *text)
{
	const struct bytes *t = mode == 2 ? &kit_tpl : &image;
	const uint8_t *at = memmem(t->p, t->n, find, strlen(find));
	uint8_t buf[64];
	size_t off, len = strlen(text);

	FUZZ_CHECK(at != NULL && len < sizeof buf - 5);
	off = (size_t)(at - t->p);
	buf[0] = (uint8_t)mode;
	buf[1] = (uint8_t)(off >> 16);
	buf[2] = (uint8_t)(off >> 8);
	buf[3] = (uint8_t)off;
	buf[4] = (uint8_t)len;
	memcpy(buf + 5, text, len);
	seed(out, name, buf, 5 + len);
}

/* A small database of its own (one table named like a kit table), as an
 * image: the merge must refuse it cleanly. */
static void seed_tiny(const char *out)
{
	sqlite3_int64 n = 0;
	unsigned char *img;
	uint8_t *buf;
	sqlite3 *db;

	FUZZ_CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
	FUZZ_CHECK(sqlite3_exec(db, "PRAGMA page_size = 512; CREATE TABLE tag"
	                        " (id INTEGER PRIMARY KEY, target TEXT);"
	                        " INSERT INTO tag VALUES (1, 'A093')", NULL, NULL,
	                        NULL) == SQLITE_OK);
	img = sqlite3_serialize(db, "main", &n, 0);
	FUZZ_CHECK(img && n > 0 && (buf = malloc((size_t)n + 1)) != NULL);
	buf[0] = 0;
	memcpy(buf + 1, img, (size_t)n);
	seed(out, "image-tiny-db", buf, (size_t)n + 1);
	free(buf);
	sqlite3_free(img);
	sqlite3_close(db);
}

/* An edit seed (mode 4): one edit of table.column (see apply_edit). */
static void seed_edit(const char *out, const char *name, const char *table,
                      const char *column, uint8_t what, uint8_t row,
                      const char *value)
{
	uint8_t buf[64] = { 4 };
	size_t len = strlen(value);
	int ti = -1, ci = -1;

	for (int i = 0; i < n_kit_tables; i++)
		if (strcmp(kit_tables[i].name, table) == 0)
			ti = i;
	FUZZ_CHECK(ti >= 0 && len < sizeof buf - 6);
	for (int c = 0; c < kit_tables[ti].ncols; c++)
		if (strcmp(kit_tables[ti].cols[c], column) == 0)
			ci = c;
	FUZZ_CHECK(ci >= 0);
	buf[1] = (uint8_t)ti;
	buf[2] = what;
	buf[3] = row;
	buf[4] = (uint8_t)ci;
	buf[5] = (uint8_t)len;
	memcpy(buf + 6, value, len);
	seed(out, name, buf, 6 + len);
}

static void write_seeds(const char *out)
{
	const uint8_t empty[] = { 0 }, as_made[] = { 1 }, kit_as_is[] = { 2 };
	/* The kit file's schema version (user_version, header offset 60) set
	 * to 1: the merge's opening of it once tried to migrate it, and
	 * failed with a registry error, exit 70. */
	const uint8_t old_version[] = { 2, 0, 0, 60, 4, 0, 0, 0, 1 };
	uint8_t half[4] = { 3, (uint8_t)(image.n / 2 >> 16),
	                    (uint8_t)(image.n / 2 >> 8), (uint8_t)(image.n / 2) };

	seed(out, "image-empty", empty, sizeof empty);
	seed(out, "image-as-made", as_made, sizeof as_made);
	seed(out, "kit-as-is", kit_as_is, sizeof kit_as_is);
	seed(out, "image-truncated-half", half, sizeof half);
	seed_tiny(out);
	seed_patch(out, "image-not-sqlite", 1, "SQLite format 3", "SQLjunk format 3");
	/* A serial changed under its unique index: a malformed image. */
	seed_patch(out, "image-serial-vs-index", 1, "TKA093", "TKZ093");
	/* A token row of the image that differs from the kit's: an update
	 * in the changeset that home already holds. */
	seed_patch(out, "image-token-model", 1, "5110", "5111");
	seed_patch(out, "kit-token-serial", 2, "TKA081", "TKZ081");
	seed_patch(out, "kit-audit-tampered", 2, "kit.make", "kit.mXke");
	seed(out, "kit-schema-version-1", old_version, sizeof old_version);
	/* Raw edits in the field, no audit row: a token moved, a custody
	 * event gone, a handover number as a blob, a tag's state a number. */
	seed_edit(out, "edit-token-custodian", "token", "custodian", 4, 0, "dost");
	seed_edit(out, "edit-custody-event-deleted", "custody_event", "id", 1, 0, "");
	seed_edit(out, "edit-handover-number-blob", "handover", "number", 0, 0, "BG-1");
	seed_edit(out, "edit-tag-state-int", "tag", "state", 3, 0, "\x01\x02");
}
