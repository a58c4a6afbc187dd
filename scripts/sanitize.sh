#!/usr/bin/env bash
# Builds the whole test suite with AddressSanitizer + UndefinedBehaviorSanitizer (g++, IB_SANITIZE=ON)
# into ./build-asan (or $BUILD_DIR) and runs every test under ctest. Any sanitizer report fails
# the run: ASan aborts on the first error, UBSan halts on the first one, LeakSanitizer runs at exit.
# The e2e tests start build-asan/incident-bot, which inherits these options.
#
# Slow: the Beast translation units take minutes each under ASan and ~5 GB of memory; set JOBS to
# build with fewer jobs than cores when memory is short. Extra arguments go to cmake's configure step.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${BUILD_DIR:-build-asan}"
jobs="${JOBS:-$(nproc)}"

bash scripts/setup.sh

start=$SECONDS
stamp() { printf '[sanitize] %s (%ds)\n' "$1" $((SECONDS - start)); }

# -g1 (line tables only): reports keep file and line, and the build costs about a third less compiler
# time than -O2 -g (core/export.cpp under ASan: 30.0 s of CPU against 46.7 s, /usr/bin/time on the
# 2-core CI machine kind). -O2 stays, so the tests run as fast as before (-O1 -g1 was 24.9 s but
# slower tests, and the e2e suites have deadlines). IB_UNITY: the product code in batches
# (CMakeLists.txt; the saving is in the README's CI paragraph). The test files themselves at -O0
# (IB_TEST_OPTIMIZE, tests/CMakeLists.txt): a quarter of their -O2 compile time under ASan, and the
# code they test stays at -O2. Ninja for a new build directory, as in scripts/build.sh.
generator=()
[ -f "$build_dir/CMakeCache.txt" ] || ! command -v ninja >/dev/null || generator=(-G Ninja)
cmake -S . -B "$build_dir" "${generator[@]}" -DIB_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" -DIB_BUILD_TESTS=ON -DIB_UNITY=ON \
  -DIB_TEST_OPTIMIZE=-O0 "$@" >/dev/null
# Only what the suites below run: the bot's unit, app, transport and end-to-end binaries (e2e_tests
# brings incident-bot and incident-bot-faults). The simulator's own tests, slack-sim and the tagger's
# training tools test the test harness, not the bot: the regular pass runs them (label sim).
cmake --build "$build_dir" -j "$jobs" --target unit_tests app_tests transport_tests e2e_tests dump_outputs
stamp "built"

# Options are appended to what the caller already set, so ASAN_OPTIONS=… can add more.
# abort_on_error=1 in both: a report then ends the process with SIGABRT (exit 134 as the e2e
# harness decodes it). Without it UBSan exits with 1 (ASAN_OPTIONS does not apply to UBSan
# reports, and g++'s object-size check reports many heap overflows before ASan does), which is
# the bot's own "command failed" exit code that some e2e tests expect.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:abort_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
status=0
# The Prometheus server, the Debian package and the browser suites test what the regular pass
# already covers from outside the binary, the simulator's own suites test the harness, and the
# storage suite on PostgreSQL runs the same code paths as on SQLite above the engine: they run
# there only (labels prometheus, package, browser, sim, postgres).
ctest --test-dir "$build_dir" --output-on-failure --timeout 1800 -j "$jobs" -LE 'prometheus|package|sim|browser|postgres' || status=$?
stamp "tests done (ctest exit $status)"
exit "$status"
