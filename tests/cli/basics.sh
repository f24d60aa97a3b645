# basics.sh: help, version, usage errors and global options anywhere.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"

expect_status 0 td --help
expect_in "$tmp/out" "tokendesk import"
expect_in "$tmp/out" "--db PATH"
expect_status 0 td --version
expect_in "$tmp/out" "tokendesk "
expect_status 64 td frobnicate
expect_in "$tmp/err" "unknown command 'frobnicate'"
expect_status 64 td import
expect_status 0 td import --help
expect_in "$tmp/out" "--encoding"

# A wrong option is named, and how it is wrong, in tokendesk's words
# (glibc's quoted what was typed raw; typed-text.sh checks that).
while IFS='|' read -r case said; do
	# shellcheck disable=SC2086 # the words of $case are arguments
	expect_status 64 td $case
	expect_in "$tmp/err" "$said"
done <<'EOF'
import --bogus x.csv|import: unknown option '--bogus'; see its --help
import --bog=1 x.csv|import: unknown option '--bog'
import -x x.csv|import: unknown option -x;
import x.csv -m|import: option -m needs a value
import x.csv --max-errors|import: option --max-errors needs a value
import --enc|import: option --encoding needs a value
search --json=yes x|search: option --json takes no value
search --js=yes x|search: option --json takes no value
handover --p X|handover: option '--p' could be more than one; spell it out
import --json -xj x.csv|import: unknown option '--json'
search -jx y|search: unknown option -x;
EOF

# Every command --help lists answers --help itself, with a usage line.
for c in $(td --help | sed -n 's/^  tokendesk \([a-z-]*\).*/\1/p' | sort -u); do
	expect_status 0 td "$c" --help
	grep -qi "usage: tokendesk" "$tmp/out" || fail "$c --help prints no usage line"
done

# No registry yet: a clear error naming the file and the way out.
expect_status 66 td show token X
expect_in "$tmp/err" "tokendesk init"

# --db before or after the command, = or separate.
expect_status 0 td init --db "$tmp/other.db"
[ -f "$tmp/other.db" ] || fail "--db after the command was ignored"
expect_status 0 td --db="$tmp/third.db" init
[ -f "$tmp/third.db" ] || fail "--db= before the command was ignored"
expect_eq "$(stat -c %a "$tmp/third.db")" 600 "registry mode"

# XDG default location.
unset TOKENDESK_DB
XDG_DATA_HOME="$tmp/xdg" td init >/dev/null
[ -f "$tmp/xdg/tokendesk/registry.db" ] || fail "XDG_DATA_HOME default not used"
expect_eq "$(stat -c %a "$tmp/xdg/tokendesk")" 700 "default directory mode"
# A path named is not made: its directory missing is a drive not mounted
# or a name mistyped, and a registry made there would be lost.
expect_status 74 td --db "$tmp/usb/kit/reg.db" init
expect_in "$tmp/err" "there is no directory $tmp/usb/kit (a drive not mounted"
[ ! -e "$tmp/usb" ] || fail "init made the directory of a named --db"
TOKENDESK_DB="$tmp/usb/reg.db" expect_status 74 td init
[ ! -e "$tmp/usb" ] || fail "init made the directory of \$TOKENDESK_DB"
export TOKENDESK_DB="$tmp/reg.db"

# A registry others can write is refused, as ssh refuses keys.
td init >/dev/null
chmod 664 "$TOKENDESK_DB"
expect_status 77 td show token X
expect_in "$tmp/err" "writable by group or others"
chmod 600 "$TOKENDESK_DB"
# Numbers given to options are whole numbers in range, or a usage error
# naming the option (atoi read "abc" as 0 and "-2" as -2, and went on).
for case in "search x --limit 0" "import --max-errors abc x.csv" \
            "tag list --batch -2" "lists --batch z -o $tmp/l.xlsx" \
            "count watch 1 --poll-ms 5" "scan --poll-ms 600"; do
	opt=$(echo "$case" | grep -o -- '--[a-z-]*' | tail -1)
	# shellcheck disable=SC2086 # the words of $case are arguments
	expect_status 64 td $case
	expect_in "$tmp/err" "$opt takes a number"
done
# export -o: the name says the format when --format does not; a name
# that says the other one is refused and nothing is written.
td init >/dev/null 2>&1
expect_status 0 td export agencies -o "$tmp/ag.json"
expect_eq "$(head -c 1 "$tmp/ag.json")" "[" "export -o x.json writes JSON"
expect_status 64 td export --format json agencies -o "$tmp/ag.csv"
expect_in "$tmp/err" "ag.csv: the name says csv, --format says json"
[ ! -e "$tmp/ag.csv" ] || fail "a refused export was written"
finish
