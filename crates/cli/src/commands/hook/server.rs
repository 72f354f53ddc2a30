//! The hooks that judge ref updates — pre-receive and update (server),
//! pre-push, and with `[protect] strict = true` reference-transaction —
//! glue around [`trail_hooks::gate`]: the hook's input read here, the
//! repository found with the pushed objects git keeps in quarantine.

use std::ffi::OsString;
use std::io::Read as _;

use crate::context::Repo;
use crate::error::CommandError;

fn read_stdin() -> Result<String, CommandError> {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .map_err(|e| CommandError::environment(format!("cannot read the hook's input: {e}")))?;
    Ok(input)
}

/// The repository a hook runs in; in a receiving repository, with the
/// pushed objects git keeps in quarantine until the hooks accept them (keep
/// the directory alive while `repo` is used).
fn server_repo() -> Result<(Repo, Option<tempfile::TempDir>), CommandError> {
    let mut repo = Repo::discover()?;
    trail_git::skip_index_checksum(&mut repo.git);
    let quarantine = trail_git::use_quarantine(&mut repo.git)
        .map_err(|e| CommandError::environment(e.to_string()))?;
    Ok((repo, quarantine))
}

/// pre-receive (server): [`trail_hooks::gate::pre_receive`].
pub fn pre_receive() -> Result<(), CommandError> {
    let input = read_stdin()?;
    let (repo, _quarantine) = server_repo()?;
    Ok(trail_hooks::gate::pre_receive(&repo.site(), &input)?)
}

/// update (server), `update REF OLD NEW`: [`trail_hooks::gate::update`].
pub fn update(args: &[OsString]) -> Result<(), CommandError> {
    let [name, old, new] = args else {
        return Err(CommandError::usage("update: git passes REF OLD NEW; got something else"));
    };
    let (old, new) = (old.to_string_lossy(), new.to_string_lossy());
    let name = name.to_string_lossy();
    let (repo, _quarantine) = server_repo()?;
    let git_dir = repo.location.git_dir.clone();
    Ok(trail_hooks::gate::update(&repo.site(), &git_dir, &name, &old, &new)?)
}

/// pre-push `REMOTE URL`: [`trail_hooks::gate::pre_push`].
pub fn pre_push_protection(args: &[OsString]) -> Result<(), CommandError> {
    let input = read_stdin()?;
    let (repo, _quarantine) = server_repo()?;
    let remote = args.first().map(|r| r.to_string_lossy().into_owned());
    Ok(trail_hooks::gate::pre_push(&repo.site(), remote.as_deref(), &input)?)
}

/// reference-transaction `STATE`: [`trail_hooks::gate::reference_transaction`]
/// in the `prepared` state, nothing in the others.
pub fn reference_transaction(args: &[OsString]) -> Result<(), CommandError> {
    let input = read_stdin()?;
    if args.first().is_none_or(|state| state != "prepared") {
        return Ok(());
    }
    if !trail_hooks::gate::updates(&input)
        .iter()
        .any(|(_, new, name)| !trail_hooks::gate::is_null(new) && name.starts_with("refs/heads/"))
    {
        return Ok(());
    }
    let (repo, _quarantine) = server_repo()?;
    let pending = || crate::pending::Pending::new(&repo.location).commit();
    let invocation = super::GitInvocation::current();
    Ok(trail_hooks::gate::reference_transaction(
        &repo.site(),
        &input,
        &pending,
        invocation.as_ref(),
    )?)
}
