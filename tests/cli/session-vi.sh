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
english='\b(the|no|is|are|was|were|of|to|and|not|with|from|for|added|updated|unchanged|changed|removed|held|rows|read|tags?|certificates?|agenc(y|ies)|written|batch|nothing|already|cannot|usage|error|recorded|none|history|state|kind|status|level|name|model|custodian|merges?|revoked|official|letter|plan line|match|matched|flags|subject|issuer|valid|tries|wrong|locked|watching|present|inserted|polling|private|forced|handover|possession)\b'
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
	td dossier add --agency P.S1 --kind info_change --ref HS-02
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
	td count close "$id" -o "$tmp/khong-co/thu-muc"
	td count --help
	# refusals a clerk meets, in Vietnamese too
	printf 'cert_serial,kind,holder_name,holder_id,position,agency_code,not_before,not_after\n' >"$tmp/bad.csv"
	printf 'B001,person,Nguyễn Văn Một,1000000001,Chuyên viên,P.S2,1/1/2024,1/1/2029\n' >>"$tmp/bad.csv"
	td import "$tmp/bad.csv"
	printf 'code,name,parent_code,level\nQ,Tỉnh "Q",,province\n' >"$tmp/badquote.csv"
	td import "$tmp/badquote.csv"
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
	# the files a clerk has in hand: a UTF-8 list named cp1258, a column
	# the lists do not know, a row one field too long, the workbook
	# itself, a kit that is none (their readers' messages were never
	# extracted for translation)
	printf 'Mã đơn vị;Tên đơn vị;Cấp;Ghi chú\nP.Q;Sở Quy hoạch;sở;x\n' >"$tmp/ghichu.csv"
	td import -e cp1258 "$tmp/ghichu.csv"
	td import "$tmp/ghichu.csv"
	printf 'Mã đơn vị;Tên đơn vị;Cấp\nP.Q;Sở Quy hoạch;sở;x\n' >"$tmp/thua.csv"
	td import "$tmp/thua.csv"
	td import "$tmp/ds.xlsx"
	td export donvi
	printf 'x' >"$tmp/bo.kit"
	td kit merge "$tmp/bo.kit"
	# a tag already sent, a target with none, a custodian mistyped, a
	# folder that is not there, a command that is none, a tab in a name:
	# said in words, no state code, before and after a command runs
	td tag remove A061
	td tag confirm P.NOPE
	td handover --to sodost TKB001
	td export agencies -o "$tmp/khong-co/a.csv"
	td danhsach
	td --operator "$(printf 'Lê\tAn')" tag list
	# a field kit made and brought home twice: 'kit' and UTC were left
	td kit make --agencies P.S1 -o "$tmp/ps1.kit"
	td kit merge "$tmp/ps1.kit"
	td kit merge "$tmp/ps1.kit"
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
# a custody event's remarks, as show token prints them: the parts
# tokendesk wrote are said in Vietnamese (strip_codes would let
# "handover BG-..." pass as a command word and its value)
expect_in "$tmp/session" "bàn giao theo biên bản BG-"
expect_in "$tmp/session" "badquote.csv:2: dấu ngoặc kép nằm giữa một ô không mở bằng ngoặc kép"
expect_not_in "$tmp/session" "; handover BG-"
grep -q "  handover BG-" "$tmp/session" && fail "show token: a remark in English"
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
expect_in "$tmp/session" "[ghi nhận ngoại lệ] Lý do bàn giao ngoài trình tự: gửi thẳng Ban Cơ yếu theo yêu cầu"
expect_in "$tmp/session" "cần ít nhất hai mã cơ quan nguồn"
expect_in "$tmp/session" "không có cơ quan mã P.NOPE"
expect_in "$tmp/session" "tệp đã là UTF-8"
expect_in "$tmp/session" "cột lạ trong dòng tiêu đề của danh sách cơ quan"
expect_in "$tmp/session" "có 4 trường trong khi dòng tiêu đề có 3"
expect_in "$tmp/session" "không phải tệp CSV mà là tệp nén zip"
expect_in "$tmp/session" "không xuất được 'donvi'"
expect_in "$tmp/session" "không phải bộ dữ liệu hiện trường"
expect_in "$tmp/session" "đánh dấu của A061 đã gửi Sở KH&CN rồi"
expect_in "$tmp/session" "P.NOPE không có đánh dấu nào"
expect_in "$tmp/session" "hãy ghi bên giữ dạng"
expect_in "$tmp/session" "thư mục chứa nó không tồn tại"
expect_in "$tmp/session" "không có lệnh 'danhsach'"
expect_in "$tmp/session" "ký tự điều khiển trong văn bản: U+0009"
expect_not_in "$tmp/session" "sent_to_dost"
expect_in "$tmp/session" "kể từ khi tạo bộ dữ liệu hiện trường lúc $(TZ=Asia/Ho_Chi_Minh date +%d/%m/%Y)"
expect_in "$tmp/session" ": không có gì mới kể từ lần hợp nhất trước"
LC_ALL=C.UTF-8 grep -E '^kit [0-9a-f-]{36}:' "$tmp/session" &&
	fail "a kit called 'kit' in the Vietnamese session"
