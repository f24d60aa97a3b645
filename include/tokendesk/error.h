/* tokendesk/error.h: how every module reports failure.
 *
 * Functions return 0 (TD_OK) or a negative td_code and, when the caller
 * passes a non-NULL struct td_error, fill it with where and why.  Only
 * main() and the CLI turn codes into exit statuses or print to stderr.
 * A struct td_error owns no heap memory: it can live on the stack and be
 * copied freely. */
#ifndef TOKENDESK_ERROR_H
#define TOKENDESK_ERROR_H

#include <stddef.h>

enum td_code {
	TD_OK = 0,
	TD_ERR_USAGE = -1,     /* caller or user asked for something impossible */
	TD_ERR_DATA = -2,      /* bad input data (a file, a row, a field) */
	TD_ERR_NOTFOUND = -3,  /* no such record */
	TD_ERR_IO = -4,        /* file system or device I/O failed */
	TD_ERR_DB = -5,        /* the registry (SQLite) failed */
	TD_ERR_CONFLICT = -6,  /* the change contradicts what is recorded */
	TD_ERR_PERM = -7,      /* permissions (file mode, owner, allowlist) */
	TD_ERR_TOKEN = -8,     /* PKCS#11 module or token failure */
	TD_ERR_PIN = -9,       /* wrong, locked or refused PIN */
	TD_ERR_NOMEM = -10,
	TD_ERR_INTERNAL = -11, /* a bug: an invariant did not hold */
	TD_ERR_CANCELLED = -12, /* the operator said no */
	TD_ERR_CREATE = -13,   /* an output refused: a link, a device, a folder
	                        * not the user's (exit 73, EX_CANTCREAT) */
	TD_ERR_BUSY = -14      /* another writer held the registry past the
	                        * wait: try again later (exit 75) */
};

/* file, field and message are UTF-8 cut between characters, with
 * control characters written out (ESC as \x1b, U+009B as \u009b):
 * they quote what was refused, and are printed to terminals as is. */
struct td_error {
	int code;           /* a td_code; TD_OK when nothing went wrong */
	char file[256];     /* input file concerned, or "" */
	long line;          /* 1-based line in file, or 0 */
	char field[64];     /* column / attribute concerned, or "" */
	char message[512];  /* one human sentence, no trailing newline */
};

/* Reset *e to "no error".  NULL is allowed. */
void td_error_clear(struct td_error *e);

/* Fill *e (if non-NULL) and return code, so callers can write
 * `return td_error_set(err, TD_ERR_DATA, "bad %s", x);`. */
int td_error_set(struct td_error *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Same, with a position in an input file.  file/field may be NULL. */
int td_error_set_at(struct td_error *e, int code, const char *file, long line,
                    const char *field, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* A message format in the operator's language (gettext, when a
 * catalogue is bound; fmt itself otherwise).  td_error_set and
 * td_error_set_at translate their format with it. */
const char *td_error_translate(const char *fmt);

/* Render as "FILE:LINE: FIELD: message" (parts that are empty omitted)
 * into buf; always NUL-terminates. Returns buf. */
char *td_error_format(const struct td_error *e, char *buf, size_t size);

/* Short stable name of a code ("data", "not-found", ...), for JSON. */
const char *td_error_code_name(int code);

/* A bounded list of errors, for validating a whole file before giving up.
 * Keeps the first `limit` errors but counts all of them. */
struct td_error_list {
	struct td_error *items;
	size_t count;   /* kept */
	size_t total;   /* seen, >= count */
	size_t limit;   /* most kept */
};

void td_error_list_init(struct td_error_list *l, size_t limit);
void td_error_list_free(struct td_error_list *l);
/* Append a copy of *e (counts it even when over the limit). */
void td_error_list_add(struct td_error_list *l, const struct td_error *e);

/* What a library prints on stderr itself, caught for the length of a
 * call: libxlsxwriter writes its own "[ERROR]" lines (with temporary file
 * names) to fd 2, beside tokendesk's message or across the desk's screen.
 * begin points fd 2 at a non-blocking pipe (no file system needed: it
 * works on a full disk; what does not fit in the pipe is dropped) and
 * returns 0, or -1 when it could not (fd 2 left as it was).  end puts fd 2
 * back and copies into why[size] the reason the library gave, for
 * tokendesk's own message: the text after "System error = " when there is
 * one (the system's strerror), else "".  Not for threads printing
 * meanwhile: their lines would be caught too. */
struct td_stderr_catch {
	int saved;   /* the real fd 2, or -1 */
	int rd;      /* the pipe's read end, or -1 */
};
int td_stderr_catch_begin(struct td_stderr_catch *c);
void td_stderr_catch_end(struct td_stderr_catch *c, char *why, size_t size);

#endif
