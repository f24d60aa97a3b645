/* handover_internal.h: what the handover workflow's files share; the
 * contract is tokendesk/handover.h. */
#ifndef TD_WORKFLOW_HANDOVER_INTERNAL_H
#define TD_WORKFLOW_HANDOVER_INTERNAL_H

#include "tokendesk/handover.h"

struct td_ho_item {
	struct td_handover_item pub;
	char *reg_custodian;   /* the registry's custodian when it was added,
	                          re-checked at commit */
	char *carried_condition; /* the token's last recorded condition: it
	                            stands until a handover states another */
};

struct td_handover {
	struct td_registry *reg;
	enum td_handover_kind kind;
	struct td_custodian to, from;
	int have_to, have_from;
	int force, committed;
	char *condition, *remarks, *place, *state;
	char *reason;          /* why a step off the path is forced (typed) */
	int defer_path;        /* td_handover_defer_path: note, do not refuse */
	struct td_ho_item *items;
	size_t n, cap;
};

/* Copy s (NFC) into *slot.  what: the field's name, and typed text is
 * then held to td_text_problem; NULL for text tokendesk made itself. */
int td_ho_set_text(char **slot, const char *s, const char *what,
                   struct td_error *err);
int td_ho_find(const struct td_handover *h, const char *key);
struct td_ho_item *td_ho_slot(struct td_handover *h, struct td_error *err);
int td_ho_push(struct td_handover *h, struct td_ho_item *it, int rc);
/* The readable name of a custodian text (malloc'ed), or NULL. */
char *td_ho_name_of(struct td_registry *reg, const char *custodian);
/* TD_OK when item it may go from giver from (NULL: anyone) to to (NULL:
 * not yet known), as its custodian was when it was added; else
 * TD_ERR_CONFLICT naming the item.  Checked when either is set, and
 * again at commit. */
int td_ho_check_item(const struct td_handover *h, const struct td_ho_item *it,
                     const struct td_custodian *from,
                     const struct td_custodian *to, struct td_error *err);

/* The token's newest custody event (id 0 and NULL strings when it has
 * none); td_custody_event_clear frees it (handover_seen.c). */
struct td_custody_event;
int td_ho_last_event(struct td_registry *reg, const char *serial,
                     struct td_custody_event *last, struct td_error *err);
/* TD_ERR_CONFLICT, naming who moved the token and when, if its newest
 * custody event is no longer the one it->pub.custody_seen says. */
int td_ho_check_seen(struct td_registry *reg, const struct td_ho_item *it,
                     struct td_error *err);

/* The path rule (handover_add.c): TD_ERR_DATA, the rule in words, when
 * handing token serial (now with custodian) to *to leaves the path
 * official -> agency -> DOST -> CA, unless forced with a reason. */
int td_ho_path_check(const struct td_handover *h, const struct td_custodian *to,
                     const char *serial, const char *custodian,
                     struct td_error *err);
/* Set it->pub.path_rule for receiver to (NULL: none yet); <0 only when
 * the registry fails. */
int td_ho_path_note(struct td_handover *h, struct td_ho_item *it,
                    const struct td_custodian *to, struct td_error *err);

#endif
