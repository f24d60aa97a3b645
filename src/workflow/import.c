/* import.c: the master-list import: read every file, check every row
 * against the rules and against each other, and only then write it all
 * in one transaction. */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "tokendesk/import.h"
#include "tokendesk/orgtree.h"
#include "tokendesk/registry.h"
#include "registry/txn.h"
#include "tokendesk/text.h"
#include "workflow/import_check.h"
#include "workflow/import_internal.h"

void td_import_report_free(struct td_import_report *report)
{
	td_error_list_free(&report->errors);
}

/* ---- agencies ---------------------------------------------------------------- */

/* "missing", unless the field was there and refused for what it held
 * (take_field said so): one problem, one message. */
static void missing(struct import_state *st, struct import_row *r, int c,
                    const char *name)
{
	if (!(r->refused & (1u << c)))
		td_import_row_error(st, r, name, "missing");
}

static void check_agency(struct import_state *st, struct import_row *r)
{
	const char *level;

	if (!r->f[AC_CODE])
		missing(st, r, AC_CODE, "code");
	else if (!td_import_code_ok(r->f[AC_CODE]))
		td_import_row_error(st, r, "code", "'%s' is not a code: use 1-64 letters, "
		                    "digits, '-', '_' or '.'", r->f[AC_CODE]);
	if (!r->f[AC_NAME])
		missing(st, r, AC_NAME, "name");
	if (!r->f[AC_LEVEL])
		missing(st, r, AC_LEVEL, "level");
	else if (!(level = td_import_level(r->f[AC_LEVEL])))
		td_import_row_error(st, r, "level", "'%s' is not one of province, "
		                    "department, division, district, commune, other",
		                    r->f[AC_LEVEL]);
	else
		r->f[AC_LEVEL] = (char *)level;
	if (r->f[AC_FROM] && !td_import_date(st->arena, &r->f[AC_FROM]))
		td_import_row_error(st, r, "valid_from", "'%s' is not a date "
		                    "(YYYY-MM-DD or d/m/yyyy)", r->f[AC_FROM]);
	if (r->f[AC_TO] && !td_import_date(st->arena, &r->f[AC_TO]))
		td_import_row_error(st, r, "valid_to", "'%s' is not a date (YYYY-MM-DD "
		                    "or d/m/yyyy)", r->f[AC_TO]);
	else if (r->f[AC_FROM] && r->f[AC_TO] && td_date_valid(r->f[AC_FROM]) &&
	         strcmp(r->f[AC_FROM], r->f[AC_TO]) > 0)
		td_import_row_error(st, r, "valid_to", "%s is before valid_from %s",
		                    r->f[AC_TO], r->f[AC_FROM]);
}

/* Real trees have a handful of levels; far deeper is a broken list, and
 * the DN of an agency deeper than the tree walks (256) cannot be made. */
#define MAX_AGENCY_DEPTH 64
static int depth_of(struct td_org_tree *tree, const char *code);

/* Did the row's file have column col?  A column a list leaves out says
 * nothing about it: a record the registry holds keeps what it has there
 * (an HR list without the token column must not unlink every token, nor
 * the master list without dates bring merged agencies back). */
static int given(const struct import_row *r, int col)
{
	return (r->given >> col) & 1u;
}

/* Codes by their upper-case spelling: hy.stc beside HY.STC would be a
 * second agency that reads as the first. */
struct cased {
	struct td_strmap *map;
	struct td_arena *arena;
	int oom;
};

