//! `ecsim compare`: the same workload under several capacity setups, side by side.
//!
//! [`plan`] turns scenario files (several files, or one file with named variants) into a list
//! of named runs; [`run_variants`] runs them in parallel with one seed, collected in input
//! order; [`compare`] turns their [`Summary`]s into a [`Comparison`] (headline figures, deltas
//! against the first variant, break-even lines); [`compare_json`], [`table`] and [`html`]
//! render it. Nothing here does I/O: the binary writes the files.
//!
//! Every variant runs with the same seed (common random numbers): each subsystem draws from
//! its own stream derived from `(seed, stream name)`, so the workload replayed is the same in
//! every variant and the differences come from the capacity, not from luck.
//!
//! With `--replicas N` ([`run_replicated`], [`add_replicas`]) every variant runs N times with
//! seeds `base + r`, replica r of every variant with the same seed, so the per-replica
//! differences against the first variant are paired and their Student-t interval is narrower
//! than the one two independent samples would give (see [`PairedDelta`]). Only each
//! replica's [`Figures`] are kept, except replica 0's full reports, written as a single
//! comparison writes them.
//!
//! The break-even is measured, not modelled: it takes the cost per RUNNING task-hour that each
//! run billed, and the share of the EC2 spend that tasks reserved, and asks at what average
//! reservation the EC2 cost per task-hour would equal Fargate's (see [`BreakEven`]).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use rayon::prelude::*;
use serde::Serialize;

use crate::montecarlo::{replica_seeds, t_975, FigureStats};
use crate::report::html::{escape, CSS};
use crate::report::{Report, Summary};
use crate::scenario::variants::{check_name, is_reserved_name, MAX_VARIANT_NAME_LEN};
use crate::scenario::{Scenario, ScenarioSet};
use crate::RunError;

/// Version of the `compare.json` schema. Bump on any breaking change to its fields.
pub const SCHEMA_VERSION: u32 = 1;

/// One run of a comparison.
#[derive(Clone, Debug)]
pub struct Planned {
    /// Variant name: unique in the comparison, filename-safe (its output folder).
    pub name: String,
    /// What the variant is.
    pub description: String,
    /// The scenario file it came from.
    pub file: PathBuf,
    /// The validated scenario to run.
    pub scenario: Scenario,
}

/// The runs of a comparison, in input order. Each file contributes its variants when it has
/// some (named as the file names them), otherwise its base scenario named after the
/// scenario. A name already taken gets `-<file stem>` appended, then `-2`, `-3`, … The first
/// run is the reference the deltas are measured against.
pub fn plan(inputs: Vec<(PathBuf, ScenarioSet)>) -> Vec<Planned> {
    let mut out: Vec<Planned> = Vec::new();
    for (file, set) in inputs {
        let stem = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let runs: Vec<(String, String, Scenario)> = if set.variants.is_empty() {
            let s = set.base;
            vec![(safe_name(&s.name), s.description.clone(), s)]
        } else {
            set.variants
                .into_iter()
                .map(|v| (v.name, v.description, v.scenario))
                .collect()
        };
        for (name, description, scenario) in runs {
            // Case-insensitively (some file systems fold case), and never a name compare
            // writes itself.
            let taken =
                |n: &str| is_reserved_name(n) || out.iter().any(|p| p.name.eq_ignore_ascii_case(n));
            let mut unique = name.clone();
            if taken(&unique) {
                unique = safe_name(&format!("{name}-{stem}"));
            }
            let mut k = 2;
            let stemmed = unique.clone();
            while taken(&unique) {
                unique = format!("{stemmed}-{k}");
                k += 1;
            }
            out.push(Planned {
                name: unique,
                description,
                file: file.clone(),
                scenario,
            });
        }
    }
    out
}

/// `name` made filename-safe: characters outside `A–Z a–z 0–9 . _ -` become `-`, no leading
/// `.` or `-`, at most [`MAX_VARIANT_NAME_LEN`] characters, `variant` when nothing is left.
pub fn safe_name(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    s = s.trim_start_matches(['.', '-']).to_string();
    // ASCII only by now, so byte truncation is a character boundary.
    s.truncate(MAX_VARIANT_NAME_LEN.saturating_sub(4));
    if is_reserved_name(&s) {
        s.push_str("-run");
    }
    if check_name(&s).is_err() {
        s = "variant".into();
    }
    s
}

/// A variant whose run failed.
#[derive(Debug, thiserror::Error)]
#[error("variant {name}")]
pub struct VariantError {
    /// The variant (boxed: keeps the error small, clippy's `result_large_err`).
    pub name: Box<str>,
    /// Why its run failed.
    #[source]
    pub error: RunError,
}

