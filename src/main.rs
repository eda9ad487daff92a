//! The `ecsim` command: parse arguments, call the library, write files, map errors to exit
//! codes. The only place that writes files or prints.
//!
//! Exit codes (a contract): 0 success, 2 invalid input (scenario or trace), 1 anything else.
//! A closed pipe (EPIPE) ends the program quietly: exit 0 when it is stdout (as ripgrep:
//! everything ecsim prints on stdout comes after its work is done, so only the table is
//! lost), 1 when it is stderr during the work (the work was cut short).
//!
//! Printing: every byte goes through [`print_to`] (the `out!` and `diag!` macros), never
//! `print!`/`eprint!`, which panic on a closed pipe or a full disk.
//!
//! Output folders are all-or-nothing ([`Staged`]): a run, a `--replicas` run and a compare
//! tree are written into a temporary sibling folder and swapped in whole at the end.

use std::fmt;
use std::fs;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Instant;

use anyhow::Context;
use clap::{Parser, Subcommand};

use ecsim::report::charts::{ChartFormat, ChartKind, CompareChart, MonteCarloChart};
use ecsim::report::{html, render, Report};
use ecsim::scenario::Override;
use ecsim::{compare, montecarlo};
use ecsim::{RunError, ScenarioError};

#[derive(Parser)]
#[command(
    name = "ecsim",
    version,
    about = "Discrete-event simulator of Amazon ECS capacity: placement, scaling, failures and cost"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario and write summary.json, timeseries.csv, services.csv,
    /// capacity_providers.csv, costs.csv, events.jsonl, report.html and charts/*.svg and *.png (and
    /// replicas.csv and the spread charts charts/montecarlo*.svg and *.png with --replicas). A file's `variants` are checked but not run (see
    /// `compare`).
    Run {
        /// Scenario file (JSON).
        file: PathBuf,
        /// What-if: set POINTER (an RFC 6901 JSON Pointer into the scenario) to VALUE (JSON,
        /// or else a string) before validating; repeatable, applied in order, before variants.
        #[arg(long = "set", value_name = "POINTER=VALUE", value_parser = Override::parse)]
        set: Vec<Override>,
        /// Output folder (default: results/<scenario name>/).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Root seed (default: the scenario's `seed`).
        #[arg(long)]
        seed: Option<u64>,
        /// No progress on stderr.
        #[arg(long)]
        quiet: bool,
        /// Monte Carlo: run N replicas with seeds seed, seed+1, …; replica 0's files as
        /// usual, plus `monte_carlo` in summary.json and replicas.csv (N = 1: a single run).
        #[arg(long, default_value_t = 1, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
        replicas: u32,
        /// Do not write the charts (SVG and PNG) under charts/ nor inline them in report.html
        /// (which is still written) (saves time on very long runs).
        #[arg(long)]
        no_charts: bool,
        /// Trace every decision (placement, capacity provider strategy, service and managed
        /// scaling, faults) into explain.jsonl, at most settings.explainLimit of them, and link
        /// report.html's timeline to them; read them with `ecsim explain`. The other files
        /// are the same as without it.
        #[arg(long, conflicts_with = "replicas")]
        explain: bool,
    },
    /// Explain a decision of a run written with `run --explain`: where a task went and why
    /// (every filter and strategy step), why it was never placed, why a service or capacity
    /// provider scaled, what a fault took away.
    #[command(group(clap::ArgGroup::new("what").required(true).args(["task", "service", "event"])))]
    Explain {
        /// The run folder (holding explain.jsonl).
        dir: PathBuf,
        /// A task, by the number events.jsonl prints ("task 17").
        #[arg(long, value_name = "ID")]
        task: Option<u32>,
        /// A service's scaling and placement decisions.
        #[arg(long, value_name = "NAME")]
        service: Option<String>,
        /// With --service: only its last decision at or before TIME ("90s", "2h", seconds).
        #[arg(long, value_name = "TIME", requires = "service", value_parser = parse_at)]
        at: Option<f64>,
        /// The decision behind line N of events.jsonl (from 1), e.g. a timeline row.
        #[arg(long, value_name = "N")]
        event: Option<u64>,
        /// Print the decisions' JSON lines instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Check a scenario and every one of its variants (and read their traces) without
    /// running it.
    Validate {
        /// Scenario file (JSON).
        file: PathBuf,
        /// What-if: set POINTER (an RFC 6901 JSON Pointer into the scenario) to VALUE (JSON,
        /// or else a string) before validating; repeatable, applied in order, before variants.
        #[arg(long = "set", value_name = "POINTER=VALUE", value_parser = Override::parse)]
        set: Vec<Override>,
    },
    /// Run the same workload under several capacity setups (several scenario files, or one
    /// file with `variants`), all with the same seed, and write compare.json, compare.html,
    /// charts/compare_*.svg and *.png and each variant's run files under <out>/<variant>/.
    Compare {
        /// Scenario files (JSON): one with `variants`, or several (one variant each, or
        /// each file's variants).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// What-if: set POINTER (an RFC 6901 JSON Pointer into the scenario) to VALUE (JSON,
        /// or else a string) before validating; repeatable, applied in order, before variants, to every file.
        #[arg(long = "set", value_name = "POINTER=VALUE", value_parser = Override::parse)]
        set: Vec<Override>,
        /// Output folder (default: results/<first scenario name>-compare/).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Seed every variant runs with (default: the first scenario's `seed`).
        #[arg(long)]
        seed: Option<u64>,
        /// No progress on stderr.
        #[arg(long)]
        quiet: bool,
        /// Do not write the comparison's and the variants' SVG and PNG charts nor inline them
        /// in compare.html and the variants' report.html.
        #[arg(long)]
        no_charts: bool,
        /// Run every variant N times with seeds seed, seed+1, … (replica r of every variant
        /// with the same seed) and add each figure's mean and the paired differences against
        /// the first variant, with 95 % confidence intervals, to compare.json, compare.html and
        /// the table; the variants' files are replica 0's (N = 1: a single comparison).
        #[arg(long, default_value_t = 1, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
        replicas: u32,
    },
    /// Build a scenario from a folder of AWS CLI JSON outputs (describe-clusters,
    /// describe-services, describe-task-definition, describe-capacity-providers,
    /// describe-auto-scaling-groups, Application Auto Scaling, CloudWatch get-metric-data;
    /// README lists the commands), write it with its load traces beside it and print what
    /// became what.
    Import {
        /// Folder of AWS CLI outputs (`*.json`, recognised by content, any names).
        dir: PathBuf,
        /// Scenario file to write (default: <DIR>.scenario.json beside the folder); load traces
        /// go beside it as <stem>.<service>.load.csv.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Rebuild the catalog tables from AWS Price List bulk offer files (AmazonEC2 and
    /// AmazonECS, JSON, as downloaded from pricing.us-east-1.amazonaws.com), keeping shared
    /// tenancy, used capacity, no pre-installed software, Linux and Windows (licence
    /// included) On-Demand prices of the Region itself (not its Local Zones) and the
    /// Fargate rates; a scenario uses them with
    /// `"catalogDir": "DIR"`.
    Catalog {
        /// Offer files (`index.json` of AmazonEC2 and AmazonECS, one Region or all), read as
        /// streams: a multi-gigabyte file is never held whole.
        #[arg(required = true)]
        offer_files: Vec<PathBuf>,
        /// Folder to write the four tables into (default: catalog/).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Run a scenario over a design of parameter values (a sweep file) with replicas, judge
    /// each point against the constraints on 95 % confidence intervals, and write
    /// sweep.csv, sweep.json and best.json (the cheapest feasible configuration); with
    /// --shard, only a fixed share of the points, as a partial result for `merge`.
    Sweep {
        /// Sweep file (JSON).
        file: PathBuf,
        /// Output folder (default: results/<sweep name>/); shards write into
        /// <out>/shard-I-of-N/.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Replicas per point (default: the sweep file's `replicas`).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
        replicas: Option<u32>,
        /// Root seed: replica r of every point runs with seed + r (default: the sweep's).
        #[arg(long)]
        seed: Option<u64>,
        /// Set POINTER (RFC 6901) to VALUE in the base scenario before the points' values;
        /// repeatable.
        #[arg(long = "set", value_name = "POINTER=VALUE", value_parser = Override::parse)]
        set: Vec<Override>,
        /// No progress on stderr.
        #[arg(long)]
        quiet: bool,
        /// Run only shard I of N (0-based) and write a partial result; `--shard N` reads I
        /// from AWS_BATCH_JOB_ARRAY_INDEX, JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID.
        #[arg(long, value_name = "I/N | N")]
        shard: Option<String>,
    },
    /// Merge the partial results of `sweep --shard` (shard folders, or folders holding
    /// shard-*-of-* folders) into the files an unsharded sweep writes.
    Merge {
        /// Shard folders or folders that contain them.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Output folder (default: results/<sweep name>/).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// An error that means "fix your input": exit code 2. (A failed Monte Carlo replica,
/// `montecarlo::ReplicaError`, has its `RunError` as its source, so the chain finds it; too
/// many replicas for `settings.maxReplicaMemoryMib` is an input error too.)
fn is_input_error(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<ScenarioError>().is_some()
            || c.downcast_ref::<ecsim::import::ImportError>().is_some()
            || c.downcast_ref::<ecsim::cloud::offer::OfferError>()
                .is_some()
            || c.downcast_ref::<ecsim::workload::TraceError>().is_some()
            || matches!(
                c.downcast_ref::<RunError>(),
                Some(RunError::Trace(_) | RunError::WorkCap { .. })
            )
            || matches!(
                c.downcast_ref::<montecarlo::MonteCarloError>(),
                Some(montecarlo::MonteCarloError::Memory(_))
            )
            || c.downcast_ref::<ecsim::sweep::SweepError>()
                .is_some_and(|e| e.is_input_error())
            || c.downcast_ref::<ecsim::explain::read::ExplainError>()
                .is_some()
    })
}

fn main() -> ExitCode {
    // `try_parse` rather than `parse`, so `ecsim --help | head -1` and `--help > /dev/full`
    // go through the same rules as every other write (clap's `exit` ignores write errors).
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let stream = if e.use_stderr() {
                Stream::Stderr
            } else {
                Stream::Stdout
            };
            let code = u8::try_from(e.exit_code()).unwrap_or(1);
            return match e.print() {
                Ok(()) => ExitCode::from(code),
                Err(source) => exit_for(&anyhow::Error::new(StreamError { stream, source })),
            };
        }
    };
    match real_main(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => exit_for(&e),
    }
}

