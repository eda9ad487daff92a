//! ECS Anywhere (issue 15, point 9): external instances, launch type EXTERNAL, the Anywhere
//! fee, and the refusals AWS documents.

use serde_json::{json, Value};

use super::bad_input::problems_of;
use super::support::{close, run, skeleton, zero_latencies, USD};

/// A cluster with `groups` of external instances and one EXTERNAL service of `desired`
/// tasks of 256 CPU units and 512 MiB.
fn external_scenario(duration: &str, groups: Value, desired: u32) -> Value {
    let mut v = skeleton("anywhere", duration, &["us-east-1a"]);
    v["externalInstances"] = groups;
    v["taskDefinitions"] = json!([
        { "family": "edge", "cpu": "256", "memory": "512", "requiresCompatibilities": ["EXTERNAL"], "networkMode": "bridge" }
    ]);
    v["services"] = json!([
        { "serviceName": "edge", "taskDefinition": "edge", "desiredCount": desired, "launchType": "EXTERNAL" }
    ]);
    v["settings"] = zero_latencies();
    v
}

#[test]
fn the_anywhere_fee_is_instances_times_hours_times_the_rate() {
    // 3 instances registered for 10 h: 30 instance-hours.
    // Fee: 30 × $0.01025 = $0.3075; machines: 30 × $0.05 = $1.50; total $1.8075.
    let v = external_scenario(
        "10h",
        json!([{ "name": "rack", "count": 3, "vcpu": 2, "memoryMib": 4096, "machineUsdPerHour": 0.05 }]),
        2,
    );
    let r = run(&v, 1);
    let c = &r.summary.cost;
    let x = c.external.as_ref().expect("a cost.external section");
    assert!(close(x.instance_hours, 30.0, 1e-4), "{x:?}");
    assert!(close(x.anywhere_fee_usd, 0.3075, USD), "{x:?}");
    assert!(close(x.machine_usd, 1.5, USD), "{x:?}");
    assert!(close(x.total_usd, 1.8075, USD), "{x:?}");
    assert!(
        close(x.groups["rack"].anywhere_fee_usd, 0.3075, USD),
        "{x:?}"
    );
    assert_eq!(x.groups["rack"].instances, 3);
    // Not EC2, in the total, and under the launch type's name by provider.
    assert_eq!(c.ec2_usd, 0.0);
    assert!(close(c.total_usd, 1.8075, USD), "{c:?}");
    assert!(
        close(c.by_capacity_provider["EXTERNAL"], 1.8075, USD),
        "{c:?}"
    );
    // Two tasks of 256 CPU units and 512 MiB on 6,144 CPU units and 12,288 MiB registered:
    // reserved ½ × (512/6144) + ½ × (1024/12288) = 1/12 of the cost; the rest is idle.
    assert!(close(x.idle_usd, 1.8075 * 11.0 / 12.0, 2.0 * USD), "{x:?}");
    assert!(
        close(c.by_service["edge"], 1.8075 / 12.0, 2.0 * USD),
        "{c:?}"
    );
    // Two tasks RUNNING for the whole 10 h (warm start): 20 task-hours, all external.
    let u = &r.summary.usage;
    assert_eq!(u.external_running_task_hours, Some(20.0));
    assert_eq!(u.ec2_running_task_hours, 0.0);
    assert_eq!(u.running_task_hours, 20.0);
    // The stdout table shows the two parts.
    let table = ecsim::report::render::table(&r.summary);
    assert!(table.contains("ECS Anywhere fee"), "{table}");
    assert!(table.contains("30.0 registered instance-hours"), "{table}");
    // The cost series has an EXTERNAL column, ending at the total.
    let col = r
        .cost_series_providers
        .iter()
        .position(|p| p == "EXTERNAL")
        .expect("an EXTERNAL column");
    let last = r.cost_series.last().expect("rows");
    assert!(close(last.by_provider_usd[col], 1.8075, USD), "{last:?}");
}

