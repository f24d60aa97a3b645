# crl-trust.sh: CRLs count only from a pinned CA key (issue 21 item 3).
# A self-signed look-alike of the government CA (same Vietnamese name,
# another key) is refused with both SHA-256 fingerprints and nothing is
# revoked; an unpinned CA is refused with the fix named; the pinned CA and
# an intermediate it signed are accepted.  Certificates tagged keep or
# change_info are warned about; the revocation date is the entry's; the
# same CRL twice is applied once; an older CRL number is noted whatever
# its dates; pinning and unpinning are audited.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"
. "$TD_SRCDIR/tests/cli/plan/plan-lib.sh"
command -v openssl >/dev/null || exit 77

plan_setup && td plan apply >/dev/null || fail "setup"

subj="/C=VN/O=Ban Cơ yếu Chính phủ/CN=CA phục vụ các cơ quan Nhà nước G2"
ext="basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash"
# mkca DIR SUBJECT [PARENT]: a CA (self-signed, or signed by PARENT's key)
# and its openssl ca database; revoke DIR SERIAL YYMMDD adds an entry.
mkca() {
	mkdir -p "$1" && : >"$1/index.txt" && echo 01 >"$1/crlnumber"
	printf '%s\n' "$ext" >"$1/ext.cnf"
	if [ -z "${3:-}" ]; then
		openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1/ca.key" -out "$1/ca.pem" \
			-days 30 -utf8 -subj "$2" 2>/dev/null
	else
		openssl req -new -newkey rsa:2048 -nodes -keyout "$1/ca.key" -out "$1/ca.csr" \
			-utf8 -subj "$2" 2>/dev/null &&
		openssl x509 -req -in "$1/ca.csr" -CA "$3/ca.pem" -CAkey "$3/ca.key" \
			-set_serial 7 -days 30 -extfile "$1/ext.cnf" -out "$1/ca.pem" 2>/dev/null
	fi
	printf '[ca]\ndefault_ca=d\n[d]\ndatabase=%s/index.txt\ncrlnumber=%s/crlnumber\ndefault_md=sha256\ndefault_crl_days=30\n' \
		"$1" "$1" >"$1/ca.cnf"
}
revoke() { printf 'R\t300101000000Z\t%s000000Z\t%s\tunknown\t/CN=x\n' "$3" "$2" >>"$1/index.txt"; }
gencrl() {   # DIR OUT [LASTUPDATE]: the next numbered CRL
	openssl ca -config "$1/ca.cnf" -gencrl -keyfile "$1/ca.key" -cert "$1/ca.pem" \
		${3:+-crl_lastupdate "$3" -crl_nextupdate 991231000000Z} -out "$2" 2>/dev/null
}
fpr() { openssl x509 -in "$1" -outform DER | sha256sum | cut -c1-64; }

mkca "$tmp/real" "$subj" && mkca "$tmp/fake" "$subj" &&
mkca "$tmp/turned" "/CN=CA phục vụ các cơ quan Nhà nước G2/O=Ban Cơ yếu Chính phủ/C=VN" &&
mkca "$tmp/sub" "/C=VN/O=Ban Cơ yếu Chính phủ/CN=CA trung gian thử" "$tmp/real" &&
mkca "$tmp/rogue" "/C=VN/O=Ban Cơ yếu Chính phủ/CN=CA trung gian thử" ||
	{ echo "openssl could not make the test CAs" >&2; exit 1; }
