/* cmd_init.c: tokendesk init: create the registry (idempotent). */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "tokendesk/registry.h"

int td_cmd_init(struct td_cli *cli, int argc, char **argv)
{
	struct td_registry *reg;
	int status = EX_OK;

	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		fputs(td_cli_T("Usage: tokendesk [--db PATH] init\n"
		               "Create the registry file (mode 0600) with the newest schema, or\n"
		               "migrate an existing one forward.  Safe to run again.\n"), stdout);
		return EX_OK;
	}
	if (argc > 1) {
		td_cli_fail("init takes no arguments (did you mean --db %s?)", argv[1]);
		return EX_USAGE;
	}
	if (!(reg = td_cli_registry(cli, 1, &status)))
		return status;
	if (!cli->quiet)
		td_cli_printf("registry %s ready (schema %d)\n", cli->db_path,
		       td_reg_schema_version(reg));
	return EX_OK;
}
