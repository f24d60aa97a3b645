/* test-orgtree.c: the government CA's DN layout from the agency tree. */
#include <config.h>

#include <stdlib.h>

#include "check.h"
#include "tokendesk/orgtree.h"

static void check_dn(struct td_org_tree *t, const char *code, const char *kind,
                     const char *holder, const char *want)
{
	char *dn = td_org_tree_dn(t, code, kind, holder);
	CHECK_STR(dn, want);
	free(dn);
}

int main(void)
{
	struct td_org_tree *t = td_org_tree_new();

	td_org_tree_put(t, "DC", "Ủy ban nhân dân tỉnh Đông Châu", NULL, "province");
	td_org_tree_put(t, "STC", "Sở Tài chính", "DC", "department");
	td_org_tree_put(t, "STC-KH", "Phòng Kế hoạch", "STC", "division");
	td_org_tree_put(t, "SVH", "Sở Văn hóa, Thể thao và Du lịch", "DC", "department");

	check_dn(t, "STC-KH", "person", "Nguyễn Văn Hùng",
	         "C=VN, L=Đông Châu, O=Ủy ban nhân dân tỉnh Đông Châu, OU=Sở Tài chính, "
	         "OU=Phòng Kế hoạch, CN=Nguyễn Văn Hùng");
	check_dn(t, "STC-KH", "org", NULL,
	         "C=VN, L=Đông Châu, O=Ủy ban nhân dân tỉnh Đông Châu, OU=Sở Tài chính, "
	         "CN=Phòng Kế hoạch");
	check_dn(t, "DC", "org", NULL,
	         "C=VN, L=Đông Châu, O=Ủy ban nhân dân tỉnh Đông Châu, "
	         "CN=Ủy ban nhân dân tỉnh Đông Châu");
	/* RFC 4514: the comma inside a name is escaped. */
	check_dn(t, "SVH", "person", "Lê Thị Hà",
	         "C=VN, L=Đông Châu, O=Ủy ban nhân dân tỉnh Đông Châu, "
	         "OU=Sở Văn hóa\\, Thể thao và Du lịch, CN=Lê Thị Hà");

	/* A rename changes every DN below it (cached prefixes go stale). */
	td_org_tree_put(t, "STC", "Sở Tài chính và Kế hoạch", "DC", "department");
	check_dn(t, "STC-KH", "person", "Nguyễn Văn Hùng",
	         "C=VN, L=Đông Châu, O=Ủy ban nhân dân tỉnh Đông Châu, "
	         "OU=Sở Tài chính và Kế hoạch, OU=Phòng Kế hoạch, CN=Nguyễn Văn Hùng");

	CHECK(td_org_tree_within(t, "STC-KH", "DC"));
	CHECK(!td_org_tree_within(t, "STC-KH", "SVH"));
	CHECK(td_org_tree_cycle(t, "STC-KH") == NULL);

	/* A loop is found and yields no DN. */
	td_org_tree_put(t, "A", "A", "B", "other");
	td_org_tree_put(t, "B", "B", "A", "other");
	CHECK(td_org_tree_cycle(t, "A") != NULL);
	CHECK(td_org_tree_dn(t, "A", "person", "x") == NULL);
	CHECK(td_org_tree_dn(t, "NOPE", "person", "x") == NULL);
	CHECK_STR(td_province_short_name("UBND tỉnh Hưng Yên"), "Hưng Yên");
	td_org_tree_free(t);
	return check_done("test-orgtree");
}
