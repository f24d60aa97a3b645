/* draw.c: width-aware drawing for the desk.
 *
 * Vietnamese text mixes precomposed letters, and (from some sources)
 * combining marks of width 0: a byte or character count would misplace
 * every column after such a name.  Everything here converts UTF-8 to wide
 * characters and measures with wcwidth(), and draws with the ncursesw
 * wide-character functions. */
#include <config.h>

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "tui/desk.h"

#define TW_MAX 1024   /* longest line we draw, in characters */

/* Decode s into w (at most TW_MAX-1 chars); invalid bytes become '?'. */
static size_t decode(const char *s, wchar_t *w)
{
	mbstate_t st;
	size_t n = 0, len = strlen(s);

	memset(&st, 0, sizeof st);
	while (len > 0 && n < TW_MAX - 1) {
		size_t r = mbrtowc(&w[n], s, len, &st);
		if (r == (size_t)-1 || r == (size_t)-2) {
			w[n] = L'?';
			r = 1;
			memset(&st, 0, sizeof st);
		} else if (r == 0) {
			break;
		}
		if (w[n] < 0x20 || w[n] == 0x7f)
			w[n] = L' ';   /* a control character would move the cursor */
		n++;
		s += r;
		len -= r;
	}
	w[n] = 0;
	return n;
}

static int cw(wchar_t c)
{
	int w = wcwidth(c);
	return w < 0 ? 1 : w;
}

int tw_width(const char *s)
{
	wchar_t w[TW_MAX];
	size_t n = decode(s ? s : "", w);
	int cols = 0;

	for (size_t i = 0; i < n; i++)
		cols += cw(w[i]);
	return cols;
}

int tw_put_centred(struct desk *d, int y, int x, int w, const char *s, int color)
{
	int off = (w - tw_width(s)) / 2;

	return tw_put(d, y, x + (off > 0 ? off : 0), off > 0 ? w - off : w, s, color, 0);
}

int tw_put(struct desk *d, int y, int x, int w, const char *s, int color,
           int pad)
{
	wchar_t buf[TW_MAX];
	size_t n, i, end;
	int used = 0, total = 0;

	if (w <= 0 || y < 0 || y >= d->rows || x >= d->cols)
		return 0;
	if (x + w > d->cols)
		w = d->cols - x;
	n = decode(s ? s : "", buf);
	for (i = 0; i < n; i++)
		total += cw(buf[i]);
	/* keep whole characters that fit; room for '…' when cut */
	for (end = 0; end < n; end++) {
		int c = cw(buf[end]);
		if (used + c > (total > w ? w - 1 : w))
			break;
		used += c;
	}
	/* combining marks following the last kept base stay with it */
	while (end < n && cw(buf[end]) == 0)
		end++;
	attrset(d->attr[color]);
	mvaddnwstr(y, x, buf, (int)end);
	if (total > w && w >= 1) {
		addwstr(L"…");
		used++;
	}
	if (pad)
		for (; used < w; used++)
			addch(' ');
	attrset(d->attr[COL_NORMAL]);
	return used;
}

/* buf's first head characters, a '…', and its characters from tail to
 * n: a text cut in the middle, as tw_put_mid and tw_put_name cut it. */
static void put_cut(struct desk *d, int y, int x, const wchar_t *buf, size_t head,
                    size_t tail, size_t n, int color)
{
	attrset(d->attr[color]);
	mvaddnwstr(y, x, buf, (int)head);
	addwstr(L"…");
	addnwstr(buf + tail, (int)(n - tail));
	attrset(d->attr[COL_NORMAL]);
}

int tw_put_mid(struct desk *d, int y, int x, int w, const char *s, int color)
{
	wchar_t buf[TW_MAX];
	size_t n, head, tail;
	int total = 0, used = 0, keep;

	n = decode(s ? s : "", buf);
	for (size_t i = 0; i < n; i++)
		total += cw(buf[i]);
	if (total <= w || w < 5)
		return tw_put(d, y, x, w, s, color, 0);
	if (y < 0 || y >= d->rows || x >= d->cols)
		return 0;
	/* a third before the '…', the rest after: serials of one batch
	 * share their start and differ at the end */
	keep = w - 1;
	for (head = 0; head < n && used + cw(buf[head]) <= keep / 3; head++)
		used += cw(buf[head]);
	for (tail = n; tail > head && used + cw(buf[tail - 1]) <= keep; tail--)
		used += cw(buf[tail - 1]);
	put_cut(d, y, x, buf, head, tail, n, color);
	return used + 1;
}

/* The heads of Vietnamese agency names every office writes short:
 * "UBND tỉnh Đông Châu" is how a custodian reads it anyway. */
static const char *const name_abbrev[][2] = {
	{ "Ủy ban nhân dân", "UBND" }, { "Uỷ ban nhân dân", "UBND" },
	{ "Hội đồng nhân dân", "HĐND" }, { "Văn phòng", "VP" },
	{ "thành phố", "TP" }, { "Thành phố", "TP" }, { "thị xã", "TX" },
	{ "Thị xã", "TX" },
};

