//! git's mailmap (`.mailmap`, `mailmap.file`, `mailmap.blob`): the
//! canonical name and email of a person who committed under several, as
//! `git log` shows and matches them by default.

/// A repository's mailmap, read once.
pub struct Mailmap(gix::mailmap::Snapshot);

impl Mailmap {
    /// The mailmap of `repo`, `None` when it maps nothing. A mailmap that
    /// cannot be read counts as none, as for git.
    pub fn of(repo: &gix::Repository) -> Option<Mailmap> {
        let snapshot = repo.open_mailmap();
        (!snapshot.entries().is_empty()).then_some(Mailmap(snapshot))
    }

    /// The canonical (name, email) of `name <email>`, `None` when the
    /// mailmap says nothing of it.
    pub fn resolve(&self, name: &str, email: &str) -> Option<(String, String)> {
        let signature =
            gix::actor::SignatureRef { name: name.into(), email: email.into(), time: "0 +0000" };
        self.0.try_resolve(signature).map(|s| (s.name.to_string(), s.email.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_old_address_maps_to_its_person_and_others_stay() {
        let dir = tempfile::tempdir().expect("tempdir");
        let run = |args: &[&str]| {
            let ok = std::process::Command::new("git")
                .args(args)
                .current_dir(dir.path())
                .status()
                .expect("git runs")
                .success();
            assert!(ok, "git {args:?}");
        };
        run(&["init", "-q"]);
        std::fs::write(
            dir.path().join(".mailmap"),
            "Ada Lovelace <ada@new.example> <ada@old.example>\nBob <bob@example.com>\n",
        )
        .expect("write");
        let repo = gix::open(dir.path()).expect("open");
        let map = Mailmap::of(&repo).expect("a mailmap");
        assert_eq!(
            map.resolve("A. L.", "ada@old.example"),
            Some(("Ada Lovelace".to_owned(), "ada@new.example".to_owned()))
        );
        assert_eq!(
            map.resolve("bobby", "bob@example.com"),
            Some(("Bob".to_owned(), "bob@example.com".to_owned())),
            "a name given for an email"
        );
        assert_eq!(map.resolve("Eve", "eve@example.com"), None);
        std::fs::remove_file(dir.path().join(".mailmap")).expect("rm");
        assert!(Mailmap::of(&gix::open(dir.path()).expect("open")).is_none());
    }
}
