//! Availability Zone outages: windows during which everything in one AZ is lost.
//!
//! Windows come from the scenario (scripted) or from [`RandomAzOutages`]; either way the
//! simulation works from a list [`merge`]d into disjoint, sorted windows. A window covers
//! `[start, start + duration)`: the AZ is down from `start` inclusive and back at the end.

use crate::distribution::Latency;
use crate::engine::{SimDuration, SimRng, SimTime};
use crate::ids::AzId;

use super::poisson::{next_arrival, per_year_to_per_hour, validate_rate};

/// One AZ down for a while.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AzOutageWindow {
    /// The AZ that is down.
    pub az: AzId,
    /// When it goes down (inclusive).
    pub start: SimTime,
    /// How long it stays down; it is back at `start + duration` (exclusive end).
    pub duration: SimDuration,
}

impl AzOutageWindow {
    /// The first millisecond the AZ is back (saturating).
    pub fn end(&self) -> SimTime {
        self.start + self.duration
    }

    /// Whether the window covers `t`: `start ≤ t < end`.
    pub fn covers(&self, t: SimTime) -> bool {
        self.start <= t && t < self.end()
    }
}

/// Outages that strike each AZ independently at random: onsets are a Poisson process at
/// `rate_per_az_year` per AZ, each outage lasting a draw from `duration`.
#[derive(Clone, Debug, PartialEq)]
pub struct RandomAzOutages {
    /// Outage onsets per AZ per year of 365 days (finite, ≥ 0; 0 turns them off).
    pub rate_per_az_year: f64,
    /// How long each outage lasts.
    pub duration: Latency,
}

impl RandomAzOutages {
    /// Checks the rate (finite and ≥ 0).
    pub fn validate(&self) -> Result<(), String> {
        validate_rate(self.rate_per_az_year).map_err(|e| format!("ratePerAzYear: {e}"))
    }

    /// Draws the outage windows of AZs `0..az_count` with onsets before `horizon`.
    ///
    /// AZs are drawn one after the other, each its onsets in time order, and each onset
    /// followed by its duration, all from `rng` (the [`super::STREAM_AZ_OUTAGE`] stream):
    /// adding an AZ at the end leaves the earlier AZs' windows unchanged. Onsets do not wait
    /// for the previous outage to end, so windows in one AZ may overlap; they are merged.
    /// A window may extend past `horizon`. The result is [`merge`]d: sorted by start, then
    /// AZ, with no two windows of one AZ overlapping or touching.
    pub fn windows(&self, az_count: u8, horizon: SimTime, rng: &mut SimRng) -> Vec<AzOutageWindow> {
        let rate = per_year_to_per_hour(self.rate_per_az_year);
        let mut out = Vec::new();
        for az in 0..az_count {
            let mut t = SimTime::ZERO;
            while let Some(gap) = next_arrival(rate, rng) {
                t += gap;
                if t >= horizon {
                    break;
                }
                out.push(AzOutageWindow {
                    az: AzId(az),
                    start: t,
                    duration: self.duration.sample(rng),
                });
            }
        }
        merge(out)
    }
}

/// Normalises windows: drops empty ones, merges windows of the same AZ that overlap or touch
/// (`[a, b)` and `[b, c)` become `[a, c)`), and sorts by start, then AZ.
pub fn merge(mut windows: Vec<AzOutageWindow>) -> Vec<AzOutageWindow> {
    windows.retain(|w| w.duration > SimDuration::ZERO);
    windows.sort_by_key(|w| (w.az, w.start));
    let mut out: Vec<AzOutageWindow> = Vec::with_capacity(windows.len());
    for w in windows {
        match out.last_mut() {
            Some(last) if last.az == w.az && w.start <= last.end() => {
                if w.end() > last.end() {
                    last.duration = w.end() - last.start;
                }
            }
            _ => out.push(w),
        }
    }
    out.sort_by_key(|w| (w.start, w.az));
    out
}

