/* scr_handover.c: handing tokens (or request dossiers) over, by keys.
 *
 * A form walked top to bottom: the token(s) -- typed, scanned or
 * inserted --, from whom, to whom, condition, remarks, then "Record".
 * The batch (tokendesk/handover.h) needs its receiver and giver before
 * items, so the screen keeps its own list of serials and rebuilds the
 * batch whenever a field changes: each token is checked again at once
 * and a refused one shows why, in the running list.  Nothing is written
 * until the operator confirms; then one transaction writes it all.
 * Proof of possession (PIN, never echoed) lives in scr_pin.c. */
#include <config.h>

#include <errno.h>
#include <sys/stat.h>

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "tokendesk/handover.h"
#include "tokendesk/outfile.h"
#include "tokendesk/registry.h"
#include "tokendesk/text.h"
#include "tui/desk.h"
#include "tui/handover.h"
#include "tui/widget.h"
#include "tui/sign.h"

enum { F_ITEM, F_FROM, F_TO, F_COND, F_REMARKS, F_LIST, F_RECORD, F_N };

static const char *const labels[F_N] = {
	"Token", N_("From"), N_("To"), N_("Condition"), N_("Remarks"), NULL, NULL
};

static const char *const hints[F_N] = {
	N_("Type or scan; Enter adds it"),
	N_("Empty: each token's custodian now"),
	N_("agency:CODE, holder:ID, dost or ca"),
	N_("e.g. nguyên vẹn"),
	"",
	N_("Del removes the token, p proves possession (PIN)"),
	N_("Enter records the handover"),
};

static void item_label(struct hand *s, int f, char *out, size_t size)
{
	snprintf(out, size, "%s", T(f == F_ITEM && s->kind == TD_HANDOVER_DOSSIERS
	                              ? "Dossier" : labels[f]));
}

/* "DC.STC" or "0123..." alone: try it as an agency, then a holder. */
static int resolve_loose(struct desk *d, const char *text,
                         struct td_custodian *c, struct td_error *err)
{
	char buf[TD_CUSTODIAN_MAX + 16];
	int rc = td_custodian_resolve(d->reg, text, c, err);

	if (rc == 0 || strchr(text, ':'))
		return rc;
	snprintf(buf, sizeof buf, "agency:%s", text);
	if (td_custodian_resolve(d->reg, buf, c, err) == 0)
		return 0;
	snprintf(buf, sizeof buf, "holder:%s", text);
	if (td_custodian_resolve(d->reg, buf, c, err) == 0)
		return 0;
	return td_custodian_resolve(d->reg, text, c, err);
}

static void field_text(struct hand *s, int f, char *out, size_t size)
{
	tf_get(&s->field[f], out, size);
}

/* "p1111": no custodian starts with a lone p followed by digits, but
 * p and then a PIN typed where p does not open the proof does. */
static int looks_like_pin(const char *text)
{
	while (*text == ' ')
		text++;
	return (text[0] == 'p' || text[0] == 'P') &&
	       text[1] >= '0' && text[1] <= '9';
}

/* Resolve a To or From text into its note; 1 when it names a custodian. */
static int resolve_note(struct desk *d, const char *text, struct td_custodian *c,
                        char *note, size_t size, struct td_error *err)
{
	if (looks_like_pin(text)) {
		/* short: at 80 columns the note has 40 */
		snprintf(note, size, "✗ %s", T("A PIN? p opens the proof; Ctrl-U clears"));
		return 0;
	}
	if (resolve_loose(d, text, c, err) == 0)
		return 1;
	snprintf(note, size, "✗ %s", err->message);
	return 0;
}

/* The newest custody event of a token: who moved it, when, to whom. */
struct newest {
	char op[TD_OPERATOR_MAX + 1], at[40], to[TD_CUSTODIAN_MAX];
	int have;
};

