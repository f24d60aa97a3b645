/* tokendesk/kit.h: decisions on field kits (the rules; the kit files
 * themselves are made and merged by the registry, registry.h).
 *
 * A conflict is a record the field and home both changed; deciding it
 * keeps one version, in one audited transaction owned here.  The `kit
 * resolve` command and the desk's conflicts screen both call this. */
#ifndef TOKENDESK_KIT_H
#define TOKENDESK_KIT_H

#include <stdint.h>

#include "tokendesk/error.h"

struct td_registry;

/* Decide conflict id: keep_field applies the field's version, else
 * home's stays; audited either way.  TD_ERR_CONFLICT when it was already
 * decided, TD_ERR_NOTFOUND when there is no such conflict. */
int td_kit_resolve(struct td_registry *reg, int64_t id, int keep_field,
                   struct td_error *err);

#endif
