//! Monte Carlo runs (`run --replicas N`): thread-count independence, replica 0 is the
//! ordinary run, the confidence interval narrows as 1/√N, and the library's pieces agree with
//! the binary's files.

use std::path::Path;
use std::process::Command;

use ecsim::montecarlo::{self, FigureStats};
use ecsim::report::render;
use serde_json::{json, Value};

use super::support::{repo_root, scenario, skeleton};

fn ecsim() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ecsim"));
    c.current_dir(repo_root());
    c
}

/// Runs the binary on the quickstart with `args` after `--out DIR`; panics on failure.
fn run_quickstart(out: &Path, args: &[&str], threads: Option<&str>) {
    let mut c = ecsim();
    c.args(["run", "scenarios/quickstart.json", "--quiet", "--out"])
        .arg(out)
        .args(args);
    if let Some(t) = threads {
        c.env("RAYON_NUM_THREADS", t);
    }
    let o = c.output().expect("ecsim runs");
    assert!(
        o.status.success(),
        "ecsim run {args:?} failed: {:?}\nstderr: {}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.join(name).display()))
}

#[test]
fn output_does_not_depend_on_the_thread_count() {
    let one = tempfile::tempdir().expect("tempdir");
    let two = tempfile::tempdir().expect("tempdir");
    let args = ["--replicas", "8", "--seed", "11"];
    run_quickstart(one.path(), &args, Some("1"));
    run_quickstart(two.path(), &args, Some("2"));
    for name in ["summary.json", "replicas.csv"] {
        let a = read(one.path(), name);
        assert!(!a.is_empty(), "{name} is empty");
        assert!(
            a == read(two.path(), name),
            "{name} differs between RAYON_NUM_THREADS=1 and 2"
        );
    }
    // The spread charts come from every replica's trace, so they are checked too (and the
    // page that inlines them).
    for name in [
        "charts/montecarlo.svg",
        "charts/montecarlo.png",
        "charts/montecarlo_figures.svg",
        "charts/montecarlo_figures.png",
        "report.html",
    ] {
        let bytes =
            |dir: &Path| std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            bytes(one.path()) == bytes(two.path()),
            "{name} differs between RAYON_NUM_THREADS=1 and 2"
        );
    }
    let csv = read(one.path(), "replicas.csv");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 1 + 8, "header and one row per replica");
    assert!(
        lines[0].starts_with("replica,seed,cost.total_usd,"),
        "{}",
        lines[0]
    );
    for (i, line) in lines[1..].iter().enumerate() {
        assert!(
            line.starts_with(&format!("{i},{},", 11 + i)),
            "row {i}: {line}"
        );
    }
}

#[test]
fn replica_zero_is_the_single_run_with_the_same_seed() {
    let single = tempfile::tempdir().expect("tempdir");
    let multi = tempfile::tempdir().expect("tempdir");
    run_quickstart(single.path(), &["--seed", "42"], None);
    run_quickstart(multi.path(), &["--seed", "42", "--replicas", "4"], None);

    // The per-minute and event files are replica 0's, byte for byte.
    for name in [
        "timeseries.csv",
        "services.csv",
        "capacity_providers.csv",
        "costs.csv",
        "events.jsonl",
    ] {
        assert!(
            read(single.path(), name) == read(multi.path(), name),
            "{name}: replica 0 differs from the single run"
        );
    }
    // summary.json is the single run's, byte for byte, with `monte_carlo` appended last.
    let plain = read(single.path(), "summary.json");
    let with_mc = read(multi.path(), "summary.json");
    let head = plain
        .strip_suffix("\n}\n")
        .expect("summary.json ends with }");
    assert!(
        with_mc.starts_with(head) && with_mc[head.len()..].starts_with(",\n  \"monte_carlo\": {"),
        "summary.json of the Monte Carlo run is not the single run's plus monte_carlo"
    );
    assert!(
        !plain.contains("monte_carlo"),
        "a single run has no monte_carlo"
    );
    let v: Value = serde_json::from_str(&with_mc).expect("summary.json is JSON");
    let mc = &v["monte_carlo"];
    assert_eq!(mc["replicas"], 4);
    assert_eq!(mc["seeds"], json!([42, 43, 44, 45]));
    let total = &mc["figures"]["cost.total_usd"];
    assert_eq!(total["n"], 4);
    let (min, max) = (
        total["min"].as_f64().unwrap(),
        total["max"].as_f64().unwrap(),
    );
    let single_total = v["cost"]["total_usd"].as_f64().unwrap();
    assert!(min <= single_total && single_total <= max);

    // replicas.csv row 0 carries the single run's figures.
    let csv = read(multi.path(), "replicas.csv");
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row0: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header.len(), row0.len());
    let cell = |name: &str| -> f64 {
        let i = header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("no column {name}"));
        row0[i].parse().unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    assert_eq!((row0[0], row0[1]), ("0", "42"));
    assert_eq!(cell("cost.total_usd"), single_total);
    assert_eq!(
        cell("tasks.completed"),
        v["tasks"]["completed"].as_f64().unwrap()
    );
    assert_eq!(
        cell("wait_time_s.p95"),
        v["wait_time_s"]["p95"].as_f64().unwrap()
    );

    // `--replicas 1` is a single run: no monte_carlo, and the stale replicas.csv goes.
    run_quickstart(multi.path(), &["--seed", "42", "--replicas", "1"], None);
    assert_eq!(read(multi.path(), "summary.json"), plain);
    assert!(!multi.path().join("replicas.csv").exists());
}

