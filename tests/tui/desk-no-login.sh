#!/bin/sh
# Detection never costs a PIN try (issue 23): a token at its final PIN try
# and a locked one (recorded lost: the panel and the handover list say so), seen through OpenSC's pkcs11-spy.so between tokendesk
# and SoftHSM2, by scan, scan --watch, count watch, the desk's token panel,
# its handover list and its count screen.  The spy's trace must hold no
# C_Login (nor C_InitPIN / C_SetPIN), and the tokens' flags are the same
# afterwards.  The panel says what the token says of its tries, and no
# number is made up.
. "$TD_SRCDIR/tests/tui/lib.sh"
with_tokens
SPY=
for m in /usr/lib/*/pkcs11/pkcs11-spy.so /usr/lib/pkcs11/pkcs11-spy.so; do
	[ -f "$m" ] && SPY=$m && break
done
[ -n "$SPY" ] || { echo "pkcs11-spy.so (opensc) not installed"; exit 77; }
td() { "$TOKENDESK" --db "$tmp/reg.db" "$@"; }

demo_registry
hsm_issue last rsa "/C=VN/L=Đông Châu/O=Sở Tài chính/CN=Lê Thị Mai" 7d01
hsm_issue lock rsa "/C=VN/L=Đông Châu/O=Sở Tài chính/CN=Phạm Văn Khóa" 7d02
S_LAST=$(hsm_token "Lần cuối"); hsm_load "Lần cuối" last 01
S_LOCK=$(hsm_token "Đã khóa"); hsm_load "Đã khóa" lock 01
hsm_set_flags "Lần cuối" 20000
hsm_set_flags "Đã khóa" 40000
from=$(date -u -d yesterday +%Y-%m-%d) to=$(date -u -d '+2 years' +%Y-%m-%d)
cat >"$tmp/mine.csv" <<CSV
cert_serial,kind,holder_name,holder_id,position,agency_code,not_before,not_after,token_serial,token_model,email
7D01,person,Lê Thị Mai,001190000777,Chuyên viên,DC.STC,$from,$to,$S_LAST,SoftHSM v2,
7D02,person,Phạm Văn Khóa,001190000778,Chuyên viên,DC.STC,$from,$to,$S_LOCK,SoftHSM v2,
CSV
td -q import "$TD_SRCDIR/data/demo/agencies.csv" "$tmp/mine.csv" >/dev/null ||
	fail "cannot import the tokens' records"

flags() { "$TOKENDESK" --module "$HSM_MODULE" scan --json --no-usb --no-match |
	python3 -c 'import json,sys; print(sorted((t["serial"], t["flags"]) for t in json.load(sys.stdin)["tokens"]))'; }
before=$(flags)
echo "$before" | grep -q "pin-final-try" || fail "the final-try flag is not set"
echo "$before" | grep -q "pin-locked" || fail "the locked flag is not set"

PKCS11SPY=$HSM_MODULE PKCS11SPY_OUTPUT=$tmp/spy.log
export PKCS11SPY PKCS11SPY_OUTPUT
spy() { td --module "$SPY" "$@"; }
# trace_clean PHASE: the spy's trace of one phase read tokens and never
# logged in; then it is cleared for the next phase (each process the
# spy runs in rewrites the file).
trace_clean() {
	[ -s "$tmp/spy.log" ] || fail "$1: the spy wrote no trace"
	grep -q "C_GetTokenInfo" "$tmp/spy.log" || fail "$1: the trace holds no C_GetTokenInfo"
	if grep -qE "C_Login|C_InitPIN|C_SetPIN" "$tmp/spy.log"; then
		grep -E "C_Login|C_InitPIN|C_SetPIN" "$tmp/spy.log" | head -3
		fail "$1: detection logged in (or touched the PIN)"
	fi
	rm -f "$tmp/spy.log"
}

# scan
spy scan --no-usb >"$tmp/scan.out" 2>&1 || { cat "$tmp/scan.out"; fail "scan through the spy"; }
grep -q "$S_LAST" "$tmp/scan.out" || fail "scan through the spy does not show the tokens"
trace_clean scan
# scan --watch and count watch, until both tokens are seen
"$TOKENDESK" --db "$tmp/reg.db" --module "$SPY" scan --watch --no-usb >"$tmp/watch.out" 2>&1 &
pid=$!
HSM_PIDS="$HSM_PIDS $pid"
wait_line "inserted $S_LOCK" "$tmp/watch.out" >/dev/null
wait_line "inserted $S_LAST" "$tmp/watch.out" >/dev/null
kill -INT $pid; wait $pid
trace_clean "scan --watch"
id=$(td count start --agency DC.STC 2>/dev/null | grep -o '[0-9]\+' | head -1)
[ -n "$id" ] || fail "count start"
"$TOKENDESK" --db "$tmp/reg.db" --module "$SPY" count watch "$id" --no-usb >"$tmp/cw.out" 2>&1 &
pid=$!
HSM_PIDS="$HSM_PIDS $pid"
wait_line "$S_LOCK" "$tmp/cw.out" >/dev/null
kill -INT $pid; wait $pid
trace_clean "count watch"

# The registry records the locked token lost (issue 23, custody): the
# panel and the handover list say so (done before the desk: no token is
# touched by it).
td handover --to agency:DC.STC --state lost "$S_LOCK" >/dev/null 2>&1 ||
	fail "cannot record the token lost"
# the desk: token panel, handover list, count screen
start_desk 120 40 SOFTHSM2_CONF="$SOFTHSM2_CONF" P11_KIT_NO_USER_CONFIG=1 \
	TOKENDESK_DATADIR="$TOKENDESK_DATADIR" PKCS11SPY="$PKCS11SPY" \
	PKCS11SPY_OUTPUT="$PKCS11SPY_OUTPUT" -- --lang en --module "$SPY"
wait_for "Final PIN try: one more wrong PIN locks this token" 5 ||
	fail "the panel does not say the token is at its final try"
wait_for "PIN locked: the token needs a recovery request" ||
	fail "the panel does not say the token is locked"
on_screen_re "tries left: [0-9]" && fail "the panel made up a number of tries"
wait_for "Custody: not where the registry says" || fail "the panel does not flag the lost token"
on_screen "recorded lost" || fail "the panel does not say the token is recorded lost"
keys F5
wait_for "Hand tokens over — 2 in the list" || fail "the plugged tokens did not join the handover"
keys Tab Tab
type_text "dost"
wait_for "recorded lost" || fail "the handover list does not say the token is recorded lost"
keys F8
wait_for "Count" || fail "F8 did not open the count screen"
keys F10
wait_for "EXITED" 5 || fail "the desk did not quit"

trace_clean "the desk: panel, handover list, count"
unset PKCS11SPY PKCS11SPY_OUTPUT
[ "$(flags)" = "$before" ] || fail "the tokens' flags changed: $(flags) (was $before)"
echo ok
