# session-vi.sh: a DOST clerk's session in Vietnamese (LANG=vi_VN.UTF-8;
# only C.UTF-8 is installed: the desk takes the language from the name)
# shows no English sentence in any command's output, nor in the lists
# and forms it writes (issue 25).  What a person reads is checked for the
# little words every English sentence has; codes, serials, DNs and names
# are data and pass.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"
. "$TD_SRCDIR/tests/cli/plan/plan-lib.sh"
unset LC_ALL LANGUAGE LC_MESSAGES TZ
export LANG=vi_VN.UTF-8

# the words no Vietnamese sentence holds; whole words, any case
english='\b(the|no|is|are|was|were|of|to|and|not|with|from|for|added|updated|unchanged|changed|removed|held|rows|read|tags?|certificates?|agenc(y|ies)|written|batch|nothing|already|cannot|usage|error|recorded|none|history|state|kind|status|level|name|model|custodian|merges?|revoked|official|letter|plan line|match|matched|flags|subject|issuer|valid|tries|wrong|locked|watching|present|inserted|polling|private)\b'
# Codes pass: custodians ("agency:CODE", "holder:ID"), options
# (--batch), command words (tokendesk tag send), values to type
# (lost|damaged, cert SERIAL), `quoted` commands.  grep reads letters with marks as
# letters only in a UTF-8 locale ("toán" is no "to").
strip_codes() {
	LC_ALL=C.UTF-8 sed -E -e 's/\b(agency|holder):[^ ,)]*//g' \
		-e 's/(^|[ [(|:])-{1,2}[a-z][a-z0-9-]*/\1/g' \
		-e 's/\b[a-z][a-z-]* [[:upper:]_]{2,}//g' \
		-e 's/\btokendesk( [a-z][a-z-]*)*//g' -e 's/`[^`]*`//g' \
		-e 's/\b[a-z_-]+(\|[a-z_-]+)+\b//g'
}
english_in() { LC_ALL=C.UTF-8 grep -iE "$english"; }

