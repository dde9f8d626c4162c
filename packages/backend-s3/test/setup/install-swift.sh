#!/usr/bin/env bash
# Installs the Debian packages our S3 integration server needs (OpenStack Swift + s3api, memcached, curl);
# idempotent, see the repository's scripts/apt-install.sh.
set -euo pipefail
exec bash "$(dirname "$0")/../../../../scripts/apt-install.sh" install-swift \
  "swift-proxy-server swift-object-server memcached curl" \
  swift-proxy swift-account swift-container swift-object memcached curl
