/* handover.c: building a handover batch and checking each item as it is
 * added, so the operator sees at once why a token is refused.  The
 * writing happens in handover_commit.c. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "tokendesk/handover.h"
#include "tokendesk/registry.h"
#include "tokendesk/text.h"
#include "workflow/handover_internal.h"

struct td_handover *td_handover_new(struct td_registry *reg,
                                    enum td_handover_kind kind,
                                    struct td_error *err)
{
	struct td_handover *h = calloc(1, sizeof *h);

	if (!h) {
		td_error_set(err, TD_ERR_NOMEM, "out of memory");
		return NULL;
	}
	h->reg = reg;
	h->kind = kind;
	return h;
}

static void item_free(struct td_ho_item *it)
{
	struct td_handover_item *p = &it->pub;

	free(p->key);
	free(p->detail);
	free(p->from);
	free(p->from_name);
	free(p->state_before);
	free(p->holders);
	free(p->certs);
	free(p->condition);
	free(p->remarks);
	free(p->proof_detail);
	free(p->path_rule);
	free(it->reg_custodian);
	free(it->carried_condition);
	memset(it, 0, sizeof *it);
}

void td_handover_free(struct td_handover *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->n; i++)
		item_free(&h->items[i]);
	free(h->items);
	free(h->condition);
	free(h->remarks);
	free(h->reason);
	free(h->place);
	free(h->state);
	free(h);
}

enum td_handover_kind td_handover_kind(const struct td_handover *h)
{
	return h->kind;
}

/* Replace *slot by a copy of s (NULL or "" clears).  Free text kept
 * (condition, remarks, place) is at most TD_TYPED_MAX bytes: the record
 * is a page, not a letter, and fixed buffers downstream stay whole. */
int td_ho_set_text(char **slot, const char *s, const char *what,
                   struct td_error *err)
{
	const char *problem;
	char *copy = NULL;

	if (s && strlen(s) > TD_TYPED_MAX)
		return td_error_set(err, TD_ERR_USAGE, "%s: longer than %d bytes",
		                    what ? what : "text", TD_TYPED_MAX);
	if (s && *s && !(copy = td_nfc(s)))
		return td_error_set(err, TD_ERR_DATA, "%s: not valid UTF-8",
		                    what ? what : "text");
	/* typed text goes on the printed record as it is; the place of a
	 * character refused is counted in what was typed */
	if (copy && what && (problem = td_text_problem(s))) {
		free(copy);
		return td_error_set(err, TD_ERR_USAGE, "%s: %s", what, problem);
	}
	free(*slot);
	*slot = copy;
	return TD_OK;
}

/* ---- receiver, giver, batch fields ------------------------------------ */

int td_ho_check_item(const struct td_handover *h, const struct td_ho_item *it,
                     const struct td_custodian *from,
                     const struct td_custodian *to, struct td_error *err)
{
	const char *now = it->reg_custodian;

	if (!now)
		return TD_OK;
	if (to && strcmp(now, to->text) == 0)
		return td_error_set_at(err, TD_ERR_CONFLICT, NULL, 0, it->pub.key,
		                       "%s is already with %s (%s)", it->pub.key,
		                       to->text, to->name);
	if (!from || h->force || strcmp(now, from->text) == 0)
		return TD_OK;
	if (h->kind == TD_HANDOVER_DOSSIERS)
		return td_error_set_at(err, TD_ERR_CONFLICT, NULL, 0, it->pub.key,
		                       "dossier %s is held by %s, not by %s (%s)",
		                       it->pub.key, now, from->text, from->name);
	return td_error_set_at(err, TD_ERR_CONFLICT, NULL, 0, it->pub.key,
	                       "token %s is in the custody of %s, not of %s (%s)",
	                       it->pub.key, now, from->text, from->name);
}

/* Every item against a new receiver or giver: 0, or the first refusal. */
static int check_all(const struct td_handover *h, const struct td_custodian *from,
                     const struct td_custodian *to, struct td_error *err)
{
	int rc;

	for (size_t i = 0; i < h->n; i++)
		if ((rc = td_ho_check_item(h, &h->items[i], from, to, err)) < 0)
			return rc;
	return TD_OK;
}

int td_handover_set_to(struct td_handover *h, const char *custodian,
                       struct td_error *err)
{
	struct td_custodian c;
	int rc;

	if (!custodian) {
		h->have_to = 0;
		for (size_t i = 0; i < h->n; i++)
			td_ho_path_note(h, &h->items[i], NULL, err);
		return TD_OK;
	}
	if ((rc = td_custodian_resolve(h->reg, custodian, &c, err)) < 0)
		return rc;
	if (h->kind == TD_HANDOVER_DOSSIERS && c.kind != TD_CUSTODIAN_AGENCY)
		return td_error_set(err, TD_ERR_USAGE, "dossiers are handed to an "
		                    "agency (agency:CODE), not to %s", c.text);
	if ((rc = check_all(h, NULL, &c, err)) < 0)
		return rc;
	/* the path, for the tokens listed before the receiver was named */
	for (size_t i = 0; i < h->n; i++) {
		struct td_error why;
		if (!h->defer_path &&
		    (rc = td_ho_path_check(h, &c, h->items[i].pub.key,
		                           h->items[i].reg_custodian, &why)) < 0) {
			*err = why;
			return rc;
		}
	}
	for (size_t i = 0; i < h->n; i++)
		if ((rc = td_ho_path_note(h, &h->items[i], &c, err)) < 0)
			return rc;
	h->to = c;
	h->have_to = 1;
	return TD_OK;
}

/* Each token item's giver on the record: the declared one, else its
 * custodian when it was added. */
