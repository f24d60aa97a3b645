#!/bin/sh
# make.sh: how registry.db and field.kit were made, with the release
# before schema step 13 (commit 396c70f, registry schema 12: holder and
# token kept their keys as UNIQUE declared in the table), for
# tests/cli/kit-upgrade12.sh:
#     tests/cli/kit-upgrade12/make.sh OLD_TOKENDESK
# The plan test province with its plan applied, a handover and a closed
# count at home, and a field kit for P.S2 still out, in which the team
# handed TKB002 over and opened a count, not merged yet.
set -eu
old=$1
here=$(cd "$(dirname "$0")" && pwd)
plan=$here/../plan
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TOKENDESK_DB="$work/registry.db" TOKENDESK_OPERATOR=release12 LC_ALL=C.UTF-8
"$old" init >/dev/null
chmod 600 "$TOKENDESK_DB"
"$old" import "$plan/agencies.csv" "$plan/certificates.csv" >/dev/null
"$old" plan import "$plan/plan.csv" >/dev/null
"$old" plan apply >/dev/null
"$old" handover --to agency:P.S1 --remarks "thu hồi" TKA011 >/dev/null
id=$("$old" count start --agency P.S1)
"$old" count scan "$id" TKA011 ZZZ >/dev/null
mkdir -m 700 "$work/out"
"$old" count close "$id" -o "$work/out" >/dev/null
"$old" kit make --agencies P.S2 -o "$work/field.kit" >/dev/null
chmod 600 "$work/field.kit"
TOKENDESK_OPERATOR=field12
"$old" --db "$work/field.kit" handover --to agency:P.S2 TKB002 >/dev/null
id=$("$old" --db "$work/field.kit" count start --agency P.S2)
"$old" --db "$work/field.kit" count scan "$id" TKB002 >/dev/null
"$old" audit verify >/dev/null
"$old" --db "$work/field.kit" audit verify >/dev/null
[ "$(sqlite3 "$work/registry.db" 'PRAGMA user_version')" = 12 ]
for f in registry.db field.kit; do
	sqlite3 "$work/$f" "PRAGMA journal_mode = DELETE; VACUUM;" >/dev/null
	cp "$work/$f" "$here/$f"
done
