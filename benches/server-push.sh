#!/usr/bin/env bash
# What trail's server hooks add to a push (issue 17): the same pushes to two
# bare repositories, one without hooks and one with `trail hooks install
# --server`, side by side in one hyperfine run.
#
#   benches/server-push.sh [FILES]     (default 20000 files in the tree)
#
# 1. `git push` of 1,000 ordinary commits onto the server's main.
# 2. `git push` of a merge that brings a 1,000-commit branch (the branch is
#    pushed with it: 1,001 new commits).
# Before each run the server's main is set back with `update-ref`, so every
# run sends and receives the same pack and the hooks judge the same commits.
# Target: with hooks at most 1.5x without.
#
# Needs hyperfine and gen-history (GEN_HISTORY, default
# ../shared/tools/gen-history). Results on stdout and in target/bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
files=${1:-20000}
gen=${GEN_HISTORY:-../shared/tools/gen-history}
out=$PWD/target/bench
mkdir -p "$out"

cargo build --release --locked -q
export PATH=$PWD/target/release:$PATH

work=$out/server-push
rm -rf "$work"
mkdir -p "$work"
client=$work/client
python3 "$gen" "$client" --commits 2001 --files "$files" --dirs $((files / 25)) >/dev/null
git -C "$client" config user.name "Bench Mark"
git -C "$client" config user.email bench@example.org
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(git --version), $(git -C "$client" ls-tree -r --name-only HEAD | wc -l) files, $(git -C "$client" rev-list --count HEAD) commits"

tip=$(git -C "$client" rev-parse HEAD)
base=$(git -C "$client" rev-parse HEAD~1000)
# A main line that moved on by one commit, and a merge of the 1,000-commit
# branch (base..tip) into it.
git -C "$client" checkout -q -b mainline "$base"
git -C "$client" commit -q --allow-empty -m "main moves on"
mainline=$(git -C "$client" rev-parse HEAD)
git -C "$client" merge -q --no-ff --no-edit "$tip" -m "merge the 1,000-commit branch"
merge=$(git -C "$client" rev-parse HEAD)

for server in plain trail; do
  git init -q --bare -b main "$work/$server.git"
  git -C "$client" push -q "$work/$server.git" "$base:refs/heads/main" "$mainline:refs/heads/seed"
done
(cd "$work/trail.git" && trail hooks install --server >/dev/null 2>&1)
test -x "$work/trail.git/hooks/pre-receive"

for server in plain trail; do
  # The first push with trail's hooks builds the ledger: not what is measured.
  git -C "$client" push -q "$work/$server.git" "$tip:refs/heads/warm"
  git -C "$client" push -q "$work/$server.git" ":refs/heads/warm" 2>/dev/null || git -C "$work/$server.git" update-ref -d refs/heads/warm
done

echo "== git push of 1,000 ordinary commits"
hyperfine -N --warmup 2 --runs 15 --export-json "$out/server-push-1000.json" \
  -n "no hooks" --prepare "git -C $work/plain.git update-ref refs/heads/main $base" \
  "git -C $client push -q $work/plain.git $tip:refs/heads/main" \
  -n "trail's server hooks" --prepare "git -C $work/trail.git update-ref refs/heads/main $base" \
  "git -C $client push -q $work/trail.git $tip:refs/heads/main"

echo "== git push of a merge bringing a 1,000-commit branch"
hyperfine -N --warmup 2 --runs 15 --export-json "$out/server-push-merge.json" \
  -n "no hooks" --prepare "git -C $work/plain.git update-ref refs/heads/main $mainline" \
  "git -C $client push -q $work/plain.git $merge:refs/heads/main" \
  -n "trail's server hooks" --prepare "git -C $work/trail.git update-ref refs/heads/main $mainline" \
  "git -C $client push -q $work/trail.git $merge:refs/heads/main"
