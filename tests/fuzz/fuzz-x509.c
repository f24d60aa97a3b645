/* fuzz-x509.c: a certificate as a token hands it over (CKA_VALUE), into
 * td_cert_parse_der (src/token/x509.c): DER, the subject and issuer DNs,
 * dates, serial, fingerprint, key type.
 * Properties: it never fails on bad bytes (only out of memory); a value
 * it cannot parse is marked malformed with a reason; a parsed one has a
 * canonical serial, a SHA-256 fingerprint of exactly these bytes, valid
 * UTF-8 DN texts without control characters and dates in the promised
 * shape. */
#include <config.h>

#include <ctype.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "tokendesk/text.h"
#include "tokendesk/token.h"
#include "fuzz.h"

/* A control character (C0, DEL, C1) in UTF-8 s: the one-line DN is
 * printed and stored, and carries them as hex pairs. */
static int has_control(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7F ||
		    (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F))
			return 1;
	return 0;
}

static void check_dn(const struct td_dn *dn)
{
	for (size_t i = 0; i < dn->n; i++)
		FUZZ_CHECK(dn->attrs[i].name && dn->attrs[i].value &&
		           td_utf8_valid(dn->attrs[i].value, strlen(dn->attrs[i].value),
		                         NULL));
	if (dn->text) {
		FUZZ_CHECK(td_utf8_valid(dn->text, strlen(dn->text), NULL));
		FUZZ_CHECK(!has_control(dn->text));
	}
}

static void check_date(const char *d)
{
	/* "" or YYYY-MM-DDTHH:MM:SSZ */
	FUZZ_CHECK(d[0] == '\0' || (strlen(d) == 20 && d[4] == '-' && d[10] == 'T' &&
	                            d[19] == 'Z'));
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
		/* A negative serial is refused as malformed: no '-' here. */
		const char *digits = c.serial;
		FUZZ_CHECK(digits && digits[0] &&
		           strspn(digits, "0123456789abcdef") == strlen(digits));
		FUZZ_CHECK(digits[0] != '0' || digits[1] == '\0');
		check_dn(&c.subject);
		check_dn(&c.issuer);
		check_date(c.not_before);
		check_date(c.not_after);
		/* The fingerprint is of exactly the token's bytes, BER or DER. */
		FUZZ_CHECK(EVP_Digest(data, size, md, NULL, EVP_sha256(), NULL));
		for (int i = 0; i < 32; i++)
			snprintf(hex + 2 * i, 3, "%02x", md[i]);
		FUZZ_CHECK(strcmp(hex, c.fingerprint) == 0);
		FUZZ_CHECK(strcmp(c.key_type, "RSA") == 0 || strcmp(c.key_type, "EC") == 0 ||
		           strcmp(c.key_type, "other") == 0);
	}
	td_snap_cert_clear(&c);
	return 0;
}
