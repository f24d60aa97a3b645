/* cert_write.c: writing a certificate with its holder and token, and
 * custody moves.  A certificate's audit row snapshots the joined holder
 * and token, so one row tells the whole change. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/internal.h"
#include "tokendesk/text.h"

static int same(const char *a, const char *b)
{
	if (!a || !*a)
		return !b || !*b;
	return b && strcmp(a, b) == 0;
}

static int run(struct td_registry *reg, sqlite3_stmt *st, const char *what,
               struct td_error *err)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? TD_OK : td_reg_db_error(reg, err, what);
}

/* ---- holder ------------------------------------------------------------ */

/* A fresh load's new holder, indexed later set-based. */
static int insert_holder(struct td_registry *reg, const struct td_cert_put *p,
                         const char *kind, int remember, int64_t *id,
                         struct td_error *err)
{
	const struct td_cert *c = p->cert;
	sqlite3_stmt *st = td_reg_stmt(reg, ST_HOLDER_INSERT, err);
	int rc;

	if (!st)
		return TD_ERR_DB;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, c->holder_ext_id, -1, SQLITE_STATIC);
	td_reg_bind_text(st, 3, c->holder_name);
	td_reg_bind_text(st, 4, p->position);
	td_reg_bind_text(st, 5, p->email);
	td_reg_bind_text(st, 6, c->agency_code);
	if ((rc = run(reg, st, "writing a holder", err)) < 0)
		return rc;
	*id = sqlite3_last_insert_rowid(reg->db);
	if (remember)
		td_reg_fresh_put(reg, kind[0] == 'o' ? "h:o:" : "h:p:", c->holder_ext_id, *id);
	return TD_OK;
}

/* Find or create the holder; *changed is set when a field was updated. */
static int put_holder(struct td_registry *reg, const struct td_cert_put *p,
                      int64_t *id, int *changed, struct td_error *err)
{
	const struct td_cert *c = p->cert;
	const char *kind = strcmp(c->kind, "org") == 0 ? "org" : "person";
	sqlite3_stmt *st = td_reg_stmt(reg, ST_HOLDER_BY_KEY, err);
	char *old_name = NULL;
	int rc, found, differs = 0;

	if (!st)
		return TD_ERR_DB;
	if (reg->fresh_certs) {
		/* Only this load's holders exist: no SQL lookup, no update (the
		 * import already checked a person's rows agree). */
		if ((*id = p->holder_id) ||
		    (*id = td_reg_fresh_get(reg, kind[0] == 'o' ? "h:o:" : "h:p:",
		                            c->holder_ext_id)))
			return TD_OK;
		return insert_holder(reg, p, kind, 1, id, err);
	}
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, c->holder_ext_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	found = rc == SQLITE_ROW;
	if (found) {
		*id = sqlite3_column_int64(st, 0);
		old_name = td_reg_col_dup(st, 3);
		differs = !same(old_name, c->holder_name) ||
		          !same((const char *)sqlite3_column_text(st, 4), p->position) ||
		          !same((const char *)sqlite3_column_text(st, 5), p->email) ||
		          !same((const char *)sqlite3_column_text(st, 6), c->agency_code);
	}
	sqlite3_reset(st);
	if (!found && rc != SQLITE_DONE)
		return td_reg_db_error(reg, err, "holder lookup");
	if (found && !differs) {
		free(old_name);
		return TD_OK;
	}
	st = td_reg_stmt(reg, found ? ST_HOLDER_UPDATE : ST_HOLDER_INSERT, err);
	if (!st) {
		free(old_name);
		return TD_ERR_DB;
	}
	int i = 1;
	if (!found) {
		sqlite3_bind_text(st, i++, kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, i++, c->holder_ext_id, -1, SQLITE_STATIC);
	}
	td_reg_bind_text(st, i++, c->holder_name);
	td_reg_bind_text(st, i++, p->position);
	td_reg_bind_text(st, i++, p->email);
	td_reg_bind_text(st, i++, c->agency_code);
	if (found)
		sqlite3_bind_int64(st, i, *id);
	rc = run(reg, st, "writing a holder", err);
	if (rc == TD_OK && !found)
		*id = sqlite3_last_insert_rowid(reg->db);
	/* Organisation holders are found through their agency already. */
	if (rc == TD_OK && strcmp(kind, "person") == 0 && !same(old_name, c->holder_name)) {
		char old_text[2048], new_text[2048];
		snprintf(old_text, sizeof old_text, "%s %s", old_name ? old_name : "",
		         c->holder_ext_id);
		snprintf(new_text, sizeof new_text, "%s %s", c->holder_name, c->holder_ext_id);
		rc = td_reg_index_put(reg, TD_HIT_HOLDER, *id, found ? old_text : NULL,
		                      new_text, err);
	}
	free(old_name);
	*changed = found;
	return rc;
}

