/* kit_make.c: cutting a field kit out of the home registry.
 *
 * The kit is a new registry file (same schema, same row ids) holding:
 *   agency       the subtrees asked for, and their ancestors (names only:
 *                an agency row holds no personal data, and DNs need them);
 *   holder       holders of agencies in the subtrees;
 *   token        tokens whose custodian is in the subtrees, and tokens
 *                bearing a certificate of a kit holder;
 *   certificate  certificates of kit holders;
 *   tag          tags on the kit's certificates, tokens and agencies;
 *   any other table (custody_event, and tables added later): the rows
 *                whose declared references all point at kit rows.
 * Its audit chain starts afresh with a kit.make row quoting the home
 * chain's head, so the kit verifies on its own.  Last, a pristine image
 * of the kit is stored inside it (kit_base): merging diffs against it.
 *
 * Why an image and not a session recorded while the team works: a
 * session lives in the memory of one connection, so a crash, a kill or
 * any writer that forgot to attach it would lose field changes silently.
 * A diff against the pristine image depends only on what is in the file,
 * which is exactly what "nothing recorded in the field may be lost"
 * asks for. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SQLITE_ENABLE_SESSION 1
#define SQLITE_ENABLE_PREUPDATE_HOOK 1
#include "registry/kit.h"
#include "tokendesk/outfile.h"
#include "tokendesk/text.h"

/* The tags a kit carries: what the team must do on its route. */
#define KIT_TAG_SCOPE \
	"(target_kind = 'cert' AND target IN (SELECT serial FROM" \
	"  main.certificate))" \
	" OR (target_kind = 'token' AND target IN (SELECT serial FROM" \
	"  main.token))" \
	" OR (target_kind = 'agency' AND target IN (SELECT code FROM" \
	"  main.agency WHERE id IN (SELECT id FROM temp.kit_sub)))"

/* The row filter of the named tables; NULL for the generic rule. */
static const char *named_filter(const char *table)
{
	if (strcmp(table, "agency") == 0)
		return "id IN (SELECT id FROM temp.kit_keep)";
	if (strcmp(table, "holder") == 0)
		return "agency_id IN (SELECT id FROM temp.kit_sub)";
	if (strcmp(table, "token") == 0)
		/* A kit holder's token in another agency's official's hands
		 * stays home: its custodian string names that official. */
		return "custodian IN (SELECT c FROM temp.kit_cust)"
		       " OR (custodian NOT LIKE 'holder:%' AND id IN (SELECT token_id"
		       "  FROM home.certificate WHERE holder_id IN"
		       "  (SELECT id FROM main.holder)))";
	if (strcmp(table, "issuer") == 0)   /* a handful of CAs: all of them */
		return "1";
	if (strcmp(table, "certificate") == 0)
		return "holder_id IN (SELECT id FROM main.holder)"
		       " AND (token_id IS NULL OR token_id IN (SELECT id FROM main.token))";
	if (strcmp(table, "tag") == 0)
		return KIT_TAG_SCOPE;
	if (strcmp(table, "tag_note") == 0)   /* the notes those tags name */
		return "id IN (SELECT note_id FROM home.tag WHERE " KIT_TAG_SCOPE ")";
	return NULL;
}

/* Generic rule: a row comes along when it references something and
 * everything it references is in the kit.  Returns NULL when the table
 * references nothing (it then starts empty in the kit). */
static char *generic_filter(const struct kit_table *t)
{
	char *any = NULL, *all = NULL, *out;

	for (int i = 0; i < t->nfk; i++) {
		const char *col = t->cols[t->fk[i].col];
		const char *pcol = t->fk[i].parent_col ? t->fk[i].parent_col : "rowid";
		if (t->fk[i].soft)
			continue;   /* only the merge follows undeclared references */
		char *a = sqlite3_mprintf("%s%s\"%w\" IS NOT NULL", any ? any : "",
		                          any ? " OR " : "", col);
		char *b = sqlite3_mprintf("%s%s(\"%w\" IS NULL OR \"%w\" IN (SELECT \"%w\""
		                          " FROM main.\"%w\"))", all ? all : "",
		                          all ? " AND " : "", col, col, pcol,
		                          t->fk[i].parent);
		sqlite3_free(any);
		sqlite3_free(all);
		any = a;
		all = b;
	}
	if (!any)
		return NULL;
	out = sqlite3_mprintf("(%s) AND %s", any, all);
	sqlite3_free(any);
	sqlite3_free(all);
	return out;
}

