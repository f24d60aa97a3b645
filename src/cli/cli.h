/* cli.h: what every CLI command gets, and the helpers they share.
 *
 * The CLI is a thin front end: it parses arguments, calls workflow and
 * registry functions, and prints.  No SQL and no PKCS#11 here.  Each
 * command lives in its own file src/cli/cmd_NAME.c and is listed in the
 * table in src/cli/commands.c. */
#ifndef TD_CLI_H
#define TD_CLI_H

#include <stdio.h>
#include <sysexits.h>

#include "tokendesk/error.h"
#include "tokendesk/session.h"
#include "tokendesk/token.h"

struct td_registry;

#define TD_CLI_MAX_MODULES 16

/* Global options, given before or after the command name. */
struct td_cli {
	const char *db_path;        /* --db, $TOKENDESK_DB, XDG default */
	const char *operator_name;  /* --operator, $TOKENDESK_OPERATOR, login */
	const char *lang;           /* --lang, or NULL for the locale */
	const char *config_path;    /* --config, or NULL for none */
	struct td_token_config config; /* the --config file, read once by main */
	const char *modules[TD_CLI_MAX_MODULES]; /* --module, repeatable */
	int nmodules;
	int quiet;                  /* --quiet */
	/* registry, operator, place, config and tokens as the desk has
	 * them: its strings point into this struct; the registry is opened
	 * on the first td_cli_registry(), the tokens on td_session_tokens */
	struct td_session session;
	char db_path_buf[4096];
	/* The hall (docs/hall.md): set by an authorized_keys forced command
	 * only; then the operator is this name and the SSH key's fingerprint,
	 * and neither --operator nor $TOKENDESK_OPERATOR can change it. */
	const char *operator_key;   /* --operator-key NAME */
	const char *key_fingerprint; /* --key-fingerprint SHA256:... */
	const char *p11_socket;     /* --p11-socket PATH: tokens forwarded by
	                               tokendesk-connect (p11-kit-client.so) */
	char operator_buf[512];     /* "NAME (ssh SHA256:...)" */
	int p11_forwarded;          /* p11_socket checked, in use by the desk,
	                               removed when it ends */
};

/* A command: argv[0] is the command name; returns an exit status
 * (EX_OK, EX_USAGE, EX_DATAERR, ...).  Options are parsed with
 * getopt_long after the global ones were removed. */
typedef int (*td_cli_command_fn)(struct td_cli *cli, int argc, char **argv);

struct td_cli_command {
	const char *name;
	td_cli_command_fn run;
	const char *synopsis;   /* one line for --help */
};

extern const struct td_cli_command td_cli_commands[];

/* What td_cli_take_globals found besides options for cli. */
enum td_cli_globals { TD_GLOBALS_OK, TD_GLOBALS_HELP, TD_GLOBALS_VERSION, TD_GLOBALS_BAD };

/* Take the global options out of argv wherever they are (up to "--"),
 * into cli; argv keeps the command and its own arguments.  Prints the
 * error for TD_GLOBALS_BAD (globals.c). */
int td_cli_take_globals(struct td_cli *cli, int *argc, char **argv);

/* Fill what the options left unset: registry path, operator. */
void td_cli_defaults(struct td_cli *cli);
/* cli's session, its registry path, operator, language, configuration
 * and modules brought up to date with the options (which the hall's
 * setup changes after td_cli_defaults): use it, not cli->session, to
 * open anything. */
struct td_session *td_cli_session(struct td_cli *cli);

/* The hall's identity and forwarded tokens (hall.c, tokendesk-full
 * only): under --operator-key, the operator becomes "NAME (ssh FP)"
 * whatever --operator or $TOKENDESK_OPERATOR say, and SSH's
 * $SSH_ORIGINAL_COMMAND may only add --p11-socket and --lang; with
 * --p11-socket the tokens are read through p11-kit-client.so from that
 * socket.  Prints the reason and returns an exit status (EX_OK to go
 * on).  argc: the arguments left after the global options. */
int td_cli_hall_setup(struct td_cli *cli, int argc);
/* After the desk: remove the forwarded socket it used (sshd leaves it). */
void td_cli_hall_done(struct td_cli *cli);

/* The environment's locale, keeping UTF-8 when the named one is missing. */
void td_cli_locale_init(void);

/* Messages of the commands that speak the operator's language (--lang,
 * else the locale; po/vi.po): td_cli_lang, which the dispatcher calls
 * before every command, then td_cli_T(text) where
 * text is the English msgid (xgettext's keyword td_cli_T). */
void td_cli_lang(const struct td_cli *cli);
const char *td_cli_T(const char *en);
/* A registry code (action, tag kind, state) in the operator's words:
 * the code itself in English, "thay đổi thông tin" in Vietnamese
 * (words.c).  --json output keeps codes. */
const char *td_cli_word(const char *code);
/* snprintf, and fprintf to stderr, of the translated en_fmt (xgettext:
 * td_cli_snprintf:3, td_cli_eprintf). */
void td_cli_snprintf(char *buf, size_t size, const char *en_fmt, ...)
	__attribute__((format(printf, 3, 4)));
