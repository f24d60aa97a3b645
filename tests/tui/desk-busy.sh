#!/bin/sh
# While another program holds the registry's write lock, the desk's
# handover waits, says so ("Waiting for another desk or command..."), and
# stays responsive: Esc gives up, nothing recorded and nothing half
# written; once the lock is free the same handover goes through (issue
# 21, item 9).
. "$TD_SRCDIR/tests/tui/lib.sh"
command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 shell not installed"; exit 77; }
demo_registry
db=$tmp/reg.db
before=$(sqlite3 "$db" "select custodian from token where serial = '3792084583'; select count(*) from audit")

# Another program takes the write lock and keeps it until told.
mkfifo "$tmp/sql"
sqlite3 "$db" <"$tmp/sql" >"$tmp/hold.out" 2>&1 &
holder=$!
exec 3>"$tmp/sql"
printf "BEGIN IMMEDIATE;\nSELECT 'locked';\n" >&3
poll 5 grep -qx locked "$tmp/hold.out" || fail "the shell never took the lock"

start_desk 100 30 -- --lang en
keys F5
wait_for "Hand tokens over" || fail "F5 did not open the handover"
type_text "3792084583"
keys Enter
wait_for "3792084583" || fail "token not listed"
keys Tab Tab
type_text "DC.STC"
wait_for "✓ Sở Tài chính" || fail "receiver not resolved"
keys F9
wait_for "Record the handover?" || fail "no confirmation"
keys y
wait_for "Waiting for another desk or command to finish writing" ||
	fail "the desk did not say it waits"
wait_for "Esc: give up" || fail "the wait does not say how to give up"
keys Escape
wait_for "Given up waiting: nothing was recorded." || fail "Esc did not give up"
now=$(sqlite3 "$db" "select custodian from token where serial = '3792084583'; select count(*) from audit" 2>&1)
# the shell still holds the lock: a read sees the file as it was
[ "$now" = "$before" ] || fail "something was written: $now (was $before)"

# The lock released, the same handover goes through.
# .quit, not EOF: the desk's tmux server holds the pipe open too
printf "COMMIT;\n.quit\n" >&3
exec 3>&-
wait "$holder"
keys F9
wait_for "Record the handover?" || fail "no confirmation the second time"
keys y
wait_for "Handover recorded: BG-" || fail "handover not recorded once the lock was free"
keys F10
wait_exit 0 || fail "no clean exit"
"$TOKENDESK" --db "$db" show token 3792084583 --json | grep -q '"custodian": "agency:DC.STC"' ||
	fail "custodian not changed"
"$TOKENDESK" --db "$db" audit verify >/dev/null || fail "audit chain broken"
exit 0
