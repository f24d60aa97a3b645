/* sign_trust.h: whose signatures count.  A signer's certificate counts
 * when it chains to a CA pinned in the registry (`crl trust add`: the
 * government CA whose CRLs are trusted), so a certificate made by anyone
 * else with a registered serial number does not pass for a party's. */
#ifndef TD_WORKFLOW_SIGN_TRUST_H
#define TD_WORKFLOW_SIGN_TRUST_H

#include <openssl/x509.h>

#include "tokendesk/error.h"

struct td_registry;

/* A store of the pinned CAs; *n gets how many (0: none pinned).  NULL
 * with err on failure.  Release with X509_STORE_free. */
X509_STORE *td_sign_trust_store(struct td_registry *reg, int *n, struct td_error *err);
/* 1 when cert chains to a CA of store (untrusted: other certificates the
 * signature carries, may be NULL), valid now or at the time given (0:
 * now); 0 otherwise. */
int td_sign_cert_trusted(X509_STORE *store, X509 *cert, STACK_OF(X509) *untrusted);

#endif
