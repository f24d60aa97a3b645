#!/bin/sh
# lists-cut-short: a workbook whose sheets cannot all be written is not
# reported written.  In constant-memory mode libxlsxwriter writes each
# sheet's rows to a temporary file and never checks those writes: with a
# file size limit (or a full /tmp) the sheets were cut off, zipped, and
# `lists` said they were written (exit 0).  Now exit 74, the file named,
# nothing left (forms XLSX has the same check: src/workflow/xlsx_check.h);
# CSV names the list it could not write (it printed a garbled name).
: "${TOKENDESK:?}" "${TD_SRCDIR:?}"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
export TOKENDESK_OPERATOR=tester LC_ALL=C.UTF-8 TOKENDESK_DB="$tmp/reg.db"
P=$TD_SRCDIR/tests/cli/plan
fail() { echo "FAIL: $*" >&2; exit 1; }
td() { "$TOKENDESK" "$@"; }

# the plan's province, each certificate twice (a second serial and token)
awk -F, 'BEGIN { OFS = "," } { print } NR > 1 { $1 = $1 "B"; $9 = $9 "B"; print }' \
	"$P/certificates.csv" >"$tmp/certs.csv"
td init >/dev/null && td import "$P/agencies.csv" "$tmp/certs.csv" >/dev/null ||
	fail "set-up"
# A long reason on each row: 90 KB of sheet rows, a workbook of 20 KB.
reason=$(awk 'BEGIN { for (i = 0; i < 43; i++) printf "ly do thu hoi rat dai "; }')
n=0
for c in $(sqlite3 "$tmp/reg.db" "SELECT serial FROM certificate ORDER BY id"); do
	td tag revoke "$c" --reason "$reason" >/dev/null 2>&1 && n=$((n + 1))
done
[ "$n" -ge 45 ] || fail "only $n tags"
td lists -o "$tmp/whole.xlsx" >/dev/null || fail "lists without a limit"
[ "$(wc -c <"$tmp/whole.xlsx")" -lt 36000 ] || fail "the workbook is too large for the limit"

# 40 KiB per file written; SIGXFSZ ignored, as a full disk gives the
# writes an error instead.  A shell counts ulimit -f in blocks of 512
# bytes (POSIX, dash) or of 1024 (bash): one block tried tells which.
( trap '' XFSZ; ulimit -f 1; printf '%1024s' '' >"$tmp/probe" ) 2>/dev/null
if [ "$(wc -c <"$tmp/probe")" -lt 1024 ]; then kib40=80; else kib40=40; fi
limited() {   # BLOCKS ARGS...
	_b=$1; shift
	( trap '' XFSZ; ulimit -f "$_b"; "$TOKENDESK" "$@" ) >"$tmp/out" 2>"$tmp/err"
}
limited "$kib40" lists -o "$tmp/l.xlsx"
st=$?
[ "$st" = 74 ] || fail "lists XLSX: exit $st, $(cat "$tmp/out" "$tmp/err")"
[ ! -e "$tmp/l.xlsx" ] || fail "lists XLSX: a cut-off workbook was left"
grep -q "^tokendesk: $tmp/l.xlsx: cannot write a sheet's rows" "$tmp/err" ||
	fail "lists XLSX: $(cat "$tmp/err")"
# the revocation list is some 60 KB as CSV
limited "$kib40" lists --format csv -o "$tmp/csv"
st=$?
[ "$st" = 74 ] || fail "lists CSV: exit $st, $(cat "$tmp/err")"
grep -q "^tokendesk: $tmp/csv/thu-hoi-chung-thu.csv: write failed" "$tmp/err" ||
	fail "lists CSV: $(cat "$tmp/err")"
[ -z "$(ls "$tmp/csv")" ] || fail "lists CSV left files: $(ls "$tmp/csv")"
exit 0
