/* crl.c: a CRL confirms the revocations DOST asked the CA for.  The
 * signature is checked before anything is read from the list: a CRL any
 * other key signed could otherwise mark certificates revoked at will.
 * Only a pinned key counts (crl trust add): a CA certificate given with
 * the CRL proves nothing by itself, since anyone can make one with the
 * real CA's name; it must be pinned or signed by a pinned CA. */
#include <config.h>

#include <errno.h>
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
#include "registry/txn.h"
#include "tokendesk/strmap.h"
#include "tokendesk/text.h"
#include "workflow/crl_internal.h"

void td_crl_report_free(struct td_crl_report *rep)
{
	for (size_t i = 0; i < rep->nmissing; i++)
		free(rep->missing[i]);
	free(rep->missing);
	rep->missing = NULL;
	rep->nmissing = 0;
	for (size_t i = 0; i < rep->nwarnings; i++)
		free(rep->warnings[i].holder);
	free(rep->warnings);
	rep->warnings = NULL;
	rep->nwarnings = 0;
}

static X509_CRL *read_crl(const char *path, struct td_error *err)
{
	BIO *b = BIO_new_file(path, "rb");
	X509_CRL *crl = NULL;

	if (!b) {
		td_error_set_at(err, errno == ENOENT || errno == ENOTDIR ? TD_ERR_NOTFOUND
		                : TD_ERR_IO, path, 0, NULL, "cannot open: %m");
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

/* A certificate this CRL newly revokes though its tag says keep it or
 * change its details: remembered for a warning. */
static int note_tagged(struct td_registry *reg, const char *serial,
                       const char *date, const char *holder,
                       struct td_crl_report *rep)
{
	struct td_crl_warning *v = NULL;
	char *kind = NULL;
	int keep;

	if (td_reg_cert_tag(reg, serial, &kind, NULL, NULL) < 0)
		return TD_OK;
	keep = strcmp(kind, "keep") == 0 || strcmp(kind, "change_info") == 0;
	if (keep && (v = realloc(rep->warnings, (rep->nwarnings + 1) * sizeof *v))) {
		rep->warnings = v;
		v += rep->nwarnings++;
		memset(v, 0, sizeof *v);
		snprintf(v->serial, sizeof v->serial, "%s", serial);
		snprintf(v->tag, sizeof v->tag, "%s", kind);
		snprintf(v->revoked_at, sizeof v->revoked_at, "%s", date);
		v->holder = holder ? strdup(holder) : NULL;
	}
	free(kind);
	return keep && !v ? TD_ERR_NOMEM : TD_OK;
}

/* One entry of the CRL, read before the write lock is taken. */
struct crl_entry {
	const char *serial;    /* canonical text, in the arena */
	char revoked_on[11];   /* the entry's revocationDate, YYYY-MM-DD: the
	                        * day the CA revoked it, the date stored */
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
		if (!(key = td_arena_strdup(ar, serial)) || td_strmap_put(listed, key, e) < 0)
			return td_error_set(err, TD_ERR_NOMEM, "out of memory");
		e->serial = key;
		date_text(X509_REVOKED_get0_revocationDate(r), e->revoked_on);
		(*n)++;
	}
	return TD_OK;
}

/* Whether the registry holds e's certificate, and whether revoked. */
static void look_up(struct td_registry *reg, struct crl_entry *e)
{
	char status[32];
	int rc = td_reg_cert_status(reg, e->serial, status, sizeof status, NULL);

	e->known = rc != 0;   /* an error: mark_all will tell */
	e->was_revoked = rc == 1 && strcmp(status, "revoked") == 0;
}

/* Which entries the registry holds, and which of those are revoked
 * already: reads only, so done before the write lock. */
static void look_up_all(struct td_registry *reg, struct crl_entry *entries,
                        size_t n)
{
	for (size_t i = 0; i < n; i++)
		look_up(reg, &entries[i]);
}

struct recheck {
	struct td_registry *reg;
	struct td_strmap *listed;   /* serial as the CRL writes it -> entry */
};

/* One certificate another program wrote meanwhile: its entry, if the
 * CRL lists it, is looked up again. */
static int recheck_one(const char *serial, void *ctx)
{
	struct recheck *r = ctx;
	char canon[256];
	struct crl_entry *e = td_strmap_get(r->listed, serial);

	if (!e && td_serial_hex(serial, canon, sizeof canon) == 0)
		e = td_strmap_get(r->listed, canon);
	if (e)
		look_up(r->reg, e);
	return 0;
}

/* Under the write lock: the look-ups another program's writes since
 * audit row head made stale, and only those (all of them after a bulk
 * import), so the lock is held for the writes, not for 50,000 look-ups
 * redone because a desk recorded a handover meanwhile. */
static int look_up_again(struct td_registry *reg, int64_t head,
                         struct td_strmap *listed, struct crl_entry *entries,
                         size_t n, struct td_error *err)
{
	struct recheck r = { reg, listed };
	int bulk = 0, rc = td_reg_certs_written_since(reg, head, recheck_one, &r,
	                                              &bulk, err);

	if (rc == TD_OK && bulk)
		look_up_all(reg, entries, n);
	return rc;
}

/* A certificate newly revoked: warned of when its tag kept it. */
static int note_revoked(struct td_registry *reg, const struct crl_entry *e,
                        struct td_crl_report *rep, struct td_error *err)
{
	struct td_cert cert;
	int rc;

	if (td_reg_get_cert(reg, e->serial, &cert, NULL) != TD_OK)
		memset(&cert, 0, sizeof cert);
	rc = note_tagged(reg, e->serial, e->revoked_on, cert.holder_name, rep);
	td_cert_clear(&cert);
	return rc < 0 ? td_error_set(err, TD_ERR_NOMEM, "out of memory") : TD_OK;
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
		/* the day the CA revoked it, not the day the list was made */
		if (e->known)
			rc = td_reg_cert_mark_revoked(reg, e->serial, rep->issuer,
			                              e->revoked_on, &found, err);
		if (rc < 0)
			break;
		if (!e->known || !found)
			rep->unknown++;
		else if (e->was_revoked)
			rep->already++;
		else {
			rep->marked++;
			rc = note_revoked(reg, e, rep, err);
		}
	}
	return rc;
}

