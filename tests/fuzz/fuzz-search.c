/* fuzz-search.c: td_reg_search (the FTS5 query built from what the
 * operator types) on arbitrary text, over a registry holding a small
 * province.
 * Properties: no crash; valid UTF-8 text never makes a registry error
 * (a bad FTS5 query would say "fts5: syntax error"): the result is 0
 * with at most `limit` hits, each with a key and a label; invalid UTF-8
 * gives no hits. */
#include <config.h>

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "tokendesk/import.h"
#include "tokendesk/registry.h"
#include "tokendesk/text.h"
#include "fuzz.h"

static char dir[256], db[300], list[300];
static struct td_registry *reg;

static const char agencies[] =
	"code,name,parent_code,level\n"
	"DC,Ủy ban nhân dân tỉnh Đông Châu,,province\n"
	"DC.STC,Sở Tài chính,DC,department\n"
	"DC.STC.KT,\"Phòng Kế toán \"\"Một\"\"\",DC.STC,division\n"
	"DC-BS,Huyện Bắc Sơn (cũ) - NEAR AND OR,DC,district\n";

static void cleanup(void)
{
	td_reg_close(reg);
	reg = NULL;
	unlink(list);
	td_reg_remove(db);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *paths[1];
	struct td_import_report rep;
	struct td_error err;
	int fd;

	(void)argc;
	(void)argv;
	snprintf(dir, sizeof dir, "%s/td-fuzz-search-XXXXXX",
	         access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	FUZZ_CHECK(mkdtemp(dir) != NULL);
	atexit(cleanup);
	snprintf(db, sizeof db, "%s/reg.db", dir);
	snprintf(list, sizeof list, "%s/agencies.csv", dir);
	fd = open(list, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	FUZZ_CHECK(fd >= 0 && write(fd, agencies, sizeof agencies - 1) ==
	           (ssize_t)(sizeof agencies - 1));
	close(fd);
	reg = td_reg_open(db, TD_REG_CREATE, &err);
	FUZZ_CHECK(reg != NULL);
	paths[0] = list;
	FUZZ_CHECK(td_import_files(reg, paths, 1, NULL, &rep, &err) == 0);
	td_import_report_free(&rep);
	return 0;
}

struct seen { int n; };

static int on_hit(const struct td_search_hit *h, void *ctx)
{
	struct seen *s = ctx;

	FUZZ_CHECK(h->key && h->key[0] && h->label);
	s->n++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct seen s = { 0 };
	struct td_error err;
	int limit, rc;

	if (!text || size < 1) {
		free(text);
		return 0;
	}
	limit = data[0] % 8;   /* 0..7: the zero and small limits too */
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	rc = td_reg_search(reg, text, limit, on_hit, &s, &err);
	if (rc != 0)
		fprintf(stderr, "search '%s': %s\n", text, err.message);
	FUZZ_CHECK(rc == 0);
	FUZZ_CHECK(s.n <= limit);
	if (!td_utf8_valid(text, strlen(text), NULL))
		FUZZ_CHECK(s.n == 0);
	free(text);
	return 0;
}
