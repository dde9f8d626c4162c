#!/usr/bin/env bash
# Installs Debian packages for the test setups, idempotently: `apt-install.sh NAME "CMD..." PKG...` does nothing
# when every CMD is on PATH, else apt-installs the PKGs and checks again. CI starts on a bare Debian machine as
# root, so this runs apt-get directly; elsewhere it falls back to sudo. Other apt/dpkg users are waited for
# (bounded), and our own installers take turns through one lock file (also used by ensure-chromium.js).
set -euo pipefail
name="$1"; commands="$2"; shift 2
have_all() { for cmd in $commands; do command -v "$cmd" >/dev/null 2>&1 || return 1; done; }
if have_all; then exit 0; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "$name: need root (or sudo) to apt-get install $*" >&2; exit 1; }
  SUDO="sudo -n"
fi
export DEBIAN_FRONTEND=noninteractive
APT_WAIT=(-o DPkg::Lock::Timeout=300)
apt_retry() { # retries cover the lists lock, which older apt does not wait for; ~5 min at most
  for attempt in $(seq 1 60); do
    if $SUDO apt-get "${APT_WAIT[@]}" "$@"; then return 0; fi
    echo "$name: apt-get $1 failed (attempt $attempt), retrying in 5 s" >&2
    sleep 5
  done
  return 1
}
exec 9>/tmp/att-apt-install.lock
flock -w 600 9 || { echo "$name: timed out waiting for another installer" >&2; exit 1; }
have_all && exit 0
apt_retry update -q
apt_retry install -y -q --no-install-recommends "$@"
have_all || { echo "$name: $* installed but one of [$commands] is still missing" >&2; exit 1; }
