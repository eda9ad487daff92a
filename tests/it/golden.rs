//! Golden tests of the report data: for every shipped scenario, the data the charts,
//! `report.html` and the CSV files are drawn from (the `Report`, not the SVG or HTML bytes),
//! compared with a file under `tests/golden/`.
//!
//! One check helper, [`check_golden`], with an update switch: a behaviour change that is
//! meant shows up as a diff of these files in review, made with
//!
//! ```text
//! ECSIM_UPDATE_GOLDEN=1 cargo test --test it golden
//! ```
//!
//! A scenario file with `variants` also has one file per variant and one of its
//! `compare.json`, so the numbers its README quotes are checked too.
//!
//! What is kept: the whole `summary` (every headline figure, per service, per workload, per
//! provider, faults, assumptions), and for each per-minute series and the wait histogram a
//! digest per column (rows, sum, min, max, last value), and the event log's counts per kind
//! with its first records. Digests keep the files readable (a month of minutes would be
//! megabytes) while any change to a series' values moves its sum.

use std::path::{Path, PathBuf};

use ecsim::report::Report;
use serde_json::{json, Map, Value};

use super::support::repo_root;

/// The environment variable that rewrites the golden files instead of comparing.
const UPDATE: &str = "ECSIM_UPDATE_GOLDEN";

/// Events kept verbatim at the head of the log digest.
const EVENTS_KEPT: usize = 12;

/// Compares `actual` with `tests/golden/<name>.json`, or writes it there when
/// `ECSIM_UPDATE_GOLDEN` is set. On a mismatch, names the first differing line.
pub fn check_golden(name: &str, actual: &Value) {
    let path = repo_root()
        .join("tests/golden")
        .join(format!("{name}.json"));
    let mut text = serde_json::to_string_pretty(actual).expect("JSON values serialise");
    text.push('\n');
    if std::env::var_os(UPDATE).is_some() {
        std::fs::create_dir_all(path.parent().expect("has a parent")).expect("create golden dir");
        std::fs::write(&path, &text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; create it with {UPDATE}=1 cargo test --test it golden",
            path.display()
        )
    });
    if expected != text {
        let first = expected
            .lines()
            .zip(text.lines())
            .enumerate()
            .find(|(_, (e, a))| e != a);
        let detail = match first {
            Some((i, (e, a))) => format!("line {}:\n  expected: {e}\n  actual:   {a}", i + 1),
            None => format!(
                "one is a prefix of the other ({} vs {} lines)",
                expected.lines().count(),
                text.lines().count()
            ),
        };
        panic!(
            "{} differs from this run's report data at {detail}\n\
             If the change is intended, rerun with {UPDATE}=1 and review the diff.",
            path.display()
        );
    }
}

/// Rounded so a digest's text does not depend on the last bits of a long float sum.
fn round9(x: f64) -> f64 {
    (x * 1e9).round() / 1e9 + 0.0
}

/// Per numeric column of `rows` (serialised structs): rows, sum, min, max, last.
/// Array-valued columns (the cost series' per-provider USD) get one digest per element,
/// named `column[i]`.
fn digest_rows<T: serde::Serialize>(rows: &[T]) -> Value {
    let mut columns: Vec<(String, Vec<f64>)> = Vec::new();
    let push = |name: String, v: f64, columns: &mut Vec<(String, Vec<f64>)>| match columns
        .iter_mut()
        .find(|(n, _)| *n == name)
    {
        Some((_, values)) => values.push(v),
        None => columns.push((name, vec![v])),
    };
    for row in rows {
        let Value::Object(fields) = serde_json::to_value(row).expect("rows serialise") else {
            panic!("a row is not a struct");
        };
        for (k, v) in fields {
            match v {
                Value::Number(n) => push(k, n.as_f64().expect("finite"), &mut columns),
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        if let Some(x) = item.as_f64() {
                            push(format!("{k}[{i}]"), x, &mut columns);
                        }
                    }
                }
                // Empty cells (no data that minute) are not values.
                _ => {}
            }
        }
    }
    let mut out = Map::new();
    out.insert("rows".to_string(), json!(rows.len()));
    for (name, values) in columns {
        let min = values.iter().copied().fold(f64::INFINITY, f64::min);
        let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        out.insert(
            name,
            json!({
                "n": values.len(),
                "sum": round9(values.iter().sum()),
                "min": min,
                "max": max,
                "last": values.last(),
            }),
        );
    }
    Value::Object(out)
}

/// The data behind a run's charts and HTML, digested as the module doc says.
pub fn report_data(report: &Report) -> Value {
    let mut by_kind: std::collections::BTreeMap<&str, u64> = Default::default();
    for e in &report.events {
        *by_kind.entry(e.kind).or_default() += 1;
    }
    json!({
        "summary": report.summary,
        "timeseries": digest_rows(&report.timeseries),
        "service_series": digest_rows(&report.service_series),
        "provider_series": digest_rows(&report.provider_series),
        "workload_series": digest_rows(&report.workload_series),
        "cost_series_providers": report.cost_series_providers,
        "cost_series": digest_rows(&report.cost_series),
        "wait_histogram": report.wait_histogram,
        "events": {
            "count": report.events.len(),
            "by_kind": by_kind,
            "first": report.events.iter().take(EVENTS_KEPT).collect::<Vec<_>>(),
        },
    })
}