#[test]
fn replicas_zero_is_refused() {
    let out = tempfile::tempdir().expect("tempdir");
    let o = ecsim()
        .args([
            "run",
            "scenarios/quickstart.json",
            "--quiet",
            "--replicas",
            "0",
            "--out",
        ])
        .arg(out.path())
        .output()
        .expect("ecsim runs");
    assert!(!o.status.success());
    assert!(!out.path().join("summary.json").exists());
}

#[test]
fn library_replica_zero_and_renderers_match_the_single_run() {
    let sc = ecsim::load(&repo_root().join("scenarios/quickstart.json")).expect("quickstart");
    let single = ecsim::run(&sc, Some(5), &mut |_| {}).expect("runs");
    let seen = std::sync::Mutex::new(Vec::new());
    let reps = montecarlo::run_replicas(&sc, 5, 3, &|d| seen.lock().unwrap().push(d))
        .expect("replicas run");
    assert_eq!(
        *seen.lock().unwrap(),
        vec![1, 2, 3],
        "progress counts up once per replica"
    );
    assert_eq!(reps.len(), 3);
    assert_eq!(
        render::summary_json(&reps.first.summary),
        render::summary_json(&single.summary)
    );
    assert_eq!(
        render::events_jsonl(&reps.first),
        render::events_jsonl(&single)
    );
    assert_eq!(reps.seeds(), montecarlo::replica_seeds(5, 3));
    // Without Monte Carlo figures the summary renders exactly as report::render does.
    assert_eq!(
        montecarlo::summary_json(&single.summary, None),
        render::summary_json(&single.summary)
    );
    // Every headline figure of replica 0 has statistics over the 3 replicas, in order.
    let mc = reps.monte_carlo();
    let names: Vec<String> = montecarlo::headline_figures(&single.summary)
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    let mc_names: Vec<&str> = mc.figures.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        mc_names,
        names.iter().map(String::as_str).collect::<Vec<_>>()
    );
    for must in [
        "cost.total_usd",
        "cost.by_capacity_provider.batch-ec2",
        "instances.instance_hours",
        "tasks.never_placed",
        "wait_time_s.p99",
        "services.api.minutes_below_desired",
        "services.web.desired_max",
        "workloads.alibaba-batch.cost_per_completed_task_usd",
    ] {
        assert!(names.iter().any(|n| n == must), "missing figure {must}");
    }
    assert!(mc.figures.iter().all(|f| f.stats.n == 3));
}

#[test]
fn a_figure_missing_in_some_replicas_counts_only_where_present() {
    let sc = ecsim::load(&repo_root().join("scenarios/quickstart.json")).expect("quickstart");
    let a = ecsim::run(&sc, Some(1), &mut |_| {}).expect("runs").summary;
    let mut b = ecsim::run(&sc, Some(2), &mut |_| {}).expect("runs").summary;
    // As if replica 1 had no FARGATE_SPOT cost at all (a map key absent).
    b.cost.by_capacity_provider.remove("FARGATE_SPOT");
    b.cost.by_capacity_provider.insert("extra".into(), 1.5);
    let mc = montecarlo::aggregate(&[&a, &b]);
    let spot = mc.get("cost.by_capacity_provider.FARGATE_SPOT").unwrap();
    assert_eq!(spot.n, 1);
    assert_eq!(spot.mean, a.cost.by_capacity_provider["FARGATE_SPOT"]);
    assert_eq!(spot.sd, 0.0);
    let extra = mc.get("cost.by_capacity_provider.extra").unwrap();
    assert_eq!((extra.n, extra.mean), (1, 1.5));
    // First-seen order: a name that appears only in replica 1 comes after replica 0's.
    assert_eq!(
        mc.figures.last().unwrap().name,
        "cost.by_capacity_provider.extra"
    );
    let csv = montecarlo::replicas_csv(&[&a, &b]);
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let i = header
        .iter()
        .position(|h| *h == "cost.by_capacity_provider.FARGATE_SPOT")
        .unwrap();
    let _row0 = lines.next().unwrap();
    let row1: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(row1[i], "", "a missing figure is an empty cell, not 0");
    assert_eq!(*row1.last().unwrap(), "1.5");
}

