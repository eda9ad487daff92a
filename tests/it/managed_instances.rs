//! ECS Managed Instances (issue 15 point 8): the `managedInstancesProvider` capacity provider
//! kind launches the cheapest types its requirements admit for the waiting tasks, terminates
//! idle instances after `scaleInAfter`, bills the management fee on its own line, and
//! refuses requirements no catalog type meets, at their JSON path.
//!
//! Sources: Amazon ECS API Reference, `ManagedInstancesProvider`, `InstanceLaunchTemplate`,
//! `InfrastructureOptimization`
//! (<https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_InfrastructureOptimization.html>:
//! `scaleInAfter` −1 disables, 0–3600 seconds); Developer Guide, "Amazon ECS Managed Instances
//! infrastructure optimization" (idle instances are deregistered and terminated).

use serde_json::{json, Value};

use super::bad_input::problems_of;
use super::support::{run, skeleton, zero_latencies};

/// One Managed Instances provider `mi` for everything, a fee of 12 % of On-Demand, and a
/// batch burst: about 100 one-task jobs of 0.5 vCPU and 1 GiB submitted in the first second,
/// each running exactly 10 minutes. Latencies are zero, so instances launched at the first
/// managed minute after the burst (60 s) register at once and every task ends at 60 s + 10 min.
fn burst(scale_in_after: Option<i64>) -> Value {
    let mut v = skeleton("mi-burst", "1h", &["us-east-1a", "us-east-1b"]);
    v["cluster"]["capacityProviders"] = json!(["mi", "FARGATE", "FARGATE_SPOT"]);
    let mut provider = json!({
        "name": "mi",
        "managedInstancesProvider": {
            "infrastructureRoleArn": "arn:aws:iam::123456789012:role/ecsInfrastructureRole",
            "instanceLaunchTemplate": {
                "ec2InstanceProfileArn": "arn:aws:iam::123456789012:instance-profile/ecsInstanceRole",
                "networkConfiguration": { "subnets": ["subnet-1", "subnet-2"] },
                "instanceRequirements": {
                    "vCpuCount": { "min": 2, "max": 8 },
                    "memoryMiB": { "min": 4096 },
                    "allowedInstanceTypes": ["m6i.*", "c6i.*"]
                }
            }
        },
        "managementFee": { "fractionOfOnDemand": 0.12 }
    });
    if let Some(s) = scale_in_after {
        provider["managedInstancesProvider"]["infrastructureOptimization"] =
            json!({ "scaleInAfter": s });
    }
    v["capacityProviders"] = json!([provider]);
    v["taskDefinitions"] = json!([
        { "family": "job", "cpu": "512", "memory": "1024", "requiresCompatibilities": ["EC2"] }
    ]);
    v["workloads"] = json!([{
        "name": "burst",
        "taskDefinition": "job",
        "source": { "poisson": { "ratePerHour": 360000.0, "duration": "10m", "end": "1s" } },
        "capacityProviderStrategy": [{ "capacityProvider": "mi", "weight": 1 }]
    }]);
    v["settings"] = zero_latencies();
    v
}

fn idle_terminations(r: &ecsim::report::Report) -> Vec<f64> {
    r.events
        .iter()
        .filter(|e| e.subject == "mi" && e.message.contains("idle for at least"))
        .map(|e| e.time_s)
        .collect()
}

/// The burst's tasks run from 60 s to 660 s (plus their sub-second arrival offset), so the
/// instances are idle from just after 660 s. Optimization passes run every 5 minutes (300 s,
/// 600 s, 900 s, 1,200 s, …). With `scaleInAfter` 120 s the 900 s pass sees ~240 s of idleness
/// and terminates every instance there; with 600 s the 900 s pass is too early (240 s < 600 s)
/// and the 1,500 s pass is the first at least 600 s after 660 s; with −1 nothing is ever
/// terminated and the instances run to the end of the hour.
#[test]
fn idle_instances_terminate_after_scale_in_after() {
    let quick = run(&burst(Some(120)), 5);
    let t = idle_terminations(&quick);
    assert!(!t.is_empty(), "no idle termination");
    assert!(t.iter().all(|&s| s == 900.0), "{t:?}");
    let slow = run(&burst(Some(600)), 5);
    let t = idle_terminations(&slow);
    assert!(!t.is_empty() && t.iter().all(|&s| s == 1500.0), "{t:?}");
    let never = run(&burst(Some(-1)), 5);
    assert!(idle_terminations(&never).is_empty());
    // The same 7 instances every time (the launches do not depend on the delay): each runs
    // 60 → 900 s (0.2333 h), 60 → 1,500 s (0.4 h) or 60 → 3,600 s (0.9833 h); the report
    // rounds instance-hours to 4 decimals.
    assert_eq!(quick.summary.instances.launched, 7);
    assert_eq!(never.summary.instances.launched, 7);
    assert!((quick.summary.instances.instance_hours - 7.0 * 840.0 / 3600.0).abs() < 1e-4);
    assert!((slow.summary.instances.instance_hours - 7.0 * 1440.0 / 3600.0).abs() < 1e-4);
    assert!((never.summary.instances.instance_hours - 7.0 * 3540.0 / 3600.0).abs() < 1e-4);
    // Every task completed.
    assert_eq!(quick.summary.tasks.completed, quick.summary.tasks.submitted);
}

