# pcsc-lib.sh: sourced by the tests in tests/pcsc.  The real smart-card
# path, end to end on one machine:
#
#   tests/pcsc/vcard (a CAC card on libcacard, key and certificate in an
#   NSS database)  --TCP-->  vsmartcard's vpcd reader driver  -->  a
#   private pcscd  --PC/SC socket-->  OpenSC's PKCS#11 module (directly,
#   or behind p11-kit's proxy)  -->  tokendesk's module helper.
#
# The pcscd is the test's own and never the system's: pcscd 1.9.9 makes
# its socket at /run/pcscd/pcscd.comm whatever PCSCLITE_CSOCK_NAME says
# (only the client library reads that variable), so it runs in a mount
# namespace of its own (unshare -m) where /run/pcscd is a bind mount of
# the test's folder; the socket then appears in that folder, where the
# clients (OpenSC in tokendesk's helper, pkcs11-tool) find it through
# PCSCLITE_CSOCK_NAME.  It reads only the test's reader.conf (vpcd on a
# free port pair).  Needs root, or user namespaces (unshare -rm);
# otherwise the tests SKIP (exit 77) saying why.
#
# After pcsc_init: $PCSC_DIR, $PCSC_MODULE (OpenSC), $PCSC_PIN, the card
# made, pcscd and the emulator running, the card out of the reader;
# $PCSC_SERIAL once pcsc_insert has read it.  Everything started is
# stopped on exit.

: "${TD_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${TD_BUILDDIR:=$(dirname "${TOKENDESK:-$TD_SRCDIR/tokendesk}")}"
command -v hsm_init >/dev/null 2>&1 || . "$TD_SRCDIR/tests/token/hsm-lib.sh"

PCSC_MODULE=${OPENSC_MODULE:-}
[ -n "$PCSC_MODULE" ] || for m in /usr/lib/*/opensc-pkcs11.so /usr/lib/opensc-pkcs11.so \
	/usr/lib/*/pkcs11/opensc-pkcs11.so; do
	[ -f "$m" ] && PCSC_MODULE=$m && break
