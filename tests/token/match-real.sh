#!/bin/sh
# match-real: what the token really says, weighed against the registry
# (issue 23): custody state (lost, sent to the CA, handed to another
# person), the subject against the holder and agency, a certificate of
# another issuer named as such, an expired second certificate marked; a
# key under another CKA_ID than its certificate paired by public key;
# serials in any case, with colons or spaces, by verify-token, handover
# and count scan; a locked token named locked in any spelling.
. "${TD_SRCDIR:-$(dirname "$0")/../..}/tests/token/hsm-lib.sh"
hsm_init
command -v python3 >/dev/null || skip "python3 not installed (reads the JSON)"

PROV="Hưng Yên"
TOP="Ủy ban nhân dân tỉnh Hưng Yên"
base="/C=VN/L=$PROV/O=$TOP/OU=Sở Nội vụ"
hsm_issue lost rsa "$base/CN=Trần Văn Mất" 6a01
hsm_issue toca rsa "$base/CN=Lê Thị Gửi" 6a02
hsm_issue moved rsa "$base/CN=Phạm Văn Trao" 6a03
hsm_issue name rsa "$base/CN=Nguyen Van Hung" 6a04
hsm_issue unit rsa "/C=VN/L=$PROV/O=$TOP/OU=Sở Tài chính/CN=Đỗ Thị Đơn" 6a05
hsm_issue cur rsa "$base/CN=Vũ Văn Hai" 6a06
hsm_issue old rsa "$base/CN=Vũ Văn Hai" 6a07 20200101000000Z 20220101000000Z
hsm_issue keyid rsa "$base/CN=Hoàng Thị Khóa" 6a08
hsm_issue locked rsa "$base/CN=Đinh Văn Khóa" 6a09

# Another issuer, with the serial the registry records for token ISS.
openssl req -x509 -new -newkey rsa:2048 -nodes -utf8 -sha256 -days 365 \
	-subj "/CN=CA giả mạo/O=Không phải Ban Cơ yếu/C=VN" -keyout "$HSM_DIR/fake.key" \
	-out "$HSM_DIR/fake.crt" 2>/dev/null || fail "fake CA"
openssl x509 -req -in "$HSM_DIR/name.csr" -CA "$HSM_DIR/fake.crt" -CAkey "$HSM_DIR/fake.key" \
	-set_serial 0x6a10 -days 365 -outform DER -out "$HSM_DIR/forged.der" 2>/dev/null ||
	fail "forged certificate"

S_LOST=$(hsm_token "Mất"); hsm_load "Mất" lost 01
S_CA=$(hsm_token "Gửi CA"); hsm_load "Gửi CA" toca 01
S_MOVED=$(hsm_token "Trao"); hsm_load "Trao" moved 01
S_NAME=$(hsm_token "Hùng"); hsm_load "Hùng" name 01
S_UNIT=$(hsm_token "Đơn vị"); hsm_load "Đơn vị" unit 01
S_TWO=$(hsm_token "Hai"); hsm_load "Hai" cur 01; hsm_load_cert "Hai" old 02
S_ISS=$(hsm_token "Giả"); hsm_load_cert "Giả" forged 01
S_KEYID=$(hsm_token "Khóa khác id")
softhsm2-util --import "$HSM_DIR/keyid.key" --token "Khóa khác id" --label k --id 0a \
	--pin "$HSM_PIN" >/dev/null || fail "import key under id 0a"
hsm_load_cert "Khóa khác id" keyid 0b
S_LOCK=$(hsm_token "Khóa PIN"); hsm_load "Khóa PIN" locked 01
hsm_set_flags "Khóa PIN" 40000

cat >"$HSM_DIR/agencies.csv" <<CSV
code,name,parent_code,level
HY,$TOP,,province
HY-NV,Sở Nội vụ,HY,department
HY-TC,Sở Tài chính,HY,department
HY-TP,Sở Tư pháp,HY,department
CSV
cat >"$HSM_DIR/certs.csv" <<CSV
cert_serial,kind,holder_name,holder_id,position,agency_code,not_before,not_after,token_serial,token_model,email
6a01,person,Trần Văn Mất,033000000001,,HY-NV,2024-01-01,2030-01-01,$S_LOST,SoftHSM v2,
6a02,person,Lê Thị Gửi,033000000002,,HY-NV,2024-01-01,2030-01-01,$S_CA,SoftHSM v2,
6a03,person,Phạm Văn Trao,033000000003,,HY-NV,2024-01-01,2030-01-01,$S_MOVED,SoftHSM v2,
6a04,person,Nguyễn Văn Hưng,033000000004,,HY-NV,2024-01-01,2030-01-01,$S_NAME,SoftHSM v2,
6a05,person,Đỗ Thị Đơn,033000000005,,HY-TP,2024-01-01,2030-01-01,$S_UNIT,SoftHSM v2,
6a06,person,Vũ Văn Hai,033000000006,,HY-NV,2024-01-01,2030-01-01,$S_TWO,SoftHSM v2,
6a10,person,Nguyễn Văn Hưng,033000000004,,HY-NV,2024-01-01,2030-01-01,$S_ISS,SoftHSM v2,
6a08,person,Hoàng Thị Khóa,033000000008,,HY-NV,2024-01-01,2030-01-01,$S_KEYID,SoftHSM v2,
6a09,person,Đinh Văn Khóa,033000000009,,HY-NV,2024-01-01,2030-01-01,$S_LOCK,SoftHSM v2,
CSV
"$TOKENDESK" init >/dev/null || fail "init"
"$TOKENDESK" import "$HSM_DIR/agencies.csv" "$HSM_DIR/certs.csv" >"$HSM_DIR/import.out" 2>&1 ||
	{ cat "$HSM_DIR/import.out" >&2; fail "import"; }

