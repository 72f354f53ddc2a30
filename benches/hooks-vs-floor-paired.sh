#!/usr/bin/env bash
# issue 24's comparison made robust to a machine whose speed drifts:
# the repositories benches/hooks-vs-floor.sh FILES made (run it first, or
# with REUSE=1), the same 10-file commit timed in every variant ROUND by
# ROUND, the variants taking turns in a new order each round, so that a
# slow spell slows all of them alike. hyperfine times one variant's runs
# after another's: on this 2-core VM the machine's speed moved by a third
# within minutes, and its medians moved with it (docs/performance.md).
#
#   benches/hooks-vs-floor-paired.sh [FILES] [ROUNDS]   (default 50000, 30)
#
# Reports each variant's median, and the median over rounds of the
# difference that each target bounds (trail - floor; trail+S - none+S;
# trail - none), with its 25th-75th percentile. BEFORE=PATH/TO/trail adds
# an earlier build as one more variant (trail-before). PAUSE (default 0.5 s, not
# timed) is slept before each commit, as in hooks-vs-floor.sh: post-commit's
# drainer is done before the next commit, as when a person commits.
set -euo pipefail
cd "$(dirname "$0")/.."
files=${1:-50000}
rounds=${2:-30}
out=$PWD/target/bench
base=$out/vs-floor-$files
[ -d "$base-trail-split" ] || {
  echo "no repositories at $base-*: run benches/hooks-vs-floor.sh $files first" >&2
  exit 2
}
. benches/hooks-common.sh
# The commit hooks-vs-floor.sh times (its base repository is never
# committed to, so the pick is the same).
write_small_commit "$out/vs-floor-commit-$files.sh" "$(small_pick "$base")"
cargo build --release --locked -q
export PATH=${CARGO_TARGET_DIR:-$PWD/target}/release:$PATH
export TRAIL_WHY="benchmark" TRAIL_IMPACT="none"
for v in trail trail-skiphash trail-split; do
  (cd "$base-$v" && git reset -q && git checkout -q . && trail hooks install >/dev/null 2>&1)
done
for v in none floor none-skiphash none-split; do (cd "$base-$v" && git reset -q && git checkout -q .); done
# BEFORE=PATH/TO/trail: one more variant, trail-before, a copy of the trail
# repository whose hooks run that (older) build: what a change bought,
# measured in the same rounds.
before_dir=
if [ -n "${BEFORE:-}" ]; then
  before_dir=$(cd "$(dirname "$BEFORE")" && pwd)
  [ -d "$base-trail-before" ] || cp -a "$base-trail" "$base-trail-before"
  (cd "$base-trail-before" && git reset -q && git checkout -q . &&
    PATH=$before_dir:$PATH trail hooks install >/dev/null 2>&1)
fi
echo "== machine: $(nproc) cores, $(git --version), $(git -C "$base" ls-files | wc -l) files, load $(cut -d' ' -f1-3 /proc/loadavg), $rounds rounds, pause ${PAUSE:-0.5} s"
python3 - "$base" "$out/vs-floor-commit-$files.sh" "$rounds" "${PAUSE:-0.5}" "$out/hooks-vs-floor-paired-$files.json" "$before_dir" <<'PY'
import json, os, random, statistics, subprocess, sys, time
base, commit, rounds, pause, out, before = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5], sys.argv[6]
variants = ["none", "floor", "trail", "none-skiphash", "trail-skiphash", "none-split", "trail-split"]
env = {v: None for v in variants}
if before:
    variants.append("trail-before")
    env["trail-before"] = dict(os.environ, PATH=before + ":" + os.environ["PATH"])
times = {v: [] for v in variants}
rng = random.Random(24)
for _ in range(rounds + 2):
    order = variants[:]
    rng.shuffle(order)
    for v in order:
        time.sleep(pause)
        start = time.perf_counter()
        subprocess.run(["sh", commit], cwd=f"{base}-{v}", check=True, env=env[v],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times[v].append((time.perf_counter() - start) * 1000)
for v in variants:
    times[v] = times[v][2:]  # two warm-up rounds
def q(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))]
print("  medians: " + ", ".join(f"{v} {statistics.median(times[v]):.1f} ms" for v in variants))
result = {"rounds": rounds, "pause": pause, "times_ms": times, "differences_ms": {}}
for name, a, b, target in [
    ("floor over none", "floor", "none", None),
    ("trail over none", "trail", "none", None),
    ("trail over floor", "trail", "floor", 10),
    ("trail over none, skiphash", "trail-skiphash", "none-skiphash", 30),
    ("trail over none, split", "trail-split", "none-split", 30),
] + ([("the earlier build over floor", "trail-before", "floor", None),
      ("the earlier build over this one", "trail-before", "trail", None)] if before else []):
    d = [x - y for x, y in zip(times[a], times[b])]
    result["differences_ms"][name] = d
    told = f"   (target: at most +{target} ms)" if target else ""
    print(f"  {name}: {statistics.median(d):+.1f} ms, middle half {q(d, .25):+.1f} .. {q(d, .75):+.1f}{told}")
json.dump(result, open(out, "w"), indent=1)
PY