/// The selection for the burst (94 tasks at seed 5) of 512 CPU units and 1 GiB among m6i
/// and c6i sizes of 2 to 8 vCPU, priced On-Demand + 12 % fee, per task one instance holds
/// (Nitro types register 4 % less memory than nominal, so 1-GiB tasks fit 3.84 per 4 GiB):
/// c6i.2xlarge $0.34 × 1.12 = $0.3808 for min(8192 / 512, 15,728 / 1,024) = 15 tasks:
/// $0.02539, the lowest; m6i.2xlarge $0.43008 / 16 and m6i.large $0.10752 / 4 = $0.02688;
/// c6i.xlarge $0.1904 / 7 = $0.0272; c6i.large $0.0952 / 3 = $0.0317.
/// So 6 × c6i.2xlarge take 90 tasks, and the 4 left go to one m6i.large ($0.02688 each
/// against $0.1904 / 4 on a c6i.xlarge). All launch at the first minute after the burst, and
/// nothing more: the instances hold every task.
#[test]
fn selection_launches_the_cheapest_type_per_task() {
    let r = run(&burst(Some(120)), 5);
    let launches: Vec<(f64, &str)> = r
        .events
        .iter()
        .filter(|e| e.subject == "mi" && e.message.starts_with("Managed Instances launching"))
        .map(|e| (e.time_s, e.message.as_str()))
        .collect();
    assert_eq!(r.summary.tasks.submitted, 94);
    assert_eq!(
        launches,
        [(
            60.0,
            "Managed Instances launching 6 × c6i.2xlarge, 1 × m6i.large for 94 waiting tasks (cheapest per task held)."
        )]
    );
    assert_eq!(r.summary.instances.launched, 7);
}

/// The fee is its own line and adds up: total = EC2 + Fargate + fee, the fee 12 % of the
/// EC2 cost (every instance pays the same fraction of its On-Demand price for the same
/// billed seconds), and the provider's cost holds both.
#[test]
fn the_management_fee_is_billed_beside_ec2() {
    let r = run(&burst(Some(120)), 5);
    let c = &r.summary.cost;
    let fee = c
        .management_fee_usd
        .expect("a Managed Instances provider ran");
    assert!(fee > 0.0);
    assert!(
        (fee - 0.12 * c.ec2_usd).abs() < 2e-6,
        "fee {fee}, ec2 {}",
        c.ec2_usd
    );
    assert!((c.ec2_usd + c.fargate_usd + fee - c.total_usd).abs() < 2e-6);
    assert!((c.by_capacity_provider["mi"] - c.total_usd).abs() < 2e-6);
    let table = ecsim::report::render::table(&r.summary);
    assert!(table.contains("Managed Instances fee"), "{table}");
    let json = ecsim::report::render::summary_json(&r.summary);
    assert!(json.contains("\"management_fee_usd\""));
}

/// Scenarios without such a provider have no fee field: their outputs do not change.
#[test]
fn no_fee_field_without_managed_instances() {
    let mut v = burst(None);
    v["cluster"]["capacityProviders"] = json!(["FARGATE", "FARGATE_SPOT"]);
    v["capacityProviders"] = json!([]);
    v["workloads"][0]["capacityProviderStrategy"] =
        json!([{ "capacityProvider": "FARGATE", "weight": 1 }]);
    v["taskDefinitions"][0]["requiresCompatibilities"] = json!(["FARGATE"]);
    let r = run(&v, 5);
    assert!(r.summary.cost.management_fee_usd.is_none());
    let json = ecsim::report::render::summary_json(&r.summary);
    assert!(!json.contains("management_fee"));
}

