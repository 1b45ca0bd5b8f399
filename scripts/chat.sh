#!/usr/bin/env bash
# Runs the chat demo on http://127.0.0.1:3000 (installs the npm packages it serves first).
#
#   ./scripts/chat.sh
#
# Extra arguments are passed to the example; REDIS_URL (when the Redis adapter exists) makes the
# node join a cluster.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Volley serves the official browser client from node_modules/socket.io-client/dist/.
./scripts/setup.sh npm

exec cargo run --release -p volley-tokio --example chat -- "$@"
