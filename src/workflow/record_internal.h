/* record_internal.h: wording shared by the text and PDF renderings of a
 * handover record, so both say the same thing. */
#ifndef TD_WORKFLOW_RECORD_INTERNAL_H
#define TD_WORKFLOW_RECORD_INTERNAL_H

#include "tokendesk/handover.h"

#define TD_REC_NATION "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
#define TD_REC_MOTTO "Độc lập - Tự do - Hạnh phúc"
#define TD_REC_CLOSING "Biên bản bàn giao này được lập thành 02 bản có giá " \
	"trị như nhau, mỗi bên giữ 01 bản."

/* Upper-case title by kind: tokens or dossiers. */
const char *td_rec_title(const struct td_record *r);
/* Vietnamese label of a token state ("đang sử dụng"...) or of a dossier
 * status; the value itself when unknown, "" for NULL. */
const char *td_rec_state_label(const char *state);
/* Vietnamese label of a proof outcome name. */
const char *td_rec_proof_label(const char *proof);
/* Day, month and year of the record's date (local time of at). */
void td_rec_date(const struct td_record *r, int *day, int *month, int *year);
/* "Name (custodian)" or the custodian alone, into buf. */
const char *td_rec_party(const char *custodian, const char *name, char *buf,
                         size_t size);
/* The distinct givers (1 when the handover has one), and the first item
 * of the g-th of them: one signature block each. */
size_t td_rec_ngivers(const struct td_record *r);
const struct td_record_item *td_rec_giver(const struct td_record *r, size_t g);
/* 1 when items have different givers (the record then shows a column). */
int td_rec_mixed_givers(const struct td_record *r);
/* 1 when an item's own remarks say more than the handover's. */
int td_rec_item_remarks_shown(const struct td_record *r,
                              const struct td_record_item *it);
/* The unit word: "thiết bị" or "hồ sơ". */
const char *td_rec_unit(const struct td_record *r);

/* The record as a JSON object (jansson), and back: how the PDF helper
 * program receives it.  from_json fills *out (release with
 * td_record_clear) and returns 0, or TD_ERR_DATA for a malformed one. */
struct json_t;
struct json_t *td_record_to_json(const struct td_record *r);
int td_record_from_json(struct json_t *o, struct td_record *out,
                        struct td_error *err);

/* The pango + cairo rendering itself, run inside the tokendesk-pdf
 * helper (record_pdf.c); same contract as td_record_write_pdf.  qr (may
 * be NULL) is drawn as a QR code in every page's bottom margin and kept,
 * with the signature boxes, in the document's Keywords (pdf_sign.c). */
int td_record_render_pdf(const struct td_record *r, const char *qr,
                         const char *path, struct td_error *err);
/* A signature box's appearance: lines of text (the first bold) in a
 * frame, width x height pixels, as a binary PGM file at path. */
int td_record_render_sigbox(const char *const *lines, size_t n, int width,
                            int height, const char *path, struct td_error *err);
/* The record's content digest and its QR text (record_digest.c):
 * SHA-256 of the record as canonical JSON (td_record_to_json without the
 * derived "date" and the row "id", keys sorted, compact, UTF-8), as 64
 * hex digits; the QR
 * text is "TDREC:" NUMBER ":" HEX. */
int td_record_content_sha256(const struct td_record *r, char hex[65],
                             struct td_error *err);
#define TD_REC_QR_PREFIX "TDREC:"
int td_record_qr_text(const struct td_record *r, char *out, size_t size,
                      struct td_error *err);
/* Run the helper as `tokendesk-pdf --sigbox W H PATH LINE...`. */
int td_record_spawn_sigbox(const char *const *lines, size_t n, int width,
                           int height, const char *path, struct td_error *err);

#endif
