/* checkpoint.c: signing the audit chain's head with a token, and checking
 * checkpoints (stored or kept elsewhere) against the chain as it is. */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/pem.h>    /* before cms.h: it declares PEM_*_CMS */
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "tokendesk/checkpoint.h"
#include "tokendesk/registry.h"
#include "registry/txn.h"
#include "tokendesk/text.h"
#include "tokendesk/token.h"
#include "workflow/sign_trust.h"

#define CP_TITLE "tokendesk audit checkpoint\n"

static char *der_to_pem(const unsigned char *der, size_t len)
{
	const unsigned char *q = der;
	CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &q, (long)len);
	BIO *b = BIO_new(BIO_s_mem());
	char *pem = NULL, *data;
	long n;

	if (cms && b && PEM_write_bio_CMS(b, cms) == 1 &&
	    (n = BIO_get_mem_data(b, &data)) > 0 && (pem = malloc((size_t)n + 1))) {
		memcpy(pem, data, (size_t)n);
		pem[n] = '\0';
	}
	CMS_ContentInfo_free(cms);
	BIO_free(b);
	return pem;
}

int td_checkpoint_sign(struct td_registry *reg, struct td_tokens *t,
                       const char *token_serial, const struct td_secbuf *pin,
                       int force, char **pem, int64_t *head_id, int64_t *id,
                       struct td_pop_result *res, struct td_error *err)
{
	struct td_checkpoint cp = { 0 };
	char hash[65], text[256], now[21];
	unsigned char *der = NULL;
	size_t der_len = 0;
	time_t tt = time(NULL);
	struct tm tm;
	int rc;

	*pem = NULL;
	if ((rc = td_reg_audit_head(reg, head_id, hash, err)) < 0)
		return rc;
	if (*head_id == 0)
		return td_error_set(err, TD_ERR_NOTFOUND, "the audit log is empty");
	gmtime_r(&tt, &tm);
	strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(text, sizeof text, CP_TITLE "head %" PRId64 " %s\nsigned-at %s\n",
	         *head_id, hash, now);
	rc = td_token_sign_cms(t, token_serial, NULL, pin, force,
	                       (const unsigned char *)text, strlen(text), 0, &der,
	                       &der_len, res, err);
	if (rc < 0 || res->outcome != TD_POP_MATCH)
		return rc;
	*pem = der_to_pem(der, der_len);
	free(der);
	if (!*pem)
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	cp.head_id = *head_id;
	cp.head_hash = hash;
	cp.signed_at = now;
	cp.signer_serial = res->cert_serial;
	cp.signer_subject = res->subject;
	cp.cms_pem = *pem;
	if ((rc = td_reg_begin(reg, err)) == TD_OK)
		rc = td_reg_end(reg, td_reg_checkpoint_add(reg, &cp, id, err), err);
	if (rc < 0) {
		free(*pem);
		*pem = NULL;
	}
	return rc;
}

static CMS_ContentInfo *read_cms(const unsigned char *data, size_t len)
{
	BIO *b = BIO_new_mem_buf(data, (int)len);
	CMS_ContentInfo *cms = b ? PEM_read_bio_CMS(b, NULL, NULL, NULL) : NULL;

	if (!cms && b) {
		const unsigned char *q = data;
		cms = d2i_CMS_ContentInfo(NULL, &q, (long)len);
	}
	BIO_free(b);
	return cms;
}

static void signer_of(CMS_ContentInfo *cms, struct td_checkpoint_check *c)
{
	/* Despite its name, CMS_get0_signers makes a new stack (of
	 * borrowed certificates): free the stack, not them. */
	STACK_OF(X509) *signers = CMS_get0_signers(cms);
	X509 *x = signers && sk_X509_num(signers) > 0 ? sk_X509_value(signers, 0) : NULL;
	BIGNUM *bn;
	char *hex;
	int i;

	if (!x) {
		sk_X509_free(signers);
		return;
	}
	bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	if (bn && (hex = BN_bn2hex(bn))) {
		td_serial_hex(hex, c->signer_serial, sizeof c->signer_serial);
		OPENSSL_free(hex);
	}
	BN_free(bn);
	i = X509_NAME_get_index_by_NID(X509_get_subject_name(x), NID_commonName, -1);
	if (i >= 0) {
		unsigned char *utf8 = NULL;
		if (ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(
		        X509_NAME_get_entry(X509_get_subject_name(x), i))) >= 0)
			snprintf(c->signer_cn, sizeof c->signer_cn, "%s", utf8);
		OPENSSL_free(utf8);
	}
	sk_X509_free(signers);
}

