//! The workbook (`lessons/`): every lesson is run as its README says, and its answer checked,
//! so a lesson cannot silently go out of date when the model changes.
//!
//! Each `lessons/NN-topic/lesson.json` lists the commands the README shows (`runs`, each the
//! arguments after `ecsim`, run in order in the lesson's folder) and the `answers`: a value in
//! one of a run's files (`pointer` into a JSON file, or `contains` for a text file or
//! `stdout`) and the exact text the README states it with (`readme`).
//! Both must hold: the figure the model gives, and the README saying that figure.
//!
//! Output folders: an argument `results/<name>` (as in `run … --explain --out results/<name>`
//! followed by `explain results/<name> --task 4`) is redirected to `<tmp>/<name>`, so the
//! README's commands are exactly the ones run; a `run` or `compare` without one gets
//! `--out <tmp>/<run name>`. A run's files are read from `<tmp>/<run name>/`.
//! Every lesson also shows an explanation (`ecsim explain` of a `--explain` run) and checks
//! at least one of its lines, since reading the decision is what the lessons teach (issue 16).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;
use serde_json::Value;

use super::support::repo_root;

/// Lessons the workbook promises (issue 16: at least twelve topics of an ECS course).
const MIN_LESSONS: usize = 12;

/// The parts every lesson's README has, in the course's order.
const SECTIONS: [&str; 6] = [
    "## The question",
    "## The scenario",
    "## The command",
    "## What to look at",
    "## The answer",
    "## Try this",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Lesson {
    title: String,
    runs: Vec<Run>,
    answers: Vec<Answer>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Run {
    name: String,
    args: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Answer {
    run: String,
    /// A file of the run's output folder, or `stdout`.
    file: String,
    /// RFC 6901 pointer into a JSON file.
    #[serde(default)]
    pointer: Option<String>,
    /// The value there: a number (compared within `tolerance`), a string or a boolean.
    #[serde(default)]
    value: Option<Value>,
    /// Absolute tolerance for a number (default: equal to 1e-9).
    #[serde(default)]
    tolerance: Option<f64>,
    /// Text the file (or stdout) must contain, instead of `pointer` and `value`.
    #[serde(default)]
    contains: Option<String>,
    /// How the README states this answer, verbatim.
    readme: String,
}

fn lesson_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(repo_root().join("lessons"))
        .expect("lessons/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.join("lesson.json").is_file())
        .collect();
    dirs.sort();
    dirs
}

fn check(dir: &Path, out: &Path) -> Vec<String> {
    let name = dir.file_name().unwrap().to_string_lossy().to_string();
    let lesson: Lesson = serde_json::from_str(
        &std::fs::read_to_string(dir.join("lesson.json")).expect("lesson.json readable"),
    )
    .unwrap_or_else(|e| panic!("{name}/lesson.json: {e}"));
    let readme = std::fs::read_to_string(dir.join("README.md"))
        .unwrap_or_else(|e| panic!("{name}/README.md: {e}"));
    let mut wrong = Vec::new();
    if !readme.contains(&lesson.title) {
        wrong.push(format!(
            "{name}: README does not carry the title {:?}",
            lesson.title
        ));
    }
    for s in SECTIONS {
        if !readme.contains(s) {
            wrong.push(format!("{name}: README has no {s:?} section"));
        }
    }
    let explains: Vec<&str> = lesson
        .runs
        .iter()
        .filter(|r| r.args.first().map(String::as_str) == Some("explain"))
        .map(|r| r.name.as_str())
        .collect();
    if !lesson
        .answers
        .iter()
        .any(|a| explains.contains(&a.run.as_str()) && a.file == "stdout")
    {
        wrong.push(format!(
            "{name}: no answer checks the output of an `ecsim explain` command"
        ));
    }
    if !readme.contains("```text") {
        wrong.push(format!("{name}: README shows no output excerpt"));
    }
    let mut stdouts = std::collections::BTreeMap::new();
    for run in &lesson.runs {
        // The README shows the command as a user types it: check it is there.
        let shown = format!("ecsim {}", run.args.join(" "));
        if !readme.contains(&shown) {
            wrong.push(format!(
                "{name}: README does not show the command `{shown}`"
            ));
        }
        // `results/<x>` → `<tmp>/<x>`: the README's own paths, kept out of the checkout.
        let mut args: Vec<std::ffi::OsString> = run
            .args
            .iter()
            .map(|a| match a.strip_prefix("results/") {
                Some(rest) => out.join(rest).into_os_string(),
                None => a.into(),
            })
            .collect();
        let writes = matches!(
            run.args.first().map(String::as_str),
            Some("run" | "compare")
        );
        if run.args.iter().any(|a| a == "--out") {
            let at = run.args.iter().position(|a| a == "--out").unwrap_or(0);
            if run.args.get(at + 1) != Some(&format!("results/{}", run.name)) {
                wrong.push(format!(
                    "{name}: run {} writes elsewhere than results/{}",
                    run.name, run.name
                ));
            }
        } else if writes {
            args.push("--out".into());
            args.push(out.join(&run.name).into_os_string());
        }
        let o = Command::new(env!("CARGO_BIN_EXE_ecsim"))
            .current_dir(dir)
            .args(&args)
            .output()
            .expect("ecsim starts");
        assert!(
            o.status.success(),
            "{name}: `{shown}` failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        stdouts.insert(
            run.name.clone(),
            String::from_utf8_lossy(&o.stdout).to_string(),
        );
    }
    wrong.extend(stale_excerpts(&name, &readme, &stdouts, out));
    for a in &lesson.answers {
        if !readme.contains(&a.readme) {
            wrong.push(format!("{name}: README does not say {:?}", a.readme));
        }
        let text = if a.file == "stdout" {
            stdouts
                .get(&a.run)
                .unwrap_or_else(|| panic!("{name}: no run named {}", a.run))
                .clone()
        } else {
            let path = out.join(&a.run).join(&a.file);
            std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{name}: {}: {e}", path.display()))
        };
        if let Some(needle) = &a.contains {
            if !text.contains(needle.as_str()) {
                wrong.push(format!("{name}: {}/{} lacks {needle:?}", a.run, a.file));
            }
            continue;
        }
        let (Some(pointer), Some(want)) = (&a.pointer, &a.value) else {
            panic!("{name}: an answer needs `contains`, or `pointer` and `value`");
        };
        let doc: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{name}: {}/{}: {e}", a.run, a.file));
        let Some(got) = doc.pointer(pointer) else {
            wrong.push(format!("{name}: {}/{} has no {pointer}", a.run, a.file));
            continue;
        };
        let ok = match (got.as_f64(), want.as_f64()) {
            (Some(g), Some(w)) => (g - w).abs() <= a.tolerance.unwrap_or(1e-9),
            _ => got == want,
        };
        if !ok {
            wrong.push(format!(
                "{name}: {}/{}{pointer} is {got}, the lesson says {want}",
                a.run, a.file
            ));
        }
    }
    wrong
}

/// Every line of the README's output excerpts (its ```text blocks) is output of the lesson's
/// own commands: a line of a command's stdout, or of a file its runs wrote (for JSON lines,
/// a string value in it, such as an event's message). Lines holding "..." or "…" mark
/// what the excerpt leaves out and are skipped; so an excerpt cannot go stale either.
fn stale_excerpts(
    name: &str,
    readme: &str,
    stdouts: &std::collections::BTreeMap<String, String>,
    out: &Path,
) -> Vec<String> {
    let mut haystack: Vec<String> = stdouts.values().cloned().collect();
    let mut dirs = vec![out.to_path_buf()];
    while let Some(d) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if let Ok(text) = std::fs::read_to_string(&p) {
                if p.extension().is_some_and(|x| x == "jsonl") {
                    for line in text.lines() {
                        if let Ok(Value::Object(m)) = serde_json::from_str::<Value>(line) {
                            haystack
                                .extend(m.values().filter_map(|v| v.as_str().map(str::to_string)));
                        }
                    }
                }
                haystack.push(text);
            }
        }
    }
    let mut wrong = Vec::new();
    let mut in_text = false;
    for line in readme.lines() {
        if line.starts_with("```") {
            in_text = line == "```text";
            continue;
        }
        let line = line.trim_end();
        if !in_text || line.trim().is_empty() || line.contains("...") || line.contains('…') {
            continue;
        }
        if !haystack.iter().any(|h| h.contains(line)) {
            wrong.push(format!(
                "{name}: the excerpt line {line:?} is in no output of the lesson's commands"
            ));
        }
    }
    wrong
}

#[test]
fn every_lesson_runs_and_its_answer_holds() {
    let dirs = lesson_dirs();
    // One form of lesson: a folder. A loose page in lessons/ would not be run.
    let loose: Vec<String> = std::fs::read_dir(repo_root().join("lessons"))
        .expect("lessons/ exists")
        .map(|e| {
            e.expect("readable entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| n.ends_with(".md") && n != "README.md")
        .collect();
    assert!(
        loose.is_empty(),
        "lessons outside a folder, not run: {loose:?}"
    );
    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("README");
    assert!(
        readme.contains("lessons/README.md"),
        "README.md does not point at the workbook"
    );
    assert!(
        dirs.len() >= MIN_LESSONS,
        "the workbook has {} lessons, it promises {MIN_LESSONS}",
        dirs.len()
    );
    let index = std::fs::read_to_string(repo_root().join("lessons/README.md")).expect("index");
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut wrong = Vec::new();
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        if !index.contains(&format!("({name}/)")) {
            wrong.push(format!("lessons/README.md does not link {name}/"));
        }
        wrong.extend(check(dir, &tmp.path().join(&name)));
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
