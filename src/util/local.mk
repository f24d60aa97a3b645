# util: text, csv, errors, secure memory.  Depends on nothing else here.
libtokendesk_a_SOURCES += \
	src/util/error.c \
	src/util/text.c \
	src/util/csv.c
EXTRA_DIST += src/util/local.mk
libtokendesk_a_SOURCES += src/util/strmap.c
libtokendesk_a_SOURCES += src/util/rowpipe.c
libtokendesk_a_SOURCES += src/util/secmem.c
libtokendesk_a_SOURCES += src/util/jsonw.c
EXTRA_DIST += include/tokendesk/jsonw.h
libtokendesk_a_SOURCES += src/util/libexec.c
libtokendesk_a_SOURCES += src/util/outfile.c
libtokendesk_a_SOURCES += src/util/textfile.c
libtokendesk_a_SOURCES += src/util/sshkey.c
EXTRA_DIST += include/tokendesk/sshkey.h
libtokendesk_a_SOURCES += src/util/fdio.c
