/* pdf_main.c: tokendesk-pdf PATH: render the handover record read as
 * JSON on standard input (or the Decree 68 forms: {"document": "forms"},
 * then their models and rows a line each, form_pdf.c) into PATH, "-" for
 * standard output, which is
 * how tokendesk runs it (see record_spawn.c for why this is a program
 * of its own).  Exit 0, 74 (I/O: the message says which file),
 * 64 (PATH may not be written: a registry), or 70 (anything else); the
 * message goes to standard error. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <jansson.h>

#include "workflow/forms_internal.h"
#include "workflow/record_internal.h"

/* tokendesk-pdf --sigbox W H PATH LINE...: a signature box's picture
 * (pdf_sign.c draws it into the signature's appearance). */
static int sigbox(int argc, char **argv)
{
	struct td_error err;
	int w, h;

	if (argc < 6 || (w = atoi(argv[2])) <= 0 || (h = atoi(argv[3])) <= 0 ||
	    w > 4000 || h > 4000) {
		fprintf(stderr, "usage: tokendesk-pdf --sigbox W H PATH LINE...\n");
		return EX_USAGE;
	}
	if (td_record_render_sigbox((const char *const *)argv + 5, (size_t)argc - 5, w,
	                            h, argv[4], &err) == TD_OK)
		return EX_OK;
	fprintf(stderr, "%s\n", err.message);
	return EX_IOERR;
}

int main(int argc, char **argv)
{
	struct td_record r;
	struct td_error err;
	json_error_t jerr;
	json_t *o;
	char *qr;
	int rc;

	if (argc > 1 && strcmp(argv[1], "--sigbox") == 0)
		return sigbox(argc, argv);
	if (argc != 2) {
		fprintf(stderr, "usage: tokendesk-pdf PATH < record.json "
		        "(run by tokendesk receipt --pdf)\n");
		return EX_USAGE;
	}
	/* the first value only: the forms' models and rows follow it */
	o = json_loadf(stdin, JSON_DISABLE_EOF_CHECK, &jerr);
	if (!o) {
		fprintf(stderr, "tokendesk-pdf: not a record: %s\n", jerr.text);
		return EX_SOFTWARE;
	}
	if (json_is_string(json_object_get(o, "document")) &&
	    strcmp(json_string_value(json_object_get(o, "document")), "forms") == 0) {
		rc = td_forms_render_pdf(o, stdin, argv[1], &err);
		json_decref(o);
		goto done;
	}
	rc = td_record_from_json(o, &r, &err);
	qr = json_string_value(json_object_get(o, "qr"))
	     ? strdup(json_string_value(json_object_get(o, "qr"))) : NULL;
	json_decref(o);
	if (rc == TD_OK)
		rc = td_record_render_pdf(&r, qr, argv[1], &err);
	free(qr);
	td_record_clear(&r);
done:
	if (rc == TD_OK)
		return EX_OK;
	fprintf(stderr, "%s\n", err.message);
	return rc == TD_ERR_IO ? EX_IOERR : rc == TD_ERR_USAGE ? EX_USAGE :
	       rc == TD_ERR_CREATE ? EX_CANTCREAT : EX_SOFTWARE;
}
