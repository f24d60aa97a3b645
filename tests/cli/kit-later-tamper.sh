#!/bin/sh
# kit-later-tamper: the rules of "kits are data" hold at every later
# merge of a kit too: after a first merge, a row edited with the sqlite3
# shell on the stick, or a trigger planted in it, is refused whole (exit
# 65, home unchanged), and so is home's copy of the kit as merged last
# (the base of the next merge) changed behind tokendesk's back; the
# honest later merge and a refresh are audited.
. "$TD_SRCDIR/tests/cli/count-common.sh"
province_test sqlite3

td kit make --agencies SB -o "$tmp/b.kit" >/dev/null || td_fail "kit make"
kb() { "$TOKENDESK" --db "$tmp/b.kit" "$@"; }
kb handover --to agency:SB T-SB-01 >/dev/null || td_fail "field 1"
td kit merge "$tmp/b.kit" >/dev/null || td_fail "merge 1"
kb handover --to agency:SB T-SB-02 >/dev/null || td_fail "field 2"
cp "$tmp/b.kit" "$tmp/honest.kit"
dump() { sqlite3 "$tmp/reg.db" .dump; }
dump >"$tmp/home.before"
refused() {   # what the refusal must say
	td kit merge "$tmp/b.kit" >"$tmp/out" 2>&1; st=$?
	[ $st = 65 ] || td_fail "$2: exit $st: $(cat "$tmp/out")"
	grep -q "$1" "$tmp/out" || td_fail "$2: $(cat "$tmp/out")"
	dump | cmp -s - "$tmp/home.before" || td_fail "$2 changed home"
	cp "$tmp/honest.kit" "$tmp/b.kit"
}

sqlite3 "$tmp/b.kit" "UPDATE token SET custodian = 'ca', state = 'sent_to_ca'
	WHERE serial = 'T-SB-03'" || td_fail "raw edit"
refused "token T-SB-03 is changed with no audit row of the kit recording it; the kit was edited outside tokendesk: not merged, nothing changed here" \
	"a raw edit after the first merge"
sqlite3 "$tmp/b.kit" "CREATE TRIGGER x AFTER UPDATE ON token BEGIN SELECT 1; END" ||
	td_fail "trigger"
refused "holds a trigger 'x'" "a trigger planted after the first merge"
cp "$tmp/reg.db" "$tmp/reg.keep"
sqlite3 "$tmp/reg.db" "UPDATE kit_merge_state SET snapshot = zeroblob(length(snapshot))" ||
	td_fail "snapshot edit"
td kit merge "$tmp/b.kit" >"$tmp/out" 2>&1; st=$?
[ $st = 65 ] && grep -q "copy of kit .* as merged last was changed" "$tmp/out" ||
	td_fail "a changed snapshot at home: exit $st: $(cat "$tmp/out")"
cp "$tmp/reg.keep" "$tmp/reg.db"

td kit merge "$tmp/b.kit" >"$tmp/out" || td_fail "the honest later merge: $(cat "$tmp/out")"
[ "$(sqlite3 "$tmp/reg.db" "SELECT count(*) FROM audit WHERE action = 'kit.merge'")" = 2 ] ||
	td_fail "each merge has its kit.merge row"
td audit log token T-SB-02 | grep -q "token.move" || td_fail "the later move has no home row"
td kit refresh "$tmp/b.kit" >/dev/null || td_fail "refresh"
[ "$(sqlite3 "$tmp/reg.db" "SELECT count(*) FROM audit WHERE action = 'kit.refresh'")" = 1 ] ||
	td_fail "the refresh is not audited"
td audit verify >/dev/null || td_fail "audit verify"
exit 0
