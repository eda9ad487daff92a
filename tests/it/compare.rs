//! `ecsim compare` and scenario variants: patching, errors naming the variant, the comparison
//! figures, the break-even against hand arithmetic, deterministic files, the binary.

use std::path::Path;
use std::process::Command;

use ecsim::compare::{self, Verdict};
use ecsim::report::Report;
use ecsim::scenario::{set_from_json_str, ScenarioSet};
use serde_json::{json, Value};

use super::support::{repo_root, skeleton, zero_latencies, USD};

/// The hand-arithmetic workload: 4 steady tasks of 1 vCPU and 3,500 MiB for 10 hours, no
/// scaling, every latency zero (so every task is RUNNING for the whole 10 h).
///
/// An m5.large has 2 vCPU = 2,048 CPU units and 8 GiB, of which it registers
/// ⌊8,192 × (1 − 0.075)⌋ = ⌊7,577.6⌋ = 7,577 MiB (src/cloud/catalog.rs), at $0.096 per hour
/// on demand in us-east-1. Exactly 2 tasks fit: 2 × 1,024 = 2,048 CPU units and
/// 2 × 3,500 = 7,000 ≤ 7,577 MiB.
///
/// Variants: `ec2-full` (2 instances, every CPU unit reserved), `ec2-20pct` (10 instances:
/// 4 × 1,024 / (10 × 2,048) = 20 % of the CPU), `fargate` (the same service on FARGATE, its
/// size rounded by hand to a valid Fargate size: 1,024 CPU units is 1 vCPU, which Fargate pairs
/// with 2–8 GB in 1 GB steps, so 3,500 MiB becomes 4 GB = 4,096 MiB; ECS refuses a
/// Fargate-compatible task definition of another size, so the variant says 4096).
fn steady() -> Value {
    let mut s = skeleton("steady", "10h", &["us-east-1a"]);
    s["settings"] = zero_latencies();
    s["autoScalingGroups"] = json!([{
        "autoScalingGroupName": "asg",
        "instanceTypes": ["m5.large"],
        "minSize": 2,
        "maxSize": 2
    }]);
    s["taskDefinitions"] = json!([{
        "family": "app",
        "cpu": "1024",
        "memory": "3500",
        "requiresCompatibilities": ["EC2"],
        "networkMode": "awsvpc"
    }]);
    s["services"] = json!([{
        "serviceName": "app",
        "taskDefinition": "app",
        "desiredCount": 4,
        "launchType": "EC2"
    }]);
    s["variants"] = json!([
        { "name": "ec2-full", "description": "2 m5.large, full" },
        {
            "name": "ec2-20pct",
            "description": "10 m5.large, 20 % of the CPU reserved",
            "set": { "/autoScalingGroups/0/minSize": 10, "/autoScalingGroups/0/maxSize": 10 }
        },
        {
            "name": "fargate",
            "description": "the same tasks on Fargate, memory rounded up to 4 GB",
            "set": {
                "/services/0/launchType": "FARGATE",
                "/taskDefinitions/0/requiresCompatibilities": ["FARGATE"],
                "/taskDefinitions/0/memory": "4096"
            },
            "remove": ["/autoScalingGroups/0"]
        }
    ]);
    s
}

fn load(value: &Value) -> Result<ScenarioSet, ecsim::ScenarioError> {
    let text = serde_json::to_string_pretty(value).expect("serialisable");
    set_from_json_str(&text, Path::new("test.json"), repo_root())
}

fn load_ok(value: &Value) -> ScenarioSet {
    load(value).unwrap_or_else(|e| panic!("should be valid: {e}"))
}

fn load_err(value: &Value) -> String {
    match load(value) {
        Ok(_) => panic!("should be invalid"),
        Err(e) => e.to_string(),
    }
}

/// Runs every variant of `value` with seed 1 and compares them.
fn compare_all(value: &Value) -> (compare::Comparison, Vec<Report>) {
    compare_set("test.json".into(), load_ok(value))
}

/// Plans, runs (seed 1) and compares one file's scenario set.
fn compare_set(file: std::path::PathBuf, set: ScenarioSet) -> (compare::Comparison, Vec<Report>) {
    let planned = compare::plan(vec![(file, set)]);
    let reports =
        compare::run_variants(&planned, 1, &|_| {}).unwrap_or_else(|e| panic!("seed 1: {e}"));
    let entries: Vec<compare::Entry<'_>> = planned
        .iter()
        .zip(&reports)
        .map(|(p, r)| compare::Entry {
            name: &p.name,
            description: &p.description,
            summary: &r.summary,
        })
        .collect();
    (compare::compare(&entries, 1), reports)
}

