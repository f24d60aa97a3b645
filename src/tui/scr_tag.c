/* scr_tag.c: the tag dialog over a record screen (g).  The operator
 * chooses what must happen -- each choice carries its Decree 68 request
 * kind, exactly as `tokendesk tag WORD` does (cmd_tag.c) --, types the
 * reason that goes to DOST, and saves; or removes the tag.  The writes
 * are the CLI's: td_reg_tag_put / td_reg_tag_delete in one audited
 * transaction, refused once the tag was sent to DOST. */
#include <config.h>

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokendesk/registry.h"
#include "tokendesk/tag.h"
#include "tui/plan.h"
#include "tui/keys.h"
#include "tui/tag.h"
#include "tui/widget.h"


/* What can be tagged by hand: cmd_tag.c's table, with words for people. */
static const struct choice {
	const char *kind, *target_kind, *request, *label;
} choices[] = {
	{ "revoke", "cert", "revocation", N_("Revoke") },
	{ "change_info", "cert", "info_change", N_("Change the information") },
	{ "keep", "cert", NULL, N_("Keep as it is") },
	{ "renew", "cert", "renewal", N_("Renew") },
	{ "recover_token", "token", "token_recovery", N_("Recover the token") },
	{ "collect", "token", NULL, N_("Collect the token") },
	{ "new_issue", "agency", "new_issue", N_("Issue a new certificate") },
};
#define NCHOICES (sizeof choices / sizeof choices[0])

struct tagdlg {
	char target_kind[8], target[128];
	const struct choice *opt[NCHOICES];
	int nopt, sel, focus;            /* focus 0: the choices, 1: reason */
	int removing;                    /* asking "remove the tag?" */
	struct tag_text now;             /* the tag there now */
	char state[32];                  /* its state, "" when none */
	struct tf_field reason;
};

static const char *request_label(const char *r)
{
	static const char *const map[][2] = {
		{ "new_issue", N_("New issue") }, { "renewal", N_("Renewal") },
		{ "info_change", N_("Info change") }, { "revocation", N_("Revocation") },
		{ "token_recovery", N_("Token recovery") },
	};
	for (size_t i = 0; r && i < sizeof map / sizeof *map; i++)
		if (strcmp(map[i][0], r) == 0)
			return T(map[i][1]);
	return T("no request to the CA");
}

static const char *kind_label(const char *kind)
{
	static const char *const map[][2] = {
		{ "change_info", N_("info change") }, { "revoke", N_("revoke") },
		{ "keep", N_("keep") }, { "collect", N_("collect the token") },
		{ "handover_dossiers", N_("hand the dossiers over") },
		{ "renew", N_("renew") }, { "recover_token", N_("recover the token") },
		{ "new_issue", N_("new issue") },
	};
	for (size_t i = 0; kind && i < sizeof map / sizeof *map; i++)
		if (strcmp(map[i][0], kind) == 0)
			return T(map[i][1]);
	return kind ? kind : "";
}

struct found {
	struct desk *d;
	struct tag_text *out;
	struct tagdlg *t;
};

/* A plan's tag stores the workflow's English reason (what goes to DOST);
 * the desk says why in its own language, as the plan screen does. */
static void reason_text(struct desk *d, const struct td_tag *g, char *out,
                        size_t size)
{
	struct pact x = { .action = g->kind, .rule = g->rule, .reason = g->reason };

	if (g->origin && strcmp(g->origin, "plan") == 0)
		plan_why(d, &x, out, size);
	else
		snprintf(out, size, "%s", g->reason ? g->reason : "");
}

static int describe(const struct td_tag *g, void *ctx)
{
	struct found *f = ctx;
	char state[96];

	if (strcmp(g->state, "sent_to_dost") == 0)
		Tf(state, sizeof state, "sent to DOST, batch %lld", (long long)g->batch);
	else
		snprintf(state, sizeof state, "%s", T(strcmp(g->state, "tagged") == 0
		         ? N_("tagged, not yet sent") : N_("confirmed by the CA")));
	snprintf(f->out->what, sizeof f->out->what, "%s · %s: %s", kind_label(g->kind),
	         T("request"), request_label(g->request));
	snprintf(f->out->state, sizeof f->out->state, "%s · %s", state,
	         T(strcmp(g->origin ? g->origin : "", "manual") == 0 ? N_("by hand")
	           : N_("from the plan")));
	reason_text(f->d, g, f->out->reason, sizeof f->out->reason);
	if (f->t) {
		/* start the dialog from what is there */
		snprintf(f->t->state, sizeof f->t->state, "%s", g->state);
		for (int i = 0; i < f->t->nopt; i++)
			if (strcmp(f->t->opt[i]->kind, g->kind) == 0)
				f->t->sel = i;
		if (g->reason)
			tf_set(&f->t->reason, g->reason);
	}
	return 0;
}

