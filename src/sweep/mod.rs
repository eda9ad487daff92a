//! `ecsim sweep` and `ecsim merge`: run a scenario over a design of parameter values with
//! replicas, judge each point against constraints on confidence intervals, and find the
//! cheapest feasible configuration; or run a fixed share of the points (a shard) and merge
//! the shards' partial results into exactly the files an unsharded run writes.
//!
//! - [`file`](mod@file): the sweep file (serde types) and [`load`], which checks everything and gives
//!   a [`Plan`];
//! - [`design`]: the points (grid, random, Latin hypercube) and the shard assignment;
//! - [`stats`]: count/sum/sum-of-squares accumulators, Student-t intervals, the rule;
//! - [`search`]: one point's stages of replicas (racing against the constraints);
//! - [`outputs`]: the streaming `sweep.csv` writer, `sweep.json`, `best.json`, the table,
//!   and the partial format `merge` reads.
//!
//! Like the rest of the library this module does not write files: the binary hands it
//! writers. It reads the sweep file, the base scenario and (for `merge`) partial folders,
//! as `scenario::load` reads scenarios.
//!
//! Memory: a point's result is its accumulators (a few hundred bytes); the runner works
//! through the points in chunks and hands each chunk's results, in point order, to a sink
//! that writes them out at once; only the Pareto fronts and the best few points stay.

pub mod design;
pub mod file;
pub mod outputs;
pub mod search;
pub mod stats;

use std::path::PathBuf;
use std::sync::Mutex;

use rayon::prelude::*;

pub use file::{load, CliOverrides, Loaded, Plan};
pub use search::PointResult;

use crate::scenario::{Problem, ScenarioError};
use crate::RunError;

/// Most points in one sweep (a limit on everything: each is at least one run).
pub const MAX_POINTS: u64 = 10_000_000;
/// Most levels of one parameter.
pub const MAX_LEVELS: usize = 100_000;
/// Most replicas per point.
pub const MAX_REPLICAS: u32 = 10_000;
/// Most shards.
pub const MAX_SHARDS: u32 = 100_000;

/// Points run in parallel per chunk; each chunk's results are written before the next
/// starts, so memory stays bounded whatever the sweep's size, and large enough that the
/// wait for a chunk's slowest point costs little.
const CHUNK_POINTS: usize = 512;

/// Why a sweep or a merge could not be done. Variants that wrap another error name it as
/// their `source` and leave it out of their own message, so `{:#}` prints each part once.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// The sweep file could not be read.
    #[error("{file}: cannot read the sweep file: {error}")]
    Io {
        /// The file.
        file: PathBuf,
        /// The OS error (in the message, so not a `source`: `{:#}` prints it once).
        error: std::io::Error,
    },
    /// Not JSON, or not the shape of a sweep file.
    #[error("{file}:{line}:{column}: {message}")]
    Syntax {
        /// The file.
        file: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What serde found and expected.
        message: String,
    },
    /// Well-formed but wrong: every problem with its path.
    #[error("{file}: {} problem{} found:\n{}", problems.len(), if problems.len() == 1 { "" } else { "s" }, problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid {
        /// The file.
        file: PathBuf,
        /// Every problem, in file order.
        problems: Vec<Problem>,
    },
    /// The base scenario is not valid.
    #[error("base scenario")]
    Base(#[source] ScenarioError),
    /// The dry run of the base (to learn the summary's figures) failed.
    #[error("dry run of the base scenario")]
    DryRun(#[source] RunError),
    /// A combination of levels gives an invalid scenario.
    #[error("point {index} ({point}) gives an invalid scenario:\n{}", problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    Point {
        /// Point index.
        index: u64,
        /// Its levels, `name = label, …`.
        point: String,
        /// The scenario's problems.
        problems: Vec<Problem>,
    },
    /// A run failed.
    #[error("point {index}, replica seed {seed}")]
    Run {
        /// Point index.
        index: u64,
        /// The replica's seed.
        seed: u64,
        /// Why.
        #[source]
        error: RunError,
    },
    /// A bad `--shard`.
    #[error("--shard: {0}")]
    Shard(String),
    /// Partials that cannot be merged (another sweep, another version, missing or duplicate
    /// shards, a damaged file).
    #[error("{}: {message}", path.display())]
    Merge {
        /// The partial folder or file concerned.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Writing an output failed.
    #[error("cannot write {what}: {error}")]
    Write {
        /// Which output.
        what: String,
        /// The OS error (in the message, so not a `source`: `{:#}` prints it once).
        error: std::io::Error,
    },
}

impl SweepError {
    /// Whether the user's input is at fault (exit code 2) rather than the machine (1).
    pub fn is_input_error(&self) -> bool {
        match self {
            // A sweep file that cannot be read is the user's to fix, as a scenario's is.
            SweepError::Io { .. } => true,
            SweepError::Write { .. } => false,
            SweepError::DryRun(e) | SweepError::Run { error: e, .. } => {
                matches!(e, RunError::Trace(_) | RunError::WorkCap { .. })
            }
            _ => true,
        }
    }
}

/// `--shard I/N`: this process runs shard `index` of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// 0-based index.
    pub index: u32,
    /// Number of shards.
    pub count: u32,
}

