#!/bin/sh
# kit-honest: a kit worked in the field with tokendesk itself (a token
# handover, a dossier added and two handed over, a count started,
# scanned and closed) merges whole, and every row it changes or adds at
# home gets a home audit row in the form of that table's ordinary writer:
# `audit log token T` shows the move (not only the field's k-rows), the
# newest home row of each record holds the record as it now stands, and
# `audit verify` passes (issue 21, item 2).
. "$TD_SRCDIR/tests/cli/count-common.sh"
province_test sqlite3
q() { sqlite3 "$tmp/reg.db" "$1"; }
K() { "$TOKENDESK" --db "$tmp/field.kit" "$@"; }

td dossier add --agency SB --kind renewal --ref HS-OLD >/dev/null || td_fail "dossier at home"
td kit make --agencies SB,XA -o "$tmp/field.kit" >/dev/null || td_fail "kit make"
export TOKENDESK_OPERATOR=team-b
K handover --to agency:SB T-SB-01 >/dev/null || td_fail "field handover"
# Text a clerk may type (control characters are refused as typed):
# quotes, a backslash and Vietnamese.  The merge pairs each custody
# event with its token.move row through one JSON text per side
# (kit_pairs.c); these are escaped there, and must still pair.
remarks='giao lại "gấp" a\b, hết hạn'
K handover --to agency:SB --condition 'vỏ "trầy"' --remarks "$remarks" T-SB-02 \
	>/dev/null || td_fail "field handover with typed text"
K dossier add --agency SB --kind renewal --ref HS-1 >/dev/null || td_fail "field dossier"
K dossier handover --from agency:SB --to agency:XA HS-1 HS-OLD >/dev/null ||
	td_fail "field dossier handover"
c=$(K count start --agency SB) || td_fail "field count"
K count scan "$c" T-SB-01 T-SB-02 >/dev/null || td_fail "field scans"
K count close "$c" -o "$tmp" >/dev/null || td_fail "field count close"
export TOKENDESK_OPERATOR=home

td kit merge "$tmp/field.kit" > "$tmp/out" 2>&1 || td_fail "merge: $(cat "$tmp/out")"
grep -q " 0 conflicts" "$tmp/out" || td_fail "merge: $(cat "$tmp/out")"
td audit verify > "$tmp/verify" 2>&1 || td_fail "audit verify: $(cat "$tmp/verify")"

# The move in the home chain, as the handover writer records it.
td audit log token T-SB-01 > "$tmp/log" || td_fail "audit log"
grep -Eq '^[0-9]+ .* token\.merge ' "$tmp/log" ||
	td_fail "no home audit row of the field's move: $(cat "$tmp/log")"
grep -q '"custodian":"agency:SB"' "$tmp/log" || td_fail "the move's after: $(cat "$tmp/log")"

got=$(q "SELECT e.remarks FROM custody_event e JOIN token t ON t.id = e.token_id
         WHERE t.serial = 'T-SB-02' ORDER BY e.id DESC LIMIT 1")
case $got in   # the handover adds its number
"$remarks; handover BG-"*) ;;
*) td_fail "the typed remarks came home as: $got" ;;
esac

# newest KIND KEY: the after of the newest home audit row of a record.
newest() {
	q "SELECT after FROM audit WHERE entity = '$1' AND entity_key = '$2'
	   ORDER BY id DESC LIMIT 1"
}
[ "$(newest token T-SB-01)" = "$(q "SELECT json_object('serial', serial, 'model',
     model, 'state', state, 'custodian', custodian) FROM token WHERE serial = 'T-SB-01'")" ] ||
	td_fail "token T-SB-01: the audit says $(newest token T-SB-01)"
for ref in HS-1 HS-OLD; do
	newest dossier "$ref" | grep -q '"agency":"XA"' ||
		td_fail "dossier $ref: the audit says $(newest dossier "$ref")"
done
for n in $(q "SELECT number FROM handover WHERE number LIKE 'BG-%-%-%'"); do
	[ -n "$(newest handover "$n")" ] || td_fail "handover $n has no home audit row"
done
uid=$(q "SELECT uid FROM count_session")
[ "$(q "SELECT group_concat(action, ' ') FROM (SELECT action FROM audit WHERE
     entity = 'count' AND entity_key = '$uid' ORDER BY id)")" = "count.start count.close" ] ||
	td_fail "count $uid: home audit rows $(q "SELECT action FROM audit WHERE entity = 'count'")"
exit 0
