# tag-manual.sh: tagging by hand: every Decree 68 request kind, unknown
# targets refused, removal, and every write audited.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"
. "$TD_SRCDIR/tests/cli/plan/plan-lib.sh"

td init >/dev/null && td import "$P/agencies.csv" "$P/certificates.csv" >/dev/null || fail "setup"
expect_status 0 td tag recover-token tkb006 --reason "khóa PIN"
expect_status 0 td tag collect TKB007 --reason "nghỉ hưu"
expect_status 0 td tag new-issue P.S6 --reason "cấp mới"
expect_status 0 td tag renew b006 --reason "gia hạn"
expect_status 0 td tag change-info B008 --reason "đổi chức vụ"
expect_status 0 td tag keep B001 --reason "giữ"
expect_status 66 td tag revoke FFFF --reason x
expect_status 66 td tag revoke NOPE --reason x
expect_status 66 td tag new-issue P.NOPE --reason x
expect_status 66 td tag collect NO-SUCH-TOKEN --reason x
expect_status 64 td tag explode B001 --reason x
expect_status 0 td tag list --json
for r in token_recovery new_issue renewal info_change; do
	expect_in "$tmp/out" "\"request\": \"$r\""
done
expect_in "$tmp/out" '"target": "TKB006"'
expect_eq "$(grep -c '"target_kind"' "$tmp/out")" 6 "tags"
expect_eq "$(grep -c '"origin": "manual"' "$tmp/out")" 6 "manual tags"
expect_status 0 td tag remove TKB006
expect_status 66 td tag remove TKB006
expect_status 0 td tag list --json
expect_eq "$(grep -c '"target_kind"' "$tmp/out")" 5 "tags after remove"
expect_status 0 td audit log tag TKB006 --json
expect_in "$tmp/out" '"action": "tag.add"'
expect_in "$tmp/out" '"action": "tag.delete"'
expect_status 0 td audit verify

# A misspelt state is a usage error, not an empty list; so are the two
# contrary marks of `holder set` given together.
expect_status 64 td tag list --state sent
expect_in "$tmp/err" "--state takes tagged, sent_to_dost or confirmed, not 'sent'"
holder=$(td export certificates | awk -F, '$2 == "person" {print $4; exit}')
expect_status 64 td holder set "$holder" --needed --no-longer-needed
expect_in "$tmp/err" "give --no-longer-needed or --needed, not both"
finish
