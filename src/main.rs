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
    },
}

/// An error that means "fix your input": exit code 2. (A failed Monte Carlo replica,
/// `montecarlo::ReplicaError`, has its `RunError` as its source, so the chain finds it; too
/// many replicas for `settings.maxReplicaMemoryMib` is an input error too.)
fn is_input_error(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<ScenarioError>().is_some()
            || c.downcast_ref::<ecsim::workload::TraceError>().is_some()
            || matches!(
                c.downcast_ref::<RunError>(),
                Some(RunError::Trace(_) | RunError::WorkCap { .. })
            )
            || matches!(
                c.downcast_ref::<montecarlo::MonteCarloError>(),
                Some(montecarlo::MonteCarloError::Memory(_))
            )
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

fn real_main(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
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
            println!(
                "{}: valid ({} services, {} workloads, {} trace submissions and {} rate steps read){variants}",
                file.display(),
                scenario.services.len(),
                scenario.workloads.len(),
                read.submissions,
                read.rate_steps
            );
            Ok(())
        }
        Command::Compare {
            files,
            out,
            seed,
            quiet,
            no_charts,
            set,
        } => compare(&files, &set, out, seed, quiet, !no_charts),
        Command::Run {
            file,
            out,
            seed,
            quiet,
            replicas,
            no_charts,
            set,
        } => {
            let set = ecsim::scenario::load_set_with(&file, &set)?;
            if !set.variants.is_empty() && !quiet {
                eprintln!(
                    "note: {} has {} variants; `run` runs the base scenario (`ecsim compare {}` runs the variants)",
                    file.display(),
                    set.variants.len(),
                    file.display()
                );
            }
            let scenario = set.base;
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
                let fraction = if p.end.0 == 0 {
                    1.0
                } else {
                    p.now.0 as f64 / p.end.0 as f64
                };
                let rate = p.events as f64 / started.elapsed().as_secs_f64();
                eprint!(
                    "\r  {} simulated {} of {}  {:.1} M events/s   ",
                    progress_bar(fraction),
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
            // A replicas.csv and spread charts left by an earlier Monte Carlo run in this
            // folder no longer match summary.json: remove them.
            remove_stale(&out.join(REPLICAS_CSV))?;
            remove_stale_charts(&out, &montecarlo_chart_files())?;
            print!("{}", render::table(&report.summary));
            println!();
            println!("wrote {}/{}", out.display(), written_files(!no_charts));
            Ok(())
        }
    }
}

const REPLICAS_CSV: &str = "replicas.csv";