#[test]
fn the_anywhere_fee_is_overridable() {
    // 1 instance for 2 h at $0.02: $0.04, no machine cost.
    let v = external_scenario(
        "2h",
        json!([{ "name": "vm", "count": 1, "vcpu": 1, "memoryMib": 2048, "anywhereUsdPerInstanceHour": 0.02 }]),
        1,
    );
    let x = run(&v, 1).summary.cost.external.expect("external");
    assert!(close(x.anywhere_fee_usd, 0.04, USD), "{x:?}");
    assert_eq!(x.machine_usd, 0.0);
}

#[test]
fn ec2_tasks_never_land_on_external_instances() {
    // One m5.large (2,048 CPU units) holds two tasks of 1,024 units; the external machine
    // beside it has room for four more, which launch type EC2 must not use.
    let mut v = skeleton("ec2-only", "1h", &["us-east-1a"]);
    v["autoScalingGroups"] = json!([
        { "autoScalingGroupName": "asg", "instanceTypes": ["m5.large"], "minSize": 1, "maxSize": 1 }
    ]);
    v["externalInstances"] = json!([{ "name": "rack", "count": 1, "vcpu": 4, "memoryMib": 16000 }]);
    v["taskDefinitions"] = json!([
        { "family": "web", "cpu": "1024", "memory": "1024", "requiresCompatibilities": ["EC2", "EXTERNAL"] }
    ]);
    v["services"] = json!([
        { "serviceName": "web", "taskDefinition": "web", "desiredCount": 6, "launchType": "EC2" }
    ]);
    v["settings"] = zero_latencies();
    let r = run(&v, 3);
    let s = &r.summary.services[0];
    assert_eq!(s.running_at_end, 2, "{s:?}");
    assert_eq!(s.live_tasks_by_capacity_provider.get("EXTERNAL"), None);
    // The external machine stayed empty: all its cost is idle.
    let x = r.summary.cost.external.as_ref().expect("external");
    assert!(close(x.idle_usd, x.total_usd, USD), "{x:?}");
}

#[test]
fn external_tasks_never_land_on_ec2_instances() {
    // The external machine (2,048 CPU units) holds two tasks of 1,024; the m5.4xlarge beside
    // it has room for 15 and must not take the other four.
    let mut v = skeleton("external-only", "1h", &["us-east-1a"]);
    v["autoScalingGroups"] = json!([
        { "autoScalingGroupName": "asg", "instanceTypes": ["m5.4xlarge"], "minSize": 1, "maxSize": 1 }
    ]);
    v["externalInstances"] = json!([{ "name": "rack", "count": 1, "vcpu": 2, "memoryMib": 8192 }]);
    v["taskDefinitions"] = json!([
        { "family": "web", "cpu": "1024", "memory": "1024", "requiresCompatibilities": ["EC2", "EXTERNAL"] }
    ]);
    v["services"] = json!([
        { "serviceName": "web", "taskDefinition": "web", "desiredCount": 6, "launchType": "EXTERNAL" }
    ]);
    v["settings"] = zero_latencies();
    let r = run(&v, 3);
    let s = &r.summary.services[0];
    assert_eq!(s.running_at_end, 2, "{s:?}");
    assert_eq!(s.live_tasks_by_capacity_provider.get("EXTERNAL"), Some(&2));
    // The m5.4xlarge ran nothing: its whole cost is idle.
    assert!(close(r.summary.cost.idle_usd, r.summary.cost.ec2_usd, USD));
}

