/* watch.c: tokens inserted and removed while tokendesk runs.
 *
 * Modules differ: some show a new token at the next C_GetSlotList, some
 * (SoftHSM2) only after an unload + load, and C_WaitForSlotEvent is
 * unsupported or non-blocking in practice.  So presence is found by
 * rescanning, which is cheap (about 1 ms on SoftHSM2 including a reload),
 * every poll_ms and at once when libusb reports a USB arrival or
 * departure.  A USB event also makes every module reload for a few
 * rescans, because middleware (pcscd, vendor daemons) may need a moment
 * before the module can see the new token.
 *
 * In process, all PKCS#11 work happens in td_watch_process(), in the
 * caller's thread; the helper thread only sleeps, waits on libusb, and
 * writes a byte to the pipe.  That keeps libp11 single-threaded and lets
 * the desk's one poll() loop wait on keys, token events and timers alike.
 *
 * Out of process (t->remote, remote.h), each module is scanned by its
 * own helper process: td_watch_process only asks for a scan when the
 * last one is answered and reads what has arrived, never waiting, so a
 * module that takes 10 s per call delays nothing but its own tokens.
 * td_watch_fd() is then an epoll descriptor over the tick pipe and every
 * helper's answers.  A helper that goes away (its module aborted) is
 * reported (TD_EV_MODULE_STOPPED), its tokens removed, and it is started
 * again. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "internal.h"
#include "remote.h"

#define RELOADS_AFTER_USB TD_RELOADS_AFTER_USB
/* A helper that went away is started again after this long (a module
 * that aborts at every load costs one start a second, no more). */
#define RESPAWN_MS 1000
/* A token read half is held at least this long, and until a second read
 * (hold_half_read): pcscd polls a reader every 400 ms, and until it
 * sees the card gone, OpenSC can show the half-read token at every read
 * (the watcher reads every poll_ms, 20 ms at the least). */
#define HOLD_MS 500

struct usb_change {
	int arrived;
	struct td_usb_seen dev;
};

struct pending {
	struct td_usb_seen dev;
	long long deadline_ms;
};

struct td_watch {
	struct td_tokens *t;
	int poll_ms, grace_ms;
	int wake_rd, wake_wr;      /* readable end is td_watch_fd() */
	int stop_rd, stop_wr;      /* wakes the thread when there is no libusb */
	pthread_t thread;
	int thread_started;
	pthread_mutex_t lock;      /* guards everything below up to 'cur' */
	int stop;
	struct td_usb_hotplug *usb;
	struct td_usb_seen *devs;  /* devices on the bus now */
	size_t ndevs;
	struct usb_change *changes;/* not yet seen by td_watch_process */
	size_t nchanges;
	struct td_snap *cur;       /* caller's thread only from here on */
	int first;
	struct pending *pend;
	size_t npend;
	/* out of process only */
	int epfd;
	struct td_helper **helpers;     /* one per module, NULL while down */
	long long *respawn_at, *asked_at;
	struct stopped *stopped;        /* helpers gone since the last round */
	size_t nstopped;
	/* Tokens read half, held (see hold_half_read) */
	struct hold *holds;
	size_t nholds;
	long long rounds;               /* in-process scans done */
};

struct hold {
	char key[400];                  /* td_snap_token_key */
	long long read;                 /* read_number() when first seen */
	long long since_ms;             /* ... and when */
	int seen;                       /* renewed, and held, this round */
};

