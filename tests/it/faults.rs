//! Fault injection in whole runs: AZ outages, EC2 Spot and Fargate Spot interruptions, crash
//! loops, crashes of RUNNING tasks, batch re-runs, the independence of the fault streams, and
//! bad `faults` input. Every expected number is derived by hand from the rules in
//! `src/simulation/faults.rs` (README "Faults", ecs-reference §2.2, §5.2, §5.6); the
//! derivation is written next to each assertion. The samplers' statistics are unit-tested in
//! `src/faults/`; here only their use in a run is.
//!
//! Latencies are fixed wherever timing matters (see each scenario's `settings`), so every
//! time below is exact. The per-minute rows (`services.csv`, `capacity_providers.csv`) are
//! sampled at each minute boundary; faults are placed off the boundaries (e.g. at 7230 s) so
//! no sample ties with a fault.

use ecsim::report::{Report, ServiceMinuteRow};
use serde_json::{json, Value};

use super::bad_input::problems_of;
use super::support::{close, run, skeleton, zero_latencies, USD};

const SEED: u64 = 1;

// ---- helpers ------------------------------------------------------------------------------

/// Service `service`'s per-minute rows.
fn rows(r: &Report, service: u32) -> Vec<&ServiceMinuteRow> {
    r.service_series
        .iter()
        .filter(|x| x.service == service)
        .collect()
}

/// (time in s, subject) of the event records whose message contains `text`.
fn events(r: &Report, text: &str) -> Vec<(f64, String)> {
    r.events
        .iter()
        .filter(|e| e.message.contains(text))
        .map(|e| (e.time_s, e.subject.clone()))
        .collect()
}

