#!/bin/sh
# Signing at the desk with SoftHSM2 tokens: after F9 the desk offers to
# sign the record; the receiver's token (EC), plugged in then, signs it
# (PIN never on screen); Enter on the token's custody history opens the
# record's screen with it.  The printed record's QR code, decoded by zbarimg
# and sent as a scanner types it, opens the record's screen saying the
# paper matches; a QR of other content says it does not.  From that
# screen the giver's token (RSA) signs too; pdfsig and `receipt --verify`
# accept both.  Quitting after the handover offers a checkpoint, signed
# with the giver's token, that `audit verify --checkpoint` accepts.
. "$TD_SRCDIR/tests/tui/lib.sh"
with_tokens
HSM_PIN=739251   # digits that appear nowhere else on the screen
for tool in pdfsig pdftoppm zbarimg; do
	command -v $tool >/dev/null 2>&1 || skip "$tool not installed"
done

demo_registry
hsm_issue giver rsa "/C=VN/L=Đông Châu/O=Sở Tài chính/CN=Lê Thị Mai" 7b5c01
hsm_issue taker ec "/C=VN/L=Đông Châu/O=Sở Y tế/CN=Phạm Văn Khoa" 7b5c02
SG=$(hsm_token "Mai"); hsm_load "Mai" giver 01
ST=$(hsm_token "Khoa"); hsm_load "Khoa" taker 01
from=$(date -u -d yesterday +%Y-%m-%d) to=$(date -u -d '+2 years' +%Y-%m-%d)
cat >"$tui_tmp/mine.csv" <<CSV
cert_serial,kind,holder_name,holder_id,position,agency_code,not_before,not_after,token_serial,token_model,email
7B5C01,person,Lê Thị Mai,001190000777,Chuyên viên,DC.STC,$from,$to,$SG,SoftHSM v2,
7B5C02,person,Phạm Văn Khoa,001190000888,Chuyên viên,DC.SYT,$from,$to,$ST,SoftHSM v2,
7B5C05,person,Lê Thị Mai,001190000777,Chuyên viên,DC.STC,$from,$to,OLD01,SoftHSM v2,
CSV
"$TOKENDESK" --db "$tmp/reg.db" -q import "$tui_tmp/mine.csv" >/dev/null ||
	fail "cannot import the tokens' records"
"$TOKENDESK" --db "$tmp/reg.db" -q crl trust add "$HSM_DIR/ca/ca.crt" >/dev/null ||
	fail "cannot pin the test CA"
