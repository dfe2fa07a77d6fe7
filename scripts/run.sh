#!/usr/bin/env bash
# Install zxfeed into .venv if needed and run it: `bash scripts/run.sh [COMMAND ...]`
# (default `run`: poll config/zxfeed.toml's sources, serve feeds on 127.0.0.1:8080).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/zxfeed ]; then
  [ -x .venv/bin/python ] || "$PY" -m venv .venv
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e .
fi
[ $# -gt 0 ] || set -- run
exec .venv/bin/zxfeed "$@"
