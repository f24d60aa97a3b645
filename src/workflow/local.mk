# workflow: the rules, pure C over the registry and token APIs.
libtokendesk_a_SOURCES += \
	src/workflow/orgtree.c \
	src/workflow/import_internal.h \
	src/workflow/import_check.h \
	src/workflow/import_check.c \
	src/workflow/import_file.c \
	src/workflow/import.c \
	src/workflow/count.c \
	src/workflow/count_report.c
EXTRA_DIST += src/workflow/local.mk
