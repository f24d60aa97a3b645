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
	{ "thi xa", "district" }, { "thanh pho", "district" },
	{ "thanh pho thuoc tinh", "district" },
	{ "commune", "commune" }, { "xa", "commune" }, { "phuong", "commune" },
	{ "thi tran", "commune" }, { "dac khu", "commune" },
	{ "van phong", "department" },
	{ "other", "other" }, { "khac", "other" }, { "trung tam", "other" },
	{ "don vi su nghiep", "other" },
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

int td_import_date_iso(const char *v, char iso[11])
{
	return td_date_parse(v, iso);
}

/* YYYY-MM-DD, d/m/yyyy or dd/mm/yyyy; rewritten as YYYY-MM-DD, in place
 * when it fits, else into a copy in arena. */
int td_import_date(struct td_arena *arena, char **v)
{
	char iso[11];

	if (!td_import_date_iso(*v, iso))
		return 0;
	if (strlen(*v) >= 10)
		memcpy(*v, iso, 11);
	else if (!(*v = td_arena_strdup(arena, iso)))
		return 0;
	return 1;
}

int td_import_email_ok(const char *s)
{
	const char *at = strchr(s, '@');

	return at && at != s && at[1] && !strchr(at + 1, '@') && !strpbrk(s, " \t,;<>") &&
	       strchr(at, '.');
}
