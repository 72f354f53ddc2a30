#!/usr/bin/env bash
# The journal outside its store (issue 6): what checkpoints add to a commit,
# how long `trail sync pull` and `trail recover` take.
#
#   benches/sync.sh [all|commit|pull|recover]     (default all)
#
# 1. checkpoint cost: a commit of 10 files on the same trail repository with
#    `[sync] checkpoints` on and off, in alternating rounds, and a hook-less
#    `git commit` on a copy for scale (target: checkpoints add under 5 ms);
#    then `trail sync checkpoint` alone, after one new record, against the
#    same command with nothing to do and against `trail status`.
# 2. `trail sync pull` of a clone holding PULL_RECORDS (100,000) records from
#    a local bare remote, each run into a fresh copy of the pulling clone,
#    against the `git fetch` it runs (target: under 5 s).
# 3. `trail recover` of RECOVER_RECORDS (1,000,000) records after the store
#    was deleted, and its peak RSS (target: under 30 s).
#
# The large journals are filled with crates/journal/examples/fill.rs (about
# 500-byte commit records, durable batches of 5,000): importing a
# million-commit history would take far longer and measure nothing more.
# Needs hyperfine, python3, GNU time (/usr/bin/time). Results on stdout and in
# $CARGO_TARGET_DIR/bench/sync/*.json (target/ by default); repositories are
# left there (several GB with the recover set-up): delete them after.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
target=${CARGO_TARGET_DIR:-$PWD/target}
out=$target/bench/sync
gen=$PWD/tests/fixtures/gen-history
pull_records=${PULL_RECORDS:-100000}
recover_records=${RECOVER_RECORDS:-1000000}
rounds=${ROUNDS:-3}
mkdir -p "$out"

cargo build --release --locked -q
cargo build --release --locked -q -p trail-journal --example fill
export PATH=$target/release:$PATH
fill=$target/release/examples/fill
export TRAIL_WHY="benchmark" TRAIL_IMPACT="none"
export GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME="Bench Mark" GIT_AUTHOR_EMAIL=bench@example.org
export GIT_COMMITTER_NAME="Bench Mark" GIT_COMMITTER_EMAIL=bench@example.org

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(git --version)"
echo "== $(date -u '+%Y-%m-%d %H:%M:%S UTC'); load:$(uptime | sed 's/.*load average//')"

# A small repository with trail initialised and nothing imported, its
# journal filled with N records and checkpointed: DEST N.
filled_repo() {
  local dest=$1 n=$2
  rm -rf "$dest"
  python3 "$gen" "$dest" --commits 10 --files 50 --dirs 5 --checkout >/dev/null
  (cd "$dest" && trail init >/dev/null 2>&1)
  "$fill" "$dest/.git/trail/journal" "$n"
  (cd "$dest" && /usr/bin/time -f "trail sync checkpoint: %e s wall, %M KiB peak RSS" trail sync checkpoint)
}

