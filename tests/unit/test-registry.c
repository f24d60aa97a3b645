/* test-registry.c: the registry against a real SQLite file.
 * Built twice: test-registry links libcrypto like tokendesk-full does;
 * test-registry-lean (TD_TEST_LEAN) links what `tokendesk` links, so the
 * registry must open libcrypto itself for the audit chain (sha256.c). */
#include <config.h>

#include <dlfcn.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "check.h"
#include "tokendesk/registry.h"
#include "registry/internal.h"
#include "registry/txn.h"

static char path[256];

static void put_sample(struct td_registry *reg)
{
	struct td_agency root = { 0, "DC", "Ủy ban nhân dân tỉnh Đông Châu", NULL,
	                          "province", NULL, NULL };
	struct td_agency dept = { 0, "STC", "Sở Tài chính", "DC", "department", NULL, NULL };
	struct td_agency orphan = { 0, "X", "X", "NOPE", "other", NULL, NULL };
	struct td_cert c = { .serial = "0a1b", .issuer_dn = TD_GOV_CA_ISSUER_DN,
		.subject_dn = "C=VN, CN=Nguyễn Văn Hùng", .kind = "person",
		.holder_ext_id = "001085012345", .holder_name = "Nguyễn Văn Hùng",
		.agency_code = "STC", .not_before = "2023-01-01", .not_after = "2028-01-01",
		.token_serial = "AB12" };
	struct td_cert_put p = { &c, "Chuyên viên", NULL, "SafeNet eToken 5110", 0, 0 };
	struct td_error err;
	enum td_upsert u;

	CHECK(td_reg_put_agency(reg, &root, &u, &err) == TD_ERR_INTERNAL);  /* no tx */
	CHECK(td_reg_begin(reg, &err) == 0);
	CHECK(td_reg_put_agency(reg, &root, &u, &err) == 0 && u == TD_UPSERT_ADDED);
	CHECK(td_reg_put_agency(reg, &dept, &u, &err) == 0 && u == TD_UPSERT_ADDED);
	CHECK(td_reg_put_agency(reg, &orphan, &u, &err) == TD_ERR_DATA);
	CHECK(td_reg_put_cert(reg, &p, &u, &err) == 0 && u == TD_UPSERT_ADDED);
	CHECK(td_reg_put_cert(reg, &p, &u, &err) == 0 && u == TD_UPSERT_UNCHANGED);
	p.position = "Trưởng phòng";
	CHECK(td_reg_put_cert(reg, &p, &u, &err) == 0 && u == TD_UPSERT_UPDATED);
	CHECK(td_reg_commit(reg, &err) == 0);
}

static int count_hits(const struct td_search_hit *h, void *ctx)
{
	(void)h;
	(*(int *)ctx)++;
	return 0;
}

static void check_reads(struct td_registry *reg)
{
	struct td_error err;
	struct td_token t;
	struct td_cert c;
	int hits = 0;

	CHECK(td_reg_get_token(reg, "ab 12", &t, &err) == 0);
	CHECK_STR(t.custodian, "holder:001085012345");
	CHECK_STR(t.custodian_name, "Nguyễn Văn Hùng");
	CHECK_STR(t.state, "in_use");
	td_token_clear(&t);
	CHECK(td_reg_get_cert(reg, "0A:1B", &c, &err) == 0);
	CHECK_STR(c.token_serial, "AB12");
	CHECK_STR(c.status, "active");
	td_cert_clear(&c);
	CHECK(td_reg_get_cert(reg, "ffff", &c, &err) == TD_ERR_NOTFOUND);
	CHECK(td_reg_search(reg, "nguyen hung", 10, count_hits, &hits, &err) == 0);
	CHECK(hits == 1);
	hits = 0;
	CHECK(td_reg_search(reg, "tai chinh", 10, count_hits, &hits, &err) == 0);
	CHECK(hits == 1);
}

static void check_move_and_audit(struct td_registry *reg)
{
	struct td_error err;
	struct td_token t;
	int64_t rows = 0, bad = 0, ev = 0;

	CHECK(td_reg_begin(reg, &err) == 0);
	CHECK(td_reg_move_token(reg, "AB12", "dost", "at_dost", "good", "bag 1", 0, &ev,
	                        &err) == 0 && ev > 0);
	CHECK(td_reg_commit(reg, &err) == 0);
	CHECK(td_reg_get_token(reg, "AB12", &t, &err) == 0);
	CHECK_STR(t.custodian, "dost");
	CHECK_STR(t.state, "at_dost");
	td_token_clear(&t);
	CHECK(td_reg_audit_verify(reg, &rows, &bad, &err) == 0);
	CHECK(rows == 5 && bad == 0);
}

static void tamper(const char *sql)
{
	sqlite3 *db;
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
}

