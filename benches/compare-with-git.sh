#!/usr/bin/env bash
# Whole-command benchmarks of trail against git on the same repository, in the
# same run (ratios hold on a noisy machine; absolute times don't).
#
#   benches/compare-with-git.sh [COMMITS]     (default 50000)
#
# Needs: hyperfine, python3, GNU time (/usr/bin/time), and gen-history
# (GEN_HISTORY, default ../shared/tools/gen-history). Results go to stdout and
# to target/bench/*.json; copy the figures into docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
commits=${1:-50000}
gen=${GEN_HISTORY:-../shared/tools/gen-history}
out=target/bench
mkdir -p "$out"

cargo build --release --locked -q
trail=$PWD/target/release/trail
repo=$out/history-$commits
[ -d "$repo" ] || python3 "$gen" "$repo" --commits "$commits"
cd "$repo"

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(git --version)"

echo "== import of $commits commits vs git log --name-status -M"
# (not -N: the prepare step needs a shell; a shell's start-up is noise next to seconds)
# `git prune` drops the previous run's checkpoint objects, so that every run
# pays for writing its own (a blob already present is not written again).
hyperfine --warmup 1 --runs 5 \
  --prepare "rm -rf .git/trail && git update-ref -d refs/trail/journal; git prune --expire=now; $trail init 2>/dev/null" \
  --export-json "../import.json" \
  "$trail import" \
  "git log --name-status -M --format=%H"

echo "== peak memory of import"
rm -rf .git/trail && git update-ref -d refs/trail/journal; $trail init 2>/dev/null
/usr/bin/time -f "import: %e s wall, %M KiB peak RSS" "$trail" import

file=$(git log --format= --name-only -n 1 HEAD~10 | head -1)
subdir=$(dirname "$file")/
dir=$(dirname "$(dirname "$file")")/
echo "== log --path for a file ($file) and two directories ($subdir, $dir)"
"$trail" status >/dev/null # the first open after an import replays sled's log
hyperfine -N --warmup 3 --runs 30 --export-json "../log.json" \
  "$trail log --path $file" \
  "git log --format=%H -- $file" \
  "$trail log --path $subdir" \
  "git log --format=%H -- $subdir" \
  "$trail log --path $dir" \
  "git log --format=%H -- $dir"
for p in "$file" "$subdir" "$dir"; do
  echo "answer size for $p: $($trail log --path "$p" --json | wc -l) records"
done

echo "== verify"
hyperfine -N --warmup 1 --runs 10 --export-json "../verify.json" "$trail verify"
"$trail" verify
