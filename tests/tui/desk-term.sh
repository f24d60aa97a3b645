#!/bin/sh
# In a terminal whose type is unknown, unset, or unable to place text
# (TERM=dumb), the desk refuses to start and says why and what to do:
# curses alone printed "Error opening terminal" and exited 1, or drew
# every line over the one before.  A known terminal still starts.
. "$TD_SRCDIR/tests/tui/lib.sh"
"$TOKENDESK" --db "$tmp/reg.db" -q init >/dev/null || exit 1

# desk_in TERM-VALUE: the desk in a 100x30 pane with TERM so; unset
# when the value is "-".
desk_in() {
	tmux -S "$sock" kill-server 2>/dev/null
	if [ "$1" = - ]; then term="-u TERM"; else term="TERM=$1"; fi
	new_pane 100 30 "env $term LC_ALL=C.UTF-8 '$TOKENDESK' --db '$tmp/reg.db'; printf '\\r\\nEXITED %s\\r\\n' \$?; $DESK_ENDED"
}

desk_in no-such-terminal
wait_exit 64 || fail "unknown TERM: not refused with status 64"
on_screen "the terminal type 'no-such-terminal' (TERM) is not known" ||
	fail "unknown TERM: not named"
on_screen "TERM=xterm-256color tokendesk" || fail "unknown TERM: no advice"
off_screen "Error opening terminal" || fail "curses' own message"

desk_in -
wait_exit 64 || fail "no TERM: not refused with status 64"
on_screen "TERM is not set" || fail "no TERM: not said"

desk_in dumb
wait_exit 64 || fail "TERM=dumb: not refused with status 64"
on_screen "cannot put text at a place on" || fail "TERM=dumb: not said"

desk_in xterm-256color
wait_for "F10" || fail "TERM=xterm-256color: the desk did not start"
keys F10
wait_exit 0 || fail "TERM=xterm-256color: did not quit cleanly"
exit 0
