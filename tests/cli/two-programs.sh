# two-programs.sh: `tokendesk` runs show and search without loading the
# token, spreadsheet, desk or crypto libraries, and hands every other
# command to tokendesk-full in the same process, arguments intact.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"
lean=${TD_BUILDDIR:?}/tokendesk   # the program itself, not a valgrind wrapper

# What it links: none of the heavy libraries.
readelf -d "$lean" >"$tmp/dynamic" || fail "readelf -d $lean"
expect_in "$tmp/dynamic" "libsqlite3"
for lib in libcrypto libssl libp11 libusb libxlsxwriter libzip libncurses libtinfo; do
	expect_not_in "$tmp/dynamic" "$lib"
done

demo_import || fail "demo import"
serial=$(awk -F, 'NR == 2 { print $(NF - 2) }' "$TD_SRCDIR/data/demo/certificates.csv")

# What it loads while showing and searching: still none of them.
for cmd in "show token $serial" "show token $serial --json" "search nguyen"; do
	# shellcheck disable=SC2086 # cmd is a list of words
	LD_DEBUG=files "$lean" $cmd >"$tmp/out" 2>"$tmp/ld" || fail "tokendesk $cmd"
	grep -q "file=libsqlite3" "$tmp/ld" || fail "LD_DEBUG shows no library at all for $cmd"
	for lib in libcrypto libp11 libusb libxlsxwriter libzip libncurses; do
		! grep -q "file=$lib" "$tmp/ld" || fail "tokendesk $cmd loaded $lib"
	done
done
# The same answers as tokendesk-full gives to the same commands.
full=${TD_BUILDDIR:?}/tokendesk-full
agency=$(awk -F, 'NR == 2 { print $1 }' "$TD_SRCDIR/data/demo/agencies.csv")
for cmd in "show token $serial" "show token $serial --json" "show agency $agency" \
    "show agency $agency --json" "search nguyen" "search dang --json" "search $serial"; do
	# shellcheck disable=SC2086 # cmd is a list of words
	"$lean" $cmd >"$tmp/lean.out" 2>&1; rc_lean=$?
	# shellcheck disable=SC2086
	"$full" $cmd >"$tmp/full.out" 2>&1; rc_full=$?
	expect_eq "$rc_lean" "$rc_full" "exit status of $cmd"
	cmp -s "$tmp/lean.out" "$tmp/full.out" || fail "tokendesk and tokendesk-full differ on $cmd"
	[ -s "$tmp/lean.out" ] || fail "$cmd printed nothing"
done
expect_status 0 td show token "$serial"
expect_in "$tmp/out" "Token $serial"
expect_status 66 td show token NO-SUCH-TOKEN
expect_in "$tmp/err" "no token"

# Everything else reaches tokendesk-full: its answers and exit statuses
# come back unchanged, global options anywhere.
expect_status 0 td --version
expect_in "$tmp/out" "registry schema"
expect_status 0 td audit verify
expect_in "$tmp/out" "hash chain verified"
expect_status 0 td export --db "$TOKENDESK_DB" tokens
expect_in "$tmp/out" "$serial"
expect_status 64 td export nonsense
expect_status 64 td --bogus-option show token "$serial"

# With tokendesk-full missing, a clear error, not a silent success.
mkdir "$tmp/alone"
cp "$lean" "$tmp/alone/tokendesk"
expect_status 0 "$tmp/alone/tokendesk" show token "$serial"
"$tmp/alone/tokendesk" audit verify >"$tmp/out" 2>"$tmp/err"; rc=$?
if [ -x "${TD_PKGLIBEXECDIR:?}/tokendesk-full" ]; then
	expect_eq "$rc" 0 "audit verify through the installed tokendesk-full"
else
	[ "$rc" -eq 70 ] || fail "without tokendesk-full: exit $rc, want 70"
	expect_in "$tmp/err" "tokendesk-full"
fi
finish
