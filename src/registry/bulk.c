/* bulk.c: audit of bulk loads.  A million additions audited row by row
 * would double the size of the registry and the time of an import; here
 * they become one row per kind holding a SHA-256 over every added row's
 * content, so the audit still proves exactly what was loaded, by whom
 * and when.  Updates are never folded: their before/after matter. */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "registry/internal.h"

int td_reg_begin_bulk(struct td_registry *reg, const char *label,
                      struct td_error *err)
{
	int rc = td_reg_begin(reg, err);

	if (rc < 0)
		return rc;
	reg->bulk = 1;
	snprintf(reg->bulk_label, sizeof reg->bulk_label, "%s", label ? label : "");
	/* 256 MiB of page cache: random-key index inserts stay in memory. */
	sqlite3_exec(reg->db, "PRAGMA cache_size = -262144", NULL, NULL, NULL);
	return TD_OK;
}

int td_reg_bulk_add(struct td_registry *reg, struct bulk_tally *t,
                    const char *key, const char *const *fields, int n)
{
	static const unsigned char sep = 0x1f, rec = 0x1e, null_mark = 0;

	if (!reg->bulk)
		return 0;
	if (!t->ctx) {
		t->ctx = EVP_MD_CTX_new();
		if (!t->ctx || !EVP_DigestInit_ex(t->ctx, EVP_sha256(), NULL))
			return 0;   /* cannot fold: audit row by row instead */
	}
	for (int i = 0; i < n; i++) {
		if (fields[i])
			EVP_DigestUpdate(t->ctx, fields[i], strlen(fields[i]));
		else
			EVP_DigestUpdate(t->ctx, &null_mark, 1);
		EVP_DigestUpdate(t->ctx, &sep, 1);
	}
	EVP_DigestUpdate(t->ctx, &rec, 1);
	if (t->count++ == 0)
		snprintf(t->first, sizeof t->first, "%s", key);
	snprintf(t->last, sizeof t->last, "%s", key);
	return 1;
}

static int flush_one(struct td_registry *reg, struct bulk_tally *t,
                     const char *action, const char *entity, struct td_error *err)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char hex[65];
	json_t *o;
	char *text;
	int rc;

	if (t->count == 0)
		return TD_OK;
	EVP_DigestFinal_ex(t->ctx, md, &mdlen);
	for (unsigned i = 0; i < mdlen && i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	o = json_pack("{s:s,s:I,s:s,s:s,s:s}", "source", reg->bulk_label,
	              "added", (json_int_t)t->count, "first", t->first,
	              "last", t->last, "content_sha256", hex);
	text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	rc = text ? td_reg_audit(reg, action, entity, NULL, NULL, text, err)
	          : td_error_set(err, TD_ERR_NOMEM, "out of memory");
	free(text);
	return rc;
}

int td_reg_bulk_flush(struct td_registry *reg, struct td_error *err)
{
	int rc;

	if (!reg->bulk)
		return TD_OK;
	if ((rc = flush_one(reg, &reg->bulk_agency, "agency.add.bulk", "agency", err)) < 0 ||
	    (rc = flush_one(reg, &reg->bulk_cert, "cert.add.bulk", "cert", err)) < 0)
		return rc;
	return TD_OK;
}

void td_reg_bulk_end(struct td_registry *reg)
{
	if (!reg->bulk)
		return;
	EVP_MD_CTX_free(reg->bulk_agency.ctx);
	EVP_MD_CTX_free(reg->bulk_cert.ctx);
	memset(&reg->bulk_agency, 0, sizeof reg->bulk_agency);
	memset(&reg->bulk_cert, 0, sizeof reg->bulk_cert);
	reg->bulk = 0;
	sqlite3_exec(reg->db, "PRAGMA cache_size = -2000", NULL, NULL, NULL);
}
