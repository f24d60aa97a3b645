#!/bin/sh
# The reorganization plan by keys only, at 80x24: a bad plan file is
# refused with FILE:LINE: FIELD problems and nothing stored; the demo plan
# imports; the counts and an old/new DN pair are what `plan show --json`
# says; a merge's certificate is picked for the new name; the plan is
# applied after confirmation (twice: nothing changes the second time); a
# certificate is tagged by hand from its record, the tag removed and
# tagged again; every tag goes to DOST as batch 1; a sent tag cannot be
# changed.  The CLI checks each step in the registry, and the audit chain.
. "$TD_SRCDIR/tests/tui/lib.sh"
export TOKENDESK_TODAY=2025-06-01   # the demo's certificates are valid then
demo_registry
td() {
	"$TOKENDESK" --db "$tmp/reg.db" "$@"
}
# count "KEY": "VALUE" lines in JSON on stdin
jcount() {
	grep -c "\"$1\": *\"$2\""
}
# an unknown agency on line 3
sed '3s/DC.SYT.P2/DC.NOPE/' "$TD_SRCDIR/data/demo/plan.csv" >"$tmp/bad.csv"

start_desk 80 24 TOKENDESK_TODAY=2025-06-01 -- --lang en
keys p
wait_for "No plan stored yet" || fail "p did not open the plan screen"
keys i
wait_for "Import a plan file" || fail "i did not open the import dialog"
type_text "$tmp/bad.csv"
keys Enter
wait_for "Nothing was imported" || fail "a bad plan was not refused"
wait_for "bad.csv:3: source_codes: unknown agency" || fail "no FILE:LINE: FIELD problem"
[ "$(td plan show --json | tr -d ' \n')" = "[]" ] || fail "a bad plan stored something"

# The demo plan as old Vietnamese Excel saves it (cp1258): refused as
# not UTF-8 until its encoding is named in the dialog's second field.
iconv -f UTF-8 -t CP1258 "$TD_SRCDIR/data/demo/plan.csv" >"$tmp/plan.csv" ||
	fail "iconv has no CP1258"
keys C-u
type_text "$tmp/plan.csv"
keys Enter
wait_for "invalid UTF-8" || fail "a cp1258 plan was not refused without its encoding"
keys Tab
type_text "cp1258"
keys Enter
wait_for "plan.csv: 22 events stored" || fail "the demo plan was not imported"
wait_for "Reorganization plan: 22 events" || fail "no plan heading"
td plan show --json >"$tmp/plan.json" || fail "plan show failed"
# the counts on screen are the CLI's
for a in "Info change:change_info" "Revoke:revoke" "Keep:keep" \
         "Collect token:collect" "Hand dossiers over:handover_dossiers"; do
	n=$(jcount action "${a#*:}" <"$tmp/plan.json")
	screen | grep -q "${a%%:*} *$n\b" || fail "count of ${a#*:} is not $n"
done
all=$(grep -c '"action"' "$tmp/plan.json")
screen | grep -q "All *$all\b" || fail "total is not $all"
# the first action, with its old and new DN (narrow: old above new)
first=$(grep -o '"cert_serial": *"[^"]*"' "$tmp/plan.json" | head -1 | cut -d'"' -f4)
grep -q '"new_dn": *".*Phòng Chuyển đổi số và Công nghệ thông tin' "$tmp/plan.json" ||
	fail "the CLI's first action changed"
screen | grep -q "▶ Info change  *$first" || fail "first action $first not selected"
wait_for "old: C=VN, L=Đông Châu, O=Ủy ban nhân dân tỉnh Đông Châu," || fail "no old DN"
wait_for "new: C=VN, L=Đông Châu, O=Ủy ban nhân dân tỉnh Đông Châu," || fail "no new DN"
wait_for "OU=Phòng Chuyển đổi số và Công nghệ thông tin" || fail "new DN lacks the new OU"
# the old DN shown is the certificate's subject in the registry
td show cert "$first" --json | grep -q '"subject_dn": "C=VN, L=Đông Châu, O=Ủy ban nhân dân tỉnh Đông Châu, OU=Sở Khoa học và Công nghệ, OU=Phòng Chuyển đổi số, CN=Nguyễn Văn Hùng"' ||
	fail "show cert $first has another subject than the old DN shown"
screen | grep -q "^ *OU=Sở Khoa học và Công nghệ, OU=Phòng Chuyển đổi số,$" &&
	screen | grep -q "^ *CN=Nguyễn Văn Hùng$" || fail "the old DN's last components are not on screen"