/* Custody history may name officials of other agencies ("holder:" and
 * their national id) as past custodians: those stay home.  Safe for the
 * merge: history rows are never changed in the field, so the diff does
 * not see them. */
static int scrub_history(struct td_registry *kit, struct td_error *err)
{
	static const char *const cols[] = { "from_custodian", "to_custodian" };
	int rc = TD_OK;

	for (int i = 0; rc == TD_OK && i < 2; i++)
		rc = kit_exec(kit, err, "UPDATE main.custody_event SET \"%w\" ="
		              " 'holder:(other agency)' WHERE \"%w\" LIKE 'holder:%%'"
		              " AND \"%w\" NOT IN (SELECT c FROM temp.kit_cust)",
		              cols[i], cols[i], cols[i]);
	return rc;
}

/* A refresh (series set: the kit's handover series) also carries what
 * the team itself did that home now holds: the handovers it numbered
 * (so its numbering goes on), and its counts still open (with their
 * scans, by the generic rule), so it can finish them. */
static char *refresh_filter(const char *table, const char *series)
{
	if (!series)
		return NULL;
	if (strcmp(table, "handover") == 0)
		return sqlite3_mprintf("series = %Q", series);
	if (strcmp(table, "count_session") == 0)
		return sqlite3_mprintf("closed_at IS NULL AND ((scope_kind = 'agency'"
		                       " AND scope IN (SELECT code FROM home.agency WHERE id IN"
		                       " (SELECT id FROM temp.kit_sub))) OR (scope_kind ="
		                       " 'custodian' AND scope IN (SELECT c FROM"
		                       " temp.kit_cust)))");
	return NULL;
}

static int copy_table(struct td_registry *kit, const struct kit_table *t,
                      const char *series, struct td_error *err)
{
	const char *named;
	char *generic;
	int rc;

	if (t->kind == KIT_AUDIT || t->kind == KIT_LOCAL)
		return TD_OK;
	if ((generic = refresh_filter(t->name, series))) {
		rc = kit_exec(kit, err, "INSERT INTO main.\"%w\" SELECT * FROM home.\"%w\""
		              " WHERE %s", t->name, t->name, generic);
		sqlite3_free(generic);
		return rc;
	}
	if ((named = named_filter(t->name)))
		return kit_exec(kit, err, "INSERT INTO main.\"%w\" SELECT * FROM"
		                " home.\"%w\" WHERE %s", t->name, t->name, named);
	if (!(generic = generic_filter(t)))
		return TD_OK;
	rc = kit_exec(kit, err, "INSERT INTO main.\"%w\" SELECT * FROM home.\"%w\""
	              " WHERE %s", t->name, t->name, generic);
	sqlite3_free(generic);
	return rc;
}

/* The agencies asked for, their subtrees, ancestors and custodians. */
static int make_scope(struct td_registry *kit, const char *const *codes, size_t n,
                      struct td_error *err)
{
	int rc;

