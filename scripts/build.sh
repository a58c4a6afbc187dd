#!/usr/bin/env bash
# Configures and builds into ./build (or $BUILD_DIR). Extra arguments go to cmake's configure step.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${BUILD_DIR:-build}"
# A new build directory gets Ninja when it is installed (scripts/setup.sh installs it); an existing
# one keeps the generator it was made with.
generator=()
[ -f "$build_dir/CMakeCache.txt" ] || ! command -v ninja >/dev/null || generator=(-G Ninja)
cmake -S . -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" "$@" >/dev/null
# Beast translation units need ~1.5 GB each; the job count follows the cores.
cmake --build "$build_dir" -j "$(nproc)"
