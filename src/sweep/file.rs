//! The sweep file: serde types mirroring the JSON (`deny_unknown_fields`), and [`load`], which
//! checks everything before a single point runs and resolves the file into a [`Plan`].
//!
//! Every problem is reported at once with its path in the file's words
//! (`parameters[1].range.steps`, `constraints[0].figure`), as the scenario validator does.
//! A parameter's every level is applied to the base scenario and validated on its own, so a
//! pointer that does not resolve, a value the scenario refuses or a number where the base has
//! a string is an error before the sweep starts. Figures named by the objective and the
//! constraints are checked against the `summary.json` of a short dry run (its first
//! [`DRY_RUN_SPAN`]) of the first point, every parameter at its first level, or of the base
//! scenario when that point does not validate: the one place that knows every path the
//! summary has.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::stats::Bound;
use super::{SweepError, MAX_LEVELS, MAX_POINTS, MAX_REPLICAS};
use crate::engine::SimDuration;
use crate::scenario::{variants, Override, Problem, Scenario, ScenarioError};

/// How much of the base scenario the dry run simulates to learn the summary's figures: the
/// shape of `summary.json` does not depend on how long the run is, and an hour keeps the
/// check under a second even for a month-long base.
pub const DRY_RUN_SPAN: SimDuration = SimDuration(3_600_000);

/// Replicas per point when neither the file nor `--replicas` says.
pub const DEFAULT_REPLICAS: u32 = 1;

/// Racing's first stage: the fewest replicas with a confidence interval of any width
/// (t(0.975, 2) = 4.30; with 2 replicas t = 12.7 leaves almost every interval undecided).
pub const DEFAULT_RACING_INITIAL_REPLICAS: u32 = 3;

/// Racing: each stage multiplies the replicas by this, up to the point's full count.
pub const DEFAULT_RACING_GROWTH: u32 = 2;

/// The sweep file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SweepFile {
    /// Results go to `results/<name>/`; default: the file's stem.
    #[serde(default)]
    pub name: Option<String>,
    /// What the sweep answers.
    #[serde(default)]
    pub description: Option<String>,
    /// A path to a scenario file (relative to the sweep file) or an inline scenario object.
    pub base: Value,
    /// Root seed: replica r of every point runs with seed + r. Default: the base's seed.
    #[serde(default)]
    pub seed: Option<u64>,
    /// Replicas per point (default [`DEFAULT_REPLICAS`]).
    #[serde(default)]
    pub replicas: Option<u32>,
    /// The parameters that vary.
    pub parameters: Vec<ParameterFile>,
    /// Which combinations run (default `"grid"`).
    #[serde(default)]
    pub design: Option<Design>,
    /// What to minimise.
    pub objective: ObjectiveFile,
    /// What must hold.
    #[serde(default)]
    pub constraints: Vec<ConstraintFile>,
    /// `"full"` or `{"racing": {...}}` (default racing).
    #[serde(default)]
    pub search: Option<SearchFile>,
}

/// `parameters[]`: a `pointer` with `values` or a `range`, or named `options`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ParameterFile {
    /// Column name in the outputs (default: the pointer); required with `options`.
    #[serde(default)]
    pub name: Option<String>,
    /// RFC 6901 pointer into the base scenario (the pointers `--set` takes).
    #[serde(default)]
    pub pointer: Option<String>,
    /// The values to try.
    #[serde(default)]
    pub values: Option<Vec<Value>>,
    /// Evenly spaced numbers.
    #[serde(default)]
    pub range: Option<RangeFile>,
    /// Named sets of pointers changed together.
    #[serde(default)]
    pub options: Option<Vec<OptionFile>>,
}

/// `parameters[].range`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RangeFile {
    /// First value.
    pub from: f64,
    /// Last value.
    pub to: f64,
    /// Number of values, both ends included.
    pub steps: u32,
    /// Spacing (default linear).
    #[serde(default)]
    pub scale: Scale,
    /// Round every value to the nearest integer (duplicates after rounding are dropped).
    #[serde(default)]
    pub integer: bool,
}

