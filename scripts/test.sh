#!/usr/bin/env bash
# Installs what is needed, builds everything with warnings as errors, and runs every test (ctest).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh -DIB_BUILD_TESTS=ON -DIB_WERROR=ON
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure --timeout 600 -j "$(nproc)"
