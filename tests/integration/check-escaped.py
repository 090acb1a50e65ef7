#!/usr/bin/env python3
"""What a terminal or a JSON parser gets from inspect (tests/integration/1300):

  check-escaped.py text FILE...   every byte is printable: the file is valid UTF-8
                                  (strict) with no control character but newline
                                  and tab: no C0, DEL or C1 (U+0080-U+009F)
  check-escaped.py json FILE      the same, and a JSON document Python's strict
                                  parser takes
  check-escaped.py escape FILE    FILE with the rule of src/util/esc.h applied,
                                  written out here on its own (Python's UTF-8
                                  decoder says what is valid): a control character
                                  or a byte that is no UTF-8 becomes \\xNN

Prints the first offence (offset and the bytes around it) and exits 1."""
import json
import sys


def bad_char(ch):
    o = ord(ch)
    return (o < 0x20 and ch not in "\n\t") or 0x7F <= o <= 0x9F


def escape(data):
    out, i = [], 0
    while i < len(data):
        # the longest valid sequence at i (1 to 4 bytes), if any
        for n in (1, 2, 3, 4):
            try:
                ch = data[i:i + n].decode("utf-8")
            except UnicodeDecodeError:
                continue
            break
        else:
            ch = None
        if ch is None or bad_char(ch):
            n = 1 if ch is None else n
            out.append("".join("\\x%02x" % b for b in data[i:i + n]))
        else:
            out.append(ch)
        i += n
    return "".join(out)


def check_text(path):
    data = open(path, "rb").read()
    try:
        text = data.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        sys.exit(f"{path}: not UTF-8 at byte {e.start}: {data[max(0, e.start - 40):e.start + 10]!r}")
    for k, ch in enumerate(text):
        if bad_char(ch):
            sys.exit(f"{path}: control character U+{ord(ch):04X} at character {k}: "
                     f"{text[max(0, k - 40):k + 10]!r}")
    return text


def main():
    mode, files = sys.argv[1], sys.argv[2:]
    if mode == "text":
        for f in files:
            check_text(f)
    elif mode == "json":
        text = check_text(files[0])
        try:
            json.loads(text)
        except ValueError as e:
            sys.exit(f"{files[0]}: not JSON: {e}")
    elif mode == "escape":
        sys.stdout.write(escape(open(files[0], "rb").read()))
    else:
        sys.exit(__doc__)


main()
