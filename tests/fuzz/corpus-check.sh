#!/bin/sh
# corpus-check.sh: in a fuzzing build (--enable-fuzzing), replay every
# committed corpus through its libFuzzer harness (-runs=0 runs each input
# once), the same regression test the plain build runs with
# regress-main.c.
b=${TD_BUILDDIR:?} s=${TD_SRCDIR:?}
status=0
for dir in "$s"/tests/fuzz/corpus/*/; do
	name=$(basename "$dir")
	prog=$b/tests/fuzz/fuzz-$name
	if [ ! -x "$prog" ]; then
		echo "no harness for corpus $name" >&2
		status=1
		continue
	fi
	"$prog" -runs=0 "$dir" >/dev/null 2>"$b/tests/fuzz/corpus-$name.log" || {
		echo "fuzz-$name: an input of the corpus fails:" >&2
		tail -n 30 "$b/tests/fuzz/corpus-$name.log" >&2
		status=1
	}
done
exit $status