done
PCSC_DRIVER=${VPCD_DRIVER:-}
[ -n "$PCSC_DRIVER" ] || for d in /usr/lib/pcsc/drivers/serial/libifdvpcd.so \
	/usr/lib/*/pcsc/drivers/serial/libifdvpcd.so /usr/local/lib/pcsc/drivers/serial/libifdvpcd.so; do
	[ -f "$d" ] && PCSC_DRIVER=$d && break
done
VCARD=${VCARD:-$TD_BUILDDIR/tests/pcsc/vcard}
PCSC_FASTPOLL=${PCSC_FASTPOLL:-$TD_BUILDDIR/tests/pcsc/fastpoll.so}
# The card's PIN is the NSS database's password (CAC PINs: 4 to 8).
PCSC_PIN=20262026
PCSC_PIDS=

# pcsc_require: skip, saying why, unless this machine can run the path.
pcsc_require() {
	hsm_require_tools
	for tool in unshare pcscd certutil pk12util mount; do
		command -v "$tool" >/dev/null 2>&1 || skip "$tool not installed"
	done
	[ -x "$VCARD" ] || skip "tests/pcsc/vcard not built (libcacard-dev missing at configure)"
	[ -n "$PCSC_DRIVER" ] || skip "vpcd reader driver not installed (vsmartcard-vpcd)"
	[ -n "$PCSC_MODULE" ] || skip "OpenSC's PKCS#11 module not installed (opensc-pkcs11)"
	if [ "$(id -u)" = 0 ]; then
		PCSC_UNSHARE="unshare -m"
	else
		PCSC_UNSHARE="unshare -rm"
	fi
	$PCSC_UNSHARE sh -c 'mount -t tmpfs tmpfs /mnt' 2>/dev/null ||
		skip "cannot make a mount namespace ($PCSC_UNSHARE): a private pcscd needs one"
}

# pcsc_free_port: an even port whose pair (vpcd opens PORT and PORT+1,
# one a slot) nobody listens on.
pcsc_free_port() {
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		p=$(( (($(od -An -N2 -tu2 /dev/urandom) % 15000) * 2) + 20000 ))
		listening "$p" || listening $((p + 1)) || { echo "$p"; return 0; }
	done
	fail "no free port pair for vpcd"
}
listening() {
	hex=$(printf '%04X' "$1")
	cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk -v h=":$hex" \
		'$2 ~ h"$" && $4 == "0A" { f = 1 } END { exit !f }'
}

# pcsc_make_card NAME SUBJECT SERIAL_HEX: a key and certificate from the
# test CA (hsm_issue), in the NSS database the emulator serves, under
# nickname NAME, the database's password being $PCSC_PIN.
pcsc_make_card() {
	hsm_issue "$1" rsa "$2" "$3"
	mkdir -p "$PCSC_DIR/nss"
	printf '%s\n' "$PCSC_PIN" >"$PCSC_DIR/nss.pw"
	printf 'p12\n' >"$PCSC_DIR/p12.pw"
	[ -f "$PCSC_DIR/nss/cert9.db" ] ||
		certutil -N -d "sql:$PCSC_DIR/nss" -f "$PCSC_DIR/nss.pw" || fail "certutil -N"
	openssl pkcs12 -export -in "$HSM_DIR/$1.crt" -inkey "$HSM_DIR/$1.key" \
		-name "$1" -passout "file:$PCSC_DIR/p12.pw" -out "$PCSC_DIR/$1.p12" ||
		fail "pkcs12 $1"
	pk12util -i "$PCSC_DIR/$1.p12" -d "sql:$PCSC_DIR/nss" -k "$PCSC_DIR/nss.pw" \
		-w "$PCSC_DIR/p12.pw" >/dev/null || fail "pk12util $1"
}

# pcsc_start_pcscd [fast]: pcscd in its own mount namespace, foreground,
# reading only our reader.conf; "fast" preloads fastpoll.so (its 400 ms
# card poll made 20 ms: the 1,000 cycles only).  Tries three port pairs.
# PCSC_DEBUG=--debug in the environment puts pcscd's every call in
# $PCSC_DIR/pcscd.log (HSM_KEEP=1 keeps the folder).
pcsc_start_pcscd() {
	pre=
	if [ "${1:-}" = fast ]; then
		[ -f "$PCSC_FASTPOLL" ] || skip "tests/pcsc/fastpoll.so not built"
		pre="LD_PRELOAD=$PCSC_FASTPOLL"
	fi
	for _ in 1 2 3; do
		PCSC_PORT=$(pcsc_free_port)
		printf 'FRIENDLYNAME "Virtual PCD"\nDEVICENAME /dev/null:%s\nLIBPATH %s\nCHANNELID %s\n' \
			"$PCSC_PORT" "$PCSC_DRIVER" "$PCSC_PORT" >"$PCSC_DIR/conf/vpcd"
		rm -f "$PCSC_DIR/run/"*
		# No /run/pcscd at all (root): a tmpfs over /run in the
		# namespace holds one; the system's /run is never written.
		env $pre $PCSC_UNSHARE sh -c '
			[ -d /run/pcscd ] || { mount -t tmpfs -o mode=0755 tmpfs /run &&
				mkdir /run/pcscd; } || exit 70
			mount --bind "$1" /run/pcscd || exit 70
			exec pcscd --foreground ${PCSC_DEBUG:---info} --config "$2"' pcscd \
			"$PCSC_DIR/run" "$PCSC_DIR/conf/vpcd" >>"$PCSC_DIR/pcscd.log" 2>&1 &
		PCSC_PCSCD=$!
		PCSC_PIDS="$PCSC_PIDS $PCSC_PCSCD"
		if td_poll 10 pcscd_up; then
			PCSCLITE_CSOCK_NAME=$PCSC_DIR/run/pcscd.comm
			export PCSCLITE_CSOCK_NAME
			return 0
		fi
		kill "$PCSC_PCSCD" 2>/dev/null
		wait "$PCSC_PCSCD" 2>/dev/null
	done
	cat "$PCSC_DIR/pcscd.log" >&2
	fail "pcscd did not start with vpcd"
}
pcscd_up() {
	kill -0 "$PCSC_PCSCD" 2>/dev/null && [ -S "$PCSC_DIR/run/pcscd.comm" ] &&
		listening "$PCSC_PORT" && listening $((PCSC_PORT + 1))
}

# pcsc_start_card NAME: the emulator serving card NAME, the card out.
pcsc_start_card() {
	rm -f "$PCSC_DIR/ctl"
	mkfifo "$PCSC_DIR/ctl" || fail "mkfifo"
	: >"$PCSC_DIR/vcard.log"
	"$VCARD" -d "$PCSC_DIR/nss" -n "$1" -p "$PCSC_PORT" -c "$PCSC_DIR/ctl" \
		>"$PCSC_DIR/vcard.log" 2>"$PCSC_DIR/vcard.err" &
	PCSC_VCARD=$!
	PCSC_PIDS="$PCSC_PIDS $PCSC_VCARD"
	td_poll 10 vcard_said_since 0 ready ||
		{ cat "$PCSC_DIR/vcard.log" "$PCSC_DIR/vcard.err" >&2; fail "the emulator did not start"; }
}

# vcard_said_since N EVENT: the emulator's log, after its first N lines,
# has the whole line EVENT.
vcard_said_since() {
	td_complete_lines "$PCSC_DIR/vcard.log" | tail -n +$(($1 + 1)) | grep -qx -- "$2"
}

# vcard_do COMMAND EVENT [SECONDS]: send COMMAND to the emulator and
# wait for its line EVENT (5 s, times TD_SLOW); print the ms it took.
# An insert first waits until pcscd has seen the reader empty
# (pcsc_wait_empty).  (Its variables are its own, vd_*: the callers keep
# n and t0.)
vcard_do() {
	[ "$1" != insert ] || pcsc_wait_empty
	vd_n=$(wc -l <"$PCSC_DIR/vcard.log")
	vd_t0=$(now_ms)
	printf '%s\n' "$1" >"$PCSC_DIR/ctl"
	td_poll "${3:-5}" vcard_said_since "$vd_n" "$2" ||
		{ cat "$PCSC_DIR/vcard.log" >&2; fail "emulator: no '$2' after '$1'"; }
	echo $(( $(now_ms) - vd_t0 ))
}

# pcsc_wait_empty: wait (5 s, times TD_SLOW) until pcscd has logged as
# many removals as insertions: it has seen the reader empty since the card
# last went in.  The emulator's "removed" is not enough: vpcd notices a
# card gone only at pcscd's next presence poll (every 400 ms), and if the
# card is back by then (its connection waiting to be accepted), pcscd sees
# the same card all along and never powers the new one (measured: 1 run
# in 15 of desk.sh with four busy loops beside it, "inserted" and no
# "powered").
pcsc_wait_empty() {
	td_poll 5 pcscd_reader_empty || {
		tail -20 "$PCSC_DIR/pcscd.log" >&2
		fail "pcscd never saw the virtual reader empty"
	}
}
pcscd_reader_empty() {
	awk '/Card inserted into Virtual PCD 00 00/ { n++ }
		/Card Removed From Virtual PCD 00 00/ { n-- }
		END { exit n != 0 }' "$PCSC_DIR/pcscd.log"
}

# pcsc_insert: the card in, taken in by pcscd; sets PCSC_SERIAL the first
# time (the serial OpenSC gives the CAC card, as pkcs11-tool prints it).
pcsc_insert() {
	vcard_do insert powered >/dev/null
	[ -n "${PCSC_SERIAL:-}" ] && return 0
	td_poll 5 pcsc_read_serial || fail "OpenSC shows no token in the virtual reader"
}
pcsc_read_serial() {
	PCSC_SERIAL=$(pkcs11-tool --module "$PCSC_MODULE" -L 2>/dev/null |
		awk '/serial num/ { sub(/^[^:]*: */, ""); print; exit }')
	[ -n "$PCSC_SERIAL" ]
}
pcsc_remove() { vcard_do remove removed >/dev/null; }

