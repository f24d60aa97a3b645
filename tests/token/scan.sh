#!/bin/sh
# scan: tokens on a real PKCS#11 module (SoftHSM2) are found, every DN
# attribute is parsed exactly, and every match outcome is produced.
. "${TD_SRCDIR:-$(dirname "$0")/../..}/tests/token/hsm-lib.sh"
hsm_init
P11_PUT_RAW=${P11_PUT_RAW:-$TD_BUILDDIR/tests/token/p11-put-raw}

PROV="Hưng Yên"
TOP="Ủy ban nhân dân tỉnh Hưng Yên"
SUBJ_DUC="/C=VN/L=$PROV/O=$TOP/OU=Sở Khoa học và Công nghệ/OU=Văn phòng Sở/CN=Nguyễn Văn Đức/UID=CCCD:033085001234/emailAddress=duc.nv@hungyen.gov.vn/title=Chánh Văn phòng"

hsm_issue duc rsa "$SUBJ_DUC" 0123abcd
hsm_issue lan ec "/C=VN/L=$PROV/O=$TOP/OU=Sở Tư pháp/CN=Trần Thị Lan/UID=CMND:145678901" 5a01
hsm_issue other rsa "/C=VN/L=$PROV/O=$TOP/OU=Sở Tư pháp/CN=Lê Văn Hùng" 5a02
hsm_issue recorded rsa "/C=VN/L=$PROV/O=$TOP/OU=Sở Tư pháp/CN=Lê Văn Hùng" 5a03
hsm_issue old rsa "/C=VN/L=$PROV/O=$TOP/OU=Sở Y tế/CN=Phạm Minh Tuấn/UID=MST:0900123456" 5a04 \
	20200101000000Z 20220101000000Z
hsm_issue far rsa "/C=VN/L=Hải Dương/O=Ủy ban nhân dân tỉnh Hải Dương/OU=Sở Tài chính/CN=Vũ Thị Hoa" 5a05

S_DUC=$(hsm_token "Token Đức"); hsm_load "Token Đức" duc 01
S_LAN=$(hsm_token "Token Lan"); hsm_load "Token Lan" lan 02
S_OTH=$(hsm_token "Token Hùng"); hsm_load "Token Hùng" other 03
S_OLD=$(hsm_token "Token Tuấn"); hsm_load "Token Tuấn" old 04
S_FAR=$(hsm_token "Token Hoa"); hsm_load "Token Hoa" far 05
S_BAD=$(hsm_token "Token hỏng")
head -c 700 /dev/urandom >"$HSM_DIR/garbage.der"
echo "$HSM_PIN" | "$P11_PUT_RAW" "$HSM_MODULE" "Token hỏng" 0b bad "$HSM_DIR/garbage.der" ||
	fail "cannot store a malformed object"
hsm_load_cert "Token hỏng" duc 0c

# The registry: Đức matched; Lan unknown token; Hùng's token recorded with
# another certificate; Tuấn expired; Hoa outside the desk's scope (HY).
cat >"$HSM_DIR/agencies.csv" <<CSV
code,name,parent_code,level
HY,$TOP,,province
HY-KHCN,Sở Khoa học và Công nghệ,HY,department
HY-TP,Sở Tư pháp,HY,department
HY-YT,Sở Y tế,HY,department
HD,Ủy ban nhân dân tỉnh Hải Dương,,province
HD-TC,Sở Tài chính,HD,department
CSV
cat >"$HSM_DIR/certs.csv" <<CSV
cert_serial,kind,holder_name,holder_id,position,agency_code,not_before,not_after,token_serial,token_model,email
123abcd,person,Nguyễn Văn Đức,033085001234,Chánh Văn phòng,HY-KHCN,2024-01-01,2030-01-01,$S_DUC,SoftHSM v2,duc.nv@hungyen.gov.vn
5a03,person,Lê Văn Hùng,033085009999,,HY-TP,2024-01-01,2030-01-01,$S_OTH,SoftHSM v2,
5a04,person,Phạm Minh Tuấn,033085007777,,HY-YT,2020-01-01,2022-01-01,$S_OLD,SoftHSM v2,
5a05,person,Vũ Thị Hoa,030085005555,,HD-TC,2024-01-01,2030-01-01,$S_FAR,SoftHSM v2,
CSV
"$TOKENDESK" init >/dev/null || fail "init"
"$TOKENDESK" import "$HSM_DIR/agencies.csv" "$HSM_DIR/certs.csv" >"$HSM_DIR/import.out" 2>&1 ||
	{ cat "$HSM_DIR/import.out" >&2; fail "import"; }

td scan --json --scope HY --no-usb >"$HSM_DIR/scan.json" 2>"$HSM_DIR/scan.err" ||
	{ cat "$HSM_DIR/scan.err" >&2; fail "scan --json exited $?"; }
