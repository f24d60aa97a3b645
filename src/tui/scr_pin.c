/* scr_pin.c: the handover's dialogs: "record it?" and the proof of
 * possession.  The PIN is typed into a secret field that lives in secure
 * memory (core dumps are off while it is open) and is never drawn (not
 * even as stars), handed to the token layer once, and wiped; a
 * token at its final PIN try is not tried unless the operator says so,
 * since one wrong PIN would lock it. */
#include <config.h>

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/handover.h"
#include "tui/keys.h"

struct hand_pin {
	char serial[128];   /* the token proved (items may move meanwhile) */
	int final_try;      /* the token says one more wrong PIN locks it */
	int armed;          /* the operator accepted the final-try risk */
	struct tf_field *pin; /* in secure memory (tf_secret_new) */
};

/* tokens.c: prove possession of the inserted token serial with pin.
 * Returns 1 proved, 0 not proved (detail says why), -1 not possible. */
int desk_tokens_prove(struct desk *d, const char *serial, struct tf_field *pin,
                      int force, char *detail, size_t size);
/* tokens.c: 2 when the inserted token serial's PIN is locked, 1 when it
 * is at its final PIN try, 0 when neither, -1 when it is not inserted. */
int desk_tokens_final_try(struct desk *d, const char *serial);

int hand_off_path(const struct hand *s)
{
	int n = 0;

	for (int i = 0; i < hand_count(s); i++)
		n += td_handover_item_at(s->batch, (size_t)i)->path_rule != NULL;
	return n;
}

int hand_findings(const struct hand *s)
{
	int n = s->force + hand_off_path(s);

	for (int i = 0; i < hand_count(s); i++)
		n += td_handover_item_at(s->batch, (size_t)i)->proof == TD_PROOF_NOT_MATCHED;
	return n;
}

#define CONFIRM_LINES 40

/* A path rule as the desk says it: the workflow's sentence ends with the
 * command line's way on ("; --force --reason TEXT to record it
 * anyway"), where the desk's is the reason typed below. */
static void desk_rule(const char *rule, char *out, size_t size)
{
	const char *f = strstr(rule, "--force");
	size_t n = f ? (size_t)(f - rule) : strlen(rule);

	/* back to the "; " or " (" that opens the advice, its lead-in
	 * words too ("; dùng --force ..." in Vietnamese) */
	if (f)
		for (size_t i = n; i-- > 1;)
			if ((rule[i] == ' ' && rule[i - 1] == ';') ||
			    (rule[i] == '(' && rule[i - 1] == ' ')) {
				n = i - 1;
				break;
			}
	while (n > 0 && strchr(" ;(", rule[n - 1]))
		n--;
	snprintf(out, size, "✗ %.*s", (int)n, rule);
}

/* Every finding of the batch, most serious first: steps off the path
 * (they need the reason typed below), failed proofs, tokens not proved.
 * Returns how many (at most max). */
static int all_findings(struct hand *s, char (*buf)[300], int *colors, int max)
{
	int n = 0;

	for (int i = 0; i < hand_count(s) && n < max; i++) {
		const struct td_handover_item *it = td_handover_item_at(s->batch,
		                                                        (size_t)i);
		if (it->path_rule) {
			desk_rule(T(it->path_rule), buf[n], sizeof buf[n]);
			colors[n++] = COL_BAD;
		}
	}
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < hand_count(s) && n < max; i++) {
			const struct td_handover_item *it = td_handover_item_at(s->batch,
			                                                        (size_t)i);
			int failed = it->proof == TD_PROOF_NOT_MATCHED;
			if (s->kind != TD_HANDOVER_TOKENS || it->proof == TD_PROOF_MATCHED ||
			    failed != (pass == 0))
				continue;
			if (failed)
				Tf(buf[n], sizeof buf[n], "✗ %s: possession NOT proved (%s)",
				   it->key, it->proof_detail ? T(it->proof_detail) : "");
			else
				Tf(buf[n], sizeof buf[n], "– %s: possession not checked (no PIN "
				   "asked)", it->key);
			colors[n++] = failed ? COL_BAD : COL_WARN;
		}
	return n;
}

/* The dialog's text width for lines of these widths (tw_dialog's). */
static int dialog_inner(struct desk *d, const char *title, const char *const *text,
                        int n)
{
	int width = tw_width(title) + 4;

	for (int i = 0; i < n; i++)
		if (tw_width(text[i]) > width)
			width = tw_width(text[i]);
	width += 6;
	if (width > d->cols - 4)
		width = d->cols - 4;
	return width - 6 > 1 ? width - 6 : 1;
}

