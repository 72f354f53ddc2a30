#!/usr/bin/env bash
# A hook through the watcher after a quiet spell (its store process has
# closed the store; the next waits in standby), against the same hook opening the store directly (issue 5: at most
# 2 ms more). Two copies of the repository benches/hooks-overhead.sh made
# (run it first): the watcher runs in the first only. Operations alternate,
# one in each: the one without the watcher halfway through QUIET seconds
# (default 12) of nothing in the first, then the one through the watcher, so
# that a drift of the machine falls on both alike. The hook's time is git's
# own (GIT_TRACE2_PERF).
#
#   benches/hooks-after-quiet.sh [N]     (N pairs, default 10)
#
# OP=commit (default): the 10-file commit of benches/hooks-overhead.sh,
# post-commit timed. OP=checkout: `git checkout` between the branch's head
# and its parent (10 files apart), post-checkout timed. HOOK=NAME times
# another hook of the operation (HOOK=pre-commit with OP=commit). OP=push:
# the 10-file commit in each copy first (not timed; the quiet counts from
# it), then `git push` of it to a bare repository beside the copy,
# pre-push timed.
set -euo pipefail
cd -P "$(dirname "$0")/.."
n=${1:-10}
quiet=${QUIET:-12}
op=${OP:-commit}
out=$PWD/target/bench
repo=$out/hooks-base-50000-trail
twin=$out/hooks-base-50000-trail-twin
[ -d "$repo" ] || { echo "run benches/hooks-overhead.sh first (it makes $repo)" >&2; exit 2; }
case $op in
commit) hook=${HOOK:-post-commit} ;;
checkout) hook=${HOOK:-post-checkout} ;;
push) hook=${HOOK:-pre-push} ;;
*) echo "OP is commit, checkout or push" >&2; exit 2 ;;
esac
cargo build --release --locked -q
export PATH=$PWD/target/release:$PATH TRAIL_WHY="benchmark" TRAIL_IMPACT="none"
branch=$(git -C "$repo" branch --show-current)
[ -n "$branch" ] || { echo "$repo: HEAD is detached; check out its branch first" >&2; exit 2; }
(cd "$repo" && trail daemon stop >/dev/null 2>&1) || true
if [ ! -d "$twin" ] || [ "$(git -C "$twin" rev-parse HEAD)" != "$(git -C "$repo" rev-parse HEAD)" ]; then
  rm -rf "$twin"
  cp -a "$repo" "$twin"
  # No watcher runs in the twin: nothing of one may be copied with it.
  rm -f "$twin"/.git/trail/daemon.* "$twin/.git/trail/watch.running"
fi
if [ "$op" = push ]; then
  # A bare repository beside each copy, holding its branch as it is now.
  for r in "$repo" "$twin"; do
    rm -rf "$r.remote"
    git init -q --bare "$r.remote"
    git -C "$r" remote remove bench 2>/dev/null || true
    git -C "$r" remote add bench "$r.remote"
    git -C "$r" push -q --no-verify bench "$branch"
  done
fi

# one DIR: one operation there; prints the hook's time in ms.
one() {
  local trace=$out/quiet.trace
  rm -f "$trace"
  (
    cd "$1"
    if [ "$op" = commit ]; then
      GIT_TRACE2_PERF="$trace" sh "$out/commit-small.sh"
    elif [ "$op" = push ]; then
      GIT_TRACE2_PERF="$trace" git push -q bench "$branch"
    elif [ -z "$(git branch --show-current)" ]; then
      GIT_TRACE2_PERF="$trace" git checkout -q "$branch"
    else
      GIT_TRACE2_PERF="$trace" git checkout -q HEAD~1
    fi
  )
  local t
  t=$(grep region_leave "$trace" | grep "label:$hook" | awk -F'|' '{printf "%.1f\n", $7 * 1000}' | tail -n 1)
  if [ -z "$t" ]; then
    # git push runs pre-push as a child without a region: its child_exit.
    local child
    child=$(grep child_start "$trace" | grep "hook:$hook " | grep -o '\[ch[0-9]*\]' | tail -n 1)
    [ -n "$child" ] && t=$(grep child_exit "$trace" | grep -F "$child" | awk -F'|' '{printf "%.1f\n", $7 * 1000}' | tail -n 1)
  fi
  [ -n "$t" ] || { echo "no $hook region in git's trace of the operation in $1" >&2; exit 1; }
  echo "$t"
}

median() { sort -n "$1" | awk '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.1f ms (%d runs, %.1f-%.1f)", m, NR, a[1], a[NR] }'; }

through=$(mktemp) direct=$(mktemp) diffs=$(mktemp)
cleanup() {
  rm -f "$through" "$direct" "$diffs"
  (cd "$repo" && trail daemon stop >/dev/null 2>&1) || true
  for r in "$repo" "$twin"; do git -C "$r" checkout -q "$branch" 2>/dev/null || true; done
}
trap cleanup EXIT
(cd "$repo" && trail daemon start >/dev/null)
journal=$repo/.git/trail/journal
# Whether one of the watcher's store processes has the store open now.
store_open() {
  local watcher p
  watcher=$(cat "$repo/.git/trail/daemon.pid")
  for p in $(pgrep -P "$watcher"); do
    [ -n "$(find "/proc/$p/fd" -lname "$journal/*" 2>/dev/null)" ] && return 0
  done
  return 1
}
echo "== $hook: through the watcher after ${quiet} s of quiet | opening the store directly (no watcher)"
for _ in $(seq 1 "$n"); do
  if [ "$op" = push ]; then
    for r in "$repo" "$twin"; do (cd "$r" && sh "$out/commit-small.sh"); done
  fi
  sleep "$((quiet / 2))"
  b=$(one "$twin")
  sleep "$((quiet - quiet / 2))"
  # A store process with the store still open would make this a warm run: say so.
  warm=
  store_open && warm=" (the store was open)"
  a=$(one "$repo")
  echo "$a" >>"$through"
  echo "$b" >>"$direct"
  awk -v a="$a" -v b="$b" 'BEGIN { print a - b }' >>"$diffs"
  printf '%6.1f ms | %6.1f ms%s\n' "$a" "$b" "$warm"
done
echo "median through the watcher: $(median "$through")"
echo "median opening the store:   $(median "$direct")"
echo "median of the differences:  $(median "$diffs")"