/// Prints `e` (unless it is a closed pipe) and returns its exit code.
fn exit_for(e: &anyhow::Error) -> ExitCode {
    if let Some(s) = e.chain().find_map(|c| c.downcast_ref::<StreamError>()) {
        if s.source.kind() == io::ErrorKind::BrokenPipe {
            // The reader has gone: nothing to say and nobody to say it to.
            return match s.stream {
                Stream::Stdout => ExitCode::SUCCESS,
                Stream::Stderr => ExitCode::from(1),
            };
        }
    }
    // If stderr itself cannot be written, the exit code is all that is left.
    let _ = print_to(Stream::Stderr, &format!("error: {e:#}\n"));
    if is_input_error(e) {
        ExitCode::from(2)
    } else {
        ExitCode::from(1)
    }
}

/// One of the two standard streams.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stream {
    Stdout,
    Stderr,
}

impl fmt::Display for Stream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stream::Stdout => "stdout",
            Stream::Stderr => "stderr",
        })
    }
}

/// A write to stdout or stderr failed: a closed pipe (ends quietly) or anything else, such
/// as `> /dev/full` (one line and exit 1).
#[derive(Debug, thiserror::Error)]
// The OS error is the source, which `{:#}` appends.
#[error("cannot write to {stream}")]
struct StreamError {
    stream: Stream,
    source: io::Error,
}

/// Writes `text` to `stream` and flushes, so an error shows here and not in the silent flush
/// at exit (Rust's stdout is line-buffered and drops errors when it flushes on exit).
fn print_to(stream: Stream, text: &str) -> Result<(), StreamError> {
    let result = match stream {
        Stream::Stdout => {
            let mut o = io::stdout().lock();
            o.write_all(text.as_bytes()).and_then(|()| o.flush())
        }
        Stream::Stderr => {
            let mut o = io::stderr().lock();
            o.write_all(text.as_bytes()).and_then(|()| o.flush())
        }
    };
    result.map_err(|source| StreamError { stream, source })
}