fn rel_close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs()
}

#[test]
fn cheaper_option_and_break_even_match_hand_arithmetic() {
    let (c, reports) = compare_all(&steady());
    let names: Vec<&str> = c.variants.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["ec2-full", "ec2-20pct", "fargate"]);
    let total = |i: usize| reports[i].summary.cost.total_usd;

    // ec2-full: 2 instances × 10 h × $0.096 = $1.92.
    assert!((total(0) - 1.92).abs() <= USD, "{}", total(0));
    // ec2-20pct: 10 instances × 10 h × $0.096 = $9.60.
    assert!((total(1) - 9.60).abs() <= USD, "{}", total(1));
    // fargate: 1 vCPU and 4 GB (rounded up from 3,500 MiB, see `steady`). Per task-hour:
    // 1 × $0.000011244 × 3,600 + 4 × $0.000001235 × 3,600 = $0.0404784 + $0.017784
    // = $0.0582624; 4 tasks × 10 h = 40 task-hours → $2.330496.
    let c_f = 1.0 * 0.000011244 * 3600.0 + 4.0 * 0.000001235 * 3600.0;
    assert!((total(2) - 40.0 * c_f).abs() <= USD, "{}", total(2));
    // Cheaper at full utilization: EC2 ($1.92 < $2.33); at 20 %: Fargate ($2.33 < $9.60).
    assert!(total(0) < total(2) && total(2) < total(1));
    assert!(rel_close(
        reports[1].summary.reservation.cpu_pct_avg,
        20.0,
        1e-6
    ));

    // Break-even. An m5.large (Nitro) registers ⌊8,192 × 0.96⌋ = 7,864 MiB. Billing charges
    // each task 0.096 × (½ × 1,024/2,048 + ½ × 3,500/7,864) per hour
    // = 0.096 × (0.25 + 0.2225331) = $0.0453632 per task-hour, whatever the number of
    // instances: that is C_e × u_m for both EC2 variants (ec2-full: C_e = 1.92 / 40 = 0.048,
    // u_m = 0.9450661; ec2-20pct: C_e = 9.6 / 40 = 0.24, u_m = 0.1890132).
    // u* = C_e × u_m / C_f = 0.0453632 / 0.0582624 = 77.86 %.
    let attributed = 0.096 * (0.5 * 1024.0 / 2048.0 + 0.5 * 3500.0 / 7864.0);
    let u_star_pct = attributed / c_f * 100.0;
    assert_eq!(c.break_even.len(), 2, "{:#?}", c.break_even);
    let (full, low) = (&c.break_even[0], &c.break_even[1]);
    assert_eq!(
        (full.ec2_variant.as_str(), full.fargate_variant.as_str()),
        ("ec2-full", "fargate")
    );
    assert_eq!(low.ec2_variant, "ec2-20pct");
    for (b, c_e) in [(full, 1.92 / 40.0), (low, 9.6 / 40.0)] {
        // Money is rounded to a micro-dollar, which moves u_m by at most
        // 0.5e-6 / $1.85 ≈ 3e-7 relative: inside the 1e-6 tolerance.
        assert!(
            rel_close(b.break_even_reserved_share_pct, u_star_pct, 1e-6),
            "{}: u* {} vs hand {u_star_pct}",
            b.ec2_variant,
            b.break_even_reserved_share_pct
        );
        assert!(rel_close(b.fargate_usd_per_task_hour, c_f, 1e-9));
        assert!(rel_close(b.ec2_usd_per_task_hour, c_e, 1e-9));
        // Per instance-hour: $0.096 / $0.0582624 = 1.6477 task-hours; ec2-full carries
        // 40 / 20 = 2, ec2-20pct 40 / 100 = 0.4.
        assert!(rel_close(
            b.break_even_task_hours_per_instance_hour,
            0.096 / c_f,
            1e-6
        ));
    }
    assert!(rel_close(full.task_hours_per_instance_hour, 2.0, 1e-9));
    assert!(rel_close(low.task_hours_per_instance_hour, 0.4, 1e-9));
    assert_eq!(full.verdict, Verdict::Ec2Cheaper);
    assert_eq!(low.verdict, Verdict::FargateCheaper);
    // ec2-full ran at u_m = 94.51 % reservation, above u*; ec2-20pct at 18.90 %, below.
    assert!(rel_close(
        full.ec2_reserved_share_pct,
        attributed * 40.0 / 1.92 * 100.0,
        1e-6
    ));
    assert!(full.arithmetic.iter().any(|l| l.contains("77.86 %")));

    // The deltas of the reference are zero; the others are against it.
    assert!(c.variants[0]
        .deltas
        .values()
        .all(|d| d.absolute == 0.0 && d.percent.is_none_or(|p| p == 0.0)));
    let d = &c.variants[2].deltas["total_usd"];
    assert!((d.absolute - (total(2) - total(0))).abs() < 1e-9);
}

