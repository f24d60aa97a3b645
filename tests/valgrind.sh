#!/bin/sh
# tests/valgrind.sh PROGRAM [ARG]...: run PROGRAM under valgrind memcheck
# as the test suite wants it: any memory error or definite/indirect leak
# makes the exit status 99, which fails the test.  Suppressions only for
# third-party code, each explained, in tests/valgrind.supp.
# Used by `make check-valgrind` as LOG_COMPILER (the C test programs) and,
# through valgrind-tokendesk.sh, as $TOKENDESK (the shell tests).
# --vgdb=no: valgrind's gdbserver makes /tmp/vgdb-pipe-*-PID-by-USER files;
# a process SIGKILLed by the crash tests leaves them behind, and USER is
# "???" for every user here, so a later run as nobody (file-safety.sh)
# with the same PID failed with "cannot create shared_mem file".
srcdir=${TD_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
case $1 in *.sh) exec "${SHELL:-/bin/sh}" "$@" ;; esac   # shell tests: not valgrind itself
exec valgrind -q --vgdb=no --error-exitcode=99 --leak-check=full \
	--show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
	--suppressions="$srcdir/tests/valgrind.supp" --num-callers=30 \
	${TD_VALGRIND_OPTS:-} "$@"
