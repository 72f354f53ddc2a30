//! The journal records a commit and a ref movement become, built from git's
//! facts: shared by the hooks and `trail import`.

use serde_json::{Map, Value, json};
use trail_git::CommitFacts;
use trail_journal::{Actor, Draft, PathChange, Source, Status, Timestamp};

/// A git time can be any 64-bit number of seconds; the record format holds the
/// years 0000-9999. Out of that range the time is clamped and git's own value
/// kept beside it as `unix` (an integer), so nothing is lost.
///
/// Nothing else is lost either (FORMAT.md §2.6): `tz` is the zone as `%ai`
/// prints it; `name_b64`/`email_b64` hold bytes that are not UTF-8 (`name`
/// and `email` keep their lossy form for readers that know only them); and
/// `ident`/`ident_b64` the whole identity line when git could read it only in
/// part.
pub fn person(p: &trail_git::Person) -> Value {
    let (time, clamped) = Timestamp::from_unix_clamped(p.time);
    let mut value = json!({ "name": p.name, "email": p.email, "time": time.to_rfc3339() });
    if clamped {
        value["unix"] = json!(p.time);
    }
    if let Some(tz) = &p.tz {
        value["tz"] = json!(tz);
    }
    if let Some(b64) = p.name_bytes.as_deref().and_then(base64_unless_utf8) {
        value["name_b64"] = json!(b64);
    }
    if let Some(b64) = p.email_bytes.as_deref().and_then(base64_unless_utf8) {
        value["email_b64"] = json!(b64);
    }
    if let Some(line) = p.ident.as_deref().filter(|line| !line.is_empty()) {
        match base64_unless_utf8(line) {
            Some(b64) => value["ident_b64"] = json!(b64),
            None => value["ident"] = json!(String::from_utf8_lossy(line)),
        }
    }
    value
}

/// Bytes that are not UTF-8 as the journal writes them (FORMAT.md §2.4,
/// `path_b64`: standard base64 with padding); `None` for UTF-8, which is
/// written as text. Taken from the journal's own path entry so that the two
/// rules can never disagree.
fn base64_unless_utf8(bytes: &[u8]) -> Option<String> {
    PathChange::new(bytes, Status::M).path_b64
}

/// The record of a commit, from what git says about it: `kind` is `commit` or
/// `commit.unverified`; `time` is the commit's own time for an import, the
/// moment of recording for a hook.
pub fn commit_draft(facts: &CommitFacts, kind: &str, source: Source, time: Timestamp) -> Draft {
    let mut draft = Draft::new(kind, source, time);
    draft.actor = Some(Actor {
        name: facts.author.name.clone(),
        email: facts.author.email.clone(),
        ..Actor::default()
    });
    draft.commit = Some(facts.id.to_string());
    draft.parents = facts.parents.iter().map(|p| p.to_string()).collect();
    draft.change_id = facts.trailer("Change-Id").map(str::to_owned);
    draft.why = facts.trailer("Why").map(str::to_owned);
    draft.impact = facts.trailer("Impact").map(str::to_owned);
    draft.paths = facts.changes.iter().map(path_change).collect();
    let mut detail = Map::new();
    detail.insert("subject".into(), Value::String(facts.subject.clone()));
    if let Some(b64) = facts.subject_bytes.as_deref().and_then(base64_unless_utf8) {
        detail.insert("subject_b64".into(), Value::String(b64));
    }
    detail.insert("author".into(), person(&facts.author));
    detail.insert("committer".into(), person(&facts.committer));
    if facts.parents.len() > 1 {
        detail.insert("merge".into(), Value::Bool(true));
    }
    // `Agent-Session: AGENT SESSION` trailers (commit-msg adds them for the
    // AI agent sessions whose edits the commit holds, docs/agents.md).
    let agents: Vec<Value> = facts
        .trailers
        .iter()
        .filter(|(key, _)| key.eq_ignore_ascii_case("Agent-Session"))
        .filter_map(|(_, value)| {
            let (name, session) = value.trim().split_once(char::is_whitespace)?;
            let mut agent = Map::new();
            agent.insert("name".into(), Value::String(name.to_owned()));
            agent.insert("session".into(), Value::String(session.trim().to_owned()));
            Some(Value::Object(agent))
        })
        .collect();
    if !agents.is_empty() {
        detail.insert("agents".into(), Value::Array(agents));
    }
    draft.detail = Some(detail);
    draft
}

