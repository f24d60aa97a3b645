# hsm-lib.sh: sourced by the token tests.  Makes a private SoftHSM2 token
# store in a temp dir, an issuing test CA laid out like the government CA,
# keys and certificates with Vietnamese subjects, and loads them onto
# tokens.  Never touches the system token store: SOFTHSM2_CONF is always
# exported to the private one.
#
# After hsm_init: $HSM_DIR (temp dir, removed on exit), $HSM_MODULE,
# $SOFTHSM2_CONF, and CA files in $HSM_DIR/ca.

set -u

: "${TOKENDESK:?TOKENDESK must name the program}"
: "${TD_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
HSM_MODULE=${SOFTHSM2_MODULE:-}
[ -n "$HSM_MODULE" ] || for m in /usr/lib/*/softhsm/libsofthsm2.so /usr/lib/softhsm/libsofthsm2.so; do
	[ -f "$m" ] && HSM_MODULE=$m && break
done

HSM_PIN=1111
HSM_SO_PIN=12345678
# The issuer of the government CA (G2), in the order of its RDN sequence.
HSM_CA_SUBJ="/CN=CA phục vụ các cơ quan Nhà nước G2/O=Ban Cơ yếu Chính phủ/C=VN"

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit 77; }

# Skip only when an optional tool is genuinely absent.
hsm_require_tools() {
	for tool in softhsm2-util pkcs11-tool openssl; do
		command -v "$tool" >/dev/null 2>&1 || skip "$tool not installed"
	done
	[ -n "$HSM_MODULE" ] && [ -f "$HSM_MODULE" ] || skip "libsofthsm2.so not found"
}

# Waits (TD_SLOW, td_poll, markers): tests/wait-lib.sh.
. "$TD_SRCDIR/tests/wait-lib.sh"

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# wait_line PATTERN FILE: print the ms until a whole line of FILE (ended
# by its newline: a line still being written is not read) matches
# PATTERN, or fail after 5 s (times TD_SLOW), showing what FILE held.
wait_line() {
	wait_start=$(now_ms)
	while ! td_complete_lines "$2" | grep -q -- "$1"; do
		[ $(( $(now_ms) - wait_start )) -lt $((5000 * TD_SLOW)) ] ||
			{ cat "$2" >&2; fail "no '$1' within $((5 * TD_SLOW)) s"; }
		sleep 0.01
	done
	echo $(( $(now_ms) - wait_start ))
}

hsm_init() {
	hsm_require_tools
	HSM_DIR=$(mktemp -d "${TMPDIR:-/tmp}/td-hsm.XXXXXX")
	trap 'hsm_cleanup' EXIT
	mkdir -p "$HSM_DIR/tokens" "$HSM_DIR/ca"
	printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' \
		"$HSM_DIR" >"$HSM_DIR/softhsm2.conf"
	SOFTHSM2_CONF=$HSM_DIR/softhsm2.conf
	export SOFTHSM2_CONF
	TOKENDESK_DATADIR=${TOKENDESK_DATADIR:-$TD_SRCDIR/data}
	export TOKENDESK_DATADIR
	# p11-kit must not load a developer's own module list into the proxy.
	P11_KIT_NO_USER_CONFIG=1
	export P11_KIT_NO_USER_CONFIG
	TOKENDESK_DB=$HSM_DIR/registry.db
	export TOKENDESK_DB
	hsm_make_ca
}

# Background processes a test started (append to HSM_PIDS): a failing
# test must not leave a watcher running.
HSM_PIDS=
hsm_cleanup() {
	for p in $HSM_PIDS; do kill "$p" 2>/dev/null; done
	[ -n "${HSM_KEEP:-}" ] && { echo "kept $HSM_DIR" >&2; return; }
	[ -n "${HSM_DIR:-}" ] && rm -rf "$HSM_DIR"
}

hsm_make_ca() {
	cat >"$HSM_DIR/ca/openssl.cnf" <<CNF
[ ca ]
default_ca = td
[ td ]
dir = $HSM_DIR/ca
database = \$dir/index.txt
new_certs_dir = \$dir/new
serial = \$dir/serial
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
x509_extensions = holder
string_mask = utf8only
utf8 = yes
[ anything ]
countryName = optional
[ holder ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ req ]
distinguished_name = dn
string_mask = utf8only
utf8 = yes
[ dn ]
[ caext ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
CNF
	: >"$HSM_DIR/ca/index.txt"
	mkdir -p "$HSM_DIR/ca/new"
	openssl req -x509 -new -newkey rsa:2048 -nodes -utf8 -sha256 -days 3650 \
		-config "$HSM_DIR/ca/openssl.cnf" -extensions caext \
		-subj "$HSM_CA_SUBJ" -keyout "$HSM_DIR/ca/ca.key" \
		-out "$HSM_DIR/ca/ca.crt" 2>/dev/null || fail "cannot make the test CA"
}

# hsm_issue NAME rsa|ec SUBJECT SERIAL_HEX [STARTDATE ENDDATE]
# Dates as YYYYMMDDHHMMSSZ; default: valid from yesterday for two years.
# Makes $HSM_DIR/NAME.key (PKCS#8 PEM) and NAME.crt / NAME.der.
hsm_issue() {
	name=$1 type=$2 subj=$3 serial=$4
	start=${5:-$(date -u -d yesterday +%Y%m%d%H%M%SZ)}
	end=${6:-$(date -u -d '+2 years' +%Y%m%d%H%M%SZ)}
	case $type in
	rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
		-out "$HSM_DIR/$name.key" 2>/dev/null ;;
	ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-out "$HSM_DIR/$name.key" 2>/dev/null ;;
	*) fail "hsm_issue: key type $type" ;;
	esac
	openssl req -new -utf8 -config "$HSM_DIR/ca/openssl.cnf" -key "$HSM_DIR/$name.key" \
		-subj "$subj" -out "$HSM_DIR/$name.csr" 2>/dev/null || fail "csr $name"
	echo "$serial" >"$HSM_DIR/ca/serial"
	openssl ca -batch -notext -preserveDN -utf8 -config "$HSM_DIR/ca/openssl.cnf" \
		-cert "$HSM_DIR/ca/ca.crt" -keyfile "$HSM_DIR/ca/ca.key" \
		-startdate "$start" -enddate "$end" -in "$HSM_DIR/$name.csr" \
		-out "$HSM_DIR/$name.crt" 2>"$HSM_DIR/$name.ca.log" ||
		{ cat "$HSM_DIR/$name.ca.log" >&2; fail "cannot issue $name"; }
	openssl x509 -in "$HSM_DIR/$name.crt" -outform DER -out "$HSM_DIR/$name.der"
}

# hsm_token LABEL: a new initialized token; prints its serial.
hsm_token() {
	softhsm2-util --init-token --free --label "$1" --so-pin "$HSM_SO_PIN" \
		--pin "$HSM_PIN" >/dev/null || fail "cannot init token $1"
	hsm_serial "$1"
}

# hsm_serial LABEL: the serial SoftHSM2 gave the token.
hsm_serial() {
	pkcs11-tool --module "$HSM_MODULE" -L 2>/dev/null | awk -v l="$1" '
		/token label/ { sub(/^[^:]*: */, ""); lab = $0 }
		/serial num/ { sub(/^[^:]*: */, ""); if (lab == l) { print; exit } }'
}

