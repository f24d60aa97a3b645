#!/bin/sh
# pcsc/desk: the desk (in tmux) shows the virtual card within 1 s of its
# insertion, matched with its holder and marked just inserted, and drops
# it within 1 s of its removal; three rounds, through OpenSC and pcscd.
. "$TD_SRCDIR/tests/tui/lib.sh"
with_tokens
. "$TD_SRCDIR/tests/pcsc/pcsc-lib.sh"
pcsc_init
trap 'pcsc_stop; cleanup; hsm_cleanup' EXIT
LIMIT_MS=$((1000 * TD_SLOW))
pcsc_insert
pcsc_registry "$tmp/reg.db"
pcsc_remove
U=$(echo "$PCSC_SERIAL" | tr a-f A-F)
has_card() { screen | grep -q "$PCSC_SERIAL\|$U"; }
no_card() { ! has_card; }

start_desk 120 40 PCSCLITE_CSOCK_NAME="$PCSCLITE_CSOCK_NAME" OPENSC_CONF="$OPENSC_CONF" \
	P11_KIT_NO_USER_CONFIG=1 TOKENDESK_DATADIR="$TOKENDESK_DATADIR" -- \
	--lang en --module "$PCSC_MODULE"
wait_for "0 token(s)" 10 || fail "the desk did not start with an empty reader"
# Once in and out before timing: a token in the module helper's first
# scan counts as present when the desk started (no mark), and under
# valgrind that first scan can outlast the first insertion.
vcard_do insert powered >/dev/null
td_poll 10 has_card || fail "warm-up: the card is not shown"
vcard_do remove removed >/dev/null
td_poll 10 no_card || fail "warm-up: the card pulled is still shown"
for i in 1 2 3; do
	t0=$(now_ms)
	vcard_do insert powered >/dev/null
	td_poll 5 has_card || fail "round $i: the card is not shown"
	in_ms=$(( $(now_ms) - t0 ))
	wait_for "Matched — Trần Thị Lan" || fail "round $i: the card is not matched with its holder"
	wait_for "● just inserted" || fail "round $i: the card is not marked just inserted"
	wait_for "1 token(s)" || fail "round $i: not one token"
	t0=$(now_ms)
	vcard_do remove removed >/dev/null
	td_poll 5 no_card || fail "round $i: the card pulled is still shown"
	out_ms=$(( $(now_ms) - t0 ))
	wait_for "0 token(s)" || fail "round $i: the count did not go back to 0"
	echo "desk $i: insertion shown after $in_ms ms, removal after $out_ms ms"
	[ "$in_ms" -le $LIMIT_MS ] || fail "round $i: insertion took $in_ms ms"
	[ "$out_ms" -le $LIMIT_MS ] || fail "round $i: removal took $out_ms ms"
done
keys F10
wait_exit 0 || fail "no clean exit"
echo PASS
