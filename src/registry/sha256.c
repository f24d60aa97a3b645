/* sha256.c: SHA-256 for the audit chain and the bulk-load digests.
 *
 * The digest is libcrypto's, but the registry does not link libcrypto:
 * it looks the EVP functions up the first time a digest is needed.  In
 * the full program (tokendesk-full) libcrypto is already loaded (tokens,
 * CRLs) and the lookup finds it in the process; in the lean front end
 * (show, search: see src/cli/main_lean.c) it is opened then, and only if
 * that command writes.  Loading libcrypto was a third of a `show`'s
 * time (README, "Two programs"), and a read never hashes. */
#include <config.h>

#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>

#include <openssl/evp.h>

#include "registry/internal.h"

#ifndef TD_LIBCRYPTO_SONAME
#define TD_LIBCRYPTO_SONAME "libcrypto.so.3"
#endif

struct td_sha256 {
	EVP_MD_CTX *ctx;
};

/* The EVP functions we use, resolved once. */
static struct {
	EVP_MD *(*md_fetch)(OSSL_LIB_CTX *, const char *, const char *);
	EVP_MD_CTX *(*ctx_new)(void);
	void (*ctx_free)(EVP_MD_CTX *);
	int (*init)(EVP_MD_CTX *, const EVP_MD *, ENGINE *);
	int (*update)(EVP_MD_CTX *, const void *, size_t);
	int (*final)(EVP_MD_CTX *, unsigned char *, unsigned int *);
	EVP_MD *md;       /* fetched once: implicit fetches are slow */
	int ready;
	char why[256];
} evp;

static pthread_once_t evp_once = PTHREAD_ONCE_INIT;

/* Look name up in handle; 0 and a reason in evp.why when it is missing. */
static int resolve(void *handle, const char *name, void **out)
{
	*out = dlsym(handle, name);
	if (!*out)
		snprintf(evp.why, sizeof evp.why, "%s: no %s", TD_LIBCRYPTO_SONAME, name);
	return *out != NULL;
}

static void load_evp(void)
{
	/* Already in the process (the full program links it)?  Else open it;
	 * the handle lives as long as the process.  (RTLD_DEFAULT is NULL.) */
	void *handle = RTLD_DEFAULT;

	if (!dlsym(RTLD_DEFAULT, "EVP_MD_fetch") &&
	    !(handle = dlopen(TD_LIBCRYPTO_SONAME, RTLD_NOW | RTLD_LOCAL))) {
		snprintf(evp.why, sizeof evp.why, "%s", dlerror());
		return;
	}
	if (!resolve(handle, "EVP_MD_fetch", (void **)&evp.md_fetch) ||
	    !resolve(handle, "EVP_MD_CTX_new", (void **)&evp.ctx_new) ||
	    !resolve(handle, "EVP_MD_CTX_free", (void **)&evp.ctx_free) ||
	    !resolve(handle, "EVP_DigestInit_ex", (void **)&evp.init) ||
	    !resolve(handle, "EVP_DigestUpdate", (void **)&evp.update) ||
	    !resolve(handle, "EVP_DigestFinal_ex", (void **)&evp.final))
		return;
	if (!(evp.md = evp.md_fetch(NULL, "SHA256", NULL))) {
		snprintf(evp.why, sizeof evp.why, "%s has no SHA-256", TD_LIBCRYPTO_SONAME);
		return;
	}
	evp.ready = 1;
}

struct td_sha256 *td_sha256_new(struct td_error *err)
{
	struct td_sha256 *h;

	pthread_once(&evp_once, load_evp);
	if (!evp.ready) {
		td_error_set(err, TD_ERR_INTERNAL, "SHA-256 is not available (%s)", evp.why);
		return NULL;
	}
	if (!(h = calloc(1, sizeof *h)) || !(h->ctx = evp.ctx_new())) {
		free(h);
		td_error_set(err, TD_ERR_NOMEM, "out of memory");
		return NULL;
	}
	if (!td_sha256_begin(h)) {
		td_sha256_free(h);
		td_error_set(err, TD_ERR_INTERNAL, "SHA-256 does not start");
		return NULL;
	}
	return h;
}

int td_sha256_begin(struct td_sha256 *h)
{
	return evp.init(h->ctx, evp.md, NULL) == 1;
}

void td_sha256_add(struct td_sha256 *h, const void *data, size_t len)
{
	evp.update(h->ctx, data, len);
}

void td_sha256_hex(struct td_sha256 *h, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	evp.final(h->ctx, md, &len);
	/* A table, not snprintf: merges hash 100,000 rows at a time. */
	for (unsigned i = 0; i < len && i < 32; i++) {
		out[2 * i] = "0123456789abcdef"[md[i] >> 4];
		out[2 * i + 1] = "0123456789abcdef"[md[i] & 15];
	}
	out[2 * (len < 32 ? len : 32)] = '\0';
}

int td_sha256_of(const void *bytes, size_t n, char out[65], struct td_error *err)
{
	struct td_sha256 *h = td_sha256_new(err);   /* started */

	if (!h)
		return err->code;
	td_sha256_add(h, bytes, n);
	td_sha256_hex(h, out);
	td_sha256_free(h);
	return TD_OK;
}

void td_sha256_free(struct td_sha256 *h)
{
	if (h) {
		evp.ctx_free(h->ctx);
		free(h);
	}
}
