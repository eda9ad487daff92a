//! Monte Carlo runs: the same scenario under N seeds, and what the headline figures look
//! like across them.
//!
//! Replica `i` runs with seed `base + i` (wrapping), so replica 0 is the ordinary run with
//! the base seed and the first `k` replicas of an `N`-replica run are exactly a `k`-replica
//! run. Replicas run in parallel on rayon's pool, a chunk of [`CHUNK`] at a time, and each
//! chunk is folded into the accumulators in replica order: the output depends on the
//! scenario and the seeds, never on the thread count or scheduling.
//!
//! Memory stays bounded whatever N: only replica 0 keeps its full [`Report`] (time series,
//! events). Every replica is reduced where it ran to its headline figures (a few dozen
//! numbers, see [`headline_figures`]) and its sampled per-minute trace (cumulative cost,
//! RUNNING tasks, live instances: every minute up to [`MAX_BAND_MINUTES`], else per bucket
//! of minutes, 32 bytes a point), and its report is dropped there. [`Replicas`] keeps those in flat columns and
//! turns them into [`MonteCarloSummary`], `replicas.csv` and the per-minute p5/p50/p95
//! [`Bands`] of the spread chart. [`check_memory`] refuses an N whose columns would not fit
//! `settings.maxReplicaMemoryMib`.
//!
//! [`aggregate`], [`replicas_csv`] and [`bands`] compute the same outputs from whole
//! summaries and traces: the reference the accumulators are tested against, and what the
//! chart tests build their inputs with. The renderers at the end are pure, like
//! `report::render`: the binary writes their output.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;

use rayon::prelude::*;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::report::{Report, Summary};
use crate::{RunError, Scenario};

/// The seeds of `n` replicas: `base`, `base + 1`, … (wrapping at `u64::MAX`).
pub fn replica_seeds(base: u64, n: u32) -> Vec<u64> {
    (0..n).map(|i| base.wrapping_add(u64::from(i))).collect()
}

/// Replicas run in parallel before their results are folded, in replica order, into the
/// accumulators. Large enough that the pool rarely idles at a chunk's end (the slowest
/// replica of 256 holds up the others only once per chunk), small enough that the chunk's
/// reduced results (a few kilobytes each) stay small. The output does not depend on it.
pub const CHUNK: u32 = 256;

/// Report minutes a spread band keeps one point each for. \[DERIVED\] ecsim's choice: two
/// days, both ends included (a report has a row for minute 0 and one for the last minute),
/// so every shipped scenario up to 48 h keeps every minute and its output of before the
/// bands were bounded.
pub const MAX_BAND_MINUTES: usize = 2 * 24 * 60 + 1;

/// Points of the band of a longer run after its first minute: its minutes go in buckets of
/// k (the smallest k that makes at most this many buckets), so the bands of N replicas of a
/// run of any length take at most N × [`MAX_BAND_MINUTES`] × 32 bytes. \[DERIVED\] ecsim's
/// choice: one a minute of a day, more than a chart's width in pixels; 30 days make buckets
/// of 30 minutes.
pub const BUCKETED_BAND_POINTS: usize = 24 * 60;

/// Minutes per band point for a trace of `len` minutes: 1 up to [`MAX_BAND_MINUTES`],
/// otherwise the smallest bucket that makes at most [`BUCKETED_BAND_POINTS`] of them after
/// the first minute.
pub fn band_step(len: usize) -> usize {
    if len <= MAX_BAND_MINUTES {
        1
    } else {
        (len - 1).div_ceil(BUCKETED_BAND_POINTS)
    }
}

/// The buckets of a trace of `len` minutes, as index ranges (see [`band_step`]): the first
/// minute alone, so the chart starts where the run does, then buckets of the step (the last
/// may be shorter). A point stands at its bucket's last minute.
fn band_buckets(len: usize) -> impl Iterator<Item = std::ops::Range<usize>> {
    let step = band_step(len);
    let first = (len > 0).then_some(0..1);
    first
        .into_iter()
        .chain((1..len).step_by(step).map(move |s| s..(s + step).min(len)))
}

/// Bytes [`Replicas`] keeps per replica per band point: the cost at the bucket's end as
/// `f64`, and the lowest, highest and last RUNNING tasks and live instances as `u32`.
const BAND_POINT_BYTES: u64 = 32;

/// Bytes kept per replica per headline figure (an `f64`, NaN when missing).
const FIGURE_BYTES: u64 = 8;

/// Headline figures of a replica, for the memory estimate before any replica ran: the
/// fixed ones (cost, reservation, instances, tasks, waits, faults: 30), eight per service
/// and four per workload and per capacity provider. \[DERIVED\] from [`headline_figures`].
fn expected_figures(sc: &Scenario) -> u64 {
    30 + 8 * sc.services.len() as u64
        + 4 * sc.workloads.len() as u64
        + 4 * sc.capacity_providers.len() as u64
}

/// What [`check_memory`] estimates a Monte Carlo run keeps across its replicas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryEstimate {
    /// Replicas.
    pub replicas: u32,
    /// Band points per replica.
    pub band_points: u64,
    /// Headline figures per replica (estimated).
    pub figures: u64,
    /// Bytes in all.
    pub bytes: u64,
}

impl MemoryEstimate {
    /// The estimate for `n` replicas of `sc`.
    pub fn of(sc: &Scenario, n: u32) -> MemoryEstimate {
        // One row per minute from minute 0 to the end, inclusive.
        let minutes = (sc.duration.0 / 60_000 + 1) as usize;
        let band_points = band_buckets(minutes).count() as u64;
        let figures = expected_figures(sc);
        let per_replica = band_points * BAND_POINT_BYTES + figures * FIGURE_BYTES + 8;
        MemoryEstimate {
            replicas: n,
            band_points,
            figures,
            bytes: per_replica.saturating_mul(u64::from(n)),
        }
    }
}

/// `--replicas N` whose accumulators would outgrow `settings.maxReplicaMemoryMib`.
#[derive(Debug, thiserror::Error)]
#[error(
    "{} replicas would keep about {} across replicas ({} × ({} band points × {BAND_POINT_BYTES} bytes + about {} figures × {FIGURE_BYTES} bytes)), over settings.maxReplicaMemoryMib = {limit_mib}; run fewer replicas, or raise settings.maxReplicaMemoryMib if the machine has the memory",
    estimate.replicas,
    crate::scenario::human_bytes(estimate.bytes as f64),
    estimate.replicas,
    estimate.band_points,
    estimate.figures
)]
pub struct MemoryError {
    /// The estimate.
    pub estimate: MemoryEstimate,
    /// The cap, MiB.
    pub limit_mib: u64,
}

/// Refuses `n` replicas of `sc` when [`MemoryEstimate::of`] exceeds
/// `settings.maxReplicaMemoryMib`.
pub fn check_memory(sc: &Scenario, n: u32) -> Result<MemoryEstimate, MemoryError> {
    let estimate = MemoryEstimate::of(sc, n);
    let limit_mib = sc.settings.max_replica_memory_mib;
    if estimate.bytes > limit_mib.saturating_mul(1 << 20) {
        return Err(MemoryError {
            estimate,
            limit_mib,
        });
    }
    Ok(estimate)
}

