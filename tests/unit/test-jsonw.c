/* test-jsonw.c: the streaming JSON writer's output parses, with jansson,
 * back to exactly the strings written: quotes, backslashes, every
 * control character, Vietnamese and 4-byte UTF-8; NULL members left out;
 * output larger than the buffer. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "check.h"
#include "tokendesk/jsonw.h"

static char *written(void (*fill)(struct td_jsonw *), size_t *len)
{
	char *data = NULL;
	FILE *f = open_memstream(&data, len);
	struct td_jsonw *w = malloc(sizeof *w);

	td_jsonw_init(w, f);
	fill(w);
	CHECK(td_jsonw_flush(w) == 0);
	fclose(f);
	free(w);
	return data;
}

static char controls[33];
static const char *const values[] = {
	"plain", "", "quote \" and backslash \\ and slash /", controls,
	"Nguyễn Thị Đào, Sở Văn hóa\\, Thể thao", "emoji \xF0\x9F\x98\x80 end",
	"C=VN, L=Đông Châu, O=Ủy ban nhân dân tỉnh Đông Châu, CN=\"x\"",
};
#define NVALUES (sizeof values / sizeof values[0])

static void fill_object(struct td_jsonw *w)
{
	char key[8];

	td_jsonw_begin_object(w);
	for (size_t i = 0; i < NVALUES; i++) {
		snprintf(key, sizeof key, "k%zu", i);
		td_jsonw_member(w, key, values[i]);
	}
	td_jsonw_member(w, "absent", NULL);
	td_jsonw_end_object(w);
}

static void fill_big(struct td_jsonw *w)
{
	td_jsonw_raw(w, "[", 1);
	for (int i = 0; i < 5000; i++) {
		if (i)
			td_jsonw_raw(w, ",", 1);
		fill_object(w);
	}
	td_jsonw_raw(w, "]", 1);
}

int main(void)
{
	json_error_t jerr;
	size_t len;
	char key[8];

	for (int c = 1; c < 32; c++)
		controls[c - 1] = (char)c;
	controls[31] = 0x7f;
	char *text = written(fill_object, &len);
	json_t *o = json_loadb(text, len, 0, &jerr);
	CHECK(o != NULL);
	for (size_t i = 0; o && i < NVALUES; i++) {
		snprintf(key, sizeof key, "k%zu", i);
		CHECK_STR(json_string_value(json_object_get(o, key)), values[i]);
	}
	CHECK(o && json_object_get(o, "absent") == NULL);
	CHECK(o && json_object_size(o) == NVALUES);
	CHECK(strstr(text, "\\u001f") != NULL && strstr(text, "\\n") != NULL);
	json_decref(o);
	free(text);

	text = written(fill_big, &len);
	CHECK(len > (1 << 16));   /* crossed the buffer many times */
	o = json_loadb(text, len, 0, &jerr);
	CHECK(o != NULL && json_array_size(o) == 5000);
	CHECK_STR(json_string_value(json_object_get(json_array_get(o, 4999), "k4")),
	          values[4]);
	json_decref(o);
	free(text);
	return check_done("test-jsonw");
}
