//! `ecsim import`: a scenario from a folder of AWS CLI JSON outputs.
//!
//! This module owns recognising each file by its content (the response's top-level keys),
//! parsing it with [`aws`]'s tolerant response types, merging the outputs of several calls of
//! one command (paged results, one `describe-task-definition` file per family), and mapping
//! the account to a scenario document in **one** place ([`map`]), with the load traces derived
//! from CloudWatch data ([`load`]) and a [`MappingReport`] saying what became what, what was
//! ignored and what was assumed.
//!
//! It deliberately does not validate the scenario it writes: the scenario's own parser is the
//! single judge of that, and the tests run `validate` and `run` on the output. It writes no
//! files: [`read_dir`] reads the folder (an input, like `scenario::load`), and the binary
//! writes the scenario and the traces [`import`] returns.
//!
//! # Associating CloudWatch data with a service
//!
//! `get-metric-data` results carry only the `Id` and `Label` the caller chose, so ecsim
//! defines one convention: the `Label` of a query is `<serviceName> <MetricName>`, the metric
//! name being the last word: `RequestCountPerTarget`, `RequestCount`, `CPUUtilization` or
//! `MemoryUtilization` (README shows the query file). Results labelled otherwise are ignored
//! with a warning.

pub mod aws;
pub mod load;
pub mod map;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

/// One input file: a name for messages (its path as given) and its text.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The file's name as messages show it.
    pub name: String,
    /// Its content.
    pub text: String,
}

/// One mistake in the input: the file, the JSON path inside it, what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportProblem {
    /// The file.
    pub file: String,
    /// JSON path inside the file (`.` for the whole document).
    pub path: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.file, self.path, self.message)
    }
}

/// Why an import failed: the folder could not be read, or the files hold mistakes (all of them
/// are listed).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The folder or a file in it could not be read.
    #[error("cannot read {}", .path.display())]
    Io {
        /// What could not be read.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Mistakes in the files, each with its file and JSON path.
    #[error("{} problem(s) in the AWS CLI outputs:\n{}", .problems.len(), list(.problems))]
    Invalid {
        /// Every problem found.
        problems: Vec<ImportProblem>,
    },
}

fn list(problems: &[ImportProblem]) -> String {
    problems
        .iter()
        .map(|p| format!("  {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What the import did, for the person who will edit the scenario: one line per decision.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MappingReport {
    /// What each file was recognised as.
    pub files: Vec<String>,
    /// What became what (`AWS thing → scenario path`).
    pub mapped: Vec<String>,
    /// What was read but not used, and why.
    pub ignored: Vec<String>,
    /// What had to be assumed because the outputs do not say.
    pub assumed: Vec<String>,
    /// Problems the import could go on with (naming file and JSON path).
    pub warnings: Vec<String>,
}

impl MappingReport {
    /// The report as text, one section per list.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (title, lines) in [
            ("files", &self.files),
            ("mapped", &self.mapped),
            ("ignored", &self.ignored),
            ("assumed", &self.assumed),
            ("warnings", &self.warnings),
        ] {
            if lines.is_empty() {
                continue;
            }
            out.push_str(title);
            out.push_str(":\n");
            for l in lines {
                out.push_str("  ");
                out.push_str(l);
                out.push('\n');
            }
        }
        out
    }
}

/// A load trace to write beside the scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadTrace {
    /// The service it belongs to.
    pub service: String,
    /// File name, relative to the scenario file (as the scenario's `load.trace.path` says).
    pub file_name: String,
    /// The CSV text (`time_s,requests_per_second`).
    pub csv: String,
}

/// The result of an import.
#[derive(Clone, Debug)]
pub struct Imported {
    /// The scenario document, in the scenario file's format.
    pub scenario: serde_json::Value,
    /// Load traces the scenario refers to.
    pub traces: Vec<LoadTrace>,
    /// What became what.
    pub report: MappingReport,
}

/// Choices the caller makes.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// Load traces are named `<trace_prefix><serviceName>.load.csv`, relative to the scenario.
    pub trace_prefix: String,
}

