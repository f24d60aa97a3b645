/* scr_plancard.c: one action of the Plan screen laid out as a card of a
 * few lines: what and on which certificate, token or agency, with its
 * tag state; who and which rule; why; the merge pick; and the old and
 * new DN, wrapped at a DN's component boundaries so none is cut.  Only
 * the cards on screen are laid out (scr_plan.c). */
#include <config.h>

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "tokendesk/registry.h"
#include "tui/desk.h"
#include "tui/plan.h"

/* Bytes of the longest prefix of s that fits in w columns. */
static size_t fit_bytes(const char *s, int w)
{
	mbstate_t st;
	size_t at = 0, len = strlen(s);
	int used = 0;

	memset(&st, 0, sizeof st);
	while (at < len) {
		wchar_t c;
		size_t r = mbrtowc(&c, s + at, len - at, &st);
		int cw;
		if (r == (size_t)-1 || r == (size_t)-2 || r == 0) {
			r = 1;
			memset(&st, 0, sizeof st);
			c = L'?';
		}
		cw = wcwidth(c);
		cw = cw < 0 ? 1 : cw;
		if (used + cw > w)
			break;
		used += cw;
		at += r;
	}
	return at;
}

/* Wrap s into lines of at most w columns, breaking after ", " (a DN's
 * components stay whole) or else at a blank.  Returns the lines used. */
int plan_wrap(const char *s, int w, char out[][CL_MAX], int max)
{
	int n = 0;

	if (w < 8)
		w = 8;
	while (*s && n < max) {
		size_t fit = fit_bytes(s, w), cut = fit;
		if (s[fit]) {
			for (cut = fit; cut > 0 && !(s[cut - 1] == ' ' && cut > 1 &&
			                              s[cut - 2] == ','); cut--)
				;
			if (cut == 0)
				for (cut = fit; cut > 0 && s[cut - 1] != ' '; cut--)
					;
			if (cut == 0)
				cut = fit ? fit : 1;
		}
		if (cut >= CL_MAX)
			cut = CL_MAX - 1;
		memcpy(out[n], s, cut);
		out[n][cut] = '\0';
		n++;
		s += cut;
		while (*s == ' ')
			s++;
	}
	return n;
}

/* a, b and c one after the other in out, cut to fit. */
static void join(char *out, size_t size, const char *a, const char *b,
                 const char *c)
{
	const char *parts[3] = { a, b, c };
	size_t n = 0;

	for (int i = 0; i < 3; i++)
		for (const char *p = parts[i]; p && *p && n + 1 < size; p++)
			out[n++] = *p;
	out[n] = '\0';
}

static struct cline *line_at(struct cline *c, int *n, int color, int x,
                             int w, const char *s)
{
	struct cline *l;

	if (*n >= CARD_MAX)
		return NULL;
	l = &c[(*n)++];
	memset(l, 0, sizeof *l);
	l->color = color;
	l->x = x;
	l->w = w;
	join(l->s, sizeof l->s, s, "", "");
	return l;
}

/* Wrapped text as card lines: the first after label, the rest under it. */
static void text_lines(struct cline *c, int *n, int color, int x, int cols,
                       const char *label, const char *text)
{
	char w[8][CL_MAX], first[CL_MAX];
	int lw = label ? tw_width(label) + 1 : 0;
	int k = plan_wrap(text, cols - x - lw - 1, w, 8);

	for (int i = 0; i < k; i++) {
		join(first, sizeof first, i == 0 && label ? label : "",
		     i == 0 && label ? " " : "", w[i]);
		line_at(c, n, color, i ? x + lw : x, cols - (i ? x + lw : x) - 1,
		        i ? w[i] : first);
	}
}

/* The old and new DN: side by side when each half still holds a
 * readable line, else old above new. */
static void dn_lines(struct cline *c, int *n, const struct pact *x, int cols)
{
	const char *lo = T("old:"), *ln = T("new:");
	int lw = tw_width(lo) > tw_width(ln) ? tw_width(lo) : tw_width(ln);
	char a[8][CL_MAX], b[8][CL_MAX];

	if (cols < 110) {
		/* labels padded alike, so both DNs start in one column */
		char plo[64], pln[64];
		snprintf(plo, sizeof plo, "%s%*s", lo, lw - tw_width(lo), "");
		snprintf(pln, sizeof pln, "%s%*s", ln, lw - tw_width(ln), "");
		text_lines(c, n, COL_NORMAL, 4, cols, plo, x->old_dn);
		text_lines(c, n, COL_OK, 4, cols, pln, x->new_dn);
		return;
	}
	int half = (cols - 4 - 3) / 2, ka, kb;
	ka = plan_wrap(x->old_dn, half - lw - 1, a, 8);
	kb = plan_wrap(x->new_dn, half - lw - 1, b, 8);
	for (int i = 0; i < ka || i < kb; i++) {
		char pad[16];
		snprintf(pad, sizeof pad, "%*s", lw < 15 ? lw : 15, "");
		struct cline *l = line_at(c, n, COL_NORMAL, 4, half, "");
		if (!l)
			return;
		join(l->s, sizeof l->s, i ? pad : lo, " ", i < ka ? a[i] : "");
		join(l->s2, sizeof l->s2, "│ ", i ? pad : ln, " ");
		join(l->s2 + strlen(l->s2), sizeof l->s2 - strlen(l->s2), i < kb ? b[i] : "",
		     "", "");
		l->color2 = COL_OK;
		l->x2 = 4 + half + 3;
		l->w2 = half;
	}
}

