/* record_spawn.c: td_record_write_pdf, by the helper program
 * tokendesk-pdf.  The PDF needs pango and cairo, and with them some forty
 * shared libraries that every other command would load and relocate at
 * start (about ten milliseconds a command); only this path pays for them
 * now.  The record goes to the helper as JSON on its standard input, the
 * PDF comes out of its standard output into the file opened here; the
 * helper's exit status and message come back. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include <jansson.h>

#include "tokendesk/fdio.h"
#include "tokendesk/libexec.h"
#include "tokendesk/outfile.h"
#include "workflow/forms_internal.h"
#include "workflow/record_internal.h"

extern char **environ;

/* $TOKENDESK_PDF_HELPER, else beside the running program (a build tree,
 * an unpacked tarball), else where `make install` put it. */
static void helper_path(char *out, size_t size)
{
	const char *env = getenv("TOKENDESK_PDF_HELPER");

	if (env && *env)
		snprintf(out, size, "%s", env);
	else
		td_libexec_path("tokendesk-pdf", out, size);
}

static void read_message(int fd, char *buf, size_t size)
{
	size_t n = 0;
	ssize_t r;

	while (n + 1 < size && (r = read(fd, buf + n, size - 1 - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
}

/* The helper writes the PDF to its standard output: out_fd, the file
 * this process opened and checked (outfile.h), and puts in place once
 * the helper is done; it names no file itself.  out_fd -1: the helper
 * writes where argv says (a signature box's picture, to a file of
 * tokendesk's own making). */
static int spawn_helper(const char *helper, char **argv, int out_fd, int in[2],
                        int msg[2], pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	int rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	if (out_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	posix_spawn_file_actions_adddup2(&fa, msg[1], 2);
	posix_spawn_file_actions_addclose(&fa, in[1]);
	posix_spawn_file_actions_addclose(&fa, msg[0]);
	rc = posix_spawn(pid, helper, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}

/* Run the helper with argv, text on its standard input, its output going
 * to out_fd (-1: as argv says); path names the output in errors. */
static int run_helper(char **argv, const char *text, int out_fd, const char *path,
                      struct td_error *err)
{
	char helper[PATH_MAX + 32], message[512];
	int in[2], msg[2], status = 0, rc, code;
	void (*old_pipe)(int);
	pid_t pid;

	helper_path(helper, sizeof helper);
	if (pipe(in) < 0)
		return td_error_set(err, TD_ERR_IO, "pipe: %s", strerror(errno));
	if (pipe(msg) < 0) {
		close(in[0]);
		close(in[1]);
		return td_error_set(err, TD_ERR_IO, "pipe: %s", strerror(errno));
	}
	rc = spawn_helper(helper, argv, out_fd, in, msg, &pid);
	close(in[0]);
	close(msg[1]);
	if (rc != 0) {
		close(in[1]);
		close(msg[0]);
		return td_error_set(err, TD_ERR_INTERNAL, "cannot run the PDF helper %s: %s",
		                    helper, strerror(rc));
	}
	old_pipe = signal(SIGPIPE, SIG_IGN);
	/* a helper that died early shows as EPIPE: its message says why */
	td_write_all(in[1], text, strlen(text));
	close(in[1]);
	signal(SIGPIPE, old_pipe);
	read_message(msg[0], message, sizeof message);
	close(msg[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return TD_OK;
	code = !WIFEXITED(status) ? TD_ERR_INTERNAL
	       : WEXITSTATUS(status) == EX_IOERR ? TD_ERR_IO
	       : WEXITSTATUS(status) == EX_CANTCREAT ? TD_ERR_CREATE
	       : WEXITSTATUS(status) == EX_USAGE ? TD_ERR_USAGE : TD_ERR_INTERNAL;
	return td_error_set_at(err, code, path, 0, NULL, "%s",
	                       message[0] ? message : "the PDF helper failed");
}

/* The record as the helper reads it: its JSON and the QR code's text. */
static char *record_text(const struct td_record *r, struct td_error *err)
{
	char qr[128], *text;
	json_t *o;

	if (td_record_qr_text(r, qr, sizeof qr, err) < 0)
		return NULL;
	if ((o = td_record_to_json(r)))
		json_object_set_new(o, "qr", json_string(qr));
	text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (!text)
		td_error_set(err, TD_ERR_NOMEM, "out of memory");
	return text;
}

/* Run the helper over text (taken: freed here), its PDF written whole
 * into path in dir (NULL: path as named) through td_outfile. */
static int helper_to_file(char *text, const struct td_outdir *dir, const char *path,
                          struct td_error *err)
{
	char *argv[] = { (char *)"tokendesk-pdf", (char *)"-", NULL };
	struct td_outfile out;
	int rc;

	if (!text)
		return err->code;
	if ((rc = td_outfile_open_in(&out, dir, path, err)) < 0) {
		free(text);
		return rc;
	}
	/* what stdio holds goes before the helper's bytes */
	if (fflush(out.f) != 0)
		rc = td_error_set_at(err, TD_ERR_IO, path, 0, NULL, "writing: %s",
		                     strerror(errno));
	else
		rc = run_helper(argv, text, fileno(out.f), out.path, err);
	free(text);
	if (rc < 0) {
		td_outfile_abandon(&out);
		return rc;
	}
	return td_outfile_commit(&out, err);
}

/* ---- the helper fed as it goes (the forms: forms.c) ----------------------- */

struct td_pdf_stream {
	struct td_outfile out;
	FILE *in;             /* the helper's standard input */
	int msg;              /* its standard error: a memory file, read at
	                       * the end (a pipe could fill while we write) */
	pid_t pid;
	void (*old_pipe)(int);
};

struct td_pdf_stream *td_pdf_stream_start(const char *path, FILE **in,
                                          struct td_error *err)
{
	char helper[PATH_MAX + 32];
	char *argv[] = { (char *)"tokendesk-pdf", (char *)"-", NULL };
	struct td_pdf_stream *s = calloc(1, sizeof *s);
	posix_spawn_file_actions_t fa;
	int p[2] = { -1, -1 }, rc;

	if (!s) {
		td_error_set(err, TD_ERR_NOMEM, "out of memory");
		return NULL;
	}
	if (td_outfile_open(&s->out, path, err) < 0) {
		free(s);
		return NULL;
	}
	helper_path(helper, sizeof helper);
	if (fflush(s->out.f) != 0 || pipe2(p, O_CLOEXEC) < 0 ||
	    (s->msg = memfd_create("tokendesk-pdf-message", MFD_CLOEXEC)) < 0) {
		td_error_set_at(err, TD_ERR_IO, path, 0, NULL, "%s", strerror(errno));
		goto fail;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[0], 0);
	posix_spawn_file_actions_adddup2(&fa, fileno(s->out.f), 1);
	posix_spawn_file_actions_adddup2(&fa, s->msg, 2);
	rc = posix_spawn(&s->pid, helper, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(p[0]);
	p[0] = -1;
	if (rc != 0) {
		td_error_set(err, TD_ERR_INTERNAL, "cannot run the PDF helper %s: %s",
		             helper, strerror(rc));
		goto fail;
	}
	if (!(s->in = fdopen(p[1], "w"))) {
		td_error_set(err, TD_ERR_NOMEM, "out of memory");
		goto fail_child;
	}
	/* a helper that died shows as a failed write, not as a signal */
	s->old_pipe = signal(SIGPIPE, SIG_IGN);
	*in = s->in;
	return s;
fail_child:
	kill(s->pid, SIGTERM);
	while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR)
		;
fail:
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	if (s->msg > 0)
		close(s->msg);
	td_outfile_abandon(&s->out);
	free(s);
	return NULL;
}

int td_pdf_stream_finish(struct td_pdf_stream *s, int ok, struct td_error *err)
{
	char message[512] = "";
	int status = 0, rc = TD_OK;
	ssize_t n;

	if (fclose(s->in) != 0)
		ok = 0;
	if (!ok)
		kill(s->pid, SIGTERM);
	while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR)
		;
	signal(SIGPIPE, s->old_pipe);
	if ((n = pread(s->msg, message, sizeof message - 1, 0)) > 0) {
		message[n] = '\0';
		message[strcspn(message, "\n")] = '\0';
	}
	close(s->msg);
	if (ok && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		rc = td_error_set_at(err, WIFEXITED(status) && WEXITSTATUS(status) == EX_IOERR
		                     ? TD_ERR_IO : TD_ERR_INTERNAL, s->out.path, 0, NULL,
		                     "%s", message[0] ? message : "the PDF helper failed");
	if (ok && rc == TD_OK)
		rc = td_outfile_commit(&s->out, err);
	else
		td_outfile_abandon(&s->out);
	free(s);
	return ok ? rc : TD_ERR_IO;
}

int td_record_write_pdf(const struct td_record *r, const struct td_outdir *dir,
                        const char *path, struct td_error *err)
{
	return helper_to_file(record_text(r, err), dir, path, err);
}

int td_record_spawn_sigbox(const char *const *lines, size_t n, int width,
                           int height, const char *path, struct td_error *err)
{
	char w[16], h[16], *argv[16];
	size_t k = 0;

	if (n > 10)
		return td_error_set(err, TD_ERR_INTERNAL, "too many lines in a box");
	snprintf(w, sizeof w, "%d", width);
	snprintf(h, sizeof h, "%d", height);
	argv[k++] = (char *)"tokendesk-pdf";
	argv[k++] = (char *)"--sigbox";
	argv[k++] = w;
	argv[k++] = h;
	argv[k++] = (char *)path;
	for (size_t i = 0; i < n; i++)
		argv[k++] = (char *)lines[i];
	argv[k] = NULL;
	return run_helper(argv, "", -1, path, err);
}
