//! The `agent.edit` record of a file-changing tool call (source `agent`).
//!
//! Each path the call wrote is read from the work tree: its content is
//! written to the object database as a blob and kept reachable from
//! `refs/trail/saves` as the watcher keeps its saves
//! ([`trail_watch::keep_saved`]), so `trail restore` and `trail timeline`
//! find it; the path entry carries `blob`, `sha256`, `size` and `mode`, and
//! `status` `A` (not in HEAD), `M` or `D` (gone after the call). Content
//! over [`MAX_BLOB`] is hashed, not stored (the watcher's default limit).
//!
//! `detail.agent` is {`name`, `version` (when the agent says), `session`,
//! `tool`, `tool_use_id`, `event`}; `why` is the session's latest prompt as
//! kept by [`crate::session`]. The actor is the caller's (the person running
//! the agent).

use std::collections::BTreeSet;
use std::io::Read as _;
use std::os::unix::ffi::OsStrExt as _;
use std::os::unix::fs::PermissionsExt as _;

use serde_json::{Map, Value};
use trail_journal::{Draft, PathChange, Source, Status, Timestamp, kinds};

use crate::guard::Repo;
use crate::payload::Call;
use crate::session::Session;

/// Content larger than this is hashed but not stored (16 MiB).
pub const MAX_BLOB: u64 = 16 * 1024 * 1024;

fn io(path: &[u8], e: impl std::fmt::Display) -> String {
    format!("cannot read {}: {e}", String::from_utf8_lossy(path))
}

/// One path entry: what is on disk now at `path`, with its blob written
/// (added to `blobs`) when small enough.
fn entry(
    repo: &Repo<'_>,
    head: Option<trail_git::ObjectId>,
    path: &[u8],
    blobs: &mut BTreeSet<trail_git::ObjectId>,
) -> Result<PathChange, String> {
    let full = repo.workdir.join(std::ffi::OsStr::from_bytes(path));
    let in_head = match head {
        Some(head) => {
            trail_git::blob_id_in_commit(repo.git, head, path).map_err(|e| e.to_string())?.is_some()
        }
        None => false,
    };
    let meta = match std::fs::symlink_metadata(&full) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(PathChange::new(path, Status::D));
        }
        Err(e) => return Err(io(path, e)),
    };
    let mut change = PathChange::new(path, if in_head { Status::M } else { Status::A });
    let (mode, content) = if meta.file_type().is_symlink() {
        let target = std::fs::read_link(&full).map_err(|e| io(path, e))?;
        ("120000", Some(target.as_os_str().as_bytes().to_vec()))
    } else if meta.is_file() {
        let mode = if meta.permissions().mode() & 0o111 != 0 { "100755" } else { "100644" };
        if meta.len() > MAX_BLOB {
            let (sha, size) = stream_sha256(&full).map_err(|e| io(path, e))?;
            change.sha256 = Some(sha);
            change.size = Some(size);
            change.mode = Some(mode.to_owned());
            return Ok(change);
        }
        (mode, Some(std::fs::read(&full).map_err(|e| io(path, e))?))
    } else {
        // A directory or a special file: named, no content.
        (if meta.is_dir() { "040000" } else { "100644" }, None)
    };
    change.mode = Some(mode.to_owned());
    if let Some(content) = content {
        let id = repo
            .git
            .write_blob(&content)
            .map_err(|e| format!("cannot store {}: {e}", String::from_utf8_lossy(path)))?
            .detach();
        blobs.insert(id);
        change.blob = Some(id.to_string());
        change.sha256 = Some(crate::sha256_hex(&content));
        change.size = Some(content.len() as u64);
    }
    Ok(change)
}

fn stream_sha256(path: &std::path::Path) -> std::io::Result<(String, u64)> {
    use sha2::Digest as _;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    Ok((hex::encode(hasher.finalize()), size))
}

/// `detail.agent` of `call`.
pub fn agent_detail(call: &Call) -> Value {
    let mut agent = Map::new();
    let mut put = |key: &str, value: Option<&str>| {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            agent.insert(key.to_owned(), Value::String(v.to_owned()));
        }
    };
    put("name", Some(call.agent.name()));
    put("version", call.version.as_deref());
    put("session", call.session.as_deref());
    put("tool", call.tool.as_deref());
    put("tool_use_id", call.tool_use_id.as_deref());
    put("event", Some(&call.event));
    Value::Object(agent)
}

/// The record of `call`, which wrote `paths` (repository-relative), with
/// the session as kept. `None` when none of the paths is there to record.
pub fn draft(
    repo: &Repo<'_>,
    call: &Call,
    paths: &[Vec<u8>],
    session: Option<&Session>,
    extra: Map<String, Value>,
) -> Result<Option<Draft>, String> {
    if paths.is_empty() {
        return Ok(None);
    }
    let head = repo.head();
    let mut blobs = BTreeSet::new();
    let mut entries = Vec::new();
    for path in paths {
        entries.push(entry(repo, head, path, &mut blobs)?);
    }
    if !blobs.is_empty() {
        trail_watch::keep_saved(repo.git, &blobs).map_err(|e| e.to_string())?;
    }
    let mut draft = Draft::new(kinds::AGENT_EDIT, Source::Agent, Timestamp::now());
    draft.paths = entries;
    draft.why = session.and_then(Session::why);
    let mut detail = Map::new();
    detail.insert("agent".to_owned(), agent_detail(call));
    if let Some(s) = session
        && s.prompts > 0
    {
        detail.insert("prompt".to_owned(), Value::from(s.prompts));
    }
    detail.extend(extra);
    draft.detail = Some(detail);
    Ok(Some(draft))
}
