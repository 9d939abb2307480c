"""Probe semantics/safety behaviour of each loader, one subprocess per (loader, case).

Each child runs under `ulimit -v 4000000` (KiB) with a 20 s wall-clock limit;
the parent records exit status/signal, wall time and peak RSS (wait4 rusage).

Usage: python probe.py            -> writes probe_results.json, prints a summary
       python probe.py --child LOADER CASE   (internal)
"""
import json
import os
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def _bomb(levels=9, width=9):
    lines = ['a0: &a0 "lol"']
    for i in range(1, levels + 1):
        refs = ", ".join([f"*a{i-1}"] * width)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


DEEP = 20000
CASES = {
    # a. YAML 1.1 booleans
    "bool11": "country: NO\nx: on\ny: yes\nz: off\nw: Yes\nv: y\nn2: n\n",
    # b. numbers / dates / times
    "scalars": ("n: 010\nd: 2026-03-01\nt: 12:30:00\nf: .inf\ng: 1e3\nh: 0x1F\no: 0o17\n"
                "u: 1_000\nts: 2026-03-01T10:00:00Z\nnl: null\ntl: ~\nem:\nb2: 0b101\n"),
    # c. duplicate keys
    "dup_flow": "{a: 1, a: 2}\n",
    "dup_block": "a: 1\nb: x\na: 2\n",
    "dup_nested": "outer:\n  k: first\n  k: second\n",
    # d. tags
    "tag_python": '!!python/object/apply:os.system ["touch /tmp/pwned_LOADER"]\n',
    "tag_python_val": 'x: !!python/object/apply:os.system ["touch /tmp/pwned_LOADER"]\n',
    "tag_custom": "x: !foo bar\n",
    "tag_core": 'x: !!str 123\ny: !!int "5"\n',
    # e. alias bomb (9 levels x 9 aliases -> 9**9 = 387M leaves if expanded)
    "alias_bomb": _bomb(),
    "alias_simple": "base: &b {k: v}\nuse: *b\nmerge:\n  <<: *b\n  z: 1\n",
    # f. deep nesting
    "deep_flow_seq": "[" * DEEP + "]" * DEEP + "\n",
    "deep_flow_map": "{a: " * DEEP + "1" + "}" * DEEP + "\n",
    "deep_block_seq": "- " * DEEP + "x\n",
    # 1-space indented block mappings: 5000 levels is already 12.5 MB of text
    "deep_block_map_5000": "".join(" " * i + "a:\n" for i in range(5000)) + " " * 5000 + "a: 1\n",
    # g. multi-document stream
    "multidoc": "a: 1\n---\nb: 2\n",
    # h. encoding / bad input
    "invalid_utf8_bytes": b"a: ok\nb: \xff\xfe bad\n",
    "nul_byte": "a: x\x00y\n",
    "bom_str": "\ufeffa: 1\n",
    "bom_bytes": b"\xef\xbb\xbfa: 1\n",
    "tab_indent": "a:\n\tb: 1\n",
    "syntax_err_l3": "a: 1\nb: 2\nc: [1, 2\nd: 4\n",
    "bad_indent_l3": "a: 1\nb: 2\n  c: 3\n",
    # i. bytes input
    "bytes_input": b"a: 1\nb: [x, y]\n",
}
NO_REPR = {"alias_bomb", "deep_flow_seq", "deep_flow_map", "deep_block_seq", "deep_block_map_5000"}

# depth-threshold cases, used by probe_extra.py (not run by main())
EXTRA_CASES = {}
for _n in (100, 127, 128, 129, 255, 256, 257, 1000, 2000, 5000, 10000):
    EXTRA_CASES[f"block_seq_{_n}"] = "- " * _n + "x\n"
    EXTRA_CASES[f"flow_seq_{_n}"] = "[" * _n + "]" * _n + "\n"
for _n in (1000, 2000, 5000):
    # 2-space indented nested block mappings (the realistic way to nest deeply)
    EXTRA_CASES[f"block_map_{_n}"] = "".join("  " * i + "a:\n" for i in range(_n)) + "  " * _n + "a: 1\n"
EXTRA_CASES["block_map_10000_1sp"] = "".join(" " * i + "a:\n" for i in range(10000)) + " " * 10000 + "a: 1\n"
NO_REPR.update(EXTRA_CASES)


