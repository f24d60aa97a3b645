#!/bin/sh
# A serial typed slower than a scanner (80 ms a key, the default
# scan-gap-ms being 30) on the plan screen, which has no text field:
# its a asks "Apply the plan?" and its c must not answer yes (c, "có",
# is a hex digit: only y says yes), and its Enter opens the serial's
# record as a scan does, not the screen's Enter.  Nothing is applied.
# Then a person's a, a pause, and y still applies; a y that ends a run
# of keys (…7ay) is no answer and says so.  On the panel its c opens
# the count screen, on the tree its d the date: the rest and the Enter
# are still the serial's; a person's s and an id are a search.
. "$TD_SRCDIR/tests/tui/lib.sh"
demo_registry
"$TOKENDESK" --db "$tmp/reg.db" -q plan import "$TD_SRCDIR/data/demo/plan.csv" >/dev/null ||
	fail "plan import"
flags() { "$TOKENDESK" --db "$tmp/reg.db" -q tag list 2>/dev/null | wc -l; }
before=$(flags)
start_desk 80 24 TOKENDESK_TODAY=2025-06-01 -- --lang en
keys F7
wait_for "1/378" || fail "F7 did not open the plan"
# slow_type TEXT: one key every 80 ms (a slow scanner, a brisk hand)
slow_type() {
	i=1
	while [ $i -le ${#1} ]; do
		keys -l "$(printf '%s' "$1" | cut -c$i)"
		sleep 0.08
		i=$((i + 1))
	done
}
serial=54ac4460b4390cecb0f49a25e26cec1a
slow_type "$serial"
keys Enter
wait_for "Certificate $serial" 5 ||
	fail "a slowly typed serial did not open its record"
[ "$(flags)" = "$before" ] || fail "the serial's a then c applied the plan"
keys Escape
wait_for "Search: $serial" || fail "Esc did not go back to the search"
keys Escape
wait_for "Reorganization plan" || fail "Esc did not go back to the plan"
# the apply question the serial's a left (if any) is still a question
if on_screen "Apply the plan?"; then
	keys c
	sleep 0.3
	on_screen "Apply the plan?" || fail "c answered the question"
	keys n
	wait_gone "Apply the plan?" || fail "n did not close the question"
fi
# 7, a, y typed as one run: the y is no answer
keys 0
sleep 1
slow_type 7ay
wait_for "press y again" || fail "a y ending a run was taken as an answer"
[ "$(flags)" = "$before" ] || fail "a y ending a run applied the plan"
keys n
wait_gone "Apply the plan?" || fail "n did not close the question"
# a person: a, reads, y
sleep 1
keys a
wait_for "Apply the plan?" || fail "a did not ask"
sleep 1
keys y
wait_gone "Apply the plan?" 10 || fail "y did not answer"
poll 10 sh -c "[ \"\$($(printf '%s' "'$TOKENDESK'") --db '$tmp/reg.db' -q tag list 2>/dev/null | wc -l)\" != '$before' ]" ||
	fail "a person's a, pause, y did not apply the plan"
# on the panel the serial's c opens the count screen, whose field takes
# the rest: its Enter is still the serial's (the record opens, the count
# screen the run opened is gone), and no count is started
counts=$("$TOKENDESK" --db "$tmp/reg.db" count list 2>/dev/null | wc -l)
# (the report of the plan applied takes the first key)
keys F2
wait_for "What to do" 2 || keys F2
wait_for "What to do" || fail "F2 did not go to the panel"
sleep 1
slow_type "$serial"
keys Enter
wait_for "Certificate $serial" 5 || fail "a serial typed on the panel did not open its record"
[ "$("$TOKENDESK" --db "$tmp/reg.db" count list 2>/dev/null | wc -l)" = "$counts" ] ||
	fail "the serial started a count"
keys Escape
wait_for "Search: $serial" || fail "Esc did not go back to the search"
keys Escape
wait_for "What to do" || fail "the count screen the run opened is still there: $(screen)"
# a person's s then a national id, as briskly: the search's own Enter
# (s is no hex digit: the field it opened is the person's)
sleep 1
slow_type s098303706402
keys Enter
wait_for "Nguyễn Thanh Oanh" 5 || fail "s and an id did not find the holder: $(screen)"
on_screen "Search › Record" || fail "the search did not open the holder's record: $(screen)"
keys F2
wait_for "What to do" || fail "F2 did not go to the panel"
# the tree: a serial's d opens the date field, which takes the rest;
# its Enter is the serial's, and the date is left as it was
keys F4
wait_for "As of 2025-06-01" || fail "F4 did not open the tree: $(screen)"
sleep 1
slow_type 54893ed9f2c25894b4bdc811ad928fe1
keys Enter
wait_for "Certificate 54893ed9f2c25894b4bdc811ad928fe1" 5 ||
	fail "a serial typed on the tree did not open its record: $(screen)"
keys Escape
wait_for "Search:" || fail "Esc did not go back to the search"
keys Escape
wait_for "As of 2025-06-01" || fail "the tree's date changed, or its field stayed: $(screen)"
# and one whose c went to the count screen in the tree's place: that
# screen is closed too, no count is started
sleep 1
slow_type 546c1853eefb21da7d350fc506ddc573
keys Enter
wait_for "Certificate 546c1853eefb21da7d350fc506ddc573" 5 ||
	fail "a serial with a c typed on the tree did not open its record: $(screen)"
[ "$("$TOKENDESK" --db "$tmp/reg.db" count list 2>/dev/null | wc -l)" = "$counts" ] ||
	fail "the serial's c started a count"
keys Escape
wait_for "Search:" || fail "Esc did not go back to the search"
keys Escape
off_screen "Start a count" || fail "the count screen the run opened is still there"
# a scanner's burst that comes in two, 120 ms apart, on the panel: its
# head (54ac: a, then c opening the count) is joined to the rest
keys F2
wait_for "What to do" || fail "F2 did not go to the panel"
sleep 1
keys -l 54ac
sleep 0.12
keys -l 4460b4390cecb0f49a25e26cec1a
keys Enter
wait_for "Certificate $serial" 5 || fail "a burst in two did not open its record: $(screen)"
keys Escape
wait_for "Search: $serial" || fail "the search is not the whole serial's: $(screen)"
keys Escape
wait_for "What to do" || fail "the count screen the burst's head opened is still there: $(screen)"
keys F10
wait_exit 0 || fail "no clean exit"
exit 0
