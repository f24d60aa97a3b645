#!/bin/sh
# watch: a token created, then deleted, while `scan --watch` runs is
# reported within 1 s each way - polling only (--no-usb), and with libusb
# hot-plug left on where there is no USB bus at all (CI containers).
. "${TD_SRCDIR:-$(dirname "$0")/../..}/tests/token/hsm-lib.sh"
hsm_init
LIMIT_MS=$((1000 * TD_SLOW))

hsm_issue w rsa "/C=VN/L=Hưng Yên/O=Ủy ban nhân dân tỉnh Hưng Yên/CN=Đỗ Văn Nam" 9c01
S0=$(hsm_token "Có sẵn"); hsm_load "Có sẵn" w 01
"$TOKENDESK" init >/dev/null || fail "init"

run_round() {  # run_round NAME [scan options...]
	name=$1; shift
	out=$HSM_DIR/watch-$name.out
	: >"$out"
	# Not through the td function: $! must be tokendesk itself, not a
	# subshell (which would ignore the SIGINT sent below).
	"$TOKENDESK" $MODULE_ARGS scan --watch "$@" >"$out" 2>"$HSM_DIR/watch-$name.err" &
	pid=$!
	HSM_PIDS="$HSM_PIDS $pid"
	wait_line "inserted $S0" "$out" >/dev/null
	grep -q "match unknown-token" "$out" || fail "$name: each event is matched"

	softhsm2-util --init-token --free --label "Mới $name" --so-pin "$HSM_SO_PIN" \
		--pin "$HSM_PIN" >/dev/null || fail "init token"
	in_ms=$(wait_line "inserted .*\"Mới $name\"" "$out")
	serial=$(hsm_serial "Mới $name")
	hsm_delete "Mới $name"
	out_ms=$(wait_line "removed $serial" "$out")
	kill -INT $pid
	st=0; wait $pid || st=$?
	[ $st = 0 ] || { cat "$HSM_DIR/watch-$name.err" >&2; fail "$name: watch exited $st after SIGINT"; }
	echo "$name: insertion seen after ${in_ms} ms, removal after ${out_ms} ms"
	[ "$in_ms" -le $LIMIT_MS ] || fail "$name: insertion took $in_ms ms"
	[ "$out_ms" -le $LIMIT_MS ] || fail "$name: removal took $out_ms ms"
	# The token that stayed is reported once, not again on each rescan.
	[ "$(grep -c "inserted $S0" "$out")" = 1 ] || fail "$name: $S0 reported twice"
	grep -q "removed $S0" "$out" && fail "$name: $S0 reported removed"
	return 0
}

MODULE_ARGS="--module $HSM_MODULE"
run_round poll --no-usb
run_round auto
# The default module, p11-kit's proxy, reloads SoftHSM2 behind it too.
MODULE_ARGS=
run_round proxy --no-usb
echo PASS
