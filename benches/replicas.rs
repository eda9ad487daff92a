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
    if std::env::var_os("ECSIM_BENCH_ONCE").is_some_and(|v| !v.is_empty() && v != "0") {
        run_once();
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
