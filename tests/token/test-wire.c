/* test-wire: a token snapshot across the module helper's pipe (wire.c):
 * certificates arrive as the helper parsed them, field for field, and a
 * frame cut anywhere is refused; the helper's parse without OpenSSL's key
 * decoders (x509.c, parse_lean) says what d2i_X509 says, for keys of
 * every kind and for certificates damaged byte by byte; td_write_all
 * (util/fdio.c) writes a large buffer whole through a pipe and reports a
 * reader that left. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tokendesk/fdio.h"
#include "tokendesk/token.h"
#include "token/remote.h"

static int failures;

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
	failures++; } } while (0)
#define CHECK_STR(a, b) do { const char *a_ = (a), *b_ = (b); \
	if (!a_ || !b_ || strcmp(a_, b_) != 0) { \
	fprintf(stderr, "%s:%d: got \"%s\", want \"%s\"\n", __FILE__, __LINE__, \
	        a_ ? a_ : "(null)", b_ ? b_ : "(null)"); failures++; } } while (0)

/* A self-signed EC P-256 certificate with a Vietnamese subject. */
static unsigned char *make_cert(int *len)
{
	X509 *x = X509_new();
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509_NAME *n = X509_NAME_new();
	unsigned char *der = NULL;

	X509_NAME_add_entry_by_txt(n, "C", MBSTRING_UTF8, (const unsigned char *)"VN", -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "OU", MBSTRING_UTF8,
	                           (const unsigned char *)"Sở Nội vụ", -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
	                           (const unsigned char *)"Bùi Thị Mai", -1, -1, 0);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 0x6d01);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, n);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 365);
	X509_set_pubkey(x, k);
	X509_sign(x, k, EVP_sha256());
	*len = i2d_X509(x, &der);
	X509_NAME_free(n);
	EVP_PKEY_free(k);
	X509_free(x);
	return der;
}

static struct td_snap_token *make_token(void)
{
	struct td_snap_token *t = calloc(1, sizeof *t);
	unsigned char *der;
	int len;

	t->refs = 1;
	t->module = strdup("/helper/side.so");
	t->slot_desc = strdup("SoftHSM slot ID 0x1");
	t->slot_id = 7;
	t->label = strdup("Sở Nội vụ 1");
	t->serial = strdup("80275f2fb9760300");
	t->manufacturer = strdup("SoftHSM project");
	t->model = strdup("SoftHSM v2");
	t->flags = 3;
	t->certs = calloc(2, sizeof *t->certs);
	t->ncerts = 2;
	der = make_cert(&len);
	CHECK(td_cert_parse_der(der, (size_t)len, &t->certs[0], NULL) == 0);
	OPENSSL_free(der);
	t->certs[0].label = strdup("b");
	t->certs[0].key_id = strdup("01");
	t->certs[1].malformed = 1;
	t->certs[1].problem = strdup("not a DER X.509 certificate");
	t->certs[1].label = strdup("junk");
	t->certs[1].key_id = strdup("02");
	return t;
}

static void same_dn(const struct td_dn *a, const struct td_dn *b)
{
	CHECK_STR(a->text, b->text);
	CHECK(a->n == b->n);
	for (size_t i = 0; i < a->n && i < b->n; i++) {
		CHECK_STR(a->attrs[i].name, b->attrs[i].name);
		CHECK_STR(a->attrs[i].value, b->attrs[i].value);
	}
}

static void same_cert(const struct td_snap_cert *a, const struct td_snap_cert *b)
{
	CHECK(a->malformed == b->malformed);
	CHECK_STR(a->label, b->label);
	CHECK_STR(a->key_id, b->key_id);
	if (a->malformed) {
		CHECK_STR(a->problem, b->problem);
		return;
	}
	CHECK(b->problem == NULL);
	CHECK_STR(a->serial, b->serial);
	same_dn(&a->subject, &b->subject);
	same_dn(&a->issuer, &b->issuer);
	CHECK_STR(a->not_before, b->not_before);
	CHECK_STR(a->not_after, b->not_after);
	CHECK(a->not_before_t == b->not_before_t && a->not_after_t == b->not_after_t);
	CHECK_STR(a->fingerprint, b->fingerprint);
	CHECK_STR(a->key_type, b->key_type);
	CHECK(a->key_bits == b->key_bits && a->is_ca == b->is_ca);
	CHECK(a->der_len == b->der_len && b->der &&
	      memcmp(a->der, b->der, a->der_len) == 0);
}

