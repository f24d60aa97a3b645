/* plan_actions.c: the action plan: what the letter's rules demand of every
 * certificate, token and dossier once the stored plan has taken effect.
 *
 * One pass over the active certificates: personal certificates are
 * decided on the spot (they need only the tree after the plan);
 * organisation certificates are kept (there is about one per agency) and
 * walked through the merge events in date order, since which of them
 * survives a merge depends on the earlier merges. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokendesk/orgtree.h"
#include "tokendesk/plan.h"
#include "tokendesk/registry.h"
#include "tokendesk/strmap.h"
#include "tokendesk/text.h"
#include "workflow/plan_internal.h"

struct ocert {
	const char *serial, *holder_name, *agency_code, *subject_dn, *not_after;
	const char *token_serial;
	const struct pevent *via;      /* merge_new that gave it the new name */
	const struct pevent *kept_by;  /* merge_keep/merge_province that kept it */
	struct ocert *next;
};

struct compute {
	struct plan_model m;
	struct td_strmap *picks;      /* target code -> cert serial */
	struct td_strmap *collected;  /* token serials already collected */
	td_plan_action_fn fn;
	void *ctx;
	struct td_plan_summary sum;
	char today[11];
	int stop;                     /* fn's non-zero value */
};

static void emit(struct compute *c, const struct td_plan_action *a)
{
	if (c->stop)
		return;
	if (strcmp(a->action, "change_info") == 0)
		c->sum.change_info++;
	else if (strcmp(a->action, "revoke") == 0)
		c->sum.revoke++;
	else if (strcmp(a->action, "keep") == 0)
		c->sum.keep++;
	else if (strcmp(a->action, "collect") == 0)
		c->sum.collect++;
	else
		c->sum.handover_dossiers++;
	c->stop = c->fn(a, c->ctx);
}

/* A revocation, then the collection of its token (once per token). */
static void emit_revoke(struct compute *c, struct td_plan_action *a,
                        const char *to_agency)
{
	emit(c, a);
	if (!a->token_serial || td_strmap_get(c->collected, a->token_serial))
		return;
	const char *key = td_arena_strdup(c->m.arena, a->token_serial);
	if (!key || td_strmap_put(c->collected, key, (void *)key) < 0) {
		c->stop = TD_ERR_NOMEM;
		return;
	}
	char reason[512];
	snprintf(reason, sizeof reason, "certificate %s is revoked: its token goes to "
	         "%s, then to DOST and the CA (letter 2.1, 2.2)", a->cert_serial,
	         to_agency ? to_agency : "the managing agency");
	struct td_plan_action t = {
		.action = "collect", .rule = "collect_token", .reason = reason,
		.cert_serial = a->cert_serial, .cert_kind = a->cert_kind,
		.holder_name = a->holder_name, .agency_code = a->agency_code,
		.token_serial = a->token_serial, .to_agency = to_agency,
		.effective_date = a->effective_date,
	};
	emit(c, &t);
}

static const char *cause_rule(const struct pevent *ev)
{
	if (!ev)
		return "superior_change";
	if (ev->kind == EV_RENAME)
		return "rename";
	if (ev->kind == EV_MERGE_PROVINCE)
		return "merge_province";
	return "superior_change";
}

static void describe(char *buf, size_t size, const struct pevent *ev)
{
	if (!ev)
		snprintf(buf, size, "a change of its superiors");
	else
		snprintf(buf, size, "%s of %s%s on %s (plan line %ld)",
		         td_plan_event_names[ev->kind], ev->src[0],
		         ev->nsrc > 1 ? " and others" : "", ev->date, ev->line);
}

/* ---- personal certificates ------------------------------------------------ */

/* The DN of official `name` in agency h after the plan, from h's DN
 * prefix (td_org_tree_dn with an empty CN, computed once per agency):
 * a million certificates share a few thousand prefixes.  *same says
 * whether it equals stored; only when it differs is the full DN built
 * (*out, malloc'ed). */
