/* kit_merge.c: bringing a field kit's work home.
 *
 * 1. The kit is read once into a private copy in memory, on a guarded
 *    connection (kit_guard.c: a kit is data, never code), and checked:
 *    it is whole (integrity_check, the copy and then its image), it is a
 *    kit (meta kit_uuid), its schema version is this registry's, its
 *    sqlite_master holds only what tokendesk's compiled schema does (no
 *    trigger, view, or table/column of its own), and its own audit chain
 *    verifies.  A kit merged before (kit_merge_state) brings what its
 *    audit log recorded since: its row `through` must be the one merged
 *    (same hash), and the image diffed against is the kit as merged
 *    then (home's snapshot, digest checked); rows earlier merges brought
 *    home under other ids are found through kit_idmap (kit_apply.c).  A
 *    kit with nothing new, or an older copy, changes nothing.
 * 2. The kit's pristine image (kit_base) is copied and checked the same
 *    way, and its rows are loaded into a base database built from
 *    tokendesk's own schema (never the image's DDL).  Every row the
 *    field added must be what the kit's audit log records
 *    (kit_backing.c).  A session then computes, table by table in
 *    foreign-key order, the changeset that turns the kit as made into
 *    the kit as it came back: exactly what was recorded in the field.
 * 3. kit_apply.c replays it at home (conflicts kept in kit_conflict),
 *    each change first held against the kit's audit rows and, applied,
 *    audited at home as its ordinary writer does (kit_backing.c).  The
 *    rows the field added are left out of the changeset: kit_bulk.c
 *    brings them home with fresh ids, a table at a time, before that
 *    table's changes; their records get their home audit rows after.
 * 4. Audit: the field's audit rows cannot join the home chain as they are
 *    (their ids and hashes chain to the kit's rows).  They come home as
 *    they are into kit_field_audit, and the kit.merge row that ends the
 *    merge anchors them in the home chain: their ids here and the kit
 *    chain's hashes before and after them (audit_field.c verifies).  So
 *    every field row is kept as the kit signed it, in order, and checks
 *    against the kit file, whose chain was verified before merging.
 * All of it happens in one home transaction, with a kit.merge audit row,
 * the kit's uuid in kit_merged and how far it was merged in
 * kit_merge_state: a crash merges all or nothing, and a second merge of
 * the same kit finds nothing new and changes nothing (asked again under
 * the write lock: two merges at once, the second says it was merged
 * meanwhile). */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SQLITE_ENABLE_SESSION 1
#define SQLITE_ENABLE_PREUPDATE_HOOK 1
#include "registry/kit.h"
#include "tokendesk/text.h"

/* The hash of audit row id of database schema (kit, or kit_field_audit
 * rows of uuid at home when uuid is set), "" when none. */
