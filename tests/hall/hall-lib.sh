# hall-lib.sh: a handover hall on one machine, for make check-hall and
# the hall benchmark: a private sshd on a loopback port (its own host
# key, config and authorized_keys: the system's sshd is never touched),
# one registry, operator keys bound to names by `tokendesk hall
# add-operator`, and "laptops": each a SoftHSM2 store of its own served
# by tokendesk-connect's own `p11-kit server`, its desk in a tmux
# session.  Everything started here is stopped on exit.
#
# Needs TOKENDESK and TD_SRCDIR (make check-hall, make bench).  Never
# call fail inside $(...): the subshell's exit would run the cleanup.

. "$TD_SRCDIR/tests/token/hsm-lib.sh"

HALL_SSHD=${HALL_SSHD:-/usr/sbin/sshd}
HALL_CONNECT=$TD_SRCDIR/src/connect/tokendesk-connect

hall_require() {
	hsm_require_tools
	[ -x "$HALL_SSHD" ] || skip "openssh-server not installed"
	for t in ssh ssh-keygen tmux p11-kit python3; do
		command -v "$t" >/dev/null 2>&1 || skip "$t not installed"
	done
	ls /usr/lib/*/pkcs11/p11-kit-client.so >/dev/null 2>&1 ||
		skip "p11-kit-client.so not installed (p11-kit-modules)"
	# sshd logs in only as the user it runs as, unless it runs as root
	# (CI does): then operators log in as root, with keys only.
	[ "$(id -u)" = 0 ] || skip "the hall's test sshd needs root (as CI runs)"
}

hall_cleanup() {
	[ -n "${HALL:-}" ] && [ -S "$HALL/tmux.sock" ] &&
		tmux -S "$HALL/tmux.sock" kill-server 2>/dev/null
	[ -n "${HALL_SSHD_PID:-}" ] && kill "$HALL_SSHD_PID" 2>/dev/null
	# the laptops' servers end with their tokendesk-connect; wait a moment
	sleep 0.2
	hsm_cleanup
}

hall_free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# hall_init: the registry host (sshd and an empty registry).
hall_init() {
	hall_require
	hsm_init
	trap 'hall_cleanup' EXIT
	trap 'exit 1' INT TERM HUP
	HALL=$HSM_DIR/hall
	mkdir -p "$HALL"
	ssh-keygen -q -t ed25519 -N '' -f "$HALL/host_key" || fail "host key"
	HALL_PORT=$(hall_free_port)
	: >"$HALL/authorized_keys"
	cat >"$HALL/sshd_config" <<CFG
Port $HALL_PORT
ListenAddress 127.0.0.1
HostKey $HALL/host_key
AuthorizedKeysFile $HALL/authorized_keys
PidFile $HALL/sshd.pid
StrictModes no
PermitRootLogin prohibit-password
UsePAM no
PrintMotd no
PrintLastLog no
MaxStartups 50:30:100
MaxSessions 50
LogLevel ${HALL_SSHD_LOG:-ERROR}
# docs/hall.md's block, for the account the desks log in as
Match User root
	PasswordAuthentication no
	KbdInteractiveAuthentication no
	AllowStreamLocalForwarding remote
	AllowTcpForwarding remote
	PermitListen none
	PermitOpen none
	AllowAgentForwarding no
	X11Forwarding no
	ExposeAuthInfo yes
	ClientAliveInterval 5
	ClientAliveCountMax 2
	SetEnv LC_ALL=C.UTF-8 TOKENDESK_DATADIR=$TD_SRCDIR/data TOKENDESK_LOCALEDIR=${TOKENDESK_LOCALEDIR:-/nonexistent} ${HALL_KEYLOG:+TOKENDESK_KEYLOG=$HALL/keylog.%p}
CFG
	mkdir -p /run/sshd
	"$HALL_SSHD" -f "$HALL/sshd_config" -E "$HALL/sshd.log" ||
		{ cat "$HALL/sshd.log" >&2; fail "sshd did not start"; }
	i=0
	until [ -s "$HALL/sshd.pid" ]; do
		i=$((i + 1)); [ $i -lt 100 ] || fail "sshd wrote no pid file"
		sleep 0.05
	done
	HALL_SSHD_PID=$(cat "$HALL/sshd.pid")
	printf '[127.0.0.1]:%s %s\n' "$HALL_PORT" "$(cut -d' ' -f1,2 "$HALL/host_key.pub")" \
		>"$HALL/known_hosts"
	cat >"$HALL/ssh_config" <<CFG
Host *
	User root
	Port $HALL_PORT
	UserKnownHostsFile $HALL/known_hosts
	StrictHostKeyChecking yes
	IdentitiesOnly yes
	BatchMode yes
	ServerAliveInterval 2
	ServerAliveCountMax 2
	LogLevel ERROR
CFG
	mkdir -p "$HALL/rsock"   # the forwarded sockets on the host
	HALL_DB=$HALL/reg.db
	"$TOKENDESK" --db "$HALL_DB" -q init || fail "registry init"
	printf 'code,name,parent_code,level\nHL,Ủy ban nhân dân tỉnh Hội Lâm,,province\nHL.STC,Sở Tài chính,HL,department\nHL.SNV,Sở Nội vụ,HL,department\n' \
		>"$HALL/agencies.csv"
	echo "cert_serial,kind,holder_name,holder_id,position,agency_code,not_before,not_after,token_serial,token_model,email" \
		>"$HALL/certs.csv"
}

# hall_laptop N: laptop N's own token store.
hall_laptop() {
	mkdir -p "$HALL/lap$1/tokens"
	printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' \
		"$HALL/lap$1" >"$HALL/lap$1/softhsm2.conf"
}

# hall_id CERTHEX: a 12-digit CCCD number for the holder of that
# certificate (identity numbers are digits only).
hall_id() { printf '0331900%05d' $((0x$1 % 100000)); }

# hall_token N LABEL CERTHEX: a token with one certificate on laptop N,
# registered with holder LABEL; its serial in $serial.  (RSA: SoftHSM2's
# import fails now and then on an EC key whose scalar has a leading 0.)
hall_token() {
	SOFTHSM2_CONF=$HALL/lap$1/softhsm2.conf
	export SOFTHSM2_CONF
	hsm_issue "$2" rsa "/C=VN/O=Hội Lâm/CN=$2/UID=CCCD:$(hall_id "$3")" "$3"
	serial=$(hsm_token "$2")
	[ -n "$serial" ] || fail "no serial for token $2"
	hsm_load "$2" "$2" 01
	echo "$3,person,$2,$(hall_id "$3"),,HL.SNV,2025-01-01,2030-01-01,$serial,SoftHSM," \
		>>"$HALL/certs.csv"
}

# hall_stage_token N LABEL CERTHEX: a token made aside, to be plugged
# into laptop N later (hall_insert); registered like hall_token's.
hall_stage_token() {
	mkdir -p "$HALL/stage$1/tokens"
	printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' \
		"$HALL/stage$1" >"$HALL/stage$1/softhsm2.conf"
	hsm_issue "$2" rsa "/C=VN/O=Hội Lâm/CN=$2/UID=CCCD:$(hall_id "$3")" "$3"
	SOFTHSM2_CONF=$HALL/stage$1/softhsm2.conf
	export SOFTHSM2_CONF
	serial=$(hsm_token "$2")
	[ -n "$serial" ] || fail "no serial for token $2"
	hsm_load "$2" "$2" 01
	for d in "$HALL/stage$1/tokens"/*; do
		case $d in *"$(echo "$serial" | tail -c 9)") mv "$d" "$HALL/stage$1/$2" ;; esac
	done
	[ -d "$HALL/stage$1/$2" ] || fail "cannot find the store of token $2"
	echo "$3,person,$2,$(hall_id "$3"),,HL.SNV,2025-01-01,2030-01-01,$serial,SoftHSM," \
		>>"$HALL/certs.csv"
}

# hall_insert N LABEL / hall_pull N LABEL: plug the staged token into
# laptop N's reader, or pull it out: its store moves in one rename, as a
# token arrives and leaves all at once.
hall_insert() { mv "$HALL/stage$1/$2" "$HALL/lap$1/tokens/$2" || fail "insert $2"; }
hall_pull() { mv "$HALL/lap$1/tokens/$2" "$HALL/stage$1/$2" || fail "pull $2"; }

# hall_import: the certificates and tokens made so far, into the registry.
hall_import() {
	"$TOKENDESK" --db "$HALL_DB" -q import "$HALL/agencies.csv" "$HALL/certs.csv" ||
		fail "registry import"
}

# hall_operator N NAME: operator N's key, bound to NAME on the host.
hall_operator() {
	ssh-keygen -q -t ed25519 -N '' -C "op$1" -f "$HALL/op$1" || fail "key of op$1"
	"$TOKENDESK" --db "$HALL_DB" -q hall add-operator "$2" "$HALL/op$1.pub" \
		--append "$HALL/authorized_keys" --program "$TOKENDESK" ||
		fail "add-operator $2"
}

# hall_desk N [COLS ROWS]: operator N at laptop N, through tokendesk-connect,
# in tmux session dN.  The pane prints "EXITED status" when it ends, then
# the line DESK-ENDED (tests/wait-lib.sh's marker) that dexit waits for.
hall_desk() {
	n=$1 cols=${2:-120} rows=${3:-30}
	tmux -S "$HALL/tmux.sock" -f /dev/null new-session -d -s "d$n" -x "$cols" -y "$rows" \
		"env SOFTHSM2_CONF='$HALL/lap$n/softhsm2.conf' LC_ALL=C.UTF-8 TERM=xterm \
		'$HALL_CONNECT' --module '$HSM_MODULE' --lang en --remote-dir '$HALL/rsock' 127.0.0.1 \
		-F '$HALL/ssh_config' -i '$HALL/op$n' 2>'$HALL/connect$n.err'; \
		printf '\\r\\nEXITED %s\\r\\nDESK-ENDED\\033[K\\r\\n' \$?; sleep 600" ||
		fail "tmux cannot start desk $n"
	tmux -S "$HALL/tmux.sock" set-option -t "d$n" remain-on-exit on >/dev/null 2>&1
}

dscreen() { tmux -S "$HALL/tmux.sock" capture-pane -p -t "d$1"; }
dkeys() { n=$1; shift; tmux -S "$HALL/tmux.sock" send-keys -t "d$n" "$@"; }
dtype() { tmux -S "$HALL/tmux.sock" send-keys -t "d$1" -l "$2"; }

# dwait N TEXT [SECONDS]: until desk N's screen shows TEXT; else fail,
# showing the screen and what tokendesk-connect said.
dwait() {
	end=$(( $(now_ms) + ${3:-10} * 1000 * TD_SLOW ))
	until dscreen "$1" | grep -qF -- "$2"; do
		if [ "$(now_ms)" -gt "$end" ]; then
			echo "---- desk $1:" >&2; dscreen "$1" >&2
			cat "$HALL/connect$1.err" >&2 2>/dev/null
			fail "desk $1: no '$2'"
		fi
		sleep 0.05
	done
	# a redraw comes in pieces: what the test reads next is the whole one
	td_settle dscreen "$1"
}

# dexit N STATUS: until desk N's pane printed its last line, then fail
# unless the desk (tokendesk-connect) ended with STATUS.
dexit() {
	td_poll 10 td_has_marker DESK-ENDED dscreen "$1" ||
		{ dscreen "$1" >&2; fail "desk $1 did not end"; }
	dscreen "$1" | grep -q "^EXITED $2\b" ||
		{ dscreen "$1" >&2; fail "desk $1 did not end with status $2"; }
}

# dhas N TEXT: 0 when desk N shows TEXT now.
dhas() { dscreen "$1" | grep -qF -- "$2"; }

# drecorded N: desk N recorded a handover: its offer to sign the record
# (issue 22) is up, or was put aside and the status line says so.
drecorded() {
	dhas "$1" "The handover is recorded." || dhas "$1" "Handover recorded: BG-"
}
# dnot_now N: wait for desk N's offer to sign, put it aside (Esc), and
# wait for the handover screen's line that names the last record.
dnot_now() {
	dwait "$1" "Esc: not now"
	dkeys "$1" Escape
	dwait "$1" "Last recorded: BG-"
}
# dquit N: F10; the offer of a checkpoint after a day's handovers, when
# it comes, is declined (n); then the desk's pane says it ended.
dquit() {
	dkeys "$1" F10
	end=$(( $(now_ms) + 10000 * TD_SLOW ))
	until dhas "$1" "EXITED"; do
		if dhas "$1" "quit without"; then dkeys "$1" n; fi
		[ "$(now_ms)" -lt "$end" ] || break
		sleep 0.05
	done
}
