/* json.c: registry records as jansson objects. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>

#include "cli/json.h"

json_t *td_json_str(const char *s)
{
	return s ? json_string(s) : json_null();
}

#define SET(o, k, v) json_object_set_new((o), (k), td_json_str(v))

json_t *td_json_agency(const struct td_agency *a)
{
	json_t *o = json_object();

	SET(o, "code", a->code);
	SET(o, "name", a->name);
	SET(o, "parent_code", a->parent_code);
	SET(o, "level", a->level);
	SET(o, "valid_from", a->valid_from);
	SET(o, "valid_to", a->valid_to);
	return o;
}

json_t *td_json_cert(const struct td_cert *c)
{
	json_t *o = json_object();

	SET(o, "serial", c->serial);
	SET(o, "kind", c->kind);
	SET(o, "status", c->status);
	SET(o, "holder_id", c->holder_ext_id);
	SET(o, "holder_name", c->holder_name);
	SET(o, "agency_code", c->agency_code);
	SET(o, "subject_dn", c->subject_dn);
	SET(o, "issuer_dn", c->issuer_dn);
	SET(o, "not_before", c->not_before);
	SET(o, "not_after", c->not_after);
	SET(o, "revoked_at", c->revoked_at);
	SET(o, "token_serial", c->token_serial);
	SET(o, "fingerprint", c->fingerprint);
	return o;
}

json_t *td_json_token(const struct td_token *t)
{
	json_t *o = json_object();

	SET(o, "serial", t->serial);
	SET(o, "model", t->model);
	SET(o, "state", t->state);
	SET(o, "custodian", t->custodian);
	SET(o, "custodian_name", t->custodian_name);
	return o;
}

json_t *td_json_custody(const struct td_custody_event *e)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_integer(e->id));
	if (e->handover_id)
		json_object_set_new(o, "handover", json_integer(e->handover_id));
	SET(o, "at", e->at);
	SET(o, "operator", e->operator_name);
	SET(o, "from", e->from_custodian);
	SET(o, "to", e->to_custodian);
	SET(o, "state", e->state);
	SET(o, "condition", e->condition);
	SET(o, "remarks", e->remarks);
	if (e->conflict_id)
		json_object_set_new(o, "conflict",
		                    json_pack("{sIss}", "id", (json_int_t)e->conflict_id,
		                              "status", e->conflict_status));
	if (e->superseded_conflict)
		json_object_set_new(o, "superseded",
		                    json_pack("{sIssssss}", "conflict",
		                              (json_int_t)e->superseded_conflict,
		                              "choice", e->superseded_choice,
		                              "by", e->superseded_by ? e->superseded_by : "",
		                              "at", e->superseded_at ? e->superseded_at : ""));
	return o;
}

void td_json_print(json_t *v)
{
	char *s = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	if (s) {
		puts(s);
		free(s);
	}
}
