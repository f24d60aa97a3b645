#!/bin/sh
# sign-record: a handover record signed by the receiver (EC key) and then
# the giver (RSA key) on SoftHSM2 tokens with certificates of a test CA:
# pdfsig finds both signatures valid and the file whole; the CMS out of
# /Contents verifies with `openssl cms -verify` against the CA; `receipt
# --verify` says yes, and no after one changed byte, against another
# handover, or for an unsigned update appended after the last signature
# (which no token then signs);
# a certificate copying the giver's serial from another CA is not the
# giver's; the QR code decodes (zbarimg) to the record's number and digest, which
# `receipt --qr` matches, and no longer does once the registry changed.
. "${TD_SRCDIR:-$(dirname "$0")/../..}/tests/token/hsm-lib.sh"
hsm_init
for tool in pdfsig pdftoppm zbarimg; do
	command -v $tool >/dev/null 2>&1 || skip "$tool not installed"
done

GIVER="/C=VN/L=Hưng Yên/O=Ủy ban nhân dân tỉnh Hưng Yên/OU=Sở Nội vụ/CN=Trần Minh Hùng/UID=CCCD:033190001111"
TAKER="/C=VN/L=Hưng Yên/O=Sở Khoa học và Công nghệ Hưng Yên/CN=Đặng Thu Hà/UID=CCCD:033190002222"
hsm_issue giver rsa "$GIVER" 7d01
hsm_issue taker ec "$TAKER" 7d02
hsm_issue other rsa "/C=VN/O=Nơi khác/CN=Người Lạ" 7d09
S_G=$(hsm_token "Hùng"); hsm_load "Hùng" giver 01
S_T=$(hsm_token "Hà"); hsm_load "Hà" taker 01
S_O=$(hsm_token "Lạ"); hsm_load "Lạ" other 01
# the giver's key and certificate again, on a token at its final PIN try
S_L=$(hsm_token "Hùng cuối"); hsm_load "Hùng cuối" giver 01
hsm_set_flags "Hùng cuối" 20000
# a certificate with the giver's subject and serial, from a CA of nobody's
openssl req -x509 -new -newkey rsa:2048 -nodes -utf8 -sha256 -days 30 \
	-subj "/CN=CA giả/O=Không ai/C=VN" -keyout "$HSM_DIR/rogueca.key" \
	-out "$HSM_DIR/rogueca.crt" 2>/dev/null || fail "rogue CA"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$HSM_DIR/rogue.key" 2>/dev/null
openssl req -new -utf8 -key "$HSM_DIR/rogue.key" -subj "$GIVER" -out "$HSM_DIR/rogue.csr" 2>/dev/null
openssl x509 -req -in "$HSM_DIR/rogue.csr" -CA "$HSM_DIR/rogueca.crt" \
	-CAkey "$HSM_DIR/rogueca.key" -set_serial 0x7d01 -days 30 -outform DER \
	-out "$HSM_DIR/rogue.der" 2>/dev/null || fail "rogue certificate"
S_X=$(hsm_token "Giả"); hsm_load "Giả" rogue 01

cat >"$HSM_DIR/agencies.csv" <<CSV
code,name,parent_code,level
HY,Ủy ban nhân dân tỉnh Hưng Yên,,province
HY.SNV,Sở Nội vụ,HY,department
HY.KHCN,Sở Khoa học và Công nghệ,HY,department
CSV
cat >"$HSM_DIR/certs.csv" <<CSV
cert_serial,kind,holder_name,holder_id,position,agency_code,not_before,not_after,token_serial,token_model,email
7D01,person,Trần Minh Hùng,033190001111,,HY.SNV,2025-01-01,2027-01-01,$S_G,SoftHSM,
7D02,person,Đặng Thu Hà,033190002222,,HY.KHCN,2025-01-01,2027-01-01,$S_T,SoftHSM,
7D03,person,Trần Minh Hùng,033190001111,,HY.SNV,2025-01-01,2027-01-01,OLDTOKEN1,SoftHSM,
7D04,person,Trần Minh Hùng,033190001111,,HY.SNV,2025-01-01,2027-01-01,OLDTOKEN2,SoftHSM,
CSV
td init >/dev/null && td import "$HSM_DIR/agencies.csv" "$HSM_DIR/certs.csv" >/dev/null ||
	fail "registry setup"
