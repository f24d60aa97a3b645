#!/bin/sh
# tests/hostile/pin-secrecy.sh: the user PIN (issue 7, item 3) reaches
# none of: the registry file and its WAL, the audit log, what is printed
# (stdout, stderr), the process's argv and environment, nor its memory
# after the operation.  `tokendesk verify-token SERIAL --pin-fd 3` proves
# possession of a SoftHSM2 token with a PIN nothing else contains; under
# gdb, every readable mapping of the process is read (mem-scan.py) while
# the PIN is in use (it must be found: the scan works) and at _exit (it
# must be gone).  Needs the token room (tests/token/hsm-lib.sh), gdb with
# python, softhsm2-util, pkcs11-tool, openssl.
. "${TD_SRCDIR:-$(dirname "$0")/../..}/tests/token/hsm-lib.sh"
hsm_init
command -v gdb >/dev/null 2>&1 || skip "gdb not installed (needed to read the memory)"
command -v sqlite3 >/dev/null 2>&1 || skip "sqlite3 shell not installed"

# A PIN that occurs nowhere by chance: 12 digits, fresh every run.
PIN=$(od -An -N6 -tu2 /dev/urandom | tr -cd '0-9' | cut -c1-12)
[ ${#PIN} -ge 10 ] || PIN=$(date +%s%N | cut -c8-19)
HSM_PIN=$PIN   # hsm-lib uses it to make and fill the token
printf '%s\n' "$PIN" >"$HSM_DIR/pin"
chmod 600 "$HSM_DIR/pin"

hsm_issue holder rsa "/C=VN/L=Đông Châu/O=Ủy ban nhân dân tỉnh Đông Châu/CN=Lê Văn Bảo Mật" 5e01
S=$(hsm_token "Bảo mật"); hsm_load "Bảo mật" holder 01
td init >/dev/null || fail "init"

# has_pin FILE: the PIN's digits, as text, anywhere in FILE (binary-safe).
has_pin() { grep -a -q -F -- "$PIN" "$1"; }

# 1. The operation itself: right PIN, outputs kept.
td verify-token "$S" --pin-fd 3 3<"$HSM_DIR/pin" >"$HSM_DIR/stdout" 2>"$HSM_DIR/stderr" ||
	{ cat "$HSM_DIR/stdout" "$HSM_DIR/stderr" >&2; fail "verify-token with the right PIN"; }
grep -q "key-matches" "$HSM_DIR/stdout" || fail "verify-token did not prove possession"
td verify-token "$S" --pin-fd 3 --json 3<"$HSM_DIR/pin" >>"$HSM_DIR/stdout" 2>>"$HSM_DIR/stderr"
# A wrong PIN (the right one with a digit changed) must not be echoed either.
printf '%s9\n' "$PIN" >"$HSM_DIR/pin.bad"
td verify-token "$S" --pin-fd 3 3<"$HSM_DIR/pin.bad" >>"$HSM_DIR/stdout" 2>>"$HSM_DIR/stderr"
for f in stdout stderr; do
	! has_pin "$HSM_DIR/$f" || fail "the PIN was printed on $f"
done

# 2. The registry, its WAL and SHM if any, the audit log, the token store
# directory's neighbours we own.
td audit log --json >"$HSM_DIR/audit.json" 2>&1
for f in "$TOKENDESK_DB" "$TOKENDESK_DB-wal" "$TOKENDESK_DB-shm" "$HSM_DIR/audit.json"; do
	[ -e "$f" ] || continue
	! has_pin "$f" || fail "the PIN is in $f"
done
sqlite3 "$TOKENDESK_DB" .dump | grep -q -F -- "$PIN" && fail "the PIN is in the registry's SQL"

# 3. argv, environment and memory: run it under gdb, and read every
# readable mapping (mem-scan.py) at two moments: entering td_token_prove,
# where the PIN must be found in its secure buffer (or the scan is blind
# and this test proves nothing), and at _exit, after every cleanup, where
# it must be gone.  argv and environ come from /proc at the same stop.
# Under make check-valgrind $TOKENDESK is a wrapper script, and gdb and
# valgrind cannot both trace one process: gdb reads the program itself
# (its memory errors are the rest of the valgrind pass's business).
gdb_prog=$TOKENDESK
[ -n "${TD_VALGRIND:-}" ] && gdb_prog=${TD_BUILDDIR:?}/tokendesk
scan_at() {  # scan_at FUNCTION TAG
	cat >"$HSM_DIR/gdb-$2.cmd" <<GDB
set pagination off
set confirm off
set startup-with-shell on
set breakpoint pending on
break $1
run --module $HSM_MODULE verify-token $S --pin-fd 0 <$HSM_DIR/pin >$HSM_DIR/gdb-$2.out 2>&1
set \$needle = "$PIN"
set \$outfile = "$HSM_DIR/scan-$2"
source $TD_SRCDIR/tests/hostile/mem-scan.py
python import gdb; pid = gdb.selected_inferior().pid; open("$HSM_DIR/cmdline-$2", "wb").write(open("/proc/%d/cmdline" % pid, "rb").read()); open("$HSM_DIR/environ-$2", "wb").write(open("/proc/%d/environ" % pid, "rb").read())
kill
GDB
	# LeakSanitizer cannot run under ptrace and would exit 1 before _exit;
	# leaks are the rest of the suite's business.
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	gdb -batch -nx -x "$HSM_DIR/gdb-$2.cmd" "$gdb_prog" >"$HSM_DIR/gdb-$2.log" 2>&1
	[ -s "$HSM_DIR/scan-$2" ] || { cat "$HSM_DIR/gdb-$2.log" >&2; fail "no memory scan at $1"; }
	read -r hits regions <"$HSM_DIR/scan-$2"
	for f in cmdline environ; do
		[ -s "$HSM_DIR/$f-$2" ] || fail "could not read /proc/PID/$f at $1"
		! has_pin "$HSM_DIR/$f-$2" || fail "the PIN is in the process's $f"
	done
}
scan_at td_token_prove during
[ "$hits" -ge 1 ] || fail "the memory scan does not see the PIN even in use ($regions regions read)"
scan_at _exit after
grep -q "key-matches" "$HSM_DIR/gdb-after.out" ||
	{ cat "$HSM_DIR/gdb-after.out" >&2; fail "verify-token under gdb"; }
[ "$hits" = 0 ] || fail "the PIN is still in the process memory at exit ($hits copies)"
echo "pin-secrecy: PIN absent from registry, WAL, audit, output, argv, environment" \
     "and memory at exit ($regions regions read)"
