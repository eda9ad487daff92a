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
/// ⌊8192 × 0.96⌋ = 7864 MiB with the default Nitro overhead) and service `web` of `td` with
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
        // registered size: 2 vCPU = 2048 units, ⌊8192 × (1 − 0.04)⌋ = 7864 MiB.
        for needle in [
            "\"web\"",
            "4096 CPU units (4 vCPU)",
            "16384 MiB",
            "m6i.large",
            "2048 CPU units (2 vCPU)",
            "7864 MiB",
        ] {
            assert!(
                p.message.contains(needle),
                "{launch}: {needle} missing: {p}"
            );
        }
    }
    // Exactly the largest registered size still validates: the check is "fits", not "<".
    let fits = json!({ "family": "web", "cpu": "2048", "memory": "7864" });
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
        sc.task_definitions[0].size = ecsim::units::Resources::new(4096, 16384);
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

// ---- issue 10, point 5: one mistake, one message, in the scenario's words ---------------

/// One change to a shipped scenario.
enum Edit {
    /// Set the value at a JSON pointer (the parent must exist).
    Set(&'static str, serde_json::Value),
    /// Remove the key at a JSON pointer.
    Remove(&'static str),
    /// Rename the key at a JSON pointer (a typo in a field name).
    Rename(&'static str, &'static str),
    /// Replace the whole document.
    Whole(serde_json::Value),
}

/// A shipped scenario with one mistake, where it must be reported and a word the message
/// must contain.
struct Mistake {
    scenario: &'static str,
    edits: Vec<Edit>,
    path: &'static str,
    says: &'static str,
}

fn m(scenario: &'static str, edit: Edit, path: &'static str, says: &'static str) -> Mistake {
    Mistake {
        scenario,
        edits: vec![edit],
        path,
        says,
    }
}

fn apply(doc: &mut serde_json::Value, edit: &Edit) {
    let parent_and_key = |p: &str| {
        let (parent, key) = p.rsplit_once('/').expect("a pointer with a parent");
        (parent.to_string(), key.to_string())
    };
    match edit {
        Edit::Set(p, v) => {
            let (parent, key) = parent_and_key(p);
            match doc.pointer_mut(&parent).expect(p) {
                serde_json::Value::Array(a) => a[key.parse::<usize>().unwrap()] = v.clone(),
                serde_json::Value::Object(o) => {
                    o.insert(key, v.clone());
                }
                other => panic!("{p}: parent is {other}"),
            }
        }
        Edit::Remove(p) => {
            let (parent, key) = parent_and_key(p);
            let o = doc.pointer_mut(&parent).and_then(|v| v.as_object_mut());
            o.expect(p).remove(&key).expect(p);
        }
        Edit::Rename(p, new) => {
            let (parent, key) = parent_and_key(p);
            let o = doc.pointer_mut(&parent).and_then(|v| v.as_object_mut());
            let o = o.expect(p);
            let v = o.remove(&key).expect(p);
            o.insert(new.to_string(), v);
        }
        Edit::Whole(v) => *doc = v.clone(),
    }
}

/// Every problem as (path, message); a shape error of the text is split at its path.
fn outcome(text: &str, base_dir: &Path) -> Vec<(String, String)> {
    match ecsim::scenario::from_json_str(text, Path::new("m.json"), base_dir) {
        Ok(_) => Vec::new(),
        Err(ScenarioError::Invalid { problems, .. }) => {
            problems.into_iter().map(|p| (p.path, p.message)).collect()
        }
        Err(ScenarioError::Syntax { message, .. }) => match message.split_once(": ") {
            Some((p, msg)) if !p.contains(' ') => vec![(p.to_string(), msg.to_string())],
            _ => vec![(String::new(), message)],
        },
        Err(other) => vec![(String::new(), other.to_string())],
    }
}

/// Words that belong to Rust or serde, not to a scenario. File paths are left out: a
/// trace may well be called `batch_task.csv`.
fn rust_isms(message: &str) -> Vec<String> {
    let mut found = Vec::new();
    let without_paths: Vec<&str> = message
        .split_whitespace()
        .filter(|w| !w.contains('/') && !w.contains(".csv") && !w.contains(".json"))
        .collect();
    let without_paths = without_paths.join(" ");
    for word in without_paths.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
        let banned = [
            "struct", "enum", "variant", "untagged", "i64", "i32", "u64", "u32", "u16", "u8",
            "usize", "f64", "f32", "sequence", "Option", "None", "Some",
        ];
        if banned.contains(&word) || word == "18446744073709551615" {
            found.push(word.to_string());
        }
        // A snake_case name (`rate_per_hour`) is a Rust field, never a scenario key.
        let b = word.as_bytes();
        if (1..b.len().saturating_sub(1))
            .any(|i| b[i] == b'_' && b[i - 1].is_ascii_lowercase() && b[i + 1].is_ascii_lowercase())
        {
            found.push(word.to_string());
        }
    }
    if message.contains("..=") {
        found.push("..= (a Rust range)".to_string());
    }
    if message.contains(" at line ") {
        found.push("at line (the position is given once, before the message)".to_string());
    }
    found
}

fn mistakes() -> Vec<Mistake> {
    use Edit::*;
    let q = "quickstart.json";
    let outage = "az-outage/one-az.json";
    let lag = "scale-out-lag/scenario.json";
    let binpack = "binpack-vs-spread/binpack.json";
    let spot = "fargate-spot-base/spot-plus-one.json";
    let wc = "ec2-or-fargate/scenario.json";
    let spare = "az-outage/three-azs-spare.json";
    let cool = "cooldown-oscillation/default-cooldowns.json";
    let gpu = "gpu-batch/cpu-pods-on-fargate.json";
    vec![
        // Found by mutating every leaf of every shipped scenario: each gave two messages.
        m(
            q,
            Set("/taskDefinitions/1/cpu", json!("256x")),
            "taskDefinitions[1].cpu",
            "256x",
        ),
        m(
            q,
            Set("/taskDefinitions/1/memory", json!("512x")),
            "taskDefinitions[1].memory",
            "512x",
        ),
        m(
            q,
            Set("/autoScalingGroups/0/maxSize", json!(-1)),
            "autoScalingGroups[0].maxSize",
            "-1",
        ),
        m(
            q,
            Set("/autoScalingGroups/1/minSize", json!(-1)),
            "autoScalingGroups[1].minSize",
            "-1",
        ),
        m(
            wc,
            Set("/autoScalingGroups/1/purchaseOption", json!("spotx")),
            "autoScalingGroups[1].purchaseOption",
            "spotx",
        ),
        m(
            wc,
            Set(
                "/capacityProviders/0/autoScalingGroupProvider/managedScaling/status",
                json!("ENABLEDx"),
            ),
            "capacityProviders[0].autoScalingGroupProvider.managedScaling.status",
            "ENABLEDx",
        ),
        m(
            wc,
            Set("/capacityProviders/0/name", json!("web-ec2x")),
            "cluster.capacityProviders[0]",
            "web-ec2x",
        ),
        m(
            wc,
            Set(
                "/services/0/load/trace/windowEnd",
                json!("1998-07-01 00:00:00"),
            ),
            "services[0].load.trace.windowEnd",
            "windowStart",
        ),
        m(
            wc,
            Set("/services/0/autoScaling/maxCapacity", json!(-1)),
            "services[0].autoScaling.maxCapacity",
            "-1",
        ),
        m(
            spare,
            Set("/cluster/availabilityZones/0", json!("us-east-1ax")),
            "autoScalingGroups[0].availabilityZones[0]",
            "us-east-1a",
        ),
        m(
            cool,
            Remove("/services/0/load"),
            "services[0].autoScaling.policies[0].alarm.metricName",
            "load model",
        ),
        m(
            cool,
            Set(
                "/services/0/autoScaling/policies/0/alarm/evaluationPeriods",
                json!(-4),
            ),
            "services[0].autoScaling.policies[0].alarm.evaluationPeriods",
            "-4",
        ),
        // The three of the issue: each used to bring three or four more messages.
        m(
            q,
            Rename("/cluster/clusterName", "clusterNme"),
            "cluster.clusterNme",
            "clusterName",
        ),
        m(
            q,
            Remove("/cluster/availabilityZones"),
            "cluster",
            "availabilityZones",
        ),
        m(
            q,
            Set("/cluster/availabilityZones", json!([""])),
            "cluster.availabilityZones[0]",
            "zone name",
        ),
        m(
            q,
            Set("/cluster/availabilityZones", json!([])),
            "cluster.availabilityZones",
            "at least one",
        ),
        m(
            q,
            Set("/taskDefinitions/1/cpu", json!("300")),
            "taskDefinitions[1].cpu",
            "256, 512",
        ),
        // Names that others refer to.
        m(
            q,
            Set("/cluster/capacityProviders/0", json!("web-ec")),
            "cluster.capacityProviders[0]",
            "web-ec",
        ),
        m(
            q,
            Set("/autoScalingGroups/0/instanceTypes/0", json!("m6i.larg")),
            "autoScalingGroups[0].instanceTypes[0]",
            "m6i.larg",
        ),
        m(
            q,
            Rename(
                "/autoScalingGroups/0/autoScalingGroupName",
                "autoScalingGroupNam",
            ),
            "autoScalingGroups[0].autoScalingGroupNam",
            "autoScalingGroupName",
        ),
        m(
            q,
            Set("/autoScalingGroups/0/minSize", json!("3")),
            "autoScalingGroups[0].minSize",
            "whole number",
        ),
        m(
            q,
            Set("/autoScalingGroups/0/maxSize", json!(2)),
            "autoScalingGroups[0].minSize",
            "maxSize",
        ),
        m(
            q,
            Set(
                "/autoScalingGroups/0/availabilityZones",
                json!(["us-east-1x"]),
            ),
            "autoScalingGroups[0].availabilityZones[0]",
            "us-east-1x",
        ),
        m(
            q,
            Set(
                "/capacityProviders/0/autoScalingGroupProvider/autoScalingGroupArn",
                json!("web-asgg"),
            ),
            "capacityProviders[0].autoScalingGroupProvider.autoScalingGroupArn",
            "web-asgg",
        ),
        m(
            q,
            Set("/capacityProviders/0/foo", json!(1)),
            "capacityProviders[0].foo",
            "autoScalingGroupProvider",
        ),
        m(
            q,
            Rename("/taskDefinitions/0/family", "famly"),
            "taskDefinitions[0].famly",
            "family",
        ),
        m(
            q,
            Set("/taskDefinitions/0/requiresCompatibilities/0", json!("EC3")),
            "taskDefinitions[0].requiresCompatibilities[0]",
            "EC3",
        ),
        m(
            q,
            Set("/taskDefinitions/0/cpu", json!([1])),
            "taskDefinitions[0].cpu",
            "CPU units",
        ),
        m(
            q,
            Set("/taskDefinitions/1/memory", json!("4096")),
            "taskDefinitions[1].memory",
            "512, 1024, 2048",
        ),
        m(
            q,
            Set("/taskDefinitions/0/cpu", json!("16 vCPU")),
            "services[0]",
            "16384 CPU units (16 vCPU)",
        ),
        m(
            q,
            Rename("/services/0/serviceName", "servicename"),
            "services[0].servicename",
            "serviceName",
        ),
        m(
            q,
            Set("/services/0/desiredCount", json!("6")),
            "services[0].desiredCount",
            "whole number",
        ),
        m(
            q,
            Set("/services/0/desiredCount", json!(6.5)),
            "services[0].desiredCount",
            "6.5",
        ),
        m(
            q,
            Set("/services/0/desiredCount", json!(-1)),
            "services[0].desiredCount",
            "-1",
        ),
        m(
            q,
            Set("/services/0/taskDefinition", json!("wbe")),
            "services[0].taskDefinition",
            "wbe",
        ),
        m(
            q,
            Set("/services/0/launchType", json!("EC3")),
            "services[0].launchType",
            "EC3",
        ),
        m(
            q,
            Set("/services/0/placementStrategy/0/type", json!("spred")),
            "services[0].placementStrategy[0].type",
            "spred",
        ),
        m(
            q,
            Set(
                "/services/0/placementConstraints",
                json!([{ "type": "memberOf", "expression": "attribute:ecs.instance-type ==" }]),
            ),
            "services[0].placementConstraints[0].expression",
            "expected",
        ),
        m(
            q,
            Remove("/services/0/placementStrategy/1/field"),
            "services[0].placementStrategy[1].field",
            "memory",
        ),
        m(
            q,
            Set("/services/0/placementStrategy/1/field", json!("disk")),
            "services[0].placementStrategy[1].field",
            "disk",
        ),
        m(
            q,
            Set("/autoScalingGroups/0/desiredCapacity", json!(10)),
            "autoScalingGroups[0].desiredCapacity",
            "maxSize",
        ),
        m(
            q,
            Set("/services/1/capacityProviderStrategy/1/base", json!(1)),
            "services[1].capacityProviderStrategy",
            "base",
        ),
        m(
            q,
            Set("/services/1/capacityProviderStrategy/0/weight", json!("1")),
            "services[1].capacityProviderStrategy[0].weight",
            "whole number",
        ),
        m(
            q,
            Set(
                "/services/1/capacityProviderStrategy/1/capacityProvider",
                json!("FARGATE_SPOTT"),
            ),
            "services[1].capacityProviderStrategy[1].capacityProvider",
            "FARGATE_SPOTT",
        ),
        m(
            q,
            Set(
                "/workloads/0/source",
                json!({ "csvv": { "path": "x.csv" } }),
            ),
            "workloads[0].source",
            "csvv",
        ),
        m(
            q,
            Set(
                "/workloads/0/source",
                json!({ "csv": { "path": "a.csv" }, "swf": { "path": "b.swf" } }),
            ),
            "workloads[0].source",
            "exactly one key",
        ),
        m(
            q,
            Set("/workloads/0/source/alibaba/path", json!("traces")),
            "workloads[0].source.alibaba.path",
            "folder",
        ),
        m(
            q,
            Set("/workloads/0/source/alibaba/path", json!("traces/nope.csv")),
            "workloads[0].source.alibaba.path",
            "does not exist",
        ),
        m(
            q,
            Set("/workloads/0/source/alibaba/jobSample", json!(-1)),
            "workloads[0].source.alibaba.jobSample",
            "-1",
        ),
        m(
            gpu,
            Set("/workloads/0/source/alibabaGpu/podSample", json!(0)),
            "workloads[0].source.alibabaGpu.podSample",
            "positive",
        ),
        m(
            gpu,
            Set("/workloads/0/source/alibabaGpu/pods", json!("gpus")),
            "workloads[0].source.alibabaGpu.pods",
            "\"cpuOnly\"",
        ),
        m(
            gpu,
            Set(
                "/workloads/1/source/alibabaGpu/phases",
                json!(["Running", "Done"]),
            ),
            "workloads[1].source.alibabaGpu.phases[1]",
            "\"Done\"",
        ),
        m(
            gpu,
            Set("/workloads/1/source/alibabaGpu/phases", json!([])),
            "workloads[1].source.alibabaGpu.phases",
            "at least one",
        ),
        m(
            gpu,
            Set("/workloads/0/source/alibabaGpu/beforeOrigin", json!("trim")),
            "workloads[0].source.alibabaGpu.beforeOrigin",
            "trimToWindow",
        ),
        m(
            gpu,
            Set("/workloads/0/source/alibabaGpu/origin", json!("-140d")),
            "workloads[0].source.alibabaGpu.origin",
            "negative",
        ),
        m(
            gpu,
            Set(
                "/workloads/0/source/alibabaGpu/path",
                json!("../traces/nope.csv"),
            ),
            "workloads[0].source.alibabaGpu.path",
            "does not exist",
        ),
        m(
            q,
            Set(
                "/workloads/0/capacityProviderStrategy/0/capacityProvider",
                json!("batch"),
            ),
            "workloads[0].capacityProviderStrategy[0].capacityProvider",
            "batch",
        ),
        // Top-level values, read with lines and columns.
        m(q, Set("/duration", json!(-5)), "duration", "negative"),
        m(q, Set("/duration", json!("-5m")), "duration", "negative"),
        m(q, Set("/duration", json!(-1.5)), "duration", "negative"),
        m(q, Set("/duration", json!(1e30)), "duration", "too long"),
        m(
            q,
            Set("/duration", json!("99999999999999999999d")),
            "duration",
            "too long",
        ),
        m(q, Set("/duration", json!("400d")), "duration", "366 days"),
        m(q, Set("/seed", json!(-1)), "seed", "whole number"),
        m(q, Set("/seed", json!("x")), "seed", "whole number"),
        m(q, Set("/services", json!({})), "services", "list"),
        m(q, Set("/clusterz", json!({})), "clusterz", "cluster"),
        m(q, Set("/cluster", json!("x")), "cluster", "object"),
        m(q, Whole(json!([1, 2])), "", "object"),
        // Settings and their distributions.
        m(
            q,
            Set("/settings", json!({ "ec2TaskStartLatency": -3 })),
            "settings.ec2TaskStartLatency",
            "negative",
        ),
        m(
            q,
            Set(
                "/settings",
                json!({ "ec2TaskStartLatency": { "uniform": { "min": "1s" } } }),
            ),
            "settings.ec2TaskStartLatency.uniform",
            "max",
        ),
        m(
            q,
            Set(
                "/settings",
                json!({ "ec2TaskStartLatency": { "gaussian": {} } }),
            ),
            "settings.ec2TaskStartLatency",
            "gaussian",
        ),
        m(
            q,
            Set("/settings", json!({ "ec2TaskStartLatency": true })),
            "settings.ec2TaskStartLatency",
            "duration",
        ),
        m(
            q,
            Set("/settings", json!({ "reservedMemoryMib": -1 })),
            "settings.reservedMemoryMib",
            "-1",
        ),
        m(
            q,
            Set("/settings", json!({ "spotInstanceDraining": "yes" })),
            "settings.spotInstanceDraining",
            "true or false",
        ),
        m(
            q,
            Set("/settings", json!({ "provisioningTimout": "1m" })),
            "settings.provisioningTimout",
            "provisioningTimeout",
        ),
        m(
            q,
            Set("/settings", json!({ "memoryOverheadFraction": 2 })),
            "settings.memoryOverheadFraction",
            "fraction",
        ),
        m(
            q,
            Set("/catalogFile", json!("traces")),
            "catalogFile",
            "folder",
        ),
        // Faults refer to services, zones and providers.
        m(
            q,
            Set(
                "/faults",
                json!({ "taskCrashes": [{ "service": "webb", "ratePerTaskHour": 1 }] }),
            ),
            "faults.taskCrashes[0].service",
            "webb",
        ),
        m(
            q,
            Set(
                "/faults",
                json!({ "taskCrashes": [{ "service": "web", "ratePerTaskHour": "x" }] }),
            ),
            "faults.taskCrashes[0].ratePerTaskHour",
            "number",
        ),
        m(
            outage,
            Set("/faults/azOutages/0/availabilityZone", json!("us-east-1x")),
            "faults.azOutages[0].availabilityZone",
            "us-east-1x",
        ),
        m(
            outage,
            Set("/faults/azOutages/0/duration", json!(-60)),
            "faults.azOutages[0].duration",
            "negative",
        ),
        m(
            outage,
            Remove("/cluster/availabilityZones"),
            "cluster",
            "availabilityZones",
        ),
        m(
            outage,
            Set(
                "/cluster/defaultCapacityProviderStrategy/0/capacityProvider",
                json!("web"),
            ),
            "cluster.defaultCapacityProviderStrategy[0].capacityProvider",
            "web",
        ),
        // Load and auto scaling.
        m(
            lag,
            Set("/services/0/autoScaling/policies/0/policyType", json!(5)),
            "services[0].autoScaling.policies[0].policyType",
            "string",
        ),
        m(
            lag,
            Remove("/services/0/autoScaling/maxCapacity"),
            "services[0].autoScaling",
            "maxCapacity",
        ),
        m(
            lag,
            Set("/services/0/load/requestsPerTaskPerSecond", json!("x")),
            "services[0].load.requestsPerTaskPerSecond",
            "number",
        ),
        m(
            lag,
            Set("/services/0/load/points/0/at", json!(-1)),
            "services[0].load.points[0].at",
            "negative",
        ),
        // Poisson workloads.
        m(
            binpack,
            Set("/workloads/0/source/poisson/ratePerHour", json!("x")),
            "workloads[0].source.poisson.ratePerHour",
            "number",
        ),
        m(
            binpack,
            Remove("/workloads/0/source/poisson/ratePerHour"),
            "workloads[0].source.poisson",
            "ratePerHour",
        ),
        m(
            binpack,
            Set("/workloads/0/source/poisson/ratePerHour", json!(0)),
            "workloads[0].source.poisson.ratePerHour",
            "positive",
        ),
        m(
            binpack,
            Remove("/taskDefinitions/0/cpu"),
            "workloads[0].taskDefinition",
            "cpu",
        ),
        m(
            binpack,
            Set("/workloads/0/source/poisson/end", json!("0s")),
            "workloads[0].source.poisson.end",
            "start",
        ),
        m(
            binpack,
            Set(
                "/workloads/0/source/poisson/duration",
                json!({ "uniform": { "min": "5m", "max": "1m" } }),
            ),
            "workloads[0].source.poisson.duration.uniform",
            "min",
        ),
        m(
            binpack,
            Set("/workloads/0/source/poisson/duration", json!("0s")),
            "workloads[0].source.poisson.duration",
            "0.001",
        ),
        m(
            binpack,
            Set("/workloads/0/source/poisson/duration", json!({ "foo": 1 })),
            "workloads[0].source.poisson.duration",
            "foo",
        ),
        m(
            binpack,
            Set(
                "/workloads/0/source/poisson/duration",
                json!({ "exponential": { "mean": "-1m" } }),
            ),
            "workloads[0].source.poisson.duration.exponential.mean",
            "negative",
        ),
        m(
            binpack,
            Set("/taskDefinitions/1/cpu", json!("8 vCPU")),
            "workloads[1]",
            "8192 CPU units (8 vCPU)",
        ),
        m(
            binpack,
            Set("/taskDefinitions/1/memory", json!("banana")),
            "taskDefinitions[1].memory",
            "banana",
        ),
        // Fargate services.
        m(
            spot,
            Set("/cluster/capacityProviders", json!(["FARGATE"])),
            "services[0].capacityProviderStrategy[0].capacityProvider",
            "not associated",
        ),
        m(
            spot,
            Set("/taskDefinitions/0/cpu", json!("300")),
            "taskDefinitions[0].cpu",
            "Fargate",
        ),
        m(
            spot,
            Set(
                "/faults/fargateSpotInterruptions/ratePerTaskHour",
                json!(-1),
            ),
            "faults.fargateSpotInterruptions.ratePerTaskHour",
            "-1",
        ),
    ]
}

#[test]
fn one_mistake_gives_one_message_on_its_field_in_the_scenarios_words() {
    let root = super::support::repo_root().join("scenarios");
    let mut failures = Vec::new();
    let all = mistakes();
    for (i, mistake) in all.iter().enumerate() {
        let file = root.join(mistake.scenario);
        let mut doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        for e in &mistake.edits {
            apply(&mut doc, e);
        }
        let text = serde_json::to_string_pretty(&doc).unwrap();
        let problems = outcome(&text, file.parent().unwrap());
        let listing = problems
            .iter()
            .map(|(p, m)| format!("    {p}: {m}"))
            .collect::<Vec<_>>()
            .join("\n");
        let label = format!("#{i} {} → {}", mistake.scenario, mistake.path);
        match problems.as_slice() {
            [(path, message)] => {
                if path != mistake.path {
                    failures.push(format!("{label}: reported at {path:?}\n{listing}"));
                }
                if !message.contains(mistake.says) {
                    failures.push(format!(
                        "{label}: message lacks {:?}\n{listing}",
                        mistake.says
                    ));
                }
                let isms = rust_isms(message);
                if !isms.is_empty() {
                    failures.push(format!("{label}: Rust words {isms:?}\n{listing}"));
                }
            }
            [] => failures.push(format!("{label}: accepted")),
            _ => failures.push(format!(
                "{label}: {} problems for one mistake\n{listing}",
                problems.len()
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} single mistakes fell short:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}

#[test]
fn a_missing_scenario_file_prints_its_os_error_once() {
    let dir = tempfile::tempdir().unwrap();
    for target in [dir.path().join("nope.json"), dir.path().to_path_buf()] {
        let o = Command::new(env!("CARGO_BIN_EXE_ecsim"))
            .arg("validate")
            .arg(&target)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{stderr}");
        assert_eq!(stderr.matches("os error").count(), 1, "{stderr}");
    }
}

#[test]
fn a_catalog_file_mistake_is_in_json_words_too() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("catalog.json"),
        r#"{"instanceTypes":[{"name":"x1.big","arch":"X86_64","vcpu":"2","memoryMib":1024,"onDemandUsdPerHour":0.1}]}"#,
    )
    .unwrap();
    let mut v = skeleton("cat", "1h", &["us-east-1a"]);
    v["catalogFile"] = json!("catalog.json");
    v["taskDefinitions"] = json!([{ "family": "a", "cpu": "256", "memory": "512", "requiresCompatibilities": ["FARGATE"] }]);
    v["services"] = json!([{ "serviceName": "a", "taskDefinition": "a", "desiredCount": 1, "launchType": "FARGATE" }]);
    let problems = outcome(&v.to_string(), dir.path());
    assert_eq!(problems.len(), 1, "{problems:?}");
    let (path, message) = &problems[0];
    assert_eq!(path, "catalogFile");
    assert!(message.contains("whole number"), "{message}");
    // The position ("at line 1, column 61") is the catalog file's own, given once.
    let (_, serde_part) = message.rsplit_once(": ").unwrap();
    assert!(rust_isms(serde_part).is_empty(), "{message}");
}

/// Every leaf and key of every shipped scenario, changed one at a time (another type, a
/// typo, a negative number, removed, renamed): whatever the validator says about it is in
/// the scenario's words, and nothing panics. (How many problems each gives is pinned by
/// the table above; a removed list that names several objects rightly gives one message
/// per missing name.)
#[test]
fn every_leaf_mutation_of_the_shipped_scenarios_speaks_the_scenarios_words() {
    fn leaves(v: &serde_json::Value, at: String, out: &mut Vec<(String, serde_json::Value)>) {
        match v {
            serde_json::Value::Object(o) => {
                for (k, x) in o {
                    leaves(x, format!("{at}/{k}"), out);
                }
            }
            serde_json::Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    leaves(x, format!("{at}/{i}"), out);
                }
            }
            leaf => out.push((at, leaf.clone())),
        }
    }
    fn object_keys(v: &serde_json::Value, at: String, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(o) => {
                for (k, x) in o {
                    out.push(format!("{at}/{k}"));
                    object_keys(x, format!("{at}/{k}"), out);
                }
            }
            serde_json::Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    object_keys(x, format!("{at}/{i}"), out);
                }
            }
            _ => {}
        }
    }
    let root = super::support::repo_root().join("scenarios");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&root).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() && p.file_name().is_some_and(|n| n != "traces") {
            for e in std::fs::read_dir(&p).unwrap() {
                let f = e.unwrap().path();
                // A sweep file is not a scenario (tests/it/sweep.rs covers its mistakes).
                let sweep = f.file_name().is_some_and(|n| n == "sweep.json");
                if f.extension().is_some_and(|x| x == "json") && !sweep {
                    files.push(f);
                }
            }
        } else if p.extension().is_some_and(|x| x == "json") {
            files.push(p);
        }
    }
    files.sort();
    let mut checked = 0;
    let mut failures = Vec::new();
    for file in &files {
        let mut base: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        base.as_object_mut().unwrap().remove("variants");
        let mut edits: Vec<(String, Edit)> = Vec::new();
        let mut ls = Vec::new();
        leaves(&base, String::new(), &mut ls);
        for (at, v) in ls {
            if at == "/name" || at == "/description" {
                continue;
            }
            let p: &'static str = Box::leak(at.into_boxed_str());
            match v {
                serde_json::Value::String(s) => {
                    edits.push((p.to_string(), Edit::Set(p, json!(12345))));
                    edits.push((p.to_string(), Edit::Set(p, json!(format!("{s}x")))));
                }
                serde_json::Value::Number(n) => {
                    edits.push((p.to_string(), Edit::Set(p, json!(format!("{n}x")))));
                    let neg = -n.as_f64().unwrap_or(0.0) - 1.0;
                    edits.push((p.to_string(), Edit::Set(p, json!(neg))));
                }
                serde_json::Value::Bool(_) => {
                    edits.push((p.to_string(), Edit::Set(p, json!("yes"))))
                }
                _ => {}
            }
        }
        let mut ks = Vec::new();
        object_keys(&base, String::new(), &mut ks);
        for at in ks {
            let p: &'static str = Box::leak(at.into_boxed_str());
            let renamed: &'static str =
                Box::leak(format!("{}Z", p.rsplit('/').next().unwrap()).into_boxed_str());
            edits.push((p.to_string(), Edit::Remove(p)));
            edits.push((p.to_string(), Edit::Rename(p, renamed)));
        }
        for (at, edit) in &edits {
            let mut doc = base.clone();
            apply(&mut doc, edit);
            let text = serde_json::to_string(&doc).unwrap();
            checked += 1;
            for (path, message) in outcome(&text, file.parent().unwrap()) {
                let isms = rust_isms(&message);
                if !isms.is_empty() {
                    failures.push(format!(
                        "{} {at}: {path}: {message} {isms:?}",
                        file.display()
                    ));
                }
            }
        }
    }
    assert!(
        checked > 1000,
        "only {checked} mutations: were the scenarios found?"
    );
    assert!(
        failures.is_empty(),
        "{} of {checked} mutations gave Rust words:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn a_trace_row_larger_than_every_instance_is_counted_as_never_placed() {
    // Trace rows carry their own size, known only when read: a row too large for the
    // modelled fleet is not a trace error (the replay goes on) but a never-placed task.
    let dir = tempfile::tempdir().unwrap();
    // Line 3: 1 task of 256 units; line 4: 2 tasks of 16 vCPU / 64 GiB, more than an
    // m6i.large registers (2048 units, 7864 MiB).
    std::fs::write(
        dir.path().join("trace.csv"),
        "# rows\nsubmit_time_s,cpu_units,memory_mib,duration_s,count\n0,256,512,60,1\n10,16384,65536,60,2\n",
    )
    .unwrap();
    let mut v = one_group(
        json!({ "family": "web", "cpu": "256", "memory": "512" }),
        by_provider(),
    );
    v["services"] = json!([]);
    v["workloads"] = json!([{
        "name": "replay", "taskDefinition": "web",
        "capacityProviderStrategy": [{ "capacityProvider": "p", "weight": 1 }],
        "source": { "csv": { "path": "trace.csv" } }
    }]);
    let file = dir.path().join("s.json");
    std::fs::write(&file, v.to_string()).unwrap();
    let sc = ecsim::load(&file).expect("valid: the row sizes are not known yet");
    let report = ecsim::run(&sc, None, &mut |_| {}).expect("the replay is not stopped");
    let t = &report.summary.tasks;
    assert_eq!(
        (t.submitted, t.completed, t.never_placed),
        (3, 1, 2),
        "{t:?}"
    );
}

