/* cmd_import.c: tokendesk import FILE...: the master lists, all or nothing. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/commands.h"
#include "tokendesk/import.h"
#include "tokendesk/registry.h"

static void import_help(void)
{
	printf("Usage: tokendesk import [--encoding NAME] FILE...\n"
	       "Import agency and certificate lists (CSV; see docs/formats.md).\n"
	       "All files go in one transaction: if any row is bad, nothing is\n"
	       "imported and every problem is listed as FILE:LINE: FIELD: message.\n\n"
	       "  -e, --encoding NAME   the files' encoding when not UTF-8, e.g.\n"
	       "                        cp1258 (what Vietnamese Excel writes)\n"
	       "      --max-errors N    list at most N problems (default 100)\n");
}

static void print_report(const struct td_import_report *rep, int quiet)
{
	if (quiet)
		return;
	printf("%ld rows read\n", rep->rows);
	printf("agencies: %ld added, %ld updated, %ld unchanged\n",
	       rep->agencies.added, rep->agencies.updated, rep->agencies.unchanged);
	printf("certificates: %ld added, %ld updated, %ld unchanged\n",
	       rep->certificates.added, rep->certificates.updated,
	       rep->certificates.unchanged);
}

static void print_errors(const struct td_import_report *rep)
{
	char buf[1024];

	for (size_t i = 0; i < rep->errors.count; i++)
		fprintf(stderr, "%s\n", td_error_format(&rep->errors.items[i], buf, sizeof buf));
	if (rep->errors.total > rep->errors.count)
		fprintf(stderr, "... and %zu more problems\n",
		        rep->errors.total - rep->errors.count);
}

int td_cmd_import(struct td_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "encoding", required_argument, NULL, 'e' },
		{ "max-errors", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct td_import_opts io = { 0 };
	struct td_import_report rep;
	struct td_registry *reg;
	struct td_error err;
	int c, status = EX_OK, rc;

	while ((c = getopt_long(argc, argv, "e:m:h", opts, NULL)) != -1) {
		switch (c) {
		case 'e': io.encoding = optarg; break;
		case 'm': io.max_errors = (size_t)atol(optarg); break;
		case 'h': import_help(); return EX_OK;
		default: return EX_USAGE;
		}
	}
	if (optind >= argc) {
		td_cli_fail("import needs at least one FILE; see `tokendesk import --help`");
		return EX_USAGE;
	}
	if (!(reg = td_cli_registry(cli, 0, &status)))
		return status;
	rc = td_import_files(reg, (const char *const *)argv + optind,
	                     (size_t)(argc - optind), &io, &rep, &err);
	if (rc == TD_OK)
		print_report(&rep, cli->quiet);
	else if (rep.errors.total > 0) {
		print_errors(&rep);
		td_cli_print_error(&err);
	} else {
		td_cli_print_error(&err);
		fprintf(stderr, "tokendesk: nothing was imported\n");
	}
	td_import_report_free(&rep);
	return td_cli_status(rc);
}
