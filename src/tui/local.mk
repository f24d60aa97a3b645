# tui: the full-screen desk (ncursesw); no SQL and no PKCS#11 here.
libtd_tui_a_SOURCES += \
	src/tui/desk_stub.c
EXTRA_DIST += src/tui/local.mk
