# handover-scanner.sh: `handover --to X -` reads serials a line each.  At
# a terminal (a barcode scanner types into one) it says how to finish,
# on stderr; from a pipe it says nothing.  A line longer than any serial
# is one wrong serial, not several.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"
command -v tmux >/dev/null || { echo "tmux not installed"; exit 77; }
demo_import || { echo "demo import failed"; exit 1; }
sock="$tmp/tmux.sock" pane=scan
. "$TD_SRCDIR/tests/pane-lib.sh"
trap 'tmux -S "$sock" kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
t1=$(td export tokens | awk -F, 'NR == 2 {print $1}')
t2=$(td export tokens | awk -F, 'NR == 3 {print $1}')
t3=$(td export tokens | awk -F, 'NR == 4 {print $1}')

# piped: no prompt; a 2000-byte line is refused once, as one serial
long=$(printf '%2000s' '' | tr ' ' A)
printf '%s\n%s\n' "$t1" "$long" | td handover --to dost --force --reason "nộp thẳng cho Sở" - >"$tmp/out" 2>"$tmp/err"
expect_not_in "$tmp/err" "Ctrl-D"
expect_eq "$(grep -c "AAAA" "$tmp/err")" 1 "messages about the long line"
printf '%s\n' "$t1" | td handover --to dost --force --reason "nộp thẳng cho Sở" - >"$tmp/out" 2>"$tmp/err" ||
	fail "piped handover: $(cat "$tmp/err")"
expect_not_in "$tmp/err" "Ctrl-D"

# at a terminal: the prompt, two scans, Ctrl-D, recorded
pane_start 100 20 \
	"env TOKENDESK_DB='$TOKENDESK_DB' TOKENDESK_OPERATOR=tester '$TOKENDESK' handover --to dost --force --reason nộp_thẳng -; echo EXITED \$?; echo step-done; sleep 60" ||
	{ echo "tmux cannot start"; exit 1; }
pane_wait "Scan or type the token serials, one a line; Ctrl-D when done." ||
	fail "no prompt at a terminal"
tmux -S "$sock" send-keys -t scan "$t2" Enter "$t3" Enter C-d
pane_done step-done >"$tmp/pane" || fail "terminal handover did not end"
grep -qx "EXITED 0" "$tmp/pane" || fail "terminal handover: $(cat "$tmp/pane")"
td show token "$t3" >"$tmp/out" 2>&1
expect_in "$tmp/out" "dost"
finish
