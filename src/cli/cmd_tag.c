/* cmd_tag.c: tokendesk tag: tagging by hand, listing tags, sending a
 * numbered batch to DOST.  States: tagged -> sent_to_dost -> confirmed
 * (by `tokendesk crl import`). */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/commands.h"
#include "cli/json.h"
#include "tokendesk/registry.h"
#include "tokendesk/tag.h"

/* CLI word -> stored kind, target kind, Decree 68 request kind. */
static const struct tag_kind {
	const char *word, *kind, *target_kind, *request;
} kinds[] = {
	{ "revoke", "revoke", "cert", "revocation" },
	{ "change-info", "change_info", "cert", "info_change" },
	{ "keep", "keep", "cert", NULL },
	{ "renew", "renew", "cert", "renewal" },
	{ "recover-token", "recover_token", "token", "token_recovery" },
	{ "collect", "collect", "token", NULL },
	{ "new-issue", "new_issue", "agency", "new_issue" },
};

static void tag_help(void)
{
	fputs(td_cli_T("Usage: tokendesk tag revoke|change-info|keep|renew CERT --reason TEXT\n"
	       "       tokendesk tag recover-token|collect TOKEN --reason TEXT\n"
	       "       tokendesk tag new-issue AGENCY --reason TEXT\n"
	       "       tokendesk tag remove CERT|TOKEN|AGENCY\n"
	       "       tokendesk tag list [--state STATE] [--batch N] [--json]\n"
	       "       tokendesk tag send\n"
	       "       tokendesk tag confirm TARGET   (the CA did it; revocations are\n"
	       "                                     confirmed by `crl import`)\n"
	       "Tag by hand what must happen (Decree 68 requests: new issue, renewal,\n"
	       "info change, revocation, token recovery).  `send` moves every tag in\n"
	       "state tagged to sent_to_dost under the next batch number; a CRL import\n"
	       "confirms revocations.  A tag already sent cannot be changed by hand.\n"),
	      stdout);
}

static int tag_put(struct td_cli *cli, const struct tag_kind *k,
                   const char *target, const char *reason)
{
	struct td_tag t = { .target_kind = k->target_kind, .target = target,
	                    .kind = k->kind, .request = k->request,
	                    .origin = "manual", .rule = "manual", .reason = reason };
	struct td_registry *reg;
	struct td_error err;
	int status = EX_OK, rc, changed = 0;

	if (!(reg = td_cli_registry(cli, 0, &status)))
		return status;
	rc = td_tag_put(reg, &t, &changed, &err);
	if (rc < 0)
		td_cli_print_error(&err);
	else if (cli->quiet)
		;
	else if (changed)
		td_cli_printf("%s tagged: %s\n", target, td_cli_word(k->kind));
	else
		td_cli_printf("%s already tagged so: %s\n", target, td_cli_word(k->kind));
	return td_cli_status(rc);
}

static int tag_remove(struct td_cli *cli, const char *target)
{
	struct td_registry *reg;
	struct td_error err;
	char state[32] = "", kind[16] = "";
	int status = EX_OK, rc;

	if (!(reg = td_cli_registry(cli, 0, &status)))
		return status;
	/* the kind, for the message; the workflow looks again as it writes */
	td_tag_state(reg, target, state, sizeof state, kind, &err);
	if ((rc = td_tag_remove(reg, target, &err)) < 0)
		td_cli_print_error(&err);
	else if (!cli->quiet)
		td_cli_printf("%s %s: tag removed\n", td_cli_word(kind), target);
	return td_cli_status(rc);
}

static int tag_confirm(struct td_cli *cli, const char *target)
{
	struct td_registry *reg;
	struct td_error err;
	int status = EX_OK, rc;

	if (!(reg = td_cli_registry(cli, 0, &status)))
		return status;
	if ((rc = td_tag_confirm(reg, target, &err)) < 0)
		td_cli_print_error(&err);
	return td_cli_status(rc);
}

