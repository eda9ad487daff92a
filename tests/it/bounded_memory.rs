//! Issue 10, point 2: bounded memory. A scenario that asks for more work than
//! `settings.maxWork` is refused by `validate` with the estimate and the setting, and a run
//! that outgrows the cap anyway stops with exit 2 and a message instead of being killed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{json, Value};

use crate::support::{skeleton, zero_latencies};

/// A Fargate batch workload drawn from a Poisson process at `rate` per hour for 30 days.
fn poisson(rate: f64) -> Value {
    let mut v = skeleton("typo", "30d", &["us-east-1a"]);
    v["taskDefinitions"] = json!([{ "family": "b", "cpu": "256", "memory": "512", "requiresCompatibilities": ["FARGATE"] }]);
    v["workloads"] = json!([{
        "name": "jobs",
        "taskDefinition": "b",
        "launchType": "FARGATE",
        "source": { "poisson": { "ratePerHour": rate, "duration": { "fixed": "1m" } } }
    }]);
    v
}

fn write(dir: &Path, name: &str, v: &Value) -> PathBuf {
    let file = dir.join(name);
    std::fs::write(&file, serde_json::to_string_pretty(v).unwrap()).unwrap();
    file
}

fn ecsim(args: &[&std::ffi::OsStr]) -> (Output, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_ecsim"))
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (o, stderr)
}

