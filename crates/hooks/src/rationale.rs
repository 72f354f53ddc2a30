//! Where a commit's why and impact come from, and its change id.
//!
//! In order: the message given on the command line (`-m`, `-F`,
//! `--trailer`), which is what the commit will say; the amended commit's
//! trailers (`--amend` keeps its message); `TRAIL_WHY`/`TRAIL_IMPACT`; for
//! an AI agent's own commit, its session's prompts (a Why only); the commit
//! a `--fixup`/`--squash` folds into; the note `trail note` left.
//!
//! The agent's prompts come after everything said for this very commit
//! (its message, the amended message it keeps, `TRAIL_WHY`/`trail commit
//! --why`): those are explicit, the prompts only a default. They come before
//! the folded commit's Why, which is about an older change, and before the
//! note, which was left for the next commit by whoever ran `trail note` and
//! may predate the agent's work; the prompts are what asked for this work.

use crate::message::{one_line, trailer};
use crate::pending::Note;

/// Every source of a rationale a commit can have.
#[derive(Debug, Default)]
pub struct Sources<'a> {
    /// Trailers of the message on the command line.
    pub given: &'a [(String, String)],
    /// Trailers of the commit being amended (empty unless amending without a new message).
    pub amended: &'a [(String, String)],
    pub env_why: Option<String>,
    pub env_impact: Option<String>,
    /// An AI agent's own commit: its session's prompts (the CLI's
    /// [`crate::hook::HookEnv::agent_why`]); `None` for a person's.
    pub agent_why: Option<String>,
    /// Trailers of the commit a fixup or squash folds into.
    pub folded: &'a [(String, String)],
    pub note: Option<&'a Note>,
}

/// The rationale chosen, and whether the note supplied part of it (the note
/// is then used up by this commit).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rationale {
    pub why: Option<String>,
    pub impact: Option<String>,
    pub used_note: bool,
}

pub fn resolve(s: &Sources<'_>) -> Rationale {
    let pick = |token: &str, env: &Option<String>, agent: &Option<String>| {
        trailer(s.given, token)
            .and_then(one_line)
            .or_else(|| trailer(s.amended, token).and_then(one_line))
            .or_else(|| env.as_deref().and_then(one_line))
            .or_else(|| agent.as_deref().and_then(one_line))
            .or_else(|| trailer(s.folded, token).and_then(one_line))
    };
    let why = pick("Why", &s.env_why, &s.agent_why);
    let impact = pick("Impact", &s.env_impact, &None);
    let noted_why = s.note.and_then(|n| n.why.as_deref()).and_then(one_line);
    let noted_impact = s.note.and_then(|n| n.impact.as_deref()).and_then(one_line);
    let used_note =
        (why.is_none() && noted_why.is_some()) || (impact.is_none() && noted_impact.is_some());
    Rationale { why: why.or(noted_why), impact: impact.or(noted_impact), used_note }
}

/// The change id of a commit: the amended commit's, else that of the commit
/// a fixup or squash folds into (after `rebase --autosquash` only that
/// commit remains), else an aborted attempt's (its entries are replaced),
/// else a new one.
pub fn change_id(amended: Option<&str>, folded: Option<&str>, retry: Option<&str>) -> String {
    [amended, folded, retry]
        .into_iter()
        .flatten()
        .find(|id| trail_changelog::valid_change_id(id))
        .map(str::to_owned)
        .unwrap_or_else(new_change_id)
}

/// 16 hex digits from the OS's random source.
pub fn new_change_id() -> String {
    let bytes: [u8; 8] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
    }

    #[test]
    fn the_message_given_wins_then_amended_then_environment_then_folded_then_note() {
        let given = t(&[("Why", "given")]);
        let amended = t(&[("Why", "amended"), ("Impact", "amended impact")]);
        let folded = t(&[("Why", "folded")]);
        let note = Note {
            why: Some("noted".into()),
            impact: Some("noted impact".into()),
            ..Note::default()
        };
        let mut s = Sources {
            given: &given,
            amended: &amended,
            env_why: Some("env".into()),
            env_impact: None,
            agent_why: None,
            folded: &folded,
            note: Some(&note),
        };
        let r = resolve(&s);
        assert_eq!(r.why.as_deref(), Some("given"));
        assert_eq!(r.impact.as_deref(), Some("amended impact"));
        assert!(!r.used_note);
        s.given = &[];
        assert_eq!(resolve(&s).why.as_deref(), Some("amended"));
        s.amended = &[];
        let r = resolve(&s);
        assert_eq!(r.why.as_deref(), Some("env"));
        assert_eq!(r.impact.as_deref(), Some("noted impact"));
        assert!(r.used_note, "the note gave the impact");
        s.env_why = None;
        assert_eq!(resolve(&s).why.as_deref(), Some("folded"));
        s.folded = &[];
        assert_eq!(resolve(&s).why.as_deref(), Some("noted"));
        s.note = None;
        assert_eq!(resolve(&s), Rationale::default());
    }

    #[test]
    fn an_agents_prompts_come_after_what_this_commit_says_and_before_folded_and_note() {
        let given = t(&[("Why", "given")]);
        let amended = t(&[("Why", "amended")]);
        let folded = t(&[("Why", "folded")]);
        let note = Note { why: Some("noted".into()), ..Note::default() };
        let mut s = Sources {
            given: &given,
            amended: &amended,
            env_why: Some("env".into()),
            agent_why: Some("make the greeting friendlier".into()),
            folded: &folded,
            note: Some(&note),
            ..Sources::default()
        };
        assert_eq!(resolve(&s).why.as_deref(), Some("given"));
        s.given = &[];
        assert_eq!(resolve(&s).why.as_deref(), Some("amended"));
        s.amended = &[];
        assert_eq!(resolve(&s).why.as_deref(), Some("env"));
        s.env_why = None;
        let r = resolve(&s);
        assert_eq!(r.why.as_deref(), Some("make the greeting friendlier"));
        assert_eq!(r.impact, None, "prompts give no impact");
        assert!(!r.used_note, "the note stays for a later commit");
        s.agent_why = Some("  ".into());
        assert_eq!(resolve(&s).why.as_deref(), Some("folded"));
    }

    #[test]
    fn blank_values_count_as_none() {
        let given = t(&[("Why", "   ")]);
        let s =
            Sources { given: &given, env_why: Some("  env\n  text ".into()), ..Sources::default() };
        assert_eq!(resolve(&s).why.as_deref(), Some("env text"));
    }

    #[test]
    fn change_ids_are_carried_in_order_and_invalid_ones_skipped() {
        assert_eq!(change_id(Some("aaaa1111"), Some("bbbb"), None), "aaaa1111");
        assert_eq!(change_id(Some("not valid!"), Some("bbbb2222"), Some("c")), "bbbb2222");
        assert_eq!(change_id(None, None, Some("cccc3333")), "cccc3333");
        let new = change_id(None, None, None);
        assert_eq!(new.len(), 16);
        assert!(new.bytes().all(|b| b.is_ascii_hexdigit()));
    }
}