/// `print!` that returns a [`StreamError`] instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {
        print_to(Stream::Stdout, &format!($($arg)*))
    };
}

/// `eprint!` that returns a [`StreamError`] instead of panicking.
macro_rules! diag {
    ($($arg:tt)*) => {
        print_to(Stream::Stderr, &format!($($arg)*))
    };
}

// After the printing macros, so the sweep's side of the binary prints through them too.
mod sweep_cmd;

/// The progress line on stderr: shown only on a terminal, and only once a run has taken 2 s.
/// Progress callbacks cannot fail, so the first write error is kept here and returned by
/// [`Progress::finish`] once the work returns.
struct Progress {
    show: bool,
    started: Instant,
    shown: Mutex<bool>,
    failed: Mutex<Option<StreamError>>,
}

impl Progress {
    fn new(quiet: bool) -> Progress {
        Progress {
            show: !quiet && io::stderr().is_terminal(),
            started: Instant::now(),
            shown: Mutex::new(false),
            failed: Mutex::new(None),
        }
    }

    /// Writes `line` (after a carriage return) if progress is shown and nothing failed yet.
    fn show(&self, line: impl FnOnce(f64) -> String) {
        let elapsed = self.started.elapsed().as_secs_f64();
        if !self.show || elapsed < 2.0 {
            return;
        }
        let mut failed = lock(&self.failed);
        if failed.is_some() {
            return;
        }
        *lock(&self.shown) = true;
        if let Err(e) = diag!("\r  {}   ", line(elapsed)) {
            *failed = Some(e);
        }
    }

    /// Ends the line if one was shown; the first write error, if any.
    fn finish(self) -> Result<(), StreamError> {
        if let Some(e) = self.failed.into_inner().unwrap_or_else(|p| p.into_inner()) {
            return Err(e);
        }
        if self.shown.into_inner().unwrap_or_else(|p| p.into_inner()) {
            diag!("\n")?;
        }
        Ok(())
    }
}

/// A lock that a panicked holder did not spoil (progress state is plain data).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// `validate`'s second look at the work cap, now that the traces' rows are counted (loading
/// leaves traces out of the estimate): the same one problem, as a scenario error (exit 2).
fn check_work(
    file: &Path,
    scenario: &ecsim::Scenario,
    read: &ecsim::TracesRead,
) -> Result<(), ScenarioError> {
    match ecsim::scenario::check_work(scenario, Some(&read.work)) {
        Some(problem) => Err(ScenarioError::Invalid {
            file: file.to_path_buf(),
            problems: vec![problem],
        }),
        None => Ok(()),
    }
}

/// `explain --at`: a duration from the start of the run, in seconds.
fn parse_at(s: &str) -> Result<f64, String> {
    ecsim::scenario::duration::parse_duration(s).map(|d| d.as_secs_f64())
}

use ecsim::explain::read::EXPLAIN_FILE;

