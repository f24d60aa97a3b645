/* cmd_audit.c: tokendesk audit verify | audit log [ENTITY KEY]. */
#include <config.h>

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/commands.h"
#include "cli/json.h"
#include "tokendesk/registry.h"

/* Each difference between the rows and their audit trail, one line on
 * stderr (the first few hundred; the count says how many in all). */
#define DIFF_LINES_MAX 200

struct diff_out {
	int64_t shown;
	json_t *list;
};

static void print_diff(const char *table, const char *key, const char *line,
                       void *ctx)
{
	struct diff_out *d = ctx;

	(void)table;
	(void)key;
	if (d->shown++ < DIFF_LINES_MAX) {
		if (d->list)
			json_array_append_new(d->list, json_string(line));
		else
			fprintf(stderr, "tokendesk: %s\n", line);
	}
}

/* "ID:HEX" as audit verify printed it. */
static int parse_head(const char *text, int64_t *id, char hex[65])
{
	char *end;
	long long v = strtoll(text, &end, 10);
	size_t n;

	if (end == text || *end != ':' || v <= 0)
		return -1;
	n = strlen(end + 1);
	if (n != 64 || strspn(end + 1, "0123456789abcdefABCDEF") != 64)
		return -1;
	*id = v;
	memcpy(hex, end + 1, 65);
	return 0;
}

static int verify_all(struct td_registry *reg, const char *kept,
                      struct diff_out *diffs, int64_t *rows, int64_t *bad,
                      int64_t *differences, struct td_error *err)
{
	int64_t kept_id = 0;
	char kept_hex[65];
	int rc;

	if (kept && parse_head(kept, &kept_id, kept_hex) < 0)
		return td_error_set(err, TD_ERR_USAGE, "--head %s: not ID:SHA256HEX as"
		                    " audit verify prints it", kept);
	if ((rc = td_reg_audit_verify(reg, rows, bad, err)) < 0)
		return rc;
	if (kept && (rc = td_reg_audit_check_kept(reg, kept_id, kept_hex, err)) < 0)
		return rc;
	return td_reg_audit_verify_state(reg, print_diff, diffs, differences, err);
}

static int audit_verify(struct td_cli *cli, struct td_registry *reg,
                        const char *kept, int json)
{
	struct diff_out diffs = { 0, json ? json_array() : NULL };
	struct td_error err;
	int64_t rows = 0, bad = 0, differences = 0, head_id = 0;
	char head[65] = "";
	int rc = verify_all(reg, kept, &diffs, &rows, &bad, &differences, &err);
	int rc_head = td_reg_audit_head(reg, &head_id, head, &err);

	if (rc == TD_OK)
		rc = rc_head;
	if (json) {
		json_t *o = json_object();
		json_object_set_new(o, "ok", json_boolean(rc == TD_OK));
		json_object_set_new(o, "rows", json_integer(rows));
		if (rc < 0)
			json_object_set_new(o, "error", json_string(err.message));
		if (bad)
			json_object_set_new(o, "first_broken_row", json_integer(bad));
		json_object_set_new(o, "differences", diffs.list);
		json_object_set_new(o, "head_id", json_integer(head_id));
		json_object_set_new(o, "head", json_string(head));
		td_json_print(o);
		json_decref(o);
	} else if (rc == TD_OK && !cli->quiet)
		printf("audit log intact: %" PRId64 " rows, hash chain verified;"
		       " every audited row matches its audit trail\n", rows);
	if (rc < 0 && !json) {
		if (differences > DIFF_LINES_MAX)
			fprintf(stderr, "tokendesk: ... and %" PRId64 " more\n",
			        differences - DIFF_LINES_MAX);
		td_cli_print_error(&err);
		if (bad)
			fprintf(stderr, "tokendesk: first broken row: %" PRId64 "\n", bad);
	}
	/* The line to keep elsewhere, failure or not: the state now. */
	if (!json && rc_head == TD_OK)
		printf("head %" PRId64 " %s\n", head_id, head);
	if (rc == TD_OK)
		return EX_OK;
	return rc == TD_ERR_CONFLICT ? EX_DATAERR : td_cli_status(rc);
}

