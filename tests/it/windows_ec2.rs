//! Issue 15 point 3, the EC2 half: Windows container instances. An Auto Scaling group's
//! `osFamily` (the ecs.os-family its AMI registers), placement by
//! `runtimePlatform.operatingSystemFamily`, Windows registered memory, Windows On-Demand
//! prices and their absence, each through the scenario format with the arithmetic by hand.
//!
//! The prices below are test values given through `catalog.instanceTypes[]` (the embedded
//! catalog has no Windows prices: src/cloud/data/SOURCES.md), round numbers chosen so the
//! arithmetic reads; they are not AWS's prices.

use serde_json::{json, Value};

use super::bad_input::problems_of;
use super::support::{close, run, scenario, skeleton, zero_latencies, USD};

const SEED: u64 = 3;

/// A test price for m5.large on Windows, USD per hour (see the module note).
const TEST_WINDOWS_USD_PER_HOUR: f64 = 0.2;

/// A cluster with a Linux group of `linux` m5.large and a Windows Server 2022 Full group of
/// `windows` m5.large (no capacity providers: launch type EC2 reaches both), and one service
/// per entry of `services`: (name, operatingSystemFamily or None, desiredCount), each task a
/// whole m5.large's CPU (2048 units) and 1 GiB.
fn mixed(
    linux: u32,
    windows: u32,
    services: &[(&str, Option<&str>, u32)],
    duration: &str,
) -> Value {
    let mut v = skeleton("windows", duration, &["us-east-1a"]);
    v["settings"] = zero_latencies();
    v["cluster"]["capacityProviders"] = json!([]);
    v["catalog"] = json!({ "instanceTypes": [
        { "name": "m5.large", "windowsOnDemandUsdPerHour": TEST_WINDOWS_USD_PER_HOUR }
    ] });
    v["autoScalingGroups"] = json!([
        { "autoScalingGroupName": "linux", "instanceTypes": ["m5.large"],
          "minSize": linux, "maxSize": linux },
        { "autoScalingGroupName": "windows", "instanceTypes": ["m5.large"],
          "minSize": windows, "maxSize": windows, "osFamily": "WINDOWS_SERVER_2022_FULL" }
    ]);
    let mut tds = Vec::new();
    let mut svcs = Vec::new();
    for (name, os, desired) in services {
        let mut td = json!({ "family": name, "cpu": "2048", "memory": "1024",
                             "requiresCompatibilities": ["EC2"] });
        if let Some(os) = os {
            td["runtimePlatform"] = json!({ "operatingSystemFamily": os });
        }
        tds.push(td);
        svcs.push(json!({ "serviceName": name, "taskDefinition": name,
                          "desiredCount": desired, "launchType": "EC2" }));
    }
    v["taskDefinitions"] = Value::Array(tds);
    v["services"] = Value::Array(svcs);
    v
}

fn running(r: &ecsim::report::Report, name: &str) -> u32 {
    r.summary
        .services
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no service {name}"))
        .running_at_end
}

fn unable_events(r: &ecsim::report::Report, service: &str) -> Vec<String> {
    r.events
        .iter()
        .filter(|e| {
            e.message
                .contains(&format!("(service {service}) was unable to place"))
        })
        .map(|e| e.message.clone())
        .collect()
}

/// Each task lands on an instance of its own OS; the hour costs the Linux price plus the
/// Windows price: 0.096 + 0.2 = $0.296.
#[test]
fn each_os_runs_on_its_own_instances_at_its_own_price() {
    let v = mixed(
        1,
        1,
        &[
            ("lin", None, 1),
            ("win", Some("WINDOWS_SERVER_2022_FULL"), 1),
        ],
        "1h",
    );
    let r = run(&v, SEED);
    assert_eq!(running(&r, "lin"), 1, "seed {SEED}");
    assert_eq!(running(&r, "win"), 1, "seed {SEED}");
    assert!(unable_events(&r, "lin").is_empty());
    assert!(unable_events(&r, "win").is_empty());
    let c = &r.summary.cost;
    assert!(close(c.ec2_usd, 0.096 + 0.2, USD), "seed {SEED}: {c:?}");
    // The report says what it assumed about Windows, and no longer lists it as not modelled.
    let a = &r.summary.assumptions;
    let win = a
        .iter()
        .find(|x| x.topic == "Windows container instances")
        .expect("a Windows assumption");
    assert!(
        win.value.contains("nominal × (1 − 0.000057)"),
        "{}",
        win.value
    );
    let not = a.iter().find(|x| x.topic == "not modelled").expect("scope");
    assert!(!not.value.contains("Windows"), "{}", not.value);
}

