/* cmd_holder.c: tokendesk holder set ID --no-longer-needed|--needed: mark
 * an official as no longer needing a certificate (letter 1.2, 2.2), so the
 * plan revokes instead of changing it. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "tokendesk/holder.h"
#include "tokendesk/registry.h"

static void holder_help(void)
{
	fputs(td_cli_T("Usage: tokendesk holder set ID --no-longer-needed | --needed\n"
	               "Mark the official with national id ID as no longer needing a\n"
	               "certificate (letter 1.2, 2.2): `plan show` then revokes their\n"
	               "certificate instead of changing it.  --needed clears the mark.\n"),
	      stdout);
}

int td_cmd_holder(struct td_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "no-longer-needed", no_argument, NULL, 'n' },
		{ "needed", no_argument, NULL, 'y' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct td_registry *reg;
	struct td_error err;
	int c, value = -1, status = EX_OK, rc;

	while ((c = td_cli_getopt(argc, argv, "h", opts)) != -1) {
		switch (c) {
		case 'n': case 'y':
			/* both given: which one was meant? */
			if (value >= 0 && value != (c == 'n')) {
				td_cli_fail("give --no-longer-needed or --needed, not both");
				return EX_USAGE;
			}
			value = c == 'n';
			break;
		case 'h': holder_help(); return EX_OK;
		default: return EX_USAGE;
		}
	}
	if (argc - optind != 2 || strcmp(argv[optind], "set") != 0 || value < 0) {
		td_cli_fail("usage: holder set ID --no-longer-needed|--needed");
		return EX_USAGE;
	}
	if (!(reg = td_cli_registry(cli, 0, &status)))
		return status;
	if ((rc = td_holder_set_no_longer_needed(reg, argv[optind + 1], value,
	                                         &err)) < 0)
		td_cli_print_error(&err);
	else if (!cli->quiet && value)
		td_cli_printf("holder %s: marked as no longer needing a certificate\n",
		              argv[optind + 1]);
	else if (!cli->quiet)
		td_cli_printf("holder %s: marked as needing a certificate\n",
		              argv[optind + 1]);
	return td_cli_status(rc);
}
