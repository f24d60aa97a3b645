/* gen-province.c: writes an invented provincial master list, agencies.csv
 * and certificates.csv, in the format tokendesk imports.
 *
 *   gen-province --demo [--seed N] [-o DIR]
 *       the demo province "Đông Châu" as of mid-2025, before the district
 *       level is abolished (data/demo/ holds the output of --seed 1);
 *   gen-province --agencies N --certs M [--seed N] [-o DIR]
 *       the same shape at national scale, for benchmarks.
 *
 * Everything is invented.  The output depends only on the options (the
 * PRNG is our own), so the committed demo regenerates byte for byte on
 * any libc.  Rows are streamed; only the agency list is kept in memory,
 * as the certificates need it again.  Serials and ids are unique by
 * construction: each embeds a bijective scramble of a running counter,
 * so no set of used values is needed at any scale. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE  /* getopt_long, strnlen, strtok_r under -std=c11 */
#endif
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define PICK(a) ((a)[rnd(NELEM(a))])
#define STARTS(s, prefix) (strncmp((s), (prefix), strlen(prefix)) == 0)

static __attribute__((format(printf, 1, 2), noreturn)) void die(const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	fputs("gen-province: ", stderr);
	vfprintf(stderr, f, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* snprintf that refuses to truncate: a cut name would be a silent bug. */
static __attribute__((format(printf, 3, 4))) void fmt(char *buf, size_t size,
                                                      const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = vsnprintf(buf, size, f, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size)
		die("internal: string too long: %s", buf);
}

/* ---- randomness --------------------------------------------------------- */

static uint64_t rng_state = 1;  /* --seed */

/* splitmix64: small, fast, and the same everywhere. */
static uint64_t rnd64(void)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static unsigned rnd(size_t n) { return (unsigned)(rnd64() % n); }
static int chance(unsigned percent) { return rnd(100) < percent; }

/* Keys of the bijections, drawn from the seed once. */
static uint64_t key_cert, key_tok28, key_tok32, key_dec, key_cccd;

/* A bijection of [0, 2^bits): xor-shift right and odd multiplies modulo
 * a power of two are both invertible.  Distinct counters thus give
 * distinct, random-looking values. */
static uint64_t mixbits(uint64_t x, unsigned bits, uint64_t key)
{
	const uint64_t m = (1ULL << bits) - 1;

	x = (x ^ key) & m;
	x ^= x >> (bits / 2);
	x = (x * 0xD6E8FEB86659FD93ULL) & m;
	x ^= x >> (bits / 2);
	x = (x * 0x9E3779B97F4A7C15ULL) & m;
	return x ^ (x >> (bits / 2));
}

/* A bijection of [0, n) for n <= 2^bits, by cycle walking. */
static uint64_t permute(uint64_t x, uint64_t n, unsigned bits, uint64_t key)
{
	do
		x = mixbits(x, bits, key);
	while (x >= n);
	return x;
}

/* ---- names -------------------------------------------------------------- */

/* Family names, weighted roughly as they occur in Viet Nam (per mille). */
static const struct weighted { const char *s; unsigned w; } families[] = {
	{"Nguyễn", 380}, {"Trần", 110}, {"Lê", 95}, {"Phạm", 70}, {"Hoàng", 50},
	{"Huỳnh", 40}, {"Phan", 45}, {"Vũ", 40}, {"Võ", 40}, {"Đặng", 25},
	{"Bùi", 25}, {"Đỗ", 20}, {"Hồ", 15}, {"Ngô", 15}, {"Dương", 12}, {"Lý", 8},
};
static const char *const mid_m[] = {"Văn", "Văn", "Hữu", "Đức", "Minh",
	"Thanh", "Quốc", "Công", "Xuân", "Ngọc", "Đình", "Quang"};
static const char *const mid_f[] = {"Thị", "Thị", "Thị", "Ngọc", "Thu",
	"Thanh", "Minh", "Hồng", "Kim", "Phương"};
static const char *const mid2_f[] = {"Thu", "Ngọc", "Hồng", "Thanh", "Kim",
	"Minh", "Diệu", "Bích"};
static const char *const given_m[] = {"Hùng", "Dũng", "Tuấn", "Đạt", "Minh",
	"Nam", "Long", "Hải", "Sơn", "Thắng", "Cường", "Quang", "Khánh", "Phúc",
	"Bình", "Trung", "Hiếu", "Đức", "Huy", "Toàn", "Lộc", "Việt", "Thành",
	"Hưng", "Tâm", "Vinh", "Kiên", "Đông", "Tú", "Phong"};
static const char *const given_f[] = {"Hương", "Lan", "Thảo", "Hà", "Quỳnh",
	"Linh", "Trang", "Mai", "Hạnh", "Yến", "Nhung", "Ngân", "Huyền", "Phương",
	"Thủy", "Oanh", "Duyên", "Hằng", "Nga", "Vân", "Loan", "Anh", "Hoa",
	"Giang", "Thư", "Tâm", "Ly", "Diệp"};

/* Vietnamese letters with marks, by the ASCII letter they fold to. */
static const struct { char base; const char *marked; } folds[] = {
	{'a', "àáảãạăằắẳẵặâầấẩẫậÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ"},
	{'e', "èéẻẽẹêềếểễệÈÉẺẼẸÊỀẾỂỄỆ"}, {'i', "ìíỉĩịÌÍỈĨỊ"},
	{'o', "òóỏõọôồốổỗộơờớởỡợÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ"},
	{'u', "ùúủũụưừứửữựÙÚỦŨỤƯỪỨỬỮỰ"}, {'y', "ỳýỷỹỵỲÝỶỸỴ"}, {'d', "đĐ"},
};

/* ASCII lowercase of s with marks dropped and đ -> d, as a search key
 * or an e-mail address spells it.  A whole UTF-8 sequence can only match
 * another at a character boundary, so strstr is exact. */
static void fold(const char *s, char *out, size_t size)
{
	size_t o = 0;

	while (*s && o + 1 < size) {
		unsigned char c = (unsigned char)*s;
		size_t len = strnlen(s, c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4);
		char ch = 0, u[5] = "";

		if (len == 1) {
			ch = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
		} else {
			memcpy(u, s, len);
			for (size_t i = 0; i < NELEM(folds) && !ch; i++)
				if (strstr(folds[i].marked, u))
					ch = folds[i].base;
		}
		if (ch)
			out[o++] = ch;
		s += len;
	}
	out[o] = '\0';
}

/* Invented place names for the national scale: prefix x suffix, then a
 * number once the 400 pairs are used up.  No two share a syllable. */
static const char *const place_pre[] = {"Đông", "Tây", "Nam", "Bắc", "Tân",
	"An", "Bình", "Phú", "Hòa", "Đại", "Vĩnh", "Kim", "Yên", "Thạch", "Lạc",
	"Đức", "Quảng", "Ngọc", "Cẩm", "Gia"};
static const char *const place_suf[] = {"Châu", "Sơn", "Lộc", "Thành",
	"Phong", "Đồng", "Xuyên", "Hà", "Lâm", "Điền", "Giang", "Thịnh", "Đạo",
	"Tiến", "Quang", "Trung", "Long", "Xá", "Mỹ", "Khê"};

static void place_name(unsigned long i, char *buf, size_t size)
{
	const unsigned long np = NELEM(place_pre) * NELEM(place_suf);
	const char *pre = place_pre[i % NELEM(place_pre)];
	const char *suf = place_suf[(i / NELEM(place_pre)) % NELEM(place_suf)];

	if (i < np)
		fmt(buf, size, "%s %s", pre, suf);
	else
		fmt(buf, size, "%s %s %lu", pre, suf, i / np + 1);
}

/* ---- agencies ----------------------------------------------------------- */

/* What an agency is: decides its level and the positions of its staff. */
enum role { R_PROVINCE, R_OFFICE, R_DEPT, R_INSPECT, R_UNIT_OFFICE, R_DIV,
	R_SUBDEPT, R_CENTER, R_DISTRICT, R_COMMUNE, R_NATION, R__COUNT };

/* Positions by rank ('|'-separated; the last repeats for further staff)
 * and the number of officials with a personal certificate in the demo. */
static const struct role_info {
	const char *level, *positions;
	unsigned char staff_min, staff_max;
} roles[R__COUNT] = {
	[R_PROVINCE] = {"province", "Chủ tịch|Phó Chủ tịch", 4, 4},
	[R_OFFICE] = {"department", "Chánh Văn phòng|Phó Chánh Văn phòng|Văn thư|"
		"Phó Chánh Văn phòng|Chuyên viên", 4, 6},
	[R_DEPT] = {"department", "Giám đốc|Phó Giám đốc", 3, 4},
	[R_INSPECT] = {"department", "Chánh Thanh tra|Phó Chánh Thanh tra|"
		"Thanh tra viên", 3, 3},
	[R_UNIT_OFFICE] = {"division", "Chánh Văn phòng|Văn thư|Kế toán|"
		"Phó Chánh Văn phòng|Chuyên viên", 2, 3},
	[R_DIV] = {"division", "Trưởng phòng|Phó Trưởng phòng|Chuyên viên", 2, 4},
	[R_SUBDEPT] = {"division", "Chi cục trưởng|Phó Chi cục trưởng|Chuyên viên", 2, 3},
	[R_CENTER] = {"other", "Giám đốc|Phó Giám đốc|Viên chức", 2, 3},
	[R_DISTRICT] = {"district", "Chủ tịch|Phó Chủ tịch", 3, 4},
	[R_COMMUNE] = {"commune", "Chủ tịch|Phó Chủ tịch|Văn thư|"
		"Công chức Tài chính - Kế toán|Công chức Văn phòng - Thống kê|"
		"Công chức Tư pháp - Hộ tịch|Công chức Địa chính - Xây dựng|"
		"Công chức Văn hóa - Xã hội", 3, 5},
	[R_NATION] = {"other", "Chuyên viên", 1, 1},
};

struct agency {
	char code[40], name[192], email[64];
	enum role role;
};

struct gen {
	FILE *ag, *ce;
	struct agency *a;
	size_t n, cap;
	int demo;
	const char *domain;        /* of e-mail addresses */
	unsigned long long ncerts, max_certs, npersons;
	char mails[1024][48];      /* demo: addresses given out, kept unique */
	size_t nmails;
};

/* One CSV row; RFC 4180 quotes a field holding , " or a line break. */
static void csv_row(FILE *f, size_t n, const char *const *v)
{
	for (size_t i = 0; i < n; i++) {
		if (strpbrk(v[i], ",\"\r\n")) {
			putc('"', f);
			for (const char *s = v[i]; *s; s++)
				*s == '"' ? fputs("\"\"", f) : putc(*s, f);
			putc('"', f);
		} else {
			fputs(v[i], f);
		}
		putc(i + 1 < n ? ',' : '\n', f);
	}
}

/* Append an agency and write its row; NULL once the list is full (the
 * national scale simply stops there: the tree is written top-down). */
static struct agency *agency_add(struct gen *g, const struct agency *parent,
                                 const char *code, const char *name, enum role role)
{
	struct agency *a;
	char local[48];

	if (g->n == g->cap) {
		if (g->demo)
			die("internal: demo agency list full");
		return NULL;
	}
	a = &g->a[g->n++];
	fmt(a->code, sizeof a->code, "%s", code);
	fmt(a->name, sizeof a->name, "%s", name);
	a->role = role;
	a->email[0] = '\0';
	if (!chance(12)) {  /* some publish no address: the registry copes */
		fold(code, local, sizeof local);
		fmt(a->email, sizeof a->email, "%s@%s", local, g->domain);
	}
	csv_row(g->ag, 4, (const char *[]){a->code, a->name,
	                                   parent ? parent->code : "", roles[role].level});
	return a;
}

/* Departments as of mid-2025 (after the March 2025 mergers of Sở), with
 * some of their divisions.  "@" is the department's own office. */
static const struct dept {
	const char *code, *name, *divs[4];
} depts[] = {
	{"SNV", "Sở Nội vụ", {"@", "Phòng Tổ chức, biên chế và Tổ chức phi chính phủ",
		"Phòng Xây dựng chính quyền và Công tác thanh niên",
		"Ban Thi đua - Khen thưởng"}},
	{"STC", "Sở Tài chính", {"@", "Phòng Quản lý ngân sách",
		"Phòng Tài chính doanh nghiệp", "Phòng Đăng ký kinh doanh"}},
	{"SKHCN", "Sở Khoa học và Công nghệ", {"@", "Phòng Chuyển đổi số",
		"Phòng Bưu chính, Viễn thông", "Chi cục Tiêu chuẩn Đo lường Chất lượng"}},
	{"SYT", "Sở Y tế", {"@", "Phòng Nghiệp vụ Y", "Phòng Nghiệp vụ Dược",
		"Chi cục Dân số"}},
	{"SGDDT", "Sở Giáo dục và Đào tạo", {"@", "Phòng Giáo dục Trung học",
		"Phòng Giáo dục Tiểu học"}},
	{"SXD", "Sở Xây dựng", {"@", "Phòng Quản lý hạ tầng giao thông",
		"Phòng Quy hoạch - Kiến trúc"}},
	{"SNNMT", "Sở Nông nghiệp và Môi trường", {"@", "Chi cục Thủy lợi",
		"Chi cục Kiểm lâm", "Phòng Quản lý đất đai"}},
	{"SCT", "Sở Công Thương", {"@", "Phòng Quản lý thương mại",
		"Phòng Quản lý công nghiệp"}},
	{"SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", {"@", "Phòng Quản lý văn hóa",
		"Phòng Quản lý du lịch"}},
	{"STP", "Sở Tư pháp", {"@", "Phòng Hành chính tư pháp",
		"Phòng Xây dựng và Kiểm tra văn bản"}},
	{"TTT", "Thanh tra tỉnh", {"@", "Phòng Nghiệp vụ 1", "Phòng Nghiệp vụ 2"}},
	{"SDTTG", "Sở Dân tộc và Tôn giáo", {"@", "Phòng Chính sách dân tộc",
		"Phòng Quản lý tôn giáo"}},
};

/* A division of a department: its code and role follow from its name. */
static void division_add(struct gen *g, const struct agency *dept,
                         const char *name, unsigned i)
{
	static const struct { const char *prefix, *code; enum role role; } kinds[] = {
		{"Văn phòng", "VP", R_UNIT_OFFICE}, {"Chi cục", "CC", R_SUBDEPT},
		{"Trung tâm", "TT", R_CENTER}, {"Ban", "BAN", R_DIV}, {"", "P", R_DIV}};
	char code[64];
	size_t k = 0;

	while (!STARTS(name, kinds[k].prefix))
		k++;
	if (k == 0)  /* a unit has one office */
		fmt(code, sizeof code, "%s.VP", dept->code);
	else
		fmt(code, sizeof code, "%s.%s%u", dept->code, kinds[k].code, i);
	agency_add(g, dept, code, name, kinds[k].role);
}

/* One department and its first ndiv divisions.  suffix ("" in the demo,
 * " tỉnh X" at national scale) keeps names unique. */
static void dept_add(struct gen *g, const struct agency *prov, const struct dept *d,
                     const char *suffix, unsigned ndiv)
{
	char code[64], name[256], dname[192];
	const struct agency *da;

	fmt(code, sizeof code, "%s.%s", prov->code, d->code);
	fmt(dname, sizeof dname, "%s%s", d->name, suffix);
	da = agency_add(g, prov, code, dname,
	                strcmp(d->code, "TTT") == 0 ? R_INSPECT : R_DEPT);
	for (unsigned i = 0; da && i < ndiv && i < NELEM(d->divs) && d->divs[i]; i++) {
		if (strcmp(d->divs[i], "@") == 0)
			fmt(name, sizeof name, "Văn phòng %s", dname);
		else if (g->demo)
			fmt(name, sizeof name, "%s", d->divs[i]);
		else
			fmt(name, sizeof name, "%s thuộc %s", d->divs[i], dname);
		division_add(g, da, name, i);
	}
}

/* Divisions of a district committee, in the order they are taken. */
static const char *const ddivs[][2] = {
	{"VP", "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân"},
	{"TCKH", "Phòng Tài chính - Kế hoạch"}, {"NV", "Phòng Nội vụ"},
	{"TP", "Phòng Tư pháp"}, {"KT", "Phòng Kinh tế"},
	{"VHTT", "Phòng Văn hóa và Thông tin"}};

/* A district ("huyện", "thị xã", "thành phố") with ndiv divisions and
 * its communes, given as "kind place|kind place|...". */
static void district_add(struct gen *g, const struct agency *prov, const char *code,
                         const char *kind, const char *place, unsigned ndiv,
                         const char *communes)
{
	char c[64], name[256];
	const struct agency *da;

	fmt(name, sizeof name, "Ủy ban nhân dân %s %s", kind, place);
	da = agency_add(g, prov, code, name, R_DISTRICT);
	for (unsigned i = 0; da && i < ndiv && i < NELEM(ddivs); i++) {
		/* A rural district has agriculture where a town has economy. */
		int rural = strcmp(kind, "huyện") == 0 && strcmp(ddivs[i][0], "KT") == 0;

		fmt(c, sizeof c, "%s.%s", code, rural ? "NNMT" : ddivs[i][0]);
		fmt(name, sizeof name, "%s %s %s",
		    rural ? "Phòng Nông nghiệp và Môi trường" : ddivs[i][1], kind, place);
		agency_add(g, da, c, name, i == 0 ? R_UNIT_OFFICE : R_DIV);
	}
	for (unsigned i = 1; da && *communes; i++) {
		const char *end = strchr(communes, '|');
		int len = end ? (int)(end - communes) : (int)strlen(communes);
		const char *pfx = STARTS(communes, "phường") ? "P"
			: STARTS(communes, "thị trấn") ? "TT" : "X";

		fmt(c, sizeof c, "%s.%s%02u", code, pfx, i);
		fmt(name, sizeof name, "Ủy ban nhân dân %.*s", len, communes);
		agency_add(g, da, c, name, R_COMMUNE);
		communes += len + (end != NULL);
	}
}

/* The demo province: invented names, the real structure of mid-2025.
 * No place folds to "hung": the search tests count "nguyen van hung". */
static void demo_agencies(struct gen *g)
{
	static const struct { const char *code, *kind, *place, *communes; } dist[] = {
		{"DC.TP", "thành phố", "Đông Châu", "phường Châu Giang|phường Đông Thành|"
			"phường Tân Đức|phường Hòa Lạc|xã Đông Lộc|xã Đào Xá"},
		{"DC.DD", "thị xã", "Đại Đồng", "phường Đại Đồng|phường Đồng Tâm|"
			"phường An Đạo|xã Đông Phong|xã Đắc Sở|xã Thượng Đạt"},
		{"DC.KD", "huyện", "Kim Đôn", "thị trấn Kim Đôn|xã Đồng Quang|xã Phú Đa|"
			"xã Quỳnh Lâm|xã Yên Đạm|xã Đình Cao|xã Tứ Dân"},
		{"DC.VD", "huyện", "Vĩnh Đàm", "thị trấn Vĩnh Đàm|xã Đa Lộc|xã Ngọc Đỉnh|"
			"xã Hải Triều|xã Thủy Đông|xã Đông Xuyên|xã Cẩm Đường|xã Lạc Đạo"},
	};
	const struct agency *root, *vp;

	root = agency_add(g, NULL, "DC", "Ủy ban nhân dân tỉnh Đông Châu", R_PROVINCE);
	vp = agency_add(g, root, "DC.VP", "Văn phòng Ủy ban nhân dân tỉnh", R_OFFICE);
	division_add(g, vp, "Phòng Hành chính - Tổ chức", 1);
	division_add(g, vp, "Trung tâm Phục vụ hành chính công tỉnh", 2);
	for (size_t i = 0; i < NELEM(depts); i++)
		dept_add(g, root, &depts[i], "", 2 + rnd(3));
	for (size_t i = 0; i < NELEM(dist); i++)
		district_add(g, root, dist[i].code, dist[i].kind, dist[i].place,
		             4 + rnd(2), dist[i].communes);
}

/* One province-like unit of the national scale: 40 agencies.  Districts
 * and communes take the next unused place names, offset so that a unit's
 * first district is not named like the unit itself. */
static void national_unit(struct gen *g, const struct agency *root, unsigned long k)
{
	static unsigned long ndistricts = 137, ncommunes = 211;
	char code[64], name[256], place[64], suffix[96], communes[512];
	const struct agency *prov;

	place_name(k, place, sizeof place);
	fmt(code, sizeof code, "T%04lu", k + 1);
	fmt(name, sizeof name, "Ủy ban nhân dân tỉnh %s", place);
	if (!(prov = agency_add(g, root, code, name, R_PROVINCE)))
		return;
	fmt(code, sizeof code, "%s.VP", prov->code);
	fmt(name, sizeof name, "Văn phòng Ủy ban nhân dân tỉnh %s", place);
	agency_add(g, prov, code, name, R_OFFICE);
	fmt(suffix, sizeof suffix, " tỉnh %s", place);
	for (unsigned d = 0; d < 8; d++)
		dept_add(g, prov, &depts[(k + d) % NELEM(depts)], suffix, 2);
	for (unsigned d = 1; d <= 2; d++) {
		char dplace[64], cplace[64];

		communes[0] = '\0';
		for (unsigned c = 0; c < 4; c++) {
			place_name(ncommunes++, cplace, sizeof cplace);
			strcat(strcat(strcat(communes, c ? "|" : ""), "xã "), cplace);
		}
		place_name(ndistricts++, dplace, sizeof dplace);
		fmt(code, sizeof code, "%s.H%u", prov->code, d);
		district_add(g, prov, code, "huyện", dplace, 2, communes);
	}
}

/* ---- persons ------------------------------------------------------------ */

struct person { char name[96], mail[48]; int female; };

static const char *pick_family(void)
{
	unsigned total = 0, r;
	size_t i = 0;

	for (size_t k = 0; k < NELEM(families); k++)
		total += families[k].w;
	for (r = rnd(total); r >= families[i].w; i++)
		r -= families[i].w;
	return families[i].s;
}

/* First letter of a name word, folded: "Đặng" -> 'd'. */
static char initial(const char *word)
{
	char f[8];

	if ((unsigned char)word[0] < 0x80)  /* the usual case, kept cheap */
		return (char)(word[0] | 0x20);
	fold(word, f, sizeof f);
	return f[0];
}

/* A random official; the mailbox follows the usual style: "Nguyễn Thị
 * Thu Hương" -> huongnttt. */
static void person_random(struct person *p, const char *family)
{
	const char *fam = family ? family : pick_family();
	const char *mid, *mid2 = NULL, *given;
	char gf[24], mid2i[2] = "";

	p->female = chance(50);
	mid = p->female ? PICK(mid_f) : PICK(mid_m);
	given = p->female ? PICK(given_f) : PICK(given_m);
	if (p->female && chance(15)) {
		mid = "Thị";
		mid2 = PICK(mid2_f);
		mid2i[0] = initial(mid2);
	}
	if (mid2)
		fmt(p->name, sizeof p->name, "%s %s %s %s", fam, mid, mid2, given);
	else
		fmt(p->name, sizeof p->name, "%s %s %s", fam, mid, given);
	fold(given, gf, sizeof gf);
	fmt(p->mail, sizeof p->mail, "%s%c%c%s", gf, initial(fam), initial(mid), mid2i);
}

/* The demo must hold exactly one holder whom a search for "nguyen van
 * hung" finds; the search matches word prefixes, so Hưng counts too. */
static int is_reserved_name(const char *name)
{
	char f[96], *w, *save = NULL;
	int nguyen = 0, van = 0, hung = 0;

	fold(name, f, sizeof f);
	for (w = strtok_r(f, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		nguyen |= strcmp(w, "nguyen") == 0;
		van |= strcmp(w, "van") == 0;
		hung |= STARTS(w, "hung");
	}
	return nguyen && van && hung;
}

/* Addresses are unique: by the person counter at national scale, the way
 * a mail admin does it (hungnv, hungnv2, ...) in the demo. */
static void person_email(struct gen *g, const struct person *p, char *out, size_t size)
{
	char local[48];

	out[0] = '\0';
	if (chance(15))
		return;
	if (!g->demo) {
		fmt(out, size, "%s%llu@%s", p->mail, g->npersons, g->domain);
		return;
	}
	fmt(local, sizeof local, "%s", p->mail);
	for (size_t i = 0, n = 2; i < g->nmails; i++)
		if (strcmp(g->mails[i], local) == 0) {  /* taken: next, from the top */
			fmt(local, sizeof local, "%s%zu", p->mail, n++);
			i = (size_t)-1;
		}
	if (g->nmails == NELEM(g->mails))
		die("internal: demo mail list full");
	memcpy(g->mails[g->nmails++], local, sizeof local);
	fmt(out, size, "%s@%s", local, g->domain);
}

/* A 12-digit CCCD: province of birth (3 digits; 098 for Đông Châu, which
 * no real province uses), century and sex (1), year of birth (2), then 6
 * digits.  Year (1965-2003) and the last 6 digits are a bijection of the
 * person counter over 39 x 10^6, so ids never repeat. */
static void person_id(struct gen *g, const struct person *p, char *out, size_t size)
{
	uint64_t k = permute(g->npersons, 39000000ULL, 26, key_cccd);
	unsigned year = 1965 + (unsigned)(k / 1000000);
	unsigned sex = (year >= 2000 ? 2 : 0) + (p->female ? 1 : 0);
	unsigned prov = g->demo && chance(85) ? 98 : 1 + rnd(96);

	fmt(out, size, "%03u%u%02u%06u", prov, sex, year % 100, (unsigned)(k % 1000000));
}

/* ---- certificates ------------------------------------------------------- */

/* Serials: "54", random hex, and a scramble of the counter in the same
 * place; the two lengths (older 16-digit, newer 32-digit) cannot collide. */
static void cert_serial(unsigned long long i, char *out, size_t size)
{
	unsigned m = (unsigned)mixbits(i, 32, key_cert);
	unsigned r = (unsigned)(rnd64() & 0xFFFFFF);

	if (chance(10))
		fmt(out, size, "54%06X%08X", r, m);
	else
		fmt(out, size, "54%06X%08X%016llX", r, m, (unsigned long long)rnd64());
}

/* The token of certificate i, one per certificate.  Each model has its
 * own serial length (8, 10 or 16 digits) and a part unique by counter;
 * none starts with 0, as the registry drops leading zeros. */
static const char *token(unsigned long long i, char *out, size_t size)
{
	static const struct weighted models[] = {
		{"SafeNet eToken 5110", 40}, {"SafeNet eToken 5110 CC", 20},
		{"Bit4id TokenME", 15}, {"Feitian ePass2003", 25}};
	unsigned r = rnd(100), m = 0, lead = 1 + rnd(15);

	while (r >= models[m].w)
		r -= models[m++].w;
	if (m < 2)
		fmt(out, size, "%X%07X", lead, (unsigned)mixbits(i, 28, key_tok28));
	else if (m == 2)
		fmt(out, size, "%u%09llu", 1 + lead % 9,
		    (unsigned long long)permute(i, 1000000000ULL, 30, key_dec));
	else
		fmt(out, size, "%X%07X%08X", lead, (unsigned)(rnd64() & 0xFFFFFFF),
		    (unsigned)mixbits(i, 32, key_tok32));
	return models[m].s;
}

/* Five-year validity.  A few were issued in 2019-2020 and have expired
 * by mid-2025, as in any real list. */
static void validity(char *nb, char *na, size_t size)
{
	unsigned y, m = 1 + rnd(12), d = 1 + rnd(28);

	if (chance(4)) {
		y = 2019 + rnd(2);
		m = y == 2019 ? 7 + rnd(6) : 1 + rnd(6);
	} else {
		y = 2021 + rnd(5);
		if (y == 2025)
			m = 1 + rnd(6);
	}
	fmt(nb, size, "%04u-%02u-%02u", y, m, d);
	fmt(na, size, "%04u-%02u-%02u", y + 5, m, d);
}

static void cert_write(struct gen *g, const char *kind, const char *holder,
                       const char *holder_id, const char *position,
                       const struct agency *a, const char *email)
{
	char serial[40], tok[24], nb[16], na[16];
	const char *model;

	cert_serial(g->ncerts, serial, sizeof serial);
	validity(nb, na, sizeof nb);
	model = token(g->ncerts, tok, sizeof tok);
	csv_row(g->ce, 11, (const char *[]){serial, kind, holder, holder_id, position,
	                                    a->code, nb, na, tok, model, email});
	g->ncerts++;
}

/* The position of the rank-th official of a role (0 = the head). */
static void position_of(enum role role, unsigned rank, char *out, size_t size)
{
	const char *p = roles[role].positions, *bar;

	for (; rank > 0 && (bar = strchr(p, '|')); rank--)
		p = bar + 1;
	bar = strchr(p, '|');
	fmt(out, size, "%.*s", bar ? (int)(bar - p) : (int)strlen(p), p);
}

static void person_cert(struct gen *g, const struct agency *a, unsigned rank)
{
	struct person p;
	char id[16], email[96], pos[96];

	/* The demo's named holders, for the search tests: one Nguyễn Văn
	 * Hùng (head of digital transformation at DOST), one sure Đặng. */
	if (g->demo && rank == 0 && strcmp(a->name, "Phòng Chuyển đổi số") == 0)
		p = (struct person){"Nguyễn Văn Hùng", "hungnv", 0};
	else
		do
			person_random(&p, g->demo && a->role == R_PROVINCE && rank == 1
			                  ? "Đặng" : NULL);
		while (g->demo && is_reserved_name(p.name));
	person_id(g, &p, id, sizeof id);
	person_email(g, &p, email, sizeof email);
	position_of(a->role, rank, pos, sizeof pos);
	cert_write(g, "person", p.name, id, pos, a, email);
	g->npersons++;
}

/* Every agency holds an organisation certificate; officials share out the
 * rest: by role in the demo, evenly at national scale. */
static void certificates(struct gen *g)
{
	unsigned long long orgs = g->max_certs < g->n ? g->max_certs : g->n;
	unsigned long long persons = g->max_certs - orgs;

	for (size_t i = 0; i < g->n; i++) {
		const struct agency *a = &g->a[i];
		const struct role_info *ri = &roles[a->role];
		unsigned long long staff;

		if (i < orgs)
			cert_write(g, "org", a->name, a->code, "", a, a->email);
		if (g->demo)
			staff = ri->staff_min + rnd(ri->staff_max - ri->staff_min + 1u);
		else
			staff = (i + 1) * persons / g->n - i * persons / g->n;
		for (unsigned r = 0; r < staff; r++)
			person_cert(g, a, r);
	}
}

/* ---- main --------------------------------------------------------------- */

static FILE *open_out(const char *dir, const char *file, const char *header)
{
	char path[4096];
	FILE *f;

	fmt(path, sizeof path, "%s/%s", dir, file);
	if (!(f = fopen(path, "w")))
		die("%s: %s", path, strerror(errno));
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	fputs(header, f);
	return f;
}

static void close_out(FILE *f, const char *file)
{
	if (ferror(f) | fclose(f))
		die("writing %s failed", file);
}

static void usage(FILE *f)
{
	fputs("usage: gen-province --demo [--seed N] [-o DIR]\n"
	      "       gen-province --agencies N --certs M [--seed N] [-o DIR]\n"
	      "Writes DIR/agencies.csv and DIR/certificates.csv (DIR defaults to .)\n"
	      "for the invented province Đông Châu (--demo) or a national-scale\n"
	      "tree of N agencies and M certificates.  Same options, same bytes.\n", f);
}

static unsigned long long number(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-')
		die("not a number: %s", s);
	return v;
}

static void generate(struct gen *g)
{
	if (!(g->a = calloc(g->cap, sizeof *g->a)))
		die("out of memory");
	if (g->demo) {
		demo_agencies(g);
	} else {
		const struct agency *root =
			agency_add(g, NULL, "VN", "Chính phủ (dữ liệu thử tải)", R_NATION);

		for (unsigned long k = 0; g->n < g->cap; k++)
			national_unit(g, root, k);
	}
	certificates(g);
	free(g->a);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"demo", no_argument, NULL, 'd'}, {"agencies", required_argument, NULL, 'a'},
		{"certs", required_argument, NULL, 'c'}, {"seed", required_argument, NULL, 's'},
		{"output", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	static struct gen g = {.domain = "bench.gov.vn"};
	const char *dir = ".";
	int c;

	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': g.demo = 1; break;
		case 'a': g.cap = number(optarg); break;
		case 'c': g.max_certs = number(optarg); break;
		case 's': rng_state = number(optarg); break;
		case 'o': dir = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || g.demo == (g.cap > 0) || (!g.demo && !g.max_certs)) {
		usage(stderr);
		return 2;
	}
	if (g.cap > 10000000 || g.max_certs > 39000000)  /* the id space */
		die("at most 10 million agencies and 39 million certificates");
	if (g.demo) {  /* all the certificates the roles call for */
		g.cap = 512;
		g.max_certs = ~0ULL;
		g.domain = "dongchau.gov.vn";
	}
	key_cert = rnd64();  /* the seed is the PRNG's first state */
	key_tok28 = rnd64();
	key_tok32 = rnd64();
	key_dec = rnd64();
	key_cccd = rnd64();
	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		die("%s: %s", dir, strerror(errno));
	g.ag = open_out(dir, "agencies.csv", "code,name,parent_code,level\n");
	g.ce = open_out(dir, "certificates.csv", "cert_serial,kind,holder_name,"
	                "holder_id,position,agency_code,not_before,not_after,"
	                "token_serial,token_model,email\n");
	generate(&g);
	close_out(g.ag, "agencies.csv");
	close_out(g.ce, "certificates.csv");
	fprintf(stderr, "gen-province: %zu agencies, %llu certificates in %s\n",
	        g.n, g.ncerts, dir);
	return 0;
}
