#!/bin/sh
# desk-confirm-narrow: F9's confirmation at 80x24 of a batch of four
# tokens handed off the path (officials straight to DOST), none proved.
# Each off-path finding wraps to four rows there: the question for a
# reason and its field always show, the findings that do not fit are
# counted ("… and N more"), the desk's way on is its own (no command-line
# --force --reason), and the reason typed lands on its field and is
# recorded.  Before, the question and the unproved tokens were cut
# silently and the reason was typed over a cut line.
. "$TD_SRCDIR/tests/tui/lib.sh"
with_tokens
demo_registry
S1=$(four_officials) || fail "no tokens"
token_desk 80 24 -- --lang en
wait_for "4 token(s)" 10 || fail "the tokens are not shown"
keys F5
wait_for "Hand tokens over — 4 in the list" 10 || fail "the tokens are not in the handover"
keys Tab Tab
type_text dost
wait_for "✓ Sở Khoa học và Công nghệ" || fail "To: dost not resolved"
keys F9
wait_for "Enter: record anyway    Esc: do not record" || fail "no confirmation"
on_screen "Record anyway? Type why; it goes on the record:" ||
	fail "the question for a reason is not on the screen: $(screen)"
on_screen_re "… and [0-9]* more" || fail "what did not fit is not counted: $(screen)"
off_screen "--force --reason" || fail "the desk shows the command line's way on: $(screen)"
type_text "thu hoi gap"
wait_for "thu hoi gap" || fail "the reason typed is not on the screen"
q=$(screen | grep -n "Record anyway? Type why" | cut -d: -f1)
r=$(screen | grep -n "thu hoi gap" | cut -d: -f1)
[ -n "$q" ] && [ -n "$r" ] && [ "$r" -gt "$q" ] ||
	fail "the reason is not typed below its question (rows $q, $r): $(screen)"
keys Enter
wait_for "recorded" 10 || fail "the handover was not recorded: $(screen)"
"$TOKENDESK" --db "$tmp/reg.db" --lang en show token "$S1" >"$tmp/show" 2>&1
grep -q "custodian: *dost" "$tmp/show" || fail "token 1 is not with DOST: $(cat "$tmp/show")"
exit 0
