/* plan_model.c: a merger plan applied to an in-memory copy of the agency
 * tree.  Removed agencies are not deleted: they stay as dead nodes that
 * say where their units, officials and dossiers went, so a code seen in
 * the registry can always be followed to what stands for it after the
 * plan, however many events it went through. */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokendesk/orgtree.h"
#include "tokendesk/registry.h"
#include "tokendesk/strmap.h"
#include "tokendesk/text.h"
#include "workflow/plan_internal.h"

const char *const td_plan_event_names[EV__COUNT] = {
	"merge_new", "merge_keep", "reparent", "rename", "abolish", "dissolve",
	"merge_province"
};

void model_error(struct plan_model *m, long line, const char *field,
                 const char *fmt, ...)
{
	struct td_error e;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	/* in the operator's language (po/Makevars: keyword model_error:4) */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	vsnprintf(msg, sizeof msg, td_error_translate(fmt), ap);
#pragma GCC diagnostic pop
	va_end(ap);
	td_error_set_at(&e, TD_ERR_DATA, m->file, line, field, "%s", msg);
	td_error_list_add(m->errors, &e);
}

int model_init(struct plan_model *m, const char *file,
               struct td_error_list *errors)
{
	memset(m, 0, sizeof *m);
	m->file = file;
	m->errors = errors;
	m->arena = td_arena_new();
	m->nodes = td_strmap_new(4096);
	m->final = td_org_tree_new();
	return m->arena && m->nodes && m->final ? TD_OK : TD_ERR_NOMEM;
}

void model_free(struct plan_model *m)
{
	td_org_tree_free(m->final);
	td_strmap_free(m->nodes);
	td_arena_free(m->arena);
	free(m->list);
	free(m->by_id);
	free(m->events);
	memset(m, 0, sizeof *m);
}

struct pnode *model_get(const struct plan_model *m, const char *code)
{
	return code ? td_strmap_get(m->nodes, code) : NULL;
}

static struct pnode *add_node(struct plan_model *m, const char *code,
                              const char *name, const char *parent,
                              const char *level)
{
	struct pnode *n = td_arena_alloc(m->arena, sizeof *n);

	if (!n || !(n->code = td_arena_strdup(m->arena, code)) ||
	    !(n->name = td_arena_strdup(m->arena, name ? name : "")) ||
	    !(n->level = td_arena_strdup(m->arena, level ? level : "other")))
		return NULL;
	if (parent && *parent && !(n->parent = td_arena_strdup(m->arena, parent)))
		return NULL;
	n->orig_parent = n->parent;
	n->orig_name = n->name;
	n->alive = 1;
	if (m->nnodes == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 1024;
		struct pnode **l = realloc(m->list, cap * sizeof *l);
		if (!l)
			return NULL;
		m->list = l;
		m->cap = cap;
	}
	if (td_strmap_put(m->nodes, n->code, n) < 0)
		return NULL;
	m->list[m->nnodes++] = n;
	return n;
}

static int load_one(const struct td_agency *a, void *ctx)
{
	struct pnode *n = add_node(ctx, a->code, a->name, a->parent_code, a->level);

	if (!n)
		return TD_ERR_NOMEM;
	n->id = a->id;
	if (a->valid_from && *a->valid_from &&
	    !(n->valid_from = td_arena_strdup(((struct plan_model *)ctx)->arena,
	                                      a->valid_from)))
		return TD_ERR_NOMEM;
	return 0;
}

struct pnode *model_get_id(const struct plan_model *m, int64_t id,
                           const char *code)
{
	if (id > 0 && (size_t)id < m->nby && m->by_id[id])
		return m->by_id[id];
	return model_get(m, code);
}

/* The moves earlier plan applies made (agency.move, oldest first): each
 * unit's superior before the first, and the one after the last. */
static int note_move(const char *code, const char *from, const char *to, void *ctx)
{
	struct plan_model *m = ctx;
	struct pnode *n = code ? model_get(m, code) : NULL;

	if (!n || !from || !to)
		return 0;
	if (!n->plan_from && !(n->plan_from = td_arena_strdup(m->arena, from)))
		return TD_ERR_NOMEM;
	return (n->plan_to = td_arena_strdup(m->arena, to)) ? 0 : TD_ERR_NOMEM;
}