static int person_dn(struct compute *c, struct pnode *h, const char *name,
                     const char *stored, int *same, char **out)
{
	size_t n = strlen(name);
	const char *esc = name;
	char *heap = NULL;

	*out = NULL;
	if (!h->person_prefix) {
		char *p = td_org_tree_dn(c->m.final, h->code, "person", "");
		h->person_prefix = p ? td_arena_strdup(c->m.arena, p) : NULL;
		free(p);
		if (!h->person_prefix)
			return TD_ERR_NOMEM;
		h->prefix_len = strlen(h->person_prefix);
	}
	/* only names with characters RFC 4514 escapes need td_dn_escape */
	if (strpbrk(name, ",+\"\\<>;=") || name[0] == '#' || name[0] == ' ' ||
	    (n && name[n - 1] == ' '))
		if (!(esc = heap = td_dn_escape(name)))
			return TD_ERR_NOMEM;
	*same = strncmp(stored, h->person_prefix, h->prefix_len) == 0 &&
	        strcmp(stored + h->prefix_len, esc) == 0;
	if (!*same) {
		size_t len = h->prefix_len + strlen(esc) + 1;
		if ((*out = malloc(len)))
			snprintf(*out, len, "%s%s", h->person_prefix, esc);
	}
	free(heap);
	return *same || *out ? TD_OK : TD_ERR_NOMEM;
}

/* 1 when DNs a and b differ only in their CN (the last RDN in the
 * government CA's layout): the holder's name changed, nothing else. */
static int only_cn_differs(const char *a, const char *b)
{
	const char *ca = a ? strstr(a, "CN=") : NULL, *cb = b ? strstr(b, "CN=") : NULL;

	while (ca && strstr(ca + 3, "CN="))
		ca = strstr(ca + 3, "CN=");
	while (cb && strstr(cb + 3, "CN="))
		cb = strstr(cb + 3, "CN=");
	return ca && cb && ca - a == cb - b && strncmp(a, b, (size_t)(ca - a)) == 0 &&
	       strcmp(ca, cb) != 0;
}

static void person_cert(struct compute *c, const struct td_cert_brief *b)
{
	struct pnode *a = model_get_id(&c->m, b->agency_id, b->agency_code), *h;
	struct td_plan_action act = {
		.cert_serial = b->serial, .cert_kind = b->kind,
		.holder_name = b->holder_name, .agency_code = b->agency_code,
		.old_dn = b->subject_dn, .token_serial = b->token_serial,
	};
	char reason[768], what[256];
	char *dn = NULL;
	int same;

	if (!a)
		return;
	h = model_holders(&c->m, a);
	if (!h) {   /* the agency ceased and nobody took its officials */
		const struct pevent *ev = a->removed_by;
		struct pnode *to = model_recipient(&c->m, a);
		describe(what, sizeof what, ev);
		snprintf(reason, sizeof reason, "%s ceases (%s): the certificate of its "
		         "official can neither stay nor change (letter 1.2)",
		         a->code, what);
		act.action = "revoke";
		act.rule = "official_agency_ceased";
		act.reason = reason;
		act.effective_date = ev ? ev->date : NULL;
		emit_revoke(c, &act, to ? to->code : NULL);
		return;
	}
	if (person_dn(c, h, b->holder_name, b->subject_dn, &same, &dn) < 0) {
		c->stop = TD_ERR_NOMEM;
		return;
	}
	if (h != a || !same) {
		const struct pevent *ev = h != a ? a->removed_by : model_cause(&c->m, h);
		describe(what, sizeof what, ev);
		act.effective_date = ev ? ev->date : NULL;
		if (b->no_longer_needed) {
			snprintf(reason, sizeof reason, "official marked as no longer "
			         "needing a certificate, in an agency changed by %s "
			         "(letter 1.2, 2.2)", what);
			act.action = "revoke";
			act.rule = "official_no_longer_needed";
			act.reason = reason;
			emit_revoke(c, &act, h->code);
		} else if (!same && !ev && h == a && only_cn_differs(b->subject_dn, dn)) {
			/* no event of the plan: the list renamed the official */
			snprintf(reason, sizeof reason, "the official's name in the "
			         "registry (%s) is not the one the issued certificate "
			         "names: its information must change (letter 1.2)",
			         b->holder_name ? b->holder_name : "?");
			act.action = "change_info";
			act.rule = "holder_renamed";
			act.reason = reason;
			act.new_dn = dn;
			emit(c, &act);
		} else if (!same && !ev && h == a) {
			/* no event of the plan: an updated list moved the official,
			 * or renamed or moved the agency or a superior */
			snprintf(reason, sizeof reason, "the official works in %s (%s), "
			         "which the issued certificate names otherwise (the "
			         "official moved, or the agency or a superior was renamed "
			         "or moved in an updated list): its information must "
			         "change (letter 1.2)", h->code, h->name);
			act.action = "change_info";
			act.rule = "transfer";
			act.reason = reason;
			act.new_dn = dn;
			emit(c, &act);
		} else if (!same) {
			snprintf(reason, sizeof reason, "the official's DN changes after %s "
			         "(letter 1.2)", what);
			act.action = "change_info";
			act.rule = "official_info_change";
			act.reason = reason;
			act.new_dn = dn;
			emit(c, &act);
		}
	}
	free(dn);
}

