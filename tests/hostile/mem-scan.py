# mem-scan.py (gdb python, for pin-secrecy.sh): count a byte string in
# every readable mapping of the inferior, read through ptrace: gcore would
# skip memory marked MADV_DONTDUMP, where a secure buffer lives.  Set
# $needle and $outfile first; it writes "HITS REGIONS" there.
#
# Mappings are read in chunks (a copy that straddles two chunks is still
# found), since gdb dies allocating one buffer for a huge mapping.  In an
# AddressSanitizer build the shadow memory is a mapping of many TiB that
# holds shadow bytes, never the program's data: it is skipped, and only
# when libasan is mapped, so a plain build is read whole.
import gdb

CHUNK = 64 << 20
# x86_64 AddressSanitizer shadow: LowShadow, ShadowGap and HighShadow.
ASAN_SHADOW = (0x00007FFF8000, 0x10007FFF8000)

inf = gdb.selected_inferior()
needle = gdb.parse_and_eval("$needle").string().encode()
out = gdb.parse_and_eval("$outfile").string()


def mappings():
    with open("/proc/%d/maps" % inf.pid) as maps:
        for line in maps:
            f = line.split()
            lo, hi = (int(x, 16) for x in f[0].split("-"))
            yield lo, hi, f[1], f[5] if len(f) > 5 else ""


def count_in(lo, hi):
    """Copies of needle in [lo, hi); None when nothing there is readable."""
    found, seen, tail = 0, False, b""
    for at in range(lo, hi, CHUNK):
        try:
            mem = inf.read_memory(at, min(CHUNK, hi - at)).tobytes()
        except gdb.MemoryError:
            tail = b""
            continue
        seen = True
        buf = tail + mem
        found += buf.count(needle)
        # keep the last len-1 bytes so a copy across the border counts once
        tail = buf[-(len(needle) - 1):] if len(needle) > 1 else b""
    return found if seen else None


maps = list(mappings())
asan = any("libasan" in path for _, _, _, path in maps)
hits = regions = 0
for lo, hi, perms, path in maps:
    if "r" not in perms or path in ("[vvar]", "[vsyscall]"):
        continue
    if asan and ASAN_SHADOW[0] <= lo and hi <= ASAN_SHADOW[1]:
        continue
    n = count_in(lo, hi)
    if n is not None:
        regions += 1
        hits += n
with open(out, "w") as o:
    o.write("%d %d\n" % (hits, regions))
