#!/bin/sh
# pcsc/watch: the virtual card put in and taken out of the reader while
# `scan --watch` runs is reported within 1 s each way (pcscd polls vpcd
# every 400 ms; OpenSC and the watcher add theirs), matched when in;
# through OpenSC directly and through p11-kit's proxy, three rounds each.
. "${TD_SRCDIR:-$(dirname "$0")/../..}/tests/pcsc/pcsc-lib.sh"
pcsc_init
LIMIT_MS=$((1000 * TD_SLOW))
pcsc_insert
pcsc_registry
pcsc_remove

# Wait for the Nth whole line of FILE matching PATTERN; print the ms.
wait_nth() {  # wait_nth N PATTERN FILE
	t0=$(now_ms)
	until [ "$(td_complete_lines "$3" | grep -c -- "$2")" -ge "$1" ]; do
		[ $(( $(now_ms) - t0 )) -lt $((5000 * TD_SLOW)) ] ||
			{ cat "$3" >&2; fail "no '$2' (#$1) within $((5 * TD_SLOW)) s"; }
		sleep 0.01
	done
}

run_round() {  # run_round NAME [tokendesk options]
	name=$1; shift
	out=$HSM_DIR/watch-$name.out
	: >"$out"
	"$TOKENDESK" "$@" scan --watch --no-usb >"$out" 2>"$HSM_DIR/watch-$name.err" &
	pid=$!
	HSM_PIDS="$HSM_PIDS $pid"
	# The watcher has read its modules once (an empty reader) before
	# the card goes in: otherwise the time measured includes its start.
	sleep $((1 * TD_SLOW))
	for i in 1 2 3; do
		t0=$(now_ms)
		vcard_do insert powered >/dev/null
		wait_nth $i "inserted $PCSC_SERIAL" "$out"
		in_ms=$(( $(now_ms) - t0 ))
		t0=$(now_ms)
		vcard_do remove removed >/dev/null
		wait_nth $i "removed $PCSC_SERIAL" "$out"
		out_ms=$(( $(now_ms) - t0 ))
		echo "$name $i: insertion seen after $in_ms ms, removal after $out_ms ms"
		[ "$in_ms" -le $LIMIT_MS ] || fail "$name: insertion took $in_ms ms"
		[ "$out_ms" -le $LIMIT_MS ] || fail "$name: removal took $out_ms ms"
	done
	# Each insertion was matched against the registry, and nothing else
	# was reported: no second token, no error, no stale slot, and no
	# "changed" (OpenSC can read the card half as it is pulled out, the
	# token without its certificate; the watcher holds that until a
	# second read, so the removal comes first: src/token/watch.c).
	[ "$(grep -c "inserted $PCSC_SERIAL.*match matched" "$out")" = 3 ] ||
		{ cat "$out" >&2; fail "$name: an insertion not matched"; }
	[ "$(grep -c "removed $PCSC_SERIAL" "$out")" = 3 ] ||
		{ cat "$out" >&2; fail "$name: not 3 removals"; }
	grep -v "^[^ ]* \(inserted\|removed\) $PCSC_SERIAL\|^  " "$out" | grep -q . &&
		{ cat "$out" >&2; fail "$name: something else reported (a card read half shown?)"; }
	kill -INT $pid
	st=0; wait $pid || st=$?
	[ $st = 0 ] || { cat "$HSM_DIR/watch-$name.err" >&2; fail "$name: watch exited $st after SIGINT"; }
}

run_round opensc --module "$PCSC_MODULE"
if p11-kit list-modules 2>/dev/null | grep -qi opensc; then
	run_round proxy
else
	echo "note: OpenSC is not registered with p11-kit; the proxy round is left out"
fi
echo PASS
