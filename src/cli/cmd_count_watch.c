/* cmd_count_watch.c: tokendesk count watch ID - every token plugged in
 * while it runs is scanned into the count (source "inserted"), each
 * committed before the next is looked at.  Ctrl-C (or SIGTERM) stops; a
 * kill -9 loses nothing recorded, and running it again resumes. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "tokendesk/count.h"
#include "tokendesk/text.h"
#include "tokendesk/token.h"

int td_count_watch(struct td_cli *cli, int argc, char **argv);

struct watch_ctx {
	struct td_registry *reg;
	int64_t id;
	int failed;
};

static int on_event(const struct td_watch_event *ev, void *ctx)
{
	struct watch_ctx *w = ctx;
	struct td_count_hit hit = { 0 };
	struct td_error err;
	char when[21];

	if (ev->kind != TD_EV_INSERTED || !ev->token)
		return 0;
	td_now_iso(when);
	if (td_count_scan(w->reg, w->id, ev->token->serial, "inserted", &hit, &err) < 0) {
		td_cli_print_error(&err);
		w->failed = td_cli_status(err.code);
		return err.code == TD_ERR_DATA ? 0 : 1;   /* closed count: stop */
	}
	/* the outcome's code: read by scripts as by people (count report
	 * gives the words) */
	printf("%s %s\t%s", when, ev->token->serial,   /* for scripts */
	       td_count_outcome_name(hit.outcome));
	if (hit.outcome == TD_COUNT_UNEXPECTED)
		td_cli_printf("\tregistry: %s%s%s", hit.custodian, hit.custodian_name ? " " : "",
		       hit.custodian_name ? hit.custodian_name : "");
	if (hit.scans > 1)
		td_cli_nprintf("\tduplicate (scanned %lld time)",
		               "\tduplicate (scanned %lld times)",
		               (unsigned long)hit.scans, (long long)hit.scans);
	putchar('\n');
	fflush(stdout);
	td_count_hit_clear(&hit);
	return 0;
}

static void announce(struct td_watch *w, void *ctx)
{
	(void)w;
	td_cli_eprintf("tokendesk: count %lld: plug the tokens in one by one;"
	               " Ctrl-C stops\n", (long long)((struct watch_ctx *)ctx)->id);
}

int td_count_watch(struct td_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "poll-ms", required_argument, NULL, 'p' },
		{ "no-usb", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	struct watch_ctx wc = { NULL, 0, 0 };
	struct td_tokens *t;
	struct td_count count;
	struct td_error err;
	int c, poll_ms = 0, no_usb = 0, status = EX_OK;
	char *end;

	while ((c = td_cli_getopt(argc, argv, "p:nh", opts)) != -1) {
		if (c == 'p') {
			long long n;
			if (td_cli_number("--poll-ms", optarg, 20, 500, &n) < 0)
				return EX_USAGE;
			poll_ms = (int)n;
		}
		else if (c == 'n')
			no_usb = 1;
		else {
			fputs(td_cli_T("Usage: tokendesk count watch ID [--poll-ms N] [--no-usb]\n"
			               "Scan every token plugged in into count ID until Ctrl-C.\n"),
			      c == 'h' ? stdout : stderr);
			return c == 'h' ? EX_OK : EX_USAGE;
		}
	}
	if (optind + 1 != argc || (wc.id = strtoll(argv[optind], &end, 10)) <= 0 || *end) {
		td_cli_fail("count watch: give one count id");
		return EX_USAGE;
	}
	if (!(wc.reg = td_cli_registry(cli, 0, &status)))
		return status;
	if (td_reg_count_get(wc.reg, wc.id, &count, &err) < 0) {
		td_cli_print_error(&err);
		return td_cli_status(err.code);
	}
	status = count.closed_at ? EX_DATAERR : EX_OK;
	td_count_clear(&count);
	if (status != EX_OK) {
		td_cli_fail("count %lld is closed; start a new count", (long long)wc.id);
		return status;
	}
	t = td_session_tokens(td_cli_session(cli), no_usb, &err);
	if (!t) {
		td_cli_print_error(&err);
		status = td_cli_status(err.code);
	} else {
		status = td_cli_watch(t, poll_ms ? poll_ms : cli->config.poll_ms,
		                      no_usb, on_event, &wc, &wc.failed, announce);
		if (wc.failed)
			status = wc.failed;
	}
	return status;
}
