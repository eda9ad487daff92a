//! Issue 10 point 11: keep the zero-panic record. A bounded, deterministic mutation fuzz of
//! the shipped scenarios, of `--set` overrides on them and of every trace reader: no input may panic, and every rejection
//! names its file and, where there is one, its JSON path or line.
//!
//! Bounded: a fixed number of mutants (`DEFAULT_ITERATIONS`, a few seconds in a debug
//! build); a mutated scenario that validates is run only with every number at most
//! `RUN_NUMBER_CAP` in size, a 20-minute duration and a small `settings.maxEvents`, so no mutant
//! can ask for unbounded work. Readers stop after `MAX_ITEMS` items (a repeated rate
//! trace never ends).
//!
//! The soak before a release runs the same test longer: `ECSIM_FUZZ_ITERATIONS=N` scales the
//! mutant count, `ECSIM_FUZZ_SEED=S` picks another sequence (`.ci/fuzz-soak.sh`, README).
//! A failure prints the seed, the iteration and the mutant, so it can be replayed.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use ecsim::scenario::ScenarioError;
use ecsim::workload::{
    AlibabaGpuOptions, AlibabaGpuReader, AlibabaOptions, AlibabaReader, BeforeOrigin, CsvReader,
    JobSubmission, PodKind, RateFormat, RateOptions, RateReader, SwfOptions, SwfReader, TraceError,
};
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;
use serde_json::{json, Map, Value};

use super::support::repo_root;

/// Scenario mutants and trace mutants per reader in `cargo test`.
const DEFAULT_ITERATIONS: u64 = 240;
/// A mutated scenario runs only if no number in it is larger than this (in magnitude).
const RUN_NUMBER_CAP: f64 = 10_000.0;
/// The event budget of a mutant's run.
const RUN_MAX_EVENTS: u64 = 20_000;
/// Items read from one mutated trace at most.
const MAX_ITEMS: usize = 20_000;
/// Lines of each shipped trace the trace mutants start from.
const SAMPLE_LINES: usize = 40;

fn env_u64(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v:?}: expected a whole number")),
        Err(_) => default,
    }
}

pub(super) fn iterations() -> u64 {
    env_u64("ECSIM_FUZZ_ITERATIONS", DEFAULT_ITERATIONS)
}

pub(super) fn seed() -> u64 {
    env_u64("ECSIM_FUZZ_SEED", 10)
}

/// Runs `f`; a panic fails the test with `what` (seed, iteration, mutant) to replay it.
pub(super) fn no_panic<T>(what: impl Fn() -> String, f: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => v,
        Err(p) => {
            let message = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!("panicked: {message}\n{}", what())
        }
    }
}

/// Every shipped scenario file, sorted.
fn shipped_scenarios() -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![repo_root().join("scenarios")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("scenarios/") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

/// Values of every JSON type that sit at the edges: zero, negatives, the largest floats,
/// integers past u64, NaN-like and unit-less strings, a huge string, empty containers.
fn weird_value(rng: &mut Pcg64) -> Value {
    const STRINGS: [&str; 16] = [
        "",
        "NaN",
        "inf",
        "-Infinity",
        "1e999",
        "-1",
        "0",
        "-5m",
        "0s",
        "1e308h",
        "99999999999999999999d",
        "1.5.5h",
        "5 parsecs",
        "\u{FEFF}",
        "ÿ\u{0}",
        "FARGATE",
    ];
    match rng.gen_range(0..14) {
        0 => Value::Null,
        1 => Value::Bool(rng.gen()),
        2 => json!(0),
        3 => json!(-1),
        4 => json!(1e308),
        5 => json!(-1e308),
        6 => json!(1.5),
        7 => json!(4_294_967_296_u64),
        8 => json!(u64::MAX),
        9 => json!(i64::MIN),
        10 => Value::String(STRINGS[rng.gen_range(0..STRINGS.len())].to_string()),
        11 => Value::String("x".repeat(rng.gen_range(1000..60_000))),
        12 => json!([]),
        _ => json!({}),
    }
}

/// JSON Pointers to every node under the root (pre-order).
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                let p = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push(p.clone());
                pointers(c, p, out);
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                let p = format!("{at}/{i}");
                out.push(p.clone());
                pointers(c, p, out);
            }
        }
        _ => {}
    }
}