#[test]
fn compare_files_are_deterministic_and_the_page_is_self_contained() {
    let (a, _) = compare_all(&steady());
    let (b, _) = compare_all(&steady());
    let json_a = compare::compare_json(&a);
    assert_eq!(json_a, compare::compare_json(&b), "same input, same bytes");
    let parsed: Value = serde_json::from_str(&json_a).expect("compare.json is JSON");
    assert_eq!(parsed["schema_version"], json!(compare::SCHEMA_VERSION));
    assert_eq!(parsed["reference"], json!("ec2-full"));
    assert!(parsed["break_even"][0]["arithmetic"].is_array());

    let page = compare::html(&a, &[]);
    assert_eq!(page, compare::html(&b, &[]));
    for bad in [
        "http://", "https://", "src=", "<script", "url(", "@import", "<link",
    ] {
        assert!(!page.contains(bad), "compare.html contains {bad:?}");
    }
    let elements = super::report_html::check_html(&page);
    // The only references are relative links to each variant's report.
    let hrefs: Vec<&str> = elements
        .iter()
        .flat_map(|e| e.1.iter())
        .filter(|(k, _)| k == "href")
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(
        hrefs,
        [
            "ec2-full/report.html",
            "ec2-20pct/report.html",
            "fargate/report.html"
        ]
    );
    assert!(page.contains("Break-even"));
    let table = compare::table(&a);
    assert!(table.contains("break-even ec2-full vs fargate:"), "{table}");
}

#[test]
fn compare_json_does_not_depend_on_the_thread_count() {
    let in_pool = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool");
        pool.install(|| compare::compare_json(&compare_all(&steady()).0))
    };
    assert_eq!(in_pool(1), in_pool(2), "1 thread vs 2 threads");
}

#[test]
fn variants_set_append_and_remove() {
    let mut s = steady();
    s["variants"] = json!([{
        "name": "two-services",
        "set": {
            "/services/-": { "serviceName": "other", "taskDefinition": "app", "desiredCount": 1, "launchType": "EC2" },
            "/services/0/desiredCount": 2,
            "/description": "patched"
        },
        "remove": ["/settings/taskStopLatency"]
    }]);
    let set = load_ok(&s);
    assert_eq!(set.base.services.len(), 1);
    assert_eq!(set.base.services[0].desired_count, 4);
    let v = &set.variants[0];
    assert_eq!(v.name, "two-services");
    assert_eq!(v.scenario.name, "steady-two-services");
    assert_eq!(v.scenario.description, "patched");
    let names: Vec<&str> = v
        .scenario
        .services
        .iter()
        .map(|x| x.name.as_str())
        .collect();
    assert_eq!(names, ["app", "other"]);
    assert_eq!(v.scenario.services[0].desired_count, 2);
    // Trace paths stay relative to the base file's folder.
    assert_eq!(v.scenario.base_dir, set.base.base_dir);
}

#[test]
fn a_pointer_that_does_not_resolve_names_the_variant_and_pointer() {
    let mut s = steady();
    s["variants"] = json!([
        { "name": "ok" },
        { "name": "bad", "set": { "/services/5/desiredCount": 1 } },
        { "name": "bad-remove", "remove": ["/nothing"] },
        { "name": "no-slash", "set": { "services": 1 } }
    ]);
    let e = load_err(&s);
    assert!(
        e.contains("variants[1].set[\"/services/5/desiredCount\"]: \"/services/5\" does not exist"),
        "{e}"
    );
    assert!(
        e.contains("variants[2].remove[0]: \"/nothing\" does not exist"),
        "{e}"
    );
    assert!(e.contains("variants[3].set[\"services\"]"), "{e}");
    assert!(e.contains("test.json"), "{e}");
}

