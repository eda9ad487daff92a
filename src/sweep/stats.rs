//! Per-point statistics that merge exactly, and the feasibility rule judged on them.
//!
//! A point keeps, per figure, only the count, the sum and the sum of squares of its replicas'
//! values ([`Acc`]): a few bytes whatever the replica count, and two accumulators of the same
//! figure add exactly (up to floating-point addition order, which is fixed: replica order).
//! The mean and the Student-t 95 % interval are derived from them when a row is written, with
//! the same `t_975` as `montecarlo`, so a sweep's interval and a `run --replicas` interval of
//! the same values agree.
//!
//! Feasibility is judged on the interval, never on the mean alone (see [`RULE`]).

use serde::{Deserialize, Serialize};

use crate::montecarlo::t_975;

/// Count, sum and sum of squares of one figure over the replicas where it exists.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Acc {
    /// Replicas in which the figure exists.
    pub n: u32,
    /// Sum of the values.
    pub sum: f64,
    /// Sum of the squared values.
    pub sum_sq: f64,
}

impl Acc {
    /// Adds one replica's value.
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        self.sum += x;
        self.sum_sq += x * x;
    }

    /// The mean and 95 % interval, or `None` when no replica had the figure.
    pub fn interval(&self) -> Option<Interval> {
        if self.n == 0 {
            return None;
        }
        let n = f64::from(self.n);
        let mean = self.sum / n;
        let sd = if self.n > 1 {
            // max(0): rounding can leave a tiny negative for identical values.
            ((self.sum_sq - self.sum * self.sum / n) / (n - 1.0))
                .max(0.0)
                .sqrt()
        } else {
            0.0
        };
        let half = t_975(self.n - 1) * sd / n.sqrt();
        Some(Interval {
            n: self.n,
            mean: round6(mean),
            low: round6(mean - half),
            high: round6(mean + half),
        })
    }

    /// The three numbers as bit patterns, so a partial result stores them exactly (JSON
    /// floats would need a parser that round-trips every last bit).
    pub fn to_bits(&self) -> AccBits {
        AccBits(self.n, self.sum.to_bits(), self.sum_sq.to_bits())
    }

    /// The inverse of [`Acc::to_bits`].
    pub fn from_bits(b: AccBits) -> Acc {
        Acc {
            n: b.0,
            sum: f64::from_bits(b.1),
            sum_sq: f64::from_bits(b.2),
        }
    }
}

/// [`Acc`] as stored in a partial: `[n, sum bits, sum of squares bits]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccBits(pub u32, pub u64, pub u64);

/// A figure's mean and Student-t 95 % confidence interval of the mean, rounded to 6 decimals.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    /// Replicas in which the figure exists.
    pub n: u32,
    /// Mean.
    pub mean: f64,
    /// mean − t(0.975, n−1)·sd/√n (the mean itself when n = 1).
    pub low: f64,
    /// mean + t(0.975, n−1)·sd/√n.
    pub high: f64,
}

/// Rounds to 6 decimals (and turns −0 into 0), as `montecarlo` does, so files are stable.
pub fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6 + 0.0
}

/// What the interval says about one constraint, or about a point (all its constraints).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    /// The whole interval is within the bound.
    Feasible,
    /// The interval straddles the bound (or the figure is missing): more replicas may decide.
    Undecided,
    /// The whole interval is beyond the bound.
    Infeasible,
}

impl Verdict {
    /// The word written in `sweep.csv` and the table.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Feasible => "feasible",
            Verdict::Undecided => "undecided",
            Verdict::Infeasible => "infeasible",
        }
    }

    /// A point's verdict from its constraints': infeasible if any is, else undecided if any
    /// is, else feasible (so a point with no constraint is feasible).
    pub fn all(verdicts: impl IntoIterator<Item = Verdict>) -> Verdict {
        verdicts.into_iter().max().unwrap_or(Verdict::Feasible)
    }
}