/* A unit still under the superior plan apply gave it starts the plan
 * from the one it had, so its events, causes and actions read the same
 * after apply as before (plan_each_ended_agency moves it back when a
 * corrected plan keeps its old superior).  Moved since by a list: the
 * list's superior stands. */
static void unmove(struct plan_model *m)
{
	for (size_t i = 0; i < m->nnodes; i++) {
		struct pnode *n = m->list[i];
		if (!n->plan_from)
			continue;
		if (!n->parent || strcmp(n->parent, n->plan_to) != 0) {
			n->plan_from = n->plan_to = NULL;
			continue;
		}
		n->parent = n->orig_parent = n->plan_from;
	}
}

int model_load_agencies(struct plan_model *m, struct td_registry *reg,
                        struct td_error *err)
{
	int rc = td_reg_each_agency(reg, load_one, m, err);
	int64_t max = 0;

	if (rc == TD_OK && (rc = td_reg_each_plan_move(reg, note_move, m, err)) == TD_OK)
		unmove(m);
	if (rc > 0 || rc == TD_ERR_NOMEM)
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < m->nnodes; i++)
		if (m->list[i]->id > max)
			max = m->list[i]->id;
	/* ids are dense in practice; a sparse file just falls back to codes */
	if (max > 0 && (size_t)max < 16 * (m->nnodes + 1024)) {
		if (!(m->by_id = calloc((size_t)max + 1, sizeof *m->by_id)))
			return td_error_set(err, TD_ERR_NOMEM, "out of memory");
		m->nby = (size_t)max + 1;
		for (size_t i = 0; i < m->nnodes; i++)
			m->by_id[m->list[i]->id] = m->list[i];
	}
	return TD_OK;
}

/* ---- parsing a row ----------------------------------------------------- */

static const char *opt_field(struct plan_model *m, const char *s)
{
	if (!s)
		return NULL;
	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s)
		return NULL;
	char *c = td_arena_strdup(m->arena, s);
	return c ? td_trim(c) : NULL;
}

