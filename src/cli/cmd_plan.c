/* cmd_plan.c: tokendesk plan import|show|apply|pick: the reorganization
 * plan and the per-certificate action plan (letter sections 1, 2, 3). */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "tokendesk/jsonw.h"
#include "tokendesk/plan.h"
#include "tokendesk/registry.h"
#include "tokendesk/text.h"

static void plan_help(void)
{
	fputs(td_cli_T("Usage: tokendesk plan import [--encoding NAME] FILE\n"
	       "       tokendesk plan show [--json] [--as-of DATE]\n"
	       "       tokendesk plan apply [--as-of DATE]\n"
	       "       tokendesk plan pick NEW_CODE CERT_SERIAL | --clear NEW_CODE\n"
	       "A merger plan (CSV, see docs/formats.md) replaces the stored one\n"
	       "when every row is good; `show` lists what each certificate, token\n"
	       "and dossier must undergo, with the rule; `apply` tags them in one\n"
	       "audited transaction (again: only the difference); `pick` chooses\n"
	       "which certificate takes a merged agency's new name.\n\n"
	       "      --encoding NAME  import: the file's encoding, as for\n"
	       "                       `tokendesk import` (e.g. cp1258)\n"
	       "      --json           show: a JSON array of actions\n"
	       "      --as-of DATE     only events effective on or before DATE\n"),
	      stdout);
}

static int plan_import(struct td_cli *cli, const char *path, const char *encoding)
{
	struct td_error_list errs;
	struct td_registry *reg;
	struct td_error err;
	char buf[1024];
	size_t n;
	int status = EX_OK, rc;

	if (!(reg = td_cli_registry(cli, 0, &status)))
		return status;
	td_error_list_init(&errs, 100);
	rc = td_plan_import(reg, path, encoding, &errs, &n, &err);
	for (size_t i = 0; i < errs.count; i++)
		fprintf(stderr, "%s\n", td_error_format(&errs.items[i], buf, sizeof buf));
	if (errs.total > errs.count)
		td_cli_eprintf("... and %zu more problems\n", errs.total - errs.count);
	if (rc < 0)
		td_cli_print_error(&err);
	else if (!cli->quiet)
		td_cli_nprintf("plan: %zu event stored\n", "plan: %zu events stored\n", n, n);
	td_error_list_free(&errs);
	return td_cli_status(rc);
}

struct show {
	int json, first;
	struct td_jsonw w;   /* --json: streamed, one object per line */
};

static int show_action(const struct td_plan_action *a, void *ctx)
{
	struct show *s = ctx;

	if (s->json) {
		struct td_jsonw *w = &s->w;
		td_jsonw_raw(w, s->first ? "[\n" : ",\n", 2);
		s->first = 0;
		td_jsonw_begin_object(w);
		td_jsonw_member(w, "action", a->action);
		td_jsonw_member(w, "rule", a->rule);
		td_jsonw_member(w, "reason", a->reason);
		td_jsonw_member(w, "cert_serial", a->cert_serial);
		td_jsonw_member(w, "cert_kind", a->cert_kind);
		td_jsonw_member(w, "holder_name", a->holder_name);
		td_jsonw_member(w, "agency_code", a->agency_code);
		td_jsonw_member(w, "token_serial", a->token_serial);
		td_jsonw_member(w, "to_agency", a->to_agency);
		td_jsonw_member(w, "old_dn", a->old_dn);
		td_jsonw_member(w, "new_dn", a->new_dn);
		td_jsonw_member(w, "effective_date", a->effective_date);
		td_jsonw_end_object(w);
		return w->err ? TD_ERR_IO : 0;
	}
	const char *what = strcmp(a->action, "collect") == 0 ? a->token_serial
	                   : strcmp(a->action, "handover_dossiers") == 0 ? a->agency_code
	                   : a->cert_serial;
	char reason[1024];
	/* translated: the action in words and the rule's sentence, no codes */
	if (td_cli_speaks_other()) {
		td_cli_column(td_cli_word(a->action), 19);
		td_cli_column(what, 35);
		printf("%s\n", td_cli_reason(a->rule, a->action, a->reason, reason,
		                             sizeof reason));
	} else
		printf("%-17s %-34s %-26s %s\n", a->action, what, a->rule, a->reason);
	if (strcmp(a->action, "change_info") == 0)
		td_cli_printf("    old: %s\n    new: %s\n", a->old_dn, a->new_dn);
	return 0;
}

