#!/usr/bin/env bash
# Install everything the test suite needs, then run it: ruff, mypy, pytest.
# Usage: scripts/test.sh [pytest arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."

# 1. Debian packages listed in scripts/apt-packages.txt (pcscd, vpcd, ...), when missing.
mapfile -t wanted < <(grep -vE '^\s*(#|$)' scripts/apt-packages.txt || true)
missing=()
for pkg in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "== installing Debian packages: ${missing[*]}"
    sudo_cmd=()
    [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# 2. A virtual environment with the project and its test extras.
echo "== installing tracer and its test dependencies into .venv"
bash scripts/setup.sh test pcsc server

# 3. Lint, types, tests.
echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy"
.venv/bin/mypy tracer_tui
echo "== pytest"
.venv/bin/pytest "$@"
