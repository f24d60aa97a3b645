# lib.sh: shared by the desk's tests: a demo registry, the desk in a
# private tmux server, and waiting for screen content (never fixed sleeps).
# Sourced by tests/tui/*.sh; needs TOKENDESK and TD_SRCDIR (make check).

: "${TOKENDESK:?run through make check}"
: "${TD_SRCDIR:?run through make check}"
command -v tmux >/dev/null 2>&1 || { echo "tmux not installed"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/td-tui.XXXXXX")
sock="$tmp/tmux.sock"
cleanup() {
	tmux -S "$sock" kill-server 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
export LC_ALL=C.UTF-8
unset TOKENDESK_DB TOKENDESK_OPERATOR TOKENDESK_PLACE NO_COLOR
# Waiting (TD_SLOW: longer under valgrind; markers; settling): tests/wait-lib.sh
. "$TD_SRCDIR/tests/wait-lib.sh"

tui_fail() {
	echo "FAIL: $*"
	echo "---- screen ----"
	screen
	exit 1
}
fail() { tui_fail "$@"; }

# with_tokens: SoftHSM2 tokens made by the test (tests/token/hsm-lib.sh),
# cleaned up with the desk; fail keeps showing the screen.
with_tokens() {
	tui_tmp=$tmp
	. "$TD_SRCDIR/tests/token/hsm-lib.sh"
	hsm_init
	trap 'cleanup; hsm_cleanup' EXIT INT TERM
	fail() { tui_fail "$@"; }
}

# holder_token NAME CERT_HEX CN AGENCY HOLDER_ID: (with_tokens, after
# demo_registry) a SoftHSM2 token NAME holding one RSA key and its
# certificate CERT_HEX for CN, registered in the registry as the
# certificate of official HOLDER_ID at AGENCY, valid from yesterday for
# two years; prints the token's serial.
holder_token() {
	hsm_issue "$1" rsa "/C=VN/L=Đông Châu/O=Sở Tài chính/CN=$3" "$2" >/dev/null
	ht_serial=$(hsm_token "$1")
	hsm_load "$1" "$1" 01 >/dev/null
	printf '%s\n%s,person,%s,%s,Chuyên viên,%s,%s,%s,%s,SoftHSM v2,\n' \
		"cert_serial,kind,holder_name,holder_id,position,agency_code,not_before,not_after,token_serial,token_model,email" \
		"$(echo "$2" | tr a-f A-F)" "$3" "$5" "$4" "$(date -u -d yesterday +%Y-%m-%d)" \
		"$(date -u -d '+2 years' +%Y-%m-%d)" "$ht_serial" >"$tui_tmp/$1.csv"
	"$TOKENDESK" --db "$tmp/reg.db" -q import "$TD_SRCDIR/data/demo/agencies.csv" \
		"$tui_tmp/$1.csv" >/dev/null || { echo "FAIL: cannot import $1's record" >&2; return 1; }
	echo "$ht_serial"
}

# four_officials: (with_tokens, demo_registry) holder_token four times:
# officials 001190000771 to ...774 of DC.STC, each on a token t1 to t4
# of their own; prints the first token's serial.
four_officials() {
	for fo_n in 1 2 3 4; do
		fo_s=$(holder_token "t$fo_n" "7b5c0$fo_n" "Cán Bộ Số $fo_n" DC.STC \
			"00119000077$fo_n") || return 1
		[ "$fo_n" = 1 ] && fo_first=$fo_s
	done
	echo "$fo_first"
}

# token_desk COLS ROWS [VAR=VALUE...] [-- ARGS...]: start_desk on the
# registry with the SoftHSM2 module of with_tokens.
token_desk() {
	td_cols=$1 td_rows=$2
	shift 2
	td_env=""
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		td_env="$td_env $1"
		shift
	done
	[ $# -gt 0 ] && shift
	# shellcheck disable=SC2086 # the variables, one word each
	start_desk "$td_cols" "$td_rows" SOFTHSM2_CONF="$SOFTHSM2_CONF" \
		P11_KIT_NO_USER_CONFIG=1 TOKENDESK_DATADIR="$TOKENDESK_DATADIR" $td_env \
		-- --module "$HSM_MODULE" "$@"
}

# faulty_module: (with_tokens) tests/token/p11-faulty.so, which wraps
# SoftHSM2 (TD_FAULTY_REAL) and slows or aborts its calls as the
# variables TD_FAULTY_* ask, copied to $tmp/mods and allowed there by
# the config file $tmp/td.conf (allow-module, poll-ms 50), as a vendor
# module would be.
faulty_module() {
	FAULTY=${TD_BUILDDIR:?}/tests/token/p11-faulty.so
	[ -f "$FAULTY" ] || fail "p11-faulty.so not built"
	mkdir -p "$tmp/mods" && chmod 755 "$tmp" "$tmp/mods"
	cp "$FAULTY" "$tmp/mods/p11-faulty.so" && chmod 755 "$tmp/mods/p11-faulty.so"
	printf 'allow-module = %s/\npoll-ms = 50\n' "$tmp/mods" >"$tmp/td.conf"
	chmod 600 "$tmp/td.conf"
}

demo_registry() {
	"$TOKENDESK" --db "$tmp/reg.db" -q init >/dev/null &&
	"$TOKENDESK" --db "$tmp/reg.db" -q import "$TD_SRCDIR/data/demo/agencies.csv" \
		"$TD_SRCDIR/data/demo/certificates.csv" >/dev/null ||
		{ echo "FAIL: cannot build the demo registry"; exit 1; }
}

# new_pane COLS ROWS COMMAND: the session "desk" running COMMAND.  A
# server just killed (a test restarting the desk) may still hold the
# socket for a moment: try again rather than fail.
new_pane() {
	tries=0
	until tmux -S "$sock" -f /dev/null new-session -d -s desk -x "$1" -y "$2" \
		"$3" 2>/dev/null; do
		tries=$((tries + 1))
		[ $tries -lt 20 ] || { echo "FAIL: tmux cannot start"; exit 1; }
		sleep 0.1
	done
}

# What a pane prints after the desk: the marker line wait_exit waits for
# at the start of a line of its own, as EXITED, the rest of that line
# erased (a killed desk leaves its text there), then it stays.
DESK_ENDED="printf '\\r\\nDESK-ENDED\\033[K\\r\\n'; sleep 60"

# start_desk COLS ROWS [ENV=VALUE...] -- [desk args]: the desk in a pane;
# when it ends the pane prints "EXITED <status>", the tty modes and, last,
# the line DESK-ENDED that wait_exit waits for.
# EXITED goes at the start of a line of its own: a killed desk leaves the
# tty raw (a bare newline keeps the column), and a long build path made
# bash's "Killed ..." line wrap "EXITED 137" in two (make distcheck).
start_desk() {
	cols=$1 rows=$2
	shift 2
	envs=
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		envs="$envs $1"
		shift
	done
	[ "$1" = "--" ] && shift
	new_pane "$cols" "$rows" \
		"env LC_ALL=C.UTF-8 TOKENDESK_OPERATOR=tester $envs '$TOKENDESK' --db '$tmp/reg.db' $*; st=\$?; printf '\\r\\nEXITED %s\\r\\n' \$st; stty -a | tr ';' '\n' | grep -o -- '-*icanon\|-*echo\b' | tr '\n' ' '; $DESK_ENDED"
	tmux -S "$sock" set-option -t desk remain-on-exit on >/dev/null 2>&1
	wait_for "F10" || fail "the desk did not start"
}

keys() {
	tmux -S "$sock" send-keys -t desk "$@"
}

# Literal text (no key-name lookup).
type_text() {
	tmux -S "$sock" send-keys -t desk -l "$1"
}

screen() {
	tmux -S "$sock" capture-pane -t desk -p
}

screen_colors() {
	tmux -S "$sock" capture-pane -t desk -e -p
}

# poll SECONDS COMMAND...: run COMMAND every 50 ms until it succeeds;
# give up (status 1) after SECONDS, times TD_SLOW.
poll() { td_poll "$@"; }
on_screen() { screen | grep -qF -- "$1"; }
off_screen() { ! on_screen "$1"; }
on_screen_re() { screen | grep -q -- "$1"; }
on_line() { screen_line "$1" | grep -qF -- "$2"; }

# The waits below poll until the screen shows what they wait for, then
# until it holds still: curses writes a redraw in pieces, and what the
# test reads next must come from the whole redraw, not its first piece.
settled() { td_settle screen; }
# wait_for TEXT [SECONDS]: until TEXT (fixed string) shows on the screen.
wait_for() { poll "${2:-5}" on_screen "$1" && settled; }
# wait_gone TEXT [SECONDS]: until it no longer does.
wait_gone() { poll "${2:-5}" off_screen "$1" && settled; }
# wait_re REGEX [SECONDS]: like wait_for, for a basic regular expression.
wait_re() { poll "${2:-5}" on_screen_re "$1" && settled; }
# wait_on_line N TEXT [SECONDS]: until line N (1-based) holds TEXT.
wait_on_line() { poll "${3:-5}" on_line "$1" "$2" && settled; }
# wait_exit [STATUS] [SECONDS]: until the pane printed its last line
# (DESK-ENDED: the desk ended, its status and the tty modes are on the
# screen), then whether it ended with STATUS.
wait_exit() {
	td_poll "${2:-5}" td_has_marker DESK-ENDED screen || return 1
	[ -z "${1:-}" ] || screen | grep -q "^EXITED $1\b"
}

# line N of the screen (1-based)
screen_line() {
	screen | sed -n "${1}p"
}

# The display column (0-based, as the terminal shows it: wide and
# combining characters counted by wcwidth through `wc -L`) where TEXT
# starts on the first line containing it, or -1.
column_of() {
	prefix=$(screen | TEXT="$1" awk 'i = index($0, ENVIRON["TEXT"]) {
		print substr($0, 1, i - 1) "|"; exit }')
	[ -n "$prefix" ] || { echo -1; return; }
	# the '|' keeps trailing blanks; wc -L counts display columns
	echo $(( $(printf '%s\n' "$prefix" | wc -L) - 1 ))
}
