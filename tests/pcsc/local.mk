# tests/pcsc: the real smart-card path (issue 23): a CAC card emulated on
# libcacard (tests/pcsc/vcard) served through vsmartcard's vpcd to a
# private pcscd in its own mount namespace, read through OpenSC's PKCS#11
# module (docs/token-stacks.md).  Not in `make check` (it needs root or
# user namespaces for the private pcscd): `make check-pcsc`, which
# tools/test runs after check-hall.  Each test prints PASS, or SKIP with
# the reason (exit 77), or fails.  `make check-pcsc-valgrind` runs the
# same set with tokendesk under valgrind memcheck (tests/valgrind.sh).
PCSC_TESTS = \
	tests/pcsc/scan.sh \
	tests/pcsc/watch.sh \
	tests/pcsc/desk.sh \
	tests/pcsc/verify.sh \
	tests/pcsc/pulled.sh \
	tests/pcsc/cycles.sh
EXTRA_DIST += tests/pcsc/local.mk tests/pcsc/pcsc-lib.sh $(PCSC_TESTS) \
	tests/pcsc/vcard.c tests/pcsc/fastpoll.c

PCSC_PROGS = tests/pcsc/fastpoll.so$(EXEEXT)
if HAVE_CACARD
PCSC_PROGS += tests/pcsc/vcard$(EXEEXT)
check_PROGRAMS += tests/pcsc/vcard
tests_pcsc_vcard_SOURCES = tests/pcsc/vcard.c
tests_pcsc_vcard_CFLAGS = $(AM_CFLAGS) $(CACARD_CFLAGS)
tests_pcsc_vcard_LDADD = $(CACARD_LIBS)
endif
# Preloaded into the pcscd of cycles.sh only (its card poll, 400 ms, made
# 20 ms).  A shared object through a program rule, as p11-faulty.so.
check_PROGRAMS += tests/pcsc/fastpoll.so
tests_pcsc_fastpoll_so_SOURCES = tests/pcsc/fastpoll.c
tests_pcsc_fastpoll_so_CFLAGS = $(AM_CFLAGS) -fPIC
tests_pcsc_fastpoll_so_LDFLAGS = -shared
tests_pcsc_fastpoll_so_LDADD = -ldl

# tests/bench/bench-pcsc.sh runs the emulator too.
bench: $(PCSC_PROGS)

PCSC_RUN = status=0; \
	for t in $(PCSC_TESTS); do \
	  echo "== $$t"; \
	  st=0; \
	  ( $(AM_TESTS_ENVIRONMENT) eval "$$pcsc_env"; $(SHELL) '$(srcdir)/'$$t ) || st=$$?; \
	  if [ $$st = 77 ]; then echo "SKIP: $$t"; \
	  elif [ $$st != 0 ]; then echo "FAIL: $$t (status $$st)"; status=1; fi; \
	done; \
	exit $$status

.PHONY: check-pcsc check-pcsc-valgrind
check-pcsc: all $(PCSC_PROGS)
	@pcsc_env=; $(PCSC_RUN)
check-pcsc-valgrind: all $(PCSC_PROGS)
	@pcsc_env='TOKENDESK=$(abs_top_srcdir)/tests/valgrind-tokendesk.sh; export TOKENDESK; TD_VALGRIND=1; export TD_VALGRIND;'; \
	$(PCSC_RUN)
