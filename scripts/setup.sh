#!/usr/bin/env bash
# Installs what Volley's tests and demos need, idempotently. Each part is skipped quickly when it is
# already in place, so running this again costs a few milliseconds.
#
#   scripts/setup.sh            everything (apt, npm, python, fuzz)
#   scripts/setup.sh npm        only the named parts (any of: apt npm python fuzz)
#
# Only package registries are used: Debian (apt), npm, PyPI and crates.io.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

APT_PACKAGES=(chromium chromium-driver redis-server)
VENV="$ROOT/.venv"
PY_REQUIREMENTS="$ROOT/interop/python/requirements.txt"

log() { printf '[setup] %s\n' "$*"; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        log "need root for: $*"
        return 1
    fi
}

# A content hash of the given files, used as an "already installed" stamp.
stamp_of() { cat "$@" | sha256sum | cut -d' ' -f1; }

setup_apt() {
    local missing=()
    for pkg in "${APT_PACKAGES[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$pkg")
        fi
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        log "apt: ${APT_PACKAGES[*]} present"
        return
    fi
    log "apt: installing ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
}

setup_npm() {
    local want have=""
    want="$(stamp_of package.json package-lock.json)"
    [ -f node_modules/.volley-stamp ] && have="$(cat node_modules/.volley-stamp)"
    if [ "$want" = "$have" ] && [ -f node_modules/socket.io-client/dist/socket.io.min.js ]; then
        log "npm: node_modules up to date"
        return
    fi
    log "npm: npm ci"
    npm ci --no-audit --no-fund --loglevel=error
    echo "$want" >node_modules/.volley-stamp
}

setup_python() {
    local want have=""
    want="$(stamp_of "$PY_REQUIREMENTS")"
    [ -f "$VENV/.volley-stamp" ] && have="$(cat "$VENV/.volley-stamp")"
    if [ "$want" = "$have" ] && [ -x "$VENV/bin/python" ]; then
        log "python: .venv up to date"
        return
    fi
    log "python: installing $(basename "$PY_REQUIREMENTS") into .venv"
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$PY_REQUIREMENTS"
    echo "$want" >"$VENV/.volley-stamp"
}

setup_fuzz() {
    if [ ! -d fuzz ]; then
        log "fuzz: no fuzz/ crate yet, cargo-fuzz not needed"
        return
    fi
    if command -v cargo-fuzz >/dev/null 2>&1; then
        log "fuzz: cargo-fuzz present"
        return
    fi
    log "fuzz: cargo install cargo-fuzz --locked"
    cargo install cargo-fuzz --locked
}

parts=("$@")
[ "${#parts[@]}" -eq 0 ] && parts=(apt npm python fuzz)
for part in "${parts[@]}"; do
    case "$part" in
        apt) setup_apt ;;
        npm) setup_npm ;;
        python) setup_python ;;
        fuzz) setup_fuzz ;;
        *)
            log "unknown part: $part (expected apt, npm, python or fuzz)"
            exit 2
            ;;
    esac
done