#[test]
fn duplicate_and_unsafe_variant_names_are_errors() {
    let mut s = steady();
    s["variants"] = json!([{ "name": "a" }, { "name": "a" }, { "name": "a/b" }, { "name": "" }]);
    let e = load_err(&s);
    assert!(
        e.contains("variants[1].name: \"a\" is already the name of variants[0]"),
        "{e}"
    );
    assert!(e.contains("variants[2].name"), "{e}");
    assert!(
        e.contains("variants[3].name: expected a non-empty name"),
        "{e}"
    );
}

#[test]
fn a_variant_that_fails_validation_names_the_variant_and_json_path() {
    let mut s = steady();
    s["variants"] = json!([
        { "name": "good" },
        { "name": "neg", "set": { "/services/0/desiredCount": -1 } },
        { "name": "typo", "set": { "/services/0/desiredCont": 1 } }
    ]);
    let e = load_err(&s);
    assert!(
        e.contains("variants[1] (neg): services[0].desiredCount"),
        "{e}"
    );
    assert!(e.contains("variants[2] (typo): services[0]"), "{e}");
    assert!(e.contains("desiredCont"), "{e}");
    // A variant list of the wrong shape is a syntax error with the line.
    let mut s = steady();
    s["variants"] = json!([{ "name": "x", "sett": {} }]);
    let e = load_err(&s);
    assert!(e.contains("variants[0]") && e.contains("sett"), "{e}");
}

#[test]
fn several_files_are_one_variant_each_with_unique_names() {
    let mut base = steady();
    base.as_object_mut().expect("object").remove("variants");
    let a = load_ok(&base);
    let b = load_ok(&base);
    let mut v = steady();
    v["variants"] = json!([{ "name": "steady" }]);
    let c = load_ok(&v);
    let planned = compare::plan(vec![
        ("x/ec2.json".into(), a),
        ("y/ec2-b.json".into(), b),
        ("z/many.json".into(), c),
    ]);
    let names: Vec<&str> = planned.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["steady", "steady-ec2-b", "steady-many"]);
    assert_eq!(compare::safe_name("web app/v2"), "web-app-v2");
    assert_eq!(compare::safe_name("..."), "variant");
}

fn ecsim() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ecsim"));
    c.current_dir(repo_root());
    c
}

#[test]
fn the_binary_compares_two_files_and_one_file_of_variants() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut ec2 = steady();
    ec2.as_object_mut().expect("object").remove("variants");
    ec2["name"] = json!("steady-ec2");
    let mut fargate = ec2.clone();
    fargate["name"] = json!("steady-fargate");
    fargate["services"][0]["launchType"] = json!("FARGATE");
    fargate["taskDefinitions"][0]["requiresCompatibilities"] = json!(["FARGATE"]);
    fargate["taskDefinitions"][0]["memory"] = json!("4096");
    fargate["autoScalingGroups"] = json!([]);
    let write = |name: &str, v: &Value| {
        let p = dir.path().join(name);
        std::fs::write(&p, serde_json::to_string_pretty(v).expect("json")).expect("write");
        p
    };
    let (e, f, v) = (
        write("ec2.json", &ec2),
        write("fargate.json", &fargate),
        write("variants.json", &steady()),
    );
    let out2 = dir.path().join("two");
    let o = ecsim()
        .arg("compare")
        .arg(&e)
        .arg(&f)
        .args(["--quiet", "--no-charts", "--out"])
        .arg(&out2)
        .output()
        .expect("ecsim runs");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{}\n{stdout}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        stdout.contains("break-even steady-ec2 vs steady-fargate"),
        "{stdout}"
    );
    for f in [
        "compare.json",
        "compare.html",
        "steady-ec2/summary.json",
        "steady-fargate/report.html",
    ] {
        assert!(out2.join(f).is_file(), "{f} missing");
    }

    let out1 = dir.path().join("one");
    let o = ecsim()
        .arg("compare")
        .arg(&v)
        .args(["--quiet", "--no-charts", "--out"])
        .arg(&out1)
        .output()
        .expect("ecsim runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(out1.join("compare.json")).expect("compare.json"),
    )
    .expect("JSON");
    let names: Vec<&str> = json["variants"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|v| v["name"].as_str())
        .collect();
    assert_eq!(names, ["ec2-full", "ec2-20pct", "fargate"]);
    assert!(out1.join("ec2-20pct/summary.json").is_file());

    // `validate` checks every variant; a bad one is an input error (exit code 2).
    let mut bad = steady();
    bad["variants"][1]["set"]["/autoScalingGroups/0/minSize"] = json!(-3);
    let b = write("bad.json", &bad);
    let o = ecsim()
        .arg("validate")
        .arg(&b)
        .output()
        .expect("ecsim runs");
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("variants[1] (ec2-20pct)"), "{stderr}");
    let o = ecsim()
        .arg("validate")
        .arg(&v)
        .output()
        .expect("ecsim runs");
    assert!(o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("variants valid: ec2-full, ec2-20pct, fargate")
    );
}

