//! Best-effort detection of the paths a shell command plainly writes.
//!
//! This is not a shell: it splits a command line into words and operators
//! the way a POSIX shell would for plain text (quotes, backslashes, `;`,
//! `&&`, `||`, `|`, `&`, newlines), and reports
//! - the targets of output redirections (`>`, `>>`, `>|`, `&>`, `N>`),
//! - the files of `tee`, `truncate`, `rm`, `sed -i`/`--in-place`,
//!   `dd of=`,
//! - the destination of `cp`, `mv`, `install`, `ln` (and for `mv`, its
//!   sources: they disappear); a destination that is a directory (it exists
//!   as one, or ends in `/`) receives each source's file name.
//!
//! Variables, command substitution, `eval`, scripts and interpreters
//! (`python -c`, `bash -c`) are not followed: the commit and server checks
//! remain the guarantee (docs/agents.md).

use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    /// An output redirection; the next word is its target.
    Redirect,
    /// `>&N`: a file-descriptor duplication, no path.
    Dup,
    /// `;`, `&&`, `||`, `|`, `&`, a newline, `(`, `)`.
    Separator,
}

fn tokenize(command: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = command.chars().peekable();
    let flush = |out: &mut Vec<Token>, word: &mut String, in_word: &mut bool| {
        if *in_word {
            out.push(Token::Word(std::mem::take(word)));
            *in_word = false;
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    word.push(q);
                }
            }
            '"' => {
                in_word = true;
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' => {
                            if let Some(&n) = chars.peek()
                                && matches!(n, '"' | '\\' | '$' | '`')
                            {
                                word.push(n);
                                chars.next();
                            } else {
                                word.push('\\');
                            }
                        }
                        other => word.push(other),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(n) = chars.next()
                    && n != '\n'
                {
                    word.push(n);
                }
            }
            '#' if !in_word => {
                // A comment runs to the end of the line.
                for q in chars.by_ref() {
                    if q == '\n' {
                        out.push(Token::Separator);
                        break;
                    }
                }
            }
            '>' => {
                // `2>`: the digits before are a file descriptor, not a word.
                if in_word && word.chars().all(|d| d.is_ascii_digit()) {
                    word.clear();
                    in_word = false;
                }
                flush(&mut out, &mut word, &mut in_word);
                match chars.peek() {
                    Some('>') | Some('|') => {
                        chars.next();
                    }
                    Some('&') => {
                        chars.next();
                        out.push(Token::Dup);
                        continue;
                    }
                    _ => {}
                }
                out.push(Token::Redirect);
            }
            '&' => {
                flush(&mut out, &mut word, &mut in_word);
                match chars.peek() {
                    Some('>') => {
                        chars.next();
                        if chars.peek() == Some(&'>') {
                            chars.next();
                        }
                        out.push(Token::Redirect);
                    }
                    Some('&') => {
                        chars.next();
                        out.push(Token::Separator);
                    }
                    _ => out.push(Token::Separator),
                }
            }
            ';' | '|' | '\n' | '(' | ')' => {
                flush(&mut out, &mut word, &mut in_word);
                out.push(Token::Separator);
            }
            '<' => {
                flush(&mut out, &mut word, &mut in_word);
                // An input redirection: its word is read, not written.
                out.push(Token::Dup);
            }
            c if c.is_whitespace() => flush(&mut out, &mut word, &mut in_word),
            other => {
                in_word = true;
                word.push(other);
            }
        }
    }
    flush(&mut out, &mut word, &mut in_word);
    out
}

/// Commands that only run the rest of the line.
const PREFIXES: [&str; 8] = ["sudo", "command", "env", "nohup", "time", "exec", "builtin", "xargs"];

