/* tokens.c: the desk's glue to the token layer: the watcher's fd sits in
 * the desk's poll() set; each presence event updates the list of tokens
 * present with their registry match (tokendesk/match.h), and the screens
 * are told, so inserting a token shows it with no key press.  Proof of
 * possession for the handover goes through here, with the PIN copied
 * from the dialog's field straight into a locked secure buffer. */
#include <config.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "tokendesk/checkpoint.h"
#include "tokendesk/handover.h"
#include "tokendesk/match.h"
#include "tokendesk/outfile.h"
#include "tokendesk/secmem.h"
#include "tokendesk/session.h"
#include "tokendesk/text.h"
#include "tokendesk/token.h"
#include "tui/desk.h"
#include "tui/handover.h"
#include "tui/sign.h"
#include "tui/widget.h"

#define MAX_PRESENT 32

struct present {
	struct td_snap_token *tok;     /* one reference held */
	struct td_match_result m;
	int matched;                   /* m is filled */
};

struct desk_tokens {
	struct td_tokens *t;
	struct td_watch *w;
	struct td_match_opts mopts;
	struct present p[MAX_PRESENT];
	int n;
	char modules[256];
	char inserted[128];            /* serial just inserted, for handover */
	/* every serial inserted in this batch of events (several tokens may
	 * arrive at once), for screens that take them all (the count) */
	char fresh[MAX_PRESENT][128];
	int nfresh;
	char why[300];                 /* why there is no reader */
};

int desk_tokens_start(struct desk *d)
{
	const struct td_token_config *cfg = d->s->config;
	struct desk_tokens *k = calloc(1, sizeof *k);
	struct td_watch_opts wo = TD_WATCH_OPTS_DEFAULT;
	struct td_error err;

	if (!(d->tok = k))
		return -1;
	/* the session's: opened once, closed with it */
	k->t = td_session_tokens(d->s, 0, &err);
	if (!k->t) {
		td_error_format(&err, k->why, sizeof k->why);
		return -1;
	}
	/* a proof or signature waiting on a slow module: Esc gives up */
	desk_tokens_wait_here(d, k->t);
	k->mopts.scope_agency = cfg ? cfg->scope : NULL;
	/* said on the panel rather than every token marked out of scope */
	if (k->mopts.scope_agency &&
	    td_match_check_scope(d->reg, k->mopts.scope_agency, &err) < 0) {
		td_error_format(&err, k->why, sizeof k->why);
		k->t = NULL;
		return -1;
	}
	if (cfg && cfg->poll_ms)
		wo.poll_ms = cfg->poll_ms;
	for (size_t i = 0, n = 0; i < td_tokens_nmodules(k->t); i++) {
		const char *m = td_tokens_module(k->t, i), *base = strrchr(m, '/');
		n += (size_t)snprintf(k->modules + n, n < sizeof k->modules ?
		                      sizeof k->modules - n : 0, "%s%s", i ? "," : "",
		                      base ? base + 1 : m);
		if (n >= sizeof k->modules)
			break;
	}
	if (!(k->w = td_watch_new(k->t, &wo, &err))) {
		td_error_format(&err, k->why, sizeof k->why);
		k->t = NULL;
		return -1;
	}
	return 0;
}

int desk_tokens_fd(struct desk *d)
{
	return d->tok && d->tok->w ? td_watch_fd(d->tok->w) : -1;
}

static void drop(struct desk_tokens *k, int i)
{
	if (k->p[i].matched)
		td_match_result_clear(&k->p[i].m);
	td_snap_token_unref(k->p[i].tok);
	memmove(&k->p[i], &k->p[i + 1], (size_t)(k->n - i - 1) * sizeof k->p[0]);
	k->n--;
}

static int find(struct desk_tokens *k, const struct td_snap_token *t)
{
	char a[600], b[600];

	td_snap_token_key(t, a, sizeof a);
	for (int i = 0; i < k->n; i++)
		if (strcmp(td_snap_token_key(k->p[i].tok, b, sizeof b), a) == 0)
			return i;
	return -1;
}