void tw_name_short(const char *s, char *out, size_t size)
{
	size_t n = 0;

	while (*s && n + 1 < size) {
		size_t i, len = 0;
		for (i = 0; i < sizeof name_abbrev / sizeof *name_abbrev; i++) {
			len = strlen(name_abbrev[i][0]);
			if (strncmp(s, name_abbrev[i][0], len) == 0)
				break;
		}
		if (i < sizeof name_abbrev / sizeof *name_abbrev &&
		    n + strlen(name_abbrev[i][1]) + 1 < size) {
			n += (size_t)snprintf(out + n, size - n, "%s", name_abbrev[i][1]);
			s += len;
		} else {
			out[n++] = *s++;
		}
	}
	out[n] = '\0';
}

int tw_put_name(struct desk *d, int y, int x, int w, const char *s, int color)
{
	char shorter[TW_MAX * 2];
	wchar_t buf[TW_MAX];
	size_t n, head, tail, h;
	int used = 0, keep;

	if (tw_width(s ? s : "") <= w || w < 9)
		return tw_put(d, y, x, w, s, color, 0);
	tw_name_short(s, shorter, sizeof shorter);
	if (tw_width(shorter) <= w)
		return tw_put(d, y, x, w, shorter, color, 0);
	if (y < 0 || y >= d->rows || x >= d->cols)
		return 0;
	/* still too long: half before the '…' and half after, each ending
	 * on a whole word where one fits ("Văn phòng Sở …và Đào tạo") */
	n = decode(shorter, buf);
	keep = w - 1;
	for (head = 0; head < n && used + cw(buf[head]) <= keep / 2; head++)
		used += cw(buf[head]);
	/* back to the end of the last whole word (unless it ends here) */
	for (h = head; h > 0 && head < n && buf[head] != L' ' &&
	               buf[h - 1] != L' '; h--)
		;
	for (; h > 0 && head > h; head--)   /* back to the word's end */
		used -= cw(buf[head - 1]);
	for (tail = n; tail > head && used + cw(buf[tail - 1]) <= keep; tail--)
		used += cw(buf[tail - 1]);
	/* the tail starts on a whole word, when one fits */
	for (h = tail; h < n && buf[h - 1] != L' '; h++)
		;
	if (h < n)
		for (; tail < h; tail++)
			used -= cw(buf[tail]);
	put_cut(d, y, x, buf, head, tail, n, color);
	return used + 1;
}

void tw_fill(struct desk *d, int y, int x, int w, int color)
{
	if (y < 0 || y >= d->rows)
		return;
	if (x + w > d->cols)
		w = d->cols - x;
	attrset(d->attr[color]);
	mvhline(y, x, ' ', w);
	attrset(d->attr[COL_NORMAL]);
}

/* Unicode box lines: the desk runs in UTF-8 only, and these survive
 * terminals (and tmux captures) where the ACS alternate set does not. */
void tw_box(struct desk *d, int y, int x, int h, int w, const char *title)
{
	/* a blank column each side: a cut word of the screen below must not
	 * touch the border, where it would read as part of the box */
	for (int r = 0; r < h; r++) {
		if (x > 0)
			tw_fill(d, y + r, x - 1, 1, COL_NORMAL);
		if (x + w < d->cols)
			tw_fill(d, y + r, x + w, 1, COL_NORMAL);
	}
	attrset(d->attr[COL_HEAD]);
	for (int r = 0; r < h; r++) {
		const wchar_t *l = r == 0 ? L"┌" : r == h - 1 ? L"└" : L"│";
		const wchar_t *rr = r == 0 ? L"┐" : r == h - 1 ? L"┘" : L"│";
		mvaddwstr(y + r, x, l);
		attrset(d->attr[COL_NORMAL]);
		for (int c = 1; c < w - 1; c++)
			addwstr(r == 0 || r == h - 1 ? L"─" : L" ");
		attrset(d->attr[COL_HEAD]);
		if (r == 0 || r == h - 1) {
			move(y + r, x + 1);
			for (int c = 1; c < w - 1; c++)
				addwstr(L"─");
		}
		mvaddwstr(y + r, x + w - 1, rr);
	}
	attrset(d->attr[COL_NORMAL]);
	if (title && *title) {
		char t[256];
		snprintf(t, sizeof t, " %s ", title);
		tw_put(d, y, x + 2, w - 4, t, COL_HEAD, 0);
	}
}

/* The next line of text wrapped at w columns from *p (blanks between
 * words), into out; *p moves past it.  A word wider than w is cut. */
static void next_wrapped(const char **p, int w, char *out, size_t size)
{
	const char *s = *p, *end = s, *fit = NULL;

	out[0] = '\0';
	while (*end) {
		const char *word_end = end + strcspn(end, " ");
		char probe[1024];
		snprintf(probe, sizeof probe, "%.*s", (int)(word_end - s), s);
		if (tw_width(probe) > w && fit)
			break;
		fit = word_end;
		end = word_end + strspn(word_end, " ");
		if (tw_width(probe) > w)
			break;
	}
	if (!fit)
		fit = s + strlen(s);
	snprintf(out, size, "%.*s", (int)(fit - s), s);
	*p = fit + strspn(fit, " ");
}

