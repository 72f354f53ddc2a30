//! `trail import` records what `git log` shows (issue 20, items 1, 4, 5 and 6):
//! each test builds odd commits with real git (`git hash-object -t commit
//! --literally` for the ones git itself would never write), asks `git log` for
//! its view in the same test, imports, and compares the journal's records with
//! git's output field by field.

mod common;

use std::collections::HashMap;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use common::{PROCESS_TIMEOUT, TestEnv, base64_decode, parse_json_lines, run, run_with_input};
use serde_json::Value;

// ---------------------------------------------------------------------------
// Helpers

/// A new empty repository `<root>/NAME` (branch main).
fn new_repo(env: &TestEnv, name: &str) -> PathBuf {
    let repo = env.dir(name);
    env.git_ok(&repo, ["init", "-q", "-b", "main"]);
    repo
}

/// Write the commit object `tree <empty>\n[parent P\n]HEADERS\nMESSAGE` as git
/// stores it, without git's checks, and return its id.
fn raw_commit(
    env: &TestEnv,
    repo: &Path,
    parent: Option<&str>,
    headers: &[u8],
    message: &[u8],
) -> String {
    let tree = env.git_ok(repo, ["hash-object", "-t", "tree", "-w", "/dev/null"]);
    let mut object = format!("tree {tree}\n").into_bytes();
    if let Some(parent) = parent {
        object.extend_from_slice(format!("parent {parent}\n").as_bytes());
    }
    object.extend_from_slice(headers);
    object.push(b'\n');
    object.extend_from_slice(message);
    let mut cmd = env.command("git", repo);
    cmd.args(["hash-object", "-t", "commit", "--literally", "-w", "--stdin"]);
    let out = run_with_input(cmd, object, PROCESS_TIMEOUT);
    assert_eq!(out.status, Some(0), "git hash-object failed:\n{out}");
    out.stdout_str().trim().to_owned()
}

/// A chain of raw commits (each the parent of the next), `main` at the last.
fn raw_history(env: &TestEnv, repo: &Path, commits: &[(&[u8], &[u8])]) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for (headers, message) in commits {
        let id = raw_commit(env, repo, ids.last().map(String::as_str), headers, message);
        ids.push(id);
    }
    let tip = ids.last().expect("at least one commit");
    env.git_ok(repo, ["update-ref", "refs/heads/main", tip]);
    ids
}

/// `author LINE\ncommitter LINE\n`
fn idents(author: &[u8], committer: &[u8]) -> Vec<u8> {
    [b"author ", author, b"\ncommitter ", committer, b"\n"].concat()
}

/// One commit as `git log` shows it: every field as the bytes git prints.
struct GitView {
    fields: HashMap<&'static str, Vec<u8>>,
}

impl std::fmt::Debug for GitView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut fields: Vec<_> = self.fields.iter().collect();
        fields.sort();
        f.debug_map().entries(fields.into_iter().map(|(k, v)| (k, show(v)))).finish()
    }
}

/// What `git log` prints for each commit of `repo`, by commit id. Times are
/// asked in the journal's own format (`--date=format-local:` under TZ=UTC).
fn git_view(env: &TestEnv, repo: &Path) -> HashMap<String, GitView> {
    const FIELDS: [(&str, &str); 12] = [
        ("id", "%H"),
        ("an", "%an"),
        ("ae", "%ae"),
        ("at", "%at"),
        ("ad", "%ad"),
        ("ai", "%ai"),
        ("cn", "%cn"),
        ("ce", "%ce"),
        ("ct", "%ct"),
        ("cd", "%cd"),
        ("ci", "%ci"),
        ("s", "%s"),
    ];
    let format: Vec<&str> = FIELDS.iter().map(|(_, f)| *f).collect();
    let mut cmd = env.command("git", repo);
    cmd.arg("log")
        .arg("--date=format-local:%Y-%m-%dT%H:%M:%S.000000000Z")
        .arg(format!("--format={}%x02", format.join("%x01")));
    let out = run(cmd, PROCESS_TIMEOUT);
    assert_eq!(out.status, Some(0), "git log failed:\n{out}");
    let mut views = HashMap::new();
    for entry in out.stdout.split(|b| *b == 0x02) {
        let entry = entry.strip_prefix(b"\n").unwrap_or(entry);
        if entry.is_empty() {
            continue;
        }
        let values: Vec<&[u8]> = entry.split(|b| *b == 0x01).collect();
        assert_eq!(values.len(), FIELDS.len(), "git log printed {entry:?}");
        let fields: HashMap<&'static str, Vec<u8>> =
            FIELDS.iter().zip(values).map(|((name, _), value)| (*name, value.to_vec())).collect();
        let id = String::from_utf8(fields["id"].clone()).expect("hex id");
        views.insert(id, GitView { fields });
    }
    views
}

