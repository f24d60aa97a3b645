# handover-dossier.sh: request dossiers of a merged agency handed to the new
# agency (letter 3.1, 3.2), recorded like a token handover.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"

demo_import || { echo "demo import failed"; exit 1; }
year=$(date +%Y)
# Two agencies of the demo province: the merged (old) one and the new one.
OLD=$(td export agencies | awk -F, 'NR==3 {print $1}')
NEW=$(td export agencies | awk -F, 'NR==4 {print $1}')
THIRD=$(td export agencies | awk -F, 'NR==5 {print $1}')
HOLDER=098084373134

expect_status 0 td dossier add --agency "$OLD" --kind renewal --ref HS-001 --holder $HOLDER
expect_status 0 td dossier add --agency "$OLD" --kind info_change --ref HS-002
expect_status 0 td dossier add --agency "$OLD" --kind token_recovery --ref HS-003 \
	--remarks "PIN bị khóa"
expect_status 0 td dossier add --agency "$THIRD" --kind new_issue --ref HS-100
expect_status 65 td dossier add --agency "$OLD" --kind renewal --ref HS-001
expect_in "$tmp/err" "exists already"
expect_status 64 td dossier add --agency "$OLD" --kind revocation --ref HS-009
expect_status 66 td dossier add --agency NO.SUCH --kind renewal --ref HS-009
expect_status 66 td dossier add --agency "$OLD" --kind renewal --ref HS-009 --holder 1
expect_status 0 td dossier list --agency "$OLD" --json
expect_eq "$(jq length "$tmp/out")" 3 "dossiers of the old agency"
expect_eq "$(jq -r '.[0].holder_name' "$tmp/out")" "Vũ Xuân Đông" "subscriber"

# Refusals write nothing: unknown ref, a dossier of another agency, a
# receiver that is not an agency.
before=$(registry_digest; td dossier list --json | sha256sum)
expect_status 66 td dossier handover --from "agency:$OLD" --to "agency:$NEW" HS-001 HS-404
expect_in "$tmp/err" "no dossier HS-404"
expect_status 65 td dossier handover --from "agency:$OLD" --to "agency:$NEW" HS-001 HS-100
expect_in "$tmp/err" "held by agency $THIRD"
expect_status 64 td dossier handover --from "agency:$OLD" --to dost HS-001
expect_status 64 td dossier handover --from "agency:$OLD" --to "agency:$NEW"
expect_eq "$(registry_digest; td dossier list --json | sha256sum)" "$before" \
	"registry after refused dossier handovers"

# All dossiers of the old agency, in one handover.
expect_status 0 td dossier handover --from "agency:$OLD" --to "agency:$NEW" --all \
	--place "Đông Châu"
expect_in "$tmp/out" "Handover BG-$year-0001: 3 dossier(s)"
expect_status 0 td dossier list --agency "$OLD" --json
expect_eq "$(jq length "$tmp/out")" 0 "dossiers left with the old agency"
expect_status 0 td dossier list --agency "$NEW" --json
expect_eq "$(jq length "$tmp/out")" 3 "dossiers of the new agency"
expect_status 0 td receipt "BG-$year-0001"
for s in "BIÊN BẢN BÀN GIAO HỒ SƠ YÊU CẦU CHỨNG THỰC" "HS-001" "HS-002" "HS-003" \
	"Gia hạn" "Khôi phục thiết bị lưu khóa bí mật" "Ghi chú: PIN bị khóa" "Tổng cộng: 3 hồ sơ" \
	"Bên giao: " "(agency:$OLD)" "Bên nhận: " "(agency:$NEW)"; do
	expect_in "$tmp/out" "$s"
done
expect_status 0 td audit log dossier HS-003
expect_in "$tmp/out" "dossier.move"
expect_status 0 td audit verify
# --all with --kind: nothing of that kind left with the old agency.
expect_status 65 td dossier handover --from "agency:$OLD" --to "agency:$NEW" --all --kind renewal
# A mistyped agency is said, not listed as empty.
expect_status 66 td dossier list --agency NO.SUCH
expect_in "$tmp/err" "no agency NO.SUCH"
finish
