#!/bin/sh
# bench-desk.sh: keystroke-to-screen latency of the desk's search on a
# registry of 1,000,000 certificates (60,000 agencies).  The desk reads a
# key script (TOKENDESK_KEYS) and logs, for each key, the milliseconds
# from taking the key to doupdate() having written the new screen
# (TOKENDESK_KEYLOG); it runs in a real terminal (tmux).  Target: every
# search keystroke under 50 ms.
#
# Run by `make bench` (TOKENDESK, GEN set).  BENCH_AGENCIES/BENCH_CERTS
# shrink the data; BENCH_STRICT=1 fails on a missed target;
# TD_BENCH_DB=FILE reuses a registry built before (no gen, no import).
# Issue 27: the desk runs with a CPU-bound process on each core beside it
# (BENCH_DESK_BUSY=0: on a quiet machine), and the figure is the p99.
: "${TOKENDESK:?run through make bench}"
command -v tmux >/dev/null 2>&1 || { echo "tmux not installed: skipped"; exit 0; }
agencies=${BENCH_AGENCIES:-60000}
certs=${BENCH_CERTS:-1000000}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/td-bench-desk.XXXXXX")
trap 'tmux -S "$tmp/sock" kill-server 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
export LC_ALL=C.UTF-8

db=${TD_BENCH_DB:-$tmp/reg.db}
if [ ! -f "$db" ]; then   # build it (where TD_BENCH_DB says, to share it)
	: "${GEN:?run through make bench (GEN: tools/gen-province)}"
	t0=$(date +%s)
	"$GEN" --agencies "$agencies" --certs "$certs" -o "$tmp/prov" >/dev/null || exit 1
	"$TOKENDESK" --db "$db" -q init >/dev/null || exit 1
	"$TOKENDESK" --db "$db" -q import "$tmp/prov/agencies.csv" \
		"$tmp/prov/certificates.csv" >/dev/null || exit 1
	rm -rf "$tmp/prov"
	echo "registry of $certs certificates built in $(( $(date +%s) - t0 )) s"
fi

# Search as you type: names with and without marks, codes, serial
# prefixes; each letter is one measured keystroke, Ctrl-U clears.
{
	printf '<F3>'
	for q in "nguyen van hung" "Trần Thị" "le thi thu" "pham" "so tai chinh" \
	         "ubnd xa" "hoang minh duc" "54" "c09f" "vu xuan dong"; do
		printf '%s' "$q"
		printf '\025'   # Ctrl-U
	done
	printf '<Esc><F10>'
} >"$tmp/keys"
# a CPU-bound process on each core, ended (by pid) when the desk is done
busy_pids=
if [ "${BENCH_DESK_BUSY:-1}" != 0 ]; then
	k=0
	while [ $k -lt "$(nproc 2>/dev/null || echo 2)" ]; do
		sh -c 'while :; do :; done' &
		busy_pids="$busy_pids $!"
		k=$((k + 1))
	done
	trap 'kill $busy_pids 2>/dev/null; tmux -S "$tmp/sock" kill-server 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
fi
tmux -S "$tmp/sock" -f /dev/null new-session -d -x 120 -y 40 \
	"TOKENDESK_KEYS='$tmp/keys' TOKENDESK_KEYLOG='$tmp/log' '$TOKENDESK' --db '$db' --lang en; echo \$? >'$tmp/done'; sleep 5" ||
	exit 1
i=0
while [ ! -s "$tmp/done" ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i + 1)); done
[ -n "$busy_pids" ] && kill $busy_pids 2>/dev/null
[ -s "$tmp/done" ] && [ "$(cat "$tmp/done")" = 0 ] || { echo "FAIL: the desk did not finish"; exit 1; }
# keys 21 (Ctrl-U) and function keys are not search keystrokes
awk '$1 >= 32 && $1 < 1073741824 { print $2 }' "$tmp/log" | sort -n >"$tmp/ms"
n=$(wc -l <"$tmp/ms")
[ "$n" -gt 50 ] || { echo "FAIL: only $n keystrokes logged"; exit 1; }
median=$(sed -n "$(( (n + 1) / 2 ))p" "$tmp/ms")
p95=$(sed -n "$(( (n * 95 + 99) / 100 ))p" "$tmp/ms")
p99=$(sed -n "$(( (n * 99 + 99) / 100 ))p" "$tmp/ms")
max=$(tail -1 "$tmp/ms")
busy=$([ -n "$busy_pids" ] && echo "a CPU-bound process on each core" || echo "no other load")
echo "desk search keystroke-to-screen on ${TD_BENCH_DB:-$certs certificates}, $busy: $n keys," \
     "median $median ms, p95 $p95 ms, p99 $p99 ms, max $max ms (target < 50 ms)"
v=PASS
awk -v m="$p99" 'BEGIN { exit !(m < 50) }' || v=MISS
echo "FIGURE desk keystroke p99 under load, ms: $p99 (anchor: 6 of 9 runs missed 50 ms, 'nguy' 14 ms raw; target < 50) $v"
# the slowest keys, with the text searched, to tell where time goes
awk '$1 == 21 { q = ""; next } $1 >= 32 && $1 < 128 { q = q sprintf("%c", $1) }
     $1 >= 128 && $1 < 1073741824 { q = q "?" }
     $1 >= 32 && $1 < 1073741824 { print $2 " ms  [" q "]" }' "$tmp/log" |
	sort -rn | head -5 | sed 's/^/  slowest: /'
if ! awk -v m="$max" 'BEGIN { exit !(m < 50) }'; then
	echo "MISSED: max keystroke-to-screen $max ms >= 50 ms"
	[ -n "${BENCH_STRICT:-}" ] && exit 1
fi
exit 0
