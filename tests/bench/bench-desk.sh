#!/bin/sh
# bench-desk.sh: keystroke-to-screen latency of the desk's search on a
# registry of 1,000,000 certificates (60,000 agencies).  The desk reads a
# key script (TOKENDESK_KEYS) and logs, for each key, the milliseconds
# from taking the key to doupdate() having written the new screen
# (TOKENDESK_KEYLOG); it runs in a real terminal (tmux).  Target: every
# search keystroke under 50 ms.
#
#   TD_BENCH_DB=FILE  reuse a registry built earlier (skips gen + import)
#   TD_BENCH_KEEP=1   keep the registry in $TMPDIR for the next run
: "${TOKENDESK:?run through make bench}"
: "${TD_BUILDDIR:?}"
command -v tmux >/dev/null 2>&1 || { echo "tmux not installed"; exit 77; }
gen=
for g in "$TD_BUILDDIR/tools/gen-province" "$TD_BUILDDIR/gen-province"; do
	[ -x "$g" ] && gen=$g && break
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/td-bench-desk.XXXXXX")
trap 'tmux -S "$tmp/sock" kill-server 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
export LC_ALL=C.UTF-8

db=${TD_BENCH_DB:-}
if [ -z "$db" ]; then
	[ -n "$gen" ] || { echo "tools/gen-province not built"; exit 77; }
	db="$tmp/reg.db"
	[ -n "$TD_BENCH_KEEP" ] && db="${TMPDIR:-/tmp}/td-bench-desk.db" && rm -f "$db"*
	t0=$(date +%s)
	"$gen" --agencies 60000 --certs 1000000 -o "$tmp/prov" >/dev/null || exit 1
	"$TOKENDESK" --db "$db" -q init >/dev/null || exit 1
	"$TOKENDESK" --db "$db" -q import "$tmp/prov/agencies.csv" \
		"$tmp/prov/certificates.csv" >/dev/null || exit 1
	rm -rf "$tmp/prov"
	echo "registry of 1,000,000 certificates built in $(( $(date +%s) - t0 )) s"
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
tmux -S "$tmp/sock" -f /dev/null new-session -d -x 120 -y 40 \
	"TOKENDESK_KEYS='$tmp/keys' TOKENDESK_KEYLOG='$tmp/log' '$TOKENDESK' --db '$db' --lang en; echo \$? >'$tmp/done'; sleep 5" ||
	exit 1
i=0
while [ ! -s "$tmp/done" ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$tmp/done" ] && [ "$(cat "$tmp/done")" = 0 ] || { echo "FAIL: the desk did not finish"; exit 1; }
# keys 21 (Ctrl-U) and function keys are not search keystrokes
awk '$1 >= 32 && $1 < 1073741824 { print $2 }' "$tmp/log" | sort -n >"$tmp/ms"
n=$(wc -l <"$tmp/ms")
[ "$n" -gt 50 ] || { echo "FAIL: only $n keystrokes logged"; exit 1; }
median=$(sed -n "$(( (n + 1) / 2 ))p" "$tmp/ms")
p95=$(sed -n "$(( (n * 95 + 99) / 100 ))p" "$tmp/ms")
max=$(tail -1 "$tmp/ms")
echo "desk search keystroke-to-screen on 1,000,000 certificates: $n keys," \
     "median $median ms, p95 $p95 ms, max $max ms (target < 50 ms)"
awk -v m="$max" 'BEGIN { exit !(m < 50) }' || { echo "FAIL: max over 50 ms"; exit 1; }
exit 0
