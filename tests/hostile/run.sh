#!/bin/sh
# tests/hostile/run.sh: feed tokendesk every hostile input of MANIFEST,
# each into a fresh copy of the same base registry, and hold it to what
# MANIFEST says: a clear error (exit 65 and FILE:LINE:, or 64 for a bad
# option) with the registry unchanged, byte for byte, or a safe import
# (exit 0, integrity_check ok, audit chain verifies).  Never a signal,
# never 70 (internal error).
#   TD_HOSTILE_LONG=1  also the million-row files (`make hostile`)
#   TD_HOSTILE_ONLY=NAME  only that file (for debugging)
: "${TOKENDESK:?}" "${TD_SRCDIR:?}"
command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 shell not installed"; exit 77; }
here=$TD_SRCDIR/tests/hostile
tmp=$(mktemp -d "${TMPDIR:-/tmp}/td-hostile.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM   # the EXIT trap cleans up; do not carry on
export TOKENDESK_OPERATOR=hostile TOKENDESK_TODAY=2026-01-15

fails=0 handled=0 imported=0 rejected=0 skipped=0
fail() { echo "FAIL: $entry: $*"; fails=$((fails + 1)); }

# The base registry, once; every file then starts from a copy of it.
"$TOKENDESK" --db "$tmp/base.db" init >/dev/null &&
	"$TOKENDESK" --db "$tmp/base.db" import "$here/base/agencies.csv" \
		"$here/base/certificates.csv" >/dev/null || { echo "base import failed"; exit 1; }
sqlite3 "$tmp/base.db" .dump >"$tmp/base.dump" || exit 1
sh "$here/gen-big.sh" "$tmp/gen" || exit 1

unchanged() {   # the registry as it was: same content, same file bytes
	sqlite3 "$tmp/r.db" .dump >"$tmp/after.dump" &&
		cmp -s "$tmp/base.dump" "$tmp/after.dump" || { fail "registry content changed"; return; }
	cmp -s "$tmp/base.db" "$tmp/r.db" || fail "registry file bytes changed"
	[ ! -s "$tmp/r.db-wal" ] || fail "a WAL was left behind"
}

consistent() {  # after an import: a sound file and an unbroken audit chain
	[ "$(sqlite3 "$tmp/r.db" 'PRAGMA integrity_check')" = ok ] || fail "integrity_check"
	"$TOKENDESK" --db "$tmp/r.db" audit verify >/dev/null 2>&1 || fail "audit verify"
}

# Extra promises of particular files.
special() {
	case $entry in
	formula-injection.csv)
		"$TOKENDESK" --db "$tmp/r.db" export certificates >"$tmp/export.csv" || fail export
		# No cell of the export may start a formula: split on commas
		# (inside and outside quotes; conservative) and look at each start.
		if tr ',' '\n' <"$tmp/export.csv" | sed 's/^"//' | grep -q '^[=+@-]'; then
			fail "export carries a live formula"
		fi ;;
	cr-only-line-ends.csv)
		# each CR ended a line: the row's fields are its own, no CR in them
		"$TOKENDESK" --db "$tmp/r.db" export agencies >"$tmp/export.csv" || fail export
		grep -q '^DC.C1,Phòng C1,DC,other,' "$tmp/export.csv" ||
			fail "the CR-ended row was not imported as a row" ;;
	excel-sep-line.csv)
		"$TOKENDESK" --db "$tmp/r.db" export agencies >"$tmp/export.csv" || fail export
		grep -q '^DC.SEP,"Phòng Kế hoạch, Tài chính",DC,other,' "$tmp/export.csv" ||
			fail "the row after a sep= line was not read with ';'" ;;
	registry-given-as-list.csv)
		grep -q "not a list but an SQLite database" "$tmp/err" ||
			fail "a database given as a list not named as one" ;;
	nfd-names.csv)
		"$TOKENDESK" --db "$tmp/r.db" export agencies >"$tmp/export.csv" || fail export
		grep -q 'Phòng Kế hoạch' "$tmp/export.csv" || fail "name not stored NFC" ;;
	esac
}

while IFS='	' read -r entry expect options what; do
	case $entry in ''|'#'*) continue ;; esac
	[ -z "$TD_HOSTILE_ONLY" ] || [ "$TD_HOSTILE_ONLY" = "$entry" ] || continue
	case $expect in
	long-*)
		if [ -z "$TD_HOSTILE_LONG" ]; then skipped=$((skipped + 1)); continue; fi
		expect=${expect#long-} ;;
	esac
	case $entry in gen/*) file=$tmp/$entry ;; *) file=$here/files/$entry ;; esac
	[ -f "$file" ] || { fail "no such file"; continue; }
	[ "$options" = - ] && options=
	cp "$tmp/base.db" "$tmp/r.db"
	# shellcheck disable=SC2086 # options is a word list from MANIFEST
	"$TOKENDESK" --db "$tmp/r.db" import $options "$file" >"$tmp/out" 2>"$tmp/err"
	status=$?
	handled=$((handled + 1))
	if [ $status -gt 128 ]; then
		fail "killed by signal $((status - 128))"; cat "$tmp/err"; continue
	fi
	case $expect in
	reject)
		[ $status = 65 ] || { fail "exit $status, expected 65"; head -n 3 "$tmp/err"; }
		grep -q "^\(tokendesk: \)\{0,1\}$file:[0-9][0-9]*: " "$tmp/err" ||
			{ fail "no FILE:LINE: message"; head -n 3 "$tmp/err"; }
		unchanged; special; rejected=$((rejected + 1)) ;;
	usage)
		[ $status = 64 ] || fail "exit $status, expected 64"
		[ -s "$tmp/err" ] || fail "no message"
		unchanged; rejected=$((rejected + 1)) ;;
	same)
		[ $status = 0 ] || { fail "exit $status, expected 0"; head -n 3 "$tmp/err"; }
		unchanged; imported=$((imported + 1)) ;;
	ok)
		[ $status = 0 ] || { fail "exit $status, expected 0"; head -n 3 "$tmp/err"; }
		sqlite3 "$tmp/r.db" .dump | cmp -s - "$tmp/base.dump" && fail "nothing was imported"
		consistent; special; imported=$((imported + 1)) ;;
	*)
		fail "unknown expectation '$expect' in MANIFEST" ;;
	esac
done <"$here/MANIFEST"

note=
[ $skipped = 0 ] || note=" ($skipped long ones skipped: make hostile runs them)"
echo "hostile: $handled files handled: $imported imported safely, $rejected refused" \
     "cleanly, $fails failures$note"
[ "$handled" -gt 0 ] && [ $fails = 0 ]
