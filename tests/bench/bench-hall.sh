#!/bin/sh
# bench-hall.sh (make bench): the handover hall under load.  DESKS desks
# (10) over loopback SSH, each through tokendesk-connect with its own
# laptop's p11-kit server, each recording a handover every second for
# SECONDS (60) s, typed as an operator would (serial, Enter, F9, y), while
# a command-line writer hands tokens over every second too.  Prints:
#   - F9 to "recorded": p50 and p99 from the confirming key to the
#     "Handover recorded" line on the operator's screen (through ssh and
#     tmux; screens read every 10 ms)                 target p99 <= 200 ms
#     and on to "record to print" (the PDF saved; no target)
#   - failed writes (desks and command), and handovers in the registry
#                                                     target 0 failed
#   - token insertion to "Matched" on the desk through the forwarded
#     module (each laptop once)                       target <= 1000 ms
# and that the audit chain verifies.  BENCH_HALL_DESKS, BENCH_HALL_SECONDS
# shrink it; BENCH_STRICT=1 fails on a missed target.  Needs root for its
# sshd (as make check-hall); says SKIP otherwise.
: "${TOKENDESK:?run through make bench}"
: "${TD_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
DESKS=${BENCH_HALL_DESKS:-10}
SECS=${BENCH_HALL_SECONDS:-60}
. "$TD_SRCDIR/tests/hall/hall-lib.sh"
HALL_KEYLOG=1   # each desk logs its key-to-screen times (desk.c)
skip() { echo "bench hall: SKIP: $*"; exit 0; }
hall_init
B=$HALL/bench
mkdir -p "$B"

# Registry: per desk SECS typed tokens (no chip needed to hand one over
# by serial) and one real token staged for the insertion figure; the
# command-line writer's own SECS tokens.
awk -v desks="$DESKS" -v secs="$SECS" 'BEGIN {
	for (d = 0; d <= desks; d++)
		for (k = 1; k <= secs; k++)
			printf "%02X%04X,person,Cán bộ %d.%d,0900%02d%06d,,HL.SNV,2025-01-01,2030-01-01,BE%02X%04X,Bench,\n",
			    d + 100, k, d, k, d, k, d, k
}' >>"$HALL/certs.csv"
n=1
while [ $n -le "$DESKS" ]; do
	hall_laptop $n
	hall_stage_token $n "ins$n" "$(printf 'E%03d' $n)"
	hall_operator $n "Cán bộ bàn $n"
	n=$((n + 1))
done
hall_import
reg() { "$TOKENDESK" --db "$HALL_DB" "$@"; }

n=1
while [ $n -le "$DESKS" ]; do hall_desk $n 150 30; n=$((n + 1)); done
n=1
while [ $n -le "$DESKS" ]; do dwait $n "0 token(s)" 30; n=$((n + 1)); done

# Insertion to match, one laptop at a time (the others idle, polling).
: >"$B/ins"
n=1
while [ $n -le "$DESKS" ]; do
	t0=$(now_ms)
	hall_insert $n "ins$n"
	until dhas $n "Matched — ins$n"; do
		[ $(( $(now_ms) - t0 )) -lt 10000 ] || { echo 99999 >>"$B/ins"; break; }
		sleep 0.01
	done
	dhas $n "Matched — ins$n" && echo $(( $(now_ms) - t0 )) >>"$B/ins"
	hall_pull $n "ins$n"
	n=$((n + 1))
done
n=1
while [ $n -le "$DESKS" ]; do dwait $n "0 token(s)"; n=$((n + 1)); done

# until_shows N TEXT MAX_MS PERIOD: poll desk N every PERIOD s; 0 when
# TEXT shows.  (Ten pollers forking tmux every 10 ms would load the
# machine more than the desks do.)
until_shows() {
	u0=$(now_ms)
	while ! dhas "$1" "$2"; do
		[ $(( $(now_ms) - u0 )) -lt "$3" ] || return 1
		sleep "$4"
	done
}

# until_recorded N MS: desk N says a handover was recorded: its status
# line, or already the offer to sign the record that follows it.
until_recorded() {
	u0=$(now_ms)
	while ! dhas "$1" "Handover recorded: BG-" && ! dhas "$1" "The handover is recorded."; do
		[ $(( $(now_ms) - u0 )) -lt "$2" ] || return 1
		sleep 0.01
	done
}

# One operator: SECS handovers to the managing agency (the first step of
# the path official -> agency -> DOST -> CA), one a second.
operator() {
	n=$1 k=1 start=$(now_ms)
	dkeys $n F5
	until_shows $n "Hand tokens over" 10000 0.02 || { echo "open" >>"$B/fail.$n"; return; }
	dkeys $n Tab Tab
	dtype $n agency:HL.SNV
	until_shows $n "✓ " 10000 0.02 || { echo "to" >>"$B/fail.$n"; return; }
	dkeys $n BTab BTab
	while [ $k -le "$SECS" ]; do
		serial=$(printf 'BE%02X%04X' "$n" "$k")
		dtype $n "$serial"
		dkeys $n Enter
		if until_shows $n "$serial added." 5000 0.02; then
			dkeys $n F9
			if until_shows $n "Record the handover?" 5000 0.02; then
				t0=$(now_ms)
				dkeys $n y
				# recorded: said on the status line at once, then the
				# record is printed and the offer to sign it comes
				# (issue 22), which this bench puts aside (Esc)
				if until_recorded $n 5000; then
					echo $(( $(now_ms) - t0 )) >>"$B/lat.$n"
					until_shows $n "Esc: not now" 5000 0.02 &&
						echo $(( $(now_ms) - t0 )) >>"$B/pdf.$n"
					dkeys $n Escape
					until_shows $n "Last recorded: BG-" 5000 0.02 ||
						echo "back from the offer: $(dscreen $n | tail -1)" >>"$B/fail.$n"
				else
					echo "record $serial: $(dscreen $n | tail -1)" >>"$B/fail.$n"
				fi
			else
				echo "confirm $serial: $(dscreen $n | tail -1)" >>"$B/fail.$n"
			fi
		else
			echo "add $serial: $(dscreen $n | tail -1)" >>"$B/fail.$n"
			dkeys $n C-u 2>/dev/null
		fi
		# the next one a second after this one was due
		next=$((start + k * 1000))
		now=$(now_ms)
		[ "$now" -lt "$next" ] && sleep "$(awk -v ms=$((next - now)) 'BEGIN { print ms / 1000 }')"
		k=$((k + 1))
	done
}