#[test]
fn a_variant_that_served_nothing_has_no_cost_per_million_requests() {
    // Cut the teaching scenario to its first millisecond and start it cold: requests arrive,
    // no task is RUNNING yet, nothing is served. A cost per million requests would be 0
    // (free), so it must be absent instead.
    let file = repo_root().join("scenarios/ec2-or-fargate/scenario.json");
    let o = ecsim::scenario::Override::parse("/duration=1ms").expect("override");
    let cold = ecsim::scenario::Override::parse("/settings/start=cold").expect("override");
    let set = ecsim::scenario::load_set_with(&file, &[o, cold]).unwrap_or_else(|e| panic!("{e}"));
    let (c, _) = compare_set(file, set);
    for v in &c.variants {
        assert_eq!(v.figures.unserved_requests_pct, Some(100.0), "{}", v.name);
        assert_eq!(v.figures.per_million_requests_usd, None, "{}", v.name);
    }
}

/// Issue 11: a cheap scenario with real randomness shared by two variants. Poisson arrivals
/// (about 60 an hour) of tasks with exponential run times (mean 10 minutes) on Fargate for
/// two hours; the `big` variant gives each task twice the memory. Both replay the same
/// arrivals and run times in replica r (the workload's stream depends only on the seed), so
/// most of the run-to-run noise in cost is common to both.
fn poisson_pair() -> Value {
    let mut v = super::support::skeleton("crn", "2h", &["us-east-1a"]);
    v["taskDefinitions"] = json!([{
        "family": "job", "cpu": "1024", "memory": "2048", "requiresCompatibilities": ["FARGATE"]
    }]);
    v["workloads"] = json!([{
        "name": "jobs",
        "taskDefinition": "job",
        "launchType": "FARGATE",
        "source": { "poisson": {
            "ratePerHour": 60,
            "duration": { "exponential": { "mean": "10m" } }
        } }
    }]);
    v["variants"] = json!([
        { "name": "small" },
        { "name": "big", "set": { "/taskDefinitions/0/memory": "4096" } }
    ]);
    v
}

/// Runs `value`'s variants `replicas` times from seed 100 and compares them.
fn compare_replicated(value: &Value, replicas: u32) -> compare::Comparison {
    let planned = compare::plan(vec![("test.json".into(), load_ok(value))]);
    let runs = compare::run_replicated(&planned, 100, replicas, &|_| {})
        .unwrap_or_else(|e| panic!("seed 100: {e}"));
    assert_eq!(
        runs.figures.iter().map(Vec::len).collect::<Vec<_>>(),
        [replicas as usize; 2]
    );
    let entries: Vec<compare::Entry<'_>> = planned
        .iter()
        .zip(&runs.reports)
        .map(|(p, r)| compare::Entry {
            name: &p.name,
            description: &p.description,
            summary: &r.summary,
        })
        .collect();
    let mut c = compare::compare(&entries, 100);
    compare::add_replicas(&mut c, &runs.figures, &runs.seeds);
    c
}

#[test]
fn issue_11_paired_interval_is_narrower_than_the_unpaired_one_under_shared_noise() {
    let n = 12;
    let c = compare_replicated(&poisson_pair(), n);
    let stats =
        |v: usize| c.variants[v].replicas.as_ref().expect("replicas").figures["total_usd"].clone();
    let (small, big) = (stats(0), stats(1));
    assert!(small.sd > 0.0, "no noise to share: sd {}", small.sd);
    let p = c.variants[1].replicas.as_ref().expect("replicas").paired["total_usd"];
    assert_eq!(p.n, n);
    // The paired mean difference is the difference of the means (every replica has a cost).
    assert!((p.mean - (big.mean - small.mean)).abs() < 1e-5, "{p:?}");
    // Unpaired: two independent samples of n, pooled variance (equal sizes), 2n − 2 degrees
    // of freedom: half = t(0.975, 22) × √(sd_a² / n + sd_b² / n).
    let unpaired = ecsim::montecarlo::t_975(2 * n - 2)
        * ((small.sd.powi(2) + big.sd.powi(2)) / f64::from(n)).sqrt();
    // Memory is about a fifth of a 1 vCPU / 2 GB task's price, so `big` costs ~1.2 × `small`
    // in every replica: the paired difference's sd is ~0.2 sd while the unpaired one adds
    // the two variances (√(1 + 1.2²) ≈ 1.6 sd); with t(11) against t(22), the paired
    // interval should be several times narrower, not merely narrower.
    eprintln!(
        "total cost over {n} replicas: small {} ± sd {}, big {} ± sd {}; paired half {} vs unpaired {unpaired}",
        small.mean, small.sd, big.mean, big.sd, p.half_width()
    );
    assert!(
        p.half_width() * 3.0 < unpaired,
        "paired half-width {} vs unpaired {unpaired}",
        p.half_width()
    );
    assert!(p.significant && p.mean > 0.0, "{p:?}");
    let lines = compare::headlines(&c);
    assert!(lines[0].starts_with("big costs ") && lines[0].contains("% more than small ± "));
}

