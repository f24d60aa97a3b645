/* records.c: reading records out of the registry. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/internal.h"
#include "tokendesk/text.h"

#define FREE_ALL(...) do { \
	char **fields_[] = { __VA_ARGS__ }; \
	for (size_t i_ = 0; i_ < sizeof fields_ / sizeof fields_[0]; i_++) { \
		free(*fields_[i_]); *fields_[i_] = NULL; } \
	} while (0)

void td_agency_clear(struct td_agency *a)
{
	FREE_ALL(&a->code, &a->name, &a->parent_code, &a->level, &a->valid_from,
	         &a->valid_to);
}

void td_holder_clear(struct td_holder *h)
{
	FREE_ALL(&h->kind, &h->ext_id, &h->name, &h->position, &h->email,
	         &h->agency_code);
}

void td_cert_clear(struct td_cert *c)
{
	FREE_ALL(&c->serial, &c->issuer_dn, &c->subject_dn, &c->kind,
	         &c->holder_ext_id, &c->holder_name, &c->agency_code,
	         &c->not_before, &c->not_after, &c->status, &c->revoked_at,
	         &c->token_serial, &c->fingerprint);
}

void td_token_clear(struct td_token *t)
{
	FREE_ALL(&t->serial, &t->model, &t->state, &t->custodian,
	         &t->custodian_name);
}

void td_custody_event_clear(struct td_custody_event *e)
{
	FREE_ALL(&e->token_serial, &e->at, &e->operator_name, &e->from_custodian,
	         &e->to_custodian, &e->state, &e->condition, &e->remarks,
	         &e->conflict_status, &e->superseded_choice, &e->superseded_by,
	         &e->superseded_at);
}

void td_audit_row_clear(struct td_audit_row *r)
{
	FREE_ALL(&r->at, &r->operator_name, &r->action, &r->entity,
	         &r->entity_key, &r->before, &r->after, &r->hash, &r->kit_uuid);
}

/* ---- row readers: column layouts of the SELECTs below ---------------- */

#define AGENCY_COLS "a.id, a.code, a.name, p.code, a.level, a.valid_from, a.valid_to"
#define AGENCY_FROM " FROM agency a LEFT JOIN agency p ON p.id = a.parent_id"

static void read_agency(sqlite3_stmt *st, struct td_agency *a)
{
	a->id = sqlite3_column_int64(st, 0);
	a->code = td_reg_col_dup(st, 1);
	a->name = td_reg_col_dup(st, 2);
	a->parent_code = td_reg_col_dup(st, 3);
	a->level = td_reg_col_dup(st, 4);
	a->valid_from = td_reg_col_dup(st, 5);
	a->valid_to = td_reg_col_dup(st, 6);
}

#define CERT_COLS \
	"c.id, c.serial, " TD_CERT_ISSUER_DN ", c.subject_dn, c.kind, h.ext_id, h.name," \
	" a.code, c.not_before, c.not_after, c.status, c.revoked_at, t.serial," \
	" c.fingerprint"
#define CERT_FROM \
	" FROM certificate c JOIN holder h ON h.id = c.holder_id" \
	" JOIN agency a ON a.id = h.agency_id LEFT JOIN token t ON t.id = c.token_id"

/* "expired" is derived from not_after and today, never stored, so it can
 * never go stale. */
static char *cert_status(const char *stored, const char *not_after)
{
	char today[11];

	td_today(today);
	if (stored && strcmp(stored, "active") == 0 && not_after &&
	    strcmp(not_after, today) < 0)
		return strdup("expired");
	return stored ? strdup(stored) : NULL;
}

static void read_cert(sqlite3_stmt *st, struct td_cert *c)
{
	c->id = sqlite3_column_int64(st, 0);
	c->serial = td_reg_col_dup(st, 1);
	c->issuer_dn = td_reg_col_dup(st, 2);
	c->subject_dn = td_reg_col_dup(st, 3);
	c->kind = td_reg_col_dup(st, 4);
	c->holder_ext_id = td_reg_col_dup(st, 5);
	c->holder_name = td_reg_col_dup(st, 6);
	c->agency_code = td_reg_col_dup(st, 7);
	c->not_before = td_reg_col_dup(st, 8);
	c->not_after = td_reg_col_dup(st, 9);
	c->status = cert_status((const char *)sqlite3_column_text(st, 10), c->not_after);
	c->revoked_at = td_reg_col_dup(st, 11);
	c->token_serial = td_reg_col_dup(st, 12);
	c->fingerprint = td_reg_col_dup(st, 13);
}

