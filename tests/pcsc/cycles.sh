#!/bin/sh
# pcsc/cycles: 1,000 insertions and removals of the virtual card, driven
# by the emulator itself, while `scan --watch` runs: pcscd sees every one
# (its log counts 1,000 of each), the watcher survives them, its memory
# (the watcher and its module helper, where OpenSC runs) does not grow,
# and afterwards the card is seen once in its one slot, matched, and its
# removal seen: no stale slot or token.
#
# pcscd polls vpcd every 400 ms (compiled in; vpcd has no event thread),
# which would make 1,000 cycles take some 800 s: this test's pcscd has
# that one sleep shortened to 20 ms by tests/pcsc/fastpoll.so.  Under
# valgrind (TD_VALGRIND) it runs 100 cycles, and the memory is checked
# by valgrind's leak report at the watcher's exit instead of its RSS.
. "${TD_SRCDIR:-$(dirname "$0")/../..}/tests/pcsc/pcsc-lib.sh"
pcsc_init fast
CYCLES=${PCSC_CYCLES:-1000}
[ -z "${TD_VALGRIND:-}" ] || CYCLES=${PCSC_CYCLES:-100}
WARM=50
GROWTH_KB=${PCSC_GROWTH_KB:-512}
pcsc_insert
pcsc_registry
pcsc_remove

out=$HSM_DIR/watch.out
# Under valgrind the module helper runs under it too (valgrind follows
# the exec); keep its stderr to read its report (-q: errors only).
[ -z "${TD_VALGRIND:-}" ] || { TOKENDESK_HELPER_STDERR=1; export TOKENDESK_HELPER_STDERR; }
"$TOKENDESK" --module "$PCSC_MODULE" scan --watch --no-usb --poll-ms 20 >"$out" 2>"$HSM_DIR/watch.err" &
WATCH=$!
HSM_PIDS="$HSM_PIDS $WATCH"

# rss PID: kB resident.  helper: the watcher's module helper (OpenSC
# runs there; the newest child: the one td_tokens_open forked first
# stays idle), restarted when it hangs (below).
rss() { awk '/^VmRSS:/ { print $2 }' /proc/$1/status 2>/dev/null; }
helper() { pgrep -n -P $WATCH; }
pcscd_count() { grep -c "$1" "$PCSC_DIR/pcscd.log"; }
last_event() { td_complete_lines "$out" | grep -o "\(inserted\|removed\) $PCSC_SERIAL" | tail -1; }
settled_out() { [ "$(last_event)" != "inserted $PCSC_SERIAL" ]; }

# cycle N: N cycles, each 30 ms in once pcscd has it (the watcher, which
# polls every 20 ms, and OpenSC often start reading it and are cut short)
# and 60 ms out (three of pcscd's polls).
cycle() {
	vcard_do "cycle $1 60 30" "cycled $1" $((60 + $1 / 2)) >/dev/null
	grep -q '^error' "$PCSC_DIR/vcard.log" && { cat "$PCSC_DIR/vcard.log" >&2; fail "emulator error"; }
	td_poll 5 settled_out || fail "the watcher still shows the card after the cycles"
	sleep 1   # a second of quiet: the watcher has polled again
}

cycle $WARM
ins0=$(pcscd_count "Card inserted") rem0=$(pcscd_count "Card Removed")
hung0=$(grep -c "module-stopped .* hung" "$out")
w0=$(rss $WATCH) h=$(helper) h0=$(rss "$(helper)")
t0=$(now_ms)
cycle "$CYCLES"
ms=$(( $(now_ms) - t0 ))
w1=$(rss $WATCH) h1=$(rss "$(helper)")
ins=$(( $(pcscd_count "Card inserted") - ins0 )) rem=$(( $(pcscd_count "Card Removed") - rem0 ))
seen=$(grep -c "inserted $PCSC_SERIAL" "$out")
hung=$(( $(grep -c "module-stopped .* hung" "$out") - hung0 ))
half=$(grep -c "changed $PCSC_SERIAL" "$out")
unmatched=$(grep "inserted $PCSC_SERIAL" "$out" | grep -vc "match matched")
echo "$CYCLES cycles in $ms ms; pcscd saw $ins insertions and $rem removals;" \
	"the watcher reported $seen insertions in all; watcher RSS $w0 -> $w1 kB;" \
	"helper RSS $h0 -> $h1 kB; helper hung and restarted $hung times;" \
	"the card shown half read as it was pulled (changed) $half times;" \
	"inserted but not matched $unmatched times"
