/* db.c: opening the registry file safely, transactions, statement cache. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "registry/internal.h"
#include "tokendesk/outfile.h"
#include "tokendesk/text.h"

extern const char *const td_reg_stmt_sql[ST__COUNT];

/* Marks a text the desk translates (po/POTFILES.in lists this file). */
#define N_(s) s

static const char moved_text[] =
	N_("the registry at this path was moved, replaced or deleted since it "
	   "was opened; nothing was recorded");

/* Whether the registry's mode forbids writing it.  Root may write any
 * file whatever its mode, and SQLite would; but whoever ran `chmod 400`
 * on a registry (one archived, one kept for an audit) meant it to be
 * read only, so it is, for root too, as rm and editors honour it. */
static int write_protected(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && !(st.st_mode & S_IWUSR);
}

/* Why the registry cannot be written, or NULL when it can: SQLite says
 * only "read-only" or "unable to open database file". */
static const char *why_readonly(const char *path)
{
	char dir[PATH_MAX];

	if (access(path, W_OK) < 0)
		return errno == EROFS ? "the file system is mounted read-only"
		                      : "the file is not writable";
	if (write_protected(path))
		return "its mode has no write permission; `chmod 600` it to write";
	td_path_dir(path, dir, sizeof dir);
	if (access(dir, W_OK) < 0)
		return errno == EROFS ? "the file system is mounted read-only"
		                      : "its directory is not writable, so its "
		                        "journal cannot be made";
	return NULL;
}

int td_reg_db_error(struct td_registry *reg, struct td_error *err,
                    const char *what)
{
	const char *why;
	int rc = sqlite3_extended_errcode(reg->db);
	const char *msg = sqlite3_errmsg(reg->db);

	reg->last_db_code = rc;
	/* A full disk met while growing the -shm or writing a page comes as
	 * an I/O error ("disk I/O error", exit 70): the OS says why. */
	if ((rc & 0xff) == SQLITE_FULL ||
	    ((rc & 0xff) == SQLITE_IOERR && sqlite3_system_errno(reg->db) == ENOSPC))
		return td_error_set(err, TD_ERR_IO, "%s: the disk is full; "
		                    "nothing was changed", what);
	if ((rc & 0xff) == SQLITE_READONLY || ((rc & 0xff) == SQLITE_CANTOPEN &&
	    (why = why_readonly(reg->path))))
		return td_error_set(err, TD_ERR_PERM, "%s: the registry %s is "
		                    "read-only; nothing was changed (%s)", what, reg->path,
		                    (why = why_readonly(reg->path)) ? why :
		                    "SQLite refused to write");
	if ((rc & 0xff) == SQLITE_BUSY && reg->busy_abandoned)
		return td_error_set(err, TD_ERR_CANCELLED, "%s: given up while "
		                    "another desk or command was writing; nothing "
		                    "was changed", what);
	if ((rc & 0xff) == SQLITE_BUSY)
		return td_error_set(err, TD_ERR_BUSY, "%s: the registry is busy: "
		                    "another desk or command kept it locked for "
		                    "writing for %d.%d s (the wait busy-ms allows: "
		                    "%d ms); nothing was changed; try again later",
		                    what, reg->busy_waited_ms / 1000,
		                    reg->busy_waited_ms % 1000 / 100, reg->busy_ms);
	return td_error_set(err, TD_ERR_DB, "%s: %s", what, msg);
}

int td_reg_exec(struct td_registry *reg, const char *sql, struct td_error *err)
{
	if (sqlite3_exec(reg->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "registry");
	return TD_OK;
}

long long td_reg_cache_size(struct td_registry *reg)
{
	sqlite3_stmt *st;
	long long v = -2000;   /* SQLite's default */

	if (sqlite3_prepare_v2(reg->db, "PRAGMA cache_size", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	return v;
}

void td_reg_set_cache_size(struct td_registry *reg, long long v)
{
	char sql[64];

	snprintf(sql, sizeof sql, "PRAGMA cache_size = %lld", v);
	sqlite3_exec(reg->db, sql, NULL, NULL, NULL);
}

/* mkdir -p for the registry's directory, private to the user. */
static int make_parent_dirs(const char *path)
{
	char *copy = strdup(path);
	int rc = 0;

	if (!copy)
		return -1;
	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0700) < 0 && errno != EEXIST)
			rc = -1;
		*p = '/';
	}
	free(copy);
	return rc;
}

