//! Savings Plans and Reserved Instances applied hour by hour to a whole run (issue 12 point 4).

use std::process::Command;

use serde_json::{json, Value};

use super::support::{close, repo_root, run, skeleton, zero_latencies, USD};

const SEED: u64 = 1;

/// Three idle m5.large for `duration` (the cluster's usage is exact: no task, no scaling).
fn three_m5_large(duration: &str) -> Value {
    let mut v = skeleton("commit", duration, &["us-east-1a", "us-east-1b"]);
    v["settings"] = zero_latencies();
    v["cluster"]["capacityProviders"] = json!(["ec2"]);
    v["autoScalingGroups"] = json!([{
        "autoScalingGroupName": "asg",
        "instanceTypes": ["m5.large"],
        "minSize": 3,
        "maxSize": 3
    }]);
    v["capacityProviders"] = json!([
        { "name": "ec2", "autoScalingGroupProvider": { "autoScalingGroupArn": "asg" } }
    ]);
    v["taskDefinitions"] = json!([
        { "family": "none", "cpu": "256", "memory": "512", "requiresCompatibilities": ["EC2"] }
    ]);
    v["services"] = json!([
        { "serviceName": "none", "taskDefinition": "none", "desiredCount": 0 }
    ]);
    v
}

#[test]
fn a_compute_plan_on_two_hours_of_three_m5_large() {
    let mut v = three_m5_large("2h");
    v["commitments"] = json!([{
        "type": "ComputeSavingsPlan", "hourlyCommitmentUsd": 0.2,
        "ec2Rate": 0.7, "fargateRate": 0.8
    }]);
    let r = run(&v, SEED);
    let c = r
        .summary
        .cost
        .commitments
        .as_ref()
        .expect("commitments in the summary");
    // Per hour: 3 × 0.096 = 0.288 On-Demand; 0.2 / 0.7 = 0.285714… covered; spill
    // 0.002285714…; effective 0.202285714…. Two hours: 0.404571428…, fees 0.4.
    assert!(close(c.without_commitments_usd, 0.576, USD), "{c:?}");
    assert!(close(r.summary.cost.total_usd, 0.576, USD));
    assert!(close(c.commitment_usd, 0.4, USD), "{c:?}");
    assert!(
        close(c.on_demand_spill_usd, 2.0 * (0.288 - 0.2 / 0.7), USD),
        "{c:?}"
    );
    assert!(
        close(c.effective_usd, 0.4 + 2.0 * (0.288 - 0.2 / 0.7), USD),
        "{c:?}"
    );
    assert!(
        close(c.coverage_pct, 100.0 * (0.2 / 0.7) / 0.288, USD),
        "{c:?}"
    );
    assert_eq!(c.by_commitment.len(), 1);
    assert!(close(c.by_commitment[0].utilization_pct, 100.0, USD));
    assert_eq!(c.by_commitment[0].term, "1yr");
    let csv = r.commitments_csv.as_ref().expect("commitments.csv");
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 3, "header and two hours:\n{csv}");
    assert!(
        rows[1].starts_with("0,0.288000,0.200000,0.002286,"),
        "{csv}"
    );
    assert!(
        rows[2].starts_with("3600,0.288000,0.200000,0.002286,"),
        "{csv}"
    );
}

#[test]
fn a_size_flexible_ri_and_the_measurement_window() {
    // 90 minutes measured from 30 m: the hours are 30–90 m (full) and 90–120 m (half).
    let mut v = three_m5_large("2h");
    v["settings"]["measureFrom"] = json!("30m");
    // 1 m5.xlarge (8 units) covers 2 of the 3 m5.large (4 units each).
    v["commitments"] = json!([{
        "type": "StandardReservedInstance", "instanceType": "m5.xlarge",
        "instanceCount": 1, "effectiveHourlyUsd": 0.121
    }]);
    let r = run(&v, SEED);
    let c = r.summary.cost.commitments.as_ref().expect("commitments");
    // Window 1.5 h: On-Demand 3 × 0.096 × 1.5 = 0.432; one m5.large spills: 0.144;
    // fees 0.121 × 1.5 = 0.1815; effective 0.3255.
    assert!(close(c.without_commitments_usd, 0.432, USD), "{c:?}");
    assert!(close(r.summary.cost.total_usd, 0.432, USD));
    assert!(close(c.commitment_usd, 0.1815, USD), "{c:?}");
    assert!(close(c.on_demand_spill_usd, 0.144, USD), "{c:?}");
    assert!(close(c.effective_usd, 0.3255, USD), "{c:?}");
    let csv = r.commitments_csv.as_ref().expect("csv");
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(
        csv.lines().nth(2).is_some_and(|l| l.starts_with("5400,")),
        "{csv}"
    );
}

