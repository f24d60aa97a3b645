#!/bin/sh
# A whole handover by keys only: token, (no giver), receiver, condition,
# remarks, F9, y.  Afterwards `show token --json` has the new custodian
# and the custody event, and the audit chain verifies.
. "$TD_SRCDIR/tests/tui/lib.sh"
demo_registry
start_desk 100 30 -- --lang en
keys F5
wait_for "Hand tokens over" || fail "F5 did not open the handover"
type_text "3792084583"
keys Enter
wait_for "3792084583" || fail "token not listed"
keys Tab Tab
type_text "DC.STC"
wait_for "✓ Sở Tài chính" || fail "receiver not resolved"
keys Tab
type_text "nguyên vẹn"
keys Tab
type_text "bàn giao thử"
wait_for "Vũ Xuân Đông" || fail "running list lacks the holder"
keys F9
wait_for "Record the handover?" || fail "no confirmation"
keys y
wait_for "Handover recorded: BG-" || fail "handover not recorded"
number=$(screen | grep -o "BG-[0-9]*-[0-9]*" | head -1)
keys F10
wait_for "EXITED 0" || fail "no clean exit"
json=$("$TOKENDESK" --db "$tmp/reg.db" show token 3792084583 --json) || fail "show failed"
echo "$json" | grep -q '"custodian": "agency:DC.STC"' || fail "custodian not changed: $json"
echo "$json" | grep -q "nguyên vẹn" || fail "condition not recorded: $json"
echo "$json" | grep -qF "$number" || fail "history lacks $number: $json"
"$TOKENDESK" --db "$tmp/reg.db" audit verify >/dev/null || fail "audit chain broken"
exit 0
