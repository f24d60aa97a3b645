/* tokendesk/secmem.h: the only place a PIN may live.
 *
 * A secure buffer is heap memory that is locked into RAM where the system
 * allows it (mlock; failure is tolerated, e.g. under RLIMIT_MEMLOCK),
 * excluded from core dumps (MADV_DONTDUMP) and wiped with OPENSSL_cleanse
 * before it is returned to the allocator.  While any secure buffer
 * exists, the process dumps no core and cannot be attached to by a
 * debugger of the same user (PR_SET_DUMPABLE 0, RLIMIT_CORE soft limit
 * 0); both are restored when the last one is freed.  Make and free
 * secure buffers from one thread only.  Nothing else in tokendesk may
 * copy a PIN: pass the buffer (or td_secbuf_str() of it) straight to the
 * token layer and free it as soon as the operation is over. */
#ifndef TOKENDESK_SECMEM_H
#define TOKENDESK_SECMEM_H

#include <stddef.h>

#include "tokendesk/error.h"

/* Longest PIN accepted (PKCS#11 tokens use 4..16; SoftHSM2 allows 255). */
#define TD_PIN_MAX 255

struct td_secbuf {
	unsigned char *data; /* cap bytes, always NUL-terminated at len */
	size_t len;          /* bytes in use, not counting the NUL */
	size_t cap;          /* usable bytes, not counting the NUL */
	int locked;          /* 1 when mlock() succeeded */
};

/* A zeroed buffer with room for cap bytes plus a NUL (aligned for any
 * type: a struct may be placed in it).  Core dumps are off from now
 * until the last secure buffer is freed.  Returns NULL and
 * fills err (TD_ERR_NOMEM) on failure.  The caller owns it: release with
 * td_secbuf_free(). */
struct td_secbuf *td_secbuf_new(size_t cap, struct td_error *err);

/* Wipe, unlock and free.  NULL is allowed. */
void td_secbuf_free(struct td_secbuf *b);

/* The contents as a NUL-terminated string, valid until td_secbuf_free().
 * Do not copy it. */
const char *td_secbuf_str(const struct td_secbuf *b);

/* Read a PIN into a new secure buffer (*out, owned by the caller).
 * fd >= 0: read from that descriptor up to the first newline or EOF (for
 * scripts: --pin-fd N); no prompt is written, unless fd is a terminal,
 * which is then read as /dev/tty is.  fd < 0: open /dev/tty,
 * write prompt there, turn echo off (termios) while reading one line and
 * restore it afterwards, also when SIGINT/SIGTERM/SIGTSTP arrive during
 * the read (the signal is re-raised after the terminal is restored).
 * The PIN is read one byte at a time with read(2), so it never passes
 * through stdio buffers.  A trailing "\r\n" or "\n" is dropped.
 * Returns 0; TD_ERR_USAGE for an empty or over-long PIN; TD_ERR_IO when
 * there is no terminal or the read fails; TD_ERR_CANCELLED on EOF before
 * any byte or an interrupting signal. */
int td_pin_read(int fd, const char *prompt, struct td_secbuf **out,
                struct td_error *err);

#endif
