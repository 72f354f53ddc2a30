#!/usr/bin/env bash
# The cost of an AI agent's hooks (issue 23), on a 50,000-file repository.
#
#   benches/agent-hook.sh [FILES]     (default 50000)
#
# Every tool call of an agent runs trail's pre-tool hook, and every file
# edit its post-tool hook: each is timed with hyperfine against a hook that
# only exits 0, all fed the same Claude Code payload on stdin through
# `sh -c` (the agent runs hooks through a shell too):
#
# 1. PreToolUse, an Edit of an ordinary file (allowed): target 10 ms median;
# 2. PreToolUse, a Write of .mcp.json (refused with the reason);
# 3. PreToolUse, a Bash command (shell detection);
# 4. PostToolUse, an Edit (the record, its blob and refs/trail/saves): 15 ms.
#
# Needs hyperfine, python3 and gen-history (GEN_HISTORY, default
# /work/shared/tools/gen-history). Release build; CARGO_TARGET_DIR is
# honoured, TRAIL_BIN names a release binary built already. Results on stdout and in target/bench/ (JSON).
set -euo pipefail
cd "$(dirname "$0")/.."
files=${1:-50000}
gen=${GEN_HISTORY:-/work/shared/tools/gen-history}
target=${CARGO_TARGET_DIR:-$PWD/target}
out=$PWD/target/bench
mkdir -p "$out"

# TRAIL_BIN: a release binary already built (skips the build).
if [ -n "${TRAIL_BIN:-}" ]; then
  trail=$TRAIL_BIN
else
  cargo build --release -q -p trail
  trail=$target/release/trail
fi
export PATH=$(dirname "$trail"):$PATH TRAIL_WHY="benchmark" TRAIL_IMPACT="none"

repo=$out/agent-$files
if [ ! -d "$repo/.git/trail" ]; then
  rm -rf "$repo"
  python3 "$gen" "$repo" --commits 200 --files "$files" --dirs $((files / 25)) --checkout >/dev/null
  git -C "$repo" config user.name "Bench Mark"
  git -C "$repo" config user.email bench@example.org
  (cd "$repo" && "$trail" init >/dev/null 2>&1)
  (cd "$repo" && git add -A && git commit -q -m "trail set-up" 2>/dev/null)
fi
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(git -C "$repo" ls-files | wc -l) files"

file=$(git -C "$repo" ls-files | grep -v CHANGELOG.md | awk 'NR == 1234')
payloads=$out/agent-payloads
mkdir -p "$payloads"
common="\"session_id\":\"bench-session\",\"transcript_path\":\"/tmp/t.jsonl\",\"cwd\":\"$repo\",\"permission_mode\":\"default\""
cat >"$payloads/prompt.json" <<EOF
{$common,"hook_event_name":"UserPromptSubmit","prompt":"benchmark the hooks"}
EOF
cat >"$payloads/pre-edit.json" <<EOF
{$common,"hook_event_name":"PreToolUse","tool_name":"Edit","tool_input":{"file_path":"$repo/$file","old_string":"a","new_string":"b"},"tool_use_id":"toolu_bench1"}
EOF
cat >"$payloads/pre-mcp.json" <<EOF
{$common,"hook_event_name":"PreToolUse","tool_name":"Write","tool_input":{"file_path":"$repo/.mcp.json","content":"{\"mcpServers\":{}}"},"tool_use_id":"toolu_bench2"}
EOF
cat >"$payloads/pre-bash.json" <<EOF
{$common,"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"cargo test 2>&1 | tee build.log"},"tool_use_id":"toolu_bench3"}
EOF
cat >"$payloads/post-edit.json" <<EOF
{$common,"hook_event_name":"PostToolUse","tool_name":"Edit","tool_input":{"file_path":"$repo/$file","old_string":"a","new_string":"b"},"tool_response":{"success":true},"tool_use_id":"toolu_bench1"}
EOF
(cd "$repo" && "$trail" agent hook claude-code UserPromptSubmit <"$payloads/prompt.json")
# The post-tool hook records what is on disk: change it once, so every run
# stores the same (already known) blob, as repeated saves of one file do.
echo "agent line" >>"$repo/$file"

run() { # NAME EVENT PAYLOAD
  hyperfine -N --warmup 10 --runs 100 -i --export-json "$out/agent-$1.json" \
    -n "exit 0" "sh -c 'exec true < $3'" \
    -n "trail agent hook claude-code $2 ($1)" "sh -c 'cd $repo && exec $trail agent hook claude-code $2 < $3'"
}
echo "== PreToolUse, Edit of an ordinary file (allowed)"
run pre-edit PreToolUse "$payloads/pre-edit.json"
echo "== PreToolUse, Write of .mcp.json (refused)"
run pre-mcp PreToolUse "$payloads/pre-mcp.json"
echo "== PreToolUse, Bash (shell detection)"
run pre-bash PreToolUse "$payloads/pre-bash.json"
echo "== PostToolUse, Edit (record, blob, refs/trail/saves)"
run post-edit PostToolUse "$payloads/post-edit.json"
echo "== records written: $(cd "$repo" && "$trail" log --kind agent.edit --json | wc -l)"
