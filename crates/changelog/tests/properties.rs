//! Properties of every edit over arbitrary changelogs: the text a person wrote
//! comes back byte for byte when trail's own lines are taken out again, and a
//! file trail cannot read is never rewritten.

use chrono::TimeZone;
use proptest::prelude::*;
use trail_changelog::{
    Entry, FileNote, FileStatus, Meta, Section, check, has_change, merge, release, remove_change,
    upsert,
};

/// Lines a person might write, including ones that look like trail's.
fn text_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("   ".to_owned()),
        "[a-zA-Z0-9 ,.!?:;()*_-]{0,40}",
        "\\PC{0,20}",
        Just("Ünïcode ☃ text — with dashes".to_owned()),
        Just("a\rb lone carriage return".to_owned()),
        "- [a-z ]{0,20}",
        "  \\* nested [a-z]{0,10}",
        (
            1usize..=6,
            prop_oneof![
                Just("[Unreleased]".to_owned()),
                Just("[1.0.0] - 2020-01-01".to_owned()),
                Just("Added".to_owned()),
                Just("Changed".to_owned()),
                Just("Fixed".to_owned()),
                Just("Security".to_owned()),
                Just("Notes".to_owned()),
                "[a-z]{1,10}",
            ]
        )
            .prop_map(|(level, title)| format!("{} {title}", "#".repeat(level))),
        trail_line(),
        Just("#hashtag, not a heading".to_owned()),
        Just("    ```indented too far to be a fence".to_owned()),
    ]
}

/// An entry line as trail writes it, of some change.
fn trail_line() -> impl Strategy<Value = String> {
    ("[0-9a-f]{4,16}", 0u32..60).prop_map(|(id, s)| {
        format!("- 2020-01-01T00:00:{s:02}Z `x.rs` — Why: w. Impact: i. (Ada, change {id})")
    })
}

/// A fenced code block, closed, whose content may look like anything.
fn fenced() -> impl Strategy<Value = Vec<String>> {
    (
        prop_oneof![Just("```"), Just("~~~"), Just("````")],
        "[a-z]{0,5}",
        prop::collection::vec(
            prop_oneof![
                text_line(),
                Just("## [Unreleased]".to_owned()),
                Just("<<<<<<< ours".to_owned()),
                Just("=======".to_owned()),
            ],
            0..4,
        ),
    )
        .prop_map(|(fence, info, body)| {
            let mut lines = vec![format!("{fence}{info}")];
            lines.extend(body);
            lines.push(fence.to_owned());
            lines
        })
}

#[derive(Debug, Clone)]
struct Doc {
    lines: Vec<String>,
    crlf: Vec<bool>,
    final_newline: bool,
}

impl Doc {
    fn bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for (i, line) in self.lines.iter().enumerate() {
            out.extend_from_slice(line.as_bytes());
            if i + 1 < self.lines.len() || self.final_newline {
                out.extend_from_slice(if self.crlf[i] { b"\r\n" } else { b"\n" });
            }
        }
        out
    }
}

fn doc() -> impl Strategy<Value = Doc> {
    let block = prop_oneof![
        6 => text_line().prop_map(|l| vec![l]),
        1 => fenced(),
        2 => Just(vec!["## [Unreleased]".to_owned(), String::new()]),
        2 => prop::sample::select(Section::ALL.to_vec())
            .prop_map(|s| vec![format!("### {s}")]),
    ];
    (prop::collection::vec(block, 0..14), 0u8..3, any::<bool>(), any::<u64>()).prop_map(
        |(blocks, endings, final_newline, seed)| {
            let lines: Vec<String> = blocks.into_iter().flatten().collect();
            // 0: all LF, 1: all CRLF, 2: mixed
            let crlf = (0..lines.len())
                .map(|i| match endings {
                    0 => false,
                    1 => true,
                    _ => (seed >> (i % 64)) & 1 == 1,
                })
                .collect();
            Doc { lines, crlf, final_newline }
        },
    )
}

fn entry(id: &str, second: u32, status: FileStatus, section: Option<Section>) -> Entry {
    Entry {
        meta: Meta {
            time: chrono::Utc.with_ymd_and_hms(2026, 11, 26, 22, 40, second).single().expect("ok"),
            why: Some("because\nof reasons".into()),
            impact: None,
            author: "Ada Lovelace".into(),
            change: id.into(),
            section,
            subject: None,
            breaking: false,
        },
        files: vec![FileNote { name: b"f.rs".to_vec(), status }],
        dirs: vec![],
    }
}

fn any_entry(id: &'static str) -> impl Strategy<Value = Entry> {
    (
        0u32..60,
        prop_oneof![
            Just(FileStatus::Added),
            Just(FileStatus::Modified),
            Just(FileStatus::Deleted),
            Just(FileStatus::TypeChanged)
        ],
        prop::option::of(prop::sample::select(Section::ALL.to_vec())),
    )
        .prop_map(move |(s, status, section)| entry(id, s, status, section))
}