fn real_main(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Sweep {
            file,
            out,
            replicas,
            seed,
            set,
            quiet,
            shard,
        } => sweep_cmd::sweep(&file, out, replicas, seed, set, quiet, shard),
        Command::Merge { dirs, out } => sweep_cmd::merge(&dirs, out),
        Command::Explain {
            dir,
            task,
            service,
            at,
            event,
            json,
        } => {
            use ecsim::explain::read::{self, Query};
            let query = match (task, service, event) {
                (Some(t), _, _) => Query::Task(t),
                (_, Some(name), _) => Query::Service { name, at_s: at },
                (_, _, Some(n)) => Query::Event(n),
                // clap's group requires one of them.
                (None, None, None) => anyhow::bail!("give --task, --service or --event"),
            };
            if !dir.is_dir() {
                return Err(read::ExplainError::NoFolder { dir }.into());
            }
            let file = dir.join(read::EXPLAIN_FILE);
            let text = match fs::read_to_string(&file) {
                Ok(t) => t,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    return Err(read::ExplainError::NotExplained { dir }.into())
                }
                Err(error) => return Err(read::ExplainError::Read { file, error }.into()),
            };
            let records = read::parse(&file, &text)?;
            let events = match query {
                Query::Event(_) => {
                    let f = dir.join("events.jsonl");
                    Some(
                        fs::read_to_string(&f)
                            .map_err(|error| read::ExplainError::Read { file: f, error })?,
                    )
                }
                _ => None,
            };
            let hits = read::select(&dir, &records, &query, events.as_deref())?;
            for r in hits {
                if json {
                    out!("{}\n", serde_json::to_string(r)?)?;
                } else {
                    out!("{}\n", ecsim::explain::text::render(r))?;
                }
            }
            Ok(())
        }
        Command::Validate { file, set } => {
            let set = ecsim::scenario::load_set_with(&file, &set)?;
            let scenario = &set.base;
            let read = ecsim::check_traces(scenario)?;
            check_work(&file, scenario, &read)?;
            // Variants share the base's folder; their traces are read too, since a variant
            // may point a service or workload at another trace.
            for v in &set.variants {
                let read = ecsim::check_traces(&v.scenario)
                    .with_context(|| format!("variant {}", v.name))?;
                check_work(&file, &v.scenario, &read)
                    .with_context(|| format!("variant {}", v.name))?;
            }
            let variants = if set.variants.is_empty() {
                String::new()
            } else {
                let names: Vec<&str> = set.variants.iter().map(|v| v.name.as_str()).collect();
                format!("; variants valid: {}", names.join(", "))
            };
            // Counts in the scenario's words: "1 workload", "3,000,000 trace submissions".
            let n = |count: u64, one: &str, many: &str| {
                let c = ecsim::report::render::grouped_count(count);
                format!("{c} {}", if count == 1 { one } else { many })
            };
            out!(
                "{}: valid ({}, {}, {} and {} read){variants}\n",
                file.display(),
                n(scenario.services.len() as u64, "service", "services"),
                n(scenario.workloads.len() as u64, "workload", "workloads"),
                n(
                    read.submissions as u64,
                    "trace submission",
                    "trace submissions"
                ),
                n(read.rate_steps, "rate step", "rate steps")
            )?;
            // Trace rows a reader does not replay (a pod that never ran, a task with no
            // request): counted here so a replay never drops part of a trace silently.
            for (workload, skipped) in &read.skipped {
                out!("workload {workload}: trace rows skipped: {skipped}\n")?;
            }
            for (workload, adjusted) in &read.adjusted {
                out!("workload {workload}: trace rows adjusted: {adjusted}\n")?;
            }
            // Pasted AWS output: its unread fields once, one line per object, so a user sees
            // what was set aside without a round of errors per field.
            for line in &scenario.aws_ignored {
                out!("ignored: {line}\n")?;
            }
            // Mistakes a run goes past (a commitment never used): said here, where the user
            // is checking the file, and again on stderr by `run`.
            for line in &scenario.warnings {
                out!("warning: {}: {line}\n", file.display())?;
            }
            for v in &set.variants {
                for line in v
                    .scenario
                    .warnings
                    .iter()
                    .filter(|l| !scenario.warnings.contains(l))
                {
                    out!("warning: {}: variant {}: {line}\n", file.display(), v.name)?;
                }
            }
            Ok(())
        }
        Command::Compare {
            files,
            out,
            seed,
            quiet,
            no_charts,
            set,
            replicas,
        } => compare(&files, &set, out, seed, quiet, !no_charts, replicas),
        Command::Import { dir, out } => import(&dir, out),
        Command::Catalog { offer_files, out } => catalog(&offer_files, out),
        Command::Run {
            file,
            out,
            seed,
            quiet,
            replicas,
            no_charts,
            set,
            explain,
        } => {
            let set = ecsim::scenario::load_set_with(&file, &set)?;
            if !set.variants.is_empty() && !quiet {
                diag!(
                    "note: {} has {} variants; `run` runs the base scenario (`ecsim compare {}` runs the variants)\n",
                    file.display(),
                    set.variants.len(),
                    file.display()
                )?;
            }
            let scenario = set.base;
            if !quiet {
                for line in &scenario.warnings {
                    diag!("warning: {}: {line}\n", file.display())?;
                }
            }
            let out = out.unwrap_or_else(|| Path::new("results").join(&scenario.name));
            // Before the run, so a folder ecsim may not replace is refused at once, not
            // after an hour of simulation.
            let staged = Staged::begin(&out)?;
            if replicas > 1 {
                return run_monte_carlo(&scenario, staged, seed, replicas, quiet, !no_charts);
            }
            let progress = Progress::new(quiet);
            let run = if explain {
                ecsim::run_explained
            } else {
                ecsim::run
            };
            let result = run(&scenario, seed, &mut |p: ecsim::Progress| {
                progress.show(|elapsed| {
                    let fraction = if p.end.0 == 0 {
                        1.0
                    } else {
                        p.now.0 as f64 / p.end.0 as f64
                    };
                    format!(
                        "{} simulated {} of {}  {:.1} M events/s",
                        progress_bar(fraction),
                        p.now,
                        p.end,
                        p.events as f64 / elapsed / 1e6
                    )
                });
            });
            progress.finish()?;
            let report = result?;
            write_run_files(
                staged.path(),
                &render::summary_json(&report.summary),
                &report,
                !no_charts,
                &[],
            )?;
            staged.commit()?;
            let mut files = written_files(!no_charts, explain);
            if report.commitments_csv.is_some() {
                // Written beside costs.csv only when the scenario has commitments.
                files = files.replacen("costs.csv", "costs.csv, commitments.csv", 1);
            }
            out!(
                "{}\nwrote {}/{}\n",
                render::table(&report.summary),
                out.display(),
                files
            )?;
            Ok(())
        }
    }
}

const REPLICAS_CSV: &str = "replicas.csv";

