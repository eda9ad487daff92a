//! `ecsim import` (issue 12, point 2): the `shop` fixture account end to end, merging and
//! order independence, and bad input (one clear error per mistake, file and JSON path, exit 2).

use std::path::{Path, PathBuf};
use std::process::Command;

use ecsim::import::{import, read_dir, ImportError, ImportOptions, SourceFile};
use serde_json::Value;

use super::support::repo_root;

fn shop_dir() -> PathBuf {
    repo_root().join("tests/fixtures/import/shop")
}

fn shop_files() -> Vec<SourceFile> {
    let (files, skipped) = read_dir(&shop_dir()).expect("the fixture folder reads");
    assert!(skipped.is_empty(), "{skipped:?}");
    files
}

fn problems(files: &[SourceFile]) -> Vec<String> {
    match import(files, &ImportOptions::default()) {
        Err(ImportError::Invalid { problems }) => problems.iter().map(|p| p.to_string()).collect(),
        Err(other) => panic!("expected ImportError::Invalid, got {other}"),
        Ok(_) => panic!("bad input was imported"),
    }
}

/// Replaces the text of the file whose name ends with `suffix`.
fn edit(files: &mut [SourceFile], suffix: &str, f: impl FnOnce(&mut Value)) {
    let file = files
        .iter_mut()
        .find(|s| s.name.ends_with(suffix))
        .expect("fixture file");
    let mut v: Value = serde_json::from_str(&file.text).unwrap();
    f(&mut v);
    file.text = v.to_string();
}

/// Sum of the `Values` of the result labelled `label` in the fixture's metric files.
fn fixture_sum(label: &str) -> f64 {
    let mut total = 0.0;
    for f in shop_files() {
        let v: Value = serde_json::from_str(&f.text).unwrap();
        for r in v["MetricDataResults"].as_array().into_iter().flatten() {
            if r["Label"] == label {
                total += r["Values"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_f64().unwrap())
                    .sum::<f64>();
            }
        }
    }
    total
}

