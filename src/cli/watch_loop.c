/* watch_loop.c: the loop of `scan --watch` and `count watch`: token
 * events until Ctrl-C or SIGTERM. */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "tokendesk/token.h"

static volatile sig_atomic_t interrupted;
static int interrupt_pipe[2] = { -1, -1 };

/* Wakes poll() through a pipe too: a signal delivered to another thread
 * (libusb starts its own) would not interrupt our poll() by itself. */
static void on_interrupt(int sig)
{
	interrupted = sig;
	if (interrupt_pipe[1] >= 0)
		(void)!write(interrupt_pipe[1], "", 1);
}

static void catch_interrupts(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_interrupt;   /* no SA_RESTART: poll() must return */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int run(struct td_watch *w, td_watch_fn fn, void *ctx, const int *failed)
{
	struct td_error err;

	while (!interrupted && !(failed && *failed)) {
		struct pollfd p[2] = { { td_watch_fd(w), POLLIN, 0 },
		                       { interrupt_pipe[0], POLLIN, 0 } };
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (interrupted || !(p[0].revents & POLLIN))
			continue;
		if (td_watch_process(w, fn, ctx, &err) < 0) {
			td_cli_print_error(&err);
			return td_cli_status(err.code);
		}
	}
	return EX_OK;
}

int td_cli_watch(struct td_tokens *t, int poll_ms, int no_usb, td_watch_fn fn,
                 void *ctx, const int *failed,
                 void (*announce)(struct td_watch *w, void *ctx))
{
	struct td_watch_opts wo = TD_WATCH_OPTS_DEFAULT;
	struct td_error err;
	struct td_watch *w;
	int status;

	wo.poll_ms = poll_ms ? poll_ms : wo.poll_ms;
	wo.use_usb = no_usb ? 0 : -1;
	if (!(w = td_watch_new(t, &wo, &err))) {
		td_cli_print_error(&err);
		return td_cli_status(err.code);
	}
	if (pipe(interrupt_pipe) != 0) {
		td_watch_free(w);
		td_cli_fail("cannot create a pipe");
		return EX_OSERR;
	}
	catch_interrupts();
	if (announce)
		announce(w, ctx);
	status = run(w, fn, ctx, failed);
	td_watch_free(w);
	close(interrupt_pipe[0]);
	close(interrupt_pipe[1]);
	interrupt_pipe[0] = interrupt_pipe[1] = -1;
	return status;
}
