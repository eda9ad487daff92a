//! Issues 14 and 15, "How we will know": one invariant sweep that mixes every capacity kind
//! and feature in ONE cluster, with auto scaling and faults on top. Each seed draws a
//! scenario with Linux and Windows Auto Scaling groups behind managed-scaling providers, a
//! g-family GPU group, an ECS Managed Instances provider with a management fee, an ECS
//! Anywhere group with an EXTERNAL service, `awsvpc` task definitions with trunking on or
//! off, a DAEMON service, target tracking, a deployment schedule, AZ rebalancing ENABLED,
//! and instance failures, an AZ outage and Spot interruptions.
//!
//! Each run must validate, finish without panicking (instance over-reservation is asserted
//! inside the model), keep `invariants::check_report` (task accounting, cost parts adding up
//! to the total with the external cost and the fee), place Windows, GPU and EXTERNAL tasks
//! only on instances that can take them (read from the decision traces), and give the same
//! summary twice. Coverage counters make sure the sweep exercises each feature on a fair
//! share of seeds, so it cannot silently test nothing.

use std::collections::BTreeMap;

use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;
use serde_json::{json, Value};

use super::invariants::check_report;
use super::support::scenario;

/// Seeds of the sweep (each runs twice, once with decision traces).
const MIXED_SEEDS: u64 = 20;

/// Windows On-Demand price per hour for the sweep's types: a TEST VALUE (twice the Linux
/// price, as in windows_ec2.rs), not AWS's, since the built-in catalog has none for them.
const TEST_WINDOWS_TYPES: [(&str, f64); 3] = [
    ("m5.large", 0.192),
    ("c5.xlarge", 0.34),
    ("m6i.xlarge", 0.384),
];

const AZS: [&str; 3] = ["us-east-1a", "us-east-1b", "us-east-1c"];

fn pick<'a, T>(rng: &mut Pcg64, xs: &'a [T]) -> &'a T {
    &xs[rng.gen_range(0..xs.len())]
}

/// A managed-scaling provider in front of `asg`.
fn asg_provider(rng: &mut Pcg64, name: &str, asg: &str) -> Value {
    json!({
        "name": name,
        "autoScalingGroupProvider": {
            "autoScalingGroupArn": asg,
            "managedScaling": { "status": "ENABLED",
                                "targetCapacity": *pick(rng, &[80, 90, 100]) },
            "managedTerminationProtection": if rng.gen_bool(0.5) { "ENABLED" } else { "DISABLED" },
            "managedDraining": if rng.gen_bool(0.7) { "ENABLED" } else { "DISABLED" }
        }
    })
}

