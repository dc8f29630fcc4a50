#!/usr/bin/env bash
# Creates or refreshes .venv (Python 3.10, as Rasa 3.6 requires) when it is missing or when
# pyproject.toml or requirements.lock changed since the last install. Idempotent: a second run
# does nothing. Installs exactly the versions of requirements.lock (every transitive dependency,
# written by scripts/lock.sh), then the project itself without resolving anything again.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {
  if command -v python3.10 >/dev/null 2>&1 && python3.10 -c 'import sys' >/dev/null 2>&1; then
    command -v python3.10; return
  fi
  # pyenv's shim refuses python3.10 unless 3.10 is the active version, so look in its tree.
  local root="${PYENV_ROOT:-$HOME/.pyenv}"
  local found
  found=$(ls -d "$root"/versions/3.10*/bin/python3.10 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$found" ]; then echo "$found"; return; fi
  echo "error: Python 3.10 not found (Rasa 3.6 needs Python 3.8-3.10); install it, e.g. 'pyenv install 3.10'" >&2
  exit 1
}

stamp_value=$(cat pyproject.toml requirements.lock | sha256sum | cut -c1-16)
stamp_file=.venv/.bootstrap-stamp

if [ -x .venv/bin/python ] && [ "$(cat "$stamp_file" 2>/dev/null)" = "$stamp_value" ]; then
  exit 0
fi

if [ ! -x .venv/bin/python ]; then
  py=$(find_python)
  echo "==> creating .venv with $py"
  "$py" -m venv .venv
fi

echo "==> installing the project and its pinned dependencies into .venv (first time: a few minutes, ~3 GB)"
# setuptools and wheel come from the lock like everything else.
.venv/bin/python -m pip install --upgrade --progress-bar on "pip>=24"
.venv/bin/python -m pip install --progress-bar on -r requirements.lock
.venv/bin/python -m pip install --progress-bar on --no-deps -e .
echo "$stamp_value" > "$stamp_file"
echo "==> .venv ready"
