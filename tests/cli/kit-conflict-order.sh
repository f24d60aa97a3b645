#!/bin/sh
# kit-conflict-order: one token, two open conflicts from two merges of the
# same kit (the field moved it again while the first was open).  The
# second's "handover at home" is home's own move, not the field's first
# (brought by the earlier merge); the later one cannot be decided before
# the older (deciding it first let the older field version win last);
# decided in order, both ways, audit verify passes.
. "$TD_SRCDIR/tests/cli/count-common.sh"
province_test sqlite3
K() { "$TOKENDESK" --db "$tmp/a.kit" "$@"; }

td kit make --agencies SB -o "$tmp/a.kit" >/dev/null || td_fail "kit make"
TOKENDESK_OPERATOR=team K handover --to agency:SB T-SB-01 >/dev/null || td_fail "field 1"
td handover --to dost --force --reason "nộp thẳng" T-SB-01 >/dev/null || td_fail "home"
td kit merge "$tmp/a.kit" >/dev/null || td_fail "merge 1"
TOKENDESK_OPERATOR=team K handover --to holder:001090000005 T-SB-01 >/dev/null ||
	td_fail "field 2"
td kit merge "$tmp/a.kit" >/dev/null || td_fail "merge 2"
home=$(sqlite3 "$tmp/reg.db" "SELECT h.number FROM custody_event e JOIN handover h
	ON h.id = e.handover_id WHERE e.to_custodian = 'dost'")
td kit conflicts >"$tmp/c" || td_fail "kit conflicts"
[ "$(grep -c "handover at home: $home;" "$tmp/c")" = 2 ] ||
	td_fail "labels name another handover than home's $home: $(cat "$tmp/c")"

td kit resolve 2 --keep field >"$tmp/out" 2>&1 && td_fail "the later conflict decided first"
grep -q "same record as conflict 1, still open" "$tmp/out" || td_fail "refusal: $(cat "$tmp/out")"
for keep in home field; do
	cp "$tmp/reg.db" "$tmp/$keep.db"
	"$TOKENDESK" --db "$tmp/$keep.db" kit resolve 1 --keep "$keep" >/dev/null &&
		"$TOKENDESK" --db "$tmp/$keep.db" kit resolve 2 --keep field >/dev/null ||
		td_fail "in order ($keep, field)"
	"$TOKENDESK" --db "$tmp/$keep.db" audit verify >/dev/null || td_fail "verify ($keep)"
	[ "$(sqlite3 "$tmp/$keep.db" "SELECT custodian FROM token WHERE serial = 'T-SB-01'")" = \
		holder:001090000005 ] || td_fail "the field's last move kept ($keep)"
done
exit 0
