//! Durations as scenarios write them: `"250ms"`, `"90s"`, `"5m"`, `"2h"`, `"7d"`, or a number of
//! seconds.

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use std::fmt;

use crate::engine::SimDuration;

/// A duration read from a scenario. Deserialises from a string with a unit or a number of
/// seconds; anything else is an error that says which forms are accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Duration(pub SimDuration);

/// What a duration too large for the simulator's clock is told.
const TOO_LONG: &str = "durations are counted in milliseconds up to about 584 million years";

const EXPECTED: &str =
    "a duration such as \"250ms\", \"90s\", \"5m\", \"2h\", \"7d\" or a number of seconds";

/// Parses `"90s"`-style text into milliseconds.
pub fn parse_duration(text: &str) -> Result<SimDuration, String> {
    let t = text.trim();
    if let Some(rest) = t.strip_prefix('-') {
        if rest.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
            return Err(format!("negative duration {text:?}; expected {EXPECTED}"));
        }
    }
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let unit_ms: u64 = match unit.trim() {
        "ms" => 1,
        "s" | "" => 1000,
        "m" | "min" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        other => {
            return Err(format!(
                "unknown unit {other:?} in {text:?}; expected {EXPECTED}"
            ))
        }
    };
    if num.is_empty() {
        return Err(format!("no number in {text:?}; expected {EXPECTED}"));
    }
    match millis_from_decimal(num, unit_ms) {
        Some(d) => Ok(d),
        // Well-formed digits that do not fit in milliseconds since the epoch of the run.
        None if num.chars().filter(|&c| c == '.').count() <= 1 && num != "." => {
            Err(format!("{text:?} is too long; {TOO_LONG}"))
        }
        None => Err(format!("{text:?} is not {EXPECTED}")),
    }
}

/// Exact decimal → integer milliseconds: "1.5" × 60 000 without going through `f64`.
fn millis_from_decimal(num: &str, unit_ms: u64) -> Option<SimDuration> {
    let (int_part, frac_part) = match num.split_once('.') {
        Some((i, f)) => (i, f),
        None => (num, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    if frac_part.contains('.') {
        return None;
    }
    let int: u64 = if int_part.is_empty() {
        0
    } else {
        int_part.parse().ok()?
    };
    let mut ms = int.checked_mul(unit_ms)?;
    // Fraction: take up to 9 digits, scale by the unit, round down to the millisecond.
    let digits: String = frac_part.chars().take(9).collect();
    if !digits.is_empty() {
        let frac: u64 = digits.parse().ok()?;
        let scale = 10u64.pow(digits.len() as u32);
        ms = ms.checked_add((u128::from(frac) * u128::from(unit_ms) / u128::from(scale)) as u64)?;
    }
    Some(SimDuration(ms))
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Duration;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(EXPECTED)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Duration, E> {
                v.checked_mul(1000)
                    .map(|ms| Duration(SimDuration(ms)))
                    .ok_or_else(|| E::custom(format!("{v} seconds is too long; {TOO_LONG}")))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Duration, E> {
                if v < 0 {
                    return Err(E::custom(format!(
                        "negative duration {v}; expected {EXPECTED}"
                    )));
                }
                self.visit_u64(v as u64)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Duration, E> {
                if v < 0.0 {
                    return Err(E::custom(format!(
                        "negative duration {v}; expected {EXPECTED}"
                    )));
                }
                // u64::MAX milliseconds, the clock's end; beyond it the conversion would
                // saturate and print as 18446744073709551615ms.
                if !v.is_finite() || v * 1000.0 >= u64::MAX as f64 {
                    return Err(E::custom(format!("{v} seconds is too long; {TOO_LONG}")));
                }
                Ok(Duration(SimDuration::from_secs_f64(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Duration, E> {
                parse_duration(v).map(Duration).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_and_too_long_say_so() {
        let e = parse_duration("-5s").unwrap_err();
        assert!(e.starts_with("negative duration"), "{e}");
        let e = parse_duration("99999999999999999999d").unwrap_err();
        assert!(e.contains("is too long"), "{e}");
        let e = serde_json::from_str::<Duration>("-1.5")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("negative duration -1.5"), "{e}");
        let e = serde_json::from_str::<Duration>("1e30")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("too long") && !e.contains("18446744073709551615"),
            "{e}"
        );
    }

    #[test]
    fn units() {
        assert_eq!(parse_duration("90s"), Ok(SimDuration(90_000)));
        assert_eq!(parse_duration("5m"), Ok(SimDuration(300_000)));
        assert_eq!(parse_duration("2h"), Ok(SimDuration(7_200_000)));
        assert_eq!(parse_duration("7d"), Ok(SimDuration(604_800_000)));
        assert_eq!(parse_duration("250ms"), Ok(SimDuration(250)));
        // 1.5 min = 90 000 ms exactly, no float on the way.
        assert_eq!(parse_duration("1.5m"), Ok(SimDuration(90_000)));
        assert_eq!(parse_duration("12"), Ok(SimDuration(12_000)));
    }

    #[test]
    fn errors_say_what_is_accepted() {
        let e = parse_duration("5 weeks").unwrap_err();
        assert!(e.contains("unknown unit"), "{e}");
        assert!(e.contains("\"90s\""), "{e}");
        assert!(parse_duration("m").is_err());
        assert!(parse_duration("1.2.3s").is_err());
    }

    #[test]
    fn json_forms() {
        let d: Duration = serde_json::from_str("\"2h\"").unwrap();
        assert_eq!(d.0, SimDuration::from_secs(7200));
        let d: Duration = serde_json::from_str("30").unwrap();
        assert_eq!(d.0, SimDuration::from_secs(30));
        let d: Duration = serde_json::from_str("0.5").unwrap();
        assert_eq!(d.0, SimDuration(500));
        assert!(serde_json::from_str::<Duration>("-1").is_err());
        assert!(serde_json::from_str::<Duration>("true").is_err());
    }
}
