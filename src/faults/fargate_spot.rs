//! Fargate Spot capacity shortages: windows during which FARGATE_SPOT starts no task.
//!
//! AWS documents that "during periods of extremely high demand, Fargate Spot capacity might be
//! unavailable", that Fargate Spot tasks are then delayed, that "Amazon ECS services retry
//! launching tasks until the required capacity becomes available", and that "Fargate does not
//! replace Spot capacity with on-demand capacity" (Amazon ECS Developer Guide, "Amazon ECS
//! clusters for Fargate", Fargate Spot termination notices,
//! <https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html>).
//! The simulation keeps such tasks in PROVISIONING until the window ends; the capacity
//! provider strategy still sends them to FARGATE_SPOT.
//! Windows are scripted or drawn here ([`RandomShortages`]); either way the simulation works
//! from a list [`merge`]d into disjoint, sorted windows `[start, start + duration)`.
//! It deliberately does not interrupt RUNNING Spot tasks: that is the separate
//! `fargateSpotInterruptions` model.

use crate::distribution::Latency;
use crate::engine::{SimDuration, SimRng, SimTime};

use super::poisson::{next_arrival, validate_rate};

/// Hours per day, to turn a rate per day into the rate per hour the Poisson sampler takes.
const HOURS_PER_DAY: f64 = 24.0;

/// One window of Fargate Spot shortage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShortageWindow {
    /// When FARGATE_SPOT stops starting tasks (inclusive).
    pub start: SimTime,
    /// How long; tasks start again at `start + duration`.
    pub duration: SimDuration,
}

impl ShortageWindow {
    /// The first millisecond Spot capacity is back (saturating).
    pub fn end(&self) -> SimTime {
        self.start + self.duration
    }
}

/// Shortages at random: onsets are a Poisson process at `rate_per_day`, each lasting a draw
/// from `duration`.
#[derive(Clone, Debug, PartialEq)]
pub struct RandomShortages {
    /// Shortage onsets per day (finite, ≥ 0; 0 turns them off).
    pub rate_per_day: f64,
    /// How long each shortage lasts.
    pub duration: Latency,
}

impl RandomShortages {
    /// Checks the rate (finite and ≥ 0).
    pub fn validate(&self) -> Result<(), String> {
        validate_rate(self.rate_per_day).map_err(|e| format!("ratePerDay: {e}"))
    }

    /// Draws the windows with onsets before `horizon`, each onset followed by its duration,
    /// all from `rng` (the [`super::STREAM_FARGATE_SPOT_SHORTAGE`] stream), [`merge`]d.
    pub fn windows(&self, horizon: SimTime, rng: &mut SimRng) -> Vec<ShortageWindow> {
        let rate = self.rate_per_day / HOURS_PER_DAY;
        let mut out = Vec::new();
        let mut t = SimTime::ZERO;
        while let Some(gap) = next_arrival(rate, rng) {
            t += gap;
            if t >= horizon {
                break;
            }
            out.push(ShortageWindow {
                start: t,
                duration: self.duration.sample(rng),
            });
        }
        merge(out)
    }
}

/// Normalises windows: drops empty ones, merges those that overlap or touch, sorts by start.
pub fn merge(mut windows: Vec<ShortageWindow>) -> Vec<ShortageWindow> {
    windows.retain(|w| w.duration > SimDuration::ZERO);
    windows.sort_by_key(|w| w.start);
    let mut out: Vec<ShortageWindow> = Vec::with_capacity(windows.len());
    for w in windows {
        match out.last_mut() {
            Some(last) if w.start <= last.end() => {
                if w.end() > last.end() {
                    last.duration = w.end() - last.start;
                }
            }
            _ => out.push(w),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::RngStreams;

    fn w(start: u64, duration: u64) -> ShortageWindow {
        ShortageWindow {
            start: SimTime(start),
            duration: SimDuration(duration),
        }
    }

    #[test]
    fn merge_joins_overlapping_and_touching_windows() {
        // [300, 400) and [350, 500) overlap → [300, 500); [500, 600) touches → [300, 600);
        // [700, 700) is empty and dropped; [100, 150) stays apart.
        let merged = merge(vec![
            w(300, 100),
            w(700, 0),
            w(350, 150),
            w(500, 100),
            w(100, 50),
        ]);
        assert_eq!(merged, vec![w(100, 50), w(300, 300)]);
    }

    #[test]
    fn random_windows_come_at_the_rate() {
        // 2 per day over 1000 days: about 2000 onsets (Poisson sd ≈ 45), merged windows of
        // 10 minutes rarely touch (mean gap 12 h), so about 2000 windows.
        let r = RandomShortages {
            rate_per_day: 2.0,
            duration: Latency::Fixed(SimDuration::from_mins(10)),
        };
        let mut rng = RngStreams::new(7).named(super::super::STREAM_FARGATE_SPOT_SHORTAGE, 0);
        let ws = r.windows(SimTime(1000 * 86_400_000), &mut rng);
        assert!((1800..2200).contains(&ws.len()), "{}", ws.len());
        assert!(ws.windows(2).all(|p| p[0].end() < p[1].start));
        assert!(r.validate().is_ok());
        let bad = RandomShortages {
            rate_per_day: f64::NAN,
            ..r
        };
        assert!(bad.validate().is_err());
    }
}
