#!/bin/sh
# module-file: the PKCS#11 module loaded is the file that was checked
# (issue 21, item 5).  A symlink re-pointed to another library while
# `scan --watch` reloads SoftHSM2 at every tick never gets that library
# mapped (/proc/PID/maps); a bare module name is refused, not searched
# for through LD_LIBRARY_PATH; an allow-module directory, or a module,
# that another user owns or may write is refused; so is a --config file
# that another user owns or may write (exit 77, nothing loaded).
. "${TD_SRCDIR:-$(dirname "$0")/../..}/tests/token/hsm-lib.sh"
hsm_init
[ -r /proc/self/maps ] || skip "no /proc here"

S0=$(hsm_token "Mô-đun gốc")
"$TOKENDESK" init >/dev/null || fail "init"

MODS=$HSM_DIR/mods EVIL=$HSM_DIR/evil
mkdir -p "$MODS" "$EVIL"
chmod 755 "$HSM_DIR" "$MODS"
cp "$HSM_MODULE" "$MODS/softhsm.so"
cp "$HSM_MODULE" "$EVIL/softhsm.so"   # the same code, outside the allowlist
chmod 755 "$MODS/softhsm.so" "$EVIL/softhsm.so"
ln -s softhsm.so "$MODS/current.so"
printf '[token]\nallow-module = %s/\npoll-ms = 20\n' "$MODS" >"$HSM_DIR/td.conf"
chmod 644 "$HSM_DIR/td.conf"

# expect_refused STATUS TEXT COMMAND...: exits STATUS, says TEXT, and
# shows no token (nothing was loaded).
expect_refused() {
	want=$1 text=$2
	shift 2
	st=0
	"$@" >"$HSM_DIR/r.out" 2>"$HSM_DIR/r.err" || st=$?
	[ "$st" = "$want" ] || { cat "$HSM_DIR/r.out" "$HSM_DIR/r.err" >&2; fail "exit $st, expected $want: $*"; }
	expect_grep "$text" "$HSM_DIR/r.err" "message for: $*"
	! grep -q "token $S0" "$HSM_DIR/r.out" || fail "a token was shown: $*"
}

# 1. The link swapped during --watch: every reload keeps the checked file.
"$TOKENDESK" --config "$HSM_DIR/td.conf" --module "$MODS/current.so" \
	scan --watch --no-usb --no-match >"$HSM_DIR/watch.out" 2>"$HSM_DIR/watch.err" &
pid=$!
HSM_PIDS="$HSM_PIDS $pid"
wait_line "inserted $S0" "$HSM_DIR/watch.out" >/dev/null
# Modules run out of process (issue 23): in the helper tokendesk-p11, a
# child of the program, and never in the program itself.
helper_maps() {
	for c in $(pgrep -P "$pid"); do cat "/proc/$c/maps" 2>/dev/null; done
}
helper_maps | grep -q -F "$MODS/softhsm.so" || fail "the checked module is not mapped"
grep -q -F "softhsm.so" "/proc/$pid/maps" && fail "the module was loaded in the program's own process"
ln -s "$EVIL/softhsm.so" "$MODS/swap.so"
mv -T "$MODS/swap.so" "$MODS/current.so" || fail "cannot swap the link"
# SoftHSM2 sees a new token only after a reload: once it is reported,
# the watcher has reloaded the module since the swap.
S1=$(hsm_token "Sau khi đổi")
wait_line "inserted $S1" "$HSM_DIR/watch.out" >/dev/null
sleep 0.2   # a few more reloads (poll-ms 20)
if helper_maps | grep -q -F "$EVIL/softhsm.so"; then
	fail "the library the link was swapped to was loaded"
fi
helper_maps | grep -q -F "$MODS/softhsm.so" || fail "the checked module was unloaded"
kill -INT $pid
st=0; wait $pid || st=$?
[ $st = 0 ] || { cat "$HSM_DIR/watch.err" >&2; fail "watch exited $st"; }
# ... and the file the link names now is refused when it is checked.
expect_refused 77 "outside the allowlist" \
	"$TOKENDESK" --config "$HSM_DIR/td.conf" --module "$MODS/current.so" scan --no-usb --no-match