# pcsc_slots: OpenSC's slot list, one line a slot: "READER: SERIAL" or
# "READER: (empty)".
pcsc_slots() {
	pkcs11-tool --module "$PCSC_MODULE" -L 2>/dev/null | awk '
		/^Slot / { if (r != "") print r ": " s; r = $0; sub(/^Slot [^:]*: */, "", r); s = "(empty)" }
		/serial num/ { s = $0; sub(/^[^:]*: */, "", s) }
		END { if (r != "") print r ": " s }'
}

pcsc_stop() {
	[ -n "${PCSC_DIR:-}" ] && [ -p "$PCSC_DIR/ctl" ] &&
		printf 'quit\n' >"$PCSC_DIR/ctl" 2>/dev/null
	for p in $PCSC_PIDS; do kill "$p" 2>/dev/null; done
	for p in $PCSC_PIDS; do wait "$p" 2>/dev/null; done
	PCSC_PIDS=
	if [ -n "${HSM_KEEP:-}" ] && [ -n "${PCSC_DIR:-}" ]; then
		echo "--- pcscd.log" >&2; tail -20 "$PCSC_DIR/pcscd.log" >&2
	fi
}

# pcsc_registry: agencies and one certificate: NAME's, on the card.
# Needs PCSC_SERIAL (insert the card first).
pcsc_registry() {
	cat >"$HSM_DIR/agencies.csv" <<CSV
code,name,parent_code,level
HY,Ủy ban nhân dân tỉnh Hưng Yên,,province
HY-TP,Sở Tư pháp,HY,department
CSV
	cat >"$HSM_DIR/certs.csv" <<CSV
cert_serial,kind,holder_name,holder_id,position,agency_code,not_before,not_after,token_serial,token_model,email
$PCSC_CERT_SERIAL,person,Trần Thị Lan,033190004321,,HY-TP,2024-01-01,2030-01-01,$PCSC_SERIAL,CAC,
CSV
	[ -f "${1:-$TOKENDESK_DB}" ] || "$TOKENDESK" ${1:+--db "$1"} init >/dev/null || fail "init"
	"$TOKENDESK" ${1:+--db "$1"} import "$HSM_DIR/agencies.csv" "$HSM_DIR/certs.csv" \
		>"$HSM_DIR/import.out" 2>&1 || { cat "$HSM_DIR/import.out" >&2; fail "import"; }
}

