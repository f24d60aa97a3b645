/* i18n.c: the desk's two languages, through GNU gettext.
 *
 * The English text is the msgid; po/vi.po holds the Vietnamese (full
 * diacritics, NFC), and a text without a translation shows in English.
 * gettext picks the language from LANGUAGE, LC_ALL, LC_MESSAGES, LANG;
 * --lang overrides them all by setting LANGUAGE.  main() has already
 * kept the language of a UTF-8 locale that is not installed. */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if ENABLE_NLS
#include <libintl.h>
#endif

#include "tokendesk/session.h"
#include "tokendesk/text.h"
#include "tui/desk.h"

#if ENABLE_NLS
void td_tui_lang_init(struct desk *d)
{
	const char *head;

	td_session_lang(d->s->lang);
	/* the chosen catalogue's header says its language ("" if none) */
	head = dgettext(PACKAGE, "");
	d->vi = strstr(head, "\nLanguage: vi") != NULL;
}

const char *T(const char *en)
{
	/* gettext("") is the catalogue's header, not "" */
	return en && *en ? dgettext(PACKAGE, en) : en;
}

/* the catalogue's Plural-Forms picks the form: one in Vietnamese */
static const char *Tn(const char *one, const char *many, unsigned long n)
{
	return dngettext(PACKAGE, one, many, n);
}
#else
void td_tui_lang_init(struct desk *d)
{
	d->vi = 0;
}

const char *T(const char *en)
{
	return en;
}

static const char *Tn(const char *one, const char *many, unsigned long n)
{
	return n == 1 ? one : many;
}
#endif

void Tf(char *buf, size_t size, const char *en_fmt, ...)
{
	va_list ap;

	va_start(ap, en_fmt);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	vsnprintf(buf, size, T(en_fmt), ap);
#pragma GCC diagnostic pop
	va_end(ap);
}

void Tfn(char *buf, size_t size, const char *one, const char *many,
         unsigned long n, ...)
{
	va_list ap;

	va_start(ap, n);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	vsnprintf(buf, size, Tn(one, many, n), ap);
#pragma GCC diagnostic pop
	va_end(ap);
}

const char *desk_time(const char *iso, char *buf, size_t size)
{
	/* TRANSLATORS: strftime format of a date and time */
	return td_local_time(iso, T("%Y-%m-%d %H:%M"), buf, size);
}

const char *desk_date(const char *v, char *buf, size_t size)
{
	/* TRANSLATORS: strftime format of a date */
	return td_day_text(v, T("%Y-%m-%d"), buf, size);
}
