/* p11-faulty.so: a PKCS#11 module for tests that wraps a real one
 * (SoftHSM2) and misbehaves as field middleware does, so the desk's
 * survival can be tested:
 *   TD_FAULTY_REAL=PATH     the module wrapped (required)
 *   TD_FAULTY_DELAY_MS=N    every slot, token and object call first
 *                           sleeps N ms (a smart card behind pcscd at its
 *                           worst: the 10 s)
 *   TD_FAULTY_ABORT=FILE    while FILE exists, C_GetSlotList calls abort()
 *                           (a crashing vendor module)
 *   TD_FAULTY_HALF=FILE     while FILE exists, a token is read half, as
 *                           a card pulled while OpenSC reads it: its
 *                           label reads "half read" and C_FindObjects
 *                           finds nothing; each such token read appends
 *                           a line to FILE (the test sees the read)
 *   TD_FAULTY_HALF_LABEL=P  ... only tokens whose label starts with P
 * Only the calls the token layer makes during detection and proof are
 * wrapped; the rest go straight to the real module. */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <p11-kit/pkcs11.h>

static CK_FUNCTION_LIST real_copy, *real;
static CK_FUNCTION_LIST mine;

static void misbehave(int may_abort)
{
	const char *d = getenv("TD_FAULTY_DELAY_MS"), *a = getenv("TD_FAULTY_ABORT");

	if (may_abort && a && access(a, F_OK) == 0)
		abort();
	if (d && atol(d) > 0) {
		long ms = atol(d);
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
		while (nanosleep(&ts, &ts) != 0)
			;
	}
}

static CK_RV w_GetSlotList(CK_BBOOL p, CK_SLOT_ID_PTR l, CK_ULONG_PTR n)
{
	misbehave(1);
	return real->C_GetSlotList(p, l, n);
}

static CK_RV w_GetSlotInfo(CK_SLOT_ID s, CK_SLOT_INFO_PTR i)
{
	misbehave(0);
	return real->C_GetSlotInfo(s, i);
}

/* Set by each slot's last C_GetTokenInfo: the objects read after it
 * are read half too, so one scan of a token is half or whole throughout
 * (libp11 reads every slot's token info, then the objects). */
static struct { CK_SLOT_ID slot; int half; } halves[32];

static int *half_of(CK_SLOT_ID s)
{
	size_t i = 0;

	while (i < 31 && halves[i].slot != s && halves[i].slot != 0)
		i++;
	halves[i].slot = s;
	return &halves[i].half;
}

static CK_RV w_GetTokenInfo(CK_SLOT_ID s, CK_TOKEN_INFO_PTR i)
{
	const char *f = getenv("TD_FAULTY_HALF"), *only = getenv("TD_FAULTY_HALF_LABEL");
	FILE *fp = NULL;
	CK_RV rv;
	int *half = half_of(s);

	misbehave(0);
	rv = real->C_GetTokenInfo(s, i);
	*half = rv == CKR_OK && f &&
	        (!only || strncmp((const char *)i->label, only, strlen(only)) == 0) &&
	        (fp = fopen(f, "r+")) != NULL;
	if (*half) {
		memset(i->label, ' ', sizeof i->label);
		memcpy(i->label, "half read", 9);
		fseek(fp, 0, SEEK_END);
		fputs("read half\n", fp);
		fclose(fp);
	}
	return rv;
}

static CK_RV w_FindObjects(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE_PTR o,
                           CK_ULONG max, CK_ULONG_PTR n)
{
	CK_RV rv = real->C_FindObjects(h, o, max, n);
	CK_SESSION_INFO si;

	if (rv == CKR_OK && real->C_GetSessionInfo(h, &si) == CKR_OK &&
	    *half_of(si.slotID))
		*n = 0;
	return rv;
}

static CK_RV w_OpenSession(CK_SLOT_ID s, CK_FLAGS f, CK_VOID_PTR a, CK_NOTIFY n,
                           CK_SESSION_HANDLE_PTR h)
{
	misbehave(0);
	return real->C_OpenSession(s, f, a, n, h);
}

static CK_RV w_FindObjectsInit(CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR t, CK_ULONG n)
{
	misbehave(0);
	return real->C_FindObjectsInit(h, t, n);
}

static CK_RV w_Login(CK_SESSION_HANDLE h, CK_USER_TYPE u, CK_UTF8CHAR_PTR p, CK_ULONG n)
{
	misbehave(0);
	return real->C_Login(h, u, p, n);
}

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR out)
{
	const char *path = getenv("TD_FAULTY_REAL");
	CK_C_GetFunctionList get;
	CK_FUNCTION_LIST_PTR f = NULL;
	void *h;

	if (!out)
		return CKR_ARGUMENTS_BAD;
	if (!real) {
		if (!path || !(h = dlopen(path, RTLD_NOW | RTLD_LOCAL)) ||
		    !(get = (CK_C_GetFunctionList)dlsym(h, "C_GetFunctionList")) ||
		    get(&f) != CKR_OK)
			return CKR_GENERAL_ERROR;
		real_copy = *f;
		real = &real_copy;
		mine = *f;
		mine.C_GetSlotList = w_GetSlotList;
		mine.C_GetSlotInfo = w_GetSlotInfo;
		mine.C_GetTokenInfo = w_GetTokenInfo;
		mine.C_OpenSession = w_OpenSession;
		mine.C_FindObjectsInit = w_FindObjectsInit;
		mine.C_FindObjects = w_FindObjects;
		mine.C_Login = w_Login;
	}
	*out = &mine;
	return CKR_OK;
}
