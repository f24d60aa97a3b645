/* x509.c: one DER certificate -> the fields the desk shows and matches.
 *
 * Tolerant by design: a token may hold anything in a certificate object,
 * and one bad object must not hide the good ones or crash the scan. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/asn1t.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "tokendesk/text.h"
#include "internal.h"

char *td_hex(const unsigned char *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char *s = malloc(2 * n + 1);

	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		s[2 * i] = digits[p[i] >> 4];
		s[2 * i + 1] = digits[p[i] & 15];
	}
	s[2 * n] = '\0';
	return s;
}

/* Short names as the government CA's certificates and RFC 4514 use
 * them; OpenSSL's own short names differ (emailAddress, title). */
static const char *attr_short_name(int nid)
{
	switch (nid) {
	case NID_countryName: return "C";
	case NID_stateOrProvinceName: return "ST";
	case NID_localityName: return "L";
	case NID_organizationName: return "O";
	case NID_organizationalUnitName: return "OU";
	case NID_commonName: return "CN";
	case NID_userId: return "UID";
	case NID_pkcs9_emailAddress: return "E";
	case NID_title: return "T";
	case NID_serialNumber: return "SERIALNUMBER";
	case NID_streetAddress: return "STREET";
	case NID_domainComponent: return "DC";
	case NID_givenName: return "G";
	case NID_surname: return "SN";
	default: return NULL;
	}
}

static char *attr_name(const X509_NAME_ENTRY *e)
{
	const ASN1_OBJECT *obj = X509_NAME_ENTRY_get_object(e);
	const char *sn = attr_short_name(OBJ_obj2nid(obj));
	char buf[128];

	if (sn)
		return strdup(sn);
	if (OBJ_obj2txt(buf, sizeof buf, obj, 1) <= 0)
		return strdup("?");
	return strdup(buf);
}

/* The value as UTF-8.  A value that does not convert to valid UTF-8
 * (e.g. a BMPString with an unpaired surrogate, or an embedded NUL) is
 * shown RFC 4514 style as '#' and the hex of its content octets. */
static char *attr_value(const X509_NAME_ENTRY *e)
{
	const ASN1_STRING *d = X509_NAME_ENTRY_get_data(e);
	unsigned char *utf8 = NULL;
	int n = ASN1_STRING_to_UTF8(&utf8, d);
	char *out, *hex;

	if (n >= 0 && td_utf8_valid((const char *)utf8, (size_t)n, NULL)) {
		out = strndup((const char *)utf8, (size_t)n);
		OPENSSL_free(utf8);
		return out;
	}
	OPENSSL_free(utf8);
	hex = td_hex(ASN1_STRING_get0_data(d), (size_t)ASN1_STRING_length(d));
	if (!hex)
		return NULL;
	out = malloc(strlen(hex) + 2);
	if (out)
		sprintf(out, "#%s", hex);
	free(hex);
	return out;
}

/* Append value to buf with RFC 4514 escapes, so that the one-line DN can
 * be split again unambiguously.  Control characters and every character
 * td_hidden_len names go as hex pairs (ESC as \1B, U+202E as
 * \E2\80\AE): the DN is printed and stored, and a token's certificate
 * is anybody's to write.  Each pair is 3 bytes for 1: within the 3 bytes
 * a byte dn_render allows. */
static void append_escaped(char *buf, size_t *len, const char *v)
{
	size_t vlen = strlen(v), hidden;
	int marks = 0;

	for (size_t i = 0; i < vlen; i++) {
		char c = v[i];
		/* at a character's first byte only: marks are counted per
		 * character */
		if (((unsigned char)c & 0xC0) != 0x80 &&
		    (hidden = td_hidden_len(v + i, &marks)) > 0) {
			for (size_t k = 0; k < hidden; k++)
				*len += (size_t)sprintf(buf + *len, "\\%02X",
				                        (unsigned char)v[i + k]);
			i += hidden - 1;
			continue;
		}
		if (strchr(",+\"\\;<>", c) || (c == ' ' && (i == 0 || i == vlen - 1))
		    || (c == '#' && i == 0))
			buf[(*len)++] = '\\';
		buf[(*len)++] = c;
	}
	buf[*len] = '\0';
}

