//! The three-way merge behind the git merge driver: trail's entries are a set,
//! everything else must merge trivially.

use std::collections::HashSet;

use crate::entry::Section;
use crate::text::{Edit, Kind, Malformed, parse, place};

/// The merge needs a person: the text outside trail's entries changed on both
/// sides, or one of the files is malformed. (The CLI then lets `git merge-file`
/// write the usual conflict.)
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct MergeConflict {
    pub reason: String,
}

/// A trail entry of the Unreleased section.
struct Item {
    id: String,
    section: Section,
    /// The entry as one line, for comparing versions of it.
    body: String,
    /// The lines as the file has them (one, or wrapped over several): a
    /// merge writes an entry as it was written.
    lines: Vec<String>,
}

/// A file cut into its Unreleased trail entries and everything else.
struct Split {
    remainder: Vec<u8>,
    items: Vec<Item>,
}

/// Take the trail entries out of `## [Unreleased]`, and with them the `### `
/// headings left with nothing under them (and the blank line before each):
/// trail creates those headings with its entries, so two sides that each opened
/// a different subsection still have the same remainder.
fn split(text: &[u8]) -> Result<Split, Malformed> {
    let doc = parse(text)?;
    let mut edit = Edit::new(&doc);
    let mut items = Vec::new();
    let mut section = None;
    for i in doc.unreleased_body() {
        if let Some(s) = doc.subsection(i) {
            section = s;
        }
        // An entry directly under `## [Unreleased]` (no subsection) is not one
        // trail wrote there: it stays in the text.
        if let (Some(id), Some(section)) = (doc.entry_id(i), section) {
            let lines = doc.entry_lines(i).map(|j| doc.lines[j].body.to_owned()).collect();
            items.push(Item { id: id.to_owned(), section, body: doc.logical(i).to_owned(), lines });
            for j in doc.entry_lines(i) {
                edit.delete(j);
            }
        }
    }
    let body = doc.unreleased_body();
    // Entries taken out of a subsection that keeps other text take the blank
    // line `place` put above them when one is left below them too.
    let mut k = body.start;
    while k < body.end {
        if !edit.is_deleted(k) {
            k += 1;
            continue;
        }
        let run = k;
        while k < body.end && edit.is_deleted(k) {
            k += 1;
        }
        let blank = |j: usize| doc.kinds[j] == Kind::Blank;
        let heading = (body.start..run).rev().find(|&j| doc.subsection(j).is_some());
        let emptied = heading.is_some_and(|h| {
            (doc.heading_end(h) + 1..body.end)
                .take_while(|&j| doc.subsection(j).is_none())
                .all(|j| edit.is_deleted(j) || blank(j))
        });
        if !emptied
            && run > body.start
            && blank(run - 1)
            && !edit.is_deleted(run - 1)
            && (k == doc.lines.len() || blank(k))
        {
            edit.delete(run - 1);
        }
    }
    for i in body.clone() {
        if doc.subsection(i).is_none() {
            continue;
        }
        let after = doc.heading_end(i) + 1;
        let rest: Vec<usize> = (after..body.end)
            .take_while(|&j| doc.subsection(j).is_none())
            .filter(|&j| !edit.is_deleted(j))
            .collect();
        if !rest.iter().all(|&j| doc.kinds[j] == Kind::Blank) {
            continue;
        }
        // The emptied subsection goes as `place` wrote it: the heading, the
        // blank lines under it, its entries, and the blank line after them
        // when a line follows (the blank line above it stays).
        let mut k = after;
        for j in i..after {
            edit.delete(j);
        }
        while k < body.end && doc.kinds[k] == Kind::Blank && !edit.is_deleted(k) {
            edit.delete(k);
            k += 1;
        }
        let had_entries = k < body.end && edit.is_deleted(k);
        while k < body.end && edit.is_deleted(k) {
            k += 1;
        }
        if had_entries
            && k < body.end
            && doc.kinds[k] == Kind::Blank
            && k + 1 < doc.lines.len()
            && doc.kinds[k + 1] != Kind::Blank
        {
            edit.delete(k);
        }
    }
    Ok(Split { remainder: edit.finish(), items })
}

