#!/bin/sh
# tests/crash/crash-kit-refresh.sh: SIGKILL `tokendesk kit refresh` at
# random moments (a laptop losing power, a stick pulled), and check after
# every kill:
#  - the file at the kit's name is a whole kit: integrity_check ok, its
#    own audit chain verifies, and its rows are either the kit's before
#    the refresh or a whole refresh's (never half of one);
#  - home is whole: integrity_check ok, audit verify passes, its rows
#    are before or after a whole refresh (the kit.refresh audit row); a
#    kit.refresh.begin row (home noting the new kit's image before it
#    takes the kit's place, kit_refresh.c) may stay, as a kit.begin row
#    may after a killed kit make (crash-kit-make.sh);
#  - home records no refresh the kit does not have;
#  - afterwards the kit refreshes (a temporary file a kill left is
#    cleared) and its next field work merges home.
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
b=$TD_SRCDIR/tests/hostile/base
h() { "$TOKENDESK" --db "$tmp/base.db" "$@"; }

# Home with a kit merged, then home's own work in the kit's scope.
h init >/dev/null && h import "$b/agencies.csv" "$b/certificates.csv" >/dev/null &&
	h kit make --agencies DC -o "$tmp/kit.orig" >/dev/null &&
	"$TOKENDESK" --db "$tmp/kit.orig" handover --to agency:DC.STC 3792084583 \
		>/dev/null &&
	h kit merge "$tmp/kit.orig" >/dev/null &&
	h handover --to dost --force --reason "nộp thẳng cho Sở" C09FB448 >/dev/null &&
	h dossier add --agency DC.STC --kind renewal --ref HS-HOME >/dev/null || exit 1

tables_sql() {
	q=
	for t in $(sqlite3 "$1" "select name from sqlite_master where type = 'table'
		and sql not like 'CREATE VIRTUAL%' and name <> 'kit_base' order by name"); do
		w=
		[ "$t" = audit ] && w=" where action <> 'kit.refresh.begin'"
		q="$q${q:+ || ' ' || }'$t=' || (select count(*) from \"$t\"$w)"
	done
	echo "select $q"
}
home_sql=$(tables_sql "$tmp/base.db")
kit_sql="$(tables_sql "$tmp/kit.orig") || ' ' || (select group_concat(serial || ':' ||
	custodian, ',') from (select * from token order by serial))"
home_counts() { sqlite3 "$1" "$home_sql"; }
kit_counts() { sqlite3 "$1" "$kit_sql"; }
refreshes() { sqlite3 "$1" "select count(*) from audit where action = 'kit.refresh'"; }

home_before=$(home_counts "$tmp/base.db") kit_before=$(kit_counts "$tmp/kit.orig")
cp "$tmp/base.db" "$tmp/whole.db"
cp "$tmp/kit.orig" "$tmp/whole.kit"
start=$(date +%s.%N)
"$TOKENDESK" --db "$tmp/whole.db" kit refresh "$tmp/whole.kit" >/dev/null || exit 1
span=$(echo "$start $(date +%s.%N)" | awk '{ printf "%.3f", ($2 - $1) * 1.1 }')
home_after=$(home_counts "$tmp/whole.db") kit_after=$(kit_counts "$tmp/whole.kit")
[ "$kit_before" != "$kit_after" ] || { echo "the refresh changed nothing in the kit"; exit 1; }
echo "crash: $kills kills over 0..${span}s of a kit refresh (seed $seed)"

old=0 new=0 tmpleft=0 unrecorded=0
awk -v n="$kills" -v s="$seed" -v span="$span" 'BEGIN { srand(s)
	for (i = 1; i <= n; i++)
		printf "%d %s %.4f\n", i, i % 2 ? "any" : "write", rand() * span / (i % 2 ? 1 : 10) }' \
	>"$tmp/moments"
while read -r i when delay; do
	rm -f "$tmp"/r.* "$tmp"/r.kit*
	cp "$tmp/base.db" "$tmp/r.db"
	cp "$tmp/kit.orig" "$tmp/r.kit"
	"$TOKENDESK" --db "$tmp/r.db" kit refresh "$tmp/r.kit" >/dev/null 2>&1 &
	pid=$!
	if [ "$when" = write ]; then   # once the new kit is being written
		while ! ls "$tmp"/r.kit.refreshing-* >/dev/null 2>&1 &&
		      kill -0 "$pid" 2>/dev/null; do :; done
	fi
	sleep "$delay"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	ls "$tmp"/r.kit.refreshing-* >/dev/null 2>&1 && tmpleft=$((tmpleft + 1))
	ic=$(sqlite3 "$tmp/r.kit" 'PRAGMA integrity_check' 2>&1)
	[ "$ic" = ok ] || { fail "the kit: integrity_check: $ic"; continue; }
	"$TOKENDESK" --db "$tmp/r.kit" audit verify >/dev/null 2>&1 ||
		fail "the kit's audit chain"
	now=$(kit_counts "$tmp/r.kit")
	if [ "$now" = "$kit_before" ]; then
		old=$((old + 1)); kit_state=old
	elif [ "$now" = "$kit_after" ]; then
		new=$((new + 1)); kit_state=new
	else
		fail "half a refresh in the kit: $now"; continue
	fi
	ic=$(sqlite3 "$tmp/r.db" 'PRAGMA integrity_check' 2>&1)
	[ "$ic" = ok ] || { fail "home: integrity_check: $ic"; continue; }
	"$TOKENDESK" --db "$tmp/r.db" audit verify >/dev/null 2>&1 || fail "home: audit verify"
	hc=$(home_counts "$tmp/r.db")
	[ "$hc" = "$home_before" ] || [ "$hc" = "$home_after" ] ||
		fail "home half changed: $hc; its newest audit rows:" \
		     "$(sqlite3 "$tmp/r.db" "select group_concat(action, ' ') from (select action
		        from audit order by id desc limit 3)")"
	if [ "$(refreshes "$tmp/r.db")" != 0 ] && [ $kit_state = old ]; then
		fail "home records a refresh the kit does not have"
	fi
	[ $kit_state = new ] && [ "$(refreshes "$tmp/r.db")" = 0 ] && unrecorded=$((unrecorded + 1))
done <"$tmp/moments"

# The last kit still works: refreshed (again) and its next work merges.
"$TOKENDESK" --db "$tmp/r.db" kit refresh "$tmp/r.kit" >/dev/null 2>&1 ||
	fail "refresh after the kills"
ls "$tmp"/r.kit.refreshing-* >/dev/null 2>&1 && fail "a temporary kit is left"
"$TOKENDESK" --db "$tmp/r.kit" handover --to agency:DC 13F43E2B >/dev/null 2>&1 ||
	fail "field work on the refreshed kit"
"$TOKENDESK" --db "$tmp/r.db" kit merge "$tmp/r.kit" >/dev/null 2>&1 || fail "merge after the kills"
"$TOKENDESK" --db "$tmp/r.db" show token 13F43E2B | grep -q "custodian: *agency:DC " ||
	fail "the field's work after the refresh did not come home"
"$TOKENDESK" --db "$tmp/r.db" audit verify >/dev/null 2>&1 || fail "audit verify at the end"

echo "crash: $kills kills of a kit refresh survived: $old left the kit as it was," \
     "$new wholly refreshed ($unrecorded not yet recorded at home), $failures broken;" \
     "$tmpleft left a temporary file"
[ $failures = 0 ]