/// Spacing of a range.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum Scale {
    /// Equal differences.
    #[default]
    Linear,
    /// Equal ratios (both ends must be positive).
    Log,
}

/// `parameters[].options[]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OptionFile {
    /// The option's name, written in the outputs.
    pub name: String,
    /// Pointer → value, applied in pointer order.
    pub set: BTreeMap<String, Value>,
}

/// Which points run.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum Design {
    /// Every combination of levels (full factorial).
    Grid,
    /// `count` points, each parameter's level drawn uniformly (seeded).
    Random(Count),
    /// `count` points, each parameter's levels covered evenly (seeded Latin hypercube).
    LatinHypercube(Count),
}

/// `{"count": N}`.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Count {
    /// Points drawn (duplicates are dropped).
    pub count: u64,
}

/// `objective`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ObjectiveFile {
    /// A numeric figure of `summary.json`, by its dotted path.
    pub minimize: String,
}

/// `constraints[]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ConstraintFile {
    /// A numeric figure of `summary.json`, by its dotted path.
    pub figure: String,
    /// Upper bound.
    #[serde(default)]
    pub max: Option<f64>,
    /// Lower bound.
    #[serde(default)]
    pub min: Option<f64>,
}

/// `search`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SearchFile {
    /// Every point at full replicas.
    Full,
    /// Per-point racing against the constraints.
    Racing(RacingFile),
}

/// `search.racing`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RacingFile {
    /// Replicas of the first stage (default [`DEFAULT_RACING_INITIAL_REPLICAS`]).
    #[serde(default)]
    pub initial_replicas: Option<u32>,
    /// Factor between stages (default [`DEFAULT_RACING_GROWTH`]).
    #[serde(default)]
    pub growth: Option<u32>,
}

/// The resolved sweep: everything needed to run the points and to render the outputs. A
/// partial result stores it as JSON, and `merge` renders from it, so the sweep file is not
/// needed to merge.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Plan {
    /// Sweep name.
    pub name: String,
    /// What it answers.
    pub description: String,
    /// `base` as written when it is a path; `(inline)` otherwise.
    pub base_file: String,
    /// The base scenario document (without `variants`, `--set` applied), compact JSON.
    pub base: String,
    /// Root seed.
    pub seed: u64,
    /// Replicas per point at full.
    pub replicas: u32,
    /// The parameters, in file order.
    pub parameters: Vec<Parameter>,
    /// The design.
    pub design: Design,
    /// Number of points of the design.
    pub points: u64,
    /// Number of points of the full grid.
    pub grid_points: u64,
    /// The objective figure's path.
    pub objective: String,
    /// The constraints.
    pub constraints: Vec<Constraint>,
    /// The search.
    pub search: Search,
    /// Every figure reported per point: the objective, the constraints' figures, then the
    /// headline figures of the base's dry run, without repeats.
    pub figures: Vec<String>,
}

/// One parameter.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Parameter {
    /// Column name.
    pub name: String,
    /// Its levels, in order.
    pub levels: Vec<Level>,
}

/// One level of a parameter.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Level {
    /// How the outputs show it: the option's name, or the value (a string without quotes,
    /// anything else as compact JSON).
    pub label: String,
    /// Pointer → value as compact JSON text, applied in order. Text, so a merge applies
    /// exactly the bytes the sharded runs applied.
    pub set: Vec<(String, String)>,
}

/// One constraint.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Constraint {
    /// Figure path.
    pub figure: String,
    /// The bound.
    pub bound: Bound,
}

/// The search in force.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum Search {
    /// Every point at full replicas.
    Full,
    /// Stages of `initial`, `initial × growth`, … replicas up to the full count; a point
    /// stops after a stage where a constraint is judged infeasible.
    Racing {
        /// First stage.
        initial: u32,
        /// Growth factor.
        growth: u32,
    },
}

/// What the command line changes in a sweep file.
#[derive(Clone, Debug, Default)]
pub struct CliOverrides {
    /// `--seed`.
    pub seed: Option<u64>,
    /// `--replicas`.
    pub replicas: Option<u32>,
    /// `--set`, applied to the base before the points' values.
    pub set: Vec<Override>,
}

