//! Bad input is reported, all of it, with paths, lines and exit code 2; nothing panics.

use std::path::Path;
use std::process::Command;

use ecsim::ScenarioError;
use serde_json::json;

use super::support::{skeleton, zero_latencies};

/// A scenario with four independent mistakes.
fn four_mistakes() -> serde_json::Value {
    let mut v = skeleton("bad", "1h", &["us-east-1a"]);
    v["autoScalingGroups"] = json!([{
        "autoScalingGroupName": "asg",
        "instanceTypes": ["m5.huge"],
        "minSize": 1,
        "maxSize": 1
    }]);
    v["taskDefinitions"] = json!([
        // 256 CPU units allow 512, 1024 or 2048 MiB only (ecs-reference §7.2).
        { "family": "api", "cpu": "256", "memory": "4096", "requiresCompatibilities": ["FARGATE"] },
        { "family": "web", "cpu": "256", "memory": "512", "requiresCompatibilities": ["EC2"] }
    ]);
    v["services"] = json!([
        { "serviceName": "orphan", "taskDefinition": "missing", "desiredCount": 1 },
        { "serviceName": "typo", "taskDefinition": "web", "desiredCont": 1 }
    ]);
    v
}

pub(super) fn problems_of(text: &str) -> Vec<ecsim::scenario::Problem> {
    match ecsim::scenario::from_json_str(text, Path::new("bad.json"), Path::new(".")) {
        Err(ScenarioError::Invalid { file, problems }) => {
            assert_eq!(file, Path::new("bad.json"));
            problems
        }
        Err(other) => panic!("expected ScenarioError::Invalid, got {other}"),
        Ok(_) => panic!("a scenario with mistakes was accepted"),
    }
}

#[test]
fn every_problem_is_reported_with_its_path() {
    let text = serde_json::to_string_pretty(&four_mistakes()).unwrap();
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
    let asg = find("autoScalingGroups[0].instanceTypes[0]");
    assert!(asg.message.contains("m5.huge"), "{listing}");
    let fargate = find("taskDefinitions[0].memory");
    for mib in ["512", "1024", "2048"] {
        assert!(
            fargate.message.contains(mib),
            "the Fargate message should name the valid memory values; got: {}",
            fargate.message
        );
    }
    let missing = find("services[0].taskDefinition");
    assert!(missing.message.contains("missing"), "{listing}");
    // The unknown field is reported at its own path, with the expected field names.
    let typo = find("services[1].desiredCont");
    assert!(typo.message.contains("desiredCount"), "{listing}");
    assert_eq!(problems.len(), 4, "exactly the four mistakes:\n{listing}");
}

#[test]
fn a_syntax_error_names_line_and_column() {
    // Line 3 lacks the comma after "1h"; serde reports the next token, on line 4.
    let text = "{\n  \"name\": \"x\",\n  \"duration\": \"1h\"\n  \"cluster\": {}\n}\n";
    match ecsim::scenario::from_json_str(text, Path::new("syntax.json"), Path::new(".")) {
        Err(ScenarioError::Syntax {
            file, line, column, ..
        }) => {
            assert_eq!(file, Path::new("syntax.json"));
            assert_eq!(line, 4);
            assert_eq!(column, 3);
        }
        Err(other) => panic!("expected a syntax error, got {other}"),
        Ok(_) => panic!("broken JSON was accepted"),
    }
}

#[test]
fn the_binary_exits_2_and_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("four-mistakes.json");
    std::fs::write(
        &file,
        serde_json::to_string_pretty(&four_mistakes()).unwrap(),
    )
    .unwrap();
    for sub in ["validate", "run"] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ecsim"));
        cmd.arg(sub).arg(&file);
        if sub == "run" {
            cmd.arg("--quiet").arg("--out").arg(dir.path().join("out"));
        }
        let o = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{sub}: stderr: {stderr}");
        assert!(
            stderr.contains("four-mistakes.json"),
            "{sub}: stderr should name the file: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{sub}: {stderr}");
    }
}