#[test]
fn a_strategy_provider_that_can_never_hold_the_task_is_named() {
    // m6i.large behind p registers 2048 units; c6i.2xlarge behind q registers 8192 units
    // and ⌊16384 × 0.96⌋ = 15728 MiB, enough for 4096 units and 8192 MiB.
    let task = json!({ "family": "web", "cpu": "4096", "memory": "8192" });
    let mut v = one_group(task, json!({}));
    v["cluster"]["capacityProviders"] = json!(["p", "q"]);
    v["autoScalingGroups"].as_array_mut().unwrap().push(json!({
        "autoScalingGroupName": "big", "instanceTypes": ["c6i.2xlarge"], "minSize": 1, "maxSize": 1
    }));
    v["capacityProviders"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "name": "q", "autoScalingGroupProvider": { "autoScalingGroupArn": "big" } }));
    v["services"][0]["capacityProviderStrategy"] = json!([
        { "capacityProvider": "p", "weight": 1 },
        { "capacityProvider": "q", "weight": 1 }
    ]);
    let problems = problems_of(&v.to_string());
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].path, "services[0]");
    assert!(
        problems[0].message.contains("capacity provider \"p\"")
            && problems[0].message.contains("m6i.large"),
        "{}",
        problems[0]
    );
    // With weight 0 and no base, p never gets a task: nothing to report.
    v["services"][0]["capacityProviderStrategy"][0]["weight"] = json!(0);
    super::support::scenario(&v);
}
