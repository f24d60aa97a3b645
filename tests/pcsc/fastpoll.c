/*
 * fastpoll.so: preloaded into the pcscd of tests/pcsc/cycles.sh only.
 *
 * pcscd asks a reader driver without a polling thread of its own (vpcd
 * has none: it answers "unknown tag" to TAG_IFD_POLLING_THREAD_WITH_
 * TIMEOUT) whether a card is present every 400 ms, a constant compiled
 * into pcscd (PCSCLITE_STATUS_POLL_RATE; it sleeps 400,010 us).  A card
 * taken in and out is seen at two polls, so 1,000 cycles would take some
 * 800 s.  This shortens that one sleep to PCSC_FASTPOLL_MS (default 20):
 * every other path of pcscd is the one shipped.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

int nanosleep(const struct timespec *req, struct timespec *rem)
{
	static int (*real)(const struct timespec *, struct timespec *);
	struct timespec fast;

	if (!real)
		real = (int (*)(const struct timespec *, struct timespec *))
			dlsym(RTLD_NEXT, "nanosleep");
	if (req && req->tv_sec == 0 && req->tv_nsec >= 399000000L &&
	    req->tv_nsec <= 401000000L) {
		const char *ms = getenv("PCSC_FASTPOLL_MS");
		long v = ms ? atol(ms) : 20;

		fast.tv_sec = 0;
		fast.tv_nsec = (v > 0 && v < 400 ? v : 20) * 1000000L;
		req = &fast;
	}
	return real(req, rem);
}
