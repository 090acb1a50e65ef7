#!/usr/bin/env python3
"""The strings of inspect's pprof profile against its JSON report of the same
process (tests/integration/1410-pprof.sh):

  check-pprof-strings.py PROFILE.pb.gz REPORT.json

Reads the gzipped profile.proto with a decoder of its own (the wire format:
developers.google.com/protocol-buffers/docs/encoding; field numbers of
src/ui/profile.proto), then checks:
  1. every string of the string table is valid UTF-8 (Python's strict decoder)
     with no control character at all: no C0 (newline and tab included), DEL,
     C1 (U+0080-U+009F)
  2. every function name and file name of the profile is one of the report's
     (its frames' func and file), as the profile escapes them: the JSON's
     string with newline and tab as \\x0a and \\x09
  3. no sample has two labels of one key; the goroutines' own labels of the
     profile are the report's, so escaped (the set of key=value pairs, keys
     inspect adds, wait_reason, state, wait_minutes and labels_cut, left out)

Prints each offence and exits 1; prints "ok N strings" and exits 0."""
import gzip
import json
import sys

OURS = {"wait_reason", "state", "wait_minutes", "labels_cut"}


def varint(b, i):
    v = shift = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7F) << shift
        shift += 7
        if c < 0x80:
            return v, i


def fields(b):
    """(number, value) of a message: int for varints, bytes for lengths."""
    i = 0
    while i < len(b):
        key, i = varint(b, i)
        num, wire = key >> 3, key & 7
        if wire == 0:
            v, i = varint(b, i)
        elif wire == 2:
            n, i = varint(b, i)
            v, i = b[i:i + n], i + n
        elif wire == 1:
            v, i = b[i:i + 8], i + 8
        elif wire == 5:
            v, i = b[i:i + 4], i + 4
        else:
            raise ValueError("wire type %d at %d" % (wire, i))
        yield num, v


def ints(v):
    """A repeated integer: packed (bytes) or one varint."""
    if isinstance(v, int):
        return [v]
    out, i = [], 0
    while i < len(v):
        x, i = varint(v, i)
        out.append(x)
    return out


def bad_char(ch):
    o = ord(ch)
    return o < 0x20 or 0x7F <= o <= 0x9F


def as_profile(s):
    return s.replace("\n", "\\x0a").replace("\t", "\\x09")


def main():
    prof, report = sys.argv[1], sys.argv[2]
    raw = gzip.open(prof).read()
    table, funcs, samples = [], [], []
    for num, v in fields(raw):
        if num == 6:
            table.append(v)
        elif num == 5:
            f = dict(fields(v))
            funcs.append((f.get(2, 0), f.get(4, 0)))
        elif num == 2:
            labels = []
            for n, lv in fields(v):
                if n == 3:
                    lab = dict(fields(lv))
                    labels.append((lab.get(1, 0), lab.get(2, 0), lab.get(3, 0)))
            samples.append(labels)
    errors = []
    strings = []
    for i, b in enumerate(table):
        try:
            s = b.decode("utf-8")
        except UnicodeDecodeError as e:
            errors.append("1: string %d is not UTF-8 (%s): %r" % (i, e.reason, b))
            s = b.decode("utf-8", "replace")
        if any(bad_char(ch) for ch in s):
            errors.append("1: string %d has a control character: %r" % (i, s))
        strings.append(s)

    doc = json.load(open(report))
    names, files, pairs = set(), set(), set()
    for g in doc["goroutines"]:
        for fr in (g.get("frames") or []) + [g.get("top")]:
            if fr and fr.get("func") is not None:
                names.add(as_profile(fr["func"]))
                if fr.get("file") is not None:
                    files.add(as_profile(fr["file"]))
        labels = g.get("labels") or {}
        for k, v in labels.items():
            pairs.add((as_profile(k), as_profile(v)))
    for name, file in funcs:
        if strings[name] not in names:
            errors.append("2: function %r is none of the report's" % strings[name])
        if strings[file] and strings[file] not in files:
            errors.append("2: file %r is none of the report's" % strings[file])
    got = set()
    for labels in samples:
        keys = [strings[k] for k, _, _ in labels]
        for k in set(keys):
            if keys.count(k) != 1:
                errors.append("3: a sample has %d labels %r" % (keys.count(k), k))
        got |= {(strings[k], strings[s]) for k, s, _ in labels if strings[k] not in OURS}
    mine = {(k, v) for k, v in pairs if k not in OURS}
    if got != mine:
        errors.append("3: labels only in the profile: %r; only in the report: %r" %
                      (sorted(got - mine)[:5], sorted(mine - got)[:5]))
    for e in errors:
        print(e)
    if errors:
        sys.exit(1)
    print("ok %d strings" % len(strings))


main()
