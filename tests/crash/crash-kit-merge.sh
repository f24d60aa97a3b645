#!/bin/sh
# tests/crash/crash-kit-merge.sh: crash-import.sh's kills during a kit merge.
CRASH_OP=kit-merge exec "${SHELL:-/bin/sh}" "${TD_SRCDIR:?}/tests/crash/crash-import.sh"
