/* tokendesk/match.h: a token as it is, against the registry as recorded.
 *
 * Uses only the registry API and token snapshots: no SQL, no PKCS#11.
 * A token is found in the registry by its serial; its certificates by
 * SHA-256 fingerprint, or by issuer DN + serial (issuer DNs compared
 * attribute by attribute, in any order, NFC).  Every finding says what
 * the registry holds and what the token holds, in one line each. */
#ifndef TOKENDESK_MATCH_H
#define TOKENDESK_MATCH_H

#include <stddef.h>

#include "tokendesk/error.h"
#include "tokendesk/registry.h"
#include "tokendesk/token.h"

/* Outcomes, from least to most serious (a token's overall outcome is its
 * most serious finding). */
enum td_match_outcome {
	TD_MATCH_OK,            /* matched: token and certificate as recorded */
	TD_MATCH_EXPIRED,       /* the certificate on the token has expired */
	TD_MATCH_TAGGED,        /* the certificate is tagged (revoke / info
	                           change) or revoked in the registry */
	TD_MATCH_SUBJECT,       /* same certificate serial, but its subject (CN,
	                           OU chain, L) names another holder or unit
	                           than the registry's holder and agency */
	TD_MATCH_OTHER_CERT,    /* known token, different certificate */
	TD_MATCH_CUSTODY,       /* the registry records the token lost, damaged
	                           or destroyed, at DOST, sent to the CA, or in
	                           the hands of another person than the
	                           certificate's holder */
	TD_MATCH_OUT_OF_SCOPE,  /* the token's agency is outside this desk's
	                           agency subtree */
	TD_MATCH_UNKNOWN_TOKEN  /* the registry has no token with this serial */
};

/* What a token state that keeps it from a desk says ("lost" -> "recorded
 * lost"; also damaged, destroyed, sent_to_ca, at_dost), as an English
 * message id the front end translates; NULL for any other state. */
const char *td_custody_away_words(const char *state);

/* Stable name: "matched", "expired", "tagged", "subject-differs",
 * "other-certificate", "custody", "out-of-scope", "unknown-token". */
const char *td_match_outcome_name(enum td_match_outcome o);

struct td_match_finding {
	enum td_match_outcome outcome;
	int cert_index;          /* index in the token's certs, or -1 */
	char cert_serial[80];    /* the certificate concerned, or "" */
	char registry[512];      /* what the registry holds */
	char token[512];         /* what the token holds */
	/* 1: about another certificate on the token than the one matched (an
	 * expired second certificate): shown, but not the token's outcome. */
	int secondary;
};

struct td_match_result {
	enum td_match_outcome outcome;   /* the most serious finding */
	struct td_match_finding *findings; /* at least one */
	size_t n;
	char holder[256];       /* holder of the matched certificate, or "" */
	char agency_code[64];   /* its agency, or "" */
};

/* Hook deciding whether a registry certificate is tagged for revocation
 * or an info change.  Return 1 and fill why (e.g. "tagged: revoke") when
 * it is, 0 when not, or a negative td_code.  NULL (the usual case): the
 * registry's tags decide (td_reg_cert_tag: revoke or change_info), and a
 * certificate the registry holds as revoked always counts. */
typedef int (*td_match_tag_fn)(struct td_registry *reg, const struct td_cert *c,
                               char *why, size_t size, void *ctx);

struct td_match_opts {
	/* This desk's agency: tokens whose certificate's agency is not it or
	 * below it are out of scope.  NULL: every agency is in scope. */
	const char *scope_agency;
	/* Today as YYYY-MM-DD; NULL: td_today() (honours $TOKENDESK_TODAY). */
	const char *today;
	td_match_tag_fn tagged;
	void *tag_ctx;
};

/* Match one token snapshot.  *out is filled (and owned by the caller:
 * td_match_result_clear) when 0 is returned; registry failures return
 * their td_code.  opts may be NULL. */
int td_match_token(struct td_registry *reg, const struct td_snap_token *t,
                   const struct td_match_opts *opts,
                   struct td_match_result *out, struct td_error *err);

void td_match_result_clear(struct td_match_result *r);

/* 1 when the one-line DNs a and b hold the same attributes (names
 * case-insensitive with aliases such as emailAddress=E, values NFC),
 * in any order; else 0. */
int td_dn_equal(const char *a, const char *b);

/* TD_OK when scope (a desk's --scope or config "scope") is an agency of
 * the registry; else TD_ERR_NOTFOUND saying so: a misspelt scope would
 * put every token out of scope. */
int td_match_check_scope(struct td_registry *reg, const char *scope,
                         struct td_error *err);

/* 1 when agency code is scope or lies below it (walking parent codes
 * with td_reg_get_agency), 0 when not, negative td_code on failure. */
int td_agency_within(struct td_registry *reg, const char *code,
                     const char *scope, struct td_error *err);

#endif
