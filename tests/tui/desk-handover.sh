#!/bin/sh
# A whole handover by keys only: token, (no giver), receiver, condition,
# remarks, F9, y.  Afterwards `show token --json` has the new custodian
# and the custody event, and the audit chain verifies.  The place of the
# --config file ("place = ...") is the record's, as for the command (the
# desk once put the file's name there).
. "$TD_SRCDIR/tests/tui/lib.sh"
demo_registry
printf '# desk\nplace = Phòng tiếp nhận, Sở KH&CN\n' >"$tmp/desk.conf"
start_desk 100 30 -- --lang en --config "$tmp/desk.conf"
screen_line 29 | grep -q "│ \(Place \)\{0,1\}Phòng tiếp nhận, Sở KH&CN │" ||
	fail "the status line lacks the config's place: $(screen_line 29)"
keys F5
wait_for "Hand tokens over" || fail "F5 did not open the handover"
type_text "3792084583"
keys Enter
wait_for "3792084583" || fail "token not listed"
keys Tab Tab
type_text "DC.STC"
wait_for "✓ Sở Tài chính" || fail "receiver not resolved"
keys Tab
type_text "nguyên vẹn"
keys Tab
type_text "bàn giao thử"
wait_for "Vũ Xuân Đông" || fail "running list lacks the holder"
keys F9
wait_for "Record the handover?" || fail "no confirmation"
keys y
wait_for "Handover recorded: BG-" || fail "handover not recorded"
wait_for "record to print:" || fail "the record to print is not named"
number=$(screen | grep -o "BG-[0-9]*-[0-9]*" | head -1)
keys F10
wait_exit 0 || fail "no clean exit"
json=$("$TOKENDESK" --db "$tmp/reg.db" show token 3792084583 --json) || fail "show failed"
echo "$json" | grep -q '"custodian": "agency:DC.STC"' || fail "custodian not changed: $json"
echo "$json" | grep -q "nguyên vẹn" || fail "condition not recorded: $json"
echo "$json" | grep -qF "$number" || fail "history lacks $number: $json"
"$TOKENDESK" --db "$tmp/reg.db" audit verify >/dev/null || fail "audit chain broken"
"$TOKENDESK" --db "$tmp/reg.db" receipt "$number" >"$tmp/receipt" || fail "receipt"
grep -q "tại Phòng tiếp nhận, Sở KH&CN" "$tmp/receipt" ||
	fail "the record lacks the config's place: $(grep -i "tại" "$tmp/receipt")"
grep -q "desk.conf" "$tmp/receipt" && fail "the record names the config file"
# The printable record was saved beside the registry, private.
pdf="$tmp/records/$number.pdf"
[ -f "$pdf" ] || fail "no record to print at $pdf"
[ "$(stat -c %a "$pdf" 2>/dev/null)" = 600 ] || fail "record PDF is not mode 600"
if command -v pdftotext >/dev/null; then
	pdftotext "$pdf" - | grep -q "BIÊN BẢN BÀN GIAO" || fail "record PDF lacks its title"
fi
# In Vietnamese, the token's custody history says the handover in words:
# the remarks are stored in English ("...; handover BG-..."), said at
# display.
tmux -S "$sock" kill-server 2>/dev/null
start_desk 160 30 -- --lang vi
keys "3792084583" Enter
wait_for "Lịch sử giữ token" 10 || fail "the scanned serial did not open its token: $(screen)"
wait_for "bàn giao theo biên bản $number" || fail "the history's remarks are not said in Vietnamese: $(screen)"
on_screen "handover BG-" && fail "the history says 'handover BG-' in Vietnamese"
# ... and its times are local, written as Vietnamese writes them
on_screen_re "[0-3][0-9]/[01][0-9]/20[0-9][0-9] [0-2][0-9]:[0-5][0-9]" ||
	fail "the history's time is not dd/mm/yyyy HH:MM: $(screen | grep -m1 tester)"
screen | grep -q "20[0-9-]*T[0-9:]*Z" && fail "a stored UTC stamp on the screen: $(screen | grep -m1 'T[0-9:]*Z')"
keys F10
wait_exit 0 || fail "no clean exit (vi)"
exit 0
