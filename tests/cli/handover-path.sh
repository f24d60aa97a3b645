# handover-path.sh: a token travels official -> managing agency ->
# provincial DOST -> CA (letter 2.1, 2.2).  A step that skips or goes
# against that path, or hands a token with an active certificate to a
# person other than its holder, is refused (65, the rule named, nothing
# written) unless --force --reason, and the reason is on the record.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"

demo_import || { echo "demo import failed"; exit 1; }
year=$(date +%Y)
T1=3792084583   # holder:098084373134 (Vũ Xuân Đông, DC), active certificate
T2=8878595222   # holder:098087413170, active certificate

before=$(registry_digest)
# holder -> dost skips the managing agency
expect_status 65 td handover --to dost $T1
expect_in "$tmp/err" "leaves the path official -> managing agency -> provincial DOST -> CA"
expect_in "$tmp/err" "--force --reason"
# holder -> ca skips two steps; --force alone is not enough
expect_status 65 td handover --to ca --force $T1
expect_in "$tmp/err" "to the CA (ca)"
# a token with an active certificate to another person
expect_status 65 td handover --to holder:098087413170 $T1
expect_in "$tmp/err" "active certificate of holder 098084373134"
# the same refusal in Vietnamese
expect_status 65 td --lang vi handover --to dost $T1
expect_in "$tmp/err" "không theo trình tự cán bộ -> cơ quan quản lý trực tiếp -> Sở KH&CN -> Ban Cơ yếu"
expect_not_in "$tmp/err" "leaves the path"
# --reason without --force is a usage error; a reason with a control
# character is refused by the typed-text rules
expect_status 64 td handover --to dost --reason "x" $T1
expect_status 64 td handover --to dost --force --reason "$(printf 'a\033[2Jb')" $T1
expect_eq "$(registry_digest)" "$before" "registry after refused handovers"

# ---- the path, step by step, is accepted --------------------------------------
expect_status 0 td handover --to agency:DC $T1
expect_in "$tmp/out" "BG-$year-0001"
# agency -> ca skips DOST
expect_status 65 td handover --to ca $T1
expect_in "$tmp/err" "from an agency (agency:DC) to the CA (ca)"
expect_status 0 td handover --to dost $T1
expect_status 0 td handover --to ca $T1
# ca -> anything goes against the path
expect_status 65 td handover --to dost $T1
expect_in "$tmp/err" "from the CA (ca) to the provincial DOST (dost)"
expect_status 65 td handover --to agency:DC $T1
# agency -> its holder: giving the token back is on the path
expect_status 0 td handover --to agency:DC $T2   # holder -> agency
expect_status 0 td handover --to holder:098087413170 $T2
expect_status 0 td handover --to agency:DC $T2
expect_status 65 td handover --to holder:098084373134 $T2
expect_in "$tmp/err" "active certificate of holder 098087413170"

# ---- forced, with the reason on the record ------------------------------------
reason="Cán bộ nghỉ hưu, nộp thẳng cho Sở"
expect_status 0 td --lang vi handover --to holder:098084373134 --force --reason "$reason" $T2
num=$(sed -n 's/^Bàn giao \(BG-[0-9-]*\):.*/\1/p' "$tmp/out")
[ -n "$num" ] || fail "no handover number in: $(cat "$tmp/out")"
expect_status 0 td receipt "$num"
expect_in "$tmp/out" "Lý do bàn giao ngoài trình tự: $reason"
expect_status 0 td receipt "$num" --pdf "$tmp/r.pdf"
pdftotext -layout "$tmp/r.pdf" "$tmp/r.txt"
tr -s ' \n' ' ' <"$tmp/r.txt" >"$tmp/r1.txt"
expect_in "$tmp/r1.txt" "Lý do bàn giao ngoài trình tự:"
expect_status 0 td audit verify
finish
