#!/bin/sh
# The desk's files (issue 21, items 4 and 6), by keys in a real terminal.
#  - records/ beside the registry planted as a link to another folder:
#    the handover is recorded, its PDF is not written through the link
#    (the folder named, and why), the linked folder stays empty;
#  - the registry replaced under the open desk (`mv other.db reg.db`
#    between the list and F9 y): the desk says so, in Vietnamese on a
#    Vietnamese desk, records nothing, and the file moved in is unchanged.
. "$TD_SRCDIR/tests/tui/lib.sh"
demo_registry

# handover SERIAL TITLE: the handover screen (TITLE in the desk's
# language) with SERIAL to DC.STC, ready for F9.
handover() {
	keys F5
	wait_for "$2" || fail "F5 did not open the handover"
	type_text "$1"
	keys Enter
	wait_for "$1" || fail "token $1 not listed"
	keys Tab Tab
	type_text "DC.STC"
	wait_for "Sở Tài chính" || fail "receiver not resolved"
}

# -- records/ is a link
mkdir "$tmp/elsewhere"
ln -s "$tmp/elsewhere" "$tmp/records"
start_desk 220 30 -- --lang en
handover 3792084583 "Hand tokens over"
keys F9
wait_for "Record the handover?" || fail "no confirmation"
keys y
wait_for "Handover recorded: BG-" || fail "handover not recorded"
wait_for "$tmp/records: is a symbolic link; tokendesk does not write through links" ||
	fail "the records link was not named as refused"
[ -z "$(ls -A "$tmp/elsewhere")" ] || fail "the record was written through the link"
[ -L "$tmp/records" ] || fail "the link was replaced"
keys F10
wait_exit 0 || fail "no clean exit"
tmux -S "$sock" kill-server 2>/dev/null

# -- the registry replaced under the open desk
rm "$tmp/records"
cp -p "$tmp/reg.db" "$tmp/other.db"
other_sum=$(sha256sum <"$tmp/other.db")
start_desk 220 30 -- --lang vi
handover 8878595222 "Bàn giao token"
mv "$tmp/other.db" "$tmp/reg.db"
keys F9
wait_for "Ghi biên bản bàn giao?" || fail "no confirmation"
keys y
wait_for "$tmp/reg.db: cơ sở dữ liệu ở đường dẫn này đã bị di chuyển, thay thế hoặc xóa kể từ khi được mở; chưa ghi nhận gì" ||
	fail "the desk did not say the registry was replaced"
off_screen "Đã ghi biên bản bàn giao:" || fail "the desk says it was recorded"
keys F10
wait_for "Rời đi khi bàn giao chưa được ghi?" || fail "F10 with the list unrecorded did not ask"
keys y
wait_exit 0 || fail "no clean exit"
[ "$(sha256sum <"$tmp/reg.db")" = "$other_sum" ] || fail "the file moved in was written"
rm -f "$tmp/reg.db-wal" "$tmp/reg.db-shm"   # the replaced file's
json=$("$TOKENDESK" --db "$tmp/reg.db" show token 8878595222 --json) || fail "show failed"
echo "$json" | grep -q '"custodian": "agency:DC.STC"' && fail "the handover reached the file moved in"
[ -z "$(ls -A "$tmp/records" 2>/dev/null)" ] || fail "a record was printed for nothing"
"$TOKENDESK" --db "$tmp/reg.db" audit verify >/dev/null || fail "audit chain broken"
exit 0
