/* remote.c: PKCS#11 modules driven from helper processes (remote.h says
 * why), both ends: the helper's main loop, and the parent's spawning,
 * reading and restarting. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#if ENABLE_NLS
#include <libintl.h>
#endif

#include "remote.h"
#include "tokendesk/fdio.h"
#include "tokendesk/libexec.h"
#include "tokendesk/secmem.h"

/* ---- the helper's side ------------------------------------------------- */

/* Where the helper reads requests and writes answers: 0 and 1 in
 * tokendesk-p11, the pipes themselves in a forked helper. */
static int helper_in = 0, helper_out = 1;

/* The parent's writes to a helper: a helper that has just died must not
 * kill the desk with SIGPIPE, so requests go over a socket pair and are
 * sent with MSG_NOSIGNAL (EPIPE instead). */
static int send_all(int fd, const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n) {
		ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

static int read_all(int fd, void *p, size_t n)
{
	unsigned char *c = p;

	while (n) {
		ssize_t r = read(fd, c, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		c += r;
		n -= (size_t)r;
	}
	return 0;
}

static int send_frame(struct td_wbuf *b)
{
	return td_wbuf_end(b) == 0 ? td_write_all(helper_out, b->p, b->n) : -1;
}

/* Each token goes out as soon as it is read: `scan` prints it at once. */
static void helper_on_token(const struct td_snap_token *tok, void *ctx)
{
	struct td_wbuf *b = ctx;

	td_wbuf_begin(b, TD_ANS_TOKEN);
	td_wire_put_token(b, tok);
	send_frame(b);
}

static int helper_scan(struct td_tokens *t, struct td_snap **prev,
                       struct td_wbuf *b)
{
	struct td_snap *s = NULL;
	struct td_error err = { 0 };

	t->on_token = helper_on_token;
	t->on_token_ctx = b;
	if (td_tokens_scan_with(t, *prev, 0, &s, &err) != 0) {
		t->on_token = NULL;
		return -1;
	}
	t->on_token = NULL;
	td_snap_free(*prev);
	*prev = s;
	td_wbuf_begin(b, TD_ANS_END);
	td_wbuf_str(b, s->warnings);
	return send_frame(b);
}

/* 'P' and 'C': u32 length and a frame (serial, certificate serial,
 * force; for 'C' also detached and the data), then u32 length and the
 * PIN's bytes, read straight into a secure buffer. */
static int helper_call(struct td_tokens *t, char req, struct td_wbuf *b)
{
	uint32_t len, force = 0, detached = 0, pinlen = 0;
	struct td_wbuf in = { 0 };
	struct td_rd r;
	struct td_secbuf *pin = NULL;
	struct td_pop_result res;
	struct td_error err = { 0 };
	const unsigned char *data = NULL;
	unsigned char *der = NULL;
	size_t dlen = 0, der_len = 0;
	char *serial, *cert;
	int rc = -1;

	if (read_all(helper_in, &len, sizeof len) != 0 || len > TD_FRAME_MAX ||
	    !(in.p = malloc(len + 1)) || read_all(helper_in, in.p, len) != 0) {
		td_wbuf_free(&in);
		return -1;
	}
	r = (struct td_rd){ in.p, len, 0, 0 };
	serial = td_rd_str(&r);
	cert = td_rd_str(&r);
	td_rd_u32(&r, &force);
	if (req == TD_REQ_SIGN) {
		td_rd_u32(&r, &detached);
		td_rd_blob(&r, &data, &dlen);
	}
	if (read_all(helper_in, &pinlen, sizeof pinlen) == 0 && pinlen <= TD_PIN_MAX &&
	    (pin = td_secbuf_new(TD_PIN_MAX, &err)) &&
	    read_all(helper_in, pin->data, pinlen) == 0 && !r.bad) {
		pin->len = pinlen;
		pin->data[pinlen] = '\0';
		/* This helper may have loaded its module long ago (at the
		 * desk's start): a module that fixes its token list at
		 * C_Initialize must be loaded afresh to see a token plugged in
		 * since.  A proof is rare; a reload costs a few ms. */
		for (size_t i = 0; i < t->nmods; i++) {
			t->mods[i].fresh = 0;
			t->mods[i].reload_due = 1;
		}
		if (req == TD_REQ_SIGN)
			rc = td_token_sign_cms(t, serial, cert && *cert ? cert : NULL,
			                       pinlen ? pin : NULL, (int)force, data, dlen,
			                       (int)detached, &der, &der_len, &res, &err);
		else
			rc = td_token_prove(t, serial, NULL, cert && *cert ? cert : NULL,
			                    pinlen ? pin : NULL, (int)force, &res, &err);
		td_wbuf_begin(b, TD_ANS_RESULT);
		td_wire_put_pop(b, rc, &err, &res);
		td_wbuf_blob(b, der, der_len);
		rc = send_frame(b);
	}
	td_secbuf_free(pin);
	free(der);
	free(serial);
	free(cert);
	td_wbuf_free(&in);
	return rc;
}

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* libp11 before 0.4.14 (Debian 12 ships 0.4.12) waits forever on a
 * condition variable when C_OpenSession fails (pkcs11_get_session; fixed
 * upstream by libp11 commit 967fb11), as it does for a card pulled out
 * of its reader while its certificates are being read: the helper would
 * never answer again, and the desk or watcher never see a token come or
 * go until restarted (tests/pcsc/cycles.sh found it).  Nothing else
 * wakes that wait, so a watchdog thread ends the helper when a request
 * has kept its thread in a futex wait for HUNG_MS, with HELPER_HUNG: the
 * parent reports the module stopped and starts a new helper a second
 * later.  A module that is merely slow (I/O, pcscd, a sleep) is in
 * other system calls, and is never ended for it. */
#define HUNG_MS 3000
#define HELPER_HUNG 76
static atomic_llong busy_since;    /* a request's start, 0 between */
static pid_t serving_tid;

static int serving_in_futex(void)
{
	char path[64], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "/proc/self/task/%ld/syscall", (long)serving_tid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	return strtol(buf, NULL, 10) == SYS_futex;
}

static void *watchdog(void *arg)
{
	const struct timespec tick = { 0, 250 * 1000 * 1000 };
	long long waiting_since = 0;

	(void)arg;
	for (;;) {
		nanosleep(&tick, NULL);
		if (!atomic_load(&busy_since) || !serving_in_futex()) {
			waiting_since = 0;
			continue;
		}
		if (!waiting_since)
			waiting_since = mono_ms();
		else if (mono_ms() - waiting_since >= HUNG_MS)
			_exit(HELPER_HUNG);
	}
	return NULL;
}

static void start_watchdog(void)
{
	pthread_t th;
	pthread_attr_t a;

	serving_tid = (pid_t)syscall(SYS_gettid);
	if (pthread_attr_init(&a) != 0)
		return;
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	pthread_create(&th, &a, watchdog, NULL);
	pthread_attr_destroy(&a);
}

/* The helper's whole life: load the module from fd, answer requests
 * until the parent closes the pipe.  Returns the exit status. */
static int helper_serve(const char *path, int fd, enum td_reload_policy reload)
{
	struct td_token_opts o = { 0 };
	struct td_tokens *t;
	struct td_snap *prev = NULL;
	struct td_wbuf b = { 0 };
	struct td_error err = { 0 };
	struct rlimit no_core = { 0, 0 };
	long long loaded_at;
	int served = 0;
	char req;

	/* Ctrl-C at the desk's terminal is the desk's to handle. */
	signal(SIGINT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	/* This process talks to modules that may abort, and holds PINs: it
	 * never leaves a core file (while a PIN is held, secmem.c also makes
	 * it undumpable and closed to debuggers, as in the desk). */
	setrlimit(RLIMIT_CORE, &no_core);
	o.reload = reload;
	o.no_usb = 1;
	t = td_tokens_open_fd(path, fd, &o, &err);
	if (!t) {
		td_wbuf_begin(&b, TD_ANS_FAIL);
		td_wbuf_str(&b, err.message);
		send_frame(&b);
		td_wbuf_free(&b);
		return 69;
	}
	loaded_at = mono_ms();
	start_watchdog();
	while (read_all(helper_in, &req, 1) == 0) {
		int rc = 0;
		atomic_store(&busy_since, mono_ms());
		/* Started ahead of need (td_tokens_open): a module that fixes its
		 * token list at C_Initialize is loaded afresh for the first
		 * request that comes well after that, to see tokens plugged in
		 * meanwhile.  Later requests follow the reload policy. */
		if (!served++ && mono_ms() - loaded_at > 100)
			for (size_t i = 0; i < t->nmods; i++) {
				t->mods[i].fresh = 0;
				t->mods[i].reload_due = 1;
			}
		if (req == TD_REQ_SCAN)
			rc = helper_scan(t, &prev, &b);
		else if (req == TD_REQ_USB)
			td_tokens_usb_changed(t);
		else if (req == TD_REQ_PROVE || req == TD_REQ_SIGN)
			rc = helper_call(t, req, &b);
		atomic_store(&busy_since, 0);
		if (rc != 0)
			break;
	}
	td_snap_free(prev);
	td_wbuf_free(&b);
	td_tokens_close(t);
	return 0;
}

/* The helper's messages (a module that cannot be loaded, a token whose
 * objects cannot be read) are made here and shown by the desk as they
 * come: in the operator's language, from the catalogue the desk uses
 * (argv[4]; LANGUAGE comes with the environment). */
static void helper_lang(const char *catalogue)
{
#if ENABLE_NLS
	if (!catalogue || !*catalogue)
		return;
	/* as the desk does (td_cli_locale_init): a locale not installed
	 * keeps C.UTF-8, the language coming through LANGUAGE */
	if (!setlocale(LC_MESSAGES, ""))
		setlocale(LC_MESSAGES, "C.UTF-8");
	if (!setlocale(LC_CTYPE, ""))
		setlocale(LC_CTYPE, "C.UTF-8");
	bindtextdomain(PACKAGE, catalogue);
	bind_textdomain_codeset(PACKAGE, "UTF-8");
	textdomain(PACKAGE);
#else
	(void)catalogue;
#endif
}

int td_p11_helper_main(int argc, char **argv)
{
	if (argc != 4 && argc != 5) {
		fprintf(stderr, "tokendesk-p11: run by tokendesk, not by hand\n");
		return 64;
	}
	helper_lang(argc == 5 ? argv[4] : NULL);
	return helper_serve(argv[1], atoi(argv[2]), (enum td_reload_policy)atoi(argv[3]));
}

/* ---- the parent's side ------------------------------------------------- */

void td_module_name(const struct td_tokens *t, const char *path, char *buf,
                    size_t size)
{
	const char *base = strrchr(path, '/');
	char stem[128];

	base = base ? base + 1 : path;
	snprintf(stem, sizeof stem, "%s", base);
	stem[strcspn(stem, ".")] = '\0';   /* libeTPkcs11.so -> libeTPkcs11 */
	/* A vendor's name only when the module is that vendor's alone:
	 * OpenSC's serves Feitian and YubiKey alike, and naming one of them
	 * would send the operator to the wrong token. */
	const char *vendor = NULL;
	for (size_t i = 0; stem[0] && i < t->nmodels; i++) {
		if (!t->models[i].module || !strcasestr(t->models[i].module, stem))
			continue;
		if (vendor && strcmp(vendor, t->models[i].vendor) != 0) {
			vendor = NULL;
			break;
		}
		vendor = t->models[i].vendor;
	}
	snprintf(buf, size, "%s", vendor ? vendor : base);
}

/* Between fork and exec only async-signal-safe calls: the fds are moved
 * to 0 (requests), 1 (answers) and 3 (the module), stderr to /dev/null
 * unless $TOKENDESK_HELPER_STDERR is set (a module's chatter would draw
 * over the desk). */
static void child(int req, int ans, int modfd, int quiet, const char *prog,
                  char *const argv[])
{
	int a = fcntl(req, F_DUPFD_CLOEXEC, 10), b = fcntl(ans, F_DUPFD_CLOEXEC, 10),
	    c = fcntl(modfd, F_DUPFD_CLOEXEC, 10);

	if (a < 0 || b < 0 || c < 0 || dup2(a, 0) < 0 || dup2(b, 1) < 0 ||
	    dup2(c, 3) < 0)
		_exit(127);
	if (quiet) {
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (null >= 0)
			dup2(null, 2);
	}
	/* The helper must not outlive the desk (kill -9 included), and the
	 * terminal's Ctrl-C, Ctrl-\ and Ctrl-Z are the desk's: its own
	 * process group keeps them from reaching the module. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	setpgid(0, 0);
	execv(prog, argv);
	_exit(127);
}

/* A forked helper (no exec): the module's fd is inherited as it is;
 * it serves on the pipes and leaves with _exit, running no handler of
 * the parent's. */
static void forked_child(const struct td_tokens *t, const struct td_module *m,
                         int req, int ans, int quiet)
{
	int null, fd = dup(m->fd);   /* the copy td_tokens_close will not close */

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	setpgid(0, 0);
	if (quiet && (null = open("/dev/null", O_WRONLY | O_CLOEXEC)) >= 0)
		dup2(null, 2);
	helper_in = req;
	helper_out = ans;
	_exit(fd < 0 ? 69 : helper_serve(m->path, fd, t->reload));
}

struct td_helper *td_helper_spawn(const struct td_tokens *t,
                                  const struct td_module *m,
                                  struct td_error *err)
{
	struct td_helper *h = calloc(1, sizeof *h);
	char prog[PATH_MAX + 32], reload[16], name[128];
	char catalogue[PATH_MAX] = "";
	char *argv[] = { "tokendesk-p11", m->path, "3", reload, catalogue, NULL };
	int req[2] = { -1, -1 }, ans[2] = { -1, -1 };
	int quiet = !getenv("TOKENDESK_HELPER_STDERR");

	if (!h || !(h->module = strdup(m->path))) {
		free(h);
		td_error_set(err, TD_ERR_NOMEM, "out of memory");
		return NULL;
	}
	td_module_name(t, m->path, name, sizeof name);
	h->name = strdup(name);
	h->to = h->from = -1;
	snprintf(reload, sizeof reload, "%d", (int)t->reload);
#if ENABLE_NLS
	/* where this process reads its messages (NULL: ask, not bind) */
	snprintf(catalogue, sizeof catalogue, "%s",
	         bindtextdomain(PACKAGE, NULL) ? bindtextdomain(PACKAGE, NULL) : "");
#endif
	td_libexec_path("tokendesk-p11", prog, sizeof prog);
	if (getenv("TOKENDESK_P11_HELPER"))
		snprintf(prog, sizeof prog, "%s", getenv("TOKENDESK_P11_HELPER"));
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, req) != 0 ||
	    pipe2(ans, O_CLOEXEC) != 0) {
		td_error_set(err, TD_ERR_IO, "cannot create a pipe: %s", strerror(errno));
		goto fail;
	}
	h->pid = fork();
	if (h->pid < 0) {
		td_error_set(err, TD_ERR_IO, "cannot start the module helper: %s",
		             strerror(errno));
		goto fail;
	}
	if (h->pid == 0 && t->fork_helpers) {
		close(req[1]);
		close(ans[0]);
		forked_child(t, m, req[0], ans[1], quiet);
	}
	if (h->pid == 0)
		child(req[0], ans[1], m->fd, quiet, prog, argv);
	close(req[0]);
	close(ans[1]);
	h->to = req[1];
	h->from = ans[0];
	fcntl(h->from, F_SETFL, O_NONBLOCK);
	return h;
fail:
	for (int i = 0; i < 2; i++) {
		if (req[i] >= 0) close(req[i]);
		if (ans[i] >= 0) close(ans[i]);
	}
	free(h->module);
	free(h->name);
	free(h);
	return NULL;
}

static void free_list(struct td_snap_token **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		td_snap_token_unref(v[i]);
	free(v);
}

static void reap(struct td_helper *h, int kill_it)
{
	int st = 0;

	if (h->pid <= 0)
		return;
	/* A helper stuck inside its module never reads the closed pipe. */
	if (kill_it)
		kill(h->pid, SIGKILL);
	while (waitpid(h->pid, &st, 0) < 0 && errno == EINTR)
		;
	h->status = st;
	h->pid = 0;
}

void td_helper_free(struct td_helper *h)
{
	if (!h)
		return;
	if (h->to >= 0) close(h->to);
	if (h->from >= 0) close(h->from);
	reap(h, 1);
	td_wbuf_free(&h->in);
	free_list(h->building, h->nbuilding);
	free_list(h->latest, h->nlatest);
	free(h->warnings);
	free(h->fail);
	free(h->module);
	free(h->name);
	free(h);
}

int td_helper_ask(struct td_helper *h, char req)
{
	if (h->dead)
		return -1;
	/* The helper ignores nothing we send: a full pipe means it is stuck
	 * and already has work queued, so blocking here never happens in
	 * practice (requests are one byte, sent one at a time). */
	return send_all(h->to, &req, 1);
}

static void mark_dead(struct td_helper *h)
{
	h->dead = 1;
	reap(h, 0);
}

/* Hand each whole frame in h->in to fn; keep the rest. */
static int split_frames(struct td_helper *h, td_frame_fn fn, void *ctx)
{
	size_t off = 0;

	while (h->in.n - off >= 5) {
		uint32_t len;
		struct td_rd r;
		memcpy(&len, h->in.p + off, sizeof len);
		if (len < 1 || len > TD_FRAME_MAX)
			return -1;
		if (h->in.n - off - 4 < len)
			break;
		r = (struct td_rd){ h->in.p + off + 5, len - 1, 0, 0 };
		fn(h, (char)h->in.p[off + 4], &r, ctx);
		off += 4 + len;
	}
	if (off > 0) {   /* none taken: the buffer may not even exist yet */
		memmove(h->in.p, h->in.p + off, h->in.n - off);
		h->in.n -= off;
	}
	return 0;
}

int td_helper_pump(struct td_helper *h, int timeout_ms, td_frame_fn fn,
                   void *ctx)
{
	unsigned char buf[65536];
	struct pollfd p = { h->from, POLLIN, 0 };

	if (h->dead)
		return -1;
	if (timeout_ms != 0 && poll(&p, 1, timeout_ms) <= 0)
		return 0;
	for (;;) {
		ssize_t n = read(h->from, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) {
			split_frames(h, fn, ctx);
			mark_dead(h);
			return -1;
		}
		if (td_wbuf_put(&h->in, buf, (size_t)n) != 0 ||
		    split_frames(h, fn, ctx) != 0) {
			kill(h->pid, SIGKILL);
			mark_dead(h);
			return -1;
		}
	}
	return 0;
}

#define TR(s) td_error_translate(s)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
/* In the operator's language: the desk shows it on its status line. */
void td_helper_death(const struct td_helper *h, char *buf, size_t size)
{
	if (h->fail)
		snprintf(buf, size, TR(N_("the %s module cannot be loaded: %s")), h->name,
		         h->fail);
	else if (WIFEXITED(h->status) && WEXITSTATUS(h->status) == HELPER_HUNG)
		snprintf(buf, size, TR(N_("the %s module hung (libp11 waits for a session "
		         "that cannot be opened: a token pulled out while read)")), h->name);
	else if (WIFSIGNALED(h->status))
		snprintf(buf, size, TR(N_("the %s module stopped (signal %d)")), h->name,
		         WTERMSIG(h->status));
	else
		snprintf(buf, size, TR(N_("the %s module stopped (exit %d)")), h->name,
		         WIFEXITED(h->status) ? WEXITSTATUS(h->status) : -1);
}
#pragma GCC diagnostic pop

/* ---- synchronous use: scan and prove ----------------------------------- */

struct sync_scan {
	td_scan_token_fn fn;
	void *ctx;
	struct td_snap *s;
	int done, oom;
};

static void on_sync_frame(struct td_helper *h, char kind, struct td_rd *r,
                          void *ctx)
{
	struct sync_scan *ss = ctx;
	struct td_snap_token *tok, **v;
	char *w;

	if (kind == TD_ANS_FAIL) {
		free(h->fail);
		h->fail = td_rd_str(r);
	} else if (kind == TD_ANS_TOKEN && (tok = td_wire_get_token(r, h->module))) {
		if (!(v = realloc(ss->s->tokens, (ss->s->ntokens + 1) * sizeof *v))) {
			td_snap_token_unref(tok);
			ss->oom = 1;
			return;
		}
		ss->s->tokens = v;
		v[ss->s->ntokens++] = tok;
		if (ss->fn)
			ss->fn(tok, ss->ctx);
	} else if (kind == TD_ANS_END) {
		if ((w = td_rd_str(r)) && *w)
			td_snap_add_warning(ss->s, w);
		free(w);
		ss->done = 1;
	}
}

/* Wait until *done for what helper h (module i) answers, each frame to
 * fn: 0 when done or the helper went away, -1 when the wait hook
 * (td_tokens_set_wait) gave up: the helper, perhaps stuck in the
 * module, is stopped (started again at the next use). */
static int wait_answer(struct td_tokens *t, size_t i, struct td_helper *h,
                       td_frame_fn fn, void *ctx, const int *done)
{
	long long start = mono_ms();

	while (!*done) {
		int step = t->wait_fn ? 100 : -1;
		if (td_helper_pump(h, step, fn, ctx) != 0)
			return 0;
		if (!*done && t->wait_fn &&
		    t->wait_fn(t->wait_ctx, (int)(mono_ms() - start)) != 0) {
			td_helper_free(h);
			t->helpers[i] = NULL;
			return -1;
		}
	}
	return 0;
}

static struct td_helper *module_helper(struct td_tokens *t, size_t i,
                                       struct td_error *err)
{
	if (t->helpers[i] && t->helpers[i]->dead) {
		td_helper_free(t->helpers[i]);
		t->helpers[i] = NULL;
	}
	if (!t->helpers[i])
		t->helpers[i] = td_helper_spawn(t, &t->mods[i], err);
	return t->helpers[i];
}

int td_remote_scan(struct td_tokens *t, int list_usb, td_scan_token_fn fn,
                   void *ctx, struct td_snap **out, struct td_error *err)
{
	struct sync_scan ss = { fn, ctx, calloc(1, sizeof *ss.s), 0, 0 };
	char why[400];

	*out = NULL;
	if (!ss.s)
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < t->nmods; i++) {
		struct td_helper *h = module_helper(t, i, err);
		if (!h) {
			td_snap_free(ss.s);
			return err->code;
		}
		ss.done = 0;
		if (td_helper_ask(h, TD_REQ_SCAN) != 0)
			td_helper_pump(h, 0, on_sync_frame, &ss);
		else if (wait_answer(t, i, h, on_sync_frame, &ss, &ss.done) < 0) {
			td_snap_add_warning(ss.s, "abandoned while the token's module did"
			                    " not answer");
			continue;
		}
		if (!ss.done) {
			/* It went away: its tokens are not known this time. */
			td_helper_death(h, why, sizeof why);
			td_snap_add_warning(ss.s, why);
		}
	}
	if (ss.oom) {
		td_snap_free(ss.s);
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	}
	if (list_usb)
		td_usb_fill_snapshot(t, ss.s);
	*out = ss.s;
	return 0;
}

struct sync_call {
	struct td_pop_result *res;
	struct td_error *err;
	unsigned char **der;
	size_t *der_len;
	int rc, done;
};

static void on_call_frame(struct td_helper *h, char kind, struct td_rd *r,
                          void *ctx)
{
	struct sync_call *sc = ctx;
	const unsigned char *der;
	size_t len;

	if (kind == TD_ANS_FAIL) {
		free(h->fail);
		h->fail = td_rd_str(r);
	} else if (kind == TD_ANS_RESULT) {
		sc->rc = td_wire_get_pop(r, sc->err, sc->res);
		if (td_rd_blob(r, &der, &len) == 0 && len && sc->der &&
		    (*sc->der = malloc(len))) {
			memcpy(*sc->der, der, len);
			*sc->der_len = len;
		}
		sc->done = 1;
	}
}

void td_tokens_set_wait(struct td_tokens *t, td_tokens_wait_fn fn, void *ctx)
{
	t->wait_fn = fn;
	t->wait_ctx = ctx;
}

/* Send request req with its frame b and the PIN to module i's helper and
 * wait for the answer.  1: an answer is in sc; 0: the helper went away
 * (err says so). */
static int call_helper(struct td_tokens *t, size_t i, char req,
                       const struct td_wbuf *b, const struct td_secbuf *pin,
                       struct sync_call *sc, struct td_error *err)
{
	uint32_t pinlen = pin ? (uint32_t)pin->len : 0, len = (uint32_t)b->n;
	struct td_helper *h = module_helper(t, i, err);
	char why[400];
	int sent;

	if (!h)
		return 0;
	sent = td_helper_ask(h, req) == 0 && send_all(h->to, &len, 4) == 0 &&
	       send_all(h->to, b->p, b->n) == 0 && send_all(h->to, &pinlen, 4) == 0 &&
	       (!pinlen || send_all(h->to, pin->data, pinlen) == 0);
	if (sent && wait_answer(t, i, h, on_call_frame, sc, &sc->done) < 0)
		return td_error_set(err, TD_ERR_CANCELLED, "abandoned while the token's"
		                    " module did not answer; nothing was done"), 0;
	if (sc->done)
		return 1;
	td_helper_pump(h, 0, on_call_frame, sc);
	td_helper_death(h, why, sizeof why);
	td_error_set(err, TD_ERR_TOKEN, "%s; nothing was done", why);
	return 0;
}

/* Each module in turn (only module when named) until one knows the
 * token: a helper answers "not found" for tokens of other modules. */
static int call_modules(struct td_tokens *t, const char *serial, const char *module,
                        char req, const struct td_wbuf *b,
                        const struct td_secbuf *pin, struct sync_call *sc)
{
	for (size_t i = 0; i < t->nmods; i++) {
		if (module && strcmp(module, t->mods[i].path) != 0)
			continue;
		sc->done = 0;
		sc->rc = 0;
		td_error_clear(sc->err);
		if (!call_helper(t, i, req, b, pin, sc, sc->err))
			return sc->err->code;
		if (sc->rc == TD_ERR_NOTFOUND && !module && i + 1 < t->nmods)
			continue;
		return sc->rc;
	}
	return td_error_set(sc->err, TD_ERR_NOTFOUND, "no token with serial %s", serial);
}

int td_remote_prove(struct td_tokens *t, const char *serial, const char *module,
                    const char *cert_serial, const struct td_secbuf *pin,
                    int force, struct td_pop_result *res, struct td_error *err)
{
	struct td_error local = { 0 };
	struct sync_call sc = { res, err ? err : &local, NULL, NULL, 0, 0 };
	struct td_wbuf b = { 0 };
	int rc;

	memset(res, 0, sizeof *res);
	res->tries_left = -1;
	td_wbuf_str(&b, serial);
	td_wbuf_str(&b, cert_serial);
	td_wbuf_u32(&b, (uint32_t)force);
	rc = b.oom ? td_error_set(err, TD_ERR_NOMEM, "out of memory")
	           : call_modules(t, serial, module, TD_REQ_PROVE, &b, pin, &sc);
	td_wbuf_free(&b);
	return rc;
}

int td_remote_sign(struct td_tokens *t, const char *serial, const char *cert_serial,
                   const struct td_secbuf *pin, int force,
                   const unsigned char *data, size_t len, int detached,
                   unsigned char **der, size_t *der_len,
                   struct td_pop_result *res, struct td_error *err)
{
	struct td_error local = { 0 };
	struct sync_call sc = { res, err ? err : &local, der, der_len, 0, 0 };
	struct td_wbuf b = { 0 };
	int rc;

	memset(res, 0, sizeof *res);
	res->tries_left = -1;
	*der = NULL;
	*der_len = 0;
	td_wbuf_str(&b, serial);
	td_wbuf_str(&b, cert_serial);
	td_wbuf_u32(&b, (uint32_t)force);
	td_wbuf_u32(&b, (uint32_t)detached);
	td_wbuf_blob(&b, data, len);
	rc = b.oom ? td_error_set(err, TD_ERR_NOMEM, "out of memory")
	     : b.n > TD_FRAME_MAX ? td_error_set(err, TD_ERR_DATA, "too much to sign at once")
	     : call_modules(t, serial, NULL, TD_REQ_SIGN, &b, pin, &sc);
	td_wbuf_free(&b);
	if (rc != 0 || res->outcome != TD_POP_MATCH) {
		free(*der);
		*der = NULL;
		*der_len = 0;
	}
	return rc;
}