static int on_event(const struct td_watch_event *ev, void *ctx)
{
	struct desk *d = ctx;
	struct desk_tokens *k = d->tok;
	struct td_error err;
	int i;

	/* Out of process, a module that aborted costs only its helper: the
	 * desk says so on the status line and the watcher restarts it. */
	if (ev->kind == TD_EV_MODULE_STOPPED) {
		char say[300];
		Tf(say, sizeof say, "the %s module stopped; restarting",
		   ev->module_name ? ev->module_name : "?");
		desk_message(d, 1, "%s", say);
		return 0;
	}
	/* A token plugged in that no module shows: doctor's verdict, in one
	 * line (tokendesk doctor tells the rest). */
	if (ev->kind == TD_EV_USB_NO_DRIVER && ev->usb && ev->usb->known) {
		char say[400];
		Tf(say, sizeof say, "%s %s is plugged in but no module shows it: install %s",
		   ev->usb->known->vendor, ev->usb->known->model, ev->usb->known->module);
		desk_message(d, 1, "%s", say);
		return 0;
	}
	if (!ev->token)
		return 0;
	if ((i = find(k, ev->token)) >= 0)
		drop(k, i);
	if (ev->kind == TD_EV_REMOVED || k->n == MAX_PRESENT)
		return 0;
	i = k->n++;
	memset(&k->p[i], 0, sizeof k->p[i]);
	k->p[i].tok = td_snap_token_ref((struct td_snap_token *)ev->token);
	k->p[i].matched = td_match_token(d->reg, ev->token, &k->mopts,
	                                 &k->p[i].m, &err) == 0;
	if (ev->kind == TD_EV_INSERTED && !ev->initial && ev->token->serial) {
		snprintf(k->inserted, sizeof k->inserted, "%s", ev->token->serial);
		if (k->nfresh < MAX_PRESENT)
			snprintf(k->fresh[k->nfresh++], sizeof k->fresh[0], "%s",
			         ev->token->serial);
	}
	return 0;
}

void desk_tokens_event(struct desk *d)
{
	struct td_error err;

	if (desk_tokens_fd(d) < 0)
		return;
	if (td_watch_process(d->tok->w, on_event, d, &err) < 0)
		desk_error(d, &err);
	for (int i = 0; i < d->depth; i++)
		if (d->stack[i].ops->tokens_changed)
			d->stack[i].ops->tokens_changed(d, d->stack[i].self);
	d->tok->inserted[0] = '\0';
	d->tok->nfresh = 0;
	d->dirty = 1;
}

void desk_tokens_rematch(struct desk *d)
{
	struct desk_tokens *k = d->tok;
	struct td_error err;

	for (int i = 0; k && i < k->n; i++) {
		if (k->p[i].matched)
			td_match_result_clear(&k->p[i].m);
		k->p[i].matched = td_match_token(d->reg, k->p[i].tok, &k->mopts,
		                                 &k->p[i].m, &err) == 0;
	}
}

const char *desk_tokens_fresh(struct desk *d, int i)
{
	return d->tok && i >= 0 && i < d->tok->nfresh ? d->tok->fresh[i] : NULL;
}

const char *desk_tokens_present(struct desk *d, int i, int *known)
{
	struct desk_tokens *k = d->tok;

	if (!k || i < 0 || i >= k->n)
		return NULL;
	if (known)
		*known = k->p[i].matched &&
		         k->p[i].m.outcome != TD_MATCH_UNKNOWN_TOKEN;
	return k->p[i].tok->serial ? k->p[i].tok->serial : "";
}

void desk_tokens_stop(struct desk *d)
{
	struct desk_tokens *k = d->tok;

	if (!k)
		return;
	while (k->n)
		drop(k, k->n - 1);
	td_watch_free(k->w);   /* the token set is the session's */
	free(k);
	d->tok = NULL;
}

int desk_tokens_count(struct desk *d)
{
	return d->tok && d->tok->w ? d->tok->n : -1;
}

const char *desk_tokens_modules(struct desk *d)
{
	return d->tok && d->tok->modules[0] ? d->tok->modules : NULL;
}

static const char *outcome_label(enum td_match_outcome o)
{
	static const char *const l[] = {
		[TD_MATCH_OK] = N_("Matched"), [TD_MATCH_EXPIRED] = N_("Expired"),
		[TD_MATCH_TAGGED] = N_("Tagged"),
		[TD_MATCH_SUBJECT] = N_("Subject differs"),
		[TD_MATCH_OTHER_CERT] = N_("Different certificate"),
		[TD_MATCH_CUSTODY] = N_("Custody: not where the registry says"),
		[TD_MATCH_OUT_OF_SCOPE] = N_("Out of scope"),
		[TD_MATCH_UNKNOWN_TOKEN] = N_("Unknown token"),
	};
	return T(l[o]);
}

static int outcome_color(enum td_match_outcome o)
{
	return o == TD_MATCH_OK ? COL_OK : o == TD_MATCH_UNKNOWN_TOKEN ||
	       o == TD_MATCH_OTHER_CERT || o == TD_MATCH_CUSTODY ? COL_BAD : COL_WARN;
}

