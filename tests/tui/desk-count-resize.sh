#!/bin/sh
# A closed count's report, then the terminal narrows: the report's text
# is wrapped again at the new width, nothing cut, the tallies still in
# their boxes.  The start screen's help, in Vietnamese at 60 columns, is
# not cut either.
. "$TD_SRCDIR/tests/tui/lib.sh"
demo_registry
td() { TOKENDESK_OPERATOR=tester "$TOKENDESK" --db "$tmp/reg.db" "$@"; }
id=$(td count start --agency DC.STC) || fail "count start"
td count scan "$id" 6CC6399B >/dev/null || fail "count scan"
td count close "$id" -o "$tmp" >/dev/null || fail "count close"

start_desk 100 24 -- --lang en
keys c
wait_for "Closed counts" || fail "c did not open the count screen"
keys Tab Down Enter
wait_for "the result is frozen" || fail "the closed count's report did not open"
hint="w writes the report (text and XLSX) into the records folder beside the registry."
wait_for "$hint" || fail "the report's hint is not on one line at 100 columns"

tmux -S "$sock" resize-window -t desk -x 60 -y 24
wait_for " folder beside the registry." || fail "the hint was not wrapped again at 60 columns"
screen | grep -q "records…" && fail "the hint is cut at 60 columns"
wait_for "Missing: 15" || fail "the report's sections are gone after the resize"
# a tally label wider than its box is cut inside it, not over its border
screen | grep -q "│Unexpec…│" || fail "the tally boxes are broken at 60 columns"
keys F10
wait_exit 0 || fail "no clean exit"
tmux -S "$sock" kill-server 2>/dev/null

# The start screen in Vietnamese at 60x20: its help wraps to three rows,
# whose last words say how to start; none is dropped.
start_desk 60 20 -- --lang vi
keys F8
wait_for "bắt đầu." || fail "how to start a count is cut at 60 columns: $(screen)"
keys F10
wait_exit 0 || fail "no clean exit (vi)"
exit 0