static void round_trip(void)
{
	struct td_snap_token *t = make_token(), *got;
	struct td_wbuf b = { 0 };
	struct td_rd r;

	td_wbuf_begin(&b, TD_ANS_TOKEN);
	td_wire_put_token(&b, t);
	CHECK(td_wbuf_end(&b) == 0);
	r = (struct td_rd){ b.p + 5, b.n - 5, 0, 0 };
	got = td_wire_get_token(&r, "/parent/side.so");
	CHECK(got != NULL);
	if (got) {
		CHECK_STR(got->module, "/parent/side.so");   /* the parent's name */
		CHECK_STR(got->label, t->label);
		CHECK_STR(got->serial, t->serial);
		CHECK(got->slot_id == 7 && got->flags == 3 && got->ncerts == 2);
		CHECK_STR(t->certs[0].subject.text, "C=VN, OU=Sở Nội vụ, CN=Bùi Thị Mai");
		CHECK_STR(t->certs[0].key_type, "EC");
		CHECK(t->certs[0].key_bits == 256);
		for (size_t i = 0; i < 2 && i < got->ncerts; i++)
			same_cert(&t->certs[i], &got->certs[i]);
		td_snap_token_unref(got);
	}
	/* Cut anywhere, the frame is refused, never read past its end. */
	for (size_t n = 0; n < b.n - 5; n++) {
		r = (struct td_rd){ b.p + 5, n, 0, 0 };
		got = td_wire_get_token(&r, "/parent/side.so");
		CHECK(got == NULL);
		if (got) {
			fprintf(stderr, "a frame cut at %zu of %zu was taken\n", n, b.n - 5);
			td_snap_token_unref(got);
			break;
		}
	}
	td_wbuf_free(&b);
	td_snap_token_unref(t);
}

/* A self-signed certificate on key k: version 3 with basicConstraints
 * CA:TRUE when ca, else version 1 with no extensions. */
static unsigned char *cert_on(EVP_PKEY *k, int ca, int *len)
{
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();
	unsigned char *der = NULL;

	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
	                           (const unsigned char *)"Sở Nội vụ", -1, -1, 0);
	X509_set_version(x, ca ? 2 : 0);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 0x7b01);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, n);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400L);
	X509_set_pubkey(x, k);
	if (ca) {
		X509V3_CTX ctx;
		X509_EXTENSION *e;
		X509V3_set_ctx_nodb(&ctx);
		X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
		e = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints, "critical,CA:TRUE");
		X509_add_ext(x, e, -1);
		X509_EXTENSION_free(e);
	}
	/* Ed25519 signs with no separate digest */
	X509_sign(x, k, EVP_PKEY_get_base_id(k) == EVP_PKEY_ED25519 ? NULL : EVP_sha256());
	*len = i2d_X509(x, &der);
	X509_NAME_free(n);
	X509_free(x);
	return der;
}

/* td_cert_parse_der against d2i_X509 + td_x509_fill, as before the lean
 * parse: the same verdict and the same fields.  1 when they agree. */
static int same_as_d2i(const unsigned char *der, size_t len)
{
	struct td_snap_cert a, b;
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	int same;

	memset(&b, 0, sizeof b);
	td_cert_parse_der(der, len, &a, NULL);
	if (!x || p != der + len)
		b.malformed = 1;
	else
		td_x509_fill(x, &b, NULL);
	X509_free(x);
	same = a.malformed == b.malformed;
	if (same && !a.malformed)
		same = !strcmp(a.serial, b.serial) && !strcmp(a.subject.text, b.subject.text) &&
		       !strcmp(a.issuer.text, b.issuer.text) &&
		       !strcmp(a.not_before, b.not_before) && !strcmp(a.not_after, b.not_after) &&
		       a.not_after_t == b.not_after_t && !strcmp(a.key_type, b.key_type) &&
		       a.key_bits == b.key_bits && a.is_ca == b.is_ca;
	td_snap_cert_clear(&a);
	td_snap_cert_clear(&b);
	return same;
}

