#!/usr/bin/env bash
# Volley's test command: every test, installing what it needs first.
#
#   ./scripts/test.sh
#
# Runs, in order and stopping at the first failure: setup (scripts/setup.sh), cargo fmt --check,
# cargo clippy -D warnings, cargo doc -D warnings (broken links), cargo test, the short fuzz runs, and the interop suites against the
# Volley conformance server (official socket.io-client, engine.io-client and python-socketio),
# and the browser suite (the chat example driven in headless Chromium).
# The interop suites run against volley-tokio's conformance example, then (JS and python suites) against
# volley-async-std's, under async-std and under smol, each followed by the one-server browser
# suite against volley-async-std's chat example on the same runtime. The interop part ends with a
# line "interop: N passed, N failed" adding up every run.
#
# Environment:
#   INTEROP_SERVER=volley|node   which server the interop suites drive (default: volley)
#   SKIP_FUZZ=1                  skip the short fuzz runs (local convenience; CI runs them)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if [ "${CI:-}" = "true" ]; then
    # Fresh clone, one build: incremental artifacts are wasted work.
    export CARGO_INCREMENTAL=0
fi
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

START_ALL=$SECONDS
SECTION=""
SECTION_START=$SECONDS

section() {
    end_section
    SECTION="$1"
    SECTION_START=$SECONDS
    printf '\n==================== %s ====================\n' "$SECTION"
}

end_section() {
    if [ -n "$SECTION" ]; then
        printf -- '---- %s: ok (%ss)\n' "$SECTION" "$((SECONDS - SECTION_START))"
    fi
    SECTION=""
}

on_exit() {
    local rc=$?
    if [ "$rc" -ne 0 ] && [ -n "$SECTION" ]; then
        printf '\n---- FAILED in section: %s (exit %s)\n' "$SECTION" "$rc"
    fi
}
trap on_exit EXIT

section "setup"
./scripts/setup.sh

section "cargo fmt"
cargo fmt --all -- --check

section "cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings

section "cargo doc"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps

section "cargo test"
cargo test --workspace

if [ -x fuzz/run-short.sh ] && [ "${SKIP_FUZZ:-}" != "1" ]; then
    section "fuzz (short runs)"
    ./fuzz/run-short.sh
fi

section "interop"
INTEROP_SUMMARY="${CARGO_TARGET_DIR:-$ROOT/target}/interop/summary.txt"
rm -f "$INTEROP_SUMMARY" "${CARGO_TARGET_DIR:-$ROOT/target}"/interop-async-std/*.summary
INTEROP_SERVER="${INTEROP_SERVER:-volley}" INTEROP_PYTHON="$ROOT/.venv/bin/python" \
    INTEROP_SUMMARY_FILE="$INTEROP_SUMMARY" node interop/run.mjs

# The same JS and python suites, unchanged, against volley-async-std's conformance example: once
# under async-std and once under smol; then the browser suite (interop/browser/chat.test.mjs)
# against volley-async-std's chat example on the same runtime. Both adapters name their examples
# `conformance` and `chat`, so the binaries are copied away right after their build (cargo
# re-links target/release/examples/<name> on every build of either).
if [ "${INTEROP_SERVER:-volley}" = "volley" ] && [ -f adapter-async-std/examples/conformance.rs ]; then
    section "interop (volley-async-std on async-std and on smol)"
    ASYNC_DIR="${CARGO_TARGET_DIR:-$ROOT/target}/interop-async-std"
    mkdir -p "$ASYNC_DIR"
    cargo build --release -p volley-async-std --example conformance --example chat
    for example in conformance chat; do
        cp "${CARGO_TARGET_DIR:-$ROOT/target}/release/examples/$example" "$ASYNC_DIR/$example"
    done
    for runtime in async-std smol; do
        flag=""
        [ "$runtime" = smol ] && flag=" --smol"
        echo "[interop] volley-async-std conformance under $runtime"
        VOLLEY_CMD="$ASYNC_DIR/conformance$flag" INTEROP_CONFORMANCE_ONLY=1 \
            CHAT_BIN="$ASYNC_DIR/chat" CHAT_ARGS="$flag" \
            INTEROP_LOG_DIR="$ASYNC_DIR/$runtime" INTEROP_PYTHON="$ROOT/.venv/bin/python" \
            INTEROP_SUMMARY_FILE="$ASYNC_DIR/$runtime.summary" node interop/run.mjs
    done
fi

end_section
printf '\nall tests passed in %ss\n' "$((SECONDS - START_ALL))"
# The interop summary ("interop: N passed, N failed", every run added up) is the last line.
summaries=("$INTEROP_SUMMARY" "${CARGO_TARGET_DIR:-$ROOT/target}"/interop-async-std/{async-std,smol}.summary)
existing=()
for f in "${summaries[@]}"; do [ -f "$f" ] && existing+=("$f"); done
if [ "${#existing[@]}" -gt 0 ]; then
    cat "${existing[@]}" | awk '{ p += $2; f += $4 } END { printf "interop: %d passed, %d failed\n", p, f }'
fi
