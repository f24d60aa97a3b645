/* fdio.c: td_write_all (tokendesk/fdio.h), for the pipes to the helper
 * processes (the module helper's answers, the PDF helper's input). */
#include <config.h>

#include <errno.h>
#include <unistd.h>

#include "tokendesk/fdio.h"

int td_write_all(int fd, const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n > 0) {
		ssize_t w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w == 0)
			errno = EIO;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}
