# cli: the scriptable front end; no SQL and no PKCS#11 here.
tokendesk_SOURCES += \
	src/cli/cli.h \
	src/cli/commands.h \
	src/cli/commands.c \
	src/cli/common.c \
	src/cli/json.h \
	src/cli/json.c \
	src/cli/main.c \
	src/cli/cmd_init.c \
	src/cli/cmd_import.c \
	src/cli/cmd_show.c \
	src/cli/cmd_search.c \
	src/cli/cmd_export.c \
	src/cli/cmd_audit.c \
	src/cli/cmd_count.c \
	src/cli/cmd_count_watch.c \
	src/cli/cmd_kit.c
EXTRA_DIST += src/cli/local.mk
