#!/usr/bin/env bash
# Installs what is needed, builds everything with warnings as errors, and runs every test (ctest).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${BUILD_DIR:-build}"
bash scripts/setup.sh
bash scripts/build.sh -DIB_BUILD_TESTS=ON -DIB_WERROR=ON
# The tagger's precision/recall/F1 on the labelled corpora (the same test also runs under ctest).
"$build_dir/tests/unit_tests" --test-suite=tagger --test-case='*figures*' --no-intro | grep -v '^\[doctest\]' || true
ctest --test-dir "$build_dir" --output-on-failure --timeout 900 -j "$(nproc)"
