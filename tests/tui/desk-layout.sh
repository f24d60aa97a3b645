#!/bin/sh
# At 80x24 nothing is cut (no '…' in the frame, every key label shown),
# in both languages; a resize redraws at the new size; NO_COLOR leaves
# no colour codes.
. "$TD_SRCDIR/tests/tui/lib.sh"
demo_registry
for lang in en vi; do
	start_desk 80 24 NO_COLOR=1 -- --lang $lang
	for k in "" F3 F4 F5 F1; do
		[ -n "$k" ] && keys $k
		sleep 0.1
		wait_for "F10" || fail "$lang $k: no key bar"
		for n in 1 23 24; do
			screen_line $n | grep -q "…" && fail "$lang $k: line $n is cut"
		done
		screen_line 24 | grep -q "F10 \(Quit\|Thoát\)" || fail "$lang $k: key bar cut"
		# the desk's own texts (panel, handover, help) are never cut
		case $k in ""|F5|F1)
			screen | grep -q "…" && fail "$lang $k: a text is cut" ;;
		esac
		keys F2
	done
	screen_colors | grep -q "$(printf '\033')\[3[0-7]m\|\[38;" && fail "colour despite NO_COLOR"
	keys F10
	wait_exit || fail "no exit"
	tmux -S "$sock" kill-server
	sleep 0.1
done
start_desk 100 30 -- --lang en
screen_line 29 | grep -q "Registry" || fail "status not on line 29 at 100x30"
tmux -S "$sock" resize-window -t desk -x 80 -y 24
wait_on_line 23 "reg.db" || fail "no redraw after shrinking to 80x24"
tmux -S "$sock" resize-window -t desk -x 120 -y 40
wait_on_line 39 "reg.db" || fail "no redraw after growing to 120x40"

# Too small for the screens (their lines would overlap): said so, in
# lines that fit; keys wait rather than land unseen; the screen comes
# back whole when there is room again, and F10 still quits.
tmux -S "$sock" resize-window -t desk -x 40 -y 10
wait_for "The terminal is too small." || fail "40x10: not said too small: $(screen)"
screen | grep -q "It needs 50x14;" || fail "40x10: the size needed is not said"
screen | grep -q "this one is 40x10." || fail "40x10: the size is not said"
keys h
sleep 0.3
tmux -S "$sock" resize-window -t desk -x 80 -y 24
wait_on_line 23 "reg.db" || fail "no redraw after growing from too small"
screen_line 1 | grep -q "Handover" && fail "a key typed while too small was acted on"
screen | grep -q "Tokens present" || fail "the panel did not come back"
tmux -S "$sock" resize-window -t desk -x 30 -y 6
wait_for "too small" || fail "30x6: not said too small"
keys F10
wait_exit 0 || fail "F10 did not quit while too small"
tmux -S "$sock" kill-server
sleep 0.1
start_desk 40 10 -- --lang vi
wait_for "Cửa sổ quá nhỏ." || fail "vi: not said too small: $(screen)"
keys F10
wait_exit 0 || fail "no clean exit after resizes"
exit 0
