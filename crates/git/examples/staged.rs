//! Print the staged change of the repository in the current directory, like
//! `git diff-index --cached --name-status HEAD` (with exact renames), and the time
//! it took. Used to compare trail-git with git by hand.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let repo = gix::discover(".")?;
    let head = repo.head_id().ok().map(|id| id.detach());
    let index = std::env::var_os("GIT_INDEX_FILE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| repo.index_path());
    let start = std::time::Instant::now();
    let changes = trail_git::staged_changes(&repo, &index, head)?;
    let took = start.elapsed();
    for c in &changes {
        match &c.from {
            Some(from) => println!(
                "{}\t{}\t{}",
                c.status,
                String::from_utf8_lossy(from),
                String::from_utf8_lossy(&c.path)
            ),
            None => println!("{}\t{}", c.status, String::from_utf8_lossy(&c.path)),
        }
    }
    eprintln!("{} changes in {:.2} ms", changes.len(), took.as_secs_f64() * 1e3);
    Ok(())
}
