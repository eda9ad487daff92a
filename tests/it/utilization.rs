//! Whole-run paid / reserved / used figures (`timeseries.csv`'s `vcpu_*` and `memory_gib_*`,
//! `summary.usage`'s averages) against hand arithmetic.

use serde_json::{json, Value};

use super::support::{close, run, skeleton, zero_latencies, PCT};

const SEED: u64 = 1;

/// One m5.large (2 vCPU, 8 GiB) behind provider `ec2`, an hour, no latencies; callers add
/// task definitions and services.
fn one_m5_large() -> Value {
    let mut v = skeleton("util", "1h", &["us-east-1a"]);
    v["settings"] = zero_latencies();
    v["cluster"]["capacityProviders"] = json!(["ec2", "FARGATE", "FARGATE_SPOT"]);
    v["autoScalingGroups"] = json!([{
        "autoScalingGroupName": "asg",
        "instanceTypes": ["m5.large"],
        "minSize": 1,
        "maxSize": 1
    }]);
    v["capacityProviders"] = json!([
        { "name": "ec2", "autoScalingGroupProvider": { "autoScalingGroupArn": "asg" } }
    ]);
    v
}

fn mixed() -> Value {
    let mut v = one_m5_large();
    v["taskDefinitions"] = json!([
        { "family": "plain", "cpu": "512", "memory": "1024", "requiresCompatibilities": ["EC2"] },
        { "family": "small", "cpu": "256", "memory": "512", "requiresCompatibilities": ["FARGATE"] },
        { "family": "web", "cpu": "1024", "memory": "2048", "requiresCompatibilities": ["FARGATE"] }
    ]);
    v["services"] = json!([
        {
            "serviceName": "plain", "taskDefinition": "plain", "desiredCount": 2,
            "capacityProviderStrategy": [{ "capacityProvider": "ec2", "weight": 1 }]
        },
        { "serviceName": "small", "taskDefinition": "small", "desiredCount": 3, "launchType": "FARGATE" },
        {
            "serviceName": "web", "taskDefinition": "web", "desiredCount": 1, "launchType": "FARGATE",
            "load": {
                "points": [{ "at": "0s", "requestsPerSecond": 50 }],
                "requestsPerTaskPerSecond": 100,
                "baselineCpuPercent": 10,
                "baselineMemoryPercent": 20,
                "memoryPercentAtCapacity": 60
            }
        }
    ]);
    v
}

#[test]
fn ec2_fargate_and_a_loaded_service_add_up_by_hand() {
    let r = run(&mixed(), SEED);
    // Per part, once everything runs (every latency is zero, so from minute 1 on):
    // - plain: one m5.large, paid whole (2 vCPU, 8 GiB); two tasks of 0.5 vCPU / 1 GiB
    //   reserve 1 vCPU / 2 GiB and, without a load model, count as using all of it.
    // - small: 3 Fargate tasks of 0.25 vCPU / 0.5 GiB, a valid Fargate size (§7.2), so paid =
    //   reserved = used = 0.75 vCPU / 1.5 GiB.
    // - web: 1 Fargate task of 1 vCPU / 2 GiB (valid size), paid = reserved = 1 / 2. Its load
    //   model (service_load.rs): ρ = 50 / (1 × 100) = 0.5; CPU % = 10 + (100 − 10) × 0.5 =
    //   55 % → 0.55 vCPU; memory % = 20 + (60 − 20) × 0.5 = 40 % → 0.8 GiB.
    let expect = [
        ("vcpu_paid", 2.0 + 0.75 + 1.0),
        ("vcpu_reserved", 1.0 + 0.75 + 1.0),
        ("vcpu_used", 1.0 + 0.75 + 0.55),
        ("memory_gib_paid", 8.0 + 1.5 + 2.0),
        ("memory_gib_reserved", 2.0 + 1.5 + 2.0),
        ("memory_gib_used", 2.0 + 1.5 + 0.8),
    ];
    let rows: Vec<_> = r.timeseries.iter().filter(|x| x.minute >= 1).collect();
    assert_eq!(rows.len(), 60);
    for row in &rows {
        let got = [
            row.vcpu_paid,
            row.vcpu_reserved,
            row.vcpu_used,
            row.memory_gib_paid,
            row.memory_gib_reserved,
            row.memory_gib_used,
        ];
        for ((name, want), got) in expect.iter().zip(got) {
            assert!(
                close(got, *want, PCT),
                "minute {}: {name} {got} ≠ {want}",
                row.minute
            );
        }
    }
    let u = &r.summary.usage;
    let avgs = [
        u.vcpu_paid_avg,
        u.vcpu_reserved_avg,
        u.vcpu_used_avg,
        u.memory_gib_paid_avg,
        u.memory_gib_reserved_avg,
        u.memory_gib_used_avg,
    ];
    for ((name, want), got) in expect.iter().zip(avgs) {
        assert!(close(got, *want, PCT), "{name}_avg {got} ≠ {want}");
    }
    // Cross-check against billing: the Fargate vCPU-hours billed are (0.75 + 1) vCPU × 1 h.
    assert!(close(u.fargate_vcpu_hours, 1.75, PCT), "{u:?}");
}