# A card read half as it is pulled, going in or out, is held until a
# second read (src/token/watch.c): never shown as a changed or
# mismatched token.
[ "$half" = 0 ] || { grep -B2 -A3 -m3 "changed $PCSC_SERIAL" "$out" >&2; fail "the card was shown half read $half times"; }
[ "$unmatched" = 0 ] || { awk -v s="inserted $PCSC_SERIAL" 'index($0, s) && !/match matched/ { n = 3 } n-- > 0' "$out" | head -12 >&2; fail "the card was shown inserted but not matched $unmatched times"; }
# A card pcscd did not power (a short absence it missed on a loaded
# machine) is reseated by the emulator: up to one more insertion and
# removal each, which pcscd may see.
reseats=$(grep -c '^reseated' "$PCSC_DIR/vcard.log")
[ "$ins" -ge "$CYCLES" ] && [ "$ins" -le $((CYCLES + reseats)) ] ||
	fail "pcscd saw $ins insertions of $CYCLES ($reseats reseated)"
[ "$rem" -ge "$CYCLES" ] && [ "$rem" -le $((CYCLES + reseats)) ] ||
	fail "pcscd saw $rem removals of $CYCLES ($reseats reseated)"
kill -0 $WATCH 2>/dev/null || { cat "$HSM_DIR/watch.err" >&2; fail "the watcher died"; }
# Only the card's comings and goings, and libp11's hang (a card pulled
# while OpenSC opens a session: src/token/remote.c) recovered from.
grep -v "$PCSC_SERIAL" "$out" | grep -v "module-stopped .* hung .*; restarting" |
	grep -q . && { grep -v "$PCSC_SERIAL" "$out" >&2; fail "the watcher reported something else"; }
# OpenSC's module serves Feitian and YubiKey alike: a restart names the
# module, not one of its vendors
grep "module-stopped" "$out" | grep -v "opensc-pkcs11.so module" |
	grep -q . && fail "a restart named another module: $(grep -m1 module-stopped "$out")"
if [ -z "${TD_VALGRIND:-}" ]; then
	[ $((w1 - w0)) -le "$GROWTH_KB" ] ||
		fail "the watcher grew by $((w1 - w0)) kB over $CYCLES cycles (limit $GROWTH_KB kB)"
	# The helper's growth counts when it is the same process throughout.
	if [ "$(helper)" = "$h" ]; then
		[ $((h1 - h0)) -le "$GROWTH_KB" ] ||
			fail "the module helper grew by $((h1 - h0)) kB over $CYCLES cycles (limit $GROWTH_KB kB)"
	else
		echo "note: the helper was restarted during the cycles; its growth is not measured"
	fi
fi

# No stale slot: in once more, the card is in its one slot, once.
n=$(grep -c "inserted $PCSC_SERIAL" "$out")
pcsc_insert
t0=$(now_ms)
seen_again() { [ "$(grep -c "inserted $PCSC_SERIAL" "$out")" -gt "$n" ]; }
if ! td_poll 1 seen_again; then
	echo "--- slots: $(pcsc_slots | tr '\n' ' ')"
	"$TOKENDESK" --module "$PCSC_MODULE" scan 2>&1 | head -3
	td_poll 20 seen_again && echo "--- seen after $(( $(now_ms) - t0 )) ms"
	tail -3 "$out"
	fail "the watcher did not see the card put back after the cycles within 1 s"
fi
echo "after the cycles: insertion seen by the watcher after $(( $(now_ms) - t0 )) ms"
pcsc_slots >"$HSM_DIR/slots"
[ "$(grep -c ": $PCSC_SERIAL\$" "$HSM_DIR/slots")" = 1 ] &&
	[ "$(grep -c . "$HSM_DIR/slots")" = 2 ] && grep -q ": (empty)\$" "$HSM_DIR/slots" ||
	{ cat "$HSM_DIR/slots" >&2; fail "the slots after the cycles"; }
"$TOKENDESK" --module "$PCSC_MODULE" scan >"$HSM_DIR/scan" 2>&1 || fail "scan after the cycles"
[ "$(grep -c '^token ' "$HSM_DIR/scan")" = 1 ] || { cat "$HSM_DIR/scan" >&2; fail "not one token"; }
expect_grep "match: matched" "$HSM_DIR/scan" "the card matched after the cycles"
pcsc_remove
td_poll 2 settled_out || fail "the watcher did not see the last removal"

kill -INT $WATCH
st=0; wait $WATCH || st=$?
[ $st = 0 ] || { cat "$HSM_DIR/watch.err" >&2; fail "the watcher exited $st (99: valgrind found errors or leaks)"; }
if [ -n "${TD_VALGRIND:-}" ]; then
	# The helpers' own reports (a helper's exit status is not the test's).
	sleep 2
	grep -q '^==[0-9]*== ' "$HSM_DIR/watch.err" &&
		{ cat "$HSM_DIR/watch.err" >&2; fail "valgrind found errors or leaks in a module helper"; }
fi
echo PASS
