/* cmd_receipt.c: tokendesk receipt NUMBER [--pdf FILE]: print a handover's
 * record ("Biên bản bàn giao") again, as text or as a PDF. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>

#include "cli/commands.h"
#include "tokendesk/handover.h"
#include "tokendesk/registry.h"

int td_cmd_receipt(struct td_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pdf", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *pdf = NULL;
	struct td_registry *reg;
	struct td_record rec;
	struct td_error err;
	int c, status, rc;

	while ((c = getopt_long(argc, argv, "P:h", opts, NULL)) != -1) {
		if (c == 'P') {
			pdf = optarg;
		} else if (c == 'h') {
			printf("Usage: tokendesk receipt NUMBER [--pdf FILE]\n"
			       "Print the record of handover NUMBER (e.g. BG-2026-0001, or its\n"
			       "id) as it was recorded: as text on standard output, or with\n"
			       "--pdf as an A4 PDF written to FILE (created mode 0600).\n");
			return EX_OK;
		} else {
			return EX_USAGE;
		}
	}
	if (argc - optind != 1) {
		td_cli_fail("usage: tokendesk receipt NUMBER [--pdf FILE]");
		return EX_USAGE;
	}
	if (!(reg = td_cli_registry(cli, 0, &status)))
		return status;
	if ((rc = td_record_load(reg, argv[optind], &rec, &err)) < 0) {
		td_cli_print_error(&err);
		return td_cli_status(rc);
	}
	rc = pdf ? td_record_write_pdf(&rec, pdf, &err) :
	           td_record_write_text(&rec, stdout, &err);
	td_record_clear(&rec);
	if (rc < 0) {
		td_cli_print_error(&err);
		return td_cli_status(rc);
	}
	if (pdf && !cli->quiet)
		fprintf(stderr, "tokendesk: record written to %s\n", pdf);
	return EX_OK;
}
