/* sshkey.c: an OpenSSH public key's type and SHA-256 fingerprint, as
 * ssh-keygen -l prints it, with OpenSSL's base64 and SHA-256. */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "tokendesk/sshkey.h"

/* The public-key types of OpenSSH 9 (certificates are not operator keys). */
static int known_type(const char *t)
{
	static const char *const types[] = {
		"ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
		"ecdsa-sha2-nistp521", "sk-ssh-ed25519@openssh.com",
		"sk-ecdsa-sha2-nistp256@openssh.com", NULL
	};

	for (int i = 0; types[i]; i++)
		if (strcmp(t, types[i]) == 0)
			return 1;
	return 0;
}

/* The next blank-separated word of *p into out (at most size-1 bytes):
 * its length, or 0 when there is none or it is too long. */
static size_t word(const char **p, char *out, size_t size)
{
	size_t n;

	*p += strspn(*p, " \t");
	n = strcspn(*p, " \t\r\n");
	if (n == 0 || n >= size)
		return 0;
	memcpy(out, *p, n);
	out[n] = '\0';
	*p += n;
	return n;
}

/* The blob starts with a uint32 length and the type's name. */
static int blob_names(const unsigned char *blob, size_t n, const char *type)
{
	size_t tl = strlen(type);
	uint32_t len;

	if (n < 4)
		return 0;
	len = (uint32_t)blob[0] << 24 | (uint32_t)blob[1] << 16 |
	      (uint32_t)blob[2] << 8 | blob[3];
	return len == tl && n >= 4 + tl && memcmp(blob + 4, type, tl) == 0;
}

static int fingerprint(struct td_ssh_key *k, struct td_error *err)
{
	size_t n64 = strlen(k->blob64), n = 0;
	unsigned char *blob = malloc(n64 / 4 * 3 + 3), md[SHA256_DIGEST_LENGTH];
	unsigned char b64[64];
	int len;

	if (!blob)
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	len = n64 % 4 == 0 && n64 < (size_t)1 << 20 ?
	      EVP_DecodeBlock(blob, (const unsigned char *)k->blob64, (int)n64) : -1;
	if (len >= 0) {
		/* EVP_DecodeBlock counts the '=' padding as data */
		n = (size_t)len - (n64 && k->blob64[n64 - 1] == '=') -
		    (n64 > 1 && k->blob64[n64 - 2] == '=');
	}
	if (len < 0 || !blob_names(blob, n, k->type)) {
		free(blob);
		return td_error_set(err, TD_ERR_DATA, "not an OpenSSH %s public key "
		                    "(its base64 part is damaged)", k->type);
	}
	SHA256(blob, n, md);
	free(blob);
	len = EVP_EncodeBlock(b64, md, sizeof md);
	while (len > 0 && b64[len - 1] == '=')
		b64[--len] = '\0';
	snprintf(k->fp, sizeof k->fp, "SHA256:%.48s", (const char *)b64);
	return TD_OK;
}

int td_ssh_key_parse(const char *line, const char *skip_word,
                     struct td_ssh_key *out, struct td_error *err)
{
	char first[512], *b64;
	const char *p = line;
	int rc;

	memset(out, 0, sizeof *out);
	if (!(b64 = malloc(strlen(line) + 1)))
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	if (skip_word && (!word(&p, first, sizeof first) || strcmp(first, skip_word)))
		p = "";
	if (!word(&p, out->type, sizeof out->type) || !known_type(out->type)) {
		free(b64);
		return td_error_set(err, TD_ERR_DATA, "not an OpenSSH public key line "
		                    "(ssh-ed25519, ssh-rsa, ecdsa-sha2-... KEY [COMMENT])");
	}
	if (!word(&p, b64, strlen(line) + 1)) {
		free(b64);
		return td_error_set(err, TD_ERR_DATA, "the %s key has no base64 part",
		                    out->type);
	}
	out->blob64 = b64;
	if ((rc = fingerprint(out, err)) < 0)
		td_ssh_key_clear(out);
	return rc;
}

void td_ssh_key_clear(struct td_ssh_key *k)
{
	free(k->blob64);
	k->blob64 = NULL;
}
