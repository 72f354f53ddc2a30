//! The journal as a process reaches it: opened here, or through the watcher.

use trail_journal::store::RawRecords;
use trail_journal::{AppendError, Appended, Draft, Head, LogStore, ReadError, SledStore};

/// The journal as a command reaches it.
pub enum Store {
    /// Opened here: no watcher runs.
    Direct(SledStore),
    /// Through the running watcher, which owns the store.
    Daemon(trail_service::Client),
}

impl Store {
    fn inner(&self) -> &dyn LogStore {
        match self {
            Store::Direct(store) => store,
            Store::Daemon(client) => client,
        }
    }

    /// This store's identity (hex), written at creation.
    pub fn store_id(&self) -> Result<String, ReadError> {
        let id = self
            .meta(trail_journal::store::meta_keys::STORE_ID)?
            .ok_or_else(|| ReadError::Meta("no store id".into()))?;
        Ok(String::from_utf8_lossy(&id).into_owned())
    }

    /// Bytes on disk, when this process has the store open.
    pub fn size_on_disk(&self) -> Result<Option<u64>, ReadError> {
        match self {
            Store::Direct(store) => store.size_on_disk().map(Some),
            Store::Daemon(_) => Ok(None),
        }
    }
}

impl LogStore for Store {
    fn append(&self, drafts: Vec<Draft>) -> Result<Vec<Appended>, AppendError> {
        self.inner().append(drafts)
    }
    fn head(&self) -> Result<Head, ReadError> {
        self.inner().head()
    }
    fn get_raw_many(&self, seqs: &[u64]) -> Result<Vec<Option<Vec<u8>>>, ReadError> {
        self.inner().get_raw_many(seqs)
    }
    fn get_raw(&self, seq: u64) -> Result<Option<Vec<u8>>, ReadError> {
        self.inner().get_raw(seq)
    }
    fn scan_raw(&self, range: std::ops::RangeInclusive<u64>, reverse: bool) -> RawRecords<'_> {
        self.inner().scan_raw(range, reverse)
    }
    fn index_prefix(&self, tree: &str, prefix: &[u8]) -> Result<Vec<Vec<u8>>, ReadError> {
        self.inner().index_prefix(tree, prefix)
    }
    fn index_range(&self, tree: &str, from: &[u8], to: &[u8]) -> Result<Vec<Vec<u8>>, ReadError> {
        self.inner().index_range(tree, from, to)
    }
    fn index_keys(&self, tree: &str) -> Box<dyn Iterator<Item = Result<Vec<u8>, ReadError>> + '_> {
        self.inner().index_keys(tree)
    }
    fn reindex(&self) -> Result<u64, ReadError> {
        self.inner().reindex()
    }
    fn indexes_complete(&self) -> Result<bool, ReadError> {
        self.inner().indexes_complete()
    }
    fn acknowledged(&self) -> Option<Head> {
        self.inner().acknowledged()
    }
    fn meta(&self, key: &str) -> Result<Option<Vec<u8>>, ReadError> {
        self.inner().meta(key)
    }
    fn set_meta(&self, key: &str, value: &[u8]) -> Result<(), ReadError> {
        self.inner().set_meta(key, value)
    }
}
