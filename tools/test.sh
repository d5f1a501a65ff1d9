#!/usr/bin/env bash
# The README's test command: install what is missing, build, run the whole test suite.
# The last line printed is ctest's summary. Extra arguments go to ctest (e.g. -L unit).
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build}
bash "$ROOT/tools/setup.sh" || exit 1
LOG=$(mktemp)
ctest --test-dir "$BUILD" --output-on-failure -j2 --timeout 600 "$@" 2>&1 | tee "$LOG"
rc=${PIPESTATUS[0]}
summary=$(grep -E 'tests passed|tests failed' "$LOG" | tail -n 1)
rm -f "$LOG"
echo
echo "${summary:-ctest printed no summary}"
exit "$rc"
