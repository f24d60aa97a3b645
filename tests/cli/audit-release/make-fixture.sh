#!/bin/sh
# make-fixture.sh TOKENDESK OUT.sql: the registry that audit-state.sh's
# release check loads, made by a released tokendesk (TOKENDESK, its
# tokendesk binary; kit-move beside it in tests/cli/ is not needed) and
# dumped as SQL.  It was made with the release before audit verify
# checked rows (main at dc376ed): every kind of write of that release,
# so that a registry it made, untouched, must still verify.
set -eu
td_bin=$1 out=$2
src=$(cd "$(dirname "$0")/../../.." && pwd)
P="$src/tests/cli/plan"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TOKENDESK_DB="$tmp/reg.db" TOKENDESK_OPERATOR=release
td() { "$td_bin" "$@" >/dev/null; }

td init
td import "$P/agencies.csv" "$P/certificates.csv"
# row updates after the bulk load (cert.update with before/after)
sed 's/^A011,org,Sở Tài chính,P.S1,,/A011,org,Sở Tài chính,P.S1,Giám đốc,/' \
	"$P/certificates.csv" >"$tmp/updated.csv"
td import "$tmp/updated.csv"
td holder set 001000000002 --no-longer-needed
td plan import "$P/plan.csv"
td plan apply
td tag send
td tag collect TKA041 --reason "thu hồi"
td tag collect TKA061 --reason "thu hồi"
td tag remove TKA061
td handover --to agency:P --place "Hà Nội" --remarks "đủ" TKA001
td handover --to dost TKA022
td dossier add --agency P.S2 --kind renewal --ref HS-001
td dossier handover --from agency:P.S2 --to agency:P.S1 HS-001
td count start --agency P
td count scan 1 TKA011 TKA011 NOPE
td count close 1
# a kit: a handover in the field, one token also moved at home (a
# conflict, kept from the field)
td kit make --agencies P.S2 -o "$tmp/field.kit"
td --db "$tmp/field.kit" handover --to agency:P.S2 TKA021
td handover --to dost TKA021
td kit merge "$tmp/field.kit"
id=$(sqlite3 "$TOKENDESK_DB" "SELECT id FROM kit_conflict WHERE tbl = 'token'")
td kit resolve "$id" --keep field
# a CRL from a test CA revoking A021
subj="/C=VN/O=Ban Cơ yếu Chính phủ/CN=CA phục vụ các cơ quan Nhà nước G2"
mkdir "$tmp/ca" && : >"$tmp/ca/index.txt" && echo 01 >"$tmp/ca/crlnumber"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/ca/ca.key" \
	-out "$tmp/ca/ca.pem" -days 30 -utf8 -subj "$subj" 2>/dev/null
printf 'R\t300101000000Z\t250701000000Z\tA021\tunknown\t/CN=x\n' >"$tmp/ca/index.txt"
printf '[ca]\ndefault_ca=d\n[d]\ndatabase=%s/index.txt\ncrlnumber=%s/crlnumber\ndefault_md=sha256\ndefault_crl_days=30\n' \
	"$tmp/ca" "$tmp/ca" >"$tmp/ca/ca.cnf"
openssl ca -config "$tmp/ca/ca.cnf" -gencrl -keyfile "$tmp/ca/ca.key" \
	-cert "$tmp/ca/ca.pem" -out "$tmp/ca/crl.pem" 2>/dev/null
# (releases with CRL pinning, 7 on, want the CA pinned first)
td crl trust add "$tmp/ca/ca.pem" 2>/dev/null || true
td crl import --ca "$tmp/ca/ca.pem" "$tmp/ca/crl.pem"
"$td_bin" audit verify
{ sqlite3 "$TOKENDESK_DB" .dump
  echo "PRAGMA user_version = $(sqlite3 "$TOKENDESK_DB" "PRAGMA user_version");"
} >"$out"
