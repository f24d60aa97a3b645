/* test-match: matching outcomes that the SoftHSM2 scan test cannot reach
 * from the CLI (tagged, through the hook), DN comparison, agency scope. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "registry/txn.h"
#include "tokendesk/match.h"

static int failures;

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
	failures++; } } while (0)

static void put_agency(struct td_registry *reg, const char *code, const char *parent)
{
	struct td_agency a = { 0 };
	enum td_upsert r;
	struct td_error err;

	a.code = (char *)code;
	a.name = (char *)code;
	a.parent_code = (char *)parent;
	a.level = (char *)(parent ? "department" : "province");
	if (td_reg_put_agency(reg, &a, &r, &err) != 0) {
		fprintf(stderr, "put agency %s: %s\n", code, err.message);
		failures++;
	}
}

static void put_cert(struct td_registry *reg, const char *serial, const char *token,
                     const char *agency, const char *holder_id)
{
	struct td_cert c = { 0 };
	struct td_cert_put p = { &c, NULL, NULL, "SoftHSM v2", 0, 0 };
	enum td_upsert r;
	struct td_error err;

	c.serial = (char *)serial;
	c.issuer_dn = (char *)TD_GOV_CA_ISSUER_DN;
	c.subject_dn = (char *)"C=VN, CN=Nguyễn Văn Đức";
	c.kind = (char *)"person";
	c.holder_ext_id = (char *)holder_id;
	c.holder_name = (char *)"Nguyễn Văn Đức";
	c.agency_code = (char *)agency;
	c.not_before = (char *)"2024-01-01";
	c.not_after = (char *)"2030-01-01";
	c.token_serial = (char *)token;
	if (td_reg_put_cert(reg, &p, &r, &err) != 0) {
		fprintf(stderr, "put cert %s: %s\n", serial, err.message);
		failures++;
	}
}

static struct td_registry *make_registry(const char *path)
{
	struct td_error err;
	struct td_registry *reg = td_reg_open(path, TD_REG_CREATE, &err);

	if (!reg) {
		fprintf(stderr, "open: %s\n", err.message);
		exit(1);
	}
	td_reg_set_operator(reg, "test");
	CHECK(td_reg_begin(reg, &err) == 0);
	put_agency(reg, "HY", NULL);
	put_agency(reg, "HY-KHCN", "HY");
	put_agency(reg, "HY-KHCN-VP", "HY-KHCN");
	put_agency(reg, "HD", NULL);
	put_cert(reg, "123abcd", "aa01", "HY-KHCN-VP", "033085001234");
	put_cert(reg, "5a05", "aa02", "HD", "030085005555");
	CHECK(td_reg_commit(reg, &err) == 0);
	return reg;
}

/* A token snapshot by hand: only what matching reads. */
static void fake_token(struct td_snap_token *t, struct td_snap_cert *c,
                       const char *serial, const char *cert_serial,
                       const char *issuer, const char *not_after)
{
	memset(t, 0, sizeof *t);
	memset(c, 0, sizeof *c);
	t->serial = (char *)serial;
	t->label = (char *)"test";
	t->module = (char *)"none";
	t->certs = c;
	t->ncerts = 1;
	c->serial = (char *)cert_serial;
	c->key_id = (char *)"01";
	c->issuer.text = (char *)issuer;
	c->subject.text = (char *)"C=VN, CN=Nguyễn Văn Đức";
	snprintf(c->not_after, sizeof c->not_after, "%s", not_after);
	snprintf(c->fingerprint, sizeof c->fingerprint, "%064d", 0);
}

static int tag_5a05_or_123abcd(struct td_registry *reg, const struct td_cert *c,
                               char *why, size_t size, void *ctx)
{
	const char *which = ctx;

	if (strcmp(c->serial, which) != 0)
		return 0;
	snprintf(why, size, "tagged: info change");
	return 1;
}

static enum td_match_outcome outcome(struct td_registry *reg,
                                     const struct td_snap_token *t,
                                     const struct td_match_opts *o,
                                     char *registry_side, size_t size)
{
	struct td_match_result r;
	struct td_error err;
	enum td_match_outcome out;

	if (td_match_token(reg, t, o, &r, &err) != 0) {
		fprintf(stderr, "match: %s\n", err.message);
		failures++;
		return TD_MATCH_OK;
	}
	out = r.outcome;
	CHECK(r.n >= 1);
	if (registry_side)
		snprintf(registry_side, size, "%s", r.findings[0].registry);
	td_match_result_clear(&r);
	return out;
}

