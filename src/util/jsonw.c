/* jsonw.c: the streaming JSON writer (see tokendesk/jsonw.h for why it
 * exists beside jansson). */
#include <config.h>

#include <string.h>

#include "tokendesk/error.h"
#include "tokendesk/jsonw.h"

void td_jsonw_init(struct td_jsonw *w, FILE *out)
{
	w->out = out;
	w->err = 0;
	w->members = 0;
	w->len = 0;
}

int td_jsonw_flush(struct td_jsonw *w)
{
	if (!w->err && w->len && fwrite(w->buf, 1, w->len, w->out) != w->len)
		w->err = 1;
	w->len = 0;
	return w->err ? TD_ERR_IO : TD_OK;
}

void td_jsonw_raw(struct td_jsonw *w, const char *s, size_t n)
{
	while (n > 0 && !w->err) {
		size_t room = sizeof w->buf - w->len, k = n < room ? n : room;
		memcpy(w->buf + w->len, s, k);
		w->len += k;
		s += k;
		n -= k;
		if (w->len == sizeof w->buf)
			td_jsonw_flush(w);
	}
}

static const char hex[] = "0123456789abcdef";

void td_jsonw_string(struct td_jsonw *w, const char *s)
{
	const char *run = s;   /* start of the bytes copied as they are */

	td_jsonw_raw(w, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		char esc[6] = { '\\', 0 };
		size_t n = 2;
		td_jsonw_raw(w, run, (size_t)(s - run));
		run = s + 1;
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			n = 6;
		}
		td_jsonw_raw(w, esc, n);
	}
	td_jsonw_raw(w, run, (size_t)(s - run));
	td_jsonw_raw(w, "\"", 1);
}

void td_jsonw_begin_object(struct td_jsonw *w)
{
	td_jsonw_raw(w, "{", 1);
	w->members = 0;
}

void td_jsonw_member(struct td_jsonw *w, const char *key, const char *value)
{
	if (!value)
		return;
	if (w->members++)
		td_jsonw_raw(w, ",", 1);
	td_jsonw_raw(w, "\"", 1);
	td_jsonw_raw(w, key, strlen(key));
	td_jsonw_raw(w, "\":", 2);
	td_jsonw_string(w, value);
}

void td_jsonw_end_object(struct td_jsonw *w)
{
	td_jsonw_raw(w, "}", 1);
}
