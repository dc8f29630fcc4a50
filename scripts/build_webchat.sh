#!/usr/bin/env bash
# Copies the rasa-webchat widget bundle from the npm registry into web/vendor/, so the chat page
# never loads anything from a CDN at run time. Skips the work when the pinned version is present.
set -euo pipefail
cd "$(dirname "$0")/.."
version="1.0.1"
target=web/vendor/webchat-${version}.js
if [ -f "$target" ]; then exit 0; fi
command -v npm >/dev/null || { echo "error: npm is needed once to fetch rasa-webchat" >&2; exit 1; }
echo "==> fetching rasa-webchat@${version} from the npm registry"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "rasa-webchat@${version}" >/dev/null && tar xzf rasa-webchat-${version}.tgz)
mkdir -p web/vendor
cp "$work/package/lib/index.js" "$target"
echo "==> $target"
