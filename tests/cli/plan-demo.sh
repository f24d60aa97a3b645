# plan-demo.sh: the demo province's 2025 plan (data/demo/plan.csv) imports,
# every action names its rule, every revoked certificate on a token has
# its token collected, and applying twice changes nothing.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"
export TOKENDESK_TODAY=2025-06-01   # the demo's certificates are all valid then

demo_import || fail "demo import"
expect_status 0 td plan import "$TD_SRCDIR/data/demo/plan.csv"
expect_in "$tmp/out" "plan: 22 events stored"
expect_status 0 td plan show --json
j=$tmp/out
n=$(grep -c '"action"' "$j")
[ "$n" -gt 100 ] || fail "only $n actions"
expect_eq "$(grep -c '"rule":"[a-z_]*","reason":"[^"]' "$j")" "$n" "actions with rule and reason"
# every district is abolished, every commune ends in a merge
for d in DC.TP DC.DD DC.KD DC.VD; do
	expect_in "$j" "\"action\":\"handover_dossiers\",\"rule\":\"dossier_handover\",\"reason\":\"$d ends"
done
expect_eq "$(grep -c '"action":"handover_dossiers"' "$j")" 53 "dossier handovers"
# each revoked certificate's token is collected exactly once
grep '"action":"revoke"' "$j" | grep -o '"token_serial":"[^"]*"' | sort -u >"$tmp/revoked-tokens"
grep '"action":"collect"' "$j" | grep -o '"token_serial":"[^"]*"' | sort >"$tmp/collected"
cmp -s "$tmp/revoked-tokens" "$tmp/collected" || fail "collected tokens differ from revoked certificates' tokens"
[ -s "$tmp/collected" ] || fail "no token collected"
# a commune certificate takes the new name of its merged commune
expect_in "$j" '"new_dn":"C=VN, L=Đông Châu, O=Ủy ban nhân dân tỉnh Đông Châu, CN=Ủy ban nhân dân xã Kim Đôn"'
expect_status 0 td plan apply
expect_in "$tmp/out" "0 changed, 0 removed, 0 unchanged, 0 held"
expect_status 0 td plan apply
expect_in "$tmp/out" "tags: 0 added, 0 changed, 0 removed"
expect_status 0 td lists -o "$tmp/dost.xlsx"
unzip -tq "$tmp/dost.xlsx" >/dev/null 2>&1 || fail "xlsx does not open"
expect_status 0 td audit verify
finish