# the CA whose certificates count (as for CRLs)
td crl trust add "$HSM_DIR/ca/ca.crt" >/dev/null || fail "crl trust add"
td handover --from holder:033190001111 --to holder:033190002222 --force --reason "bàn giao công việc" OLDTOKEN1 \
	>"$HSM_DIR/h1" 2>&1 || { cat "$HSM_DIR/h1" >&2; fail "handover 1"; }
td handover --from holder:033190001111 --to holder:033190002222 --force --reason "bàn giao công việc" OLDTOKEN2 \
	>"$HSM_DIR/h2" 2>&1 || { cat "$HSM_DIR/h2" >&2; fail "handover 2"; }
N1=$(td receipt --list | awk 'NR==2 {print $1}')
N2=$(td receipt --list | awk 'NR==1 {print $1}')
[ -n "$N1" ] && [ -n "$N2" ] && [ "$N1" != "$N2" ] || fail "no handover numbers"
echo "$HSM_PIN" >"$HSM_DIR/pin.ok"
echo 0000 >"$HSM_DIR/pin.bad"
PDF=$HSM_DIR/record.pdf
sigs() { sqlite3 "$TOKENDESK_DB" "SELECT count(*) FROM handover_signature"; }

sign() {  # sign TOKEN PINFILE -> $st, $HSM_DIR/out
	st=0
	td receipt "$N1" --pdf "$PDF" --sign "$1" --pin-fd 3 3<"$2" </dev/null \
		>"$HSM_DIR/out" 2>&1 || st=$?
}
verify() {  # verify NUMBER FILE -> $st, $HSM_DIR/out
	st=0
	td receipt "$1" --verify "$2" >"$HSM_DIR/out" 2>&1 || st=$?
}

# A wrong PIN signs nothing and leaves no file behind.
sign "$S_T" "$HSM_DIR/pin.bad"
[ $st = 77 ] || { cat "$HSM_DIR/out" >&2; fail "wrong PIN: status $st"; }
expect_grep "pin-wrong" "$HSM_DIR/out" "wrong PIN: named"
[ ! -e "$PDF" ] || fail "wrong PIN: a file was left"
[ "$(sigs)" = 0 ] || fail "wrong PIN: a signature was recorded"

# The final PIN try: refused without --force, the PIN not even read (an
# empty descriptor would fail with another message).
st=0
td receipt "$N1" --pdf "$PDF" --sign "$S_L" </dev/null >"$HSM_DIR/out" 2>&1 || st=$?
[ $st = 77 ] || { cat "$HSM_DIR/out" >&2; fail "final try: status $st"; }
expect_grep "final-try-refused" "$HSM_DIR/out" "final try: named"
[ ! -e "$PDF" ] || fail "final try: a file was left"
[ "$(sigs)" = 0 ] || fail "final try: a signature was recorded"

# The receiver (EC), then the giver (RSA) on the same file.
sign "$S_T" "$HSM_DIR/pin.ok"
[ $st = 0 ] || { cat "$HSM_DIR/out" >&2; fail "receiver signs: status $st"; }
cp "$PDF" "$HSM_DIR/one.pdf"
sign "$S_G" "$HSM_DIR/pin.ok"
[ $st = 0 ] || { cat "$HSM_DIR/out" >&2; fail "giver signs: status $st"; }
cmp -n "$(stat -c %s "$HSM_DIR/one.pdf")" "$HSM_DIR/one.pdf" "$PDF" ||
	fail "the second signature changed the first revision"

pdfsig -nocert "$PDF" >"$HSM_DIR/pdfsig" 2>&1 || { cat "$HSM_DIR/pdfsig" >&2; fail "pdfsig"; }
[ "$(grep -c "Signature Validation: Signature is Valid." "$HSM_DIR/pdfsig")" = 2 ] ||
	{ cat "$HSM_DIR/pdfsig" >&2; fail "pdfsig: two valid signatures"; }
expect_grep "ETSI.CAdES.detached" "$HSM_DIR/pdfsig" "pdfsig: PAdES"
expect_grep "Đặng Thu Hà" "$HSM_DIR/pdfsig" "pdfsig: the receiver signed"
expect_grep "Trần Minh Hùng" "$HSM_DIR/pdfsig" "pdfsig: the giver signed"
expect_grep "SHA-256" "$HSM_DIR/pdfsig" "pdfsig: SHA-256"
# The last signature covers the whole document.
tail -n 8 "$HSM_DIR/pdfsig" | grep -q "Total document signed" ||
	{ cat "$HSM_DIR/pdfsig" >&2; fail "pdfsig: document changed after the last signature"; }

