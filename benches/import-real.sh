#!/usr/bin/env bash
# `trail init && trail import` against `git log --name-status -M --format=%H`
# on real histories, side by side in one run (issue 20): BurntSushi/ripgrep,
# rust-lang/cargo and git/git, plus the peak memory of each import.
#
#   benches/import-real.sh [REPOS_DIR]     (default target/bench/real)
#
# REPOS_DIR holds one clone per history, named ripgrep, cargo and git (any
# clone with its history: `git clone --no-checkout URL REPOS_DIR/NAME`). A
# missing one is named with the command that gets it, and skipped.
# Needs hyperfine and GNU time (/usr/bin/time). Results on stdout and in
# target/bench/import-real-*.json; copy the figures into docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
repos=${1:-target/bench/real}
out=$PWD/target/bench
mkdir -p "$out"

cargo build --release --locked -q
trail=$PWD/target/release/trail

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(git --version)"
found=0
for entry in ripgrep=https://github.com/BurntSushi/ripgrep \
             cargo=https://github.com/rust-lang/cargo \
             git=https://github.com/git/git; do
  name=${entry%%=*} url=${entry#*=}
  repo=$repos/$name
  if ! git -C "$repo" rev-parse -q --verify HEAD >/dev/null 2>&1; then
    echo "-- $name: no clone at $repo; get it with: git clone --no-checkout $url $repo"
    continue
  fi
  found=$((found + 1))
  commits=$(git -C "$repo" rev-list --count HEAD)
  echo "== $name: $commits commits"
  (
    cd "$repo"
    # `git prune` drops the previous run's checkpoint objects, so that each
    # run pays for writing its own.
    hyperfine --warmup 1 --runs 3 \
      --prepare "rm -rf .git/trail trail.toml && git update-ref -d refs/trail/journal; git prune --expire=now" \
      --export-json "$out/import-real-$name.json" \
      "$trail init >/dev/null 2>&1 && $trail import" \
      "git log --name-status -M --format=%H"
    rm -rf .git/trail trail.toml && git update-ref -d refs/trail/journal
    $trail init >/dev/null 2>&1
    /usr/bin/time -f "$name import: %e s wall, %U s user, %M KiB peak RSS" "$trail" import
    /usr/bin/time -f "$name git log: %e s wall, %U s user, %M KiB peak RSS" \
      git log --name-status -M --format=%H >/dev/null
  )
done
if [ "$found" = 0 ]; then
  echo "no clone found under $repos: nothing measured" >&2
  exit 1
fi
