# audit-tamper.sh: editing, deleting or reordering audit rows by hand
# with sqlite3 makes `audit verify` fail and name the first broken row.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 shell missing"; exit 77; }

demo_import || fail "demo import"
# 30 personal certificates change position: 30 row-level audit rows.
awk -F, 'BEGIN { OFS = "," } NR > 1 && $2 == "person" && n < 30 && $5 !~ /"/ { $5 = "Kiểm soát viên"; n++ } { print }' \
	"$TD_SRCDIR/data/demo/certificates.csv" >"$tmp/updated.csv"
expect_status 0 td import "$tmp/updated.csv"
expect_in "$tmp/out" "30 updated"
expect_status 0 td audit verify
expect_in "$tmp/out" "hash chain verified"
cp "$TOKENDESK_DB" "$tmp/pristine.db"
restore() { cp "$tmp/pristine.db" "$TOKENDESK_DB"; rm -f "$TOKENDESK_DB-wal" "$TOKENDESK_DB-shm"; }

sqlite3 "$TOKENDESK_DB" "UPDATE audit SET after = replace(after, 'Kiểm soát viên', 'Giám đốc') WHERE id = 20"
expect_status 65 td audit verify
expect_in "$tmp/err" "audit row 20"
expect_in "$tmp/err" "first broken row: 20"

restore
sqlite3 "$TOKENDESK_DB" "DELETE FROM audit WHERE id = 17"
expect_status 65 td audit verify
expect_in "$tmp/err" "first broken row: 18"

restore
sqlite3 "$TOKENDESK_DB" "UPDATE audit SET id = -5 WHERE id = 5; UPDATE audit SET id = 5 WHERE id = 6; UPDATE audit SET id = 6 WHERE id = -5"
expect_status 65 td audit verify
expect_in "$tmp/err" "first broken row: 5"

restore
last=$(sqlite3 "$TOKENDESK_DB" "SELECT max(id) FROM audit")
sqlite3 "$TOKENDESK_DB" "DELETE FROM audit WHERE id = $last"
expect_status 65 td audit verify
expect_in "$tmp/err" "were deleted"

restore
expect_status 0 td audit verify
finish