fn find<'s>(s: &'s Split, id: &str) -> Option<&'s Item> {
    s.items.iter().find(|i| i.id == id)
}

/// Two versions of an entry are the same when they say the same, however
/// they are wrapped.
fn same(a: Option<&Item>, b: &Item) -> bool {
    a.is_some_and(|a| a.section == b.section && a.body == b.body)
}

/// The entry's time (`- 2026-11-26T22:40:11Z …`), for ordering.
fn time_of(body: &str) -> Option<chrono::NaiveDateTime> {
    let token = body.strip_prefix("- ")?.split(' ').next()?;
    chrono::NaiveDateTime::parse_from_str(token, "%Y-%m-%dT%H:%M:%SZ").ok()
}

/// Merge three versions of one changelog. Succeeds when, without trail's
/// entries in Unreleased, one side left the text as in `base` or both changed
/// it the same way. The result then holds the union of the entries of `ours`
/// and `theirs`, minus those of `base` that either side removed, one per change
/// id, each under its subsection, newest first.
pub fn merge(base: &[u8], ours: &[u8], theirs: &[u8]) -> Result<Vec<u8>, MergeConflict> {
    let read = |which: &str, text: &[u8]| {
        split(text).map_err(|e| MergeConflict {
            reason: format!("{which} is not a well-formed changelog: {e}"),
        })
    };
    let base = read("the common ancestor", base)?;
    let ours = read("our version", ours)?;
    let theirs = read("their version", theirs)?;
    // Blank lines carry no meaning, and `split` cannot always tell the blank
    // lines `place` wrote from a person's: sides that differ only in them
    // count as unchanged.
    let shape = |s: &Split| {
        s.remainder
            .split(|&b| b == b'\n')
            .filter(|l| !l.trim_ascii().is_empty())
            .map(<[u8]>::to_vec)
            .collect::<Vec<_>>()
    };
    let (base_shape, our_shape, their_shape) = (shape(&base), shape(&ours), shape(&theirs));
    let remainder = if ours.remainder == base.remainder {
        &theirs.remainder
    } else if theirs.remainder == base.remainder || ours.remainder == theirs.remainder {
        &ours.remainder
    } else if our_shape == base_shape && their_shape != base_shape {
        &theirs.remainder
    } else if their_shape == base_shape || our_shape == their_shape {
        &ours.remainder
    } else {
        return Err(MergeConflict {
            reason: "both sides changed the text outside trail's entries".to_owned(),
        });
    };
    let ids = |s: &Split| s.items.iter().map(|i| i.id.clone()).collect::<HashSet<_>>();
    let (base_ids, our_ids, their_ids) = (ids(&base), ids(&ours), ids(&theirs));
    let mut seen = HashSet::new();
    let mut kept: Vec<&Item> = Vec::new();
    for item in ours.items.iter().chain(&theirs.items) {
        if !seen.insert(item.id.clone()) {
            continue;
        }
        let in_both = our_ids.contains(&item.id) && their_ids.contains(&item.id);
        if base_ids.contains(&item.id) && !in_both {
            continue; // removed by one side
        }
        // Present on both sides but written differently: the side that changed it wins.
        let chosen = match (find(&ours, &item.id), find(&theirs, &item.id)) {
            (Some(o), Some(t)) if same(find(&base, &item.id), o) && !same(Some(o), t) => t,
            (Some(o), _) => o,
            (None, Some(t)) => t,
            (None, None) => item,
        };
        kept.push(chosen);
    }
    let doc = parse(remainder).map_err(|e| MergeConflict {
        reason: format!("the merged text is not a well-formed changelog: {e}"),
    })?;
    let mut groups: Vec<(Section, Vec<String>)> = Vec::new();
    for section in Section::ALL {
        let mut items: Vec<&Item> =
            kept.iter().copied().filter(|item| item.section == section).collect();
        // Newest first; stable, so entries of the same second keep their order.
        items.sort_by_key(|item| std::cmp::Reverse(time_of(&item.body)));
        groups.push((section, items.into_iter().flat_map(|item| item.lines.clone()).collect()));
    }
    let mut edit = Edit::new(&doc);
    place(&doc, &mut edit, groups);
    Ok(edit.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::{Entry, FileNote, FileStatus, Meta};
    use crate::text::upsert;
    use chrono::TimeZone;

    fn entry(id: &str, second: u32, status: FileStatus) -> Entry {
        Entry {
            meta: Meta {
                time: chrono::Utc
                    .with_ymd_and_hms(2026, 11, 26, 22, 40, second)
                    .single()
                    .expect("valid"),
                why: None,
                impact: None,
                author: "Ada".into(),
                change: id.into(),
                section: None,
                subject: None,
                breaking: false,
            },
            files: vec![FileNote { name: b"f.rs".to_vec(), status }],
            dirs: vec![],
        }
    }

    const BASE: &[u8] = b"# Changelog\n\nIntro.\n\n## [Unreleased]\n\n## [0.1.0] - 2020-01-01\n\n### Added\n- first\n";

    fn add(text: &[u8], id: &str, second: u32, status: FileStatus) -> Vec<u8> {
        upsert(text, &entry(id, second, status)).expect("upsert")
    }

    #[test]
    fn entries_from_both_sides_are_united_newest_first() {
        let base = add(BASE, "b0", 0, FileStatus::Added);
        let ours = add(&add(&base, "o1", 1, FileStatus::Added), "o3", 3, FileStatus::Deleted);
        let theirs = add(&add(&base, "t2", 2, FileStatus::Added), "t4", 4, FileStatus::Modified);
        let merged = merge(&base, &ours, &theirs).expect("merges");
        let expected = add(&add(&ours, "t2", 2, FileStatus::Added), "t4", 4, FileStatus::Modified);
        assert_eq!(String::from_utf8_lossy(&merged), String::from_utf8_lossy(&expected));
        // Symmetric up to nothing: the same entries either way round.
        assert_eq!(merge(&base, &theirs, &ours).expect("merges"), merged);
    }

    #[test]
    fn same_change_on_both_sides_is_kept_once_and_removals_stick() {
        let base = add(BASE, "b0", 0, FileStatus::Added);
        let ours = add(&base, "x", 1, FileStatus::Added);
        let theirs = add(&base, "x", 1, FileStatus::Added);
        assert_eq!(merge(&base, &ours, &theirs).expect("merges"), ours);
        let removed = crate::remove_change(&base, "b0").expect("remove");
        let theirs = add(&base, "t", 2, FileStatus::Added);
        let merged = merge(&base, &removed, &theirs).expect("merges");
        let text = String::from_utf8_lossy(&merged);
        assert!(!text.contains("change b0)") && text.contains("change t)"), "{text}");
    }

    #[test]
    fn a_release_on_one_side_and_entries_on_the_other() {
        let base = add(BASE, "b0", 0, FileStatus::Added);
        let date = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).expect("date");
        let ours = crate::release(&base, "1.0.0", date).expect("release");
        let theirs = add(&base, "t", 2, FileStatus::Added);
        let merged =
            String::from_utf8(merge(&base, &ours, &theirs).expect("merges")).expect("utf8");
        let unreleased = merged.find("## [Unreleased]").expect("unreleased");
        let released = merged.find("## [1.0.0]").expect("released");
        let t = merged.find("change t)").expect("t");
        let b0 = merged.find("change b0)").expect("b0");
        assert!(unreleased < t && t < released && released < b0, "{merged}");
    }

    #[test]
    fn human_edits_on_both_sides_conflict() {
        let base = add(BASE, "b0", 0, FileStatus::Added);
        let ours = [&base[..], b"\nOur note.\n"].concat();
        let theirs = [&base[..], b"\nTheir note.\n"].concat();
        assert!(merge(&base, &ours, &theirs).is_err());
        // One side's human edit plus the other's entry merges.
        let theirs = add(&base, "t", 2, FileStatus::Added);
        let merged = merge(&base, &ours, &theirs).expect("merges");
        let text = String::from_utf8_lossy(&merged);
        assert!(text.ends_with("\nOur note.\n") && text.contains("change t)"), "{text}");
        // Malformed input is a conflict, not a guess.
        assert!(merge(&base, b"<<<<<<< x\n", &theirs).is_err());
    }
}