/// Everything read from the folder, merged per command, each item with the file it came from.
#[derive(Debug, Default)]
pub struct Inputs {
    /// `describe-clusters`.
    pub clusters: Vec<Sourced<aws::Cluster>>,
    /// `describe-services`.
    pub services: Vec<Sourced<aws::Service>>,
    /// `describe-task-definition`.
    pub task_definitions: Vec<Sourced<aws::TaskDefinition>>,
    /// `describe-capacity-providers`.
    pub capacity_providers: Vec<Sourced<aws::CapacityProvider>>,
    /// `describe-auto-scaling-groups`.
    pub auto_scaling_groups: Vec<Sourced<aws::AutoScalingGroup>>,
    /// `describe-launch-template-versions`.
    pub launch_template_versions: Vec<Sourced<aws::LaunchTemplateVersion>>,
    /// `describe-scalable-targets`.
    pub scalable_targets: Vec<Sourced<aws::ScalableTarget>>,
    /// `describe-scaling-policies`.
    pub scaling_policies: Vec<Sourced<aws::ScalingPolicy>>,
    /// `describe-scheduled-actions`.
    pub scheduled_actions: Vec<Sourced<aws::ScheduledAction>>,
    /// `cloudwatch describe-alarms`.
    pub alarms: Vec<Sourced<aws::MetricAlarm>>,
    /// `get-metric-data`.
    pub metric_data: Vec<Sourced<aws::MetricDataResult>>,
}

/// An item and where it came from: the file and its JSON path there.
#[derive(Debug)]
pub struct Sourced<T> {
    /// The file.
    pub file: String,
    /// JSON path of the item, e.g. `services[2]`.
    pub path: String,
    /// The item.
    pub item: T,
}

/// The commands `import` recognises: (top-level key, command, how to produce it).
const KINDS: &[(&str, &str)] = &[
    ("clusters", "ecs describe-clusters"),
    ("services", "ecs describe-services"),
    ("taskDefinition", "ecs describe-task-definition"),
    ("capacityProviders", "ecs describe-capacity-providers"),
    (
        "AutoScalingGroups",
        "autoscaling describe-auto-scaling-groups",
    ),
    (
        "LaunchTemplateVersions",
        "ec2 describe-launch-template-versions",
    ),
    (
        "ScalableTargets",
        "application-autoscaling describe-scalable-targets",
    ),
    (
        "ScalingPolicies",
        "application-autoscaling describe-scaling-policies",
    ),
    (
        "ScheduledActions",
        "application-autoscaling describe-scheduled-actions",
    ),
    ("MetricAlarms", "cloudwatch describe-alarms"),
    ("MetricDataResults", "cloudwatch get-metric-data"),
];

/// Keys that name or define an object come first, in this order, then the scenario's sections
/// in the README tour's order; any other key follows alphabetically. serde_json's map sorts
/// keys, which puts `autoScaling` before `serviceName`; a person editing the file reads it
/// top-down, so the printer orders them.
const KEY_ORDER: &[&str] = &[
    "name",
    "description",
    "seed",
    "duration",
    "clusterName",
    "autoScalingGroupName",
    "serviceName",
    "family",
    "policyName",
    "policyType",
    "scheduledActionName",
    "schedule",
    "capacityProvider",
    "type",
    "taskDefinition",
    "desiredCount",
    "cluster",
    "autoScalingGroups",
    "capacityProviders",
    "taskDefinitions",
    "services",
    "settings",
];

/// The scenario as a person reads it: two-space indentation, naming keys first (see
/// `KEY_ORDER`), short lists of numbers or strings on one line. Deterministic: the same
/// value always prints the same bytes.
pub fn to_pretty_json(v: &serde_json::Value) -> String {
    let mut out = String::new();
    pretty(v, 0, &mut out);
    out.push('\n');
    out
}

