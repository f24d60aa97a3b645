/* json.h: registry records as JSON objects (jansson), for --json output. */
#ifndef TD_CLI_JSON_H
#define TD_CLI_JSON_H

#include <jansson.h>

#include "tokendesk/registry.h"

/* A JSON string, or null for NULL. */
json_t *td_json_str(const char *s);
json_t *td_json_agency(const struct td_agency *a);
json_t *td_json_cert(const struct td_cert *c);
json_t *td_json_token(const struct td_token *t);
json_t *td_json_custody(const struct td_custody_event *e);
/* Print with indentation and a newline to stdout. */
void td_json_print(json_t *v);

#endif
