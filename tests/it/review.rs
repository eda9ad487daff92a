//! Defects found by the hostile review of issue 10 as merged: each test failed before its fix.

use std::path::Path;

use ecsim::import::{import, read_dir, ImportOptions};
use serde_json::json;

use super::support::repo_root;

/// Windows tools (Notepad, PowerShell's `Out-File -Encoding utf8`) save the AWS CLI's JSON
/// with a UTF-8 byte order mark; `ecsim import` rejected every such file as "not valid
/// JSON" (`ecsim import DIR` on the shop fixture with a BOM prepended to each file).
#[test]
fn import_reads_aws_cli_outputs_saved_with_a_byte_order_mark() {
    let (files, _) = read_dir(&repo_root().join("tests/fixtures/import/shop")).unwrap();
    let plain = import(&files, &ImportOptions::default()).expect("the fixture imports");
    let with_bom: Vec<_> = files
        .into_iter()
        .map(|mut f| {
            f.text = format!("\u{FEFF}{}", f.text);
            f
        })
        .collect();
    let bom = match import(&with_bom, &ImportOptions::default()) {
        Ok(i) => i,
        Err(e) => panic!("files with a BOM were refused: {e}"),
    };
    assert_eq!(plain.scenario, bom.scenario);
}

/// A Poisson `ratePerHour` above the accepted maximum said "expected a positive rate" (it
/// is positive) and printed 1e300 as a 301-digit number.
#[test]
fn a_poisson_rate_above_the_maximum_says_so_briefly() {
    let mut doc: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("scenarios/quickstart.json")).unwrap(),
    )
    .unwrap();
    doc["workloads"].as_array_mut().unwrap().push(json!({
        "name": "p",
        "taskDefinition": "batch",
        "source": { "poisson": { "ratePerHour": 1e300, "duration": "5m" } },
        "capacityProviderStrategy": [{ "capacityProvider": "batch-ec2", "weight": 1 }]
    }));
    let text = serde_json::to_string(&doc).unwrap();
    let err =
        ecsim::scenario::from_json_str(&text, Path::new("m.json"), &repo_root().join("scenarios"))
            .err()
            .expect("a rate of 1e300 per hour is refused");
    let msg = err.to_string();
    assert!(msg.contains("ratePerHour"), "{msg}");
    assert!(!msg.contains("positive rate, found"), "{msg}");
    assert!(msg.contains("at most"), "{msg}");
    assert!(
        !msg.contains("0000000000"),
        "a number printed digit by digit: {msg}"
    );
}

/// Issue 10 point 8 asked that a cost per unit name exactly what it divides. The report page
/// says "Cost per million requests served (whole bill)", but the stdout table said only
/// "per million requests served" under the total, and compare "per million requests served,
/// USD": both read as the services' own cost per request, while the figure divides the whole
/// bill (batch workloads and idle EC2 included). `ecsim run tests/scenarios/ten-services.json`
/// printed 0.6387 USD "per million requests served", of which 4.94 USD of 10.26 was the
/// batch workload.
#[test]
fn the_cost_per_million_requests_says_it_divides_the_whole_bill() {
    let dir = repo_root().join("scenarios/scale-out-lag");
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("scenario.json")).unwrap()).unwrap();
    doc["duration"] = json!("40m");
    let text = serde_json::to_string(&doc).unwrap();
    let sc = ecsim::scenario::from_json_str(&text, Path::new("s.json"), &dir).unwrap();
    let report = ecsim::run(&sc, Some(1), &mut |_| {}).unwrap();
    assert!(report.summary.cost.per_million_requests_usd.is_some());
    let table = ecsim::report::render::table(&report.summary);
    let line = table
        .lines()
        .find(|l| l.contains("requests served"))
        .unwrap_or_else(|| panic!("no cost per request line in\n{table}"));
    assert!(line.contains("whole bill"), "{line}");
    // Still aligned with the lines around it: the figure ends in the same column.
    let total = table.lines().find(|l| l.starts_with("  total")).unwrap();
    assert_eq!(line.len(), total.len(), "{line}\n{total}");

    let figures = ecsim::compare::Figures::of(&report.summary);
    let (_, label, value) = figures
        .entries()
        .into_iter()
        .find(|(key, _, _)| *key == "per_million_requests_usd")
        .unwrap();
    assert!(value.is_some());
    assert!(label.contains("whole bill"), "{label}");
}
