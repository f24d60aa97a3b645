#!/bin/sh
# handover-pop: `handover --pin-fd N` proves possession on SoftHSM2 tokens
# before writing: a matched proof is recorded on the event and the record;
# a wrong PIN, an absent token or a final try refuses (nothing written);
# --force records a failed proof and hands over anyway.
. "${TD_SRCDIR:-$(dirname "$0")/../..}/tests/token/hsm-lib.sh"
hsm_init

SUBJ="/C=VN/L=Hưng Yên/O=Ủy ban nhân dân tỉnh Hưng Yên/OU=Sở Nội vụ/CN=Trần Minh Hùng/UID=CCCD:033190001111"
hsm_issue hung rsa "$SUBJ" 7c01
hsm_issue hung2 rsa "$SUBJ" 7c02
S_OK=$(hsm_token "Hùng"); hsm_load "Hùng" hung 01
S_LAST=$(hsm_token "Hùng lần cuối"); hsm_load "Hùng lần cuối" hung2 01
hsm_set_flags "Hùng lần cuối" 20000

# The registry: the two tokens and one more that is not inserted.
cat >"$HSM_DIR/agencies.csv" <<EOF
code,name,parent_code,level
HY,Ủy ban nhân dân tỉnh Hưng Yên,,province
HY.SNV,Sở Nội vụ,HY,department
EOF
cat >"$HSM_DIR/certs.csv" <<EOF
cert_serial,kind,holder_name,holder_id,position,agency_code,not_before,not_after,token_serial,token_model,email
7C01,person,Trần Minh Hùng,033190001111,,HY.SNV,2025-01-01,2027-01-01,$S_OK,SoftHSM,
7C02,person,Trần Minh Hùng,033190001111,,HY.SNV,2025-01-01,2027-01-01,$S_LAST,SoftHSM,
7C03,person,Lê Văn Vắng,033190002222,,HY.SNV,2025-01-01,2027-01-01,ABSENT01,SoftHSM,
EOF
td init >/dev/null && td import "$HSM_DIR/agencies.csv" "$HSM_DIR/certs.csv" >/dev/null ||
	fail "registry setup"
echo "$HSM_PIN" >"$HSM_DIR/pin.ok"
echo 0000 >"$HSM_DIR/pin.bad"
tokens() { td export tokens; }

handover() {  # handover PINFILE ARGS... -> $HSM_DIR/out, $HSM_DIR/err, $st
	pinfile=$1; shift
	st=0
	td handover --to agency:HY.SNV --pin-fd 3 "$@" 3<"$pinfile" </dev/null \
		>"$HSM_DIR/out" 2>"$HSM_DIR/err" || st=$?
}

before=$(tokens)
handover "$HSM_DIR/pin.bad" "$S_OK"
[ $st != 0 ] || fail "wrong PIN: handover went through"
expect_grep "proof of possession failed (pin-wrong)" "$HSM_DIR/err" "wrong PIN: reason"
expect_grep "nothing was written" "$HSM_DIR/err" "wrong PIN: nothing written"
handover "$HSM_DIR/pin.ok" "$S_OK" ABSENT01
[ $st = 66 ] || { cat "$HSM_DIR/err" >&2; fail "absent token: status $st"; }
expect_grep "ABSENT01 is not inserted" "$HSM_DIR/err" "absent token: reason"
# The final try: refused without reading the PIN (an empty descriptor
# would make reading it fail with another message).
handover /dev/null "$S_LAST"
[ $st != 0 ] || fail "final try without --force went through"
expect_grep "final-try-refused" "$HSM_DIR/err" "final try: reason"
[ "$(tokens)" = "$before" ] || fail "a refused handover changed the registry"

# The right PIN: written, with the proof on the event and the record.
handover "$HSM_DIR/pin.ok" "$S_OK"
[ $st = 0 ] || { cat "$HSM_DIR/err" >&2; fail "right PIN: status $st"; }
num=$(awk '/^Handover/ {sub(":", "", $2); print $2}' "$HSM_DIR/out")
td show token "$S_OK" --json >"$HSM_DIR/t.json"
expect_grep '"custodian": "agency:HY.SNV"' "$HSM_DIR/t.json" "custodian after handover"
expect_grep "possession matched" "$HSM_DIR/t.json" "proof on the custody event"
td receipt "$num" >"$HSM_DIR/r.txt" || fail "receipt"
expect_grep "Xác minh sở hữu: đã xác minh khóa khớp chứng thư" "$HSM_DIR/r.txt" "proof on the record"

# --force: the final try is attempted; a wrong PIN is recorded, not fatal.
handover "$HSM_DIR/pin.bad" "$S_LAST" --force
[ $st = 0 ] || { cat "$HSM_DIR/err" >&2; fail "forced final try: status $st"; }
num=$(awk '/^Handover/ {sub(":", "", $2); print $2}' "$HSM_DIR/out")
td show token "$S_LAST" --json >"$HSM_DIR/t.json"
expect_grep "possession not_matched" "$HSM_DIR/t.json" "failed proof on the event"
td receipt "$num" >"$HSM_DIR/r.txt" || fail "receipt"
expect_grep "xác minh KHÔNG đạt" "$HSM_DIR/r.txt" "failed proof on the record"
td audit verify >/dev/null || fail "audit chain"
echo PASS