# wide: side by side
tmux -S "$sock" resize-window -t desk -x 120 -y 40
wait_for "│ new: C=VN" || fail "no side-by-side DNs at 120 columns"
tmux -S "$sock" resize-window -t desk -x 80 -y 24
wait_gone "│ new: C=VN" || fail "still side by side at 80 columns"

# pick: the 61st revocation is DC.SYT.P1's organisation certificate,
# revoked by default as DC.SYT.P2's lives longer
pick=$(grep '"action": *"revoke"' "$tmp/plan.json" | sed -n 61p |
	grep '"rule": *"merge_new"' | grep -o '"cert_serial": *"[^"]*"' | cut -d'"' -f4)
[ -n "$pick" ] || fail "the demo's 61st revocation is not a merge_new certificate"
keys 2
wait_for "showing only: Revoke" || fail "2 did not filter revocations"
screen | grep -q "Info change  *5" && fail "an info change shown under the Revoke filter"
i=0; while [ $i -lt 60 ]; do keys Down; i=$((i + 1)); done
wait_re "▶ Revoke  *$pick" || fail "cannot select $pick"
wait_for "New agency DC.SYT.P12: n picks" || fail "no pick hint"
keys n
wait_for "DC.SYT.P12: picked for the new name" || fail "pick not confirmed"
wait_re "▶ Info change  *$pick" || fail "picked certificate is not an info change"
td plan show --json | grep "\"cert_serial\": *\"$pick\"" | grep -q '"action": *"change_info"' ||
	fail "the CLI does not see the pick"

# apply, with confirmation; the report; then again: nothing changes
keys 0
keys a
wait_for "Apply the plan?" || fail "no confirmation before apply"
keys n
wait_for "Nothing was written." || fail "n did not cancel"
[ "$(td tag list --json | grep -c '"target_kind"')" = 0 ] || fail "tags written despite n"
keys a
wait_for "Apply the plan?" || fail "no confirmation before apply"
sleep 0.3   # a person reads the question: a y typed in a run is no answer
keys y
wait_for "Tags: $all added, 0 changed, 0 removed, 0 unchanged." || fail "apply report"
keys Escape
wait_for "✓ tagged" || fail "cards do not show their tag"
td tag list --json >"$tmp/tags.json"
[ "$(grep -c '"target_kind"' "$tmp/tags.json")" = "$all" ] || fail "not $all tags"
[ "$(jcount state tagged <"$tmp/tags.json")" = "$all" ] || fail "not all tagged"
td show cert "$pick" --json | grep -q '"status": "active"' || fail "show cert $pick"
td tag list --json | grep -A3 "\"target\": *\"$pick\"" | grep -q '"kind": *"change_info"' ||
	fail "the picked certificate is not tagged change_info"
keys a
wait_for "Apply the plan?" || fail "no confirmation the second time"
sleep 0.3   # a person reads the question: a y typed in a run is no answer
keys y
wait_for "Tags: 0 added, 0 changed, 0 removed, $all unchanged." || fail "second apply changed something"
wait_for "Nothing changed" || fail "second apply report"
keys Escape
td plan apply | grep -q "0 added, 0 changed, 0 removed, $all unchanged" || fail "CLI apply after desk apply"

# by hand: a certificate the plan leaves alone, from its record
cert=547fa313648bd2d263aa57bb3618b5f2
grep -q "$cert" "$tmp/plan.json" && fail "$cert is in the plan"
keys F3
type_text "$cert"
wait_for "Vũ Xuân Đông" || fail "search did not find $cert"
keys Enter
wait_for "Certificate $cert" || fail "record of $cert did not open"
wait_for "Tag for the CA by hand" || fail "no tag line on the record"
keys g
wait_for "Tag certificate $cert" || fail "g did not open the tag dialog"
wait_for "Now: not tagged" || fail "dialog does not say it is untagged"
keys Down Down Down
keys Enter
keys Enter
wait_for "Type a reason" || fail "saved without a reason"
type_text "sắp hết hạn"
keys Enter
wait_for "$cert tagged: renew" || fail "tag not saved"
wait_for "renew · request: Renewal" || fail "record does not show the tag"
wait_for "tagged, not yet sent · by hand" || fail "record does not show the tag state"
td tag list --json | grep -A9 "\"target\": *\"$cert\"" >"$tmp/one.json"
grep -q '"kind": *"renew"' "$tmp/one.json" && grep -q '"request": *"renewal"' "$tmp/one.json" &&
	grep -q '"origin": *"manual"' "$tmp/one.json" && grep -q '"reason": *"sắp hết hạn"' "$tmp/one.json" ||
	fail "CLI sees another tag: $(cat "$tmp/one.json")"
