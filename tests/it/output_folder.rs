//! Issue 10 point 3: output folders are all-or-nothing. A run, a `--replicas` run and a
//! compare tree are written into a temporary sibling folder and swapped in at the end, so
//! the folder holds one complete run's output or the previous one, byte for byte.
//!
//! Failures half-way through the writes are injected with `ECSIM_TEST_FAIL_WRITING=<file>`
//! (the binary's test hook), since no input makes a write fail on demand.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::support::repo_root;

const BINPACK: &str = "scenarios/binpack-vs-spread/binpack.json";
const SPREAD: &str = "scenarios/binpack-vs-spread/spread.json";

fn ecsim() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ecsim"));
    c.current_dir(repo_root());
    c
}

/// Runs ecsim with `args`, a short duration, `--quiet`, `--out out`, and the injected failure.
fn run(args: &[&str], out: &Path, fail_writing: Option<&str>) -> Output {
    let mut c = ecsim();
    c.args(args)
        .args(["--quiet", "--set", "/duration=30m", "--out"])
        .arg(out);
    if let Some(f) = fail_writing {
        c.env("ECSIM_TEST_FAIL_WRITING", f);
    }
    c.output().expect("ecsim runs")
}

fn ok(o: &Output) {
    assert!(
        o.status.success(),
        "{:?}: {}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Every file under `dir`, by path relative to it, with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                // An empty folder counts too.
                files.insert(p.strip_prefix(dir).unwrap().join(""), Vec::new());
                stack.push(p);
            } else {
                let bytes = std::fs::read(&p).unwrap();
                files.insert(p.strip_prefix(dir).unwrap().to_path_buf(), bytes);
            }
        }
    }
    files
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_run_failing_half_way_through_its_writes_leaves_the_previous_folder_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    ok(&run(&["run", BINPACK], &out, None));
    let before = snapshot(&out);
    assert!(before.contains_key(Path::new("charts/capacity.png")));
    // report.html is written after the CSVs: before the fix the new CSVs stayed beside the
    // old report.html and charts.
    for fail in ["report.html", "events.jsonl"] {
        let o = run(
            &["run", BINPACK, "--no-charts", "--seed", "9"],
            &out,
            Some(fail),
        );
        assert_eq!(o.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(
            stderr.contains(fail) && stderr.contains("injected"),
            "{stderr}"
        );
        assert!(snapshot(&out) == before, "{fail}: the folder changed");
        // And no staging folder is left beside it.
        assert_eq!(names(dir.path()), ["r"]);
    }
}

#[test]
fn a_successful_run_replaces_the_folder_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    ok(&run(&["run", BINPACK, "--replicas", "2"], &out, None));
    assert!(out.join("replicas.csv").is_file());
    assert!(out.join("charts/montecarlo.svg").is_file());
    ok(&run(&["run", BINPACK, "--no-charts"], &out, None));
    // No chart folder (not even an empty one) and no replicas.csv from the earlier run.
    assert_eq!(
        names(&out),
        [
            ".ecsim-output",
            "capacity_providers.csv",
            "costs.csv",
            "events.jsonl",
            "report.html",
            "services.csv",
            "summary.json",
            "timeseries.csv"
        ]
    );
    assert_eq!(names(dir.path()), ["r"]);
}

#[test]
fn a_replicas_run_and_a_compare_failing_late_leave_the_previous_output_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("mc");
    ok(&run(
        &["run", BINPACK, "--replicas", "2", "--no-charts"],
        &out,
        None,
    ));
    let before = snapshot(&out);
    let o = run(
        &["run", BINPACK, "--replicas", "3", "--no-charts"],
        &out,
        Some("replicas.csv"),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(snapshot(&out) == before, "the replicas folder changed");

    let tree = dir.path().join("cmp");
    ok(&run(
        &["compare", BINPACK, SPREAD, "--no-charts"],
        &tree,
        None,
    ));
    let before = snapshot(&tree);
    assert!(before.contains_key(Path::new("spread/summary.json")));
    let o = run(
        &["compare", BINPACK, SPREAD, "--seed", "3"],
        &tree,
        Some("compare.html"),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(snapshot(&tree) == before, "the compare tree changed");
    assert_eq!(names(dir.path()), ["cmp", "mc"]);
}

#[test]
fn a_folder_with_files_ecsim_did_not_write_is_refused_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("mine");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "my notes").unwrap();
    std::fs::write(out.join("summary.json"), "{}").unwrap();
    let before = snapshot(&out);
    let o = run(&["run", BINPACK], &out, None);
    assert_eq!(o.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("holds files ecsim did not write") && stderr.contains("notes.txt"),
        "{stderr}"
    );
    assert!(snapshot(&out) == before);
    // A user's file inside an ecsim folder is refused too: the swap would delete it.
    let out = dir.path().join("r");
    ok(&run(&["run", BINPACK, "--no-charts"], &out, None));
    std::fs::write(out.join("charts.txt"), "mine").unwrap();
    let o = run(&["run", BINPACK, "--no-charts"], &out, None);
    assert_eq!(o.status.code(), Some(1));
    assert!(out.join("charts.txt").is_file());
    // A file where the folder should be.
    let file = dir.path().join("file");
    std::fs::write(&file, "x").unwrap();
    let o = run(&["run", BINPACK], &file, None);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("is not a folder"));
}

#[test]
fn an_output_folder_from_before_the_marker_is_replaced() {
    // Written by an earlier version: only ecsim's file names, no `.ecsim-output`.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    std::fs::create_dir_all(out.join("charts")).unwrap();
    std::fs::write(out.join("summary.json"), "{}").unwrap();
    std::fs::write(out.join("charts/cost.svg"), "<svg/>").unwrap();
    ok(&run(&["run", BINPACK, "--no-charts"], &out, None));
    assert!(!out.join("charts").exists());
    assert!(out.join(".ecsim-output").is_file());
}

#[test]
fn leftovers_of_killed_runs_are_tidied_and_a_folder_left_aside_mid_swap_is_restored() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    ok(&run(&["run", BINPACK, "--no-charts"], &out, None));
    let previous = snapshot(&out);
    // A crash between the swap's two renames: the previous output aside, no `r`, and a
    // staging folder. PID 4294967295 is above every pid_max, so no live process has it.
    let aside = dir.path().join(".r.ecsim-old-4294967295");
    std::fs::rename(&out, &aside).unwrap();
    let staging = dir.path().join(".r.ecsim-new-4294967295");
    std::fs::create_dir(&staging).unwrap();
    std::fs::write(staging.join("summary.json"), "{").unwrap();
    // Someone else's folder with a similar name is not ours and stays.
    let other = dir.path().join(".r.ecsim-new-4294967294");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("keep.txt"), "x").unwrap();
    // The next run fails late: the previous output is back in place, untouched.
    let o = run(&["run", BINPACK, "--seed", "5"], &out, Some("report.html"));
    assert_eq!(o.status.code(), Some(1));
    assert!(
        snapshot(&out) == previous,
        "the previous output was not restored"
    );
    assert_eq!(names(dir.path()), [".r.ecsim-new-4294967294", "r"]);
}
