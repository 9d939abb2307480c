"""Sketch of the guarded fast path + slow path, and its cost on the corpus.

fast path: yaml_rs.loads(parse_datetime=False, duplicate_key_policy=Error)
guards   : size cap, cheap char pre-scan (& * ! NUL BOM), result must be a dict
slow path: PyYAML events/compose with CSafeLoader -> positions for errors
"""
import glob
import statistics
import sys
import time

import yaml
import yaml_rs

MAX_FAST_BYTES = 16_384  # yaml_rs SIGSEGVs on ~20k-deep block nesting; needs >=2 bytes/level


class Reject(Exception):
    pass


def _locate(text, why):
    """Slow path: find the first anchor/alias/tag (or the parse error) with line/col."""
    try:
        for ev in yaml.parse(text, Loader=yaml.CSafeLoader):
            m = ev.start_mark
            if isinstance(ev, yaml.AliasEvent):
                raise Reject(f"alias *{ev.anchor} not allowed at line {m.line + 1}, column {m.column + 1}")
            if getattr(ev, "anchor", None):
                raise Reject(f"anchor &{ev.anchor} not allowed at line {m.line + 1}, column {m.column + 1}")
            tag = getattr(ev, "tag", None)
            if tag:  # explicit tags only; untagged nodes have tag None in events
                raise Reject(f"tag {tag} not allowed at line {m.line + 1}, column {m.column + 1}")
    except yaml.YAMLError as e:
        raise Reject(str(e)) from None
    return None


def fast_load(text):
    if len(text) > MAX_FAST_BYTES or "\x00" in text:
        _locate(text, "size/NUL")  # PyYAML rejects NUL with a position
        raise Reject("document too large for the fast path")
    if text.startswith("\ufeff"):
        text = text[1:]
    if "&" in text or "*" in text or "!" in text:
        _locate(text, "prescan")  # raises if there is a real anchor/alias/tag; else false positive
    try:
        v = yaml_rs.loads(text, parse_datetime=False)
    except yaml_rs.YAMLDecodeError as e:
        _locate(text, "error")  # libyaml gives its own position; else keep yaml_rs message
        raise Reject(str(e)) from None
    if not isinstance(v, dict):
        raise Reject("top level must be a single mapping (multi-document streams are rejected)")
    return v


if __name__ == "__main__":
    files = sorted(glob.glob("/tmp/loader_corpus/*.yaml"))

    def run(fn):
        runs = []
        for _ in range(5):
            t0 = time.perf_counter()
            for p in files:
                with open(p, encoding="utf-8") as f:
                    fn(f.read())
            runs.append((time.perf_counter() - t0) / len(files) * 1e6)
        return statistics.median(runs)

    print(f"guarded yaml_rs fast_load: {run(fast_load):.1f} µs/doc")
    import oryaml

    def ory(text):
        if "!" in text:
            _locate(text, "tag")
        v = oryaml.loads(text)
        if not isinstance(v, dict):
            raise Reject("top level must be a mapping")
        return v

    print(f"guarded oryaml ('!' prescan + dict check): {run(ory):.1f} µs/doc")

    cases = {
        "alias": "a: &x 1\nb: *x\n", "tag": "x: !!python/object/apply:os.system [id]\n",
        "custom_tag": "x: !foo bar\n", "amp_in_text": "dept: R&D\nnote: 'wow!'\n",
        "nul": "a: x\x00y\n", "bom": "\ufeffa: 1\n", "multidoc": "a: 1\n---\nb: 2\n",
        "dup": "a: 1\na: 2\n", "deep": "- " * 20000 + "x\n", "country": "c: NO\nd: 2026-03-01\n",
        "syntax": "a: 1\nb: [1\n",
    }
    for k, t in cases.items():
        try:
            print(k, "->", repr(fast_load(t))[:80])
        except Reject as e:
            print(k, "-> Reject:", str(e).replace("\n", " | ")[:160])
