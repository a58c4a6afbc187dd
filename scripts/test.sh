#!/usr/bin/env bash
# Installs what is needed, builds everything with warnings as errors, runs every test (ctest),
# then builds the whole suite again with AddressSanitizer + UndefinedBehaviorSanitizer and runs it
# once more (scripts/sanitize.sh, build-asan/). Nearly all of the time is the two builds; README
# "CI build time" says what keeps them short and what it saves.
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

start=$SECONDS
stamp() { printf '[test] %s (%ds)\n' "$1" $((SECONDS - start)); }

bash scripts/setup.sh --test
stamp "set up"
# IB_UNITY: a clean build in batches; IB_TEST_OPTIMIZE=-O1: the test files themselves at -O1, the
# code they test at -O3 (CMakeLists.txt, tests/CMakeLists.txt; the savings are in the README's CI
# paragraph).
bash scripts/build.sh -DIB_BUILD_TESTS=ON -DIB_WERROR=ON -DIB_UNITY=ON -DIB_TEST_OPTIMIZE=-O1
stamp "built"
# The tagger's precision/recall/F1 on the labelled corpora (the same test also runs under ctest).
"$build_dir/tests/unit_tests" --test-suite=tagger --test-case='*figures*' --no-intro | grep -v '^\[doctest\]' || true
ctest --test-dir "$build_dir" --output-on-failure --timeout 900 -j "$(nproc)"
stamp "tests done"

if ((sanitize)); then
  bash scripts/sanitize.sh
fi
