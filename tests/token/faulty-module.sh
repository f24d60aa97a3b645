#!/bin/sh
# faulty-module: modules out of process (issue 23) through the CLI.
# scan with a slow module prints each token as it is read, not all at the
# end; scan --watch survives a module that aborts, says so, restarts it
# and sees the token again; verify-token through a module that aborts
# fails cleanly (exit 69, nothing proved) instead of dying with it.
. "${TD_SRCDIR:-$(dirname "$0")/../..}/tests/token/hsm-lib.sh"
hsm_init
FAULTY=${TD_BUILDDIR:?}/tests/token/p11-faulty.so
[ -f "$FAULTY" ] || fail "p11-faulty.so not built"
"$TOKENDESK" init >/dev/null || fail "init"

hsm_issue a rsa "/C=VN/L=Hưng Yên/O=Sở Nội vụ/CN=Trần Văn An" 7c01
hsm_issue b rsa "/C=VN/L=Hưng Yên/O=Sở Nội vụ/CN=Lê Thị Bình" 7c02
S_A=$(hsm_token "An"); hsm_load "An" a 01
S_B=$(hsm_token "Bình"); hsm_load "Bình" b 01

MODS=$HSM_DIR/mods
mkdir -p "$MODS" && chmod 755 "$HSM_DIR" "$MODS"
cp "$FAULTY" "$MODS/p11-faulty.so" && chmod 755 "$MODS/p11-faulty.so"
printf 'allow-module = %s/\npoll-ms = 50\n' "$MODS" >"$HSM_DIR/td.conf"
chmod 600 "$HSM_DIR/td.conf"
TD_FAULTY_REAL=$HSM_MODULE
export TD_FAULTY_REAL
tdf() { "$TOKENDESK" --config "$HSM_DIR/td.conf" --module "$MODS/p11-faulty.so" "$@"; }

# 1. 300 ms a call: the first token is on the screen while the scan is
# still reading the second.
# (background jobs run the program itself: a shell function would put a
# subshell, which ignores SIGINT, between the test and the program)
TD_FAULTY_DELAY_MS=300 "$TOKENDESK" --config "$HSM_DIR/td.conf" --module "$MODS/p11-faulty.so" \
	scan --no-usb --no-match >"$HSM_DIR/scan.out" 2>&1 &
pid=$!
HSM_PIDS="$HSM_PIDS $pid"
wait_line '^token ' "$HSM_DIR/scan.out" >/dev/null
kill -0 $pid 2>/dev/null || fail "the scan had ended before its first token was printed"
[ "$(grep -c '^token ' "$HSM_DIR/scan.out")" = 1 ] || fail "both tokens came at once"
wait $pid || fail "the slow scan failed"
[ "$(grep -c '^token ' "$HSM_DIR/scan.out")" = 2 ] || { cat "$HSM_DIR/scan.out" >&2; fail "the slow scan lost a token"; }

# 2. scan --watch and a module that aborts while tokens are present.
TD_FAULTY_ABORT=$HSM_DIR/abort "$TOKENDESK" --config "$HSM_DIR/td.conf" \
	--module "$MODS/p11-faulty.so" scan --watch --no-usb --no-match \
	>"$HSM_DIR/watch.out" 2>"$HSM_DIR/watch.err" &
pid=$!
HSM_PIDS="$HSM_PIDS $pid"
wait_line "inserted $S_B" "$HSM_DIR/watch.out" >/dev/null
touch "$HSM_DIR/abort"
wait_line "module-stopped the p11-faulty.so module stopped (signal 6); restarting" \
	"$HSM_DIR/watch.out" >/dev/null
wait_line "removed $S_B" "$HSM_DIR/watch.out" >/dev/null
rm -f "$HSM_DIR/abort"
# inserted again by the restarted module, once
wait_start=$(now_ms)
until [ "$(grep -c "inserted $S_B" "$HSM_DIR/watch.out")" = 2 ]; do
	[ $(( $(now_ms) - wait_start )) -lt $((5000 * TD_SLOW)) ] ||
		{ cat "$HSM_DIR/watch.out" >&2; fail "the restarted module's token did not come back"; }
	sleep 0.05
done
kill -0 $pid || fail "scan --watch died with the module"
kill -INT $pid
st=0; wait $pid || st=$?
[ $st = 0 ] || { cat "$HSM_DIR/watch.err" >&2; fail "scan --watch exited $st"; }

# 3. A proof through a module that aborts: a clean failure, exit 69.
echo "$HSM_PIN" >"$HSM_DIR/pin"
touch "$HSM_DIR/abort"
st=0
TD_FAULTY_ABORT=$HSM_DIR/abort tdf verify-token "$S_A" --pin-fd 3 3<"$HSM_DIR/pin" \
	</dev/null >"$HSM_DIR/v.out" 2>&1 || st=$?
[ $st = 69 ] || [ $st = 66 ] || { cat "$HSM_DIR/v.out" >&2; fail "verify-token through an aborting module: status $st"; }
expect_grep "module stopped (signal 6)" "$HSM_DIR/v.out" "the proof says the module stopped"
rm -f "$HSM_DIR/abort"
st=0
tdf verify-token "$S_A" --pin-fd 3 3<"$HSM_DIR/pin" </dev/null >"$HSM_DIR/v.out" 2>&1 || st=$?
[ $st = 0 ] || { cat "$HSM_DIR/v.out" >&2; fail "verify-token through the wrapped module: status $st"; }
echo ok