static void row_hash(struct td_registry *reg, const char *sql, const char *uuid,
                     int64_t id, char out[65])
{
	sqlite3_stmt *st;

	out[0] = '\0';
	if (sqlite3_prepare_v2(reg->db, sql, -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_int64(st, 1, id);
	if (uuid)
		sqlite3_bind_text(st, 2, uuid, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, 65, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

/* Merged by a release before kit_merge_state: 1 when unchanged since,
 * TD_ERR_CONFLICT when changed (that release merged a kit once), 0 when
 * never merged. */
static int merged_once(struct td_registry *home, const char *uuid,
                       int64_t kit_rows, struct td_error *err)
{
	sqlite3_stmt *st;
	int64_t through = -1;
	char when[32] = "";

	if (sqlite3_prepare_v2(home->db, "SELECT coalesce(json_extract(summary,"
	                       " '$.kit_audit_rows'), 0), merged_at FROM kit_merged"
	                       " WHERE uuid = ?", -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(home, err, "reading merged kits");
	sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		through = sqlite3_column_int64(st, 0);
		snprintf(when, sizeof when, "%s", (const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	if (through < 0)
		return 0;
	if (kit_rows <= through)
		return 1;
	return td_error_set(err, TD_ERR_CONFLICT, "kit %s was merged at %s by an"
	                    " earlier tokendesk, which kept no record of how far;"
	                    " its %" PRId64 " audit rows recorded since cannot be"
	                    " merged: nothing was merged now", uuid, when,
	                    kit_rows - through);
}

/* Read how far the kit was merged here (kit_merge_state) into m. */
static int read_state(struct kit_merge *m, struct td_error *err)
{
	sqlite3_stmt *st;

	m->prior = 0;
	if (sqlite3_prepare_v2(m->home->db, "SELECT through, through_hash, merged_at,"
	                       " merges, home_event_max FROM main.kit_merge_state"
	                       " WHERE uuid = ?",
	                       -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(m->home, err, "reading merged kits");
	sqlite3_bind_text(st, 1, m->uuid, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		m->prior = 1;
		m->through = sqlite3_column_int64(st, 0);
		snprintf(m->through_hash, sizeof m->through_hash, "%s",
		         (const char *)sqlite3_column_text(st, 1));
		snprintf(m->prior_at, sizeof m->prior_at, "%s",
		         (const char *)sqlite3_column_text(st, 2));
		m->merges = sqlite3_column_int64(st, 3);
		m->home_event_max = sqlite3_column_int64(st, 4);
	}
	sqlite3_finalize(st);
	return TD_OK;
}

static int parted(struct kit_merge *m, int64_t row, struct td_error *err)
{
	return td_error_set(err, TD_ERR_CONFLICT, "kit %s: its audit row %" PRId64
	                    " is not the one merged here at %s; this copy and the"
	                    " one merged were both used after they parted: not"
	                    " merged, nothing changed.  Keep both files and report"
	                    " this", m->kit_path, row, m->prior_at);
}

/* 1 when everything the kit holds was merged (nothing to do: the kit
 * merged last time, unchanged, or an older copy of it); 0 when there is
 * work to merge: all of it (never merged) or what its audit log recorded
 * after row m->through, the last merged (the kit's row there must be the
 * one merged: same hash); < 0 when the kit cannot be merged. */
static int already_merged(struct kit_merge *m, struct td_error *err)
{
	char kit_hash[65], home_hash[65];
	int rc;

	m->refreshed = 0;
	if ((rc = read_state(m, err)) < 0)
		return rc;
	if (!m->prior)
		return merged_once(m->home, m->uuid, m->kit_rows, err);
	if (m->kit_rows >= m->through) {
		row_hash(m->kitc, "SELECT hash FROM main.audit WHERE id = ?1", NULL,
		         m->through, kit_hash);
		if (strcmp(kit_hash, m->through_hash) != 0)
			return parted(m, m->through, err);
		/* refreshed since it was merged (kit_make.c): its image is home's
		 * state at the refresh, with home's ids, and field work starts
		 * at its kit.refresh row */
		if (m->made_base > m->through) {
			m->prior = 0;
			m->refreshed = 1;
			return m->kit_rows == m->made_base;
		}
		return m->kit_rows == m->through;
	}
	/* a copy from before the last merge: its newest row came home */
	row_hash(m->kitc, "SELECT hash FROM main.audit WHERE id = ?1", NULL,
	         m->kit_rows, kit_hash);
	row_hash(m->home, "SELECT hash FROM main.kit_field_audit WHERE field_id = ?1"
	         " AND kit_uuid = ?2", m->uuid, m->kit_rows, home_hash);
	if (m->kit_rows > m->made_base && strcmp(kit_hash, home_hash) != 0)
		return parted(m, m->kit_rows, err);
	m->rep->older_copy = 1;
	return 1;
}

/* Under the write lock: did another merge of this kit commit since it
 * was read?  1: what this one would bring is home now (merged
 * meanwhile); 0: no; TD_ERR_CONFLICT: another copy was merged meanwhile,
 * so this one's diff is stale. */
static int merged_meanwhile(struct kit_merge *m, struct td_error *err)
{
	int was = m->prior, was_refreshed = m->refreshed, rc;
	int64_t through = m->through, merges = m->merges;

	if ((rc = already_merged(m, err)) != 0)
		return rc;
	if (was == m->prior && was_refreshed == m->refreshed &&
	    through == m->through && merges == m->merges)
		return 0;
	return td_error_set(err, TD_ERR_CONFLICT, "kit %s: another copy of it was"
	                    " merged meanwhile; nothing changed: merge it again",
	                    m->kit_path);
}

/* ---- the pristine image ----------------------------------------------------- */

/* A later merge diffs against the kit as merged last, kept at home
 * (kit_merge_state.snapshot), its digest checked: a snapshot changed at
 * home would let the merge bring back what was merged, or drop work. */
static int copy_snapshot(struct kit_merge *m, struct td_error *err)
{
	const char *what = "the kit as merged last";
	sqlite3_stmt *st;
	unsigned char *copy = NULL;
	sqlite3_int64 n = 0;
	char want[65] = "", got[65] = "";
	int rc;

	if (sqlite3_prepare_v2(m->home->db, "SELECT snapshot, snapshot_sha256 FROM"
	                       " main.kit_merge_state WHERE uuid = ?", -1, &st, NULL)
	    != SQLITE_OK)
		return td_reg_db_error(m->home, err, "reading merged kits");
	sqlite3_bind_text(st, 1, m->uuid, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && (n = sqlite3_column_bytes(st, 0)) > 0 &&
	    (copy = sqlite3_malloc64((sqlite3_uint64)n))) {
		memcpy(copy, sqlite3_column_blob(st, 0), (size_t)n);
		snprintf(want, sizeof want, "%s", (const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	if (!copy)
		return td_error_set(err, TD_ERR_DATA, "this registry holds no copy of"
		                    " kit %s as merged last; it cannot be merged again",
		                    m->uuid);
	if ((rc = td_sha256_of(copy, (size_t)n, got, err)) < 0 || strcmp(got, want) != 0) {
		sqlite3_free(copy);
		return rc < 0 ? rc : td_error_set(err, TD_ERR_DATA, "this registry's"
		                    " copy of kit %s as merged last was changed (SHA-256"
		                    " %s, recorded %s); not merged", m->uuid, got, want);
	}
	if ((rc = kit_copy_open(what, copy, n, &m->imgc, err)) < 0)
		return rc;
	if ((rc = kit_check_whole(m->imgc, "main", what, err)) < 0 ||
	    (rc = kit_inspect(m->imgc, m->ref, what, err)) < 0)
		return rc;
	return TD_OK;
}

/* The kit's image of itself as made, as a private copy checked like the
 * kit (m->imgc). */
static int copy_image(struct kit_merge *m, struct td_error *err)
{
	const char *what = "the kit's image of itself as made";
	sqlite3_stmt *st;
	unsigned char *copy = NULL;
	sqlite3_int64 n = 0;
	int rc;

	if (m->prior)   /* a later merge: the kit as it was merged last */
		return copy_snapshot(m, err);
	if (sqlite3_prepare_v2(m->kitc->db, "SELECT image FROM main.kit_base"
	                       " WHERE id = 1", -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(m->kitc, err, "reading the kit's image");
	if (sqlite3_step(st) == SQLITE_ROW && (n = sqlite3_column_bytes(st, 0)) > 0 &&
	    (copy = sqlite3_malloc64((sqlite3_uint64)n)))
		memcpy(copy, sqlite3_column_blob(st, 0), (size_t)n);
	sqlite3_finalize(st);
	if (!copy)
		return td_error_set(err, TD_ERR_DATA, "the kit holds no image of itself"
		                    " as made; it cannot be merged");
	/* tokendesk writes images whose header reads and writes at version 1
	 * (kit_make.c); one that asks for a newer SQLite was altered. */
	if (n >= 100 && (copy[18] > 2 || copy[19] > 2)) {
		sqlite3_free(copy);
		return kit_refuse_damaged(err, what, "its header allows reading only");
	}
	if ((rc = kit_copy_open(what, copy, n, &m->imgc, err)) < 0) {
		char why[sizeof err->message];
		snprintf(why, sizeof why, "%s", kit_sqlite_reason(err));
		return kit_refuse_damaged(err, what, why);
	}
	if ((rc = kit_check_whole(m->imgc, "main", what, err)) < 0 ||
	    (td_reg_schema_version(m->imgc) != td_reg_schema_version(m->kitc) &&
	     (rc = kit_copy_migrate(&m->imgc, err)) < 0) ||
	    (rc = kit_inspect(m->imgc, m->ref, what, err)) < 0)
		return rc;
	return TD_OK;
}

/* base: tokendesk's own schema (never the image's DDL) holding the
 * image's rows.  The diff writes into base, so only tables whose DDL
 * tokendesk wrote are ever written. */
static int load_base(struct kit_merge *m, struct td_error *err)
{
	const char *what = "the kit's image of itself as made";
	int rc;

	if ((rc = copy_image(m, err)) < 0)
		return rc;
	/* the image inspected and whole, yet not one home recorded */
	if (m->image_unknown)
		return td_error_set(err, TD_ERR_CONFLICT, "kit %s was not made from this"
		                    " registry (the image it holds of itself is not the one"
		                    " this registry recorded for it); not merged",
		                    m->kit_path);
	if ((rc = kit_base_from_ref(m->home, m->ref, err)) < 0 ||
	    (rc = kit_share_checked(m->home, m->imgc, "img", what, err)) < 0)
		return rc;
	rc = td_reg_exec(m->home, "PRAGMA foreign_keys = OFF", err);
	for (int i = 0; rc == TD_OK && i < m->ks.n; i++) {
		struct kit_table *t = &m->ks.t[i];
		char *cols;
		if (t->kind != KIT_FIELD && t->kind != KIT_HOME_ONLY)
			continue;
		if (!(cols = kit_column_list(t)))
			rc = td_error_set(err, TD_ERR_NOMEM, "out of memory");
		else
			rc = kit_exec(m->home, err, "INSERT INTO base.\"%w\" (%s) SELECT"
			              " %s FROM img.\"%w\"", t->name, cols, cols, t->name);
		sqlite3_free(cols);
	}
	sqlite3_exec(m->home->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	sqlite3_exec(m->home->db, "DETACH img", NULL, NULL, NULL);
	return rc;
}

/* Bring base.T to kit.T's content with as few row writes as the data
 * needs: rows that differ are replaced, rows gone are deleted. */
static int sync_table(struct kit_merge *m, const struct kit_table *t,
                      struct td_error *err)
{
	char *pk = NULL;
	int rc;

	for (int i = 0; i < t->ncols; i++) {
		if (!t->pk_cols[i])
			continue;
		char *n = sqlite3_mprintf("%s%s\"%w\"", pk ? pk : "", pk ? ", " : "",
		                          t->cols[i]);
		sqlite3_free(pk);
		pk = n;
	}
	if (!pk)
		return TD_OK;   /* no primary key: sessions ignore the table */
	if (t->int_pk >= 0) {
		/* Rows past the image's last id are new: kit_bulk.c brings
		 * them home, not the changeset. */
		const char *id = t->cols[t->int_pk];
		rc = kit_exec(m->home, err, "INSERT OR REPLACE INTO base.\"%w\""
		              " SELECT * FROM kit.\"%w\" WHERE \"%w\" <= %lld EXCEPT"
		              " SELECT * FROM base.\"%w\"", t->name, t->name, id,
		              (long long)t->base_max, t->name);
	} else {
		rc = kit_exec(m->home, err, "INSERT OR REPLACE INTO base.\"%w\" SELECT *"
		              " FROM kit.\"%w\" EXCEPT SELECT * FROM base.\"%w\"", t->name,
		              t->name, t->name);
	}
	if (rc == TD_OK)
		rc = kit_exec(m->home, err, "DELETE FROM base.\"%w\" WHERE (%s) NOT IN"
		              " (SELECT %s FROM kit.\"%w\")", t->name, pk, pk, t->name);
	sqlite3_free(pk);
	return rc;
}

/* The changeset from the kit as made to the kit as it is, for the rows
 * it was made with (kit_bulk.c brings the rows added since).
 *
 * sqlite3session_diff would say this directly, but in SQLite 3.40.1
 * (Debian 12) it returns an empty changeset for tables that differ
 * (measured).  So a session records the pristine copy being brought to
 * the kit's state instead; the session consolidates a row's changes,
 * so the result is the same changeset, one change per row.  Foreign
 * keys are off meanwhile: the copy passes through states the kit never
 * had (a parent replaced before its children). */
static int field_changeset(struct kit_merge *m, int *n, void **buf,
                           struct td_error *err)
{
	sqlite3_session *s;
	int rc = TD_OK;

	if (sqlite3session_create(m->home->db, "base", &s) != SQLITE_OK)
		return td_reg_db_error(m->home, err, "starting the kit's diff");
	for (int i = 0; rc == TD_OK && i < m->ks.n; i++) {
		struct kit_table *t = &m->ks.t[i];
		if ((t->kind == KIT_FIELD || t->kind == KIT_HOME_ONLY) &&
		    sqlite3session_attach(s, t->name) != SQLITE_OK)
			rc = td_reg_db_error(m->home, err, "starting the kit's diff");
	}
	if (rc == TD_OK)
		rc = kit_bulk_mark_base(m, err);
	if (rc == TD_OK)
		rc = td_reg_exec(m->home, "PRAGMA foreign_keys = OFF", err);
	for (int i = 0; rc == TD_OK && i < m->ks.n; i++)
		if (m->ks.t[i].kind == KIT_FIELD || m->ks.t[i].kind == KIT_HOME_ONLY)
			rc = sync_table(m, &m->ks.t[i], err);
	sqlite3_exec(m->home->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	if (rc == TD_OK && sqlite3session_changeset(s, n, buf) != SQLITE_OK)
		rc = td_reg_db_error(m->home, err, "making the kit's changeset");
	sqlite3session_delete(s);
	return rc;
}

static int replay(struct kit_merge *m, int n, void *buf, struct td_error *err)
{
	sqlite3_changeset_iter *it;
	int rc = TD_OK;

	if (sqlite3changeset_start(&it, n, buf) != SQLITE_OK)
		return td_reg_db_error(m->home, err, "reading the kit's changeset");
	/* Each table's new rows before its changes, in foreign-key order:
	 * a change may refer to a row the field added. */
	while (rc == TD_OK && sqlite3changeset_next(it) == SQLITE_ROW) {
		const char *name;
		int ncol, op, indirect;
		sqlite3changeset_op(it, &name, &ncol, &op, &indirect);
		if ((rc = kit_bulk_through(m, name, err)) == TD_OK)
			rc = kit_apply_change(m, it, err);
	}
	sqlite3changeset_finalize(it);
	return rc == TD_OK ? kit_bulk_through(m, NULL, err) : rc;
}

/* ---- audit ---------------------------------------------------------------------- */

/* Where the field rows go (ids on from the last merge's) and the kit
 * chain's hashes around them.  The kit's chain verified (check_kit), so
 * its ids run on without a gap from base. */
static int field_span(struct kit_merge *m, int64_t base, struct td_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(m->home->db, "SELECT"
	        " (SELECT coalesce(max(id), 0) + 1 FROM main.kit_field_audit),"
	        " (SELECT count(*) FROM kit.audit WHERE id > ?1),"
	        " (SELECT hash FROM kit.audit WHERE id = ?1),"
	        " (SELECT hash FROM kit.audit ORDER BY id DESC LIMIT 1)",
	        -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(m->home, err, "reading the kit's audit log");
	sqlite3_bind_int64(st, 1, base);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *prev = (const char *)sqlite3_column_text(st, 2);
		const char *head = (const char *)sqlite3_column_text(st, 3);
		m->field_first = sqlite3_column_int64(st, 0);
		m->field_last = m->field_first + sqlite3_column_int64(st, 1) - 1;
		snprintf(m->field_prev, sizeof m->field_prev, "%s", prev ? prev : "");
		snprintf(m->field_head, sizeof m->field_head, "%s", head ? head : "");
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return td_reg_db_error(m->home, err, "reading the kit's audit log");
	if (m->field_last >= m->field_first && !m->field_prev[0])
		return td_error_set(err, TD_ERR_DATA, "the kit's audit log has no row %"
		                    PRId64 ", where its field work starts; not merged", base);
	return TD_OK;
}

/* The field's audit rows come home as the kit wrote them (one statement:
 * nothing is parsed or hashed again); finish() anchors them. */
static int append_field_audit(struct kit_merge *m, int64_t base, struct td_error *err)
{
	int rc;

	if ((rc = field_span(m, base, err)) < 0 || m->field_last < m->field_first)
		return rc;
	rc = kit_exec(m->home, err, "INSERT INTO main.kit_field_audit (id, kit_uuid,"
	              " field_id, at, operator, action, entity, entity_key, before,"
	              " after, hash) SELECT id + %lld, %Q, id, at, operator, action,"
	              " entity, entity_key, before, after, hash FROM kit.audit"
	              " WHERE id > %lld ORDER BY id",
	              (long long)(m->field_first - base - 1), m->uuid, (long long)base);
	m->rep->audit_rows = m->field_last - m->field_first + 1;
	return rc;
}

/* The summary's anchor of the field rows: "field_audit" (audit_field.c). */
static char *field_anchor(const struct kit_merge *m)
{
	if (m->field_last < m->field_first)
		return sqlite3_mprintf("%s", "");
	return sqlite3_mprintf(",\"field_audit\":{\"first\":%lld,\"last\":%lld,"
	                       "\"prev\":\"%s\",\"head\":\"%s\"}",
	                       (long long)m->field_first, (long long)m->field_last,
	                       m->field_prev, m->field_head);
}

/* Where the rows this merge added went (kit_idmap): a table moved by
 * an offset is one range; rows that went one by one, one each (NULL
 * shift: kept as a conflict). */
static int save_idmap(struct kit_merge *m, struct td_error *err)
{
	/* refreshed: the kit's rows carry home's ids; the old map is void */
	int rc = m->refreshed ? kit_exec(m->home, err, "DELETE FROM main.kit_idmap"
	                                 " WHERE kit_uuid = %Q", m->uuid) : TD_OK;

	if (rc == TD_OK)
		rc = kit_exec(m->home, err, "INSERT OR REPLACE INTO main.kit_idmap"
		              " SELECT %Q, tbl, old, old, CASE WHEN new = -1 THEN NULL"
		              " ELSE new - old END FROM temp.kit_idmap", m->uuid);

	for (int i = 0; rc == TD_OK && i < m->ks.n; i++) {
		struct kit_table *t = &m->ks.t[i];
		if (!t->bulk)
			continue;
		rc = kit_exec(m->home, err, "INSERT OR REPLACE INTO main.kit_idmap"
		              " SELECT %Q, %Q, min(\"%w\"), max(\"%w\"), %lld FROM"
		              " kit.\"%w\" WHERE \"%w\" > %lld HAVING count(*) > 0",
		              m->uuid, t->name, t->cols[t->int_pk], t->cols[t->int_pk],
		              (long long)t->offset, t->name, t->cols[t->int_pk],
		              (long long)t->base_max);
	}
	return rc;
}

/* The kit as merged now, and how far: the next merge starts there.  Its
 * audit rows and its image as made are left out (kit_copy_trimmed): a
 * later merge reads neither from it, and a kit of 100,000 field events
 * is three quarters audit rows, which home keeps once already.  It is
 * made beside the diff and the replay (kit_async.c), and waited for
 * before it is stored. */
static int snapshot_start(struct kit_merge *m, struct td_error *err)
{
	return kit_async_snapshot(&m->snapshot, m->kitc, err);
}

static int save_state(struct kit_merge *m, const char *at, struct td_error *err)
{
	sqlite3_stmt *st;
	char hash[65];
	int rc;

	row_hash(m->kitc, "SELECT hash FROM main.audit WHERE id = ?1", NULL,
	         m->kit_rows, hash);
	if ((rc = save_idmap(m, err)) < 0)
		return rc;
	if (sqlite3_prepare_v2(m->home->db, "INSERT OR REPLACE INTO main.kit_merge_state"
	                       " (uuid, through, through_hash, merged_at, merges,"
	                       " snapshot, snapshot_sha256, home_event_max) VALUES"
	                       " (?, ?, ?, ?, ?, ?, ?, (SELECT coalesce(max(id), 0)"
	                       " FROM main.custody_event))",
	                       -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(m->home, err, "recording the merge");
	sqlite3_bind_text(st, 1, m->uuid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, m->kit_rows);
	sqlite3_bind_text(st, 3, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, at, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, m->merges + 1);
	sqlite3_bind_blob64(st, 6, m->snapshot.out, (sqlite3_uint64)m->snapshot.out_n,
	                    SQLITE_STATIC);
	sqlite3_bind_text(st, 7, m->snapshot.sha256, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? TD_OK
	     : td_reg_db_error(m->home, err, "recording the merge");
	sqlite3_finalize(st);
	return rc;
}

static int finish(struct kit_merge *m, struct td_error *err)
{
	const struct td_kit_merge_report *r = m->rep;
	char at[21], *summary, *anchor = field_anchor(m);
	char *kept = td_reg_conflict_rows(m->home, m->conflicts_max);
	int rc;

	if ((rc = kit_async_wait(&m->snapshot, err)) < 0) {
		sqlite3_free(anchor);
		sqlite3_free(kept);
		return rc;
	}
	td_now_iso(at);
	summary = !anchor || !kept ? NULL : sqlite3_mprintf("{\"kit_audit_rows\":%lld,"
	                          "\"inserted\":%lld,\"updated\":%lld,\"deleted\":%lld,"
	                          "\"unchanged\":%lld,\"audit_rows\":%lld,"
	                          "\"conflicts\":%lld,\"merge\":%lld,"
	                          "\"from_row\":%lld,\"snapshot_sha256\":\"%s\"%s%s}",
	                          (long long)m->kit_rows,
	                          (long long)r->inserted,
	                          (long long)r->updated, (long long)r->deleted,
	                          (long long)r->unchanged, (long long)r->audit_rows,
	                          (long long)r->conflicts, (long long)m->merges + 1,
	                          (long long)m->audit_base, m->snapshot.sha256, anchor,
	                          kept);
	sqlite3_free(anchor);
	sqlite3_free(kept);
	if (!summary)
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	/* kit_merged holds the latest merge, as its newest kit.merge row */
	rc = kit_exec(m->home, err, "INSERT OR REPLACE INTO main.kit_merged (uuid,"
	              " merged_at, operator, summary) VALUES (%Q, %Q, %Q, %Q)", m->uuid,
	              at, td_reg_operator(m->home), summary);
	if (rc == TD_OK)
		rc = save_state(m, at, err);
	if (rc == TD_OK)
		rc = td_reg_audit(m->home, "kit.merge", "kit", m->uuid, NULL, summary, err);
	sqlite3_free(summary);
	return rc;
}

/* ---- the whole merge ---------------------------------------------------------- */

/* A later merge: per table, the lowest kit id an earlier merge brought
 * home under another id (kit_apply.c looks those up). */
static int prior_ranges(struct kit_merge *m, struct td_error *err)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(m->home->db, "SELECT coalesce(min(kit_first), 0) FROM"
	                       " main.kit_idmap WHERE kit_uuid = ? AND tbl = ?", -1,
	                       &st, NULL) != SQLITE_OK)
		return td_reg_db_error(m->home, err, "merging the kit");
	for (int i = 0; i < m->ks.n; i++) {
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, m->uuid, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, m->ks.t[i].name, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			m->ks.t[i].prior_min = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return TD_OK;
}

/* Temporary id map and the statements over it. */
static int prepare(struct kit_merge *m, struct td_error *err)
{
	int rc;

	if (!(m->cache = calloc((size_t)m->ks.n + 1, sizeof *m->cache)))
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	if ((rc = td_reg_exec(m->home, "CREATE TEMP TABLE IF NOT EXISTS kit_idmap"
	                      " (tbl TEXT, old INTEGER, new INTEGER,"
	                      " PRIMARY KEY (tbl, old)) WITHOUT ROWID;"
	                      "DELETE FROM temp.kit_idmap", err)) < 0)
		return rc;
	if (sqlite3_prepare_v2(m->home->db, "INSERT OR REPLACE INTO temp.kit_idmap"
	                       " VALUES (?, ?, ?)", -1, &m->map_put, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(m->home->db, "SELECT new FROM temp.kit_idmap"
	                       " WHERE tbl = ? AND old = ?", -1, &m->map_get, NULL)
	    != SQLITE_OK ||
	    sqlite3_prepare_v2(m->home->db, "SELECT kit_last, shift FROM"
	                       " main.kit_idmap WHERE kit_uuid = ?1 AND tbl = ?2 AND"
	                       " kit_first <= ?3 ORDER BY kit_first DESC LIMIT 1",
	                       -1, &m->prior_get, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(m->home->db, "SELECT ?1", -1, &m->int_value, NULL)
	    != SQLITE_OK)
		return td_reg_db_error(m->home, err, "merging the kit");
	return m->prior ? prior_ranges(m, err) : TD_OK;
}

static void release(struct kit_merge *m)
{
	sqlite3_finalize(m->map_put);
	sqlite3_finalize(m->map_get);
	sqlite3_finalize(m->prior_get);
	sqlite3_finalize(m->int_value);
	m->map_put = m->map_get = m->prior_get = m->int_value = NULL;
	for (size_t i = 0; i < sizeof m->backing / sizeof m->backing[0]; i++) {
		sqlite3_finalize(m->backing[i]);
		m->backing[i] = NULL;
	}
	kit_merge_cache_free(m);
}

/* A merge that SQLite stopped because of what the kit holds (a row
 * breaking a rule of home's schema, a table the image lacks: the kit and
 * its image are whole, so their content is the cause) is the kit's
 * fault, and says so; a busy, full or failing disk stays as it was. */
static int blame_kit(const struct kit_merge *m, int rc, struct td_error *err)
{
	/* the fault may come from reading the kit's own copy (its schema
	 * parsed at the first statement that needs it) */
	int code = (m->kitc && (m->kitc->last_db_code & 0xff) != SQLITE_OK
	            ? m->kitc->last_db_code : m->home->last_db_code) & 0xff;
	char why[sizeof err->message];
	const char *in = kit_sqlite_reason(err);
	size_t n = 0;

	if (rc != TD_ERR_DB || (code != SQLITE_CONSTRAINT && code != SQLITE_ERROR &&
	                        code != SQLITE_MISMATCH && code != SQLITE_TOOBIG &&
	                        code != SQLITE_RANGE && code != SQLITE_CORRUPT))
		return rc;
	/* One space for each run: a CHECK comes quoted as the schema lays
	 * it out, over several indented lines. */
	for (; *in && n + 1 < sizeof why; in++) {
		char c = *in == '\n' || *in == '\t' ? ' ' : *in;
		if (!(c == ' ' && n > 0 && why[n - 1] == ' '))
			why[n++] = c;
	}
	why[n] = '\0';
	return td_error_set(err, TD_ERR_DATA, "kit %s holds what this registry"
	                    " cannot take (%s); not merged", m->kit_path, why);
}

/* Test only (docs/counts-and-kits.md): TOKENDESK_TEST_MERGE_PAUSE_MS
 * holds a merge this long after its checks, before it takes the write
 * lock, so a test can start two merges of one kit that both pass the
 * "merged before?" check, as two desks can. */
static void test_pause(void)
{
	const char *ms = getenv("TOKENDESK_TEST_MERGE_PAUSE_MS");
	long n = ms ? strtol(ms, NULL, 10) : 0;

	if (n > 0 && n <= 60000) {
		struct timespec ts = { n / 1000, (n % 1000) * 1000000L };
		nanosleep(&ts, NULL);
	}
}

/* With kit and base attached: diff, then replay in one transaction. */
/* How many rows of table the field added (past the base's last id). */
static int64_t added(struct kit_merge *m, const char *table)
{
	struct kit_table *t = kit_schema_find(&m->ks, table);
	sqlite3_stmt *st;
	int64_t n = 0;
	char *sql = t && t->int_pk >= 0
	            ? sqlite3_mprintf("SELECT count(*) FROM kit.\"%w\" WHERE \"%w\" >"
	                              " %lld", t->name, t->cols[t->int_pk],
	                              (long long)t->base_max) : NULL;

	if (sql && sqlite3_prepare_v2(m->home->db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_free(sql);
	return n;
}

/* What is new since the kit was made or merged last (the report). */
static void whats_new(struct kit_merge *m)
{
	struct td_kit_merge_report *r = m->rep;
	char *made;

	r->new_handovers = added(m, "handover");
	r->new_dossiers = added(m, "dossier");
	r->new_counts = added(m, "count_session");
	r->new_scans = added(m, "count_scan");
	r->new_tags = added(m, "tag");
	r->new_moves = added(m, "custody_event");
	r->since_merge = m->prior;
	r->since_refresh = m->refreshed;
	r->merges = m->merges + 1;
	if (m->prior) {
		snprintf(r->since, sizeof r->since, "%s", m->prior_at);
	} else if ((made = kit_meta_get(m->kitc, "main", m->refreshed
	                                ? "kit_refreshed_at" : "kit_made_at"))) {
		snprintf(r->since, sizeof r->since, "%s", made);
		free(made);
	}
}

static int merge_attached(struct kit_merge *m, int64_t audit_base,
                          struct td_error *err)
{
	void *buf = NULL;
	int n = 0, rc;

	if ((rc = kit_schema_load(m->home, "main", &m->ks, err)) < 0 ||
	    (rc = load_base(m, err)) < 0 ||
	    (rc = kit_backing_check_new(m, err)) < 0 ||
	    (rc = snapshot_start(m, err)) < 0 ||
	    (rc = field_changeset(m, &n, &buf, err)) < 0) {
		sqlite3_free(buf);
		return blame_kit(m, rc, err);
	}
	whats_new(m);
	test_pause();
	if ((rc = td_reg_begin(m->home, err)) < 0) {
		sqlite3_free(buf);
		return rc;
	}
	/* Another merge of this kit may have committed while this one was
	 * reading it: under the write lock now, ask again. */
	if ((rc = merged_meanwhile(m, err)) != 0) {
		td_reg_rollback(m->home);
		sqlite3_free(buf);
		m->rep->meanwhile = rc > 0;
		return rc > 0 ? TD_OK : rc;
	}
	if ((rc = prepare(m, err)) == TD_OK &&
	    (rc = kit_backing_mark_home(m, err)) == TD_OK &&
	    (rc = kit_count_mark(m, err)) == TD_OK &&
	    (rc = replay(m, n, buf, err)) == TD_OK &&
	    (rc = kit_count_hold(m, err)) == TD_OK &&
	    (rc = kit_backing_audit_new(m, err)) == TD_OK &&
	    (rc = append_field_audit(m, audit_base, err)) == TD_OK &&
	    (rc = finish(m, err)) == TD_OK) {
		release(m);
		rc = td_reg_commit(m->home, err);
	} else {
		rc = blame_kit(m, rc, err);
		release(m);
		td_reg_rollback(m->home);
	}
	sqlite3_free(buf);
	return rc;
}

static void merge_free(struct kit_merge *m)
{
	release(m);
	kit_schema_free(&m->ks);
	sqlite3_exec(m->home->db, "DETACH base", NULL, NULL, NULL);
	sqlite3_exec(m->home->db, "DETACH img", NULL, NULL, NULL);
	sqlite3_exec(m->home->db, "DETACH kit", NULL, NULL, NULL);
	/* detached first: home read their memory */
	td_reg_close(m->imgc);
	kit_async_free(&m->snapshot);
	td_reg_close(m->kitc);
	td_reg_close(m->ref);
}

int td_reg_kit_merge(struct td_registry *home, const char *kit_path,
                     struct td_kit_merge_report *rep, struct td_error *err)
{
	struct kit_merge m = { .home = home, .rep = rep, .kit_path = kit_path };
	char what[sizeof err->message];
	int64_t audit_base = 0;
	int rc;

	memset(rep, 0, sizeof *rep);
	home->last_db_code = SQLITE_OK;
	if ((rc = kit_ref_open(&m.ref, err)) < 0 ||
	    (rc = kit_check(home, &m, kit_path, rep->uuid, &audit_base, &m.kit_rows,
	                    err)) < 0) {
		merge_free(&m);
		return rc;
	}
	m.uuid = rep->uuid;
	m.audit_base = m.made_base = audit_base;
	if ((rc = already_merged(&m, err)) == 0 && m.prior)
		audit_base = m.audit_base = m.through;   /* what came since */
	if (rc != 0) {
		rep->already = rc > 0;
		merge_free(&m);
		return rc > 0 ? TD_OK : rc;
	}
	snprintf(what, sizeof what, "kit %s", kit_path);
	if ((rc = kit_share_checked(home, m.kitc, "kit", what, err)) < 0) {
		merge_free(&m);
		return rc;
	}
	/* Sorting and the id map in memory; home gets a 16 MiB cache for
	 * the pages a merge writes and is read through mmap (no copy per
	 * page).  The kit is a copy in memory (kit_guard.c). */
	sqlite3_exec(home->db, "PRAGMA temp_store = MEMORY;"
	             "PRAGMA main.cache_size = -16384;"
	             "PRAGMA main.mmap_size = 1073741824",
	             NULL, NULL, NULL);
	rc = merge_attached(&m, audit_base, err);
	merge_free(&m);
	return rc;
}

/* ---- before a refresh ------------------------------------------------------------ */

int kit_refresh_check(struct td_registry *home, const char *kit_path,
                      char uuid[37], struct td_registry **kit,
                      struct td_error *err)
{
	struct td_kit_merge_report rep;
	struct kit_merge m = { .home = home, .rep = &rep, .kit_path = kit_path };
	int64_t audit_base = 0;
	int rc;

	memset(&rep, 0, sizeof rep);
	*kit = NULL;
	if ((rc = kit_ref_open(&m.ref, err)) < 0 ||
	    (rc = kit_check(home, &m, kit_path, uuid, &audit_base, &m.kit_rows,
	                    err)) < 0) {
		merge_free(&m);
		return rc;
	}
	m.uuid = uuid;
	m.audit_base = m.made_base = audit_base;
	if (m.image_unknown) {   /* home would record the refreshed image */
		merge_free(&m);
		return td_error_set(err, TD_ERR_CONFLICT, "kit %s was not made from this"
		                    " registry (the image it holds of itself is not the"
		                    " one this registry recorded for it); not refreshed",
		                    kit_path);
	}
	/* everything recorded is home: merged (not an older copy: home's
	 * state would overwrite work the newer copy holds), or nothing
	 * recorded since the kit was made or refreshed */
	rc = already_merged(&m, err);
	if (rc == 0 && m.kit_rows == m.made_base)
		rc = 1;
	if (rc >= 0 && (rc == 0 || rep.older_copy))
		rc = td_error_set(err, TD_ERR_CONFLICT, rep.older_copy
		                  ? "kit %s is an older copy of a kit merged since;"
		                    " refresh the newest copy; not refreshed"
		                  : "kit %s holds work not merged yet: merge it first"
		                    " (tokendesk kit merge %s); not refreshed",
		                  kit_path, kit_path);
	if (rc > 0) {
		*kit = m.kitc;
		m.kitc = NULL;
		rc = TD_OK;
	}
	merge_free(&m);
	return rc;
}
