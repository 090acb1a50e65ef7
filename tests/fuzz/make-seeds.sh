#!/usr/bin/env bash
# Make the seeds of the corpora that are not recordings or sections of a fixture
# (run once; the seeds are in the tree):
#   pclntab/synth-1.20, synth-1.18  the three-function table of tests/unit/go/pclntab-test.c
#                                   (synth), in the Go 1.20+ layout and with the Go
#                                   1.18-1.19 magic; the real tables of the fixtures are
#                                   too big for the tree (tools/run-fuzz.sh adds them)
#   elf/tiny-*                      a few-hundred-byte executable by gcc and objcopy: with
#                                   a build-id note and a .gnu_debuglink, with .symtab and
#                                   the synthetic pclntab as .gopclntab, stripped, with DWARF
# The other seeds: buildinfo/ is .go.buildinfo of FIXTURES/go1.{19,26}/{hello,ordersvc}
# (objcopy -O binary --only-section); registry/ and value/ hold a recording of the
# vars fixture (tests/unit/model/capture-test: INSPECT_TEST_RECORD, with
# INSPECT_TEST_RECORD_MAX=16384), expr/ print commands from fixtures/go/vars;
# pprof/inspect is `inspect dump --format pprof` of FIXTURES/go1.26/leaksvc and
# pprof/runtime its own profile (leaksvc -profile P: P.1), both gunzipped.
set -euo pipefail
corpus=$(cd "$(dirname "$0")" && pwd)/corpus
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 - "$corpus/pclntab" <<'PY'
import struct, sys
out = sys.argv[1]
def synth(magic):
    b = bytearray()
    def put(x):
        at = len(b); b.extend(x); return at
    def put32(v): return put(struct.pack('<I', v & 0xffffffff))
    put32(magic); put(b'\0\0\1\x08')
    hdr_names = len(b)
    b.extend(b'\0' * (72 - len(b)))
    o_names = put(b'\0')
    names = [b'syn.neg', b'syn.mid', b'syn.top']
    nameoff = [put(n + b'\0') - o_names for n in names]
    o_cu = put32(0)
    o_files = put(b'/src/syn.go\0')
    o_pctab = put(b'\0')
    sp = [put(bytes(x)) - o_pctab for x in ([29, 0x10, 0], [0, 4, 18, 0x0c, 0], [2, 0x10, 0])]
    ln = put(bytes([22, 8, 2, 8, 0])) - o_pctab
    fl = put(bytes([2, 0x10, 0])) - o_pctab
    while len(b) % 4: put(b'\0')
    o_ftab = len(b); b.extend(b'\0' * 32)
    funcat = []
    for i in range(3):
        funcat.append(len(b))
        for v in (0x10 * i, nameoff[i], 0, 0, sp[i], fl, ln if i == 1 else 0, 0, 0, 10):
            put32(v)
        put(bytes([0, 1 if i == 2 else 0, 0, 0]))
    for i in range(3):
        struct.pack_into('<II', b, o_ftab + 8 * i, 0x10 * i, funcat[i] - o_ftab)
    struct.pack_into('<I', b, o_ftab + 24, 0x30)
    struct.pack_into('<QQQ', b, 8, 3, 1, 0)
    struct.pack_into('<QQQQQ', b, hdr_names + 24, o_names, o_cu, o_files, o_pctab, o_ftab)
    return bytes(b)
open(out + '/synth-1.20', 'wb').write(synth(0xfffffff1))
open(out + '/synth-1.18', 'wb').write(synth(0xfffffff0))
PY

printf 'void _start(void){for(;;);}\nint x = 1;\n' >"$tmp/t.c"
gcc -Os -nostdlib -static -no-pie -Wl,-n -Wl,--build-id -o "$tmp/t" "$tmp/t.c"
echo debug >"$tmp/t.debug"
objcopy --add-gnu-debuglink="$tmp/t.debug" -R .comment "$tmp/t" "$tmp/t-link"
objcopy --strip-all "$tmp/t-link" "$corpus/elf/tiny-buildid-debuglink"
objcopy -R .comment --add-section .gopclntab="$corpus/pclntab/synth-1.20" "$tmp/t" \
	"$corpus/elf/tiny-symtab-gopclntab"
objcopy --strip-all --remove-section .note.gnu.build-id "$tmp/t" "$corpus/elf/tiny-stripped"
gcc -g -Os -nostdlib -static -no-pie -Wl,-n -o "$tmp/d" "$tmp/t.c"
objcopy -R .comment "$tmp/d" "$corpus/elf/tiny-dwarf"
ls -l "$corpus/pclntab" "$corpus/elf"
