//! ENIs, GPUs and Neuron devices as placement resources (issue 15 points 1 and 2): the
//! key figures of `scenarios/eni-density`, GPU and Neuron tasks in whole runs, and the
//! validation messages for device mistakes.
//!
//! Sources of the rules: Amazon ECS Developer Guide, "Elastic network interface trunking"
//! (container-instance-eni.md, with its "Supported Amazon EC2 instance types" table),
//! "Working with GPUs on Amazon ECS" (ecs-gpu.md), "Using AWS Neuron on Amazon Linux 2 on
//! Amazon ECS" (ecs-inference.md), and "Task definition parameters" (networkMode).

use serde_json::{json, Value};

use super::bad_input::problems_of;
use super::support::{close, repo_root, run, scenario, skeleton, zero_latencies, USD};

/// The README's table of `scenarios/eni-density`, variant by variant: instances launched,
/// instance-hours, total cost and idle cost (seed 5).
///
/// The arithmetic (container-instance-eni.md): a c5.large has 3 ENIs, the primary counts,
/// so 2 awsvpc tasks; with awsvpcTrunking its ENI limit is 12, less the primary and the
/// trunk, so 10; by memory it holds ⌊3932 / 512⌋ = 7. 24 tasks: ⌈24 / 2⌉ = 12 instances
/// without trunking, ⌈24 / 7⌉ = 4 with it or in bridge mode; t3 is not in ECS's trunking
/// table, so a t3.medium stays at 2 tasks: 12 instances. Cost: 12 × $0.085 × ~6 h ≈ $6.12;
/// 4 × $0.085 × ~6 h ≈ $2.04; 12 × $0.0416 × ~6 h ≈ $2.99.
#[test]
fn eni_density_readme_figures() {
    let set = ecsim::scenario::load_set(&repo_root().join("scenarios/eni-density/scenario.json"))
        .expect("the scenario is shipped and valid");
    let expected = [
        ("no-trunking", 12, 71.97, 6.11745, 4.558292),
        ("trunking", 4, 23.9917, 2.039292, 0.479309),
        ("bridge", 4, 23.9917, 2.039292, 0.479309),
        ("t3-trunking", 12, 71.97, 2.993952, 2.230882),
    ];
    assert_eq!(set.variants.len(), expected.len());
    let readme = std::fs::read_to_string(repo_root().join("scenarios/eni-density/README.md"))
        .expect("README");
    for (v, (name, launched, hours, total, idle)) in set.variants.iter().zip(expected) {
        assert_eq!(v.name, name);
        let r = ecsim::run(&v.scenario, None, &mut |_| {}).expect("runs");
        let s = &r.summary;
        assert_eq!(s.instances.launched, launched, "{name}");
        assert!(
            close(s.instances.instance_hours, hours, 1e-3),
            "{name}: {}",
            s.instances.instance_hours
        );
        assert!(
            close(s.cost.total_usd, total, USD),
            "{name}: {}",
            s.cost.total_usd
        );
        assert!(
            close(s.cost.idle_usd, idle, USD),
            "{name}: {}",
            s.cost.idle_usd
        );
        // Every task RUNNING at the end: the limits delay tasks, they do not lose them.
        assert_eq!(s.tasks.never_placed, 0, "{name}");
        // The README states the figure as it prints it.
        assert!(
            readme.contains(&format!("${total:.4}")),
            "README lacks ${total:.4}"
        );
        assert!(
            readme.contains(&format!("${idle:.4}")),
            "README lacks ${idle:.4}"
        );
    }
}

/// A small EC2 cluster of `instance_type` (fixed size `count`) and one service of `td`.
fn cluster_with(instance_type: &str, count: u32, td: Value, desired: u32) -> Value {
    let mut v = skeleton("devices", "1h", &["us-east-1a"]);
    v["autoScalingGroups"] = json!([{
        "autoScalingGroupName": "asg",
        "instanceTypes": [instance_type],
        "minSize": count,
        "maxSize": count
    }]);
    v["taskDefinitions"] = json!([td]);
    v["services"] = json!([{
        "serviceName": "svc",
        "taskDefinition": "t",
        "desiredCount": desired,
        "launchType": "EC2",
        "placementStrategy": [{ "type": "binpack", "field": "memory" }]
    }]);
    v["settings"] = zero_latencies();
    v
}