struct stopped {
	const char *module;             /* owned by t */
	char name[128], message[400];
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void wake(int fd)
{
	/* Non-blocking: a full pipe already means "process me". */
	(void)!write(fd, "x", 1);
}

/* ---- the helper thread ------------------------------------------------- */

static int devs_remove(struct td_watch *w, const struct td_usb_seen *d)
{
	for (size_t i = 0; i < w->ndevs; i++)
		if (w->devs[i].bus == d->bus && w->devs[i].addr == d->addr) {
			w->devs[i] = w->devs[--w->ndevs];
			return 1;
		}
	return 0;
}

/* Runs in whichever thread handles libusb events (see usb.c). */
static void on_usb(void *ctx, int arrived, const struct td_usb_seen *d)
{
	struct td_watch *w = ctx;
	struct usb_change *c;
	struct td_usb_seen *v;

	pthread_mutex_lock(&w->lock);
	if (arrived && (v = realloc(w->devs, (w->ndevs + 1) * sizeof *v))) {
		w->devs = v;
		v[w->ndevs++] = *d;
	} else if (!arrived) {
		devs_remove(w, d);
	}
	if ((c = realloc(w->changes, (w->nchanges + 1) * sizeof *c))) {
		w->changes = c;
		c[w->nchanges].arrived = arrived;
		c[w->nchanges++].dev = *d;
	}
	pthread_mutex_unlock(&w->lock);
	wake(w->wake_wr);
}

static int stopping(struct td_watch *w)
{
	int s;

	pthread_mutex_lock(&w->lock);
	s = w->stop;
	pthread_mutex_unlock(&w->lock);
	return s;
}

static void *thread_main(void *arg)
{
	struct td_watch *w = arg;
	long long next = now_ms() + w->poll_ms;

	while (!stopping(w)) {
		long long left = next - now_ms();
		if (left > 0 && w->usb) {
			td_usb_hotplug_wait(w->usb, (int)left);
		} else if (left > 0) {
			struct pollfd p = { w->stop_rd, POLLIN, 0 };
			poll(&p, 1, (int)left);
		}
		if (now_ms() >= next) {
			wake(w->wake_wr);
			next = now_ms() + w->poll_ms;
		}
	}
	return NULL;
}

/* ---- setup ------------------------------------------------------------- */

static int make_pipe(int *rd, int *wr)
{
	int fds[2];

	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0)
		return -1;
	*rd = fds[0];
	*wr = fds[1];
	return 0;
}

static void watch_opts(struct td_watch *w, const struct td_watch_opts *o)
{
	w->poll_ms = o && o->poll_ms > 0 ? o->poll_ms : 250;
	if (w->poll_ms < 20)
		w->poll_ms = 20;
	if (w->poll_ms > 500)
		w->poll_ms = 500;
	w->grace_ms = o && o->usb_grace_ms > 0 ? o->usb_grace_ms : 2000;
}

/* The thread blocks every signal, so that SIGINT and friends reach the
 * caller's thread and interrupt its poll(), as a single-threaded program
 * would expect. */
static int start_thread(struct td_watch *w)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&w->thread, NULL, thread_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	w->thread_started = rc == 0;
	return rc;
}

static int epoll_add(int epfd, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN };

	ev.data.fd = fd;
	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

