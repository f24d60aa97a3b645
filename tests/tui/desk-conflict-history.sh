#!/bin/sh
# A token handed over in a field kit and at home meanwhile: its record's
# custody history marks the field's move with the open conflict; Enter
# there opens the conflicts screen on that conflict; once it is decided
# (keep home), the record, read again on return, says the field's move
# did not stand.  The same at 80x24 in Vietnamese, where nothing may be
# cut off.
. "$TD_SRCDIR/tests/tui/lib.sh"
. "$TD_SRCDIR/tests/cli/count-common.sh"
td() { "$TOKENDESK" --db "$tmp/reg.db" "$@"; }

make_province "$tmp"
td kit make --agencies SB -o "$tmp/b.kit" >/dev/null || fail "kit make"
TOKENDESK_OPERATOR=team-b "$TOKENDESK" --db "$tmp/b.kit" handover --to agency:SB \
	T-SB-01 >/dev/null || fail "field handover"
td handover --to dost --force --reason "nộp thẳng cho Sở" T-SB-01 >/dev/null || fail "home handover"
td kit merge "$tmp/b.kit" | grep -q "1 conflicts" || fail "the merge kept no conflict"
id=$(td kit conflicts | sed -n '1s/^\([0-9][0-9]*\)\topen\t.*/\1/p')
[ -n "$id" ] || fail "no conflict id: $(td kit conflicts)"

# the desk's record at 80x24, in English
start_desk 80 24 -- --lang en
keys T-SB-01 Enter   # as a barcode scanner types it
wait_for "Token T-SB-01" || fail "the serial did not open the token"
wait_for "field kit conflict $id: open; Enter to decide it" ||
	fail "the field's move is not marked with its conflict"
screen | grep -B1 "field kit conflict" | grep -q "→ agency:SB · handover BG-" ||
	fail "the mark is not under the field's move"
# Down, a line at a time (each waits for the screen: a slow desk under
# valgrind must not be overrun), until the conflict's line is selected.
selected() { screen | grep "^▶"; }
moved_from() { [ "$(selected)" != "$1" ]; }
n=0
until selected | grep -q "^▶ *field kit conflict $id"; do
	n=$((n + 1))
	[ $n -le 30 ] || fail "the conflict line cannot be selected"
	was=$(selected)
	keys Down
	poll 5 moved_from "$was" || fail "Down did not move from: $was"
done
keys Enter
wait_for "Field-kit conflicts: 1 open" || fail "Enter did not open the conflicts"
screen | grep -q "^▶#$id  Token T-SB-01" || fail "the conflict is not the one selected"
keys 1
wait_for "Keep home's version?" || fail "1 did not ask to keep home"
keys y
wait_for "No open conflict." || fail "the conflict was not decided"
keys Escape
wait_for "field kit conflict $id: home's version kept; this move did not stand" ||
	fail "the record was not read again after the decision: $(screen)"
screen | grep -q "State  *kept by the DOST" || fail "keep home changed the token"
# the field's move lost: marked superseded (choice, who, when), and the
# last valid move is home's, where the token is
screen | grep -q "superseded: conflict $id kept home's version (tester, 20" ||
	fail "the losing move is not marked superseded: $(screen)"
screen | grep -q "Last valid move  *20.*→ dost" || fail "the last valid move is not home's: $(screen)"
keys F10
wait_exit 0 || fail "no clean exit"

# Vietnamese: the decided mark, whole at 80 columns
tmux -S "$sock" kill-server 2>/dev/null
start_desk 80 24 -- --lang vi
keys T-SB-01 Enter   # as a barcode scanner types it
wait_for "xung đột hiện trường $id: đã giữ bản tại trụ sở; bàn giao này vô hiệu" ||
	fail "no Vietnamese mark: $(screen)"
screen | grep "xung đột hiện trường" | grep -q "…" && fail "the mark is cut off at 80 columns"
screen | grep -q "bị thay thế: xung đột $id đã giữ bản tại trụ sở (tester, 20" ||
	fail "no Vietnamese superseded mark: $(screen)"
screen | grep "bị thay thế" | grep -q "…" && fail "the superseded mark is cut off"
keys F10
wait_exit 0 || fail "no clean exit (vi)"
td show token T-SB-01 --json | grep -q '"status": "kept_home"' ||
	fail "show token --json lacks the decided conflict"
exit 0
