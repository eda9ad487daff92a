//! Issue 15 points 3, 4 and 6 end to end: Fargate Windows, ephemeral storage and the large
//! sizes setting, each through the scenario format, with the arithmetic by hand.

use serde_json::{json, Value};

use super::bad_input::problems_of;
use super::support::{close, run, skeleton, zero_latencies, USD};

const SEED: u64 = 1;

/// One service of one task of `td` on `launch` for `duration`, warm, no latencies.
fn one_task(td: Value, launch: Value, duration: &str) -> Value {
    let mut v = skeleton("kinds", duration, &["us-east-1a"]);
    v["settings"] = zero_latencies();
    v["taskDefinitions"] = json!([td]);
    let mut service = json!({ "serviceName": "s", "taskDefinition": "t", "desiredCount": 1 });
    for (k, x) in launch.as_object().unwrap() {
        service[k] = x.clone();
    }
    v["services"] = json!([service]);
    v
}

fn fargate() -> Value {
    json!({ "launchType": "FARGATE" })
}

#[test]
fn a_windows_task_of_three_minutes_is_billed_five_with_the_licence() {
    let td = json!({
        "family": "t", "cpu": "1024", "memory": "2048", "requiresCompatibilities": ["FARGATE"],
        "runtimePlatform": { "operatingSystemFamily": "WINDOWS_SERVER_2022_CORE", "cpuArchitecture": "X86_64" }
    });
    let r = run(&one_task(td, fargate(), "3m"), SEED);
    // Billed the 5-minute Windows minimum, 300 s, at the us-east-1 Windows rates:
    // vCPU 300 × (0.0000254167 + 0.0000127778 licence) = 0.01145835;
    // memory 300 × 2 GB × 0.0000027778 = 0.00166668; total 0.01312503.
    let c = &r.summary.cost;
    assert!(close(c.fargate_usd, 0.01312503, USD), "seed {SEED}: {c:?}");
}

#[test]
fn ephemeral_storage_above_20_gib_is_billed_for_the_billed_seconds() {
    let td = json!({
        "family": "t", "cpu": "256", "memory": "512", "requiresCompatibilities": ["FARGATE"],
        "ephemeralStorage": { "sizeInGiB": 50 }
    });
    let r = run(&one_task(td, fargate(), "10m"), SEED);
    // 600 s × (0.25 × 0.000011244 + 0.5 × 0.000001235) = 600 × 0.0000034285 = 0.0020571;
    // storage (50 − 20) GiB × 600 s × 0.0000000308 = 0.0005544; total 0.0026115.
    let c = &r.summary.cost;
    assert!(close(c.fargate_usd, 0.0026115, USD), "seed {SEED}: {c:?}");
}

#[test]
fn fargate_kind_mistakes_are_named_at_their_paths() {
    let bad = |td: Value, launch: Value| {
        let v = one_task(td, launch, "10m");
        problems_of(&serde_json::to_string(&v).unwrap())
    };
    // sizeInGiB outside 21–200.
    let p = bad(
        json!({ "family": "t", "cpu": "256", "memory": "512", "requiresCompatibilities": ["FARGATE"],
                "ephemeralStorage": { "sizeInGiB": 201 } }),
        fargate(),
    );
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].path, "taskDefinitions[0].ephemeralStorage.sizeInGiB");
    assert!(p[0].message.contains("21 to 200 GiB"), "{}", p[0]);
    // Windows on ARM64.
    let p = bad(
        json!({ "family": "t", "cpu": "1024", "memory": "2048", "requiresCompatibilities": ["FARGATE"],
                "runtimePlatform": { "operatingSystemFamily": "WINDOWS_SERVER_2019_FULL", "cpuArchitecture": "ARM64" } }),
        fargate(),
    );
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(
        p[0].path,
        "taskDefinitions[0].runtimePlatform.cpuArchitecture"
    );
    // Windows below 1 vCPU: 512 units is a Linux-only size.
    let p = bad(
        json!({ "family": "t", "cpu": "512", "memory": "1024", "requiresCompatibilities": ["FARGATE"],
                "runtimePlatform": { "operatingSystemFamily": "WINDOWS_SERVER_2019_CORE" } }),
        fargate(),
    );
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].path, "taskDefinitions[0].cpu");
    assert!(p[0].message.contains("Windows"), "{}", p[0]);
    // Windows on Fargate Spot.
    let p = bad(
        json!({ "family": "t", "cpu": "1024", "memory": "2048", "requiresCompatibilities": ["FARGATE"],
                "runtimePlatform": { "operatingSystemFamily": "WINDOWS_SERVER_2022_FULL" } }),
        json!({ "capacityProviderStrategy": [{ "capacityProvider": "FARGATE_SPOT", "weight": 1 }] }),
    );
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].path, "services[0].capacityProviderStrategy");
    // An unknown family names the valid ones.
    let p = bad(
        json!({ "family": "t", "cpu": "1024", "memory": "2048", "requiresCompatibilities": ["FARGATE"],
                "runtimePlatform": { "operatingSystemFamily": "WINDOWS_SERVER_2016_FULL" } }),
        fargate(),
    );
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].message.contains("WINDOWS_SERVER_2022_CORE"),
        "{}",
        p[0]
    );
}

#[test]
fn the_32_vcpu_sizes_follow_the_setting() {
    let td = json!({ "family": "t", "cpu": "32768", "memory": "249856", "requiresCompatibilities": ["FARGATE"] });
    // Offered by default (the pricing page's 32 vCPU / 244 GB row).
    super::support::scenario(&one_task(td.clone(), fargate(), "10m"));
    // settings.fargateLargeSizes = false: the 16 vCPU ceiling of the API Reference text.
    let mut v = one_task(td, fargate(), "10m");
    v["settings"]["fargateLargeSizes"] = json!(false);
    let p = problems_of(&serde_json::to_string(&v).unwrap());
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].path, "taskDefinitions[0].cpu");
    assert!(p[0].message.contains("fargateLargeSizes"), "{}", p[0]);
}