#[test]
fn the_shop_account_imports_validates_and_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("shop.json");
    let o = Command::new(env!("CARGO_BIN_EXE_ecsim"))
        .arg("import")
        .arg(shop_dir())
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // The mapping report names what became what, what was ignored and what was assumed.
    for needle in [
        "services-2.json: services[0] worker → services[2]",
        "2 outputs of ecs describe-services merged",
        "queries.json: a get-metric-data query list",
        "clusters[0].settings containerInsights=enabled",
        "1152 CPU units, 1792 MiB",
        "80 % Spot",
    ] {
        assert!(stdout.contains(needle), "missing {needle:?} in\n{stdout}");
    }
    for trace in [
        "shop.web.load.csv",
        "shop.api.load.csv",
        "shop.worker.load.csv",
    ] {
        assert!(tmp.path().join(trace).exists(), "{trace}");
    }

    let v: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(v["duration"], "1d");
    assert_eq!(v["settings"]["startTime"], "2026-11-30T00:00:00Z");
    assert_eq!(
        v["cluster"]["availabilityZones"],
        serde_json::json!(["us-east-1a", "us-east-1b", "us-east-1c"])
    );
    let asgs = v["autoScalingGroups"].as_array().unwrap();
    assert_eq!(
        asgs[0]["instanceTypes"],
        serde_json::json!(["m6i.large"]),
        "from the launch template data"
    );
    assert_eq!(
        asgs[1]["instanceTypes"],
        serde_json::json!(["m6i.xlarge", "m5.xlarge"])
    );
    assert_eq!(asgs[1]["purchaseOption"], "spot");
    let services = v["services"].as_array().unwrap();
    let names: Vec<&str> = services
        .iter()
        .map(|s| s["serviceName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["web", "api", "worker"]);
    // The fixture's web CPU is 8 % + 92 % × (requests per task / 100): the fit recovers both.
    let web_load = &services[0]["load"];
    assert!(
        (web_load["requestsPerTaskPerSecond"].as_f64().unwrap() - 100.0).abs() < 0.01,
        "{web_load}"
    );
    assert!(
        (web_load["baselineCpuPercent"].as_f64().unwrap() - 8.0).abs() < 0.01,
        "{web_load}"
    );
    assert_eq!(
        services[0]["autoScaling"]["scheduledActions"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        services[2]["autoScaling"]["policies"][0]["alarm"]["threshold"],
        70.0
    );
    assert_eq!(
        services[2]["placementConstraints"][0]["expression"],
        "attribute:ecs.instance-type in [m6i.xlarge, m5.xlarge]",
        "the task definition's constraint moves to the service"
    );

    let o = Command::new(env!("CARGO_BIN_EXE_ecsim"))
        .arg("validate")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let scenario = ecsim::load(&out).expect("the imported scenario validates");
    let report = ecsim::run(&scenario, None, &mut |_| {}).expect("and runs");
    let s = &report.summary;
    assert_eq!(s.services.len(), 3);
    // Requests replayed = requests measured: web's trace is RequestCountPerTarget × 4 tasks,
    // each 5-minute Sum ÷ 300 s held for 300 s, so the day's requests are 4 × Σ Sum (rates
    // are written to 3 decimals: at most 0.0005 × 300 s × 288 periods ≈ 43 requests off).
    let web = &s.services[0];
    let expected = 4.0 * fixture_sum("web RequestCountPerTarget");
    let got = web.load.as_ref().unwrap().requests;
    assert!(
        (got - expected).abs() < 50.0,
        "web requests {got} vs {expected}"
    );
    // api's RequestCount is the service's; its night has no datapoints, i.e. no requests.
    let api = &s.services[1];
    let expected = fixture_sum("api RequestCount");
    let got = api.load.as_ref().unwrap().requests;
    assert!(
        (got - expected).abs() < 50.0,
        "api requests {got} vs {expected}"
    );
    // The scheduled actions at 07:00 and 22:00 UTC fall inside the imported day.
    assert!(
        web.scaling_activities.scheduled >= 1,
        "{:?}",
        web.scaling_activities
    );
}

#[test]
fn import_is_deterministic_and_independent_of_file_order() {
    let files = shop_files();
    let a = import(&files, &ImportOptions::default()).unwrap();
    let mut reversed = files.clone();
    reversed.reverse();
    let b = import(&reversed, &ImportOptions::default()).unwrap();
    assert_eq!(
        serde_json::to_string_pretty(&a.scenario).unwrap(),
        serde_json::to_string_pretty(&b.scenario).unwrap()
    );
    assert_eq!(a.traces, b.traces);
}

#[test]
fn malformed_json_names_the_file() {
    let mut files = shop_files();
    let half = files[0].text.len() / 2;
    files[0].text.truncate(half);
    let p = problems(&files);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].starts_with(&files[0].name) && p[0].contains("not valid JSON"),
        "{p:?}"
    );
}

#[test]
fn a_wrongly_typed_field_names_file_and_json_path() {
    let mut files = shop_files();
    edit(&mut files, "asgs.json", |v| {
        v["AutoScalingGroups"][1]["MinSize"] = "one".into()
    });
    let p = problems(&files);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].contains("asgs.json: AutoScalingGroups[1].MinSize: invalid type"),
        "{p:?}"
    );
}

#[test]
fn unknown_aws_fields_are_tolerated() {
    let mut files = shop_files();
    edit(&mut files, "services-1.json", |v| {
        v["services"][0]["availabilityZoneRebalancing"] = "ENABLED".into();
        v["someFieldFrom2030"] = serde_json::json!({ "x": 1 });
    });
    assert!(import(&files, &ImportOptions::default()).is_ok());
}

#[test]
fn a_service_keeps_its_az_rebalancing_and_one_that_never_set_it_is_disabled() {
    // [DOC] "For update service requests ... If the service never had an
    // AvailabilityZoneRebalancing value set, Amazon ECS treats this as DISABLED."
    let mut files = shop_files();
    edit(&mut files, "services-1.json", |v| {
        v["services"][0]["availabilityZoneRebalancing"] = "ENABLED".into();
    });
    let imported = import(&files, &ImportOptions::default()).expect("imports");
    let services = imported.scenario["services"].as_array().expect("services");
    let with = services
        .iter()
        .filter(|s| s["availabilityZoneRebalancing"] == "ENABLED")
        .count();
    let without = services
        .iter()
        .filter(|s| s["availabilityZoneRebalancing"] == "DISABLED")
        .count();
    assert_eq!((with, without), (1, services.len() - 1), "{services:?}");
}

