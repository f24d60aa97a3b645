/* scr_handover.c: handing tokens (or request dossiers) over, by keys.
 *
 * A form walked top to bottom: the token(s) -- typed, scanned or
 * inserted --, from whom, to whom, condition, remarks, then "Record".
 * The batch (tokendesk/handover.h) is the screen's only model: tokens go
 * into it as they come, the receiver and giver when they are typed, each
 * checked then (a refused token or custodian says why at once), and all
 * again at commit.  Nothing is written
 * until the operator confirms; then one transaction writes it all.
 * Proof of possession (PIN, never echoed) lives in scr_pin.c. */
#include <config.h>

#include <errno.h>
#include <sys/stat.h>

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokendesk/handover.h"
#include "tokendesk/match.h"
#include "tokendesk/outfile.h"
#include "tokendesk/registry.h"
#include "tokendesk/text.h"
#include "tui/desk.h"
#include "tui/handover.h"
#include "tui/keys.h"
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
	char buf[600];
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

int hand_count(const struct hand *s)
{
	return s->batch ? (int)td_handover_count(s->batch) : 0;
}

const char *hand_key(const struct hand *s, int i)
{
	const struct td_handover_item *it = i >= 0 && s->batch
	                                    ? td_handover_item_at(s->batch, (size_t)i)
	                                    : NULL;

	return it ? it->key : NULL;
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

/* The newest custody event of a token: who moved it, when, to whom. */
struct newest {
	char op[TD_OPERATOR_MAX + 1], at[40], to[TD_CUSTODIAN_MAX];
	int have;
};

static int keep_newest(const struct td_custody_event *e, void *ctx)
{
	struct newest *n = ctx;

	snprintf(n->op, sizeof n->op, "%s", e->operator_name ? e->operator_name : "?");
	desk_time(e->at ? e->at : "?", n->at, sizeof n->at);
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

/* Item i moved by someone else since it joined the list (another desk
 * of the hall): 1 with why in out, else 0.  Asked of the batch itself
 * (the custody each item saw when it was added), so nothing is kept
 * here. */
static int item_moved(struct desk *d, struct hand *s, int i, char *out,
                      size_t size)
{
	const struct td_handover_item *it = td_handover_item_at(s->batch, (size_t)i);
	struct td_error err;

	if (s->kind != TD_HANDOVER_TOKENS || !it ||
	    td_handover_expect_custody(s->batch, it->key, it->custody_seen, &err) == 0)
		return 0;
	moved_text(d, it->key, &err, out, size);
	return 1;
}

/* The receiver or giver field (f) into the batch, with what it found
 * (or why not) beside the field.  A field that does not resolve leaves
 * the batch without it, so F9 asks for it. */
static void set_custodian(struct desk *d, struct hand *s, int f)
{
	char text[512], *note = f == F_TO ? s->to_note : s->from_note;
	struct td_custodian c;
	struct td_error err;
	int rc;

	field_text(s, f, text, sizeof text);
	note[0] = '\0';
	if (f == F_TO)
		s->to_ok = 0;
	if (!text[0]) {
		rc = f == F_TO ? td_handover_set_to(s->batch, NULL, &err)
		               : td_handover_set_from(s->batch, NULL, &err);
		return;
	}
	if (looks_like_pin(text)) {
		/* short: at 80 columns the note has 40 */
		snprintf(note, 600, "✗ %s", T("A PIN? p opens the proof; Ctrl-U clears"));
		rc = f == F_TO ? td_handover_set_to(s->batch, NULL, &err)
		               : td_handover_set_from(s->batch, NULL, &err);
		return;
	}
	rc = resolve_loose(d, text, &c, &err);
	if (rc == 0)
		rc = f == F_TO ? td_handover_set_to(s->batch, c.text, &err)
		               : td_handover_set_from(s->batch, c.text, &err);
	if (rc == 0) {
		snprintf(note, 600, "✓ %s", c.name);
		s->to_ok |= f == F_TO;
		return;
	}
	snprintf(note, 600, "✗ %s", err.message);
	if (f == F_TO)
		td_handover_set_to(s->batch, NULL, &err);
	else
		td_handover_set_from(s->batch, NULL, &err);
}

/* A new empty batch of the screen's kind, with the receiver and giver
 * the fields hold (after a commit, or F6). */
static void new_batch(struct desk *d, struct hand *s)
{
	struct td_error err;

	td_handover_free(s->batch);
	if (!(s->batch = td_handover_new(d->reg, s->kind, &err))) {
		desk_error(d, &err);
		return;
	}
	/* a step off the path is listed, and its reason asked for at F9 */
	td_handover_defer_path(s->batch, 1);
	set_custodian(d, s, F_FROM);
	set_custodian(d, s, F_TO);
}

/* The index of the item serial (any spelling) names, or -1. */
static int hand_find(const struct hand *s, const char *serial)
{
	char canon[128];

	if (s->kind != TD_HANDOVER_TOKENS ||
	    td_token_serial(serial, canon, sizeof canon) < 0)
		snprintf(canon, sizeof canon, "%s", serial);
	for (int i = 0; i < hand_count(s); i++)
		if (strcasecmp(hand_key(s, i), canon) == 0)
			return i;
	return -1;
}

/* Add a serial (typed, scanned or inserted) to the batch; a refusal is
 * said at once and nothing is added. */
void hand_add(struct desk *d, struct hand *s, const char *serial)
{
	struct td_error err;
	int rc;

	if (!serial[0] || !s->batch)
		return;
	if ((rc = hand_find(s, serial)) >= 0) {
		desk_message(d, 1, "%s %s", hand_key(s, rc), T("is already in the list."));
		s->list_sel = rc;
		return;
	}
	rc = s->kind == TD_HANDOVER_TOKENS
	     ? td_handover_add_token(s->batch, serial, &err)
	     : td_handover_add_dossier(s->batch, serial, &err);
	if (rc < 0) {
		desk_message(d, 1, "%s: %s", err.field[0] ? err.field : serial,
		             T(err.message));
		return;
	}
	desk_message(d, 0, "%s %s", hand_key(s, rc), T("added."));
	s->list_sel = rc;
}

static void remove_at(struct desk *d, struct hand *s, int i)
{
	const char *key = hand_key(s, i);
	char copy[128];
	struct td_error err;

	if (!key)
		return;
	snprintf(copy, sizeof copy, "%s", key);
	if (td_handover_remove(s->batch, copy, &err) < 0)
		desk_error(d, &err);
	if (s->list_sel >= hand_count(s))
		s->list_sel = hand_count(s) - 1;
}

/* A token the registry does not expect at this desk (issue 23): lost,
 * damaged, destroyed, at DOST or sent to the CA is said on its row, as
 * the token panel says it. */
static const char *away_text(const struct hand *s, const struct td_handover_item *it)
{
	const char *says = s->kind == TD_HANDOVER_TOKENS
	                   ? td_custody_away_words(it->state_before) : NULL;

	return says ? T(says) : "";
}

static void running_list(struct desk *d, struct hand *s)
{
	tl_clear(&s->list);
	for (int i = 0; i < hand_count(s); i++) {
		const struct td_handover_item *it = td_handover_item_at(s->batch, (size_t)i);
		const char *proof = it->proof == TD_PROOF_MATCHED ? T("✓ proved")
		                  : it->proof == TD_PROOF_NOT_MATCHED ? T("✗ not proved")
		                  : "";
		char from[600], who[600], why[600];
		if (item_moved(d, s, i, why, sizeof why)) {
			tl_add(&s->list, COL_BAD, "item", it->key, it->key, why, NULL, NULL);
			continue;
		}
		snprintf(from, sizeof from, "%s", it->from_name ? it->from_name : it->from);
		snprintf(who, sizeof who, "%s%s%s%s%s%s%s", away_text(s, it),
		         *away_text(s, it) ? "  " : "", it->holders ? it->holders : "",
		         *proof ? "  " : "", proof, it->path_rule ? "  " : "",
		         /* off the path: F9 asks for the reason */
		         it->path_rule ? T("! off the path") : "");
		tl_add(&s->list, it->proof == TD_PROOF_NOT_MATCHED || it->path_rule ||
		                 *away_text(s, it) ? COL_WARN : COL_NORMAL,
		       "item", it->key, it->key,
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
	   hand_count(s));
	tw_put(d, top, 1, cols - 2, line, COL_HEAD, 0);
	draw_fields(d, s, top + 1, cols);
	y = top + 7;
	listrows = rows - 9;
	running_list(d, s);
	if (hand_count(s) == 0)
		tw_put(d, y + 1, 3, cols - 4, T(s->kind == TD_HANDOVER_TOKENS
		       ? "No token yet: type or scan a serial in Token, or insert the token."
		       : N_("No dossier yet: type its reference in Dossier.")), COL_DIM, 0);
	else {
		int tok = s->kind == TD_HANDOVER_TOKENS;
		s->list.head[0] = tok ? "Serial" : N_("Reference");
		s->list.head[1] = tok ? "Model" : "Kind";
		s->list.head[2] = N_("From");
		s->list.head[3] = tok ? N_("Holders") : "Holder";
		/* ▶ only where the keys go */
		s->list.unfocused = s->focus != F_LIST;
		tl_draw(d, &s->list, y, listrows, cols);
	}
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
	if (rc == TD_OK) {
		desk_message(d, 0, "%s %s — %s %s/%s", T("Handover recorded:"), number,
		             T("record to print:"), dir.path, name);
		/* the message line is one row: rather the file's name in the
		 * records folder than a path cut short */
		if (tw_width(d->msg) > d->cols)
			desk_message(d, 0, "%s %s — %s records/%s", T("Handover recorded:"),
			             number, T("record to print:"), name);
		if (tw_width(d->msg) > d->cols)
			desk_message(d, 0, "%s %s — records/%s", T("Handover recorded:"),
			             number, name);
	}
	else
		desk_message(d, 1, "%s %s — %s tokendesk receipt %s --pdf FILE (%s)",
		             T("Handover recorded:"), number, T("print it with"), number,
		             desk_error_text(&err, why, sizeof why));
	td_outdir_close(&dir);
}

/* The batch-wide fields into the batch, as they stand now. */
static int batch_fields(struct desk *d, struct hand *s, struct td_error *err)
{
	char cond[1024], rem[2600];
	int rc;

	field_text(s, F_COND, cond, sizeof cond);
	field_text(s, F_REMARKS, rem, sizeof rem);
	if (s->need_reason && hand_off_path(s)) {
		/* as the CLI's --force --reason: the workflow writes the reason
		 * on the record as the reason the step is forced */
		char reason[1024];
		tf_get(&s->reason, reason, sizeof reason);
		if ((rc = td_handover_set_reason(s->batch, reason, err)) < 0)
			return rc;
	} else if (s->need_reason) {
		/* as the CLI's --force: said on the record, with the reason */
		char reason[1024];
		size_t n = strlen(rem);
		tf_get(&s->reason, reason, sizeof reason);
		snprintf(rem + n, sizeof rem - n, "%s%s %s", n ? "; " : "",
		         T("Recorded anyway:"), reason);
	}
	if ((rc = td_handover_set_condition(s->batch, cond, err)) < 0 ||
	    (rc = td_handover_set_remarks(s->batch, rem, err)) < 0 ||
	    (rc = td_handover_set_place(s->batch, d->place, err)) < 0)
		return rc;
	td_handover_set_force(s->batch, s->force || s->need_reason);
	return TD_OK;
}

static int ready(struct desk *d, struct hand *s);

static void commit(struct desk *d, struct hand *s)
{
	struct td_error err;
	int64_t id;

	/* checked again: what was confirmed may have changed since (another
	 * desk's handover), and a refused item is never silently left out */
	if (!ready(d, s))
		return;
	if (batch_fields(d, s, &err) < 0 ||
	    td_handover_commit(s->batch, s->number, &id, &err) < 0) {
		s->number[0] = '\0';
		/* another desk committed in the same instant: the list, checked
		 * again, says which token and who, in the desk's language */
		if (err.code != TD_ERR_CONFLICT || ready(d, s))
			desk_error(d, &err);
		return;
	}
	tf_clear(&s->field[F_ITEM]);
	tf_clear(&s->reason);
	s->force = s->need_reason = 0;
	new_batch(d, s);
	s->list_sel = 0;
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
	int ok = hand_count(s) > 0 && s->to_ok;
	char cond[1024], rem[1024];

	/* said here, in the desk's language, before the record is asked
	 * for (the workflow refuses it too, in English) */
	field_text(s, F_COND, cond, sizeof cond);
	field_text(s, F_REMARKS, rem, sizeof rem);
	if (desk_text_refused(d, T("Condition"), cond) ||
	    desk_text_refused(d, T("Remarks"), rem))
		return 0;
	for (int i = 0; ok && i < hand_count(s); i++) {
		char why[600];
		if (item_moved(d, s, i, why, sizeof why)) {
			/* the first refusal in words: "handed over meanwhile by
			 * NAME at TIME" is what the operator must read at F9 */
			desk_message(d, 1, "%s: %s", hand_key(s, i), why);
			return 0;
		}
	}
	if (!ok)
		desk_message(d, 1, "%s", T(hand_count(s) == 0 ? "The list is empty."
		                       : N_("Say to whom (To).")));
	return ok;
}

/* F9: the confirmation, with what it found. */
static void open_confirm(struct desk *d, struct hand *s)
{
	if (!ready(d, s))
		return;
	s->confirm = 1;
	s->need_reason = hand_findings(s) > 0;
	tf_clear(&s->reason);
}

/* The screen's requests and keys (keys.h), by where the focus is: a
 * text field (letters are text there), the running list, or the
 * "Record the handover" button. */
enum { HR_NONE, HR_NEXT, HR_PREV, HR_RECORD, HR_KIND, HR_UP, HR_DOWN,
       HR_HOME, HR_END, HR_REMOVE, HR_PROVE, HR_ENTER, HR_CANCEL };
enum { HM_FIELD, HM_LIST, HM_BUTTON, HM_REASON };
#define FIELD SK_MODE(HM_FIELD)
#define LIST SK_MODE(HM_LIST)
#define BUTTON SK_MODE(HM_BUTTON)

static const struct screen_key hand_keys[] = {
	{ HR_ENTER, SK_ALL, { TDK_ENTER }, 1, "Enter", NULL,
	  N_("In Token: add the serial to the list; in another field: the next "
	     "field; on the button: record") },
	{ HR_NEXT, SK_ALL, { '\t' }, 1, "Tab", NULL,
	  N_("The next field, the list, the button (Shift-Tab: back)") },
	{ HR_PREV, SK_ALL, { TDK(KEY_BTAB) }, 1, "Shift-Tab", NULL, NULL },
	{ HR_UP, SK_ALL, { TDK(KEY_UP) }, 1, "↑", NULL, NULL },
	{ HR_DOWN, SK_ALL, { TDK(KEY_DOWN) }, 1, "↓", NULL, NULL },
	{ HR_HOME, LIST, { TDK(KEY_HOME) }, 1, "Home", NULL, NULL },
	{ HR_END, LIST, { TDK(KEY_END) }, 1, "End", NULL, NULL },
	{ HR_PROVE, SK_ALL, { 'p' }, 1, "p", NULL,
	  N_("Prove possession of the selected token with its PIN (in Token, "
	     "Condition and Remarks only as the first key)") },
	{ HR_PROVE, LIST, { 'P' }, 0, "P", NULL, NULL },
	{ HR_REMOVE, LIST, { TDK(KEY_DC), 'd', TDK(KEY_BACKSPACE), 127 }, 0,
	  "Del  d", NULL, N_("Take the selected item off the list") },
	{ HR_RECORD, SK_ALL, { TDK(KEY_F(9)) }, 1, "F9", NULL,
	  N_("Record the handover, after a question") },
	{ HR_KIND, SK_ALL, { TDK(KEY_F(6)) }, 1, "F6", NULL,
	  N_("Tokens or dossiers (with an empty list)") },
	{ HR_CANCEL, SK_MODE(HM_REASON), { TDK_ESC }, 1, "Esc", NULL, NULL },
	{ 0, 0, { 0 }, 0, NULL, NULL, NULL },
};

static int hand_mode(const struct hand *s)
{
	return s->focus == F_LIST ? HM_LIST : s->focus == F_RECORD ? HM_BUTTON
	                                                           : HM_FIELD;
}

static int confirm_key(struct desk *d, struct hand *s, int k)
{
	char reason[1024];
	/* with a reason to type, letters are its text: only Esc says no */
	int req = screen_request(hand_keys, HM_REASON, k, 1);
	int answer = s->need_reason ? (req == HR_CANCEL ? 0 : -1) : tw_answer(k);

	if (answer == 0) {
		s->confirm = 0;
		tf_clear(&s->reason);
		desk_message(d, 0, "%s", T("Nothing was recorded."));
		return 1;
	}
	if (!s->need_reason) {
		if (answer == 1) {
			s->confirm = 0;
			commit(d, s);
		}
		return 1;
	}
	if (req != HR_ENTER) {
		tf_key(&s->reason, k);
		return 1;
	}
	tf_get(&s->reason, reason, sizeof reason);
	if (!reason[0]) {
		desk_message(d, 1, "%s", T("Type why it is recorded anyway."));
		return 1;
	}
	if (desk_text_refused(d, T("Reason"), reason))
		return 1;
	s->confirm = 0;
	commit(d, s);
	return 1;
}

static void set_focus(struct hand *s, int f)
{
	s->focus = (f + F_N) % F_N;
	if (s->focus == F_LIST && hand_count(s) == 0)
		s->focus = f > s->focus ? F_RECORD : F_REMARKS;
}

static int list_key(struct desk *d, struct hand *s, int req)
{
	switch (req) {
	case HR_UP: if (s->list_sel > 0) s->list_sel--; else set_focus(s, F_REMARKS); return 1;
	case HR_DOWN: if (s->list_sel < hand_count(s) - 1) s->list_sel++; else set_focus(s, F_RECORD); return 1;
	case HR_HOME: s->list_sel = 0; return 1;
	case HR_END: s->list_sel = hand_count(s) - 1; return 1;
	case HR_REMOVE:
		remove_at(d, s, s->list_sel);
		return 1;
	case HR_PROVE:
		if (s->list_sel >= 0 && s->list_sel < hand_count(s))
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
	if (k != 'p' || hand_count(s) == 0)
		return 0;
	switch (s->focus) {
	case F_ITEM: case F_COND: case F_REMARKS:
		return s->field[s->focus].len == 0;
	}
	return 1;
}

/* Enter in a text field: Token adds its serial (empty: on to From),
 * another field goes on to the next. */
static void field_enter(struct desk *d, struct hand *s)
{
	char text[1024];

	field_text(s, s->focus, text, sizeof text);
	if (s->focus == F_ITEM) {
		hand_add(d, s, text);
		tf_clear(&s->field[F_ITEM]);
		if (!text[0])
			set_focus(s, F_FROM);
		return;
	}
	if (s->focus == F_TO || s->focus == F_FROM)
		set_custodian(d, s, s->focus);
	set_focus(s, s->focus + 1);
}

static void switch_kind(struct desk *d, struct hand *s)
{
	if (hand_count(s)) {
		desk_message(d, 1, "%s", T("Empty the list first."));
		return;
	}
	s->kind = s->kind == TD_HANDOVER_TOKENS ? TD_HANDOVER_DOSSIERS
	                                        : TD_HANDOVER_TOKENS;
	new_batch(d, s);
}

static int key(struct desk *d, void *self, int k)
{
	struct hand *s = self;
	int mode = hand_mode(s), req;

	if (s->confirm)
		return confirm_key(d, s, k);
	if (s->pin)
		return hand_pin_key(d, s, k);
	req = screen_request(hand_keys, mode, k, mode == HM_FIELD);
	switch (req) {
	case HR_NEXT: set_focus(s, s->focus + 1); return 1;
	case HR_PREV: set_focus(s, s->focus - 1); return 1;
	case HR_RECORD: open_confirm(d, s); return 1;
	case HR_KIND: switch_kind(d, s); return 1;
	case HR_PROVE:
		if (!p_proves(s, k) && mode != HM_LIST)
			break;   /* a letter of the field's text */
		if (s->list_sel < 0 || s->list_sel >= hand_count(s))
			s->list_sel = hand_count(s) - 1;
		hand_pin_open(d, s, s->list_sel);
		return 1;
	}
	if (mode == HM_LIST)
		return list_key(d, s, req);
	if (mode == HM_BUTTON) {
		switch (req) {
		case HR_ENTER: open_confirm(d, s); return 1;
		case HR_UP: set_focus(s, hand_count(s) ? F_LIST : F_REMARKS); return 1;
		case HR_DOWN: set_focus(s, F_ITEM); return 1;
		}
		return 0;
	}
	/* a text field */
	switch (req) {
	case HR_UP: set_focus(s, s->focus - 1); return 1;
	case HR_DOWN: set_focus(s, s->focus + 1); return 1;
	case HR_ENTER: field_enter(d, s); return 1;
	}
	if (!tf_key(&s->field[s->focus], k))
		return 0;
	if (s->focus == F_TO || s->focus == F_FROM)
		set_custodian(d, s, s->focus);   /* the name shows as it resolves */
	return 1;
}

static int typing(void *self)
{
	struct hand *s = self;

	return s->pin || s->confirm || s->focus <= F_REMARKS;
}

void hand_registry_changed(struct desk *d, void *self)
{
	/* the list is drawn from the batch, each item checked against the
	 * registry as it is drawn: nothing to rebuild */
	(void)self;
	d->dirty = 1;
}

static const char *unsaved(void *self)
{
	return hand_count(self) ? N_("Leave with an unrecorded handover? "
	                             "Its list is lost.") : NULL;
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
	.keys = hand_keys,
	.help = N_("Hand tokens over, one or many (a batch), in one record "
	        "(\"Biên bản bàn giao\") with one number.\n"
	        "1. Token: type or scan a serial; repeat for a batch. An "
	        "inserted token is added by itself. Each is checked at once; "
	        "a refused one is not added, and the bottom line says why.\n"
	        "2. From: leave empty to take each token from its custodian "
	        "now, or name the giver (then every token must be with "
	        "them). Tokens, From and To come in any order; each is "
	        "checked when it comes.\n"
	        "3. To: agency:CODE, holder:ID (a national id), dost or ca; "
	        "a bare agency code or id works too. The name shows when "
	        "found.\n"
	        "4. Condition and remarks, written on the record.\n"
	        "5. Optional proof of possession with the PIN of the token "
	        "selected in the list. The PIN is never shown and never "
	        "stored. A token at its final PIN try is not tried unless "
	        "you confirm, since one wrong PIN would lock it.\n"
	        "6. Record the handover, after a question: everything is "
	        "written at once, or nothing.\n"
	        "Request dossiers are handed over the same way (Dossier: the "
	        "reference; From: the agency). Leaving with tokens in the "
	        "list asks first."),
	.draw = draw, .key = key, .typing = typing, .scan = scan, .free = hfree,
	.tokens_changed = hand_tokens_changed, .unsaved = unsaved,
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
	s->list.mid[0] = 1;   /* serials differ at their tail */
	s->list.maxw[1] = 20;
	s->list.maxw[2] = 30;
	/* the giver's and the holder's names lose their middle, not the
	 * given name nor the proof's result after them ("✗ not proved") */
	s->list.mid[2] = s->list.mid[3] = TL_MID_NAME;
	s->list.head[0] = NULL;
	s->list_sel = 0;
	desk_push(d, &ops, s);
	new_batch(d, s);
	if (token_serial) {
		hand_add(d, s, token_serial);
		s->focus = F_FROM;
	} else {
		add_present(d, s);
	}
}
