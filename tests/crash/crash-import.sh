#!/bin/sh
# tests/crash/crash-import.sh: SIGKILL `tokendesk import` (or, with
# CRASH_OP=plan-apply|handover|kit-merge|kit-merge-later, `tokendesk plan
# apply`, a token handover, a field kit's merge, a kit's later merge: the
# kit merged once, then used again) at random moments, as a laptop losing
# power would, and check after every kill:
#  - PRAGMA integrity_check says ok;
#  - the operation is wholly there or wholly absent: the row count of
#    every table is either the registry's before it or after a whole one
#    (measured once, without a kill);
#  - `tokendesk audit verify` passes;
#  - the registry still opens and takes the same operation afterwards.
# The moments are drawn uniformly over 0..1.1 times a whole import
# (measured here, so a loaded machine still spreads them over the run),
# every other one counted from the moment the WAL appears (the writes).
#   CRASH_KILLS  kills (default 10: make check; make crashtest: 1000)
#   CRASH_CERTS  certificate rows in the imported list (default 1000)
#   CRASH_SEED   seed of the moments (default: from the clock; printed)
: "${TOKENDESK:?}"
command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 shell not installed"; exit 77; }
kills=${CRASH_KILLS:-10} certs=${CRASH_CERTS:-${TD_VALGRIND:+100}}
certs=${certs:-1000} seed=${CRASH_SEED:-$(date +%s)}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/td-crash.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM   # the EXIT trap cleans up; do not carry on
export TOKENDESK_OPERATOR=crash LC_ALL=C.UTF-8
failures=0
fail() { echo "FAIL (kill $i, after ${delay}s): $*"; failures=$((failures + 1)); }

# The registry before the operation (base.db) and the operation itself
# ($op, arguments of tokendesk).
case ${CRASH_OP:-import} in
import)
	# 200 departments, then CRASH_CERTS certificates over them.
	awk 'BEGIN { print "code,name,parent_code,level"
		print "DC,Ủy ban nhân dân tỉnh Đông Châu,,province"
		for (i = 1; i <= 200; i++) printf "DC.S%d,Sở số %d,DC,department\n", i, i }' >"$tmp/agencies.csv"
	awk -v n="$certs" 'BEGIN {
		print "cert_serial,kind,holder_name,holder_id,position,agency_code,not_before," \
		      "not_after,token_serial,token_model,email"
		for (i = 1; i <= n; i++)
			printf "%X,person,Nguyễn Văn Số %d,0010%08d,Chuyên viên,DC.S%d,2025-01-01," \
			       "2030-01-01,TK%08d,eToken,nv%d@dongchau.gov.vn\n",
			       268435456 + i, i, i, i % 200 + 1, i, i }' >"$tmp/certs.csv"
	"$TOKENDESK" --db "$tmp/base.db" init >/dev/null &&
		"$TOKENDESK" --db "$tmp/base.db" import "$tmp/agencies.csv" >/dev/null || exit 1
	op="import $tmp/certs.csv" what="an import of $certs certificates" ;;
plan-apply)
	# The plan tests' province and plan: apply tags every certificate the
	# reorganization touches, in one transaction.
	p=${TD_SRCDIR:?}/tests/cli/plan
	"$TOKENDESK" --db "$tmp/base.db" init >/dev/null &&
		"$TOKENDESK" --db "$tmp/base.db" import "$p/agencies.csv" "$p/certificates.csv" \
			>/dev/null &&
		"$TOKENDESK" --db "$tmp/base.db" plan import "$p/plan.csv" >/dev/null || exit 1
	op="plan apply" what="plan apply" ;;
handover|kit-merge|kit-merge-later)
	# The hostile tests' base province: three certificates on tokens.
	b=${TD_SRCDIR:?}/tests/hostile/base
	"$TOKENDESK" --db "$tmp/base.db" init >/dev/null &&
		"$TOKENDESK" --db "$tmp/base.db" import "$b/agencies.csv" "$b/certificates.csv" \
			>/dev/null || exit 1
	if [ "$CRASH_OP" = handover ]; then
		op="handover --to agency:DC.STC 3792084583 13F43E2B" what="a handover"
	else
		# A field kit with a handover in it, merged home; a fresh copy of
		# the kit for every run.
		"$TOKENDESK" --db "$tmp/base.db" kit make --agencies DC -o "$tmp/kit.orig" \
			>/dev/null &&
			"$TOKENDESK" --db "$tmp/kit.orig" handover --to agency:DC.STC \
				3792084583 13F43E2B >/dev/null || exit 1
		op="kit merge $tmp/kit" what="a kit merge" kit=$tmp/kit
		if [ "$CRASH_OP" = kit-merge-later ]; then
			# merged once; then the team records more on the same kit:
			# a handover back, a dossier and a count
			k() { "$TOKENDESK" --db "$tmp/kit.orig" "$@"; }
			"$TOKENDESK" --db "$tmp/base.db" kit merge "$tmp/kit.orig" >/dev/null &&
				k handover --to agency:DC 3792084583 >/dev/null &&
				k dossier add --agency DC.STC --kind renewal --ref HS-LATER \
					>/dev/null &&
				c=$(k count start --agency DC.STC) &&
				k count scan "$c" 13F43E2B >/dev/null || exit 1
			what="a later merge of a kit"
		fi
	fi ;;
