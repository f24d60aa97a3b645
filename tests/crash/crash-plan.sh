#!/bin/sh
# tests/crash/crash-plan.sh: crash-import.sh's kills during `plan apply`.
CRASH_OP=plan-apply exec "${SHELL:-/bin/sh}" "${TD_SRCDIR:?}/tests/crash/crash-import.sh"
