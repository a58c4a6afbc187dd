#!/usr/bin/env bash
# Installs everything incident-bot needs to build (and, with --test, to run every test) on Debian 12.
# Idempotent: packages already present are skipped by apt-get; safe to run as root on a fresh machine.
#
#   bash scripts/setup.sh          # build: the bot, its unit/e2e tests, the .deb (cpack)
#   bash scripts/setup.sh --test   # also what the prometheus and package suites run
set -euo pipefail

with_tests=0
for arg in "$@"; do
  case "$arg" in
    --test) with_tests=1 ;;
    *) echo "scripts/setup.sh: unknown option '$arg' (known: --test)" >&2; exit 2 ;;
  esac
done

packages=(
  build-essential cmake pkg-config git ca-certificates
  libboost1.81-dev libssl-dev openssl
  nlohmann-json3-dev libsqlitecpp-dev libsqlite3-dev sqlite3
  doctest-dev
  python3
  # Metrics registry and its text serializer (only prometheus-cpp's core library is linked).
  prometheus-cpp-dev
  # dpkg-shlibdeps, for the Depends of the .deb that `cmake --build build --target package` makes.
  dpkg-dev
  # libpq, PostgreSQL's C client: `--db postgresql://…` (storage/pg_store.cpp).
  libpq-dev
)
test_packages=(
  # promtool and a Prometheus server for the `prometheus` suite; systemd-analyze for `package`.
  prometheus systemd
  # CommonMark renderer: text.parse_back reads the Markdown export back with `cmark --unsafe`.
  cmark
  # The PostgreSQL server for the `postgres` suites: scripts/pg-cluster.sh starts a throwaway
  # cluster per test run (initdb + pg_ctl, no service manager).
  postgresql
)
((with_tests)) && packages+=("${test_packages[@]}")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The tests start a Prometheus of their own; Debian's package would also start and enable a
  # system-wide one where systemd runs. Not on a machine we only test on.
  if [[ " ${missing[*]} " == *" prometheus "* ]] && [ -d /run/systemd/system ]; then
    $sudo systemctl disable --now prometheus.service >/dev/null 2>&1 || true
  fi
  # Likewise Debian's postgresql creates and starts a system cluster; the tests run their own.
  if [[ " ${missing[*]} " == *" postgresql "* ]] && [ -d /run/systemd/system ]; then
    $sudo systemctl disable --now postgresql.service >/dev/null 2>&1 || true
  fi
fi
