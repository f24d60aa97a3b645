/* remote.h: modules driven from a helper process (src/token only).
 *
 * A PKCS#11 module runs its code in whichever process loads it: one that
 * blocks for seconds in C_GetSlotList would freeze the desk, one that
 * aborts would take the desk and its unsaved batch with it.  So the
 * front ends load no module themselves: each module is driven by a
 * helper process (tokendesk-p11), which receives the module's file as
 * descriptor 3 (the very file td_module_allowed checked, never the path
 * again) and loads it through /proc/PID/fd/3.  The two talk over pipes
 * in frames (wire.c). */
#ifndef TD_TOKEN_REMOTE_H
#define TD_TOKEN_REMOTE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "internal.h"

/* ---- frames (wire.c) --------------------------------------------------- */

/* Requests, parent to helper: one byte, then for 'P' a frame. */
#define TD_REQ_SCAN 'S'     /* scan; answer: 'T' per token, then 'E' */
#define TD_REQ_USB 'U'      /* a USB device came or went: reload a while */
#define TD_REQ_PROVE 'P'    /* prove; answer: 'R' */
#define TD_REQ_SIGN 'C'     /* sign CMS; answer: 'R' with the DER */
/* Answers, helper to parent. */
#define TD_ANS_TOKEN 'T'    /* one token, as soon as it is read */
#define TD_ANS_END 'E'      /* end of a scan: warnings (string) */
#define TD_ANS_RESULT 'R'   /* a proof's result */
#define TD_ANS_FAIL 'X'     /* the module cannot be loaded: message */

/* Largest frame accepted: a token with its certificates. */
#define TD_FRAME_MAX (16u << 20)

struct td_wbuf {
	unsigned char *p;
	size_t n, cap;
	int oom;
};
int td_wbuf_put(struct td_wbuf *b, const void *p, size_t n);
void td_wbuf_u32(struct td_wbuf *b, uint32_t v);
void td_wbuf_u64(struct td_wbuf *b, uint64_t v);
void td_wbuf_blob(struct td_wbuf *b, const void *p, size_t n);
void td_wbuf_str(struct td_wbuf *b, const char *s);
void td_wbuf_begin(struct td_wbuf *b, char kind);
int td_wbuf_end(struct td_wbuf *b);
void td_wbuf_free(struct td_wbuf *b);

struct td_rd {
	const unsigned char *p;
	size_t n, off;
	int bad;
};
int td_rd_u32(struct td_rd *r, uint32_t *v);
int td_rd_u64(struct td_rd *r, uint64_t *v);
int td_rd_blob(struct td_rd *r, const unsigned char **p, size_t *n);
char *td_rd_str(struct td_rd *r);

void td_wire_put_token(struct td_wbuf *b, const struct td_snap_token *t);
/* A new token (one reference) of module, or NULL on a bad frame. */
struct td_snap_token *td_wire_get_token(struct td_rd *r, const char *module);
void td_wire_put_pop(struct td_wbuf *b, int rc, const struct td_error *err,
                     const struct td_pop_result *res);
int td_wire_get_pop(struct td_rd *r, struct td_error *err,
                    struct td_pop_result *res);

/* ---- helpers (remote.c) ------------------------------------------------ */

struct td_helper {
	pid_t pid;
	int to, from;            /* request pipe (write end), answers (read end) */
	struct td_wbuf in;       /* bytes read, not yet a whole frame */
	char *module;            /* path, as given */
	char *name;              /* for the operator: "SafeNet", "libfoo.so" */
	int dead;                /* EOF seen; see status */
	int status;              /* waitpid status once dead */
	/* scans (the watcher's) */
	int busy;                /* a scan was asked and its 'E' not read */
	int scans;               /* complete scans received */
	struct td_snap_token **building;
	size_t nbuilding;
	struct td_snap_token **latest;  /* the last complete scan */
	size_t nlatest;
	char *warnings;          /* of the last complete scan, or NULL */
	char *fail;              /* 'X' message, or NULL */
};

/* Start a helper for module m of t.  Returns NULL and fills err. */
struct td_helper *td_helper_spawn(const struct td_tokens *t,
                                  const struct td_module *m,
                                  struct td_error *err);
/* Close the pipes, end the process (SIGKILL when it does not leave at
 * once: it may be stuck in the module), reap it, free.  NULL allowed. */
void td_helper_free(struct td_helper *h);
/* Send a one-byte request; -1 when the helper is gone. */
int td_helper_ask(struct td_helper *h, char req);

/* Called for each whole frame read by td_helper_pump. */
typedef void (*td_frame_fn)(struct td_helper *h, char kind, struct td_rd *r,
                            void *ctx);
/* Read what is there (wait up to timeout_ms for the first byte; -1
 * forever) and hand each whole frame to fn.  Returns 0, or -1 when the
 * helper has gone (EOF: h->dead, h->status set). */
int td_helper_pump(struct td_helper *h, int timeout_ms, td_frame_fn fn,
                   void *ctx);

/* The sentence for a helper that went away: "the SafeNet module
 * stopped (signal 6)". */
void td_helper_death(const struct td_helper *h, char *buf, size_t size);

/* A short name of module path for the operator: the vendor of the
 * usb-tokens.tsv rows whose module names that library when they are all
 * one vendor's, else the file's name (opensc-pkcs11.so serves several). */
void td_module_name(const struct td_tokens *t, const char *path, char *buf,
                    size_t size);

/* Scan and prove through helpers (remote.c), for the td_tokens_* calls
 * when t->remote. */
int td_remote_scan(struct td_tokens *t, int list_usb, td_scan_token_fn fn,
                   void *ctx, struct td_snap **out, struct td_error *err);
int td_remote_prove(struct td_tokens *t, const char *serial, const char *module,
                    const char *cert_serial, const struct td_secbuf *pin,
                    int force, struct td_pop_result *res, struct td_error *err);
int td_remote_sign(struct td_tokens *t, const char *serial, const char *cert_serial,
                   const struct td_secbuf *pin, int force,
                   const unsigned char *data, size_t len, int detached,
                   unsigned char **der, size_t *der_len,
                   struct td_pop_result *res, struct td_error *err);

#endif
