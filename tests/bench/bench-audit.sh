#!/bin/sh
# bench-audit.sh: `audit verify` over the 1,000,000-certificate registry:
# the hash chain, then every row of every audited table against its audit
# trail (bulk-loaded rows through their import's content digest) and the
# foreign keys.  Target: under 60 s.  Anchor: the sqlite3 shell reading
# the same rows once (certificates joined to holder, agency and token,
# every token and holder) and running foreign_key_check, nothing compared.
#
#   TOKENDESK=./tokendesk GEN=tools/gen-province sh tests/bench/bench-audit.sh
#
# Environment: TOKENDESK, GEN, SQLITE3 (programs; defaults ./tokendesk,
# ./tools/gen-province, sqlite3), BENCH_AGENCIES (60000), BENCH_CERTS
# (1000000), BENCH_DB (reuse this registry file if it exists, else build
# it there), BENCH_STRICT (1: exit 1 when the target is missed).
set -u
TOKENDESK=${TOKENDESK:-./tokendesk}
GEN=${GEN:-./tools/gen-province}
SQLITE3=${SQLITE3:-sqlite3}
AGENCIES=${BENCH_AGENCIES:-60000}
CERTS=${BENCH_CERTS:-1000000}
STRICT=${BENCH_STRICT:-0}
TARGET=60
LC_ALL=C.UTF-8
export LC_ALL

die() { echo "bench-audit: $*" >&2; exit 1; }
note() { echo "bench-audit: $*" >&2; }
now() { date +%s.%N; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a - b }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

[ -x "$TOKENDESK" ] || die "$TOKENDESK: not found (set TOKENDESK)"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/td-bench-audit.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
db=${BENCH_DB:-$tmp/reg.db}
export TOKENDESK_DB="$db"

if [ ! -f "$db" ]; then
	[ -x "$GEN" ] || die "$GEN: not found (set GEN)"
	note "generating $AGENCIES agencies, $CERTS certificates"
	"$GEN" --agencies "$AGENCIES" --certs "$CERTS" --seed 1 -o "$tmp/data" >/dev/null ||
		die "gen-province failed"
	note "importing (takes a while)"
	t0=$(now)
	"$TOKENDESK" init >/dev/null && "$TOKENDESK" import "$tmp/data/agencies.csv" \
		"$tmp/data/certificates.csv" >/dev/null || die "import failed"
	echo "import of $CERTS certificates: $(sub "$(now)" "$t0") s (setup, no target)"
	rm -rf "$tmp/data"
fi
certs=$("$TOKENDESK" export certificates | wc -l)
certs=$((certs - 1))

# timed NAME CMD...: wall seconds in $tmp/NAME.wall, CPU (user + system)
# in $tmp/NAME.cpu when /usr/bin/time is there (steadier on a busy machine).
timed() {
	name=$1
	shift
	t0=$(now)
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f "%U %S" -o "$tmp/$name.time" "$@"
		rc=$?
		tail -n 1 "$tmp/$name.time" | awk '{ printf "%.2f", $1 + $2 }' >"$tmp/$name.cpu"
	else
		"$@"
		rc=$?
	fi
	sub "$(now)" "$t0" >"$tmp/$name.wall"
	return $rc
}
cpu() { [ -s "$tmp/$1.cpu" ] && echo " (cpu $(cat "$tmp/$1.cpu") s)"; }

note "audit verify..."
timed verify "$TOKENDESK" audit verify >"$tmp/verify.out" 2>&1 ||
	{ tail -n 20 "$tmp/verify.out" >&2; die "audit verify failed on the untouched registry"; }
grep -q "every audited row matches" "$tmp/verify.out" || die "audit verify did not check the rows"
t_verify=$(cat "$tmp/verify.wall")

anchor=
if command -v "$SQLITE3" >/dev/null 2>&1; then
	note "the anchor: the sqlite3 shell reading the same rows..."
	timed anchor "$SQLITE3" "$db" \
		"SELECT count(*), sum(length(c.serial || i.dn || c.subject_dn ||
		   h.ext_id || h.name || a.code || coalesce(t.serial, '') || c.status))
		 FROM certificate c JOIN issuer i ON i.id = c.issuer_id
		 JOIN holder h ON h.id = c.holder_id
		 JOIN agency a ON a.id = h.agency_id LEFT JOIN token t ON t.id = c.token_id;
		 SELECT count(*), sum(length(serial || custodian || state)) FROM token;
		 SELECT count(*), sum(length(name || ext_id)) FROM holder;
		 PRAGMA foreign_key_check;" >/dev/null || die "sqlite3 failed"
	t_anchor=$(cat "$tmp/anchor.wall")
	anchor="; anchor (sqlite3 reading the rows once) $t_anchor s$(cpu anchor), ratio $(ratio "$t_verify" "$t_anchor")"
fi
if awk -v v="$t_verify" -v t="$TARGET" 'BEGIN { exit !(v <= t) }'; then V=PASS; else V=MISS; fi
echo "audit verify: $certs certificates, $t_verify s$(cpu verify)$anchor (target <= $TARGET s) $V"
echo "  $(tail -n 1 "$tmp/verify.out"); load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
[ "$STRICT" = 1 ] && [ "$V" = MISS ] && exit 1
exit 0
