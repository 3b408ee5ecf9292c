#!/usr/bin/env bash
# Start the services the portal needs, only where none answers already.
#   scripts/services.sh redis [DIR]      Redis on 127.0.0.1:6379 (its data kept in DIR, AOF)
#   scripts/services.sh postgres         PostgreSQL on 127.0.0.1:5432 (tests)
#   scripts/services.sh seaweedfs DIR P  SeaweedFS S3 on 127.0.0.1:P with data in DIR
#                                        (all its ports shifted by P-8333, so a test
#                                        instance can run beside the dev one)
#   scripts/services.sh stop-seaweedfs DIR
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}

apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  [ -n "${APT_UPDATED:-}" ] || { apt-get update -qq; export APT_UPDATED=1; }
  apt-get install -y -qq "$@" >/dev/null
}

wait_for() {  # wait_for SECONDS CMD...
  local n=$(( $1 * 10 )); shift
  for _ in $(seq "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  return 1
}

start_redis() {  # start_redis [DIR]: with DIR, its data is kept there (AOF, fsync each second)
  if command -v redis-cli >/dev/null && redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then return; fi
  command -v redis-server >/dev/null || apt_install redis-server
  mkdir -p /var/lib/redis /var/log/redis
  local keep=(--save "" --appendonly no --dir /var/lib/redis)
  if [ -n "${1:-}" ]; then
    mkdir -p "$1"
    keep=(--save "" --appendonly yes --appendfsync everysec --dir "$(cd "$1" && pwd)")
  fi
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 "${keep[@]}" \
    --logfile /var/log/redis/ci.log
  wait_for 10 redis-cli -h 127.0.0.1 -p 6379 ping || { echo "Redis did not start" >&2; exit 1; }
  echo "Redis started on 127.0.0.1:6379"
}

start_postgres() {
  if command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; then return; fi
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    apt_install postgresql
    local conf; conf=$(ls -d /etc/postgresql/*/main | head -1)
    # Trust local connections, as on the CI machine: the tests log in as `postgres`.
    sed -i -E 's/^(local|host)(\s+all\s+all\s+.*)\s(peer|scram-sha-256|md5)$/\1\2 trust/' "$conf/pg_hba.conf"
  fi
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  wait_for 30 pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL did not start" >&2; exit 1; }
  psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='test'" | grep -q 1 \
    || psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE test" >/dev/null
  echo "PostgreSQL started on 127.0.0.1:5432"
}

s3_up() { curl -s -o /dev/null "http://127.0.0.1:$1/" ; }

start_seaweedfs() {
  local dir=$1 port=${2:-8333}
  local off=$(( port - 8333 ))
  if s3_up "$port"; then return; fi
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  # Keys come from the environment (config.py reads the same variables); owner-only files.
  (umask 077; cat > "$dir/s3.json" <<JSON
{"identities":[{"name":"portal","credentials":[{"accessKey":"${S3_ACCESS_KEY:-docnghexem}","secretKey":"${S3_SECRET_KEY:-docnghexem-secret}"}],"actions":["Admin","Read","List","Tagging","Write"]}]}
JSON
  )
  # Only the S3 gateway, with those keys, reads and writes data: the volume and filer ports
  # accept nothing without a JWT signed by keys made here once (WEED_JWT_*), and the master's
  # and filer's HTTP ports are closed (-disableHttp). Everything binds to 127.0.0.1.
  if [ ! -s "$dir/jwt.env" ]; then
    (umask 077; for name in SIGNING SIGNING_READ FILER_SIGNING FILER_SIGNING_READ; do
      echo "WEED_JWT_${name}_KEY=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
    done > "$dir/jwt.env")
  fi
  set -a; . "$dir/jwt.env"; set +a
  GOMEMLIMIT=256MiB nohup "$VENV/bin/weed" mini -dir="$dir" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
    -disableHttp \
    -s3.config="$dir/s3.json" -master.telemetry=false -webdav=false -admin.ui=false \
    -s3.port.iceberg=0 -s3.port.lance=0 \
    -s3.port=$port -s3.port.grpc=$((18333 + off)) \
    -master.port=$((9333 + off)) -master.port.grpc=$((19333 + off)) \
    -volume.port=$((9340 + off)) -volume.port.grpc=$((19340 + off)) \
    -filer.port=$((8888 + off)) -filer.port.grpc=$((18888 + off)) \
    > "$dir/weed.log" 2>&1 &
  echo $! > "$dir/weed.pid"
  wait_for 30 s3_up "$port" || { echo "SeaweedFS did not start; see $dir/weed.log" >&2; tail -20 "$dir/weed.log" >&2; exit 1; }
  echo "SeaweedFS S3 started on 127.0.0.1:$port (data in $dir)"
}

stop_seaweedfs() {
  local dir=$1
  [ -f "$dir/weed.pid" ] || return 0
  local pid; pid=$(cat "$dir/weed.pid")
  kill "$pid" 2>/dev/null || true
  # weed shuts down its parts in turn; wait so that its ports are free for the next start.
  for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$dir/weed.pid"
}

case "${1:-}" in
  redis) start_redis "${2:-}" ;;
  postgres) start_postgres ;;
  seaweedfs) start_seaweedfs "${2:?data dir}" "${3:-8333}" ;;
  stop-seaweedfs) stop_seaweedfs "${2:?data dir}" ;;
  *) echo "usage: $0 redis|postgres|seaweedfs DIR [PORT]|stop-seaweedfs DIR" >&2; exit 2 ;;
esac
