/* common.c: what the CLI commands share: opening the registry, errors,
 * exit statuses, finding and running a command. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#if ENABLE_NLS
#include <libintl.h>
#endif

#include <unistd.h>
#if ENABLE_NLS
#include <libintl.h>
#endif

#include "cli/cli.h"
#include "tokendesk/registry.h"
#include "tokendesk/text.h"

void td_cli_print_error(const struct td_error *err)
{
	char buf[1024];

	fprintf(stderr, "tokendesk: %s\n", td_error_format(err, buf, sizeof buf));
}

void td_cli_fail(const char *fmt, ...)
{
	char text[2048], shown[2048];
	va_list ap;

	va_start(ap, fmt);
	/* in the operator's language: xgettext reads td_cli_fail's format
	 * (po/Makevars) in the files po/POTFILES.in lists */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	vsnprintf(text, sizeof text, td_cli_T(fmt), ap);
#pragma GCC diagnostic pop
	va_end(ap);
	/* what is quoted (a command, an option's value) is the caller's */
	td_printable(shown, sizeof shown, text);
	fprintf(stderr, "tokendesk: %s\n", shown);
}

int td_cli_number(const char *opt, const char *arg, long long min,
                  long long max, long long *out)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(arg, &end, 10);
	if (end == arg || *end || errno || n < min || n > max) {
		td_cli_fail("%s takes a number, %lld to %lld, not '%s'", opt, min, max, arg);
		return -1;
	}
	*out = n;
	return 0;
}

int td_cli_name_ends(const char *path, const char *ext)
{
	size_t n = strlen(path), k = strlen(ext);

	return n > k && strcasecmp(path + n - k, ext) == 0;
}

int td_cli_status(int code)
{
	switch (code) {
	case TD_OK: return EX_OK;
	case TD_ERR_USAGE: return EX_USAGE;
	case TD_ERR_DATA: return EX_DATAERR;
	case TD_ERR_CONFLICT: return EX_DATAERR;
	case TD_ERR_NOTFOUND: return EX_NOINPUT;
	case TD_ERR_IO: return EX_IOERR;
	case TD_ERR_PERM: return EX_NOPERM;
	case TD_ERR_PIN: return EX_NOPERM;
	case TD_ERR_TOKEN: return EX_UNAVAILABLE;
	case TD_ERR_NOMEM: return EX_OSERR;
	case TD_ERR_CANCELLED: return EX_TEMPFAIL;
	case TD_ERR_CREATE: return EX_CANTCREAT;
	case TD_ERR_BUSY: return EX_TEMPFAIL;
	case TD_ERR_DB: return EX_SOFTWARE;
	}
	return EX_SOFTWARE;
}

/* While a write waits for another writer's lock: said once per wait,
 * after a second (a desk's own write is over sooner), so a command that
 * seems to hang says why.  Never gives up itself: busy-ms does. */
static int cli_busy_wait(void *ctx, int waited_ms)
{
	static int said, last_ms;
	struct td_cli *cli = ctx;

	if (waited_ms < last_ms)
		said = 0;   /* a new wait */
	last_ms = waited_ms;
	if (!said && waited_ms >= 1000 && !cli->quiet) {
		said = 1;
		td_cli_eprintf("tokendesk: waiting for another desk or command to "
		               "finish writing (up to %.1f s)...\n",
		               (cli->config.busy_ms ? cli->config.busy_ms : TD_REG_BUSY_MS) / 1e3);
	}
	return 0;
}

/* Open the session's registry with flags, set how its writes wait, and
 * say what the opening had to say. */
static struct td_registry *open_registry(struct td_cli *cli, int flags,
                                         int *status)
{
	struct td_error err;
	const char *note;

	if (td_session_open(td_cli_session(cli), flags, &err) < 0) {
		td_cli_print_error(&err);
		*status = td_cli_status(err.code);
		return NULL;
	}
	if ((note = td_reg_open_note(cli->session.reg)))
		td_cli_fail("note: %s", note);
	td_reg_set_busy(cli->session.reg, cli->config.busy_ms, cli_busy_wait, cli);
	return cli->session.reg;
}

struct td_registry *td_cli_registry(struct td_cli *cli, int create, int *status)
{
	int flags = 0;

	if (cli->session.reg)
		return cli->session.reg;
	/* the default place's directories are made; a named path's are not */
	if (create)
		flags = TD_REG_CREATE |
		        (cli->db_path == cli->db_path_buf ? TD_REG_CREATE_DIRS : 0);
	return open_registry(cli, flags, status);
}

struct td_registry *td_cli_registry_to_read(struct td_cli *cli, int *status)
{
	return cli->session.reg ? cli->session.reg : open_registry(cli, TD_REG_READ_FALLBACK, status);
}

void td_cli_getopt_reset(void)
{
	optind = 0;   /* glibc: 0 re-initialises, including its permutation */
}

/* The long option "--name" or "--name=value" names, as getopt_long
 * reads it (a unique prefix will do); NULL with *many set when it could
 * be several. */
static const struct option *long_named(const struct option *longs,
                                       const char *arg, int *many)
{
	size_t len = strcspn(arg + 2, "=");
	const struct option *found = NULL;

	*many = 0;
	for (; longs && longs->name; longs++) {
		if (strncmp(longs->name, arg + 2, len) != 0)
			continue;
		if (longs->name[len] == '\0') {
			*many = 0;   /* an exact name wins over its prefixes */
			return longs;
		}
		*many = found != NULL;
		found = found ? found : longs;
	}
	return *many ? NULL : found;
}

