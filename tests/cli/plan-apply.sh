# plan-apply.sh: `plan apply` tags what the plan demands in one audited
# transaction; applying twice changes nothing; a corrected plan changes
# only the difference; tags move tagged -> sent_to_dost (numbered batch);
# manual tags and sent tags are not overridden.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"
. "$TD_SRCDIR/tests/cli/plan/plan-lib.sh"

plan_setup || fail "setup"
n=$(expected_tsv "$P/expected.tsv" | wc -l)
expect_status 0 td plan apply
expect_in "$tmp/out" "tags: $n added, 0 changed, 0 removed, 0 unchanged, 0 held"
expect_status 0 td tag list --json
expect_eq "$(grep -c '"target_kind"' "$tmp/out")" "$n" "tags after apply"
expect_in "$tmp/out" '"state": "tagged"'
expect_in "$tmp/out" '"request": "revocation"'
expect_in "$tmp/out" '"request": "info_change"'
expect_status 0 td audit verify

# twice: nothing changes, not even the audit log
audit=$(sqlite3 "$TOKENDESK_DB" "select count(*) from audit")
expect_status 0 td plan apply
expect_in "$tmp/out" "tags: 0 added, 0 changed, 0 removed, $n unchanged, 0 held"
expect_eq "$(sqlite3 "$TOKENDESK_DB" "select count(*) from audit")" "$audit" "audit rows after a second apply"

# send a batch: every tag goes to DOST as batch 1
expect_status 0 td tag send
expect_in "$tmp/out" "batch 1: $n tags sent to DOST"
expect_status 0 td tag send
expect_in "$tmp/out" "nothing tagged"
# the CA did the info change of A071: confirmed by hand, once
expect_status 0 td tag confirm A071
expect_status 65 td tag confirm A071
expect_in "$tmp/err" "not sent to DOST"
# ... said in Vietnamese with the state in words, not its code
expect_status 65 td --lang vi tag confirm A071
expect_in "$tmp/err" "a071 đang ở trạng thái đã xác nhận, chưa gửi Sở KH&CN"
expect_status 66 td tag confirm A061
expect_status 0 td tag list --json --state confirmed
expect_in "$tmp/out" '"target": "a071"'

# a manual tag on an unaffected official, then a corrected plan: the
# rename is dropped (a071, b008 no longer change) and P.S6 is renamed
# instead (a061 and b006 change; b007 is now revoked: no longer needed)
expect_status 0 td tag revoke B006 --reason "nghỉ hưu"
expect_status 64 td tag revoke B006
expect_status 65 td tag keep A021 --reason "x"
expect_in "$tmp/err" "already sent_to_dost"
grep -v ',rename,P.S7,' "$P/plan.csv" >"$tmp/plan2.csv"
echo '2025-07-01,rename,P.S6,,Sở Khoa học và Công nghệ tỉnh,' >>"$tmp/plan2.csv"
expect_status 0 td plan import "$tmp/plan2.csv"
expect_status 0 td plan apply
# added: a061 change, b007 revoke, token of b007; held: b006 (manual
# tag), a071 and b008 (sent already: not silently removed), a052 (sent
# already, and its new DN now names the renamed P.S6)
expect_in "$tmp/out" "tags: 3 added, 0 changed, 0 removed, $((n - 3)) unchanged, 4 held"
expect_status 0 td tag list --json --state tagged
expect_in "$tmp/out" '"target": "a061"'
expect_in "$tmp/out" '"target": "b007"'
expect_in "$tmp/out" '"target": "TKB007"'
expect_in "$tmp/out" '"origin": "manual"'

# before sending, a plan tag that is no longer demanded is removed
grep -v ',rename,P.S6,' "$tmp/plan2.csv" >"$tmp/plan3.csv"
expect_status 0 td plan import "$tmp/plan3.csv"
expect_status 0 td plan apply
expect_in "$tmp/out" "3 removed"
expect_status 0 td tag list --json --state tagged
expect_not_in "$tmp/out" '"target": "a061"'
expect_in "$tmp/out" '"target": "b006"'
expect_status 0 td audit log tag a061 --json
expect_in "$tmp/out" '"action": "tag.delete"'
expect_status 0 td tag send
expect_in "$tmp/out" "batch 2: 1 tag sent to DOST"
expect_status 0 td tag list --batch 2 --json
expect_in "$tmp/out" '"target": "b006"'
expect_status 0 td audit verify
finish
