/* cmd_show.c: tokendesk show token|cert|agency|holder KEY [--json]. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cli/commands.h"
#include "cli/json.h"
#include "tokendesk/orgtree.h"
#include "tokendesk/registry.h"
#include "tokendesk/text.h"

/* ---- collecting related rows as JSON ------------------------------------ */

static int cert_to_array(const struct td_cert *c, void *ctx)
{
	json_array_append_new(ctx, td_json_cert(c));
	return 0;
}

static int event_to_array(const struct td_custody_event *e, void *ctx)
{
	json_array_append_new(ctx, td_json_custody(e));
	return 0;
}

/* show agency --as-of DATE (default today): the tree on that date */
static char as_of[11];

/* 1 when agency a exists on date (valid_from..valid_to, either open). */
static int in_force(const struct td_agency *a, const char *date)
{
	return td_agency_in_force(a, date);
}

static int agency_to_array(const struct td_agency *a, void *ctx)
{
	if (as_of[0] && !in_force(a, as_of))
		return 0;
	json_array_append_new(ctx, td_json_agency(a));
	return 0;
}

/* ---- text ------------------------------------------------------------------- */


static void print_cert_line(json_t *c)
{
	char from[32], to[32];

	/* dates as the reader writes them (dd/mm/yyyy in Vietnamese) */
	printf("    %s  %-6s %s  %s..%s  %s\n",
	       json_string_value(json_object_get(c, "serial")),
	       td_cli_word(json_string_value(json_object_get(c, "kind"))),
	       json_string_value(json_object_get(c, "holder_name")),
	       td_cli_date(json_string_value(json_object_get(c, "not_before")),
	                   from, sizeof from),
	       td_cli_date(json_string_value(json_object_get(c, "not_after")),
	                   to, sizeof to),
	       td_cli_word(json_string_value(json_object_get(c, "status"))));
}

/* What a kit conflict over a field move says of it: the move is the
 * token's custody only if the field's version was kept. */
static const char *conflict_note(const char *status)
{
	if (strcmp(status, "kept_field") == 0)
		return td_cli_T("field version kept");
	if (strcmp(status, "kept_home") == 0)
		return td_cli_T("home version kept; this move did not stand");
	return td_cli_T("open: home or field to decide");
}

static void print_event_line(json_t *v)
{
	const char *from = json_string_value(json_object_get(v, "from"));
	const char *remarks = json_string_value(json_object_get(v, "remarks"));
	json_t *conflict = json_object_get(v, "conflict");
	json_t *sup = json_object_get(v, "superseded");
	char at[64], said[1200];

	td_cli_printf("    %s  %s -> %s  %s  by %s%s%s\n",
	              td_cli_time(json_string_value(json_object_get(v, "at")), at,
	                          sizeof at), from ? from : "-",
	              json_string_value(json_object_get(v, "to")),
	              td_cli_word(json_string_value(json_object_get(v, "state"))),
	              json_string_value(json_object_get(v, "operator")),
	              remarks ? "  " : "",
	              remarks ? td_cli_remarks(remarks, said, sizeof said) : "");
	if (conflict)
		td_cli_printf("      field kit conflict %lld: %s\n",
		       (long long)json_integer_value(json_object_get(conflict, "id")),
		       conflict_note(json_string_value(json_object_get(conflict,
		                                                        "status"))));
	if (sup && strcmp(json_string_value(json_object_get(sup, "choice")),
	                  "kept_field") == 0)
		td_cli_printf("      superseded: kit conflict %lld decided for the"
		              " field's version by %s at %s\n",
		              (long long)json_integer_value(json_object_get(sup, "conflict")),
		              json_string_value(json_object_get(sup, "by")),
		              td_cli_time(json_string_value(json_object_get(sup, "at")),
		                          at, sizeof at));
	else if (sup)
		td_cli_printf("      superseded: kit conflict %lld decided for home's"
		              " version by %s at %s\n",
		              (long long)json_integer_value(json_object_get(sup, "conflict")),
		              json_string_value(json_object_get(sup, "by")),
		              td_cli_time(json_string_value(json_object_get(sup, "at")),
		                          at, sizeof at));
}

/* The newest move that stands: not superseded, and not a field move
 * whose conflict is open or was decided for home.  It is the move that
 * put the token where the registry says it is. */
