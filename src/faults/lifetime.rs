//! Time to failure of an EC2 container instance.
//!
//! A [`TimeToFailure`] is drawn once per instance, when it starts: the instance fails that
//! long after its start unless it is terminated first. Drawing a fresh lifetime for each
//! replacement instance makes the failures of one instance slot a renewal process, which is
//! what the statistical tests below check.

use crate::engine::{SimDuration, SimRng};

use super::{duration_from_ms, unit_open_closed};

/// The smallest Weibull shape [`TimeToFailure::validate`] accepts.
///
/// A modelling guard, not an AWS figure: field studies of server and disk failures report
/// shapes between about 0.5 and 5. Below 0.1 the distribution is degenerate for a
/// simulation: with shape 0.1 a fifth of instances with a 1,000 h scale already fail within
/// their first second while the mean is 3.6 million times the scale, so a shape that small
/// is almost certainly a units mistake.
pub const MIN_WEIBULL_SHAPE: f64 = 0.1;

/// How long an instance lives before it fails on its own.
#[derive(Clone, Debug, PartialEq)]
pub enum TimeToFailure {
    /// Constant hazard: failures arrive as a Poisson process with mean time between failures
    /// `mtbf`; the age of an instance does not matter.
    Exponential {
        /// Mean time between failures (> 0).
        mtbf: SimDuration,
    },
    /// Weibull with CDF `1 − exp(−(t/scale)^shape)`: shape < 1 means infant mortality (the
    /// hazard falls with age), 1 is [`TimeToFailure::Exponential`] with `mtbf = scale`,
    /// > 1 means wear-out.
    Weibull {
        /// Shape `k` (finite, ≥ [`MIN_WEIBULL_SHAPE`]).
        shape: f64,
        /// Scale `λ` (> 0): about 63.2 % of instances have failed by this age.
        scale: SimDuration,
    },
    /// Scripted failures: offsets from the start of the run at which one instance fails
    /// each (in any order; a repeated offset fails that many instances at that moment).
    ///
    /// Not a per-instance lifetime, so [`TimeToFailure::sample`] returns `None` for it: the
    /// caller schedules one failure per offset at the start of the run and chooses the
    /// victim when it fires.
    Scheduled(Vec<SimDuration>),
}

impl TimeToFailure {
    /// Draws the time from an instance's start to its failure, by inverse CDF with one
    /// uniform draw `u` in (0, 1]: exponential `−mtbf · ln u`, Weibull
    /// `scale · (−ln u)^(1/shape)`; rounded to whole milliseconds and saturated at
    /// [`SAMPLE_CAP`](super::SAMPLE_CAP).
    ///
    /// `None` means the instance never fails on its own. [`TimeToFailure::Scheduled`]
    /// always gives `None` without drawing: its failures are placed by the caller (see the
    /// variant).
    pub fn sample(&self, rng: &mut SimRng) -> Option<SimDuration> {
        match *self {
            TimeToFailure::Exponential { mtbf } => {
                let e = -unit_open_closed(rng).ln();
                Some(duration_from_ms(mtbf.0 as f64 * e))
            }
            TimeToFailure::Weibull { shape, scale } => {
                let e = -unit_open_closed(rng).ln();
                Some(duration_from_ms(scale.0 as f64 * e.powf(1.0 / shape)))
            }
            TimeToFailure::Scheduled(_) => None,
        }
    }

    /// The mean lifetime: `mtbf`, or `scale · Γ(1 + 1/shape)` for Weibull (saturated at
    /// [`SAMPLE_CAP`](super::SAMPLE_CAP)). `None` for [`TimeToFailure::Scheduled`], which
    /// has no per-instance lifetime.
    pub fn mean(&self) -> Option<SimDuration> {
        self.mean_ms().map(duration_from_ms)
    }

