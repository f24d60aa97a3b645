/*
 * vcard: a virtual smart card for the PC/SC tests (tests/pcsc).
 *
 * A CAC card emulated by libcacard from an NSS database (one RSA key and
 * its certificate, under a nickname) is served to vsmartcard's vpcd, the
 * reader driver a private pcscd loads: connecting to vpcd's TCP port is
 * inserting the card, closing the connection is pulling it out.
 *
 * Usage: vcard -d NSSDIR -n NICKNAME -p PORT -c FIFO
 * Commands, one a line on FIFO (the test writes them):
 *   insert          connect to vpcd (the card goes in)
 *   remove          close the connection (the card comes out)
 *   pull-on HH      pull the card when the next command APDU with
 *                   instruction byte HH arrives, unanswered: a card
 *                   pulled in the middle of a call
 *   cycle N [OUT [IN]]  N insertions and removals: each in until
 *                   pcscd has powered the card and read its ATR, then
 *                   IN ms more (default 0) answering whoever reads it,
 *                   then out for OUT ms (default 1200: three of pcscd's
 *                   polls)
 *   quit
 * Events go to stdout, one a line, flushed: "ready", "inserted",
 * "powered", "removed", "pulled INS", "cycled N", "error WHAT".  The
 * tests wait for these whole lines.
 *
 * The PIN is the NSS database's password: the slot is logged out after
 * start, so a VERIFY with the wrong PIN fails as on a card.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <nss.h>
#include <pk11pub.h>
#include <vcard_emul.h>
#include <vreader.h>

#define MAX_APDU 65538

static int vpcd = -1;          /* connection to vpcd, -1 when out */
static int pull_ins = -1;      /* instruction to pull the card on */
static unsigned short port;
static int powered;            /* 1 powered on, 2 and its ATR read */
static int tries = 3;          /* PIN tries left, as a card counts them */
static VReader *reader;