session() {
	td init
	td import "$P/agencies.csv" "$P/certificates.csv"
	td holder set 001000000002 --no-longer-needed
	td plan import "$P/plan.csv"
	td plan show
	td plan apply
	td tag list
	td tag revoke A061 --reason "hết nhu cầu sử dụng"
	td tag remove A061
	td tag renew A061 --reason "sắp hết hạn"
	td tag send
	td tag list --batch 1
	td lists -o "$tmp/ds.xlsx"
	td lists --format csv -o "$tmp/ds"
	td forms --kind revoke --batch 1 -o "$tmp/m05.pdf"
	td forms --kind change --batch 1 -o "$tmp/m04.xlsx"
	td forms --kind renew --batch 1 -o "$tmp/m04b.pdf"
	td handover --to agency:P.S1 TKB006 TKB001
	td receipt BG-"$(date +%Y)"-0001
	# the path official -> agency -> DOST -> CA: a skipped step is
	# refused, then forced with the reason the record prints
	td handover --to ca TKB006
	td handover --to ca --force --reason "gửi thẳng Ban Cơ yếu theo yêu cầu" TKB006
	td receipt BG-"$(date +%Y)"-0002
	td receipt --list
	td show token TKB006
	td show cert B006
	td show agency P.X10
	td show holder 001000000006
	td search "bình sơn"
	td search "54:01"
	td plan pick P.S34 A041
	td plan pick --clear P.S34
	td forms --help
	td lists --help
	td tag --help
	td handover --help
	td show --help
	td search --help
	td plan --help
	td import --help
	td holder --help
	td receipt --help
	td dossier add --agency P.S1 --kind renewal --ref HS-01 --holder 001000000001
	td dossier list --agency P.S1
	td dossier --help
	td export --help
	td --help
	td --version
	# an inventory count (letter 2.1)
	id=$(td count start --agency P.S2 | tail -1)
	td count scan "$id" TKB001 TKA999 TKB001
	td count report "$id"
	td count list
	td count --help
	# refusals a clerk meets, in Vietnamese too
	printf 'cert_serial,kind,holder_name,holder_id,position,agency_code,not_before,not_after\n' >"$tmp/bad.csv"
	printf 'B001,person,Nguyễn Văn Một,1000000001,Chuyên viên,P.S2,1/1/2024,1/1/2029\n' >>"$tmp/bad.csv"
	td import "$tmp/bad.csv"
	td handover --to dost --from agency:P.S6 TKB003
	td tag revoke B006 --reason "nghỉ hưu"
	td show token NO-SUCH
	# a plan with mistakes, a count of nothing, a CRL that is none
	printf 'effective_date,event,source_codes,target_code,target_name,new_parent_code\n' >"$tmp/badplan.csv"
	printf '2025-07-01,merge_new,P.S3,P.S1,Sở mới,P\n2025-07-01,merge_keep,P.NOPE;P.S2,P.S2,,\n2025-13-01,rename,P.S7,,Sở X,\n' >>"$tmp/badplan.csv"
	td plan import "$tmp/badplan.csv"
	td count start --agency P.NOPE
	printf 'not a crl' >"$tmp/x.crl"
	td crl import "$tmp/x.crl"
	td forms --kind revoke --batch 9 -o "$tmp/x.pdf"
	td lists --batch 9 -o "$tmp/x.xlsx"
}
# scan and verify-token on SoftHSM2 tokens, against the session's
# registry: in a subshell, since tests/token/hsm-lib.sh brings its own td
# (with --module), fail and clean-up; it exits 1 when a step it needs fails
tokens_session() (
	. "$TD_SRCDIR/tests/token/hsm-lib.sh"
	db=$TOKENDESK_DB
	hsm_init
	TOKENDESK_DB=$db   # the clerk's registry, not hsm-lib's
	hsm_issue mai rsa "/C=VN/L=Hưng Yên/O=Ủy ban nhân dân tỉnh Hưng Yên/OU=Sở Nội vụ/CN=Bùi Thị Mai" 6d01
	s_ok=$(hsm_token "Mai"); hsm_load "Mai" mai 01
	s_lock=$(hsm_token "Khóa"); hsm_load "Khóa" mai 01; LC_ALL=C.UTF-8 hsm_set_flags "Khóa" 40000
	s_last=$(hsm_token "Cuối"); hsm_load "Cuối" mai 01; LC_ALL=C.UTF-8 hsm_set_flags "Cuối" 20000
	s_none=$(hsm_token "Trống")
	# the registry gives the empty token a certificate: "a token with no
	# certificate" said as one sentence (not "chứa không có chứng thư")
	printf '%s\n%s\n' \
		"cert_serial,kind,holder_name,holder_id,position,agency_code,not_before,not_after,token_serial,token_model,email" \
		"6d09,org,Sở Tài chính,P.S1,,P.S1,2024-01-01,2029-01-01,$s_none,SoftHSM v2," >"$HSM_DIR/none.csv"
	td import "$HSM_DIR/none.csv"
	# a module the helper process cannot load: its message, made in
	# that process, in the clerk's language too
	mkdir -p "$HSM_DIR/mods" && chmod 755 "$HSM_DIR" "$HSM_DIR/mods"
	cp "$TD_BUILDDIR/tests/pcsc/fastpoll.so" "$HSM_DIR/mods/hong.so" && chmod 755 "$HSM_DIR/mods/hong.so"
	printf 'allow-module = %s/\n' "$HSM_DIR/mods" >"$HSM_DIR/td.conf" && chmod 600 "$HSM_DIR/td.conf"
	"$TOKENDESK" --config "$HSM_DIR/td.conf" --module "$HSM_DIR/mods/hong.so" scan --no-usb
	echo "$HSM_PIN" >"$HSM_DIR/pin.ok"
	echo 0000 >"$HSM_DIR/pin.bad"
	td scan --no-usb
	td scan --no-usb --no-match
	# the program itself in the background: a shell function there would
	# run in a subshell that ignores SIGINT
	"$TOKENDESK" --module "$HSM_MODULE" scan --watch --no-usb --poll-ms 50 \
		>"$HSM_DIR/watch" 2>&1 &
	w=$!
	# the four tokens' whole lines (the watch announces itself first)
	inserted() { [ "$(td_complete_lines "$HSM_DIR/watch" | grep -c " cắm vào ")" -ge 4 ]; }
	td_poll 10 inserted || echo "watch saw no token"
	kill -INT $w; wait $w
	cat "$HSM_DIR/watch"
	td verify-token "$s_ok" --pin-fd 3 3<"$HSM_DIR/pin.ok" </dev/null
	td verify-token "$s_ok" --pin-fd 3 3<"$HSM_DIR/pin.bad" </dev/null
	td verify-token "$s_lock" </dev/null
	td verify-token "$s_last" </dev/null
	td verify-token "$s_none" --pin-fd 3 3<"$HSM_DIR/pin.ok" </dev/null
	td verify-token XY-0000 --pin-fd 3 3<"$HSM_DIR/pin.ok" </dev/null
	td verify-token
	td verify-token --help
	td scan --help
	td scan extra
	exit 0
)
session >"$tmp/session" 2>&1 || true
if command -v softhsm2-util >/dev/null && command -v pkcs11-tool >/dev/null; then
	tokens_session >>"$tmp/session" 2>&1 || fail "the tokens' part did not run (see below)"
	expect_in "$tmp/session" "đối chiếu: token chưa có trong CSDL"
	expect_in "$tmp/session" "cờ: cần đăng nhập, đã đặt PIN người dùng, đã khởi tạo"
	expect_in "$tmp/session" "khóa bí mật trên token khớp với chứng thư"
	expect_in "$tmp/session" ": sai PIN"
	expect_in "$tmp/session" ": PIN đã bị khóa"
	expect_in "$tmp/session" "token báo đây là lần thử PIN cuối"
	expect_in "$tmp/session" "token không chứa chứng thư nào"
	expect_in "$tmp/session" "\"Trống\" không có chứng thư nào"
	expect_not_in "$tmp/session" "chứa không có"
	expect_in "$tmp/session" "không nạp được mô-đun PKCS#11"
	expect_in "$tmp/session" "không thấy token nào có số hiệu XY-0000"
	expect_in "$tmp/session" "đang theo dõi"
	expect_in "$tmp/session" "Cách dùng: tokendesk verify-token"
	expect_not_in "$tmp/session" "watch saw no token"
