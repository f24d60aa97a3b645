#!/bin/sh
# hall.sh (make check-hall): a handover hall on one machine, as
# docs/hall.md sets it up: a registry host (a private sshd on a loopback
# port), five operators whose SSH keys `tokendesk hall add-operator`
# bound to names, and five "laptops", each with its own SoftHSM2 tokens
# behind its own `p11-kit server`, each desk opened by tokendesk-connect
# in tmux.  Checks: each desk sees only its laptop's tokens, and one
# plugged in shows within a second; each records a handover of them (one
# with proof of possession through the forward); the audit names the operators from their keys; two
# desks racing for one token give exactly one handover, the other told
# who and when; an ssh connection killed mid-handover leaves nothing
# half-done and nothing running; the audit chain verifies.
. "$TD_SRCDIR/tests/hall/hall-lib.sh"
hall_init
names="Nguyễn Văn An|Trần Thị Bình|Lê Văn Cường|Phạm Thị Dung|Hoàng Văn Em"
name() { echo "$names" | cut -d'|' -f"$1"; }
for n in 1 2 3 4 5; do
	hall_laptop $n
	hall_token $n tok${n}a ${n}a0${n}; eval "A$n=\$serial"
	hall_token $n tok${n}b ${n}b0${n}; eval "B$n=\$serial"
	hall_operator $n "$(name $n)"
done
hall_stage_token 4 tok4c 4c04; C4=$serial
hall_import
reg() { "$TOKENDESK" --db "$HALL_DB" "$@"; }
# the registry's spelling of a serial (SoftHSM2 shows it in lower case)
up() { echo "$1" | tr a-z A-Z; }
custodian() { reg show token "$1" --json | sed -n 's/.*"custodian": "\([^"]*\)".*/\1/p' | head -1; }

for n in 1 2 3 4 5; do hall_desk $n; done
# Each desk: its own two tokens, matched, and none of the others'.
a='' b='' o=''   # set by eval from A1..A5, B1..B5
for n in 1 2 3 4 5; do
	eval "a=\$A$n b=\$B$n"
	dwait $n "$a" 20
	dwait $n "$b"
	dwait $n "2 token(s)"
	dhas $n "$(name $n) (ssh SHA256:" || fail "desk $n: the status line lacks the key's name"
	for m in 1 2 3 4 5; do
		[ $m = $n ] && continue
		eval "o=\$A$m"
		dhas $n "$o" && fail "desk $n shows laptop $m's token $o"
	done
done
echo "ok: each desk sees its own laptop's tokens"
# A token plugged into laptop 4 shows at desk 4, matched, within a second
# (through p11-kit server, ssh and p11-kit-client); pulled out, it goes.
t0=$(now_ms)
hall_insert 4 tok4c
dwait 4 "Matched — tok4c" 5
ms=$(( $(now_ms) - t0 ))
[ $ms -le $((1000 * TD_SLOW)) ] || fail "insertion to match took $ms ms (target 1 s)"
dhas 1 "$C4" && fail "desk 1 shows laptop 4's new token"
hall_pull 4 tok4c
t0=$(now_ms)
while dhas 4 "$C4"; do
	[ $(( $(now_ms) - t0 )) -le $((1000 * TD_SLOW)) ] || fail "a pulled token stayed on desk 4"
	sleep 0.05
done
echo "ok: a token plugged in shows in $ms ms, and goes when pulled"

# Each desk hands both its tokens to Sở Tài chính, all five at once.
to_field() {  # to_field N TEXT: from the Token field to To, typed
	dkeys $1 Tab Tab
	dtype $1 "$2"
	dwait $1 "✓ "
}
for n in 1 2 3 4 5; do dkeys $n F5; done
for n in 1 2 3 4 5; do
	dwait $n "Hand tokens over"
	to_field $n HL.STC
done
# Desk 5 proves possession of one token first: the PIN goes to the
# laptop's token through the forward, and the signature comes back.
dkeys 5 Tab Tab Tab Home
dkeys 5 p
dwait 5 "Proof of possession"
dtype 5 "$HSM_PIN"
dkeys 5 Enter
dwait 5 "✓ proved" 10
for n in 1 2 3 4 5; do dkeys $n F9; done
for n in 1 2 3 4 5; do dwait $n "Record the handover?"; done
for n in 1 2 3 4 5; do dkeys $n y; done
for n in 1 2 3 4 5; do
	dnot_now $n
	eval "a=\$A$n b=\$B$n"
	[ "$(custodian "$a")" = agency:HL.STC ] && [ "$(custodian "$b")" = agency:HL.STC ] ||
		fail "desk $n: its tokens did not move"