/* ---- organisation certificates ------------------------------------------ */

static int each_cert(const struct td_cert_brief *b, void *ctx)
{
	struct compute *c = ctx;
	struct td_arena *ar = c->m.arena;

	if (strcmp(b->not_after, c->today) < 0)   /* expired: nothing to do */
		return 0;
	c->sum.certificates++;
	if (strcmp(b->kind, "org") != 0) {
		person_cert(c, b);
		return c->stop;
	}
	struct pnode *n = model_get_id(&c->m, b->agency_id, b->agency_code);
	struct ocert *o = td_arena_alloc(ar, sizeof *o);
	if (!n)
		return 0;
	if (!o || !(o->serial = td_arena_strdup(ar, b->serial)) ||
	    !(o->holder_name = td_arena_strdup(ar, b->holder_name)) ||
	    !(o->agency_code = n->code) ||
	    !(o->subject_dn = td_arena_strdup(ar, b->subject_dn)) ||
	    !(o->not_after = td_arena_strdup(ar, b->not_after)) ||
	    (b->token_serial && !(o->token_serial = td_arena_strdup(ar, b->token_serial))))
		return TD_ERR_NOMEM;
	/* Keep registry order: append. */
	struct ocert **tail = &n->certs;
	while (*tail)
		tail = &(*tail)->next;
	*tail = o;
	return 0;
}

static void org_action(struct compute *c, struct ocert *o, const char *action,
                       const char *rule, const char *reason, const char *new_dn,
                       const struct pevent *ev, const char *to)
{
	struct td_plan_action a = {
		.action = action, .rule = rule, .reason = reason,
		.cert_serial = o->serial, .cert_kind = "org",
		.holder_name = o->holder_name, .agency_code = o->agency_code,
		.old_dn = o->subject_dn, .new_dn = new_dn,
		.token_serial = o->token_serial, .effective_date = ev ? ev->date : NULL,
	};
	if (strcmp(action, "revoke") == 0)
		emit_revoke(c, &a, to);
	else
		emit(c, &a);
}

/* Revoke every certificate standing for node n, which ev ends. */
static void revoke_all(struct compute *c, struct pnode *n, const struct pevent *ev,
                       const char *why)
{
	struct pnode *to = model_recipient(&c->m, n);
	char reason[768];

	for (struct ocert *o = n->certs; o; o = o->next) {
		snprintf(reason, sizeof reason, "%s %s on %s (plan line %ld): %s",
		         n->code, why, ev->date, ev->line,
		         ev->kind == EV_MERGE_NEW ? "another certificate of the merged "
		         "agencies gets the info change (letter 1.1)"
		         : "its organisation certificate is no longer used (letter 1.1)");
		org_action(c, o, "revoke", td_plan_event_names[ev->kind], reason, NULL, ev,
		           to ? to->code : NULL);
	}
	n->certs = NULL;
}

