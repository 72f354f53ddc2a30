#!/usr/bin/env bash
# Regenerates the shell completions (docs/completions/) and the manual pages
# (docs/man/) from a built trail binary. Run it after changing any command,
# option or --help text, and commit the result; .ci/run and tests/generated.rs
# fail while the committed copies differ from what the binary prints.
#
#   docs/generate.sh [TRAIL_BINARY [OUT_DIR]]
#
# TRAIL_BINARY defaults to the debug build (${CARGO_TARGET_DIR:-target}/debug/trail,
# build it with `cargo build` first); OUT_DIR defaults to docs/. The script
# replaces OUT_DIR/completions and OUT_DIR/man as a whole, so a page of a removed
# command does not linger.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
trail=${1:-${CARGO_TARGET_DIR:-$root/target}/debug/trail}
out=${2:-$root/docs}

if [ ! -x "$trail" ]; then
    echo "generate.sh: no trail binary at $trail; run \`cargo build\` first, or pass its path" >&2
    exit 2
fi

# The file names are those each shell looks for.
rm -rf "$out/completions" "$out/man"
mkdir -p "$out/completions"
"$trail" completions bash >"$out/completions/trail.bash"
"$trail" completions zsh >"$out/completions/_trail"
"$trail" completions fish >"$out/completions/trail.fish"
"$trail" completions elvish >"$out/completions/trail.elv"
"$trail" completions powershell >"$out/completions/_trail.ps1"
"$trail" man --dir "$out/man"