	if ((rc = td_reg_exec(kit, "CREATE TEMP TABLE kit_root (code TEXT)", err)) < 0)
		return rc;
	for (size_t i = 0; i < n; i++)
		if ((rc = kit_exec(kit, err, "INSERT INTO temp.kit_root VALUES (%Q)",
		                   codes[i])) < 0)
			return rc;
	if ((rc = td_reg_exec(kit,
	        "CREATE TEMP TABLE kit_sub AS WITH RECURSIVE sub(id) AS ("
	        " SELECT id FROM home.agency WHERE code IN (SELECT code FROM temp.kit_root)"
	        " UNION SELECT a.id FROM home.agency a JOIN sub ON a.parent_id = sub.id)"
	        " SELECT id FROM sub", err)) < 0 ||
	    (rc = td_reg_exec(kit,
	        "CREATE TEMP TABLE kit_keep AS WITH RECURSIVE up(id) AS ("
	        " SELECT id FROM temp.kit_sub UNION SELECT a.parent_id FROM home.agency a"
	        " JOIN up ON a.id = up.id WHERE a.parent_id IS NOT NULL)"
	        " SELECT id FROM up", err)) < 0)
		return rc;
	return td_reg_exec(kit,
	        "CREATE TEMP TABLE kit_cust AS"
	        " SELECT 'agency:' || code AS c FROM home.agency"
	        "  WHERE id IN (SELECT id FROM temp.kit_sub)"
	        " UNION SELECT 'holder:' || ext_id FROM home.holder"
	        "  WHERE agency_id IN (SELECT id FROM temp.kit_sub)", err);
}

/* The search index is contentless: index the kit's rows afresh. */
static int reindex(struct td_registry *kit, struct td_error *err)
{
	static const struct { int kind; const char *sql; } parts[] = {
		{ TD_HIT_AGENCY, "SELECT id, name || ' ' || code FROM agency" },
		{ TD_HIT_HOLDER, "SELECT id, name || ' ' || ext_id FROM holder"
	                 /* a scan in rowid order, not the (kind, ext_id) key's:
	                  * the search index appends (bulk.c, index_fresh) */
	                 " WHERE +kind = 'person'" },
	};
	int rc = TD_OK;

	for (size_t i = 0; rc == TD_OK && i < sizeof parts / sizeof parts[0]; i++) {
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(kit->db, parts[i].sql, -1, &st, NULL) != SQLITE_OK)
			return td_reg_db_error(kit, err, "indexing the kit");
		while (rc == TD_OK && sqlite3_step(st) == SQLITE_ROW)
			rc = td_reg_index_put(kit, parts[i].kind, sqlite3_column_int64(st, 0),
			                      NULL, (const char *)sqlite3_column_text(st, 1),
			                      err);
		sqlite3_finalize(st);
	}
	return rc;
}