#[test]
fn without_commitments_nothing_is_added() {
    let r = run(&three_m5_large("1h"), SEED);
    assert!(r.summary.cost.commitments.is_none());
    assert!(r.commitments_csv.is_none());
    let json = serde_json::to_string(&r.summary).expect("json");
    assert!(!json.contains("commitments"), "{json}");
}

fn problems(v: &Value) -> String {
    let text = serde_json::to_string_pretty(v).expect("json");
    match ecsim::scenario::from_json_str(&text, std::path::Path::new("c.json"), repo_root()) {
        Ok(_) => panic!("should be invalid"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn bad_commitments_are_named_by_path() {
    let mut v = three_m5_large("1h");
    v["commitments"] = json!([
        { "type": "ComputeSavingsPlan", "hourlyCommitmentUsd": 1.0, "ec2Rate": 0.7 },
        { "type": "EC2InstanceSavingsPlan", "hourlyCommitmentUsd": 1.0, "rate": 1.5,
          "instanceFamily": "zz9" },
        { "type": "StandardReservedInstance", "instanceType": "m5.metal",
          "effectiveHourlyUsd": 1.0 },
        { "type": "SavingsPlan" },
        { "type": "ComputeSavingsPlan", "hourlyCommitment": 1.0 }
    ]);
    let e = problems(&v);
    for needle in [
        "commitments[0].fargateRate: missing",
        "commitments[1].rate: expected the Savings Plans price as a fraction",
        "commitments[1].instanceFamily: \"zz9\" is no instance family",
        "commitments[2].instanceType:",
        "commitments[3].type: expected ComputeSavingsPlan",
        "commitments[4]",
    ] {
        assert!(e.contains(needle), "{needle:?} not in:\n{e}");
    }
}

#[test]
fn compare_varies_the_hourly_commitment_through_set() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut v = three_m5_large("1h");
    v["commitments"] = json!([{
        "type": "ComputeSavingsPlan", "hourlyCommitmentUsd": 0.1,
        "ec2Rate": 0.7, "fargateRate": 0.8
    }]);
    v["variants"] = json!([
        { "name": "small" },
        { "name": "big", "set": { "/commitments/0/hourlyCommitmentUsd": 0.3 } }
    ]);
    let file = dir.path().join("c.json");
    std::fs::write(&file, serde_json::to_string_pretty(&v).expect("json")).expect("write");
    let out = dir.path().join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_ecsim"))
        .current_dir(repo_root())
        .arg("compare")
        .arg(&file)
        // `--set` applies before the variants: the base plan becomes 0.2 USD/h.
        .args(["--set", "/commitments/0/hourlyCommitmentUsd=0.2"])
        .args(["--quiet", "--no-charts", "--out"])
        .arg(&out)
        .output()
        .expect("ecsim runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let fee = |variant: &str| -> f64 {
        let text =
            std::fs::read_to_string(out.join(variant).join("summary.json")).expect("summary.json");
        let s: Value = serde_json::from_str(&text).expect("json");
        assert!(out.join(variant).join("commitments.csv").is_file());
        s["cost"]["commitments"]["commitment_usd"]
            .as_f64()
            .expect("commitment_usd")
    };
    // One hour: the fee is the hourly commitment.
    assert!(close(fee("small"), 0.2, USD));
    assert!(close(fee("big"), 0.3, USD));
}

#[test]
fn sweep_finds_the_best_hourly_commitment() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut base = three_m5_large("1h");
    base["commitments"] = json!([{
        "type": "ComputeSavingsPlan", "hourlyCommitmentUsd": 0.1,
        "ec2Rate": 0.7, "fargateRate": 0.8
    }]);
    // effective(C) = C + max(0, 0.288 − C / 0.7): 0.1 → 0.245143, 0.2 → 0.202286, 0.3 → 0.3.
    let sweep = json!({
        "name": "best-commitment", "base": base, "seed": 1, "replicas": 1,
        "parameters": [{ "name": "hourly", "pointer": "/commitments/0/hourlyCommitmentUsd",
                         "values": [0.1, 0.2, 0.3] }],
        "design": "grid", "objective": { "minimize": "cost.commitments.effective_usd" },
        "search": "full"
    });
    let file = dir.path().join("sweep.json");
    std::fs::write(&file, serde_json::to_string_pretty(&sweep).expect("json")).expect("write");
    let out = dir.path().join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_ecsim"))
        .current_dir(repo_root())
        .arg("sweep")
        .arg(&file)
        .args(["--quiet", "--out"])
        .arg(&out)
        .output()
        .expect("ecsim runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let best: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("best.json")).expect("best.json"))
            .expect("json");
    assert_eq!(
        best["commitments"][0]["hourlyCommitmentUsd"],
        json!(0.2),
        "{best}"
    );
}

#[test]
fn a_commitment_from_another_region_is_an_error_naming_its_path() {
    // The region check: the scenario's prices (and so its Region) are us-east-1's.
    let mut v = three_m5_large("1h");
    v["commitments"] = json!([
        { "type": "ComputeSavingsPlan", "hourlyCommitmentUsd": 0.1,
          "ec2Rate": 0.7, "fargateRate": 0.8, "region": "us-east-1" },
        { "type": "EC2InstanceSavingsPlan", "hourlyCommitmentUsd": 0.1, "rate": 0.6,
          "instanceFamily": "m5", "region": "eu-west-1" }
    ]);
    let e = problems(&v);
    assert!(
        e.contains(
            "commitments[1].region: \"eu-west-1\" is not the scenario's Region (\"us-east-1\")"
        ),
        "{e}"
    );
    assert!(!e.contains("commitments[0]"), "{e}");
}

#[test]
fn a_commitment_on_a_family_never_run_on_demand_is_a_warning_and_the_run_goes_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut v = three_m5_large("1h");
    v["commitments"] = json!([
        // Runs: no warning.
        { "type": "EC2InstanceSavingsPlan", "hourlyCommitmentUsd": 0.05, "rate": 0.6,
          "instanceFamily": "m5" },
        // In the catalog, never run: a warning (paid every hour, never used).
        { "type": "EC2InstanceSavingsPlan", "hourlyCommitmentUsd": 0.05, "rate": 0.6,
          "instanceFamily": "c5" },
        { "type": "StandardReservedInstance", "instanceType": "r5.large",
          "effectiveHourlyUsd": 0.08 }
    ]);
    let file = dir.path().join("c.json");
    std::fs::write(&file, serde_json::to_string_pretty(&v).expect("json")).expect("write");
    let o = Command::new(env!("CARGO_BIN_EXE_ecsim"))
        .current_dir(repo_root())
        .arg("validate")
        .arg(&file)
        .output()
        .expect("ecsim runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("warning: ")
            && stdout.contains(
                "commitments[1].instanceFamily: the scenario never runs \"c5\" On-Demand"
            ),
        "{stdout}"
    );
    assert!(
        stdout.contains("commitments[2].instanceType: the scenario never runs \"r5\" On-Demand"),
        "{stdout}"
    );
    assert!(!stdout.contains("commitments[0]"), "{stdout}");
    // `run` says it on stderr and goes on: the unused plans are paid, utilisation 0.
    let out = dir.path().join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_ecsim"))
        .current_dir(repo_root())
        .arg("run")
        .arg(&file)
        .args(["--no-charts", "--out"])
        .arg(&out)
        .output()
        .expect("ecsim runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("warning: ") && stderr.contains("\"c5\""),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("costs.csv, commitments.csv,"), "{stdout}");
    assert!(out.join("commitments.csv").is_file());
    // `compare` says it per variant on stderr, and goes on too.
    let o = Command::new(env!("CARGO_BIN_EXE_ecsim"))
        .current_dir(repo_root())
        .arg("compare")
        .arg(&file)
        .args(["--no-charts", "--out"])
        .arg(dir.path().join("cmp"))
        .output()
        .expect("ecsim runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains(
            "variant commit: commitments[2].instanceType: the scenario never runs \"r5\""
        ),
        "{stderr}"
    );
    let s: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("summary.json")).expect("summary.json"),
    )
    .expect("json");
    assert_eq!(
        s["cost"]["commitments"]["by_commitment"][1]["utilization_pct"],
        json!(0.0),
        "{s}"
    );
}

