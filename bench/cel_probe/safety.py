"""Hostile expressions, each compiled and evaluated in its own subprocess.

Limits per child: 20 s wall clock, 4 GB address space (ulimit -v). Reports exit status,
what was printed, wall time and peak RSS.

python safety.py > safety_out.md
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import threading
import time

CHILD = r"""
import sys, time
lib, src_code = sys.argv[1], sys.argv[2]
src = eval(src_code)  # the harness builds the (possibly huge) expression here, not in argv
data = {"s": "x" * 1_000_000, "l": list(range(1000))}
t = time.perf_counter()
try:
    if lib == "google":
        from cel_expr_python import cel
        env = cel.NewEnv(variables={"s": cel.Type.STRING, "l": cel.Type.List(cel.Type.INT)})
        e = env.compile(src)
        phase = "eval"
        r = e.eval(data=data)
        out = f"{r.type().name()}: {str(r.value())[:80]!r}"
    elif lib == "rust":
        import cel
        p = cel.compile(src)
        phase = "eval"
        out = repr(p.execute(data))[:80]
    else:
        import celpy
        env = celpy.Environment()
        p = env.program(env.compile(src))
        phase = "eval"
        out = repr(p.evaluate({k: celpy.json_to_cel(v) for k, v in data.items()}))[:80]
    print("OK", out)
except BaseException as ex:  # noqa: BLE001
    print("EXC", type(ex).__name__, str(ex).replace("\n", " ")[:110])
print(f"t={time.perf_counter() - t:.2f}s")
"""

CASES = [
    ("10,000 nested parens", '"(" * 10000 + "1" + ")" * 10000'),
    ("1,000 nested parens", '"(" * 1000 + "1" + ")" * 1000'),
    ("200 nested parens", '"(" * 200 + "1" + ")" * 200'),
    ("10,000 nested lists", '"[" * 10000 + "]" * 10000'),
    ("10,000-term sum 1+1+…", '"+".join(["1"] * 10000)'),
    ("10,000 × unary !", '"!" * 10000 + "true"'),
    ("10 MB string literal", '"size(\'" + "a" * 10_000_000 + "\')"'),
    ("1 MB string from data, s + s + … ×100 (100 MB)", '"size(" + " + ".join(["s"] * 100) + ")"'),
    ("1,000³ nested comprehension (1e9 steps)", '"l.all(a, l.all(b, l.all(c, a + b + c >= 0)))"'),
    ("1,000² list building map (1e6 elements)", '"size(l.map(a, l.map(b, s)))"'),
    ("regex on 1 MB string", "\"s.matches('(x+x+)+y')\""),
]


def run(lib: str, code: str) -> tuple[str, float, float]:
    """Returns (what happened, wall seconds, this child's peak RSS in MB)."""

    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (4 * 2**30, 4 * 2**30))

    t = time.perf_counter()
    p = subprocess.Popen(
        [sys.executable, "-c", CHILD, lib, code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=limits,
    )
    bufs: dict[str, str] = {}

    def drain(name: str, f: object) -> None:
        bufs[name] = f.read()  # type: ignore[attr-defined]

    threads = [
        threading.Thread(target=drain, args=(n, f))
        for n, f in (("out", p.stdout), ("err", p.stderr))
    ]
    for th in threads:
        th.start()
    timed_out = False
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() - t > 20:
            p.kill()
            timed_out = True
            pid, status, ru = os.wait4(p.pid, 0)
            break
        time.sleep(0.02)
    p.returncode = os.waitstatus_to_exitcode(status)
    for th in threads:
        th.join()
    wall = time.perf_counter() - t
    rss = ru.ru_maxrss / 1024
    if timed_out:
        return "TIMEOUT after 20 s (killed)", wall, rss
    lines = [ln for ln in bufs.get("out", "").splitlines() if ln]
    text = " ".join(lines[:1])
    if p.returncode != 0:
        err = bufs.get("err", "")
        tail = [ln for ln in err.splitlines() if ln.strip()][-1:]
        text = f"CRASH rc={p.returncode} {text} {' '.join(tail)[:120]}"
    return text, wall, rss


def main() -> None:
    libs = sys.argv[1:] or ["google", "rust", "celpy"]
    print("| case | library | result | wall s | peak RSS MB |")
    print("|---|---|---|---:|---:|")
    for label, code in CASES:
        for lib in libs:
            text, wall, rss = run(lib, code)
            text = text.replace("|", "\\|")
            print(f"| {label} | {lib} | {text} | {wall:.1f} | {rss:.0f} |", flush=True)


if __name__ == "__main__":
    main()
