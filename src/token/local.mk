# token: PKCS#11 (libp11) and USB (libusb); the only room that touches them.
libtokendesk_a_SOURCES += \
	src/token/internal.h \
	src/token/module.c \
	src/token/x509.c \
	src/token/snapshot.c \
	src/token/objects.c \
	src/token/usb.c \
	src/token/watch.c \
	src/token/possession.c \
	src/token/sign.c \
	src/token/config.c \
	src/token/remote.h \
	src/token/remote.c \
	src/token/wire.c \
	src/token/doctor.c


# objects.c calls the module's functions itself: PKCS#11's header from
# p11-kit (only the header; nothing of p11-kit is linked for it).
libtokendesk_a_CFLAGS += $(P11KIT_CFLAGS)

dist_pkgdata_DATA = data/usb-tokens.tsv
EXTRA_DIST += src/token/local.mk

# The process each PKCS#11 module runs in (src/token/remote.h).
pkglibexec_PROGRAMS += tokendesk-p11
tokendesk_p11_SOURCES = src/token/p11_main.c
# Only what a module needs: each library linked is a cost at every start.
tokendesk_p11_LDADD = libtokendesk.a $(P11_LIBS) $(CRYPTO_LIBS) $(USB_LIBS) \
	$(UNISTRING_LIBS)
tokendesk_p11_LDFLAGS = -Wl,--as-needed
