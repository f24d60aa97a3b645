/* pdf_sign.c: the incremental update that signs a PDF (ISO 32000-1
 * 12.8, PAdES baseline B): a signature dictionary with a /ByteRange and
 * a zero-filled /Contents placeholder, a signature field whose widget
 * shows the signature on the last page, the catalog's /AcroForm with
 * /SigFlags 3, and a new xref section whose trailer points back (/Prev).
 * The byte range is everything but the placeholder; its CMS is written
 * into the placeholder last.  Earlier revisions are left byte for byte,
 * so earlier signatures stay valid. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "tokendesk/outfile.h"
#include "workflow/pdf_inc.h"

#define SIG_MAX 16384           /* bytes reserved for the CMS */
#define RANGE_W 10              /* digits of each byte range number */

struct out {
	char *buf;
	size_t len;
	FILE *f;
	long base;                 /* file offset of buf[0] */
	long *obj_num, *obj_off;
	size_t nobj;
};

static void obj_begin(struct out *o, long num)
{
	fflush(o->f);
	o->obj_num[o->nobj] = num;
	o->obj_off[o->nobj++] = o->base + (long)ftell(o->f);
	fprintf(o->f, "%ld 0 obj\n", num);
}

/* The entries of dictionary d except those named in skip, as text. */
static void dict_entries_except(FILE *f, struct pdf_span d, const char *const *skip)
{
	const char *s = pdf_skip_ws(d.s, d.e) + 2;

	for (;;) {
		const char *k = pdf_skip_ws(s, d.e), *ke = k + 1, *v;
		int keep = 1;
		if (k >= d.e || *k != '/')
			return;
		while (ke < d.e && !strchr(" \r\n\t/<[(", *ke))
			ke++;
		if (!(v = pdf_skip_value(ke, d.e)))
			return;
		for (size_t i = 0; skip[i]; i++)
			if ((size_t)(ke - k) == strlen(skip[i]) && memcmp(k, skip[i], ke - k) == 0)
				keep = 0;
		if (keep)
			fprintf(f, "%.*s ", (int)(v - k), k);
		s = v;
	}
}

/* The references in an array value (or none), each followed by " ". */
static void array_refs(FILE *f, struct pdf_span v)
{
	const char *s = pdf_skip_ws(v.s, v.e);

	if (s >= v.e || *s != '[')
		return;
	for (s++;;) {
		const char *a = pdf_skip_ws(s, v.e), *ae;
		if (a >= v.e || *a == ']' || !(ae = pdf_skip_value(a, v.e)))
			return;
		fprintf(f, "%.*s ", (int)(ae - a), a);
		s = ae;
	}
}

static long last_page(const struct pdf_file *p, struct pdf_span *page)
{
	struct pdf_span cat, v, node;
	long num;

	if (pdf_object(p, p->root, &cat) < 0 || pdf_dict_get(cat, "/Pages", &v) < 0)
		return 0;
	for (int depth = 0; depth < 16; depth++) {
		struct pdf_span kids, type;
		const char *s, *last = NULL, *lastend = NULL;
		if (!(num = pdf_ref(v)) || pdf_object(p, num, &node) < 0)
			return 0;
		if (pdf_dict_get(node, "/Type", &type) == 0 &&
		    strncmp(type.s, "/Page", 5) == 0 && type.e - type.s == 5) {
			*page = node;
			return num;
		}
		if (pdf_dict_get(node, "/Kids", &kids) < 0)
			return 0;
		for (s = kids.s + 1;;) {
			const char *a = pdf_skip_ws(s, kids.e), *ae;
			if (a >= kids.e || *a == ']' || !(ae = pdf_skip_value(a, kids.e)))
				break;
			last = a, lastend = ae;
			s = ae;
		}
		if (!last)
			return 0;
		v.s = last, v.e = lastend;
	}
	return 0;
}

/* PGM (P5, 8 bits) -> width, height and the pixels. */
static const unsigned char *pgm_pixels(const unsigned char *pgm, size_t len, int *w,
                                       int *h)
{
	int maxval, used = 0;

	if (len < 3 || sscanf((const char *)pgm, "P5 %d %d %d%n", w, h, &maxval, &used) != 3 ||
	    maxval != 255 || *w <= 0 || *h <= 0 ||
	    (size_t)used + 1 + (size_t)*w * (size_t)*h > len)
		return NULL;
	return pgm + used + 1;
}

