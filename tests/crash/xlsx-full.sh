#!/bin/sh
# tests/crash/xlsx-full.sh: an XLSX (lists for DOST, a count report)
# written to a full USB stick: libxlsxwriter prints its own "[ERROR]"
# lines on stderr (with the temporary file's name); only tokendesk's
# message may reach the user, with the system's reason in it, exit 74,
# and nothing left on the stick.  Needs a small tmpfs (root; else skipped).
: "${TOKENDESK:?}" "${TD_SRCDIR:?}"
[ "$(id -u)" = 0 ] || { echo "not root: cannot mount a small tmpfs to fill"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/td-xlsx.XXXXXX") || exit 1
mkdir "$tmp/usb"
if ! mount -t tmpfs -o size=64k,mode=700 tmpfs "$tmp/usb" 2>"$tmp/mount.err"; then
	echo "cannot mount a tmpfs here: $(cat "$tmp/mount.err")"; rm -rf "$tmp"; exit 77
fi
trap 'umount "$tmp/usb"; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
export TOKENDESK_OPERATOR=full LC_ALL=C.UTF-8 TOKENDESK_DB="$tmp/reg.db"
P=$TD_SRCDIR/tests/cli/plan
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
td() { "$TOKENDESK" "$@"; }

td init >/dev/null && td import "$P/agencies.csv" "$P/certificates.csv" >/dev/null &&
	td plan import "$P/plan.csv" >/dev/null && td plan apply >/dev/null ||
	{ echo "cannot set up the registry"; exit 1; }
id=$(td count start --agency P | head -n 1)
dd if=/dev/zero of="$tmp/usb/filler" bs=1k count=60 2>/dev/null

for what in "lists -o $tmp/usb/lists.xlsx" "count report $id --xlsx $tmp/usb/count.xlsx"; do
	# shellcheck disable=SC2086 # the words of $what are arguments
	td $what >"$tmp/out" 2>"$tmp/err"; st=$?
	[ $st = 74 ] || fail "$what on a full stick: exit $st, want 74"
	grep -q '\[ERROR\]' "$tmp/err" && fail "$what: libxlsxwriter's own lines reached the user"
	[ "$(wc -l <"$tmp/err")" = 1 ] || fail "$what: want one line on stderr, got $(wc -l <"$tmp/err")"
	grep -q "^tokendesk: .*xlsx.*(No space left on device)$" "$tmp/err" ||
		fail "$what: tokendesk's message: $(cat "$tmp/err")"
	[ "$(ls "$tmp/usb" | tr '\n' ' ')" = "filler " ] ||
		fail "$what on a full stick left: $(ls "$tmp/usb")"
done
[ $failures = 0 ] || { sed 's/^/  | /' "$tmp/err"; exit 1; }
exit 0
