#!/usr/bin/env bash
# Installs the Debian packages our S3 integration server needs (OpenStack Swift + s3api, memcached, curl).
# Idempotent: a machine that already has them pays one `command -v` check. CI starts on a bare Debian 12
# machine as root, so this runs apt-get directly; elsewhere it falls back to sudo when available.
set -euo pipefail
have_all() {
  command -v swift-proxy-server >/dev/null 2>&1 && command -v swift-object-server >/dev/null 2>&1 \
    && command -v memcached >/dev/null 2>&1 && command -v curl >/dev/null 2>&1
}
if have_all; then exit 0; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-swift: need root (or sudo) to apt-get install swift" >&2; exit 1; }
  SUDO="sudo -n"
fi
export DEBIAN_FRONTEND=noninteractive
# Other tools on the machine may hold the apt/dpkg locks (another install in progress): wait for them, bounded.
APT_WAIT=(-o DPkg::Lock::Timeout=300)
apt_retry() { # retries cover the lists lock, which older apt does not wait for; ~5 min at most
  for attempt in $(seq 1 60); do
    if $SUDO apt-get "${APT_WAIT[@]}" "$@"; then return 0; fi
    echo "install-swift: apt-get $1 failed (attempt $attempt), retrying in 5 s" >&2
    sleep 5
  done
  return 1
}
# Serialize our own concurrent invocations (several test runs starting at once on one machine).
exec 9>/tmp/att-apt-install.lock  # shared with examples/express-server/test/ensure-chromium.js
flock -w 600 9 || { echo "install-swift: timed out waiting for another install-swift" >&2; exit 1; }
have_all && exit 0
apt_retry update -q
apt_retry install -y -q --no-install-recommends \
  swift-proxy swift-account swift-container swift-object memcached curl
have_all || { echo "install-swift: packages installed but swift-proxy-server/memcached/curl still missing" >&2; exit 1; }
