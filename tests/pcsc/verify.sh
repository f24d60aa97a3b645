#!/bin/sh
# pcsc/verify: proof of possession on the virtual card through pcscd and
# OpenSC: the right PIN proves the key (verify-token, and a handover that
# records the proof), a wrong PIN is refused as the card counts it (the
# emulator answers 63Cx as a card does) and records nothing, and the
# right PIN works again after it.
. "${TD_SRCDIR:-$(dirname "$0")/../..}/tests/pcsc/pcsc-lib.sh"
pcsc_init
pcsc_insert
pcsc_registry
printf '%s\n' "$PCSC_PIN" >"$HSM_DIR/pin.ok"
echo 11223344 >"$HSM_DIR/pin.bad"
# What the registry holds, all of it: nothing may change on a refusal.
fingerprint() { "$SQLITE3" "$TOKENDESK_DB" .dump | sha256sum; }
SQLITE3=${SQLITE3:-sqlite3}
command -v "$SQLITE3" >/dev/null 2>&1 || skip "sqlite3 not installed"

verify() {  # verify PINFILE [ARGS...] -> $HSM_DIR/out, $st
	pinfile=$1; shift
	st=0
	td_pcsc verify-token "$PCSC_SERIAL" --pin-fd 3 "$@" 3<"$pinfile" </dev/null \
		>"$HSM_DIR/out" 2>&1 || st=$?
}

verify "$HSM_DIR/pin.ok"
[ $st = 0 ] || { cat "$HSM_DIR/out" >&2; fail "right PIN: status $st"; }
expect_grep "key-matches" "$HSM_DIR/out" "right PIN proves the key"
expect_grep "certificate $PCSC_CERT_SERIAL (RSA)" "$HSM_DIR/out" "names the certificate proved"

before=$(fingerprint)
verify "$HSM_DIR/pin.bad"
[ $st = 77 ] || { cat "$HSM_DIR/out" >&2; fail "wrong PIN: status $st"; }
expect_grep "pin-wrong" "$HSM_DIR/out" "wrong PIN"
grep -q "wrong pin 2 left" "$PCSC_DIR/vcard.log" || fail "the card did not count the wrong PIN"
verify "$HSM_DIR/pin.bad" --json
[ $st = 77 ] || fail "wrong PIN (JSON): status $st"
expect_grep '"outcome": "pin-wrong"' "$HSM_DIR/out" "wrong PIN, JSON code"

# The right PIN resets the card's count (two wrong ones so far) ...
verify "$HSM_DIR/pin.ok"
[ $st = 0 ] || { cat "$HSM_DIR/out" >&2; fail "right PIN after two wrong ones: status $st"; }
# ... and a handover with a wrong PIN is refused and writes nothing.
st=0
"$TOKENDESK" --module "$PCSC_MODULE" handover --to agency:HY-TP --pin-fd 3 "$PCSC_SERIAL" \
	3<"$HSM_DIR/pin.bad" </dev/null >"$HSM_DIR/out" 2>"$HSM_DIR/err" || st=$?
[ $st != 0 ] || fail "wrong PIN: the handover went through"
expect_grep "proof of possession failed (pin-wrong)" "$HSM_DIR/err" "wrong PIN: handover reason"
expect_grep "nothing was written" "$HSM_DIR/err" "wrong PIN: nothing written"
[ "$(fingerprint)" = "$before" ] || fail "a refused PIN changed the registry"

# The right PIN: proved and recorded.
st=0
"$TOKENDESK" --module "$PCSC_MODULE" handover --to agency:HY-TP --pin-fd 3 "$PCSC_SERIAL" \
	3<"$HSM_DIR/pin.ok" </dev/null >"$HSM_DIR/out" 2>"$HSM_DIR/err" || st=$?
[ $st = 0 ] || { cat "$HSM_DIR/err" >&2; fail "handover with the right PIN: status $st"; }
"$TOKENDESK" show token "$PCSC_SERIAL" --json >"$HSM_DIR/t.json"
expect_grep '"custodian": "agency:HY-TP"' "$HSM_DIR/t.json" "custodian after the handover"
expect_grep "possession matched" "$HSM_DIR/t.json" "the proof on the custody event"
"$TOKENDESK" audit verify >/dev/null || fail "audit chain"

# Three wrong PINs in a row: the card blocks its PIN (6983), and tokendesk
# says so rather than "wrong PIN".
verify "$HSM_DIR/pin.bad"; verify "$HSM_DIR/pin.bad"; verify "$HSM_DIR/pin.bad"
[ $st = 77 ] || { cat "$HSM_DIR/out" >&2; fail "third wrong PIN: status $st"; }
expect_grep "pin-locked" "$HSM_DIR/out" "the third wrong PIN locks the card"
echo PASS