#[test]
fn an_unrecognised_file_is_an_error_listing_what_is_expected() {
    let mut files = shop_files();
    files.push(SourceFile {
        name: "dir/instances.json".into(),
        text: r#"{"Reservations": []}"#.into(),
    });
    let p = problems(&files);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].starts_with(
            "dir/instances.json: .: not a recognised AWS CLI output (top-level keys: Reservations)"
        ) && p[0].contains("ecs describe-services"),
        "{p:?}"
    );
}

#[test]
fn referenced_but_missing_resources_are_errors_at_the_reference() {
    // Without web's task definition and the worker's ASG: two errors, each at the reference.
    let mut files: Vec<SourceFile> = shop_files()
        .into_iter()
        .filter(|f| !f.name.ends_with("td-web.json"))
        .collect();
    edit(&mut files, "asgs.json", |v| {
        v["AutoScalingGroups"].as_array_mut().unwrap().truncate(1);
    });
    let p = problems(&files);
    assert_eq!(p.len(), 2, "{p:?}");
    assert!(
        p.iter().any(|m| m.contains("capacity-providers.json: capacityProviders[1].autoScalingGroupProvider.autoScalingGroupArn: Auto Scaling group \"shop-worker-asg\"")),
        "{p:?}"
    );
    assert!(
        p.iter().any(|m| m.contains("services-1.json: services[0].taskDefinition: task definition web:12 of service web is not in the folder")),
        "{p:?}"
    );
}

#[test]
fn a_policy_without_load_data_is_left_out_with_a_warning() {
    let files: Vec<SourceFile> = shop_files()
        .into_iter()
        .filter(|f| !f.name.contains("metrics-"))
        .collect();
    let imported = import(&files, &ImportOptions::default()).unwrap();
    assert!(imported.traces.is_empty());
    assert_eq!(imported.scenario["duration"], "1d", "the default length");
    let warnings = imported.report.warnings.join("\n");
    assert!(warnings.contains("web-cpu50: left out"), "{warnings}");
    // Scheduled actions need no load: they stay.
    assert_eq!(
        imported.scenario["services"][0]["autoScaling"]["scheduledActions"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // What is left still validates.
    let text = serde_json::to_string(&imported.scenario).unwrap();
    ecsim::scenario::from_json_str(&text, Path::new("imported.json"), Path::new(".")).unwrap();
}

#[test]
fn the_binary_exits_2_on_bad_input() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("aws");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("clusters.json"), "{\"clusters\": [").unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_ecsim"))
        .arg("import")
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("clusters.json: .: not valid JSON"),
        "{stderr}"
    );
    assert!(!tmp.path().join("aws.scenario.json").exists());
}

#[test]
fn instance_types_fall_back_to_running_instances_as_a_reported_assumption() {
    // Without the launch template data, the web group's type comes from its Instances.
    let files: Vec<SourceFile> = shop_files()
        .into_iter()
        .filter(|f| !f.name.ends_with("launch-template-versions.json"))
        .collect();
    let imported = import(&files, &ImportOptions::default()).unwrap();
    assert_eq!(
        imported.scenario["autoScalingGroups"][0]["instanceTypes"],
        serde_json::json!(["m6i.large"])
    );
    let assumed = imported.report.assumed.join("\n");
    assert!(assumed.contains("AutoScalingGroups[0]: instance types [\"m6i.large\"] taken from the group's running Instances"), "{assumed}");

    // With no instances either, the type is unknowable: an error at the launch template.
    let mut files = files;
    edit(&mut files, "asgs.json", |v| {
        v["AutoScalingGroups"][0]["Instances"] = serde_json::json!([])
    });
    let p = problems(&files);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].contains("asgs.json: AutoScalingGroups[0].LaunchTemplate: cannot tell the instance type of Auto Scaling group shop-web-asg"), "{p:?}");
}