/// Why a Monte Carlo run gave no result.
#[derive(Debug, thiserror::Error)]
pub enum MonteCarloError {
    /// N is too large for the memory cap; nothing ran.
    #[error(transparent)]
    Memory(#[from] MemoryError),
    /// A replica failed (the lowest failing one).
    #[error(transparent)]
    Replica(#[from] ReplicaError),
}

/// What [`run_replicas`] keeps: the full report of replica 0, and every replica's seed,
/// headline figures and sampled trace, in replica order.
#[derive(Clone, Debug)]
pub struct Replicas {
    /// Replica 0: the ordinary run with the base seed.
    pub first: Report,
    seeds: Vec<u64>,
    figures: FigureColumns,
    bands: BandColumns,
}

impl Replicas {
    /// Number of replicas.
    pub fn len(&self) -> usize {
        self.seeds.len()
    }

    /// Always false: there is at least replica 0.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The replicas' seeds, replica 0 first.
    pub fn seeds(&self) -> &[u64] {
        &self.seeds
    }

    /// One headline figure in every replica, replica 0 first (`None`: missing there), or
    /// `None` when no replica has it.
    pub fn figure(&self, name: &str) -> Option<Vec<Option<f64>>> {
        let c = *self.figures.index.get(name)?;
        Some((0..self.len()).map(|r| self.figures.get(c, r)).collect())
    }

    /// Statistics of every headline figure: what [`aggregate`] gives for the replicas'
    /// summaries.
    pub fn monte_carlo(&self) -> MonteCarloSummary {
        let figures = (0..self.figures.names.len())
            .map(|c| {
                let present: Vec<f64> = (0..self.len())
                    .filter_map(|r| self.figures.get(c, r))
                    .collect();
                let (name, main) = &self.figures.names[c];
                NamedFigure {
                    name: name.clone(),
                    main: *main,
                    stats: FigureStats::of(&present),
                }
            })
            .collect();
        MonteCarloSummary {
            replicas: self.len() as u32,
            seeds: self.seeds.clone(),
            method: METHOD,
            figures,
        }
    }

    /// `replicas.csv`: what [`replicas_csv`] gives for the replicas' summaries.
    pub fn replicas_csv(&self) -> String {
        let names: Vec<&str> = self.figures.names.iter().map(|(n, _)| n.as_str()).collect();
        let mut out = csv_header(&names);
        for (r, seed) in self.seeds.iter().enumerate() {
            csv_row(
                &mut out,
                r,
                *seed,
                (0..names.len()).map(|c| self.figures.get(c, r)),
            );
        }
        out
    }

    /// Per-minute percentiles of the replicas' traces: what [`bands`] gives for them.
    pub fn bands(&self) -> Result<Bands, BandsError> {
        self.bands.bands(self.len())
    }
}

/// Every replica's headline figures, column by column.
#[derive(Clone, Debug, Default)]
struct FigureColumns {
    /// Name and `main`, in first-seen order.
    names: Vec<(String, bool)>,
    index: BTreeMap<String, usize>,
    /// Per column, per replica: the value, NaN when missing (figures are finite, so NaN
    /// is free to mean "missing"). A column is shorter than the replicas when its last
    /// replicas lack it.
    values: Vec<Vec<f64>>,
}

impl FigureColumns {
    /// Adds replica `r`'s figures (replicas come in order, each once).
    fn push(&mut self, r: usize, figures: Vec<Figure>) {
        for f in figures {
            let c = match self.index.get(&f.name) {
                Some(&c) => c,
                None => {
                    self.names.push((f.name.clone(), f.main));
                    self.values.push(Vec::new());
                    self.index.insert(f.name, self.names.len() - 1);
                    self.names.len() - 1
                }
            };
            let col = &mut self.values[c];
            if col.len() <= r {
                col.resize(r + 1, f64::NAN);
            }
            // A name given twice keeps the last value, as `columns` does.
            col[r] = f.value;
        }
    }

    fn get(&self, c: usize, r: usize) -> Option<f64> {
        self.values[c].get(r).copied().filter(|v| !v.is_nan())
    }
}

/// A count over a bucket of minutes: its lowest, highest and last value. Bands draw p5 of
/// the lowest, the median of the last and p95 of the highest, so a dip or a spike shorter
/// than a bucket still shows (the charts thin their points the same way, keeping each
/// pixel column's extremes); with one minute a bucket all three are that minute's value.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Spread {
    low: u32,
    high: u32,
    last: u32,
}

impl Spread {
    /// Over `values` (not empty), whole numbers far below 2³² that the trace holds as f64.
    fn of(values: &[f64]) -> Spread {
        let count = |v: f64| v as u32;
        let mut s = Spread {
            low: u32::MAX,
            high: 0,
            last: values.last().copied().map_or(0, count),
        };
        for &v in values {
            s.low = s.low.min(count(v));
            s.high = s.high.max(count(v));
        }
        s
    }
}

/// A replica's trace reduced to what the bands keep.
#[derive(Clone, Debug)]
struct Sampled {
    /// Number of minutes of the whole trace, its first minute and a fingerprint of them
    /// all, to refuse replicas whose minutes differ from replica 0's.
    len: usize,
    first: Option<u64>,
    fingerprint: u64,
    /// Per bucket (see [`band_buckets`]): its last minute, the cost then, and the spread
    /// of the counts over it.
    minutes: Vec<u64>,
    cost_usd: Vec<f64>,
    tasks_running: Vec<Spread>,
    instances_live: Vec<Spread>,
}

impl Sampled {
    fn of(t: &Trace) -> Sampled {
        // FNV-1a over the minutes: equal minutes give equal fingerprints, and two different
        // lists of the same length and first minute colliding is not a practical concern.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for m in &t.minutes {
            for b in m.to_le_bytes() {
                h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
        let consistent = t.cost_usd.len() == t.minutes.len()
            && t.tasks_running.len() == t.minutes.len()
            && t.instances_live.len() == t.minutes.len();
        let buckets: Vec<std::ops::Range<usize>> = if consistent {
            band_buckets(t.minutes.len()).collect()
        } else {
            Vec::new()
        };
        Sampled {
            // An inconsistent trace can never line up: its length is made to differ.
            len: if consistent {
                t.minutes.len()
            } else {
                usize::MAX
            },
            first: t.minutes.first().copied(),
            fingerprint: h,
            minutes: buckets.iter().map(|b| t.minutes[b.end - 1]).collect(),
            cost_usd: buckets.iter().map(|b| t.cost_usd[b.end - 1]).collect(),
            tasks_running: buckets
                .iter()
                .map(|b| Spread::of(&t.tasks_running[b.clone()]))
                .collect(),
            instances_live: buckets
                .iter()
                .map(|b| Spread::of(&t.instances_live[b.clone()]))
                .collect(),
        }
    }
}

/// Every replica's sampled trace, replica-major (replica r's points at r × points ..).
#[derive(Clone, Debug, Default)]
struct BandColumns {
    /// Replica 0's shape; its kept minutes.
    len_0: usize,
    first_0: Option<u64>,
    fingerprint_0: u64,
    minutes: Vec<u64>,
    cost_usd: Vec<f64>,
    tasks_running: Vec<Spread>,
    instances_live: Vec<Spread>,
    /// The first replica whose minutes differ from replica 0's: bands are refused.
    misaligned: Option<(usize, usize, Option<u64>)>,
}

/// p5 of `low`, p50 of `mid`, p95 of `high` over `replicas` replicas at each of `points`
/// points (value `i` is replica `i / points`'s at point `i % points`); replica 0's `mid`.
/// `same`: the three are one value, so one sort serves.
fn percentile_band(
    name: &'static str,
    replicas: usize,
    points: usize,
    same: bool,
    low: &dyn Fn(usize) -> f64,
    mid: &dyn Fn(usize) -> f64,
    high: &dyn Fn(usize) -> f64,
) -> Band {
    let mut b = Band {
        name,
        p5: Vec::with_capacity(points),
        p50: Vec::with_capacity(points),
        p95: Vec::with_capacity(points),
        replica_0: (0..points).map(|p| round6(mid(p))).collect(),
    };
    let mut column = Vec::with_capacity(replicas);
    let fill = |column: &mut Vec<f64>, value: &dyn Fn(usize) -> f64, p: usize| {
        column.clear();
        column.extend((0..replicas).map(|r| value(r * points + p)));
        column.sort_by(f64::total_cmp);
    };
    for p in 0..points {
        if same {
            fill(&mut column, mid, p);
            b.p5.push(round6(percentile(&column, 0.05)));
            b.p50.push(round6(percentile(&column, 0.50)));
            b.p95.push(round6(percentile(&column, 0.95)));
        } else {
            fill(&mut column, low, p);
            b.p5.push(round6(percentile(&column, 0.05)));
            fill(&mut column, mid, p);
            b.p50.push(round6(percentile(&column, 0.50)));
            fill(&mut column, high, p);
            b.p95.push(round6(percentile(&column, 0.95)));
        }
    }
    b
}

impl BandColumns {
    /// Adds replica `r`'s sampled trace (replicas come in order, each once); `replicas`, the
    /// number there will be, sizes the columns once, so they never hold the slack of
    /// doubling (up to half again the memory at 10,000 replicas).
    fn push(&mut self, r: usize, s: Sampled, replicas: usize) {
        if r == 0 {
            self.len_0 = s.len;
            self.first_0 = s.first;
            self.fingerprint_0 = s.fingerprint;
            self.minutes = s.minutes.clone();
            let total = s.minutes.len().saturating_mul(replicas);
            self.cost_usd.reserve_exact(total);
            self.tasks_running.reserve_exact(total);
            self.instances_live.reserve_exact(total);
        } else if self.misaligned.is_some() {
            return;
        } else if (s.len, s.first, s.fingerprint) != (self.len_0, self.first_0, self.fingerprint_0)
        {
            self.misaligned = Some((r, s.len, s.first));
            return;
        }
        self.cost_usd.extend_from_slice(&s.cost_usd);
        self.tasks_running.extend_from_slice(&s.tasks_running);
        self.instances_live.extend_from_slice(&s.instances_live);
    }