/* Refuse a registry others could have changed, as ssh does for keys;
 * and, unless it is a field kit, one others could read. */
static int check_file_safety(const char *path, const struct stat *st, int flags,
                             struct td_error *err)
{
	if (!S_ISREG(st->st_mode))
		return td_error_set(err, TD_ERR_PERM, "%s is not a regular file", path);
	if (st->st_uid != geteuid())
		return td_error_set(err, TD_ERR_PERM,
		                    "registry %s is owned by another user (uid %ld); "
		                    "refusing to use it", path, (long)st->st_uid);
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return td_error_set(err, TD_ERR_PERM,
		                    "registry %s is writable by group or others (mode %04o); "
		                    "refusing to use it: run `chmod 600 %s`",
		                    path, (unsigned)(st->st_mode & 07777), path);
	if (!(flags & TD_REG_KIT) && (st->st_mode & S_IROTH))
		return td_error_set(err, TD_ERR_PERM,
		                    "registry %s is readable by others (mode %04o), and "
		                    "it holds citizens' ID numbers; refusing to use it: "
		                    "run `chmod 600 %s`",
		                    path, (unsigned)(st->st_mode & 07777), path);
	return TD_OK;
}

/* The registry's directory: whoever may write in it may rename another
 * file over the registry or its WAL (a sticky /tmp keeps them from
 * removing ours, not from planting -wal or -shm before it exists). */
static int check_directory(const char *path, int flags, struct td_error *err)
{
	char dir[PATH_MAX];
	struct stat st;

	if (flags & TD_REG_KIT)
		return TD_OK;
	td_path_dir(path, dir, sizeof dir);
	if (stat(dir, &st) != 0 || !(st.st_mode & (S_IWGRP | S_IWOTH)))
		return TD_OK;   /* a missing directory is reported on creation */
	/* a shared folder (sticky, as /tmp) is not the user's to close */
	if (st.st_uid == geteuid() && !(st.st_mode & S_ISVTX))
		return td_error_set(err, TD_ERR_PERM,
		                    "the directory %s of registry %s is writable by group "
		                    "or others (mode %04o): another user could put a file "
		                    "in the registry's place; refusing to use it: run "
		                    "`chmod 700 %s`", dir, path,
		                    (unsigned)(st.st_mode & 07777), dir);
	return td_error_set(err, TD_ERR_PERM,
	                    "the directory %s of registry %s is shared (mode %04o): "
	                    "another user could put a file in the registry's place; "
	                    "refusing to use it: move the registry into a directory "
	                    "of your own (`mkdir -m 700 DIR`)", dir, path,
	                    (unsigned)(st.st_mode & 07777));
}

static int create_file(const char *path, int flags, struct td_error *err)
{
	char dir[PATH_MAX];
	int fd;

	if ((flags & TD_REG_CREATE_DIRS) && make_parent_dirs(path) < 0)
		return td_error_set(err, TD_ERR_IO, "cannot create the directory of %s: %s",
		                    path, strerror(errno));
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 && errno == ENOENT) {
		td_path_dir(path, dir, sizeof dir);
		return td_error_set(err, TD_ERR_IO, "cannot create %s: there is no "
		                    "directory %s (a drive not mounted, a name "
		                    "mistyped?)", path, dir);
	}
	if (fd < 0)
		return td_error_set(err, TD_ERR_IO, "cannot create %s: %s",
		                    path, strerror(errno));
	close(fd);
	return TD_OK;
}

/* SQLite's companions (-wal, -shm) follow the registry's rules: whoever
 * can write the WAL can change the registry.  SQLite gives them the
 * registry's mode when it makes them, so a spell of `chmod 400` leaves a
 * read-only -shm that would keep the registry read-only after the
 * operator's `chmod 600`: once the registry is writable again, so are
 * they (they are ours: check_file_safety said so). */
