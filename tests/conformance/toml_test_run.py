#!/usr/bin/env python3
"""toml_test_run.py — run the toml-test corpus against our decoder.

usage: toml_test_run.py DECODER CORPUS_DIR [EXCLUDE_PATTERN...]

Every valid/**/*.toml must decode (exit 0) to JSON equal to the expected
*.json (compared semantically, as toml-test does: floats numerically, date-times
normalised, tables and arrays structurally). Every invalid/**/*.toml must be
rejected with exit 1 and a "line:col: message" on stderr, and must not crash.
Prints one line per failure and ends with "N passed, N failed".
Patterns (fnmatch, e.g. valid/string/escape-esc) name tests that are skipped.
"""
import datetime
import fnmatch
import json
import math
import os
import re
import subprocess
import sys
from decimal import Decimal

SCALARS = {"string", "integer", "float", "bool", "datetime", "datetime-local",
           "date-local", "time-local"}


def is_value(d):
    return isinstance(d, dict) and set(d) == {"type", "value"} and d["type"] in SCALARS \
        and isinstance(d["value"], str)


def parse_float(s):
    t = s.strip().lower().lstrip("+")
    if t in ("nan", "-nan"):
        return math.nan
    if t == "inf":
        return math.inf
    if t == "-inf":
        return -math.inf
    return float(s)


DT_RE = re.compile(r"^(?:(\d{4})-(\d{2})-(\d{2}))?T?(?:(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?)?"
                   r"(Z|[+-]\d{2}:\d{2})?$")


def norm_dt(kind, s):
    s = s.replace(" ", "T").replace("t", "T").replace("z", "Z")
    if kind == "time-local":
        s = "T" + s
    m = DT_RE.match(s)
    if not m:
        raise ValueError("bad %s %r" % (kind, s))
    y, mo, d, h, mi, sec, frac, off = m.groups()
    fr = Decimal("0." + frac) if frac else Decimal(0)
    if kind == "date-local":
        if h is not None or off:
            raise ValueError("bad date-local %r" % s)
        return (int(y), int(mo), int(d))
    if kind == "time-local":
        return (int(h), int(mi), int(sec), fr)
    if kind == "datetime-local":
        if off:
            raise ValueError("offset in datetime-local %r" % s)
        return (int(y), int(mo), int(d), int(h), int(mi), int(sec), fr)
    if not off:
        raise ValueError("no offset in datetime %r" % s)
    days = datetime.date(int(y), int(mo), int(d)).toordinal()
    secs = days * 86400 + int(h) * 3600 + int(mi) * 60 + int(sec)
    if off != "Z":
        sign = -1 if off[0] == "-" else 1
        secs -= sign * (int(off[1:3]) * 3600 + int(off[4:6]) * 60)
    return (secs, fr)


def cmp(want, have, path):
    """None when equal, else a message."""
    where = path or "<root>"
    if is_value(want):
        if not is_value(have):
            return "%s: expected a %s value, got %s" % (where, want["type"], json.dumps(have)[:80])
        wt, ht = want["type"], have["type"]
        if wt != ht:
            return "%s: type %s, expected %s" % (where, ht, wt)
        wv, hv = want["value"], have["value"]
        try:
            if wt == "float":
                a, b = parse_float(wv), parse_float(hv)
                ok = (math.isnan(a) and math.isnan(b)) or a == b
            elif wt == "integer":
                ok = int(wv) == int(hv)
            elif wt in ("datetime", "datetime-local", "date-local", "time-local"):
                ok = norm_dt(wt, wv) == norm_dt(wt, hv)
            else:
                ok = wv == hv
        except ValueError as e:
            return "%s: %s" % (where, e)
        if not ok:
            return "%s: value %r, expected %r" % (where, hv, wv)
        return None
    if isinstance(want, dict):
        if not isinstance(have, dict) or is_value(have):
            return "%s: expected a table, got %s" % (where, json.dumps(have)[:80])
        for k in want:
            if k not in have:
                return "%s: missing key %r" % (where, k)
        for k in have:
            if k not in want:
                return "%s: unexpected key %r" % (where, k)
        for k in want:
            r = cmp(want[k], have[k], path + "." + k if path else k)
            if r:
                return r
        return None
    if isinstance(want, list):
        if not isinstance(have, list):
            return "%s: expected an array, got %s" % (where, json.dumps(have)[:80])
        if len(want) != len(have):
            return "%s: array length %d, expected %d" % (where, len(have), len(want))
        for i, (w, h) in enumerate(zip(want, have)):
            r = cmp(w, h, "%s[%d]" % (path, i))
            if r:
                return r
        return None
    return "%s: bad expected JSON %r" % (where, want)


def run(decoder, path):
    try:
        p = subprocess.run([decoder, path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=20)
    except subprocess.TimeoutExpired:
        return None, b"", b"timeout"
    return p.returncode, p.stdout, p.stderr


def crashed(rc, err):
    return rc not in (0, 1) or b"Sanitizer" in err or b"runtime error" in err


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    decoder, corpus = sys.argv[1], sys.argv[2]
    excludes = sys.argv[3:]
    tests = []
    for root, _, files in os.walk(corpus):
        for f in files:
            if f.endswith(".toml"):
                rel = os.path.relpath(os.path.join(root, f), corpus)[:-5]
                tests.append(rel)
    tests.sort()
    passed = failed = skipped = 0
    counts = {"valid": [0, 0], "invalid": [0, 0]}
    for t in tests:
        kind = t.split(os.sep)[0]
        if kind not in counts:
            continue
        if any(fnmatch.fnmatch(t, pat) for pat in excludes):
            skipped += 1
            print("skip %s (not TOML 1.0.0)" % t)
            continue
        src = os.path.join(corpus, t + ".toml")
        rc, out, err = run(decoder, src)
        msg = None
        if rc is None:
            msg = "timeout"
        elif crashed(rc, err):
            msg = "CRASH (exit %s): %s" % (rc, err.decode("utf-8", "replace").strip()[-300:])
        elif kind == "valid":
            if rc != 0:
                msg = "rejected: %s" % err.decode("utf-8", "replace").strip()
            else:
                try:
                    have = json.loads(out.decode("utf-8"))
                except ValueError as e:
                    msg = "decoder printed bad JSON: %s" % e
                else:
                    with open(os.path.join(corpus, t + ".json"), encoding="utf-8") as fh:
                        want = json.load(fh)
                    msg = cmp(want, have, "")
        else:
            if rc == 0:
                msg = "accepted an invalid document"
            elif not re.match(rb"^[1-9][0-9]*:[1-9][0-9]*: ", err):
                msg = "error without line:col: %r" % err[:100]
        if msg:
            failed += 1
            counts[kind][1] += 1
            print("FAIL %s: %s" % (t, msg))
        else:
            passed += 1
            counts[kind][0] += 1
    print("toml-test: valid %d/%d ok, invalid %d/%d rejected, %d skipped (newer than TOML 1.0.0)"
          % (counts["valid"][0], sum(counts["valid"]), counts["invalid"][0], sum(counts["invalid"]),
             skipped))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
