#!/bin/sh
# bench-lists.sh: the outputs a province sends up, at national scale
# (issue 27, item 4): `lists`, `forms` and `export` stream their rows in
# the registry's order, so their memory stays flat whatever the size.
#
#   TOKENDESK=./tokendesk GEN=tools/gen-province sh tests/bench/bench-lists.sh
#
# The registry: 1,000,000 certificates after the national merger's plan
# (the one bench-plan.sh applies: districts abolished, communes merged 3
# into 1), which tags about 330,000 of them: the case in which `lists`
# took 834 MB as XLSX and 297 MB as CSV on dc376ed.  Targets: peak
# memory <= 100 MB for the lists (XLSX, CSV), the forms (XLSX, PDF) and
# the export (CSV, JSON); 100,000 tagged rows as XLSX in <= 4 s.  The
# other anchors were measured on 307b94f, before the rows were streamed:
# forms XLSX 1725 MB (230,003 rows, 17,999 forms), export JSON 2940 MB,
# export CSV 9 MB (it streamed already).
#
# Environment: TOKENDESK, GEN, SQLITE3 (programs), BENCH_AGENCIES
# (60000), BENCH_CERTS (1000000), BENCH_DB (the shared registry: copied
# if it exists, else built), BENCH_LISTS_DB (the registry with the plan
# applied: reused if it exists, else made there), BENCH_STRICT (1: exit 1
# when a target is missed), BENCH_PDF_ROWS (20000: the PDF form is drawn
# for this many rows; its memory does not grow with them, its time
# does, about 2 ms a row).
set -u
TOKENDESK=${TOKENDESK:-./tokendesk}
GEN=${GEN:-./tools/gen-province}
SQLITE3=${SQLITE3:-sqlite3}
AGENCIES=${BENCH_AGENCIES:-60000}
CERTS=${BENCH_CERTS:-1000000}
STRICT=${BENCH_STRICT:-0}
PDF_ROWS=${BENCH_PDF_ROWS:-20000}
LC_ALL=C.UTF-8
export LC_ALL
export TOKENDESK_OPERATOR=bench

die() { echo "bench-lists: $*" >&2; exit 1; }
note() { echo "bench-lists: $*" >&2; }
now() { date +%s.%N; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a - b }'; }

[ -x "$TOKENDESK" ] || die "$TOKENDESK: not found (set TOKENDESK)"
[ -x /usr/bin/time ] || die "/usr/bin/time is needed to measure peak memory"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/td-bench-lists.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
db=${BENCH_LISTS_DB:-$tmp/lists.db}

verdict=PASS
figure() {   # NAME VALUE ANCHOR TARGET
	if awk -v v="$2" -v t="$4" 'BEGIN { exit !(v <= t) }'; then v=PASS; else
		v=MISS; verdict=MISS; fi
	echo "FIGURE $1: $2 (anchor $3; target <= $4) $v"
}
# measured NAME CMD...: wall seconds, CPU seconds and peak RSS (MB) of
# CMD (the PDF helper, a child, counts too) into NAME_wall, NAME_cpu,
# NAME_mb.
measured() {
	_n=$1; shift
	_t0=$(now)
	/usr/bin/time -f '%U %S %M' -o "$tmp/$_n.time" "$@" >"$tmp/$_n.out" ||
		die "$*: failed: $(cat "$tmp/$_n.out")"
	eval "${_n}_wall=$(sub "$(now)" "$_t0")"
	eval "${_n}_cpu=$(awk '{ printf "%.2f", $1 + $2 }' "$tmp/$_n.time")"
	eval "${_n}_mb=$(awk '{ printf "%.0f", $3 / 1024 }' "$tmp/$_n.time")"
}

# ---- the registry: the shared one (or a new one), the plan applied --------
if [ ! -f "$db" ]; then
	if [ -n "${BENCH_DB:-}" ] && [ -f "$BENCH_DB" ]; then
		note "copying $BENCH_DB"
		cp "$BENCH_DB" "$db" && chmod 600 "$db" || die "copy failed"
	else
		[ -x "$GEN" ] || die "$GEN: not found (set GEN)"
		note "generating $AGENCIES agencies, $CERTS certificates"
		"$GEN" --agencies "$AGENCIES" --certs "$CERTS" -o "$tmp/data" >/dev/null ||
			die "gen-province failed"
		note "importing (takes a while)"
		"$TOKENDESK" --db "$db" init >/dev/null &&
			"$TOKENDESK" --db "$db" import "$tmp/data/agencies.csv" \
				"$tmp/data/certificates.csv" >/dev/null || die "import failed"
		rm -rf "$tmp/data"
	fi
	# the plan of bench-plan.sh (export adds valid_from,valid_to: off=2)
	"$TOKENDESK" --db "$db" export agencies >"$tmp/agencies.csv" || die "export failed"
	awk -F, -v off=2 '
	BEGIN { print "effective_date,event,source_codes,target_code,target_name,new_parent_code" }
	{ sub(/\r$/, ""); lvl = $(NF - off); $3 = $(NF - off - 1) }
	lvl == "district" { print "2025-07-01,abolish," $1 ",,," $3; prov[$1] = $3 }
	lvl == "commune" { n = cnt[$3]++; grp[$3, int(n / 3)] = grp[$3, int(n / 3)] (n % 3 ? ";" : "") $1
	                   name[$3, int(n / 3)] = $2; if (!($3 in order)) { order[$3] = ++nd; dist[nd] = $3 } }
	END {
		for (i = 1; i <= nd; i++) {
			d = dist[i]
			for (g = 0; g * 3 < cnt[d]; g++) {
				if (index(grp[d, g], ";") == 0) continue
				sub(/^Ủy ban nhân dân (xã|phường|thị trấn) /, "", name[d, g])
				print "2025-07-01,merge_new," grp[d, g] "," d ".M" g ",Ủy ban nhân dân xã " name[d, g] " mới," prov[d]
			}
		}
	}' "$tmp/agencies.csv" >"$tmp/plan.csv"
	note "applying the merger's plan"
	"$TOKENDESK" --db "$db" plan import "$tmp/plan.csv" >/dev/null &&
		"$TOKENDESK" --db "$db" plan apply >/dev/null || die "plan apply failed"