/// `compare`: load every file, run the variants in parallel with one seed (`replicas` times
/// each with `--replicas`), write each variant's run files (replica 0's) under
/// `<out>/<variant>/`, then `compare.json` and `compare.html`.
fn compare(
    files: &[PathBuf],
    overrides: &[Override],
    out: Option<PathBuf>,
    seed: Option<u64>,
    quiet: bool,
    with_charts: bool,
    replicas: u32,
) -> anyhow::Result<()> {
    let mut inputs = Vec::with_capacity(files.len());
    for f in files {
        inputs.push((f.clone(), ecsim::scenario::load_set_with(f, overrides)?));
    }
    let planned = compare::plan(inputs);
    let Some(first) = planned.first() else {
        anyhow::bail!("nothing to compare");
    };
    // What `run` says on stderr before it runs, said per variant.
    if !quiet {
        for p in &planned {
            for line in &p.scenario.warnings {
                diag!(
                    "warning: {}: variant {}: {line}\n",
                    p.file.display(),
                    p.name
                )?;
            }
        }
    }
    let seed = seed.unwrap_or(first.scenario.seed);
    let out = out.unwrap_or_else(|| {
        let base = first
            .scenario
            .name
            .strip_suffix(&format!("-{}", first.name))
            .unwrap_or(&first.scenario.name);
        Path::new("results").join(format!("{base}-compare"))
    });
    // The whole tree (compare files and every variant's folder) is one staged folder.
    let staged = Staged::begin(&out)?;
    let n = planned.len() * replicas as usize;
    let what = if replicas > 1 { "run" } else { "variant" };
    let progress = Progress::new(quiet);
    // `run_variants` and `run_replicated` serialise these calls and the count only grows.
    let show = |done: usize| {
        progress.show(|_| {
            format!(
                "{} {what} {done} of {n}",
                progress_bar(done as f64 / n.max(1) as f64)
            )
        });
    };
    // One replica keeps today's path exactly, so its outputs are unchanged.
    let result: anyhow::Result<compare::ReplicatedRuns> = if replicas > 1 {
        compare::run_replicated(&planned, seed, replicas, &show).map_err(Into::into)
    } else {
        compare::run_variants(&planned, seed, &show)
            .map(|reports| compare::ReplicatedRuns {
                reports,
                figures: Vec::new(),
                seeds: Vec::new(),
            })
            .map_err(Into::into)
    };
    progress.finish()?;
    let compare::ReplicatedRuns {
        reports,
        figures: replica_figures,
        seeds,
    } = result?;
    let tree = staged.path();
    for (p, report) in planned.iter().zip(&reports) {
        write_run_files(
            &tree.join(&p.name),
            &render::summary_json(&report.summary),
            report,
            with_charts,
            &[],
        )?;
    }
    let entries: Vec<compare::Entry<'_>> = planned
        .iter()
        .zip(&reports)
        .map(|(p, r)| compare::Entry {
            name: &p.name,
            description: &p.description,
            summary: &r.summary,
        })
        .collect();
    let mut comparison = compare::compare(&entries, seed);
    if replicas > 1 {
        compare::add_replicas(&mut comparison, &replica_figures, &seeds);
    }
    write_file(
        &tree.join("compare.json"),
        compare::compare_json(&comparison).as_bytes(),
    )?;
    let mut charts = Vec::new();
    // The charts this comparison has (the paired chart only with replicas); the staged
    // folder starts empty, so no chart of an earlier run survives.
    let kinds = if with_charts {
        CompareChart::for_comparison(&comparison)
    } else {
        Vec::new()
    };
    if with_charts {
        let dir = tree.join("charts");
        create_dir(&dir)?;
        for &kind in &kinds {
            for format in ChartFormat::ALL {
                let bytes = kind.render(format, &comparison)?;
                write_file(&dir.join(kind.file_name(format)), &bytes)?;
            }
            charts.push(compare::InlineChart::from_svg(
                kind.title(),
                &kind.svg(&comparison)?,
            ));
        }
    }
    write_file(
        &tree.join("compare.html"),
        compare::html(&comparison, &charts).as_bytes(),
    )?;
    staged.commit()?;
    let names: Vec<&str> = planned.iter().map(|p| p.name.as_str()).collect();
    let compare_charts = if with_charts {
        let stems: Vec<&str> = kinds.iter().map(|k| k.file_stem()).collect();
        format!(", charts/{{{}}}.{{svg, png}}", stems.join(", "))
    } else {
        String::new()
    };
    out!(
        "{}\nwrote {}/{{compare.json, compare.html{compare_charts}}} and {{{}}}/{}\n",
        compare::table(&comparison),
        out.display(),
        names.join(", "),
        written_files(with_charts, false)
    )?;
    Ok(())
}

/// `run --replicas N` with N > 1: replica 0's files as a single run writes them, its
/// summary with a `monte_carlo` object, `replicas.csv`, and (with charts) the spread charts,
/// also inlined in report.html's Monte Carlo section.
fn run_monte_carlo(
    scenario: &ecsim::Scenario,
    staged: Staged,
    seed: Option<u64>,
    n: u32,
    quiet: bool,
    with_charts: bool,
) -> anyhow::Result<()> {
    let base = seed.unwrap_or(scenario.seed);
    let progress = Progress::new(quiet);
    // `run_replicas` serialises these calls and the count only grows.
    let result = montecarlo::run_replicas(scenario, base, n, &|done: u32| {
        progress.show(|_| {
            format!(
                "{} replica {done} of {n}",
                progress_bar(f64::from(done) / f64::from(n))
            )
        });
    });
    progress.finish()?;
    let replicas = result?;
    let mc = replicas.monte_carlo();
    let report = &replicas.first;
    let mut section = montecarlo::html_table(&mc);
    let mut spread: Vec<(String, Vec<u8>)> = Vec::new();
    if with_charts {
        let bands = replicas
            .bands()
            .context("cannot draw the Monte Carlo spread")?;
        let scenario = &report.summary.scenario;
        for kind in MonteCarloChart::ALL {
            for format in ChartFormat::ALL {
                spread.push((
                    kind.file_name(format),
                    kind.render(format, &bands, &mc, scenario)?,
                ));
            }
            section.charts.push(html::InlineChart::from_svg(
                kind.title(),
                &kind.svg(&bands, &mc, scenario)?,
            ));
        }
    }
    let dir = staged.path();
    write_run_files(
        dir,
        &montecarlo::summary_json(&report.summary, Some(&mc)),
        report,
        with_charts,
        &[section],
    )?;
    // write_run_files has created charts/ when with_charts is set.
    for (file, bytes) in &spread {
        write_file(&dir.join("charts").join(file), bytes)?;
    }
    write_file(&dir.join(REPLICAS_CSV), replicas.replicas_csv().as_bytes())?;
    let out = staged.out.clone();
    staged.commit()?;
    let spread_files = if with_charts {
        let stems: Vec<&str> = MonteCarloChart::ALL.iter().map(|k| k.file_stem()).collect();
        format!(" and charts/{{{}}}.{{svg, png}}", stems.join(", "))
    } else {
        String::new()
    };
    out!(
        "replica 0 of {n}:\n{}\n{}\nwrote {}/{} (replica 0), {REPLICAS_CSV}{spread_files}\n",
        render::table(&report.summary),
        montecarlo::table(&mc),
        out.display(),
        written_files(with_charts, false)
    )?;
    Ok(())
}