/// Every event record but task ones, one per line, for failure messages.
fn listing(r: &Report) -> String {
    r.events
        .iter()
        .filter(|e| e.kind != "task")
        .map(|e| {
            format!(
                "{:>10.3} {:<9} {:<12} {}",
                e.time_s, e.kind, e.subject, e.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

// ---- 1. AZ outage ---------------------------------------------------------------------------

/// Start of the outage: 2 h 30 s, off the minute boundary.
const OUTAGE_START_S: f64 = 7230.0;
/// Its end: one hour later.
const OUTAGE_END_S: f64 = OUTAGE_START_S + 3600.0;

/// A web service of 6 tasks (1 vCPU, 3 GiB) on an ASG of 3 m6i.large (2 vCPU: 2048 CPU
/// units registered, so 2 tasks per instance and the 6 tasks fill the 3 instances) in
/// `asg_azs`, behind a capacity provider with managed draining and no managed scaling.
/// us-east-1a is down from 7230 s for 1 h. Latencies: instance launch → running 40 s,
/// running → registered 20 s, task PENDING → RUNNING 20 s, STOPPING → STOPPED 5 s.
fn az_outage_scenario(asg_azs: &[&str]) -> Value {
    let mut v = skeleton(
        "az-outage",
        "5h",
        &["us-east-1a", "us-east-1b", "us-east-1c"],
    );
    v["settings"] = json!({
        "instanceRunningLatency": "40s",
        "agentRegistrationLatency": "20s",
        "ec2TaskStartLatency": "20s",
        "taskStopLatency": "5s",
        "provisioningTimeout": "25m"
    });
    v["cluster"]["capacityProviders"] = json!(["web-ec2"]);
    v["cluster"]["defaultCapacityProviderStrategy"] =
        json!([{ "capacityProvider": "web-ec2", "weight": 1 }]);
    v["autoScalingGroups"] = json!([{
        "autoScalingGroupName": "web-asg",
        "instanceTypes": ["m6i.large"],
        "availabilityZones": asg_azs,
        "minSize": 3,
        "maxSize": 9,
        "desiredCapacity": 3
    }]);
    v["capacityProviders"] = json!([{
        "name": "web-ec2",
        "autoScalingGroupProvider": { "autoScalingGroupArn": "web-asg", "managedDraining": "ENABLED" }
    }]);
    v["taskDefinitions"] = json!([{
        "family": "web", "cpu": "1024", "memory": "3072", "requiresCompatibilities": ["EC2"]
    }]);
    v["services"] = json!([{ "serviceName": "web", "taskDefinition": "web", "desiredCount": 6 }]);
    v["faults"] = json!({
        "azOutages": [{ "availabilityZone": "us-east-1a", "start": OUTAGE_START_S, "duration": "1h" }]
    });
    v
}

#[test]
fn az_outage_with_three_zones_keeps_four_of_six_running_and_rebalances_back() {
    let r = run(
        &az_outage_scenario(&["us-east-1a", "us-east-1b", "us-east-1c"]),
        SEED,
    );
    let log = listing(&r);
    // The ASG launched its 3 instances into the zone with the fewest instances each time:
    // i-00000000 in us-east-1a, i-00000001 in b, i-00000002 in c, 2 tasks each.
    // At 7230 s us-east-1a goes down: i-00000000 and its 2 tasks are lost (running 6 → 4).
    // The ASG (2 in service < desired 3) launches i-00000003 in us-east-1b (fewest instances
    // among the zones that are up, lowest index on a tie): running at 7230 + 40 = 7270,
    // registered at 7290, where the 2 replacement tasks (PROVISIONING since 7230) are placed:
    // RUNNING at 7290 + 20 = 7310. Bound: launch 40 + registration 20 + task start 20 = 80 s.
    let bound = 40.0 + 20.0 + 20.0;
    assert_eq!(
        events(&r, "EC2 instance m6i.large running in us-east-1b"),
        vec![(OUTAGE_START_S + 40.0, "i-00000003".to_string())],
        "{log}"
    );
    assert_eq!(
        events(&r, "has reached a steady state")
            .iter()
            .map(|e| e.0)
            .find(|&t| t > OUTAGE_START_S),
        Some(OUTAGE_START_S + bound),
        "{log}"
    );
    // Every minute of the outage (rows 121 = 7260 s … 180 = 10800 s) has at least 4 RUNNING;
    // row 121 has 4 RUNNING and the 2 replacements pending; from row 122 (7320 s ≥ 7310 s)
    // on, 6 again, through the rebalancing after the recovery to the end of the run.
    let rs = rows(&r, 0);
    for row in &rs {
        let m = row.minute;
        if (121..=180).contains(&m) {
            assert!(row.running >= 4, "{row:?}\n{log}");
        }
        let expected = match m {
            // Warm start: the six tasks are RUNNING from time zero.
            121 => (4, 2),
            _ => (6, 0),
        };
        assert_eq!((row.running, row.pending), expected, "{row:?}\n{log}");
    }
    // Availability: 2 tasks lost; one recovery of 80 s; (6 − 4) × 1 minute = 2 task-minutes.
    let a = &r.summary.services[0].availability;
    assert_eq!(a.tasks_lost_to_faults, 2, "{a:?}");
    assert_eq!(a.recoveries, 1, "{a:?}");
    assert_eq!(a.time_to_recover_max_s, bound, "{a:?}");
    assert_eq!(a.time_to_recover_mean_s, bound, "{a:?}");
    assert_eq!(a.task_minutes_below_desired, 2, "{a:?}");
    assert!(!a.unrecovered_at_end, "{a:?}");
    assert_eq!(r.summary.tasks.interrupted, 2, "{:?}", r.summary.tasks);
    let f = r.summary.faults.as_ref().expect("fault section");
    assert_eq!((f.az_outages, f.tasks_killed), (1, 2), "{f:?}");

    // Recovery at 10830 s: 3 in service over 3 zones = 1 per zone, us-east-1a has none:
    // i-00000004 is launched there (running 10870, registered 10890). Then the surplus: the
    // zone with the most instances (us-east-1b, 2) gives its newest, i-00000003, which drains
    // (managed draining): its 2 tasks are replaced on i-00000004 (RUNNING at 10910), stop
    // 5 s later, and the empty instance is terminated at 10915.
    assert_eq!(
        events(&r, "EC2 instance m6i.large running in us-east-1a"),
        vec![(OUTAGE_END_S + 40.0, "i-00000004".to_string())],
        "{log}"
    );
    assert_eq!(
        events(&r, "Terminating the instance to rebalance"),
        vec![(OUTAGE_END_S + 60.0, "i-00000003".to_string())],
        "{log}"
    );
    assert_eq!(
        events(&r, "Instance terminated"),
        vec![
            (OUTAGE_START_S, "i-00000000".to_string()),
            (OUTAGE_END_S + 85.0, "i-00000003".to_string())
        ],
        "{log}"
    );
    // So at the end the group has one instance per zone: i-00000001 (b), i-00000002 (c) and
    // i-00000004 (a). Capacity rows: 3 in service, except minute 181 (10860 s) when the new
    // instance is pending and the old one not yet drained (4).
    for row in &r.provider_series {
        let expected = if row.minute == 181 { 4 } else { 3 };
        assert_eq!(row.instances, expected, "{row:?}\n{log}");
    }
}

#[test]
fn az_outage_with_one_zone_drops_to_zero_and_recovers_after_it() {
    let r = run(&az_outage_scenario(&["us-east-1a"]), SEED);
    let log = listing(&r);
    // At 7230 s the 3 instances (all in us-east-1a) and the 6 tasks are lost; the ASG has no
    // zone to launch into. The 6 replacement tasks wait in PROVISIONING; each set times out
    // after 25 min (8730 s, 10230 s: 12 tasks never placed) and is replaced at once.
    // At 10830 s the zone is back: the ASG launches 3 instances there (running 10870,
    // registered 10890); the waiting tasks are placed and RUNNING at 10910.
    let recovered = OUTAGE_END_S + 40.0 + 20.0 + 20.0;
    assert_eq!(
        events(&r, "EC2 instance m6i.large running in us-east-1a")
            .iter()
            .map(|e| e.0)
            .collect::<Vec<_>>(),
        vec![OUTAGE_END_S + 40.0; 3],
        "{log}"
    );
    assert_eq!(
        events(&r, "has reached a steady state")
            .iter()
            .map(|e| e.0)
            .find(|&t| t > OUTAGE_START_S),
        Some(recovered),
        "{log}"
    );
    // Rows 121 (7260 s) … 181 (10860 s): 0 RUNNING, 6 waiting; from row 182 (10920 s): 6.
    for row in rows(&r, 0) {
        let expected = match row.minute {
            121..=181 => (0, 6),
            _ => (6, 0),
        };
        assert_eq!((row.running, row.pending), expected, "{row:?}\n{log}");
    }
    // 61 minutes × 6 tasks below desired = 366 task-minutes; 6 tasks lost; one recovery of
    // 10910 − 7230 = 3680 s.
    let a = &r.summary.services[0].availability;
    assert_eq!(a.task_minutes_below_desired, 61 * 6, "{a:?}");
    assert_eq!(a.tasks_lost_to_faults, 6, "{a:?}");
    assert_eq!(a.recoveries, 1, "{a:?}");
    assert_eq!(a.time_to_recover_max_s, recovered - OUTAGE_START_S, "{a:?}");
    assert_eq!(a.time_to_recover_mean_s, 3680.0, "{a:?}");
    assert_eq!(r.summary.services[0].minutes_below_desired, 61);
    let t = &r.summary.tasks;
    // 6 at the start + 6 replacements + 6 after each of the 2 timeouts = 24 submitted.
    assert_eq!(
        (t.submitted, t.interrupted, t.never_placed, t.running_at_end),
        (24, 6, 12, 6),
        "{t:?}"
    );
}

#[test]
fn a_fargate_service_survives_an_outage_of_every_zone() {
    // A Fargate service of 2 tasks in a one-zone cluster; the zone is down from 10 to 20 min.
    // Expected: the run finishes; the service drops to 0 RUNNING and is back at 2 after the
    // outage. Run as a child process, so a hang is killed rather than waited for.
    let mut v = skeleton("fargate-all-zones-down", "1h", &["us-east-1a"]);
    v["taskDefinitions"] = json!([{
        "family": "api", "cpu": "256", "memory": "512", "requiresCompatibilities": ["FARGATE"]
    }]);
    v["services"] = json!([{
        "serviceName": "api", "taskDefinition": "api", "desiredCount": 2, "launchType": "FARGATE"
    }]);
    v["faults"] = json!({
        "azOutages": [{ "availabilityZone": "us-east-1a", "start": "10m", "duration": "10m" }]
    });
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("scenario.json");
    std::fs::write(&file, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    let out = dir.path().join("out");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ecsim"))
        .arg("run")
        .arg(&file)
        .arg("--quiet")
        .arg("--out")
        .arg(&out)
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if start.elapsed() > std::time::Duration::from_secs(10) {
            child.kill().unwrap();
            child.wait().unwrap();
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let status = status.expect("a 1-hour run of one service did not finish within 10 s");
    assert!(status.success(), "{status:?}");
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["services"][0]["running_at_end"], 2, "{summary}");
}

// ---- 2. EC2 Spot interruptions ------------------------------------------------------------

/// Notice time: 30 min 50 s, so the reclaim (2 min later, 1970 s) and a replacement started
/// then (RUNNING 20 s later, 1990 s) straddle the minute boundary at 1980 s.
const NOTICE_S: f64 = 1850.0;

/// A service of 2 tasks (0.5 vCPU, 1 GiB) spread one per instance over a Spot ASG of 2
/// m5.large, each with room for 3 more: a spare instance is always there. One interruption
/// notice at 1850 s.
fn spot_scenario(draining: bool) -> Value {
    let mut v = skeleton("ec2-spot", "2h", &["us-east-1a"]);
    v["settings"] = json!({
        "instanceRunningLatency": "40s",
        "agentRegistrationLatency": "20s",
        "ec2TaskStartLatency": "20s",
        "taskStopLatency": "5s",
        "spotInstanceDraining": draining
    });
    v["cluster"]["capacityProviders"] = json!(["spot"]);
    v["cluster"]["defaultCapacityProviderStrategy"] =
        json!([{ "capacityProvider": "spot", "weight": 1 }]);
    v["autoScalingGroups"] = json!([{
        "autoScalingGroupName": "spot-asg",
        "instanceTypes": ["m5.large"],
        "minSize": 2,
        "maxSize": 4,
        "desiredCapacity": 2,
        "purchaseOption": "spot"
    }]);
    v["capacityProviders"] = json!([{
        "name": "spot",
        "autoScalingGroupProvider": { "autoScalingGroupArn": "spot-asg" }
    }]);
    v["taskDefinitions"] = json!([{
        "family": "web", "cpu": "512", "memory": "1024", "requiresCompatibilities": ["EC2"]
    }]);
    v["services"] = json!([{
        "serviceName": "web",
        "taskDefinition": "web",
        "desiredCount": 2,
        "placementStrategy": [{ "type": "spread", "field": "instanceId" }]
    }]);
    v["faults"] = json!({ "spotInterruptions": { "at": [NOTICE_S] } });
    v
}

#[test]
fn ec2_spot_with_draining_replaces_tasks_before_the_instance_dies() {
    let r = run(&spot_scenario(true), SEED);
    let log = listing(&r);
    // Notice at 1850 s: the instance (whichever of the two was picked) goes DRAINING; its
    // task is replaced on the other instance, PENDING at 1850 and RUNNING at 1870, well
    // before the reclaim at 1850 + 120 = 1970; the old task then stops (1875) and the empty
    // instance is terminated. EC2 reclaims it at 1970 and the ASG launches a replacement
    // (running at 2010, registered at 2030).
    assert_eq!(events(&r, "Container instance set to DRAINING").len(), 1);
    assert_eq!(
        events(&r, "has reached a steady state")
            .iter()
            .map(|e| e.0)
            .find(|&t| t > NOTICE_S),
        Some(NOTICE_S + 20.0),
        "{log}"
    );
    // … 1870 s, 100 s before the reclaim below.
    assert_eq!(
        events(&r, "EC2 Spot instance reclaimed")
            .iter()
            .map(|e| e.0)
            .collect::<Vec<_>>(),
        vec![NOTICE_S + 120.0],
        "{log}"
    );
    assert_eq!(
        events(&r, "EC2 instance m5.large running")
            .iter()
            .map(|e| e.0)
            .collect::<Vec<_>>(),
        vec![NOTICE_S + 120.0 + 40.0],
        "{log}"
    );
    // Running never drops below desired: every row after time zero has 2 RUNNING; no task
    // was killed, the moved one was stopped by the scheduler.
    for row in rows(&r, 0).iter().skip(1) {
        assert!(row.running >= 2, "{row:?}\n{log}");
    }
    let t = &r.summary.tasks;
    assert_eq!(
        (t.submitted, t.stopped_by_scheduler, t.interrupted, t.failed),
        (3, 1, 0, 0),
        "{t:?}"
    );
    let a = &r.summary.services[0].availability;
    assert_eq!(
        (a.tasks_lost_to_faults, a.task_minutes_below_desired),
        (0, 0),
        "{a:?}"
    );
    let f = r.summary.faults.as_ref().expect("fault section");
    assert_eq!(
        (
            f.spot_interruption_notices,
            f.spot_instances_reclaimed,
            f.tasks_killed
        ),
        (1, 1, 0),
        "{f:?}"
    );
    // The ASG is back at 2 instances once the replacement launched (row 33 = 1980 s on).
    for row in &r.provider_series {
        let expected = match row.minute {
            31 => (1, 1), // 1860 s: one ACTIVE, one DRAINING
            32 => (1, 0), // 1920 s: the drained one is gone, not yet replaced
            _ => (2, 0),
        };
        assert_eq!((row.instances, row.draining), expected, "{row:?}\n{log}");
    }
}

#[test]
fn ec2_spot_without_draining_kills_the_tasks_with_the_instance() {
    let r = run(&spot_scenario(false), SEED);
    let log = listing(&r);
    // Draining is off (the agent's default): nothing happens at the notice; at 1970 s the
    // instance is reclaimed with its task (interrupted). The service places a replacement on
    // the other instance at once: RUNNING at 1990. The ASG launches a new instance at 1970.
    assert!(events(&r, "Container instance set to DRAINING").is_empty());
    assert_eq!(
        events(&r, "has reached a steady state")
            .iter()
            .map(|e| e.0)
            .find(|&t| t > NOTICE_S),
        Some(NOTICE_S + 120.0 + 20.0),
        "{log}"
    );
    // Row 33 (1980 s) falls between the reclaim and the replacement: 1 RUNNING, 1 PENDING.
    for row in rows(&r, 0) {
        let expected = match row.minute {
            // Warm start: RUNNING from time zero.
            33 => (1, 1),
            _ => (2, 0),
        };
        assert_eq!((row.running, row.pending), expected, "{row:?}\n{log}");
    }
    let t = &r.summary.tasks;
    assert_eq!(
        (t.submitted, t.interrupted, t.stopped_by_scheduler),
        (3, 1, 0),
        "{t:?}"
    );
    // One task lost, 1 task-minute below desired, recovered in 20 s.
    let a = &r.summary.services[0].availability;
    assert_eq!(
        (
            a.tasks_lost_to_faults,
            a.task_minutes_below_desired,
            a.recoveries
        ),
        (1, 1, 1),
        "{a:?}"
    );
    assert_eq!(a.time_to_recover_max_s, 20.0, "{a:?}");
    let f = r.summary.faults.as_ref().expect("fault section");
    assert_eq!(
        (
            f.spot_interruption_notices,
            f.spot_instances_reclaimed,
            f.tasks_killed
        ),
        (1, 1, 1),
        "{f:?}"
    );
    assert_eq!(
        events(&r, "EC2 instance m5.large running")
            .iter()
            .map(|e| e.0)
            .collect::<Vec<_>>(),
        vec![NOTICE_S + 120.0 + 40.0],
        "{log}"
    );
}

// ---- 3. Fargate Spot ----------------------------------------------------------------------

/// A Fargate service `api` (0.25 vCPU, 0.5 GB) with `strategy`, for 10 h, with Fargate Spot
/// interruptions at 1 per task-hour. Provisioning 10 s, image pull to RUNNING 20 s.
fn fargate_spot_scenario(strategy: Value, desired: u32) -> Value {
    let mut v = skeleton("fargate-spot", "10h", &["us-east-1a", "us-east-1b"]);
    v["settings"] = json!({
        "fargateProvisioningLatency": "10s",
        "fargateTaskStartLatency": "20s",
        "taskStopLatency": "5s",
        "stopTimeout": "30s"
    });
    v["taskDefinitions"] = json!([{
        "family": "api", "cpu": "256", "memory": "512", "requiresCompatibilities": ["FARGATE"]
    }]);
    v["services"] = json!([{
        "serviceName": "api",
        "taskDefinition": "api",
        "desiredCount": desired,
        "capacityProviderStrategy": strategy
    }]);
    v["faults"] = json!({ "fargateSpotInterruptions": { "ratePerTaskHour": 1.0 } });
    v
}

#[test]
fn fargate_spot_replacements_keep_the_strategy() {
    for seed in [1, 2, 3] {
        let r = run(
            &fargate_spot_scenario(
                json!([{ "capacityProvider": "FARGATE_SPOT", "weight": 1 }]),
                4,
            ),
            seed,
        );
        let s = &r.summary;
        let f = s.faults.as_ref().expect("fault section");
        // 4 tasks × 10 h × 1/h ≈ 40 interruptions: some happen.
        assert!(f.fargate_spot_interruptions > 10, "seed {seed}: {f:?}");
        // Each interrupted task stops after its 30 s stopTimeout (interrupted); the ones
        // interrupted in the last 30 s are still STOPPING at the end (in flight).
        let svc = &s.services[0];
        let t = &svc.tasks;
        assert!(
            t.interrupted <= f.fargate_spot_interruptions
                && f.fargate_spot_interruptions <= t.interrupted + t.in_flight_at_end - 4,
            "seed {seed}: {t:?} {f:?}"
        );
        // Every interrupted task was replaced (at the latest when it stopped), on
        // FARGATE_SPOT: no fallback to FARGATE.
        // AZ rebalancing (on by default) may start more, one per task it moves back.
        let moved = svc.az_rebalancing.as_ref().map_or(0, |z| z.tasks_started);
        assert!(
            4 + t.interrupted <= t.submitted
                && t.submitted <= 4 + f.fargate_spot_interruptions + moved,
            "seed {seed}: {t:?} {f:?}"
        );
        assert_eq!(
            svc.live_tasks_by_capacity_provider,
            [("FARGATE_SPOT".to_string(), 4)].into_iter().collect(),
            "seed {seed}"
        );
        assert_eq!(
            s.cost.by_capacity_provider.keys().collect::<Vec<_>>(),
            vec!["FARGATE_SPOT"],
            "seed {seed}: {:?}",
            s.cost
        );
    }
}

#[test]
fn fargate_base_tasks_are_never_interrupted() {
    // FARGATE base 2 (weight 0) + FARGATE_SPOT weight 1, 6 tasks: 2 on FARGATE, 4 on Spot.
    let strategy = json!([
        { "capacityProvider": "FARGATE", "base": 2, "weight": 0 },
        { "capacityProvider": "FARGATE_SPOT", "weight": 1 }
    ]);
    for seed in [1, 2, 3] {
        let r = run(&fargate_spot_scenario(strategy.clone(), 6), seed);
        let s = &r.summary;
        let f = s.faults.as_ref().expect("fault section");
        assert!(f.fargate_spot_interruptions > 10, "seed {seed}: {f:?}");
        assert_eq!(
            s.services[0].live_tasks_by_capacity_provider,
            [("FARGATE".to_string(), 2), ("FARGATE_SPOT".to_string(), 4)]
                .into_iter()
                .collect(),
            "seed {seed}"
        );
        // The 2 FARGATE tasks ran, uninterrupted, from time zero (warm start) to the end
        // (36 000 s): 2 × 36 000 s × (0.25 vCPU × $0.000011244 + 0.5 GB × $0.000001235)
        // (ecs-reference §7.1) = 2 × 36 000 × $0.0000034285 = $0.246852. A base task
        // interrupted and replaced would have left a gap of at least 60 s in this bill.
        let expected = 2.0 * 36_000.0 * (0.25 * 0.000_011_244 + 0.5 * 0.000_001_235);
        let got = s.cost.by_capacity_provider["FARGATE"];
        assert!(
            close(got, expected, USD),
            "seed {seed}: {got} vs {expected}"
        );
    }
}

/// Two Fargate services of 2 tasks (0.25 vCPU, 0.5 GB) for 1 h, started cold with no
/// latencies, and a Fargate Spot shortage from 0 to 29 min 30 s: `spot-only` runs on
/// FARGATE_SPOT alone; `with-base` has a FARGATE base of 1 and the rest on FARGATE_SPOT.
fn shortage_scenario() -> Value {
    let mut v = skeleton("spot-shortage", "1h", &["us-east-1a"]);
    v["settings"] = zero_latencies();
    v["settings"]["start"] = json!("cold");
    v["taskDefinitions"] = json!([{
        "family": "api", "cpu": "256", "memory": "512", "requiresCompatibilities": ["FARGATE"]
    }]);
    v["services"] = json!([
        { "serviceName": "spot-only", "taskDefinition": "api", "desiredCount": 2,
          "capacityProviderStrategy": [{ "capacityProvider": "FARGATE_SPOT", "weight": 1 }] },
        { "serviceName": "with-base", "taskDefinition": "api", "desiredCount": 2,
          "capacityProviderStrategy": [
              { "capacityProvider": "FARGATE", "base": 1, "weight": 0 },
              { "capacityProvider": "FARGATE_SPOT", "weight": 1 }] }
    ]);
    v["faults"] = json!({ "fargateSpotShortages": [{ "start": "0s", "duration": "1770s" }] });
    v
}

#[test]
fn a_fargate_spot_shortage_keeps_spot_tasks_provisioning_and_a_base_shows_its_value() {
    let r = run(&shortage_scenario(), SEED);
    let s = &r.summary;
    let by_name = |n: &str| {
        s.services
            .iter()
            .find(|x| x.name == n)
            .unwrap_or_else(|| panic!("service {n}"))
    };
    // The shortage covers [0, 1770 s): every Spot task waits in PROVISIONING (no fallback to
    // FARGATE) and starts at 1770 s. The minute ticks at 60, 120, …, 1740 s — 29 ticks —
    // see the Spot tasks missing; from 1800 s all run.
    // spot-only: 29 minutes × 2 tasks below desired = 58 task-minutes.
    // with-base: its FARGATE base task runs from 0; 29 × 1 = 29 task-minutes.
    assert_eq!(
        by_name("spot-only").availability.task_minutes_below_desired,
        58,
        "seed {SEED}"
    );
    assert_eq!(
        by_name("with-base").availability.task_minutes_below_desired,
        29,
        "seed {SEED}"
    );
    // The waiting tasks were not replaced or stopped: 2 + 2 tasks in all, all still live,
    // and the Spot ones stayed on FARGATE_SPOT.
    for n in ["spot-only", "with-base"] {
        assert_eq!(by_name(n).tasks.submitted, 2, "seed {SEED}: {n}");
    }
    assert_eq!(
        by_name("with-base").live_tasks_by_capacity_provider,
        [("FARGATE".to_string(), 1), ("FARGATE_SPOT".to_string(), 1)]
            .into_iter()
            .collect(),
        "seed {SEED}"
    );
    let f = s.faults.as_ref().expect("fault section");
    assert_eq!(f.fargate_spot_shortages, 1, "seed {SEED}");
    // Spot was billed only from 1770 s: 3 tasks × 1830 s at the Spot rates
    // (0.25 × 0.01334053 + 0.5 × 0.00146489) / 3600 per second = 0.0000011298826 per s:
    // 3 × 1830 × 0.0000011298826 = 0.006203056.
    let spot = 3.0 * 1830.0 * (0.25 * 0.01334053 + 0.5 * 0.00146489) / 3600.0;
    let got = s.cost.by_capacity_provider["FARGATE_SPOT"];
    assert!(close(got, spot, USD), "seed {SEED}: {got} vs {spot}");
}

#[test]
fn random_fargate_spot_shortages_are_drawn_and_validated() {
    let mut v = shortage_scenario();
    v["duration"] = json!("10d");
    v["faults"] = json!({ "randomFargateSpotShortages": {
        "ratePerDay": 2.0, "duration": "20m" } });
    let r = run(&v, SEED);
    // 2 a day for 10 days: about 20 onsets (Poisson, sd ≈ 4.5).
    let n = r
        .summary
        .faults
        .as_ref()
        .expect("faults")
        .fargate_spot_shortages;
    assert!((5..=40).contains(&n), "seed {SEED}: {n}");
    // A negative rate and a zero-length window are each named at their path.
    v["faults"] = json!({
        "fargateSpotShortages": [{ "start": "1h", "duration": "0s" }],
        "randomFargateSpotShortages": { "ratePerDay": -1.0, "duration": "20m" }
    });
    let text = serde_json::to_string(&v).unwrap();
    let problems = super::bad_input::problems_of(&text);
    let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "faults.fargateSpotShortages[0].duration",
            "faults.randomFargateSpotShortages"
        ],
        "{problems:?}"
    );
}

// ---- 4. Crash loops -------------------------------------------------------------------------

/// A Fargate service of `desired` tasks that always fail to start (a bad image). A task is
/// PENDING 10 s + 20 s after it is created, then fails; it is STOPPED 5 s later. It starts
/// cold: a bad deployment from nothing (a warm start would begin with healthy tasks).
fn crash_loop_scenario(desired: u32, duration: &str) -> Value {
    let mut v = skeleton("crash-loop", duration, &["us-east-1a"]);
    v["settings"] = json!({
        "start": "cold",
        "fargateProvisioningLatency": "10s",
        "fargateTaskStartLatency": "20s",
        "taskStopLatency": "5s"
    });
    v["taskDefinitions"] = json!([{
        "family": "api", "cpu": "256", "memory": "512", "requiresCompatibilities": ["FARGATE"]
    }]);
    v["services"] = json!([{
        "serviceName": "api", "taskDefinition": "api", "desiredCount": desired, "launchType": "FARGATE"
    }]);
    v["faults"] = json!({
        "taskCrashes": [{ "service": "api", "crashAtStartProbability": 1.0 }]
    });
    v
}

/// Launch times of the crash loop, in ms. Attempt n is created at a_n and fails 30 s later
/// (provisioning + start); the scheduler waits `min(10 s · 2^(n−1), 27 min)` after the n-th
/// consecutive failure (throttle.rs defaults: 10, 20, 40, 80, 160, 320, 640, 1280, then the
/// 1620 s cap), so a_{n+1} = a_n + 30 s + delay(n). The stop (5 s after the failure) wakes
/// the scheduler, but the back-off (≥ 10 s) is still on then.
fn crash_loop_attempts(n: usize) -> Vec<u64> {
    let mut a = vec![0u64];
    for k in 1..n as u32 {
        let delay = (10_000u64 << (k - 1)).min(1_620_000);
        a.push(a[a.len() - 1] + 30_000 + delay);
    }
    a
}

#[test]
fn crash_at_start_backs_off_as_the_throttle() {
    let a = crash_loop_attempts(12);
    assert_eq!(
        a.iter().map(|x| x / 1000).collect::<Vec<_>>(),
        [0, 40, 90, 160, 270, 460, 810, 1480, 2790, 4440, 6090, 7740]
    );
    // Gaps between attempts: 40, 50, 70, 110, 190, 350, 670, 1310, then 1650 s (30 s + cap).
    // A run ending just before a_n has launched n − 1 tasks; one ending at a_n has launched n.
    for (i, &at) in a.iter().enumerate().skip(1) {
        for (end, launched) in [(at - 1, i), (at, i + 1)] {
            let r = run(&crash_loop_scenario(1, &format!("{end}ms")), SEED);
            assert_eq!(
                r.summary.tasks.submitted, launched as u64,
                "run of {end} ms: {:?}",
                r.summary.tasks
            );
            assert_eq!(r.summary.tasks.started, 0);
        }
    }
    // A 3 h run: attempts at a_1 … a_13 = 9390 s (a_14 = 11 040 s is past the end); all 13
    // failed and stopped (the last at 9390 + 35 s). None ever RUNNING.
    let r = run(&crash_loop_scenario(1, "3h"), SEED);
    let t = &r.summary.tasks;
    assert_eq!(
        (
            t.submitted,
            t.started,
            t.crashed,
            t.failed,
            t.in_flight_at_end
        ),
        (13, 0, 13, 13, 0),
        "{t:?}"
    );
    let f = r.summary.faults.as_ref().expect("fault section");
    assert_eq!((f.task_start_failures, f.task_crashes), (13, 0), "{f:?}");
    let av = &r.summary.services[0].availability;
    assert!(av.unrecovered_at_end, "{av:?}");
    assert_eq!(av.recoveries, 0);
    // Below desired by 1 at every minute of the run: 180 task-minutes.
    assert_eq!(av.task_minutes_below_desired, 180, "{av:?}");
}

#[test]
fn a_crash_loop_never_exceeds_the_desired_count() {
    for desired in [1, 3] {
        let r = run(&crash_loop_scenario(desired, "3h"), SEED);
        for row in rows(&r, 0) {
            assert_eq!(row.running, 0, "desired {desired}: {row:?}");
            assert!(
                row.running + row.pending <= desired,
                "desired {desired}: {row:?}"
            );
        }
        let t = &r.summary.tasks;
        assert_eq!(t.started, 0, "{t:?}");
        // Each launched task failed to start and (but those still stopping at the end) was
        // counted as crashed.
        assert_eq!(t.submitted, t.crashed + t.in_flight_at_end, "{t:?}");
        let f = r.summary.faults.as_ref().expect("fault section");
        let live: u32 = r.summary.services[0]
            .live_tasks_by_capacity_provider
            .values()
            .sum();
        assert_eq!(
            f.task_start_failures + u64::from(live),
            t.submitted,
            "{t:?} {f:?}"
        );
    }
}

// ---- 5. Crashes of RUNNING tasks ----------------------------------------------------------

#[test]
fn crashes_of_running_tasks_follow_the_rate_and_are_replaced() {
    // 10 Fargate tasks for 20 h, each crashing at 0.5 per task-hour while RUNNING. A crashed
    // task stops at once (stop latency 0); its replacement is created then and RUNNING 30 s
    // later (provisioning 10 s + start 20 s): crashes are not throttled (§5.2).
    let mut v = skeleton("crashes", "20h", &["us-east-1a"]);
    v["settings"] = json!({
        "fargateProvisioningLatency": "10s",
        "fargateTaskStartLatency": "20s",
        "taskStopLatency": "0s"
    });
    v["taskDefinitions"] = json!([{
        "family": "api", "cpu": "256", "memory": "512", "requiresCompatibilities": ["FARGATE"]
    }]);
    v["services"] = json!([{
        "serviceName": "api", "taskDefinition": "api", "desiredCount": 10, "launchType": "FARGATE"
    }]);
    v["faults"] = json!({ "taskCrashes": [{ "service": "api", "ratePerTaskHour": 0.5 }] });
    for seed in [1, 2, 3] {
        let r = run(&v, seed);
        let f = r.summary.faults.as_ref().expect("fault section");
        let n = f.task_crashes;
        // RUNNING task-hours: 10 slots × (72 000 s − 30 s to the first start) − 30 s per
        // crash, / 3600. Crashes over that time are Poisson with mean 0.5 × task-hours
        // (each slot's time to crash is exponential and memoryless across replacements):
        // about 100, sd 10; the count must be within 4 sd.
        let task_hours = (10.0 * (72_000.0 - 30.0) - 30.0 * n as f64) / 3600.0;
        let mean = 0.5 * task_hours;
        assert!(
            (n as f64 - mean).abs() <= 4.0 * mean.sqrt(),
            "seed {seed}: {n} crashes vs mean {mean}"
        );
        // Each crash stopped its task at once (crashed) and was replaced.
        let t = &r.summary.tasks;
        assert_eq!(t.crashed, n, "seed {seed}: {t:?}");
        assert_eq!(t.submitted, 10 + n, "seed {seed}: {t:?}");
        assert_eq!(f.task_start_failures, 0);
        let svc = &r.summary.services[0];
        assert_eq!(svc.availability.tasks_lost_to_faults, n, "seed {seed}");
        assert_eq!(
            svc.live_tasks_by_capacity_provider.values().sum::<u32>(),
            10,
            "seed {seed}"
        );
    }
}

// ---- 6. Batch re-runs -------------------------------------------------------------------------

/// One batch task (1 vCPU, 2 GiB, 3600 s) submitted at 0 to a capacity provider whose ASG
/// has one m5.large; `failure_at` schedules that instance's failure. Latencies: launch →
/// running 40 s, → registered 20 s, task start 10 s, stop 5 s.
fn batch_scenario(dir: &std::path::Path, failure_at: Option<&str>) -> Value {
    let trace = dir.join("one-task.csv");
    std::fs::write(
        &trace,
        "submit_time_s,cpu_units,memory_mib,duration_s,count\n0,1024,2048,3600,1\n",
    )
    .unwrap();
    let mut v = skeleton("batch-rerun", "2h", &["us-east-1a"]);
    v["settings"] = json!({
        "instanceRunningLatency": "40s",
        "agentRegistrationLatency": "20s",
        "ec2TaskStartLatency": "10s",
        "taskStopLatency": "5s"
    });
    v["cluster"]["capacityProviders"] = json!(["batch-cp"]);
    v["autoScalingGroups"] = json!([{
        "autoScalingGroupName": "batch-asg", "instanceTypes": ["m5.large"], "minSize": 1, "maxSize": 1
    }]);
    v["capacityProviders"] = json!([{
        "name": "batch-cp", "autoScalingGroupProvider": { "autoScalingGroupArn": "batch-asg" }
    }]);
    v["taskDefinitions"] = json!([{
        "family": "job", "cpu": "1024", "memory": "2048", "requiresCompatibilities": ["EC2"]
    }]);
    v["workloads"] = json!([{
        "name": "jobs",
        "taskDefinition": "job",
        "capacityProviderStrategy": [{ "capacityProvider": "batch-cp", "weight": 1 }],
        "source": { "csv": { "path": trace.to_str().unwrap() } }
    }]);
    if let Some(at) = failure_at {
        v["faults"] =
            json!({ "instanceFailures": [{ "capacityProvider": "batch-cp", "at": [at] }] });
    }
    v
}

#[test]
fn batch_work_lost_to_an_instance_failure_is_rerun_and_counted_as_wasted() {
    let dir = tempfile::tempdir().unwrap();
    let clean = run(&batch_scenario(dir.path(), None), SEED);
    let failed = run(&batch_scenario(dir.path(), Some("20m")), SEED);
    let log = listing(&failed);
    // Without the fault: placed at 0, RUNNING 10 s to 3610 s, STOPPED at 3615 s.
    // With it: the instance fails at 1200 s after 1190 s of RUNNING: wasted. The task is
    // re-run from the start: PROVISIONING at 1200 (no instance), the ASG's replacement is
    // running at 1240 and registered at 1260, the task RUNNING at 1270 and done at 4870.
    let (c, w) = (&clean.summary, &failed.summary);
    assert_eq!(c.tasks.completed, 1);
    assert_eq!(w.tasks.completed, c.tasks.completed, "{:?}\n{log}", w.tasks);
    assert_eq!(
        (w.tasks.submitted, w.tasks.interrupted),
        (2, 1),
        "{:?}",
        w.tasks
    );
    assert_eq!(w.workloads[0].submissions, c.workloads[0].submissions);
    let f = w.faults.as_ref().expect("fault section");
    assert_eq!(
        (f.instance_failures, f.batch_task_reruns, f.tasks_killed),
        (1, 1, 1),
        "{f:?}"
    );
    assert_eq!(f.wasted_task_seconds, 1190.0, "{f:?}");
    assert!(f.wasted_cost_usd > 0.0, "{f:?}");
    // The scheduled failure hit the group's only instance at 20 min.
    assert_eq!(
        events(&failed, "EC2 instance failed its status checks"),
        vec![(1200.0, "i-00000000".to_string())],
        "{log}"
    );
    // Cost. The workload pays its share of the instance (½ CPU share + ½ memory share of the
    // price) for the time its task holds a reservation: 0 → 3615 s (3615 s) without the
    // fault; 0 → 1200 s and 1260 → 4875 s (3615 s) with it: 1200 s more, of which 1190 s
    // were RUNNING (the wasted cost) and 10 s PENDING. So the workload's extra cost is
    // wasted_cost × 1200 / 1190 (each figure rounded to a micro-dollar).
    let extra = w.workloads[0].cost_usd - c.workloads[0].cost_usd;
    assert!(extra >= f.wasted_cost_usd - 2.0 * USD, "{extra} {f:?}");
    assert!(
        close(extra, f.wasted_cost_usd * 1200.0 / 1190.0, 3.0 * USD),
        "{extra} vs {}",
        f.wasted_cost_usd * 1200.0 / 1190.0
    );
    // The instance bill itself is capacity, not work: 1200 s + (7200 − 1240) s = 7160 s of
    // m5.large ($0.096/h) against 7200 s: 40 s × $0.096/h = $0.00106667 less.
    assert!(
        close(
            c.cost.total_usd - w.cost.total_usd,
            40.0 * 0.096 / 3600.0,
            2.0 * USD
        ),
        "{} vs {}",
        c.cost.total_usd,
        w.cost.total_usd
    );
}

#[test]
fn batch_work_lost_to_a_rebalance_is_not_a_fault_and_not_rerun() {
    // Two m5.large (2048 CPU units) in us-east-1a and us-east-1b, managed draining off; two
    // batch tasks of 2048 CPU units and 3 h, one per instance, RUNNING from 10 s.
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("two-tasks.csv");
    std::fs::write(
        &trace,
        "submit_time_s,cpu_units,memory_mib,duration_s,count\n0,2048,1024,10800,2\n",
    )
    .unwrap();
    let mut v = skeleton("rebalance", "4h", &["us-east-1a", "us-east-1b"]);
    v["settings"] = json!({
        "instanceRunningLatency": "40s",
        "agentRegistrationLatency": "20s",
        "ec2TaskStartLatency": "10s",
        "taskStopLatency": "5s"
    });
    v["cluster"]["capacityProviders"] = json!(["cp"]);
    v["autoScalingGroups"] = json!([{
        "autoScalingGroupName": "asg", "instanceTypes": ["m5.large"], "minSize": 2, "maxSize": 4
    }]);
    v["capacityProviders"] = json!([{
        "name": "cp",
        "autoScalingGroupProvider": { "autoScalingGroupArn": "asg", "managedDraining": "DISABLED" }
    }]);
    v["taskDefinitions"] = json!([{
        "family": "job", "cpu": "2048", "memory": "1024", "requiresCompatibilities": ["EC2"]
    }]);
    v["workloads"] = json!([{
        "name": "jobs",
        "taskDefinition": "job",
        "capacityProviderStrategy": [{ "capacityProvider": "cp", "weight": 1 }],
        "source": { "csv": { "path": trace.to_str().unwrap() } }
    }]);
    v["faults"] = json!({
        "azOutages": [{ "availabilityZone": "us-east-1a", "start": 1830, "duration": "1h" }]
    });
    let r = run(&v, SEED);
    let log = listing(&r);
    // 1830 s: us-east-1a is lost with its task after 1820 s RUNNING (a fault: wasted, re-run).
    // The replacement instance i-00000002 (us-east-1b) registers at 1890; the re-run is
    // RUNNING at 1900. 5430 s: the zone is back; i-00000003 is launched there and registers
    // at 5490; the group then terminates its newest instance in us-east-1b (both there are
    // busy), i-00000002, with the re-run on it: a rebalance, not a fault, so the task is
    // interrupted but neither re-run nor counted as wasted. The task on i-00000001 completes
    // at 10 + 10 800 = 10 810 s.
    assert_eq!(
        events(&r, "Terminating the instance to rebalance"),
        vec![(5490.0, "i-00000002".to_string())],
        "{log}"
    );
    let t = &r.summary.tasks;
    assert_eq!(
        (t.submitted, t.completed, t.interrupted, t.in_flight_at_end),
        (3, 1, 2, 0),
        "{t:?}"
    );
    let f = r.summary.faults.as_ref().expect("fault section");
    assert_eq!((f.tasks_killed, f.batch_task_reruns), (1, 1), "{f:?}");
    assert_eq!(f.wasted_task_seconds, 1820.0, "{f:?}");
}

// ---- 7. Independence of the fault streams -------------------------------------------------

/// A Fargate Spot service (4 tasks, interruptions at 0.5 per task-hour), a Poisson batch
/// workload on FARGATE, and an unrelated ASG capacity provider `other` with 3 idle
/// instances; `failures` adds instance failures there (MTBF 2 h), `spot` the Fargate Spot
/// interruptions. `fixed` sets every latency.
fn independence_scenario(failures: bool, spot: bool, fixed: bool) -> Value {
    let mut v = skeleton("independence", "6h", &["us-east-1a", "us-east-1b"]);
    if fixed {
        v["settings"] = json!({
            "instanceRunningLatency": "40s",
            "agentRegistrationLatency": "20s",
            "ec2TaskStartLatency": "10s",
            "fargateProvisioningLatency": "10s",
            "fargateTaskStartLatency": "20s",
            "taskStopLatency": "5s"
        });
    }
    v["cluster"]["capacityProviders"] = json!(["other", "FARGATE", "FARGATE_SPOT"]);
    v["autoScalingGroups"] = json!([{
        "autoScalingGroupName": "other-asg", "instanceTypes": ["m5.large"], "minSize": 3, "maxSize": 3
    }]);
    v["capacityProviders"] = json!([{
        "name": "other", "autoScalingGroupProvider": { "autoScalingGroupArn": "other-asg" }
    }]);
    v["taskDefinitions"] = json!([{
        "family": "t", "cpu": "256", "memory": "512", "requiresCompatibilities": ["FARGATE", "EC2"]
    }]);
    v["services"] = json!([{
        "serviceName": "api",
        "taskDefinition": "t",
        "desiredCount": 4,
        "capacityProviderStrategy": [{ "capacityProvider": "FARGATE_SPOT", "weight": 1 }]
    }]);
    v["workloads"] = json!([{
        "name": "batch",
        "taskDefinition": "t",
        "launchType": "FARGATE",
        "source": { "poisson": { "ratePerHour": 30, "duration": { "exponential": { "mean": "10m" } } } }
    }]);
    let mut f = json!({});
    if spot {
        f["fargateSpotInterruptions"] = json!({ "ratePerTaskHour": 0.5 });
    }
    if failures {
        f["instanceFailures"] = json!([{ "capacityProvider": "other", "mtbf": "2h" }]);
    }
    v["faults"] = f;
    v
}

/// (time, message) of the records of `kind` "fault" whose message contains `text`.
fn fault_events(r: &Report, text: &str) -> Vec<(f64, String)> {
    r.events
        .iter()
        .filter(|e| e.kind == "fault" && e.message.contains(text))
        .map(|e| (e.time_s, format!("{} {}", e.subject, e.message)))
        .collect()
}

#[test]
fn one_fault_model_changes_neither_the_workload_nor_another_models_draws() {
    for seed in [1, 2, 3] {
        let spot_only = run(&independence_scenario(false, true, true), seed);
        let both = run(&independence_scenario(true, true, true), seed);
        let failures_only = run(&independence_scenario(true, false, true), seed);
        // Instance failures happened (3 instances × 6 h / 2 h MTBF ≈ 9 expected).
        let failures = fault_events(&both, "failed its status checks");
        assert!(!failures.is_empty(), "seed {seed}");
        // The workload: same submissions, same tasks, same waits, same cost.
        let (a, b) = (&spot_only.summary.workloads[0], &both.summary.workloads[0]);
        assert_eq!(a.submissions, b.submissions, "seed {seed}");
        assert_eq!(a.tasks, b.tasks, "seed {seed}");
        assert_eq!(a.wait_time_s.mean, b.wait_time_s.mean, "seed {seed}");
        assert_eq!(a.cost_usd, b.cost_usd, "seed {seed}");
        // The Fargate Spot interruptions: the same tasks at the same times.
        let spot_a = fault_events(&spot_only, "Fargate Spot interruption");
        assert!(!spot_a.is_empty(), "seed {seed}");
        assert_eq!(
            spot_a,
            fault_events(&both, "Fargate Spot interruption"),
            "seed {seed}"
        );
        // And the other way round: the instance failures are the same with or without the
        // Fargate Spot interruptions.
        assert_eq!(
            failures,
            fault_events(&failures_only, "failed its status checks"),
            "seed {seed}"
        );
        assert_eq!(
            failures_only.summary.workloads[0].tasks, a.tasks,
            "seed {seed}"
        );
    }
}

#[test]
fn with_random_latencies_one_fault_model_leaves_another_models_times_unchanged() {
    for seed in [1, 2, 3] {
        let spot_only = run(&independence_scenario(false, true, false), seed);
        let both = run(&independence_scenario(true, true, false), seed);
        assert_eq!(
            fault_events(&spot_only, "Fargate Spot interruption"),
            fault_events(&both, "Fargate Spot interruption"),
            "seed {seed}"
        );
        assert_eq!(
            spot_only.summary.workloads[0].wait_time_s.mean,
            both.summary.workloads[0].wait_time_s.mean,
            "seed {seed}"
        );
    }
}

// ---- 9. Bad input ---------------------------------------------------------------------------

#[test]
fn bad_fault_input_is_reported_with_its_path() {
    let mut v = skeleton("bad-faults", "1h", &["us-east-1a"]);
    v["cluster"]["capacityProviders"] = json!(["cp"]);
    v["autoScalingGroups"] = json!([{
        "autoScalingGroupName": "asg", "instanceTypes": ["m5.large"], "minSize": 1, "maxSize": 1
    }]);
    v["capacityProviders"] = json!([{
        "name": "cp", "autoScalingGroupProvider": { "autoScalingGroupArn": "asg" }
    }]);
    v["taskDefinitions"] = json!([{
        "family": "web", "cpu": "256", "memory": "512", "requiresCompatibilities": ["EC2"]
    }]);
    v["services"] = json!([{
        "serviceName": "web", "taskDefinition": "web", "desiredCount": 1, "launchType": "EC2"
    }]);
    v["settings"] = json!({ "stopTimeout": "121s" });
    v["faults"] = json!({
        "instanceFailures": [{ "capacityProvider": "cp", "mtbf": "30d",
                               "weibull": { "shape": 1.5, "scale": "40d" } }],
        "azOutages": [{ "availabilityZone": "us-east-1z", "start": "10m", "duration": "5m" }],
        "taskCrashes": [
            { "service": "web", "crashAtStartProbability": 1.5 },
            { "service": "api", "ratePerTaskHour": 0.1 }
        ]
    });
    let text = serde_json::to_string_pretty(&v).unwrap();
    let problems = problems_of(&text);
    let listing = problems
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join("\n");
    let find = |path: &str| {
        problems
            .iter()
            .find(|p| p.path == path)
            .unwrap_or_else(|| panic!("no problem at {path}; got:\n{listing}"))
    };
    assert!(
        find("faults.azOutages[0].availabilityZone")
            .message
            .contains("us-east-1z"),
        "{listing}"
    );
    assert!(
        find("faults.instanceFailures[0]").message.contains("mtbf"),
        "{listing}"
    );
    assert!(
        find("faults.taskCrashes[0].crashAtStartProbability")
            .message
            .contains("1.5"),
        "{listing}"
    );
    assert!(
        find("faults.taskCrashes[1].service")
            .message
            .contains("api"),
        "{listing}"
    );
    assert!(
        find("settings.stopTimeout").message.contains("121"),
        "{listing}"
    );
    assert_eq!(problems.len(), 5, "exactly the five mistakes:\n{listing}");
}
