#!/bin/sh
# tests/hostile/pdf-record.sh: files handed to `receipt N --verify` that
# are not a record tokendesk wrote, or are one taken apart: each ends in
# a clear refusal (65, or 66 for no file), never a signal, never 70, and
# the registry is not changed.  The reader (src/workflow/pdf_inc.c) parses
# what an attacker may write: xref tables, trailers, dictionaries, byte
# ranges and signature contents.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"
command -v python3 >/dev/null 2>&1 || exit 77
demo_import
expect_status 0 td handover --to dost --force --reason "nộp thẳng cho Sở" 3792084583
n=$(td receipt --list | awk 'NR == 1 { print $1 }')
expect_status 0 td receipt "$n" --pdf "$tmp/r.pdf"
before=$(registry_digest)

python3 - "$tmp/r.pdf" "$tmp" <<'PY'
import sys
good = open(sys.argv[1], 'rb').read()
out = sys.argv[2]
def put(name, data):
    open(f'{out}/h-{name}.pdf', 'wb').write(data)
put('empty', b'')
put('not-pdf', b'hello, not a PDF at all\n' * 10)
put('half', good[:len(good) // 2])
put('no-startxref', good.replace(b'startxref', b'startxreF'))
# an xref section whose /Prev is itself: a cycle
x = good.rindex(b'startxref')
off = int(good[x + 9:].split()[0])
put('prev-cycle', good + b'xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 1 /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n' % (len(good), len(good)))
# an xref subsection claiming a huge count
put('huge-count', good + b'xref\n0 999999999\n0000000000 65535 f \ntrailer\n<< >>\nstartxref\n%d\n%%%%EOF\n' % len(good))
# dictionaries nested past any sense
put('deep', good + b'1 0 obj\n' + b'<< /A ' * 5000 + b'\nendobj\n')
# signature dictionaries with ranges out of the file, and bad contents
put('range-out', good + b'<< /Type /Sig /ByteRange [0 10 99999999 99999999] /Contents <00> >>\n')
put('range-neg', good + b'<< /Type /Sig /ByteRange [0 -5 3 -1] /Contents <00> >>\n')
put('range-huge', good + b'<< /ByteRange [0 9223372036854775807 9223372036854775807 9223372036854775807] >>\n')
s = len(good) + 40
put('contents-nothex', good + b'<< /Type /Sig /ByteRange [0 %d %d 0] /Contents <zz> >>' % (s, s + 4))
put('contents-garbage', good + b'<< /Type /Sig /ByteRange [0 %d %d 2] /Contents <3082ffff> >>\n' % (len(good) + 39, len(good) + 49))
# a string that never ends, an unterminated dictionary
put('open-string', good + b'1 0 obj\n(' + b'a' * 1000)
put('open-dict', good.replace(b'/Keywords (', b'/Keywords <<('))
PY

for f in "$tmp"/h-*.pdf; do
	st=0
	"$TOKENDESK" receipt "$n" --verify "$f" >"$tmp/out" 2>&1 || st=$?
	case $st in
	65) ;;
	*) fail "$(basename "$f"): exit $st, want 65"; sed 's/^/  | /' "$tmp/out" | head -5 >&2 ;;
	esac
done
expect_status 66 td receipt "$n" --verify "$tmp/no-such.pdf"
expect_eq "$(registry_digest)" "$before" "registry after hostile PDFs"
finish