/// `[########----------------]  33.3%`: a fixed-width bar for progress lines on stderr.
fn progress_bar(fraction: f64) -> String {
    const CELLS: usize = 24;
    let f = if fraction.is_finite() {
        fraction.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let full = (f * CELLS as f64).floor() as usize;
    format!(
        "[{}{}] {:>5.1}%",
        "#".repeat(full),
        "-".repeat(CELLS - full),
        f * 100.0
    )
}

/// The files `write_run_files` writes, for the "wrote …" line.
fn written_files(with_charts: bool, explain: bool) -> String {
    let mut s = String::from(
        "{summary.json, timeseries.csv, services.csv, capacity_providers.csv, costs.csv, events.jsonl, report.html",
    );
    if explain {
        s.push_str(", explain.jsonl");
    }
    if with_charts {
        let stems: Vec<&str> = ChartKind::ALL.iter().map(|k| k.file_stem()).collect();
        let extensions: Vec<&str> = ChartFormat::ALL.iter().map(|f| f.extension()).collect();
        s.push_str(&format!(
            ", charts/{{{}}}.{{{}}}",
            stems.join(", "),
            extensions.join(", ")
        ));
    }
    s.push('}');
    s
}

/// Creates the run folder `out` (inside a staged folder, so it is new) with its marker and
/// writes `summary_json`, the report's per-minute and event files and, with `with_charts`,
/// the SVG and PNG charts under `charts/`, and `report.html` (its charts inlined, as SVG,
/// only with `with_charts`; `extra` tables appended).
fn write_run_files(
    out: &Path,
    summary_json: &str,
    report: &Report,
    with_charts: bool,
    extra: &[html::ExtraTable],
) -> anyhow::Result<()> {
    if !out.is_dir() {
        create_dir(out)?;
        write_file(&out.join(MARKER), MARKER_TEXT.as_bytes())?;
    }
    write_file(&out.join("summary.json"), summary_json.as_bytes())?;
    write_file(
        &out.join("timeseries.csv"),
        render::timeseries_csv(report).as_bytes(),
    )?;
    write_file(
        &out.join("services.csv"),
        render::services_csv(report).as_bytes(),
    )?;
    write_file(
        &out.join("capacity_providers.csv"),
        render::providers_csv(report).as_bytes(),
    )?;
    write_file(&out.join("costs.csv"), render::costs_csv(report).as_bytes())?;
    if let Some(csv) = &report.commitments_csv {
        write_file(&out.join("commitments.csv"), csv.as_bytes())?;
    }
    write_file(
        &out.join("events.jsonl"),
        render::events_jsonl(report).as_bytes(),
    )?;
    if let Some(x) = &report.explain {
        write_file(&out.join(EXPLAIN_FILE), x.jsonl().as_bytes())?;
    }
    if with_charts {
        let dir = out.join("charts");
        create_dir(&dir)?;
        for kind in ChartKind::ALL {
            for format in ChartFormat::ALL {
                let bytes = kind.render(format, report)?;
                write_file(&dir.join(kind.file_name(format)), &bytes)?;
            }
        }
    }
    let page = html::report_html_with(
        report,
        &html::HtmlOptions {
            charts: with_charts,
            extra,
        },
    );
    write_file(&out.join("report.html"), page.as_bytes())?;
    Ok(())
}

fn create_dir(dir: &Path) -> anyhow::Result<()> {
    fs::create_dir_all(dir).with_context(|| format!("cannot create folder {}", dir.display()))
}

/// The test hook that makes writing one file fail, to check that a run failing half-way
/// through its writes leaves the previous output folder untouched (`tests/it/output_folder.rs`).
/// Its value is a file name, e.g. `report.html`.
const FAIL_WRITING_ENV: &str = "ECSIM_TEST_FAIL_WRITING";

/// `ecsim import`: read the folder, map it, write the scenario and its traces, print the
/// mapping report.
fn import(dir: &Path, out: Option<PathBuf>) -> anyhow::Result<()> {
    let out = out.unwrap_or_else(|| {
        let name = dir
            .file_name()
            .map_or_else(|| "aws".to_string(), |n| n.to_string_lossy().into_owned());
        dir.with_file_name(format!("{name}.scenario.json"))
    });
    let stem = out.file_stem().map_or_else(
        || "scenario".to_string(),
        |s| s.to_string_lossy().into_owned(),
    );
    let (files, skipped) = ecsim::import::read_dir(dir)?;
    let options = ecsim::import::ImportOptions {
        trace_prefix: format!("{stem}."),
    };
    let mut imported = ecsim::import::import(&files, &options)?;
    for s in skipped {
        imported
            .report
            .ignored
            .insert(0, format!("{s}: not a .json file"));
    }
    let folder = out.parent().unwrap_or(Path::new("."));
    if !folder.as_os_str().is_empty() {
        std::fs::create_dir_all(folder)
            .with_context(|| format!("cannot create {}", folder.display()))?;
    }
    for t in &imported.traces {
        write_atomic(&folder.join(&t.file_name), t.csv.as_bytes())?;
    }
    let text = ecsim::import::to_pretty_json(&imported.scenario);
    write_atomic(&out, text.as_bytes())?;
    out!(
        "{}wrote {} ({} load trace(s) beside it); check it with `ecsim validate {}`\n",
        imported.report.render(),
        out.display(),
        imported.traces.len(),
        out.display()
    )?;
    Ok(())
}

/// `ecsim catalog`: reads each offer file as a stream, then writes the four tables into
/// `out`, each atomically. A broken file is an input error (exit 2) naming the file and
/// where in it; nothing is written then.
fn catalog(offer_files: &[PathBuf], out: Option<PathBuf>) -> anyhow::Result<()> {
    let out = out.unwrap_or_else(|| PathBuf::from("catalog"));
    let mut offers = ecsim::cloud::offer::Offers::default();
    for file in offer_files {
        let reader = fs::File::open(file).map_err(|e| ecsim::cloud::offer::OfferError {
            file: file.display().to_string(),
            place: "the file".to_owned(),
            message: format!("cannot open it: {e}"),
        })?;
        let summary = offers.read(reader, &file.display().to_string())?;
        out!(
            "{}: {} {}, {} products kept, {} prices\n",
            file.display(),
            summary.offer_code,
            summary.publication_date,
            summary.products_kept,
            summary.prices_kept
        )?;
    }
    let tables = offers.tables(ecsim::cloud::tables::embedded());
    fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    for (name, text) in ecsim::cloud::tables::render(&tables) {
        write_atomic(&out.join(name), text.as_bytes())?;
    }
    let regions: Vec<&str> = tables.regions.keys().map(String::as_str).collect();
    out!(
        "wrote {} (regions: {}); use it with \"catalogDir\": \"{}\" and \"region\" in a scenario\n",
        out.display(),
        regions.join(", "),
        out.display()
    )?;
    Ok(())
}

/// Writes `bytes` to a temporary file beside `path`, then renames it into place, so an
/// interrupted import never leaves a half-written file under the final name (import writes
/// single files beside the user's own, not an output folder, so it is not staged).
fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    if let Err(e) = write_file(&tmp, bytes) {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    fs::rename(&tmp, path).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        anyhow::Error::new(e).context(format!("cannot write {}", path.display()))
    })
}

