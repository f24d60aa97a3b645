#!/bin/sh
# kit-new-rows: rows the field added come home with fresh ids, and rows
# that refer to them follow.  A kit whose new rows all fit goes in at
# once (kit_bulk.c); one with a token serial also added at home meanwhile
# keeps that token and its custody event as conflicts, row by row, and
# brings the rest.  Either way every custody event ends on the token it
# was recorded for, and a second merge changes nothing.  audit verify
# counts what was applied and nothing held as a conflict; a token a raw
# tool added is refused in a kit and named at home.
. "$TD_SRCDIR/tests/cli/count-common.sh"
province_test sqlite3
q() { sqlite3 "$1" "$2"; }

# new_token KIT SERIAL CERT: a token registered in the field (a certificate
# imported there, which waits home as a conflict: master data), with the
# custody event that put it in agency SB's hands, its remarks 'new
# SERIAL' (so each event can be told to have landed on its own token).
# Both audited, as a kit's rows must be (kit_backing.c): the remarks go
# in through the move itself, never edited afterwards.
new_token() {
	{ head -1 "$tmp/certs.csv"
	  echo "$3,person,Hoàng Văn Em,001090000005,Chuyên viên,SB,2024-01-01,2027-01-01,$2,ePass,"
	} > "$tmp/new.csv"
	"$TOKENDESK" --db "$1" import "$tmp/new.csv" >/dev/null || td_fail "field import $2"
	"$move" "$1" "$2" agency:SB at_agency "new $2" || td_fail "field move $2"
}
# events_ok SERIAL N: SERIAL has N custody events at home, each naming it.
events_ok() {
	got=$(q "$tmp/reg.db" "SELECT count(*) FROM custody_event e JOIN token t
	        ON t.id = e.token_id WHERE t.serial = '$1'")
	[ "$got" = "$2" ] || td_fail "$1 has $got custody events at home, not $2"
	bad=$(q "$tmp/reg.db" "SELECT count(*) FROM custody_event e JOIN token t
	        ON t.id = e.token_id WHERE e.remarks LIKE 'new %' AND e.remarks <> 'new ' || t.serial")
	[ "$bad" = 0 ] || td_fail "$bad custody events point at the wrong token"
	case $1 in T-NEW-*)
		[ "$(q "$tmp/reg.db" "SELECT count(*) FROM custody_event e JOIN token t
		     ON t.id = e.token_id WHERE t.serial = '$1' AND e.remarks = 'new $1'")" = 1 ] ||
			td_fail "$1's field event is not marked 'new $1'"
	esac
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
# Every token the field added came home with its audit rows: the
# registry verifies whole, conflicts held and all (a custody event kept
# as a conflict, certificates waiting as master data, are not counted).
td audit verify >/dev/null 2>"$tmp/v.err" || td_fail "the honest merges do not verify: $(cat "$tmp/v.err")"
# Deciding them: home's T-NEW-1 stays (kit b's was the same serial), and
# the field's version of kit b's custody event of it and of kit a's
# certificate f001 is kept.  Both land on home's T-NEW-1 (a conflict
# holds home's ids, never the kit's, which name other rows here), and
# audit verify counts the event from its kit.resolve row on.
conflict() { q "$tmp/reg.db" "SELECT id FROM kit_conflict WHERE $1"; }
td kit resolve "$(conflict "tbl = 'token'")" --keep home >/dev/null || td_fail "keep home"
td kit resolve "$(conflict "tbl = 'custody_event'")" --keep field >/dev/null ||
	td_fail "keep the field's event"
td kit resolve "$(conflict "json_extract(field_new, '$.serial') = 'f001'")" --keep field \
	>/dev/null || td_fail "keep the field's certificate"
[ "$(q "$tmp/reg.db" "SELECT group_concat(t.serial || ':' || e.remarks, ' ') FROM
     custody_event e JOIN token t ON t.id = e.token_id WHERE e.remarks LIKE 'new T-NEW-1'")" = \
  "T-NEW-1:new T-NEW-1 T-NEW-1:new T-NEW-1" ] ||
	td_fail "the kept event is not on T-NEW-1: $(q "$tmp/reg.db" "SELECT t.serial, e.remarks
	         FROM custody_event e JOIN token t ON t.id = e.token_id")"
[ "$(q "$tmp/reg.db" "SELECT t.serial FROM certificate c JOIN token t ON t.id = c.token_id
     WHERE c.serial = 'f001'")" = T-NEW-1 ] || td_fail "the kept certificate is not on T-NEW-1"
td audit verify >/dev/null 2>"$tmp/v.err" || td_fail "decided conflicts do not verify: $(cat "$tmp/v.err")"
# A token added to a kit by a raw tool, with no audit row, is refused
# whole (exit 65, named), and home is left as it was.
td kit make --agencies SB -o "$tmp/d.kit" >/dev/null || td_fail "kit make d"
q "$tmp/d.kit" "INSERT INTO token (serial, model, state, custodian)
	VALUES ('T-RAW-1', 'ePass', 'at_agency', 'agency:SB')"
q "$tmp/reg.db" .dump > "$tmp/home.dump"
td kit merge "$tmp/d.kit" >/dev/null 2>"$tmp/d.err"
[ $? = 65 ] || td_fail "a raw token in a kit was not refused (65): $(cat "$tmp/d.err")"
grep -q "token T-RAW-1 was added with no certificate" "$tmp/d.err" ||
	td_fail "the raw token is not named: $(cat "$tmp/d.err")"
q "$tmp/reg.db" .dump | cmp -s - "$tmp/home.dump" || td_fail "the refused merge changed home"
# The same at home: audit verify names it (the chain itself holds).
q "$tmp/reg.db" "INSERT INTO token (serial, model, state, custodian)
	VALUES ('T-RAW-2', 'ePass', 'at_agency', 'agency:SB')"
td audit verify >/dev/null 2>"$tmp/v.err"
[ $? = 65 ] || td_fail "a raw token at home passes audit verify (not 65)"
grep -q "token T-RAW-2: this row has no audit row" "$tmp/v.err" ||
	td_fail "audit verify does not name T-RAW-2: $(cat "$tmp/v.err")"
grep -q "^tokendesk: 1 row(s) differ" "$tmp/v.err" ||
	td_fail "audit verify names more than the raw token: $(cat "$tmp/v.err")"
grep -q "does not match its hash\|first broken row" "$tmp/v.err" && td_fail "the chain broke"
exit 0
