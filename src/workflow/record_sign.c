/* record_sign.c: a handover record signed with the parties' tokens, and
 * the check of a signed (or printed) record against the registry.
 *
 * The rules: the file must be this record before it is signed (its QR
 * text, kept in the PDF's Keywords, names the number and the content
 * digest); the signer's box is the giver's or the receiver's, whichever
 * the registry says holds the certificate; every signature made is
 * recorded on the handover with the SHA-256 of the file as written, so a
 * file can later be told to be the record the registry knows. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "tokendesk/handover.h"
#include "tokendesk/registry.h"
#include "registry/txn.h"
#include "tokendesk/text.h"
#include "tokendesk/token.h"
#include "workflow/pdf_inc.h"
#include "workflow/record_internal.h"
#include "workflow/sign_trust.h"

#define BOX_SCALE 3             /* picture pixels per point */

/* ---- who is who ----------------------------------------------------------- */

/* 1 giver (the handover's, or any item's), 2 receiver, 0 neither. */
static int party_of(struct td_registry *reg, const struct td_record *r,
                    const char *serial_hex)
{
	struct td_error err;

	if (r->from && td_reg_party_holds_cert(reg, r->from, serial_hex, &err) > 0)
		return 1;
	for (size_t i = 0; !r->from && i < r->nitems; i++)
		if (td_reg_party_holds_cert(reg, r->items[i].from, serial_hex, &err) > 0)
			return 1;
	if (td_reg_party_holds_cert(reg, r->to, serial_hex, &err) > 0)
		return 2;
	return 0;
}

/* ---- signing --------------------------------------------------------------- */

struct signer {
	char serial[80], cn[256], o[256], issuer[512], subject[512];
};

static int pick_cert(struct td_tokens *t, const char *token_serial, struct signer *s,
                     struct td_error *err)
{
	struct td_snap *snap = NULL;
	const struct td_snap_token *tok;
	int rc;

	if ((rc = td_tokens_scan(t, &snap, err)) < 0)
		return rc;
	if (!(tok = td_snap_find(snap, token_serial, NULL))) {
		td_snap_free(snap);
		return td_error_set(err, TD_ERR_NOTFOUND, "no token with serial %s is present",
		                    token_serial);
	}
	rc = td_error_set(err, TD_ERR_NOTFOUND, "token %s holds no certificate to sign with",
	                  token_serial);
	for (size_t i = 0; i < tok->ncerts; i++) {
		const struct td_snap_cert *c = &tok->certs[i];
		const char *cn, *o;
		if (c->malformed || c->is_ca)
			continue;
		cn = td_dn_get(&c->subject, "CN");
		o = td_dn_get(&c->subject, "O");
		snprintf(s->serial, sizeof s->serial, "%s", c->serial);
		snprintf(s->cn, sizeof s->cn, "%s", cn ? cn : "");
		snprintf(s->o, sizeof s->o, "%s", o ? o : "");
		snprintf(s->issuer, sizeof s->issuer, "%s", c->issuer.text ? c->issuer.text : "");
		snprintf(s->subject, sizeof s->subject, "%s", c->subject.text ? c->subject.text : "");
		rc = TD_OK;
		break;
	}
	td_snap_free(snap);
	return rc;
}

/* The giver's (0) or the receiver's (1) box from "sigbox=a,b,c,d;e,f,g,h". */
static int box_of(const char *keywords, int which, double rect[4])
{
	const char *s = strstr(keywords, "sigbox=");
	double v[8];

	if (!s || sscanf(s, "sigbox=%lf,%lf,%lf,%lf;%lf,%lf,%lf,%lf", &v[0], &v[1], &v[2],
	                 &v[3], &v[4], &v[5], &v[6], &v[7]) != 8)
		return -1;
	memcpy(rect, v + 4 * which, 4 * sizeof *rect);
	return 0;
}

