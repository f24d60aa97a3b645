/* privfile.c: creating a file only its owner may read. */
#include <config.h>

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tokendesk/privfile.h"

int td_create_private(const char *path, int extra_flags)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | extra_flags,
	              0600);

	/* The mode given to open() only holds for a file it creates: an
	 * export written over last week's 0644 one would stay 0644. */
	if (fd >= 0 && fchmod(fd, 0600) < 0) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}
