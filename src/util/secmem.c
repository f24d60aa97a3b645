/* secmem.c: locked, wiped buffers for PINs, and reading a PIN without echo. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "tokendesk/secmem.h"

/* ---- no core dumps while a PIN is held --------------------------------- */

/* MADV_DONTDUMP keeps the buffer out of a core file, but not the PIN's
 * way there: curses' input queue, the stack of the key loop, libp11's
 * and the module's copies.  So while any secure buffer exists the
 * process may not dump core at all (Ctrl-\ at the PIN prompt, a crash),
 * nor be read by a debugger of the same user (PR_SET_DUMPABLE 0 also
 * forbids ptrace attach); both are put back when the last one is freed.
 * Buffers are made and freed by one thread (the desk's loop, a command's
 * main), so a plain counter does. */
static unsigned live_buffers;
static int saved_dumpable = -1;
static struct rlimit saved_core;
static int core_saved;

static void dumps_off(void)
{
	struct rlimit none;

	if (live_buffers++ > 0)
		return;
	saved_dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	core_saved = getrlimit(RLIMIT_CORE, &saved_core) == 0;
	if (core_saved) {
		/* the soft limit only: it can be raised back without privilege */
		none = saved_core;
		none.rlim_cur = 0;
		(void)setrlimit(RLIMIT_CORE, &none);
	}
}

static void dumps_restore(void)
{
	if (live_buffers == 0 || --live_buffers > 0)
		return;
	if (core_saved)
		(void)setrlimit(RLIMIT_CORE, &saved_core);
	/* 1 is all prctl takes back; 2 (suid_dumpable) stays off */
	if (saved_dumpable == 1)
		(void)prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	core_saved = 0;
	saved_dumpable = -1;
}

struct td_secbuf *td_secbuf_new(size_t cap, struct td_error *err)
{
	struct td_secbuf *b = calloc(1, sizeof *b);

	if (!b || !(b->data = calloc(1, cap + 1))) {
		free(b);
		td_error_set(err, TD_ERR_NOMEM, "out of memory for a secure buffer");
		return NULL;
	}
	b->cap = cap;
	dumps_off();
	/* Best effort: an unprivileged process may have a zero memlock limit,
	 * and a PIN in swap is still better than no PIN check at all. */
	b->locked = mlock(b->data, cap + 1) == 0;
#ifdef MADV_DONTDUMP
	{
		/* madvise needs page alignment: cover the pages the buffer spans. */
		long pg = sysconf(_SC_PAGESIZE);
		if (pg > 0) {
			uintptr_t start = (uintptr_t)b->data & ~(uintptr_t)(pg - 1);
			uintptr_t end = (uintptr_t)b->data + cap + 1;
			(void)madvise((void *)start, end - start, MADV_DONTDUMP);
		}
	}
#endif
	return b;
}

void td_secbuf_free(struct td_secbuf *b)
{
	if (!b)
		return;
	OPENSSL_cleanse(b->data, b->cap + 1);
	if (b->locked)
		munlock(b->data, b->cap + 1);
	free(b->data);
	free(b);
	dumps_restore();
}

const char *td_secbuf_str(const struct td_secbuf *b)
{
	return (const char *)b->data;
}

/* ---- reading a PIN ----------------------------------------------------- */

static volatile sig_atomic_t pin_signal;

static void on_signal(int sig)
{
	pin_signal = sig;
}

static const int pin_signals[] = { SIGINT, SIGTERM, SIGTSTP, SIGQUIT, SIGHUP };
#define NSIG_PIN (sizeof pin_signals / sizeof pin_signals[0])

/* No SA_RESTART: a signal must interrupt read() so that the terminal can
 * be restored before the process stops or dies. */
static void catch_signals(struct sigaction *old)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	pin_signal = 0;
	for (size_t i = 0; i < NSIG_PIN; i++)
		sigaction(pin_signals[i], &sa, &old[i]);
}

static void restore_signals(const struct sigaction *old)
{
	for (size_t i = 0; i < NSIG_PIN; i++)
		sigaction(pin_signals[i], &old[i], NULL);
}

/* Read one line into b, byte by byte.  Returns 0, or a td_code. */
static int read_line(int fd, struct td_secbuf *b, struct td_error *err)
{
	unsigned char c;

	b->len = 0;
	for (;;) {
		ssize_t n = read(fd, &c, 1);
		if (n < 0 && errno == EINTR && !pin_signal)
			continue;
		if (n < 0 && pin_signal)
			return td_error_set(err, TD_ERR_CANCELLED, "PIN entry interrupted");
		if (n < 0)
			return td_error_set(err, TD_ERR_IO, "cannot read the PIN: %s",
			                    strerror(errno));
		if (n == 0 && b->len == 0)
			return td_error_set(err, TD_ERR_CANCELLED, "no PIN given");
		if (n == 0 || c == '\n')
			break;
		if (b->len == b->cap) {
			/* Drain nothing more: an over-long "PIN" is refused outright. */
			return td_error_set(err, TD_ERR_USAGE,
			                    "PIN longer than %d characters", TD_PIN_MAX);
		}
		b->data[b->len++] = c;
	}
	c = 0;
	if (b->len > 0 && b->data[b->len - 1] == '\r')
		b->data[--b->len] = '\0';
	b->data[b->len] = '\0';
	if (b->len == 0)
		return td_error_set(err, TD_ERR_USAGE, "empty PIN");
	return 0;
}

/* Read a line from terminal fd with echo off, the terminal put back
 * whatever happens (a signal included: raised again after). */
static int read_quietly(int fd, const char *prompt, struct td_secbuf *b,
                        struct td_error *err)
{
	struct termios saved, quiet;
	struct sigaction old[NSIG_PIN];
	int rc;

	if (tcgetattr(fd, &saved) != 0)
		return td_error_set(err, TD_ERR_IO, "cannot set up the terminal: %s",
		                    strerror(errno));
	if (prompt)
		(void)!write(fd, prompt, strlen(prompt));
	catch_signals(old);
	quiet = saved;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	tcsetattr(fd, TCSAFLUSH, &quiet);
	rc = read_line(fd, b, err);
	tcsetattr(fd, TCSAFLUSH, &saved);
	(void)!write(fd, "\n", 1);
	restore_signals(old);
	if (pin_signal)
		raise(pin_signal);
	return rc;
}

static int read_from_tty(const char *prompt, struct td_secbuf *b,
                         struct td_error *err)
{
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC), rc;

	if (fd < 0)
		return td_error_set(err, TD_ERR_IO,
		                    "no terminal to read the PIN from (use --pin-fd)");
	rc = read_quietly(fd, prompt, b, err);
	close(fd);
	return rc;
}

int td_pin_read(int fd, const char *prompt, struct td_secbuf **out,
                struct td_error *err)
{
	struct td_secbuf *b = td_secbuf_new(TD_PIN_MAX, err);
	int rc;

	*out = NULL;
	if (!b)
		return TD_ERR_NOMEM;
	pin_signal = 0;
	/* --pin-fd 0 typed at a terminal: that terminal must not echo the
	 * PIN either (a pipe or a file is read as it is) */
	if (fd < 0)
		rc = read_from_tty(prompt, b, err);
	else if (isatty(fd))
		rc = read_quietly(fd, prompt, b, err);
	else
		rc = read_line(fd, b, err);
	if (rc != 0) {
		td_secbuf_free(b);
		return rc;
	}
	*out = b;
	return 0;
}
