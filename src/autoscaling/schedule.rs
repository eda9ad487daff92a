//! Schedules of scheduled scaling actions: `at(…)`, `rate(…)` and `cron(…)` expressions.
//!
//! Parses the three forms Application Auto Scaling accepts and answers "when does it fire
//! next after this instant". Times are Unix seconds in UTC; the calendar arithmetic
//! (days from a civil date and back) is written here so that no date crate is needed.
//!
//! Not supported, and rejected with a message rather than misread: time zones (every
//! schedule is UTC), cron's `L`, `W` and `#`, the optional seconds field, and ranges that
//! wrap around (`FRI-MON`). What an action does when it fires lives in [`super::service`].
//!
//! Rules: ecs-reference §6.4 (\[DOC\] AAS-UG-2023 `application-auto-scaling-scheduled-
//! scaling.md`, `scheduled-scaling-using-cron-expressions.md`).

use std::fmt;

use crate::engine::SimDuration;

/// \[DOC\] ecs-reference §6.4: the finest resolution of a schedule is one minute; cron
/// expressions fire at whole minutes and `rate` counts whole minutes.
pub const SCHEDULE_RESOLUTION: SimDuration = SimDuration::from_secs(60);

/// \[DOC\] AAS-UG-2023 `scheduled-scaling-using-cron-expressions.md` (cited in ecs-reference
/// §6.4): the Year field of a cron expression takes 1970–2199.
pub const CRON_YEAR_MIN: i64 = 1970;

/// \[DOC\] AAS-UG-2023 `scheduled-scaling-using-cron-expressions.md`: last year a cron
/// expression can name.
pub const CRON_YEAR_MAX: i64 = 2199;

const SECS_PER_DAY: i64 = 86_400;

/// When a scheduled action runs.
#[derive(Clone, Debug, PartialEq)]
pub enum Schedule {
    /// Once, at this Unix time (seconds, UTC).
    At(i64),
    /// Every period, counted from the start of the run; the first firing is one period after
    /// the start. Only whole seconds count.
    Rate(SimDuration),
    /// At every minute matching the expression.
    Cron(CronExpr),
}

impl Schedule {
    /// Parses `at(yyyy-mm-ddThh:mm:ss)`, `rate(value unit)` or
    /// `cron(Minutes Hours Day-of-month Month Day-of-week Year)`; the error says what was
    /// expected.
    pub fn parse(text: &str) -> Result<Schedule, String> {
        let t = text.trim();
        if let Some(inner) = strip_call(t, "at") {
            parse_at(inner?).map(Schedule::At)
        } else if let Some(inner) = strip_call(t, "rate") {
            parse_rate(inner?).map(Schedule::Rate)
        } else if let Some(inner) = strip_call(t, "cron") {
            CronExpr::parse(inner?).map(Schedule::Cron)
        } else {
            Err(format!(
                "expected at(yyyy-mm-ddThh:mm:ss), rate(value unit) or cron(Minutes Hours \
                 Day-of-month Month Day-of-week Year), got {t:?}"
            ))
        }
    }

    /// The first firing strictly after `after_unix_s`; `first_unix_s` is the start of the
    /// run, from which `rate` schedules count. `None` when it never fires again.
    pub fn next_after(&self, after_unix_s: i64, first_unix_s: i64) -> Option<i64> {
        match self {
            Schedule::At(t) => (*t > after_unix_s).then_some(*t),
            Schedule::Rate(period) => {
                let p = i64::try_from(period.as_millis() / 1000).ok()?;
                if p == 0 {
                    return None;
                }
                // Firings are first + k × p for k ≥ 1.
                let k = if after_unix_s < first_unix_s + p {
                    1
                } else {
                    (after_unix_s - first_unix_s).div_euclid(p) + 1
                };
                first_unix_s.checked_add(k.checked_mul(p)?)
            }
            Schedule::Cron(c) => c.next_after(after_unix_s),
        }
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Schedule::At(t) => write!(f, "at({})", format_utc(*t)),
            Schedule::Rate(d) => {
                let ms = d.as_millis();
                let (n, unit) = if ms % 86_400_000 == 0 {
                    (ms / 86_400_000, "day")
                } else if ms % 3_600_000 == 0 {
                    (ms / 3_600_000, "hour")
                } else if ms % 60_000 == 0 {
                    (ms / 60_000, "minute")
                } else {
                    return write!(f, "rate({d})");
                };
                let plural = if n == 1 { "" } else { "s" };
                write!(f, "rate({n} {unit}{plural})")
            }
            Schedule::Cron(c) => write!(f, "cron({})", c.text),
        }
    }
}

