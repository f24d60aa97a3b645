/* cmd_crl.c: tokendesk crl import --ca FILE CRL: confirm revocations from
 * the CA's CRL, after checking its signature. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "tokendesk/crl.h"
#include "tokendesk/registry.h"

#define MAX_CA 16

static void crl_help(void)
{
	printf("Usage: tokendesk crl import --ca CAFILE [--ca CAFILE...] CRLFILE\n"
	       "Verify the CRL (PEM or DER) with the CA certificates given (PEM\n"
	       "files may hold several); a CRL signed by any other key is refused.\n"
	       "Then mark every listed certificate revoked with the CRL's date,\n"
	       "confirm its revoke tag, and list the certificates tagged for\n"
	       "revocation that the CRL does not list yet.\n");
}

int td_cmd_crl(struct td_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ca", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *cas[MAX_CA];
	struct td_crl_report rep;
	struct td_registry *reg;
	struct td_error err;
	size_t nca = 0;
	int c, status = EX_OK, rc;

	while ((c = td_cli_getopt(argc, argv, "c:h", opts)) != -1) {
		switch (c) {
		case 'c':
			if (nca == MAX_CA) {
				td_cli_fail("at most %d --ca files", MAX_CA);
				return EX_USAGE;
			}
			cas[nca++] = optarg;
			break;
		case 'h': crl_help(); return EX_OK;
		default: return EX_USAGE;
		}
	}
	if (argc - optind != 2 || strcmp(argv[optind], "import") != 0) {
		td_cli_fail("usage: crl import --ca CAFILE CRLFILE");
		return EX_USAGE;
	}
	if (!(reg = td_cli_registry(cli, 0, &status)))
		return status;
	rc = td_crl_import(reg, argv[optind + 1], cas, nca, &rep, &err);
	if (rc < 0) {
		td_cli_print_error(&err);
	} else {
		if (!cli->quiet)
			printf("CRL of %s, %s: %ld listed; %ld newly revoked, %ld already "
			       "revoked, %ld not in the registry\n", rep.issuer,
			       rep.this_update, rep.entries, rep.marked, rep.already,
			       rep.unknown);
		if (rep.newer[0])
			printf("note: a newer CRL of this CA (%s) was imported before; the "
			       "list below is against this older one\n", rep.newer);
		if (rep.nmissing)
			printf("%zu certificates tagged for revocation are not in this CRL:\n",
			       rep.nmissing);
		for (size_t i = 0; i < rep.nmissing; i++)
			printf("  missing %s\n", rep.missing[i]);
	}
	td_crl_report_free(&rep);
	return td_cli_status(rc);
}
