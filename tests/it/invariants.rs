//! A small VOPR (CONVENTIONS.md item 13): random valid scenarios from seeds, checked on the
//! report.
//!
//! Instance over-reservation is asserted inside the model (the placer and the instance
//! `reserve` refuse to exceed registered resources and panic on a broken invariant), so a
//! run that completes without panicking proves no instance was over-reserved.

use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;
use serde_json::{json, Value};

use super::support::{run, skeleton};

const SEEDS: u64 = 24;

const INSTANCE_TYPES: [&str; 5] = [
    "m5.large",
    "c5.xlarge",
    "m6i.xlarge",
    "r5.large",
    "t3.large",
];
/// Valid Fargate (cpu, memory) pairs (ecs-reference §7.2), also fine on EC2.
const SIZES: [(u32, u32); 4] = [(256, 512), (256, 1024), (512, 1024), (1024, 2048)];

fn pick<'a, T>(rng: &mut Pcg64, xs: &'a [T]) -> &'a T {
    &xs[rng.gen_range(0..xs.len())]
}

fn placement_strategy(rng: &mut Pcg64) -> Option<Value> {
    match rng.gen_range(0..4) {
        0 => None,
        1 => Some(json!([{ "type": "binpack", "field": "memory" }])),
        2 => Some(json!([{ "type": "spread", "field": "instanceId" }])),
        _ => Some(json!([{ "type": "random" }])),
    }
}

/// A random, valid scenario.
fn random_scenario(seed: u64) -> Value {
    let mut rng = Pcg64::seed_from_u64(seed);
    let all_azs = ["us-east-1a", "us-east-1b", "us-east-1c"];
    let azs = &all_azs[..rng.gen_range(1..=3)];
    let hours = rng.gen_range(1..=3);
    let mut v = skeleton(&format!("vopr-{seed}"), &format!("{hours}h"), azs);

    let asg_count = rng.gen_range(1..=2);
    let mut asgs = Vec::new();
    let mut providers = Vec::new();
    let mut provider_names = Vec::new();
    for a in 0..asg_count {
        let size = rng.gen_range(1..=4);
        asgs.push(json!({
            "autoScalingGroupName": format!("asg{a}"),
            "instanceTypes": [pick(&mut rng, &INSTANCE_TYPES)],
            "minSize": size,
            "maxSize": size,
            "purchaseOption": if rng.gen_bool(0.2) { "spot" } else { "on-demand" }
        }));
        providers.push(json!({
            "name": format!("cp{a}"),
            "autoScalingGroupProvider": { "autoScalingGroupArn": format!("asg{a}") }
        }));
        provider_names.push(format!("cp{a}"));
    }
    let mut cluster_providers = provider_names.clone();
    cluster_providers.push("FARGATE".into());
    cluster_providers.push("FARGATE_SPOT".into());
    v["cluster"]["capacityProviders"] = json!(cluster_providers);
    if rng.gen_bool(0.5) {
        v["cluster"]["defaultCapacityProviderStrategy"] =
            json!([{ "capacityProvider": provider_names[0], "weight": 1 }]);
    }
    v["autoScalingGroups"] = json!(asgs);
    v["capacityProviders"] = json!(providers);

    let mut tds = Vec::new();
    for i in 0..3 {
        let (cpu, mem) = *pick(&mut rng, &SIZES);
        tds.push(json!({
            "family": format!("td{i}"),
            "cpu": cpu.to_string(),
            "memory": mem.to_string(),
            "requiresCompatibilities": ["EC2", "FARGATE"]
        }));
    }
    v["taskDefinitions"] = json!(tds);

    // How a service or workload launches.
    let has_default = !v["cluster"]["defaultCapacityProviderStrategy"].is_null();
    let launch = |rng: &mut Pcg64, obj: &mut Value| match rng.gen_range(0..5) {
        0 if has_default => {} // the cluster's default strategy
        0 | 1 => obj["launchType"] = json!("EC2"),
        2 => obj["launchType"] = json!("FARGATE"),
        3 => {
            // ASG providers with base and weights.
            let mut items = vec![json!({
                "capacityProvider": provider_names[0],
                "base": rng.gen_range(0..=2),
                "weight": rng.gen_range(1..=3)
            })];
            if provider_names.len() > 1 {
                items.push(json!({ "capacityProvider": provider_names[1], "weight": rng.gen_range(0..=3) }));
            }
            obj["capacityProviderStrategy"] = json!(items);
        }
        _ => {
            obj["capacityProviderStrategy"] = json!([
                { "capacityProvider": "FARGATE", "base": rng.gen_range(0..=3), "weight": rng.gen_range(0..=2) },
                { "capacityProvider": "FARGATE_SPOT", "weight": rng.gen_range(1..=3) }
            ]);
        }
    };

    let mut services = Vec::new();
    for s in 0..rng.gen_range(1..=3) {
        let mut obj = json!({
            "serviceName": format!("svc{s}"),
            "taskDefinition": format!("td{}", rng.gen_range(0..3)),
            "desiredCount": rng.gen_range(0..=8)
        });
        launch(&mut rng, &mut obj);
        if obj["launchType"] != "FARGATE" && obj["capacityProviderStrategy"].is_null() {
            if let Some(p) = placement_strategy(&mut rng) {
                obj["placementStrategy"] = p;
            }
        }
        services.push(obj);
    }
    v["services"] = json!(services);

    let mut workloads = Vec::new();
    for w in 0..rng.gen_range(0..=2) {
        let mean_min = rng.gen_range(1..=20);
        let mut obj = json!({
            "name": format!("wl{w}"),
            "taskDefinition": format!("td{}", rng.gen_range(0..3)),
            "source": { "poisson": {
                "ratePerHour": rng.gen_range(10.0..200.0),
                "duration": { "exponential": { "mean": format!("{mean_min}m") } },
                "count": rng.gen_range(1..=3)
            } }
        });
        launch(&mut rng, &mut obj);
        if obj["launchType"] != "FARGATE" && obj["capacityProviderStrategy"].is_null() {
            if let Some(p) = placement_strategy(&mut rng) {
                obj["placementStrategy"] = p;
            }
        }
        workloads.push(obj);
    }
    v["workloads"] = json!(workloads);
    if rng.gen_bool(0.3) {
        // Short timeouts exercise the never-placed path.
        v["settings"] = json!({ "provisioningTimeout": "5m" });
    }
    v
}

