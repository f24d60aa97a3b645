/* kit_refresh.c: home's changes brought to a field kit (kit refresh).
 *
 * A team that keeps its stick between tours would otherwise work on the
 * custody home had when the kit was made.  A refresh gives the kit home's
 * rows of its scope as they stand now, as kit make would (kit_fill_rows),
 * plus what the team did that home now holds: its handover series (so
 * its numbering goes on) and its counts still open.  Only a kit whose
 * work home holds is refreshed (kit_refresh_check: merge it first), so no
 * field work is overwritten.
 *
 * The kit keeps its uuid and its audit chain, which gains a kit.refresh
 * row; its image (kit_base) becomes the kit as refreshed and its
 * kit_audit_base that row: the next merge diffs against the refreshed
 * kit and checks what was recorded after the refresh (kit_merge.c:
 * refreshed).
 *
 * All or nothing on a full or pulled stick: the refreshed kit is written
 * beside the kit (KIT.refreshing-UUID8), synced, and renamed over it
 * only when whole; the folder is synced after.  Until then the old kit
 * stands as it was.  Home audits the refresh (kit.refresh) after the
 * rename: a crash between leaves the kit refreshed and mergeable, only
 * home's row missing. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "registry/kit.h"
#include "tokendesk/outfile.h"
#include "tokendesk/text.h"

/* Write n bytes to a new file path (0600, never through a link), synced. */
static int write_new(const char *path, const unsigned char *bytes, size_t n,
                     struct td_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	size_t done = 0;

	if (fd < 0)
		return td_error_set(err, TD_ERR_IO, "%s: %s", path, strerror(errno));
	while (done < n) {
		ssize_t w = write(fd, bytes + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = w < 0 ? errno : ENOSPC;
			close(fd);
			return td_error_set(err, TD_ERR_IO, "%s: %s", path, strerror(e));
		}
		done += (size_t)w;
	}
	if (fsync(fd) != 0 || close(fd) != 0)
		return td_error_set(err, TD_ERR_IO, "%s: %s", path, strerror(errno));
	return TD_OK;
}