static int check_companions(const char *path, int flags, struct td_error *err)
{
	static const char *const suffixes[] = { "-wal", "-shm", "-journal" };
	char p[4096];
	struct stat st;
	int rc;

	for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
		snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
		if (lstat(p, &st) < 0)
			continue;
		if ((rc = check_file_safety(p, &st, flags, err)) < 0)
			return rc;
		if (!(st.st_mode & S_IWUSR) && access(path, W_OK) == 0 &&
		    !write_protected(path))
			chmod(p, 0600);
	}
	return TD_OK;
}

static int prepare_file(const char *path, int flags, struct td_error *err)
{
	struct stat st;
	int rc;

	if ((rc = check_directory(path, flags, err)) < 0)
		return rc;
	/* lstat: a symlink is refused here, clearly, rather than by
	 * SQLITE_OPEN_NOFOLLOW as "unable to open database file". */
	if (lstat(path, &st) == 0)
		return (rc = check_file_safety(path, &st, flags, err)) < 0
		       ? rc : check_companions(path, flags, err);
	if (errno != ENOENT)
		return td_error_set(err, TD_ERR_IO, "%s: %s", path, strerror(errno));
	if (!(flags & TD_REG_CREATE))
		return td_error_set(err, TD_ERR_NOTFOUND,
		                    "no registry at %s; create it with `tokendesk init` "
		                    "or name another with --db", path);
	return create_file(path, flags, err);
}

/* td_fold(text) in SQL, so set-based statements (and schema.c's steps)
 * index folded text. */
static void sql_fold(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char *in = sqlite3_value_text(argv[0]);
	char *out;

	(void)argc;
	if (!in) {
		sqlite3_result_null(ctx);
		return;
	}
	out = td_fold((const char *)in);
	if (out)
		sqlite3_result_text(ctx, out, -1, free);
	else
		sqlite3_result_null(ctx);
}

/* td_sha256(text) in SQL: the lowercase hex SHA-256 of the text's
 * UTF-8, NULL for NULL.  Audit images digest rows with it (a count's
 * frozen lines, a stored plan: TD_COUNT_LINES_SHA256, TD_PLAN_SHA256). */
static void sql_sha256(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char *in = sqlite3_value_text(argv[0]);
	struct td_error err;
	char hex[65];

	(void)argc;
	if (!in)
		sqlite3_result_null(ctx);
	else if (td_sha256_of(in, (size_t)sqlite3_value_bytes(argv[0]), hex, &err) < 0)
		sqlite3_result_error_nomem(ctx);
	else
		sqlite3_result_text(ctx, hex, 64, SQLITE_TRANSIENT);
}

void td_reg_functions(struct td_registry *reg)
{
	sqlite3_create_function(reg->db, "td_fold", 1,
	                        SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
	                        NULL, sql_fold, NULL, NULL);
	sqlite3_create_function(reg->db, "td_sha256", 1,
	                        SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
	                        NULL, sql_sha256, NULL, NULL);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* SQLite's busy handler: 1 to try the lock again, 0 to give up (the
 * statement then fails with SQLITE_BUSY).  Short sleeps first, as a
 * desk's own write is over in milliseconds; then 50 ms, so the desk's
 * wait() reads Esc promptly. */
static int on_busy(void *arg, int count)
{
	struct td_registry *reg = arg;
	struct timespec pause = { 0, 0 };
	int waited;

	if (count == 0) {
		reg->busy_since_ms = now_ms();
		reg->busy_abandoned = 0;
	}
	waited = (int)(now_ms() - reg->busy_since_ms);
	reg->busy_waited_ms = waited;
	if (waited >= reg->busy_ms)
		return 0;
	if (reg->busy_wait && reg->busy_wait(reg->busy_ctx, waited)) {
		reg->busy_abandoned = 1;
		return 0;
	}
	pause.tv_nsec = (count < 10 ? 5 : 50) * 1000000L;
	nanosleep(&pause, NULL);
	return 1;
}

void td_reg_set_busy(struct td_registry *reg, int ms,
                     int (*wait)(void *ctx, int waited_ms), void *ctx)
{
	reg->busy_ms = ms > 0 ? ms : TD_REG_BUSY_MS;
	reg->busy_wait = wait;
	reg->busy_ctx = ctx;
	sqlite3_busy_handler(reg->db, on_busy, reg);
}

