# registry: the SQLite registry; the only place with SQL.
libtokendesk_a_SOURCES += \
	src/registry/internal.h \
	src/registry/txn.h \
	src/registry/db.c \
	src/registry/schema.c \
	src/registry/statements.c \
	src/registry/audit.c \
	src/registry/audit_conflict.c \
	src/registry/audit_evidence.c \
	src/registry/audit_field.c \
	src/registry/audit_state.c \
	src/registry/audit_tables.c \
	src/registry/audit_tables.h \
	src/registry/audit_tag_bulk.c \
	src/registry/sha256.c \
	src/registry/records.c \
	src/registry/write.c \
	src/registry/cert_write.c \
	src/registry/search.c \
	src/registry/export.c \
	src/registry/bulk.c \
	src/registry/count.c \
	src/registry/kit.h \
	src/registry/kit_schema.c \
	src/registry/kit_guard.c \
	src/registry/kit_check.c \
	src/registry/kit_async.c \
	src/registry/kit_backing.c \
	src/registry/kit_pairs.c \
	src/registry/kit_make.c \
	src/registry/kit_apply.c \
	src/registry/kit_bulk.c \
	src/registry/kit_merge.c \
	src/registry/kit_conflict.c \
	src/registry/kit_count.c \
	src/registry/kit_refresh.c
EXTRA_DIST += src/registry/local.mk
# reorganization: stored plans, tags, CRL confirmations
libtokendesk_a_SOURCES += src/registry/plan.c src/registry/tag.c \
	src/registry/crl_trust.c
# signatures of handover records and signed audit checkpoints
libtokendesk_a_SOURCES += src/registry/signature.c
libtokendesk_a_SOURCES += src/registry/handover.c src/registry/dossier.c
