/* orgtree.c: agencies in memory and the DN rules of the government CA. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokendesk/orgtree.h"
#include "tokendesk/registry.h"
#include "tokendesk/strmap.h"

struct node {
	char *code, *name, *parent, *level;
	char *prefix;     /* cached "C=.., L=.., O=.., OU=.." for this agency */
	char *org_prefix; /* the same, but ending at the parent (org certs) */
	unsigned gen;     /* tree generation the cached prefixes belong to */
};

/* Deeper than this is taken for a loop: real trees have a handful of
 * levels. */
#define MAX_DEPTH 256

struct td_org_tree {
	struct td_strmap *by_code;
	struct td_arena *arena;
	unsigned gen;     /* bumped when an agency changes: prefixes go stale */
};

struct td_org_tree *td_org_tree_new(void)
{
	struct td_org_tree *t = calloc(1, sizeof *t);

	if (!t)
		return NULL;
	t->by_code = td_strmap_new(1024);
	t->arena = td_arena_new();
	if (!t->by_code || !t->arena) {
		td_org_tree_free(t);
		return NULL;
	}
	return t;
}

static void free_node(const char *key, void *value, void *ctx)
{
	struct node *n = value;
	(void)key;
	(void)ctx;
	free(n->prefix);
	free(n->org_prefix);
}

void td_org_tree_free(struct td_org_tree *t)
{
	if (!t)
		return;
	if (t->by_code)
		td_strmap_each(t->by_code, free_node, NULL);
	td_strmap_free(t->by_code);
	td_arena_free(t->arena);
	free(t);
}

int td_org_tree_put(struct td_org_tree *t, const char *code, const char *name,
                    const char *parent_code, const char *level)
{
	struct node *n = td_strmap_get(t->by_code, code);
	int is_new = !n;

	if (!n && !(n = td_arena_alloc(t->arena, sizeof *n)))
		return TD_ERR_NOMEM;
	/* Any cached DN prefix may depend on this node: a changed one, or a
	 * new one that a chain ending at a missing parent now reaches. */
	t->gen++;
	n->code = td_arena_strdup(t->arena, code);
	n->name = td_arena_strdup(t->arena, name ? name : "");
	n->parent = parent_code && *parent_code ? td_arena_strdup(t->arena, parent_code)
	                                        : NULL;
	n->level = td_arena_strdup(t->arena, level ? level : "other");
	if (!n->code || !n->name || !n->level)
		return TD_ERR_NOMEM;
	if (is_new && td_strmap_put(t->by_code, n->code, n) < 0)
		return TD_ERR_NOMEM;
	return TD_OK;
}

static int load_one(const struct td_agency *a, void *ctx)
{
	return td_org_tree_put(ctx, a->code, a->name, a->parent_code, a->level);
}

int td_org_tree_load(struct td_org_tree *t, struct td_registry *reg,
                     struct td_error *err)
{
	int rc = td_reg_each_agency(reg, load_one, t, err);
	if (rc > 0 || rc == TD_ERR_NOMEM)
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	return rc;
}

static struct node *get(const struct td_org_tree *t, const char *code)
{
	return code ? td_strmap_get(t->by_code, code) : NULL;
}

int td_org_tree_has(const struct td_org_tree *t, const char *code)
{
	return get(t, code) != NULL;
}

struct each_code {
	void (*fn)(const char *code, void *ctx);
	void *ctx;
};

static void visit_code(const char *key, void *value, void *ctx)
{
	struct each_code *e = ctx;

	(void)value;
	e->fn(key, e->ctx);
}

void td_org_tree_each_code(const struct td_org_tree *t,
                           void (*fn)(const char *code, void *ctx), void *ctx)
{
	struct each_code e = { fn, ctx };

	td_strmap_each(t->by_code, visit_code, &e);
}

const char *td_org_tree_name(const struct td_org_tree *t, const char *code)
{
	struct node *n = get(t, code);
	return n ? n->name : NULL;
}

const char *td_org_tree_parent(const struct td_org_tree *t, const char *code)
{
	struct node *n = get(t, code);
	return n ? n->parent : NULL;
}

const char *td_org_tree_level(const struct td_org_tree *t, const char *code)
{
	struct node *n = get(t, code);
	return n ? n->level : NULL;
}

const char *td_org_tree_cycle(const struct td_org_tree *t, const char *code)
{
	/* Floyd: a slow and a fast walker meet only inside a loop. */
	struct node *slow = get(t, code), *fast = slow;

	while (fast && (fast = get(t, fast->parent)) &&
	       (fast = get(t, fast->parent))) {
		slow = get(t, slow->parent);
		if (slow == fast)
			return slow->code;
	}
	return NULL;
}

int td_org_tree_within(const struct td_org_tree *t, const char *code,
                       const char *ancestor_code)
{
	size_t steps = td_strmap_count(t->by_code) + 1;

	for (struct node *n = get(t, code); n && steps--; n = get(t, n->parent))
		if (strcmp(n->code, ancestor_code) == 0)
			return 1;
	return 0;
}

/* ---- DNs -------------------------------------------------------------------- */