#[test]
fn the_spot_share_decides_the_purchase_option() {
    // OnDemandPercentageAboveBaseCapacity 100 (AWS's default when absent): all On-Demand and
    // nothing to assume. 20 % with a base of 2 at DesiredCapacity 2: the base is On-Demand,
    // 0 % Spot.
    for (distribution, expected, assumption) in [
        (serde_json::json!({}), "on-demand", false),
        (
            serde_json::json!({ "OnDemandBaseCapacity": 2, "OnDemandPercentageAboveBaseCapacity": 20 }),
            "on-demand",
            false,
        ),
        // Base 1 of 2, then 60 % Spot above it: 0.6 of 2 instances = 30 % Spot.
        (
            serde_json::json!({ "OnDemandBaseCapacity": 1, "OnDemandPercentageAboveBaseCapacity": 40 }),
            "on-demand",
            true,
        ),
        (
            serde_json::json!({ "OnDemandBaseCapacity": 0, "OnDemandPercentageAboveBaseCapacity": 0 }),
            "spot",
            false,
        ),
    ] {
        let mut files = shop_files();
        edit(&mut files, "asgs.json", |v| {
            v["AutoScalingGroups"][1]["MixedInstancesPolicy"]["InstancesDistribution"] =
                distribution.clone()
        });
        let imported = import(&files, &ImportOptions::default()).unwrap();
        assert_eq!(
            imported.scenario["autoScalingGroups"][1]["purchaseOption"], expected,
            "{distribution}"
        );
        let assumed = imported.report.assumed.join("\n");
        assert_eq!(
            assumed.contains("% Spot at DesiredCapacity"),
            assumption,
            "{distribution}: {assumed}"
        );
    }
}

#[test]
fn a_capacity_provider_missing_from_the_folder_is_an_error_at_the_cluster() {
    let mut files = shop_files();
    edit(&mut files, "capacity-providers.json", |v| {
        v["capacityProviders"].as_array_mut().unwrap().remove(1);
    });
    let p = problems(&files);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].contains("clusters.json: clusters[0].capacityProviders[1]: capacity provider \"worker-spot\" is not in the folder"), "{p:?}");
}

#[test]
fn two_clusters_are_refused_and_metric_mistakes_are_placed() {
    let mut files = shop_files();
    edit(&mut files, "clusters.json", |v| {
        let mut other = v["clusters"][0].clone();
        other["clusterName"] = "other".into();
        v["clusters"].as_array_mut().unwrap().push(other);
    });
    edit(&mut files, "metrics-2.json", |v| {
        v["MetricDataResults"][2]["Values"]
            .as_array_mut()
            .unwrap()
            .pop();
        v["MetricDataResults"][1]["Timestamps"][5] = "30/11/2026 00:25".into();
    });
    let p = problems(&files);
    assert_eq!(p.len(), 3, "{p:?}");
    assert!(
        p.iter().any(
            |m| m.contains("clusters.json: clusters[1]: a second cluster (other) besides shop")
        ),
        "{p:?}"
    );
    assert!(
        p.iter().any(|m| m.contains(
            "metrics-2.json: MetricDataResults[2].Values: 287 values for 288 timestamps"
        )),
        "{p:?}"
    );
    assert!(
        p.iter().any(|m| m.contains(
            "metrics-2.json: MetricDataResults[1].Timestamps[5]: expected an ISO 8601 time"
        )),
        "{p:?}"
    );
}

#[test]
fn a_label_outside_the_convention_is_a_warning() {
    let mut files = shop_files();
    edit(&mut files, "metrics-2.json", |v| {
        v["MetricDataResults"][2]["Label"] = "CPUUtilization".into()
    });
    let imported = import(&files, &ImportOptions::default()).unwrap();
    let warnings = imported.report.warnings.join("\n");
    assert!(warnings.contains("metrics-2.json: MetricDataResults[2]: result \"worker_cpu\" ignored: its Label \"CPUUtilization\""), "{warnings}");
    // worker then has no load, so its step scaling policy is left out too.
    assert!(warnings.contains("worker-cpu-high: left out"), "{warnings}");
    assert!(imported.scenario["services"][2].get("load").is_none());
}

