//! A whole simulated month at production scale, end to end through `ecsim::run`.
//!
//! The scenario (built in code below, validated by `ecsim::scenario::from_json_str`) is one
//! cluster with one capacity provider over one Auto Scaling group of 1,000 m5.2xlarge
//! instances (8 vCPU, 32 GiB) across 3 AZs, ten services of 2,000 tasks each
//! (256 CPU / 512 MiB, 20,000 tasks), and a Poisson batch workload of 1,389 submissions per
//! hour with exponential run times of mean 20 minutes (about one million tasks over 30 days,
//! about 460 running at a time) on the same provider.
//! The services reserve 20,000 × 256 = 5.12M of the 1,000 × 8,192 = 8.19M CPU units and the
//! batch tasks (1,024 CPU / 2,048 MiB) about 0.47M more, so everything fits with room to spare
//! and the run measures steady-state simulation, not queueing.
//! The batch tasks use `binpack(memory)` while CPU is the scarcer resource on these instances
//! (after the services, 3,072 CPU and about 20 GiB are free per instance), which is the common
//! real-world case and exercises the placer's skip over memory-light but CPU-full instances.
//! `settings.eventLogLimit` is 10,000 so the event log does not grow with the run.
//!
//! Three variants:
//! - `static`: as above, no load model and no auto scaling (the core issue's run);
//! - `autoscaling`: the same run with every service under a steady load that keeps it at its
//!   target, a target tracking policy on CPU at 50 % on every service, and managed scaling
//!   on the capacity provider (ASG bounds 1,000–1,300). The policies evaluate every minute
//!   but have nothing to do: this is the cost of the machinery. Issue budget: within 1.5 ×
//!   `static`.
//! - `autoscaling-daily`: the same with a daily cycle between 0.8 and 1.4 of the base rate
//!   (inline points repeated every day), so the services scale out and in every day and the
//!   run starts and stops about 380,000 more service tasks: a stress test of scaling churn.
//! - `static-savings-plan`: `static` with a Compute Savings Plan (20 USD/h, rates 0.72 EC2
//!   and 0.80 Fargate: example inputs, ecsim ships no rates). Issue 12's budget: within 10 %
//!   of `static`. What it adds is a usage mark per simulated hour (O(rate classes)) and the
//!   hour-by-hour application after the run (720 hours, one instance type). Measured
//!   2026-12-05 on the shared 2-core machine, `ECSIM_BENCH_ONCE=1`, the two variants
//!   alternated five times: `static` 5.26–6.57 s (mean 5.93, median 5.80), with the plan
//!   5.80–6.28 s (mean 6.05, median 5.99), +2 % on the mean; peak RSS 161.2 and 161.7 MiB.
//!
//! - `deployments`: `autoscaling` with every service deploying twice a day (rolling update,
//!   AWS's default percents, services three minutes apart): 600 deployments of 2,000 tasks.
//!   The cost of the deployment machinery; with no `deploymentSchedule` the other variants
//!   pay only a few branches per task event and 8 bytes per task. Issue 14 measurement
//!   (`ECSIM_BENCH_ONCE`, 2-core machine shared with other builds, quietest interleaved
//!   pairs against the commit before deployments): `static` 1.62–1.63 s against 1.64 s,
//!   `autoscaling` 1.76–1.86 s against 1.76–1.79 s, peak RSS 169.5 MiB against 161.3 MiB;
//!   `deployments` 5.5 s, 12.0 M events, 301 MiB, 600 deployments completed.
//!
//! Issue 13 (December 2026, `static`, events identical at 5,090,611): callgrind counts
//! 12,411 M instructions before the placement-index and submission changes of that issue's
//! third pass and 10,392 M after (-16.3 %); `ECSIM_BENCH_ONCE` wall medians of three
//! interleaved pairs 1.72 s and 1.37 s (1.26x; load average 6-9), peak RSS 64.4 MiB both.
//! Issue 13's budget, 1.5x faster than when it was filed, measured 6 December 2026 on a quiet
//! 2-core machine, whole process under `/usr/bin/time`, five interleaved runs of each of three
//! builds, the same 1,021,155 submissions: `a3f87b6` (the commit before issue 13's work, no
//! LTO) median 1.88 s and 190 MiB peak; `50a7376` 1.32 s; `d487bb7` (placement `EntrySet`s,
//! dense slots, occupancy masks, the lowest-id path, cache-line layouts, the event-path
//! changes) 1.15 s and 65 MiB: 1.63x faster than at filing, 1.15x than the commit before.
//! Then the radix heap event queue: `faae6ce` 1.13 s against `f76bdec` 1.01 s (medians of five
//! interleaved pairs, 66 MiB), 1.86x faster than at filing.
//! Then the prefetching loop and the grouped large sets (`ce743cf` -> `f420f22`, five
//! interleaved pairs, a noisier day): 1.02 s against 1.04 s, 66 MiB. At 1,000 instances
//! every set is a small `Vec` and everything is in cache, so there is nothing to win and
//! the prefetch costs about 1 % more instructions; still 1.81x faster than at filing.
//!
//! Budget: one run under 60 seconds wall time and under 2 GiB peak memory (RSS).
//! Issue 16: with `--explain` off the hooks at each decision site must cost nothing
//! measurable (within 3 % of the run before they existed); `ECSIM_BENCH_EXPLAIN=1` with
//! `ECSIM_BENCH_ONCE=1` times the run with decision traces on and prints the size of the
//! `explain.jsonl` it would write.
//!
//! Two ways to run it:
//!
//! - `cargo bench --bench month_run` runs criterion with `sample_size(10)`, which takes ten
//!   runs plus a warm-up.
//! - `ECSIM_BENCH_ONCE=1 cargo bench --bench month_run` runs once and prints the wall time,
//!   the events processed, events per second and the peak RSS (`VmHWM` from
//!   `/proc/self/status`, so Linux only), then exits without starting criterion.
//!
//! Owns only the fixture and the timing; what the run decides is checked by the tests.