/// A Linux task is refused by the Windows instance, which has room, with ECS's reason for a
/// required attribute the instance lacks (ecs.os-family); and a Windows task by the Linux one.
#[test]
fn a_task_is_refused_by_an_instance_of_the_other_os() {
    // Only the Windows instance exists (the Linux group is empty): the Linux task waits.
    let r = run(&mixed(0, 1, &[("lin", Some("LINUX"), 1)], "10m"), SEED);
    assert_eq!(running(&r, "lin"), 0, "seed {SEED}");
    let e = unable_events(&r, "lin");
    assert!(!e.is_empty(), "seed {SEED}: no unable-to-place event");
    assert!(
        e[0].ends_with(
            "no container instance met all of its requirements. The closest matching container-instance i-00000000 is missing an attribute required by your task."
        ),
        "{}",
        e[0]
    );
    // The reverse: a Windows Server 2022 Full task with only the Linux instance.
    let r = run(
        &mixed(1, 0, &[("win", Some("WINDOWS_SERVER_2022_FULL"), 1)], "10m"),
        SEED,
    );
    assert_eq!(running(&r, "win"), 0, "seed {SEED}");
    let e = unable_events(&r, "win");
    assert!(
        e.first()
            .is_some_and(|m| m.ends_with("is missing an attribute required by your task.")),
        "seed {SEED}: {e:?}"
    );
    // Another Windows release is another OS: a 2019 Core task cannot run on 2022 Full (nor
    // on Linux), so validation refuses it before the run, naming what the groups launch.
    let v = mixed(0, 1, &[("w19", Some("WINDOWS_SERVER_2019_CORE"), 1)], "10m");
    let p = problems_of(&serde_json::to_string(&v).unwrap());
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].message.contains(
            "runs on WINDOWS_SERVER_2019_CORE instances (runtimePlatform.operatingSystemFamily, LINUX when not given), but its capacity launches only LINUX, WINDOWS_SERVER_2022_FULL instances"
        ),
        "{}",
        p[0]
    );
}

/// The placement trace names the operating system filter and what it removed.
#[test]
fn the_explain_trace_says_the_os_filter_removed_the_instance() {
    let v = mixed(0, 1, &[("lin", None, 1)], "10m");
    let sc = scenario(&v);
    let mut report = ecsim::run_explained(&sc, Some(SEED), &mut |_| {}).expect("run");
    let x = report.explain.take().expect("traces");
    let trace = x
        .records
        .iter()
        .find_map(|r| match &r.decision {
            ecsim::explain::Decision::Placement(p) => Some(p),
            _ => None,
        })
        .expect("a placement trace");
    let os = trace
        .filters
        .iter()
        .find(|f| f.filter.starts_with("operating system"))
        .unwrap_or_else(|| panic!("no OS filter in {:?}", trace.filters));
    assert_eq!(
        os.filter,
        "operating system (attribute:ecs.os-family = LINUX)"
    );
    // One instance considered; the OS filter removed it and left none.
    assert_eq!((os.removed, os.left), (1, 0), "{os:?}");
    assert_eq!(os.examples, vec!["i-00000000".to_string()]);
    assert!(trace.chosen.is_none());
    assert!(
        trace
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("missing an attribute")),
        "{trace:?}"
    );
}

/// Windows registers nearly all of its memory (AWS's m4.large example: 8191 of 8192 MiB),
/// Linux less (Nitro m5.large: ⌊8192 × 0.96⌋ = 7864 MiB), so a task of 8000 MiB fits a
/// Windows m5.large and no Linux one. On Windows: ⌊8192 × (1 − 0.000057)⌋ = 8191 ≥ 8000.
#[test]
fn windows_registers_more_memory_than_linux_on_the_same_type() {
    let mut v = mixed(0, 1, &[("win", Some("WINDOWS_SERVER_2022_FULL"), 1)], "10m");
    v["taskDefinitions"][0]["memory"] = json!("8000");
    let r = run(&v, SEED);
    assert_eq!(running(&r, "win"), 1, "seed {SEED}");
    // The same task as Linux on the Linux group: refused at validation, the largest
    // instance registers 7864 MiB.
    let mut v = mixed(1, 0, &[("lin", None, 1)], "10m");
    v["taskDefinitions"][0]["memory"] = json!("8000");
    let p = problems_of(&serde_json::to_string(&v).unwrap());
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].message.contains("7864 MiB"), "{}", p[0]);
    // settings.windowsMemoryOverheadFraction overrides the Windows figure only:
    // ⌊8192 × 0.95⌋ = 7782 < 8000, so now the Windows task cannot fit either.
    let mut v = mixed(0, 1, &[("win", Some("WINDOWS_SERVER_2022_FULL"), 1)], "10m");
    v["taskDefinitions"][0]["memory"] = json!("8000");
    v["settings"]["windowsMemoryOverheadFraction"] = json!(0.05);
    let p = problems_of(&serde_json::to_string(&v).unwrap());
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].message.contains("7782 MiB"), "{}", p[0]);
}

