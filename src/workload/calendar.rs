//! A minimal proleptic Gregorian calendar for dated traces: parsing `YYYY-MM-DD HH:MM:SS`
//! timestamps into milliseconds since 1970-01-01 00:00:00 and printing them back.
//!
//! It knows no time zone: a trace's timestamps are read on the trace's own clock (UTC for
//! WorldCup98, unstated for the Azure trace) and only differences between them matter.
//! Leap seconds do not exist here (second 60 is rejected), as in every trace we read.
//! Years 0001 to 9999 are accepted; their millisecond counts fit an `i64` comfortably.

/// Milliseconds in a day.
const MS_PER_DAY: i64 = 86_400_000;

/// Days from 0001-01-01 to 1970-01-01: 1969 years of 365 days plus 477 leap days
/// (1969/4 − 1969/100 + 1969/400 = 492 − 19 + 4).
const DAYS_FROM_YEAR_1_TO_1970: i64 = 719_162;

/// Days before the first of each month in a common year.
const DAYS_BEFORE_MONTH: [i64; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

/// True if `year` has a 29 February.
pub(crate) fn is_leap_year(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Days in `month` (1–12) of `year`.
pub(crate) fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to `year-month-day` (negative before 1970).
/// The date must be valid (see [`days_in_month`]); `year` ≥ 1.
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    debug_assert!(year >= 1 && (1..=12).contains(&month));
    debug_assert!(day >= 1 && day <= days_in_month(year, month));
    let past_years = year - 1;
    let days_before_year = 365 * past_years + past_years / 4 - past_years / 100 + past_years / 400;
    let mut day_of_year = DAYS_BEFORE_MONTH[month as usize - 1] + i64::from(day) - 1;
    if month > 2 && is_leap_year(year) {
        day_of_year += 1;
    }
    days_before_year + day_of_year - DAYS_FROM_YEAR_1_TO_1970
}

/// The date `(year, month, day)` that is `days` days after 1970-01-01; the inverse of
/// [`days_from_civil`].
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    // Estimate the year from the mean year length, then correct by whole years.
    let mut year = 1970 + days.div_euclid(365);
    while days_from_civil(year, 1, 1) > days {
        year -= 1;
    }
    while days_from_civil(year + 1, 1, 1) <= days {
        year += 1;
    }
    let mut left = days - days_from_civil(year, 1, 1);
    let mut month = 1;
    loop {
        let len = i64::from(days_in_month(year, month));
        if left < len {
            break;
        }
        left -= len;
        month += 1;
    }
    // `left` is now below the month's length, at most 30.
    (year, month, left as u32 + 1)
}

/// Parses exactly `width` ASCII digits.
fn digits(s: &[u8], width: usize) -> Option<u32> {
    if s.len() != width || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(s.iter().fold(0, |v, b| v * 10 + u32::from(b - b'0')))
}

/// Parses `YYYY-MM-DD HH:MM:SS`, followed by `.` and 1 to `max_fraction_digits` digits when
/// that is above 0, into milliseconds since 1970-01-01 00:00:00.
/// Digits below the millisecond are dropped (the result is rounded down).
/// Returns `None` for anything else, including dates that do not exist (1998-02-30),
/// hour 24, second 60, year 0000 and signs or spaces around the fields.
pub(crate) fn parse_timestamp(s: &str, max_fraction_digits: usize) -> Option<i64> {
    let (main, fraction) = match s.split_once('.') {
        Some((m, f)) => (m, Some(f)),
        None => (s, None),
    };
    let b = main.as_bytes();
    if b.len() != 19
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b' '
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let year = i64::from(digits(&b[0..4], 4)?);
    let month = digits(&b[5..7], 2)?;
    let day = digits(&b[8..10], 2)?;
    let hour = digits(&b[11..13], 2)?;
    let minute = digits(&b[14..16], 2)?;
    let second = digits(&b[17..19], 2)?;
    if year < 1
        || !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let mut millis = 0;
    if let Some(f) = fraction {
        let f = f.as_bytes();
        if f.is_empty() || f.len() > max_fraction_digits || !f.iter().all(u8::is_ascii_digit) {
            return None;
        }
        // The first three digits are the milliseconds; later ones are dropped.
        for i in 0..3 {
            millis = millis * 10 + f.get(i).map_or(0, |d| i64::from(d - b'0'));
        }
    }
    let seconds_of_day = i64::from(hour * 3600 + minute * 60 + second);
    Some(days_from_civil(year, month, day) * MS_PER_DAY + seconds_of_day * 1000 + millis)
}