void td_cli_eprintf(const char *en_fmt, ...) __attribute__((format(printf, 1, 2)));
/* A stored UTC time ("...T10:08:17Z") in local time, written as the
 * operator's language writes it, into buf. */
const char *td_cli_time(const char *iso, char *buf, size_t size);
/* A date YYYY-MM-DD as the operator's language writes it (dd/mm/yyyy in
 * Vietnamese); anything else as it is. */
const char *td_cli_date(const char *iso, char *buf, size_t size);
/* The same to the second, for lines of a log a person watches. */
const char *td_cli_time_seconds(const char *iso, char *buf, size_t size);
/* "  label:   value" with the label translated and padded by display
 * width ("-" for an empty value). */
void td_cli_field(const char *en_label, const char *value);
/* Print s then spaces to width terminal columns (at least one): padded
 * by display width, since printf's %-Ns counts the bytes of a word with
 * marks ("thay đổi thông tin" is 18 columns, 25 bytes). */
void td_cli_column(const char *s, int width);
/* 1 when messages are translated (not English). */
int td_cli_speaks_other(void);
/* A plan tag's or action's reason for a person: as stored in English;
 * translated, the rule's sentence and the plan line (into buf). */
const char *td_cli_reason(const char *rule, const char *action, const char *reason,
                          char *buf, size_t size);
/* A custody event's stored remarks ("REMARKS; handover BG-...; possession
 * matched: DETAIL", workflow/handover_commit.c) for a person: the parts
 * tokendesk wrote in the operator's words, the operator's own text as
 * typed (into buf).  English output keeps the stored text. */
const char *td_cli_remarks(const char *stored, char *buf, size_t size);
/* printf to stdout of the translated en_fmt (xgettext: td_cli_printf). */
void td_cli_printf(const char *en_fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same for a count: the English singular (n == 1) or plural, or the
 * language's form for n (ngettext; xgettext: td_cli_N:1,2 and
 * td_cli_nprintf:1,2).  n is only the choice: pass it again as an
 * argument where the text prints it ("%zu rows read", n, n). */
const char *td_cli_N(const char *one, const char *many, unsigned long n);
void td_cli_nprintf(const char *one, const char *many, unsigned long n, ...)
	__attribute__((format(printf, 1, 4), format(printf, 2, 4)));

/* Open (and create with init) the registry named by the global options.
 * Prints the error and returns NULL on failure; *status gets the exit
 * status to return. */
struct td_registry *td_cli_registry(struct td_cli *cli, int create, int *status);

/* The same for a command that only reads (show, search, audit verify):
 * on a full disk, where the registry cannot be opened for writing, it is
 * opened read-only, with a note on stderr saying so. */
struct td_registry *td_cli_registry_to_read(struct td_cli *cli, int *status);

/* Print "tokendesk: MESSAGE" (formatted td_error) to stderr. */
void td_cli_print_error(const struct td_error *err);

/* Print a printf-style message to stderr with the program prefix, its
 * format translated (td_cli_T; xgettext's keyword td_cli_fail). */
void td_cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The whole of arg as a number min..max into *out: 0.  Else -1, having
 * said "OPT takes a number, MIN to MAX, not 'ARG'" (atoi read "abc" and
 * "-1" as values and went on). */
int td_cli_number(const char *opt, const char *arg, long long min,
                  long long max, long long *out);

/* 1 when the file name path ends in ext (".csv"), in any case. */
int td_cli_name_ends(const char *path, const char *ext);

/* Map a td_code to a sysexits.h status. */
int td_cli_status(int code);

struct td_tokens;
struct td_watch;
struct td_watch_event;

/* Watch tokens (scan --watch, count watch): build the watcher on t, call
 * announce once (may be NULL), then fn for every event until Ctrl-C or
 * SIGTERM, or until *failed (may be NULL) becomes non-zero.  Returns an
 * exit status. */
int td_cli_watch(struct td_tokens *t, int poll_ms, int no_usb,
                 int (*fn)(const struct td_watch_event *ev, void *ctx),
                 void *ctx, const int *failed,
                 void (*announce)(struct td_watch *w, void *ctx));

/* What an argument parser returns after printing --help: the command
 * then returns EX_OK. */
#define TD_CLI_HELP_SHOWN (-1)

/* Reset getopt for a command's own option parsing. */
void td_cli_getopt_reset(void);

/* getopt_long for a command's options, with the messages said by
 * td_cli_fail: glibc's own quote what was typed as it was typed, an ESC
 * included.  Returns what getopt_long returns ('?' after a message). */
struct option;
int td_cli_getopt(int argc, char **argv, const char *shorts,
                  const struct option *longs);

/* The command called name in table (ended by a NULL name), or NULL. */
const struct td_cli_command *td_cli_find(const struct td_cli_command *table,
                                         const char *name);
/* Run c on its arguments (argv[0] is the command's name) with getopt
 * reset, close the registry it opened, and return its exit status. */
int td_cli_run(const struct td_cli_command *c, struct td_cli *cli, int argc,
               char **argv);

#endif
