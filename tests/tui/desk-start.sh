#!/bin/sh
# The desk starts on the demo registry, shows the status line and the key
# bar, and q quits cleanly with the terminal restored.  A registry it may
# only read (mode 400, root too) is marked so on the status line.
. "$TD_SRCDIR/tests/tui/lib.sh"
demo_registry
start_desk 100 30 TOKENDESK_PLACE=Kho-tang-2 -- --lang en
wait_for "Tokens present" || fail "no token panel"
status=$(screen_line 29)
# the path shortens to the file name when the line is full
for want in "Registry .*reg.db" "Operator tester" "Place Kho-tang-2" "Module " \
            "\(no reader\|[0-9] token(s)\)"; do
	echo "$status" | grep -q -- "$want" || fail "status line lacks '$want': $status"
done
echo "$status" | grep -q "read-only" && fail "a writable registry marked read-only: $status"
screen_line 30 | grep -q "F1 Help.*F3 Search.*F10 Quit" || fail "no key bar"
keys q
wait_exit 0 || fail "q did not quit with status 0"
# the desk left the alternate screen and gave the terminal back cooked
screen | grep -q "Tokens present" && fail "the desk's screen was not cleared"
screen | grep -q "icanon" || fail "terminal not restored"
screen | grep -q -- "-icanon\|-echo" && fail "terminal left in raw mode"
# Ctrl-C in the middle of a screen also gives the terminal back
tmux -S "$sock" kill-server
sleep 0.1
start_desk 100 30 -- --lang en
keys /
wait_for "Search:" || fail "no search"
keys C-c
wait_exit 130 || fail "Ctrl-C did not end the desk with 130"
screen | grep -q -- "-icanon\|-echo" && fail "terminal left in raw mode after Ctrl-C"

# A registry of mode 400: said on the status line, in either language.
chmod 400 "$tmp/reg.db"
for lang in en:"reg.db (read-only)" vi:"reg.db (chỉ đọc)"; do
	tmux -S "$sock" kill-server
	sleep 0.1
	start_desk 100 30 -- --lang "${lang%%:*}"
	wait_for "${lang#*:}" || fail "${lang%%:*}: not marked read-only: $(screen_line 29)"
	keys F10
	wait_exit 0 || fail "${lang%%:*}: no clean exit from a read-only registry"
done
chmod 600 "$tmp/reg.db"
exit 0
