/* possession.c: prove that a token holds the private key of its
 * certificate, by signing a fresh challenge on the token and verifying
 * the signature with the certificate's public key.
 *
 * The PIN is handed to the module as is; the only other copy is the one
 * libp11 keeps for re-login, which it cleanses when the slots are
 * released, so every path out of here releases them. */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "tokendesk/secmem.h"
#include "tokendesk/text.h"
#include "internal.h"
#include "remote.h"

/* PKCS#11 return values we tell apart (pkcs11.h is not needed for two). */
#define TD_CKR_PIN_INCORRECT 0xA0UL
#define TD_CKR_PIN_LOCKED 0xA4UL

const char *td_pop_outcome_name(enum td_pop_outcome o)
{
	switch (o) {
	case TD_POP_MATCH: return "key-matches";
	case TD_POP_MISMATCH: return "key-does-not-match";
	case TD_POP_PIN_WRONG: return "pin-wrong";
	case TD_POP_PIN_LOCKED: return "pin-locked";
	case TD_POP_FINAL_TRY: return "final-try-refused";
	case TD_POP_NO_KEY: return "no-private-key";
	case TD_POP_REMOVED: return "token-removed";
	}
	return "?";
}

/* Refresh the module(s) and find the slot of the token by serial: slot
 * numbers change across reloads, serials do not. */
/* Serials as people type them and as tokens report them differ in case,
 * padding and separators: compare the canonical forms. */
static int same_token_serial(const char *a, const char *b)
{
	char ca[128], cb[128];

	return td_token_serial(a, ca, sizeof ca) == 0 &&
	       td_token_serial(b, cb, sizeof cb) == 0 && strcmp(ca, cb) == 0;
}

static PKCS11_SLOT *find_slot(struct td_tokens *t, const char *serial,
                              const char *module, struct td_module **mod,
                              struct td_error *err)
{
	for (size_t i = 0; i < t->nmods; i++) {
		struct td_module *m = &t->mods[i];
		if (module && strcmp(module, m->path) != 0)
			continue;
		if (td_module_refresh(t, m, err) != 0)
			return NULL;
		for (unsigned j = 0; j < m->nslots; j++) {
			PKCS11_SLOT *s = &m->slots[j];
			if (td_slot_has_token(s) && same_token_serial(s->token->serialnr, serial)) {
				*mod = m;
				return s;
			}
		}
	}
	return NULL;
}

static void set_flags(struct td_pop_result *r, unsigned flags)
{
	r->flags = flags;
	r->tries_left = (flags & TD_TOK_PIN_LOCKED) ? 0
	                : (flags & TD_TOK_PIN_FINAL_TRY) ? 1 : -1;
}

static unsigned long last_ckr(void)
{
	unsigned long e, ckr = 0;

	while ((e = ERR_get_error()) != 0)
		if (ERR_GET_LIB(e) == ERR_get_CKR_code())
			ckr = (unsigned long)ERR_GET_REASON(e);
	return ckr;
}

/* After a refused PIN: read the flags again (a new enumeration, since
 * libp11 caches token info) and say what the token says. */
static void pin_refused(struct td_tokens *t, const char *serial,
                        struct td_module *m, unsigned long ckr,
                        struct td_pop_result *r)
{
	struct td_module *m2 = NULL;
	PKCS11_SLOT *s = find_slot(t, serial, m->path, &m2, NULL);

	if (!s) {
		r->outcome = TD_POP_REMOVED;
		snprintf(r->detail, sizeof r->detail, "%s", N_("the token was removed"));
		return;
	}
	set_flags(r, td_flags_from_token(s->token));
	if (ckr == TD_CKR_PIN_LOCKED || (r->flags & TD_TOK_PIN_LOCKED)) {
		r->outcome = TD_POP_PIN_LOCKED;
		r->tries_left = 0;
		snprintf(r->detail, sizeof r->detail, "%s",
		         N_("the PIN is now locked: token recovery needed"));
	} else if (r->tries_left == 1) {
		r->outcome = TD_POP_PIN_WRONG;
		snprintf(r->detail, sizeof r->detail, "%s",
		         N_("wrong PIN; one try left: another wrong PIN locks the token"));
	} else {
		r->outcome = TD_POP_PIN_WRONG;
		snprintf(r->detail, sizeof r->detail, "%s",
		         (r->flags & TD_TOK_PIN_COUNT_LOW)
		         ? N_("wrong PIN; the token reports few tries left")
		         : N_("wrong PIN"));
	}
}

static int sign_verify(EVP_PKEY *priv, EVP_PKEY *pub, int *verified)
{
	unsigned char challenge[32], sig[1024];
	size_t siglen = sizeof sig;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	int ok;

	*verified = 0;
	if (!md || RAND_bytes(challenge, sizeof challenge) != 1) {
		EVP_MD_CTX_free(md);
		return -1;
	}
	ok = EVP_DigestSignInit(md, &pctx, EVP_sha256(), NULL, priv) == 1 &&
	     (EVP_PKEY_get_base_id(priv) != EVP_PKEY_RSA ||
	      EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1) &&
	     EVP_DigestSign(md, sig, &siglen, challenge, sizeof challenge) == 1;
	EVP_MD_CTX_free(md);
	if (!ok)
		return -1;
	if (!pub || !(md = EVP_MD_CTX_new()))
		return 0;
	*verified = EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL, pub) == 1 &&
	            (EVP_PKEY_get_base_id(pub) != EVP_PKEY_RSA ||
	             EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1) &&
	            EVP_DigestVerify(md, sig, siglen, challenge, sizeof challenge) == 1;
	EVP_MD_CTX_free(md);
	ERR_clear_error();
	return 0;
}

