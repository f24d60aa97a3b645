#!/bin/sh
# tests/valgrind-tokendesk.sh ARG...: tokendesk under valgrind, for the
# shell tests (`make check-valgrind` sets TOKENDESK to this script).
# tokendesk execs tokendesk-full for most commands (src/cli/main_lean.c):
# valgrind follows that exec, and no other (the PDF helper stays out, as
# it always has: its memory is pango's and cairo's).
TD_VALGRIND_OPTS="--trace-children=yes --trace-children-skip=*/tokendesk-pdf ${TD_VALGRIND_OPTS:-}"
export TD_VALGRIND_OPTS
exec "${SHELL:-/bin/sh}" "${TD_SRCDIR:?}/tests/valgrind.sh" "${TD_BUILDDIR:?}/tokendesk" "$@"
