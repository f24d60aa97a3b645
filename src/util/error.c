/* error.c: filling and formatting struct td_error. */
#include <config.h>

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if ENABLE_NLS
#include <libintl.h>
#endif

#include "tokendesk/error.h"
#include "tokendesk/text.h"

void td_error_clear(struct td_error *e)
{
	if (e)
		memset(e, 0, sizeof *e);
}

static void copy_field(char *dst, size_t size, const char *src)
{
	td_printable(dst, size, src ? src : "");
}

/* The operator's language: the format is a gettext msgid (po/Makevars:
 * td_error_set:3, td_error_set_at:6) in the files po/POTFILES.in lists;
 * without a catalogue bound (tests, the lean program) it is itself. */
const char *td_error_translate(const char *fmt)
{
#if ENABLE_NLS
	return fmt && *fmt ? dgettext(PACKAGE, fmt) : fmt;
#else
	return fmt;
#endif
}

__attribute__((format(printf, 2, 0)))
static void set_message(struct td_error *e, const char *fmt, va_list ap)
{
	char text[2 * sizeof e->message];

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	vsnprintf(text, sizeof text, td_error_translate(fmt), ap);
#pragma GCC diagnostic pop
	td_printable(e->message, sizeof e->message, text);
}

int td_error_set(struct td_error *e, int code, const char *fmt, ...)
{
	if (e) {
		va_list ap;
		td_error_clear(e);
		e->code = code;
		va_start(ap, fmt);
		set_message(e, fmt, ap);
		va_end(ap);
	}
	return code;
}

int td_error_set_at(struct td_error *e, int code, const char *file, long line,
                    const char *field, const char *fmt, ...)
{
	if (e) {
		va_list ap;
		td_error_clear(e);
		e->code = code;
		copy_field(e->file, sizeof e->file, file);
		e->line = line;
		copy_field(e->field, sizeof e->field, field);
		va_start(ap, fmt);
		set_message(e, fmt, ap);
		va_end(ap);
	}
	return code;
}

char *td_error_format(const struct td_error *e, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	if (e->file[0] && e->line > 0)
		n = (size_t)snprintf(buf, size, "%s:%ld: ", e->file, e->line);
	else if (e->file[0])
		n = (size_t)snprintf(buf, size, "%s: ", e->file);
	if (n < size && e->field[0])
		n += (size_t)snprintf(buf + n, size - n, "%s: ", e->field);
	if (n < size)
		snprintf(buf + n, size - n, "%s",
		         e->message[0] ? e->message : td_error_code_name(e->code));
	return buf;
}

const char *td_error_code_name(int code)
{
	switch (code) {
	case TD_OK: return "ok";
	case TD_ERR_USAGE: return "usage";
	case TD_ERR_DATA: return "data";
	case TD_ERR_NOTFOUND: return "not-found";
	case TD_ERR_IO: return "io";
	case TD_ERR_DB: return "registry";
	case TD_ERR_CONFLICT: return "conflict";
	case TD_ERR_PERM: return "permission";
	case TD_ERR_TOKEN: return "token";
	case TD_ERR_PIN: return "pin";
	case TD_ERR_NOMEM: return "no-memory";
	case TD_ERR_INTERNAL: return "internal";
	case TD_ERR_CANCELLED: return "cancelled";
	case TD_ERR_CREATE: return "cannot-create";
	case TD_ERR_BUSY: return "busy";
	}
	return "unknown";
}

void td_error_list_init(struct td_error_list *l, size_t limit)
{
	memset(l, 0, sizeof *l);
	l->limit = limit;
}

void td_error_list_free(struct td_error_list *l)
{
	free(l->items);
	memset(l, 0, sizeof *l);
}

void td_error_list_add(struct td_error_list *l, const struct td_error *e)
{
	l->total++;
	if (l->count >= l->limit)
		return;
	if (!l->items) {
		l->items = calloc(l->limit, sizeof *l->items);
		if (!l->items)
			return;
	}
	l->items[l->count++] = *e;
}

int td_stderr_catch_begin(struct td_stderr_catch *c)
{
	int p[2];

	c->saved = c->rd = -1;
	fflush(stderr);
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	if ((c->saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3)) < 0 ||
	    dup2(p[1], STDERR_FILENO) < 0) {
		if (c->saved >= 0)
			close(c->saved);
		c->saved = -1;
		close(p[0]);
		close(p[1]);
		return -1;
	}
	close(p[1]);
	c->rd = p[0];
	return 0;
}

void td_stderr_catch_end(struct td_stderr_catch *c, char *why, size_t size)
{
	static const char tag[] = "System error = ";
	char text[4096], chunk[1024], *at;
	size_t len = 0;
	ssize_t n;

	if (size)
		why[0] = '\0';
	if (c->saved < 0)
		return;
	fflush(stderr);
	dup2(c->saved, STDERR_FILENO);   /* the pipe's write end closes */
	close(c->saved);
	/* The reason comes last: keep the end of what was written. */
	while ((n = read(c->rd, chunk, sizeof chunk)) > 0) {
		size_t keep = sizeof text - 1 - (size_t)n;
		if (len > keep) {
			memmove(text, text + len - keep, keep);
			len = keep;
		}
		memcpy(text + len, chunk, (size_t)n);
		len += (size_t)n;
	}
	close(c->rd);
	c->saved = c->rd = -1;
	text[len] = '\0';
	if (size && (at = strstr(text, tag))) {
		at += sizeof tag - 1;
		at[strcspn(at, "\r\n")] = '\0';
		td_printable(why, size, at);
	}
}
