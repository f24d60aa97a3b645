# tests/hostile: inputs that must fail cleanly or import safely.
# run.sh reads MANIFEST (the expectation of every file); gen-big.sh
# makes the large ones at test time.  `make hostile` adds the
# million-row files that make check leaves out.
TESTS += tests/hostile/run.sh
EXTRA_DIST += tests/hostile/local.mk tests/hostile/run.sh tests/hostile/gen-big.sh \
	tests/hostile/MANIFEST tests/hostile/base tests/hostile/files

hostile: tokendesk
	$(AM_V_at)$(AM_TESTS_ENVIRONMENT) TD_HOSTILE_LONG=1; export TD_HOSTILE_LONG; \
	  $(SHELL) $(abs_top_srcdir)/tests/hostile/run.sh
.PHONY: hostile

# The PIN's secrecy (issue 7, item 3), with the token room's hsm-lib.sh.
TESTS += tests/hostile/pin-secrecy.sh
EXTRA_DIST += tests/hostile/pin-secrecy.sh tests/hostile/mem-scan.py
# No core dumps while a PIN is read or held (issue 21, item 8).
TESTS += tests/hostile/pin-nodump.sh
EXTRA_DIST += tests/hostile/pin-nodump.sh

# Records handed to `receipt --verify` that tokendesk did not write.
TESTS += tests/hostile/pdf-record.sh
EXTRA_DIST += tests/hostile/pdf-record.sh
