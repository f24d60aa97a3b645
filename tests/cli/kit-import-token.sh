#!/bin/sh
# kit-import-token: an import in the field that moves a certificate the
# kit was made with onto a new token.  The kit merged (it was refused as
# edited outside tokendesk: a token added with no certificate added in
# the field); the certificate, master data, waits as a conflict named by
# its serial; kept as the field's it is audited as the importer audits
# it, and audit verify passes either way.  The certificate must be what
# the import's rows say (edited on the stick, the kit is refused), the
# new token with the holder they name; two imports moving it on merge.
. "$TD_SRCDIR/tests/cli/count-common.sh"
province_test sqlite3
K() { "$TOKENDESK" --db "$tmp/a.kit" "$@"; }

td kit make --agencies SA -o "$tmp/a.kit" >/dev/null || td_fail "kit make"
grep -v ',SB,\|,XA,' "$tmp/certs.csv" |
	sed 's/^a102,\(.*\),T-SA1-02,ePass,/a102,\1,T-SA1-09,ePass,/' >"$tmp/certs2.csv"
grep -q T-SA1-09 "$tmp/certs2.csv" || td_fail "the list"
TOKENDESK_OPERATOR=team K import "$tmp/certs2.csv" >/dev/null || td_fail "field import"
# The same kit edited on the stick: the certificate's validity, or its
# holder (the new token would go to another official): refused whole.
for edit in "UPDATE certificate SET not_after = '2099-01-01' WHERE serial = 'a102'" \
	"UPDATE certificate SET holder_id = (SELECT id FROM holder WHERE ext_id =
	 '001090000001') WHERE serial = 'a102'; UPDATE token SET custodian =
	 'holder:001090000001' WHERE serial = 'T-SA1-09'"; do
	cp "$tmp/a.kit" "$tmp/edited.kit"
	sqlite3 "$tmp/edited.kit" "$edit" || td_fail "edit"
	cp "$tmp/reg.db" "$tmp/e.db"
	"$TOKENDESK" --db "$tmp/e.db" kit merge "$tmp/edited.kit" >"$tmp/out" 2>&1
	[ $? = 65 ] || td_fail "an edited kit merged: $edit: $(cat "$tmp/out")"
	grep -q "the kit was edited outside tokendesk" "$tmp/out" || td_fail "$(cat "$tmp/out")"
done
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

# Two imports in the field: the certificate onto T-SA1-09, then on to
# T-SA1-10 (the first new token left with none): merges.
province_dir=$tmp/two
mkdir "$province_dir" && make_province "$province_dir" || td_fail "second province"
t2() { "$TOKENDESK" --db "$province_dir/reg.db" "$@"; }
t2 kit make --agencies SA -o "$province_dir/a.kit" >/dev/null || td_fail "kit 2"
for to in T-SA1-09 T-SA1-10; do
	grep -v ',SB,\|,XA,' "$province_dir/certs.csv" |
		sed "s/^a102,\(.*\),T-SA1-02,ePass,/a102,\1,$to,ePass,/" >"$province_dir/c.csv"
	TOKENDESK_OPERATOR=team "$TOKENDESK" --db "$province_dir/a.kit" import \
		"$province_dir/c.csv" >/dev/null || td_fail "import onto $to"
done
t2 kit merge "$province_dir/a.kit" >"$tmp/out" 2>&1 || td_fail "two moves: $(cat "$tmp/out")"
t2 audit verify >/dev/null || td_fail "verify after two moves"
exit 0
