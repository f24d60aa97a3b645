# audit-state.sh: audit verify checks the registry's rows against the
# audit trail, not only the chain.  A registry that went through every
# kind of write verifies; each row edited, deleted or added with the
# sqlite3 shell (as an attacker with the file would) fails it, exit 65,
# with a line naming table, key and field, and the file is left as it
# was.  The last line is the head to keep; --head checks a kept one.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 shell missing"; exit 77; }

# Every kind of write: imports (bulk, then row updates, then a
# certificate moved to a new token that is then handed over), handovers with a
# place, a dossier handed over, a plan applied and sent, manual tags (one
# removed), a count, a kit made, used and merged, a holder marked.
build_registry() {
	demo_import || return 1
	awk -F, 'BEGIN { OFS = "," } NR > 1 && $2 == "person" && n < 3 && $5 !~ /"/ { $5 = "Kiểm soát viên"; n++ } { print }' \
		"$TD_SRCDIR/data/demo/certificates.csv" >"$tmp/updated.csv"
	td import "$tmp/updated.csv" &&
	td handover --to agency:DC --place "Hà Nội" 3792084583 &&
	td handover --to dost --force --reason "nộp thẳng cho Sở" 13F43E2B &&
	# a certificate re-issued onto a new token (the old one keeps its
	# row, with no certificate now), and the new token handed over
	{ head -n 1 "$tmp/updated.csv"; awk -F, 'BEGIN { OFS = "," } $9 == "6682165696" { $9 = "NEWTOKEN01"; $10 = "SoftHSM v2"; print }' \
		"$tmp/updated.csv"; } >"$tmp/newtoken.csv" &&
	td import "$tmp/newtoken.csv" &&
	td handover --to dost --force --reason "nộp thẳng cho Sở" NEWTOKEN01 &&
	td dossier add --agency DC.VP --kind renewal --ref HS-001 --holder 098084373134 &&
	td dossier handover --from agency:DC.VP --to agency:DC.SNV HS-001 &&
	td plan import "$TD_SRCDIR/data/demo/plan.csv" && td plan apply && td tag send &&
	td tag collect 177CA4EC --reason "thu hồi" &&
	td tag collect 8878595222 --reason "thu hồi" && td tag remove 8878595222 &&
	td count start --agency DC && td count scan 1 3792084583 && td count close 1 -o "$tmp" &&
	td kit make --agencies DC -o "$tmp/field.kit" &&
	td --db "$tmp/field.kit" handover --to agency:DC 8878595222 &&
	td kit merge "$tmp/field.kit" &&
	td holder set 098084373134 --no-longer-needed
}
build_registry >"$tmp/build.out" 2>&1 || { cat "$tmp/build.out"; echo "FAIL: building the registry"; exit 1; }

expect_status 0 td audit verify
expect_in "$tmp/out" "every audited row matches its audit trail"
head_line=$(tail -n 1 "$tmp/out")
case $head_line in
"head "[0-9]*" "????????????????????????????????????????????????????????????????) ;;
*) fail "last line is not 'head ID SHA256HEX': $head_line" ;;
esac
head_id=$(echo "$head_line" | cut -d' ' -f2)
head_hex=$(echo "$head_line" | cut -d' ' -f3)
expect_eq "$head_id:$head_hex" "$(sqlite3 "$TOKENDESK_DB" "SELECT id || ':' || hash FROM audit ORDER BY id DESC LIMIT 1")" \
	"the head printed"
expect_status 0 td audit verify --json
expect_eq "$(jq -r '(.head_id|tostring) + ":" + .head' "$tmp/out")" "$head_id:$head_hex" "--json head"
expect_eq "$(jq -r .ok "$tmp/out")" true "--json ok"
expect_status 0 td audit verify --head "$head_id:$head_hex"

cp "$TOKENDESK_DB" "$tmp/pristine.db"
restore() { cp "$tmp/pristine.db" "$TOKENDESK_DB"; rm -f "$TOKENDESK_DB-wal" "$TOKENDESK_DB-shm"; }