/* PDF RunLengthDecode's inverse (7.4.5): runs of equal bytes, literals. */
static void run_length(FILE *f, const unsigned char *d, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t run = 1;
		while (i + run < n && run < 128 && d[i + run] == d[i])
			run++;
		if (run > 1) {
			fputc((int)(257 - run), f);
			fputc(d[i], f);
			i += run;
			continue;
		}
		size_t lit = 1;
		while (i + lit < n && lit < 128 &&
		       !(i + lit + 1 < n && d[i + lit] == d[i + lit + 1]))
			lit++;
		fputc((int)(lit - 1), f);
		fwrite(d + i, 1, lit, f);
		i += lit;
	}
	fputc(128, f);
}

static int write_stream_obj(struct out *o, long num, const char *dict,
                            const unsigned char *data, size_t len)
{
	obj_begin(o, num);
	fprintf(o->f, "<< %s /Length %zu >>\nstream\n", dict, len);
	fwrite(data, 1, len, o->f);
	fprintf(o->f, "\nendstream\nendobj\n");
	return 0;
}

static int write_look(struct out *o, long img, long ap, const struct pdf_look *look)
{
	int w, h;
	const unsigned char *px = pgm_pixels(look->pgm, look->pgm_len, &w, &h);
	char *rle = NULL, dict[256], content[128];
	size_t rle_len = 0;
	FILE *rf;
	double bw = look->rect[2] - look->rect[0], bh = look->rect[3] - look->rect[1];

	if (!px || !(rf = open_memstream(&rle, &rle_len)))
		return -1;
	run_length(rf, px, (size_t)w * (size_t)h);
	fclose(rf);
	snprintf(dict, sizeof dict, "/Type /XObject /Subtype /Image /Width %d /Height %d "
	         "/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /RunLengthDecode",
	         w, h);
	write_stream_obj(o, img, dict, (unsigned char *)rle, rle_len);
	free(rle);
	snprintf(dict, sizeof dict, "/Type /XObject /Subtype /Form /BBox [0 0 %.2f %.2f] "
	         "/Resources << /XObject << /Im0 %ld 0 R >> >>", bw, bh, img);
	snprintf(content, sizeof content, "q %.2f 0 0 %.2f 0 0 cm /Im0 Do Q", bw, bh);
	write_stream_obj(o, ap, dict, (unsigned char *)content, strlen(content));
	return 0;
}

/* Patch the placeholders once the update is laid out: the byte range,
 * then the CMS over it. */
static int fill_signature(unsigned char *all, size_t len, size_t range_at,
                          size_t contents_at, pdf_sign_fn sign, void *ctx,
                          struct td_error *err)
{
	long a = (long)contents_at, b = (long)(contents_at + 2 + 2 * SIG_MAX);
	char range[4 * (RANGE_W + 1) + 8];
	unsigned char *der = NULL, *data;
	size_t der_len = 0;
	int rc;

	snprintf(range, sizeof range, "[0 %*ld %*ld %*ld]", RANGE_W, a, RANGE_W, b,
	         RANGE_W, (long)len - b);
	memcpy(all + range_at, range, strlen(range));
	if (!(data = malloc(len)))
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	memcpy(data, all, (size_t)a);
	memcpy(data + a, all + b, len - (size_t)b);
	rc = sign(data, len - (size_t)(b - a), &der, &der_len, ctx, err);
	free(data);
	if (rc < 0)
		return rc;
	if (der_len > SIG_MAX) {
		free(der);
		return td_error_set(err, TD_ERR_INTERNAL, "the signature is too large");
	}
	for (size_t i = 0; i < der_len; i++) {
		static const char hex[] = "0123456789abcdef";
		all[contents_at + 1 + 2 * i] = (unsigned char)hex[der[i] >> 4];
		all[contents_at + 2 + 2 * i] = (unsigned char)hex[der[i] & 15];
	}
	free(der);
	return TD_OK;
}

static int write_file(const char *path, const unsigned char *a, size_t alen,
                      struct td_error *err)
{
	struct td_outfile out;
	int rc = td_outfile_open(&out, path, err);

	if (rc < 0)
		return rc;
	if (fwrite(a, 1, alen, out.f) != alen) {
		td_outfile_abandon(&out);
		return td_error_set(err, TD_ERR_IO, "%s: write failed", path);
	}
	return td_outfile_commit(&out, err);
}

