#!/usr/bin/env bash
# Create .venv (if needed) and install tracer into it, with the extras given as arguments.
# Usage: scripts/setup.sh [EXTRA ...]      e.g. scripts/setup.sh test pcsc
set -euo pipefail
cd "$(dirname "$0")/.."

python_bin=${PYTHON:-python3}
if ! "$python_bin" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "tracer needs Python 3.11 or newer (found: $("$python_bin" --version 2>&1))" >&2
    exit 2
fi
if [ ! -x .venv/bin/python ]; then
    if ! "$python_bin" -m venv .venv 2>/dev/null; then
        # Debian's Python keeps venv/ensurepip in a separate package.
        rm -rf .venv
        echo "== installing python3-venv"
        sudo_cmd=()
        [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
        "${sudo_cmd[@]}" apt-get update -qq
        DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq python3-venv >/dev/null
        "$python_bin" -m venv .venv
    fi
fi
extras=$(IFS=,; echo "$*")
target="."
[ -n "$extras" ] && target=".[$extras]"
.venv/bin/python -m pip install -q --disable-pip-version-check -e "$target"
