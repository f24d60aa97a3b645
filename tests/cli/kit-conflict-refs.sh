#!/bin/sh
# kit-conflict-refs: a conflict shows the records its references name.
# A dossier handed to one agency in the field and to another at home:
# `kit conflicts` (text and --json) gives beside agency_id the agency
# (code and name) on each side (and beside holder_id and token_id, the
# official and the token, by the same code).  Keeping the field's
# version still writes the stored id.
. "$TD_SRCDIR/tests/cli/count-common.sh"
province_test sqlite3
K() { "$TOKENDESK" --db "$tmp/field.kit" "$@"; }

td dossier add --agency SB --kind renewal --ref HS-1 >/dev/null || td_fail "dossier"
td kit make --agencies SB,XA -o "$tmp/field.kit" >/dev/null || td_fail "kit make"
K dossier handover --from agency:SB --to agency:XA HS-1 >/dev/null ||
	td_fail "field dossier handover"
td dossier handover --from agency:SB --to agency:DC HS-1 >/dev/null ||
	td_fail "home dossier handover"
td kit merge "$tmp/field.kit" >"$tmp/out" || td_fail "merge"
grep -q " 1 conflicts" "$tmp/out" || td_fail "merge: $(cat "$tmp/out")"

td kit conflicts >"$tmp/text" || td_fail "kit conflicts"
grep -q 'home:  {.*"agency_id":[0-9]*.*"agency":"DC Tỉnh Đông Châu"' "$tmp/text" ||
	td_fail "home's agency not named: $(cat "$tmp/text")"
grep -q 'field: {.*"agency":"SB Sở B".*} -> {.*"agency":"XA Xã A"' "$tmp/text" ||
	td_fail "the field's agencies not named: $(cat "$tmp/text")"
td kit conflicts --json | tr -d ' \n' >"$tmp/json" || td_fail "--json"
grep -q '"field_new":{[^}]*"agency_id":[0-9]*[^}]*"agency":"XAXãA"' "$tmp/json" ||
	td_fail "--json lacks the name: $(cat "$tmp/json")"

# kept as the field's: the stored id, not the name, is what is written
id=$(sqlite3 "$tmp/reg.db" "SELECT id FROM kit_conflict WHERE tbl = 'dossier'")
td kit resolve "$id" --keep field >/dev/null || td_fail "keep field"
[ "$(sqlite3 "$tmp/reg.db" "SELECT a.code FROM dossier d JOIN agency a
	ON a.id = d.agency_id WHERE d.ref = 'HS-1'")" = XA ] || td_fail "keep field"
td audit verify >/dev/null || td_fail "audit verify"
exit 0