# The visible box says who signed, in Vietnamese, on the last page.
pdftotext "$PDF" - >/dev/null 2>&1 || fail "pdftotext"

# The CMS of each signature verifies against the test CA.
python3 - "$PDF" "$HSM_DIR" <<'PY' || fail "cannot extract the signatures"
import re, sys
data = open(sys.argv[1], 'rb').read()
for i, m in enumerate(re.finditer(rb'/ByteRange \[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\]', data)):
    a, b, c, d = map(int, m.groups())
    contents = data[b + 1:c - 1]
    der = bytes.fromhex(contents.decode())
    # the placeholder's zeros after the DER: cut at the DER's own length
    n = der[1] & 0x7f if der[1] & 0x80 else 0
    size = 2 + n + (int.from_bytes(der[2:2 + n], 'big') if n else der[1])
    open(f'{sys.argv[2]}/sig{i}.der', 'wb').write(der[:size])
    open(f'{sys.argv[2]}/signed{i}.bin', 'wb').write(data[a:a + b] + data[c:c + d])
PY
for i in 0 1; do
	openssl cms -verify -binary -inform DER -in "$HSM_DIR/sig$i.der" \
		-content "$HSM_DIR/signed$i.bin" -CAfile "$HSM_DIR/ca/ca.crt" -purpose any \
		-out /dev/null >"$HSM_DIR/cms$i" 2>&1 ||
		{ cat "$HSM_DIR/cms$i" >&2; fail "openssl cms -verify, signature $i"; }
	openssl cms -cmsout -print -inform DER -in "$HSM_DIR/sig$i.der" >"$HSM_DIR/cmsprint$i" 2>&1
	expect_grep "id-smime-aa-signingCertificateV2" "$HSM_DIR/cmsprint$i" \
		"signature $i: signing-certificate-v2"
done

# tokendesk agrees, names both signers and their sides.
verify "$N1" "$PDF"
[ $st = 0 ] || { cat "$HSM_DIR/out" >&2; fail "receipt --verify: status $st"; }
expect_grep "is the record of handover $N1" "$HSM_DIR/out" "verify: this record"
expect_grep "signature 1: valid; by Đặng Thu Hà .*: the receiver" "$HSM_DIR/out" "verify: receiver"
expect_grep "signature 2: valid; by Trần Minh Hùng .*: the giver" "$HSM_DIR/out" "verify: giver"
expect_grep "^verified" "$HSM_DIR/out" "verify: verdict"
# The registry recorded both, audited.
td audit log handover_signature 2 >"$HSM_DIR/log" 2>&1
expect_grep "handover.sign" "$HSM_DIR/log" "signature audited"
expect_grep '"signer_serial":"7d01"' "$HSM_DIR/log" "audit row names the signer"

# Against another handover: not its record.
verify "$N2" "$PDF"
[ $st = 65 ] || { cat "$HSM_DIR/out" >&2; fail "another handover: status $st"; }
expect_grep "is NOT the record of handover $N2" "$HSM_DIR/out" "another handover"

# One byte changed inside the signed bytes (a digit of the record number in
# the QR text of the Keywords, a place every revision covers).
python3 - "$PDF" "$HSM_DIR/bad.pdf" <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
i = d.index(b'/Keywords (TDREC:') + 30
d[i] = ord('0') if d[i] != ord('0') else ord('1')
open(sys.argv[2], 'wb').write(d)
PY
verify "$N1" "$HSM_DIR/bad.pdf"
[ $st = 65 ] || { cat "$HSM_DIR/out" >&2; fail "changed byte: status $st"; }
expect_grep "INVALID" "$HSM_DIR/out" "changed byte: invalid signature"
pdfsig -nocert "$HSM_DIR/bad.pdf" >"$HSM_DIR/pdfsig.bad" 2>&1
! grep -q "Signature is Valid" "$HSM_DIR/pdfsig.bad" || fail "pdfsig accepts a changed byte"

# Something appended after the last signature.
cp "$PDF" "$HSM_DIR/appended.pdf"
printf '1 0 obj\n<< >>\nendobj\n' >>"$HSM_DIR/appended.pdf"
verify "$N1" "$HSM_DIR/appended.pdf"
[ $st = 65 ] || fail "appended: status $st"
expect_grep "changed after its last signature" "$HSM_DIR/out" "appended: said"
# ... and nobody signs such a file: a party would sign what was changed.
cp "$HSM_DIR/appended.pdf" "$HSM_DIR/appended.keep"
st=0
td receipt "$N1" --pdf "$HSM_DIR/appended.pdf" --sign "$S_G" --pin-fd 3 \
	3<"$HSM_DIR/pin.ok" >"$HSM_DIR/out" 2>&1 || st=$?
