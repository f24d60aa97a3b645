/* fuzz-keys.c: the desk's key input (src/tui/input.c): the key script
 * parser (tdi_script_load, TOKENDESK_KEYS) and the barcode-scanner rule
 * (tdi_is_scan), in the UTF-8 locale the desk insists on.
 *
 * Input: byte 0 is a control byte, the rest the keys:
 *   bit 7 clear  the rest is a key script, parsed by tdi_script_load
 *                (through a file, as the desk reads it);
 *   bit 7 set    the rest is raw keys, 4 bytes each (little-endian), as
 *                the terminal could deliver them;
 *   bits 0-6     the size given to tdi_is_scan for the serial: 0..126,
 *                or 256 (the desk's) when all set.
 * The keys are then cut as the desk would see them arrive (runs between
 * <Sleep>, at most 256 keys, and each Enter-terminated piece) and every
 * piece goes through tdi_is_scan, keys and serial in buffers of exactly
 * their size.
 * Properties: no crash, no read or write out of bounds;
 *   script: the count returned is the keys stored, at most one per byte;
 *   a function key (TDK_FN) is one the syntax names and only comes from
 *   a <Name> written exactly; other keys are Unicode characters (never
 *   NUL or CR, never a value that collides with function keys); a script
 *   without '<' gives back its own text, newlines aside, up to a NUL or
 *   the first invalid UTF-8;
 *   scan: 1 only when the rule of input.h holds (at least 4 printable
 *   characters then Enter, nothing else), and then the serial is those
 *   characters as valid UTF-8, NUL-terminated within size; 0 only when
 *   the rule fails or the serial would not fit. */
#include <config.h>

#include <ctype.h>
#include <curses.h>
#include <fcntl.h>
#include <locale.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "tui/input.h"
#include "fuzz.h"

static char dir[256], script[300];

