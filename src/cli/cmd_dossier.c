/* cmd_dossier.c: request dossiers (letter 3.1, 3.2).
 *   tokendesk dossier add --agency CODE --kind KIND --ref REF [--holder ID]
 *   tokendesk dossier list [--agency CODE] [--json]
 *   tokendesk dossier handover --from agency:OLD --to agency:NEW
 *                              [--all [--kind KIND]] [REF...]
 * A dossier handover is recorded like a token handover: one number, one
 * transaction, a printable record (`tokendesk receipt NUMBER`). */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cli/commands.h"
#include "cli/json.h"
#include "tokendesk/handover.h"
#include "tokendesk/registry.h"

static int usage(int status)
{
	FILE *f = status == EX_OK ? stdout : stderr;

	fputs(td_cli_T("Usage: tokendesk dossier add --agency CODE --kind KIND --ref REF\n"
	        "                          [--holder ID] [--remarks TEXT]\n"
	        "       tokendesk dossier list [--agency CODE] [--json]\n"
	        "       tokendesk dossier handover --from agency:OLD --to agency:NEW\n"
	        "              [--all] [--kind KIND] [--condition TEXT] [--remarks TEXT]\n"
	        "              [--place TEXT] [--force] [--pdf FILE] [--json] [REF...]\n"
	        "Request dossiers of kinds new_issue, renewal, info_change and\n"
	        "token_recovery.  `handover` hands the named dossiers (or with --all\n"
	        "every dossier the old agency holds, of --kind if given) to the new\n"
	        "agency in one handover with one number and record.\n"), f);
	return status;
}

/* ---- add -------------------------------------------------------------------- */

static int cmd_add(struct td_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "agency", required_argument, NULL, 'a' },
		{ "kind", required_argument, NULL, 'k' },
		{ "ref", required_argument, NULL, 'r' },
		{ "holder", required_argument, NULL, 'H' },
		{ "remarks", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *agency = NULL, *kind = NULL, *ref = NULL, *holder = NULL, *remarks = NULL;
	struct td_registry *reg;
	struct td_error err;
	int c, status, rc;

	while ((c = td_cli_getopt(argc, argv, "a:k:r:H:m:h", opts)) != -1) {
		switch (c) {
		case 'a': agency = optarg; break;
		case 'k': kind = optarg; break;
		case 'r': ref = optarg; break;
		case 'H': holder = optarg; break;
		case 'm': remarks = optarg; break;
		case 'h': return usage(EX_OK);
		default: return usage(EX_USAGE);
		}
	}
	if (!agency || !kind || !ref || optind != argc) {
		td_cli_fail("dossier add needs --agency, --kind and --ref");
		return EX_USAGE;
	}
	if (!(reg = td_cli_registry(cli, 0, &status)))
		return status;
	if ((rc = td_dossier_add(reg, ref, kind, agency, holder, remarks, &err)) < 0) {
		td_cli_print_error(&err);
		return td_cli_status(rc);
	}
	if (!cli->quiet)
		td_cli_printf("Dossier %s added (%s, agency %s).\n", ref,
		              td_cli_word(kind), agency);
	return EX_OK;
}

/* ---- list ------------------------------------------------------------------- */

static int list_one(const struct td_dossier *d, void *ctx)
{
	json_t *arr = ctx, *o;

	if (!arr) {
		/* padded by display width: "đang mở" is 7 columns, 9 bytes
		 * (ASCII pads as printf's %-Ns did) */
		td_cli_column(d->ref, 21);
		td_cli_column(td_cli_word(d->kind), td_cli_speaks_other() ? 19 : 16);
		td_cli_column(td_cli_word(d->status), 11);
		td_cli_column(d->agency_code, 13);
		printf("%s\n", d->holder_name ? d->holder_name : "-");
		return 0;
	}
	o = json_object();
	json_object_set_new(o, "ref", td_json_str(d->ref));
	json_object_set_new(o, "kind", td_json_str(d->kind));
	json_object_set_new(o, "agency", td_json_str(d->agency_code));
	json_object_set_new(o, "agency_name", td_json_str(d->agency_name));
	json_object_set_new(o, "holder", td_json_str(d->holder_id));
	json_object_set_new(o, "holder_name", td_json_str(d->holder_name));
	json_object_set_new(o, "status", td_json_str(d->status));
	json_object_set_new(o, "created_at", td_json_str(d->created_at));
	json_object_set_new(o, "remarks", td_json_str(d->remarks));
	json_array_append_new(arr, o);
	return 0;
}

static int cmd_list(struct td_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "agency", required_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *agency = NULL;
	struct td_registry *reg;
	struct td_agency a;
	struct td_error err;
	json_t *arr = NULL;
	int c, status, rc, json = 0;

	while ((c = td_cli_getopt(argc, argv, "a:jh", opts)) != -1) {
		if (c == 'a')
			agency = optarg;
		else if (c == 'j')
			json = 1;
		else
			return usage(c == 'h' ? EX_OK : EX_USAGE);
	}
	if (!(reg = td_cli_registry(cli, 0, &status)))
		return status;
	/* a mistyped code would list nothing, read as "no dossier there" */
	if (agency && (rc = td_reg_get_agency(reg, agency, &a, &err)) < 0) {
		if (rc == TD_ERR_NOTFOUND)
			td_error_set(&err, rc, "no agency %s", agency);
		td_cli_print_error(&err);
		return td_cli_status(rc);
	}
	if (agency)
		td_agency_clear(&a);
	if (json)
		arr = json_array();
	rc = td_reg_each_dossier(reg, agency, list_one, arr, &err);
	if (rc == TD_OK && arr)
		td_json_print(arr);
	json_decref(arr);
	if (rc < 0) {
		td_cli_print_error(&err);
		return td_cli_status(rc);
	}
	return EX_OK;
}

