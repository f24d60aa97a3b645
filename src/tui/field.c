/* field.c: a one-line text field over wide characters, so the cursor
 * moves by letter (not byte) in Vietnamese text.  A secret field (the
 * PIN) lives in a secure buffer, is never drawn and is wiped whenever it
 * is cleared. */
#include <config.h>

#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "tokendesk/secmem.h"
#include "tui/widget.h"

static void wipe(volatile wchar_t *p, size_t n)
{
	while (n--)
		*p++ = 0;   /* volatile: the compiler may not drop it */
}

void tf_clear(struct tf_field *f)
{
	wipe(f->buf, TF_MAX);
	f->len = f->cur = 0;
}

/* Secret fields alive now (tf_secret_live). */
static int secrets_live;

struct tf_field *tf_secret_new(void)
{
	struct td_secbuf *home = td_secbuf_new(sizeof(struct tf_field), NULL);
	struct tf_field *f;

	if (!home)
		return NULL;
	f = (struct tf_field *)(void *)home->data;   /* zeroed, aligned */
	f->secret = 1;
	f->home = home;
	secrets_live++;
	return f;
}

void tf_secret_free(struct tf_field *f)
{
	if (!f)
		return;
	td_secbuf_free(f->home);   /* cleanses the field, PIN and all */
	secrets_live--;
}

int tf_secret_live(void)
{
	return secrets_live > 0;
}

void tf_set(struct tf_field *f, const char *s)
{
	mbstate_t st;
	size_t n;

	tf_clear(f);
	memset(&st, 0, sizeof st);
	n = mbsrtowcs(f->buf, &s, TF_MAX - 1, &st);
	f->len = f->cur = n == (size_t)-1 ? 0 : (int)n;
	f->buf[f->len] = 0;
}

void tf_get(const struct tf_field *f, char *out, size_t size)
{
	mbstate_t st;
	const wchar_t *p = f->buf;
	size_t n;

	memset(&st, 0, sizeof st);
	n = wcsrtombs(out, &p, size - 1, &st);
	out[n == (size_t)-1 ? 0 : n] = '\0';
}

int tf_key(struct tf_field *f, int key)
{
	switch (key) {
	case TDK(KEY_LEFT): if (f->cur > 0) f->cur--; return 1;
	case TDK(KEY_RIGHT): if (f->cur < f->len) f->cur++; return 1;
	case TDK_CTRL('a'): f->cur = 0; return 1;
	case TDK_CTRL('e'): f->cur = f->len; return 1;
	case TDK_CTRL('u'): tf_clear(f); return 1;
	case TDK(KEY_BACKSPACE): case 127: case TDK_CTRL('h'):
		if (f->cur == 0)
			return 1;
		f->cur--;
		/* fall through */
	case TDK(KEY_DC):
		if (f->cur < f->len) {
			memmove(&f->buf[f->cur], &f->buf[f->cur + 1],
			        (size_t)(f->len - f->cur) * sizeof(wchar_t));
			f->len--;
			f->buf[f->len] = 0;
		}
		return 1;
	}
	if ((key & TDK_FN) || key < 0x20 || key == 0x7f || f->len >= TF_MAX - 1)
		return 0;
	memmove(&f->buf[f->cur + 1], &f->buf[f->cur],
	        (size_t)(f->len - f->cur) * sizeof(wchar_t));
	f->buf[f->cur++] = (wchar_t)key;
	f->buf[++f->len] = 0;
	return 1;
}

void tf_draw(struct desk *d, struct tf_field *f, int y, int x, int w,
             int focus)
{
	int before = 0, start = 0, cx, end;

	tw_fill(d, y, x, w, focus ? COL_SELECT : COL_FIELD);
	if (f->secret) {
		/* nothing of the PIN, not even its length, reaches the screen */
		tw_put(d, y, x, w, T("(typing is hidden)"), focus ? COL_SELECT : COL_FIELD, 0);
		if (focus)
			move(y, x);
		return;
	}
	/* scroll so the cursor stays inside the field */
	for (int i = 0; i < f->cur; i++)
		before += wcwidth(f->buf[i]) > 0 ? wcwidth(f->buf[i]) : 0;
	while (before >= w - 1 && start < f->cur) {
		int c = wcwidth(f->buf[start]);
		before -= c > 0 ? c : 0;
		start++;
	}
	cx = 0;
	end = start;
	for (; end < f->len; end++) {
		int c = wcwidth(f->buf[end]);
		if (c < 0)
			c = 1;
		if (cx + c > w)
			break;
		cx += c;
	}
	attrset(d->attr[focus ? COL_SELECT : COL_FIELD]);
	/* one call, so combining marks join their letter's cell */
	mvaddnwstr(y, x, &f->buf[start], end - start);
	attrset(d->attr[COL_NORMAL]);
	if (focus)
		move(y, x + before);
}