static int keep_newest(const struct td_custody_event *e, void *ctx)
{
	struct newest *n = ctx;

	snprintf(n->op, sizeof n->op, "%s", e->operator_name ? e->operator_name : "?");
	snprintf(n->at, sizeof n->at, "%s", e->at ? e->at : "?");
	snprintf(n->to, sizeof n->to, "%s", e->to_custodian ? e->to_custodian : "?");
	n->have = 1;
	return 0;
}

/* Why a token moved meanwhile is refused, in the desk's language (the
 * workflow's err says it in English). */
static void moved_text(struct desk *d, const char *serial,
                       const struct td_error *err, char *out, size_t size)
{
	struct newest n = { .have = 0 };

	if (td_reg_each_custody_event(d->reg, serial, keep_newest, &n, NULL) == 0 &&
	    n.have)
		Tf(out, size, "token %s was handed over meanwhile by %s at %s (now "
		   "with %s); nothing was written", serial, n.op, n.at, n.to);
	else
		snprintf(out, size, "%s", err->message);
}

static int newest_event(const struct td_custody_event *e, void *ctx)
{
	*(int64_t *)ctx = e->id;
	return 0;
}

/* A token refused as a step off the path may still be recorded once a
 * reason is typed: its custody is remembered now, as for an accepted
 * one, so the reason does not take it from whoever has it meanwhile. */
static void keep_seen_refused(struct desk *d, struct hand *s, int i)
{
	int64_t id = 0;
	struct td_error err;

	if (s->seen_set[i] || s->kind != TD_HANDOVER_TOKENS)
		return;
	if (td_reg_each_custody_event(d->reg, s->serial[i], newest_event, &id,
	                              &err) == 0) {
		s->seen[i] = id;
		s->seen_set[i] = 1;
	}
}

/* Token i's custody as first seen: remembered the first time it is
 * checked, and held against the registry at every later rebuild. */
static int keep_seen(struct hand *s, int i, struct td_error *err)
{
	size_t n = td_handover_count(s->batch);
	const struct td_handover_item *it;

	if (s->kind != TD_HANDOVER_TOKENS || n == 0)
		return 0;
	if (s->seen_set[i])
		return td_handover_expect_custody(s->batch, s->serial[i],
		                                  s->seen[i], err);
	it = td_handover_item_at(s->batch, n - 1);
	s->seen[i] = it->custody_seen;
	s->seen_set[i] = 1;
	return 0;
}

/* Rebuild the batch from the fields and the serials; every item is
 * checked again and a refusal kept next to its serial. */