# The command-line writer: a handover by command every second.
cli_writer() {
	k=1
	while [ $k -le "$SECS" ]; do
		serial=$(printf 'BE%02X%04X' 0 "$k")
		"$TOKENDESK" --db "$HALL_DB" --operator "lệnh" -q handover --to agency:HL.SNV "$serial" \
			>/dev/null 2>>"$B/fail.cli" || echo "cli $serial" >>"$B/fail.cli"
		sleep 1
		k=$((k + 1))
	done
}

before=$(reg receipt --list | grep -c '^BG-')
pids=
n=1
while [ $n -le "$DESKS" ]; do operator $n & pids="$pids $!"; n=$((n + 1)); done
cli_writer & pids="$pids $!"
for p in $pids; do wait "$p"; done
after=$(reg receipt --list | grep -c '^BG-')

# The desks end (F10) and close their key logs.
n=1
while [ $n -le "$DESKS" ]; do dkeys $n Escape; dkeys $n F10; n=$((n + 1)); done
n=1
while [ $n -le "$DESKS" ]; do dwait $n "EXITED" 30; n=$((n + 1)); done

pct() { awk -v p="$1" '{ v[NR] = $1 } END { if (!NR) { print 0; exit }
	i = int(NR * p / 100 + 0.999999); if (i < 1) i = 1; if (i > NR) i = NR; print v[i] }' "$2"; }
# In the desk: from the confirming key (y, 121) to "recorded" drawn (the
# flush line), and to the PDF saved (the key's own line after it).
cat "$HALL"/keylog.* 2>/dev/null | awk '
	$1 == "flush" && $2 == 121 { print $3 >"/dev/stderr"; want = 1; next }
	want && $1 == 121 { print $2; want = 0 }' 2>"$B/in.rec" | sort -n >"$B/in.pdf"
sort -n -o "$B/in.rec" "$B/in.rec"
cat "$B"/lat.* 2>/dev/null | sort -n >"$B/lat"
cat "$B"/pdf.* 2>/dev/null | sort -n >"$B/pdf"
count=$(wc -l <"$B/in.rec")
r50=$(pct 50 "$B/in.rec") r99=$(pct 99 "$B/in.rec") rmax=$(tail -1 "$B/in.rec")
f50=$(pct 50 "$B/in.pdf") f99=$(pct 99 "$B/in.pdf")
p50=$(pct 50 "$B/lat") p99=$(pct 99 "$B/lat")
pdf50=$(pct 50 "$B/pdf") pdf99=$(pct 99 "$B/pdf")
failed=$(cat "$B"/fail.* 2>/dev/null | grep -c .)
sort -n "$B/ins" >"$B/ins.sorted"
ins_med=$(awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }' "$B/ins.sorted")
ins_max=$(tail -1 "$B/ins.sorted")
reg audit verify >/dev/null && audit=verified || audit=BROKEN
load=$(cut -d' ' -f1-3 /proc/loadavg)

missed=0
verdict() {
	if awk -v v="$1" -v t="$2" 'BEGIN { exit !(v <= t) }'; then V=PASS; else
		V=MISS; missed=1; fi
}
echo "bench hall: $DESKS desks over loopback ssh, 1 handover/s each and 1/s by command, ${SECS} s; load average $load"
verdict "$r99" 200
printf 'bench hall F9 (y) to "recorded" on the desk: p50 %.0f ms, p99 %.0f ms, max %.0f ms over %d    target p99 <= 200 ms: %s\n' \
	"$r50" "$r99" "$rmax" "$count" "$V"
printf 'bench hall   the same as seen on the laptop (ssh, tmux, screens read every 10 ms): p50 %s ms, p99 %s ms    (no target)\n' "$p50" "$p99"
printf 'bench hall   and on to the record to print (PDF saved): p50 %.0f ms, p99 %.0f ms on the desk; %s / %s ms on the laptop    (no target)\n' \
	"$f50" "$f99" "$pdf50" "$pdf99"
verdict "$failed" 0
echo "bench hall failed writes: $failed (desks and command); handovers recorded $((after - before)) of $((DESKS * SECS + SECS)); audit chain $audit    target 0: $V"
verdict "$ins_max" 1000
echo "bench hall insertion to match through the forwarded module: median ${ins_med} ms, max ${ins_max} ms over $DESKS laptops    target <= 1000 ms: $V"
[ "$audit" = verified ] || missed=1
if [ "$failed" -gt 0 ]; then cat "$B"/fail.* | head -5 | sed 's/^/  /'; fi
[ "${BENCH_STRICT:-0}" = 1 ] && exit $missed
exit 0
