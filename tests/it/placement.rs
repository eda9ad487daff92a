//! Placement strategies in whole runs, observed through the report.
//!
//! The report has no per-instance or per-AZ task counts, so each test adds "probe" services
//! whose tasks fit only where the strategy under test must have left room: whether they run
//! (`services[].running_at_end`) tells where the first service's tasks went.
//! Not testable through the report: the exact instance each task landed on, and AZ balance
//! for more tasks than probe services can reveal.

use serde_json::{json, Value};

use super::support::{run, skeleton, zero_latencies};

const SEED: u64 = 5;

fn running(r: &ecsim::report::Report, name: &str) -> u32 {
    r.summary
        .services
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no service {name}"))
        .running_at_end
}

fn cluster(azs: &[&str], instance_type: &str, n: u32) -> Value {
    let mut v = skeleton("placement", "30m", azs);
    v["settings"] = zero_latencies();
    v["autoScalingGroups"] = json!([{
        "autoScalingGroupName": "asg",
        "instanceTypes": [instance_type],
        "minSize": n,
        "maxSize": n
    }]);
    v
}

#[test]
fn binpack_memory_fills_one_instance_before_the_next() {
    // 3 × m5.large: 2048 CPU units and 7864 MiB registered each (Nitro: ⌊8192 × 0.96⌋).
    let mut v = cluster(&["us-east-1a"], "m5.large", 3);
    v["taskDefinitions"] = json!([
        { "family": "small", "cpu": "512", "memory": "1024", "requiresCompatibilities": ["EC2"] },
        { "family": "whole", "cpu": "2048", "memory": "1024", "requiresCompatibilities": ["EC2"] }
    ]);
    let services = |strategy: Value| {
        json!([
            { "serviceName": "small", "taskDefinition": "small", "desiredCount": 3,
              "launchType": "EC2", "placementStrategy": strategy },
            // A probe needing a whole instance (2048 units): it fits only on an empty one.
            { "serviceName": "whole", "taskDefinition": "whole", "desiredCount": 2,
              "launchType": "EC2" }
        ])
    };
    // binpack(memory): the 3 small tasks (3 × 512 = 1536 ≤ 2048 units) share one instance,
    // leaving 2 empty instances for the 2 whole-instance probes.
    v["services"] = services(json!([{ "type": "binpack", "field": "memory" }]));
    let r = run(&v, SEED);
    assert_eq!(running(&r, "small"), 3, "seed {SEED}");
    assert_eq!(
        running(&r, "whole"),
        2,
        "seed {SEED}: binpack should leave 2 instances empty"
    );
    // Reserved CPU: 3 × 512 + 2 × 2048 = 5632 of 3 × 2048 = 6144 units = 91.6667 % all run long
    // (every task starts at 0 s with zero latencies).
    let cpu = r.summary.reservation.cpu_pct_avg;
    assert!(
        (cpu - 5632.0 / 6144.0 * 100.0).abs() < super::support::PCT,
        "seed {SEED}: {cpu}"
    );

    // Contrast: spread(instanceId) puts one small task on each instance, so no probe fits.
    v["services"] = services(json!([{ "type": "spread", "field": "instanceId" }]));
    let r = run(&v, SEED);
    assert_eq!(running(&r, "small"), 3, "seed {SEED}");
    assert_eq!(
        running(&r, "whole"),
        0,
        "seed {SEED}: spread leaves no instance empty"
    );
}

#[test]
fn default_service_strategy_spreads_across_azs() {
    let azs = ["us-east-1a", "us-east-1b", "us-east-1c"];
    // One m5.xlarge (4096 units) per AZ: EC2 Auto Scaling balances the 3 launches over 3 AZs.
    let mut v = cluster(&azs, "m5.xlarge", 3);
    v["taskDefinitions"] = json!([
        { "family": "web", "cpu": "1024", "memory": "1024", "requiresCompatibilities": ["EC2"] },
        { "family": "probe", "cpu": "2048", "memory": "1024", "requiresCompatibilities": ["EC2"] }
    ]);
    // 6 web tasks with the default strategy (spread AZ, then spread instance): 2 per AZ,
    // leaving 4096 − 2 × 1024 = 2048 units in each AZ. One 2048-unit probe per AZ, pinned with
    // memberOf, fits iff its AZ holds at most 2 web tasks; all three run iff the counts are
    // exactly 2/2/2 (6 tasks, 3 AZs, within one of each other).
    let mut services = vec![json!({
        "serviceName": "web", "taskDefinition": "web", "desiredCount": 6, "launchType": "EC2"
    })];
    for az in azs {
        services.push(json!({
            "serviceName": format!("probe-{az}"),
            "taskDefinition": "probe",
            "desiredCount": 1,
            "launchType": "EC2",
            "placementConstraints": [
                { "type": "memberOf", "expression": format!("attribute:ecs.availability-zone == {az}") }
            ]
        }));
    }
    v["services"] = json!(services);
    let r = run(&v, SEED);
    assert_eq!(running(&r, "web"), 6, "seed {SEED}");
    for az in azs {
        assert_eq!(
            running(&r, &format!("probe-{az}")),
            1,
            "seed {SEED}: AZ {az} holds more than 2 of the 6 web tasks"
        );
    }
    // Contrast: binpack(cpu) packs 4 web tasks on one instance and 2 on the next, so the
    // probe of the packed AZ cannot run.
    v["services"][0]["placementStrategy"] = json!([{ "type": "binpack", "field": "cpu" }]);
    let r = run(&v, SEED);
    let probes: u32 = azs
        .iter()
        .map(|az| running(&r, &format!("probe-{az}")))
        .sum();
    assert_eq!(probes, 2, "seed {SEED}: one AZ is full under binpack");
}
