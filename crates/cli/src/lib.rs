//! trail-cli: the `trail` command line.
//!
//! The only crate that talks to the user: it parses arguments, reads the
//! environment, prints, and turns every failure into a message, hints and an exit
//! code from the one table in [`error`] (documented in docs/exit-codes.md). Each
//! command lives in its own file under `commands/`.

mod cli;
mod commands;
mod config;
mod context;
mod error;
mod follow;
mod memory;
mod output;
mod pending;
// The protection check lives in trail-hooks; the CLI reaches it by these names.
pub(crate) use trail_hooks::{judge, protect};
mod records;
mod states;
mod sync;
mod timeparse;

use std::process::ExitCode;

pub use error::{CommandError, Exit};

/// Run `trail` with the process's arguments; returns the exit code.
pub fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        output::to_stderr(format_args!(
            "trail: internal error (this is a bug, please report it): {info}\n"
        ));
    }));
    let parsed = match hook_invocation(std::env::args_os()) {
        Some(args) => Ok(args),
        None => <cli::Cli as clap::Parser>::try_parse(),
    };
    let args = match parsed {
        Ok(args) => args,
        Err(e) => {
            // clap prints help and version on stdout with success, usage errors on stderr.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { Exit::Usage as u8 } else { 0 });
        }
    };
    output::set_quiet(args.quiet);
    output::set_local(args.local);
    output::set_color(args.color);
    output::set_no_pager(args.no_pager);
    init_tracing(args.verbose, args.quiet);
    let result = commands::run(args.command);
    output::finish_pager();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => e.report(),
    }
}

/// `trail hook NAME ARGS…` as the shims run it (git's arguments, none an
/// option), read without building the whole command-line parser: git runs
/// three hooks on every commit, and clap's set-up of every subcommand was
/// a tenth of a hook's own time (issue 24). Anything else is clap's.
fn hook_invocation(argv: impl IntoIterator<Item = std::ffi::OsString>) -> Option<cli::Cli> {
    let mut argv = argv.into_iter().skip(1);
    if argv.next()? != "hook" {
        return None;
    }
    let name = argv.next()?;
    let name =
        <commands::hook::HookName as clap::ValueEnum>::from_str(name.to_str()?, false).ok()?;
    let args: Vec<std::ffi::OsString> = argv.collect();
    if args.iter().any(|a| a.as_encoded_bytes().starts_with(b"-")) {
        return None;
    }
    Some(cli::Cli {
        verbose: 0,
        quiet: false,
        local: false,
        color: output::ColorChoice::Auto,
        no_pager: false,
        command: cli::Command::Hook(commands::hook::HookArgs { name, args }),
    })
}

fn init_tracing(verbose: u8, quiet: bool) {
    // sled logs its own diagnostics (e.g. a failed checksum) before returning the
    // error trail turns into a message; users see the message, not sled's logs.
    let default = match verbose {
        0 if quiet => "error,sled=off",
        0 => "warn,sled=off",
        1 => "info,sled=warn",
        _ => "debug",
    };
    // TRAIL_LOG wins over RUST_LOG, which wins over -v/-q. Read as
    // `Targets` (`LEVEL` or `TARGET=LEVEL,…`), not as an `EnvFilter`: the
    // latter's regex support turned on regex-automata's eager DFA build for
    // every regex in the binary, and compiling the protection globs that
    // way cost 2-3 ms of every pre-commit (issue 24).
    let from_env = ["TRAIL_LOG", "RUST_LOG"].iter().find_map(|var| {
        let value = std::env::var(var).ok().filter(|v| !v.trim().is_empty())?;
        value.parse::<tracing_subscriber::filter::Targets>().ok()
    });
    let asked = from_env.is_some() || verbose > 0;
    let filter = from_env.unwrap_or_else(|| default.parse().expect("a valid default filter"));
    use tracing_subscriber::Layer as _;
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(output::colour(false));
    // Nobody asked for a log: the warnings and errors that still get through
    // read like trail's other messages (`trail: warning: …`), not like log
    // lines with a time stamp and a module path.
    let registry = tracing_subscriber::registry();
    let _ = if asked {
        registry.with(layer.with_filter(filter)).try_init()
    } else {
        registry.with(layer.event_format(Plain).with_filter(filter)).try_init()
    };
}

/// `trail: warning: MESSAGE` for the events a user sees without asking for a log.
struct Plain;

impl<S, N> tracing_subscriber::fmt::FormatEvent<S, N> for Plain
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
    N: for<'a> tracing_subscriber::fmt::FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &tracing_subscriber::fmt::FmtContext<'_, S, N>,
        mut writer: tracing_subscriber::fmt::format::Writer<'_>,
        event: &tracing::Event<'_>,
    ) -> std::fmt::Result {
        let level = match *event.metadata().level() {
            tracing::Level::ERROR => "error",
            tracing::Level::WARN => "warning",
            _ => "note",
        };
        write!(writer, "trail: {level}: ")?;
        ctx.field_format().format_fields(writer.by_ref(), event)?;
        writeln!(writer)
    }
}

#[cfg(test)]
mod hook_invocation_tests {
    use super::*;

    fn argv(args: &[&str]) -> Vec<std::ffi::OsString> {
        args.iter().map(Into::into).collect()
    }

    /// Read without clap, a hook's command line means what clap reads; a
    /// line it is unsure of is left to clap.
    #[test]
    fn a_hook_command_line_reads_as_clap_reads_it() {
        for args in [
            &["trail", "hook", "pre-commit"][..],
            &["trail", "hook", "commit-msg", ".git/COMMIT_EDITMSG"],
            &["trail", "hook", "prepare-commit-msg", ".git/COMMIT_EDITMSG", "message"],
            &["trail", "hook", "pre-push", "origin", "https://example.org/r.git"],
            &["trail", "hook", "post-checkout", "0000", "1111", "1"],
        ] {
            let quick = hook_invocation(argv(args)).expect("a hook line");
            let clap = <cli::Cli as clap::Parser>::try_parse_from(argv(args)).expect("clap");
            assert_eq!(format!("{quick:?}"), format!("{clap:?}"), "{args:?}");
        }
        for args in [
            &["trail", "hook"][..],
            &["trail", "hook", "no-such-hook"],
            &["trail", "hook", "pre-commit", "--help"],
            &["trail", "-q", "hook", "pre-commit"],
            &["trail", "log"],
        ] {
            assert!(hook_invocation(argv(args)).is_none(), "{args:?}");
        }
    }
}
