/* plan_words.c: the plan's rules in words, for a person: why a
 * certificate, token or dossier gets its action (the letter's sections).
 * English for gettext (the CLI translates it), and Vietnamese as the
 * lists and forms for DOST and the CA are always written. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "tokendesk/plan.h"

#define N_(s) s

static const struct {
	const char *rule, *action;   /* action NULL: any */
	const char *en, *vi;
} sentences[] = {
	{ "merge_new", "change_info",
	  N_("The merged agencies take a new name: this organisation "
	     "certificate takes it (letter 1.1)."),
	  "Các cơ quan hợp nhất thành cơ quan mới với tên mới: chứng "
	  "thư tổ chức này được thay đổi thông tin sang tên mới (văn "
	  "bản mục 1.1)." },
	{ "merge_new", "revoke",
	  N_("The merged agencies take a new name: another of their "
	     "organisation certificates takes it, this one is revoked "
	     "(letter 1.1)."),
	  "Các cơ quan hợp nhất thành cơ quan mới với tên mới: một "
	  "chứng thư tổ chức khác của các cơ quan này nhận tên mới, "
	  "chứng thư này bị thu hồi (văn bản mục 1.1)." },
	{ "merge_keep", "keep",
	  N_("Merged into an agency that keeps its name: its certificate "
	     "stays in use (letter 1.1)."),
	  "Sáp nhập vào cơ quan giữ nguyên tên: chứng thư của cơ quan "
	  "này tiếp tục được sử dụng (văn bản mục 1.1)." },
	{ "merge_keep", "change_info",
	  N_("Merged into an agency that keeps its name, whose DN still "
	     "changes: its information changes (letter 1.1)."),
	  "Sáp nhập vào cơ quan giữ nguyên tên nhưng DN vẫn thay đổi: "
	  "chứng thư phải thay đổi thông tin (văn bản mục 1.1)." },
	{ "merge_keep", "revoke",
	  N_("Merged into another agency that keeps its name: this "
	     "certificate is no longer used and is revoked (letter 1.1)."),
	  "Sáp nhập vào cơ quan khác giữ nguyên tên: chứng thư này "
	  "không còn sử dụng và bị thu hồi (văn bản mục 1.1)." },
	{ "merge_province", "revoke",
	  N_("The province merges into another: the merged province's "
	     "certificate is revoked (letter 1.1)."),
	  "Tỉnh hợp nhất vào tỉnh khác: chứng thư của tỉnh bị hợp nhất "
	  "bị thu hồi (văn bản mục 1.1)." },
	{ "merge_province", "keep",
	  N_("The province merges into another: the receiving province's "
	     "certificate stays in use (letter 1.1)."),
	  "Tỉnh hợp nhất vào tỉnh khác: chứng thư của tỉnh tiếp nhận "
	  "tiếp tục được sử dụng (văn bản mục 1.1)." },
	{ "merge_province", "change_info",
	  N_("The province merges into another: the DN changes (province "
	     "and top agency), so the information changes (letter 1.1)."),
	  "Tỉnh hợp nhất vào tỉnh khác: DN thay đổi (tỉnh và cơ quan "
	  "cấp cao nhất) nên chứng thư phải thay đổi thông tin (văn bản "
	  "mục 1.1)." },
	{ "abolish", NULL,
	  N_("The agency ends as the district level is abolished: its "
	     "certificate is revoked (letter 1.1)."),
	  "Cơ quan chấm dứt hoạt động do không tổ chức cấp huyện: chứng "
	  "thư bị thu hồi (văn bản mục 1.1)." },
	{ "dissolve", NULL,
	  N_("The agency is dissolved: its certificate is revoked (letter "
	     "1.1)."),
	  "Cơ quan bị giải thể: chứng thư bị thu hồi (văn bản mục 1.1)." },
	{ "superior_change", NULL,
	  N_("A superior agency changes, so the DN changes: the "
	     "information changes (letter 1.1)."),
	  "Cơ quan cấp trên thay đổi nên DN thay đổi: chứng thư phải "
	  "thay đổi thông tin (văn bản mục 1.1)." },
	{ "rename", NULL,
	  N_("The agency or a superior is renamed, so the DN changes: the "
	     "information changes (letter 1.1)."),
	  "Cơ quan hoặc cơ quan cấp trên đổi tên nên DN thay đổi: chứng "
	  "thư phải thay đổi thông tin (văn bản mục 1.1)." },
	{ "official_info_change", NULL,
	  N_("The official's agency changes, so the DN changes: the "
	     "information changes (letter 1.2)."),
	  "Cơ quan của cán bộ thay đổi nên DN thay đổi: chứng thư phải "
	  "thay đổi thông tin (văn bản mục 1.2)." },
	{ "transfer", NULL,
	  N_("An updated list moved the official, or renamed or moved the "
	     "agency or a superior, and the issued certificate still names "
	     "the old: the information changes (letter 1.2)."),
	  "Theo danh sách cập nhật, cán bộ đã chuyển cơ quan, hoặc cơ quan "
	  "hay cơ quan cấp trên đã đổi tên hoặc đổi cấp trên, nhưng chứng "
	  "thư đã cấp vẫn ghi thông tin cũ: phải thay đổi nội dung thông "
	  "tin (văn bản mục 1.2)." },
	{ "holder_renamed", NULL,
	  N_("The official's name in an updated list is not the one the "
	     "issued certificate names: the information changes (letter "
	     "1.2)."),
	  "Họ tên cán bộ trong danh sách cập nhật khác với họ tên ghi trên "
	  "chứng thư đã cấp: phải thay đổi nội dung thông tin (văn bản mục "
	  "1.2)." },
	{ "official_no_longer_needed", NULL,
	  N_("The official no longer needs a certificate after the "
	     "reorganization: it is revoked (letter 1.2, 2.2)."),
	  "Cán bộ không còn nhu cầu sử dụng chứng thư sau khi sắp xếp: "
	  "chứng thư bị thu hồi (văn bản mục 1.2, 2.2)." },
	{ "official_agency_ceased", NULL,
	  N_("The official's agency ends and no agency takes its "
	     "officials: the certificate is revoked (letter 1.2)."),
	  "Cơ quan của cán bộ chấm dứt hoạt động và không cơ quan nào "
	  "tiếp nhận cán bộ: chứng thư bị thu hồi (văn bản mục 1.2)." },
	{ "collect_token", NULL,
	  N_("Its certificate is revoked: the token goes to the managing "
	     "agency, then to DOST and the CA (letter 2.1, 2.2)."),
	  "Chứng thư bị thu hồi: token được chuyển về cơ quan quản lý, "
	  "sau đó về Sở KH&CN và CA (văn bản mục 2.1, 2.2)." },
	{ "dossier_handover", NULL,
	  N_("The agency ends: its request dossiers go to the receiving "
	     "agency (letter 3.1, 3.2)."),
	  "Cơ quan chấm dứt hoạt động: hồ sơ đề nghị được bàn giao cho "
	  "cơ quan tiếp nhận (văn bản mục 3.1, 3.2)." },
};

