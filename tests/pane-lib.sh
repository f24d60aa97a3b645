# pane-lib.sh: a command run in a private tmux pane, for the tests that
# type at a real terminal outside the desk (a PIN, a barcode scanner).
# Source it after setting sock (the tmux socket) and pane (the session's
# name); the desk's own tests use tests/tui/lib.sh.  Waiting is
# tests/wait-lib.sh's: the command's script ends by printing a marker
# line of its own, and pane_done waits for that whole line.

. "${TD_SRCDIR:?}/tests/wait-lib.sh"

# pane_start COLS ROWS COMMAND: COMMAND in a new session $pane.
pane_start() {
	tmux -S "$sock" -f /dev/null new-session -d -s "$pane" -x "$1" -y "$2" "$3"
}

pane_screen() { tmux -S "$sock" capture-pane -p -t "$pane"; }

pane_has() { pane_screen | grep -qF -- "$1"; }

# pane_wait PROMPT: 0 once PROMPT is on the pane; 1 after 10 s (times
# TD_SLOW), the screen then on stderr.  Only for a prompt: the last thing
# a command writes before it reads what is typed.
pane_wait() {
	td_poll 10 pane_has "$1" && return 0
	pane_screen >&2
	return 1
}

# pane_done MARKER: wait (10 s, times TD_SLOW) until the pane shows the
# line MARKER, the last line the pane's script prints; then print the
# pane, everything written before the marker in it.
pane_done() { td_wait_marker 10 "$1" pane_screen; }
