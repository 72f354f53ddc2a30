#!/usr/bin/env bash
# Each hook's own time in a commit, and the whole `git add` and
# `git commit`, from git's GIT_TRACE2_PERF (issue 24): medians of N commits
# made by COMMIT_SH (e.g. target/bench/vs-floor-commit.sh, which
# benches/hooks-vs-floor.sh writes) in REPO, with PAUSE seconds (default
# 0.4, not counted) between them so that post-commit's background drainer
# is done before the next commit.
#
#   benches/hook-times.sh REPO N COMMIT_SH
#
# Run it on a trail repository and on the floor's (target/bench/vs-floor-FILES-trail
# and -floor) in turn: the difference per hook is what trail adds.
set -euo pipefail
repo=$1 runs=$2 commit=$3
trace=$(mktemp)
trap 'rm -f "$trace"' EXIT
cd "$repo"
for _ in $(seq "$runs"); do
  sleep "${PAUSE:-0.4}"
  GIT_TRACE2_PERF=$trace sh "$commit" 2>/dev/null
done
python3 - "$trace" <<'PY'
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
        children[m.group(1)] = m.group(3) or "other child (" + m.group(2) + ")"
    elif f[3] == "child_exit":
        m = re.search(r"\[ch(\d+)\]", f[8])
        times[children.get(m.group(1))].append(float(f[6]) * 1000)
    elif f[3] == "atexit":
        times["whole " + " ".join(command.split()[:2])].append(float(f[5]) * 1000)
for name, values in sorted(times.items()):
    print(f"{name:32s} median {statistics.median(values):6.1f} ms  min {min(values):6.1f}  n={len(values)}")
PY
