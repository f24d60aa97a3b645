/* test-x509: DER -> fields, DN attributes exactly, malformed input. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "tokendesk/token.h"

static int failures;

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
	failures++; } } while (0)
#define CHECK_STR(a, b) do { const char *a_ = (a), *b_ = (b); \
	if (!a_ || strcmp(a_, b_) != 0) { \
	fprintf(stderr, "%s:%d: got \"%s\", want \"%s\"\n", __FILE__, __LINE__, \
	        a_ ? a_ : "(null)", b_); failures++; } } while (0)

static EVP_PKEY *key(void)
{
	return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

/* A certificate whose subject is built by add(), self-signed. */
static unsigned char *make_cert(void (*add)(X509_NAME *), long serial, int *len)
{
	X509 *x = X509_new();
	EVP_PKEY *k = key();
	X509_NAME *n = X509_NAME_new();
	unsigned char *der = NULL;

	add(n);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, n);
	ASN1_TIME_set_string(X509_getm_notBefore(x), "20250101000000Z");
	ASN1_TIME_set_string(X509_getm_notAfter(x), "20270630120000Z");
	X509_set_pubkey(x, k);
	X509_sign(x, k, EVP_sha256());
	*len = i2d_X509(x, &der);
	X509_NAME_free(n);
	X509_free(x);
	EVP_PKEY_free(k);
	return der;
}

static void utf8(X509_NAME *n, const char *field, const char *v, int set)
{
	X509_NAME_add_entry_by_txt(n, field, MBSTRING_UTF8, (const unsigned char *)v,
	                           -1, -1, set);
}

static void gov_subject(X509_NAME *n)
{
	utf8(n, "C", "VN", 0);
	utf8(n, "L", "Hưng Yên", 0);
	utf8(n, "O", "Ủy ban nhân dân tỉnh Hưng Yên", 0);
	utf8(n, "OU", "Sở Khoa học và Công nghệ", 0);
	utf8(n, "OU", "Phòng Quản lý công nghệ, chuyên ngành", 0);
	utf8(n, "CN", "Nguyễn Thị Ánh Tuyết", 0);
	utf8(n, "UID", "CCCD:033185001234", 0);
	utf8(n, "emailAddress", "tuyet@hungyen.gov.vn", 0);
	utf8(n, "title", "Phó Trưởng phòng", 0);
}

static void test_gov_subject(void)
{
	static const char *const want[][2] = {
		{ "C", "VN" }, { "L", "Hưng Yên" }, { "O", "Ủy ban nhân dân tỉnh Hưng Yên" },
		{ "OU", "Sở Khoa học và Công nghệ" },
		{ "OU", "Phòng Quản lý công nghệ, chuyên ngành" },
		{ "CN", "Nguyễn Thị Ánh Tuyết" }, { "UID", "CCCD:033185001234" },
		{ "E", "tuyet@hungyen.gov.vn" }, { "T", "Phó Trưởng phòng" },
	};
	struct td_snap_cert c;
	int len;
	unsigned char *der = make_cert(gov_subject, 0x00ab12, &len);

	CHECK(td_cert_parse_der(der, (size_t)len, &c, NULL) == 0);
	CHECK(!c.malformed);
	CHECK(c.subject.n == 9);
	for (size_t i = 0; i < 9 && i < c.subject.n; i++) {
		CHECK_STR(c.subject.attrs[i].name, want[i][0]);
		CHECK_STR(c.subject.attrs[i].value, want[i][1]);
	}
	/* The comma inside an OU is escaped in the one-line form only. */
	CHECK_STR(c.subject.text,
	          "C=VN, L=Hưng Yên, O=Ủy ban nhân dân tỉnh Hưng Yên, "
	          "OU=Sở Khoa học và Công nghệ, OU=Phòng Quản lý công nghệ\\, chuyên ngành, "
	          "CN=Nguyễn Thị Ánh Tuyết, UID=CCCD:033185001234, "
	          "E=tuyet@hungyen.gov.vn, T=Phó Trưởng phòng");
	CHECK_STR(td_dn_get(&c.subject, "cn"), "Nguyễn Thị Ánh Tuyết");
	CHECK_STR(td_dn_get(&c.subject, "OU"), "Sở Khoa học và Công nghệ");
	CHECK(td_dn_get(&c.subject, "ST") == NULL);
	CHECK_STR(c.serial, "ab12");
	CHECK_STR(c.not_before, "2025-01-01T00:00:00Z");
	CHECK_STR(c.not_after, "2027-06-30T12:00:00Z");
	CHECK(c.not_after_t == 1814356800);
	CHECK_STR(c.key_type, "EC");
	CHECK(c.key_bits == 256);
	CHECK(strlen(c.fingerprint) == 64);
	CHECK(c.der_len == (size_t)len && memcmp(c.der, der, (size_t)len) == 0);
	{
		unsigned char md[32];
		unsigned int mdlen;
		char hex[65];
		EVP_Digest(der, (size_t)len, md, &mdlen, EVP_sha256(), NULL);
		for (int i = 0; i < 32; i++)
			sprintf(hex + 2 * i, "%02x", md[i]);
		CHECK_STR(c.fingerprint, hex);
	}
	td_snap_cert_clear(&c);
	OPENSSL_free(der);
}

/* BMPString (UCS-2) values convert to the same UTF-8; a multi-valued RDN
 * is joined with " + "; unknown attributes show as their OID. */