#define TOKEN_COLS "t.id, t.serial, t.model, t.state, t.custodian"

static void read_token(sqlite3_stmt *st, struct td_token *t)
{
	t->id = sqlite3_column_int64(st, 0);
	t->serial = td_reg_col_dup(st, 1);
	t->model = td_reg_col_dup(st, 2);
	t->state = td_reg_col_dup(st, 3);
	t->custodian = td_reg_col_dup(st, 4);
}

/* ---- one-row getters ------------------------------------------------ */

typedef void (*row_reader)(sqlite3_stmt *st, void *out);

/* Prepare sql, bind up to two text parameters, read one row. */
static int get_one(struct td_registry *reg, const char *sql, const char *p1,
                   const char *p2, row_reader read, void *out,
                   const char *what, struct td_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(reg->db, sql, -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, what);
	sqlite3_bind_text(st, 1, p1, -1, SQLITE_STATIC);
	if (p2)
		sqlite3_bind_text(st, 2, p2, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read(st, out);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return TD_OK;
	if (rc == SQLITE_DONE)
		return td_error_set(err, TD_ERR_NOTFOUND, "no %s %s",
		                    td_error_translate(what), p1);
	return td_reg_db_error(reg, err, what);
}

int td_reg_get_agency(struct td_registry *reg, const char *code,
                      struct td_agency *out, struct td_error *err)
{
	memset(out, 0, sizeof *out);
	return get_one(reg, "SELECT " AGENCY_COLS AGENCY_FROM " WHERE a.code = ?",
	               code, NULL, (row_reader)read_agency, out, "agency", err);
}

static void read_holder(sqlite3_stmt *st, struct td_holder *h)
{
	h->id = sqlite3_column_int64(st, 0);
	h->kind = td_reg_col_dup(st, 1);
	h->ext_id = td_reg_col_dup(st, 2);
	h->name = td_reg_col_dup(st, 3);
	h->position = td_reg_col_dup(st, 4);
	h->email = td_reg_col_dup(st, 5);
	h->agency_code = td_reg_col_dup(st, 6);
	h->no_longer_needed = sqlite3_column_int(st, 7);
}

int td_reg_get_holder(struct td_registry *reg, const char *kind,
                      const char *ext_id, struct td_holder *out,
                      struct td_error *err)
{
	memset(out, 0, sizeof *out);
	return get_one(reg, "SELECT h.id, h.kind, h.ext_id, h.name, h.position,"
	               " h.email, a.code, h.no_longer_needed FROM holder h"
	               " JOIN agency a ON a.id = h.agency_id"
	               /* kind IN (...) keeps the (kind, ext_id) index usable */
	               " WHERE h.ext_id = ?1 AND h.kind IN (coalesce(?2, 'person'),"
	               " coalesce(?2, 'org')) ORDER BY h.kind = 'org' LIMIT 1",
	               ext_id, kind, (row_reader)read_holder, out, "holder", err);
}

int td_reg_get_cert(struct td_registry *reg, const char *serial,
                    struct td_cert *out, struct td_error *err)
{
	char canon[256];

	memset(out, 0, sizeof *out);
	if (td_serial_hex(serial, canon, sizeof canon) < 0)
		return td_error_set(err, TD_ERR_NOTFOUND,
		                    "no certificate %s (not a hex serial)", serial);
	return get_one(reg, "SELECT " CERT_COLS CERT_FROM " WHERE c.serial = ?"
	               " ORDER BY c.id LIMIT 1", canon, NULL,
	               (row_reader)read_cert, out, "certificate", err);
}

int td_reg_cert_status(struct td_registry *reg, const char *serial,
                       char *status, size_t size, struct td_error *err)
{
	char canon[256];
	sqlite3_stmt *st;
	int rc;

	status[0] = '\0';
	if (td_serial_hex(serial, canon, sizeof canon) < 0)
		return 0;
	if (!(st = td_reg_stmt(reg, ST_CERT_STATUS, err)))
		return TD_ERR_DB;
	sqlite3_bind_text(st, 1, canon, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		snprintf(status, size, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : td_reg_db_error(reg, err, "certificate lookup");
}

int td_reg_certs_written_since(struct td_registry *reg, int64_t after_id,
                               int (*fn)(const char *serial, void *ctx),
                               void *ctx, int *bulk, struct td_error *err)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	*bulk = 0;
	if (sqlite3_prepare_v2(reg->db, "SELECT entity_key FROM audit WHERE id > ?1"
	                       " AND entity = 'cert'", -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "reading the audit log");
	sqlite3_bind_int64(st, 1, after_id);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(st, 0);
		if (!key)
			*bulk = 1;   /* a bulk row: the rows it added are not named */
		else
			stop = fn(key, ctx);
	}
	sqlite3_finalize(st);
	return stop || rc == SQLITE_DONE ? TD_OK
	       : td_reg_db_error(reg, err, "reading the audit log");
}

int td_reg_get_cert_by_fingerprint(struct td_registry *reg, const char *sha256_hex,
                                   struct td_cert *out, struct td_error *err)
{
	memset(out, 0, sizeof *out);
	return get_one(reg, "SELECT " CERT_COLS CERT_FROM " WHERE c.fingerprint = lower(?)",
	               sha256_hex, NULL, (row_reader)read_cert, out,
	               "certificate with fingerprint", err);
}

/* A readable name for "holder:ID" / "agency:CODE" / "dost" / "ca". */
static char *custodian_name(struct td_registry *reg, const char *custodian)
{
	struct td_holder h;
	struct td_agency a;
	char *name = NULL;

	if (!custodian)
		return NULL;
	if (strncmp(custodian, "holder:", 7) == 0 &&
	    td_reg_get_holder(reg, NULL, custodian + 7, &h, NULL) == 0) {
		name = h.name;
		h.name = NULL;
		td_holder_clear(&h);
	} else if (strncmp(custodian, "agency:", 7) == 0 &&
	           td_reg_get_agency(reg, custodian + 7, &a, NULL) == 0) {
		name = a.name;
		a.name = NULL;
		td_agency_clear(&a);
	} else if (strcmp(custodian, "dost") == 0) {
		name = strdup("Sở Khoa học và Công nghệ (DOST)");
	} else if (strcmp(custodian, "ca") == 0) {
		name = strdup("Ban Cơ yếu Chính phủ (CA)");
	}
	return name;
}

int td_reg_get_token(struct td_registry *reg, const char *serial,
                     struct td_token *out, struct td_error *err)
{
	char canon[256];
	int rc;

	memset(out, 0, sizeof *out);
	if (td_token_serial(serial, canon, sizeof canon) < 0)
		return td_error_set(err, TD_ERR_NOTFOUND, "no token %s", serial);
	rc = get_one(reg, "SELECT " TOKEN_COLS " FROM token t WHERE t.serial = ?",
	             canon, NULL, (row_reader)read_token, out, "token", err);
	if (rc == TD_OK)
		out->custodian_name = custodian_name(reg, out->custodian);
	return rc;
}

/* ---- iterators -------------------------------------------------------- */

typedef int (*row_visit)(sqlite3_stmt *st, void *fn, void *ctx);

static int each_row(struct td_registry *reg, const char *sql, const char *param,
                    row_visit visit, void *fn, void *ctx, struct td_error *err)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	if (sqlite3_prepare_v2(reg->db, sql, -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "registry query");
	if (param)
		sqlite3_bind_text(st, 1, param, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((stop = visit(st, fn, ctx)) != 0)
			break;
	sqlite3_finalize(st);
	if (stop)
		return stop;
	if (rc != SQLITE_DONE)
		return td_reg_db_error(reg, err, "registry query");
	return TD_OK;
}

static int visit_agency(sqlite3_stmt *st, void *fn, void *ctx)
{
	struct td_agency a = { 0 };
	read_agency(st, &a);
	int stop = ((td_agency_fn)fn)(&a, ctx);
	td_agency_clear(&a);
	return stop;
}

static int visit_cert(sqlite3_stmt *st, void *fn, void *ctx)
{
	struct td_cert c = { 0 };
	read_cert(st, &c);
	int stop = ((td_cert_fn)fn)(&c, ctx);
	td_cert_clear(&c);
	return stop;
}

static int visit_token(sqlite3_stmt *st, void *fn, void *ctx)
{
	struct td_token t = { 0 };
	read_token(st, &t);
	int stop = ((td_token_fn)fn)(&t, ctx);
	td_token_clear(&t);
	return stop;
}

int td_reg_each_agency(struct td_registry *reg, td_agency_fn fn, void *ctx,
                       struct td_error *err)
{
	return each_row(reg, "SELECT " AGENCY_COLS AGENCY_FROM " ORDER BY a.id",
	                NULL, visit_agency, (void *)fn, ctx, err);
}

int td_reg_each_child_agency(struct td_registry *reg, const char *parent_code,
                             td_agency_fn fn, void *ctx, struct td_error *err)
{
	if (!parent_code)
		return each_row(reg, "SELECT " AGENCY_COLS AGENCY_FROM
		                " WHERE a.parent_id IS NULL ORDER BY a.code",
		                NULL, visit_agency, (void *)fn, ctx, err);
	return each_row(reg, "SELECT " AGENCY_COLS AGENCY_FROM
	                " WHERE p.code = ? ORDER BY a.code",
	                parent_code, visit_agency, (void *)fn, ctx, err);
}

int td_reg_each_cert(struct td_registry *reg, const char *agency_code,
                     td_cert_fn fn, void *ctx, struct td_error *err)
{
	if (!agency_code)
		return each_row(reg, "SELECT " CERT_COLS CERT_FROM " ORDER BY c.id",
		                NULL, visit_cert, (void *)fn, ctx, err);
	return each_row(reg, "SELECT " CERT_COLS CERT_FROM
	                " WHERE a.code = ? ORDER BY c.kind, h.name",
	                agency_code, visit_cert, (void *)fn, ctx, err);
}

int td_reg_each_cert_on_token(struct td_registry *reg, const char *token_serial,
                              td_cert_fn fn, void *ctx, struct td_error *err)
{
	char canon[256];

	if (td_token_serial(token_serial, canon, sizeof canon) < 0)
		return TD_OK;   /* no such token: no certificates */
	return each_row(reg, "SELECT " CERT_COLS CERT_FROM " WHERE t.serial = ?"
	                " ORDER BY c.id", canon, visit_cert, (void *)fn, ctx, err);
}

int td_reg_each_token(struct td_registry *reg, td_token_fn fn, void *ctx,
                      struct td_error *err)
{
	return each_row(reg, "SELECT " TOKEN_COLS " FROM token t ORDER BY t.id",
	                NULL, visit_token, (void *)fn, ctx, err);
}

static int visit_custody(sqlite3_stmt *st, void *fn, void *ctx)
{
	struct td_custody_event e = { 0 };

	e.id = sqlite3_column_int64(st, 0);
	e.handover_id = sqlite3_column_int64(st, 1);
	e.token_serial = td_reg_col_dup(st, 2);
	e.at = td_reg_col_dup(st, 3);
	e.operator_name = td_reg_col_dup(st, 4);
	e.from_custodian = td_reg_col_dup(st, 5);
	e.to_custodian = td_reg_col_dup(st, 6);
	e.state = td_reg_col_dup(st, 7);
	e.condition = td_reg_col_dup(st, 8);
	e.remarks = td_reg_col_dup(st, 9);
	e.conflict_id = sqlite3_column_int64(st, 10);
	e.conflict_status = td_reg_col_dup(st, 11);
	e.superseded_conflict = sqlite3_column_int64(st, 12);
	e.superseded_choice = td_reg_col_dup(st, 13);
	e.superseded_by = td_reg_col_dup(st, 14);
	e.superseded_at = td_reg_col_dup(st, 15);
	int stop = ((td_custody_fn)fn)(&e, ctx);
	td_custody_event_clear(&e);
	return stop;
}

/* The kit conflict over token t that a move e of handover h belongs to.
 * A field kit numbers its handovers in a series of its own, the first six
 * hex digits of its id (handover.c), so a move came from the kit whose id
 * gives its handover's series.  The newest such conflict, should there be
 * more than one, keeps one line per move. */
#define CONFLICT_OF_EVENT "h.series <> '' AND c.id = (SELECT max(k.id)" \
	" FROM kit_conflict k WHERE k.tbl = 'token' AND k.op = 'update'" \
	" AND h.series = upper(substr(replace(k.kit_uuid, '-', ''), 1, 6))" \
	" AND json_valid(k.pk) AND json_extract(k.pk, '$.id') = t.id)"

int td_reg_each_custody_event(struct td_registry *reg, const char *token_serial,
                              td_custody_fn fn, void *ctx, struct td_error *err)
{
	char canon[256];

	if (td_token_serial(token_serial, canon, sizeof canon) < 0)
		return TD_OK;
	token_serial = canon;
	return each_row(reg, "SELECT e.id, e.handover_id, t.serial, e.at, e.operator,"
	                " e.from_custodian, e.to_custodian, e.state, e.condition,"
	                " e.remarks, c.id, c.status, s.conflict_id, s.choice,"
	                " s.decided_by, s.decided_at"
	                " FROM custody_event e JOIN token t ON t.id = e.token_id"
	                " LEFT JOIN handover h ON h.id = e.handover_id"
	                " LEFT JOIN kit_conflict c ON " CONFLICT_OF_EVENT
	                " LEFT JOIN kit_superseded s ON s.event_id = e.id"
	                " WHERE t.serial = ? ORDER BY e.id", token_serial,
	                visit_custody, (void *)fn, ctx, err);
}

static int visit_audit(sqlite3_stmt *st, void *fn, void *ctx)
{
	struct td_audit_row r = { 0 };

	r.id = sqlite3_column_int64(st, 0);
	r.at = td_reg_col_dup(st, 1);
	r.operator_name = td_reg_col_dup(st, 2);
	r.action = td_reg_col_dup(st, 3);
	r.entity = td_reg_col_dup(st, 4);
	r.entity_key = td_reg_col_dup(st, 5);
	r.before = td_reg_col_dup(st, 6);
	r.after = td_reg_col_dup(st, 7);
	r.hash = td_reg_col_dup(st, 8);
	r.kit_uuid = td_reg_col_dup(st, 9);
	int stop = ((td_audit_fn)fn)(&r, ctx);
	td_audit_row_clear(&r);
	return stop;
}

int td_reg_each_audit_of(struct td_registry *reg, const char *entity,
                         const char *key, td_audit_fn fn, void *ctx,
                         struct td_error *err)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	/* Home's rows and the rows kit merges brought home, by time. */
	if (sqlite3_prepare_v2(reg->db, "SELECT id, at, operator, action, entity,"
	                       " entity_key, before, after, hash, kit FROM ("
	                       " SELECT 0 AS src, id, at, operator, action, entity,"
	                       "  entity_key, before, after, hash, NULL AS kit FROM audit"
	                       "  WHERE entity = ?1 AND entity_key = ?2"
	                       " UNION ALL"
	                       " SELECT 1, id, at, operator, 'field:' || action, entity,"
	                       "  entity_key, before, after, hash, kit_uuid"
	                       "  FROM kit_field_audit WHERE entity = ?1 AND entity_key = ?2)"
	                       " ORDER BY at, src, id",
	                       -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "reading the audit log");
	sqlite3_bind_text(st, 1, entity, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((stop = visit_audit(st, (void *)fn, ctx)) != 0)
			break;
	sqlite3_finalize(st);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? TD_OK : td_reg_db_error(reg, err, "reading the audit log");
}