def get_loader(name):
    """Return (load_one, load_all_or_None)."""
    if name == "pyyaml":
        import yaml
        return (lambda s: yaml.load(s, Loader=yaml.CSafeLoader),
                lambda s: list(yaml.load_all(s, Loader=yaml.CSafeLoader)))
    if name == "pyyaml_compose":
        import yaml
        return (lambda s: yaml.compose(s, Loader=yaml.CSafeLoader),
                lambda s: list(yaml.compose_all(s, Loader=yaml.CSafeLoader)))
    if name == "yaml_rs":
        import yaml_rs
        return (lambda s: yaml_rs.loads(s) if isinstance(s, str) else yaml_rs.load(s), None)
    if name == "yaml12":
        import yaml12
        return (yaml12.parse_yaml, lambda s: yaml12.parse_yaml(s, multi=True))
    if name == "ryaml":
        import ryaml
        return (ryaml.loads, ryaml.loads_all)
    if name == "oryaml":
        import oryaml
        return (oryaml.loads, None)
    if name == "rustyyaml":
        import rustyyaml
        return (rustyyaml.safe_load, rustyyaml.load_all)
    if name == "ryml":
        sys.path.insert(0, HERE)
        import loaders
        return (loaders.ryml_load, None)
    raise KeyError(name)


LOADER_NAMES = ["pyyaml", "pyyaml_compose", "yaml_rs", "yaml12", "ryaml", "oryaml", "rustyyaml", "ryml"]


def _describe(v, case):
    if case in NO_REPR:
        d = {"type": type(v).__name__}
        if case == "alias_bomb" and isinstance(v, dict):
            a9 = v.get("a9")
            if isinstance(a9, list) and len(a9) > 1:
                d["a9_len"] = len(a9)
                d["a9_children_shared"] = a9[0] is a9[1]
        return d
    r = repr(v)
    return {"type": type(v).__name__, "repr": r if len(r) < 400 else r[:400] + "..."}


def child(loader, case):
    load_one, load_all = get_loader(loader)
    src = CASES[case] if case in CASES else EXTRA_CASES[case]
    if isinstance(src, str):
        src = src.replace("LOADER", loader)
    else:
        src = src.replace(b"LOADER", loader.encode())
    out = {}
    t0 = time.perf_counter()
    try:
        v = load_one(src)
        out["one"] = {"ok": True, **_describe(v, case)}
    except BaseException as e:  # noqa: BLE001
        out["one"] = {"ok": False, "exc": f"{type(e).__module__}.{type(e).__name__}", "msg": str(e)[:300]}
    out["t_one"] = time.perf_counter() - t0
    if case == "multidoc":
        if load_all is None:
            out["all"] = {"ok": False, "exc": "n/a", "msg": "no load_all-like function"}
        else:
            try:
                out["all"] = {"ok": True, **_describe(load_all(src), case)}
            except BaseException as e:  # noqa: BLE001
                out["all"] = {"ok": False, "exc": type(e).__name__, "msg": str(e)[:300]}
    if case.startswith("tag_python"):
        out["pwned_file_created"] = os.path.exists(f"/tmp/pwned_{loader}")
    sys.stdout.write(json.dumps(out))
    sys.stdout.flush()


def run_one(loader, case, timeout=20.0):
    if case.startswith("tag_python") and os.path.exists(f"/tmp/pwned_{loader}"):
        os.remove(f"/tmp/pwned_{loader}")
    cmd = ["bash", "-c", 'ulimit -v 4000000; exec "$0" "$@"', sys.executable, os.path.abspath(__file__),
           "--child", loader, case]
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    killed = False
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() - t0 > timeout:
            os.killpg(p.pid, signal.SIGKILL)
            killed = True
            pid, status, ru = os.wait4(p.pid, 0)
            break
        time.sleep(0.01)
    wall = time.perf_counter() - t0
    p.returncode = 0
    stdout = p.stdout.read().decode(errors="replace")
    stderr = p.stderr.read().decode(errors="replace")
    res = {"loader": loader, "case": case, "wall_s": round(wall, 3), "peak_rss_mb": round(ru.ru_maxrss / 1024, 1),
           "timeout": killed}
    if os.WIFSIGNALED(status):
        res["signal"] = signal.Signals(os.WTERMSIG(status)).name
    else:
        res["exit"] = os.WEXITSTATUS(status)
    try:
        res.update(json.loads(stdout))
    except Exception:
        res["stdout"] = stdout[-300:]
        res["stderr"] = stderr[-500:]
    if case.startswith("tag_python"):
        res["pwned_file_exists_after"] = os.path.exists(f"/tmp/pwned_{loader}")
    return res


def main():
    loaders = sys.argv[1:] or LOADER_NAMES
    results = []
    for ld in loaders:
        for case in CASES:
            r = run_one(ld, case)
            results.append(r)
            brief = r.get("one", {})
            print(ld, case, r.get("signal", r.get("exit")), "TIMEOUT" if r["timeout"] else "",
                  f'{r["wall_s"]}s {r["peak_rss_mb"]}MB', json.dumps(brief)[:250], flush=True)
    with open(os.path.join(HERE, "probe_results.json"), "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
    else:
        main()
