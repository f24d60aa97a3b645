/* scr_plan.c: the Plan screen (F7 or p): every action of the computed
 * reorganization plan (td_plan_compute, as `tokendesk plan show`), with
 * its rule, its reason and, for an info change, the certificate's old
 * and new DN (side by side on a wide terminal, old above new on a narrow
 * one).  Counts per action head the screen and double as the filter
 * keys.  From here the operator picks which certificate of a merge takes
 * the new name (td_plan_pick), imports a plan file, applies the plan and
 * sends the tags to DOST (the dialogs are in scr_plandlg.c).
 *
 * Each action is drawn as a small card of a few lines; only the cards on
 * screen are laid out, so a national plan scrolls as fast as the demo. */
#include <config.h>

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokendesk/match.h"
#include "tokendesk/registry.h"
#include "tokendesk/strmap.h"
#include "tokendesk/text.h"
#include "tui/desk.h"
#include "tui/keys.h"
#include "tui/plan.h"



static const char *const kind_names[PA_N] = {
	"change_info", "revoke", "keep", "collect", "handover_dossiers"
};

const char *plan_kind_label(int kind)
{
	static const char *const labels[PA_N] = {
		N_("Info change"), N_("Revoke"), N_("Keep"), N_("Collect token"),
		N_("Hand dossiers over")
	};
	return kind >= 0 && kind < PA_N ? T(labels[kind]) : T("All");
}

/* ---- computing ---------------------------------------------------------- */

struct load {
	struct plan *p;
	struct td_strmap *merged_into;   /* source agency -> merge_new target */
	struct td_strmap *picks;         /* merge_new target -> picked serial */
};

static const char *keep_str(struct plan *p, const char *s)
{
	return s ? td_arena_strdup(p->arena, s) : NULL;
}

static int add_action(const struct td_plan_action *a, void *ctx)
{
	struct load *l = ctx;
	struct plan *p = l->p;
	struct pact *x;
	int kind = 0;

	while (kind < PA_N && strcmp(kind_names[kind], a->action) != 0)
		kind++;
	if (kind == PA_N)
		return 0;   /* an action this desk does not know: `plan show` has it */
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 256;
		struct pact *n = realloc(p->a, cap * sizeof *n);
		if (!n)
			return TD_ERR_NOMEM;
		p->a = n;
		p->cap = cap;
	}
	x = &p->a[p->n++];
	memset(x, 0, sizeof *x);
	x->kind = kind;
	x->action = keep_str(p, a->action);
	x->rule = keep_str(p, a->rule);
	x->reason = keep_str(p, a->reason);
	x->cert_serial = keep_str(p, a->cert_serial);
	x->cert_kind = keep_str(p, a->cert_kind);
	x->holder_name = keep_str(p, a->holder_name);
	x->agency_code = keep_str(p, a->agency_code);
	x->old_dn = keep_str(p, a->old_dn);
	x->new_dn = keep_str(p, a->new_dn);
	x->token_serial = keep_str(p, a->token_serial);
	x->to_agency = keep_str(p, a->to_agency);
	x->effective_date = keep_str(p, a->effective_date);
	p->count[kind]++;
	/* an organisation certificate of a merge_new can be picked to take
	 * the new name; td_plan_pick wants the new agency's code */
	if (x->rule && strcmp(x->rule, "merge_new") == 0 && x->cert_serial &&
	    x->cert_kind && strcmp(x->cert_kind, "org") == 0 && x->agency_code) {
		const char *pick;
		x->merge_target = td_strmap_get(l->merged_into, x->agency_code);
		pick = x->merge_target ? td_strmap_get(l->picks, x->merge_target) : NULL;
		x->picked = pick && strcasecmp(pick, x->cert_serial) == 0;
	}
	return 0;
}

static int add_merge(const struct td_plan_row *r, void *ctx)
{
	struct load *l = ctx;
	char *src, *save = NULL;

	if (strcmp(r->event, "merge_new") != 0 || !r->target_code || !r->source_codes)
		return 0;
	const char *target = td_arena_strdup(l->p->arena, r->target_code);
	if (!target || !(src = td_arena_strdup(l->p->arena, r->source_codes)))
		return TD_ERR_NOMEM;
	for (char *t = strtok_r(src, ";", &save); t; t = strtok_r(NULL, ";", &save))
		if (td_strmap_put(l->merged_into, td_trim(t), (void *)target) < 0)
			return TD_ERR_NOMEM;
	return 0;
}