const char *td_reg_open_note(const struct td_registry *reg)
{
	return reg->open_note;
}

static int configure_connection(struct td_registry *reg, int flags,
                                struct td_error *err)
{
	int rc;

	td_reg_set_busy(reg, TD_REG_BUSY_MS, NULL, NULL);
	/* A field kit merged here is a file from elsewhere: with defensive
	 * mode and an untrusted schema, nothing in an attached file's
	 * schema (triggers, views, defaults) may call a function with side
	 * effects, and no statement may corrupt the file on purpose.  The
	 * registry's own schema uses innocuous functions only. */
	sqlite3_db_config(reg->db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
	sqlite3_db_config(reg->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
	td_reg_functions(reg);
	sqlite3_extended_result_codes(reg->db, 1);
	if ((rc = td_reg_exec(reg, "PRAGMA foreign_keys = ON", err)) < 0)
		return rc;
	if (flags & TD_REG_READONLY)
		return TD_OK;
	/* A new file gets 16 KiB pages (set before its first page is
	 * written, and before WAL, which fixes the size): a national list's
	 * B-trees are shallower and the file smaller (issue 27: 838 -> 641 MB
	 * with the other changes measured there).  An existing file keeps
	 * its size. */
	if ((rc = td_reg_exec(reg, "PRAGMA page_size = 16384", err)) < 0)
		return rc;
	/* WAL: readers (the desk) never block the writer; FULL: a commit
	 * survives power loss, which field laptops do suffer. */
	if ((rc = td_reg_exec(reg, "PRAGMA journal_mode = WAL", err)) < 0 ||
	    (rc = td_reg_exec(reg, "PRAGMA synchronous = FULL", err)) < 0)
		return rc;
	return td_reg_migrate(reg, err);
}

/* path as SQLite must be given it: Debian's SQLite reads a name starting
 * with "file:" as a URI, so such a (relative) path gets "./" in front.
 * Returns path itself or buf. */
static const char *sqlite_path(const char *path, char *buf, size_t size)
{
	if (strncmp(path, "file:", 5) != 0)
		return path;
	snprintf(buf, size, "./%s", path);
	return buf;
}

int td_reg_attach(struct td_registry *reg, const char *path, const char *schema,
                  struct td_error *err)
{
	char plain[PATH_MAX + 3];
	char *sql = sqlite3_mprintf("ATTACH %Q AS \"%w\"",
	                            sqlite_path(path, plain, sizeof plain), schema);
	int rc = sql ? td_reg_exec(reg, sql, err)
	             : td_error_set(err, TD_ERR_NOMEM, "out of memory");

	sqlite3_free(sql);
	return rc;
}

/* A file SQLite cannot read as a database at all is not a registry
 * failure to report as "registry: file is not a database" (exit 70, no
 * file named): it is the operator's file, damaged or of another kind. */
static void not_a_registry(struct td_registry *reg, struct td_error *err)
{
	int code = reg->last_db_code & 0xff;

	if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT)
		td_error_set(err, TD_ERR_DATA, "%s is damaged, or is not a tokendesk"
		             " registry (%s)", reg->path, sqlite3_errstr(code));
}

/* 0 when the file SQLite holds open is still the one at reg->path.
 * SQLite's own look (SQLITE_FCNTL_HAS_MOVED: the inode it opened against
 * stat of the path) tells a file renamed or deleted under it; device and
 * inode of lstat, as at the open, also a link put in its place.  A desk
 * open for days under which someone ran `mv backup.db registry.db` wrote
 * into the file no longer there (or mixed the backup with the WAL) and
 * said it was recorded. */
static int check_same_file(struct td_registry *reg, struct td_error *err)
{
	struct stat st;
	int moved = 0;

	if (sqlite3_file_control(reg->db, "main", SQLITE_FCNTL_HAS_MOVED,
	                         &moved) != SQLITE_OK)
		moved = 0;
	if (!moved && lstat(reg->path, &st) == 0 && st.st_dev == reg->dev &&
	    st.st_ino == reg->ino)
		return TD_OK;
	return td_error_set_at(err, TD_ERR_IO, reg->path, 0, NULL, "%s", moved_text);
}

/* Which file was opened, for check_same_file; and it is the one that
 * prepare_file looked at (not one swapped in meanwhile). */
static int remember_file(struct td_registry *reg, struct td_error *err)
{
	struct stat st;

	if (lstat(reg->path, &st) != 0)
		return td_error_set_at(err, TD_ERR_IO, reg->path, 0, NULL, "%s",
		                       moved_text);
	reg->dev = st.st_dev;
	reg->ino = st.st_ino;
	return check_same_file(reg, err);
}

/* Whether the last failure on reg was the disk being full. */
static int disk_full(const struct td_registry *reg)
{
	int code = reg->last_db_code & 0xff;

	return code == SQLITE_FULL || (code == SQLITE_IOERR && reg->db &&
	       sqlite3_system_errno(reg->db) == ENOSPC);
}

/* name as an SQLite URI asking for an immutable, read-only file:
 * percent-escaped but for letters, digits and "/-._~". */
static char *immutable_uri(const char *path)
{
	size_t n = strlen(path);
	char *uri = malloc(3 * n + 32), *o = uri;

	if (!uri)
		return NULL;
	o += sprintf(o, "file:");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/-._~", *p))
			*o++ = (char)*p;
		else
			o += sprintf(o, "%%%02X", *p);
	strcpy(o, "?mode=ro&immutable=1");
	return uri;
}

/* 1 when path's -wal is missing or empty: nothing committed is only
 * there, so reading the file alone (immutable) misses nothing. */
static int wal_empty(const char *path)
{
	char wal[PATH_MAX + 8];
	struct stat st;

	snprintf(wal, sizeof wal, "%s-wal", path);
	return lstat(wal, &st) < 0 ? errno == ENOENT : st.st_size == 0;
}

enum open_how { OPEN_NORMAL, OPEN_IMMUTABLE };

/* SQLite keeps memory statistics under a global mutex taken on every
 * allocation (a 1M load makes tens of millions); tokendesk never reads
 * them.  Settable only before SQLite initializes, at the first open;
 * later it is refused (SQLITE_MISUSE) and harmless. */
static void sqlite_setup(void)
{
	static int done;

	if (!done) {
		done = 1;
		sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	}
}

/* One try at opening path.  NULL with err filled; *full tells whether
 * the disk being full was why. */
static struct td_registry *open_once(const char *path, int flags,
                                     enum open_how how, int *full,
                                     struct td_error *err)
{
	struct td_registry *reg;
	int oflags = (flags & TD_REG_READONLY) ? SQLITE_OPEN_READONLY
	                                       : SQLITE_OPEN_READWRITE;
	char plain[PATH_MAX + 3], *uri = NULL;
	const char *name = sqlite_path(path, plain, sizeof plain);

