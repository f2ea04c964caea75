#!/usr/bin/env bash
# Makes sure PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) answer, as
# the tests need both. Starts them from Debian's packages when they are
# installed but stopped, installs them when missing and we are root, and
# otherwise fails naming what is missing. Never skips.
set -euo pipefail
pg_url=${COO_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
redis_host=127.0.0.1
redis_port=6379

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

apt_install() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "tests: $1 is not installed and cannot be installed here (need root and apt-get): install Debian's $2" >&2
    exit 1
  fi
  echo "tests: installing $2 from Debian's packages" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >/dev/null 2>&1 || {
    apt-get update -q >/dev/null 2>&1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >/dev/null
  }
}

wait_port() {
  for _ in $(seq 1 50); do port_open "$1" "$2" && return 0; sleep 0.2; done
  return 1
}

if ! port_open 127.0.0.1 5432; then
  command -v pg_ctlcluster >/dev/null || apt_install PostgreSQL postgresql
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  [ -n "$version" ] || { echo "tests: PostgreSQL is installed but has no cluster in /etc/postgresql" >&2; exit 1; }
  echo "tests: starting PostgreSQL $version" >&2
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  wait_port 127.0.0.1 5432 || { echo "tests: PostgreSQL does not answer on 127.0.0.1:5432 ($pg_url)" >&2; exit 1; }
fi

if ! port_open "$redis_host" "$redis_port"; then
  command -v redis-server >/dev/null || apt_install Redis redis-server
  echo "tests: starting Redis" >&2
  redis-server --daemonize yes --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no >/dev/null
  wait_port "$redis_host" "$redis_port" || { echo "tests: Redis does not answer on $redis_host:$redis_port" >&2; exit 1; }
fi