/// Lines with their endings, split as a reader of the file would.
fn lines(text: &[u8]) -> Vec<(&[u8], &[u8])> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        match rest.iter().position(|&b| b == b'\n') {
            Some(at) => {
                let (line, tail) = rest.split_at(at + 1);
                let body_len = if line.ends_with(b"\r\n") { at - 1 } else { at };
                out.push((&line[..body_len], &line[body_len..]));
                rest = tail;
            }
            None => {
                out.push((rest, &b""[..]));
                rest = &[];
            }
        }
    }
    out
}

/// Assert that `output` is `input` plus lines trail may insert for `entry`
/// (the entry once, its section heading, an Unreleased heading, blank lines)
/// and at most a newline after the last input line; nothing else.
fn assert_only_inserted(input: &[u8], output: &[u8], entry: &Entry) {
    let (ins, outs) = (lines(input), lines(output));
    let eol: &[u8] = match ins.iter().map(|l| l.1).find(|e| !e.is_empty()) {
        Some(b"\r\n") => b"\r\n",
        _ => b"\n",
    };
    let rendered = entry.render();
    // Wrapped at 80 columns: the first line and its continuation lines.
    let wrapped = trail_changelog::Wrap::default().lines(&rendered);
    let first = wrapped[0].as_bytes();
    // The file's bullet may be `*` or `+`; headings may be at any level.
    let is_entry = |b: &[u8]| b.len() == first.len() && b[1..] == first[1..];
    let is_continuation = |b: &[u8]| wrapped[1..].iter().any(|l| l.as_bytes() == b);
    let is_heading = |b: &[u8], title: &str| {
        let t = String::from_utf8_lossy(b);
        let hashes = t.len() - t.trim_start_matches('#').len();
        hashes > 0 && t[hashes..] == format!(" {title}")
    };
    let section = entry.section().name();
    let (mut entries, mut headings, mut unreleased, mut blanks) = (0, 0, 0, 0);
    let mut i = 0;
    let show = || {
        format!(
            "input:\n{}\noutput:\n{}",
            String::from_utf8_lossy(input),
            String::from_utf8_lossy(output)
        )
    };
    for (j, (body, end)) in outs.iter().enumerate() {
        if let Some((in_body, in_end)) = ins.get(i)
            && in_body == body
            && (in_end == end || (in_end.is_empty() && i + 1 == ins.len() && *end == eol))
        {
            i += 1;
            continue;
        }
        assert_eq!(*end, eol, "inserted line {j} has the wrong ending\n{}", show());
        match *body {
            b if is_entry(b) => {
                entries += 1;
                // Below its heading: directly, after a blank line, or on top
                // of the entries already there.
                let above = (0..j)
                    .rev()
                    .find(|&k| !outs[k].0.trim_ascii().is_empty() && !is_entry_line(outs[k].0));
                assert!(
                    above.is_some_and(|k| is_heading(outs[k].0, section)),
                    "entry not below its heading\n{}",
                    show()
                );
            }
            b if is_continuation(b) => {}
            b if is_heading(b, section) => headings += 1,
            b if is_heading(b, "[Unreleased]") => unreleased += 1,
            b"" => blanks += 1,
            other => panic!(
                "line {j} {:?} is neither input nor trail's\n{}",
                String::from_utf8_lossy(other),
                show()
            ),
        }
    }
    assert_eq!(i, ins.len(), "input lines lost\n{}", show());
    assert_eq!(entries, 1, "{}", show());
    assert!(headings <= 1 && unreleased <= 1 && blanks <= 4, "{}", show());
}