/// Environment variables the batch engines set to a job's 0-based array index, in the order
/// they are read: AWS Batch array jobs, Kubernetes Indexed Jobs, Slurm job arrays (the Slurm
/// script uses `--array=0-(N-1)`).
pub const SHARD_INDEX_VARIABLES: [&str; 3] = [
    "AWS_BATCH_JOB_ARRAY_INDEX",
    "JOB_COMPLETION_INDEX",
    "SLURM_ARRAY_TASK_ID",
];

impl Shard {
    /// The folder a shard writes into under `--out`: `shard-I-of-N`.
    pub fn folder(&self) -> String {
        format!("shard-{}-of-{}", self.index, self.count)
    }

    /// Parses `I/N`, or `N` with the index read by `env` from [`SHARD_INDEX_VARIABLES`].
    pub fn parse(arg: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Shard, SweepError> {
        let bad = |m: String| SweepError::Shard(m);
        let count_of = |s: &str| -> Result<u32, SweepError> {
            match s.trim().parse::<u32>() {
                Ok(n) if (1..=MAX_SHARDS).contains(&n) => Ok(n),
                _ => Err(bad(format!(
                    "{s:?} is not a shard count; expected a whole number from 1 to {MAX_SHARDS}"
                ))),
            }
        };
        let (index, count, from) = match arg.split_once('/') {
            Some((i, n)) => (i.trim().to_string(), count_of(n)?, "I/N".to_string()),
            None => {
                let count = count_of(arg)?;
                let found = SHARD_INDEX_VARIABLES
                    .iter()
                    .find_map(|v| env(v).map(|x| (*v, x)));
                let Some((var, value)) = found else {
                    return Err(bad(format!(
                        "--shard {count} names no index and none of {} is set; pass --shard I/{count} or run as an array job",
                        SHARD_INDEX_VARIABLES.join(", ")
                    )));
                };
                (value.trim().to_string(), count, var.to_string())
            }
        };
        let index = index.parse::<u32>().map_err(|_| {
            bad(format!(
                "shard index {index:?} (from {from}) is not a whole number"
            ))
        })?;
        if index >= count {
            return Err(bad(format!(
                "shard index {index} (from {from}) is out of range: with {count} shards it runs from 0 to {}",
                count - 1
            )));
        }
        Ok(Shard { index, count })
    }
}

/// How far a sweep has got, for the progress bar.
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    /// Points finished.
    pub done: u64,
    /// Points this process runs.
    pub total: u64,
}