# 2. A bare name: checked in the working directory, dlopen() would have
# searched LD_LIBRARY_PATH (where the other library is).
cp "$HSM_MODULE" "$MODS/libtdmod.so"
cp "$HSM_MODULE" "$EVIL/libtdmod.so"
(cd "$MODS" && export LD_LIBRARY_PATH="$EVIL" && expect_refused 77 \
	"PKCS#11 module libtdmod.so: give its full path" \
	"$TOKENDESK" --config "$HSM_DIR/td.conf" --module libtdmod.so scan --no-usb --no-match) || exit 1

# 3. allow-module entries and the modules under them: root's or ours,
# and writable by nobody else.
chmod 777 "$MODS"
expect_refused 77 "allow-module $MODS/: $MODS is writable by group or others: refused" \
	"$TOKENDESK" --config "$HSM_DIR/td.conf" --module "$MODS/softhsm.so" scan --no-usb --no-match
chmod 1777 "$MODS"   # sticky or not: others can still plant a file
expect_refused 77 "allow-module $MODS/: $MODS is writable by group or others" \
	"$TOKENDESK" --config "$HSM_DIR/td.conf" --module "$MODS/softhsm.so" scan --no-usb --no-match
chmod 755 "$MODS"
# a file entry: the directory it is in, too
mkdir -p "$HSM_DIR/open"
cp "$HSM_MODULE" "$HSM_DIR/open/one.so"
chmod 777 "$HSM_DIR/open"
printf 'allow-module = %s\n' "$HSM_DIR/open/one.so" >"$HSM_DIR/file.conf"
expect_refused 77 "allow-module $HSM_DIR/open/one.so: $HSM_DIR/open is writable by group or others" \
	"$TOKENDESK" --config "$HSM_DIR/file.conf" --module "$HSM_DIR/open/one.so" scan --no-usb --no-match
chmod 755 "$HSM_DIR/open"
"$TOKENDESK" --config "$HSM_DIR/file.conf" --module "$HSM_DIR/open/one.so" scan --no-usb --no-match \
	>"$HSM_DIR/ok.out" 2>&1 || { cat "$HSM_DIR/ok.out" >&2; fail "the allowed file entry, put right"; }
chmod 666 "$MODS/softhsm.so"
expect_refused 77 "PKCS#11 module $MODS/softhsm.so is writable by others" \
	"$TOKENDESK" --config "$HSM_DIR/td.conf" --module "$MODS/softhsm.so" scan --no-usb --no-match
chmod 755 "$MODS/softhsm.so"
"$TOKENDESK" --config "$HSM_DIR/td.conf" --module "$MODS/softhsm.so" scan --no-usb --no-match \
	>"$HSM_DIR/ok.out" 2>&1 || { cat "$HSM_DIR/ok.out" >&2; fail "the allowed module, put right"; }
expect_grep "token $S0" "$HSM_DIR/ok.out" "the allowed module shows the token"

# 4. The --config file: another user's, or writable by others, is not obeyed.
chmod 666 "$HSM_DIR/td.conf"
expect_refused 77 "td.conf: writable by group or others: refused" \
	"$TOKENDESK" --config "$HSM_DIR/td.conf" --module "$MODS/softhsm.so" scan --no-usb --no-match
chmod 620 "$HSM_DIR/td.conf"
expect_refused 77 "writable by group or others" \
	"$TOKENDESK" --config "$HSM_DIR/td.conf" search x
chmod 644 "$HSM_DIR/td.conf"

# Owned by another user: needs root to give the files away.
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	chown nobody "$HSM_DIR/td.conf"
	expect_refused 77 "td.conf: owned by another user (uid $(id -u nobody))" \
		"$TOKENDESK" --config "$HSM_DIR/td.conf" --module "$MODS/softhsm.so" scan --no-usb --no-match
	chown 0 "$HSM_DIR/td.conf"
	chown nobody "$MODS"
	expect_refused 77 "allow-module $MODS/: $MODS is owned by another user" \
		"$TOKENDESK" --config "$HSM_DIR/td.conf" --module "$MODS/softhsm.so" scan --no-usb --no-match
	chown 0 "$MODS"
	chown nobody "$MODS/softhsm.so"
	expect_refused 77 "PKCS#11 module $MODS/softhsm.so is owned by another user (uid $(id -u nobody))" \
		"$TOKENDESK" --config "$HSM_DIR/td.conf" --module "$MODS/softhsm.so" scan --no-usb --no-match
	chown 0 "$MODS/softhsm.so"
else
	echo "not root: the other-owner cases are left out"
fi
echo PASS
