/* crl_internal.h: what crl.c (importing a CRL) and crl_trust.c (the
 * pinned CAs, and which certificates a CRL may be verified with) share. */
#ifndef TD_WORKFLOW_CRL_INTERNAL_H
#define TD_WORKFLOW_CRL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "tokendesk/crl.h"
#include "tokendesk/error.h"

struct td_registry;

/* A CA certificate: pinned, or given with a CRL (--ca). */
struct crl_ca {
	X509 *x;
	char subject[512];       /* RFC 4514 */
	char cert_sha256[65];    /* of the certificate's DER */
	char key_sha256[65];     /* of its SubjectPublicKeyInfo */
	int64_t pinned_id;       /* its crl_trust id, or 0 */
	int64_t root_id;         /* trusted: the pinned CA it is or chains to */
	char path[256];          /* given: the file it came from */
};

struct crl_ca_set {
	struct crl_ca *v;
	size_t n;
};

void crl_ca_set_free(struct crl_ca_set *set);
/* The pinned CAs, from the registry. */
int crl_ca_load_pinned(struct td_registry *reg, struct crl_ca_set *pinned,
                       struct td_error *err);
/* Append the certificates of the file at path (PEM, several allowed, or
 * one DER) to set; TD_ERR_DATA when it holds none. */
int crl_ca_load_file(const char *path, struct crl_ca_set *set,
                     struct td_error *err);
/* Decide whether every given certificate is trusted (pinned itself, or
 * signed by a trusted CA certificate and a CA itself), setting root_id.
 * TD_ERR_PERM when one is named like a pinned CA with another key (both
 * fingerprints in the message) or is not trusted (the fix named). */
int crl_ca_trust_given(const struct crl_ca_set *pinned, struct crl_ca_set *given,
                       struct td_error *err);
/* The trusted certificate (pinned or given) whose subject is the CRL's
 * issuer and whose key verifies it, or NULL with TD_ERR_PERM in err: no
 * such CA (the fix named), or only CAs of that name with other keys
 * (their fingerprint and the CRL's shown). */
const struct crl_ca *crl_ca_signer(const struct crl_ca_set *pinned,
                                   const struct crl_ca_set *given, X509_CRL *crl,
                                   const char *crl_path, const char *crl_sha256,
                                   struct td_error *err);

/* "CN=.., O=.., C=VN": the order and spacing the registry stores. */
void crl_name_text(X509_NAME *n, char *out, size_t size);

#endif
