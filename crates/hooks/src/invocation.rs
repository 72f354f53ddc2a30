//! The `git` process running a hook, and what its command line asked for.
//!
//! git tells pre-commit nothing about the commit it is making: not whether it
//! amends, not the message. Its command line (`/proc/PID/cmdline`) does, for
//! what was given there: `--amend`, `-m`/`-F`/`--trailer` messages, the
//! target of `--fixup`/`--squash`. A message typed into an editor is not
//! known before git has written the commit's tree.

use std::path::PathBuf;

/// The `git` process running this hook, found up the parent chain (the
/// hook's parent is the shim, whose parent is git): its pid and start time
/// identify one `git commit` across its hooks, its arguments say what it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitInvocation {
    /// `PID:START` (start time in clock ticks since boot): unique while the machine is up.
    pub id: String,
    pub pid: u32,
    pub args: Vec<Vec<u8>>,
}

impl GitInvocation {
    pub fn current() -> Option<Self> {
        let mut pid = std::os::unix::process::parent_id();
        for _ in 0..4 {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
            let args: Vec<Vec<u8>> =
                cmdline.split(|&b| b == 0).filter(|a| !a.is_empty()).map(<[u8]>::to_vec).collect();
            let is_git =
                args.first().is_some_and(|a| a.rsplit(|&b| b == b'/').next() == Some(b"git"));
            let (parent, started) = stat_of(pid)?;
            if is_git {
                return Some(GitInvocation { id: format!("{pid}:{started}"), pid, args });
            }
            if parent <= 1 {
                return None;
            }
            pid = parent;
        }
        None
    }

    /// The git command (`commit`, `merge`, `revert`, …) and its arguments.
    pub fn command(&self) -> Option<(&[u8], &[Vec<u8>])> {
        command_of(&self.args)
    }

    /// What a `git commit` command line says about the commit; `None` for
    /// another git command.
    pub fn commit_options(&self) -> Option<CommitOptions> {
        let (command, args) = self.command()?;
        (command == b"commit").then(|| CommitOptions::parse(args))
    }

    /// The directory git was started in: a relative `-F FILE` is read from there.
    pub fn cwd(&self) -> Option<PathBuf> {
        std::fs::read_link(format!("/proc/{}/cwd", self.pid)).ok()
    }
}

/// The parent pid and start time (in clock ticks since boot) from
/// `/proc/PID/stat`, fields 4 and 22 (counted after the parenthesised name).
fn stat_of(pid: u32) -> Option<(u32, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat[stat.rfind(')')? + 1..].split_whitespace().collect();
    Some((fields.get(1)?.parse().ok()?, fields.get(19)?.parse().ok()?))
}

/// git's own options before the command (`-C DIR`, `-c KEY=VALUE`, `--git-dir=…`)
/// are skipped; the first other word is the command.
fn command_of(args: &[Vec<u8>]) -> Option<(&[u8], &[Vec<u8>])> {
    let mut i = 1;
    while i < args.len() {
        let arg = args[i].as_slice();
        match arg {
            b"-C" | b"-c" | b"--git-dir" | b"--work-tree" | b"--namespace" | b"--exec-path"
            | b"--config-env" => i += 2,
            _ if arg.starts_with(b"-") => i += 1,
            _ => return Some((arg, &args[i + 1..])),
        }
    }
    None
}

/// Where a `git commit`'s message comes from, as far as its command line says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommitOptions {
    pub amend: bool,
    /// `-m`/`--message` paragraphs, in order.
    pub messages: Vec<Vec<u8>>,
    /// `-F`/`--file` (`-` is standard input, which the hook cannot read).
    pub file: Option<Vec<u8>>,
    /// `--trailer` values (`Why: …`).
    pub trailers: Vec<Vec<u8>>,
    /// `-C`/`-c`: the message of another commit.
    pub reuse: Option<Vec<u8>>,
    /// `--fixup=[amend:|reword:]COMMIT`: the commit this one will be folded into.
    pub fixup: Option<Vec<u8>>,
    /// `--squash=COMMIT`.
    pub squash: Option<Vec<u8>>,
    /// `--no-edit`, or a message given without `-e`: git opens no editor.
    pub edit: Option<bool>,
}

