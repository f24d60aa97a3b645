#!/bin/sh
# The desk lists the handover records (newest first; o sorts by number,
# then by receiver), reopens one as it was printed (Enter: the record's
# text, read-only, where p and s work as on the list) and prints it
# again as a PDF into records/ beside the registry (p), mode 600;
# nothing is written to the registry.
. "$TD_SRCDIR/tests/tui/lib.sh"
demo_registry
td() { "$TOKENDESK" --db "$tmp/reg.db" "$@"; }
n1=$(td handover --to dost --force --reason "nộp thẳng cho Sở" 3792084583 | grep -o "BG-[0-9]*-[0-9]*" | head -1) || fail "first handover"
n2=$(td handover --to agency:DC.STC C09FB448 | grep -o "BG-[0-9]*-[0-9]*" | head -1) || fail "second handover"
[ -n "$n1" ] && [ -n "$n2" ] || fail "no handover numbers"
sum=$(sha256sum <"$tmp/reg.db")
start_desk 100 30 -- --lang en
keys r
wait_for "Handover records: 2, newest first" || fail "r did not list the records: $(screen)"
# newest first: the second handover is on top
[ "$(screen | grep -n "$n2" | head -1 | cut -d: -f1)" -lt \
  "$(screen | grep -n "$n1" | head -1 | cut -d: -f1)" ] || fail "not newest first"
on_screen "Sở Khoa học và Công nghệ" || fail "the receiver is not shown"
keys o
wait_for "by number" || fail "o did not sort by number"
[ "$(screen | grep -n "$n1" | head -1 | cut -d: -f1)" -lt \
  "$(screen | grep -n "$n2" | head -1 | cut -d: -f1)" ] || fail "not by number"
keys Home Enter
wait_for "BIÊN BẢN BÀN GIAO" || fail "Enter did not reopen the record: $(screen)"
on_screen "3792084583" || fail "the reopened record lacks its token"
# the list's p and s work on the reopened record too: p (the plan's
# key elsewhere) prints it, not opens the plan
on_screen "p print again (PDF)" || fail "the reopened record shows no keys"
keys p
wait_for "Printed again:" 10 || fail "p on the reopened record did not print: $(screen)"
off_screen "Reorganization plan" || fail "p on the reopened record opened the plan"
rm -f "$tmp/records/$n1.pdf"
keys s
wait_for "Signatures" || fail "s on the reopened record did not open its signatures"
keys Escape
wait_for "BIÊN BẢN BÀN GIAO" || fail "Esc did not go back to the reopened record"
keys Escape
wait_for "Handover records" || fail "Esc did not go back to the list"
keys p
wait_for "Printed again:" 10 || fail "p did not print: $(screen)"
pdf="$tmp/records/$n1.pdf"
[ -f "$pdf" ] || fail "no $pdf"
[ "$(stat -c %a "$pdf")" = 600 ] || fail "the PDF is not mode 600"
if command -v pdftotext >/dev/null; then
	pdftotext "$pdf" - | grep -q "BIÊN BẢN BÀN GIAO" || fail "the PDF lacks its title"
fi
# s: the record's own screen, its signatures and signing it
keys s
wait_for "Signatures" || fail "s did not open the record's signatures: $(screen)"
keys Escape
wait_for "Handover records" || fail "Esc did not go back to the list (2)"
keys F10
wait_exit 0 || fail "no clean exit"
[ "$(sha256sum <"$tmp/reg.db")" = "$sum" ] || fail "the registry was written"
exit 0