bench_commit() {
  local base=$out/commit trail=$out/commit-trail plain=$out/commit-plain
  rm -rf "$base" "$trail" "$plain"
  python3 "$gen" "$base" --commits 2000 --files 5000 --dirs 300 --checkout >/dev/null
  cp -a "$base" "$plain"
  cp -a "$base" "$trail"
  (cd "$trail" && trail init >/dev/null 2>&1 && trail import >/dev/null 2>&1)
  (cd "$trail" && git add -A && git commit -q -m "trail set-up")
  (cd "$plain" && git commit -q --allow-empty -m "set-up")
  sed 's/^checkpoints = true/checkpoints = false/' "$trail/trail.toml" >"$out/trail-off.toml"
  cp "$trail/trail.toml" "$out/trail-on.toml"
  grep -q '^checkpoints = false' "$out/trail-off.toml"

  # 10 files from 3 directories, as in benches/hooks-overhead.sh.
  local pick
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

  echo "== commit of 10 files in 3 directories: checkpoints on vs off (same repository, $rounds alternating rounds)"
  for round in $(seq "$rounds"); do
    hyperfine --warmup 3 --runs 30 --export-json "$out/commit-round$round.json" \
      -n "checkpoints on" --prepare "cp $out/trail-on.toml $trail/trail.toml" "cd $trail && $out/commit-small.sh" \
      -n "checkpoints off" --prepare "cp $out/trail-off.toml $trail/trail.toml" "cd $trail && $out/commit-small.sh"
  done
  cp "$out/trail-on.toml" "$trail/trail.toml"
  echo "== for scale: the same commit without trail's hooks (a copy of the repository)"
  hyperfine --warmup 3 --runs 30 --export-json "$out/commit-plain.json" \
    -n "git commit (no hooks)" "cd $plain && $out/commit-small.sh"
  python3 - "$out" "$rounds" <<'PY'
import json, sys
out, rounds = sys.argv[1], int(sys.argv[2])
on, off = [], []
for r in range(1, rounds + 1):
    res = {x["command"]: x for x in json.load(open(f"{out}/commit-round{r}.json"))["results"]}
    a, b = res["checkpoints on"], res["checkpoints off"]
    on += a["times"]; off += b["times"]
    print(f"round {r}: on {a['median']*1e3:.1f} ms, off {b['median']*1e3:.1f} ms (medians): +{(a['median']-b['median'])*1e3:.1f} ms")
med = lambda xs: sorted(xs)[len(xs) // 2]
print(f"all rounds ({len(on)} runs each): on {med(on)*1e3:.1f} ms, off {med(off)*1e3:.1f} ms (medians): "
      f"checkpoints add {(med(on)-med(off))*1e3:.1f} ms")
PY

  # The prepare step's `trail status` opens the store once after fill wrote
  # to it, so the measured run does not pay for sled replaying fill's log.
  echo "== trail sync checkpoint alone: after one new record, with nothing new, and trail status"
  local head
  head=$(cd "$trail" && trail sync checkpoint >/dev/null 2>&1; git -C "$trail" rev-parse refs/trail/journal)
  hyperfine --warmup 3 --runs 50 --export-json "$out/checkpoint-alone.json" \
    -n "trail sync checkpoint (1 new record)" --prepare "$fill $trail/.git/trail/journal 1 2>/dev/null && cd $trail && trail status" \
    "cd $trail && trail sync checkpoint" \
    -n "trail sync checkpoint (nothing new)" --prepare "true" "cd $trail && trail sync checkpoint" \
    -n "trail status" --prepare "true" "cd $trail && trail status"
  echo "checkpoint commits written during the bench: $(git -C "$trail" rev-list --count "$head"..refs/trail/journal)"
}

bench_pull() {
  local a=$out/pull-a bare=$out/pull-remote.git b0=$out/pull-b0 b=$out/pull-b
  echo "== set-up: a clone with $pull_records records, pushed to a bare remote"
  filled_repo "$a" "$pull_records"
  rm -rf "$bare" "$b0" "$b"
  git init -q --bare "$bare"
  (cd "$a" && /usr/bin/time -f "trail sync push: %e s wall, %M KiB peak RSS" trail sync push "$bare")
  # Not a clone of the bare remote: a local clone hard-links its objects, and
  # the fetch would then have nothing to transfer.
  python3 "$gen" "$b0" --commits 10 --files 50 --dirs 5 --seed 2 --checkout >/dev/null
  (cd "$b0" && trail init >/dev/null 2>&1)
  ! git -C "$b0" cat-file -e "$(git -C "$bare" for-each-ref --format='%(objectname)' refs/trail/clones)" 2>/dev/null
  echo "remote: $(du -sh "$bare" | cut -f1); refs: $(git -C "$bare" for-each-ref refs/trail | wc -l), commits on the chain: $(git -C "$bare" rev-list --count --all)"

  echo "== trail sync pull of $pull_records records vs the git fetch it runs (each run into a fresh copy)"
  hyperfine --warmup 1 --runs 10 --export-json "$out/pull.json" \
    --prepare "rm -rf $b && cp -a $b0 $b" \
    -n "trail sync pull" "cd $b && trail sync pull $bare" \
    -n "git fetch (the same refspec)" \
    "cd $b && git -c fetch.unpackLimit=1 fetch --quiet --no-tags --no-write-fetch-head $bare '+refs/trail/clones/*:refs/trail/incoming/*'"
  # The push left the remote with 8 loose objects (fewer than receive-pack's
  # unpackLimit), so every fetch above runs pack-objects with a delta search
  # over the two ~25 MB segments. A remote set up with `trail hooks install
  # --server` tells git not to (`records.jsonl -delta` in info/attributes):
  rm -rf "$bare-server" && cp -a "$bare" "$bare-server" && (cd "$bare-server" && trail hooks install --server >/dev/null 2>&1)
  hyperfine --warmup 1 --runs 10 --export-json "$out/pull-server.json" \
    --prepare "rm -rf $b && cp -a $b0 $b" \
    -n "trail sync pull (server hooks installed)" "cd $b && trail sync pull $bare-server" \
    -n "git fetch (server hooks installed)" \
    "cd $b && git -c fetch.unpackLimit=1 fetch --quiet --no-tags --no-write-fetch-head $bare-server '+refs/trail/clones/*:refs/trail/incoming/*'"
  # A remote that was repacked (as a server's gc does) sends its pack as it is:
  rm -rf "$bare-packed" && cp -a "$bare" "$bare-packed" && git -C "$bare-packed" repack -adq
  hyperfine --warmup 1 --runs 5 --export-json "$out/pull-packed.json" \
    --prepare "rm -rf $b && cp -a $b0 $b" \
    -n "trail sync pull (remote repacked)" "cd $b && trail sync pull $bare-packed" \
    -n "git fetch (remote repacked)" \
    "cd $b && git -c fetch.unpackLimit=1 fetch --quiet --no-tags --no-write-fetch-head $bare-packed '+refs/trail/clones/*:refs/trail/incoming/*'"
  rm -rf "$b" && cp -a "$b0" "$b"
  (cd "$b" && /usr/bin/time -f "trail sync pull: %e s wall, %M KiB peak RSS" trail sync pull "$bare")
}

bench_recover() {
  local r=$out/recover
  echo "== set-up: a journal of $recover_records records, checkpointed"
  filled_repo "$r" "$recover_records"
  echo "store: $(du -sh "$r/.git/trail/journal" | cut -f1); chain: $(git -C "$r" rev-list --count refs/trail/journal) commits, $(du -sh "$r/.git/objects" | cut -f1) of objects"
  echo "== trail recover of $recover_records records (the store deleted before each run)"
  hyperfine --runs 3 --export-json "$out/recover.json" \
    --prepare "rm -rf $r/.git/trail/journal $r/.git/trail/journal.head $r/.git/trail/journal.damaged-*" \
    -n "trail recover" "cd $r && trail recover"
  rm -rf "$r/.git/trail/journal" "$r/.git/trail/journal.head"
  (cd "$r" && /usr/bin/time -v trail recover 2>&1 | grep -E 'recovered|Elapsed|Maximum resident|nothing was lost|ends at')
  (cd "$r" && trail verify)
}

case $what in
  all) bench_commit; bench_pull; bench_recover ;;
  commit) bench_commit ;;
  pull) bench_pull ;;
  recover) bench_recover ;;
  *) echo "usage: benches/sync.sh [all|commit|pull|recover]" >&2; exit 2 ;;
esac