# Both tokens start unplugged; plug SERIAL / unplug SERIAL move their store.
mkdir "$HSM_DIR/away"
mv "$HSM_DIR"/tokens/* "$HSM_DIR/away/" || fail "cannot unplug the tokens"
move() {
	for dir in "$HSM_DIR/$2"/*; do
		case $dir in *"$(echo "$1" | tail -c 9)") mv "$dir" "$HSM_DIR/$3/" && return 0 ;; esac
	done
	fail "no token store for $1 in $2"
}
plug() { move "$1" away tokens; }
unplug() { move "$1" tokens away; }
pin_hidden() { screen | grep -qF "$HSM_PIN" && fail "the PIN shows on the screen"; return 0; }

start_desk 120 40 SOFTHSM2_CONF="$SOFTHSM2_CONF" P11_KIT_NO_USER_CONFIG=1 \
	TOKENDESK_DATADIR="$TOKENDESK_DATADIR" -- --lang en --module "$HSM_MODULE"
keys F5
wait_for "Hand tokens over" || fail "F5 did not open the handover"
type_text "OLD01"
keys Enter
wait_for "OLD01" || fail "token not listed"
keys Tab Tab
type_text "holder:001190000888"
wait_for "✓ Phạm Văn Khoa" || fail "receiver not resolved"
wait_for "! off the path" || fail "the list does not mark the step off the path"
# A token with an active certificate to another person: the desk asks
# why, and the reason goes on the record (letter 2.2, the path rule).
keys F9
wait_for "Record the handover?" || fail "no confirmation"
wait_for "active certificate of holder 001190000777" ||
	fail "the confirmation does not name the rule"
wait_for "Record anyway? Type why" || fail "F9 did not ask for the reason"
keys Enter
wait_for "Type why it is recorded anyway." || fail "an empty reason was taken"
type_text "bàn giao công việc"
keys Enter
wait_for "Sign the record of handover BG-" || fail "no offer to sign after F9"
number=$(screen | grep -o "BG-[0-9]*-[0-9]*" | head -1)
wait_for "Insert the token that signs" || fail "the offer does not ask for a token"

# The receiver plugs in and signs.
plug "$ST"
wait_for "$ST" 10 || fail "the receiver's token is not offered"
keys Enter
wait_for "Token $ST: type its PIN" || fail "no PIN prompt"
type_text "$HSM_PIN"
pin_hidden
keys Enter
wait_for "Signed by" 10 || fail "the receiver's signature failed"
screen | grep -q "Phạm Văn Khoa" || fail "the signer is not named"
pdf="$tmp/records/$number.pdf"
[ -f "$pdf" ] || fail "no signed record at $pdf"
keys Enter
wait_gone "Signed by" || fail "Enter did not close the dialog"
keys Escape
wait_for "Tokens present" || fail "Esc did not go back to the panel"

# The record's screen from the token's custody history (Enter on it).
keys "OLD01" Enter
wait_for "Token OLD01" || fail "the scanned serial did not open its token"
wait_for "Custody history" || fail "no custody history"
keys Down Down Down Down Down Down Down Down Down Down Down
keys Enter
wait_for "Handover record $number" || fail "Enter on the history did not open the record"
wait_for "Phạm Văn Khoa" || fail "the record's screen does not list the signature"
keys Escape Escape Escape
wait_for "Tokens present" || fail "Esc did not go back to the panel"

# The paper's QR code, as a scanner types it.
pdftoppm -r 200 -gray -f 1 -l 1 -png "$pdf" "$tui_tmp/page" || fail "pdftoppm"
qr=$(zbarimg -q --raw "$tui_tmp"/page*.png 2>/dev/null) || fail "zbarimg found no QR code"
case $qr in "TDREC:$number:"*) ;; *) fail "QR code reads '$qr'" ;; esac
keys "TDREC:$number:$(printf '%064d' 0)" Enter
wait_for "the paper does NOT match the registry" || fail "a QR of other content matched"
keys Escape
wait_for "Tokens present" || fail "Esc did not go back to the panel"
keys "$qr" Enter
wait_for "Handover record $number" || fail "the QR code did not open the record"
wait_for "✓ The paper matches the registry." || fail "the paper does not match"
screen | grep -q "Phạm Văn Khoa" || fail "the record's screen lacks the signature"

# The giver signs from the record's screen.
unplug "$ST"
plug "$SG"
keys s
wait_for "$SG" 10 || fail "the giver's token is not offered"
keys Enter
wait_for "Token $SG: type its PIN" || fail "no PIN prompt for the giver"
type_text "$HSM_PIN"
pin_hidden
keys Enter
wait_for "Signed by" 10 || fail "the giver's signature failed"
keys Enter
wait_gone "Signed by" || fail "Enter did not close the dialog"

# Quitting after a handover, with a token plugged in: a checkpoint first.
keys F10
wait_for "sign a checkpoint of the audit chain before quitting?" ||
	fail "no checkpoint offered on quitting"
wait_for "$SG" || fail "the token is not offered for the checkpoint"
keys Enter
wait_for "Token $SG: type its PIN" || fail "no PIN prompt for the checkpoint"
type_text "$HSM_PIN"
keys Enter
wait_for "Signed by" 10 || fail "the checkpoint was not signed"
keys Enter
wait_exit 0 || fail "no clean exit after the checkpoint"

pdfsig -nocert "$pdf" >"$tui_tmp/pdfsig" 2>&1
[ "$(grep -c "Signature is Valid" "$tui_tmp/pdfsig")" = 2 ] ||
	{ cat "$tui_tmp/pdfsig"; fail "pdfsig does not find two valid signatures"; }
"$TOKENDESK" --db "$tmp/reg.db" receipt "$number" --verify "$pdf" >"$tui_tmp/verify" 2>&1 ||
	{ cat "$tui_tmp/verify"; fail "receipt --verify"; }
"$TOKENDESK" --db "$tmp/reg.db" receipt "$number" >"$tui_tmp/rec" 2>&1 || fail "receipt"
grep -qF "Lý do bàn giao ngoài trình tự: bàn giao công việc" "$tui_tmp/rec" ||
	fail "the record lacks the reason: $(cat "$tui_tmp/rec")"
grep -q "the receiver" "$tui_tmp/verify" && grep -q "the giver" "$tui_tmp/verify" ||
	{ cat "$tui_tmp/verify"; fail "the parties are not both named"; }
cp=$(ls "$tmp/records"/checkpoint-*.pem 2>/dev/null | head -1)
[ -n "$cp" ] || fail "no checkpoint file in records/"
"$TOKENDESK" --db "$tmp/reg.db" audit verify --checkpoint "$cp" >"$tui_tmp/cp" 2>&1 ||
	{ cat "$tui_tmp/cp"; fail "the desk's checkpoint does not verify"; }
exit 0
