#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and benchmarks: no service manager, no system cluster.
#
#   bash scripts/pg-cluster.sh start DIR   # initdb + pg_ctl start on a free 127.0.0.1 port;
#                                          # prints the URI (also written to DIR/uri)
#   bash scripts/pg-cluster.sh stop DIR    # stops it and removes it and DIR
#   bash scripts/pg-cluster.sh down DIR    # stops the server only (pg_ctl stop -m fast, as a
#                                          # restart or a failover begins), keeping the cluster
#   bash scripts/pg-cluster.sh up DIR      # starts it again on the same port (after down)
#   bash scripts/pg-cluster.sh warm DIR    # gives it the WAL of a server in service (benchmarks)
#
# Runs the server as the `postgres` user when started as root (PostgreSQL refuses to run as root),
# as the caller otherwise. The cluster itself (data, socket, server log) lives in a new directory
# under the temp dir, since the `postgres` user may not reach DIR (a checkout under /root);
# DIR/cluster names it. Trust authentication on loopback only (listen_addresses=127.0.0.1, the
# Unix socket in the cluster's directory): a cluster for one test run, never for data. Needs
# Debian's postgresql package (scripts/setup.sh --test): binaries in /usr/lib/postgresql/<major>/bin.
set -euo pipefail

usage() { echo "usage: scripts/pg-cluster.sh start|stop|down|up|warm DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
action=$1
dir=$2

bindir=""
if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
  bindir=$(pg_config --bindir)
else
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
fi
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "scripts/pg-cluster.sh: PostgreSQL's server binaries are missing; run 'bash scripts/setup.sh --test'" >&2
  exit 1
fi

# The server's user: postgres when we are root.
as_server() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop_cluster() {
  local cluster
  cluster=$(cat "$dir/cluster" 2>/dev/null || true)
  if [ -n "$cluster" ] && [ -e "$cluster/data/postmaster.pid" ]; then
    # Immediate: nothing in it is worth a shutdown checkpoint.
    as_server "$bindir/pg_ctl" -D "$cluster/data" -m immediate -w -t 60 stop >/dev/null || true
  fi
  [ -n "$cluster" ] && rm -rf "$cluster"
  rm -rf "$dir"
}

# Starts the server of the cluster "$cluster" on port "$port" (start, and up after down).
start_server() {
  as_server "$bindir/pg_ctl" -D "$cluster/data" -l "$cluster/server.log" -w -t 60 start \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $cluster -c synchronous_commit=on -c max_connections=200" \
    >/dev/null || { cat "$cluster/server.log" >&2; exit 1; }
}

case "$action" in
  start)
    # A cluster this script left (a run that was killed) is replaced: throwaway by definition.
    [ -e "$dir/cluster" ] && stop_cluster
    mkdir -p "$dir"
    cluster=$(mktemp -d "${TMPDIR:-/tmp}/ib-pg-cluster.XXXXXX")
    echo "$cluster" >"$dir/cluster"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$cluster"
    # A free port: the kernel's choice for port 0 (a race with another process is possible but
    # rare; pg_ctl then fails and says so).
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_server "$bindir/initdb" -D "$cluster/data" -U postgres -A trust -E UTF8 --locale=C --no-sync \
      >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    echo "$port" >"$dir/port"
    start_server
    uri="postgresql://postgres@127.0.0.1:$port/postgres"
    echo "$uri" >"$dir/uri"
    echo "$uri"
    ;;
  stop)
    [ -d "$dir" ] || exit 0
    stop_cluster
    ;;
  down)
    # Fast: sessions are ended and the server shuts down cleanly, as for a restart.
    cluster=$(cat "$dir/cluster")
    as_server "$bindir/pg_ctl" -D "$cluster/data" -m fast -w -t 60 stop >/dev/null
    ;;
  up)
    cluster=$(cat "$dir/cluster")
    port=$(cat "$dir/port")
    start_server
    ;;
  warm)
    # A new cluster has one WAL segment: every 16 MB of WAL written, the committing backend
    # creates the next file, zero-filled and fsynced (wal_init_zero), and its COMMIT takes
    # 25-85 ms on this disk. A server in service recycles the segments a checkpoint leaves
    # behind into the next ones, so it never waits for that. About 300 MB of WAL, then a
    # checkpoint, do the same here: 18 segments ready ahead (a few seconds; bench/run.sh).
    "$bindir/psql" -qAt "$(cat "$dir/uri")" -v ON_ERROR_STOP=1 \
      -c "CREATE TABLE ib_warm_wal AS SELECT repeat('x', 2000) AS pad FROM generate_series(1, 150000)" \
      -c "DROP TABLE ib_warm_wal" -c "CHECKPOINT" >/dev/null
    ;;
  *) usage ;;
esac
