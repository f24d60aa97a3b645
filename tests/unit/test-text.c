/* test-text.c: NFC, folding, serials, dates and paths. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include "check.h"
#include "tokendesk/outfile.h"
#include "tokendesk/text.h"
#include "tokendesk/textfile.h"

static void check_fold(const char *in, const char *want)
{
	char *f = td_fold(in);
	CHECK_STR(f, want);
	free(f);
}

/* td_fold as it was before it folded code point by code point (text.c's
 * table): casefold the whole text to NFD, drop marks, đ to d, anything
 * not a letter or digit a separator, trimmed. */
static char *fold_reference(const char *s)
{
	size_t flen = 0, n = 0;
	uint8_t *f = u8_casefold((const uint8_t *)s, strlen(s), NULL, UNINORM_NFD,
	                         NULL, &flen);
	char *out = malloc(flen * 6 + 1);

	for (size_t i = 0; f && out && i < flen;) {
		ucs4_t c;
		int step = u8_mbtouc(&c, f + i, flen - i);
		if (c == 0x0111)
			c = 'd';
		if (!uc_is_general_category(c, UC_CATEGORY_M)) {
			if (!uc_is_alnum(c)) {
				if (n > 0 && out[n - 1] != ' ')
					out[n++] = ' ';
			} else {
				n += (size_t)u8_uctomb((uint8_t *)out + n, c, 6);
			}
		}
		i += (size_t)(step > 0 ? step : 1);
	}
	while (out && n > 0 && out[n - 1] == ' ')
		n--;
	if (out)
		out[n] = '\0';
	free(f);
	return out;
}

/* Every code point up to U+2FFF (past the table's end), alone, between
 * letters and beside a separator, folds as the whole-text folding does. */
static void check_fold_table(void)
{
	int bad = 0;

	for (ucs4_t c = 1; c < 0x3000 && bad < 5; c++) {
		uint8_t u[8];
		int w;
		char in[3][32];
		if (c >= 0xd800 && c < 0xe000)
			continue;
		w = u8_uctomb(u, c, sizeof u);
		u[w] = 0;
		snprintf(in[0], sizeof in[0], "%s", (char *)u);
		snprintf(in[1], sizeof in[1], "A%sb%sC", (char *)u, (char *)u);
		snprintf(in[2], sizeof in[2], " %s-\xe1\xbb\x87%s ", (char *)u, (char *)u);
		for (int k = 0; k < 3; k++) {
			char *got = td_fold(in[k]), *want = fold_reference(in[k]);
			if (!got || !want || strcmp(got, want) != 0) {
				fprintf(stderr, "fold U+%04X in \"%s\": \"%s\", want \"%s\"\n",
				        (unsigned)c, in[k], got ? got : "(null)",
				        want ? want : "(null)");
				bad++;
			}
			free(got);
			free(want);
		}
	}
	CHECK(bad == 0);
}

/* td_nfc gives what u8_normalize gives, for every code point up to
 * U+2FFF alone, after a letter, and before a combining acute (which
 * composes with some) or a Hangul vowel jamo. */
static void check_nfc_table(void)
{
	int bad = 0;

	for (ucs4_t c = 1; c < 0x3000 && bad < 5; c++) {
		uint8_t u[8];
		char in[4][32];
		int w;
		if (c >= 0xd800 && c < 0xe000)
			continue;
		w = u8_uctomb(u, c, sizeof u);
		u[w] = 0;
		snprintf(in[0], sizeof in[0], "%s", (char *)u);
		snprintf(in[1], sizeof in[1], "a%s", (char *)u);
		snprintf(in[2], sizeof in[2], "%s\xcc\x81", (char *)u);
		snprintf(in[3], sizeof in[3], "\xe1\x84\x80%s\xe1\x85\xa1", (char *)u);
		for (int k = 0; k < 4; k++) {
			size_t olen = 0;
			uint8_t *o = u8_normalize(UNINORM_NFC, (const uint8_t *)in[k],
			                          strlen(in[k]), NULL, &olen);
			char *got = td_nfc(in[k]);
			if (!got || !o || olen != strlen(got) || memcmp(o, got, olen) != 0) {
				fprintf(stderr, "nfc U+%04X in case %d differs\n", (unsigned)c, k);
				bad++;
			}
			free(got);
			free(o);
		}
	}
	CHECK(bad == 0);
}

