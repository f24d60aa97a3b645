#!/bin/sh
# make.sh: how registry.db was made, with the release before schema 7
# (tokendesk 0.1.0, registry schema 6), for tests/cli/migrate-schema6.sh:
#     tests/cli/schema6/make.sh OLD_TOKENDESK
# The plan test province, its plan applied and sent, and the CRL number 1
# of a test CA (ca.pem; its key is thrown away) imported twice, as that
# release did (it recorded each import); crl2.pem is its CRL number 2.
set -eu
old=$1
here=$(cd "$(dirname "$0")" && pwd)
plan=$here/../plan
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$here"
rm -f registry.db ca.pem crl1.pem crl2.pem
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/ca.key" -out ca.pem -days 36500 \
	-utf8 -subj "/C=VN/O=Ban Cơ yếu Chính phủ/CN=CA phục vụ các cơ quan Nhà nước G2" 2>/dev/null
: >"$work/index.txt"
echo 01 >"$work/crlnumber"
printf 'R\t300101000000Z\t250703000000Z\tA021\tunknown\t/CN=x\n' >>"$work/index.txt"
printf '[ca]\ndefault_ca=d\n[d]\ndatabase=%s/index.txt\ncrlnumber=%s/crlnumber\ndefault_md=sha256\ndefault_crl_days=36500\n' \
	"$work" "$work" >"$work/ca.cnf"
openssl ca -config "$work/ca.cnf" -gencrl -keyfile "$work/ca.key" -cert ca.pem -out crl1.pem 2>/dev/null
printf 'R\t300101000000Z\t250704000000Z\tA031\tunknown\t/CN=x\n' >>"$work/index.txt"
openssl ca -config "$work/ca.cnf" -gencrl -keyfile "$work/ca.key" -cert ca.pem -out crl2.pem 2>/dev/null
export TOKENDESK_DB="$work/registry.db" TOKENDESK_OPERATOR=release6
"$old" init >/dev/null
"$old" import "$plan/agencies.csv" "$plan/certificates.csv" >/dev/null
"$old" plan import "$plan/plan.csv" >/dev/null
"$old" plan apply >/dev/null
"$old" tag send >/dev/null
"$old" crl import --ca ca.pem crl1.pem >/dev/null
"$old" crl import --ca ca.pem crl1.pem >/dev/null
"$old" audit verify >/dev/null
sqlite3 "$TOKENDESK_DB" "PRAGMA journal_mode = DELETE; VACUUM;" >/dev/null
cp "$TOKENDESK_DB" registry.db