td scan --scope HY --no-usb >"$HSM_DIR/scan.txt" 2>&1 || fail "scan exited $?"

# Outcome of each token, from the JSON (jq if present, else python3).
outcome() {
	python3 - "$HSM_DIR/scan.json" "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(next(t["match"]["outcome"] for t in d["tokens"] if t["serial"] == sys.argv[2]))
PY
}
command -v python3 >/dev/null || skip "python3 not installed (reads the JSON)"
[ "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["tokens"]))' "$HSM_DIR/scan.json")" = 6 ] ||
	fail "expected 6 tokens"
for pair in "$S_DUC matched" "$S_LAN unknown-token" "$S_OTH other-certificate" \
            "$S_OLD expired" "$S_FAR out-of-scope" "$S_BAD unknown-token"; do
	set -- $pair
	got=$(outcome "$1")
	[ "$got" = "$2" ] || fail "token $1: outcome $got, expected $2"
done

# A certificate tagged in the registry (to revoke, letter 1.1) is flagged,
# and is matched again once the tag is removed.
"$TOKENDESK" tag revoke 123abcd --reason "sáp nhập" >/dev/null || fail "tag revoke"
td scan --json --scope HY --no-usb >"$HSM_DIR/tagged.json" 2>/dev/null || fail "scan after tag"
got=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(next(t["match"]["outcome"] for t in d["tokens"] if t["serial"]==sys.argv[2]))' "$HSM_DIR/tagged.json" "$S_DUC")
[ "$got" = tagged ] || fail "tagged certificate: outcome $got, expected tagged"
grep -q "tagged: revoke" "$HSM_DIR/tagged.json" || fail "tag reason not shown"
"$TOKENDESK" tag remove 123abcd >/dev/null || fail "tag remove"

# Every DN attribute of Đức's certificate, exactly and in order.
python3 - "$HSM_DIR/scan.json" "$S_DUC" <<'PY' || fail "DN attributes"
import json, sys
d = json.load(open(sys.argv[1]))
t = next(t for t in d["tokens"] if t["serial"] == sys.argv[2])
c = t["certificates"][0]
want = [["C", "VN"], ["L", "Hưng Yên"], ["O", "Ủy ban nhân dân tỉnh Hưng Yên"],
        ["OU", "Sở Khoa học và Công nghệ"], ["OU", "Văn phòng Sở"],
        ["CN", "Nguyễn Văn Đức"], ["UID", "CCCD:033085001234"],
        ["E", "duc.nv@hungyen.gov.vn"], ["T", "Chánh Văn phòng"]]
got = [[a["name"], a["value"]] for a in c["subject_attrs"]]
assert got == want, got
assert c["subject"] == ("C=VN, L=Hưng Yên, O=Ủy ban nhân dân tỉnh Hưng Yên, "
    "OU=Sở Khoa học và Công nghệ, OU=Văn phòng Sở, CN=Nguyễn Văn Đức, "
    "UID=CCCD:033085001234, E=duc.nv@hungyen.gov.vn, T=Chánh Văn phòng"), c["subject"]
assert c["issuer"] == "CN=CA phục vụ các cơ quan Nhà nước G2, O=Ban Cơ yếu Chính phủ, C=VN", c["issuer"]
assert c["serial"] == "123abcd", c["serial"]
assert c["key_id"] == "01" and c["key_type"] == "RSA" and c["key_bits"] == 2048
assert len(c["sha256"]) == 64
assert "login-required" in t["flags"] and "user-pin-initialized" in t["flags"]
PY
want_fp=$(openssl x509 -in "$HSM_DIR/duc.crt" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr A-F a-f)
expect_grep "$want_fp" "$HSM_DIR/scan.json" "SHA-256 fingerprint of Đức's certificate"

# The other UID forms, and an EC key.
python3 - "$HSM_DIR/scan.json" "$S_LAN" "$S_OLD" <<'PY' || fail "UID forms / EC"
import json, sys
d = json.load(open(sys.argv[1]))
by = {t["serial"]: t for t in d["tokens"]}
lan = by[sys.argv[2]]["certificates"][0]
assert ["UID", "CMND:145678901"] in [[a["name"], a["value"]] for a in lan["subject_attrs"]]
assert lan["key_type"] == "EC" and lan["key_bits"] == 256
old = by[sys.argv[3]]["certificates"][0]
assert ["UID", "MST:0900123456"] in [[a["name"], a["value"]] for a in old["subject_attrs"]]
assert old["not_after"] == "2022-01-01T00:00:00Z", old["not_after"]
PY

