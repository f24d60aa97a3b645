/* fuzz-crl.c: the CRL import (td_crl_import, src/workflow/crl.c).
 *
 * A fuzzed CRL never gets past the signature check, so the harness signs
 * it: when the input parses as a DER CRL, its issuer is set to a test CA
 * under the government CA's name (made once per process) and it is
 * re-signed with that CA's key; then it is imported against that CA
 * (pinned in the base registry).
 * Inputs that do not parse go in as they are (the reader's refusals).
 * The registry holds the hostile tests' base lists, so listed serials
 * may match; it is put back from a pristine copy after an import that
 * changed it.
 * Properties: no crash or leak; a refused CRL leaves the audit log as it
 * was; an accepted one gives a report within its own numbers and an
 * audit chain that verifies. */
#include <config.h>

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tokendesk/crl.h"
#include "tokendesk/import.h"
#include "tokendesk/registry.h"
#include "fuzz.h"

static char dir[256], base_db[300], work_db[300], in[300], ca_path[300];
static struct td_registry *reg;
static int64_t base_rows;
static EVP_PKEY *ca_key;
static X509 *ca;

static void cleanup(void)
{
	td_reg_close(reg);
	reg = NULL;
	td_reg_remove(base_db);
	td_reg_remove(work_db);
	unlink(in);
	unlink(ca_path);
	rmdir(dir);
	X509_free(ca);
	EVP_PKEY_free(ca_key);
}

static void copy_file(const char *from, const char *to)
{
	char buf[1 << 16];
	int i = open(from, O_RDONLY), o = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ssize_t n;

	FUZZ_CHECK(i >= 0 && o >= 0);
	while ((n = read(i, buf, sizeof buf)) > 0)
		FUZZ_CHECK(write(o, buf, (size_t)n) == n);
	close(i);
	close(o);
}

static void fresh_registry(void)
{
	struct td_error err;
	int64_t bad;

	td_reg_close(reg);
	td_reg_remove(work_db);
	copy_file(base_db, work_db);
	reg = td_reg_open(work_db, 0, &err);
	FUZZ_CHECK(reg != NULL);
	td_reg_set_operator(reg, "fuzz");
	FUZZ_CHECK(td_reg_audit_verify(reg, &base_rows, &bad, &err) == 0);
}

/* A self-signed EC CA named as the government CA (C, O, CN). */
static void make_ca(void)
{
	X509_NAME *name;
	X509_EXTENSION *bc;
	FILE *f;

	FUZZ_CHECK((ca_key = EVP_EC_gen("P-256")) != NULL);
	FUZZ_CHECK((ca = X509_new()) != NULL);
	X509_set_version(ca, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(ca), 1);
	X509_gmtime_adj(X509_getm_notBefore(ca), -86400);
	X509_gmtime_adj(X509_getm_notAfter(ca), 86400L * 3650);
	X509_set_pubkey(ca, ca_key);
	name = X509_get_subject_name(ca);
	X509_NAME_add_entry_by_txt(name, "C", MBSTRING_UTF8, (const unsigned char *)"VN", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
	                           (const unsigned char *)"Ban Cơ yếu Chính phủ", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	                           (const unsigned char *)"CA phục vụ các cơ quan Nhà nước G2",
	                           -1, -1, 0);
	X509_set_issuer_name(ca, name);
	/* a CA (crl trust add pins only CAs) */
	FUZZ_CHECK((bc = X509V3_EXT_conf_nid(NULL, NULL, NID_basic_constraints,
	                                     "critical,CA:TRUE")) != NULL);
	FUZZ_CHECK(X509_add_ext(ca, bc, -1) == 1);
	X509_EXTENSION_free(bc);
	FUZZ_CHECK(X509_sign(ca, ca_key, EVP_sha256()) > 0);
	FUZZ_CHECK((f = fopen(ca_path, "w")) != NULL);
	FUZZ_CHECK(PEM_write_X509(f, ca) == 1);
	fclose(f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *paths[2] = { FUZZ_SRCDIR "/tests/hostile/base/agencies.csv",
	                         FUZZ_SRCDIR "/tests/hostile/base/certificates.csv" };
	struct td_import_report rep;
	struct td_error err;

	(void)argc;
	(void)argv;
	snprintf(dir, sizeof dir, "%s/td-fuzz-crl-XXXXXX",
	         access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	FUZZ_CHECK(mkdtemp(dir) != NULL);
	atexit(cleanup);
	snprintf(base_db, sizeof base_db, "%s/base.db", dir);
	snprintf(work_db, sizeof work_db, "%s/work.db", dir);
	snprintf(in, sizeof in, "%s/in.crl", dir);
	snprintf(ca_path, sizeof ca_path, "%s/ca.pem", dir);
	make_ca();
	reg = td_reg_open(base_db, TD_REG_CREATE, &err);
	FUZZ_CHECK(reg != NULL);
	if (td_import_files(reg, paths, 2, NULL, &rep, &err) != 0)
		fprintf(stderr, "fuzz-crl: base lists: %s\n", err.message);
	FUZZ_CHECK(rep.certificates.added > 0);
	td_import_report_free(&rep);
	{   /* only a pinned CA's CRLs get past the signature check */
		struct td_crl_pin pin;
		int added;
		FUZZ_CHECK(td_crl_trust_add(reg, ca_path, &pin, &added, &err) == 0);
	}
	td_reg_close(reg);
	reg = NULL;
	fresh_registry();
	return 0;
}

/* The input as a CRL signed by our CA, or as it is when it is no CRL. */
static void write_input(const uint8_t *data, size_t size)
{
	const unsigned char *p = data;
	X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)size);
	unsigned char *der = NULL;
	int len = -1, fd;

	if (crl && X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca)) &&
	    X509_CRL_sign(crl, ca_key, EVP_sha256()) > 0)
		len = i2d_X509_CRL(crl, &der);
	X509_CRL_free(crl);
	fd = open(in, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	FUZZ_CHECK(fd >= 0);
	if (len > 0)
		FUZZ_CHECK(write(fd, der, (size_t)len) == len);
	else if (size)
		FUZZ_CHECK(write(fd, data, size) == (ssize_t)size);
	close(fd);
	OPENSSL_free(der);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *cas[1] = { ca_path };
	struct td_crl_report rep;
	struct td_error err, verr;
	int64_t rows, bad;
	int rc;

	write_input(data, size);
	rc = td_crl_import(reg, in, cas, 1, &rep, &err);
	if (getenv("FUZZ_VERBOSE"))
		fprintf(stderr, "crl: rc %d %s; %ld entries, %ld marked\n", rc,
		        rc ? err.message : "", rep.entries, rep.marked);
	if (rc == 0) {
		FUZZ_CHECK(rep.marked + rep.already + rep.unknown <= rep.entries);
		FUZZ_CHECK(rep.entries >= 0 && rep.marked >= 0);
	} else {
		FUZZ_CHECK(err.message[0]);
	}
	td_crl_report_free(&rep);
	FUZZ_CHECK(td_reg_audit_verify(reg, &rows, &bad, &verr) == 0);
	if (rc != 0)
		FUZZ_CHECK(rows == base_rows);
	if (rows != base_rows)
		fresh_registry();
	return 0;
}