static const char *upper_key(struct cased *c, const char *code)
{
	char *k = td_arena_strdup(c->arena, code);

	for (char *p = k; p && *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	if (!k)
		c->oom = 1;
	return k;
}

static void add_cased(const char *code, void *ctx)
{
	struct cased *c = ctx;
	const char *k = upper_key(c, code);

	if (k && !td_strmap_add(c->map, k, (void *)code))
		c->oom = 1;
}

/* The code the tree or an earlier row already spells otherwise, or NULL
 * (and code is noted). */
static const char *case_twin(struct cased *c, const char *code)
{
	const char *k = upper_key(c, code), *was;

	if (!k || !(was = td_strmap_add(c->map, k, (void *)code))) {
		c->oom = 1;
		return NULL;
	}
	return strcmp(was, code) != 0 ? was : NULL;
}

/* agencies_into_tree's checks, with the maps it made (seen: this list's
 * rows by code; cased: every code by its upper-case spelling). */
static int agencies_checked(struct import_state *st, struct td_org_tree *tree,
                            struct td_strmap *seen, struct cased *cased)
{
	const char *twin;

	if (!seen || !cased->map || !cased->arena)
		return TD_ERR_NOMEM;
	td_org_tree_each_code(tree, add_cased, cased);
	for (size_t i = 0; i < st->agencies.n; i++) {
		struct import_row *r = &st->agencies.rows[i], *first;
		check_agency(st, r);
		if (!r->f[AC_CODE])
			continue;
		/* out of memory fails the import: a code missing from seen
		 * would skip its row's parent check below */
		if (!(first = td_strmap_add(seen, r->f[AC_CODE], r)))
			return TD_ERR_NOMEM;
		if (first != r) {
			td_import_row_error(st, r, "code", "%s is listed twice (also %s:%ld)",
			                    r->f[AC_CODE], first->file, first->line);
			continue;
		}
		if ((twin = case_twin(cased, r->f[AC_CODE]))) {
			td_import_row_error(st, r, "code", "%s differs from agency %s only "
			                    "in letter case", r->f[AC_CODE], twin);
			continue;
		}
		/* a list without parent_code leaves an agency the registry
		 * holds under its superior (keep_agency_fields): so does the
		 * tree new certificates' DNs are made from */
		if (!given(r, AC_PARENT) && td_org_tree_has(tree, r->f[AC_CODE]) &&
		    td_org_tree_parent(tree, r->f[AC_CODE]))
			r->f[AC_PARENT] = td_arena_strdup(st->arena,
			                                  td_org_tree_parent(tree, r->f[AC_CODE]));
		if (cased->oom || td_org_tree_put(tree, r->f[AC_CODE], r->f[AC_NAME],
		                                  r->f[AC_PARENT], r->f[AC_LEVEL]) < 0)
			return TD_ERR_NOMEM;
	}
	for (size_t i = 0; i < st->agencies.n; i++) {
		struct import_row *r = &st->agencies.rows[i];
		if (!r->f[AC_CODE] || td_strmap_get(seen, r->f[AC_CODE]) != r)
			continue;
		if (r->f[AC_PARENT] && !td_org_tree_has(tree, r->f[AC_PARENT]))
			td_import_row_error(st, r, "parent_code", "no agency %s in this list "
			                    "or the registry", r->f[AC_PARENT]);
		else if (td_org_tree_cycle(tree, r->f[AC_CODE]))
			td_import_row_error(st, r, "parent_code", "%s would be its own "
			                    "ancestor (the parents form a loop)", r->f[AC_CODE]);
		else if (depth_of(tree, r->f[AC_CODE]) >= MAX_AGENCY_DEPTH)
			td_import_row_error(st, r, "parent_code", "%s is nested %d or more "
			                    "levels deep; at most %d are allowed", r->f[AC_CODE],
			                    MAX_AGENCY_DEPTH, MAX_AGENCY_DEPTH - 1);
	}
	return TD_OK;
}

/* Put every file agency into the tree (over the registry's) and check
 * codes are unique (letter case aside), parents exist and nothing loops. */
static int agencies_into_tree(struct import_state *st, struct td_org_tree *tree)
{
	struct td_strmap *seen = td_strmap_new(st->agencies.n);
	struct cased cased = { td_strmap_new(st->agencies.n + 1024), td_arena_new(), 0 };
	int rc = agencies_checked(st, tree, seen, &cased);

	td_strmap_free(cased.map);
	td_arena_free(cased.arena);
	td_strmap_free(seen);
	return rc;
}

static int depth_of(struct td_org_tree *tree, const char *code)
{
	int d = 0;

	for (const char *p = td_org_tree_parent(tree, code); p && d < 256;
	     p = td_org_tree_parent(tree, p))
		d++;
	return d;
}

static struct td_org_tree *sort_tree;   /* qsort has no context argument */

static int by_depth(const void *a, const void *b)
{
	const struct import_row *ra = a, *rb = b;
	int da = depth_of(sort_tree, ra->f[AC_CODE]), db = depth_of(sort_tree, rb->f[AC_CODE]);

	if (da != db)
		return da - db;
	return ra->line < rb->line ? -1 : ra->line > rb->line;
}

/* ---- certificates ------------------------------------------------------------- */

/* A serial in its canonical spelling: written over the field when it
 * fits (it is never longer, but for a rare spelling), else copied. */
static char *canonical(struct import_state *st, char *field, const char *canon)
{
	if (strlen(canon) > strlen(field))
		return td_arena_strdup(st->arena, canon);
	return strcpy(field, canon);
}

static void check_cert_fields(struct import_state *st, struct import_row *r)
{
	char canon[129];   /* at most 128 digits, as the message says */
	const char *kind;

	if (!r->f[CC_SERIAL])
		missing(st, r, CC_SERIAL, "cert_serial");
	else if (td_serial_hex(r->f[CC_SERIAL], canon, sizeof canon) < 0)
		td_import_row_error(st, r, "cert_serial", "'%s' is not a hexadecimal "
		                    "serial (at most 128 digits)", r->f[CC_SERIAL]);
	else
		r->f[CC_SERIAL] = canonical(st, r->f[CC_SERIAL], canon);
	if (!r->f[CC_KIND])
		missing(st, r, CC_KIND, "kind");
	else if (!(kind = td_import_kind(r->f[CC_KIND])))
		td_import_row_error(st, r, "kind", "'%s' is not org or person", r->f[CC_KIND]);
	else
		r->f[CC_KIND] = (char *)kind;
	if (!r->f[CC_AGENCY])
		missing(st, r, CC_AGENCY, "agency_code");
	for (int c = CC_NOT_BEFORE; c <= CC_NOT_AFTER; c++) {
		if (!r->f[c])
			missing(st, r, c, td_cert_col_names[c]);
		else if (!td_import_date(st->arena, &r->f[c]))
			td_import_row_error(st, r, td_cert_col_names[c], "'%s' is not a date "
			                    "(YYYY-MM-DD or d/m/yyyy)", r->f[c]);
	}
	if (r->f[CC_NOT_BEFORE] && r->f[CC_NOT_AFTER] && td_date_valid(r->f[CC_NOT_BEFORE]) &&
	    td_date_valid(r->f[CC_NOT_AFTER]) && strcmp(r->f[CC_NOT_BEFORE], r->f[CC_NOT_AFTER]) > 0)
		td_import_row_error(st, r, "not_after", "%s is before not_before %s",
		                    r->f[CC_NOT_AFTER], r->f[CC_NOT_BEFORE]);
	if (r->f[CC_TOKEN_SERIAL]) {
		if (td_token_serial(r->f[CC_TOKEN_SERIAL], canon, sizeof canon) < 0)
			td_import_row_error(st, r, "token_serial", "'%s' is not a token serial "
			                    "(letters, digits, '-', ':', '.')", r->f[CC_TOKEN_SERIAL]);
		else
			r->f[CC_TOKEN_SERIAL] = canonical(st, r->f[CC_TOKEN_SERIAL], canon);
	}
	if (r->f[CC_EMAIL] && !td_import_email_ok(r->f[CC_EMAIL]))
		td_import_row_error(st, r, "email", "'%s' is not an e-mail address",
		                    r->f[CC_EMAIL]);
}

static int all_digits(const char *s)
{
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* A person's ID is a CCCD (12 digits) or an old CMND (9).  Excel reads
 * 033072667065 as a number and writes 33072667065: imported as it was,
 * that made a second person and moved the certificate to them. */
static void check_person_id(struct import_state *st, struct import_row *r)
{
	const char *id = r->f[CC_HOLDER_ID];
	size_t n = strlen(id);
	struct td_holder twin = { 0 };
	struct td_error ignored;
	char zero[16];

	if (all_digits(id) && (n == 12 || n == 9))
		return;
	if (all_digits(id) && (n == 11 || n == 8)) {
		snprintf(zero, sizeof zero, "0%s", id);
		if (st->reg && td_reg_get_holder(st->reg, "person", zero, &twin,
		                                 &ignored) == TD_OK)
			td_import_row_error(st, r, "holder_id", "'%s' has %zu digits and the "
			                    "registry holds %s (%s): did Excel drop a leading "
			                    "zero?  Format the column as text and export "
			                    "again", id, n, zero, twin.name);
		else
			td_import_row_error(st, r, "holder_id", "'%s' has %zu digits: did "
			                    "Excel drop a leading zero?  A CCCD has 12 digits, "
			                    "an old CMND 9; format the column as text", id, n);
		td_holder_clear(&twin);
		return;
	}
	td_import_row_error(st, r, "holder_id", "'%s' is not an identity number: a "
	                    "CCCD has 12 digits, an old CMND 9", id);
}

/* A certificate the registry gives one holder, given to another here:
 * refused unless the operator says it moves (--allow-holder-change). */
static void check_holder_change(struct import_state *st, struct import_row *r)
{
	struct td_cert old = { 0 };
	struct td_error ignored;
	int found;

	if (!st->reg_has_certs || !r->f[CC_SERIAL])
		return;
	found = td_reg_get_cert(st->reg, r->f[CC_SERIAL], &old, &ignored) == TD_OK;
	/* (check_token_holders looks at the tokens rows put certificates on) */
	r->token_new = r->f[CC_TOKEN_SERIAL] &&
	               (!found || !old.token_serial ||
	                strcasecmp(old.token_serial, r->f[CC_TOKEN_SERIAL]) != 0);
	if (!r->f[CC_HOLDER_ID] || !r->f[CC_KIND] ||
	    (st->opts && st->opts->allow_holder_change)) {
		td_cert_clear(&old);
		return;
	}
	if (found && old.holder_ext_id && strcmp(old.holder_ext_id, r->f[CC_HOLDER_ID]) != 0 &&
	    strcmp(old.kind, r->f[CC_KIND]) == 0)
		td_import_row_error(st, r, "holder_id", "certificate %s belongs to %s (%s) "
		                    "in the registry, not to %s: a certificate moves to "
		                    "another holder only with --allow-holder-change",
		                    r->f[CC_SERIAL], old.holder_ext_id,
		                    old.holder_name ? old.holder_name : "", r->f[CC_HOLDER_ID]);
	td_cert_clear(&old);
}

/* A token the registry has serving another holder (an active
 * certificate of theirs on it), given by a row to this one: one token
 * serves one holder, as within a file.  Unless the import moves that
 * certificate elsewhere too (its row names another token or none). */
struct token_check {
	struct import_state *st;
	struct import_row *r;
	struct td_strmap *serials;   /* this import's rows by certificate serial */
};

static int token_cert(const struct td_cert *c, void *ctx)
{
	struct token_check *k = ctx;
	struct import_row *r = k->r, *moved;

	if (!c->status || strcmp(c->status, "active") != 0 || !c->holder_ext_id ||
	    strcmp(c->holder_ext_id, r->f[CC_HOLDER_ID]) == 0)
		return 0;
	/* moved off: its row names another token, or an empty cell (a
	 * list without the column leaves it on its token) */
	if ((moved = td_strmap_get(k->serials, c->serial)) &&
	    given(moved, CC_TOKEN_SERIAL) &&
	    (!moved->f[CC_TOKEN_SERIAL] ||
	     strcasecmp(moved->f[CC_TOKEN_SERIAL], r->f[CC_TOKEN_SERIAL]) != 0))
		return 0;
	td_import_row_error(k->st, r, "token_serial", "token %s holds certificate %s of "
	                    "holder %s (%s) in the registry: a token serves one holder; "
	                    "move or revoke that certificate first",
	                    r->f[CC_TOKEN_SERIAL], c->serial, c->holder_ext_id,
	                    c->holder_name ? c->holder_name : "");
	return 1;   /* one message a row */
}

static void check_token_holders(struct import_state *st, struct td_strmap *serials)
{
	struct td_error ignored;

	for (size_t i = 0; i < st->certs.n; i++) {
		struct import_row *r = &st->certs.rows[i];
		struct token_check k = { st, r, serials };
		if (r->token_new && r->f[CC_HOLDER_ID])
			td_reg_each_cert_on_token(st->reg, r->f[CC_TOKEN_SERIAL], token_cert,
			                          &k, &ignored);
	}
}

/* The holder: a person by national id; an agency by its code. */
static void settle_holder(struct import_state *st, struct import_row *r,
                          struct td_org_tree *tree)
{
	int org = r->f[CC_KIND] && strcmp(r->f[CC_KIND], "org") == 0;

	if (org) {
		if (!r->f[CC_HOLDER_ID])
			r->f[CC_HOLDER_ID] = r->f[CC_AGENCY];
		if (!r->f[CC_HOLDER_NAME] && r->f[CC_AGENCY])
			r->f[CC_HOLDER_NAME] = (char *)td_org_tree_name(tree, r->f[CC_AGENCY]);
	} else if (r->f[CC_KIND] && !r->f[CC_HOLDER_ID] &&
	           !(r->refused & (1u << CC_HOLDER_ID))) {
		td_import_row_error(st, r, "holder_id", "missing: a personal certificate "
		                    "needs the holder's identity number");
	} else if (r->f[CC_HOLDER_ID] && !td_import_code_ok(r->f[CC_HOLDER_ID])) {
		td_import_row_error(st, r, "holder_id", "'%s' is not an identity number",
		                    r->f[CC_HOLDER_ID]);
	} else if (r->f[CC_HOLDER_ID] && r->f[CC_KIND]) {
		check_person_id(st, r);
	}
	if (!r->f[CC_HOLDER_NAME])
		missing(st, r, CC_HOLDER_NAME, "holder_name");
}

/* Rows that contradict each other: one serial twice, one person under two
 * names, one token for two holders.  Each row's holder_ix and token_ix
 * are left holding the row of its holder's and its token's first
 * certificate (first_rows takes them from there: no second set of maps
 * over a national list, issue 27). */
static int check_cert_set(struct import_state *st, struct td_org_tree *tree)
{
	struct td_strmap *serials = td_strmap_new(st->certs.n);
	struct td_strmap *people = td_strmap_new(st->certs.n);
	struct td_strmap *tokens = td_strmap_new(st->certs.n);
	struct td_strmap *orgs = td_strmap_new(st->certs.n / 8 + 16);
	int rc = serials && people && tokens && orgs ? TD_OK : TD_ERR_NOMEM;

	for (size_t i = 0; rc == TD_OK && i < st->certs.n; i++) {
		struct import_row *r = &st->certs.rows[i], *o;
		r->holder_ix = r->token_ix = NO_FIRST;
		check_cert_fields(st, r);
		if (r->f[CC_AGENCY] && !td_org_tree_has(tree, r->f[CC_AGENCY]))
			td_import_row_error(st, r, "agency_code", "no agency %s in the lists "
			                    "or the registry", r->f[CC_AGENCY]);
		settle_holder(st, r, tree);
		check_holder_change(st, r);
		/* td_strmap_add: the first row with the key, r when r is the
		 * first (one look-up where a get and a put cost two misses of
		 * a national map's cache). */
		if (r->f[CC_SERIAL]) {
			if (!(o = td_strmap_add(serials, r->f[CC_SERIAL], r)))
				rc = TD_ERR_NOMEM;
			else if (o != r)
				td_import_row_error(st, r, "cert_serial", "serial %s is listed "
				                    "twice (also %s:%ld)", r->f[CC_SERIAL],
				                    o->file, o->line);
		}
		if (r->f[CC_HOLDER_ID] && r->f[CC_HOLDER_NAME] && r->f[CC_KIND] &&
		    strcmp(r->f[CC_KIND], "person") == 0) {
			if (!(o = td_strmap_add(people, r->f[CC_HOLDER_ID], r)))
				rc = TD_ERR_NOMEM;
			else if (strcmp(o->f[CC_HOLDER_NAME], r->f[CC_HOLDER_NAME]) != 0)
				td_import_row_error(st, r, "holder_name", "holder %s is '%s' here "
				                    "but '%s' at %s:%ld", r->f[CC_HOLDER_ID],
				                    r->f[CC_HOLDER_NAME], o->f[CC_HOLDER_NAME],
				                    o->file, o->line);
			r->holder_ix = (uint32_t)((o ? o : r) - st->certs.rows);
		} else if (r->f[CC_HOLDER_ID] && r->f[CC_KIND] &&
		           strcmp(r->f[CC_KIND], "org") == 0) {
			if (!(o = td_strmap_add(orgs, r->f[CC_HOLDER_ID], r)))
				rc = TD_ERR_NOMEM;
			r->holder_ix = (uint32_t)((o ? o : r) - st->certs.rows);
		}
		if (r->f[CC_TOKEN_SERIAL] && r->f[CC_HOLDER_ID]) {
			if (!(o = td_strmap_add(tokens, r->f[CC_TOKEN_SERIAL], r)))
				rc = TD_ERR_NOMEM;
			else if (o->f[CC_HOLDER_ID] &&
			         strcmp(o->f[CC_HOLDER_ID], r->f[CC_HOLDER_ID]) != 0)
				td_import_row_error(st, r, "token_serial", "token %s is given to "
				                    "holder %s here and to %s at %s:%ld",
				                    r->f[CC_TOKEN_SERIAL], r->f[CC_HOLDER_ID],
				                    o->f[CC_HOLDER_ID], o->file, o->line);
			r->token_ix = (uint32_t)((o ? o : r) - st->certs.rows);
		}
	}
	if (rc == TD_OK && st->reg_has_certs)
		check_token_holders(st, serials);
	td_strmap_free(serials);
	td_strmap_free(people);
	td_strmap_free(tokens);
	td_strmap_free(orgs);
	return rc;
}

/* ---- writing ------------------------------------------------------------------- */

static void count(struct td_import_counts *c, enum td_upsert u)
{
	if (u == TD_UPSERT_ADDED)
		c->added++;
	else if (u == TD_UPSERT_UPDATED)
		c->updated++;
	else
		c->unchanged++;
}

void td_import_report_progress(const struct import_state *st,
                               enum td_import_phase phase, const char *file,
                               long long done, long long total)
{
	struct td_import_progress p = { phase, file, done, total };

	if (st->opts && st->opts->progress)
		st->opts->progress(&p, st->opts->progress_ctx);
}

/* Every few thousand rows written, and at the last one. */
static void writing(const struct import_state *st, size_t done)
{
	size_t total = st->agencies.n + st->certs.n;

	if (done % TD_IMPORT_PROGRESS_EVERY == 0 || done == total)
		td_import_report_progress(st, TD_IMPORT_WRITING, NULL, (long long)done,
		                          (long long)total);
}

/* An agency's parent and dates, where its row's file has no such
 * column, as the registry holds them (old: filled, to clear after). */
static void keep_agency_fields(struct td_registry *reg, const struct import_row *r,
                               struct td_agency *a, struct td_agency *old)
{
	struct td_error ignored;

	if ((given(r, AC_PARENT) && given(r, AC_FROM) && given(r, AC_TO)) ||
	    td_reg_get_agency(reg, a->code, old, &ignored) != TD_OK)
		return;
	if (!given(r, AC_PARENT))
		a->parent_code = old->parent_code;
	if (!given(r, AC_FROM))
		a->valid_from = old->valid_from;
	if (!given(r, AC_TO))
		a->valid_to = old->valid_to;
}

static int write_agencies(struct td_registry *reg, struct import_state *st,
                          struct td_org_tree *tree, struct td_import_report *rep,
                          struct td_error *err)
{
	sort_tree = tree;
	if (st->agencies.n > 1)   /* rows is NULL in a certificates-only import */
		qsort(st->agencies.rows, st->agencies.n, sizeof *st->agencies.rows, by_depth);
	sort_tree = NULL;
	for (size_t i = 0; i < st->agencies.n; i++) {
		struct import_row *r = &st->agencies.rows[i];
		struct td_agency a = { 0, r->f[AC_CODE], r->f[AC_NAME], r->f[AC_PARENT],
		                       r->f[AC_LEVEL], r->f[AC_FROM], r->f[AC_TO] };
		struct td_agency old = { 0 };
		enum td_upsert u;
		keep_agency_fields(reg, r, &a, &old);
		int rc = td_reg_put_agency(reg, &a, &u, err);
		td_agency_clear(&old);
		if (rc < 0) {
			err->line = r->line;
			snprintf(err->file, sizeof err->file, "%s", r->file);
			return rc;
		}
		count(&rep->agencies, u);
		writing(st, i + 1);
	}
	return TD_OK;
}

/* ---- a first load's order ------------------------------------------------------ */

/* A first load (no certificate yet) adds its certificates in serial
 * order, so that their key (serial, issuer_id) grows at its end instead
 * of taking a random page per row (issue 27: the floor's largest cost).
 * Holders and tokens are added first, each from its first row in the
 * file, as a first load always took them, in the serial order of that
 * row's certificate; certificates then find them.  (In their own key
 * order they measured no better: their keys stay in the page cache, and
 * sorting them cost more than it saved.)  All ordered here, before the
 * write lock. */
/* Below this many certificates every key stays in the page cache and
 * the order buys nothing: a small list (the demo, a district) keeps the
 * file's order, and its ids, as before. */
#define FIRST_LOAD_SORTED 1000

struct first_load {
	struct import_row **holders, **tokens;
	size_t n_holders, n_tokens;
	int64_t *holder_ids, *token_ids;   /* as added, by place in holders/tokens */
};

/* A row's place in serial order: the serial's first 8 bytes as a
 * big-endian number (the same order as strcmp; a shorter serial padded
 * with NULs, as strcmp's end of string) and the row.  Sorting these
 * reads no row: qsort over the rows themselves cost a cache miss per
 * comparison (seconds at national scale). */
struct serial_key {
	uint64_t prefix;
	const char *serial;
	size_t row;
};

static int by_key(const void *a, const void *b)
{
	const struct serial_key *ka = a, *kb = b;

	if (ka->prefix != kb->prefix)
		return ka->prefix < kb->prefix ? -1 : 1;
	return strcmp(ka->serial, kb->serial);
}

static uint64_t prefix_of(const char *s)
{
	uint64_t v = 0;
	int i = 0;

	for (; i < 8 && s[i]; i++)
		v = v << 8 | (unsigned char)s[i];
	return v << (8 * (8 - i));
}

/* Sort the certificate rows by serial; fl's pointers follow their rows. */
static int sort_certs(struct import_state *st, struct first_load *fl)
{
	size_t n = st->certs.n, *at = malloc(n * sizeof *at);
	struct serial_key *k = malloc(n * sizeof *k);
	struct import_row *rows = st->certs.rows, *sorted = malloc(n * sizeof *sorted);

	if (!at || !k || !sorted) {
		free(at);
		free(k);
		free(sorted);
		return TD_ERR_NOMEM;
	}
	for (size_t i = 0; i < n; i++)
		k[i] = (struct serial_key){ prefix_of(rows[i].f[CC_SERIAL]),
		                            rows[i].f[CC_SERIAL], i };
	qsort(k, n, sizeof *k, by_key);
	for (size_t i = 0; i < n; i++) {
		sorted[i] = rows[k[i].row];
		at[k[i].row] = i;
	}
	for (size_t i = 0; i < n; i++) {
		sorted[i].holder_ix = (uint32_t)at[sorted[i].holder_ix];
		if (sorted[i].token_ix != NO_FIRST)
			sorted[i].token_ix = (uint32_t)at[sorted[i].token_ix];
	}
	for (size_t i = 0; i < fl->n_holders; i++)
		fl->holders[i] = &sorted[at[fl->holders[i] - rows]];
	for (size_t i = 0; i < fl->n_tokens; i++)
		fl->tokens[i] = &sorted[at[fl->tokens[i] - rows]];
	free(rows);
	st->certs.rows = sorted;
	st->certs.cap = n;
	free(at);
	free(k);
	return TD_OK;
}

static int by_address(const void *a, const void *b)
{
	const struct import_row *ra = *(struct import_row *const *)a;
	const struct import_row *rb = *(struct import_row *const *)b;

	return ra < rb ? -1 : ra > rb;
}

/* The first row of each holder (by kind and id) and of each token, as
 * check_cert_set found them: a row that is its own first. */
static int first_rows(struct import_state *st, struct first_load *fl)
{
	fl->holders = malloc(st->certs.n * sizeof *fl->holders);
	fl->tokens = malloc(st->certs.n * sizeof *fl->tokens);
	if (!fl->holders || !fl->tokens)
		return TD_ERR_NOMEM;
	for (size_t i = 0; i < st->certs.n; i++) {
		struct import_row *r = &st->certs.rows[i];
		if (r->holder_ix == NO_FIRST)   /* checked: cannot be */
			return TD_ERR_INTERNAL;
		if (r->holder_ix == i)
			fl->holders[fl->n_holders++] = r;
		if (r->token_ix == i)
			fl->tokens[fl->n_tokens++] = r;
	}
	return TD_OK;
}

/* Each row's holder_ix and token_ix, from the row of the first
 * certificate of its holder and token to the place of that one in
 * fl's lists (the order they are added in): the certificates then take
 * their ids from fl->holder_ids and token_ids, where a map of ids cost
 * a hash look-up per row (issue 27). */
static int places(struct import_state *st, struct first_load *fl)
{
	size_t n = st->certs.n;
	struct import_row *rows = st->certs.rows;
	uint32_t *place = malloc(n * sizeof *place);

	fl->holder_ids = calloc(fl->n_holders + 1, sizeof *fl->holder_ids);
	fl->token_ids = calloc(fl->n_tokens + 1, sizeof *fl->token_ids);
	if (!place || !fl->holder_ids || !fl->token_ids) {
		free(place);
		return TD_ERR_NOMEM;
	}
	for (size_t j = 0; j < fl->n_holders; j++)
		place[fl->holders[j] - rows] = (uint32_t)j;
	for (size_t i = 0; i < n; i++)
		rows[i].holder_ix = place[rows[i].holder_ix];
	for (size_t j = 0; j < fl->n_tokens; j++)
		place[fl->tokens[j] - rows] = (uint32_t)j;
	for (size_t i = 0; i < n; i++)
		if (rows[i].token_ix != NO_FIRST)
			rows[i].token_ix = place[rows[i].token_ix];
	free(place);
	return TD_OK;
}

/* The rows of a first load, in key order; nothing to do otherwise (an
 * import into a registry with certificates keeps the file's order:
 * there, a later row's holder fields update an earlier one's).  The
 * holder and token pointers point into the certificate rows: taken
 * before those are sorted, then made to follow them. */
static int order_first_load(struct import_state *st, struct first_load *fl,
                            struct td_error *err)
{
	int rc;

	memset(fl, 0, sizeof *fl);
	if (st->reg_has_certs || st->certs.n < FIRST_LOAD_SORTED ||
	    st->certs.n >= NO_FIRST)
		return TD_OK;
	if ((rc = first_rows(st, fl)) < 0)
		return rc == TD_ERR_NOMEM ? td_error_set(err, rc, "out of memory")
		                          : td_error_set(err, rc, "a row without its holder");
	if ((rc = sort_certs(st, fl)) < 0)
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	/* each in the order of its row's certificate: their ids then grow
	 * with the certificates', and the commit's digest of the added rows
	 * (which joins each certificate to its holder and token) reads them
	 * in order instead of a random page per row (16% of a national
	 * import's CPU before) */
	qsort(fl->holders, fl->n_holders, sizeof *fl->holders, by_address);
	qsort(fl->tokens, fl->n_tokens, sizeof *fl->tokens, by_address);
	if ((rc = places(st, fl)) < 0)
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	return TD_OK;
}

/* A certificate the registry holds, named again by a list.  The CA
 * issued its subject DN, and a certificate never changes it: the one
 * the tree gives now (an agency renamed or moved, an official moved or
 * renamed) is what `plan show` compares it with to propose the info
 * change.  Its token stays as it is where the list has no such column
 * (given()). */
static void keep_cert_fields(const struct import_row *r, const struct td_cert *old,
                             struct td_cert *c)
{
	c->subject_dn = old->subject_dn;
	if (!given(r, CC_TOKEN_SERIAL))
		c->token_serial = old->token_serial;
}

/* A holder the registry holds keeps its position and e-mail where the
 * row's list has no such column, whether the row's certificate is new
 * or not.  holder is filled when read, for the caller to clear. */
static void keep_holder_fields(struct td_registry *reg, const struct import_row *r,
                               const struct td_cert *c, struct td_cert_put *p,
                               struct td_holder *holder)
{
	struct td_error ignored;

	if ((!given(r, CC_POSITION) || !given(r, CC_EMAIL)) && c->holder_ext_id &&
	    td_reg_get_holder(reg, c->kind, c->holder_ext_id, holder, &ignored) == TD_OK) {
		if (!given(r, CC_POSITION))
			p->position = holder->position;
		if (!given(r, CC_EMAIL))
			p->email = holder->email;
	}
}

static int write_certs(struct td_registry *reg, struct import_state *st,
                       struct td_org_tree *tree, const struct first_load *fl,
                       const char *issuer, struct td_import_report *rep,
                       struct td_error *err)
{
	for (size_t i = 0; i < st->certs.n; i++) {
		struct import_row *r = &st->certs.rows[i];
		char *dn = td_org_tree_dn(tree, r->f[CC_AGENCY], r->f[CC_KIND],
		                          r->f[CC_HOLDER_NAME]);
		struct td_cert c = { .serial = r->f[CC_SERIAL], .issuer_dn = (char *)issuer,
			.subject_dn = dn, .kind = r->f[CC_KIND],
			.holder_ext_id = r->f[CC_HOLDER_ID], .holder_name = r->f[CC_HOLDER_NAME],
			.agency_code = r->f[CC_AGENCY], .not_before = r->f[CC_NOT_BEFORE],
			.not_after = r->f[CC_NOT_AFTER], .token_serial = r->f[CC_TOKEN_SERIAL] };
		struct td_cert_put p = { &c, r->f[CC_POSITION], r->f[CC_EMAIL],
		                         r->f[CC_TOKEN_MODEL], 0, 0 };
		struct td_cert old = { 0 };
		if (fl->holder_ids) {
			p.holder_id = fl->holder_ids[r->holder_ix];
			if (r->token_ix != NO_FIRST)
				p.token_id = fl->token_ids[r->token_ix];
		}
		struct td_holder holder = { 0 };
		struct td_error ignored;
		enum td_upsert u;
		if (dn && st->reg_has_certs &&
		    td_reg_get_cert(reg, c.serial, &old, &ignored) == TD_OK &&
		    strcmp(old.issuer_dn, issuer) == 0)
			keep_cert_fields(r, &old, &c);
		if (st->reg_has_certs)
			keep_holder_fields(reg, r, &c, &p, &holder);
		int rc = dn ? td_reg_put_cert(reg, &p, &u, err)
		            : td_error_set(err, TD_ERR_NOMEM, "cannot compute the DN");
		free(dn);
		td_cert_clear(&old);
		td_holder_clear(&holder);
		if (rc < 0) {
			err->line = r->line;
			snprintf(err->file, sizeof err->file, "%s", r->file);
			return rc;
		}
		count(&rep->certificates, u);
		writing(st, st->agencies.n + i + 1);
	}
	return TD_OK;
}

static int audit_summary(struct td_registry *reg, const char *const *paths, size_t n,
                         const struct td_import_report *rep, struct td_error *err)
{
	json_t *o = json_object(), *files = json_array();
	char *text;
	int rc;

	for (size_t i = 0; i < n; i++)
		json_array_append_new(files, json_string(paths[i]));
	json_object_set_new(o, "files", files);
	json_object_set_new(o, "agencies", json_pack("{s:I,s:I,s:I}",
		"added", (json_int_t)rep->agencies.added,
		"updated", (json_int_t)rep->agencies.updated,
		"unchanged", (json_int_t)rep->agencies.unchanged));
	json_object_set_new(o, "certificates", json_pack("{s:I,s:I,s:I}",
		"added", (json_int_t)rep->certificates.added,
		"updated", (json_int_t)rep->certificates.updated,
		"unchanged", (json_int_t)rep->certificates.unchanged));
	text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	rc = text ? td_reg_audit(reg, "import", "import", NULL, NULL, text, err)
	          : td_error_set(err, TD_ERR_NOMEM, "out of memory");
	free(text);
	return rc;
}

/* A first load's holders, then its tokens, each in key order (a no-op
 * when the registry turned out to have some meanwhile). */
static int write_first_load(struct td_registry *reg, struct first_load *fl,
                            struct td_error *err)
{
	int rc = TD_OK;

	for (size_t i = 0; rc == TD_OK && i < fl->n_holders; i++) {
		const struct import_row *r = fl->holders[i];
		struct td_cert c = { .kind = r->f[CC_KIND], .holder_ext_id = r->f[CC_HOLDER_ID],
			.holder_name = r->f[CC_HOLDER_NAME], .agency_code = r->f[CC_AGENCY] };
		struct td_cert_put p = { &c, r->f[CC_POSITION], r->f[CC_EMAIL], NULL, 0, 0 };
		rc = td_reg_bulk_holder(reg, &p, &fl->holder_ids[i], err);
	}
	for (size_t i = 0; rc == TD_OK && i < fl->n_tokens; i++) {
		const struct import_row *r = fl->tokens[i];
		struct td_cert c = { .kind = r->f[CC_KIND], .holder_ext_id = r->f[CC_HOLDER_ID],
			.token_serial = r->f[CC_TOKEN_SERIAL] };
		struct td_cert_put p = { &c, NULL, NULL, r->f[CC_TOKEN_MODEL], 0, 0 };
		rc = td_reg_bulk_token(reg, &p, &fl->token_ids[i], err);
	}
	return rc;
}

/* Every row is written: their memory goes before the commit builds the
 * indexes and the search index (issue 27: a national import's peak). */
static void release_rows(struct import_state *st, struct first_load *fl)
{
	free(fl->holders);
	free(fl->tokens);
	free(fl->holder_ids);
	free(fl->token_ids);
	free(st->agencies.rows);
	free(st->certs.rows);
	td_arena_free(st->arena);
	memset(fl, 0, sizeof *fl);
	memset(&st->agencies, 0, sizeof st->agencies);
	memset(&st->certs, 0, sizeof st->certs);
	st->arena = NULL;
}

static int write_all(struct td_registry *reg, struct import_state *st,
                     struct td_org_tree *tree, struct first_load *fl,
                     const char *const *paths, size_t n,
                     const struct td_import_opts *opts, struct td_import_report *rep,
                     struct td_error *err)
{
	const char *issuer = opts && opts->issuer_dn ? opts->issuer_dn : TD_GOV_CA_ISSUER_DN;
	int rc;

	if ((rc = td_reg_begin_bulk(reg, st->label, err)) < 0)
		return rc;
	writing(st, 0);
	if ((rc = write_agencies(reg, st, tree, rep, err)) < 0 ||
	    (rc = write_first_load(reg, fl, err)) < 0 ||
	    (rc = write_certs(reg, st, tree, fl, issuer, rep, err)) < 0) {
		td_reg_rollback(reg);
		return rc;
	}
	release_rows(st, fl);
	if (rep->agencies.added + rep->agencies.updated + rep->certificates.added +
	    rep->certificates.updated == 0) {
		td_reg_rollback(reg);   /* nothing new: leave the file untouched */
		return TD_OK;
	}
	td_import_report_progress(st, TD_IMPORT_SAVING, NULL, 0, 0);
	if ((rc = audit_summary(reg, paths, n, rep, err)) < 0) {
		td_reg_rollback(reg);
		return rc;
	}
	return td_reg_commit(reg, err);
}

static int first_cert(const struct td_cert *c, void *ctx)
{
	(void)c;
	(void)ctx;
	return 1;
}

int td_import_files(struct td_registry *reg, const char *const *paths, size_t n,
                    const struct td_import_opts *opts,
                    struct td_import_report *rep, struct td_error *err)
{
	struct import_state st = { 0 };
	struct first_load fl = { NULL, NULL, 0, 0, NULL, NULL };
	struct td_org_tree *tree = td_org_tree_new();
	int rc = TD_OK;

	memset(rep, 0, sizeof *rep);
	td_error_list_init(&rep->errors, opts && opts->max_errors ? opts->max_errors : 100);
	st.errors = &rep->errors;
	st.opts = opts;
	st.reg = reg;
	st.reg_has_certs = td_reg_each_cert(reg, NULL, first_cert, NULL, err) == 1;
	st.arena = td_arena_new();
	if (!tree || !st.arena)
		rc = td_error_set(err, TD_ERR_NOMEM, "out of memory");
	snprintf(st.label, sizeof st.label, "import");
	for (size_t i = 0; i < n; i++)
		snprintf(st.label + strlen(st.label), sizeof st.label - strlen(st.label),
		         " %s", paths[i]);
	for (size_t i = 0; rc == TD_OK && i < n; i++)
		rc = td_import_read_file(&st, paths[i], opts ? opts->encoding : NULL, err);
	if (rc == TD_OK) {
		td_import_report_progress(&st, TD_IMPORT_CHECKING, NULL, 0, 0);
		rc = td_org_tree_load(tree, reg, err);
	}
	if (rc == TD_OK && (rc = agencies_into_tree(&st, tree)) == TD_OK)
		rc = check_cert_set(&st, tree);
	if (rc == TD_ERR_NOMEM)
		td_error_set(err, TD_ERR_NOMEM, "out of memory");
	rep->rows = st.rows_read;
	if (rc == TD_OK && rep->errors.total > 0)
		rc = td_error_set(err, TD_ERR_DATA, "%zu problem%s found; nothing was "
		                  "imported", rep->errors.total,
		                  rep->errors.total == 1 ? "" : "s");
	if (rc == TD_OK)   /* before the lock, as every look-up */
		rc = order_first_load(&st, &fl, err);
	if (rc == TD_OK)
		rc = write_all(reg, &st, tree, &fl, paths, n, opts, rep, err);
	free(fl.holders);
	free(fl.tokens);
	free(fl.holder_ids);
	free(fl.token_ids);
	free(st.agencies.rows);
	free(st.certs.rows);
	td_arena_free(st.arena);
	td_org_tree_free(tree);
	return rc;
}
