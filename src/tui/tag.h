/* tag.h (tui): the tag dialog (scr_tag.c) that a record screen opens over
 * itself: tag a certificate, a token or an agency by hand with what must
 * happen and the Decree 68 request kind, as `tokendesk tag` does, or
 * remove its tag. */
#ifndef TD_TUI_TAG_H
#define TD_TUI_TAG_H

#include <stddef.h>

#include "tui/desk.h"

struct tagdlg;

/* target_kind "cert", "token" or "agency"; NULL when that kind cannot be
 * tagged by hand. */
struct tagdlg *tagdlg_open(struct desk *d, const char *target_kind,
                           const char *target);
void tagdlg_free(struct tagdlg *t);
void tagdlg_draw(struct desk *d, struct tagdlg *t);
/* TAGDLG_OPEN: still open; TAGDLG_DONE: closed (a tag written shows when
 * the record is drawn again: it reads itself again when the registry
 * changed). */
enum { TAGDLG_OPEN, TAGDLG_DONE };
int tagdlg_key(struct desk *d, struct tagdlg *t, int k);
int tagdlg_typing(const struct tagdlg *t);
/* A target's tag in words: what ("revoke · request: Revocation"), its
 * state ("sent to DOST, batch 2 · by hand") and its reason. */
struct tag_text {
	char what[160], state[160], reason[600];
};
/* Fill out; returns 1 when the target is tagged, else 0. */
int tag_describe(struct desk *d, const char *target_kind, const char *target,
                 struct tag_text *out);

#endif
