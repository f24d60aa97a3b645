# workflow: the rules, pure C over the registry and token APIs.
libtokendesk_a_SOURCES += \
	src/workflow/orgtree.c \
	src/workflow/import_internal.h \
	src/workflow/import_check.h \
	src/workflow/import_check.c \
	src/workflow/import_file.c \
	src/workflow/import.c
EXTRA_DIST += src/workflow/local.mk
# handover: tokens and dossiers changing hands, and the printed record.
libtokendesk_a_SOURCES += \
	src/workflow/handover_internal.h \
	src/workflow/custodian.c \
	src/workflow/handover.c \
	src/workflow/handover_add.c \
	src/workflow/handover_commit.c \
	src/workflow/dossier.c \
	src/workflow/record_internal.h \
	src/workflow/record.c \
	src/workflow/record_pdf.c
