#!/bin/bash
# Idle watcher memory after a 20,000-file burst (issue 18, item 16; goal: under 40 MB
# for the watcher and its standby store process).
#   cargo build --release --locked && TRAIL_BIN_DIR=target/release benches/watcher-idle-after-burst.sh
set -eu
export PATH=${TRAIL_BIN_DIR:-$PWD/target/release}:$PATH
export TRAIL_WHY=bench TRAIL_IMPACT=none GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
T=$(mktemp -d)
export HOME=$T/home XDG_RUNTIME_DIR=$T/run; mkdir -p $HOME $XDG_RUNTIME_DIR
repo=$T/repo
git init -q "$repo"
cd "$repo"; git config user.name Bench; git config user.email b@example.org
printf '[rationale]\nrequired = false\n' >trail.toml; trail init >/dev/null 2>&1
git add -A; git commit -q -m setup; trail daemon start >/dev/null
pid=$(cat .git/trail/daemon.pid)
mem() { awk '/^(VmRSS|VmHWM|RssAnon|RssFile):/ {printf "%s %.1f MB  ", $1, $2/1024}' /proc/$pid/status; echo; }
sleep 3; echo "before burst: $(mem)"
python3 - "$repo" <<'PY'
import json, os, subprocess, sys, time
repo = sys.argv[1]
def status():
    return json.loads(subprocess.run(["trail", "daemon", "status", "--json"], cwd=repo, capture_output=True, text=True).stdout)
for d in range(500):
    os.makedirs(os.path.join(repo, "burst", f"d{d:03}"), exist_ok=True)
time.sleep(1.5)
start = time.time()
for i in range(20000):
    with open(os.path.join(repo, f"burst/d{i % 500:03}/f{i:05}.txt"), "w") as f:
        f.write(f"content {i}\n")
end = time.time()
last, changed = None, time.time()
while time.time() - end < 120:
    s = status(); now = time.time()
    if s.get("records") != last: last, changed = s.get("records"), now
    elif s.get("pending") == 0 and now - changed >= 1.0: break
    time.sleep(0.2)
print(f"burst drained {changed - start:.1f} s after its start; records {last}")
PY
echo "right after: $(mem)"
sleep ${IDLE:-15}; echo "idle ${IDLE:-15} s: $(mem)"
for c in $(pgrep -P $pid); do echo "child $c ($(tr '\0' ' ' < /proc/$c/cmdline)): $(awk '/^(VmRSS|RssAnon|RssFile):/ {printf "%s %.1f MB  ", $1, $2/1024}' /proc/$c/status)"; done
echo "family VmRSS: $(for p in $pid $(pgrep -P $pid); do awk '/VmRSS/ {print $2}' /proc/$p/status; done | awk '{s+=$1} END {printf "%.1f MB", s/1024}')  PSS: $(for p in $pid $(pgrep -P $pid); do awk '/^Pss:/ {print $2}' /proc/$p/smaps_rollup; done | awk '{s+=$1} END {printf "%.1f MB", s/1024}')"
grep -E "^(Rss|Pss|Anonymous|Private_Dirty)" /proc/$pid/smaps_rollup | tr -s ' ' | tr '\n' ';'; echo
[ -n "${KEEP:-}" ] && { echo "pid $pid repo $repo"; exit 0; }
trail daemon stop >/dev/null; cd /; rm -rf "$T"
