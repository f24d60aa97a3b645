#!/bin/sh
# kit-handover: the desk's own handovers (handover, handover_item and the
# custody events tied to them) and tags recorded in two field kits come
# home whatever the merge order, renumbered consistently, with their
# signed numbers unchanged (each kit numbers in a range of its own); the
# same token handed over at home and in the field is a listed conflict.
. "$TD_SRCDIR/tests/cli/count-common.sh"
province_test sqlite3 python3

td handover --to dost --force --reason "nộp thẳng cho Sở" T-SB-02 >/dev/null || td_fail "home handover"
td tag collect T-SA1-02 --reason "thu hồi" >/dev/null || td_fail "home tag"
td tag revoke b001 --reason "chuyển công tác" >/dev/null || td_fail "home tag b"
td kit make --agencies SA -o "$tmp/a.kit" >/dev/null || td_fail "kit a"
td kit make --agencies SB,XA -o "$tmp/b.kit" >/dev/null || td_fail "kit b"
ka() { "$TOKENDESK" --db "$tmp/a.kit" "$@"; }
# The team sees the tags on its route, and only those.
[ "$(sqlite3 "$tmp/a.kit" "SELECT group_concat(target) FROM tag")" = T-SA1-02 ] ||
	td_fail "kit tags: $(sqlite3 "$tmp/a.kit" "SELECT group_concat(target) FROM tag")"
kb() { "$TOKENDESK" --db "$tmp/b.kit" "$@"; }
na=$(TOKENDESK_OPERATOR=team-a ka handover --to agency:SA T-SA-01 T-SA-02 |
     sed -n 's/^Handover \([^:]*\):.*/\1/p') || td_fail "field handover a"
TOKENDESK_OPERATOR=team-a ka tag revoke a002 --reason "nghỉ hưu" >/dev/null ||
	td_fail "field tag"
nb=$(TOKENDESK_OPERATOR=team-b kb handover --to agency:XA T-XA-01 |
     sed -n 's/^Handover \([^:]*\):.*/\1/p') || td_fail "field handover b"
TOKENDESK_OPERATOR=team-b kb handover --to agency:SB T-SB-01 >/dev/null ||
	td_fail "field handover b2"
# Home hands T-SB-01 over too: a conflict; and signs a number of its own.
nh=$(td handover --to dost --force --reason "nộp thẳng cho Sở" T-SB-01 | sed -n 's/^Handover \([^:]*\):.*/\1/p')
[ -n "$na" ] && [ -n "$nb" ] && [ -n "$nh" ] || td_fail "handover numbers: '$na' '$nb' '$nh'"
[ "$na" != "$nb" ] && [ "$na" != "$nh" ] && [ "$nb" != "$nh" ] ||
	td_fail "kits and home number alike: $na $nb $nh"

cp "$tmp/reg.db" "$tmp/ab.db"
cp "$tmp/reg.db" "$tmp/ba.db"
for order in "ab a b" "ba b a"; do
	set -- $order
	for k in "$2" "$3"; do
		"$TOKENDESK" --db "$tmp/$1.db" kit merge "$tmp/$k.kit" >/dev/null ||
			td_fail "merge $k into $1"
	done
	"$TOKENDESK" --db "$tmp/$1.db" audit verify >/dev/null || td_fail "audit chain ($1)"
done
digest() {
	registry_digest "$1"
	sqlite3 "$1" "
SELECT 'handover', number, kind, to_custodian, operator FROM handover ORDER BY 2;
SELECT 'item', h.number, i.pos, i.key, t.serial, e.to_custodian, eh.number
  FROM handover_item i JOIN handover h ON h.id = i.handover_id
  LEFT JOIN token t ON t.id = i.token_id
  LEFT JOIN custody_event e ON e.id = i.event_id
  LEFT JOIN handover eh ON eh.id = e.handover_id ORDER BY 2, 3;
SELECT 'tag', target_kind, target, kind, reason FROM tag ORDER BY 2, 3;"
}
digest "$tmp/ab.db" > "$tmp/ab.txt"
digest "$tmp/ba.db" > "$tmp/ba.txt"
diff "$tmp/ab.txt" "$tmp/ba.txt" >&2 || td_fail "merge order changes the registry"

