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

/* Most combining marks on one letter: Vietnamese in NFD needs 2 (ệ is
 * e, dot below, circumflex); a stack of dozens draws over other lines
 * and makes two names that print alike. */
#define TD_MARKS_MAX 3

/* What td_text_flaw found: the first character refused. */
struct td_text_flaw {
	const char *what;           /* English, static: "control character" */
	unsigned long code_point;   /* the character (for too many marks, the
	                             * first mark over TD_MARKS_MAX) */
	size_t position;            /* its place in the text, in characters,
	                             * from 1 */
};

/* 1 with *flaw filled when valid UTF-8 s has a character with no place
 * in a name or a remark; else 0.  Refused, by libunistring's tables:
 * control characters (they rewrite a terminal line or a printed record),
 * format characters (general category Cf: text-direction marks, zero
 * width characters, soft hyphens, a BOM inside the text, tag characters),
 * line and paragraph separators, other default-ignorable characters
 * (Hangul fillers, variation selectors), U+2800 (a blank braille
 * pattern), U+FFFD (text damaged by a wrong encoding), and more than
 * TD_MARKS_MAX combining marks on one letter: each makes two names that
 * look alike differ, or text print other than it reads. */
int td_text_flaw(const char *s, struct td_text_flaw *flaw);

/* What td_text_flaw finds, said in one line ("invisible formatting
 * character in the text: U+2061 at character 5"), or NULL when s is
 * fine.  The text lives in a buffer of the calling thread, good until
 * its next call. */
const char *td_text_problem(const char *s);

/* Longest text an operator types (a reason, remarks, a condition, a
 * place, a dossier reference), in bytes: a paragraph; more is a paste
 * gone wrong, and would fill the printed record. */
#define TD_TYPED_MAX 1000

/* What td_text_problem says, or "longer than TD_TYPED_MAX bytes": the
 * rules for text typed at the desk or on the command line. */
const char *td_typed_text_problem(const char *s);

/* Copy UTF-8 src into dst (size bytes, NUL included) with every
 * character td_hidden_len names shown, not sent: messages quote what was
 * refused (a serial, a field, a file name), and an ESC or a CR there
 * would recolour or rewrite the terminal of whoever reads them, a U+202E
 * reverse what follows.  C0 controls and DEL become \xNN, the others
 * \uNNNN (\UNNNNNNNN above U+FFFF).  Cut, if it must be, between
 * characters. */
void td_printable(char *dst, size_t size, const char *src);

/* Byte count of the control character s starts with (1 for a C0 control
 * or DEL, 2 for a C1 control written C2 80..C2 9F), or 0. */
size_t td_control_len(const char *s);

/* Byte count of the character s starts with when it must be shown
 * escaped rather than sent to a terminal or a page: a control character,
 * or any other character td_text_flaw refuses (a format character, a
 * separator, a filler, a combining mark beyond TD_MARKS_MAX on one
 * letter); else 0 (also for invalid UTF-8, which is the caller's to
 * check).  *marks carries the count of marks seen on the current letter
 * from one call to the next: 0 at the start of a text.  The one test
 * behind every place that shows text it did not write (DNs, labels,
 * messages). */
size_t td_hidden_len(const char *s, int *marks);

/* Trim leading/trailing ASCII white space in place; returns s. */
char *td_trim(char *s);

/* Canonical certificate/token serial: hex digits, lowercase, colons,
 * spaces and dashes dropped, leading zeros dropped ("0" stays "0").
 * Writes into out (size at least strlen(s)+1).  Returns 0, or
 * TD_ERR_DATA when s holds anything but hex and separators or is empty. */
int td_serial_hex(const char *s, char *out, size_t size);

/* Canonical token serial, the one normalising function every command
 * uses on a token serial it is given: white space and colons dropped
 * (people type "80:27:5F:2F" or "8027 5F2F"), ASCII letters upper-cased
 * (PKCS#11 serials are space-padded, and vendors differ in case).
 * Returns 0, or TD_ERR_DATA when empty, too long, or holding anything but
 * letters, digits, separators, '-', '_' and '.'. */
int td_token_serial(const char *s, char *out, size_t size);

/* 1 when s is a real calendar date written YYYY-MM-DD, else 0. */
int td_date_valid(const char *s);

/* A date as clerks write it: YYYY-MM-DD, or d/m/yyyy and dd/mm/yyyy
 * (Excel's short date in Vietnam), digits only.  1 and iso[11] gets
 * YYYY-MM-DD when it is a real calendar date, else 0. */
int td_date_parse(const char *v, char iso[11]);

/* Today's date (UTC) as YYYY-MM-DD into out[11]; $TOKENDESK_TODAY
 * overrides it, for tests of expiry. */
void td_today(char out[11]);

/* Current time (UTC) as YYYY-MM-DDTHH:MM:SSZ into out[21]. */
void td_now_iso(char out[21]);

/* A stored UTC time ("2026-12-06T10:08:17Z", seconds optional) in local
 * time (TZ), written with the strftime format fmt (the reader's language
 * chooses it) into buf; anything else is returned as it is. */
const char *td_local_time(const char *iso, const char *fmt, char *buf,
                          size_t size);

/* A calendar date ("2027-01-01", as the registry stores validity)
 * written with the strftime format fmt (the reader's language chooses
 * it: "01/01/2027" in Vietnamese) into buf; anything else is returned
 * as it is. */
const char *td_date_text(const char *iso, const char *fmt, char *buf,
                         size_t size);

/* A calendar date (td_date_text) or a UTC time (its local day,
 * td_local_time: a certificate's end) written with fmt; "" for NULL. */
const char *td_day_text(const char *v, const char *fmt, char *buf, size_t size);

/* Display width in terminal columns of UTF-8 s (wcwidth rules). */
int td_display_width(const char *s);

#endif