static int add_pick(const char *target, const char *serial, void *ctx)
{
	struct load *l = ctx;
	char *t = td_arena_strdup(l->p->arena, target);
	char *s = td_arena_strdup(l->p->arena, serial);

	return t && s && td_strmap_put(l->picks, t, s) == 0 ? 0 : TD_ERR_NOMEM;
}

/* 1 when action x passes the agency filter (the agency or one of its
 * units, walking the registry's parents). */
static int agency_passes(struct desk *d, const struct plan *p, const struct pact *x)
{
	struct td_error err;

	if (!p->agency[0])
		return 1;
	return x->agency_code && td_agency_within(d->reg, x->agency_code, p->agency,
	                                          &err) == 1;
}

static void refilter(struct desk *d, struct plan *p)
{
	free(p->shown);
	p->shown = malloc((p->n ? p->n : 1) * sizeof *p->shown);
	p->nshown = 0;
	for (size_t i = 0; p->shown && i < p->n; i++)
		if ((p->filter < 0 || p->a[i].kind == p->filter) &&
		    agency_passes(d, p, &p->a[i]))
			p->shown[p->nshown++] = i;
	if (p->sel >= p->nshown)
		p->sel = p->nshown ? p->nshown - 1 : 0;
	if (p->top > p->sel)
		p->top = p->sel;
}

const char *plan_target_of(const struct pact *x)
{
	return x->kind == PA_COLLECT ? x->token_serial
	       : x->kind == PA_DOSSIERS ? x->agency_code : x->cert_serial;
}

void plan_tags_stale(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		p->a[i].tag_loaded = 0;
}

void plan_reload(struct desk *d, struct plan *p)
{
	struct load l = { p, td_strmap_new(256), td_strmap_new(16) };
	struct td_error err;
	char was[256] = "";
	int rc;

	if (p->nshown)
		snprintf(was, sizeof was, "%s", plan_target_of(&p->a[p->shown[p->sel]]));
	td_arena_free(p->arena);
	p->arena = td_arena_new();
	p->n = 0;
	memset(p->count, 0, sizeof p->count);
	memset(&p->sum, 0, sizeof p->sum);
	p->problem[0] = '\0';
	if (!p->arena || !l.merged_into || !l.picks)
		rc = td_error_set(&err, TD_ERR_NOMEM, "out of memory");
	else if ((rc = td_reg_each_plan_row(d->reg, add_merge, &l, &err)) >= 0 &&
	         (rc = td_reg_each_plan_pick(d->reg, add_pick, &l, &err)) >= 0)
		rc = td_plan_compute(d->reg, NULL, add_action, &l, &p->sum, &err);
	if (rc < 0) {
		td_error_format(&err, p->problem, sizeof p->problem);
		p->n = 0;
		memset(p->count, 0, sizeof p->count);
	}
	td_strmap_free(l.merged_into);
	td_strmap_free(l.picks);
	refilter(d, p);
	/* keep the selection on the same certificate, token or agency, even
	 * when a pick moved it out of the filter: the operator sees the
	 * result of what they just did */
	for (int pass = 0; was[0] && pass < 2; pass++) {
		for (size_t i = 0; i < p->nshown; i++)
			if (strcasecmp(plan_target_of(&p->a[p->shown[i]]), was) == 0) {
				p->sel = i;
				return;
			}
		if (p->filter < 0)
			return;
		p->filter = -1;
		refilter(d, p);
	}
}

/* ---- drawing ------------------------------------------------------------ */

