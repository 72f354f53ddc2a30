//! What a command line launches: the repository files an MCP server entry's
//! `command`/`args` (or a hook's shell command) would run, following the
//! common local idioms — `python -m pkg.mod`, `uv --directory DIR run X`,
//! `uvx --from ./pkg`, `node`/`npx`/`bun`/`deno run` with local paths,
//! `sh SCRIPT`, `bash -c "cd tools && ./start.sh"` — and the files a shell
//! script `source`s.
//!
//! Everything here over-approximates on purpose: a word that might be a path
//! is a candidate, since a candidate only matters when a file of that name is
//! changed, while a missed one is a script anyone can edit without a token.
//! docs/protection.md ("What counts as protected") lists the forms followed and those that are not.

use std::collections::BTreeSet;

use crate::glob;

/// How deep `sh -c '… sh -c …'` and launcher chains (`env uv run python …`)
/// are followed. Real configs nest two or three levels; the bound keeps a
/// crafted config from recursing without end.
const MAX_DEPTH: usize = 8;

/// The most candidate paths one config may name (1 Mi). A real config names
/// a few dozen; a crafted one (a 64 MiB `args` list of one-letter words)
/// could otherwise make a hook hold tens of millions of paths. Past it the
/// config is refused as too large, never read in part.
pub(crate) const MAX_LAUNCHED: usize = 1 << 20;

/// What a command line launches: files, and directories everything under
/// which counts (a local package: `uvx --from ./pkg`, `uv --directory srv`).
#[derive(Debug, Default)]
pub(crate) struct Found {
    pub files: BTreeSet<Vec<u8>>,
    pub dirs: BTreeSet<Vec<u8>>,
    /// More than [`MAX_LAUNCHED`] paths were named: the sets are incomplete.
    pub overflow: bool,
}

/// How much of a command line counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Every word that could be a relative path (an MCP server entry: its
    /// arguments are often the server's own files, `--config ./x.json`).
    AllWords,
    /// Only what is run: a command given by path, the script of a known
    /// interpreter or launcher, a `source`d file (a shell script, whose other
    /// words are mostly prose — `echo "see README.md"`).
    Commands,
}

/// The directories relative paths are resolved against (`""` is the root).
pub(crate) type Bases = Vec<Vec<u8>>;

/// A command-line word as a relative path, and whether it is relative to the
/// root only (it started with a workspace variable). `None`: not a path —
/// a URL, an absolute path, `~`, an unknown variable, a drive letter.
pub(crate) fn relative_word(word: &str) -> Option<(String, bool)> {
    let word = word.trim_matches(|c| matches!(c, '"' | '\'' | ';' | ','));
    let word = match word.strip_prefix('-') {
        Some(flag) => flag.split_once('=')?.1,
        None => word,
    };
    // npm's and pip's `file:./pkg` names a local path.
    let word = word.strip_prefix("file:").unwrap_or(word);
    let mut root_only = false;
    let mut word = word;
    for var in [
        "${workspaceFolder}/",
        "${workspaceRoot}/",
        "${CLAUDE_PROJECT_DIR}/",
        "$CLAUDE_PROJECT_DIR/",
        "${containerWorkspaceFolder}/",
    ] {
        if let Some(rest) = word.strip_prefix(var) {
            word = rest;
            root_only = true;
        }
    }
    if word.is_empty()
        || word.contains("://")
        || word.starts_with(['/', '~', '$', '\\'])
        || word.as_bytes().get(1) == Some(&b':')
    {
        return None;
    }
    Some((word.replace('\\', "/"), root_only))
}

/// Whether `word` names a local path explicitly (`./x`, `../x`, `file:x`):
/// for a launcher that otherwise takes a package name (`npx`, `uvx`), only
/// these are repository paths.
fn explicit_path(word: &str) -> bool {
    let word = word.strip_prefix("file:").unwrap_or(word);
    word.starts_with("./") || word.starts_with("../") || word == "." || word == ".."
}

/// Whether the last component of `word` has no extension (`./server`, a
/// directory that a launcher runs: `node ./srv` → `srv/index.js`).
fn extensionless(word: &str) -> bool {
    let name = word.trim_end_matches('/').rsplit('/').next().unwrap_or(word);
    !name.contains('.')
}

