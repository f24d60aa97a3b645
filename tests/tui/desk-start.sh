#!/bin/sh
# The desk starts on the demo registry, shows the status line and the key
# bar, and q quits cleanly with the terminal restored.
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
screen_line 30 | grep -q "F1 Help.*F3 Search.*F10 Quit" || fail "no key bar"
keys q
wait_for "EXITED 0" || fail "q did not quit with status 0"
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
wait_for "EXITED 130" || fail "Ctrl-C did not end the desk with 130"
screen | grep -q -- "-icanon\|-echo" && fail "terminal left in raw mode after Ctrl-C"
exit 0