# The malformed object is reported, beside the good certificate.
python3 - "$HSM_DIR/scan.json" "$S_BAD" <<'PY' || fail "malformed object"
import json, sys
d = json.load(open(sys.argv[1]))
t = next(t for t in d["tokens"] if t["serial"] == sys.argv[2])
bad = [c for c in t["certificates"] if c["malformed"]]
good = [c for c in t["certificates"] if not c["malformed"]]
assert len(bad) == 1 and bad[0]["key_id"] == "0b" and bad[0]["problem"], t
assert len(good) == 1 and good[0]["serial"] == "123abcd", t
PY
expect_grep "MALFORMED object" "$HSM_DIR/scan.txt" "text output names the malformed object"

# Each mismatch says what the registry holds and what the token holds.
expect_grep "registry: no token with serial $S_LAN" "$HSM_DIR/scan.txt" "unknown token, registry side"
expect_grep "token:    token $S_LAN \"Token Lan\" with certificate 5a01" "$HSM_DIR/scan.txt" "unknown token, token side"
expect_grep "registry: token $S_OTH with certificate 5a03 of Lê Văn Hùng" "$HSM_DIR/scan.txt" "other certificate, registry side"
expect_grep "token:    token $S_OTH \"Token Hùng\" with certificate 5a02" "$HSM_DIR/scan.txt" "other certificate, token side"
expect_grep "expired (today" "$HSM_DIR/scan.txt" "expired, token side"
expect_grep "agency HD-TC is not under this desk's agency HY" "$HSM_DIR/scan.txt" "out of scope"

# A scope that is no agency (a typo) is said, not every token put out
# of scope; from --scope and from the config file alike.
td scan --scope HY.NOPE --no-usb >"$HSM_DIR/typo.out" 2>&1 && fail "a typo'd scope was taken"
expect_grep "scope HY.NOPE: no agency with that code in the registry" "$HSM_DIR/typo.out" \
	"typo'd --scope"
printf 'scope = HX\n' >"$HSM_DIR/typo.conf"
td --config "$HSM_DIR/typo.conf" scan --no-usb >"$HSM_DIR/typo.out" 2>&1 &&
	fail "a typo'd config scope was taken"
expect_grep "scope HX: no agency" "$HSM_DIR/typo.out" "typo'd config scope"

# Without --scope (and no scope in a config file) Hoa's token matches.
td scan --json --no-usb >"$HSM_DIR/all.json" || fail "scan without scope"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert next(t for t in d["tokens"] if t["serial"]==sys.argv[2])["match"]["outcome"]=="matched"' \
	"$HSM_DIR/all.json" "$S_FAR" || fail "no scope: Hoa's token should match"

# A module outside the allowlist is refused before it is loaded.
cp "$HSM_MODULE" "$HSM_DIR/libevil.so"
"$TOKENDESK" --module "$HSM_DIR/libevil.so" scan --no-match >"$HSM_DIR/evil.out" 2>&1 &&
	fail "a module outside the allowlist was accepted"
expect_grep "outside the allowlist" "$HSM_DIR/evil.out" "refusal names the allowlist"
# ... unless the config file allows it.
printf '[token]\nallow-module = %s\n' "$HSM_DIR/libevil.so" >"$HSM_DIR/td.conf"
"$TOKENDESK" --config "$HSM_DIR/td.conf" --module "$HSM_DIR/libevil.so" scan --no-match --no-usb \
	>"$HSM_DIR/evil2.out" 2>&1 || { cat "$HSM_DIR/evil2.out" >&2; fail "allow-module in the config file"; }
expect_grep "token $S_DUC" "$HSM_DIR/evil2.out" "allowed module shows the tokens"

# The default module (p11-kit proxy) shows SoftHSM2's tokens too.
"$TOKENDESK" scan --no-match --no-usb >"$HSM_DIR/proxy.out" 2>&1 || fail "scan via p11-kit proxy"
expect_grep "token $S_DUC" "$HSM_DIR/proxy.out" "p11-kit proxy shows SoftHSM2 tokens"
expect_grep "p11-kit-proxy.so" "$HSM_DIR/proxy.out" "each token names its module"

# A token is anybody's to write: an ESC in its label or in its
# certificate's subject is shown ('?', RFC 4514's \1B), never sent to
# the terminal of whoever scans it.
ESC=$(printf '\033')
hsm_issue esc rsa "/C=VN/O=$TOP/CN=Kẻ${ESC}[2J lạ" 5a06
S_ESC=$(hsm_token "Tok${ESC}[31m")
hsm_load "Tok${ESC}[31m" esc 06
td scan --no-usb >"$HSM_DIR/esc.out" 2>&1 || fail "scan of a token with an ESC"
expect_grep 'CN=Kẻ\\1B\[2J lạ' "$HSM_DIR/esc.out" "the subject's ESC as \\1B"
expect_grep "token $S_ESC \"Tok?\\[31m\"" "$HSM_DIR/esc.out" "the label's ESC as ?"
if grep -q "$ESC" "$HSM_DIR/esc.out"; then
	fail "scan sent a token's ESC to the terminal"
fi
echo "PASS"
