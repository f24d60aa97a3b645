#!/bin/sh
# bench-count.sh: inventory-count reconciliation and field-kit merge at
# scale.
#
#   TOKENDESK=./tokendesk sh tests/bench/bench-count.sh
#
# Targets (issue 6): reconciling a 100,000-token count <= 1 s; merging a
# kit carrying 100,000 field events <= 2 s.  Environment: TOKENDESK,
# KIT_MOVE (the tests/cli/kit-move helper; built on demand next to
# TOKENDESK), BENCH_COUNT_TOKENS (100000), BENCH_KIT_EVENTS (100000),
# BENCH_STRICT (1: exit 1 when a target is missed).  Times are whole
# processes, what the operator waits for.
set -u

TOKENDESK=${TOKENDESK:-./tokendesk}
builddir=$(cd "$(dirname "$TOKENDESK")" && pwd)
KIT_MOVE=${KIT_MOVE:-$builddir/tests/cli/kit-move}
N=${BENCH_COUNT_TOKENS:-100000}
EVENTS=${BENCH_KIT_EVENTS:-100000}
STRICT=${BENCH_STRICT:-0}
LC_ALL=C.UTF-8
export LC_ALL
export TOKENDESK_OPERATOR=bench

die() { echo "bench-count: $*" >&2; exit 1; }
note() { echo "bench-count: $*" >&2; }
now() { date +%s.%N; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }
# timed NAME CMD...: run CMD, setting NAME_wall and NAME_cpu (user+sys,
# from /usr/bin/time when present: on a loaded machine wall time
# includes waiting for the CPU).
timed() {
	_n=$1; shift
	_t0=$(now)
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f '%U %S' -o "$tmp/cpu" "$@" || return 1
		_cpu=$(awk '{ printf "%.3f", $1 + $2 }' "$tmp/cpu")
	else
		"$@" || return 1
		_cpu=n/a
	fi
	eval "${_n}_wall=$(sub "$(now)" "$_t0")"
	eval "${_n}_cpu=$_cpu"
}
missed=0
verdict() {
	if awk -v v="$1" -v t="$2" 'BEGIN { exit !(v <= t) }'; then V=PASS; else
		V=MISS; missed=1; fi
}

[ -x "$TOKENDESK" ] || die "$TOKENDESK: not found (set TOKENDESK)"
if [ ! -x "$KIT_MOVE" ]; then
	make -s -C "$builddir" tests/cli/kit-move >/dev/null 2>&1 ||
		die "$KIT_MOVE: not built (make tests/cli/kit-move)"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/td-bench-count.XXXXXX") || die "mktemp failed"
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
db=$tmp/reg.db
td() { "$TOKENDESK" --db "$db" "$@"; }

# A province DC of 10 departments x 10 divisions holding N tokens, and an
# unrelated root XX holding 1,000 (they scan as "unexpected").
note "generating $N tokens"
awk 'BEGIN {
	print "code,name,parent_code,level"
	print "DC,Tỉnh Đông Châu,,province"
	print "XX,Cơ quan ngoài tỉnh,,other"
	for (d = 1; d <= 10; d++) {
		printf "D%02d,Sở số %d,DC,department\n", d, d
		for (v = 1; v <= 10; v++)
			printf "D%02dV%02d,Phòng %d.%d,D%02d,division\n", d, v, d, v, d
	}
}' > "$tmp/agencies.csv"
awk -v n="$N" 'BEGIN {
	print "cert_serial,kind,holder_name,holder_id,position,agency_code,not_before,not_after,token_serial,token_model,email"
	for (i = 1; i <= n + 1000; i++) {
		if (i <= n)
			ag = sprintf("D%02dV%02d", (i % 10) + 1, (int(i / 10) % 10) + 1)
		else
			ag = "XX"
		printf "%x,person,Cán bộ %d,%012d,Chuyên viên,%s,2024-01-01,2027-01-01,TK%07d,ePass,\n",
		       i + 65536, i, i, ag, i
	}
}' > "$tmp/certs.csv"
td init >/dev/null || die "init"
t0=$(now)
td import "$tmp/agencies.csv" "$tmp/certs.csv" >/dev/null || die "import"
note "import of $((N + 1000)) certificates: $(sub "$(now)" "$t0") s"

# ---- count -------------------------------------------------------------
# Scans: every token of DC but each 50th (missing), the 1,000 of XX
# (unexpected), 500 unknown serials, and 500 scanned twice.
awk -v n="$N" 'BEGIN {
	for (i = 1; i <= n; i++) if (i % 50) printf "TK%07d\n", i
	for (i = n + 1; i <= n + 1000; i++) printf "TK%07d\n", i
	for (i = 1; i <= 500; i++) printf "NOPE%05d\n", i
	for (i = 1; i <= 1000; i += 2) if (i % 50) printf "TK%07d\n", i
}' > "$tmp/scans.txt"
id=$(td count start --agency DC) || die "count start"
timed scan "$TOKENDESK" --db "$db" count scan "$id" --from "$tmp/scans.txt" >/dev/null ||
	die "count scan --from"
timed rec "$TOKENDESK" --db "$db" count report "$id" --summary >/dev/null ||
	die "count report --summary"
timed recj "$TOKENDESK" --db "$db" count report "$id" --json > "$tmp/report.json" ||
	die "count report"
timed close "$TOKENDESK" --db "$db" count close "$id" -o "$tmp" >/dev/null || die "count close"
tally=$(sed -n '/"tally"/,/}/p' "$tmp/report.json" | tr -d ' \n')
echo "$tally" | grep -q "\"expected\":$N," || die "unexpected tally: $tally"

# ---- kit -----------------------------------------------------------------
td kit make --agencies D01 -o "$tmp/field.kit" >/dev/null || die "kit make"
timed field "$KIT_MOVE" "$tmp/field.kit" --cycle "$EVENTS" agency:D01 dost ||
	die "field moves"
"$TOKENDESK" --db "$tmp/field.kit" audit verify >/dev/null || die "kit audit chain"
timed merge "$TOKENDESK" --db "$db" kit merge "$tmp/field.kit" > "$tmp/merge.out" || die "kit merge"
grep -q "$EVENTS field audit rows, 0 conflicts" "$tmp/merge.out" ||
	die "merge: $(cat "$tmp/merge.out")"
timed verify "$TOKENDESK" --db "$db" audit verify >/dev/null || die "home audit chain after merge"

echo "count: $N expected tokens, $(wc -l < "$tmp/scans.txt") scans; load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
echo "  tally $tally"
echo "                                      wall s   cpu s"
line() { printf '  %-34s %7s %7s   %s\n' "$1" "$2" "$3" "${4:-}"; }
line "scan file (one transaction)" "$scan_wall" "$scan_cpu"
verdict "$rec_wall" 1
line "reconcile: tallies (--summary)" "$rec_wall" "$rec_cpu" "target <= 1 s: $V"
line "reconcile: every line (--json)" "$recj_wall" "$recj_cpu"
line "close (freeze, text + xlsx)" "$close_wall" "$close_cpu"
echo "kit: agency D01, $EVENTS field events (custody moves, each audited)"
line "recording them in the kit" "$field_wall" "$field_cpu"
verdict "$merge_wall" 2
line "kit merge" "$merge_wall" "$merge_cpu" "target <= 2 s: $V"
line "audit verify after merge" "$verify_wall" "$verify_cpu"
[ "$STRICT" = 1 ] && [ $missed = 1 ] && exit 1
exit 0
