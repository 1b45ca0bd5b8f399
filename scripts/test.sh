#!/usr/bin/env bash
# Volley's test command: every test, installing what it needs first.
#
#   ./scripts/test.sh
#
# Runs, in order and stopping at the first failure: setup (scripts/setup.sh), cargo fmt --check,
# cargo clippy -D warnings, cargo test, the short fuzz runs, and the interop suites against the
# Volley conformance server (official socket.io-client, engine.io-client and python-socketio),
# and the browser suite (the chat example driven in headless Chromium).
# The interop part ends with a line "N passed, N failed".
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

section "cargo test"
cargo test --workspace

if [ -x fuzz/run-short.sh ] && [ "${SKIP_FUZZ:-}" != "1" ]; then
    section "fuzz (short runs)"
    ./fuzz/run-short.sh
fi

section "interop"
INTEROP_SUMMARY="${CARGO_TARGET_DIR:-$ROOT/target}/interop/summary.txt"
rm -f "$INTEROP_SUMMARY"
INTEROP_SERVER="${INTEROP_SERVER:-volley}" INTEROP_PYTHON="$ROOT/.venv/bin/python" \
    INTEROP_SUMMARY_FILE="$INTEROP_SUMMARY" node interop/run.mjs

end_section
printf '\nall tests passed in %ss\n' "$((SECONDS - START_ALL))"
# The interop summary ("interop: N passed, N failed") is the last line.
if [ -f "$INTEROP_SUMMARY" ]; then cat "$INTEROP_SUMMARY"; fi