static int64_t count_rows(struct td_registry *kit, const char *table)
{
	char *sql = sqlite3_mprintf("SELECT count(*) FROM main.\"%w\"", table);
	sqlite3_stmt *st;
	int64_t n = 0;

	if (sql && sqlite3_prepare_v2(kit->db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_free(sql);
	return n;
}

static char *json_summary(struct td_registry *kit, const char *list,
                          const char *head, const struct td_kit_info *info)
{
	sqlite3_stmt *st;
	char *json = NULL;

	if (sqlite3_prepare_v2(kit->db, "SELECT json_object('agencies', ?,"
	                       " 'home_audit_head', ?, 'tokens', ?, 'holders', ?)",
	                       -1, &st, NULL) != SQLITE_OK)
		return NULL;
	td_reg_bind_text(st, 1, list);
	td_reg_bind_text(st, 2, head);
	sqlite3_bind_int64(st, 3, info->tokens);
	sqlite3_bind_int64(st, 4, info->holders);
	if (sqlite3_step(st) == SQLITE_ROW)
		json = td_reg_col_dup(st, 0);
	sqlite3_finalize(st);
	return json;
}

static int write_meta(struct td_registry *kit, const char *const *codes, size_t n,
                      struct td_kit_info *info, struct td_error *err)
{
	char at[21], *list = sqlite3_mprintf("%s", ""), *head, *summary;
	int rc;

	for (size_t i = 0; list && i < n; i++) {
		char *next = sqlite3_mprintf("%s%s%s", list, i ? "," : "", codes[i]);
		sqlite3_free(list);
		list = next;
	}
	head = kit_meta_get(kit, "home", "audit_head");
	td_now_iso(at);
	rc = kit_exec(kit, err, "INSERT OR REPLACE INTO main.meta (key, value) VALUES"
	              " ('kit_uuid', %Q), ('kit_agencies', %Q), ('kit_made_at', %Q),"
	              " ('kit_home_audit_head', %Q)", info->uuid, list, at, head);
	summary = json_summary(kit, list, head, info);
	if (rc == TD_OK)
		rc = td_reg_audit(kit, "kit.make", "kit", info->uuid, NULL, summary, err);
	if (rc == TD_OK)
		rc = kit_exec(kit, err, "INSERT OR REPLACE INTO main.meta (key, value)"
		              " VALUES ('kit_audit_base', (SELECT max(id) FROM main.audit))");
	free(summary);
	sqlite3_free(list);
	free(head);
	return rc;
}

int kit_fill_rows(struct td_registry *kit, const char *const *codes, size_t n,
                  const char *series, struct td_kit_info *info,
                  struct td_error *err)
{
	struct kit_schema ks;
	int rc;

	if ((rc = kit_schema_load(kit, "main", &ks, err)) < 0)
		return rc;
	rc = make_scope(kit, codes, n, err);
	/* Tags refer to certificates, tokens and agencies by key, not by a
	 * declared reference: they come last, after what they name, their
	 * notes just before them. */
	static const char *const last[] = { "tag_note", "tag" };
	for (int i = 0; rc == TD_OK && i < ks.n; i++)
		if (strcmp(ks.t[i].name, last[0]) != 0 && strcmp(ks.t[i].name, last[1]) != 0)
			rc = copy_table(kit, &ks.t[i], series, err);
	for (size_t i = 0; rc == TD_OK && i < sizeof last / sizeof last[0]; i++) {
		struct kit_table *t = kit_schema_find(&ks, last[i]);
		if (t)
			rc = copy_table(kit, t, series, err);
	}
	if (rc == TD_OK && kit_schema_find(&ks, "custody_event"))
		rc = scrub_history(kit, err);
	for (int i = 0; rc == TD_OK && i < ks.n; i++)
		if (ks.t[i].kind == KIT_FIELD || ks.t[i].kind == KIT_HOME_ONLY)
			info->rows += count_rows(kit, ks.t[i].name);
	kit_schema_free(&ks);
	if (rc < 0)
		return rc;
	info->agencies = count_rows(kit, "agency");
	info->holders = count_rows(kit, "holder");
	info->certificates = count_rows(kit, "certificate");
	info->tokens = count_rows(kit, "token");
	return reindex(kit, err);
}

static int fill(struct td_registry *kit, const char *const *codes, size_t n,
                struct td_kit_info *info, struct td_error *err)
{
	int rc = kit_fill_rows(kit, codes, n, NULL, info, err);

	return rc < 0 ? rc : write_meta(kit, codes, n, info, err);
}

/* sqlite3_serialize of the kit as made, stored in kit_base.  The header
 * is marked rollback-journal (bytes 18, 19) since an in-memory copy
 * cannot be in WAL mode. */
int kit_store_image(struct td_registry *kit, char sha256[65], struct td_error *err)
{
	sqlite3_int64 size = 0;
	unsigned char *image = sqlite3_serialize(kit->db, "main", &size, 0);
	sqlite3_stmt *st;
	int rc;

	if (!image || size < 100)
		return td_error_set(err, TD_ERR_DB, "cannot take the kit's image");
	image[18] = image[19] = 1;
	if (sha256 && (rc = td_sha256_of(image, (size_t)size, sha256, err)) < 0)
		goto out;
	if ((rc = td_reg_begin(kit, err)) < 0)
		goto out;
	if (sqlite3_prepare_v2(kit->db, "INSERT OR REPLACE INTO kit_base (id, image)"
	                       " VALUES (1, ?)",
	                       -1, &st, NULL) != SQLITE_OK) {
		rc = td_reg_db_error(kit, err, "storing the kit's image");
		td_reg_rollback(kit);
		goto out;
	}
	sqlite3_bind_blob64(st, 1, image, (sqlite3_uint64)size, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? TD_OK
	     : td_reg_db_error(kit, err, "storing the kit's image");
	sqlite3_finalize(st);
	if (rc == TD_OK)
		rc = td_reg_commit(kit, err);
	else
		td_reg_rollback(kit);
out:
	sqlite3_free(image);
	return rc;
}

int kit_image_sha256(struct td_registry *kit, char sha256[65], struct td_error *err)
{
	sqlite3_stmt *st;
	int rc = TD_OK;

	sha256[0] = '\0';
	if (sqlite3_prepare_v2(kit->db, "SELECT image FROM main.kit_base WHERE id = 1",
	                       -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(kit, err, "reading the kit's image");
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) > 0)
		rc = td_sha256_of(sqlite3_column_blob(st, 0),
		                  (size_t)sqlite3_column_bytes(st, 0), sha256, err);
	sqlite3_finalize(st);
	return rc;
}

static int check_codes(struct td_registry *home, const char *const *codes, size_t n,
                       struct td_error *err)
{
	struct td_agency a;

	if (n == 0)
		return td_error_set(err, TD_ERR_USAGE, "a kit needs at least one agency");
	for (size_t i = 0; i < n; i++) {
		int rc = td_reg_get_agency(home, codes[i], &a, err);
		if (rc == TD_ERR_NOTFOUND)
			return td_error_set(err, TD_ERR_NOTFOUND, "no agency with code %s",
			                    codes[i]);
		if (rc < 0)
			return rc;
		td_agency_clear(&a);
	}
	return TD_OK;
}

/* Home records the kit (audited, action kit.begin or kit.make): which
 * agencies left, and the SHA-256 of the image the kit holds of itself. */
static int register_kit(struct td_registry *home, const char *action,
                        const char *uuid, const char *const *codes, size_t n,
                        const char *image_sha256, struct td_error *err)
{
	char *list = sqlite3_mprintf("%s", ""), *after = NULL;
	sqlite3_stmt *st;
	int rc;

	for (size_t i = 0; list && i < n; i++) {
		char *next = sqlite3_mprintf("%s%s%s", list, i ? "," : "", codes[i]);
		sqlite3_free(list);
		list = next;
	}
	if (sqlite3_prepare_v2(home->db, "SELECT json_object('agencies', ?1,"
	                       " 'image_sha256', ?2)", -1, &st, NULL) == SQLITE_OK) {
		td_reg_bind_text(st, 1, list);
		td_reg_bind_text(st, 2, image_sha256);
		if (sqlite3_step(st) == SQLITE_ROW)
			after = td_reg_col_dup(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_free(list);
	if ((rc = td_reg_begin(home, err)) < 0) {
		free(after);
		return rc;
	}
	rc = td_reg_audit(home, action, "kit", uuid, NULL, after, err);
	if (rc == TD_OK)
		rc = td_reg_commit(home, err);
	else
		td_reg_rollback(home);
	free(after);
	return rc;
}

/* An error while writing the kit file may say "registry: ..." (the kit
 * is a registry file): name the kit, so a full stick is not taken for a
 * full home disk. */
static int kit_failed(const char *kit_path, struct td_error *err)
{
	char why[sizeof err->message];
	const char *msg = err->message;

	if (strncmp(msg, "registry: ", 10) == 0)
		msg += 10;
	snprintf(why, sizeof why, "%s", msg);
	return td_error_set(err, err->code, "kit %s not made: %s", kit_path, why);
}

/* Fill the new file at path: the kit's rows, then its image. */
static int write_kit(struct td_registry *home, const char *path,
                     const char *const *codes, size_t n,
                     struct td_kit_info *info, char image_sha256[65],
                     struct td_error *err)
{
	struct td_registry *kit = td_reg_open(path, TD_REG_CREATE | TD_REG_KIT, err);
	int rc;

	if (!kit)
		return err->code;
	td_reg_set_operator(kit, td_reg_operator(home));
	if ((rc = td_reg_attach(kit, home->path, "home", err)) == TD_OK) {
		if ((rc = td_reg_begin(kit, err)) == TD_OK) {
			rc = fill(kit, codes, n, info, err);
			if (rc == TD_OK)
				rc = td_reg_commit(kit, err);
			else
				td_reg_rollback(kit);
		}
		sqlite3_exec(kit->db, "DETACH home", NULL, NULL, NULL);
	}
	if (rc == TD_OK)
		rc = kit_store_image(kit, image_sha256, err);
	td_reg_close(kit);   /* the last connection: the WAL goes into the file */
	return rc;
}

/* Give the finished kit its name without replacing a file made meanwhile
 * under it: renameat2's RENAME_NOREPLACE, which FAT and exFAT sticks
 * take too (they have no hard links, so link() would fail there).  A
 * file system that refuses the flag gets a plain rename after a last
 * look.  The kit must stand alone (no -wal left). */
int kit_name_file(const char *tmp, const char *kit_path, struct td_error *err)
{
	char wal[PATH_MAX + 48];
	struct stat st;

	snprintf(wal, sizeof wal, "%s-wal", tmp);
	if (lstat(wal, &st) == 0 && st.st_size > 0)
		return td_error_set(err, TD_ERR_IO, "the kit's journal %s was not"
		                    " emptied into it", wal);
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, kit_path, RENAME_NOREPLACE) != 0) {
		if (errno != EINVAL && errno != ENOSYS)
			return td_error_set(err, errno == EEXIST ? TD_ERR_USAGE : TD_ERR_IO,
			                    "%s: %s", kit_path, strerror(errno));
		if (lstat(kit_path, &st) == 0)
			return td_error_set(err, TD_ERR_USAGE, "%s: %s", kit_path,
			                    strerror(EEXIST));
		if (rename(tmp, kit_path) != 0)
			return td_error_set(err, TD_ERR_IO, "%s: %s", kit_path,
			                    strerror(errno));
	}
	td_reg_remove(tmp);   /* its -shm, if any */
	return TD_OK;
}

int td_reg_kit_make(struct td_registry *home, const char *kit_path,
                    const char *const *codes, size_t n,
                    struct td_kit_info *info, struct td_error *err)
{
	char tmp[PATH_MAX + 32], image[65] = "";
	struct stat st;
	int rc;

	memset(info, 0, sizeof *info);
	if ((rc = check_codes(home, codes, n, err)) < 0)
		return rc;
	if ((rc = td_outfile_check(kit_path, err)) < 0)   /* a link, a device */
		return rc;
	if (lstat(kit_path, &st) == 0)
		return td_error_set(err, TD_ERR_USAGE, "%s exists; a kit is always a new"
		                    " file (remove it or choose another name)", kit_path);
	if (strlen(kit_path) >= PATH_MAX)   /* its temporary name must fit */
		return td_error_set(err, TD_ERR_USAGE, "the kit's path is too long");
	if ((rc = td_reg_uuid(info->uuid, err)) < 0)
		return rc;
	/* Made under a name of its own and named when whole: a full stick,
	 * a crash or a kill -9 leaves no half kit under the kit's name that
	 * a team could carry into the field (at most a *.making-* file). */
	snprintf(tmp, sizeof tmp, "%s.making-%.8s", kit_path, info->uuid);
	/* Home notes the kit, by the SHA-256 of the image it holds of
	 * itself, before the kit gets its name (kit.begin): a kill after the
	 * kit is named but before kit.make leaves a whole kit home still
	 * tells for its own, and a kit from another registry, even one
	 * claiming a uuid home noted, holds no image home noted
	 * (kit_check.c: check_origin). */
	if ((rc = write_kit(home, tmp, codes, n, info, image, err)) < 0 ||
	    (rc = register_kit(home, "kit.begin", info->uuid, codes, n, image,
	                       err)) < 0 ||
	    (rc = kit_name_file(tmp, kit_path, err)) < 0) {
		td_reg_remove(tmp);
		return kit_failed(kit_path, err);
	}
	/* Home records the kit as made only once it exists whole. */
	if ((rc = register_kit(home, "kit.make", info->uuid, codes, n, image,
	                       err)) < 0)
		td_reg_remove(kit_path);
	return rc;
}