void hand_rebuild(struct desk *d, struct hand *s)
{
	char to[512], from[512], cond[1024], rem[1024];
	struct td_custodian c;
	struct td_error err;

	td_handover_free(s->batch);
	s->batch = td_handover_new(d->reg, s->kind, &err);
	s->to_note[0] = s->from_note[0] = '\0';
	s->to_ok = 0;
	if (!s->batch) {
		desk_error(d, &err);
		return;
	}
	field_text(s, F_TO, to, sizeof to);
	field_text(s, F_FROM, from, sizeof from);
	field_text(s, F_COND, cond, sizeof cond);
	field_text(s, F_REMARKS, rem, sizeof rem);
	if (from[0] &&
	    resolve_note(d, from, &c, s->from_note, sizeof s->from_note, &err)) {
		if (td_handover_set_from(s->batch, c.text, &err) == 0)
			snprintf(s->from_note, sizeof s->from_note, "✓ %s", c.name);
		else
			snprintf(s->from_note, sizeof s->from_note, "✗ %s", err.message);
	}
	if (to[0] &&
	    resolve_note(d, to, &c, s->to_note, sizeof s->to_note, &err)) {
		if (td_handover_set_to(s->batch, c.text, &err) == 0) {
			snprintf(s->to_note, sizeof s->to_note, "✓ %s", c.name);
			s->to_ok = 1;
		} else {
			snprintf(s->to_note, sizeof s->to_note, "✗ %s", err.message);
		}
	}
	td_handover_set_condition(s->batch, cond, &err);
	td_handover_set_remarks(s->batch, rem, &err);
	td_handover_set_place(s->batch, d->place, &err);
	/* a reason given at F9 forces the steps off the path, and only
	 * with it (the workflow's rule: force and a reason) */
	td_handover_set_force(s->batch, s->force || s->reason[0]);
	if (td_handover_set_reason(s->batch, s->reason, &err) < 0)
		s->reason[0] = '\0';
	for (int i = 0; i < s->n; i++) {
		s->why[i][0] = '\0';
		s->offpath[i] = 0;
		if (!s->to_ok)
			continue;
		/* moved by someone else since it joined the list: say who */
		if (s->kind == TD_HANDOVER_TOKENS && s->seen_set[i] &&
		    td_handover_expect_custody(s->batch, s->serial[i], s->seen[i],
		                               &err) < 0) {
			moved_text(d, s->serial[i], &err, s->why[i], sizeof s->why[i]);
			continue;
		}
		int rc = s->kind == TD_HANDOVER_TOKENS
		             ? td_handover_add_token(s->batch, s->serial[i], &err)
		             : td_handover_add_dossier(s->batch, s->serial[i], &err);
		if (rc < 0) {
			snprintf(s->why[i], sizeof s->why[i], "%s", err.message);
			s->offpath[i] = rc == TD_ERR_DATA;
			if (s->offpath[i])
				keep_seen_refused(d, s, i);
		} else if (keep_seen(s, i, &err) < 0)
			snprintf(s->why[i], sizeof s->why[i], "%s", err.message);
		else if (s->proof[i])
			td_handover_set_proof(s->batch, s->serial[i], s->proof[i],
			                      s->proof_detail[i], &err);
	}
}

void hand_registry_changed(struct desk *d, void *self)
{
	struct hand *s = self;

	/* not under an open PIN dialog: its item must stay where it is */
	if (!s->pin)
		hand_rebuild(d, s);
}

static const struct td_handover_item *find_item(struct hand *s, const char *key)
{
	size_t n = s->batch ? td_handover_count(s->batch) : 0;

	for (size_t i = 0; i < n; i++) {
		const struct td_handover_item *it = td_handover_item_at(s->batch, i);
		if (strcasecmp(it->key, key) == 0)
			return it;
	}
	return NULL;
}

/* Add a serial (typed, scanned or inserted) to the running list. */
void hand_add(struct desk *d, struct hand *s, const char *serial)
{
	char canon[128];
	struct td_token t;
	struct td_error err;

	if (!serial[0])
		return;
	if (s->kind == TD_HANDOVER_TOKENS) {
		if (td_token_serial(serial, canon, sizeof canon) < 0) {
			desk_message(d, 1, "%s", T("Not a token serial."));
			return;
		}
		if (td_reg_get_token(d->reg, canon, &t, &err) < 0) {
			desk_error(d, &err);
			return;
		}
		snprintf(canon, sizeof canon, "%s", t.serial);
		td_token_clear(&t);
	} else {
		snprintf(canon, sizeof canon, "%s", serial);
	}
	for (int i = 0; i < s->n; i++)
		if (strcasecmp(s->serial[i], canon) == 0) {
			desk_message(d, 1, "%s %s", canon, T("is already in the list."));
			return;
		}
	if (s->n == HAND_MAX) {
		desk_message(d, 1, "%s", T("The list is full."));
		return;
	}
	snprintf(s->serial[s->n], sizeof s->serial[s->n], "%s", canon);
	s->proof[s->n] = TD_PROOF_SKIPPED;
	s->proof_detail[s->n][0] = '\0';
	s->seen_set[s->n] = 0;
	s->n++;
	hand_rebuild(d, s);
	if (s->why[s->n - 1][0])
		desk_message(d, 1, "%s: %s", canon, s->why[s->n - 1]);
	else
		desk_message(d, 0, "%s %s", canon, T("added."));
	s->list_sel = s->n - 1;
}

