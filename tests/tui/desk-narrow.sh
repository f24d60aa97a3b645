#!/bin/sh
# At 80x24 in Vietnamese no word that carries meaning is cut at its
# tail: in an agency's record a certificate's state ("hết hạn",
# expired) shows whole, its serial giving way in the middle; in the tree
# "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân thành phố Đông Châu"
# is written as offices write it (VP HĐND và UBND TP Đông Châu), not
# cut before the town.
. "$TD_SRCDIR/tests/tui/lib.sh"
demo_registry
# a '…' then a blank or the end of the line: a cell cut at its tail (a
# '…' inside a serial is its middle left out; the tag line's "renew…"
# is its text)
tail_cuts() { screen | grep -v '(g)' | grep -E '…( |$)'; }
start_desk 80 24 TOKENDESK_TODAY=2026-12-06 -- --lang vi
keys F3
type_text "DC.TP.P04"
wait_for "tìm thấy 1" || fail "the agency was not found: $(screen)"
keys Enter
wait_for "Người giữ, chứng thư và token" || fail "the agency's record did not open"
on_line "$(screen | grep -n 'Nguyễn Minh Quỳnh' | head -1 | cut -d: -f1)" "hết hạn" ||
	fail "the expired certificate's state is cut: $(screen | grep 'Nguyễn Minh Quỳnh')"
cut=$(tail_cuts)
[ -z "$cut" ] || fail "the record cuts words at their tail: $cut"
# the tree: the city DC.TP opened, paged to its office
keys F4
wait_for "DC.TP " || fail "F4 did not open the tree"
keys Home
i=0
while [ $i -lt 14 ]; do keys Down; i=$((i + 1)); done
wait_re "^▶.*DC\.TP " || fail "not on DC.TP: $(screen)"
keys Right
wait_for "DC.TP.KT" || fail "the city did not open: $(screen)"
keys PgDn
wait_for "DC.TP.VP" || fail "PgDn did not reach the city's office: $(screen)"
on_screen "VP HĐND và UBND TP Đông Châu" || fail "the office's name is not as offices write it"
cut=$(tail_cuts)
[ -z "$cut" ] || fail "the tree cuts names at their tail: $cut"
keys F10
wait_exit 0 || fail "no clean exit"
exit 0
