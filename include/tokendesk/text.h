/* tokendesk/text.h: Unicode text rules shared by every module.
 *
 * Stored text is UTF-8 in NFC.  Search keys are "folded": NFD, combining
 * marks dropped, case folded, đ/Đ mapped to d, runs of white space and
 * punctuation collapsed to one space.  Normalization comes from
 * libunistring, not hand-written tables.  Returned strings are malloc'ed
 * and owned by the caller (free()). */
#ifndef TOKENDESK_TEXT_H
#define TOKENDESK_TEXT_H

#include <stddef.h>

#include "tokendesk/error.h"

/* 1 when s[0..len) is valid UTF-8 with no NUL; else 0 and *bad_offset
 * (if non-NULL) is the byte offset of the first bad byte. */
int td_utf8_valid(const char *s, size_t len, size_t *bad_offset);

/* NFC copy of valid UTF-8 s (NUL-terminated).  Pure ASCII is copied as
 * is.  NULL on invalid input or out of memory. */
char *td_nfc(const char *s);

/* Folded search key of valid UTF-8 s; NULL on invalid input. */
char *td_fold(const char *s);

/* Why valid UTF-8 s has no place as a name or a remark, or NULL when it
 * is fine: control characters (they can rewrite a terminal line or a
 * printed record, ESC sequences recolour or retitle a terminal),
 * invisible text-direction marks (text prints other than it reads),
 * zero-width characters and stray BOMs (two names that look alike
 * differ), U+FFFD (text damaged by a wrong encoding). */
const char *td_text_problem(const char *s);

/* Longest text an operator types (a reason, remarks, a condition, a
 * place, a dossier reference), in bytes: a paragraph; more is a paste
 * gone wrong, and would fill the printed record. */
#define TD_TYPED_MAX 1000

/* What td_text_problem says, or "longer than TD_TYPED_MAX bytes": the
 * rules for text typed at the desk or on the command line. */
const char *td_typed_text_problem(const char *s);

/* Copy UTF-8 src into dst (size bytes, NUL included) with its control
 * characters shown, not sent: messages quote what was refused (a
 * serial, a field, a file name), and an ESC or a CR there would recolour
 * or rewrite the terminal of whoever reads them.  C0 controls and DEL
 * become \xNN, C1 controls (U+0080..U+009F; U+009B is a CSI to some
 * terminals) \uNNNN.  Cut, if it must be, between characters. */
void td_printable(char *dst, size_t size, const char *src);

/* Byte count of the control character s starts with (1 for a C0 control
 * or DEL, 2 for a C1 control written C2 80..C2 9F), or 0.  The one test
 * behind every place that shows text it did not write. */
size_t td_control_len(const char *s);

/* Trim leading/trailing ASCII white space in place; returns s. */
char *td_trim(char *s);

/* Canonical certificate/token serial: hex digits, lowercase, colons,
 * spaces and dashes dropped, leading zeros dropped ("0" stays "0").
 * Writes into out (size at least strlen(s)+1).  Returns 0, or
 * TD_ERR_DATA when s holds anything but hex and separators or is empty. */
int td_serial_hex(const char *s, char *out, size_t size);

/* Canonical token serial: white space dropped, ASCII letters upper-cased
 * (PKCS#11 serials are space-padded, and vendors differ in case).
 * Returns 0, or TD_ERR_DATA when empty, too long, or holding anything but
 * letters, digits, '-', '_', ':' and '.'. */
int td_token_serial(const char *s, char *out, size_t size);

/* 1 when s is a real calendar date written YYYY-MM-DD, else 0. */
int td_date_valid(const char *s);

/* Today's date (UTC) as YYYY-MM-DD into out[11]; $TOKENDESK_TODAY
 * overrides it, for tests of expiry. */
void td_today(char out[11]);

/* Current time (UTC) as YYYY-MM-DDTHH:MM:SSZ into out[21]. */
void td_now_iso(char out[21]);

/* Display width in terminal columns of UTF-8 s (wcwidth rules). */
int td_display_width(const char *s);

#endif
