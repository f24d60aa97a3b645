# pane-lib.sh: a command run in a private tmux pane, for the tests that
# type at a real terminal outside the desk (a PIN, a barcode scanner).
# Source it after setting sock (the tmux socket) and pane (the session's
# name); the desk's own tests use tests/tui/lib.sh.

# pane_start COLS ROWS COMMAND: COMMAND in a new session $pane.
pane_start() {
	tmux -S "$sock" -f /dev/null new-session -d -s "$pane" -x "$1" -y "$2" "$3"
}

pane_screen() { tmux -S "$sock" capture-pane -p -t "$pane"; }

# pane_wait TEXT: 0 once TEXT is on the pane; 1 after 10 s, the screen
# then on stderr.
pane_wait() {
	i=0
	while ! pane_screen | grep -qF -- "$1"; do
		i=$((i + 1))
		[ $i -lt 200 ] || { pane_screen >&2; return 1; }
		sleep 0.05
	done
}