/// The trailers a commit git makes without pre-commit gets (prepare-commit-msg,
/// applypatch-msg), from what its message carries (`carried`: the first
/// commit's trailers of a squash; a merge's `-m` ones on top).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarriedMessage {
    pub change_id: String,
    /// `None` only where no rationale is required or the hook may not refuse.
    pub why: Option<String>,
    pub impact: Option<String>,
}

/// Decide a carried message's trailers for `command` (`revert`,
/// `cherry-pick`, `rebase`, `merge`, `am`). A carried Why is the original's
/// and stays; `env_why` (TRAIL_WHY) fills a commit that has none — it lives
/// on for every later commit of a series, so it must not replace theirs —
/// and `revert_why` (what a revert undoes) comes last. A pick, a rebased
/// commit or a patch keeps its Change-Id; a revert or a merge is a change
/// of its own. `None`: refuse (no Why, one is `required`, and the hook may
/// `refuse`).
pub fn for_carried_message(
    command: &str,
    carried: &[(String, String)],
    env_why: Option<&str>,
    env_impact: Option<&str>,
    revert_why: Option<String>,
    required: bool,
    refuse: bool,
) -> Option<CarriedMessage> {
    let why = trailer(carried, "Why")
        .and_then(one_line)
        .or_else(|| env_why.and_then(one_line))
        .or(revert_why);
    let impact =
        trailer(carried, "Impact").and_then(one_line).or_else(|| env_impact.and_then(one_line));
    if why.is_none() && required && refuse {
        return None;
    }
    let change_id = match command {
        "revert" | "merge" => None,
        _ => trailer(carried, "Change-Id").filter(|id| trail_changelog::valid_change_id(id)),
    }
    .map(str::to_owned)
    .unwrap_or_else(new_change_id);
    Some(CarriedMessage { change_id, why, impact })
}

#[cfg(test)]
mod carried_tests {
    use super::*;

    fn t(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
    }

    #[test]
    fn a_carried_why_and_change_id_stay_and_trail_why_only_fills() {
        let carried = t(&[("Change-Id", "abcd1234"), ("Why", "original")]);
        let m = for_carried_message("cherry-pick", &carried, Some("env"), None, None, true, true);
        let m = m.expect("not refused");
        assert_eq!((m.change_id.as_str(), m.why.as_deref()), ("abcd1234", Some("original")));
        let m = for_carried_message("am", &[], Some("env"), Some("imp"), None, true, true);
        let m = m.expect("TRAIL_WHY fills");
        assert_eq!((m.why.as_deref(), m.impact.as_deref()), (Some("env"), Some("imp")));
    }

    #[test]
    fn a_revert_or_merge_is_a_change_of_its_own_and_a_revert_names_what_it_undoes() {
        let carried = t(&[("Change-Id", "abcd1234")]);
        let m = for_carried_message(
            "revert",
            &carried,
            None,
            None,
            Some("reverts x".into()),
            true,
            true,
        );
        let m = m.expect("a revert has its why");
        assert_ne!(m.change_id, "abcd1234");
        assert_eq!(m.why.as_deref(), Some("reverts x"));
        let m = for_carried_message("merge", &carried, Some("w"), None, None, true, true);
        assert_ne!(m.expect("merge").change_id, "abcd1234");
    }

    #[test]
    fn no_why_is_refused_only_where_required_and_refusable() {
        assert_eq!(for_carried_message("cherry-pick", &[], None, None, None, true, true), None);
        let blank = t(&[("Why", "   ")]);
        assert_eq!(for_carried_message("rebase", &blank, None, None, None, true, true), None);
        let m = for_carried_message("am", &[], None, None, None, true, false).expect("not here");
        assert_eq!(m.why, None);
        assert!(for_carried_message("merge", &[], None, None, None, false, true).is_some());
    }
}