#[test]
fn two_revisions_of_one_family_become_two_task_definitions() {
    // Without the metrics, so the scenario validates without trace files on disk.
    let mut files: Vec<SourceFile> = shop_files()
        .into_iter()
        .filter(|f| !f.name.contains("metrics-"))
        .collect();
    // worker moves to web's family at another revision.
    edit(&mut files, "td-worker.json", |v| {
        v["taskDefinition"]["family"] = "web".into()
    });
    edit(&mut files, "services-2.json", |v| {
        v["services"][0]["taskDefinition"] =
            "arn:aws:ecs:us-east-1:123456789012:task-definition/web:7".into()
    });
    let imported = import(&files, &ImportOptions::default()).unwrap();
    let families: Vec<&str> = imported.scenario["taskDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["family"].as_str().unwrap())
        .collect();
    assert_eq!(families, ["web", "api", "web-r7"]);
    assert_eq!(imported.scenario["services"][2]["taskDefinition"], "web-r7");
    let text = serde_json::to_string(&imported.scenario).unwrap();
    ecsim::scenario::from_json_str(&text, Path::new("imported.json"), Path::new("."))
        .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn what_ecsim_does_not_model_is_reported_not_dropped_silently() {
    let mut files = shop_files();
    edit(&mut files, "td-api.json", |v| {
        v["taskDefinition"]["containerDefinitions"][0]["resourceRequirements"] =
            serde_json::json!([{ "type": "GPU", "value": "1" }]);
        v["taskDefinition"]["ephemeralStorage"] = serde_json::json!({ "sizeInGiB": 50 });
    });
    edit(&mut files, "scheduled-actions.json", |v| {
        v["ScheduledActions"][0]["Timezone"] = "Europe/Paris".into();
        v["ScheduledActions"][0]["EndTime"] = "2027-01-01T00:00:00+00:00".into();
    });
    let r = import(&files, &ImportOptions::default()).unwrap().report;
    let (warnings, ignored) = (r.warnings.join("\n"), r.ignored.join("\n"));
    // A GPU is modelled since issue 15: mapped into the scenario, not warned about.
    assert!(!warnings.contains("GPU 1"), "{warnings}");
    assert!(
        r.mapped.iter().any(|m| m.contains("td-api.json: taskDefinition.containerDefinitions[0].resourceRequirements[0] GPU 1 → the same")),
        "{:?}",
        r.mapped
    );
    assert!(
        warnings.contains("web-morning: Timezone Europe/Paris is read as UTC"),
        "{warnings}"
    );
    // Storage is read now (issue 15 point 4): mapped, not ignored.
    let mapped = r.mapped.join("\n");
    assert!(
        mapped.contains("td-api.json: taskDefinition.ephemeralStorage"),
        "{mapped}"
    );
    assert!(!ignored.contains("ephemeralStorage"), "{ignored}");
    assert!(
        ignored.contains("web-morning: StartTime/EndTime"),
        "{ignored}"
    );
}

/// Issue 14 point 1: a DAEMON service in describe-services is imported as one (it was left out
/// when only REPLICA was modelled): no desiredCount, no strategy, load or auto scaling, and
/// the scenario validates.
#[test]
fn a_daemon_service_is_imported_as_a_daemon() {
    // Without the metric files, so the scenario validates without trace files on disk.
    let mut files: Vec<SourceFile> = shop_files()
        .into_iter()
        .filter(|f| !f.name.contains("metrics-"))
        .collect();
    edit(&mut files, "services-2.json", |v| {
        let s = &mut v["services"][0];
        s["schedulingStrategy"] = "DAEMON".into();
        s.as_object_mut()
            .unwrap()
            .remove("capacityProviderStrategy");
        s["launchType"] = "EC2".into();
    });
    let imported = import(&files, &ImportOptions::default()).unwrap();
    let worker = imported.scenario["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["serviceName"] == "worker")
        .expect("the daemon is imported");
    assert_eq!(worker["schedulingStrategy"], "DAEMON");
    for key in [
        "desiredCount",
        "capacityProviderStrategy",
        "placementStrategy",
        "load",
        "autoScaling",
    ] {
        assert!(worker.get(key).is_none(), "{key}: {worker}");
    }
    let text = serde_json::to_string(&imported.scenario).unwrap();
    let sc = ecsim::scenario::from_json_str(&text, Path::new("imported.json"), Path::new("."))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(sc.services.iter().any(|s| s.daemon));
}

/// describe-auto-scaling-groups does not say which operating system a group's AMI runs, so
/// an imported group is LINUX; the report says so, since a Windows fleet would otherwise fail
/// validation ("can never place a task") with no hint that the import made that choice.
#[test]
fn import_says_it_assumed_linux_groups() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("shop.json");
    let o = Command::new(env!("CARGO_BIN_EXE_ecsim"))
        .arg("import")
        .arg(shop_dir())
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{stdout}");
    assert!(
        stdout.contains("osFamily LINUX assumed"),
        "no osFamily assumption in\n{stdout}"
    );
}
