#!/bin/sh
# kit-race: two `kit merge` of the same kit at once (two desks, or a desk
# and a script): both read the kit and find it not merged yet; the first
# to take the write lock merges, the other finds it merged under the lock
# and says "merged meanwhile; nothing changed" (in Vietnamese with
# --lang vi), exit 0, and home holds the kit's work once (issue 21,
# item 10).  TOKENDESK_TEST_MERGE_PAUSE_MS (test only, kit_merge.c) holds
# each merge after its checks so that both pass them before either
# commits; the two are real processes, started together.
. "$TD_SRCDIR/tests/cli/count-common.sh"
province_test sqlite3
q() { sqlite3 "$tmp/reg.db" "$1"; }

# race KIT LANG WORDS: two merges of KIT with --lang LANG; one merged,
# the other printed WORDS; home took the kit once.
race() {
	TOKENDESK_TEST_MERGE_PAUSE_MS=1500 td --lang "$2" kit merge "$1" > "$tmp/m1" 2>&1 &
	p1=$!
	TOKENDESK_TEST_MERGE_PAUSE_MS=1500 td --lang "$2" kit merge "$1" > "$tmp/m2" 2>&1 &
	p2=$!
	wait $p1; r1=$?
	wait $p2; r2=$?
	[ $r1 = 0 ] && [ $r2 = 0 ] ||
		td_fail "exits $r1 $r2: $(cat "$tmp/m1" "$tmp/m2")"
	cat "$tmp/m1" "$tmp/m2" > "$tmp/both"
	# the merge's line, in either language (issue 25 translated it)
	[ "$(grep -c ' merged: \|^đã hợp nhất bộ ' "$tmp/both")" = 1 ] ||
		td_fail "not one merge: $(cat "$tmp/both")"
	[ "$(grep -c "$3" "$tmp/both")" = 1 ] || td_fail "no '$3': $(cat "$tmp/both")"
	[ "$(wc -l < "$tmp/both")" -le 3 ] || td_fail "more said: $(cat "$tmp/both")"
}

td kit make --agencies SB -o "$tmp/a.kit" >/dev/null || td_fail "kit make a"
td kit make --agencies XA -o "$tmp/b.kit" >/dev/null || td_fail "kit make b"
"$TOKENDESK" --db "$tmp/a.kit" handover --to agency:SB T-SB-01 >/dev/null || td_fail "field a"
"$TOKENDESK" --db "$tmp/b.kit" handover --to dost --force --reason "nộp thẳng cho Sở" T-XA-01 >/dev/null || td_fail "field b"

race "$tmp/a.kit" en "merged meanwhile; nothing changed"
race "$tmp/b.kit" vi "đã được hợp nhất trong lúc đó; không có gì thay đổi"

[ "$(q "SELECT count(*) FROM kit_merged")" = 2 ] || td_fail "kits merged: $(q "SELECT * FROM kit_merged")"
[ "$(q "SELECT count(*) FROM kit_conflict")" = 0 ] || td_fail "conflicts from the race"
[ "$(q "SELECT count(*) FROM handover")" = 2 ] || td_fail "handovers: $(q "SELECT number FROM handover")"
[ "$(q "SELECT count(*) FROM audit WHERE action = 'kit.merge'")" = 2 ] || td_fail "kit.merge rows"
[ "$(q "SELECT count(*) FROM audit WHERE action = 'token.merge'")" = 2 ] || td_fail "token.merge rows"
td audit verify >/dev/null || td_fail "audit chain after the race"

# A later merge of a kit used again (issue 28): the same race, the same
# answer, and the field's new move home once.
"$TOKENDESK" --db "$tmp/a.kit" handover --to agency:SB T-SB-02 >/dev/null ||
	td_fail "field a, after its merge"
race "$tmp/a.kit" en "merged meanwhile; nothing changed"
[ "$(q "SELECT count(*) FROM custody_event e JOIN token t ON t.id = e.token_id
     WHERE t.serial = 'T-SB-02'")" = 1 ] || td_fail "the later move is not home once"
td audit verify >/dev/null || td_fail "audit chain after the later race"
exit 0