/* 1 when getopt_long's '?' was for the long option arg, the element it
 * has just moved past; else it was for the short option optopt (which
 * may sit in the element after arg, as in "-xj"). */
static int long_refused(const char *arg, const struct option *o, int last)
{
	if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0')
		return 0;
	if (optopt == 0 || !o)
		return 1;   /* unknown or ambiguous */
	if (o->has_arg == no_argument)
		return strchr(arg, '=') != NULL;
	return o->has_arg == required_argument && !strchr(arg, '=') && last;
}

/* Say why getopt_long refused what it did. */
static void bad_option(const char *cmd, const char *arg, int last,
                       const char *shorts, const struct option *longs)
{
	int many;
	const struct option *o = long_named(longs, arg, &many);
	const char *at = optopt ? strchr(shorts, optopt) : NULL;

	if (!long_refused(arg, o, last) && at && optopt != ':' && at[1] == ':')
		td_cli_fail("%s: option -%c needs a value", cmd, optopt);
	else if (!long_refused(arg, o, last))
		td_cli_fail("%s: unknown option -%c; see its --help", cmd, optopt);
	else if (many)
		td_cli_fail("%s: option '%.*s' could be more than one; spell it "
		            "out", cmd, (int)strcspn(arg, "="), arg);
	else if (!o)
		td_cli_fail("%s: unknown option '%.*s'; see its --help", cmd,
		            (int)strcspn(arg, "="), arg);
	else if (o->has_arg == no_argument)
		td_cli_fail("%s: option --%s takes no value", cmd, o->name);
	else
		td_cli_fail("%s: option --%s needs a value", cmd, o->name);
}

int td_cli_getopt(int argc, char **argv, const char *shorts,
                  const struct option *longs)
{
	int c;

	opterr = 0;   /* bad_option says what was wrong */
	if ((c = getopt_long(argc, argv, shorts, longs, NULL)) == '?')
		bad_option(argv[0], argv[optind - 1], optind >= argc, shorts, longs);
	/* "receipt N --verify --help": getopt takes --help as the file; a
	 * person asking for help means help (no file is named "--help") */
	else if (c != -1 && optarg && strcmp(optarg, "--help") == 0 &&
	         strchr(shorts, 'h'))
		c = 'h';
	return c;
}

const struct td_cli_command *td_cli_find(const struct td_cli_command *table,
                                         const char *name)
{
	for (const struct td_cli_command *c = table; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

int td_cli_run(const struct td_cli_command *c, struct td_cli *cli, int argc,
               char **argv)
{
	int status;

	td_cli_getopt_reset();
	td_cli_lang(cli);
	status = c->run(cli, argc, argv);
	td_session_close(&cli->session);
	return status;
}

#if ENABLE_NLS
/* 1 when the messages will be Vietnamese: --lang, else the first of
 * LANGUAGE, LC_ALL, LC_MESSAGES, LANG that is set, as gettext reads them. */
static int speaks_vi(const struct td_cli *cli)
{
	static const char *const vars[] = { "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG" };

	if (cli->lang)
		return strncmp(cli->lang, "vi", 2) == 0;
	for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
		const char *v = getenv(vars[i]);
		if (v && *v)
			return strncmp(v, "vi", 2) == 0;
	}
	return 0;
}

/* gettext ignores LANGUAGE (which --lang sets, or the user) in the "C"
 * locale, the one a shell without LANG has: Vietnamese asked for so came
 * out English.  C.UTF-8 is not "C" to gettext and reads as C otherwise.
 * Only the messages' category: the catalogue is bound to UTF-8 output
 * whatever the character set, and the desk still refuses a locale that
 * cannot draw Vietnamese, with its advice (tests/tui/desk-locale.sh). */
static void leave_c_locale(void)
{
	const char *now = setlocale(LC_MESSAGES, NULL);

	if (now && (strcmp(now, "C") == 0 || strcmp(now, "POSIX") == 0))
		setlocale(LC_MESSAGES, "C.UTF-8");
}

void td_cli_lang(const struct td_cli *cli)
{
	td_session_lang(cli->lang);
	if (speaks_vi(cli))
		leave_c_locale();
	/* Vietnamese output is dated where its reader is: a record made at
	 * 20:00 UTC is the next day in Hưng Yên */
	if (speaks_vi(cli) && !getenv("TZ"))
		setenv("TZ", "Asia/Ho_Chi_Minh", 1);
}

const char *td_cli_T(const char *en)
{
	/* gettext("") is the catalogue's header, not "" */
	return en && *en ? dgettext(PACKAGE, en) : en;
}

const char *td_cli_N(const char *one, const char *many, unsigned long n)
{
	/* the catalogue's Plural-Forms picks the form: one in Vietnamese */
	return dngettext(PACKAGE, one, many, n);
}
#else
void td_cli_lang(const struct td_cli *cli)
{
	td_session_lang(cli->lang);
}

const char *td_cli_T(const char *en)
{
	return en;
}

const char *td_cli_N(const char *one, const char *many, unsigned long n)
{
	return n == 1 ? one : many;
}
#endif

void td_cli_printf(const char *en_fmt, ...)
{
	va_list ap;

	va_start(ap, en_fmt);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	vprintf(td_cli_T(en_fmt), ap);
#pragma GCC diagnostic pop
	va_end(ap);
}

void td_cli_nprintf(const char *one, const char *many, unsigned long n, ...)
{
	va_list ap;

	va_start(ap, n);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	vprintf(td_cli_N(one, many, n), ap);
#pragma GCC diagnostic pop
	va_end(ap);
}
