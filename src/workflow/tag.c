/* tag.c: tags by hand and batches to DOST (tokendesk/tag.h): the rules
 * the `tag` command and the desk's tag dialog and plan screen share, each
 * write in its own audited transaction. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "registry/txn.h"
#include "tokendesk/registry.h"
#include "tokendesk/tag.h"

static const char *const target_kinds[] = { "cert", "token", "agency" };

/* TD_OK when target (of target_kind) is in the registry. */
static int target_exists(struct td_registry *reg, const char *target_kind,
                         const char *target, struct td_error *err)
{
	struct td_cert c;
	struct td_token t;
	struct td_agency a;
	int rc;

	if (strcmp(target_kind, "cert") == 0) {
		rc = td_reg_get_cert(reg, target, &c, err);
		td_cert_clear(&c);
	} else if (strcmp(target_kind, "token") == 0) {
		rc = td_reg_get_token(reg, target, &t, err);
		td_token_clear(&t);
	} else {
		rc = td_reg_get_agency(reg, target, &a, err);
		td_agency_clear(&a);
	}
	return rc;
}

struct found {
	char *state;
	size_t size;
};

static int take_state(const struct td_tag *t, void *ctx)
{
	struct found *f = ctx;

	snprintf(f->state, f->size, "%s", t->state);
	return 0;
}

int td_tag_state(struct td_registry *reg, const char *target, char *state,
                 size_t size, char *kind, struct td_error *err)
{
	struct found f = { state, size };
	int rc = TD_ERR_NOTFOUND;

	for (size_t i = 0; i < 3 && rc == TD_ERR_NOTFOUND; i++) {
		rc = td_reg_tag_find(reg, target_kinds[i], target, take_state, &f, err);
		if (rc == TD_OK && kind)
			snprintf(kind, 16, "%s", target_kinds[i]);
	}
	return rc;
}

/* The tag's state inside the transaction, so that a tag another desk
 * sent meanwhile is not changed under it. */
static int put_checked(struct td_registry *reg, const struct td_tag *t,
                       int *changed, struct td_error *err)
{
	char state[32] = "";
	struct found f = { state, sizeof state };
	int rc;

	if ((rc = target_exists(reg, t->target_kind, t->target, err)) < 0)
		return rc;
	rc = td_reg_tag_find(reg, t->target_kind, t->target, take_state, &f, err);
	if (rc == TD_OK && strcmp(state, "tagged") != 0)
		/* the state in words (vi.po has the codes): no code
		 * reaches a person's eye */
		return td_error_set(err, TD_ERR_CONFLICT, "%s is already %s; its tag "
		                    "cannot change now", t->target,
		                    td_error_translate(state));
	if (rc < 0 && rc != TD_ERR_NOTFOUND)
		return rc;
	return td_reg_tag_put(reg, t, changed, err);
}

int td_tag_put(struct td_registry *reg, const struct td_tag *t, int *changed,
               struct td_error *err)
{
	int rc;

	*changed = 0;
	if ((rc = td_reg_begin(reg, err)) == TD_OK)
		rc = td_reg_end(reg, put_checked(reg, t, changed, err), err);
	return rc;
}

static int remove_checked(struct td_registry *reg, const char *target,
                          struct td_error *err)
{
	char state[32] = "", kind[16] = "";
	int rc;

	if ((rc = td_tag_state(reg, target, state, sizeof state, kind, err)) < 0)
		return rc;
	if (strcmp(state, "tagged") != 0)
		return td_error_set(err, TD_ERR_CONFLICT, "%s is already %s", target,
		                    td_error_translate(state));
	return td_reg_tag_delete(reg, kind, target, err);
}

int td_tag_remove(struct td_registry *reg, const char *target,
                  struct td_error *err)
{
	int rc;

	if ((rc = td_reg_begin(reg, err)) == TD_OK)
		rc = td_reg_end(reg, remove_checked(reg, target, err), err);
	return rc;
}

static int confirm_found(struct td_registry *reg, const char *target,
                         struct td_error *err)
{
	char state[32] = "", kind[16] = "";
	int rc;

	if ((rc = td_tag_state(reg, target, state, sizeof state, kind, err)) < 0)
		return rc;
	return td_reg_tag_confirm(reg, kind, target, err);
}

int td_tag_confirm(struct td_registry *reg, const char *target,
                   struct td_error *err)
{
	int rc;

	if ((rc = td_reg_begin(reg, err)) == TD_OK)
		rc = td_reg_end(reg, confirm_found(reg, target, err), err);
	return rc;
}

int td_tag_send(struct td_registry *reg, int64_t *batch, long *count,
                struct td_error *err)
{
	int rc;

	*batch = 0;
	*count = 0;
	if ((rc = td_reg_begin(reg, err)) == TD_OK)
		rc = td_reg_end(reg, td_reg_tag_send(reg, batch, count, err), err);
	return rc;
}
