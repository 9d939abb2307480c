"""Follow-up probes: crash depth thresholds, option variants, false positives,
whole-corpus agreement, and cost of a cheap pre-scan guard.

Usage: python probe_extra.py   (prints results; reuses probe.run_one machinery)
"""
import glob
import json
import re
import statistics
import sys
import time

import probe

# ---- 1. depth at which nesting crashes / errors (subprocess each)
extra = probe.EXTRA_CASES
print("## depth thresholds (loader case -> result)")
for ld in ["pyyaml", "yaml_rs", "yaml12", "ryaml", "oryaml", "rustyyaml"]:
    row = []
    for case in extra:
        r = probe.run_one(ld, case)
        if "signal" in r:
            s = r["signal"]
        elif r.get("one", {}).get("ok"):
            s = "ok"
        else:
            s = "err:" + r.get("one", {}).get("msg", r.get("stderr", ""))[:40].replace("\n", " ")
        row.append(f"{case}={s}")
    print(ld, "; ".join(row), flush=True)

# ---- 2. in-process option / edge probes
import oryaml
import ryaml
import rustyyaml
import yaml
import yaml12
import yaml_rs


def tryit(label, fn):
    try:
        v = fn()
        print(f"{label}: OK {v!r}"[:400])
    except Exception as e:  # noqa: BLE001
        print(f"{label}: {type(e).__name__}: {str(e)[:200]!r}")


print("\n## option / edge probes")
sc = "n: 010\nd: 2026-03-01\nt: 12:30:00\nts: 2026-03-01T10:00:00Z\nu: 1_000\no: 0o17\nb2: 0b101\n"
tryit("yaml_rs parse_datetime=False scalars", lambda: yaml_rs.loads(sc, parse_datetime=False))
tryit("yaml_rs dup LastWins", lambda: yaml_rs.loads("a: 1\na: 2\n", duplicate_key_policy=yaml_rs.DuplicateKeyPolicy.LastWins))
tryit("yaml_rs load(bytes invalid utf8, encoder_errors=strict)", lambda: yaml_rs.load(b"a: \xff\n", encoder_errors="strict"))
tryit("yaml_rs load(bytes invalid utf8, default)", lambda: yaml_rs.load(b"a: \xff\n"))
tryit("yaml_rs loads(bytes)", lambda: yaml_rs.loads(b"a: 1\n"))
tryit("yaml_rs single top-level list", lambda: yaml_rs.loads("- {a: 1}\n- {b: 2}\n"))
tryit("yaml_rs multi-doc", lambda: yaml_rs.loads("a: 1\n---\nb: 2\n"))
tryit("yaml_rs NUL mid-doc", lambda: yaml_rs.loads("a: x\x00y\nb: 2\n"))
tryit("yaml12 NUL mid-doc", lambda: yaml12.parse_yaml("a: x\x00y\nb: 2\n"))
tryit("yaml12 multi-doc default", lambda: yaml12.parse_yaml("a: 1\n---\nb: 2\n"))
tryit("yaml12 read_yaml(BytesIO)", lambda: yaml12.read_yaml(__import__("io").BytesIO(b"a: 1\n")))
tryit("yaml12 dup keys", lambda: yaml12.parse_yaml("a: 1\na: 2\n"))
tryit("rustyyaml '!!python' inside a quoted string", lambda: rustyyaml.safe_load('x: "see !!python/object docs"\n'))
tryit("rustyyaml '!foo' inside a plain string", lambda: rustyyaml.safe_load('x: wow!foo\n'))
tryit("rustyyaml '!' in plain string", lambda: rustyyaml.safe_load('x: Hello !world\n'))
tryit("rustyyaml !!binary", lambda: rustyyaml.safe_load('x: !!binary aGVsbG8=\n'))
tryit("rustyyaml !!set", lambda: rustyyaml.safe_load('x: !!set {a, b}\n'))
tryit("oryaml !!binary", lambda: oryaml.loads('x: !!binary aGVsbG8=\n'))
tryit("ryaml !!binary", lambda: ryaml.loads('x: !!binary aGVsbG8=\n'))
tryit("oryaml tagged !!python seq", lambda: oryaml.loads('x: !!python/tuple [1, 2]\n'))
for _lab, _f in [("oryaml", oryaml.loads), ("ryaml", ryaml.loads), ("rustyyaml", rustyyaml.safe_load),
                 ("yaml_rs", yaml_rs.loads), ("yaml12", yaml12.parse_yaml)]:
    tryit(f"{_lab} non-str keys", lambda: _f('1: a\n2.5: b\n~: d\n'))
    tryit(f"{_lab} keys 1 and true (equal in a Python dict)", lambda: _f('1: a\ntrue: c\n'))
