//! Synthetic batch workloads: Poisson arrivals of identical submissions with random
//! durations, for teaching scenarios and tests that need no trace file.
//!
//! This module owns the arrival process and the duration distributions.
//! It does not own its random stream: the simulator passes in the generator for the
//! workload stream (see `engine::rng`), so a run is a pure function of the scenario seed and
//! adding draws elsewhere does not change the workload.
//!
//! # Determinism
//!
//! For each submission the source draws, in this order, one exponential interarrival gap
//! and then one duration (a `Fixed` duration draws nothing).
//! Changing that order changes every generated workload, so it is part of the contract.
//! Arrival times accumulate in `f64` seconds, and each arrival is rounded to a whole
//! millisecond exactly once, when it is emitted; ordering is on that integer.
//! Rounding is monotone, so the integer times never decrease, and no rounding error builds
//! up from one arrival to the next.

use std::fmt;

use rand::Rng;
use rand_distr::{Distribution, Exp, LogNormal, Uniform};

use super::JobSubmission;
use crate::engine::rng::SimRng;
use crate::engine::time::{SimDuration, SimTime};
use crate::units::{CpuUnits, MemoryMib};

/// How long each generated task runs, in seconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DurationDistribution {
    /// Always `secs` (at least 0.001).
    Fixed {
        /// The duration in seconds.
        secs: f64,
    },
    /// Exponential with mean `mean_s`: memoryless, many short tasks and a few long ones.
    Exponential {
        /// The mean in seconds.
        mean_s: f64,
    },
    /// Log-normal with mean `mean_s` and shape `sigma` (the standard deviation of the log),
    /// the usual fit for batch task run times: a heavy right tail.
    /// The location is derived as `ln(mean_s) − sigma² / 2`, so `mean_s` is the true mean.
    LogNormal {
        /// The mean in seconds.
        mean_s: f64,
        /// The standard deviation of the logarithm; 0 gives a fixed duration.
        sigma: f64,
    },
    /// Uniform between `min_s` and `max_s` inclusive.
    Uniform {
        /// The shortest duration in seconds.
        min_s: f64,
        /// The longest duration in seconds.
        max_s: f64,
    },
}

/// What to generate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GeneratedOptions {
    /// Mean submissions per hour (the Poisson rate). The mean gap is `3600 / rate` s.
    pub rate_per_hour: f64,
    /// Task durations.
    pub duration: DurationDistribution,
    /// CPU reserved by each task.
    pub cpu: CpuUnits,
    /// Memory reserved by each task.
    pub memory: MemoryMib,
    /// Tasks per submission (RunTask's `count`), at least 1.
    pub count: u32,
    /// The process starts here; the first arrival is one random gap later.
    pub start: SimTime,
    /// No arrival at or after this time (exclusive).
    pub end: SimTime,
    /// At most this many submissions, a limit independent of the rate.
    pub max_jobs: u64,
}

/// Generator options that cannot produce a workload.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("option `{option}`: expected {expected}, found {found}")]
pub struct GeneratedOptionsError {
    /// The option's field name.
    pub option: &'static str,
    /// What it must be.
    pub expected: &'static str,
    /// What it was.
    pub found: String,
}

/// A ready-to-sample duration distribution.
#[derive(Clone, Copy, Debug)]
enum Sampler {
    Fixed(SimDuration),
    Exponential(Exp<f64>),
    LogNormal(LogNormal<f64>),
    Uniform(Uniform<f64>),
}

/// A Poisson stream of identical submissions. See the module documentation.
#[derive(Clone, Debug)]
pub struct GeneratedSource {
    rng: SimRng,
    gap_s: Exp<f64>,
    duration: Sampler,
    options: GeneratedOptions,
    /// The latest arrival, in seconds since the scenario start, before rounding.
    t_s: f64,
    emitted: u64,
    done: bool,
}

