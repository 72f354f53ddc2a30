#!/usr/bin/env bash
# A hook through the watcher after a quiet spell (its store process has
# exited), against the same hook opening the store directly (issue 5: at most
# 2 ms more). The 10-file commit of benches/hooks-overhead.sh, in the
# repository that script made (run it first), with QUIET seconds (default 12)
# of nothing before each; post-commit's time is git's own (GIT_TRACE2_PERF).
#
#   benches/hooks-after-quiet.sh [COMMITS]     (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-5}
quiet=${QUIET:-12}
out=$PWD/target/bench
repo=$out/hooks-base-50000-trail
[ -d "$repo" ] || { echo "run benches/hooks-overhead.sh first (it makes $repo)" >&2; exit 2; }
cargo build --release --locked -q
export PATH=$PWD/target/release:$PATH TRAIL_WHY="benchmark" TRAIL_IMPACT="none"
cd "$repo"
commits() {
  for _ in $(seq 1 "$n"); do
    sleep "$quiet"
    rm -f "$out/quiet.trace"
    GIT_TRACE2_PERF="$out/quiet.trace" sh "$out/commit-small.sh"
    grep region_leave "$out/quiet.trace" | grep 'label:post-commit' | awk -F'|' '{printf "%.1f ms  ", $7 * 1000}'
  done
  echo
}
echo "== post-commit after ${quiet} s of quiet, through the watcher"
trail daemon start >/dev/null 2>&1
trap 'trail daemon stop >/dev/null 2>&1' EXIT
commits
trail daemon stop >/dev/null 2>&1
trap - EXIT
echo "== post-commit opening the store directly (no watcher)"
commits
