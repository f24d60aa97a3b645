#!/bin/sh
# tests/valgrind-tokendesk.sh ARG...: tokendesk under valgrind, for the
# shell tests (`make check-valgrind` sets TOKENDESK to this script).
exec "${SHELL:-/bin/sh}" "${TD_SRCDIR:?}/tests/valgrind.sh" "${TD_BUILDDIR:?}/tokendesk" "$@"