impl GeneratedSource {
    /// A source drawing from `rng`, which should be the run's workload stream.
    pub fn new(options: GeneratedOptions, rng: SimRng) -> Result<Self, GeneratedOptionsError> {
        let bad = |option, expected, found: &dyn fmt::Display| GeneratedOptionsError {
            option,
            expected,
            found: found.to_string(),
        };
        let rate = options.rate_per_hour;
        if !(rate.is_finite() && rate > 0.0) {
            return Err(bad(
                "rate_per_hour",
                "a positive number of submissions per hour",
                &rate,
            ));
        }
        let gap_s = Exp::new(rate / 3600.0).map_err(|_| {
            bad(
                "rate_per_hour",
                "a positive number of submissions per hour",
                &rate,
            )
        })?;
        let positive = |v: f64| v.is_finite() && v > 0.0;
        let duration = match options.duration {
            DurationDistribution::Fixed { secs } => {
                if !(secs.is_finite() && secs >= 0.001) {
                    return Err(bad("duration.secs", "at least 0.001 seconds", &secs));
                }
                Sampler::Fixed(SimDuration::from_secs_f64(secs))
            }
            DurationDistribution::Exponential { mean_s } => {
                let d = Exp::new(1.0 / mean_s).ok().filter(|_| positive(mean_s));
                Sampler::Exponential(d.ok_or_else(|| {
                    bad("duration.mean_s", "a positive number of seconds", &mean_s)
                })?)
            }
            DurationDistribution::LogNormal { mean_s, sigma } => {
                if !positive(mean_s) {
                    return Err(bad(
                        "duration.mean_s",
                        "a positive number of seconds",
                        &mean_s,
                    ));
                }
                if !(sigma.is_finite() && sigma >= 0.0) {
                    return Err(bad("duration.sigma", "a finite number ≥ 0", &sigma));
                }
                let mu = mean_s.ln() - sigma * sigma / 2.0;
                let d = LogNormal::new(mu, sigma)
                    .map_err(|_| bad("duration.sigma", "a finite number ≥ 0", &sigma))?;
                Sampler::LogNormal(d)
            }
            DurationDistribution::Uniform { min_s, max_s } => {
                if !(min_s.is_finite() && min_s >= 0.0) {
                    return Err(bad(
                        "duration.min_s",
                        "a finite number of seconds ≥ 0",
                        &min_s,
                    ));
                }
                if !(max_s.is_finite() && max_s >= min_s) {
                    return Err(bad(
                        "duration.max_s",
                        "a finite number of seconds ≥ min_s",
                        &max_s,
                    ));
                }
                Sampler::Uniform(Uniform::new_inclusive(min_s, max_s))
            }
        };
        if options.cpu.0 == 0 {
            return Err(bad("cpu", "at least 1 CPU unit", &options.cpu));
        }
        if options.memory.0 == 0 {
            return Err(bad("memory", "at least 1 MiB", &options.memory));
        }
        if options.count == 0 {
            return Err(bad(
                "count",
                "at least 1 task per submission",
                &options.count,
            ));
        }
        if options.end < options.start {
            return Err(bad("end", "a time no earlier than start", &options.end));
        }
        Ok(GeneratedSource {
            rng,
            gap_s,
            duration,
            options,
            t_s: options.start.as_millis() as f64 / 1000.0,
            emitted: 0,
            done: false,
        })
    }

    fn sample_duration(&mut self) -> SimDuration {
        let secs = match self.duration {
            Sampler::Fixed(d) => return d,
            Sampler::Exponential(d) => d.sample(&mut self.rng),
            Sampler::LogNormal(d) => d.sample(&mut self.rng),
            Sampler::Uniform(d) => self.rng.sample(d),
        };
        // A continuous draw can round to 0 ms; a task must still run for a moment.
        SimDuration::from_secs_f64(secs).max(SimDuration(1))
    }
}

impl Iterator for GeneratedSource {
    type Item = JobSubmission;

