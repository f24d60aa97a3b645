/* p11-put-raw: store a certificate object with arbitrary bytes as its
 * value on a token (pkcs11-tool refuses bytes that do not parse), so
 * that tests can put a malformed DER object on a SoftHSM2 token.
 * Usage: p11-put-raw MODULE TOKEN-LABEL ID-HEX LABEL FILE  (PIN on stdin) */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <p11-kit/pkcs11.h>

static CK_FUNCTION_LIST_PTR load(const char *path)
{
	void *h = dlopen(path, RTLD_NOW);
	CK_C_GetFunctionList get;
	CK_FUNCTION_LIST_PTR f = NULL;

	if (!h || !(get = (CK_C_GetFunctionList)dlsym(h, "C_GetFunctionList")) ||
	    get(&f) != CKR_OK || f->C_Initialize(NULL) != CKR_OK)
		return NULL;
	return f;
}

static int find_slot(CK_FUNCTION_LIST_PTR f, const char *label, CK_SLOT_ID *out)
{
	CK_SLOT_ID slots[64];
	CK_ULONG n = 64;

	if (f->C_GetSlotList(CK_TRUE, slots, &n) != CKR_OK)
		return -1;
	for (CK_ULONG i = 0; i < n; i++) {
		CK_TOKEN_INFO ti;
		size_t len = strlen(label);
		if (f->C_GetTokenInfo(slots[i], &ti) == CKR_OK && len <= 32 &&
		    memcmp(ti.label, label, len) == 0 &&
		    (len == 32 || ti.label[len] == ' ')) {
			*out = slots[i];
			return 0;
		}
	}
	return -1;
}

static size_t unhex(const char *s, unsigned char *out, size_t max)
{
	size_t n = 0;

	for (; s[0] && s[1] && n < max; s += 2) {
		unsigned v;
		sscanf(s, "%2x", &v);
		out[n++] = (unsigned char)v;
	}
	return n;
}

static long read_file(const char *path, unsigned char *buf, size_t max)
{
	FILE *fp = fopen(path, "rb");
	long n;

	if (!fp)
		return -1;
	n = (long)fread(buf, 1, max, fp);
	fclose(fp);
	return n;
}

int main(int argc, char **argv)
{
	static unsigned char value[65536], id[64], subject[] = { 0x30, 0x00 };
	char pin[256] = "";
	CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
	CK_CERTIFICATE_TYPE ctype = CKC_X_509;
	CK_BBOOL yes = CK_TRUE;
	CK_FUNCTION_LIST_PTR f;
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE obj;
	long vlen;
	size_t idlen;

	if (argc != 6 || !fgets(pin, sizeof pin, stdin))
		return 2;
	pin[strcspn(pin, "\n")] = '\0';
	idlen = unhex(argv[3], id, sizeof id);
	if ((vlen = read_file(argv[5], value, sizeof value)) < 0 || !(f = load(argv[1])) ||
	    find_slot(f, argv[2], &slot) != 0 ||
	    f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s) != CKR_OK ||
	    f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)pin, strlen(pin)) != CKR_OK)
		return 1;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof cls }, { CKA_CERTIFICATE_TYPE, &ctype, sizeof ctype },
		{ CKA_TOKEN, &yes, sizeof yes }, { CKA_ID, id, idlen },
		{ CKA_LABEL, argv[4], strlen(argv[4]) }, { CKA_SUBJECT, subject, sizeof subject },
		{ CKA_VALUE, value, (CK_ULONG)vlen },
	};
	if (f->C_CreateObject(s, t, sizeof t / sizeof *t, &obj) != CKR_OK)
		return 1;
	f->C_Logout(s);
	f->C_CloseSession(s);
	f->C_Finalize(NULL);
	return 0;
}
