#!/bin/sh
# sign-kit: a record signed in a field kit comes home with its signature:
# home hands a token over too while the kit is out (so the field's
# handover row is renumbered by the merge), and after the merge `receipt
# --verify` at home finds the file to be that record (its QR digest does
# not depend on row ids), its signature recorded and the giver's.  In the
# kit itself the signer is not trusted: a kit carries no pinned CA.
. "${TD_SRCDIR:-$(dirname "$0")/../..}/tests/token/hsm-lib.sh"
hsm_init
command -v sqlite3 >/dev/null 2>&1 || skip "sqlite3 not installed"
hsm_issue giver rsa "/C=VN/O=Ủy ban nhân dân tỉnh Hưng Yên/CN=Trần Minh Hùng" 7d01
S_G=$(hsm_token "Hùng"); hsm_load "Hùng" giver 01
cat >"$HSM_DIR/agencies.csv" <<CSV
code,name,parent_code,level
HY,Ủy ban nhân dân tỉnh Hưng Yên,,province
HY.SNV,Sở Nội vụ,HY,department
CSV
cat >"$HSM_DIR/certs.csv" <<CSV
cert_serial,kind,holder_name,holder_id,position,agency_code,not_before,not_after,token_serial,token_model,email
7D01,person,Trần Minh Hùng,033190001111,,HY.SNV,2025-01-01,2027-01-01,$S_G,SoftHSM,
7D03,person,Trần Minh Hùng,033190001111,,HY.SNV,2025-01-01,2027-01-01,OLDTOKEN1,SoftHSM,
7D04,person,Trần Minh Hùng,033190001111,,HY.SNV,2025-01-01,2027-01-01,OLDTOKEN2,SoftHSM,
CSV
td init >/dev/null && td import "$HSM_DIR/agencies.csv" "$HSM_DIR/certs.csv" >/dev/null &&
	td crl trust add "$HSM_DIR/ca/ca.crt" >/dev/null || fail "registry setup"
td kit make --agencies HY -o "$HSM_DIR/a.kit" >/dev/null || fail "kit make"
kit() { td --db "$HSM_DIR/a.kit" "$@"; }
echo "$HSM_PIN" >"$HSM_DIR/pin"
kit handover --to agency:HY.SNV OLDTOKEN1 >/dev/null || fail "field handover"
td handover --to dost OLDTOKEN2 >/dev/null || fail "home handover"
n=$(kit receipt --list | awk 'NR == 1 { print $1 }')
field_id=$(sqlite3 "$HSM_DIR/a.kit" "SELECT id FROM handover WHERE number = '$n'")
kit receipt "$n" --pdf "$HSM_DIR/r.pdf" --sign "$S_G" --pin-fd 3 3<"$HSM_DIR/pin" \
	>"$HSM_DIR/out" 2>&1 || { cat "$HSM_DIR/out" >&2; fail "signing in the kit"; }
st=0
kit receipt "$n" --verify "$HSM_DIR/r.pdf" >"$HSM_DIR/out" 2>&1 || st=$?
[ $st = 65 ] || { cat "$HSM_DIR/out" >&2; fail "verify in the kit: status $st"; }
expect_grep "not issued by a CA pinned" "$HSM_DIR/out" "verify in the kit: said"

td kit merge "$HSM_DIR/a.kit" >"$HSM_DIR/out" 2>&1 || { cat "$HSM_DIR/out" >&2; fail "merge"; }
home_id=$(sqlite3 "$TOKENDESK_DB" "SELECT id FROM handover WHERE number = '$n'")
[ -n "$home_id" ] && [ "$home_id" != "$field_id" ] ||
	fail "the field's handover was not renumbered ($field_id -> $home_id): the test lost its point"
td receipt "$n" --verify "$HSM_DIR/r.pdf" >"$HSM_DIR/out" 2>&1 ||
	{ cat "$HSM_DIR/out" >&2; fail "verify at home after the merge"; }
expect_grep "signature 1: valid; by Trần Minh Hùng .*: the giver" "$HSM_DIR/out" "home: the giver"
[ "$(sqlite3 "$TOKENDESK_DB" "SELECT handover_id FROM handover_signature")" = "$home_id" ] ||
	fail "the signature does not point at the renumbered handover"
td audit verify >/dev/null || fail "audit chain after the merge"
exit 0