#[test]
fn a_failed_external_instance_is_not_replaced() {
    // ECS Anywhere has no Auto Scaling group: the machine that fails at 30 min stays gone, so
    // the group is billed 2 × 1 h + 1 × 0.5 h = 2.5 instance-hours.
    let mut v = external_scenario(
        "1h",
        json!([{ "name": "rack", "count": 2, "vcpu": 1, "memoryMib": 2048 }]),
        2,
    );
    v["faults"] = json!({ "instanceFailures": [{ "at": ["30m"] }] });
    let r = run(&v, 1);
    let x = r.summary.cost.external.as_ref().expect("external");
    assert!(close(x.instance_hours, 1.5, 1e-4), "{x:?}");
    assert_eq!(r.summary.instances.launched, 2);
    assert!(close(x.anywhere_fee_usd, 1.5 * 0.01025, USD), "{x:?}");
    // Its fault event says so: it used to read "EC2 instance failed its status checks; the
    // Auto Scaling group terminates and replaces it" (found by the mixed invariant sweep).
    let fault: Vec<&str> = r
        .events
        .iter()
        .filter(|e| e.kind == "fault")
        .map(|e| e.message.as_str())
        .collect();
    assert_eq!(
        fault,
        ["External instance failed; no Auto Scaling group replaces it"]
    );
    // And the tasks it ran stop with an external instance's reason, not an EC2 host's (they
    // used to say "Host EC2 instance failed its status checks and was terminated"). The
    // reason reaches the outputs through the fault's decision trace.
    let mut r =
        ecsim::run_explained(&super::support::scenario(&v), Some(1), &mut |_| {}).expect("run");
    let x = r.explain.take().expect("traces");
    let reasons: Vec<&str> = x
        .records
        .iter()
        .filter_map(|r| match &r.decision {
            ecsim::explain::Decision::Fault(f) => f.stopped_reason.as_deref(),
            _ => None,
        })
        .collect();
    assert_eq!(
        reasons,
        ["External instance (ECS Anywhere) failed: the task stopped with its machine"]
    );
}

#[test]
fn what_aws_refuses_for_external_instances_is_refused_with_its_path() {
    let mut v = skeleton("bad", "1h", &["us-east-1a"]);
    v["autoScalingGroups"] = json!([
        { "autoScalingGroupName": "asg", "instanceTypes": ["m5.large"], "minSize": 1, "maxSize": 1 }
    ]);
    v["externalInstances"] = json!([
        { "name": "ok", "count": 1, "vcpu": 2, "memoryMib": 4096 },
        { "name": "zero", "count": 0, "vcpu": 2, "memoryMib": 4096 },
        { "name": "odd", "count": 1, "vcpu": 2, "memoryMib": -5, "cpuArchitecture": "SPARC" },
        { "name": "asg", "count": 1, "vcpu": 2, "memoryMib": 4096 },
        { "name": "reserved", "count": 1, "vcpu": 2, "memoryMib": 4096, "ecsReservedMemoryMib": 4096 },
        { "name": "priced", "count": 1, "vcpu": 2, "memoryMib": 4096, "machineUsdPerHour": -1 }
    ]);
    v["taskDefinitions"] = json!([
        { "family": "ec2only", "cpu": "256", "memory": "512" },
        { "family": "edge", "cpu": "256", "memory": "512", "requiresCompatibilities": ["EXTERNAL"] },
        { "family": "vpc", "cpu": "256", "memory": "512", "requiresCompatibilities": ["EXTERNAL"], "networkMode": "awsvpc" },
        { "family": "huge", "cpu": "4096", "memory": "512", "requiresCompatibilities": ["EXTERNAL"] }
    ]);
    v["services"] = json!([
        { "serviceName": "a", "taskDefinition": "ec2only", "desiredCount": 1, "launchType": "EXTERNAL" },
        { "serviceName": "b", "taskDefinition": "edge", "desiredCount": 1, "launchType": "EC2" },
        { "serviceName": "c", "taskDefinition": "edge", "desiredCount": 1, "launchType": "EXTERNAL",
          "capacityProviderStrategy": [{ "capacityProvider": "FARGATE", "weight": 1 }] },
        { "serviceName": "d", "taskDefinition": "edge", "desiredCount": 1, "launchType": "EXTERNAL",
          "loadBalancers": [{ "targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/t/1", "containerName": "c", "containerPort": 80 }] },
        { "serviceName": "e", "taskDefinition": "huge", "desiredCount": 1, "launchType": "EXTERNAL" },
        { "serviceName": "f", "taskDefinition": "edge", "desiredCount": 1, "launchType": "FARGATE" }
    ]);
    let text = serde_json::to_string_pretty(&v).expect("json");
    let problems = problems_of(&text);
    let has = |path: &str, words: &str| {
        assert!(
            problems
                .iter()
                .any(|p| p.path == path && p.message.contains(words)),
            "no problem at {path} saying {words:?}; got:\n{}",
            problems
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        );
    };
    has("externalInstances[1].count", "expected 1 to");
    has(
        "externalInstances[2].memoryMib",
        "memory the machine's OS reports",
    );
    has("externalInstances[2].cpuArchitecture", "\"SPARC\"");
    has(
        "externalInstances[3].name",
        "already the name of another group",
    );
    has(
        "externalInstances[4].ecsReservedMemoryMib",
        "less than memoryMib",
    );
    has(
        "externalInstances[5].machineUsdPerHour",
        "expected USD per hour",
    );
    has("taskDefinitions[2].networkMode", "awsvpc");
    has("services[0].taskDefinition", "not EXTERNAL-compatible");
    has("services[1].taskDefinition", "not EC2-compatible");
    has("services[2]", "mutually exclusive");
    has("services[3].loadBalancers", "Elastic Load Balancing");
    has("services[5].taskDefinition", "not Fargate-compatible");
    // One message per mistake: nothing else is reported. Service e's task (4,096 CPU units)
    // is larger than the valid group, but some groups are broken: what they would hold is
    // unknown, so nothing is said about it until they are fixed.
    assert_eq!(problems.len(), 12, "{problems:#?}");
}