	*full = 0;
	/* As SQLite itself opens a file it may not write: read-only, so
	 * what reads still works and the first write is refused. */
	if (write_protected(path))
		oflags = SQLITE_OPEN_READONLY;
	if (how == OPEN_IMMUTABLE) {
		if (!(uri = immutable_uri(path))) {
			td_error_set(err, TD_ERR_NOMEM, "out of memory");
			return NULL;
		}
		name = uri;
		oflags = SQLITE_OPEN_READONLY | SQLITE_OPEN_URI;
	}
	sqlite_setup();
	reg = calloc(1, sizeof *reg);
	if (!reg || !(reg->path = strdup(path))) {
		free(reg);
		free(uri);
		td_error_set(err, TD_ERR_NOMEM, "out of memory");
		return NULL;
	}
	/* NOMUTEX: a registry handle is used by one thread only (no thread
	 * of tokendesk's touches the registry); a load's million statements
	 * each took and gave back the connection's mutex (issue 27). */
	if (sqlite3_open_v2(name, &reg->db, oflags | SQLITE_OPEN_NOFOLLOW |
	                    SQLITE_OPEN_NOMUTEX, NULL)
	    != SQLITE_OK) {
		td_reg_db_error(reg, err, path);
		*full = disk_full(reg);
		td_reg_close(reg);
		free(uri);
		return NULL;
	}
	free(uri);
	/* the fallback's read-only open reads nothing yet: read, so a -shm
	 * that cannot be made fails here, not at the command's first query
	 * (other read-only opens, a kit's, judge the file themselves) */
	if (remember_file(reg, err) < 0 || configure_connection(reg, flags, err) < 0 ||
	    ((flags & TD_REG_READONLY) && (flags & TD_REG_READ_FALLBACK) &&
	     td_reg_exec(reg, "SELECT count(*) FROM sqlite_schema", err) < 0)) {
		*full = disk_full(reg);
		not_a_registry(reg, err);
		td_reg_close(reg);
		return NULL;
	}
	return reg;
}

/* The disk is full and the command only reads: the file read-only, or
 * else (no -shm can be made even for reading) immutable, when its WAL
 * holds nothing. */
static struct td_registry *open_for_reading(const char *path, int flags)
{
	struct td_error again;
	struct td_registry *reg;
	int full;