static void odd_subject(X509_NAME *n)
{
	X509_NAME_add_entry_by_txt(n, "CN", V_ASN1_BMPSTRING,
	                           (const unsigned char *)"\x01\x10\x1e\xd7", 4, -1, 0);
	utf8(n, "OU", "A+B", 0);
	utf8(n, "O", "x", -1);  /* same RDN as the OU before it */
	utf8(n, "1.2.3.4", "lạ", 0);
	X509_NAME_add_entry_by_txt(n, "L", V_ASN1_UTF8STRING,
	                           (const unsigned char *)"a\0b", 3, -1, 0);
}

static void test_odd_subject(void)
{
	struct td_snap_cert c;
	int len;
	unsigned char *der = make_cert(odd_subject, 1, &len);

	CHECK(td_cert_parse_der(der, (size_t)len, &c, NULL) == 0);
	CHECK(!c.malformed);
	CHECK(c.subject.n == 5);
	if (c.subject.n == 5) {
		CHECK_STR(c.subject.attrs[0].value, "Đỗ");
		CHECK_STR(c.subject.attrs[3].name, "1.2.3.4");
		CHECK_STR(c.subject.attrs[3].value, "lạ");
		/* An embedded NUL is not text: shown as # and hex. */
		CHECK_STR(c.subject.attrs[4].value, "#610062");
	}
	/* Within one RDN the order is the SET as encoded. */
	CHECK_STR(c.subject.text, "CN=Đỗ, O=x + OU=A\\+B, 1.2.3.4=lạ, L=\\#610062");
	CHECK_STR(c.serial, "1");
	td_snap_cert_clear(&c);
	OPENSSL_free(der);
}

/* Control characters in a value (anybody can write a certificate onto
 * a token): the one-line DN, which is printed and stored, carries them
 * as RFC 4514 hex pairs, never as the ESC or CSI itself. */
static void control_subject(X509_NAME *n)
{
	utf8(n, "CN", "Nguy\033[2J\r\xc2\x9b", 0);
	utf8(n, "O", "S\x7f", 0);
}

static void test_control_subject(void)
{
	struct td_snap_cert c;
	int len;
	unsigned char *der = make_cert(control_subject, 2, &len);

	CHECK(td_cert_parse_der(der, (size_t)len, &c, NULL) == 0);
	CHECK_STR(c.subject.text, "CN=Nguy\\1B[2J\\0D\\C2\\9B, O=S\\7F");
	td_snap_cert_clear(&c);
	OPENSSL_free(der);
}

static void test_malformed(void)
{
	unsigned char junk[300];
	struct td_snap_cert c;
	int len;
	unsigned char *der = make_cert(gov_subject, 7, &len), *more;

	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (unsigned char)(i * 37 + 11);
	CHECK(td_cert_parse_der(junk, sizeof junk, &c, NULL) == 0);
	CHECK(c.malformed && c.problem && c.der_len == sizeof junk);
	td_snap_cert_clear(&c);
	CHECK(td_cert_parse_der(NULL, 0, &c, NULL) == 0);
	CHECK(c.malformed);
	td_snap_cert_clear(&c);
	/* Every truncation of a good certificate is malformed, never a crash. */
	for (int cut = 0; cut < len; cut += 7) {
		CHECK(td_cert_parse_der(der, (size_t)cut, &c, NULL) == 0);
		CHECK(c.malformed);
		td_snap_cert_clear(&c);
	}
	/* Trailing bytes after a good certificate: malformed too. */
	more = malloc((size_t)len + 2);
	memcpy(more, der, (size_t)len);
	more[len] = 0;
	more[len + 1] = 0;
	CHECK(td_cert_parse_der(more, (size_t)len + 2, &c, NULL) == 0);
	CHECK(c.malformed && strstr(c.problem, "trailing"));
	td_snap_cert_clear(&c);
	free(more);
	OPENSSL_free(der);
}

static void test_usb_table(const char *srcdir)
{
	char path[4096];
	struct td_usb_model *m = NULL;
	size_t n = 0;
	const struct td_usb_model *r;

	snprintf(path, sizeof path, "%s/data/usb-tokens.tsv", srcdir);
	CHECK(td_usb_table_load(path, &m, &n, NULL) == 0);
	CHECK(n >= 6);
	r = td_usb_lookup(m, n, 0x096e, 0x0807);
	CHECK(r && strstr(r->model, "ePass2003") && strstr(r->module, "opensc"));
	CHECK(td_usb_lookup(m, n, 0x0529, 0x0620) != NULL);
	CHECK(td_usb_lookup(m, n, 0x08e6, 0x34cf) != NULL);
	CHECK(td_usb_lookup(m, n, 0x25dd, 0x2371) != NULL);
	CHECK(td_usb_lookup(m, n, 0x25dd, 0x2341) != NULL);
	CHECK(td_usb_lookup(m, n, 0x1234, 0x5678) == NULL);
	for (size_t i = 0; i < n; i++)
		CHECK(m[i].source[0] != '\0');
	td_usb_models_free(m, n);
}

int main(void)
{
	const char *srcdir = getenv("TD_SRCDIR");

	test_gov_subject();
	test_odd_subject();
	test_control_subject();
	test_malformed();
	test_usb_table(srcdir ? srcdir : ".");
	if (failures)
		fprintf(stderr, "%d failure(s)\n", failures);
	return failures ? 1 : 0;
}
