//! Monte Carlo runs: 100 replicas of `scenarios/quickstart.json` through
//! `ecsim::montecarlo::run_replicas`, on rayon's default pool and on a one-thread pool.
//!
//! Replicas are independent runs, so on P cores the parallel run should take about 1/P of
//! the sequential one. Issue budget: parallel ≤ 0.6 × sequential on 2 cores.
//!
//! Two ways to run it:
//!
//! - `cargo bench --bench replicas` runs criterion (`parallel` and `sequential`, ten flat
//!   samples each).
//! - `ECSIM_BENCH_ONCE=1 cargo bench --bench replicas` times five rounds of one batch of 100
//!   replicas on each pool and prints the wall times, the ratios and their median, then exits without starting
//!   criterion.
//!
//! Both pools must give the same replicas; the once mode checks it.
//!
//! A third mode measures memory, not time (issue 10, point 2):
//! `ECSIM_BENCH_MEMORY=N cargo bench --bench replicas` runs N replicas of a small 30-day
//! scenario ([`month_scenario`]) on rayon's default pool and prints the wall time, the peak
//! RSS (`VmHWM` from `/proc/self/status`, Linux only) and what [`montecarlo::MemoryEstimate`]
//! says. Run it for two N to get the bytes each replica adds; the budget is 10,000 replicas
//! of a 30-day scenario within 2 GiB.

use std::time::{Duration, Instant};

use criterion::{criterion_group, Criterion, SamplingMode};

use ecsim::montecarlo::{self, Replicas};
use ecsim::Scenario;

const REPLICAS: u32 = 100;

fn scenario() -> Scenario {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/quickstart.json");
    match ecsim::load(&path) {
        Ok(s) => s,
        Err(e) => panic!("the quickstart is invalid: {e}"),
    }
}

fn replicas(sc: &Scenario) -> Replicas {
    montecarlo::run_replicas(sc, sc.seed, REPLICAS, &|_| {}).expect("the quickstart runs")
    // ok: fixed fixture
}

/// A small 30-day scenario: a service of two Fargate tasks and a Poisson batch workload of
/// six 10-minute Fargate tasks an hour, so every replica has 43,201 report minutes and
/// some randomness.
fn month_scenario() -> Scenario {
    let text = r#"{
  "name": "month-small", "duration": "30d",
  "cluster": { "clusterName": "c", "availabilityZones": ["us-east-1a", "us-east-1b"] },
  "taskDefinitions": [ { "family": "t", "cpu": "256", "memory": "512", "requiresCompatibilities": ["FARGATE"] } ],
  "services": [ { "serviceName": "web", "taskDefinition": "t", "desiredCount": 2, "launchType": "FARGATE" } ],
  "workloads": [ { "name": "jobs", "taskDefinition": "t", "launchType": "FARGATE",
     "source": { "poisson": { "ratePerHour": 6, "duration": { "exponential": { "mean": "10m" } } } } } ]
}"#;
    match ecsim::scenario::from_json_str(
        text,
        std::path::Path::new("month-small.json"),
        std::path::Path::new("."),
    ) {
        Ok(s) => s,
        Err(e) => panic!("the month scenario is invalid: {e}"),
    }
}

/// Peak resident set size of this process in KiB (`VmHWM`), if the kernel reports it.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// `n` replicas of [`month_scenario`]: wall time, peak RSS, the estimate.
fn run_memory(n: u32) {
    let sc = month_scenario();
    let before = peak_rss_kib();
    let started = Instant::now();
    let r = montecarlo::run_replicas(&sc, sc.seed, n, &|_| {}).expect("the month scenario runs");
    // Render what the binary renders, so their buffers count too.
    let mc = r.monte_carlo();
    let csv = r.replicas_csv();
    let bands = r.bands().expect("aligned");
    let wall = started.elapsed();
    let est = montecarlo::MemoryEstimate::of(&sc, n);
    println!(
        "replicas memory: {n} replicas of 30 days on {} threads: {:.1} s, peak RSS {} KiB (before {} KiB); estimate {} bytes ({} band points, {} figures a replica); {} figures, {} csv bytes, {} band points",
        rayon::current_num_threads(),
        wall.as_secs_f64(),
        peak_rss_kib().map_or("?".into(), |k| k.to_string()),
        before.map_or("?".into(), |k| k.to_string()),
        est.bytes,
        est.band_points,
        est.figures,
        mc.figures.len(),
        csv.len(),
        bands.minutes.len()
    );
}

fn one_thread() -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a one-thread pool") // ok: bench setup
}

/// Rounds of the once mode: each times one batch on each pool, alternating; the median
/// ratio is reported, because one batch lasts well under a second and a busy core skews it.
const ROUNDS: usize = 5;

/// Timed batches on each pool, with the ratios and their median.
fn run_once() {
    let sc = scenario();
    let pool = one_thread();
    let threads = rayon::current_num_threads();
    println!("replicas: {REPLICAS} replicas of quickstart, {ROUNDS} rounds");
    let mut ratios = Vec::with_capacity(ROUNDS);
    for round in 1..=ROUNDS {
        let started = Instant::now();
        let par = replicas(&sc);
        let parallel = started.elapsed();
        let started = Instant::now();
        let seq = pool.install(|| replicas(&sc));
        let sequential = started.elapsed();
        let totals = |r: &Replicas| r.figure("cost.total_usd");
        assert_eq!(totals(&par), totals(&seq), "the pools disagree");
        let ratio = parallel.as_secs_f64() / sequential.as_secs_f64();
        ratios.push(ratio);
        println!(
            "replicas: round {round}: parallel ({threads} threads) {:.3} s, sequential (1 thread) {:.3} s, ratio {ratio:.3}",
            parallel.as_secs_f64(),
            sequential.as_secs_f64()
        );
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "replicas: parallel / sequential, median of {ROUNDS}  {:.3} (budget ≤ 0.6 on 2 cores)",
        ratios[ROUNDS / 2]
    );
}

fn bench(c: &mut Criterion) {
    let sc = scenario();
    let pool = one_thread();
    let mut group = c.benchmark_group("replicas");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("parallel", |b| b.iter(|| replicas(&sc)));
    group.bench_function("sequential", |b| b.iter(|| pool.install(|| replicas(&sc))));
    group.finish();
}

criterion_group!(benches, bench);

/// `criterion_main!` with one escape hatch: `ECSIM_BENCH_ONCE=1` times a single batch instead.
fn main() {
    if let Some(n) = std::env::var("ECSIM_BENCH_MEMORY")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
    {
        run_memory(n);
        return;
    }
    if std::env::var_os("ECSIM_BENCH_ONCE").is_some_and(|v| !v.is_empty() && v != "0") {
        run_once();
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