    fn bands(&self, replicas: usize) -> Result<Bands, BandsError> {
        if let Some((replica, len, first)) = self.misaligned {
            return Err(BandsError::Misaligned {
                replica,
                len,
                first,
                len_0: self.len_0,
                first_0: self.first_0,
            });
        }
        if self.len_0 == usize::MAX {
            return Err(BandsError::Misaligned {
                replica: 0,
                len: self.len_0,
                first: self.first_0,
                len_0: self.len_0,
                first_0: self.first_0,
            });
        }
        let points = self.minutes.len();
        let one_minute = band_step(self.len_0) == 1;
        let cost = |i: usize| self.cost_usd[i];
        let (tasks, inst) = (&self.tasks_running, &self.instances_live);
        Ok(Bands {
            replicas: replicas as u32,
            minutes: self.minutes.clone(),
            series: vec![
                percentile_band("cost_usd", replicas, points, true, &cost, &cost, &cost),
                percentile_band(
                    "tasks_running",
                    replicas,
                    points,
                    one_minute,
                    &|i| f64::from(tasks[i].low),
                    &|i| f64::from(tasks[i].last),
                    &|i| f64::from(tasks[i].high),
                ),
                percentile_band(
                    "instances_live",
                    replicas,
                    points,
                    one_minute,
                    &|i| f64::from(inst[i].low),
                    &|i| f64::from(inst[i].last),
                    &|i| f64::from(inst[i].high),
                ),
            ],
        })
    }
}

/// What one replica keeps of its time series: one entry per report minute, in minute order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Trace {
    /// The report's minute indices (`timeseries[].minute`).
    pub minutes: Vec<u64>,
    /// Cumulative cost at each minute, USD.
    pub cost_usd: Vec<f64>,
    /// Tasks RUNNING.
    pub tasks_running: Vec<f64>,
    /// EC2 instances pending, active or draining: the ones being paid for.
    pub instances_live: Vec<f64>,
}

impl Trace {
    /// The trace of `report`'s per-minute rows.
    pub fn of(report: &Report) -> Trace {
        let ts = &report.timeseries;
        Trace {
            minutes: ts.iter().map(|r| r.minute).collect(),
            cost_usd: ts.iter().map(|r| r.cost_usd).collect(),
            tasks_running: ts.iter().map(|r| f64::from(r.tasks_running)).collect(),
            instances_live: ts
                .iter()
                .map(|r| {
                    f64::from(r.instances_pending)
                        + f64::from(r.instances_active)
                        + f64::from(r.instances_draining)
                })
                .collect(),
        }
    }
}

/// One quantity's spread across replicas, minute by minute (rounded to 6 decimals).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Band {
    /// What it is: `cost_usd`, `tasks_running` or `instances_live`.
    pub name: &'static str,
    /// 5th percentile at each minute of [`Bands::minutes`].
    pub p5: Vec<f64>,
    /// Median.
    pub p50: Vec<f64>,
    /// 95th percentile.
    pub p95: Vec<f64>,
    /// Replica 0's own value: the run the other charts and files show.
    pub replica_0: Vec<f64>,
}

/// Per-minute spread of the replicas' traces.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Bands {
    /// Number of replicas.
    pub replicas: u32,
    /// Minute indices, shared by every replica: every minute, or the last minute of each
    /// bucket of a run longer than [`MAX_BAND_MINUTES`] minutes (see [`band_step`]).
    pub minutes: Vec<u64>,
    /// `cost_usd`, `tasks_running`, `instances_live`, in that order.
    pub series: Vec<Band>,
}

impl Bands {
    /// The band called `name`.
    pub fn get(&self, name: &str) -> Option<&Band> {
        self.series.iter().find(|b| b.name == name)
    }
}

/// Traces that cannot be lined up minute by minute.
#[derive(Debug, thiserror::Error)]
pub enum BandsError {
    /// No trace at all.
    #[error("no replica to take percentiles over")]
    NoReplica,
    /// A replica's minutes differ from replica 0's (a different duration); percentiles over
    /// misaligned minutes would mix different moments, so none are computed.
    #[error(
        "replica {replica} has {len} minutes, first {first:?}, where replica 0 has {len_0}, first {first_0:?}; replicas must cover the same minutes"
    )]
    Misaligned {
        /// Replica index.
        replica: usize,
        /// Its number of minutes.
        len: usize,
        /// Its first minute.
        first: Option<u64>,
        /// Replica 0's number of minutes.
        len_0: usize,
        /// Replica 0's first minute.
        first_0: Option<u64>,
    },
}

