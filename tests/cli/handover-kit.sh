# handover-kit.sh: handovers recorded in a field kit and at home meanwhile
# keep distinct numbers, so the kit merges back without conflicts and both
# records print at home.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 shell missing"; exit 77; }

demo_import || { echo "demo import failed"; exit 1; }
year=$(date +%Y)
expect_status 0 td handover --to agency:DC 3792084583
expect_in "$tmp/out" "BG-$year-0001"
expect_status 0 td kit make --agencies DC -o "$tmp/field.db"
uuid=$(sqlite3 "$tmp/field.db" "select value from meta where key = 'kit_uuid'")
[ -n "$uuid" ] || { echo "FAIL: the kit has no kit_uuid"; exit 1; }
series=$(printf %s "$uuid" | tr -d - | cut -c1-6 | tr a-f A-F)

# In the field: the kit's own series.
expect_status 0 td --db "$tmp/field.db" handover --to agency:DC 8878595222
expect_in "$tmp/out" "BG-$year-$series-0001"
# At home meanwhile: home's series goes on.
expect_status 0 td handover --to dost 13F43E2B
expect_in "$tmp/out" "BG-$year-0002"

expect_status 0 td kit merge "$tmp/field.db" --json
expect_eq "$(jq .conflicts "$tmp/out")" 0 "conflicts after merging a field handover"
expect_status 0 td receipt --list --json
expect_eq "$(jq length "$tmp/out")" 3 "handovers at home after the merge"
expect_status 0 td receipt "BG-$year-$series-0001"
expect_in "$tmp/out" "8878595222"
expect_in "$tmp/out" "Đặng Quang Hiếu"
expect_eq "$(td show token 8878595222 --json | jq -r .custodian)" agency:DC \
	"custodian of the token handed over in the field"
expect_status 0 td audit verify
finish
