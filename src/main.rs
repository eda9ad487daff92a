//! The `ecsim` command: parse arguments, call the library, write files, map errors to exit
//! codes. The only place that writes files or prints.
//!
//! Exit codes (a contract): 0 success, 2 invalid input (scenario or trace), 1 anything else.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use anyhow::Context;
use clap::{Parser, Subcommand};

use ecsim::montecarlo;
use ecsim::report::charts::{ChartFormat, ChartKind};
use ecsim::report::{html, render, Report};
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
    /// capacity_providers.csv, events.jsonl, report.html and charts/*.svg and *.png (and
    /// replicas.csv with --replicas).
    Run {
        /// Scenario file (JSON).
        file: PathBuf,
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
    },
    /// Check a scenario (and read its traces) without running it.
    Validate {
        /// Scenario file (JSON).
        file: PathBuf,
    },
}

/// An error that means "fix your input": exit code 2. (A failed Monte Carlo replica,
/// `montecarlo::ReplicaError`, has its `RunError` as its source, so the chain finds it.)
fn is_input_error(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<ScenarioError>().is_some()
            || c.downcast_ref::<ecsim::workload::TraceError>().is_some()
            || matches!(c.downcast_ref::<RunError>(), Some(RunError::Trace(_)))
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match real_main(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            if is_input_error(&e) {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}

fn real_main(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Validate { file } => {
            let scenario = ecsim::load(&file)?;
            let read = ecsim::check_traces(&scenario)?;
            println!(
                "{}: valid ({} services, {} workloads, {} trace submissions and {} rate steps read)",
                file.display(),
                scenario.services.len(),
                scenario.workloads.len(),
                read.submissions,
                read.rate_steps
            );
            Ok(())
        }
        Command::Run {
            file,
            out,
            seed,
            quiet,
            replicas,
            no_charts,
        } => {
            let scenario = ecsim::load(&file)?;
            let out = out.unwrap_or_else(|| Path::new("results").join(&scenario.name));
            let started = Instant::now();
            let show = !quiet && std::io::stderr().is_terminal();
            if replicas > 1 {
                return run_monte_carlo(&scenario, &out, seed, replicas, show, !no_charts);
            }
            let mut shown = false;
            let mut progress = |p: ecsim::Progress| {
                if !show || started.elapsed().as_secs_f64() < 2.0 {
                    return;
                }
                shown = true;
                let pct = if p.end.0 == 0 {
                    100.0
                } else {
                    p.now.0 as f64 * 100.0 / p.end.0 as f64
                };
                let rate = p.events as f64 / started.elapsed().as_secs_f64();
                eprint!(
                    "\r  simulated {:>5.1}%  ({} of {})  {:.1} M events/s   ",
                    pct,
                    p.now,
                    p.end,
                    rate / 1e6
                );
                let _ = std::io::stderr().flush();
            };
            let report = ecsim::run(&scenario, seed, &mut progress)?;
            if shown {
                eprintln!();
            }
            write_run_files(
                &out,
                &render::summary_json(&report.summary),
                &report,
                !no_charts,
                &[],
            )?;
            // A replicas.csv left by an earlier Monte Carlo run in this folder no longer
            // matches summary.json: remove it.
            remove_stale(&out.join(REPLICAS_CSV))?;
            print!("{}", render::table(&report.summary));
            println!();
            println!("wrote {}/{}", out.display(), written_files(!no_charts));
            Ok(())
        }
    }
}

const REPLICAS_CSV: &str = "replicas.csv";

/// `run --replicas N` with N > 1: replica 0's files as a single run writes them, its
/// summary with a `monte_carlo` object, and `replicas.csv`.
fn run_monte_carlo(
    scenario: &ecsim::Scenario,
    out: &Path,
    seed: Option<u64>,
    n: u32,
    show: bool,
    with_charts: bool,
) -> anyhow::Result<()> {
    let base = seed.unwrap_or(scenario.seed);
    let started = Instant::now();
    let shown = AtomicBool::new(false);
    // `run_replicas` serialises these calls and the count only grows.
    let progress = |done: u32| {
        if !show || started.elapsed().as_secs_f64() < 2.0 {
            return;
        }
        shown.store(true, Ordering::Relaxed);
        eprint!("\r  replica {done}/{n}   ");
        let _ = std::io::stderr().flush();
    };
    let result = montecarlo::run_replicas(scenario, base, n, &progress);
    if shown.load(Ordering::Relaxed) {
        eprintln!();
    }
    let replicas = result?;
    let all = replicas.all_summaries();
    let mc = montecarlo::aggregate(&all);
    let report = &replicas.first;
    write_run_files(
        out,
        &montecarlo::summary_json(&report.summary, Some(&mc)),
        report,
        with_charts,
        &[montecarlo::html_table(&mc)],
    )?;
    write_atomic(
        &out.join(REPLICAS_CSV),
        montecarlo::replicas_csv(&all).as_bytes(),
    )?;
    println!("replica 0 of {n}:");
    print!("{}", render::table(&report.summary));
    println!();
    print!("{}", montecarlo::table(&mc));
    println!();
    println!(
        "wrote {}/{} (replica 0) and {REPLICAS_CSV}",
        out.display(),
        written_files(with_charts)
    );
    Ok(())
}

/// The files `write_run_files` writes, for the "wrote …" line.
fn written_files(with_charts: bool) -> String {
    let mut s = String::from(
        "{summary.json, timeseries.csv, services.csv, capacity_providers.csv, events.jsonl, report.html",
    );
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

/// Creates `out` and writes `summary_json`, the report's per-minute and event files and,
/// with `with_charts`, the SVG and PNG charts under `charts/`, and `report.html` (its charts
/// inlined, as SVG, only with `with_charts`; `extra` tables appended).
fn write_run_files(
    out: &Path,
    summary_json: &str,
    report: &Report,
    with_charts: bool,
    extra: &[html::ExtraTable],
) -> anyhow::Result<()> {
    std::fs::create_dir_all(out)
        .with_context(|| format!("cannot create output folder {}", out.display()))?;
    write_atomic(&out.join("summary.json"), summary_json.as_bytes())?;
    write_atomic(
        &out.join("timeseries.csv"),
        render::timeseries_csv(report).as_bytes(),
    )?;
    write_atomic(
        &out.join("services.csv"),
        render::services_csv(report).as_bytes(),
    )?;
    write_atomic(
        &out.join("capacity_providers.csv"),
        render::providers_csv(report).as_bytes(),
    )?;
    write_atomic(
        &out.join("events.jsonl"),
        render::events_jsonl(report).as_bytes(),
    )?;
    if with_charts {
        let dir = out.join("charts");
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create chart folder {}", dir.display()))?;
        for kind in ChartKind::ALL {
            for format in ChartFormat::ALL {
                let bytes = kind.render(format, report)?;
                write_atomic(&dir.join(kind.file_name(format)), &bytes)?;
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
    write_atomic(&out.join("report.html"), page.as_bytes())?;
    Ok(())
}

/// Removes `path` if it exists.
fn remove_stale(path: &Path) -> anyhow::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("cannot remove stale {}", path.display()))
        }
        _ => Ok(()),
    }
}

/// Writes `bytes` to a temporary file beside `path`, then renames it into place, so an
/// interrupted run never leaves a half-written file under the final name.
fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.with_context(|| format!("cannot write {}", path.display()))
}