/// A loaded sweep: the plan, where the base's relative paths start, and the digest.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// The plan.
    pub plan: Plan,
    /// Folder the base scenario's relative paths (traces) start from.
    pub base_dir: PathBuf,
    /// Stable hash of the canonical sweep JSON, the base scenario bytes and the plan.
    pub digest: String,
}

/// Reads and checks the sweep file at `path`.
pub fn load(path: &Path, cli: &CliOverrides) -> Result<Loaded, SweepError> {
    let text = std::fs::read_to_string(path).map_err(|error| SweepError::Io {
        file: path.to_path_buf(),
        error,
    })?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "sweep".into());
    from_str(&text, path, &dir, &stem, cli)
}

/// [`load`] on text: `file` names it in errors, `dir` anchors a relative `base`, `stem` is the
/// default name.
pub fn from_str(
    text: &str,
    file: &Path,
    dir: &Path,
    stem: &str,
    cli: &CliOverrides,
) -> Result<Loaded, SweepError> {
    // Excel and Notepad save JSON with a byte order mark, as they do scenarios.
    let text = crate::scenario::strip_bom(text);
    let raw: SweepFile = {
        let de = &mut serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(de).map_err(|e| {
            let at = e.path().to_string();
            let inner = e.into_inner();
            SweepError::Syntax {
                file: file.to_path_buf(),
                line: inner.line(),
                column: inner.column(),
                message: if at == "." || at.is_empty() {
                    inner.to_string()
                } else {
                    format!("{at}: {inner}")
                },
            }
        })?
    };
    let canonical: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    let invalid = |problems: Vec<Problem>| SweepError::Invalid {
        file: file.to_path_buf(),
        problems,
    };
    let problem = |path: &str, message: String| Problem {
        path: path.to_string(),
        message,
    };

    // The base: a file beside the sweep, or inline.
    let (mut doc, base_dir, base_file, base_bytes, base_name) = match &raw.base {
        Value::String(rel) => {
            let p = dir.join(rel);
            let bytes = std::fs::read(&p).map_err(|source| {
                SweepError::Base(ScenarioError::Io {
                    file: p.clone(),
                    error: source,
                })
            })?;
            let unmarked = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
            let doc: Value = serde_json::from_slice(unmarked).map_err(|e| {
                SweepError::Base(ScenarioError::Syntax {
                    file: p.clone(),
                    line: e.line(),
                    column: e.column(),
                    message: e.to_string(),
                })
            })?;
            let base_dir = p
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .map(Path::to_path_buf)
                .unwrap_or_else(|| PathBuf::from("."));
            (doc, base_dir, rel.clone(), bytes, p)
        }
        Value::Object(_) => (
            raw.base.clone(),
            dir.to_path_buf(),
            "(inline)".to_string(),
            Vec::new(),
            file.to_path_buf(),
        ),
        _ => {
            return Err(invalid(vec![problem(
                "base",
                "expected a path to a scenario file (relative to the sweep file) or an inline scenario object".into(),
            )]))
        }
    };
    if let Value::Object(m) = &mut doc {
        // The sweep's points play the role of variants.
        m.remove("variants");
    }
    for o in &cli.set {
        variants::set(&mut doc, &o.pointer, o.value.clone()).map_err(|message| {
            SweepError::Base(ScenarioError::Invalid {
                file: base_name.clone(),
                problems: vec![problem(&format!("--set {}", o.pointer), message)],
            })
        })?;
    }
    let inline = raw.base.is_object();
    let base = crate::scenario::from_value(doc.clone(), &base_dir).map_err(|ps| {
        let prefix = if inline { "base." } else { "" };
        SweepError::Base(ScenarioError::Invalid {
            file: base_name.clone(),
            problems: ps
                .into_iter()
                .map(|p| Problem {
                    path: format!("{prefix}{}", p.path),
                    message: p.message,
                })
                .collect(),
        })
    })?;

    let mut problems = Vec::new();
    let name = raw.name.clone().unwrap_or_else(|| stem.to_string());
    if let Err(m) = variants::check_name(&name) {
        problems.push(problem("name", m));
    }

    // Parameters and their levels.
    if raw.parameters.is_empty() {
        problems.push(problem(
            "parameters",
            "expected at least one parameter".into(),
        ));
    }
    let mut parameters: Vec<Parameter> = Vec::new();
    for (i, p) in raw.parameters.iter().enumerate() {
        let at = format!("parameters[{i}]");
        if let Some(param) = parameter(p, &at, &doc, &base_dir, &mut problems) {
            if let Some(j) = parameters.iter().position(|q| q.name == param.name) {
                problems.push(problem(
                    &format!("{at}.name"),
                    format!(
                        "{:?} is already the name of parameters[{j}]; give each parameter its own `name`",
                        param.name
                    ),
                ));
            }
            parameters.push(param);
        }
    }

    // The design.
    let design = raw.design.unwrap_or(Design::Grid);
    let grid_points = parameters
        .iter()
        .try_fold(1u64, |acc, p| acc.checked_mul(p.levels.len() as u64))
        .unwrap_or(u64::MAX);
    let points = match design {
        Design::Grid => grid_points,
        Design::Random(c) | Design::LatinHypercube(c) => {
            let key = if matches!(design, Design::Random(_)) {
                "random"
            } else {
                "latinHypercube"
            };
            if c.count == 0 {
                problems.push(problem(
                    &format!("design.{key}.count"),
                    "expected at least 1 point".into(),
                ));
            }
            c.count
        }
    };
    if points > MAX_POINTS {
        problems.push(problem(
            "design",
            format!("{points} points is over the limit of {MAX_POINTS}; use a random or latinHypercube design with a smaller count"),
        ));
    }

    // Replicas and search.
    let replicas = cli.replicas.or(raw.replicas).unwrap_or(DEFAULT_REPLICAS);
    if replicas == 0 || replicas > MAX_REPLICAS {
        problems.push(problem(
            if cli.replicas.is_some() {
                "--replicas"
            } else {
                "replicas"
            },
            format!("expected 1 to {MAX_REPLICAS} replicas, found {replicas}"),
        ));
    }
    let search = match raw.search {
        Some(SearchFile::Full) => Search::Full,
        None => Search::Racing {
            initial: DEFAULT_RACING_INITIAL_REPLICAS,
            growth: DEFAULT_RACING_GROWTH,
        },
        Some(SearchFile::Racing(r)) => {
            let initial = r
                .initial_replicas
                .unwrap_or(DEFAULT_RACING_INITIAL_REPLICAS);
            let growth = r.growth.unwrap_or(DEFAULT_RACING_GROWTH);
            if initial < 2 {
                problems.push(problem(
                    "search.racing.initialReplicas",
                    format!("expected at least 2 (a confidence interval needs two replicas), found {initial}"),
                ));
            }
            if growth < 2 {
                problems.push(problem(
                    "search.racing.growth",
                    format!("expected at least 2, found {growth}"),
                ));
            }
            Search::Racing { initial, growth }
        }
    };

    // Objective and constraints: syntax here, existence against the dry run below.
    let mut constraints = Vec::new();
    for (i, c) in raw.constraints.iter().enumerate() {
        let at = format!("constraints[{i}]");
        let bound = match (c.max, c.min) {
            (Some(m), None) if m.is_finite() => Some(Bound::Max(m)),
            (None, Some(m)) if m.is_finite() => Some(Bound::Min(m)),
            (Some(_), Some(_)) => {
                problems.push(problem(
                    &at,
                    "expected one of `max` or `min`, not both (write two constraints for a band)"
                        .into(),
                ));
                None
            }
            (None, None) => {
                problems.push(problem(&at, "expected `max` or `min`".into()));
                None
            }
            _ => {
                problems.push(problem(&at, "expected a finite bound".into()));
                None
            }
        };
        if let Some(bound) = bound {
            constraints.push(Constraint {
                figure: c.figure.clone(),
                bound,
            });
        }
    }
    if !problems.is_empty() {
        return Err(invalid(problems));
    }

    // The dry run: which figures exist. It runs the first point (every parameter at its first
    // level) when that validates, not the bare base: a figure may exist only once a parameter
    // adds what it describes (`cost.commitments.*` when the levels set `/commitments`), and
    // the base itself is never a point. Otherwise, the base.
    let first_point = {
        let mut doc0 = doc.clone();
        let applied = parameters.iter().all(|p| {
            p.levels.first().map_or(true, |level| {
                level.set.iter().all(|(ptr, text)| {
                    let v: Value = serde_json::from_str(text).unwrap_or(Value::Null);
                    variants::set(&mut doc0, ptr, v).is_ok()
                })
            })
        });
        applied
            .then(|| crate::scenario::from_value(doc0, &base_dir).ok())
            .flatten()
    };
    let summary = dry_run_summary(first_point.as_ref().unwrap_or(&base))?;
    let mut figures = vec![raw.objective.minimize.clone()];
    if let Err(m) = check_figure(&summary, &raw.objective.minimize) {
        problems.push(problem("objective.minimize", m));
    }
    for (i, c) in raw.constraints.iter().enumerate() {
        if let Err(m) = check_figure(&summary, &c.figure) {
            problems.push(problem(&format!("constraints[{i}].figure"), m));
        }
        if !figures.contains(&c.figure) {
            figures.push(c.figure.clone());
        }
    }
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    for (name, _) in crate::montecarlo::headline_figures(&summary.1) {
        if !figures.contains(&name) && matches!(lookup(&summary.0, &name), Lookup::Number(_)) {
            figures.push(name);
        }
    }

    let plan = Plan {
        name,
        description: raw.description.clone().unwrap_or_default(),
        base_file,
        base: doc.to_string(),
        seed: cli.seed.or(raw.seed).unwrap_or(base.seed),
        replicas,
        parameters,
        design,
        points,
        grid_points,
        objective: raw.objective.minimize.clone(),
        constraints,
        search,
        figures,
    };
    // Normalised through its own JSON (twice, to a fixed point), so a run renders from the
    // very values a merge reads back from a partial's header.
    let plan = normalise(normalise(plan)?)?;
    let plan_json = serde_json::to_string(&plan).unwrap_or_default();
    let mut h = super::Fnv::new();
    h.write(canonical.to_string().as_bytes());
    h.write(&[0]);
    h.write(&base_bytes);
    h.write(&[0]);
    h.write(plan_json.as_bytes());
    Ok(Loaded {
        plan,
        base_dir,
        digest: h.hex(),
    })
}

