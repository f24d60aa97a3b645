/* plan_apply.c: turning the action plan into tags, in one audited
 * transaction, touching only what differs from the tags already there. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tokendesk/plan.h"
#include "tokendesk/registry.h"
#include "registry/txn.h"
#include "tokendesk/strmap.h"
#include "workflow/plan_internal.h"

/* A tag as the plan wants it, or as it is stored. */
struct want {
	const char *target_kind, *target, *kind, *request, *rule, *reason, *detail;
	const char *state, *origin;   /* stored tags only */
	int seen;
};

struct apply {
	struct td_arena *arena;
	struct td_strmap *have;   /* "kind:target" -> stored struct want */
	struct want *wants;
	size_t n, cap;
	int nomem;
};

static const char *dup(struct apply *a, const char *s)
{
	const char *c = s ? td_arena_strdup(a->arena, s) : NULL;

	if (s && !c)
		a->nomem = 1;
	return c;
}

static const char *request_of(const char *action)
{
	if (strcmp(action, "change_info") == 0)
		return "info_change";
	if (strcmp(action, "revoke") == 0)
		return "revocation";
	return NULL;
}

static int collect_action(const struct td_plan_action *pa, void *ctx)
{
	struct apply *a = ctx;
	struct want w = { 0 };

	if (strcmp(pa->action, "collect") == 0) {
		w.target_kind = "token";
		w.target = dup(a, pa->token_serial);
		w.detail = dup(a, pa->to_agency);
	} else if (strcmp(pa->action, "handover_dossiers") == 0) {
		w.target_kind = "agency";
		w.target = dup(a, pa->agency_code);
		w.detail = dup(a, pa->to_agency);
	} else {
		w.target_kind = "cert";
		w.target = dup(a, pa->cert_serial);
		w.detail = strcmp(pa->action, "change_info") == 0 ? dup(a, pa->new_dn) : NULL;
	}
	w.kind = dup(a, pa->action);
	w.request = request_of(pa->action);
	w.rule = dup(a, pa->rule);
	w.reason = dup(a, pa->reason);
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 1024;
		struct want *v = realloc(a->wants, cap * sizeof *v);
		if (!v)
			return TD_ERR_NOMEM;
		a->wants = v;
		a->cap = cap;
	}
	a->wants[a->n++] = w;
	return a->nomem ? TD_ERR_NOMEM : 0;
}

static char *key_of(struct apply *a, const char *kind, const char *target)
{
	size_t n = strlen(kind) + strlen(target) + 2;
	char *k = td_arena_alloc(a->arena, n);

	if (k)
		snprintf(k, n, "%s:%s", kind, target);
	else
		a->nomem = 1;
	return k;
}

static int load_tag(const struct td_tag *t, void *ctx)
{
	struct apply *a = ctx;
	struct want *w = td_arena_alloc(a->arena, sizeof *w);
	char *k;

	if (!w)
		return TD_ERR_NOMEM;
	*w = (struct want){ dup(a, t->target_kind), dup(a, t->target), dup(a, t->kind),
	                    dup(a, t->request), dup(a, t->rule), dup(a, t->reason),
	                    dup(a, t->detail), dup(a, t->state), dup(a, t->origin), 0 };
	if (!(k = key_of(a, t->target_kind, t->target)) || a->nomem ||
	    td_strmap_put(a->have, k, w) < 0)
		return TD_ERR_NOMEM;
	return 0;
}

static int same(const char *x, const char *y)
{
	return (!x && !y) || (x && y && strcmp(x, y) == 0);
}

/* The reason is prose (it cites plan line numbers): a corrected plan that
 * only moves lines does not re-tag. */
static int same_tag(const struct want *x, const struct want *y)
{
	return same(x->kind, y->kind) && same(x->rule, y->rule) &&
	       same(x->detail, y->detail) && same(x->request, y->request);
}

/* A tag the plan adds (add) goes into the load's one tag.add.bulk row;
 * a changed one is audited on its own with its before and after. */
static int put(struct td_registry *reg, const struct want *w, int add,
               struct td_error *err)
{
	struct td_tag t = {
		.target_kind = w->target_kind, .target = w->target, .kind = w->kind,
		.request = w->request, .origin = "plan", .rule = w->rule,
		.reason = w->reason, .detail = w->detail,
	};
	int changed;

	return add ? td_reg_tag_bulk_add(reg, &t, err)
	           : td_reg_tag_put(reg, &t, &changed, err);
}

struct sweep {
	struct td_registry *reg;
	struct td_plan_apply_report *rep;
	struct td_error *err;
	int rc;
};

static void remove_unseen(const char *key, void *value, void *ctx)
{
	struct want *w = value;
	struct sweep *s = ctx;

	(void)key;
	if (s->rc < 0 || w->seen || strcmp(w->origin, "plan") != 0)
		return;
	if (strcmp(w->state, "tagged") != 0) {
		s->rep->held++;   /* already sent: DOST must be told by hand */
		return;
	}
	s->rc = td_reg_tag_delete(s->reg, w->target_kind, w->target, s->err);
	s->rep->removed++;
}

static int write_tags(struct td_registry *reg, struct apply *a,
                      struct td_plan_apply_report *rep, struct td_error *err)
{
	int rc = TD_OK;