/// `name(inner)` → `Some(Ok(inner))`; `name(` without the closing parenthesis → an error;
/// anything else → `None`.
fn strip_call<'a>(t: &'a str, name: &str) -> Option<Result<&'a str, String>> {
    let rest = t.strip_prefix(name)?.strip_prefix('(')?;
    Some(
        rest.strip_suffix(')')
            .map(str::trim)
            .ok_or_else(|| format!("expected {name}(…) to end with ')', got {t:?}")),
    )
}

/// `yyyy-mm-ddThh:mm:ss` (UTC) → Unix seconds.
fn parse_at(s: &str) -> Result<i64, String> {
    let expected = || format!("expected at(yyyy-mm-ddThh:mm:ss) in UTC, got at({s})");
    let b = s.as_bytes();
    if b.len() != 19
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return Err(expected());
    }
    let num = |from: usize, to: usize| -> Result<i64, String> {
        let part = &s[from..to];
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse::<i64>().map_err(|_| expected())
        } else {
            Err(expected())
        }
    };
    let (y, mo, d) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (h, mi, sec) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    if !(1..=12).contains(&mo) {
        return Err(format!("at({s}): expected a month 01-12"));
    }
    let dim = i64::from(days_in_month(y, mo as u32));
    if !(1..=dim).contains(&d) {
        return Err(format!("at({s}): expected a day 01-{dim} for that month"));
    }
    if h > 23 || mi > 59 || sec > 59 {
        return Err(format!(
            "at({s}): expected a time 00:00:00-23:59:59 (UTC; time zones are not supported)"
        ));
    }
    Ok(days_from_civil(y, mo as u32, d as u32) * SECS_PER_DAY + h * 3600 + mi * 60 + sec)
}

/// `value unit` → the period.
fn parse_rate(s: &str) -> Result<SimDuration, String> {
    let mut parts = s.split_whitespace();
    let (Some(value), Some(unit), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(format!(
            "expected rate(value unit), e.g. rate(5 minutes), got rate({s})"
        ));
    };
    let n: u64 = Some(value)
        .filter(|v| v.bytes().all(|c| c.is_ascii_digit()))
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("rate({s}): expected a positive whole number, got {value:?}"))?;
    let (secs, singular) = match unit {
        "minute" => (60, true),
        "minutes" => (60, false),
        "hour" => (3600, true),
        "hours" => (3600, false),
        "day" => (86_400, true),
        "days" => (86_400, false),
        _ => {
            return Err(format!(
                "rate({s}): expected the unit minute(s), hour(s) or day(s), got {unit:?}"
            ))
        }
    };
    // [DOC] AAS-UG-2023 `application-auto-scaling-scheduled-scaling.md`: a value of 1 takes
    // the singular unit, any other value the plural.
    if singular != (n == 1) {
        return Err(format!(
            "rate({s}): expected a singular unit with 1 (rate(1 minute)) and a plural unit \
             otherwise (rate(5 minutes))"
        ));
    }
    n.checked_mul(secs)
        .filter(|&t| t <= u64::MAX / 1000)
        .map(SimDuration::from_secs)
        .ok_or_else(|| format!("rate({s}): expected a shorter period"))
}

/// A set of small integers (a cron field's allowed values), stored as bits `value − min` in
/// `W` words: one word for every field but the year, which needs 230 bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FieldSet<const W: usize> {
    min: u32,
    bits: [u64; W],
}

impl<const W: usize> FieldSet<W> {
    const CAPACITY: u32 = 64 * W as u32;

    fn empty(min: u32) -> FieldSet<W> {
        FieldSet { min, bits: [0; W] }
    }

    fn insert(&mut self, v: u32) {
        let i = v - self.min;
        assert!(
            i < Self::CAPACITY,
            "cron field value {v} beyond its bit set"
        );
        self.bits[(i / 64) as usize] |= 1 << (i % 64);
    }

    fn contains(&self, v: u32) -> bool {
        match v.checked_sub(self.min) {
            Some(i) if i < Self::CAPACITY => self.bits[(i / 64) as usize] & (1 << (i % 64)) != 0,
            _ => false,
        }
    }