static int print_row(const struct td_audit_row *r, void *ctx)
{
	if (ctx) {
		json_t *o = json_object();
		json_object_set_new(o, "id", json_integer(r->id));
		json_object_set_new(o, "at", td_json_str(r->at));
		json_object_set_new(o, "operator", td_json_str(r->operator_name));
		json_object_set_new(o, "action", td_json_str(r->action));
		if (r->kit_uuid)
			json_object_set_new(o, "kit", td_json_str(r->kit_uuid));
		json_object_set_new(o, "before", r->before ? json_loads(r->before, 0, NULL)
		                                          : json_null());
		json_object_set_new(o, "after", r->after ? json_loads(r->after, 0, NULL)
		                                        : json_null());
		json_array_append_new(ctx, o);
		return 0;
	}
	if (r->kit_uuid)   /* field rows count apart from home's */
		printf("k%" PRId64 "  %s  %-14s %s  (kit %s)\n", r->id, r->at, r->action,
		       r->operator_name, r->kit_uuid);
	else
		printf("%" PRId64 "  %s  %-14s %s\n", r->id, r->at, r->action,
		       r->operator_name);
	if (r->before)
		printf("    before: %s\n", r->before);
	if (r->after)
		printf("    after:  %s\n", r->after);
	return 0;
}

int td_cmd_audit(struct td_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "head", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct td_registry *reg;
	struct td_error err;
	const char *kept = NULL;
	int c, json = 0, status = EX_OK, rc;

	while ((c = td_cli_getopt(argc, argv, "jhH:", opts)) != -1) {
		if (c == 'j')
			json = 1;
		else if (c == 'H')
			kept = optarg;
		else if (c == 'h') {
			printf("Usage: tokendesk audit verify [--head ID:SHA256HEX] [--json]\n"
			       "       tokendesk audit log ENTITY KEY [--json]\n"
			       "verify walks the hash chain of the audit log and names the first\n"
			       "row that was edited, deleted or reordered; then checks that the\n"
			       "registry holds what the audit says: every row of every audited\n"
			       "table (agencies, holders, certificates, tokens, custody events,\n"
			       "handovers, dossiers, tags, counts, CRL imports, the plan, kit\n"
			       "merges) equals its newest audit image, rows loaded in bulk match\n"
			       "their import's content digest, no audited row is missing, none\n"
			       "is there without an audit row, and no reference dangles.  Each\n"
			       "difference is one line naming table, key and field (exit 65).\n"
			       "It ends with the line 'head ID SHA256HEX': keep it elsewhere;\n"
			       "--head ID:SHA256HEX later also fails if that row is no longer in\n"
			       "the chain or its hash differs (the end was cut off, or the chain\n"
			       "rewritten since).\n"
			       "log lists the audit\n"
			       "rows of one record (ENTITY: token, cert, agency); rows recorded\n"
			       "in a field kit read field:ACTION, are numbered k1, k2, ... and\n"
			       "name their kit.\n");
			return EX_OK;
		} else
			return EX_USAGE;
	}
	if (optind >= argc) {
		td_cli_fail("usage: tokendesk audit verify | audit log ENTITY KEY");
		return EX_USAGE;
	}
	if (!(reg = td_cli_registry(cli, 0, &status)))
		return status;
	if (strcmp(argv[optind], "verify") == 0) {
		if (argc - optind != 1) {
			td_cli_fail("usage: tokendesk audit verify [--head ID:SHA256HEX]");
			return EX_USAGE;
		}
		return audit_verify(cli, reg, kept, json);
	}
	if (strcmp(argv[optind], "log") != 0 || argc - optind != 3) {
		td_cli_fail("usage: tokendesk audit verify | audit log ENTITY KEY");
		return EX_USAGE;
	}
	json_t *rows = json ? json_array() : NULL;
	rc = td_reg_each_audit_of(reg, argv[optind + 1], argv[optind + 2], print_row,
	                          rows, &err);
	if (rc < 0)
		td_cli_print_error(&err);
	else if (rows)
		td_json_print(rows);
	json_decref(rows);
	return td_cli_status(rc);
}
