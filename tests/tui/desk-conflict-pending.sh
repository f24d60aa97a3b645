#!/bin/sh
# The desk's conflict screen on the rows a field import added to master
# data: a new official of a new agency SB2, and his certificate.  The
# merge could give their references no id here (the rows they name wait
# as conflicts too), so each names the conflict whose row it waits on,
# in words, in Vietnamese and in English; the merge's bookkeeping
# (conflict_refs) is never shown as a column, and no column goes by
# its English name in Vietnamese; `kit conflicts` says what and why
# in Vietnamese too.  SA, which home holds too, renamed in the field,
# shows home's SA beside the field's (the agencies the field holds as
# home does are no conflict).  At 120x80 the four conflicts show at once.
. "$TD_SRCDIR/tests/tui/lib.sh"
command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 not installed"; exit 77; }
. "$TD_SRCDIR/tests/cli/count-common.sh"
td() { "$TOKENDESK" --db "$tmp/reg.db" "$@"; }
q() { sqlite3 "$tmp/reg.db" "$1"; }

make_province "$tmp"
td kit make --agencies SB -o "$tmp/a.kit" >/dev/null || fail "kit make"
field_list_import "$tmp/a.kit" "Sở A mới" || fail "field import"
td kit merge "$tmp/a.kit" >"$tmp/out" 2>&1 || fail "merge: $(cat "$tmp/out")"
sb2=$(q "SELECT id FROM kit_conflict WHERE tbl = 'agency' AND json_extract(field_new, '$.code') = 'SB2'")
holder=$(q "SELECT id FROM kit_conflict WHERE tbl = 'holder'")
[ -n "$sb2" ] && [ -n "$holder" ] || fail "the merge kept no conflict for SB2 or the official"
# the command line's listing in Vietnamese too: what, and why, in words
td --lang vi kit conflicts >"$tmp/list" 2>&1 || fail "kit conflicts: $(cat "$tmp/list")"
grep -q "thêm cơ quan Phòng B2	được thêm ở hiện trường" "$tmp/list" ||
	fail "the listing's words are not Vietnamese: $(cat "$tmp/list")"
grep -q "insert\|added in the field" "$tmp/list" && fail "English in the Vietnamese listing: $(cat "$tmp/list")"

start_desk 120 80 -- --lang vi
keys K
wait_for "Xung đột bộ dữ liệu hiện trường: 4 chưa xử lý" || fail "K did not list them"
wait_for "xung đột số $sb2 thêm" || fail "the official's agency is not named by its conflict"
on_screen "xung đột số $holder thêm" ||
	fail "the certificate's holder is not named by its conflict: $(screen)"
off_screen "conflict_refs" || fail "the merge's bookkeeping shows: $(screen)"
# every column named in Vietnamese; an agency's superior by its code
screen | grep -qE "^ *(code|parent_id|level|valid_from|valid_to|ext_id|kind|no_longer_needed|agency_id|holder_id|subject_dn|not_before|not_after|revoked_at|fingerprint|issuer_id|token_id) " &&
	fail "a column's English name shows in Vietnamese: $(screen)"
on_screen_re "Cơ quan cấp trên  .*SB Sở B" || fail "SB2's superior is not named: $(screen)"
on_screen_re "Tên  *Sở A  *Sở A mới" || fail "home's SA is not beside the field's: $(screen)"
tmux -S "$sock" kill-server 2>/dev/null

# at 80x24 the pending reference shows whole, its conflict's number too
start_desk 80 24 -- --lang vi
keys K
wait_for "Xung đột bộ dữ liệu hiện trường: 4 chưa xử lý" || fail "K (80x24)"
keys Down Down Down
wait_re "Cơ quan  *(không có bản ghi)  *xung đột số $sb2 thêm  " ||
	fail "the pending reference is cut at 80x24"
tmux -S "$sock" kill-server 2>/dev/null

start_desk 120 80 -- --lang en
keys K
wait_for "Field-kit conflicts: 4 open" || fail "K (en)"
wait_for "the row conflict #$sb2 adds" || fail "the official's agency (en)"
off_screen "conflict_refs" || fail "the merge's bookkeeping shows (en): $(screen)"
exit 0
