/* rowpipe.c: rows of text handed to a writer thread (tokendesk/rowpipe.h).
 *
 * A ring of NBLOCKS blocks: the reading thread fills the block at `head`
 * while fewer than NBLOCKS are full, the writer's thread empties the one
 * at `tail`; a mutex guards the count between them and two conditions
 * wake each side.  A block is a byte buffer of rows, each row its tag,
 * its cell count, then each cell's length and bytes (and a NUL, so the
 * writer reads the cells in place). */
#include <config.h>

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tokendesk/rowpipe.h"

#define NBLOCKS 4
#define BLOCK_FULL (64 * 1024)   /* a block is sent once it holds this much */

struct block {
	char *buf;
	size_t used, cap;
};

struct td_rowpipe {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t filled, emptied;
	struct block ring[NBLOCKS];
	size_t head, tail, full;     /* full: blocks sent, not yet emptied */
	int done;                    /* the reading thread sent its last */
	int failed;                  /* the writer's first non-zero return */
	int wfailed;                 /* the same, the writer's own copy */
	int stopped;                 /* the reader's copy of failed */
	int nomem;
	td_rowpipe_fn fn;
	void *ctx;
};

/* ---- the writer's thread -------------------------------------------------- */

static void empty_block(struct td_rowpipe *p, const struct block *b)
{
	const char *at = b->buf, *end = b->buf + b->used;
	const char *cells[TD_ROWPIPE_MAX_CELLS];

	while (at < end) {
		int tag;
		uint32_t n, len;
		memcpy(&tag, at, sizeof tag);
		memcpy(&n, at + sizeof tag, sizeof n);
		at += sizeof tag + sizeof n;
		for (uint32_t i = 0; i < n; i++) {
			memcpy(&len, at, sizeof len);
			cells[i] = at + sizeof len;
			at += sizeof len + len + 1;
		}
		/* after a failure the rows are dropped, never waited on */
		if (!p->wfailed)
			p->wfailed = p->fn(tag, (size_t)n, cells, p->ctx);
	}
}

static void *writer(void *arg)
{
	struct td_rowpipe *p = arg;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->full && !p->done)
			pthread_cond_wait(&p->filled, &p->lock);
		if (!p->full)
			break;
		struct block *b = &p->ring[p->tail % NBLOCKS];
		pthread_mutex_unlock(&p->lock);
		empty_block(p, b);
		b->used = 0;
		pthread_mutex_lock(&p->lock);
		p->failed = p->wfailed;
		p->tail++;
		p->full--;
		pthread_cond_signal(&p->emptied);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* ---- the reading thread --------------------------------------------------- */

struct td_rowpipe *td_rowpipe_start(td_rowpipe_fn fn, void *ctx)
{
	struct td_rowpipe *p = calloc(1, sizeof *p);

	if (!p)
		return NULL;
	p->fn = fn;
	p->ctx = ctx;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->filled, NULL);
	pthread_cond_init(&p->emptied, NULL);
	if (pthread_create(&p->thread, NULL, writer, p) != 0) {
		pthread_cond_destroy(&p->emptied);
		pthread_cond_destroy(&p->filled);
		pthread_mutex_destroy(&p->lock);
		free(p);
		return NULL;
	}
	return p;
}

/* Send the block at head and wait for a free one. */
static void send_block(struct td_rowpipe *p)
{
	pthread_mutex_lock(&p->lock);
	p->head++;
	p->full++;
	pthread_cond_signal(&p->filled);
	while (p->full == NBLOCKS)
		pthread_cond_wait(&p->emptied, &p->lock);
	p->stopped = p->failed;
	pthread_mutex_unlock(&p->lock);
}

static int reserve(struct block *b, size_t more)
{
	if (b->used + more <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : BLOCK_FULL + BLOCK_FULL / 4;
	while (cap < b->used + more)
		cap *= 2;
	char *buf = realloc(b->buf, cap);
	if (!buf)
		return -1;
	b->buf = buf;
	b->cap = cap;
	return 0;
}

static void put_bytes(struct block *b, const void *v, size_t n)
{
	memcpy(b->buf + b->used, v, n);
	b->used += n;
}

int td_rowpipe_put(struct td_rowpipe *p, int tag, size_t n,
                   const char *const *cells)
{
	struct block *b = &p->ring[p->head % NBLOCKS];
	size_t need = sizeof tag + sizeof(uint32_t);
	uint32_t count = (uint32_t)n;

	/* the writer's failure as the last block sent found it */
	if (p->stopped || p->nomem || n > TD_ROWPIPE_MAX_CELLS)
		return -1;
	for (size_t i = 0; i < n; i++)
		need += sizeof(uint32_t) + (cells[i] ? strlen(cells[i]) : 0) + 1;
	if (reserve(b, need) < 0) {
		p->nomem = 1;
		return -1;
	}
	put_bytes(b, &tag, sizeof tag);
	put_bytes(b, &count, sizeof count);
	for (size_t i = 0; i < n; i++) {
		const char *s = cells[i] ? cells[i] : "";
		uint32_t len = (uint32_t)strlen(s);
		put_bytes(b, &len, sizeof len);
		put_bytes(b, s, (size_t)len + 1);
	}
	if (b->used >= BLOCK_FULL)
		send_block(p);
	return 0;
}

int td_rowpipe_finish(struct td_rowpipe *p)
{
	int rc;

	if (p->ring[p->head % NBLOCKS].used)
		send_block(p);
	pthread_mutex_lock(&p->lock);
	p->done = 1;
	pthread_cond_signal(&p->filled);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	rc = p->failed ? p->failed : p->nomem ? -1 : 0;
	for (int i = 0; i < NBLOCKS; i++)
		free(p->ring[i].buf);
	pthread_cond_destroy(&p->emptied);
	pthread_cond_destroy(&p->filled);
	pthread_mutex_destroy(&p->lock);
	free(p);
	return rc;
}
