#!/bin/sh
# kit-field-list: a field team imports the province's whole agency list
# on a kit made for SB.  The agencies home holds and the kit was not
# made with (SA, SA1, XA) come back as rows the field added.  Held as
# home holds them (same code, name, level, validity, superior) they are
# no conflict: the merge maps them to home's rows, so an official the
# field added in SA1 refers to home's SA1.  Only the truly new (SB2, the
# officials and certificates) wait.  SA renamed in the field is one
# conflict whose home side is home's SA, kept either way with audit
# verify passing, as are an official and a certificate home holds that
# the field renamed.  A kit whose audit log was edited to plant such a row
# is refused as before; an agency planted with no audit row that home's
# differs from is never taken silently (it waits as a conflict).
. "$TD_SRCDIR/tests/cli/count-common.sh"
province_test sqlite3
q() { sqlite3 "$tmp/reg.db" "$1"; }
K() { TOKENDESK_OPERATOR=team "$TOKENDESK" --db "$tmp/a.kit" "$@"; }
verify() { td audit verify >"$tmp/v" 2>&1 || td_fail "verify, $1: $(cat "$tmp/v")"; }
# conflicts_on TABLE CODE: the conflicts of the field's row of that code
conflicts_on() {
	q "SELECT count(*) FROM kit_conflict WHERE tbl = '$1' AND
	   json_extract(field_new, '$.code') = '$2'"
}
# field_import AGENCY_SED: the whole list (edited by AGENCY_SED) and SB2,
# an official of SB2 and one of SA1 with their certificates.
field_import() {
	rm -f "$tmp/a.kit"
	td kit make --agencies SB -o "$tmp/a.kit" >/dev/null || td_fail "kit make"
	{ sed "$1" "$tmp/agencies.csv"; echo "SB2,Phòng B2,SB,division"; } >"$tmp/ag.csv"
	{ head -1 "$tmp/certs.csv"; grep ',SB,' "$tmp/certs.csv"
	  echo "b201,person,Mai Văn Phúc,001090000009,Chuyên viên,SB2,2024-01-01,2027-01-01,T-SB2-01,ePass,"
	  echo "a201,person,Đỗ Văn Hải,001090000010,Chuyên viên,SA1,2024-01-01,2027-01-01,T-SA1-09,ePass,"
	} >"$tmp/c.csv"
	K import "$tmp/ag.csv" "$tmp/c.csv" >/dev/null || td_fail "field import"
}
cp "$tmp/reg.db" "$tmp/home.db"

# ---- 1. the whole list as home holds it: no conflict for SA, SA1, XA ----
field_import ''
cp "$tmp/a.kit" "$tmp/list.kit"
td kit merge "$tmp/a.kit" >"$tmp/out" 2>&1 || td_fail "merge: $(cat "$tmp/out")"
grep -q " 5 conflicts" "$tmp/out" ||
	td_fail "not 5 conflicts (SB2, 2 officials, 2 certificates): $(cat "$tmp/out")"
for code in SA SA1 XA; do
	[ "$(conflicts_on agency $code)" = 0 ] || td_fail "$code, held as home holds it, is a conflict"
done
[ "$(conflicts_on agency SB2)" = 1 ] || td_fail "SB2 is no conflict"
[ "$(q "SELECT count(*) FROM agency")" = 5 ] || td_fail "an agency added or lost"
# the official in SA1 refers to home's SA1, through the kit's id map
[ "$(q "SELECT json_extract(k.field_new, '$.agency_id') = a.id AND
     json_extract(k.field_new, '$.conflict_refs') IS NULL FROM kit_conflict k,
     agency a WHERE k.tbl = 'holder' AND a.code = 'SA1' AND
     json_extract(k.field_new, '$.ext_id') = '001090000010'")" = 1 ] ||
	td_fail "the SA1 official does not refer to home's SA1: $(q "SELECT field_new FROM kit_conflict WHERE tbl = 'holder'")"