impl Found {
    /// `word` resolved under every base, as a file.
    pub(crate) fn file(&mut self, word: &str, bases: &Bases) {
        self.resolve(word, bases, false);
    }

    /// `word` resolved under every base, as a directory (and as a file: a
    /// launcher given a path runs whichever it is).
    pub(crate) fn dir(&mut self, word: &str, bases: &Bases) {
        self.resolve(word, bases, false);
        self.resolve(word, bases, true);
    }

    fn resolve(&mut self, word: &str, bases: &Bases, dir: bool) {
        let mut paths = BTreeSet::new();
        resolve(word, bases, &mut paths);
        for path in paths {
            if self.files.len() + self.dirs.len() >= MAX_LAUNCHED {
                self.overflow = true;
                return;
            }
            if dir {
                self.dirs.insert(path);
            } else {
                self.files.insert(path);
            }
        }
    }

    /// The files Python runs for `-m module`: `pkg/mod.py` or
    /// `pkg/mod/__main__.py`, and the `__init__.py` of every package on the
    /// way (importing a package runs it).
    fn module(&mut self, module: &str, bases: &Bases) {
        if module.is_empty()
            || !module.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        {
            return;
        }
        let path = module.replace('.', "/");
        self.file(&format!("{path}.py"), bases);
        self.file(&format!("{path}/__main__.py"), bases);
        self.file(&format!("{path}/__init__.py"), bases);
        let mut prefix = String::new();
        for part in module.split('.').collect::<Vec<_>>().split_last().map_or(&[][..], |(_, p)| p) {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(part);
            self.file(&format!("{prefix}/__init__.py"), bases);
        }
    }
}

fn resolve(word: &str, bases: &Bases, into: &mut BTreeSet<Vec<u8>>) {
    let Some((rel, root_only)) = relative_word(word) else { return };
    for base in bases {
        if root_only && !base.is_empty() {
            continue;
        }
        into.extend(glob::join(base, rel.as_bytes()));
    }
    if root_only && !bases.iter().any(Vec::is_empty) {
        into.extend(glob::normalize(rel.as_bytes()));
    }
}