# tamper SQL LINE...: after SQL, audit verify exits 65 with each LINE on
# stderr, the head line still printed, and the file untouched by verify.
tamper() {
	sql=$1; shift
	restore
	sqlite3 "$TOKENDESK_DB" "PRAGMA foreign_keys = OFF; $sql" || fail "sqlite3: $sql"
	sum=$(sha256sum <"$TOKENDESK_DB")
	expect_status 65 td audit verify
	for line in "$@"; do expect_in "$tmp/err" "$line"; done
	expect_in "$tmp/out" "head $head_id $head_hex"
	expect_eq "$(sha256sum <"$TOKENDESK_DB")" "$sum" "registry after verify of: $sql"
}

# A token that never moved, moved to the CA by hand; one that moved.
tamper "UPDATE token SET custodian = 'ca', state = 'sent_to_ca' WHERE serial = '177CA4EC'" \
	"token 177CA4EC: custodian is 'ca', the audit says 'holder:098093717752'" \
	"token 177CA4EC: state is 'sent_to_ca', the audit says 'in_use'"
tamper "UPDATE token SET custodian = 'ca' WHERE serial = '3792084583'" \
	"token 3792084583: custodian is 'ca', the audit says 'agency:DC'"
# ... in the operator's language
expect_status 65 td --lang vi audit verify
expect_in "$tmp/err" "token 3792084583: custodian là 'ca', nhật ký kiểm toán ghi 'agency:DC'"
expect_in "$tmp/err" "1 dòng khác với điều nhật ký kiểm toán ghi"
# A certificate revoked by plan+CRL is not in the demo: revoke one by hand,
# then un-revoke one revoked through the audit (cert.revoked).
tamper "UPDATE certificate SET status = 'revoked', revoked_at = '2026-01-01' WHERE serial = '54573ea942218ab1ae488090c1f8b985'" \
	"certificate 54573ea942218ab1ae488090c1f8b985: status is 'revoked', the audit says 'active'"
# A handover's place, and an item's proof.
tamper "UPDATE handover SET place = 'Huế' WHERE number LIKE 'BG-%-0001'" \
	"handover BG-" "place is 'Huế', the audit says 'Hà Nội'"
tamper "UPDATE handover_item SET proof = 'matched' WHERE key = '13F43E2B'" \
	"handover BG-" "items[1].proof is 'matched', the audit says 'skipped'"
# Rows deleted: a tag, a custody event, a dossier.
tamper "DELETE FROM tag WHERE target = '177CA4EC'" \
	"tag 177CA4EC: the audit records this row, but it is not there"
tamper "DELETE FROM custody_event WHERE id = (SELECT max(id) FROM custody_event)" \
	"custody event 8878595222: the audit records this row, but it is not there" \
	"foreign key: handover_item row"
tamper "DELETE FROM dossier WHERE ref = 'HS-001'" \
	"dossier HS-001: the audit records this row, but it is not there"
# Rows inserted: a token, a tag, a custody event.
tamper "INSERT INTO token (serial, custodian) VALUES ('EVIL01', 'ca')" \
	"token EVIL01: this row has no audit row"
tamper "INSERT INTO tag (target_kind, target, kind, origin, created, updated) VALUES ('token', 'A437AAB9429B90E7', 'collect', 'manual', 'x', 'x')" \
	"tag A437AAB9429B90E7: this row has no audit row"
tamper "INSERT INTO custody_event (token_id, at, operator, to_custodian, state) SELECT id, 'x', 'x', 'ca', 'sent_to_ca' FROM token WHERE serial = '3792084583'" \
	"custody event 3792084583: 2 rows are here, the audit records 1"
# A tag's state put back; an agency renamed (a bulk row: its digest).
tamper "UPDATE tag SET state = 'tagged', batch = NULL WHERE target = '542b6a49495d6077907fbc755ab535e0'" \
	"tag 542b6a49495d6077907fbc755ab535e0: state is 'tagged', the audit says 'sent_to_dost'" \
	"batch is NULL, the audit says 1"
tamper "UPDATE agency SET name = 'Sở Giả' WHERE code = 'DC.VP'" \
	"agency: the 100 rows that audit row 2 (agency.add.bulk) added, from DC to DC.VD.X08, no longer match its content digest"
tamper "UPDATE holder SET no_longer_needed = 0 WHERE ext_id = '098084373134'" \
	"holder 098084373134: no_longer_needed is 0, the audit says 1"