fi
tags=$("$SQLITE3" "$db" "SELECT count(*) FROM tag") || die "cannot count tags"
echo "registry: $tags tags"

# ---- lists, every tag -------------------------------------------------------
measured lx "$TOKENDESK" --db "$db" lists -o "$tmp/lists.xlsx"
echo "lists XLSX ($tags tags): $lx_wall s, $lx_cpu s CPU, $lx_mb MB"
figure "lists XLSX peak at $tags tags, MB" "$lx_mb" 834 100
rm -f "$tmp/lists.xlsx"
measured lc "$TOKENDESK" --db "$db" lists --format csv -o "$tmp/lists"
echo "lists CSV ($tags tags): $lc_wall s, $lc_cpu s CPU, $lc_mb MB"
figure "lists CSV peak at $tags tags, MB" "$lc_mb" 297 100
rm -rf "$tmp/lists"

# ---- the forms: every change (the largest kind), XLSX; PDF on fewer rows ----
measured fx "$TOKENDESK" --db "$db" forms --kind change -o "$tmp/forms.xlsx"
echo "forms XLSX ($(cat "$tmp/fx.out")): $fx_wall s, $fx_cpu s CPU, $fx_mb MB"
figure "forms XLSX peak, MB" "$fx_mb" 1725 100
rm -f "$tmp/forms.xlsx"

# ---- export: every certificate ----------------------------------------------
measured ec "$TOKENDESK" --db "$db" export certificates -o "$tmp/certs.csv"
echo "export CSV: $ec_wall s, $ec_cpu s CPU, $ec_mb MB"
figure "export certificates CSV peak, MB" "$ec_mb" 9 100
rm -f "$tmp/certs.csv"
measured ej "$TOKENDESK" --db "$db" export certificates -o "$tmp/certs.json"
echo "export JSON: $ej_wall s, $ej_cpu s CPU, $ej_mb MB"
figure "export certificates JSON peak, MB" "$ej_mb" 2940 100
rm -f "$tmp/certs.json"

# ---- 100,000 tagged rows (a copy keeping the first 100,000 tags) -------------
cp "$db" "$tmp/100k.db" && chmod 600 "$tmp/100k.db" || die "copy failed"
"$SQLITE3" "$tmp/100k.db" "DELETE FROM tag WHERE id > (SELECT id FROM tag ORDER BY id
	LIMIT 1 OFFSET 99999)" || die "cannot trim the tags"
measured l1 "$TOKENDESK" --db "$tmp/100k.db" lists -o "$tmp/100k.xlsx"
echo "lists XLSX (100000 tags): $l1_wall s, $l1_cpu s CPU, $l1_mb MB"
figure "lists XLSX 100k tagged rows (wall), s" "$l1_wall" "?" 4
figure "lists XLSX 100k tagged rows (cpu), s" "$l1_cpu" "?" 4

# the PDF form of PDF_ROWS changes
# (a plan's tags hold their kind in their tag_note: schema step 12)
"$SQLITE3" "$tmp/100k.db" "CREATE TEMP TABLE change AS SELECT t.id FROM tag t
	LEFT JOIN tag_note n ON n.id = t.note_id WHERE coalesce(t.kind, n.kind) = 'change_info'
	ORDER BY t.id LIMIT $PDF_ROWS;
	DELETE FROM tag WHERE id NOT IN (SELECT id FROM temp.change)" || die "cannot trim the tags"
measured fp "$TOKENDESK" --db "$tmp/100k.db" forms --kind change -o "$tmp/forms.pdf"
echo "forms PDF ($(cat "$tmp/fp.out")): $fp_wall s, $fp_cpu s CPU, $fp_mb MB"
figure "forms PDF peak ($PDF_ROWS rows), MB" "$fp_mb" "?" 100

[ "$verdict" = PASS ] || [ "$STRICT" != 1 ] || exit 1
exit 0