/* The picture of the box, drawn by the PDF helper into a temporary file. */
static int draw_box(const struct signer *s, const double rect[4], time_t now,
                    unsigned char **pgm, size_t *len, struct td_error *err)
{
	char l1[400], l2[400], l3[80], when[64], path[4200];
	const char *tmp = getenv("TMPDIR");
	const char *lines[] = { l1, l2, l3 };
	struct tm tm;
	FILE *f;
	long n;
	int fd, rc;

	localtime_r(&now, &tm);
	strftime(when, sizeof when, "%d/%m/%Y %H:%M:%S %z", &tm);
	snprintf(l1, sizeof l1, "Ký bởi: %s", s->cn);
	snprintf(l2, sizeof l2, "Cơ quan: %s", s->o);
	snprintf(l3, sizeof l3, "Thời gian: %s", when);
	snprintf(path, sizeof path, "%s/tokendesk-box-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if ((fd = mkstemp(path)) < 0)
		return td_error_set(err, TD_ERR_IO, "temporary file: %s", strerror(errno));
	close(fd);
	rc = td_record_spawn_sigbox(lines, 3, (int)((rect[2] - rect[0]) * BOX_SCALE),
	                            (int)((rect[3] - rect[1]) * BOX_SCALE), path, err);
	if (rc == TD_OK && (f = fopen(path, "rb"))) {
		fseek(f, 0, SEEK_END);
		n = ftell(f);
		rewind(f);
		*pgm = n > 0 ? malloc((size_t)n) : NULL;
		*len = *pgm ? fread(*pgm, 1, (size_t)n, f) : 0;
		fclose(f);
		if (!*pgm)
			rc = td_error_set(err, TD_ERR_IO, "the signature's picture is empty");
	}
	unlink(path);
	return rc;
}

struct sign_ctx {
	struct td_tokens *t;
	const char *token_serial, *cert_serial;
	const struct td_secbuf *pin;
	int force, refused;
	struct td_pop_result *res;
};

static int sign_bytes(const unsigned char *data, size_t len, unsigned char **der,
                      size_t *der_len, void *ctx, struct td_error *err)
{
	struct sign_ctx *c = ctx;
	int rc = td_token_sign_cms(c->t, c->token_serial, c->cert_serial, c->pin,
	                           c->force, data, len, 1, der, der_len, c->res, err);

	if (rc == TD_OK && c->res->outcome != TD_POP_MATCH) {
		c->refused = 1;
		return td_error_set(err, TD_ERR_PIN, "%s", c->res->detail);
	}
	return rc;
}

static int record_sig(struct td_registry *reg, const struct td_record *r,
                      const struct signer *s, const char *digest,
                      struct td_error *err)
{
	struct td_handover_sig sig = { 0 };
	char now[21];
	time_t t = time(NULL);
	struct tm tm;
	int rc;

	gmtime_r(&t, &tm);
	strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
	sig.handover_id = r->id;
	sig.signer_serial = s->serial;
	sig.signer_issuer = s->issuer;
	sig.signer_subject = s->subject;
	sig.signed_at = now;
	sig.pdf_sha256 = digest;
	if ((rc = td_reg_begin(reg, err)) == TD_OK)
		rc = td_reg_end(reg, td_reg_handover_sig_add(reg, &sig, NULL, err), err);
	return rc;
}

/* A file already signed gets one more signature only when it is whole:
 * every signature valid and recorded on r, nothing after the last one
 * (else a second party would sign what someone changed).  An unsigned
 * file proves nothing of its content: it is drawn again from the
 * registry (*redraw). */
static int fit_to_sign(struct td_registry *reg, const struct td_record *r,
                       const char *path, int *redraw, struct td_error *err)
{
	struct td_record_check c;
	int rc = td_record_verify(reg, r, path, &c, err);

	*redraw = 0;
	if (rc < 0)
		return rc;
	if (c.nsigs == 0) {
		*redraw = 1;
		return TD_OK;
	}
	for (size_t i = 0; i < c.nsigs; i++)
		if (!c.sigs[i].valid || !c.sigs[i].registered ||
		    (i + 1 == c.nsigs && !c.sigs[i].covers_all))
			return td_error_set(err, TD_ERR_DATA, "%s was changed after its "
			                    "signatures, or holds one the registry did not "
			                    "record for %s: not signed", path, r->number);
	return TD_OK;
}

/* Render the record at path unless a file is there; then it must be r's. */
static int ensure_record(struct td_registry *reg, const struct td_record *r,
                         const char *path, int *made, struct pdf_file *p,
                         char *keywords, size_t kwsize, struct td_error *err)
{
	char qr[160];
	int rc, redraw = 0;

	*made = 0;
	if (access(path, F_OK) != 0) {
		if ((rc = td_record_write_pdf(r, NULL, path, err)) < 0)
			return rc;
		*made = 1;
	}
	if ((rc = pdf_file_load(path, p, err)) < 0)
		return rc;
	if ((rc = td_record_qr_text(r, qr, sizeof qr, err)) < 0)
		return rc;
	if (pdf_keywords(p, keywords, kwsize) < 0 || strncmp(keywords, qr, strlen(qr)) != 0 ||
	    (keywords[strlen(qr)] != ' ' && keywords[strlen(qr)] != '\0'))
		return td_error_set(err, TD_ERR_DATA, "%s is not the record of handover %s "
		                    "as the registry holds it", path, r->number);
	if (*made || (rc = fit_to_sign(reg, r, path, &redraw, err)) < 0 || !redraw)
		return rc < 0 ? rc : TD_OK;
	pdf_file_free(p);
	if ((rc = td_record_write_pdf(r, NULL, path, err)) < 0 ||
	    (rc = pdf_file_load(path, p, err)) < 0)
		return rc;
	return pdf_keywords(p, keywords, kwsize) < 0
	       ? td_error_set(err, TD_ERR_INTERNAL, "the record drawn has no keywords")
	       : TD_OK;
}

int td_record_sign(struct td_registry *reg, const struct td_record *r,
                   const char *path, struct td_tokens *t, const char *token_serial,
                   const struct td_secbuf *pin, int force,
                   struct td_pop_result *res, struct td_error *err)
{
	struct sign_ctx ctx = { t, token_serial, NULL, pin, force, 0, res };
	struct pdf_file p = { 0 };
	struct pdf_look look = { 0 };
	struct signer s;
	char keywords[600], digest[65], when[40];
	unsigned char *pgm = NULL;
	time_t now = time(NULL);
	struct tm tm;
	int made = 0, rc, party;

	memset(res, 0, sizeof *res);
	res->tries_left = -1;
	if ((rc = pick_cert(t, token_serial, &s, err)) < 0)
		return rc;
	ctx.cert_serial = s.serial;
	if ((rc = ensure_record(reg, r, path, &made, &p, keywords, sizeof keywords,
	                        err)) < 0)
		goto done;
	party = party_of(reg, r, s.serial);
	if (box_of(keywords, party == 2 ? 1 : 0, look.rect) < 0) {
		rc = td_error_set(err, TD_ERR_DATA, "%s has no place for signatures", path);
		goto done;
	}
	if ((rc = draw_box(&s, look.rect, now, &pgm, &look.pgm_len, err)) < 0)
		goto done;
	look.pgm = pgm;
	localtime_r(&now, &tm);
	strftime(when, sizeof when, "D:%Y%m%d%H%M%S", &tm);
	{
		long off = tm.tm_gmtoff / 60;
		snprintf(when + strlen(when), sizeof when - strlen(when), "%c%02ld'%02ld'",
		         off < 0 ? '-' : '+', labs(off) / 60, labs(off) % 60);
	}
	look.when = when;
	rc = pdf_sign_append(&p, path, &look, sign_bytes, &ctx, digest, err);
	if (ctx.refused) {
		rc = TD_OK;     /* the outcome is in *res; nothing was signed */
		goto done;
	}
	if (rc == TD_OK)
		rc = record_sig(reg, r, &s, digest, err);
done:
	if ((rc < 0 || ctx.refused) && made)
		unlink(path);
	free(pgm);
	pdf_file_free(&p);
	return rc;
}

/* ---- verifying -------------------------------------------------------------- */

struct digests {
	char (*hex)[65];
	size_t n;
};

static int collect_digest(const struct td_handover_sig *s, void *ctx)
{
	struct digests *d = ctx;
	char (*m)[65] = realloc(d->hex, (d->n + 1) * sizeof *m);

	if (!m)
		return TD_ERR_NOMEM;
	d->hex = m;
	snprintf(d->hex[d->n++], 65, "%s", s->pdf_sha256);
	return 0;
}

static void name_entry(X509_NAME *name, int nid, char *out, size_t size)
{
	int i = X509_NAME_get_index_by_NID(name, nid, -1);
	unsigned char *utf8 = NULL;

	out[0] = '\0';
	if (i < 0 || ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(
	                                     X509_NAME_get_entry(name, i))) < 0)
		return;
	snprintf(out, size, "%s", utf8);
	OPENSSL_free(utf8);
}

