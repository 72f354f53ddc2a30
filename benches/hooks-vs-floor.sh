#!/usr/bin/env bash
# trail's hooks against git's own floor (issue 24), side by side in one run,
# on copies of one generated repository: the same 10-file commit in 3
# directories (benches/hooks-common.sh) made
#
#   none           with no hooks;
#   floor          with three hooks that `exit 0`, the pre-commit one staging
#                  the 3 directories' CHANGELOG.md with one `git update-index
#                  --cacheinfo` of blobs written beforehand (the least any
#                  implementation of DESIGN.md §4 can cost);
#   trail          with trail's hooks, no watcher running (post-commit hands
#                  its records over to the spool and a background drainer);
#   none/trail +skipHash    the same with `index.skipHash=true`;
#   none/trail +splitIndex  the same with `core.splitIndex=true`.
#
# Targets: trail - floor <= 10 ms; trail+S - none+S <= 30 ms for each S.
#
#   benches/hooks-vs-floor.sh [FILES] [RUNS]   (default 50000 files, 30 runs)
#
# FILES=2000 gives issue 24's small-repository case (target: +15 ms over none).
# SOURCE=PATH measures a real repository instead (a clone of PATH; FILES is
# then only the name of the results), e.g. SOURCE=/tmp/git benches/hooks-vs-floor.sh git 20.
# PAUSE (default 0.5 s, not timed) is slept before each run, in every variant:
# the drainer post-commit starts in the background (docs/architecture.md,
# "post-commit hands over") then finishes before the next commit, as it
# does when a person commits; PAUSE=0 measures back-to-back commits, where
# on 2 cores the drainer of one commit competes with the next.
# REUSE=1 measures again in the repositories an earlier run made (trail's
# shims reinstalled from the build just made), without copying them anew.
# Needs hyperfine, python3 and gen-history (GEN_HISTORY, default
# ../shared/tools/gen-history); builds trail in release. Results on stdout
# and in target/bench/hooks-vs-floor-FILES.json.
set -euo pipefail
cd "$(dirname "$0")/.."
files=${1:-50000}
runs=${2:-30}
gen=${GEN_HISTORY:-../shared/tools/gen-history}
out=$PWD/target/bench
mkdir -p "$out"
. benches/hooks-common.sh

cargo build --release --locked -q
export PATH=${CARGO_TARGET_DIR:-$PWD/target}/release:$PATH
export TRAIL_WHY="benchmark" TRAIL_IMPACT="none"

base=$out/vs-floor-$files
variants="none floor trail none-skiphash trail-skiphash none-split trail-split"
if [ -n "${REUSE:-}" ] && [ -d "$base-trail-split" ]; then
  # The repositories of an earlier run: trail's shims brought up to date,
  # nothing copied again (copying 7 repositories leaves the disk busy
  # writing them back for a while).
  for v in trail trail-skiphash trail-split; do
    (cd "$base-$v" && git reset -q && git checkout -q . && trail hooks install >/dev/null 2>&1)
  done
  for v in none floor none-skiphash none-split; do (cd "$base-$v" && git reset -q && git checkout -q .); done
  # (the base repository is never committed to: the same pick as its run's)
  pick=$(small_pick "$base")
  write_small_commit "$out/vs-floor-commit-$files.sh" "$pick"
else
if [ -n "${SOURCE:-}" ]; then
  # A real repository: each variant a clone of it (objects shared through
  # alternates, not copied), FILES only names the results.
  rm -rf "$base" && git clone -q "$SOURCE" "$base" && identify "$base"
else
  make_base "$base" "$files"
fi
pick=$(small_pick "$base")
dirs=$(for f in $pick; do dirname "$f"; done | sort -u)
for d in $dirs; do echo "# Changelog" >"$base/$d/CHANGELOG.md"; done
git -C "$base" add -A && git -C "$base" commit -q -m "changelogs"
blob=$(echo "- an entry" | git -C "$base" hash-object -w --stdin)

for v in $variants; do
  rm -rf "$base-$v"
  if [ -n "${SOURCE:-}" ]; then
    git clone -q --shared "$base" "$base-$v" && identify "$base-$v"
  else
    cp -a "$base" "$base-$v"
  fi
done
for v in skiphash split; do
  for w in none trail; do
    case $v in
      skiphash) git -C "$base-$w-$v" config index.skipHash true ;;
      split) git -C "$base-$w-$v" config core.splitIndex true ;;
    esac
    git -C "$base-$w-$v" update-index --really-refresh >/dev/null 2>&1 || true
  done
done
for h in pre-commit commit-msg post-commit; do printf '#!/bin/sh\nexit 0\n' >"$base-floor/.git/hooks/$h"; done
{
  echo '#!/bin/sh'
  printf 'exec git update-index'
  for d in $dirs; do printf ' --cacheinfo 100644,%s,%s/CHANGELOG.md' "$blob" "$d"; done
  echo
} >"$base-floor/.git/hooks/pre-commit"
chmod +x "$base-floor"/.git/hooks/{pre-commit,commit-msg,post-commit}
for v in trail trail-skiphash trail-split; do
  (cd "$base-$v" && trail init >/dev/null 2>&1 && trail import >/dev/null 2>&1 &&
    git add -A && git commit -q -m "trail set-up")
done
for v in none floor none-skiphash none-split; do git -C "$base-$v" commit -q --allow-empty -m "set-up"; done

write_small_commit "$out/vs-floor-commit-$files.sh" "$pick"
fi
# (also under the old name, which benches/hook-times.sh's examples use)
cp "$out/vs-floor-commit-$files.sh" "$out/vs-floor-commit.sh"
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(git --version), $(git -C "$base" ls-files | wc -l) files, index $(stat -c %s "$base/.git/index") bytes, load $(cut -d' ' -f1-3 /proc/loadavg)"
args=()
for v in $variants; do args+=(-n "$v" "cd $base-$v && $out/vs-floor-commit.sh"); done
hyperfine --warmup 3 --runs "$runs" --prepare "sleep ${PAUSE:-0.5}" --export-json "$out/hooks-vs-floor-$files.json" "${args[@]}"
python3 - "$out/hooks-vs-floor-$files.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
ms = lambda k: r[k]["median"] * 1000
print(f"  medians: " + ", ".join(f"{k} {ms(k):.1f} ms" for k in r))
print(f"  floor over none: +{ms('floor') - ms('none'):.1f} ms")
print(f"  trail over none: +{ms('trail') - ms('none'):.1f} ms")
print(f"  trail over floor: +{ms('trail') - ms('floor'):.1f} ms   (target: at most +10 ms)")
for s in ("skiphash", "split"):
    print(f"  trail over none, {s}: +{ms('trail-' + s) - ms('none-' + s):.1f} ms   (target: at most +30 ms)")
PY