# A foreign key broken: a certificate on a token that is not there.
tamper "UPDATE certificate SET token_id = 999999 WHERE serial = '54573ea942218ab1ae488090c1f8b985'" \
	"foreign key: certificate row" "refers to a token row that is not there"
# A certificate deleted from a bulk load.
tamper "DELETE FROM certificate WHERE serial = '54573ea942218ab1ae488090c1f8b985'" \
	"certificate: the 427 rows that audit row 3 (cert.add.bulk) added" "are not all there"

# --head: the right one passes; a wrong hash, a cut chain, a bad value fail.
restore
expect_status 0 td audit verify --head "$head_id:$(echo "$head_hex" | tr a-f A-F)"
last=$(echo "$head_hex" | cut -c64)
if [ "$last" = 0 ]; then wrong=$(echo "$head_hex" | cut -c1-63)1; else wrong=$(echo "$head_hex" | cut -c1-63)0; fi
expect_status 65 td audit verify --head "$head_id:$wrong"
expect_in "$tmp/err" "audit row $head_id has hash $head_hex, not the kept $wrong"
# Someone cuts the chain back to an earlier row and mends meta: the chain
# alone verifies, the kept head does not.
cut=$((head_id - 1))
sqlite3 "$TOKENDESK_DB" "DELETE FROM audit WHERE id > $cut;
	UPDATE meta SET value = (SELECT id || ':' || hash FROM audit WHERE id = $cut) WHERE key = 'audit_head'"
expect_status 65 td audit verify --head "$head_id:$head_hex"
expect_in "$tmp/err" "the kept head $head_id is no longer in the audit log"
restore
expect_status 64 td audit verify --head "$head_id"
expect_in "$tmp/err" "not ID:SHA256HEX"
expect_status 64 td audit verify --head "x:$head_hex"

# Two lines' outcomes swapped (the tallies unchanged): the token really
# scanned now "missing", another "found"; and a line's custodian edited.
tamper "UPDATE count_result SET outcome = CASE outcome WHEN 'found' THEN 'missing' ELSE 'found' END, scans = 1 - scans WHERE id IN ((SELECT min(id) FROM count_result WHERE outcome = 'found'), (SELECT min(id) FROM count_result WHERE outcome = 'missing'))" \
	"count " "lines_sha256 is '"
tamper "UPDATE count_result SET custodian = 'ca', custodian_name = 'CA' WHERE id = (SELECT max(id) FROM count_result)" \
	"count " "lines_sha256 is '"
# The stored plan edited between plan import and plan apply: a kept
# agency made to dissolve.
tamper "UPDATE plan_event SET event = 'dissolve', source_codes = target_code WHERE event = 'merge_keep' AND id = (SELECT min(id) FROM plan_event WHERE event = 'merge_keep')" \
	"plan" "content_sha256 is '"

# A dossier added backdated (a clock set back; here the tests' fixed clock):
# its rows are dated before the rows written before them.
restore
TOKENDESK_TEST_NOW=2025-03-01T08:00:00Z td dossier add --agency DC.VP --kind renewal --ref HS-BACK --holder 098084373134 >/dev/null 2>&1 ||
	fail "the backdated dossier"
expect_status 65 td audit verify
expect_in "$tmp/err" "is dated '2025-03-01T08:00:00Z', out of time order (the row before, "
expect_in "$tmp/err" "a clock set back or forward, or a date written by hand"
expect_status 65 td --lang vi audit verify
expect_not_in "$tmp/err" "a clock set back"
restore
# the test clock refuses a time that is no time ("…T08:00:60Z": the row
# gets the real time, in order; such a time would hide the rows around it)
TOKENDESK_TEST_NOW=2025-03-01T08:00:60Z td dossier add --agency DC.VP --kind renewal --ref HS-BACK2 --holder 098084373134 >/dev/null 2>&1 ||
	fail "the dossier with a bad test clock"
expect_status 0 td audit verify
restore

