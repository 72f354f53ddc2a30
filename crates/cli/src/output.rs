//! Writing to stdout: buffered, and a closed pipe ends the command quietly.

use std::io::{self, Write};

pub struct Out {
    inner: io::BufWriter<io::StdoutLock<'static>>,
}

impl Out {
    pub fn new() -> Self {
        Out { inner: io::BufWriter::with_capacity(64 * 1024, io::stdout().lock()) }
    }
}

impl Write for Out {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Print a status line for the user (stderr, so stdout stays data).
pub fn say(message: impl std::fmt::Display) {
    to_stderr(format_args!("trail: {message}\n"));
}

/// Write to stderr, ignoring failure: `eprintln!` panics when stderr is a
/// closed pipe (`trail verify 2>&1 | head -1`), and a message nobody can read
/// is no reason to abort.
pub fn to_stderr(text: std::fmt::Arguments<'_>) {
    let _ = io::stderr().lock().write_fmt(text);
}
