#!/usr/bin/env bash
# The journal's reads against issue 20's targets, end to end on a generated
# history: `trail verify` (target: at least 500,000 records/s) and
# `trail log --path` (target: under 50 ms) for a file, a directory holding
# about 1 % and one holding about 5 % of the journal, each beside
# `git log --format=%H -- PATH` on the same repository in the same run.
#
#   benches/journal-reads.sh [COMMITS]       (default 50000)
#
# TRAIL         the trail binary to measure (default: target/release/trail,
#               built here with `cargo build --release --locked -p trail`)
# BASELINE      another trail binary, timed in the same hyperfine runs (A/B:
#               ratios hold on a noisy machine, absolute times do not)
# GEN_HISTORY   gen-history (default ../shared/tools/gen-history)
# WORK          where the repository and the results go (default target/bench)
# FLOOR=1       also `cargo bench -p trail-journal --bench journal -- cold`
#               on a copy of the journal: verify, and everything it reads
#               read with nothing checked (what sled alone costs), each on a
#               store opened afresh
#
# Needs hyperfine, python3 and git. Results: stdout and $WORK/reads-*.json.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
commits=${1:-50000}
gen=${GEN_HISTORY:-../shared/tools/gen-history}
work=${WORK:-target/bench}
mkdir -p "$work"
work=$(cd "$work" && pwd)

if [ -z "${TRAIL:-}" ]; then
  cargo build --release --locked -q -p trail
  TRAIL=$root/target/release/trail
fi
for tool in hyperfine python3 git; do
  command -v "$tool" >/dev/null || { echo "journal-reads.sh: $tool is needed" >&2; exit 2; }
done
# Every command is timed for each binary: the baseline first when there is one.
bins=("$TRAIL")
[ -n "${BASELINE:-}" ] && bins=("$BASELINE" "$TRAIL")

repo=$work/reads-$commits
if [ ! -d "$repo/.git/trail/journal" ]; then
  rm -rf "$repo"
  python3 "$gen" "$repo" --commits "$commits"
  (cd "$repo" && "$TRAIL" init >/dev/null 2>&1 && "$TRAIL" import)
fi
cd "$repo"
# The first open after an import replays sled's log: not a figure of reads.
"$TRAIL" status >/dev/null

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg), $(git --version)"
records=$("$TRAIL" log --json | wc -l)
echo "== journal: $records records, $(du -sh .git/trail/journal | cut -f1) on disk"

# The directories whose answers are nearest 1 % and 5 % of the journal,
# counted from the records themselves (every directory above each path a
# record names), then checked with `trail log --json --path D | wc -l`.
read -r dir1 dir5 < <("$TRAIL" log --json | python3 -c '
import json, sys
counts, total = {}, 0
for line in sys.stdin:
    total += 1
    dirs = set()
    for p in json.loads(line).get("paths", []):
        for name in (p.get("path"), p.get("from")):
            parts = (name or "").split("/")[:-1]
            dirs.update("/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1))
    for d in dirs:
        counts[d] = counts.get(d, 0) + 1
pick = lambda share: min(counts, key=lambda d: abs(counts[d] - share * total))
print(pick(0.01), pick(0.05))
')
file=$(git log --format= --name-only -n 1 HEAD~10 | head -1)
for p in "$file" "$dir1" "$dir5"; do
  echo "   --path $p: $("$TRAIL" log --json --path "$p" | wc -l) records (git log: $(git log --format=%H -- "$p" | wc -l) commits)"
done

echo "== log --path (hyperfine -N, 30 runs; \`trail status\` is what any command pays to open the store and exit)"
cmds=()
for bin in "${bins[@]}"; do cmds+=("$bin status"); done
for p in "$file" "$dir1" "$dir5"; do
  for bin in "${bins[@]}"; do cmds+=("$bin log --path $p"); done
  cmds+=("git log --format=%H -- $p")
done
hyperfine -N --warmup 3 --runs 30 --export-json "$work/reads-log.json" "${cmds[@]}"

echo "== verify (hyperfine -N, 10 runs)"
cmds=()
for bin in "${bins[@]}"; do cmds+=("$bin verify"); done
hyperfine -N --warmup 1 --runs 10 --export-json "$work/reads-verify.json" "${cmds[@]}"
echo "== verify's own clock (the open of the store not counted), median of 5 runs"
for bin in "${bins[@]}"; do
  for _ in 1 2 3 4 5; do "$bin" verify --json; done | python3 -c '
import json, sys
runs = [json.loads(line) for line in sys.stdin]
seconds = sorted(r["seconds"] for r in runs)
median = seconds[len(seconds) // 2]
rate = runs[0]["records"] / median
print("  %s: %.3f s, %.0f records/s (runs: %s)" % (sys.argv[1], median, rate, " ".join("%.3f" % s for s in seconds)))
' "$bin"
done

if [ "${FLOOR:-0}" = 1 ]; then
  echo "== what sled alone costs: cargo bench -p trail-journal --bench journal -- cold"
  copy=$work/reads-$commits-store
  rm -rf "$copy" && mkdir -p "$copy"
  cp -r .git/trail/journal "$copy/journal"
  cp .git/trail/journal.head "$copy/" 2>/dev/null || true
  (cd "$root" && TRAIL_BENCH_STORE=$copy/journal TRAIL_BENCH_DIR=$dir5 \
    cargo bench -q -p trail-journal --bench journal -- cold)
  rm -rf "$copy"
fi
