#!/bin/sh
# scan-invisible: a certificate's CN or a token's label is anybody's to
# write.  A U+202E (right-to-left override) or a U+2028 (line separator)
# in it would turn what follows around, or break the line, on the
# terminal of whoever scans the token: scan shows them escaped (the DN
# as RFC 4514 hex pairs, the label as '?'), never raw (issue 21, item 7).
. "${TD_SRCDIR:-$(dirname "$0")/../..}/tests/token/hsm-lib.sh"
hsm_init

RLO=$(printf '\342\200\256') LS=$(printf '\342\200\250') FA=$(printf '\342\201\241')
hsm_issue rlo rsa "/C=VN/O=Sở Tư pháp/CN=Trần${RLO}nàL Thị${LS}Lan${FA}" 5b01
hsm_token "Tok${LS}en${RLO}" >/dev/null
hsm_load "Tok${LS}en${RLO}" rlo 01
td init >/dev/null 2>&1 || fail "init"
td scan --no-usb >"$HSM_DIR/scan.out" 2>&1 || fail "scan exited $?: $(cat "$HSM_DIR/scan.out")"
expect_grep 'CN=Trần\\E2\\80\\AEnàL Thị\\E2\\80\\A8Lan\\E2\\81\\A1' "$HSM_DIR/scan.out" \
	"the CN's U+202E, U+2028 and U+2061 as hex pairs"
expect_grep '"Tok?*en?*"' "$HSM_DIR/scan.out" "the label's U+2028 and U+202E as '?'"
for c in "$RLO" "$LS" "$FA"; do
	if grep -q "$c" "$HSM_DIR/scan.out"; then
		cat "$HSM_DIR/scan.out" >&2
		fail "scan sent an invisible character raw to the terminal"
	fi
done
# --json carries the value itself (JSON escapes it as it must), and the
# subject line there is the escaped one too.
td scan --no-usb --json >"$HSM_DIR/scan.json" 2>&1 || fail "scan --json exited $?"
expect_grep 'Thị\\\\E2\\\\80\\\\A8Lan' "$HSM_DIR/scan.json" "the JSON subject, escaped"
echo "PASS"
