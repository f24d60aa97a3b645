#!/bin/sh
# The handover takes a token before its giver and receiver and checks
# each when it is typed (a giver who does not hold the token is refused
# beside the field); and leaving with an unrecorded handover (F10, Esc,
# another screen's key) asks first: n stays with the list intact, y
# leaves with nothing written.
. "$TD_SRCDIR/tests/tui/lib.sh"
demo_registry
start_desk 100 30 -- --lang en
keys F5
wait_for "Hand tokens over" || fail "F5 did not open the handover"
type_text "3792084583"
keys Enter
wait_for "Hand tokens over — 1 in the list" || fail "a token before To was not taken"
keys Tab
type_text "dost"
wait_for "✗ token 3792084583 is in the custody of" ||
	fail "a giver who does not hold the token was not refused: $(screen)"
keys C-u Tab
type_text "DC.STC"
wait_for "✓ Sở Tài chính" || fail "receiver not resolved"
keys F10
wait_for "Leave with an unrecorded handover? Its list is lost." || fail "F10 did not ask"
keys n
wait_gone "Leave with an unrecorded handover?" || fail "n did not close the question"
on_screen "Hand tokens over — 1 in the list" || fail "n lost the list"
keys Escape
wait_for "Leave with an unrecorded handover?" || fail "Esc did not ask"
keys Escape
wait_gone "Leave with an unrecorded handover?" || fail "Esc did not stay"
# a Right arrow split over SSH: Esc, then "[C": the Esc asks, the rest
# stays (C, "có", is no yes here) and the list is kept
keys Escape
wait_for "Leave with an unrecorded handover?" || fail "Esc did not ask (split key)"
keys -l "[C"
wait_gone "Leave with an unrecorded handover?" || fail "a split key's tail did not close the question"
on_screen "Hand tokens over — 1 in the list" || fail "a split key's tail discarded the list"
keys F3
wait_for "Leave with an unrecorded handover?" || fail "F3 did not ask"
keys y
wait_for "Search:" || fail "y did not go to the search"
keys F10
wait_exit 0 || fail "F10 with nothing unrecorded did not quit at once"
# F10 at the question quits (F10 twice): a hall desk's operator leaving
tmux -S "$sock" kill-server 2>/dev/null
start_desk 100 30 -- --lang en
keys F5
wait_for "Hand tokens over" || fail "F5 did not open the handover (2)"
type_text "3792084583"
keys Enter
wait_for "1 in the list" || fail "token not taken (2)"
keys Escape
wait_for "Leave with an unrecorded handover?" || fail "Esc did not ask (2)"
keys F10
wait_exit 0 || fail "F10 at the question did not quit"
"$TOKENDESK" --db "$tmp/reg.db" show token 3792084583 --json >"$tmp/json" || fail "show"
grep -q '"custodian": "holder:' "$tmp/json" || fail "something was written: $(cat "$tmp/json")"
exit 0
