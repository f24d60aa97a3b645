/* tokendesk/orgtree.h: the agency tree in memory, and the subject DN the
 * government CA writes for a certificate from it.
 *
 * Layout (RDN sequence order): C=VN, L=<province>, O=<provincial body>,
 * OU=<unit>, OU=<sub-unit>..., CN=<holder>.  O is the nearest ancestor of
 * level "province" (or the root), L its short name ("Ủy ban nhân dân tỉnh
 * Đông Châu" -> "Đông Châu"), OU the chain below it down to the holder's
 * agency (for an organisation certificate, down to its parent; CN is then
 * the agency's own name).  Values are escaped as RFC 4514 says. */
#ifndef TOKENDESK_ORGTREE_H
#define TOKENDESK_ORGTREE_H

#include "tokendesk/error.h"

struct td_registry;
struct td_org_tree;

struct td_org_tree *td_org_tree_new(void);
void td_org_tree_free(struct td_org_tree *t);

/* Add or replace an agency (strings copied). */
int td_org_tree_put(struct td_org_tree *t, const char *code, const char *name,
                    const char *parent_code, const char *level);
/* Add every agency of the registry. */
int td_org_tree_load(struct td_org_tree *t, struct td_registry *reg,
                     struct td_error *err);

/* 1 when the tree has this code. */
int td_org_tree_has(const struct td_org_tree *t, const char *code);
/* Call fn with every code of the tree, in no particular order. */
void td_org_tree_each_code(const struct td_org_tree *t,
                           void (*fn)(const char *code, void *ctx), void *ctx);
const char *td_org_tree_name(const struct td_org_tree *t, const char *code);
const char *td_org_tree_parent(const struct td_org_tree *t, const char *code);
const char *td_org_tree_level(const struct td_org_tree *t, const char *code);

/* If code's ancestry loops, return the code where the loop was found;
 * else NULL.  Parents missing from the tree end the walk. */
const char *td_org_tree_cycle(const struct td_org_tree *t, const char *code);

struct td_agency;
/* 1 when agency a is in force on date (YYYY-MM-DD): valid_from <= date
 * <= valid_to, either end open (NULL or "").  valid_to is the agency's
 * last day ("Hiệu lực đến"): plan apply sets it to the day before the
 * merger that ends it. */
int td_agency_in_force(const struct td_agency *a, const char *date);

/* 1 when code is ancestor_code or lies below it. */
int td_org_tree_within(const struct td_org_tree *t, const char *code,
                       const char *ancestor_code);

/* The subject DN for a certificate of kind "org" (of agency code itself)
 * or "person" (holder_name working in agency code).  malloc'ed; NULL when
 * the code is unknown, the tree loops, or out of memory. */
char *td_org_tree_dn(struct td_org_tree *t, const char *code, const char *kind,
                     const char *holder_name);

/* The province short name used for L from a provincial body's name. */
const char *td_province_short_name(const char *name);

/* RFC 4514 escaping of one attribute value, malloc'ed. */
char *td_dn_escape(const char *value);

#endif
