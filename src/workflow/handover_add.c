/* handover_add.c: adding a token or a dossier to a batch, with the checks
 * that make a handover provable later: the item exists, is not listed
 * twice, is not already with the receiver, and is handed over by whoever
 * the registry says holds it (letter 2.1, 2.2, 3.1). */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokendesk/handover.h"
#include "tokendesk/registry.h"
#include "tokendesk/text.h"
#include "workflow/handover_internal.h"

#define N_(s) s   /* xgettext keyword: translated where shown */

/* "a; b" lists, without repeats. */
struct joined {
	char *s;
	int oom;
};

static void join_add(struct joined *j, const char *v)
{
	size_t old, add;
	char *p;

	if (!v || !*v)
		return;
	if (j->s) {
		/* skip a repeat: match v as a whole "; "-separated element */
		for (p = strstr(j->s, v); p; p = strstr(p + 1, v)) {
			size_t n = strlen(v);
			if ((p == j->s || (p >= j->s + 2 && p[-2] == ';')) &&
			    (p[n] == '\0' || p[n] == ';'))
				return;
		}
	}
	old = j->s ? strlen(j->s) : 0;
	add = strlen(v) + (old ? 2 : 0);
	if (!(p = realloc(j->s, old + add + 1))) {
		j->oom = 1;
		return;
	}
	snprintf(p + old, add + 1, "%s%s", old ? "; " : "", v);
	j->s = p;
}

struct token_certs {
	struct joined holders, certs;
};

