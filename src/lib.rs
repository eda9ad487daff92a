//! ecsim: a discrete-event simulator of Amazon ECS capacity.
//!
//! Load a scenario, run it, read the [`report::Report`]:
//!
//! ```no_run
//! let scenario = ecsim::load(std::path::Path::new("scenarios/quickstart.json"))?;
//! let report = ecsim::run(&scenario, None, &mut |_| {})?;
//! println!("total cost: ${:.2}", report.summary.cost.total_usd);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Layers (see ARCHITECTURE.md): `engine` knows nothing about ECS; the concept modules
//! (`cluster`, `scheduler`, `billing`, `workload`, `cloud`) hold state and pure policies;
//! `simulation` is the run loop that applies them; `report` turns the result into data and
//! text. Only the binary writes files.
#![warn(missing_docs)]

pub mod autoscaling;
pub mod billing;
pub mod cloud;
pub mod cluster;
pub mod compare;
pub mod defaults;
pub mod distribution;
pub mod engine;
pub mod explain;
pub mod faults;
pub mod ids;
pub mod import;
pub mod montecarlo;
pub mod report;
pub mod scenario;
pub mod scheduler;
pub mod simulation;
pub mod sweep;
pub mod units;
pub mod workload;

use std::path::Path;

pub use scenario::{Scenario, ScenarioError};
pub use simulation::{Progress, RunError};

/// Reads and validates a scenario file, reporting every problem with its JSON path.
/// A `variants` list is neither applied nor checked here: [`scenario::load_set`] does both.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    scenario::load(path)
}

/// Runs a validated scenario. `seed` overrides the scenario's seed.
pub fn run(
    scenario: &Scenario,
    seed: Option<u64>,
    progress: &mut dyn FnMut(Progress),
) -> Result<report::Report, RunError> {
    let seed = seed.unwrap_or(scenario.seed);
    let mut report = simulation::run(scenario, seed, progress)?;
    report.summary.seed = seed;
    Ok(report)
}

/// [`run`] with decision traces: the report's `explain` holds what `explain.jsonl` is
/// written from; every other part of the report is the same as [`run`]'s.
pub fn run_explained(
    scenario: &Scenario,
    seed: Option<u64>,
    progress: &mut dyn FnMut(Progress),
) -> Result<report::Report, RunError> {
    let seed = seed.unwrap_or(scenario.seed);
    let mut report = simulation::run_explained(scenario, seed, progress)?;
    report.summary.seed = seed;
    Ok(report)
}

/// What [`check_traces`] read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TracesRead {
    /// Batch submissions (RunTask calls) read from workload traces.
    pub submissions: u64,
    /// Request-rate steps read from service load traces, up to the end of the run.
    pub rate_steps: u64,
    /// Per workload and per service, what the traces ask for before the end of the run, for
    /// [`scenario::check_work`].
    pub work: scenario::TracedWork,
    /// Per workload whose reader skipped rows, its name and the skips in words (e.g. "897
    /// with a pod_phase not replayed"), in scenario order: well-formed rows a reader does not
    /// replay are counted, never dropped silently.
    pub skipped: Vec<(String, String)>,
    /// Per workload whose reader changed rows it replayed, its name and the changes in words
    /// (e.g. "880 pods sharing a GPU given a whole one"), in scenario order.
    pub adjusted: Vec<(String, String)>,
}

/// Reads every trace of the scenario once, start to end (request-rate traces up to the end
/// of the run), so `validate` reports a bad row before a long run reaches it. Returns the
/// number of submissions and rate steps read (generated workloads are not drawn), and the
/// tasks and steps each trace asks for before the end of the run.
pub fn check_traces(scenario: &Scenario) -> Result<TracesRead, workload::TraceError> {
    let mut rows = 0u64;
    let end = engine::SimTime::ZERO + scenario.duration;
    let mut work = scenario::TracedWork::default();
    let (mut skipped_rows, mut adjusted_rows) = (Vec::new(), Vec::new());
    for w in &scenario.workloads {
        if matches!(w.source, scenario::WorkloadSource::Generated(_)) {
            work.workload_tasks.push(None);
            work.workload_peak_alive.push(None);
            continue;
        }
        let rng = engine::RngStreams::new(0).stream(engine::Stream::Workload);
        let mut tasks = 0u64;
        // Tasks alive if each ran from its submission for its duration: their ends, soonest
        // first (memory follows the tasks alive at once, as the run's does).
        let mut ends: std::collections::BinaryHeap<std::cmp::Reverse<(engine::SimTime, u32)>> =
            Default::default();
        let (mut alive, mut peak) = (0u64, 0u64);
        let mut source = simulation::open_source(&w.source, rng)?;
        for job in source.by_ref() {
            let job = job?;
            rows += 1;
            // The run stops reading at the first submission past its end.
            if job.submit <= end {
                tasks = tasks.saturating_add(u64::from(job.count));
                while let Some(&std::cmp::Reverse((at, n))) = ends.peek() {
                    if at > job.submit {
                        break;
                    }
                    ends.pop();
                    alive -= u64::from(n);
                }
                ends.push(std::cmp::Reverse((job.submit + job.duration, job.count)));
                alive += u64::from(job.count);
                peak = peak.max(alive);
            }
        }
        let skipped = source.skipped_summary();
        if !skipped.is_empty() {
            skipped_rows.push((w.name.clone(), skipped));
        }
        let adjusted = source.adjusted_summary();
        if !adjusted.is_empty() {
            adjusted_rows.push((w.name.clone(), adjusted));
        }
        work.workload_tasks.push(Some(tasks));
        work.workload_peak_alive.push(Some(peak));
    }
    // Request-rate traces: read up to the end of the run (a repeating trace never ends).
    let submissions = rows;
    let mut rows = 0u64;
    for s in &scenario.services {
        let Some(scenario::ServiceLoadSpec {
            source: scenario::RateSourceSpec::Trace { path, options },
            ..
        }) = &s.load
        else {
            work.service_rate_steps.push(None);
            continue;
        };
        let mut steps = 0u64;
        for step in workload::request_rate::RateReader::open(path, options)? {
            let step = step?;
            rows += 1;
            steps += 1;
            if step.at > end {
                break;
            }
        }
        work.service_rate_steps.push(Some(steps));
    }
    Ok(TracesRead {
        submissions,
        rate_steps: rows,
        work,
        skipped: skipped_rows,
        adjusted: adjusted_rows,
    })
}