# Custody, recorded through handovers; the serials typed with colons,
# spaces and in lower case: one normalising function for all.
colons() { echo "$1" | sed 's/../&:/g; s/:$//'; }
spaced() { echo "$1" | sed 's/..../& /g; s/ $//'; }
"$TOKENDESK" handover --to agency:HY-NV --state lost "$(colons "$S_LOST")" >/dev/null 2>"$HSM_DIR/h.err" ||
	{ cat "$HSM_DIR/h.err" >&2; fail "handover lost with a colon serial"; }
"$TOKENDESK" handover --to ca --force --reason "thu hồi gấp" "$(spaced "$S_CA" | tr 'A-F' 'a-f')" >/dev/null 2>"$HSM_DIR/h.err" ||
	{ cat "$HSM_DIR/h.err" >&2; fail "handover to the CA with a spaced serial"; }
"$TOKENDESK" handover --to holder:033000000001 --force --reason "giữ hộ" "$S_MOVED" >/dev/null 2>"$HSM_DIR/h.err" ||
	{ cat "$HSM_DIR/h.err" >&2; fail "handover to another person"; }

hsm_scan
for pair in "$S_LOST custody" "$S_CA custody" "$S_MOVED custody" \
            "$S_NAME subject-differs" "$S_UNIT subject-differs" "$S_TWO matched" \
            "$S_ISS other-certificate" "$S_KEYID matched"; do
	set -- $pair
	got=$(field "$1" 't["match"]["outcome"]')
	[ "$got" = "$2" ] || fail "token $1: outcome $got, expected $2"
done
expect_grep "recorded lost" "$HSM_DIR/scan.txt" "a lost token says so"
expect_grep "recorded as sent to the CA" "$HSM_DIR/scan.txt" "a token sent to the CA says so"
expect_grep "handed to Trần Văn Mất, not to the certificate's holder" "$HSM_DIR/scan.txt" \
	"a token held by another person says who"
expect_grep "subject differs: CN Nguyen Van Hung vs Nguyễn Văn Hưng" "$HSM_DIR/scan.txt" \
	"CN against the holder's name, marks counted"
expect_grep "subject differs: OU Sở Tài chính vs Sở Tư pháp" "$HSM_DIR/scan.txt" \
	"OU against the holder's agency"
expect_grep "issued by CN=CA giả mạo" "$HSM_DIR/scan.txt" "the other issuer is named"
grep -q "recorded on token" "$HSM_DIR/scan.txt" &&
	fail "a certificate of another issuer explained as recorded on a token"
[ "$(field "$S_TWO" '[f["certificate"] for f in t["match"]["findings"] if f["outcome"]=="expired"]')" = "['6a07']" ] ||
	fail "the expired second certificate is not marked"

# verify-token: the serial as show prints it, with colons, spaced, lower case.
echo "$HSM_PIN" >"$HSM_DIR/pin.ok"
for form in "$(echo "$S_NAME" | tr a-f A-F)" "$(colons "$S_NAME")" "$(spaced "$S_NAME")"; do
	st=0
	td verify-token "$form" --pin-fd 3 3<"$HSM_DIR/pin.ok" </dev/null >"$HSM_DIR/out" 2>&1 || st=$?
	[ $st = 0 ] || { cat "$HSM_DIR/out" >&2; fail "verify-token '$form': status $st"; }
	expect_grep "key-matches" "$HSM_DIR/out" "verify-token '$form'"
done
# A key stored under another CKA_ID than its certificate is still found.
st=0
td verify-token "$S_KEYID" --pin-fd 3 3<"$HSM_DIR/pin.ok" </dev/null >"$HSM_DIR/out" 2>&1 || st=$?
[ $st = 0 ] || { cat "$HSM_DIR/out" >&2; fail "key under another id: status $st"; }
expect_grep "stored under another key id" "$HSM_DIR/out" "key paired by public key"
# A locked token, typed in capitals: locked, not "no token".
st=0
td verify-token "$(colons "$S_LOCK" | tr a-f A-F)" </dev/null >"$HSM_DIR/out" 2>&1 || st=$?
[ $st = 77 ] || { cat "$HSM_DIR/out" >&2; fail "locked token: status $st"; }
expect_grep "pin-locked" "$HSM_DIR/out" "locked token in capitals"
grep -q "no token" "$HSM_DIR/out" && fail "a locked token said 'no token'"
# An absent token: exit 66 and a clean message, no garbage.
st=0
td verify-token "DE:AD:BE:EF" --pin-fd 3 3<"$HSM_DIR/pin.ok" </dev/null >"$HSM_DIR/out" 2>&1 || st=$?
[ $st = 66 ] || { cat "$HSM_DIR/out" >&2; fail "absent token: status $st"; }
expect_grep "no token with serial DE:AD:BE:EF" "$HSM_DIR/out" "absent token message"

# count scan takes the same spellings.
id=$("$TOKENDESK" count start --agency HY 2>/dev/null | grep -o '[0-9]\+' | head -1)
[ -n "$id" ] || fail "count start"
"$TOKENDESK" count scan "$id" "$(colons "$S_NAME" | tr a-f A-F)" >"$HSM_DIR/c.out" 2>&1 ||
	{ cat "$HSM_DIR/c.out" >&2; fail "count scan with a colon serial"; }
"$TOKENDESK" count report "$id" --json >"$HSM_DIR/c.json" 2>&1 || fail "count report"
grep -qi "$S_NAME" "$HSM_DIR/c.json" || { cat "$HSM_DIR/c.json" >&2; fail "count: the colon serial was not the token"; }
echo "ok"