void hand_draw_confirm(struct desk *d, struct hand *s)
{
	static char found[CONFIRM_LINES][300], head[300], more[100];
	const char *title = T("Record the handover?"), *text[CONFIRM_LINES + 10];
	const char *tail[6];
	int colors[CONFIRM_LINES + 10], tail_colors[6], rows[CONFIRM_LINES + 10];
	int nf, nt = 0, n = 0, inner, budget, used = 0, shown = 0, field = -1, x, w;

	Tf(head, sizeof head, s->kind == TD_HANDOVER_TOKENS
	                      ? "%d token(s) to %s." : N_("%d dossier(s) to %s."),
	   hand_count(s), s->to_note + 4);
	nf = all_findings(s, found, colors + 3, CONFIRM_LINES);
	/* what always shows: the summary, the override, the question */
	if (s->force) {
		tail[nt] = T("! The final PIN try of a token was accepted (an override).");
		tail_colors[nt++] = COL_BAD;
	}
	tail[nt] = "", tail_colors[nt++] = COL_NORMAL;
	if (s->need_reason) {
		tail[nt] = T("Record anyway? Type why; it goes on the record:");
		tail_colors[nt++] = COL_BAD;
		tail[nt] = "", tail_colors[nt++] = COL_NORMAL;   /* the reason field */
		tail[nt] = T("Enter: record anyway    Esc: do not record");
	} else {
		tail[nt] = T("y: yes, record it    n or Esc: no");
	}
	tail_colors[nt++] = COL_KEY;
	text[n] = head, colors[n++] = COL_NORMAL;
	text[n] = T("Written at once in one record, with its audit rows.");
	colors[n++] = COL_DIM;
	text[n] = "", colors[n++] = COL_NORMAL;
	for (int i = 0; i < nf; i++)
		text[n + i] = found[i];
	for (int i = 0; i < nt; i++)
		text[n + nf + i] = tail[i];
	inner = dialog_inner(d, title, text, n + nf + nt);
	/* the findings get the rows the rest leaves (the box takes 4 and a
	 * row of screen each side), counted as wrapped: a long one takes 4
	 * rows at 80 columns; those that do not fit are counted, not cut */
	budget = d->rows - 2 - 4;
	for (int i = 0; i < n; i++)
		budget -= tw_wrapped_rows(text[i], inner);
	for (int i = 0; i < nt; i++)
		budget -= tw_wrapped_rows(tail[i], inner);
	for (int i = 0; i < nf; i++) {
		int r = tw_wrapped_rows(found[i], inner);
		int reserve = i + 1 < nf ? 1 : 0;   /* for "… and N more" */
		if (used + r + reserve > budget)
			break;
		used += r;
		shown++;
	}
	n += shown;
	if (shown < nf) {
		Tf(more, sizeof more, "… and %d more", nf - shown);
		text[n] = more, colors[n++] = COL_DIM;
	}
	for (int i = 0; i < nt; i++) {
		if (s->need_reason && i == nt - 2)
			field = n;
		text[n] = tail[i], colors[n++] = tail_colors[i];
	}
	tw_dialog_rows(d, title, text, colors, n, &x, &w, rows);
	if (s->need_reason && field >= 0 && rows[field] >= 0) {
		tf_draw(d, &s->reason, rows[field], x, w, 1);   /* the line left blank */
		curs_set(1);
	}
}

void hand_pin_open(struct desk *d, struct hand *s, int item)
{
	const char *serial = hand_key(s, item);
	int ft = serial ? desk_tokens_final_try(d, serial) : -1;

	if (ft < 0) {
		desk_message(d, 1, "%s", T("Insert the token to prove possession."));
		return;
	}
	/* said before any PIN is asked for: nothing would prove it */
	if (ft == 2) {
		desk_message(d, 1, "%s %s", serial, T("has its PIN locked: it "
		             "cannot prove possession (it needs token recovery)."));
		return;
	}
	hand_pin_close(s);
	if (!(s->pin = calloc(1, sizeof *s->pin)))
		return;
	if (!(s->pin->pin = tf_secret_new())) {
		free(s->pin);
		s->pin = NULL;
		desk_message(d, 1, "%s", T("Out of memory for the PIN."));
		return;
	}
	snprintf(s->pin->serial, sizeof s->pin->serial, "%s", serial);
	s->pin->final_try = ft;
}

