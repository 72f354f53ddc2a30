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

cargo build --release --locked -q
export PATH=$PWD/target/release:$PATH
export TRAIL_WHY="benchmark" TRAIL_IMPACT="none"

base=$out/hooks-base-$files
rm -rf "$base" "$base-plain" "$base-trail"
python3 "$gen" "$base" --commits 200 --files "$files" --dirs $((files / 25)) --checkout >/dev/null
git -C "$base" config user.name "Bench Mark"
git -C "$base" config user.email bench@example.org
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

# 10 files from 3 directories that hold at least 4 files each.
pick=$(git -C "$base" ls-files | awk -F/ '
  { d = $0; sub(/\/[^\/]*$/, "", d); if (d ~ /\//) { n[d]++; if (n[d] <= 4) f[d] = f[d] " " $0 } }
  END { want[0] = 4; want[1] = 3; want[2] = 3; k = 0
        for (d in n) if (n[d] >= 4 && k < 3) { split(f[d], a, " "); for (i = 1; i <= want[k]; i++) printf "%s ", a[i]; k++ } }')
cat >"$out/commit-small.sh" <<SCRIPT
#!/bin/sh
# Change 10 files in 3 directories and commit them.
set -e
for f in $pick; do echo "line \$\$" >>"\$f"; done
git add $pick
git commit -q -m "small change"
SCRIPT
chmod +x "$out/commit-small.sh"

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