# a011 is tagged keep, a022 change_info, a021 revoke (plan/expected.tsv)
revoke "$tmp/real" A011 250701; revoke "$tmp/real" A022 250702; revoke "$tmp/real" A021 250703
for s in A011 A022 A021; do revoke "$tmp/fake" "$s" 250701; revoke "$tmp/turned" "$s" 250701; done
gencrl "$tmp/real" "$tmp/n1.pem" &&
openssl crl -in "$tmp/n1.pem" -outform DER -out "$tmp/n1.der" &&
gencrl "$tmp/real" "$tmp/n2.pem" "$(date -u -d '+1 day' +%y%m%d)000000Z" &&
revoke "$tmp/real" A001 250705   # tagged keep too: from CRL number 3 on
gencrl "$tmp/real" "$tmp/n3.pem" && gencrl "$tmp/real" "$tmp/n4.pem" &&
gencrl "$tmp/fake" "$tmp/fake.pem" && gencrl "$tmp/turned" "$tmp/turned.pem" && gencrl "$tmp/sub" "$tmp/sub.pem" &&
gencrl "$tmp/rogue" "$tmp/rogue.pem" || { echo "openssl could not make the CRLs" >&2; exit 1; }
real=$(fpr "$tmp/real/ca.pem") fake=$(fpr "$tmp/fake/ca.pem") turned=$(fpr "$tmp/turned/ca.pem")

# nothing pinned: refused, the fix named, with or without --ca
before=$(registry_digest)
expect_status 77 td crl import "$tmp/n1.pem"
expect_in "$tmp/err" "no pinned CA issued this CRL"
expect_in "$tmp/err" "tokendesk crl trust add CA.pem"
expect_status 77 td crl import --ca "$tmp/real/ca.pem" "$tmp/n1.pem"
expect_in "$tmp/err" "not pinned"
expect_in "$tmp/err" "tokendesk crl trust add"
expect_eq "$(registry_digest)" "$before" "registry after CRLs of an unpinned CA"

# pinning: audited once, listed
expect_status 65 td crl trust add "$tmp/n1.pem"
expect_status 0 td crl trust add "$tmp/real/ca.pem"
expect_in "$tmp/out" "pinned CN=CA phục vụ các cơ quan Nhà nước G2, O=Ban Cơ yếu Chính phủ, C=VN"
expect_in "$tmp/out" "certificate SHA-256 $real"
expect_status 0 td crl trust add "$tmp/real/ca.pem"
expect_in "$tmp/out" "pinned already (nothing changed)"
expect_status 0 td crl trust list --json
expect_in "$tmp/out" "\"cert_sha256\": \"$real\""
expect_in "$tmp/out" '"id": 1,'
expect_status 0 td audit log crl_trust "$real" --json
expect_eq "$(grep -c '"action": "crl.trust.add"' "$tmp/out")" 1 "crl.trust.add audit rows"
expect_in "$tmp/out" "\"subject\": \"CN=CA phục vụ"

# the look-alike: same name, another key, as --ca or as the CRL's signer
before=$(registry_digest)
expect_status 77 td crl import --ca "$tmp/fake/ca.pem" "$tmp/fake.pem"
expect_in "$tmp/err" "refused"
expect_in "$tmp/err" "pinned SHA-256 $real"
expect_in "$tmp/err" "presented SHA-256 $fake"
expect_status 77 td crl import "$tmp/fake.pem"
expect_in "$tmp/err" "pinned SHA-256 $real"
expect_in "$tmp/err" "presented CRL SHA-256 $(sha256sum <"$tmp/fake.pem" | cut -c1-64)"
expect_status 77 td crl import --ca "$tmp/real/ca.pem" --ca "$tmp/fake/ca.pem" "$tmp/n1.pem"
expect_in "$tmp/err" "presented SHA-256 $fake"
expect_status 77 td crl trust add "$tmp/fake/ca.pem"
expect_in "$tmp/err" "pinned SHA-256 $real, presented SHA-256 $fake"
# ... and with the name's parts in the other order
expect_status 77 td crl trust add "$tmp/turned/ca.pem"
expect_in "$tmp/err" "pinned SHA-256 $real, presented SHA-256 $turned"
expect_status 77 td crl import --ca "$tmp/turned/ca.pem" "$tmp/turned.pem"
expect_in "$tmp/err" "pinned SHA-256 $real, presented SHA-256 $turned"
expect_status 77 td crl import "$tmp/turned.pem"
expect_in "$tmp/err" "pinned SHA-256 $real, presented CRL SHA-256"
expect_eq "$(registry_digest)" "$before" "registry after the look-alike"
expect_status 0 td show cert A011 --json
expect_in "$tmp/out" '"status": "active"'

