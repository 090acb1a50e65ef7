#!/usr/bin/env python3
"""Rewrite names in a binary in place: shape-names.py FILE PLACEHOLDER=BYTES...

Every occurrence of each placeholder (ASCII) becomes BYTES (Python escapes such
as \\x1b), padded with 'x' to the placeholder's length, so that no offset moves.
Fails if a placeholder is missing or BYTES is longer. For fixtures/go/shaped."""
import sys

path, pairs = sys.argv[1], sys.argv[2:]
data = open(path, "rb").read()
for pair in pairs:
    old, new = pair.split("=", 1)
    old = old.encode()
    new = new.encode("latin-1").decode("unicode_escape").encode("latin-1")
    if len(new) > len(old):
        sys.exit(f"shape-names: {new!r} is longer than {old!r}")
    if old not in data:
        sys.exit(f"shape-names: {old!r} not in {path}")
    data = data.replace(old, new + b"x" * (len(old) - len(new)))
open(path, "wb").write(data)
