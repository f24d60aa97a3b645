/* libexec.h: where tokendesk's helper programs are.
 *
 * tokendesk-full and tokendesk-pdf live beside `tokendesk` in a build
 * tree (or an unpacked tarball) and in $(pkglibexecdir) once installed. */
#ifndef TOKENDESK_LIBEXEC_H
#define TOKENDESK_LIBEXEC_H

#include <stddef.h>

/* out = the program name beside the running program when that one is
 * executable, else under the configured pkglibexecdir. */
void td_libexec_path(const char *name, char *out, size_t size);

#endif
