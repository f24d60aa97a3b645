/* cmd_lists.c: tokendesk lists: the lists for DOST (XLSX or CSV). */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "tokendesk/lists.h"
#include "tokendesk/registry.h"

static void lists_help(void)
{
	fputs(td_cli_T("Usage: tokendesk lists [--format xlsx|csv] [--batch N] [--all] -o PATH\n"
	       "Write the lists for DOST from the tags: certificates to revoke,\n"
	       "certificates to change (with the new DN), tokens collected for the\n"
	       "CA, dossiers handed over, renewals, token recoveries, new issues.\n"
	       "xlsx (default): one workbook, a sheet per list; csv: PATH is a\n"
	       "directory, one file per list.  Totals per agency follow each list.\n"
	       "--batch N: only that batch (a batch that does not exist is an\n"
	       "error); --all: also tags the CA already confirmed.\n"), stdout);
}

/* `-o lists.csv` wrote a workbook into a file named .csv, which then
 * opens as garbage; `--format csv -o lists.xlsx` a directory so named. */
static int name_contradicts(const char *out, enum td_lists_format format)
{
	if (format == TD_LISTS_XLSX && td_cli_name_ends(out, ".csv"))
		td_cli_fail("%s: the lists are a workbook (.xlsx) unless --format csv"
		            " is given, and then PATH is a directory for seven .csv"
		            " files", out);
	else if (format == TD_LISTS_CSV && strcmp(out, "-") == 0)
		td_cli_fail("-o -: with --format csv, PATH is a directory for seven"
		            " .csv files; standard output takes the workbook only");
	else if (format == TD_LISTS_CSV && td_cli_name_ends(out, ".xlsx"))
		td_cli_fail("%s: with --format csv, PATH is a directory for seven .csv"
		            " files, not a workbook", out);
	else
		return 0;
	return 1;
}

int td_cmd_lists(struct td_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "batch", required_argument, NULL, 'b' },
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct td_lists_opts lo = { TD_LISTS_XLSX, 0, 0 };
	struct td_lists_report rep;
	struct td_registry *reg;
	struct td_error err;
	const char *out = NULL;
	long long n;
	int c, status = EX_OK, rc;

	while ((c = td_cli_getopt(argc, argv, "f:o:h", opts)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "xlsx") == 0)
				lo.format = TD_LISTS_XLSX;
			else if (strcmp(optarg, "csv") == 0)
				lo.format = TD_LISTS_CSV;
			else {
				td_cli_fail("--format is xlsx or csv");
				return EX_USAGE;
			}
			break;
		case 'o': out = optarg; break;
		case 'b':
			if (td_cli_number("--batch", optarg, 1, 999999, &n) < 0)
				return EX_USAGE;
			lo.batch = n;
			break;
		case 'a': lo.include_confirmed = 1; break;
		case 'h': lists_help(); return EX_OK;
		default: return EX_USAGE;
		}
	}
	if (!out || optind != argc) {
		td_cli_fail("lists needs -o PATH; see `tokendesk lists --help`");
		return EX_USAGE;
	}
	if (name_contradicts(out, lo.format))
		return EX_USAGE;
	if (!(reg = td_cli_registry(cli, 0, &status)))
		return status;
	if ((rc = td_lists_write(reg, out, &lo, &rep, &err)) < 0)
		td_cli_print_error(&err);
	else if (!cli->quiet)
		td_cli_printf("%s: %ld to revoke, %ld to change, %ld tokens, %ld dossier "
		       "handovers, %ld renewals, %ld token recoveries, %ld new issues\n",
		       out, rep.revoke, rep.change_info, rep.collect,
		       rep.handover_dossiers, rep.renew, rep.recover_token, rep.new_issue);
	return td_cli_status(rc);
}
