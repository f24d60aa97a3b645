# tests: one fragment per kind of test.
include tests/unit/local.mk
include tests/cli/local.mk
include tests/token/local.mk
include tests/tui/local.mk
include tests/fuzz/local.mk
include tests/hostile/local.mk
include tests/crash/local.mk
include tests/sanitize.mk
include tests/bench/local.mk
include tests/hall/local.mk
include tests/pcsc/local.mk
