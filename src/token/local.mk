# token: PKCS#11 (libp11) and USB (libusb); the only room that touches them.
libtokendesk_a_SOURCES += \
	src/token/internal.h \
	src/token/module.c \
	src/token/x509.c \
	src/token/snapshot.c \
	src/token/usb.c \
	src/token/watch.c \
	src/token/possession.c \
	src/token/sign.c \
	src/token/config.c

dist_pkgdata_DATA = data/usb-tokens.tsv
EXTRA_DIST += src/token/local.mk
