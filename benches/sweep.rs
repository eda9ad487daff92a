//! Sweeps (issue 11): a 1,000-point sweep of the quickstart at 1 replica against the sum of
//! the same 1,000 single runs divided by the cores, and merging 1,000 partials.
//!
//! Budgets (issue 11): the sweep takes at most 1.1 × (sum of the single runs) ÷ cores; the
//! merge of 1,000 partials takes under 5 s.
//!
//! The 1,000 points: the quickstart's web service desired count (1–10) × its API's desired
//! count (1–10) × the web group's maximum size (6–15), full grid, 1 replica, full search.
//!
//! - `ECSIM_BENCH_ONCE=1 cargo bench --bench sweep` times one round of each and prints the
//!   figures and the ratio, without criterion (a few seconds per round on two cores).
//! - `cargo bench --bench sweep` runs criterion (`sweep_1000_points`, `merge_1000_partials`,
//!   ten flat samples each).
//!
//! The single runs are timed one after the other on one thread, each on its own validated
//! scenario, so their sum is the simulation work alone; the sweep's time includes everything
//! it adds (patching and validating each point, reading the figures, writing the rows).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{criterion_group, Criterion, SamplingMode};
use serde_json::{json, Value};

use ecsim::sweep::outputs::{self, Outputs, PartialHeader};
use ecsim::sweep::stats::Acc;
use ecsim::sweep::{self, design, CliOverrides, Loaded, PointResult};

/// The 1,000-point sweep file, written into `dir`.
fn sweep_file(dir: &Path) -> PathBuf {
    let quickstart = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/quickstart.json");
    let levels = |from: i64| (from..from + 10).map(Value::from).collect::<Vec<_>>();
    let v = json!({
        "name": "bench-sweep",
        "base": quickstart,
        "replicas": 1,
        "search": "full",
        "parameters": [
            {"name": "web", "pointer": "/services/0/desiredCount", "values": levels(1)},
            {"name": "api", "pointer": "/services/1/desiredCount", "values": levels(1)},
            {"name": "webMax", "pointer": "/autoScalingGroups/0/maxSize", "values": levels(6)}
        ],
        "objective": {"minimize": "cost.total_usd"},
        "constraints": [{"figure": "wait_time_s.p95", "max": 60}]
    });
    let p = dir.join("bench-sweep.json");
    std::fs::write(&p, v.to_string()).expect("write the sweep file"); // ok: bench setup
    p
}

fn load(path: &Path) -> Loaded {
    sweep::load(path, &CliOverrides::default()).expect("the bench sweep loads") // ok: fixed fixture
}

/// The whole sweep, rows rendered into memory.
fn run_sweep(loaded: &Loaded) -> usize {
    let mut out = Outputs::new(&loaded.plan, &loaded.digest, Vec::new()).expect("outputs"); // ok: in memory
    sweep::run_points(loaded, None, &|_| {}, &mut |r| out.push(&r)).expect("the sweep runs"); // ok: fixed fixture
    let (csv, _) = out.finish().expect("finish"); // ok: in memory
    csv.len()
}

/// The points' scenarios, validated once (not timed).
fn scenarios(loaded: &Loaded) -> Vec<ecsim::Scenario> {
    let base: Value = serde_json::from_str(&loaded.plan.base).expect("base"); // ok: fixed fixture
    design::points(&loaded.plan)
        .iter()
        .enumerate()
        .map(|(i, l)| {
            sweep::search::point_scenario(&loaded.plan, &base, &loaded.base_dir, i as u64, l)
                .expect("valid point") // ok: fixed fixture
        })
        .collect()
}

/// The single runs one after the other: their summed time.
fn single_runs(scenarios: &[ecsim::Scenario], seed: u64) -> Duration {
    let started = Instant::now();
    for s in scenarios {
        ecsim::run(s, Some(seed), &mut |_| {}).expect("runs"); // ok: fixed fixture
    }
    started.elapsed()
}