static void cleanup(void)
{
	unlink(script);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* The desk refuses to start without a UTF-8 locale (desk.c). */
	FUZZ_CHECK(setlocale(LC_ALL, "C.UTF-8") != NULL);
	snprintf(dir, sizeof dir, "%s/td-fuzz-keys-XXXXXX",
	         access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	FUZZ_CHECK(mkdtemp(dir) != NULL);
	snprintf(script, sizeof script, "%s/keys", dir);
	atexit(cleanup);
	return 0;
}

/* ---- strict UTF-8 (RFC 3629), written here so as not to trust libc ---- */

/* Length of the valid UTF-8 character at s (n bytes available) and its
 * value in *cp, or 0 when s does not start one. */
static size_t utf8_char(const uint8_t *s, size_t n, uint32_t *cp)
{
	size_t len = s[0] < 0x80 ? 1 : s[0] >= 0xc2 && s[0] <= 0xdf ? 2
	             : s[0] >= 0xe0 && s[0] <= 0xef ? 3
	             : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;
	uint32_t c = len == 1 ? s[0] : s[0] & (0x7f >> len);

	if (len == 0 || len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Bytes of k in UTF-8, or 0 when k is not a Unicode scalar value. */
static size_t utf8_len(int k)
{
	if (k < 0 || k > 0x10ffff || (k >= 0xd800 && k <= 0xdfff))
		return 0;
	return k < 0x80 ? 1 : k < 0x800 ? 2 : k < 0x10000 ? 3 : 4;
}

/* ---- the script ----------------------------------------------------------- */

/* The function keys the syntax names (input.c's comment). */
static const struct { const char *name; int key; } fn_names[] = {
	{ "BS", TDK(KEY_BACKSPACE) }, { "Up", TDK(KEY_UP) }, { "Down", TDK(KEY_DOWN) },
	{ "Left", TDK(KEY_LEFT) }, { "Right", TDK(KEY_RIGHT) },
	{ "PgUp", TDK(KEY_PPAGE) }, { "PgDn", TDK(KEY_NPAGE) },
	{ "Home", TDK(KEY_HOME) }, { "End", TDK(KEY_END) }, { "Del", TDK(KEY_DC) },
	{ "Sleep", TDI_SLEEP },
};

static int is_fn_key(int k)
{
	for (size_t i = 0; i < sizeof fn_names / sizeof *fn_names; i++)
		if (k == fn_names[i].key)
			return 1;
	/* <Dump:NAME> (golden screens): one key per name */
	if (k >= TDI_DUMP && k < TDI_DUMP + TDI_DUMP_MAX)
		return 1;
	return k >= TDK(KEY_F(1)) && k <= TDK(KEY_F(12));
}

/* How many "<Name>" of function keys t[0..n) holds, F1..F12 included. */
static size_t fn_written(const char *t, size_t n)
{
	size_t count = 0;

	for (const char *p = t; (p = memchr(p, '<', n - (size_t)(p - t))); p++) {
		const char *end = memchr(p, '>', n - (size_t)(p - t));
		size_t len = end ? (size_t)(end - p - 1) : 0;
		int f = 0;
		for (size_t i = 0; end && i < sizeof fn_names / sizeof *fn_names; i++)
			if (strlen(fn_names[i].name) == len &&
			    memcmp(p + 1, fn_names[i].name, len) == 0)
				f = 1;
		if (end && len >= 2 && p[1] == 'F') {
			size_t i = 2;
			int v = 0;
			for (; i <= len && p[i] >= '0' && p[i] <= '9'; i++)
				v = v < 100 ? v * 10 + (p[i] - '0') : 100;
			f |= i > len && v >= 1 && v <= 12;
		}
		if (end && len > 5 && len - 5 <= 100 && memcmp(p + 1, "Dump:", 5) == 0) {
			size_t i = 6;
			while (i <= len && (isalnum((unsigned char)p[i]) || p[i] == '-' ||
			                    p[i] == '_'))
				i++;
			f |= i > len;
		}
		count += f;
	}
	return count;
}

/* Without '<' the keys are the text itself, CR and LF left out, up to a
 * NUL or the first byte that does not start a valid character. */
static void same_text(const uint8_t *t, size_t n, const int *keys, size_t nkeys)
{
	size_t i = 0;
	uint32_t cp;

	for (size_t k = 0; k < nkeys; k++) {
		while (i < n && (t[i] == '\n' || t[i] == '\r'))
			i++;
		size_t len = i < n ? utf8_char(t + i, n - i, &cp) : 0;
		FUZZ_CHECK(len > 0 && (int)cp == keys[k]);
		i += len;
	}
	while (i < n && (t[i] == '\n' || t[i] == '\r'))
		i++;
	FUZZ_CHECK(i == n || t[i] == 0 || utf8_char(t + i, n - i, &cp) == 0);
}

static void check_script(const uint8_t *t, size_t n, const struct tdi *in, int rc)
{
	size_t fn = 0;

	FUZZ_CHECK(rc >= 0 && (size_t)rc == in->nscript && in->nscript <= n);
	for (size_t i = 0; i < in->nscript; i++) {
		int k = in->script[i];
		if (k & TDK_FN) {
			FUZZ_CHECK(is_fn_key(k));
			fn++;
		} else {
			FUZZ_CHECK(k != 0 && k != '\r' && utf8_len(k) > 0);
		}
	}
	FUZZ_CHECK(fn <= fn_written((const char *)t, n));
	if (!memchr(t, '<', n))
		same_text(t, n, in->script, in->nscript);
}

/* ---- scans -------------------------------------------------------------------- */

static int printable(int k)
{
	return !(k & TDK_FN) && k > ' ' && k != 0x7f;
}

/* The serial out holds keys[0..n) exactly, as valid UTF-8. */
static void same_serial(const char *out, size_t size, const int *keys, int n)
{
	const uint8_t *s = (const uint8_t *)out;
	size_t len = strnlen(out, size), i = 0;
	uint32_t cp;

	FUZZ_CHECK(len < size);
	for (int k = 0; k < n; k++) {
		size_t l = i < len ? utf8_char(s + i, len - i, &cp) : 0;
		FUZZ_CHECK(l > 0 && (int)cp == keys[k]);
		i += l;
	}
	FUZZ_CHECK(i == len);
}

static void check_scan(const int *src, int n, size_t size)
{
	int *keys = malloc(n ? (size_t)n * sizeof *keys : 1);
	char *out = malloc(size ? size : 1);
	int rule = n >= 5 && src[n - 1] == TDK_ENTER, fits = 1;
	size_t need = 1;

	FUZZ_CHECK(keys && out);
	memcpy(keys, src, (size_t)n * sizeof *keys);
	for (int i = 0; i < n - 1; i++) {
		rule &= printable(src[i]);
		fits &= utf8_len(src[i]) > 0;
		need += utf8_len(src[i]);
	}
	if (tdi_is_scan(keys, n, out, size)) {
		FUZZ_CHECK(rule);
		same_serial(out, size, src, n - 1);
	} else {
		FUZZ_CHECK(!(rule && fits && need <= size));
	}
	free(keys);
	free(out);
}

/* The pieces of keys the desk could see arrive together: runs between
 * <Sleep> of at most 256 keys, and each piece ending in Enter. */
static void scans(const int *keys, size_t n, size_t size)
{
	size_t start = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i < n && keys[i] != TDI_SLEEP && i - start < 256)
			continue;
		check_scan(keys + start, (int)(i - start), size);
		size_t piece = start;
		for (size_t j = start; j < i; j++)
			if (keys[j] == TDK_ENTER) {
				check_scan(keys + piece, (int)(j + 1 - piece), size);
				piece = j + 1;
			}
		start = i < n && keys[i] == TDI_SLEEP ? i + 1 : i;
	}
}

static void raw_keys(const uint8_t *d, size_t n, size_t size)
{
	size_t nkeys = n / 4;
	int *keys = malloc(nkeys ? nkeys * sizeof *keys : 1);

	FUZZ_CHECK(keys != NULL);
	for (size_t i = 0; i < nkeys; i++)
		keys[i] = (int)((uint32_t)d[4 * i] | (uint32_t)d[4 * i + 1] << 8 |
		                (uint32_t)d[4 * i + 2] << 16 | (uint32_t)d[4 * i + 3] << 24);
	scans(keys, nkeys, size);
	free(keys);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tdi in = { 0 };
	size_t out_size;
	int fd, rc;

	if (size < 1)
		return 0;
	out_size = (data[0] & 0x7f) == 0x7f ? 256 : (size_t)(data[0] & 0x7f);
	if (data[0] & 0x80) {
		raw_keys(data + 1, size - 1, out_size);
		return 0;
	}
	fd = open(script, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	FUZZ_CHECK(fd >= 0 && (size == 1 || write(fd, data + 1, size - 1) ==
	                                     (ssize_t)(size - 1)));
	close(fd);
	rc = tdi_script_load(&in, script);
	check_script(data + 1, size - 1, &in, rc);
	scans(in.script, in.nscript, out_size);
	tdi_script_free(&in);
	return 0;
}
