#!/usr/bin/env bash
# Installs Debian's redis-server for the tests that share state between processes. Idempotent: a machine that
# already has it pays one `command -v`. CI starts on a bare Debian machine as root; elsewhere sudo is tried.
set -euo pipefail
command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 && exit 0
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-redis: need root (or sudo) to apt-get install redis-server" >&2; exit 1; }
  SUDO="sudo -n"
fi
export DEBIAN_FRONTEND=noninteractive
APT_WAIT=(-o DPkg::Lock::Timeout=300)
apt_retry() { # retries cover the lists lock, which older apt does not wait for; ~5 min at most
  for attempt in $(seq 1 60); do
    if $SUDO apt-get "${APT_WAIT[@]}" "$@"; then return 0; fi
    echo "install-redis: apt-get $1 failed (attempt $attempt), retrying in 5 s" >&2
    sleep 5
  done
  return 1
}
# One apt user at a time among our own test setups (Swift, Chromium, Redis).
exec 9>/tmp/att-apt-install.lock
flock -w 600 9 || { echo "install-redis: timed out waiting for another install" >&2; exit 1; }
command -v redis-server >/dev/null 2>&1 && exit 0
apt_retry update -q
apt_retry install -y -q --no-install-recommends redis-server
# The package starts a system-wide instance on 6379; the tests never use it and start their own.
command -v redis-server >/dev/null 2>&1 || { echo "install-redis: redis-server still missing" >&2; exit 1; }