static void describe_cert(PKCS11_CERT *c, struct td_pop_result *r)
{
	struct td_snap_cert sc;

	memset(&sc, 0, sizeof sc);
	if (td_x509_fill(c->x509, &sc, NULL) == 0 && !sc.malformed) {
		snprintf(r->cert_serial, sizeof r->cert_serial, "%s", sc.serial);
		snprintf(r->subject, sizeof r->subject, "%s", sc.subject.text);
		snprintf(r->key_type, sizeof r->key_type, "%s", sc.key_type);
	}
	td_snap_cert_clear(&sc);
}

/* Sign with the key of cert c.  1: an outcome is in r; 0: c has no
 * private key; -1: the module failed to sign. */
/* A key stored under another CKA_ID than its certificate (middleware and
 * enrolment tools differ): pair them by public key, i.e. the private key
 * whose signature the certificate's public key verifies.  Returns 1 with
 * the outcome in r when one does, else 0. */
static int prove_by_public_key(PKCS11_SLOT *slot, PKCS11_CERT *c,
                               struct td_pop_result *r)
{
	PKCS11_KEY *keys = NULL;
	unsigned n = 0;

	if (PKCS11_enumerate_keys(slot->token, &keys, &n) != 0)
		return 0;
	for (unsigned i = 0; i < n; i++) {
		EVP_PKEY *priv = keys[i].isPrivate ? PKCS11_get_private_key(&keys[i]) : NULL;
		int verified = 0;
		if (!priv)
			continue;
		if (sign_verify(priv, X509_get0_pubkey(c->x509), &verified) == 0 && verified) {
			EVP_PKEY_free(priv);
			describe_cert(c, r);
			r->outcome = TD_POP_MATCH;
			snprintf(r->detail, sizeof r->detail, "%s",
			         N_("the token's private key matches the certificate "
			            "(stored under another key id)"));
			return 1;
		}
		EVP_PKEY_free(priv);
	}
	ERR_clear_error();
	return 0;
}

static int prove_cert(PKCS11_SLOT *slot, PKCS11_CERT *c, const char *pin,
                      struct td_pop_result *r)
{
	PKCS11_KEY *key = PKCS11_find_key(c);
	EVP_PKEY *priv = key ? PKCS11_get_private_key(key) : NULL;
	int verified, rc;

	if (!priv)
		return prove_by_public_key(slot, c, r);
	describe_cert(c, r);
	rc = sign_verify(priv, X509_get0_pubkey(c->x509), &verified);
	if (rc != 0) {
		/* The module may have dropped the login (reset, reload behind
		 * our back): log in again once with the same PIN and retry. */
		int in = 0;
		if (PKCS11_is_logged_in(slot, 0, &in) == 0 && !in &&
		    PKCS11_login(slot, 0, pin) == 0)
			rc = sign_verify(priv, X509_get0_pubkey(c->x509), &verified);
	}
	EVP_PKEY_free(priv);
	if (rc != 0)
		return -1;
	r->outcome = verified ? TD_POP_MATCH : TD_POP_MISMATCH;
	snprintf(r->detail, sizeof r->detail, "%s",
	         verified ? N_("the token's private key matches the certificate")
	                  : N_("the token's private key does not match the certificate"));
	return 1;
}

static int serial_matches(PKCS11_CERT *c, const char *want)
{
	char a[80], b[80];
	struct td_pop_result tmp;

	memset(&tmp, 0, sizeof tmp);
	describe_cert(c, &tmp);
	return td_serial_hex(want, a, sizeof a) == 0 &&
	       td_serial_hex(tmp.cert_serial, b, sizeof b) == 0 && strcmp(a, b) == 0;
}

/* Try the certificates: the selected one, or each with a key, CA
 * certificates last (a token may carry its issuer's certificate). */
static int prove_any(PKCS11_SLOT *slot, const char *cert_serial, const char *pin,
                     struct td_pop_result *r, struct td_error *err)
{
	PKCS11_CERT *certs = NULL;
	unsigned n = 0;
	int found = 0;

