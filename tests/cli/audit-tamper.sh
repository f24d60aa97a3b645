# audit-tamper.sh: editing, deleting or reordering audit rows by hand
# with sqlite3 makes `audit verify` fail and name the first broken row.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 shell missing"; exit 77; }

demo_import || fail "demo import"
expect_status 0 td audit verify
expect_in "$tmp/out" "hash chain verified"
cp "$TOKENDESK_DB" "$tmp/pristine.db"
restore() { cp "$tmp/pristine.db" "$TOKENDESK_DB"; rm -f "$TOKENDESK_DB-wal" "$TOKENDESK_DB-shm"; }

sqlite3 "$TOKENDESK_DB" "UPDATE audit SET after = replace(after, '2028', '2038') WHERE id = 42 AND after LIKE '%2028%'; UPDATE audit SET operator = 'mallory' WHERE id = 42"
expect_status 65 td audit verify
expect_in "$tmp/err" "audit row 42"
expect_in "$tmp/err" "first broken row: 42"

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