/* Which CA certificate verifies the CRL: pinned, or given and trusted. */
static int verify_crl(struct td_registry *reg, X509_CRL *crl, const char *path,
                      const char *sha, const char *const *ca_paths, size_t nca,
                      struct td_crl_report *rep, struct td_error *err)
{
	struct crl_ca_set pinned = { NULL, 0 }, given = { NULL, 0 };
	const struct crl_ca *signer;
	int rc = crl_ca_load_pinned(reg, &pinned, err);

	for (size_t i = 0; rc == TD_OK && i < nca; i++)
		rc = crl_ca_load_file(ca_paths[i], &given, err);
	if (rc == TD_OK)
		rc = crl_ca_trust_given(&pinned, &given, err);
	if (rc == TD_OK) {
		if ((signer = crl_ca_signer(&pinned, &given, crl, path, sha, err))) {
			rep->ca_id = signer->root_id;
			snprintf(rep->ca_sha256, sizeof rep->ca_sha256, "%s",
			         signer->cert_sha256);
		} else {
			rc = err ? err->code : TD_ERR_PERM;
		}
	}
	crl_ca_set_free(&pinned);
	crl_ca_set_free(&given);
	return rc;
}

/* The CRL's number and dates into rep (and next). */
static void describe(X509_CRL *crl, struct td_crl_report *rep, char next[11])
{
	ASN1_INTEGER *num = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL);

	crl_name_text(X509_CRL_get_issuer(crl), rep->issuer, sizeof rep->issuer);
	date_text(X509_CRL_get0_lastUpdate(crl), rep->this_update);
	next[0] = '\0';
	if (X509_CRL_get0_nextUpdate(crl))
		date_text(X509_CRL_get0_nextUpdate(crl), next);
	if (num) {
		if (serial_text(num, rep->number, sizeof rep->number) < 0)
			rep->number[0] = '\0';
		ASN1_INTEGER_free(num);
	}
}

/* 1 when hex number a is lower than b (no leading zeros). */
static int number_below(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	return la != lb ? la < lb : strcmp(a, b) < 0;
}

/* Inside the transaction: was it imported before, is it older? */
static int compare_with_imported(struct td_registry *reg, struct td_crl_report *rep,
                                 struct td_error *err)
{
	int rc;

	if (!rep->number[0]) {   /* no number: only dates can tell */
		if ((rc = td_reg_crl_newest(reg, rep->issuer, rep->newer, err)) < 0)
			return rc;
		if (strcmp(rep->newer, rep->this_update) <= 0)
			rep->newer[0] = '\0';
		return TD_OK;
	}
	if ((rc = td_reg_crl_seen(reg, rep->issuer, rep->number, rep->duplicate_at,
	                          err)) < 0)
		return rc;
	rep->duplicate = rc;
	if ((rc = td_reg_crl_highest(reg, rep->issuer, rep->higher, err)) < 0)
		return rc;
	if (!number_below(rep->number, rep->higher))
		rep->higher[0] = '\0';
	return TD_OK;
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
	int64_t head;
	char sha[65], next[11] = "", head_hash[65];
	int rc = TD_OK;

	memset(rep, 0, sizeof *rep);
	if (!listed || !ar) {
		rc = td_error_set(err, TD_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (!(crl = read_crl(path, err))) {
		rc = err ? err->code : TD_ERR_DATA;
		goto out;
	}
	if (file_sha256(path, sha) < 0) {
		rc = td_error_set_at(err, TD_ERR_IO, path, 0, NULL, "cannot read");
		goto out;
	}
	if ((rc = verify_crl(reg, crl, path, sha, ca_paths, nca, rep, err)) < 0)
		goto out;
	describe(crl, rep, next);
	if ((rc = collect_entries(crl, listed, ar, &entries, &nentries, err)) < 0)
		goto out;
	stamp = td_reg_change_stamp(reg);
	if ((rc = td_reg_audit_head(reg, &head, head_hash, err)) < 0)
		goto out;
	look_up_all(reg, entries, nentries);
	/* the write lock from here to td_reg_end, and for the writes only;
	 * the look-ups hold unless another program wrote meanwhile */
	if ((rc = td_reg_begin(reg, err)) < 0)
		goto out;
	if (td_reg_change_stamp(reg) != stamp)
		rc = look_up_again(reg, head, listed, entries, nentries, err);
	if (rc == TD_OK)
		rc = compare_with_imported(reg, rep, err);
	if (rc == TD_OK && !rep->duplicate)
		rc = mark_all(reg, entries, nentries, rep, err);
	if (rc == TD_OK && !rep->duplicate)
		rc = td_reg_crl_record(reg, rep->issuer, rep->number[0] ? rep->number : NULL,
		                       rep->this_update, next[0] ? next : NULL,
		                       rep->entries, sha, rep->ca_sha256, err);
	rc = td_reg_end(reg, rc, err);
	if (rc == TD_OK && !rep->duplicate) {
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
