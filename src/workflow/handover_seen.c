/* handover_seen.c: what the operator saw of a token's custody.  In a
 * hall several desks share one registry: a token listed at one desk may
 * be handed over at another before F9 here.  Each item remembers the
 * token's last custody event when it was first checked, and the commit
 * (inside its write transaction) and every re-check compare it with the
 * registry's, naming who moved the token and when. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokendesk/handover.h"
#include "tokendesk/registry.h"
#include "workflow/handover_internal.h"

/* The newest custody event seen while walking a token's history (they
 * come in id order, the newest last). */
static int keep_last(const struct td_custody_event *e, void *ctx)
{
	struct td_custody_event *last = ctx;

	td_custody_event_clear(last);
	memset(last, 0, sizeof *last);
	last->id = e->id;
	last->at = e->at ? strdup(e->at) : NULL;
	last->operator_name = e->operator_name ? strdup(e->operator_name) : NULL;
	last->to_custodian = e->to_custodian ? strdup(e->to_custodian) : NULL;
	return 0;
}

int td_ho_last_event(struct td_registry *reg, const char *serial,
                     struct td_custody_event *last, struct td_error *err)
{
	memset(last, 0, sizeof *last);
	return td_reg_each_custody_event(reg, serial, keep_last, last, err);
}

/* The conflict, if the token's newest custody event is not seen. */
static int check(struct td_registry *reg, const char *serial, int64_t seen,
                 struct td_error *err)
{
	struct td_custody_event last;
	int rc = td_ho_last_event(reg, serial, &last, err);

	if (rc == TD_OK && last.id != seen)
		rc = td_error_set_at(err, TD_ERR_CONFLICT, NULL, 0, serial,
		                     "token %s was handed over meanwhile by %s at %s "
		                     "(now with %s); nothing was written", serial,
		                     last.operator_name ? last.operator_name : "?",
		                     last.at ? last.at : "?",
		                     last.to_custodian ? last.to_custodian : "?");
	td_custody_event_clear(&last);
	return rc;
}

int td_ho_check_seen(struct td_registry *reg, const struct td_ho_item *it,
                     struct td_error *err)
{
	return check(reg, it->pub.key, it->pub.custody_seen, err);
}

int td_handover_expect_custody(struct td_handover *h, const char *serial,
                               int64_t seen, struct td_error *err)
{
	int i = td_ho_find(h, serial);

	if (h->kind != TD_HANDOVER_TOKENS)
		return td_error_set(err, TD_ERR_USAGE, "this is a dossier handover");
	if (i >= 0)
		h->items[i].pub.custody_seen = seen;
	return check(h->reg, serial, seen, err);
}
