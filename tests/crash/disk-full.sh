#!/bin/sh
# tests/crash/disk-full.sh: the registry on a full disk and on a file
# system gone read-only (issue 7, item 2): a clear error, nothing lost,
# nothing half-written, and the registry fine once there is room again.
# Exports and handover records written to a full stick: refused, the
# older file kept whole, no temporary file left behind.
# Needs a small file system of its own: a 1 MiB tmpfs, which only root
# may mount; elsewhere (or where mount is refused) the test is skipped.
: "${TOKENDESK:?}" "${TD_SRCDIR:?}"
command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 shell not installed"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "not root: cannot mount a small tmpfs to fill"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/td-full.XXXXXX") || exit 1
mkdir "$tmp/fs"
if ! mount -t tmpfs -o size=3m,mode=700 tmpfs "$tmp/fs" 2>"$tmp/mount.err"; then
	echo "cannot mount a tmpfs here: $(cat "$tmp/mount.err")"; rm -rf "$tmp"; exit 77
fi
trap 'umount "$tmp/usb" 2>/dev/null; umount "$tmp/fs"; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM   # the EXIT trap cleans up; do not carry on
export TOKENDESK_OPERATOR=full LC_ALL=C.UTF-8
base=$TD_SRCDIR/tests/hostile/base
db=$tmp/fs/reg.db
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
td() { "$TOKENDESK" --db "$db" "$@"; }
sound() {   # integrity, audit chain, and the content of DUMP
	[ "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok ] || fail "$1: integrity_check"
	td audit verify >/dev/null 2>&1 || fail "$1: audit verify"
	sqlite3 "$db" .dump | cmp -s - "$tmp/before.dump" || fail "$1: the registry changed"
}

# 3000 certificates need several MiB of registry and WAL: more than is left
# once leave_only (below) has filled the rest.
awk 'BEGIN { print "cert_serial,kind,holder_name,holder_id,agency_code,not_before,not_after"
	for (i = 1; i <= 3000; i++)
		printf "%X,person,Người %d,0020%08d,DC.STC,2025-01-01,2030-01-01\n", 4096 + i, i, i }' \
	>"$tmp/certs.csv"

# A first import into an empty registry takes the fresh-load path, which
# drops the plain indexes and builds them at commit: a full disk there
# must leave the registry as init made it, indexes included (.dump
# prints them).
# leave_only KIB: a filler takes all but KIB of the registry's file system
# (an empty registry of 16 KiB pages is about 1 MiB: the room left, not
# the size of the file system, is what runs out).
leave_only() {
	rm -f "$tmp/fs/filler"
	avail=$(df -k --output=avail "$tmp/fs" | tail -1 | tr -d ' ')
	[ "$avail" -gt "$1" ] || return 0
	dd if=/dev/zero of="$tmp/fs/filler" bs=1k count=$((avail - $1)) 2>/dev/null
}
td init >/dev/null || { echo "cannot create a registry on the tmpfs"; exit 1; }
leave_only 512
sqlite3 "$db" .dump >"$tmp/before.dump"
td import "$base/agencies.csv" "$tmp/certs.csv" >"$tmp/out" 2>"$tmp/err"; st=$?
[ $st = 74 ] || fail "full disk, first import: exit $st, want 74 (I/O error)"
sound "after the full disk on a first import"
rm -f "$db" "$db-wal" "$db-shm"

rm -f "$tmp/fs/filler"
td init >/dev/null && td import "$base/agencies.csv" "$base/certificates.csv" >/dev/null ||
	{ echo "cannot set up the registry on the tmpfs"; exit 1; }
leave_only 512
sqlite3 "$db" .dump >"$tmp/before.dump"

td import "$tmp/certs.csv" >"$tmp/out" 2>"$tmp/err"; st=$?
[ $st = 74 ] || fail "full disk: exit $st, want 74 (I/O error)"
grep -q "the disk is full; nothing was changed" "$tmp/err" ||
	fail "full disk: unclear message: $(cat "$tmp/err")"
sound "after the full disk"