/// `(parent pointer, last token)` of a pointer.
fn split_pointer(p: &str) -> (&str, String) {
    let i = p.rfind('/').expect("a pointer below the root");
    (&p[..i], p[i + 1..].replace("~1", "/").replace("~0", "~"))
}

/// One structural mutation of `doc`. Returns a key to write twice in the text, if chosen.
fn mutate_value(doc: &mut Value, rng: &mut Pcg64) -> Option<String> {
    let mut all = Vec::new();
    pointers(doc, String::new(), &mut all);
    if all.is_empty() {
        *doc = weird_value(rng);
        return None;
    }
    let target = all[rng.gen_range(0..all.len())].clone();
    let (parent, key) = split_pointer(&target);
    let parent = parent.to_string();
    match rng.gen_range(0..7) {
        // Delete the node.
        0 => match doc.pointer_mut(&parent) {
            Some(Value::Object(m)) => {
                m.remove(&key);
            }
            Some(Value::Array(a)) => {
                if let Ok(i) = key.parse::<usize>() {
                    if i < a.len() {
                        a.remove(i);
                    }
                }
            }
            _ => {}
        },
        // Duplicate it: an array element twice, or an object key twice in the text.
        1 => match doc.pointer_mut(&parent) {
            Some(Value::Array(a)) => {
                if let Some(v) = key.parse::<usize>().ok().and_then(|i| a.get(i)).cloned() {
                    a.push(v);
                }
            }
            Some(Value::Object(_)) => return Some(target),
            _ => {}
        },
        // Change its type, keeping its meaning where there is one.
        2 => {
            if let Some(v) = doc.pointer_mut(&target) {
                *v = match v.take() {
                    Value::Number(n) => Value::String(n.to_string()),
                    Value::String(s) => s
                        .parse::<f64>()
                        .ok()
                        .and_then(|f| serde_json::Number::from_f64(f).map(Value::Number))
                        .unwrap_or(json!(1)),
                    Value::Array(mut a) => a.pop().unwrap_or(Value::Null),
                    o @ Value::Object(_) => Value::Array(vec![o]),
                    Value::Bool(b) => Value::String(b.to_string()),
                    Value::Null => json!(false),
                };
            }
        }
        // Scale a number to an edge.
        3 => {
            if let Some(v) = doc.pointer_mut(&target) {
                if let Some(f) = v.as_f64() {
                    let g = [-f, 0.0, f * 1e6, f + 0.5, f * 1e300][rng.gen_range(0..5)];
                    *v = serde_json::Number::from_f64(g).map_or(json!(u64::MAX), Value::Number);
                } else {
                    *v = weird_value(rng);
                }
            }
        }
        // An unknown key beside it.
        4 => {
            if let Some(Value::Object(m)) = doc.pointer_mut(&parent) {
                m.insert("bogusKey".to_string(), weird_value(rng));
            }
        }
        // Anything else.
        _ => {
            if let Some(v) = doc.pointer_mut(&target) {
                *v = weird_value(rng);
            }
        }
    }
    None
}

/// `v` as JSON text, writing the member at pointer `dup` twice (serde_json's `Value` cannot
/// hold a duplicate key; the scenario parser must reject one).
fn to_text(v: &Value, at: &str, dup: Option<&str>, out: &mut String) {
    match v {
        Value::Object(m) => {
            out.push('{');
            let mut first = true;
            for (k, c) in m {
                let p = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                let times = if dup == Some(p.as_str()) { 2 } else { 1 };
                for _ in 0..times {
                    if !first {
                        out.push(',');
                    }
                    first = false;
                    out.push_str(&Value::String(k.clone()).to_string());
                    out.push(':');
                    to_text(c, &p, dup, out);
                }
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, c) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                to_text(c, &format!("{at}/{i}"), dup, out);
            }
            out.push(']');
        }
        leaf => out.push_str(&leaf.to_string()),
    }
}

