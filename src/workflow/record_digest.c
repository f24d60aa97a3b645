/* record_digest.c: the content digest of a handover record, printed in
 * its QR code and checked when a paper or a file is verified.
 *
 * "Content" is the record as the registry holds it: td_record_to_json
 * (record_json.c) without "date" (derived from "at" in the local time
 * zone, so it would change with the desk's TZ) and without "id" (a row
 * number, which a kit merge may renumber; the record's number stays),
 * serialised by jansson
 * with keys sorted, compact separators and UTF-8 as is.  The SHA-256 of
 * those bytes, in lower-case hex, is the content digest. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "workflow/record_internal.h"

int td_record_content_sha256(const struct td_record *r, char hex[65],
                             struct td_error *err)
{
	json_t *o = td_record_to_json(r);
	unsigned char md[32];
	unsigned int mdlen = 0;
	char *text;
	int ok;

	if (o) {
		json_object_del(o, "date");
		json_object_del(o, "id");
	}
	text = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(o);
	if (!text)
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	ok = EVP_Digest(text, strlen(text), md, &mdlen, EVP_sha256(), NULL) == 1;
	free(text);
	if (!ok)
		return td_error_set(err, TD_ERR_INTERNAL, "SHA-256 failed");
	for (unsigned i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return TD_OK;
}

int td_record_qr_text(const struct td_record *r, char *out, size_t size,
                      struct td_error *err)
{
	char hex[65];
	int rc = td_record_content_sha256(r, hex, err);

	if (rc < 0)
		return rc;
	snprintf(out, size, TD_REC_QR_PREFIX "%s:%s", r->number, hex);
	return TD_OK;
}
