/* scr_conflicts.c: field-kit conflicts (K): a record changed both at
 * home and in the field, or master data edited in the field.  A kit
 * merge never decides these silently (docs/counts-and-kits.md); here the
 * operator sees, for each, what home holds now, what the field changed
 * it to and from, and keeps one version, after a confirmation, through
 * the same registry call as `tokendesk kit resolve ID --keep home|field`
 * (audited).  Decided conflicts are hidden, or shown dimmed with a. */
#include <config.h>

#include <curses.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tokendesk/kit.h"
#include "tokendesk/registry.h"
#include "tui/desk.h"
#include "tui/keys.h"
#include "tui/widget.h"

#ifndef N_
#endif

enum { DLG_NONE, DLG_CHOOSE, DLG_CONFIRM };

struct conflicts {
	struct tl_list list;
	int all;                 /* decided ones too, dimmed */
	int nopen, nshown;
	int dialog, keep_field;
	int64_t id;              /* the conflict in the dialog */
	char what[600];          /* its record, in words */
	char home[600], field[600];   /* the two versions, in words */
};

/* Texts the registry writes in English (kit_apply.c), for T(). */
static const char *const reasons[] = {
	N_("changed both in the field and at home"),
	N_("changed in the field, deleted at home"),
	N_("changed in the field in a table only home changes"),
	N_("added in the field to a table only home changes"),
	N_("added in the field; home holds a row of the same key"),
	N_("deleted in the field from a table only home changes"),
	N_("deleted in the field, changed at home"),
};

static const char *const columns[] = {
	"custodian", N_("Custodian"), "state", N_("State"), "email", N_("Email"),
	"name", N_("Name"), "position", N_("Position"), "status", N_("Status"),
	"model", N_("Model"), "closed_at", N_("Closed at"), "closed_by",
	N_("Closed by"), "found", N_("Found"), "missing", N_("Missing"),
	"unexpected", N_("Unexpected"), "unknown", N_("Unknown"), "duplicate",
	N_("Duplicate"), "expected", N_("Expected"), "scans", N_("Scans"),
	"lines", N_("Count lines"), "lines_sha256", N_("Lines digest"),
	"agency", N_("Agency"), "holder", N_("Official"),
	"token", N_("Token"),
	/* every other column a kit carries, so that no English name of a
	 * column shows in Vietnamese (values stay as stored: codes) */
	"code", N_("Code"), "parent", N_("Superior agency"), "level", N_("Level"),
	"valid_from", N_("Valid from"), "valid_to", N_("Valid to"),
	"kind", N_("Kind"), "ext_id", N_("ID number"),
	"no_longer_needed", N_("No longer needed"), "serial", N_("Serial"),
	"issuer", N_("Issuer"), "subject_dn", N_("Subject DN"),
	"not_before", N_("Not before"), "not_after", N_("Not after"),
	"revoked_at", N_("Revoked at"), "fingerprint", N_("Fingerprint"),
	"ref", N_("Reference"), "created_at", N_("Created at"),
	"remarks", N_("Remarks"), "target_kind", N_("Target kind"),
	"target", N_("Target"), "request", N_("Request"), "batch", N_("Batch"),
	"origin", N_("Origin"), "rule", N_("Rule"), "reason", N_("Reason"),
	"detail", N_("Detail"), "created", N_("Created"), "updated", N_("Updated"),
	"at", N_("At"), "operator", N_("Operator"), "from_custodian", N_("From"),
	"to_custodian", N_("To"), "condition", N_("Condition"),
	"uid", N_("Count ID"), "scope_kind", N_("Scope kind"), "scope", N_("Scope"),
	"started_at", N_("Started at"),
	/* a reference no row here answers (a row another conflict adds) */
	"agency_id", N_("Agency"), "holder_id", N_("Official"),
	"token_id", N_("Token"), "parent_id", N_("Superior agency"),
	"issuer_id", N_("Issuer"), "handover_id", N_("Handover"),
	"dossier_id", N_("Dossier"), NULL, NULL
};

/* A reference (agency_id...) that the registry named beside it
 * (kit_conflict.c: "agency"...): the name is shown, not the id. */
