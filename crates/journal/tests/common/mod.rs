//! What the journal's integration tests share.

use trail_journal::{Draft, Record};

/// The draft that, appended at the right place, seals to `line` again: every
/// member of the record but `v`, `seq`, `prev` and `hash`.
pub fn draft_of(line: &[u8]) -> Draft {
    let r: Record = serde_json::from_slice(line).expect("a v1 record");
    let mut d = Draft::new(&r.kind, r.source, r.time);
    d.actor = r.actor;
    d.git_ref = r.git_ref;
    d.commit = r.commit;
    d.parents = r.parents;
    d.change_id = r.change_id;
    d.paths = r.paths;
    d.why = r.why;
    d.impact = r.impact;
    d.authorization = r.authorization;
    d.detail = r.detail;
    // The fixture's records predate draft ids: keep the record's (none).
    d.id = r.draft;
    d
}
