//! A record's path entries as the standard fields hold them: strings, lossy
//! where the bytes are not UTF-8 (the record carried beside them keeps the
//! bytes in `path_b64`).

use trail_journal::PathChange;

/// What a file field shows of one path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileView {
    /// The repository-relative path, lossy (U+FFFD) where not UTF-8.
    pub path: String,
    /// Its last component.
    pub name: String,
    /// Everything before the last `/` (empty at the top of the repository).
    pub directory: String,
    /// Whether `path` lost bytes on the way to a string.
    pub lossy: bool,
    pub kind: FileKind,
}

/// What git's mode says the path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Regular,
    Symlink,
    Directory,
    Submodule,
    /// No mode recorded.
    Unknown,
}

impl FileKind {
    fn of(mode: Option<&str>) -> Self {
        match mode {
            Some(m) if m.starts_with("100") => FileKind::Regular,
            Some("120000") => FileKind::Symlink,
            Some("040000") | Some("40000") => FileKind::Directory,
            Some("160000") => FileKind::Submodule,
            _ => FileKind::Unknown,
        }
    }
}

/// The path of `entry` (its destination, for a rename).
pub fn destination(entry: &PathChange) -> Option<FileView> {
    view(entry.path_bytes()?, entry.mode.as_deref())
}

/// The source of a renamed `entry`, if it records one.
pub fn source(entry: &PathChange) -> Option<FileView> {
    view(entry.from_bytes()?, entry.mode.as_deref())
}

fn view(bytes: Vec<u8>, mode: Option<&str>) -> Option<FileView> {
    let lossy = std::str::from_utf8(&bytes).is_err();
    let path = String::from_utf8_lossy(&bytes).into_owned();
    let trimmed = path.trim_end_matches('/');
    let (directory, name) = match trimmed.rsplit_once('/') {
        Some((dir, name)) => (dir.to_owned(), name.to_owned()),
        None => (String::new(), trimmed.to_owned()),
    };
    let name = if name.is_empty() { path.clone() } else { name };
    Some(FileView { path, name, directory, lossy, kind: FileKind::of(mode) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use trail_journal::Status;

    #[test]
    fn a_path_that_is_not_utf8_is_lossy_in_the_view() {
        let entry = PathChange::new(b"data/not-utf8-\xff.bin", Status::A);
        let view = destination(&entry).expect("a path");
        assert_eq!(view.path, "data/not-utf8-\u{fffd}.bin");
        assert_eq!(view.name, "not-utf8-\u{fffd}.bin");
        assert_eq!(view.directory, "data");
        assert!(view.lossy);
        assert_eq!(entry.path_b64.as_deref(), Some("ZGF0YS9ub3QtdXRmOC3/LmJpbg=="));
    }

    #[test]
    fn name_directory_and_kind_come_from_the_path_and_mode() {
        let mut entry = PathChange::new("notes/café.md".as_bytes(), Status::M);
        entry.mode = Some("120000".into());
        let view = destination(&entry).expect("a path");
        assert_eq!((view.name.as_str(), view.directory.as_str()), ("café.md", "notes"));
        assert_eq!(view.kind, FileKind::Symlink);
        assert!(!view.lossy);
        let top = destination(&PathChange::new(b"README", Status::A)).expect("a path");
        assert_eq!((top.name.as_str(), top.directory.as_str()), ("README", ""));
        assert_eq!(top.kind, FileKind::Unknown);
        let renamed = PathChange::new(b"b.txt", Status::R).with_from(b"old/a.txt");
        assert_eq!(source(&renamed).expect("from").path, "old/a.txt");
    }
}