#[cfg(test)]
mod wrapped_tests {
    use super::*;
    use crate::entry::{Entry, FileNote, FileStatus, Meta};
    use crate::text::{change_entries, upsert, upsert_rendered};
    use crate::wrap::Wrap;
    use chrono::TimeZone;

    fn long(id: &str, second: u32) -> Entry {
        Entry {
            meta: Meta {
                time: chrono::Utc
                    .with_ymd_and_hms(2026, 11, 26, 22, 40, second)
                    .single()
                    .expect("valid"),
                why: Some("the reason is long enough to need a second and a third line".into()),
                impact: Some("none, though this sentence is long as well".into()),
                author: "Ada Lovelace".into(),
                change: id.into(),
                section: None,
                subject: Some("Keep the index in the store beside the records".into()),
                breaking: false,
            },
            files: vec![FileNote { name: b"store.rs".to_vec(), status: FileStatus::Modified }],
            dirs: vec![],
        }
    }

    const BASE: &[u8] = b"# Changelog\n\nIntro.\n\n## [Unreleased]\n\n## [0.1.0] - 2020-01-01\n\n### Added\n\n- first\n";

    fn text(bytes: &[u8]) -> &str {
        std::str::from_utf8(bytes).expect("utf-8")
    }

    #[test]
    fn wrapped_entries_merge_as_one_entry_each() {
        let base = upsert(BASE, &long("b0", 0)).expect("upsert");
        assert!(text(&base).contains("\n  "), "wrapped: {}", text(&base));
        let ours = upsert(&base, &long("o1", 1)).expect("upsert");
        let theirs = upsert(&base, &long("t2", 2)).expect("upsert");
        let merged = merge(&base, &ours, &theirs).expect("merges");
        let expected = upsert(&ours, &long("t2", 2)).expect("upsert");
        assert_eq!(text(&merged), text(&expected));
        assert_eq!(crate::unreleased_changes(&merged).expect("parses"), ["t2", "o1", "b0"]);
        // No line is left behind from a wrapped entry.
        assert_eq!(
            text(&merged).matches("\n  ").count(),
            3 * (text(&base).matches("\n  ").count())
        );
    }

