#!/bin/sh
# Kit conflicts in the desk, at 80x24: a token handed over both at home
# and in the field, and an official's e-mail edited in the field (as in
# tests/cli/kit-conflict.sh), are listed with home's and the field's
# values side by side; k opens the screen; a refused confirmation decides
# nothing; one is decided "keep field" and one "keep home" by keys; the
# CLI then sees no open conflict, both versions applied as chosen, the
# decisions audited and the audit chain whole.
. "$TD_SRCDIR/tests/tui/lib.sh"
command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 not installed"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "python3 not installed"; exit 77; }
. "$TD_SRCDIR/tests/cli/count-common.sh"
td() { "$TOKENDESK" --db "$tmp/reg.db" "$@"; }
move="$TD_BUILDDIR/tests/cli/kit-move"

make_province "$tmp"
td kit make --agencies SB -o "$tmp/b.kit" >/dev/null || fail "kit make"
"$move" "$tmp/b.kit" T-SB-01 agency:SB at_agency || fail "field move"
"$move" "$tmp/reg.db" T-SB-01 dost at_dost || fail "home move"
# the e-mail comes in the field with the official's certificate, imported
# there (audited: a raw tool's edit would be refused whole)
{ head -1 "$tmp/certs.csv"
  grep '^b001,' "$tmp/certs.csv" | sed 's/,$/,em@sob.gov.vn/'
} > "$tmp/email.csv"
"$TOKENDESK" --db "$tmp/b.kit" import "$tmp/email.csv" >/dev/null || fail "field import"
td kit merge "$tmp/b.kit" | grep -q "2 conflicts" || fail "the merge kept no conflicts"

start_desk 80 24 -- --lang en
keys K
wait_for "Field-kit conflicts: 2 open" || fail "K did not list the 2 open conflicts"
wait_for "#2  Token T-SB-01: b001, Hoàng Văn Em (001090000005), SB Sở B" ||
	fail "the token conflict does not name its record by serial, certificate, holder and agency"
screen | grep -q "changed both in the field and at home" || fail "no reason shown"
# home now, the field's new value, and what the field started from
screen | grep -q "Custodian  *dost  *agency:SB  *holder:001090000005" ||
	fail "the token conflict lacks home's and the field's custodians"
screen | grep -q "State  *at_dost  *at_agency  *in_use" || fail "states not side by side"
screen | grep -q "#1  Official Hoàng Văn Em (001090000005)" || fail "holder conflict not named"
screen | grep -q "Email  *—  *em@sob.gov.vn" || fail "the field's e-mail is not shown"
screen | grep -q "…" && fail "something is cut off at 80x24"

# the token conflict: Enter, field, then n: nothing decided
keys Down
keys Enter
wait_for "Conflict 2: which version stays?" || fail "Enter did not ask which version"
keys 2
wait_for "Keep the field's version?" || fail "2 did not ask to confirm keeping the field"
keys n
wait_for "Nothing was decided." || fail "n did not cancel"
[ "$(td kit conflicts --json | grep -c '"status": "open"')" = 2 ] || fail "n decided something"
# now for real, straight from the list
keys 2
wait_for "Keep the field's version?" || fail "2 on the list did not ask"
keys y
wait_for "Conflict 2 decided: the field's version was kept." || fail "not decided"
wait_for "Field-kit conflicts: 1 open" || fail "the decided conflict is still listed as open"
screen | grep -q "T-SB-01" && fail "a decided conflict shows without a"
# the holder conflict: keep home
keys Enter
wait_for "Conflict 1: which version stays?" || fail "no choice for conflict 1"
keys 1
wait_for "Keep home's version?" || fail "1 did not ask to confirm keeping home"
keys y
wait_for "Conflict 1 decided: home's version was kept." || fail "conflict 1 not decided"
wait_for "No open conflict." || fail "conflicts remain on the screen"
# a: decided ones, dimmed, with who decided
keys a
wait_for "decided: the field's version kept (tester" || fail "a does not show decided ones"
screen | grep -q "decided: home's version kept (tester" || fail "keep-home decision not shown"
keys F10
wait_exit 0 || fail "no clean exit"

[ "$(td kit conflicts --json)" = "[]" ] || fail "open conflicts remain: $(td kit conflicts)"
td kit conflicts --all --json | python3 -c '
import json, sys
st = {c["id"]: c["status"] for c in json.load(sys.stdin)}
assert st == {1: "kept_home", 2: "kept_field"}, st' || fail "decisions not as chosen"
td show token T-SB-01 | grep -q "custodian: *agency:SB" || fail "keep field not applied"
[ "$(sqlite3 "$tmp/reg.db" "SELECT email IS NULL FROM holder WHERE ext_id = '001090000005'")" = 1 ] ||
	fail "keep home changed the holder"
td audit log kit_conflict 2 | grep -q kit.resolve || fail "the decision is not audited"
td audit verify >/dev/null || fail "audit chain broken"
exit 0
