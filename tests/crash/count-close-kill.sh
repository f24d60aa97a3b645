#!/bin/sh
# tests/crash/count-close-kill.sh: `tokendesk count close` killed (SIGKILL)
# while it writes its reports into the records folder leaves no temporary
# file there: the reports are written into unnamed files (O_TMPFILE) that
# get their name only once whole.  The kills come at chosen moments:
# strace injects SIGKILL at the Nth write, fsync, or link/rename.  After
# each: nothing in the folder but whole reports, and the report can be
# written again.  Skipped where strace cannot trace (no ptrace).
: "${TOKENDESK:?}" "${TD_SRCDIR:?}"
command -v strace >/dev/null 2>&1 || { echo "strace not installed"; exit 77; }
strace -o /dev/null true 2>/dev/null || { echo "strace cannot trace here"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/td-close.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
export TOKENDESK_OPERATOR=kill LC_ALL=C.UTF-8 TOKENDESK_DB="$tmp/reg.db"
P=$TD_SRCDIR/tests/cli/plan
failures=0
fail() { echo "FAIL ($point): $*"; failures=$((failures + 1)); }
td() { "$TOKENDESK" "$@"; }
td init >/dev/null && td import "$P/agencies.csv" "$P/certificates.csv" >/dev/null ||
	{ echo "cannot set up the registry"; exit 1; }
places="link,linkat,rename,renameat,renameat2"
# write 1: the text report; 2 and on: the XLSX and its zip members.
for point in write:1 write:4 write:12 fsync:1 fsync:3 $places:1 $places:2; do
	calls=${point%:*} n=${point##*:}
	id=$(td count start --agency P | head -n 1)
	rec=$tmp/records-$id
	mkdir -m 700 "$rec"
	strace -f -o /dev/null -e trace="$calls" -e inject="$calls:signal=KILL:when=$n" \
		"$TOKENDESK" count close "$id" -o "$rec" >/dev/null 2>&1
	st=$?
	[ $st = 137 ] || fail "count close was not killed (exit $st)"
	left=$(ls -A "$rec" | grep -v "^count-$id\.\(txt\|xlsx\)\$")
	[ -z "$left" ] || fail "left in the records folder: $left"
	# a text report there is whole: it ends with the signature lines
	[ ! -e "$rec/count-$id.txt" ] || tail -n 1 "$rec/count-$id.txt" | grep -q '\.\.\.\.$' ||
		fail "a cut-short text report"
	# The count is closed: its reports can be written again, whole.
	td count report "$id" --text "$rec/count-$id.txt" --xlsx "$rec/count-$id.xlsx" \
		>/dev/null 2>"$tmp/err" || fail "report again: $(cat "$tmp/err")"
	[ "$(ls -A "$rec" | tr '\n' ' ')" = "count-$id.txt count-$id.xlsx " ] ||
		fail "after the report: $(ls -A "$rec")"
done
[ $failures = 0 ] || exit 1
exit 0
