//! Every recorded state of one file: what `trail timeline` lists and `trail
//! restore` brings back. A state is one path entry of a record — a save the
//! watcher recorded (`fs.*`), a commit, an import — found through the
//! journal's path index, following renames back to the file's earlier names.

use trail_journal::{LogStore, Record, Status, index};

use crate::error::CommandError;

/// One recorded state of a file.
#[derive(Debug, Clone)]
pub(crate) struct State {
    pub seq: u64,
    pub record: Record,
    /// The path the file had in this state.
    pub path: Vec<u8>,
    pub status: Status,
    /// Its earlier name, for a rename.
    pub from: Option<Vec<u8>>,
    /// The content's git blob id (`None`: deleted, or not stored).
    pub blob: Option<String>,
    pub sha256: Option<String>,
    pub size: Option<u64>,
    pub mode: Option<String>,
}

impl State {
    /// Whether the file did not exist after this state.
    pub fn deleted(&self) -> bool {
        self.status == Status::D
    }
}

/// The states of `path`, oldest first; with `follow`, also the states of
/// the names it had before a rename (up to the rename).
pub(crate) fn of_path(
    store: &dyn LogStore,
    path: &[u8],
    follow: bool,
) -> Result<Vec<State>, CommandError> {
    let mut states = Vec::new();
    let mut name = path.to_vec();
    let mut before = u64::MAX;
    // A chain of renames cannot be longer than the journal; guard anyway.
    for _ in 0..10_000 {
        let mut prefix = name.clone();
        prefix.push(0);
        let mut seqs: Vec<u64> = store
            .index_prefix(index::PATH, &prefix)?
            .iter()
            .filter_map(|key| index::seq_of(key))
            .filter(|seq| *seq < before)
            .collect();
        seqs.sort_unstable();
        seqs.dedup();
        let mut renamed_from: Option<(u64, Vec<u8>)> = None;
        let mut found = Vec::new();
        for seq in seqs {
            let Some(raw) = store.get_raw(seq)? else { continue };
            let record: Record = serde_json::from_slice(&raw).map_err(|e| {
                CommandError::environment(format!("journal record {seq} cannot be read: {e}"))
                    .hint("`trail verify` says what is wrong with the journal")
            })?;
            for change in &record.paths {
                let here = change.path_bytes().as_deref() == Some(name.as_slice());
                let away = change.from_bytes().as_deref() == Some(name.as_slice());
                if !here && !away {
                    continue;
                }
                let state = State {
                    seq,
                    record: record.clone(),
                    path: change.path_bytes().unwrap_or_default(),
                    // Renamed away: for this name, the file is gone.
                    status: if here { change.status } else { Status::D },
                    from: change.from_bytes(),
                    blob: if here { change.blob.clone() } else { None },
                    sha256: if here { change.sha256.clone() } else { None },
                    size: if here { change.size } else { None },
                    mode: if here { change.mode.clone() } else { None },
                };
                if here
                    && change.status == Status::R
                    && let Some(from) = change.from_bytes()
                    && from != name
                {
                    renamed_from = Some((seq, from));
                }
                found.push(state);
            }
        }
        match renamed_from.filter(|_| follow) {
            // The latest rename into this name: the states of this name
            // before it were another file's; before it, this file was `from`.
            Some((seq, from)) => {
                found.retain(|state| state.seq >= seq);
                states.splice(0..0, found);
                before = seq;
                name = from;
            }
            None => {
                states.splice(0..0, found);
                break;
            }
        }
    }
    states.sort_by_key(|s| s.seq);
    states.dedup_by(|a, b| a.seq == b.seq && a.path == b.path && a.status == b.status);
    Ok(states)
}