fn pretty(v: &serde_json::Value, depth: usize, out: &mut String) {
    use serde_json::Value;
    let pad = |d: usize| "  ".repeat(d);
    match v {
        Value::Object(m) if !m.is_empty() => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort_by_key(|k| {
                let rank = KEY_ORDER
                    .iter()
                    .position(|x| x == k)
                    .unwrap_or(KEY_ORDER.len());
                (rank, k.as_str())
            });
            out.push_str("{\n");
            for (i, k) in keys.iter().enumerate() {
                out.push_str(&pad(depth + 1));
                out.push_str(&Value::String(k.to_string()).to_string());
                out.push_str(": ");
                pretty(&m[k.as_str()], depth + 1, out);
                out.push_str(if i + 1 < keys.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(depth));
            out.push('}');
        }
        Value::Array(a) if a.iter().any(|x| x.is_object() || x.is_array()) => {
            out.push_str("[\n");
            for (i, x) in a.iter().enumerate() {
                out.push_str(&pad(depth + 1));
                pretty(x, depth + 1, out);
                out.push_str(if i + 1 < a.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(depth));
            out.push(']');
        }
        // Scalars, empty containers and flat lists (`["m6i.large", "m5.large"]`) on one line.
        Value::Array(a) => {
            let items: Vec<String> = a.iter().map(Value::to_string).collect();
            out.push('[');
            out.push_str(&items.join(", "));
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// Reads every `*.json` file of `dir`, in name order (so the result does not depend on the
/// file system's listing order). Other files are listed in the second value, to be reported
/// as ignored.
pub fn read_dir(dir: &Path) -> Result<(Vec<SourceFile>, Vec<String>), ImportError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ImportError::Io { path, source }
    };
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        paths.push(entry.path());
    }
    paths.sort();
    let (mut files, mut skipped) = (Vec::new(), Vec::new());
    for path in paths {
        let name = path.display().to_string();
        if path.is_dir() || path.extension().and_then(|e| e.to_str()) != Some("json") {
            skipped.push(name);
            continue;
        }
        let text = std::fs::read_to_string(&path).map_err(io(&path))?;
        files.push(SourceFile { name, text });
    }
    Ok((files, skipped))
}

/// Builds a scenario from the AWS CLI outputs in `files`. Every mistake is collected and
/// returned at once; problems the import can go on with are warnings in the report.
pub fn import(files: &[SourceFile], options: &ImportOptions) -> Result<Imported, ImportError> {
    let mut report = MappingReport::default();
    let mut problems = Vec::new();
    let inputs = recognise(files, &mut report, &mut problems);
    if !problems.is_empty() {
        return Err(ImportError::Invalid { problems });
    }
    let imported = map::map(&inputs, options, report, &mut problems);
    if problems.is_empty() {
        Ok(imported)
    } else {
        Err(ImportError::Invalid { problems })
    }
}

/// Sorts each file into [`Inputs`] by its top-level keys.
fn recognise(
    files: &[SourceFile],
    report: &mut MappingReport,
    problems: &mut Vec<ImportProblem>,
) -> Inputs {
    let mut inputs = Inputs::default();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    // Files are taken in name order, whatever order the caller gives them in, so that the
    // scenario's lists (services, task definitions) do not depend on a directory listing.
    let mut sorted: Vec<&SourceFile> = files.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    for f in sorted {
        let problem = |path: &str, message: String| ImportProblem {
            file: f.name.clone(),
            path: path.to_string(),
            message,
        };
        let value: serde_json::Value = // A file saved by a Windows tool starts with a byte order mark, which carries no
        // data and which serde_json rejects.
        match serde_json::from_str(crate::scenario::strip_bom(&f.text)) {
            Ok(v) => v,
            Err(e) => {
                problems.push(problem(
                    ".",
                    format!("not valid JSON ({e}): save the AWS CLI output with `--output json`"),
                ));
                continue;
            }
        };
        // The query file given to get-metric-data (`--metric-data-queries file://…`) is a JSON
        // array of queries; its labels are in the results too, so it is read for nothing.
        if let serde_json::Value::Array(items) = &value {
            if items.iter().all(|q| q.get("Id").is_some()) && !items.is_empty() {
                report.ignored.push(format!(
                    "{}: a get-metric-data query list; the results carry the same labels",
                    f.name
                ));
                continue;
            }
        }
        let Some(obj) = value.as_object() else {
            problems.push(problem(
                ".",
                "expected a JSON object as the AWS CLI prints it".into(),
            ));
            continue;
        };
        let Some((key, command)) = KINDS.iter().find(|(k, _)| obj.contains_key(*k)) else {
            let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
            let known: Vec<&str> = KINDS.iter().map(|(_, c)| *c).collect();
            problems.push(problem(
                ".",
                format!(
                    "not a recognised AWS CLI output (top-level keys: {}); expected the output of one of: {}",
                    keys.join(", "),
                    known.join(", ")
                ),
            ));
            continue;
        };
        *counts.entry(command).or_default() += 1;
        report.files.push(format!("{}: {command}", f.name));
        let file = f.name.as_str();
        match *key {
            "clusters" => {
                if let Some(r) = parse::<aws::DescribeClusters>(file, value, problems) {
                    failures(file, &r.failures, report);
                    push(&mut inputs.clusters, file, "clusters", r.clusters);
                }
            }
            "services" => {
                if let Some(r) = parse::<aws::DescribeServices>(file, value, problems) {
                    failures(file, &r.failures, report);
                    push(&mut inputs.services, file, "services", r.services);
                }
            }
            "taskDefinition" => {
                if let Some(r) = parse::<aws::DescribeTaskDefinition>(file, value, problems) {
                    inputs.task_definitions.push(Sourced {
                        file: file.to_string(),
                        path: "taskDefinition".into(),
                        item: r.task_definition,
                    });
                }
            }
            "capacityProviders" => {
                if let Some(r) = parse::<aws::DescribeCapacityProviders>(file, value, problems) {
                    push(
                        &mut inputs.capacity_providers,
                        file,
                        "capacityProviders",
                        r.capacity_providers,
                    );
                }
            }
            "AutoScalingGroups" => {
                if let Some(r) = parse::<aws::DescribeAutoScalingGroups>(file, value, problems) {
                    push(
                        &mut inputs.auto_scaling_groups,
                        file,
                        "AutoScalingGroups",
                        r.auto_scaling_groups,
                    );
                }
            }
            "LaunchTemplateVersions" => {
                if let Some(r) = parse::<aws::DescribeLaunchTemplateVersions>(file, value, problems)
                {
                    push(
                        &mut inputs.launch_template_versions,
                        file,
                        "LaunchTemplateVersions",
                        r.launch_template_versions,
                    );
                }
            }
            "ScalableTargets" => {
                if let Some(r) = parse::<aws::DescribeScalableTargets>(file, value, problems) {
                    push(
                        &mut inputs.scalable_targets,
                        file,
                        "ScalableTargets",
                        r.scalable_targets,
                    );
                }
            }
            "ScalingPolicies" => {
                if let Some(r) = parse::<aws::DescribeScalingPolicies>(file, value, problems) {
                    push(
                        &mut inputs.scaling_policies,
                        file,
                        "ScalingPolicies",
                        r.scaling_policies,
                    );
                }
            }
            "ScheduledActions" => {
                if let Some(r) = parse::<aws::DescribeScheduledActions>(file, value, problems) {
                    push(
                        &mut inputs.scheduled_actions,
                        file,
                        "ScheduledActions",
                        r.scheduled_actions,
                    );
                }
            }
            "MetricAlarms" => {
                if let Some(r) = parse::<aws::DescribeAlarms>(file, value, problems) {
                    push(&mut inputs.alarms, file, "MetricAlarms", r.metric_alarms);
                }
            }
            _ => {
                if let Some(r) = parse::<aws::GetMetricData>(file, value, problems) {
                    push(
                        &mut inputs.metric_data,
                        file,
                        "MetricDataResults",
                        r.metric_data_results,
                    );
                }
            }
        }
    }
    for (command, n) in counts {
        if n > 1 {
            report.files.push(format!(
                "{n} outputs of {command} merged (paged results or several calls)"
            ));
        }
    }
    inputs
}

fn push<T>(into: &mut Vec<Sourced<T>>, file: &str, key: &str, items: Vec<T>) {
    into.extend(items.into_iter().enumerate().map(|(i, item)| Sourced {
        file: file.to_string(),
        path: format!("{key}[{i}]"),
        item,
    }));
}

fn failures(file: &str, failures: &[aws::Failure], report: &mut MappingReport) {
    for (i, f) in failures.iter().enumerate() {
        report.warnings.push(format!(
            "{file}: failures[{i}]: AWS could not describe {} ({})",
            f.arn.as_deref().unwrap_or("a resource"),
            f.reason.as_deref().unwrap_or("no reason given")
        ));
    }
}

/// Parses a response with its JSON path in the error.
fn parse<T: DeserializeOwned>(
    file: &str,
    value: serde_json::Value,
    problems: &mut Vec<ImportProblem>,
) -> Option<T> {
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(r) => Some(r),
        Err(e) => {
            let path = e.path().to_string();
            problems.push(ImportProblem {
                file: file.to_string(),
                path,
                message: format!(
                    "{} (is this the unedited AWS CLI JSON output?)",
                    e.into_inner()
                ),
            });
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_printer_puts_names_first_and_reads_back_equal() {
        let v = serde_json::json!({
            "services": [{ "load": { "x": 1 }, "serviceName": "web", "autoScaling": {} }],
            "name": "shop",
            "cluster": { "availabilityZones": ["a", "b"], "clusterName": "c" },
            "description": "quotes \",\" stay"
        });
        let text = to_pretty_json(&v);
        assert_eq!(
            text,
            r#"{
  "name": "shop",
  "description": "quotes \",\" stay",
  "cluster": {
    "clusterName": "c",
    "availabilityZones": ["a", "b"]
  },
  "services": [
    {
      "serviceName": "web",
      "autoScaling": {},
      "load": {
        "x": 1
      }
    }
  ]
}
"#
        );
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, v);
    }
}
