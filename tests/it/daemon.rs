//! DAEMON services (issue 14 point 1): one task on every ACTIVE instance that meets the
//! service's constraints, first on a new instance, counted in managed scaling's M, ignored by
//! managed termination protection, and the settings AWS refuses.
//!
//! Source of the rules: Amazon ECS Developer Guide, "Amazon ECS service deployment controllers
//! and strategies", Daemon scheduling strategy,
//! <https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_service-options.html>, and
//! ecs-reference §1.2, §1.7, §4.5, §5.1.

use serde_json::{json, Value};

use super::bad_input::problems_of;
use super::support::{repo_root, run, scenario};

/// The daemon-share teaching scenario without its variants (the base: with the daemon).
fn daemon_share() -> Value {
    let text = std::fs::read_to_string(repo_root().join("scenarios/daemon-share/scenario.json"))
        .expect("the scenario is shipped");
    let mut v: Value = serde_json::from_str(&text).expect("valid JSON");
    v.as_object_mut().expect("an object").remove("variants");
    v
}

fn service<'a>(r: &'a ecsim::report::Report, name: &str) -> &'a ecsim::report::ServiceSummary {
    r.summary
        .services
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no service {name}"))
}

/// The key number of `scenarios/daemon-share`: the log agent reserves 256 of an m6i.large's
/// 2,048 CPU units (12.5 %), but beside it only (2,048 − 256) / 512 = 3 web tasks fit instead
/// of 4, so 12 web tasks need ceil(12 / 3) = 4 instances instead of 12 / 4 = 3: a day costs
/// 4 × 24 = 96 instance-hours instead of 72: a third more (96 / 72 = 4 / 3; read from the
/// other side, dropping the daemon saves 25 %), while the report attributes the daemon only
/// its reservation (256 of each instance's CPU units and 512 MiB: about 9.6 % of the bill).
#[test]
fn daemon_share_key_numbers() {
    let with = run(&daemon_share(), 7);
    let mut without = daemon_share();
    without["services"]
        .as_array_mut()
        .expect("services")
        .remove(1);
    let without = run(&without, 7);

    assert_eq!(with.summary.instances.peak, 4);
    assert_eq!(without.summary.instances.peak, 3);
    assert!((with.summary.instances.instance_hours - 96.0).abs() < 0.1);
    assert!((without.summary.instances.instance_hours - 72.0).abs() < 0.1);
    let extra = with.summary.cost.total_usd / without.summary.cost.total_usd - 1.0;
    assert!((extra - 1.0 / 3.0).abs() < 0.005, "{extra}");
    // One daemon task per instance, all RUNNING; the web service complete.
    let agent = service(&with, "log-agent");
    assert_eq!(agent.desired_count, 4);
    assert_eq!(agent.running_at_end, 4);
    assert_eq!(service(&with, "web").running_at_end, 12);
    // The daemon is billed its reservation: 256 CPU units, 512 MiB of each instance.
    let share = with.summary.cost.by_service["log-agent"] / with.summary.cost.total_usd;
    assert!((0.08..0.11).contains(&share), "{share}");
    // ECS's default AZ rebalancing (README "AZ rebalancing"): with the daemon the fourth
    // instance lands in us-east-1a, so web runs 6 + 3 + 3; the fuller zones' instances have no
    // room, so rebalancing fails once a minute all day (24 × 60 = 1,440) and moves nothing.
    let az = service(&with, "web")
        .az_rebalancing
        .as_ref()
        .expect("web is eligible");
    assert_eq!((az.tasks_started, az.placement_failures), (0, 1440));
    assert!(az.in_progress_at_end);
    assert_eq!(
        az.tasks_by_zone_at_end
            .values()
            .copied()
            .collect::<Vec<_>>(),
        vec![6, 3, 3]
    );
    // Without the daemon, 4 + 4 + 4 is balanced from the start.
    assert!(service(&without, "web").az_rebalancing.is_none());
}

/// A new instance gets its daemon before any waiting replica task, and managed scaling's M
/// counts the room beside the daemon. Thirteen web tasks: the warm start holds 3 per
/// instance beside the daemons (9), so 4 wait. Beside a daemon a new m6i.large holds 3 of
/// them, so M = 3 + ceil(4 / 3) = 5 (without the daemon in M it would be 3 + 1 = 4, and the
/// 4th instance, filled by 4 web tasks, would have no room left for its daemon).
#[test]
fn a_new_instance_runs_its_daemon_first_and_m_counts_it() {
    let mut v = daemon_share();
    v["services"][0]["desiredCount"] = json!(13);
    v["duration"] = json!("2h");
    let r = run(&v, 7);
    assert_eq!(r.summary.instances.peak, 5);
    assert_eq!(service(&r, "web").running_at_end, 13);
    let agent = service(&r, "log-agent");
    assert_eq!(agent.running_at_end, 5);
    assert_eq!(agent.desired_count, 5);
    assert_eq!((agent.desired_min, agent.desired_max), (3, 5));
}

