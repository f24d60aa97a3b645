# import-demo.sh: the demo lists import, re-import changes nothing, the
# records read back, and an export imports back unchanged.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"

ag="$TD_SRCDIR/data/demo/agencies.csv"; ce="$TD_SRCDIR/data/demo/certificates.csv"
nag=$(($(wc -l <"$ag") - 1)); nce=$(($(wc -l <"$ce") - 1))
td init >/dev/null
expect_status 0 td import "$ce" "$ag"     # order does not matter
expect_in "$tmp/out" "agencies: $nag added, 0 updated, 0 unchanged"
expect_in "$tmp/out" "certificates: $nce added, 0 updated, 0 unchanged"
before=$(registry_digest)
expect_status 0 td import "$ag" "$ce"
expect_in "$tmp/out" "agencies: 0 added, 0 updated, $nag unchanged"
expect_in "$tmp/out" "certificates: 0 added, 0 updated, $nce unchanged"
expect_eq "$(registry_digest)" "$before" "registry after re-import"

# Search: folded, đ -> d, and the hit names the holder.
expect_status 0 td search nguyen van hung
expect_in "$tmp/out" "Nguyễn Văn Hùng"
expect_status 0 td search dang --json
expect_in "$tmp/out" "\"Đặng"
expect_status 0 td search "NGUYỄN VĂN HÙNG"
expect_in "$tmp/out" "Nguyễn Văn Hùng"

# show token / cert / agency for a row of the list, text and JSON.
row=$(awk -F, 'NR > 1 && $2 == "person" && $9 != "" { print; exit }' "$ce")
serial=$(echo "$row" | cut -d, -f1); token=$(echo "$row" | cut -d, -f9)
name=$(echo "$row" | cut -d, -f3)
expect_status 0 td show token "$token" --json
expect_in "$tmp/out" "\"custodian_name\": \"$name\""
expect_in "$tmp/out" "\"state\": \"in_use\""
expect_status 0 td show cert "$serial"
expect_in "$tmp/out" "CN=$name"
expect_in "$tmp/out" "C=VN, L=Đông Châu"
expect_status 0 td show agency DC
expect_in "$tmp/out" "Đông Châu"
expect_status 66 td show token NO-SUCH-TOKEN

# Export -> import into a fresh registry -> the same export.
td export agencies >"$tmp/ag2.csv"
td export certificates >"$tmp/ce2.csv"
expect_status 0 td --db "$tmp/copy.db" init
expect_status 0 td --db "$tmp/copy.db" import "$tmp/ag2.csv" "$tmp/ce2.csv"
expect_eq "$(td --db "$tmp/copy.db" export certificates | sha256sum)" \
          "$(td export certificates | sha256sum)" "round-tripped export"
td export --format json tokens >"$tmp/tokens.json"
expect_in "$tmp/tokens.json" "\"token_serial\""
expect_status 0 td audit verify
finish
