/* tokendesk/plan.h: reorganization plans and the per-certificate action
 * plan (letter sections 1, 2, 3).
 *
 * A plan is a list of events (merge_new, merge_keep, reparent, rename,
 * abolish, dissolve, merge_province) with effective dates; see
 * docs/formats.md.  Events are applied in date order (then file order) to
 * an in-memory copy of the agency tree; the action plan compares every
 * active certificate's stored subject DN with the DN the tree after the
 * plan gives it (td_org_tree_dn), and applies the rules of
 * ../shared/domain/rules.md.  Nothing here prints; all writes go through
 * the registry's audited transactions. */
#ifndef TOKENDESK_PLAN_H
#define TOKENDESK_PLAN_H

#include <stddef.h>

#include "tokendesk/error.h"

struct td_registry;

/* Read a plan CSV file (path; encoding NULL or as for
 * td_textfile_load: a plan saved from Excel is read as a master list
 * is), check it against the registry's agency tree
 * (unknown codes, cycles, an agency merged twice on one date, orphans),
 * and when every row is good replace the stored plan with it.  All or
 * nothing: on TD_ERR_DATA, errors lists every problem as FILE:LINE:
 * FIELD: message and the registry is unchanged.  *nevents gets the
 * number of events stored.  errors must be initialised by the caller. */
int td_plan_import(struct td_registry *reg, const char *path,
                   const char *encoding, struct td_error_list *errors, size_t *nevents,
                   struct td_error *err);

/* One action of the action plan.  Strings are borrowed: valid during the
 * callback only. */
struct td_plan_action {
	const char *action;   /* change_info, revoke, keep (certificates),
	                         collect (tokens), handover_dossiers (agencies) */
	const char *rule;     /* the rule that demands it, e.g. "merge_new",
	                         "official_info_change" (docs/plan.md lists them) */
	const char *reason;   /* one readable sentence */
	const char *cert_serial;   /* certificate actions; NULL otherwise */
	const char *cert_kind;     /* "org" or "person" */
	const char *holder_name;
	const char *agency_code;   /* the holder's agency now; for
	                              handover_dossiers the agency handing over */
	const char *old_dn, *new_dn;  /* new_dn for change_info and keep */
	const char *token_serial;  /* collect: the token; else the cert's token */
	const char *to_agency;     /* collect, handover_dossiers: who receives */
	const char *effective_date;
};
typedef int (*td_plan_action_fn)(const struct td_plan_action *a, void *ctx);

struct td_plan_opts {
	const char *as_of;    /* only events effective on or before this date
	                         (YYYY-MM-DD); NULL for every event */
};

struct td_plan_summary {
	long events, certificates;     /* events used, certificates looked at */
	long change_info, revoke, keep, collect, handover_dossiers;
};

/* Compute the action plan of the stored plan and call fn for each action:
 * organisation certificates of merges first (in event order), then every
 * other certificate in registry order, then token collections, then
 * dossier handovers.  The agencies are loaded once and certificates are
 * streamed with one query.  sum (may be NULL) gets the counts.  Returns
 * 0, fn's non-zero value, TD_ERR_DATA when the stored plan no longer fits
 * the registry (err says why), or another error. */
int td_plan_compute(struct td_registry *reg, const struct td_plan_opts *opts,
                    td_plan_action_fn fn, void *ctx, struct td_plan_summary *sum,
                    struct td_error *err);

struct td_plan_apply_report {
	long added, changed, removed, unchanged;
	long held;   /* actions not applied: the target carries a manual tag,
	                or its plan tag was already sent to DOST */
	long agencies_made;  /* merge_new targets added to the registry */
	long agencies_ended; /* agencies merged away: valid_to set to the day
	                        before the merger (audited agency.update) */
	long agencies_moved; /* agencies kept under a superior the plan ends,
	                        given the superior the plan gives them */
};

/* Tag what the action plan demands, in one audited transaction: adds
 * missing tags, updates tags whose action changed, removes plan tags (not
 * yet sent) that the plan no longer demands.  The agencies the plan
 * creates (merge_new targets) are added to the registry first, valid
 * from their effective date, so handovers, dossiers, tags and counts
 * take them; one the registry holds already (an updated master list
 * brought it, under the plan's name) stays as it is.  Applying twice
 * changes nothing the second time. */
int td_plan_apply(struct td_registry *reg, const struct td_plan_opts *opts,
                  struct td_plan_apply_report *rep, struct td_error *err);

/* Pick which certificate gets the info change when agencies merge into
 * the new agency target_code (merge_new); cert_serial must be an active
 * organisation certificate of one of the merged agencies.  NULL clears
 * the pick (back to the default: the one valid longest). */
int td_plan_pick(struct td_registry *reg, const char *target_code,
                 const char *cert_serial, struct td_error *err);

/* ---- the plan in words (plan_words.c) --------------------------------- */

/* Why a rule gives an action, in one sentence citing the letter: the
 * English text (a gettext msgid: front ends translate it), or the
 * Vietnamese one (the lists and forms for DOST are Vietnamese).  NULL
 * for an unknown rule. */
const char *td_plan_rule_sentence(const char *rule, const char *action);
const char *td_plan_rule_sentence_vi(const char *rule, const char *action);
/* An action or tag kind in Vietnamese words ("thay đổi thông tin"); the
 * code itself when unknown. */
const char *td_plan_action_vi(const char *action);
/* A plan tag's reason in Vietnamese: the rule's sentence and the plan
 * line the stored (English) reason cites, into buf; reason itself when
 * the rule is unknown (a reason typed by hand is shown as typed). */
#include <stddef.h>
const char *td_plan_reason_vi(const char *rule, const char *action,
                              const char *reason, char *buf, size_t size);

#endif