static void remove_at(struct desk *d, struct hand *s, int i)
{
	if (i < 0 || i >= s->n)
		return;
	memmove(&s->serial[i], &s->serial[i + 1], (size_t)(s->n - i - 1) * sizeof s->serial[0]);
	memmove(&s->proof[i], &s->proof[i + 1], (size_t)(s->n - i - 1) * sizeof s->proof[0]);
	memmove(&s->proof_detail[i], &s->proof_detail[i + 1],
	        (size_t)(s->n - i - 1) * sizeof s->proof_detail[0]);
	memmove(&s->seen[i], &s->seen[i + 1], (size_t)(s->n - i - 1) * sizeof s->seen[0]);
	memmove(&s->seen_set[i], &s->seen_set[i + 1],
	        (size_t)(s->n - i - 1) * sizeof s->seen_set[0]);
	s->n--;
	if (s->list_sel >= s->n)
		s->list_sel = s->n - 1;
	hand_rebuild(d, s);
}

static void running_list(struct desk *d, struct hand *s)
{
	tl_clear(&s->list);
	for (int i = 0; i < s->n; i++) {
		const struct td_handover_item *it = find_item(s, s->serial[i]);
		const char *proof = s->proof[i] == TD_PROOF_MATCHED ? T("✓ proved")
		                  : s->proof[i] == TD_PROOF_NOT_MATCHED ? T("✗ not proved")
		                  : "";
		char from[600], who[600];
		if (s->why[i][0] || !it) {
			tl_add(&s->list, s->why[i][0] ? COL_BAD : COL_DIM, "item",
			       s->serial[i], s->serial[i],
			       s->why[i][0] ? s->why[i] : T("waiting for the receiver (To)"),
			       NULL, NULL);
			continue;
		}
		snprintf(from, sizeof from, "%s", it->from_name ? it->from_name : it->from);
		snprintf(who, sizeof who, "%s%s%s", it->holders ? it->holders : "",
		         *proof ? "  " : "", proof);
		tl_add(&s->list, s->proof[i] == TD_PROOF_NOT_MATCHED ? COL_WARN : COL_NORMAL,
		       "item", s->serial[i], s->serial[i],
		       !it->detail ? "" : s->kind == TD_HANDOVER_DOSSIERS && d->vi
		                  ? td_dossier_kind_label(it->detail) : it->detail,
		       from, who);
	}
	s->list.sel = s->list_sel < 0 ? 0 : s->list_sel;
}

static void draw_fields(struct desk *d, struct hand *s, int top, int cols)
{
	int lw = 0, fw;

	for (int f = F_ITEM; f <= F_REMARKS; f++) {
		char l[64];
		item_label(s, f, l, sizeof l);
		if (tw_width(l) > lw)
			lw = tw_width(l);
	}
	/* narrow terminals: the hints (what to type) matter more than room */
	fw = cols > 100 ? 40 : (cols - lw - 6) * 2 / 5;
	for (int f = F_ITEM; f <= F_REMARKS; f++) {
		char l[64];
		const char *note = f == F_TO && s->to_note[0] ? s->to_note
		                 : f == F_FROM && s->from_note[0] ? s->from_note
		                 : f == F_FROM && s->kind == TD_HANDOVER_DOSSIERS
		                 ? T("The agency handing over (required)")
		                 : T(hints[f]);
		int color = note == s->to_note || note == s->from_note
		            ? (note[0] == '\xe2' && strncmp(note, "✓", 3) == 0 ? COL_OK : COL_BAD)
		            : COL_DIM;
		item_label(s, f, l, sizeof l);
		tw_put(d, top + f, 1, lw, l, s->focus == f ? COL_HEAD : COL_NORMAL, 1);
		tw_put(d, top + f, lw + fw + 4, cols - lw - fw - 5, note, color, 0);
	}
	/* fields last-but-one: the focused one leaves the cursor in place */
	for (int f = F_ITEM; f <= F_REMARKS; f++)
		if (f != s->focus)
			tf_draw(d, &s->field[f], top + f, lw + 3, fw, 0);
	s->field_x = lw + 3;
	s->field_w = fw;
}