/// Per-minute p5, p50 and p95 over `traces` (replica 0 first), by [`percentile`], the method
/// the headline figures use ([`METHOD`]). A run longer than [`MAX_BAND_MINUTES`] is banded
/// per bucket of minutes ([`band_step`]), at the bucket's last minute: the cost there; for
/// the counts, p5 of each replica's lowest value in the bucket, the median of its last and
/// p95 of its highest, so short dips and spikes still show. Every trace must have exactly
/// replica 0's minutes.
pub fn bands(traces: &[Trace]) -> Result<Bands, BandsError> {
    let first = traces.first().ok_or(BandsError::NoReplica)?;
    for (i, t) in traces.iter().enumerate() {
        let consistent = t.cost_usd.len() == t.minutes.len()
            && t.tasks_running.len() == t.minutes.len()
            && t.instances_live.len() == t.minutes.len();
        if t.minutes != first.minutes || !consistent {
            return Err(BandsError::Misaligned {
                replica: i,
                len: t.minutes.len(),
                first: t.minutes.first().copied(),
                len_0: first.minutes.len(),
                first_0: first.minutes.first().copied(),
            });
        }
    }
    // Per bucket, straight from the traces (the accumulators' `Spread` is not used here,
    // so the two can be checked against each other).
    let buckets: Vec<std::ops::Range<usize>> = band_buckets(first.minutes.len()).collect();
    type Get = fn(&Trace) -> &[f64];
    let end = |v: &[f64], b: &std::ops::Range<usize>| v[b.end - 1];
    let lowest = |v: &[f64], b: &std::ops::Range<usize>| {
        v[b.clone()].iter().copied().fold(f64::INFINITY, f64::min)
    };
    let highest = |v: &[f64], b: &std::ops::Range<usize>| {
        v[b.clone()]
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max)
    };
    let band = |name: &'static str, get: Get, envelope: bool| {
        let n = buckets.len();
        let mut b = Band {
            name,
            p5: Vec::with_capacity(n),
            p50: Vec::with_capacity(n),
            p95: Vec::with_capacity(n),
            replica_0: buckets.iter().map(|k| round6(end(get(first), k))).collect(),
        };
        let mut column = Vec::with_capacity(traces.len());
        let mut at = |f: &dyn Fn(&[f64]) -> f64, q: f64| {
            column.clear();
            column.extend(traces.iter().map(|t| f(get(t))));
            column.sort_by(f64::total_cmp);
            round6(percentile(&column, q))
        };
        for k in &buckets {
            if envelope {
                b.p5.push(at(&|v| lowest(v, k), 0.05));
                b.p95.push(at(&|v| highest(v, k), 0.95));
            } else {
                b.p5.push(at(&|v| end(v, k), 0.05));
                b.p95.push(at(&|v| end(v, k), 0.95));
            }
            b.p50.push(at(&|v| end(v, k), 0.50));
        }
        b
    };
    Ok(Bands {
        replicas: traces.len() as u32,
        minutes: buckets.iter().map(|k| first.minutes[k.end - 1]).collect(),
        series: vec![
            band("cost_usd", |t| &t.cost_usd, false),
            band("tasks_running", |t| &t.tasks_running, true),
            band("instances_live", |t| &t.instances_live, true),
        ],
    })
}

/// A replica that failed: which one, with which seed, and why.
#[derive(Debug, thiserror::Error)]
#[error("replica {replica} (seed {seed})")]
pub struct ReplicaError {
    /// Replica index.
    pub replica: u32,
    /// Its seed.
    pub seed: u64,
    /// The run's error.
    #[source]
    pub error: RunError,
}

/// What one replica hands back, reduced where it ran: its figures and sampled trace, and
/// for replica 0 the full report.
struct Kept {
    report: Option<Box<Report>>,
    seed: u64,
    figures: Vec<Figure>,
    sampled: Sampled,
}

/// Runs `n` replicas of `scenario` (seeds from [`replica_seeds`]) on the current rayon pool,
/// [`CHUNK`] at a time.
///
/// `n` below 1 is taken as 1. An `n` over the memory cap is refused before anything runs
/// ([`check_memory`]). `progress` is called once per finished replica with the number
/// finished so far; calls are serialised and the count only grows.
///
/// If some replicas fail, the error returned is that of the lowest failing replica index,
/// whatever the scheduling: a replica is skipped only when a lower one has already failed.
pub fn run_replicas(
    scenario: &Scenario,
    base_seed: u64,
    n: u32,
    progress: &(dyn Fn(u32) + Sync),
) -> Result<Replicas, MonteCarloError> {
    run_replicas_in_chunks(scenario, base_seed, n, CHUNK, progress)
}

/// [`run_replicas`] with chunks of `chunk` replicas (at least 1), for tests showing that
/// the chunk size does not change the output.
pub fn run_replicas_in_chunks(
    scenario: &Scenario,
    base_seed: u64,
    n: u32,
    chunk: u32,
    progress: &(dyn Fn(u32) + Sync),
) -> Result<Replicas, MonteCarloError> {
    let n = n.max(1);
    check_memory(scenario, n)?;
    let seeds = replica_seeds(base_seed, n);
    let done = Mutex::new(0u32);
    let mut first = None;
    let mut figure_columns = FigureColumns::default();
    let mut band_columns = BandColumns::default();
    let chunk = chunk.max(1);
    let mut start = 0u32;
    while start < n {
        let end = start.saturating_add(chunk).min(n);
        let lowest_failed = AtomicU32::new(u32::MAX);
        let results: Vec<Option<Result<Kept, ReplicaError>>> = (start..end)
            .into_par_iter()
            .map(|i| {
                if i > lowest_failed.load(Ordering::Relaxed) {
                    return None;
                }
                let seed = seeds[i as usize];
                let kept = match crate::run(scenario, Some(seed), &mut |_| {}) {
                    Ok(report) => {
                        // Reduce the replica here, on its thread: its time series and
                        // events are dropped as soon as the few numbers kept are taken.
                        let sampled = Sampled::of(&Trace::of(&report));
                        let figures = figures(&report.summary);
                        Kept {
                            report: (i == 0).then(|| Box::new(report)),
                            seed,
                            figures,
                            sampled,
                        }
                    }
                    Err(error) => {
                        lowest_failed.fetch_min(i, Ordering::Relaxed);
                        return Some(Err(ReplicaError {
                            replica: i,
                            seed,
                            error,
                        }));
                    }
                };
                let mut d = done.lock().unwrap_or_else(|e| e.into_inner());
                *d += 1;
                progress(*d);
                Some(Ok(kept))
            })
            .collect();
        // In replica order: every replica below the lowest failure ran, so the first `Err`
        // met is the lowest failure and no `None` (skipped) comes before it. Earlier chunks
        // had no failure, or the loop would have returned.
        for (r, result) in (start as usize..).zip(results) {
            match result {
                Some(Ok(kept)) => {
                    if let Some(report) = kept.report {
                        first = Some(*report);
                    }
                    debug_assert_eq!(kept.seed, seeds[r]);
                    figure_columns.push(r, kept.figures);
                    band_columns.push(r, kept.sampled, n as usize);
                }
                Some(Err(e)) => return Err(e.into()),
                None => unreachable!("a replica is skipped only after a lower one failed"), // ok: see above
            }
        }
        start = end;
    }
    let first = first.expect("replica 0 either ran or its error was returned"); // ok: see the loop above
    Ok(Replicas {
        first,
        seeds,
        figures: figure_columns,
        bands: band_columns,
    })
}

/// One headline figure.
struct Figure {
    name: String,
    value: f64,
    /// Shown in the Monte Carlo table on stdout (every figure goes to the files).
    main: bool,
}

/// Builds the list in order.
#[derive(Default)]
struct Figures(Vec<Figure>);

impl Figures {
    fn add(&mut self, name: impl Into<String>, value: f64) {
        self.push(name.into(), value, false);
    }
    fn main(&mut self, name: impl Into<String>, value: f64) {
        self.push(name.into(), value, true);
    }
    /// A figure that exists only when `value` is `Some` (an undefined ratio is missing).
    fn opt(&mut self, name: impl Into<String>, value: Option<f64>, main: bool) {
        if let Some(v) = value {
            self.push(name.into(), v, main);
        }
    }
    fn push(&mut self, name: String, value: f64, main: bool) {
        // A non-finite number is no figure: treat it as missing.
        if value.is_finite() {
            self.0.push(Figure { name, value, main });
        }
    }
}

/// Every headline figure of `s`, in a stable order, with a stable dotted name.
///
/// THE place that decides which figures Monte Carlo runs aggregate: to add one, add a line
/// here (`main` puts it in the stdout table as well). `replicas.csv` and
/// `summary.json.monte_carlo` follow.
///
/// Figures that are ratios with a zero denominator (cost per completed task with no task
/// completed, waits with no task started, unserved % with no request, cost per million
/// requests with none served) are left out, not reported as 0, so they count as missing in
/// that replica; so are map entries absent from a replica.
pub fn headline_figures(s: &Summary) -> Vec<(String, f64)> {
    figures(s).into_iter().map(|f| (f.name, f.value)).collect()
}