/// One random scenario mixing every capacity kind and feature.
fn random_mixed_scenario(seed: u64) -> Value {
    let mut rng = Pcg64::seed_from_u64(seed ^ 0x0a11_f00d);
    // Two zones at least: an AZ outage and AZ rebalancing need somewhere else to go.
    let azs = &AZS[..rng.gen_range(2..=3)];
    let hours = rng.gen_range(1..=2);
    let mut v = super::support::skeleton(&format!("vopr-mixed-{seed}"), &format!("{hours}h"), azs);
    v["catalog"] = json!({ "instanceTypes": TEST_WINDOWS_TYPES.iter().map(|(n, p)| json!({
        "name": n, "windowsOnDemandUsdPerHour": p
    })).collect::<Vec<_>>() });
    v["cluster"]["capacityProviders"] = json!([
        "cp-lin",
        "cp-win",
        "cp-gpu",
        "cp-mi",
        "FARGATE",
        "FARGATE_SPOT"
    ]);
    let lin_type = pick(&mut rng, &TEST_WINDOWS_TYPES).0;
    let win_type = pick(&mut rng, &TEST_WINDOWS_TYPES).0;
    let spot = rng.gen_bool(0.5);
    v["autoScalingGroups"] = json!([
        { "autoScalingGroupName": "lin", "instanceTypes": [lin_type],
          "minSize": 0, "maxSize": rng.gen_range(4..=10), "desiredCapacity": rng.gen_range(1..=3),
          "purchaseOption": if spot { "spot" } else { "on-demand" } },
        { "autoScalingGroupName": "win", "instanceTypes": [win_type],
          "minSize": 0, "maxSize": rng.gen_range(2..=6), "desiredCapacity": rng.gen_range(0..=2),
          "osFamily": "WINDOWS_SERVER_2022_FULL" },
        { "autoScalingGroupName": "gpu", "instanceTypes": ["g4dn.xlarge"],
          "minSize": 0, "maxSize": rng.gen_range(1..=3), "desiredCapacity": rng.gen_range(0..=1) }
    ]);
    let mut mi = json!({
        "name": "cp-mi",
        "managedInstancesProvider": { "instanceLaunchTemplate": { "instanceRequirements": {
            "vCpuCount": { "min": 2, "max": *pick(&mut rng, &[4, 8, 16]) },
            "memoryMiB": { "min": 2048 }
        } } },
        "managementFee": { "fractionOfOnDemand": rng.gen_range(0.05..0.3) }
    });
    if rng.gen_bool(0.5) {
        mi["managedInstancesProvider"]["infrastructureOptimization"] =
            json!({ "scaleInAfter": *pick(&mut rng, &[0, 60, 300]) });
    }
    v["capacityProviders"] = json!([
        asg_provider(&mut rng, "cp-lin", "lin"),
        asg_provider(&mut rng, "cp-win", "win"),
        asg_provider(&mut rng, "cp-gpu", "gpu"),
        mi
    ]);
    v["externalInstances"] = json!([{
        "name": "rack", "count": rng.gen_range(1..=3), "vcpu": rng.gen_range(2..=8),
        "memoryMib": rng.gen_range(4096..=16384), "machineUsdPerHour": rng.gen_range(0.0..0.2)
    }]);

    let awsvpc = |rng: &mut Pcg64| {
        if rng.gen_bool(0.6) {
            "awsvpc"
        } else {
            "bridge"
        }
    };
    let (cpu, mem) = *pick(&mut rng, &[(256, 512), (512, 1024), (1024, 2048)]);
    let web_td = json!({ "family": "web", "cpu": cpu.to_string(), "memory": mem.to_string(),
                         "requiresCompatibilities": ["EC2"],
                         "networkMode": awsvpc(&mut rng) });
    let mut next_td = web_td.clone();
    next_td["family"] = json!("web-next");
    let win_td = json!({ "family": "win", "cpu": "1024", "memory": "2048",
                         "requiresCompatibilities": ["EC2"], "networkMode": awsvpc(&mut rng),
                         "runtimePlatform": { "operatingSystemFamily": "WINDOWS_SERVER_2022_FULL",
                                              "cpuArchitecture": "X86_64" } });
    let gpu_td = json!({ "family": "gpu", "cpu": "1024", "memory": "4096",
                         "requiresCompatibilities": ["EC2"],
                         "containerDefinitions": [{ "name": "c",
                             "resourceRequirements": [{ "type": "GPU", "value": "1" }] }] });
    let mi_td = json!({ "family": "mi", "cpu": "512", "memory": "1024",
                        "requiresCompatibilities": ["EC2"],
                        "networkMode": "awsvpc" });
    let agent_td = json!({ "family": "agent", "cpu": "128", "memory": "256",
                           "requiresCompatibilities": ["EC2"] });
    let edge_td = json!({ "family": "edge", "cpu": "256", "memory": "512",
                          "requiresCompatibilities": ["EXTERNAL", "EC2"], "networkMode": "bridge" });
    let job_td = json!({ "family": "job", "cpu": "512", "memory": "1024",
                         "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc" });
    v["taskDefinitions"] =
        json!([web_td, next_td, win_td, gpu_td, mi_td, agent_td, edge_td, job_td]);
    if rng.gen_bool(0.5) {
        v["settings"] = json!({ "awsvpcTrunking": "enabled" });
    } else {
        v["settings"] = json!({});
    }

    let mut points = Vec::new();
    let mut at = 0;
    for _ in 0..rng.gen_range(2..=4) {
        points.push(
            json!({ "at": format!("{at}m"), "requestsPerSecond": rng.gen_range(0.0..1200.0) }),
        );
        at += rng.gen_range(10..=40);
    }
    let web = json!({
        "serviceName": "web", "taskDefinition": "web",
        "desiredCount": rng.gen_range(2..=6),
        "capacityProviderStrategy": [{ "capacityProvider": "cp-lin", "weight": 1 }],
        "availabilityZoneRebalancing": "ENABLED",
        "load": { "points": points, "requestsPerTaskPerSecond": rng.gen_range(50.0..200.0),
                  "baselineCpuPercent": rng.gen_range(0.0..20.0) },
        "autoScaling": { "minCapacity": 1, "maxCapacity": rng.gen_range(6..=16), "policies": [{
            "policyName": "cpu", "policyType": "TargetTrackingScaling",
            "targetTrackingScalingPolicyConfiguration": {
                "targetValue": rng.gen_range(30.0..80.0),
                "predefinedMetricSpecification": { "predefinedMetricType": "ECSServiceAverageCPUUtilization" },
                "scaleInCooldown": "120s", "scaleOutCooldown": "60s"
            } }] },
        "deploymentConfiguration": { "minimumHealthyPercent": *pick(&mut rng, &[0, 50, 100]),
                                     // AZ rebalancing needs maximumPercent above 100 (validation refuses 100).
                                     "maximumPercent": *pick(&mut rng, &[150, 200]) },
        "deploymentSchedule": [
            { "at": format!("{}m", rng.gen_range(5..=40)), "taskDefinition": "web-next" }
        ]
    });
    let win = json!({
        "serviceName": "win", "taskDefinition": "win", "desiredCount": rng.gen_range(1..=4),
        "capacityProviderStrategy": [{ "capacityProvider": "cp-win", "weight": 1 }],
        "availabilityZoneRebalancing": "ENABLED"
    });
    let gpu = json!({
        "serviceName": "gpu", "taskDefinition": "gpu", "desiredCount": rng.gen_range(1..=2),
        "capacityProviderStrategy": [{ "capacityProvider": "cp-gpu", "weight": 1 }]
    });
    let mi_svc = json!({
        "serviceName": "mi", "taskDefinition": "mi", "desiredCount": rng.gen_range(1..=6),
        "capacityProviderStrategy": [{ "capacityProvider": "cp-mi", "weight": 1 }]
    });
    let daemon = json!({ "serviceName": "daemon", "taskDefinition": "agent",
                         "schedulingStrategy": "DAEMON" });
    let edge = json!({ "serviceName": "edge", "taskDefinition": "edge",
                       "desiredCount": rng.gen_range(1..=6), "launchType": "EXTERNAL" });
    v["services"] = json!([web, win, gpu, mi_svc, daemon, edge]);
    v["workloads"] = json!([{
        "name": "batch", "taskDefinition": "job",
        "capacityProviderStrategy": [
            { "capacityProvider": "FARGATE", "base": 1, "weight": 1 },
            { "capacityProvider": "FARGATE_SPOT", "weight": rng.gen_range(0..=2) }
        ],
        "source": { "poisson": { "ratePerHour": rng.gen_range(10.0..100.0),
            "duration": { "exponential": { "mean": format!("{}m", rng.gen_range(1..=15)) } },
            "count": 1 } }
    }]);
    v["faults"] = json!({
        "instanceFailures": [
            { "capacityProvider": "cp-lin", "mtbf": format!("{}m", rng.gen_range(30..=240)) },
            { "capacityProvider": "cp-win", "mtbf": format!("{}m", rng.gen_range(30..=240)) },
            { "at": [format!("{}m", rng.gen_range(1..=59))] }
        ],
        "spotInterruptions": { "ratePerInstanceHour": rng.gen_range(0.0..1.0),
                               "at": [format!("{}m", rng.gen_range(1..=59))] },
        "azOutages": [{
            "availabilityZone": azs[rng.gen_range(0..azs.len())],
            "start": format!("{}m", rng.gen_range(5..=40)),
            "duration": format!("{}m", rng.gen_range(5..=40))
        }]
    });
    v
}

