//! `--since` / `--until` / `--at`: the CLI's side of
//! [`trail_journal::timeparse`] (which forms are read, and what a bound
//! means, is documented there): the zone trail shows times in, and the
//! error a person reads.

use chrono::{DateTime, Utc};
use trail_journal::Timestamp;
pub use trail_journal::timeparse::Bound;

use crate::error::CommandError;

pub fn parse(
    flag: &str,
    text: &str,
    now: DateTime<Utc>,
    bound: Bound,
) -> Result<Timestamp, CommandError> {
    trail_journal::timeparse::parse(text, now, bound, crate::output::local())
        .map(Timestamp)
        .ok_or_else(|| {
            CommandError::usage(format!("cannot read {flag} {text:?} as a time")).hint(
                "give RFC 3339 (2026-11-26T10:00:00Z), a date and time (2026-11-26 10:00, \
             UTC or +0200 after it), @SECONDS, git's date format, or a phrase such as \
             \"2 days ago\", \"yesterday\" or \"midnight\"",
            )
        })
}