# remove it, then tag it for revocation
keys g
wait_for "Now: renew" || fail "dialog does not show the tag"
keys x
wait_for "Remove this tag?" || fail "no confirmation before removing"
sleep 0.3   # a person reads the question: a y typed in a run is no answer
keys y
wait_for "$cert: tag removed." || fail "tag not removed"
td tag list --json | grep -q "\"target\": *\"$cert\"" && fail "the removed tag is still there"
keys g
wait_for "Now: not tagged" || fail "dialog after removal"
keys Tab
type_text "nghỉ hưu"
keys Enter
wait_for "$cert tagged: revoke" || fail "revoke tag not saved"
td tag list --json | grep -A4 "\"target\": *\"$cert\"" | grep -q '"request": *"revocation"' ||
	fail "CLI does not see the revocation request"

# send every tag to DOST: batch 1
keys p
wait_for "Reorganization plan" || fail "p did not go back to the plan"
keys d
wait_for "Send to DOST?" || fail "no confirmation before sending"
wait_for "$((all + 1)) tag(s) go to DOST as batch 1." || fail "wrong count to send"
sleep 0.3   # a person reads the question: a y typed in a run is no answer
keys y
wait_for "Batch 1: $((all + 1)) tag(s) sent to DOST." || fail "batch not sent"
keys Escape
wait_for "✓ sent: batch 1" || fail "cards do not show the batch"
[ "$(td tag list --json --state sent_to_dost --batch 1 | grep -c '"target_kind"')" = "$((all + 1))" ] ||
	fail "the CLI does not see batch 1"
[ "$(td tag list --json --state tagged | grep -c '"target_kind"')" = 0 ] || fail "tags left unsent"
keys d
wait_for "Nothing is tagged and not yet sent" || fail "an empty batch was offered"
# a sent tag cannot change by hand
keys F3
type_text "$cert"
wait_for "Vũ Xuân Đông" || fail "search again"
keys Enter
wait_for "sent to DOST, batch 1" || fail "record does not show the batch"
keys g Enter Enter
wait_for "Already sent to DOST" || fail "a sent tag was changeable"
keys Escape
td tag list --json | grep -A4 "\"target\": *\"$cert\"" | grep -q '"kind": *"revoke"' ||
	fail "the sent tag changed"
# nothing cut at 80x24 on the plan screen
keys p
wait_for "Reorganization plan" || fail "plan screen again"
screen_line 24 | grep -q "F7 Plan.*F10 Quit" || fail "key bar lacks F7 or F10"
# (on two lines when one would cut them)
{ screen_line 21; screen_line 22; } | tr '\n' ' ' | grep -q "Enter Open.*L Lists.*i Import" ||
	fail "the screen's keys are cut"
keys F10
wait_exit 0 || fail "no clean exit"
td audit verify >/dev/null || fail "audit chain broken"

# In Vietnamese, why an action is there is said in Vietnamese too (the
# workflow's English reason stays the CLI's): revocations of officials
# whose agency ends, with the date the plan makes it effective.
tmux -S "$sock" kill-server 2>/dev/null
start_desk 80 24 TOKENDESK_TODAY=2025-06-01 -- --lang vi
keys p
wait_for "Phương án sắp xếp" || fail "the Vietnamese plan screen did not open"
keys 2
wait_for "Cơ quan của cán bộ chấm dứt hoạt động" ||
	fail "a revocation's reason is not in Vietnamese"
wait_for "Có hiệu lực từ 2025-07-01." || fail "the effective date is not shown"
screen | grep -q "(letter 1" && fail "an English reason on the Vietnamese desk"
td plan show --json | grep -q '"reason": *"[^"]*(letter 1.2)' ||
	fail "the CLI's reason is no longer the workflow's English sentence"
# The certificate's record says why it is tagged in Vietnamese too.
keys Enter
wait_for "Lý do gắn cờ" || fail "Enter did not open the record with its tag"
screen | grep "Lý do gắn cờ" | grep -q "Cơ quan của cán bộ chấm dứt hoạt động" ||
	fail "the record's tag reason is not in Vietnamese"
screen | grep -q "(letter 1" && fail "an English tag reason on the Vietnamese desk"
keys Escape
keys F10
wait_exit 0 || fail "no clean exit"
exit 0
