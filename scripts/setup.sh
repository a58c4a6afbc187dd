#!/usr/bin/env bash
# Installs everything incident-bot needs to build and test on Debian 12.
# Idempotent: packages already present are skipped by apt-get; safe to run as root on a fresh machine.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git ca-certificates
  libboost1.81-dev libssl-dev openssl
  nlohmann-json3-dev libsqlitecpp-dev libsqlite3-dev sqlite3
  doctest-dev
  python3
  # Operations (issue 14): metrics registry and its text serializer; promtool and a Prometheus
  # server for the metrics tests; dpkg-dev/fakeroot for the CPack .deb; systemd for
  # `systemd-analyze verify` of the units.
  prometheus-cpp-dev prometheus
  dpkg-dev fakeroot systemd
)

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
fi
