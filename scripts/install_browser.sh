#!/usr/bin/env bash
# Installs what the chat-page browser test and scripts/screenshot.py need: Debian's chromium
# (playwright's own browser download is not reachable here, so playwright drives this one via
# executable_path), a CJK font, without which every Chinese character renders as a box in
# screenshots, and an emoji font (the bot's replies use a few). Idempotent: when everything is
# present it does nothing, not even `apt-get update`.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
FONT_PACKAGES=(fonts-wqy-microhei fonts-noto-color-emoji)

find_missing() {
  missing=()
  [ -x "$CHROMIUM" ] || missing+=(chromium)
  local package
  for package in "${FONT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$package")
  done
}

find_missing
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo -n)
else
  echo "error: need root (or sudo) to apt-get install ${missing[*]}" >&2
  exit 1
fi

# Two test sessions may start at once; the lock makes the second wait and then find the work done.
# DPkg::Lock::Timeout makes apt wait for an unrelated apt run instead of failing at once.
exec 9>/tmp/kefu-install-browser.lock
flock 9
find_missing
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "==> installing ${missing[*]} from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
"${as_root[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
  "${missing[@]}" >&2
[ -x "$CHROMIUM" ] || { echo "error: $CHROMIUM still missing after install" >&2; exit 1; }
echo "==> $("$CHROMIUM" --version 2>/dev/null || echo chromium) ready" >&2