[ $st = 65 ] || { cat "$HSM_DIR/out" >&2; fail "signing a changed file: status $st"; }
expect_grep "was changed after its signatures" "$HSM_DIR/out" "signing a changed file: said"
cmp -s "$HSM_DIR/appended.pdf" "$HSM_DIR/appended.keep" || fail "the changed file was signed"
[ "$(sigs)" = 2 ] || fail "signing a changed file recorded a signature"

# A stranger's token signs, but is neither party.
cp "$HSM_DIR/one.pdf" "$HSM_DIR/stranger.pdf"
st=0
td receipt "$N1" --pdf "$HSM_DIR/stranger.pdf" --sign "$S_O" --pin-fd 3 \
	3<"$HSM_DIR/pin.ok" >"$HSM_DIR/out" 2>&1 || st=$?
[ $st = 0 ] || { cat "$HSM_DIR/out" >&2; fail "stranger signs: status $st"; }
verify "$N1" "$HSM_DIR/stranger.pdf"
[ $st = 65 ] || fail "stranger: status $st"
expect_grep "neither the giver nor the receiver" "$HSM_DIR/out" "stranger: named"

# A certificate copying the giver's serial and name, from another CA:
# its signature is valid, but it is not the giver's.
cp "$HSM_DIR/one.pdf" "$HSM_DIR/rogue.pdf"
st=0
td receipt "$N1" --pdf "$HSM_DIR/rogue.pdf" --sign "$S_X" --pin-fd 3 \
	3<"$HSM_DIR/pin.ok" >"$HSM_DIR/out" 2>&1 || st=$?
[ $st = 0 ] || { cat "$HSM_DIR/out" >&2; fail "rogue signs: status $st"; }
verify "$N1" "$HSM_DIR/rogue.pdf"
[ $st = 65 ] || { cat "$HSM_DIR/out" >&2; fail "rogue certificate: status $st"; }
expect_grep "not issued by a CA pinned" "$HSM_DIR/out" "rogue certificate: said"

# Signing another handover's file is refused, the file untouched.
cp "$PDF" "$HSM_DIR/keep.pdf"
st=0
td receipt "$N2" --pdf "$PDF" --sign "$S_G" --pin-fd 3 3<"$HSM_DIR/pin.ok" \
	>"$HSM_DIR/out" 2>&1 || st=$?
[ $st = 65 ] || { cat "$HSM_DIR/out" >&2; fail "another handover's file: status $st"; }
expect_grep "is not the record of handover $N2" "$HSM_DIR/out" "another handover's file: said"
cmp -s "$PDF" "$HSM_DIR/keep.pdf" || fail "another handover's file was changed"
[ "$(sigs)" = 4 ] || fail "another handover's file: a signature was recorded"
td audit verify >/dev/null || fail "the audit chain after signing"

# The QR code, as a scanner would read it off the paper.
pdftoppm -r 200 -gray -f 1 -l 1 -png "$PDF" "$HSM_DIR/page" || fail "pdftoppm"
zbarimg -q --raw "$HSM_DIR"/page*.png >"$HSM_DIR/qr" 2>"$HSM_DIR/zbar.err" ||
	{ cat "$HSM_DIR/zbar.err" >&2; fail "zbarimg"; }
expect_grep "^TDREC:$N1:[0-9a-f]\{64\}$" "$HSM_DIR/qr" "QR: number and digest"
st=0
td receipt --qr "$(cat "$HSM_DIR/qr")" >"$HSM_DIR/out" 2>&1 || st=$?
[ $st = 0 ] || { cat "$HSM_DIR/out" >&2; fail "QR: status $st"; }
expect_grep "handover $N1: the paper matches the registry" "$HSM_DIR/out" "QR matches"
# Another digest (a paper printed from other content) does not match.
st=0
td receipt --qr "TDREC:$N1:$(printf '%064d' 0)" >"$HSM_DIR/out" 2>&1 || st=$?
[ $st = 65 ] || fail "QR of other content: status $st"
expect_grep "does NOT match" "$HSM_DIR/out" "QR mismatch said"
exit 0