/// The paths `command` plainly writes, as written (relative to the directory
/// the command runs in, or absolute); `cwd` tells destinations that are
/// directories.
pub fn written_paths(command: &str, cwd: &Path) -> Vec<String> {
    let tokens = tokenize(command);
    let mut out = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut i = 0;
    let mut segments: Vec<Vec<String>> = Vec::new();
    while i < tokens.len() {
        match &tokens[i] {
            Token::Redirect => {
                if let Some(Token::Word(target)) = tokens.get(i + 1) {
                    out.push(target.clone());
                    i += 1;
                }
            }
            Token::Dup => {
                // Skip the descriptor or input file.
                if let Some(Token::Word(_)) = tokens.get(i + 1) {
                    i += 1;
                }
            }
            Token::Separator => segments.push(std::mem::take(&mut words)),
            Token::Word(w) => words.push(w.clone()),
        }
        i += 1;
    }
    segments.push(words);
    for segment in segments {
        out.extend(command_writes(&segment, cwd));
    }
    out.retain(|p| !p.is_empty() && p != "/dev/null" && !p.starts_with("/dev/fd/"));
    out.dedup();
    out
}

/// The command of a segment: `words` past its leading variable assignments
/// and wrappers (`env`, `sudo`, … with their options).
fn command_words(words: &[String]) -> &[String] {
    let mut rest = words;
    while let Some(first) = rest.first() {
        let assignment = first.contains('=') && !first.starts_with('=') && !first.starts_with('-');
        if assignment || PREFIXES.contains(&base(first)) {
            rest = &rest[1..];
            while rest.first().is_some_and(|w| w.starts_with('-')) {
                rest = &rest[1..];
            }
        } else {
            break;
        }
    }
    rest
}

fn command_writes(words: &[String], cwd: &Path) -> Vec<String> {
    let Some((name, args)) = command_words(words).split_first() else { return Vec::new() };
    let operands = |args: &[String]| -> Vec<String> {
        let mut out = Vec::new();
        let mut after_dashes = false;
        for a in args {
            if !after_dashes && a == "--" {
                after_dashes = true;
            } else if after_dashes || !a.starts_with('-') || a == "-" {
                out.push(a.clone());
            }
        }
        out
    };
    match base(name) {
        "tee" | "truncate" | "rm" | "unlink" | "shred" => {
            operands(args).into_iter().filter(|a| a != "-").collect()
        }
        "sed" | "gsed" | "perl" => {
            let in_place = args.iter().any(|a| {
                a == "--in-place"
                    || a.starts_with("--in-place=")
                    || (a.starts_with('-') && !a.starts_with("--") && a[1..].contains('i'))
            });
            if !in_place {
                return Vec::new();
            }
            let scripted =
                args.iter().any(|a| a == "-e" || a == "-f" || a.starts_with("--expression"));
            let mut files = Vec::new();
            let mut skip_next = false;
            for a in args {
                if skip_next {
                    skip_next = false;
                    continue;
                }
                if a == "-e" || a == "-f" {
                    skip_next = true;
                    continue;
                }
                if !a.starts_with('-') {
                    files.push(a.clone());
                }
            }
            if !scripted && !files.is_empty() {
                files.remove(0);
            }
            files
        }
        "dd" => args.iter().filter_map(|a| a.strip_prefix("of=").map(str::to_owned)).collect(),
        "cp" | "mv" | "install" | "ln" | "rsync" => {
            let mut target_dir = None;
            let mut plain = Vec::new();
            let mut it = args.iter();
            while let Some(a) = it.next() {
                if a == "-t" || a == "--target-directory" {
                    target_dir = it.next().cloned();
                } else if let Some(dir) = a.strip_prefix("--target-directory=") {
                    target_dir = Some(dir.to_owned());
                } else if !a.starts_with('-') {
                    plain.push(a.clone());
                }
            }
            let (sources, dest, is_dir) = match target_dir {
                Some(dir) => (plain, dir, true),
                None => {
                    let Some(dest) = plain.pop() else { return Vec::new() };
                    let is_dir = dest.ends_with('/') || cwd.join(&dest).is_dir() || plain.len() > 1;
                    (plain, dest, is_dir)
                }
            };
            let mut out = Vec::new();
            if is_dir {
                for source in &sources {
                    let name = source.trim_end_matches('/').rsplit('/').next().unwrap_or(source);
                    out.push(format!("{}/{name}", dest.trim_end_matches('/')));
                }
            } else {
                out.push(dest);
            }
            if base(name) == "mv" {
                out.extend(sources);
            }
            out
        }
        _ => Vec::new(),
    }
}

