# tests/token: a real PKCS#11 module (SoftHSM2) with tokens made per test,
# libusb hot-plug under umockdev, and unit tests of the token layer.
TOKEN_TESTS_SH = \
	tests/token/scan.sh \
	tests/token/scan-invisible.sh \
	tests/token/verify-token.sh \
	tests/token/watch.sh \
	tests/token/usb-hotplug.sh \
	tests/token/count-watch.sh \
	tests/token/watch-moved.sh \
	tests/token/pin-tty.sh \
	tests/token/connect.sh
TESTS += $(TOKEN_TESTS_SH) tests/token/test-x509 tests/token/test-match \
	tests/token/test-wire
check_PROGRAMS += tests/token/p11-put-raw tests/token/test-x509 tests/token/test-match \
	tests/token/test-wire
if HAVE_UMOCKDEV
check_PROGRAMS += tests/token/test-usb-hotplug
endif

# p11-put-raw only needs <p11-kit/pkcs11.h> (libp11-kit-dev).
tests_token_p11_put_raw_SOURCES = tests/token/p11-put-raw.c
tests_token_p11_put_raw_CPPFLAGS = $(P11KIT_CFLAGS)

tests_token_test_x509_SOURCES = tests/token/test-x509.c
tests_token_test_x509_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
tests_token_test_x509_LDADD = $(TD_LIBS)

# the helper's frames, field for field; td_write_all
tests_token_test_wire_SOURCES = tests/token/test-wire.c
tests_token_test_wire_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) $(P11_CFLAGS)
tests_token_test_wire_LDADD = $(TD_LIBS)

tests_token_test_match_SOURCES = tests/token/test-match.c
tests_token_test_match_LDADD = $(TD_LIBS)

# Run by usb-hotplug.sh under umockdev-wrapper.
tests_token_test_usb_hotplug_SOURCES = tests/token/test-usb-hotplug.c
tests_token_test_usb_hotplug_CFLAGS = $(AM_CFLAGS) $(UMOCKDEV_CFLAGS)
tests_token_test_usb_hotplug_LDADD = $(TD_LIBS) $(UMOCKDEV_LIBS)

EXTRA_DIST += tests/token/local.mk tests/token/hsm-lib.sh $(TOKEN_TESTS_SH) \
	tests/token/test-usb-hotplug.c
# handover --pin-fd (issue 4)
TOKEN_TESTS_SH += tests/token/handover-pop.sh
# the module loaded is the file checked; config and allow-module owners (issue 21)
TOKEN_TESTS_SH += tests/token/module-file.sh
# what the token really says, compared (issue 23)
TOKEN_TESTS_SH += tests/token/match-real.sh
TOKEN_TESTS_SH += tests/token/match-unseen.sh
TOKEN_TESTS_SH += tests/token/faulty-module.sh
TOKEN_TESTS_SH += tests/token/doctor.sh
# a token read half is held until a second read (issue 23)
TOKEN_TESTS_SH += tests/token/watch-halfread.sh
# A module that blocks or aborts, wrapping SoftHSM2 (issue 23).  Built as
# a shared object through a program rule: the project uses no libtool.
check_PROGRAMS += tests/token/p11-faulty.so
tests_token_p11_faulty_so_SOURCES = tests/token/p11-faulty.c
tests_token_p11_faulty_so_CPPFLAGS = $(P11KIT_CFLAGS)
tests_token_p11_faulty_so_CFLAGS = $(AM_CFLAGS) -fPIC
tests_token_p11_faulty_so_LDFLAGS = -shared
tests_token_p11_faulty_so_LDADD = -ldl
# signed handover records and audit checkpoints (SoftHSM2 tokens, test CA)
SIGN_TOKEN_TESTS = tests/token/sign-record.sh tests/token/audit-checkpoint.sh \
	tests/token/sign-demo.sh tests/token/sign-kit.sh
TESTS += $(SIGN_TOKEN_TESTS)
EXTRA_DIST += $(SIGN_TOKEN_TESTS) tests/token/rewrite-chain.py