static void draw_counts(struct desk *d, struct plan *p, int y, int cols)
{
	static const int order[6] = { PA_CHANGE, PA_REVOKE, PA_KEEP, PA_COLLECT,
	                              PA_DOSSIERS, -1 };
	int cw = (cols - 2) / 3 > 32 ? 32 : (cols - 2) / 3;
	long all = 0;

	for (int k = 0; k < PA_N; k++)
		all += p->count[k];
	for (int i = 0; i < 6; i++) {
		int k = order[i], x = 1 + (i % 3) * cw, row = y + i / 3;
		int color = p->filter == k ? COL_SELECT : COL_NORMAL;
		char key[16], num[32];
		snprintf(key, sizeof key, "%d", k + 1);
		snprintf(num, sizeof num, "%ld", k < 0 ? all : p->count[k]);
		tw_fill(d, row, x, cw - 1, color);
		tw_put(d, row, x, 1, key, COL_KEY, 0);
		tw_put(d, row, x + 2, cw - 4 - tw_width(num), plan_kind_label(k), color, 0);
		tw_put(d, row, x + cw - 2 - tw_width(num), tw_width(num), num, color, 0);
	}
}

#define LIST SK_MODE(PM_LIST)
#define IMPORT SK_MODE(PM_IMPORT)
#define FORMS SK_MODE(PM_FORMS)
#define AGENCY SK_MODE(PM_AGENCY)

/* The screen's keys and its dialogs', in the order the key line shows
 * them (keys.h).  Apply's and send's y/n are tw_answer's, as every
 * dialog's; the report box closes at any key. */
const struct screen_key plan_keys[] = {
	{ PR_OPEN, LIST, { TDK_ENTER }, 0, "Enter", N_("Open"),
	  N_("Open the certificate, token or agency of the action") },
	{ PR_FILTER_NEXT, LIST, { 'f' }, 0, "f 0-5", N_("Filter"),
	  N_("Show the next kind of action only (1-5: that kind, 0: all)") },
	{ PR_FILTER, LIST, { '0', '1', '2', '3', '4', '5' }, 0, "0-5", NULL, NULL },
	{ PR_PICK, LIST, { 'n' }, 0, "n", N_("Pick"),
	  N_("This organisation certificate takes the new agency's name") },
	{ PR_UNPICK, LIST, { 'u' }, 0, "u", NULL,
	  N_("Back to the default: the certificate valid longest") },
	{ PR_AGENCY, LIST, { 'A' }, 0, "A", N_("Agency"),
	  N_("Only one agency and its units (empty: all)") },
	{ PR_APPLY, LIST, { 'a' }, 0, "a", N_("Apply"),
	  N_("Apply the plan: every action becomes a tag (asks first)") },
	{ PR_SEND, LIST, { 'd' }, 0, "d", N_("Send to DOST"),
	  N_("Send the tags not yet sent to DOST as one batch (asks first)") },
	{ PR_LISTS, LIST, { 'L' }, 0, "L", N_("Lists"),
	  N_("Write the lists for DOST into the records folder") },
	{ PR_FORMS, LIST, { 'F' }, 0, "F", N_("Forms"),
	  N_("Write the Decree 68 forms for the CA into the records folder") },
	{ PR_IMPORT, LIST, { 'i' }, 0, "i", N_("Import"),
	  N_("Import a plan file (CSV): all or nothing") },
	{ PR_UP, LIST | IMPORT | FORMS, { TDK(KEY_UP) }, 1, "↑", NULL, NULL },
	{ PR_DOWN, LIST | IMPORT | FORMS, { TDK(KEY_DOWN) }, 1, "↓", NULL, NULL },
	{ PR_PGUP, LIST, { TDK(KEY_PPAGE) }, 1, "PgUp", NULL, NULL },
	{ PR_PGDN, LIST, { TDK(KEY_NPAGE) }, 1, "PgDn", NULL, NULL },
	{ PR_HOME, LIST, { TDK(KEY_HOME) }, 1, "Home", NULL, NULL },
	{ PR_END, LIST, { TDK(KEY_END) }, 1, "End", NULL, NULL },
	{ PR_OK, IMPORT | FORMS | AGENCY, { TDK_ENTER }, 1, "Enter", NULL, NULL },
	{ PR_CANCEL, IMPORT | FORMS | AGENCY, { TDK_ESC }, 1, "Esc", NULL, NULL },
	{ PR_FIELD, IMPORT, { '\t', TDK(KEY_BTAB) }, 1, "Tab", NULL, NULL },
	{ PR_KIND, FORMS, { '1', '2', '3', '4' }, 0, "1-4", NULL, NULL },
	{ PR_XLSX, FORMS, { 'x', 'X' }, 0, "x", NULL, NULL },
	{ PR_PDF, FORMS, { 'p', 'P' }, 0, "p", NULL, NULL },
	{ PR_DOCX, FORMS, { 'w', 'W' }, 0, "w", NULL, NULL },
	{ PR_BATCH, FORMS, { 'b', 'B' }, 0, "b", NULL, NULL },
	{ 0, 0, { 0 }, 0, NULL, NULL, NULL },
};

