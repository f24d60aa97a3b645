#!/bin/sh
# bench-pcsc: token detection on the virtual smart card (tests/pcsc: a
# libcacard CAC card through vpcd, a private pcscd as shipped (400 ms
# card poll) and OpenSC's PKCS#11 module), beside pkcs11-tool through the
# same pcscd.
#  1. insertion-to-match: the card goes into the reader (the emulator
#     connects to vpcd) while `scan --watch --poll-ms 20` runs; time until
#     its line, matched, is printed.  Anchor: pcscd taking the card in
#     (powered and its ATR read).  Target: <= 1000 ms (the desk's 1 s).
#  2. `tokendesk scan` as a whole process vs `pkcs11-tool -L` plus
#     `pkcs11-tool -O`, as bench-token.sh does on SoftHSM2.  Target 1.0x.
# Needs what `make check-pcsc` needs (root or user namespaces, vpcd,
# OpenSC, libcacard): otherwise it says SKIP and why.
# BENCH_STRICT=1 fails (exit 1) on a missed target.
. "${TD_SRCDIR:-$(dirname "$0")/../..}/tests/pcsc/pcsc-lib.sh"
skip() { echo "bench pcsc: SKIP: $*"; exit 0; }
pcsc_init
ROUNDS=${BENCH_ROUNDS:-10}
N=${BENCH_RUNS:-20}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
pcsc_insert
pcsc_registry
pcsc_remove

out=$HSM_DIR/watch.out
"$TOKENDESK" --module "$PCSC_MODULE" scan --watch --no-usb --poll-ms 20 >"$out" 2>/dev/null &
pid=$!
HSM_PIDS="$HSM_PIDS $pid"
sleep 1
: >"$HSM_DIR/lat"; : >"$HSM_DIR/anchor"
i=1
while [ $i -le $ROUNDS ]; do
	t0=$(now_ms)
	vcard_do insert powered >>"$HSM_DIR/anchor"
	until [ "$(grep -c "inserted $PCSC_SERIAL .* match matched" "$out")" -ge $i ]; do
		[ $(( $(now_ms) - t0 )) -lt 10000 ] || fail "insertion $i not seen"
		sleep 0.002
	done
	echo $(( $(now_ms) - t0 )) >>"$HSM_DIR/lat"
	pcsc_remove
	until [ "$(grep -c "removed $PCSC_SERIAL" "$out")" -ge $i ]; do sleep 0.01; done
	i=$((i + 1))
done
kill -INT $pid; wait $pid
lat=$(median <"$HSM_DIR/lat") max=$(sort -n "$HSM_DIR/lat" | tail -1)
anc=$(median <"$HSM_DIR/anchor") ancmax=$(sort -n "$HSM_DIR/anchor" | tail -1)

pcsc_insert
t0=$(now_ms); i=0
while [ $i -lt $N ]; do
	"$TOKENDESK" --module "$PCSC_MODULE" scan --no-usb >"$HSM_DIR/scan" 2>&1 || fail scan
	i=$((i + 1))
done
td_ms=$(( $(now_ms) - t0 ))
grep -q "match: matched" "$HSM_DIR/scan" || fail "the scan did not match the card"
t0=$(now_ms); i=0
while [ $i -lt $N ]; do
	pkcs11-tool --module "$PCSC_MODULE" -L >/dev/null 2>&1
	pkcs11-tool --module "$PCSC_MODULE" -O >/dev/null 2>&1
	i=$((i + 1))
done
p11_ms=$(( $(now_ms) - t0 ))
ratio=$(awk -v a=$td_ms -v b=$p11_ms 'BEGIN { printf "%.2f", a / b }')
load=$(cut -d' ' -f1-3 /proc/loadavg)

missed=0
verdict() {
	if awk -v v="$1" -v t="$2" 'BEGIN { exit !(v <= t) }'; then V=PASS; else V=MISS; missed=1; fi
}
echo "bench pcsc: virtual CAC card, vpcd, private pcscd (400 ms card poll), $(pkcs11-tool --module "$PCSC_MODULE" -I 2>/dev/null | sed -n 's/^Library *//p' | head -1); load $load"
verdict "$lat" 1000
echo "bench pcsc insertion-to-match (watch poll 20 ms): median $lat ms, max $max ms over $ROUNDS    anchor: pcscd takes the card in, median $anc ms, max $ancmax ms (tokendesk's share, median: $((lat - anc)) ms)    target <= 1000 ms: $V"
verdict "$ratio" 1.0
echo "bench pcsc scan: tokendesk scan $((td_ms / N)) ms per run (1 card, matched)    anchor: pkcs11-tool -L + -O $((p11_ms / N)) ms; ratio ${ratio}x    target <= 1.0x: $V"
[ "${BENCH_STRICT:-0}" = 1 ] && exit $missed
exit 0