static int named_elsewhere(json_t *o, const char *k)
{
	size_t n = strlen(k);
	char name[64];

	if (n <= 3 || n - 3 >= sizeof name || strcmp(k + n - 3, "_id") != 0)
		return 0;
	memcpy(name, k, n - 3);
	name[n - 3] = '\0';
	return json_object_get(o, name) != NULL;
}

static const char *column_label(const char *c)
{
	for (int i = 0; columns[i]; i += 2)
		if (strcmp(columns[i], c) == 0)
			return T(columns[i + 1]);
	return c;
}

static const char *reason_text(const char *r)
{
	for (size_t i = 0; r && i < sizeof reasons / sizeof *reasons; i++)
		if (strcmp(reasons[i], r) == 0)
			return T(reasons[i]);
	return r ? r : "";
}

/* A JSON value as the operator reads it. */
static void value_text(json_t *v, char *out, size_t size)
{
	char *dump;

	if (!v || json_is_null(v)) {
		snprintf(out, size, "—");
	} else if (json_is_string(v)) {
		snprintf(out, size, "%s", json_string_value(v));
	} else if (json_is_array(v)) {
		/* a count's lines (kit_count.c): how many, not each */
		snprintf(out, size, "%zu", json_array_size(v));
	} else {
		dump = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
		snprintf(out, size, "%s", dump ? dump : "?");
		free(dump);
	}
}

/* A key of a version that is not a column to show: the row's id, a
 * reference the record names by its label, and the merge's note of the
 * conflicts a field row's references wait on (kit_apply.c). */
static int hidden_key(json_t *o, const char *k)
{
	return strcmp(k, "id") == 0 || strcmp(k, "conflict_refs") == 0 ||
	       named_elsewhere(o, k);
}

/* The field's value of k: a reference the merge could not give a home
 * id, to a row another conflict adds, is named by that conflict. */
static void field_value_text(json_t *fnew, const char *k, char *out, size_t size)
{
	json_t *ref = json_object_get(json_object_get(fnew, "conflict_refs"), k);
	json_t *v = fnew ? json_object_get(fnew, k) : NULL;

	if ((!v || json_is_null(v)) && json_is_integer(ref))
		Tf(out, size, "the row conflict #%lld adds", (long long)json_integer_value(ref));
	else
		value_text(v, out, size);
}

static const char *jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* The record from the conflict's label (kit_conflict.label): "Token
 * T-SB-01: a001, Nguyễn Văn An (0010...), SA Sở A"; 0 when it has none. */
static int label_text(const struct td_kit_conflict *c, json_t *label, char *out,
                      size_t size)
{
	/* the most specific first: a dossier's label names its agency too */
	static const char *const heads[] = { "token", N_("Token"), "certificate",
		N_("Certificate"), "holder", N_("Official"), "dossier", N_("Dossier"),
		"tag", N_("Tag"), "handover", N_("Handover"), "count", N_("Count"),
		"agency", N_("Agency"), NULL, NULL };
	static const char *const more[] = { "certificates", "certificate", "holders",
		"holder", "agency", "token", "scope", NULL };
	size_t n = 0;
	const char *first = NULL;
	int own = -1;

	/* the record itself first: a certificate's label names its token too */
	for (int i = 0; heads[i] && own < 0; i += 2)
		if (c->own && strcmp(heads[i], c->own) == 0 && jstr(label, heads[i]))
			own = i;
	for (int i = own >= 0 ? own : 0; heads[i] && !first; i += 2)
		if (jstr(label, heads[i])) {
			first = heads[i];
			n = (size_t)snprintf(out, size, "%s %s", T(heads[i + 1]),
			                     jstr(label, heads[i]));
		}
	if (!first)
		return 0;
	for (int i = 0; more[i] && n < size; i++)
		if (strcmp(more[i], first) != 0 && jstr(label, more[i]))
			n += (size_t)snprintf(out + n, size - n, "%s%s",
			                      strchr(out, ':') ? ", " : ": ",
			                      jstr(label, more[i]));
	return 1;
}