static json_t *last_valid_move(json_t *history)
{
	json_t *last = NULL, *v;
	size_t i;

	json_array_foreach(history, i, v) {
		json_t *c = json_object_get(v, "conflict");
		const char *status = c ? json_string_value(json_object_get(c, "status")) : NULL;
		if (json_object_get(v, "superseded") ||
		    (status && strcmp(status, "kept_field") != 0))
			continue;
		last = v;
	}
	return last;
}

static void print_token(const struct td_token *t, json_t *certs, json_t *history)
{
	size_t i;
	json_t *v;

	char who[1024];

	td_cli_printf("Token %s\n", t->serial);
	td_cli_field("model:", t->model);
	td_cli_field("state:", td_cli_word(t->state));
	snprintf(who, sizeof who, "%s%s%s%s", t->custodian, t->custodian_name ? " (" : "",
	         t->custodian_name ? t->custodian_name : "", t->custodian_name ? ")" : "");
	td_cli_field("custodian:", who);
	fputs(json_array_size(certs) ? td_cli_T("  certificates:\n")
	                             : td_cli_T("  certificates: none\n"), stdout);
	json_array_foreach(certs, i, v)
		print_cert_line(v);
	fputs(json_array_size(history) ? td_cli_T("  history:\n")
	                               : td_cli_T("  history: none\n"), stdout);
	json_array_foreach(history, i, v)
		print_event_line(v);
	if ((v = last_valid_move(history))) {
		const char *from = json_string_value(json_object_get(v, "from"));
		char at[64];
		td_cli_printf("  last valid move: %s  %s -> %s  %s\n",
		              td_cli_time(json_string_value(json_object_get(v, "at")),
		                          at, sizeof at), from ? from : "-",
		              json_string_value(json_object_get(v, "to")),
		              td_cli_word(json_string_value(json_object_get(v, "state"))));
	}
}

/* "Ủy ban nhân dân tỉnh Hà Giang (HG)": an agency by name, its code
 * beside it; the code alone when it is not in the registry. */
static const char *agency_named(struct td_registry *reg, const char *code,
                                char *buf, size_t size)
{
	struct td_agency a = { 0 };
	struct td_error ignored;

	snprintf(buf, size, "%s", code ? code : "");
	if (code && *code && td_reg_get_agency(reg, code, &a, &ignored) == TD_OK)
		snprintf(buf, size, "%s (%s)", a.name, a.code);
	td_agency_clear(&a);
	return buf;
}

static void print_cert(struct td_registry *reg, const struct td_cert *c)
{
	char agency[1024], from[32], to[32], revoked[32];

	/* the agency by its name, as show holder names it: a code alone
	 * tells a clerk nothing */
	agency_named(reg, c->agency_code, agency, sizeof agency);
	td_cli_printf("Certificate %s\n", c->serial);
	td_cli_field("kind:", td_cli_word(c->kind));
	td_cli_field("status:", td_cli_word(c->status));
	td_cli_field("holder:", c->holder_name);
	td_cli_field("holder id:", c->holder_ext_id);
	td_cli_field("agency:", agency);
	td_cli_field("subject:", c->subject_dn);
	td_cli_field("issuer:", c->issuer_dn);
	td_cli_field("valid from:", td_cli_date(c->not_before, from, sizeof from));
	td_cli_field("valid to:", td_cli_date(c->not_after, to, sizeof to));
	td_cli_field("revoked at:", td_cli_date(c->revoked_at, revoked, sizeof revoked));
	td_cli_field("token:", c->token_serial);
	td_cli_field("fingerprint:", c->fingerprint);
}

static void print_agency(struct td_registry *reg, const struct td_agency *a,
                         json_t *children, json_t *certs)
{
	char from[32], to[32], parent[1024];
	size_t i;
	json_t *v;

	td_cli_printf("Agency %s\n", a->code);
	td_cli_field("name:", a->name);
	td_cli_field("level:", td_cli_word(a->level));
	td_cli_field("parent:", a->parent_code
	             ? agency_named(reg, a->parent_code, parent, sizeof parent) : NULL);
	td_cli_field("valid from:", td_cli_date(a->valid_from, from, sizeof from));
	td_cli_field("valid to:", td_cli_date(a->valid_to, to, sizeof to));
	fputs(json_array_size(children) ? td_cli_T("  units:\n")
	                                : td_cli_T("  units: none\n"), stdout);
	json_array_foreach(children, i, v)
		printf("    %-12s %s\n", json_string_value(json_object_get(v, "code")),
		       json_string_value(json_object_get(v, "name")));
	fputs(json_array_size(certs) ? td_cli_T("  certificates:\n")
	                             : td_cli_T("  certificates: none\n"), stdout);
	json_array_foreach(certs, i, v)
		print_cert_line(v);
}

