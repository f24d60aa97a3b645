#!/bin/sh
# doctor (issue 23): why a token is not seen, step by step.  pcscd not
# running (a private socket name that nothing listens on: the system's
# pcscd is never touched), a module that does not load, a module that
# shows a token; the verdict names what to start, in English and in
# Vietnamese; --json carries the same.  (The USB step, with a fake device
# under umockdev, is in test-usb-hotplug.c.)
. "${TD_SRCDIR:-$(dirname "$0")/../..}/tests/token/hsm-lib.sh"
hsm_init
OPENSC=
for m in /usr/lib/*/pkcs11/opensc-pkcs11.so; do [ -f "$m" ] && OPENSC=$m; done
[ -n "$OPENSC" ] || skip "opensc-pkcs11.so not installed"
PCSCLITE_CSOCK_NAME=$HSM_DIR/no-pcscd.comm
export PCSCLITE_CSOCK_NAME

# OpenSC with no pcscd: loads, shows nothing; the verdict: start pcscd.
st=0
"$TOKENDESK" --module "$OPENSC" doctor --no-usb >"$HSM_DIR/d.out" 2>&1 || st=$?
[ $st = 0 ] || { cat "$HSM_DIR/d.out" >&2; fail "doctor exited $st"; }
expect_grep "pcscd: not running (socket $HSM_DIR/no-pcscd.comm)" "$HSM_DIR/d.out" "pcscd step"
expect_grep "module $OPENSC (given): loads, 0 token(s)" "$HSM_DIR/d.out" "module step"
expect_grep "verdict: pcscd is not running: start it" "$HSM_DIR/d.out" "verdict"
"$TOKENDESK" --lang vi --module "$OPENSC" doctor --no-usb >"$HSM_DIR/vi.out" 2>&1 ||
	fail "doctor --lang vi"
expect_grep "kết luận: pcscd không chạy: hãy khởi động" "$HSM_DIR/vi.out" "Vietnamese verdict"
"$TOKENDESK" --module "$OPENSC" doctor --no-usb --json >"$HSM_DIR/d.json" || fail "doctor --json"
python3 - "$HSM_DIR/d.json" <<'PY' || fail "doctor --json content"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["pcscd"]["running"] is False, d["pcscd"]
assert d["verdict"].startswith("pcscd is not running"), d["verdict"]
assert any(m["loads"] and m["from"] == "given" for m in d["modules"]), d["modules"]
PY

# A file that is no PKCS#11 module, allowed by the config: does not load,
# and the desk's process survives it (it is loaded by the helper).
mkdir -p "$HSM_DIR/mods" && chmod 755 "$HSM_DIR" "$HSM_DIR/mods"
cp /bin/true "$HSM_DIR/mods/broken.so" && chmod 755 "$HSM_DIR/mods/broken.so"
printf 'allow-module = %s/\n' "$HSM_DIR/mods" >"$HSM_DIR/td.conf"; chmod 600 "$HSM_DIR/td.conf"
"$TOKENDESK" --config "$HSM_DIR/td.conf" --module "$HSM_DIR/mods/broken.so" doctor --no-usb \
	>"$HSM_DIR/b.out" 2>&1 || fail "doctor with a broken module"
expect_grep "module $HSM_DIR/mods/broken.so (given): does not load" "$HSM_DIR/b.out" "broken module"

# A token present: nothing to fix.
hsm_token "Có mặt" >/dev/null
td doctor --no-usb >"$HSM_DIR/ok.out" 2>&1 || fail "doctor with a token"
expect_grep "verdict: 1 token(s) seen: nothing to fix" "$HSM_DIR/ok.out" "a token seen"
echo ok
