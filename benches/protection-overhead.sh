#!/usr/bin/env bash
# The cost of the MCP protection checks (issue 4), on a 100,000-file repository.
#
#   benches/protection-overhead.sh [FILES]     (default 100000)
#
# 1. pre-commit of a 10-file change, with protection (this tree) against the
#    same hook built at BASELINE_REV (default d546ec6, the last commit before
#    protection was enforced), on the same staged repository: the difference
#    is what the protection check adds (target: under 5 ms).
# 2. `git branch NEW` (one ref update) with and without the strict
#    reference-transaction hook installed, on two copies of one repository:
#    the difference is the hook's cost per ref update (target: under 10 ms).
#
# Needs hyperfine, python3 and gen-history (GEN_HISTORY, default
# ../shared/tools/gen-history). Results on stdout and in target/bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
files=${1:-100000}
gen=${GEN_HISTORY:-../shared/tools/gen-history}
baseline_rev=${BASELINE_REV:-d546ec6}
out=$PWD/target/bench
mkdir -p "$out"

cargo build --release --locked -q
new=$PWD/target/release/trail
# The baseline binary, built once in a worktree of its own.
old_tree=$out/baseline-src
old=$out/baseline-target/release/trail
if [ ! -x "$old" ]; then
  rm -rf "$old_tree"
  git worktree prune
  git worktree add --detach "$old_tree" "$baseline_rev" >/dev/null
  (cd "$old_tree" && CARGO_TARGET_DIR=$out/baseline-target cargo build --release --locked -q)
fi
export TRAIL_WHY="benchmark" TRAIL_IMPACT="none"
export PATH=$(dirname "$new"):$PATH

repo=$out/protect-$files
rm -rf "$repo" "$repo-plain"
python3 "$gen" "$repo" --commits 100 --files "$files" --dirs $((files / 25)) --checkout >/dev/null
git -C "$repo" config user.name "Bench Mark"
git -C "$repo" config user.email bench@example.org
(cd "$repo" && trail init >/dev/null 2>&1)
(cd "$repo" && git add -A && git commit -q -m "trail set-up" 2>/dev/null)
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(git --version), $(git -C "$repo" ls-files | wc -l) files"

# Stage a 10-file change; run pre-commit once so that the CHANGELOG.md
# entries are staged and every measured run does the same work.
pick=$(git -C "$repo" ls-files | grep -v CHANGELOG.md | awk 'NR % 997 == 0' | head -10)
(cd "$repo" && for f in $pick; do echo "line" >>"$f"; done && git add $pick)
(cd "$repo" && "$new" hook pre-commit 2>/dev/null)

echo "== pre-commit of 10 staged files: baseline ($baseline_rev, no protection) vs this tree"
hyperfine -N --warmup 5 --runs 40 --export-json "$out/protect-precommit.json" \
  -n "pre-commit without protection" "sh -c 'cd $repo && exec $old hook pre-commit'" \
  -n "pre-commit with protection" "sh -c 'cd $repo && exec $new hook pre-commit'"

echo "== one ref update (git branch) without and with the strict reference-transaction hook"
(cd "$repo" && git reset -q && git checkout -q -- . && git clean -qfd)
cp -a "$repo" "$repo-plain"
printf '\n[protect]\nstrict = true\n' >>"$repo/trail.toml"
(cd "$repo" && git add trail.toml && git commit -q -m strict 2>/dev/null && trail hooks install >/dev/null 2>&1)
test -x "$repo/.git/hooks/reference-transaction"
git -C "$repo-plain" commit -q --allow-empty --no-verify -m "same depth"
# Two updates per run, each to a commit no branch points at, so the hook
# takes its full path (a `git rev-list` of the new commits) every time.
hyperfine -N --warmup 5 --runs 40 --export-json "$out/protect-reftx.json" \
  -n "2 ref updates (no reference-transaction hook)" "sh -c 'cd $repo-plain && git branch -f bench-tip HEAD~1 && git branch -f bench-tip HEAD~2'" \
  -n "2 ref updates (strict reference-transaction hook)" "sh -c 'cd $repo && git branch -f bench-tip HEAD~1 && git branch -f bench-tip HEAD~2'"