#[test]
fn a_mixed_scenario_is_valid() {
    scenario(&random_mixed_scenario(0));
}

/// Which instances tasks of each service were placed on, read from the decision traces
/// (`run_explained`): service name → instance display ids. Daemon tasks are placed outside
/// the traced placement pass and are not in it.
fn placements(x: &ecsim::explain::Explanations) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut by: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for rec in &x.records {
        if let ecsim::explain::Decision::Placement(p) = &rec.decision {
            if let (Some(svc), Some(id)) = (&rec.service, &p.chosen) {
                by.entry(svc.clone())
                    .or_default()
                    .insert(id.clone(), p.pool.clone());
            }
        }
    }
    by
}

/// The sweep: every seed valid, no panic, `check_report`, the cross-feature identities, the
/// same summary twice; and each feature exercised on a fair share of the seeds.
#[test]
fn random_mixed_scenarios_keep_the_invariants() {
    let mut fee_paid = 0;
    let mut rebalanced = 0;
    let mut gpu_ran = 0;
    let mut windows_ran = 0;
    let mut external_ran = 0;
    let mut deployed = 0;
    let mut scaled = 0;
    let mut lost_to_faults = 0;
    let mut daemon_ran = 0;
    let mut spot_reclaimed = 0;
    let mut az_out = 0;
    let mut trunked = 0;
    for seed in 0..MIXED_SEEDS {
        let v = random_mixed_scenario(seed);
        let sc = scenario(&v);
        let mut r = ecsim::run_explained(&sc, Some(seed), &mut |_| {})
            .unwrap_or_else(|e| panic!("seed {seed}: run failed: {e}"));
        check_report(seed, &r);
        let s = &r.summary;

        // Determinism: the same scenario and seed give the same summary (run without
        // traces, which must change nothing else).
        let again = ecsim::run(&sc, Some(seed), &mut |_| {})
            .unwrap_or_else(|e| panic!("seed {seed}: run failed: {e}"));
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            serde_json::to_string(&again.summary).unwrap(),
            "seed {seed}: two runs gave different summaries"
        );

        // Every kind of capacity shows up in the cost split: the total is EC2 + Fargate +
        // external + fee (checked in check_report), and the external part exists.
        let x = s
            .cost
            .external
            .as_ref()
            .unwrap_or_else(|| panic!("seed {seed}: no cost.external"));
        assert!(x.total_usd >= 0.0, "seed {seed}: {x:?}");

        // Where tasks were placed, from the traces. Instance types come from the instance
        // events ("EC2 instance g4dn.xlarge running in ...").
        let trace = r.explain.take().expect("a run_explained report has traces");
        let placed = placements(&trace);
        let empty = BTreeMap::new();
        let on = |svc: &str| placed.get(svc).unwrap_or(&empty);
        let mut ec2_type: BTreeMap<&str, &str> = BTreeMap::new();
        for e in &r.events {
            if let Some(rest) = e.message.strip_prefix("EC2 instance ") {
                if let Some((ty, _)) = rest.split_once(" running in ") {
                    ec2_type.insert(e.subject.as_str(), ty);
                }
            }
            // An external machine's failure must not claim an Auto Scaling group replaces it.
            if on("edge").contains_key(&e.subject) {
                assert!(
                    !e.message
                        .contains("Auto Scaling group terminates and replaces"),
                    "seed {seed}: external {}: {}",
                    e.subject,
                    e.message
                );
            }
        }
        // Windows tasks only on the Windows group's instances, which no Linux task shares.
        for (id, pool) in on("win") {
            assert_eq!(
                pool, "capacity provider cp-win",
                "seed {seed}: win task on {id}"
            );
            for linux in ["web", "gpu", "mi"] {
                assert!(
                    !on(linux).contains_key(id),
                    "seed {seed}: {id} ran a Windows task and a Linux {linux} task"
                );
            }
        }
        // GPU tasks only on the g-family group's instances (instances there from the start
        // log no "running" event, so the type is checked where the events give it).
        for (id, pool) in on("gpu") {
            assert_eq!(
                pool, "capacity provider cp-gpu",
                "seed {seed}: GPU task on {id}"
            );
            if let Some(ty) = ec2_type.get(id.as_str()) {
                assert_eq!(*ty, "g4dn.xlarge", "seed {seed}: GPU task on {id}");
            }
        }
        // EXTERNAL tasks only on external instances: never an EC2 instance, and no EC2 task
        // on theirs.
        for (id, pool) in on("edge") {
            assert!(
                pool.starts_with("the external instances"),
                "seed {seed}: edge task on {id} from {pool}"
            );
            assert!(
                !ec2_type.contains_key(id.as_str()),
                "seed {seed}: EXTERNAL task on EC2 instance {id}: {:?}",
                r.events
                    .iter()
                    .filter(|e| e.subject == *id)
                    .map(|e| (e.time_s, e.message.clone()))
                    .collect::<Vec<_>>()
            );
            for ec2 in ["web", "win", "gpu", "mi"] {
                assert!(
                    !on(ec2).contains_key(id),
                    "seed {seed}: {id} ran an EXTERNAL task and a {ec2} task"
                );
            }
        }

        let svc = |name: &str| {
            s.services
                .iter()
                .find(|x| x.name == name)
                .unwrap_or_else(|| panic!("seed {seed}: no service {name}"))
        };
        // The EXTERNAL service's live tasks are all counted under EXTERNAL.
        let edge = svc("edge");
        assert_eq!(
            edge.live_tasks_by_capacity_provider
                .get("EXTERNAL")
                .copied()
                .unwrap_or(0),
            edge.live_tasks_by_capacity_provider.values().sum::<u32>(),
            "seed {seed}: {:?}",
            edge.live_tasks_by_capacity_provider
        );
        // The daemon is never rebalanced (AWS: not for DAEMON services).
        assert!(svc("daemon").az_rebalancing.is_none(), "seed {seed}");
        // Rebalancing bookkeeping: it never stops more tasks than it started.
        for sv in &s.services {
            if let Some(a) = &sv.az_rebalancing {
                assert!(a.tasks_stopped <= a.tasks_started, "seed {seed}: {a:?}");
                assert!(
                    a.operations_completed + a.operations_stopped <= a.operations_started,
                    "seed {seed}: {a:?}"
                );
            }
        }

        if s.cost.management_fee_usd.is_some_and(|f| f > 0.0) {
            fee_paid += 1;
        }
        if s.services.iter().any(|x| {
            x.az_rebalancing
                .as_ref()
                .is_some_and(|a| a.tasks_started > 0)
        }) {
            rebalanced += 1;
        }
        if svc("gpu").tasks.started > 0 && !on("gpu").is_empty() {
            gpu_ran += 1;
        }
        if svc("win").tasks.started > 0 && !on("win").is_empty() {
            windows_ran += 1;
        }
        if edge.tasks.started > 0 && x.total_usd > 0.0 {
            external_ran += 1;
        }
        if svc("daemon").tasks.started > 0 {
            daemon_ran += 1;
        }
        if s.deployments.as_ref().is_some_and(|d| !d.is_empty()) {
            deployed += 1;
        }
        if svc("web").scaling_activities.scale_out + svc("web").scaling_activities.scale_in > 0 {
            scaled += 1;
        }
        if s.services
            .iter()
            .any(|x| x.availability.tasks_lost_to_faults > 0)
        {
            lost_to_faults += 1;
        }
        let f = s
            .faults
            .as_ref()
            .unwrap_or_else(|| panic!("seed {seed}: no faults section"));
        if f.spot_instances_reclaimed > 0 {
            spot_reclaimed += 1;
        }
        if f.az_outages > 0 {
            az_out += 1;
        }
        if v["settings"]["awsvpcTrunking"] == "enabled" && svc("web").tasks.started > 0 {
            trunked += 1;
        }
    }
    // Not vacuous: each feature acted on at least half the seeds (rebalancing, which needs
    // an imbalance, on a quarter).
    let half = MIXED_SEEDS / 2;
    for (what, n, at_least) in [
        ("paid a Managed Instances fee", fee_paid, half),
        (
            "rebalanced a service across zones",
            rebalanced,
            MIXED_SEEDS / 4,
        ),
        ("ran a GPU task", gpu_ran, half),
        ("ran a Windows task", windows_ran, half),
        ("ran an EXTERNAL task", external_ran, half),
        ("ran a daemon task", daemon_ran, half),
        ("started a deployment", deployed, half),
        ("scaled the web service", scaled, half),
        ("lost tasks to faults", lost_to_faults, half),
        ("had an AZ outage", az_out, half),
        (
            "had a Spot instance reclaimed",
            spot_reclaimed,
            MIXED_SEEDS / 4,
        ),
        (
            "ran tasks with awsvpc trunking on",
            trunked,
            MIXED_SEEDS / 4,
        ),
    ] {
        eprintln!("{n} of {MIXED_SEEDS} seeds {what}");
        assert!(
            n >= at_least,
            "only {n} of {MIXED_SEEDS} seeds {what} (want {at_least})"
        );
    }
}