/// Runs every planned variant with `seed`, in parallel, results in input order (whatever the
/// thread count). `progress` is called once per finished variant with the number finished;
/// calls are serialised. On failure, the error of the first failing variant in input order.
pub fn run_variants(
    planned: &[Planned],
    seed: u64,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Vec<Report>, VariantError> {
    let lowest_failed = AtomicUsize::new(usize::MAX);
    let done = Mutex::new(0usize);
    let results: Vec<Option<Result<Report, VariantError>>> = planned
        .par_iter()
        .enumerate()
        .map(|(i, p)| {
            if i > lowest_failed.load(Ordering::Relaxed) {
                return None;
            }
            let r = crate::run(&p.scenario, Some(seed), &mut |_| {}).map_err(|error| {
                lowest_failed.fetch_min(i, Ordering::Relaxed);
                VariantError {
                    name: p.name.as_str().into(),
                    error,
                }
            });
            let mut d = done.lock().unwrap_or_else(|e| e.into_inner());
            *d += 1;
            progress(*d);
            Some(r)
        })
        .collect();
    let mut reports = Vec::with_capacity(results.len());
    // Every variant before the lowest failure ran, so the first `Err` met is that failure
    // and no skipped (`None`) variant comes before it.
    for r in results.into_iter().flatten() {
        reports.push(r?);
    }
    Ok(reports)
}

/// A replica of a variant whose run failed (`compare --replicas`).
#[derive(Debug, thiserror::Error)]
#[error("variant {}, replica {} (seed {})", .at.name, .at.replica, .at.seed)]
pub struct ReplicaRunError {
    /// Which run (boxed: keeps the error small, clippy's `result_large_err`).
    pub at: Box<ReplicaAt>,
    /// Why it failed.
    #[source]
    pub error: RunError,
}

/// The run a [`ReplicaRunError`] names.
#[derive(Debug)]
pub struct ReplicaAt {
    /// The variant.
    pub name: String,
    /// The replica (0 is the base seed).
    pub replica: u32,
    /// Its seed.
    pub seed: u64,
}

/// What [`run_replicated`] keeps: replica 0's full reports, and every replica's figures.
#[derive(Clone, Debug)]
pub struct ReplicatedRuns {
    /// Replica 0 of each variant, in input order: the runs whose files are written.
    pub reports: Vec<Report>,
    /// `figures[v][r]`: variant v's figures in replica r (replica 0 included).
    pub figures: Vec<Vec<Figures>>,
    /// The seed of replica r, the same for every variant.
    pub seeds: Vec<u64>,
}

/// What one (variant, replica) run hands back.
enum Kept {
    Full(Box<Report>),
    // Boxed like the report: the two variants stay pointer-sized.
    Figures(Box<Figures>),
}

/// Runs every planned variant `replicas` times (seeds `seed`, `seed + 1`, …; replica r of
/// every variant with the same seed), all runs in parallel on the current rayon pool, results
/// in input order whatever the thread count. Only replica 0 keeps its full report; the others
/// keep their [`Figures`] (a few numbers), so memory does not grow with the replicas' event
/// logs and time series. `progress` is called once per finished run with the number finished
/// (out of variants × replicas); calls are serialised. On failure, the error of the first
/// failing run in (variant, replica) order. `replicas` below 1 is taken as 1.
pub fn run_replicated(
    planned: &[Planned],
    seed: u64,
    replicas: u32,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<ReplicatedRuns, ReplicaRunError> {
    let seeds = replica_seeds(seed, replicas.max(1));
    let n = seeds.len();
    let lowest_failed = AtomicUsize::new(usize::MAX);
    let done = Mutex::new(0usize);
    // Variant-major job order, so "the first failure" is the first variant's lowest replica.
    let results: Vec<Option<Result<Kept, ReplicaRunError>>> = (0..planned.len() * n)
        .into_par_iter()
        .map(|k| {
            if k > lowest_failed.load(Ordering::Relaxed) {
                return None;
            }
            let (p, r) = (&planned[k / n], k % n);
            let kept = match crate::run(&p.scenario, Some(seeds[r]), &mut |_| {}) {
                Ok(report) if r == 0 => Kept::Full(Box::new(report)),
                // Drop the event log and time series at once: only the figures are compared.
                Ok(report) => Kept::Figures(Box::new(Figures::of(&report.summary))),
                Err(error) => {
                    lowest_failed.fetch_min(k, Ordering::Relaxed);
                    return Some(Err(ReplicaRunError {
                        at: Box::new(ReplicaAt {
                            name: p.name.clone(),
                            replica: r as u32,
                            seed: seeds[r],
                        }),
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
    let mut reports = Vec::with_capacity(planned.len());
    let mut figures: Vec<Vec<Figures>> = Vec::with_capacity(planned.len());
    // In job order: every job below the lowest failure ran, so the first `Err` met is that
    // failure and no skipped (`None`) job comes before it.
    for r in results.into_iter().flatten() {
        match r? {
            Kept::Full(report) => {
                figures.push(vec![Figures::of(&report.summary)]);
                reports.push(*report);
            }
            Kept::Figures(f) => {
                // Replica 0 of this variant came just before (variant-major order).
                if let Some(last) = figures.last_mut() {
                    last.push(*f);
                }
            }
        }
    }
    Ok(ReplicatedRuns {
        reports,
        figures,
        seeds,
    })
}

/// What `compare.json` says of the replicated statistics.
pub const REPLICAS_METHOD: &str = "replica r of every variant runs with seed base + r (common random numbers); per variant and figure over the replicas where it exists: the Monte Carlo statistics of `run --replicas`; paired difference against the reference over the replicas where both have the figure (n): d_r = variant_r - reference_r, mean, sd with divisor n-1, ci95 = mean -/+ t(0.975, n-1) * sd / sqrt(n) (Student); percent = 100 * mean(d) / mean(reference), its ci95 by the delta method for a ratio of means: Student t on z_r = (d_r - R * reference_r) / mean(reference), R = mean(d) / mean(reference), absent when mean(reference) is 0; significant when the ci95 of the difference excludes 0; rounded to 6 decimals";

/// A figure's paired difference from the reference over the replicas (this − reference),
/// with Student-t 95 % intervals, computed by [`paired`]. All numbers rounded to 6 decimals.
///
/// Why paired: replica r of both variants replays the same random draws, so most of the
/// noise is common to both and cancels in `d_r`; the interval on the mean of the `d_r` is
/// then narrower than the one two independent samples would give for the same replicas.
///
/// The percentage is `100 × mean(d) / mean(reference)`, a ratio of two means; its interval
/// takes the reference's noise into account by the delta method (the linearised values
/// `z_r = (d_r − R·ref_r) / mean(ref)` with `R = mean(d) / mean(ref)`, whose Student-t
/// interval around 0 is the ratio's, to first order).
#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
pub struct PairedDelta {
    /// Replicas in which both this variant and the reference have the figure.
    pub n: u32,
    /// Mean of the per-replica differences.
    pub mean: f64,
    /// Their sample standard deviation (divisor n − 1); 0 when n = 1.
    pub sd: f64,
    /// mean − t(0.975, n − 1)·sd/√n (the mean itself when n = 1).
    pub ci95_low: f64,
    /// mean + t(0.975, n − 1)·sd/√n.
    pub ci95_high: f64,
    /// `100 × mean(d) / mean(reference)`; absent when the reference's mean is 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percent: Option<f64>,
    /// Lower end of the percentage's 95 % interval (delta method, see above).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percent_ci95_low: Option<f64>,
    /// Upper end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percent_ci95_high: Option<f64>,
    /// The difference's interval excludes 0 (needs n ≥ 2 and some spread, or n ≥ 2 and a
    /// difference that is the same nonzero number in every replica).
    pub significant: bool,
}

impl PairedDelta {
    /// Half-width of the difference's interval.
    pub fn half_width(&self) -> f64 {
        (self.ci95_high - self.ci95_low) / 2.0
    }

    /// Half-width of the percentage's interval, when there is a percentage.
    pub fn percent_half_width(&self) -> Option<f64> {
        Some((self.percent_ci95_high? - self.percent_ci95_low?) / 2.0)
    }
}

/// Rounds to 6 decimals (and turns −0 into 0), so the JSON is stable; as `montecarlo` does.
fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6 + 0.0
}

/// Mean and Student-t 95 % half-width of `values` (n ≥ 1; half-width 0 when n = 1).
fn mean_sd_half(values: &[f64]) -> (f64, f64, f64) {
    let n = values.len();
    let mean = values.iter().sum::<f64>() / n as f64;
    let sd = if n > 1 {
        let ss: f64 = values.iter().map(|x| (x - mean) * (x - mean)).sum();
        (ss / (n - 1) as f64).sqrt()
    } else {
        0.0
    };
    (mean, sd, t_975(n as u32 - 1) * sd / (n as f64).sqrt())
}

/// The paired difference `variant − reference` over the replicas where both have a value
/// (`reference[r]` and `variant[r]` are replica r); `None` when there is no such replica.
/// See [`PairedDelta`] for the statistics.
pub fn paired(reference: &[Option<f64>], variant: &[Option<f64>]) -> Option<PairedDelta> {
    let pairs: Vec<(f64, f64)> = reference
        .iter()
        .zip(variant)
        .filter_map(|(r, v)| Some(((*r)?, (*v)?)))
        .collect();
    if pairs.is_empty() {
        return None;
    }
    let d: Vec<f64> = pairs.iter().map(|(r, v)| v - r).collect();
    let (mean, sd, half) = mean_sd_half(&d);
    let ref_mean = pairs.iter().map(|(r, _)| r).sum::<f64>() / pairs.len() as f64;
    let (percent, percent_low, percent_high) = if ref_mean != 0.0 {
        let ratio = mean / ref_mean;
        let z: Vec<f64> = pairs
            .iter()
            .map(|(r, v)| ((v - r) - ratio * r) / ref_mean)
            .collect();
        // The z_r have mean 0 by construction (up to rounding); only their spread is used.
        let (_, _, z_half) = mean_sd_half(&z);
        (
            Some(round6(100.0 * ratio)),
            Some(round6(100.0 * (ratio - z_half))),
            Some(round6(100.0 * (ratio + z_half))),
        )
    } else {
        (None, None, None)
    };
    let (low, high) = (mean - half, mean + half);
    Some(PairedDelta {
        n: d.len() as u32,
        mean: round6(mean),
        sd: round6(sd),
        ci95_low: round6(low),
        ci95_high: round6(high),
        percent,
        percent_ci95_low: percent_low,
        percent_ci95_high: percent_high,
        significant: d.len() > 1 && (low > 0.0 || high < 0.0),
    })
}

/// Adds the replicas' statistics to a comparison made of replica 0 (`compare` of the
/// variants' replica-0 summaries): `figures[v][r]` is variant v's figures in replica r, in
/// the comparison's variant order; `seeds[r]` replica r's seed. Each variant gets its figures
/// over the replicas and its paired differences against the first variant.
pub fn add_replicas(c: &mut Comparison, figures: &[Vec<Figures>], seeds: &[u64]) {
    // A figure's key and its value in each replica.
    type Column = (&'static str, Vec<Option<f64>>);
    // Per variant: its columns in `Figures::entries` order.
    let columns: Vec<Vec<Column>> = figures
        .iter()
        .map(|replicas| {
            let mut cols: Vec<Column> = Vec::new();
            for (i, f) in replicas.iter().enumerate() {
                for (j, (key, _, v)) in f.entries().into_iter().enumerate() {
                    if i == 0 {
                        cols.push((key, Vec::with_capacity(replicas.len())));
                    }
                    cols[j].1.push(v);
                }
            }
            cols
        })
        .collect();
    let Some(reference) = columns.first() else {
        return;
    };
    for (v, (variant, cols)) in c.variants.iter_mut().zip(&columns).enumerate() {
        let mut stats = BTreeMap::new();
        let mut pairs = BTreeMap::new();
        for ((key, values), (_, ref_values)) in cols.iter().zip(reference) {
            let present: Vec<f64> = values.iter().flatten().copied().collect();
            if !present.is_empty() {
                stats.insert(key.to_string(), FigureStats::of(&present));
            }
            if v > 0 {
                if let Some(p) = paired(ref_values, values) {
                    pairs.insert(key.to_string(), p);
                }
            }
        }
        variant.replicas = Some(VariantReplicas {
            figures: stats,
            paired: pairs,
        });
    }
    c.replicas = Some(ReplicaInfo {
        count: seeds.len() as u32,
        seeds: seeds.to_vec(),
        method: REPLICAS_METHOD,
    });
}

/// One variant's input to [`compare`].
#[derive(Clone, Copy, Debug)]
pub struct Entry<'a> {
    /// Variant name.
    pub name: &'a str,
    /// What it is.
    pub description: &'a str,
    /// Its run's summary.
    pub summary: &'a Summary,
}

/// `compare.json`: the comparison, as data.
#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    /// Schema version of this file.
    pub schema_version: u32,
    /// The seed every variant ran with.
    pub seed: u64,
    /// The variant the deltas are measured against (the first).
    pub reference: String,
    /// Which prices the variants used: the reference's statement (Region, OS, dates), or
    /// one statement per variant when they differ (a variant overriding the catalog).
    pub prices: String,
    /// Per variant, in input order.
    pub variants: Vec<VariantFigures>,
    /// Break-even lines, one per (EC2-only, Fargate-only) pair, EC2 variants in input order.
    pub break_even: Vec<BreakEven>,
    /// Warnings about the comparison itself (different durations, …).
    pub notes: Vec<String>,
    /// With `--replicas N` (N > 1): the replicas' seeds and the statistics' method; each
    /// variant's `replicas` holds its figures over them and its paired differences. The
    /// other fields (figures, deltas, break-even) stay those of replica 0, the run whose
    /// files are written. Absent with one replica, so that file is unchanged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replicas: Option<ReplicaInfo>,
}

/// How a replicated comparison was run and summarised.
#[derive(Clone, Debug, Serialize)]
pub struct ReplicaInfo {
    /// Number of replicas per variant.
    pub count: u32,
    /// The seed of replica r, the same for every variant (common random numbers).
    pub seeds: Vec<u64>,
    /// The statistics, in words.
    pub method: &'static str,
}

/// One variant's headline figures and their deltas against the reference.
#[derive(Clone, Debug, Serialize)]
pub struct VariantFigures {
    /// Variant name (its output folder).
    pub name: String,
    /// What it is.
    pub description: String,
    /// The scenario name its run reports.
    pub scenario: String,
    /// Simulated span, seconds.
    pub duration_s: f64,
    /// The figures.
    pub figures: Figures,
    /// Per figure present in both this variant and the reference: this − reference.
    pub deltas: BTreeMap<String, Delta>,
    /// With `--replicas N` (N > 1): the figures over the replicas and the paired differences.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replicas: Option<VariantReplicas>,
}

/// One variant's figures over the replicas and its paired differences against the reference.
#[derive(Clone, Debug, Serialize)]
pub struct VariantReplicas {
    /// Per figure present in at least one replica: its statistics over the replicas where it
    /// is present.
    pub figures: BTreeMap<String, FigureStats>,
    /// Per figure present in this variant and the reference in the same replica at least
    /// once: the paired difference (this − reference). Empty for the reference itself.
    pub paired: BTreeMap<String, PairedDelta>,
}

/// The figures a comparison is made on. Optional ones are absent when they do not apply.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Figures {
    /// Total cost, USD.
    pub total_usd: f64,
    /// What the run costs with its commitments applied (fees, On-Demand spill, Spot), USD:
    /// `cost.commitments.effective_usd`. Absent, and not written, without commitments, so a
    /// comparison of variants without commitments is unchanged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub with_commitments_usd: Option<f64>,
    /// Cost per simulated hour, USD.
    pub per_hour_usd: f64,
    /// EC2 instances, USD (idle included).
    pub ec2_usd: f64,
    /// Fargate and Fargate Spot tasks, USD.
    pub fargate_usd: f64,
    /// The Fargate Spot part of `fargate_usd`, USD.
    pub fargate_spot_usd: f64,
    /// EC2 paid for but reserved by no task, USD.
    pub idle_usd: f64,
    /// External instances (ECS Anywhere fee plus the machines' own cost), USD: absent, and
    /// not written, when the cluster has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_usd: Option<f64>,
    /// ECS Managed Instances management fees, USD; absent without such a provider.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub management_fee_usd: Option<f64>,
    /// Total cost per million requests served (services with a load model).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_million_requests_usd: Option<f64>,
    /// The batch workloads' own cost (their tasks' share of EC2 instances and their Fargate
    /// bills; no idle EC2, no service) per completed batch task: Σ workload cost ÷ Σ
    /// completed. Absent when no batch task completed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch_cost_per_completed_task_usd: Option<f64>,
    /// Time-weighted EC2 CPU reserved by tasks, % of the registered CPU (absent without EC2
    /// instances).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ec2_cpu_reserved_pct: Option<f64>,
    /// Time-weighted EC2 memory reserved by tasks, % of the registered memory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ec2_memory_reserved_pct: Option<f64>,
    /// The share of the EC2 spend that task reservations cover, % (billing's ½ CPU + ½
    /// memory attribution; the `u_m` of the break-even lines). Not the CPU reservation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ec2_spend_reserved_pct: Option<f64>,
    /// Requests not served over all services with a load model, %.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unserved_requests_pct: Option<f64>,
    /// Σ over services of task-minutes below the desired count.
    pub task_minutes_below_desired: f64,
    /// Wait from submission to RUNNING, median, seconds.
    pub wait_p50_s: f64,
    /// 95th percentile.
    pub wait_p95_s: f64,
    /// 99th percentile.
    pub wait_p99_s: f64,
    /// Tasks that stopped without completing.
    pub failed_tasks: f64,
    /// EC2 instance-hours billed.
    pub instance_hours: f64,
    /// Task-hours in RUNNING, all capacity.
    pub running_task_hours: f64,
    /// The run had EC2 instances; without any, the EC2 rows (all 0) are left out of the
    /// tables and deltas. Not written to `compare.json`, whose EC2 figures stay 0.
    #[serde(skip)]
    pub has_ec2: bool,
}

impl Figures {
    /// Reads the figures off a run's summary.
    pub fn of(s: &Summary) -> Figures {
        let loads: Vec<_> = s.services.iter().filter_map(|v| v.load.as_ref()).collect();
        let served: f64 = loads.iter().map(|l| l.served).sum();
        let unserved_requests_pct = if loads.is_empty() {
            None
        } else {
            let requests: f64 = loads.iter().map(|l| l.requests).sum();
            let unserved: f64 = loads.iter().map(|l| l.unserved).sum();
            Some(if requests > 0.0 {
                unserved / requests * 100.0
            } else {
                0.0
            })
        };
        let completed: u64 = s.workloads.iter().map(|w| w.tasks.completed).sum();
        let batch_cost: f64 = s.workloads.iter().map(|w| w.cost_usd).sum();
        let has_ec2 = crate::report::render::has_ec2(s);
        Figures {
            total_usd: s.cost.total_usd,
            with_commitments_usd: s.cost.commitments.as_ref().map(|c| c.effective_usd),
            per_hour_usd: s.cost.per_hour_usd,
            ec2_usd: s.cost.ec2_usd,
            fargate_usd: s.cost.fargate_usd,
            fargate_spot_usd: s.cost.fargate_spot_usd,
            idle_usd: s.cost.idle_usd,
            external_usd: s.cost.external.as_ref().map(|x| x.total_usd),
            management_fee_usd: s.cost.management_fee_usd,
            // A run that served nothing has no cost per request (the summary writes 0
            // there, which would read as free): absent, as in the Monte Carlo figures.
            per_million_requests_usd: s.cost.per_million_requests_usd.filter(|_| served > 0.0),
            batch_cost_per_completed_task_usd: (completed > 0)
                .then(|| batch_cost / completed as f64),
            ec2_cpu_reserved_pct: has_ec2.then_some(s.reservation.cpu_pct_avg),
            ec2_memory_reserved_pct: has_ec2.then_some(s.reservation.memory_pct_avg),
            ec2_spend_reserved_pct: has_ec2.then_some(s.usage.ec2_reserved_share_pct),
            unserved_requests_pct,
            task_minutes_below_desired: s
                .services
                .iter()
                .map(|v| v.availability.task_minutes_below_desired as f64)
                .sum(),
            wait_p50_s: s.wait_time_s.p50,
            wait_p95_s: s.wait_time_s.p95,
            wait_p99_s: s.wait_time_s.p99,
            failed_tasks: s.tasks.failed as f64,
            instance_hours: s.instances.instance_hours,
            running_task_hours: s.usage.running_task_hours,
            has_ec2,
        }
    }

    /// `(key, label, value)` in display order: the one list the table, the deltas and the
    /// page are built from.
    pub fn entries(&self) -> Vec<(&'static str, &'static str, Option<f64>)> {
        vec![
            ("total_usd", "total cost, USD", Some(self.total_usd)),
            (
                "with_commitments_usd",
                "  with commitments (fees + on-demand spill + Spot), USD",
                self.with_commitments_usd,
            ),
            (
                "per_hour_usd",
                "cost per hour, USD",
                Some(self.per_hour_usd),
            ),
            (
                "ec2_usd",
                "  EC2, USD",
                self.has_ec2.then_some(self.ec2_usd),
            ),
            (
                "idle_usd",
                "    of which idle (paid, not reserved), USD",
                self.has_ec2.then_some(self.idle_usd),
            ),
            (
                "management_fee_usd",
                "  Managed Instances fee, USD",
                self.management_fee_usd,
            ),
            ("fargate_usd", "  Fargate, USD", Some(self.fargate_usd)),
            (
                "fargate_spot_usd",
                "    of which Fargate Spot, USD",
                Some(self.fargate_spot_usd),
            ),
            (
                "external_usd",
                "  external instances (Anywhere fee + machines), USD",
                self.external_usd,
            ),
            (
                "per_million_requests_usd",
                "per million requests served (whole bill), USD",
                self.per_million_requests_usd,
            ),
            (
                "batch_cost_per_completed_task_usd",
                "batch workloads' own cost per completed task, USD",
                self.batch_cost_per_completed_task_usd,
            ),
            (
                "ec2_cpu_reserved_pct",
                "EC2 CPU reserved, % of registered (time-weighted)",
                self.ec2_cpu_reserved_pct,
            ),
            (
                "ec2_memory_reserved_pct",
                "EC2 memory reserved, % of registered (time-weighted)",
                self.ec2_memory_reserved_pct,
            ),
            (
                "ec2_spend_reserved_pct",
                "EC2 spend reserved by tasks, % (break-even u)",
                self.ec2_spend_reserved_pct,
            ),
            (
                "unserved_requests_pct",
                "requests not served, %",
                self.unserved_requests_pct,
            ),
            (
                "task_minutes_below_desired",
                "task-minutes below desired",
                Some(self.task_minutes_below_desired),
            ),
            (
                "wait_p50_s",
                "wait to RUNNING p50, s",
                Some(self.wait_p50_s),
            ),
            (
                "wait_p95_s",
                "wait to RUNNING p95, s",
                Some(self.wait_p95_s),
            ),
            (
                "wait_p99_s",
                "wait to RUNNING p99, s",
                Some(self.wait_p99_s),
            ),
            ("failed_tasks", "tasks failed", Some(self.failed_tasks)),
            (
                "instance_hours",
                "EC2 instance-hours",
                self.has_ec2.then_some(self.instance_hours),
            ),
            (
                "running_task_hours",
                "RUNNING task-hours",
                Some(self.running_task_hours),
            ),
        ]
    }
}

/// A figure's difference from the reference.
#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
pub struct Delta {
    /// This variant's value minus the reference's.
    pub absolute: f64,
    /// `absolute / reference × 100`; absent when the reference is 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percent: Option<f64>,
}

/// Which side of a break-even a measured run is on.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The EC2 variant's measured cost per task-hour is below Fargate's.
    Ec2Cheaper,
    /// Fargate is cheaper at the EC2 variant's measured reservation, and EC2 would need more.
    FargateCheaper,
    /// Even at 100 % reservation EC2 costs more per task-hour than Fargate at these prices.
    Ec2NeverCheaper,
}

/// Where EC2 becomes cheaper than Fargate for this workload, from one EC2-only and one
/// Fargate-only run.
///
/// Billing charges each task on an instance `price × time × (½·cpu/CPU + ½·mem/MEM)`, and the
/// rest of the instance's cost is idle. So a task-hour of this workload carries a fixed
/// attributed cost `a = C_e·u_m`, where `C_e` is the EC2 spend per RUNNING task-hour and `u_m`
/// the reserved share of that spend (`(ec2 − idle) / ec2`). At an average reserved share `u`
/// the EC2 cost per task-hour is `a / u`; it equals Fargate's `C_f` at `u* = u_m·C_e / C_f`.
/// In instance terms: an instance-hour costs `p = ec2 / instance-hours` and EC2 is cheaper
/// when it carries more than `p / C_f` task-hours of this workload.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct BreakEven {
    /// The EC2-only variant.
    pub ec2_variant: String,
    /// The Fargate-only variant.
    pub fargate_variant: String,
    /// `C_e`: EC2 spend per RUNNING task-hour, USD.
    pub ec2_usd_per_task_hour: f64,
    /// `C_f`: Fargate spend per RUNNING task-hour, USD.
    pub fargate_usd_per_task_hour: f64,
    /// `u_m`: reserved share of the EC2 spend, %.
    pub ec2_reserved_share_pct: f64,
    /// `u*`: the reserved share above which EC2 is cheaper, % (may exceed 100: never).
    pub break_even_reserved_share_pct: f64,
    /// `p`: EC2 spend per instance-hour, USD.
    pub ec2_usd_per_instance_hour: f64,
    /// Task-hours per instance-hour the EC2 variant carried.
    pub task_hours_per_instance_hour: f64,
    /// `p / C_f`: EC2 is cheaper above this many task-hours per instance-hour.
    pub break_even_task_hours_per_instance_hour: f64,
    /// The side the EC2 variant is on as measured.
    pub verdict: Verdict,
    /// `u*` again with both variants' costs after their commitments (`effective_usd` per
    /// RUNNING task-hour), %, when both have commitments: where a Savings Plan moves the
    /// break-even. Absent, and not written, otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub break_even_with_commitments_pct: Option<f64>,
    /// The arithmetic, one line per step, as printed.
    pub arithmetic: Vec<String>,
}

/// EC2-only: EC2 spend and EC2 task-hours, no Fargate at all.
fn ec2_only(s: &Summary) -> bool {
    s.cost.ec2_usd > 0.0
        && s.usage.ec2_running_task_hours > 0.0
        && s.cost.fargate_usd == 0.0
        && s.usage.fargate_running_task_hours == 0.0
}

/// Fargate-only (Fargate, Fargate Spot or both): no EC2 spend at all.
fn fargate_only(s: &Summary) -> bool {
    s.cost.fargate_usd > 0.0
        && s.usage.fargate_running_task_hours > 0.0
        && s.cost.ec2_usd == 0.0
        && s.usage.ec2_running_task_hours == 0.0
}

/// The break-even of an EC2-only and a Fargate-only run (see [`BreakEven`]).
pub fn break_even(ec2: Entry<'_>, fargate: Entry<'_>) -> BreakEven {
    let (e, f) = (ec2.summary, fargate.summary);
    // A Managed Instances fee is paid for the same instance time as the EC2 price, so it
    // belongs on the EC2 side: cost per task-hour and per instance-hour include it (u, the
    // reserved share of the EC2 spend, does not: the fee is nobody's reservation).
    let fee = e.cost.management_fee_usd.unwrap_or(0.0);
    let ec2_cost = e.cost.ec2_usd + fee;
    let fee_note = if fee > 0.0 {
        format!(
            " (EC2 ${:.4} + Managed Instances fee ${fee:.4})",
            e.cost.ec2_usd
        )
    } else {
        String::new()
    };
    let c_e = ec2_cost / e.usage.ec2_running_task_hours;
    let c_f = f.cost.fargate_usd / f.usage.fargate_running_task_hours;
    let u_m = ((e.cost.ec2_usd - e.cost.idle_usd) / e.cost.ec2_usd).clamp(0.0, 1.0);
    let u_star = u_m * c_e / c_f;
    let p = if e.instances.instance_hours > 0.0 {
        ec2_cost / e.instances.instance_hours
    } else {
        0.0
    };
    let k = if e.instances.instance_hours > 0.0 {
        e.usage.ec2_running_task_hours / e.instances.instance_hours
    } else {
        0.0
    };
    let k_star = p / c_f;
    let verdict = if c_e < c_f {
        Verdict::Ec2Cheaper
    } else if u_star >= 1.0 {
        Verdict::Ec2NeverCheaper
    } else {
        Verdict::FargateCheaper
    };
    let (en, fnm) = (ec2.name, fargate.name);
    let mut arithmetic = vec![
        format!(
            "{en}: EC2 cost ${:.4}{fee_note} over {:.4} RUNNING task-hours = ${c_e:.6} per task-hour, with {:.2} % of the EC2 spend reserved by tasks ((${:.4} − ${:.4} idle) / ${:.4}; the spend share u, not the CPU reservation)",
            ec2_cost,
            e.usage.ec2_running_task_hours,
            u_m * 100.0,
            e.cost.ec2_usd,
            e.cost.idle_usd,
            e.cost.ec2_usd
        ),
        format!(
            "{fnm}: Fargate cost ${:.4} over {:.4} RUNNING task-hours = ${c_f:.6} per task-hour",
            f.cost.fargate_usd, f.usage.fargate_running_task_hours
        ),
        format!(
            "EC2 cost per task-hour scales as 1 / u, the reserved share of the EC2 spend: at share u it is ${c_e:.6} × {:.2} % / u; it equals ${c_f:.6} at u* = {:.2} % × {c_e:.6} / {c_f:.6} = {:.2} %",
            u_m * 100.0,
            u_m * 100.0,
            u_star * 100.0
        ),
        format!(
            "in instance terms: an instance-hour costs ${p:.6} (${:.4} / {:.4} instance-hours); EC2 is cheaper when an instance-hour carries more than ${p:.6} / ${c_f:.6} = {k_star:.3} task-hours of this workload ({en} carried {k:.3})",
            ec2_cost, e.instances.instance_hours
        ),
    ];
    arithmetic.push(match verdict {
        Verdict::Ec2Cheaper => format!(
            "{en} is cheaper than {fnm} as measured: its {:.2} % reserved share of the EC2 spend is above the {:.2} % break-even",
            u_m * 100.0,
            u_star * 100.0
        ),
        Verdict::FargateCheaper => format!(
            "{fnm} is cheaper than {en} as measured; EC2 becomes cheaper above {:.2} % of the EC2 spend reserved by tasks ({en} ran at {:.2} %)",
            u_star * 100.0,
            u_m * 100.0
        ),
        Verdict::Ec2NeverCheaper => format!(
            "{fnm} is cheaper than {en} at any reserved share of the EC2 spend: the break-even {:.2} % is at or above 100 %",
            u_star * 100.0
        ),
    });
    // With commitments on both sides, the same arithmetic on what each side pays after them.
    // Only an EC2-only and a Fargate-only run are paired, so each side's effective cost is
    // its EC2 (or Fargate) bill with the commitments applied.
    let with_commitments = match (&e.cost.commitments, &f.cost.commitments) {
        (Some(ce), Some(cf)) if cf.effective_usd > 0.0 => {
            let c_e2 = ce.effective_usd / e.usage.ec2_running_task_hours;
            let c_f2 = cf.effective_usd / f.usage.fargate_running_task_hours;
            let u2 = u_m * c_e2 / c_f2;
            arithmetic.push(format!(
                "with commitments: {en} pays ${:.4} (fees, On-Demand spill and Spot; coverage {:.1} %) = ${c_e2:.6} per task-hour, {fnm} ${:.4} (coverage {:.1} %) = ${c_f2:.6}; the break-even moves from {:.2} % to u* = {:.2} % × {c_e2:.6} / {c_f2:.6} = {:.2} % (at these commitments' coverage: a fleet of another size would use them differently)",
                ce.effective_usd,
                ce.coverage_pct,
                cf.effective_usd,
                cf.coverage_pct,
                u_star * 100.0,
                u_m * 100.0,
                u2 * 100.0
            ));
            Some(u2 * 100.0)
        }
        _ => None,
    };
    BreakEven {
        ec2_variant: en.to_string(),
        fargate_variant: fnm.to_string(),
        ec2_usd_per_task_hour: c_e,
        fargate_usd_per_task_hour: c_f,
        ec2_reserved_share_pct: u_m * 100.0,
        break_even_reserved_share_pct: u_star * 100.0,
        ec2_usd_per_instance_hour: p,
        task_hours_per_instance_hour: k,
        break_even_task_hours_per_instance_hour: k_star,
        verdict,
        break_even_with_commitments_pct: with_commitments,
        arithmetic,
    }
}

/// The comparison of `entries` (the first is the reference) run with `seed`.
pub fn compare(entries: &[Entry<'_>], seed: u64) -> Comparison {
    let figures: Vec<Figures> = entries.iter().map(|e| Figures::of(e.summary)).collect();
    let reference = figures.first().cloned().unwrap_or_default();
    let reference_entries = reference.entries();
    let variants = entries
        .iter()
        .zip(&figures)
        .map(|(e, f)| {
            let mut deltas = BTreeMap::new();
            for ((key, _, v), (_, _, r)) in f.entries().into_iter().zip(&reference_entries) {
                if let (Some(v), Some(r)) = (v, *r) {
                    let absolute = v - r;
                    let percent = (r != 0.0).then(|| absolute / r * 100.0);
                    deltas.insert(key.to_string(), Delta { absolute, percent });
                }
            }
            VariantFigures {
                name: e.name.to_string(),
                description: e.description.to_string(),
                scenario: e.summary.scenario.clone(),
                duration_s: e.summary.duration_s,
                figures: f.clone(),
                deltas,
                replicas: None,
            }
        })
        .collect();
    let mut break_even_lines = Vec::new();
    for e in entries.iter().filter(|e| ec2_only(e.summary)) {
        for f in entries.iter().filter(|f| fargate_only(f.summary)) {
            break_even_lines.push(break_even(*e, *f));
        }
    }
    let mut notes = Vec::new();
    if let Some(first) = entries.first() {
        for e in &entries[1..] {
            // The figures are the measurement windows' (`settings.measureFrom` to the end).
            let (w, fw) = (&e.summary.window, &first.summary.window);
            if w.duration_s != fw.duration_s {
                notes.push(format!(
                    "{} measures {} s and {} {} s: compare cost per hour, not total cost",
                    e.name, w.duration_s, first.name, fw.duration_s
                ));
            } else if w.from_s != fw.from_s {
                notes.push(format!(
                    "{} is measured from {} s and {} from {} s: their figures cover different spans of the run",
                    e.name, w.from_s, first.name, fw.from_s
                ));
            }
        }
    }
    // A window shared by every variant was stated nowhere in compare's outputs (the notes
    // above cover only windows that differ), so its figures read as whole-run figures.
    if let Some(first) = entries.first() {
        let w = &first.summary.window;
        let shared = entries
            .iter()
            .all(|e| e.summary.window.from_s == w.from_s && e.summary.window.to_s == w.to_s);
        if shared && w.from_s > 0.0 {
            let d = crate::report::render::human_duration;
            notes.push(format!(
                "every variant is measured from {} to {} ({}, settings.measureFrom): every figure leaves out the warm-up before {}",
                d(w.from_s),
                d(w.to_s),
                d(w.duration_s),
                d(w.from_s)
            ));
        }
    }
    if entries.len() == 1 {
        notes.push("one variant only: give several files, or a file with `variants`".into());
    }
    if break_even_lines.is_empty() && entries.len() > 1 {
        notes.push("no break-even line: it needs one variant on EC2 only and one on Fargate only, each with RUNNING tasks".into());
    }
    let statements: Vec<String> = entries
        .iter()
        .map(|e| e.summary.prices.statement())
        .collect();
    let prices = if statements.windows(2).all(|w| w[0] == w[1]) {
        statements.first().cloned().unwrap_or_default()
    } else {
        entries
            .iter()
            .zip(&statements)
            .map(|(e, p)| format!("{}: {p}", e.name))
            .collect::<Vec<_>>()
            .join("; ")
    };
    Comparison {
        schema_version: SCHEMA_VERSION,
        seed,
        prices,
        reference: entries
            .first()
            .map(|e| e.name.to_string())
            .unwrap_or_default(),
        variants,
        break_even: break_even_lines,
        notes,
        replicas: None,
    }
}

/// `compare.json`, pretty-printed, ending in a newline.
pub fn compare_json(c: &Comparison) -> String {
    let mut s =
        serde_json::to_string_pretty(c).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

/// Figures that count whole things, shown without decimals.
const COUNTS: [&str; 2] = ["task_minutes_below_desired", "failed_tasks"];

/// Decimals a figure is shown with: 4 for money and for the share of requests not served
/// (a good setup loses a few in a million, which 2 decimals would show as 0.00 beside a
/// +180 % change), none for counts, 2 otherwise.
fn decimals(key: &str) -> usize {
    if key.ends_with("_usd") || key == "unserved_requests_pct" {
        4
    } else if COUNTS.contains(&key) {
        0
    } else {
        2
    }
}

/// A figure as shown in tables; `–` when absent.
fn cell(key: &str, v: Option<f64>) -> String {
    match v {
        None => "–".into(),
        Some(x) => crate::report::render::grouped(x, decimals(key)),
    }
}

/// A delta as shown: `+1.2345 (+12.3%)`; empty for the reference.
fn delta_cell(key: &str, d: Option<&Delta>) -> String {
    match d {
        None => "–".into(),
        Some(d) => {
            let abs = crate::report::render::group_digits(&format!(
                "{:+.*}",
                decimals(key),
                d.absolute + 0.0
            ));
            match d.percent {
                Some(p) => format!("{abs} ({p:+.1}%)"),
                None => abs,
            }
        }
    }
}

/// The rows of the figures table: label, then one cell per variant.
fn figure_rows(c: &Comparison) -> Vec<Vec<String>> {
    let Some(first) = c.variants.first() else {
        return Vec::new();
    };
    let per_variant: Vec<Vec<(&'static str, &'static str, Option<f64>)>> =
        c.variants.iter().map(|v| v.figures.entries()).collect();
    let mut rows = Vec::new();
    for (i, (key, label, _)) in first.figures.entries().into_iter().enumerate() {
        if per_variant.iter().all(|e| e[i].2.is_none()) {
            continue;
        }
        let mut row = vec![label.to_string()];
        row.extend(per_variant.iter().map(|e| cell(key, e[i].2)));
        rows.push(row);
    }
    rows
}

/// The rows of the deltas table (variants after the reference).
fn delta_rows(c: &Comparison) -> Vec<Vec<String>> {
    let Some(first) = c.variants.first() else {
        return Vec::new();
    };
    let mut rows = Vec::new();
    for (key, label, _) in first.figures.entries() {
        let cells: Vec<String> = c.variants[1..]
            .iter()
            .map(|v| delta_cell(key, v.deltas.get(key)))
            .collect();
        if cells.iter().all(|x| x == "–") {
            continue;
        }
        let mut row = vec![label.to_string()];
        row.extend(cells);
        rows.push(row);
    }
    rows
}

/// A percentage's half-width to one decimal, `<0.1` rather than a `0.0` that would read as
/// no uncertainty at all.
fn percent_half(h: f64) -> String {
    if h < 0.05 {
        "<0.1".into()
    } else {
        format!("{h:.1}")
    }
}

/// A paired difference as shown: `-1.2345 ± 0.0123 (-12.3% ± 3.0%)`.
fn paired_cell(key: &str, p: Option<&PairedDelta>) -> String {
    match p {
        None => "–".into(),
        Some(p) => {
            let dec = decimals(key);
            let abs = format!("{:+.*} ± {:.*}", dec, p.mean, dec, p.half_width());
            match (p.percent, p.percent_half_width()) {
                (Some(pc), Some(ph)) => format!("{abs} ({pc:+.1}% ± {}%)", percent_half(ph)),
                _ => abs,
            }
        }
    }
}

/// A figure over the replicas as shown: `1.2345 ± 0.0123` (mean ± 95 % CI half-width).
fn mean_cell(key: &str, s: Option<&FigureStats>) -> String {
    match s {
        None => "–".into(),
        Some(s) => {
            let dec = decimals(key);
            format!("{:.*} ± {:.*}", dec, s.mean, dec, s.ci95_width() / 2.0)
        }
    }
}

/// With replicas: the rows of the figures-over-replicas table (label, one cell per variant).
fn mean_rows(c: &Comparison) -> Vec<Vec<String>> {
    let Some(first) = c.variants.first() else {
        return Vec::new();
    };
    let mut rows = Vec::new();
    for (key, label, _) in first.figures.entries() {
        let cells: Vec<String> = c
            .variants
            .iter()
            .map(|v| mean_cell(key, v.replicas.as_ref().and_then(|r| r.figures.get(key))))
            .collect();
        if cells.iter().all(|x| x == "–") {
            continue;
        }
        let mut row = vec![label.to_string()];
        row.extend(cells);
        rows.push(row);
    }
    rows
}

/// With replicas: the rows of the paired-differences table (variants after the reference).
fn paired_rows(c: &Comparison) -> Vec<Vec<String>> {
    let Some(first) = c.variants.first() else {
        return Vec::new();
    };
    let mut rows = Vec::new();
    for (key, label, _) in first.figures.entries() {
        let cells: Vec<String> = c.variants[1..]
            .iter()
            .map(|v| paired_cell(key, v.replicas.as_ref().and_then(|r| r.paired.get(key))))
            .collect();
        if cells.iter().all(|x| x == "–") {
            continue;
        }
        let mut row = vec![label.to_string()];
        row.extend(cells);
        rows.push(row);
    }
    rows
}

/// With replicas: one sentence per variant after the reference on its total cost, e.g.
/// "b costs 12.0 % less than a ± 3.0 % (95 % CI, 20 paired replicas)", saying so when the
/// interval includes no change.
pub fn headlines(c: &Comparison) -> Vec<String> {
    let mut out = Vec::new();
    for v in c.variants.iter().skip(1) {
        let Some(p) = v.replicas.as_ref().and_then(|r| r.paired.get("total_usd")) else {
            continue;
        };
        let ci = format!("95 % CI, {} paired replicas", p.n);
        let line = match (p.percent, p.percent_half_width()) {
            (Some(pc), Some(ph)) => format!(
                "{} costs {:.1} % {} than {} ± {} % ({ci})",
                v.name,
                pc.abs(),
                if pc < 0.0 { "less" } else { "more" },
                c.reference,
                percent_half(ph)
            ),
            _ => format!(
                "{} costs {:+.4} USD against {} ± {:.4} ({ci})",
                v.name,
                p.mean,
                c.reference,
                p.half_width()
            ),
        };
        out.push(if p.significant {
            line
        } else {
            format!("{line}: the interval includes no change, so the runs do not tell them apart")
        });
    }
    out
}

/// Left-aligned first column, right-aligned others, widths from the content.
fn text_table(out: &mut String, header: &[String], rows: &[Vec<String>]) {
    let cols = header.len();
    let mut width = vec![0usize; cols];
    for r in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        for (i, c) in r.iter().enumerate().take(cols) {
            width[i] = width[i].max(c.chars().count());
        }
    }
    for r in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate().take(cols) {
            let pad = width[i].saturating_sub(c.chars().count());
            if i == 0 {
                line.push_str(c);
                line.push_str(&" ".repeat(pad));
            } else {
                line.push_str("  ");
                line.push_str(&" ".repeat(pad));
                line.push_str(c);
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

/// The stdout table: figures per variant, deltas against the reference, break-even lines.
pub fn table(c: &Comparison) -> String {
    let mut out = String::new();
    match &c.replicas {
        None => {
            let _ = writeln!(
                out,
                "compare {} variant{}  seed {} (all variants)  reference {}",
                c.variants.len(),
                if c.variants.len() == 1 { "" } else { "s" },
                c.seed,
                c.reference
            );
        }
        Some(r) => {
            let _ = writeln!(
                out,
                "compare {} variant{}  {} replicas, seeds {}–{} (replica r: the same seed in every variant)  reference {}",
                c.variants.len(),
                if c.variants.len() == 1 { "" } else { "s" },
                r.count,
                c.seed,
                r.seeds.last().copied().unwrap_or(c.seed),
                c.reference
            );
        }
    }
    let _ = writeln!(out, "prices {}", c.prices);
    let _ = writeln!(out);
    // With replicas, the first two tables are replica 0's (the run whose files are
    // written), and say so.
    let replica0 = match c.replicas {
        Some(_) => format!(" (replica 0, seed {})", c.seed),
        None => String::new(),
    };
    let mut header = vec![format!("figure{replica0}")];
    header.extend(c.variants.iter().map(|v| v.name.clone()));
    text_table(&mut out, &header, &figure_rows(c));
    if c.variants.len() > 1 {
        let _ = writeln!(out);
        let mut header = vec![format!("change vs {}{replica0}", c.reference)];
        header.extend(c.variants[1..].iter().map(|v| v.name.clone()));
        text_table(&mut out, &header, &delta_rows(c));
    }
    if let Some(r) = &c.replicas {
        let _ = writeln!(out);
        let mut header = vec![format!("mean of {} replicas ± 95 % CI", r.count)];
        header.extend(c.variants.iter().map(|v| v.name.clone()));
        text_table(&mut out, &header, &mean_rows(c));
        if c.variants.len() > 1 {
            let _ = writeln!(out);
            let mut header = vec![format!("paired change vs {} ± 95 % CI", c.reference)];
            header.extend(c.variants[1..].iter().map(|v| v.name.clone()));
            text_table(&mut out, &header, &paired_rows(c));
            let _ = writeln!(out);
            for line in headlines(c) {
                let _ = writeln!(out, "{line}");
            }
        }
    }
    for b in &c.break_even {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "break-even {} vs {}:",
            b.ec2_variant, b.fargate_variant
        );
        for line in &b.arithmetic {
            let _ = writeln!(out, "  {line}");
        }
    }
    if !c.notes.is_empty() {
        let _ = writeln!(out);
        for n in &c.notes {
            let _ = writeln!(out, "note: {n}");
        }
    }
    out
}

/// An SVG chart to inline in `compare.html`, drawn by the caller (the same type `report.html`
/// takes).
pub use crate::report::html::InlineChart;

/// `compare.html`: one self-contained page (inline CSS, no script, no external reference),
/// with the figures, the deltas, the break-even arithmetic, `charts` (the comparison charts,
/// `report::charts::CompareChart`, drawn by the caller), and a relative link to each
/// variant's `<name>/report.html`.
pub fn html(c: &Comparison, charts: &[InlineChart]) -> String {
    let mut out = String::with_capacity(16 * 1024);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let title = c
        .variants
        .iter()
        .map(|v| v.name.as_str())
        .collect::<Vec<_>>()
        .join(" vs ");
    let _ = writeln!(out, "<title>ecsim compare: {}</title>", escape(&title));
    let _ = writeln!(out, "<style>{CSS}</style>");
    out.push_str("</head>\n<body>\n");
    let _ = writeln!(out, "<h1>ecsim compare: {}</h1>", escape(&title));
    let _ = writeln!(
        out,
        "<p class=\"meta\">seed {} for every variant (common random numbers); deltas against {}</p>",
        c.seed,
        escape(&c.reference)
    );
    let _ = writeln!(out, "<p class=\"meta\">prices: {}</p>", escape(&c.prices));
    out.push_str("<h2>Variants</h2>\n");
    let rows: Vec<Vec<String>> = c
        .variants
        .iter()
        .map(|v| vec![v.name.clone(), v.description.clone(), v.scenario.clone()])
        .collect();
    let mut links = String::new();
    crate::report::html::table(&mut links, &["variant", "description", "scenario"], &rows);
    out.push_str(&links);
    out.push_str("<p>Each variant's own report: ");
    for (i, v) in c.variants.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        // Variant names are filename-safe (letters, digits, '.', '_', '-'), so the href
        // needs no percent-encoding; it is escaped all the same.
        let _ = write!(
            out,
            "<a href=\"{}/report.html\">{}</a>",
            escape(&v.name),
            escape(&v.name)
        );
    }
    out.push_str("</p>\n");
    out.push_str("<h2>Figures</h2>\n");
    let mut header = vec!["figure"];
    header.extend(c.variants.iter().map(|v| v.name.as_str()));
    crate::report::html::table(&mut out, &header, &figure_rows(c));
    // The charts are drawn by the caller (they need plotters and the font, which this
    // renderer of text does not), and inlined here, right after the figures they draw.
    if !charts.is_empty() {
        out.push_str("<h2>Charts</h2>\n");
        crate::report::html::inline_charts(&mut out, charts);
    }
    if c.variants.len() > 1 {
        let _ = writeln!(out, "<h2>Change against {}</h2>", escape(&c.reference));
        let first = format!("change vs {}", c.reference);
        let mut header = vec![first.as_str()];
        header.extend(c.variants[1..].iter().map(|v| v.name.as_str()));
        crate::report::html::table(&mut out, &header, &delta_rows(c));
    }
    if let Some(r) = &c.replicas {
        let _ = writeln!(
            out,
            "<h2>Over {} replicas</h2>\n<p>Replica r of every variant ran with seed {} + r (common random numbers); the figures, charts, changes and break-even above are replica 0's. Intervals are 95 % Student-t intervals; the changes are paired differences against {}.</p>",
            r.count,
            c.seed,
            escape(&c.reference)
        );
        let lines = headlines(c);
        if !lines.is_empty() {
            out.push_str("<ul>\n");
            for line in &lines {
                let _ = writeln!(out, "<li>{}</li>", escape(line));
            }
            out.push_str("</ul>\n");
        }
        let first = format!("mean of {} replicas ± 95 % CI", r.count);
        let mut header = vec![first.as_str()];
        header.extend(c.variants.iter().map(|v| v.name.as_str()));
        crate::report::html::table(&mut out, &header, &mean_rows(c));
        if c.variants.len() > 1 {
            let first = format!("paired change vs {} ± 95 % CI", c.reference);
            let mut header = vec![first.as_str()];
            header.extend(c.variants[1..].iter().map(|v| v.name.as_str()));
            crate::report::html::table(&mut out, &header, &paired_rows(c));
        }
        let _ = writeln!(out, "<p class=\"meta\">Method: {}</p>", escape(r.method));
    }
    if !c.break_even.is_empty() {
        out.push_str("<h2>Break-even: EC2 against Fargate</h2>\n");
        for b in &c.break_even {
            let _ = writeln!(
                out,
                "<h3>{} vs {}</h3>\n<ol>",
                escape(&b.ec2_variant),
                escape(&b.fargate_variant)
            );
            for line in &b.arithmetic {
                let _ = writeln!(out, "<li>{}</li>", escape(line));
            }
            out.push_str("</ol>\n");
        }
    }
    if !c.notes.is_empty() {
        out.push_str("<h2>Notes</h2>\n<ul>\n");
        for n in &c.notes {
            let _ = writeln!(out, "<li>{}</li>", escape(n));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::test_support::empty_report;

    /// A summary that billed `ec2` USD (of which `idle`) over `ec2_hours` task-hours on
    /// `instance_hours` instance-hours, and `fargate` USD over `fargate_hours` task-hours.
    fn summary(
        ec2: f64,
        idle: f64,
        ec2_hours: f64,
        instance_hours: f64,
        fargate: f64,
        fargate_hours: f64,
    ) -> Summary {
        let mut s = empty_report().summary;
        s.duration_s = 3600.0;
        s.window.to_s = 3600.0;
        s.window.duration_s = 3600.0;
        s.cost.ec2_usd = ec2;
        s.cost.idle_usd = idle;
        s.cost.fargate_usd = fargate;
        s.cost.total_usd = ec2 + fargate;
        s.instances.instance_hours = instance_hours;
        s.instances.launched = u64::from(instance_hours > 0.0);
        s.usage.ec2_running_task_hours = ec2_hours;
        s.usage.fargate_running_task_hours = fargate_hours;
        s.usage.running_task_hours = ec2_hours + fargate_hours;
        s
    }

    fn entry<'a>(name: &'a str, s: &'a Summary) -> Entry<'a> {
        Entry {
            name,
            description: "",
            summary: s,
        }
    }

    #[test]
    fn break_even_arithmetic_and_verdicts() {
        // EC2: $10 for 100 task-hours on 50 instance-hours, $2 idle: C_e = 0.10, u_m = 0.8,
        // p = 0.20. Fargate at C_f = 0.16: u* = 0.8 × 0.10 / 0.16 = 50 %; EC2 (0.10 < 0.16) is
        // cheaper; per instance-hour 0.20 / 0.16 = 1.25 task-hours, and it carried 2.
        let e = summary(10.0, 2.0, 100.0, 50.0, 0.0, 0.0);
        let f = summary(0.0, 0.0, 0.0, 0.0, 16.0, 100.0);
        let b = break_even(entry("e", &e), entry("f", &f));
        assert!((b.break_even_reserved_share_pct - 50.0).abs() < 1e-9);
        assert!((b.break_even_task_hours_per_instance_hour - 1.25).abs() < 1e-12);
        assert!((b.task_hours_per_instance_hour - 2.0).abs() < 1e-12);
        assert_eq!(b.verdict, Verdict::Ec2Cheaper);
        // Fargate at C_f = 0.05: u* = 0.8 × 0.10 / 0.05 = 160 %: never.
        let cheap = summary(0.0, 0.0, 0.0, 0.0, 5.0, 100.0);
        let b = break_even(entry("e", &e), entry("f", &cheap));
        assert!((b.break_even_reserved_share_pct - 160.0).abs() < 1e-9);
        assert_eq!(b.verdict, Verdict::Ec2NeverCheaper);
        // Fargate at C_f = 0.09: u* = 0.08 / 0.09 = 88.9 %, above the measured 80 %.
        let mid = summary(0.0, 0.0, 0.0, 0.0, 9.0, 100.0);
        let b = break_even(entry("e", &e), entry("f", &mid));
        assert_eq!(b.verdict, Verdict::FargateCheaper);
        assert_eq!(b.arithmetic.len(), 5);
        assert_eq!(b.break_even_with_commitments_pct, None);
    }

    #[test]
    fn commitments_move_the_break_even() {
        // As above: C_e = 0.10, u_m = 0.8, C_f = 0.16, u* = 50 %. With commitments EC2 pays
        // $8 (C_e' = 0.08) and Fargate $14.40 (C_f' = 0.144): u*' = 0.8 × 0.08 / 0.144 =
        // 44.44 %. With commitments on one side only there is no second line.
        let with = |mut s: Summary, effective: f64| {
            s.cost.commitments = Some(crate::billing::commitments::CommitmentsSummary {
                effective_usd: effective,
                ..Default::default()
            });
            s
        };
        let e = with(summary(10.0, 2.0, 100.0, 50.0, 0.0, 0.0), 8.0);
        let f = with(summary(0.0, 0.0, 0.0, 0.0, 16.0, 100.0), 14.4);
        let b = break_even(entry("e", &e), entry("f", &f));
        assert!((b.break_even_reserved_share_pct - 50.0).abs() < 1e-9);
        let moved = b
            .break_even_with_commitments_pct
            .expect("both have commitments");
        assert!((moved - 0.8 * 0.08 / 0.144 * 100.0).abs() < 1e-9, "{moved}");
        assert_eq!(b.arithmetic.len(), 6);
        assert!(b.arithmetic[5].contains("the break-even moves from 50.00 % to"));
        let plain = summary(0.0, 0.0, 0.0, 0.0, 16.0, 100.0);
        let b = break_even(entry("e", &e), entry("f", &plain));
        assert_eq!(b.break_even_with_commitments_pct, None);
        assert_eq!(b.arithmetic.len(), 5);
    }

    #[test]
    fn pairs_only_ec2_only_with_fargate_only_and_deltas_skip_zero_references() {
        let e = summary(10.0, 2.0, 100.0, 50.0, 0.0, 0.0);
        let mixed = summary(5.0, 1.0, 50.0, 25.0, 8.0, 50.0);
        let f = summary(0.0, 0.0, 0.0, 0.0, 16.0, 100.0);
        let c = compare(&[entry("e", &e), entry("mixed", &mixed), entry("f", &f)], 3);
        assert_eq!(c.break_even.len(), 1);
        assert_eq!((c.break_even[0].ec2_variant.as_str(), c.seed), ("e", 3));
        // The reference had no Fargate cost: an absolute change, no percentage.
        let d = c.variants[2].deltas["fargate_usd"];
        assert_eq!((d.absolute, d.percent), (16.0, None));
        let d = c.variants[2].deltas["total_usd"];
        assert_eq!(d.percent, Some(60.0));
        // No EC2 in the Fargate variant: its reservation is absent, and so is its delta.
        assert!(c.variants[2].figures.ec2_cpu_reserved_pct.is_none());
        assert!(!c.variants[2].deltas.contains_key("ec2_cpu_reserved_pct"));
        // Nor its EC2 cost lines: shown as "–", not as 0.0000.
        for key in [
            "ec2_usd",
            "idle_usd",
            "instance_hours",
            "ec2_spend_reserved_pct",
        ] {
            assert!(!c.variants[2].deltas.contains_key(key), "{key}");
        }
        let text = table(&c);
        assert_eq!(
            text.lines().nth(1),
            Some(format!("prices {}", e.prices.statement()).as_str()),
            "the prices heading the table"
        );
        let ec2_row = text
            .lines()
            .find(|l| l.trim_start().starts_with("EC2, USD"))
            .expect("EC2 row");
        assert!(ec2_row.trim_end().ends_with('–'), "{ec2_row}");
        // The two reservation figures are labelled apart: CPU reserved vs spend reserved.
        assert!(text.contains("EC2 CPU reserved, % of registered (time-weighted)"));
        assert!(text.contains("EC2 spend reserved by tasks, % (break-even u)"));
        assert!(c.notes.is_empty(), "{:?}", c.notes);
    }

    #[test]
    fn fargate_spot_is_its_own_figure_in_the_json_table_and_page() {
        let mut s = summary(0.0, 0.0, 0.0, 0.0, 16.0, 100.0);
        s.cost.fargate_spot_usd = 6.0;
        let reference = summary(0.0, 0.0, 0.0, 0.0, 16.0, 100.0);
        let c = compare(&[entry("od", &reference), entry("spot", &s)], 1);
        assert_eq!(c.variants[1].figures.fargate_spot_usd, 6.0);
        // The reference had no Spot cost: an absolute change only.
        let d = c.variants[1].deltas["fargate_spot_usd"];
        assert_eq!((d.absolute, d.percent), (6.0, None));
        let json: serde_json::Value =
            serde_json::from_str(&compare_json(&c)).expect("compare.json parses");
        assert_eq!(json["variants"][1]["figures"]["fargate_spot_usd"], 6.0);
        assert!(table(&c).contains("of which Fargate Spot, USD"));
        assert!(html(&c, &[]).contains("of which Fargate Spot, USD"));
    }

    #[test]
    fn paired_interval_by_hand() {
        // Reference y = [10, 12, 14], variant x = [9, 10.5, 13]: d = x − y = [−1, −1.5, −1].
        // mean(d) = −3.5 / 3 = −1.1666667; deviations 1/6, −1/3, 1/6, squares sum 6/36 = 1/6,
        // sd = √((1/6) / 2) = √(1/12) = 0.2886751; t(0.975, 2) = 4.302653;
        // half = 4.302653 × 0.2886751 / √3 = 4.302653 / 6 = 0.7171088;
        // CI = [−1.8837755, −0.4495579], excludes 0.
        let y = [Some(10.0), Some(12.0), Some(14.0)];
        let x = [Some(9.0), Some(10.5), Some(13.0)];
        let p = paired(&y, &x).expect("three pairs");
        assert_eq!(p.n, 3);
        assert!((p.mean - (-1.166667)).abs() < 1e-9, "{p:?}");
        assert!((p.sd - 0.288675).abs() < 1e-9, "{p:?}");
        assert!((p.ci95_low - (-1.883776)).abs() < 1e-9, "{p:?}");
        assert!((p.ci95_high - (-0.449558)).abs() < 1e-9, "{p:?}");
        assert!(p.significant);
        // Percent: mean(y) = 12, R = −1.1666667 / 12 = −0.0972222 → −9.722222 %.
        // R = −7/72. z_r = (d_r − R·y_r) / 12: (−1 + 70/72) / 12 = −2/864,
        // (−1.5 + 84/72) / 12 = −24/864, (−1 + 98/72) / 12 = 26/864 (sum 0);
        // Σz² = (4 + 576 + 676) / 864² = 1256 / 864², sd = √(1256 / 2) / 864 = √628 / 864
        // = 0.02900455; half = 4.302653 × 0.02900455 / √3 = 0.07205129 → ± 7.205129 %.
        let pc = p.percent.expect("reference mean is not 0");
        assert!((pc - (-9.722222)).abs() < 1e-9, "{p:?}");
        let half = p.percent_half_width().expect("interval");
        assert!((half - 7.205129).abs() < 2e-6, "{p:?}");
        assert!((p.percent_ci95_low.unwrap_or(0.0) - (pc - half)).abs() < 2e-6);

        // A replica where either side lacks the figure is left out of the pairs: the same
        // three pairs give the same answer.
        let y4 = [Some(10.0), None, Some(12.0), Some(14.0)];
        let x4 = [Some(9.0), Some(7.0), Some(10.5), Some(13.0)];
        assert_eq!(paired(&y4, &x4), Some(p));
        // One pair: no spread, an interval of width 0 that proves nothing.
        let one = paired(&[Some(2.0)], &[Some(1.0)]).expect("one pair");
        assert_eq!((one.n, one.mean, one.half_width()), (1, -1.0, 0.0));
        assert!(!one.significant);
        // A reference mean of 0: no percentage.
        let zero = paired(&[Some(0.0), Some(0.0)], &[Some(1.0), Some(3.0)]).expect("pairs");
        assert_eq!(zero.percent, None);
        assert_eq!(paired(&[None], &[Some(1.0)]), None);
    }

    #[test]
    fn replicated_comparison_adds_stats_and_table_sections_only_with_replicas() {
        // Two variants, three replicas: the reference's total costs 10, 12, 14 and the other's
        // 9, 10.5, 13, as in `paired_interval_by_hand`.
        let costs = [[10.0, 12.0, 14.0], [9.0, 10.5, 13.0]];
        let summaries: Vec<Vec<Summary>> = costs
            .iter()
            .map(|row| {
                row.iter()
                    .map(|&c| summary(0.0, 0.0, 0.0, 0.0, c, 10.0))
                    .collect()
            })
            .collect();
        let entries = [entry("a", &summaries[0][0]), entry("b", &summaries[1][0])];
        let plain = compare(&entries, 7);
        let plain_json = compare_json(&plain);
        assert!(!plain_json.contains("\"replicas\""), "{plain_json}");
        let mut c = plain.clone();
        let figures: Vec<Vec<Figures>> = summaries
            .iter()
            .map(|row| row.iter().map(Figures::of).collect())
            .collect();
        add_replicas(&mut c, &figures, &[7, 8, 9]);
        // Replica 0's figures and deltas are untouched.
        assert_eq!(c.variants[1].deltas, plain.variants[1].deltas);
        let r = c.variants[1].replicas.as_ref().expect("replicas");
        let p = r.paired["total_usd"];
        assert!((p.ci95_low - (-1.883776)).abs() < 1e-9, "{p:?}");
        assert!((r.figures["total_usd"].mean - 32.5 / 3.0).abs() < 1e-6);
        assert!(c.variants[0]
            .replicas
            .as_ref()
            .expect("r")
            .paired
            .is_empty());
        let json: serde_json::Value =
            serde_json::from_str(&compare_json(&c)).expect("compare.json parses");
        assert_eq!(json["replicas"]["seeds"], serde_json::json!([7, 8, 9]));
        assert_eq!(
            json["variants"][1]["replicas"]["paired"]["total_usd"]["n"],
            3
        );
        let t = table(&c);
        // −9.7 % ± 7.2 %: "b costs 9.7 % less than a ± 7.2 %".
        assert!(
            t.contains("b costs 9.7 % less than a ± 7.2 % (95 % CI, 3 paired replicas)"),
            "{t}"
        );
        assert!(t.contains("-1.1667 ± 0.7171 (-9.7% ± 7.2%)"), "{t}");
        assert!(!table(&plain).contains("paired"));
        let page = html(&c, &[]);
        assert!(page.contains("Over 3 replicas") && page.contains("b costs 9.7 % less"));
    }

    #[test]
    fn safe_names() {
        assert_eq!(safe_name("worldcup-ec2"), "worldcup-ec2");
        assert_eq!(safe_name("-a b"), "a-b");
        assert_eq!(safe_name(""), "variant");
        assert!(safe_name(&"x".repeat(200)).len() <= MAX_VARIANT_NAME_LEN);
        // Never a file or folder compare writes itself.
        assert_eq!(safe_name("charts"), "charts-run");
        assert_eq!(safe_name("Compare.json"), "Compare.json-run");
    }

    #[test]
    fn plan_keeps_names_apart_ignoring_case_and_away_from_compare_files() {
        use crate::scenario::{from_json_str, ScenarioSet};
        use std::path::Path;
        let scenario = |name: &str| {
            let text = format!(
                r#"{{"name": "{name}", "duration": "1m",
                    "cluster": {{"clusterName": "c", "availabilityZones": ["us-east-1a"],
                                "capacityProviders": ["FARGATE"]}},
                    "taskDefinitions": [{{"family": "t", "cpu": "256", "memory": "512",
                                         "requiresCompatibilities": ["FARGATE"]}}],
                    "services": [{{"serviceName": "s", "taskDefinition": "t",
                                  "desiredCount": 1, "launchType": "FARGATE"}}]}}"#
            );
            let base = from_json_str(&text, Path::new("t.json"), Path::new("."))
                .unwrap_or_else(|e| panic!("{e}"));
            ScenarioSet {
                base,
                variants: Vec::new(),
            }
        };
        let planned = plan(vec![
            ("a/web.json".into(), scenario("Web")),
            ("b/web.json".into(), scenario("web")),
            ("c/charts.json".into(), scenario("charts")),
        ]);
        let names: Vec<&str> = planned.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["Web", "web-web", "charts-run"]);
    }
}