static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static int read_all(int fd, unsigned char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

static int write_all(int fd, const unsigned char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* vpcd frames every message with a 2-byte big-endian length. */
static int send_frame(const unsigned char *buf, int len)
{
	static unsigned char frame[MAX_APDU + 2];

	frame[0] = (unsigned char)(len >> 8);
	frame[1] = (unsigned char)len;
	memcpy(frame + 2, buf, (size_t)len);
	return write_all(vpcd, frame, (size_t)len + 2);
}

static void card_out(const char *event)
{
	if (vpcd >= 0)
		close(vpcd);
	vpcd = -1;
	/* Power off resets the card's state (login, selected applet), as
	 * taking a real card out does. */
	vreader_power_off(reader);
	say("%s", event);
}

/* Connect to vpcd, retrying for 5 s: pcscd may still be starting. */
static int card_in(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	int one = 1;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (int i = 0; i < 500; i++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			break;
		if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
			vpcd = fd;
			powered = 0;
			say("inserted");
			return 0;
		}
		close(fd);
		usleep(10000);
	}
	say("error cannot connect to vpcd on port %u", port);
	return -1;
}

/* A control byte from vpcd: power off (0), on (1), reset (2), ATR (4).
 * vpcd asks for the ATR on every presence poll (about every 400 ms): that
 * must not reset the card, or a login and a buffered answer between two
 * polls would be lost; only power on and reset reset it. */
static int control(unsigned char c)
{
	static unsigned char atr[64];
	static int atr_len;

	switch (c) {
	case 0:
		vreader_power_off(reader);
		return 0;
	case 1:
	case 2:
		atr_len = sizeof atr;
		vreader_power_on(reader, atr, &atr_len);
		if (powered == 0)
			powered = 1;
		return 0;
	case 4:
		if (atr_len == 0) {
			atr_len = sizeof atr;
			vreader_power_on(reader, atr, &atr_len);
		}
		/* pcscd powers a card on and then reads its ATR: only then
		 * has it taken the card in. */
		if (powered == 1) {
			powered = 2;
			say("powered");
		}
		return send_frame(atr, atr_len);
	default:
		return 0;
	}
}

/* libcacard answers a wrong PIN with 6985 and never counts: answer as a
 * card does, 63Cx with the tries left, and 6983 once none are left, so
 * that the module reports CKR_PIN_INCORRECT / CKR_PIN_LOCKED. */
static void count_try(unsigned char *out, int out_len)
{
	if (out_len < 2)
		return;
	if (out[out_len - 2] == 0x90) {
		tries = 3;
		return;
	}
	tries--;
	out[out_len - 2] = tries > 0 ? 0x63 : 0x69;
	out[out_len - 1] = tries > 0 ? (unsigned char)(0xc0 | tries) : 0x83;
	say("wrong pin %d left", tries);
}

/* Serve one message from vpcd; -1 when the connection is gone (or the
 * card was pulled on purpose). */
static int serve_one(void)
{
	static unsigned char in[MAX_APDU], out[MAX_APDU];
	unsigned char hdr[2];
	int len, out_len = sizeof out, one = 1;

	if (read_all(vpcd, hdr, 2) < 0)
		return -1;
	len = hdr[0] << 8 | hdr[1];
	/* vpcd writes the length and the message in two writes with Nagle
	 * on: acknowledge at once, or each APDU waits 40 ms for our
	 * delayed ACK. */
	setsockopt(vpcd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
	if (len == 0 || read_all(vpcd, in, (size_t)len) < 0)
		return -1;
	if (len == 1)
		return control(in[0]);
	if (pull_ins >= 0 && len >= 4 && in[1] == pull_ins) {
		pull_ins = -1;
		card_out("pulled");
		return -1;
	}
	if (len > 5 && in[1] == 0x20 && tries == 0) {
		out[0] = 0x69;  /* VERIFY on a blocked PIN */
		out[1] = 0x83;
		out_len = 2;
	} else if (vreader_xfr_bytes(reader, in, len, out, &out_len) != VREADER_OK) {
		out[0] = 0x6f;  /* no card: "no precise diagnosis" */
		out[1] = 0x00;
		out_len = 2;
	} else if (len > 5 && in[1] == 0x20) {
		count_try(out, out_len);
	}
	return send_frame(out, out_len);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/* Serve vpcd until the card is powered (pcscd saw it) or 5 s pass. */
static int wait_powered(void)
{
	long end = now_ms() + 5000;

	while (powered < 2 && now_ms() < end) {
		struct pollfd p = { .fd = vpcd, .events = POLLIN };
		if (poll(&p, 1, 100) > 0 && serve_one() < 0)
			return -1;
	}
	return powered == 2 ? 0 : -1;
}

/* N insertions and removals, driven here: the test cannot pace 1,000
 * of them through a FIFO fast enough to matter. */
/* Serve vpcd for MS milliseconds (the card stays in, answering). */
static int hold(long ms)
{
	long end = now_ms() + ms;

	while (now_ms() < end) {
		struct pollfd p = { .fd = vpcd, .events = POLLIN };
		if (poll(&p, 1, 5) > 0 && serve_one() < 0)
			return -1;
	}
	return 0;
}

/* A card pcscd did not power: on a loaded machine pcscd can miss a
 * short absence (its poll came after the card was back), so it still
 * holds the last card and never powers this one.  Out for a second, so
 * pcscd surely sees the reader empty, then in again: up to 3 times. */
static int reseat(long which)
{
	struct timespec out = { 1, 0 };

	for (int attempt = 0; attempt < 3; attempt++) {
		card_out("removed");
		nanosleep(&out, NULL);
		if (card_in() < 0)
			return -1;
		if (wait_powered() == 0) {
			say("reseated card %ld", which);
			return 0;
		}
	}
	return -1;
}

static void cycle(long n, long gap_ms, long in_ms)
{
	long i;
	struct timespec gap = { gap_ms / 1000, gap_ms % 1000 * 1000000L };

	for (i = 0; i < n; i++) {
		if (vpcd < 0 && card_in() < 0)
			break;
		if (wait_powered() < 0 && reseat(i + 1) < 0) {
			say("error card %ld not powered by pcscd", i + 1);
			break;
		}
		/* In for a while, answering whoever reads it, then pulled:
		 * often in the middle of a module's reading. */
		hold(in_ms);
		card_out("removed");
		/* Out long enough for pcscd to poll the empty reader: when
		 * pcscd powers an idle card off, vpcd drops a closed
		 * connection without pcscd seeing the card go, and takes the
		 * next one at its next poll, so a quick return would be no
		 * removal at all (measured: "Card inserted" with no
		 * "Card Removed" between). */
		nanosleep(&gap, NULL);
	}
	say("cycled %ld", i);
}

static void command(char *line, int *quit);

/* Run every whole line the FIFO holds; a part line waits for its end. */
static int read_commands(int fd, int *quit)
{
	static char buf[1024];
	static size_t have;
	char *nl;
	ssize_t n = read(fd, buf + have, sizeof buf - 1 - have);

	if (n <= 0)
		return n < 0 && errno == EINTR ? 0 : -1;
	have += (size_t)n;
	buf[have] = 0;
	while (!*quit && (nl = strchr(buf, '\n'))) {
		*nl = 0;
		command(buf, quit);
		have -= (size_t)(nl + 1 - buf);
		memmove(buf, nl + 1, have + 1);
	}
	if (have == sizeof buf - 1)
		have = 0;  /* a line this long is no command */
	return 0;
}

static void command(char *line, int *quit)
{
	line[strcspn(line, "\r\n")] = 0;
	if (strcmp(line, "insert") == 0) {
		if (vpcd < 0)
			card_in();
	} else if (strcmp(line, "remove") == 0) {
		if (vpcd >= 0)
			card_out("removed");
	} else if (strncmp(line, "pull-on ", 8) == 0) {
		pull_ins = (int)strtol(line + 8, NULL, 16);
		say("armed %02x", pull_ins);
	} else if (strncmp(line, "cycle ", 6) == 0) {
		char *end;
		long n = strtol(line + 6, &end, 10);
		long gap = *end ? strtol(end, &end, 10) : 1200;
		long in = *end ? strtol(end, NULL, 10) : 0;
		cycle(n, gap > 0 ? gap : 1200, in > 0 ? in : 0);
	} else if (strcmp(line, "quit") == 0) {
		*quit = 1;
	} else if (*line) {
		say("error unknown command %s", line);
	}
}

/* The slot holding the card's key, logged out so that only a VERIFY
 * with the database's password logs it in. */
static void log_out(void)
{
	PK11SlotInfo *slot = PK11_GetInternalKeySlot();

	if (slot) {
		PK11_Logout(slot);
		PK11_FreeSlot(slot);
	}
}

static int start(const char *db, const char *nick)
{
	char opts[4096];
	VCardEmulOptions *o;
	VReaderList *list;
	VReaderListEntry *e;

	snprintf(opts, sizeof opts,
		 "db=\"sql:%s\" use_hw=no soft=(,vcard,CAC,,%s)", db, nick);
	o = vcard_emul_options(opts);
	if (!o || vcard_emul_init(o) != VCARD_EMUL_OK) {
		say("error libcacard did not start on %s", db);
		return -1;
	}
	list = vreader_get_reader_list();
	e = list ? vreader_list_get_first(list) : NULL;
	reader = e ? vreader_reference(vreader_list_get_reader(e)) : NULL;
	if (list)
		vreader_list_delete(list);
	if (!reader) {
		say("error libcacard made no reader");
		return -1;
	}
	log_out();
	return 0;
}

int main(int argc, char **argv)
{
	const char *db = NULL, *nick = NULL, *fifo = NULL;
	int opt, quit = 0, ctl;

	signal(SIGPIPE, SIG_IGN);
	while ((opt = getopt(argc, argv, "d:n:p:c:")) != -1) {
		switch (opt) {
		case 'd': db = optarg; break;
		case 'n': nick = optarg; break;
		case 'p': port = (unsigned short)atoi(optarg); break;
		case 'c': fifo = optarg; break;
		default: return 2;
		}
	}
	if (!db || !nick || !port || !fifo) {
		fprintf(stderr, "usage: vcard -d NSSDIR -n NICKNAME -p PORT -c FIFO\n");
		return 2;
	}
	if (start(db, nick) < 0)
		return 1;
	/* Read and write: the FIFO stays open when a writer closes it. */
	ctl = open(fifo, O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		say("error cannot open %s", fifo);
		return 1;
	}
	say("ready");
	while (!quit) {
		struct pollfd p[2] = { { .fd = ctl, .events = POLLIN },
				       { .fd = vpcd, .events = POLLIN } };
		if (poll(p, vpcd >= 0 ? 2 : 1, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents & POLLIN) {
			if (read_commands(ctl, &quit) < 0)
				break;
			continue;
		}
		if (vpcd >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
			if (serve_one() < 0 && vpcd >= 0)
				card_out("removed");
		}
	}
	if (vpcd >= 0)
		close(vpcd);
	vreader_free(reader);
	vcard_emul_finalize();
	close(ctl);
	return 0;
}
