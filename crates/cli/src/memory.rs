//! The clone's journal as a protection check's memory ([`JournalMemory`]):
//! trail-hooks judges, the CLI opens the store. Also the paths the CLI
//! holds no check itself.

use trail_git::ObjectId;
use trail_hooks::HookError;
use trail_hooks::judge::{JournalMemory, Site};
use trail_journal::LogStore as _;
use trail_policy::When;

use crate::context::Repo;

impl Repo {
    /// Where a protection check of this repository runs.
    pub(crate) fn site(&self) -> Site<'_> {
        Site {
            git: &self.git,
            trail_dir: self.location.trail_dir(),
            cwd: self.cwd.clone(),
            journal: self,
        }
    }
}

impl JournalMemory for Repo {
    fn recorded_at(&self, commit: ObjectId) -> Result<Option<When>, HookError> {
        let Ok(store) = self.open_indexed_store() else { return Ok(None) };
        let mut key = commit.to_string().into_bytes();
        key.push(0);
        let index = store
            .index_prefix(trail_journal::index::COMMIT, &key)
            .map_err(|e| HookError::environment(e.to_string()))?;
        for index_key in index {
            let Some(seq) = trail_journal::index::seq_of(&index_key) else { continue };
            let Some(raw) =
                store.get_raw(seq).map_err(|e| HookError::environment(e.to_string()))?
            else {
                continue;
            };
            let Ok(record) = serde_json::from_slice::<trail_journal::Record>(&raw) else {
                continue;
            };
            if record.kind != trail_journal::kinds::COMMIT
                && record.kind != trail_journal::kinds::AUTH_USED
            {
                continue;
            }
            return Ok(Some(When::At(record.time.0)));
        }
        Ok(None)
    }

    fn token_users(&self, id: &str) -> Result<Vec<Option<String>>, HookError> {
        let mut users = Vec::new();
        let spooled = crate::pending::spooled_drafts(self).map_err(to_hook_error)?;
        for draft in spooled {
            if draft.authorization.as_ref().is_some_and(|a| a.token_id == id)
                && draft.kind == trail_journal::kinds::AUTH_USED
            {
                users.push(draft.commit.clone());
            }
        }
        let store = self.open_indexed_store().map_err(|e| {
            HookError::environment(format!(
                "cannot check that token {id} was not used before: {}",
                e.message
            ))
            .hint(
                "the single-use check reads the journal; `trail verify` says what is wrong with it",
            )
        })?;
        let mut prefix = id.as_bytes().to_vec();
        prefix.push(0);
        let index = store
            .index_prefix(trail_journal::index::TOKEN, &prefix)
            .map_err(|e| HookError::environment(e.to_string()))?;
        for key in index {
            let Some(seq) = trail_journal::index::seq_of(&key) else { continue };
            let Some(raw) =
                store.get_raw(seq).map_err(|e| HookError::environment(e.to_string()))?
            else {
                continue;
            };
            let record: trail_journal::Record = serde_json::from_slice(&raw).map_err(|e| {
                HookError::environment(format!("journal record {seq} cannot be read: {e}"))
            })?;
            if record.kind == trail_journal::kinds::AUTH_USED {
                users.push(record.commit.clone());
            }
        }
        Ok(users)
    }
}

/// A CLI error met inside a check trail-hooks runs, kept with its hints.
fn to_hook_error(e: crate::error::CommandError) -> HookError {
    let mut error = HookError::environment(e.message);
    error.hints = e.hints;
    error
}