    /// The smallest member ≥ `v`.
    fn next_from(&self, v: u32) -> Option<u32> {
        let mut i = v.saturating_sub(self.min);
        while i < Self::CAPACITY {
            let word = self.bits[(i / 64) as usize] >> (i % 64);
            if word != 0 {
                return Some(self.min + i + word.trailing_zeros());
            }
            i = (i / 64 + 1) * 64;
        }
        None
    }
}

/// How one cron field is read.
struct FieldSpec {
    name: &'static str,
    min: u32,
    max: u32,
    names: &'static [&'static str],
    allows_question_mark: bool,
}

const MINUTES: FieldSpec = FieldSpec {
    name: "minutes",
    min: 0,
    max: 59,
    names: &[],
    allows_question_mark: false,
};
const HOURS: FieldSpec = FieldSpec {
    name: "hours",
    min: 0,
    max: 23,
    names: &[],
    allows_question_mark: false,
};
const DAY_OF_MONTH: FieldSpec = FieldSpec {
    name: "day-of-month",
    min: 1,
    max: 31,
    names: &[],
    allows_question_mark: true,
};
const MONTH: FieldSpec = FieldSpec {
    name: "month",
    min: 1,
    max: 12,
    names: &[
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
    ],
    allows_question_mark: false,
};
/// \[DOC\] AAS-UG-2023 `scheduled-scaling-using-cron-expressions.md`: day-of-week 1–7 with
/// 1 = SUN.
const DAY_OF_WEEK: FieldSpec = FieldSpec {
    name: "day-of-week",
    min: 1,
    max: 7,
    names: &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
    allows_question_mark: true,
};
const YEAR: FieldSpec = FieldSpec {
    name: "year",
    min: CRON_YEAR_MIN as u32,
    max: CRON_YEAR_MAX as u32,
    names: &[],
    allows_question_mark: false,
};

impl FieldSpec {
    /// A field: `*`, `?` (where allowed; `Ok(None)`), or a comma list of values, ranges
    /// `a-b` and increments `*/n`, `a/n`, `a-b/n`.
    fn parse<const W: usize>(&self, text: &str) -> Result<Option<FieldSet<W>>, String> {
        let name = self.name;
        if text == "?" {
            return if self.allows_question_mark {
                Ok(None)
            } else {
                Err(format!(
                    "{name}: ? is only allowed in day-of-month and day-of-week"
                ))
            };
        }
        let mut set = FieldSet::empty(self.min);
        for item in text.split(',') {
            if item.is_empty() {
                return Err(format!("{name}: empty item in the list {text:?}"));
            }
            let (range, step) = match item.split_once('/') {
                Some((r, s)) => {
                    let step = s.parse::<u32>().ok().filter(|&n| n > 0).ok_or_else(|| {
                        format!("{name}: expected a positive increment after '/', got {s:?}")
                    })?;
                    (r, Some(step))
                }
                None => (item, None),
            };
            let (lo, hi) = if range == "*" {
                (self.min, self.max)
            } else if let Some((a, b)) = range.split_once('-') {
                let (lo, hi) = (self.value(a)?, self.value(b)?);
                if lo > hi {
                    return Err(format!(
                        "{name}: range {range} runs backwards (ranges that wrap around are not \
                         supported)"
                    ));
                }
                (lo, hi)
            } else {
                let v = self.value(range)?;
                // `a/n` runs from a to the end of the field.
                (v, if step.is_some() { self.max } else { v })
            };
            for v in (lo..=hi).step_by(step.unwrap_or(1) as usize) {
                set.insert(v);
            }
        }
        Ok(Some(set))
    }

    /// A field where `?` is not allowed.
    fn parse_required<const W: usize>(&self, text: &str) -> Result<FieldSet<W>, String> {
        self.parse(text)?
            .ok_or_else(|| format!("{}: ? is not allowed", self.name))
    }