/// Sets one number of `doc` to another small one (0, 1, its double, …): a mutant that often
/// stays valid, so the simulator itself meets odd values (a desired count of 0, a weight
/// of 0, a maximum below a minimum that validation must catch).
fn nudge_number(doc: &mut Value, rng: &mut Pcg64) {
    let mut all = Vec::new();
    pointers(doc, String::new(), &mut all);
    let numbers: Vec<&String> = all
        .iter()
        .filter(|p| doc.pointer(p).is_some_and(Value::is_number))
        .collect();
    if numbers.is_empty() {
        return;
    }
    let target = numbers[rng.gen_range(0..numbers.len())].clone();
    if let Some(v) = doc.pointer_mut(&target) {
        let f = v.as_f64().unwrap_or(0.0);
        *v = match rng.gen_range(0..5) {
            0 => json!(0),
            1 => json!(1),
            2 => json!((f * 2.0).round()),
            3 => json!((f / 2.0).floor()),
            _ => json!(f + 0.5),
        };
    }
}

/// A mutant of `original`: a nudged number, or one to three structural mutations and
/// sometimes a textual one (truncation, a stray byte order mark or brace).
pub(super) fn mutant(original: &Value, rng: &mut Pcg64) -> String {
    let mut doc = original.clone();
    if rng.gen_bool(0.3) {
        for _ in 0..rng.gen_range(1..=2) {
            nudge_number(&mut doc, rng);
        }
        return doc.to_string();
    }
    let mut dup = None;
    for _ in 0..rng.gen_range(1..=3) {
        dup = mutate_value(&mut doc, rng).or(dup);
    }
    let mut text = String::new();
    to_text(&doc, "", dup.as_deref(), &mut text);
    if rng.gen_bool(0.1) {
        let mut cut = rng.gen_range(0..=text.len());
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        match rng.gen_range(0..3) {
            0 => text.truncate(cut),
            1 => text.insert(cut, '\u{FEFF}'),
            _ => text.push('}'),
        }
    }
    text
}

/// Every number in `v` is at most `RUN_NUMBER_CAP` in magnitude (the seed aside).
fn small_numbers(v: &Value) -> bool {
    match v {
        Value::Number(n) => n.as_f64().is_some_and(|f| f.abs() <= RUN_NUMBER_CAP),
        Value::Array(a) => a.iter().all(small_numbers),
        Value::Object(m) => m.iter().all(|(k, c)| k == "seed" || small_numbers(c)),
        _ => true,
    }
}

/// The error names the scenario file, and each problem its JSON path.
fn check_scenario_error(e: &ScenarioError, file: &Path) -> Result<(), String> {
    let message = e.to_string();
    if !message.starts_with(&file.display().to_string()) {
        return Err(format!("does not start with the file name: {message}"));
    }
    match e {
        ScenarioError::Syntax { line, .. } if *line == 0 => Err(format!("line 0: {message}")),
        ScenarioError::Invalid { problems, .. } if problems.is_empty() => {
            Err(format!("invalid with no problem: {message}"))
        }
        ScenarioError::Invalid { problems, .. } => {
            match problems.iter().find(|p| p.path.is_empty()) {
                Some(p) => Err(format!("a problem with no path: {p}")),
                None => Ok(()),
            }
        }
        _ => Ok(()),
    }
}

/// Validates the mutant; if it is valid and small, runs a bounded copy of its base.
pub(super) fn check_scenario(text: &str, file: &Path, base_dir: &Path) -> Result<bool, String> {
    if let Err(e) = ecsim::scenario::set_from_json_str(text, file, base_dir) {
        return check_scenario_error(&e, file).map(|()| false);
    }
    let Ok(Value::Object(mut doc)) = serde_json::from_str::<Value>(text) else {
        return Ok(false);
    };
    doc.remove("variants");
    if !small_numbers(&Value::Object(doc.clone())) {
        return Ok(false);
    }
    doc.insert("duration".into(), json!("20m"));
    let settings = doc
        .entry("settings")
        .or_insert_with(|| Value::Object(Map::new()));
    let Value::Object(settings) = settings else {
        return Ok(false);
    };
    settings.insert("maxEvents".into(), json!(RUN_MAX_EVENTS));
    let bounded = Value::Object(doc).to_string();
    let scenario = match ecsim::scenario::from_json_str(&bounded, file, base_dir) {
        Ok(s) => s,
        Err(e) => return check_scenario_error(&e, file).map(|()| false),
    };
    match ecsim::run(&scenario, None, &mut |_| {}) {
        Ok(_) => Ok(true),
        Err(ecsim::RunError::Trace(e)) => check_trace_error(&e, &e.to_string()).map(|()| true),
        Err(_) => Ok(true),
    }
}