/// Writes 1,000 one-point partials (shard i of 1,000 holds point i) with made-up figures:
/// merging only reads files, so how the records were computed does not matter.
fn write_partials(loaded: &Loaded, dir: &Path) -> PathBuf {
    let root = dir.join("parts");
    let points = design::points(&loaded.plan);
    let shards = points.len() as u32;
    for (i, levels) in points.iter().enumerate() {
        let shard = sweep::Shard {
            index: i as u32,
            count: shards,
        };
        let folder = root.join(shard.folder());
        std::fs::create_dir_all(&folder).expect("mkdir"); // ok: bench setup
        let mut figures = vec![Acc::default(); loaded.plan.figures.len()];
        for (k, f) in figures.iter_mut().enumerate() {
            f.push(i as f64 + k as f64 * 0.5);
        }
        let r = PointResult {
            index: i as u64,
            levels: levels.clone(),
            replicas: 1,
            figures,
        };
        let mut f = std::fs::File::create(folder.join(outputs::PARTIAL_POINTS)).expect("create"); // ok: bench setup
        f.write_all(outputs::record_line(&r).as_bytes())
            .expect("write"); // ok: bench setup
        let header = PartialHeader {
            format: outputs::PARTIAL_FORMAT.into(),
            format_version: outputs::PARTIAL_VERSION,
            ecsim_version: outputs::ECSIM_VERSION.into(),
            digest: loaded.digest.clone(),
            shard: shard.index,
            shards,
            points: 1,
            plan: loaded.plan.clone(),
        };
        std::fs::write(
            folder.join(outputs::PARTIAL_HEADER),
            outputs::header_json(&header),
        )
        .expect("write"); // ok: bench setup
    }
    root
}

/// Reads, checks and merges the partials under `root` into in-memory outputs.
fn merge(root: &Path) -> usize {
    let partials = outputs::read_partials(&[root.to_path_buf()]).expect("partials"); // ok: fixture
    let mut out = Outputs::new(&partials.plan, &partials.digest, Vec::new()).expect("outputs"); // ok: in memory
    outputs::merge_points(&partials, &mut |r| out.push(&r)).expect("merge"); // ok: fixture
    let (csv, f) = out.finish().expect("finish"); // ok: in memory
    csv.len() + f.sweep_json.len()
}

/// CPU seconds this process has used (user + system), from `/proc/self/stat` (Linux; 0
/// elsewhere). On a shared machine wall time depends on the neighbours; CPU time shows what
/// the sweep adds to the runs whatever the load.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name (which may hold spaces) start at state (field 3);
    // utime and stime are fields 14 and 15, in clock ticks of 1/100 s on Linux.
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let tick = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    (tick(11) + tick(12)) / 100.0
}

fn run_once() {
    let dir = tempfile::tempdir().expect("tempdir"); // ok: bench setup
    let loaded = load(&sweep_file(dir.path()));
    let cores = rayon::current_num_threads();
    for round in 1..=3 {
        let (cpu0, started) = (cpu_seconds(), Instant::now());
        let scenarios = scenarios(&loaded);
        let (prepare_cpu, prepare) = (cpu_seconds() - cpu0, started.elapsed());
        let points = scenarios.len();
        let cpu0 = cpu_seconds();
        let single = single_runs(&scenarios, loaded.plan.seed);
        let single_cpu = cpu_seconds() - cpu0;
        let (cpu0, started) = (cpu_seconds(), Instant::now());
        run_sweep(&loaded);
        let (swept, sweep_cpu) = (started.elapsed(), cpu_seconds() - cpu0);
        let ideal = single.as_secs_f64() / cores as f64;
        println!(
            "sweep round {round}: {points} points x 1 replica: sweep {:.3} s wall on {cores} threads; single runs {:.3} s in sum, / {cores} = {ideal:.3} s; ratio {:.3} (budget <= 1.1)",
            swept.as_secs_f64(),
            single.as_secs_f64(),
            swept.as_secs_f64() / ideal
        );
        println!(
            "  CPU: sweep {sweep_cpu:.2} s, single runs {single_cpu:.2} s (ratio {:.3}); patching and validating the 1,000 points alone {:.3} s wall, {prepare_cpu:.2} s CPU",
            sweep_cpu / single_cpu.max(0.01),
            prepare.as_secs_f64()
        );
    }
    let root = write_partials(&loaded, dir.path());
    let started = Instant::now();
    merge(&root);
    println!(
        "merge: {} partials in {:.3} s (budget < 5 s)",
        design::points(&loaded.plan).len(),
        started.elapsed().as_secs_f64()
    );
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir"); // ok: bench setup
    let loaded = load(&sweep_file(dir.path()));
    let root = write_partials(&loaded, dir.path());
    let mut group = c.benchmark_group("sweep");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("merge_1000_partials", |b| b.iter(|| merge(&root)));
    group.bench_function("sweep_1000_points", |b| b.iter(|| run_sweep(&loaded)));
    group.finish();
}

criterion_group!(benches, bench);

/// `criterion_main!` with one escape hatch: `ECSIM_BENCH_ONCE=1` times one round instead.
fn main() {
    if std::env::var_os("ECSIM_BENCH_ONCE").is_some_and(|v| !v.is_empty() && v != "0") {
        run_once();
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
