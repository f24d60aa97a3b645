/* text.c: UTF-8 validation, NFC, search folding, serials and dates. */
#include <config.h>

#include <ctype.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>
#include <uniwidth.h>

#include "tokendesk/error.h"
#include "tokendesk/text.h"

/* marks a text for xgettext (the desk lists the characters' names too) */
#define N_(s) s

int td_utf8_valid(const char *s, size_t len, size_t *bad_offset)
{
	const uint8_t *bad = u8_check((const uint8_t *)s, len);
	const char *nul = memchr(s, '\0', len);

	if (nul && (!bad || (const uint8_t *)nul < bad))
		bad = (const uint8_t *)nul;
	if (!bad)
		return 1;
	if (bad_offset)
		*bad_offset = (size_t)((const char *)bad - s);
	return 0;
}

static int is_ascii(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

/* Run a libunistring u8 transform that returns a fresh, unterminated
 * buffer; add the terminating NUL. */
static char *terminate(uint8_t *buf, size_t len)
{
	char *out = malloc(len + 1);

	if (out) {
		memcpy(out, buf, len);
		out[len] = '\0';
	}
	free(buf);
	return out;
}

static uint32_t char_info(ucs4_t c);
#define CHAR_TABLE 0x2000
#define CHAR_NFC (1u << 16)

/* 1 when every code point of s (valid UTF-8, len bytes) is one NFC
 * keeps and nothing composes with: then s is its own NFC. */
static int nfc_already(const char *s, size_t len)
{
	const uint8_t *p = (const uint8_t *)s;

	for (size_t i = 0; i < len;) {
		ucs4_t c = p[i];
		int n = c < 0x80 ? 1 : u8_mbtouc(&c, p + i, len - i);
		if (n <= 0 || c >= CHAR_TABLE || !(char_info(c) & CHAR_NFC))
			return 0;
		i += (size_t)n;
	}
	return 1;
}

char *td_nfc(const char *s)
{
	size_t len = strlen(s), outlen = 0;
	uint8_t *buf;

	if (is_ascii(s, len))
		return strdup(s);
	if (!td_utf8_valid(s, len, NULL))
		return NULL;
	if (nfc_already(s, len))   /* Vietnamese as typed: precomposed letters */
		return strdup(s);
	buf = u8_normalize(UNINORM_NFC, (const uint8_t *)s, len, NULL, &outlen);
	return buf ? terminate(buf, outlen) : NULL;
}

/* Append one folded code point; separators become a single space. */
static void fold_put(char *out, size_t *n, ucs4_t c)
{
	if (c == 0x0111)  /* đ (casefold already turned Đ into đ) */
		c = 'd';
	if (uc_is_general_category(c, UC_CATEGORY_M))
		return;   /* combining marks: the diacritics */
	if (!uc_is_alnum(c)) {
		if (*n > 0 && out[*n - 1] != ' ')
			out[(*n)++] = ' ';
		return;
	}
	int w = u8_uctomb((uint8_t *)out + *n, c, 6);
	if (w > 0)
		*n += (size_t)w;
}

/* The whole folding (casefold to NFD, then fold_put): the reference,
 * and the way for text outside fold_fast's table. */
static char *fold_slow(const char *s, size_t len)
{
	size_t flen = 0, n = 0;
	uint8_t *folded;
	char *out;

	folded = u8_casefold((const uint8_t *)s, len, NULL, UNINORM_NFD,
	                     NULL, &flen);
	if (!folded)
		return NULL;
	out = malloc(flen + 1);
	if (out) {
		for (size_t i = 0; i < flen;) {
			ucs4_t c;
			int step = u8_mbtouc(&c, folded + i, flen - i);
			fold_put(out, &n, c);
			i += (size_t)(step > 0 ? step : 1);
		}
		while (n > 0 && out[n - 1] == ' ')
			n--;
		out[n] = '\0';
		if (out[0] == ' ')
			memmove(out, out + 1, n);
	}
	free(folded);
	return out;
}

/* Case folding is context-free and the marks NFD splits off are
 * dropped, so text folds code point by code point: each one's folding
 * is worked out once and kept here, packed in one word (byte 0: length
 * + 1, then up to 7 bytes, ' ' for a separator; FOLD_SLOW when longer
 * or unknown).  Building a national registry's search index folded
 * every name through libunistring (issue 27: a sixth of the import's
 * extra CPU over the floor).  Atomic: a desk's threads may share it. */
#define FOLD_TABLE 0x2000   /* Latin, Greek, Cyrillic, Vietnamese (U+1Exx) */
#define FOLD_SLOW 0xff
static _Atomic uint64_t fold_table[FOLD_TABLE];

static uint64_t fold_entry(ucs4_t c)
{
	uint64_t e = atomic_load_explicit(&fold_table[c], memory_order_relaxed);
	uint8_t in[6], *folded;
	size_t flen = 0, n = 0;
	unsigned char bytes[8];
	int w = e ? 0 : u8_uctomb(in, c, sizeof in);

	if (e)
		return e;
	folded = w > 0 ? u8_casefold(in, (size_t)w, NULL, UNINORM_NFD, NULL, &flen)
	               : NULL;
	for (size_t i = 0; folded && i < flen && n <= 7;) {
		ucs4_t f;
		int step = u8_mbtouc(&f, folded + i, flen - i);
		if (f == 0x0111)
			f = 'd';
		if (uc_is_general_category(f, UC_CATEGORY_M)) {
			/* a diacritic: nothing */
		} else if (!uc_is_alnum(f)) {
			bytes[n++] = ' ';
		} else {
			uint8_t u[6];
			int k = u8_uctomb(u, f, sizeof u);
			if (k <= 0 || n + (size_t)k > 7)
				k = 8;   /* too long for the table: fold_slow */
			else
				memcpy(bytes + n, u, (size_t)k);
			n += (size_t)k;
		}
		i += (size_t)(step > 0 ? step : 1);
	}
	e = FOLD_SLOW;
	if (folded && n <= 7) {
		e = n + 1;
		for (size_t i = 0; i < n; i++)
			e |= (uint64_t)bytes[i] << (8 * (i + 1));
	}
	free(folded);
	atomic_store_explicit(&fold_table[c], e, memory_order_relaxed);
	return e;
}

char *td_fold(const char *s)
{
	size_t len = strlen(s), n = 0;
	char *out;

	if (!td_utf8_valid(s, len, NULL))
		return NULL;
	if (!(out = malloc(4 * len + 1)))   /* a code point of k bytes: <= 7 */
		return NULL;
	for (size_t i = 0; i < len;) {
		ucs4_t c = (unsigned char)s[i];
		int step = c < 0x80 ? 1 : u8_mbtouc(&c, (const uint8_t *)s + i, len - i);
		uint64_t e = c < FOLD_TABLE ? fold_entry(c) : FOLD_SLOW;

		if (e == FOLD_SLOW) {
			free(out);
			return fold_slow(s, len);
		}
		for (unsigned k = 1; k < (e & 0xff); k++) {
			char b = (char)(e >> (8 * k));
			if (b != ' ')
				out[n++] = b;
			else if (n > 0 && out[n - 1] != ' ')
				out[n++] = ' ';
		}
		i += (size_t)(step > 0 ? step : 1);
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
	return out;
}

char *td_trim(char *s)
{
	size_t len = strlen(s), start = 0;

	while (len > 0 && isspace((unsigned char)s[len - 1]))
		s[--len] = '\0';
	while (isspace((unsigned char)s[start]))
		start++;
	if (start)
		memmove(s, s + start, len - start + 1);
	return s;
}

int td_serial_hex(const char *s, char *out, size_t size)
{
	size_t n = 0;
	int digits = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == ':' || c == ' ' || c == '-')
			continue;
		if (!isxdigit(c))
			return TD_ERR_DATA;
		digits++;
		if (n == 0 && c == '0')
			continue;   /* leading zero */
		if (n + 1 >= size)
			return TD_ERR_DATA;
		out[n++] = (char)tolower(c);
	}
	if (digits == 0)
		return TD_ERR_DATA;
	if (n == 0) {
		if (size < 2)
			return TD_ERR_DATA;
		out[n++] = '0';
	}
	out[n] = '\0';
	return TD_OK;
}