/// A changed path as the record holds it: status, rename source, blob, mode.
pub fn path_change(c: &trail_git::FileChange) -> PathChange {
    let status = match c.status {
        'A' => Status::A,
        'D' => Status::D,
        'R' => Status::R,
        'T' => Status::T,
        _ => Status::M,
    };
    let mut change = PathChange::new(&c.path, status);
    if let Some(from) = &c.from {
        change = change.with_from(from);
    }
    change.blob = Some(c.blob.to_string());
    change.mode = Some(c.mode.clone());
    change
}

/// What post-commit knows about the commit it records.
pub struct CommitRecord<'a> {
    pub facts: &'a CommitFacts,
    /// pre-commit's state, when pre-commit prepared this very commit.
    pub prepared: Option<&'a crate::pending::PendingCommit>,
    /// The git command that made it without pre-commit (`revert`, `am`, …).
    pub via: Option<&'a str>,
    /// The commit git made, when trail amended it to put its changelogs right.
    pub rewritten_from: Option<trail_git::ObjectId>,
    /// The full id a revert names.
    pub reverts: Option<String>,
    /// A merge's paths that differ from every parent (the CLI reads them).
    pub merge_paths: Option<Vec<PathChange>>,
    /// Who ran the hook: git's committer, the account, the host.
    pub local: Actor,
    pub now: Timestamp,
}

/// The records of one commit, in order: `changelog.created` for each
/// CHANGELOG.md pre-commit created, the commit itself, and `auth.used` or
/// `policy.bootstrap` for an authorized protected change. The commit is
/// `commit` when its rationale was checked — by pre-commit, or (`via`) by
/// prepare-commit-msg / applypatch-msg, which let it through only with a
/// Why — and `commit.unverified` otherwise.
pub fn commit_records(r: &CommitRecord<'_>) -> Vec<Draft> {
    let facts = r.facts;
    let mut drafts = Vec::new();
    let kind = match r.prepared {
        Some(pending) => {
            for log in pending.changelogs.iter().filter(|l| l.created) {
                let mut draft =
                    Draft::new(trail_journal::kinds::CHANGELOG_CREATED, Source::Hook, r.now);
                draft.actor = Some(r.local.clone());
                draft.commit = Some(facts.id.to_string());
                draft.change_id = Some(pending.change_id.clone());
                let mut path = PathChange::new(&log.path, Status::A);
                path.blob = Some(log.blob.clone());
                draft.paths = vec![path];
                drafts.push(draft);
            }
            trail_journal::kinds::COMMIT
        }
        None if r.via.is_some() && facts.trailer("Why").is_some() => trail_journal::kinds::COMMIT,
        None => trail_journal::kinds::COMMIT_UNVERIFIED,
    };
    let mut draft = commit_draft(facts, kind, Source::Hook, r.now);
    if let Some(paths) = &r.merge_paths {
        draft.paths = paths.clone();
    }
    if let (Some(via), Some(detail)) = (r.via, draft.detail.as_mut()) {
        detail.insert("via".into(), Value::String(format!("git {via}")));
        if let Some(from) = r.rewritten_from {
            detail.insert("rewritten_from".into(), Value::String(from.to_string()));
        }
        if let Some(reverted) = &r.reverts {
            detail.insert("reverts".into(), Value::String(reverted.clone()));
        }
    }
    if let Some(actor) = draft.actor.as_mut() {
        actor.user = r.local.user.clone();
        actor.host = r.local.host.clone();
    }
    if let Some(pending) = r.prepared {
        draft.change_id = Some(pending.change_id.clone());
        draft.why = pending.why.clone().or(draft.why);
        draft.impact = pending.impact.clone().or(draft.impact);
        if pending.amend
            && let Some(detail) = draft.detail.as_mut()
        {
            detail.insert("amend".into(), Value::Bool(true));
        }
    }
    draft.why = draft.why.as_deref().and_then(crate::message::one_line);
    draft.impact = draft.impact.as_deref().and_then(crate::message::one_line);
    let Some(auth) = r.prepared.and_then(|p| p.authorization.as_ref()) else {
        drafts.push(draft);
        return drafts;
    };
    let kind = if auth.token_id.is_some() {
        trail_journal::kinds::AUTH_USED
    } else {
        trail_journal::kinds::POLICY_BOOTSTRAP
    };
    let mut extra = Draft::new(kind, Source::Hook, r.now);
    extra.actor = Some(r.local.clone());
    extra.commit = Some(facts.id.to_string());
    extra.change_id = r.prepared.map(|p| p.change_id.clone());
    extra.paths = auth.paths.iter().map(|(path, status)| protected_path(path, *status)).collect();
    if let (Some(id), Some(issuer)) = (&auth.token_id, &auth.issuer) {
        let authorization =
            trail_journal::Authorization { issuer: issuer.clone(), token_id: id.clone() };
        draft.authorization = Some(authorization.clone());
        extra.authorization = Some(authorization);
    }
    if !auth.bootstrap.is_empty() {
        let mut detail = Map::new();
        detail.insert(
            "authorizers".into(),
            Value::Array(auth.bootstrap.iter().map(|l| Value::String(l.clone())).collect()),
        );
        extra.detail = Some(detail);
    }
    drafts.push(draft);
    drafts.push(extra);
    drafts
}

