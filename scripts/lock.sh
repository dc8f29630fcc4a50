#!/usr/bin/env bash
# Writes requirements.lock: every transitive dependency of pyproject.toml (with the dev extra)
# pinned, resolved by uv for Python 3.10 on Linux x86-64 and held to the versions installed in
# .venv (so the lock describes the environment the tests pass in; packaging must stay 20.9 for
# Rasa 3.6). scripts/bootstrap.sh installs from it. Run after changing a pin in pyproject.toml
# and installing it; tests/integration/test_deploy_files.py checks that the two agree.
set -euo pipefail
cd "$(dirname "$0")/.."
installed=.venv/installed-versions.txt
.venv/bin/python -m pip freeze --all --exclude-editable | grep -v '^kefu-bot' > "$installed"
# This machine's extra package indexes come from pip's configuration; uv needs them named.
indexes=()
for url in $(.venv/bin/python -m pip config get global.extra-index-url 2>/dev/null || true); do
  indexes+=(--extra-index-url "$url")
done
.venv/bin/uv pip compile pyproject.toml --extra dev \
  --python-version 3.10 --python-platform x86_64-unknown-linux-gnu \
  --constraint "$installed" "${indexes[@]}" --index-strategy unsafe-best-match \
  --no-emit-index-url --no-emit-find-links --quiet --output-file requirements.lock
echo "==> requirements.lock: $(grep -c '==' requirements.lock) pinned packages"
