//! `refs/trail/saves`: the commit chain that keeps saved blobs reachable.

use std::collections::BTreeSet;

use gix::ObjectId;
use gix::refs::transaction::{PreviousValue, RefEdit};

pub(crate) const SAVES_REF: &str = "refs/trail/saves";

/// Commit a tree naming every blob of `blobs` (entries named by hex id) on
/// top of the current tip of `refs/trail/saves`, and move the ref there
/// (guarded by its previous value; retried if another writer moved it).
pub(crate) fn keep(repo: &gix::Repository, blobs: &BTreeSet<ObjectId>) -> Result<ObjectId, String> {
    let entries = blobs
        .iter()
        .map(|id| gix::objs::tree::Entry {
            mode: gix::objs::tree::EntryKind::Blob.into(),
            filename: id.to_string().into(),
            oid: *id,
        })
        .collect();
    // Hex names of equal length sort as the ids do: the tree is canonical.
    let tree = gix::objs::Tree { entries };
    let tree_id = repo.write_object(&tree).map_err(|e| e.to_string())?.detach();
    let signature = gix::actor::Signature {
        name: "trail".into(),
        email: "trail@localhost".into(),
        time: gix::date::Time::now_utc(),
    };
    let mut time = gix::date::parse::TimeBuf::default();
    let message = format!("trail: keep {} saved file contents\n", blobs.len());
    let mut last_error = String::new();
    for _attempt in 0..3 {
        let parent = repo
            .try_find_reference(SAVES_REF)
            .map_err(|e| e.to_string())?
            .map(|mut r| r.peel_to_id().map(|id| id.detach()))
            .transpose()
            .map_err(|e| e.to_string())?;
        let commit = gix::objs::Commit {
            tree: tree_id,
            parents: parent.into_iter().collect(),
            author: signature.clone(),
            committer: signature.clone(),
            encoding: None,
            message: message.clone().into(),
            extra_headers: Vec::new(),
        };
        let commit_id = repo.write_object(&commit).map_err(|e| e.to_string())?.detach();
        let expected = match parent {
            Some(parent) => PreviousValue::MustExistAndMatch(gix::refs::Target::Object(parent)),
            None => PreviousValue::MustNotExist,
        };
        let name = SAVES_REF
            .try_into()
            .map_err(|e: gix::validate::reference::name::Error| e.to_string())?;
        let edit = RefEdit::update(name, commit_id, expected, message.trim_end());
        match repo.edit_references_as(Some(edit), Some(signature.to_ref(&mut time))) {
            Ok(_) => return Ok(commit_id),
            Err(e) => last_error = e.to_string(),
        }
    }
    Err(last_error)
}
