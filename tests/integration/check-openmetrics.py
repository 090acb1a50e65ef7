#!/usr/bin/python3
"""Checks of `inspect dump --format openmetrics` for tests/integration/1430-openmetrics.sh.
Run by Debian's /usr/bin/python3, whose python3-prometheus-client (tools/deps.sh)
brings the OpenMetrics parser the checks read the output with.

  check-openmetrics.py valid FILE
      FILE parses as OpenMetrics text (prometheus_client's strict parser: # EOF,
      escapes, units, UTF-8).
  check-openmetrics.py session FILE TOP [START_NS END_NS BEFORE_NS AFTER_NS]
      FILE is the transcript of `inspect attach --batch 'dump; dump --format json;
      dump --format openmetrics --top 1000000; dump --format openmetrics --top TOP'`:
      one snapshot in four reports. The metrics agree with the text report's blocks
      and the JSON's groups and goroutines; --top TOP keeps the TOP largest frame
      buckets and sums the rest in the (other) one; the oldest wait per reason is
      the JSON's wait_minutes in seconds; the capture's timestamp is the JSON's
      captured_at. With the fixture's GC times (parked -gc:
      it stamped every wait in [START, END]) and the attach's (BEFORE, AFTER), the
      oldest "chan receive" wait and the capture's timestamp are bracketed by them.
  check-openmetrics.py runtime FILE RUNTIME
      For every main.block* function of the runtime's account RUNTIME (lib.sh
      runtime_goroutines: ID, STATE, FUNC), the goroutines the runtime has there,
      by state, are the openmetrics FILE's by_frame buckets of that function.
"""
import collections
import datetime
import json
import math
import re
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families

OTHER = "(other)"


def fail(msg):
    sys.stderr.write(msg + "\n")
    sys.exit(1)


def families(text):
    """{family name: [(labels dict, value)]}, by the strict parser."""
    try:
        out = {}
        for fam in text_string_to_metric_families(text):
            out[fam.name] = [(s.labels, s.value) for s in fam.samples]
        return out
    except Exception as e:  # the parser raises ValueError and others
        fail("not OpenMetrics: %s: %s" % (type(e).__name__, e))


def one(fams, name):
    return fams[name][0][1]


def by(fams, name, key):
    return {labels[key]: value for labels, value in fams[name]}


def frames(fams):
    """{(reason, func, file, line): count}, and the (other) bucket's count or None."""
    out, other = {}, None
    for labels, value in fams["inspect_goroutines_by_frame"]:
        key = (labels["reason"], labels["func"], labels["file"], labels["line"])
        if key == (OTHER,) * 4:
            other = value
        elif key in out:
            fail("two buckets %s" % (key,))
        else:
            out[key] = value
    return out, other


def sections(path):
    """The outputs of the session's commands, by command."""
    out, cmd = {}, None
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("(inspect) "):
                cmd = line[len("(inspect) "):].rstrip("\n")
                out[cmd] = []
            elif cmd is not None:
                out[cmd].append(line)
    for cmd in out:
        text = "".join(out[cmd])
        if "openmetrics" in cmd:  # up to # EOF: the detach's line follows
            text = text[: text.index("# EOF\n") + len("# EOF\n")]
        out[cmd] = text
    return out


def text_blocks(text):
    """{reason: count} of the text report: a block's line follows a blank one."""
    out, prev = {}, ""
    for line in text.split("\n"):
        m = re.match(r"^  +([0-9,]+)  (\S.*?)(  +waiting >= [0-9]+ min)?$", line)
        if prev == "" and m and "runtime goroutines" not in line:
            out[m.group(2)] = int(m.group(1).replace(",", ""))
        prev = line
    return out


def basename(path):
    return path.rsplit("/", 1)[-1]