/// `compare`: load every file, run the variants in parallel with one seed, write each
/// variant's run files under `<out>/<variant>/`, then `compare.json` and `compare.html`.
fn compare(
    files: &[PathBuf],
    overrides: &[Override],
    out: Option<PathBuf>,
    seed: Option<u64>,
    quiet: bool,
    with_charts: bool,
) -> anyhow::Result<()> {
    let mut inputs = Vec::with_capacity(files.len());
    for f in files {
        inputs.push((f.clone(), ecsim::scenario::load_set_with(f, overrides)?));
    }
    let planned = compare::plan(inputs);
    let Some(first) = planned.first() else {
        anyhow::bail!("nothing to compare");
    };
    let seed = seed.unwrap_or(first.scenario.seed);
    let out = out.unwrap_or_else(|| {
        let base = first
            .scenario
            .name
            .strip_suffix(&format!("-{}", first.name))
            .unwrap_or(&first.scenario.name);
        Path::new("results").join(format!("{base}-compare"))
    });
    let show = !quiet && std::io::stderr().is_terminal();
    let started = Instant::now();
    let shown = AtomicBool::new(false);
    let n = planned.len();
    // `run_variants` serialises these calls and the count only grows.
    let progress = |done: usize| {
        if !show || started.elapsed().as_secs_f64() < 2.0 {
            return;
        }
        shown.store(true, Ordering::Relaxed);
        eprint!(
            "\r  {} variant {done} of {n}   ",
            progress_bar(done as f64 / n.max(1) as f64)
        );
        let _ = std::io::stderr().flush();
    };
    let result = compare::run_variants(&planned, seed, &progress);
    if shown.load(Ordering::Relaxed) {
        eprintln!();
    }
    let reports = result?;
    for (p, report) in planned.iter().zip(&reports) {
        let dir = out.join(&p.name);
        write_run_files(
            &dir,
            &render::summary_json(&report.summary),
            report,
            with_charts,
            &[],
        )?;
        remove_stale(&dir.join(REPLICAS_CSV))?;
        remove_stale_charts(&dir, &montecarlo_chart_files())?;
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
    let comparison = compare::compare(&entries, seed);
    write_atomic(
        &out.join("compare.json"),
        compare::compare_json(&comparison).as_bytes(),
    )?;
    let mut charts = Vec::new();
    if !with_charts {
        let files = CompareChart::ALL
            .iter()
            .flat_map(|k| ChartFormat::ALL.map(|f| k.file_name(f)))
            .collect::<Vec<_>>();
        remove_stale_charts(&out, &files)?;
    } else {
        let dir = out.join("charts");
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create chart folder {}", dir.display()))?;
        for kind in CompareChart::ALL {
            for format in ChartFormat::ALL {
                let bytes = kind.render(format, &comparison)?;
                write_atomic(&dir.join(kind.file_name(format)), &bytes)?;
            }
            charts.push(compare::InlineChart::from_svg(
                kind.title(),
                &kind.svg(&comparison)?,
            ));
        }
    }
    write_atomic(
        &out.join("compare.html"),
        compare::html(&comparison, &charts).as_bytes(),
    )?;
    print!("{}", compare::table(&comparison));
    println!();
    let names: Vec<&str> = planned.iter().map(|p| p.name.as_str()).collect();
    let compare_charts = if with_charts {
        let stems: Vec<&str> = CompareChart::ALL.iter().map(|k| k.file_stem()).collect();
        format!(", charts/{{{}}}.{{svg, png}}", stems.join(", "))
    } else {
        String::new()
    };
    println!(
        "wrote {}/{{compare.json, compare.html{compare_charts}}} and {{{}}}/{}",
        out.display(),
        names.join(", "),
        written_files(with_charts)
    );
    Ok(())
}

/// `run --replicas N` with N > 1: replica 0's files as a single run writes them, its
/// summary with a `monte_carlo` object, `replicas.csv`, and (with charts) the spread charts,
/// also inlined in report.html's Monte Carlo section.
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
        eprint!(
            "\r  {} replica {done} of {n}   ",
            progress_bar(f64::from(done) / f64::from(n))
        );
        let _ = std::io::stderr().flush();
    };
    let result = montecarlo::run_replicas(scenario, base, n, &progress);
    if shown.load(Ordering::Relaxed) {
        eprintln!();
    }
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
    write_run_files(
        out,
        &montecarlo::summary_json(&report.summary, Some(&mc)),
        report,
        with_charts,
        &[section],
    )?;
    // write_run_files has created charts/ when with_charts is set.
    for (file, bytes) in &spread {
        write_atomic(&out.join("charts").join(file), bytes)?;
    }
    if !with_charts {
        remove_stale_charts(out, &montecarlo_chart_files())?;
    }
    write_atomic(&out.join(REPLICAS_CSV), replicas.replicas_csv().as_bytes())?;
    println!("replica 0 of {n}:");
    print!("{}", render::table(&report.summary));
    println!();
    print!("{}", montecarlo::table(&mc));
    println!();
    let spread_files = if with_charts {
        let stems: Vec<&str> = MonteCarloChart::ALL.iter().map(|k| k.file_stem()).collect();
        format!(" and charts/{{{}}}.{{svg, png}}", stems.join(", "))
    } else {
        String::new()
    };
    println!(
        "wrote {}/{} (replica 0), {REPLICAS_CSV}{spread_files}",
        out.display(),
        written_files(with_charts)
    );
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
fn written_files(with_charts: bool) -> String {
    let mut s = String::from(
        "{summary.json, timeseries.csv, services.csv, capacity_providers.csv, costs.csv, events.jsonl, report.html",
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
    write_atomic(&out.join("costs.csv"), render::costs_csv(report).as_bytes())?;
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
    } else {
        // Charts an earlier run left here would describe another run.
        let files: Vec<String> = ChartKind::ALL
            .iter()
            .flat_map(|k| ChartFormat::ALL.map(|f| k.file_name(f)))
            .collect();
        remove_stale_charts(out, &files)?;
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

/// The Monte Carlo spread chart files, under `charts/`.
fn montecarlo_chart_files() -> Vec<String> {
    MonteCarloChart::ALL
        .iter()
        .flat_map(|k| ChartFormat::ALL.map(|f| k.file_name(f)))
        .collect()
}

/// Removes `files` under `out/charts/` that an earlier run left and this one does not
/// write, so the folder never mixes charts of different runs.
fn remove_stale_charts(out: &Path, files: &[String]) -> anyhow::Result<()> {
    for f in files {
        remove_stale(&out.join("charts").join(f))?;
    }
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

#[cfg(test)]
mod tests {
    use super::progress_bar;

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