use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{criterion_group, Criterion, SamplingMode};
use serde_json::json;

use ecsim::Scenario;

const INSTANCES: u32 = 1_000;
const SERVICES: u32 = 10;
const TASKS_PER_SERVICE: u32 = 2_000;
/// 1,389 × 24 × 30 = 1,000,080 submissions expected over the month.
const BATCH_PER_HOUR: u32 = 1_389;

/// Requests per second one service task serves at 100 % CPU (autoscaling variant).
const TASK_CAPACITY_RPS: f64 = 10.0;

/// Which run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Variant {
    Static,
    Autoscaling,
    AutoscalingDaily,
    StaticSavingsPlan,
    Deployments,
}

impl Variant {
    const ALL: [Variant; 5] = [
        Variant::Static,
        Variant::Autoscaling,
        Variant::AutoscalingDaily,
        Variant::StaticSavingsPlan,
        Variant::Deployments,
    ];

    fn name(self) -> &'static str {
        match self {
            Variant::Static => "static",
            Variant::Autoscaling => "autoscaling",
            Variant::AutoscalingDaily => "autoscaling-daily",
            Variant::StaticSavingsPlan => "static-savings-plan",
            Variant::Deployments => "deployments",
        }
    }
}

/// The scenario as JSON text, exactly as a user would write it.
fn scenario_json(variant: Variant) -> String {
    let autoscaling = !matches!(variant, Variant::Static | Variant::StaticSavingsPlan);
    // At 50 % CPU with a 5 % baseline a task runs at load fraction 45/95 ≈ 0.47, so a base
    // rate of 2,000 tasks × 10 rps × 0.47 keeps about 2,000 tasks at the base of the cycle.
    let base_rps = f64::from(TASKS_PER_SERVICE) * TASK_CAPACITY_RPS * 45.0 / 95.0;
    let services: Vec<_> = (0..SERVICES)
        .map(|i| {
            let mut s = json!({
                "serviceName": format!("svc-{i:02}"),
                "taskDefinition": "svc",
                "desiredCount": TASKS_PER_SERVICE,
            });
            if autoscaling {
                let cycle: &[(u32, f64)] = if variant == Variant::AutoscalingDaily {
                    &[(0, 0.8), (6, 1.0), (12, 1.4), (18, 1.1)]
                } else {
                    &[(0, 1.0)]
                };
                let points: Vec<_> = cycle
                    .iter()
                    .map(|&(h, f)| json!({ "at": format!("{}h", h), "requestsPerSecond": base_rps * f }))
                    .collect();
                s["load"] = json!({
                    "points": points,
                    "repeatEvery": "1d",
                    "requestsPerTaskPerSecond": TASK_CAPACITY_RPS,
                    "baselineCpuPercent": 5
                });
                if variant == Variant::Deployments {
                    // Twice a day, services three minutes apart, with AWS's defaults (min 100 %,
                    // max 200 %): 2,000 extra tasks per deployment, sixty deployments per
                    // service over the month.
                    s["deploymentSchedule"] =
                        json!([{ "schedule": format!("cron({} 6,18 * * ? *)", 3 * i) }]);
                }
                s["autoScaling"] = json!({
                    "minCapacity": 500,
                    "maxCapacity": 4000,
                    "policies": [{
                        "policyName": "cpu50",
                        "policyType": "TargetTrackingScaling",
                        "targetTrackingScalingPolicyConfiguration": {
                            "targetValue": 50,
                            "predefinedMetricSpecification": {
                                "predefinedMetricType": "ECSServiceAverageCPUUtilization"
                            }
                        }
                    }]
                });
            }
            s
        })
        .collect();
    let mut scenario = json!({
        "name": "bench-month-run",
        "description": "1,000 m5.2xlarge, 20,000 service tasks and about a million batch tasks over 30 days",
        "seed": 7,
        "duration": "30d",
        "cluster": {
            "clusterName": "bench",
            "availabilityZones": ["us-east-1a", "us-east-1b", "us-east-1c"],
            "capacityProviders": ["main-ec2"],
            "defaultCapacityProviderStrategy": [{ "capacityProvider": "main-ec2", "weight": 1 }]
        },
        "autoScalingGroups": [{
            "autoScalingGroupName": "main-asg",
            "instanceTypes": ["m5.2xlarge"],
            "minSize": INSTANCES,
            "maxSize": INSTANCES,
            "desiredCapacity": INSTANCES
        }],
        "capacityProviders": [{
            "name": "main-ec2",
            "autoScalingGroupProvider": { "autoScalingGroupArn": "main-asg" }
        }],
        "taskDefinitions": [
            { "family": "svc", "cpu": "256", "memory": "512", "requiresCompatibilities": ["EC2"] },
            { "family": "batch", "cpu": "1024", "memory": "2048", "requiresCompatibilities": ["EC2"] }
        ],
        "services": services,
        "workloads": [{
            "name": "batch",
            "taskDefinition": "batch",
            "source": { "poisson": {
                "ratePerHour": BATCH_PER_HOUR,
                "duration": { "exponential": { "mean": "20m" } }
            } },
            "capacityProviderStrategy": [{ "capacityProvider": "main-ec2", "weight": 1 }],
            "placementStrategy": [{ "type": "binpack", "field": "memory" }]
        }],
        "settings": { "eventLogLimit": 10_000 }
    });
    if autoscaling {
        scenario["autoScalingGroups"][0]["maxSize"] = json!(1_300);
        scenario["capacityProviders"][0]["autoScalingGroupProvider"]["managedScaling"] =
            json!({ "status": "ENABLED", "targetCapacity": 100 });
        scenario["capacityProviders"][0]["autoScalingGroupProvider"]
            ["managedTerminationProtection"] = json!("ENABLED");
    }
    if variant == Variant::StaticSavingsPlan {
        // About a tenth of the 1,000 m5.2xlarge instances' 384 USD/h On-Demand.
        scenario["commitments"] = json!([{
            "type": "ComputeSavingsPlan", "hourlyCommitmentUsd": 20.0,
            "ec2Rate": 0.72, "fargateRate": 0.80
        }]);
    }
    scenario.to_string()
}