#[test]
fn a_commitment_on_a_spot_only_family_is_a_warning_saying_why() {
    let mut v = three_m5_large("1h");
    v["autoScalingGroups"][0]["purchaseOption"] = json!("spot");
    v["commitments"] = json!([
        { "type": "StandardReservedInstance", "instanceType": "m5.large",
          "effectiveHourlyUsd": 0.06 }
    ]);
    let text = serde_json::to_string_pretty(&v).expect("json");
    let s = ecsim::scenario::from_json_str(&text, std::path::Path::new("c.json"), repo_root())
        .expect("valid: a warning, not an error");
    assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
    assert!(
        s.warnings[0].contains("only Spot groups run it"),
        "{:?}",
        s.warnings
    );
}

#[test]
fn commitments_are_shown_in_the_table_the_page_and_the_cost_chart() {
    let mut v = three_m5_large("3h");
    v["commitments"] = json!([{
        "type": "ComputeSavingsPlan", "hourlyCommitmentUsd": 0.2,
        "ec2Rate": 0.7, "fargateRate": 0.8, "term": "1yr", "paymentOption": "NoUpfront"
    }]);
    let r = run(&v, SEED);
    // Per hour: 0.288 On-Demand, with the plan 0.2 + (0.288 − 0.2 / 0.7) = 0.202286; saved
    // 0.085714 of 0.288 = 29.8 %. The plan is used in full every hour.
    let table = ecsim::report::render::table(&r.summary);
    assert!(table.contains("  commitments saved"), "{table}");
    assert!(
        table.contains("(29.8% of the cost without them)"),
        "{table}"
    );
    assert!(
        table.contains("(commitments[0] ComputeSavingsPlan: used 100.0%, 1yr NoUpfront)"),
        "{table}"
    );
    let html = ecsim::report::html::report_html(&r);
    assert!(html.contains("<h2>Commitments</h2>"), "no section");
    assert!(html.contains("saved by the commitments"), "no savings row");
    // The chart: one solid and one dashed line in the commitments colour, three hours long.
    let red = ecsim::report::charts::style::hex(ecsim::report::charts::style::COMMITMENT_LINE);
    let svg = ecsim::report::charts::cost_svg(&r).expect("cost chart");
    let lines = svg
        .lines()
        .filter(|l| l.contains(&format!("stroke=\"{red}\"")) && !l.contains("<rect"))
        .count();
    assert!(lines >= 2, "{lines} commitment lines in\n{svg}");
    assert!(svg.contains("with commitments: fees + on-demand spill + Spot"));
    assert_eq!(r.commitment_series.len(), 3);
    let last = r.commitment_series.last().expect("three hours");
    assert!(close(last.fees_usd, 0.6, USD), "{last:?}");
    assert!(
        close(last.effective_usd, 3.0 * (0.2 + 0.288 - 0.2 / 0.7), USD),
        "{last:?}"
    );
    // Without commitments: no line, no legend entry, no section, no table line.
    let plain = run(&three_m5_large("3h"), SEED);
    let svg = ecsim::report::charts::cost_svg(&plain).expect("cost chart");
    assert!(!svg.contains(&red), "commitment colour without commitments");
    assert!(!ecsim::report::html::report_html(&plain).contains("Commitments</h2>"));
    assert!(!ecsim::report::render::table(&plain.summary).contains("commitments"));
}

