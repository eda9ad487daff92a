//! RunTask limits (issue 14 point 3): at most 10 tasks per call, calls through the API's
//! token bucket, before any capacity limit.
//!
//! Sources: Amazon ECS API Reference, "RunTask" (`count` up to 10),
//! <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html>; "Request
//! throttling for the Amazon ECS API" (token bucket: maximum capacity = burst, refill =
//! sustained), <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html>;
//! ecs-reference §5.5 (RunTask: 20 calls per second, burst and sustained).

use serde_json::json;

use super::support::{run, skeleton, zero_latencies};

/// A burst of 10,000 batch tasks submitted at once on EC2 with room for all of them and no
/// latencies: the only wait is the API's.
///
/// 10,000 tasks / 10 per call = 1,000 calls. Burst 20: calls 0–19 pass at 0 s; then one every
/// 1 / 20 s = 50 ms, so call k passes at (k − 19) × 50 ms and the last (k = 999) at
/// 980 × 50 ms = 49 s: 200 tasks at once, then 200 tasks per second. Each call's 10 tasks
/// wait alike, so the mean wait is 50 ms × (1 + 2 + … + 980) / 1,000 calls
/// = 50 × 980 × 981 / 2 / 1,000 ms = 24.0345 s. Before the limit every task started at 0 s.
#[test]
fn a_burst_of_ten_thousand_tasks_launches_at_the_documented_rate() {
    let dir = tempfile::tempdir().expect("temp dir");
    let trace = dir.path().join("burst.csv");
    std::fs::write(
        &trace,
        "submit_time_s,cpu_units,memory_mib,duration_s,count\n0,128,128,3600,10000\n",
    )
    .expect("write the trace");
    let mut v = skeleton("runtask-burst", "10m", &["us-east-1a"]);
    // 80 × c6i.4xlarge hold 80 × 16,384 / 128 = 10,240 such tasks.
    v["autoScalingGroups"] = json!([{ "autoScalingGroupName": "asg",
        "instanceTypes": ["c6i.4xlarge"], "minSize": 80, "maxSize": 80, "desiredCapacity": 80 }]);
    v["taskDefinitions"] = json!([{ "family": "job", "cpu": "128", "memory": "128",
        "requiresCompatibilities": ["EC2"] }]);
    v["workloads"] = json!([{ "name": "burst", "taskDefinition": "job", "launchType": "EC2",
        "source": { "csv": { "path": trace.to_string_lossy() } } }]);
    let mut settings = zero_latencies();
    settings["maxWork"] = json!(1_000_000);
    v["settings"] = settings.clone();
    let r = run(&v, 1);
    let w = &r.summary.wait_time_s;
    assert_eq!(w.count, 10_000);
    assert!((w.max - 49.0).abs() < 1e-6, "{w:?}");
    assert!((w.mean - 24.0345).abs() < 1e-3, "{w:?}");

    // The bucket's settings are the scenario's: 1,000 calls at burst 1,000 all pass at once.
    settings["runTaskBurst"] = json!(1000);
    v["settings"] = settings.clone();
    let r = run(&v, 1);
    assert_eq!(
        r.summary.wait_time_s.max, 0.0,
        "{:?}",
        r.summary.wait_time_s
    );

    // 100 tasks per call: 100 calls; calls 20–99 pass at (k − 19) × 50 ms, the last at
    // 80 × 50 ms = 4 s.
    settings["runTaskBurst"] = json!(20);
    settings["runTaskMaxCount"] = json!(100);
    v["settings"] = settings;
    let r = run(&v, 1);
    assert!(
        (r.summary.wait_time_s.max - 4.0).abs() < 1e-6,
        "{:?}",
        r.summary.wait_time_s
    );
}

/// A zero count per call or a zero rate is a mistake, named at its path.
#[test]
fn run_task_settings_must_be_positive() {
    let mut v = skeleton("runtask-bad", "1h", &["us-east-1a"]);
    v["settings"] = json!({ "runTaskMaxCount": 0, "runTaskRatePerSecond": 0 });
    let problems = super::bad_input::problems_of(&serde_json::to_string_pretty(&v).expect("JSON"));
    for path in ["settings.runTaskMaxCount", "settings.runTaskRatePerSecond"] {
        assert!(
            problems.iter().any(|p| p.path == path),
            "{path}: {problems:?}"
        );
    }
}
