#!/bin/sh
# kit-refresh: `kit refresh KIT` gives a merged kit home's changes in its
# scope (a token home handed over, a dossier home added), keeps the kit's
# handover numbering and audit chain, and the next merge brings exactly
# the work recorded after the refresh.  A kit with unmerged work is
# refused (merge it first), and a refresh on a full stick leaves the kit
# as it was, with nothing left behind: all or nothing.
. "$TD_SRCDIR/tests/cli/count-common.sh"
province_test sqlite3

td kit make --agencies SA,SB -o "$tmp/s.kit" >/dev/null || td_fail "kit make"
kit() { TOKENDESK_OPERATOR=team "$TOKENDESK" --db "$tmp/s.kit" "$@"; }
kit handover --to agency:SA T-SA-01 >"$tmp/h1" || td_fail "field handover"
grep -q "^Handover BG-2026-[0-9A-F]*-0001:" "$tmp/h1" || td_fail "numbering: $(cat "$tmp/h1")"

# Not merged yet: refused, the kit untouched.
cp "$tmp/s.kit" "$tmp/before.kit"
td kit refresh "$tmp/s.kit" 2>"$tmp/err"; st=$?
[ $st = 65 ] || td_fail "refresh of an unmerged kit: exit $st"
grep -q "holds work not merged yet: merge it first" "$tmp/err" || td_fail "$(cat "$tmp/err")"
cmp -s "$tmp/s.kit" "$tmp/before.kit" || td_fail "the refused refresh changed the kit"

td kit merge "$tmp/s.kit" >/dev/null || td_fail "merge 1"
td handover --to dost --force --reason "nộp thẳng cho Sở" T-SB-01 >/dev/null || td_fail "home handover"
td dossier add --agency SB --kind renewal --ref HS-HOME >/dev/null || td_fail "home dossier"
td kit refresh "$tmp/s.kit" >"$tmp/r" || td_fail "refresh: $(cat "$tmp/r")"
grep -q "refreshed from home: 1 tokens, 1 custody moves, 1 dossiers, 0 tags, 0 officials changed" \
	"$tmp/r" || td_fail "refresh says: $(cat "$tmp/r")"
ls "$tmp" | grep -q refreshing && td_fail "a temporary file is left"
kit show token T-SB-01 | grep -q "custodian: *dost" || td_fail "the kit has stale custody"

# The kit's scope is what home recorded at kit make: its own meta edited
# on the stick to name the whole province draws nobody else in.
holders=$(sqlite3 "$tmp/s.kit" "SELECT count(*) FROM holder")
root=$(sqlite3 "$tmp/reg.db" "SELECT code FROM agency WHERE parent_id IS NULL LIMIT 1")
sqlite3 "$tmp/s.kit" "UPDATE meta SET value = '$root' WHERE key = 'kit_agencies'"
td kit refresh "$tmp/s.kit" >"$tmp/r2" || td_fail "refresh 2: $(cat "$tmp/r2")"
[ "$(sqlite3 "$tmp/s.kit" "SELECT count(*) FROM holder")" = "$holders" ] ||
	td_fail "the refresh took its scope from the kit's meta ($holders holders before)"
kit show token T-SA-01 | grep -q "custodian: *agency:SA" || td_fail "the field's move is gone"
kit dossier list | grep -q HS-HOME || td_fail "home's dossier is not in the kit"
kit audit verify >/dev/null || td_fail "the kit's audit chain after the refresh"
td audit log kit "$(sqlite3 "$tmp/s.kit" "SELECT value FROM meta WHERE key = 'kit_uuid'")" |
	grep -q "kit.refresh" || td_fail "home did not audit the refresh"

# Work after the refresh: numbering goes on, the merge brings only it.
kit handover --to agency:SA T-SA-02 >"$tmp/h2" || td_fail "field handover 2"
grep -q "^Handover BG-2026-[0-9A-F]*-0002:" "$tmp/h2" || td_fail "numbering: $(cat "$tmp/h2")"
kit dossier handover --from agency:SB --to agency:SA HS-HOME >/dev/null || td_fail "dossier"
td kit merge "$tmp/s.kit" >"$tmp/m2" || td_fail "merge 2: $(cat "$tmp/m2")"
grep -q "^2 handovers, 1 custody move since the kit was refreshed on 20" "$tmp/m2" ||
	td_fail "merge 2 says: $(cat "$tmp/m2")"
grep -q ", 0 conflicts" "$tmp/m2" || td_fail "merge 2: $(cat "$tmp/m2")"
td show token T-SA-02 | grep -q "custodian: *agency:SA" || td_fail "T-SA-02"
[ "$(sqlite3 "$tmp/reg.db" "SELECT a.code FROM dossier d JOIN agency a ON a.id = d.agency_id
     WHERE ref = 'HS-HOME'")" = SA ] || td_fail "the dossier's field handover"
[ "$(sqlite3 "$tmp/reg.db" "SELECT count(*) FROM handover WHERE series <> ''")" = 3 ] ||
	td_fail "field handovers not home once each"
td audit verify >/dev/null || td_fail "audit verify"
td kit merge "$tmp/s.kit" | grep -q "nothing new since it was merged last" || td_fail "merge 3"
# refreshed again and again, the kit does not grow (its image holds no
# earlier image)
size1=$(stat -c %s "$tmp/s.kit")
for n in 1 2 3; do td kit refresh "$tmp/s.kit" >/dev/null || td_fail "refresh $n"; done
[ "$(stat -c %s "$tmp/s.kit")" -le $((size1 * 3 / 2)) ] ||
	td_fail "the kit grew from $size1 to $(stat -c %s "$tmp/s.kit") bytes in 3 refreshes"
kit audit verify >/dev/null || td_fail "the kit's chain after 4 refreshes"

# A full stick: the refresh fails, the kit is as it was, nothing left.
if [ "$(id -u)" = 0 ] && mkdir "$tmp/usb" &&
   mount -t tmpfs -o size=$(( $(stat -c %s "$tmp/s.kit") / 1024 + 200 ))k,mode=700 \
	tmpfs "$tmp/usb" 2>/dev/null; then
	trap 'umount "$tmp/usb"; [ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
	cp "$tmp/s.kit" "$tmp/usb/s.kit"
	td handover --to dost --force --reason "nộp thẳng cho Sở" T-SB-02 >/dev/null || td_fail "home handover 2"
	refreshes=$(sqlite3 "$tmp/reg.db" "SELECT count(*) FROM audit WHERE action = 'kit.refresh'")
	td kit refresh "$tmp/usb/s.kit" 2>"$tmp/err"; st=$?
	[ $st = 74 ] || td_fail "refresh on a full stick: exit $st: $(cat "$tmp/err")"
	grep -q "not refreshed (it is as it was)" "$tmp/err" || td_fail "$(cat "$tmp/err")"
	cmp -s "$tmp/usb/s.kit" "$tmp/s.kit" || td_fail "the full stick's kit changed"
	[ "$(ls "$tmp/usb")" = s.kit ] || td_fail "left on the stick: $(ls "$tmp/usb")"
	[ "$(sqlite3 "$tmp/reg.db" "SELECT count(*) FROM audit WHERE action = 'kit.refresh'")" = \
	  "$refreshes" ] || td_fail "home recorded a refresh that failed"
fi
exit 0