static int print_tag(const struct td_tag *t, void *ctx)
{
	if (ctx) {
		json_t *o = json_object();
		json_object_set_new(o, "target_kind", td_json_str(t->target_kind));
		json_object_set_new(o, "target", td_json_str(t->target));
		json_object_set_new(o, "kind", td_json_str(t->kind));
		json_object_set_new(o, "request", td_json_str(t->request));
		json_object_set_new(o, "state", td_json_str(t->state));
		json_object_set_new(o, "batch", t->batch ? json_integer(t->batch) : json_null());
		json_object_set_new(o, "origin", td_json_str(t->origin));
		json_object_set_new(o, "rule", td_json_str(t->rule));
		json_object_set_new(o, "reason", td_json_str(t->reason));
		json_object_set_new(o, "detail", td_json_str(t->detail));
		json_object_set_new(o, "agency_code", td_json_str(t->agency_code));
		json_array_append_new(ctx, o);
		return 0;
	}
	char reason[1024];
	const char *why = t->origin && strcmp(t->origin, "plan") == 0
	                  ? td_cli_reason(t->rule, t->kind, t->reason, reason, sizeof reason)
	                  : t->reason ? t->reason : "";
	/* translated: the words for the codes, columns as wide as the words */
	if (td_cli_speaks_other()) {
		td_cli_column(td_cli_word(t->target_kind), 10);
		td_cli_column(t->target, 35);
		td_cli_column(td_cli_word(t->kind), 19);
		td_cli_column(td_cli_word(t->state), 16);
		printf("%5lld  %-8s %s\n", (long long)t->batch,
		       t->agency_code ? t->agency_code : "-", why);
	} else
		printf("%-6s %-34s %-17s %-12s %5lld  %-8s %s\n", t->target_kind, t->target,
		       t->kind, t->state, (long long)t->batch,
		       t->agency_code ? t->agency_code : "-", why);
	return 0;
}

static int count_tag(const struct td_tag *t, void *ctx)
{
	(void)t;
	++*(long *)ctx;
	return 1;    /* one is enough */
}

static int tag_list(struct td_cli *cli, const char *state, long batch, int json)
{
	long seen = 0;
	struct td_registry *reg;
	struct td_error err;
	json_t *arr;
	int status = EX_OK, rc;

	/* a misspelt state listed nothing, as if no tag were in it */
	if (state && strcmp(state, "tagged") != 0 && strcmp(state, "sent_to_dost") != 0 &&
	    strcmp(state, "confirmed") != 0) {
		td_cli_fail("--state takes tagged, sent_to_dost or confirmed, not '%s'",
		            state);
		return EX_USAGE;
	}
	arr = json ? json_array() : NULL;

	if (!(reg = td_cli_registry(cli, 0, &status)))
		return status;
	/* a batch never sent listed nothing, as if it were empty */
	if (batch && td_reg_each_tag(reg, NULL, batch, count_tag, &seen, &err) >= 0 &&
	    seen == 0) {
		json_decref(arr);
		td_cli_fail("there is no batch %ld (`tokendesk tag list` shows the "
		            "batches sent)", batch);
		return EX_NOINPUT;
	}
	rc = td_reg_each_tag(reg, state, batch, print_tag, arr, &err);
	if (rc < 0)
		td_cli_print_error(&err);
	else if (arr)
		td_json_print(arr);
	json_decref(arr);
	return td_cli_status(rc);
}

static int tag_send(struct td_cli *cli)
{
	struct td_registry *reg;
	struct td_error err;
	int64_t batch;
	long count;
	int status = EX_OK, rc;

	if (!(reg = td_cli_registry(cli, 0, &status)))
		return status;
	if ((rc = td_tag_send(reg, &batch, &count, &err)) < 0)
		td_cli_print_error(&err);
	else if (count == 0)
		td_cli_printf("nothing tagged: no batch made\n");
	else
		td_cli_nprintf("batch %lld: %ld tag sent to DOST\n",
		               "batch %lld: %ld tags sent to DOST\n", (unsigned long)count,
		               (long long)batch, count);
	return td_cli_status(rc);
}

int td_cmd_tag(struct td_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reason", required_argument, NULL, 'r' },
		{ "state", required_argument, NULL, 's' },
		{ "batch", required_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *reason = NULL, *state = NULL, *sub;
	long batch = 0;
	long long n;
	int c, json = 0;

	while ((c = td_cli_getopt(argc, argv, "r:h", opts)) != -1) {
		switch (c) {
		case 'r': reason = optarg; break;
		case 's': state = optarg; break;
		case 'b':
			if (td_cli_number("--batch", optarg, 1, 999999, &n) < 0)
				return EX_USAGE;
			batch = n;
			break;
		case 'j': json = 1; break;
		case 'h': tag_help(); return EX_OK;
		default: return EX_USAGE;
		}
	}
	sub = optind < argc ? argv[optind++] : "";
	if (strcmp(sub, "list") == 0 && optind == argc)
		return tag_list(cli, state, batch, json);
	if (strcmp(sub, "send") == 0 && optind == argc)
		return tag_send(cli);
	if (strcmp(sub, "remove") == 0 && argc - optind == 1)
		return tag_remove(cli, argv[optind]);
	if (strcmp(sub, "confirm") == 0 && argc - optind == 1)
		return tag_confirm(cli, argv[optind]);
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(sub, kinds[i].word) == 0 && argc - optind == 1) {
			if (!reason || !*reason) {
				td_cli_fail("tag %s needs --reason TEXT (it goes to DOST)", sub);
				return EX_USAGE;
			}
			return tag_put(cli, &kinds[i], argv[optind], reason);
		}
	td_cli_fail("usage: see `tokendesk tag --help`");
	return EX_USAGE;
}