    fn value(&self, token: &str) -> Result<u32, String> {
        let name = self.name;
        let upper = token.to_ascii_uppercase();
        if let Some(i) = self.names.iter().position(|n| *n == upper) {
            return Ok(self.min + i as u32);
        }
        if !token.is_empty() && token.bytes().all(|c| c.is_ascii_digit()) {
            let v: u32 = token.parse().unwrap_or(u32::MAX);
            return if (self.min..=self.max).contains(&v) {
                Ok(v)
            } else {
                Err(format!(
                    "{name}: {token} is out of range {}-{}",
                    self.min, self.max
                ))
            };
        }
        if upper.contains('#') {
            Err(format!(
                "{name}: # (nth day of the month) is not supported, got {token:?}"
            ))
        } else if upper.contains('L') {
            Err(format!("{name}: L (last) is not supported, got {token:?}"))
        } else if upper.contains('W') {
            Err(format!(
                "{name}: W (nearest weekday) is not supported, got {token:?}"
            ))
        } else if token == "?" {
            Err(format!("{name}: ? must be the whole field"))
        } else {
            let names = match (self.names.first(), self.names.last()) {
                (Some(a), Some(b)) => format!(" or a name {a}-{b}"),
                _ => String::new(),
            };
            Err(format!(
                "{name}: expected a number {}-{}{names}, got {token:?}",
                self.min, self.max
            ))
        }
    }
}

/// A parsed cron expression (six fields, UTC).
#[derive(Clone, Debug, PartialEq)]
pub struct CronExpr {
    minutes: FieldSet<1>,
    hours: FieldSet<1>,
    /// `None` for `?`.
    days_of_month: Option<FieldSet<1>>,
    months: FieldSet<1>,
    /// `None` for `?`; values 1–7 with 1 = Sunday.
    days_of_week: Option<FieldSet<1>>,
    years: FieldSet<4>,
    text: String,
}

impl CronExpr {
    /// Parses the six fields inside `cron(…)`.
    pub fn parse(fields: &str) -> Result<CronExpr, String> {
        let parts: Vec<&str> = fields.split_whitespace().collect();
        if parts.len() != 6 {
            let seconds = if parts.len() == 7 {
                "; a seconds field is not supported"
            } else {
                ""
            };
            return Err(format!(
                "expected 6 cron fields (Minutes Hours Day-of-month Month Day-of-week Year), got \
                 {}{seconds}",
                parts.len()
            ));
        }
        let minutes = MINUTES.parse_required(parts[0])?;
        let hours = HOURS.parse_required(parts[1])?;
        let days_of_month = DAY_OF_MONTH.parse(parts[2])?;
        let months = MONTH.parse_required(parts[3])?;
        let days_of_week = DAY_OF_WEEK.parse(parts[4])?;
        let years = YEAR.parse_required(parts[5])?;
        // [DOC] AAS-UG-2023 cron expressions: day-of-month and day-of-week cannot both be
        // given; one of them must be `?`. [UNCERTAIN] whether AWS accepts `?` in both; we
        // reject it, since it would leave the day unspecified.
        match (&days_of_month, &days_of_week) {
            (Some(_), Some(_)) => {
                return Err(
                    "expected ? in day-of-month or day-of-week: the two cannot both be given"
                        .to_string(),
                )
            }
            (None, None) => {
                return Err(
                    "expected ? in only one of day-of-month and day-of-week, got ? in both"
                        .to_string(),
                )
            }
            _ => {}
        }
        Ok(CronExpr {
            minutes,
            hours,
            days_of_month,
            months,
            days_of_week,
            years,
            text: parts.join(" "),
        })
    }

    /// True when the minute starting at `unix_s` (which must be a whole minute) matches.
    pub fn matches(&self, unix_s: i64) -> bool {
        if unix_s.rem_euclid(60) != 0 {
            return false;
        }
        let days = unix_s.div_euclid(SECS_PER_DAY);
        let secs = unix_s.rem_euclid(SECS_PER_DAY);
        let (y, m, d) = civil_from_days(days);
        self.year_ok(y)
            && self.months.contains(m)
            && self.day_ok(y, m, d)
            && self.hours.contains((secs / 3600) as u32)
            && self.minutes.contains((secs % 3600 / 60) as u32)
    }

    fn year_ok(&self, y: i64) -> bool {
        (CRON_YEAR_MIN..=CRON_YEAR_MAX).contains(&y) && self.years.contains(y as u32)
    }

    fn day_ok(&self, y: i64, m: u32, d: u32) -> bool {
        d <= days_in_month(y, m)
            && self.days_of_month.map_or(true, |s| s.contains(d))
            && self
                .days_of_week
                .map_or(true, |s| s.contains(weekday(days_from_civil(y, m, d))))
    }