done
[ "$(reg receipt --list | grep -c '^BG-')" = 5 ] || fail "not five handovers: $(reg receipt --list)"
reg show token "$A5" --json | grep -q "possession matched" ||
	reg show token "$B5" --json | grep -q "possession matched" ||
	fail "desk 5's proof of possession is not on the custody event"
echo "ok: five desks recorded their handovers at once"

# Who: every handover row names its operator as the key says.
for n in 1 2 3 4 5; do
	eval "a=\$A$n"
	reg audit log token "$(up "$a")" >"$HALL/audit.txt" || fail "audit log token $a"
	fp=$(ssh-keygen -lf "$HALL/op$n.pub" | cut -d' ' -f2)
	grep -q "move.*$(name $n) (ssh $fp)" "$HALL/audit.txt" ||
		{ cat "$HALL/audit.txt" >&2; fail "the audit lacks '$(name $n) (ssh $fp)'"; }
	grep -v "import" "$HALL/audit.txt" | grep -q "  root$" &&
		fail "an audit row names a login, not a key"
done
# The key opens the desk only: no other command, no other operator.
st=0
ssh -F "$HALL/ssh_config" -i "$HALL/op1" 127.0.0.1 tokendesk --operator Mallory \
	</dev/null >"$HALL/out" 2>&1 || st=$?
[ $st = 77 ] && grep -q "this key opens the desk only" "$HALL/out" ||
	{ cat "$HALL/out" >&2; fail "op1's key ran --operator Mallory (status $st)"; }
st=0
ssh -F "$HALL/ssh_config" -i "$HALL/op1" 127.0.0.1 tokendesk audit log \
	</dev/null >"$HALL/out" 2>&1 || st=$?
[ $st = 77 ] || { cat "$HALL/out" >&2; fail "op1's key ran a command (status $st)"; }
# and no TCP forwarding through the host
st=0
ssh -F "$HALL/ssh_config" -i "$HALL/op1" -o ExitOnForwardFailure=yes -N \
	-R 127.0.0.1:0:127.0.0.1:22 127.0.0.1 </dev/null >"$HALL/out" 2>&1 || st=$?
[ $st != 0 ] || fail "op1's key opened a TCP forward"
echo "ok: operators are named by their keys"

# The race: desk 1 hands its tokens to DOST while desk 2, which typed
# A1 into its own batch, does the same: exactly one handover of A1.
for n in 1 2; do dkeys $n F5; dwait $n "Hand tokens over"; done
dtype 2 "$A1"; dkeys 2 Enter
dwait 2 "$(up "$A1") added."
for n in 1 2; do to_field $n dost; done
before=$(reg receipt --list | grep -c '^BG-')
dkeys 1 F9; dkeys 2 F9
dwait 1 "Record the handover?"; dwait 2 "Record the handover?"
dkeys 1 y; dkeys 2 y
winner='' loser=''
end=$(( $(now_ms) + 10000 ))
while [ -z "$winner" ] && [ "$(now_ms)" -lt "$end" ]; do
	for n in 1 2; do
		drecorded $n && winner=$winner$n
	done
	sleep 0.05
done
[ "$winner" != 12 ] || { dscreen 1; dscreen 2; fail "both desks recorded A1"; }
[ -n "$winner" ] || { dscreen 1; dscreen 2; fail "no desk recorded the race"; }
loser=$((3 - winner))
dwait $loser "handed over meanwhile by $(name $winner) (ssh SHA256:"
drecorded $loser && fail "both desks recorded A1"
after=$(reg receipt --list | grep -c '^BG-')
[ "$after" = $((before + 1)) ] || fail "the race made $((after - before)) handovers"
[ "$(custodian "$A1")" = dost ] || fail "A1 is not with DOST"
[ "$(reg show token "$A1" --json | grep -c '"to": "dost"\|"to_custodian": "dost"')" -le 1 ] ||
	fail "A1 went to DOST twice"