/// Runs the points of `loaded` (those of `shard` only, when given) in parallel and hands
/// each result to `sink` in point order, chunk by chunk. Returns the number of points run.
///
/// The results do not depend on the thread count: each point's replicas are summed in
/// replica order, and points are handed over in point order. The first failing point (in
/// point order) stops the sweep with its error.
pub fn run_points(
    loaded: &Loaded,
    shard: Option<Shard>,
    progress: &(dyn Fn(Progress) + Sync),
    sink: &mut dyn FnMut(PointResult) -> Result<(), SweepError>,
) -> Result<u64, SweepError> {
    let plan = &loaded.plan;
    let base: serde_json::Value =
        serde_json::from_str(&plan.base).map_err(|e| SweepError::Merge {
            path: PathBuf::from(&plan.name),
            message: format!("the plan's base scenario is not JSON: {e}"),
        })?;
    let points: Vec<(u64, Vec<u32>)> = design::points(plan)
        .into_iter()
        .enumerate()
        .map(|(i, p)| (i as u64, p))
        .filter(|(i, _)| match shard {
            Some(s) => design::in_shard(*i, s.index, s.count),
            None => true,
        })
        .collect();
    let total = points.len() as u64;
    let done = Mutex::new(0u64);
    progress(Progress { done: 0, total });
    for chunk in points.chunks(CHUNK_POINTS) {
        let results: Vec<Result<PointResult, SweepError>> = chunk
            .par_iter()
            .map(|(i, levels)| {
                let r = search::evaluate(plan, &base, &loaded.base_dir, *i, levels);
                let mut d = done.lock().unwrap_or_else(|e| e.into_inner());
                *d += 1;
                progress(Progress { done: *d, total });
                r
            })
            .collect();
        for r in results {
            sink(r?)?;
        }
    }
    Ok(total)
}

/// FNV-1a, 64 bits: the digest that ties a partial to its sweep. Not cryptographic (nobody
/// forges partials against themselves); it only has to differ when the sweep differs, and a
/// dozen lines beat a new dependency.
pub struct Fnv(u64);

impl Fnv {
    /// The FNV-1a offset basis.
    pub fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    /// Hashes `bytes` in.
    pub fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
    /// `fnv1a64:` and 16 hex digits.
    pub fn hex(&self) -> String {
        format!("fnv1a64:{:016x}", self.0)
    }
}

impl Default for Fnv {
    fn default() -> Self {
        Fnv::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_matches_the_reference_vectors() {
        // FNV-1a 64 of "" and "a", from the FNV reference (isthe.com/chongo/tech/comp/fnv).
        assert_eq!(Fnv::new().hex(), "fnv1a64:cbf29ce484222325");
        let mut h = Fnv::new();
        h.write(b"a");
        assert_eq!(h.hex(), "fnv1a64:af63dc4c8601ec8c");
    }

    #[test]
    fn shard_arguments_and_environment() {
        let none = |_: &str| None;
        assert_eq!(
            Shard::parse("2/3", &none).unwrap(),
            Shard { index: 2, count: 3 }
        );
        assert!(Shard::parse("3/3", &none)
            .unwrap_err()
            .to_string()
            .contains("out of range"));
        assert!(Shard::parse("0/0", &none).is_err());
        assert!(Shard::parse("x/2", &none).is_err());
        let err = Shard::parse("4", &none).unwrap_err().to_string();
        assert!(err.contains("AWS_BATCH_JOB_ARRAY_INDEX"), "{err}");
        // AWS Batch first, then Kubernetes, then Slurm.
        let k8s_and_slurm = |v: &str| match v {
            "JOB_COMPLETION_INDEX" => Some("1".to_string()),
            "SLURM_ARRAY_TASK_ID" => Some("3".to_string()),
            _ => None,
        };
        assert_eq!(Shard::parse("4", &k8s_and_slurm).unwrap().index, 1);
        let slurm = |v: &str| (v == "SLURM_ARRAY_TASK_ID").then(|| "3".to_string());
        assert_eq!(Shard::parse("4", &slurm).unwrap().index, 3);
        let out = |v: &str| (v == "SLURM_ARRAY_TASK_ID").then(|| "4".to_string());
        let err = Shard::parse("4", &out).unwrap_err().to_string();
        assert!(
            err.contains("SLURM_ARRAY_TASK_ID") && err.contains("out of range"),
            "{err}"
        );
        assert_eq!(Shard { index: 1, count: 3 }.folder(), "shard-1-of-3");
    }
}