/// `trail init && trail import` (both must exit 0), then the commit records
/// of the journal by commit id.
fn imported(env: &TestEnv, repo: &Path) -> HashMap<String, Value> {
    env.trail_ok(repo, ["init"]);
    env.trail_ok(repo, ["import"]);
    commit_records(env, repo)
}

fn commit_records(env: &TestEnv, repo: &Path) -> HashMap<String, Value> {
    parse_json_lines(&env.trail_ok(repo, ["export"]).stdout)
        .into_iter()
        .filter(|r| r["kind"] == "commit")
        .map(|r| (r["commit"].as_str().expect("commit id").to_owned(), r))
        .collect()
}

/// The bytes of `object[KEY]` or, when absent, the base64-decoded `object[KEY_b64]`.
fn bytes_of(object: &Value, key: &str) -> Option<Vec<u8>> {
    if let Some(b64) = object.get(format!("{key}_b64")).and_then(Value::as_str) {
        assert!(object.get(key).is_some(), "{key}_b64 comes with its lossy {key}: {object}");
        let bytes = base64_decode(b64).unwrap_or_else(|| panic!("bad base64 in {object}"));
        assert!(std::str::from_utf8(&bytes).is_err(), "{key}_b64 holds UTF-8: {object}");
        return Some(bytes);
    }
    object.get(key).and_then(Value::as_str).map(|s| s.as_bytes().to_vec())
}

fn show(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).escape_debug().to_string()
}

/// Every commit git shows is recorded, and each recorded field is what git
/// prints for it: name, email, time, time zone, subject.
fn assert_records_match_git(env: &TestEnv, repo: &Path) -> HashMap<String, Value> {
    let git = git_view(env, repo);
    let records = imported(env, repo);
    assert_eq!(records.len(), git.len(), "one record per commit git shows");
    for (id, view) in &git {
        let record = records.get(id).unwrap_or_else(|| panic!("commit {id} was not recorded"));
        let detail = &record["detail"];
        let subject = bytes_of(detail, "subject").unwrap_or_default();
        assert_eq!(show(&subject), show(&view.fields["s"]), "subject of {id}");
        assert_eq!(subject, view.fields["s"], "subject bytes of {id}");
        for (who, n, e, t, d, i) in
            [("author", "an", "ae", "at", "ad", "ai"), ("committer", "cn", "ce", "ct", "cd", "ci")]
        {
            let person = &detail[who];
            let field = |k: &str| &view.fields[k];
            let context = || format!("{id} {who}: {person}\ngit: {view:?}");
            let name = bytes_of(person, "name").unwrap_or_else(|| panic!("no name: {}", context()));
            assert_eq!(show(&name), show(field(n)), "name of {}", context());
            assert_eq!(name, *field(n), "name bytes of {}", context());
            let email = bytes_of(person, "email").expect("email");
            assert_eq!(email, *field(e), "email of {}", context());
            if field(t).is_empty() {
                // git reads no date: it shows the epoch (`git log` prints
                // 1970-01-01) and the record keeps the line it could not read.
                assert_eq!(person["time"], "1970-01-01T00:00:00.000000000Z", "{}", context());
                assert!(person.get("tz").is_none(), "no zone git reads: {}", context());
                assert!(bytes_of(person, "ident").is_some(), "ident kept: {}", context());
            } else {
                let time = person["time"].as_str().expect("time");
                assert_eq!(time.as_bytes(), field(d).as_slice(), "time of {}", context());
                let tz = field(i).rsplit(|b| *b == b' ').next().expect("zone").to_vec();
                let recorded =
                    person["tz"].as_str().unwrap_or_else(|| panic!("no tz: {}", context()));
                assert_eq!(show(recorded.as_bytes()), show(&tz), "tz of {}", context());
            }
        }
    }
    records
}

// ---------------------------------------------------------------------------
// 1. The `encoding` header