/* Which record: a token by serial, an official by name and id... */
static void record_text(const struct td_kit_conflict *c, json_t *home,
                        json_t *fnew, char *out, size_t size)
{
	json_t *o = home ? home : fnew;
	const char *name = jstr(o, "name"), *serial = jstr(o, "serial");
	json_t *label = c->label ? json_loads(c->label, 0, NULL) : NULL;
	int named = label && label_text(c, label, out, size);

	json_decref(label);
	if (named)
		return;
	if (strcmp(c->table, "token") == 0 && serial)
		snprintf(out, size, "%s %s", T("Token"), serial);
	else if (strcmp(c->table, "certificate") == 0 && serial)
		snprintf(out, size, "%s %s", T("Certificate"), serial);
	else if (strcmp(c->table, "holder") == 0 && name)
		snprintf(out, size, "%s %s (%s)", T("Official"), name,
		         jstr(o, "ext_id") ? jstr(o, "ext_id") : "?");
	else if (strcmp(c->table, "agency") == 0 && name)
		snprintf(out, size, "%s %s (%s)", T("Agency"), name,
		         jstr(o, "code") ? jstr(o, "code") : "?");
	else
		snprintf(out, size, "%s %s", c->table, c->pk ? c->pk : "");
}

/* "custodian dost, state at_dost": the columns the field changed. */
static void version_text(json_t *keys, json_t *from, char *out, size_t size)
{
	const char *k;
	json_t *v;
	size_t n = 0;

	out[0] = '\0';
	if (!from) {
		snprintf(out, size, "%s", T("(no such row)"));
		return;
	}
	json_object_foreach(keys, k, v) {
		char val[300];
		(void)v;
		if (hidden_key(keys, k) || n >= size)
			continue;
		field_value_text(from, k, val, sizeof val);
		n += (size_t)snprintf(out + n, size - n, "%s%s %s", n ? ", " : "",
		                      column_label(k), val);
	}
}

struct build_ctx {
	struct desk *d;
	struct conflicts *s;
};

/* The status line of a decided conflict. */
static void decided_text(const struct td_kit_conflict *c, char *out, size_t size)
{
	char day[32];

	Tf(out, size, strcmp(c->status, "kept_field") == 0
	              ? N_("decided: the field's version kept (%s, %s)")
	              : N_("decided: home's version kept (%s, %s)"),
	   c->resolved_by ? c->resolved_by : "?",
	   c->resolved_at ? desk_date(c->resolved_at, day, sizeof day) : "");
}

/* "Handover at home: BG-...; in the field: BG-...": the numbers each
 * side signed for the token, as the papers a person holds name them. */
static void handovers_line(struct build_ctx *b, const struct td_kit_conflict *c,
                           int open)
{
	json_t *label = c->label ? json_loads(c->label, 0, NULL) : NULL;
	const char *hh = jstr(label, "home_handover"), *fh = jstr(label, "field_handover");
	char line[600];

	if (hh || fh) {
		Tf(line, sizeof line, N_("     Handover at home: %s; in the field: %s"),
		   hh ? hh : "—", fh ? fh : "—");
		tl_add_wrapped(&b->s->list, open ? COL_NORMAL : COL_DIM, line,
		               b->d->cols - 2, 5);
	}
	json_decref(label);
}

