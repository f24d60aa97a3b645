/* libexec.c: td_libexec_path (tokendesk/libexec.h). */
#include <config.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tokendesk/libexec.h"

#ifndef TD_PKGLIBEXECDIR
#define TD_PKGLIBEXECDIR "/usr/local/libexec/tokendesk"
#endif

void td_libexec_path(const char *name, char *out, size_t size)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	char *slash;

	if (n > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/'))) {
			*slash = '\0';
			snprintf(out, size, "%s/%s", self, name);
			if (access(out, X_OK) == 0)
				return;
		}
	}
	snprintf(out, size, "%s/%s", TD_PKGLIBEXECDIR, name);
}
