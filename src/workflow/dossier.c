/* dossier.c: request dossiers (Decree 68 kinds) and registering one. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "tokendesk/handover.h"
#include "tokendesk/registry.h"
#include "registry/txn.h"
#include "tokendesk/text.h"

static const struct {
	const char *kind, *label;
} kinds[] = {
	{ "new_issue", "Cấp mới" },
	{ "renewal", "Gia hạn" },
	{ "info_change", "Thay đổi nội dung thông tin" },
	{ "token_recovery", "Khôi phục thiết bị lưu khóa bí mật" },
};

int td_dossier_kind_valid(const char *kind)
{
	for (size_t i = 0; kind && i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(kind, kinds[i].kind) == 0)
			return 1;
	return 0;
}

const char *td_dossier_kind_label(const char *kind)
{
	for (size_t i = 0; kind && i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(kind, kinds[i].kind) == 0)
			return kinds[i].label;
	return kind;
}

int td_dossier_add(struct td_registry *reg, const char *ref, const char *kind,
                   const char *agency_code, const char *holder_id,
                   const char *remarks, struct td_error *err)
{
	struct td_dossier d = { 0 };
	char *nref, *nremarks = NULL;
	const char *problem, *field;
	int rc;

	if (!td_dossier_kind_valid(kind))
		return td_error_set(err, TD_ERR_USAGE, "unknown dossier kind \"%s\" "
		                    "(new_issue, renewal, info_change, token_recovery)",
		                    kind ? kind : "");
	if (!ref || !*ref || !(nref = td_nfc(ref)))
		return td_error_set(err, TD_ERR_USAGE, "a dossier needs a reference");
	td_trim(nref);
	if (!*nref || (remarks && *remarks && !(nremarks = td_nfc(remarks)))) {
		free(nref);
		return td_error_set(err, TD_ERR_USAGE, "bad dossier reference or remarks");
	}
	field = "reference";
	if (!(problem = td_typed_text_problem(nref)) && nremarks) {
		field = "remarks";
		problem = td_typed_text_problem(nremarks);
	}
	if (problem) {
		rc = td_error_set(err, TD_ERR_USAGE, "%s: %s", field, problem);
		free(nref);
		free(nremarks);
		return rc;
	}
	d.ref = nref;
	d.kind = (char *)kind;
	d.agency_code = (char *)agency_code;
	d.holder_id = (char *)holder_id;
	d.remarks = nremarks;
	if ((rc = td_reg_begin(reg, err)) == TD_OK)
		rc = td_reg_end(reg, td_reg_add_dossier(reg, &d, err), err);
	free(nref);
	free(nremarks);
	return rc;
}
