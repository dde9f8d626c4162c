#!/usr/bin/env bash
# Installs Debian's redis-server for the tests of @att/state-redis and the fleet tests (idempotent: a machine that
# has it pays one `command -v`). CI starts on a bare Debian machine as root, so this runs apt-get directly;
# elsewhere it falls back to sudo. Waits for other apt/dpkg users the way backend-s3's install-swift.sh does.
set -euo pipefail
have_all() { command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; }
if have_all; then exit 0; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-redis: need root (or sudo) to apt-get install redis-server" >&2; exit 1; }
  SUDO="sudo -n"
fi
export DEBIAN_FRONTEND=noninteractive
# The dpkg lock may be held by another install (Swift's, a browser's): wait for it, bounded.
APT_WAIT=(-o DPkg::Lock::Timeout=300)
apt_retry() { # retries cover the lists lock, which older apt does not wait for; ~5 min at most
  for attempt in $(seq 1 60); do
    if $SUDO apt-get "${APT_WAIT[@]}" "$@"; then return 0; fi
    echo "install-redis: apt-get $1 failed (attempt $attempt), retrying in 5 s" >&2
    sleep 5
  done
  return 1
}
# One installer at a time on this machine (shared lock file with install-swift.sh and ensure-chromium.js).
exec 9>/tmp/att-apt-install.lock
flock -w 600 9 || { echo "install-redis: timed out waiting for another installer" >&2; exit 1; }
have_all && exit 0
apt_retry update -q
apt_retry install -y -q --no-install-recommends redis-server
have_all || { echo "install-redis: redis-server installed but redis-server/redis-cli still missing" >&2; exit 1; }