# the pinned CA: accepted; each entry's own date; keep/change_info warned
expect_status 0 td crl import "$tmp/n1.pem"
expect_in "$tmp/out" "3 listed; 3 newly revoked"
expect_in "$tmp/out" "warning: certificate a011 (Sở Tài chính) is tagged keep, but the CA revoked it on 2025-07-01"
expect_in "$tmp/out" "warning: certificate a022 (Phòng Đăng ký kinh doanh) is tagged change_info, but the CA revoked it on 2025-07-02"
expect_not_in "$tmp/out" "certificate a021"
expect_status 0 td show cert A022 --json
expect_in "$tmp/out" '"revoked_at": "2025-07-02"'
expect_status 0 td show cert A021 --json
expect_in "$tmp/out" '"revoked_at": "2025-07-03"'

# the same CRL again (DER this time): recorded once, nothing changed
before=$(registry_digest)
expect_status 0 td crl import "$tmp/n1.der"
expect_in "$tmp/out" "CRL number 1 of CN=CA phục vụ các cơ quan Nhà nước G2, O=Ban Cơ yếu Chính phủ, C=VN was imported already"
expect_in "$tmp/out" "nothing changed"
expect_eq "$(registry_digest)" "$before" "registry after the same CRL twice"
expect_eq "$(sqlite3 "$TOKENDESK_DB" 'select count(*) from crl_import')" 1 "CRLs recorded"

# an older number after a newer one: noted, though n2 is dated later
# (in Vietnamese: the warning is read by the operator)
expect_status 0 td --lang vi crl import --ca "$tmp/real/ca.pem" "$tmp/n3.pem"
expect_in "$tmp/out" "cảnh báo: chứng thư số a001 (Ủy ban nhân dân tỉnh An Hòa) được đánh dấu giữ nguyên, nhưng CA đã thu hồi nó ngày 2025-07-05"
expect_not_in "$tmp/out" "cũ hơn"
expect_status 0 td crl import "$tmp/n2.pem"
expect_in "$tmp/out" "note: CRL number 2 is older than number 3 of this CA imported before"

# an intermediate CA: accepted given with --ca, when the pinned CA signed it
expect_status 77 td crl import "$tmp/sub.pem"
expect_in "$tmp/err" "no pinned CA issued this CRL"
expect_status 0 td crl import --ca "$tmp/sub/ca.pem" "$tmp/sub.pem"
expect_in "$tmp/out" "CRL of CN=CA trung gian thử, O=Ban Cơ yếu Chính phủ, C=VN"
expect_status 77 td crl import --ca "$tmp/rogue/ca.pem" "$tmp/rogue.pem"
expect_in "$tmp/err" "not pinned and no pinned CA signed it"

# unpinning: audited with the row; then the CA's CRLs are refused again
expect_status 66 td crl trust remove 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
expect_status 64 td crl trust remove nonsense
expect_status 0 td crl trust remove "$(echo "$real" | sed 's/../&:/g; s/:$//' | tr a-f A-F)"
expect_in "$tmp/out" "unpinned CN=CA phục vụ các cơ quan Nhà nước G2, O=Ban Cơ yếu Chính phủ, C=VN"
expect_status 0 td crl trust list
expect_eq "$(wc -c <"$tmp/out")" 0 "pinned CAs after remove"
expect_status 77 td crl import "$tmp/n4.pem"
expect_status 0 td audit log crl_trust "$real" --json
expect_in "$tmp/out" '"action": "crl.trust.remove"'
expect_status 0 td audit verify
finish
