#!/usr/bin/env bash
# Runs every fuzz target briefly (FUZZ_SECONDS, default 20 s each) with the nightly toolchain,
# starting from the committed seed corpus. Exits non-zero if any target finds a crash.
# New inputs go to a scratch directory, so the committed corpus stays as it is.
set -euo pipefail
cd "$(dirname "$0")"

seconds="${FUZZ_SECONDS:-20}"
toolchain="${FUZZ_TOOLCHAIN:-nightly}"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

targets=$(cargo +"$toolchain" fuzz list)
cargo +"$toolchain" fuzz build
for t in $targets; do
    echo "== fuzz $t for ${seconds}s"
    mkdir -p "$scratch/$t"
    cargo +"$toolchain" fuzz run "$t" "$scratch/$t" "corpus/$t" -- \
        -max_total_time="$seconds" -print_final_stats=1
done
echo "== all fuzz targets ran ${seconds}s without a crash"
