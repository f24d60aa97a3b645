#!/bin/sh
# kit-tamper: a field kit is data, never code, and brings home only what
# its own audit log records (issue 21, item 2).  A kit edited with the
# sqlite3 shell on the USB stick is refused whole, exit 65, with what was
# found named, and home is left exactly as it was:
#  - a row changed with no audit row (a token sent to the CA by hand);
#  - a row changed unlike its audit row (a real handover, then the row
#    edited), and a row changed with a forged audit row whose hash chain
#    verifies but whose before does not match the kit as made;
#  - a custody event planted with no token.move row, or a real one whose
#    remarks, condition or time were edited; master data edited;
#  - a key (index) dropped from the kit or its image;
#  - a trigger in the kit; a trigger and a view in its image of itself as
#    made (kit_base.image), which the merge used to run; a table and a
#    column tokendesk's schema does not have.
. "$TD_SRCDIR/tests/cli/count-common.sh"
province_test sqlite3 python3
q() { sqlite3 "$1" "$2"; }
K() { "$TOKENDESK" --db "$kit" "$@"; }

# The kit as the field team brought it back: a handover of T-SB-01.
kit=$tmp/field.kit
td kit make --agencies SB -o "$kit" >/dev/null || td_fail "kit make"
K handover --to agency:SB T-SB-01 >/dev/null || td_fail "field handover"
cp "$kit" "$tmp/pristine.kit"

# fresh: $kit back as it came from the field.
fresh() { cp "$tmp/pristine.kit" "$kit"; }

# refused WHAT: the merge of $kit exits 65 saying WHAT (an ERE), and
# neither home nor the kit changed.
refused() {
	q "$tmp/reg.db" .dump > "$tmp/home.dump"
	cp "$kit" "$tmp/kit.before"
	td kit merge "$kit" > "$tmp/out" 2>&1
	rc=$?
	[ $rc = 65 ] || td_fail "exit $rc, not 65, for '$1': $(cat "$tmp/out")"
	grep -Eq "$1" "$tmp/out" || td_fail "unclear refusal (wanted '$1'): $(cat "$tmp/out")"
	grep -q "not merged" "$tmp/out" || td_fail "does not say not merged: $(cat "$tmp/out")"
	q "$tmp/reg.db" .dump | cmp -s - "$tmp/home.dump" || td_fail "home changed ($1)"
	cmp -s "$kit" "$tmp/kit.before" || td_fail "the merge wrote to the kit ($1)"
}

# edit_image SQL: SQL run on the image the kit keeps of itself as made.
edit_image() {
	q "$kit" "SELECT writefile('$tmp/image', image) FROM kit_base" >/dev/null
	q "$tmp/image" "$1" || td_fail "editing the image"
	q "$kit" "UPDATE kit_base SET image = readfile('$tmp/image')" >/dev/null
}

# ---- rows edited by hand --------------------------------------------------------
fresh
q "$kit" "UPDATE token SET custodian = 'ca', state = 'sent_to_ca' WHERE serial = 'T-SB-02'"
refused "token T-SB-02 is changed with no audit row of the kit"

fresh
q "$kit" "UPDATE token SET custodian = 'ca', state = 'sent_to_ca' WHERE serial = 'T-SB-01'"
refused "token T-SB-01 as it came back: (custodian is 'ca'|state is 'sent_to_ca'), the kit's audit row [0-9]+ says '(agency:SB|at_agency)'"

# master data edited by hand: it would only wait as a conflict, but a
# person could keep it at `kit resolve`
fresh
q "$kit" "UPDATE certificate SET status = 'active', revoked_at = NULL WHERE serial = 'b001'"
q "$kit" "UPDATE holder SET email = 'em@sob.gov.vn' WHERE ext_id = '001090000005'"
refused "holder 001090000005 is changed with no audit row of the kit"

fresh
q "$kit" "INSERT INTO custody_event (token_id, at, operator, from_custodian,
	to_custodian, state) SELECT id, '2026-11-20T08:00:00Z', 'x',
	'holder:001090000006', 'ca', 'sent_to_ca' FROM token WHERE serial = 'T-SB-02'"
refused "token T-SB-02 has a custody event unlike the token.move rows"

# The field's real custody event, its remarks (or condition, time)
# edited afterwards: each field of the event is held against the event
# its token.move row recorded.
fresh
q "$kit" "UPDATE custody_event SET remarks = 'edited' WHERE id = (SELECT max(id) FROM custody_event)"
refused "token T-SB-01 has a custody event unlike the token.move rows .*: remarks is 'edited', its audit row [0-9]+ says '[^']*'"
fresh
q "$kit" "UPDATE custody_event SET condition = 'scratched' WHERE id = (SELECT max(id) FROM custody_event)"
refused "token T-SB-01 has a custody event unlike .*: condition is 'scratched', its audit row [0-9]+ says '\(none\)'"
fresh
q "$kit" "UPDATE custody_event SET at = '2026-01-01T00:00:00Z' WHERE id = (SELECT max(id) FROM custody_event)"
refused "token T-SB-01 has a custody event unlike .*: at is '2026-01-01T00:00:00Z'"