static void check_serial(const char *in, const char *want)
{
	char out[64];
	int rc = td_serial_hex(in, out, sizeof out);
	if (want) {
		CHECK(rc == TD_OK);
		CHECK_STR(rc == TD_OK ? out : NULL, want);
	} else {
		CHECK(rc == TD_ERR_DATA);
	}
}

int main(void)
{
	/* NFD "Nguyễn" (e + circumflex + tilde) composes to NFC. */
	char *nfc = td_nfc("Nguye\xcc\x82\xcc\x83n");
	CHECK_STR(nfc, "Nguy\xe1\xbb\x85n");
	free(nfc);
	CHECK(td_nfc("\xff") == NULL);

	check_fold("Nguyễn Văn Hùng", "nguyen van hung");
	check_fold("Nguye\xcc\x82\xcc\x83n Va\xcc\x86n Hu\xcc\x80ng", "nguyen van hung");
	check_fold("ĐẶNG thị", "dang thi");
	check_fold("đặng", "dang");
	check_fold("  Sở Văn hóa, Thể thao  và Du lịch ", "so van hoa the thao va du lich");
	check_fold("cert_serial", "cert serial");
	check_fold("", "");
	check_fold("\xef\xac\x83 \xc5\x89", "ffi \xca\xbcn");   /* one to several */
	check_fold_table();
	check_nfc_table();

	size_t bad = 0;
	CHECK(td_utf8_valid("abc", 3, NULL));
	CHECK(!td_utf8_valid("ab\xc3", 3, &bad) && bad == 2);
	CHECK(!td_utf8_valid("a\0b", 3, &bad) && bad == 1);

	check_serial("54:04:FF:FE", "5404fffe");
	check_serial("00aB", "ab");
	check_serial("0000", "0");
	check_serial("12 34-56", "123456");
	check_serial("xyz", NULL);
	check_serial("", NULL);
	check_serial("::", NULL);

	char tok[32];
	CHECK(td_token_serial(" ab12 cd ", tok, sizeof tok) == 0);
	CHECK_STR(tok, "AB12CD");
	CHECK(td_token_serial("a/b", tok, sizeof tok) == TD_ERR_DATA);
	CHECK(td_token_serial("   ", tok, sizeof tok) == TD_ERR_DATA);

	CHECK(td_date_valid("2024-02-29"));
	CHECK(!td_date_valid("2023-02-29"));
	CHECK(!td_date_valid("2023-13-01"));
	CHECK(!td_date_valid("2023-1-01"));
	CHECK(!td_date_valid("01/02/2023"));

	char s[] = "  padded \t";
	CHECK_STR(td_trim(s), "padded");
	CHECK(td_display_width("Hùng") == 4);
	CHECK(td_display_width("漢字") == 4);

	/* the one control test: C0, DEL, C1; not U+00A0, not the end */
	CHECK(td_control_len("\033[") == 1 && td_control_len("\x7f") == 1);
	CHECK(td_control_len("\xc2\x9b") == 2 && td_control_len("\xc2\x80") == 2);
	CHECK(td_control_len("\xc2\xa0") == 0 && td_control_len("a\033") == 0);
	CHECK(td_control_len("\xc2") == 0 && td_control_len("") == 0);

	/* messages: controls shown, cut between characters */
	char shown[16];
	td_printable(shown, sizeof shown, "a\033[2J\r\x7f");
	CHECK_STR(shown, "a\\x1b[2J\\x0d");   /* \x7f does not fit: left out */
	td_printable(shown, sizeof shown, "S\xc2\x9b\xc3\xa0");
	CHECK_STR(shown, "S\\u009b\xc3\xa0");
	td_printable(shown, 7, "Nguy\xe1\xbb\x85n");
	CHECK_STR(shown, "Nguy");   /* not two bytes of the three of ễ */
	td_printable(shown, 4, "\033");
	CHECK_STR(shown, "");   /* \x1b does not fit in 3: left out whole */

	/* issue 21: invisible and look-alike characters, by libunistring's
	 * tables: each refused with its code point and place */
	static const struct { const char *text; unsigned long cp; size_t at; }
	refused[] = {
		{ "Nguy\xe1\xbb\x85n\xc2\xad", 0xad, 7 },          /* soft hyphen */
		{ "An\xe2\x81\xa1", 0x2061, 3 },                   /* function application */
		{ "A\xef\xbb\xbf" "B", 0xfeff, 2 },                /* BOM inside */
		{ "A\xf3\xa0\x81\x81", 0xe0041, 2 },               /* tag A */
		{ "A\xe2\x80\xa8" "B", 0x2028, 2 },
		{ "A\xe2\x80\xa9", 0x2029, 2 },
		{ "\xe1\x85\x9f" "A", 0x115f, 1 },                 /* Hangul fillers */
		{ "A\xe1\x85\xa0", 0x1160, 2 },
		{ "A\xe3\x85\xa4", 0x3164, 2 },
		{ "A\xef\xbe\xa0", 0xffa0, 2 },
		{ "A\xe2\xa0\x80", 0x2800, 2 },                    /* braille blank */
		{ "A\xef\xb8\x8f", 0xfe0f, 2 },                    /* variation selector */
		{ "A\xe2\x80\xae", 0x202e, 2 },
		{ "e\xcc\x81\xcc\x82\xcc\xa3\xcc\x83", 0x303, 5 }, /* a 4th mark */
		{ "\xe1\xbb\x87\xcc\x81\xcc\x83", 0x303, 3 },     /* NFC ệ + 2 */
	};
	for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
		struct td_text_flaw flaw;
		CHECK(td_text_flaw(refused[i].text, &flaw) == 1);
		CHECK(flaw.code_point == refused[i].cp);
		CHECK(flaw.position == refused[i].at);
		CHECK(td_text_problem(refused[i].text) != NULL);
	}
	CHECK_STR(td_text_problem("An\xe2\x81\xa1"), "invisible formatting "
	          "character in the text: U+2061 at character 3");
	/* Vietnamese, NFC and NFD (ệ: e, dot below, circumflex): fine */
	CHECK(td_text_problem("Nguy\xe1\xbb\x85n Th\xe1\xbb\x8b Ph\xc6\xb0\xe1\xbb\xa3ng") == NULL);
	CHECK(td_text_problem("Nguye\xcc\x82\xcc\x83n Thi\xcc\xa3 Hie\xcc\xa3\xcc\x82u") == NULL);
	CHECK(td_text_problem("e\xcc\x81\xcc\x82\xcc\xa3") == NULL);   /* 3 marks */
	/* shown escaped, not sent: the DN's and the label's test too */
	char wide[64];
	td_printable(wide, sizeof wide, "Ab\xe2\x80\xae" "cd\xe2\x80\xa8" "e\xf3\xa0\x81\x81");
	CHECK_STR(wide, "Ab\\u202ecd\\u2028e\\U000e0041");
	td_printable(wide, sizeof wide, "e\xcc\x81\xcc\x82\xcc\xa3\xcc\x83" "a\xcc\x81");
	CHECK_STR(wide, "e\xcc\x81\xcc\x82\xcc\xa3\\u0303a\xcc\x81");
	td_printable(wide, sizeof wide, "Nguye\xcc\x82\xcc\x83n");
	CHECK_STR(wide, "Nguye\xcc\x82\xcc\x83n");
	int marks = 0;
	CHECK(td_hidden_len("\xe2\x81\xa1", &marks) == 3);
	CHECK(td_hidden_len("\xc3\xa0", &marks) == 0 && marks == 1);   /* à: a + grave */

	char dir[16];
	td_path_dir("reg.db", dir, sizeof dir);
	CHECK_STR(dir, ".");
	td_path_dir("/reg.db", dir, sizeof dir);
	CHECK_STR(dir, "/");
	td_path_dir("a/b/reg.db", dir, sizeof dir);
	CHECK_STR(dir, "a/b");
	td_path_dir("/media/usb/", dir, sizeof dir);
	CHECK_STR(dir, "/media/usb");

	CHECK(td_sqlite_header("SQLite format 3\0\x10\0", 19));
	CHECK(!td_sqlite_header("SQLite format 3", 15));    /* too short */
	CHECK(!td_sqlite_header("SQLite format 3x", 16));   /* no NUL */
	return check_done("test-text");
}