/// A scenario replaying `trace.csv` (beside it) on Fargate.
fn trace_scenario(dir: &Path) -> std::path::PathBuf {
    let mut v = skeleton("trace", "1h", &["us-east-1a"]);
    v["settings"] = zero_latencies();
    v["taskDefinitions"] = json!([{ "family": "b", "cpu": "256", "memory": "512", "requiresCompatibilities": ["FARGATE"] }]);
    v["workloads"] = json!([{
        "name": "replay",
        "taskDefinition": "b",
        "launchType": "FARGATE",
        "source": { "csv": { "path": "trace.csv" } }
    }]);
    let file = dir.join("trace-scenario.json");
    std::fs::write(&file, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    file
}

#[test]
fn a_bad_trace_row_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    // Line 1 comment, line 2 header, lines 3–4 good rows, line 5 truncated (4 fields).
    std::fs::write(
        dir.path().join("trace.csv"),
        "# test trace\nsubmit_time_s,cpu_units,memory_mib,duration_s,count\n0,256,512,60,1\n10,256,512,60,2\n20,256,512\n",
    )
    .unwrap();
    let file = trace_scenario(dir.path());

    // Library: load succeeds (the trace is read lazily), run fails with a trace error.
    let sc = ecsim::load(&file).expect("the scenario itself is valid");
    let err = match ecsim::run(&sc, None, &mut |_| {}) {
        Err(e) => e,
        Ok(_) => panic!("a truncated trace row was accepted"),
    };
    assert!(matches!(err, ecsim::RunError::Trace(_)), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("trace.csv:5"),
        "should name file and line 5: {msg}"
    );

    // Binary: run exits 2 with the same location.
    let o = Command::new(env!("CARGO_BIN_EXE_ecsim"))
        .arg("run")
        .arg(&file)
        .arg("--quiet")
        .arg("--out")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "stderr: {stderr}");
    assert!(stderr.contains("trace.csv:5"), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

// ---- issue 10, point 4: tasks that can never run ------------------------------------------

/// One m6i.large group behind provider `p` (registers 2048 CPU units and
/// ⌊8192 × 0.925⌋ = 7577 MiB with the default overheads) and service `web` of `td` with
/// `desiredCount` 6 on `launch` (`launchType` or `capacityProviderStrategy` keys).
fn one_group(td: serde_json::Value, launch: serde_json::Value) -> serde_json::Value {
    let mut v = skeleton("never", "2h", &["us-east-1a", "us-east-1b"]);
    v["cluster"]["capacityProviders"] = json!(["p", "FARGATE"]);
    v["autoScalingGroups"] = json!([{
        "autoScalingGroupName": "asg", "instanceTypes": ["m6i.large"], "minSize": 2, "maxSize": 2
    }]);
    v["capacityProviders"] =
        json!([{ "name": "p", "autoScalingGroupProvider": { "autoScalingGroupArn": "asg" } }]);
    v["taskDefinitions"] = json!([td]);
    let mut service = json!({ "serviceName": "web", "taskDefinition": "web", "desiredCount": 6 });
    for (k, x) in launch.as_object().unwrap() {
        service[k] = x.clone();
    }
    v["services"] = json!([service]);
    v
}

fn by_provider() -> serde_json::Value {
    json!({ "capacityProviderStrategy": [{ "capacityProvider": "p", "weight": 1 }] })
}

#[test]
fn a_task_larger_than_every_instance_is_an_error_on_its_service() {
    let big = json!({ "family": "web", "cpu": "4096", "memory": "16384" });
    for launch in [by_provider(), json!({ "launchType": "EC2" })] {
        let v = one_group(big.clone(), launch.clone());
        let problems = problems_of(&serde_json::to_string(&v).unwrap());
        assert_eq!(problems.len(), 1, "{launch}: {problems:?}");
        let p = &problems[0];
        assert_eq!(p.path, "services[0]", "{p}");
        // The service, the task size in units and vCPU, and the largest instance with its
        // registered size: 2 vCPU = 2048 units, ⌊8192 × (1 − 0.075)⌋ = 7577 MiB.
        for needle in [
            "\"web\"",
            "4096 CPU units (4 vCPU)",
            "16384 MiB",
            "m6i.large",
            "2048 CPU units (2 vCPU)",
            "7577 MiB",
        ] {
            assert!(
                p.message.contains(needle),
                "{launch}: {needle} missing: {p}"
            );
        }
    }
    // Exactly the largest registered size still validates: the check is "fits", not "<".
    let fits = json!({ "family": "web", "cpu": "2048", "memory": "7577" });
    super::support::scenario(&one_group(fits, by_provider()));
}

#[test]
fn architecture_and_member_of_constraints_can_make_a_task_unplaceable() {
    let arm = json!({ "family": "web", "cpu": "256", "memory": "512",
                      "runtimePlatform": { "cpuArchitecture": "ARM64" } });
    let problems = problems_of(&one_group(arm, by_provider()).to_string());
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].message.contains("arm64"), "{}", problems[0]);

    let small = json!({ "family": "web", "cpu": "256", "memory": "512" });
    let mut v = one_group(small.clone(), json!({ "launchType": "EC2" }));
    v["services"][0]["placementConstraints"] = json!([{
        "type": "memberOf", "expression": "attribute:ecs.instance-type == c6i.xlarge"
    }]);
    let problems = problems_of(&v.to_string());
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].path, "services[0]");
    assert!(problems[0].message.contains("memberOf"), "{}", problems[0]);
    // A zone the group does reach keeps it valid.
    v["services"][0]["placementConstraints"] = json!([{
        "type": "memberOf", "expression": "attribute:ecs.availability-zone == us-east-1b"
    }]);
    super::support::scenario(&v);
}

