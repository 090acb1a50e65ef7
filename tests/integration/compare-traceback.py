#!/usr/bin/env python3
"""Compare inspect's dump --format traceback with the Go runtime's own traceback
of the same process (runtime.Stack(all): lib.sh's SIGUSR2 stacks file), as text
and as panicparse's pp groups each.

usage: compare-traceback.py text OURS RUNTIME SKIP_RE [--stacks=N[:counted]]
       compare-traceback.py pp OURS_PP RUNTIME_PP SKIP_RE

Goroutines (text) or pp buckets (pp) with a frame whose function matches SKIP_RE
(pp: its package's last element, a dot and its name: signal.loop) are left out
of both: they move between the two captures (main.main, which
runs runtime.Stack for the other; the heartbeat; os/signal's loop).

text: the same goroutine ids, and for each the same header, the same frames
(function and file:line) in order, the same "elided" mark and the same created-by
line. What it drops, and why:
  - each function line's argument list: the runtime prints the argument words,
    inspect "(...)", as it cannot know them (README);
  - a crash's " fp=... sp=... pc=..." after file:line (+0x... is compared).
--stacks=N: inspect's text was cut at N shown frames (dump --stacks=N): the
runtime's stacks of more are compared as the runtime cuts them, their first N
frames and its mark: "...E frames elided..." with E the frames left (:counted,
Go 1.21+), else "...additional frames elided...".
Labels inspect cut are compared as cut: a value ending in "... (N bytes)" must
start the runtime's value, a set ending in ", ..." must start the runtime's set.
pp: the same buckets (header, created-by and frames) with the same counts, the
argument lists dropped for the same reason, and runs of blanks as one; a
label value inspect cut ("... (N bytes)") matches the runtime's that it starts.
Prints one line per difference; exits 1 if any, 2 if nothing was compared."""
import re
import sys

FUNC = re.compile(r"^(.+)\((.*)\)$")  # pp's reFunc
# a crash's traceback (SIGQUIT) adds gp= m= mp= (Go 1.23+)
HEADER = re.compile(r"^goroutine (\d+)(?: gp=\S+ m=\S+(?: mp=\S+)?)? \[(.*)\]:$")
CUT_VALUE = re.compile(r'^"(.*)\.\.\. \(\d+ bytes\)"$')


def parse(path, skip):
    """{id: {"header", "frames": [(func, loc)], "elided", "created"}} of the
    goroutines that have no frame matching skip; and how many were skipped."""
    gs, cur, func, skipped = {}, None, None, 0
    for line in open(path, encoding="utf-8", errors="surrogateescape"):
        line = line.rstrip("\n")
        m = HEADER.match(line)
        if m:
            cur = {"header": m.group(2), "frames": [], "elided": False, "created": None}
            gs[int(m.group(1))] = cur
            func = None
            continue
        if cur is None:
            continue
        if line == "":
            cur = None
        elif line.endswith("frames elided..."):
            cur["elided"] = line
        elif line.startswith("created by "):
            func = ("created", line[len("created by "):])
        elif line.startswith("\t") and func:
            loc = re.sub(r" fp=.*$", "", line[1:])
            if func[0] == "created":
                cur["created"] = (func[1], loc)
            else:
                cur["frames"].append((func[1], loc))
            func = None
        else:
            m = FUNC.match(line)
            func = ("frame", m.group(1) if m else line)
    out = {}
    for gid, g in gs.items():
        # goroutine 0: the g0 of the thread a crash's traceback runs on (Go
        # 1.21+ prints it), no goroutine of the registry
        if gid == 0:
            continue
        if any(re.search(skip, f) for f, _ in g["frames"]):
            skipped += 1
        else:
            out[gid] = g
    return out, skipped


def split_labels(header):
    """(header without labels, [(key, value)] as quoted, cut) of a header."""
    i = header.find(" labels:{")
    if i < 0 or not header.endswith("}"):
        return header, [], False
    body, pairs, cut = header[i + len(" labels:{"):-1], [], False
    for m in re.finditer(r'("(?:[^"\\]|\\.)*"): ("(?:[^"\\]|\\.)*")|(\.\.\.)', body):
        if m.group(3):
            cut = True
        else:
            pairs.append((m.group(1), m.group(2)))
    return header[:i], pairs, cut


def labels_differ(mine, theirs):
    """Why inspect's label set (maybe cut) is not the runtime's, or None."""
    _, ours, cut = mine
    _, want, _ = theirs
    if cut and len(ours) < len(want):
        want = want[:len(ours)]
    if len(ours) != len(want):
        return f"{len(ours)} labels, runtime {len(want)}"
    for (k, v), (wk, wv) in zip(ours, want):
        m = CUT_VALUE.match(v)
        if k != wk or (v != wv and not (m and wv.startswith('"' + m.group(1)))):
            return f"label {k}: {v[:80]}, runtime {wk}: {wv[:80]}"
    return None