static void draw(struct desk *d, void *self, int top, int rows, int cols)
{
	struct hand *s = self;
	char line[256];
	int y, listrows;

	Tf(line, sizeof line, s->kind == TD_HANDOVER_TOKENS
	                          ? "Hand tokens over — %d in the list   (F6: dossiers)"
	                          /* xgettext:c-format */
	                          : N_("Hand dossiers over — %d in the list"
	                               "   (F6: tokens)"),
	   s->n);
	tw_put(d, top, 1, cols - 2, line, COL_HEAD, 0);
	draw_fields(d, s, top + 1, cols);
	y = top + 7;
	listrows = rows - 9;
	running_list(d, s);
	if (s->n == 0)
		tw_put(d, y + 1, 3, cols - 4, T(s->kind == TD_HANDOVER_TOKENS
		       ? "No token yet: type or scan a serial in Token, or insert the token."
		       : N_("No dossier yet: type its reference in Dossier.")), COL_DIM, 0);
	else {
		int tok = s->kind == TD_HANDOVER_TOKENS;
		s->list.head[0] = tok ? "Serial" : N_("Reference");
		s->list.head[1] = tok ? "Model" : "Kind";
		s->list.head[2] = N_("From");
		s->list.head[3] = tok ? N_("Holders") : "Holder";
		tl_draw(d, &s->list, y, listrows, cols);
	}
	if (s->focus != F_LIST)
		s->list.sel = -1 < s->list_sel ? s->list_sel : 0;
	snprintf(line, sizeof line, "[ %s (F9) ]", T("Record the handover"));
	tw_put(d, top + rows - 1, 1, cols - 2, line,
	       s->focus == F_RECORD ? COL_SELECT : COL_OK, 0);
	if (s->number[0]) {
		Tf(line, sizeof line, "Last recorded: %s", s->number);
		tw_put(d, top + rows - 1, tw_width(line) < cols / 2 ? cols / 2 : 30,
		       cols / 2 - 1, line, COL_OK, 0);
	}
	if (s->confirm)
		hand_draw_confirm(d, s);
	else if (s->reason_ask)
		hand_draw_reason(d, s);
	else if (s->pin)
		hand_pin_draw(d, s);
	else if (s->focus <= F_REMARKS) {
		tf_draw(d, &s->field[s->focus], top + 1 + s->focus, s->field_x,
		        s->field_w, 1);
		curs_set(1);
	}
}

/* The printable record of a handover just recorded, as a PDF in a
 * "records" folder beside the registry (created 0700; the PDF is 0600):
 * the operator prints it at once, or later with `tokendesk receipt`. */
static void save_record(struct desk *d, const char *number)
{
	char name[TD_HANDOVER_NUMBER_MAX + 8], why[400];
	struct td_outdir dir;
	struct td_record rec;
	struct td_error err;
	int rc;

	snprintf(name, sizeof name, "%s.pdf", number);
	if ((rc = desk_records_dir(d, &dir, &err)) < 0)
		;
	else if ((rc = td_record_load(d->reg, number, &rec, &err)) == TD_OK) {
		rc = td_record_write_pdf(&rec, &dir, name, &err);
		td_record_clear(&rec);
	}
	if (rc == TD_OK)
		desk_message(d, 0, "%s %s — %s %s/%s", T("Handover recorded:"), number,
		             T("record to print:"), dir.path, name);
	else
		desk_message(d, 1, "%s %s — %s tokendesk receipt %s --pdf FILE (%s)",
		             T("Handover recorded:"), number, T("print it with"), number,
		             desk_error_text(&err, why, sizeof why));
	td_outdir_close(&dir);
}

static int ready(struct desk *d, struct hand *s);