/// A cheap scenario with real randomness: Poisson arrivals (about 60 an hour) of tasks with
/// exponential run times (mean 10 minutes) on Fargate, for two hours.
fn poisson_fargate() -> Value {
    let mut v = skeleton("mc-poisson", "2h", &["us-east-1a"]);
    v["taskDefinitions"] = json!([{
        "family": "job", "cpu": "1024", "memory": "2048", "requiresCompatibilities": ["FARGATE"]
    }]);
    v["workloads"] = json!([{
        "name": "jobs",
        "taskDefinition": "job",
        "launchType": "FARGATE",
        "source": { "poisson": {
            "ratePerHour": 60,
            "duration": { "exponential": { "mean": "10m" } }
        } }
    }]);
    v
}

#[test]
fn confidence_interval_narrows_as_one_over_root_n() {
    let sc = scenario(&poisson_fargate());
    let reps = montecarlo::run_replicas(&sc, 1000, 64, &|_| {}).expect("replicas run");
    // The first 16 replicas of a 64-replica run are exactly a 16-replica run (same seeds).
    let totals: Vec<f64> = reps
        .figure("cost.total_usd")
        .unwrap()
        .into_iter()
        .map(|v| v.unwrap())
        .collect();
    let w64 = reps.monte_carlo();
    let (a, b) = (
        &FigureStats::of(&totals[..16]),
        w64.get("cost.total_usd").unwrap(),
    );
    assert!(
        a.sd > 0.0 && b.sd > 0.0,
        "no randomness: sd {} / {}",
        a.sd,
        b.sd
    );
    let ratio = a.ci95_width() / b.ci95_width();
    // Width = 2 t(0.975, N−1) sd / √N, so the expected ratio is
    // t(15)/t(63) × √(64/16) × sd16/sd64 = 2.131/1.998 × 2 × sd16/sd64 ≈ 2.13 × sd16/sd64.
    // sd16/sd64 is itself random: for normal data the log of a sample sd with k degrees of
    // freedom has a standard error of about 1/√(2k) (0.18 for 15, 0.09 for 63); the 16
    // replicas are a subset of the 64, so the log ratio's is about √(1/30 − 1/126) ≈ 0.16,
    // and more here since a total of exponential run times has heavier tails than a normal.
    // Measured (release, base seeds 0, 1000, …, 39000): median 2.07, range 1.47–3.04, 39 of
    // 40 inside [1.4, 2.9]. The test is deterministic (base seed 1000 gives 1.77); the band
    // is there to catch a width that does not shrink (ratio ≈ 1), shrinks as 1/N (≈ 4) or
    // forgets the √ (≈ 1.07 with sd in place of sd/√N), not to pin the noise.
    eprintln!(
        "cost.total_usd: N=16 mean {} sd {} CI width {:.6}; N=64 mean {} sd {} CI width {:.6}; ratio {ratio:.3}",
        a.mean,
        a.sd,
        a.ci95_width(),
        b.mean,
        b.sd,
        b.ci95_width()
    );
    assert!(
        (1.4..=2.9).contains(&ratio),
        "CI width ratio N=16 / N=64 is {ratio:.3}, expected about 2"
    );
    // The mean's interval covers the mean of the larger sample (a sanity check, not a
    // coverage test: it holds at this seed).
    assert!(a.ci95_low <= b.mean && b.mean <= a.ci95_high);
}

