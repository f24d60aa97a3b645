#!/bin/sh
# watch-halfread: a token read half (a card pulled while the module reads
# it comes back for one read as the same token without its certificate,
# issue 23) is not shown: `scan --watch` holds the token as it was until
# a second read shows the same, so one half read reports nothing (no
# false "changed ... other-certificate"), while a loss that lasts is
# reported, and the token whole again is reported matched again; a
# token read half as it goes in is shown when it is read whole.
# tests/token/p11-faulty.so (TD_FAULTY_HALF) reads it half on demand.
# Out of process (the default) and in process.
. "${TD_SRCDIR:-$(dirname "$0")/../..}/tests/token/hsm-lib.sh"
hsm_init
FAULTY=${TD_BUILDDIR:?}/tests/token/p11-faulty.so
[ -f "$FAULTY" ] || fail "p11-faulty.so not built"
hsm_issue a rsa "/C=VN/L=Hưng Yên/O=Sở Nội vụ/CN=Trần Văn An" 7c01
S_A=$(hsm_token "An"); hsm_load "An" a 01
"$TOKENDESK" init >/dev/null || fail "init"
cat >"$HSM_DIR/agencies.csv" <<CSV
code,name,parent_code,level
HY,Tỉnh Hưng Yên,,province
SNV,Sở Nội vụ,HY,department
CSV
cat >"$HSM_DIR/certs.csv" <<CSV
cert_serial,kind,holder_name,holder_id,position,agency_code,not_before,not_after,token_serial,token_model,email
7c01,person,Trần Văn An,033190004321,,SNV,2024-01-01,2030-01-01,$S_A,,
CSV
"$TOKENDESK" import "$HSM_DIR/agencies.csv" "$HSM_DIR/certs.csv" >"$HSM_DIR/import.out" 2>&1 ||
	{ cat "$HSM_DIR/import.out" >&2; fail "import"; }

MODS=$HSM_DIR/mods
mkdir -p "$MODS" && chmod 755 "$HSM_DIR" "$MODS"
cp "$FAULTY" "$MODS/p11-faulty.so" && chmod 755 "$MODS/p11-faulty.so"
printf 'allow-module = %s/\n' "$MODS" >"$HSM_DIR/td.conf"
chmod 600 "$HSM_DIR/td.conf"
HALF=$HSM_DIR/half
TD_FAULTY_REAL=$HSM_MODULE TD_FAULTY_HALF=$HALF
export TD_FAULTY_REAL TD_FAULTY_HALF

# reads N: wait until the module has read the token half N times.
reads() {
	t0=$(now_ms)
	until [ "$(grep -c . "$HALF" 2>/dev/null)" -ge "$1" ]; do
		[ $(( $(now_ms) - t0 )) -lt $((5000 * TD_SLOW)) ] || fail "no half read #$1"
		sleep 0.005
	done
}

# round NAME: one watcher, both cases (out of process, the default, and
# in process: the hold counts the module's reads either way)
round() {
	out=$HSM_DIR/watch-$1.out
	rm -f "$HALF"
	"$TOKENDESK" --config "$HSM_DIR/td.conf" --module "$MODS/p11-faulty.so" \
		scan --watch --no-usb --poll-ms 500 >"$out" 2>"$HSM_DIR/watch.err" &
	pid=$!
	HSM_PIDS="$HSM_PIDS $pid"
	wait_line "inserted $S_A.*match matched" "$out" >/dev/null

	# 1. One half read, the next whole: nothing to report.
	: >"$HALF"; reads 1; rm -f "$HALF"
	sleep $((2 * TD_SLOW))   # two more reads, whole
	! grep -q "changed $S_A" "$out" || { cat "$out" >&2; fail "a single half read was shown"; }

	# 2. A loss that lasts is shown, after its second read, and the token
	# whole again is matched again.
	: >"$HALF"; reads 2
	wait_line "changed $S_A" "$out" >/dev/null
	grep "changed $S_A" "$out" | grep -q "other-certificate\|no-cert\|not-found\|no-certificate" ||
		{ cat "$out" >&2; fail "the lasting loss not shown as a mismatch"; }
	rm -f "$HALF"
	t0=$(now_ms)
	until [ "$(grep -c "changed $S_A.*match matched" "$out")" -ge 1 ]; do
		[ $(( $(now_ms) - t0 )) -lt $((5000 * TD_SLOW)) ] || { cat "$out" >&2; fail "whole again, not matched"; }
		sleep 0.05
	done
	kill -INT $pid
	st=0; wait $pid || st=$?
	[ $st = 0 ] || { cat "$HSM_DIR/watch.err" >&2; fail "watch exited $st"; }
}
round out-of-process
TOKENDESK_IN_PROCESS=1; export TOKENDESK_IN_PROCESS
round in-process
unset TOKENDESK_IN_PROCESS

# 3. A token read half as it goes in (no certificate yet) is not shown
# so: it comes in whole at the next read.  Made whole, then put in at
# once (its directory moved into SoftHSM2's store).
hsm_issue b rsa "/C=VN/L=Hưng Yên/O=Sở Nội vụ/CN=Lê Thị Bình" 7c02
S_B=$(hsm_token "Bình"); hsm_load "Bình" b 01
mkdir -p "$HSM_DIR/aside"
for d in "$HSM_DIR"/tokens/*; do
	case $d in *"$(echo "$S_B" | tail -c 9)") mv "$d" "$HSM_DIR/aside/" ;; esac
done
[ -n "$(ls "$HSM_DIR/aside")" ] || fail "token Bình not put aside"
out=$HSM_DIR/watch-in.out
rm -f "$HALF"
TD_FAULTY_HALF_LABEL=Bình "$TOKENDESK" --config "$HSM_DIR/td.conf" \
	--module "$MODS/p11-faulty.so" scan --watch --no-usb --poll-ms 500 >"$out" 2>&1 &
pid=$!
HSM_PIDS="$HSM_PIDS $pid"
wait_line "inserted $S_A" "$out" >/dev/null
: >"$HALF"
mv "$HSM_DIR"/aside/* "$HSM_DIR/tokens/"
reads 1; rm -f "$HALF"
wait_line "inserted $S_B" "$out" >/dev/null
sleep 1
grep -A2 "inserted $S_B" "$out" | grep -q "certificate 7c02" ||
	{ cat "$out" >&2; fail "a token read half as it went in was shown without its certificate"; }
grep -q "changed $S_B" "$out" && { cat "$out" >&2; fail "the token read half as it went in changed"; }
kill -INT $pid
st=0; wait $pid || st=$?
[ $st = 0 ] || fail "watch exited $st"
echo PASS