static char *dn_render(const struct td_dn *dn, const int *sets)
{
	size_t cap = 1, len = 0;
	char *buf;

	for (size_t i = 0; i < dn->n; i++)
		cap += strlen(dn->attrs[i].name) + 3 * strlen(dn->attrs[i].value) + 4;
	if (!(buf = malloc(cap)))
		return NULL;
	buf[0] = '\0';
	for (size_t i = 0; i < dn->n; i++) {
		if (i > 0) {
			const char *sep = sets[i] == sets[i - 1] ? " + " : ", ";
			memcpy(buf + len, sep, strlen(sep) + 1);
			len += strlen(sep);
		}
		len += (size_t)sprintf(buf + len, "%s=", dn->attrs[i].name);
		append_escaped(buf, &len, dn->attrs[i].value);
	}
	return buf;
}

static int dn_fill(const X509_NAME *name, struct td_dn *dn)
{
	int count = X509_NAME_entry_count(name), rc = 0;
	int *sets = calloc((size_t)count + 1, sizeof *sets);

	dn->attrs = calloc((size_t)count + 1, sizeof *dn->attrs);
	if (!dn->attrs || !sets) {
		free(sets);
		return TD_ERR_NOMEM;
	}
	for (int i = 0; i < count; i++) {
		const X509_NAME_ENTRY *e = X509_NAME_get_entry(name, i);
		dn->attrs[i].name = attr_name(e);
		dn->attrs[i].value = attr_value(e);
		sets[i] = X509_NAME_ENTRY_set(e);
		dn->n++;
		if (!dn->attrs[i].name || !dn->attrs[i].value) {
			rc = TD_ERR_NOMEM;
			break;
		}
	}
	if (rc == 0 && !(dn->text = dn_render(dn, sets)))
		rc = TD_ERR_NOMEM;
	free(sets);
	return rc;
}

static void dn_clear(struct td_dn *dn)
{
	for (size_t i = 0; i < dn->n; i++) {
		free(dn->attrs[i].name);
		free(dn->attrs[i].value);
	}
	free(dn->attrs);
	free(dn->text);
	memset(dn, 0, sizeof *dn);
}

const char *td_dn_get(const struct td_dn *dn, const char *name)
{
	for (size_t i = 0; i < dn->n; i++)
		if (strcasecmp(dn->attrs[i].name, name) == 0)
			return dn->attrs[i].value;
	return NULL;
}

/* The serial as lowercase hex without leading zeros.  The caller has
 * refused negative serials already. */
static char *serial_hex(const ASN1_INTEGER *ai)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(ai, NULL);
	char *hex = bn ? BN_bn2hex(bn) : NULL, *out = NULL;
	const char *p = hex;

	BN_free(bn);
	if (!hex)
		return NULL;
	while (p[0] == '0' && p[1])
		p++;
	if ((out = malloc(strlen(p) + 1))) {
		char *q = out;
		for (; *p; p++)
			*q++ = (char)(*p >= 'A' && *p <= 'F' ? *p - 'A' + 'a' : *p);
		*q = '\0';
	}
	OPENSSL_free(hex);
	return out;
}

/* RFC 5280 (4.1.2.2) wants a positive serial; DER can still carry a
 * negative one.  Its hex would lose the sign in td_serial_hex and name
 * another certificate of the registry, so such a certificate is
 * reported malformed instead of matched. */
static int serial_negative(const ASN1_INTEGER *ai)
{
	return ASN1_STRING_type(ai) == V_ASN1_NEG_INTEGER;
}

static void time_fill(const ASN1_TIME *t, char out[21], time_t *tt)
{
	struct tm tm;

	out[0] = '\0';
	*tt = 0;
	if (!t || !ASN1_TIME_to_tm(t, &tm))
		return;
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
	*tt = timegm(&tm);
}

static void key_fill(X509 *x, struct td_snap_cert *c)
{
	EVP_PKEY *pk = X509_get0_pubkey(x);

	snprintf(c->key_type, sizeof c->key_type, "other");
	if (!pk)
		return;
	switch (EVP_PKEY_get_base_id(pk)) {
	case EVP_PKEY_RSA: snprintf(c->key_type, sizeof c->key_type, "RSA"); break;
	case EVP_PKEY_EC: snprintf(c->key_type, sizeof c->key_type, "EC"); break;
	default: break;
	}
	c->key_bits = EVP_PKEY_get_bits(pk);
}

