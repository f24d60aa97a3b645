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

struct hand_pin {
	int item;
	int final_try;      /* the token says one more wrong PIN locks it */
	int armed;          /* the operator accepted the final-try risk */
	struct tf_field *pin; /* in secure memory (tf_secret_new) */
};

/* tokens.c: prove possession of the inserted token serial with pin.
 * Returns 1 proved, 0 not proved (detail says why), -1 not possible. */
int desk_tokens_prove(struct desk *d, const char *serial, struct tf_field *pin,
                      int force, char *detail, size_t size);
/* tokens.c: 1 when the inserted token serial is at its final PIN try,
 * 0 when not, -1 when it is not inserted. */
int desk_tokens_final_try(struct desk *d, const char *serial);

static void centre_box(struct desk *d, int h, const char *title, int *y,
                       int *x, int *w)
{
	*w = d->cols > 76 ? 72 : d->cols - 4;
	*x = (d->cols - *w) / 2;
	*y = (d->rows - h) / 2;
	tw_box(d, *y, *x, h, *w, title);
}

void hand_draw_confirm(struct desk *d, struct hand *s)
{
	char line[800];
	int y, x, w;

	centre_box(d, 7, T("Record the handover?"), &y, &x, &w);
	Tf(line, sizeof line, s->kind == TD_HANDOVER_TOKENS
	                          ? "%d token(s) to %s." : N_("%d dossier(s) to %s."),
	   s->n, s->to_note + 4);
	tw_put(d, y + 2, x + 2, w - 4, line, COL_NORMAL, 0);
	tw_put(d, y + 3, x + 2, w - 4,
	       T("Written at once in one record, with its audit rows."), COL_DIM, 0);
	if (s->reason[0]) {
		Tf(line, sizeof line, "Off the path, forced: %s", s->reason);
		tw_put(d, y + 4, x + 2, w - 4, line, COL_WARN, 0);
	}
	tw_put(d, y + 5, x + 2, w - 4, T("y: yes, record it    n or Esc: no"),
	       COL_KEY, 0);
}

void hand_draw_reason(struct desk *d, struct hand *s)
{
	int y, x, w;

	centre_box(d, 8, T("Hand over off the path?"), &y, &x, &w);
	tw_put(d, y + 2, x + 2, w - 4,
	       T("A step skips or goes against official -> agency -> DOST -> CA,"),
	       COL_NORMAL, 0);
	tw_put(d, y + 3, x + 2, w - 4,
	       T("or gives a certificate's token to another person."), COL_NORMAL, 0);
	tw_put(d, y + 4, x + 2, w - 4,
	       T("Reason (written on the record), Enter; Esc: no:"), COL_KEY, 0);
	tf_draw(d, &s->reason_field, y + 5, x + 2, w - 4, 1);
	curs_set(1);
}

void hand_pin_open(struct desk *d, struct hand *s, int item)
{
	int ft = desk_tokens_final_try(d, s->serial[item]);

	if (ft < 0) {
		desk_message(d, 1, "%s", T("Insert the token to prove possession."));
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
	s->pin->item = item;
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

void hand_pin_draw(struct desk *d, struct hand *s)
{
	struct hand_pin *p = s->pin;
	char line[300];
	int y, x, w;

	centre_box(d, 9, T("Proof of possession"), &y, &x, &w);
	Tf(line, sizeof line, "Token %s: type its PIN and press Enter.",
	   s->serial[p->item]);
	tw_put(d, y + 2, x + 2, w - 4, line, COL_NORMAL, 0);
	if (p->final_try && !p->armed) {
		tw_put(d, y + 4, x + 2, w - 4,
		       T("FINAL PIN TRY: one wrong PIN locks this token."), COL_BAD, 0);
		tw_put(d, y + 6, x + 2, w - 4,
		       T("F: try anyway    Esc: skip the proof"), COL_KEY, 0);
		return;
	}
	tw_put(d, y + 6, x + 2, w - 4,
	       T("Enter: prove    Esc: skip the proof"), COL_KEY, 0);
	tw_put(d, y + 4, x + 2, 6, "PIN", COL_HEAD, 0);
	tf_draw(d, p->pin, y + 4, x + 8, w - 12, 1);
	curs_set(1);
}

int hand_pin_key(struct desk *d, struct hand *s, int k)
{
	struct hand_pin *p = s->pin;
	char detail[256];
	int r, item = p->item;

	if (k == TDK_ESC) {
		hand_pin_close(s);
		desk_message(d, 0, "%s", T("Proof skipped."));
		return 1;
	}
	if (p->final_try && !p->armed) {
		if (k == 'f' || k == 'F')
			p->armed = 1;
		return 1;
	}
	if (k != TDK_ENTER) {
		if (!(k & TDK_FN) || k == TDK(KEY_BACKSPACE) || k == TDK(KEY_LEFT) ||
		    k == TDK(KEY_RIGHT) || k == TDK(KEY_DC))
			tf_key(p->pin, k);
		return 1;
	}
	if (p->armed)
		s->force = 1;   /* recorded on the handover as an override */
	r = desk_tokens_prove(d, s->serial[item], p->pin, p->armed, detail,
	                      sizeof detail);
	hand_pin_close(s);   /* wipes the PIN before anything else */
	if (r < 0) {
		desk_message(d, 1, "%s", detail);
		return 1;
	}
	s->proof[item] = r ? TD_PROOF_MATCHED : TD_PROOF_NOT_MATCHED;
	snprintf(s->proof_detail[item], sizeof s->proof_detail[0], "%s", detail);
	hand_rebuild(d, s);
	desk_message(d, !r, "%s", detail);
	return 1;
}
