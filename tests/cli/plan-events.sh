# plan-events.sh: a plan exercising every event type on a small province
# yields exactly the actions written by hand in plan/expected.tsv; the
# operator's pick and --as-of change what they should.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"
. "$TD_SRCDIR/tests/cli/plan/plan-lib.sh"

plan_setup || fail "setup"
expect_status 0 td plan show --json
actions_tsv "$tmp/out" >"$tmp/got"
expected_tsv "$P/expected.tsv" >"$tmp/want"
diff -u "$tmp/want" "$tmp/got" >"$tmp/diff" || { fail "actions differ from plan/expected.tsv"; cat "$tmp/diff" >&2; }
# every action says why
n=$(grep -c '"action"' "$tmp/out"); r=$(grep -c '"reason":"[^"]' "$tmp/out")
expect_eq "$r" "$n" "actions with a reason"

# the new DN, side by side with the old
expect_in "$tmp/out" '"cert_serial":"a092","cert_kind":"org"'
grep '"cert_serial":"a092"' "$tmp/out" >"$tmp/a092"
expect_in "$tmp/a092" '"old_dn":"C=VN, L=An Hòa, O=Ủy ban nhân dân tỉnh An Hòa, OU=Ủy ban nhân dân huyện Bình Sơn, CN=Ủy ban nhân dân xã Bình Hòa"'
expect_in "$tmp/a092" '"new_dn":"C=VN, L=An Hòa, O=Ủy ban nhân dân tỉnh An Hòa, CN=Ủy ban nhân dân xã Bình Sơn"'
grep '"cert_serial":"b009"' "$tmp/out" >"$tmp/b009"
expect_in "$tmp/b009" '"new_dn":"C=VN, L=An Hòa, O=Ủy ban nhân dân tỉnh An Hòa, OU=Sở Y tế, CN=Ngô Văn Chín"'
grep '"cert_serial":"a022"' "$tmp/out" >"$tmp/a022"
expect_in "$tmp/a022" '"new_dn":"C=VN, L=An Hòa, O=Ủy ban nhân dân tỉnh An Hòa, OU=Sở Tài chính, CN=Phòng Đăng ký kinh doanh"'

# text output: old and new DN on their own lines, and the totals
expect_status 0 td plan show
expect_in "$tmp/out" "    new: C=VN, L=An Hòa, O=Ủy ban nhân dân tỉnh An Hòa, CN=Sở Nội vụ"
expect_in "$tmp/out" "8 events, 26 certificates: 11 info changes, 10 revocations, 2 kept, 10 tokens to collect, 9 dossier handovers"

# the operator picks the commune certificate that takes the new name
expect_status 0 td plan pick P.X10 A091
expect_status 0 td plan show --json
actions_tsv "$tmp/out" | grep -E '	a09[123]	' >"$tmp/got"
printf 'change_info\ta091\tmerge_new\t-\nrevoke\ta092\tmerge_new\t-\nrevoke\ta093\tmerge_new\t-\n' >"$tmp/want"
diff -u "$tmp/want" "$tmp/got" >&2 || fail "pick A091"
# a certificate of another agency cannot be picked; --clear goes back
expect_status 64 td plan pick P.X10 A061
expect_in "$tmp/err" "not an active organisation certificate"
expect_status 66 td plan pick P.NOPE A091
expect_status 0 td plan pick --clear P.X10
expect_status 0 td plan show --json
actions_tsv "$tmp/out" >"$tmp/got"
expected_tsv "$P/expected.tsv" | diff -u - "$tmp/got" >&2 || fail "after --clear"

# --as-of: only what has taken effect by then
expect_status 0 td plan show --json --as-of 2025-06-30
actions_tsv "$tmp/out" >"$tmp/got"
expected_tsv "$P/expected-asof.tsv" | diff -u - "$tmp/got" >&2 || fail "--as-of"
# ... and written as a clerk writes it
expect_status 0 td plan show --json --as-of 30/6/2025
actions_tsv "$tmp/out" >"$tmp/got"
expected_tsv "$P/expected-asof.tsv" | diff -u - "$tmp/got" >&2 || fail "--as-of 30/6/2025"
expect_status 64 td plan show --as-of 2025-13-01

# merge keeping a name under a new superior: the kept certificate still
# needs an info change (rule merge_keep), its DN naming the new superior
printf '%s\n%s\n' effective_date,event,source_codes,target_code,target_name,new_parent_code \
	"2025-07-01,merge_keep,P.S1;P.S2,P.S1,,P.S6" >"$tmp/keep.csv"
expect_status 0 td plan import "$tmp/keep.csv"
expect_status 0 td plan show --json
grep '"cert_serial":"a011"' "$tmp/out" >"$tmp/a011"
expect_in "$tmp/a011" '"action":"change_info","rule":"merge_keep"'
expect_in "$tmp/a011" '"new_dn":"C=VN, L=An Hòa, O=Ủy ban nhân dân tỉnh An Hòa, OU=Sở Khoa học và Công nghệ, CN=Sở Tài chính"'
actions_tsv "$tmp/out" | grep -E '	a02[12]	' >"$tmp/got"
printf 'change_info\ta022\tsuperior_change\t-\nrevoke\ta021\tmerge_keep\t-\n' | LC_ALL=C sort >"$tmp/want"
diff -u "$tmp/want" "$tmp/got" >&2 || fail "merge_keep under a new superior"
finish
