#!/usr/bin/env bash
# The benchmark in one command, from the repository root:
#
#   bash bench/run.sh [bench_driver options, e.g. --only ours,null or --events 5000]
#
# Installs what it needs (build packages via scripts/setup.sh, the Bolt peer's npm packages),
# builds the bench targets in build-bench (Release, -DIB_BUILD_BENCH=ON), then runs incident-bot,
# the Bolt for JavaScript peer and the null client in turn against the Slack simulator, then
# incident-bot's steady acks while it summarizes a 100,000-entry incident (issue 12), followed
# by the storage benchmarks, and prints the results table (also written to
# build-bench/bench-results.md). Takes about 5-10 minutes on 2 cores.
#
# incident-bot also runs on PostgreSQL over loopback, its bursts alternating with the SQLite
# one's (issue 15): a throwaway cluster (scripts/pg-cluster.sh, synchronous_commit=on) is started
# for the run, its WAL warmed (pg-cluster.sh warm), and removed at its end. IB_BENCH_PG=postgresql://…
# uses that server instead (the bot migrates its schema there and the bench adds incidents to
# it); IB_BENCH_PG=off skips it. IB_BENCH_TRACE=DIR (with INCIDENT_BOT_LOG_LEVEL=debug) keeps
# each steady run's ack times and each bot's log there (bench/driver.cpp).
# Only the two bots on both engines: bash bench/run.sh --only ours,pg
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=$root/build-bench
jobs=${JOBS:-1}

bash scripts/setup.sh

# Node.js 20+ (Bolt 5 and better-sqlite3 12 need it). Debian 12's own nodejs is 18.
if ! command -v node >/dev/null || ! node -e 'process.exit(parseInt(process.versions.node) >= 20 ? 0 : 1)'; then
  echo "bench/run.sh: Node.js 20 or newer is needed for the Bolt peer (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi
if ! command -v npm >/dev/null; then
  echo "bench/run.sh: npm is needed for the Bolt peer" >&2
  exit 1
fi

# The Bolt peer's packages, exactly as locked. better-sqlite3 compiles SQLite when no prebuilt
# binary can be fetched (about 2 minutes); skipped when node_modules already matches the lock.
peer=$root/bench/bolt-peer
if [ ! -f "$peer/node_modules/.package-lock.json" ] || [ "$peer/package-lock.json" -nt "$peer/node_modules/.package-lock.json" ] ||
   ! (cd "$peer" && node -e "require('better-sqlite3'); require('@slack/bolt')" 2>/dev/null); then
  (cd "$peer" && npm ci --no-audit --no-fund)
fi

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DIB_BUILD_BENCH=ON -DIB_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --target bench_driver bench_backfill bench_serve null_client incident-bot -j"$jobs"

# PostgreSQL for the "pg" bot: a throwaway cluster unless IB_BENCH_PG names a server (or "off").
pg_args=()
pg_dir=$build/bench-pg
if [ "${IB_BENCH_PG:-}" = off ]; then
  :
elif [ -n "${IB_BENCH_PG:-}" ]; then
  pg_args=(--pg "$IB_BENCH_PG")
elif ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "bench/run.sh: PostgreSQL's server is not installed (bash scripts/setup.sh --test): incident-bot on PostgreSQL is skipped" >&2
else
  trap 'bash "$root/scripts/pg-cluster.sh" stop "$pg_dir"' EXIT
  pg_args=(--pg "$(bash scripts/pg-cluster.sh start "$pg_dir")")
  # WAL segments recycled ahead, as on a server in service (a new cluster's commits wait 25-85 ms
  # for each new segment's zero-fill: the steady p99 of a fresh cluster, not of PostgreSQL).
  # IB_BENCH_PG_FRESH=1 measures the fresh cluster instead.
  [ -n "${IB_BENCH_PG_FRESH:-}" ] || bash scripts/pg-cluster.sh warm "$pg_dir"
fi

# How long a durable 4 KiB write takes on this disk right now (both bots' ack paths depend on it).
fsync_ms() {
  local secs
  secs=$(dd if=/dev/zero of="$build/fsync-probe" bs=4k count=200 oflag=dsync 2>&1 | sed -n 's/.*copied, \([0-9.e-]*\) s.*/\1/p')
  rm -f "$build/fsync-probe"
  awk -v s="$secs" 'BEGIN { printf "%.2f", s * 1000 / 200 }'
}

{
  echo "Source: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- core storage bot 2>/dev/null || echo ' + uncommitted changes in core/storage/bot')"
  echo "Machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(free -g | awk '/^Mem:/{print $2}') GiB RAM;" \
       "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg); O_DSYNC 4 KiB write: $(fsync_ms) ms"
  echo
} | tee "$build/bench-machine.txt"

"$build/bench_driver" --incident-bot "$build/incident-bot" --null-client "$build/null_client" \
  --bolt-dir "$peer" --work "$build/bench-work" --out "$build/bench-results.md" "${pg_args[@]}" "$@"

# Catching up 10,000 messages said while the bot was down (issue 12), history paged like Slack.
"$build/bench_backfill" --incident-bot "$build/incident-bot" --messages 10000 | tee -a "$build/bench-results.md"

# The review site's page of a 100,000-entry incident (issue 18): each step, and serve's answers.
"$build/bench_serve" --incident-bot "$build/incident-bot" | tee -a "$build/bench-results.md"

echo
echo "Load average after the run: $(cut -d' ' -f1-3 /proc/loadavg); O_DSYNC 4 KiB write: $(fsync_ms) ms"