	if (PKCS11_enumerate_certs(slot->token, &certs, &n) != 0)
		return td_error_set(err, TD_ERR_TOKEN, "cannot read the certificates");
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned i = 0; i < n; i++) {
			PKCS11_CERT *c = &certs[i];
			int ca, rc;
			if (!c->x509 || (cert_serial && !serial_matches(c, cert_serial)))
				continue;
			ca = (X509_get_extension_flags(c->x509) & EXFLAG_CA) != 0;
			if (ca != pass)
				continue;
			found = 1;
			if ((rc = prove_cert(slot, c, pin, r)) != 0)
				return rc > 0 ? 0 : td_error_set(err, TD_ERR_TOKEN,
				        "the token failed to sign the challenge");
		}
	}
	if (!found && cert_serial)
		return td_error_set(err, TD_ERR_NOTFOUND,
		                    "no certificate with serial %s on the token", cert_serial);
	r->outcome = TD_POP_NO_KEY;
	snprintf(r->detail, sizeof r->detail, "%s", found
	         ? N_("no certificate on the token has a private key")
	         : N_("the token holds no certificate"));
	return 0;
}

/* After the module failed mid-proof: a token no longer in any slot was
 * pulled out, and that is what to say (not "failed to sign").  pcscd
 * learns of a removal at its next poll of the reader (400 ms for a driver
 * without events of its own), so look for up to a second.  1 when r holds
 * the outcome. */
static int pulled_out(struct td_tokens *t, const char *serial,
                      struct td_module *m, struct td_pop_result *r)
{
	const struct timespec wait = { 0, 100 * 1000 * 1000 };

	for (int i = 0; i < 10; i++) {
		struct td_module *m2 = NULL;
		PKCS11_SLOT *s = find_slot(t, serial, m->path, &m2, NULL);

		td_module_release_slots(m);
		if (!s) {
			r->outcome = TD_POP_REMOVED;
			snprintf(r->detail, sizeof r->detail, "the token was removed");
			return 1;
		}
		nanosleep(&wait, NULL);
	}
	return 0;
}

/* Refuse before logging in when the flags say a login is hopeless or
 * dangerous.  Returns 1 when r holds the refusal. */
static int refuse_early(unsigned flags, int force, struct td_pop_result *r)
{
	set_flags(r, flags);
	if (flags & TD_TOK_PIN_LOCKED) {
		r->outcome = TD_POP_PIN_LOCKED;
		snprintf(r->detail, sizeof r->detail, "%s",
		         N_("the PIN is locked: token recovery needed"));
		return 1;
	}
	if ((flags & TD_TOK_PIN_FINAL_TRY) && !force) {
		r->outcome = TD_POP_FINAL_TRY;
		snprintf(r->detail, sizeof r->detail, "%s",
		         N_("the token reports a final PIN try: a wrong PIN would lock "
		            "it; confirm with --force to try"));
		return 1;
	}
	return 0;
}

int td_token_prove(struct td_tokens *t, const char *serial, const char *module,
                   const char *cert_serial, const struct td_secbuf *pin,
                   int force, struct td_pop_result *r, struct td_error *err)
{
	struct td_module *m = NULL;
	PKCS11_SLOT *slot;
	int rc;

	memset(r, 0, sizeof *r);
	r->tries_left = -1;
	td_error_clear(err);
	if (t->remote)
		return td_remote_prove(t, serial, module, cert_serial, pin, force, r, err);
	ERR_clear_error();
	if (!(slot = find_slot(t, serial, module, &m, err)))
		return err && err->code ? err->code
		       : td_error_set(err, TD_ERR_NOTFOUND, "no token with serial %s",
		                      serial);
	if (refuse_early(td_flags_from_token(slot->token), force, r))
		return 0;
	if (!pin)
		return td_error_set(err, TD_ERR_USAGE, "a PIN is needed to log in");
	if (PKCS11_login(slot, 0, td_secbuf_str(pin)) != 0) {
		unsigned long ckr = last_ckr();
		td_module_release_slots(m);
		pin_refused(t, serial, m, ckr, r);
		td_module_release_slots(m);
		return 0;
	}
	rc = prove_any(slot, cert_serial, td_secbuf_str(pin), r, err);
	PKCS11_logout(slot);
	/* Releasing the slots closes the sessions and makes libp11 cleanse
	 * its copy of the PIN. */
	td_module_release_slots(m);
	ERR_clear_error();
	if (rc == TD_ERR_TOKEN && pulled_out(t, serial, m, r)) {
		td_error_clear(err);
		rc = 0;
	}
	return rc;
}

/* ---- shared with sign.c: one set of PIN rules for proving and signing -- */

PKCS11_SLOT *td_pop_find_slot(struct td_tokens *t, const char *serial,
                              const char *module, struct td_module **mod,
                              struct td_error *err)
{
	return find_slot(t, serial, module, mod, err);
}

int td_pop_refuse_early(unsigned flags, int force, struct td_pop_result *r)
{
	return refuse_early(flags, force, r);
}

void td_pop_pin_refused(struct td_tokens *t, const char *serial, struct td_module *m,
                        struct td_pop_result *r)
{
	unsigned long ckr = last_ckr();

	td_module_release_slots(m);
	pin_refused(t, serial, m, ckr, r);
	td_module_release_slots(m);
}

void td_pop_describe_cert(PKCS11_CERT *c, struct td_pop_result *r)
{
	describe_cert(c, r);
}

int td_pop_serial_matches(PKCS11_CERT *c, const char *want)
{
	return serial_matches(c, want);
}
