//! Faults that arrive at a constant rate: a Poisson process, sampled one gap at a time.
//!
//! Used for EC2 Spot interruptions (per instance-hour), Fargate Spot interruptions and task
//! crashes (per task-hour), and random AZ outages (per AZ per year, converted with
//! [`per_year_to_per_hour`]). The caller keeps one process per exposed unit: after an
//! instance starts (or a task reaches RUNNING) it draws [`next_arrival`] and schedules the
//! fault that long after; because the exponential is memoryless, a unit that survives needs
//! no redraw, and a replacement unit simply draws its own.

use crate::engine::{SimDuration, SimRng};

use super::{duration_from_ms, unit_open_closed};

/// Hours in a year of 365 days, the usual convention for annual failure rates.
pub const HOURS_PER_YEAR: f64 = 8_760.0;

const MS_PER_HOUR: f64 = 3_600_000.0;

/// The time to the next arrival of a Poisson process with `rate_per_hour` events per hour:
/// exponential with mean `1 / rate`, drawn by inverse CDF (`−ln u / rate`, `u` in (0, 1]),
/// rounded to whole milliseconds and saturated at [`SAMPLE_CAP`](super::SAMPLE_CAP).
///
/// `None` (and no draw) for a rate of 0, or one that is negative or NaN, which
/// [`validate_rate`] rejects: the event never happens. An infinite rate gives zero every
/// time; validation rejects it too, since a caller looping on arrivals would never advance.
pub fn next_arrival(rate_per_hour: f64, rng: &mut SimRng) -> Option<SimDuration> {
    if rate_per_hour.is_nan() || rate_per_hour <= 0.0 {
        return None;
    }
    let e = -unit_open_closed(rng).ln();
    Some(duration_from_ms(e / rate_per_hour * MS_PER_HOUR))
}

/// Converts a rate per year (e.g. AZ outages per AZ per year) to a rate per hour, with a
/// year of [`HOURS_PER_YEAR`].
pub fn per_year_to_per_hour(per_year: f64) -> f64 {
    per_year / HOURS_PER_YEAR
}

/// Checks a rate: finite and ≥ 0 (0 turns the fault off).
pub fn validate_rate(rate: f64) -> Result<(), String> {
    if rate.is_finite() && rate >= 0.0 {
        Ok(())
    } else {
        Err(format!("rate must be a finite number ≥ 0, got {rate}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::RngStreams;
    use crate::faults::{SAMPLE_CAP, STREAM_EC2_SPOT_INTERRUPTION, STREAM_TASK_CRASH};
    use rand::Rng;

    #[test]
    fn zero_and_invalid_rates_never_arrive_and_draw_nothing() {
        let s = RngStreams::new(1);
        let mut r = s.named(STREAM_TASK_CRASH, 0);
        for rate in [0.0, -0.0, -1.0, f64::NAN] {
            assert_eq!(next_arrival(rate, &mut r), None);
        }
        let untouched: u64 = s.named(STREAM_TASK_CRASH, 0).gen();
        assert_eq!(r.gen::<u64>(), untouched);
    }

    #[test]
    fn extreme_rates_saturate() {
        let mut r = RngStreams::new(1).named(STREAM_TASK_CRASH, 0);
        assert_eq!(next_arrival(f64::INFINITY, &mut r), Some(SimDuration::ZERO));
        for _ in 0..100 {
            let d = next_arrival(f64::MIN_POSITIVE, &mut r).unwrap();
            assert_eq!(d, SAMPLE_CAP);
        }
    }

    #[test]
    fn validation() {
        assert_eq!(validate_rate(0.0), Ok(()));
        assert_eq!(validate_rate(0.05), Ok(()));
        for bad in [-0.1, f64::NAN, f64::INFINITY] {
            assert!(validate_rate(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn per_year() {
        assert_eq!(per_year_to_per_hour(8_760.0), 1.0);
        assert_eq!(per_year_to_per_hour(0.0), 0.0);
        assert!((per_year_to_per_hour(1.0) - 1.141_552_5e-4).abs() < 1e-10);
    }

    /// Interruptions of `instances` Spot instances, each exposed for `hours`, with a fresh
    /// exponential gap after every interruption (the replacement inherits the slot).
    fn counts_per_instance(rate: f64, instances: u32, hours: u64, seed: u64) -> Vec<u64> {
        let mut r = RngStreams::new(seed).named(STREAM_EC2_SPOT_INTERRUPTION, 0);
        let horizon = hours * 3_600_000;
        (0..instances)
            .map(|_| {
                let mut t = 0u64;
                let mut n = 0;
                while let Some(gap) = next_arrival(rate, &mut r) {
                    t = t.saturating_add(gap.0);
                    if t > horizon {
                        break;
                    }
                    n += 1;
                }
                n
            })
            .collect()
    }

    #[test]
    fn spot_interruptions_per_instance_hour_match_the_rate() {
        // 100 instances × 2 000 h = 200 000 instance-hours at 0.01 per instance-hour:
        // the total is Poisson with mean 2 000 and sd √2000 ≈ 44.7; bound 4 sd.
        // As a rate: 0.01 ± 4 · √(0.01 / 200 000) = 0.01 ± 0.000 894.
        let (rate, instances, hours) = (0.01, 100u32, 2_000u64);
        let counts = counts_per_instance(rate, instances, hours, 201);
        let exposure = f64::from(instances) * hours as f64;
        let total: u64 = counts.iter().sum();
        let expected = rate * exposure;
        let sd = expected.sqrt();
        let observed_rate = total as f64 / exposure;
        eprintln!(
            "spot: {total} interruptions in {exposure} instance-hours = {observed_rate} per \
             instance-hour; expected {expected} ± 4 × {sd:.1}, z {:.2}",
            (total as f64 - expected) / sd
        );
        assert!((total as f64 - expected).abs() <= 4.0 * sd);
        assert!((observed_rate - rate).abs() <= 4.0 * (rate / exposure).sqrt());

        // Poisson, not just the right mean: the index of dispersion
        // D = Σ (xᵢ − x̄)² / x̄ over the 100 per-instance counts (mean 20 each) is
        // approximately χ² with 99 degrees of freedom: mean 99, sd √198 ≈ 14.1.
        // Bound 4 sd: 42.7 < D < 155.3.
        let mean = total as f64 / f64::from(instances);
        let d: f64 = counts
            .iter()
            .map(|&x| (x as f64 - mean).powi(2))
            .sum::<f64>()
            / mean;
        let df = f64::from(instances - 1);
        eprintln!(
            "spot: index of dispersion {d:.1}, expected {df} ± 4 × {:.1}",
            (2.0 * df).sqrt()
        );
        assert!((d - df).abs() <= 4.0 * (2.0 * df).sqrt(), "dispersion {d}");
    }

    #[test]
    fn high_rate_task_crashes_keep_their_mean() {
        // 1 crash per task-hour: gaps have mean 3 600 000 ms and sd 3 600 000 ms; over
        // n = 40 000 gaps the mean has sd 18 000 ms (0.5 %); bound 4 sd.
        let mut r = RngStreams::new(9).named(STREAM_TASK_CRASH, 0);
        let n = 40_000;
        let sum: u64 = (0..n).map(|_| next_arrival(1.0, &mut r).unwrap().0).sum();
        let mean = sum as f64 / f64::from(n);
        assert!((mean - 3_600_000.0).abs() <= 4.0 * 18_000.0, "{mean}");
    }
}
