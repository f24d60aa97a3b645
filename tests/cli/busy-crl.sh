# busy-crl.sh: `crl import` reads the CRL and looks its entries up before
# it takes the write lock, and holds it only to write: while it works
# through 50,000 entries, short writes that wait 1 s at most keep
# going through (issue 21, item 9).
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"
command -v openssl >/dev/null 2>&1 || { echo "openssl not installed"; exit 77; }
demo_import || fail "demo import"
C=$(td export certificates | awk -F, 'NR == 2 {print $1}')
printf 'busy-ms = 1000\n' >"$tmp/short.conf"
chmod 600 "$tmp/short.conf"

# A CA and a CRL of 50,000 entries, none of them in the registry.
mkdir "$tmp/ca" "$tmp/ca/new"
openssl req -x509 -new -newkey rsa:2048 -nodes -subj "/CN=CA Thử nghiệm" -utf8 \
	-keyout "$tmp/ca/ca.key" -out "$tmp/ca/ca.crt" -days 30 2>/dev/null || fail "CA"
# (under valgrind, some 30 times slower, 5,000 entries take as long)
entries=${TD_VALGRIND:+5000}
entries=${entries:-50000}
awk -v n="$entries" 'BEGIN { for (i = 1; i <= n; i++)
	printf "R\t300101000000Z\t250101000000Z\t%08X\tunknown\t/CN=x%d\n", 16777216 + i, i }' \
	>"$tmp/ca/index.txt"
printf '01\n' >"$tmp/ca/crlnumber"
printf '[ca]\ndefault_ca = t\n[t]\ndatabase = %s\nnew_certs_dir = %s\ndefault_md = sha256\ndefault_crl_days = 30\ncrlnumber = %s\n' \
	"$tmp/ca/index.txt" "$tmp/ca/new" "$tmp/ca/crlnumber" >"$tmp/ca/ca.cnf"
openssl ca -config "$tmp/ca/ca.cnf" -gencrl -cert "$tmp/ca/ca.crt" -keyfile "$tmp/ca/ca.key" \
	-out "$tmp/big.crl" 2>/dev/null || fail "CRL"
# a registry that pins the CAs it takes CRLs from is told this one
td crl trust add "$tmp/ca/ca.crt" >/dev/null 2>&1

td crl import --ca "$tmp/ca/ca.crt" "$tmp/big.crl" >"$tmp/crl.out" 2>"$tmp/crl.err" &
importer=$!
i=0 during=0 refused=0
while kill -0 "$importer" 2>/dev/null; do
	i=$((i + 1))
	td --config "$tmp/short.conf" tag revoke "$C" --reason "lần $i" >"$tmp/out" 2>"$tmp/err"
	st=$?
	if kill -0 "$importer" 2>/dev/null; then
		during=$((during + 1))
		[ $st = 0 ] || { refused=$((refused + 1)); sed 's/^/  | /' "$tmp/err" >&2; }
	fi
done
wait "$importer" || fail "crl import failed: $(cat "$tmp/crl.err")"
expect_in "$tmp/crl.out" "$entries listed"
[ "$during" -ge 3 ] || fail "only $during writes while the CRL was imported: the test proves nothing (a bigger CRL)"
expect_eq "$refused" 0 "writes refused while the CRL was imported (of $during)"
echo "$during writes while the CRL was imported, none refused"
finish
