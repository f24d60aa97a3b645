#!/bin/sh
# kit-refresh-verify: a kit's own `audit verify` after an honest refresh.
# The field moved a token and closed a count; home merged, moved the token
# again and the refresh made the kit's rows again from home's (the closed
# count not among them).  The kit's audit rows from before the refresh
# told of rows merged home since: verify called the count deleted and the
# token changed by hand.  Field work after the refresh is still checked.
. "$TD_SRCDIR/tests/cli/count-common.sh"
province_test sqlite3
K() { "$TOKENDESK" --db "$tmp/a.kit" "$@"; }

td kit make --agencies SA -o "$tmp/a.kit" >/dev/null || td_fail "kit make"
export TOKENDESK_OPERATOR=team
K handover --to agency:SA T-SA-01 >/dev/null || td_fail "field handover"
c=$(K count start --agency SA) || td_fail "count start"
K count scan "$c" T-SA-01 >/dev/null && K count close "$c" -o "$tmp" >/dev/null ||
	td_fail "field count"
export TOKENDESK_OPERATOR=home
td kit merge "$tmp/a.kit" >/dev/null || td_fail "merge"
td handover --to dost --force --reason "nộp thẳng" T-SA-01 >/dev/null || td_fail "home handover"
td kit refresh "$tmp/a.kit" >/dev/null || td_fail "refresh"
K audit verify >"$tmp/out" 2>&1 || td_fail "the kit after an honest refresh: $(cat "$tmp/out")"
td audit verify >/dev/null || td_fail "home"

# after the refresh the kit's own work is checked as before
export TOKENDESK_OPERATOR=team
K handover --to agency:SA T-SA-02 >/dev/null || td_fail "field handover 2"
K audit verify >/dev/null || td_fail "the kit after more field work"
sqlite3 "$tmp/a.kit" "UPDATE token SET custodian = 'ca' WHERE serial = 'T-SA-02'" ||
	td_fail "edit"
K audit verify >"$tmp/out" 2>&1 && td_fail "a hand edit after the refresh passed"
grep -q "T-SA-02: custodian is 'ca'" "$tmp/out" || td_fail "edit: $(cat "$tmp/out")"
exit 0