static int remote_setup(struct td_watch *w)
{
	size_t n = w->t->nmods;

	w->helpers = calloc(n, sizeof *w->helpers);
	w->respawn_at = calloc(n, sizeof *w->respawn_at);
	w->asked_at = calloc(n, sizeof *w->asked_at);
	if (!w->helpers || !w->respawn_at || !w->asked_at) {
		errno = ENOMEM;
		return -1;
	}
	if ((w->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return -1;
	return epoll_add(w->epfd, w->wake_rd);
}

struct td_watch *td_watch_new(struct td_tokens *t, const struct td_watch_opts *o,
                              struct td_error *err)
{
	struct td_watch *w = calloc(1, sizeof *w);

	if (!w) {
		td_error_set(err, TD_ERR_NOMEM, "out of memory");
		return NULL;
	}
	w->t = t;
	w->first = 1;
	w->wake_rd = w->wake_wr = w->stop_rd = w->stop_wr = w->epfd = -1;
	watch_opts(w, o);
	pthread_mutex_init(&w->lock, NULL);
	if (make_pipe(&w->wake_rd, &w->wake_wr) != 0 ||
	    make_pipe(&w->stop_rd, &w->stop_wr) != 0) {
		td_error_set(err, TD_ERR_IO, "cannot create a pipe: %s", strerror(errno));
		td_watch_free(w);
		return NULL;
	}
	if (t->remote && remote_setup(w) != 0) {
		td_error_set(err, TD_ERR_IO, "cannot watch the module helpers: %s",
		             strerror(errno));
		td_watch_free(w);
		return NULL;
	}
	/* Devices present now arrive through on_usb (ENUMERATE) right here. */
	if (o && o->use_usb != 0 && !t->no_usb)
		w->usb = td_usb_hotplug_start(on_usb, w);
	if (start_thread(w) != 0) {
		td_error_set(err, TD_ERR_INTERNAL, "cannot start the watcher thread");
		td_watch_free(w);
		return NULL;
	}
	wake(w->wake_wr);  /* the first process reports what is present */
	return w;
}

int td_watch_fd(const struct td_watch *w)
{
	return w->epfd >= 0 ? w->epfd : w->wake_rd;
}

const struct td_snap *td_watch_snapshot(const struct td_watch *w)
{
	return w->cur;
}

int td_watch_usb_active(const struct td_watch *w)
{
	return w->usb != NULL;
}

void td_watch_free(struct td_watch *w)
{
	if (!w)
		return;
	if (w->thread_started) {
		pthread_mutex_lock(&w->lock);
		w->stop = 1;
		pthread_mutex_unlock(&w->lock);
		if (w->usb)
			td_usb_hotplug_interrupt(w->usb);
		wake(w->stop_wr);
		pthread_join(w->thread, NULL);
	}
	td_usb_hotplug_stop(w->usb);
	for (size_t i = 0; w->helpers && i < w->t->nmods; i++)
		td_helper_free(w->helpers[i]);
	free(w->helpers);
	free(w->respawn_at);
	free(w->asked_at);
	free(w->stopped);
	free(w->holds);
	if (w->epfd >= 0) close(w->epfd);
	if (w->wake_rd >= 0) close(w->wake_rd);
	if (w->wake_wr >= 0) close(w->wake_wr);
	if (w->stop_rd >= 0) close(w->stop_rd);
	if (w->stop_wr >= 0) close(w->stop_wr);
	pthread_mutex_destroy(&w->lock);
	free(w->devs);
	free(w->changes);
	free(w->pend);
	td_snap_free(w->cur);
	free(w);
}

/* ---- one round: rescan, compare, report -------------------------------- */

struct ev_item {
	struct td_watch_event ev;
	struct td_usb_dev usb;  /* copy, so a device that left can be shown */
	size_t stopped;         /* TD_EV_MODULE_STOPPED: index in w->stopped */
};

struct ev_list {
	struct ev_item *v;
	size_t n;
	int oom;
};

static void ev_add(struct ev_list *l, enum td_watch_kind kind,
                   const struct td_snap_token *t, const struct td_usb_dev *u,
                   int initial)
{
	struct ev_item *v = realloc(l->v, (l->n + 1) * sizeof *v);

	if (!v) {
		l->oom = 1;
		return;
	}
	l->v = v;
	memset(&v[l->n], 0, sizeof *v);
	v[l->n].ev.kind = kind;
	v[l->n].ev.token = t;
	v[l->n].ev.initial = initial;
	if (u)
		v[l->n].usb = *u;
	l->n++;
}

static const struct td_snap_token *snap_lookup(const struct td_snap *s,
                                               const struct td_snap_token *t)
{
	return s ? td_snap_find(s, t->serial, t->module) : NULL;
}

static int certs_differ(const struct td_snap_token *a, const struct td_snap_token *b)
{
	if (a->ncerts != b->ncerts)
		return 1;
	for (size_t i = 0; i < a->ncerts; i++)
		if (strcmp(a->certs[i].fingerprint, b->certs[i].fingerprint) != 0 ||
		    a->certs[i].malformed != b->certs[i].malformed)
			return 1;
	return 0;
}

static int token_changed(const struct td_snap_token *a, const struct td_snap_token *b)
{
	return a != b && (a->flags != b->flags || strcmp(a->label, b->label) != 0 ||
	                  certs_differ(a, b));
}

/* Out of process, a token is "present when watching began" when it
 * comes in its helper's first scan (also a restarted helper's: the token
 * was there before the module stopped). */
static int initial_of(const struct td_watch *w, const struct td_snap_token *t,
                      int first)
{
	for (size_t i = 0; w && w->helpers && i < w->t->nmods; i++)
		if (w->helpers[i] && strcmp(w->t->mods[i].path, t->module) == 0)
			return w->helpers[i]->scans <= 1;
	return first;
}

/* ---- a token read half ------------------------------------------------ */

/* A card pulled while the module reads it can come back as the same
 * token without its certificates (OpenSC: one poll, right before the
 * removal), or, pulled as it goes in, as a new token with none.  Shown,
 * that is a false mismatch ("other-certificate") for a moment, so such a
 * token is held, as it was or not yet there, until a second read of its
 * module, HOLD_MS or more later, shows the same: then it is real and
 * reported; a removal or the whole token end the hold.  A gain (a
 * certificate written) is reported at once, and a token present when
 * watching began is never held. */

static int lost_certs(const struct td_snap_token *old, const struct td_snap_token *now)
{
	for (size_t i = 0; i < old->ncerts; i++) {
		size_t j = 0;
		while (j < now->ncerts &&
		       strcmp(old->certs[i].fingerprint, now->certs[j].fingerprint) != 0)
			j++;
		if (j == now->ncerts)
			return 1;
	}
	return 0;
}

/* Which read of the token's module this snapshot comes from: its
 * helper's scans out of process, the watcher's rounds in process. */
static long long read_number(const struct td_watch *w, const char *module)
{
	for (size_t i = 0; w->helpers && i < w->t->nmods; i++)
		if (w->helpers[i] && strcmp(w->t->mods[i].path, module) == 0)
			return (long long)w->helpers[i]->scans;
	return w->rounds;
}

static struct hold *hold_find(struct td_watch *w, const char *key)
{
	for (size_t i = 0; i < w->nholds; i++)
		if (strcmp(w->holds[i].key, key) == 0)
			return &w->holds[i];
	return NULL;
}

/* 1: hold the token this round; 0: the second read agrees (or memory is
 * short: then it is shown as read). */
static int hold_one(struct td_watch *w, const struct td_snap_token *tok)
{
	char key[400];
	long long rd = read_number(w, tok->module);
	struct hold *h = hold_find(w, td_snap_token_key(tok, key, sizeof key));

	if (h)   /* no new read yet, or too soon for pcscd to have seen a
		  * card go: hold on */
		return h->seen = h->read == rd || now_ms() - h->since_ms < HOLD_MS;
	if (!(h = realloc(w->holds, (w->nholds + 1) * sizeof *h)))
		return 0;
	w->holds = h;
	h += w->nholds++;
	snprintf(h->key, sizeof h->key, "%s", key);
	h->read = rd;
	h->since_ms = now_ms();
	return h->seen = 1;
}

/* Whether tok, as read now, is to be held (see above). */
static int suspect(const struct td_watch *w, const struct td_snap_token *p,
                   const struct td_snap_token *tok)
{
	if (p)
		return p != tok && lost_certs(p, tok);
	return tok->ncerts == 0 && !initial_of(w, tok, w->first);
}

static void hold_half_read(struct td_watch *w, const struct td_snap *old,
                           struct td_snap *next)
{
	size_t keep = 0, n = 0;

	for (size_t i = 0; i < w->nholds; i++)
		w->holds[i].seen = 0;
	for (size_t i = 0; i < next->ntokens; i++) {
		struct td_snap_token *tok = next->tokens[i];
		const struct td_snap_token *p = snap_lookup(old, tok);
		if (!suspect(w, p, tok) || !hold_one(w, tok)) {
			next->tokens[n++] = tok;
			continue;
		}
		/* as it was; a new one not yet */
		td_snap_token_unref(tok);
		if (p)
			next->tokens[n++] = td_snap_token_ref((struct td_snap_token *)p);
	}
	next->ntokens = n;
	/* A hold not renewed: the token went, came back whole, or what it
	 * showed was confirmed and is reported now. */
	for (size_t i = 0; i < w->nholds; i++)
		if (w->holds[i].seen)
			w->holds[keep++] = w->holds[i];
	w->nholds = keep;
}

static void diff_tokens(const struct td_watch *w, const struct td_snap *old,
                        const struct td_snap *cur, int first, struct ev_list *l)
{
	for (size_t i = 0; old && i < old->ntokens; i++)
		if (!snap_lookup(cur, old->tokens[i]))
			ev_add(l, TD_EV_REMOVED, old->tokens[i], NULL, 0);
	for (size_t i = 0; i < cur->ntokens; i++) {
		const struct td_snap_token *p = snap_lookup(old, cur->tokens[i]);
		if (!p)
			ev_add(l, TD_EV_INSERTED, cur->tokens[i], NULL,
			       initial_of(w, cur->tokens[i], first));
		else if (token_changed(p, cur->tokens[i]))
			ev_add(l, TD_EV_CHANGED, cur->tokens[i], NULL, 0);
	}
}

static const struct td_usb_dev *snap_usb(const struct td_snap *s,
                                         const struct td_usb_seen *d)
{
	for (size_t i = 0; i < s->nusb; i++)
		if (s->usb[i].bus == d->bus && s->usb[i].addr == d->addr &&
		    s->usb[i].vid == d->vid && s->usb[i].pid == d->pid)
			return &s->usb[i];
	return NULL;
}

static void add_pending(struct td_watch *w, const struct td_usb_seen *d,
                        long long deadline)
{
	struct pending *p = realloc(w->pend, (w->npend + 1) * sizeof *p);

	if (!p)
		return;
	w->pend = p;
	p[w->npend].dev = *d;
	p[w->npend++].deadline_ms = deadline;
}

/* USB arrivals/departures of known families, since the last round. */
static void usb_events(struct td_watch *w, const struct usb_change *c,
                       size_t n, const struct td_snap *cur, struct ev_list *l)
{
	for (size_t i = 0; i < n; i++) {
		const struct td_usb_model *m =
			td_usb_lookup(w->t->models, w->t->nmodels, c[i].dev.vid, c[i].dev.pid);
		struct td_usb_dev u = { c[i].dev.vid, c[i].dev.pid, c[i].dev.bus,
		                        c[i].dev.addr, m, 0 };
		const struct td_usb_dev *now = snap_usb(cur, &c[i].dev);
		if (!m)
			continue;
		ev_add(l, c[i].arrived ? TD_EV_USB_ARRIVED : TD_EV_USB_LEFT,
		       NULL, c[i].arrived && now ? now : &u, w->first);
		if (c[i].arrived)
			add_pending(w, &c[i].dev,
			            now_ms() + (w->first ? 0 : w->grace_ms));
	}
}

/* Devices whose grace period is over and that no module shows yet. */
static void no_driver_events(struct td_watch *w, const struct td_snap *cur,
                             struct ev_list *l)
{
	long long now = now_ms();
	size_t keep = 0;

	for (size_t i = 0; i < w->npend; i++) {
		const struct td_usb_dev *u = snap_usb(cur, &w->pend[i].dev);
		if (u && now < w->pend[i].deadline_ms) {
			w->pend[keep++] = w->pend[i];
			continue;
		}
		if (u && u->no_driver)
			ev_add(l, TD_EV_USB_NO_DRIVER, NULL, u, 0);
	}
	w->npend = keep;
}

static void drain(int fd)
{
	char buf[64];

	while (read(fd, buf, sizeof buf) > 0)
		;
}

/* Take the hot-plug changes and the device list from the thread. */
static int take_usb(struct td_watch *w, struct usb_change **changes,
                    size_t *nchanges, struct td_usb_seen **devs, size_t *ndevs)
{
	int rc = 0;

	pthread_mutex_lock(&w->lock);
	*changes = w->changes;
	*nchanges = w->nchanges;
	w->changes = NULL;
	w->nchanges = 0;
	*ndevs = w->ndevs;
	*devs = malloc((w->ndevs + 1) * sizeof **devs);
	if (!*devs)
		rc = TD_ERR_NOMEM;
	else if (w->ndevs)   /* w->devs is NULL while no device was seen */
		memcpy(*devs, w->devs, w->ndevs * sizeof **devs);
	pthread_mutex_unlock(&w->lock);
	return rc;
}

static int deliver(const struct td_watch *w, struct ev_list *l, td_watch_fn fn,
                   void *ctx)
{
	for (size_t i = 0; i < l->n; i++) {
		int rc;
		if (l->v[i].ev.kind == TD_EV_MODULE_STOPPED) {
			const struct stopped *s = &w->stopped[l->v[i].stopped];
			l->v[i].ev.module = s->module;
			l->v[i].ev.module_name = s->name;
			l->v[i].ev.message = s->message;
		} else if (l->v[i].ev.kind >= TD_EV_USB_ARRIVED) {
			l->v[i].ev.usb = &l->v[i].usb;
		}
		if (fn && (rc = fn(&l->v[i].ev, ctx)) != 0)
			return rc;
	}
	return 0;
}

/* ---- out of process ---------------------------------------------------- */

static void on_watch_frame(struct td_helper *h, char kind, struct td_rd *r,
                           void *ctx)
{
	struct td_snap_token *tok, **v;

	(void)ctx;
	if (kind == TD_ANS_FAIL) {
		free(h->fail);
		h->fail = td_rd_str(r);
	} else if (kind == TD_ANS_TOKEN && (tok = td_wire_get_token(r, h->module))) {
		if (!(v = realloc(h->building, (h->nbuilding + 1) * sizeof *v))) {
			td_snap_token_unref(tok);
			return;
		}
		h->building = v;
		v[h->nbuilding++] = tok;
	} else if (kind == TD_ANS_END) {
		for (size_t i = 0; i < h->nlatest; i++)
			td_snap_token_unref(h->latest[i]);
		free(h->latest);
		h->latest = h->building;
		h->nlatest = h->nbuilding;
		h->building = NULL;
		h->nbuilding = 0;
		free(h->warnings);
		h->warnings = td_rd_str(r);
		h->busy = 0;
		h->scans++;
	}
}

static void note_stopped(struct td_watch *w, size_t i)
{
	struct stopped *s = realloc(w->stopped, (w->nstopped + 1) * sizeof *s);
	struct td_helper *h = w->helpers[i];
	char msg[380];

	if (!s)
		return;
	w->stopped = s;
	s += w->nstopped++;
	s->module = w->t->mods[i].path;
	snprintf(s->name, sizeof s->name, "%s", h->name ? h->name : "?");
	td_helper_death(h, msg, sizeof msg);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(s->message, sizeof s->message,
	         td_error_translate(N_("%s; restarting")), msg);
#pragma GCC diagnostic pop
}

/* One module's helper: start it when due, read what it sent, ask for
 * the next scan when the last one is in and poll_ms has passed. */
static void remote_round(struct td_watch *w, size_t i, int usb_changed,
                         struct td_error *err)
{
	struct td_helper *h = w->helpers[i];
	long long now = now_ms();

	if (!h) {
		if (now < w->respawn_at[i])
			return;
		if (!(h = td_helper_spawn(w->t, &w->t->mods[i], err))) {
			w->respawn_at[i] = now + RESPAWN_MS;
			return;
		}
		w->helpers[i] = h;
		w->asked_at[i] = 0;
		epoll_add(w->epfd, h->from);
	}
	if (usb_changed)
		td_helper_ask(h, TD_REQ_USB);
	if (td_helper_pump(h, 0, on_watch_frame, w) != 0) {
		epoll_ctl(w->epfd, EPOLL_CTL_DEL, h->from, NULL);
		note_stopped(w, i);
		w->respawn_at[i] = now + (h->fail ? RESPAWN_MS * 5 : RESPAWN_MS);
		td_helper_free(h);
		w->helpers[i] = NULL;
		return;
	}
	if (!h->busy && now - w->asked_at[i] >= w->poll_ms - 5) {
		if (td_helper_ask(h, TD_REQ_SCAN) == 0)
			h->busy = 1;
		w->asked_at[i] = now;
	}
}

/* The tokens of every helper's last complete scan, as one snapshot. */
static int remote_snapshot(struct td_watch *w, struct td_snap **out,
                           struct td_error *err)
{
	struct td_snap *s = calloc(1, sizeof *s);
	size_t n = 0;

	*out = s;
	for (size_t i = 0; s && i < w->t->nmods; i++)
		n += w->helpers[i] ? w->helpers[i]->nlatest : 0;
	if (!s || (n && !(s->tokens = calloc(n, sizeof *s->tokens)))) {
		td_snap_free(s);
		*out = NULL;
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	}
	for (size_t i = 0; i < w->t->nmods; i++) {
		struct td_helper *h = w->helpers[i];
		for (size_t j = 0; h && j < h->nlatest; j++)
			s->tokens[s->ntokens++] = td_snap_token_ref(h->latest[j]);
		if (h && h->warnings && *h->warnings)
			td_snap_add_warning(s, h->warnings);
	}
	return 0;
}

static int process_remote(struct td_watch *w, td_watch_fn fn, void *ctx,
                          struct td_error *err)
{
	struct usb_change *changes = NULL;
	struct td_usb_seen *devs = NULL;
	size_t nchanges = 0, ndevs = 0;
	struct ev_list l = { 0 };
	struct td_snap *next = NULL, *old = w->cur;
	struct td_error spawn_err = { 0 };
	int rc;

	drain(w->wake_rd);
	w->nstopped = 0;
	if ((rc = take_usb(w, &changes, &nchanges, &devs, &ndevs)) != 0)
		goto out;
	for (size_t i = 0; i < w->t->nmods; i++)
		remote_round(w, i, nchanges && !w->first, &spawn_err);
	if ((rc = remote_snapshot(w, &next, err)) != 0)
		goto out;
	if (w->usb)
		td_usb_fill_from(w->t, next, devs, ndevs);
	usb_events(w, changes, nchanges, next, &l);
	for (size_t i = 0; i < w->nstopped; i++) {
		ev_add(&l, TD_EV_MODULE_STOPPED, NULL, NULL, 0);
		if (!l.oom)
			l.v[l.n - 1].stopped = i;
	}
	hold_half_read(w, old, next);
	diff_tokens(w, old, next, w->first, &l);
	no_driver_events(w, next, &l);
	w->cur = next;
	w->first = 0;
	rc = l.oom ? td_error_set(err, TD_ERR_NOMEM, "out of memory")
	           : deliver(w, &l, fn, ctx);
	td_snap_free(old);
out:
	free(changes);
	free(devs);
	free(l.v);
	return rc;
}

int td_watch_process(struct td_watch *w, td_watch_fn fn, void *ctx,
                     struct td_error *err)
{
	struct usb_change *changes = NULL;
	struct td_usb_seen *devs = NULL;
	size_t nchanges = 0, ndevs = 0;
	struct ev_list l = { 0 };
	struct td_snap *next = NULL, *old = w->cur;
	int rc;

	if (w->t->remote)
		return process_remote(w, fn, ctx, err);
	drain(w->wake_rd);
	if ((rc = take_usb(w, &changes, &nchanges, &devs, &ndevs)) != 0)
		goto out;
	for (size_t i = 0; nchanges && !w->first && i < w->t->nmods; i++)
		w->t->mods[i].reload_due = RELOADS_AFTER_USB;
	if ((rc = td_tokens_scan_with(w->t, old, 0, &next, err)) != 0)
		goto out;
	w->rounds++;
	hold_half_read(w, old, next);
	if (w->usb)
		td_usb_fill_from(w->t, next, devs, ndevs);
	usb_events(w, changes, nchanges, next, &l);
	diff_tokens(NULL, old, next, w->first, &l);
	no_driver_events(w, next, &l);
	w->cur = next;
	w->first = 0;
	rc = l.oom ? td_error_set(err, TD_ERR_NOMEM, "out of memory")
	           : deliver(w, &l, fn, ctx);
	td_snap_free(old);  /* after delivery: removed tokens point into it */
out:
	free(changes);
	free(devs);
	free(l.v);
	return rc;
}
