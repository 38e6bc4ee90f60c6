//! A note's date as pages show it: `2024-03-05` for machines (lists,
//! `<time>`, search) and `5 March 2024` for people. Every build shows
//! every note's, so they are written by hand, as chrono's `%Y-%m-%d` and
//! `%-d %B %Y` write them: chrono reads its pattern again for each date,
//! which cost a build of 10,000 notes more than 10 ms.

use chrono::{Datelike, NaiveDateTime};

/// Month names as chrono's `%B` writes them.
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A date as `YYYY-MM-DD` and as shown (`5 March 2024`).
pub(super) fn shown(date: Option<NaiveDateTime>) -> (Option<String>, Option<String>) {
    let Some(date) = date else {
        return (None, None);
    };
    let (year, month, day) = (date.year(), date.month(), date.day());
    match MONTHS.get(month.wrapping_sub(1) as usize) {
        // chrono gives a year of more than four digits a sign: it writes those.
        Some(name) if (0..=9999).contains(&year) => (
            Some(format!("{year:04}-{month:02}-{day:02}")),
            Some(format!("{day} {name} {year:04}")),
        ),
        _ => (
            Some(date.format("%Y-%m-%d").to_string()),
            Some(date.format("%-d %B %Y").to_string()),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn dates_read_as_they_always_did() {
        assert_eq!(shown(None), (None, None));
        let date = |y, m, d| {
            NaiveDate::from_ymd_opt(y, m, d)
                .and_then(|d| d.and_hms_opt(23, 5, 0))
                .expect("a date")
        };
        let mut dates = vec![date(2024, 3, 5), date(99, 12, 31), date(0, 1, 1)];
        dates.extend([date(9999, 12, 31), date(10000, 1, 1), date(-44, 3, 15)]);
        dates.extend((1..=12).map(|m| date(2025, m, 28)));
        for d in dates {
            let chrono = (
                Some(d.format("%Y-%m-%d").to_string()),
                Some(d.format("%-d %B %Y").to_string()),
            );
            assert_eq!(shown(Some(d)), chrono, "{d}");
        }
        assert_eq!(
            shown(Some(date(2024, 3, 5))).1.as_deref(),
            Some("5 March 2024")
        );
    }
}