static void check_tamper(void)
{
	struct td_registry *reg;
	struct td_error err;
	int64_t bad = 0;

	tamper("UPDATE audit SET operator = 'mallory' WHERE id = 3");
	reg = td_reg_open(path, 0, &err);
	CHECK(td_reg_audit_verify(reg, NULL, &bad, &err) == TD_ERR_CONFLICT && bad == 3);
	td_reg_close(reg);
}

/* Schema 11: one issuer row per DN; a serial may repeat under another
 * issuer; an issuer added by a rolled-back write is not named later
 * (the interning cache is per transaction). */
static int64_t count_of(const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t n = -1;

	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return n;
}

static void check_issuers(struct td_registry *reg)
{
	struct td_cert c = { .serial = "0a1b", .issuer_dn = "CN=Other CA, C=VN",
		.subject_dn = "C=VN, CN=Nguyễn Văn Hùng", .kind = "person",
		.holder_ext_id = "001085012345", .holder_name = "Nguyễn Văn Hùng",
		.agency_code = "STC", .not_before = "2023-01-01", .not_after = "2028-01-01" };
	struct td_cert_put p = { &c, "Trưởng phòng", NULL, NULL, 0, 0 };
	struct td_error err;
	enum td_upsert u;
	int64_t certs = count_of("SELECT count(*) FROM certificate"), bad = 0;

	CHECK(td_reg_begin(reg, &err) == 0);
	CHECK(td_reg_put_cert(reg, &p, &u, &err) == 0 && u == TD_UPSERT_ADDED);
	CHECK(td_reg_put_cert(reg, &p, &u, &err) == 0 && u == TD_UPSERT_UNCHANGED);
	CHECK(td_reg_commit(reg, &err) == 0);
	CHECK(count_of("SELECT count(*) FROM issuer") == 2);
	CHECK(count_of("SELECT count(*) FROM certificate") == certs + 1);
	CHECK(count_of("SELECT count(DISTINCT issuer_id) FROM certificate"
	               " WHERE serial = 'a1b'") == 2);
	c.issuer_dn = "CN=Rolled back CA";
	c.serial = "0c";
	CHECK(td_reg_begin(reg, &err) == 0);
	CHECK(td_reg_put_cert(reg, &p, &u, &err) == 0 && u == TD_UPSERT_ADDED);
	td_reg_rollback(reg);
	CHECK(count_of("SELECT count(*) FROM issuer") == 2);
	CHECK(td_reg_begin(reg, &err) == 0);
	c.serial = "0d";
	CHECK(td_reg_put_cert(reg, &p, &u, &err) == 0 && u == TD_UPSERT_ADDED);
	CHECK(td_reg_commit(reg, &err) == 0);
	CHECK(count_of("SELECT count(*) FROM certificate c JOIN issuer i ON i.id ="
	               " c.issuer_id WHERE c.serial = 'd' AND i.dn = 'CN=Rolled back CA'")
	      == 1);
	CHECK(count_of("SELECT count(*) FROM pragma_foreign_key_check") == 0);
	CHECK(td_reg_audit_verify(reg, NULL, &bad, &err) == 0);
}

/* audit verify asks, for every key the audit log names, how many rows
 * have it: a look-up each, or verifying grows with the square of the log
 * (a plan applied by an earlier release, 32,811 tag.add rows: 60 s). */
static void check_count_lookups(struct td_registry *reg)
{
	const char *first = "?";

	CHECK(td_reg_audit_count_scans(reg, &first) == 0);
	if (first)
		fprintf(stderr, "test-registry: audit verify scans table %s per key\n", first);
}

int main(void)
{
	struct td_registry *reg;
	struct td_error err;
	struct stat st;

#ifdef TD_TEST_LEAN
	CHECK(dlsym(RTLD_DEFAULT, "EVP_MD_fetch") == NULL);   /* really not linked */
#endif
	CHECK(check_db_path(path, sizeof path) != NULL);
	CHECK(td_reg_open(path, 0, &err) == NULL && err.code == TD_ERR_NOTFOUND);
	reg = td_reg_open(path, TD_REG_CREATE, &err);
	CHECK(reg != NULL);
	if (!reg)
		return check_done("test-registry");
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK(td_reg_schema_version(reg) == td_reg_schema_latest());
	td_reg_set_operator(reg, "tester");
	put_sample(reg);
#ifdef TD_TEST_LEAN
	{   /* the audit rows were hashed: the registry opened libcrypto */
		void *h = dlopen(TD_LIBCRYPTO_SONAME, RTLD_NOW | RTLD_NOLOAD);
		CHECK(h != NULL);
		if (h)
			dlclose(h);
	}
#endif
	check_reads(reg);
	check_move_and_audit(reg);
	check_issuers(reg);
	check_count_lookups(reg);
	td_reg_close(reg);
	check_tamper();

	chmod(path, 0666);
	CHECK(td_reg_open(path, 0, &err) == NULL && err.code == TD_ERR_PERM);
	CHECK(strstr(err.message, "chmod 600") != NULL);
	check_db_remove(path);
	return check_done("test-registry");
}
