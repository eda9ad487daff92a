//! Integer simulated time.
//!
//! Time is milliseconds since the scenario start in a `u64`, never `f64`: float time breaks
//! equality and with it determinism (two events 0.1 + 0.2 apart are not 0.3 apart).

use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// A point in simulated time: milliseconds since the scenario start.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub u64);

/// A span of simulated time in milliseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimDuration(pub u64);

impl SimTime {
    /// The scenario start.
    pub const ZERO: SimTime = SimTime(0);

    /// Milliseconds since the scenario start.
    pub fn as_millis(self) -> u64 {
        self.0
    }

    /// Whole seconds since the scenario start (rounded down).
    pub fn as_secs(self) -> u64 {
        self.0 / 1000
    }

    /// Seconds as a float, for reports only (never for event ordering).
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }

    /// The time span since `earlier`, or zero if `earlier` is later.
    pub fn saturating_since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }
}

impl SimDuration {
    /// No time at all.
    pub const ZERO: SimDuration = SimDuration(0);

    /// A duration of `ms` milliseconds.
    pub const fn from_millis(ms: u64) -> SimDuration {
        SimDuration(ms)
    }

    /// A duration of `s` seconds.
    pub const fn from_secs(s: u64) -> SimDuration {
        SimDuration(s * 1000)
    }

    /// A duration of `m` minutes.
    pub const fn from_mins(m: u64) -> SimDuration {
        SimDuration(m * 60_000)
    }

    /// A duration from float seconds, rounded to the nearest millisecond.
    /// Negative and non-finite inputs become zero: callers sample distributions that can
    /// return such values and a negative latency has no meaning.
    pub fn from_secs_f64(s: f64) -> SimDuration {
        if s.is_finite() && s > 0.0 {
            SimDuration((s * 1000.0).round() as u64)
        } else {
            SimDuration(0)
        }
    }

    /// Milliseconds.
    pub fn as_millis(self) -> u64 {
        self.0
    }

    /// Seconds as a float, for reports only.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }
}

impl Add<SimDuration> for SimTime {
    type Output = SimTime;
    fn add(self, rhs: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(rhs.0))
    }
}

impl AddAssign<SimDuration> for SimTime {
    fn add_assign(&mut self, rhs: SimDuration) {
        self.0 = self.0.saturating_add(rhs.0);
    }
}

impl Sub<SimTime> for SimTime {
    type Output = SimDuration;
    /// Panics in debug builds if `rhs` is later; use [`SimTime::saturating_since`] when that
    /// can happen.
    fn sub(self, rhs: SimTime) -> SimDuration {
        SimDuration(self.0 - rhs.0)
    }
}

impl Add for SimDuration {
    type Output = SimDuration;
    fn add(self, rhs: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_add(rhs.0))
    }
}

impl fmt::Display for SimTime {
    /// `d+hh:mm:ss.mmm`, the format used in event logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0 % 1000;
        let s = self.0 / 1000;
        write!(
            f,
            "{}+{:02}:{:02}:{:02}.{:03}",
            s / 86_400,
            (s / 3600) % 24,
            (s / 60) % 60,
            s % 60,
            ms
        )
    }
}

impl fmt::Display for SimDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 % 1000 == 0 {
            write!(f, "{}s", self.0 / 1000)
        } else {
            write!(f, "{}ms", self.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_day_clock() {
        // 1 day + 1 h + 1 min + 1 s + 5 ms = 90_061_005 ms.
        assert_eq!(SimTime(90_061_005).to_string(), "1+01:01:01.005");
        assert_eq!(SimDuration::from_secs(90).to_string(), "90s");
    }

    #[test]
    fn float_seconds_round_and_clamp() {
        assert_eq!(SimDuration::from_secs_f64(1.2345), SimDuration(1235));
        assert_eq!(SimDuration::from_secs_f64(-3.0), SimDuration(0));
        assert_eq!(SimDuration::from_secs_f64(f64::NAN), SimDuration(0));
    }
}
