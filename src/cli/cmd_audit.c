/* cmd_audit.c: tokendesk audit verify | audit log [ENTITY KEY]. */
#include <config.h>

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cli/commands.h"
#include "cli/json.h"
#include "tokendesk/registry.h"

static int audit_verify(struct td_cli *cli, struct td_registry *reg)
{
	struct td_error err;
	int64_t rows = 0, bad = 0;
	int rc = td_reg_audit_verify(reg, &rows, &bad, &err);

	if (rc == TD_OK) {
		if (!cli->quiet)
			printf("audit log intact: %" PRId64 " rows, hash chain verified\n", rows);
		return EX_OK;
	}
	td_cli_print_error(&err);
	if (bad)
		fprintf(stderr, "tokendesk: first broken row: %" PRId64 "\n", bad);
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
		{ "token", required_argument, NULL, 'T' },
		{ "pin-fd", required_argument, NULL, 'F' },
		{ "force", no_argument, NULL, 'f' },
		{ "checkpoint", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct td_registry *reg;
	struct td_error err;
	int c, json = 0, status = EX_OK, rc;
	const char *token = NULL, *out = NULL, *checkpoint = NULL;
	long long pin_fd = -1;
	int force = 0;

	while ((c = td_cli_getopt(argc, argv, "jho:", opts)) != -1) {
		if (c == 'j')
			json = 1;
		else if (c == 'T')
			token = optarg;
		else if (c == 'o')
			out = optarg;
		else if (c == 'f')
			force = 1;
		else if (c == 'C')
			checkpoint = optarg;
		else if (c == 'F') {
			if (td_cli_number("--pin-fd", optarg, 0, 1024, &pin_fd) < 0)
				return EX_USAGE;
		}
		else if (c == 'h') {
			printf("Usage: tokendesk audit verify [--checkpoint FILE]\n"
			       "       tokendesk audit sign --token SERIAL [--pin-fd N] [--force] "
			       "[-o FILE]\n"
			       "       tokendesk audit log ENTITY KEY [--json]\n"
			       "sign signs the chain's newest row (id and hash) with the token's\n"
			       "key, stores the checkpoint and writes it to FILE to keep\n"
			       "elsewhere; verify also checks every stored checkpoint, or with\n"
			       "--checkpoint the one in FILE, and names the one a rewritten chain\n"
			       "no longer holds.\n"
			       "verify walks the hash chain of the audit log and names the first\n"
			       "row that was edited, deleted or reordered.  log lists the audit\n"
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
	if (strcmp(argv[optind], "sign") == 0)
		return td_cli_audit_sign(cli, reg, token, (int)pin_fd, force, out);
	if (strcmp(argv[optind], "verify") == 0) {
		/* The checkpoints first: the chain's own verdict ends the output. */
		int cp = td_cli_audit_checkpoints(cli, reg, checkpoint);
		status = audit_verify(cli, reg);
		return status != EX_OK ? status : cp;
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