    /// The first matching minute strictly after `after_unix_s`, or `None` (past the last
    /// cron year, or a date that never exists such as 30 February).
    ///
    /// Walks the calendar field by field, jumping to the next allowed year, month, day, hour
    /// and minute instead of scanning minutes: a few hundred steps at most for any
    /// expression, a few thousand for one that never fires.
    pub fn next_after(&self, after_unix_s: i64) -> Option<i64> {
        let start = after_unix_s.div_euclid(60).checked_add(1)? * 60;
        let (mut y, mut mo, mut d) = civil_from_days(start.div_euclid(SECS_PER_DAY));
        let secs = start.rem_euclid(SECS_PER_DAY);
        let (mut h, mut mi) = ((secs / 3600) as u32, (secs % 3600 / 60) as u32);
        if y < CRON_YEAR_MIN {
            (y, mo, d, h, mi) = (CRON_YEAR_MIN, 1, 1, 0, 0);
        }
        loop {
            if y > CRON_YEAR_MAX {
                return None;
            }
            // Year.
            let ny = i64::from(self.years.next_from(y as u32)?);
            if ny != y {
                (y, mo, d, h, mi) = (ny, 1, 1, 0, 0);
                continue;
            }
            // Month.
            match self.months.next_from(mo) {
                Some(nm) if nm == mo => {}
                Some(nm) => {
                    (mo, d, h, mi) = (nm, 1, 0, 0);
                    continue;
                }
                None => {
                    (y, mo, d, h, mi) = (y + 1, 1, 1, 0, 0);
                    continue;
                }
            }
            // Day.
            let dim = days_in_month(y, mo);
            match (d..=dim).find(|&dd| self.day_ok(y, mo, dd)) {
                Some(nd) if nd == d => {}
                Some(nd) => {
                    (d, h, mi) = (nd, 0, 0);
                    continue;
                }
                None => {
                    (y, mo) = next_month(y, mo);
                    (d, h, mi) = (1, 0, 0);
                    continue;
                }
            }
            // Hour.
            match self.hours.next_from(h).filter(|&nh| nh <= 23) {
                Some(nh) if nh == h => {}
                Some(nh) => {
                    (h, mi) = (nh, 0);
                    continue;
                }
                None => {
                    (y, mo, d) = next_day(y, mo, d);
                    (h, mi) = (0, 0);
                    continue;
                }
            }
            // Minute.
            match self.minutes.next_from(mi).filter(|&nm| nm <= 59) {
                Some(nm) => {
                    return Some(
                        days_from_civil(y, mo, d) * SECS_PER_DAY
                            + i64::from(h) * 3600
                            + i64::from(nm) * 60,
                    )
                }
                None if h < 23 => (h, mi) = (h + 1, 0),
                None => {
                    (y, mo, d) = next_day(y, mo, d);
                    (h, mi) = (0, 0);
                }
            }
        }
    }
}

fn next_month(y: i64, m: u32) -> (i64, u32) {
    if m == 12 {
        (y + 1, 1)
    } else {
        (y, m + 1)
    }
}

fn next_day(y: i64, m: u32, d: u32) -> (i64, u32, u32) {
    if d < days_in_month(y, m) {
        (y, m, d + 1)
    } else {
        let (y, m) = next_month(y, m);
        (y, m, 1)
    }
}

