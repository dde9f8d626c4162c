#!/usr/bin/env bash
# Starts a throwaway one-node, one-replica OpenStack Swift with the S3 API (s3api + tempauth) for tests.
#
#   start-swift-s3.sh DIR [PORT]
#
# Listens on 127.0.0.1 only: PORT = proxy (the S3 endpoint), PORT+1 object, PORT+2 container, PORT+3 account,
# PORT+4 memcached (tempauth keeps its tokens there). Credentials: access key "test:tester", secret "testing",
# region us-east-1; virtual-hosted style works for <bucket>.localhost:PORT. Everything (config, rings, data, logs)
# lives under DIR; the process ids go to DIR/pids, one per line (stop: SIGTERM each). On success the last line
# printed is S3_ENDPOINT=http://127.0.0.1:PORT; on failure all started processes are stopped and it exits 1.
set -euo pipefail

ROOT=$(realpath -m "${1:?usage: start-swift-s3.sh DIR [PORT]}")
PROXY_PORT=${2:-8080}
OBJECT_PORT=$((PROXY_PORT + 1))
CONTAINER_PORT=$((PROXY_PORT + 2))
ACCOUNT_PORT=$((PROXY_PORT + 3))
MEMCACHE_PORT=$((PROXY_PORT + 4))
# Debian's python: the swift modules are installed for it, not for a pyenv/venv python that may be first on PATH.
PYTHON=/usr/bin/python3
RUN_AS=$(id -un)
ETC="$ROOT/etc"; LOGS="$ROOT/log"; PIDS="$ROOT/pids"

mkdir -p "$ETC" "$ROOT/node/d1" "$LOGS"
: > "$PIDS"

stop_started() { while read -r pid; do kill "$pid" 2>/dev/null || true; done < "$PIDS"; }
fail() { echo "start-swift-s3: $*; logs in $LOGS" >&2; stop_started; exit 1; }
trap 'fail "unexpected error on line $LINENO"' ERR

printf '[swift-hash]\nswift_hash_path_suffix = att-tests\n[storage-policy:0]\nname = Policy-0\ndefault = yes\n' \
  > "$ETC/swift.conf"

# The three storage servers differ only in name and port.
write_storage_conf() { # name port
  cat > "$ETC/$1-server.conf" <<CONF
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = $2
devices = $ROOT/node
mount_check = false
disable_fallocate = true
workers = 0
user = $RUN_AS
swift_dir = $ETC
log_level = WARNING

[pipeline:main]
pipeline = $1-server

[app:$1-server]
use = egg:swift#$1
CONF
}
write_storage_conf account "$ACCOUNT_PORT"
write_storage_conf container "$CONTAINER_PORT"
write_storage_conf object "$OBJECT_PORT"

# Build the three rings (one device, one replica) in a single Python start: swift-ring-builder would need nine.
"$PYTHON" -I - "$ETC" "$ACCOUNT_PORT" "$CONTAINER_PORT" "$OBJECT_PORT" <<'PY'
import sys
from swift.common.ring import RingBuilder

etc = sys.argv[1]
for name, port in zip(("account", "container", "object"), map(int, sys.argv[2:5])):
    builder = RingBuilder(0, 1, 0)  # part_power 0, 1 replica, min_part_hours 0
    builder.add_dev({"id": 0, "region": 1, "zone": 1, "ip": "127.0.0.1", "port": port,
                     "device": "d1", "weight": 100})
    builder.rebalance()
    builder.get_ring().save(f"{etc}/{name}.ring.gz")
PY

# s3api must sit before tempauth; tempauth needs the memcache ("cache") filter for its tokens.
cat > "$ETC/proxy-server.conf" <<CONF
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = $PROXY_PORT
workers = 0
user = $RUN_AS
swift_dir = $ETC
log_level = WARNING

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api tempauth copy slo dlo proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true

[filter:catch_errors]
use = egg:swift#catch_errors

[filter:gatekeeper]
use = egg:swift#gatekeeper

[filter:healthcheck]
use = egg:swift#healthcheck

[filter:proxy-logging]
use = egg:swift#proxy_logging

[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:$MEMCACHE_PORT

[filter:listing_formats]
use = egg:swift#listing_formats

[filter:s3api]
use = egg:swift#s3api
location = us-east-1
# virtual-hosted addressing: <bucket>.localhost:PORT
storage_domain = localhost
# DeleteObjects deletes key by key, 2 at a time by default (~50 keys/s here); tests and the bench delete thousands.
multi_delete_concurrency = 32
# Browsers' CORS preflights of presigned URLs (OPTIONS …?X-Amz-Credential=…) are answered here; which origins may
# then PUT/GET is each container's X-Container-Meta-Access-Control-Allow-Origin (the bucket's CORS rule).
cors_preflight_allow_origin = *

[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = testing .admin

[filter:copy]
use = egg:swift#copy

[filter:slo]
use = egg:swift#slo

[filter:dlo]
use = egg:swift#dlo
CONF

memcached -l 127.0.0.1 -p "$MEMCACHE_PORT" -U 0 -m 64 -u "$RUN_AS" > "$LOGS/memcached.log" 2>&1 &
echo $! >> "$PIDS"
for server in account container object proxy; do
  "swift-$server-server" "$ETC/$server-server.conf" -v > "$LOGS/$server.log" 2>&1 &
  echo $! >> "$PIDS"
done
trap - ERR

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
all_alive() { while read -r pid; do kill -0 "$pid" 2>/dev/null || return 1; done < "$PIDS"; }

# Healthy = proxy answers /healthcheck and every backend port accepts connections. Bounded: 600 x 0.1 s.
for _ in $(seq 1 600); do
  all_alive || fail "a swift process exited during startup"
  if curl -sf -o /dev/null "http://127.0.0.1:$PROXY_PORT/healthcheck" \
    && port_open "$OBJECT_PORT" && port_open "$CONTAINER_PORT" && port_open "$ACCOUNT_PORT" \
    && port_open "$MEMCACHE_PORT"; then
    echo "S3_ENDPOINT=http://127.0.0.1:$PROXY_PORT"
    exit 0
  fi
  sleep 0.1
done
fail "swift did not become healthy within 60 s"