/// `plan` written as JSON and read back.
fn normalise(plan: Plan) -> Result<Plan, SweepError> {
    let text = serde_json::to_string(&plan).unwrap_or_default();
    serde_json::from_str(&text).map_err(|e| SweepError::Merge {
        path: PathBuf::from(&plan.name),
        message: format!("the resolved sweep does not read back: {e}"),
    })
}

/// One parameter's levels, or `None` after pushing its problems.
fn parameter(
    p: &ParameterFile,
    at: &str,
    doc: &Value,
    base_dir: &Path,
    problems: &mut Vec<Problem>,
) -> Option<Parameter> {
    let push = |problems: &mut Vec<Problem>, path: String, message: String| {
        problems.push(Problem { path, message })
    };
    let kinds = [p.values.is_some(), p.range.is_some(), p.options.is_some()]
        .iter()
        .filter(|k| **k)
        .count();
    if kinds != 1 {
        push(
            problems,
            at.to_string(),
            "expected exactly one of `values`, `range` or `options`".into(),
        );
        return None;
    }
    let before = problems.len();
    let mut levels: Vec<Level> = Vec::new();
    let name;
    if let Some(options) = &p.options {
        if p.pointer.is_some() {
            push(
                problems,
                format!("{at}.pointer"),
                "`options` name their own pointers; remove `pointer`".into(),
            );
        }
        let Some(n) = p.name.clone() else {
            push(
                problems,
                format!("{at}.name"),
                "expected a `name` for a parameter with `options`".into(),
            );
            return None;
        };
        name = n;
        if options.is_empty() {
            push(
                problems,
                format!("{at}.options"),
                "expected at least one option".into(),
            );
        }
        for (k, o) in options.iter().enumerate() {
            let oat = format!("{at}.options[{k}]");
            if o.name.is_empty() {
                push(
                    problems,
                    format!("{oat}.name"),
                    "expected a non-empty name".into(),
                );
            } else if options[..k].iter().any(|x| x.name == o.name) {
                push(
                    problems,
                    format!("{oat}.name"),
                    format!("{:?} is already the name of an earlier option", o.name),
                );
            }
            if o.set.is_empty() {
                push(
                    problems,
                    format!("{oat}.set"),
                    "expected at least one pointer to set".into(),
                );
            }
            levels.push(Level {
                label: o.name.clone(),
                set: o
                    .set
                    .iter()
                    .map(|(ptr, v)| (ptr.clone(), v.to_string()))
                    .collect(),
            });
        }
    } else {
        let Some(pointer) = p.pointer.clone() else {
            push(
                problems,
                format!("{at}.pointer"),
                "expected a `pointer` (RFC 6901, e.g. \"/services/0/desiredCount\") for `values` or `range`".into(),
            );
            return None;
        };
        if let Err(m) = variants::parse_pointer(&pointer) {
            push(problems, format!("{at}.pointer"), m);
            return None;
        }
        name = p.name.clone().unwrap_or_else(|| pointer.clone());
        let values: Vec<Value> = if let Some(values) = &p.values {
            if values.is_empty() {
                push(
                    problems,
                    format!("{at}.values"),
                    "expected at least one value".into(),
                );
            }
            values.clone()
        } else if let Some(r) = &p.range {
            // A range needs a number where it points (when the base has something there).
            if let Some(existing) = doc.pointer(&pointer) {
                if !existing.is_number() {
                    push(
                        problems,
                        format!("{at}.pointer"),
                        format!(
                            "{pointer:?} holds {existing} in the base scenario, not a number; a `range` needs a numeric field (use `values` for others)"
                        ),
                    );
                }
            }
            match range_values(r) {
                Ok(v) => v,
                Err((field, m)) => {
                    push(problems, format!("{at}.range{field}"), m);
                    Vec::new()
                }
            }
        } else {
            Vec::new()
        };
        for v in values {
            let label = match &v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            levels.push(Level {
                label,
                set: vec![(pointer.clone(), v.to_string())],
            });
        }
    }
    if levels.len() > MAX_LEVELS {
        push(
            problems,
            at.to_string(),
            format!("{} levels is over the limit of {MAX_LEVELS}", levels.len()),
        );
        return None;
    }
    if problems.len() > before {
        return None;
    }
    // Each level on its own must give a valid scenario.
    for (k, level) in levels.iter().enumerate() {
        let mut d = doc.clone();
        let lat = if p.options.is_some() {
            format!("{at}.options[{k}] ({})", level.label)
        } else if p.values.is_some() {
            format!("{at}.values[{k}]")
        } else {
            format!("{at}.range value {}", level.label)
        };
        let mut applied = true;
        for (ptr, text) in &level.set {
            let v: Value = serde_json::from_str(text).unwrap_or(Value::Null);
            if let Err(m) = variants::set(&mut d, ptr, v) {
                let path = if p.options.is_some() {
                    format!("{at}.options[{k}].set[{ptr:?}]")
                } else {
                    format!("{at}.pointer")
                };
                push(problems, path, m);
                applied = false;
            }
        }
        if !applied {
            // One message per pointer: the next level would say the same.
            break;
        }
        if let Err(ps) = crate::scenario::from_value(d, base_dir) {
            for q in ps {
                push(
                    problems,
                    lat.clone(),
                    format!("gives an invalid scenario: {}: {}", q.path, q.message),
                );
            }
        }
    }
    (problems.len() == before).then_some(Parameter { name, levels })
}

