//! The `ecsim` command: parse arguments, call the library, write files, map errors to exit
//! codes. The only place that writes files or prints.
//!
//! Exit codes (a contract): 0 success, 2 invalid input (scenario or trace), 1 anything else.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::{Parser, Subcommand};

use ecsim::report::render;
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
    /// Run a scenario and write summary.json, timeseries.csv and events.jsonl.
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
    },
    /// Check a scenario (and read its traces) without running it.
    Validate {
        /// Scenario file (JSON).
        file: PathBuf,
    },
}

/// An error that means "fix your input": exit code 2.
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
        } => {
            let scenario = ecsim::load(&file)?;
            let out = out.unwrap_or_else(|| Path::new("results").join(&scenario.name));
            let started = Instant::now();
            let show = !quiet && std::io::stderr().is_terminal();
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
            std::fs::create_dir_all(&out)
                .with_context(|| format!("cannot create output folder {}", out.display()))?;
            write_atomic(
                &out.join("summary.json"),
                render::summary_json(&report.summary).as_bytes(),
            )?;
            write_atomic(
                &out.join("timeseries.csv"),
                render::timeseries_csv(&report).as_bytes(),
            )?;
            write_atomic(
                &out.join("services.csv"),
                render::services_csv(&report).as_bytes(),
            )?;
            write_atomic(
                &out.join("capacity_providers.csv"),
                render::providers_csv(&report).as_bytes(),
            )?;
            write_atomic(
                &out.join("events.jsonl"),
                render::events_jsonl(&report).as_bytes(),
            )?;
            print!("{}", render::table(&report.summary));
            println!();
            println!(
                "wrote {}/{{summary.json, timeseries.csv, services.csv, capacity_providers.csv, events.jsonl}}",
                out.display()
            );
            Ok(())
        }
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