int plan_request(const struct plan *p, int k)
{
	int mode = p->mode == PM_LIST && p->asking_agency ? PM_AGENCY : p->mode;

	return screen_request(plan_keys, mode, k, mode == PM_IMPORT ||
	                      mode == PM_AGENCY);
}

/* The lines the screen's keys take at cols: 1, or 2 when one would cut
 * them (never a key dropped: at 80 columns in Vietnamese they need 2). */
static int keys_lines(int cols)
{
	return screen_keyline_lines(plan_keys, PM_LIST, cols, 8);
}

/* The keys from y, on keys_lines(cols) lines, the position at the end. */
static void draw_keys(struct desk *d, struct plan *p, int y, int cols)
{
	char pos[48];
	int lines = keys_lines(cols), x;

	x = screen_keyline(d, y, cols, plan_keys, PM_LIST, lines, 8);
	y += lines - 1;
	snprintf(pos, sizeof pos, "%zu/%zu", p->nshown ? p->sel + 1 : 0, p->nshown);
	if (x + tw_width(pos) + 1 < cols)
		tw_put(d, y, cols - tw_width(pos) - 1, tw_width(pos), pos, COL_DIM, 0);
}

/* Scroll so the selected card is whole on screen. */
static void settle(struct desk *d, struct plan *p, int avail, int cols)
{
	static struct cline c[CARD_MAX];
	int h = 0;

	if (p->top > p->sel)
		p->top = p->sel;
	for (;;) {
		h = 0;
		for (size_t i = p->top; i <= p->sel && i < p->nshown; i++)
			h += plan_card(d, &p->a[p->shown[i]], cols, c) + 1;
		if (h - 1 <= avail || p->top >= p->sel)
			return;
		p->top++;
	}
}

static void draw_cards(struct desk *d, struct plan *p, int y, int avail, int cols)
{
	static struct cline c[CARD_MAX];
	int end = y + avail;

	settle(d, p, avail, cols);
	for (size_t i = p->top; i < p->nshown && y < end; i++) {
		int n = plan_card(d, &p->a[p->shown[i]], cols, c), sel = i == p->sel;
		for (int k = 0; k < n && y < end; k++, y++) {
			if (k == 0 && sel) {
				tw_fill(d, y, 0, cols, COL_SELECT);
				tw_put(d, y, 0, 1, "▶", COL_SELECT, 0);
			}
			tw_put(d, y, c[k].x, c[k].w, c[k].s, k == 0 && sel ? COL_SELECT
			       : c[k].color, 0);
			if (c[k].s2[0])
				tw_put(d, y, c[k].x2, c[k].w2, c[k].s2, k == 0 && sel
				       ? COL_SELECT : c[k].color2, 0);
		}
		y++;   /* a blank line between cards */
	}
}

/* The heading with both filters, in the longest form that fits width:
 * a kind and a long agency code cut it at 80 columns ("(0, A: tất…"),
 * so the event count, then the hint, give way before any word is cut. */
static void agency_heading(const struct plan *p, char *line, size_t size,
                           int width)
{
	const char *kind = p->filter < 0 ? T("every action")
	                                 : plan_kind_label(p->filter);

	Tfn(line, size, "Plan: %ld event; showing %s of %s and its units "
	    "(0, A: all)", "Plan: %ld events; showing %s of %s and its units "
	    "(0, A: all)", (unsigned long)p->sum.events, p->sum.events, kind,
	    p->agency);
	if (tw_width(line) <= width)
		return;
	Tf(line, size, "Showing %s of %s and its units (0, A: all)", kind,
	   p->agency);
	if (tw_width(line) <= width)
		return;
	Tf(line, size, "Showing %s of %s and its units", kind, p->agency);
}