/// Long options of `git commit` that take a value (as `--opt=V` or `--opt V`).
const LONG_WITH_VALUE: [&str; 12] = [
    "message",
    "file",
    "reuse-message",
    "reedit-message",
    "fixup",
    "squash",
    "template",
    "author",
    "date",
    "cleanup",
    "trailer",
    "pathspec-from-file",
];

/// Long options without a value that a prefix could be confused with.
const LONG_FLAGS: [&str; 28] = [
    "all",
    "amend",
    "allow-empty",
    "allow-empty-message",
    "branch",
    "dry-run",
    "edit",
    "include",
    "interactive",
    "long",
    "no-edit",
    "no-verify",
    "no-post-rewrite",
    "null",
    "only",
    "patch",
    "porcelain",
    "quiet",
    "reset-author",
    "short",
    "signoff",
    "status",
    "no-status",
    "verbose",
    "verify",
    "no-signoff",
    "no-gpg-sign",
    "pathspec-file-nul",
];

impl CommitOptions {
    /// Read `git commit`'s arguments as git's parse-options does: bundled
    /// short options (`-am MSG`, `-mMSG`), `--opt=value` and `--opt value`,
    /// unambiguous prefixes of long options (`--amen`, `--mess=…`), `--`
    /// ending the options.
    pub fn parse(args: &[Vec<u8>]) -> Self {
        let mut out = CommitOptions::default();
        let mut i = 0;
        while i < args.len() {
            let arg = &args[i];
            i += 1;
            if arg.as_slice() == b"--" {
                break;
            }
            if let Some(long) = arg.strip_prefix(b"--") {
                let (name, value) = match long.iter().position(|&b| b == b'=') {
                    Some(at) => (&long[..at], Some(long[at + 1..].to_vec())),
                    None => (long, None),
                };
                let Some(name) = resolve_long(name) else { continue };
                if LONG_WITH_VALUE.contains(&name) {
                    let value = match value {
                        Some(v) => v,
                        None => match args.get(i) {
                            Some(v) => {
                                i += 1;
                                v.clone()
                            }
                            None => continue,
                        },
                    };
                    // git cuts `--fixup=amend:REV` in two in its own argv (the
                    // `:` becomes a NUL), so /proc shows `--fixup=amend` `REV`.
                    let split = name == "fixup"
                        && (value == b"amend" || value == b"reword")
                        && args.get(i).is_some_and(|next| !next.starts_with(b"-"));
                    if split {
                        let target = args[i].clone();
                        i += 1;
                        out.take(name, target);
                    } else {
                        out.take(name, value);
                    }
                } else {
                    match name {
                        "amend" => out.amend = true,
                        "edit" => out.edit = Some(true),
                        "no-edit" => out.edit = Some(false),
                        _ => {}
                    }
                }
                continue;
            }
            let Some(cluster) = arg.strip_prefix(b"-").filter(|c| !c.is_empty()) else {
                continue; // a pathspec
            };
            let mut j = 0;
            while j < cluster.len() {
                let name = match cluster[j] {
                    b'm' => "message",
                    b'F' => "file",
                    b'C' => "reuse-message",
                    b'c' => "reedit-message",
                    b't' => "template",
                    // Options whose value can only be stuck to them: the rest of the cluster.
                    b'S' | b'u' => break,
                    b'e' => {
                        out.edit = Some(true);
                        j += 1;
                        continue;
                    }
                    _ => {
                        j += 1;
                        continue;
                    }
                };
                let rest = &cluster[j + 1..];
                let value = if !rest.is_empty() {
                    rest.to_vec()
                } else if let Some(v) = args.get(i) {
                    i += 1;
                    v.clone()
                } else {
                    break;
                };
                out.take(name, value);
                break;
            }
        }
        out
    }

    fn take(&mut self, name: &str, value: Vec<u8>) {
        match name {
            "message" => self.messages.push(value),
            "file" => self.file = Some(value),
            "trailer" => self.trailers.push(value),
            "reuse-message" | "reedit-message" => self.reuse = Some(value),
            "fixup" => {
                // `amend:`/`reword:` change how the message is folded, not the target.
                let target = value
                    .strip_prefix(b"amend:")
                    .or_else(|| value.strip_prefix(b"reword:"))
                    .unwrap_or(&value);
                self.fixup = Some(target.to_vec());
            }
            "squash" => self.squash = Some(value),
            _ => {}
        }
    }