const char *td_province_short_name(const char *name)
{
	static const char *const prefixes[] = {
		"Ủy ban nhân dân tỉnh ", "Uỷ ban nhân dân tỉnh ", "UBND tỉnh ",
		"Ủy ban nhân dân thành phố ", "Uỷ ban nhân dân thành phố ",
		"UBND thành phố ", "UBND TP ", "Tỉnh ", "tỉnh ", "Thành phố ",
	};
	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
		size_t n = strlen(prefixes[i]);
		if (strncmp(name, prefixes[i], n) == 0 && name[n])
			return name + n;
	}
	return name;
}

char *td_dn_escape(const char *value)
{
	size_t len = strlen(value);
	char *out = malloc(len * 2 + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		char c = value[i];
		if (strchr(",+\"\\<>;=", c) || (i == 0 && (c == '#' || c == ' ')) ||
		    (i == len - 1 && c == ' '))
			*o++ = '\\';
		*o++ = c;
	}
	*o = '\0';
	return out;
}

/* Append ", KEY=escaped(value)" to a growing string. */
static int append_rdn(char **buf, size_t *len, const char *key, const char *value)
{
	char *esc = td_dn_escape(value);
	size_t add = esc ? strlen(key) + strlen(esc) + 3 : 0;
	char *nb = esc ? realloc(*buf, *len + add + 1) : NULL;

	if (!nb) {
		free(esc);
		return -1;
	}
	*len += (size_t)sprintf(nb + *len, "%s%s=%s", *len ? ", " : "", key, esc);
	*buf = nb;
	free(esc);
	return 0;
}

/* The DN of the chain from the provincial body down to (and including)
 * `last`; NULL for last itself only when it is above every province. */
static char *chain_prefix(const struct td_org_tree *t, struct node *last)
{
	struct node *chain[MAX_DEPTH];
	size_t depth = 0, len = 0, top;
	char *buf = NULL;
	struct node *n;

	for (n = last; n && depth < MAX_DEPTH; n = get(t, n->parent))
		chain[depth++] = n;
	if (n)   /* deeper than MAX_DEPTH: a loop */
		return NULL;
	/* chain[depth-1] is the root; the top is the nearest province. */
	top = depth - 1;
	for (size_t i = 0; i < depth; i++)
		if (strcmp(chain[i]->level, "province") == 0) {
			top = i;
			break;
		}
	int fail = append_rdn(&buf, &len, "C", "VN") < 0 ||
	           append_rdn(&buf, &len, "L", td_province_short_name(chain[top]->name)) < 0 ||
	           append_rdn(&buf, &len, "O", chain[top]->name) < 0;
	for (size_t i = top; !fail && i-- > 0;)
		fail = append_rdn(&buf, &len, "OU", chain[i]->name) < 0;
	if (fail) {
		free(buf);
		return NULL;
	}
	return buf;
}

static char *join_cn(const char *prefix, const char *cn)
{
	char *esc = td_dn_escape(cn), *out = NULL;

	if (esc && (out = malloc(strlen(prefix) + strlen(esc) + 8)))
		sprintf(out, "%s, CN=%s", prefix, esc);
	free(esc);
	return out;
}

char *td_org_tree_dn(struct td_org_tree *t, const char *code, const char *kind,
                     const char *holder_name)
{
	struct node *n = get(t, code);
	int org = kind && strcmp(kind, "org") == 0;

	if (!n)
		return NULL;
	if (n->gen != t->gen) {
		free(n->prefix);
		free(n->org_prefix);
		n->prefix = n->org_prefix = NULL;
		n->gen = t->gen;
	}
	/* The loop check goes with the prefix: a prefix cached in this
	 * generation was made with none, and every put starts a new one (a
	 * national import asked it of every certificate, walking the chain
	 * twice over a map look-up a step). */
	if (!n->prefix &&
	    (td_org_tree_cycle(t, code) || !(n->prefix = chain_prefix(t, n))))
		return NULL;
	if (!org)
		return join_cn(n->prefix, holder_name);
	/* An organisation's own certificate: the chain stops at its parent,
	 * unless it is the provincial body itself. */
	struct node *parent = get(t, n->parent);
	if (!parent || strcmp(n->level, "province") == 0) {
		char *c = NULL;
		size_t len = 0;
		if (append_rdn(&c, &len, "C", "VN") < 0 ||
		    append_rdn(&c, &len, "L", td_province_short_name(n->name)) < 0 ||
		    append_rdn(&c, &len, "O", n->name) < 0 ||
		    append_rdn(&c, &len, "CN", n->name) < 0) {
			free(c);
			return NULL;
		}
		return c;
	}
	if (!n->org_prefix && !(n->org_prefix = chain_prefix(t, parent)))
		return NULL;
	return join_cn(n->org_prefix, holder_name && *holder_name ? holder_name : n->name);
}

int td_agency_in_force(const struct td_agency *a, const char *date)
{
	return (!a->valid_from || !*a->valid_from || strcmp(a->valid_from, date) <= 0) &&
	       (!a->valid_to || !*a->valid_to || strcmp(a->valid_to, date) >= 0);
}