/* One token: its line, each certificate, and each finding that is not a
 * plain match with the registry's and the token's values side by side. */
/* What the token says of its PIN, before anyone types one: a locked
 * token needs a recovery request, not a handover with proof. */
static void pin_state_row(struct tl_list *l, unsigned flags)
{
	const char *say = NULL;

	if (flags & TD_TOK_PIN_LOCKED)
		say = T("PIN locked: the token needs a recovery request (token recovery)");
	else if (flags & TD_TOK_PIN_FINAL_TRY)
		say = T("Final PIN try: one more wrong PIN locks this token");
	else if (flags & TD_TOK_PIN_COUNT_LOW)
		say = T("A wrong PIN was typed: tries are running low");
	if (say)
		tl_add(l, COL_WARN, NULL, NULL, say, NULL, NULL, NULL);
}

static void token_rows(struct tl_list *l, struct present *p, int cols)
{
	const struct td_snap_token *t = p->tok;
	enum td_match_outcome o = p->matched ? p->m.outcome : TD_MATCH_UNKNOWN_TOKEN;
	char what[600];
	int unknown = o == TD_MATCH_UNKNOWN_TOKEN;

	snprintf(what, sizeof what, "%s%s%s", outcome_label(o),
	         p->matched && p->m.holder[0] ? " — " : "",
	         p->matched ? p->m.holder : "");
	tl_add(l, outcome_color(o), unknown ? "register" : "token",
	       t->serial ? t->serial : "", t->serial ? t->serial : "?",
	       t->model ? t->model : "", what, NULL);
	if (unknown)
		tl_add(l, COL_DIM, "register", t->serial ? t->serial : "",
		       T("Enter: look it up in the registry"), NULL, NULL, NULL);
	pin_state_row(l, t->flags);
	for (size_t c = 0; c < t->ncerts; c++) {
		const struct td_snap_cert *sc = &t->certs[c];
		const char *cn = sc->malformed ? sc->problem : td_dn_get(&sc->subject, "CN");
		char until[48], day[32], shown[256];
		/* the certificate's maker chose the CN: a U+202E or a U+2028
		 * in it is shown escaped, not drawn */
		td_printable(shown, sizeof shown, cn ? cn : "");
		snprintf(until, sizeof until, "→ %s", desk_date(sc->not_after, day,
		         sizeof day));
		tl_add(l, COL_NORMAL, unknown ? NULL : "cert", sc->serial,
		       "", sc->serial ? sc->serial : "?", shown, until);
	}
	if (!t->ncerts)
		tl_add(l, COL_WARN, NULL, NULL, T("No certificate on this token."),
		       NULL, NULL, NULL);
	for (size_t f = 0; p->matched && !unknown && f < p->m.n; f++) {
		const struct td_match_finding *fi = &p->m.findings[f];
		char reg[700], tok[700];
		if (fi->outcome == TD_MATCH_OK || (!fi->registry[0] && !fi->token[0]))
			continue;
		/* whole lines: what differs is a sentence, never to be cut short */
		snprintf(reg, sizeof reg, "    %s: %s", T("registry"), fi->registry);
		snprintf(tok, sizeof tok, "    %s: %s", T("token"), fi->token);
		tl_add(l, outcome_color(fi->outcome), NULL, NULL,
		       outcome_label(fi->outcome), NULL, NULL, NULL);
		tl_add_wrapped(l, COL_NORMAL, reg, cols - 2, 6);
		tl_add_wrapped(l, COL_NORMAL, tok, cols - 2, 6);
	}
}

void desk_tokens_rows(struct desk *d, struct tl_list *l);
void desk_tokens_rows(struct desk *d, struct tl_list *l)
{
	struct desk_tokens *k = d->tok;

	if (k && !k->w && k->why[0])
		tl_add_wrapped(l, COL_DIM, k->why, d->cols - 2, 0);
	for (int i = 0; k && i < k->n; i++)
		token_rows(l, &k->p[i], d->cols);
}

static const struct td_snap_token *present(struct desk *d, const char *serial)
{
	for (int i = 0; d->tok && i < d->tok->n; i++)
		if (d->tok->p[i].tok->serial &&
		    strcasecmp(d->tok->p[i].tok->serial, serial) == 0)
			return d->tok->p[i].tok;
	return NULL;
}