/// Writes `bytes` to `path` (in a staged folder) and syncs it, so that once the folder is
/// swapped in its files hold their bytes even after a power cut.
fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let injected = std::env::var_os(FAIL_WRITING_ENV)
        .is_some_and(|name| path.file_name() == Some(name.as_os_str()));
    let result = if injected {
        Err(io::Error::other(format!(
            "failure injected by {FAIL_WRITING_ENV}"
        )))
    } else {
        fs::File::create(path).and_then(|mut f| {
            f.write_all(bytes)?;
            f.sync_all()
        })
    };
    result.with_context(|| format!("cannot write {}", path.display()))
}

/// The file that marks a folder as an ecsim output folder and tells a reader that the next
/// run into it replaces it whole.
const MARKER: &str = ".ecsim-output";

const MARKER_TEXT: &str = "This folder was written by ecsim. \
The next `ecsim run`, `compare`, `sweep` or `merge` into it replaces it whole, \
and refuses to if it holds a file ecsim did not write: keep your own files elsewhere.\n";

/// The files ecsim writes in an output folder (besides `charts/` and a compare tree's variant
/// folders). A folder is replaced only if it holds nothing else, so a file a user put there
/// is never deleted.
const KNOWN_FILES: [&str; 17] = [
    MARKER,
    EXPLAIN_FILE,
    "commitments.csv",
    "summary.json",
    "timeseries.csv",
    "services.csv",
    "capacity_providers.csv",
    "costs.csv",
    "events.jsonl",
    "report.html",
    REPLICAS_CSV,
    "compare.json",
    "compare.html",
    "sweep.csv",
    "sweep.json",
    "sweep.html",
    "best.json",
];

/// A sweep shard's files: known only at the top of the folder being replaced (the shard's
/// own folder), so a run or merge whose `--out` holds shard folders refuses to replace them
/// rather than delete partials that other shards may still need.
const SHARD_FILES: [&str; 2] = [
    ecsim::sweep::outputs::PARTIAL_HEADER,
    ecsim::sweep::outputs::PARTIAL_POINTS,
];

/// An output folder being written. Everything goes into `tmp`, a sibling of `out` (the same
/// parent, hence the same file system, so renames are atomic), and [`Staged::commit`] swaps
/// it in: `out` holds one run's complete output, or the previous one untouched.
///
/// The swap is two renames: the old folder aside (`.NAME.ecsim-old-PID`), the new one in,
/// then the old one removed. A crash between the two renames leaves no `out` but the old
/// folder aside; the next run into `out` renames it back before anything else
/// ([`recover_leftovers`]), and removes staging folders that killed runs left.
///
/// Dropped without `commit` (an error or a panic), it removes `tmp`.
struct Staged {
    out: PathBuf,
    tmp: PathBuf,
    committed: bool,
}

impl Staged {
    /// Checks that `out` may be replaced, tidies what earlier runs left, and creates the
    /// staging folder with its marker.
    fn begin(out: &Path) -> anyhow::Result<Staged> {
        let (parent, name) = split_out(out)?;
        create_dir(&parent)?;
        recover_leftovers(&parent, &name)?;
        check_replaceable(out)?;
        let tmp = parent.join(format!(".{name}{STAGING_NEW}{}", std::process::id()));
        if tmp.exists() {
            remove_ours(&tmp)?;
        }
        fs::create_dir(&tmp).with_context(|| format!("cannot create folder {}", tmp.display()))?;
        let staged = Staged {
            out: out.to_path_buf(),
            tmp,
            committed: false,
        };
        write_file(&staged.tmp.join(MARKER), MARKER_TEXT.as_bytes())?;
        Ok(staged)
    }

    /// The folder to write into.
    fn path(&self) -> &Path {
        &self.tmp
    }

    /// Swaps the staged folder in for `out`.
    fn commit(mut self) -> anyhow::Result<()> {
        // Again: the user may have put a file in `out` while the run went on.
        check_replaceable(&self.out)?;
        let rename = |from: &Path, to: &Path| {
            fs::rename(from, to)
                .with_context(|| format!("cannot rename {} to {}", from.display(), to.display()))
        };
        match fs::symlink_metadata(&self.out) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                rename(&self.tmp, &self.out)?;
                self.committed = true;
            }
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", self.out.display())),
            Ok(_) => {
                let (parent, name) = split_out(&self.out)?;
                let old = parent.join(format!(".{name}{STAGING_OLD}{}", std::process::id()));
                if old.exists() {
                    remove_ours(&old)?;
                }
                rename(&self.out, &old)?;
                if let Err(e) = rename(&self.tmp, &self.out) {
                    // Put the previous output back; if even that fails, the next run will.
                    let _ = fs::rename(&old, &self.out);
                    return Err(e);
                }
                self.committed = true;
                // The new output is in place; an old folder that cannot be removed now is
                // removed by the next run into `out`.
                let _ = fs::remove_dir_all(&old);
            }
        }
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.tmp);
        }
    }
}

/// Infixes of the staging folders' names: `.NAME.ecsim-new-PID` (being written) and
/// `.NAME.ecsim-old-PID` (the previous output, during the swap).
const STAGING_NEW: &str = ".ecsim-new-";
const STAGING_OLD: &str = ".ecsim-old-";

/// `out`'s parent (`.` for a bare name) and its final component.
fn split_out(out: &Path) -> anyhow::Result<(PathBuf, String)> {
    let name = match out.components().next_back() {
        Some(std::path::Component::Normal(n)) => n.to_string_lossy().into_owned(),
        _ => anyhow::bail!(
            "output folder {} must end in a folder name (not `.`, `..` or `/`)",
            out.display()
        ),
    };
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok((parent, name))
}