/// Windows is billed per second with a one-minute minimum since 2021, as Linux: an instance
/// that runs 20 s is billed 60 s at the Windows price: 60 / 3600 × 0.2 = $0.003333.
/// (Linux: 60 / 3600 × 0.096 = $0.0016.)
#[test]
fn a_short_windows_instance_is_billed_the_one_minute_minimum() {
    let v = mixed(0, 1, &[("win", Some("WINDOWS_SERVER_2022_FULL"), 0)], "20s");
    let r = run(&v, SEED);
    let c = &r.summary.cost;
    assert!(
        close(c.ec2_usd, 60.0 / 3600.0 * TEST_WINDOWS_USD_PER_HOUR, USD),
        "seed {SEED}: {c:?}"
    );
    let v = mixed(1, 0, &[("lin", None, 0)], "20s");
    let r = run(&v, SEED);
    assert!(close(r.summary.cost.ec2_usd, 0.0016, USD), "seed {SEED}");
}

/// A Windows group whose type has no Windows price in the Region is refused at the type's
/// path, with how to supply one; so are an ARM type, an unknown osFamily, and commitments
/// beside a Windows group.
#[test]
fn windows_group_mistakes_are_named_at_their_paths() {
    let bad = |v: &Value| problems_of(&serde_json::to_string(v).unwrap());
    // No Windows price: the embedded catalog has none, and the scenario gives none.
    let mut v = mixed(0, 1, &[("win", Some("WINDOWS_SERVER_2022_FULL"), 1)], "10m");
    v.as_object_mut().unwrap().remove("catalog");
    let p = bad(&v);
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].path, "autoScalingGroups[1].instanceTypes[0]");
    for words in [
        "no Windows On-Demand price for m5.large in us-east-1",
        "windowsOnDemandUsdPerHour",
        "ecsim catalog",
        "catalogDir",
    ] {
        assert!(p[0].message.contains(words), "{words:?} not in {}", p[0]);
    }
    // An ARM type: Windows Server runs on x86_64 only.
    let mut v = mixed(0, 1, &[("win", Some("WINDOWS_SERVER_2022_FULL"), 1)], "10m");
    v["autoScalingGroups"][1]["instanceTypes"] = json!(["m5.large", "m6g.large"]);
    let p = bad(&v);
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].path, "autoScalingGroups[1].instanceTypes[1]");
    assert!(p[0].message.contains("x86_64 types only"), "{}", p[0]);
    // An unknown osFamily names the valid ones.
    let mut v = mixed(0, 1, &[("lin", None, 0)], "10m");
    v["autoScalingGroups"][1]["osFamily"] = json!("WINDOWS");
    let p = bad(&v);
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].path, "autoScalingGroups[1].osFamily");
    assert!(
        p[0].message.contains("WINDOWS_SERVER_2025_CORE"),
        "{}",
        p[0]
    );
    // A Windows task whose only capacity is Linux: refused before the run.
    let v = mixed(1, 0, &[("win", Some("WINDOWS_SERVER_2019_FULL"), 1)], "10m");
    let mut v2 = v.clone();
    v2["autoScalingGroups"].as_array_mut().unwrap().remove(1);
    let p = bad(&v2);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].message
            .contains("runs on WINDOWS_SERVER_2019_FULL instances"),
        "{}",
        p[0]
    );
    // Commitments are applied at Linux prices: refused beside a Windows group.
    let mut v = mixed(1, 1, &[("lin", None, 1)], "10m");
    v["commitments"] = json!([{ "type": "ComputeSavingsPlan", "hourlyCommitmentUsd": 0.05,
                                 "ec2Rate": 0.7, "fargateRate": 0.8 }]);
    let p = bad(&v);
    assert!(
        p.iter()
            .any(|p| p.path == "commitments[0]" && p.message.contains("Linux usage only")),
        "{p:?}"
    );
    // A Fargate Windows task of a release Fargate does not run.
    let mut v = mixed(1, 0, &[("lin", None, 1)], "10m");
    v["taskDefinitions"][0]["requiresCompatibilities"] = json!(["EC2", "FARGATE"]);
    v["taskDefinitions"][0]["runtimePlatform"] =
        json!({ "operatingSystemFamily": "WINDOWS_SERVER_2025_FULL" });
    let p = bad(&v);
    assert!(
        p.iter().any(
            |p| p.path == "taskDefinitions[0].runtimePlatform.operatingSystemFamily"
                && p.message.contains("Fargate runs Windows tasks of")
        ),
        "{p:?}"
    );
}

