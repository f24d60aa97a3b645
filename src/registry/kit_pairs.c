/* kit_pairs.c: rows a kit added that pair one to one with audit rows.
 *
 * Custody events pair with the token.move rows of their token, scans
 * with the count.scan rows of their count: one each, in order, every
 * field of the row as its audit row's JSON holds it (kit_backing.c
 * calls this for the rows the field added).  Both sides are sorted by
 * the record's key and then id, and walked side by side (each sorted
 * once: a count of 100,000 scans is one key).
 *
 * The walk compares one text per row: on the audit side, the fields
 * pulled out of its JSON by one json_extract with several paths (one
 * parse of the JSON, not one per field: a kit of 100,000 moves spent
 * most of its check parsing), on the row's side the same fields through
 * json_array, the form SQLite renders them in.  Equal texts are equal
 * fields.  Where the texts part, the pair is compared field by field
 * (the exact statements below, by id): that names the field in the
 * message, and decides alone, so a text that differs only in how a
 * value is written (a number, an escape) is not a refusal, and a kit
 * made by older code, whose rows lack fields, is compared on what they
 * hold. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/kit.h"

/* One rule.  walk_rows / walk_audit: key, the fields as one text, id;
 * ?1 the table's last id as made, ?2 the kit's last audit row as made.
 * row / audit_row (?1: an id): key, then the fields compared, one
 * column each; audit_row adds the row's id and whether it holds the
 * fields from `always` on (a token.move row holds its event, a
 * count.scan row its time, since audit verify checks state).  names:
 * each compared field as messages name it. */
struct pair_rule {
	const char *table, *entity, *what;
	const char *walk_rows, *walk_audit, *row, *audit_row;
	int ncols, always;
	const char *const *names;
};

static const char *const event_names[] = { "serial", "to_custodian", "state",
	"from_custodian", "operator", "at", "operator", "from_custodian",
	"condition", "remarks" };
static const char *const scan_names[] = { "uid", "serial", "source", "at" };

static const struct pair_rule pair_rules[] = {
	{ "custody_event", "token", "custody event",
	  /* in serial order through token's index, no sort; an event of no
	   * token is not paired here (kit_backing.c's rules name it) */
	  "SELECT t.serial, json_array(e.to_custodian, e.state, e.at, e.operator,"
	  " e.from_custodian, e.condition, e.remarks) || json_array(e.from_custodian,"
	  " e.operator), e.id FROM token t CROSS JOIN custody_event e ON"
	  " e.token_id = t.id WHERE e.id > ?1 ORDER BY t.serial, e.id",
	  "SELECT entity_key, json_extract(after, '$.custodian', '$.state',"
	  " '$.event.at', '$.event.operator', '$.event.from', '$.event.condition',"
	  " '$.event.remarks') || json_array(json_extract(before, '$.custodian'),"
	  " operator), id FROM audit WHERE entity = 'token' AND action ="
	  " 'token.move' AND id > ?2 ORDER BY entity_key, id",
	  "SELECT t.serial, e.to_custodian, e.state, e.from_custodian, e.operator,"
	  " e.at, e.operator, e.from_custodian, e.condition, e.remarks"
	  " FROM custody_event e LEFT JOIN token t ON t.id = e.token_id"
	  " WHERE e.id = ?1",
	  "SELECT entity_key, json_extract(after, '$.custodian'),"
	  " json_extract(after, '$.state'), json_extract(before, '$.custodian'),"
	  " operator, json_extract(after, '$.event.at'), json_extract(after,"
	  " '$.event.operator'), json_extract(after, '$.event.from'),"
	  " json_extract(after, '$.event.condition'), json_extract(after,"
	  " '$.event.remarks'), id, json_type(after, '$.event') = 'object'"
	  " FROM audit WHERE id = ?1", 10, 5, event_names },
	{ "count_scan", "count", "scan",
	  "SELECT c.uid, json_array(s.serial, s.source, s.at), s.id FROM count_scan s"
	  " LEFT JOIN count_session c ON c.id = s.count_id WHERE s.id > ?1"
	  " ORDER BY c.uid, s.id",
	  "SELECT entity_key, json_extract(after, '$.serial', '$.source', '$.at'),"
	  " id FROM audit WHERE entity = 'count' AND action = 'count.scan' AND"
	  " id > ?2 ORDER BY entity_key, id",
	  "SELECT c.uid, s.serial, s.source, s.at FROM count_scan s LEFT JOIN"
	  " count_session c ON c.id = s.count_id WHERE s.id = ?1",
	  "SELECT entity_key, json_extract(after, '$.serial'),"
	  " json_extract(after, '$.source'), json_extract(after, '$.at'), id,"
	  " json_type(after, '$.at') IS NOT NULL FROM audit WHERE id = ?1", 4, 3,
	  scan_names },
};