*)
	echo "CRASH_OP: import, plan-apply, handover, kit-merge or kit-merge-later"
	exit 1 ;;
esac
# Operations that consume an input file get a fresh copy each run.
fresh_input() { [ -z "${kit:-}" ] || cp "$tmp/kit.orig" "$kit"; }

# Row counts of every table, one line: the fingerprint of "how much".
# One query for all of them (real tables: FTS5 ones cannot be scanned;
# their shadow tables are counted; names from the schema, which the
# operation does not change).
count_sql=
for t in $(sqlite3 "$tmp/base.db" "select name from sqlite_master where type = 'table'
	and sql not like 'CREATE VIRTUAL%' order by name"); do
	count_sql="$count_sql${count_sql:+ || ' ' || }'$t=' || (select count(*) from \"$t\")"
done
count_sql="select $count_sql"
counts() {
	sqlite3 "$1" "$count_sql"
}
# The schema, every index included, must stay what init made: a first
# import drops the plain indexes of the tables it fills and builds them
# at commit, in its own transaction, so neither a whole import nor a
# kill may leave one missing.
schema() {
	sqlite3 "$1" "select type, name, tbl_name, sql from sqlite_master order by name"
}
"$TOKENDESK" --db "$tmp/init.db" init >/dev/null || exit 1

# Before: base.db.  After: the operation run once whole, timed.
before=$(counts "$tmp/base.db")
base_schema=$(schema "$tmp/init.db")
[ "$(schema "$tmp/base.db")" = "$base_schema" ] || { echo "setting up changed the schema"; exit 1; }
cp "$tmp/base.db" "$tmp/whole.db"
fresh_input
start=$(date +%s.%N)
# shellcheck disable=SC2086 # op is a word list
"$TOKENDESK" --db "$tmp/whole.db" $op >/dev/null || exit 1
span=$(echo "$start $(date +%s.%N)" | awk '{ printf "%.3f", ($2 - $1) * 1.1 }')
after=$(counts "$tmp/whole.db")
[ "$(schema "$tmp/whole.db")" = "$base_schema" ] || { echo "the operation changed the schema"; exit 1; }
[ "$before" != "$after" ] || { echo "the operation changed nothing"; exit 1; }
echo "crash: $kills kills over 0..${span}s of $what (seed $seed)"

absent=0 whole=0 midwrite=0
# Odd kills: any moment of the run.  Even kills: once the WAL exists
# (the writing has begun), a moment of a tenth of the span after it: most of
# an import is reading and checking, and the writes are what matter.
awk -v n="$kills" -v s="$seed" -v span="$span" 'BEGIN { srand(s)
	for (i = 1; i <= n; i++)
		printf "%d %s %.4f\n", i, i % 2 ? "any" : "write", rand() * span / (i % 2 ? 1 : 10) }' \
	>"$tmp/moments"
while read -r i when delay; do
	rm -f "$tmp/r.db" "$tmp/r.db-wal" "$tmp/r.db-shm" "$tmp/r.db-journal"
	cp "$tmp/base.db" "$tmp/r.db"
	fresh_input
	# shellcheck disable=SC2086
	"$TOKENDESK" --db "$tmp/r.db" $op >/dev/null 2>&1 &
	pid=$!
	if [ "$when" = write ]; then
		# (a first load writes through a rollback journal instead)
		while [ ! -s "$tmp/r.db-wal" ] && [ ! -s "$tmp/r.db-journal" ] &&
			kill -0 "$pid" 2>/dev/null; do :; done
	fi
	sleep "$delay"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	# A WAL left with frames in it: the kill came while writing (or
	# before the checkpoint at close) -- the moments that matter most.
	{ [ -s "$tmp/r.db-wal" ] || [ -s "$tmp/r.db-journal" ]; } && midwrite=$((midwrite + 1))
	ic=$(sqlite3 "$tmp/r.db" 'PRAGMA integrity_check' 2>&1)
	[ "$ic" = ok ] || { fail "integrity_check: $ic"; continue; }
	[ "$(schema "$tmp/r.db")" = "$base_schema" ] || fail "the schema changed"
	now=$(counts "$tmp/r.db")
	if [ "$now" = "$before" ]; then
		absent=$((absent + 1))
	elif [ "$now" = "$after" ]; then
		whole=$((whole + 1))
	else
		fail "half an import: $now"
	fi
	"$TOKENDESK" --db "$tmp/r.db" audit verify >"$tmp/verify" 2>&1 ||
		{ fail "audit verify"; cat "$tmp/verify"; }
done <"$tmp/moments"

# The last registry still works: the operation goes through and the
# result is the whole one.
# (A handover already whole is refused the second time, rightly: only a
# registry the last kill left without it is asked again.)
if [ "$(counts "$tmp/r.db")" != "$after" ]; then
	fresh_input
	# shellcheck disable=SC2086
	"$TOKENDESK" --db "$tmp/r.db" $op >/dev/null 2>&1 || fail "$what after the kills"
	[ "$(counts "$tmp/r.db")" = "$after" ] || fail "the finished $what differs from a whole one"
fi

echo "crash: $kills kills of $what survived: $absent left it wholly absent," \
     "$whole wholly there, $failures broken; $midwrite came while writing (WAL or rollback journal left)"
[ $failures = 0 ]