static void test_outcomes(struct td_registry *reg)
{
	/* The issuer written in another order and NFD still matches. */
	const char *issuer_nfd = "C=VN, O=Ban Co\xcc\x9b yê\xcc\x81u Chi\xcc\x81nh phu\xcc\x89, "
	                         "CN=CA phục vụ các cơ quan Nhà nước G2";
	struct td_snap_token t;
	struct td_snap_cert c;
	struct td_match_opts o = { 0 };
	char side[512];

	o.today = "2026-01-01";
	fake_token(&t, &c, "aa01", "123abcd", TD_GOV_CA_ISSUER_DN, "2028-01-01T00:00:00Z");
	CHECK(outcome(reg, &t, &o, NULL, 0) == TD_MATCH_OK);
	c.issuer.text = (char *)issuer_nfd;
	CHECK(outcome(reg, &t, &o, NULL, 0) == TD_MATCH_OK);
	/* Serial spelled with a leading zero on the token side: same. */
	c.serial = (char *)"0123abcd";
	CHECK(outcome(reg, &t, &o, NULL, 0) == TD_MATCH_OK);
	/* Another issuer with the same serial is another certificate. */
	c.issuer.text = (char *)"CN=Some other CA, C=VN";
	CHECK(outcome(reg, &t, &o, side, sizeof side) == TD_MATCH_OTHER_CERT);
	CHECK(strstr(side, "certificate 123abcd of Nguyễn Văn Đức") != NULL);
	c.issuer.text = (char *)TD_GOV_CA_ISSUER_DN;

	/* Tagged, through the hook. */
	o.tagged = tag_5a05_or_123abcd;
	o.tag_ctx = (void *)"123abcd";
	CHECK(outcome(reg, &t, &o, side, sizeof side) == TD_MATCH_TAGGED);
	CHECK(strstr(side, "tagged: info change") != NULL);
	o.tag_ctx = (void *)"5a05";
	CHECK(outcome(reg, &t, &o, NULL, 0) == TD_MATCH_OK);
	o.tagged = NULL;

	/* Expired by the token's notAfter. */
	o.today = "2028-01-02";
	CHECK(outcome(reg, &t, &o, NULL, 0) == TD_MATCH_EXPIRED);
	o.today = "2026-01-01";

	/* Scope: HY-KHCN-VP lies under HY and HY-KHCN, not under HD. */
	o.scope_agency = "HY";
	CHECK(outcome(reg, &t, &o, NULL, 0) == TD_MATCH_OK);
	o.scope_agency = "HY-KHCN";
	CHECK(outcome(reg, &t, &o, NULL, 0) == TD_MATCH_OK);
	o.scope_agency = "HD";
	CHECK(outcome(reg, &t, &o, side, sizeof side) == TD_MATCH_OUT_OF_SCOPE);
	CHECK(strstr(side, "HY-KHCN-VP is not under this desk's agency HD") != NULL);
	o.scope_agency = NULL;

	/* Unknown token, whose certificate the registry puts on aa01. */
	t.serial = (char *)"ffff";
	CHECK(outcome(reg, &t, &o, side, sizeof side) == TD_MATCH_UNKNOWN_TOKEN);
	CHECK(strstr(side, "recorded on token") != NULL);
}

static void test_dn_equal(void)
{
	CHECK(td_dn_equal("CN=a, O=b, C=VN", "C=VN, O=b, CN=a"));
	CHECK(td_dn_equal("emailAddress=x@y, title=T1", "E=x@y, T=T1"));
	CHECK(td_dn_equal("OU=a\\, b, CN=c", "CN=c, OU=a\\, b"));
	CHECK(!td_dn_equal("OU=a\\, b, CN=c", "CN=c, OU=a, OU=b"));
	CHECK(!td_dn_equal("CN=a, O=b", "CN=a, O=b, C=VN"));
	CHECK(!td_dn_equal("CN=a", NULL));
}

int main(void)
{
	char dir[] = "/tmp/td-match.XXXXXX", path[256];
	struct td_registry *reg;

	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof path, "%s/reg.db", dir);
	reg = make_registry(path);
	test_outcomes(reg);
	test_dn_equal();
	{
		struct td_error err;
		CHECK(td_agency_within(reg, "HY-KHCN-VP", "HY", &err) == 1);
		CHECK(td_agency_within(reg, "HY", "HY-KHCN", &err) == 0);
		CHECK(td_agency_within(reg, "NOPE", "HY", &err) == 0);
	}
	td_reg_close(reg);
	if (getenv("KEEP")) return failures ? 1 : 0;
	snprintf(path, sizeof path, "rm -rf '%s'", dir);
	if (system(path) != 0)
		failures++;
	if (failures)
		fprintf(stderr, "%d failure(s)\n", failures);
	return failures ? 1 : 0;
}