/// The values of a range, or the field (`.steps`, `.from`) and what is wrong.
fn range_values(r: &RangeFile) -> Result<Vec<Value>, (String, String)> {
    if r.steps == 0 {
        return Err((
            ".steps".into(),
            "the range is empty: expected at least 1 step".into(),
        ));
    }
    if r.steps as usize > MAX_LEVELS {
        return Err((
            ".steps".into(),
            format!("{} steps is over the limit of {MAX_LEVELS}", r.steps),
        ));
    }
    if !r.from.is_finite() || !r.to.is_finite() {
        return Err((String::new(), "expected finite `from` and `to`".into()));
    }
    if r.scale == Scale::Log && (r.from <= 0.0 || r.to <= 0.0) {
        return Err((
            ".scale".into(),
            "a log range needs `from` and `to` above 0".into(),
        ));
    }
    let mut out: Vec<Value> = Vec::new();
    for k in 0..r.steps {
        let f = if r.steps == 1 {
            0.0
        } else {
            f64::from(k) / f64::from(r.steps - 1)
        };
        let x = match r.scale {
            // The ends are exact: no 5.000000000001 for `to: 5`.
            _ if k == 0 => r.from,
            _ if k == r.steps - 1 => r.to,
            Scale::Linear => r.from + (r.to - r.from) * f,
            Scale::Log => r.from * (r.to / r.from).powf(f),
        };
        let v = if r.integer {
            Value::from(x.round() as i64)
        } else if x.fract() == 0.0 && x.abs() < 9e15 {
            // Whole numbers as integers, so a count field accepts them.
            Value::from(x as i64)
        } else {
            Value::from(x)
        };
        if !out.contains(&v) {
            out.push(v);
        }
    }
    if r.integer && out.len() < r.steps as usize && out.is_empty() {
        return Err((".steps".into(), "the range holds no integer".into()));
    }
    Ok(out)
}

