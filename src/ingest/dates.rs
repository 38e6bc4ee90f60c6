//! Date parsing for every shape sources write: RFC 3339, RFC 2822, Jekyll's
//! `2023-01-05 10:00:00 +0000`, zone-less date-times and bare dates. All
//! results are UTC; a time without a zone is taken as UTC.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime};

/// Zoned formats tried after RFC 3339 and RFC 2822.
const ZONED: &[&str] = &[
    "%Y-%m-%d %H:%M:%S %z",
    "%Y-%m-%d %H:%M %z",
    "%Y-%m-%dT%H:%M:%S%.f%z",
    "%Y-%m-%d %H:%M:%S%.f%:z",
];

/// Zone-less formats, read as UTC.
const NAIVE: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
];

/// Parses a date or date-time; `None` when no known shape matches.
pub fn parse(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim().trim_matches('"');
    if text.is_empty() {
        return None;
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.naive_utc());
    }
    if let Ok(t) = DateTime::parse_from_rfc2822(text) {
        return Some(t.naive_utc());
    }
    if let Some(t) = parse_rfc822_named_zone(text) {
        return Some(t);
    }
    for format in ZONED {
        if let Ok(t) = DateTime::parse_from_str(text, format) {
            return Some(t.naive_utc());
        }
    }
    for format in NAIVE {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Some(t);
        }
    }
    let date_part = text.get(..10).unwrap_or(text);
    NaiveDate::parse_from_str(date_part, "%Y-%m-%d")
        .ok()
        .map(|d| d.and_time(NaiveTime::MIN))
}

/// RFC 822 dates with zone names chrono does not know (`GMT`, `UTC`, `Z`)
/// or a missing weekday.
fn parse_rfc822_named_zone(text: &str) -> Option<NaiveDateTime> {
    let without_weekday = text.split_once(", ").map_or(text, |(_, rest)| rest);
    let (stamp, zone) = without_weekday.rsplit_once(' ')?;
    if !matches!(zone, "GMT" | "UTC" | "UT" | "Z") {
        return None;
    }
    NaiveDateTime::parse_from_str(stamp, "%d %b %Y %H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(stamp, "%d %b %Y %H:%M"))
        .ok()
}

/// The `YYYY-MM-DD` prefix of a Jekyll post file name, as a date.
pub fn from_file_name(name: &str) -> Option<NaiveDateTime> {
    let prefix = name.get(..11)?;
    if !prefix.ends_with('-') {
        return None;
    }
    NaiveDate::parse_from_str(&prefix[..10], "%Y-%m-%d")
        .ok()
        .map(|d| d.and_time(NaiveTime::MIN))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(text: &str) -> String {
        parse(text)
            .map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string())
            .unwrap_or_default()
    }

    #[test]
    fn reads_every_shape_feeds_use() {
        assert_eq!(iso("2023-01-05T10:00:00+01:00"), "2023-01-05T09:00:00");
        assert_eq!(
            iso("Thu, 05 Jan 2023 10:00:00 +0000"),
            "2023-01-05T10:00:00"
        );
        assert_eq!(iso("Thu, 05 Jan 2023 10:00:00 GMT"), "2023-01-05T10:00:00");
        assert_eq!(iso("2023-01-05 10:00:00 +0000"), "2023-01-05T10:00:00");
        assert_eq!(iso("2026-02-04T21:00:21.001"), "2026-02-04T21:00:21");
        assert_eq!(iso("2023-01-05"), "2023-01-05T00:00:00");
        assert_eq!(iso("not a date"), "");
    }

    #[test]
    fn jekyll_file_names_carry_dates() {
        assert!(from_file_name("2023-01-05-hello.md").is_some());
        assert!(from_file_name("hello.md").is_none());
    }
}
