/* agency_names.h: agency names as a reader can tell them apart.  After
 * two provinces merge, both had a "Sở Tài chính": a list or form that
 * names one of them says which, "Sở Tài chính (tỉnh Sơn Tây)". */
#ifndef TD_WORKFLOW_AGENCY_NAMES_H
#define TD_WORKFLOW_AGENCY_NAMES_H

#include "tokendesk/error.h"

struct td_registry;
struct td_agency_names;

/* Every agency's name, parent and root, read once.  NULL and err filled
 * on failure. */
struct td_agency_names *td_agency_names_load(struct td_registry *reg,
                                             struct td_error *err);
void td_agency_names_free(struct td_agency_names *n);

/* The name of agency code, followed by its province in brackets when
 * another agency bears the same name ("Sở Tài chính (tỉnh Sơn Tây)");
 * fallback when the registry has no such agency.  The string lives as
 * long as n. */
const char *td_agency_names_get(struct td_agency_names *n, const char *code,
                                const char *fallback);

#endif
