#!/bin/bash
# 1010-gotables: the layout tables for binaries without DWARF (plugins/go/tables.c,
# written by tools/gen-gotables.sh) hold, for every Go release built (fixtures and
# matrix), what that release's DWARF says: a table that drifts from DWARF, or a
# release without a table, fails here.
#
# For each release (GOVER), with its unstripped vars fixture:
#   $GOVER 1.0  its entry (offsets of runtime.g, runtime.m, runtime.moduledata as
#               plugins/go/layout.c reads them from DWARF) is in tables.c
#   $GOVER 1.1  its wait reasons (runtime.waitReasonStrings) are in tables.c
set -euo pipefail
. "$(dirname "$0")/lib.sh"

GEN=${GEN_GOTABLES:-$BUILD/tools/gen-gotables}
TABLES=$ROOT/plugins/go/tables.c
[[ -x $GEN ]] || _lib_bail "no $GEN: make $GEN"

# in_tables KIND BIN: the generator's KIND output for BIN is a part of tables.c.
in_tables() {
	"$GEN" "$1" "$2" >"$TEST_TMP/want" || return 1
	python3 -c 'import sys; sys.exit(open(sys.argv[1]).read() not in open(sys.argv[2]).read())' \
		"$TEST_TMP/want" "$TABLES" ||
		{ echo "not in plugins/go/tables.c (run tools/gen-gotables.sh): $(head -c 200 "$TEST_TMP/want")" >&2; return 1; }
}

for dir in "$BUILD"/fixtures/go*/ "$BUILD"/matrix/go*/; do
	bin=$dir/vars
	[[ -x $bin ]] || continue
	GOVER=$(basename "$dir")
	check "$GOVER 1.0 its layout is in the table" in_tables entry "$bin"
	check "$GOVER 1.1 its wait reasons are in the table" in_tables reasons "$bin"
done
