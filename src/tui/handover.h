/* handover.h (tui): the handover screen's state, shared by its two files:
 * scr_handover.c (the form and the running list) and scr_pin.c (the
 * confirmation box and the proof-of-possession PIN dialog). */
#ifndef TD_TUI_HANDOVER_H
#define TD_TUI_HANDOVER_H

#include "tokendesk/handover.h"
#include "tui/desk.h"
#include "tui/widget.h"

/* The batch is the model: the running list is its items, each with its
 * proof; the fields only feed it (tokendesk/handover.h takes items,
 * receiver and giver in any order and checks each when it comes). */
struct hand {
	enum td_handover_kind kind;
	struct td_handover *batch;
	struct tf_field field[5];        /* item, from, to, condition, remarks */
	int focus, field_x, field_w;
	int list_sel, force;
	struct tl_list list;
	char to_note[600], from_note[600];
	int to_ok, confirm;
	/* F9 found what the CLI refuses without --force (a proof that
	 * failed, a final PIN try overridden): recording then takes an
	 * explicit "record anyway" with a reason, typed here */
	int need_reason;
	struct tf_field reason;
	char number[TD_HANDOVER_NUMBER_MAX];
	struct hand_pin *pin;            /* the PIN dialog, when open */
};

/* Items in the batch, and the key (serial or ref) of the i-th. */
int hand_count(const struct hand *s);
const char *hand_key(const struct hand *s, int i);
void hand_add(struct desk *d, struct hand *s, const char *serial);
void hand_draw_confirm(struct desk *d, struct hand *s);
/* What F9 found that needs "record anyway": failed proofs, overrides. */
int hand_findings(const struct hand *s);
/* Tokens of the batch whose step leaves the path (their path_rule). */
int hand_off_path(const struct hand *s);
void hand_pin_open(struct desk *d, struct hand *s, int item);
void hand_pin_draw(struct desk *d, struct hand *s);
int hand_pin_key(struct desk *d, struct hand *s, int k);
void hand_pin_close(struct hand *s);
void hand_tokens_changed(struct desk *d, void *self);
/* Another desk or command wrote to the registry: check the list again. */
void hand_registry_changed(struct desk *d, void *self);

#endif