/* Split "A; B;C" into ev->src. */
static int split_sources(struct plan_model *m, struct pevent *ev, const char *s)
{
	size_t n = 1, cap;
	char *copy = td_arena_strdup(m->arena, s ? s : ""), *tok, *save = NULL;

	if (!copy)
		return TD_ERR_NOMEM;
	for (const char *p = copy; *p; p++)
		n += *p == ';';
	cap = n;
	if (!(ev->src = td_arena_alloc(m->arena, cap * sizeof *ev->src)))
		return TD_ERR_NOMEM;
	for (tok = strtok_r(copy, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
		td_trim(tok);
		if (!*tok)
			continue;
		for (size_t i = 0; i < ev->nsrc; i++)
			if (strcmp(ev->src[i], tok) == 0) {
				model_error(m, ev->line, "source_codes",
				            "%s is listed twice", tok);
				ev->bad = 1;
			}
		ev->src[ev->nsrc++] = tok;
	}
	return TD_OK;
}

static int has_source(const struct pevent *ev, const char *code)
{
	for (size_t i = 0; code && i < ev->nsrc; i++)
		if (strcmp(ev->src[i], code) == 0)
			return 1;
	return 0;
}

static void need(struct plan_model *m, struct pevent *ev, int ok,
                 const char *field, const char *what)
{
	if (ok)
		return;
	model_error(m, ev->line, field, "%s %s", td_plan_event_names[ev->kind],
	            td_error_translate(what));   /* po/Makevars: keyword need:5 */
	ev->bad = 1;
}

/* What each kind of event must have. */
static void check_shape(struct plan_model *m, struct pevent *ev)
{
	switch (ev->kind) {
	case EV_MERGE_NEW:
		need(m, ev, ev->nsrc >= 2, "source_codes", "needs at least two source codes");
		need(m, ev, ev->target != NULL, "target_code", "needs the new agency's code");
		need(m, ev, ev->target_name != NULL, "target_name", "needs the new name");
		break;
	case EV_MERGE_KEEP:
		need(m, ev, ev->target != NULL, "target_code", "needs the kept agency's code");
		need(m, ev, ev->nsrc >= 1 + (size_t)has_source(ev, ev->target), "source_codes",
		     "needs at least one agency merged into the kept one");
		break;
	case EV_REPARENT:
		need(m, ev, ev->new_parent != NULL, "new_parent_code", "needs the new superior");
		break;
	case EV_RENAME:
		need(m, ev, ev->nsrc == 1, "source_codes", "takes exactly one source code");
		need(m, ev, ev->target_name != NULL, "target_name", "needs the new name");
		break;
	case EV_ABOLISH:
		need(m, ev, ev->new_parent != NULL, "new_parent_code",
		     "needs the agency its units move to (the province or a commune)");
		break;
	case EV_MERGE_PROVINCE:
		need(m, ev, ev->target != NULL, "target_code", "needs the receiving province");
		need(m, ev, !has_source(ev, ev->target), "target_code",
		     "names a province that is also a source");
		break;
	default:
		break;
	}
}

int model_add_event(struct plan_model *m, const struct td_plan_row *row)
{
	struct pevent ev = { .line = row->line };
	int k;

	if (m->nevents == m->ecap) {
		size_t cap = m->ecap ? m->ecap * 2 : 64;
		struct pevent *e = realloc(m->events, cap * sizeof *e);
		if (!e)
			return TD_ERR_NOMEM;
		m->events = e;
		m->ecap = cap;
	}
	ev.date = opt_field(m, row->effective_date);
	if (!ev.date || !td_date_valid(ev.date)) {
		model_error(m, ev.line, "effective_date", "%s is not a date (YYYY-MM-DD)",
		            ev.date ? ev.date : "(empty)");
		ev.bad = 1;
		ev.date = "";
	}
	for (k = 0; k < EV__COUNT; k++)
		if (row->event && strcmp(row->event, td_plan_event_names[k]) == 0)
			break;
	if (k == EV__COUNT) {
		model_error(m, ev.line, "event", "unknown event %s (one of merge_new, "
		            "merge_keep, reparent, rename, abolish, dissolve, "
		            "merge_province)", row->event ? row->event : "(empty)");
		ev.bad = 1;
		k = EV_DISSOLVE;
	}
	ev.kind = (enum ev_kind)k;
	ev.target = opt_field(m, row->target_code);
	ev.target_name = opt_field(m, row->target_name);
	ev.new_parent = opt_field(m, row->new_parent_code);
	if (split_sources(m, &ev, row->source_codes) < 0)
		return TD_ERR_NOMEM;
	if (ev.nsrc == 0) {
		model_error(m, ev.line, "source_codes", "no source code");
		ev.bad = 1;
	}
	if (!ev.bad)
		check_shape(m, &ev);
	m->events[m->nevents++] = ev;
	return TD_OK;
}

/* ---- following codes ---------------------------------------------------- */

struct pnode *model_resolve(const struct plan_model *m, struct pnode *n)
{
	for (size_t steps = m->nnodes + 1; n && !n->alive && steps--;)
		n = model_get(m, n->children_to);
	return n && n->alive ? n : NULL;
}

struct pnode *model_parent(const struct plan_model *m, struct pnode *n)
{
	struct pnode *p = model_get(m, n->parent);

	if (p && !p->alive && (p = model_resolve(m, p)))
		n->parent = p->code;   /* remember: the chain never changes back */
	return p;
}

struct pnode *model_holders(const struct plan_model *m, struct pnode *n)
{
	for (size_t steps = m->nnodes + 1; n && !n->alive && steps--;)
		n = model_get(m, n->holders_to);
	return n && n->alive ? n : NULL;
}

struct pnode *model_recipient(const struct plan_model *m, struct pnode *n)
{
	for (size_t steps = m->nnodes + 1; n && !n->alive && steps--;)
		n = model_get(m, n->dossiers_to);
	return n;
}

const struct pevent *model_cause(const struct plan_model *m, struct pnode *n)
{
	for (int depth = 0; n && depth < 256; depth++) {
		struct pnode *p = model_parent(m, n), *op;
		if (n->touched_by)
			return n->touched_by;
		if (n->created_by)
			return n->created_by;
		if ((op = model_get(m, n->orig_parent)) && op != p && !op->alive)
			return op->removed_by;
		n = p;
	}
	return NULL;
}

/* ---- applying events ---------------------------------------------------- */

/* A source, target or new parent that must be a living agency. */
static struct pnode *living(struct plan_model *m, const struct pevent *ev,
                            const char *code, const char *field)
{
	struct pnode *n = model_get(m, code);

	if (!n)
		model_error(m, ev->line, field, "unknown agency code %s", code);
	else if (!n->alive && strcmp(n->removed_by->date, ev->date) == 0 &&
	         n->removed_by->line != ev->line)
		model_error(m, ev->line, field, "%s is merged or removed twice on %s "
		            "(lines %ld and %ld)", code, ev->date, n->removed_by->line,
		            ev->line);
	else if (!n->alive)
		model_error(m, ev->line, field, "%s no longer exists: %s on %s (line %ld)",
		            code, td_plan_event_names[n->removed_by->kind],
		            n->removed_by->date, n->removed_by->line);
	else
		return n;
	return NULL;
}

/* 1 when a lies at or below b now. */
static int below(const struct plan_model *m, struct pnode *a, struct pnode *b)
{
	for (size_t steps = m->nnodes + 1; a && steps--; a = model_parent(m, a))
		if (a == b)
			return 1;
	return 0;
}

static void end_node(struct pnode *n, const struct pevent *ev, const char *children,
                     const char *holders, const char *dossiers)
{
	n->alive = 0;
	n->removed_by = ev;
	n->children_to = children;
	n->holders_to = holders;
	n->dossiers_to = dossiers;
}

/* Does an event of the plan after ev name agency n as the registry does
 * (a rename, a merge_keep's target name)? */
static int renamed_later(const struct plan_model *m, const struct pevent *ev,
                         const struct pnode *n)
{
	for (size_t i = 0; i < m->nevents; i++) {
		const struct pevent *e = &m->events[i];
		if (e == ev || !e->target_name || strcmp(e->date, ev->date) < 0 ||
		    strcmp(e->target_name, n->name) != 0)
			continue;
		if ((e->kind == EV_RENAME && e->nsrc && strcmp(e->src[0], n->code) == 0) ||
		    (e->kind == EV_MERGE_KEEP && e->target && strcmp(e->target, n->code) == 0))
			return 1;
	}
	return 0;
}

/* The registry holds a merge_new's target already when plan apply made
 * it, or a province's updated master list brought it: the same agency,
 * when it bears the name the plan gives and is none of the sources.  Any
 * other agency under that code is a plan reusing a code by mistake. */
static int made_by_plan(const struct plan_model *m, const struct pevent *ev,
                        const struct pnode *n)
{
	/* the plan's name, or, in force from the same day, the name a later
	 * event of the plan gives it: plan apply made it with the last name */
	if (!n->alive || n->is_new || !ev->target_name ||
	    (strcmp(n->name, ev->target_name) != 0 &&
	     !(n->valid_from && strcmp(n->valid_from, ev->date) == 0 &&
	       renamed_later(m, ev, n))))
		return 0;
	for (size_t i = 0; i < ev->nsrc; i++)
		if (strcmp(ev->src[i], n->code) == 0)
			return 0;
	return 1;
}

/* Did an earlier event of ev's date do this already (before: the node's
 * renamed_by or moved_by)?  Two renames of one agency on one date, or
 * two new superiors, contradict each other: the last would win unsaid. */
static int same_day(const struct pevent *ev, const struct pevent *before)
{
	return before && before != ev && strcmp(before->date, ev->date) == 0;
}

static int renamed(struct plan_model *m, const struct pevent *ev, struct pnode *n)
{
	if (same_day(ev, n->renamed_by)) {
		model_error(m, ev->line, "target_name", "%s is renamed twice on %s "
		            "(lines %ld and %ld)", n->code, ev->date, n->renamed_by->line,
		            ev->line);
		return 0;
	}
	n->renamed_by = ev;
	return 1;
}

static int moved(struct plan_model *m, const struct pevent *ev, struct pnode *n)
{
	if (same_day(ev, n->moved_by)) {
		model_error(m, ev->line, "new_parent_code", "%s is given a new superior "
		            "twice on %s (lines %ld and %ld)", n->code, ev->date,
		            n->moved_by->line, ev->line);
		return 0;
	}
	n->moved_by = ev;
	return 1;
}

static int apply_event(struct plan_model *m, const struct pevent *ev)
{
	struct pnode *src[ev->nsrc], *tgt = NULL, *np = NULL;
	size_t ok = 0;

	for (size_t i = 0; i < ev->nsrc; i++)
		ok += (src[i] = living(m, ev, ev->src[i], "source_codes")) != NULL;
	if (ev->new_parent && !(np = living(m, ev, ev->new_parent, "new_parent_code")))
		ok = 0;
	if (ev->kind == EV_MERGE_NEW && ev->target &&
	    (tgt = model_get(m, ev->target)) && !made_by_plan(m, ev, tgt)) {
		model_error(m, ev->line, "target_code", "%s already exists; a merge into "
		            "a new agency needs a new code", ev->target);
		ok = 0;
	} else if ((ev->kind == EV_MERGE_KEEP || ev->kind == EV_MERGE_PROVINCE) &&
	           !(tgt = living(m, ev, ev->target, "target_code")))
		ok = 0;
	if (ok != ev->nsrc)
		return TD_OK;
	for (size_t i = 0; np && i < ev->nsrc; i++)
		if (below(m, np, src[i]) && ev->kind != EV_ABOLISH) {
			model_error(m, ev->line, "new_parent_code", "cycle: %s lies at or "
			            "below %s", np->code, src[i]->code);
			return TD_OK;
		}
	switch (ev->kind) {
	case EV_MERGE_NEW: {
		/* default superior: the first source's, above any merged source */
		struct pnode *p = np ? np : model_parent(m, src[0]);
		if (tgt) {   /* in the registry already: plan apply made it */
			tgt->is_new = 1;
			tgt->created_by = ev;
			for (size_t i = 0; i < ev->nsrc; i++)
				end_node(src[i], ev, tgt->code, tgt->code, tgt->code);
			break;
		}
		for (size_t steps = m->nnodes; !np && p && has_source(ev, p->code) &&
		     steps--;)
			p = model_parent(m, p);
		if (!(tgt = add_node(m, ev->target, ev->target_name,
		                     p ? p->code : NULL, src[0]->level)))
			return TD_ERR_NOMEM;
		tgt->is_new = 1;
		tgt->created_by = ev;
		tgt->orig_parent = NULL;
		for (size_t i = 0; i < ev->nsrc; i++)
			end_node(src[i], ev, tgt->code, tgt->code, tgt->code);
		break;
	}
	case EV_MERGE_PROVINCE:
		for (size_t i = 0; i < ev->nsrc; i++)
			if (strcmp(src[i]->level, "province") != 0) {
				model_error(m, ev->line, "source_codes", "%s is not a province",
				            src[i]->code);
				return TD_OK;
			}
		/* fall through */
	case EV_MERGE_KEEP:
		for (size_t i = 0; i < ev->nsrc; i++)
			if (src[i] != tgt)
				end_node(src[i], ev, tgt->code, tgt->code, tgt->code);
		if (ev->target_name && strcmp(ev->target_name, tgt->name) != 0 &&
		    renamed(m, ev, tgt)) {
			tgt->name = ev->target_name;
			tgt->touched_by = ev;
		}
		if (np && moved(m, ev, tgt)) {
			tgt->parent = np->code;
			tgt->touched_by = ev;
		}
		break;
	case EV_REPARENT:
		for (size_t i = 0; i < ev->nsrc; i++) {
			if (!moved(m, ev, src[i]))
				continue;
			src[i]->parent = np->code;
			src[i]->touched_by = ev;
		}
		break;
	case EV_RENAME:
		if (!renamed(m, ev, src[0]))
			break;
		src[0]->name = ev->target_name;
		src[0]->touched_by = ev;
		break;
	case EV_ABOLISH:
		for (size_t i = 0; i < ev->nsrc; i++) {
			if (below(m, np, src[i])) {
				model_error(m, ev->line, "new_parent_code", "%s lies below %s, "
				            "which is abolished", np->code, src[i]->code);
				return TD_OK;
			}
			end_node(src[i], ev, np->code, NULL, np->code);
		}
		break;
	case EV_DISSOLVE:
		for (size_t i = 0; i < ev->nsrc; i++) {
			struct pnode *to = model_get(m, ev->target), *p = model_parent(m, src[i]);
			if (ev->target && !(to = living(m, ev, ev->target, "target_code")))
				return TD_OK;
			end_node(src[i], ev, NULL, NULL, to ? to->code : p ? p->code : NULL);
		}
		break;
	default:
		break;
	}
	return TD_OK;
}

static int by_date_line(const void *a, const void *b)
{
	const struct pevent *x = a, *y = b;
	int c = strcmp(x->date, y->date);

	return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* The line of the event that dissolved the chain above n. */
static long orphan_line(const struct plan_model *m, struct pnode *n)
{
	struct pnode *p = model_get(m, n->parent);

	for (size_t steps = m->nnodes + 1; p && !p->alive && p->children_to && steps--;)
		p = model_get(m, p->children_to);
	return p && p->removed_by ? p->removed_by->line : 0;
}

/* After each effective date: no living agency may be left without its
 * superior, even if a later event would give it a new one. */
static void check_orphans(struct plan_model *m, const char *date)
{
	for (size_t i = 0; i < m->nnodes; i++) {
		struct pnode *n = m->list[i];
		if (n->alive && !n->orphan && n->parent && !model_parent(m, n)) {
			n->orphan = 1;
			model_error(m, orphan_line(m, n), "source_codes", "%s would be left "
			            "without a superior on %s (its superior is dissolved); "
			            "move it first", n->code, date);
		}
	}
}

static int build_final(struct plan_model *m)
{
	for (size_t i = 0; i < m->nnodes; i++) {
		struct pnode *n = m->list[i], *p;
		if (!n->alive)
			continue;
		p = model_parent(m, n);
		if (n->parent && !p)
			continue;   /* reported by check_orphans */
		if (td_org_tree_put(m->final, n->code, n->name, p ? p->code : NULL,
		                    n->level) < 0)
			return TD_ERR_NOMEM;
	}
	for (size_t i = 0; i < m->nnodes; i++) {
		struct pnode *n = m->list[i];
		const char *c = n->alive ? td_org_tree_cycle(m->final, n->code) : NULL;
		if (c) {
			struct pnode *cn = model_get(m, c);
			const struct pevent *ev = cn && cn->touched_by ? cn->touched_by
			                                               : model_cause(m, cn);
			model_error(m, ev ? ev->line : 0, "new_parent_code", "the plan makes "
			            "a cycle of superiors through %s", c);
			break;
		}
	}
	return TD_OK;
}

int model_run(struct plan_model *m, const char *as_of)
{
	int rc;

	const char *date = NULL;

	if (m->nevents > 1)   /* events is NULL in a plan of no rows (UBSan, fuzz-plan) */
		qsort(m->events, m->nevents, sizeof *m->events, by_date_line);
	for (size_t i = 0; i < m->nevents; i++) {
		const struct pevent *ev = &m->events[i];
		if (ev->bad || (as_of && strcmp(ev->date, as_of) > 0))
			continue;
		if (date && strcmp(date, ev->date) != 0)
			check_orphans(m, date);
		date = ev->date;
		if ((rc = apply_event(m, ev)) < 0)
			return rc;
	}
	if (date)
		check_orphans(m, date);
	return build_final(m);
}