	for (size_t i = 0; rc == TD_OK && i < a->n; i++) {
		struct want *w = &a->wants[i], *h;
		char *k = key_of(a, w->target_kind, w->target);
		if (!k)
			return td_error_set(err, TD_ERR_NOMEM, "out of memory");
		if (!(h = td_strmap_get(a->have, k))) {
			/* kept as seen: a second action on the same target (a
			 * token of two revoked certificates) is not added twice */
			if ((rc = put(reg, w, 1, err)) == TD_OK) {
				rep->added++;
				w->seen = 1;
				w->origin = "plan";
				w->state = "tagged";
				if (td_strmap_put(a->have, k, w) < 0)
					return td_error_set(err, TD_ERR_NOMEM, "out of memory");
			}
			continue;
		}
		if (h->seen)   /* the same token twice: first action wins */
			continue;
		h->seen = 1;
		if (strcmp(h->origin, "plan") != 0)
			rep->held++;      /* the operator's own tag stands */
		else if (same_tag(h, w))
			rep->unchanged++;
		else if (strcmp(h->state, "tagged") != 0)
			rep->held++;
		else if ((rc = put(reg, w, 0, err)) == TD_OK)
			rep->changed++;
	}
	if (rc == TD_OK) {
		struct sweep s = { reg, rep, err, TD_OK };
		td_strmap_each(a->have, remove_unseen, &s);
		rc = s.rc;
	}
	return rc;
}

struct made {
	struct td_registry *reg;
	struct td_plan_apply_report *rep;
	struct td_error *err;
};

/* A merge_new target becomes a real agency, valid from the effective
 * date: handovers, dossiers, tags and counts name it as any other. */
static int make_agency(const char *code, const char *name, const char *parent,
                       const char *level, const char *date, void *ctx)
{
	struct made *m = ctx;
	struct td_agency a = { .code = (char *)code, .name = (char *)name,
		.parent_code = (char *)parent, .level = (char *)level,
		.valid_from = (char *)date };
	enum td_upsert result;
	int rc = td_reg_put_agency(m->reg, &a, &result, m->err);

	if (rc == TD_OK && result == TD_UPSERT_ADDED)
		m->rep->agencies_made++;
	return rc;
}

/* The day before date (YYYY-MM-DD) into out[11]. */
static void day_before(const char *date, char out[11])
{
	struct tm tm = { 0 };
	time_t t;

	if (sscanf(date, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3) {
		snprintf(out, 11, "%s", date);
		return;
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_hour = 12;
	t = timegm(&tm) - 86400;
	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/* An agency merged away is in force until the day before the merger:
 * its valid_to says so (audited as agency.update), so the tree as of a
 * later date no longer lists it.  An earlier valid_to stands. */
static int end_agency(const char *code, const char *date, void *ctx)
{
	struct made *m = ctx;
	char last[11];
	int ended, rc;

	day_before(date, last);
	rc = td_reg_agency_end(m->reg, code, last, &ended, m->err);
	if (rc == TD_OK && ended)
		m->rep->agencies_ended++;
	return rc;
}

/* A unit the plan keeps under a superior it ends goes to the superior
 * the plan gives it (audited agency.move: the plan's model reads the
 * tree as it stood, model_load_agencies). */
static int move_agency(const char *code, const char *parent, void *ctx)
{
	struct made *m = ctx;
	int moved, rc = td_reg_agency_move(m->reg, code, parent, &moved, m->err);

	if (rc == TD_OK && moved)
		m->rep->agencies_moved++;
	return rc;
}

int td_plan_apply(struct td_registry *reg, const struct td_plan_opts *opts,
                  struct td_plan_apply_report *rep, struct td_error *err)
{
	struct apply a = { 0 };
	char summary[256];
	int rc;

	memset(rep, 0, sizeof *rep);
	if (!(a.arena = td_arena_new()) || !(a.have = td_strmap_new(4096))) {
		rc = td_error_set(err, TD_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = td_plan_compute(reg, opts, collect_action, &a, NULL, err)) != TD_OK)
		goto out;
	if ((rc = td_reg_begin(reg, err)) < 0)
		goto out;
	struct made made = { reg, rep, err };
	rc = td_reg_tag_bulk_begin(reg, "plan", err);
	if (rc == TD_OK)
		rc = plan_each_new_agency(reg, opts, make_agency, &made, err);
	if (rc == TD_OK)
		rc = plan_each_ended_agency(reg, opts, move_agency, end_agency, &made, err);
	if (rc == TD_OK)
		rc = td_reg_each_tag(reg, NULL, 0, load_tag, &a, err);
	if (rc == TD_OK)
		rc = write_tags(reg, &a, rep, err);
	rc = td_reg_tag_bulk_end(reg, rc, err);
	if (rc == TD_OK) {
		snprintf(summary, sizeof summary, "{\"added\":%ld,\"changed\":%ld,"
		         "\"removed\":%ld,\"unchanged\":%ld,\"held\":%ld,"
		         "\"agencies_made\":%ld,\"agencies_ended\":%ld,"
		         "\"agencies_moved\":%ld}", rep->added, rep->changed,
		         rep->removed, rep->unchanged, rep->held, rep->agencies_made,
		         rep->agencies_ended, rep->agencies_moved);
		if (rep->added || rep->changed || rep->removed || rep->agencies_made ||
		    rep->agencies_ended || rep->agencies_moved)
			rc = td_reg_audit(reg, "plan.apply", "plan", NULL, NULL, summary, err);
	}
	rc = td_reg_end(reg, rc, err);
out:
	if (rc == TD_ERR_NOMEM || a.nomem)
		rc = td_error_set(err, TD_ERR_NOMEM, "out of memory");
	td_strmap_free(a.have);
	td_arena_free(a.arena);
	free(a.wants);
	return rc;
}