static void commit(struct desk *d, struct hand *s)
{
	struct td_error err;
	int64_t id;

	/* checked again: what was confirmed may have changed since (another
	 * desk's handover), and a refused item is never silently left out */
	hand_rebuild(d, s);
	if (!ready(d, s))
		return;
	if (td_handover_commit(s->batch, s->number, &id, &err) < 0) {
		s->number[0] = '\0';
		/* another desk committed in the same instant: the list, checked
		 * again, says which token and who, in the desk's language */
		hand_rebuild(d, s);
		if (err.code != TD_ERR_CONFLICT || ready(d, s))
			desk_error(d, &err);
		return;
	}
	s->n = 0;
	s->reason[0] = '\0';
	tf_clear(&s->field[F_ITEM]);
	hand_rebuild(d, s);
	s->focus = F_ITEM;
	/* Recorded now: said at once.  The printable record takes the PDF
	 * helper's start (most of a second on a loaded hall host) and
	 * follows on the same line; then the offer to sign it. */
	desk_message(d, 0, "%s %s …", T("Handover recorded:"), s->number);
	desk_flush(d);
	save_record(d, s->number);
	scr_sign_offer_record(d, s->number);
}

static int ready(struct desk *d, struct hand *s)
{
	int ok = s->n > 0 && s->to_ok;
	char cond[1024], rem[1024];

	/* said here, in the desk's language, before the record is asked
	 * for (the workflow refuses it too, in English) */
	field_text(s, F_COND, cond, sizeof cond);
	field_text(s, F_REMARKS, rem, sizeof rem);
	if (desk_text_refused(d, T("Condition"), cond) ||
	    desk_text_refused(d, T("Remarks"), rem))
		return 0;

	for (int i = 0; i < s->n; i++)
		if (s->why[i][0] && s->to_ok) {
			/* the first refusal in words: "handed over meanwhile by
			 * NAME at TIME" is what the operator must read at F9 */
			desk_message(d, 1, "%s: %s", s->serial[i], s->why[i]);
			return 0;
		}
	if (!ok)
		desk_message(d, 1, "%s", T(s->n == 0 ? "The list is empty."
		                       : !s->to_ok ? N_("Say to whom (To).")
		                       : N_("Remove or fix the refused items first.")));
	return ok;
}

/* 1 when the list's only refusals are steps off the path: F9 then asks
 * for the reason instead of refusing. */
static int only_offpath(const struct hand *s)
{
	int some = 0;

	if (!s->to_ok || s->kind != TD_HANDOVER_TOKENS)
		return 0;
	for (int i = 0; i < s->n; i++) {
		if (s->why[i][0] && !s->offpath[i])
			return 0;
		some |= s->offpath[i];
	}
	return some;
}

/* F9 or Enter on Record: the confirmation, or first the reason. */
static void ask_record(struct desk *d, struct hand *s)
{
	if (only_offpath(s)) {
		tf_clear(&s->reason_field);
		s->reason_ask = 1;
		return;
	}
	if (ready(d, s))
		s->confirm = 1;
}

int hand_reason_key(struct desk *d, struct hand *s, int k)
{
	char text[TF_MAX * 4];

	if (k == TDK_ESC) {
		s->reason_ask = 0;
		desk_message(d, 0, "%s", T("Nothing was recorded."));
		return 1;
	}
	if (k != TDK_ENTER)
		return tf_key(&s->reason_field, k), 1;
	tf_get(&s->reason_field, text, sizeof text);
	if (!*text) {
		desk_message(d, 1, "%s", T("Type the reason the step is forced."));
		return 1;
	}
	if (desk_text_refused(d, T("Reason"), text))
		return 1;
	snprintf(s->reason, sizeof s->reason, "%s", text);
	s->reason_ask = 0;
	hand_rebuild(d, s);
	if (ready(d, s))
		s->confirm = 1;
	return 1;
}

static int confirm_key(struct desk *d, struct hand *s, int k)
{
	if (k == 'y' || k == 'Y' || k == 'c' || k == 'C') {
		s->confirm = 0;
		commit(d, s);
	} else if (k == 'n' || k == 'N' || k == TDK_ESC || k == 'k' || k == 'K') {
		s->confirm = 0;
		desk_message(d, 0, "%s", T("Nothing was recorded."));
	}
	return 1;
}