/// Issue 12 point 5: the ec2-or-fargate walk-through's key number, where a one-year Compute
/// Savings Plan moves the break-even, is what `compare` says of `commitment/month.json`, so
/// the README cannot go stale.
#[test]
fn the_walk_through_s_moved_break_even_is_what_compare_says() {
    let file = repo_root().join("scenarios/ec2-or-fargate/commitment/month.json");
    let set = ecsim::scenario::load_set_with(&file, &[]).unwrap_or_else(|e| panic!("{e}"));
    let planned = ecsim::compare::plan(vec![(file, set)]);
    let reports = ecsim::compare::run_variants(&planned, SEED, &|_| {})
        .unwrap_or_else(|e| panic!("seed {SEED}: {e}"));
    let entries: Vec<ecsim::compare::Entry<'_>> = planned
        .iter()
        .zip(&reports)
        .map(|(p, r)| ecsim::compare::Entry {
            name: &p.name,
            description: &p.description,
            summary: &r.summary,
        })
        .collect();
    let c = ecsim::compare::compare(&entries, SEED);
    let b = c.break_even.first().expect("ec2-binpack vs fargate");
    let moved = b
        .break_even_with_commitments_pct
        .expect("both variants have a plan");
    let readme = std::fs::read_to_string(repo_root().join("scenarios/ec2-or-fargate/README.md"))
        .expect("README");
    let sentence = format!(
        "the break-even moves from {:.2} % to {:.2} %",
        b.break_even_reserved_share_pct, moved
    );
    assert!(
        readme.contains(&sentence),
        "README does not say {sentence:?}"
    );
    // And the two months with their plans, as the table prints them.
    for v in &c.variants {
        let cost = v.figures.with_commitments_usd.expect("a plan");
        assert!(
            readme.contains(&format!("{cost:.4}")),
            "README lacks {}'s {cost:.4}",
            v.name
        );
    }
    // EC2 gains: the plan's deeper EC2 discount pulls the line down.
    assert!(moved < b.break_even_reserved_share_pct, "{moved}");
}

