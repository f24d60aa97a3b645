# wait-lib.sh: the one way the shell tests wait for another process, a
# terminal or a pane.  A step that others wait on prints a final marker
# (a line of its own, the last thing it writes); the waiter polls until
# that whole line is there, never a prefix of the step's output, and only
# then captures.  A capture taken when an earlier line appeared can miss
# what the step writes after it (pin-tty.sh once read the pane between
# "status" and the stty line that follows it, on a loaded machine).
#
# Sourced by tests/pane-lib.sh, tests/tui/lib.sh and tests/token/hsm-lib.sh.

# Waits are multiplied by TD_SLOW: 10 under valgrind (make check-valgrind
# sets TD_VALGRIND), 1 otherwise, so the plain passes keep their bounds.
TD_SLOW=${TD_SLOW:-${TD_VALGRIND:+10}}
TD_SLOW=${TD_SLOW:-1}

# td_poll SECONDS COMMAND...: run COMMAND every 50 ms until it succeeds;
# status 1 after SECONDS (times TD_SLOW).
td_poll() {
	td_poll_i=0 td_poll_limit=$(( $1 * 20 * TD_SLOW ))
	shift
	while [ $td_poll_i -lt $td_poll_limit ]; do
		"$@" && return 0
		sleep 0.05
		td_poll_i=$((td_poll_i + 1))
	done
	return 1
}

# td_complete_lines FILE: FILE's lines that are whole: a last line not
# yet ended by its newline is still being written and is left out.
td_complete_lines() {
	if [ -z "$(tail -c 1 "$1")" ]; then
		cat "$1"
	else
		sed '$d' "$1"
	fi
}

# td_has_marker MARKER COMMAND...: COMMAND's output has a line that is
# MARKER and nothing else (blanks around it allowed: a terminal left raw
# keeps the column, tmux pads).
td_has_marker() {
	td_marker=$1
	shift
	"$@" | TD_MARKER="$td_marker" awk '
		{ sub(/^[ \t\r]+/, ""); sub(/[ \t\r]+$/, "") }
		$0 == ENVIRON["TD_MARKER"] { found = 1 }
		END { exit !found }'
}

# td_wait_marker SECONDS MARKER COMMAND...: wait until COMMAND (a
# capture: of a pane, of a file) shows the line MARKER, then print one
# more capture, taken after the marker was there and so holding all the
# step wrote before it.  Status 1 after SECONDS (times TD_SLOW), the
# last capture then on stderr.
td_wait_marker() {
	td_wm_secs=$1 td_wm_marker=$2
	shift 2
	if td_poll "$td_wm_secs" td_has_marker "$td_wm_marker" "$@"; then
		"$@"
		return 0
	fi
	echo "---- no line '$td_wm_marker' within $((td_wm_secs * TD_SLOW)) s; last capture:" >&2
	"$@" >&2
	return 1
}

# td_settle COMMAND...: wait (at most 1 s, times TD_SLOW) until two
# captures 50 ms apart are the same: a program that redraws a whole
# screen (curses) writes it in several pieces, and a capture taken when
# the first piece showed the awaited text can miss the rest.
td_settle() {
	td_settle_prev=$("$@")
	td_settle_i=0
	while [ $td_settle_i -lt $((20 * TD_SLOW)) ]; do
		sleep 0.05
		td_settle_now=$("$@")
		[ "$td_settle_now" = "$td_settle_prev" ] && return 0
		td_settle_prev=$td_settle_now
		td_settle_i=$((td_settle_i + 1))
	done
	return 0
}
