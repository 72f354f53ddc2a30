//! The time forms people give `git log --since`, for trail's `--since`,
//! `--until` and `--at` (the CLI turns a `None` into a usage error).
//!
//! Read, in this order: `@SECONDS` (since the epoch, UTC); RFC 3339; RFC 2822
//! (`Mon, 07 Dec 2026 14:13:11 +0000`); git's default date format (`Mon Dec 7
//! 14:13:11 2026 +0000`); ISO 8601 dates and times with a `T` or a space,
//! seconds and fractions optional, with or without a zone (`Z`, `UTC`, `GMT`,
//! `+0200`, `+02:00`); a bare date; `now`, `midnight`, `noon`, `today`,
//! `yesterday`; `N unit(s) ago` (also `N.unit.ago`, as git writes it); and
//! what `interim` reads besides.
//!
//! A time without a zone, `midnight`, `noon` and `today` are read in the zone
//! trail shows times in: UTC, or the local zone (`TZ`) with `--local`. git
//! reads them in the local zone; with `TZ` unset or UTC the two agree.
//!
//! The upper bound (`--until`, `restore --at`) of a time given to the second
//! means the end of that second (a record at 14:13:11.4 is "at 14:13:11", as
//! tables show it); to the minute, the end of that minute; a bare date, the
//! end of that day. The lower bound is the start of each.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeDelta, TimeZone, Utc};

use crate::Timestamp;

/// Whether a time given to a whole unit (a day, a minute, a second) means its
/// start or its end: `--since DAY` includes the whole day from its start,
/// `--until DAY` up to its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    Start,
    End,
}

/// How much of a time was given: the span that `Bound::End` runs to the end of.
#[derive(Debug, Clone, Copy)]
enum Precision {
    Exact,
    Second,
    Minute,
    Day,
}

/// `text` as an instant, read at `now` (for `yesterday`, `2 days ago`), as
/// the start or end of what it names (`bound`); times without a zone in the
/// local zone when `local`, else UTC. `None`: not a time trail reads.
pub fn parse(text: &str, now: DateTime<Utc>, bound: Bound, local: bool) -> Option<DateTime<Utc>> {
    let trimmed = text.trim();
    let (at, precision) = absolute(trimmed, local)
        .or_else(|| named(trimmed, now, local).map(|t| (t, Precision::Exact)))
        .or_else(|| ago(trimmed, now).map(|t| (t, Precision::Exact)))
        .or_else(|| {
            interim::parse_date_string(trimmed, now, interim::Dialect::Uk)
                .ok()
                .map(|t| (t, Precision::Exact))
        })?;
    let span = match precision {
        Precision::Exact => return Some(at),
        Precision::Second => TimeDelta::seconds(1),
        Precision::Minute => TimeDelta::minutes(1),
        Precision::Day => TimeDelta::days(1),
    };
    match bound {
        Bound::Start => Some(at),
        Bound::End => at.checked_add_signed(span - TimeDelta::nanoseconds(1)),
    }
}

/// The forms that name one instant (or one second, minute or day).
fn absolute(text: &str, local: bool) -> Option<(DateTime<Utc>, Precision)> {
    if let Some(seconds) = text.strip_prefix('@') {
        // git allows a zone after the seconds; the instant does not depend on it.
        let seconds = seconds.split_whitespace().next()?;
        let at = DateTime::from_timestamp(seconds.parse().ok()?, 0)?;
        return Some((at, Precision::Second));
    }
    if let Some(t) = Timestamp::parse(text) {
        return Some((t.0, precision_of(text)));
    }
    if let Ok(t) = DateTime::parse_from_rfc2822(text) {
        return Some((t.with_timezone(&Utc), Precision::Second));
    }
    let (rest, zone) = split_zone(text);
    // git's default format: `Mon Dec 7 14:13:11 2026 +0000`.
    for format in ["%a %b %e %H:%M:%S %Y", "%b %e %H:%M:%S %Y"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(rest, format) {
            return Some((in_zone(naive, zone, local)?, Precision::Second));
        }
    }
    for (format, precision) in [
        ("%Y-%m-%dT%H:%M:%S%.f", None),
        ("%Y-%m-%d %H:%M:%S%.f", None),
        ("%Y-%m-%dT%H:%M", Some(Precision::Minute)),
        ("%Y-%m-%d %H:%M", Some(Precision::Minute)),
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(rest, format) {
            let precision = precision.unwrap_or_else(|| precision_of(rest));
            return Some((in_zone(naive, zone, local)?, precision));
        }
    }
    if let Ok(date) = NaiveDate::parse_from_str(rest, "%Y-%m-%d") {
        let start = date.and_hms_opt(0, 0, 0)?;
        // A bare date is a UTC day unless a zone or --local says otherwise.
        let zone = zone.or(if local { None } else { Some(FixedOffset::east_opt(0)?) });
        return Some((in_zone(start, zone, local)?, Precision::Day));
    }
    None
}