/// A bound on a figure: `max` (the figure must stay at or below it) or `min` (at or above).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Bound {
    /// figure ≤ value.
    Max(f64),
    /// figure ≥ value.
    Min(f64),
}

/// The stated rule: `sweep.json` repeats it word for word.
pub const RULE: &str = "per constraint, on the Student-t 95 % confidence interval of the figure's mean over the point's replicas: feasible when the whole interval is within the bound (upper bound <= max, or lower bound >= min), infeasible when the whole interval is beyond it (lower bound > max, or upper bound < min), undecided otherwise or when the figure is missing in every replica; a point is infeasible if any constraint is, undecided if any is, feasible otherwise; with 1 replica the interval is the value itself; the best point is the feasible one with the lowest objective mean (ties: lowest point index)";

/// Judges one constraint on `interval` (`None`: the figure is missing: undecided).
pub fn judge(interval: Option<Interval>, bound: Bound) -> Verdict {
    let Some(i) = interval else {
        return Verdict::Undecided;
    };
    match bound {
        Bound::Max(max) if i.high <= max => Verdict::Feasible,
        Bound::Max(max) if i.low > max => Verdict::Infeasible,
        Bound::Min(min) if i.low >= min => Verdict::Feasible,
        Bound::Min(min) if i.high < min => Verdict::Infeasible,
        _ => Verdict::Undecided,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::montecarlo::FigureStats;

    fn acc(xs: &[f64]) -> Acc {
        let mut a = Acc::default();
        for &x in xs {
            a.push(x);
        }
        a
    }

    #[test]
    fn interval_matches_montecarlo_figure_stats() {
        let xs = [10.0, 12.5, 9.75, 11.0, 14.25];
        let i = acc(&xs).interval().unwrap();
        let f = FigureStats::of(&xs);
        assert_eq!(
            (i.n, i.mean, i.low, i.high),
            (5, f.mean, f.ci95_low, f.ci95_high)
        );
        // One replica: the interval is the value; none: no interval.
        let one = acc(&[3.5]).interval().unwrap();
        assert_eq!((one.low, one.mean, one.high), (3.5, 3.5, 3.5));
        assert_eq!(Acc::default().interval(), None);
    }

    #[test]
    fn identical_values_have_a_zero_width_interval() {
        let i = acc(&[0.1, 0.1, 0.1]).interval().unwrap();
        assert_eq!((i.low, i.high), (0.1, 0.1));
    }

    #[test]
    fn bits_round_trip_exactly() {
        let a = acc(&[0.1, 1.0 / 3.0, 1e-300]);
        assert_eq!(Acc::from_bits(a.to_bits()), a);
    }

    #[test]
    fn verdicts_follow_the_interval() {
        let i = |low, high| {
            Some(Interval {
                n: 3,
                mean: (low + high) / 2.0,
                low,
                high,
            })
        };
        assert_eq!(judge(i(0.0, 0.1), Bound::Max(0.1)), Verdict::Feasible);
        assert_eq!(judge(i(0.05, 0.2), Bound::Max(0.1)), Verdict::Undecided);
        assert_eq!(judge(i(0.1, 0.2), Bound::Max(0.1)), Verdict::Undecided);
        assert_eq!(judge(i(0.11, 0.2), Bound::Max(0.1)), Verdict::Infeasible);
        assert_eq!(judge(i(5.0, 6.0), Bound::Min(5.0)), Verdict::Feasible);
        assert_eq!(judge(i(4.0, 6.0), Bound::Min(5.0)), Verdict::Undecided);
        assert_eq!(judge(i(3.0, 4.9), Bound::Min(5.0)), Verdict::Infeasible);
        assert_eq!(judge(None, Bound::Max(1.0)), Verdict::Undecided);
        use Verdict::*;
        assert_eq!(Verdict::all([Feasible, Undecided]), Undecided);
        assert_eq!(Verdict::all([Undecided, Infeasible, Feasible]), Infeasible);
        assert_eq!(Verdict::all([]), Feasible);
    }
}