fn paths(v: &Value) -> Vec<(String, String)> {
    problems_of(&serde_json::to_string(v).unwrap())
        .into_iter()
        .map(|p| (p.path, p.message))
        .collect()
}

/// Requirements no catalog type meets, and each other mistake, give one problem at its path.
#[test]
fn bad_managed_instances_input_names_its_path() {
    let req =
        "capacityProviders[0].managedInstancesProvider.instanceLaunchTemplate.instanceRequirements";
    let mut v = burst(None);
    v["capacityProviders"][0]["managedInstancesProvider"]["instanceLaunchTemplate"]
        ["instanceRequirements"]["vCpuCount"] = json!({ "min": 1000 });
    let p = paths(&v);
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].0, req);
    assert!(
        p[0].1
            .contains("no instance type of the us-east-1 catalog meets these requirements"),
        "{}",
        p[0].1
    );
    assert!(p[0].1.contains("vCpuCount 1000+"), "{}", p[0].1);

    let mut v = burst(None);
    v["capacityProviders"][0]
        .as_object_mut()
        .unwrap()
        .remove("managementFee");
    let p = paths(&v);
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].0, "capacityProviders[0].managementFee");
    assert!(p[0].1.contains("ecsim ships no table"), "{}", p[0].1);

    let mut v = burst(Some(7200));
    v["capacityProviders"][0]["managedInstancesProvider"]["instanceLaunchTemplate"]
        ["capacityOptionType"] = json!("SPOT");
    v["capacityProviders"][0]["managedInstancesProvider"]["instanceLaunchTemplate"]
        ["instanceRequirements"]["cpuManufacturers"] = json!(["intel", "arm"]);
    let p = paths(&v);
    let got: Vec<&str> = p.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        got,
        [
            "capacityProviders[0].managedInstancesProvider.instanceLaunchTemplate.capacityOptionType",
            &format!("{req}.cpuManufacturers[1]"),
            "capacityProviders[0].managedInstancesProvider.infrastructureOptimization.scaleInAfter",
        ],
        "{p:?}"
    );

    // A fee table that prices none of the admitted types: nothing could be launched.
    let mut v = burst(None);
    v["capacityProviders"][0]["managementFee"] = json!({ "usdPerHour": { "r6i.large": 0.01 } });
    let p = paths(&v);
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].0, req);
    assert!(p[0].1.contains("managementFee.usdPerHour"), "{}", p[0].1);

    // The modelling constants are overridable, within range.
    let mut v = burst(None);
    v["capacityProviders"][0]["optimizationModel"] =
        json!({ "underutilizedReservedPercent": 150, "maxInstances": 0, "period": "0s" });
    let got: Vec<String> = paths(&v).into_iter().map(|(p, _)| p).collect();
    assert_eq!(
        got,
        [
            "capacityProviders[0].optimizationModel.period",
            "capacityProviders[0].optimizationModel.underutilizedReservedPercent",
            "capacityProviders[0].optimizationModel.maxInstances",
        ]
    );

    // Both kinds of provider at once.
    let mut v = burst(None);
    v["capacityProviders"][0]["autoScalingGroupProvider"] = json!({ "autoScalingGroupArn": "x" });
    let p = paths(&v);
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].0, "capacityProviders[0]");
}

/// A task no admitted type can hold is refused before the run, in the service's words (the
/// capacity check sees the hidden group's types).
#[test]
fn a_task_larger_than_every_admitted_type_is_refused() {
    let mut v = burst(None);
    v["taskDefinitions"][0]["cpu"] = json!("16384");
    v["taskDefinitions"][0]["memory"] = json!("32768");
    let p = paths(&v);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].0.starts_with("workloads[0]"), "{p:?}");
}

