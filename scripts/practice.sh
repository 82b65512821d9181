#!/usr/bin/env bash
# Install tracer into .venv and open practice mode (fake cases, nothing real touched).
# Usage: scripts/practice.sh [tracer practice options...]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/tracer practice "$@"
