#!/bin/sh
# desk-confirm-small: F9's confirmation at 60x20, the smallest screen the
# desk takes, of four tokens handed off the path, none proved, in
# Vietnamese, whose lines are the longest.  An off-path finding wraps to four rows there, and the room
# is one row more: an earlier note had the dialog show only "… and 8
# more" above the question for a reason.  The first finding shows, the
# rest are counted, and the question, the reason typed and the keys
# follow it in that order.
. "$TD_SRCDIR/tests/tui/lib.sh"
with_tokens
demo_registry
S1=$(four_officials) || fail "no tokens"
token_desk 60 20 -- --lang vi
wait_for "4 token" 10 || fail "the tokens are not shown"
keys F5
wait_for "Bàn giao token — 4 trong danh sách" 10 || fail "the tokens are not in the handover"
keys Tab Tab
type_text dost
wait_for "✓ Sở Khoa học và Công nghệ" || fail "To: dost not resolved"
keys F9
wait_for "Enter: vẫn ghi    Esc: không ghi" || fail "no confirmation"
on_screen "✗ thiết bị " || fail "no finding is on the screen: $(screen)"
on_screen_re "… và [0-9]* mục nữa" || fail "what did not fit is not counted: $(screen)"
on_screen "Vẫn ghi biên bản? Nhập lý do" || fail "the question for a reason is not on the screen: $(screen)"
type_text "thu hoi gap"
wait_for "thu hoi gap" || fail "the reason typed is not on the screen"
f=$(screen | grep -n "✗ thiết bị " | head -n 1 | cut -d: -f1)
m=$(screen | grep -n "mục nữa" | cut -d: -f1)
q=$(screen | grep -n "Vẫn ghi biên bản? Nhập lý do" | cut -d: -f1)
r=$(screen | grep -n "thu hoi gap" | cut -d: -f1)
k=$(screen | grep -n "Enter: vẫn ghi    Esc: không ghi" | cut -d: -f1)
[ -n "$f" ] && [ -n "$m" ] && [ -n "$q" ] && [ -n "$r" ] && [ -n "$k" ] &&
	[ "$f" -lt "$m" ] && [ "$m" -lt "$q" ] && [ "$q" -lt "$r" ] && [ "$r" -lt "$k" ] ||
	fail "finding, count, question, reason and keys out of order (rows $f $m $q $r $k): $(screen)"
keys Enter
wait_for "Đã ghi biên bản bàn giao:" 10 || fail "the handover was not recorded: $(screen)"
"$TOKENDESK" --db "$tmp/reg.db" --lang en show token "$S1" >"$tmp/show" 2>&1
grep -q "custodian: *dost" "$tmp/show" || fail "token 1 is not with DOST: $(cat "$tmp/show")"
exit 0