#[test]
fn minute_zero_is_the_start_state_and_the_csv_carries_the_columns() {
    let r = run(&mixed(), SEED);
    let first = &r.timeseries[0];
    assert_eq!(first.minute, 0);
    // The instance is billed from 0 (running when the run starts); at minute 0 the load model
    // has not been read yet, so at most the unmodelled RUNNING tasks count as used.
    assert!(first.vcpu_paid >= 2.0, "{first:?}");
    assert!(first.vcpu_used <= 1.0 + 0.75 + PCT, "{first:?}");
    let csv = ecsim::report::render::timeseries_csv(&r);
    let header = csv.lines().next().expect("header");
    assert!(header.ends_with(
        ",cost_usd,vcpu_paid,vcpu_reserved,vcpu_used,memory_gib_paid,memory_gib_reserved,memory_gib_used"
    ));
    let fields = header.split(',').count();
    assert!(csv.lines().all(|l| l.split(',').count() == fields));
}

#[test]
fn an_idle_instance_is_all_paid_and_nothing_reserved() {
    let mut v = one_m5_large();
    v["taskDefinitions"] = json!([
        { "family": "none", "cpu": "256", "memory": "512", "requiresCompatibilities": ["EC2"] }
    ]);
    v["services"] = json!([
        { "serviceName": "none", "taskDefinition": "none", "desiredCount": 0 }
    ]);
    let r = run(&v, SEED);
    let u = &r.summary.usage;
    assert_eq!(
        (u.vcpu_paid_avg, u.vcpu_reserved_avg, u.vcpu_used_avg),
        (2.0, 0.0, 0.0)
    );
    assert_eq!(
        (
            u.memory_gib_paid_avg,
            u.memory_gib_reserved_avg,
            u.memory_gib_used_avg
        ),
        (8.0, 0.0, 0.0)
    );
    let svg = ecsim::report::charts::utilization_svg(&r).expect("utilization");
    assert!(
        svg.contains("reserved 0 % of paid, used 0 % of paid"),
        "averages in the captions"
    );
}

#[test]
fn shipped_scenarios_never_reserve_more_than_they_pay_for() {
    for file in [
        "scenarios/quickstart.json",
        "scenarios/scale-out-lag/scenario.json",
        "scenarios/az-outage/one-az.json",
        "scenarios/az-outage/three-azs.json",
        "scenarios/fargate-spot-base/spot-only.json",
    ] {
        let sc = ecsim::load(&super::support::repo_root().join(file))
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        let r = ecsim::run(&sc, Some(SEED), &mut |_| {}).unwrap_or_else(|e| panic!("{file}: {e}"));
        for row in &r.timeseries {
            // EC2 reservations fit in registered resources, which are at most the instance
            // type; Fargate reservations round up to the billed size.
            assert!(row.vcpu_reserved <= row.vcpu_paid + PCT, "{file}: {row:?}");
            assert!(
                row.memory_gib_reserved <= row.memory_gib_paid + PCT,
                "{file}: {row:?}"
            );
            assert!(
                row.vcpu_used >= 0.0 && row.memory_gib_used >= 0.0,
                "{file}: {row:?}"
            );
            // Used is an end-of-minute state too, taken from the RUNNING tasks, which hold
            // reservations: it cannot exceed them, even in a minute in which tasks die.
            assert!(row.vcpu_used <= row.vcpu_reserved + PCT, "{file}: {row:?}");
            assert!(
                row.memory_gib_used <= row.memory_gib_reserved + PCT,
                "{file}: {row:?}"
            );
        }
    }
}