/* The statements of one walk: both sides sorted, and one row of each
 * by id for a pair whose texts part. */
struct walk {
	sqlite3_stmt *rows, *aud, *row, *audit_row;
};

static void walk_end(struct walk *w)
{
	sqlite3_finalize(w->rows);
	sqlite3_finalize(w->aud);
	sqlite3_finalize(w->row);
	sqlite3_finalize(w->audit_row);
}

static int walk_start(struct kit_merge *m, const struct pair_rule *r,
                      int64_t max, struct walk *w)
{
	sqlite3 *db = m->kitc->db;

	memset(w, 0, sizeof *w);
	if (sqlite3_prepare_v2(db, r->walk_rows, -1, &w->rows, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, r->walk_audit, -1, &w->aud, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, r->row, -1, &w->row, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, r->audit_row, -1, &w->audit_row, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(w->rows, 1, max);
	sqlite3_bind_int64(w->aud, 2, m->audit_base);
	return 0;
}

static int same_col(sqlite3_stmt *a, sqlite3_stmt *b, int i)
{
	const unsigned char *x = sqlite3_column_text(a, i);
	const unsigned char *y = sqlite3_column_text(b, i);

	return (!x && !y) || (x && y && strcmp((const char *)x, (const char *)y) == 0);
}

/* The first field where the pair the walk stands on parts, or -1; -2
 * when either row cannot be read again.  It leaves w->row and
 * w->audit_row on the pair, for the message. */
static int first_difference(const struct pair_rule *r, struct walk *w)
{
	int n;

	sqlite3_reset(w->row);
	sqlite3_reset(w->audit_row);
	sqlite3_bind_int64(w->row, 1, sqlite3_column_int64(w->rows, 2));
	sqlite3_bind_int64(w->audit_row, 1, sqlite3_column_int64(w->aud, 2));
	if (sqlite3_step(w->row) != SQLITE_ROW ||
	    sqlite3_step(w->audit_row) != SQLITE_ROW)
		return -2;
	n = sqlite3_column_int(w->audit_row, r->ncols + 1) ? r->ncols : r->always;
	for (int i = 0; i < n; i++)
		if (!same_col(w->row, w->audit_row, i))
			return i;
	return -1;
}

static const char *or_none(sqlite3_stmt *st, int i)
{
	const unsigned char *v = sqlite3_column_text(st, i);

	return v ? (const char *)v : "(none)";
}

/* The key where the walk parts (heap), or NULL when every row pairs. */
static char *walk(const struct pair_rule *r, struct walk *w, char *why, size_t size)
{
	int sr, sa, col = -1;
	char *key = NULL;

	for (;;) {
		sr = sqlite3_step(w->rows);
		sa = sqlite3_step(w->aud);
		if (sr != SQLITE_ROW || sa != SQLITE_ROW)
			break;
		if (same_col(w->rows, w->aud, 0) && same_col(w->rows, w->aud, 1))
			continue;
		if ((col = first_difference(r, w)) != -1)
			break;
	}
	if (col > 0) {
		/* the same key, a field edited: say which, and what the row says */
		size_t used = strlen(why);
		snprintf(why + used, size - used, ": %s is '%s', its audit row %lld"
		         " says '%s'", r->names[col], or_none(w->row, col),
		         (long long)sqlite3_column_int64(w->audit_row, r->ncols),
		         or_none(w->audit_row, col));
	}
	if (col == -2) {
		key = strdup("?");
	} else if (sr == SQLITE_ROW || sa == SQLITE_ROW) {
		key = td_reg_col_dup(sr == SQLITE_ROW ? w->rows : w->aud, 0);
		if (!key)
			key = strdup("?");
	} else if (sr != SQLITE_DONE || sa != SQLITE_DONE) {
		key = strdup("?");
	}
	return key;
}

int kit_pairs_check(struct kit_merge *m, const char *table, int64_t max,
                    const char **entity, char **key, char *why, size_t size)
{
	*key = NULL;
	for (size_t i = 0; i < sizeof pair_rules / sizeof pair_rules[0]; i++) {
		const struct pair_rule *r = &pair_rules[i];
		struct walk w;
		if (strcmp(r->table, table) != 0)
			continue;
		*entity = r->entity;
		snprintf(why, size, "has a %s unlike the %s rows of the kit's audit"
		         " log (one each, in order)", r->what, strcmp(r->entity,
		         "token") == 0 ? "token.move" : "count.scan");
		*key = walk_start(m, r, max, &w) < 0 ? strdup("?") : walk(r, &w, why, size);
		walk_end(&w);
		return 1;
	}
	return 0;
}