/* Fill the parsed fields of c from x (c->label/key_id/der are the
 * caller's business). */
int td_x509_fill(X509 *x, struct td_snap_cert *c, struct td_error *err)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char *fp;

	if (serial_negative(X509_get0_serialNumber(x))) {
		c->malformed = 1;
		if (!(c->problem = strdup(N_("negative serial number (RFC 5280 "
		                          "requires a positive one)"))))
			return td_error_set(err, TD_ERR_NOMEM, "out of memory");
		return 0;
	}
	if (!(c->serial = serial_hex(X509_get0_serialNumber(x))) ||
	    dn_fill(X509_get_subject_name(x), &c->subject) != 0 ||
	    dn_fill(X509_get_issuer_name(x), &c->issuer) != 0)
		return td_error_set(err, TD_ERR_NOMEM, "out of memory parsing a certificate");
	time_fill(X509_get0_notBefore(x), c->not_before, &c->not_before_t);
	time_fill(X509_get0_notAfter(x), c->not_after, &c->not_after_t);
	if (X509_digest(x, EVP_sha256(), md, &mdlen) && (fp = td_hex(md, mdlen))) {
		snprintf(c->fingerprint, sizeof c->fingerprint, "%s", fp);
		free(fp);
	}
	key_fill(x, c);
	c->is_ca = (X509_get_extension_flags(x) & EXFLAG_CA) != 0;
	return 0;
}

/* The fingerprint of the bytes the token holds.  X509_digest hashes
 * OpenSSL's re-encoding, which differs from the token's bytes when they
 * are BER (a long-form length, say) rather than strict DER. */
static void fingerprint_of_bytes(const unsigned char *der, size_t len,
                                 struct td_snap_cert *c)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char *fp;

	if (EVP_Digest(der, len, md, &mdlen, EVP_sha256(), NULL) &&
	    (fp = td_hex(md, mdlen))) {
		snprintf(c->fingerprint, sizeof c->fingerprint, "%s", fp);
		free(fp);
	}
}

/* ---- the common certificate, without OpenSSL's key decoders ---------- */

/* d2i_X509 hands the public key to OpenSSL 3's decoders, which cost more
 * than all the rest of a certificate (about 1 ms for the first one in a
 * process, 0.13 ms for each after), and `scan` reads one per token.  The
 * desk needs only the key's type and size, so this template is X.509's
 * (RFC 5280 4.1) with the key left as its algorithm and bytes.  It takes
 * only what it can say exactly as td_x509_fill would (an RSA or EC key,
 * a version that fits what the certificate holds); anything else goes
 * through d2i_X509 as before, malformed objects included. */
typedef struct {
	X509_ALGOR *alg;
	ASN1_BIT_STRING *key;
} TD_SPKI;

typedef struct {
	ASN1_INTEGER *version;
	ASN1_INTEGER *serial;
	X509_ALGOR *sig_alg;
	X509_NAME *issuer;
	X509_VAL *validity;
	X509_NAME *subject;
	TD_SPKI *spki;
	ASN1_BIT_STRING *issuer_uid, *subject_uid;
	STACK_OF(X509_EXTENSION) *exts;
} TD_TBS;

typedef struct {
	TD_TBS *tbs;
	X509_ALGOR *sig_alg;
	ASN1_BIT_STRING *sig;
} TD_CERT;

/* RSAPublicKey (RFC 8017 A.1.1) */
typedef struct {
	ASN1_INTEGER *n, *e;
} TD_RSAPUB;

ASN1_SEQUENCE(TD_SPKI) = {
	ASN1_SIMPLE(TD_SPKI, alg, X509_ALGOR),
	ASN1_SIMPLE(TD_SPKI, key, ASN1_BIT_STRING)
} static_ASN1_SEQUENCE_END(TD_SPKI)

