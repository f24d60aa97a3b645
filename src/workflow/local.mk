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
# reorganization plans, the action plan, CRLs, lists for DOST
libtokendesk_a_SOURCES += \
	src/workflow/plan_internal.h \
	src/workflow/plan_model.c \
	src/workflow/plan_actions.c \
	src/workflow/plan_import.c \
	src/workflow/plan_apply.c \
	src/workflow/plan_words.c
libtokendesk_a_SOURCES += src/workflow/crl.c src/workflow/lists.c \
	src/workflow/forms.c src/workflow/forms_internal.h \
	src/workflow/forms_xlsx.c src/workflow/forms_docx.c \
	src/workflow/agency_names.c src/workflow/agency_names.h src/workflow/xlsx_check.h \
	src/workflow/crl_ca.c src/workflow/crl_internal.h
# the contracts of the reorganization modules (headers are not yet distributed project-wide)
EXTRA_DIST += include/tokendesk/plan.h include/tokendesk/crl.h include/tokendesk/lists.h \
	include/tokendesk/forms.h
# handover: tokens and dossiers changing hands, and the printed record.
libtokendesk_a_SOURCES += \
	src/workflow/handover_internal.h \
	src/workflow/custodian.c \
	src/workflow/handover.c \
	src/workflow/handover_add.c src/workflow/handover_seen.c \
	src/workflow/handover_commit.c \
	src/workflow/dossier.c \
	src/workflow/record_internal.h \
	src/workflow/record.c \
	src/workflow/record_json.c \
	src/workflow/record_spawn.c \
	src/workflow/record_digest.c \
	src/workflow/pdf_inc.h \
	src/workflow/pdf_inc.c \
	src/workflow/pdf_sign.c \
	src/workflow/record_sign.c \
	src/workflow/checkpoint.c \
	src/workflow/sign_trust.h \
	src/workflow/sign_trust.c
# The PDF rendering (pango + cairo: some forty shared libraries) runs in a
# helper program, so that no other command loads them (record_spawn.c).
pkglibexec_PROGRAMS += tokendesk-pdf
tokendesk_pdf_SOURCES = src/workflow/pdf_main.c src/workflow/record_pdf.c \
	src/workflow/pdf_doc.c src/workflow/pdf_doc.h \
	src/workflow/form_pdf.c
tokendesk_pdf_CFLAGS = $(AM_CFLAGS) $(PANGOCAIRO_CFLAGS) $(JANSSON_CFLAGS) $(QRENCODE_CFLAGS)
tokendesk_pdf_LDADD = $(TD_LIBS) $(PANGOCAIRO_LIBS) $(QRENCODE_LIBS)
# matching a token to the registry; the session both front ends open;
# the writes the front ends asked for (tags, kit conflicts, holders)
libtokendesk_a_SOURCES += src/workflow/match.c \
	src/workflow/session.c src/workflow/session_tokens.c \
	src/workflow/tag.c src/workflow/kit.c src/workflow/holder.c