static void describe_signer(X509 *x, struct td_record_sig_check *c)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	char *hex = bn ? BN_bn2hex(bn) : NULL;

	if (hex)
		td_serial_hex(hex, c->signer_serial, sizeof c->signer_serial);
	OPENSSL_free(hex);
	BN_free(bn);
	name_entry(X509_get_subject_name(x), NID_commonName, c->signer_cn,
	           sizeof c->signer_cn);
	name_entry(X509_get_subject_name(x), NID_organizationName, c->signer_o,
	           sizeof c->signer_o);
}

static void check_sig(const struct pdf_file *p, const struct pdf_sig *sg,
                      const struct digests *d, X509_STORE *trust,
                      struct td_record_sig_check *c)
{
	const unsigned char *q = sg->der;
	CMS_ContentInfo *cms;
	size_t end = (size_t)(sg->range[2] + sg->range[3]);
	unsigned char md[32];
	char hex[65];
	BIO *data;
	STACK_OF(X509) *signers;

	memset(c, 0, sizeof *c);
	if (!sg->der) {
		snprintf(c->detail, sizeof c->detail, "a signature whose byte range or "
		         "contents cannot be read");
		return;
	}
	cms = d2i_CMS_ContentInfo(NULL, &q, (long)sg->der_len);
	data = BIO_new(BIO_s_mem());
	c->covers_all = end == p->len;
	BIO_write(data, p->buf, (int)sg->range[1]);
	BIO_write(data, p->buf + sg->range[2], (int)sg->range[3]);
	ERR_clear_error();
	if (!cms)
		snprintf(c->detail, sizeof c->detail, "its contents are not a CMS signature");
	else if (CMS_verify(cms, NULL, NULL, data, NULL,
	                    CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) == 1)
		c->valid = 1;
	else
		snprintf(c->detail, sizeof c->detail, "the signature does not match the "
		         "signed bytes (the file was changed)");
	/* CMS_get0_signers makes a new stack of borrowed certificates. */
	if (cms && (signers = CMS_get0_signers(cms))) {
		if (sk_X509_num(signers) > 0) {
			STACK_OF(X509) *carried = CMS_get1_certs(cms);
			describe_signer(sk_X509_value(signers, 0), c);
			c->trusted = trust && c->valid &&
			             td_sign_cert_trusted(trust, sk_X509_value(signers, 0), carried);
			sk_X509_pop_free(carried, X509_free);
		}
		sk_X509_free(signers);
	}
	if (cms && !c->signer_serial[0]) {
		STACK_OF(X509) *certs = CMS_get1_certs(cms);
		if (certs && sk_X509_num(certs) > 0)
			describe_signer(sk_X509_value(certs, 0), c);
		sk_X509_pop_free(certs, X509_free);
	}
	EVP_Digest(p->buf, end, md, NULL, EVP_sha256(), NULL);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->hex[i], hex) == 0)
			c->registered = 1;
	CMS_ContentInfo_free(cms);
	BIO_free(data);
	ERR_clear_error();
}