ASN1_SEQUENCE(TD_TBS) = {
	ASN1_EXP_OPT(TD_TBS, version, ASN1_INTEGER, 0),
	ASN1_SIMPLE(TD_TBS, serial, ASN1_INTEGER),
	ASN1_SIMPLE(TD_TBS, sig_alg, X509_ALGOR),
	ASN1_SIMPLE(TD_TBS, issuer, X509_NAME),
	ASN1_SIMPLE(TD_TBS, validity, X509_VAL),
	ASN1_SIMPLE(TD_TBS, subject, X509_NAME),
	ASN1_SIMPLE(TD_TBS, spki, TD_SPKI),
	ASN1_IMP_OPT(TD_TBS, issuer_uid, ASN1_BIT_STRING, 1),
	ASN1_IMP_OPT(TD_TBS, subject_uid, ASN1_BIT_STRING, 2),
	ASN1_EXP_SEQUENCE_OF_OPT(TD_TBS, exts, X509_EXTENSION, 3)
} static_ASN1_SEQUENCE_END(TD_TBS)

ASN1_SEQUENCE(TD_CERT) = {
	ASN1_SIMPLE(TD_CERT, tbs, TD_TBS),
	ASN1_SIMPLE(TD_CERT, sig_alg, X509_ALGOR),
	ASN1_SIMPLE(TD_CERT, sig, ASN1_BIT_STRING)
} static_ASN1_SEQUENCE_END(TD_CERT)

ASN1_SEQUENCE(TD_RSAPUB) = {
	ASN1_SIMPLE(TD_RSAPUB, n, ASN1_INTEGER),
	ASN1_SIMPLE(TD_RSAPUB, e, ASN1_INTEGER)
} static_ASN1_SEQUENCE_END(TD_RSAPUB)

/* The RSA modulus' size in bits, or 0 when the key does not parse. */
static int rsa_bits(const ASN1_BIT_STRING *key)
{
	const unsigned char *p = ASN1_STRING_get0_data(key);
	int len = ASN1_STRING_length(key), bits = 0;
	TD_RSAPUB *k = (TD_RSAPUB *)ASN1_item_d2i(NULL, &p, len,
	                                          ASN1_ITEM_rptr(TD_RSAPUB));
	BIGNUM *n;

	if (k && p == ASN1_STRING_get0_data(key) + len &&
	    ASN1_STRING_type(k->n) == V_ASN1_INTEGER &&
	    (n = ASN1_INTEGER_to_BN(k->n, NULL))) {
		bits = BN_num_bits(n);
		BN_free(n);
	}
	ASN1_item_free((ASN1_VALUE *)k, ASN1_ITEM_rptr(TD_RSAPUB));
	return bits;
}

/* A named curve's order in bits, or 0; 0 too when the point is not on
 * the curve, as OpenSSL's decoder refuses it then. */
static int ec_bits(const X509_ALGOR *alg, const ASN1_BIT_STRING *key)
{
	const void *param = NULL;
	int ptype = 0, bits = 0;
	EC_GROUP *g;
	EC_POINT *pt;

	X509_ALGOR_get0(NULL, &ptype, &param, alg);
	if (ptype != V_ASN1_OBJECT ||
	    !(g = EC_GROUP_new_by_curve_name(OBJ_obj2nid(param))))
		return 0;
	if ((pt = EC_POINT_new(g)) &&
	    EC_POINT_oct2point(g, pt, ASN1_STRING_get0_data(key),
	                       (size_t)ASN1_STRING_length(key), NULL) == 1)
		bits = EC_GROUP_order_bits(g);
	EC_POINT_free(pt);
	EC_GROUP_free(g);
	return bits;
}

/* 1 when the key's type and size are known here (RSA, EC on a named
 * curve), else 0: d2i_X509 says. */
static int lean_key(const TD_SPKI *k, struct td_snap_cert *c)
{
	const ASN1_OBJECT *obj = NULL;

	X509_ALGOR_get0(&obj, NULL, NULL, k->alg);
	switch (OBJ_obj2nid(obj)) {
	case NID_rsaEncryption:
		snprintf(c->key_type, sizeof c->key_type, "RSA");
		c->key_bits = rsa_bits(k->key);
		break;
	case NID_X9_62_id_ecPublicKey:
		snprintf(c->key_type, sizeof c->key_type, "EC");
		c->key_bits = ec_bits(k->alg, k->key);
		break;
	default:
		return 0;
	}
	return c->key_bits > 0;
}

