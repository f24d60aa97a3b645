#!/bin/sh
# tests/crash/crash-kit-make.sh: SIGKILL `tokendesk kit make` at random
# moments (a laptop losing power while a field kit is written to a USB
# stick) and check after every kill:
#  - home passes PRAGMA integrity_check and `audit verify`, and holds
#    either no record of the kit or the kit.make row of a whole one;
#  - under the kit's name there is no file, or a whole kit: it merges
#    (nothing to bring home: it was just made) -- never half a kit that
#    a team could carry into the field and lose its work in;
#  - home never records as made (kit.make) a kit that does not exist;
#    a kit.begin row (its uuid noted before it is written) may stay.
# Moments are drawn over 0..1.1 times a whole make (measured first).
#   CRASH_KILLS  kills (default 10: make check; make crashtest: 1000)
#   CRASH_SEED   seed of the moments (default: from the clock; printed)
: "${TOKENDESK:?}" "${TD_SRCDIR:?}"
command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 shell not installed"; exit 77; }
kills=${CRASH_KILLS:-10} seed=${CRASH_SEED:-$(date +%s)}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/td-crash.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
export TOKENDESK_OPERATOR=crash LC_ALL=C.UTF-8
failures=0
fail() { echo "FAIL (kill $i, after ${delay}s): $*"; failures=$((failures + 1)); }
made() { sqlite3 "$1" "select count(*) from audit where action = 'kit.make'"; }

d=$TD_SRCDIR/data/demo
"$TOKENDESK" --db "$tmp/base.db" init >/dev/null &&
	"$TOKENDESK" --db "$tmp/base.db" import "$d/agencies.csv" "$d/certificates.csv" \
		>/dev/null || exit 1
op="kit make --agencies DC"

# A whole make, timed.
cp "$tmp/base.db" "$tmp/r.db"
start=$(date +%s.%N)
# shellcheck disable=SC2086 # op is a word list
"$TOKENDESK" --db "$tmp/r.db" $op -o "$tmp/whole.kit" >/dev/null || exit 1
span=$(echo "$start $(date +%s.%N)" | awk '{ printf "%.3f", ($2 - $1) * 1.1 }')
[ "$(made "$tmp/r.db")" = 1 ] || { echo "a whole make left no kit.make row"; exit 1; }
echo "crash: $kills kills over 0..${span}s of a kit make (seed $seed)"

none=0 whole=0 unregistered=0
awk -v n="$kills" -v s="$seed" -v span="$span" 'BEGIN { srand(s)
	for (i = 1; i <= n; i++) printf "%d %.4f\n", i, rand() * span }' >"$tmp/moments"
while read -r i delay; do
	rm -rf "$tmp/stick" "$tmp/r.db" "$tmp/r.db-wal" "$tmp/r.db-shm"
	mkdir "$tmp/stick"
	cp "$tmp/base.db" "$tmp/r.db"
	# shellcheck disable=SC2086
	"$TOKENDESK" --db "$tmp/r.db" $op -o "$tmp/stick/field.kit" >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	ic=$(sqlite3 "$tmp/r.db" 'PRAGMA integrity_check' 2>&1)
	[ "$ic" = ok ] || { fail "home integrity_check: $ic"; continue; }
	"$TOKENDESK" --db "$tmp/r.db" audit verify >/dev/null 2>&1 || fail "home audit verify"
	rows=$(made "$tmp/r.db")
	if [ ! -e "$tmp/stick/field.kit" ]; then
		[ "$rows" = 0 ] || fail "home records a kit that is not there"
		none=$((none + 1))
		continue
	fi
	# A kit under its name: whole, so it merges into (a copy of) home.
	cp "$tmp/r.db" "$tmp/m.db"
	"$TOKENDESK" --db "$tmp/m.db" kit merge "$tmp/stick/field.kit" >"$tmp/out" 2>&1 ||
		fail "a kit under its name does not merge: $(cat "$tmp/out")"
	grep -q "0 rows added, 0 updated, 0 deleted" "$tmp/out" ||
		fail "a fresh kit brought something home: $(cat "$tmp/out")"
	if [ "$rows" = 1 ]; then whole=$((whole + 1)); else unregistered=$((unregistered + 1)); fi
done <"$tmp/moments"

echo "crash: $kills kills of a kit make survived: $none left no kit, $whole a whole" \
     "kit recorded at home, $unregistered a whole kit the kill kept home from" \
     "recording; $failures broken"
[ $failures = 0 ]