static void draw(struct desk *d, void *self, int top, int rows, int cols)
{
	struct plan *p = self;
	char line[512];

	if (p->problem[0])
		Tf(line, sizeof line, "The stored plan cannot be computed: %s", p->problem);
	else if (p->sum.events == 0)
		snprintf(line, sizeof line, "%s", T("No plan stored yet: press i to "
		         "import a plan file (CSV, see docs/formats.md)."));
	else if (p->filter < 0)
		Tf(line, sizeof line, "Reorganization plan: %ld events, %ld "
		   "certificates looked at", p->sum.events, p->sum.certificates);
	else
		Tfn(line, sizeof line, "Reorganization plan: %ld event; showing "
		    "only: %s (0 shows all)", "Reorganization plan: %ld events; "
		    "showing only: %s (0 shows all)", (unsigned long)p->sum.events,
		    p->sum.events, plan_kind_label(p->filter));
	if (p->agency[0] && !p->problem[0] && p->sum.events)
		agency_heading(p, line, sizeof line, cols - 2);
	tw_put(d, top, 1, cols - 2, line, p->problem[0] ? COL_BAD : COL_HEAD, 0);
	draw_counts(d, p, top + 1, cols);
	if (p->nshown == 0)
		tw_put(d, top + 4, 3, cols - 4, T(p->n ? N_("No action of this kind: "
		       "press 0 to see them all.") : N_("Nothing to do.")), COL_DIM, 0);
	else
		draw_cards(d, p, top + 4, rows - 4 - keys_lines(cols), cols);
	if (p->asking_agency) {
		int lw = tw_put(d, top + rows - 1, 1, cols - 2,
		                T("Only agency (and its units; empty: all):"), COL_HEAD, 1);
		tf_draw(d, &p->agency_field, top + rows - 1, lw + 2, cols - lw - 3, 1);
		curs_set(1);
	} else {
		draw_keys(d, p, top + rows - keys_lines(cols), cols);
	}
	if (p->mode != PM_LIST)
		plan_dialog_draw(d, p);
}

/* ---- keys ----------------------------------------------------------------- */

static void pick(struct desk *d, struct plan *p, int clear)
{
	struct pact *x = p->nshown ? &p->a[p->shown[p->sel]] : NULL;
	struct td_error err;

	if (!x || !x->merge_target) {
		desk_message(d, 1, "%s", T("Only an organisation certificate of agencies "
		             "merging into a new one can be picked for the new name."));
		return;
	}
	if (td_plan_pick(d->reg, x->merge_target, clear ? NULL : x->cert_serial,
	                 &err) < 0) {
		desk_error(d, &err);
		return;
	}
	char target[128];
	snprintf(target, sizeof target, "%s", x->merge_target);
	plan_reload(d, p);
	if (clear)
		desk_message(d, 0, "%s: %s", target, T("back to the default, the "
		             "certificate valid longest."));
	else
		desk_message(d, 0, "%s: %s", target, T("picked for the new name; the "
		             "others are revoked."));
}

static void move_sel(struct plan *p, long by)
{
	long s = (long)p->sel + by;

	if (s >= (long)p->nshown)
		s = (long)p->nshown - 1;
	p->sel = s < 0 ? 0 : (size_t)s;
}

/* The agency prompt: Enter filters (an agency the registry knows, or
 * empty for all), Esc leaves the filter as it was. */
static int agency_key(struct desk *d, struct plan *p, int k)
{
	char code[128];
	struct td_error err;

	int req = plan_request(p, k);

	if (req == PR_CANCEL) {
		p->asking_agency = 0;
		return 1;
	}
	if (req != PR_OK)
		return tf_key(&p->agency_field, k), 1;
	tf_get(&p->agency_field, code, sizeof code);
	if (code[0] && td_match_check_scope(d->reg, code, &err) < 0) {
		desk_message(d, 1, "%s: %s", code, T("no agency with that code."));
		return 1;
	}
	snprintf(p->agency, sizeof p->agency, "%s", code);
	p->asking_agency = 0;
	p->sel = p->top = 0;
	refilter(d, p);
	return 1;
}

