#!/bin/sh
# desk-proof-hung: a proof of possession on a slow or hung module never
# freezes the desk (issue 23: 10 s a call happens).  While the module has
# not answered, the bottom line says the desk waits for the token and Esc
# gives up: the module's helper is stopped, nothing is recorded, and the
# desk answers keys at once.  Before, the desk handled no key at all
# until the module answered, and never when it hung.
. "$TD_SRCDIR/tests/tui/lib.sh"
with_tokens
demo_registry
S0=$(holder_token mai 7b5c01 "Lê Thị Mai" DC.STC 001190000777) || fail "no token"
faulty_module

# 1.5 s a module call: a proof takes several
start_desk 120 40 SOFTHSM2_CONF="$SOFTHSM2_CONF" P11_KIT_NO_USER_CONFIG=1 \
	TOKENDESK_DATADIR="$TOKENDESK_DATADIR" TD_FAULTY_REAL="$HSM_MODULE" \
	TD_FAULTY_DELAY_MS=1500 -- --lang en --config "$tmp/td.conf" \
	--module "$tmp/mods/p11-faulty.so"
wait_for "Lê Thị Mai" 60 || fail "the token is not shown"
keys F5
wait_for "Hand tokens over — 1 in the list" 10 || fail "the token is not in the list"

# prove: the module is slow; the desk says it waits, Esc gives up
prove() {
	keys p
	wait_for "(typing is hidden)" 10 || fail "p did not open the PIN dialog"
	type_text "$HSM_PIN"
	keys Enter
}
prove
wait_for "Waiting for the token to answer" 10 || fail "no word of the wait"
keys Escape
wait_for "abandoned while the token's module did not answer; nothing was done" 5 ||
	fail "Esc did not give up the proof"
keys F1
wait_for "Help" 3 || fail "the desk does not answer keys after giving up"
keys Escape
wait_for "Hand tokens over — 1 in the list" 5 || fail "not back on the handover"

# a module that hangs: its helper (the desk's newest child: the watcher's
# has run since the desk started) stopped in the middle of the proof
prove
pane=$(tmux -S "$sock" display -p -t desk '#{pane_pid}')
desk=$(ps -o pid= --ppid "$pane" | tr -d ' ')
wait_for "Waiting for the token to answer" 10 || fail "no word of the wait (2)"
prover=$(ps -o pid=,etimes= --ppid "$desk" | sort -n -k2 | awk 'NR == 1 { print $1 }')
[ "$(ps -o pid= --ppid "$desk" | wc -l)" -ge 2 ] || fail "the proof has no helper of its own"

[ -n "$prover" ] || fail "no proving helper found"
kill -STOP "$prover"
sleep 2
on_screen "Waiting for the token to answer" || fail "the desk stopped saying it waits"
keys Escape
wait_for "abandoned while the token's module did not answer" 5 ||
	fail "Esc did not give up the hung proof"
kill -0 "$prover" 2>/dev/null && { kill -CONT "$prover"; fail "the hung helper was left running"; }
keys F10
wait_for "Leave with an unrecorded handover?" 5 || fail "F10 did not ask"
keys y
wait_exit 0 || fail "the desk did not end"
"$TOKENDESK" --db "$tmp/reg.db" --lang en show token "$S0" >"$tmp/show" 2>&1
grep -q "custodian: *holder:001190000777" "$tmp/show" || fail "something was recorded: $(cat "$tmp/show")"
exit 0
