/* globals.c: what both programs do before a command runs: the global
 * options (before or after the command), their defaults, the locale. */
#include <config.h>

#include <locale.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli/cli.h"

/* "--opt VALUE" or "--opt=VALUE": the value, advancing *i; NULL if the
 * argument is not this option. */
static const char *option_value(char **argv, int argc, int *i, const char *opt,
                                int *missing)
{
	size_t n = strlen(opt);

	if (strncmp(argv[*i], opt, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		*missing = 1;
		return NULL;
	}
	return argv[++*i];
}

/* Take global options out of argv wherever they are (up to "--"). */
int td_cli_take_globals(struct td_cli *cli, int *argc, char **argv)
{
	int out = 1, missing = 0, rest = 0, result = TD_GLOBALS_OK;
	const char *v;

	for (int i = 1; i < *argc; i++) {
		char *a = argv[i];
		if (rest || strcmp(a, "--") == 0) {
			rest = 1;
			argv[out++] = a;
		} else if ((v = option_value(argv, *argc, &i, "--db", &missing))) {
			cli->db_path = v;
		} else if ((v = option_value(argv, *argc, &i, "--operator-key", &missing))) {
			cli->operator_key = v;
		} else if ((v = option_value(argv, *argc, &i, "--key-fingerprint", &missing))) {
			cli->key_fingerprint = v;
		} else if ((v = option_value(argv, *argc, &i, "--p11-socket", &missing))) {
			cli->p11_socket = v;
		} else if ((v = option_value(argv, *argc, &i, "--operator", &missing))) {
			cli->operator_name = v;
		} else if ((v = option_value(argv, *argc, &i, "--module", &missing))) {
			if (cli->nmodules < TD_CLI_MAX_MODULES)
				cli->modules[cli->nmodules++] = v;
		} else if ((v = option_value(argv, *argc, &i, "--config", &missing))) {
			cli->config_path = v;
		} else if ((v = option_value(argv, *argc, &i, "--lang", &missing))) {
			cli->lang = v;
		} else if (missing) {
			td_cli_fail("option %s needs a value", a);
			return TD_GLOBALS_BAD;
		} else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
			cli->quiet = 1;
		} else if (out == 1 && (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)) {
			result = TD_GLOBALS_HELP;
		} else if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
			result = TD_GLOBALS_VERSION;
		} else {
			argv[out++] = a;
		}
	}
	*argc = out;
	argv[out] = NULL;
	return result;
}

static void default_db_path(struct td_cli *cli)
{
	const char *env = getenv("TOKENDESK_DB"), *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");

	if (cli->db_path)
		return;
	if (env && *env) {
		cli->db_path = env;
		return;
	}
	if (xdg && *xdg == '/')
		snprintf(cli->db_path_buf, sizeof cli->db_path_buf,
		         "%s/tokendesk/registry.db", xdg);
	else
		snprintf(cli->db_path_buf, sizeof cli->db_path_buf,
		         "%s/.local/share/tokendesk/registry.db", home ? home : ".");
	cli->db_path = cli->db_path_buf;
}

static void default_operator(struct td_cli *cli)
{
	const char *env = getenv("TOKENDESK_OPERATOR");
	struct passwd *pw;

	if (cli->operator_name)
		return;
	if (env && *env)
		cli->operator_name = env;
	else if ((pw = getpwuid(geteuid())))
		cli->operator_name = pw->pw_name;
	else
		cli->operator_name = "unknown";
}

/* The locale the environment names for category var, as setlocale reads
 * it: LC_ALL, else the category's own variable, else LANG. */
static const char *locale_env(const char *var)
{
	const char *names[] = { "LC_ALL", var, "LANG" };

	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		const char *v = getenv(names[i]);
		if (v && *v)
			return v;
	}
	return NULL;
}

/* "vi_VN.UTF-8", "vi_VN.utf8@mod": a locale name in the UTF-8 codeset. */
static int names_utf8(const char *name)
{
	const char *cs = name ? strchr(name, '.') : NULL;
	size_t n;

	if (!cs++)
		return 0;
	n = strcspn(cs, "@");
	return (n == 5 && strncasecmp(cs, "utf-8", 5) == 0) ||
	       (n == 4 && strncasecmp(cs, "utf8", 4) == 0);
}

/* A UTF-8 locale that the environment names but this machine lacks (say
 * LANG=vi_VN.UTF-8 where only C.UTF-8 is installed) makes setlocale fail
 * and leaves the C locale, where the desk cannot draw Vietnamese.  Keep
 * the character set with C.UTF-8, and the language through LANGUAGE,
 * which gettext reads before the locale (unless the user set it). */
void td_cli_locale_init(void)
{
	const char *msgs = locale_env("LC_MESSAGES");
	const char *language = getenv("LANGUAGE");

	if (setlocale(LC_ALL, "") || !names_utf8(locale_env("LC_CTYPE")) ||
	    !setlocale(LC_ALL, "C.UTF-8"))
		return;
	if (msgs && !(language && *language))
		setenv("LANGUAGE", msgs, 1);
}

void td_cli_defaults(struct td_cli *cli)
{
	default_db_path(cli);
	default_operator(cli);
	td_cli_session(cli);
}

struct td_session *td_cli_session(struct td_cli *cli)
{
	/* the options as they stand now: the hall's setup names the
	 * operator and the module after the defaults were filled */
	cli->session.db_path = cli->db_path;
	cli->session.operator_name = cli->operator_name;
	cli->session.lang = cli->lang;
	cli->session.config = &cli->config;
	cli->session.modules = cli->modules;
	cli->session.nmodules = (size_t)cli->nmodules;
	return &cli->session;
}
