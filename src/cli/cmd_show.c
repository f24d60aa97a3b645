/* cmd_show.c: tokendesk show token|cert|agency KEY [--json]. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cli/commands.h"
#include "cli/json.h"
#include "tokendesk/registry.h"

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

static int agency_to_array(const struct td_agency *a, void *ctx)
{
	json_array_append_new(ctx, td_json_agency(a));
	return 0;
}

/* ---- text ------------------------------------------------------------------- */

static void print_field(const char *label, const char *value)
{
	printf("  %-13s %s\n", label, value && *value ? value : "-");
}

static void print_cert_line(json_t *c)
{
	printf("    %s  %-6s %s  %s..%s  %s\n",
	       json_string_value(json_object_get(c, "serial")),
	       json_string_value(json_object_get(c, "kind")),
	       json_string_value(json_object_get(c, "holder_name")),
	       json_string_value(json_object_get(c, "not_before")),
	       json_string_value(json_object_get(c, "not_after")),
	       json_string_value(json_object_get(c, "status")));
}

/* What a kit conflict over a field move says of it: the move is the
 * token's custody only if the field's version was kept. */
static const char *conflict_note(const char *status)
{
	if (strcmp(status, "kept_field") == 0)
		return "field version kept";
	if (strcmp(status, "kept_home") == 0)
		return "home version kept; this move did not stand";
	return "open: home or field to decide";
}

static void print_event_line(json_t *v)
{
	const char *from = json_string_value(json_object_get(v, "from"));
	const char *remarks = json_string_value(json_object_get(v, "remarks"));
	json_t *conflict = json_object_get(v, "conflict");

	printf("    %s  %s -> %s  %s  by %s%s%s\n",
	       json_string_value(json_object_get(v, "at")), from ? from : "-",
	       json_string_value(json_object_get(v, "to")),
	       json_string_value(json_object_get(v, "state")),
	       json_string_value(json_object_get(v, "operator")),
	       remarks ? "  " : "", remarks ? remarks : "");
	json_t *sup = json_object_get(v, "superseded");

	if (conflict)
		printf("      field kit conflict %lld: %s\n",
		       (long long)json_integer_value(json_object_get(conflict, "id")),
		       conflict_note(json_string_value(json_object_get(conflict,
		                                                        "status"))));
	if (sup)
		printf("      superseded: kit conflict %lld decided for %s by %s at %s\n",
		       (long long)json_integer_value(json_object_get(sup, "conflict")),
		       strcmp(json_string_value(json_object_get(sup, "choice")),
		              "kept_field") == 0 ? "the field's version"
		                                 : "home's version",
		       json_string_value(json_object_get(sup, "by")),
		       json_string_value(json_object_get(sup, "at")));
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

	printf("Token %s\n", t->serial);
	print_field("model:", t->model);
	print_field("state:", t->state);
	printf("  %-13s %s%s%s%s\n", "custodian:", t->custodian,
	       t->custodian_name ? " (" : "", t->custodian_name ? t->custodian_name : "",
	       t->custodian_name ? ")" : "");
	printf("  certificates:%s\n", json_array_size(certs) ? "" : " none");
	json_array_foreach(certs, i, v)
		print_cert_line(v);
	printf("  history:%s\n", json_array_size(history) ? "" : " none");
	json_array_foreach(history, i, v)
		print_event_line(v);
	if ((v = last_valid_move(history))) {
		const char *from = json_string_value(json_object_get(v, "from"));
		printf("  last valid move: %s  %s -> %s  %s\n",
		       json_string_value(json_object_get(v, "at")), from ? from : "-",
		       json_string_value(json_object_get(v, "to")),
		       json_string_value(json_object_get(v, "state")));
	}
}

static void print_cert(const struct td_cert *c)
{
	printf("Certificate %s\n", c->serial);
	print_field("kind:", c->kind);
	print_field("status:", c->status);
	print_field("holder:", c->holder_name);
	print_field("holder id:", c->holder_ext_id);
	print_field("agency:", c->agency_code);
	print_field("subject:", c->subject_dn);
	print_field("issuer:", c->issuer_dn);
	print_field("valid from:", c->not_before);
	print_field("valid to:", c->not_after);
	print_field("revoked at:", c->revoked_at);
	print_field("token:", c->token_serial);
	print_field("fingerprint:", c->fingerprint);
}

static void print_agency(const struct td_agency *a, json_t *children, json_t *certs)
{
	size_t i;
	json_t *v;

	printf("Agency %s\n", a->code);
	print_field("name:", a->name);
	print_field("level:", a->level);
	print_field("parent:", a->parent_code);
	print_field("valid from:", a->valid_from);
	print_field("valid to:", a->valid_to);
	printf("  units:%s\n", json_array_size(children) ? "" : " none");
	json_array_foreach(children, i, v)
		printf("    %-12s %s\n", json_string_value(json_object_get(v, "code")),
		       json_string_value(json_object_get(v, "name")));
	printf("  certificates:%s\n", json_array_size(certs) ? "" : " none");
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
		print_cert(&c);
	} else {
		td_cli_print_error(&err);
	}
	td_cert_clear(&c);
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
		print_agency(&a, children, certs);
	} else {
		td_cli_print_error(&err);
	}
	json_decref(children);
	json_decref(certs);
	td_agency_clear(&a);
	return rc;
}

int td_cmd_show(struct td_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct td_registry *reg;
	int c, json = 0, status = EX_OK, rc;
	const char *what, *key;

	while ((c = td_cli_getopt(argc, argv, "jh", opts)) != -1) {
		if (c == 'j')
			json = 1;
		else if (c == 'h') {
			printf("Usage: tokendesk show token SERIAL | cert SERIAL | agency CODE"
			       " [--json]\nShow one record with what belongs to it: a token's "
			       "certificates and custody history,\nan agency's units and "
			       "certificates.\n");
			return EX_OK;
		} else
			return EX_USAGE;
	}
	if (argc - optind != 2) {
		td_cli_fail("usage: tokendesk show token SERIAL | cert SERIAL | agency CODE");
		return EX_USAGE;
	}
	what = argv[optind];
	key = argv[optind + 1];
	if (!(reg = td_cli_registry_to_read(cli, &status)))
		return status;
	if (strcmp(what, "token") == 0)
		rc = show_token(reg, key, json);
	else if (strcmp(what, "cert") == 0 || strcmp(what, "certificate") == 0)
		rc = show_cert(reg, key, json);
	else if (strcmp(what, "agency") == 0)
		rc = show_agency(reg, key, json);
	else {
		td_cli_fail("cannot show '%s': choose token, cert or agency", what);
		return EX_USAGE;
	}
	return td_cli_status(rc);
}
