/* import_check.h: field rules of the list import. */
#ifndef TD_IMPORT_CHECK_H
#define TD_IMPORT_CHECK_H

/* Canonical level ("province"...) or kind ("org"/"person") of a value
 * written in English or Vietnamese, any case or marks; NULL if none. */
const char *td_import_level(const char *v);
const char *td_import_kind(const char *v);
/* Agency codes: 1-64 letters, digits, '-', '_' or '.'. */
int td_import_code_ok(const char *s);
/* YYYY-MM-DD, d/m/yyyy or dd/mm/yyyy (as Vietnamese Excel writes
 * dates) into iso as YYYY-MM-DD: 1, else 0. */
int td_import_date_iso(const char *v, char iso[11]);
/* The same, rewriting *v to YYYY-MM-DD (a shorter one into a copy in
 * arena). */
struct td_arena;
int td_import_date(struct td_arena *arena, char **v);
int td_import_email_ok(const char *s);

#endif