    #[test]
    fn the_same_change_on_both_sides_is_kept_once_however_wrapped() {
        let base = BASE.to_vec();
        let wrapped = upsert(&base, &long("x", 1)).expect("upsert");
        let one_line = crate::upsert_wrapped(&base, &long("x", 1), Wrap::Off).expect("upsert");
        assert_ne!(wrapped, one_line);
        let merged = merge(&base, &wrapped, &one_line).expect("merges");
        assert_eq!(text(&merged).matches("change x)").count(), 1, "{}", text(&merged));
        assert_eq!(change_entries(&merged, "x").expect("parses").len(), 1);
        // Removing a wrapped entry on one side removes all of its lines.
        let theirs = upsert(&wrapped, &long("t", 2)).expect("upsert");
        let removed = crate::remove_change(&wrapped, "x").expect("remove");
        let merged = merge(&wrapped, &removed, &theirs).expect("merges");
        assert_eq!(text(&merged), text(&upsert(&base, &long("t", 2)).expect("upsert")));
        // An entry read back and written again is the same entry, not a second one.
        let (section, line) = change_entries(&wrapped, "x").expect("parses").remove(0);
        assert_eq!(line, long("x", 1).render());
        assert_eq!(upsert_rendered(&wrapped, section, &line).expect("upsert"), wrapped);
    }
}
