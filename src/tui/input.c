/* input.c: where the desk's keys come from: the terminal (through
 * ncursesw's wget_wch), or a script file for tests and the benchmark
 * (TOKENDESK_KEYS=FILE), and how a barcode scanner is told apart from a
 * person: a scanner types a whole serial and Enter within a few
 * milliseconds, a person does not.
 *
 * Script syntax: UTF-8 text is typed as is; <Enter> <Esc> <Tab> <BS>
 * <Up> <Down> <Left> <Right> <PgUp> <PgDn> <Home> <End> <Del> <F1>..<F12>
 * <lt> (a '<') name keys; <Sleep> waits 200 ms and serves token events;
 * <Dump:NAME> writes the screen as it stands to $TOKENDESK_SCREENS/
 * NAME.txt (the golden screens of tests/tui/screens.sh; NAME of letters,
 * digits, '-' and '_'); newlines are ignored. */
#include <config.h>

#include <curses.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tui/input.h"

static const struct { const char *name; int key; } names[] = {
	{ "Enter", TDK_ENTER }, { "Esc", TDK_ESC }, { "Tab", '\t' },
	{ "BS", TDK(KEY_BACKSPACE) }, { "Up", TDK(KEY_UP) },
	{ "Down", TDK(KEY_DOWN) }, { "Left", TDK(KEY_LEFT) },
	{ "Right", TDK(KEY_RIGHT) }, { "PgUp", TDK(KEY_PPAGE) },
	{ "PgDn", TDK(KEY_NPAGE) }, { "Home", TDK(KEY_HOME) },
	{ "End", TDK(KEY_END) }, { "Del", TDK(KEY_DC) }, { "lt", '<' },
	{ "Sleep", TDI_SLEEP },
};

/* <F1>..<F12>: the text between "<F" and '>' must be digits only (atoi
 * took "<F1<Up>" for F1 and swallowed "<Up").  0 when not such a key. */
static int fn_key(const char *digits, const char *end)
{
	int n = 0;

	if (digits == end)
		return 0;
	for (const char *c = digits; c < end; c++) {
		if (*c < '0' || *c > '9' || n > 12)
			return 0;
		n = n * 10 + (*c - '0');
	}
	return n >= 1 && n <= 12 ? TDK(KEY_F(n)) : 0;
}

/* "<Dump:NAME>" at p (end at its '>'): the key naming NAME, or 0. */
static int dump_key(struct tdi *in, const char *p, const char *end)
{
	size_t n = (size_t)(end - p) - 6;

	if (strncmp(p, "<Dump:", 6) != 0 || n == 0 || n > 100 ||
	    in->ndumps == TDI_DUMP_MAX || strspn(p + 6, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != n)
		return 0;
	if (!(in->dumps[in->ndumps] = strndup(p + 6, n)))
		return 0;
	return TDI_DUMP + in->ndumps++;
}

void tdi_script_free(struct tdi *in)
{
	free(in->script);
	for (int i = 0; i < in->ndumps; i++)
		free(in->dumps[i]);
}

/* Parse the script into keys; returns the count or -1. */
int tdi_script_load(struct tdi *in, const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL, *p;
	size_t cap = 0, len = 0;
	mbstate_t st;

	if (!f)
		return -1;
	for (;;) {
		if (len + 4096 + 1 > cap) {
			char *n = realloc(text, cap = cap * 2 + 8192);
			if (!n)
				break;
			text = n;
		}
		size_t r = fread(text + len, 1, 4096, f);
		len += r;
		if (r == 0)
			break;
	}
	fclose(f);
	if (!text)
		return -1;
	text[len] = '\0';
	in->script = calloc(len + 1, sizeof *in->script);
	memset(&st, 0, sizeof st);
	for (p = text; in->script && *p;) {
		wchar_t wc;
		size_t r;
		if (*p == '\n' || *p == '\r') {
			p++;
			continue;
		}
		if (*p == '<') {
			char *end = strchr(p, '>');
			int k = 0;
			if (end) {
				size_t n = (size_t)(end - p - 1);
				for (size_t i = 0; i < sizeof names / sizeof *names; i++)
					if (strlen(names[i].name) == n &&
					    strncmp(p + 1, names[i].name, n) == 0)
						k = names[i].key;
				if (!k && p[1] == 'F')
					k = fn_key(p + 2, end);
				if (!k)
					k = dump_key(in, p, end);
			}
			if (k) {
				in->script[in->nscript++] = k;
				p = end + 1;
				continue;
			}
		}
		/* the bytes left, not strlen(p): that made a long script quadratic */
		r = mbrtowc(&wc, p, (size_t)(text + len - p), &st);
		/* glibc also decodes the old 5- and 6-byte forms (up to
		 * 0x7fffffff): not UTF-8, and able to pass for a TDK_FN key. */
		if (r == (size_t)-1 || r == (size_t)-2 || r == 0 ||
		    (unsigned long)wc > 0x10ffff)
			break;
		in->script[in->nscript++] = (int)wc;
		p += r;
	}
	free(text);
	return in->script ? (int)in->nscript : -1;
}

/* One key from curses without waiting, or 0 when none. */
static int read_key(void)
{
	wint_t wc;
	int r = wget_wch(stdscr, &wc);

	if (r == ERR)
		return 0;
	if (r == KEY_CODE_YES)
		return TDK((int)wc);
	if (wc == '\r')
		return TDK_ENTER;
	if (wc == KEY_ENTER)
		return TDK_ENTER;
	return (int)wc;
}

int tdi_printable(int k)
{
	return !(k & TDK_FN) && k > ' ' && k != 0x7f && k <= 0x10ffff;
}

/* While the last key is printable, wait up to gap_ms for more: a
 * scanner's keys can arrive in more than one read, and a slow scanner's
 * (some pause 40 ms a key) must not be taken for commands. */
int tdi_more(int *keys, int n, int max, int gap_ms)
{
	int k;

	if (gap_ms <= 0)
		gap_ms = TDI_SCAN_GAP_MS;
	while (n > 0 && n < max && tdi_printable(keys[n - 1])) {
		struct pollfd p = { .fd = 0, .events = POLLIN };
		if (poll(&p, 1, gap_ms) <= 0)
			break;
		int before = n;
		while (n < max && (k = read_key()))
			keys[n++] = k;
		if (n == before)
			break;
	}
	return n;
}

/* Read every key available now; when the screen takes no text and the
 * keys so far look like the start of a scan, wait a little for more. */
int tdi_read(struct tdi *in, int *keys, int max, int typing)
{
	int n = 0, k;

	while (n < max && (k = read_key()))
		keys[n++] = k;
	if (!typing)
		n = tdi_more(keys, n, max, in ? in->gap_ms : 0);
	return n;
}

/* A scan: at least 4 printable keys then Enter, and nothing else. */
int tdi_is_scan(const int *keys, int n, char *out, size_t size)
{
	size_t len = 0;

	if (n < 5 || keys[n - 1] != TDK_ENTER)
		return 0;
	for (int i = 0; i < n - 1; i++) {
		char mb[MB_LEN_MAX];
		mbstate_t st;
		size_t r;
		if (!tdi_printable(keys[i]))
			return 0;
		memset(&st, 0, sizeof st);
		r = wcrtomb(mb, (wchar_t)keys[i], &st);
		if (r == (size_t)-1 || len + r + 1 > size)
			return 0;
		memcpy(out + len, mb, r);
		len += r;
	}
	out[len] = '\0';
	return 1;
}

double tdi_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}
