# tests/hall: the handover hall (docs/hall.md) on one machine, with its
# own sshd on a loopback port and five desks through tokendesk-connect.
# Not in `make check` (it needs root for sshd, as CI runs): `make
# check-hall`, which tools/test runs after the plain `make check`.  It
# prints PASS, or SKIP with the reason (exit 0), or FAIL (exit 1).
HALL_TESTS = tests/hall/hall.sh
EXTRA_DIST += tests/hall/local.mk tests/hall/hall-lib.sh $(HALL_TESTS)

.PHONY: check-hall
check-hall: tokendesk$(EXEEXT) tokendesk-full$(EXEEXT) $(noinst_DATA)
	@status=0; \
	for t in $(HALL_TESTS); do \
	  echo "== $$t"; \
	  st=0; \
	  ( $(AM_TESTS_ENVIRONMENT) $(SHELL) '$(srcdir)/'$$t ) || st=$$?; \
	  if [ $$st = 77 ]; then echo "SKIP: $$t"; \
	  elif [ $$st != 0 ]; then echo "FAIL: $$t"; status=1; fi; \
	done; \
	exit $$status
