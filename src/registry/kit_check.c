/* kit_check.c: a kit checked before anything of it is merged.
 *
 * The kit file is read once into a private copy (kit_guard.c) and that
 * copy is checked: it is whole (SQLite's integrity_check), it is a kit
 * (meta kit_uuid), its schema is this release's (an older kit is
 * migrated on the copy) and holds only what tokendesk's compiled schema
 * does, its own audit chain verifies, and it was made from this
 * registry.  kit_merge.c and kit_refresh.c start here. */
#include <config.h>

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "registry/kit.h"

/* Was the kit made from this registry?  The audit head the kit quotes
 * ("id:hash", its meta) must be here, unchanged, and home must have
 * noted the kit: the SHA-256 of the image the kit holds of itself (image,
 * taken before any upgrade), as home's kit.begin, kit.make or
 * kit.refresh(.begin) rows of its uuid recorded it.  Uuid and anchor
 * can be copied from home's audit log; the image of a kit made here
 * cannot be made elsewhere.  Kits home recorded before images were
 * (no image_sha256 in its rows): the uuid must be one home noted. */
static int check_origin(struct td_registry *home, struct td_registry *kit,
                        const char *uuid, const char *image, const char *kit_path,
                        int *image_unknown, struct td_error *err)
{
	char *head = kit_meta_get(kit, "main", "kit_home_audit_head"), *colon = NULL;
	int64_t head_id = 0;
	sqlite3_stmt *st;
	int same = 1, made = 0;

	if (head && (colon = strchr(head, ':'))) {
		*colon = '\0';
		head_id = strtoll(head, NULL, 10);
		same = 0;
		if (sqlite3_prepare_v2(home->db, "SELECT hash = ? FROM audit WHERE id = ?",
		                       -1, &st, NULL) == SQLITE_OK) {
			sqlite3_bind_text(st, 1, colon + 1, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 2, head_id);
			same = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
			sqlite3_finalize(st);
		}
	}   /* else made from an empty registry: no head to quote */
	free(head);
	/* made: 1 when home noted this kit (its image, or for a kit noted
	 * without images its uuid); 2 when home noted images of the uuid,
	 * but not this one */
	if (same && sqlite3_prepare_v2(home->db, "SELECT max(json_extract(after,"
	                               " '$.image_sha256') IS ?2), count(json_extract("
	                               "after, '$.image_sha256')) FROM audit WHERE entity"
	                               " = 'kit' AND entity_key = ?1 AND action IN"
	                               " ('kit.begin', 'kit.make', 'kit.refresh',"
	                               " 'kit.refresh.begin')", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, image, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW &&
		    sqlite3_column_type(st, 0) != SQLITE_NULL)
			made = sqlite3_column_int(st, 0) ? 1
			       : sqlite3_column_int(st, 1) ? 2 : 1;
		sqlite3_finalize(st);
	}
	if (!same)
		return td_error_set(err, TD_ERR_CONFLICT, "kit %s was not made from this"
		                    " registry (its audit anchor is not here); not merged",
		                    kit_path);
	if (!made)
		return td_error_set(err, TD_ERR_CONFLICT, "kit %s was not made from this"
		                    " registry (this registry's audit has no kit make of"
		                    " it); not merged", kit_path);
	*image_unknown = made == 2;
	return TD_OK;
}

/* SQLite's words in a registry error: "registry: " is td_reg_exec's
 * prefix, wrong once the fault is laid at the kit's door. */
const char *kit_sqlite_reason(const struct td_error *err)
{
	return strncmp(err->message, "registry: ", 10) == 0 ? err->message + 10
	                                                    : err->message;
}

/* The refusal of a damaged kit (what: the kit or its image), with the
 * first line of SQLite's reason. */
int kit_refuse_damaged(struct td_error *err, const char *what, const char *why)
{
	return td_error_set(err, TD_ERR_DATA, "%s is damaged (%.*s); not merged:"
	                    " copy it again from the field", what,
	                    (int)strcspn(why, "\n"), why);
}

/* A row breaking a CHECK or NOT NULL of the schema: the file is whole,
 * its content is refused later, with the rule named (blame_kit). */
static int content_fault(const char *why)
{
	const char *nl = strchr(why, '\n');

	if (strncmp(why, "*** ", 4) == 0 && nl)
		why = nl + 1;
	return strncmp(why, "CHECK constraint failed", 23) == 0 ||
	       strncmp(why, "NULL value in", 13) == 0;
}

/* Is the database file (or image) attached as schema whole?  A kit comes
 * back on a USB stick; a damaged page can read back differently from one
 * open to the next (SQLite reads a cell that runs off its page from
 * whatever lies past it), so a damaged kit was merged, then called "not a
 * field kit" when merged again (fuzz-kit).  Nothing of a kit is
 * migrated, diffed or written before this says it is whole (kit_check
 * reads the kit's meta and audit rows beside it, kit_async.c, and a
 * damaged kit is refused as damaged).  what names it in the message. */