int desk_tokens_final_try(struct desk *d, const char *serial);
int desk_tokens_final_try(struct desk *d, const char *serial)
{
	const struct td_snap_token *t = present(d, serial);

	if (!t)
		return -1;
	if (t->flags & TD_TOK_PIN_LOCKED)
		return 2;
	return (t->flags & TD_TOK_PIN_FINAL_TRY) != 0;
}

/* The field's wide characters as UTF-8, written straight into a secure
 * buffer: no other copy of the PIN is made. */
static struct td_secbuf *pin_buffer(struct tf_field *f, struct td_error *err)
{
	struct td_secbuf *b = td_secbuf_new(TF_MAX * MB_LEN_MAX, err);
	mbstate_t st;

	if (!b)
		return NULL;
	memset(&st, 0, sizeof st);
	for (int i = 0; i < f->len; i++) {
		size_t r = wcrtomb((char *)b->data + b->len, f->buf[i], &st);
		if (r != (size_t)-1)
			b->len += r;
	}
	b->data[b->len] = '\0';
	return b;
}

int desk_tokens_prove(struct desk *d, const char *serial, struct tf_field *pin,
                      int force, char *detail, size_t size);
int desk_tokens_prove(struct desk *d, const char *serial, struct tf_field *pin,
                      int force, char *detail, size_t size)
{
	const struct td_snap_token *t = present(d, serial);
	struct td_pop_result res;
	struct td_secbuf *b;
	struct td_error err;
	int rc;

	if (!t) {
		snprintf(detail, size, "%s", T("Insert the token to prove possession."));
		return -1;
	}
	if (!(b = pin_buffer(pin, &err))) {
		tf_clear(pin);
		td_error_format(&err, detail, size);
		return -1;
	}
	tf_clear(pin);
	rc = td_token_prove(d->tok->t, t->serial, t->module, NULL, b, force, &res,
	                    &err);
	td_secbuf_free(b);
	if (rc < 0) {
		desk_error_text(&err, detail, size);
		return -1;
	}
	/* in English ("wrong PIN; the token reports few tries left"), as the
	 * CLI records it: the custody record keeps one language, and the
	 * desk translates what it shows (scr_pin.c) */
	snprintf(detail, size, "%s", res.detail);
	return res.outcome == TD_POP_MATCH;
}

void hand_tokens_changed(struct desk *d, void *self)
{
	struct hand *s = self;

	/* a token inserted while the handover is open joins the list */
	if (d->tok && d->tok->inserted[0] && d->stack[d->depth - 1].self == self)
		hand_add(d, s, d->tok->inserted);
}

/* ---- signing (scr_sign.c) ------------------------------------------------ */

static int write_text(const char *path, const char *text, struct td_error *err)
{
	struct td_outfile out;
	int rc = td_outfile_open(&out, path, err);

	if (rc < 0)
		return rc;
	fputs(text, out.f);
	return td_outfile_commit(&out, err);
}

static int sign_now(struct desk *d, const struct td_snap_token *t,
                    const struct td_secbuf *pin, int force, const char *number,
                    const char *path, struct td_pop_result *res, struct td_error *err)
{
	struct td_record rec;
	int64_t head, id;
	char *pem = NULL;
	int rc;

	if (!number) {
		rc = td_checkpoint_sign(d->reg, d->tok->t, t->serial, pin, force, &pem,
		                        &head, &id, res, err);
		if (rc == TD_OK && pem)
			rc = write_text(path, pem, err);
		free(pem);
		return rc;
	}
	if ((rc = td_record_load(d->reg, number, &rec, err)) < 0)
		return rc;
	rc = td_record_sign(d->reg, &rec, path, d->tok->t, t->serial, pin, force, res, err);
	td_record_clear(&rec);
	return rc;
}

int desk_tokens_sign(struct desk *d, const char *serial, struct tf_field *pin,
                     int force, const char *number, const char *path,
                     char *detail, size_t size)
{
	const struct td_snap_token *t = present(d, serial);
	struct td_pop_result res;
	struct td_secbuf *b;
	struct td_error err;
	int rc;

	if (!t) {
		tf_clear(pin);
		snprintf(detail, size, "%s", T("Insert the token to sign."));
		return -1;
	}
	b = pin_buffer(pin, &err);
	tf_clear(pin);
	if (!b) {
		td_error_format(&err, detail, size);
		return -1;
	}
	rc = sign_now(d, t, b, force, number, path, &res, &err);
	td_secbuf_free(b);
	if (rc < 0) {
		desk_error_text(&err, detail, size);
		return -1;
	}
	snprintf(detail, size, "%s",
	         res.outcome == TD_POP_MATCH ? res.subject : T(res.detail));
	return res.outcome == TD_POP_MATCH;
}
