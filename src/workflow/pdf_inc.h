/* pdf_inc.h: just enough PDF to sign a handover record in place: read
 * the cross-reference tables and trailer of a file written by cairo (and
 * of the incremental updates this module appends), look objects up, and
 * take a dictionary apart.  Not a general PDF reader: cross-reference
 * streams and object streams are refused (cairo writes neither). */
#ifndef TD_WORKFLOW_PDF_INC_H
#define TD_WORKFLOW_PDF_INC_H

#include <stddef.h>

#include "tokendesk/error.h"

struct pdf_file {
	unsigned char *buf;     /* the whole file */
	size_t len;
	long startxref;         /* offset of the newest xref section */
	long size;              /* the trailer's /Size */
	long root, info;        /* object numbers (0: none) */
	long *off;              /* newest offset of each object, 0 = free */
	long noff;
};

/* A span of the file: [s, e). */
struct pdf_span {
	const char *s, *e;
};

/* Read path whole and its xref chain.  TD_ERR_DATA when it is not a PDF
 * this module can update; TD_ERR_IO / TD_ERR_NOTFOUND as the file says.
 * Release with pdf_file_free (on failure nothing is left to release;
 * freeing *p again is harmless). */
int pdf_file_load(const char *path, struct pdf_file *p, struct td_error *err);
void pdf_file_free(struct pdf_file *p);

/* The value (after "N 0 obj") of object num: 0, or -1 when absent. */
int pdf_object(const struct pdf_file *p, long num, struct pdf_span *value);
/* The value of /key (with its slash) in dictionary d: 0 or -1. */
int pdf_dict_get(struct pdf_span d, const char *key, struct pdf_span *value);
/* The object number of a reference "N G R": >0, or 0 when v is not one. */
long pdf_ref(struct pdf_span v);
/* The end of the value starting at s (skipping blanks and comments
 * first; "N G R" is one value); NULL when malformed. */
const char *pdf_skip_value(const char *s, const char *e);
/* The first byte that is not blank or comment. */
const char *pdf_skip_ws(const char *s, const char *e);

/* ---- signing (pdf_sign.c) ---------------------------------------------- */

/* Makes the CMS of the bytes a signature covers: 0 with *der (malloc'd)
 * and *der_len, or <0 with err filled. */
typedef int (*pdf_sign_fn)(const unsigned char *data, size_t len,
                           unsigned char **der, size_t *der_len, void *ctx,
                           struct td_error *err);

/* What the visible signature looks like: a grey picture (PGM bytes as
 * the helper wrote them) in rect [x0 y0 x1 y1] on the last page. */
struct pdf_look {
	const unsigned char *pgm;
	size_t pgm_len;
	double rect[4];
	const char *when;       /* "D:YYYYMMDDHHmmSS+07'00'" */
};

/* Append to p (loaded from path) an incremental update holding a PAdES
 * signature (ETSI.CAdES.detached) with the look given, sign its byte
 * range with sign(ctx), and write the whole to path (temporary file,
 * rename).  sha256_hex gets the SHA-256 of the file as written. */
int pdf_sign_append(struct pdf_file *p, const char *path,
                    const struct pdf_look *look, pdf_sign_fn sign, void *ctx,
                    char sha256_hex[65], struct td_error *err);

/* One signature found in a file: its byte range and CMS (DER). */
struct pdf_sig {
	long range[4];
	unsigned char *der;
	size_t der_len;
};
/* Every signature dictionary's byte range and contents, in file order
 * (der NULL for one whose range or contents cannot be read):
 * *n of them in *out (release with pdf_sigs_free).  0 or <0. */
int pdf_find_sigs(const struct pdf_file *p, struct pdf_sig **out, size_t *n,
                  struct td_error *err);
void pdf_sigs_free(struct pdf_sig *s, size_t n);
/* The text of the Info dictionary's /Keywords (a literal string), into
 * out; 0, or -1 when none. */
int pdf_keywords(const struct pdf_file *p, char *out, size_t size);

#endif
