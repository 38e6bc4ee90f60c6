//! Reading a `Retry-After` header: a number of seconds, or an HTTP date
//! (RFC 9110 §10.2.3) turned into a wait from now. Only the IMF-fixdate form
//! of dates is read (`Sun, 06 Nov 1994 08:49:37 GMT`), the one servers have
//! had to send since 1999; an unreadable value counts as absent, so the
//! caller falls back to its own backoff.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long the server asks us to wait, as of `now`. A date in the past
/// means no wait.
pub(super) fn parse(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return value.parse().ok().map(Duration::from_secs);
    }
    let when = http_date(value)?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Parses an IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`.
fn http_date(value: &str) -> Option<SystemTime> {
    let mut fields = value.split_ascii_whitespace();
    let _weekday = fields.next().filter(|w| w.ends_with(','))?;
    let day: u32 = fields.next()?.parse().ok()?;
    let month = month_number(fields.next()?)?;
    let year: i64 = fields.next()?.parse().ok()?;
    let mut clock = fields.next()?.split(':').map(|n| n.parse::<u64>().ok());
    let (hour, minute, second) = (clock.next()??, clock.next()??, clock.next()??);
    if fields.next() != Some("GMT") || fields.next().is_some() || clock.next().is_some() {
        return None;
    }
    if !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let days = u64::try_from(days_from_civil(year, month, day)).ok()?;
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second;
    UNIX_EPOCH.checked_add(Duration::from_secs(seconds))
}

fn month_number(name: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let index = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(name))?;
    u32::try_from(index + 1).ok()
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil` algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_seconds() {
        assert_eq!(
            parse(" 120 ", SystemTime::now()),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse("0", SystemTime::now()), Some(Duration::ZERO));
        assert_eq!(parse("-5", SystemTime::now()), None);
        assert_eq!(parse("", SystemTime::now()), None);
    }

    #[test]
    fn reads_dates_relative_to_now() {
        let date = "Sun, 06 Nov 1994 08:49:37 GMT";
        let then = UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(http_date(date), Some(then));
        let now = then - Duration::from_secs(90);
        assert_eq!(parse(date, now), Some(Duration::from_secs(90)));
        assert_eq!(
            parse(date, then + Duration::from_secs(5)),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn knows_leap_years() {
        let date = "Thu, 29 Feb 2024 00:00:00 GMT";
        assert_eq!(
            http_date(date),
            Some(UNIX_EPOCH + Duration::from_secs(1_709_164_800))
        );
    }

    #[test]
    fn refuses_other_date_forms() {
        assert_eq!(http_date("Sunday, 06-Nov-94 08:49:37 GMT"), None);
        assert_eq!(http_date("Sun Nov  6 08:49:37 1994"), None);
        assert_eq!(http_date("Sun, 06 Nov 1994 08:49:37 CET"), None);
        assert_eq!(http_date("Sun, 06 Nov 1994 25:49:37 GMT"), None);
    }
}