/* merge_new: exactly one certificate of the merged agencies moves on. */
static void merge_new_certs(struct compute *c, const struct pevent *ev)
{
	struct pnode *tgt = model_get(&c->m, ev->target);
	const char *pick = td_strmap_get(c->picks, ev->target);
	struct ocert *best = NULL;
	int picked = 0;

	for (size_t i = 0; i < ev->nsrc; i++)
		for (struct ocert *o = model_get(&c->m, ev->src[i])->certs; o; o = o->next) {
			if (pick && strcmp(pick, o->serial) == 0) {
				best = o;
				picked = 1;
			}
			if (picked)
				continue;
			/* the one valid longest; ties by serial, to be repeatable */
			if (!best || strcmp(o->not_after, best->not_after) > 0 ||
			    (strcmp(o->not_after, best->not_after) == 0 &&
			     strcmp(o->serial, best->serial) < 0))
				best = o;
		}
	for (size_t i = 0; i < ev->nsrc; i++) {
		struct pnode *s = model_get(&c->m, ev->src[i]);
		struct ocert *keep = NULL, **pp = &s->certs;
		for (; *pp; pp = &(*pp)->next)   /* take best out of its list */
			if (*pp == best) {
				keep = best;
				*pp = best->next;
				break;
			}
		revoke_all(c, s, ev, "merges into a new agency");
		if (keep) {
			keep->via = ev;
			keep->next = tgt->certs;
			tgt->certs = keep;
		}
	}
}

static void org_merge_events(struct compute *c, const char *as_of)
{
	for (size_t i = 0; i < c->m.nevents && !c->stop; i++) {
		const struct pevent *ev = &c->m.events[i];
		if (ev->bad || (as_of && strcmp(ev->date, as_of) > 0))
			continue;
		if (ev->kind == EV_MERGE_NEW) {
			merge_new_certs(c, ev);
			continue;
		}
		for (size_t k = 0; k < ev->nsrc; k++) {
			struct pnode *s = model_get(&c->m, ev->src[k]);
			if (ev->kind == EV_ABOLISH)
				revoke_all(c, s, ev, "is abolished");
			else if (ev->kind == EV_DISSOLVE)
				revoke_all(c, s, ev, "is dissolved");
			else if ((ev->kind == EV_MERGE_KEEP || ev->kind == EV_MERGE_PROVINCE) &&
			         strcmp(s->code, ev->target) != 0)
				revoke_all(c, s, ev, ev->kind == EV_MERGE_KEEP
				           ? "merges into an agency that keeps its name"
				           : "merges into another province");
		}
		if (ev->kind == EV_MERGE_KEEP || ev->kind == EV_MERGE_PROVINCE)
			for (struct ocert *o = model_get(&c->m, ev->target)->certs; o; o = o->next)
				if (!o->via)
					o->kept_by = ev;
	}
}

/* The certificates standing for a living agency after every event. */
static void org_final(struct compute *c, struct pnode *n)
{
	char reason[768], what[256];

	for (struct ocert *o = n->certs; o && !c->stop; o = o->next) {
		/* CN: the new name when it changed, else what the CA wrote */
		const char *cn = n->is_new || strcmp(n->name, n->orig_name) != 0
		                 ? n->name : o->holder_name;
		char *dn = td_org_tree_dn(c->m.final, n->code, "org", cn);
		int differs;
		if (!dn) {
			c->stop = TD_ERR_NOMEM;
			return;
		}
		differs = strcmp(dn, o->subject_dn) != 0;
		if (o->via) {
			snprintf(reason, sizeof reason, "%s merges with the others into new agency %s \"%s\" "
			         "on %s (plan line %ld): this certificate takes the new name "
			         "(letter 1.1)", o->agency_code, n->code, n->name,
			         o->via->date, o->via->line);
			org_action(c, o, "change_info", "merge_new", reason, dn, o->via, NULL);
		} else if (o->kept_by) {
			snprintf(reason, sizeof reason, "%s keeps its name in the merge on %s "
			         "(plan line %ld): its certificate stays in use%s (letter 1.1)",
			         n->code, o->kept_by->date, o->kept_by->line,
			         differs ? ", with an info change as its DN changes" : "");
			org_action(c, o, differs ? "change_info" : "keep",
			           td_plan_event_names[o->kept_by->kind], reason, dn,
			           o->kept_by, NULL);
		} else if (differs) {
			const struct pevent *ev = model_cause(&c->m, n);
			describe(what, sizeof what, ev);
			snprintf(reason, sizeof reason, "the DN of %s changes after %s "
			         "(letter 1.1)", n->code, what);
			org_action(c, o, "change_info", cause_rule(ev), reason, dn, ev, NULL);
		}
		free(dn);
	}
}

