//! `--since` / `--until`: RFC 3339, a bare date, or an English phrase ("2 days ago").

use chrono::{NaiveDate, TimeZone, Utc};
use trail_journal::Timestamp;

use crate::error::CommandError;

/// Whether a bare date means the start or the end of that day: `--since DAY`
/// includes the whole day from its start, `--until DAY` up to its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    Start,
    End,
}

pub fn parse(
    flag: &str,
    text: &str,
    now: chrono::DateTime<Utc>,
    bound: Bound,
) -> Result<Timestamp, CommandError> {
    let trimmed = text.trim();
    if let Some(t) = Timestamp::parse(trimmed) {
        return Ok(t);
    }
    if let Ok(date) = NaiveDate::parse_from_str(trimmed, "%Y-%m-%d") {
        let at = match bound {
            Bound::Start => date.and_hms_opt(0, 0, 0).expect("midnight exists"),
            Bound::End => date.and_hms_nano_opt(23, 59, 59, 999_999_999).expect("valid time"),
        };
        return Ok(Timestamp(Utc.from_utc_datetime(&at)));
    }
    if let Some(t) = ago(trimmed, now) {
        return Ok(Timestamp(t));
    }
    interim::parse_date_string(trimmed, now, interim::Dialect::Uk).map(Timestamp).map_err(|_| {
        CommandError::usage(format!("cannot read {flag} {text:?} as a time"))
            .hint("give RFC 3339 (2026-11-26T10:00:00Z), a date (2026-11-26) or a phrase such as \"2 days ago\"")
    })
}

/// "N unit(s) ago", for any N (interim reads at most four digits).
fn ago(text: &str, now: chrono::DateTime<Utc>) -> Option<chrono::DateTime<Utc>> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let [n, unit, "ago"] = words.as_slice() else { return None };
    let n: u32 = n.parse().ok()?;
    let unit = unit.to_ascii_lowercase();
    let unit = unit.strip_suffix('s').unwrap_or(&unit);
    let seconds = |per: i64| {
        now.checked_sub_signed(chrono::TimeDelta::try_seconds(per.checked_mul(i64::from(n))?)?)
    };
    match unit {
        "sec" | "second" => seconds(1),
        "min" | "minute" => seconds(60),
        "hour" => seconds(3600),
        "day" => seconds(86_400),
        "week" => seconds(7 * 86_400),
        "month" => now.checked_sub_months(chrono::Months::new(n)),
        "year" => now.checked_sub_months(chrono::Months::new(n.checked_mul(12)?)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_three_forms() {
        let now = Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).single().expect("valid");
        let t = |s| parse("--since", s, now, Bound::Start).expect(s).to_rfc3339();
        assert_eq!(t("2026-11-20T10:00:00+02:00"), "2026-11-20T08:00:00.000000000Z");
        assert_eq!(t("2026-11-20"), "2026-11-20T00:00:00.000000000Z");
        assert_eq!(t("2 days ago"), "2026-11-24T12:00:00.000000000Z");
        assert_eq!(t("1 week ago"), "2026-11-19T12:00:00.000000000Z");
        assert_eq!(t("3 months ago"), "2026-08-26T12:00:00.000000000Z");
        // interim reads at most four digits; trail reads any count.
        assert_eq!(t("100000 days ago"), "1753-02-10T12:00:00.000000000Z");
        assert!(parse("--since", "the day after never", now, Bound::Start).is_err());
        assert!(parse("--since", "99999999999 years ago", now, Bound::Start).is_err());
        let end = parse("--until", "2026-11-20", now, Bound::End).expect("a date");
        assert_eq!(end.to_rfc3339(), "2026-11-20T23:59:59.999999999Z");
    }
}
