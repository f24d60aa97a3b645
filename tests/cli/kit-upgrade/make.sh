#!/bin/sh
# make.sh: how registry.db and field.kit were made, with tokendesk 0.1.0
# (commit dc376ed, registry schema 6), for tests/cli/kit-upgrade.sh:
#     tests/cli/kit-upgrade/make.sh OLD_TOKENDESK
# The plan test province with its plan applied (tags), a handover and a
# closed count at home, and a field kit for P.S2 still out: in the field
# a handover and an open count were recorded on it, not merged yet.
set -eu
old=$1
here=$(cd "$(dirname "$0")" && pwd)
plan=$here/../plan
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TOKENDESK_DB="$work/registry.db" TOKENDESK_OPERATOR=release6 LC_ALL=C.UTF-8
"$old" init >/dev/null
"$old" import "$plan/agencies.csv" "$plan/certificates.csv" >/dev/null
"$old" plan import "$plan/plan.csv" >/dev/null
"$old" plan apply >/dev/null
"$old" handover --to dost --remarks "thu hồi" TKA011 >/dev/null
id=$("$old" count start --agency P.S1)
"$old" count scan "$id" TKA011 ZZZ >/dev/null
"$old" count close "$id" -o "$work" >/dev/null
"$old" kit make --agencies P.S2 -o "$work/field.kit" >/dev/null
TOKENDESK_OPERATOR=field6
"$old" --db "$work/field.kit" handover --to agency:P.S2.D1 TKA022 >/dev/null
id=$("$old" --db "$work/field.kit" count start --agency P.S2)
"$old" --db "$work/field.kit" count scan "$id" TKA021 >/dev/null
"$old" audit verify >/dev/null
"$old" --db "$work/field.kit" audit verify >/dev/null
for f in registry.db field.kit; do
	sqlite3 "$work/$f" "PRAGMA journal_mode = DELETE; VACUUM;" >/dev/null
	cp "$work/$f" "$here/$f"
done
