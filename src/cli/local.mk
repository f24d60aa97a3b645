# cli: the scriptable front end; no SQL and no PKCS#11 here.
tokendesk_full_SOURCES += \
	src/cli/cli.h \
	src/cli/commands.h \
	src/cli/commands.c \
	src/cli/common.c \
	src/cli/json.h \
	src/cli/json.c \
	src/cli/main.c \
	src/cli/words.c \
	src/cli/globals.c \
	src/cli/cmd_init.c \
	src/cli/cmd_import.c \
	src/cli/cmd_show.c \
	src/cli/cmd_search.c \
	src/cli/cmd_export.c \
	src/cli/cmd_audit.c \
	src/cli/watch_loop.c \
	src/cli/cmd_count.c \
	src/cli/cmd_count_watch.c \
	src/cli/cmd_kit.c \
	src/cli/cmd_scan.c \
	src/cli/cmd_verify_token.c \
	src/cli/cmd_doctor.c \
	src/cli/hall.c src/cli/cmd_hall.c
EXTRA_DIST += src/cli/local.mk
# the lean front end: show and search, and exec tokendesk-full for the rest
tokendesk_SOURCES += src/cli/cli.h src/cli/commands.h src/cli/main_lean.c \
	src/cli/globals.c src/cli/common.c src/cli/json.h src/cli/json.c src/cli/words.c \
	src/cli/cmd_show.c src/cli/cmd_search.c
# reorganization: plans, tags, holders' marks, CRLs, lists for DOST
tokendesk_full_SOURCES += src/cli/cmd_plan.c src/cli/cmd_tag.c src/cli/cmd_holder.c \
	src/cli/cmd_crl.c src/cli/cmd_lists.c src/cli/cmd_forms.c
tokendesk_full_SOURCES += src/cli/cmd_handover.c src/cli/cmd_receipt.c src/cli/cmd_dossier.c \
	src/cli/cmd_receipt_sign.c src/cli/cmd_audit_sign.c \
	src/cli/handover_pop.c