/* One conflict: a heading, then each changed column side by side. */
static int add_one(const struct td_kit_conflict *c, void *ctx)
{
	struct build_ctx *b = ctx;
	struct tl_list *l = &b->s->list;
	json_t *home = c->home ? json_loads(c->home, 0, NULL) : NULL;
	json_t *fold = c->field_old ? json_loads(c->field_old, 0, NULL) : NULL;
	json_t *fnew = c->field_new ? json_loads(c->field_new, 0, NULL) : NULL;
	json_t *keys = fnew ? fnew : fold ? fold : home;
	int open = strcmp(c->status, "open") == 0;
	char id[32], what[600], head[1400], state[300];
	const char *k;
	json_t *v;

	snprintf(id, sizeof id, "%" PRId64, c->id);
	record_text(c, home, fnew, what, sizeof what);
	if (open)
		snprintf(state, sizeof state, "%s", reason_text(c->reason));
	else
		decided_text(c, state, sizeof state);
	snprintf(head, sizeof head, "#%s  %s", id, what);
	tl_add(l, open ? COL_WARN : COL_DIM, "conflict", id, head, NULL, NULL, NULL);
	/* why, on rows of its own: at 80 columns it must not be cut */
	snprintf(head, sizeof head, "     %s", state);
	tl_add_wrapped(l, open ? COL_NORMAL : COL_DIM, head, b->d->cols - 2, 5);
	handovers_line(b, c, open);
	tl_add(l, COL_DIM, NULL, NULL, "", open ? T("Home now") : T("Home at merge"),
	       T("Field (kit)"),
	       T("Field started from"));
	json_object_foreach(keys, k, v) {
		char hv[300], nv[300], ov[300];
		(void)v;
		if (hidden_key(keys, k))
			continue;
		value_text(home ? json_object_get(home, k) : NULL, hv, sizeof hv);
		field_value_text(fnew, k, nv, sizeof nv);
		value_text(fold ? json_object_get(fold, k) : NULL, ov, sizeof ov);
		/* a column of the record that no side changed (the merge holds
		 * the whole record: kit_apply.c, record_before) says nothing,
		 * nor one of a row the field added as home holds it */
		if (home && fnew && strcmp(hv, nv) == 0 && (!fold || strcmp(nv, ov) == 0))
			continue;
		tl_add(l, open ? COL_NORMAL : COL_DIM, NULL, NULL, column_label(k),
		       home ? hv : T("(no such row)"), fnew ? nv : T("(deleted)"), ov);
	}
	tl_add(l, COL_NORMAL, NULL, NULL, "", NULL, NULL, NULL);
	b->s->nshown++;
	b->s->nopen += open;
	json_decref(home);
	json_decref(fold);
	json_decref(fnew);
	return 0;
}

static void build(struct desk *d, struct conflicts *s)
{
	struct build_ctx b = { d, s };
	struct td_error err;
	int sel = s->list.sel;

	tl_clear(&s->list);
	s->nopen = s->nshown = 0;
	if (td_reg_kit_each_conflict(d->reg, !s->all, add_one, &b, &err) < 0)
		desk_error(d, &err);
	s->list.sel = sel < s->list.n ? sel : 0;
	tl_settle(&s->list, 1);
}

/* Load one conflict's words for the dialog. */
static int find_one(const struct td_kit_conflict *c, void *ctx)
{
	struct conflicts *s = ctx;
	json_t *home, *fold, *fnew;

	if (c->id != s->id)
		return 0;
	home = c->home ? json_loads(c->home, 0, NULL) : NULL;
	fold = c->field_old ? json_loads(c->field_old, 0, NULL) : NULL;
	fnew = c->field_new ? json_loads(c->field_new, 0, NULL) : NULL;
	record_text(c, home, fnew, s->what, sizeof s->what);
	version_text(fnew ? fnew : fold, home, s->home, sizeof s->home);
	if (fnew)
		version_text(fnew, fnew, s->field, sizeof s->field);
	else
		snprintf(s->field, sizeof s->field, "%s", T("(deleted)"));
	json_decref(home);
	json_decref(fold);
	json_decref(fnew);
	return strcmp(c->status, "open") == 0 ? 1 : 2;
}

/* Open the dialog on the selected conflict: choose (keep < 0) or
 * straight to the confirmation of keep 0 (home) / 1 (field). */
static void ask(struct desk *d, struct conflicts *s, int keep)
{
	struct tl_row *r = tl_selected(&s->list);
	struct td_error err;
	int rc;

	if (!r || !r->kind)
		return;
	s->id = strtoll(r->key, NULL, 10);
	rc = td_reg_kit_each_conflict(d->reg, 0, find_one, s, &err);
	if (rc == 2) {
		desk_message(d, 1, "%s", T("This conflict was already decided."));
		return;
	}
	if (rc != 1) {
		if (rc < 0)
			desk_error(d, &err);
		return;
	}
	s->keep_field = keep > 0;
	s->dialog = keep < 0 ? DLG_CHOOSE : DLG_CONFIRM;
}

