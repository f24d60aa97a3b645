#!/bin/sh
# kit-import-token: an import in the field that moves a certificate the
# kit was made with onto a new token.  The kit merged (it was refused as
# edited outside tokendesk: a token added with no certificate added in
# the field); the certificate, master data, waits as a conflict named by
# its serial; kept as the field's it is audited as the importer audits
# it, and audit verify passes either way.
. "$TD_SRCDIR/tests/cli/count-common.sh"
province_test sqlite3
K() { "$TOKENDESK" --db "$tmp/a.kit" "$@"; }

td kit make --agencies SA -o "$tmp/a.kit" >/dev/null || td_fail "kit make"
grep -v ',SB,\|,XA,' "$tmp/certs.csv" |
	sed 's/^a102,\(.*\),T-SA1-02,ePass,/a102,\1,T-SA1-09,ePass,/' >"$tmp/certs2.csv"
grep -q T-SA1-09 "$tmp/certs2.csv" || td_fail "the list"
TOKENDESK_OPERATOR=team K import "$tmp/certs2.csv" >/dev/null || td_fail "field import"
td kit merge "$tmp/a.kit" >"$tmp/out" 2>&1 || td_fail "merge: $(cat "$tmp/out")"
grep -q " 1 conflicts" "$tmp/out" || td_fail "merge: $(cat "$tmp/out")"
td audit verify >/dev/null || td_fail "verify after the merge"
td kit conflicts >"$tmp/c" || td_fail "kit conflicts"
grep -q "^1	open	update certificate a102	" "$tmp/c" || td_fail "label: $(cat "$tmp/c")"

cp "$tmp/reg.db" "$tmp/home.db"
"$TOKENDESK" --db "$tmp/home.db" kit resolve 1 --keep home >/dev/null || td_fail "keep home"
"$TOKENDESK" --db "$tmp/home.db" audit verify >/dev/null || td_fail "verify, home kept"

td kit resolve 1 --keep field >/dev/null || td_fail "keep field"
[ "$(sqlite3 "$tmp/reg.db" "SELECT t.serial FROM certificate c JOIN token t
	ON t.id = c.token_id WHERE c.serial = 'a102'")" = T-SA1-09 ] || td_fail "keep field"
td audit verify >"$tmp/v" 2>&1 || td_fail "verify, field kept: $(cat "$tmp/v")"
td audit log cert a102 | grep -q "cert.update" || td_fail "not audited as an import"
exit 0
