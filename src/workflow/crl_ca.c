/* crl_ca.c: the CAs pinned to sign CRLs, and which certificates a CRL may
 * be verified with.
 *
 * A key is pinned, not a name: anyone can make a self-signed certificate
 * named "CA phục vụ các cơ quan Nhà nước G2".  So a certificate given
 * with a CRL counts only when it is pinned itself or a pinned CA signed
 * it, and one that bears a pinned CA's name with another key is refused
 * outright, with both fingerprints shown so the operator sees the
 * difference. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tokendesk/registry.h"
#include "registry/txn.h"
#include "workflow/crl_internal.h"

static const char fix[] = "tokendesk crl trust add CA.pem";

void crl_name_text(X509_NAME *n, char *out, size_t size)
{
	BIO *b = BIO_new(BIO_s_mem());
	int len;

	out[0] = '\0';
	if (!b)
		return;
	X509_NAME_print_ex(b, n, 0, (XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB &
	                             ~XN_FLAG_SEP_MASK) | XN_FLAG_SEP_CPLUS_SPC);
	len = BIO_read(b, out, (int)size - 1);
	out[len > 0 ? len : 0] = '\0';
	BIO_free(b);
}

static void hex_of(const unsigned char *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

/* Fill a crl_ca from x (which it takes over). */
static int ca_fill(struct crl_ca *ca, X509 *x, struct td_error *err)
{
	unsigned char md[EVP_MAX_MD_SIZE], *spki = NULL;
	unsigned int mdlen = 0;
	int len;

	memset(ca, 0, sizeof *ca);
	ca->x = x;
	crl_name_text(X509_get_subject_name(x), ca->subject, sizeof ca->subject);
	if (X509_digest(x, EVP_sha256(), md, &mdlen) != 1)
		return td_error_set(err, TD_ERR_INTERNAL, "SHA-256 of a certificate");
	hex_of(md, mdlen, ca->cert_sha256);
	if ((len = i2d_PUBKEY(X509_get0_pubkey(x), &spki)) <= 0 ||
	    EVP_Digest(spki, (size_t)len, md, &mdlen, EVP_sha256(), NULL) != 1) {
		OPENSSL_free(spki);
		return td_error_set(err, TD_ERR_DATA, "a certificate without a usable "
		                    "public key");
	}
	OPENSSL_free(spki);
	hex_of(md, mdlen, ca->key_sha256);
	return TD_OK;
}

static int set_add(struct crl_ca_set *set, X509 *x, struct td_error *err)
{
	struct crl_ca *v = realloc(set->v, (set->n + 1) * sizeof *v);
	int rc;

	if (!v) {
		X509_free(x);
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	}
	set->v = v;
	if ((rc = ca_fill(&v[set->n], x, err)) < 0) {
		X509_free(x);
		return rc;
	}
	set->n++;
	return TD_OK;
}

void crl_ca_set_free(struct crl_ca_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		X509_free(set->v[i].x);
	free(set->v);
	set->v = NULL;
	set->n = 0;
}

