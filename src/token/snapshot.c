/* snapshot.c: what the loaded modules show now, as immutable snapshots. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "remote.h"
#include "tokendesk/text.h"

static const char *const flag_names[TD_TOK_NFLAGS] = {
	"login-required", "user-pin-initialized", "pin-count-low",
	"pin-final-try", "pin-locked", "protected-auth-path", "initialized",
	"read-only", "pin-to-be-changed",
};

const char *td_tok_flag_name(unsigned flag)
{
	for (unsigned i = 0; i < TD_TOK_NFLAGS; i++)
		if (flag == 1u << i)
			return flag_names[i];
	return NULL;
}

unsigned td_flags_from_token(const PKCS11_TOKEN *k)
{
	return (k->loginRequired ? TD_TOK_LOGIN_REQUIRED : 0) |
	       (k->userPinSet ? TD_TOK_USER_PIN_INITIALIZED : 0) |
	       (k->userPinCountLow ? TD_TOK_PIN_COUNT_LOW : 0) |
	       (k->userPinFinalTry ? TD_TOK_PIN_FINAL_TRY : 0) |
	       (k->userPinLocked ? TD_TOK_PIN_LOCKED : 0) |
	       (k->secureLogin ? TD_TOK_PROTECTED_AUTH_PATH : 0) |
	       (k->initialized ? TD_TOK_INITIALIZED : 0) |
	       (k->readOnly ? TD_TOK_READ_ONLY : 0) |
	       (k->userPinToBeChanged ? TD_TOK_PIN_TO_BE_CHANGED : 0);
}

int td_slot_has_token(const PKCS11_SLOT *slot)
{
	const PKCS11_TOKEN *k = slot->token;

	return k && (k->initialized || (k->serialnr && k->serialnr[0]));
}

char *td_snap_token_key(const struct td_snap_token *t, char *buf, size_t size)
{
	snprintf(buf, size, "%s\t%s", t->module, t->serial);
	return buf;
}

struct td_snap_token *td_snap_token_ref(struct td_snap_token *t)
{
	if (t)
		t->refs++;
	return t;
}

void td_snap_token_unref(struct td_snap_token *t)
{
	if (!t || --t->refs > 0)
		return;
	for (size_t i = 0; i < t->ncerts; i++)
		td_snap_cert_clear(&t->certs[i]);
	free(t->certs);
	free(t->module);
	free(t->slot_desc);
	free(t->label);
	free(t->serial);
	free(t->manufacturer);
	free(t->model);
	free(t);
}

/* One PKCS#11 certificate object.  libp11 gives x509 == NULL when the
 * value does not parse; the object is still reported (malformed). */
static int cert_from_p11(PKCS11_CERT *pc, struct td_snap_cert *c,
                         struct td_error *err)
{
	int rc = 0;

	memset(c, 0, sizeof *c);
	c->label = td_tok_strdup_utf8(pc->label);
	c->key_id = td_hex(pc->id ? pc->id : (const unsigned char *)"", pc->id_len);
	if (!c->label || !c->key_id)
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	if (!pc->x509) {
		c->malformed = 1;
		c->problem = strdup(N_("the certificate object's value is not a DER "
		                       "X.509 certificate"));
		return c->problem ? 0 : td_error_set(err, TD_ERR_NOMEM, "out of memory");
	}
	rc = td_x509_fill(pc->x509, c, err);
	if (rc == 0) {
		int n = i2d_X509(pc->x509, NULL);
		unsigned char *p;
		if (n > 0 && (c->der = malloc((size_t)n))) {
			p = c->der;
			c->der_len = (size_t)i2d_X509(pc->x509, &p);
		}
	}
	return rc;
}

/* Read the certificates.  Returns TD_ERR_TOKEN when the module cannot
 * list them (e.g. the token was pulled out mid-read). */
static int certs_fill(struct td_snap_token *st, PKCS11_TOKEN *k,
                      struct td_error *err)
{
	PKCS11_CERT *pcs = NULL;
	unsigned n = 0;

	if (PKCS11_enumerate_certs(k, &pcs, &n) != 0)
		return td_error_set(err, TD_ERR_TOKEN,
		                    "cannot read the objects of token %s", st->serial);
	if (n && !(st->certs = calloc(n, sizeof *st->certs)))
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	for (unsigned i = 0; i < n; i++) {
		int rc = cert_from_p11(&pcs[i], &st->certs[i], err);
		st->ncerts++;
		if (rc != 0)
			return rc;
	}
	return 0;
}

struct td_snap_token *td_snap_token_from_slot(const struct td_module *m,
                                              PKCS11_SLOT *slot,
                                              int with_certs,
                                              struct td_error *err)
{
	struct td_snap_token *st = calloc(1, sizeof *st);
	PKCS11_TOKEN *k = slot->token;

	if (!st) {
		td_error_set(err, TD_ERR_NOMEM, "out of memory");
		return NULL;
	}
	st->refs = 1;
	st->module = strdup(m->path);
	st->slot_desc = td_tok_strdup_utf8(slot->description);
	st->slot_id = PKCS11_get_slotid_from_slot(slot);
	st->label = td_tok_strdup_utf8(k->label);
	st->serial = td_tok_strdup_utf8(k->serialnr);
	st->manufacturer = td_tok_strdup_utf8(k->manufacturer);
	st->model = td_tok_strdup_utf8(k->model);
	st->flags = td_flags_from_token(k);
	if (!st->module || !st->slot_desc || !st->label || !st->serial ||
	    !st->manufacturer || !st->model) {
		td_error_set(err, TD_ERR_NOMEM, "out of memory");
		td_snap_token_unref(st);
		return NULL;
	}
	if (with_certs && (m->funcs ? td_objects_certs(m, st->slot_id, st, err)
	                            : certs_fill(st, k, err)) != 0) {
		td_snap_token_unref(st);
		return NULL;
	}
	return st;
}