echo "ok: two desks raced for one token: one handover, desk $loser told who"

# A dropped connection mid-handover: desk 3 at the confirmation, its ssh
# killed.  Nothing written, the desk on the host gone, the laptop's
# server and sockets cleaned up, its tokens untouched.
dkeys 3 F5; dwait 3 "Hand tokens over"
to_field 3 dost
dkeys 3 F9; dwait 3 "Record the handover?"
pane=$(tmux -S "$HALL/tmux.sock" display -p -t d3 '#{pane_pid}')
connect=$(pgrep -P "$pane" -f tokendesk-connect | head -1)
[ -n "$connect" ] || fail "no tokendesk-connect under desk 3's pane"
sshpid=$(pgrep -P "$connect" -x ssh)
server=$(pgrep -P "$connect" | grep -vx "$sshpid")
[ -n "$sshpid" ] && [ -n "$server" ] || fail "desk 3: no ssh ($sshpid) or server ($server)"
before=$(reg export tokens)
kill -9 "$sshpid"
dexit 3 137   # ssh's status: killed
i=0
while kill -0 "$server" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 100 ] || fail "desk 3's p11-kit server still runs"
	sleep 0.05
done
ls -d "${TMPDIR:-/tmp}"/tokendesk-connect.* 2>/dev/null | while read -r d; do
	[ -S "$d/p11.sock" ] || continue
	fuser "$d/p11.sock" >/dev/null 2>&1 || echo "left: $d"
done | grep -q left && fail "a tokendesk-connect socket was left behind"
# the desk on the host ends once sshd sees the connection gone
i=0
while pgrep -f "operator-key $(name 3)" >/dev/null 2>&1 ||
      pgrep -f "tokendesk-full.*--operator-key $(name 3)" >/dev/null 2>&1; do
	i=$((i + 1)); [ $i -lt 300 ] || fail "desk 3 still runs on the host"
	sleep 0.05
done
[ "$(reg export tokens)" = "$before" ] || fail "the dropped handover wrote something"
SOFTHSM2_CONF=$HALL/lap3/softhsm2.conf pkcs11-tool --module "$HSM_MODULE" -L 2>/dev/null |
	grep -q "tok3a" || fail "laptop 3's token is gone"
echo "ok: a connection killed mid-handover left nothing half-done"

# A closed terminal (the laptop's window shut: SIGHUP) ends desk 5 just
# as cleanly: its server stopped, its sockets gone on both sides.
pane=$(tmux -S "$HALL/tmux.sock" display -p -t d5 '#{pane_pid}')
connect=$(pgrep -P "$pane" -f tokendesk-connect | head -1)
sshpid=$(pgrep -P "$connect" -x ssh)
server=$(pgrep -P "$connect" | grep -vx "$sshpid")
[ -n "$server" ] || fail "desk 5: no p11-kit server"
# its socket's directory, from its command line (-n DIR/p11.sock)
ldir=$(tr '\0' ' ' <"/proc/$server/cmdline" | sed -n 's|.* -n \([^ ]*\)/p11.sock .*|\1|p')
[ -d "$ldir" ] || fail "desk 5: no socket directory ($ldir)"
tmux -S "$HALL/tmux.sock" kill-session -t d5
i=0
while kill -0 "$server" 2>/dev/null || [ -e "$ldir" ]; do
	i=$((i + 1)); [ $i -lt 100 ] || fail "desk 5's server or socket outlived its terminal"
	sleep 0.05
done
echo "ok: a closed terminal stops the laptop's server and removes its socket"

# The other desks go on; F10 ends them cleanly, sockets and all.
for n in 1 2 4; do dkeys $n Escape; dquit $n; done
for n in 1 2 4; do dexit $n 0; done
i=0
while pgrep -f "operator-key $(name 5)" >/dev/null 2>&1; do
	i=$((i + 1)); [ $i -lt 300 ] || fail "desk 5 still runs on the host"
	sleep 0.05
done
[ -z "$(ls -A "$HALL/rsock")" ] || fail "forwarded sockets left on the host: $(ls "$HALL/rsock")"
reg audit verify >/dev/null || fail "audit chain broken"
echo PASS
