/* fuzz-fold.c: the text rules (src/util/text.c and the import's field
 * checks) on arbitrary bytes.
 *
 * Properties: invalid UTF-8 is refused (NULL), never half-processed; NFC
 * is idempotent; a folded key is valid UTF-8 with no leading, trailing or
 * doubled space and folds to itself; canonical serials hold only what
 * their contract allows and are fixed points; a trimmed string has no
 * white space at its ends. */
#include <config.h>

#include <ctype.h>
#include <string.h>

#include "tokendesk/csv.h"
#include "tokendesk/orgtree.h"
#include "tokendesk/text.h"
#include "workflow/import_check.h"
#include "workflow/import_internal.h"
#include "fuzz.h"

static void check_fold(const char *s, int valid)
{
	char *f = td_fold(s), *ff;
	size_t n;

	FUZZ_CHECK(!valid || f);   /* only out of memory may fail */
	if (!f)
		return;
	n = strlen(f);
	FUZZ_CHECK(td_utf8_valid(f, n, NULL));
	FUZZ_CHECK(n == 0 || (f[0] != ' ' && f[n - 1] != ' '));
	FUZZ_CHECK(strstr(f, "  ") == NULL);
	FUZZ_CHECK(strstr(f, "\xC4\x91") == NULL && strstr(f, "\xC4\x90") == NULL);
	ff = td_fold(f);
	FUZZ_CHECK(ff && strcmp(ff, f) == 0);
	free(ff);
	free(f);
}

static void check_nfc(const char *s, int valid)
{
	char *n = td_nfc(s), *nn;

	FUZZ_CHECK(!valid || n);
	if (!n)
		return;
	FUZZ_CHECK(td_utf8_valid(n, strlen(n), NULL));
	nn = td_nfc(n);
	FUZZ_CHECK(nn && strcmp(nn, n) == 0);
	free(nn);
	free(n);
}

static void check_serials(const char *s)
{
	size_t len = strlen(s);
	char *out = malloc(len + 2), *again = malloc(len + 2);

	if (!out || !again)
		goto done;
	if (td_serial_hex(s, out, len + 2) == 0) {
		FUZZ_CHECK(out[0] && strspn(out, "0123456789abcdef") == strlen(out));
		FUZZ_CHECK(out[0] != '0' || out[1] == '\0');
		FUZZ_CHECK(td_serial_hex(out, again, len + 2) == 0 &&
		           strcmp(out, again) == 0);
	}
	/* A small buffer must be refused, never overrun. */
	char small[4];
	(void)td_serial_hex(s, small, sizeof small);
	(void)td_token_serial(s, small, sizeof small);
	if (td_token_serial(s, out, len + 2) == 0) {
		for (const char *p = out; *p; p++)
			FUZZ_CHECK(isdigit((unsigned char)*p) || isupper((unsigned char)*p) ||
			           strchr("-_:.", *p));
		FUZZ_CHECK(td_token_serial(out, again, len + 2) == 0 &&
		           strcmp(out, again) == 0);
	}
done:
	free(out);
	free(again);
}

/* The import's checks rewrite values in place: give them a copy. */
static void check_import_rules(const char *s, int valid)
{
	char *copy = strdup(s);

	if (!copy)
		return;
	if (valid)
		(void)td_text_problem(copy);
	(void)td_import_level(copy);
	(void)td_import_kind(copy);
	(void)td_import_code_ok(copy);
	(void)td_import_email_ok(copy);
	char iso[11];
	if (td_import_date_iso(copy, iso))
		FUZZ_CHECK(td_date_valid(iso));
	(void)td_date_valid(s);
	(void)td_csv_is_formula(s);
	td_trim(copy);
	size_t n = strlen(copy);
	FUZZ_CHECK(n == 0 || (!isspace((unsigned char)copy[0]) &&
	                      !isspace((unsigned char)copy[n - 1])));
	free(copy);
	if (valid) {
		char *esc = td_dn_escape(s);
		FUZZ_CHECK(!esc || td_utf8_valid(esc, strlen(esc), NULL));
		free(esc);
		(void)td_province_short_name(s);
		(void)td_display_width(s);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	size_t bad;
	int valid;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	valid = td_utf8_valid(s, size, &bad);
	FUZZ_CHECK(valid || bad <= size);
	/* From here on s ends at its first NUL, as C strings do. */
	valid = td_utf8_valid(s, strlen(s), NULL);
	check_fold(s, valid);
	check_nfc(s, valid);
	check_serials(s);
	check_import_rules(s, valid);
	free(s);
	return 0;
}