/// True for Gregorian leap years.
pub fn is_leap_year(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// Days in month `m` (1–12) of year `y`.
pub fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap_year(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Leap years in `[1, y)`, extended to all integers (proleptic Gregorian calendar).
fn leap_years_before(y: i64) -> i64 {
    let p = y - 1;
    p.div_euclid(4) - p.div_euclid(100) + p.div_euclid(400)
}

/// Days before the first of month `m` in a year.
fn days_before_month(y: i64, m: u32) -> i64 {
    const CUMULATIVE: [i64; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    CUMULATIVE[(m - 1) as usize] + i64::from(m > 2 && is_leap_year(y))
}

/// Days from 1970-01-01 to the civil date `y-m-d` (negative before 1970).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    365 * (y - 1970) + leap_years_before(y) - leap_years_before(1970)
        + days_before_month(y, m)
        + i64::from(d)
        - 1
}

/// The civil date `(year, month, day)` of a day counted from 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    // 146 097 days per 400 years gives the year to within one; correct it.
    let mut y = 1970 + (days * 400).div_euclid(146_097);
    while days_from_civil(y, 1, 1) > days {
        y -= 1;
    }
    while days_from_civil(y + 1, 1, 1) <= days {
        y += 1;
    }
    let day_of_year = days - days_from_civil(y, 1, 1);
    let mut m = 12;
    while days_before_month(y, m) > day_of_year {
        m -= 1;
    }
    (y, m, (day_of_year - days_before_month(y, m)) as u32 + 1)
}

/// Day of the week in AWS cron numbering, 1 = Sunday … 7 = Saturday (1970-01-01 was a
/// Thursday, 5).
pub fn weekday(days: i64) -> u32 {
    ((days + 4).rem_euclid(7) + 1) as u32
}

/// Unix seconds as `yyyy-mm-ddThh:mm:ss` (UTC).
pub fn format_utc(unix_s: i64) -> String {
    let (y, m, d) = civil_from_days(unix_s.div_euclid(SECS_PER_DAY));
    let s = unix_s.rem_euclid(SECS_PER_DAY);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        s / 3600,
        s % 3600 / 60,
        s % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Unix seconds of a UTC date and time.
    fn utc(y: i64, mo: u32, d: u32, h: i64, mi: i64) -> i64 {
        days_from_civil(y, mo, d) * SECS_PER_DAY + h * 3600 + mi * 60
    }

    fn cron(text: &str) -> Schedule {
        Schedule::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn next(s: &Schedule, after: i64) -> Option<String> {
        s.next_after(after, 0).map(format_utc)
    }

    #[test]
    fn calendar_round_trips() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        // 2000-01-01 is 10 957 days after the epoch; + 31 (Jan) + 29 (Feb 2000) = 11 017.
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        // 2024-01-01 = 19 723; + 31 + 28 → 29 Feb 2024 = 19 782.
        assert_eq!(days_from_civil(2024, 2, 29), 19_782);
        assert_eq!(utc(2024, 2, 29, 0, 0), 1_709_164_800);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        for days in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert!((1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m));
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
        assert!(is_leap_year(2000) && is_leap_year(2024));
        assert!(!is_leap_year(1900) && !is_leap_year(2100) && !is_leap_year(2023));
        // 1970-01-01 was a Thursday (5); 2024-06-03 a Monday (2).
        assert_eq!(weekday(0), 5);
        assert_eq!(weekday(days_from_civil(2024, 6, 3)), 2);
        assert_eq!(
            format_utc(utc(2024, 2, 29, 13, 5) + 7),
            "2024-02-29T13:05:07"
        );
    }

    #[test]
    fn parses_valid_schedules() {
        assert_eq!(
            Schedule::parse("at(2024-02-29T10:30:00)"),
            Ok(Schedule::At(utc(2024, 2, 29, 10, 30)))
        );
        assert_eq!(
            Schedule::parse("rate(1 minute)"),
            Ok(Schedule::Rate(SimDuration::from_mins(1)))
        );
        assert_eq!(
            Schedule::parse(" rate(5 minutes) "),
            Ok(Schedule::Rate(SimDuration::from_mins(5)))
        );
        assert_eq!(
            Schedule::parse("rate(2 hours)"),
            Ok(Schedule::Rate(SimDuration::from_secs(7200)))
        );
        assert_eq!(
            Schedule::parse("rate(1 day)"),
            Ok(Schedule::Rate(SimDuration::from_secs(86_400)))
        );
        for ok in [
            "cron(0 12 * * ? *)",
            "cron(0/15 8-17 ? * MON-FRI *)",
            "cron(0 0 1 JAN,jul ? 2030)",
            "cron(*/10 * ? * 1,7 2024-2026)",
            "cron(0 0 29 2 ? *)",
            "cron(5 4 ? * sun *)",
        ] {
            assert!(Schedule::parse(ok).is_ok(), "{ok}");
        }
        // Display gives back the canonical text.
        assert_eq!(cron("rate(2 hours)").to_string(), "rate(2 hours)");
        assert_eq!(cron("rate(1 minute)").to_string(), "rate(1 minute)");
        assert_eq!(
            cron("cron(0  12 * * ? *)").to_string(),
            "cron(0 12 * * ? *)"
        );
        assert_eq!(
            cron("at(2024-02-29T10:30:00)").to_string(),
            "at(2024-02-29T10:30:00)"
        );
    }

    #[test]
    fn rejects_invalid_schedules() {
        let err = |t: &str| Schedule::parse(t).unwrap_err();
        assert!(err("every day").contains("expected at("));
        assert!(err("rate(5 minutes").contains("end with ')'"));
        assert!(err("rate(1 minutes)").contains("singular unit with 1"));
        assert!(err("rate(5 minute)").contains("plural unit"));
        assert!(err("rate(0 minutes)").contains("positive whole number"));
        assert!(err("rate(-5 minutes)").contains("positive whole number"));
        assert!(err("rate(+5 minutes)").contains("positive whole number"));
        assert!(err("rate(1.5 hours)").contains("positive whole number"));
        assert!(err("rate(5 weeks)").contains("minute(s), hour(s) or day(s)"));
        assert!(err("rate(5)").contains("rate(value unit)"));
        assert!(err("at(2023-02-29T00:00:00)").contains("day 01-28"));
        assert!(err("at(2024-13-01T00:00:00)").contains("month 01-12"));
        assert!(err("at(2024-01-01T24:00:00)").contains("time zones are not supported"));
        assert!(err("at(2024-01-01 00:00:00)").contains("yyyy-mm-ddThh:mm:ss"));
        assert!(err("cron(0 12 * * ?)").contains("expected 6 cron fields"));
        assert!(err("cron(0 0 12 * * ? *)").contains("seconds field is not supported"));
        assert!(err("cron(0 12 * * MON *)").contains("cannot both be given"));
        assert!(err("cron(0 12 ? * ? *)").contains("got ? in both"));
        assert!(err("cron(0 12 L * ? *)").contains("L (last) is not supported"));
        assert!(err("cron(0 12 15W * ? *)").contains("W (nearest weekday) is not supported"));
        assert!(err("cron(0 12 ? * 6L *)").contains("L (last) is not supported"));
        assert!(err("cron(0 12 ? * 2#1 *)").contains("# (nth day of the month) is not supported"));
        assert!(err("cron(60 12 * * ? *)").contains("minutes: 60 is out of range 0-59"));
        assert!(err("cron(0 12 * * ? 2200)").contains("out of range 1970-2199"));
        assert!(err("cron(0 12 ? * 8 *)").contains("out of range 1-7"));
        assert!(err("cron(0 12 ? * FRI-MON *)").contains("runs backwards"));
        assert!(err("cron(0/0 12 * * ? *)").contains("positive increment"));
        assert!(err("cron(0 12 * FOO ? *)").contains("or a name JAN-DEC"));
        assert!(err("cron(? 12 * * ? *)").contains("only allowed in day-of-month"));
        assert!(err("cron(0,,5 12 * * ? *)").contains("empty item"));
    }

    #[test]
    fn cron_leap_day_fires_only_in_leap_years() {
        let s = cron("cron(0 0 29 2 ? *)");
        assert_eq!(
            next(&s, utc(2023, 1, 1, 0, 0)).as_deref(),
            Some("2024-02-29T00:00:00")
        );
        assert_eq!(
            next(&s, utc(2024, 2, 29, 0, 0)).as_deref(),
            Some("2028-02-29T00:00:00")
        );
        // 2100 is not a leap year: 2096 → 2104.
        assert_eq!(
            next(&s, utc(2096, 3, 1, 0, 0)).as_deref(),
            Some("2104-02-29T00:00:00")
        );
    }

    #[test]
    fn cron_crosses_month_and_year_ends() {
        // The 31st skips 30-day months.
        let s = cron("cron(30 23 31 * ? *)");
        assert_eq!(
            next(&s, utc(2024, 4, 1, 0, 0)).as_deref(),
            Some("2024-05-31T23:30:00")
        );
        // New year.
        let s = cron("cron(0 0 1 1 ? *)");
        assert_eq!(
            next(&s, utc(2024, 12, 31, 23, 59)).as_deref(),
            Some("2025-01-01T00:00:00")
        );
        // Last minute of the year, asked from one minute before.
        let s = cron("cron(59 23 31 12 ? *)");
        assert_eq!(
            next(&s, utc(2024, 12, 31, 23, 58)).as_deref(),
            Some("2024-12-31T23:59:00")
        );
        assert_eq!(
            next(&s, utc(2024, 12, 31, 23, 59)).as_deref(),
            Some("2025-12-31T23:59:00")
        );
        // Every minute: the next whole minute, strictly after.
        let s = cron("cron(* * * * ? *)");
        assert_eq!(
            s.next_after(utc(2024, 1, 1, 0, 0), 0),
            Some(utc(2024, 1, 1, 0, 1))
        );
        assert_eq!(
            s.next_after(utc(2024, 1, 1, 0, 0) + 59, 0),
            Some(utc(2024, 1, 1, 0, 1))
        );
    }

    #[test]
    fn cron_days_of_week_steps_and_years() {
        // Weekdays at 09:00: Friday 2024-05-31 09:00 → Monday 2024-06-03 09:00.
        let s = cron("cron(0 9 ? * MON-FRI *)");
        assert_eq!(
            next(&s, utc(2024, 5, 31, 9, 0)).as_deref(),
            Some("2024-06-03T09:00:00")
        );
        // Sunday is 1.
        let s = cron("cron(0 9 ? * 1 *)");
        assert_eq!(
            next(&s, utc(2024, 5, 31, 9, 0)).as_deref(),
            Some("2024-06-02T09:00:00")
        );
        // Every 15 minutes from 8 to 17 h: 17:45 is the last of the day.
        let s = cron("cron(0/15 8-17 ? * * *)");
        assert_eq!(
            next(&s, utc(2024, 5, 31, 17, 30)).as_deref(),
            Some("2024-05-31T17:45:00")
        );
        assert_eq!(
            next(&s, utc(2024, 5, 31, 17, 45)).as_deref(),
            Some("2024-06-01T08:00:00")
        );
        // A year list ends: nothing after the last one.
        let s = cron("cron(0 0 1 1 ? 2025)");
        assert_eq!(
            next(&s, utc(2024, 6, 1, 0, 0)).as_deref(),
            Some("2025-01-01T00:00:00")
        );
        assert_eq!(next(&s, utc(2025, 1, 1, 0, 0)), None);
        // A date that never exists ends the search at the last cron year.
        assert_eq!(next(&cron("cron(0 0 30 2 ? *)"), 0), None);
        // Before 1970 the search starts at the first cron year.
        assert_eq!(
            next(&cron("cron(0 0 1 1 ? *)"), -1_000_000_000).as_deref(),
            Some("1970-01-01T00:00:00")
        );
        // Past 2199 there is nothing.
        assert_eq!(
            next(&cron("cron(* * * * ? *)"), utc(2200, 1, 1, 0, 0)),
            None
        );
    }

    #[test]
    fn cron_next_after_agrees_with_a_minute_scan() {
        // The field-skipping search against a brute-force scan over 2 months around a leap
        // February, for expressions that exercise every field.
        let exprs = [
            "cron(0/7 */5 ? * MON,WED,SAT *)",
            "cron(15 3 1,15,29 * ? *)",
            "cron(59 23 ? FEB-MAR 6-7 2024)",
        ];
        let from = utc(2024, 1, 25, 0, 0);
        for e in exprs {
            let Schedule::Cron(c) = cron(e) else {
                unreachable!()
            };
            let mut t = from;
            for _ in 0..40 {
                let want = (1..=200_000)
                    .map(|k| t / 60 * 60 + 60 * k)
                    .find(|&u| c.matches(u));
                let got = c.next_after(t);
                assert_eq!(got, want, "{e} after {}", format_utc(t));
                match got {
                    Some(g) => t = g + 17,
                    None => break,
                }
            }
        }
    }

    #[test]
    fn rate_counts_from_the_start_of_the_run() {
        let s = Schedule::Rate(SimDuration::from_mins(5));
        let start = 1_000;
        // First firing one period after the start.
        assert_eq!(s.next_after(start, start), Some(1_300));
        assert_eq!(s.next_after(start - 500, start), Some(1_300));
        assert_eq!(s.next_after(1_299, start), Some(1_300));
        assert_eq!(s.next_after(1_300, start), Some(1_600));
        assert_eq!(s.next_after(1_601, start), Some(1_900));
        assert_eq!(Schedule::Rate(SimDuration::ZERO).next_after(0, 0), None);
    }

    #[test]
    fn at_fires_once() {
        let t = utc(2024, 3, 1, 8, 0);
        let s = Schedule::At(t);
        assert_eq!(s.next_after(t - 1, 0), Some(t));
        assert_eq!(s.next_after(t, 0), None);
    }
}
