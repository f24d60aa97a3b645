/* crl.c: a CRL confirms the revocations DOST asked the CA for.  The
 * signature is checked before anything is read from the list: a CRL any
 * other key signed could otherwise mark certificates revoked at will. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "tokendesk/crl.h"
#include "tokendesk/registry.h"
#include "tokendesk/strmap.h"
#include "tokendesk/text.h"

void td_crl_report_free(struct td_crl_report *rep)
{
	for (size_t i = 0; i < rep->nmissing; i++)
		free(rep->missing[i]);
	free(rep->missing);
	rep->missing = NULL;
	rep->nmissing = 0;
}

static X509_CRL *read_crl(const char *path, struct td_error *err)
{
	BIO *b = BIO_new_file(path, "rb");
	X509_CRL *crl = NULL;

	if (!b) {
		td_error_set_at(err, TD_ERR_IO, path, 0, NULL, "cannot open: %m");
		return NULL;
	}
	crl = PEM_read_bio_X509_CRL(b, NULL, NULL, NULL);
	if (!crl) {
		(void)BIO_reset(b);
		crl = d2i_X509_CRL_bio(b, NULL);
	}
	BIO_free(b);
	if (!crl)
		td_error_set_at(err, TD_ERR_DATA, path, 0, NULL,
		                "not a CRL (neither PEM nor DER)");
	return crl;
}

/* 1 when one certificate of the file at path is the CRL's issuer and its
 * key verifies the CRL's signature; 0 if none; <0 on error. */
static int verified_by(X509_CRL *crl, const char *path, struct td_error *err)
{
	BIO *b = BIO_new_file(path, "rb");
	X509 *ca;
	int ok = 0, any = 0;

	if (!b)
		return td_error_set_at(err, TD_ERR_IO, path, 0, NULL, "cannot open: %m");
	while (!ok && (ca = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
		any = 1;
		ok = X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(ca)) == 0 &&
		     X509_CRL_verify(crl, X509_get0_pubkey(ca)) == 1;
		X509_free(ca);
	}
	if (!any) {   /* maybe one DER certificate */
		(void)BIO_reset(b);
		if ((ca = d2i_X509_bio(b, NULL))) {
			any = 1;
			ok = X509_NAME_cmp(X509_CRL_get_issuer(crl),
			                   X509_get_subject_name(ca)) == 0 &&
			     X509_CRL_verify(crl, X509_get0_pubkey(ca)) == 1;
			X509_free(ca);
		}
	}
	BIO_free(b);
	if (!any)
		return td_error_set_at(err, TD_ERR_DATA, path, 0, NULL,
		                       "holds no certificate");
	return ok;
}

/* "CN=.., O=.., C=VN": the order and spacing the registry stores. */
static void name_text(X509_NAME *n, char *out, size_t size)
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

static void date_text(const ASN1_TIME *t, char out[11])
{
	struct tm tm;

	if (t && ASN1_TIME_to_tm(t, &tm) == 1)
		strftime(out, 11, "%Y-%m-%d", &tm);
	else
		td_today(out);
}

static int serial_text(const ASN1_INTEGER *i, char *out, size_t size)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(i, NULL);
	char *hex = bn ? BN_bn2hex(bn) : NULL;
	int rc = hex ? td_serial_hex(hex, out, size) : TD_ERR_NOMEM;

	OPENSSL_free(hex);
	BN_free(bn);
	return rc;
}

static int file_sha256(const char *path, char out[65])
{
	unsigned char md[32], buf[65536];
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!c || !f || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(c);
		if (f)
			fclose(f);
		return -1;
	}
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		EVP_DigestUpdate(c, buf, n);
	fclose(f);
	EVP_DigestFinal_ex(c, md, NULL);
	EVP_MD_CTX_free(c);
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
	return 0;
}

struct missing_ctx {
	struct td_strmap *listed;
	struct td_crl_report *rep;
	int nomem;
};

static int note_missing(const struct td_tag *t, void *ctx)
{
	struct missing_ctx *m = ctx;
	char **v;

	if (strcmp(t->target_kind, "cert") != 0 || strcmp(t->kind, "revoke") != 0 ||
	    strcmp(t->state, "confirmed") == 0 || td_strmap_get(m->listed, t->target))
		return 0;
	v = realloc(m->rep->missing, (m->rep->nmissing + 1) * sizeof *v);
	if (!v || !(v[m->rep->nmissing] = strdup(t->target))) {
		if (v)
			m->rep->missing = v;
		return TD_ERR_NOMEM;
	}
	m->rep->missing = v;
	m->rep->nmissing++;
	return 0;
}

/* One entry of the CRL, read before the write lock is taken. */
struct crl_entry {
	const char *serial;    /* canonical text, in the arena */
	char revoked_on[11];   /* the entry's revocationDate, YYYY-MM-DD (the
	                        * date to store; marked with thisUpdate still) */
	int known;             /* the registry may hold it (a look-up found
	                        * the serial, or could not tell) */
	int was_revoked;       /* ... and it was revoked already */
};

/* The CRL's entries into listed (serial keys, in ar) and *entries (in
 * listing order; freed by the caller): all of the parsing, done before
 * the write lock is taken. */