# A forged token.move row, chained with the right hashes (the chain is
# SHA-256 over the rows, audit.c) and the head moved on, with the custody
# event it implies: the chain verifies and the event pairs with the row,
# but the row's before is not the token as the kit was made.
fresh
q "$kit" "UPDATE token SET custodian = 'ca', state = 'sent_to_ca' WHERE serial = 'T-SB-02'"
python3 - "$kit" <<'PY' || td_fail "forging an audit row"
import hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
last_id, prev = db.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
row = [str(last_id + 1), "2026-11-20T08:00:00Z", "tester", "token.move", "token",
       "T-SB-02",
       '{"serial":"T-SB-02","model":"ePass","state":"at_dost","custodian":"dost"}',
       '{"serial":"T-SB-02","model":"ePass","state":"sent_to_ca","custodian":"ca"}']
h = hashlib.sha256(prev.encode())
for f in row:
    h.update(b"\x1f" + f.encode())
digest = h.hexdigest()
db.execute("INSERT INTO audit (id, at, operator, action, entity, entity_key, before,"
           " after, hash) VALUES (?,?,?,?,?,?,?,?,?)", row + [digest])
db.execute("UPDATE meta SET value = ? WHERE key = 'audit_head'", ("%d:%s" % (last_id + 1, digest),))
db.execute("INSERT INTO custody_event (token_id, at, operator, from_custodian,"
           " to_custodian, state) SELECT id, '2026-11-20T08:00:00Z', 'tester',"
           " 'dost', 'ca', 'sent_to_ca' FROM token WHERE serial = 'T-SB-02'")
db.commit()
PY
"$TOKENDESK" --db "$kit" audit verify >/dev/null || td_fail "the forged chain does not verify"
refused "token T-SB-02 as made: (custodian is 'holder:001090000006', the kit's audit row [0-9]+ says 'dost'|state is 'in_use', the kit's audit row [0-9]+ says 'at_dost')"

# ---- code in the kit or its image -------------------------------------------------
fresh
q "$kit" "CREATE TRIGGER planted AFTER INSERT ON audit BEGIN SELECT 1; END"
refused "kit .*field\.kit holds a trigger 'planted'"

# The attack the issue found: a trigger in the image that fired during
# the merge's diff and sent every token of the kit to 'lost'.
fresh
edit_image "CREATE TRIGGER lost AFTER UPDATE ON token BEGIN
	UPDATE token SET state = 'lost'; END"
refused "the kit's image of itself as made holds a trigger 'lost'"
[ "$(q "$tmp/reg.db" "SELECT count(*) FROM token WHERE state = 'lost'")" = 0 ] ||
	td_fail "tokens lost at home"

fresh
edit_image "CREATE VIEW quiet AS SELECT * FROM token"
refused "the kit's image of itself as made holds a view 'quiet'"

# ---- tables and columns tokendesk's schema does not have ---------------------------
fresh
q "$kit" "CREATE TABLE extra (x TEXT); INSERT INTO extra VALUES ('x')"
refused "kit .*field\.kit holds a table 'extra' that tokendesk's schema does not have"

fresh
q "$kit" "ALTER TABLE token ADD COLUMN note TEXT"
refused "kit .*field\.kit holds a column 'token\.note' that tokendesk's schema does not have"

fresh
edit_image "ALTER TABLE custody_event ADD COLUMN note TEXT"
refused "the kit's image of itself as made holds a column 'custody_event\.note'"

# a key dropped, then one person held twice: the key is an index of its
# own (schema step 13), and a kit without it is refused for that alone
fresh
q "$kit" "DROP INDEX holder_key; INSERT INTO holder (kind, ext_id, name, agency_id)
	SELECT kind, ext_id, name || ' B', agency_id FROM holder WHERE kind = 'person' LIMIT 1"
refused "kit .*field\.kit lacks the index 'holder_key' of tokendesk's schema"
fresh
edit_image "DROP INDEX token_serial"
refused "the kit's image of itself as made lacks the index 'token_serial'"

# ---- a count closed in the field, its lines edited on the stick ---------------------
# Two outcomes swapped (the tallies stay), then a custodian's name made a
# terminal escape: the lines are not those count.close froze.
for edit in "UPDATE count_result SET outcome = CASE outcome WHEN 'found' THEN 'missing' ELSE 'found' END, scans = 1 - scans WHERE id IN ((SELECT min(id) FROM count_result WHERE outcome = 'found'), (SELECT min(id) FROM count_result WHERE outcome = 'missing'))" \
	"UPDATE count_result SET custodian_name = char(27) || '[31mRED' WHERE id = (SELECT max(id) FROM count_result)" \
	"DELETE FROM count_result WHERE count_id = (SELECT max(id) FROM count_session)"; do
	fresh
	c=$(K count start --agency SB | tail -1) || td_fail "field count start"
	K count scan "$c" T-SB-02 >/dev/null || td_fail "field count scan"
	K count close "$c" -o "$tmp" >/dev/null || td_fail "field count close"
	[ "$(q "$kit" "SELECT count(*) FROM count_result WHERE outcome = 'missing'")" -gt 0 ] ||
		td_fail "the field count has no missing line to swap"
	q "$kit" "$edit"
	refused "count [0-9a-f-]+ has count lines other than those its count\.close row froze"
done

# ---- and the kit as it came back merges -------------------------------------------
fresh
td kit merge "$kit" > "$tmp/out" 2>&1 || td_fail "the honest kit: $(cat "$tmp/out")"
td audit verify >/dev/null || td_fail "audit chain after the merge"
exit 0