int tag_describe(struct desk *d, const char *target_kind, const char *target,
                 struct tag_text *out)
{
	struct found f = { d, out, NULL };
	struct td_error err;

	memset(out, 0, sizeof *out);
	return td_reg_tag_find(d->reg, target_kind, target, describe, &f, &err) == 0;
}

struct tagdlg *tagdlg_open(struct desk *d, const char *target_kind,
                           const char *target)
{
	struct tagdlg *t = calloc(1, sizeof *t);
	struct found f;
	struct td_error err;

	if (!t)
		return NULL;
	for (size_t i = 0; i < NCHOICES; i++)
		if (strcmp(choices[i].target_kind, target_kind) == 0)
			t->opt[t->nopt++] = &choices[i];
	if (!t->nopt) {
		free(t);
		return NULL;
	}
	snprintf(t->target_kind, sizeof t->target_kind, "%s", target_kind);
	snprintf(t->target, sizeof t->target, "%s", target);
	f = (struct found){ d, &t->now, t };
	if (td_reg_tag_find(d->reg, target_kind, target, describe, &f, &err) < 0)
		snprintf(t->now.what, sizeof t->now.what, "%s", T("not tagged"));
	return t;
}

void tagdlg_free(struct tagdlg *t)
{
	free(t);
}

int tagdlg_typing(const struct tagdlg *t)
{
	return t && t->focus == 1 && !t->removing;
}

/* s then blanks up to width columns, into out. */
static void padded(char *out, size_t size, const char *s, int width)
{
	int n = snprintf(out, size, "%s", s);

	for (int w = tw_width(s); w < width && n > 0 && (size_t)n + 1 < size; w++)
		out[n++] = ' ', out[n] = '\0';
}

/* In the desk's one dialog box (tw_dialog): the choices in two columns
 * (what must happen, the request to the CA), the reason's field on the
 * line left blank for it, the keys last. */
void tagdlg_draw(struct desk *d, struct tagdlg *t)
{
	static char line[NCHOICES + 3][600];
	char title[600], col[300];
	const char *text[NCHOICES + 10];
	int colors[NCHOICES + 10], rows[NCHOICES + 10], n = 0, cw, field, x, w;
	int reason_focus = t->focus == 1 && !t->removing;

	Tf(title, sizeof title, t->target_kind[0] == 'c' ? N_("Tag certificate %s")
	   : t->target_kind[0] == 't' ? N_("Tag token %s") : N_("Tag agency %s"),
	   t->target);
	snprintf(line[0], sizeof line[0], "%s %s%s%s", T("Now:"), t->now.what,
	         t->state[0] ? " · " : "", t->now.state);
	text[n] = line[0], colors[n++] = t->state[0] ? COL_WARN : COL_DIM;
	text[n] = "", colors[n++] = COL_NORMAL;
	cw = tw_width(T("What must happen"));
	for (int i = 0; i < t->nopt; i++) {
		snprintf(col, sizeof col, "(•) %s", T(t->opt[i]->label));
		if (tw_width(col) > cw)
			cw = tw_width(col);
	}
	cw += 3;
	padded(col, sizeof col, T("What must happen"), cw);
	snprintf(line[1], sizeof line[1], "%s%s", col, T("Request to the CA (Decree 68)"));
	text[n] = line[1], colors[n++] = COL_HEAD;
	for (int i = 0; i < t->nopt; i++) {
		int on = i == t->sel;
		char choice[300];
		snprintf(choice, sizeof choice, "%s %s", on ? "(•)" : "( )", T(t->opt[i]->label));
		padded(col, sizeof col, choice, cw);
		snprintf(line[2 + i], sizeof line[2 + i], "%s%s", col,
		         request_label(t->opt[i]->request));
		text[n] = line[2 + i];
		colors[n++] = on && t->focus == 0 ? COL_SELECT : COL_NORMAL;
	}
	text[n] = "", colors[n++] = COL_NORMAL;
	text[n] = T("Reason (required; it goes to DOST):");
	colors[n++] = t->focus == 1 ? COL_HEAD : COL_NORMAL;
	field = n;
	text[n] = "", colors[n++] = COL_NORMAL;   /* the reason's field */
	text[n] = "", colors[n++] = COL_NORMAL;
	text[n] = t->removing ? T("Remove this tag? y: yes    n or Esc: no")
	          : T("↑↓ choose  Tab: reason  Enter: save  x: remove the tag  "
	              "Esc: cancel");
	colors[n++] = COL_KEY;
	tw_dialog_rows(d, title, text, colors, n, &x, &w, rows);
	if (rows[field] < 0)
		return;
	tf_draw(d, &t->reason, rows[field], x, w, reason_focus);
	if (reason_focus)
		curs_set(1);
}

