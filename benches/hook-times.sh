#!/usr/bin/env bash
# Each hook's own time in a commit, and the whole `git add` and
# `git commit`, from git's GIT_TRACE2_PERF (issue 24): medians of N commits
# made by COMMIT_SH (e.g. target/bench/vs-floor-commit.sh, which
# benches/hooks-vs-floor.sh writes) in each REPO, the repositories taking
# turns commit by commit (so a machine that slows down slows them all
# alike), with PAUSE seconds (default 0.4, not counted) before each commit
# so that post-commit's background drainer is done before the next one.
#
#   benches/hook-times.sh N COMMIT_SH REPO[:BINDIR]...
#
# REPO:BINDIR runs that repository's hooks with the trail in BINDIR (first
# on PATH): two builds measured commit by commit. COMMIT_SH and the
# repositories are best given as absolute paths.
#
# e.g. with target/bench/vs-floor-50000-trail and -floor: the difference per
# hook is what trail adds to git's floor.
set -euo pipefail
runs=$1 commit=$2
shift 2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for _ in $(seq "$runs"); do
  n=0
  for spec in "$@"; do
    n=$((n + 1))
    repo=${spec%%:*}
    bin=
    [ "$repo" = "$spec" ] || bin=${spec#*:}:
    sleep "${PAUSE:-0.4}"
    (cd "$repo" && PATH=$bin$PATH GIT_TRACE2_PERF=$dir/$n sh "$commit" 2>/dev/null)
  done
done
n=0
for repo in "$@"; do
  n=$((n + 1))
  echo "== $repo"
  python3 - "$dir/$n" <<'PY'
import collections, re, statistics, sys
children, times, command = {}, collections.defaultdict(list), None
for line in open(sys.argv[1]):
    f = [x.strip() for x in line.split("|")]
    if len(f) < 9 or f[1] != "d0":
        continue
    if f[3] == "start":
        command = f[8]
    elif f[3] == "child_start":
        m = re.search(r"\[ch(\d+)\] class:(\S+)(?: hook:(\S+))?", f[8])
        children[m.group(1)] = m.group(3) or "other child"
    elif f[3] == "child_exit":
        m = re.search(r"\[ch(\d+)\]", f[8])
        times[children.get(m.group(1))].append(float(f[6]) * 1000)
    elif f[3] == "atexit":
        times["whole " + " ".join(command.split()[:2])].append(float(f[5]) * 1000)
for name, values in sorted(times.items()):
    print(f"  {name:28s} median {statistics.median(values):6.1f} ms  min {min(values):6.1f}  n={len(values)}")
PY
done