fn figures(s: &Summary) -> Vec<Figure> {
    let mut f = Figures::default();
    let c = &s.cost;
    f.main("cost.total_usd", c.total_usd);
    f.main("cost.per_hour_usd", c.per_hour_usd);
    f.add("cost.ec2_usd", c.ec2_usd);
    f.add("cost.fargate_usd", c.fargate_usd);
    f.main("cost.idle_usd", c.idle_usd);
    let served: f64 = s
        .services
        .iter()
        .filter_map(|x| x.load.as_ref().map(|l| l.served))
        .sum();
    f.opt(
        "cost.per_million_requests_usd",
        c.per_million_requests_usd.filter(|_| served > 0.0),
        true,
    );
    for (name, v) in &c.by_capacity_provider {
        f.main(format!("cost.by_capacity_provider.{name}"), *v);
    }
    f.main("reservation.cpu_pct_avg", s.reservation.cpu_pct_avg);
    f.main("reservation.memory_pct_avg", s.reservation.memory_pct_avg);
    f.add("instances.launched", s.instances.launched as f64);
    f.main("instances.peak", s.instances.peak as f64);
    f.add("instances.instance_hours", s.instances.instance_hours);
    let t = &s.tasks;
    f.add("tasks.submitted", t.submitted as f64);
    f.add("tasks.started", t.started as f64);
    f.main("tasks.completed", t.completed as f64);
    f.add("tasks.stopped_by_scheduler", t.stopped_by_scheduler as f64);
    f.main("tasks.failed", t.failed as f64);
    f.add("tasks.never_placed", t.never_placed as f64);
    f.add("tasks.interrupted", t.interrupted as f64);
    f.add("tasks.crashed", t.crashed as f64);
    let w = &s.wait_time_s;
    let waited = w.count > 0;
    f.opt("wait_time_s.mean", waited.then_some(w.mean), true);
    f.opt("wait_time_s.p50", waited.then_some(w.p50), false);
    f.opt("wait_time_s.p95", waited.then_some(w.p95), true);
    f.opt("wait_time_s.p99", waited.then_some(w.p99), false);
    for sv in &s.services {
        let p = format!("services.{}", sv.name);
        f.main(
            format!("{p}.minutes_below_desired"),
            sv.minutes_below_desired as f64,
        );
        f.add(format!("{p}.cost_usd"), sv.cost_usd);
        f.add(format!("{p}.desired_max"), f64::from(sv.desired_max));
        let a = &sv.availability;
        f.add(
            format!("{p}.availability.task_minutes_below_desired"),
            a.task_minutes_below_desired as f64,
        );
        if s.faults.is_some() {
            f.add(
                format!("{p}.availability.tasks_lost_to_faults"),
                a.tasks_lost_to_faults as f64,
            );
            f.opt(
                format!("{p}.availability.time_to_recover_max_s"),
                (a.recoveries > 0).then_some(a.time_to_recover_max_s),
                true,
            );
            if sv.load.is_some() {
                f.add(
                    format!("{p}.availability.unserved_due_to_faults"),
                    a.unserved_due_to_faults,
                );
            }
        }
        if let Some(l) = &sv.load {
            f.opt(
                format!("{p}.load.unserved_pct"),
                (l.requests > 0.0).then_some(l.unserved_pct),
                true,
            );
            f.add(format!("{p}.load.requests"), l.requests);
            f.add(
                format!("{p}.load.minutes_with_shortfall"),
                l.minutes_with_shortfall as f64,
            );
        }
    }
    if let Some(x) = &s.faults {
        f.add("faults.instance_failures", x.instance_failures as f64);
        f.add("faults.az_outages", x.az_outages as f64);
        f.add(
            "faults.spot_instances_reclaimed",
            x.spot_instances_reclaimed as f64,
        );
        f.add(
            "faults.fargate_spot_interruptions",
            x.fargate_spot_interruptions as f64,
        );
        f.add("faults.task_crashes", x.task_crashes as f64);
        f.main("faults.tasks_killed", x.tasks_killed as f64);
        f.add("faults.batch_task_reruns", x.batch_task_reruns as f64);
        f.add("faults.wasted_task_seconds", x.wasted_task_seconds);
        f.main("faults.wasted_cost_usd", x.wasted_cost_usd);
    }
    for wl in &s.workloads {
        let p = format!("workloads.{}", wl.name);
        f.add(format!("{p}.tasks.completed"), wl.tasks.completed as f64);
        f.opt(
            format!("{p}.wait_time_s.p95"),
            (wl.wait_time_s.count > 0).then_some(wl.wait_time_s.p95),
            true,
        );
        f.main(format!("{p}.cost_usd"), wl.cost_usd);
        f.opt(
            format!("{p}.cost_per_completed_task_usd"),
            (wl.tasks.completed > 0).then_some(wl.cost_per_completed_task_usd),
            false,
        );
    }
    f.0
}

/// One figure across the replicas. Every number is rounded to 6 decimals.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FigureStats {
    /// Replicas in which the figure exists (fewer than `replicas` when it is missing in some).
    pub n: u32,
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (divisor n − 1); 0 when n = 1.
    pub sd: f64,
    /// Smallest value.
    pub min: f64,
    /// 5th percentile (linear interpolation between order statistics, see [`percentile`]).
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Largest value.
    pub max: f64,
    /// Lower end of the 95 % confidence interval of the mean: mean − t(0.975, n−1)·sd/√n.
    pub ci95_low: f64,
    /// Upper end: mean + t(0.975, n−1)·sd/√n. Equal to the mean when n = 1.
    pub ci95_high: f64,
}

/// Rounds to 6 decimals (and turns −0 into 0), so the JSON is stable.
fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6 + 0.0
}

/// The `p`-quantile (0 ≤ p ≤ 1) of ascending `sorted`, by linear interpolation between the
/// closest order statistics: rank h = (n − 1)·p, value x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]).
/// This is Hyndman and Fan's definition 7, the default of R's `quantile` and NumPy's
/// `percentile`. `sorted` must not be empty.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Student's t quantile t(0.975, df): the half-width factor of a two-sided 95 % interval.
///
/// df 1–30: the standard table values to 6 decimals (as in Abramowitz and Stegun, Table
/// 26.10, and any statistics package); a unit test checks each against a numerical
/// integration of the t density. df > 30: the Cornish–Fisher expansion of t in terms of the
/// normal quantile z = 1.959964 (Abramowitz and Stegun 26.7.5, four terms), whose error is
/// below 1e-6 there. df = 0 has no interval and returns 0.
pub fn t_975(df: u32) -> f64 {
    const TABLE: [f64; 30] = [
        12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004, 2.262157,
        2.228139, 2.200985, 2.178813, 2.160369, 2.144787, 2.131450, 2.119905, 2.109816, 2.100922,
        2.093024, 2.085963, 2.079614, 2.073873, 2.068658, 2.063899, 2.059539, 2.055529, 2.051831,
        2.048407, 2.045230, 2.042272,
    ];
    match df {
        0 => 0.0,
        1..=30 => TABLE[df as usize - 1],
        _ => {
            let z: f64 = 1.959_963_984_540_054;
            let v = f64::from(df);
            let (z3, z5, z7) = (z.powi(3), z.powi(5), z.powi(7));
            z + (z3 + z) / (4.0 * v)
                + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * v * v)
                + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * v * v * v)
        }
    }
}

