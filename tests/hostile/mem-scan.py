# mem-scan.py (gdb python, for pin-secrecy.sh): count a byte string in
# every readable mapping of the inferior, read through ptrace: gcore would
# skip memory marked MADV_DONTDUMP, where a secure buffer lives.  Set
# $needle and $outfile first; it writes "HITS REGIONS" there.
import gdb
inf = gdb.selected_inferior()
needle = gdb.parse_and_eval("$needle").string().encode()
out = gdb.parse_and_eval("$outfile").string()
hits = regions = 0
with open("/proc/%d/maps" % inf.pid) as maps:
    for line in maps:
        f = line.split()
        if "r" not in f[1] or (len(f) > 5 and f[5] in ("[vvar]", "[vsyscall]")):
            continue
        lo, hi = (int(x, 16) for x in f[0].split("-"))
        try:
            mem = inf.read_memory(lo, hi - lo).tobytes()
        except gdb.MemoryError:
            continue
        regions += 1
        hits += mem.count(needle)
with open(out, "w") as o:
    o.write("%d %d\n" % (hits, regions))