static void sha256_hex(const unsigned char *a, size_t alen, char out[65])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned char md[32];

	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	EVP_DigestUpdate(c, a, alen);
	EVP_DigestFinal_ex(c, md, NULL);
	EVP_MD_CTX_free(c);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* Count the signature fields already there, to name the new one. */
static int count_fields(const struct pdf_file *p, struct pdf_span acro)
{
	struct pdf_span fields;
	const char *s;
	int n = 0;

	if (pdf_dict_get(acro, "/Fields", &fields) < 0)
		return 0;
	for (s = fields.s + 1;; n++) {
		const char *a = pdf_skip_ws(s, fields.e), *ae;
		if (a >= fields.e || *a == ']' || !(ae = pdf_skip_value(a, fields.e)))
			return n;
		s = ae;
	}
	(void)p;
}

int pdf_sign_append(struct pdf_file *p, const char *path,
                    const struct pdf_look *look, pdf_sign_fn sign, void *ctx,
                    char digest[65], struct td_error *err)
{
	static const char *const cat_skip[] = { "/AcroForm", NULL };
	static const char *const page_skip[] = { "/Annots", NULL };
	long sig = p->size, field = sig + 1, img = sig + 2, ap = sig + 3, acro_num = sig + 4;
	long page_num, nums[8], offs[8], xref_at;
	struct pdf_span cat, page, v, acro = { NULL, NULL };
	struct out o = { 0 };
	size_t range_at, contents_at;
	int rc;

	o.obj_num = nums;
	o.obj_off = offs;
	o.base = (long)p->len;
	if (pdf_object(p, p->root, &cat) < 0 || !(page_num = last_page(p, &page)))
		return td_error_set(err, TD_ERR_DATA, "%s: no catalog or page found", path);
	if (pdf_dict_get(cat, "/AcroForm", &v) == 0) {
		long n = pdf_ref(v);
		if (!n || pdf_object(p, n, &acro) < 0)
			return td_error_set(err, TD_ERR_DATA, "%s: a form this program cannot "
			                    "extend", path);
	}
	if (!(o.f = open_memstream(&o.buf, &o.len)))
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	fputc('\n', o.f);
	/* The signature dictionary: its placeholders are patched below. */
	obj_begin(&o, sig);
	fprintf(o.f, "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached"
	        " /M (%s) /ByteRange ", look->when);
	fflush(o.f);
	range_at = o.len;
	fprintf(o.f, "[0 %*d %*d %*d] /Contents ", RANGE_W, 0, RANGE_W, 0, RANGE_W, 0);
	fflush(o.f);
	contents_at = o.len;
	fputc('<', o.f);
	for (int i = 0; i < 2 * SIG_MAX; i++)
		fputc('0', o.f);
	fprintf(o.f, "> >>\nendobj\n");
	obj_begin(&o, field);
	fprintf(o.f, "<< /Type /Annot /Subtype /Widget /FT /Sig /T (Signature%d) /V %ld 0 R"
	        " /F 132 /Rect [%.2f %.2f %.2f %.2f] /P %ld 0 R /AP << /N %ld 0 R >> >>\n"
	        "endobj\n", count_fields(p, acro) + 1, sig, look->rect[0], look->rect[1],
	        look->rect[2], look->rect[3], page_num, ap);
	if (write_look(&o, img, ap, look) < 0) {
		fclose(o.f);
		free(o.buf);
		return td_error_set(err, TD_ERR_INTERNAL, "the signature's picture is bad");
	}
	obj_begin(&o, acro_num);
	fprintf(o.f, "<< /Fields [");
	if (acro.s && pdf_dict_get(acro, "/Fields", &v) == 0)
		array_refs(o.f, v);
	fprintf(o.f, "%ld 0 R] /SigFlags 3 >>\nendobj\n", field);
	obj_begin(&o, p->root);
	fprintf(o.f, "<< ");
	dict_entries_except(o.f, cat, cat_skip);
	fprintf(o.f, "/AcroForm %ld 0 R >>\nendobj\n", acro_num);
	obj_begin(&o, page_num);
	fprintf(o.f, "<< ");
	dict_entries_except(o.f, page, page_skip);
	fprintf(o.f, "/Annots [");
	if (pdf_dict_get(page, "/Annots", &v) == 0)
		array_refs(o.f, v);
	fprintf(o.f, "%ld 0 R] >>\nendobj\n", field);
	fflush(o.f);
	xref_at = o.base + (long)o.len;
	fprintf(o.f, "xref\n0 1\n0000000000 65535 f \n");
	for (size_t i = 0; i < o.nobj; i++)
		fprintf(o.f, "%ld 1\n%010ld 00000 n \n", o.obj_num[i], o.obj_off[i]);
	fprintf(o.f, "trailer\n<< /Size %ld /Root %ld 0 R ", acro_num + 1, p->root);
	if (p->info)
		fprintf(o.f, "/Info %ld 0 R ", p->info);
	fprintf(o.f, "/Prev %ld >>\nstartxref\n%ld\n%%%%EOF\n", p->startxref, xref_at);
	fclose(o.f);
	/* Signing covers the old file and the update: lay both out as one. */
	unsigned char *all = malloc(p->len + o.len);
	if (!all) {
		free(o.buf);
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	}
	memcpy(all, p->buf, p->len);
	memcpy(all + p->len, o.buf, o.len);
	free(o.buf);
	rc = fill_signature(all, p->len + o.len, p->len + range_at, p->len + contents_at,
	                    sign, ctx, err);
	if (rc == TD_OK)
		rc = write_file(path, all, p->len + o.len, err);
	if (rc == TD_OK)
		sha256_hex(all, p->len + o.len, digest);
	free(all);
	return rc;
}

