#!/usr/bin/env bash
# Runs the chat demo on http://127.0.0.1:3000 (installs the npm packages it serves first).
#
#   ./scripts/chat.sh                      on tokio (volley-tokio's example)
#   ./scripts/chat.sh --async-std [--smol] on async-std, or smol (volley-async-std's example)
#
# Other arguments are passed to the example; REDIS_URL makes the node join a cluster (on any
# runtime).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Volley serves the official browser client from node_modules/socket.io-client/dist/.
./scripts/setup.sh npm

crate=volley-tokio
if [ "${1:-}" = "--async-std" ]; then
    crate=volley-async-std
    shift
fi
exec cargo run --release -p "$crate" --example chat -- "$@"
