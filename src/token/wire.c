/* wire.c: token snapshots and proof results as bytes, for the module
 * helper's pipe (remote.c).  Frames are "u32 length, u8 kind, payload";
 * numbers are little-endian as the machine has them (both ends are the
 * same build on the same machine); strings and blobs are u32 length then
 * bytes.  A reader never trusts a length: every get checks the bounds,
 * and a frame that does not add up is refused as a whole. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "remote.h"

int td_wbuf_put(struct td_wbuf *b, const void *p, size_t n)
{
	if (b->oom)
		return -1;
	if (b->n + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		unsigned char *v;
		while (cap < b->n + n)
			cap *= 2;
		if (!(v = realloc(b->p, cap))) {
			b->oom = 1;
			return -1;
		}
		b->p = v;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->n, p, n);
	b->n += n;
	return 0;
}

void td_wbuf_u32(struct td_wbuf *b, uint32_t v)
{
	td_wbuf_put(b, &v, sizeof v);
}

void td_wbuf_u64(struct td_wbuf *b, uint64_t v)
{
	td_wbuf_put(b, &v, sizeof v);
}

void td_wbuf_blob(struct td_wbuf *b, const void *p, size_t n)
{
	td_wbuf_u32(b, (uint32_t)n);
	td_wbuf_put(b, p, n);
}

void td_wbuf_str(struct td_wbuf *b, const char *s)
{
	td_wbuf_blob(b, s ? s : "", s ? strlen(s) : 0);
}

/* Start a frame of kind; td_wbuf_end fills in its length. */
void td_wbuf_begin(struct td_wbuf *b, char kind)
{
	b->n = 0;
	b->oom = 0;
	td_wbuf_u32(b, 0);
	td_wbuf_put(b, &kind, 1);
}

int td_wbuf_end(struct td_wbuf *b)
{
	uint32_t len;

	if (b->oom)
		return -1;
	len = (uint32_t)(b->n - 4);
	memcpy(b->p, &len, sizeof len);
	return 0;
}

