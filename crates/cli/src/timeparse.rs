//! `--since` / `--until`: RFC 3339, a bare date, or an English phrase ("2 days ago").

use chrono::{NaiveDate, TimeZone, Utc};
use trail_journal::Timestamp;

use crate::error::CommandError;

pub fn parse(
    flag: &str,
    text: &str,
    now: chrono::DateTime<Utc>,
) -> Result<Timestamp, CommandError> {
    let trimmed = text.trim();
    if let Some(t) = Timestamp::parse(trimmed) {
        return Ok(t);
    }
    if let Ok(date) = NaiveDate::parse_from_str(trimmed, "%Y-%m-%d") {
        let midnight = date.and_hms_opt(0, 0, 0).expect("midnight exists");
        return Ok(Timestamp(Utc.from_utc_datetime(&midnight)));
    }
    interim::parse_date_string(trimmed, now, interim::Dialect::Uk).map(Timestamp).map_err(|_| {
        CommandError::usage(format!("cannot read {flag} {text:?} as a time"))
            .hint("give RFC 3339 (2026-11-26T10:00:00Z), a date (2026-11-26) or a phrase such as \"2 days ago\"")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_three_forms() {
        let now = Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).single().expect("valid");
        let t = |s| parse("--since", s, now).expect(s).to_rfc3339();
        assert_eq!(t("2026-11-20T10:00:00+02:00"), "2026-11-20T08:00:00.000000000Z");
        assert_eq!(t("2026-11-20"), "2026-11-20T00:00:00.000000000Z");
        assert_eq!(t("2 days ago"), "2026-11-24T12:00:00.000000000Z");
        assert!(parse("--since", "the day after never", now).is_err());
    }
}
