/* cmd_import.c: tokendesk import FILE...: the master lists, all or nothing. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "tokendesk/import.h"
#include "tokendesk/registry.h"

static void import_help(void)
{
	fputs(td_cli_T("Usage: tokendesk import [--encoding NAME] [--allow-holder-change] FILE...\n"
	       "Import agency and certificate lists (CSV; see docs/formats.md).\n"
	       "All files go in one transaction: if any row is bad, nothing is\n"
	       "imported and every problem is listed as FILE:LINE: FIELD: message.\n\n"
	       "  -e, --encoding NAME   the files' encoding when not UTF-8, e.g.\n"
	       "                        cp1258 (what Vietnamese Excel writes)\n"
	       "      --max-errors N    list at most N problems (default 100)\n"
	       "      --allow-holder-change  a certificate the registry gives one\n"
	       "                        holder may move to another (refused\n"
	       "                        otherwise: a mistyped ID would move it)\n"
	       "      --progress        show progress on standard error (the default\n"
	       "                        when it is a terminal); elsewhere, a line per\n"
	       "                        phase and per tenth\n"
	       "      --no-progress     do not\n"), stdout);
}

/* ---- progress ----------------------------------------------------------- */

/* On a terminal one line, redrawn at most ten times a second; elsewhere
 * (--progress into a log) a line per phase and per tenth of a phase. */
struct progress_view {
	int tty;
	int on_screen;                 /* a tty line waits to be cleared */
	int phase, tenth;              /* last shown (-1: none yet) */
	const char *file;
	struct timespec last;
};

/* The file's base name as it may be shown on a terminal: at most 60
 * bytes, cut between characters, control bytes as '?' (a name on a USB
 * stick could hold escape sequences). */
static void shown_name(const char *path, char *out, size_t size)
{
	const char *slash = path ? strrchr(path, '/') : NULL;
	const char *name = slash ? slash + 1 : path ? path : "";
	size_t n = 0, max = size - 1 < 60 ? size - 1 : 60;

	for (; name[n] && n < max; n++)
		out[n] = (unsigned char)name[n] < 0x20 || name[n] == 0x7f ? '?' : name[n];
	if (name[n])   /* cut: not inside a UTF-8 sequence */
		while (n > 0 && ((unsigned char)name[n] & 0xc0) == 0x80)
			n--;
	out[n] = '\0';
}

static int percent(long long done, long long total)
{
	return total > 0 ? (int)(done * 100 / total) : 100;
}

static void describe(const struct td_import_progress *p, char *buf, size_t size)
{
	char name[64];

	switch (p->phase) {
	case TD_IMPORT_READING:
		shown_name(p->file, name, sizeof name);
		td_cli_snprintf(buf, size, "reading %s: %d%%", name, percent(p->done, p->total));
		break;
	case TD_IMPORT_CHECKING:
		td_cli_snprintf(buf, size, "checking the rows");
		break;
	case TD_IMPORT_WRITING:
		td_cli_snprintf(buf, size, "writing: %d%% (%lld of %lld rows)",
		         percent(p->done, p->total), p->done, p->total);
		break;
	case TD_IMPORT_SAVING:
		td_cli_snprintf(buf, size, "saving: indexes and the registry file");
		break;
	}
}

static double since(const struct timespec *then, const struct timespec *now)
{
	return (double)(now->tv_sec - then->tv_sec) +
	       (double)(now->tv_nsec - then->tv_nsec) / 1e9;
}

static void show_progress(const struct td_import_progress *p, void *ctx)
{
	struct progress_view *v = ctx;
	int tenth = percent(p->done, p->total) / 10;
	int new_step = (int)p->phase != v->phase || p->file != v->file;
	struct timespec now;
	char text[160];

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (v->tty ? !new_step && since(&v->last, &now) < 0.1
	           : !new_step && tenth == v->tenth)
		return;
	v->phase = (int)p->phase;
	v->file = p->file;
	v->tenth = tenth;
	v->last = now;
	describe(p, text, sizeof text);
	if (v->tty) {
		fprintf(stderr, "\r\033[Ktokendesk: %s", text);
		v->on_screen = 1;
	} else {
		fprintf(stderr, "tokendesk: %s\n", text);
	}
	fflush(stderr);
}

static void end_progress(struct progress_view *v)
{
	if (v->on_screen)
		fputs("\r\033[K", stderr);
	v->on_screen = 0;
}

/* -1 (no option): on for a terminal that can clear a line. */
static void start_progress(struct progress_view *v, int wanted, int quiet,
                           struct td_import_opts *io)
{
	const char *term = getenv("TERM");
	int tty = isatty(STDERR_FILENO) && term && *term && strcmp(term, "dumb") != 0;

	if (wanted == 0 || (wanted < 0 && (quiet || !tty)))
		return;
	*v = (struct progress_view){ .tty = tty, .phase = -1, .tenth = -1 };
	io->progress = show_progress;
	io->progress_ctx = v;
}

static void print_report(const struct td_import_report *rep, int quiet)
{
	if (quiet)
		return;
	td_cli_nprintf("%ld row read\n", "%ld rows read\n", (unsigned long)rep->rows,
	               rep->rows);
	td_cli_printf("agencies: %ld added, %ld updated, %ld unchanged\n",
	       rep->agencies.added, rep->agencies.updated, rep->agencies.unchanged);
	td_cli_printf("certificates: %ld added, %ld updated, %ld unchanged\n",
	       rep->certificates.added, rep->certificates.updated,
	       rep->certificates.unchanged);
}

static void print_errors(const struct td_import_report *rep)
{
	char buf[1024];

	for (size_t i = 0; i < rep->errors.count; i++)
		fprintf(stderr, "%s\n", td_error_format(&rep->errors.items[i], buf, sizeof buf));
	if (rep->errors.total > rep->errors.count)
		td_cli_eprintf("... and %zu more problems\n",
		        rep->errors.total - rep->errors.count);
}

int td_cmd_import(struct td_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "encoding", required_argument, NULL, 'e' },
		{ "max-errors", required_argument, NULL, 'm' },
		{ "progress", no_argument, NULL, 'P' },
		{ "no-progress", no_argument, NULL, 'N' },
		{ "allow-holder-change", no_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct td_import_opts io = { 0 };
	struct progress_view view = { 0 };
	struct td_import_report rep;
	struct td_registry *reg;
	struct td_error err;
	long long n;
	int c, status = EX_OK, rc, progress = -1;

	while ((c = td_cli_getopt(argc, argv, "e:m:h", opts)) != -1) {
		switch (c) {
		case 'e': io.encoding = optarg; break;
		case 'm':
			if (td_cli_number("--max-errors", optarg, 1, 1000000, &n) < 0)
				return EX_USAGE;
			io.max_errors = (size_t)n;
			break;
		case 'P': progress = 1; break;
		case 'N': progress = 0; break;
		case 'H': io.allow_holder_change = 1; break;
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
	start_progress(&view, progress, cli->quiet, &io);
	rc = td_import_files(reg, (const char *const *)argv + optind,
	                     (size_t)(argc - optind), &io, &rep, &err);
	end_progress(&view);
	if (rc == TD_OK)
		print_report(&rep, cli->quiet);
	else if (rep.errors.total > 0) {
		print_errors(&rep);
		td_cli_print_error(&err);
	} else {
		td_cli_print_error(&err);
		td_cli_eprintf("tokendesk: nothing was imported\n");
	}
	td_import_report_free(&rep);
	return td_cli_status(rc);
}