static int sync_path(const char *path, int dir, struct td_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | (dir ? O_DIRECTORY : O_NOFOLLOW));
	int rc = TD_OK;

	if (fd < 0 || fsync(fd) != 0)
		rc = td_error_set(err, TD_ERR_IO, "%s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}

/* The kit's rows as they were, for the report: what home changed. */
static const char *const keep_old =
	"CREATE TEMP TABLE old_token AS SELECT serial, state, custodian FROM main.token;"
	"CREATE TEMP TABLE old_move AS SELECT t.serial, e.at, e.to_custodian"
	"  FROM main.custody_event e JOIN main.token t ON t.id = e.token_id;"
	"CREATE TEMP TABLE old_dossier AS SELECT ref, status, agency_id FROM main.dossier;"
	"CREATE TEMP TABLE old_tag AS SELECT target_kind, target, kind, state FROM " TD_TAG_ROWS " t;"
	"CREATE TEMP TABLE old_holder AS SELECT ext_id, name, position, email, agency_id,"
	"  no_longer_needed FROM main.holder;";

static const char *const changed_sql =
	"SELECT json_object("
	" 'tokens', (SELECT count(*) FROM (SELECT serial, state, custodian FROM main.token"
	"   EXCEPT SELECT * FROM temp.old_token)),"
	" 'custody_moves', (SELECT count(*) FROM (SELECT t.serial, e.at, e.to_custodian"
	"   FROM main.custody_event e JOIN main.token t ON t.id = e.token_id"
	"   EXCEPT SELECT * FROM temp.old_move)),"
	" 'dossiers', (SELECT count(*) FROM (SELECT ref, status, agency_id FROM main.dossier"
	"   EXCEPT SELECT * FROM temp.old_dossier)),"
	" 'tags', (SELECT count(*) FROM (SELECT target_kind, target, kind, state FROM"
	"   " TD_TAG_ROWS " t EXCEPT SELECT * FROM temp.old_tag)),"
	" 'officials', (SELECT count(*) FROM (SELECT ext_id, name, position, email,"
	"   agency_id, no_longer_needed FROM main.holder EXCEPT SELECT * FROM"
	"   temp.old_holder)),"
	" 'home_audit_head', (SELECT value FROM home.meta WHERE key = 'audit_head'))";

/* Empty the kit's data tables (not its audit, meta or bookkeeping). */
static int clear_rows(struct td_registry *kit, struct td_error *err)
{
	struct kit_schema ks;
	int rc;

	if ((rc = kit_schema_load(kit, "main", &ks, err)) < 0)
		return rc;
	for (int i = ks.n - 1; rc == TD_OK && i >= 0; i--)
		if (ks.t[i].kind == KIT_FIELD || ks.t[i].kind == KIT_HOME_ONLY)
			rc = kit_exec(kit, err, "DELETE FROM main.\"%w\"", ks.t[i].name);
	kit_schema_free(&ks);
	if (rc == TD_OK)
		rc = td_reg_exec(kit, "INSERT INTO main.search_idx (search_idx)"
		                 " VALUES ('delete-all')", err);
	return rc;
}

/* The agencies the kit was made for (meta kit_agencies, "A,B"). */
static size_t split_codes(char *list, const char **codes, size_t max)
{
	size_t n = 0;
	char *save = NULL;

	for (char *p = strtok_r(list, ",", &save); p && n < max;
	     p = strtok_r(NULL, ",", &save))
		if (*p)
			codes[n++] = p;
	return n;
}

/* The agencies the kit was made for, as home recorded them at kit make
 * (its kit.make row; heap "A,B"), or NULL: the kit's own meta could be
 * edited on the stick to draw the whole province into it. */
static char *home_agencies(struct td_registry *kit, const char *uuid)
{
	sqlite3_stmt *st;
	char *list = NULL;

	if (sqlite3_prepare_v2(kit->db, "SELECT json_extract(after, '$.agencies')"
	                       " FROM home.audit WHERE entity = 'kit' AND entity_key"
	                       " = ?1 AND action IN ('kit.begin', 'kit.make') ORDER BY"
	                       " id DESC LIMIT 1", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			list = td_reg_col_dup(st, 0);
		sqlite3_finalize(st);
	}
	return list;
}

/* In the kit's transaction: home's rows now, the report, meta, the
 * kit.refresh row; *summary gets what changed (heap JSON).  The kit's
 * agencies are those home recorded at kit make. */
static int refill(struct td_registry *kit, const char *uuid, char **summary,
                  struct td_error *err)
{
	char *list = home_agencies(kit, uuid), series[8], at[21];
	const char *codes[256];
	struct td_kit_info info = { .rows = 0 };
	sqlite3_stmt *st;
	size_t n = 0;
	int rc;

	*summary = NULL;
	/* the kit's handover series: its uuid's first six hex digits, upper
	 * case (handover.c) */
	size_t k = 0;
	for (const char *p = uuid; *p && k < 6; p++)
		if (*p != '-')
			series[k++] = (char)(*p >= 'a' && *p <= 'f' ? *p - 'a' + 'A' : *p);
	series[k] = '\0';
	if (!list || !(n = split_codes(list, codes, 256))) {
		free(list);
		return td_error_set(err, TD_ERR_DATA, "the kit names no agencies; it"
		                    " cannot be refreshed");
	}
	if ((rc = td_reg_exec(kit, keep_old, err)) < 0 ||
	    (rc = clear_rows(kit, err)) < 0 ||
	    (rc = kit_fill_rows(kit, codes, n, series, &info, err)) < 0) {
		free(list);
		return rc;
	}
	free(list);
	if (sqlite3_prepare_v2(kit->db, changed_sql, -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(kit, err, "refreshing the kit");
	if (sqlite3_step(st) == SQLITE_ROW)
		*summary = td_reg_col_dup(st, 0);
	sqlite3_finalize(st);
	if (!*summary)
		return td_reg_db_error(kit, err, "refreshing the kit");
	td_now_iso(at);
	rc = kit_exec(kit, err, "INSERT OR REPLACE INTO main.meta (key, value) VALUES"
	              " ('kit_refreshed_at', %Q), ('kit_home_audit_head', (SELECT value"
	              " FROM home.meta WHERE key = 'audit_head'))", at);
	if (rc == TD_OK)
		rc = td_reg_audit(kit, "kit.refresh", "kit", uuid, NULL, *summary, err);
	if (rc == TD_OK)
		rc = td_reg_exec(kit, "INSERT OR REPLACE INTO main.meta (key, value)"
		                 " VALUES ('kit_audit_base', (SELECT max(id) FROM"
		                 " main.audit))", err);
	return rc;
}

/* Refresh the kit written at tmp (a copy of the kit) from home. */
static int refresh_file(struct td_registry *home, const char *tmp, const char *uuid,
                        char **summary, char image_sha256[65], struct td_error *err)
{
	struct td_registry *kit = td_reg_open(tmp, TD_REG_KIT, err);
	int rc;

	if (!kit)
		return err->code;
	td_reg_set_operator(kit, td_reg_operator(home));
	sqlite3_exec(kit->db, "PRAGMA foreign_keys = OFF", NULL, NULL, NULL);
	if ((rc = td_reg_attach(kit, home->path, "home", err)) == TD_OK) {
		if ((rc = td_reg_begin(kit, err)) == TD_OK) {
			if ((rc = refill(kit, uuid, summary, err)) == TD_OK)
				rc = td_reg_commit(kit, err);
			else
				td_reg_rollback(kit);
		}
		sqlite3_exec(kit->db, "DETACH home", NULL, NULL, NULL);
	}
	sqlite3_exec(kit->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	/* the image as made holds no image (kit make takes it before
	 * storing it): the old one goes first, or each refresh would nest
	 * the kit's every earlier image in the new one; and the pages the
	 * old rows left free go too (an image copies them) */
	if (rc == TD_OK)
		rc = td_reg_exec(kit, "DELETE FROM main.kit_base; VACUUM", err);
	if (rc == TD_OK)
		rc = kit_store_image(kit, image_sha256, err);
	td_reg_close(kit);   /* the last connection: the WAL goes into the file */
	return rc;
}

/* Put tmp in the kit's place: it must stand alone (no -wal), synced,
 * then the rename, then the folder synced. */
static int replace_kit(const char *tmp, const char *kit_path, struct td_error *err)
{
	char wal[PATH_MAX + 48], dir[PATH_MAX];
	struct stat st;
	int rc;

	snprintf(wal, sizeof wal, "%s-wal", tmp);
	if (lstat(wal, &st) == 0 && st.st_size > 0)
		return td_error_set(err, TD_ERR_IO, "the kit's journal %s was not"
		                    " emptied into it", wal);
	if ((rc = sync_path(tmp, 0, err)) < 0)
		return rc;
	if (rename(tmp, kit_path) != 0)
		return td_error_set(err, TD_ERR_IO, "%s: %s", kit_path, strerror(errno));
	td_reg_remove(tmp);   /* its -shm, if any */
	snprintf(dir, sizeof dir, "%s", kit_path);
	return sync_path(dirname(dir), 1, err);
}

/* Home's audit row action about the refresh of kit uuid: summary, with
 * the SHA-256 of the image the refreshed kit holds of itself. */
static int audit_home(struct td_registry *home, const char *action, const char *uuid,
                      const char *summary, const char *image_sha256,
                      struct td_error *err)
{
	sqlite3_stmt *st;
	char *after = NULL;
	int rc = td_reg_begin(home, err);

	if (rc < 0)
		return rc;
	if (sqlite3_prepare_v2(home->db, "SELECT json_set(?1, '$.image_sha256', ?2)",
	                       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, summary, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, image_sha256, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			after = td_reg_col_dup(st, 0);
		sqlite3_finalize(st);
	}
	rc = after ? td_reg_audit(home, action, "kit", uuid, NULL, after, err)
	           : td_reg_db_error(home, err, "recording the refresh");
	free(after);
	return td_reg_end(home, rc, err);
}

int td_reg_kit_refresh(struct td_registry *home, const char *kit_path,
                       struct td_kit_refresh_report *rep, struct td_error *err)
{
	struct td_registry *copy = NULL;
	char tmp[PATH_MAX + 32], *summary = NULL, image[65] = "";
	unsigned char *bytes;
	sqlite3_int64 n = 0;
	int rc;

	memset(rep, 0, sizeof *rep);
	if (strlen(kit_path) >= PATH_MAX)
		return td_error_set(err, TD_ERR_USAGE, "the kit's path is too long");
	if ((rc = td_outfile_check(kit_path, err)) < 0)   /* a link, a device */
		return rc;
	if ((rc = kit_refresh_check(home, kit_path, rep->uuid, &copy, err)) < 0)
		return rc;
	/* the copy read once, checked: written beside the kit, refreshed
	 * there, and only then put in its place */
	bytes = sqlite3_serialize(copy->db, "main", &n, 0);
	td_reg_close(copy);
	if (!bytes || n < 100) {
		sqlite3_free(bytes);
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	}
	bytes[18] = bytes[19] = 1;   /* a rollback-journal file, as kit make writes */
	snprintf(tmp, sizeof tmp, "%s.refreshing-%.8s", kit_path, rep->uuid);
	td_reg_remove(tmp);          /* what a crashed refresh left */
	rc = write_new(tmp, bytes, (size_t)n, err);
	sqlite3_free(bytes);
	if (rc == TD_OK)
		rc = refresh_file(home, tmp, rep->uuid, &summary, image, err);
	/* home notes the refreshed kit's image before it takes the kit's
	 * place (kit.refresh.begin): a kill between leaves a kit home still
	 * tells for its own (kit_check.c: check_origin) */
	if (rc == TD_OK)
		rc = audit_home(home, "kit.refresh.begin", rep->uuid, summary, image, err);
	if (rc == TD_OK)
		rc = replace_kit(tmp, kit_path, err);
	if (rc < 0) {
		char why[sizeof err->message];
		td_reg_remove(tmp);
		snprintf(why, sizeof why, "%s", strncmp(err->message, "registry: ", 10) == 0
		         ? err->message + 10 : err->message);
		free(summary);
		return td_error_set(err, err->code, "kit %s not refreshed (it is as it"
		                    " was): %s", kit_path, why);
	}
	sscanf(summary, "{\"tokens\":%lld,\"custody_moves\":%lld,\"dossiers\":%lld,"
	       "\"tags\":%lld,\"officials\":%lld", &rep->tokens, &rep->moves,
	       &rep->dossiers, &rep->tags, &rep->officials);
	rc = audit_home(home, "kit.refresh", rep->uuid, summary, image, err);
	free(summary);
	return rc;
}