/// Every shipped scenario file (`scenarios/**/*.json`, traces and `sweep.json` sweep files
/// excluded), sorted.
fn shipped_scenarios() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "traces") {
                    walk(&path, out);
                }
            } else if path.file_name().is_some_and(|n| n == "sweep.json") {
                // A sweep file, not a scenario: `tests/it/sweep.rs` checks its answer.
            } else if path.extension().is_some_and(|x| x == "json") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&repo_root().join("scenarios"), &mut out);
    out.sort();
    out
}

/// `scenarios/az-outage/one-az.json` → `az-outage__one-az`.
fn golden_name(path: &Path) -> String {
    let rel = path
        .strip_prefix(repo_root().join("scenarios"))
        .expect("under scenarios/");
    rel.with_extension("")
        .to_string_lossy()
        .replace(std::path::MAIN_SEPARATOR, "__")
}

#[test]
fn every_shipped_scenario_matches_its_golden_report_data() {
    let scenarios = shipped_scenarios();
    assert!(
        scenarios.len() >= 10,
        "found only {} shipped scenarios",
        scenarios.len()
    );
    // Each scenario is run and checked on its own thread (they are independent), and all
    // failures are reported together.
    let failures: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = scenarios
            .iter()
            .map(|path| {
                s.spawn(move || {
                    let name = golden_name(path);
                    let outcome = std::panic::catch_unwind(|| {
                        let set = ecsim::scenario::load_set(path).unwrap_or_else(|e| panic!("{e}"));
                        let report = ecsim::run(&set.base, None, &mut |_| {})
                            .unwrap_or_else(|e| panic!("{e}"));
                        check_golden(&name, &report_data(&report));
                        if !set.variants.is_empty() {
                            check_variants(&name, path, set);
                        }
                    });
                    outcome.err().map(|p| {
                        let msg = p
                            .downcast_ref::<String>()
                            .cloned()
                            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                            .unwrap_or_default();
                        format!("{name}: {msg}")
                    })
                })
            })
            .collect();
        handles
            .into_iter()
            .filter_map(|h| h.join().expect("joined"))
            .collect()
    });
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// A file with `variants`: each variant's report data (`<file>__<variant>`), and the
/// comparison `ecsim compare FILE` makes of them (`<file>__compare`: compare.json), which
/// the scenario's README quotes.
fn check_variants(name: &str, path: &Path, set: ecsim::scenario::ScenarioSet) {
    let seed = set.base.seed;
    let planned = ecsim::compare::plan(vec![(path.to_path_buf(), set)]);
    let reports =
        ecsim::compare::run_variants(&planned, seed, &|_| {}).unwrap_or_else(|e| panic!("{e}"));
    for (p, r) in planned.iter().zip(&reports) {
        check_golden(&format!("{name}__{}", p.name), &report_data(r));
    }
    let entries: Vec<ecsim::compare::Entry<'_>> = planned
        .iter()
        .zip(&reports)
        .map(|(p, r)| ecsim::compare::Entry {
            name: &p.name,
            description: &p.description,
            summary: &r.summary,
        })
        .collect();
    let comparison = ecsim::compare::compare(&entries, seed);
    let json: Value = serde_json::from_str(&ecsim::compare::compare_json(&comparison))
        .expect("compare.json is JSON");
    check_golden(&format!("{name}__compare"), &json);
}

/// The golden files a shipped scenario owns: its own, and with variants one per variant
/// and its comparison.
fn golden_names(path: &Path) -> Vec<String> {
    let name = golden_name(path);
    let mut names = vec![name.clone()];
    if let Ok(set) = ecsim::scenario::load_set(path) {
        if !set.variants.is_empty() {
            names.extend(set.variants.iter().map(|v| format!("{name}__{}", v.name)));
            names.push(format!("{name}__compare"));
        }
    }
    names
}

#[test]
fn golden_files_have_no_orphans() {
    // A golden file whose scenario was renamed or removed would never be checked again.
    let expected: Vec<String> = shipped_scenarios()
        .iter()
        .flat_map(|p| golden_names(p))
        .collect();
    let dir = repo_root().join("tests/golden");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        panic!("{} is missing", dir.display());
    };
    for entry in entries {
        let path = entry.expect("dir entry").path();
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        assert!(
            expected.contains(&stem),
            "{} has no shipped scenario; delete it",
            path.display()
        );
    }
}

#[test]
fn the_digest_moves_when_a_series_value_changes() {
    // The digest is what the golden files compare: a changed value must change it.
    let sc = ecsim::load(&repo_root().join("scenarios/quickstart.json")).expect("loads");
    let mut report = ecsim::run(&sc, None, &mut |_| {}).expect("runs");
    let before = report_data(&report);
    let row = report.timeseries.len() / 2;
    report.timeseries[row].tasks_running += 1;
    let after = report_data(&report);
    assert_ne!(before["timeseries"], after["timeseries"]);
    assert_eq!(before["summary"], after["summary"]);
}