#[test]
fn mutated_shipped_scenarios_never_panic_and_every_error_names_its_path() {
    let seed = seed();
    let mut rng = Pcg64::seed_from_u64(seed);
    let files = shipped_scenarios();
    assert!(files.len() >= 10, "{files:?}");
    let originals: Vec<Value> = files
        .iter()
        .map(|f| serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap())
        .collect();
    let n = iterations();
    let mut ran = 0;
    for i in 0..n {
        let k = (i % files.len() as u64) as usize;
        let text = mutant(&originals[k], &mut rng);
        let base_dir = files[k].parent().unwrap();
        // The file the errors must name: the original's, so relative trace paths resolve.
        let file = &files[k];
        let what = || {
            let shown: String = text.chars().take(4000).collect();
            format!(
                "ECSIM_FUZZ_SEED={seed}, iteration {i}, mutant of {}:\n{shown}",
                file.display()
            )
        };
        match no_panic(what, || check_scenario(&text, file, base_dir)) {
            Ok(true) => ran += 1,
            Ok(false) => {}
            Err(problem) => panic!("{problem}\n{}", what()),
        }
    }
    eprintln!("fuzz: {ran} of {n} scenario mutants ran");
    // Some mutants must stay valid and run, or the test exercises validation only.
    assert!(ran * 20 >= n, "only {ran} of {n} mutants ran");
}

/// Pointers `--set` may meet: paths that exist, and ones that do not parse or resolve.
const WEIRD_POINTERS: [&str; 10] = [
    "",
    "/",
    "/services/99/desiredCount",
    "/services/-",
    "/variants/0/name",
    "/~2",
    "/cluster~",
    "no-slash",
    "/settings/maxEvents/x",
    "/duration",
];

#[test]
fn random_overrides_never_panic_and_every_error_names_its_path() {
    let seed = seed();
    let mut rng = Pcg64::seed_from_u64(seed ^ 0x5e7);
    let files = shipped_scenarios();
    let texts: Vec<String> = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    let n = iterations() / 2;
    for i in 0..n {
        let k = (i % files.len() as u64) as usize;
        let pointer = if rng.gen_bool(0.7) {
            let doc: Value = serde_json::from_str(&texts[k]).unwrap();
            let mut all = Vec::new();
            pointers(&doc, String::new(), &mut all);
            all[rng.gen_range(0..all.len())].clone()
        } else {
            WEIRD_POINTERS[rng.gen_range(0..WEIRD_POINTERS.len())].to_string()
        };
        let value = match rng.gen_range(0..3) {
            0 => weird_value(&mut rng).to_string(),
            1 => WEIRD_FIELDS[rng.gen_range(0..WEIRD_FIELDS.len())].to_string(),
            _ => "{\"unclosed\": ".to_string(),
        };
        let arg = format!("{pointer}={value}");
        let file = &files[k];
        let what = || {
            let shown: String = arg.chars().take(300).collect();
            format!(
                "ECSIM_FUZZ_SEED={seed}, iteration {i}, --set {shown} on {}",
                file.display()
            )
        };
        let result = no_panic(what, || match ecsim::scenario::Override::parse(&arg) {
            Err(message) if message.is_empty() => Err("an empty message".to_string()),
            Err(_) => Ok(()),
            Ok(o) => match ecsim::scenario::set_from_json_str_with(
                &texts[k],
                file,
                file.parent().unwrap(),
                &[o],
            ) {
                Ok(_) => Ok(()),
                Err(e) => check_scenario_error(&e, file),
            },
        });
        if let Err(problem) = result {
            panic!("{problem}\n{}", what());
        }
    }
}