/// Whether the seconds of a parsed time carried a fraction: `Exact`, else `Second`.
fn precision_of(text: &str) -> Precision {
    let time = text.rsplit(['T', 't', ' ']).next().unwrap_or(text);
    if time.contains('.') { Precision::Exact } else { Precision::Second }
}

/// `text` without a trailing zone (`Z`, `UTC`, `GMT`, `+0200`, `+02:00`,
/// `+02`), and that zone.
fn split_zone(text: &str) -> (&str, Option<FixedOffset>) {
    let utc = FixedOffset::east_opt(0);
    for suffix in [" UTC", " GMT", " utc", " gmt", "Z", "z", " Z"] {
        if let Some(rest) = text.strip_suffix(suffix)
            && rest.bytes().last().is_some_and(|b| b.is_ascii_digit())
        {
            return (rest.trim_end(), utc);
        }
    }
    // A sign followed by 2 or 4 digits (with an optional colon), after a
    // time: never the `-DD` that ends a date.
    let bytes = text.as_bytes();
    for len in [6, 5, 3] {
        if bytes.len() <= len + 4 {
            continue;
        }
        let at = bytes.len() - len;
        let (head, tail) = text.split_at(at);
        let sign = match tail.as_bytes()[0] {
            b'+' => 1,
            b'-' => -1,
            _ => continue,
        };
        let digits: String = tail[1..].chars().filter(|c| *c != ':').collect();
        let colon_ok = len != 6 || tail.as_bytes()[3] == b':';
        if !colon_ok || !digits.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let (hours, minutes) = match digits.len() {
            4 => (digits[..2].parse::<i32>().ok(), digits[2..].parse::<i32>().ok()),
            2 => (digits.parse::<i32>().ok(), Some(0)),
            _ => continue,
        };
        // After a time (`…:SS`), not the day of a date (`2026-12-07`).
        let head_trimmed = head.trim_end();
        if !head_trimmed.contains(':') {
            continue;
        }
        if let (Some(h), Some(m)) = (hours, minutes)
            && let Some(offset) = FixedOffset::east_opt(sign * (h * 3600 + m * 60))
        {
            return (head_trimmed, Some(offset));
        }
    }
    (text, None)
}

/// `naive` in `zone`, or without one in the display zone: UTC, or local with `--local`.
fn in_zone(naive: NaiveDateTime, zone: Option<FixedOffset>, local: bool) -> Option<DateTime<Utc>> {
    match zone {
        Some(zone) => zone.from_local_datetime(&naive).single().map(|t| t.with_timezone(&Utc)),
        None if local => {
            chrono::Local.from_local_datetime(&naive).earliest().map(|t| t.with_timezone(&Utc))
        }
        None => Some(Utc.from_utc_datetime(&naive)),
    }
}

/// `now`, `today` and `midnight` (the start of today), `noon` (the last
/// noon: today's from 12:00 on, else yesterday's, as git), `yesterday` (24
/// hours ago, as git), in the display zone.
fn named(text: &str, now: DateTime<Utc>, local: bool) -> Option<DateTime<Utc>> {
    let today = |hour: u32| -> Option<DateTime<Utc>> {
        let date =
            if local { now.with_timezone(&chrono::Local).date_naive() } else { now.date_naive() };
        in_zone(date.and_hms_opt(hour, 0, 0)?, None, local)
    };
    match text.to_ascii_lowercase().as_str() {
        "now" => Some(now),
        "today" | "midnight" | "today midnight" | "midnight today" => today(0),
        "noon" | "today noon" => {
            let noon = today(12)?;
            if noon > now { noon.checked_sub_signed(TimeDelta::days(1)) } else { Some(noon) }
        }
        "yesterday" => now.checked_sub_signed(TimeDelta::days(1)),
        "yesterday midnight" | "midnight yesterday" => {
            today(0)?.checked_sub_signed(TimeDelta::days(1))
        }
        "yesterday noon" | "noon yesterday" => today(12)?.checked_sub_signed(TimeDelta::days(1)),
        _ => None,
    }
}

