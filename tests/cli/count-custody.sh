#!/bin/sh
# count-custody: `count scan` flags a token the registry holds away, as
# the desk's count screen does (issue 23 item 4): recorded lost, and
# handed to a person who holds none of its certificates; an ordinary
# token is not flagged; in Vietnamese the flag is said in Vietnamese.
. "$TD_SRCDIR/tests/cli/count-common.sh"
province_test

td handover --to agency:SA --state lost T-SA-03 >/dev/null || td_fail "record T-SA-03 lost"
id=$(td count start --agency SA) || td_fail "count start"
out=$(td count scan "$id" T-SA-03) || td_fail "scan the lost token"
echo "$out" | grep -q "found.*⚠ recorded lost" || td_fail "a lost token is not flagged: $out"
out=$(td count scan "$id" T-SA-01) || td_fail "scan an ordinary token"
echo "$out" | grep -q "⚠" && td_fail "an ordinary token is flagged: $out"
out=$(td --lang vi count scan "$id" T-SA-03) || td_fail "scan in Vietnamese"
echo "$out" | grep -q "⚠ recorded" && td_fail "the flag is English in Vietnamese: $out"
echo "$out" | grep -q "⚠ " || td_fail "no flag in Vietnamese: $out"
exit 0