/// The error names the file, and a line unless it is about the options.
fn check_trace_error(e: &TraceError, message: &str) -> Result<(), String> {
    let line = match e {
        TraceError::Open { .. } | TraceError::Option { .. } => None,
        TraceError::Read { line, .. }
        | TraceError::Header { line, .. }
        | TraceError::FieldCount { line, .. }
        | TraceError::Truncated { line, .. }
        | TraceError::Field { line, .. }
        | TraceError::OutOfOrder { line, .. }
        | TraceError::TooLarge { line, .. }
        | TraceError::NotIncreasing { line, .. }
        | TraceError::Empty { line, .. }
        | TraceError::Window { line, .. } => Some(*line),
    };
    if !message.contains("fuzz") && !message.contains("scenarios") {
        return Err(format!("the message names no file: {message}"));
    }
    match line {
        Some(0) => Err(format!("line 0: {message}")),
        Some(l) if !message.contains(&format!(":{l}:")) => {
            Err(format!("the message names no line: {message}"))
        }
        _ => Ok(()),
    }
}

/// The first `SAMPLE_LINES` lines of a shipped trace.
fn sample(path: &str) -> Vec<Vec<u8>> {
    let text = std::fs::read(repo_root().join("scenarios/traces").join(path)).expect(path);
    text.split(|&b| b == b'\n')
        .take(SAMPLE_LINES)
        .map(<[u8]>::to_vec)
        .collect()
}

/// Fields at the edges of what a trace column holds.
const WEIRD_FIELDS: [&str; 17] = [
    "",
    "-1",
    "0",
    "-0",
    "1e308",
    "NaN",
    "inf",
    "18446744073709551616",
    "99999999999999999999.5",
    "1.2.3",
    "0x10",
    "٣",
    "\u{FEFF}",
    "1998-02-30 25:61:61",
    "2023-11-16 18:15:46.6805900",
    " ",
    "Terminated",
];

/// A mutant of a trace: one to four line or field mutations.
fn trace_mutant(lines: &[Vec<u8>], separator: u8, rng: &mut Pcg64) -> Vec<u8> {
    let mut lines = lines.to_vec();
    for _ in 0..rng.gen_range(1..=4) {
        if lines.is_empty() {
            lines.push(b"garbage".to_vec());
        }
        let i = rng.gen_range(0..lines.len());
        match rng.gen_range(0..9) {
            0 => {
                lines.remove(i);
            }
            1 => {
                let l = lines[i].clone();
                lines.insert(i, l);
            }
            2 => {
                let j = rng.gen_range(0..lines.len());
                lines.swap(i, j);
            }
            3 => {
                let cut = rng.gen_range(0..=lines[i].len());
                lines[i].truncate(cut);
            }
            4 => lines[i].extend_from_slice(&[0xFF, 0xFE, b'x']),
            5 => lines[i] = "9".repeat(rng.gen_range(100..5000)).into_bytes(),
            _ => {
                // Replace, drop or add one field.
                let line = String::from_utf8_lossy(&lines[i]).into_owned();
                let sep = separator as char;
                let mut fields: Vec<String> = if sep == ' ' {
                    line.split_whitespace().map(str::to_string).collect()
                } else {
                    line.split(sep).map(str::to_string).collect()
                };
                let f = rng.gen_range(0..=fields.len());
                let weird = WEIRD_FIELDS[rng.gen_range(0..WEIRD_FIELDS.len())].to_string();
                match rng.gen_range(0..3) {
                    0 if f < fields.len() => fields[f] = weird,
                    1 if f < fields.len() => {
                        fields.remove(f);
                    }
                    _ => fields.insert(f, weird),
                }
                lines[i] = fields.join(&sep.to_string()).into_bytes();
            }
        }
    }
    let mut out = lines.join(&b'\n');
    if rng.gen_bool(0.5) {
        out.push(b'\n');
    }
    out
}

/// Reads at most `MAX_ITEMS` jobs; checks the first error.
fn drain_jobs(
    reader: Result<impl Iterator<Item = Result<JobSubmission, TraceError>>, TraceError>,
) -> Result<(), String> {
    let reader = match reader {
        Ok(r) => r,
        Err(e) => return check_trace_error(&e, &e.to_string()),
    };
    for item in reader.take(MAX_ITEMS) {
        if let Err(e) = item {
            return check_trace_error(&e, &e.to_string());
        }
    }
    Ok(())
}

