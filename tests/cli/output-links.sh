#!/bin/sh
# output-links.sh: no output follows a link (issue 21, item 4).  Every
# file tokendesk writes (export, lists as a workbook and as a folder,
# receipt --pdf, count report --text/--xlsx, kit make -o) refuses a
# symbolic link at its destination, dangling or not, a device (/dev/null
# too: only "-" and a FIFO are written in place), and a folder: exit 73,
# the path and why, the link's target untouched, nothing made where a
# dangling link points, no temporary file left.  "-" is standard output
# and a FIFO named on purpose is written.  A lists folder that is a link
# or another user's is refused the same way.  handover --pdf to a link is
# refused before anything is recorded.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"

demo_import || { echo "demo import failed"; exit 1; }
year=$(date +%Y)
td handover --to dost --force --reason "nộp thẳng cho Sở" 3792084583 >/dev/null 2>&1 || fail "handover"
id=$(td count start --agency DC.STC) || fail "count start"
out=$tmp/out.d
mkdir "$out"
printf 'secret of the test\n' >"$tmp/victim"
chmod 600 "$tmp/victim"
sum=$(sha256sum <"$tmp/victim")

# Each command that writes a file, with DEST where its file goes.
writers() {
	cat <<EOF
export agencies -o DEST.csv
export --format json tokens -o DEST.json
lists -o DEST.xlsx
receipt BG-$year-0001 --pdf DEST.pdf
count report $id --text DEST.txt
count report $id --xlsx DEST.xlsx
kit make --agencies DC.STC -o DEST.kit
EOF
}

# refused WHY ARGS...: exit 73, the path named with WHY.
refused() {
	why=$1 named=$2; shift 2
	expect_status 73 td "$@"
	expect_in "$tmp/err" "$named: $why"
}

no_temporary() {
	left=$(find "$out" -name '*.??????' -o -name '*.making-*' | head -3)
	[ -z "$left" ] || fail "temporary files left: $left"
}

writers | while read -r line; do
	# -- a link to a file the test owns: refused, the file unchanged
	dest=$out/link
	ext=$(echo "$line" | sed 's/.*DEST//; s/ .*//')
	ln -sf "$tmp/victim" "$dest$ext"
	# shellcheck disable=SC2086 # the words of $line are arguments
	refused "is a symbolic link; tokendesk does not write through links" \
		"$dest$ext" $(echo "$line" | sed "s|DEST|$dest|")
	[ "$(sha256sum <"$tmp/victim")" = "$sum" ] || fail "$line: wrote through the link"
	[ -L "$dest$ext" ] || fail "$line: the link itself was replaced"
	rm -f "$dest$ext"
	# -- a dangling link: nothing made where it points
	ln -sf "$tmp/planted$ext" "$dest$ext"
	# shellcheck disable=SC2086
	refused "is a symbolic link" "$dest$ext" $(echo "$line" | sed "s|DEST|$dest|")
	[ ! -e "$tmp/planted$ext" ] || fail "$line: made the dangling link's target"
	rm -f "$dest$ext"
	# -- a folder
	mkdir "$out/dir$ext"
	# shellcheck disable=SC2086
	refused "is a folder; name a file in it" "$out/dir$ext" \
		$(echo "$line" | sed "s|DEST$ext|$out/dir$ext|")
	rmdir "$out/dir$ext"
	no_temporary
	echo "$failures" >"$tmp/failures"
done
failures=$(cat "$tmp/failures")

# -- handover --pdf: the record would be refused, so nothing is recorded
ln -s "$tmp/victim" "$out/record.pdf"
refused "is a symbolic link" "$out/record.pdf" \
	handover --to dost --force --reason "nộp thẳng cho Sở" --pdf "$out/record.pdf" 8878595222
expect_in "$tmp/err" "nothing was written"
expect_status 0 td show token 8878595222 --json
expect_not_in "$tmp/out" '"custodian": "dost"'
[ "$(sha256sum <"$tmp/victim")" = "$sum" ] || fail "handover --pdf wrote through the link"

