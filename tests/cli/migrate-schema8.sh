# migrate-schema8.sh: a registry made by release 0.1.0 (schema 6,
# tests/cli/schema6) migrates through 7 to 8: the signature and
# checkpoint tables come empty, the chain still verifies (with no
# checkpoint to check), and a handover recorded afterwards prints a PDF
# whose QR code text `receipt --verify` (which, the file being unsigned,
# does not call it verified) and `receipt --qr` match, and no
# longer match once the registry's copy of the record is changed.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"
S="$TD_SRCDIR/tests/cli/schema6"
command -v sqlite3 >/dev/null || exit 77

cp "$S/registry.db" "$TOKENDESK_DB" && chmod 600 "$TOKENDESK_DB" || fail "copy"
q() { sqlite3 "$TOKENDESK_DB" "$1"; }
expect_eq "$(q 'PRAGMA user_version')" 6 "fixture's schema"
"$TOKENDESK" --db "$tmp/fresh.db" -q init >/dev/null || fail "init of a fresh registry"
latest=$(sqlite3 "$tmp/fresh.db" 'PRAGMA user_version')   # 8 or later
expect_status 0 td init
expect_eq "$(q 'PRAGMA user_version')" "$latest" "schema after the migration"
expect_eq "$(q 'SELECT count(*) FROM handover_signature')" 0 "signatures after the migration"
expect_eq "$(q 'SELECT count(*) FROM audit_checkpoint')" 0 "checkpoints after the migration"
expect_status 0 td audit verify
expect_not_in "$tmp/out" "checkpoint"

expect_status 0 td handover --to dost --force --reason "nộp thẳng cho Sở" TKA001
n=$(td receipt --list | awk 'NR==1 {print $1}')
expect_status 0 td receipt "$n" --pdf "$tmp/r.pdf"
# unsigned: its QR names the record, but nothing proves the content
expect_status 65 td receipt "$n" --verify "$tmp/r.pdf"
expect_in "$tmp/out" "is the record of handover $n"
expect_in "$tmp/out" "no signatures: nothing proves this file's content"
expect_in "$tmp/out" "NOT verified"
expect_status 65 td --lang vi receipt "$n" --verify "$tmp/r.pdf"
expect_in "$tmp/out" "là biên bản bàn giao $n như CSDL đang lưu"
qr=$(strings "$tmp/r.pdf" | sed -n 's/.*\/Keywords (\(TDREC:[^ ]*\) .*/\1/p' | head -n 1)
case $qr in TDREC:"$n":????????????????????????????????????????????????????????????????) ;;
*) fail "QR text in the PDF: '$qr'" ;; esac
expect_status 0 td receipt --qr "$qr"
expect_in "$tmp/out" "the paper matches the registry"
expect_status 64 td receipt --qr "BG-2026-0001"
# The registry's record changed behind tokendesk's back: the paper no
# longer matches it.
q "UPDATE handover SET remarks = 'sửa sau' WHERE number = '$n'"
expect_status 65 td receipt --qr "$qr"
expect_in "$tmp/out" "does NOT match"
expect_status 65 td receipt "$n" --verify "$tmp/r.pdf"
expect_in "$tmp/out" "is NOT the record of handover $n"
finish
