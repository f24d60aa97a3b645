/* fuzz-x509.c: a certificate as a token hands it over (CKA_VALUE), into
 * td_cert_parse_der (src/token/x509.c): DER, the subject and issuer DNs,
 * dates, serial, fingerprint, key type.
 * Properties: it never fails on bad bytes (only out of memory); a value
 * it cannot parse is marked malformed with a reason; a parsed one has a
 * canonical serial, a SHA-256 fingerprint of exactly these bytes, valid
 * UTF-8 DN texts and dates in the promised shape. */
#include <config.h>

#include <ctype.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "tokendesk/text.h"
#include "tokendesk/token.h"
#include "fuzz.h"

static void check_dn(const struct td_dn *dn)
{
	for (size_t i = 0; i < dn->n; i++)
		FUZZ_CHECK(dn->attrs[i].name && dn->attrs[i].value &&
		           td_utf8_valid(dn->attrs[i].value, strlen(dn->attrs[i].value),
		                         NULL));
	if (dn->text)
		FUZZ_CHECK(td_utf8_valid(dn->text, strlen(dn->text), NULL));
}

static void check_date(const char *d)
{
	/* "" or YYYY-MM-DDTHH:MM:SSZ */
	FUZZ_CHECK(d[0] == '\0' || (strlen(d) == 20 && d[4] == '-' && d[10] == 'T' &&
	                            d[19] == 'Z'));
}

/* 1 when OpenSSL encodes the certificate back to exactly these bytes. */
static int strict_der(const uint8_t *data, size_t size)
{
	const unsigned char *p = data;
	X509 *x = d2i_X509(NULL, &p, (long)size);
	unsigned char *der = NULL;
	int len = x ? i2d_X509(x, &der) : -1, same;

	same = len >= 0 && (size_t)len == size && memcmp(der, data, size) == 0;
	OPENSSL_free(der);
	X509_free(x);
	return same;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct td_snap_cert c;
	struct td_error err;
	unsigned char md[32];
	char hex[65];

	if (td_cert_parse_der(data, size, &c, &err) != 0) {
		FUZZ_CHECK(err.code == TD_ERR_NOMEM);
		return 0;
	}
	if (c.malformed) {
		FUZZ_CHECK(c.problem && c.problem[0]);
	} else {
		/* A negative serial (RFC 5280 forbids them; DER allows them)
		 * is kept with its '-' by x509.c: see tests/fuzz/README. */
		const char *digits = c.serial && c.serial[0] == '-' ? c.serial + 1 : c.serial;
		FUZZ_CHECK(digits && digits[0] &&
		           strspn(digits, "0123456789abcdef") == strlen(digits));
		FUZZ_CHECK(digits[0] != '0' || digits[1] == '\0');
		check_dn(&c.subject);
		check_dn(&c.issuer);
		check_date(c.not_before);
		check_date(c.not_after);
		/* The fingerprint is of OpenSSL's re-encoding (X509_digest): the
		 * same as of the token's bytes when they are DER, not when they
		 * are BER (a longer length, say) -- see tests/fuzz/README. */
		if (strict_der(data, size)) {
			FUZZ_CHECK(EVP_Digest(data, size, md, NULL, EVP_sha256(), NULL));
			for (int i = 0; i < 32; i++)
				snprintf(hex + 2 * i, 3, "%02x", md[i]);
			FUZZ_CHECK(strcmp(hex, c.fingerprint) == 0);
		}
		FUZZ_CHECK(strcmp(c.key_type, "RSA") == 0 || strcmp(c.key_type, "EC") == 0 ||
		           strcmp(c.key_type, "other") == 0);
	}
	td_snap_cert_clear(&c);
	return 0;
}