void hand_pin_close(struct hand *s)
{
	if (!s->pin)
		return;
	tf_secret_free(s->pin->pin);   /* wipes the PIN */
	free(s->pin);
	s->pin = NULL;
}

/* The PIN dialog's keys (keys.h): mode 0 the PIN typed, 1 warned. */
static const struct screen_key pin_keys[] = {
	{ PIN_OK, SK_MODE(0), { TDK_ENTER }, 1, "Enter", NULL, NULL },
	{ PIN_CANCEL, SK_ALL, { TDK_ESC }, 1, "Esc", NULL, NULL },
	{ PIN_ARM, SK_MODE(1), { 'f', 'F' }, 0, "F", NULL, NULL },
	{ 0, 0, { 0 }, 0, NULL, NULL, NULL },
};

int desk_pin_request(int warn, int key)
{
	return screen_request(pin_keys, warn, key, !warn);
}

/* Shared with the signing dialog (sign.h): the PIN asked in the desk's
 * one dialog box.  At a final try, the warning and F first; else a
 * "PIN" line whose field is drawn here, secret. */
void desk_pin_dialog(struct desk *d, const char *title, const char *serial,
                     int warn, struct tf_field *pin, const char *keys,
                     const char *warn_keys)
{
	char line[300];
	const char *text[6];
	int colors[6], rows[6], n = 0, x, w;

	Tf(line, sizeof line, "Token %s: type its PIN and press Enter.", serial);
	text[n] = line, colors[n++] = COL_NORMAL;
	text[n] = "", colors[n++] = COL_NORMAL;
	if (warn) {
		text[n] = T("FINAL PIN TRY: one wrong PIN locks this token.");
		colors[n++] = COL_BAD;
		text[n] = "", colors[n++] = COL_NORMAL;
		text[n] = warn_keys, colors[n++] = COL_KEY;
		tw_dialog(d, title, text, colors, n, NULL, NULL);
		return;
	}
	text[n] = "PIN", colors[n++] = COL_HEAD;   /* the field beside it */
	text[n] = "", colors[n++] = COL_NORMAL;
	text[n] = keys, colors[n++] = COL_KEY;
	tw_dialog_rows(d, title, text, colors, n, &x, &w, rows);
	if (rows[2] < 0)
		return;
	tf_draw(d, pin, rows[2], x + 6, w - 6, 1);
	curs_set(1);
}

void hand_pin_draw(struct desk *d, struct hand *s)
{
	struct hand_pin *p = s->pin;

	desk_pin_dialog(d, T("Proof of possession"), p->serial,
	                p->final_try && !p->armed, p->pin,
	                T("Enter: prove    Esc: skip the proof"),
	                T("F: try anyway    Esc: skip the proof"));
}

int hand_pin_key(struct desk *d, struct hand *s, int k)
{
	struct hand_pin *p = s->pin;
	char detail[256];
	char serial[128];
	struct td_error err;
	int r;

	switch (desk_pin_request(p->final_try && !p->armed, k)) {
	case PIN_CANCEL:
		hand_pin_close(s);
		desk_message(d, 0, "%s", T("Proof skipped."));
		return 1;
	case PIN_ARM:
		p->armed = 1;
		return 1;
	case PIN_OK:
		break;
	default:
		/* the PIN's characters and its editing keys; nothing while warned */
		if (!(p->final_try && !p->armed) &&
		    (!(k & TDK_FN) || k == TDK(KEY_BACKSPACE) || k == TDK(KEY_LEFT) ||
		     k == TDK(KEY_RIGHT) || k == TDK(KEY_DC)))
			tf_key(p->pin, k);
		return 1;
	}
	if (p->armed)
		s->force = 1;   /* recorded on the handover as an override */
	snprintf(serial, sizeof serial, "%s", p->serial);
	r = desk_tokens_prove(d, serial, p->pin, p->armed, detail, sizeof detail);
	hand_pin_close(s);   /* wipes the PIN before anything else */
	if (r < 0) {
		desk_message(d, 1, "%s", detail);
		return 1;
	}
	td_handover_set_proof(s->batch, serial, r ? TD_PROOF_MATCHED
	                      : TD_PROOF_NOT_MATCHED, detail, &err);
	desk_message(d, !r, "%s", T(detail));
	return 1;
}
