//! Latency distributions: how long a launch, a pull or a stop takes.
//!
//! Every latency in the model is one of these, sampled from the `Latency` RNG stream.
//! Samples are rounded to whole milliseconds once, here, so event times stay integers.

use rand::Rng;
use rand_distr::{Distribution, Exp, LogNormal};

use crate::engine::{SimDuration, SimRng};

/// A distribution of durations.
#[derive(Clone, Debug, PartialEq)]
pub enum Latency {
    /// Always the same.
    Fixed(SimDuration),
    /// Uniform between `min` and `max` (inclusive, millisecond resolution).
    Uniform {
        /// Shortest.
        min: SimDuration,
        /// Longest.
        max: SimDuration,
    },
    /// Log-normal with the given median and shape `sigma` (of the underlying normal).
    LogNormal {
        /// The median.
        median: SimDuration,
        /// Shape; 0.3–0.6 gives a realistic right tail for launch times.
        sigma: f64,
    },
    /// Exponential with the given mean.
    Exponential {
        /// The mean.
        mean: SimDuration,
    },
}

impl Latency {
    /// Draws one duration.
    pub fn sample(&self, rng: &mut SimRng) -> SimDuration {
        match *self {
            Latency::Fixed(d) => d,
            Latency::Uniform { min, max } => {
                if max.0 <= min.0 {
                    min
                } else {
                    SimDuration(rng.gen_range(min.0..=max.0))
                }
            }
            Latency::LogNormal { median, sigma } => {
                let mu = (median.0.max(1) as f64).ln();
                match LogNormal::new(mu, sigma) {
                    Ok(d) => SimDuration(d.sample(rng).round() as u64),
                    Err(_) => median,
                }
            }
            Latency::Exponential { mean } => {
                if mean.0 == 0 {
                    return SimDuration::ZERO;
                }
                match Exp::new(1.0 / mean.0 as f64) {
                    Ok(d) => SimDuration(d.sample(rng).round() as u64),
                    Err(_) => mean,
                }
            }
        }
    }

    /// Draws one duration, building the generator only if the distribution needs a draw.
    ///
    /// The simulation derives a fresh generator per task and latency (a hash and a PCG seed,
    /// about a hundred instructions); a constant latency (a zero one in a queueing model,
    /// a fixed one) returns what [`Latency::sample`] would without it. The generator is
    /// per entity, so not building it shifts no other draw.
    #[inline]
    pub fn sample_with(&self, rng: impl FnOnce() -> SimRng) -> SimDuration {
        match *self {
            Latency::Fixed(d) => d,
            Latency::Uniform { min, max } if max.0 <= min.0 => min,
            Latency::Exponential { mean } if mean.0 == 0 => SimDuration::ZERO,
            _ => self.sample(&mut rng()),
        }
    }

    /// The mean of the distribution, for the report's assumptions table.
    pub fn mean(&self) -> SimDuration {
        match *self {
            Latency::Fixed(d) => d,
            Latency::Uniform { min, max } => SimDuration((min.0 + max.0) / 2),
            Latency::LogNormal { median, sigma } => {
                SimDuration((median.0 as f64 * (sigma * sigma / 2.0).exp()).round() as u64)
            }
            Latency::Exponential { mean } => mean,
        }
    }

    /// A short human description, e.g. `uniform(10s..45s)`.
    pub fn describe(&self) -> String {
        match self {
            Latency::Fixed(d) => format!("fixed({d})"),
            Latency::Uniform { min, max } => format!("uniform({min}..{max})"),
            Latency::LogNormal { median, sigma } => {
                format!("lognormal(median {median}, sigma {sigma})")
            }
            Latency::Exponential { mean } => format!("exponential(mean {mean})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{RngStreams, Stream};

    #[test]
    fn sample_with_builds_the_generator_only_for_a_draw() {
        let constant = [
            Latency::Fixed(SimDuration(1_500)),
            Latency::Fixed(SimDuration::ZERO),
            Latency::Uniform {
                min: SimDuration(2_000),
                max: SimDuration(2_000),
            },
            Latency::Exponential {
                mean: SimDuration::ZERO,
            },
        ];
        for l in &constant {
            let mut rng = RngStreams::new(7).stream(Stream::Latency);
            let got = l.sample_with(|| panic!("{l:?} drew"));
            assert_eq!(got, l.sample(&mut rng), "{l:?}");
        }
        let random = [
            Latency::Uniform {
                min: SimDuration(10_000),
                max: SimDuration(45_000),
            },
            Latency::Exponential {
                mean: SimDuration(5_000),
            },
            Latency::LogNormal {
                median: SimDuration(30_000),
                sigma: 0.4,
            },
        ];
        for l in &random {
            for seed in 0..20 {
                let mut built = 0;
                let got = l.sample_with(|| {
                    built += 1;
                    RngStreams::new(seed).stream(Stream::Latency)
                });
                let mut rng = RngStreams::new(seed).stream(Stream::Latency);
                assert_eq!(got, l.sample(&mut rng), "{l:?} seed {seed}");
                assert_eq!(built, 1, "{l:?}");
            }
        }
    }

    #[test]
    fn uniform_stays_in_range_and_means_match() {
        let mut rng = RngStreams::new(7).stream(Stream::Latency);
        let u = Latency::Uniform {
            min: SimDuration(10_000),
            max: SimDuration(45_000),
        };
        let n = 20_000u64;
        let mut sum = 0u64;
        for _ in 0..n {
            let s = u.sample(&mut rng);
            assert!((10_000..=45_000).contains(&s.0));
            sum += s.0;
        }
        // Mean 27 500 ms; sd of uniform = 35 000/sqrt(12) ≈ 10 104; sd of mean ≈ 71 ms.
        let mean = sum as f64 / n as f64;
        assert!((mean - 27_500.0).abs() < 400.0, "{mean}");
    }

    #[test]
    fn lognormal_median_is_the_median() {
        let mut rng = RngStreams::new(9).stream(Stream::Latency);
        let d = Latency::LogNormal {
            median: SimDuration(40_000),
            sigma: 0.4,
        };
        let mut v: Vec<u64> = (0..10_001).map(|_| d.sample(&mut rng).0).collect();
        v.sort_unstable();
        let med = v[5_000] as f64;
        assert!((med - 40_000.0).abs() < 1_000.0, "{med}");
    }
}
