/* tokendesk/crl.h: confirming revocations from the CA's certificate
 * revocation list (CRL). */
#ifndef TOKENDESK_CRL_H
#define TOKENDESK_CRL_H

#include <stddef.h>
#include <stdint.h>

#include "tokendesk/error.h"

struct td_registry;

/* A certificate this CRL revokes though a tag says to keep it (keep) or
 * to have its details changed (change_info): the operator is warned. */
struct td_crl_warning {
	char serial[256];        /* canonical hex */
	char tag[16];            /* "keep" or "change_info" */
	char revoked_at[11];     /* the entry's revocationDate, YYYY-MM-DD */
	char *holder;            /* holder's name (malloc'ed), or NULL */
};

struct td_crl_report {
	char issuer[512];        /* the CRL issuer, RFC 4514 */
	char this_update[11];    /* YYYY-MM-DD */
	char number[128];        /* its CRL number (hex), or "" when it has none */
	char ca_sha256[65];      /* SHA-256 of the certificate that verified it */
	int64_t ca_id;           /* the pinned CA it was verified by, or that
	                            the --ca certificate that did chains to */
	int duplicate;           /* this issuer's CRL of this number was
	                            imported before: nothing was done */
	char duplicate_at[21];   /* ... at that time (ISO 8601) */
	char higher[128];        /* a higher CRL number of this issuer imported
	                            before (this one is older), or "" */
	long entries;            /* serials the CRL lists */
	long marked;             /* registry certificates newly marked revoked */
	long already;            /* listed and already revoked here */
	long unknown;            /* listed but not in the registry */
	char newer[11];          /* a CRL without a number: thisUpdate of a
	                            newer CRL of this issuer imported before */
	char **missing;          /* serials tagged for revocation that the CRL
	                            does not list (malloc'ed, nmissing) */
	size_t nmissing;
	struct td_crl_warning *warnings;   /* malloc'ed, nwarnings */
	size_t nwarnings;
};

/* Read the CRL at path (PEM or DER) and verify its signature with the
 * key of a trusted CA certificate whose subject is the CRL's issuer.
 * Trusted: pinned (td_crl_trust_add), or given in ca_paths[0..nca) (PEM
 * files may hold several, or one DER certificate) and either pinned or
 * signed by a trusted CA certificate (a CA itself).  Every certificate
 * given must be trusted.  Refused with TD_ERR_PERM, nothing written: a
 * given certificate or the CRL's issuer named like a pinned CA but with
 * another key (the message shows both SHA-256 fingerprints), a given
 * certificate that is neither pinned nor chains to a pinned one, a CRL
 * no trusted CA verifies (the message names the fix: crl trust add).
 * Then, in one audited transaction: unless a CRL of this issuer with the
 * same number was imported before (rep->duplicate, nothing written),
 * mark each listed certificate of that issuer revoked with its entry's
 * revocationDate, confirm its revoke tag, warn about certificates
 * tagged keep or change_info, and record the CRL.  The report is always
 * initialised: free it with td_crl_report_free(). */
int td_crl_import(struct td_registry *reg, const char *path,
                  const char *const *ca_paths, size_t nca,
                  struct td_crl_report *rep, struct td_error *err);
void td_crl_report_free(struct td_crl_report *rep);

/* A CA certificate as pinned (td_crl_trust_add / td_crl_trust_remove). */
struct td_crl_pin {
	char subject[512];       /* RFC 4514 */
	char key_sha256[65];     /* SHA-256 of its SubjectPublicKeyInfo */
	char cert_sha256[65];    /* SHA-256 of the certificate (DER) */
};

/* Pin the CA certificate at path (PEM or DER; one certificate, a CA:
 * basicConstraints CA:TRUE) as an issuer whose CRLs may be imported.
 * One audited transaction owned here; *added 0 when it was pinned
 * already (nothing written).  TD_ERR_DATA for a file that is not one CA
 * certificate; TD_ERR_PERM (both SHA-256 fingerprints in the message)
 * for one named like a pinned CA with another key. */
int td_crl_trust_add(struct td_registry *reg, const char *path,
                     struct td_crl_pin *pin, int *added, struct td_error *err);
/* Unpin the CA which names (its ID, or the SHA-256 of its certificate or
 * key); pin receives what was removed.  One audited transaction. */
int td_crl_trust_remove(struct td_registry *reg, const char *which,
                        struct td_crl_pin *pin, struct td_error *err);

#endif