fi
grep -n "" "$tmp/session" | strip_codes | english_in >"$tmp/english"
if [ -s "$tmp/english" ]; then
	fail "English in the Vietnamese session:"
	sed 's/^/  | /' "$tmp/english" | head -40 >&2
fi
# it did run: the Vietnamese of a few steps
expect_in "$tmp/session" "đã đọc 43 dòng"
expect_in "$tmp/session" "phương án: đã lưu 8 sự kiện"
expect_in "$tmp/session" "thay đổi thông tin"
expect_in "$tmp/session" "Bàn giao BG-"
expect_in "$tmp/session" "Hôm nay, ngày"
expect_in "$tmp/session" "bàn giao từ cơ quan (agency:P.S1) cho Ban Cơ yếu (ca) không theo trình tự"
expect_in "$tmp/session" "Lý do bàn giao ngoài trình tự: gửi thẳng Ban Cơ yếu theo yêu cầu"
expect_in "$tmp/session" "cần ít nhất hai mã cơ quan nguồn"
expect_in "$tmp/session" "không có cơ quan mã P.NOPE"

# what it wrote for DOST and the CA
for f in thu-hoi-chung-thu thay-doi-thong-tin thiet-bi-thu-hoi ho-so-ban-giao gia-han; do
	strip_codes <"$tmp/ds/$f.csv" | english_in >"$tmp/english" &&
		{ fail "English in $f.csv"; sed 's/^/  | /' "$tmp/english" | head -5 >&2; }
done
if command -v pdftotext >/dev/null; then
	for f in m05 m04b; do
		pdftotext "$tmp/$f.pdf" - | strip_codes | english_in >"$tmp/english" &&
			{ fail "English in $f.pdf"; sed 's/^/  | /' "$tmp/english" | head -5 >&2; }
	done
fi
finish
