#!/usr/bin/env bash
# The side-by-side load comparison: builds everything, runs Volley's `bench` example, the
# socketioxide fixture, the Node reference and the bare-WebSocket floor in turn (interleaved
# repeats, pinned with taskset), and writes benches/results/load.md, load.json and load-*.svg.
#
#   benches/run-load.sh            full run (about half an hour on 2 cores)
#   benches/run-load.sh --quick    smoke run with small counts (a few minutes)
#
# Other arguments go to the `compare` runner (see benches/src/bin/compare.rs), e.g.
# `--repeats 5`, `--servers volley,socketioxide`, `--scenarios fanout_max,echo`,
# `--report-only` (redraw the report and charts from load.json).
# Traffic stays on 127.0.0.1; every run is bounded in clients and time.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# The Node reference server (socket.io, pinned in the root package-lock.json).
./scripts/setup.sh npm

cargo build --release -p volley-benches --features peers \
    --bin loadgen --bin ws_floor --bin socketioxide_bench --bin compare
# Volley's fixture; the comparison goes on without it (and says so) while it does not build.
cargo build --release -p volley-tokio --example bench ||
    echo "run-load: Volley's bench example did not build; comparing the peers only" >&2

exec "$ROOT/target/release/compare" --root "$ROOT" "$@"
