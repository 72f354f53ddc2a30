//! `trail completions`

use std::io::Write;

use clap::Args;
use clap_complete::Shell;

use crate::error::CommandError;
use crate::output::Out;

/// Print a script that makes your shell complete trail's commands and options.
///
/// With it loaded, pressing Tab after `trail ` offers trail's commands, and
/// after `trail log --` the options of `trail log`. The script goes to
/// standard output; load it from your shell's startup file, or save it where
/// your shell looks for completions (see the examples). The script is made
/// from this trail binary, so print it again after upgrading trail.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  source <(trail completions bash)            in ~/.bashrc
  trail completions bash > ~/.local/share/bash-completion/completions/trail
  trail completions zsh > ~/.zfunc/_trail     with fpath+=(~/.zfunc) before compinit in ~/.zshrc
  trail completions fish > ~/.config/fish/completions/trail.fish
  eval (trail completions elvish | slurp)     in ~/.config/elvish/rc.elv
  trail completions powershell | Out-String | Invoke-Expression   in $PROFILE")]
pub struct CompletionsArgs {
    /// The shell to print the script for.
    #[arg(value_name = "SHELL")]
    pub shell: Shell,
}

pub fn run(args: CompletionsArgs) -> Result<(), CommandError> {
    // clap_complete panics when its writer fails; render into memory so that a
    // closed pipe (`trail completions bash | head`) is the quiet exit it is
    // everywhere else.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut crate::cli::visible_command(), "trail", &mut script);
    let mut out = Out::new();
    out.write_all(&script)?;
    out.flush()?;
    Ok(())
}
