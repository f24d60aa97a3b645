/* main_lean.c: `tokendesk`, the program users run.
 *
 * It runs the two read-only commands people type most, show and search,
 * itself, and hands everything else (every other command, --help,
 * --version, the desk) to tokendesk-full by exec: same process, same
 * arguments, same environment.  Why two programs: starting a process
 * that links libcrypto, libp11, libusb, libxlsxwriter and ncursesw costs
 * more than the query it runs; this one links only SQLite, libunistring
 * and jansson (README, "Two programs", has the figures). */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "tokendesk/libexec.h"
#include "tokendesk/registry.h"

static const struct td_cli_command lean_commands[] = {
	{ "show", td_cmd_show, NULL },
	{ "search", td_cmd_search, NULL },
	{ NULL, NULL, NULL }
};

static int hand_over(char **given)
{
	char path[PATH_MAX + 32];

	td_libexec_path("tokendesk-full", path, sizeof path);
	execv(path, given);
	td_cli_fail("cannot run %s: %s", path, strerror(errno));
	return EX_SOFTWARE;
}

/* Messages in another language than English: the full program speaks
 * it (gettext and the locale's categories); this one translates nothing,
 * to stay as quick as a bare query for the English default. */
static int translated(const struct td_cli *cli)
{
	static const char *const vars[] = { "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG" };

	if (cli->lang)
		return strncmp(cli->lang, "en", 2) != 0;
	for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
		const char *v = getenv(vars[i]);
		if (v && *v)
			return strncmp(v, "en", 2) != 0 && strcmp(v, "C") != 0 &&
			       strncmp(v, "C.", 2) != 0 && strcmp(v, "POSIX") != 0;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct td_cli cli = { 0 };
	const struct td_cli_command *c = NULL;
	char **given = malloc(((size_t)argc + 1) * sizeof *given);
	int status, globals;

	if (!given) {
		td_cli_fail("out of memory");
		return EX_OSERR;
	}
	/* td_cli_take_globals reorders argv; the full program gets it as given. */
	memcpy(given, argv, ((size_t)argc + 1) * sizeof *given);
	globals = td_cli_take_globals(&cli, &argc, argv);
	if (globals == TD_GLOBALS_BAD) {
		free(given);
		return EX_USAGE;
	}
	/* --config: the full program checks the file first (main.c). */
	/* the hall's identity is settled by the full program (hall.c) */
	if (globals != TD_GLOBALS_OK || argc < 2 || cli.config_path ||
	    cli.operator_key || cli.p11_socket || translated(&cli) ||
	    !(c = td_cli_find(lean_commands, argv[1]))) {
		status = hand_over(given);
		free(given);
		return status;
	}
	free(given);
	/* Only the character type: show and search print stored UTF-8 as
	 * it is and translate nothing, and loading every category of the
	 * locale was a tenth of a `show`. */
	setlocale(LC_CTYPE, "");
	td_cli_defaults(&cli);
	return td_cli_run(c, &cli, argc - 1, argv + 1);
}