PCSC_CERT_SERIAL=7c01
PCSC_SUBJ="/C=VN/L=Hưng Yên/O=Ủy ban nhân dân tỉnh Hưng Yên/OU=Sở Tư pháp/CN=Trần Thị Lan/UID=CCCD:033190004321"

# pcsc_init [fast]: all of it: tools checked, the test CA (hsm_init, if
# not done), Lan's card, pcscd and the emulator started, card out.
pcsc_init() {
	pcsc_require
	[ -n "${HSM_DIR:-}" ] || hsm_init
	PCSC_DIR=$HSM_DIR/pcsc
	mkdir -p "$PCSC_DIR/run" "$PCSC_DIR/conf"
	chmod 0700 "$PCSC_DIR"
	trap 'pcsc_stop; hsm_cleanup' EXIT
	trap 'exit 1' INT TERM
	# OpenSC as shipped, but no developer's own settings or caches.
	printf 'app default {\n\tframework pkcs15 {\n\t\tuse_file_cache = no;\n\t}\n}\n' \
		>"$PCSC_DIR/opensc.conf"
	OPENSC_CONF=$PCSC_DIR/opensc.conf
	export OPENSC_CONF
	pcsc_make_card lan "$PCSC_SUBJ" "$PCSC_CERT_SERIAL"
	pcsc_start_pcscd "${1:-}"
	pcsc_start_card lan
}

# td_pcsc ARGS: tokendesk with OpenSC's module.
td_pcsc() { "$TOKENDESK" --module "$PCSC_MODULE" "$@"; }