/* What d2i_X509 checks of the version (OpenSSL 3): 1..3, unique ids from
 * version 2, extensions only in version 3. */
static int lean_version_ok(const TD_TBS *t)
{
	long v = t->version ? ASN1_INTEGER_get(t->version) : 0;

	return v >= 0 && v <= 2 && (v >= 1 || (!t->issuer_uid && !t->subject_uid)) &&
	       (v == 2 || !t->exts);
}

/* 1: c is filled; 0: not a certificate this takes (c is left clear of
 * parsed fields); TD_ERR_NOMEM. */
static int parse_lean(const unsigned char *der, size_t len, struct td_snap_cert *c)
{
	const unsigned char *p = der;
	TD_CERT *x = len <= (size_t)0x7fffffff
	             ? (TD_CERT *)ASN1_item_d2i(NULL, &p, (long)len, ASN1_ITEM_rptr(TD_CERT))
	             : NULL;
	BASIC_CONSTRAINTS *bc;
	int crit = -1, rc = 0;

	if (!x || p != der + len || !lean_version_ok(x->tbs) ||
	    serial_negative(x->tbs->serial) ||
	    !lean_key(x->tbs->spki, c))
		goto done;
	rc = 1;
	if (!(c->serial = serial_hex(x->tbs->serial)) ||
	    dn_fill(x->tbs->subject, &c->subject) != 0 ||
	    dn_fill(x->tbs->issuer, &c->issuer) != 0)
		rc = TD_ERR_NOMEM;
	time_fill(x->tbs->validity->notBefore, c->not_before, &c->not_before_t);
	time_fill(x->tbs->validity->notAfter, c->not_after, &c->not_after_t);
	/* EXFLAG_CA: one basicConstraints extension, cA TRUE */
	bc = X509V3_get_d2i(x->tbs->exts, NID_basic_constraints, &crit, NULL);
	c->is_ca = bc && bc->ca;
	BASIC_CONSTRAINTS_free(bc);
done:
	ERR_clear_error();
	ASN1_item_free((ASN1_VALUE *)x, ASN1_ITEM_rptr(TD_CERT));
	if (rc != 1) {
		unsigned char *keep = c->der;
		size_t keep_len = c->der_len;
		c->der = NULL;
		td_snap_cert_clear(c);
		c->der = keep;
		c->der_len = keep_len;
	}
	return rc;
}

int td_cert_parse_der(const unsigned char *der, size_t len,
                      struct td_snap_cert *out, struct td_error *err)
{
	const unsigned char *p = der;
	X509 *x;
	int rc = 0;

	memset(out, 0, sizeof *out);
	if (len && !(out->der = malloc(len)))
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	if (len)
		memcpy(out->der, der, len);
	out->der_len = len;
	if ((rc = parse_lean(der, len, out)) != 0) {
		if (rc == 1)
			fingerprint_of_bytes(der, len, out);
		return rc == 1 ? 0 : td_error_set(err, TD_ERR_NOMEM,
		                                  "out of memory parsing a certificate");
	}
	x = len <= (size_t)0x7fffffff ? d2i_X509(NULL, &p, (long)len) : NULL;
	if (!x || p != der + len) {
		out->malformed = 1;
		out->problem = strdup(x ? N_("trailing bytes after the certificate")
		                        : N_("not a DER X.509 certificate"));
		X509_free(x);
		return out->problem ? 0 : TD_ERR_NOMEM;
	}
	rc = td_x509_fill(x, out, err);
	X509_free(x);
	if (rc == 0 && !out->malformed)
		fingerprint_of_bytes(der, len, out);
	return rc;
}

void td_snap_cert_clear(struct td_snap_cert *c)
{
	if (!c)
		return;
	free(c->problem);
	free(c->label);
	free(c->key_id);
	free(c->serial);
	dn_clear(&c->subject);
	dn_clear(&c->issuer);
	free(c->der);
	memset(c, 0, sizeof *c);
}