/// Refuses an `out` that exists and is not an output folder ecsim wrote.
fn check_replaceable(out: &Path) -> anyhow::Result<()> {
    let meta = match fs::symlink_metadata(out) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", out.display())),
        Ok(m) => m,
    };
    if !meta.is_dir() {
        anyhow::bail!(
            "output folder {} exists and is not a folder (a file or a link): choose another --out",
            out.display()
        );
    }
    let foreign = first_foreign(out, 0)
        .with_context(|| format!("cannot read output folder {}", out.display()))?;
    if let Some(foreign) = foreign {
        anyhow::bail!(
            "output folder {} holds files ecsim did not write, such as {}; \
             ecsim replaces its output folder whole, so choose another --out or move them away",
            out.display(),
            foreign.display()
        );
    }
    Ok(())
}

/// The first entry (in name order) under `dir` that ecsim does not write, if any. ecsim
/// writes [`KNOWN_FILES`], `charts/` with SVG and PNG files, per-file temporary files (that
/// earlier versions left when killed) and, at the top (`depth` 0), variant folders holding
/// the same. The marker is not required, so output folders written before it existed (and
/// empty folders) are replaced too.
fn first_foreign(dir: &Path, depth: u32) -> io::Result<Option<PathBuf>> {
    let mut entries = fs::read_dir(dir)?.collect::<io::Result<Vec<_>>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let kind = entry.file_type()?;
        if kind.is_dir() && name == "charts" {
            let mut charts = fs::read_dir(entry.path())?.collect::<io::Result<Vec<_>>>()?;
            charts.sort_by_key(|e| e.file_name());
            for chart in charts {
                let n = chart.file_name();
                let n = n.to_string_lossy();
                let chart_like = n.ends_with(".svg") || n.ends_with(".png") || is_file_temp(&n);
                if !(chart.file_type()?.is_file() && chart_like) {
                    return Ok(Some(chart.path()));
                }
            }
        } else if kind.is_dir() && depth == 0 {
            if let Some(f) = first_foreign(&entry.path(), depth + 1)? {
                return Ok(Some(f));
            }
        } else if !(kind.is_file()
            && (KNOWN_FILES.contains(&name.as_ref())
                || (depth == 0 && SHARD_FILES.contains(&name.as_ref()))
                || is_file_temp(&name)))
        {
            return Ok(Some(entry.path()));
        }
    }
    Ok(None)
}

/// Whether `dir` holds only what ecsim writes ([`first_foreign`]).
fn looks_like_ours(dir: &Path) -> bool {
    matches!(first_foreign(dir, 0), Ok(None))
}

/// A per-file temporary file (`.NAME.tmp-PID`) that earlier versions left when killed.
fn is_file_temp(name: &str) -> bool {
    name.starts_with('.') && name.contains(".tmp-")
}

/// Tidies what killed runs into `PARENT/NAME` left: if `NAME` is missing but a previous
/// output lies aside (a crash mid-swap), it is renamed back; other staging folders of ours
/// whose process is gone are removed. A folder is ours if its name follows the pattern and
/// [`looks_like_ours`] says so.
fn recover_leftovers(parent: &Path, name: &str) -> anyhow::Result<()> {
    let new_prefix = format!(".{name}{STAGING_NEW}");
    let old_prefix = format!(".{name}{STAGING_OLD}");
    let entries = match fs::read_dir(parent) {
        Ok(e) => e,
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", parent.display())),
    };
    // Sorted, so which aside folder is restored does not depend on directory order.
    let mut leftovers: Vec<(bool, PathBuf)> = Vec::new();
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        let (is_old, pid) = if let Some(pid) = file_name.strip_prefix(&old_prefix) {
            (true, pid)
        } else if let Some(pid) = file_name.strip_prefix(&new_prefix) {
            (false, pid)
        } else {
            continue;
        };
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        if pid != std::process::id() && process_alive(pid) {
            continue;
        }
        leftovers.push((is_old, entry.path()));
    }
    leftovers.sort();
    let out = parent.join(name);
    for (is_old, path) in leftovers {
        if !looks_like_ours(&path) {
            continue;
        }
        if is_old && fs::symlink_metadata(&out).is_err() {
            fs::rename(&path, &out).with_context(|| {
                format!(
                    "cannot restore the previous output {} to {}",
                    path.display(),
                    out.display()
                )
            })?;
        } else {
            remove_ours(&path)?;
        }
    }
    Ok(())
}

fn remove_ours(path: &Path) -> anyhow::Result<()> {
    fs::remove_dir_all(path).with_context(|| format!("cannot remove {}", path.display()))
}

/// Whether process `pid` still runs, so a concurrent run's staging folder is left alone.
/// Known only where `/proc` exists (Linux); elsewhere every leftover counts as abandoned.
fn process_alive(pid: u32) -> bool {
    let proc = Path::new("/proc");
    proc.join("self").exists() && proc.join(pid.to_string()).exists()
}

#[cfg(test)]
mod tests {
    use super::{progress_bar, split_out};
    use std::path::{Path, PathBuf};

    #[test]
    fn the_staging_folder_is_a_sibling_named_after_the_last_component() {
        let split = |p: &str| split_out(Path::new(p)).map_err(|e| e.to_string());
        let ok = |parent: &str, name: &str| Ok((PathBuf::from(parent), name.to_string()));
        assert_eq!(split("r"), ok(".", "r"));
        assert_eq!(split("results/quickstart"), ok("results", "quickstart"));
        assert_eq!(split("results/quickstart/"), ok("results", "quickstart"));
        assert_eq!(
            split("results/./quickstart/."),
            ok("results/.", "quickstart")
        );
        assert_eq!(split("/tmp/r"), ok("/tmp", "r"));
        for bad in [".", "..", "/", "results/.."] {
            let e = split(bad).unwrap_err();
            assert!(e.contains("must end in a folder name"), "{bad}: {e}");
        }
    }

    #[test]
    fn progress_bar_fills_in_proportion_and_clamps() {
        assert_eq!(progress_bar(0.0), format!("[{}]   0.0%", "-".repeat(24)));
        assert_eq!(
            progress_bar(0.5),
            format!("[{}{}]  50.0%", "#".repeat(12), "-".repeat(12))
        );
        assert_eq!(progress_bar(1.0), format!("[{}] 100.0%", "#".repeat(24)));
        assert_eq!(progress_bar(7.0), progress_bar(1.0));
        assert_eq!(progress_bar(f64::NAN), progress_bar(0.0));
    }
}