int td_record_verify(struct td_registry *reg, const struct td_record *r,
                     const char *path, struct td_record_check *out,
                     struct td_error *err)
{
	struct pdf_file p;
	struct pdf_sig *sigs = NULL;
	struct digests d = { NULL, 0 };
	char qr[160], kw[600], *sp;
	X509_STORE *trust;
	size_t n = 0;
	int rc, ncas;

	memset(out, 0, sizeof *out);
	if (!(trust = td_sign_trust_store(reg, &ncas, err)))
		return err->code;
	if ((rc = pdf_file_load(path, &p, err)) < 0) {
		X509_STORE_free(trust);
		return rc;
	}
	if ((rc = td_record_qr_text(r, qr, sizeof qr, err)) < 0 ||
	    (rc = pdf_find_sigs(&p, &sigs, &n, err)) < 0 ||
	    (rc = td_reg_handover_sig_each(reg, r->id, collect_digest, &d, err)) < 0)
		goto done;
	if (pdf_keywords(&p, kw, sizeof kw) == 0) {
		if ((sp = strchr(kw, ' ')))
			*sp = '\0';
		kw[sizeof out->file_qr - 1] = '\0';
		memcpy(out->file_qr, kw, strlen(kw) + 1);
	}
	out->content_match = strcmp(out->file_qr, qr) == 0;
	/* Unsigned, nothing proves what the file says beyond its QR text. */
	out->all_hold = out->content_match && n > 0;
	out->nsigs = n < 8 ? n : 8;
	for (size_t i = 0; i < out->nsigs; i++) {
		struct td_record_sig_check *c = &out->sigs[i];
		check_sig(&p, &sigs[i], &d, trust, c);
		c->party = c->signer_serial[0] ? party_of(reg, r, c->signer_serial) : 0;
		if (!c->valid || !c->registered || !c->party || !c->trusted ||
		    (i + 1 == out->nsigs && !c->covers_all))
			out->all_hold = 0;
	}
	if (n > 8)
		out->all_hold = 0;
done:
	X509_STORE_free(trust);
	free(d.hex);
	pdf_sigs_free(sigs, n);
	pdf_file_free(&p);
	return rc;
}