/// Under-utilized instance detection: eight web tasks (0.5 vCPU, 1 GiB) fill two m6i.large
/// (four each: 4 × 512 = 2,048 CPU units), one per zone. At 20 minutes a scheduled action caps
/// the service at 2; scale-in keeps the zones balanced, so each instance keeps one task:
/// 512 / 2,048 = 25 % of its CPU, under the 50 % threshold, and the other instance has room for
/// it. The next optimization pass (25 minutes) drains one of them (the lower id on a tie); its
/// task moves, the emptied instance is terminated, and the service keeps its 2 tasks on one
/// instance. With the optimization off (−1) both instances stay to the end.
#[test]
fn an_under_used_instance_is_drained_when_its_tasks_fit_elsewhere() {
    let mut v = burst(Some(60));
    v["capacityProviders"][0]["managedInstancesProvider"]["instanceLaunchTemplate"]
        ["instanceRequirements"]["allowedInstanceTypes"] = json!(["m6i.large"]);
    v["workloads"] = json!([]);
    v["settings"]["startTime"] = json!("2026-01-01T00:00:00Z");
    v["services"] = json!([{
        "serviceName": "web",
        "taskDefinition": "job",
        "desiredCount": 8,
        "capacityProviderStrategy": [{ "capacityProvider": "mi", "weight": 1 }],
        "autoScaling": {
            "minCapacity": 2,
            "maxCapacity": 8,
            "scheduledActions": [{
                "scheduledActionName": "night",
                "schedule": "at(2026-01-01T00:20:00)",
                "scalableTargetAction": { "minCapacity": 2, "maxCapacity": 2 }
            }]
        }
    }]);
    let r = run(&v, 5);
    let drains: Vec<(f64, &str)> = r
        .events
        .iter()
        .filter(|e| e.subject == "mi" && e.message.contains("under-utilized"))
        .map(|e| (e.time_s, e.message.as_str()))
        .collect();
    assert_eq!(drains.len(), 1, "{drains:?}");
    assert_eq!(drains[0].0, 1500.0, "{drains:?}");
    assert!(drains[0].1.contains("its 1 tasks fit"), "{drains:?}");
    assert_eq!(r.summary.instances.launched, 2);
    let web = &r.summary.services[0];
    assert_eq!(web.running_at_end, 2);
    // One instance ran the whole hour from its launch, the other until its task moved.
    let kept = 3600.0 - 60.0;
    assert!(r.summary.instances.instance_hours < 2.0 * kept / 3600.0 - 0.5);

    // With the threshold at 20 % (optimizationModel), 25 % reserved is not under-used.
    let mut strict = v.clone();
    strict["capacityProviders"][0]["optimizationModel"] =
        json!({ "underutilizedReservedPercent": 20 });
    let strict = run(&strict, 5);
    assert!(strict
        .events
        .iter()
        .all(|e| !e.message.contains("under-utilized")));

    v["capacityProviders"][0]["managedInstancesProvider"]["infrastructureOptimization"] =
        json!({ "scaleInAfter": -1 });
    let off = run(&v, 5);
    assert!(off
        .events
        .iter()
        .all(|e| !e.message.contains("under-utilized")));
    assert!((off.summary.instances.instance_hours - 2.0 * kept / 3600.0).abs() < 0.02);
}

/// A task on a drained instance stops as soon as the service has its desired count RUNNING
/// elsewhere, even when no replacement is launched for it. Regression: with ECS's default AZ
/// rebalancing, consolidation drained an instance while a rebalancing task ran above the
/// desired count; the drain launched no replacement, so the web task waited on the DRAINING
/// instance until the 60-minute draining timeout killed it (twice in the shipped day: 2 web
/// tasks failed). Now none fails, and none waits out the timeout.
#[test]
fn a_drained_task_with_no_replacement_coming_stops_at_once() {
    let file = super::support::repo_root().join("scenarios/managed-instances/scenario.json");
    let set = ecsim::scenario::load_set_with(&file, &[]).unwrap_or_else(|e| panic!("{e}"));
    let planned = ecsim::compare::plan(vec![(file, set)]);
    let reports = ecsim::compare::run_variants(&planned, 3, &|_| {})
        .unwrap_or_else(|e| panic!("seed 3: {e}"));
    let (_, r) = planned
        .iter()
        .zip(&reports)
        .find(|(p, _)| p.name == "managed-instances")
        .expect("the managed-instances variant");
    let web = &r.summary.services[0];
    assert!(web.az_rebalancing.is_some(), "seed 3: web rebalances");
    assert_eq!(
        (web.tasks.failed, web.tasks.interrupted),
        (0, 0),
        "seed 3: {:?}",
        web.tasks
    );
}