static int find(const char *rule, const char *action)
{
	for (size_t i = 0; rule && i < sizeof sentences / sizeof *sentences; i++)
		if (strcmp(sentences[i].rule, rule) == 0 &&
		    (!sentences[i].action || (action && strcmp(sentences[i].action,
		                                               action) == 0)))
			return (int)i;
	return -1;
}

const char *td_plan_rule_sentence(const char *rule, const char *action)
{
	int i = find(rule, action);

	return i < 0 ? NULL : sentences[i].en;
}

const char *td_plan_rule_sentence_vi(const char *rule, const char *action)
{
	int i = find(rule, action);

	return i < 0 ? NULL : sentences[i].vi;
}

const char *td_plan_action_vi(const char *action)
{
	static const char *const map[][2] = {
		{ "change_info", "thay đổi thông tin" }, { "revoke", "thu hồi" },
		{ "keep", "giữ nguyên" }, { "collect", "thu hồi thiết bị" },
		{ "handover_dossiers", "bàn giao hồ sơ" }, { "renew", "gia hạn" },
		{ "recover_token", "khôi phục thiết bị" }, { "new_issue", "cấp mới" },
	};
	for (size_t i = 0; action && i < sizeof map / sizeof *map; i++)
		if (strcmp(action, map[i][0]) == 0)
			return map[i][1];
	return action;
}

const char *td_plan_reason_vi(const char *rule, const char *action,
                              const char *reason, char *buf, size_t size)
{
	const char *s = td_plan_rule_sentence_vi(rule, action), *at;
	long line;

	if (!s)
		return reason;
	/* the plan line the English reason cites, if any */
	if (reason && (at = strstr(reason, "plan line ")) &&
	    sscanf(at, "plan line %ld", &line) == 1)
		snprintf(buf, size, "%s (phương án, dòng %ld)", s, line);
	else
		snprintf(buf, size, "%s", s);
	return buf;
}