#[test]
fn figure_stats_by_hand() {
    // The same hand computation as the unit test, through the public API: 1, 2, 3, 4, 10
    // → mean 4, sample sd √12.5, t(0.975, 4) = 2.776 → half-width 2.776 × √12.5/√5 ≈ 4.39.
    let s = FigureStats::of(&[4.0, 1.0, 10.0, 2.0, 3.0]);
    assert_eq!((s.n, s.mean, s.min, s.p50, s.max), (5, 4.0, 1.0, 3.0, 10.0));
    assert!((s.sd - 12.5f64.sqrt()).abs() < 1e-6);
    assert!((s.p5 - 1.2).abs() < 1e-9 && (s.p95 - 8.8).abs() < 1e-9);
    let half = 2.776 * 12.5f64.sqrt() / 5f64.sqrt();
    assert!((s.ci95_high - s.mean - half).abs() < 2e-3);
    assert!((s.mean - s.ci95_low - half).abs() < 2e-3);
}

/// Issue 10, point 2: replicas are reduced as they finish and folded chunk by chunk, and
/// what comes out is what the whole summaries and traces give (`aggregate`, `replicas_csv`,
/// `bands`), whatever the chunk size and the thread count.
#[test]
fn folding_replicas_as_they_finish_gives_what_whole_summaries_give() {
    let sc = ecsim::load(&repo_root().join("scenarios/quickstart.json")).expect("quickstart");
    let n = 5;
    let reports: Vec<ecsim::report::Report> = montecarlo::replica_seeds(11, n)
        .into_iter()
        .map(|seed| ecsim::run(&sc, Some(seed), &mut |_| {}).expect("runs"))
        .collect();
    let summaries: Vec<&ecsim::report::Summary> = reports.iter().map(|r| &r.summary).collect();
    let traces: Vec<montecarlo::Trace> = reports.iter().map(montecarlo::Trace::of).collect();
    let mc = montecarlo::aggregate(&summaries);
    let csv = montecarlo::replicas_csv(&summaries);
    let bands = montecarlo::bands(&traces).expect("aligned");
    // Different seeds differ, or equal outputs would prove little. (Under the warm start the
    // quickstart's cost is the same for every seed; its batch waits are not.)
    assert!(mc.get("wait_time_s.mean").unwrap().sd > 0.0);
    for (chunk, threads) in [(montecarlo::CHUNK, 2), (2, 1), (2, 2), (1, 2)] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        let reps = pool
            .install(|| montecarlo::run_replicas_in_chunks(&sc, 11, n, chunk, &|_| {}))
            .expect("replicas run");
        let what = format!("chunks of {chunk} on {threads} threads");
        assert_eq!(reps.monte_carlo(), mc, "{what}");
        assert_eq!(
            montecarlo::summary_json(&reps.first.summary, Some(&reps.monte_carlo())),
            montecarlo::summary_json(&reports[0].summary, Some(&mc)),
            "{what}"
        );
        assert_eq!(reps.replicas_csv(), csv, "{what}");
        assert_eq!(reps.bands().expect("aligned"), bands, "{what}");
    }
}

#[test]
fn too_many_replicas_for_the_memory_cap_are_refused_before_running() {
    // Two hours: 121 band points × 32 bytes + 42 figures × 8 bytes + 8 = 4,216 bytes a
    // replica; 1,000 replicas ≈ 4.0 MiB, over a cap of 1 MiB; 200 ≈ 0.8 MiB fit.
    let mut v = poisson_fargate();
    v["settings"] = json!({ "maxReplicaMemoryMib": 1 });
    let sc = scenario(&v);
    let est = montecarlo::MemoryEstimate::of(&sc, 1000);
    assert_eq!((est.band_points, est.figures), (121, 42));
    assert_eq!(est.bytes, 1000 * (121 * 32 + 42 * 8 + 8));
    let e = match montecarlo::run_replicas(&sc, 1, 1000, &|_| panic!("nothing may run")) {
        Err(e) => e,
        Ok(_) => panic!("1,000 replicas ran under a 1 MiB cap"),
    };
    assert!(matches!(e, montecarlo::MonteCarloError::Memory(_)), "{e}");
    let msg = e.to_string();
    for needle in [
        "1000 replicas would keep about 4.0 MiB",
        "121 band points",
        "settings.maxReplicaMemoryMib = 1",
    ] {
        assert!(msg.contains(needle), "{needle:?} missing in {msg}");
    }
    montecarlo::check_memory(&sc, 200).expect("200 replicas fit");

    // The binary: exit 2, the message, no output.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mc.json");
    std::fs::write(&file, serde_json::to_string(&v).unwrap()).unwrap();
    let out = dir.path().join("out");
    let o = ecsim()
        .args(["run", "--quiet", "--replicas", "1000", "--out"])
        .arg(&out)
        .arg(&file)
        .output()
        .expect("ecsim runs");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("settings.maxReplicaMemoryMib"), "{stderr}");
    assert!(!out.join("summary.json").exists());
}
