#!/bin/sh
# watch-moved: a long-running command (count watch) whose registry is
# replaced under it (`mv other.db registry.db`, issue 21 item 6) refuses
# the next write: the token plugged in is not reported as counted, the
# command stops with exit 74 and says the registry was moved, and the
# file moved in is unchanged.
. "${TD_SRCDIR:-$(dirname "$0")/../..}/tests/token/hsm-lib.sh"
hsm_init
command -v sqlite3 >/dev/null || skip "sqlite3 not installed"
export TOKENDESK_OPERATOR=tester

"$TOKENDESK" init >/dev/null || fail "init"
cat >"$HSM_DIR/agencies.csv" <<CSV
code,name,parent_code,level
HY,Tỉnh Hưng Yên,,province
SA,Sở A,HY,department
CSV
"$TOKENDESK" import "$HSM_DIR/agencies.csv" >/dev/null || fail "import"
id=$("$TOKENDESK" count start --agency SA) || fail "count start"
cp -p "$TOKENDESK_DB" "$HSM_DIR/other.db"
other_sum=$(sha256sum <"$HSM_DIR/other.db")

out=$HSM_DIR/watch.out err=$HSM_DIR/watch.err
"$TOKENDESK" --module "$HSM_MODULE" count watch "$id" --no-usb >"$out" 2>"$err" &
pid=$!
HSM_PIDS="$HSM_PIDS $pid"
# its last word before it waits for tokens
wait_line "plug the tokens in one by one; Ctrl-C stops" "$err" >/dev/null
mv "$HSM_DIR/other.db" "$TOKENDESK_DB"
S1=$(hsm_token "Token An")
wait_line "moved, replaced or deleted since it was opened; nothing was recorded" "$err" >/dev/null
st=0; wait $pid || st=$?
[ $st = 74 ] || fail "count watch exited $st, want 74: $(cat "$err")"
! grep -q "$S1" "$out" || fail "the token was reported counted: $(cat "$out")"
[ "$(sha256sum <"$TOKENDESK_DB")" = "$other_sum" ] || fail "the file moved in was written"
rm -f "$TOKENDESK_DB-wal" "$TOKENDESK_DB-shm"   # the replaced file's
[ "$(sqlite3 "$TOKENDESK_DB" "SELECT count(*) FROM count_scan")" = 0 ] ||
	fail "a scan reached the file moved in"
"$TOKENDESK" audit verify >/dev/null || fail "audit chain"
exit 0