static int hex_val(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

struct pinned_ctx {
	struct crl_ca_set *set;
	struct td_error *err;
};

static int add_pinned(const struct td_crl_ca *row, void *ctx)
{
	struct pinned_ctx *p = ctx;
	size_t n = strlen(row->cert_hex) / 2;
	unsigned char *der = malloc(n ? n : 1);
	const unsigned char *in = der;
	X509 *x;
	int rc;

	if (!der)
		return td_error_set(p->err, TD_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		der[i] = (unsigned char)(hex_val(row->cert_hex[2 * i]) * 16 +
		                         hex_val(row->cert_hex[2 * i + 1]));
	x = d2i_X509(NULL, &in, (long)n);
	free(der);
	if (!x)
		return td_error_set(p->err, TD_ERR_DATA, "pinned CA %lld: its stored "
		                    "certificate does not parse", (long long)row->id);
	if ((rc = set_add(p->set, x, p->err)) < 0)
		return rc;
	/* Pinned means this key: a stored certificate that no longer hashes
	 * to its row was changed behind tokendesk's back. */
	if (strcmp(p->set->v[p->set->n - 1].cert_sha256, row->cert_sha256) != 0)
		return td_error_set(p->err, TD_ERR_DATA, "pinned CA %lld: its stored "
		                    "certificate does not match its fingerprint",
		                    (long long)row->id);
	p->set->v[p->set->n - 1].pinned_id = row->id;
	p->set->v[p->set->n - 1].root_id = row->id;
	return TD_OK;
}

int crl_ca_load_pinned(struct td_registry *reg, struct crl_ca_set *pinned,
                       struct td_error *err)
{
	struct pinned_ctx p = { pinned, err };

	return td_reg_crl_trust_each(reg, add_pinned, &p, err);
}

int crl_ca_load_file(const char *path, struct crl_ca_set *set,
                     struct td_error *err)
{
	BIO *b = BIO_new_file(path, "rb");
	size_t first = set->n;
	X509 *x;
	int rc = TD_OK;

	if (!b)
		return td_error_set_at(err, errno == ENOENT || errno == ENOTDIR ?
		                       TD_ERR_NOTFOUND : TD_ERR_IO, path, 0, NULL,
		                       "cannot open: %m");
	while (rc == TD_OK && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)))
		rc = set_add(set, x, err);
	if (rc == TD_OK && set->n == first) {   /* maybe one DER certificate */
		(void)BIO_reset(b);
		if ((x = d2i_X509_bio(b, NULL)))
			rc = set_add(set, x, err);
	}
	BIO_free(b);
	for (size_t i = first; i < set->n; i++)
		snprintf(set->v[i].path, sizeof set->v[i].path, "%s", path);
	if (rc == TD_OK && set->n == first)
		rc = td_error_set_at(err, TD_ERR_DATA, path, 0, NULL,
		                     "holds no certificate");
	return rc;
}

/* 1 when entry e of a has a twin in b: same attribute, same text. */
static int has_twin(X509_NAME_ENTRY *e, X509_NAME *b)
{
	unsigned char *want = NULL;
	int wlen = ASN1_STRING_to_UTF8(&want, X509_NAME_ENTRY_get_data(e)), found = 0;
	int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));

	for (int i = 0; wlen >= 0 && !found && i < X509_NAME_entry_count(b); i++) {
		X509_NAME_ENTRY *f = X509_NAME_get_entry(b, i);
		unsigned char *have = NULL;
		int hlen;
		if (OBJ_obj2nid(X509_NAME_ENTRY_get_object(f)) != nid)
			continue;
		hlen = ASN1_STRING_to_UTF8(&have, X509_NAME_ENTRY_get_data(f));
		found = hlen == wlen && memcmp(have, want, (size_t)wlen) == 0;
		OPENSSL_free(have);
	}
	OPENSSL_free(want);
	return found;
}

/* Names a person would take for the same: equal, or the same attributes
 * and texts in another order or string type.  (Look-alike characters
 * are another matter: the fingerprint is what tells.) */
static int names_alike(X509_NAME *a, X509_NAME *b)
{
	int n = X509_NAME_entry_count(a);

	if (X509_NAME_cmp(a, b) == 0)
		return 1;
	if (n != X509_NAME_entry_count(b))
		return 0;
	for (int i = 0; i < n; i++)
		if (!has_twin(X509_NAME_get_entry(a, i), b))
			return 0;
	return 1;
}

static const struct crl_ca *same_name(const struct crl_ca_set *set, X509_NAME *n)
{
	for (size_t i = 0; i < set->n; i++)
		if (names_alike(X509_get_subject_name(set->v[i].x), n))
			return &set->v[i];
	return NULL;
}

static const struct crl_ca *same_cert(const struct crl_ca_set *set,
                                      const struct crl_ca *ca)
{
	for (size_t i = 0; i < set->n; i++)
		if (strcmp(set->v[i].key_sha256, ca->key_sha256) == 0 &&
		    X509_NAME_cmp(X509_get_subject_name(set->v[i].x),
		                  X509_get_subject_name(ca->x)) == 0)
			return &set->v[i];
	return NULL;
}

/* A trusted certificate (pinned, or given and trusted already) that
 * issued and signed ca, or NULL. */