# The operator makes room: the same import goes through, whole.
rm -f "$tmp/fs/filler"
mount -o remount,size=16m "$tmp/fs" || fail "remount bigger"
td import "$tmp/certs.csv" >"$tmp/out" 2>&1 || fail "with room again: $(cat "$tmp/out")"
[ "$(sqlite3 "$db" 'select count(*) from certificate')" = 3003 ] || fail "not all 3003 certificates"
sqlite3 "$db" .dump >"$tmp/before.dump"

# The file system turns read-only (a failing USB disk does).
mount -o remount,ro "$tmp/fs" || fail "remount read-only"
printf 'code,name,parent_code,level\nDC.RO,Phòng Chỉ đọc,DC,other\n' >"$tmp/one.csv"
td import "$tmp/one.csv" >"$tmp/out" 2>"$tmp/err"; st=$?
[ $st = 77 ] || [ $st = 74 ] || fail "read-only fs: exit $st, want 77 or 74"
grep -q "read-only" "$tmp/err" || fail "read-only fs: unclear message: $(cat "$tmp/err")"
mount -o remount,rw "$tmp/fs"
sound "after the read-only file system"

# Exports and records to a USB stick with little room left.  A file
# written in place would be cut short (and an older one lost with it),
# then sent up the chain as if whole.
mkdir "$tmp/usb"
mount -t tmpfs -o size=256k,mode=700 tmpfs "$tmp/usb" || fail "mount the stick"
td export agencies -o "$tmp/usb/list.csv" || fail "export to the stick"
cp "$tmp/usb/list.csv" "$tmp/list.before"
serial=$(sqlite3 "$db" "select serial from token order by serial limit 1")
td handover --to dost --force --reason "nộp thẳng cho Sở" "$serial" >"$tmp/out" 2>&1 || fail "handover: $(cat "$tmp/out")"
number=$(sed -n 's/^Handover \([^:]*\):.*/\1/p' "$tmp/out")
dd if=/dev/zero of="$tmp/usb/filler" bs=1k count=224 2>/dev/null
for what in "export certificates -o $tmp/usb/list.csv" \
            "export --format json certificates -o $tmp/usb/list" \
            "receipt $number --pdf $tmp/usb/list.csv"; do
	# shellcheck disable=SC2086 # the words of $what are arguments
	td $what >"$tmp/out" 2>"$tmp/err"; st=$?
	[ $st = 74 ] || fail "$what on a full stick: exit $st, want 74: $(cat "$tmp/err")"
	grep -q "No space left on device" "$tmp/err" ||
		fail "$what on a full stick: unclear message: $(cat "$tmp/err")"
	cmp -s "$tmp/usb/list.csv" "$tmp/list.before" ||
		fail "$what on a full stick: the older file was overwritten"
	[ "$(ls "$tmp/usb" | tr '\n' ' ')" = "filler list.csv " ] ||
		fail "$what on a full stick left: $(ls "$tmp/usb")"
done
[ "$(stat -c %a "$tmp/usb/list.csv")" = 600 ] || fail "the export is not 0600"
# A field kit made on the full stick: no half kit left to be carried
# into the field, the stick named (not home's disk), and home does not
# record a kit that was never made.
made=$(sqlite3 "$db" "select count(*) from audit where action = 'kit.make'")
td kit make --agencies DC -o "$tmp/usb/field.kit" >"$tmp/out" 2>"$tmp/err"; st=$?
[ $st = 74 ] || fail "kit make on a full stick: exit $st, want 74: $(cat "$tmp/err")"
grep -q "kit $tmp/usb/field.kit not made: .*the disk is full" "$tmp/err" ||
	fail "kit make on a full stick: unclear message: $(cat "$tmp/err")"
[ "$(ls "$tmp/usb" | tr '\n' ' ')" = "filler list.csv " ] ||
	fail "kit make on a full stick left: $(ls "$tmp/usb")"
[ "$(sqlite3 "$db" "select count(*) from audit where action = 'kit.make'")" = "$made" ] ||
	fail "home recorded a kit that was not made"
td audit verify >/dev/null || fail "audit verify after the failed kit"

[ $failures = 0 ] && echo "disk full and read-only file system: all checks passed"
[ $failures = 0 ]
