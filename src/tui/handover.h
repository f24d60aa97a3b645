/* handover.h (tui): the handover screen's state, shared by its two files:
 * scr_handover.c (the form and the running list) and scr_pin.c (the
 * confirmation box and the proof-of-possession PIN dialog). */
#ifndef TD_TUI_HANDOVER_H
#define TD_TUI_HANDOVER_H

#include "tokendesk/handover.h"
#include "tui/desk.h"
#include "tui/widget.h"

#define HAND_MAX 200

struct hand {
	enum td_handover_kind kind;
	struct td_handover *batch;       /* rebuilt from the fields */
	struct tf_field field[5];        /* item, from, to, condition, remarks */
	int focus, field_x, field_w;
	char serial[HAND_MAX][128];       /* the running list, in order */
	char why[HAND_MAX][520];         /* refusal of each, or "" */
	enum td_proof proof[HAND_MAX];
	char proof_detail[HAND_MAX][256];
	/* the custody each token had when it joined the list (its item's
	 * custody_seen): kept across rebuilds, so a token another desk hands
	 * over meanwhile is refused, not silently taken from its new holder */
	int64_t seen[HAND_MAX];
	int seen_set[HAND_MAX];
	int n, list_sel, force;
	struct tl_list list;
	char to_note[600], from_note[600];
	int to_ok, confirm, esc_armed;
	char number[TD_HANDOVER_NUMBER_MAX];
	struct hand_pin *pin;            /* the PIN dialog, when open */
	/* a step off the path official -> agency -> DOST -> CA (letter 2.1,
	 * 2.2) is recorded only with a typed reason: which items need it,
	 * the reason box and the reason given for this batch */
	int offpath[HAND_MAX];
	int reason_ask;
	struct tf_field reason_field;
	char reason[TF_MAX * 4];
};

void hand_rebuild(struct desk *d, struct hand *s);
void hand_add(struct desk *d, struct hand *s, const char *serial);
void hand_draw_confirm(struct desk *d, struct hand *s);
/* The reason box (scr_pin.c): asked at F9 when the only refusals are
 * steps off the path; Enter with a reason rebuilds the batch forced and
 * opens the confirmation. */
void hand_draw_reason(struct desk *d, struct hand *s);
int hand_reason_key(struct desk *d, struct hand *s, int k);
void hand_pin_open(struct desk *d, struct hand *s, int item);
void hand_pin_draw(struct desk *d, struct hand *s);
int hand_pin_key(struct desk *d, struct hand *s, int k);
void hand_pin_close(struct hand *s);
void hand_tokens_changed(struct desk *d, void *self);
/* Another desk or command wrote to the registry: check the list again. */
void hand_registry_changed(struct desk *d, void *self);

#endif