td kit conflicts >"$tmp/list" || td_fail "kit conflicts"
grep -q "SA1 Phòng A1" "$tmp/list" || td_fail "the official's agency unnamed: $(cat "$tmp/list")"
verify "after the merge"
sb2=$(q "SELECT id FROM kit_conflict WHERE tbl = 'agency'")
for id in $sb2 $(q "SELECT id FROM kit_conflict WHERE tbl = 'holder' ORDER BY id") \
	$(q "SELECT id FROM kit_conflict WHERE tbl = 'certificate' ORDER BY id"); do
	td kit resolve "$id" --keep field >"$tmp/out" 2>&1 ||
		td_fail "keep field $id: $(cat "$tmp/out")"
done
[ "$(q "SELECT a.code FROM holder h JOIN agency a ON a.id = h.agency_id
     WHERE h.ext_id = '001090000010'")" = SA1 ] || td_fail "the official not in SA1"
verify "all kept"
q "PRAGMA foreign_key_check" | grep -q . && td_fail "dangling references"

# ---- 2. SA renamed in the field: one conflict, home's SA its home side ----
cp "$tmp/home.db" "$tmp/reg.db"
field_import 's/^SA,Sở A,/SA,Sở A mới,/'
td kit merge "$tmp/a.kit" >"$tmp/out" 2>&1 || td_fail "merge: $(cat "$tmp/out")"
grep -q " 6 conflicts" "$tmp/out" || td_fail "not 6 conflicts: $(cat "$tmp/out")"
[ "$(conflicts_on agency SA)" = 1 ] || td_fail "SA renamed is not one conflict"
[ "$(conflicts_on agency SA1)$(conflicts_on agency XA)" = 00 ] ||
	td_fail "SA1 or XA, as home holds them, is a conflict"
