//! Decision traces (issue 16): `ecsim run --explain` changes no other output, its
//! explain.jsonl is deterministic and bounded, the scaling explanations' numbers give the
//! activities' new counts, and `ecsim explain` refuses bad input with exit code 2.

use std::path::Path;
use std::process::{Command, Output};

use ecsim::explain::{Decision, Explanations};
use ecsim::report::Report;

use super::support::repo_root;

fn ecsim() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ecsim"));
    c.current_dir(repo_root());
    c
}

fn run_to(scenario: &str, out: &Path, explain: bool) {
    let mut c = ecsim();
    c.args(["run", scenario, "--quiet", "--no-charts", "--out"])
        .arg(out);
    if explain {
        c.arg("--explain");
    }
    let o = c.output().expect("ecsim runs");
    assert!(
        o.status.success(),
        "{scenario}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn explain(dir: &Path, args: &[&str]) -> Output {
    ecsim()
        .arg("explain")
        .arg(dir)
        .args(args)
        .output()
        .expect("ecsim runs")
}

fn read(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{}: {e}", dir.join(name).display()))
}

/// Runs a shipped scenario with traces, in the library.
fn explained(scenario: &str, patch: impl FnOnce(&mut serde_json::Value)) -> (Report, Explanations) {
    let path = repo_root().join(scenario);
    let text = std::fs::read_to_string(&path).expect("scenario readable");
    let mut v: serde_json::Value = serde_json::from_str(&text).expect("scenario JSON");
    patch(&mut v);
    let sc = ecsim::scenario::from_json_str(
        &v.to_string(),
        &path,
        path.parent().expect("scenario folder"),
    )
    .expect("valid scenario");
    let mut report = ecsim::run_explained(&sc, None, &mut |_| {}).expect("run");
    let x = report
        .explain
        .take()
        .expect("a run with --explain has traces");
    (report, x)
}

const SAME_FILES: [&str; 6] = [
    "summary.json",
    "timeseries.csv",
    "services.csv",
    "capacity_providers.csv",
    "costs.csv",
    "events.jsonl",
];

/// Issue 16: the decisions with --explain on are those with it off (every other output is
/// byte-identical), and explain.jsonl itself is the same from run to run. Two scenarios:
/// auto scaling with managed scaling, and an AZ outage (faults, never-placed tasks).
#[test]
fn explaining_changes_no_decision_and_is_deterministic() {
    for scenario in [
        "scenarios/scale-out-lag/scenario.json",
        "scenarios/az-outage/one-az.json",
    ] {
        let off = tempfile::tempdir().expect("tempdir");
        let on = tempfile::tempdir().expect("tempdir");
        let again = tempfile::tempdir().expect("tempdir");
        run_to(scenario, off.path(), false);
        run_to(scenario, on.path(), true);
        run_to(scenario, again.path(), true);
        for f in SAME_FILES {
            assert!(
                read(off.path(), f) == read(on.path(), f),
                "{scenario}: {f} differs with --explain"
            );
        }
        assert!(!off.path().join("explain.jsonl").exists());
        let x = read(on.path(), "explain.jsonl");
        assert!(x.len() > 1000, "{scenario}: explain.jsonl is nearly empty");
        assert!(
            x == read(again.path(), "explain.jsonl"),
            "{scenario}: explain.jsonl differs between two runs"
        );
        // The page links its timeline rows to explanations it holds.
        let html = String::from_utf8(read(on.path(), "report.html")).expect("UTF-8");
        let links: Vec<&str> = html
            .split("href=\"#decision-")
            .skip(1)
            .map(|s| &s[..s.find('"').expect("closing quote")])
            .collect();
        assert!(
            !links.is_empty(),
            "{scenario}: no timeline row links to a decision"
        );
        for id in links {
            assert!(
                html.contains(&format!("id=\"decision-{id}\"")),
                "{scenario}: decision {id} is linked but not in the page"
            );
        }
    }
}

/// ceil with the policies' tolerance for float noise (3 × 70 ÷ 70 is 3, not 4).
fn ceil(x: f64) -> u32 {
    (x - 1e-9).ceil().max(0.0) as u32
}

/// Target tracking and managed scaling: for every activity, the numbers in the explanation
/// give the new count by the published formulas — the trace is not just the activity's
/// result copied.
#[test]
fn target_tracking_and_managed_scaling_numbers_give_the_new_count() {
    let (_, x) = explained("scenarios/scale-out-lag/scenario.json", |_| {});
    let (mut service_checked, mut managed_out, mut managed_in) = (0, 0, 0);
    let mut directions = std::collections::BTreeSet::new();
    for r in &x.records {
        match &r.decision {
            Decision::ServiceScaling(t) => {
                let Some(a) = &t.activity else { continue };
                let p = t
                    .policies
                    .iter()
                    .find(|p| p.policy == a.policy)
                    .expect("the acting policy is traced");
                let pr = p.proposal.as_ref().expect("the acting policy proposed");
                let target = pr.target.expect("a target tracking policy has a target");
                // ceil(running × metric ÷ target); a scale-out adds at least one task.
                let raw = ceil(f64::from(t.running) * pr.metric / target);
                let computed = if pr.direction == "out" {
                    raw.max(t.running + 1)
                } else {
                    raw
                };
                assert_eq!(computed, pr.computed, "record {}: {}", r.id, pr.formula);
                let clamped = computed.clamp(t.min_capacity, t.max_capacity);
                assert_eq!(clamped, a.to, "record {}: the activity's new count", r.id);
                assert_eq!(a.from, t.desired);
                directions.insert(pr.direction.clone());
                service_checked += 1;
            }
            Decision::ManagedScaling(m) => {
                let Some(a) = &m.activity else { continue };
                let target = f64::from(m.target_capacity);
                if a.to > a.from {
                    // ceil(max(N, 1) × reservation ÷ target), at least one more, in bounds.
                    let want = ceil(f64::from(m.n.max(1)) * m.reservation / target)
                        .max(m.desired + 1)
                        .min(m.max_size)
                        .max(m.min_size);
                    assert_eq!(want, a.to, "record {}: {}", r.id, m.formula);
                    // M itself comes from the binpack and step clamps when tasks wait.
                    if let Some(b) = &m.binpack {
                        assert_eq!((m.n + b.add).max(m.m), m.m, "record {}", r.id);
                    }
                    assert_eq!(m.reservation, f64::from(m.m) / f64::from(m.n) * 100.0);
                    managed_out += 1;
                } else {
                    let want = ceil(f64::from(m.n) * m.reservation / target)
                        .max(m.min_size)
                        .max(m.desired.saturating_sub(m.scale_in_step));
                    assert_eq!(want, a.to, "record {}: {}", r.id, m.formula);
                    managed_in += 1;
                }
            }
            _ => {}
        }
    }
    assert!(
        service_checked >= 3,
        "only {service_checked} service activities"
    );
    assert_eq!(
        directions.into_iter().collect::<Vec<_>>(),
        ["in", "out"],
        "both directions are checked"
    );
    assert!(
        managed_out >= 1 && managed_in >= 1,
        "managed scaling: {managed_out} out, {managed_in} in"
    );
}

/// Step scaling: the matched step's adjustment applied to its base gives the new count.
#[test]
fn step_scaling_numbers_give_the_new_count() {
    let (_, x) = explained(
        "scenarios/cooldown-oscillation/short-cooldowns.json",
        |_| {},
    );
    let mut checked = 0;
    for r in &x.records {
        let Decision::ServiceScaling(t) = &r.decision else {
            continue;
        };
        let Some(a) = &t.activity else { continue };
        let p = t
            .policies
            .iter()
            .find(|p| p.policy == a.policy)
            .expect("acting policy");
        let pr = p.proposal.as_ref().expect("proposal");
        let st = pr.step.as_ref().expect("a step policy's step");
        // The step contains aggregate − threshold.
        assert!((st.aggregate - st.threshold - st.difference).abs() < 1e-9);
        let computed = match st.adjustment_type.as_str() {
            "ChangeInCapacity" => (i64::from(st.base) + st.adjustment).max(0) as u32,
            "ExactCapacity" => st.adjustment.max(0) as u32,
            other => panic!("record {}: the scenario has no {other} step", r.id),
        };
        assert_eq!(computed, pr.computed, "record {}: {}", r.id, pr.formula);
        assert_eq!(
            computed.clamp(t.min_capacity, t.max_capacity),
            a.to,
            "record {}: the activity's new count",
            r.id
        );
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} step activities checked");
}

/// `settings.explainLimit` bounds the file: that many decisions of each kind (placements
/// cannot crowd out the scaling decisions the timeline links to), then one line saying so.
#[test]
fn the_limit_bounds_the_trace_and_says_so() {
    let (_, full) = explained("scenarios/scale-out-lag/scenario.json", |_| {});
    let (_, x) = explained("scenarios/scale-out-lag/scenario.json", |v| {
        v["settings"]["explainLimit"] = serde_json::json!(5);
    });
    let count = |x: &Explanations, kinds: &[&str]| {
        x.records
            .iter()
            .filter(|r| {
                let v = serde_json::to_value(r).expect("serialisable");
                kinds.contains(&v["decision"].as_str().unwrap_or(""))
            })
            .count()
    };
    let tasks = ["placement", "capacity_provider_strategy"];
    let others = [
        "service_scaling",
        "managed_scaling",
        "fault",
        "scheduled_action",
    ];
    assert!(
        count(&full, &tasks) > 5 && count(&full, &others) > 5,
        "the run has more to cut"
    );
    assert_eq!(count(&x, &tasks), 5);
    assert_eq!(count(&x, &others), 5);
    // The kept decisions are the first ones, unchanged.
    assert_eq!(x.records[0], full.records[0]);
    assert!(x.limit_reached);
    let jsonl = x.jsonl();
    let lines: Vec<&str> = jsonl.lines().collect();
    assert_eq!(lines.len(), x.records.len() + 1);
    let last: serde_json::Value = serde_json::from_str(lines[lines.len() - 1]).expect("JSON");
    assert_eq!(last["decision"], "limit_reached");
    assert_eq!(last["limit"], 5);
    assert_eq!(
        last["left_out"],
        serde_json::json!([
            "placements and capacity provider strategies",
            "scaling decisions and faults"
        ])
    );
}

/// The command prints a decision as text or JSON; `--service --at` picks the last decision
/// at or before the time.
#[test]
fn explain_prints_decisions() {
    let d = tempfile::tempdir().expect("tempdir");
    run_to("scenarios/scale-out-lag/scenario.json", d.path(), true);
    // Lines 1-5 of events.jsonl are ECS's default AZ rebalancing at time zero (the five warm
    // tasks sit 3 + 2 + 0 with no instance in us-east-1c); line 6 is the first scale-out.
    let o = explain(d.path(), &["--event", "6"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("service auto scaling, web"), "{text}");
    assert!(
        text.contains("ceil(running 5 × metric 100 ÷ target 50)"),
        "{text}"
    );
    assert!(text.contains("acts: 5 → 10"), "{text}");
    // The scale-out comes at 36:03: the three breaching minutes end at 33:00 and CloudWatch
    // publishes the last one `settings.metricDelay` (183 s) later.
    let o = explain(d.path(), &["--service", "web", "--at", "37m", "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["decision"], "service_scaling");
    assert_eq!(lines[0]["time_s"], 2163.0);
    let o = explain(d.path(), &["--task", "3"]);
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("placement, task 3 (web)"), "{text}");
    assert!(text.contains("chosen: i-"), "{text}");
}

fn assert_input_error(o: &Output, needle: &str) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "stderr: {err}");
    assert!(err.contains(needle), "expected {needle:?} in: {err}");
    assert_eq!(err.lines().count(), 1, "one message: {err}");
}

/// Bad input: a folder written without --explain, no folder at all, an unknown task,
/// service or event, a damaged line: one clear message each, exit code 2.
#[test]
fn explain_refuses_bad_input_with_exit_2() {
    let plain = tempfile::tempdir().expect("tempdir");
    run_to("scenarios/scale-out-lag/scenario.json", plain.path(), false);
    assert_input_error(
        &explain(plain.path(), &["--task", "1"]),
        "was written without --explain",
    );
    assert_input_error(
        &explain(&plain.path().join("nope"), &["--task", "1"]),
        "no such run folder",
    );
    let d = tempfile::tempdir().expect("tempdir");
    run_to("scenarios/scale-out-lag/scenario.json", d.path(), true);
    assert_input_error(
        &explain(d.path(), &["--task", "999999"]),
        "no decision about task 999999",
    );
    assert_input_error(
        &explain(d.path(), &["--service", "nosuch"]),
        "services traced: web",
    );
    let lines = read(d.path(), "events.jsonl")
        .iter()
        .filter(|&&b| b == b'\n')
        .count();
    assert_input_error(
        &explain(d.path(), &["--event", &(lines + 1).to_string()]),
        &format!("has {lines} lines; there is no event {}", lines + 1),
    );
    assert_input_error(&explain(d.path(), &["--event", "0"]), "there is no event 0");
    let o = explain(d.path(), &["--at", "5m"]);
    assert_eq!(o.status.code(), Some(2), "--at needs --service");
    let mut text = String::from_utf8(read(d.path(), "explain.jsonl")).expect("UTF-8");
    text.push_str("{\"id\": \"x\"}\n");
    let n = text.lines().count();
    std::fs::write(d.path().join("explain.jsonl"), text).expect("write");
    assert_input_error(
        &explain(d.path(), &["--task", "1"]),
        &format!("explain.jsonl:{n}: not a decision record"),
    );
}
