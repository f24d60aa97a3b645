/* sign_trust.c: the pinned CAs as an OpenSSL store, and the chain check
 * of a signer's certificate against it. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "tokendesk/registry.h"
#include "workflow/sign_trust.h"

struct load_ctx {
	X509_STORE *store;
	int n;
};

static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static int add_ca(const struct td_crl_ca *ca, void *vctx)
{
	struct load_ctx *c = vctx;
	size_t len = ca->cert_hex ? strlen(ca->cert_hex) / 2 : 0;
	unsigned char *der = malloc(len + 1);
	const unsigned char *q = der;
	X509 *x = NULL;

	if (!der)
		return TD_ERR_NOMEM;
	for (size_t i = 0; i < len; i++)
		der[i] = (unsigned char)(hexval(ca->cert_hex[2 * i]) << 4 |
		                         hexval(ca->cert_hex[2 * i + 1]));
	if ((x = d2i_X509(NULL, &q, (long)len)) && X509_STORE_add_cert(c->store, x) == 1)
		c->n++;
	X509_free(x);
	free(der);
	ERR_clear_error();
	return 0;
}

X509_STORE *td_sign_trust_store(struct td_registry *reg, int *n, struct td_error *err)
{
	struct load_ctx c = { X509_STORE_new(), 0 };

	*n = 0;
	if (!c.store) {
		td_error_set(err, TD_ERR_NOMEM, "out of memory");
		return NULL;
	}
	if (td_reg_crl_trust_each(reg, add_ca, &c, err) < 0) {
		X509_STORE_free(c.store);
		return NULL;
	}
	*n = c.n;
	return c.store;
}

int td_sign_cert_trusted(X509_STORE *store, X509 *cert, STACK_OF(X509) *untrusted)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int ok = 0;

	if (ctx && X509_STORE_CTX_init(ctx, store, cert, untrusted) == 1) {
		/* The official certificates' purposes vary by issue; the
		 * chain and the dates are what this check is for. */
		X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_ANY);
		ok = X509_verify_cert(ctx) == 1;
	}
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}