#[test]
fn a_poisson_workload_larger_than_every_instance_is_an_error() {
    let mut v = one_group(
        json!({ "family": "web", "cpu": "256", "memory": "512" }),
        by_provider(),
    );
    v["taskDefinitions"] = json!([
        { "family": "web", "cpu": "256", "memory": "512" },
        { "family": "job", "cpu": "8192", "memory": "1024" }
    ]);
    v["workloads"] = json!([{
        "name": "jobs", "taskDefinition": "job",
        "capacityProviderStrategy": [{ "capacityProvider": "p", "weight": 1 }],
        "source": { "poisson": { "ratePerHour": 10, "duration": "5m" } }
    }]);
    let problems = problems_of(&v.to_string());
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].path, "workloads[0]");
    assert!(
        problems[0].message.contains("8192 CPU units (8 vCPU)"),
        "{}",
        problems[0]
    );
}

#[test]
fn a_service_task_that_never_fits_is_counted_as_never_placed() {
    // Validation refuses such a service; a scenario built in code can still ask for one.
    // Its tasks must show up as never placed rather than the summary saying 0.
    for launch in [by_provider(), json!({ "launchType": "EC2" })] {
        let v = one_group(
            json!({ "family": "web", "cpu": "256", "memory": "512" }),
            launch.clone(),
        );
        let mut sc = super::support::scenario(&v);
        sc.task_definitions[0].size = ecsim::units::Resources {
            cpu: ecsim::units::CpuUnits(4096),
            memory: ecsim::units::MemoryMib(16384),
        };
        let report = ecsim::run(&sc, None, &mut |_| {}).expect("the run itself succeeds");
        let t = &report.summary.tasks;
        assert_eq!(t.running_at_end, 0, "{launch}");
        assert!(t.never_placed >= 6, "{launch}: {t:?}");
        assert_eq!(t.failed, t.never_placed, "{launch}: {t:?}");
        assert_eq!(
            t.submitted,
            t.completed + t.failed + t.in_flight_at_end,
            "{launch}: {t:?}"
        );
    }
}
