#!/bin/sh
# An inventory count by keys only, at 80x24: start it for an agency,
# type a serial found there, scan one twice (a duplicate), type an unknown
# serial and one the registry places elsewhere (the screen says where);
# kill -9 the desk mid-count, resume the count in a new desk with nothing
# lost or counted twice; plug in a SoftHSM2 token the registry knows and
# see it counted with no key pressed; close the count.  The CLI's report
# must then hold exactly those serials, and the report files exist.
. "$TD_SRCDIR/tests/tui/lib.sh"
command -v python3 >/dev/null 2>&1 || { echo "python3 not installed"; exit 77; }
with_tokens
td() { "$TOKENDESK" --db "$tmp/reg.db" "$@"; }

# A token the registry will know, kept out of SoftHSM2's sight until it
# is "plugged in" (its directory moved back) while the count runs.
demo_registry
S0=$(hsm_token "Kiểm kê")
[ -n "$S0" ] || fail "no SoftHSM2 token"
mkdir "$HSM_DIR/away"
mv "$HSM_DIR"/tokens/* "$HSM_DIR/away/" || fail "cannot unplug the token"
from=$(date -u -d yesterday +%Y-%m-%d) to=$(date -u -d '+2 years' +%Y-%m-%d)
cat >"$tui_tmp/mine.csv" <<CSV
cert_serial,kind,holder_name,holder_id,position,agency_code,not_before,not_after,token_serial,token_model,email
7A5C21,person,Lê Thị Mai,001190000777,Chuyên viên,DC.STC,$from,$to,$S0,SoftHSM v2,
CSV
td -q import "$TD_SRCDIR/data/demo/agencies.csv" "$tui_tmp/mine.csv" >/dev/null ||
	fail "cannot import the token's record"

desk() {
	start_desk 80 24 SOFTHSM2_CONF="$SOFTHSM2_CONF" P11_KIT_NO_USER_CONFIG=1 \
		TZ=Asia/Ho_Chi_Minh TOKENDESK_DATADIR="$TOKENDESK_DATADIR" -- --lang en \
		--module "$HSM_MODULE"
}
desk
keys F8
wait_for "Start a count" || fail "F8 did not open the count screen"
type_text "dc.stc"
wait_for "✓ Sở Tài chính and its units" || fail "the agency's name is not shown"
keys Enter
wait_for "Count 1: Sở Tài chính (DC.STC) and its units" || fail "the count did not start"
wait_for "0 / 17" || fail "the found tally does not show 0 of 17 expected"

# typed: found
type_text "6cc6399b"
keys Enter
wait_for "6CC6399B found" || fail "a typed serial of the agency is not found"
# scanned twice, from a list (no text field): the scanner path.  Tab
# and the scan in one write, as when a scanner fires right after a key:
# the Tab moves to the list first, then the scan counts.
tmux -S "$sock" send-keys -t desk -l "$(printf '\t')97C04AF8$(printf '\r')"
wait_for "97C04AF8 found" || fail "a scanned serial is not counted"
tmux -S "$sock" send-keys -t desk -l "97C04AF8$(printf '\r')"
wait_for "97C04AF8 was already counted (scanned 2 times)" || fail "no duplicate scan"
keys Tab Tab
# unknown, and one the registry places elsewhere
type_text "ZZ-NOPE-1"
keys Enter
wait_for "ZZ-NOPE-1 is UNKNOWN" || fail "an unknown serial is not flagged"
type_text "3792084583"
keys Enter
wait_for "3792084583 is UNEXPECTED here" || fail "a serial from elsewhere is not flagged"
# where the registry places it: the whole sentence, nothing cut at 80x24
wait_for "Vũ Xuân Đông (holder:098084373134)" || fail "the screen does not say where it is"
wait_for "Ủy ban nhân dân tỉnh Đông Châu (DC)." || fail "the holder's agency is cut off"
wait_for "Still missing (15)" || fail "the missing tally is wrong"
screen | grep -q "…" && fail "something is cut off at 80x24"

# kill -9 in the middle of the count
pid=$(pgrep -P "$(tmux -S "$sock" list-panes -t desk -F '#{pane_pid}')" -f tokendesk)
[ -n "$pid" ] || fail "cannot find the desk's process"
kill -9 "$pid"
wait_exit 137 || fail "the desk did not die"
tmux -S "$sock" kill-server 2>/dev/null
[ "$(td count report 1 --summary --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["scans"])')" = 5 ] ||
	fail "scans lost by the kill"

# a new desk: c opens the count screen, the open count resumes
desk
keys c
wait_for "Counts still open" || fail "c did not open the count screen"
wait_for "5 scans" || fail "the open count is not offered with its 5 scans"
# when it started, in the desk's local time (stored in UTC)
started=$(td count report 1 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["started_at"])')
on_screen "$(TZ=Asia/Ho_Chi_Minh date -d "$started" '+%Y-%m-%d %H:%M')  5 scans" ||
	fail "the count's start ($started) is not in local time: $(screen)"
keys Tab Enter
wait_for "Count resumed: 5 scans were already saved." || fail "the count did not resume"
wait_for "2 / 17" || fail "found tally lost on resume"

# plugged in while the count runs: counted with no key pressed
mv "$HSM_DIR"/away/* "$HSM_DIR/tokens/" || fail "cannot plug the token in"
wait_for "Token plugged in: $(echo "$S0" | tr a-f A-F) found" 10 ||
	fail "the inserted token was not counted by itself"
wait_for "3 / 17" || fail "the found tally did not follow the inserted token"

keys F9
wait_for "Close count 1?" || fail "F9 did not ask to close"
keys y
# a closed count offers a checkpoint of the audit chain (desk-sign.sh)
wait_for "DOST may sign a checkpoint of the audit chain" || fail "no checkpoint offered"
keys Escape
wait_for "the result is frozen" || fail "the count was not closed"
wait_for "Report written: $tmp/records/count-1.txt" || fail "the text report path is not shown"
wait_for "Spreadsheet: $tmp/records/count-1.xlsx" || fail "the XLSX path is not shown"
for f in "$tmp/records/count-1.txt" "$tmp/records/count-1.xlsx"; do
	[ "$(stat -c %a "$f" 2>/dev/null)" = 600 ] || fail "$f missing or not mode 600"
done
grep -q "Người kiểm đếm" "$tmp/records/count-1.txt" || fail "text report lacks its signature lines"
keys F10
wait_exit 0 || fail "no clean exit"

td count report 1 --json >"$tmp/rep.json" || fail "count report"
S0="$S0" python3 - "$tmp/rep.json" <<'PY' || fail "the report does not hold exactly the scans: $(cat "$tmp/rep.json")"
import json, os, sys
r = json.load(open(sys.argv[1]))
s0 = os.environ["S0"].upper()
assert r["status"] == "closed", r["status"]
assert sorted(r["found"]) == sorted(["6CC6399B", "97C04AF8", s0]), r["found"]
assert r["unexpected"] == ["3792084583"], r["unexpected"]
assert r["unexpected_at"]["3792084583"]["custodian"] == "holder:098084373134"
assert r["unknown"] == ["ZZ-NOPE-1"], r["unknown"]
assert r["duplicate"] == ["97C04AF8"], r["duplicate"]
assert r["duplicate_scans"] == {"97C04AF8": 2}, r["duplicate_scans"]
t = r["tally"]
assert (t["found"], t["missing"], t["unexpected"], t["duplicate"], t["unknown"],
        t["scans"], t["expected"]) == (3, 14, 1, 1, 1, 6, 17), t
assert not set(r["missing"]) & set(r["found"]), "found ones are missing"
PY
td audit verify >/dev/null || fail "audit chain broken"
exit 0
