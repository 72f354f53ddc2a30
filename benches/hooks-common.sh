# Shared by benches/hooks-overhead.sh and benches/hooks-floor.sh (sourced):
# the repository both measure and the small commit both time.

# make_base DIR FILES: a gen-history repository with FILES files in FILES/25
# directories, checked out, with a committer set. Needs $gen.
make_base() {
  rm -rf "$1"
  python3 "$gen" "$1" --commits 200 --files "$2" --dirs $(($2 / 25)) --checkout >/dev/null
  identify "$1"
}

# identify DIR: the committer the benchmarks commit as.
identify() {
  git -C "$1" config user.name "Bench Mark"
  git -C "$1" config user.email bench@example.org
}

# small_pick DIR: 10 files from 3 directories that hold at least 4 files each
# (never a CHANGELOG.md: the pick is the same after the benchmark added them).
small_pick() {
  git -C "$1" ls-files | grep -v '\(^\|/\)CHANGELOG\.md$' | awk -F/ '
    { d = $0; sub(/\/[^\/]*$/, "", d); if (d ~ /\//) { n[d]++; if (n[d] <= 4) f[d] = f[d] " " $0 } }
    END { want[0] = 4; want[1] = 3; want[2] = 3; k = 0
          for (d in n) if (n[d] >= 4 && k < 3) { split(f[d], a, " "); for (i = 1; i <= want[k]; i++) printf "%s ", a[i]; k++ } }'
}

# write_small_commit SCRIPT PICK: a script that appends a line to each file
# of PICK and commits them, run in the repository it is started in.
write_small_commit() {
  cat >"$1" <<SCRIPT
#!/bin/sh
# Change 10 files in 3 directories and commit them.
set -e
for f in $2; do echo "line \$\$" >>"\$f"; done
git add $2
git commit -q -m "small change"
SCRIPT
  chmod +x "$1"
}
