/* tokendesk/checkpoint.h: signed checkpoints of the audit chain
 * (src/workflow/checkpoint.c).
 *
 * A checkpoint is a CMS SignedData (OpenSSL, the key on a token through
 * libp11, the signer's certificate included) whose signed content is
 *     tokendesk audit checkpoint
 *     head ID HASH
 *     signed-at YYYY-MM-DDTHH:MM:SSZ
 * where ID and HASH are the newest audit row's when it was signed.  It is
 * stored in the registry and may be kept elsewhere as a PEM file: a chain
 * rewritten since (every hash recomputed) no longer has HASH at row ID,
 * and a rewriter without the signer's token cannot sign a new one. */
#ifndef TOKENDESK_CHECKPOINT_H
#define TOKENDESK_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "tokendesk/error.h"

struct td_registry;
struct td_tokens;
struct td_secbuf;
struct td_pop_result;

/* Sign the current head with the token token_serial (its first
 * certificate that has a key, CA certificates last; PIN rules of
 * td_token_prove) and store the checkpoint (one transaction, audited
 * "audit.checkpoint").  0 with *res filled; when res->outcome is
 * TD_POP_MATCH, *pem (free()) holds the checkpoint as PEM, *head_id the
 * row signed and *id the stored checkpoint's id.  TD_ERR_NOTFOUND: no
 * such token, or an empty audit log. */
int td_checkpoint_sign(struct td_registry *reg, struct td_tokens *t,
                       const char *token_serial, const struct td_secbuf *pin,
                       int force, char **pem, int64_t *head_id, int64_t *id,
                       struct td_pop_result *res, struct td_error *err);

/* What checking one checkpoint found. */
struct td_checkpoint_check {
	int64_t stored_id;      /* its id in the registry, 0 for a file */
	int valid;              /* the CMS verifies and its content parses */
	int in_chain;           /* row head_id still has head_hash */
	int stored_agrees;      /* stored columns = signed content (files: 1) */
	int trusted;            /* the signer's certificate chains to a CA
	                           pinned with `crl trust add` */
	int64_t head_id;
	char head_hash[65], signed_at[32];
	char now_hash[65];      /* what row head_id holds now ("" if gone) */
	char signer_cn[256], signer_serial[80];
	char detail[256];       /* why not, in one sentence */
};

/* Check a checkpoint given as PEM (or DER) bytes.  0 with *c filled (ok
 * when valid && trusted && in_chain && stored_agrees), <0 on a registry
 * error. */
int td_checkpoint_verify(struct td_registry *reg, const unsigned char *data,
                         size_t len, struct td_checkpoint_check *c,
                         struct td_error *err);

/* Check every stored checkpoint, oldest first; fn gets each result and
 * returns 0 to go on. */
int td_checkpoint_verify_stored(struct td_registry *reg,
                                int (*fn)(const struct td_checkpoint_check *c,
                                          void *ctx),
                                void *ctx, struct td_error *err);

#endif
