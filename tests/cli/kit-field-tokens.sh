#!/bin/sh
# kit-field-tokens: the tokens of a certificate list imported whole in
# the field.  The kit was made for SB; the team imported the province's
# whole list, so SA's, SA1's and XA's certificates came onto the stick
# with their tokens, which home registered too.  Tokens home holds as the
# field does are no conflict (their kit ids map to home's, as master data
# does); a token home has since moved (handed to its agency) is one, its
# home side home's token, and keeping the field's version is refused in
# words, not as an SQL error (its custody moves only by a handover);
# home's version keeps home's custody.  audit verify passes throughout.
. "$TD_SRCDIR/tests/cli/count-common.sh"
province_test sqlite3
q() { sqlite3 "$tmp/reg.db" "$1"; }

td kit make --agencies SB -o "$tmp/a.kit" >/dev/null || td_fail "kit make"
# home moves one of SA's tokens after the kit was made
td handover --to agency:SA T-SA-01 >"$tmp/out" 2>&1 ||
	td_fail "home handover: $(cat "$tmp/out")"
TOKENDESK_OPERATOR=team "$TOKENDESK" --db "$tmp/a.kit" import "$tmp/agencies.csv" \
	"$tmp/certs.csv" >"$tmp/out" 2>&1 || td_fail "field import: $(cat "$tmp/out")"
td kit merge "$tmp/a.kit" >"$tmp/out" 2>&1 || td_fail "merge: $(cat "$tmp/out")"
td audit verify >/dev/null 2>&1 || td_fail "verify after the merge"
[ "$(q "SELECT count(*) FROM kit_conflict WHERE tbl = 'token'")" = 1 ] ||
	td_fail "not one token conflict: $(q "SELECT id, reason, field_new FROM kit_conflict")"
c=$(q "SELECT id FROM kit_conflict WHERE tbl = 'token' AND json_extract(field_new, '$.serial') = 'T-SA-01'")
[ -n "$c" ] || td_fail "the token home moved is not the conflict"
[ "$(q "SELECT json_extract(home, '$.custodian') FROM kit_conflict WHERE id = $c")" = "agency:SA" ] ||
	td_fail "the conflict's home side is not home's token: $(q "SELECT home FROM kit_conflict WHERE id = $c")"
[ "$(q "SELECT count(*) FROM token")" = 9 ] || td_fail "a token was added twice"

resolve_refused "$c" "home holds a row of the same key"
td --lang vi kit resolve "$c" --keep field >"$tmp/out" 2>&1
grep -q "trụ sở đã có bản ghi cùng khoá" "$tmp/out" || td_fail "refusal (vi): $(cat "$tmp/out")"

td kit resolve "$c" --keep home >"$tmp/out" 2>&1 || td_fail "keep home: $(cat "$tmp/out")"
[ "$(q "SELECT custodian FROM token WHERE serial = 'T-SA-01'")" = "agency:SA" ] ||
	td_fail "home's custody lost"
td audit verify >"$tmp/out" 2>&1 || td_fail "verify after resolving: $(cat "$tmp/out")"
exit 0
