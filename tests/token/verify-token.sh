#!/bin/sh
# verify-token: proof of possession on SoftHSM2 tokens - right PIN, wrong
# PIN, a certificate of another key, final try, locked PIN; RSA and EC.
. "${TD_SRCDIR:-$(dirname "$0")/../..}/tests/token/hsm-lib.sh"
hsm_init

SUBJ="/C=VN/L=Hưng Yên/O=Ủy ban nhân dân tỉnh Hưng Yên/OU=Sở Nội vụ/CN=Đặng Thu Hà/UID=CCCD:033190004321"
hsm_issue ha rsa "$SUBJ" 7b01
hsm_issue ha_ec ec "$SUBJ" 7b02
hsm_issue stranger rsa "/C=VN/L=Hưng Yên/O=Ủy ban nhân dân tỉnh Hưng Yên/CN=Người Khác" 7b03

S_RSA=$(hsm_token "Hà RSA"); hsm_load "Hà RSA" ha 01
S_EC=$(hsm_token "Hà EC"); hsm_load "Hà EC" ha_ec 01
# Ha's key under id 01, but the certificate of another key under id 01.
S_SWAP=$(hsm_token "Hà tráo")
softhsm2-util --import "$HSM_DIR/ha.key" --token "Hà tráo" --label k --id 01 \
	--pin "$HSM_PIN" >/dev/null || fail "import"
hsm_load_cert "Hà tráo" stranger 01
S_LOCK=$(hsm_token "Hà khóa"); hsm_load "Hà khóa" ha 01
S_LAST=$(hsm_token "Hà lần cuối"); hsm_load "Hà lần cuối" ha 01

echo "$HSM_PIN" >"$HSM_DIR/pin.ok"
echo 0000 >"$HSM_DIR/pin.bad"

verify() {  # verify SERIAL PINFILE [ARGS...] -> output in $HSM_DIR/out, status in $st
	serial=$1 pinfile=$2; shift 2
	st=0
	td verify-token "$serial" --pin-fd 3 "$@" 3<"$pinfile" </dev/null >"$HSM_DIR/out" 2>&1 || st=$?
}

verify "$S_RSA" "$HSM_DIR/pin.ok"
[ $st = 0 ] || { cat "$HSM_DIR/out" >&2; fail "right PIN, RSA: status $st"; }
expect_grep "key-matches" "$HSM_DIR/out" "right PIN, RSA"
expect_grep "certificate 7b01 (RSA)" "$HSM_DIR/out" "names the certificate proved"

verify "$S_EC" "$HSM_DIR/pin.ok" --json
[ $st = 0 ] || fail "right PIN, EC: status $st"
expect_grep '"outcome": "key-matches"' "$HSM_DIR/out" "right PIN, EC"
expect_grep '"key_type": "EC"' "$HSM_DIR/out" "EC key type"

verify "$S_SWAP" "$HSM_DIR/pin.ok"
[ $st = 65 ] || fail "certificate of another key: status $st"
expect_grep "key-does-not-match" "$HSM_DIR/out" "certificate of another key"

verify "$S_RSA" "$HSM_DIR/pin.bad"
[ $st = 77 ] || fail "wrong PIN: status $st"
expect_grep "pin-wrong" "$HSM_DIR/out" "wrong PIN"
expect_grep "few tries left" "$HSM_DIR/out" "wrong PIN: what the token says about tries"
# ... and the right PIN still works afterwards (the token is not locked).
verify "$S_RSA" "$HSM_DIR/pin.ok"
[ $st = 0 ] || fail "right PIN after a wrong one: status $st"

# Final try: refused without --force, and the PIN is not even read.
hsm_set_flags "Hà lần cuối" 20000
st=0
td verify-token "$S_LAST" </dev/null >"$HSM_DIR/out" 2>&1 || st=$?
[ $st = 77 ] || { cat "$HSM_DIR/out" >&2; fail "final try without --force: status $st"; }
expect_grep "final-try-refused" "$HSM_DIR/out" "final try refused"
expect_grep "tries left: 1" "$HSM_DIR/out" "final try: one try left"
verify "$S_LAST" "$HSM_DIR/pin.bad" --force
expect_grep "one try left" "$HSM_DIR/out" "wrong PIN on the final try says so"
verify "$S_LAST" "$HSM_DIR/pin.ok" --force
[ $st = 0 ] || { cat "$HSM_DIR/out" >&2; fail "final try with --force and the right PIN: status $st"; }

# Locked PIN: token recovery, without asking for the PIN.
hsm_set_flags "Hà khóa" 40000
st=0
td verify-token "$S_LOCK" </dev/null >"$HSM_DIR/out" 2>&1 || st=$?
[ $st = 77 ] || { cat "$HSM_DIR/out" >&2; fail "locked: status $st"; }
expect_grep "pin-locked" "$HSM_DIR/out" "locked PIN"
expect_grep "token recovery needed" "$HSM_DIR/out" "locked PIN: recovery"

# No such token; and no PIN option on the command line at all.
verify 0000000000000000 "$HSM_DIR/pin.ok"
[ $st = 66 ] || fail "absent token: status $st"
st=0
td verify-token "$S_RSA" --pin 1111 >"$HSM_DIR/out" 2>&1 </dev/null || st=$?
[ $st = 64 ] || fail "--pin must not exist (status $st)"
# With no terminal and no --pin-fd the PIN cannot be read: a clear error.
st=0
setsid "$TOKENDESK" --module "$HSM_MODULE" verify-token "$S_RSA" </dev/null >"$HSM_DIR/out" 2>&1 || st=$?
[ $st != 0 ] || fail "no terminal: should fail"
expect_grep "no terminal" "$HSM_DIR/out" "no terminal: message"
echo PASS
