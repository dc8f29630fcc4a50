#!/usr/bin/env bash
# Installs the CJK font the service reports draw their Chinese labels with (bot.reports.fonts
# looks for it; without one every label renders as boxes). Debian's WenQuanYi Zen Hei: one
# TrueType collection, small next to the full Noto CJK set. Idempotent: when the font is present
# it does nothing, not even `apt-get update`.
set -euo pipefail

PACKAGE=fonts-wqy-zenhei

installed() {
  dpkg-query -W -f='${Status}' "$PACKAGE" 2>/dev/null | grep -q "install ok installed"
}

installed && exit 0

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo -n)
else
  echo "error: need root (or sudo) to apt-get install $PACKAGE" >&2
  exit 1
fi

# Parallel test sessions: the second waits for the first and then finds the font installed.
exec 9>/tmp/kefu-install-fonts.lock
flock 9
installed && exit 0

echo "==> installing $PACKAGE from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
"${as_root[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
  "$PACKAGE" >&2
installed || { echo "error: $PACKAGE still missing after install" >&2; exit 1; }
echo "==> CJK font for the reports ready: $(fc-list :lang=zh family | grep -m1 -i 'zen hei')" >&2
