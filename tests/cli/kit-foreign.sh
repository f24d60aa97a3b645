#!/bin/sh
# kit-foreign: a kit this registry never made is refused (exit 65, named,
# home unchanged).  Another registry filled from the same lists by the
# same operator in the same second has, audit row for audit row, this
# one's chain, so the head a kit quotes may be here too: the kit must
# also be one whose uuid this registry noted (kit.begin, kit.make).  Kits made here
# still merge, and a kit made here before another was made elsewhere
# keeps merging.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"
command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 not installed"; exit 77; }

# home and the other registry, the same second (the chain is the same)
export TOKENDESK_TEST_NOW=2026-03-02T08:00:00Z
demo_import || { echo "demo import failed"; exit 1; }
mkdir -m 700 "$tmp/other"
TOKENDESK_DB=$tmp/other/reg.db demo_import || { echo "other import failed"; exit 1; }
expect_eq "$(sqlite3 "$tmp/other/reg.db" "SELECT hash FROM audit ORDER BY id DESC LIMIT 1")" \
	"$(sqlite3 "$TOKENDESK_DB" "SELECT hash FROM audit ORDER BY id DESC LIMIT 1")" \
	"the two chains' heads (the attack needs them equal)"
unset TOKENDESK_TEST_NOW

# the kit made there, and a handover recorded in it "by" someone else
TOKENDESK_DB=$tmp/other/reg.db expect_status 0 td kit make --agencies DC.STP -o "$tmp/foreign.kit"
expect_status 0 td --db "$tmp/foreign.kit" --operator "Giám đốc Sở" handover \
	--to agency:DC.STP 5134DA51
sqlite3 "$TOKENDESK_DB" .dump >"$tmp/home.before"
expect_status 65 td kit merge "$tmp/foreign.kit"
expect_in "$tmp/err" "was not made from this registry ("
sqlite3 "$TOKENDESK_DB" .dump | cmp -s - "$tmp/home.before" || fail "the refused kit changed home"
# ... and quoting home's own head as its anchor (its meta edited: the
# head is no secret), still refused: home never noted its uuid
head=$(sqlite3 "$TOKENDESK_DB" "SELECT id || ':' || hash FROM audit ORDER BY id DESC LIMIT 1")
sqlite3 "$tmp/foreign.kit" "UPDATE meta SET value = '$head' WHERE key = 'kit_home_audit_head'"
expect_status 65 td kit merge "$tmp/foreign.kit"
expect_in "$tmp/err" "was not made from this registry (this registry's audit has no kit make of it); not merged"
sqlite3 "$TOKENDESK_DB" .dump | cmp -s - "$tmp/home.before" || fail "the refused kit changed home (2)"

# ... and relabelled with the uuid of a kit home did make, its anchor
# left out: the image it holds of itself is not the one home recorded
expect_status 0 td kit make --agencies DC.STC -o "$tmp/real.kit"
real=$(sqlite3 "$tmp/real.kit" "SELECT value FROM meta WHERE key = 'kit_uuid'")
sqlite3 "$tmp/foreign.kit" "UPDATE meta SET value = '$real' WHERE key = 'kit_uuid';
	DELETE FROM meta WHERE key = 'kit_home_audit_head'"
sqlite3 "$TOKENDESK_DB" .dump >"$tmp/home.before"
expect_status 65 td kit merge "$tmp/foreign.kit"
expect_in "$tmp/err" "(the image it holds of itself is not the one this registry recorded for it); not merged"
sqlite3 "$TOKENDESK_DB" .dump | cmp -s - "$tmp/home.before" || fail "the refused kit changed home (3)"
expect_status 0 td kit merge "$tmp/real.kit"

# a kit made here merges, the same handover with it
expect_status 0 td kit make --agencies DC.STP -o "$tmp/home.kit"
expect_status 0 td --db "$tmp/home.kit" handover --to agency:DC.STP 5134DA51
expect_status 0 td kit merge "$tmp/home.kit"
expect_status 0 td audit verify
finish
