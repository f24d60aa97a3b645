/* audit_tables.h: the tables audit verify checks, and the evidence it
 * gathers before checking them (private to src/registry/audit_*.c).
 *
 * audit_tables.c says, for each audited table, how its rows read as the
 * images writers put in audit rows; audit_evidence.c gathers the images
 * that do not sit in the home chain under their own key; audit_state.c
 * compares the two. */
#ifndef TD_REGISTRY_AUDIT_TABLES_H
#define TD_REGISTRY_AUDIT_TABLES_H

#include <stddef.h>

#include "registry/internal.h"

/* FOLD: a row is its audit rows' images folded in order (a token, a
 * tag); SEQ: one row per audit row of its key (a custody event). */
enum shape { FOLD, SEQ };

/* A bulk kind: the additions its audit row folds, in content order. */
struct bulk_kind {
	const char *action;          /* "cert.add.bulk" */
	const char *start;           /* id of key ?1 after id ?2 */
	const char *end;             /* id and key of the ?2-th row from id ?1 */
	int n;                       /* content fields */
	const char *const *names;    /* their names in the table's images */
	/* Rows of other tables whose fields the content holds (a
	 * certificate's holder and token): their entity and the content
	 * field holding their key. */
	struct { const char *entity; int key; } sides[2];
};

struct audited {
	const char *table;    /* named in messages */
	const char *entity;   /* audit entity */
	const char *actions;  /* GLOB of the actions about these rows */
	enum shape shape;
	/* FOLD: key, image, birth image (or NULL), "covered" (no audit row
	 * needed: the row is told by another's, e.g. a holder by its
	 * certificates), id, "as born" (the row still equals its birth image:
	 * computed here so the many rows that never changed cost no JSON
	 * parsing), then the bulk content fields; in id order.
	 * SEQ: key, image; ordered by key, then id. */
	const char *rows;
	const char *count;    /* rows with key ?1 */
	const struct bulk_kind *bulk;
	/* The SQL table; an entry whose table this registry's schema does
	 * not have yet is skipped (its writer came with a later release). */
	const char *sql_table;
	/* Home's alone: a kit merge never brings its rows (kit_schema.c), so
	 * audit rows the field wrote about it tell nothing here. */
	int home_only;
};

/* Every audited table, in the order audit verify checks them. */
extern const struct audited td_audited[];
extern const size_t td_n_audited;

/* Fill the temporary tables of images from elsewhere (temp.td_ev: rows
 * kit merges brought home, certificate images' holder and token fields;
 * temp.td_then, temp.td_left; the tag loads' members), inside the
 * caller's read transaction.  The caller drops them when done.  Returns
 * TD_OK or a negative td_error code (err set). */
int td_reg_audit_evidence(struct td_registry *reg, struct td_error *err);

#endif
