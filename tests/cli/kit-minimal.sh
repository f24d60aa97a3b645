#!/bin/sh
# kit-minimal: a kit holds its agencies' subtrees and nothing of other
# agencies' people; ancestors come as names only; the desk's commands
# work on it as on the full registry; its audit chain verifies.
. "$TD_SRCDIR/tests/cli/count-common.sh"
province_test sqlite3
q() { sqlite3 "$tmp/kit.db" "$1"; }

# History that names other agencies' officials: T-XA-01 (an XA official's)
# is handed to SA; T-SA-02 (an SA official's) is in an SB official's hands.
"$move" "$tmp/reg.db" T-XA-01 agency:SA at_agency || td_fail "move"
"$move" "$tmp/reg.db" T-SA-02 holder:001090000005 in_use || td_fail "move"
(umask 022; td kit make --agencies SA -o "$tmp/kit.db" >/dev/null) || td_fail "kit make"
[ "$(stat -c %a "$tmp/kit.db")" = 600 ] || td_fail "kit is not 0600"
td kit make --agencies SA -o "$tmp/kit.db" 2>/dev/null && td_fail "overwrote a kit"
td kit make --agencies NOPE -o "$tmp/k2.db" 2>/dev/null && td_fail "unknown agency"
[ -e "$tmp/k2.db" ] && td_fail "a failed kit make left a file"

[ "$(q 'SELECT group_concat(code) FROM (SELECT code FROM agency ORDER BY code)')" = "DC,SA,SA1" ] ||
	td_fail "agencies: $(q 'SELECT group_concat(code) FROM agency')"
[ "$(q 'SELECT count(*) FROM holder')" = 5 ] || td_fail "holders"
[ "$(q "SELECT count(*) FROM holder WHERE name IN ('Hoàng Văn Em','Vũ Thị Giang','Đặng Văn Hùng','Sở B')")" = 0 ] ||
	td_fail "other agencies' holders are in the kit"
[ "$(q "SELECT count(*) FROM token WHERE serial LIKE 'T-SB%'")" = 0 ] ||
	td_fail "other agencies' tokens are in the kit"
[ "$(q "SELECT custodian FROM token WHERE serial = 'T-XA-01'")" = agency:SA ] ||
	td_fail "a token in SA's custody is not in SA's kit"
[ "$(q "SELECT count(*) FROM token WHERE serial = 'T-SA-02'")" = 0 ] ||
	td_fail "a token in another agency's official's hands is in the kit"
[ "$(q "SELECT count(*) FROM certificate WHERE serial IN ('b001','b002','b003','c001')")" = 0 ] ||
	td_fail "other agencies' certificates are in the kit"
[ "$(q 'SELECT count(*) FROM token')" = 5 ] || td_fail "kit tokens"
[ "$(q "SELECT count(*) FROM custody_event WHERE from_custodian LIKE 'holder:0010900000%'")" = 0 ] ||
	td_fail "custody history names other agencies' officials"
# No home audit rows (they hold other agencies' data): the kit's chain
# starts with its own kit.make row.
[ "$(q "SELECT group_concat(action) FROM audit")" = kit.make ] || td_fail "kit audit rows"
for s in 'Hoàng Văn Em' 001090000005 001090000007 'Đặng'; do
	q "SELECT count(*) FROM kit_base" >/dev/null
	grep -q "$s" "$tmp/kit.db" && td_fail "'$s' appears in the kit file"
done

# The desk's commands on the kit.
k() { "$TOKENDESK" --db "$tmp/kit.db" "$@"; }
k show token T-SA1-02 | grep -q "Phạm Thị Dung" || td_fail "show on kit"
k search "pham thi dung" | grep -q 001090000004 || td_fail "search on kit"
k search "hoang van em" | grep -q . && td_fail "search finds other agencies' people"
k audit verify >/dev/null || td_fail "kit audit chain"
id=$(k count start --agency SA) || td_fail "count on kit"
k count scan "$id" T-SA-01 | grep -q found || td_fail "scan on kit"
k audit verify >/dev/null || td_fail "kit audit chain after a count"
exit 0