/// `bases`, each also joined with `dir` (a `cd dir`, `uv --directory dir`):
/// the old bases stay, since where a relative path lands is a guess.
pub(crate) fn under(bases: &Bases, dir: &str) -> Bases {
    let mut out = bases.clone();
    if let Some((rel, root_only)) = relative_word(dir) {
        for base in bases {
            if root_only && !base.is_empty() {
                continue;
            }
            out.extend(glob::join(base, rel.as_bytes()));
        }
        if root_only {
            out.extend(glob::normalize(rel.as_bytes()));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The program name of `argv0`, lowercased, without its directory, a
/// Windows `.exe`, or a version suffix (`python3.12` → `python3.12`, matched
/// by prefix below).
fn program(argv0: &str) -> String {
    let name = argv0.rsplit(['/', '\\']).next().unwrap_or(argv0);
    let name = name.strip_suffix(".exe").unwrap_or(name);
    name.to_ascii_lowercase()
}

fn is_python(name: &str) -> bool {
    let rest = name.strip_prefix("python").or_else(|| name.strip_prefix("pypy"));
    name == "py" || rest.is_some_and(|r| r.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

fn is_shell(name: &str) -> bool {
    matches!(name, "sh" | "bash" | "zsh" | "dash" | "ksh" | "ash" | "fish")
}

/// The value of `--name VALUE` or `--name=VALUE` at `argv[i]` (and how many
/// words it took), when `argv[i]` is that option.
fn option_value<'a>(argv: &'a [String], i: usize, names: &[&str]) -> Option<(&'a str, usize)> {
    let word = argv[i].as_str();
    for name in names {
        if word == *name {
            return argv.get(i + 1).map(|v| (v.as_str(), 2));
        }
        if let Some(value) = word.strip_prefix(name).and_then(|r| r.strip_prefix('=')) {
            return Some((value, 1));
        }
    }
    None
}

/// Analyse one command line (`argv`, quotes already removed) run from
/// `bases`, adding what it launches to `found`.
pub(crate) fn argv(argv: &[String], bases: &Bases, mode: Mode, found: &mut Found, depth: usize) {
    if depth > MAX_DEPTH || found.overflow {
        return;
    }
    // Leading `NAME=value` assignments are environment, not the command.
    let start = argv.iter().take_while(|w| is_assignment(w)).count();
    let argv = &argv[start..];
    let Some(first) = argv.first() else { return };
    match mode {
        Mode::AllWords => {
            for word in argv.iter().flat_map(|w| w.split_whitespace()) {
                found.file(word, bases);
            }
        }
        Mode::Commands => {
            if first.contains('/') {
                found.file(first, bases);
            }
        }
    }
    let name = program(first);
    let rest = &argv[1..];
    let depth = depth + 1;
    match name.as_str() {
        "env" | "exec" | "nohup" | "time" | "command" | "nice" | "stdbuf" | "xvfb-run" => {
            let skip = rest.iter().take_while(|w| w.starts_with('-') || is_assignment(w)).count();
            self::argv(&rest[skip..], bases, mode, found, depth);
        }
        "source" | "." => {
            if let Some(file) = rest.first() {
                found.file(file, bases);
            }
        }
        "uv" => uv(rest, bases, mode, found, depth),
        "uvx" => uvx(rest, bases, mode, found, depth),
        "node" | "nodejs" | "bun" | "deno" | "tsx" | "ts-node" => js(&name, rest, bases, found),
        "npx" | "bunx" | "pnpx" => npx(rest, bases, mode, found, depth),
        "npm" | "pnpm" | "yarn" => {
            if let Some((i, _)) =
                rest.iter().enumerate().find(|(_, w)| matches!(w.as_str(), "exec" | "dlx" | "x"))
            {
                npx(&rest[i + 1..], bases, mode, found, depth);
            }
        }
        // crushrc's builtins: `mcp add NAME --command X --args A --args B`,
        // `hook add EVENT --command 'a shell command'`.
        "mcp" | "lsp" => {
            let mut command: Vec<String> = Vec::new();
            let mut i = 0;
            while i < rest.len() {
                match option_value(rest, i, &["--command", "--args"]) {
                    Some((value, took)) => {
                        command.push(value.to_owned());
                        i += took;
                    }
                    None => i += 1,
                }
            }
            self::argv(&command, bases, Mode::AllWords, found, depth);
        }
        "hook" => {
            for i in 0..rest.len() {
                if let Some((text, _)) = option_value(rest, i, &["--command"]) {
                    script_text(text.as_bytes(), bases, Mode::AllWords, found, depth);
                }
            }
        }
        name if is_python(name) => python(rest, bases, found),
        name if is_shell(name) => shell(rest, bases, mode, found, depth),
        _ => {}
    }
}

fn is_assignment(word: &str) -> bool {
    match word.split_once('=') {
        Some((name, _)) => {
            !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !name.starts_with(|c: char| c.is_ascii_digit())
        }
        None => false,
    }
}

/// `python [options] SCRIPT | -m MODULE | -c CODE`.
fn python(rest: &[String], bases: &Bases, found: &mut Found) {
    let mut i = 0;
    while i < rest.len() {
        let word = rest[i].as_str();
        if word == "-m" {
            if let Some(module) = rest.get(i + 1) {
                found.module(module, bases);
            }
            return;
        }
        if let Some(module) = word.strip_prefix("-m") {
            found.module(module, bases);
            return;
        }
        if word == "-c" || word == "-" {
            return;
        }
        if matches!(word, "-W" | "-X" | "--check-hash-based-pycs") {
            i += 2;
            continue;
        }
        if word.starts_with('-') {
            i += 1;
            continue;
        }
        // `python DIR` runs DIR/__main__.py.
        if extensionless(word) {
            found.dir(word, bases)
        } else {
            found.file(word, bases)
        }
        return;
    }
}

/// uv's options that take a value, so that the value is not taken for the
/// subcommand or the command.
const UV_VALUED: &[&str] = &[
    "--directory",
    "--project",
    "--cache-dir",
    "--config-file",
    "--python",
    "-p",
    "--color",
    "--allow-insecure-host",
    "--python-preference",
    "--with",
    "--with-editable",
    "--with-requirements",
    "--extra",
    "--group",
    "--only-group",
    "--no-group",
    "--package",
    "--env-file",
    "--index",
    "--default-index",
    "--index-url",
    "--extra-index-url",
    "--find-links",
    "-f",
    "--from",
    "--refresh-package",
    "--reinstall-package",
    "--upgrade-package",
    "--script",
    "-s",
    "--module",
    "-m",
];

/// `uv [--directory D] [--project D] run [options] COMMAND…` and
/// `uv tool run …`: the command's paths are resolved under D as well, and
/// D itself (the project uv runs) counts whole.
fn uv(rest: &[String], bases: &Bases, mode: Mode, found: &mut Found, depth: usize) {
    let mut bases = bases.clone();
    let mut i = 0;
    let mut subcommand: Option<&str> = None;
    while i < rest.len() {
        if let Some((dir, took)) = option_value(rest, i, &["--directory", "--project"]) {
            found.dir(dir, &bases);
            bases = under(&bases, dir);
            i += took;
            continue;
        }
        if subcommand.is_some() {
            break;
        }
        let word = rest[i].as_str();
        if let Some((_, took)) = option_value(rest, i, UV_VALUED) {
            i += took;
        } else if word.starts_with('-') {
            i += 1;
        } else if word == "tool" && rest.get(i + 1).map(String::as_str) == Some("run") {
            return uvx(&rest[i + 2..], &bases, mode, found, depth);
        } else {
            subcommand = Some(word);
            i += 1;
        }
    }
    if subcommand != Some("run") {
        return;
    }
    run_options(&rest[i..], &bases, mode, found, depth);
}

/// The options of `uv run` (and `uvx`), then the command they run.
fn run_options(rest: &[String], bases: &Bases, mode: Mode, found: &mut Found, depth: usize) {
    let mut bases = bases.clone();
    let mut i = 0;
    while i < rest.len() {
        if let Some((dir, took)) = option_value(rest, i, &["--directory", "--project"]) {
            found.dir(dir, &bases);
            bases = under(&bases, dir);
            i += took;
            continue;
        }
        if let Some((module, took)) = option_value(rest, i, &["-m", "--module"]) {
            found.module(module, &bases);
            let _ = took;
            return;
        }
        if let Some((local, took)) = option_value(rest, i, &["--from", "--with-editable"]) {
            if relative_word(local).is_some_and(|_| explicit_path(local) || local.contains('/')) {
                found.dir(local, &bases);
            }
            i += took;
            continue;
        }
        if let Some((file, took)) =
            option_value(rest, i, &["--with-requirements", "--env-file", "--script", "-s"])
        {
            found.file(file, &bases);
            i += took;
            continue;
        }
        if let Some((_, took)) = option_value(rest, i, UV_VALUED) {
            i += took;
            continue;
        }
        if rest[i].starts_with('-') {
            i += 1;
            continue;
        }
        break;
    }
    let command = &rest[i.min(rest.len())..];
    // `uv run x.py` runs a script; `uv run x` a command of the environment.
    if let Some(first) = command.first()
        && (explicit_path(first) || first.ends_with(".py") || first.ends_with(".pyw"))
    {
        found.file(first, &bases);
    }
    argv(command, &bases, mode, found, depth);
}

/// `uvx [--from PKG] [--with PKG] COMMAND…`: a local `--from`/`--with`
/// package counts whole.
fn uvx(rest: &[String], bases: &Bases, mode: Mode, found: &mut Found, depth: usize) {
    let mut i = 0;
    while i < rest.len() {
        if let Some((local, took)) = option_value(rest, i, &["--with"]) {
            if explicit_path(local) {
                found.dir(local, bases);
            }
            i += took;
            continue;
        }
        break;
    }
    let rest = &rest[i..];
    if let Some(first) = rest.first()
        && explicit_path(first)
    {
        found.dir(first, bases);
    }
    run_options(rest, bases, mode, found, depth);
}

/// `node [options] SCRIPT`, `bun [run] SCRIPT`, `deno run [options] SCRIPT`,
/// `tsx SCRIPT`: the script, a module it preloads (`-r`, `--import`), and the
/// directory when the script is one (`node ./srv` runs `srv/index.js`).
fn js(name: &str, rest: &[String], bases: &Bases, found: &mut Found) {
    let mut i = 0;
    if matches!(name, "deno" | "bun") && matches!(rest.first().map(String::as_str), Some("run")) {
        i = 1;
    }
    while i < rest.len() {
        if let Some((file, took)) = option_value(
            rest,
            i,
            &[
                "-r",
                "--require",
                "--import",
                "--loader",
                "--experimental-loader",
                "--env-file",
                "--config",
                "-c",
                "--import-map",
                "--preload",
            ],
        ) {
            found.file(file, bases);
            i += took;
            continue;
        }
        let word = rest[i].as_str();
        if matches!(word, "-e" | "--eval" | "-p" | "--print") {
            return;
        }
        if word.starts_with('-') {
            i += 1;
            continue;
        }
        if extensionless(word) && (explicit_path(word) || word.contains('/')) {
            found.dir(word, bases);
        } else {
            found.file(word, bases);
        }
        return;
    }
}

/// `npx [-y] [-p PKG] PKG [args…]`: a local package (`./pkg`, `file:./pkg`)
/// counts whole; the rest is the package binary's command line.
fn npx(rest: &[String], bases: &Bases, mode: Mode, found: &mut Found, depth: usize) {
    let mut i = 0;
    while i < rest.len() {
        if let Some((package, took)) = option_value(rest, i, &["-p", "--package"]) {
            if explicit_path(package) {
                found.dir(package, bases);
            }
            i += took;
            continue;
        }
        if rest[i].starts_with('-') {
            i += 1;
            continue;
        }
        break;
    }
    if let Some(package) = rest.get(i)
        && explicit_path(package)
    {
        found.dir(package, bases);
    }
    // The package's own arguments (`--config ./x.json`) are words like any.
    if mode == Mode::AllWords && i + 1 < rest.len() {
        argv(&rest[i + 1..], bases, Mode::AllWords, found, depth);
    }
}

/// `sh [options] SCRIPT` or `sh -c 'COMMANDS'`.
fn shell(rest: &[String], bases: &Bases, mode: Mode, found: &mut Found, depth: usize) {
    let mut i = 0;
    while i < rest.len() {
        let word = rest[i].as_str();
        if word == "-o" || word == "+o" {
            i += 2;
            continue;
        }
        if let Some(flags) = word.strip_prefix('-').filter(|f| !f.starts_with('-')) {
            if flags.contains('c') {
                if let Some(text) = rest.get(i + 1) {
                    script_text(text.as_bytes(), bases, mode, found, depth);
                }
                return;
            }
            i += 1;
            continue;
        }
        if word.starts_with("--") {
            i += 1;
            continue;
        }
        found.file(word, bases);
        return;
    }
}

/// Every simple command of the shell text `text`, run from `bases`: a
/// `cd DIR` moves the bases of the commands after it.
pub(crate) fn script_text(text: &[u8], bases: &Bases, mode: Mode, found: &mut Found, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let mut bases = bases.clone();
    for_each_command(text, &mut |command| {
        let start = command.iter().take_while(|w| is_assignment(w)).count();
        let command = &command[start..];
        match command.first().map(String::as_str) {
            Some("cd" | "pushd") => {
                if let Some(dir) = command.get(1).filter(|d| !d.starts_with('-')) {
                    if mode == Mode::AllWords {
                        found.file(dir, &bases);
                    }
                    bases = under(&bases, dir);
                }
            }
            Some(_) => argv(command, &bases, mode, found, depth + 1),
            None => {}
        }
    });
}

/// The simple commands of a shell text, each as its words with quotes
/// removed: split at `;`, `&`, `|`, newlines and parentheses; `'…'`, `"…"`,
/// backslashes, `$(…)`, `${…}` and backquotes read as a shell would group
/// them (substitutions are kept verbatim, unexpanded); comments and
/// redirection targets dropped. Not a full shell grammar — `if`/`for`
/// keywords simply become commands that launch nothing.
pub(crate) fn commands(text: &[u8]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for_each_command(text, &mut |command| out.push(command));
    out
}

/// [`commands`], handing each command to `emit` as soon as it is read, so
/// that a large script costs one command's memory. It works on bytes (every
/// byte the grammar cares about is ASCII).
pub(crate) fn for_each_command(text: &[u8], emit: &mut dyn FnMut(Vec<String>)) {
    let mut split =
        Splitter { emit, command: Vec::new(), word: Vec::new(), in_word: false, skip_next: false };
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b' ' | b'\t' | b'\r' => split.end_word(),
            b'\n' | b';' | b'&' | b'|' | b'(' | b')' => split.end_command(),
            b'>' | b'<' => {
                // `2>` names a descriptor, not a word of the command.
                if split.in_word && split.word.iter().all(u8::is_ascii_digit) {
                    split.word.clear();
                    split.in_word = false;
                }
                split.end_word();
                while matches!(text.get(i + 1), Some(b'>' | b'<' | b'&')) {
                    i += 1;
                }
                split.skip_next = true;
            }
            b'#' if !split.in_word => {
                i = memchr::memchr(b'\n', &text[i..]).map_or(text.len(), |n| i + n);
                continue;
            }
            b'\'' => {
                split.in_word = true;
                let end = memchr::memchr(b'\'', &text[i + 1..]).map_or(text.len(), |n| i + 1 + n);
                split.word.extend_from_slice(&text[i + 1..end]);
                i = end;
            }
            b'"' => {
                split.in_word = true;
                i += 1;
                while i < text.len() && text[i] != b'"' {
                    match text[i] {
                        b'\\' if matches!(text.get(i + 1), Some(b'"' | b'\\' | b'$' | b'`')) => {
                            split.word.push(text[i + 1]);
                            i += 2;
                        }
                        b'\\' if text.get(i + 1) == Some(&b'\n') => i += 2,
                        b'$' if matches!(text.get(i + 1), Some(b'(' | b'{')) => {
                            let end = substitution(text, i);
                            split.word.extend_from_slice(&text[i..end]);
                            i = end;
                        }
                        byte => {
                            split.word.push(byte);
                            i += 1;
                        }
                    }
                }
            }
            b'\\' => {
                if let Some(&next) = text.get(i + 1)
                    && next != b'\n'
                {
                    split.in_word = true;
                    split.word.push(next);
                }
                i += 2;
                continue;
            }
            b'$' if matches!(text.get(i + 1), Some(b'(' | b'{')) => {
                split.in_word = true;
                let end = substitution(text, i);
                split.word.extend_from_slice(&text[i..end]);
                i = end;
                continue;
            }
            b'`' => {
                split.in_word = true;
                let end = memchr::memchr(b'`', &text[i + 1..]).map_or(text.len(), |n| i + 1 + n);
                split.word.extend_from_slice(&text[i..(end + 1).min(text.len())]);
                i = end;
            }
            byte => {
                split.in_word = true;
                split.word.push(byte);
            }
        }
        i += 1;
    }
    split.end_command();
}

/// The state of [`for_each_command`]: the word and the command being read.
struct Splitter<'a> {
    emit: &'a mut dyn FnMut(Vec<String>),
    command: Vec<String>,
    word: Vec<u8>,
    in_word: bool,
    /// The next word is a redirection's target (`> out.log`): dropped.
    skip_next: bool,
}

impl Splitter<'_> {
    fn end_word(&mut self) {
        if self.in_word {
            if self.skip_next {
                self.skip_next = false;
            } else {
                self.command.push(String::from_utf8_lossy(&self.word).into_owned());
            }
        }
        self.word.clear();
        self.in_word = false;
    }

    fn end_command(&mut self) {
        self.end_word();
        if !self.command.is_empty() {
            (self.emit)(std::mem::take(&mut self.command));
        }
    }
}