# hsm_load LABEL NAME ID: private key and certificate of NAME, with CKA_ID.
hsm_load() {
	softhsm2-util --import "$HSM_DIR/$2.key" --token "$1" --label "$2" --id "$3" \
		--pin "$HSM_PIN" >/dev/null || fail "cannot import key $2"
	hsm_load_cert "$1" "$2" "$3"
}

# hsm_load_cert LABEL NAME ID: the certificate only.
hsm_load_cert() {
	pkcs11-tool --module "$HSM_MODULE" --token-label "$1" --login --pin "$HSM_PIN" \
		--write-object "$HSM_DIR/$2.der" --type cert --id "$3" --label "$2" \
		>/dev/null 2>&1 || fail "cannot write certificate $2"
}

# hsm_delete LABEL
# hsm_delete LABEL: pull the token out.  Its directory is moved out of
# the store in one rename, as a token leaves a reader all at once:
# softhsm2-util --delete-token unlinks file by file, and a desk or
# watcher reloading SoftHSM2 in between can leave the directory behind
# ("Could not delete the directory"), a race of the tool, not of ours.
hsm_delete() {
	serial=$(hsm_serial "$1")
	[ -n "$serial" ] || fail "cannot delete $1: no such token"
	mkdir -p "$HSM_DIR/pulled"
	for d in "$HSM_DIR"/tokens/*; do
		case $d in *"$(echo "$serial" | tail -c 9)") ;; *) continue ;; esac
		mv "$d" "$HSM_DIR/pulled/" || fail "cannot delete $1"
		rm -rf "$HSM_DIR/pulled/${d##*/}"
		return 0
	done
	fail "cannot delete $1: its directory is not in the store"
}

# hsm_set_flags LABEL HEXBITS: OR PKCS#11 token flags into SoftHSM2's
# stored token flags (e.g. 40000 = CKF_USER_PIN_LOCKED, 20000 = final try).
# SoftHSM2 never locks a PIN itself; real tokens do, after 3 wrong PINs.
hsm_set_flags() {
	serial=$(hsm_serial "$1")
	for f in "$HSM_DIR"/tokens/*/token.object; do
		case $(dirname "$f") in *"$(echo "$serial" | tail -c 9)"*) ;; *) continue ;; esac
		perl -e '
			my ($file, $bits) = @ARGV;
			open my $fh, "+<:raw", $file or die "$file: $!";
			local $/; my $d = <$fh>;
			# attribute CKA_OS_TOKENFLAGS (0x8000534b), type ULONG (2), value
			my $tag = pack("Q>Q>", 0x8000534b, 2);
			my $i = index($d, $tag); die "no token flags in $file" if $i < 0;
			my $off = $i + 16;
			my $v = unpack("Q>", substr($d, $off, 8)) | hex($bits);
			substr($d, $off, 8) = pack("Q>", $v);
			seek $fh, 0, 0; print $fh $d; close $fh;' "$f" "$2" || fail "cannot set flags"
		return 0
	done
	fail "no token store for $1"
}

# Run tokendesk with the SoftHSM2 module.
td() {
	"$TOKENDESK" --module "$HSM_MODULE" "$@"
}

# hsm_scan: every token scanned, as JSON into $HSM_DIR/scan.json and as
# text into $HSM_DIR/scan.txt, for field and the tests' greps.
hsm_scan() {
	td scan --json --no-usb >"$HSM_DIR/scan.json" 2>"$HSM_DIR/scan.err" ||
		{ cat "$HSM_DIR/scan.err" >&2; fail "scan --json"; }
	td scan --no-usb >"$HSM_DIR/scan.txt" 2>&1 || fail "scan"
}

# field SERIAL PYEXPR: PYEXPR on t, the token SERIAL of hsm_scan's JSON.
field() {
	python3 - "$HSM_DIR/scan.json" "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
t = next(t for t in d["tokens"] if t["serial"].upper() == sys.argv[2].upper())
print(eval(sys.argv[3]))
PY
}

# expect_grep PATTERN FILE WHAT
expect_grep() {
	grep -q -- "$1" "$2" || { echo "--- $2:" >&2; cat "$2" >&2; fail "$3"; }
}