static int key(struct desk *d, void *self, int k)
{
	struct plan *p = self;
	struct pact *x = p->nshown ? &p->a[p->shown[p->sel]] : NULL;

	if (p->mode != PM_LIST)
		return plan_dialog_key(d, p, k);
	if (p->asking_agency)
		return agency_key(d, p, k);
	switch (plan_request(p, k)) {
	case PR_AGENCY:
		p->asking_agency = 1;
		tf_set(&p->agency_field, p->agency);
		return 1;
	case PR_LISTS: plan_write_lists(d, p); return 1;
	case PR_FORMS: plan_forms_open(d, p); return 1;
	case PR_UP: move_sel(p, -1); return 1;
	case PR_DOWN: move_sel(p, 1); return 1;
	case PR_PGUP: move_sel(p, -4); return 1;
	case PR_PGDN: move_sel(p, 4); return 1;
	case PR_HOME: p->sel = 0; return 1;
	case PR_END: move_sel(p, (long)p->nshown); return 1;
	case PR_FILTER_NEXT:
		p->filter = p->filter + 1 == PA_N ? -1 : p->filter + 1;
		break;
	case PR_FILTER:
		p->filter = k == '0' || k - '1' == p->filter ? -1 : k - '1';
		break;
	case PR_PICK: pick(d, p, 0); return 1;
	case PR_UNPICK: pick(d, p, 1); return 1;
	case PR_IMPORT: plan_import_open(p); return 1;
	case PR_APPLY: plan_apply_open(d, p); return 1;
	case PR_SEND: plan_send_open(d, p); return 1;
	case PR_OPEN:
		if (x)
			desk_open_record(d, x->kind == PA_COLLECT ? "token"
			                 : x->kind == PA_DOSSIERS ? "agency" : "cert",
			                 plan_target_of(x));
		return 1;
	default:
		return 0;
	}
	/* the filter changed */
	p->sel = p->top = 0;
	refilter(d, p);
	return 1;
}

static int typing(void *self)
{
	return ((struct plan *)self)->mode == PM_IMPORT ||
	       ((struct plan *)self)->asking_agency;
}

static void pfree(void *self)
{
	struct plan *p = self;

	td_arena_free(p->arena);
	free(p->a);
	free(p->shown);
	td_error_list_free(&p->errs);
	free(p);
}

static const struct screen_ops ops = {
	.title = N_("Plan"),
	.keys = plan_keys,
	.help = N_("The reorganization plan, action by action, as `tokendesk "
	        "plan show` computes it from the stored plan: info change, "
	        "revocation or keep for each certificate (letter 1.1, 1.2), "
	        "the tokens to collect (2.1, 2.2) and the request dossiers "
	        "to hand over (3.1). Each action shows its rule and why; an "
	        "info change shows the old and the new DN (side by side on a "
	        "wide terminal).\n"
	        "The counts at the top are also the filter, by the number "
	        "beside each; one agency and its units can be shown alone.\n"
	        "When agencies merge into a new one, exactly one of their "
	        "organisation certificates takes the new name (by default "
	        "the one valid longest; another can be picked). The plan is "
	        "computed again at once.\n"
	        "A plan file (CSV, docs/formats.md) is imported all or "
	        "nothing; every problem is listed as FILE:LINE: FIELD: "
	        "message.\n"
	        "Applying the plan, after a question, makes every action a "
	        "tag, in one audited transaction; applying again changes "
	        "nothing. Sending to DOST makes the tags not yet sent one "
	        "numbered batch. The lists for DOST (as `tokendesk lists` "
	        "writes them) and the Decree 68 forms for the CA (as "
	        "`tokendesk forms` writes them) go into the records folder "
	        "beside the registry; the forms' dialog chooses the form "
	        "(1-4), a spreadsheet, a PDF or a Word document (x, p, w), "
	        "and the last batch sent to DOST or the tags not yet sent "
	        "(b), and says the file written."),
	.draw = draw, .key = key, .typing = typing, .free = pfree,
};

void scr_plan_open(struct desk *d)
{
	struct plan *p = calloc(1, sizeof *p);

	if (!p)
		return;
	p->filter = -1;
	td_error_list_init(&p->errs, 200);
	desk_push(d, &ops, p);
	plan_reload(d, p);
}