sa=$(q "SELECT id FROM kit_conflict WHERE tbl = 'agency' AND
        json_extract(field_new, '$.code') = 'SA'")
[ "$(q "SELECT json_extract(home, '$.name') || '|' || json_extract(home, '$.id')
     || '|' || json_extract(pk, '$.id') || '|' || json_extract(field_new, '$.name')
     FROM kit_conflict WHERE id = $sa")" = \
  "Sở A|$(q "SELECT id FROM agency WHERE code = 'SA'")|$(q "SELECT id FROM agency WHERE code = 'SA'")|Sở A mới" ] ||
	td_fail "SA's home side is not home's SA: $(q "SELECT pk, home FROM kit_conflict WHERE id = $sa")"
td kit conflicts >"$tmp/list" || td_fail "kit conflicts"
grep -A1 "^$sa	" "$tmp/list" | grep -q 'home:  {.*"name":"Sở A"' ||
	td_fail "kit conflicts shows no home side for SA: $(cat "$tmp/list")"
grep "^$sa	" "$tmp/list" | grep -q "home holds a row of the same key" ||
	td_fail "the reason does not say home holds SA: $(cat "$tmp/list")"
verify "SA renamed, merged"
cp "$tmp/reg.db" "$tmp/merged.db"
td kit resolve "$sa" --keep home >/dev/null || td_fail "keep home's SA"
[ "$(q "SELECT name FROM agency WHERE code = 'SA'")" = "Sở A" ] || td_fail "SA changed"
verify "home's SA kept"
cp "$tmp/merged.db" "$tmp/reg.db"
td kit resolve "$sa" --keep field >/dev/null || td_fail "keep the field's SA"
[ "$(q "SELECT count(*) || ' ' || name FROM agency WHERE code = 'SA'")" = "1 Sở A mới" ] ||
	td_fail "the field's SA not written into home's"
verify "the field's SA kept"

# ---- 3. an official home holds, renamed in the field -----------------------
# His certificate (its subject names him) differs too; both wait beside
# home's rows, and kept as the field's they are written into home's
# without breaking the digest of the import that added them at home.
cp "$tmp/home.db" "$tmp/reg.db"
rm -f "$tmp/a.kit"
td kit make --agencies SB -o "$tmp/a.kit" >/dev/null || td_fail "kit make (3)"
{ head -1 "$tmp/certs.csv"; grep ',SB,' "$tmp/certs.csv"
  grep '^a001,' "$tmp/certs.csv" | sed 's/Nguyễn Văn An/Nguyễn Văn Ân/'; } >"$tmp/c.csv"
K import "$tmp/agencies.csv" "$tmp/c.csv" >/dev/null || td_fail "field import (3)"
td kit merge "$tmp/a.kit" >"$tmp/out" 2>&1 || td_fail "merge (3): $(cat "$tmp/out")"
for tbl in holder certificate; do
	[ "$(q "SELECT count(*) FROM kit_conflict WHERE tbl = '$tbl' AND home IS NOT NULL
	     AND reason = 'added in the field; home holds a row of the same key'")" = 1 ] ||
		td_fail "the field's $tbl is not beside home's: $(q "SELECT * FROM kit_conflict")"
done
verify "the official renamed, merged"
for id in $(q "SELECT id FROM kit_conflict WHERE tbl IN ('holder', 'certificate')
               ORDER BY id"); do
	td kit resolve "$id" --keep field >"$tmp/out" 2>&1 ||
		td_fail "keep field $id: $(cat "$tmp/out")"
done
[ "$(q "SELECT count(*) || ' ' || name FROM holder WHERE ext_id = '001090000001'")" = \
	"1 Nguyễn Văn Ân" ] || td_fail "the field's official not written into home's"
verify "the renamed official kept"

# ---- 4. planted ------------------------------------------------------------
# The list's agency.add.bulk row edited to cover an agency planted on the
# stick: the kit's chain breaks, refused whole, home untouched.
cp "$tmp/home.db" "$tmp/reg.db"
cp "$tmp/list.kit" "$tmp/a.kit"
sqlite3 "$tmp/a.kit" "INSERT INTO agency (code, name, parent_id, level) SELECT 'SZ',
	'Sở Giả', id, 'department' FROM agency WHERE code = 'DC';
	UPDATE audit SET after = json_set(after, '$.added', 7) WHERE action =
	'agency.add.bulk'" || td_fail "planting"
q .dump >"$tmp/before.dump"
td kit merge "$tmp/a.kit" >"$tmp/out" 2>&1
[ $? = 65 ] || td_fail "a planted agency with its audit row edited merged: $(cat "$tmp/out")"
grep -q "audit log does not verify" "$tmp/out" || td_fail "unclear refusal: $(cat "$tmp/out")"
q .dump | cmp -s - "$tmp/before.dump" || td_fail "a refused merge wrote"
# With no audit row at all: one that differs from home's waits as a
# conflict, never taken; one home holds as it is changes nothing.
td kit make --agencies SB -o "$tmp/b.kit" >/dev/null || td_fail "kit make (b)"
sqlite3 "$tmp/b.kit" "INSERT INTO agency (code, name, parent_id, level) SELECT 'SA',
	'Sở A giả', id, 'department' FROM agency WHERE code = 'DC';
	INSERT INTO agency (code, name, parent_id, level) SELECT 'XA', 'Xã A', id,
	'commune' FROM agency WHERE code = 'DC'" || td_fail "planting (b)"
td kit merge "$tmp/b.kit" >"$tmp/out" 2>&1 || td_fail "merge (b): $(cat "$tmp/out")"
[ "$(conflicts_on agency SA)" = 1 ] || td_fail "a planted SA unlike home's is no conflict"
[ "$(q "SELECT group_concat(name) FROM agency WHERE code IN ('SA', 'XA')")" = "Sở A,Xã A" ] ||
	td_fail "a planted agency changed home's"
verify "planted rows merged"
exit 0