/// The summary of a short run of the base, as JSON and as the typed summary.
fn dry_run_summary(base: &Scenario) -> Result<(Value, crate::report::Summary), SweepError> {
    let mut short = base.clone();
    short.duration = SimDuration(short.duration.0.min(DRY_RUN_SPAN.0));
    let report = crate::run(&short, None, &mut |_| {}).map_err(SweepError::DryRun)?;
    let mut json = serde_json::to_value(&report.summary).unwrap_or(Value::Null);
    // `per_million_requests_usd` is left out of a summary that served no request, which an
    // hour may well be; it exists whenever a service has a load model.
    if report.summary.services.iter().any(|s| s.load.is_some()) {
        if let Some(Value::Object(cost)) = json.get_mut("cost") {
            cost.entry("per_million_requests_usd")
                .or_insert(Value::Null);
        }
    }
    Ok((json, report.summary))
}

/// What a figure path finds in a summary.
#[derive(Debug, PartialEq)]
pub enum Lookup {
    /// A number.
    Number(f64),
    /// `null` (a ratio with nothing to divide by): missing in this replica.
    Null,
    /// Something else: what it is and, for an object, its keys.
    NotANumber(String),
    /// Nothing there: the first segment that does not resolve and what was there instead.
    Missing(String),
}

/// Looks up a dotted figure path (`cost.total_usd`, `services.web.load.unserved_pct`) in a
/// summary's JSON. A segment below an array is an index or the `name` of an element, so the
/// headline figure names of `montecarlo` are paths too.
pub fn lookup(doc: &Value, path: &str) -> Lookup {
    let mut at = doc;
    let mut walked = String::new();
    for seg in path.split('.') {
        let next = match at {
            Value::Object(m) => m.get(seg),
            Value::Array(a) => match seg.parse::<usize>() {
                Ok(i) => a.get(i),
                Err(_) => a
                    .iter()
                    .find(|e| e.get("name").and_then(Value::as_str) == Some(seg)),
            },
            _ => None,
        };
        let Some(next) = next else {
            let here = if walked.is_empty() {
                "summary.json".to_string()
            } else {
                format!("{walked:?}")
            };
            let choices = match at {
                Value::Object(m) => format!(
                    "; {here} has {}",
                    m.keys().map(String::as_str).collect::<Vec<_>>().join(", ")
                ),
                Value::Array(a) => {
                    let names: Vec<&str> = a
                        .iter()
                        .filter_map(|e| e.get("name").and_then(Value::as_str))
                        .collect();
                    format!(
                        "; {here} is a list of {} (by index or name: {})",
                        a.len(),
                        names.join(", ")
                    )
                }
                _ => format!("; {here} is a single value"),
            };
            return Lookup::Missing(format!("{seg:?} not found{choices}"));
        };
        if !walked.is_empty() {
            walked.push('.');
        }
        walked.push_str(seg);
        at = next;
    }
    match at {
        Value::Number(n) => n.as_f64().map_or(Lookup::Null, Lookup::Number),
        Value::Null => Lookup::Null,
        Value::Object(m) => Lookup::NotANumber(format!(
            "an object with {}",
            m.keys().map(String::as_str).collect::<Vec<_>>().join(", ")
        )),
        Value::Array(_) => Lookup::NotANumber("a list".into()),
        Value::String(_) => Lookup::NotANumber("a string".into()),
        Value::Bool(_) => Lookup::NotANumber("true or false".into()),
    }
}

