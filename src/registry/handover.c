/* handover.c: handover rows and their items.  The number is taken inside
 * the writing transaction (BEGIN IMMEDIATE holds the write lock), so two
 * desks on one registry cannot draw the same number. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "registry/internal.h"
#include "tokendesk/text.h"

#define FREE_ALL(...) do { \
	char **fields_[] = { __VA_ARGS__ }; \
	for (size_t i_ = 0; i_ < sizeof fields_ / sizeof fields_[0]; i_++) { \
		free(*fields_[i_]); *fields_[i_] = NULL; } \
	} while (0)

void td_handover_row_clear(struct td_handover_row *h)
{
	FREE_ALL(&h->number, &h->kind, &h->at, &h->place, &h->operator_name,
	         &h->from_custodian, &h->from_name, &h->to_custodian, &h->to_name,
	         &h->condition, &h->remarks);
}

void td_handover_item_row_clear(struct td_handover_item_row *it)
{
	FREE_ALL(&it->key, &it->detail, &it->from_custodian, &it->from_name,
	         &it->holders, &it->certs, &it->state_before, &it->state_after,
	         &it->condition, &it->remarks, &it->proof, &it->proof_detail);
}

/* ---- writing ------------------------------------------------------------ */

/* The number's year is the one printed on the record, which shows the
 * local date (Vietnam is 7 hours ahead of UTC at New Year). */
static int local_year(void)
{
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	return tm.tm_year + 1900;
}

/* The number series of this file: "" at home; in a field kit the first
 * six hex digits of the kit's id, so handovers recorded in the field and
 * at home meanwhile never share a number when the kit is merged back. */
