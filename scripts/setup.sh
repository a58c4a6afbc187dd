#!/usr/bin/env bash
# Installs everything incident-bot needs to build (and, with --test, to run every test) on Debian 12.
# Idempotent: packages already present are skipped by apt-get; safe to run as root on a fresh machine.
#
#   bash scripts/setup.sh          # build: the bot, its unit/e2e tests, the .deb (cpack)
#   bash scripts/setup.sh --test   # also what the prometheus, package and browser suites run
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
  # Ninja keeps both cores busy across targets, where make waits for a library before compiling
  # what depends on it (scripts/build.sh and sanitize.sh use it for a new build directory).
  ninja-build
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
  # The browser suite (tests/browser): headless Chromium, driven from Node.js by playwright-core.
  chromium
  # The PostgreSQL server for the `postgres` suites: scripts/pg-cluster.sh starts a throwaway
  # cluster per test run (initdb + pg_ctl, no service manager).
  postgresql
)
# Debian 12's Node.js is 18, which the suite's pinned playwright-core supports; a newer Node.js
# already installed (e.g. from another source) is kept.
command -v node >/dev/null || test_packages+=(nodejs)
command -v npm >/dev/null || test_packages+=(npm)
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

# The browser suite's npm packages, exactly as tests/browser/package-lock.json pins them (no
# browser download: the suite uses Debian's /usr/bin/chromium). Skipped when node_modules is
# newer than the lock and has both packages.
if ((with_tests)); then
  browser="$(cd "$(dirname "$0")/.." && pwd)/tests/browser"
  if [ ! -f "$browser/node_modules/.package-lock.json" ] ||
     [ "$browser/package-lock.json" -nt "$browser/node_modules/.package-lock.json" ] ||
     ! (cd "$browser" && node -e "require.resolve('playwright-core'); require.resolve('axe-core')" 2>/dev/null); then
    (cd "$browser" && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
