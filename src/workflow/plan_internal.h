/* plan_internal.h: the plan's model of the agency tree, shared by the
 * plan's own files (plan_model.c, plan_actions.c, plan_import.c,
 * plan_apply.c); not part of the public contract (tokendesk/plan.h). */
#ifndef TD_WORKFLOW_PLAN_INTERNAL_H
#define TD_WORKFLOW_PLAN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "tokendesk/error.h"
#include "tokendesk/plan.h"

struct td_registry;
struct td_plan_row;

enum ev_kind {
	EV_MERGE_NEW, EV_MERGE_KEEP, EV_REPARENT, EV_RENAME, EV_ABOLISH,
	EV_DISSOLVE, EV_MERGE_PROVINCE, EV__COUNT
};

extern const char *const td_plan_event_names[EV__COUNT];

struct pevent {
	long line;
	const char *date;
	enum ev_kind kind;
	const char **src;          /* source codes */
	size_t nsrc;
	const char *target, *target_name, *new_parent;  /* NULL when empty */
	int bad;                   /* failed its own checks: not applied */
};

struct ocert;

/* An agency as the plan sees it.  Codes are interned in the arena, so
 * pointers compare as strings do. */
struct pnode {
	int64_t id;                /* td_agency.id; 0 for new agencies */
	const char *code, *name, *level;
	const char *parent;        /* current parent code (may be dead:
	                              resolve with model_parent()) */
	const char *orig_parent, *orig_name;
	int alive, is_new;
	int orphan;                /* reported as left without a superior */
	const struct pevent *removed_by;  /* the event that ended it */
	const struct pevent *touched_by;  /* last rename/reparent of itself */
	const struct pevent *renamed_by, *moved_by;  /* its last rename (a
	                              merge_keep's target name too), its last
	                              new superior: once a date each */
	const char *valid_from;    /* the registry's, or NULL */
	const char *plan_from;     /* moved by plan apply (agency.move): the
	                              superior it had before the first move */
	const char *plan_to;       /* ... and the one the last move gave it,
	                              which the registry still holds */
	const struct pevent *created_by;  /* merge_new that made it */
	const char *children_to;   /* where its units went (NULL: dissolved) */
	const char *holders_to;    /* where its officials went (NULL: none) */
	const char *dossiers_to;   /* who received its request dossiers */
	struct ocert *certs;       /* org certificates representing it */
	const char *person_prefix; /* "C=.., OU=.., CN=" of its officials
	                              after the plan (cached, in the arena) */
	size_t prefix_len;
};

struct plan_model {
	struct td_arena *arena;
	struct td_strmap *nodes;   /* code -> struct pnode */
	struct pnode **list;       /* in load order, new ones last */
	struct pnode **by_id;      /* registry agencies by td_agency.id */
	size_t nby;
	size_t nnodes, cap;
	struct pevent *events;     /* sorted by date, then line */
	size_t nevents, ecap;
	struct td_org_tree *final; /* the tree after the plan */
	const char *file;          /* for error positions */
	struct td_error_list *errors;
};

int model_init(struct plan_model *m, const char *file,
               struct td_error_list *errors);
void model_free(struct plan_model *m);
int model_load_agencies(struct plan_model *m, struct td_registry *reg,
                        struct td_error *err);
/* Parse one row into an event; field problems go to m->errors. */
int model_add_event(struct plan_model *m, const struct td_plan_row *row);
/* Apply the events effective on or before as_of (NULL: all) in date
 * order, then build m->final and check orphans and cycles.  Problems go
 * to m->errors; returns TD_ERR_NOMEM only. */
int model_run(struct plan_model *m, const char *as_of);

struct pnode *model_get(const struct plan_model *m, const char *code);
/* A registry agency by its id (a million lookups: no hashing), else by
 * code. */
struct pnode *model_get_id(const struct plan_model *m, int64_t id,
                           const char *code);
/* The living agency that now stands for code's place as a superior,
 * following merges and abolitions; NULL when dissolved. */
struct pnode *model_resolve(const struct plan_model *m, struct pnode *n);
/* The current (living) parent of n, or NULL. */
struct pnode *model_parent(const struct plan_model *m, struct pnode *n);
/* Where n's officials are now (NULL: their agency ceased), and who now
 * holds n's dossiers and tokens (never NULL for a known code). */
struct pnode *model_holders(const struct plan_model *m, struct pnode *n);
struct pnode *model_recipient(const struct plan_model *m, struct pnode *n);
/* The event nearest to n (n itself, then its superiors) that changed
 * what its DN says, or NULL. */
const struct pevent *model_cause(const struct plan_model *m, struct pnode *n);

/* The agencies the stored plan creates (merge_new targets living at the
 * end) that the registry does not hold yet, in creation order, each with
 * its final superior (NULL at the root), level and effective date; fn's
 * non-zero return stops and is returned (plan_actions.c). */
struct td_plan_opts;
typedef int (*plan_new_agency_fn)(const char *code, const char *name,
                                  const char *parent, const char *level,
                                  const char *date, void *ctx);
int plan_each_new_agency(struct td_registry *reg, const struct td_plan_opts *opts,
                         plan_new_agency_fn fn, void *ctx, struct td_error *err);

/* The registry's agencies the stored plan ends (merged away: merge_new
 * sources, merge_keep's others), each with the date of the event that
 * ends it (fn); before them, the agencies the plan keeps whose superior
 * in the registry it ends (a district abolished, its communes not
 * merged), each with the superior the plan gives it in the end (moved):
 * left under an ended superior, they would drop out of the tree.  A
 * callback's non-zero return stops and is returned (plan_actions.c). */
typedef int (*plan_ended_agency_fn)(const char *code, const char *date,
                                    void *ctx);
typedef int (*plan_moved_agency_fn)(const char *code, const char *parent,
                                    void *ctx);
int plan_each_ended_agency(struct td_registry *reg, const struct td_plan_opts *opts,
                           plan_moved_agency_fn moved, plan_ended_agency_fn fn,
                           void *ctx, struct td_error *err);

/* Add a positioned error to m->errors. */
void model_error(struct plan_model *m, long line, const char *field,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