/* The same call as `tokendesk kit resolve`, in its own transaction. */
static void resolve(struct desk *d, struct conflicts *s)
{
	struct td_error err;
	int rc;

	if ((rc = td_kit_resolve(d->reg, s->id, s->keep_field, &err)) < 0) {
		desk_error(d, &err);
	} else {
		char msg[300];
		Tf(msg, sizeof msg, s->keep_field
		   ? N_("Conflict %lld decided: the field's version was kept.")
		   : N_("Conflict %lld decided: home's version was kept."),
		   (long long)s->id);
		desk_message(d, 0, "%s", msg);
	}
	build(d, s);
}

/* In the desk's one dialog box (tw_dialog): centred, sized to its text,
 * a value too long for a line wrapped, never cut. */
static void draw_dialog(struct desk *d, struct conflicts *s)
{
	char title[200], home[900], field[900];
	const char *text[8];
	int colors[8], n = 0, choose = s->dialog == DLG_CHOOSE;

	if (choose)
		Tf(title, sizeof title, "Conflict %lld: which version stays?",
		   (long long)s->id);
	else
		snprintf(title, sizeof title, "%s", s->keep_field
		         ? T("Keep the field's version?") : T("Keep home's version?"));
	snprintf(home, sizeof home, "%s: %s", T("Home now"), s->home);
	snprintf(field, sizeof field, "%s: %s", T("Field (kit)"), s->field);
	text[n] = s->what, colors[n++] = COL_HEAD;
	text[n] = home, colors[n++] = !choose && !s->keep_field ? COL_OK : COL_NORMAL;
	text[n] = field, colors[n++] = !choose && s->keep_field ? COL_OK : COL_NORMAL;
	text[n] = "", colors[n++] = COL_NORMAL;
	if (choose) {
		text[n] = T("1 or ←: keep home's version    2 or →: keep the field's version");
		colors[n++] = COL_KEY;
		text[n] = "", colors[n++] = COL_NORMAL;
		text[n] = T("Esc: decide later"), colors[n++] = COL_KEY;
	} else {
		text[n] = T("Written at once, with an audit row; it cannot be decided again.");
		colors[n++] = COL_DIM;
		text[n] = "", colors[n++] = COL_NORMAL;
		text[n] = T("y: yes, keep it    n or Esc: no"), colors[n++] = COL_KEY;
	}
	tw_dialog(d, title, text, colors, n, NULL, NULL);
}

/* The screen's requests and keys (keys.h): in the list, and in the
 * dialog choosing a version (its y/n is tw_answer's, as every dialog's). */
enum { CO_NONE, CO_DECIDE, CO_HOME, CO_FIELD, CO_ALL, CO_LATER };
#define LIST SK_MODE(DLG_NONE)
#define CHOOSE SK_MODE(DLG_CHOOSE)

static const struct screen_key conflict_keys[] = {
	{ CO_DECIDE, LIST, { TDK_ENTER, 'r' }, 0, "Enter", N_("decide"),
	  N_("Decide the selected conflict: which version stays (also r)") },
	{ CO_HOME, LIST | CHOOSE, { '1', TDK(KEY_LEFT) }, 0, "1", N_("keep home"),
	  N_("Keep home's version (in the dialog also ←); y then confirms") },
	{ CO_FIELD, LIST | CHOOSE, { '2', TDK(KEY_RIGHT) }, 0, "2", N_("keep field"),
	  N_("Keep the field's version (in the dialog also →); y then confirms") },
	{ CO_ALL, LIST, { 'a' }, 0, "a", N_("show decided too"),
	  N_("Show the decided conflicts too, or hide them again") },
	{ CO_LATER, CHOOSE, { TDK_ESC, 'n', 'N' }, 0, "Esc", NULL, NULL },
	{ 0, LIST, { 0 }, 0, "F1", N_("help"), NULL },
	{ 0, 0, { 0 }, 0, NULL, NULL, NULL },
};

