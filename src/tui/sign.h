/* sign.h: signing at the desk (scr_sign.c): a handover record signed
 * with the parties' tokens, checkpoints of the audit chain signed with
 * DOST's, and a handover record's own screen (opened from a token's
 * custody history, after F9, or by scanning a printed record's QR code). */
#ifndef TD_TUI_SIGN_H
#define TD_TUI_SIGN_H

#include <stddef.h>

#include "tui/desk.h"
#include "tui/widget.h"

/* The record of handover number ("BG-2026-0001" or "#ID"): what it
 * says, its signatures, and s to sign it. */
void scr_receipt_open(struct desk *d, const char *number);
/* A scanned QR text of a printed record: its screen, saying whether the
 * paper matches the registry. */
void scr_receipt_scan(struct desk *d, const char *qr_text);
/* After F9 recorded handover number: offer to sign its record. */
void scr_sign_offer_record(struct desk *d, const char *number);
/* After a count closed: offer a checkpoint of the audit chain. */
void scr_sign_offer_checkpoint(struct desk *d);
/* On quitting: when handovers were recorded and a token is plugged in,
 * offer a checkpoint first and return 1 (the offer quits when done);
 * 0: quit now. */
int scr_sign_quit_offer(struct desk *d);

/* tokens.c: sign with the inserted token serial and pin (wiped here):
 * the record of handover number at path, or (number NULL) a checkpoint
 * of the audit chain written to path.  1 signed (detail: the signer),
 * 0 refused (detail: why, e.g. a wrong PIN), -1 not possible. */
int desk_tokens_sign(struct desk *d, const char *serial, struct tf_field *pin,
                     int force, const char *number, const char *path,
                     char *detail, size_t size);
/* 1 when the inserted token serial is at its final PIN try, 2 when its
 * PIN is locked, 0 when neither, -1 when it is not inserted (tokens.c). */
int desk_tokens_final_try(struct desk *d, const char *serial);

#endif