static int collect_entries(X509_CRL *crl, struct td_strmap *listed,
                           struct td_arena *ar, struct crl_entry **entries,
                           size_t *n, struct td_error *err)
{
	STACK_OF(X509_REVOKED) *revs = X509_CRL_get_REVOKED(crl);
	int count = revs ? sk_X509_REVOKED_num(revs) : 0;

	*n = 0;
	if (!(*entries = calloc((size_t)count + 1, sizeof **entries)))
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	for (int i = 0; i < count; i++) {
		X509_REVOKED *r = sk_X509_REVOKED_value(revs, i);
		struct crl_entry *e = &(*entries)[*n];
		char serial[256], *key;
		if (serial_text(X509_REVOKED_get0_serialNumber(r), serial, sizeof serial) < 0)
			continue;
		if (!(key = td_arena_strdup(ar, serial)) || td_strmap_put(listed, key, key) < 0)
			return td_error_set(err, TD_ERR_NOMEM, "out of memory");
		e->serial = key;
		date_text(X509_REVOKED_get0_revocationDate(r), e->revoked_on);
		(*n)++;
	}
	return TD_OK;
}

/* Which entries the registry holds, and which of those are revoked
 * already: reads only, so done before the write lock (and again under
 * it only if another program wrote in between). */
static void look_up_all(struct td_registry *reg, struct crl_entry *entries,
                        size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char status[32];
		int rc = td_reg_cert_status(reg, entries[i].serial, status,
		                            sizeof status, NULL);
		entries[i].known = rc != 0;   /* an error: mark_all will tell */
		entries[i].was_revoked = rc == 1 && strcmp(status, "revoked") == 0;
	}
}

/* Mark every listed certificate the registry holds; fill rep.  The
 * writes alone: run with the write lock held. */
static int mark_all(struct td_registry *reg, const struct crl_entry *entries,
                    size_t n, struct td_crl_report *rep, struct td_error *err)
{
	int rc = TD_OK, found = 0;

	for (size_t i = 0; rc == TD_OK && i < n; i++) {
		const struct crl_entry *e = &entries[i];
		rep->entries++;
		if (e->known)
			rc = td_reg_cert_mark_revoked(reg, e->serial, rep->issuer,
			                              rep->this_update, &found, err);
		if (!e->known || !found)
			rep->unknown++;
		else if (e->was_revoked)
			rep->already++;
		else
			rep->marked++;
	}
	return rc;
}

int td_crl_import(struct td_registry *reg, const char *path,
                  const char *const *ca_paths, size_t nca,
                  struct td_crl_report *rep, struct td_error *err)
{
	struct td_strmap *listed = td_strmap_new(1024);
	struct td_arena *ar = td_arena_new();
	X509_CRL *crl = NULL;
	struct crl_entry *entries = NULL;
	size_t nentries = 0;
	uint64_t stamp;
	char sha[65], number[128] = "", next[11] = "";
	int rc = TD_OK, ok = 0;

	memset(rep, 0, sizeof *rep);
	if (!listed || !ar) {
		rc = td_error_set(err, TD_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (nca == 0) {
		rc = td_error_set(err, TD_ERR_USAGE, "no CA certificate to verify the "
		                  "CRL with; give --ca FILE");
		goto out;
	}
	if (!(crl = read_crl(path, err))) {
		rc = err ? err->code : TD_ERR_DATA;
		goto out;
	}
	for (size_t i = 0; !ok && i < nca; i++)
		if ((ok = verified_by(crl, ca_paths[i], err)) < 0) {
			rc = ok;
			goto out;
		}
	if (!ok) {
		rc = td_error_set_at(err, TD_ERR_PERM, path, 0, NULL, "refused: its "
		                     "signature does not verify with any configured CA "
		                     "certificate (or no CA is its issuer)");
		goto out;
	}
	name_text(X509_CRL_get_issuer(crl), rep->issuer, sizeof rep->issuer);
	date_text(X509_CRL_get0_lastUpdate(crl), rep->this_update);
	if (X509_CRL_get0_nextUpdate(crl))
		date_text(X509_CRL_get0_nextUpdate(crl), next);
	ASN1_INTEGER *num = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL);
	if (num) {
		serial_text(num, number, sizeof number);
		ASN1_INTEGER_free(num);
	}
	if (file_sha256(path, sha) < 0) {
		rc = td_error_set_at(err, TD_ERR_IO, path, 0, NULL, "cannot read");
		goto out;
	}
	if ((rc = td_reg_crl_newest(reg, rep->issuer, rep->newer, err)) < 0)
		goto out;
	if (strcmp(rep->newer, rep->this_update) <= 0)
		rep->newer[0] = '\0';
	if ((rc = collect_entries(crl, listed, ar, &entries, &nentries, err)) < 0)
		goto out;
	stamp = td_reg_change_stamp(reg);
	look_up_all(reg, entries, nentries);
	/* the write lock from here to td_reg_end, and for the writes only;
	 * the look-ups hold unless another program wrote meanwhile */
	if ((rc = td_reg_begin(reg, err)) < 0)
		goto out;
	if (td_reg_change_stamp(reg) != stamp)
		look_up_all(reg, entries, nentries);
	rc = mark_all(reg, entries, nentries, rep, err);
	if (rc == TD_OK)
		rc = td_reg_crl_record(reg, rep->issuer, number[0] ? number : NULL,
		                       rep->this_update, next[0] ? next : NULL,
		                       rep->entries, sha, err);
	rc = td_reg_end(reg, rc, err);
	if (rc == TD_OK) {
		struct missing_ctx m = { listed, rep, 0 };
		rc = td_reg_each_tag(reg, NULL, 0, note_missing, &m, err);
		if (rc == TD_ERR_NOMEM)
			td_error_set(err, rc, "out of memory");
	}
out:
	free(entries);
	X509_CRL_free(crl);
	td_strmap_free(listed);
	td_arena_free(ar);
	return rc;
}