static void set_focus(struct hand *s, int f)
{
	s->focus = (f + F_N) % F_N;
	if (s->focus == F_LIST && s->n == 0)
		s->focus = f > s->focus ? F_RECORD : F_REMARKS;
}

static int list_key(struct desk *d, struct hand *s, int k)
{
	switch (k) {
	case TDK(KEY_UP): if (s->list_sel > 0) s->list_sel--; else set_focus(s, F_REMARKS); return 1;
	case TDK(KEY_DOWN): if (s->list_sel < s->n - 1) s->list_sel++; else set_focus(s, F_RECORD); return 1;
	case TDK(KEY_HOME): s->list_sel = 0; return 1;
	case TDK(KEY_END): s->list_sel = s->n - 1; return 1;
	case TDK(KEY_DC): case 'd': case TDK(KEY_BACKSPACE): case 127:
		remove_at(d, s, s->list_sel);
		return 1;
	case 'p': case 'P':
		if (s->list_sel >= 0 && s->list_sel < s->n)
			hand_pin_open(d, s, s->list_sel);
		return 1;
	}
	return 0;
}

/* Does p open the proof of possession here?  Once the list has tokens,
 * from every field: typed into To (the README's walkthrough) the PIN
 * that follows would be drawn in clear.  To, From, the list and Record
 * take no lowercase p (custodians are dost, ca, agency:CODE, holder:ID;
 * codes are written in capitals); in Token, Condition and Remarks, where
 * p is text (a serial read by a scanner, "phong bì"), only as the
 * field's first key. */
static int p_proves(struct hand *s, int k)
{
	if (k != 'p' || s->n == 0)
		return 0;
	switch (s->focus) {
	case F_ITEM: case F_COND: case F_REMARKS:
		return s->field[s->focus].len == 0;
	}
	return 1;
}

static int key(struct desk *d, void *self, int k)
{
	struct hand *s = self;
	char text[1024];

	if (s->confirm)
		return confirm_key(d, s, k);
	if (s->reason_ask)
		return hand_reason_key(d, s, k);
	if (s->pin)
		return hand_pin_key(d, s, k);
	if (k != TDK_ESC)
		s->esc_armed = 0;
	switch (k) {
	case '\t': set_focus(s, s->focus + 1); return 1;
	case TDK(KEY_BTAB): set_focus(s, s->focus - 1); return 1;
	case TDK(KEY_F(9)):
		ask_record(d, s);
		return 1;
	case TDK(KEY_F(6)):
		if (s->n) {
			desk_message(d, 1, "%s", T("Empty the list first."));
		} else {
			s->kind = s->kind == TD_HANDOVER_TOKENS ? TD_HANDOVER_DOSSIERS
			                                        : TD_HANDOVER_TOKENS;
			hand_rebuild(d, s);
		}
		return 1;
	case TDK_ESC:
		if (s->n && !s->esc_armed) {
			s->esc_armed = 1;
			desk_message(d, 1, "%s", T("Esc again discards this handover."));
			return 1;
		}
		return 0;
	}
	if (p_proves(s, k)) {
		if (s->list_sel < 0 || s->list_sel >= s->n)
			s->list_sel = s->n - 1;
		hand_pin_open(d, s, s->list_sel);
		return 1;
	}
	if (s->focus == F_LIST)
		return list_key(d, s, k);
	if (s->focus == F_RECORD) {
		if (k == TDK_ENTER)
			ask_record(d, s);
		else if (k == TDK(KEY_UP))
			set_focus(s, s->n ? F_LIST : F_REMARKS);
		else if (k == TDK(KEY_DOWN))
			set_focus(s, F_ITEM);
		return k == TDK_ENTER || k == TDK(KEY_UP) || k == TDK(KEY_DOWN) ||
		       k == 'q' ? k != 'q' : 0;
	}
	/* a text field */
	if (k == TDK(KEY_UP) || k == TDK(KEY_DOWN)) {
		set_focus(s, s->focus + (k == TDK(KEY_UP) ? -1 : 1));
		return 1;
	}
	if (k == TDK_ENTER) {
		field_text(s, s->focus, text, sizeof text);
		if (s->focus == F_ITEM) {
			hand_add(d, s, text);
			tf_clear(&s->field[F_ITEM]);
			if (!text[0])
				set_focus(s, F_FROM);
		} else {
			hand_rebuild(d, s);
			set_focus(s, s->focus + 1);
		}
		return 1;
	}
	if (tf_key(&s->field[s->focus], k)) {
		if (s->focus == F_TO || s->focus == F_FROM)
			hand_rebuild(d, s);   /* the name shows as it resolves */
		return 1;
	}
	return 0;
}

