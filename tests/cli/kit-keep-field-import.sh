#!/bin/sh
# kit-keep-field-import: the rows a field import added to master data,
# kept as the field's at `kit resolve`.  The team imported the whole
# agency list on a kit made for SB (agencies home holds but the kit was
# not made with, SA renamed there, and a new one, SB2) and a new official
# of SB2 with his certificate on a new token.  Each waits as a conflict,
# but the agencies the field holds as home does (XA, SA1: the merge
# drops them, kit-field-list.sh).  Kept as the field's: an agency home
# holds is written into home's row (once, not a UNIQUE refusal); the new
# agency lands with its code; the new official
# lands in it, and his certificate on him (the ids they got here are
# put into the conflicts that refer to them).  Kept before the row it
# refers to, or after that row's home version was kept, a conflict is
# refused naming the other (exit 65), and a refused resolve writes
# nothing.  audit verify passes throughout.
. "$TD_SRCDIR/tests/cli/count-common.sh"
province_test sqlite3
q() { sqlite3 "$tmp/reg.db" "$1"; }
conflict() { q "SELECT id FROM kit_conflict WHERE $1"; }
kept() {
	td kit resolve "$1" --keep field >"$tmp/out" 2>&1 ||
		td_fail "keep field $1: $(cat "$tmp/out")"
}

td kit make --agencies SB -o "$tmp/a.kit" >/dev/null || td_fail "kit make"
field_list_import "$tmp/a.kit" "Sở A (hiện trường)" || td_fail "field import"
td kit merge "$tmp/a.kit" >"$tmp/out" 2>&1 || td_fail "merge: $(cat "$tmp/out")"
grep -q " 4 conflicts" "$tmp/out" || td_fail "merge: $(cat "$tmp/out")"
td audit verify >/dev/null || td_fail "verify after the merge"
sa=$(conflict "tbl = 'agency' AND json_extract(field_new, '$.code') = 'SA'")
sb2=$(conflict "tbl = 'agency' AND json_extract(field_new, '$.code') = 'SB2'")
holder=$(conflict "tbl = 'holder'")
cert=$(conflict "tbl = 'certificate'")
cp "$tmp/reg.db" "$tmp/merged.db"

# Out of order: the certificate before its official, the official
# before his agency.
resolve_refused "$cert" "kit conflict $cert refers (holder_id) to the holder row that kit conflict $holder adds, still open"
resolve_refused "$holder" "kit conflict $holder refers (agency_id) to the agency row that kit conflict $sb2 adds, still open"

# An agency home holds (SA): kept, it is home's row, once.
kept "$sa"
[ "$(q "SELECT count(*) || ' ' || name FROM agency WHERE code = 'SA'")" = \
	"1 Sở A (hiện trường)" ] || td_fail "SA twice, or not the field's"
td audit verify >"$tmp/v" 2>&1 || td_fail "verify, SA kept: $(cat "$tmp/v")"
# The new agency, then its official, then his certificate.
kept "$sb2"
[ "$(q "SELECT count(*) || ' ' || p.code FROM agency a JOIN agency p
     ON p.id = a.parent_id WHERE a.code = 'SB2'")" = "1 SB" ] || td_fail "SB2 not home"
td audit verify >"$tmp/v" 2>&1 || td_fail "verify, SB2 kept: $(cat "$tmp/v")"
resolve_refused "$cert" "kit conflict $cert refers (holder_id) to the holder row that kit conflict $holder adds, still open"
kept "$holder"
[ "$(q "SELECT a.code FROM holder h JOIN agency a ON a.id = h.agency_id
     WHERE h.ext_id = '001090000009'")" = SB2 ] || td_fail "the official not in SB2"
kept "$cert"
[ "$(q "SELECT h.ext_id || ' ' || t.serial FROM certificate c JOIN holder h
     ON h.id = c.holder_id JOIN token t ON t.id = c.token_id
     WHERE c.serial = 'b201'")" = "001090000009 T-SB2-01" ] ||
	td_fail "b201: $(q "SELECT * FROM certificate WHERE serial = 'b201'")"
td audit verify >"$tmp/v" 2>&1 || td_fail "verify, all kept: $(cat "$tmp/v")"
q "PRAGMA foreign_key_check" | grep -q . && td_fail "dangling references"

# Home's version of the official kept: his certificate cannot be the
# field's (refused naming that conflict); home's version of it can.
cp "$tmp/merged.db" "$tmp/reg.db"
td kit resolve "$sb2" --keep field >/dev/null || td_fail "keep SB2 (2)"
td kit resolve "$holder" --keep home >/dev/null || td_fail "keep home's official"
resolve_refused "$cert" "to the holder row that kit conflict $holder adds, which is not in this registry (that conflict: kept_home)"
td kit resolve "$cert" --keep home >/dev/null || td_fail "keep home's certificate"
td audit verify >"$tmp/v" 2>&1 || td_fail "verify, home kept: $(cat "$tmp/v")"
exit 0