# the handovers listed by their parties' names, not custodian codes alone
expect_in "$tmp/session" "token   (nhiều bên) -> Sở Tài chính (agency:P.S1)"
# a certificate's agency by its name, as show holder names it
expect_in "$tmp/session" "  cơ quan:      Sở Khoa học và Công nghệ (P.S6)"
# ... and its dates as a Vietnamese reader writes them; an agency's
# superior by name
expect_in "$tmp/session" "  hiệu lực từ:  01/01/2024"
expect_in "$tmp/session" "01/01/2024..01/01/2029"
expect_in "$tmp/session" "  cấp trên:     "
LC_ALL=C.UTF-8 grep -E '^  cấp trên: +P(\.[A-Z0-9]+)*$' "$tmp/session" &&
	fail "an agency's superior by its code alone"
# a count's start in local time, not the stored UTC stamp; a report
# that could not be written is not named as written
# (count list, scan --watch's lines)
LC_ALL=C.UTF-8 grep -E 'T[0-9]{2}:[0-9]{2}:[0-9]{2}Z' "$tmp/session" >"$tmp/utc" &&
	fail "UTC stamps in the Vietnamese session: $(head -3 "$tmp/utc")"
expect_in "$tmp/session" "đang mở	cơ quan P.S2	"
expect_not_in "$tmp/session" "báo cáo: $tmp/khong-co"
expect_in "$tmp/session" "$tmp/khong-co/thu-muc: thư mục chứa nó không tồn tại"

# Vietnamese asked for by LANGUAGE=vi or --lang vi in a shell with no
# LANG (the "C" locale, where gettext ignores LANGUAGE): the same words
short_session() {
	td tag list --batch 1
	td tag remove A061
	td show holder 1
	td import "$tmp/ds.xlsx"
	td danhsach
	td receipt --list
	td plan --help
}
for how in "LANGUAGE=vi" "--lang vi"; do
	if [ "$how" = "--lang vi" ]; then
		(unset LANG; td() { "$TOKENDESK" --lang vi "$@"; }; short_session) >"$tmp/short" 2>&1
	else
		(unset LANG; export LANGUAGE=vi; short_session) >"$tmp/short" 2>&1
	fi
	expect_in "$tmp/short" "không có lệnh 'danhsach'"
	expect_in "$tmp/short" "đánh dấu của A061 đã gửi Sở KH&CN rồi"
	expect_in "$tmp/short" "Cách dùng: tokendesk plan"
	grep -n "" "$tmp/short" | strip_codes | english_in >"$tmp/english" &&
		{ fail "English with $how and no LANG:"; sed 's/^/  | /' "$tmp/english" | head -10 >&2; }
done

# columns line up by what the eye sees: the batch number and the
# serials start in one column whatever the words before them (printf's
# widths count bytes, and "thay đổi thông tin" has 25 for 18 columns)
if command -v python3 >/dev/null; then
	td tag list >"$tmp/taglist" 2>&1
	td plan show >"$tmp/planshow" 2>&1
	td dossier list --agency P.S1 >"$tmp/dossiers" 2>&1
	python3 - "$tmp/taglist" "$tmp/planshow" "$tmp/dossiers" >"$tmp/columns" <<'PY' ||
import re, sys
tags = [l.rstrip("\n") for l in open(sys.argv[1], encoding="utf-8")]
cols = {m.start() for l in tags for m in [re.search(r" \d+  \S", l)] if m}
acts = [l for l in open(sys.argv[2], encoding="utf-8") if not l.startswith(" ")]
cols2 = {m.start() for l in acts for m in [re.search(r"[0-9a-fA-F]{16,}|TK[A-Z]\d+|\bP\.\S+", l)] if m}
doss = [l for l in open(sys.argv[3], encoding="utf-8")]
cols3 = {l.find("đang mở") for l in doss}
print(len(tags), sorted(cols), len(acts), sorted(cols2), len(doss), sorted(cols3))
sys.exit(0 if len(cols) == 1 and len(cols2) == 1 and len(doss) == 2 and
         len(cols3) == 1 and -1 not in cols3 else 1)
PY
		fail "columns not aligned in tag list, plan show or dossier list: $(cat "$tmp/columns")"
fi

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