#[test]
fn a_task_no_external_instance_holds_is_refused() {
    // 4,096 CPU units on machines of 2 vCPU (2,048 units): never placed.
    let mut v = external_scenario(
        "1h",
        json!([{ "name": "small", "count": 2, "vcpu": 2, "memoryMib": 4096 }]),
        1,
    );
    v["taskDefinitions"][0]["cpu"] = json!("4096");
    let problems = problems_of(&serde_json::to_string_pretty(&v).expect("json"));
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0].path, "services[0]");
    assert!(
        problems[0]
            .message
            .contains("no external instance can ever hold"),
        "{}",
        problems[0]
    );
}

#[test]
fn launch_type_external_without_external_instances_is_refused() {
    let mut v = external_scenario("1h", json!([]), 1);
    v.as_object_mut()
        .expect("object")
        .remove("externalInstances");
    let text = serde_json::to_string_pretty(&v).expect("json");
    let problems = problems_of(&text);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0].path, "services[0].launchType");
    assert!(problems[0].message.contains("has none"), "{}", problems[0]);
}

#[test]
fn the_hybrid_scenario_is_deterministic() {
    let path = super::support::repo_root().join("scenarios/hybrid-anywhere/scenario.json");
    let sc = ecsim::load(&path).expect("loads");
    let one = ecsim::run(&sc, None, &mut |_| {}).expect("runs");
    let two = ecsim::run(&sc, None, &mut |_| {}).expect("runs");
    let a = ecsim::report::render::summary_json(&one.summary);
    let b = ecsim::report::render::summary_json(&two.summary);
    assert_eq!(a, b);
    assert_eq!(
        ecsim::report::render::events_jsonl(&one),
        ecsim::report::render::events_jsonl(&two)
    );
    assert!(one.summary.cost.external.is_some());
}

#[test]
fn the_documented_external_group_validates() {
    // The README's example, comments stripped, as a scenario's externalInstances.
    let readme =
        std::fs::read_to_string(super::support::repo_root().join("README.md")).expect("README.md");
    let after = &readme[readme
        .find("#### External instances (ECS Anywhere)")
        .expect("the section")..];
    let body = &after[after.find("```jsonc\n").expect("a jsonc block") + 9..];
    let body = &body[..body.find("\n```").expect("closing fence")];
    let text: String = body
        .lines()
        .map(|l| l.find("//").map_or(l, |i| &l[..i]))
        .collect::<Vec<_>>()
        .join("\n");
    let groups: Value = serde_json::from_str(&format!("{{{text}}}")).expect("the example is JSON");
    let v = external_scenario("1h", groups["externalInstances"].clone(), 1);
    let r = run(&v, 1);
    let x = r.summary.cost.external.expect("external");
    // 2 machines × 1 h × ($0.01025 + $0.08) = $0.1805.
    assert!(close(x.total_usd, 0.1805, USD), "{x:?}");
}