static void lean_parse(void)
{
	EVP_PKEY *keys[] = {
		EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048),
		EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"),
		EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384"),
		EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"),   /* d2i_X509's to say */
	};
	unsigned char *der, *m;
	unsigned seed = 12345;
	int len;

	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
		for (int ca = 0; ca < 2; ca++) {
			struct td_snap_cert c;
			der = cert_on(keys[i], ca, &len);
			CHECK(der && same_as_d2i(der, (size_t)len));
			CHECK(td_cert_parse_der(der, (size_t)len, &c, NULL) == 0 &&
			      !c.malformed && c.is_ca == ca &&
			      !strcmp(c.key_type, i == 0 ? "RSA" : i < 3 ? "EC" : "other"));
			td_snap_cert_clear(&c);
			OPENSSL_free(der);
		}
	/* the RSA and EC certificates with one to three bytes changed */
	for (int i = 0; i < 600; i++) {
		der = cert_on(keys[i % 2], i % 4 < 2, &len);
		m = malloc((size_t)len);
		memcpy(m, der, (size_t)len);
		for (int j = 0; j <= i % 3; j++) {
			seed = seed * 1103515245u + 12345u;
			m[(seed >> 8) % (unsigned)len] ^= (unsigned char)(1u << (seed % 8));
		}
		CHECK(same_as_d2i(m, (size_t)len));
		free(m);
		OPENSSL_free(der);
	}
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
		EVP_PKEY_free(keys[i]);
}

/* The fuzzer's certificates (tests/fuzz/corpus/x509): a BER one among
 * them, whose key OpenSSL's decoder does not take. */
static void lean_corpus(const char *srcdir)
{
	char dir[4096], path[8192];
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(dir, sizeof dir, "%s/tests/fuzz/corpus/x509", srcdir);
	CHECK((d = opendir(dir)) != NULL);
	while (d && (de = readdir(d))) {
		static unsigned char buf[1 << 16];
		FILE *f;
		size_t len;
		if (!strstr(de->d_name, ".der"))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		CHECK((f = fopen(path, "rb")) != NULL);
		if (!f)
			continue;
		len = fread(buf, 1, sizeof buf, f);
		fclose(f);
		if (!same_as_d2i(buf, len))
			fprintf(stderr, "%s: the lean parse differs\n", de->d_name);
		CHECK(same_as_d2i(buf, len));
		n++;
	}
	if (d)
		closedir(d);
	CHECK(n >= 5);
}

static void write_all(void)
{
	size_t n = 1u << 20;   /* more than a pipe holds: short writes */
	unsigned char *buf = malloc(n);
	int p[2], st = 0;
	pid_t pid;

	for (size_t i = 0; i < n; i++)
		buf[i] = (unsigned char)(i * 7);
	CHECK(pipe(p) == 0);
	pid = fork();
	if (pid == 0) {   /* the reader: exit 0 when it got exactly buf */
		size_t got = 0, bad = 0;
		unsigned char c[4096];
		ssize_t r;
		close(p[1]);
		while ((r = read(p[0], c, sizeof c)) > 0)
			for (ssize_t i = 0; i < r; i++, got++)
				bad += c[i] != (unsigned char)(got * 7);
		free(buf);   /* a checker running the child too counts it */
		_exit(got == n && bad == 0 ? 0 : 1);
	}
	close(p[0]);
	CHECK(td_write_all(p[1], buf, n) == 0);
	close(p[1]);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);

	/* The reader gone: -1 and EPIPE (SIGPIPE ignored, as the callers do). */
	signal(SIGPIPE, SIG_IGN);
	CHECK(pipe(p) == 0);
	close(p[0]);
	errno = 0;
	CHECK(td_write_all(p[1], buf, 10) == -1 && errno == EPIPE);
	close(p[1]);
	free(buf);
}

int main(void)
{
	round_trip();
	lean_parse();
	lean_corpus(getenv("TD_SRCDIR") ? getenv("TD_SRCDIR") : ".");
	write_all();
	return failures ? 1 : 0;
}