/* The screen rows text takes wrapped at inner columns. */
int tw_wrapped_rows(const char *text, int inner)
{
	char line[1024];
	const char *p = text;
	int k = 0;

	do {
		next_wrapped(&p, inner, line, sizeof line);
		k++;
	} while (*p);
	return k;
}

/* text wrapped from row y up to (not including) row end, in color. */
static int put_wrapped(struct desk *d, int y, int end, int x, int inner,
                       const char *text, int color)
{
	char line[1024];
	const char *p = text;

	do {
		next_wrapped(&p, inner, line, sizeof line);
		tw_put(d, y++, x, inner, line, color, 0);
	} while (*p && y < end);
	return y;
}

int tw_dialog_rows(struct desk *d, const char *title, const char *const *text,
                   const int *colors, int n, int *x, int *w, int *rows)
{
	int width = title ? tw_width(title) + 4 : 0, inner, h = 4, bx, by, y, last;

	for (int i = 0; i < n; i++)
		if (tw_width(text[i]) > width)
			width = tw_width(text[i]);
	width += 6;   /* the borders and a blank each side */
	if (width > d->cols - 4)
		width = d->cols - 4;
	inner = width - 6;
	/* as high as its lines once wrapped: a sentence is never cut */
	for (int i = 0; i < n; i++)
		h += tw_wrapped_rows(text[i], inner);
	if (h > d->rows - 2)
		h = d->rows - 2;
	bx = (d->cols - width) / 2;
	by = (d->rows - h) / 2;
	tw_box(d, by, bx, h, width, title);
	/* the keys always show, at the bottom: a dialog too long for the
	 * screen loses lines above them, never its way out */
	last = n > 0 ? tw_wrapped_rows(text[n - 1], inner) : 0;
	y = by + 2;
	for (int i = 0; i < n; i++) {
		int end = by + h - 2 - (i == n - 1 ? 0 : last);
		if (i == n - 1 && y < end - last)
			y = end - last;
		if (rows)
			rows[i] = y < end ? y : -1;
		if (y >= end)
			continue;
		y = put_wrapped(d, y, end, bx + 3, inner, text[i], i == n - 1
		                ? COL_KEY : colors ? colors[i] : COL_NORMAL);
	}
	if (x)
		*x = bx + 3;
	if (w)
		*w = inner;
	return y - 1;
}

int tw_dialog(struct desk *d, const char *title, const char *const *text,
              const int *colors, int n, int *x, int *w)
{
	return tw_dialog_rows(d, title, text, colors, n, x, w, NULL);
}

int tw_answer(int key)
{
	/* Only y says yes: c ("có") is a hex digit, and a serial typed on a
	 * screen without a text field must never confirm what its a or d
	 * asked (issue 26).  k ("không") still says no. */
	if (key == 'y' || key == 'Y')
		return 1;
	if (key == 'n' || key == 'N' || key == 'k' || key == 'K' || key == TDK_ESC)
		return 0;
	return -1;
}

static int pair_width(const char *const *pairs, int i)
{
	return tw_width(pairs[i]) + tw_width(T(pairs[i + 1])) + 2;
}

/* A screen's own F-key (F2..F9), as opposed to F1 Help, Esc and F10. */
static int screen_key(const char *k)
{
	return k[0] == 'F' && k[1] >= '2' && k[1] <= '9' && !k[2];
}

/* "F1" in the key colour, then the label.  When the whole bar does not
 * fit, screens' F-keys go from the right first, so Help, Back and Quit
 * always show (F1 lists every key). */
void tw_keybar(struct desk *d, int y, const char *const *pairs)
{
	int x = 0, total = 0, n = 0;
	unsigned long drop = 0;

	while (pairs[n] && pairs[n + 1] && n < 62)
		total += pair_width(pairs, n), n += 2;
	for (int i = n - 2; i >= 0 && total > d->cols; i -= 2)
		if (screen_key(pairs[i])) {
			drop |= 1UL << (i / 2);
			total -= pair_width(pairs, i);
		}
	tw_fill(d, y, 0, d->cols, COL_STATUS);
	for (int i = 0; i < n; i += 2) {
		const char *label = T(pairs[i + 1]);
		if (drop & (1UL << (i / 2)))
			continue;
		if (x + pair_width(pairs, i) > d->cols)
			break;
		x += tw_put(d, y, x, d->cols - x, pairs[i], COL_KEY, 0);
		x += tw_put(d, y, x, d->cols - x, " ", COL_STATUS, 0);
		x += tw_put(d, y, x, d->cols - x, label, COL_STATUS, 0);
		x += tw_put(d, y, x, d->cols - x, " ", COL_STATUS, 0);
	}
}
