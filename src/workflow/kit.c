/* kit.c: deciding field-kit conflicts (tokendesk/kit.h), for the `kit
 * resolve` command and the desk's conflicts screen alike. */
#include <config.h>

#include "registry/txn.h"
#include "tokendesk/kit.h"
#include "tokendesk/registry.h"

int td_kit_resolve(struct td_registry *reg, int64_t id, int keep_field,
                   struct td_error *err)
{
	int rc;

	if ((rc = td_reg_begin(reg, err)) == TD_OK)
		rc = td_reg_end(reg, td_reg_kit_resolve(reg, id, keep_field, err), err);
	return rc;
}