/// Prints milliseconds since 1970-01-01 as `YYYY-MM-DD HH:MM:SS`, with `.mmm` appended when
/// the milliseconds are not zero.
pub(crate) fn format_timestamp(ms: i64) -> String {
    let (year, month, day) = civil_from_days(ms.div_euclid(MS_PER_DAY));
    let in_day = ms.rem_euclid(MS_PER_DAY);
    let seconds = in_day / 1000;
    let millis = in_day % 1000;
    let mut text = format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        seconds / 3600,
        (seconds / 60) % 60,
        seconds % 60
    );
    if millis != 0 {
        text.push_str(&format!(".{millis:03}"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        // 2000-03-01: 30 years of which 7 leap (72..96) → 10,957 days to 2000-01-01,
        // then 31 + 29 days of January and February 2000.
        assert_eq!(days_from_civil(2000, 3, 1), 10_957 + 60);
        // 1998-04-30 00:00 UTC is 893,894,400 s after the epoch = 10,346 days.
        assert_eq!(days_from_civil(1998, 4, 30), 10_346);
        assert_eq!(days_from_civil(1, 1, 1), -719_162);
    }

    #[test]
    fn civil_round_trips_over_many_years() {
        // Every day from 1599-12-25 to 2400-03-05, which crosses 1700, 1900 (not leap),
        // 2000 (leap) and 2100.
        let first = days_from_civil(1599, 12, 25);
        let last = days_from_civil(2400, 3, 5);
        let mut expected = (1599, 12, 25);
        for d in first..=last {
            let got = civil_from_days(d);
            assert_eq!(got, expected, "day {d}");
            assert_eq!(days_from_civil(got.0, got.1, got.2), d);
            // Advance `expected` by one day by hand.
            let (y, m, dd) = expected;
            expected = if dd < days_in_month(y, m) {
                (y, m, dd + 1)
            } else if m < 12 {
                (y, m + 1, 1)
            } else {
                (y + 1, 1, 1)
            };
        }
    }

    #[test]
    fn timestamps_parse_to_unix_milliseconds() {
        // date -u -d '1998-04-30 21:30:00' +%s → 893971800.
        assert_eq!(
            parse_timestamp("1998-04-30 21:30:00", 0),
            Some(893_971_800_000)
        );
        // Fractions are cut to the millisecond.
        assert_eq!(
            parse_timestamp("2023-11-16 18:17:03.9799600", 7),
            Some(1_700_158_623_979)
        );
        assert_eq!(
            parse_timestamp("2023-11-16 18:17:03.5", 7),
            Some(1_700_158_623_500)
        );
        assert_eq!(
            parse_timestamp("2000-02-29 00:00:00", 0),
            Some(951_782_400_000)
        );
        assert_eq!(parse_timestamp("1969-12-31 23:59:59", 0), Some(-1000));
    }

    #[test]
    fn invalid_timestamps_are_rejected() {
        for bad in [
            "1998-02-30 00:00:00",
            "1900-02-29 00:00:00",
            "1998-04-31 12:00:00",
            "1998-13-01 00:00:00",
            "1998-00-10 00:00:00",
            "1998-01-00 00:00:00",
            "1998-01-01 24:00:00",
            "1998-01-01 23:60:00",
            "1998-01-01 23:59:60",
            "0000-01-01 00:00:00",
            "1998-1-01 00:00:00",
            "1998-01-01T00:00:00",
            "1998-01-01 00:00:00 ",
            " 1998-01-01 00:00:00",
            "1998-01-01 00:00",
            "+998-01-01 00:00:00",
            "1998-01-01 00:00:00.",
            "1998-01-01 00:00:00.12345678",
            "1998-01-01 00:00:00.1a",
            "",
        ] {
            assert_eq!(parse_timestamp(bad, 7), None, "{bad:?}");
        }
        // No fraction allowed when the format has none.
        assert_eq!(parse_timestamp("1998-01-01 00:00:00.5", 0), None);
    }

    #[test]
    fn timestamps_print_back() {
        assert_eq!(format_timestamp(893_971_800_000), "1998-04-30 21:30:00");
        assert_eq!(
            format_timestamp(1_700_158_623_979),
            "2023-11-16 18:17:03.979"
        );
        assert_eq!(format_timestamp(-1000), "1969-12-31 23:59:59");
    }
}
