#!/bin/sh
# connect: tokendesk-connect without a host (an `ssh` stand-in on PATH
# that plays the registry host): it serves the laptop's tokens on a
# private socket and asks ssh to forward it (-R, an unguessable name) and
# to run the desk with --p11-socket; the desk's end of it, --p11-socket,
# reads the tokens through p11-kit-client.so.  However the session ends
# (ssh's status passed on, SIGTERM), the server is stopped and its
# directory removed.  Bad arguments are refused before anything starts.
. "${TD_SRCDIR:-$(dirname "$0")/../..}/tests/token/hsm-lib.sh"
hsm_init
command -v p11-kit >/dev/null 2>&1 || skip "p11-kit not installed"
ls /usr/lib/*/pkcs11/p11-kit-client.so >/dev/null 2>&1 || skip "p11-kit-modules not installed"
CONNECT=$TD_SRCDIR/src/connect/tokendesk-connect
hsm_issue an rsa "/C=VN/O=Hội Lâm/CN=Nguyễn Văn An" 5e01
S=$(hsm_token "Của An")
hsm_load "Của An" an 01
printf 'code,name,parent_code,level\nHL,Hội Lâm,,province\n' >"$HSM_DIR/ag.csv"
printf 'cert_serial,kind,holder_name,holder_id,position,agency_code,not_before,not_after,token_serial,token_model,email\n5E01,person,Nguyễn Văn An,033190000001,,HL,2025-01-01,2030-01-01,%s,SoftHSM,\n' \
	"$S" >"$HSM_DIR/c.csv"
td init >/dev/null && td import "$HSM_DIR/ag.csv" "$HSM_DIR/c.csv" >/dev/null ||
	fail "registry"

# The host: records its arguments, lets the "desk" (tokendesk scan through
# the forwarded socket, here the laptop's own) read the tokens, then
# ends as $FAKE_SSH_STATUS says, or waits to be killed.
mkdir -p "$HSM_DIR/bin"
cat >"$HSM_DIR/bin/ssh" <<'SSH'
#!/bin/sh
echo "$*" >"$FAKE_DIR/args"
for a in "$@"; do
	case $a in *:*/p11.sock) sock=${a#*:} ;; esac
done
echo "$sock" >"$FAKE_DIR/local"
"$TOKENDESK" --p11-socket "$sock" scan --no-usb >"$FAKE_DIR/scan" 2>&1
echo $$ >"$FAKE_DIR/ssh.pid"
[ -n "${FAKE_SSH_WAIT:-}" ] && sleep 30
exit "${FAKE_SSH_STATUS:-0}"
SSH
chmod +x "$HSM_DIR/bin/ssh"
FAKE_DIR=$HSM_DIR
export FAKE_DIR TOKENDESK

st=0
PATH=$HSM_DIR/bin:$PATH FAKE_SSH_STATUS=3 TMPDIR=$HSM_DIR \
	"$CONNECT" --module "$HSM_MODULE" --lang vi hall@host -p 2222 >"$HSM_DIR/out" 2>&1 || st=$?
[ $st = 3 ] || { cat "$HSM_DIR/out" >&2; fail "ssh's status not passed on: $st"; }
expect_grep "^-t -p 2222 -o ExitOnForwardFailure=yes -o ServerAliveInterval=5 -o ServerAliveCountMax=2 -R /tmp/tokendesk-p11-[0-9a-f]\{32\}\.sock:$HSM_DIR/tokendesk-connect\.[A-Za-z0-9]*/p11.sock hall@host tokendesk --p11-socket /tmp/tokendesk-p11-[0-9a-f]\{32\}\.sock --lang vi$" \
	"$HSM_DIR/args" "ssh's arguments"
# the desk's side read the laptop's token through p11-kit-client.so
expect_grep "$S" "$HSM_DIR/scan" "the token through the socket"
expect_grep "Nguyễn Văn An" "$HSM_DIR/scan" "the token's registry match"
# the command left the socket to its maker; the session's end removed it
first=$(cat "$HSM_DIR/local")
[ ! -e "$(dirname "$first")" ] || fail "the server's directory was left behind"
ls -d "$HSM_DIR"/tokendesk-connect.* >/dev/null 2>&1 && fail "a temp dir was left"

# Killed (SIGTERM) while the session runs: the server goes too.
rm -f "$HSM_DIR/ssh.pid"
PATH=$HSM_DIR/bin:$PATH FAKE_SSH_WAIT=1 TMPDIR=$HSM_DIR \
	"$CONNECT" --module "$HSM_MODULE" hall@host >/dev/null 2>&1 &
cpid=$!
i=0
until [ "$(cat "$HSM_DIR/local")" != "$first" ] && [ -s "$HSM_DIR/ssh.pid" ]; do
	i=$((i + 1)); [ $i -lt 200 ] || fail "the second session did not start"
	sleep 0.05
done
server=$(pgrep -P "$cpid" | grep -vx "$(cat "$HSM_DIR/ssh.pid")" | head -1)
[ -n "$server" ] || fail "no p11-kit server under tokendesk-connect"
kill -TERM "$cpid"
kill "$(cat "$HSM_DIR/ssh.pid")" 2>/dev/null
wait "$cpid" 2>/dev/null
i=0
while kill -0 "$server" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 100 ] || fail "the p11-kit server outlived tokendesk-connect"
	sleep 0.05
done
ls -d "$HSM_DIR"/tokendesk-connect.* >/dev/null 2>&1 && fail "a temp dir was left after SIGTERM"

# Refused before anything starts.
expect_status() {
	want=$1; shift
	st=0; "$@" >"$HSM_DIR/out" 2>&1 || st=$?
	[ $st = "$want" ] || { cat "$HSM_DIR/out" >&2; fail "'$*': status $st, want $want"; }
}
expect_status 0 "$CONNECT" --help
expect_grep "Usage: tokendesk-connect" "$HSM_DIR/out" "--help"
expect_status 64 "$CONNECT"
expect_grep "which host" "$HSM_DIR/out" "no host"
expect_status 64 "$CONNECT" --lang fr host
expect_status 64 "$CONNECT" --remote-dir relative host
expect_status 64 "$CONNECT" --remote-dir '/tmp/a b' host
expect_status 66 "$CONNECT" --module /nonexistent.so host
expect_status 64 "$CONNECT" --bogus host
echo PASS
