#!/bin/sh
# sign-kit: a record signed in a field kit comes home with its signature:
# home hands a token over too while the kit is out (so the field's
# handover row is renumbered by the merge), and after the merge `receipt
# --verify` at home finds the file to be that record (its QR digest does
# not depend on row ids), its signature recorded and the giver's, with a
# home handover.sign audit row naming the renumbered handover.  In the
# kit itself the signer is not trusted: a kit carries no pinned CA.
# A signature row added to the kit with sqlite3 (no handover.sign row in
# the kit's audit) or a field signature edited after it was made is
# refused as tampering, home unchanged.  At home, `audit verify` names a
# signature row edited, deleted or added by hand.
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
td handover --to dost --force --reason "nộp thẳng cho Sở" OLDTOKEN2 >/dev/null || fail "home handover"
n=$(kit receipt --list | awk 'NR == 1 { print $1 }')
field_id=$(sqlite3 "$HSM_DIR/a.kit" "SELECT id FROM handover WHERE number = '$n'")
kit receipt "$n" --pdf "$HSM_DIR/r.pdf" --sign "$S_G" --pin-fd 3 3<"$HSM_DIR/pin" \
	>"$HSM_DIR/out" 2>&1 || { cat "$HSM_DIR/out" >&2; fail "signing in the kit"; }
st=0
kit receipt "$n" --verify "$HSM_DIR/r.pdf" >"$HSM_DIR/out" 2>&1 || st=$?
[ $st = 65 ] || { cat "$HSM_DIR/out" >&2; fail "verify in the kit: status $st"; }
expect_grep "not issued by a CA pinned" "$HSM_DIR/out" "verify in the kit: said"
kit audit verify >"$HSM_DIR/out" 2>&1 || { cat "$HSM_DIR/out" >&2; fail "audit verify in the kit"; }

# Forged signatures on copies of the kit: refused whole, nothing changed.
sum_home() { sqlite3 "$TOKENDESK_DB" "SELECT count(*) FROM audit; SELECT count(*) FROM handover_signature; SELECT count(*) FROM handover"; }
before=$(sum_home)
forge() {   # forge NAME SQL WHAT: the merge of a kit copy edited with SQL
	cp "$HSM_DIR/a.kit" "$HSM_DIR/$1.kit"
	sqlite3 "$HSM_DIR/$1.kit" "$2" || fail "$1: sqlite3"
	st=0
	td kit merge "$HSM_DIR/$1.kit" >"$HSM_DIR/out" 2>&1 || st=$?
	[ $st = 65 ] || { cat "$HSM_DIR/out" >&2; fail "$1: merge status $st"; }
	expect_grep "$3" "$HSM_DIR/out" "$1: refusal"
	[ "$(sum_home)" = "$before" ] || fail "$1: home changed"
}
forge added "INSERT INTO handover_signature (handover_id, signer_serial,
	signer_issuer, signer_subject, signed_at, pdf_sha256, operator) SELECT
	handover_id, '7D03', signer_issuer, signer_subject, signed_at,
	'$(printf '%064d' 0)', operator FROM handover_signature" \
	"handover_signature 2 was added with no handover.sign row of the kit's audit log; the kit was edited outside tokendesk"
forge edited "UPDATE handover_signature SET pdf_sha256 = '$(printf '%064d' 1)'" \
	"handover_signature 1 as it came back: pdf_sha256 is '0*1', the kit's audit row [0-9]* says '[0-9a-f]*'"

td kit merge "$HSM_DIR/a.kit" >"$HSM_DIR/out" 2>&1 || { cat "$HSM_DIR/out" >&2; fail "merge"; }
home_id=$(sqlite3 "$TOKENDESK_DB" "SELECT id FROM handover WHERE number = '$n'")
[ -n "$home_id" ] && [ "$home_id" != "$field_id" ] ||
	fail "the field's handover was not renumbered ($field_id -> $home_id): the test lost its point"
td receipt "$n" --verify "$HSM_DIR/r.pdf" >"$HSM_DIR/out" 2>&1 ||
	{ cat "$HSM_DIR/out" >&2; fail "verify at home after the merge"; }
expect_grep "signature 1: valid; by Trần Minh Hùng .*: the giver" "$HSM_DIR/out" "home: the giver"
[ "$(sqlite3 "$TOKENDESK_DB" "SELECT handover_id FROM handover_signature")" = "$home_id" ] ||
	fail "the signature does not point at the renumbered handover"
sig=$(sqlite3 "$TOKENDESK_DB" "SELECT id FROM handover_signature")
td audit log handover_signature "$sig" >"$HSM_DIR/log" || fail "audit log of the signature"
expect_grep "handover.sign" "$HSM_DIR/log" "the merged signature's home audit row"
expect_grep "\"handover_id\":$home_id" "$HSM_DIR/log" "the home audit row names the renumbered handover"
td audit verify >"$HSM_DIR/out" 2>&1 || { cat "$HSM_DIR/out" >&2; fail "audit verify after the merge"; }

# At home: a signature row edited, deleted or added by hand is named.
tampered() {   # tampered NAME SQL MESSAGE
	cp "$TOKENDESK_DB" "$HSM_DIR/$1.db"
	sqlite3 "$HSM_DIR/$1.db" "$2" || fail "$1: sqlite3"
	st=0
	td --db "$HSM_DIR/$1.db" audit verify >"$HSM_DIR/out" 2>&1 || st=$?
	[ $st = 65 ] || { cat "$HSM_DIR/out" >&2; fail "$1: audit verify status $st"; }
	expect_grep "$3" "$HSM_DIR/out" "$1: named"
}
tampered sig-edited "UPDATE handover_signature SET signer_serial = '7d03'" \
	"handover_signature $sig: signer_serial is '7d03', the audit says '7d01'"
tampered sig-deleted "DELETE FROM handover_signature" \
	"handover_signature $sig: the audit records this row, but it is not there"
tampered sig-added "INSERT INTO handover_signature (handover_id, signer_serial,
	signer_issuer, signer_subject, signed_at, pdf_sha256, operator) SELECT
	handover_id, '7D03', signer_issuer, signer_subject, signed_at, pdf_sha256,
	operator FROM handover_signature" \
	"handover_signature $((sig + 1)): this row has no audit row: it was added by hand"
exit 0