/* Write the tag as `tokendesk tag WORD TARGET --reason TEXT` does. */
static int save(struct desk *d, struct tagdlg *t)
{
	const struct choice *c = t->opt[t->sel];
	char reason[1024];
	struct td_tag g = { .target_kind = t->target_kind, .target = t->target,
	                    .kind = c->kind, .request = c->request,
	                    .origin = "manual", .rule = "manual", .reason = reason };
	struct td_error err;
	int rc, changed = 0;

	tf_get(&t->reason, reason, sizeof reason);
	if (!reason[0]) {
		t->focus = 1;
		desk_message(d, 1, "%s", T("Type a reason: it goes to DOST with the request."));
		return TAGDLG_OPEN;
	}
	if (desk_text_refused(d, T("Reason"), reason)) {
		t->focus = 1;
		return TAGDLG_OPEN;
	}
	if (t->state[0] && strcmp(t->state, "tagged") != 0) {
		desk_message(d, 1, "%s", T("Already sent to DOST: this tag cannot "
		             "change now."));
		return TAGDLG_OPEN;
	}
	if ((rc = td_tag_put(d->reg, &g, &changed, &err)) < 0) {
		desk_error(d, &err);
		return TAGDLG_OPEN;
	}
	desk_message(d, 0, "%s %s %s", t->target, T(changed ? N_("tagged:")
	             : N_("was already tagged so:")), kind_label(c->kind));
	return TAGDLG_DONE;
}

static int remove_tag(struct desk *d, struct tagdlg *t)
{
	struct td_error err;
	int rc;

	t->removing = 0;
	if (!t->state[0]) {
		desk_message(d, 1, "%s", T("There is no tag to remove."));
		return TAGDLG_OPEN;
	}
	if (strcmp(t->state, "tagged") != 0) {
		desk_message(d, 1, "%s", T("Already sent to DOST: this tag cannot "
		             "change now."));
		return TAGDLG_OPEN;
	}
	if ((rc = td_tag_remove(d->reg, t->target, &err)) < 0) {
		desk_error(d, &err);
		return TAGDLG_OPEN;
	}
	desk_message(d, 0, "%s: %s", t->target, T("tag removed."));
	return TAGDLG_DONE;
}

/* The dialog's requests and keys (keys.h): mode 0 on the choices, 1 in
 * the reason (letters are its text); removing asks y/n (tw_answer). */
enum { TG_NONE, TG_CANCEL, TG_FOCUS, TG_SAVE, TG_ENTER, TG_UP, TG_DOWN,
       TG_REMOVE };

static const struct screen_key tag_keys[] = {
	{ TG_CANCEL, SK_ALL, { TDK_ESC }, 1, "Esc", NULL, NULL },
	{ TG_FOCUS, SK_ALL, { '\t', TDK(KEY_BTAB) }, 1, "Tab", NULL, NULL },
	{ TG_SAVE, SK_ALL, { TDK(KEY_F(9)) }, 1, "F9", NULL, NULL },
	{ TG_ENTER, SK_ALL, { TDK_ENTER }, 1, "Enter", NULL, NULL },
	{ TG_UP, SK_ALL, { TDK(KEY_UP) }, 1, "↑", NULL, NULL },
	{ TG_DOWN, SK_ALL, { TDK(KEY_DOWN) }, 1, "↓", NULL, NULL },
	{ TG_REMOVE, SK_MODE(0), { 'x', TDK(KEY_DC) }, 0, "x", NULL, NULL },
	{ 0, 0, { 0 }, 0, NULL, NULL, NULL },
};

int tagdlg_key(struct desk *d, struct tagdlg *t, int k)
{
	if (t->removing) {
		int answer = tw_answer(k);
		if (answer == 1)
			return remove_tag(d, t);
		if (answer == 0)
			t->removing = 0;
		return TAGDLG_OPEN;
	}
	switch (screen_request(tag_keys, t->focus, k, t->focus == 1)) {
	case TG_CANCEL:
		desk_message(d, 0, "%s", T("Nothing was written."));
		return TAGDLG_DONE;
	case TG_FOCUS:
		t->focus = !t->focus;
		return TAGDLG_OPEN;
	case TG_SAVE:
		return save(d, t);
	case TG_ENTER:
		if (t->focus == 0) {
			t->focus = 1;
			return TAGDLG_OPEN;
		}
		return save(d, t);
	case TG_UP:
		if (t->focus == 1)
			t->focus = 0;
		else if (t->sel > 0)
			t->sel--;
		return TAGDLG_OPEN;
	case TG_DOWN:
		if (t->focus == 0 && t->sel + 1 < t->nopt)
			t->sel++;
		else
			t->focus = 1;
		return TAGDLG_OPEN;
	case TG_REMOVE:
		t->removing = 1;
		return TAGDLG_OPEN;
	}
	if (t->focus == 1)
		tf_key(&t->reason, k);
	return TAGDLG_OPEN;
}