#[test]
fn mutated_traces_never_panic_and_every_error_names_file_and_line() {
    let seed = seed();
    let n = iterations();
    let alibaba = sample("alibaba-2017-batch-tasks/batch_task.csv");
    let swf = sample("pwa-nasa-ipsc-1993-swf/NASA-iPSC-1993-3.1-cln.swf");
    let worldcup = sample("worldcup98/worldcup98_requests_per_minute.csv");
    let azure = sample("azure-llm-code/AzureLLMInferenceTrace_code.csv");
    let gpu_pods = sample("alibaba-gpu-2023-openb-pods/openb_pod_list_default.csv");
    // No ecsim batch or rate CSV ships; these follow the documented formats.
    let batch: Vec<Vec<u8>> =
        std::iter::once("submit_time_s,cpu_units,memory_mib,duration_s,count")
            .chain([
                "0,512,1024,60,1",
                "0.5,1024,2048,300.25,10",
                "7,256,512,0.001,3",
            ])
            .map(|l| l.as_bytes().to_vec())
            .collect();
    let rates: Vec<Vec<u8>> = ["time_s,requests_per_second", "0,20", "1.5,30", "60,0.25"]
        .iter()
        .map(|l| l.as_bytes().to_vec())
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Pcg64::seed_from_u64(seed);
    for i in 0..n {
        let which = i % 7;
        let (lines, sep) = match which {
            0 => (&batch, b','),
            1 => (&alibaba, b','),
            2 => (&swf, b' '),
            3 => (&rates, b','),
            4 => (&worldcup, b','),
            5 => (&azure, b','),
            _ => (&gpu_pods, b','),
        };
        let bytes = trace_mutant(lines, sep, &mut rng);
        let what = || {
            format!(
                "ECSIM_FUZZ_SEED={seed}, iteration {i}, reader {which}, mutant:\n{}",
                String::from_utf8_lossy(&bytes[..bytes.len().min(4000)])
            )
        };
        let result = no_panic(what, || match which {
            0 => drain_jobs(CsvReader::new(&bytes[..], "fuzz.csv")),
            1 => {
                let options = AlibabaOptions {
                    job_sample: rng.gen_range(0..4),
                    ..AlibabaOptions::default()
                };
                drain_jobs(AlibabaReader::new(&bytes[..], "fuzz.csv", &options))
            }
            2 => {
                let options = SwfOptions {
                    processors_per_task: rng.gen_range(0..3),
                    ..SwfOptions::default()
                };
                drain_jobs(SwfReader::new(&bytes[..], "fuzz.swf", options))
            }
            6 => {
                let options = AlibabaGpuOptions {
                    pod_sample: rng.gen_range(0..3),
                    pods: [PodKind::All, PodKind::Gpu, PodKind::CpuOnly][rng.gen_range(0..3)],
                    origin: ecsim::engine::SimDuration::from_secs(rng.gen_range(0..2) * 1_000_000),
                    before_origin: if rng.gen_bool(0.5) {
                        BeforeOrigin::TrimToWindow
                    } else {
                        BeforeOrigin::ClampSubmit
                    },
                    ..AlibabaGpuOptions::default()
                };
                drain_jobs(AlibabaGpuReader::new(&bytes[..], "fuzz.csv", &options))
            }
            _ => {
                let format = [
                    RateFormat::Csv,
                    RateFormat::WorldCup98,
                    RateFormat::AzureLlm,
                ][(which - 3) as usize];
                let path = dir.path().join("fuzz.csv");
                std::fs::write(&path, &bytes).unwrap();
                let options = RateOptions {
                    scale: [1.0, 0.0, -1.0, 1e308, f64::NAN][rng.gen_range(0..5)],
                    repeat: rng.gen_bool(0.3),
                    ..RateOptions::new(format)
                };
                match RateReader::open(&path, &options) {
                    Err(e) => check_trace_error(&e, &e.to_string()),
                    Ok(r) => r
                        .take(MAX_ITEMS)
                        .find_map(Result::err)
                        .map_or(Ok(()), |e| check_trace_error(&e, &e.to_string())),
                }
            }
        });
        if let Err(problem) = result {
            panic!("{problem}\n{}", what());
        }
    }
}