/// Seeds of the Windows invariant sweep.
const WINDOWS_SEEDS: u64 = 16;

/// A random, valid cluster of a Linux and a Windows Server 2022 Full group, both behind
/// managed scaling, with services and Poisson workloads of both OSes launched by type EC2
/// (the whole cluster, so the OS filter decides) or by their own OS's provider, and random
/// instance failures. Windows prices are test values (twice the Linux price).
fn random_windows_scenario(seed: u64) -> Value {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_pcg::Pcg64::seed_from_u64(seed ^ 0x0057_1d05);
    let all_azs = ["us-east-1a", "us-east-1b", "us-east-1c"];
    let azs = &all_azs[..rng.gen_range(1..=3)];
    let hours = rng.gen_range(1..=3);
    let mut v = skeleton(&format!("vopr-windows-{seed}"), &format!("{hours}h"), azs);
    // x86_64 types only: Windows Server runs on nothing else.
    let types = [
        ("m5.large", 0.096),
        ("c5.xlarge", 0.17),
        ("m6i.xlarge", 0.192),
    ];
    let (lin_type, _) = types[rng.gen_range(0..types.len())];
    let (win_type, _) = types[rng.gen_range(0..types.len())];
    v["catalog"] = json!({ "instanceTypes": types.iter().map(|(n, p)| json!({
        "name": n, "windowsOnDemandUsdPerHour": p * 2.0
    })).collect::<Vec<_>>() });
    v["cluster"]["capacityProviders"] = json!(["cp-lin", "cp-win", "FARGATE"]);
    let mut groups = Vec::new();
    let mut providers = Vec::new();
    for (name, ty, os) in [
        ("lin", lin_type, "LINUX"),
        ("win", win_type, "WINDOWS_SERVER_2022_FULL"),
    ] {
        groups.push(json!({
            "autoScalingGroupName": name, "instanceTypes": [ty],
            "minSize": 0, "maxSize": rng.gen_range(2..=8),
            "desiredCapacity": rng.gen_range(0..=2), "osFamily": os
        }));
        let target = [80, 100][rng.gen_range(0..2)];
        providers.push(json!({
            "name": format!("cp-{name}"),
            "autoScalingGroupProvider": {
                "autoScalingGroupArn": name,
                "managedScaling": { "status": "ENABLED",
                    "targetCapacity": target },
                "managedTerminationProtection": if rng.gen_bool(0.5) { "ENABLED" } else { "DISABLED" }
            }
        }));
    }
    v["autoScalingGroups"] = json!(groups);
    v["capacityProviders"] = json!(providers);
    let sizes = [(1024, 2048), (1024, 3072), (2048, 4096)];
    let mut tds = Vec::new();
    for (i, os) in ["LINUX", "WINDOWS_SERVER_2022_FULL"].iter().enumerate() {
        let (cpu, mem) = sizes[rng.gen_range(0..sizes.len())];
        tds.push(json!({
            "family": format!("td{i}"), "cpu": cpu.to_string(), "memory": mem.to_string(),
            // Both OSes may also run on Fargate (On-Demand: Windows is not on Fargate Spot).
            "requiresCompatibilities": ["EC2", "FARGATE"],
            "runtimePlatform": { "operatingSystemFamily": os, "cpuArchitecture": "X86_64" }
        }));
    }
    v["taskDefinitions"] = json!(tds);
    let launch = |rng: &mut rand_pcg::Pcg64, td: usize, obj: &mut Value| match rng.gen_range(0..3) {
        0 => obj["launchType"] = json!("EC2"),
        1 => {
            let own = if td == 0 { "cp-lin" } else { "cp-win" };
            obj["capacityProviderStrategy"] = json!([{ "capacityProvider": own, "weight": 1 }]);
        }
        // Fargate (On-Demand: Windows is not on Fargate Spot).
        _ => obj["launchType"] = json!("FARGATE"),
    };
    let mut services = Vec::new();
    for s in 0..rng.gen_range(1..=4) {
        let td = rng.gen_range(0..2);
        let mut obj = json!({ "serviceName": format!("svc{s}"),
                              "taskDefinition": format!("td{td}"),
                              "desiredCount": rng.gen_range(0..=8) });
        launch(&mut rng, td, &mut obj);
        services.push(obj);
    }
    v["services"] = json!(services);
    let mut workloads = Vec::new();
    for w in 0..rng.gen_range(0..=2) {
        let td = rng.gen_range(0..2);
        let mut obj = json!({
            "name": format!("wl{w}"), "taskDefinition": format!("td{td}"),
            "source": { "poisson": {
                "ratePerHour": rng.gen_range(10.0..120.0),
                "duration": { "exponential": { "mean": format!("{}m", rng.gen_range(1..=20)) } },
                "count": rng.gen_range(1..=2)
            } }
        });
        launch(&mut rng, td, &mut obj);
        workloads.push(obj);
    }
    v["workloads"] = json!(workloads);
    v["faults"] = json!({ "instanceFailures": [
        { "capacityProvider": "cp-win", "mtbf": format!("{}m", rng.gen_range(30..=300)) },
        { "capacityProvider": "cp-lin", "mtbf": format!("{}m", rng.gen_range(30..=300)) }
    ] });
    v["settings"] = json!({});
    if rng.gen_bool(0.5) {
        v["settings"]["start"] = json!("cold");
    }
    v
}

