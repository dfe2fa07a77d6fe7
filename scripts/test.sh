#!/usr/bin/env bash
# Install zxfeed with its test tools into .venv, lint, type-check, and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
.venv/bin/ruff check .
# Files and settings in pyproject's [tool.mypy]; the cache in .mypy_cache keeps reruns quick.
.venv/bin/mypy
# Most tests wait on real servers and subprocesses: three at a time keep both cores busy.
exec .venv/bin/python -m pytest -n "${ZXFEED_TEST_WORKERS:-3}" "$@"
