# tests/crash: SIGKILL during registry writes (power loss on a laptop):
# import, plan apply, handover, kit merge (first and later), kit make,
# kit refresh;
# the registry's file modes and owners, a full disk, a read-only one.
# make check runs a short series (CRASH_KILLS=10); `make crashtest` the
# long one: 1000 kills, or CRASH_KILLS=N.
CRASH_TESTS = tests/crash/crash-import.sh tests/crash/crash-plan.sh \
	tests/crash/crash-handover.sh tests/crash/crash-kit-merge.sh \
	tests/crash/crash-kit-make.sh tests/crash/crash-kit-merge-later.sh \
	tests/crash/crash-kit-refresh.sh
TESTS += $(CRASH_TESTS) tests/crash/file-safety.sh tests/crash/disk-full.sh \
	tests/crash/xlsx-full.sh tests/crash/count-close-kill.sh \
	tests/crash/disk-full-read.sh
EXTRA_DIST += tests/crash/local.mk $(CRASH_TESTS) tests/crash/file-safety.sh \
	tests/crash/disk-full.sh tests/crash/xlsx-full.sh \
	tests/crash/count-close-kill.sh tests/crash/disk-full-read.sh
CRASH_KILLS = 1000

crashtest: tokendesk
	$(AM_V_at)$(AM_TESTS_ENVIRONMENT) CRASH_KILLS=$(CRASH_KILLS); export CRASH_KILLS; \
	  for t in $(CRASH_TESTS); do $(SHELL) $(abs_top_srcdir)/$$t || exit 1; done
.PHONY: crashtest
