/* main.c: tokendesk-full's entry point, every command: global options
 * (accepted before or after the command, globals.c), then the command,
 * or the desk when there is none.  Users run `tokendesk` (main_lean.c),
 * which runs show and search itself and hands the rest to this program. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "tokendesk/desk.h"
#include "tokendesk/registry.h"
#include "tokendesk/text.h"
#include "tokendesk/token.h"


static void usage(FILE *out)
{
	fputs(td_cli_T(
	    "Usage: tokendesk [OPTION]... [COMMAND [ARG]...]\n"
	    "Custody of specialized public-service signature tokens during the\n"
	    "reorganization: registry, token detection, handover, plans, counts.\n"
	    "Without a command, opens the full-screen desk.\n\n"
	    "Commands:\n"), out);
	for (const struct td_cli_command *c = td_cli_commands; c->name; c++)
		fprintf(out, "  tokendesk %s\n", td_cli_T(c->synopsis));
	fputs(td_cli_T(
	    "\nGlobal options (before or after the command):\n"
	    "      --db PATH         registry file (default: $TOKENDESK_DB, else\n"
	    "                        $XDG_DATA_HOME/tokendesk/registry.db)\n"
	    "      --operator NAME   who is recorded in the audit log (default:\n"
	    "                        $TOKENDESK_OPERATOR, else the login name)\n"
	    "      --module PATH     PKCS#11 module to use (repeatable; default:\n"
	    "                        p11-kit's proxy)\n"
	    "      --config PATH     configuration file\n"
	    "      --p11-socket PATH tokens forwarded by tokendesk-connect (read\n"
	    "                        through p11-kit-client.so); the desk\n"
	    "                        removes the socket when it ends\n"
	    "      --operator-key NAME  (authorized_keys forced commands only; see\n"
	    "                        docs/hall.md) the operator is NAME and the SSH\n"
	    "                        key's fingerprint; --operator cannot change it\n"
	    "      --key-fingerprint FP the key's SHA256:... (with --operator-key)\n"
	    "      --lang LANG       language of the desk and messages (vi, en)\n"
	    "  -q, --quiet           print only errors\n"
	    "  -h, --help            show this help and exit\n"
	    "  -V, --version         show the version and exit\n\n"
	    "Run `tokendesk COMMAND --help` for a command's own options.\n"
	    "Exit status: 0 ok, 64 usage, 65 bad data, 66 no such record or file,\n"
	    "69 token unavailable, 70 internal or registry error, 73 an output\n"
	    "that cannot be made, 74 I/O error, 75 registry busy, 77 permission\n"
	    "or PIN refused.  See tokendesk(1).\n\n"), out);
	fprintf(out, "%s%s\n", td_cli_T("Report bugs to: "), PACKAGE_BUGREPORT);
}

static void version(void)
{
	printf("tokendesk %s\n", PACKAGE_VERSION);   /* for scripts: the version */
	td_cli_printf("registry schema %d\n", td_reg_schema_latest());
	td_cli_printf("This is free software; there is NO warranty.\n");
}

/* A --config file is read whole, once, before any command: a misspelt
 * setting or a wrong path is said at once, whatever the command, not
 * left to the first command that happens to read it; and every command
 * then works from the one reading. */
static int load_config(struct td_cli *cli)
{
	struct td_error err;

	if (cli->config_path &&
	    td_token_config_load(cli->config_path, &cli->config, &err) != 0) {
		td_cli_print_error(&err);
		return td_cli_status(err.code);
	}
	return EX_OK;
}

/* The desk on the session the options name: checked, registry opened,
 * run, closed; its result turned into an exit status here. */
static int run_desk(struct td_cli *cli)
{
	int status = EX_OK, rc;

	if (td_desk_check() < 0)
		return EX_USAGE;
	if (!td_cli_registry(cli, 0, &status))
		return status;
	rc = td_desk_main(td_cli_session(cli));
	td_session_close(&cli->session);
	return rc > 0 ? 128 + rc : td_cli_status(rc);
}

/* Everything after the global options, with the config loaded. */
static int run(struct td_cli *cli, int argc, char **argv)
{
	const struct td_cli_command *c;
	const char *problem;

	int status;

	if ((status = td_cli_hall_setup(cli, argc)) != EX_OK)
		return status;
	/* The operator's name goes into every audit row and record. */
	if ((problem = td_text_problem(cli->operator_name))) {
		td_cli_fail("operator name: %s", problem);
		return EX_USAGE;
	}
	if (strlen(cli->operator_name) > TD_OPERATOR_MAX) {
		td_cli_fail("operator name: longer than %d bytes", TD_OPERATOR_MAX);
		return EX_USAGE;
	}
	if (argc < 2)
		return run_desk(cli);
	if ((c = td_cli_find(td_cli_commands, argv[1])))
		return td_cli_run(c, cli, argc - 1, argv + 1);
	td_cli_fail("unknown command '%s'; see `tokendesk --help`", argv[1]);
	return EX_USAGE;
}

int main(int argc, char **argv)
{
	struct td_cli cli = { 0 };
	int status;

	td_cli_locale_init();
	/* the language is bound as soon as --lang is known, not only when a
	 * command runs: an unknown command, a bad operator name or config
	 * file are said in the operator's language too */
	switch (td_cli_take_globals(&cli, &argc, argv)) {
	case TD_GLOBALS_HELP:
		td_cli_lang(&cli);   /* the help in the operator's language */
		usage(stdout);
		return EX_OK;
	case TD_GLOBALS_VERSION:
		td_cli_lang(&cli);
		version();
		return EX_OK;
	case TD_GLOBALS_BAD:
		return EX_USAGE;
	}
	td_cli_lang(&cli);
	td_cli_defaults(&cli);
	if ((status = load_config(&cli)) == EX_OK)
		status = run(&cli, argc, argv);
	td_cli_hall_done(&cli);
	td_token_config_clear(&cli.config);
	return status;
}