tryit("oryaml big int", lambda: oryaml.loads('x: 123456789012345678901234567890\n'))
tryit("rustyyaml big int", lambda: rustyyaml.safe_load('x: 123456789012345678901234567890\n'))
tryit("yaml_rs big int", lambda: yaml_rs.loads('x: 123456789012345678901234567890\n'))
tryit("yaml12 big int", lambda: yaml12.parse_yaml('x: 123456789012345678901234567890\n'))
tryit("oryaml empty doc", lambda: oryaml.loads(''))
tryit("rustyyaml empty doc", lambda: rustyyaml.safe_load(''))
tryit("yaml_rs empty doc", lambda: yaml_rs.loads(''))
tryit("yaml12 empty doc", lambda: yaml12.parse_yaml(''))
tryit("oryaml simple alias (shared obj?)", lambda: (lambda d: d["b"] is d["a"])(oryaml.loads("a: &x {k: 1}\nb: *x\n")))


def _exc(f):
    try:
        f()
    except Exception as e:  # noqa: BLE001
        return e


for lab, f in [("oryaml", lambda: oryaml.loads("a: 1\nb: [1\n")), ("ryaml", lambda: ryaml.loads("a: 1\nb: [1\n")),
               ("rustyyaml", lambda: rustyyaml.safe_load("a: 1\nb: [1\n")), ("yaml_rs", lambda: yaml_rs.loads("a: 1\nb: [1\n")),
               ("yaml12", lambda: yaml12.parse_yaml("a: 1\nb: [1\n"))]:
    e = _exc(f)
    print(f"{lab} error type={type(e).__name__} attrs={[a for a in dir(e) if not a.startswith('_') and a not in ('args', 'with_traceback', 'add_note')]} msg={str(e)[:150]!r}")

# ---- 3. whole-corpus agreement vs a YAML 1.2-core reference
print("\n## whole-corpus agreement (2000 docs) vs py-yaml12 output (YAML 1.2 core, dates as str)")
files = sorted(glob.glob("/tmp/loader_corpus/*.yaml"))
texts = [open(p, encoding="utf-8").read() for p in files]
ref = [yaml12.parse_yaml(t) for t in texts]
cands = {
    "pyyaml CSafeLoader": lambda t: yaml.load(t, Loader=yaml.CSafeLoader),
    "yaml_rs": yaml_rs.loads,
    "yaml_rs parse_datetime=False": lambda t: yaml_rs.loads(t, parse_datetime=False),
    "ryaml": ryaml.loads, "oryaml": oryaml.loads, "rustyyaml": rustyyaml.safe_load,
}
sys.path.insert(0, probe.HERE)
import loaders  # noqa: E402

cands["rapidyaml+walker"] = loaders.ryml_load


def first_diff(a, b, path=""):
    if type(a) is not type(b):
        return f"{path}: {a!r} vs {b!r}"
    if isinstance(a, dict):
        for k in a:
            if k not in b:
                return f"{path}.{k} missing"
            d = first_diff(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: len {len(a)} vs {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_diff(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    return None if a == b else f"{path}: {a!r} vs {b!r}"


for name, fn in cands.items():
    bad = 0
    ex = None
    for r, t in zip(ref, texts):
        d = first_diff(r, fn(t))
        if d:
            bad += 1
            ex = ex or d
    print(f"{name}: {bad}/2000 docs differ from YAML 1.2 core reference; e.g. {ex}")

# ---- 4. cost of cheap pre-scan guards
print("\n## guard cost (per doc, median of 5, µs)")
GUARD = re.compile(r"(?:^|[\s\[\{,:\-?])[&*!]|\x00|\ufeff", re.M)
GUARD2 = re.compile(r"[&*!\x00\ufeff]")


def bench(fn):
    runs = []
    for _ in range(5):
        t0 = time.perf_counter()
        for t in texts:
            fn(t)
        runs.append((time.perf_counter() - t0) / len(texts) * 1e6)
    return statistics.median(runs)


print("regex token guard (&|*|! at token start, NUL, BOM):", round(bench(GUARD.search), 2),
      "hits:", sum(1 for t in texts if GUARD.search(t)))
print("single char-class regex [&*!\\x00\\ufeff].search:", round(bench(GUARD2.search), 2))
print("plain 'in' guard ('&','*','!','\\x00'):",
      round(bench(lambda t: "&" in t or "*" in t or "!" in t or "\x00" in t), 2))
MAXDEPTH_SCAN = re.compile(r"^( *)", re.M)
print("max-indent scan (re.findall of leading spaces, max len):",
      round(bench(lambda t: max(map(len, MAXDEPTH_SCAN.findall(t)))), 2))
print("count of '[' + '{' (flow depth upper bound):", round(bench(lambda t: t.count("[") + t.count("{")), 2))