# Items point at their own handover and at the custody event of the same
# handover; the field's numbers are kept as signed.
grep -q "^item|$na|0|T-SA-01|T-SA-01|agency:SA|$na\$" "$tmp/ab.txt" ||
	td_fail "item of $na: $(grep "^item|$na" "$tmp/ab.txt")"
grep -q "^item|$nb|0|T-XA-01|T-XA-01|agency:XA|$nb\$" "$tmp/ab.txt" || td_fail "item of $nb"
grep -q "^tag|cert|a002|revoke|nghỉ hưu\$" "$tmp/ab.txt" || td_fail "field tag lost"
grep -q "^token|T-SA-02|agency:SA|" "$tmp/ab.txt" || td_fail "field handover not applied"
# The doubly handed-over token: home's version stands, the conflict waits.
grep -q "^token|T-SB-01|dost|" "$tmp/ab.txt" || td_fail "conflict decided silently"
[ "$(grep -c '^conflict|' "$tmp/ab.txt")" = 1 ] || td_fail "conflicts: $(grep '^conflict' "$tmp/ab.txt")"
"$TOKENDESK" --db "$tmp/ab.db" kit conflicts | grep -q "T-SB-01\|token" ||
	td_fail "kit conflicts does not list it"
"$TOKENDESK" --db "$tmp/ab.db" receipt "$na" >/dev/null || td_fail "receipt of a field handover"

# The token's history has both moves; the field's is marked as the
# conflict's, whose decision says whether it stands; home's is not.
conflict_of() {  # DB: "number:id:status" per move of T-SB-01
	"$TOKENDESK" --db "$1" show token T-SB-01 --json | python3 -c '
import json, sys
for e in json.load(sys.stdin)["history"]:
    c = e.get("conflict")
    print("%s:%s" % (e["remarks"].split()[-1],
                     "%d:%s" % (c["id"], c["status"]) if c else "-"))'
}
id=$(sqlite3 "$tmp/ab.db" "SELECT id FROM kit_conflict")
nb2=$(sqlite3 "$tmp/ab.db" "SELECT number FROM handover WHERE series <> ''
	AND number <> '$nb' AND to_custodian = 'agency:SB'")
[ "$(conflict_of "$tmp/ab.db" | sort | tr '\n' ' ')" = \
  "$(printf '%s\n' "$nh:-" "$nb2:$id:open" | sort | tr '\n' ' ')" ] ||
	td_fail "history of T-SB-01: $(conflict_of "$tmp/ab.db")"
"$TOKENDESK" --db "$tmp/ab.db" show token T-SB-01 |
	grep -A1 -- "-> agency:SB .*$nb2" | grep -q "field kit conflict $id: open" ||
	td_fail "show token does not mark the field's move: $("$TOKENDESK" --db "$tmp/ab.db" show token T-SB-01)"
for keep in home field; do
	cp "$tmp/ab.db" "$tmp/$keep.db"
	"$TOKENDESK" --db "$tmp/$keep.db" kit resolve "$id" --keep $keep >/dev/null ||
		td_fail "resolve --keep $keep"
	conflict_of "$tmp/$keep.db" | grep -q "^$nb2:$id:kept_$keep\$" ||
		td_fail "after keep $keep: $(conflict_of "$tmp/$keep.db")"
done
"$TOKENDESK" --db "$tmp/home.db" show token T-SB-01 | grep -q "this move did not stand" ||
	td_fail "keep home: the field's move reads as if it stood"
# The other kit's moves met no conflict.
"$TOKENDESK" --db "$tmp/ab.db" show token T-SA-01 --json | grep -q conflict &&
	td_fail "a move without a conflict is marked"
exit 0
