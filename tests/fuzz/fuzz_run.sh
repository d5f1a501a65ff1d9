#!/usr/bin/env bash
# ctest fuzz_run.<name>: a bounded libFuzzer run of one target (tests/fuzz/README.md).
# Usage: fuzz_run.sh NAME BINARY CORPUS ARTIFACT_DIR SECONDS
# The corpus is copied to a scratch directory (new inputs are not kept); a fresh seed is
# printed first (ZK_FUZZ_SEED=<n> repeats it). On a crash the input stays in ARTIFACT_DIR and
# the way to replay it and keep it as a regression test is printed. Exit 77 (ctest SKIP) when
# BINARY was not built (the fuzz tree is built by tools/test.sh with clang).
set -uo pipefail
if (($# != 5)); then
  echo "usage: $0 NAME BINARY CORPUS ARTIFACT_DIR SECONDS" >&2
  exit 2
fi
name=$1 bin=$(realpath -m "$2") corpus=$3 artifacts=$(realpath -m "$4") seconds=$5

if [[ ! -x $bin ]]; then
  echo "skipped: $bin not built (configure a clang tree with -DZK_FUZZ=ON there and build" \
       "zk_fuzz_all; tools/test.sh does)"
  exit 77
fi
seed=${ZK_FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
((seed == 0)) && seed=1  # libFuzzer takes -seed=0 as "pick one"
echo "fuzz_run.$name: seed $seed, $seconds s (repeat with ZK_FUZZ_SEED=$seed)"

# In /dev/shm when possible: targets that write files (sqlite_snapshot) use $TMPDIR.
base=${TMPDIR:-/tmp}
[[ -d /dev/shm && -w /dev/shm ]] && base=/dev/shm
scratch=$(mktemp -d "$base/zk-fuzz-$name.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/corpus" "$scratch/tmp" "$artifacts"
export TMPDIR=$scratch/tmp
[[ -d $corpus ]] && cp -r "$corpus/." "$scratch/corpus/"
# Anything already in ARTIFACT_DIR is from an earlier run; only new files are reported.
before=$(ls -A "$artifacts")

# -timeout: one input running 10 s is a hang; -rss_limit_mb: ASan's default 2 GB bound.
# Output goes to a log and only its tail is shown when all is well (libFuzzer is chatty).
log=$scratch/log
"$bin" -seed="$seed" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -print_final_stats=1 -artifact_prefix="$artifacts/" "$scratch/corpus" >"$log" 2>&1
rc=$?
if ((rc == 0)); then
  grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::new_units_added)' "$log"
  echo "fuzz_run.$name: no crash"
  exit 0
fi
cat "$log"
echo
echo "fuzz_run.$name: libFuzzer exited with $rc (seed $seed)"
for f in "$artifacts"/*; do
  [[ -e $f ]] || continue
  grep -qxF "$(basename "$f")" <<<"$before" && continue
  src=$(cd "$(dirname "$0")" && pwd)
  echo "  input: $f"
  echo "  replay: $bin $f"
  echo "  regression test: fix the bug, then cp $f $src/corpus/$name/<what-it-is>;"
  echo "                   ctest -R fuzz_corpus.$name replays it in every build"
done
exit 1