#[test]
fn a_rate_typo_is_refused_by_validate_naming_the_estimate_and_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "typo.json", &poisson(1e9));
    let (o, stderr) = ecsim(&["validate".as_ref(), file.as_os_str()]);
    assert_eq!(o.status.code(), Some(2), "stderr: {stderr}");
    // 1e9 submissions/h, each task alive a minute and more: over 16 million alive at once.
    for needle in [
        "typo.json",
        "workloads[0].source.poisson.ratePerHour",
        "tasks alive at once",
        "settings.maxWork = 16,000,000",
    ] {
        assert!(stderr.contains(needle), "{needle:?} missing in: {stderr}");
    }
    assert_eq!(stderr.matches(" - ").count(), 1, "one problem: {stderr}");

    // `run` validates first: refused at once with the same message, no output folder.
    let out = dir.path().join("out");
    let (o, stderr) = ecsim(&[
        "run".as_ref(),
        file.as_os_str(),
        "--quiet".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(o.status.code(), Some(2), "stderr: {stderr}");
    assert!(stderr.contains("settings.maxWork"), "{stderr}");
    assert!(!out.join("summary.json").exists());

    // Raising the cap lets it validate (without running it).
    let mut raised = poisson(1e9);
    raised["settings"] = json!({ "maxWork": 1e12 as u64 });
    let file = write(dir.path(), "raised.json", &raised);
    let (o, stderr) = ecsim(&["validate".as_ref(), file.as_os_str()]);
    assert_eq!(o.status.code(), Some(0), "stderr: {stderr}");
}

/// A Fargate batch replay of `rows` (beside the scenario), with `settings.maxWork = cap`.
fn trace(dir: &Path, rows: &str, cap: u64) -> PathBuf {
    std::fs::write(
        dir.join("trace.csv"),
        format!("submit_time_s,cpu_units,memory_mib,duration_s,count\n{rows}"),
    )
    .unwrap();
    let mut v = skeleton("trace", "1h", &["us-east-1a"]);
    let mut settings = zero_latencies();
    settings["maxWork"] = json!(cap);
    v["settings"] = settings;
    v["taskDefinitions"] = json!([{ "family": "b", "cpu": "256", "memory": "512", "requiresCompatibilities": ["FARGATE"] }]);
    v["workloads"] = json!([{
        "name": "replay",
        "taskDefinition": "b",
        "launchType": "FARGATE",
        "source": { "csv": { "path": "trace.csv" } }
    }]);
    write(dir, "trace.json", &v)
}

#[test]
fn a_run_that_outgrows_the_cap_stops_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    // 40 rows of 10 ten-minute tasks, one a minute: 400 tasks, 100 alive at once, over a cap
    // of 50. Loading does not read traces, so only the run can see it.
    let rows: String = (0..40)
        .map(|i| format!("{},256,512,600,10\n", i * 60))
        .collect();
    let file = trace(dir.path(), &rows, 50);
    let sc = ecsim::load(&file).expect("loading leaves traces out of the estimate");
    let err = match ecsim::run(&sc, None, &mut |_| {}) {
        Err(e) => e,
        Ok(r) => panic!("ran past the cap: {} tasks", r.summary.tasks.submitted),
    };
    assert!(
        matches!(err, ecsim::RunError::WorkCap { limit: 50, .. }),
        "{err}"
    );
    // Five rows make 50 tasks, all alive; the 6th (line 7, at 5 min) would make 60 > 50.
    let msg = err.to_string();
    assert!(
        msg.contains("stopped at 0+00:05:00.000: workload replay submits 10 tasks at once (trace line 7) with 50 tasks alive (50 created)"),
        "{msg}"
    );
    assert!(msg.contains("settings.maxWork = 50"), "{msg}");

    let out = dir.path().join("out");
    let (o, stderr) = ecsim(&[
        "run".as_ref(),
        file.as_os_str(),
        "--quiet".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(o.status.code(), Some(2), "stderr: {stderr}");
    assert!(stderr.contains("settings.maxWork = 50"), "{stderr}");

    // `validate` reads the trace, so it refuses the scenario before any run, naming the trace.
    let (o, stderr) = ecsim(&["validate".as_ref(), file.as_os_str()]);
    assert_eq!(o.status.code(), Some(2), "stderr: {stderr}");
    assert!(stderr.contains("workloads[0].source"), "{stderr}");
    assert!(
        stderr.contains("400 tasks in its trace, 100 alive at once at most"),
        "{stderr}"
    );

    // Issue 13: the cap is on tasks alive, not created. The same trace creates 400 tasks and
    // holds at most 110 at once (the ten stopping at a minute's mark, as ten more start), so
    // a cap of 110 runs it all (it stopped at 110 tasks created before).
    let file = trace(dir.path(), &rows, 110);
    let sc = ecsim::load(&file).expect("valid");
    let r = ecsim::run(&sc, None, &mut |_| {}).expect("110 alive at once fit a cap of 110");
    assert_eq!(r.summary.tasks.submitted, 400);
}

#[test]
fn one_row_asking_for_more_than_the_cap_stops_before_creating_them() {
    let dir = tempfile::tempdir().unwrap();
    // Line 2: one row of 4 billion tasks. Creating them first would exhaust memory.
    let file = trace(dir.path(), "0,256,512,60,4000000000\n", 1000);
    let sc = ecsim::load(&file).expect("valid");
    let err = match ecsim::run(&sc, None, &mut |_| {}) {
        Err(e) => e,
        Ok(_) => panic!("4e9 tasks accepted under a cap of 1000"),
    };
    let msg = err.to_string();
    assert!(
        msg.contains("workload replay submits 4000000000 tasks at once (trace line 2)"),
        "{msg}"
    );
}

#[test]
fn service_tasks_replaced_many_times_are_released() {
    // Ten Fargate tasks that all crash at start: the scheduler replaces them with back-off,
    // 31 tasks in an hour. The estimate counts the 10 alive at once; issue 13: the crashed
    // ones are released, so a cap of 10 holds the whole hour (it stopped the run at 11 tasks
    // created before). A cold start: warm tasks begin RUNNING, past the start a crash hits.
    let mut v = skeleton("crash", "1h", &["us-east-1a"]);
    v["settings"] = json!({ "maxWork": 10, "start": "cold" });
    v["taskDefinitions"] = json!([{ "family": "t", "cpu": "256", "memory": "512", "requiresCompatibilities": ["FARGATE"] }]);
    v["services"] = json!([{ "serviceName": "web", "taskDefinition": "t", "desiredCount": 10, "launchType": "FARGATE" }]);
    v["faults"] = json!({ "taskCrashes": [{ "service": "web", "crashAtStartProbability": 1.0 }] });
    let r = ecsim::run(&crate::support::scenario(&v), None, &mut |_| {}).expect("10 alive fit");
    assert_eq!(r.summary.tasks.submitted, 31);
    // Below the ten the service holds at once, the scenario is refused before it runs.
    v["settings"] = json!({ "maxWork": 9, "start": "cold" });
    let text = serde_json::to_string(&v).unwrap();
    let e = ecsim::scenario::from_json_str(
        &text,
        std::path::Path::new("crash.json"),
        std::path::Path::new("."),
    )
    .expect_err("9 < 10");
    assert!(e.to_string().contains("settings.maxWork = 9"), "{e}");
}

#[test]
fn an_event_queue_longer_than_its_cap_stops_the_run() {
    // Six trace workloads whose first rows are an hour away: no task exists at first, but
    // each waits on one submission event, besides the metric and scheduler ticks. With
    // maxWork 1, at most 4 × 1 events may wait; the first event handled finds 7 or more.
    // (Loading does not count traces, so the scenario validates.)
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("later.csv"),
        "submit_time_s,cpu_units,memory_mib,duration_s,count\n3600,256,512,60,1\n",
    )
    .unwrap();
    let mut v = skeleton("events", "2h", &["us-east-1a"]);
    v["settings"] = json!({ "maxWork": 1 });
    v["taskDefinitions"] = json!([{ "family": "b", "cpu": "256", "memory": "512", "requiresCompatibilities": ["FARGATE"] }]);
    v["workloads"] = json!((0..6)
        .map(|i| json!({
            "name": format!("w{i}"),
            "taskDefinition": "b",
            "launchType": "FARGATE",
            "source": { "csv": { "path": "later.csv" } }
        }))
        .collect::<Vec<_>>());
    let file = write(dir.path(), "events.json", &v);
    let sc = ecsim::load(&file).expect("valid: traces are not counted at load");
    let err = match ecsim::run(&sc, None, &mut |_| {}) {
        Err(e) => e,
        Ok(_) => panic!("ran with more events waiting than the cap"),
    };
    let msg = err.to_string();
    assert!(
        msg.contains("events waiting (at most 4 per work item)"),
        "{msg}"
    );
    assert!(msg.contains("stopped at 0+00:00:00.000"), "{msg}");
}
