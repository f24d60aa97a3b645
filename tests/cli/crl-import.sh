# crl-import.sh: a CRL made here by a test CA (pinned first) confirms
# revocations: the listed certificates become revoked with their entries'
# revocation date and their tags confirmed; tagged certificates the CRL
# lacks are reported; a CRL signed by another key (even under the same CA
# name) is refused, nothing written.  (crl-trust.sh: pinning itself.)
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"
. "$TD_SRCDIR/tests/cli/plan/plan-lib.sh"
command -v openssl >/dev/null || exit 77

plan_setup && td plan apply >/dev/null && td tag send >/dev/null || fail "setup"

# Two keys under the government CA's name (as the registry stores it).
subj="/C=VN/O=Ban Cơ yếu Chính phủ/CN=CA phục vụ các cơ quan Nhà nước G2"
mkca() {   # DIR: key, self-signed cert, a CA database revoking A021, A031, DEADBEEF
	mkdir -p "$1" && : >"$1/index.txt" && echo 01 >"$1/crlnumber"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1/ca.key" -out "$1/ca.pem" \
		-days 30 -utf8 -subj "$subj" 2>/dev/null
	for s in A021 A031 DEADBEEF; do
		printf 'R\t300101000000Z\t250701000000Z\t%s\tunknown\t/CN=x\n' "$s" >>"$1/index.txt"
	done
	printf '[ca]\ndefault_ca=d\n[d]\ndatabase=%s/index.txt\ncrlnumber=%s/crlnumber\ndefault_md=sha256\ndefault_crl_days=30\n' \
		"$1" "$1" >"$1/ca.cnf"
	openssl ca -config "$1/ca.cnf" -gencrl -keyfile "$1/ca.key" -cert "$1/ca.pem" \
		-out "$1/crl.pem" 2>/dev/null
	openssl crl -in "$1/crl.pem" -outform DER -out "$1/crl.der"
	# the same list, dated 2025-08-01 (OpenSSL 3's -crl_lastupdate)
	openssl ca -config "$1/ca.cnf" -gencrl -keyfile "$1/ca.key" -cert "$1/ca.pem" \
		-crl_lastupdate 250801000000Z -crl_nextupdate 250901000000Z \
		-out "$1/old.pem" 2>/dev/null
}
mkca "$tmp/good" && mkca "$tmp/evil" || { echo "openssl could not make a test CA" >&2; exit 1; }

# refused: no CA pinned yet, signed by another key, or not a CRL at all
before=$(registry_digest)
expect_status 77 td crl import "$tmp/good/crl.pem"
expect_in "$tmp/err" "crl trust add"
td crl trust add "$tmp/good/ca.pem" >/dev/null || fail "pinning the CA"
before=$(registry_digest)
expect_status 77 td crl import --ca "$tmp/good/ca.pem" "$tmp/evil/crl.pem"
expect_in "$tmp/err" "refused"
expect_status 77 td crl import --ca "$tmp/evil/ca.pem" "$tmp/good/crl.der"
expect_status 65 td crl import --ca "$tmp/good/ca.pem" "$tmp/good/ca.pem"
expect_eq "$(registry_digest)" "$before" "registry after refused CRLs"
expect_status 0 td show cert A021
expect_in "$tmp/out" "active"

# accepted (CRL number 2); revoked with the entry's date, not the CRL's
expect_status 0 td crl import --ca "$tmp/good/ca.pem" "$tmp/good/old.pem"
expect_in "$tmp/out" ", 2025-08-01: 3 listed; 2 newly revoked, 0 already revoked, 1 not in the registry"
# the tagged certificates the CRL lacks: counted, listed only with --verbose
expect_in "$tmp/out" "are not in this CRL yet (--verbose lists them)"
expect_not_in "$tmp/out" "missing "
expect_status 0 td show cert A031 --json
expect_in "$tmp/out" '"revoked_at": "2025-07-01"'
# CRL number 1 (DER): nothing new, and still the report of what it lacks
expect_status 0 td crl import --verbose "$tmp/good/crl.der"
# ... an older CRL number after a newer one: said so, though dated later
expect_in "$tmp/out" "note: CRL number 1 is older than number 2 of this CA imported before"
expect_in "$tmp/out" "3 listed; 0 newly revoked, 2 already revoked, 1 not in the registry"
expect_not_in "$tmp/out" "newer CRL"
expect_in "$tmp/out" "are not in this CRL"
expect_in "$tmp/out" "missing a051"
expect_not_in "$tmp/out" "missing a021"
expect_not_in "$tmp/out" "missing a031"
expect_status 0 td show cert A021 --json
expect_in "$tmp/out" '"status": "revoked"'
expect_in "$tmp/out" '"revoked_at": "2025-07-01"'

expect_status 0 td tag list --json --state confirmed
expect_eq "$(grep -c '"target":' "$tmp/out")" 2 "confirmed tags"
expect_in "$tmp/out" '"target": "a021"'
expect_in "$tmp/out" '"target": "a031"'
# the same CRL again: applied once
expect_status 0 td crl import --ca "$tmp/good/ca.pem" "$tmp/good/old.pem"
expect_in "$tmp/out" "was imported already"
# ... said in Vietnamese with the time where the reader is, and so is the
# pin's time: no stored UTC stamp
vi() { (unset LC_ALL LANGUAGE LC_MESSAGES TZ; export LANG=vi_VN.UTF-8; "$@"); }
vi td crl import --ca "$tmp/good/ca.pem" "$tmp/good/old.pem" >"$tmp/out" 2>&1 ||
	fail "the same CRL again, in Vietnamese: $(cat "$tmp/out")"
expect_in "$tmp/out" "đã được nhập trước đây ("
vi td crl trust list >"$tmp/vi" 2>&1 || fail "crl trust list in Vietnamese"
expect_in "$tmp/vi" "ghim lúc "
LC_ALL=C.UTF-8 grep -E 'T[0-9]{2}:[0-9]{2}:[0-9]{2}Z' "$tmp/out" "$tmp/vi" &&
	fail "a stored UTC stamp shown to a Vietnamese reader"
expect_status 0 td audit log cert a021 --json
expect_in "$tmp/out" '"action": "cert.revoked"'
expect_status 0 td audit verify
finish