/// The end (exclusive) of the `$(…)` or `${…}` starting at `text[start]`,
/// with its nesting and quotes; the end of `text` when it is unterminated.
fn substitution(text: &[u8], start: usize) -> usize {
    let (open, close) =
        if text.get(start + 1) == Some(&b'(') { (b'(', b')') } else { (b'{', b'}') };
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let mut i = start;
    while i < text.len() {
        let c = text[i];
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == b'\'' || c == b'"' => quote = Some(c),
            None if c == open => depth += 1,
            None if c == close => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            None => {}
        }
        i += 1;
    }
    i
}

/// For a word of a shell script that starts with a variable standing for a
/// directory — `$(dirname "$0")/lib.sh`, `${BASH_SOURCE%/*}/lib.sh`,
/// `$DIR/lib.sh` — what follows the variable (`lib.sh`), which scripts
/// resolve against their own directory.
fn after_dir_variable(word: &str) -> Option<&str> {
    let rest = word.strip_prefix('$')?;
    let after = if rest.starts_with(['(', '{']) {
        // `substitution` only stops at an ASCII byte, so this is a char boundary.
        &word[substitution(word.as_bytes(), 0)..]
    } else {
        let end =
            rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
        &rest[end..]
    };
    after.strip_prefix('/')
}