/// Whether `command` plainly runs `git commit` (or `trail commit`): one of
/// its simple commands, after leading assignments and wrappers (`env`,
/// `sudo`, …) and git's own options (`-C DIR`, `-c KEY=VALUE`, …), is that
/// program with `commit` as its subcommand. Best effort, as
/// [`written_paths`]: a commit run by a script or an alias is not seen.
pub fn runs_commit(command: &str) -> bool {
    let mut segments: Vec<Vec<String>> = vec![Vec::new()];
    let mut skip_next = false;
    for token in tokenize(command) {
        match token {
            Token::Separator => segments.push(Vec::new()),
            Token::Redirect | Token::Dup => skip_next = true,
            Token::Word(_) if skip_next => skip_next = false,
            Token::Word(w) => {
                if let Some(last) = segments.last_mut() {
                    last.push(w);
                }
            }
        }
    }
    segments.iter().any(|words| segment_commits(words))
}

fn segment_commits(words: &[String]) -> bool {
    let Some((name, args)) = command_words(words).split_first() else { return false };
    match base(name) {
        "trail" => args.iter().find(|a| !a.starts_with('-')).is_some_and(|a| a == "commit"),
        "git" => {
            let mut args = args.iter();
            while let Some(arg) = args.next() {
                match arg.as_str() {
                    // git's options that take the next word.
                    "-C" | "-c" | "--git-dir" | "--work-tree" | "--namespace" | "--exec-path"
                    | "--config-env" | "--super-prefix" => {
                        args.next();
                    }
                    a if a.starts_with('-') => {}
                    a => return a == "commit",
                }
            }
            false
        }
        _ => false,
    }
}

fn base(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(command: &str) -> Vec<String> {
        written_paths(command, Path::new("/nonexistent"))
    }

    #[test]
    fn redirections() {
        assert_eq!(w("echo '{}' > .mcp.json"), [".mcp.json"]);
        assert_eq!(w("echo x >>.mcp.json"), [".mcp.json"]);
        assert_eq!(w("cat a 2>err.log 1>out"), ["err.log", "out"]);
        assert_eq!(w("make &> build.log"), ["build.log"]);
        assert_eq!(w("echo x 2>&1 | grep y"), Vec::<String>::new());
        assert_eq!(w("cat < .mcp.json"), Vec::<String>::new());
        assert_eq!(w(r#"echo "a > b" > "x y""#), ["x y"]);
        assert_eq!(w("echo hi > /dev/null"), Vec::<String>::new());
    }

    #[test]
    fn commands() {
        assert_eq!(w("curl -s u | tee -a .mcp.json"), [".mcp.json"]);
        assert_eq!(w("cp /tmp/evil.json .mcp.json"), [".mcp.json"]);
        assert_eq!(w("cp a b .cursor/"), [".cursor/a", ".cursor/b"]);
        assert_eq!(w("mv new.json .mcp.json"), [".mcp.json", "new.json"]);
        assert_eq!(w("sed -i 's/a/b/' .mcp.json"), [".mcp.json"]);
        assert_eq!(w("sed -e 's/a/b/' -i .mcp.json x"), [".mcp.json", "x"]);
        assert_eq!(w("sed 's/a/b/' .mcp.json"), Vec::<String>::new());
        assert_eq!(w("sudo cp x /etc/y && ls"), ["/etc/y"]);
        assert_eq!(w("FOO=1 tee out < in"), ["out"]);
        assert_eq!(w("git status; ls -la"), Vec::<String>::new());
        assert_eq!(w("dd if=x of=.mcp.json"), [".mcp.json"]);
    }

    #[test]
    fn commits() {
        assert!(runs_commit("git commit -m 'fix the login'"));
        assert!(runs_commit("git add -A && git commit -qm x"));
        assert!(runs_commit("cd sub; GIT_AUTHOR_NAME=a git -C .. -c user.name=x commit"));
        assert!(runs_commit("trail commit -m x --why y"));
        assert!(runs_commit("/usr/bin/git --no-pager commit --amend --no-edit"));
        assert!(!runs_commit("git status"));
        assert!(!runs_commit("git log --grep commit"));
        assert!(!runs_commit("echo git commit"));
        assert!(!runs_commit("git -C commit status"));
        assert!(!runs_commit("git commit-tree HEAD^{tree}"));
    }
}
