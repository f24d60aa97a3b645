/* fuzz-orgtree-dn.c: random agency trees into td_org_tree_dn().
 *
 * The input is lines of "code|name|parent|level" (fields missing at the
 * end are NULL); a line "?code|kind|holder" asks for a DN.  Lines that
 * are not valid UTF-8 are skipped, as every caller hands the tree valid
 * text.  Afterwards a DN is asked for every code.
 * Properties: no crash, no endless walk on loops (a loop gives NULL, as
 * promised), a DN is valid UTF-8 starting "C=VN", td_org_tree_within()
 * agrees with itself, and re-putting an agency (the cache generation)
 * gives the DN the tree now implies. */
#include <config.h>

#include <string.h>

#include "tokendesk/orgtree.h"
#include "tokendesk/text.h"
#include "fuzz.h"

#define MAX_CODES 24   /* pairs are checked: keep it quick */

struct ctx {
	struct td_org_tree *tree;
	char *codes[MAX_CODES];
	size_t ncodes;
};

/* Split s at '|' into at most n fields; missing ones are NULL. */
static size_t split(char *s, char **f, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		f[i] = NULL;
	while (s && k < n) {
		f[k++] = s;
		if ((s = strchr(s, '|')))
			*s++ = '\0';
	}
	return k;
}

static void check_dn(struct ctx *c, const char *code, const char *kind,
                     const char *holder)
{
	char *dn = td_org_tree_dn(c->tree, code, kind, holder);

	if (!dn)   /* unknown code, a loop, or a chain deeper than 256 */
		return;
	FUZZ_CHECK(td_org_tree_has(c->tree, code));
	FUZZ_CHECK(td_org_tree_cycle(c->tree, code) == NULL);
	FUZZ_CHECK(td_utf8_valid(dn, strlen(dn), NULL));
	FUZZ_CHECK(strncmp(dn, "C=VN", 4) == 0);
	free(dn);
}

static void line(struct ctx *c, char *s)
{
	char *f[4];

	if (!td_utf8_valid(s, strlen(s), NULL))
		return;
	if (s[0] == '?') {
		split(s + 1, f, 3);
		if (f[0])
			check_dn(c, f[0], f[1] ? f[1] : "person", f[2] ? f[2] : "");
		return;
	}
	if (split(s, f, 4) == 0 || !f[0][0])
		return;
	if (td_org_tree_put(c->tree, f[0], f[1], f[2], f[3]) == 0 &&
	    c->ncodes < MAX_CODES && !(c->ncodes && strcmp(c->codes[c->ncodes - 1], f[0]) == 0))
		c->codes[c->ncodes++] = strdup(f[0]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctx c = { td_org_tree_new(), { 0 }, 0 };
	char *text = malloc(size + 1), *p, *nl;

	if (!c.tree || !text)
		goto out;
	memcpy(text, data, size);
	text[size] = '\0';
	for (p = text; p && *p; p = nl) {
		if ((nl = strchr(p, '\n')))
			*nl++ = '\0';
		line(&c, p);
	}
	for (size_t i = 0; i < c.ncodes; i++) {
		if (!c.codes[i])
			continue;
		check_dn(&c, c.codes[i], "org", NULL);
		check_dn(&c, c.codes[i], "person", "Nguyễn Văn A");
		for (size_t j = 0; j < c.ncodes; j++)
			if (c.codes[j] && td_org_tree_within(c.tree, c.codes[i], c.codes[j]) &&
			    !td_org_tree_cycle(c.tree, c.codes[i]))
				FUZZ_CHECK(td_org_tree_within(c.tree, c.codes[i], c.codes[i]));
	}
	/* Rename the first agency: DNs below it must follow (the cache). */
	if (c.ncodes && c.codes[0] && !td_org_tree_cycle(c.tree, c.codes[0])) {
		const char *parent = td_org_tree_parent(c.tree, c.codes[0]);
		const char *level = td_org_tree_level(c.tree, c.codes[0]);
		char *pcopy = parent ? strdup(parent) : NULL;
		char *lcopy = level ? strdup(level) : NULL;
		char *before = td_org_tree_dn(c.tree, c.codes[0], "org", NULL);
		td_org_tree_put(c.tree, c.codes[0], "Renamed \xC4\x90\xC3\xB4ng", pcopy, lcopy);
		char *after = td_org_tree_dn(c.tree, c.codes[0], "org", NULL);
		if (after)
			FUZZ_CHECK(strstr(after, "Renamed") != NULL);
		free(before);
		free(after);
		free(pcopy);
		free(lcopy);
	}
out:
	for (size_t i = 0; i < c.ncodes; i++)
		free(c.codes[i]);
	td_org_tree_free(c.tree);
	free(text);
	return 0;
}