/// \[DOC\] ecs-reference §1.7: an instance running only daemon tasks is empty, so managed
/// scaling publishes M = 0 for a group running nothing else and scales in (≤ 50 % a step,
/// down to `minSize` 1), and managed termination protection lets it terminate them. Before
/// daemons were kept apart, every instance counted as non-empty: M = N, no scale-in.
#[test]
fn instances_with_only_daemon_tasks_are_empty_for_scale_in() {
    let mut v = daemon_share();
    v["services"].as_array_mut().expect("services").remove(0);
    v["autoScalingGroups"][0]["desiredCapacity"] = json!(4);
    v["duration"] = json!("3h");
    let r = run(&v, 7);
    let cp = &r.summary.capacity_providers[0];
    assert!(cp.scale_in >= 1, "{cp:?}");
    assert_eq!(cp.instances_min, 1, "{cp:?}");
    assert_eq!(cp.instances_terminated, 3, "{cp:?}");
    let agent = service(&r, "log-agent");
    assert_eq!(agent.desired_count, 1);
    assert_eq!(agent.running_at_end, 1);
    // Drained, not killed: the daemon tasks stopped when their instance drained.
    assert_eq!(agent.tasks.interrupted, 0, "{:?}", agent.tasks);
}

/// A memberOf constraint limits the daemon to the instances that meet it.
#[test]
fn a_daemon_runs_only_where_its_constraints_hold() {
    let mut v = daemon_share();
    v["services"][1]["placementConstraints"] = json!([
        { "type": "memberOf", "expression": "attribute:ecs.availability-zone == us-east-1a" }
    ]);
    v["duration"] = json!("1h");
    let r = run(&v, 7);
    // The ASG balances 3 (then 4) instances over 3 zones: 1a holds one or two of them.
    let agent = service(&r, "log-agent");
    assert!((1..=2).contains(&agent.running_at_end), "{agent:?}");
    assert_eq!(agent.desired_count, agent.running_at_end);
}

fn daemon_errors(daemon: Value) -> Vec<ecsim::scenario::Problem> {
    let mut v = daemon_share();
    v["services"][1] = daemon;
    problems_of(&serde_json::to_string_pretty(&v).expect("JSON"))
}

/// The settings AWS refuses on a DAEMON service, one error each at its JSON path.
#[test]
fn daemon_settings_aws_refuses_are_errors() {
    let base = json!({ "serviceName": "log-agent", "taskDefinition": "log-agent",
                       "schedulingStrategy": "DAEMON" });
    let cases = [
        (
            "capacityProviderStrategy",
            json!([{ "capacityProvider": "web-ec2", "weight": 1 }]),
            "capacity provider strategy",
        ),
        ("launchType", json!("FARGATE"), "Fargate"),
        (
            "placementStrategy",
            json!([{ "type": "binpack", "field": "memory" }]),
            "no placement strategy",
        ),
        (
            "autoScaling",
            json!({ "minCapacity": 1, "maxCapacity": 2, "policies": [] }),
            "service auto scaling",
        ),
    ];
    for (field, value, words) in cases {
        let mut d = base.clone();
        d[field] = value;
        let problems = daemon_errors(d);
        let path = format!("services[1].{field}");
        let p = problems
            .iter()
            .find(|p| p.path == path)
            .unwrap_or_else(|| panic!("no problem at {path}: {problems:?}"));
        assert!(p.message.contains(words), "{p}");
        assert_eq!(problems.len(), 1, "one mistake, one message: {problems:?}");
    }
    let mut d = base.clone();
    d["schedulingStrategy"] = json!("DEMON");
    let problems = daemon_errors(d);
    assert_eq!(
        problems[0].path, "services[1].schedulingStrategy",
        "{problems:?}"
    );
}

/// A REPLICA service still needs its desiredCount; a DAEMON service pasted from
/// describe-services carries one (ECS derives it) and it is not read.
#[test]
fn desired_count_required_for_replica_derived_for_daemon() {
    let mut v = daemon_share();
    v["services"][0]
        .as_object_mut()
        .expect("object")
        .remove("desiredCount");
    let problems = problems_of(&serde_json::to_string_pretty(&v).expect("JSON"));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].path, "services[0].desiredCount");

    let mut v = daemon_share();
    v["services"][1]["desiredCount"] = json!(40);
    let sc = scenario(&v);
    assert!(sc.services[1].daemon);
    assert_eq!(sc.services[1].desired_count, 0);
}