/// The invariant sweep over Windows and Linux instances together, with managed scaling and
/// instance failures: every report identity holds (`invariants::check_report`), no instance
/// is over-reserved (asserted in the model), and, run twice, the summary is identical.
#[test]
fn random_windows_scenarios_keep_the_invariants() {
    let mut windows_ran = 0;
    for seed in 0..WINDOWS_SEEDS {
        let v = random_windows_scenario(seed);
        let r = run(&v, seed);
        super::invariants::check_report(seed, &r);
        let again = run(&v, seed);
        assert_eq!(
            serde_json::to_string(&r.summary).unwrap(),
            serde_json::to_string(&again.summary).unwrap(),
            "seed {seed}: not deterministic"
        );
        windows_ran += u32::from(
            v["services"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["taskDefinition"] == "td1")
                && r.summary.services.iter().any(|s| {
                    s.running_at_end > 0
                        && v["services"].as_array().unwrap().iter().any(|x| {
                            x["serviceName"] == s.name.as_str() && x["taskDefinition"] == "td1"
                        })
                }),
        );
    }
    // The sweep is not vacuous: Windows services ran in several seeds.
    assert!(
        windows_ran >= 3,
        "only {windows_ran} seeds ran a Windows service"
    );
}

/// The mutation fuzz (`fuzz.rs`) over Windows documents, which no shipped scenario is: every
/// mutant of a Windows group, a Windows task definition or the Windows settings either runs
/// or fails with problems that name their JSON paths, and nothing panics.
#[test]
fn mutated_windows_scenarios_never_panic_and_every_error_names_its_path() {
    use super::fuzz;
    use rand::SeedableRng;
    let seed = fuzz::seed();
    let mut rng = rand_pcg::Pcg64::seed_from_u64(seed ^ 0x0057_1d05);
    let mut with_memory = mixed(
        1,
        1,
        &[
            ("win", Some("WINDOWS_SERVER_2022_FULL"), 2),
            ("lin", None, 1),
        ],
        "1h",
    );
    with_memory["settings"]["windowsMemoryOverheadFraction"] = json!(0.01);
    let originals = [
        with_memory,
        random_windows_scenario(1),
        random_windows_scenario(2),
    ];
    let file = super::support::repo_root().join("windows-fuzz.json");
    let base_dir = super::support::repo_root();
    // A third of the shipped-scenario budget: three documents instead of about thirty.
    let n = (fuzz::iterations() / 3).max(30);
    let mut ran = 0;
    for i in 0..n {
        let k = (i % originals.len() as u64) as usize;
        let text = fuzz::mutant(&originals[k], &mut rng);
        let what = || {
            let shown: String = text.chars().take(4000).collect();
            format!("ECSIM_FUZZ_SEED={seed}, iteration {i}, Windows document {k}:\n{shown}")
        };
        match fuzz::no_panic(what, || fuzz::check_scenario(&text, &file, base_dir)) {
            Ok(true) => ran += 1,
            Ok(false) => {}
            Err(problem) => panic!("{problem}\n{}", what()),
        }
    }
    assert!(ran * 20 >= n, "only {ran} of {n} Windows mutants ran");
}

