#!/bin/sh
# The Decree 68 forms from the plan screen (issue 25, issue 26 item 5):
# F opens a dialog choosing the form (1-4), the format (x XLSX, p PDF)
# and the tags (b: the last batch sent to DOST, or those not yet sent);
# Enter writes into records/ beside the registry and says the file.  The
# files hold what `tokendesk forms` writes for the same batch.  At 80x24
# in Vietnamese: the dialog whole, nothing cut.
. "$TD_SRCDIR/tests/tui/lib.sh"
command -v pdftotext >/dev/null 2>&1 || { echo "pdftotext not installed"; exit 77; }
py=
for p in /usr/bin/python3 python3; do
	"$p" -c 'import openpyxl' 2>/dev/null && { py=$p; break; }
done
[ -n "$py" ] || { echo "python3-openpyxl not installed"; exit 77; }
export TOKENDESK_TODAY=2025-06-01
demo_registry
td() { TOKENDESK_OPERATOR=tester "$TOKENDESK" --db "$tmp/reg.db" "$@"; }
td -q plan import "$TD_SRCDIR/data/demo/plan.csv" >/dev/null || fail "plan import"
td -q plan apply >/dev/null || fail "plan apply"
td -q tag send >/dev/null || fail "tag send"
# what the CLI writes for batch 1, to compare with
td -q forms --kind revoke --batch 1 -o "$tmp/cli.xlsx" >/dev/null || fail "forms (CLI)"

start_desk 80 24 TOKENDESK_TODAY=2025-06-01 -- --lang vi
keys F7
wait_for "Mẫu đơn" || fail "the plan screen does not offer the forms"
keys F
wait_for "Mẫu đơn gửi tổ chức chứng thực (NĐ 68)" || fail "F did not open the forms dialog"
wait_for "▶ 1  Thu hồi (Mẫu 05)" || fail "the revocation form is not chosen first"
wait_for "Cờ: đợt 1, đã gửi Sở KH&CN" || fail "the last batch sent is not the default"
wait_for "Định dạng: bảng tính (XLSX)" || fail "XLSX is not the default"
on_screen "Enter: ghi" || fail "the dialog's keys are not shown"
screen | grep -q "…" && fail "the dialog is cut at 80x24 in Vietnamese"
keys Enter
wait_for "Đã ghi mẫu đơn" 10 || fail "Enter did not write the forms"
xlsx="$tmp/records/forms-revoke-b1-2025-06-01.xlsx"
[ -f "$xlsx" ] || fail "no $xlsx"
[ "$(stat -c %a "$xlsx")" = 600 ] || fail "the forms are not mode 600"
wait_for "Thu hồi (Mẫu 05):" || fail "the report box does not say what was written"
on_screen "forms-revoke-b1-2025-06-01.xlsx" || fail "the report box does not name the file"
"$py" - "$xlsx" "$tmp/cli.xlsx" <<'PY' || fail "the desk's forms differ from the CLI's"
import sys, openpyxl
def cells(p):
    wb = openpyxl.load_workbook(p)
    return [(ws.title, [[c for c in r] for r in ws.iter_rows(values_only=True)])
            for ws in wb.worksheets]
desk, cli = cells(sys.argv[1]), cells(sys.argv[2])
assert desk, "no sheet"
assert any("Mẫu số 05" in str(c) for _, rows in desk for r in rows for c in r), "not Mẫu 05"
assert desk == cli, (desk[:1], cli[:1])
PY
keys Escape
# the PDF of the same form
keys F
wait_for "Mẫu đơn gửi tổ chức chứng thực (NĐ 68)" || fail "F did not open the dialog again"
keys p
wait_for "Định dạng: PDF" || fail "p did not choose PDF"
keys Enter
wait_for "Đã ghi mẫu đơn" 20 || fail "Enter did not write the PDF"
pdf="$tmp/records/forms-revoke-b1-2025-06-01.pdf"
[ -f "$pdf" ] || fail "no $pdf"
pdftotext "$pdf" "$tmp/f.txt" || fail "pdftotext"
grep -q "Mẫu số 05" "$tmp/f.txt" || fail "the PDF is not Mẫu 05: $(head -5 "$tmp/f.txt")"
grep -q "THU HỒI" "$tmp/f.txt" || fail "the PDF lacks its title"
keys Escape
# the Word document of the same form: the letter Vietnamese offices edit
keys F
wait_for "Mẫu đơn gửi tổ chức chứng thực (NĐ 68)" || fail "F did not open the dialog for Word"
keys w
wait_for "Định dạng: văn bản Word (DOCX)" || fail "w did not choose Word"
keys Enter
wait_for "Đã ghi mẫu đơn" 20 || fail "Enter did not write the DOCX"
docx="$tmp/records/forms-revoke-b1-2025-06-01.docx"
[ -f "$docx" ] || fail "no $docx"
python3 - "$docx" <<'PY' || fail "the DOCX is not Mẫu 05"
import sys, zipfile
xml = zipfile.ZipFile(sys.argv[1]).read("word/document.xml").decode()
assert "Mẫu số 05" in xml and "THU HỒI" in xml, xml[:300]
PY
keys Escape
# the tags not yet sent: there are none, said, nothing written, the
# dialog stays for another choice
keys F
wait_for "▶ 1  Thu hồi (Mẫu 05)" || fail "F did not open the dialog a third time"
keys b
wait_for "Cờ: các cờ chưa gửi Sở KH&CN" || fail "b did not choose the tags not yet sent"
keys Enter
wait_for "Mẫu đơn gửi tổ chức chứng thực (NĐ 68)" || fail "the dialog closed on nothing to write"
ls "$tmp/records" | grep -v b1 | grep -q forms && fail "a form was written with no tag"
keys Escape
wait_for "Chưa ghi mẫu đơn nào." || fail "Esc did not say nothing was written"
keys F10
wait_exit 0 || fail "no clean exit"
exit 0