/// The repository-relative paths of the files the shell script at
/// `script_path` with `content` reads in with `source FILE` or `. FILE`:
/// resolved against the script's directory and the root (where a hook or a
/// config usually runs it from); `$(dirname "$0")/x`, `${BASH_SOURCE%/*}/x`
/// and `$DIR/x` count as the script's directory. Sorted, no duplicates.
/// Linear in the script's size, holding one command at a time.
pub fn sourced_scripts(script_path: &[u8], content: &[u8]) -> Vec<Vec<u8>> {
    let script_dir = glob::parent(script_path).to_vec();
    let mut bases: Bases = vec![script_dir.clone(), Vec::new()];
    bases.dedup();
    let mut found = BTreeSet::new();
    for_each_command(content, &mut |command| {
        let start = command.iter().take_while(|w| is_assignment(w)).count();
        let command = &command[start..];
        let (Some(verb), Some(file)) = (command.first(), command.get(1)) else { return };
        if verb != "source" && verb != "." {
            return;
        }
        match after_dir_variable(file) {
            Some(rel) => resolve(rel, &vec![script_dir.clone()], &mut found),
            None => resolve(file, &bases, &mut found),
        }
    });
    found.remove(script_path);
    found.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<Vec<String>> {
        commands(text.as_bytes())
    }

    fn launched(line: &[&str], bases: &[&str]) -> (Vec<String>, Vec<String>) {
        let argv: Vec<String> = line.iter().map(|s| (*s).to_owned()).collect();
        let bases: Bases = bases.iter().map(|b| b.as_bytes().to_vec()).collect();
        let mut found = Found::default();
        self::argv(&argv, &bases, Mode::Commands, &mut found, 0);
        let show = |set: &BTreeSet<Vec<u8>>| {
            set.iter().map(|p| String::from_utf8_lossy(p).into_owned()).collect()
        };
        (show(&found.files), show(&found.dirs))
    }

    #[test]
    fn the_shell_splitter_groups_like_a_shell() {
        assert_eq!(
            words("cd tools && ./start.sh --x 'a b' \"c d\" # comment\nnext"),
            vec![vec!["cd", "tools"], vec!["./start.sh", "--x", "a b", "c d"], vec!["next"]]
        );
        assert_eq!(
            words(r#"source "$(dirname "$0")/lib.sh"; . ./x.sh 2>/dev/null > out.log"#),
            vec![vec!["source", "$(dirname \"$0\")/lib.sh"], vec![".", "./x.sh"]]
        );
        assert_eq!(
            words(r#""$CLAUDE_PROJECT_DIR"/.claude/hooks/a.sh"#),
            vec![vec!["$CLAUDE_PROJECT_DIR/.claude/hooks/a.sh"]]
        );
        // A backslash-newline joins lines, as in a shell.
        assert_eq!(words("a\\ b c\\\nd e"), vec![vec!["a b", "cd", "e"]]);
    }

    #[test]
    fn python_modules_and_scripts() {
        let (files, _) = launched(&["python", "-u", "-m", "pkg.server"], &[""]);
        for f in ["pkg/server.py", "pkg/server/__main__.py", "pkg/__init__.py"] {
            assert!(files.contains(&f.to_owned()), "{f} in {files:?}");
        }
        let (files, _) = launched(&["python3.12", "-mtools.mcp"], &["cfg"]);
        assert!(files.contains(&"cfg/tools/mcp.py".to_owned()), "{files:?}");
        let (files, _) = launched(&["python3", "-X", "utf8", "srv/main.py", "--port", "1"], &[""]);
        assert_eq!(files, vec!["srv/main.py"]);
        let (files, _) = launched(&["python", "-c", "import x"], &[""]);
        assert!(files.is_empty());
    }

    #[test]
    fn uv_directory_and_project() {
        let (files, dirs) =
            launched(&["uv", "--directory", "tools/srv", "run", "server.py"], &[""]);
        assert!(files.contains(&"tools/srv/server.py".to_owned()), "{files:?}");
        assert!(dirs.contains(&"tools/srv".to_owned()), "{dirs:?}");
        let (files, _) = launched(&["uv", "run", "--project=svc", "python", "-m", "app"], &[""]);
        assert!(files.contains(&"svc/app.py".to_owned()), "{files:?}");
        let (files, _) = launched(&["uv", "--python", "3.12", "run", "--with", "x", "s.py"], &[""]);
        assert!(files.contains(&"s.py".to_owned()), "{files:?}");
        let (_, dirs) = launched(&["uvx", "--from", "./pkgs/mcp", "mcp-server"], &[""]);
        assert_eq!(dirs, vec!["pkgs/mcp"]);
        let (_, dirs) = launched(&["uv", "tool", "run", "--from", "./p", "x"], &[""]);
        assert_eq!(dirs, vec!["p"]);
    }

    #[test]
    fn javascript_launchers() {
        let (files, _) = launched(&["node", "--import", "./reg.mjs", "dist/index.js"], &[""]);
        assert_eq!(files, vec!["dist/index.js", "reg.mjs"]);
        let (files, dirs) = launched(&["npx", "-y", "file:./packages/srv"], &[""]);
        assert!(files.contains(&"packages/srv".to_owned()) && dirs == vec!["packages/srv"]);
        let (files, _) = launched(&["deno", "run", "--allow-read", "./mod.ts"], &[""]);
        assert_eq!(files, vec!["mod.ts"]);
        let (files, _) = launched(&["bun", "run", "src/server.ts"], &[""]);
        assert_eq!(files, vec!["src/server.ts"]);
        let (_, dirs) = launched(&["node", "./srv"], &[""]);
        assert_eq!(dirs, vec!["srv"]);
        let (files, dirs) = launched(&["npx", "-y", "@scope/server"], &[""]);
        assert!(files.is_empty() && dirs.is_empty(), "a registry package is not a path");
    }

    #[test]
    fn shells_and_cd_chains() {
        let (files, _) = launched(&["bash", "-c", "cd tools && ./start.sh"], &[""]);
        assert!(files.contains(&"tools/start.sh".to_owned()), "{files:?}");
        let (files, _) = launched(&["sh", "-ec", "cd a; cd b && exec python run.py"], &["cfg", ""]);
        assert!(files.contains(&"cfg/a/b/run.py".to_owned()), "{files:?}");
        assert!(files.contains(&"a/b/run.py".to_owned()), "{files:?}");
        let (files, _) = launched(&["bash", "scripts/serve.sh", "--flag"], &[""]);
        assert_eq!(files, vec!["scripts/serve.sh"]);
        let (files, _) =
            launched(&["env", "A=1", "bash", "-lc", "FOO=1 uv run python -m pkg"], &[""]);
        assert!(files.contains(&"pkg/__main__.py".to_owned()), "{files:?}");
    }

    #[test]
    fn words_that_are_not_paths() {
        for word in ["https://x.invalid/a", "/usr/bin/x", "~/x", "$HOME/x", "C:\\x", "-v"] {
            assert!(relative_word(word).is_none(), "{word}");
        }
        assert_eq!(relative_word("--config=./x.json"), Some(("./x.json".into(), false)));
        assert_eq!(relative_word("${workspaceFolder}/a.py"), Some(("a.py".into(), true)));
        assert_eq!(relative_word("file:./pkg"), Some(("./pkg".into(), false)));
    }

    #[test]
    fn sourced_files_of_a_script() {
        let script = br#"#!/bin/sh
set -eu
. ./lib.sh
source lib/x.sh
source "$(dirname "$0")/common.sh"
. "${BASH_SOURCE%/*}/more.sh"
DIR=$(cd "$(dirname "$0")" && pwd); source "$DIR/env.sh"
source /etc/profile
echo "source not-a-file.sh"
"#;
        let got: Vec<String> = sourced_scripts(b"scripts/run.sh", script)
            .iter()
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .collect();
        for want in [
            "scripts/lib.sh",
            "lib.sh",
            "scripts/lib/x.sh",
            "lib/x.sh",
            "scripts/common.sh",
            "scripts/more.sh",
            "scripts/env.sh",
        ] {
            assert!(got.contains(&want.to_owned()), "{want} in {got:?}");
        }
        assert!(!got.iter().any(|p| p.contains("profile") || p.contains("not-a-file")), "{got:?}");
    }
}