static int set_givers(struct td_handover *h, struct td_error *err)
{
	for (size_t i = 0; i < h->n; i++) {
		struct td_handover_item *p = &h->items[i].pub;
		char *from = strdup(h->have_from ? h->from.text : h->items[i].reg_custodian);
		char *name = h->have_from ? strdup(h->from.name)
		                          : td_ho_name_of(h->reg, h->items[i].reg_custodian);
		if (!from) {
			free(name);
			return td_error_set(err, TD_ERR_NOMEM, "out of memory");
		}
		free(p->from);
		free(p->from_name);
		p->from = from;
		p->from_name = name;
	}
	return TD_OK;
}

int td_handover_set_from(struct td_handover *h, const char *custodian,
                         struct td_error *err)
{
	struct td_custodian c;
	int rc;

	if (!custodian) {
		h->have_from = 0;
		return set_givers(h, err);
	}
	if ((rc = td_custodian_resolve(h->reg, custodian, &c, err)) < 0)
		return rc;
	if (h->kind == TD_HANDOVER_DOSSIERS && c.kind != TD_CUSTODIAN_AGENCY)
		return td_error_set(err, TD_ERR_USAGE, "dossiers are handed over by an "
		                    "agency (agency:CODE), not by %s", c.text);
	if ((rc = check_all(h, &c, h->have_to ? &h->to : NULL, err)) < 0)
		return rc;
	h->from = c;
	h->have_from = 1;
	return set_givers(h, err);
}

void td_handover_defer_path(struct td_handover *h, int defer)
{
	h->defer_path = defer != 0;
}

void td_handover_set_force(struct td_handover *h, int force)
{
	h->force = force != 0;
}

int td_handover_set_reason(struct td_handover *h, const char *reason,
                           struct td_error *err)
{
	return td_ho_set_text(&h->reason, reason, "reason", err);
}

int td_handover_set_condition(struct td_handover *h, const char *condition,
                              struct td_error *err)
{
	return td_ho_set_text(&h->condition, condition, "condition", err);
}

int td_handover_set_remarks(struct td_handover *h, const char *remarks,
                            struct td_error *err)
{
	return td_ho_set_text(&h->remarks, remarks, "remarks", err);
}

int td_handover_set_place(struct td_handover *h, const char *place,
                          struct td_error *err)
{
	return td_ho_set_text(&h->place, place, "place", err);
}

int td_handover_set_state(struct td_handover *h, const char *state,
                          struct td_error *err)
{
	if (state && !td_token_state_valid(state))
		return td_error_set(err, TD_ERR_USAGE, "unknown token state \"%s\" "
		                    "(in_use, at_agency, at_dost, sent_to_ca, lost, "
		                    "damaged)", state);
	return td_ho_set_text(&h->state, state, NULL, err);
}

/* ---- the list ---------------------------------------------------------- */

size_t td_handover_count(const struct td_handover *h)
{
	return h->n;
}

const struct td_handover_item *td_handover_item_at(const struct td_handover *h,
                                                   size_t i)
{
	return i < h->n ? &h->items[i].pub : NULL;
}

/* Index of the item with key (token serial in any spelling), or -1. */
int td_ho_find(const struct td_handover *h, const char *key)
{
	char canon[256];

	if (h->kind == TD_HANDOVER_TOKENS && td_token_serial(key, canon, sizeof canon) == 0)
		key = canon;
	for (size_t i = 0; i < h->n; i++)
		if (strcmp(h->items[i].pub.key, key) == 0)
			return (int)i;
	return -1;
}

int td_handover_remove(struct td_handover *h, const char *key,
                       struct td_error *err)
{
	int i = td_ho_find(h, key);

	if (i < 0)
		return td_error_set(err, TD_ERR_NOTFOUND, "%s is not in this handover", key);
	item_free(&h->items[i]);
	memmove(&h->items[i], &h->items[i + 1], (h->n - (size_t)i - 1) * sizeof *h->items);
	h->n--;
	return TD_OK;
}

int td_handover_set_item_note(struct td_handover *h, const char *key,
                              const char *condition, const char *remarks,
                              struct td_error *err)
{
	int i = td_ho_find(h, key), rc;

	if (i < 0)
		return td_error_set(err, TD_ERR_NOTFOUND, "%s is not in this handover", key);
	if ((rc = td_ho_set_text(&h->items[i].pub.condition, condition, "condition",
	                         err)) < 0)
		return rc;
	return td_ho_set_text(&h->items[i].pub.remarks, remarks, "remarks", err);
}

int td_handover_set_proof(struct td_handover *h, const char *serial,
                          enum td_proof proof, const char *detail,
                          struct td_error *err)
{
	int i = td_ho_find(h, serial);

	if (i < 0 || h->kind != TD_HANDOVER_TOKENS)
		return td_error_set(err, TD_ERR_NOTFOUND, "token %s is not in this "
		                    "handover", serial);
	h->items[i].pub.proof = proof;
	return td_ho_set_text(&h->items[i].pub.proof_detail, detail, NULL, err);
}

/* A new zeroed slot at the end (not yet counted), or NULL. */
struct td_ho_item *td_ho_slot(struct td_handover *h, struct td_error *err)
{
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 16;
		struct td_ho_item *p = realloc(h->items, cap * sizeof *p);
		if (!p) {
			td_error_set(err, TD_ERR_NOMEM, "out of memory");
			return NULL;
		}
		h->items = p;
		h->cap = cap;
	}
	memset(&h->items[h->n], 0, sizeof h->items[h->n]);
	return &h->items[h->n];
}

/* Commit a filled slot, or free it when rc < 0; returns the index or rc. */
int td_ho_push(struct td_handover *h, struct td_ho_item *it, int rc)
{
	if (rc < 0) {
		item_free(it);
		return rc;
	}
	return (int)h->n++;
}
