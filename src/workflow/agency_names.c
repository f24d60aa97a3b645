/* agency_names.c: agency names qualified by their province where two
 * agencies share a name (agency_names.h). */
#include <config.h>

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "tokendesk/registry.h"
#include "tokendesk/strmap.h"
#include "workflow/agency_names.h"

#define UBND "Ủy ban nhân dân "

struct node {
	const char *code, *name, *parent, *shown;
};

struct td_agency_names {
	struct td_arena *arena;
	struct td_strmap *by_code;   /* code -> struct node */
	struct td_strmap *name_uses; /* name -> (void *)count */
	int nomem;
};

static int take(const struct td_agency *a, void *ctx)
{
	struct td_agency_names *n = ctx;
	struct node *nd = td_arena_alloc(n->arena, sizeof *nd);

	if (!nd || !(nd->code = td_arena_strdup(n->arena, a->code)) ||
	    !(nd->name = td_arena_strdup(n->arena, a->name)) ||
	    (a->parent_code && !(nd->parent = td_arena_strdup(n->arena,
	                                                      a->parent_code))) ||
	    td_strmap_put(n->by_code, nd->code, nd) < 0) {
		n->nomem = 1;
		return 1;
	}
	size_t uses = (size_t)td_strmap_get(n->name_uses, nd->name);
	if (td_strmap_put(n->name_uses, nd->name, (void *)(uses + 1)) < 0) {
		n->nomem = 1;
		return 1;
	}
	return 0;
}

struct td_agency_names *td_agency_names_load(struct td_registry *reg,
                                             struct td_error *err)
{
	struct td_agency_names *n = calloc(1, sizeof *n);

	if (!n || !(n->arena = td_arena_new()) ||
	    !(n->by_code = td_strmap_new(256)) || !(n->name_uses = td_strmap_new(256))) {
		td_agency_names_free(n);
		td_error_set(err, TD_ERR_NOMEM, "out of memory");
		return NULL;
	}
	int rc = td_reg_each_agency(reg, take, n, err);
	if (rc < 0 || n->nomem) {
		if (n->nomem)
			td_error_set(err, TD_ERR_NOMEM, "out of memory");
		td_agency_names_free(n);
		return NULL;
	}
	return n;
}

void td_agency_names_free(struct td_agency_names *n)
{
	if (!n)
		return;
	td_strmap_free(n->by_code);
	td_strmap_free(n->name_uses);
	td_arena_free(n->arena);
	free(n);
}

/* The province (the tree's root) of nd, as a reader says it: "tỉnh Sơn
 * Tây" rather than "Ủy ban nhân dân tỉnh Sơn Tây". */
static const char *province_of(struct td_agency_names *n, const struct node *nd)
{
	const struct node *up = nd;
	int guard = 0;

	while (up->parent && guard++ < 64) {
		const struct node *p = td_strmap_get(n->by_code, up->parent);
		if (!p)
			break;
		up = p;
	}
	if (up == nd)
		return NULL;
	return strncmp(up->name, UBND, strlen(UBND)) == 0 ? up->name + strlen(UBND)
	                                                  : up->name;
}

const char *td_agency_names_get(struct td_agency_names *n, const char *code,
                                const char *fallback)
{
	struct node *nd = code ? td_strmap_get(n->by_code, code) : NULL;
	const char *province;
	char buf[1024];

	if (!nd)
		return fallback ? fallback : "";
	if (nd->shown)
		return nd->shown;
	nd->shown = nd->name;
	if ((size_t)td_strmap_get(n->name_uses, nd->name) > 1 &&
	    (province = province_of(n, nd))) {
		snprintf(buf, sizeof buf, "%s (%s)", nd->name, province);
		const char *q = td_arena_strdup(n->arena, buf);
		if (q)
			nd->shown = q;
	}
	return nd->shown;
}