// A commit made with i18n.commitEncoding=ISO-8859-1 was recorded as
// `Ren� Latin` / `caf� cr�me` where git log shows `René Latin` / `café crème`.
#[test]
fn regression_latin1_commit_encoding_was_ignored() {
    let env = TestEnv::new();
    let repo = new_repo(&env, "latin1");
    std::fs::write(repo.join("a.txt"), "a\n").expect("write");
    env.git_ok(&repo, ["add", "a.txt"]);
    std::fs::write(repo.join("msg"), b"caf\xe9 cr\xe8me\n\nna\xefve body\n").expect("write");
    let mut commit = env.command("git", &repo);
    commit
        .args(["-c", "i18n.commitEncoding=ISO-8859-1", "commit", "-q", "--no-verify", "-F", "msg"])
        .env("GIT_AUTHOR_NAME", OsStr::from_bytes(b"Ren\xe9 Latin"))
        .env("GIT_COMMITTER_NAME", OsStr::from_bytes(b"Fran\xe7oise"));
    let out = run(commit, PROCESS_TIMEOUT);
    assert_eq!(out.status, Some(0), "git commit failed:\n{out}");
    let head = env.git_ok(&repo, ["rev-parse", "HEAD"]);
    let object = env.git(&repo, ["cat-file", "commit", &head]).stdout;
    assert!(object.windows(20).any(|w| w == b"encoding ISO-8859-1\n"), "git wrote the header");
    // A second commit whose Latin-1 text holds a C1 byte (0x80), which iconv's
    // ISO-8859-1 maps to U+0080 (a WHATWG decoder would give `€`).
    let c1 = raw_commit(
        &env,
        &repo,
        Some(&head),
        &[
            idents(b"Z\x80 <z@x> 1600000000 +0000", b"Z <z@x> 1600000000 +0000"),
            b"encoding latin1\n".to_vec(),
        ]
        .concat(),
        b"price \x80 5\n",
    );
    env.git_ok(&repo, ["update-ref", "refs/heads/main", &c1]);

    let records = assert_records_match_git(&env, &repo);
    let detail = &records[&head]["detail"];
    assert_eq!(detail["author"]["name"], "René Latin");
    assert_eq!(detail["committer"]["name"], "Françoise");
    assert_eq!(detail["subject"], "café crème");
    assert_eq!(records[&head]["actor"]["name"], "René Latin");
    assert_eq!(records[&c1]["detail"]["author"]["name"], "Z\u{80}");
    assert_eq!(records[&c1]["detail"]["subject"], "price \u{80} 5");
}

// An encoding git cannot convert from (an unknown name, or bytes the named
// encoding does not have) leaves the text as it is, as git log does.
#[test]
fn an_encoding_git_cannot_convert_leaves_the_bytes_as_they_are() {
    let env = TestEnv::new();
    let repo = new_repo(&env, "unknown-encoding");
    raw_history(
        &env,
        &repo,
        &[
            (
                &[
                    idents(b"Ren\xe9 <r@x> 1600000000 +0000", b"C <c@x> 1600000000 +0000"),
                    b"encoding x-no-such-thing\n".to_vec(),
                ]
                .concat(),
                b"caf\xe9\n",
            ),
            (
                &[
                    idents(b"Ren\xc3\xa9 <r@x> 1600000001 +0000", b"C <c@x> 1600000001 +0000"),
                    b"encoding UTF-8\n".to_vec(),
                ]
                .concat(),
                b"caf\xc3\xa9\n",
            ),
            (
                &[
                    idents(b"A\xff <a@x> 1600000002 +0000", b"C <c@x> 1600000002 +0000"),
                    b"encoding us-ascii\n".to_vec(),
                ]
                .concat(),
                b"ascii \xff\n",
            ),
        ],
    );
    let records = assert_records_match_git(&env, &repo);
    assert!(records.values().any(|r| r["detail"]["author"]["name"] == "René"));
}

// ---------------------------------------------------------------------------
// 4. Subjects

