#!/bin/sh
# The plan screen filtered by agency (A: an agency and its units, on top
# of the action filter), and the lists for DOST written from it (L) into
# records/ beside the registry, as `tokendesk lists` writes them.
. "$TD_SRCDIR/tests/tui/lib.sh"
export TOKENDESK_TODAY=2025-06-01
demo_registry
td() { "$TOKENDESK" --db "$tmp/reg.db" "$@"; }
td -q plan import "$TD_SRCDIR/data/demo/plan.csv" >/dev/null || fail "plan import"
td -q plan apply >/dev/null || fail "plan apply"
all=$(td plan show | grep -c "DC\.SKHCN") || true
start_desk 100 40 TOKENDESK_TODAY=2025-06-01 -- --lang en
keys F7
wait_for "Reorganization plan" || fail "F7 did not open the plan"
total=$(screen | grep -o "[0-9]*/[0-9]*$" | tail -1 | cut -d/ -f2)
keys A
wait_for "Only agency (and its units; empty: all):" || fail "A did not ask for the agency"
type_text "NOPE"
keys Enter
wait_for "NOPE: no agency with that code." || fail "an unknown agency was taken"
keys C-u
type_text "DC.SKHCN"
keys Enter
wait_for "showing every action of DC.SKHCN and its units" || fail "the agency filter is not shown: $(screen)"
shown=$(screen | grep -o "[0-9]*/[0-9]*$" | tail -1 | cut -d/ -f2)
[ -n "$shown" ] && [ "$shown" -gt 0 ] && [ "$shown" -lt "$total" ] ||
	fail "the filter did not narrow the list: $shown of $total"
# every card on screen is of that agency or one of its units
screen | grep " · DC\." | grep -v " · DC\.SKHCN" && fail "a card of another agency is shown"
# with the action filter too: only info changes of DC.SKHCN
keys 1
wait_for "showing Info change of DC.SKHCN" || fail "1 did not filter by action"
on_screen "of DC.SKHCN and its units" || fail "the agency filter was lost"
keys A C-u Enter
wait_gone "of DC.SKHCN and its units" || fail "an empty agency did not show all again"
keys L
wait_for "Lists for DOST:" 10 || fail "L did not write the lists: $(screen)"
xlsx="$tmp/records/lists-dost-2025-06-01.xlsx"
[ -f "$xlsx" ] || fail "no $xlsx"
[ "$(stat -c %a "$xlsx")" = 600 ] || fail "the lists are not mode 600"
keys F10
wait_exit 0 || fail "no clean exit"
# at 80 columns in Vietnamese, a long kind and a long agency code: the
# heading gives up its count and hint rather than cut a word ("tất…")
tmux -S "$sock" kill-server 2>/dev/null
start_desk 80 24 TOKENDESK_TODAY=2025-06-01 -- --lang vi
keys F7
wait_for "Phương án sắp xếp" || fail "F7 did not open the plan (vi)"
keys A
wait_for "Chỉ cơ quan" || fail "A did not ask (vi): $(screen)"
type_text "DC.SNNMT.VP"
keys Enter 1
wait_for "Thay đổi thông tin của DC.SNNMT.VP" || fail "no heading with both filters: $(screen)"
screen_line 2 | grep -q '…' && fail "the heading is cut: $(screen_line 2)"
# L at 80 columns: the message line names the file (not a path cut
# before its name), and a box gives the counts and the whole path
rm -f "$xlsx"
keys L
wait_for "records/lists-dost-2025-06-01.xlsx" 10 || fail "the file is not named: $(screen)"
screen_line 24 | grep -q '…' && fail "the message is cut: $(screen_line 24)"
on_screen "thu hồi," || fail "no counts in the box: $(screen)"
[ -f "$xlsx" ] || fail "no $xlsx (vi)"
keys F10
wait_exit 0 || fail "no clean exit (vi)"
exit 0