/// "N unit(s) ago" for any N (interim reads at most four digits); the words
/// may be joined by dots as git allows (`2.days.ago`).
fn ago(text: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == '.' || c == '_')
        .filter(|w| !w.is_empty())
        .collect();
    let [n, unit, ago] = words.as_slice() else { return None };
    if !ago.eq_ignore_ascii_case("ago") {
        return None;
    }
    let n: u32 = n.parse().ok()?;
    let unit = unit.to_ascii_lowercase();
    let unit = unit.strip_suffix('s').unwrap_or(&unit);
    let seconds =
        |per: i64| now.checked_sub_signed(TimeDelta::try_seconds(per.checked_mul(i64::from(n))?)?);
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

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 26, 9, 30, 0).single().expect("valid")
    }

    fn t(s: &str) -> String {
        parse(s, now(), Bound::Start, false)
            .expect(s)
            .to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
    }

    fn end(s: &str) -> String {
        parse(s, now(), Bound::End, false)
            .expect(s)
            .to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
    }

    #[test]
    fn reads_the_forms() {
        assert_eq!(t("2026-11-20T10:00:00+02:00"), "2026-11-20T08:00:00.000000000Z");
        assert_eq!(t("2026-11-20"), "2026-11-20T00:00:00.000000000Z");
        assert_eq!(t("2 days ago"), "2026-11-24T09:30:00.000000000Z");
        assert_eq!(t("2.days.ago"), "2026-11-24T09:30:00.000000000Z");
        assert_eq!(t("3.hours.ago"), "2026-11-26T06:30:00.000000000Z");
        assert_eq!(t("1 week ago"), "2026-11-19T09:30:00.000000000Z");
        assert_eq!(t("3 months ago"), "2026-08-26T09:30:00.000000000Z");
        // interim reads at most four digits; trail reads any count.
        assert_eq!(t("100000 days ago"), "1753-02-10T09:30:00.000000000Z");
        assert_eq!(t("@1700000000"), "2023-11-14T22:13:20.000000000Z");
        assert_eq!(t("@1700000000 +0200"), "2023-11-14T22:13:20.000000000Z");
        assert_eq!(t("midnight"), "2026-11-26T00:00:00.000000000Z");
        assert_eq!(t("noon"), "2026-11-25T12:00:00.000000000Z", "before noon: yesterday's");
        assert_eq!(t("yesterday"), "2026-11-25T09:30:00.000000000Z");
        assert_eq!(t("Mon Dec 7 14:13:11 2026 +0000"), "2026-12-07T14:13:11.000000000Z");
        assert_eq!(t("Mon Dec 7 14:13:11 2026 +0200"), "2026-12-07T12:13:11.000000000Z");
        assert_eq!(t("Mon, 07 Dec 2026 14:13:11 -0100"), "2026-12-07T15:13:11.000000000Z");
        assert_eq!(t("2026-12-07 14:13:11"), "2026-12-07T14:13:11.000000000Z");
        assert_eq!(t("2026-12-07T14:13:11"), "2026-12-07T14:13:11.000000000Z");
        assert_eq!(t("2026-12-07 14:13:11 UTC"), "2026-12-07T14:13:11.000000000Z");
        assert_eq!(t("2026-12-07 14:13:11 +0200"), "2026-12-07T12:13:11.000000000Z");
        assert_eq!(t("2026-12-07T14:13:11+0200"), "2026-12-07T12:13:11.000000000Z");
        assert_eq!(t("2026-12-07 14:13 -05:00"), "2026-12-07T19:13:00.000000000Z");
        assert_eq!(t("2026-12-07T14:13:11Z"), "2026-12-07T14:13:11.000000000Z");
        assert!(parse("the day after never", now(), Bound::Start, false).is_none());
        assert!(parse("99999999999 years ago", now(), Bound::Start, false).is_none());
    }

    #[test]
    fn an_upper_bound_runs_to_the_end_of_what_was_given() {
        assert_eq!(end("2026-11-20"), "2026-11-20T23:59:59.999999999Z");
        assert_eq!(end("2026-12-07 14:13:11"), "2026-12-07T14:13:11.999999999Z");
        assert_eq!(end("2026-12-07T14:13:11Z"), "2026-12-07T14:13:11.999999999Z");
        assert_eq!(end("2026-12-07 14:13"), "2026-12-07T14:13:59.999999999Z");
        assert_eq!(end("2026-12-07T14:13:11.250Z"), "2026-12-07T14:13:11.250000000Z");
        assert_eq!(end("2 days ago"), "2026-11-24T09:30:00.000000000Z");
    }
}