fn gpu_td(gpus: Value) -> Value {
    json!({
        "family": "t",
        "cpu": "1024",
        "memory": "4096",
        "requiresCompatibilities": ["EC2"],
        "containerDefinitions": [{ "name": "c", "resourceRequirements": [{ "type": "GPU", "value": gpus }] }]
    })
}

/// One g4dn.12xlarge has 4 GPUs (ecs-gpu.md table): a service of 5 one-GPU tasks runs 4;
/// the 5th waits though 44 vCPU and most of 192 GiB are free.
#[test]
fn a_g4dn_12xlarge_runs_four_one_gpu_tasks_and_the_fifth_waits() {
    let r = run(&cluster_with("g4dn.12xlarge", 1, gpu_td(json!("1")), 5), 1);
    let svc = &r.summary.services[0];
    assert_eq!(svc.running_at_end, 4);
    // Two GPUs each: 4 / 2 = 2 tasks.
    let r = run(&cluster_with("g4dn.12xlarge", 1, gpu_td(json!("2")), 5), 1);
    assert_eq!(r.summary.services[0].running_at_end, 2);
}

/// Neuron devices (ecs-inference.md): a container maps `/dev/neuronN` with
/// `linuxParameters.devices`, and "only one inference ... task can run on each ... chip";
/// an inf1.6xlarge has 4 chips, so 4 tasks of one chip each, not 6.
#[test]
fn an_inf1_6xlarge_runs_one_task_per_inferentia_chip() {
    let td = json!({
        "family": "t",
        "cpu": "1024",
        "memory": "2048",
        "requiresCompatibilities": ["EC2"],
        "containerDefinitions": [{
            "name": "c",
            "linuxParameters": { "devices": [
                { "hostPath": "/dev/neuron0", "containerPath": "/dev/neuron0", "permissions": ["read", "write"] }
            ] }
        }]
    });
    let r = run(&cluster_with("inf1.6xlarge", 1, td, 6), 1);
    assert_eq!(r.summary.services[0].running_at_end, 4);
}

/// Tasks without a GPU may run on GPU instances, and awsvpc tasks on a fixed pair of
/// c5.large: 2 each without trunking (4 of 9 run), all 9 with it (10 each), and all of a
/// bridge task definition's.
#[test]
fn awsvpc_tasks_on_a_fixed_cluster_follow_the_eni_limit() {
    let td = |mode: &str| json!({ "family": "t", "cpu": "128", "memory": "256", "requiresCompatibilities": ["EC2"], "networkMode": mode });
    let r = run(&cluster_with("c5.large", 2, td("awsvpc"), 9), 1);
    assert_eq!(r.summary.services[0].running_at_end, 4);
    let mut trunked = cluster_with("c5.large", 2, td("awsvpc"), 9);
    trunked["settings"]["awsvpcTrunking"] = json!("enabled");
    assert_eq!(run(&trunked, 1).summary.services[0].running_at_end, 9);
    assert_eq!(
        run(&cluster_with("c5.large", 2, td("bridge"), 9), 1)
            .summary
            .services[0]
            .running_at_end,
        9
    );
}

fn problems(v: &Value) -> Vec<String> {
    problems_of(&serde_json::to_string_pretty(v).expect("json"))
        .iter()
        .map(|p| format!("{}: {}", p.path, p.message))
        .collect()
}