static int plan_show(struct td_cli *cli, int json, const char *as_of)
{
	struct td_plan_opts opts = { as_of };
	struct td_plan_summary sum;
	struct show *s = calloc(1, sizeof *s);
	struct td_registry *reg;
	struct td_error err;
	int status = EX_OK, rc;

	if (!s || !(reg = td_cli_registry(cli, 0, &status))) {
		free(s);
		return s ? status : EX_OSERR;
	}
	s->json = json;
	s->first = 1;
	td_jsonw_init(&s->w, stdout);
	rc = td_plan_compute(reg, &opts, show_action, s, &sum, &err);
	if (json && rc >= 0) {
		td_jsonw_raw(&s->w, s->first ? "[" : "\n", 1);
		td_jsonw_raw(&s->w, "]\n", 2);
		if (td_jsonw_flush(&s->w) < 0)
			rc = td_error_set(&err, TD_ERR_IO, "writing the output failed");
	}
	free(s);
	if (rc < 0) {
		td_cli_print_error(&err);
		return td_cli_status(rc);
	}
	if (!json && !cli->quiet)
		td_cli_printf("%ld events, %ld certificates: %ld info changes, %ld revocations, "
		       "%ld kept, %ld tokens to collect, %ld dossier handovers\n",
		       sum.events, sum.certificates, sum.change_info, sum.revoke,
		       sum.keep, sum.collect, sum.handover_dossiers);
	return EX_OK;
}

static int plan_apply(struct td_cli *cli, const char *as_of)
{
	struct td_plan_opts opts = { as_of };
	struct td_plan_apply_report rep;
	struct td_registry *reg;
	struct td_error err;
	int status = EX_OK, rc;

	if (!(reg = td_cli_registry(cli, 0, &status)))
		return status;
	if ((rc = td_plan_apply(reg, &opts, &rep, &err)) < 0) {
		td_cli_print_error(&err);
		return td_cli_status(rc);
	}
	if (!cli->quiet)
		td_cli_printf("tags: %ld added, %ld changed, %ld removed, %ld unchanged, "
		       "%ld held (manual tag, or already sent to DOST)\n",
		       rep.added, rep.changed, rep.removed, rep.unchanged, rep.held);
	if (!cli->quiet && rep.agencies_made)
		td_cli_printf("agencies made by the plan: %ld (new agencies of merges, valid from "
		       "their effective date)\n", rep.agencies_made);
	if (!cli->quiet && rep.agencies_moved)
		td_cli_printf("agencies moved to their new superior: %ld (their old one "
		       "is merged away or abolished)\n", rep.agencies_moved);
	if (!cli->quiet && rep.agencies_ended)
		td_cli_printf("agencies merged away: %ld (in force until the day before "
		       "the merger)\n", rep.agencies_ended);
	return EX_OK;
}

static int plan_pick(struct td_cli *cli, const char *target, const char *serial)
{
	struct td_registry *reg;
	struct td_error err;
	int status = EX_OK, rc;

	if (!(reg = td_cli_registry(cli, 0, &status)))
		return status;
	if ((rc = td_plan_pick(reg, target, serial, &err)) < 0)
		td_cli_print_error(&err);
	else if (!cli->quiet && serial)
		td_cli_printf("%s: certificate %s takes the new name (run `tokendesk plan "
		       "apply` to tag it)\n", target, serial);
	else if (!cli->quiet)
		td_cli_printf("%s: pick cleared; the certificate valid longest takes the new "
		       "name\n", target);
	return td_cli_status(rc);
}

int td_cmd_plan(struct td_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "as-of", required_argument, NULL, 'a' },
		{ "clear", no_argument, NULL, 'c' },
		{ "encoding", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *as_of = NULL, *encoding = NULL, *sub;
	char as_of_iso[11];
	int c, json = 0, clear = 0;

	while ((c = td_cli_getopt(argc, argv, "e:jh", opts)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'a': as_of = optarg; break;
		case 'c': clear = 1; break;
		case 'e': encoding = optarg; break;
		case 'h': plan_help(); return EX_OK;
		default: return EX_USAGE;
		}
	}
	if (as_of && !td_date_parse(as_of, as_of_iso)) {
		td_cli_fail("--as-of wants a date YYYY-MM-DD or dd/mm/yyyy, not %s", as_of);
		return EX_USAGE;
	}
	if (as_of)
		as_of = as_of_iso;   /* 1/7/2025 as 2025-07-01 */
	sub = optind < argc ? argv[optind++] : "";
	if (strcmp(sub, "import") == 0 && argc - optind == 1)
		return plan_import(cli, argv[optind], encoding);
	if (strcmp(sub, "show") == 0 && argc == optind)
		return plan_show(cli, json, as_of);
	if (strcmp(sub, "apply") == 0 && argc == optind)
		return plan_apply(cli, as_of);
	if (strcmp(sub, "pick") == 0 && argc - optind == 2 - clear)
		return plan_pick(cli, argv[optind], clear ? NULL : argv[optind + 1]);
	td_cli_fail("usage: plan import [--encoding NAME] FILE | show [--json] | apply | pick NEW_CODE "
	            "SERIAL; see `tokendesk plan --help`");
	return EX_USAGE;
}
