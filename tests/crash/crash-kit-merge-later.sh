#!/bin/sh
# tests/crash/crash-kit-merge-later.sh: crash-import.sh's kills during a
# later merge of a kit (merged once, then used again: issue 28).
CRASH_OP=kit-merge-later exec "${SHELL:-/bin/sh}" "${TD_SRCDIR:?}/tests/crash/crash-import.sh"