/* ---- the three kinds ---------------------------------------------------------- */

static int show_token(struct td_registry *reg, const char *key, int json)
{
	struct td_token t;
	struct td_error err;
	json_t *certs = json_array(), *history = json_array();
	int rc = td_reg_get_token(reg, key, &t, &err);

	if (rc == TD_OK)
		rc = td_reg_each_cert_on_token(reg, t.serial, cert_to_array, certs, &err);
	if (rc == TD_OK)
		rc = td_reg_each_custody_event(reg, t.serial, event_to_array, history, &err);
	if (rc == TD_OK && json) {
		json_t *o = td_json_token(&t);
		json_object_set(o, "certificates", certs);
		json_object_set(o, "history", history);
		json_t *last = last_valid_move(history);
		json_object_set_new(o, "last_valid_move", last ?
		                    json_integer(json_integer_value(json_object_get(last,
		                                                                     "id")))
		                    : json_null());
		td_json_print(o);
		json_decref(o);
	} else if (rc == TD_OK) {
		print_token(&t, certs, history);
	} else {
		td_cli_print_error(&err);
	}
	json_decref(certs);
	json_decref(history);
	td_token_clear(&t);
	return rc;
}

static int show_cert(struct td_registry *reg, const char *key, int json)
{
	struct td_cert c;
	struct td_error err;
	int rc = td_reg_get_cert(reg, key, &c, &err);

	if (rc == TD_OK && json) {
		json_t *o = td_json_cert(&c);
		td_json_print(o);
		json_decref(o);
	} else if (rc == TD_OK) {
		print_cert(reg, &c);
	} else {
		td_cli_print_error(&err);
	}
	td_cert_clear(&c);
	return rc;
}

/* ---- a holder ------------------------------------------------------------ */

struct holder_certs {
	const char *ext_id, *kind;
	json_t *certs;
};

static int holder_cert(const struct td_cert *c, void *ctx)
{
	struct holder_certs *hc = ctx;

	if (c->holder_ext_id && strcmp(c->holder_ext_id, hc->ext_id) == 0 &&
	    strcmp(c->kind, hc->kind) == 0)
		json_array_append_new(hc->certs, td_json_cert(c));
	return 0;
}

/* A person by ID number, else an organisation holder by its code. */
static int show_holder(struct td_registry *reg, const char *key, int json)
{
	struct td_holder h = { 0 };
	struct td_error err;
	struct holder_certs hc = { key, "person", json_array() };
	int rc = td_reg_get_holder(reg, "person", key, &h, &err);

	if (rc == TD_ERR_NOTFOUND) {
		hc.kind = "org";
		rc = td_reg_get_holder(reg, "org", key, &h, &err);
	}
	if (rc == TD_ERR_NOTFOUND)
		td_error_set(&err, TD_ERR_NOTFOUND, "no holder %s in the registry "
		             "(a CCCD has 12 digits, an old CMND 9)", key);
	if (rc == TD_OK)
		rc = td_reg_each_cert(reg, h.agency_code, holder_cert, &hc, &err);
	if (rc == TD_OK && json) {
		json_t *o = json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:b,s:O}", "kind", h.kind,
		                      "id", td_json_str(h.ext_id), "name", td_json_str(h.name),
		                      "position", td_json_str(h.position),
		                      "email", td_json_str(h.email),
		                      "agency_code", td_json_str(h.agency_code),
		                      "no_longer_needed", h.no_longer_needed,
		                      "certificates", hc.certs);
		td_json_print(o);
		json_decref(o);
	} else if (rc == TD_OK) {
		struct td_agency a = { 0 };
		char agency[1024];
		struct td_error ignored;
		size_t i;
		json_t *c;

		snprintf(agency, sizeof agency, "%s", h.agency_code);
		if (td_reg_get_agency(reg, h.agency_code, &a, &ignored) == TD_OK)
			snprintf(agency, sizeof agency, "%s (%s)", a.name, a.code);
		td_agency_clear(&a);
		td_cli_printf("Holder %s\n", h.ext_id);
		td_cli_field("name:", h.name);
		td_cli_field("kind:", td_cli_word(h.kind));
		td_cli_field("position:", h.position);
		td_cli_field("e-mail:", h.email);
		td_cli_field("agency:", agency);
		td_cli_field("needs one:", h.no_longer_needed ? td_cli_T("no longer")
		                                             : td_cli_T("yes"));
		fputs(json_array_size(hc.certs) ? td_cli_T("  certificates:\n")
		                                : td_cli_T("  certificates: none\n"), stdout);
		json_array_foreach(hc.certs, i, c)
			print_cert_line(c);
	} else {
		td_cli_print_error(&err);
	}
	json_decref(hc.certs);
	td_holder_clear(&h);
	return rc;
}