fn check_counts(seed: u64, what: &str, c: &ecsim::report::TaskCounts) {
    assert_eq!(
        c.submitted,
        c.completed + c.stopped_by_scheduler + c.failed + c.in_flight_at_end,
        "seed {seed}: {what}: submitted ≠ completed + stopped + failed + in flight: {c:?}"
    );
    assert!(c.started <= c.submitted, "seed {seed}: {what}: {c:?}");
    assert!(
        c.never_placed + c.interrupted <= c.failed,
        "seed {seed}: {what}: {c:?}"
    );
    assert!(
        c.running_at_end + c.waiting_at_end <= c.in_flight_at_end,
        "seed {seed}: {what}: {c:?}"
    );
}

#[test]
fn random_scenarios_keep_the_invariants() {
    for seed in 0..SEEDS {
        let v = random_scenario(seed);
        let r = run(&v, seed);
        let s = &r.summary;
        check_counts(seed, "total", &s.tasks);
        let mut sum = ecsim::report::TaskCounts::default();
        for svc in &s.services {
            check_counts(seed, &svc.name, &svc.tasks);
            assert!(
                svc.running_at_end <= svc.desired_count,
                "seed {seed}: service {} runs {} > desired {}",
                svc.name,
                svc.running_at_end,
                svc.desired_count
            );
            assert_eq!(
                u64::from(svc.running_at_end),
                svc.tasks.running_at_end,
                "seed {seed}: service {}",
                svc.name
            );
            add(&mut sum, &svc.tasks);
        }
        for w in &s.workloads {
            check_counts(seed, &w.name, &w.tasks);
            assert!(
                w.tasks.submitted >= w.submissions,
                "seed {seed}: {}",
                w.name
            );
            add(&mut sum, &w.tasks);
        }
        assert_eq!(
            sum, s.tasks,
            "seed {seed}: totals ≠ sum of services and workloads"
        );

        let mut prev = 0.0;
        for row in &r.timeseries {
            assert!(
                row.cost_usd >= prev,
                "seed {seed}: cost went down at minute {}: {} < {prev}",
                row.minute,
                row.cost_usd
            );
            prev = row.cost_usd;
            for (name, pct) in [
                ("cpu", row.cpu_reserved_pct),
                ("memory", row.memory_reserved_pct),
            ] {
                assert!(
                    (0.0..=100.0).contains(&pct),
                    "seed {seed}: {name} reservation {pct} % at minute {}",
                    row.minute
                );
            }
        }
        assert!(
            s.cost.total_usd >= prev - 1e-9,
            "seed {seed}: total {} < last per-minute cost {prev}",
            s.cost.total_usd
        );
        for (name, pct) in [
            ("cpu", s.reservation.cpu_pct_avg),
            ("memory", s.reservation.memory_pct_avg),
        ] {
            assert!(
                (0.0..=100.0).contains(&pct),
                "seed {seed}: average {name} {pct}"
            );
        }
        // Cost parts add up.
        let by_cp: f64 = s.cost.by_capacity_provider.values().sum();
        assert!(
            (by_cp - s.cost.total_usd).abs() <= 1e-6 * s.cost.total_usd.max(1.0),
            "seed {seed}: Σ by_capacity_provider {by_cp} ≠ total {}",
            s.cost.total_usd
        );
        assert!(
            (s.cost.ec2_usd + s.cost.fargate_usd - s.cost.total_usd).abs() <= 1e-9,
            "seed {seed}: ec2 + fargate ≠ total"
        );
        assert!(s.cost.idle_usd <= s.cost.ec2_usd + 1e-9, "seed {seed}");
    }
}

fn add(sum: &mut ecsim::report::TaskCounts, c: &ecsim::report::TaskCounts) {
    sum.submitted += c.submitted;
    sum.started += c.started;
    sum.completed += c.completed;
    sum.failed += c.failed;
    sum.never_placed += c.never_placed;
    sum.stopped_by_scheduler += c.stopped_by_scheduler;
    sum.interrupted += c.interrupted;
    sum.in_flight_at_end += c.in_flight_at_end;
    sum.running_at_end += c.running_at_end;
    sum.waiting_at_end += c.waiting_at_end;
}

#[test]
fn the_same_seed_gives_the_same_summary() {
    for seed in [0, 7, 13] {
        let v = random_scenario(seed);
        let a = ecsim::report::render::summary_json(&run(&v, seed).summary);
        let b = ecsim::report::render::summary_json(&run(&v, seed).summary);
        assert!(a == b, "seed {seed}: two runs gave different summary.json");
    }
}