    /// The mean in float milliseconds, unrounded (for tests and expected counts).
    fn mean_ms(&self) -> Option<f64> {
        match *self {
            TimeToFailure::Exponential { mtbf } => Some(mtbf.0 as f64),
            TimeToFailure::Weibull { shape, scale } => {
                if scale.0 == 0 {
                    return Some(0.0);
                }
                // In logs so a tiny shape gives +inf (then the cap), not an overflow panic.
                Some(((scale.0 as f64).ln() + ln_gamma(1.0 + 1.0 / shape)).exp())
            }
            TimeToFailure::Scheduled(_) => None,
        }
    }

    /// A short human description, e.g. `exponential(MTBF 3600000s)`.
    pub fn describe(&self) -> String {
        match self {
            TimeToFailure::Exponential { mtbf } => format!("exponential(MTBF {mtbf})"),
            TimeToFailure::Weibull { shape, scale } => {
                format!("weibull(shape {shape}, scale {scale})")
            }
            TimeToFailure::Scheduled(at) => {
                let list: Vec<String> = at.iter().map(|d| d.to_string()).collect();
                format!("scheduled({} at [{}])", at.len(), list.join(", "))
            }
        }
    }

    /// Checks the parameters: `mtbf > 0`; Weibull `shape` finite and at least
    /// [`MIN_WEIBULL_SHAPE`], `scale > 0`. Any schedule is valid (an empty one fails
    /// nothing). The message names the offending field.
    pub fn validate(&self) -> Result<(), String> {
        match *self {
            TimeToFailure::Exponential { mtbf } => {
                if mtbf.0 == 0 {
                    return Err("mtbf must be greater than 0".into());
                }
            }
            TimeToFailure::Weibull { shape, scale } => {
                if !shape.is_finite() || shape <= 0.0 {
                    return Err(format!("shape must be a finite number > 0, got {shape}"));
                }
                if shape < MIN_WEIBULL_SHAPE {
                    return Err(format!(
                        "shape {shape} is below {MIN_WEIBULL_SHAPE}: the lifetime would be \
                         degenerate (most instances failing at once, an astronomical mean)"
                    ));
                }
                if scale.0 == 0 {
                    return Err("scale must be greater than 0".into());
                }
            }
            TimeToFailure::Scheduled(_) => {}
        }
        Ok(())
    }
}

/// `ln Γ(x)` for `x > 0` (NaN otherwise). The tests check `Γ` to a relative 1e-12 for
/// `0.1 ≤ x ≤ 20` and `ln Γ(200)` to a relative 1e-13.
///
/// Shifts `x` up to `z ≥ 15` with `Γ(x) = Γ(x + n) / (x (x+1) … (x+n−1))`, then sums
/// Stirling's asymptotic series
/// `ln Γ(z) = (z − ½) ln z − z + ½ ln 2π + 1/(12z) − 1/(360z³) + 1/(1260z⁵) − 1/(1680z⁷)`,
/// whose first omitted term, `1/(1188 z⁹)`, is below 3e-14 at `z = 15`.
pub fn ln_gamma(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return f64::NAN;
    }
    if x.is_infinite() {
        return f64::INFINITY;
    }
    let mut z = x;
    let mut shift = 0.0;
    while z < 15.0 {
        shift += z.ln();
        z += 1.0;
    }
    let z2 = z * z;
    let series = 1.0 / (12.0 * z) - 1.0 / (360.0 * z * z2) + 1.0 / (1260.0 * z * z2 * z2)
        - 1.0 / (1680.0 * z * z2 * z2 * z2);
    let half_ln_two_pi = 0.5 * (2.0 * std::f64::consts::PI).ln();
    (z - 0.5) * z.ln() - z + half_ln_two_pi + series - shift
}

