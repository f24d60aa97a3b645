/* i18n.c: the desk's two languages.
 *
 * A small table keyed by the English text with its Vietnamese
 * translation (full diacritics), chosen by --lang or else the locale's
 * LANGUAGE / LC_ALL / LC_MESSAGES / LANG.  Simpler and sturdier than a
 * gettext catalogue for one screenful of strings: nothing to install,
 * nothing to find at run time, and a missing translation shows English. */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "tui/desk.h"

struct msg {
	const char *en, *vi;
};

#include "tui/i18n_vi.h"

static int use_vi;

static int is_vi(const char *s)
{
	return s && strncmp(s, "vi", 2) == 0;
}

void td_tui_lang_init(struct desk *d)
{
	const char *env[] = { "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG" };

	if (d->cli->lang) {
		use_vi = is_vi(d->cli->lang);
	} else {
		use_vi = 0;
		for (size_t i = 0; i < sizeof env / sizeof *env; i++) {
			const char *v = getenv(env[i]);
			if (v && *v) {
				use_vi = is_vi(v);
				break;
			}
		}
	}
	d->vi = use_vi;
}

const char *T(const char *en)
{
	if (!use_vi || !en)
		return en;
	for (size_t i = 0; i < sizeof msgs / sizeof *msgs; i++)
		if (msgs[i].en == en || strcmp(msgs[i].en, en) == 0)
			return msgs[i].vi;
	return en;
}

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
