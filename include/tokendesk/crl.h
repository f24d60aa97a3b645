/* tokendesk/crl.h: confirming revocations from the CA's certificate
 * revocation list (CRL). */
#ifndef TOKENDESK_CRL_H
#define TOKENDESK_CRL_H

#include <stddef.h>

#include "tokendesk/error.h"

struct td_registry;

struct td_crl_report {
	char issuer[512];        /* the CRL issuer, RFC 4514 */
	char this_update[11];    /* YYYY-MM-DD: the date revocations get */
	long entries;            /* serials the CRL lists */
	long marked;             /* registry certificates newly marked revoked */
	long already;            /* listed and already revoked here */
	long unknown;            /* listed but not in the registry */
	char newer[11];          /* thisUpdate of a newer CRL of this issuer
	                            imported before, or "": this one is older */
	char **missing;          /* serials tagged for revocation that the CRL
	                            does not list (malloc'ed, nmissing) */
	size_t nmissing;
};

/* Read the CRL at path (PEM or DER), verify its signature with the public
 * key of one of the CA certificates in ca_paths[0..nca) (PEM files may
 * hold several) whose subject is the CRL's issuer, and only then, in one
 * audited transaction, mark each listed certificate of that issuer
 * revoked with the CRL's thisUpdate date and confirm its revoke tag.
 * A CRL no configured CA signed is refused (TD_ERR_PERM), nothing
 * written.  The report is always initialised: free it with
 * td_crl_report_free(). */
int td_crl_import(struct td_registry *reg, const char *path,
                  const char *const *ca_paths, size_t nca,
                  struct td_crl_report *rep, struct td_error *err);
void td_crl_report_free(struct td_crl_report *rep);

#endif
