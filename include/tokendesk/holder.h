/* tokendesk/holder.h: what is recorded about a certificate's holder
 * beyond the master lists (letter 1.2, 2.2): whether they still need a
 * certificate.  One audited transaction per change, owned here. */
#ifndef TOKENDESK_HOLDER_H
#define TOKENDESK_HOLDER_H

#include "tokendesk/error.h"

struct td_registry;

/* Mark the person holder ext_id (national id) as no longer needing a
 * certificate (value 1), or clear the mark (0).  TD_ERR_NOTFOUND when
 * there is no such person. */
int td_holder_set_no_longer_needed(struct td_registry *reg, const char *ext_id,
                                   int value, struct td_error *err);

#endif