	flags |= TD_REG_READONLY;
	if (!(reg = open_once(path, flags, OPEN_NORMAL, &full, &again)) &&
	    wal_empty(path))
		reg = open_once(path, flags, OPEN_IMMUTABLE, &full, &again);
	if (!reg)
		return NULL;
	reg->open_note = strdup("the disk is full and the registry's shared-"
	                        "memory file (-shm) could not be made: opened "
	                        "read-only; reading works, nothing can be "
	                        "written until there is room");
	return reg;
}

struct td_registry *td_reg_open(const char *path, int flags, struct td_error *err)
{
	struct td_registry *reg;
	int full;

	if (prepare_file(path, flags, err) < 0)
		return NULL;
	reg = open_once(path, flags, OPEN_NORMAL, &full, err);
	if (!reg && full && (flags & TD_REG_READ_FALLBACK) &&
	    !(flags & TD_REG_READONLY))
		reg = open_for_reading(path, flags);   /* err keeps why */
	return reg;
}

void td_reg_close(struct td_registry *reg)
{
	if (!reg)
		return;
	if (reg->in_tx)
		td_reg_rollback(reg);
	for (int i = 0; i < ST__COUNT; i++)
		sqlite3_finalize(reg->stmts[i]);
	sqlite3_close(reg->db);
	td_sha256_free(reg->md_ctx);
	free(reg->open_note);
	free(reg->issuer_dn);
	free(reg->operator_name);
	free(reg->path);
	free(reg);
}

void td_reg_set_operator(struct td_registry *reg, const char *operator_name)
{
	free(reg->operator_name);
	reg->operator_name = operator_name ? strdup(operator_name) : NULL;
}

const char *td_reg_operator(const struct td_registry *reg)
{
	return reg->operator_name ? reg->operator_name : "unknown";
}

int td_reg_read_only(struct td_registry *reg)
{
	return sqlite3_db_readonly(reg->db, "main") == 1;
}

/* Both counts only grow: this connection's rows changed (total_changes)
 * and the commits of other connections SQLite has seen (data_version),
 * so their sum grows when either does.  The desk asks at every draw of
 * a record: the statement stays prepared. */
uint64_t td_reg_change_stamp(struct td_registry *reg)
{
	struct td_error err;
	sqlite3_stmt *st = td_reg_stmt(reg, ST_DATA_VERSION, &err);
	uint64_t stamp = (uint64_t)sqlite3_total_changes64(reg->db);

	if (st && sqlite3_step(st) == SQLITE_ROW)
		stamp += (uint64_t)sqlite3_column_int64(st, 0);
	if (st)
		sqlite3_reset(st);
	return stamp;
}

sqlite3_stmt *td_reg_stmt(struct td_registry *reg, enum td_stmt_id id,
                          struct td_error *err)
{
	sqlite3_stmt *st = reg->stmts[id];

