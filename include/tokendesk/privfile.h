/* tokendesk/privfile.h: the files tokendesk writes for people to carry
 * off (exports, lists, count reports).  They name officials, so they are
 * the owner's alone: mode 0600 whatever the umask, and whatever the mode
 * of an older file of the same name that they replace. */
#ifndef TOKENDESK_PRIVFILE_H
#define TOKENDESK_PRIVFILE_H

#include <fcntl.h>

/* Open path for writing, created or truncated, and make its mode 0600.
 * extra_flags are added to open()'s (O_NOFOLLOW, say).  Returns the
 * descriptor, owned by the caller, or -1 with errno set. */
int td_create_private(const char *path, int extra_flags);

#endif
