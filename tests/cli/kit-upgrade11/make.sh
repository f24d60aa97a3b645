#!/bin/sh
# make.sh: how registry.db and field.kit were made, with the release
# before schema step 12 (commit 2a778bf, registry schema 11: tags held
# their reason in their own row), for tests/cli/kit-upgrade11.sh:
#     tests/cli/kit-upgrade11/make.sh OLD_TOKENDESK
# The plan test province with its plan applied (tag.add.bulk), a tag
# sent to DOST, a handover and a closed count at home, and a field kit
# for P.S2 still out: in the field a plan tag was tagged again (b001),
# a handover of TKB002 and an open count recorded, not merged yet.  A
# second kit, for P.S7, came home: its field tagged a071 again after home
# had sent it to DOST, kept as a conflict (by that release, with only
# the fields the field changed), not decided.
set -eu
old=$1
here=$(cd "$(dirname "$0")" && pwd)
plan=$here/../plan
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TOKENDESK_DB="$work/registry.db" TOKENDESK_OPERATOR=release11 LC_ALL=C.UTF-8
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
"$old" kit make --agencies P.S7 -o "$work/field7.kit" >/dev/null
chmod 600 "$work/field7.kit"
"$old" tag send >/dev/null
TOKENDESK_OPERATOR=field7 "$old" --db "$work/field7.kit" tag revoke a071 --reason "thôi việc" >/dev/null
"$old" kit merge "$work/field7.kit" >/dev/null
[ "$(sqlite3 "$TOKENDESK_DB" "SELECT count(*) FROM kit_conflict WHERE status = 'open'")" = 1 ]
TOKENDESK_OPERATOR=field11
"$old" --db "$work/field.kit" tag revoke b001 --reason "nghỉ hưu" >/dev/null
"$old" --db "$work/field.kit" handover --to agency:P.S2 TKB002 >/dev/null
id=$("$old" --db "$work/field.kit" count start --agency P.S2)
"$old" --db "$work/field.kit" count scan "$id" TKA021 >/dev/null
"$old" audit verify >/dev/null
"$old" --db "$work/field.kit" audit verify >/dev/null
for f in registry.db field.kit; do
	sqlite3 "$work/$f" "PRAGMA journal_mode = DELETE; VACUUM;" >/dev/null
	cp "$work/$f" "$here/$f"
done