/// A protected path of an authorization record, by its status letter.
pub fn protected_path(path: &[u8], status: char) -> PathChange {
    let status = match status {
        'A' => Status::A,
        'D' => Status::D,
        'T' => Status::T,
        _ => Status::M,
    };
    PathChange::new(path, status)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pending::{PendingAuth, PendingCommit, StagedLog};

    fn id(n: u8) -> trail_git::ObjectId {
        trail_git::ObjectId::from_hex(format!("{n:02x}").repeat(20).as_bytes()).expect("hex")
    }

    fn facts(trailers: &[(&str, &str)]) -> CommitFacts {
        let person = trail_git::Person {
            name: "A".into(),
            email: "a@x".into(),
            time: 0,
            ..Default::default()
        };
        CommitFacts {
            id: id(1),
            parents: vec![id(2)],
            author: person.clone(),
            committer: person,
            subject: "s".into(),
            subject_bytes: None,
            trailers: trailers.iter().map(|(a, b)| ((*a).into(), (*b).into())).collect(),
            changes: Vec::new(),
        }
    }

    fn pending() -> PendingCommit {
        PendingCommit {
            change_id: "c0ffee11".into(),
            base: None,
            amend: true,
            merge: false,
            why: Some("  checked\n why ".into()),
            impact: None,
            time: "2026-01-01T00:00:00Z".into(),
            index: "/x/index".into(),
            changelogs: vec![StagedLog {
                path: b"src/CHANGELOG.md".to_vec(),
                blob: "ab".repeat(20),
                created: true,
                entry: None,
            }],
            invocation: None,
            used_note: false,
            stale_elsewhere: None,
            authorization: None,
        }
    }

    fn record<'a>(
        facts: &'a CommitFacts,
        prepared: Option<&'a PendingCommit>,
        via: Option<&'a str>,
    ) -> CommitRecord<'a> {
        CommitRecord {
            facts,
            prepared,
            via,
            rewritten_from: None,
            reverts: None,
            merge_paths: None,
            local: Actor { user: "u".into(), host: "h".into(), ..Actor::default() },
            now: Timestamp::now(),
        }
    }

    #[test]
    fn agent_session_trailers_become_detail_agents() {
        let f = facts(&[("Agent-Session", "claude-code abc123"), ("Why", "w")]);
        let d = commit_draft(&f, "commit", Source::Hook, Timestamp::now());
        let detail = d.detail.expect("detail");
        assert_eq!(
            detail["agents"],
            serde_json::json!([{"name": "claude-code", "session": "abc123"}])
        );
        let plain = commit_draft(&facts(&[]), "commit", Source::Hook, Timestamp::now());
        assert!(plain.detail.expect("detail").get("agents").is_none());
    }

    #[test]
    fn a_person_keeps_its_zone_its_bytes_and_a_line_git_read_only_in_part() {
        let p = trail_git::Person {
            name: "J\u{fffd}".into(),
            email: "j@x".into(),
            time: 1_600_000_000,
            tz: Some("+0530".into()),
            name_bytes: Some(b"J\xfc".to_vec()),
            email_bytes: None,
            ident: Some(b"J\xfc <j@x> <k@x> 1600000000 +0530".to_vec()),
        };
        assert_eq!(
            person(&p),
            json!({
                "name": "J\u{fffd}",
                "name_b64": "Svw=",
                "email": "j@x",
                "time": "2020-09-13T12:26:40.000000000Z",
                "tz": "+0530",
                "ident_b64": "SvwgPGpAeD4gPGtAeD4gMTYwMDAwMDAwMCArMDUzMA==",
            })
        );
        let plain = trail_git::Person { name: "A".into(), ident: Some(b"A 1 +0000".to_vec()), ..p };
        let plain = trail_git::Person { name_bytes: None, tz: None, ..plain };
        assert_eq!(
            person(&plain),
            json!({
                "name": "A",
                "email": "j@x",
                "time": "2020-09-13T12:26:40.000000000Z",
                "ident": "A 1 +0000",
            })
        );
        let mut f = facts(&[]);
        f.subject = "gr\u{fffd}".into();
        f.subject_bytes = Some(b"gr\xfc".to_vec());
        let draft = commit_draft(&f, "commit", Source::Import, Timestamp::now());
        let detail = draft.detail.expect("detail");
        assert_eq!(
            (&detail["subject"], &detail["subject_b64"]),
            (&json!("gr\u{fffd}"), &json!("Z3L8"))
        );
    }

    #[test]
    fn a_prepared_commit_is_checked_and_says_what_pre_commit_decided() {
        let f = facts(&[("Change-Id", "other")]);
        let p = pending();
        let drafts = commit_records(&record(&f, Some(&p), None));
        let kinds: Vec<&str> = drafts.iter().map(|d| d.kind.as_str()).collect();
        assert_eq!(kinds, ["changelog.created", "commit"]);
        let commit = &drafts[1];
        assert_eq!(commit.change_id.as_deref(), Some("c0ffee11"));
        assert_eq!(commit.why.as_deref(), Some("checked why"));
        assert_eq!(commit.detail.as_ref().and_then(|d| d.get("amend")), Some(&Value::Bool(true)));
        assert_eq!(commit.actor.as_ref().map(|a| a.user.as_str()), Some("u"));
    }

    #[test]
    fn a_commit_git_made_alone_is_checked_only_with_a_why() {
        let with = facts(&[("Change-Id", "abc"), ("Why", "carried")]);
        let mut r = record(&with, None, Some("revert"));
        r.reverts = Some("f".repeat(40));
        r.rewritten_from = Some(id(3));
        let drafts = commit_records(&r);
        assert_eq!(drafts.len(), 1);
        assert_eq!(drafts[0].kind, "commit");
        let detail = drafts[0].detail.as_ref().expect("detail");
        assert_eq!(detail["via"], "git revert");
        assert_eq!(detail["reverts"], Value::String("f".repeat(40)));
        assert_eq!(detail["rewritten_from"], Value::String(id(3).to_string()));
        let without = facts(&[("Change-Id", "abc")]);
        assert_eq!(
            commit_records(&record(&without, None, Some("cherry-pick")))[0].kind,
            "commit.unverified"
        );
        assert_eq!(
            commit_records(&record(&with, None, None))[0].kind,
            "commit.unverified",
            "--no-verify"
        );
    }

    #[test]
    fn an_authorized_change_is_followed_by_its_authorization_record() {
        let f = facts(&[]);
        let mut p = pending();
        p.authorization = Some(PendingAuth {
            token: Some("t".into()),
            token_id: Some("tok1".into()),
            issuer: Some("key1".into()),
            bootstrap: Vec::new(),
            paths: vec![(b".mcp.json".to_vec(), 'M')],
        });
        let drafts = commit_records(&record(&f, Some(&p), None));
        let kinds: Vec<&str> = drafts.iter().map(|d| d.kind.as_str()).collect();
        assert_eq!(kinds, ["changelog.created", "commit", "auth.used"]);
        assert_eq!(drafts[1].authorization.as_ref().map(|a| a.token_id.as_str()), Some("tok1"));
        assert_eq!(drafts[2].change_id.as_deref(), Some("c0ffee11"));
        p.authorization = Some(PendingAuth {
            token: None,
            token_id: None,
            issuer: None,
            bootstrap: vec!["key1 ed25519 …".into()],
            paths: vec![(b"trail.toml".to_vec(), 'A')],
        });
        let drafts = commit_records(&record(&f, Some(&p), None));
        assert_eq!(drafts[2].kind, "policy.bootstrap");
        assert!(drafts[2].detail.as_ref().is_some_and(|d| d.contains_key("authorizers")));
    }
}