// The subject ran past a whitespace-only line (git/git 561d038a, 36997b45)
// where `git log --format=%s` stops.
#[test]
fn regression_subject_ran_past_a_whitespace_only_line() {
    let env = TestEnv::new();
    let repo = new_repo(&env, "subjects");
    let who = idents(b"A <a@x> 1600000000 +0000", b"C <c@x> 1600000000 +0000");
    let ids = raw_history(
        &env,
        &repo,
        &[
            (&who, b"first line\nsecond line\n \t\nbody after a blank-looking line\n"),
            (&who, b"\n\n  \nafter blank lines\ncontinued  \t\n\nbody\n"),
            (&who, b"form\x0cfeed \x0c\n\x0b\nis not space to git\n"),
            (&who, b"cut at\x00 a NUL byte\n"),
            (&who, b""),
        ],
    );
    let records = assert_records_match_git(&env, &repo);
    assert_eq!(records[&ids[0]]["detail"]["subject"], "first line second line");
    assert_eq!(records[&ids[1]]["detail"]["subject"], "after blank lines continued");
}

// Leading whitespace of a subject was trimmed (16 cargo commits, ripgrep
// e67ab459); git keeps it.
#[test]
fn regression_subject_lost_its_leading_whitespace() {
    let env = TestEnv::new();
    let repo = new_repo(&env, "leading");
    let who = idents(b"A <a@x> 1600000000 +0000", b"C <c@x> 1600000000 +0000");
    let ids =
        raw_history(&env, &repo, &[(&who, b"  leading spaces\n"), (&who, b"\tleading tab\n")]);
    let records = assert_records_match_git(&env, &repo);
    assert_eq!(records[&ids[0]]["detail"]["subject"], "  leading spaces");
    assert_eq!(records[&ids[1]]["detail"]["subject"], "\tleading tab");
}

// ---------------------------------------------------------------------------
// 5. Malformed identities

// A commit git shows but fsck rejects stopped `trail import` (exit 3,
// `invalid time, input=""`), and nothing after it could be imported.
#[test]
fn regression_a_malformed_commit_stopped_the_import() {
    let env = TestEnv::new();
    let repo = new_repo(&env, "malformed");
    let good = |t: &str| format!("G <g@x> {t} +0000").into_bytes();
    let lines: Vec<(Vec<u8>, Vec<u8>)> = vec![
        (good("1600000000"), b"C <c@x>".to_vec()), // committer without a date
        (good("1600000001"), b"C <c@x> abc +0000".to_vec()), // non-numeric date
        (good("1600000002"), b"C 1600000002 +0000".to_vec()), // no <>
        (good("1600000003"), b"C <c@x> 1600000003 +0000 garbage".to_vec()), // garbage after the zone
        (good("1600000004"), b"C <c@x> <d@x> 1600000004 +0000".to_vec()),   // two emails
        (good("1600000005"), b"C <c@x> 1600000005".to_vec()),               // no zone
        (good("1600000006"), b"C <c@x> 1600000006 +05".to_vec()),           // short zone
        (good("1600000007"), b"C  <c@x>   1600000007   +0000".to_vec()),    // odd spacing
        (b"A <a@x>".to_vec(), good("1600000008")),                          // author without a date
        (b"A <a@x> abc +0000".to_vec(), good("1600000009")), // non-numeric author date
        (b"A 1600000010 +0000".to_vec(), good("1600000010")), // author without <>
        (b"A <a@x> 1600000011 +0000 garbage".to_vec(), good("1600000011")),
        (b"A <a@x> 99999999999999999999 +0000".to_vec(), good("1600000012")), // a date git cannot hold
        (good("1600000013"), good("1600000013")), // and a good one after them
    ];
    let commits: Vec<(Vec<u8>, Vec<u8>)> = lines
        .iter()
        .enumerate()
        .map(|(n, (a, c))| (idents(a, c), format!("commit {n}\n").into_bytes()))
        .collect();
    let borrowed: Vec<(&[u8], &[u8])> =
        commits.iter().map(|(h, m)| (h.as_slice(), m.as_slice())).collect();
    let ids = raw_history(&env, &repo, &borrowed);
    let fsck = env.git(&repo, ["fsck", "--no-dangling"]);
    assert_ne!(fsck.status, Some(0), "fsck rejects these commits:\n{fsck}");

    let records = assert_records_match_git(&env, &repo);
    assert_eq!(records.len(), ids.len(), "every commit recorded");
    let person = |n: usize, who: &str| records[&ids[n]]["detail"][who].clone();
    // git shows the first address of `C <c@x> <d@x>`, and the line is kept.
    assert_eq!(person(4, "committer")["email"], "c@x");
    assert_eq!(person(4, "committer")["ident"], "C <c@x> <d@x> 1600000004 +0000");
    assert_eq!(person(2, "committer")["ident"], "C 1600000002 +0000");
    assert_eq!(person(3, "committer")["tz"], "+0000");
    assert_eq!(person(6, "committer")["tz"], "+0005", "git prints %ai's zone as %+05d");
    // Well-formed lines keep no copy.
    assert!(person(13, "author").get("ident").is_none(), "{}", person(13, "author"));
    assert!(person(0, "author").get("ident").is_none());
    // A second import finds nothing new: the malformed commits are known.
    let again = env.trail_ok(&repo, ["import", "--json"]);
    let outcome: Value = serde_json::from_slice(&again.stdout).expect("import --json");
    assert_eq!(outcome["imported"], 0, "{outcome}");
    env.trail_ok(&repo, ["verify"]);
}