static const struct crl_ca *trusted_issuer(const struct crl_ca_set *pinned,
                                           const struct crl_ca_set *given,
                                           const struct crl_ca *ca)
{
	const struct crl_ca_set *sets[2] = { pinned, given };

	for (int s = 0; s < 2; s++)
		for (size_t i = 0; i < sets[s]->n; i++) {
			const struct crl_ca *p = &sets[s]->v[i];
			if (p->root_id && p != ca &&
			    X509_check_issued(p->x, ca->x) == X509_V_OK &&
			    X509_verify(ca->x, X509_get0_pubkey(p->x)) == 1)
				return p;
		}
	return NULL;
}

int crl_ca_trust_given(const struct crl_ca_set *pinned, struct crl_ca_set *given,
                       struct td_error *err)
{
	int progress = 1;

	for (size_t i = 0; i < given->n; i++) {
		struct crl_ca *g = &given->v[i];
		const struct crl_ca *p = same_cert(pinned, g);
		if (p) {
			g->pinned_id = g->root_id = p->pinned_id;
			continue;
		}
		if ((p = same_name(pinned, X509_get_subject_name(g->x))) &&
		    strcmp(p->key_sha256, g->key_sha256) != 0)
			return td_error_set_at(err, TD_ERR_PERM, g->path, 0, NULL,
			                       "refused: this CA certificate bears the name "
			                       "of pinned CA %lld with another key: pinned "
			                       "SHA-256 %s, presented SHA-256 %s (%s)",
			                       (long long)p->pinned_id, p->cert_sha256,
			                       g->cert_sha256, g->subject);
	}
	/* Intermediates: each round trusts those a trusted CA signed. */
	while (progress) {
		progress = 0;
		for (size_t i = 0; i < given->n; i++) {
			struct crl_ca *g = &given->v[i];
			const struct crl_ca *p;
			if (g->root_id || X509_check_ca(g->x) < 1 ||
			    !(p = trusted_issuer(pinned, given, g)))
				continue;
			g->root_id = p->root_id;
			progress = 1;
		}
	}
	for (size_t i = 0; i < given->n; i++)
		if (!given->v[i].root_id)
			return td_error_set_at(err, TD_ERR_PERM, given->v[i].path, 0, NULL,
			                       "refused: this CA certificate (SHA-256 %s) is "
			                       "not pinned and no pinned CA signed it; if it "
			                       "is the real CA, pin it: tokendesk crl trust "
			                       "add FILE (%s)", given->v[i].cert_sha256,
			                       given->v[i].subject);
	return TD_OK;
}

const struct crl_ca *crl_ca_signer(const struct crl_ca_set *pinned,
                                   const struct crl_ca_set *given, X509_CRL *crl,
                                   const char *crl_path, const char *crl_sha256,
                                   struct td_error *err)
{
	const struct crl_ca_set *sets[2] = { pinned, given };
	const struct crl_ca *named = NULL;
	X509_NAME *issuer = X509_CRL_get_issuer(crl);
	char name[512];

	for (int s = 0; s < 2; s++)
		for (size_t i = 0; i < sets[s]->n; i++) {
			const struct crl_ca *c = &sets[s]->v[i];
			if (!c->root_id ||
			    X509_NAME_cmp(X509_get_subject_name(c->x), issuer) != 0)
				continue;
			if (X509_CRL_verify(crl, X509_get0_pubkey(c->x)) == 1)
				return c;
			if (!named)
				named = c;
		}
	if (!named)   /* a pinned CA's name in another order: a look-alike */
		named = same_name(pinned, issuer);
	crl_name_text(issuer, name, sizeof name);
	if (named)
		td_error_set_at(err, TD_ERR_PERM, crl_path, 0, NULL, "refused: this CRL "
		                "bears the name of pinned CA %lld but another key signed "
		                "it: pinned SHA-256 %s, presented CRL SHA-256 %s (%s)",
		                (long long)named->root_id, named->cert_sha256, crl_sha256,
		                name);
	else
		td_error_set_at(err, TD_ERR_PERM, crl_path, 0, NULL, "refused: no pinned "
		                "CA issued this CRL (%s); if its CA is the real one, pin "
		                "it first: %s", name, fix);
	return NULL;
}