#[test]
fn issue_11_replicated_compare_does_not_depend_on_the_thread_count() {
    let in_pool = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool");
        pool.install(|| {
            let c = compare_replicated(&poisson_pair(), 5);
            (
                compare::compare_json(&c),
                compare::table(&c),
                compare::html(&c, &[]),
            )
        })
    };
    let (one, two) = (in_pool(1), in_pool(2));
    assert!(one.0.contains("\"paired\""), "{}", one.0);
    // The page with its replica sections is still well-formed.
    super::report_html::check_html(&one.2);
    assert!(one.2.contains("Over 5 replicas"));
    assert!(one == two, "compare outputs differ between 1 and 2 threads");
}

#[test]
fn issue_11_the_binary_with_replicas_one_writes_what_it_writes_without() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("pair.json");
    std::fs::write(
        &file,
        serde_json::to_string_pretty(&poisson_pair()).expect("json"),
    )
    .expect("write");
    let run = |out: &str, extra: &[&str]| {
        let o = ecsim()
            .arg("compare")
            .arg(&file)
            .args(["--quiet", "--no-charts", "--out"])
            .arg(dir.path().join(out))
            .args(extra)
            .output()
            .expect("ecsim runs");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout)
            .replace(&dir.path().join(out).display().to_string(), "OUT")
    };
    let plain = run("plain", &[]);
    let one = run("one", &["--replicas", "1"]);
    assert_eq!(plain, one);
    for f in [
        "compare.json",
        "compare.html",
        "small/summary.json",
        "big/events.jsonl",
    ] {
        let read = |d: &str| std::fs::read(dir.path().join(d).join(f)).expect("file");
        assert!(
            read("plain") == read("one"),
            "{f} differs with --replicas 1"
        );
    }
    // Three replicas: replica 0's files as without, the statistics added.
    let three = run("three", &["--replicas", "3"]);
    assert!(three.contains("paired change vs small"), "{three}");
    let read = |d: &str, f: &str| std::fs::read(dir.path().join(d).join(f)).expect("file");
    assert!(read("plain", "big/summary.json") == read("three", "big/summary.json"));
    let json: Value =
        serde_json::from_slice(&read("three", "compare.json")).expect("compare.json is JSON");
    assert_eq!(json["replicas"]["seeds"], json!([1, 2, 3]));
    assert_eq!(
        json["variants"][1]["replicas"]["paired"]["total_usd"]["n"],
        json!(3)
    );
    // With charts: the paired chart is written (and inlined) only with replicas, and a
    // later single comparison in the same folder removes it.
    let charted = |extra: &[&str]| {
        let o = ecsim()
            .arg("compare")
            .arg(&file)
            .args(["--quiet", "--out"])
            .arg(dir.path().join("charted"))
            .args(extra)
            .output()
            .expect("ecsim runs");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    let paired_svg = dir.path().join("charted/charts/compare_paired.svg");
    charted(&["--replicas", "2"]);
    assert!(paired_svg.is_file());
    let page = std::fs::read_to_string(dir.path().join("charted/compare.html")).expect("page");
    assert!(page.contains("Paired change in total cost"));
    charted(&[]);
    assert!(!paired_svg.exists(), "a stale paired chart was left");
    assert!(dir.path().join("charted/charts/compare_cost.svg").is_file());
    // N = 0 is refused by the argument parser (exit code 2).
    let o = ecsim()
        .arg("compare")
        .arg(&file)
        .args(["--replicas", "0"])
        .output()
        .expect("ecsim runs");
    assert_eq!(o.status.code(), Some(2));
}
