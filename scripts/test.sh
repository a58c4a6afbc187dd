#!/usr/bin/env bash
# Installs what is needed, builds everything with warnings as errors, runs every test (ctest),
# then builds the whole suite again with AddressSanitizer + UndefinedBehaviorSanitizer and runs it
# once more (scripts/sanitize.sh, build-asan/). On 2 cores: ~15 min for the first build, ~1 min of
# tests, ~30 min for the sanitizer build and its run.
#
#   bash scripts/test.sh            # everything (what .ci/run runs)
#   bash scripts/test.sh --quick    # skip the sanitizer pass (local iterations)
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${BUILD_DIR:-build}"
sanitize=1
for arg in "$@"; do
  case "$arg" in
    --quick) sanitize=0 ;;
    *) echo "scripts/test.sh: unknown option '$arg' (known: --quick)" >&2; exit 2 ;;
  esac
done

bash scripts/setup.sh --test
# IB_UNITY: a clean build in batches (CMakeLists.txt; the saving is in the README's CI paragraph).
bash scripts/build.sh -DIB_BUILD_TESTS=ON -DIB_WERROR=ON -DIB_UNITY=ON
# The tagger's precision/recall/F1 on the labelled corpora (the same test also runs under ctest).
"$build_dir/tests/unit_tests" --test-suite=tagger --test-case='*figures*' --no-intro | grep -v '^\[doctest\]' || true
ctest --test-dir "$build_dir" --output-on-failure --timeout 900 -j "$(nproc)"

if ((sanitize)); then
  bash scripts/sanitize.sh
fi