/// `Γ(x)` for `x > 0` (NaN otherwise; +∞ once it exceeds `f64::MAX`, near `x = 171.6`).
pub fn gamma(x: f64) -> f64 {
    ln_gamma(x).exp()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::RngStreams;
    use crate::faults::{SAMPLE_CAP, STREAM_INSTANCE_FAILURE};

    const HOUR_MS: u64 = 3_600_000;

    fn rng(seed: u64) -> SimRng {
        RngStreams::new(seed).named(STREAM_INSTANCE_FAILURE, 0)
    }

    fn close(a: f64, b: f64, rel: f64) -> bool {
        ((a - b) / b).abs() < rel
    }

    #[test]
    fn gamma_matches_known_values() {
        let sqrt_pi = std::f64::consts::PI.sqrt();
        let cases = [
            (1.0, 1.0),
            (2.0, 1.0),
            (1.5, sqrt_pi / 2.0),
            (0.5, sqrt_pi),
            (2.5, 0.75 * sqrt_pi),
            (5.0, 24.0),
            (10.0, 362_880.0),
            (0.1, 9.513_507_698_668_732),
            (1.0 / 3.0, 2.678_938_534_707_748),
            (20.0, 121_645_100_408_832_000.0),
        ];
        for (x, want) in cases {
            let got = gamma(x);
            assert!(close(got, want, 1e-12), "Γ({x}) = {got}, want {want}");
        }
        assert!(ln_gamma(0.0).is_nan());
        assert!(ln_gamma(-1.0).is_nan());
        assert!(gamma(200.0).is_infinite());
        assert!(close(ln_gamma(200.0), 857.933_669_825_857_5, 1e-13));
    }

    #[test]
    fn means() {
        let e = TimeToFailure::Exponential {
            mtbf: SimDuration(HOUR_MS),
        };
        assert_eq!(e.mean(), Some(SimDuration(HOUR_MS)));
        // Weibull shape 2: mean = scale · Γ(1.5) = scale · √π / 2.
        let w = TimeToFailure::Weibull {
            shape: 2.0,
            scale: SimDuration(1_000_000),
        };
        assert_eq!(w.mean(), Some(SimDuration(886_227)));
        let one = TimeToFailure::Weibull {
            shape: 1.0,
            scale: SimDuration(HOUR_MS),
        };
        assert_eq!(one.mean(), Some(SimDuration(HOUR_MS)));
        // A tiny shape saturates instead of overflowing.
        let tiny = TimeToFailure::Weibull {
            shape: 0.001,
            scale: SimDuration(HOUR_MS),
        };
        assert_eq!(tiny.mean(), Some(SAMPLE_CAP));
        assert_eq!(TimeToFailure::Scheduled(vec![SimDuration(5)]).mean(), None);
    }

    #[test]
    fn scheduled_samples_nothing_and_draws_nothing() {
        let s = TimeToFailure::Scheduled(vec![SimDuration::from_mins(30), SimDuration(0)]);
        let mut r = rng(3);
        let mut untouched = rng(3);
        assert_eq!(s.sample(&mut r), None);
        use rand::Rng;
        assert_eq!(r.gen::<u64>(), untouched.gen::<u64>());
        assert_eq!(s.validate(), Ok(()));
        assert_eq!(TimeToFailure::Scheduled(vec![]).validate(), Ok(()));
        assert_eq!(s.describe(), "scheduled(2 at [1800s, 0s])");
    }

    #[test]
    fn validation_errors() {
        let bad = [
            TimeToFailure::Exponential {
                mtbf: SimDuration::ZERO,
            },
            TimeToFailure::Weibull {
                shape: 0.0,
                scale: SimDuration(HOUR_MS),
            },
            TimeToFailure::Weibull {
                shape: -1.0,
                scale: SimDuration(HOUR_MS),
            },
            TimeToFailure::Weibull {
                shape: f64::NAN,
                scale: SimDuration(HOUR_MS),
            },
            TimeToFailure::Weibull {
                shape: f64::INFINITY,
                scale: SimDuration(HOUR_MS),
            },
            TimeToFailure::Weibull {
                shape: 0.05,
                scale: SimDuration(HOUR_MS),
            },
            TimeToFailure::Weibull {
                shape: 1.5,
                scale: SimDuration::ZERO,
            },
        ];
        for t in bad {
            assert!(t.validate().is_err(), "{t:?} should be invalid");
        }
        let good = [
            TimeToFailure::Exponential {
                mtbf: SimDuration(1),
            },
            TimeToFailure::Weibull {
                shape: MIN_WEIBULL_SHAPE,
                scale: SimDuration(1),
            },
            TimeToFailure::Weibull {
                shape: 50.0,
                scale: SimDuration(HOUR_MS),
            },
        ];
        for t in good {
            assert_eq!(t.validate(), Ok(()), "{t:?}");
        }
        let msg = TimeToFailure::Weibull {
            shape: f64::NAN,
            scale: SimDuration(1),
        }
        .validate()
        .unwrap_err();
        assert!(msg.contains("shape"), "{msg}");
    }

    #[test]
    fn describe() {
        assert_eq!(
            TimeToFailure::Exponential {
                mtbf: SimDuration(HOUR_MS)
            }
            .describe(),
            "exponential(MTBF 3600s)"
        );
        assert_eq!(
            TimeToFailure::Weibull {
                shape: 0.7,
                scale: SimDuration(HOUR_MS)
            }
            .describe(),
            "weibull(shape 0.7, scale 3600s)"
        );
    }

    #[test]
    fn samples_saturate_at_the_cap() {
        // (−ln u)^(1/0.1) reaches 36.7^10 ≈ 4.5e15 times the scale: far past the cap.
        let w = TimeToFailure::Weibull {
            shape: MIN_WEIBULL_SHAPE,
            scale: SimDuration(1_000_000 * HOUR_MS),
        };
        let mut r = rng(5);
        let mut hit_cap = false;
        for _ in 0..10_000 {
            let s = w.sample(&mut r).unwrap();
            assert!(s <= SAMPLE_CAP);
            hit_cap |= s == SAMPLE_CAP;
        }
        assert!(hit_cap);
    }

    #[test]
    fn weibull_shape_one_is_exponential() {
        let scale = SimDuration(100 * HOUR_MS);
        let w = TimeToFailure::Weibull { shape: 1.0, scale };
        let e = TimeToFailure::Exponential { mtbf: scale };
        // Same uniform draws ⇒ the same samples: (−ln u)^1 = −ln u.
        let (mut a, mut b) = (rng(11), rng(11));
        for _ in 0..1_000 {
            assert_eq!(w.sample(&mut a), e.sample(&mut b));
        }
        // Independent draws: equal means and equal P(X ≤ median = scale · ln 2).
        // n = 20 000 each; sd of each sample mean = μ/√n, of the difference μ·√(2/n)
        // = 1 % of μ; bound 4 sd = 4 %. The fraction below the median has sd √(0.25/n)
        // = 0.35 %; bound 4 sd = 1.4 % around 0.5.
        let n = 20_000;
        let mu = scale.0 as f64;
        let median = mu * std::f64::consts::LN_2;
        let (mut ra, mut rb) = (rng(12), rng(13));
        let (mut sum_w, mut sum_e, mut below_w, mut below_e) = (0.0, 0.0, 0u32, 0u32);
        for _ in 0..n {
            let x = w.sample(&mut ra).unwrap().0 as f64;
            let y = e.sample(&mut rb).unwrap().0 as f64;
            sum_w += x;
            sum_e += y;
            below_w += u32::from(x <= median);
            below_e += u32::from(y <= median);
        }
        let (mean_w, mean_e) = (sum_w / n as f64, sum_e / n as f64);
        let bound = 4.0 * mu * (2.0 / n as f64).sqrt();
        assert!(
            (mean_w - mean_e).abs() < bound,
            "weibull(1) mean {mean_w}, exponential mean {mean_e}, bound {bound}"
        );
        for below in [below_w, below_e] {
            let frac = f64::from(below) / n as f64;
            assert!(
                (frac - 0.5).abs() < 4.0 * (0.25 / n as f64).sqrt(),
                "{frac}"
            );
        }
    }

    /// Failures of `slots` instance slots over `horizon_ms` each, where every failure is
    /// followed at once by a replacement with a fresh lifetime (a renewal process per slot).
    fn renewal_failures(ttf: &TimeToFailure, slots: u32, horizon_ms: u64, seed: u64) -> u64 {
        let mut r = rng(seed);
        let mut count = 0;
        for _ in 0..slots {
            let mut t = 0u64;
            loop {
                t = t.saturating_add(ttf.sample(&mut r).unwrap().0);
                if t > horizon_ms {
                    break;
                }
                count += 1;
            }
        }
        count
    }

    /// Checks the renewal count against renewal theory.
    ///
    /// For a renewal process with lifetime mean μ and variance σ², the count N(T) by time T
    /// has, as T → ∞, `E N(T) = T/μ + (σ²/μ² − 1)/2 + o(1)` and
    /// `Var N(T) = T σ²/μ³ + o(T)`. Over `slots` independent slots the expected count is
    /// `slots · (T/μ + (c² − 1)/2)` with `c² = σ²/μ²`, and the sd is
    /// `√(slots · T σ²/μ³)`. The bound is 4 sd (a two-sided normal tail of 6e-5; the seed
    /// is fixed, so the test is deterministic anyway).
    fn check_renewal(ttf: &TimeToFailure, cv2: f64, slots: u32, lifetimes: f64, seed: u64) {
        let mu = ttf.mean_ms().unwrap();
        let horizon_ms = (mu * lifetimes).round() as u64;
        let observed = renewal_failures(ttf, slots, horizon_ms, seed) as f64;
        let t = horizon_ms as f64;
        let expected = f64::from(slots) * (t / mu + (cv2 - 1.0) / 2.0);
        let sd = (f64::from(slots) * t * cv2 / mu).sqrt();
        eprintln!(
            "{}: observed {observed}, expected {expected:.1}, sd {sd:.1}, z {:.2}",
            ttf.describe(),
            (observed - expected) / sd
        );
        assert!(
            (observed - expected).abs() <= 4.0 * sd,
            "{}: observed {observed}, expected {expected:.1} ± 4 × {sd:.1}",
            ttf.describe()
        );
    }

    /// Squared coefficient of variation of a Weibull: Γ(1 + 2/k) / Γ(1 + 1/k)² − 1.
    fn weibull_cv2(shape: f64) -> f64 {
        gamma(1.0 + 2.0 / shape) / gamma(1.0 + 1.0 / shape).powi(2) - 1.0
    }

    #[test]
    fn exponential_failure_count_matches_mtbf() {
        // 20 slots × 100 MTBF of 720 h: expected 2 000 failures, sd √2000 ≈ 44.7.
        let ttf = TimeToFailure::Exponential {
            mtbf: SimDuration(720 * HOUR_MS),
        };
        check_renewal(&ttf, 1.0, 20, 100.0, 101);
    }

    #[test]
    fn weibull_infant_mortality_failure_count_matches_mean() {
        // Shape 0.7: c² ≈ 2.139, so the sd is about √(2000 · 2.139) ≈ 65.4.
        let shape = 0.7;
        assert!(
            close(weibull_cv2(shape), 2.138_686, 1e-6),
            "{}",
            weibull_cv2(shape)
        );
        let ttf = TimeToFailure::Weibull {
            shape,
            scale: SimDuration(1_000 * HOUR_MS),
        };
        check_renewal(&ttf, weibull_cv2(shape), 20, 100.0, 102);
    }

    #[test]
    fn weibull_wear_out_failure_count_matches_mean() {
        // Shape 2 (Rayleigh): c² = 4/π − 1 ≈ 0.273, sd ≈ √(2000 · 0.273) ≈ 23.4.
        let shape = 2.0;
        assert!(close(
            weibull_cv2(shape),
            4.0 / std::f64::consts::PI - 1.0,
            1e-12
        ));
        let ttf = TimeToFailure::Weibull {
            shape,
            scale: SimDuration(1_000 * HOUR_MS),
        };
        check_renewal(&ttf, weibull_cv2(shape), 20, 100.0, 103);
    }
}
