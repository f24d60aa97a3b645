/* kit-move: test helper standing in for the handover workflow (not on
 * this branch yet): record custody moves with td_reg_move_token.
 *   kit-move DB SERIAL CUSTODIAN STATE [REMARKS]
 *                                           one move, one transaction;
 *                                           the event's remarks "field"
 *                                           unless REMARKS is given
 *   kit-move DB --cycle N CUST1 CUST2       N moves over every token of
 *                                           DB, alternating custodians,
 *                                           in one transaction (bench) */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokendesk/registry.h"
#include "registry/txn.h"

struct serials {
	char **v;
	size_t n;
};

static int collect(const struct td_token *t, void *ctx)
{
	struct serials *s = ctx;

	s->v = realloc(s->v, (s->n + 1) * sizeof *s->v);
	s->v[s->n++] = strdup(t->serial);
	return 0;
}

static int cycle(struct td_registry *reg, long n, const char *a, const char *b,
                 struct td_error *err)
{
	struct serials s = { NULL, 0 };
	int rc = td_reg_each_token(reg, collect, &s, err);

	for (long i = 0; rc == 0 && s.n && i < n; i++)
		rc = td_reg_move_token(reg, s.v[i % (long)s.n], (i / (long)s.n) % 2 ? b : a,
		                       "at_agency", NULL, "field", 0, NULL, err);
	for (size_t i = 0; i < s.n; i++)
		free(s.v[i]);
	free(s.v);
	return rc;
}

int main(int argc, char **argv)
{
	struct td_registry *reg;
	struct td_error err;
	int rc;

	if (argc != 5 && argc != 6) {
		fprintf(stderr, "usage: kit-move DB SERIAL CUSTODIAN STATE [REMARKS]\n"
		        "       kit-move DB --cycle N CUST1 CUST2\n");
		return 2;
	}
	if (!(reg = td_reg_open(argv[1], 0, &err))) {
		fprintf(stderr, "kit-move: %s\n", err.message);
		return 1;
	}
	td_reg_set_operator(reg, getenv("TOKENDESK_OPERATOR"));
	rc = td_reg_begin(reg, &err);
	if (rc == 0)
		rc = strcmp(argv[2], "--cycle") == 0 && argc == 6 ?
		     cycle(reg, atol(argv[3]), argv[4], argv[5], &err) :
		     td_reg_move_token(reg, argv[2], argv[3], argv[4], NULL,
		                       argc == 6 ? argv[5] : "field", 0, NULL, &err);
	if (rc == 0)
		rc = td_reg_commit(reg, &err);
	else
		td_reg_rollback(reg);
	if (rc < 0)
		fprintf(stderr, "kit-move: %s\n", err.message);
	td_reg_close(reg);
	return rc < 0;
}