/// Whether a line looks like an entry of trail's (any change).
fn is_entry_line(body: &[u8]) -> bool {
    body.ends_with(b")") && body.windows(9).any(|w| w == b", change ")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// Human text is sacred: deleting what upsert inserted gives the input back.
    #[test]
    fn upsert_only_inserts(doc in doc(), e in any_entry("f0e1d2c3b4a59687")) {
        let input = doc.bytes();
        match upsert(&input, &e) {
            Ok(output) => {
                prop_assert!(check(&input).is_ok());
                assert_only_inserted(&input, &output, &e);
                prop_assert!(check(&output).is_ok());
                prop_assert!(has_change(&output, "f0e1d2c3b4a59687").expect("well-formed"));
                // Retrying never duplicates.
                prop_assert_eq!(upsert(&output, &e).expect("well-formed"), output.clone());
                // Without the entry again, only trail's scaffolding differs.
                let removed = remove_change(&output, "f0e1d2c3b4a59687").expect("well-formed");
                prop_assert!(!has_change(&removed, "f0e1d2c3b4a59687").expect("well-formed"));
            }
            Err(e) => prop_assert_eq!(check(&input), Err(e)),
        }
    }

    /// A malformed file is refused by every edit, never rewritten.
    #[test]
    fn malformed_is_never_rewritten(doc in doc(), at in any::<prop::sample::Index>(), defect in 0u8..5) {
        let mut doc = doc;
        let n = doc.lines.len();
        let pos = if n == 0 { 0 } else { at.index(n + 1) };
        let mut input;
        match defect {
            0 => { doc.lines.push("<<<<<<< HEAD".into()); doc.crlf.push(false); input = doc.bytes(); }
            1 => { doc.lines.push("```never closed".into()); doc.crlf.push(false); input = doc.bytes(); }
            2 => {
                doc.lines.insert(pos, "## [Unreleased]".into());
                doc.lines.push("## [Unreleased]".into());
                doc.crlf.insert(pos, false);
                doc.crlf.push(false);
                input = doc.bytes();
            }
            3 => {
                input = doc.bytes();
                let cut = if input.is_empty() { 0 } else { at.index(input.len() + 1) };
                input.splice(cut..cut, [0xffu8, 0xfe]);
            }
            _ => {
                doc.lines.insert(pos, "## [Unreleased]".into());
                doc.crlf.insert(pos, false);
                doc.lines.insert(pos + 1, "### Notes".into());
                doc.crlf.insert(pos + 1, false);
                input = doc.bytes();
            }
        }
        // A defect inside a code block is not a defect; the others must be refused.
        if let Err(found) = check(&input) {
            let e = entry("abc", 1, FileStatus::Added, None);
            prop_assert_eq!(upsert(&input, &e), Err(found.clone()));
            prop_assert_eq!(remove_change(&input, "abc"), Err(found.clone()));
            prop_assert_eq!(has_change(&input, "abc"), Err(found.clone()));
            let date = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
            prop_assert_eq!(release(&input, "9.9.9", date), Err(found.clone()));
            prop_assert!(merge(&input, &input, &input).is_err());
        } else {
            prop_assert!(defect == 4 || defect == 2, "defect {} not found", defect);
        }
    }

    /// Release changes one heading and adds a new Unreleased above it, or nothing.
    #[test]
    fn release_touches_only_the_heading(doc in doc(), e in any_entry("abc")) {
        let Ok(input) = upsert(&doc.bytes(), &e) else { return Ok(()) };
        let date = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).expect("date");
        let Ok(output) = release(&input, "7.7.7", date) else {
            // Only a release heading of that name can be in the way, and the generator writes none.
            panic!("release refused a well-formed file");
        };
        let (ins, outs) = (lines(&input), lines(&output));
        prop_assert_eq!(outs.len(), ins.len() + 2);
        let at = outs
            .iter()
            .position(|l| l.0.starts_with(b"#") && l.0.ends_with(b" [7.7.7] - 2026-12-01"))
            .expect("released");
        // A bare `## [Unreleased]` heading opens the new section as it was.
        prop_assert_eq!(outs[at - 2].0, ins[at - 2].0);
        prop_assert!(outs[at - 2].0.ends_with(b" [Unreleased]"));
        prop_assert_eq!(outs[at - 1].0, b"");
        prop_assert_eq!(&outs[..at - 2], &ins[..at - 2]);
        prop_assert_eq!(&outs[at + 1..], &ins[at - 1..]);
        prop_assert!(has_change(&output, "abc").expect("ok"));
        prop_assert!(release(&output, "7.7.7", date).is_err());
    }

    /// Two branches that each add entries merge into a file holding both, once.
    #[test]
    fn merge_unites_entries(doc in doc(), a in any_entry("aaa"), b in any_entry("bbb"), c in any_entry("ccc")) {
        let Ok(base) = upsert(&doc.bytes(), &c) else { return Ok(()) };
        let ours = upsert(&base, &a).expect("well-formed");
        let theirs = upsert(&base, &b).expect("well-formed");
        let merged = merge(&base, &ours, &theirs).expect("entries alone always merge");
        prop_assert!(check(&merged).is_ok());
        let text = String::from_utf8(merged.clone()).expect("utf-8");
        for id in ["aaa", "bbb", "ccc"] {
            prop_assert_eq!(text.matches(&format!(", change {id})")).count(), 1, "{}", text);
        }
        // Merging a side with itself changes nothing but trail's own order
        // (and blank lines around trail's lines, in files without them).
        let again = merge(&base, &merged, &merged).expect("same on both sides");
        let mut before: Vec<&[u8]> = merged.split(|&b| b == b'\n').filter(|l| !l.trim_ascii().is_empty()).collect();
        let mut after: Vec<&[u8]> = again.split(|&b| b == b'\n').filter(|l| !l.trim_ascii().is_empty()).collect();
        before.sort();
        after.sort();
        prop_assert_eq!(before, after);
    }
}