static void number_series(struct td_registry *reg, char series[8])
{
	sqlite3_stmt *st;

	series[0] = '\0';
	if (sqlite3_prepare_v2(reg->db, "SELECT upper(substr(replace(value, '-', ''),"
	                       " 1, 6)) FROM meta WHERE key = 'kit_uuid'", -1, &st,
	                       NULL) != SQLITE_OK)
		return;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(series, 8, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

static int next_seq(struct td_registry *reg, int year, const char *series,
                    int *seq, struct td_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(reg->db, "SELECT coalesce(max(seq), 0) + 1"
	                       " FROM handover WHERE year = ? AND series = ?", -1, &st,
	                       NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "numbering the handover");
	sqlite3_bind_int(st, 1, year);
	sqlite3_bind_text(st, 2, series, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*seq = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? TD_OK : td_reg_db_error(reg, err, "numbering the handover");
}

int td_reg_handover_create(struct td_registry *reg,
                           const struct td_handover_row *h, int64_t *id,
                           char *number, size_t size, struct td_error *err)
{
	sqlite3_stmt *st;
	char at[21], series[8];
	int rc, year, seq = 0;

	if ((rc = td_reg_require_tx(reg, err)) < 0)
		return rc;
	td_now_iso(at);
	year = local_year();
	number_series(reg, series);
	if ((rc = next_seq(reg, year, series, &seq, err)) < 0)
		return rc;
	snprintf(number, size, "BG-%04d-%s%s%04d", year, series, *series ? "-" : "", seq);
	if (sqlite3_prepare_v2(reg->db, "INSERT INTO handover (number, year, series,"
	                       " seq, kind, at, place, operator, from_custodian,"
	                       " from_name, to_custodian, to_name, condition, remarks)"
	                       " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", -1, &st, NULL)
	    != SQLITE_OK)
		return td_reg_db_error(reg, err, "recording the handover");
	sqlite3_bind_text(st, 1, number, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, year);
	sqlite3_bind_text(st, 3, series, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, seq);
	td_reg_bind_text(st, 5, h->kind);
	sqlite3_bind_text(st, 6, at, -1, SQLITE_STATIC);
	td_reg_bind_text(st, 7, h->place);
	sqlite3_bind_text(st, 8, td_reg_operator(reg), -1, SQLITE_STATIC);
	td_reg_bind_text(st, 9, h->from_custodian);
	td_reg_bind_text(st, 10, h->from_name);
	td_reg_bind_text(st, 11, h->to_custodian);
	td_reg_bind_text(st, 12, h->to_name);
	td_reg_bind_text(st, 13, h->condition);
	td_reg_bind_text(st, 14, h->remarks);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return td_reg_db_error(reg, err, "recording the handover");
	if (id)
		*id = sqlite3_last_insert_rowid(reg->db);
	return TD_OK;
}

/* The row id of the token or dossier an item names. */
static int item_target(struct td_registry *reg, int is_token, const char *key,
                       int64_t *target, struct td_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(reg->db, is_token ?
	                       "SELECT id FROM token WHERE serial = ?" :
	                       "SELECT id FROM dossier WHERE ref = ?", -1, &st, NULL)
	    != SQLITE_OK)
		return td_reg_db_error(reg, err, "handover item lookup");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*target = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return TD_OK;
	if (rc == SQLITE_DONE)
		return td_error_set(err, TD_ERR_NOTFOUND, "no %s %s",
		                    is_token ? "token" : "dossier", key);
	return td_reg_db_error(reg, err, "handover item lookup");
}

static int handover_is_token(struct td_registry *reg, int64_t id, int *is_token,
                             struct td_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(reg->db, "SELECT kind = 'token' FROM handover"
	                       " WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "handover lookup");
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*is_token = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return TD_OK;
	return rc == SQLITE_DONE ?
	       td_error_set(err, TD_ERR_NOTFOUND, "no handover #%lld", (long long)id) :
	       td_reg_db_error(reg, err, "handover lookup");
}

int td_reg_handover_add_item(struct td_registry *reg, int64_t handover_id,
                             int pos, const struct td_handover_item_row *it,
                             struct td_error *err)
{
	sqlite3_stmt *st;
	int64_t target = 0;
	int rc, is_token = 0;

	if ((rc = td_reg_require_tx(reg, err)) < 0 ||
	    (rc = handover_is_token(reg, handover_id, &is_token, err)) < 0 ||
	    (rc = item_target(reg, is_token, it->key, &target, err)) < 0)
		return rc;
	if (sqlite3_prepare_v2(reg->db, "INSERT INTO handover_item (handover_id,"
	                       " pos, token_id, dossier_id, event_id, key, detail,"
	                       " from_custodian, from_name, holders, certs,"
	                       " state_before, state_after, condition, remarks, proof,"
	                       " proof_detail) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
	                       " coalesce(?, 'skipped'),?)", -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "recording a handover item");
	sqlite3_bind_int64(st, 1, handover_id);
	sqlite3_bind_int(st, 2, pos);
	if (is_token)
		sqlite3_bind_int64(st, 3, target);
	else
		sqlite3_bind_int64(st, 4, target);
	if (it->event_id)
		sqlite3_bind_int64(st, 5, it->event_id);
	td_reg_bind_text(st, 6, it->key);
	td_reg_bind_text(st, 7, it->detail);
	td_reg_bind_text(st, 8, it->from_custodian);
	td_reg_bind_text(st, 9, it->from_name);
	td_reg_bind_text(st, 10, it->holders);
	td_reg_bind_text(st, 11, it->certs);
	td_reg_bind_text(st, 12, it->state_before);
	td_reg_bind_text(st, 13, it->state_after);
	td_reg_bind_text(st, 14, it->condition);
	td_reg_bind_text(st, 15, it->remarks);
	td_reg_bind_text(st, 16, it->proof);
	td_reg_bind_text(st, 17, it->proof_detail);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? TD_OK :
	       td_reg_db_error(reg, err, "recording a handover item");
}

char *td_reg_handover_image(struct td_registry *reg, int64_t handover_id,
                            char **number)
{
	sqlite3_stmt *st;
	char *after = NULL;

	*number = NULL;
	if (sqlite3_prepare_v2(reg->db, "SELECT number, json_object('number', number,"
	                       " 'kind', kind, 'at', at, 'place', place, 'operator', operator,"
	                       " 'from', from_custodian, 'to', to_custodian,"
	                       " 'condition', condition, 'remarks', remarks,"
	                       " 'from_name', from_name, 'to_name', to_name,"
	                       " 'items', (SELECT json_group_array(json_object('key', key,"
	                       "   'from', from_custodian, 'state', state_after,"
	                       "   'proof', proof, 'detail', detail, 'from_name',"
	                       "   from_name, 'holders', holders, 'certs', certs,"
	                       "   'state_before', state_before, 'condition', condition,"
	                       "   'remarks', remarks, 'proof_detail', proof_detail))"
	                       "   FROM (SELECT * FROM handover_item"
	                       "   WHERE handover_id = h.id ORDER BY pos)))"
	                       " FROM handover h WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(st, 1, handover_id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*number = td_reg_col_dup(st, 0);
		after = td_reg_col_dup(st, 1);
	}
	sqlite3_finalize(st);
	if (!*number || !after) {
		free(*number);
		free(after);
		*number = NULL;
		return NULL;
	}
	return after;
}

int td_reg_handover_seal(struct td_registry *reg, int64_t handover_id,
                         struct td_error *err)
{
	char *number, *after;
	int rc;

	if ((rc = td_reg_require_tx(reg, err)) < 0)
		return rc;
	if (!(after = td_reg_handover_image(reg, handover_id, &number)))
		return td_reg_db_error(reg, err, "sealing the handover");
	rc = td_reg_audit(reg, "handover.create", "handover", number, NULL,
	                  after, err);
	free(number);
	free(after);
	return rc;
}

/* ---- reading -------------------------------------------------------------- */

#define HANDOVER_COLS "id, number, kind, at, place, operator, from_custodian," \
	" from_name, to_custodian, to_name, condition, remarks FROM handover"

static void read_handover(sqlite3_stmt *st, struct td_handover_row *h)
{
	char **f[] = { &h->number, &h->kind, &h->at, &h->place, &h->operator_name,
	               &h->from_custodian, &h->from_name, &h->to_custodian,
	               &h->to_name, &h->condition, &h->remarks };

	h->id = sqlite3_column_int64(st, 0);
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
		*f[i] = td_reg_col_dup(st, (int)i + 1);
}

int td_reg_get_handover(struct td_registry *reg, const char *number,
                        struct td_handover_row *out, struct td_error *err)
{
	sqlite3_stmt *st;
	int rc, by_id = *number != '\0' && strspn(number, "0123456789") == strlen(number);

	memset(out, 0, sizeof *out);
	if (sqlite3_prepare_v2(reg->db, by_id ?
	                       "SELECT " HANDOVER_COLS " WHERE id = ?" :
	                       "SELECT " HANDOVER_COLS " WHERE number = upper(?)",
	                       -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "handover lookup");
	if (by_id)
		sqlite3_bind_int64(st, 1, strtoll(number, NULL, 10));
	else
		sqlite3_bind_text(st, 1, number, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_handover(st, out);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return TD_OK;
	if (rc == SQLITE_DONE)
		return td_error_set(err, TD_ERR_NOTFOUND, "no handover %s", number);
	return td_reg_db_error(reg, err, "handover lookup");
}

int td_reg_each_handover(struct td_registry *reg, td_handover_fn fn,
                         void *ctx, struct td_error *err)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	if (sqlite3_prepare_v2(reg->db, "SELECT " HANDOVER_COLS " ORDER BY id DESC",
	                       -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "listing handovers");
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct td_handover_row h = { 0 };
		read_handover(st, &h);
		stop = fn(&h, ctx);
		td_handover_row_clear(&h);
	}
	sqlite3_finalize(st);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? TD_OK : td_reg_db_error(reg, err, "listing handovers");
}

static void read_item(sqlite3_stmt *st, struct td_handover_item_row *it)
{
	char **f[] = { &it->key, &it->detail, &it->from_custodian, &it->from_name,
	               &it->holders, &it->certs, &it->state_before,
	               &it->state_after, &it->condition, &it->remarks, &it->proof,
	               &it->proof_detail };

	it->id = sqlite3_column_int64(st, 0);
	it->handover_id = sqlite3_column_int64(st, 1);
	it->event_id = sqlite3_column_int64(st, 2);
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
		*f[i] = td_reg_col_dup(st, (int)i + 3);
}

int td_reg_each_handover_item(struct td_registry *reg, int64_t handover_id,
                              td_handover_item_fn fn, void *ctx,
                              struct td_error *err)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	if (sqlite3_prepare_v2(reg->db, "SELECT id, handover_id, event_id, key,"
	                       " detail, from_custodian, from_name, holders, certs,"
	                       " state_before, state_after, condition, remarks, proof,"
	                       " proof_detail FROM handover_item WHERE handover_id = ?"
	                       " ORDER BY pos, id", -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "listing handover items");
	sqlite3_bind_int64(st, 1, handover_id);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct td_handover_item_row it = { 0 };
		read_item(st, &it);
		stop = fn(&it, ctx);
		td_handover_item_row_clear(&it);
	}
	sqlite3_finalize(st);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? TD_OK :
	       td_reg_db_error(reg, err, "listing handover items");
}