/* ---- dossiers -------------------------------------------------------------- */

static void dossiers(struct compute *c)
{
	char reason[512], what[256];

	for (size_t i = 0; i < c->m.nnodes && !c->stop; i++) {
		struct pnode *n = c->m.list[i], *to;
		if (n->alive || !n->removed_by || !(to = model_recipient(&c->m, n)))
			continue;
		describe(what, sizeof what, n->removed_by);
		snprintf(reason, sizeof reason, "%s ends (%s): its request dossiers go "
		         "to %s (letter 3.1, 3.2)", n->code, what, to->code);
		struct td_plan_action a = {
			.action = "handover_dossiers", .rule = "dossier_handover",
			.reason = reason, .agency_code = n->code, .to_agency = to->code,
			.effective_date = n->removed_by->date,
		};
		emit(c, &a);
	}
}

/* ---- the whole computation -------------------------------------------------- */

static int add_pick(const char *target, const char *serial, void *ctx)
{
	struct compute *c = ctx;
	const char *t = td_arena_strdup(c->m.arena, target);
	char *s = td_arena_strdup(c->m.arena, serial);

	return t && s && td_strmap_put(c->picks, t, s) == 0 ? 0 : TD_ERR_NOMEM;
}

static int add_row(const struct td_plan_row *r, void *ctx)
{
	return model_add_event(ctx, r);
}

/* Load and run the stored plan into c->m; TD_ERR_DATA when it no longer
 * fits the registry. */
static int prepare(struct compute *c, struct td_registry *reg, const char *as_of,
                   struct td_error_list *errs, struct td_error *err)
{
	int rc;

	if (model_init(&c->m, "plan", errs) < 0 ||
	    !(c->picks = td_strmap_new(64)) || !(c->collected = td_strmap_new(4096)))
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	if ((rc = model_load_agencies(&c->m, reg, err)) < 0)
		return rc;
	rc = td_reg_each_plan_row(reg, add_row, &c->m, err);
	if (rc == TD_OK)
		rc = td_reg_each_plan_pick(reg, add_pick, c, err);
	if (rc == TD_OK)
		rc = model_run(&c->m, as_of);
	if (rc > 0 || rc == TD_ERR_NOMEM)
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	if (rc < 0)
		return rc;
	if (errs->total > 0) {
		*err = errs->items[0];
		return td_error_set(err, TD_ERR_DATA, "the stored plan no longer fits "
		                    "the registry: %s (line %ld); import a corrected plan",
		                    errs->items[0].message, errs->items[0].line);
	}
	return TD_OK;
}

int plan_each_new_agency(struct td_registry *reg, const struct td_plan_opts *opts,
                         plan_new_agency_fn fn, void *ctx, struct td_error *err)
{
	struct compute c = { 0 };
	struct td_error_list errs;
	int rc;

	td_error_list_init(&errs, 10);
	rc = prepare(&c, reg, opts ? opts->as_of : NULL, &errs, err);
	/* list order is creation order: a new superior comes before its units */
	for (size_t i = 0; rc == TD_OK && i < c.m.nnodes; i++) {
		struct pnode *n = c.m.list[i], *p;
		if (!n->is_new || n->id != 0 || !n->alive || !n->created_by)
			continue;
		p = model_parent(&c.m, n);
		rc = fn(n->code, n->name, p ? p->code : NULL, n->level,
		        n->created_by->date, ctx);
	}
	td_strmap_free(c.picks);
	td_strmap_free(c.collected);
	model_free(&c.m);
	td_error_list_free(&errs);
	return rc;
}

