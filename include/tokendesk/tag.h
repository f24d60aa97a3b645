/* tokendesk/tag.h: tagging by hand what must happen to a certificate, a
 * token or an agency's request dossiers, and sending the tags to DOST.
 *
 * The rules both front ends follow (the `tag` command and the desk's tag
 * dialog and plan screen): a target must exist; a tag already sent to
 * DOST cannot be changed or removed by hand; every write is one audited
 * transaction, owned here.  States: tagged -> sent_to_dost (a numbered
 * batch) -> confirmed (by the CA: `crl import`, or td_tag_confirm). */
#ifndef TOKENDESK_TAG_H
#define TOKENDESK_TAG_H

#include <stdint.h>

#include "tokendesk/error.h"

struct td_registry;
struct td_tag;

/* Tag t->target (of kind t->target_kind: "cert", "token", "agency") with
 * t->kind, t->request, t->reason (origin and rule as given, "manual" for
 * a hand tag).  TD_ERR_NOTFOUND when there is no such record,
 * TD_ERR_CONFLICT when its tag was already sent to DOST.  *changed is 0
 * when the tag already said exactly this (nothing written). */
int td_tag_put(struct td_registry *reg, const struct td_tag *t, int *changed,
               struct td_error *err);

/* The tag of target (whichever of a certificate, a token or an agency
 * carries one), removed.  TD_ERR_NOTFOUND when none, TD_ERR_CONFLICT
 * when it was already sent to DOST. */
int td_tag_remove(struct td_registry *reg, const char *target,
                  struct td_error *err);

/* The tag of target marked confirmed by the CA by hand; only a tag sent
 * to DOST can be (TD_ERR_CONFLICT), TD_ERR_NOTFOUND when none. */
int td_tag_confirm(struct td_registry *reg, const char *target,
                   struct td_error *err);

/* Every tag in state "tagged" sent to DOST as the next numbered batch:
 * *batch its number and *count how many (both 0: nothing was tagged,
 * no batch made). */
int td_tag_send(struct td_registry *reg, int64_t *batch, long *count,
                struct td_error *err);

/* The state of target's tag ("tagged", "sent_to_dost", "confirmed")
 * into state (size bytes) and its target kind into kind (16 bytes, may
 * be NULL): 0, or TD_ERR_NOTFOUND when target carries no tag. */
int td_tag_state(struct td_registry *reg, const char *target, char *state,
                 size_t size, char *kind, struct td_error *err);

#endif