static int got_tag(const struct td_tag *t, void *ctx)
{
	struct pact *x = ctx;
	char batch[64] = "";

	if (t->batch)
		Tf(batch, sizeof batch, "sent: batch %lld", (long long)t->batch);
	/* a tag that says something else than the plan is worth a look */
	if (strcmp(t->kind, x->action) != 0)
		Tf(x->tag, sizeof x->tag, "tagged by hand: %s", t->kind);
	else if (strcmp(t->state, "tagged") == 0)
		snprintf(x->tag, sizeof x->tag, "✓ %s", T("tagged"));
	else if (strcmp(t->state, "sent_to_dost") == 0)
		snprintf(x->tag, sizeof x->tag, "✓ %s", batch);
	else
		snprintf(x->tag, sizeof x->tag, "✓ %s", T("confirmed"));
	return 0;
}

static void load_tag(struct desk *d, struct pact *x)
{
	static const char *const tkind[PA_N] = { "cert", "cert", "cert", "token", "agency" };
	struct td_error err;

	if (x->tag_loaded)
		return;
	x->tag_loaded = 1;
	snprintf(x->tag, sizeof x->tag, "%s", T("not tagged yet"));
	if (td_reg_tag_find(d->reg, tkind[x->kind], plan_target_of(x), got_tag, x, &err) < 0 &&
	    err.code != TD_ERR_NOTFOUND)
		join(x->tag, sizeof x->tag, err.message, "", "");
}

/* The card of one action; returns its number of lines. */
int plan_card(struct desk *d, struct pact *x, int cols, struct cline *c)
{
	char s[CL_MAX], who[CL_MAX], why[1024];
	int n = 0, lw = 0;

	for (int k = 0; k < PA_N; k++)
		if (tw_width(plan_kind_label(k)) > lw)
			lw = tw_width(plan_kind_label(k));
	load_tag(d, x);
	line_at(c, &n, COL_HEAD, 2, lw, plan_kind_label(x->kind));
	struct cline *l = &c[0];
	int tagc = x->tag[0] == '\xe2' ? COL_OK : COL_WARN;
	l->x2 = 2 + lw + 2;
	l->w2 = cols - l->x2 - 1;
	join(l->s2, sizeof l->s2, plan_target_of(x) ? plan_target_of(x) : "?", "  ", x->tag);
	l->color2 = tagc;
	/* no room beside the serial: the tag state gets a line of its own */
	if (tw_width(l->s2) > l->w2) {
		join(l->s2, sizeof l->s2, plan_target_of(x) ? plan_target_of(x) : "?", "", "");
		line_at(c, &n, tagc, 4, cols - 5, x->tag);
	}
	/* who it concerns, then the rule that demands it */
	if (x->kind == PA_COLLECT || x->kind == PA_DOSSIERS)
		snprintf(who, sizeof who, "%s → %s", x->kind == PA_COLLECT && x->holder_name
		   ? x->holder_name : x->agency_code ? x->agency_code : "",
		   x->to_agency ? x->to_agency : "?");
	else
		snprintf(who, sizeof who, "%s · %s", x->holder_name ? x->holder_name : "",
		         x->agency_code ? x->agency_code : "");
	Tf(s, sizeof s, "%s · rule %s", who, x->rule ? x->rule : "?");
	text_lines(c, &n, COL_NORMAL, 4, cols, NULL, s);
	plan_why(d, x, why, sizeof why);
	text_lines(c, &n, COL_DIM, 4, cols, NULL, why);
	if (x->merge_target) {
		if (x->picked)
			Tf(s, sizeof s, "New agency %s: the operator picked this certificate "
			   "for the new name (u: back to the default)", x->merge_target);
		else
			Tf(s, sizeof s, "New agency %s: n picks this certificate for the "
			   "new name", x->merge_target);
		text_lines(c, &n, x->picked ? COL_OK : COL_WARN, 4, cols, NULL, s);
	}
	if (x->kind == PA_CHANGE && x->old_dn && x->new_dn)
		dn_lines(c, &n, x, cols);
	else if (x->kind == PA_KEEP && x->old_dn)
		text_lines(c, &n, COL_NORMAL, 4, cols, T("DN:"), x->old_dn);
	return n;
}