/// A figure the sweep can use: a number (or a ratio that may be missing) in the dry run.
fn check_figure(summary: &(Value, crate::report::Summary), path: &str) -> Result<(), String> {
    match lookup(&summary.0, path) {
        Lookup::Number(_) | Lookup::Null => Ok(()),
        Lookup::NotANumber(what) => Err(format!(
            "{path:?} in summary.json is {what}, not a number; name a numeric figure such as \"cost.total_usd\""
        )),
        Lookup::Missing(m) => Err(format!(
            "{path:?} is not a figure of summary.json (checked against a dry run of the first point, or of the base if that point is invalid): {m}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn r(from: f64, to: f64, steps: u32, scale: Scale, integer: bool) -> Vec<Value> {
        range_values(&RangeFile {
            from,
            to,
            steps,
            scale,
            integer,
        })
        .unwrap()
    }

    #[test]
    fn ranges_are_linear_or_log_with_exact_ends() {
        assert_eq!(
            r(1000.0, 5000.0, 5, Scale::Linear, false),
            vec![
                json!(1000),
                json!(2000),
                json!(3000),
                json!(4000),
                json!(5000)
            ]
        );
        assert_eq!(
            r(0.1, 0.3, 3, Scale::Linear, false),
            vec![json!(0.1), json!(0.2), json!(0.3)]
        );
        // 1, 10^(1/2)=3.16 -> 3, 10.
        assert_eq!(
            r(1.0, 10.0, 3, Scale::Log, true),
            vec![json!(1), json!(3), json!(10)]
        );
        // Rounding 1, 1.33, 1.67, 2 gives 1, 1, 2, 2: duplicates dropped.
        assert_eq!(
            r(1.0, 2.0, 4, Scale::Linear, true),
            vec![json!(1), json!(2)]
        );
        assert_eq!(r(7.0, 9.0, 1, Scale::Linear, false), vec![json!(7)]);
        assert!(range_values(&RangeFile {
            from: 1.0,
            to: 2.0,
            steps: 0,
            scale: Scale::Linear,
            integer: false
        })
        .is_err());
        assert!(range_values(&RangeFile {
            from: 0.0,
            to: 2.0,
            steps: 3,
            scale: Scale::Log,
            integer: false
        })
        .is_err());
    }

    #[test]
    fn lookup_walks_objects_and_named_list_elements() {
        let doc = json!({"cost": {"total_usd": 3.5, "per_million_requests_usd": null},
                         "services": [{"name": "web", "load": {"unserved_pct": 0.02}}]});
        assert_eq!(lookup(&doc, "cost.total_usd"), Lookup::Number(3.5));
        assert_eq!(lookup(&doc, "cost.per_million_requests_usd"), Lookup::Null);
        assert_eq!(
            lookup(&doc, "services.web.load.unserved_pct"),
            Lookup::Number(0.02)
        );
        assert_eq!(
            lookup(&doc, "services.0.load.unserved_pct"),
            Lookup::Number(0.02)
        );
        assert!(matches!(lookup(&doc, "cost"), Lookup::NotANumber(_)));
        match lookup(&doc, "cost.totl_usd") {
            Lookup::Missing(m) => assert!(m.contains("total_usd"), "{m}"),
            other => panic!("{other:?}"),
        }
        match lookup(&doc, "services.api.load") {
            Lookup::Missing(m) => assert!(m.contains("web"), "{m}"),
            other => panic!("{other:?}"),
        }
    }
}
