#!/usr/bin/env bash
# The README's test command: install what is missing, build, run the whole test suite.
# The last line printed is ctest's summary. Extra arguments go to ctest (e.g. -L unit).
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build}
bash "$ROOT/tools/setup.sh" || exit 1
# --- fuzz tree (tests/fuzz/README.md) -------------------------------------------------------
# A second, clang + libFuzzer + ASan tree in $BUILD/fuzz holding only the fuzz targets and the
# libraries they need; ctest's fuzz_run.* tests run each for a bounded time (they skip when
# this tree is missing). ZK_FUZZ_BUILD=0 leaves it out.
if [[ ${ZK_FUZZ_BUILD:-1} != 0 ]]; then
  CC=clang CXX=clang++ cmake -S "$ROOT" -B "$BUILD/fuzz" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DZK_FUZZ=ON >/dev/null || exit 1
  cmake --build "$BUILD/fuzz" --target zk_fuzz_all -j"$(nproc)" || exit 1
fi
# --- end of fuzz tree -----------------------------------------------------------------------
LOG=$(mktemp)
ctest --test-dir "$BUILD" --output-on-failure -j2 --timeout 600 "$@" 2>&1 | tee "$LOG"
rc=${PIPESTATUS[0]}
summary=$(grep -E 'tests passed|tests failed' "$LOG" | tail -n 1)
rm -f "$LOG"
echo
echo "${summary:-ctest printed no summary}"
exit "$rc"
