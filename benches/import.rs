//! `ecsim import` of a 200-service account.
//!
//! Budget: importing 200 services (one task definition, one scalable target, one target
//! tracking policy, a scheduled action and a day of 5-minute RequestCountPerTarget and
//! CPUUtilization data each: 115,200 datapoints) takes under 1 s, JSON parsing and the
//! serialised scenario included (issue 12). The account is built in memory from the `shop`
//! fixture's shapes, so the bench reads no folder.
//!
//! Owns only the fixture; what the import decides is tested in `tests/it/import.rs`.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use serde_json::{json, Value};

use ecsim::import::{import, ImportOptions, SourceFile};

const SERVICES: usize = 200;
const POINTS: usize = 288;

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/import/shop/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json")
}

fn file(name: &str, v: &Value) -> SourceFile {
    SourceFile {
        name: name.into(),
        text: serde_json::to_string_pretty(v).expect("json"),
    }
}

/// The shop account with `web` copied 200 times (`web-0` … `web-199`, each its own family).
fn account() -> Vec<SourceFile> {
    let mut files = Vec::new();
    for name in [
        "clusters.json",
        "capacity-providers.json",
        "asgs.json",
        "launch-template-versions.json",
    ] {
        files.push(file(name, &fixture(name)));
    }
    let web = fixture("services-1.json")["services"][0].clone();
    let td = fixture("td-web.json");
    let target = fixture("scalable-targets.json")["ScalableTargets"][0].clone();
    let policy = fixture("scaling-policies.json")["ScalingPolicies"][0].clone();
    let action = fixture("scheduled-actions.json")["ScheduledActions"][0].clone();
    let metrics = fixture("metrics-1.json")["MetricDataResults"].clone();
    let (mut targets, mut policies, mut actions) = (Vec::new(), Vec::new(), Vec::new());
    // describe-services takes at most 10 services per call: 20 files, as a script would save.
    for page in 0..SERVICES / 10 {
        let mut services = Vec::new();
        for i in page * 10..page * 10 + 10 {
            let name = format!("web-{i}");
            let mut s = web.clone();
            s["serviceName"] = name.clone().into();
            s["taskDefinition"] =
                format!("arn:aws:ecs:us-east-1:123456789012:task-definition/{name}:12").into();
            services.push(s);
            let mut t = td.clone();
            t["taskDefinition"]["family"] = name.clone().into();
            files.push(file(&format!("td-{name}.json"), &t));
            let rid = format!("service/shop/{name}");
            let mut x = target.clone();
            x["ResourceId"] = rid.clone().into();
            targets.push(x);
            let mut x = policy.clone();
            x["ResourceId"] = rid.clone().into();
            policies.push(x);
            let mut x = action.clone();
            x["ResourceId"] = rid.into();
            actions.push(x);
            let mut results = Vec::new();
            for m in metrics.as_array().expect("results").iter().take(2) {
                let mut r = m.clone();
                let label = r["Label"]
                    .as_str()
                    .expect("label")
                    .replacen("web", &name, 1);
                r["Label"] = label.into();
                assert_eq!(r["Values"].as_array().expect("values").len(), POINTS);
                results.push(r);
            }
            files.push(file(
                &format!("metrics-{name}.json"),
                &json!({ "MetricDataResults": results }),
            ));
        }
        files.push(file(
            &format!("services-{page}.json"),
            &json!({ "services": services, "failures": [] }),
        ));
    }
    files.push(file("targets.json", &json!({ "ScalableTargets": targets })));
    files.push(file(
        "policies.json",
        &json!({ "ScalingPolicies": policies }),
    ));
    files.push(file(
        "actions.json",
        &json!({ "ScheduledActions": actions }),
    ));
    files
}

fn bench(c: &mut Criterion) {
    let files = account();
    let options = ImportOptions::default();
    let check = import(&files, &options).expect("the generated account imports");
    assert_eq!(
        check.scenario["services"].as_array().map(Vec::len),
        Some(SERVICES)
    );
    let mut g = c.benchmark_group("import");
    g.sample_size(10);
    g.bench_function("200_services_a_day_of_5min_data", |b| {
        b.iter(|| {
            let imported = import(black_box(&files), &options).expect("imports");
            black_box(ecsim::import::to_pretty_json(&imported.scenario))
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
