# handover.sh: tokens handed over in one numbered, all-or-nothing handover
# (letter 2.1, 2.2): new custodian and state, history, audit, the record.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"

demo_import || { echo "demo import failed"; exit 1; }
export TOKENDESK_OPERATOR="Trần Văn Bình"
year=$(date +%Y)

# Two personal tokens of the province committee (DC) and their holders.
T1=3792084583 H1="Vũ Xuân Đông"
T2=8878595222 H2="Đặng Quang Hiếu"
td show token $T1 --json >"$tmp/t1.json"
expect_in "$tmp/t1.json" '"custodian": "holder:098084373134"'

# ---- refusals change nothing -------------------------------------------------
before=$(registry_digest)
expect_status 66 td handover --to agency:DC $T1 NO-SUCH-TOKEN $T2
expect_in "$tmp/err" "no token NO-SUCH-TOKEN"
expect_in "$tmp/err" "nothing was written"
expect_status 66 td handover --to agency:NO.SUCH $T1
expect_in "$tmp/err" "no agency with code NO.SUCH"
expect_status 66 td handover --to holder:000000000000 $T1
expect_in "$tmp/err" "no holder with id 000000000000"
expect_status 64 td handover --to somewhere $T1
expect_in "$tmp/err" "holder:ID, agency:CODE, dost or ca"
expect_status 64 td handover --to dost --state at_dost $T1
# "Who hands it over": the registry says the holder has it, not DC.
expect_status 65 td handover --to dost --from agency:DC $T1 $T2
expect_in "$tmp/err" "custody of holder:098084373134 ($H1), not of agency:DC"
expect_in "$tmp/err" "--force"
# Already with the receiver; listed twice.
expect_status 65 td handover --to holder:098084373134 $T1
expect_in "$tmp/err" "already with holder:098084373134"
expect_status 65 td handover --to agency:DC $T1 $T1
expect_in "$tmp/err" "already in this handover"
expect_eq "$(registry_digest)" "$before" "registry after refused handovers"

# ---- two tokens to DOST in one handover ---------------------------------------
expect_status 0 td handover --to dost --from holder:098084373134 --force --reason "Theo mục 2.1, nộp thẳng" \
	--place "Sở KH&CN tỉnh Đông Châu" --condition "nguyên vẹn" \
	--remarks "Theo mục 2.1" $T1 $T2
expect_in "$tmp/out" "Handover BG-$year-0001: 2 token(s)"
expect_in "$tmp/out" "tokendesk receipt BG-$year-0001"
for t in $T1 $T2; do
	td show token $t --json >"$tmp/t.json"
	expect_eq "$(jq -r .custodian "$tmp/t.json")" dost "custodian of $t"
	expect_eq "$(jq -r .state "$tmp/t.json")" at_dost "state of $t"
	expect_eq "$(jq -r '.history[-1].to' "$tmp/t.json")" dost "history of $t"
	expect_eq "$(jq -r '.history[-1].condition' "$tmp/t.json")" "nguyên vẹn" "condition of $t"
	expect_in "$tmp/t.json" "handover BG-$year-0001"
done
# Both events belong to the same handover.
h1=$(td show token $T1 --json | jq '.history[-1].handover')
h2=$(td show token $T2 --json | jq '.history[-1].handover')
expect_eq "$h1" "$h2" "handover id of both events"
expect_status 0 td audit verify
expect_status 0 td audit log handover "BG-$year-0001" --json
expect_in "$tmp/out" "handover.create"

# The record, as text.
expect_status 0 td receipt "BG-$year-0001"
for s in "Biên bản bàn giao" "BIÊN BẢN BÀN GIAO THIẾT BỊ LƯU KHÓA BÍ MẬT" \
	"Số: BG-$year-0001" "$T1" "$T2" "$H1" "$H2" "Sở KH&CN tỉnh Đông Châu" \
	"Bên nhận: Sở Khoa học và Công nghệ" "Người lập biên bản: Trần Văn Bình" \
	"BÊN GIAO" "BÊN NHẬN" "Tổng cộng: 2 thiết bị" "Ghi chú: Theo mục 2.1 [ghi nhận ngoại lệ]" \
	"547fa313648bd2d263aa57bb3618b5f2"; do
	expect_in "$tmp/out" "$s"
done
expect_status 0 td receipt "bg-$year-0001"          # any case
expect_status 66 td receipt "BG-1999-0001"

# ---- the next handovers: numbering, receivers and states ---------------------
# DOST sends one on to the CA; the place comes from the environment.
TOKENDESK_PLACE="Hà Nội" expect_status 0 td handover --to ca --from dost $T1
expect_in "$tmp/out" "BG-$year-0002"
expect_eq "$(td show token $T1 --json | jq -r .state)" sent_to_ca "state after ca"
expect_status 0 td receipt "BG-$year-0002"
expect_in "$tmp/out" "tại Hà Nội"
expect_in "$tmp/out" "Bên giao: Sở Khoa học và Công nghệ (dost)"
# Re-issue: the other goes back to its holder (in_use); an official's
# token handed to the agency as damaged (--state overrides).
expect_status 0 td handover --to holder:098087413170 --force --reason "cấp lại, trả thiết bị cho thuê bao" $T2
expect_eq "$(td show token $T2 --json | jq -r .state)" in_use "state back with holder"
T3=$(td export tokens | awk -F, 'NR==5 {print $1}')
expect_status 0 td handover --to agency:DC --state damaged --json $T3
expect_eq "$(jq -r .number "$tmp/out")" "BG-$year-0004" "fourth number"
td show token "$T3" --json >"$tmp/t.json"
expect_eq "$(jq -r .state "$tmp/t.json")" damaged "state override"
expect_eq "$(jq -r .custodian "$tmp/t.json")" agency:DC "custodian agency"

# The place from the configuration file.
printf '# desk\nplace = Phòng tiếp nhận, Sở KH&CN\n' >"$tmp/desk.conf"
T4=$(td export tokens | awk -F, 'NR==11 {print $1}')
expect_status 0 td --config "$tmp/desk.conf" handover --to dost --force --reason "nộp thẳng cho Sở" "$T4"
expect_status 0 td receipt "$(awk '/^Handover/ {sub(":", "", $2); print $2}' "$tmp/out")"
expect_in "$tmp/out" "tại Phòng tiếp nhận, Sở KH&CN"

# Serials from standard input (a scanned bag), one handover.
td export tokens | awk -F, 'NR>=6 && NR<=10 {print $1}' >"$tmp/bag"
td handover --to dost --force --reason "nộp thẳng cho Sở" - <"$tmp/bag" >"$tmp/out" 2>"$tmp/err" || fail "bag from stdin"
expect_in "$tmp/out" "BG-$year-0006: 5 token(s)"
expect_status 0 td receipt "BG-$year-0006"
expect_in "$tmp/out" "Tổng cộng: 5 thiết bị"
expect_status 0 td audit verify

# The list of handovers, newest first.
expect_status 0 td receipt --list --json
expect_eq "$(jq length "$tmp/out")" 6 "handovers listed"
expect_eq "$(jq -r '.[0].number' "$tmp/out")" "BG-$year-0006" "newest first"
expect_eq "$(jq -r '.[5].to' "$tmp/out")" dost "receiver of the first"
expect_status 0 td receipt --list
expect_in "$tmp/out" "BG-$year-0002"
# Over-long remarks are refused, not cut.
expect_status 64 td handover --to dost --remarks "$(head -c 1200 /dev/zero | tr '\0' x)" "$T4"

finish