    /// The commit this one is a fixup or squash of, when it is one.
    pub fn folds_into(&self) -> Option<&[u8]> {
        self.fixup.as_deref().or(self.squash.as_deref())
    }

    /// Whether the message is known from the command line alone.
    pub fn message_given(&self) -> bool {
        !self.messages.is_empty() || self.file.as_deref().is_some_and(|f| f != b"-")
    }
}

/// The long option `name` abbreviates: itself, or the one option it is an
/// unambiguous prefix of (git accepts `--amen` for `--amend`).
fn resolve_long(name: &[u8]) -> Option<&'static str> {
    let all = LONG_WITH_VALUE.iter().chain(LONG_FLAGS.iter());
    if let Some(exact) = all.clone().find(|o| o.as_bytes() == name) {
        return Some(exact);
    }
    let mut matches = all.filter(|o| o.as_bytes().starts_with(name));
    match (matches.next(), matches.next()) {
        (Some(only), None) if !name.is_empty() => Some(only),
        _ => None,
    }
}

/// Whether the `git commit` running this hook amends. `TRAIL_AMEND=1` (or
/// `0`) says so explicitly; otherwise the command line decides.
pub fn amending(explicit: Option<&str>, invocation: Option<&GitInvocation>) -> bool {
    if let Some(value) = explicit {
        return value == "1";
    }
    invocation.and_then(GitInvocation::commit_options).is_some_and(|o| o.amend)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<Vec<u8>> {
        list.iter().map(|a| a.as_bytes().to_vec()).collect()
    }

    fn commit(list: &[&str]) -> CommitOptions {
        let mut all = vec!["git", "commit"];
        all.extend_from_slice(list);
        let invocation = GitInvocation { id: "1:1".into(), pid: 1, args: args(&all) };
        invocation.commit_options().expect("a commit")
    }

    #[test]
    fn messages_in_every_spelling_are_read_in_order() {
        let o = commit(&["-m", "S", "-mWhy: a", "--message=Impact: b", "--message", "x"]);
        assert_eq!(o.messages, args(&["S", "Why: a", "Impact: b", "x"]));
        assert!(o.message_given());
        let o = commit(&["-am", "S"]);
        assert_eq!(o.messages, args(&["S"]));
        let o = commit(&["-qam", "S", "--mess=T"]);
        assert_eq!(o.messages, args(&["S", "T"]));
    }

    #[test]
    fn files_trailers_and_reuse_are_read() {
        let o = commit(&["-F", "msg.txt", "--trailer", "Why: t"]);
        assert_eq!(o.file.as_deref(), Some(&b"msg.txt"[..]));
        assert_eq!(o.trailers, args(&["Why: t"]));
        assert!(o.message_given());
        assert!(!commit(&["-F", "-"]).message_given(), "stdin cannot be read by a hook");
        assert_eq!(commit(&["-C", "HEAD"]).reuse.as_deref(), Some(&b"HEAD"[..]));
        assert_eq!(commit(&["--file=m"]).file.as_deref(), Some(&b"m"[..]));
    }

    #[test]
    fn fixup_and_squash_name_their_target() {
        assert_eq!(commit(&["--fixup=HEAD~1"]).folds_into(), Some(&b"HEAD~1"[..]));
        assert_eq!(commit(&["--fixup", "amend:abc"]).folds_into(), Some(&b"abc"[..]));
        assert_eq!(commit(&["--squash=abc", "-m", "more"]).folds_into(), Some(&b"abc"[..]));
        assert_eq!(commit(&["-m", "x"]).folds_into(), None);
        // As /proc shows it: git cut `--fixup=amend:abc` at its `:`.
        assert_eq!(commit(&["--fixup=amend", "abc"]).folds_into(), Some(&b"abc"[..]));
        assert_eq!(commit(&["--fixup=reword", "abc"]).folds_into(), Some(&b"abc"[..]));
    }

    #[test]
    fn amend_is_found_by_prefix_but_not_in_values_or_paths() {
        assert!(commit(&["--amend"]).amend);
        assert!(commit(&["--amen", "--no-edit"]).amend);
        assert!(!commit(&["-m", "--amend"]).amend, "a message that reads --amend");
        assert!(!commit(&["--", "--amend"]).amend, "a path named --amend");
        assert!(!commit(&["--a"]).amend, "ambiguous: --all, --amend, --author, …");
        assert_eq!(commit(&["--no-edit"]).edit, Some(false));
    }

    #[test]
    fn the_command_is_found_after_gits_own_options() {
        let i = GitInvocation {
            id: "1:1".into(),
            pid: 1,
            args: args(&["/usr/bin/git", "-C", "dir", "-c", "a=b", "commit", "-m", "x"]),
        };
        assert_eq!(i.commit_options().map(|o| o.messages), Some(args(&["x"])));
        let merge = GitInvocation { id: "1:1".into(), pid: 1, args: args(&["git", "merge", "x"]) };
        assert_eq!(merge.commit_options(), None);
        assert_eq!(merge.command().map(|(c, _)| c), Some(&b"merge"[..]));
    }

    #[test]
    fn amending_follows_an_explicit_setting_first() {
        let i =
            GitInvocation { id: "1:1".into(), pid: 1, args: args(&["git", "commit", "--amend"]) };
        assert!(amending(None, Some(&i)));
        assert!(!amending(Some("0"), Some(&i)));
        assert!(amending(Some("1"), None));
        assert!(!amending(None, None));
    }
}