static void draw(struct desk *d, void *self, int top, int rows, int cols)
{
	struct conflicts *s = self;
	char line[300];

	Tf(line, sizeof line, "Field-kit conflicts: %d open", s->nopen);
	tw_put(d, top, 1, cols - 2, line, COL_HEAD, 0);
	tw_put(d, top + 1, 1, cols - 2,
	       T("Nothing is decided until you choose which version stays."),
	       COL_DIM, 0);
	if (s->nshown == 0)
		tw_put(d, top + 3, 3, cols - 4, s->all ? T("No conflict from any kit merge.")
		       : T("No open conflict. (a shows the decided ones)"), COL_DIM, 0);
	else
		tl_draw(d, &s->list, top + 3, rows - 4, cols);
	screen_keyline(d, top + rows - 1, cols, conflict_keys, DLG_NONE, 1, 0);
	if (s->dialog)
		draw_dialog(d, s);
}

static int dialog_key(struct desk *d, struct conflicts *s, int k)
{
	int req = screen_request(conflict_keys, s->dialog, k, 0);

	if (s->dialog == DLG_CHOOSE && (req == CO_HOME || req == CO_FIELD)) {
		s->keep_field = req == CO_FIELD;
		s->dialog = DLG_CONFIRM;
	} else if (req == CO_LATER ||
	           (s->dialog == DLG_CONFIRM && tw_answer(k) == 0)) {
		s->dialog = DLG_NONE;
		desk_message(d, 0, "%s", T("Nothing was decided."));
	} else if (s->dialog == DLG_CONFIRM && tw_answer(k) == 1) {
		s->dialog = DLG_NONE;
		resolve(d, s);
	}
	return 1;   /* a dialog takes every key */
}

static int key(struct desk *d, void *self, int k)
{
	struct conflicts *s = self;

	if (s->dialog)
		return dialog_key(d, s, k);
	switch (screen_request(conflict_keys, DLG_NONE, k, 0)) {
	case CO_DECIDE: ask(d, s, -1); return 1;
	case CO_HOME: ask(d, s, 0); return 1;
	case CO_FIELD: ask(d, s, 1); return 1;
	case CO_ALL:
		s->all = !s->all;
		s->list.sel = 0;
		build(d, s);
		return 1;
	}
	return tl_key(&s->list, k, 0);
}

static int typing(void *self)
{
	return ((struct conflicts *)self)->dialog != DLG_NONE;
}

static void cfree(void *self)
{
	struct conflicts *s = self;

	tl_clear(&s->list);
	free(s);
}

static const struct screen_ops ops = {
	.title = N_("Kit conflicts"),
	.help = N_("When a field kit is merged back home, a record changed both "
	        "at home and in the field (for example the same token handed "
	        "over twice), or an official's data edited in the field, is "
	        "never decided silently: it waits here.\n"
	        "Each conflict shows the record, why it conflicts, and for "
	        "each changed value: what home holds now, what the field "
	        "changed it to, and what the field started from.\n"
	        "Deciding chooses which version stays, home's or the "
	        "field's, then asks to confirm. The decision is written at "
	        "once with an audit row (as `tokendesk kit resolve ID --keep "
	        "home|field`) and cannot be changed afterwards.\n"
	        "Decided conflicts, when shown, are dimmed, with who decided "
	        "and when."),
	.keys = conflict_keys,
	.draw = draw, .key = key, .typing = typing, .free = cfree,
};

static int select_conflict(struct conflicts *s, const char *key)
{
	for (int i = 0; i < s->list.n; i++)
		if (s->list.rows[i].kind && strcmp(s->list.rows[i].key, key) == 0) {
			s->list.sel = i;
			return 1;
		}
	return 0;
}

void scr_conflicts_open(struct desk *d)
{
	scr_conflicts_open_at(d, 0);
}

void scr_conflicts_open_at(struct desk *d, int64_t id)
{
	struct conflicts *s = calloc(1, sizeof *s);
	char key[32];

	if (!s)
		return;
	s->list.links_only = 1;
	s->list.maxw[0] = 16;
	s->list.maxw[1] = 26;
	s->list.maxw[2] = 26;
	desk_push(d, &ops, s);
	build(d, s);
	if (id <= 0)
		return;
	snprintf(key, sizeof key, "%" PRId64, id);
	if (!select_conflict(s, key)) {
		s->all = 1;   /* decided: listed only with the decided ones */
		build(d, s);
		select_conflict(s, key);
	}
}