/// Whether `az` is down at `t` under `windows` (any order, merged or not).
pub fn az_down_at(windows: &[AzOutageWindow], az: AzId, t: SimTime) -> bool {
    windows.iter().any(|w| w.az == az && w.covers(t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::RngStreams;
    use crate::faults::STREAM_AZ_OUTAGE;

    fn w(az: u8, start: u64, duration: u64) -> AzOutageWindow {
        AzOutageWindow {
            az: AzId(az),
            start: SimTime(start),
            duration: SimDuration(duration),
        }
    }

    #[test]
    fn down_from_start_inclusive_to_end_exclusive() {
        let ws = [w(1, 100, 50)];
        assert!(!az_down_at(&ws, AzId(1), SimTime(99)));
        assert!(az_down_at(&ws, AzId(1), SimTime(100)));
        assert!(az_down_at(&ws, AzId(1), SimTime(149)));
        assert!(!az_down_at(&ws, AzId(1), SimTime(150)));
        assert!(!az_down_at(&ws, AzId(0), SimTime(120)));
        assert!(!az_down_at(&[], AzId(1), SimTime(120)));
        // An empty window covers nothing, not even its start.
        assert!(!az_down_at(&[w(1, 100, 0)], AzId(1), SimTime(100)));
        // A window running to the end of time saturates instead of overflowing.
        let forever = w(2, 10, u64::MAX);
        assert_eq!(forever.end(), SimTime(u64::MAX));
        assert!(az_down_at(&[forever], AzId(2), SimTime(u64::MAX - 1)));
    }

    #[test]
    fn merge_joins_overlapping_and_touching_windows_of_one_az_only() {
        let merged = merge(vec![
            w(0, 300, 100), // [300, 400)
            w(1, 150, 100), // other AZ, overlaps AZ 0's window in time: kept apart
            w(0, 100, 100), // [100, 200)
            w(0, 200, 50),  // touches [100, 200) → [100, 250)
            w(0, 350, 10),  // inside [300, 400)
            w(0, 390, 40),  // overlaps → [300, 430)
            w(1, 500, 0),   // empty: dropped
            w(2, 100, 5),   // same start as AZ 0: ordered by AZ
        ]);
        assert_eq!(
            merged,
            vec![w(0, 100, 150), w(2, 100, 5), w(1, 150, 100), w(0, 300, 130)]
        );
        // A gap of one millisecond keeps windows apart.
        assert_eq!(
            merge(vec![w(0, 0, 10), w(0, 11, 10)]),
            vec![w(0, 0, 10), w(0, 11, 10)]
        );
        assert_eq!(merge(vec![]), vec![]);
        // Merging is idempotent and keeps az_down_at unchanged.
        let raw = vec![w(0, 0, 10), w(0, 5, 10), w(1, 3, 4), w(0, 40, 1)];
        let once = merge(raw.clone());
        assert_eq!(merge(once.clone()), once);
        for t in 0..50 {
            for az in 0..2 {
                assert_eq!(
                    az_down_at(&raw, AzId(az), SimTime(t)),
                    az_down_at(&once, AzId(az), SimTime(t)),
                    "az {az} t {t}"
                );
            }
        }
    }

    #[test]
    fn random_windows_are_sorted_disjoint_and_before_the_horizon() {
        // 50 outages per AZ-year of 1–3 days over 2 years: many overlaps to merge.
        let model = RandomAzOutages {
            rate_per_az_year: 50.0,
            duration: Latency::Uniform {
                min: SimDuration::from_mins(24 * 60),
                max: SimDuration::from_mins(3 * 24 * 60),
            },
        };
        let horizon = SimTime(2 * 8_760 * 3_600_000);
        let mut rng = RngStreams::new(4).named(STREAM_AZ_OUTAGE, 0);
        let ws = model.windows(3, horizon, &mut rng);
        assert!(!ws.is_empty());
        assert!(ws
            .windows(2)
            .all(|p| (p[0].start, p[0].az) < (p[1].start, p[1].az)));
        for az in 0..3 {
            let mine: Vec<_> = ws.iter().filter(|x| x.az == AzId(az)).collect();
            assert!(!mine.is_empty(), "az {az}");
            assert!(mine.windows(2).all(|p| p[0].end() < p[1].start));
        }
        assert!(ws.iter().all(|x| x.start < horizon && x.az.0 < 3));
        assert_eq!(merge(ws.clone()), ws);
    }

    #[test]
    fn adding_an_az_keeps_the_earlier_azs_windows() {
        let model = RandomAzOutages {
            rate_per_az_year: 3.0,
            duration: Latency::Exponential {
                mean: SimDuration::from_mins(120),
            },
        };
        let horizon = SimTime(10 * 8_760 * 3_600_000);
        let s = RngStreams::new(8);
        let two = model.windows(2, horizon, &mut s.named(STREAM_AZ_OUTAGE, 0));
        let three = model.windows(3, horizon, &mut s.named(STREAM_AZ_OUTAGE, 0));
        let first_two: Vec<_> = three.into_iter().filter(|x| x.az.0 < 2).collect();
        assert_eq!(two, first_two);
    }

    #[test]
    fn zero_rate_or_zero_azs_give_no_windows() {
        let model = RandomAzOutages {
            rate_per_az_year: 0.0,
            duration: Latency::Fixed(SimDuration::from_mins(60)),
        };
        let mut rng = RngStreams::new(1).named(STREAM_AZ_OUTAGE, 0);
        assert!(model.windows(3, SimTime(u64::MAX), &mut rng).is_empty());
        let model = RandomAzOutages {
            rate_per_az_year: 5.0,
            ..model
        };
        assert!(model.windows(0, SimTime(u64::MAX), &mut rng).is_empty());
        assert!(model.windows(3, SimTime::ZERO, &mut rng).is_empty());
    }

    #[test]
    fn validation() {
        let mut m = RandomAzOutages {
            rate_per_az_year: 1.0,
            duration: Latency::Fixed(SimDuration::from_mins(60)),
        };
        assert_eq!(m.validate(), Ok(()));
        for bad in [-1.0, f64::NAN, f64::INFINITY] {
            m.rate_per_az_year = bad;
            assert!(m.validate().is_err(), "{bad}");
        }
    }

    #[test]
    fn outage_onsets_per_az_year_match_the_rate() {
        // 2 onsets per AZ-year, 3 AZs, 1 000 years: expected 6 000 onsets, Poisson sd
        // √6000 ≈ 77.5; bound 4 sd. Outages last 1 h, so a merge (an onset within an hour
        // of the previous one in the same AZ, probability about 2/8 760 per onset, ~1.4
        // expected) barely changes the window count; the bound allows it.
        let model = RandomAzOutages {
            rate_per_az_year: 2.0,
            duration: Latency::Fixed(SimDuration::from_mins(60)),
        };
        let horizon = SimTime(1_000 * 8_760 * 3_600_000);
        let mut rng = RngStreams::new(301).named(STREAM_AZ_OUTAGE, 0);
        let n = model.windows(3, horizon, &mut rng).len() as f64;
        let expected = 2.0 * 3.0 * 1_000.0;
        let sd = f64::sqrt(expected);
        eprintln!(
            "az outages: {n} windows, expected {expected} ± 4 × {sd:.1}, z {:.2}",
            (n - expected) / sd
        );
        assert!((n - expected).abs() <= 4.0 * sd, "{n}");
    }
}
