#!/bin/sh
# gen-big.sh DIR: write the hostile inputs too big to commit into DIR
# (listed in MANIFEST with the prefix "gen/").  Deterministic: the same
# bytes every run.
set -e
d=$1
mkdir -p "$d"
ah='code,name,parent_code,level'
ch='cert_serial,kind,holder_name,holder_id,agency_code,not_before,not_after'

# A field of over 1 MiB, unquoted and quoted: over the 64 KiB field limit.
awk -v h="$ah" 'BEGIN { print h; printf "DC.BIG,"; for (i = 0; i < 20000; i++)
	printf "Ph\303\262ng ban l\341\273\233n 0123456789abcdefghijklmnopqrstuvwxyz-"; print ",DC,other" }' \
	>"$d/field-1mb-unquoted.csv"
awk -v h="$ah" 'BEGIN { print h; printf "DC.BIG,\""; for (i = 0; i < 20000; i++)
	printf "Ph\303\262ng \"\"ban\"\" l\341\273\233n, 0123456789abcdefghijklmnopqrstuvw\n"; print "\",DC,other" }' \
	>"$d/field-1mb-quoted.csv"
# Exactly at the reader's limit (65536 bytes of name): read, then refused
# by the import's own (2000 bytes a field).
awk -v h="$ah" 'BEGIN { print h; printf "DC.LONG,"; for (i = 0; i < 8192; i++)
	printf "abcdefgh"; print ",DC,other" }' >"$d/field-64k-exact.csv"
# Exactly at the import's limit (2000 bytes of name): accepted; one more: refused.
awk -v h="$ah" 'BEGIN { print h; printf "DC.LONG,"; for (i = 0; i < 250; i++)
	printf "abcdefgh"; print ",DC,other" }' >"$d/field-2000-exact.csv"
awk -v h="$ah" 'BEGIN { print h; printf "DC.LONG,"; for (i = 0; i < 250; i++)
	printf "abcdefgh"; print "X,DC,other" }' >"$d/field-2000-plus-one.csv"
# One byte over the reader's limit.
awk -v h="$ah" 'BEGIN { print h; printf "DC.LONG,"; for (i = 0; i < 8192; i++)
	printf "abcdefgh"; print "X,DC,other" }' >"$d/field-64k-plus-one.csv"
# A million rows, every one fine but the last: all are checked, none kept.
awk -v h="$ah" 'BEGIN { print h; for (i = 1; i < 1000000; i++)
	printf "DC.M%d,Đơn vị số %d,DC,commune\n", i, i; print "DC.M0,Đơn vị cuối,DC,planet" }' \
	>"$d/million-rows-last-bad.csv"
# A million rows of one certificate serial: 999,999 duplicates reported
# (the report keeps 100), nothing imported.
awk -v h="$ch" 'BEGIN { print h; for (i = 0; i < 1000000; i++)
	printf "ABCDEF,person,Người %d,0010%08d,DC,2025-01-01,2030-01-01\n", i, i }' \
	>"$d/million-rows-dup-serial.csv"
# 300 nested agencies: deeper than any real tree, and than a DN can name.
awk -v h="$ah" 'BEGIN { print h; p = "DC"; for (i = 1; i <= 300; i++) {
	printf "DC.N%d,Cấp %d,%s,other\n", i, i, p; p = "DC.N" i } }' >"$d/deep-300-levels.csv"
# 60 nested agencies and a certificate at the bottom: fine.
awk -v h="$ah" 'BEGIN { print h; p = "DC"; for (i = 1; i <= 60; i++) {
	printf "DC.N%d,Cấp %d,%s,other\n", i, i, p; p = "DC.N" i } }' >"$d/deep-60-levels.csv"
# A header of 256 columns (the most a record may have), all unknown but one.
awk 'BEGIN { printf "code,name,level"; for (i = 4; i <= 256; i++) printf ",stt"; print "" }' \
	>"$d/header-256-columns.csv"