/// What git's state files say while a hook runs (`$GIT_DIR/…`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GitState {
    pub revert_head: bool,
    pub cherry_pick_head: bool,
    /// `rebase-merge/`: a rebase of the merge backend (also `-i`).
    pub rebase_merge: bool,
    /// `rebase-apply/rebasing`: `git rebase --apply`, through `git am`.
    pub rebase_apply: bool,
    /// pre-commit ran for this very `git commit` (its state names this process).
    pub pre_commit_ran: bool,
}

/// The git command making a commit without pre-commit: `revert`,
/// `cherry-pick`, `rebase`, `merge` or `am`; `None` for a `git commit` that
/// pre-commit prepared or that skipped it on purpose (`--no-verify`).
/// `git cherry-pick --continue` and a rebase's edited picks run `git commit`
/// for the sequencer: the state it left says which.
pub fn committing_command(
    command: &[u8],
    args: &[Vec<u8>],
    state: GitState,
) -> Option<&'static str> {
    match command {
        b"am" if state.rebase_apply || args.iter().any(|a| a == b"--rebasing") => Some("rebase"),
        b"am" => Some("am"),
        b"revert" => Some("revert"),
        b"cherry-pick" => Some("cherry-pick"),
        b"rebase" => Some("rebase"),
        b"merge" | b"pull" => Some("merge"),
        b"commit" if state.pre_commit_ran => None,
        b"commit" if state.revert_head => Some("revert"),
        b"commit" if state.cherry_pick_head => Some("cherry-pick"),
        b"commit" if state.rebase_merge => Some("rebase"),
        _ => None,
    }
}

#[cfg(test)]
mod committing_tests {
    use super::*;

    #[test]
    fn the_command_and_gits_state_name_who_commits() {
        let none = GitState::default();
        assert_eq!(committing_command(b"revert", &[], none), Some("revert"));
        assert_eq!(committing_command(b"pull", &[], none), Some("merge"));
        assert_eq!(committing_command(b"am", &[], none), Some("am"));
        let rebasing = vec![b"--rebasing".to_vec()];
        assert_eq!(committing_command(b"am", &rebasing, none), Some("rebase"));
        let apply = GitState { rebase_apply: true, ..none };
        assert_eq!(committing_command(b"am", &[], apply), Some("rebase"), "rebase --continue");
        assert_eq!(committing_command(b"commit", &[], none), None, "a commit, or --no-verify");
        let pick = GitState { cherry_pick_head: true, ..none };
        assert_eq!(committing_command(b"commit", &[], pick), Some("cherry-pick"));
        let prepared = GitState { cherry_pick_head: true, pre_commit_ran: true, ..none };
        assert_eq!(committing_command(b"commit", &[], prepared), None);
        let rebase = GitState { rebase_merge: true, ..none };
        assert_eq!(committing_command(b"commit", &[], rebase), Some("rebase"));
        assert_eq!(committing_command(b"stash", &[], none), None);
    }
}