# A holder shared by two certificates loaded in bulk changes through one
# of them (an update), then through a certificate new to the registry
# (an addition, folded into a bulk row: it writes holder.update and
# token.update of its own): the untouched registry verifies.
export TOKENDESK_DB="$tmp/shared.db"
printf 'code,name,parent_code,level\nP,Tỉnh A,,province\nP.S,Sở B,P,department\n' >"$tmp/ag.csv"
printf 'code,name,parent_code,level\nP,Tỉnh A,,province\nP.S,Sở B mới,P,department\n' >"$tmp/ag2.csv"
H=cert_serial,kind,holder_name,holder_id,position,agency_code,not_before,not_after,token_serial,token_model,email
printf '%s\nA1,org,Sở B,P.S,,P.S,2024-01-01,2029-01-01,TK1,ePass,\nA2,org,Sở B,P.S,,P.S,2024-01-01,2029-01-01,TK2,ePass,\n' $H >"$tmp/c1.csv"
printf '%s\nA1,org,Sở B mới,P.S,,P.S,2024-01-01,2029-01-01,TK1,ePass 2,\n' $H >"$tmp/c2.csv"
printf '%s\nA3,org,Sở B mới nữa,P.S,,P.S,2024-01-01,2029-01-01,TK2,ePass 3,\n' $H >"$tmp/c3.csv"
{ td init && td import "$tmp/ag.csv" "$tmp/c1.csv" && td import "$tmp/ag2.csv" "$tmp/c2.csv" &&
  td import "$tmp/ag2.csv" "$tmp/c3.csv"; } >/dev/null || fail "shared holder imports"
expect_eq "$(sqlite3 "$TOKENDESK_DB" "SELECT group_concat(action || ' ' || entity_key, ', ') FROM audit WHERE action GLOB '*.update'")" \
	"agency.update P.S, cert.update a1, holder.update P.S, token.update TK2" "audit rows of the changes"
expect_status 0 td audit verify
sqlite3 "$TOKENDESK_DB" "UPDATE holder SET name = 'Sở X' WHERE ext_id = 'P.S'"
expect_status 65 td audit verify
expect_in "$tmp/err" "holder P.S: name is 'Sở X', the audit says 'Sở B mới nữa'"

# One person on two rows of a list with two positions, one token with two
# models: the registry holds one version of each, and its load's digest
# is of what it holds.
export TOKENDESK_DB="$tmp/messy.db"
printf '%s\nA1,person,Lê Văn A,001000000001,Chuyên viên,P,2024-01-01,2029-01-01,TK1,ePass,\nA2,person,Lê Văn A,001000000001,Trưởng phòng,P,2024-01-01,2029-01-01,TK1,Bit4id,a@b.vn\n' $H >"$tmp/messy.csv"
{ td init && td import "$tmp/ag.csv" "$tmp/messy.csv"; } >/dev/null || fail "messy import"
expect_status 0 td audit verify

# A registry made by the release before this check (audit-release/: its
# images hold fewer fields) verifies untouched, and fails when edited:
# a certificate its CRL revoked is un-revoked, the token a kit conflict
# gave to the field is moved.
export TOKENDESK_DB="$tmp/release.db"
sqlite3 "$TOKENDESK_DB" <"$TD_SRCDIR/tests/cli/audit-release/release.sql" || fail "loading the release registry"
chmod 600 "$TOKENDESK_DB"
expect_status 0 td audit verify
expect_in "$tmp/out" "every audited row matches its audit trail"
head_id=$(tail -n 1 "$tmp/out" | cut -d' ' -f2)
head_hex=$(tail -n 1 "$tmp/out" | cut -d' ' -f3)
cp "$TOKENDESK_DB" "$tmp/pristine.db"
tamper "UPDATE certificate SET status = 'active', revoked_at = NULL WHERE serial = 'a021'" \
	"certificate a021: status is 'active', the audit says 'revoked'" \
	"certificate a021: revoked_at is NULL, the audit says '"
tamper "UPDATE token SET custodian = 'dost', state = 'at_dost' WHERE serial = 'TKA021'" \
	"token TKA021: custodian is 'dost', the audit says 'agency:P.S2'"
tamper "UPDATE count_result SET outcome = 'found' WHERE outcome = 'missing' AND id = (SELECT min(id) FROM count_result WHERE outcome = 'missing')" \
	"count " "found is 2, the audit says 1"
finish
