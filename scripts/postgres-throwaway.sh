#!/usr/bin/env bash
# A throwaway Postgres cluster for tests, on 127.0.0.1 only.
#   start: installs Debian's postgresql when missing (as root), creates a cluster in a temp dir on
#          a free local port with a password-protected user and a fresh database, and prints
#          `export QUORUM_TEST_POSTGRES=postgres://...` and `export QUORUM_PG_DIR=...`.
#   stop DIR: stops that cluster and removes its directory.
set -euo pipefail

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

as_owner() {
  if [ "$(id -u)" = "0" ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}

start() {
  if [ -z "$(pg_bin)" ]; then
    [ "$(id -u)" = "0" ] || { echo "postgresql is not installed (apt-get install postgresql)" >&2; exit 1; }
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) >&2
  fi
  local bin dir port password
  bin="$(pg_bin)"
  dir="$(mktemp -d -t quorum-pg-XXXXXX)"
  [ "$(id -u)" = "0" ] && chown postgres "$dir"
  port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
  password="pw$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
  printf '%s\n' "$password" >"$dir/pw"
  [ "$(id -u)" = "0" ] && chown postgres "$dir/pw"
  as_owner "'$bin/initdb' -D '$dir/data' -U quorum --pwfile='$dir/pw' -A scram-sha-256 >'$dir/initdb.log' 2>&1"
  as_owner "'$bin/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w -o \"-c listen_addresses=127.0.0.1 -p $port -k '$dir'\" start >/dev/null"
  PGPASSWORD="$password" "$bin/createdb" -h 127.0.0.1 -p "$port" -U quorum quorum_test
  echo "export QUORUM_TEST_POSTGRES=postgres://quorum:$password@127.0.0.1:$port/quorum_test"
  echo "export QUORUM_PG_DIR=$dir"
}

stop() {
  local dir="$1"
  [ -d "$dir/data" ] || return 0
  as_owner "'$(pg_bin)/pg_ctl' -D '$dir/data' -m fast -w stop >/dev/null" || true
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:?usage: stop DIR}" ;;
  *) echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
esac