/* ---- whole snapshots --------------------------------------------------- */

static const struct td_snap_token *find_prev(const struct td_snap *prev,
                                             const struct td_module *m,
                                             const PKCS11_TOKEN *k)
{
	for (size_t i = 0; prev && i < prev->ntokens; i++) {
		const struct td_snap_token *p = prev->tokens[i];
		if (strcmp(p->module, m->path) == 0 && strcmp(p->serial, k->serialnr) == 0)
			return p;
	}
	return NULL;
}

static int same_info(const struct td_snap_token *p, const PKCS11_TOKEN *k)
{
	return p->flags == td_flags_from_token(k) &&
	       strcmp(p->label, k->label ? k->label : "") == 0;
}

static int snap_append(struct td_snap *s, struct td_snap_token *st)
{
	struct td_snap_token **v = realloc(s->tokens, (s->ntokens + 1) * sizeof *v);

	if (!v)
		return TD_ERR_NOMEM;
	s->tokens = v;
	v[s->ntokens++] = st;
	return 0;
}

void td_snap_add_warning(struct td_snap *s, const char *msg)
{
	size_t old = s->warnings ? strlen(s->warnings) : 0;
	char *w = realloc(s->warnings, old + strlen(msg) + 2);

	if (!w)
		return;
	sprintf(w + old, "%s\n", msg);
	s->warnings = w;
}

static int scan_module(struct td_tokens *t, struct td_module *m,
                       const struct td_snap *prev, struct td_snap *s,
                       struct td_error *err)
{
	struct td_error e;
	int rc = td_module_refresh(t, m, &e);

	/* A module that fails to reload (e.g. its token store is busy) shows
	 * no tokens this time and is tried again at the next scan: a watcher
	 * must survive it. */
	if (rc == TD_ERR_NOMEM)
		return td_error_set(err, rc, "out of memory");
	if (rc != 0) {
		td_snap_add_warning(s, e.message);
		return 0;
	}
	for (unsigned i = 0; i < m->nslots; i++) {
		PKCS11_SLOT *slot = &m->slots[i];
		const struct td_snap_token *p;
		struct td_snap_token *st;
		if (!td_slot_has_token(slot))
			continue;
		p = find_prev(prev, m, slot->token);
		if (p && same_info(p, slot->token)) {
			st = td_snap_token_ref((struct td_snap_token *)p);
		} else if (!(st = td_snap_token_from_slot(m, slot, 1, &e))) {
			if (e.code == TD_ERR_NOMEM)
				return td_error_set(err, TD_ERR_NOMEM, "out of memory");
			/* Pulled out mid-read: leave it out, as if removed, and
			 * make the module start from a clean load next time. */
			td_snap_add_warning(s, e.message);
			m->reload_due = 1;
			continue;
		}
		if (snap_append(s, st) != 0) {
			td_snap_token_unref(st);
			return td_error_set(err, TD_ERR_NOMEM, "out of memory");
		}
		if (t->on_token)
			t->on_token(st, t->on_token_ctx);
	}
	return 0;
}

int td_tokens_scan_with(struct td_tokens *t, const struct td_snap *prev,
                        int list_usb, struct td_snap **out,
                        struct td_error *err)
{
	struct td_snap *s = calloc(1, sizeof *s);
	int rc = 0;

	*out = NULL;
	if (t->remote) {
		free(s);
		return td_remote_scan(t, list_usb, NULL, NULL, out, err);
	}
	if (!s)
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	for (size_t i = 0; rc == 0 && i < t->nmods; i++)
		rc = scan_module(t, &t->mods[i], prev, s, err);
	if (rc != 0) {
		td_snap_free(s);
		return rc;
	}
	if (list_usb)
		td_usb_fill_snapshot(t, s);
	*out = s;
	return 0;
}

int td_tokens_scan(struct td_tokens *t, struct td_snap **out,
                   struct td_error *err)
{
	return td_tokens_scan_with(t, NULL, 1, out, err);
}

int td_tokens_scan_each(struct td_tokens *t, td_scan_token_fn fn, void *ctx,
                        struct td_snap **out, struct td_error *err)
{
	int rc;

	if (t->remote)
		return td_remote_scan(t, 1, fn, ctx, out, err);
	t->on_token = fn;
	t->on_token_ctx = ctx;
	rc = td_tokens_scan_with(t, NULL, 1, out, err);
	t->on_token = NULL;
	return rc;
}

void td_snap_free(struct td_snap *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->ntokens; i++)
		td_snap_token_unref(s->tokens[i]);
	free(s->tokens);
	free(s->usb);
	td_usb_models_free(s->models, s->nmodels);
	free(s->warnings);
	free(s);
}

/* Serials compare canonically (td_token_serial): tokens report them in
 * their own case and padding, the registry stores them upper case. */
static int same_serial(const char *a, const char *b)
{
	char ca[128], cb[128];

	if (td_token_serial(a, ca, sizeof ca) < 0 || td_token_serial(b, cb, sizeof cb) < 0)
		return strcmp(a, b) == 0;
	return strcmp(ca, cb) == 0;
}

const struct td_snap_token *td_snap_find(const struct td_snap *s,
                                         const char *serial, const char *module)
{
	for (size_t i = 0; i < s->ntokens; i++) {
		const struct td_snap_token *t = s->tokens[i];
		if (same_serial(t->serial, serial) &&
		    (!module || strcmp(t->module, module) == 0))
			return t;
	}
	return NULL;
}