/* ---- handover ----------------------------------------------------------------- */

struct collect {
	const char *kind;
	struct td_handover *h;
	int worst;
};

static int add_ref(struct td_handover *h, const char *ref)
{
	struct td_error err;
	int rc = td_handover_add_dossier(h, ref, &err);

	if (rc < 0)
		td_cli_fail("%s", err.message);
	return rc < 0 ? rc : 0;
}

static int add_of_agency(const struct td_dossier *d, void *ctx)
{
	struct collect *c = ctx;
	int rc;

	if (c->kind && strcmp(c->kind, d->kind) != 0)
		return 0;
	if ((rc = add_ref(c->h, d->ref)) < 0 && !c->worst)
		c->worst = rc;
	return 0;
}

static int setup(struct td_cli *cli, struct td_handover *h, const char *const v[6],
                 int force)
{
	struct td_error err;
	int rc;

	td_handover_set_force(h, force);
	if ((rc = td_handover_set_to(h, v[0], &err)) < 0 ||
	    (rc = td_handover_set_from(h, v[1], &err)) < 0 ||
	    (rc = td_handover_set_condition(h, v[2], &err)) < 0 ||
	    (rc = td_handover_set_remarks(h, v[3], &err)) < 0 ||
	    (rc = td_handover_set_place(h, td_session_place(td_cli_session(cli), v[4]),
	                                &err)) < 0) {
		td_cli_print_error(&err);
		return td_cli_status(rc);
	}
	return EX_OK;
}

/* Add --all of the old agency or the named refs, then commit. */
static int collect_and_commit(struct td_cli *cli, struct collect *col, int all,
                              const char *from_text, int argc, char **argv,
                              const char *pdf, int json)
{
	struct td_custodian from;
	struct td_error err;
	int rc;

	if (all) {
		if ((rc = td_custodian_parse(from_text, &from, &err)) < 0 ||
		    (rc = td_reg_each_dossier(cli->session.reg, from.key, add_of_agency, col,
		                              &err)) < 0) {
			td_cli_print_error(&err);
			return td_cli_status(rc);
		}
		if (!td_handover_count(col->h) && !col->worst) {
			td_cli_fail("agency %s holds no dossiers%s%s", from.key,
			            col->kind ? " of kind " : "", col->kind ? col->kind : "");
			return EX_DATAERR;
		}
	}
	for (int i = optind; i < argc; i++)
		if ((rc = add_ref(col->h, argv[i])) < 0 && !col->worst)
			col->worst = rc;
	if (col->worst < 0) {
		td_cli_fail("nothing was written");
		return td_cli_status(col->worst);
	}
	return td_cli_handover_commit(cli, col->h, pdf, json);
}

static int cmd_handover(struct td_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "from", required_argument, NULL, 'f' },
		{ "condition", required_argument, NULL, 'c' },
		{ "remarks", required_argument, NULL, 'r' },
		{ "place", required_argument, NULL, 'p' },
		{ "kind", required_argument, NULL, 'k' },
		{ "pdf", required_argument, NULL, 'P' },
		{ "all", no_argument, NULL, 'A' },
		{ "force", no_argument, NULL, 'F' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *v[6] = { NULL }, *pdf = NULL;  /* to from cond remarks place */
	struct collect col = { NULL, NULL, 0 };
	struct td_registry *reg;
	struct td_error err;
	int c, status, all = 0, force = 0, json = 0;

	while ((c = td_cli_getopt(argc, argv, "t:f:c:r:p:k:P:AFjh", opts)) != -1) {
		switch (c) {
		case 't': v[0] = optarg; break;
		case 'f': v[1] = optarg; break;
		case 'c': v[2] = optarg; break;
		case 'r': v[3] = optarg; break;
		case 'p': v[4] = optarg; break;
		case 'k': col.kind = optarg; break;
		case 'P': pdf = optarg; break;
		case 'A': all = 1; break;
		case 'F': force = 1; break;
		case 'j': json = 1; break;
		case 'h': return usage(EX_OK);
		default: return usage(EX_USAGE);
		}
	}
	if (!v[0] || !v[1] || (all == (optind < argc))) {
		td_cli_fail("dossier handover needs --from, --to, and either --all or "
		            "dossier references");
		return EX_USAGE;
	}
	if (col.kind && !td_dossier_kind_valid(col.kind)) {
		td_cli_fail("unknown dossier kind %s", col.kind);
		return EX_USAGE;
	}
	if (!(reg = td_cli_registry(cli, 0, &status)))
		return status;
	if (!(col.h = td_handover_new(reg, TD_HANDOVER_DOSSIERS, &err))) {
		td_cli_print_error(&err);
		return td_cli_status(err.code);
	}
	if ((status = setup(cli, col.h, v, force)) == EX_OK)
		status = collect_and_commit(cli, &col, all, v[1], argc, argv, pdf, json);
	td_handover_free(col.h);
	return status;
}

int td_cmd_dossier(struct td_cli *cli, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;

	if (!sub || strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0)
		return usage(sub ? EX_OK : EX_USAGE);
	td_cli_getopt_reset();
	if (strcmp(sub, "add") == 0)
		return cmd_add(cli, argc - 1, argv + 1);
	if (strcmp(sub, "list") == 0)
		return cmd_list(cli, argc - 1, argv + 1);
	if (strcmp(sub, "handover") == 0)
		return cmd_handover(cli, argc - 1, argv + 1);
	td_cli_fail("unknown dossier command '%s' (add, list, handover)", sub);
	return EX_USAGE;
}