// The smallest case of the issue: a root commit whose committer has no date,
// then a good commit: both imported, exit 0.
#[test]
fn a_malformed_root_commit_is_followed_by_a_good_one() {
    let env = TestEnv::new();
    let repo = new_repo(&env, "root");
    let ids = raw_history(
        &env,
        &repo,
        &[
            (&idents(b"A <a@x>", b"C <c@x>"), b"no dates\n"),
            (&idents(b"A <a@x> 1600000000 +0100", b"C <c@x> 1600000000 +0100"), b"good\n"),
        ],
    );
    env.trail_ok(&repo, ["init"]);
    let out = env.trail(&repo, ["import"]);
    out.assert_code(0);
    let records = commit_records(&env, &repo);
    assert!(records.contains_key(&ids[0]) && records.contains_key(&ids[1]), "{records:?}");
}

// ---------------------------------------------------------------------------
// 6. Lossless identities and time zones

// Name bytes that are not UTF-8, in a commit without an encoding header
// (git/git 7eb93c89), became U+FFFD; git log prints them as they are.
#[test]
fn regression_non_utf8_name_became_replacement_characters() {
    let env = TestEnv::new();
    let repo = new_repo(&env, "non-utf8");
    let ids = raw_history(
        &env,
        &repo,
        &[(
            &idents(b"J\xfcrgen M\xfcller <j\xfc@x> 1600000000 +0000", b"C <c@x> 1600000000 +0000"),
            b"gr\xfc\xdfe\n",
        )],
    );
    let records = assert_records_match_git(&env, &repo);
    let author = &records[&ids[0]]["detail"]["author"];
    assert_eq!(author["name"], "J\u{fffd}rgen M\u{fffd}ller", "the lossy form stays for display");
    assert_eq!(bytes_of(author, "name").expect("name"), b"J\xfcrgen M\xfcller");
    assert!(author.get("name_b64").is_some() && author.get("email_b64").is_some(), "{author}");
    let committer = &records[&ids[0]]["detail"]["committer"];
    assert!(committer.get("name_b64").is_none(), "UTF-8 needs no base64: {committer}");
    assert!(records[&ids[0]]["detail"].get("subject_b64").is_some());
}

// The time-zone offset was dropped.
#[test]
fn regression_time_zone_offset_was_dropped() {
    let env = TestEnv::new();
    let repo = new_repo(&env, "zones");
    for (n, (author, committer)) in [
        ("2021-03-04T05:06:07+05:30", "2021-03-04T05:06:07-08:00"),
        ("2021-03-05T00:00:00-00:00", "2021-03-05T00:00:00+14:00"),
    ]
    .iter()
    .enumerate()
    {
        std::fs::write(repo.join("f"), format!("{n}\n")).expect("write");
        env.git_ok(&repo, ["add", "f"]);
        let mut commit = env.command("git", &repo);
        commit
            .args(["commit", "-q", "--no-verify", "-m", &format!("zone {n}")])
            .env("GIT_AUTHOR_DATE", author)
            .env("GIT_COMMITTER_DATE", committer);
        let out = run(commit, PROCESS_TIMEOUT);
        assert_eq!(out.status, Some(0), "git commit failed:\n{out}");
    }
    let records = assert_records_match_git(&env, &repo);
    let first = env.git_ok(&repo, ["rev-parse", "HEAD~1"]);
    let detail = &records[&first]["detail"];
    assert_eq!(detail["author"]["tz"], "+0530");
    assert_eq!(detail["committer"]["tz"], "-0800");
    assert_eq!(detail["author"]["time"], "2021-03-03T23:36:07.000000000Z", "time stays UTC");
}