int kit_check_whole(struct td_registry *reg, const char *schema,
                    const char *what, struct td_error *err)
{
	char *sql = sqlite3_mprintf("PRAGMA \"%w\".integrity_check(1)", schema);
	sqlite3_stmt *st = NULL;
	const char *why = NULL;
	int rc = TD_OK;

	if (!sql)
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	if (sqlite3_prepare_v2(reg->db, sql, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		why = sqlite3_errmsg(reg->db);
	else if (strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0 &&
	         !content_fault((const char *)sqlite3_column_text(st, 0)))
		why = (const char *)sqlite3_column_text(st, 0);
	if (why) {
		/* integrity_check's first line may name the database alone
		 * ("*** in database main ***"); the fault is on the next. */
		const char *nl = strchr(why, '\n');
		if (strncmp(why, "*** ", 4) == 0 && nl)
			why = nl + 1;
		rc = kit_refuse_damaged(err, what, why);
	}
	sqlite3_finalize(st);
	sqlite3_free(sql);
	return rc;
}

/* The form td_reg_uuid writes: 8-4-4-4-12 lowercase hex digits.  Anything
 * else did not come from `kit make` (and is stored with every field audit
 * row as it stands). */
static int uuid_ok(const char *id)
{
	for (int i = 0; i < 36; i++) {
		int dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? id[i] != '-' : !((id[i] >= '0' && id[i] <= '9') ||
		                            (id[i] >= 'a' && id[i] <= 'f')))
			return 0;
	}
	return id[36] == '\0';
}

/* 1 when path starts as text (a list or a note given where the kit was
 * meant, a name mistyped), which no kit does, damaged or whole: every
 * SQLite file starts "SQLite format 3" and a NUL within its first 16
 * bytes. */
static int text_file(const char *path)
{
	unsigned char head[16];
	/* Not following a link, and not blocking: a FIFO planted as the
	 * kit would hang a plain open for ever.  Anything but a regular
	 * file is left to copy_kit, which refuses it by name. */
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	ssize_t n = 0;

	if (fd < 0)
		return 0;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		n = read(fd, head, sizeof head);
	close(fd);
	for (ssize_t i = 0; i < n; i++)
		if (head[i] < 0x20 && head[i] != '\t' && head[i] != '\r' &&
		    head[i] != '\n')
			return 0;
	return n > 0;
}

/* A kit from another version of tokendesk: said so, with what to do.
 * (An older kit could be migrated on a copy; not done yet.) */
static int schema_mismatch(const char *kit_path, int kit_version,
                           int home_version, struct td_error *err)
{
	if (kit_version > home_version)
		return td_error_set(err, TD_ERR_DATA, "kit %s was made by a newer "
		                    "tokendesk (registry schema %d; this one knows %d):"
		                    " upgrade tokendesk here, then merge it", kit_path,
		                    kit_version, home_version);
	return td_error_set(err, TD_ERR_DATA, "kit %s was made before this "
	                    "registry was upgraded (schema %d; the registry is at"
	                    " %d), and a kit older than schema %d cannot be merged"
	                    " across an upgrade: keep the kit as it is", kit_path,
	                    kit_version, home_version, KIT_MIGRATE_FROM);
}

/* A kit made before home's last upgrade: its private copy (never the
 * file) is migrated to home's schema, so it is inspected, verified and
 * diffed as a kit made today would be; its image is migrated the same
 * way in copy_image.  Other versions: refused, named. */
static int kit_upgrade(struct td_registry **kit, struct td_registry *home,
                       const char *kit_path, int *older, struct td_error *err)
{
	int kit_version = td_reg_schema_version(*kit);
	int home_version = td_reg_schema_version(home);

	if (kit_version == home_version)
		return TD_OK;
	if (kit_version < KIT_MIGRATE_FROM || kit_version > home_version)
		return schema_mismatch(kit_path, kit_version, home_version, err);
	*older = 1;
	return kit_copy_migrate(kit, err);
}

/* A connection to the kit that could write (it never does), guarded as
 * kit_guard.c's are; rw.db NULL when the medium is read-only. */
static struct td_registry open_writable(const char *kit_path)
{
	struct td_registry rw = { .db = NULL };
	char *path = strncmp(kit_path, "file:", 5) == 0
	             ? sqlite3_mprintf("./%s", kit_path)
	             : sqlite3_mprintf("%s", kit_path);

	if (path && sqlite3_open_v2(path, &rw.db, SQLITE_OPEN_READWRITE |
	                            SQLITE_OPEN_NOFOLLOW, NULL) != SQLITE_OK) {
		sqlite3_close(rw.db);
		rw.db = NULL;
	}
	sqlite3_free(path);
	if (rw.db) {
		sqlite3_db_config(rw.db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
		sqlite3_db_config(rw.db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
		sqlite3_db_config(rw.db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, (int *)NULL);
		sqlite3_db_config(rw.db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, (int *)NULL);
		sqlite3_busy_timeout(rw.db, 5000);
	}
	return rw;
}

/* The kit as a private copy (kit_guard.c): the file is read once, in one
 * read transaction, and never again.  A file SQLite cannot copy is
 * checked in place for the fault to name.  The copy is read through a
 * second, writable connection (writing nothing) when the medium allows:
 * the last connection to close removes the -wal and -shm files that
 * reading a WAL file makes, as the field desk's own close does. */
static int copy_kit(const char *kit_path, struct td_registry **copy,
                    struct td_error *err)
{
	/* Read-only: a file that is not a kit (a wrong name typed, an empty
	 * file) must come out as it went in, not migrated into a registry. */
	struct td_registry *file, rw;
	char what[sizeof err->message];
	int rc;

	if (!(file = td_reg_open(kit_path, TD_REG_READONLY, err)))
		return err->code != TD_ERR_NOTFOUND ? err->code
		       : td_error_set(err, TD_ERR_NOTFOUND, "no kit at %s", kit_path);
	rw = open_writable(kit_path);
	snprintf(what, sizeof what, "kit %s", kit_path);
	if ((rc = kit_copy_file(rw.db ? &rw : file, what, copy, err)) < 0) {
		struct td_error why;
		int code = (rw.db ? rw.last_db_code : file->last_db_code) & 0xff;
		if (kit_check_whole(file, "main", what, &why) < 0) {
			*err = why, rc = why.code;
		} else if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) {
			/* a schema SQLite cannot parse (fuzz-kit): damaged too */
			char reason[sizeof err->message];
			snprintf(reason, sizeof reason, "%s", kit_sqlite_reason(err));
			rc = kit_refuse_damaged(err, what, strncmp(reason, "reading the kit: ",
			                    17) == 0 ? reason + 17 : reason);
		}
	}
	td_reg_close(file);
	sqlite3_close(rw.db);
	return rc;
}

/* Is the copy attached to home as schema readable there?  A header
 * naming another text encoding passes a connection of its own but not
 * home's UTF-8 (fuzz-kit): damaged, like a bad page. */
int kit_share_checked(struct td_registry *home, struct td_registry *copy,
                      const char *schema, const char *what,
                      struct td_error *err)
{
	char *sql = sqlite3_mprintf("SELECT count(*) FROM \"%w\".sqlite_master",
	                            schema);
	int rc = kit_share(home, copy, schema, err);

	if (rc == TD_OK && sql &&
	    sqlite3_exec(home->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		char why[sizeof err->message];
		snprintf(why, sizeof why, "%s", sqlite3_errmsg(home->db));
		rc = kit_refuse_damaged(err, what, why);
	}
	sqlite3_free(sql);
	return rc;
}

int kit_check(struct td_registry *home, struct kit_merge *m,
              const char *kit_path, char uuid[37], int64_t *audit_base,
              int64_t *audit_rows, struct td_error *err)
{
	struct td_registry *kit;
	struct kit_async whole;
	struct td_error damaged;
	char what[sizeof err->message], image[65] = "";
	int64_t bad;
	char *id, *base;
	int rc = TD_OK;

	if (text_file(kit_path))
		return td_error_set(err, TD_ERR_DATA, "%s is not a field kit but a"
		                    " text file (kits are made by `tokendesk kit"
		                    " make`)", kit_path);
	if ((rc = copy_kit(kit_path, &m->kitc, err)) < 0)
		return rc;
	kit = m->kitc;
	snprintf(what, sizeof what, "kit %s", kit_path);
	/* Whole or not is known before anything is acted on (a damaged kit
	 * is refused as damaged, whatever else it fails), but the rows read
	 * meanwhile are only read: the check runs beside them (kit_async.c). */
	if ((rc = kit_async_whole(&whole, kit, what, err)) < 0)
		return rc;
	id = kit_meta_get(kit, "main", "kit_uuid");
	base = kit_meta_get(kit, "main", "kit_audit_base");
	if (!id || !base || !uuid_ok(id))
		rc = td_error_set(err, TD_ERR_DATA, "%s is not a field kit (made by"
		                  " `tokendesk kit make`)", kit_path);
	else if ((rc = kit_image_sha256(kit, image, err)) < 0)
		;   /* the image as made, before any upgrade changes it */
	else if (td_reg_schema_version(kit) != td_reg_schema_version(home) &&
	         (rc = kit_async_wait(&whole, err)) < 0)
		;   /* a damaged kit is not migrated */
	else if ((rc = kit_upgrade(&m->kitc, home, kit_path, &m->kit_older, err)) < 0)
		;
	else if ((rc = kit_inspect(kit = m->kitc, m->ref, what, err)) < 0)
		;
	else if (td_reg_audit_verify(kit, audit_rows, &bad, err) < 0) {
		char why[sizeof err->message];
		snprintf(why, sizeof why, "%s", err->message);
		rc = td_error_set(err, TD_ERR_CONFLICT, "the kit's audit log does not"
		                  " verify at row %" PRId64 "; not merged: %s", bad, why);
	} else
		rc = check_origin(home, kit, id, image, kit_path, &m->image_unknown, err);
	if (kit_async_wait(&whole, &damaged) < 0)
		*err = damaged, rc = damaged.code;
	if (rc == TD_OK) {
		snprintf(uuid, 37, "%s", id);
		*audit_base = strtoll(base, NULL, 10);
	}
	free(id);
	free(base);
	return rc;
}
