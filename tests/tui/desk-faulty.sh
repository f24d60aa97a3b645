#!/bin/sh
# The desk and a faulty PKCS#11 module (issue 23), with modules run out of
# process.  A module that takes 10 s per call: every key and every token
# event is answered within 50 ms, and the desk never waits for the module
# (the whole run takes far less than one module call).  A module that
# aborts: the desk survives, says so on the status line, restarts it and
# shows the token again, with an open handover and its list intact.
. "$TD_SRCDIR/tests/tui/lib.sh"
with_tokens
demo_registry
S0=$(holder_token mai 7b5c01 "Lê Thị Mai" DC.STC 001190000777) || fail "no token"
# The faulty module, allowed by the config file like any vendor module.
faulty_module
ENVS="SOFTHSM2_CONF=$SOFTHSM2_CONF P11_KIT_NO_USER_CONFIG=1 TOKENDESK_DATADIR=$TOKENDESK_DATADIR TD_FAULTY_REAL=$HSM_MODULE"

# 1. 10 s per module call.  Keys typed with token events served between
# them (<Sleep>: 200 ms of the desk's loop each); the key log times every
# key and every token event (key -1).
{
	printf '<Sleep><Sleep><Sleep><Sleep><Sleep><F3>'
	for c in n g u y e n; do printf '%s<Sleep>' "$c"; done
	printf '<Esc><Sleep><F10>'
} >"$tmp/keys"
t0=$(date +%s%N)
start_desk 120 40 $ENVS TD_FAULTY_DELAY_MS=10000 TOKENDESK_KEYS="$tmp/keys" \
	TOKENDESK_KEYLOG="$tmp/keylog" -- --lang en --config "$tmp/td.conf" \
	--module "$tmp/mods/p11-faulty.so"
wait_for "EXITED 0" 8 || fail "the desk did not finish its keys while the module blocked"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms" -lt $((8000 * TD_SLOW)) ] || fail "the desk took $ms ms: it waited for the module"
[ -s "$tmp/keylog" ] || fail "no key log"
keys_logged=$(awk '$1 != -1' "$tmp/keylog" | wc -l)
events=$(awk '$1 == -1' "$tmp/keylog" | wc -l)
max=$(awk '{ if ($2 > m) m = $2 } END { printf "%d", m }' "$tmp/keylog")
[ "$keys_logged" -ge 8 ] || fail "only $keys_logged keys logged"
[ "$events" -ge 1 ] || fail "no token event was served while the module blocked"
if [ -z "${TD_VALGRIND:-}" ]; then
	[ "$max" -lt 50 ] || { cat "$tmp/keylog"; fail "a key or token event took $max ms (>= 50)"; }
fi
echo "module at 10 s a call: $keys_logged keys, $events token events, max $max ms, run $ms ms"
tmux -S "$sock" kill-server 2>/dev/null
sleep 0.2

# 2. A module that aborts, with a handover open and the token in its list.
start_desk 120 40 $ENVS TD_FAULTY_ABORT="$tmp/abort" -- --lang en \
	--config "$tmp/td.conf" --module "$tmp/mods/p11-faulty.so"
wait_for "Matched — Lê Thị Mai" 5 || fail "the token is not shown"
keys F5
wait_for "Hand tokens over — 1 in the list" || fail "the token did not join the handover"
touch "$tmp/abort"
wait_for "the p11-faulty.so module stopped; restarting" 5 ||
	fail "the desk does not say the module stopped"
on_screen "Hand tokens over — 1 in the list" || fail "the handover's list was lost"
wait_for "0 token(s)" 5 || fail "the stopped module's token is still counted"
rm -f "$tmp/abort"
wait_for "1 token(s)" 5 || fail "the restarted module's token did not come back"
on_screen "Hand tokens over — 1 in the list" || fail "the handover's list was lost"
keys F10
wait_for "EXITED 0" 5 || { keys y; wait_for "EXITED 0" 5; } ||
	fail "the desk did not quit cleanly after the module aborted"
echo ok