/* ---- token --------------------------------------------------------------- */

/* A token new to the registry starts with its certificate's holder. */
static int insert_token(struct td_registry *reg, const struct td_cert_put *p,
                        int remember, int64_t *id, struct td_error *err)
{
	const struct td_cert *c = p->cert;
	sqlite3_stmt *st = td_reg_stmt(reg, ST_TOKEN_INSERT, err);
	char custodian[512];
	int rc;

	if (!st)
		return TD_ERR_DB;
	snprintf(custodian, sizeof custodian, "holder:%s", c->holder_ext_id);
	sqlite3_bind_text(st, 1, c->token_serial, -1, SQLITE_STATIC);
	td_reg_bind_text(st, 2, p->token_model);
	sqlite3_bind_text(st, 3, custodian, -1, SQLITE_STATIC);
	if ((rc = run(reg, st, "writing a token", err)) < 0)
		return rc;
	*id = sqlite3_last_insert_rowid(reg->db);
	if (reg->fresh_certs && remember)
		td_reg_fresh_put(reg, "t:", c->token_serial, *id);
	return TD_OK;
}

int td_reg_bulk_holder(struct td_registry *reg, const struct td_cert_put *p,
                       int64_t *id, struct td_error *err)
{
	const char *kind = strcmp(p->cert->kind, "org") == 0 ? "org" : "person";
	int rc;

	*id = 0;
	if (!reg->fresh_certs)
		return TD_OK;
	if ((rc = td_reg_require_tx(reg, err)) < 0)
		return rc;
	return insert_holder(reg, p, kind, 0, id, err);
}

int td_reg_bulk_token(struct td_registry *reg, const struct td_cert_put *p,
                      int64_t *id, struct td_error *err)
{
	const char *serial = p->cert->token_serial;
	int rc;

	*id = 0;
	if (!reg->fresh_certs || !serial || !*serial)
		return TD_OK;
	if ((rc = td_reg_require_tx(reg, err)) < 0)
		return rc;
	return insert_token(reg, p, 0, id, err);
}

