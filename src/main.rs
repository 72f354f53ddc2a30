//! The `trail` binary: everything lives in `trail-cli`; this file only hands over.

fn main() -> std::process::ExitCode {
    trail_cli::main()
}