int td_token_serial(const char *s, char *out, size_t size)
{
	size_t n = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		/* separators people type or copy ("80:27:5F", "8027 5F2F") */
		if (c == ' ' || c == '\t' || c == ':')
			continue;
		if (!isalnum(c) && c != '-' && c != '_' && c != '.')
			return TD_ERR_DATA;
		if (n + 1 >= size)
			return TD_ERR_DATA;
		out[n++] = (char)toupper(c);
	}
	out[n] = '\0';
	return n ? TD_OK : TD_ERR_DATA;
}

static int days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

int td_date_valid(const char *s)
{
	int y, m, d;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return 0;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	return y >= 1900 && m >= 1 && m <= 12 && d >= 1 &&
	       d <= days_in_month(y, m);
}

void td_today(char out[11])
{
	const char *fixed = getenv("TOKENDESK_TODAY");
	time_t now = time(NULL);
	struct tm tm;

	if (fixed && td_date_valid(fixed)) {
		memcpy(out, fixed, 11);
		return;
	}
	gmtime_r(&now, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/* "HH:MM:SS" of a real time of day (no leap second: audit verify reads
 * the times as SQLite does, and "08:00:60" is no time to it). */
static int time_valid(const char *t)
{
	int h, m, sec;
	char end;

	return sscanf(t, "%2d:%2d:%2d%c", &h, &m, &sec, &end) == 4 && end == 'Z' &&
	       t[2] == ':' && t[5] == ':' && h >= 0 && h < 24 && m >= 0 && m < 60 &&
	       sec >= 0 && sec < 60;
}

void td_now_iso(char out[21])
{
	const char *fixed = getenv("TOKENDESK_TEST_NOW");
	time_t now = time(NULL);
	struct tm tm;

	/* tests only (golden screens): a fixed clock, so that audit times on
	 * a screen are the same on every run */
	if (fixed && strlen(fixed) == 20 && fixed[10] == 'T' && fixed[19] == 'Z' &&
	    td_date_valid((char[11]){ fixed[0], fixed[1], fixed[2], fixed[3], fixed[4],
	                              fixed[5], fixed[6], fixed[7], fixed[8], fixed[9], 0 }) &&
	    time_valid(fixed + 11)) {
		memcpy(out, fixed, 21);
		return;
	}
	gmtime_r(&now, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int td_display_width(const char *s)
{
	int w = u8_strwidth((const uint8_t *)s, "UTF-8");
	return w < 0 ? (int)strlen(s) : w;
}

/* Where a UTF-8 string of n bytes may be cut so as not to end inside
 * a character: n, or the start of an unfinished last character. */
static size_t whole_chars(const char *s, size_t n)
{
	size_t lead = n, want;

	while (lead > 0 && ((unsigned char)s[lead - 1] & 0xC0) == 0x80)
		lead--;
	if (lead == 0 || (unsigned char)s[lead - 1] < 0xC0)
		return n;
	lead--;
	want = (unsigned char)s[lead] >= 0xF0 ? 4 : (unsigned char)s[lead] >= 0xE0 ? 3 : 2;
	return n - lead < want ? lead : n;
}

size_t td_control_len(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (*p == '\0')
		return 0;
	if (*p < 0x20 || *p == 0x7F)
		return 1;
	if (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)
		return 2;
	return 0;
}

/* Braille pattern blank: drawn as a space, yet not one (the other blank
 * look-alikes are format characters or default-ignorable, and their
 * tables say so). */
#define BRAILLE_BLANK 0x2800

/* What is wrong with code point c anywhere in a name or a remark, in
 * English, or NULL.  Categories and properties are libunistring's. */
static const char *char_flaw(ucs4_t c)
{
	if (uc_is_general_category(c, UC_CATEGORY_Cc))
		return "control character";
	if (uc_is_property_bidi_control(c))
		return "invisible text-direction character";
	if (uc_is_general_category(c, UC_CATEGORY_Cf))
		return "invisible formatting character";
	if (uc_is_general_category(c, UC_CATEGORY_Zl) ||
	    uc_is_general_category(c, UC_CATEGORY_Zp))
		return "line or paragraph separator";
	/* Hangul fillers, variation selectors, the combining grapheme
	 * joiner: drawn as nothing, or as a blank */
	if (uc_is_property_default_ignorable_code_point(c))
		return "invisible filler character";
	if (c == BRAILLE_BLANK)
		return "blank braille pattern";
	if (c == 0xfffd)
		return "replacement character (the text was damaged by a "
		       "wrong encoding)";
	return NULL;
}

/* Combining marks c carries: 1 for a mark, and for a letter written
 * with its marks (ệ, U+1EC7) the marks of its canonical decomposition
 * (2: dot below, circumflex), so NFC and NFD text count alike. */
static int marks_in(ucs4_t c)
{
	ucs4_t parts[UC_DECOMPOSITION_MAX_LENGTH];
	int n = c < 0xc0 ? 0 : uc_canonical_decomposition(c, parts), marks = 0;

	if (n <= 0)
		return uc_is_general_category(c, UC_CATEGORY_M);
	for (int i = 0; i < n; i++)
		marks += marks_in(parts[i]);
	return marks;
}

/* The count of marks on the current letter after c. */
static int marks_after(int marks, ucs4_t c)
{
	int own = marks_in(c);

	return uc_is_general_category(c, UC_CATEGORY_M) ? marks + own : own;
}

/* char_flaw, marks_in and whether c is a mark, for code points below
 * CHAR_TABLE, worked out once (bit 31: known; bits 0-7: marks_in;
 * bit 8: a mark; bits 9-15: the flaw's place in flaws + 1; bit 16: c is
 * its own NFC and nothing composes with it, see td_nfc).  Reading a
 * national list asked libunistring's tables per letter of every name
 * (issue 27).  Atomic: threads may share it. */
#define CHAR_KNOWN (1u << 31)
#define CHAR_MARK (1u << 8)
static _Atomic uint32_t char_table[CHAR_TABLE];
static const char *const flaws[] = { "control character",
	"invisible text-direction character", "invisible formatting character",
	"line or paragraph separator", "invisible filler character" };

/* The place of what (one of char_flaw's texts) in flaws, + 1; 0 when
 * it is none of them (then the code point is not kept). */
static uint32_t flaw_place(const char *what)
{
	for (uint32_t i = 0; i < sizeof flaws / sizeof *flaws; i++)
		if (strcmp(flaws[i], what) == 0)
			return i + 1;
	return 0;
}

/* Letters NFC leaves as they are, with no mark and no decomposition of
 * their own, outside the Hangul jamo (which compose with the one before
 * them): a text of only these is its own NFC (UAX 15's quick check). */
static int nfc_stable(ucs4_t c, int mark)
{
	uint8_t in[6], *out;
	size_t olen = 0;
	int w = u8_uctomb(in, c, sizeof in), same;

	if (mark || w <= 0 || (c >= 0x1100 && c < 0x1200))
		return 0;
	out = u8_normalize(UNINORM_NFC, in, (size_t)w, NULL, &olen);
	same = out && olen == (size_t)w && memcmp(out, in, olen) == 0;
	free(out);
	return same;
}

static uint32_t char_info(ucs4_t c)
{
	uint32_t e = atomic_load_explicit(&char_table[c], memory_order_relaxed);
	const char *what;
	int marks, mark;

	if (e)
		return e;
	what = char_flaw(c);
	marks = marks_in(c);
	mark = uc_is_general_category(c, UC_CATEGORY_M);
	e = CHAR_KNOWN | (uint32_t)(marks > 255 ? 255 : marks) |
	    (mark ? CHAR_MARK : 0) | (nfc_stable(c, mark) ? CHAR_NFC : 0);
	if (what && flaw_place(what))
		e |= flaw_place(what) << 9;
	else if (what)
		return 0;   /* not kept: td_text_flaw asks char_flaw */
	atomic_store_explicit(&char_table[c], e, memory_order_relaxed);
	return e;
}

int td_text_flaw(const char *value, struct td_text_flaw *flaw)
{
	const uint8_t *p = (const uint8_t *)value;
	size_t left = strlen(value);   /* once: a 64 KiB field is not rescanned */
	size_t position = 0;
	int marks = 0;
	ucs4_t c;
	int n;

	while (left > 0 && (n = *p < 0x80 ? (c = *p, 1) : u8_mbtouc(&c, p, left)) > 0) {
		uint32_t e = c < CHAR_TABLE ? char_info(c) : 0;
		const char *what = e ? ((e >> 9) & 0x7f ? flaws[((e >> 9) & 0x7f) - 1] : NULL)
		                     : char_flaw(c);
		position++;
		if (e)
			marks = (e & CHAR_MARK ? marks : 0) + (int)(e & 0xff);
		else
			marks = marks_after(marks, c);
		if (!what && marks > TD_MARKS_MAX)
			what = "more than 3 combining marks on one letter";
		if (what) {
			flaw->what = what;
			flaw->code_point = c;
			flaw->position = position;
			return 1;
		}
		p += n;
		left -= (size_t)n;
	}
	return 0;
}

const char *td_text_problem(const char *value)
{
	/* one per thread, like strerror's: read before the next call */
	static _Thread_local char said[160];
	struct td_text_flaw flaw;

	_Static_assert(TD_MARKS_MAX == 3, "say the new figure in char_flaw's text");
	if (!td_text_flaw(value, &flaw))
		return NULL;
	/* in the operator's language: a clerk's list or typed reason
	 * refused for a hidden character is said in Vietnamese too */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(said, sizeof said,
	         td_error_translate(N_("%s in the text: U+%04lX at character %zu")),
	         td_error_translate(flaw.what), flaw.code_point, flaw.position);
#pragma GCC diagnostic pop
	return said;
}

size_t td_hidden_len(const char *s, int *marks)
{
	size_t ctl = td_control_len(s);
	ucs4_t c;
	int n;

	if (ctl > 0 || *s == '\0' || (unsigned char)*s < 0x80) {
		*marks = 0;
		return ctl;
	}
	if ((n = u8_mbtouc(&c, (const uint8_t *)s, strnlen(s, 4))) <= 0 ||
	    c == 0xfffd) {
		*marks = 0;
		return 0;   /* invalid bytes: the caller's check, not this one */
	}
	*marks = marks_after(*marks, c);
	return char_flaw(c) || *marks > TD_MARKS_MAX ? (size_t)n : 0;
}

void td_printable(char *dst, size_t size, const char *src)
{
	const char *p = src;
	size_t n = 0, k, hidden;
	int marks = 0;
	char shown[16];
	ucs4_t c;

	while (*p) {
		int len = u8_mbtouc(&c, (const uint8_t *)p, strnlen(p, 4));
		if ((hidden = td_hidden_len(p, &marks)) > 0)
			k = (size_t)(c < 0x80 ? snprintf(shown, sizeof shown, "\\x%02x", c)
			             : c <= 0xffff ? snprintf(shown, sizeof shown, "\\u%04x", c)
			             : snprintf(shown, sizeof shown, "\\U%08x", c));
		else   /* the whole character, or one bad byte as it is */
			memcpy(shown, p, k = len > 0 ? (size_t)len : 1);
		p += hidden ? hidden : k;
		if (n + k >= size)
			break;
		memcpy(dst + n, shown, k);
		n += k;
	}
	dst[whole_chars(dst, n)] = '\0';
}

const char *td_typed_text_problem(const char *s)
{
	_Static_assert(TD_TYPED_MAX == 1000, "say the new figure below");

	if (strlen(s) > TD_TYPED_MAX)
		return "longer than 1000 bytes";
	return td_text_problem(s);
}

/* tm written with fmt (the reader's language chose it) into buf. */
static const char *write_tm(const struct tm *tm, const char *fmt, char *buf,
                            size_t size)
{
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	if (strftime(buf, size, fmt, tm) == 0)
		buf[0] = '\0';
#pragma GCC diagnostic pop
	return buf;
}

const char *td_local_time(const char *iso, const char *fmt, char *buf,
                          size_t size)
{
	struct tm tm = { 0 };
	time_t t;

	if (!iso || sscanf(iso, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon,
	                   &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) < 5 ||
	    size == 0)
		return iso ? iso : "";
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm);
	localtime_r(&t, &tm);
	return write_tm(&tm, fmt, buf, size);
}

const char *td_date_text(const char *iso, const char *fmt, char *buf,
                         size_t size)
{
	struct tm tm = { 0 };
	int n = 0;

	if (!iso || size == 0 || sscanf(iso, "%4d-%2d-%2d%n", &tm.tm_year,
	                                &tm.tm_mon, &tm.tm_mday, &n) != 3 ||
	    iso[n] != '\0')
		return iso ? iso : "";
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return write_tm(&tm, fmt, buf, size);
}

const char *td_day_text(const char *v, const char *fmt, char *buf, size_t size)
{
	return v && strchr(v, 'T') ? td_local_time(v, fmt, buf, size)
	                           : td_date_text(v, fmt, buf, size);
}

int td_date_parse(const char *v, char iso[11])
{
	unsigned d, m, y;
	int nd = 0, nm = 0, ny = 0, end = 0;
	char buf[40];

	if (!v)
		return 0;
	if (td_date_valid(v)) {
		memcpy(iso, v, 11);
		return 1;
	}
	/* d/m/yyyy or dd/mm/yyyy (Excel's own short date), digits only */
	if (strlen(v) > 10 || strspn(v, "0123456789/") != strlen(v) ||
	    sscanf(v, "%u%n/%u%n/%u%n", &d, &nd, &m, &nm, &y, &ny) != 3)
		return 0;
	end = ny;
	if (nd < 1 || nd > 2 || nm - nd - 1 < 1 || nm - nd - 1 > 2 || ny - nm - 1 != 4 ||
	    v[end] != '\0' || y < 1900 || m < 1 || m > 12 || d < 1 || d > 31)
		return 0;
	snprintf(buf, sizeof buf, "%04u-%02u-%02u", y, m, d);
	if (!td_date_valid(buf))
		return 0;
	memcpy(iso, buf, 11);
	return 1;
}
