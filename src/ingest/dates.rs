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
    if let Some(t) = parse_rfc822_loose(text) {
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

/// RFC 822 dates as feeds really write them: a zone name chrono does not
/// know (`GMT`, `EST`) or none at all, no weekday, a one-digit day, a
/// two-digit year, month names in Portuguese, Spanish, French, German,
/// Italian or Dutch (`Seg, 24 Set 2018 19:18:49 -0300`).
fn parse_rfc822_loose(text: &str) -> Option<NaiveDateTime> {
    let without_weekday = text.split_once(',').map_or(text, |(_, rest)| rest);
    let mut parts = without_weekday.split_whitespace();
    let day: u32 = parts.next()?.parse().ok()?;
    let month = month_number(parts.next()?)?;
    let year: i32 = match parts.next()?.parse().ok()? {
        y @ 0..=49 => 2000 + y,
        y @ 50..=99 => 1900 + y,
        y => y,
    };
    let mut clock = parts.next().unwrap_or("00:00").split(':');
    let hour: u32 = clock.next()?.parse().ok()?;
    let minute: u32 = clock.next()?.parse().ok()?;
    let second: u32 = clock.next().map_or(Some(0), |s| s.parse().ok())?;
    let offset_minutes = match parts.next() {
        None => 0,
        Some(zone) => zone_offset_minutes(zone)?,
    };
    let local = NaiveDate::from_ymd_opt(year, month, day)?.and_hms_opt(hour, minute, second)?;
    Some(local - chrono::Duration::minutes(offset_minutes.into()))
}

/// January is 1; English names and the common European abbreviations.
fn month_number(name: &str) -> Option<u32> {
    const MONTHS: [&[&str]; 12] = [
        &["jan", "ene", "gen", "janv", "jän"],
        &["feb", "fev", "fév", "févr"],
        &["mar", "mär", "mrt", "mars"],
        &["apr", "abr", "avr", "avril"],
        &["may", "mai", "mei", "mag"],
        &["jun", "juin", "giu"],
        &["jul", "juil", "lug"],
        &["aug", "ago", "aoû", "août"],
        &["sep", "set", "sept"],
        &["oct", "out", "okt", "ott"],
        &["nov"],
        &["dec", "dez", "dic", "déc"],
    ];
    let name = name.trim_end_matches('.').to_lowercase();
    let short: String = name.chars().take(3).collect();
    MONTHS
        .iter()
        .position(|names| names.contains(&name.as_str()) || names.contains(&short.as_str()))
        .and_then(|i| u32::try_from(i + 1).ok())
}

/// `+0200`, `-03:00`, `GMT` or a North American zone name, in minutes east.
fn zone_offset_minutes(zone: &str) -> Option<i32> {
    let named = match zone.to_ascii_uppercase().as_str() {
        "GMT" | "UTC" | "UT" | "Z" => Some(0),
        "EST" => Some(-300),
        "EDT" => Some(-240),
        "CST" => Some(-360),
        "CDT" => Some(-300),
        "MST" => Some(-420),
        "MDT" => Some(-360),
        "PST" => Some(-480),
        "PDT" => Some(-420),
        _ => None,
    };
    if named.is_some() {
        return named;
    }
    let (sign, digits) = match zone.as_bytes().first()? {
        b'+' => (1, &zone[1..]),
        b'-' => (-1, &zone[1..]),
        _ => return None,
    };
    let digits = digits.replace(':', "");
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = digits[2..].parse().ok()?;
    Some(sign * (hours * 60 + minutes))
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
    fn loose_rfc822_dates_are_read() {
        assert_eq!(
            iso("Seg, 24 Set 2018 19:18:49 -0300"),
            "2018-09-24T22:18:49"
        );
        assert_eq!(
            iso("mar., 3 déc. 2019 08:00:00 +0100"),
            "2019-12-03T07:00:00"
        );
        assert_eq!(iso("Di, 05 Mär 2024 12:00:00 MEZ"), "");
        assert_eq!(iso("5 Jan 24 10:00 EST"), "2024-01-05T15:00:00");
        assert_eq!(iso("Fri, 05 Jan 2024 10:00:00"), "2024-01-05T10:00:00");
        assert_eq!(iso("Fri, 32 Jan 2024 10:00:00 GMT"), "");
    }

    #[test]
    fn jekyll_file_names_carry_dates() {
        assert!(from_file_name("2023-01-05-hello.md").is_some());
        assert!(from_file_name("hello.md").is_none());
    }
}
