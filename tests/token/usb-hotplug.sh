#!/bin/sh
# usb-hotplug: libusb hot-plug under umockdev - a fake Feitian ePass2003
# (096e:0807) arrives and departs, reaches the watcher, and is reported
# "plugged in, no driver" with its model.  umockdev is optional: skip
# (77) only when umockdev-wrapper is not installed.
. "${TD_SRCDIR:-$(dirname "$0")/../..}/tests/token/hsm-lib.sh"
command -v umockdev-wrapper >/dev/null 2>&1 || skip "umockdev-wrapper not installed"
[ -x "$TD_BUILDDIR/tests/token/test-usb-hotplug" ] || skip "built without libumockdev-dev"
hsm_init
SOFTHSM2_MODULE=$HSM_MODULE
export SOFTHSM2_MODULE TOKENDESK
# umockdev preloads its library ahead of the ASan runtime: allow that order.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"; export ASAN_OPTIONS
umockdev-wrapper "$TD_BUILDDIR/tests/token/test-usb-hotplug" || fail "hot-plug test"
echo PASS
