//! CPU beyond the reservation on EC2 (issue 14 point 7): a task whose task definition has no
//! task-level `cpu` holds CPU shares, not a cap, and may use the unreserved CPU of its
//! instance, so the service's `CPUUtilization` (used ÷ reserved) reads above 100 %; a
//! task-level `cpu` caps it, and Fargate stays capped. See `src/simulation/burst.rs`.

use ecsim::report::Report;
use serde_json::{json, Value};

use super::support::{close, run, skeleton, PCT};

const SEED: u64 = 1;

/// One m5.large (2 vCPU: 2,048 CPU units registered) and a service `web` of `count` tasks
/// of 512 CPU units and 1,024 MiB, offered 1,000 requests/s from time zero, one task serving
/// 100 requests/s at 100 % of its reservation, idle at 0 %: CPU = 100 × ρ. The task size
/// is given on the container (`containerDefinitions[0].cpu`, a share) unless
/// `task_level_cpu`, which sets the task-level `cpu` (a hard limit).
fn one_instance(count: u32, task_level_cpu: bool) -> Value {
    let mut v = skeleton("burst", "10m", &["us-east-1a"]);
    v["settings"] = json!({ "ec2TaskStartLatency": "0s" });
    v["cluster"]["capacityProviders"] = json!(["cp"]);
    v["autoScalingGroups"] = json!([{
        "autoScalingGroupName": "asg",
        "instanceTypes": ["m5.large"],
        "minSize": 1, "maxSize": 1, "desiredCapacity": 1
    }]);
    v["capacityProviders"] =
        json!([{ "name": "cp", "autoScalingGroupProvider": { "autoScalingGroupArn": "asg" } }]);
    let mut td = json!({
        "family": "web",
        "requiresCompatibilities": ["EC2"],
        "containerDefinitions": [{ "name": "app", "cpu": 512, "memory": 1024 }]
    });
    if task_level_cpu {
        td["cpu"] = json!("512");
        td["memory"] = json!("1024");
    }
    v["taskDefinitions"] = json!([td]);
    v["services"] = json!([{
        "serviceName": "web",
        "taskDefinition": "web",
        "desiredCount": count,
        "capacityProviderStrategy": [{ "capacityProvider": "cp", "weight": 1 }],
        "load": {
            "points": [{ "at": "0s", "requestsPerSecond": 1000 }],
            "requestsPerTaskPerSecond": 100,
            "baselineCpuPercent": 0
        }
    }]);
    v
}

/// CPU utilization of minute 5 (a whole minute with the warm tasks running).
fn cpu_minute5(r: &Report) -> f64 {
    r.service_series
        .iter()
        .find(|x| x.minute == 5)
        .and_then(|x| x.cpu_utilization)
        .expect("a CPU datapoint at minute 5")
}

fn served_per_second(r: &Report) -> f64 {
    let l = r.summary.services[0].load.as_ref().expect("a load summary");
    l.served / r.summary.duration_s
}

#[test]
fn a_lone_512_unit_task_on_a_2048_unit_instance_reads_400_percent() {
    // ecs-reference §4.6 (cloudwatch-metrics.md): "512-unit task alone on a 2048-unit
    // instance can reach 400 %". Unreserved U = 2048 − 512 = 1536, burstable shares
    // B = 512: ceiling 1 + 1536 / 512 = 4 reservations. 1,000 requests/s would need 10
    // reservations' worth (ρ = 10), so the task runs at its ceiling: CPU 400 %, serving
    // 4 × 100 = 400 requests/s.
    let r = run(&one_instance(1, false), SEED);
    assert!(
        close(cpu_minute5(&r), 400.0, PCT),
        "seed {SEED}: {}",
        cpu_minute5(&r)
    );
    assert!(
        close(served_per_second(&r), 400.0, 1e-6),
        "seed {SEED}: {}",
        served_per_second(&r)
    );
}

#[test]
fn two_tasks_share_the_unreserved_cpu_in_the_ratio_of_their_shares() {
    // API Reference, ContainerDefinition cpu: tasks "share unallocated CPU units … with the
    // same ratio as their allocated amount". Two 512-unit tasks: U = 2048 − 1024 = 1024,
    // B = 1024: each may use 512 × (1 + 1024 / 1024) = 1,024 units, 200 % of its
    // reservation; together 2 × 2 × 100 = 400 requests/s, the whole instance.
    let r = run(&one_instance(2, false), SEED);
    assert!(
        close(cpu_minute5(&r), 200.0, PCT),
        "seed {SEED}: {}",
        cpu_minute5(&r)
    );
    assert!(close(served_per_second(&r), 400.0, 1e-6), "seed {SEED}");
    // Four tasks fill the instance's 2,048 units: U = 0, no headroom, 100 %.
    let r = run(&one_instance(4, false), SEED);
    assert!(
        close(cpu_minute5(&r), 100.0, PCT),
        "seed {SEED}: {}",
        cpu_minute5(&r)
    );
}

#[test]
fn a_task_level_cpu_or_the_setting_off_caps_the_task_at_its_reservation() {
    // re:Post "How does Amazon ECS allocate CPU to tasks?": a task-level cpu is the most the
    // task's containers may use. 1 task × 100 requests/s at 100 %.
    let r = run(&one_instance(1, true), SEED);
    assert!(
        close(cpu_minute5(&r), 100.0, PCT),
        "seed {SEED}: {}",
        cpu_minute5(&r)
    );
    assert!(close(served_per_second(&r), 100.0, 1e-6), "seed {SEED}");
    let mut v = one_instance(1, false);
    v["settings"]["cpuBeyondReservation"] = json!(false);
    let r = run(&v, SEED);
    assert!(
        close(cpu_minute5(&r), 100.0, PCT),
        "seed {SEED}: {}",
        cpu_minute5(&r)
    );
}

#[test]
fn target_tracking_sees_cpu_above_100_percent_and_sizes_the_service_from_it() {
    // The lone task reads 400 % (first test). With a 50 % CPU target, AlarmHigh's 3rd
    // datapoint ends at 3 min (the first minute, 0–1, counts: the task runs from time zero)
    // and reaches the alarm 183 s later, at 363 s: ⌈1 × 400 / 50⌉ = 8, where a capped task
    // (100 %) could only ask for ⌈1 × 100 / 50⌉ = 2.
    for (task_level, expected) in [(false, 8), (true, 2)] {
        let mut v = one_instance(1, task_level);
        v["services"][0]["autoScaling"] = json!({
            "minCapacity": 1,
            "maxCapacity": 20,
            "policies": [{
                "policyName": "cpu50",
                "policyType": "TargetTrackingScaling",
                "targetTrackingScalingPolicyConfiguration": {
                    "targetValue": 50,
                    "predefinedMetricSpecification": { "predefinedMetricType": "ECSServiceAverageCPUUtilization" }
                }
            }]
        });
        let r = run(&v, SEED);
        let first = r
            .events
            .iter()
            .find(|e| e.kind == "scaling" && e.subject == "web")
            .expect("a scale-out");
        assert_eq!(first.time_s, 363.0, "seed {SEED}: {}", first.message);
        assert!(
            first
                .message
                .starts_with(&format!("Setting desired count to {expected} (from 1)")),
            "task-level cpu {task_level}, seed {SEED}: {}",
            first.message
        );
    }
}
