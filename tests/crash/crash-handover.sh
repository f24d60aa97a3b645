#!/bin/sh
# tests/crash/crash-handover.sh: crash-import.sh's kills during a handover.
CRASH_OP=handover exec "${SHELL:-/bin/sh}" "${TD_SRCDIR:?}/tests/crash/crash-import.sh"