/* 1 when the CMS's signer chains to a pinned CA. */
static int signer_trusted(CMS_ContentInfo *cms, X509_STORE *trust)
{
	STACK_OF(X509) *signers = CMS_get0_signers(cms), *carried = CMS_get1_certs(cms);
	int ok = signers && sk_X509_num(signers) > 0 &&
	         td_sign_cert_trusted(trust, sk_X509_value(signers, 0), carried);

	sk_X509_free(signers);
	sk_X509_pop_free(carried, X509_free);
	return ok;
}

/* Verify the CMS and read the head it signs into c. */
static void check_signature(const unsigned char *data, size_t len,
                            X509_STORE *trust, struct td_checkpoint_check *c)
{
	CMS_ContentInfo *cms = read_cms(data, len);
	BIO *out = BIO_new(BIO_s_mem());
	char text[512] = "", hash[65];
	long long id;
	int n = 0;

	ERR_clear_error();
	if (!cms) {
		snprintf(c->detail, sizeof c->detail, "not a CMS signature");
	} else if (CMS_verify(cms, NULL, NULL, NULL, out,
	                      CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) != 1) {
		snprintf(c->detail, sizeof c->detail, "its signature does not verify");
	} else if ((n = BIO_read(out, text, sizeof text - 1)) <= 0 ||
	           (text[n] = '\0', strncmp(text, CP_TITLE, strlen(CP_TITLE)) != 0) ||
	           sscanf(text + strlen(CP_TITLE), "head %lld %64s\nsigned-at %31s", &id,
	                  hash, c->signed_at) != 3 || strlen(hash) != 64) {
		snprintf(c->detail, sizeof c->detail, "signed, but not an audit checkpoint");
	} else {
		c->valid = 1;
		c->head_id = (int64_t)id;
		memcpy(c->head_hash, hash, sizeof hash);
	}
	if (cms)
		signer_of(cms, c);
	c->trusted = c->valid && trust && signer_trusted(cms, trust);
	if (c->valid && !c->trusted)
		snprintf(c->detail, sizeof c->detail, "its signer's certificate was not "
		         "issued by a CA pinned with `tokendesk crl trust add`");
	CMS_ContentInfo_free(cms);
	BIO_free(out);
	ERR_clear_error();
}

int td_checkpoint_verify(struct td_registry *reg, const unsigned char *data,
                         size_t len, struct td_checkpoint_check *c,
                         struct td_error *err)
{
	X509_STORE *trust;
	int rc, ncas;

	memset(c, 0, sizeof *c);
	c->stored_agrees = 1;
	if (!(trust = td_sign_trust_store(reg, &ncas, err)))
		return err->code;
	check_signature(data, len, trust, c);
	X509_STORE_free(trust);
	if (!c->valid)
		return TD_OK;
	rc = td_reg_audit_hash_of(reg, c->head_id, c->now_hash, err);
	if (rc == TD_ERR_NOTFOUND) {
		snprintf(c->detail, sizeof c->detail, "audit row %" PRId64 " it signed is "
		         "gone: the chain was cut or rewritten since", c->head_id);
		return TD_OK;
	}
	if (rc < 0)
		return rc;
	c->in_chain = strcmp(c->now_hash, c->head_hash) == 0;
	if (!c->in_chain)
		snprintf(c->detail, sizeof c->detail, "audit row %" PRId64 " no longer has "
		         "the hash it signed: the chain was rewritten since", c->head_id);
	return TD_OK;
}

struct stored_ctx {
	struct td_registry *reg;
	int (*fn)(const struct td_checkpoint_check *c, void *ctx);
	void *ctx;
	struct td_error *err;
	int rc;
};

static int check_stored(const struct td_checkpoint *cp, void *vctx)
{
	struct stored_ctx *s = vctx;
	struct td_checkpoint_check c;

	s->rc = td_checkpoint_verify(s->reg, (const unsigned char *)cp->cms_pem,
	                             strlen(cp->cms_pem), &c, s->err);
	if (s->rc < 0)
		return 1;
	c.stored_id = cp->id;
	c.stored_agrees = c.valid && c.head_id == cp->head_id &&
	                  strcmp(c.head_hash, cp->head_hash) == 0;
	if (c.valid && !c.stored_agrees)
		snprintf(c.detail, sizeof c.detail, "its stored head differs from the head "
		         "it signed: the stored checkpoint was edited");
	return s->fn(&c, s->ctx);
}

int td_checkpoint_verify_stored(struct td_registry *reg,
                                int (*fn)(const struct td_checkpoint_check *c,
                                          void *ctx),
                                void *ctx, struct td_error *err)
{
	struct stored_ctx s = { reg, fn, ctx, err, TD_OK };
	int rc = td_reg_checkpoint_each(reg, check_stored, &s, err);

	return s.rc < 0 ? s.rc : rc;
}
