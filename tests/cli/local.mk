# tests/cli
# inventory counts and field kits (count-*.sh, kit-*.sh); kit-move stands
# in for the handover workflow to record custody moves in a kit.
check_PROGRAMS += tests/cli/kit-move
tests_cli_kit_move_SOURCES = tests/cli/kit-move.c
tests_cli_kit_move_LDADD = $(TD_LIBS)
TESTS += \
	tests/cli/count-basic.sh \
	tests/cli/count-resume.sh \
	tests/cli/kit-minimal.sh \
	tests/cli/kit-merge.sh \
	tests/cli/kit-conflict.sh
EXTRA_DIST += tests/cli/count-common.sh tests/cli/count-basic.sh \
	tests/cli/count-resume.sh tests/cli/kit-minimal.sh tests/cli/kit-merge.sh \
	tests/cli/kit-conflict.sh
