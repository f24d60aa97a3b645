/* holder.c: marks on a certificate's holder (tokendesk/holder.h). */
#include <config.h>

#include "registry/txn.h"
#include "tokendesk/holder.h"
#include "tokendesk/registry.h"

int td_holder_set_no_longer_needed(struct td_registry *reg, const char *ext_id,
                                   int value, struct td_error *err)
{
	int rc;

	if ((rc = td_reg_begin(reg, err)) == TD_OK)
		rc = td_reg_end(reg, td_reg_holder_set_no_longer_needed(reg, ext_id,
		                value, err), err);
	return rc;
}