/// `memberOf` reads `attribute:ecs.os-type` and `attribute:ecs.os-family` as the agent
/// registers them (`windows`, `WINDOWS_SERVER_2022_FULL`), and `spread` may use them.
#[test]
fn member_of_and_spread_read_the_os_attributes() {
    let with = |expr: &str| {
        let mut v = mixed(1, 1, &[("win", Some("WINDOWS_SERVER_2022_FULL"), 1)], "10m");
        v["services"][0]["placementConstraints"] =
            json!([{ "type": "memberOf", "expression": expr }]);
        v["services"][0]["placementStrategy"] =
            json!([{ "type": "spread", "field": "attribute:ecs.os-type" }]);
        v
    };
    let r = run(&with("attribute:ecs.os-type == windows"), SEED);
    assert_eq!(running(&r, "win"), 1, "seed {SEED}");
    let r = run(
        &with("attribute:ecs.os-family in [WINDOWS_SERVER_2019_FULL, WINDOWS_SERVER_2022_FULL]"),
        SEED,
    );
    assert_eq!(running(&r, "win"), 1, "seed {SEED}");
    // No Windows Server 2022 Full instance is linux: nothing could ever hold the task.
    let p = problems_of(&serde_json::to_string(&with("attribute:ecs.os-type == linux")).unwrap());
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].message.contains("memberOf"), "{}", p[0]);
}

/// The documented way to a Windows price: `ecsim catalog` on AWS's offer file, then
/// `catalogDir`. The us-west-2 fixture (tests/fixtures/catalog, test values in the real
/// format) prices m5.large at 0.1 on Linux and 0.2 on Windows (licence included); one
/// Windows m5.large for an hour costs 1 h × 0.2 = $0.2, with no `catalog` override.
#[test]
fn a_windows_group_is_priced_from_a_catalog_built_from_offer_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tables = dir.path().join("tables");
    let fixture = |n: &str| {
        super::support::repo_root()
            .join("tests/fixtures/catalog")
            .join(n)
    };
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_ecsim"))
        .arg("catalog")
        .arg(fixture("AmazonEC2-us-west-2.json"))
        .arg(fixture("AmazonECS-us-west-2.json"))
        .arg("--out")
        .arg(&tables)
        .output()
        .expect("ecsim runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut v = mixed(0, 1, &[("win", Some("WINDOWS_SERVER_2022_FULL"), 0)], "1h");
    v.as_object_mut().unwrap().remove("catalog");
    v["cluster"]["availabilityZones"] = json!(["us-west-2a"]);
    v["region"] = json!("us-west-2");
    v["catalogDir"] = json!("tables");
    let text = serde_json::to_string(&v).unwrap();
    let sc = ecsim::scenario::from_json_str(&text, &dir.path().join("s.json"), dir.path())
        .unwrap_or_else(|e| panic!("{e}"));
    let r = ecsim::run(&sc, Some(SEED), &mut |_| {}).expect("run");
    assert!(
        close(r.summary.cost.ec2_usd, 0.2, USD),
        "{:?}",
        r.summary.cost
    );
    // g5.xlarge has no Windows price in those tables ("-"): refused at its path.
    v["autoScalingGroups"][1]["instanceTypes"] = json!(["g5.xlarge"]);
    let text = serde_json::to_string(&v).unwrap();
    let e = ecsim::scenario::from_json_str(&text, &dir.path().join("s.json"), dir.path())
        .expect_err("no Windows price for g5.xlarge in us-west-2");
    let msg = e.to_string();
    assert!(
        msg.contains("autoScalingGroups[1].instanceTypes[0]: no Windows On-Demand price for g5.xlarge in us-west-2"),
        "{msg}"
    );
}
