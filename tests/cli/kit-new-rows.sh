#!/bin/sh
# kit-new-rows: rows the field added come home with fresh ids, and rows
# that refer to them follow.  A kit whose new rows all fit goes in at
# once (kit_bulk.c); one with a token serial also added at home meanwhile
# keeps that token and its custody event as conflicts, row by row, and
# brings the rest.  Either way every custody event ends on the token it
# was recorded for, and a second merge changes nothing.
. "$TD_SRCDIR/tests/cli/count-common.sh"
province_test sqlite3
q() { sqlite3 "$1" "$2"; }

# new_token KIT SERIAL CERT: a token registered in the field (a certificate
# imported there, which waits home as a conflict: master data), with the
# custody event that put it in agency SB's hands.  Both audited, as a
# kit's rows must be (kit_backing.c).
new_token() {
	{ head -1 "$tmp/certs.csv"
	  echo "$3,person,Hoàng Văn Em,001090000005,Chuyên viên,SB,2024-01-01,2027-01-01,$2,ePass,"
	} > "$tmp/new.csv"
	"$TOKENDESK" --db "$1" import "$tmp/new.csv" >/dev/null || td_fail "field import $2"
	"$move" "$1" "$2" agency:SB at_agency || td_fail "field move $2"
	q "$1" "UPDATE custody_event SET remarks = 'new $2' WHERE id = (SELECT max(id) FROM custody_event)"
}
# events_ok SERIAL N: SERIAL has N custody events at home, each naming it.
events_ok() {
	got=$(q "$tmp/reg.db" "SELECT count(*) FROM custody_event e JOIN token t
	        ON t.id = e.token_id WHERE t.serial = '$1'")
	[ "$got" = "$2" ] || td_fail "$1 has $got custody events at home, not $2"
	bad=$(q "$tmp/reg.db" "SELECT count(*) FROM custody_event e JOIN token t
	        ON t.id = e.token_id WHERE e.remarks LIKE 'new %' AND e.remarks <> 'new ' || t.serial")
	[ "$bad" = 0 ] || td_fail "$bad custody events point at the wrong token"
}

# Home moves on meanwhile: a new token and a custody event, so home's
# ids pass the kit's and the field's rows must shift.
td kit make --agencies SB -o "$tmp/a.kit" >/dev/null || td_fail "kit make a"
td kit make --agencies SB -o "$tmp/b.kit" >/dev/null || td_fail "kit make b"
{ head -1 "$tmp/certs.csv"
  echo "a004,person,Ngô Văn Khải,001090000008,Chuyên viên,SA,2024-01-01,2027-01-01,T-HOME-1,ePass,"
} > "$tmp/more.csv"
td import "$tmp/agencies.csv" "$tmp/more.csv" >/dev/null || td_fail "home import"
"$move" "$tmp/reg.db" T-SA-01 dost at_dost || td_fail "home move"

# Kit a: two new tokens and their events, and a move of a known token.
new_token "$tmp/a.kit" T-NEW-1 f001
new_token "$tmp/a.kit" T-NEW-2 f002
"$move" "$tmp/a.kit" T-SB-02 dost at_dost || td_fail "field move a"
td kit merge "$tmp/a.kit" > "$tmp/a.out" || td_fail "merge a: $(cat "$tmp/a.out")"
# (the two certificates wait as conflicts: master data changes at home)
grep -q " 2 conflicts" "$tmp/a.out" || td_fail "kit a: $(cat "$tmp/a.out")"
for s in T-NEW-1 T-NEW-2; do
	td show token "$s" | grep -q "custodian: *agency:SB" || td_fail "$s not home"
	events_ok "$s" 1
done
events_ok T-SB-02 1
td show token T-SB-02 | grep -q "custodian: *dost" || td_fail "field move a lost"
# each token the field added has a home audit row holding it as it stands
for s in T-NEW-1 T-NEW-2; do
	[ "$(q "$tmp/reg.db" "SELECT after FROM audit WHERE entity = 'token' AND
	     entity_key = '$s' ORDER BY id DESC LIMIT 1")" = "$(q "$tmp/reg.db" "SELECT
	     json_object('serial', serial, 'model', model, 'state', state, 'custodian',
	     custodian) FROM token WHERE serial = '$s'")" ] || td_fail "$s: no home audit row as it stands"
done
# fresh ids in field order: T-NEW-1 before T-NEW-2, both after home's
[ "$(q "$tmp/reg.db" "SELECT group_concat(serial, ' ') FROM (SELECT serial FROM
     token ORDER BY id DESC LIMIT 2)")" = "T-NEW-2 T-NEW-1" ] ||
	td_fail "new tokens out of field order"

# Kit b: T-NEW-1 again (home has it now: a conflict, and so is the event
# that refers to it), T-NEW-3 clean.
new_token "$tmp/b.kit" T-NEW-1 f011
new_token "$tmp/b.kit" T-NEW-3 f013
"$move" "$tmp/b.kit" T-SB-01 dost at_dost || td_fail "field move b"
td kit merge "$tmp/b.kit" > "$tmp/b.out" || td_fail "merge b: $(cat "$tmp/b.out")"
grep -q " 4 conflicts" "$tmp/b.out" || td_fail "kit b: $(cat "$tmp/b.out")"
[ "$(q "$tmp/reg.db" "SELECT group_concat(tbl || ':' || op, ' ') FROM (SELECT tbl, op
     FROM kit_conflict WHERE tbl <> 'certificate' ORDER BY tbl)")" = "custody_event:insert token:insert" ] ||
	td_fail "conflicts: $(q "$tmp/reg.db" "SELECT tbl, op, reason FROM kit_conflict")"
events_ok T-NEW-1 1
events_ok T-NEW-3 1
events_ok T-SB-01 1
td show token T-NEW-3 | grep -q "custodian: *agency:SB" || td_fail "T-NEW-3 not home"

before=$(q "$tmp/reg.db" "SELECT count(*) FROM token; SELECT count(*) FROM custody_event;
         SELECT count(*) FROM kit_conflict; SELECT count(*) FROM audit")
td kit merge "$tmp/a.kit" >/dev/null || td_fail "merge a again"
td kit merge "$tmp/b.kit" >/dev/null || td_fail "merge b again"
[ "$(q "$tmp/reg.db" "SELECT count(*) FROM token; SELECT count(*) FROM custody_event;
     SELECT count(*) FROM kit_conflict; SELECT count(*) FROM audit")" = "$before" ] ||
	td_fail "a second merge changed something"
q "$tmp/reg.db" "PRAGMA foreign_key_check" | grep -q . && td_fail "dangling references"

# A kit whose uuid is not one `kit make` writes is refused before anything
# is read from it (the uuid is stored with every field audit row).
td kit make --agencies SB -o "$tmp/c.kit" >/dev/null || td_fail "kit make c"
q "$tmp/c.kit" "UPDATE meta SET value = 'ab\"c' WHERE key = 'kit_uuid'"
td kit merge "$tmp/c.kit" >/dev/null 2>"$tmp/c.err" && td_fail "a forged kit uuid was merged"
grep -q "is not a field kit" "$tmp/c.err" || td_fail "forged uuid: $(cat "$tmp/c.err")"
# The field's tokens came from a raw tool, with no audit row anywhere:
# audit verify names them (the chain itself holds).
td audit verify >/dev/null 2>"$tmp/v.err" && td_fail "unaudited field rows pass audit verify"
for s in T-NEW-1 T-NEW-2 T-NEW-3; do
	grep -q "token $s: this row has no audit row" "$tmp/v.err" ||
		td_fail "audit verify does not name $s: $(cat "$tmp/v.err")"
done
grep -q "does not match its hash\|first broken row" "$tmp/v.err" && td_fail "the chain broke"
exit 0