    fn next(&mut self) -> Option<JobSubmission> {
        if self.done || self.emitted >= self.options.max_jobs {
            return None;
        }
        self.t_s += self.gap_s.sample(&mut self.rng);
        // The one rounding per arrival. `as` saturates, so a huge time becomes u64::MAX and
        // ends the stream below instead of wrapping.
        let submit = SimTime((self.t_s * 1000.0).round() as u64);
        if submit >= self.options.end {
            self.done = true;
            return None;
        }
        let duration = self.sample_duration();
        self.emitted += 1;
        Some(JobSubmission {
            submit,
            cpu: self.options.cpu,
            memory: self.options.memory,
            gpus: 0,
            duration,
            count: self.options.count,
            line: 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::{RngStreams, Stream};

    fn options(duration: DurationDistribution, hours: u64) -> GeneratedOptions {
        GeneratedOptions {
            rate_per_hour: 120.0,
            duration,
            cpu: CpuUnits(512),
            memory: MemoryMib(1024),
            count: 2,
            start: SimTime::ZERO,
            end: SimTime(hours * 3_600_000),
            max_jobs: u64::MAX,
        }
    }

    fn run(options: GeneratedOptions, seed: u64) -> Vec<JobSubmission> {
        let rng = RngStreams::new(seed).stream(Stream::Workload);
        GeneratedSource::new(options, rng)
            .unwrap_or_else(|e| panic!("seed {seed}: {e}"))
            .collect()
    }

    const EXP60: DurationDistribution = DurationDistribution::Exponential { mean_s: 60.0 };

    #[test]
    fn same_seed_same_workload_other_seed_other_workload() {
        let a = run(options(EXP60, 10), 7);
        let b = run(options(EXP60, 10), 7);
        let c = run(options(EXP60, 10), 8);
        assert_eq!(a, b, "seed 7");
        assert_ne!(a, c, "seeds 7 and 8");
    }

    #[test]
    fn arrivals_are_sorted_inside_the_horizon_and_fields_are_copied() {
        let mut o = options(EXP60, 10);
        o.start = SimTime(3_600_000);
        let jobs = run(o, 1);
        assert!(
            jobs.windows(2).all(|w| w[0].submit <= w[1].submit),
            "seed 1"
        );
        assert!(
            jobs.iter().all(|j| j.submit >= o.start && j.submit < o.end),
            "seed 1"
        );
        assert!(jobs.iter().all(|j| {
            (j.cpu, j.memory, j.count, j.line) == (CpuUnits(512), MemoryMib(1024), 2, 0)
                && j.duration >= SimDuration(1)
        }));
    }

    #[test]
    fn poisson_count_and_exponential_mean_match_over_a_long_horizon() {
        // 120 per hour over 2000 h: mean 240,000 arrivals, sd sqrt(240,000) ≈ 489.9.
        let seed = 42;
        let jobs = run(options(EXP60, 2000), seed);
        let n = jobs.len() as f64;
        let mean = 120.0 * 2000.0;
        assert!(
            (n - mean).abs() < 3.0 * mean.sqrt(),
            "seed {seed}: {n} arrivals"
        );
        // Exponential(60 s): the sample mean's sd is 60 / sqrt(240,000) ≈ 0.12 s, so a 1%
        // (0.6 s, about 5 sd) tolerance fails only on a real bug.
        let mean_s = jobs.iter().map(|j| j.duration.as_secs_f64()).sum::<f64>() / n;
        assert!(
            (mean_s - 60.0).abs() < 0.6,
            "seed {seed}: mean duration {mean_s}"
        );
    }

    #[test]
    fn lognormal_and_uniform_means_match() {
        let seed = 3;
        // LogNormal(mean 300 s, sigma 1): sd = 300 × sqrt(e − 1) ≈ 393 s; over ~24,000
        // draws the sample mean's sd is ≈ 2.5 s, so 3% (9 s, about 3.5 sd) is the tolerance.
        let lognormal = DurationDistribution::LogNormal {
            mean_s: 300.0,
            sigma: 1.0,
        };
        let jobs = run(options(lognormal, 200), seed);
        let mean_s = jobs.iter().map(|j| j.duration.as_secs_f64()).sum::<f64>() / jobs.len() as f64;
        assert!(
            (mean_s - 300.0).abs() < 9.0,
            "seed {seed}: lognormal mean {mean_s}"
        );

        // Uniform[10, 50]: mean 30 s, sd 40 / sqrt(12) ≈ 11.5 s, sample-mean sd ≈ 0.075 s.
        let uniform = DurationDistribution::Uniform {
            min_s: 10.0,
            max_s: 50.0,
        };
        let jobs = run(options(uniform, 200), seed);
        let mean_s = jobs.iter().map(|j| j.duration.as_secs_f64()).sum::<f64>() / jobs.len() as f64;
        assert!(
            (mean_s - 30.0).abs() < 0.5,
            "seed {seed}: uniform mean {mean_s}"
        );
        assert!(jobs
            .iter()
            .all(|j| (10_000..=50_000).contains(&j.duration.as_millis())));
    }

    #[test]
    fn fixed_durations_and_max_jobs() {
        let mut o = options(DurationDistribution::Fixed { secs: 12.5 }, 1000);
        o.max_jobs = 5;
        let jobs = run(o, 9);
        assert_eq!(jobs.len(), 5, "seed 9");
        assert!(jobs.iter().all(|j| j.duration == SimDuration(12_500)));
    }

    #[test]
    fn bad_options_are_rejected_with_the_option_name() {
        let rng = || RngStreams::new(0).stream(Stream::Workload);
        let mut o = options(EXP60, 1);
        o.rate_per_hour = 0.0;
        assert_eq!(
            GeneratedSource::new(o, rng()).unwrap_err().to_string(),
            "option `rate_per_hour`: expected a positive number of submissions per hour, found 0"
        );
        let o = options(
            DurationDistribution::Uniform {
                min_s: 5.0,
                max_s: 1.0,
            },
            1,
        );
        assert_eq!(
            GeneratedSource::new(o, rng()).unwrap_err().option,
            "duration.max_s"
        );
        let o = options(
            DurationDistribution::LogNormal {
                mean_s: 10.0,
                sigma: f64::NAN,
            },
            1,
        );
        assert_eq!(
            GeneratedSource::new(o, rng()).unwrap_err().option,
            "duration.sigma"
        );
        let mut o = options(EXP60, 1);
        o.count = 0;
        assert_eq!(GeneratedSource::new(o, rng()).unwrap_err().option, "count");
    }
}