int plan_each_ended_agency(struct td_registry *reg, const struct td_plan_opts *opts,
                           plan_moved_agency_fn moved, plan_ended_agency_fn fn,
                           void *ctx, struct td_error *err)
{
	struct compute c = { 0 };
	struct td_error_list errs;
	int rc;

	td_error_list_init(&errs, 10);
	rc = prepare(&c, reg, opts ? opts->as_of : NULL, &errs, err);
	/* the units first, then the superiors they leave (one model).  Not
	 * the departments of a province merged away: the letters to the CA
	 * name them by the province their certificates were issued in (two
	 * Sở Tài chính told apart), and their own events merge them. */
	for (size_t i = 0; rc == TD_OK && i < c.m.nnodes; i++) {
		struct pnode *n = c.m.list[i], *was, *now;
		/* moved by an earlier apply: where the plan puts it now (back,
		 * when a corrected plan keeps its old superior) */
		if (n->plan_to && n->alive && (now = model_parent(&c.m, n)) &&
		    strcmp(now->code, n->plan_to) != 0) {
			rc = moved(n->code, now->code, ctx);
			continue;
		}
		if (n->plan_to)
			continue;
		if (n->id == 0 || !n->alive || !n->orig_parent ||
		    !(was = model_get(&c.m, n->orig_parent)) || was->id == 0 ||
		    was->alive || (was->removed_by &&
		                   was->removed_by->kind == EV_MERGE_PROVINCE) ||
		    !(now = model_parent(&c.m, n)) || strcmp(now->code, was->code) == 0)
			continue;
		rc = moved(n->code, now->code, ctx);
	}
	for (size_t i = 0; rc == TD_OK && i < c.m.nnodes; i++) {
		struct pnode *n = c.m.list[i];
		if (n->id == 0 || n->alive || !n->removed_by)
			continue;
		rc = fn(n->code, n->removed_by->date, ctx);
	}
	td_strmap_free(c.picks);
	td_strmap_free(c.collected);
	model_free(&c.m);
	td_error_list_free(&errs);
	return rc;
}

int td_plan_compute(struct td_registry *reg, const struct td_plan_opts *opts,
                    td_plan_action_fn fn, void *ctx, struct td_plan_summary *sum,
                    struct td_error *err)
{
	struct compute c = { .fn = fn, .ctx = ctx };
	const char *as_of = opts ? opts->as_of : NULL;
	struct td_error_list errs;
	int rc;

	td_error_list_init(&errs, 10);
	td_today(c.today);
	rc = prepare(&c, reg, as_of, &errs, err);
	for (size_t i = 0; rc == TD_OK && i < c.m.nevents; i++)
		c.sum.events += !c.m.events[i].bad &&
		                (!as_of || strcmp(c.m.events[i].date, as_of) <= 0);
	if (rc == TD_OK)
		rc = td_reg_each_active_cert_brief(reg, each_cert, &c, err);
	if (rc == TD_OK && !c.stop)
		org_merge_events(&c, as_of);
	for (size_t i = 0; rc == TD_OK && i < c.m.nnodes && !c.stop; i++)
		if (c.m.list[i]->alive)
			org_final(&c, c.m.list[i]);
	if (rc == TD_OK && !c.stop)
		dossiers(&c);
	if (rc == TD_OK && c.stop)
		rc = c.stop;
	if (rc == TD_ERR_NOMEM)
		td_error_set(err, TD_ERR_NOMEM, "out of memory");
	else if (rc < 0 && rc == c.stop)   /* fn's own failure, e.g. output */
		td_error_set(err, rc, "the action plan could not be handed on (%s)",
		             td_error_code_name(rc));
	if (sum)
		*sum = c.sum;
	td_strmap_free(c.picks);
	td_strmap_free(c.collected);
	model_free(&c.m);
	td_error_list_free(&errs);
	return rc;
}
