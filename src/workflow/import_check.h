/* import_check.h: field rules of the list import. */
#ifndef TD_IMPORT_CHECK_H
#define TD_IMPORT_CHECK_H

/* Canonical level ("province"...) or kind ("org"/"person") of a value
 * written in English or Vietnamese, any case or marks; NULL if none. */
const char *td_import_level(const char *v);
const char *td_import_kind(const char *v);
/* Agency codes: 1-64 letters, digits, '-', '_' or '.'. */
int td_import_code_ok(const char *s);
/* Accepts YYYY-MM-DD or DD/MM/YYYY, rewriting v to YYYY-MM-DD. */
int td_import_date(char *v);
int td_import_email_ok(const char *s);

#endif
