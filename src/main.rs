//! The `trail` binary: everything lives in `trail-cli`; this file only hands over.

// sled copies tree nodes on every insert and gix allocates per object: with
// glibc's allocator a 50k-commit import spent a quarter of its time in
// malloc/free. mimalloc (as ripgrep uses jemalloc, for the same reason) cut that.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    trail_cli::main()
}