	if (!st) {
		if (sqlite3_prepare_v3(reg->db, td_reg_stmt_sql[id], -1,
		                       SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
			td_reg_db_error(reg, err, "registry query");
			return NULL;
		}
		reg->stmts[id] = st;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

int td_reg_bind_text(sqlite3_stmt *st, int idx, const char *s)
{
	if (!s || !*s)
		return sqlite3_bind_null(st, idx);
	return sqlite3_bind_text(st, idx, s, -1, SQLITE_STATIC);
}

char *td_reg_col_dup(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);
	return s ? strdup((const char *)s) : NULL;
}

int td_reg_require_tx(struct td_registry *reg, struct td_error *err)
{
	if (!reg->in_tx)
		return td_error_set(err, TD_ERR_INTERNAL,
		                    "registry write outside a transaction");
	return TD_OK;
}

int td_reg_begin(struct td_registry *reg, struct td_error *err)
{
	int rc;

	if (reg->in_tx)
		return td_error_set(err, TD_ERR_INTERNAL, "nested transaction");
	/* every write, of every command and of the desk, starts here */
	if ((rc = check_same_file(reg, err)) < 0)
		return rc;
	/* The write lock of BEGIN IMMEDIATE, on the registry alone.  BEGIN
	 * IMMEDIATE takes it on every attached file too (the kit a merge
	 * reads, home for a kit make), and COMMIT then commits each in turn:
	 * the registry's WAL commit is durable before the next one runs.  A
	 * kit whose header a USB stick mangled failed there, after home had
	 * taken the whole merge, and the merge was reported as refused
	 * (found by fuzz-kit).  A file only read is never committed.  The
	 * no-op UPDATE takes the lock at once, as IMMEDIATE did. */
	if ((rc = td_reg_exec(reg, "BEGIN", err)) < 0)
		return rc;
	if ((rc = td_reg_exec(reg, "UPDATE main.meta SET key = key WHERE 0", err)) < 0) {
		sqlite3_exec(reg->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	reg->in_tx = 1;
	reg->have_head = 0;
	free(reg->issuer_dn);   /* an issuer added by a rolled-back write is gone */
	reg->issuer_dn = NULL;
	reg->head_dirty = 0;
	return TD_OK;
}

int td_reg_read_snapshot(struct td_registry *reg,
                         int (*fn)(struct td_registry *reg, void *ctx,
                                   struct td_error *err),
                         void *ctx, struct td_error *err)
{
	int rc;

	if (reg->in_tx || !sqlite3_get_autocommit(reg->db))
		return fn(reg, ctx, err);
	/* a deferred BEGIN takes no lock; the first read fixes the snapshot */
	if ((rc = td_reg_exec(reg, "BEGIN", err)) < 0)
		return rc;
	rc = fn(reg, ctx, err);
	sqlite3_exec(reg->db, "COMMIT", NULL, NULL, NULL);
	return rc;
}

void td_reg_remove(const char *path)
{
	char side[4200];

	unlink(path);
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
}

int td_reg_end(struct td_registry *reg, int rc, struct td_error *err)
{
	if (rc == TD_OK)
		return td_reg_commit(reg, err);
	td_reg_rollback(reg);
	return rc;
}

int td_reg_commit(struct td_registry *reg, struct td_error *err)
{
	int rc;

	if (!reg->in_tx)
		return td_error_set(err, TD_ERR_INTERNAL, "commit without begin");
	/* once more before the commit: an import may have run for minutes */
	if ((rc = td_reg_bulk_flush(reg, err)) < 0 ||
	    (reg->head_dirty && (rc = td_reg_audit_flush_head(reg, err)) < 0) ||
	    (rc = check_same_file(reg, err)) < 0 ||
	    (rc = td_reg_exec(reg, "COMMIT", err)) < 0) {
		td_reg_rollback(reg);
		return rc;
	}
	reg->in_tx = 0;
	reg->have_head = 0;
	td_reg_bulk_end(reg);
	return TD_OK;
}

void td_reg_rollback(struct td_registry *reg)
{
	if (!reg->in_tx)
		return;
	for (int i = 0; i < ST__COUNT; i++)
		if (reg->stmts[i])
			sqlite3_reset(reg->stmts[i]);
	sqlite3_exec(reg->db, "ROLLBACK", NULL, NULL, NULL);
	reg->in_tx = 0;
	reg->have_head = 0;
	td_reg_bulk_end(reg);
}

int td_reg_is_field_kit(struct td_registry *reg)
{
	sqlite3_stmt *st;
	int kit = 0;

	if (sqlite3_prepare_v2(reg->db, "SELECT 1 FROM meta WHERE key = 'kit_uuid'",
	                       -1, &st, NULL) == SQLITE_OK)
		kit = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return kit;
}