/* ---- reading signatures back ------------------------------------------------ */

static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* One /ByteRange at s: its four numbers, and the hex of /Contents that
 * lies between the two ranges. */
static int one_sig(const struct pdf_file *p, const char *s, struct pdf_sig *out)
{
	const char *b = (const char *)p->buf;
	long *r = out->range;
	char *end;

	s = strchr(s, '[');
	if (!s)
		return -1;
	s++;
	for (int i = 0; i < 4; i++) {
		r[i] = strtol(s, &end, 10);
		/* Each within the file first: the sums below cannot overflow. */
		if (end == s || r[i] < 0 || (size_t)r[i] > p->len)
			return -1;
		s = end;
	}
	if (r[0] != 0 || r[1] <= 0 || r[2] <= r[1] + 1 ||
	    (size_t)r[2] + (size_t)r[3] > p->len || b[r[1]] != '<' || b[r[2] - 1] != '>')
		return -1;
	out->der_len = (size_t)(r[2] - r[1] - 2) / 2;
	if (!(out->der = malloc(out->der_len + 1)))
		return -1;
	for (size_t i = 0; i < out->der_len; i++) {
		int hi = hexval(b[r[1] + 1 + 2 * i]), lo = hexval(b[r[1] + 2 + 2 * i]);
		if (hi < 0 || lo < 0) {
			free(out->der);
			out->der = NULL;
			return -1;
		}
		out->der[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

int pdf_find_sigs(const struct pdf_file *p, struct pdf_sig **out, size_t *n,
                  struct td_error *err)
{
	const char *b = (const char *)p->buf, *s = b, *e = b + p->len;
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	while ((s = memmem(s, (size_t)(e - s), "/ByteRange", 10)) != NULL) {
		struct pdf_sig sg = { { 0 }, NULL, 0 };
		s += 10;
		/* One that cannot be read is kept, without contents: a bad
		 * signature, not none. */
		if (one_sig(p, s, &sg) < 0)
			memset(&sg, 0, sizeof sg);
		if (*n == cap) {
			struct pdf_sig *m = realloc(*out, (cap = cap ? cap * 2 : 4) * sizeof *m);
			if (!m) {
				free(sg.der);
				pdf_sigs_free(*out, *n);
				return td_error_set(err, TD_ERR_NOMEM, "out of memory");
			}
			*out = m;
		}
		(*out)[(*n)++] = sg;
	}
	return TD_OK;
}

void pdf_sigs_free(struct pdf_sig *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(s[i].der);
	free(s);
}

int pdf_keywords(const struct pdf_file *p, char *out, size_t size)
{
	struct pdf_span info, v;
	size_t n = 0;

	if (!p->info || pdf_object(p, p->info, &info) < 0 ||
	    pdf_dict_get(info, "/Keywords", &v) < 0 || *v.s != '(')
		return -1;
	for (const char *s = v.s + 1; s < v.e - 1 && n + 1 < size; s++) {
		if (*s == '\\' && s + 1 < v.e - 1)
			s++;
		out[n++] = *s;
	}
	out[n] = '\0';
	return 0;
}
