#!/usr/bin/env bash
# Installs Debian's nginx for `make prod` and the deployment tests (bot/deploy/cluster.py runs it
# as the current user with a config and pid file of its own; the system service is not used).
# Idempotent: when nginx is present it does nothing, not even `apt-get update`.
set -euo pipefail

NGINX=/usr/sbin/nginx

if [ -x "$NGINX" ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo -n)
else
  echo "error: need root (or sudo) to apt-get install nginx" >&2
  exit 1
fi

# Two sessions may start at once; the lock makes the second wait and then find the work done.
exec 9>/tmp/kefu-install-nginx.lock
flock 9
if [ -x "$NGINX" ]; then
  exit 0
fi

echo "==> installing nginx from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
# policy-rc.d 101: the package must not start (or enable) the system-wide nginx on port 80;
# the project runs its own nginx processes.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${as_root[@]}" tee "$policy" >/dev/null
  "${as_root[@]}" chmod +x "$policy"
  trap '"${as_root[@]}" rm -f "$policy"' EXIT
fi
"${as_root[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
  nginx-light >&2
[ -x "$NGINX" ] || { echo "error: $NGINX still missing after install" >&2; exit 1; }
echo "==> $("$NGINX" -v 2>&1) ready" >&2
