#!/usr/bin/env bash
# The cost of trail's hooks on `git commit`, against a hook-less commit of the
# same change on a copy of the same repository, in the same run.
#
#   benches/hooks-overhead.sh [FILES]     (default 50000 files in the work tree)
#
# 1. A commit of 10 files in 3 directories (target: at most 1.3x the hook-less
#    commit and under 30 ms added).
# 2. A commit of 5,000 files in 1,000 directories (target: hooks done in under 2 s).
#
# Needs hyperfine and python3; gen-history from GEN_HISTORY (default
# ../shared/tools/gen-history). Results on stdout and in target/bench/hooks-*.json.
set -euo pipefail
cd "$(dirname "$0")/.."
files=${1:-50000}
gen=${GEN_HISTORY:-../shared/tools/gen-history}
out=$PWD/target/bench
mkdir -p "$out"
. benches/hooks-common.sh

cargo build --release --locked -q
export PATH=$PWD/target/release:$PATH
export TRAIL_WHY="benchmark" TRAIL_IMPACT="none"

base=$out/hooks-base-$files
rm -rf "$base-plain" "$base-trail"
make_base "$base" "$files"
cp -a "$base" "$base-plain"
cp -a "$base" "$base-trail"
(cd "$base-trail" && trail init >/dev/null 2>&1 && trail import >/dev/null 2>&1)
# Every directory gets its CHANGELOG.md in a first commit, so the measured
# commits update existing files (the steady state), as in the plain copy.
(cd "$base-trail" && git add -A && git commit -q -m "trail set-up")
# WITH_DAEMON=1: the watcher runs in the trail copy, so the hooks reach the
# journal through its socket instead of opening the store.
if [ "${WITH_DAEMON:-0}" = 1 ]; then
  (cd "$base-trail" && trail daemon start >/dev/null 2>&1)
  trap '(cd "$base-trail" && trail daemon stop >/dev/null 2>&1)' EXIT
fi
(cd "$base-plain" && git commit -q --allow-empty -m "set-up")

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(git --version), $(git -C "$base" ls-files | wc -l) files"

pick=$(small_pick "$base")
write_small_commit "$out/commit-small.sh" "$pick"

echo "== commit of 10 files in 3 directories: hook-less vs with trail's hooks"
hyperfine --warmup 3 --runs 30 --export-json "$out/hooks-small.json" \
  -n "git commit (no hooks)" "cd $base-plain && $out/commit-small.sh" \
  -n "git commit (trail hooks)" "cd $base-trail && $out/commit-small.sh"

echo "== commit of 5000 files in 1000 directories"
git -C "$base" ls-files | awk -F/ '{d=$0; sub(/\/[^\/]*$/,"",d); if (n[d]<5 && k<5000) {print; n[d]++; k++}}' >"$out/big-pick.txt"
echo "picked $(wc -l <"$out/big-pick.txt") files in $(sed 's|/[^/]*$||' "$out/big-pick.txt" | sort -u | wc -l) directories"
cat >"$out/commit-big.sh" <<'SCRIPT'
#!/bin/sh
# Change the picked files and commit them.
set -e
while IFS= read -r f; do echo "line $$" >>"$f"; done <"$PICK"
tr '\n' '\0' <"$PICK" | xargs -0 git add
git commit -q -m "big change"
SCRIPT
chmod +x "$out/commit-big.sh"
export PICK=$out/big-pick.txt
hyperfine --warmup 1 --runs 5 --export-json "$out/hooks-big.json" \
  -n "git commit (no hooks)" "cd $base-plain && $out/commit-big.sh" \
  -n "git commit (trail hooks)" "cd $base-trail && $out/commit-big.sh"