#[test]
fn device_mistakes_are_named_by_path() {
    // A GPU count that is not a whole number.
    for bad in [json!("1.5"), json!("two"), json!(0), json!("17")] {
        let p = problems(&cluster_with("g4dn.12xlarge", 1, gpu_td(bad.clone()), 1));
        assert_eq!(p.len(), 1, "{bad}: {p:?}");
        assert!(
            p[0].starts_with("taskDefinitions[0].containerDefinitions[0].resourceRequirements[0].value: expected a whole number of GPUs from 1 to 16"),
            "{p:?}"
        );
    }
    // An unknown resource type, and an unknown network mode.
    let mut td = gpu_td(json!("1"));
    td["containerDefinitions"][0]["resourceRequirements"][0]["type"] = json!("FPGA");
    td["networkMode"] = json!("overlay");
    let p = problems(&cluster_with("g4dn.12xlarge", 1, td, 1));
    assert_eq!(
        p,
        [
            "taskDefinitions[0].containerDefinitions[0].resourceRequirements[0].type: expected \"GPU\" or \"InferenceAccelerator\", found \"FPGA\"",
            "taskDefinitions[0].networkMode: expected \"awsvpc\", \"bridge\", \"host\", \"none\" or (Windows) \"default\", found \"overlay\""
        ]
    );
    // Fargate: GPUs and a network mode other than awsvpc are refused.
    let mut td = gpu_td(json!("1"));
    td["requiresCompatibilities"] = json!(["EC2", "FARGATE"]);
    td["networkMode"] = json!("bridge");
    let p = problems(&cluster_with("g4dn.12xlarge", 1, td, 1));
    assert_eq!(p.len(), 2, "{p:?}");
    assert!(
        p[0].starts_with("taskDefinitions[0].requiresCompatibilities: Fargate offers no GPUs"),
        "{p:?}"
    );
    assert!(
        p[1].starts_with(
            "taskDefinitions[0].networkMode: Fargate requires \"awsvpc\", found \"bridge\""
        ),
        "{p:?}"
    );
    // awsvpcTrunking takes AWS's values only.
    let mut v = cluster_with("c5.large", 1, gpu_td(json!("1")), 1);
    v["settings"]["awsvpcTrunking"] = json!("on");
    let p = problems(&v);
    assert!(p.iter().any(|m| m.starts_with("settings.awsvpcTrunking: expected \"enabled\" or \"disabled\"")), "{p:?}");
}

/// `validate/capacity`: a service whose task no launchable instance could hold names the
/// device that is short.
#[test]
fn a_task_no_instance_can_hold_names_the_short_device() {
    // A GPU task on m5.large (no GPU): RESOURCE:GPU.
    let p = problems(&cluster_with("m5.large", 1, gpu_td(json!("1")), 1));
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].contains("it needs 1 GPUs (RESOURCE:GPU), and the most an instance with room for its CPU and memory offers is 0 (m5.large)"), "{p:?}");
    // An awsvpc task on a type given 1 ENI (the primary only): RESOURCE:ENI, and the hint.
    let mut v = cluster_with(
        "m5.large",
        1,
        json!({ "family": "t", "cpu": "256", "memory": "512", "requiresCompatibilities": ["EC2"], "networkMode": "awsvpc" }),
        1,
    );
    v["catalog"] = json!({ "instanceTypes": [{ "name": "m5.large", "maxEnis": 1 }] });
    let p = problems(&v);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].contains("it needs 1 ENIs for awsvpc tasks (RESOURCE:ENI), and the most an instance with room for its CPU and memory offers is 0 (m5.large) (settings.awsvpcTrunking \"enabled\" raises it"), "{p:?}");
    // With trunking on, m5.large offers ECS's 10 again (the override replaced only the count
    // without trunking).
    v["settings"]["awsvpcTrunking"] = json!("enabled");
    scenario(&v);
}

/// A batch task's GPUs come from its row when the row gives some, else from the task
/// definition: a Poisson workload (rows without GPUs) of a one-GPU task definition on one
/// g4dn.xlarge (1 GPU; by memory it would hold ⌊15,728 / 4,096⌋ = 3) runs one 10-minute task
/// at a time, so at most 60 / 10 = 6 complete in the hour.
#[test]
fn batch_tasks_take_the_task_definitions_gpus() {
    let workload = |td: Value| {
        let mut v = cluster_with("g4dn.xlarge", 1, td, 0);
        v["workloads"] = json!([{
            "name": "jobs",
            "taskDefinition": "t",
            "launchType": "EC2",
            "source": { "poisson": { "ratePerHour": 60.0, "duration": "10m", "count": 3, "end": "10m" } }
        }]);
        run(&v, 3).summary.workloads[0].tasks.clone()
    };
    let gpu = workload(gpu_td(json!("1")));
    assert!(gpu.submitted > 6, "{gpu:?}");
    assert!(gpu.completed <= 6, "{gpu:?}");
    // The same tasks without a GPU run three at a time.
    let mut td = gpu_td(json!("1"));
    td.as_object_mut()
        .expect("object")
        .remove("containerDefinitions");
    let plain = workload(td);
    assert_eq!(plain.submitted, gpu.submitted);
    assert!(plain.completed > gpu.completed, "{plain:?} vs {gpu:?}");
}