static int pin_of(const char *path, struct crl_ca *ca, struct td_error *err)
{
	struct crl_ca_set set = { NULL, 0 };
	int rc = crl_ca_load_file(path, &set, err);

	if (rc == TD_OK && set.n != 1)
		rc = td_error_set_at(err, TD_ERR_DATA, path, 0, NULL, "holds %zu "
		                     "certificates; give the CA's own, alone", set.n);
	else if (rc == TD_OK && X509_check_ca(set.v[0].x) < 1)
		rc = td_error_set_at(err, TD_ERR_DATA, path, 0, NULL, "is not a CA "
		                     "certificate (no basicConstraints CA:TRUE): %s",
		                     set.v[0].subject);
	if (rc == TD_OK) {
		*ca = set.v[0];
		set.n = 0;   /* the certificate is the caller's now */
	}
	crl_ca_set_free(&set);
	return rc;
}

static void pin_out(struct td_crl_pin *pin, const char *subject, const char *key,
                    const char *cert)
{
	snprintf(pin->subject, sizeof pin->subject, "%s", subject);
	snprintf(pin->key_sha256, sizeof pin->key_sha256, "%s", key);
	snprintf(pin->cert_sha256, sizeof pin->cert_sha256, "%s", cert);
}

/* A certificate named like a pinned CA with another key is what a forger
 * would ask to pin: refused as at import.  A CA that really changed its
 * key is unpinned first (the operator sees which pin goes). */
static int not_a_look_alike(struct td_registry *reg, const struct crl_ca *ca,
                            const char *path, struct td_error *err)
{
	struct crl_ca_set pinned = { NULL, 0 };
	int rc = crl_ca_load_pinned(reg, &pinned, err);

	for (size_t i = 0; rc == TD_OK && i < pinned.n; i++) {
		const struct crl_ca *p = &pinned.v[i];
		if (strcmp(p->key_sha256, ca->key_sha256) != 0 &&
		    names_alike(X509_get_subject_name(p->x),
		                X509_get_subject_name(ca->x)))
			rc = td_error_set_at(err, TD_ERR_PERM, path, 0, NULL, "refused: "
			                     "this CA certificate bears the name of pinned "
			                     "CA %lld with another key: pinned SHA-256 %s, "
			                     "presented SHA-256 %s; if the CA really has a "
			                     "new key, unpin the old one first (tokendesk "
			                     "crl trust remove %lld)", (long long)p->pinned_id,
			                     p->cert_sha256, ca->cert_sha256,
			                     (long long)p->pinned_id);
	}
	crl_ca_set_free(&pinned);
	return rc;
}

int td_crl_trust_add(struct td_registry *reg, const char *path,
                     struct td_crl_pin *pin, int *added, struct td_error *err)
{
	struct crl_ca ca;
	struct td_crl_ca row;
	unsigned char *der = NULL;
	char *hex = NULL;
	int len, rc;

	memset(pin, 0, sizeof *pin);
	*added = 0;
	if ((rc = pin_of(path, &ca, err)) < 0)
		return rc;
	pin_out(pin, ca.subject, ca.key_sha256, ca.cert_sha256);
	if ((rc = not_a_look_alike(reg, &ca, path, err)) < 0)
		goto out;
	if ((len = i2d_X509(ca.x, &der)) <= 0 || !(hex = malloc(2 * (size_t)len + 1))) {
		rc = td_error_set(err, TD_ERR_NOMEM, "out of memory");
		goto out;
	}
	hex_of(der, (size_t)len, hex);
	row = (struct td_crl_ca){ 0, ca.subject, ca.key_sha256, ca.cert_sha256, hex,
	                          NULL, NULL };
	if ((rc = td_reg_begin(reg, err)) == TD_OK)
		rc = td_reg_end(reg, td_reg_crl_trust_add(reg, &row, added, err), err);
out:
	OPENSSL_free(der);
	free(hex);
	X509_free(ca.x);
	return rc;
}

static int removed(const struct td_crl_ca *row, void *ctx)
{
	pin_out(ctx, row->subject, row->key_sha256, row->cert_sha256);
	return TD_OK;
}

int td_crl_trust_remove(struct td_registry *reg, const char *which,
                        struct td_crl_pin *pin, struct td_error *err)
{
	int rc;

	memset(pin, 0, sizeof *pin);
	if ((rc = td_reg_begin(reg, err)) == TD_OK)
		rc = td_reg_end(reg, td_reg_crl_trust_remove(reg, which, removed, pin,
		                                             err), err);
	return rc;
}
