/* test-usb-hotplug: a fake USB token (Feitian ePass2003, 096e:0807) made
 * by umockdev arrives and departs; libusb hot-plug carries it to the
 * watcher, and since no loaded module shows a token of that family it is
 * reported "plugged in, no driver" with its model and the module to
 * install - by the watcher, by a one-shot scan, and by `tokendesk scan`.
 * Run under umockdev-wrapper (tests/token/usb-hotplug.sh). */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <time.h>

#include <umockdev.h>

#include "tokendesk/token.h"

static int failures;

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
	failures++; } } while (0)

/* Device descriptor (USB 2.0, 096e:0807), one configuration with one
 * smart-card (CCID, class 0x0b) interface: what libusb reads from sysfs. */
static const unsigned char descriptors[] = {
	0x12, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x40, 0x6e, 0x09, 0x07, 0x08,
	0x00, 0x01, 0x01, 0x02, 0x00, 0x01,
	0x09, 0x02, 0x12, 0x00, 0x01, 0x01, 0x00, 0x80, 0x32,
	0x09, 0x04, 0x00, 0x00, 0x00, 0x0b, 0x00, 0x00, 0x00,
};

static char *add_epass(UMockdevTestbed *tb)
{
	char *path = umockdev_testbed_add_device(
		tb, "usb", "1-1", NULL,
		"idVendor", "096e", "idProduct", "0807", "busnum", "1", "devnum", "5",
		"speed", "12", "bConfigurationValue", "1", "manufacturer", "FS",
		"product", "USB Key", NULL,
		"DEVTYPE", "usb_device", "BUSNUM", "001", "DEVNUM", "005",
		"DEVNAME", "/dev/bus/usb/001/005", "ID_VENDOR_ID", "096e",
		"ID_MODEL_ID", "0807", "PRODUCT", "96e/807/100", NULL);

	umockdev_testbed_set_attribute_binary(tb, path, "descriptors", (guint8 *)descriptors,
	                                      (int)sizeof descriptors);
	return path;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct seen {
	int arrived, left, no_driver;
	char model[128], module[256];
};

static int on_event(const struct td_watch_event *ev, void *ctx)
{
	struct seen *s = ctx;

	if (!ev->usb || ev->usb->vid != 0x096e || ev->usb->pid != 0x0807)
		return 0;
	if (ev->kind == TD_EV_USB_ARRIVED)
		s->arrived++;
	if (ev->kind == TD_EV_USB_LEFT)
		s->left++;
	if (ev->kind == TD_EV_USB_NO_DRIVER) {
		s->no_driver++;
		snprintf(s->model, sizeof s->model, "%s", ev->usb->known->model);
		snprintf(s->module, sizeof s->module, "%s", ev->usb->known->module);
	}
	return 0;
}

/* Process watcher events until *flag is set or 3 s pass; ms taken. */
static long long pump(struct td_watch *w, struct seen *s, const int *flag)
{
	long long start = now_ms();
	struct td_error err;

	while (!*flag && now_ms() - start < 3000) {
		struct pollfd p = { td_watch_fd(w), POLLIN, 0 };
		if (poll(&p, 1, 100) > 0 && td_watch_process(w, on_event, s, &err) < 0) {
			fprintf(stderr, "watch: %s\n", err.message);
			failures++;
			break;
		}
	}
	return now_ms() - start;
}

static void test_watcher(UMockdevTestbed *tb, struct td_tokens *t)
{
	struct td_watch_opts o = { 50, 1, 300 };
	struct seen s = { 0 };
	struct td_error err;
	struct td_watch *w = td_watch_new(t, &o, &err);
	char *path;
	long long ms;

	CHECK(w != NULL);
	if (!w)
		return;
	CHECK(td_watch_usb_active(w));
	pump(w, &s, &s.arrived);  /* initial round: nothing of ours yet */
	CHECK(s.arrived == 0);

	path = add_epass(tb);
	umockdev_testbed_uevent(tb, path, "add");
	ms = pump(w, &s, &s.arrived);
	printf("USB arrival reached the watcher after %lld ms\n", ms);
	CHECK(s.arrived == 1 && ms < 1000);
	pump(w, &s, &s.no_driver);
	CHECK(s.no_driver == 1);
	CHECK(strcmp(s.model, "ePass2003") == 0);
	CHECK(strstr(s.module, "opensc-pkcs11.so") != NULL);

	umockdev_testbed_uevent(tb, path, "remove");
	umockdev_testbed_remove_device(tb, path);
	ms = pump(w, &s, &s.left);
	printf("USB departure reached the watcher after %lld ms\n", ms);
	CHECK(s.left == 1 && ms < 1000);
	td_watch_free(w);
	g_free(path);
}

static void test_scan(UMockdevTestbed *tb, struct td_tokens *t)
{
	char *path = add_epass(tb);
	struct td_snap *s = NULL;
	struct td_error err;
	const char *prog = getenv("TOKENDESK"), *mod = getenv("SOFTHSM2_MODULE");
	char cmd[2048];

	CHECK(td_tokens_scan(t, &s, &err) == 0);
	CHECK(s && s->nusb == 1);
	if (s && s->nusb == 1) {
		CHECK(s->usb[0].no_driver);
		CHECK(s->usb[0].known && strcmp(s->usb[0].known->vendor, "Feitian") == 0);
	}
	td_snap_free(s);
	/* The program, as a child under the same testbed. */
	if (prog && mod) {
		snprintf(cmd, sizeof cmd, "'%s' --module '%s' scan --no-match | grep -q "
		         "'usb 096e:0807 Feitian ePass2003: plugged in, no driver "
		         "(install opensc-pkcs11.so'", prog, mod);
		CHECK(system(cmd) == 0);
		/* doctor (issue 23): the device, then the verdict, in English
		 * and in Vietnamese */
		snprintf(cmd, sizeof cmd, "'%s' --module '%s' doctor >doctor.out && "
		         "grep -q '^USB: 096e:0807 Feitian ePass2003' doctor.out && "
		         "grep -q 'verdict: Feitian ePass2003 is plugged in but no module "
		         "shows it: install opensc-pkcs11.so' doctor.out", prog, mod);
		CHECK(system(cmd) == 0);
		snprintf(cmd, sizeof cmd, "'%s' --lang vi --module '%s' doctor | grep -q "
		         "'kết luận: Feitian ePass2003 đã cắm nhưng không mô-đun nào thấy: "
		         "hãy cài opensc-pkcs11.so'", prog, mod);
		CHECK(system(cmd) == 0);
		snprintf(cmd, sizeof cmd, "'%s' --module '%s' doctor --json | grep -q "
		         "'\"usb\": \"096e:0807\"'", prog, mod);
		CHECK(system(cmd) == 0);
		(void)!system("rm -f doctor.out");
	}
	umockdev_testbed_remove_device(tb, path);
	g_free(path);
}

int main(void)
{
	const char *mod = getenv("SOFTHSM2_MODULE");
	const char *mods[1] = { mod };
	struct td_token_opts o = { 0 };
	struct td_error err;
	UMockdevTestbed *tb;
	struct td_tokens *t;

	const char *pre = getenv("LD_PRELOAD");

	if (!pre || !strstr(pre, "umockdev-preload")) {
		fprintf(stderr, "run me under umockdev-wrapper\n");
		return 1;
	}
	tb = umockdev_testbed_new();
	o.modules = mods;
	o.nmodules = mod ? 1 : 0;
	if (!(t = td_tokens_open(&o, &err))) {
		fprintf(stderr, "open: %s\n", err.message);
		return 1;
	}
	test_watcher(tb, t);
	test_scan(tb, t);
	td_tokens_close(t);
	g_object_unref(tb);
	if (failures)
		fprintf(stderr, "%d failure(s)\n", failures);
	return failures ? 1 : 0;
}