def check_session(path, top, gc=None):
    sec = sections(path)
    want = ["dump", "dump --format json", "dump --format openmetrics --top 1000000",
            "dump --format openmetrics --top %d" % top]
    if list(sec) != want:
        fail("commands %s, want %s" % (list(sec), want))
    blocks = text_blocks(sec[want[0]])
    doc = json.loads(sec[want[1]])
    full, cut = families(sec[want[2]]), families(sec[want[3]])

    # counts: the text report's blocks, the JSON's groups and goroutines
    reasons = by(full, "inspect_goroutines_by_reason", "reason")
    groups = {g["reason"]: g["count"] for g in doc["groups"]}
    if reasons != blocks or reasons != groups:
        fail("by reason %s; text %s; JSON %s" % (reasons, blocks, groups))
    total = one(full, "inspect_goroutines")
    states = by(full, "inspect_goroutines_by_state", "state")
    fr, other = frames(full)
    if other is not None:
        fail("an (other) bucket with --top 1000000")
    sums = [total, sum(states.values()), sum(reasons.values()), sum(fr.values()),
            len(doc["goroutines"])]
    if len(set(sums)) != 1:
        fail("goroutines, sums by state, reason, frame, JSON's: %s" % sums)
    if states != dict(collections.Counter(g["status"] for g in doc["goroutines"])):
        fail("by state %s; JSON %s" % (states, doc["goroutines"]))
    if one(full, "inspect_goroutines_hidden") != doc["hidden_system"]:
        fail("hidden %s; JSON %s" % (one(full, "inspect_goroutines_hidden"), doc["hidden_system"]))
    if one(full, "inspect_threads") != doc["threads"]:
        fail("threads %s; JSON %s" % (one(full, "inspect_threads"), doc["threads"]))
    # the frame shown, as the JSON's goroutines give it (user_top, else top)
    shown = collections.Counter()
    for g in doc["goroutines"]:
        loc = g["user_top"] or g["top"] or {"func": "?", "file": None, "line": 0}
        key = g["wait_reason"] or g["status"]
        where = (basename(loc["file"]) if loc["file"] else "?", str(loc["line"]))
        shown[(key, loc["func"]) + where] += 1
    if fr != dict(shown):
        fail("by frame %s; JSON %s" % (fr, dict(shown)))

    # --top: the largest buckets, the rest summed
    kept, rest = frames(cut)
    if len(kept) != min(top, len(fr)) or any(fr.get(k) != v for k, v in kept.items()):
        fail("--top %d kept %s of %s" % (top, kept, fr))
    left = [v for k, v in fr.items() if k not in kept]
    if left and max(left) > min(kept.values()):
        fail("--top %d kept %s but left a bucket of %d" % (top, kept, max(left)))
    if (rest is None) != (not left) or (left and rest != sum(left)):
        fail("--top %d: (other) %s, the rest sums %d" % (top, rest, sum(left)))

    # the oldest wait per reason: the JSON's minutes, in seconds
    oldest = by(full, "inspect_goroutines_oldest_wait_seconds", "reason")
    minutes = {}
    for g in doc["goroutines"]:
        if g["wait_minutes"] is not None:
            key = g["wait_reason"] or g["status"]
            minutes[key] = max(minutes.get(key, 0), g["wait_minutes"])
    if {k: math.floor(v / 60) for k, v in oldest.items()} != minutes:
        fail("oldest waits %s s; JSON %s min" % (oldest, minutes))
    stamp = one(full, "inspect_capture_timestamp_seconds")
    pause = one(full, "inspect_pause_seconds")
    # one snapshot: its time is the JSON's captured_at (milliseconds, cut; the
    # metric's rounded)
    at = datetime.datetime.strptime(doc["captured_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()
    if not at - 1e-6 <= stamp <= at + 0.001 + 1e-6:
        fail("captured at %.3f; JSON captured_at %s" % (stamp, doc["captured_at"]))
    if gc:
        start, end, before, after = (int(x) / 1e9 for x in gc)
        if not before - 0.002 <= stamp <= after + 0.002:
            fail("captured at %.3f, not between %.3f and %.3f" % (stamp, before, after))
        w = oldest.get("chan receive")
        if w is None or not before - end - 0.002 <= w <= after - start + 0.002:
            fail("oldest chan receive %s s; GC %.3f-%.3f, attach %.3f-%.3f" %
                 (w, start, end, before, after))
        if not 0 <= pause <= after - before:
            fail("pause %s s, longer than the attach %.3f s" % (pause, after - before))
    print("%d goroutines, %d reasons, %d frames (%d kept), oldest %s" %
          (total, len(reasons), len(fr), len(kept), oldest))


def check_runtime(path, runtime):
    with open(path, encoding="utf-8") as f:
        fr, _ = frames(families(f.read()))
    have = {(k[0], k[1]): v for k, v in fr.items() if k[1].startswith("main.block")}
    want = collections.Counter()
    with open(runtime, encoding="utf-8") as f:
        for line in f:
            _, state, func = line.rstrip("\n").split("\t")
            if func.startswith("main.block"):
                want[(state, func)] += 1
    if not want or have != dict(want):
        fail("by frame %s; the runtime %s" % (have, dict(want)))


def main(argv):
    if len(argv) == 3 and argv[1] == "valid":
        with open(argv[2], encoding="utf-8") as f:
            families(f.read())
    elif len(argv) in (4, 8) and argv[1] == "session":
        check_session(argv[2], int(argv[3]), argv[4:] or None)
    elif len(argv) == 4 and argv[1] == "runtime":
        check_runtime(argv[2], argv[3])
    else:
        fail(__doc__)


if __name__ == "__main__":
    main(sys.argv)