impl FigureStats {
    /// Statistics of `values` (at least one, all finite; order does not matter).
    pub fn of(values: &[f64]) -> FigureStats {
        assert!(!values.is_empty(), "FigureStats of no values");
        let n = values.len();
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let mean = sorted.iter().sum::<f64>() / n as f64;
        let sd = if n > 1 {
            let ss: f64 = sorted.iter().map(|x| (x - mean) * (x - mean)).sum();
            (ss / (n - 1) as f64).sqrt()
        } else {
            0.0
        };
        let half = t_975(n as u32 - 1) * sd / (n as f64).sqrt();
        FigureStats {
            n: n as u32,
            mean: round6(mean),
            sd: round6(sd),
            min: round6(sorted[0]),
            p5: round6(percentile(&sorted, 0.05)),
            p50: round6(percentile(&sorted, 0.50)),
            p95: round6(percentile(&sorted, 0.95)),
            max: round6(sorted[n - 1]),
            ci95_low: round6(mean - half),
            ci95_high: round6(mean + half),
        }
    }

    /// Width of the confidence interval.
    pub fn ci95_width(&self) -> f64 {
        self.ci95_high - self.ci95_low
    }
}

/// One figure's statistics, by name.
#[derive(Clone, Debug, PartialEq)]
pub struct NamedFigure {
    /// Dotted name from [`headline_figures`].
    pub name: String,
    /// Shown in the stdout table.
    pub main: bool,
    /// The statistics.
    pub stats: FigureStats,
}

/// `summary.json.monte_carlo`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MonteCarloSummary {
    /// Number of replicas.
    pub replicas: u32,
    /// Their seeds, replica 0 first.
    pub seeds: Vec<u64>,
    /// How the statistics are computed.
    pub method: &'static str,
    /// Name → statistics, in the order of [`headline_figures`] (names first seen in a later
    /// replica come after). A JSON object whose keys keep that order.
    #[serde(serialize_with = "ordered_map")]
    pub figures: Vec<NamedFigure>,
}

impl MonteCarloSummary {
    /// The statistics of one figure.
    pub fn get(&self, name: &str) -> Option<&FigureStats> {
        self.figures
            .iter()
            .find(|f| f.name == name)
            .map(|f| &f.stats)
    }
}

fn ordered_map<S: Serializer>(figures: &[NamedFigure], s: S) -> Result<S::Ok, S::Error> {
    let mut m = s.serialize_map(Some(figures.len()))?;
    for f in figures {
        m.serialize_entry(&f.name, &f.stats)?;
    }
    m.end()
}

/// What [`MonteCarloSummary::method`] says.
pub const METHOD: &str = "per figure over the replicas where it exists (n): mean; sd with divisor n-1; min, max; p5, p50, p95 by linear interpolation between order statistics (Hyndman-Fan 7, as R and NumPy); ci95 = mean -/+ t(0.975, n-1) * sd / sqrt(n) (Student); rounded to 6 decimals";

/// The union of the figure names of `summaries`, in first-seen order, with each one's
/// value per summary (`None`: missing there).
fn columns(summaries: &[&Summary]) -> Vec<(String, bool, Vec<Option<f64>>)> {
    let mut cols: Vec<(String, bool, Vec<Option<f64>>)> = Vec::new();
    let mut index = BTreeMap::<String, usize>::new();
    for (r, s) in summaries.iter().enumerate() {
        for f in figures(s) {
            let i = *index.entry(f.name.clone()).or_insert_with(|| {
                cols.push((f.name.clone(), f.main, vec![None; summaries.len()]));
                cols.len() - 1
            });
            cols[i].2[r] = Some(f.value);
        }
    }
    cols
}

/// Statistics of every headline figure over `summaries` (one per replica, replica order).
pub fn aggregate(summaries: &[&Summary]) -> MonteCarloSummary {
    let figures = columns(summaries)
        .into_iter()
        .map(|(name, main, values)| {
            let present: Vec<f64> = values.into_iter().flatten().collect();
            NamedFigure {
                name,
                main,
                stats: FigureStats::of(&present),
            }
        })
        .collect();
    MonteCarloSummary {
        replicas: summaries.len() as u32,
        seeds: summaries.iter().map(|s| s.seed).collect(),
        method: METHOD,
        figures,
    }
}

/// `summary.json` with a `monte_carlo` object after the summary's own fields (none when
/// `monte_carlo` is `None`: then the bytes are exactly `report::render::summary_json`'s).
pub fn summary_json(summary: &Summary, monte_carlo: Option<&MonteCarloSummary>) -> String {
    #[derive(Serialize)]
    struct WithMonteCarlo<'a> {
        #[serde(flatten)]
        summary: &'a Summary,
        #[serde(skip_serializing_if = "Option::is_none")]
        monte_carlo: Option<&'a MonteCarloSummary>,
    }
    let mut s = serde_json::to_string_pretty(&WithMonteCarlo {
        summary,
        monte_carlo,
    })
    .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

/// `replicas.csv`: one row per replica (replica, seed, then every headline figure; columns
/// are the union of the names in first-seen order; an empty cell is a missing figure).
pub fn replicas_csv(summaries: &[&Summary]) -> String {
    let cols = columns(summaries);
    let names: Vec<&str> = cols.iter().map(|(n, _, _)| n.as_str()).collect();
    let mut out = csv_header(&names);
    for (r, s) in summaries.iter().enumerate() {
        csv_row(
            &mut out,
            r,
            s.seed,
            cols.iter().map(|(_, _, values)| values[r]),
        );
    }
    out
}

/// `replicas.csv`'s header line.
fn csv_header(names: &[&str]) -> String {
    let mut out = String::from("replica,seed");
    for name in names {
        out.push(',');
        out.push_str(&crate::report::render::csv_field(name));
    }
    out.push('\n');
    out
}

/// One `replicas.csv` row.
fn csv_row(out: &mut String, r: usize, seed: u64, values: impl Iterator<Item = Option<f64>>) {
    let _ = write!(out, "{r},{seed}");
    for v in values {
        out.push(',');
        if let Some(v) = v {
            let _ = write!(out, "{v}");
        }
    }
    out.push('\n');
}

/// The Monte Carlo table printed on stdout: the main figures.
pub fn table(mc: &MonteCarloSummary) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Monte Carlo: {} replicas, seeds {}–{}",
        mc.replicas,
        mc.seeds.first().copied().unwrap_or(0),
        mc.seeds.last().copied().unwrap_or(0)
    );
    let _ = writeln!(out);
    let main: Vec<&NamedFigure> = mc.figures.iter().filter(|f| f.main).collect();
    let width = main.iter().map(|f| f.name.len()).max().unwrap_or(6).max(6);
    let _ = writeln!(
        out,
        "{:<width$} {:>4} {:>12} {:>12} {:>12} {:>12} {:>12}  95% CI of the mean",
        "figure", "n", "mean", "sd", "p5", "p50", "p95"
    );
    for f in main {
        let s = &f.stats;
        let big = [s.mean, s.p5, s.p95, s.ci95_low, s.ci95_high]
            .iter()
            .any(|x| x.abs() >= 1e5);
        let num = |x: f64| crate::report::render::grouped(x, if big { 1 } else { 4 });
        let _ = writeln!(
            out,
            "{:<width$} {:>4} {:>12} {:>12} {:>12} {:>12} {:>12}  [{}, {}]",
            f.name,
            s.n,
            num(s.mean),
            num(s.sd),
            num(s.p5),
            num(s.p50),
            num(s.p95),
            num(s.ci95_low),
            num(s.ci95_high)
        );
    }
    out
}

