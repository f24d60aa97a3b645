#!/bin/sh
# registry-place.sh: where the registry lives, and that it is still there
# (issue 21, items 4 and 6).
#  - a registry in a folder group or others may write in (0777, 0770, a
#    sticky /tmp-like folder) is refused, exit 77, the fix named; so is a
#    registry file others may read (0644), with `chmod 600 FILE`; init
#    makes nothing there; nothing is changed;
#  - a command holding the registry open while the operator works (a
#    handover reading serials from standard input) whose registry is
#    replaced meanwhile (`mv other.db reg.db`), or deleted, refuses to
#    write: exit 74, "moved, replaced or deleted ... nothing was
#    recorded", no handover number printed, the file now at the path
#    unchanged and the handover in neither file.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"
command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 shell not installed"; exit 77; }

demo_import || { echo "demo import failed"; exit 1; }
digest=$(registry_digest)
reg=$TOKENDESK_DB

# -- the folder: writable by group or others, the fix named
for m in 777 770 707; do
	chmod "$m" "$tmp"
	expect_status 77 td search "Tài chính"
	expect_in "$tmp/err" "the directory $tmp of registry $reg is writable by group or others (mode 0$m)"
	expect_in "$tmp/err" "run \`chmod 700 $tmp\`"
	expect_status 77 td handover --to dost --force --reason "nộp thẳng cho Sở" 3792084583
done
chmod 755 "$tmp"
[ "$(registry_digest)" = "$digest" ] || fail "the registry changed in an open folder"
# a shared folder, sticky as /tmp: not the user's to close, so moved
mkdir -m 1777 "$tmp/shared"
chmod 1777 "$tmp/shared"
expect_status 77 td --db "$tmp/shared/reg.db" init
expect_in "$tmp/err" "the directory $tmp/shared of registry $tmp/shared/reg.db is shared (mode 1777)"
expect_in "$tmp/err" "move the registry into a directory of your own"
[ ! -e "$tmp/shared/reg.db" ] || fail "init made a registry in a shared folder"
cp -p "$reg" "$tmp/shared/reg.db"
expect_status 77 td --db "$tmp/shared/reg.db" show token 3792084583

# -- the file: readable by others
chmod 644 "$reg"
expect_status 77 td search "Tài chính"
expect_in "$tmp/err" "registry $reg is readable by others (mode 0644)"
expect_in "$tmp/err" "run \`chmod 600 $reg\`"
expect_status 77 td handover --to dost --force --reason "nộp thẳng cho Sở" 3792084583
chmod 640 "$reg"   # a team's group may read it
expect_status 0 td search "Tài chính"
chmod 600 "$reg"
[ "$(registry_digest)" = "$digest" ] || fail "the registry changed while refused"

# -- replaced while a command holds it open
cp -p "$reg" "$tmp/other.db"
other_sum=$(sha256sum <"$tmp/other.db")
# handover_stdin: a handover of 3792084583 whose serial comes only once
# $tmp/go exists, so the registry is open (its -shm made) before.
handover_stdin() {
	rm -f "$tmp/go"
	(while [ ! -e "$tmp/go" ]; do sleep 0.02; done; echo 3792084583) |
		"$TOKENDESK" handover --to dost --force --reason "nộp thẳng cho Sở" - >"$tmp/h.out" 2>"$tmp/h.err" &
	hpid=$!
	i=0
	until [ -e "$reg-shm" ] || [ $i -ge 250 ]; do sleep 0.02; i=$((i + 1)); done
	[ -e "$reg-shm" ] || fail "the handover never opened the registry"
}
handover_done() {   # WANT: its exit status
	touch "$tmp/go"
	wait $hpid; st=$?
	[ $st = "$1" ] || fail "the handover exited $st, want $1: $(cat "$tmp/h.err")"
}
handover_stdin
mv "$tmp/other.db" "$reg"
handover_done 74
expect_in "$tmp/h.err" "$reg: the registry at this path was moved, replaced or deleted since it was opened; nothing was recorded"
expect_not_in "$tmp/h.out" "BG-"
[ "$(sha256sum <"$reg")" = "$other_sum" ] || fail "the file moved in was written"
rm -f "$reg-wal" "$reg-shm"   # the old file's, left by its last connection
expect_status 0 td show token 3792084583 --json
expect_not_in "$tmp/out" '"custodian": "dost"'
[ "$(sqlite3 "$reg" "SELECT count(*) FROM handover")" = 0 ] ||
	fail "a handover is in the file moved in"
expect_status 0 td audit verify

# deleted while held: refused the same way, nothing made at the path
handover_stdin
rm -f "$reg" "$reg-wal" "$reg-shm"
handover_done 74
expect_in "$tmp/h.err" "moved, replaced or deleted since it was opened; nothing was recorded"
expect_not_in "$tmp/h.out" "BG-"
[ ! -e "$reg" ] || fail "a registry appeared at the path"

# untouched, the same run records (the check is not a false alarm)
demo_import || fail "demo import again"
handover_stdin
handover_done 0
expect_in "$tmp/h.out" "BG-"
finish