# -- devices: /dev/null is one; only "-" and a FIFO are written in place.
for line in "export agencies -o" "lists -o" "receipt BG-$year-0001 --pdf" \
	"count report $id --text"; do
	# shellcheck disable=SC2086
	refused "is a device or a socket, not a regular file" /dev/null $line /dev/null
done
# A link to a device, as planted in a shared folder.
ln -s /dev/null "$out/null.csv"
refused "is a symbolic link" "$out/null.csv" export agencies -o "$out/null.csv"

# -- standard output
expect_status 0 td export agencies -o -
expect_in "$tmp/out" "DC.STC"
expect_status 0 td lists -o -
[ "$(head -c 2 "$tmp/out")" = PK ] || fail "lists -o - did not write the workbook"
expect_status 0 td receipt "BG-$year-0001" --pdf -
[ "$(head -c 5 "$tmp/out")" = "%PDF-" ] || fail "receipt --pdf - did not write a PDF"
expect_status 64 td lists --format csv -o -

# -- a FIFO, named on purpose: written as it comes
mkfifo "$out/pipe"
cat "$out/pipe" >"$tmp/from-pipe" &
reader=$!
expect_status 0 td export agencies -o "$out/pipe"
wait $reader
grep -q "DC.STC" "$tmp/from-pipe" || fail "nothing came through the FIFO"
[ -p "$out/pipe" ] || fail "the FIFO was replaced"
cat "$out/pipe" >"$tmp/from-pipe" &
reader=$!
expect_status 0 td count report "$id" --xlsx "$out/pipe"
wait $reader
[ "$(head -c 2 "$tmp/from-pipe")" = PK ] || fail "no workbook through the FIFO"

# -- a lists folder (--format csv): a link to one is not followed
mkdir "$tmp/elsewhere"
ln -s "$tmp/elsewhere" "$out/lists"
refused "is a symbolic link" "$out/lists" lists --format csv -o "$out/lists"
[ -z "$(ls "$tmp/elsewhere")" ] || fail "lists written into the linked folder"
rm "$out/lists"
# a folder group or others may write in
mkdir -m 777 "$out/open"
chmod 777 "$out/open"
refused "is a folder that group or others may write in" "$out/open" \
	lists --format csv -o "$out/open"
[ -z "$(ls "$out/open")" ] || fail "lists written into an open folder"
if [ "$(id -u)" = 0 ]; then
	mkdir "$out/theirs"; chown 65534 "$out/theirs"
	refused "is a folder owned by another user" "$out/theirs" \
		lists --format csv -o "$out/theirs"
	[ -z "$(ls "$out/theirs")" ] || fail "lists written into another's folder"
fi
# and its own, made fresh, works, private
expect_status 0 td lists --format csv -o "$out/mine/"
expect_eq "$(stat -c %a "$out/mine")" 700 "mode of the lists folder"
[ -f "$out/mine/thu-hoi-chung-thu.csv" ] || fail "no lists in the fresh folder"

# -- count close's report folder (-o DIR): a link is not followed, and
# the count stays open; its own folder, made fresh, takes the reports
ln -s "$tmp/elsewhere" "$out/reports"
refused "is a symbolic link" "$out/reports" count close "$id" -o "$out/reports"
[ -z "$(ls "$tmp/elsewhere")" ] || fail "count reports written into the linked folder"
td --lang en count list >"$tmp/counts" 2>&1
grep -q "closed" "$tmp/counts" && fail "a refused count close closed the count: $(cat "$tmp/counts")"
rm "$out/reports"
expect_status 0 td count close "$id" -o "$out/reports"
expect_eq "$(stat -c %a "$out/reports")" 700 "mode of the count's report folder"
[ -f "$out/reports/count-$id.txt" ] && [ -f "$out/reports/count-$id.xlsx" ] ||
	fail "no count reports in the fresh folder: $(ls "$out/reports")"

# -- plain files still work, 0600
expect_status 0 td export agencies -o "$out/plain.csv"
expect_eq "$(stat -c %a "$out/plain.csv")" 600 "mode of an export"
no_temporary
[ "$(sha256sum <"$tmp/victim")" = "$sum" ] || fail "the victim file changed"
finish
