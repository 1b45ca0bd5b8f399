#!/usr/bin/env python3
"""Instructions per iteration of every codec row, counted by valgrind's callgrind: a check of
the codec comparison that does not depend on the host's speed (a manual tool, not part of CI).

    python3 benches/codec_instructions.py [--iters 20,60] [--jobs 1] [--bin PATH] [FILTER...]

Builds the codec bench (`cargo bench -p volley-benches --bench codec --no-run`) unless --bin is
given, lists its rows (`--paired --list`), and runs each row's implementations under
`valgrind --tool=callgrind --toggle-collect='*volley_bench_measured*'` with
`--paired --only ROW/IMPL --iters N` at two iteration counts N1 < N2. Only the measured loop is
counted (the untimed setup of `binary64KiB/decode`'s fresh attachments is not, as in the timed
modes); (I2 - I1) / (N2 - N1) removes what the start-up and the first iterations cost once.
Prints a markdown table: instructions per iteration and the ratios of the timed tables.
FILTER selects rows as the paired runner does (substring of packet/op/impl, `|` alternatives).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

REPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OPS = ["encode", "encode_shared", "decode", "decode_untyped", "decode_shared", "dispatch"]
IMPLS = ["volley", "socketioxide", "serde_json"]
# Rows measured for Volley only: the other columns come from this op's row (as codec_report.py).
SAME_AS = {"decode_untyped": "decode"}


def build():
    out = subprocess.run(
        ["cargo", "bench", "-p", "volley-benches", "--bench", "codec", "--no-run",
         "--message-format=json-render-diagnostics"],
        cwd=REPO, stdout=subprocess.PIPE, check=True, text=True,
    ).stdout
    for line in out.splitlines():
        msg = json.loads(line)
        if (msg.get("reason") == "compiler-artifact" and msg["target"]["name"] == "codec"
                and msg.get("executable")):
            return msg["executable"]
    sys.exit("codec_instructions: cargo built no codec bench executable")


def instructions(binary, ident, iters, tmp):
    out = os.path.join(tmp, f"{ident.replace('/', '_')}.{iters}.callgrind")
    cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
           "--toggle-collect=*volley_bench_measured*",
           binary, "--paired", "--only", ident, "--iters", str(iters)]
    run = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if run.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({run.returncode}):\n{run.stderr[-2000:]}")
    with open(out) as f:
        for line in f:
            if line.startswith("summary:") or line.startswith("totals:"):
                return int(line.split()[1])
    raise RuntimeError(f"{out}: no summary line")


def per_iteration(binary, ident, n1, n2, tmp):
    i1 = instructions(binary, ident, n1, tmp)
    i2 = instructions(binary, ident, n2, tmp)
    per = (i2 - i1) / (n2 - n1)
    print(f"{ident}: {i1} instructions at {n1}, {i2} at {n2}: {per:.0f} per iteration",
          file=sys.stderr, flush=True)
    return ident, per


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--iters", default="20,60", help="the two iteration counts N1,N2")
    ap.add_argument("--jobs", type=int, default=1, help="valgrind runs at a time")
    ap.add_argument("--bin", help="the codec bench executable (default: build it)")
    ap.add_argument("filters", nargs="*")
    a = ap.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("codec_instructions: valgrind is not installed (or not on PATH); it is needed "
                 "to count instructions (e.g. `apt-get install valgrind`). Nothing was measured.")
    n1, n2 = (int(x) for x in a.iters.split(","))
    if not 0 < n1 < n2:
        sys.exit("codec_instructions: --iters wants N1,N2 with 0 < N1 < N2")
    binary = a.bin or build()
    listing = subprocess.run([binary, "--paired", "--list", *a.filters], stdout=subprocess.PIPE,
                             check=True, text=True).stdout
    # The paired-only entries repeat another row's measurement; they are not counted again.
    idents = [line.split("\t")[0] for line in listing.splitlines() if line.endswith("\tgroup")]
    if not idents:
        sys.exit("codec_instructions: no row matches the filter")
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(max(1, a.jobs)) as pool:
        counts = dict(pool.map(lambda i: per_iteration(binary, i, n1, n2, tmp), idents))

    rows = []
    for ident in idents:
        packet, op, _ = ident.split("/")
        if (packet, op) not in rows:
            rows.append((packet, op))
    packets = list(dict.fromkeys(p for p, _ in rows))
    rows.sort(key=lambda r: (packets.index(r[0]), OPS.index(r[1]) if r[1] in OPS else len(OPS)))
    print(f"Instructions per iteration (callgrind, (I({n2}) − I({n1})) / {n2 - n1})")
    print()
    print("| packet | op | Volley | socketioxide 0.17 | bare serde_json "
          "| socketioxide / Volley | Volley / serde_json |")
    print("|---|---|---|---|---|---|---|")
    for packet, op in rows:
        def get(impl):
            got = counts.get(f"{packet}/{op}/{impl}")
            if got is None and impl != "volley":
                got = counts.get(f"{packet}/{SAME_AS.get(op, op)}/{impl}")
            return got
        v, s, f = (get(i) for i in IMPLS)
        if v is None:
            continue
        cell = lambda x: "—" if x is None else f"{x:,.0f}"
        print(f"| {packet} | {op} | {cell(v)} | {cell(s)} | {cell(f)} | "
              + ("—" if s is None else f"**{s / v:.2f}×**") + " | "
              + ("—" if f is None else f"{v / f:.2f}×") + " |")


if __name__ == "__main__":
    main()
