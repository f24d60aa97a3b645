/* sign.c: CMS signatures made with a token's key (OpenSSL's CMS over the
 * EVP_PKEY libp11 hands out, so the private key never leaves the token):
 * the PDF signatures of handover records and the audit checkpoints.
 *
 * The PIN is handled as in possession.c (same helpers): never copied,
 * libp11's re-login copy cleansed by releasing the slots on every path. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "tokendesk/secmem.h"
#include "internal.h"
#include "remote.h"

/* The CMS of data signed by key with cert, as DER into *der. */
static int make_cms(X509 *cert, EVP_PKEY *key, const unsigned char *data, size_t len,
                    int detached, unsigned char **der, size_t *der_len)
{
	unsigned flags = CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP | CMS_CADES |
	                 (detached ? CMS_DETACHED : 0);
	BIO *in = BIO_new_mem_buf(data, (int)len);
	CMS_ContentInfo *cms = NULL;
	CMS_SignerInfo *si;
	unsigned char *out = NULL;
	int n = -1;

	if (!in || !(cms = CMS_sign(NULL, NULL, NULL, NULL, flags)))
		goto done;
	si = CMS_add1_signer(cms, cert, key, EVP_sha256(), flags);
	if (!si || CMS_final(cms, in, NULL, flags) != 1)
		goto done;
	n = i2d_CMS_ContentInfo(cms, &out);
done:
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	if (n <= 0)
		return -1;
	/* Hand out plain heap memory, whatever allocator OpenSSL uses. */
	*der = malloc((size_t)n);
	if (*der)
		memcpy(*der, out, (size_t)n);
	OPENSSL_free(out);
	*der_len = (size_t)n;
	return *der ? 0 : -1;
}

/* Sign with the certificate c when it has a key: 1 signed (or failed:
 * rc in *rc), 0 no key. */
static int sign_with(PKCS11_SLOT *slot, PKCS11_CERT *c, const char *pin,
                     const unsigned char *data, size_t len, int detached,
                     unsigned char **der, size_t *der_len, struct td_pop_result *r)
{
	PKCS11_KEY *key = PKCS11_find_key(c);
	EVP_PKEY *priv = key ? PKCS11_get_private_key(key) : NULL;
	int rc;

	if (!priv)
		return 0;
	td_pop_describe_cert(c, r);
	rc = make_cms(c->x509, priv, data, len, detached, der, der_len);
	if (rc != 0) {
		/* A dropped login (a reload behind our back): once more. */
		int in = 0;
		if (PKCS11_is_logged_in(slot, 0, &in) == 0 && !in &&
		    PKCS11_login(slot, 0, pin) == 0)
			rc = make_cms(c->x509, priv, data, len, detached, der, der_len);
	}
	EVP_PKEY_free(priv);
	if (rc != 0)
		return -1;
	r->outcome = TD_POP_MATCH;
	snprintf(r->detail, sizeof r->detail, "%s", N_("signed with the token's key"));
	return 1;
}

static int sign_any(PKCS11_SLOT *slot, const char *cert_serial, const char *pin,
                    const unsigned char *data, size_t len, int detached,
                    unsigned char **der, size_t *der_len, struct td_pop_result *r,
                    struct td_error *err)
{
	PKCS11_CERT *certs = NULL;
	unsigned n = 0;
	int found = 0;

	if (PKCS11_enumerate_certs(slot->token, &certs, &n) != 0)
		return td_error_set(err, TD_ERR_TOKEN, "cannot read the certificates");
	for (int pass = 0; pass < 2; pass++)
		for (unsigned i = 0; i < n; i++) {
			PKCS11_CERT *c = &certs[i];
			int rc;
			if (!c->x509 || (cert_serial && !td_pop_serial_matches(c, cert_serial)))
				continue;
			if (((X509_get_extension_flags(c->x509) & EXFLAG_CA) != 0) != pass)
				continue;
			found = 1;
			rc = sign_with(slot, c, pin, data, len, detached, der, der_len, r);
			if (rc < 0)
				return td_error_set(err, TD_ERR_TOKEN,
				                    "the token failed to sign: %s",
				                    ERR_reason_error_string(ERR_peek_last_error())
				                    ? ERR_reason_error_string(ERR_peek_last_error())
				                    : "unknown error");
			if (rc > 0)
				return TD_OK;
		}
	if (!found && cert_serial)
		return td_error_set(err, TD_ERR_NOTFOUND,
		                    "no certificate with serial %s on the token", cert_serial);
	r->outcome = TD_POP_NO_KEY;
	snprintf(r->detail, sizeof r->detail, "%s", found
	         ? "no certificate on the token has a private key"
	         : "the token holds no certificate");
	return TD_OK;
}

int td_token_sign_cms(struct td_tokens *t, const char *serial, const char *cert_serial,
                      const struct td_secbuf *pin, int force,
                      const unsigned char *data, size_t len, int detached,
                      unsigned char **der, size_t *der_len,
                      struct td_pop_result *r, struct td_error *err)
{
	struct td_module *m = NULL;
	PKCS11_SLOT *slot;
	int rc;

	memset(r, 0, sizeof *r);
	r->tries_left = -1;
	*der = NULL;
	*der_len = 0;
	td_error_clear(err);
	if (t->remote)   /* the module runs in its helper (remote.h) */
		return td_remote_sign(t, serial, cert_serial, pin, force, data, len,
		                      detached, der, der_len, r, err);
	ERR_clear_error();
	if (!(slot = td_pop_find_slot(t, serial, NULL, &m, err)))
		return err && err->code ? err->code
		       : td_error_set(err, TD_ERR_NOTFOUND, "no token with serial %s",
		                      serial);
	if (td_pop_refuse_early(td_flags_from_token(slot->token), force, r))
		return TD_OK;
	if (!pin)
		return td_error_set(err, TD_ERR_USAGE, "a PIN is needed to log in");
	if (PKCS11_login(slot, 0, td_secbuf_str(pin)) != 0) {
		td_pop_pin_refused(t, serial, m, r);
		return TD_OK;
	}
	rc = sign_any(slot, cert_serial, td_secbuf_str(pin), data, len, detached, der,
	              der_len, r, err);
	PKCS11_logout(slot);
	td_module_release_slots(m);
	ERR_clear_error();
	if (rc < 0 || r->outcome != TD_POP_MATCH) {
		free(*der);
		*der = NULL;
	}
	return rc;
}
