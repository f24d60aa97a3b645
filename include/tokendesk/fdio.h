/* fdio.h: whole writes on file descriptors (src/util/fdio.c). */
#ifndef TOKENDESK_FDIO_H
#define TOKENDESK_FDIO_H

#include <stddef.h>

/* Write all n bytes of p to fd, going on after a short write and after
 * EINTR.  0 when all were written; -1 otherwise, with errno from the
 * failing write (EPIPE when the reader has gone: the caller decides
 * whether SIGPIPE may kill it, by ignoring the signal or not).  A write
 * that returns 0 counts as a failure, not a reason to loop forever. */
int td_write_all(int fd, const void *p, size_t n);

#endif
