#!/bin/sh
# pcsc/pulled: the card pulled out in the middle of a proof of possession
# (the emulator drops the connection when the card's signing command, CAC
# SIGN/DECRYPT 0x42, arrives, after the PIN was accepted): verify-token
# and a handover say clearly that the token was removed, the handover
# records nothing, and the card put back works at once (no stale slot).
. "${TD_SRCDIR:-$(dirname "$0")/../..}/tests/pcsc/pcsc-lib.sh"
pcsc_init
SQLITE3=${SQLITE3:-sqlite3}
command -v "$SQLITE3" >/dev/null 2>&1 || skip "sqlite3 not installed"
pcsc_insert
pcsc_registry
printf '%s\n' "$PCSC_PIN" >"$HSM_DIR/pin.ok"
fingerprint() { "$SQLITE3" "$TOKENDESK_DB" .dump | sha256sum; }
before=$(fingerprint)

# pull_during COMMAND...: arm the pull, run COMMAND (-> out, err, st),
# check the card really went out in the middle of it.
pull_during() {
	vcard_do "pull-on 42" "armed 42" >/dev/null
	n=$(wc -l <"$PCSC_DIR/vcard.log")
	st=0
	"$@" 3<"$HSM_DIR/pin.ok" </dev/null >"$HSM_DIR/out" 2>"$HSM_DIR/err" || st=$?
	vcard_said_since "$n" pulled || { cat "$HSM_DIR/out" "$HSM_DIR/err" >&2;
		fail "the card was not pulled during '$*' (no signing command reached it)"; }
}

pull_during td_pcsc verify-token "$PCSC_SERIAL" --pin-fd 3
cat "$HSM_DIR/out" "$HSM_DIR/err"
[ $st != 0 ] || fail "verify-token succeeded with the card pulled"
grep -q "token-removed" "$HSM_DIR/out" "$HSM_DIR/err" ||
	fail "verify-token with the card pulled does not say it was removed"
grep -q "key-matches" "$HSM_DIR/out" && fail "a proof claimed with the card pulled"

pcsc_insert
pull_during td_pcsc handover --to agency:HY-TP --pin-fd 3 "$PCSC_SERIAL"
cat "$HSM_DIR/out" "$HSM_DIR/err"
[ $st != 0 ] || fail "the handover went through with the card pulled"
expect_grep "token-removed" "$HSM_DIR/err" "the handover says the token was removed"
expect_grep "nothing was written" "$HSM_DIR/err" "the handover says nothing was written"
[ "$(fingerprint)" = "$before" ] || fail "a handover with the card pulled changed the registry"

# Back in: the same slot serves it, and the proof goes through.
pcsc_insert
[ "$(pcsc_slots | grep -c "$PCSC_SERIAL")" = 1 ] || fail "slots after the pull: $(pcsc_slots)"
st=0
td_pcsc verify-token "$PCSC_SERIAL" --pin-fd 3 3<"$HSM_DIR/pin.ok" </dev/null >"$HSM_DIR/out" 2>&1 || st=$?
[ $st = 0 ] || { cat "$HSM_DIR/out" >&2; fail "the card put back: status $st"; }
expect_grep "key-matches" "$HSM_DIR/out" "the card put back proves its key"
echo PASS
