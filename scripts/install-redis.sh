#!/usr/bin/env bash
# Installs Debian's redis-server for the tests of @att/state-redis and the fleet tests (see apt-install.sh).
set -euo pipefail
exec bash "$(dirname "$0")/apt-install.sh" install-redis "redis-server redis-cli" redis-server
