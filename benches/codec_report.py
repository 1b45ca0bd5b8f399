#!/usr/bin/env python3
"""Turns the criterion results of `cargo bench -p volley-benches --bench codec` into the
markdown table of benches/README.md (codec section).

Reads target/criterion/<scenario>_<op>/<impl>/new/{estimates,benchmark}.json; prints markdown.
"""
import json
import os
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "target", "criterion")
SCENARIOS = ["small", "1KiB", "64KiB", "binary64KiB", "polling50"]
OPS = ["encode", "encode_shared", "decode", "decode_untyped", "decode_shared", "dispatch"]
# Rows measured for Volley only: the other columns come from this op's group.
SAME_AS = {"decode_untyped": "decode"}
IMPLS = ["volley", "socketioxide", "serde_json"]


def load(scenario, op, impl):
    d = os.path.join(ROOT, f"{scenario}_{op}", impl, "new")
    try:
        with open(os.path.join(d, "estimates.json")) as f:
            mean = json.load(f)["mean"]["point_estimate"]
        with open(os.path.join(d, "benchmark.json")) as f:
            size = json.load(f)["throughput"]["Bytes"]
    except FileNotFoundError:
        return None
    return mean, size


def fmt_time(ns):
    if ns < 1e3:
        return f"{ns:.0f} ns"
    if ns < 1e6:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns / 1e6:.2f} ms"


def fmt_rate(size, ns):
    r = size / (ns / 1e9) / (1024 * 1024)
    return f"{r / 1024:.1f} GiB/s" if r >= 1024 else f"{r:.0f} MiB/s"


def main():
    rows = []
    for s in SCENARIOS:
        for op in OPS:
            got = {i: load(s, op, i) or (i != "volley" and load(s, SAME_AS.get(op, op), i)) or None for i in IMPLS}
            if got["volley"] is None:
                continue
            v_ns, size = got["volley"]
            cells = [s, op, f"{size} B"]
            for i in IMPLS:
                cells.append(
                    "—" if got[i] is None else f"{fmt_time(got[i][0])} ({fmt_rate(size, got[i][0])})"
                )
            sio = got["socketioxide"]
            cells.append("—" if sio is None else f"**{sio[0] / v_ns:.2f}×**")
            floor = got["serde_json"]
            cells.append("—" if floor is None else f"{v_ns / floor[0]:.2f}×")
            rows.append(cells)
    if not rows:
        sys.exit("no criterion results under target/criterion: run the codec bench first")
    print("| packet | op | wire size | Volley | socketioxide 0.17 | bare serde_json | Volley speed-up vs socketioxide | Volley time / serde_json |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")


if __name__ == "__main__":
    main()
