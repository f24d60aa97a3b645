#!/bin/sh
# tests/crash/disk-full-read.sh: on a full disk the registry is still
# read (issue 21, item 9).  Once every connection has closed, SQLite has
# removed the -wal and -shm files, and a full disk has no room to make
# the -shm again: `show`, `search` and `audit verify` then fell with
# "disk I/O error" (exit 70).  They open the file read-only instead, say
# so on stderr, and answer as before; a write is still refused as a
# full disk (exit 74), nothing changed.
# Needs a 3 MiB tmpfs of its own, which only root may mount.
: "${TOKENDESK:?}" "${TD_SRCDIR:?}"
command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 shell not installed"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "not root: cannot mount a small tmpfs to fill"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/td-fullr.XXXXXX") || exit 1
mkdir "$tmp/fs"
if ! mount -t tmpfs -o size=3m,mode=700 tmpfs "$tmp/fs" 2>"$tmp/mount.err"; then
	echo "cannot mount a tmpfs here: $(cat "$tmp/mount.err")"; rm -rf "$tmp"; exit 77
fi
trap 'umount "$tmp/fs"; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
export TOKENDESK_OPERATOR=full LC_ALL=C.UTF-8
export TOKENDESK_DB="$tmp/fs/reg.db"
base=$TD_SRCDIR/tests/hostile/base
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
td() { "$TOKENDESK" "$@"; }

if ! td init >/dev/null || ! td import "$base/agencies.csv" "$base/certificates.csv" >/dev/null; then
	echo "cannot set up the registry on the tmpfs"; exit 1
fi
serial=$(sqlite3 "$TOKENDESK_DB" "select serial from token order by serial limit 1")
cert=$(sqlite3 "$TOKENDESK_DB" "select serial from certificate order by serial limit 1")
td show token "$serial" >"$tmp/show.before" || fail "show with room"
td search a >"$tmp/search.before" || fail "search with room"
[ -e "$TOKENDESK_DB-shm" ] && fail "a -shm is left with no connection open"
sqlite3 "$TOKENDESK_DB" .dump >"$tmp/before.dump"

# Fill the disk to the last block.
dd if=/dev/zero of="$tmp/fs/filler" bs=1k count=8192 2>/dev/null
[ "$(df -k --output=avail "$tmp/fs" | tail -1 | tr -d ' ')" = 0 ] || fail "the disk is not full"

note="the disk is full and the registry's shared-memory file (-shm) could not be made: opened read-only"
td show token "$serial" >"$tmp/out" 2>"$tmp/err"; st=$?
[ $st = 0 ] || fail "show on a full disk: exit $st: $(cat "$tmp/err")"
cmp -s "$tmp/out" "$tmp/show.before" || fail "show on a full disk answered otherwise"
grep -qF "$note" "$tmp/err" || fail "show on a full disk: no note: $(cat "$tmp/err")"
td search a >"$tmp/out" 2>"$tmp/err"; st=$?
[ $st = 0 ] || fail "search on a full disk: exit $st: $(cat "$tmp/err")"
cmp -s "$tmp/out" "$tmp/search.before" || fail "search on a full disk answered otherwise"
grep -qF "$note" "$tmp/err" || fail "search on a full disk: no note"
td audit verify >"$tmp/out" 2>"$tmp/err"; st=$?
[ $st = 0 ] || fail "audit verify on a full disk: exit $st: $(cat "$tmp/err")"
grep -q "hash chain verified" "$tmp/out" || fail "audit verify on a full disk: $(cat "$tmp/out")"
grep -qF "$note" "$tmp/err" || fail "audit verify on a full disk: no note"
# A write: refused as a full disk, not as read-only, and nothing changed.
td tag revoke "$cert" --reason "Đầy đĩa" >"$tmp/out" 2>"$tmp/err"; st=$?
[ $st = 74 ] || fail "a write on a full disk: exit $st, want 74: $(cat "$tmp/err")"
grep -q "the disk is full" "$tmp/err" || fail "a write on a full disk: unclear: $(cat "$tmp/err")"
rm -f "$tmp/fs/filler"
sqlite3 "$TOKENDESK_DB" .dump | cmp -s - "$tmp/before.dump" || fail "the registry changed"
# With room again, no note.
td show token "$serial" >"$tmp/out" 2>"$tmp/err" || fail "show with room again"
grep -qF "note:" "$tmp/err" && fail "a note with room again: $(cat "$tmp/err")"

[ $failures = 0 ] && echo "reading on a full disk: all checks passed"
[ $failures = 0 ]
