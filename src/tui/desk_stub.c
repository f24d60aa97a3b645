/* desk_stub.c: placeholder until the desk lands (issue 4). */
#include <config.h>

#include <stdio.h>

#include "cli/cli.h"

int td_desk_main(struct td_cli *cli);

int td_desk_main(struct td_cli *cli)
{
	(void)cli;
	td_cli_fail("the full-screen desk is not built yet; see `tokendesk --help` "
	            "for the commands");
	return EX_USAGE;
}