void td_wbuf_free(struct td_wbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

int td_rd_u32(struct td_rd *r, uint32_t *v)
{
	if (r->bad || r->n - r->off < sizeof *v)
		return r->bad = 1, -1;
	memcpy(v, r->p + r->off, sizeof *v);
	r->off += sizeof *v;
	return 0;
}

int td_rd_u64(struct td_rd *r, uint64_t *v)
{
	if (r->bad || r->n - r->off < sizeof *v)
		return r->bad = 1, -1;
	memcpy(v, r->p + r->off, sizeof *v);
	r->off += sizeof *v;
	return 0;
}

/* A blob, pointing into the frame (valid while the frame is). */
int td_rd_blob(struct td_rd *r, const unsigned char **p, size_t *n)
{
	uint32_t len;

	if (td_rd_u32(r, &len) != 0 || r->n - r->off < len)
		return r->bad = 1, -1;
	*p = r->p + r->off;
	*n = len;
	r->off += len;
	return 0;
}

/* A string, as a new NUL-terminated copy (NULL on a bad frame). */
char *td_rd_str(struct td_rd *r)
{
	const unsigned char *p;
	size_t n;
	char *s;

	if (td_rd_blob(r, &p, &n) != 0 || !(s = malloc(n + 1)))
		return r->bad = 1, NULL;
	memcpy(s, p, n);
	s[n] = '\0';
	if (strlen(s) != n) {   /* a NUL inside: not a string */
		free(s);
		return r->bad = 1, NULL;
	}
	return s;
}

/* ---- tokens ------------------------------------------------------------ */

static void put_dn(struct td_wbuf *b, const struct td_dn *dn)
{
	td_wbuf_u32(b, (uint32_t)dn->n);
	for (size_t i = 0; i < dn->n; i++) {
		td_wbuf_str(b, dn->attrs[i].name);
		td_wbuf_str(b, dn->attrs[i].value);
	}
	td_wbuf_str(b, dn->text);
}

/* A certificate goes as the helper parsed it (td_x509_fill), with its
 * DER: parsing it again here cost the parent as much CPU as reading the
 * token (OpenSSL 3 builds a key decoder for each certificate).  The
 * parent already takes the token's own strings from the helper; the
 * parsed fields are the same code's output in the same build. */
static void put_cert(struct td_wbuf *b, const struct td_snap_cert *c)
{
	td_wbuf_u32(b, (uint32_t)c->malformed);
	td_wbuf_str(b, c->label);
	td_wbuf_str(b, c->key_id);
	td_wbuf_str(b, c->problem);
	td_wbuf_blob(b, c->der, c->der ? c->der_len : 0);
	if (c->malformed)
		return;
	td_wbuf_str(b, c->serial);
	put_dn(b, &c->subject);
	put_dn(b, &c->issuer);
	td_wbuf_str(b, c->not_before);
	td_wbuf_str(b, c->not_after);
	td_wbuf_u64(b, (uint64_t)c->not_before_t);
	td_wbuf_u64(b, (uint64_t)c->not_after_t);
	td_wbuf_str(b, c->fingerprint);
	td_wbuf_str(b, c->key_type);
	td_wbuf_u32(b, (uint32_t)c->key_bits);
	td_wbuf_u32(b, (uint32_t)c->is_ca);
}

void td_wire_put_token(struct td_wbuf *b, const struct td_snap_token *t)
{
	td_wbuf_str(b, t->slot_desc);
	td_wbuf_u64(b, t->slot_id);
	td_wbuf_str(b, t->label);
	td_wbuf_str(b, t->serial);
	td_wbuf_str(b, t->manufacturer);
	td_wbuf_str(b, t->model);
	td_wbuf_u32(b, t->flags);
	td_wbuf_u32(b, (uint32_t)t->ncerts);
	for (size_t i = 0; i < t->ncerts; i++)
		put_cert(b, &t->certs[i]);
}

/* Each attribute takes at least 8 bytes of the frame: a count beyond
 * what is left is a bad frame, not an allocation. */
static void get_dn(struct td_rd *r, struct td_dn *dn)
{
	uint32_t n = 0;

	if (td_rd_u32(r, &n) != 0 || n > (r->n - r->off) / 8)
		return (void)(r->bad = 1);
	if (n && !(dn->attrs = calloc(n, sizeof *dn->attrs)))
		return (void)(r->bad = 1);
	for (; dn->n < n && !r->bad; dn->n++) {
		dn->attrs[dn->n].name = td_rd_str(r);
		dn->attrs[dn->n].value = td_rd_str(r);
	}
	dn->text = td_rd_str(r);
}

/* A fixed-size field: a string that does not fit makes the frame bad. */
static void get_fixed(struct td_rd *r, char *dst, size_t size)
{
	char *s = td_rd_str(r);

	if (s && strlen(s) < size)
		memcpy(dst, s, strlen(s) + 1);
	else
		r->bad = 1;
	free(s);
}

static void get_parsed(struct td_rd *r, struct td_snap_cert *c)
{
	uint64_t nb = 0, na = 0;
	uint32_t bits = 0, ca = 0;

	c->serial = td_rd_str(r);
	get_dn(r, &c->subject);
	get_dn(r, &c->issuer);
	get_fixed(r, c->not_before, sizeof c->not_before);
	get_fixed(r, c->not_after, sizeof c->not_after);
	td_rd_u64(r, &nb);
	td_rd_u64(r, &na);
	get_fixed(r, c->fingerprint, sizeof c->fingerprint);
	get_fixed(r, c->key_type, sizeof c->key_type);
	td_rd_u32(r, &bits);
	td_rd_u32(r, &ca);
	c->not_before_t = (time_t)nb;
	c->not_after_t = (time_t)na;
	c->key_bits = (int)bits;
	c->is_ca = ca != 0;
}

/* A certificate as the helper read it (put_cert). */
static int get_cert(struct td_rd *r, struct td_snap_cert *c)
{
	uint32_t malformed = 1;
	const unsigned char *der;
	size_t len = 0;

	memset(c, 0, sizeof *c);
	td_rd_u32(r, &malformed);
	c->malformed = malformed != 0;
	c->label = td_rd_str(r);
	c->key_id = td_rd_str(r);
	c->problem = td_rd_str(r);
	if (td_rd_blob(r, &der, &len) == 0 && len && (c->der = malloc(len))) {
		memcpy(c->der, der, len);
		c->der_len = len;
	} else if (len) {
		r->bad = 1;
	}
	if (!r->bad && !c->malformed)
		get_parsed(r, c);
	if (!c->malformed && c->problem) {
		free(c->problem);
		c->problem = NULL;
	}
	return r->bad ? -1 : 0;
}

struct td_snap_token *td_wire_get_token(struct td_rd *r, const char *module)
{
	struct td_snap_token *t = calloc(1, sizeof *t);
	uint64_t slot_id = 0;
	uint32_t ncerts = 0;

	if (!t)
		return NULL;
	t->refs = 1;
	t->module = strdup(module);
	t->slot_desc = td_rd_str(r);
	td_rd_u64(r, &slot_id);
	t->slot_id = (unsigned long)slot_id;
	t->label = td_rd_str(r);
	t->serial = td_rd_str(r);
	t->manufacturer = td_rd_str(r);
	t->model = td_rd_str(r);
	td_rd_u32(r, &t->flags);
	td_rd_u32(r, &ncerts);
	/* each certificate takes at least 20 bytes of the frame */
	if (!r->bad && ncerts <= (r->n - r->off) / 20 && ncerts &&
	    !(t->certs = calloc(ncerts, sizeof *t->certs)))
		r->bad = 1;
	for (uint32_t i = 0; !r->bad && t->certs && i < ncerts; i++) {
		if (get_cert(r, &t->certs[i]) != 0)
			r->bad = 1;
		t->ncerts++;
	}
	if (r->bad || !t->module || (ncerts && !t->certs)) {
		td_snap_token_unref(t);
		return NULL;
	}
	return t;
}

/* ---- proof results ----------------------------------------------------- */

void td_wire_put_pop(struct td_wbuf *b, int rc, const struct td_error *err,
                     const struct td_pop_result *res)
{
	td_wbuf_u32(b, (uint32_t)rc);
	td_wbuf_u32(b, (uint32_t)(err ? err->code : 0));
	td_wbuf_str(b, err ? err->message : "");
	td_wbuf_u32(b, (uint32_t)res->outcome);
	td_wbuf_u32(b, (uint32_t)res->tries_left);
	td_wbuf_u32(b, res->flags);
	td_wbuf_str(b, res->cert_serial);
	td_wbuf_str(b, res->subject);
	td_wbuf_str(b, res->key_type);
	td_wbuf_str(b, res->detail);
}

static void copy_str(struct td_rd *r, char *dst, size_t size)
{
	char *s = td_rd_str(r);

	snprintf(dst, size, "%s", s ? s : "");
	free(s);
}

int td_wire_get_pop(struct td_rd *r, struct td_error *err,
                    struct td_pop_result *res)
{
	uint32_t rc = 0, code = 0, outcome = 0, tries = 0;
	char msg[512];

	memset(res, 0, sizeof *res);
	td_rd_u32(r, &rc);
	td_rd_u32(r, &code);
	copy_str(r, msg, sizeof msg);
	td_rd_u32(r, &outcome);
	td_rd_u32(r, &tries);
	td_rd_u32(r, &res->flags);
	copy_str(r, res->cert_serial, sizeof res->cert_serial);
	copy_str(r, res->subject, sizeof res->subject);
	copy_str(r, res->key_type, sizeof res->key_type);
	copy_str(r, res->detail, sizeof res->detail);
	if (r->bad || outcome > TD_POP_REMOVED)
		return td_error_set(err, TD_ERR_TOKEN, "the module helper sent a "
		                    "damaged answer");
	res->outcome = (enum td_pop_outcome)outcome;
	res->tries_left = (int)tries;
	if ((int)rc != 0)
		return td_error_set(err, (int)code ? (int)code : TD_ERR_TOKEN, "%s", msg);
	return 0;
}