/// The Monte Carlo figures (the main ones, as in [`table`]) as a table for `report.html`.
pub fn html_table(mc: &MonteCarloSummary) -> crate::report::html::ExtraTable {
    let num = |x: f64| crate::report::render::grouped(x, 4);
    crate::report::html::ExtraTable {
        heading: "Monte Carlo".to_string(),
        note: format!(
            "{} replicas, seeds {}–{}; the sections above are replica 0.",
            mc.replicas,
            mc.seeds.first().copied().unwrap_or(0),
            mc.seeds.last().copied().unwrap_or(0)
        ),
        columns: [
            "figure",
            "n",
            "mean",
            "sd",
            "p5",
            "p50",
            "p95",
            "95% CI of the mean",
        ]
        .iter()
        .map(|c| c.to_string())
        .collect(),
        rows: mc
            .figures
            .iter()
            .filter(|f| f.main)
            .map(|f| {
                let s = &f.stats;
                vec![
                    f.name.clone(),
                    s.n.to_string(),
                    num(s.mean),
                    num(s.sd),
                    num(s.p5),
                    num(s.p50),
                    num(s.p95),
                    format!("{} to {}", num(s.ci95_low), num(s.ci95_high)),
                ]
            })
            .collect(),
        // The spread charts are drawn by the binary, which has the bands.
        charts: vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn seeds_count_up_from_the_base_and_wrap() {
        assert_eq!(replica_seeds(42, 3), vec![42, 43, 44]);
        assert_eq!(replica_seeds(u64::MAX, 3), vec![u64::MAX, 0, 1]);
        assert!(replica_seeds(7, 0).is_empty());
    }

    #[test]
    fn stats_of_five_hand_computed_values() {
        // 1, 2, 3, 4, 10 (given shuffled): mean 4; deviations −3 −2 −1 0 6, squares sum 50,
        // sample variance 50/4 = 12.5, sd = 3.535534. t(0.975, 4) = 2.776 (table 2.776445):
        // half-width 2.776445 × 3.535534 / √5 = 4.389945.
        // Percentiles (type 7): h = 4p; p5 → h 0.2: 1 + 0.2 × 1 = 1.2; p50 → h 2: 3;
        // p95 → h 3.8: 4 + 0.8 × 6 = 8.8.
        let s = FigureStats::of(&[10.0, 3.0, 1.0, 4.0, 2.0]);
        assert_eq!(s.n, 5);
        assert_eq!(s.mean, 4.0);
        assert!(close(s.sd, 3.535534, 1e-6), "sd {}", s.sd);
        assert_eq!((s.min, s.max), (1.0, 10.0));
        assert!(close(s.p5, 1.2, 1e-9), "p5 {}", s.p5);
        assert_eq!(s.p50, 3.0);
        assert!(close(s.p95, 8.8, 1e-9), "p95 {}", s.p95);
        let half = 2.776 * 12.5f64.sqrt() / 5f64.sqrt();
        assert!(close(s.ci95_low, 4.0 - half, 2e-3), "ci low {}", s.ci95_low);
        assert!(
            close(s.ci95_high, 4.0 + half, 2e-3),
            "ci high {}",
            s.ci95_high
        );
        assert!(
            close(s.ci95_high, 8.389945, 1e-6),
            "ci high {}",
            s.ci95_high
        );
        assert!(close(s.ci95_low, -0.389945, 1e-6), "ci low {}", s.ci95_low);
    }

    #[test]
    fn one_value_is_its_own_interval() {
        let s = FigureStats::of(&[2.5]);
        assert_eq!(s.n, 1);
        assert_eq!(s.sd, 0.0);
        for v in [
            s.mean,
            s.min,
            s.p5,
            s.p50,
            s.p95,
            s.max,
            s.ci95_low,
            s.ci95_high,
        ] {
            assert_eq!(v, 2.5);
        }
    }

    #[test]
    fn two_values_use_t_with_one_degree_of_freedom() {
        // mean 1, sd √2, half-width 12.706205 × √2 / √2 = 12.706205.
        let s = FigureStats::of(&[0.0, 2.0]);
        assert!(close(s.sd, 2f64.sqrt(), 1e-6));
        assert!(close(s.ci95_low, 1.0 - 12.706205, 1e-6));
        assert!(close(s.ci95_high, 1.0 + 12.706205, 1e-6));
        assert!(close(s.p5, 0.1, 1e-9) && close(s.p95, 1.9, 1e-9));
    }

    #[test]
    fn stats_are_rounded_to_six_decimals() {
        let s = FigureStats::of(&[1.0 / 3.0, 2.0 / 3.0, 1.0]);
        assert_eq!(s.mean, 0.666667);
        assert_eq!(s.min, 0.333333);
    }

    /// Γ((ν+1)/2) / Γ(ν/2) for integer ν, from Γ(1/2) = √π, Γ(1) = 1, Γ(x+1) = xΓ(x).
    fn gamma_ratio(nu: u32) -> f64 {
        let mut c = 1.0 / std::f64::consts::PI.sqrt(); // ν = 1: Γ(1)/Γ(1/2)
        for k in 1..nu {
            c = (f64::from(k) / 2.0) / c; // ν = k+1 from ν = k
        }
        c
    }

    /// P(0 ≤ T ≤ x) for Student's t with ν degrees of freedom, by Simpson's rule.
    fn t_mass(nu: u32, x: f64) -> f64 {
        let v = f64::from(nu);
        let k = gamma_ratio(nu) / (v * std::f64::consts::PI).sqrt();
        let pdf = |t: f64| k * (1.0 + t * t / v).powf(-(v + 1.0) / 2.0);
        let m = 20_000;
        let h = x / m as f64;
        let mut s = pdf(0.0) + pdf(x);
        for i in 1..m {
            s += pdf(i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
        }
        s * h / 3.0
    }

    #[test]
    fn t_quantiles_leave_two_and_a_half_percent_in_each_tail() {
        // Independent check of the table and of the expansion: the t density integrates to
        // 0.475 between 0 and t(0.975, ν).
        for nu in (1..=40).chain([50, 63, 99, 200, 1000]) {
            let q = t_975(nu);
            let mass = t_mass(nu, q);
            assert!(close(mass, 0.475, 1e-6), "ν {nu}: t {q} leaves mass {mass}");
        }
        assert!(close(t_975(4), 2.776, 5e-4));
        // Large df: z + (z³ + z)/(4ν) ≈ 1.959964 + 0.0000237.
        assert!(close(t_975(100_000), 1.959988, 1e-6));
    }

    #[test]
    fn percentile_interpolates_between_order_statistics() {
        let x = [10.0, 20.0, 30.0, 40.0];
        assert_eq!(percentile(&x, 0.0), 10.0);
        assert_eq!(percentile(&x, 1.0), 40.0);
        assert!(close(percentile(&x, 0.5), 25.0, 1e-12));
        assert!(close(percentile(&x, 0.05), 11.5, 1e-12));
        assert_eq!(percentile(&[7.0], 0.95), 7.0);
    }

    fn trace(minutes: &[u64], cost: &[f64]) -> Trace {
        Trace {
            minutes: minutes.to_vec(),
            cost_usd: cost.to_vec(),
            // Running tasks: twice the cost, so the second band is checked by the first.
            tasks_running: cost.iter().map(|c| 2.0 * c).collect(),
            instances_live: vec![1.0; minutes.len()],
        }
    }

    #[test]
    fn bands_are_per_minute_percentiles_over_replicas() {
        // Five replicas, two minutes. Minute 1 costs 10, 3, 1, 4, 2 (as in
        // stats_of_five_hand_computed_values): sorted 1 2 3 4 10, p5 1.2, p50 3, p95 8.8.
        // Minute 2 costs 5 in every replica: every percentile 5.
        let costs = [10.0, 3.0, 1.0, 4.0, 2.0];
        let traces: Vec<Trace> = costs.iter().map(|&c| trace(&[1, 2], &[c, 5.0])).collect();
        let b = bands(&traces).expect("aligned");
        assert_eq!(b.replicas, 5);
        assert_eq!(b.minutes, vec![1, 2]);
        let names: Vec<&str> = b.series.iter().map(|s| s.name).collect();
        assert_eq!(names, ["cost_usd", "tasks_running", "instances_live"]);
        let cost = b.get("cost_usd").expect("cost band");
        assert_eq!(cost.p5, vec![1.2, 5.0]);
        assert_eq!(cost.p50, vec![3.0, 5.0]);
        assert_eq!(cost.p95, vec![8.8, 5.0]);
        assert_eq!(cost.replica_0, vec![10.0, 5.0], "replica 0 as it ran");
        let tasks = b.get("tasks_running").expect("tasks band");
        assert_eq!(tasks.p5, vec![2.4, 10.0]);
        assert_eq!(tasks.p95, vec![17.6, 10.0]);
        // The order of replicas other than 0 does not matter.
        let mut shuffled = traces.clone();
        shuffled[1..].reverse();
        assert_eq!(bands(&shuffled).expect("aligned"), b);
    }

    #[test]
    fn one_replica_is_its_own_band_and_none_is_an_error() {
        let b = bands(&[trace(&[1], &[0.5])]).expect("one replica");
        let cost = b.get("cost_usd").expect("cost band");
        assert_eq!((cost.p5[0], cost.p50[0], cost.p95[0]), (0.5, 0.5, 0.5));
        let empty = bands(&[Trace::default()]).expect("no minutes");
        assert!(empty.minutes.is_empty() && empty.series.iter().all(|s| s.p50.is_empty()));
        assert!(matches!(bands(&[]), Err(BandsError::NoReplica)));
    }

    #[test]
    fn replicas_of_different_lengths_are_refused_not_misaligned() {
        let traces = [
            trace(&[1, 2, 3], &[1.0, 2.0, 3.0]),
            trace(&[1, 2], &[1.0, 2.0]),
        ];
        let e = bands(&traces).expect_err("different minutes");
        assert!(matches!(
            e,
            BandsError::Misaligned {
                replica: 1,
                len: 2,
                len_0: 3,
                ..
            }
        ));
        assert!(e.to_string().contains("same minutes"), "{e}");
        let shifted = [trace(&[1, 2], &[1.0, 2.0]), trace(&[2, 3], &[1.0, 2.0])];
        assert!(bands(&shifted).is_err(), "same length, other minutes");
    }

    #[test]
    fn band_points_are_capped_and_keep_the_last_minute() {
        assert_eq!(band_step(0), 1);
        assert_eq!(band_step(MAX_BAND_MINUTES), 1, "48 h: minutes 0 to 2,880");
        assert_eq!(MAX_BAND_MINUTES, 2_881);
        // One more minute: minute 0, then ⌈2,881 / 1,440⌉ = 3 a bucket.
        assert_eq!(band_step(MAX_BAND_MINUTES + 1), 3);
        // 30 days: 43,201 rows; minute 0 alone, then buckets of ⌈43,200 / 1,440⌉ = 30
        // minutes: exactly 1,440, the last ending at the last minute, 43,200.
        assert_eq!(band_step(43_201), 30);
        let buckets: Vec<std::ops::Range<usize>> = band_buckets(43_201).collect();
        assert_eq!(buckets.len(), 1_441);
        assert_eq!(buckets[..2], [0..1, 1..31]);
        assert_eq!(buckets[1_440], 43_171..43_201);
        for len in [MAX_BAND_MINUTES + 1, 3_000, 5_759, 5_760, 100_000, 527_041] {
            let n = band_buckets(len).count();
            assert!(n <= BUCKETED_BAND_POINTS + 1, "{len} minutes: {n} points");
            assert_eq!(band_buckets(len).last().map(|b| b.end), Some(len));
            // Buckets tile the minutes.
            let covered: usize = band_buckets(len).map(|b| b.len()).sum();
            assert_eq!(covered, len);
        }
    }

    /// Three replicas of `len` minutes with distinct, replica-dependent values.
    fn long_traces(len: u64) -> Vec<Trace> {
        (0..3u64)
            .map(|r| Trace {
                minutes: (1..=len).collect(),
                cost_usd: (0..len).map(|m| (m * (r + 1)) as f64 / 7.0).collect(),
                tasks_running: (0..len).map(|m| ((m + r * 5) % 11) as f64).collect(),
                instances_live: (0..len).map(|m| ((m * r) % 3) as f64).collect(),
            })
            .collect()
    }

    #[test]
    fn long_runs_are_banded_per_bucket_and_folding_agrees() {
        let traces = long_traces(3_000);
        let b = bands(&traces).expect("aligned");
        // Minute 1 (index 0) alone, then buckets of ⌈2,999 / 1,440⌉ = 3 indices: 1–3, 4–6,
        // …, 2,998–2,999 (short): points at minutes 1, 4, 7, …, 2,998 and 3,000.
        assert_eq!(b.minutes.len(), 1_001);
        assert_eq!(b.minutes[..3], [1, 4, 7]);
        assert_eq!(b.minutes.last(), Some(&3_000));
        // Bucket 2 is indices 4–6 (minutes 5–7). Cost at index 6: 6/7, 12/7, 18/7 for
        // replicas 0–2, so the median is 12/7 and replica 0's 6/7.
        let cost = b.get("cost_usd").expect("cost");
        assert_eq!(cost.p50[2], round6(12.0 / 7.0));
        assert_eq!(cost.replica_0[2], round6(6.0 / 7.0));
        // Tasks (m + 5r) mod 11 over indices 4–6: replica 0: 4 5 6, replica 1: 9 10 0,
        // replica 2: 3 4 5. Lowest 4 0 3 (sorted 0 3 4): p5 at rank 0.1 = 0.3. Highest
        // 6 10 5 (sorted 5 6 10): p95 at rank 1.9 = 6 + 0.9 × 4 = 9.6. Last 6 0 5: median 5.
        let tasks = b.get("tasks_running").expect("tasks");
        assert_eq!(tasks.p5[2], round6(0.3));
        assert_eq!((tasks.p50[2], tasks.p95[2]), (5.0, 9.6));
        assert_eq!(tasks.replica_0[2], 6.0);
        // The accumulators give the same bands, bucketed or not.
        for traces in [traces, long_traces(40)] {
            let mut columns = BandColumns::default();
            for (r, t) in traces.iter().enumerate() {
                columns.push(r, Sampled::of(t), traces.len());
            }
            assert_eq!(
                columns.bands(traces.len()).expect("aligned"),
                bands(&traces).expect("aligned")
            );
        }
    }

    #[test]
    fn folding_refuses_misaligned_replicas_as_bands_does() {
        let traces = [
            trace(&[1, 2, 3], &[1.0, 2.0, 3.0]),
            trace(&[1, 2, 3], &[1.0, 2.0, 3.0]),
            trace(&[2, 3, 4], &[1.0, 2.0, 3.0]),
        ];
        let mut columns = BandColumns::default();
        for (r, t) in traces.iter().enumerate() {
            columns.push(r, Sampled::of(t), traces.len());
        }
        let e = columns.bands(3).expect_err("replica 2 is shifted");
        assert!(
            matches!(
                e,
                BandsError::Misaligned {
                    replica: 2,
                    len: 3,
                    first: Some(2),
                    ..
                }
            ),
            "{e}"
        );
        assert_eq!(
            e.to_string(),
            bands(&traces).expect_err("shifted").to_string()
        );
    }
}
