/* objects.c: a token's certificate objects read with the module's own
 * PKCS#11 functions, beside libp11.
 *
 * Why: libp11 asks for each attribute of each certificate apart (type,
 * label, id, value: two calls each, size then bytes), and a module like
 * SoftHSM2 re-reads the object's file at every call.  Here the three
 * attributes come in one call for the sizes and one for the bytes, which
 * halved the time `scan` spends in the module per token.  The module is
 * the one libp11 loaded and initialised (same handle: dlopen with
 * RTLD_NOLOAD loads nothing); a module whose function list is not that
 * initialised one (p11-kit's proxy hands each caller its own) is read
 * through libp11 as before. */
#include <config.h>

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include <p11-kit/pkcs11.h>

#include "internal.h"

void *td_module_functions(const char *load_path)
{
	void *h = dlopen(load_path, RTLD_NOW | RTLD_NOLOAD);
	CK_C_GetFunctionList get;
	CK_FUNCTION_LIST_PTR fl = NULL;
	CK_INFO info;

	if (!h)
		return NULL;
	*(void **)&get = dlsym(h, "C_GetFunctionList");
	if (!get || get(&fl) != CKR_OK || !fl || fl->C_GetInfo(&info) != CKR_OK)
		fl = NULL;
	/* NOLOAD took a reference; libp11 holds its own until it unloads. */
	dlclose(h);
	return fl;
}

enum { A_VALUE, A_LABEL, A_ID, NATTR };

static void attrs_free(CK_ATTRIBUTE *a)
{
	for (int i = 0; i < NATTR; i++) {
		free(a[i].pValue);
		a[i].pValue = NULL;
	}
}

/* Value, label and id of object o: sizes, then bytes.  An attribute the
 * object lacks comes back empty.  0, or -1 when the module fails. */
static int get_attrs(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
                     CK_OBJECT_HANDLE o, CK_ATTRIBUTE *a)
{
	static const CK_ATTRIBUTE_TYPE types[NATTR] = { CKA_VALUE, CKA_LABEL, CKA_ID };
	CK_RV rv;

	for (int i = 0; i < NATTR; i++)
		a[i] = (CK_ATTRIBUTE){ types[i], NULL, 0 };
	rv = f->C_GetAttributeValue(s, o, a, NATTR);
	if (rv != CKR_OK && rv != CKR_ATTRIBUTE_TYPE_INVALID &&
	    rv != CKR_ATTRIBUTE_SENSITIVE)
		return -1;
	for (int i = 0; i < NATTR; i++) {
		if (a[i].ulValueLen == CK_UNAVAILABLE_INFORMATION ||
		    a[i].ulValueLen > (1u << 24))
			a[i].ulValueLen = 0;
		if (!(a[i].pValue = malloc(a[i].ulValueLen + 1))) {
			attrs_free(a);
			return -1;
		}
	}
	rv = f->C_GetAttributeValue(s, o, a, NATTR);
	if (rv != CKR_OK && rv != CKR_ATTRIBUTE_TYPE_INVALID &&
	    rv != CKR_ATTRIBUTE_SENSITIVE) {
		attrs_free(a);
		return -1;
	}
	for (int i = 0; i < NATTR; i++)
		if (a[i].ulValueLen == CK_UNAVAILABLE_INFORMATION)
			a[i].ulValueLen = 0;
	((char *)a[A_LABEL].pValue)[a[A_LABEL].ulValueLen] = '\0';
	return 0;
}

/* One certificate object into c: parsed from the bytes the token holds
 * (td_cert_parse_der: a value that does not parse is reported
 * malformed), with its label and CKA_ID. */
static int cert_from_attrs(const CK_ATTRIBUTE *a, struct td_snap_cert *c,
                           struct td_error *err)
{
	int rc = td_cert_parse_der(a[A_VALUE].pValue, a[A_VALUE].ulValueLen, c, err);

	if (rc == TD_ERR_NOMEM)
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	c->label = td_tok_strdup_utf8(a[A_LABEL].pValue);
	c->key_id = td_hex(a[A_ID].pValue, a[A_ID].ulValueLen);
	if (!c->label || !c->key_id)
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	return rc;
}

/* The handles of the token's X.509 certificates, in the module's order. */
static int find_certs(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
                      CK_OBJECT_HANDLE **out, size_t *n)
{
	CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
	CK_CERTIFICATE_TYPE type = CKC_X_509;
	CK_ATTRIBUTE tmpl[] = { { CKA_CLASS, &cls, sizeof cls },
	                        { CKA_CERTIFICATE_TYPE, &type, sizeof type } };
	CK_OBJECT_HANDLE *v = NULL;
	CK_ULONG got = 0;
	size_t cap = 0;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (f->C_FindObjectsInit(s, tmpl, 2) != CKR_OK)
		return -1;
	/* Until the module says there are no more (0): fewer than asked
	 * does not mean the last ones. */
	for (;;) {
		if (*n + 16 > cap) {
			CK_OBJECT_HANDLE *w = cap < 4096
			        ? realloc(v, (cap ? cap * 2 : 16) * sizeof *v) : NULL;
			if (!w) {
				rc = -1;
				break;
			}
			v = w;
			cap = cap ? cap * 2 : 16;
		}
		if (f->C_FindObjects(s, v + *n, 16, &got) != CKR_OK || got > 16) {
			rc = -1;
			break;
		}
		if (got == 0)
			break;
		*n += got;
	}
	f->C_FindObjectsFinal(s);
	if (rc != 0) {
		free(v);
		*n = 0;
		return -1;
	}
	*out = v;
	return 0;
}

int td_objects_certs(const struct td_module *m, unsigned long slot_id,
                     struct td_snap_token *st, struct td_error *err)
{
	CK_FUNCTION_LIST_PTR f = m->funcs;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE *h = NULL;
	size_t n = 0;
	int rc = 0;

	if (f->C_OpenSession(slot_id, CKF_SERIAL_SESSION, NULL, NULL, &s) != CKR_OK)
		return td_error_set(err, TD_ERR_TOKEN,
		                    "cannot read the objects of token %s", st->serial);
	if (find_certs(f, s, &h, &n) != 0)
		rc = td_error_set(err, TD_ERR_TOKEN,
		                  "cannot read the objects of token %s", st->serial);
	if (rc == 0 && n && !(st->certs = calloc(n, sizeof *st->certs)))
		rc = td_error_set(err, TD_ERR_NOMEM, "out of memory");
	for (size_t i = 0; rc == 0 && i < n; i++) {
		CK_ATTRIBUTE a[NATTR];
		if (get_attrs(f, s, h[i], a) != 0) {
			rc = td_error_set(err, TD_ERR_TOKEN,
			                  "cannot read the objects of token %s", st->serial);
			break;
		}
		rc = cert_from_attrs(a, &st->certs[i], err);
		st->ncerts++;
		attrs_free(a);
	}
	free(h);
	f->C_CloseSession(s);
	return rc;
}
