/* record_json.c: a handover record as JSON, to hand it to the PDF helper
 * program (tokendesk-pdf) over a pipe. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "workflow/record_internal.h"

static void put(json_t *o, const char *key, const char *value)
{
	json_object_set_new(o, key, value ? json_string(value) : json_null());
}

static char *take(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? strdup(s) : NULL;
}

/* The string fields of an item, by key, in one table for both ways. */
#define ITEM_FIELDS(X) X(key) X(detail) X(from) X(from_name) X(holders) \
	X(certs) X(state_before) X(state_after) X(condition) X(remarks) \
	X(proof) X(proof_detail)
#define RECORD_FIELDS(X) X(number) X(kind) X(at) X(date) X(place) \
	X(operator_name) X(from) X(from_name) X(to) X(to_name) X(condition) \
	X(remarks)

json_t *td_record_to_json(const struct td_record *r)
{
	json_t *o = json_object(), *items = json_array();

	json_object_set_new(o, "id", json_integer(r->id));
#define PUT_R(f) put(o, #f, r->f);
	RECORD_FIELDS(PUT_R)
	for (size_t i = 0; i < r->nitems; i++) {
		const struct td_record_item *it = &r->items[i];
		json_t *io = json_object();
#define PUT_I(f) put(io, #f, it->f);
		ITEM_FIELDS(PUT_I)
		json_array_append_new(items, io);
	}
	json_object_set_new(o, "items", items);
	return o;
}

int td_record_from_json(json_t *o, struct td_record *out, struct td_error *err)
{
	json_t *items = json_object_get(o, "items"), *io;
	size_t i;

	memset(out, 0, sizeof *out);
	if (!json_is_object(o) || !json_is_array(items))
		return td_error_set(err, TD_ERR_DATA, "not a handover record");
	out->id = json_integer_value(json_object_get(o, "id"));
#define TAKE_R(f) out->f = take(o, #f);
	RECORD_FIELDS(TAKE_R)
	out->items = calloc(json_array_size(items) + 1, sizeof *out->items);
	if (!out->items)
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	json_array_foreach(items, i, io) {
		struct td_record_item *it = &out->items[i];
#define TAKE_I(f) it->f = take(io, #f);
		ITEM_FIELDS(TAKE_I)
		out->nitems++;
	}
	return TD_OK;
}