static int show_agency(struct td_registry *reg, const char *key, int json)
{
	struct td_agency a;
	struct td_error err;
	json_t *children = json_array(), *certs = json_array();
	int rc = td_reg_get_agency(reg, key, &a, &err);

	if (rc == TD_OK)
		rc = td_reg_each_child_agency(reg, a.code, agency_to_array, children, &err);
	if (rc == TD_OK)
		rc = td_reg_each_cert(reg, a.code, cert_to_array, certs, &err);
	if (rc == TD_OK && json) {
		json_t *o = td_json_agency(&a);
		json_object_set(o, "units", children);
		json_object_set(o, "certificates", certs);
		td_json_print(o);
		json_decref(o);
	} else if (rc == TD_OK) {
		char day[32];
		print_agency(reg, &a, children, certs);
		if (!in_force(&a, as_of))
			td_cli_printf("  not in force on %s\n",
			              td_cli_date(as_of, day, sizeof day));
	} else {
		td_cli_print_error(&err);
	}
	json_decref(children);
	json_decref(certs);
	td_agency_clear(&a);
	return rc;
}

/* The kinds show knows, by the word typed. */
typedef int (*show_fn)(struct td_registry *reg, const char *key, int json);
static const struct {
	const char *word;
	show_fn fn;
} kinds[] = {
	{ "token", show_token }, { "cert", show_cert }, { "certificate", show_cert },
	{ "agency", show_agency }, { "holder", show_holder },
};

static show_fn kind_of(const char *word)
{
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(kinds[i].word, word) == 0)
			return kinds[i].fn;
	return NULL;
}

/* One record to show (td_reg_read_snapshot's fn). */
struct show_req {
	show_fn fn;
	const char *key;
	int json;
};

static int show_one(struct td_registry *reg, void *ctx, struct td_error *err)
{
	const struct show_req *q = ctx;

	(void)err;   /* each kind prints its own error, as it finds it */
	return q->fn(reg, q->key, q->json);
}

int td_cmd_show(struct td_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "as-of", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct td_registry *reg;
	int c, json = 0, status = EX_OK, rc;
	const char *what, *key;

	td_today(as_of);
	while ((c = td_cli_getopt(argc, argv, "jh", opts)) != -1) {
		if (c == 'j')
			json = 1;
		else if (c == 'a') {
			if (!td_date_parse(optarg, as_of)) {
				td_cli_fail("--as-of wants a date YYYY-MM-DD or dd/mm/yyyy, "
				            "not %s", optarg);
				return EX_USAGE;
			}
		}
		else if (c == 'h') {
			fputs(td_cli_T("Usage: tokendesk show token SERIAL | cert SERIAL | agency"
			               " CODE [--as-of DATE] | holder ID [--json]\nShow one "
			               "record with what belongs to it: a token's certificates "
			               "and custody history,\nan agency's units in force on DATE "
			               "(default today) and certificates, a holder's\n"
			               "certificates (ID: the CCCD or CMND number, or an "
			               "organisation's code).\n"), stdout);
			return EX_OK;
		} else
			return EX_USAGE;
	}
	if (argc - optind != 2) {
		td_cli_fail("usage: tokendesk show token SERIAL | cert SERIAL | agency CODE"
		            " | holder ID");
		return EX_USAGE;
	}
	what = argv[optind];
	key = argv[optind + 1];
	struct show_req q = { kind_of(what), key, json };
	if (!q.fn) {
		td_cli_fail("cannot show '%s': choose token, cert, agency or holder", what);
		return EX_USAGE;
	}
	if (!(reg = td_cli_registry_to_read(cli, &status)))
		return status;
	/* A record and what belongs to it as of one moment: a handover
	 * recorded at another desk meanwhile is in all of it or none */
	struct td_error err;
	td_error_clear(&err);
	rc = td_reg_read_snapshot(reg, show_one, &q, &err);
	if (rc < 0 && err.message[0])   /* the read could not start; */
		td_cli_print_error(&err);   /* show_one says its own */
	return td_cli_status(rc);
}