static int typing(void *self)
{
	struct hand *s = self;

	return s->pin || s->confirm || s->reason_ask || s->focus <= F_REMARKS;
}

static void scan(struct desk *d, void *self, const char *text)
{
	hand_add(d, self, text);
}

static void hfree(void *self)
{
	struct hand *s = self;

	td_handover_free(s->batch);
	hand_pin_close(s);
	tl_clear(&s->list);
	free(s);
}

static const struct screen_ops ops = {
	.title = N_("Handover"),
	.help = N_("Hand tokens over, one or many (a batch), in one record "
	        "(\"Biên bản bàn giao\") with one number.\n"
	        "1. Token: type or scan a serial and press Enter; repeat for a "
	        "batch. An inserted token is added by itself. Each is checked "
	        "at once; a refused one shows why in red.\n"
	        "2. From: leave empty to take each token from its custodian now, "
	        "or name the giver (then every token must be with them).\n"
	        "3. To: agency:CODE, holder:ID (a national id), dost or ca; a "
	        "bare agency code or id works too. The name shows when found.\n"
	        "4. Condition and remarks, written on the record.\n"
	        "5. Optional proof of possession: press p and type the PIN of "
	        "the token selected in the list (Tab to the list to pick "
	        "another). p works from every field once the list has tokens; "
	        "in Token, Condition and Remarks, only as the first key. The "
	        "PIN is never shown and never stored. A token at its final PIN "
	        "try is not tried unless you confirm, since one wrong PIN would "
	        "lock it.\n"
	        "6. F9, or Enter on \"Record the handover\", then y to confirm: "
	        "everything is written at once, or nothing.\n"
	        "Tab/Shift-Tab or Up/Down move between fields; in the list Del "
	        "removes a token. F6 switches to handing request dossiers over "
	        "(Dossier: the reference; From: the agency). Esc twice discards."),
	.draw = draw, .key = key, .typing = typing, .scan = scan, .free = hfree,
	.tokens_changed = hand_tokens_changed,
	.registry_changed = hand_registry_changed,
};

const struct screen_ops *hand_ops(void)
{
	return &ops;
}

/* The tokens already plugged in join the list, as later insertions do:
 * the operator put them on the desk to hand them over.  Unknown ones
 * stay out (they would only be refused).  The focus stays on Token, so
 * a scanner can go on adding to the batch. */
static void add_present(struct desk *d, struct hand *s)
{
	const char *serial;
	int known;

	for (int i = 0; (serial = desk_tokens_present(d, i, &known)); i++)
		if (known && serial[0])
			hand_add(d, s, serial);
}

void scr_handover_open(struct desk *d, const char *token_serial)
{
	struct hand *s = calloc(1, sizeof *s);

	if (!s)
		return;
	s->kind = TD_HANDOVER_TOKENS;
	s->list.maxw[0] = 16;
	s->list.maxw[1] = 20;
	s->list.maxw[2] = 30;
	s->list.head[0] = NULL;
	s->list_sel = 0;
	desk_push(d, &ops, s);
	hand_rebuild(d, s);
	if (token_serial) {
		hand_add(d, s, token_serial);
		s->focus = F_FROM;
	} else {
		add_present(d, s);
	}
}
