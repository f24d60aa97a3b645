#!/bin/sh
# count-watch: `count watch` scans each token plugged in into the count
# (source "inserted"): one the registry places in scope is found, one it
# does not know is unknown; Ctrl-C stops, and the count reports them.
. "${TD_SRCDIR:-$(dirname "$0")/../..}/tests/token/hsm-lib.sh"
hsm_init
command -v sqlite3 >/dev/null || skip "sqlite3 not installed"
command -v python3 >/dev/null || skip "python3 not installed"
export TOKENDESK_OPERATOR=tester

S1=$(hsm_token "Token An")
"$TOKENDESK" init >/dev/null || fail "init"
cat >"$HSM_DIR/agencies.csv" <<CSV
code,name,parent_code,level
HY,Tỉnh Hưng Yên,,province
SA,Sở A,HY,department
CSV
cat >"$HSM_DIR/certs.csv" <<CSV
cert_serial,kind,holder_name,holder_id,position,agency_code,not_before,not_after,token_serial,token_model,email
a1,person,Nguyễn Văn An,001090000001,Chuyên viên,SA,2024-01-01,2027-01-01,$S1,SoftHSM,
a2,person,Trần Thị Bình,001090000002,Chuyên viên,SA,2024-01-01,2027-01-01,T-ABSENT,ePass,
CSV
"$TOKENDESK" import "$HSM_DIR/agencies.csv" "$HSM_DIR/certs.csv" >/dev/null || fail "import"
id=$("$TOKENDESK" count start --agency SA) || fail "count start"

out=$HSM_DIR/watch.out
"$TOKENDESK" --module "$HSM_MODULE" count watch "$id" --no-usb >"$out" 2>"$HSM_DIR/watch.err" &
pid=$!
HSM_PIDS="$HSM_PIDS $pid"
wait_line "$S1.*found" "$out" >/dev/null
S2=$(hsm_token "Token lạ")
wait_line "$S2.*unknown" "$out" >/dev/null
kill -INT $pid
st=0; wait $pid || st=$?
[ $st = 0 ] || { cat "$HSM_DIR/watch.err" >&2; fail "count watch exited $st after SIGINT"; }

"$TOKENDESK" count report "$id" --json >"$HSM_DIR/r.json" || fail "report"
python3 - "$HSM_DIR/r.json" "$S1" "$S2" <<'PY' || fail "report: $(cat "$HSM_DIR/r.json")"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["found"] == [sys.argv[2].upper()], r["found"]
assert r["unknown"] == [sys.argv[3].upper()], r["unknown"]
assert r["missing"] == ["T-ABSENT"], r["missing"]
PY
[ "$(sqlite3 "$TOKENDESK_DB" "SELECT group_concat(DISTINCT source) FROM count_scan")" = inserted ] ||
	fail "watch scans are not recorded as inserted"
"$TOKENDESK" audit verify >/dev/null || fail "audit chain"
exit 0
