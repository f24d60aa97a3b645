/* import_check.c: the rules a list row must follow before anything is
 * written.  Each check reports with file, line and field, and the import
 * goes on checking so the operator sees every problem at once. */
#include <config.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "tokendesk/text.h"
#include "workflow/import_internal.h"
#include "workflow/import_check.h"

/* Folded value against a table of folded aliases; canonical or NULL. */
struct value_alias { const char *alias, *canon; };

static const char *lookup(const struct value_alias *t, size_t n, const char *v)
{
	char *f = td_fold(v);
	const char *canon = NULL;

	for (size_t i = 0; f && i < n && !canon; i++)
		if (strcmp(t[i].alias, f) == 0)
			canon = t[i].canon;
	free(f);
	return canon;
}

static const struct value_alias levels[] = {
	{ "province", "province" }, { "tinh", "province" },
	{ "department", "department" }, { "so", "department" },
	{ "so ban nganh", "department" }, { "ban", "department" },
	{ "division", "division" }, { "phong", "division" },
	{ "chi cuc", "division" }, { "phong ban", "division" },
	{ "district", "district" }, { "huyen", "district" }, { "quan", "district" },
	{ "thi xa", "district" },
	{ "commune", "commune" }, { "xa", "commune" }, { "phuong", "commune" },
	{ "thi tran", "commune" },
	{ "other", "other" }, { "khac", "other" },
};

static const struct value_alias kinds[] = {
	{ "org", "org" }, { "to chuc", "org" }, { "co quan", "org" },
	{ "organisation", "org" }, { "organization", "org" },
	{ "person", "person" }, { "ca nhan", "person" }, { "personal", "person" },
};

const char *td_import_level(const char *v)
{
	return lookup(levels, sizeof levels / sizeof *levels, v);
}

const char *td_import_kind(const char *v)
{
	return lookup(kinds, sizeof kinds / sizeof *kinds, v);
}

int td_import_code_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-_.", *s))
			return 0;
	return 1;
}

/* YYYY-MM-DD, or DD/MM/YYYY as Vietnamese spreadsheets write dates;
 * rewritten in place as YYYY-MM-DD. */
int td_import_date(char *v)
{
	int d, m, y;
	char tail;

	if (td_date_valid(v))
		return 1;
	if (sscanf(v, "%d/%d/%d%c", &d, &m, &y, &tail) != 3 || y < 1900 || y > 9999 ||
	    m < 1 || m > 12 || d < 1 || d > 31)
		return 0;
	char iso[16];
	snprintf(iso, sizeof iso, "%04d-%02d-%02d", y, m, d);
	if (!td_date_valid(iso) || strlen(v) < 10)
		return 0;
	memcpy(v, iso, 11);
	return 1;
}

int td_import_email_ok(const char *s)
{
	const char *at = strchr(s, '@');

	return at && at != s && at[1] && !strchr(at + 1, '@') && !strpbrk(s, " \t,;<>") &&
	       strchr(at, '.');
}
