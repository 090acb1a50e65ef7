#!/usr/bin/env python3
"""Compare inspect's goroutine stacks (JSON) with another account of the same
process: the Go runtime's own (runtime.Stack, parsed by lib.sh runtime_stacks) or
Delve's (lib.sh dlv_stacks). Lines of the account: ID<TAB>FUNC<TAB>FILE:LINE,
ID<TAB>created by<TAB>FUNC FILE:LINE[ goroutine N], ID<TAB>...<TAB>- (elided).

usage: compare-stacks.py runtime|crash|dlv INSPECT_JSON ACCOUNT FUNC_RE
Goroutines compared: those whose account names a function matching FUNC_RE.
The runtime hides its unexported functions and compiler wrappers: those frames
of inspect's are left out for it. "crash" is the runtime's traceback at
GOTRACEBACK=system (a crash's, lib.sh crash_stacks): every frame of the
goroutine's own stack, runtime and wrappers too; only inspect's native frames
(from the thread's stack) are left out, and the runtime names
runtime.gopanic "panic". Delve shows every frame, and paths differ
(its C files), so only function names and lines are compared with it; and Delve
gives the line of a parked goroutine's innermost frame at its saved pc, the
return address, where the runtime and inspect give the line of the call
(pc - 1): that line alone is not compared. Delve names a generic function by
its DWARF name, with the shape (main.Wait[go.shape.int]), where the runtime and
inspect print main.Wait[...]: its names are compared as the runtime prints them.
Prints one line per difference; exits 1 if any, 2 if no goroutine matched."""
import json
import re
import sys


def showable(f):
    """The runtime's traceback at its default level (runtime/traceback.go showframe)."""
    name = f["func"] or ""
    if "." not in name or f.get("wrapper") or f.get("native"):
        return False
    return not name.startswith("runtime.") or name[8:9].isupper()


def name_for_print(name):
    """runtime/traceback.go funcNameForPrint: from the first '[' to the last ']'
    becomes "[...]"."""
    i, j = name.find("["), name.rfind("]")
    return name if i < 0 or j <= i else name[:i] + "[...]" + name[j + 1:]


def main():
    kind, inspect_json, account, func_re = sys.argv[1:5]
    doc = json.load(open(inspect_json))
    tasks = {g["id"]: g for g in doc["goroutines"]}
    frames, created = {}, {}
    for line in open(account):
        gid, a, b = line.rstrip("\n").split("\t")
        gid = int(gid)
        if a == "created by":
            created[gid] = b
        else:
            frames.setdefault(gid, []).append((a, b))
    chosen = [g for g, fr in frames.items() if any(re.search(func_re, f) for f, _ in fr)]
    bad = 0
    for gid in sorted(chosen):
        want = frames[gid]
        if ("...", "-") in want:
            print(f"goroutine {gid}: the account elides frames; start the fixture shallower")
            bad += 1
            continue
        t = tasks.get(gid)
        if t is None:
            print(f"goroutine {gid}: not in inspect's dump")
            bad += 1
            continue
        fr = t.get("frames") or []
        if kind == "runtime":
            got = [(f["func"], f"{f['file']}:{f['line']}") for f in fr if showable(f)]
        elif kind == "crash":
            got = [("panic" if f["func"] == "runtime.gopanic" else f["func"],
                    f"{f['file']}:{f['line']}") for f in fr if not f.get("native")]
        else:
            got = [(f["func"], f":{f['line']}") for f in fr]
            want = [(name_for_print(f[2:] if f.startswith("C.") else f), ":" + loc.rsplit(":", 1)[-1])
                    for f, loc in want]
            if got and want and got[0][0] == want[0][0]:
                got[0] = want[0]
        if got != want:
            print(f"goroutine {gid}: frames differ")
            for i in range(max(len(got), len(want))):
                g = got[i] if i < len(got) else None
                w = want[i] if i < len(want) else None
                if g != w:
                    print(f"    {i}: inspect {g}, {kind} {w}")
            bad += 1
        if kind != "dlv" and gid in created:
            c = t.get("created_by")
            mine = None
            if c:
                mine = f"{c['func']} {c['file']}:{c['line']}"
                if c.get("goid"):
                    mine += f" goroutine {c['goid']}"
            theirs = created[gid]
            # Go 1.19/1.20 record no parent: the runtime prints none, inspect has none.
            if mine != theirs:
                print(f"goroutine {gid}: created by {mine!r}, runtime {theirs!r}")
                bad += 1
    if not chosen:
        print(f"no goroutine of the account matches {func_re}")
        sys.exit(2)
    print(f"{len(chosen)} goroutines compared, {bad} differ")
    sys.exit(1 if bad else 0)


main()
