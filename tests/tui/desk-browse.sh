#!/bin/sh
# The browse tree shows the agencies, opens branches, and Vietnamese names
# keep the columns aligned (checked by display column, not bytes).
. "$TD_SRCDIR/tests/tui/lib.sh"
demo_registry
start_desk 100 30 -- --lang vi
keys F4
wait_for "Ủy ban nhân dân tỉnh Đông Châu" || fail "no tree root"
wait_for "Sở Tài chính" || fail "first level not shown"
# the code column starts at the same display column on every row
c1=$(column_of "DC.STC ")
c2=$(column_of "DC.SNV ")
c3=$(column_of "DC.SVHTTDL")
c4=$(column_of "DC.SKHCN ")
[ "$c1" -gt 0 ] && [ "$c1" = "$c2" ] && [ "$c1" = "$c3" ] && [ "$c1" = "$c4" ] ||
	fail "codes not aligned: $c1 $c2 $c3 $c4"
# open a branch: go to Sở Tài chính and press Right
# (one Down at a time, each waited for, so a slow desk is not overrun)
selected() { screen | grep "^▶"; }
moved_from() { [ "$(selected)" != "$1" ]; }
i=0
until screen | grep -q "^▶.*Sở Tài chính"; do
	[ $i -lt 40 ] || fail "cannot select Sở Tài chính"
	was=$(selected)
	keys Down
	poll 5 moved_from "$was" || fail "Down did not move the selection"
	i=$((i + 1))
done
keys Right
wait_for "▾ Sở Tài chính" || fail "branch did not open"
keys Enter
wait_for "Đơn vị trực thuộc" || fail "Enter did not open the agency record"
keys q q q
wait_exit 0 || fail "q did not quit"
exit 0
