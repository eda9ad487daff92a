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
    let err = match ecsim::scenario::from_json_str(
        &text,
        Path::new("m.json"),
        &repo_root().join("scenarios"),
    ) {
        Ok(_) => panic!("a rate of 1e300 per hour is refused"),
        Err(e) => e,
    };
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

/// The quickstart measured over its last minute only (`settings.measureFrom: "119m"`): no
/// task of the batch workload starts in the window.
fn quickstart_last_minute() -> ecsim::Scenario {
    let dir = repo_root().join("scenarios");
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("quickstart.json")).unwrap())
            .unwrap();
    doc["settings"] = json!({ "measureFrom": "119m" });
    let text = serde_json::to_string(&doc).unwrap();
    ecsim::scenario::from_json_str(&text, Path::new("q.json"), &dir).unwrap()
}

/// With no task reaching RUNNING in the window, the stdout table printed "wait to RUNNING
/// (s)  mean 0.0  p50 0.0  p95 0.0  p99 0.0  max 0.0" and a workload "p95 wait s" of 0.0,
/// as if tasks had started at once (report.html's headline card already left it out).
/// Shown by `ecsim run` of the quickstart with `"settings": {"measureFrom": "119m"}`.
#[test]
fn waits_with_no_task_started_are_not_printed_as_zero_seconds() {
    let report = ecsim::run(&quickstart_last_minute(), Some(42), &mut |_| {}).unwrap();
    let s = &report.summary;
    assert_eq!(s.wait_time_s.count, 0, "no task starts in the last minute");
    let table = ecsim::report::render::table(s);
    let wait = table
        .lines()
        .find(|l| l.starts_with("wait to RUNNING"))
        .unwrap();
    assert!(!wait.contains("0.0"), "{wait}");
    assert!(wait.contains("no task"), "{wait}");
    let row = table
        .lines()
        .find(|l| l.starts_with("alibaba-batch"))
        .unwrap();
    assert!(!row.contains(" 0.0 "), "{row}");
    let page = ecsim::report::html::report_html(&report);
    assert!(!page.contains("0.0 / 0.0 / 0.0 / 0.0 / 0.0"), "report.html");
}

/// The Monte Carlo table and report.html said "seeds 42..=46": a Rust range, not the
/// scenario's words (`ecsim run scenarios/quickstart.json --replicas 5`).
#[test]
fn monte_carlo_seed_ranges_are_not_written_as_rust_ranges() {
    let sc = ecsim::load(&repo_root().join("scenarios/quickstart.json")).unwrap();
    let reps = ecsim::montecarlo::run_replicas(&sc, 42, 2, &|_| {}).unwrap();
    let mc = reps.monte_carlo();
    let table = ecsim::montecarlo::table(&mc);
    let note = ecsim::montecarlo::html_table(&mc).note;
    for text in [&table, &note] {
        assert!(!text.contains("..="), "{text}");
        assert!(text.contains("seeds 42–43"), "{text}");
    }
}

/// `ecsim validate` of a scenario with one workload and a 1,500-row batch trace said
/// "1 workloads, 1500 trace submissions": no singular, no thousands separator (issue 10
/// point 8 asks for separators on large numbers).
#[test]
fn validate_counts_read_as_words() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("submit_time_s,cpu_units,memory_mib,duration_s,count\n");
    for i in 0..1500 {
        csv.push_str(&format!("{i},256,512,10,1\n"));
    }
    std::fs::write(dir.path().join("jobs.csv"), csv).unwrap();
    let mut doc = super::support::skeleton("counts", "1h", &["us-east-1a"]);
    doc["taskDefinitions"] = json!([{
        "family": "job", "cpu": "256", "memory": "512", "requiresCompatibilities": ["FARGATE"]
    }]);
    doc["workloads"] = json!([{
        "name": "jobs", "taskDefinition": "job", "launchType": "FARGATE",
        "source": { "csv": { "path": "jobs.csv" } }
    }]);
    let file = dir.path().join("s.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_ecsim"))
        .arg("validate")
        .arg(&file)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        stdout.contains("(0 services, 1 workload, 1,500 trace submissions and 0 rate steps read)"),
        "{stdout}"
    );
}

/// `ecsim compare scenarios/az-outage/one-az.json scenarios/az-outage/three-azs.json --set
/// '/settings={"measureFrom":"1h"}'` printed the windowed figures with no word of the
/// window in the table, compare.json or compare.html (a note came only when the variants'
/// windows differed), so they read as whole-run figures (issue 10 point 7).
#[test]
fn compare_states_a_measurement_window_shared_by_every_variant() {
    let sc = quickstart_last_minute();
    let a = ecsim::run(&sc, Some(1), &mut |_| {}).unwrap();
    let b = ecsim::run(&sc, Some(2), &mut |_| {}).unwrap();
    let entries = [
        ecsim::compare::Entry {
            name: "a",
            description: "",
            summary: &a.summary,
        },
        ecsim::compare::Entry {
            name: "b",
            description: "",
            summary: &b.summary,
        },
    ];
    let c = ecsim::compare::compare(&entries, 1);
    let table = ecsim::compare::table(&c);
    assert!(table.contains("measured from 119m to 2h"), "{table}");
    assert!(ecsim::compare::compare_json(&c).contains("measured from 119m"));
    assert!(ecsim::compare::html(&c, &[]).contains("measured from 119m"));
    // Without a window, no such note.
    let whole = ecsim::run(
        &ecsim::load(&repo_root().join("scenarios/quickstart.json")).unwrap(),
        Some(1),
        &mut |_| {},
    )
    .unwrap();
    let one = [ecsim::compare::Entry {
        name: "w",
        description: "",
        summary: &whole.summary,
    }];
    assert!(!ecsim::compare::table(&ecsim::compare::compare(&one, 1)).contains("measured from"));
}

/// `--set /settings/measureFrom=1h` on a scenario without `settings` said `"/settings" does
/// not exist`; the workaround was `--set '/settings={"measureFrom":"1h"}'`. Missing members
/// on the way are now created, and a misspelt one is still refused, by the parser, at its
/// path.
#[test]
fn set_creates_a_missing_settings_object_and_a_typo_is_still_an_error() {
    let ecsim = || {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_ecsim"));
        c.current_dir(repo_root());
        c
    };
    let ok = ecsim()
        .args(["validate", "scenarios/quickstart.json"])
        .args(["--set", "/settings/measureFrom=1h"])
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let typo = ecsim()
        .args(["validate", "scenarios/quickstart.json"])
        .args(["--set", "/setings/measureFrom=1h"])
        .output()
        .unwrap();
    assert_eq!(typo.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&typo.stderr);
    assert!(stderr.contains("setings"), "{stderr}");
}