static int put_token(struct td_registry *reg, const struct td_cert_put *p,
                     int64_t *id, int *changed, struct td_error *err)
{
	const struct td_cert *c = p->cert;
	sqlite3_stmt *st;
	int rc, found;

	*id = 0;
	if (!c->token_serial || !*c->token_serial)
		return TD_OK;
	if (reg->fresh_certs) {   /* only this load's tokens exist */
		if (!(*id = p->token_id))
			*id = td_reg_fresh_get(reg, "t:", c->token_serial);
		return *id ? TD_OK : insert_token(reg, p, 1, id, err);
	}
	if (!(st = td_reg_stmt(reg, ST_TOKEN_BY_SERIAL, err)))
		return TD_ERR_DB;
	sqlite3_bind_text(st, 1, c->token_serial, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	found = rc == SQLITE_ROW;
	if (found) {
		*id = sqlite3_column_int64(st, 0);
		*changed = p->token_model && *p->token_model &&
		           !same((const char *)sqlite3_column_text(st, 2), p->token_model);
	}
	sqlite3_reset(st);
	if (!found && rc != SQLITE_DONE)
		return td_reg_db_error(reg, err, "token lookup");
	if (!found)
		return insert_token(reg, p, 1, id, err);
	if (!*changed)
		return TD_OK;
	if (!(st = td_reg_stmt(reg, ST_TOKEN_UPDATE_MODEL, err)))
		return TD_ERR_DB;
	td_reg_bind_text(st, 1, p->token_model);
	sqlite3_bind_int64(st, 2, *id);
	return run(reg, st, "writing a token", err);
}

/* ---- certificate ------------------------------------------------------- */

struct cert_now {
	int64_t id, holder_id, token_id;
	int differs;
};

static int find_cert(struct td_registry *reg, const struct td_cert *c,
                     int64_t holder_id, int64_t token_id, struct cert_now *now,
                     struct td_error *err)
{
	sqlite3_stmt *st = td_reg_stmt(reg, ST_CERT_BY_KEY, err);
	int rc;

	if (!st)
		return TD_ERR_DB;
	sqlite3_bind_text(st, 1, c->serial, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, c->issuer_dn, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		now->id = sqlite3_column_int64(st, 0);
		now->differs =
			!same((const char *)sqlite3_column_text(st, 3), c->subject_dn) ||
			!same((const char *)sqlite3_column_text(st, 4), c->kind) ||
			sqlite3_column_int64(st, 17) != holder_id ||
			!same((const char *)sqlite3_column_text(st, 8), c->not_before) ||
			!same((const char *)sqlite3_column_text(st, 9), c->not_after) ||
			!same((const char *)sqlite3_column_text(st, 12), c->token_serial) ||
			(c->fingerprint && !same((const char *)sqlite3_column_text(st, 13),
			                         c->fingerprint));
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : td_reg_db_error(reg, err, "certificate lookup");
}

/* The id of issuer dn, added when new (schema step 11).  The last one
 * is kept for the transaction: an import names one CA on every row. */
static int64_t intern_issuer(struct td_registry *reg, const char *dn,
                             struct td_error *err)
{
	sqlite3_stmt *st;
	int64_t id = 0;
	int rc;

	if (reg->issuer_dn && strcmp(reg->issuer_dn, dn) == 0)
		return reg->issuer_id;
	if (!(st = td_reg_stmt(reg, ST_ISSUER_INTERN, err)))
		return -1;
	sqlite3_bind_text(st, 1, dn, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE) {   /* there already */
		if (!(st = td_reg_stmt(reg, ST_ISSUER_BY_DN, err)))
			return -1;
		sqlite3_bind_text(st, 1, dn, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			id = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	if (!id) {
		td_reg_db_error(reg, err, "recording a certificate's issuer");
		return -1;
	}
	free(reg->issuer_dn);
	reg->issuer_dn = strdup(dn);   /* NULL: no cache, still right */
	reg->issuer_id = id;
	return id;
}

static int write_cert(struct td_registry *reg, const struct td_cert *c,
                      const struct cert_now *now, int found,
                      struct td_error *err)
{
	sqlite3_stmt *st;
	int64_t issuer = found ? 0 : intern_issuer(reg, c->issuer_dn, err);
	int i = 1;

	if (issuer < 0)
		return err->code;
	if (!(st = td_reg_stmt(reg, found ? ST_CERT_UPDATE : ST_CERT_INSERT, err)))
		return TD_ERR_DB;
	if (!found) {
		sqlite3_bind_text(st, i++, c->serial, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, i++, issuer);
	}
	sqlite3_bind_text(st, i++, c->subject_dn, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, i++, c->kind, -1, SQLITE_STATIC);
	if (found) {
		sqlite3_bind_int64(st, i++, now->holder_id);
	} else {
		sqlite3_bind_int64(st, i++, now->holder_id);
	}
	sqlite3_bind_text(st, i++, c->not_before, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, i++, c->not_after, -1, SQLITE_STATIC);
	if (now->token_id)
		sqlite3_bind_int64(st, i++, now->token_id);
	else
		sqlite3_bind_null(st, i++);
	td_reg_bind_text(st, i++, c->fingerprint);
	if (found)
		sqlite3_bind_int64(st, i, now->id);
	return run(reg, st, "writing a certificate", err);
}

/* The image of a holder (by kind and ext_id) or token (by serial), or
 * NULL when there is none. */
static char *image_by_key(struct td_registry *reg, enum td_stmt_id id,
                          const char *a, const char *b, struct td_error *err)
{
	sqlite3_stmt *st = td_reg_stmt(reg, id, err);
	char *json = NULL;

	if (!st || !a)
		return NULL;
	sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	if (b)
		sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		json = td_reg_col_dup(st, 0);
	sqlite3_reset(st);
	return json;
}

/* A certificate new to the registry may change its holder or token
 * (another name, a model given now): no row of the certificate's own
 * tells it (an addition may be folded into a bulk row), so the change
 * gets its own audit row, for audit verify to follow. */
struct side_images { char *holder, *token; };

static void side_images_take(struct td_registry *reg, const struct td_cert *c,
                             struct side_images *s, struct td_error *err)
{
	const char *kind = strcmp(c->kind, "org") == 0 ? "org" : "person";

	s->holder = image_by_key(reg, ST_HOLDER_JSON_BY_KEY, kind, c->holder_ext_id, err);
	s->token = c->token_serial && *c->token_serial
	           ? image_by_key(reg, ST_TOKEN_JSON_BY_SERIAL, c->token_serial, NULL, err)
	           : NULL;
}

static int side_images_audit(struct td_registry *reg, const struct td_cert *c,
                             struct side_images *s, int holder_changed,
                             int token_changed, struct td_error *err)
{
	const char *kind = strcmp(c->kind, "org") == 0 ? "org" : "person";
	char *after;
	int rc = TD_OK;

	if (holder_changed && s->holder) {
		after = image_by_key(reg, ST_HOLDER_JSON_BY_KEY, kind, c->holder_ext_id, err);
		rc = td_reg_audit(reg, "holder.update", "holder", c->holder_ext_id,
		                  s->holder, after, err);
		free(after);
	}
	if (rc == TD_OK && token_changed && s->token) {
		after = image_by_key(reg, ST_TOKEN_JSON_BY_SERIAL, c->token_serial, NULL, err);
		rc = td_reg_audit(reg, "token.update", "token", c->token_serial, s->token,
		                  after, err);
		free(after);
	}
	free(s->holder);
	free(s->token);
	s->holder = s->token = NULL;
	return rc;
}

/* Serials in their canonical spelling, whatever the caller passed. */
static int canonical_serials(const struct td_cert *in, struct td_cert *out,
                             char *serial, char *token, size_t size,
                             struct td_error *err)
{
	*out = *in;
	if (td_serial_hex(in->serial ? in->serial : "", serial, size) < 0)
		return td_error_set(err, TD_ERR_DATA, "'%s' is not a certificate serial",
		                    in->serial ? in->serial : "");
	out->serial = serial;
	if (in->token_serial && *in->token_serial) {
		if (td_token_serial(in->token_serial, token, size) < 0)
			return td_error_set(err, TD_ERR_DATA, "'%s' is not a token serial",
			                    in->token_serial);
		out->token_serial = token;
	}
	return TD_OK;
}

int td_reg_put_cert(struct td_registry *reg, const struct td_cert_put *pin,
                    enum td_upsert *result, struct td_error *err)
{
	char serial[256], token[256];
	struct td_cert canon;
	struct td_cert_put pcanon = *pin, *p = &pcanon;
	const struct td_cert *c = &canon;
	struct cert_now now = { 0 };
	struct side_images side = { NULL, NULL };
	int holder_changed = 0, token_changed = 0, found, rc;
	char *before = NULL, *after;

	if ((rc = td_reg_require_tx(reg, err)) < 0 ||
	    (rc = canonical_serials(pin->cert, &canon, serial, token, sizeof serial, err)) < 0)
		return rc;
	pcanon.cert = &canon;
	/* The before-image must be taken before the holder or token change.
	 * In a fresh load there is nothing to find (UNIQUE still guards). */
	if ((found = reg->fresh_certs ? 0 : find_cert(reg, c, -1, 0, &now, err)) < 0)
		return found;
	if (found)
		before = td_reg_row_json(reg, ST_CERT_JSON, now.id, err);
	else if (!reg->fresh_certs)
		side_images_take(reg, c, &side, err);
	if ((rc = put_holder(reg, p, &now.holder_id, &holder_changed, err)) < 0 ||
	    (rc = put_token(reg, p, &now.token_id, &token_changed, err)) < 0)
		goto out;
	if (!found && (rc = side_images_audit(reg, c, &side, holder_changed,
	                                      token_changed, err)) < 0)
		goto out;
	if (found && (rc = find_cert(reg, c, now.holder_id, now.token_id, &now, err)) < 0)
		goto out;
	if (found && !now.differs && !holder_changed && !token_changed) {
		*result = TD_UPSERT_UNCHANGED;
		rc = TD_OK;
		goto out;
	}
	if (!found || now.differs)
		if ((rc = write_cert(reg, c, &now, found, err)) < 0)
			goto out;
	if (!found)
		now.id = sqlite3_last_insert_rowid(reg->db);
	*result = found ? TD_UPSERT_UPDATED : TD_UPSERT_ADDED;
	if (!found && td_reg_bulk_add(reg, &reg->bulk_cert, c->serial))
		goto out;   /* folded into the bulk audit row */
	after = td_reg_row_json(reg, ST_CERT_JSON, now.id, err);
	rc = td_reg_audit(reg, found ? "cert.update" : "cert.add", "cert", c->serial,
	                  before, after, err);
	free(after);
out:
	free(side.holder);
	free(side.token);
	free(before);
	return rc;
}

/* ---- custody -------------------------------------------------------------- */

/* A move's audit image: the token as it is now, and under "event" the
 * custody event's own fields, so audit verify can check that row too. */
static char *move_json(struct td_registry *reg, int64_t token_id, int64_t event,
                       struct td_error *err)
{
	char *token = td_reg_row_json(reg, ST_TOKEN_JSON, token_id, err), *json = NULL;
	sqlite3_stmt *st;

	if (!token || sqlite3_prepare_v2(reg->db, "SELECT json_set(?1, '$.event',"
	                                 " json_object('at', at, 'operator', operator,"
	                                 " 'from', from_custodian, 'condition', condition,"
	                                 " 'remarks', remarks)) FROM custody_event"
	                                 " WHERE id = ?2", -1, &st, NULL) != SQLITE_OK) {
		free(token);
		return NULL;
	}
	sqlite3_bind_text(st, 1, token, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, event);
	if (sqlite3_step(st) == SQLITE_ROW)
		json = td_reg_col_dup(st, 0);
	sqlite3_finalize(st);
	free(token);
	return json;
}

int td_reg_move_token(struct td_registry *reg, const char *token_serial,
                      const char *to_custodian, const char *state,
                      const char *condition, const char *remarks,
                      int64_t handover_id, int64_t *event_id,
                      struct td_error *err)
{
	struct td_token t;
	sqlite3_stmt *st;
	char at[21], *before, *after;
	int64_t event;
	int rc;

	if ((rc = td_reg_require_tx(reg, err)) < 0 ||
	    (rc = td_reg_get_token(reg, token_serial, &t, err)) < 0)
		return rc;
	before = td_reg_row_json(reg, ST_TOKEN_JSON, t.id, err);
	td_now_iso(at);
	rc = sqlite3_prepare_v2(reg->db, "INSERT INTO custody_event (token_id,"
	                        " handover_id, at, operator, from_custodian, to_custodian,"
	                        " state, condition, remarks) VALUES (?,?,?,?,?,?,?,?,?)",
	                        -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, t.id);
		if (handover_id)
			sqlite3_bind_int64(st, 2, handover_id);
		sqlite3_bind_text(st, 3, at, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, td_reg_operator(reg), -1, SQLITE_STATIC);
		td_reg_bind_text(st, 5, t.custodian);
		sqlite3_bind_text(st, 6, to_custodian, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, state, -1, SQLITE_STATIC);
		td_reg_bind_text(st, 8, condition);
		td_reg_bind_text(st, 9, remarks);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
	}
	if (rc != SQLITE_DONE) {
		rc = td_reg_db_error(reg, err, "recording the custody event");
		goto out;
	}
	event = sqlite3_last_insert_rowid(reg->db);
	if (event_id)
		*event_id = event;
	rc = sqlite3_prepare_v2(reg->db, "UPDATE token SET custodian = ?, state = ?"
	                        " WHERE id = ?", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, to_custodian, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, t.id);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
	}
	if (rc != SQLITE_DONE) {
		rc = td_reg_db_error(reg, err, "updating the token");
		goto out;
	}
	after = move_json(reg, t.id, event, err);
	rc = td_reg_audit(reg, "token.move", "token", t.serial, before, after, err);
	free(after);
out:
	free(before);
	td_token_clear(&t);
	return rc;
}