def cut(g, n, counted):
    """g as the runtime prints it with a limit of n shown frames."""
    left = len(g["frames"]) - n
    if left > 0:
        g["frames"] = g["frames"][:n]
        g["elided"] = f"...{left} frames elided..." if counted else "...additional frames elided..."


def compare_text(ours_path, theirs_path, skip, stacks):
    ours, _ = parse(ours_path, skip)
    theirs, _ = parse(theirs_path, skip)
    bad = 0
    if stacks:
        n, _, counted = stacks.partition(":")
        for g in theirs.values():
            cut(g, int(n), counted == "counted")
    for gid in sorted(set(ours) | set(theirs)):
        if gid not in ours or gid not in theirs:
            print(f"goroutine {gid}: only in {'inspect' if gid in ours else 'the runtime'}'s")
            bad += 1
            continue
        a, b = ours[gid], theirs[gid]
        la, lb = split_labels(a["header"]), split_labels(b["header"])
        if la[0] != lb[0]:
            print(f"goroutine {gid}: header [{la[0]}], runtime [{lb[0]}]")
            bad += 1
        why = labels_differ(la, lb)
        if why:
            print(f"goroutine {gid}: {why}")
            bad += 1
        for what in ("frames", "elided", "created"):
            if a[what] != b[what]:
                print(f"goroutine {gid}: {what} differ")
                if what == "frames":
                    for i in range(max(len(a[what]), len(b[what]))):
                        x = a[what][i] if i < len(a[what]) else None
                        y = b[what][i] if i < len(b[what]) else None
                        if x != y:
                            print(f"    {i}: inspect {x}, runtime {y}")
                else:
                    print(f"    inspect {a[what]}, runtime {b[what]}")
                bad += 1
    return len(ours), bad


def buckets(path, skip):
    """pp's buckets: "N: HEADER" with its frame lines, blanks collapsed and
    argument lists dropped; those with a frame matching skip left out."""
    out, cur = [], None
    for line in open(path, encoding="utf-8", errors="surrogateescape"):
        line = line.rstrip("\n")
        if re.match(r"^\d+: ", line):
            cur = [re.sub(r"\s+", " ", line)]
            out.append(cur)
        elif line.startswith("    ") and cur is not None:
            f = line.split()
            m = FUNC.match(" ".join(f[2:]))
            cur.append(" ".join(f[:2] + [m.group(1) if m else " ".join(f[2:])]))
    counts = {}
    for b in out:
        # pp shows a function as its package's last element and its name
        if any(re.search(skip, ln.split(" ")[0] + "." + ln.split(" ")[2]) for ln in b[1:]):
            continue
        n, head = b[0].split(": ", 1)
        key = "\n".join([head] + b[1:])
        counts[key] = counts.get(key, 0) + int(n)
    return sorted(f"{n}: {key}" for key, n in counts.items())


def cut_match(mine, theirs):
    """Buckets equal but where inspect cut a label value: "V... (N bytes)"
    against the runtime's whole value that starts with V."""
    m = re.match(r'^(.*?)\.\.\. \(\d+ bytes\)"(.*)$', mine, re.S)
    if not m:
        return False
    head, rest = m.group(1), m.group(2)
    if not theirs.startswith(head):
        return False
    end = theirs.find('"', len(head))  # the runtime's value ends at its quote
    while end > 0 and theirs[end - 1] == "\\":
        end = theirs.find('"', end + 1)
    return end > 0 and theirs[end + 1:] == rest


def compare_pp(ours_path, theirs_path, skip):
    ours, theirs = buckets(ours_path, skip), buckets(theirs_path, skip)
    only_ours = [b for b in ours if b not in theirs]
    only_theirs = [b for b in theirs if b not in ours]
    for b in list(only_ours):
        t = next((t for t in only_theirs if cut_match(b, t)), None)
        if t is not None:
            only_ours.remove(b)
            only_theirs.remove(t)
    for b in only_ours:
        print("only inspect's pp has:\n  " + b.replace("\n", "\n  "))
    for b in only_theirs:
        print("only the runtime's pp has:\n  " + b.replace("\n", "\n  "))
    return len(ours), len(only_ours) + len(only_theirs)


def main():
    mode, a, b, skip = sys.argv[1:5]
    if mode == "text":
        stacks = next((x[len("--stacks="):] for x in sys.argv[5:] if x.startswith("--stacks=")), None)
        n, bad = compare_text(a, b, skip, stacks)
        what = "goroutines"
    else:
        n, bad = compare_pp(a, b, skip)
        what = "buckets"
    if n == 0:
        print(f"no {what} to compare")
        sys.exit(2)
    print(f"{n} {what} compared, {bad} differ")
    sys.exit(1 if bad else 0)


main()
