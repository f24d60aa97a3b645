/* tokendesk/jsonw.h: a streaming JSON writer for very large outputs.
 *
 * jansson (src/cli/json.h) stays the way to build and print JSON; this
 * writer exists for one hot path, `plan show --json` over a national
 * registry, where building and dumping a jansson object per action cost
 * more than computing the plan (measured: 2.2 s of 4.5 s CPU for 330,000
 * actions).  It writes compact objects of string members into a buffer
 * flushed in large blocks.  Strings must be valid UTF-8 (registry text
 * is): bytes >= 0x80 are copied, '"' and '\' and control characters are
 * escaped as RFC 8259 says.  tests/unit/test-jsonw.c checks the output
 * with jansson's parser. */
#ifndef TOKENDESK_JSONW_H
#define TOKENDESK_JSONW_H

#include <stdio.h>
#include <stddef.h>

struct td_jsonw {
	FILE *out;
	int err;          /* a write failed: later calls do nothing */
	int members;      /* members written in the open object */
	size_t len;
	char buf[1 << 16];
};

void td_jsonw_init(struct td_jsonw *w, FILE *out);
/* Raw text (punctuation between values, e.g. "[\n"), not escaped. */
void td_jsonw_raw(struct td_jsonw *w, const char *s, size_t n);
/* A quoted, escaped JSON string. */
void td_jsonw_string(struct td_jsonw *w, const char *s);
void td_jsonw_begin_object(struct td_jsonw *w);
/* "key":"value" in the open object; nothing when value is NULL.  The key
 * is written as given (it must need no escaping). */
void td_jsonw_member(struct td_jsonw *w, const char *key, const char *value);
void td_jsonw_end_object(struct td_jsonw *w);
/* Write out the buffer: 0, or TD_ERR_IO when any write failed. */
int td_jsonw_flush(struct td_jsonw *w);

#endif