#[test]
fn a_sweep_whose_levels_add_the_commitment_can_minimise_its_cost() {
    // The base has no commitments, so its summary has no `cost.commitments`; the figures are
    // checked on the first point, which has them. Before, the sweep was refused.
    let dir = tempfile::tempdir().expect("tempdir");
    let base = three_m5_large("1h");
    let plan = |c: f64| {
        json!({ "name": format!("{c}"), "set": { "/commitments": [{
            "type": "ComputeSavingsPlan", "hourlyCommitmentUsd": c,
            "ec2Rate": 0.7, "fargateRate": 0.8 }] } })
    };
    // effective(C) = C + max(0, 0.288 − C / 0.7): 0.1 → 0.245143, 0.2 → 0.202286, 0.3 → 0.3.
    let sweep = json!({
        "name": "added-commitment", "base": base, "seed": 1, "replicas": 1,
        "parameters": [{ "name": "plan", "options": [plan(0.1), plan(0.2), plan(0.3)] }],
        "design": "grid", "objective": { "minimize": "cost.commitments.effective_usd" },
        "search": "full"
    });
    let file = dir.path().join("sweep.json");
    std::fs::write(&file, serde_json::to_string_pretty(&sweep).expect("json")).expect("write");
    let out = dir.path().join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_ecsim"))
        .current_dir(repo_root())
        .arg("sweep")
        .arg(&file)
        .args(["--quiet", "--out"])
        .arg(&out)
        .output()
        .expect("ecsim runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let best: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("best.json")).expect("best.json"))
            .expect("json");
    assert_eq!(
        best["commitments"][0]["hourlyCommitmentUsd"],
        json!(0.2),
        "{best}"
    );
}
