/* tokendesk/sshkey.h: an OpenSSH public key line, read enough to name
 * the key as ssh-keygen -l does ("SHA256:" and the unpadded base64 of the
 * SHA-256 of the key blob).  The hall (docs/hall.md) binds each
 * operator's key to a name; the fingerprint goes into the audit rows. */
#ifndef TOKENDESK_SSHKEY_H
#define TOKENDESK_SSHKEY_H

#include <stddef.h>

#include "tokendesk/error.h"

/* "SHA256:" + 43 base64 characters + NUL */
#define TD_SSH_FP_MAX 64
#define TD_SSH_TYPE_MAX 64

struct td_ssh_key {
	char type[TD_SSH_TYPE_MAX];   /* "ssh-ed25519", "ssh-rsa", ... */
	char *blob64;                 /* the base64 key as written (malloc'd) */
	char fp[TD_SSH_FP_MAX];       /* "SHA256:..." */
};

/* Parse "TYPE BASE64 [COMMENT]" (a .pub file's line) or, with skip_word
 * "publickey", SSH_USER_AUTH's "publickey TYPE BASE64": the type must be
 * a public-key type OpenSSH knows, and the decoded blob must name the
 * same type.  0 with out filled (td_ssh_key_clear frees it), or
 * TD_ERR_DATA with the reason. */
int td_ssh_key_parse(const char *line, const char *skip_word,
                     struct td_ssh_key *out, struct td_error *err);
void td_ssh_key_clear(struct td_ssh_key *k);

#endif