fn scenario(variant: Variant) -> Scenario {
    let text = scenario_json(variant);
    match ecsim::scenario::from_json_str(&text, Path::new("<bench>"), Path::new(".")) {
        Ok(s) => s,
        Err(e) => panic!("the bench scenario is invalid: {e}"),
    }
}

/// Peak resident set size of this process in KiB (`VmHWM`), if the kernel reports it.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// One timed run with a human-readable summary on stdout.
fn run_once(variant: Variant) {
    println!("month_run ({}):", variant.name());
    let parse_started = Instant::now();
    let sc = scenario(variant);
    let parse = parse_started.elapsed();
    let explain =
        std::env::var_os("ECSIM_BENCH_EXPLAIN").is_some_and(|v| !v.is_empty() && v != "0");
    let started = Instant::now();
    let report = if explain {
        ecsim::run_explained(&sc, None, &mut |_| {})
    } else {
        ecsim::run(&sc, None, &mut |_| {})
    }
    .expect("the bench scenario runs"); // ok: fixed fixture
    let wall = started.elapsed();
    if let Some(x) = &report.explain {
        let started = Instant::now();
        let bytes = x.jsonl().len();
        println!(
            "month_run: explain.jsonl  {} decisions{}, {:.1} MiB, rendered in {:.2} s",
            x.records.len(),
            if x.limit_reached {
                " (limit reached)"
            } else {
                ""
            },
            bytes as f64 / 1024.0 / 1024.0,
            started.elapsed().as_secs_f64()
        );
    }
    let events = report.summary.engine.events_processed;
    let t = &report.summary.tasks;
    println!(
        "month_run: scenario parsed and validated in {:.3} s",
        parse.as_secs_f64()
    );
    println!("month_run: wall time      {:.2} s", wall.as_secs_f64());
    println!("month_run: events         {events}");
    println!(
        "month_run: events/s       {:.0}",
        events as f64 / wall.as_secs_f64()
    );
    match peak_rss_kib() {
        Some(kib) => println!("month_run: peak RSS       {:.1} MiB", kib as f64 / 1024.0),
        None => println!("month_run: peak RSS       unknown (no /proc/self/status)"),
    }
    println!(
        "month_run: tasks submitted {} started {} completed {} failed {} never placed {} running at end {}",
        t.submitted, t.started, t.completed, t.failed, t.never_placed, t.running_at_end
    );
    let (out, inn) = report.summary.services.iter().fold((0, 0), |(o, i), s| {
        (
            o + s.scaling_activities.scale_out,
            i + s.scaling_activities.scale_in,
        )
    });
    println!("month_run: service scaling activities out {out} in {inn}");
    for p in &report.summary.capacity_providers {
        println!(
            "month_run: provider {} instances {}–{} scale-out {} scale-in {}",
            p.name, p.instances_min, p.instances_max, p.scale_out, p.scale_in
        );
    }
    if let Some(ds) = &report.summary.deployments {
        let done = ds.iter().filter(|d| d.outcome == "COMPLETED").count();
        let task_h: f64 = ds.iter().map(|d| d.extra_task_hours).sum();
        let inst_h: f64 = ds.iter().map(|d| d.extra_instance_hours).sum();
        println!(
            "month_run: deployments {} completed {done} extra task-hours {task_h:.1} extra instance-hours {inst_h:.1}",
            ds.len()
        );
    }
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("month_run");
    // One run takes seconds: ten flat samples of one run each is the smallest sample
    // criterion accepts; criterion stretches the measurement time (with a warning) if needed.
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(20));
    for variant in Variant::ALL {
        let sc = scenario(variant);
        group.bench_function(variant.name(), |b| {
            b.iter(|| ecsim::run(&sc, None, &mut |_| {}).expect("the bench scenario runs"))
            // ok: fixed fixture
        });
    }
    group.finish();
}

criterion_group!(benches, bench);

/// `criterion_main!` with one escape hatch: `ECSIM_BENCH_ONCE=1` times a single run instead.
fn main() {
    if std::env::var_os("ECSIM_BENCH_ONCE").is_some_and(|v| !v.is_empty() && v != "0") {
        // ECSIM_BENCH_VARIANT=static|autoscaling|autoscaling-daily|static-savings-plan|
        // deployments runs one; default all.
        let which = std::env::var("ECSIM_BENCH_VARIANT").unwrap_or_default();
        for v in Variant::ALL {
            if which.is_empty() || which == v.name() {
                run_once(v);
            }
        }
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
