/* test-tag.c: the registry's tags, as the token layer and the plan use
 * them: td_reg_cert_tag in any serial spelling, unchanged puts write
 * nothing, batches number upward, a confirmed revocation. */
#include <config.h>

#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "tokendesk/registry.h"
#include "registry/txn.h"

static char path[256];

static void put_sample(struct td_registry *reg)
{
	struct td_agency root = { 0, "DC", "Ủy ban nhân dân tỉnh Đông Châu", NULL,
	                          "province", NULL, NULL };
	struct td_cert c = { .serial = "0a1b", .issuer_dn = TD_GOV_CA_ISSUER_DN,
		.subject_dn = "C=VN, CN=Nguyễn Văn Hùng", .kind = "person",
		.holder_ext_id = "001085012345", .holder_name = "Nguyễn Văn Hùng",
		.agency_code = "DC", .not_before = "2023-01-01", .not_after = "2028-01-01",
		.token_serial = "AB12" };
	struct td_cert_put p = { &c, NULL, NULL, NULL, 0, 0 };
	struct td_error err;
	enum td_upsert u;

	CHECK(td_reg_begin(reg, &err) == 0);
	CHECK(td_reg_put_agency(reg, &root, &u, &err) == 0);
	CHECK(td_reg_put_cert(reg, &p, &u, &err) == 0);
	CHECK(td_reg_commit(reg, &err) == 0);
}

static int count(const struct td_tag *t, void *ctx)
{
	(void)t;
	(*(int *)ctx)++;
	return 0;
}

static void check_tags(struct td_registry *reg)
{
	struct td_tag t = { .target_kind = "cert", .target = "00:0A:1B", .kind = "revoke",
	                    .request = "revocation", .origin = "manual", .rule = "manual",
	                    .reason = "nghỉ hưu" };
	struct td_error err;
	char *kind = NULL, *state = NULL;
	int changed = -1, n = 0;
	int64_t batch;
	long sent;

	CHECK(td_reg_cert_tag(reg, "0a1b", &kind, &state, &err) == TD_ERR_NOTFOUND);
	CHECK(td_reg_tag_put(reg, &t, &changed, &err) == TD_ERR_INTERNAL);  /* no tx */
	CHECK(td_reg_begin(reg, &err) == 0);
	CHECK(td_reg_tag_put(reg, &t, &changed, &err) == 0 && changed == 1);
	CHECK(td_reg_tag_put(reg, &t, &changed, &err) == 0 && changed == 0);
	CHECK(td_reg_commit(reg, &err) == 0);
	CHECK(td_reg_cert_tag(reg, "0A1B", &kind, &state, &err) == 0);
	CHECK_STR(kind, "revoke");
	CHECK_STR(state, "tagged");
	free(kind);
	free(state);
	CHECK(td_reg_cert_tag(reg, "not hex", NULL, NULL, &err) == TD_ERR_NOTFOUND);

	CHECK(td_reg_begin(reg, &err) == 0);
	CHECK(td_reg_tag_send(reg, &batch, &sent, &err) == 0 && batch == 1 && sent == 1);
	CHECK(td_reg_tag_send(reg, &batch, &sent, &err) == 0 && batch == 0 && sent == 0);
	CHECK(td_reg_commit(reg, &err) == 0);
	CHECK(td_reg_each_tag(reg, "sent_to_dost", 1, count, &n, &err) == 0 && n == 1);
	n = 0;
	CHECK(td_reg_each_tag(reg, "tagged", 0, count, &n, &err) == 0 && n == 0);

	int found = 0;
	CHECK(td_reg_begin(reg, &err) == 0);
	/* the issuer matches with or without spaces after the commas */
	CHECK(td_reg_cert_mark_revoked(reg, "0A1B", "CN=CA phục vụ các cơ quan Nhà nước "
	                               "G2,O=Ban Cơ yếu Chính phủ,C=VN", "2025-08-01",
	                               &found, &err) == 0 && found == 1);
	CHECK(td_reg_cert_mark_revoked(reg, "ffff", TD_GOV_CA_ISSUER_DN, "2025-08-01",
	                               &found, &err) == 0 && found == 0);
	CHECK(td_reg_commit(reg, &err) == 0);
	CHECK(td_reg_cert_tag(reg, "0a1b", NULL, &state, &err) == 0);
	CHECK_STR(state, "confirmed");
	free(state);
	struct td_cert c;
	CHECK(td_reg_get_cert(reg, "0a1b", &c, &err) == 0);
	CHECK_STR(c.status, "revoked");
	CHECK_STR(c.revoked_at, "2025-08-01");
	td_cert_clear(&c);
	int64_t rows, bad;
	CHECK(td_reg_audit_verify(reg, &rows, &bad, &err) == 0);
}

int main(void)
{
	struct td_registry *reg;
	struct td_error err;

	CHECK(check_db_path(path, sizeof path) != NULL);
	reg = td_reg_open(path, TD_REG_CREATE, &err);
	CHECK(reg != NULL);
	if (reg) {
		td_reg_set_operator(reg, "tester");
		put_sample(reg);
		check_tags(reg);
		td_reg_close(reg);
	}
	check_db_remove(path);
	return check_done("test-tag");
}
