# import-progress.sh: a long import says where it is.  On a terminal one
# line on standard error, redrawn and cleared before the report; with
# --progress elsewhere, a line per phase and per tenth; otherwise nothing,
# so scripts and logs see what they always saw.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"

cat >"$tmp/ag.csv" <<'CSV'
code,name,parent_code,level
DC,Ủy ban nhân dân tỉnh Đông Châu,,province
STC,Sở Tài chính,DC,department
CSV
# Enough rows for several reports (one every 4096 rows); fewer under
# valgrind, still several.
n=${TD_VALGRIND:+9000}
n=${n:-20000}
rows=$((n + 2))
awk -v n="$n" 'BEGIN {
	print "cert_serial,kind,holder_name,holder_id,position,agency_code,not_before,not_after,token_serial,token_model,email"
	for (i = 1; i <= n; i++)
		printf "%x,person,Nguyễn Văn Số %d,%012d,Chuyên viên,STC,2024-02-01,2029-02-01,TK%06d,Bit4id TokenME,\n", 4096 + i, i, i, i
}' >"$tmp/ce.csv"
report() { printf '%s rows read\nagencies: %s\ncertificates: %s\n' "$rows" "$1" "$2"; }

td init >/dev/null
# Not a terminal, no option: nothing on standard error.
expect_status 0 td import "$tmp/ag.csv" "$tmp/ce.csv"
expect_eq "$(cat "$tmp/err")" "" "standard error without a terminal"
expect_eq "$(cat "$tmp/out")" "$(report "2 added, 0 updated, 0 unchanged" \
	"$n added, 0 updated, 0 unchanged")" "the report"

# --progress into a file: the phases, in order, each tenth once.
rm -f "$TOKENDESK_DB"* && td init >/dev/null
expect_status 0 td import --progress "$tmp/ag.csv" "$tmp/ce.csv"
expect_eq "$(cat "$tmp/out")" "$(report "2 added, 0 updated, 0 unchanged" \
	"$n added, 0 updated, 0 unchanged")" "the report with --progress"
sed 's/: [0-9]*%.*//' "$tmp/err" | uniq >"$tmp/phases"
expect_eq "$(cat "$tmp/phases")" "tokendesk: reading ag.csv
tokendesk: reading ce.csv
tokendesk: checking the rows
tokendesk: writing
tokendesk: saving: indexes and the registry file" "the phases"
expect_in "$tmp/err" "tokendesk: reading ce.csv: 100%"
expect_in "$tmp/err" "tokendesk: writing: 0% (0 of $rows rows)"
expect_in "$tmp/err" "tokendesk: writing: 100% ($rows of $rows rows)"
sed -n 's/.*writing: \([0-9]*\)%.*/\1/p' "$tmp/err" | awk '{ print int($1 / 10) }' >"$tmp/tenths"
[ "$(wc -l <"$tmp/tenths")" -ge 4 ] || fail "writing: $(wc -l <"$tmp/tenths") lines, want 4 or more"
expect_eq "$(uniq -d "$tmp/tenths")" "" "a tenth shown twice"

# The same files again: nothing to save, and the last option wins.
expect_status 0 td import --no-progress --progress "$tmp/ag.csv" "$tmp/ce.csv"
expect_in "$tmp/err" "writing: 100%"
expect_not_in "$tmp/err" "saving"
expect_status 0 td import --progress --no-progress "$tmp/ag.csv" "$tmp/ce.csv"
expect_eq "$(cat "$tmp/err")" "" "standard error with --no-progress last"

# A file name is shown without its control characters (an escape
# sequence in a name on a USB stick must not reach the terminal).
esc_name=$tmp/$(printf 'ag\033[31mred.csv')
cp "$tmp/ag.csv" "$esc_name"
expect_status 0 td import --progress "$esc_name"
expect_in "$tmp/err" "tokendesk: reading ag?[31mred.csv: 100%"
expect_not_in "$tmp/err" "$(printf '\033')"

# A bad row: the problems come after the reading and checking, and
# nothing is written.
sed '500s/2024-02-01/2024-02-30/' "$tmp/ce.csv" >"$tmp/bad.csv"
expect_status 65 td import --progress "$tmp/bad.csv"
expect_in "$tmp/err" "tokendesk: checking the rows"
expect_in "$tmp/err" "bad.csv:500: not_before: '2024-02-30' is not a date"
expect_not_in "$tmp/err" "writing"

# On a terminal (script(1) gives one): the line is redrawn in place and
# cleared before the report, so the report's first line starts clean.
if command -v script >/dev/null 2>&1; then
	rm -f "$TOKENDESK_DB"* && td init >/dev/null
	TERM=xterm script -qec "'$TOKENDESK' import '$tmp/ag.csv' '$tmp/ce.csv'" \
		"$tmp/tty" >/dev/null 2>&1
	tr '\r' '\n' <"$tmp/tty" >"$tmp/tty.lines"
	expect_in "$tmp/tty.lines" "$(printf '\033[K')tokendesk: writing: "
	expect_in "$tmp/tty.lines" "$(printf '\033[K')$rows rows read"
	expect_eq "$(grep -c '^tokendesk: ' "$tmp/tty")" 0 "lines of progress on a terminal"
	# --quiet, or a terminal that cannot clear a line: no redrawing.
	rm -f "$TOKENDESK_DB"* && td init >/dev/null
	TERM=xterm script -qec "'$TOKENDESK' --quiet import '$tmp/ag.csv' '$tmp/ce.csv'" \
		"$tmp/tty" >/dev/null 2>&1
	expect_not_in "$tmp/tty" "tokendesk: "
	rm -f "$TOKENDESK_DB"* && td init >/dev/null
	TERM=dumb script -qec "'$TOKENDESK' import '$tmp/ag.csv' '$tmp/ce.csv'" \
		"$tmp/tty" >/dev/null 2>&1
	expect_not_in "$tmp/tty" "$(printf '\033[K')"
	expect_in "$tmp/tty" "$rows rows read"
else
	echo "script(1) not installed: the terminal cases were not run" >&2
	fail "script(1) missing (bsdutils)"
fi
finish