static int collect_cert(const struct td_cert *c, void *ctx)
{
	struct token_certs *tc = ctx;

	join_add(&tc->holders, c->holder_name);
	join_add(&tc->certs, c->serial);
	return 0;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* The name the record shows for a custodian text, or NULL. */
char *td_ho_name_of(struct td_registry *reg, const char *custodian)
{
	struct td_custodian c;

	if (td_custodian_resolve(reg, custodian, &c, NULL) < 0)
		return NULL;
	return strdup(c.name);
}

static int refuse_token_checks(struct td_handover *h, const struct td_token *t,
                               struct td_error *err)
{
	if (td_ho_find(h, t->serial) >= 0)
		return td_error_set_at(err, TD_ERR_CONFLICT, NULL, 0, t->serial,
		                       "token %s is already in this handover", t->serial);
	if (h->have_to && strcmp(t->custodian, h->to.text) == 0)
		return td_error_set_at(err, TD_ERR_CONFLICT, NULL, 0, t->serial,
		                       "token %s is already with %s (%s)", t->serial,
		                       h->to.text, h->to.name);
	if (h->have_from && !h->force && strcmp(t->custodian, h->from.text) != 0)
		return td_error_set_at(err, TD_ERR_CONFLICT, NULL, 0, t->serial,
		                       "token %s is in the custody of %s%s%s%s, not of "
		                       "%s (%s)", t->serial, t->custodian,
		                       t->custodian_name ? " (" : "",
		                       t->custodian_name ? t->custodian_name : "",
		                       t->custodian_name ? ")" : "",
		                       h->from.text, h->from.name);
	return TD_OK;
}

/* ---- the path of letter 2.1/2.2 ------------------------------------------ */

/* The active certificates on a token: whose they are. */
struct active_certs {
	int n;
	char holder[TD_CUSTODIAN_MAX];   /* the first one's holder id */
	int several_holders;
};

static int collect_active(const struct td_cert *c, void *ctx)
{
	struct active_certs *a = ctx;

	if (!c->status || strcmp(c->status, "active") != 0 || !c->holder_ext_id)
		return 0;
	if (a->n++ == 0)
		snprintf(a->holder, sizeof a->holder, "%s", c->holder_ext_id);
	else if (strcmp(a->holder, c->holder_ext_id) != 0)
		a->several_holders = 1;
	return 0;
}

/* 1 when giver -> receiver follows official -> managing agency -> DOST
 * -> CA, or is one of the steps inside it: agency -> agency (a merged
 * agency hands to the new one, letter 3.1) and agency -> holder (a token
 * given to its holder; the person rule below still applies). */
static int step_on_path(enum td_custodian_kind from, enum td_custodian_kind to)
{
	switch (from) {
	case TD_CUSTODIAN_HOLDER:
		return to == TD_CUSTODIAN_AGENCY || to == TD_CUSTODIAN_HOLDER;
	case TD_CUSTODIAN_AGENCY:
		return to == TD_CUSTODIAN_AGENCY || to == TD_CUSTODIAN_DOST ||
		       to == TD_CUSTODIAN_HOLDER;
	case TD_CUSTODIAN_DOST:
		return to == TD_CUSTODIAN_CA;
	case TD_CUSTODIAN_CA:
		return 0;
	}
	return 0;
}

static const char *kind_word(enum td_custodian_kind k)
{
	switch (k) {
	case TD_CUSTODIAN_HOLDER: return N_("an official");
	case TD_CUSTODIAN_AGENCY: return N_("an agency");
	case TD_CUSTODIAN_DOST: return N_("the provincial DOST");
	case TD_CUSTODIAN_CA: return N_("the CA");
	}
	return "";
}

/* TD_ERR_DATA with the rule in words when handing the token serial,
 * now with custodian, to *to leaves the path (forced with a reason, or
 * a custodian the registry spells otherwise: 0). */
int td_ho_path_check(const struct td_handover *h, const struct td_custodian *to,
                     const char *serial, const char *custodian,
                     struct td_error *err)
{
	struct td_custodian from;
	struct active_certs a = { 0 };
	struct td_error ignored;
	int rc;

	if (h->kind != TD_HANDOVER_TOKENS || (h->force && h->reason && *h->reason))
		return TD_OK;
	if (h->have_from)
		from = h->from;
	else if (td_custodian_parse(custodian, &from, &ignored) < 0)
		return TD_OK;
	if (!step_on_path(from.kind, to->kind))
		return td_error_set_at(err, TD_ERR_DATA, NULL, 0, serial,
		                       "token %s: a handover from %s (%s) to %s (%s) "
		                       "leaves the path official -> managing agency -> "
		                       "provincial DOST -> CA (letter 2.1, 2.2); "
		                       "--force --reason TEXT to record it anyway",
		                       serial, td_error_translate(kind_word(from.kind)),
		                       from.text, td_error_translate(kind_word(to->kind)),
		                       to->text);
	if (to->kind != TD_CUSTODIAN_HOLDER)
		return TD_OK;
	if ((rc = td_reg_each_cert_on_token(h->reg, serial, collect_active, &a,
	                                    err)) < 0)
		return rc;
	if (a.n && (a.several_holders || strcmp(a.holder, to->key) != 0))
		return td_error_set_at(err, TD_ERR_DATA, NULL, 0, serial,
		                       "token %s holds an active certificate of holder "
		                       "%s: it is handed to its holder only, not to %s "
		                       "(--force --reason TEXT to record it anyway)",
		                       serial, a.holder, to->text);
	return TD_OK;
}

int td_ho_path_note(struct td_handover *h, struct td_ho_item *it,
                    const struct td_custodian *to, struct td_error *err)
{
	struct td_error why;
	int rc;

	free(it->pub.path_rule);
	it->pub.path_rule = NULL;
	if (!to)
		return TD_OK;
	rc = td_ho_path_check(h, to, it->pub.key, it->reg_custodian, &why);
	if (rc == TD_ERR_DATA) {
		if (!(it->pub.path_rule = strdup(why.message)))
			return td_error_set(err, TD_ERR_NOMEM, "out of memory");
		return TD_OK;
	}
	if (rc < 0)
		*err = why;
	return rc;
}

static int refuse_path(struct td_handover *h, const struct td_token *t,
                       struct td_error *err)
{
	if (!h->have_to || h->defer_path)
		return TD_OK;
	return td_ho_path_check(h, &h->to, t->serial, t->custodian, err);
}

/* The newest condition recorded for a token ("bị hỏng"...). */
static int last_condition(const struct td_custody_event *e, void *ctx)
{
	char **cond = ctx;

	if (e->condition && *e->condition) {
		free(*cond);
		*cond = strdup(e->condition);
	}
	return 0;
}

static int fill_token_item(struct td_handover *h, const struct td_token *t,
                           struct td_ho_item *it, struct td_error *err)
{
	struct td_handover_item *p = &it->pub;
	struct token_certs tc = { { 0 }, { 0 } };
	int rc;

	rc = td_reg_each_cert_on_token(h->reg, t->serial, collect_cert, &tc, err);
	p->holders = tc.holders.s;
	p->certs = tc.certs.s;
	if (rc < 0)
		return rc;
	if ((rc = td_reg_each_custody_event(h->reg, t->serial, last_condition,
	                                    &it->carried_condition, err)) < 0)
		return rc;
	p->key = strdup(t->serial);
	p->detail = dup_or_null(t->model);
	p->state_before = strdup(t->state);
	it->reg_custodian = strdup(t->custodian);
	/* The giver is who physically hands it over: the declared one. */
	if (h->have_from) {
		p->from = strdup(h->from.text);
		p->from_name = strdup(h->from.name);
	} else {
		p->from = strdup(t->custodian);
		p->from_name = dup_or_null(t->custodian_name ? t->custodian_name :
		                           NULL);
		if (!p->from_name)
			p->from_name = td_ho_name_of(h->reg, t->custodian);
	}
	if (tc.holders.oom || tc.certs.oom || !p->key || !p->state_before ||
	    !it->reg_custodian || !p->from)
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	return TD_OK;
}

/* The custody the operator sees now: the token's newest event. */
static int seen_now(struct td_handover *h, struct td_ho_item *it,
                    struct td_error *err)
{
	struct td_custody_event last;
	int rc = td_ho_last_event(h->reg, it->pub.key, &last, err);

	it->pub.custody_seen = last.id;
	td_custody_event_clear(&last);
	return rc;
}

int td_handover_add_token(struct td_handover *h, const char *serial,
                          struct td_error *err)
{
	struct td_token t;
	struct td_ho_item *it;
	int rc;

	if (h->kind != TD_HANDOVER_TOKENS)
		return td_error_set(err, TD_ERR_USAGE, "this is a dossier handover");
	/* the receiver and the giver may come later: td_handover_set_to
	 * and set_from check the items then, and commit again */
	rc = td_reg_get_token(h->reg, serial, &t, err);
	if (rc == TD_ERR_NOTFOUND)
		return td_error_set_at(err, rc, NULL, 0, serial,
		                       "no token %s in the registry", serial);
	if (rc < 0)
		return rc;
	if ((rc = refuse_token_checks(h, &t, err)) < 0 ||
	    (rc = refuse_path(h, &t, err)) < 0 || !(it = td_ho_slot(h, err))) {
		td_token_clear(&t);
		return rc < 0 ? rc : TD_ERR_NOMEM;
	}
	rc = fill_token_item(h, &t, it, err);
	td_token_clear(&t);
	if (rc == TD_OK)
		rc = seen_now(h, it, err);
	if (rc == TD_OK && h->have_to)
		rc = td_ho_path_note(h, it, &h->to, err);
	return td_ho_push(h, it, rc);
}

/* ---- dossiers ------------------------------------------------------------ */

static int fill_dossier_item(const struct td_dossier *d, struct td_ho_item *it,
                             struct td_error *err)
{
	struct td_handover_item *p = &it->pub;
	char from[TD_CUSTODIAN_MAX];

	snprintf(from, sizeof from, "agency:%s", d->agency_code);
	p->key = strdup(d->ref);
	p->detail = strdup(d->kind);
	p->from = strdup(from);
	p->from_name = dup_or_null(d->agency_name);
	p->state_before = strdup(d->status);
	p->holders = dup_or_null(d->holder_name);
	p->remarks = dup_or_null(d->remarks);   /* the dossier's own note */
	it->reg_custodian = strdup(from);
	if (!p->key || !p->detail || !p->from || !p->state_before || !it->reg_custodian)
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	return TD_OK;
}

int td_handover_add_dossier(struct td_handover *h, const char *ref,
                            struct td_error *err)
{
	struct td_dossier d;
	struct td_ho_item *it;
	int rc;

	if (h->kind != TD_HANDOVER_DOSSIERS)
		return td_error_set(err, TD_ERR_USAGE, "this is a token handover");
	/* the giving and receiving agencies may come later: set_from and
	 * set_to check the items then, and commit again */
	rc = td_reg_get_dossier(h->reg, ref, &d, err);
	if (rc == TD_ERR_NOTFOUND)
		return td_error_set_at(err, rc, NULL, 0, ref,
		                       "no dossier %s in the registry", ref);
	if (rc < 0)
		return rc;
	if (td_ho_find(h, d.ref) >= 0)
		rc = td_error_set_at(err, TD_ERR_CONFLICT, NULL, 0, ref,
		                     "dossier %s is already in this handover", ref);
	else if (h->have_to && strcmp(d.agency_code, h->to.key) == 0)
		rc = td_error_set_at(err, TD_ERR_CONFLICT, NULL, 0, ref,
		                     "dossier %s is already with agency %s", ref, h->to.key);
	else if (h->have_from && !h->force && strcmp(d.agency_code, h->from.key) != 0)
		rc = td_error_set_at(err, TD_ERR_CONFLICT, NULL, 0, ref,
		                     "dossier %s is held by agency %s (%s), not by %s",
		                     ref, d.agency_code, d.agency_name, h->from.key);
	if (rc < 0 || !(it = td_ho_slot(h, err))) {
		td_dossier_clear(&d);
		return rc < 0 ? rc : TD_ERR_NOMEM;
	}
	rc = fill_dossier_item(&d, it, err);
	td_dossier_clear(&d);
	return td_ho_push(h, it, rc);
}