/* ---- the QR code scanned at the desk ----------------------------------------- */

int td_record_is_qr(const char *text)
{
	const char *a, *b;

	if (!text || strncmp(text, TD_REC_QR_PREFIX, strlen(TD_REC_QR_PREFIX)) != 0)
		return 0;
	a = text + strlen(TD_REC_QR_PREFIX);
	b = strrchr(a, ':');
	if (!b || b == a || strlen(b + 1) != 64)
		return 0;
	for (const char *s = b + 1; *s; s++)
		if (!strchr("0123456789abcdefABCDEF", *s))
			return 0;
	return 1;
}

int td_record_check_qr(struct td_registry *reg, const char *text,
                       struct td_record *r, int *match, struct td_error *err)
{
	char number[TD_HANDOVER_NUMBER_MAX + 1], hex[65];
	const char *a, *b;
	int rc;

	*match = 0;
	memset(r, 0, sizeof *r);
	if (!td_record_is_qr(text))
		return td_error_set(err, TD_ERR_USAGE, "not the QR code of a handover record");
	a = text + strlen(TD_REC_QR_PREFIX);
	b = strrchr(a, ':');
	if ((size_t)(b - a) > TD_HANDOVER_NUMBER_MAX)
		return td_error_set(err, TD_ERR_USAGE, "not the QR code of a handover record");
	memcpy(number, a, (size_t)(b - a));
	number[b - a] = '\0';
	if ((rc = td_record_load(reg, number, r, err)) < 0)
		return rc;
	if ((rc = td_record_content_sha256(r, hex, err)) < 0)
		return rc;
	*match = strcasecmp(hex, b + 1) == 0;
	return TD_OK;
}
