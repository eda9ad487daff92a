//! Stage two: [`file::ScenarioFile`] → [`Scenario`], collecting every problem with its path.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::file::*;
use super::*;
use crate::cloud::fargate::FargateOs;
use crate::cloud::{fargate, Catalog};
use crate::defaults;
use crate::engine::{SimDuration, SimTime};
use crate::ids::{AsgId, AzId, CapacityProviderId, InstanceTypeId, TaskDefId};
use crate::scheduler::placement::{
    expression, Attribute, BinpackField, PlacementConstraint, PlacementStrategy, SpreadField,
};
use crate::units::{CpuUnits, MemoryMib, OsFamily, CPU_UNITS_PER_VCPU};
use crate::workload::{
    AlibabaGpuOptions, BeforeOrigin, DurationDistribution, GeneratedSource, PodKind, PodPhase,
};

mod capacity;
mod deployment;
mod external;
mod faults;
mod scaling;
pub mod work;

/// Reserved provider names (\[DOC\] §2.2: available in every account).
pub const FARGATE: &str = "FARGATE";
/// Reserved provider name for Fargate Spot.
pub const FARGATE_SPOT: &str = "FARGATE_SPOT";

/// Most items in one capacity provider strategy. \[API\] current CreateService: 20 (§2.1).
const MAX_STRATEGY_ITEMS: usize = 20;
/// `base` range. \[DOC\] §2.1: 0–100 000.
const MAX_BASE: i64 = 100_000;
/// `weight` range. \[DOC\] §2.1: 0–1000.
const MAX_WEIGHT: i64 = 1000;
/// Placement strategy rules per service: \[DOC\] §4.2, 4 (2023 guide).
const MAX_PLACEMENT_STRATEGIES: usize = crate::scheduler::placement::MAX_STRATEGY_RULES;
/// Constraints per task. \[DOC\] §4.2: 10 (task definition and run time combined).
const MAX_PLACEMENT_CONSTRAINTS: usize = 10;
/// `desiredCount` cap we accept (a limit on everything).
const MAX_DESIRED_COUNT: i64 = 1_000_000;
/// Most GPUs one task may ask for. \[DERIVED\] a limit, not AWS's: 16 is the most GPUs of
/// any EC2 type (p2.16xlarge, g4ad… have fewer; the catalog's most is 8), so a larger count
/// is a typo.
const MAX_TASK_GPUS: u32 = 16;

/// Reads, parses and validates the scenario at `path`.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let (text, base_dir) = read_file(path)?;
    from_json_str(&text, path, &base_dir)
}

/// The text of the scenario file at `path`, and the folder its relative paths start from.
pub(crate) fn read_file(path: &Path) -> Result<(String, PathBuf), ScenarioError> {
    let text = std::fs::read_to_string(path).map_err(|error| ScenarioError::Io {
        file: path.to_path_buf(),
        error,
    })?;
    let base_dir = path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    Ok((text, base_dir))
}

/// `text` without a leading UTF-8 byte order mark. Notepad and Excel save JSON and CSV with
/// one; it carries no data, and serde_json (like RFC 8259 parsers generally) rejects it.
pub(crate) fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{FEFF}').unwrap_or(text)
}

/// The largest Poisson `ratePerHour` accepted. Not an AWS figure: a sanity bound so that
/// expected counts stay finite in the work estimate; any rate near it is far over
/// `settings.maxWork` for a run of a minute, so the estimate, not this bound, is the real
/// limit.
const MAX_POISSON_RATE_PER_HOUR: f64 = 1e9;

/// Parses and validates scenario text; `file` names it in errors, `base_dir` anchors paths.
pub fn from_json_str(text: &str, file: &Path, base_dir: &Path) -> Result<Scenario, ScenarioError> {
    let text = strip_bom(text);
    not_an_object(text, file)?;
    let raw: ScenarioFile = {
        let de = &mut serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(de).map_err(|e| syntax_error(file, e))?
    };
    validate_file(raw, base_dir).map_err(|problems| ScenarioError::Invalid {
        file: file.to_path_buf(),
        problems,
    })
}

/// serde would read a top-level list as the scenario's fields in order ("expected a string"
/// about element 0); a scenario is an object, so say that instead.
pub(crate) fn not_an_object(text: &str, file: &Path) -> Result<(), ScenarioError> {
    let start = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    match start.chars().next() {
        Some('{') | None => Ok(()),
        Some(_) => {
            let skipped = &text[..text.len() - start.len()];
            let line = skipped.matches('\n').count() + 1;
            let column = skipped.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            Err(ScenarioError::Syntax {
                file: file.to_path_buf(),
                line,
                column,
                message: "expected a JSON object ({ \"name\": ..., \"duration\": ..., ... }) at the top of the scenario".to_string(),
            })
        }
    }
}

/// A shape error of the file's text, at its line and column, in the scenario's words.
pub(crate) fn syntax_error(
    file: &Path,
    e: serde_path_to_error::Error<serde_json::Error>,
) -> ScenarioError {
    let (line, column) = (e.inner().line(), e.inner().column());
    ScenarioError::Syntax {
        file: file.to_path_buf(),
        line,
        column,
        message: super::file::path_message(e),
    }
}

/// Parses and validates a scenario held as a JSON value (a patched variant, see
/// [`super::variants`]); `base_dir` anchors paths. A value has no lines, so a shape error
/// is a [`Problem`] at its serde path rather than a [`ScenarioError::Syntax`].
pub(crate) fn from_value(
    value: serde_json::Value,
    base_dir: &Path,
) -> Result<Scenario, Vec<Problem>> {
    let raw: ScenarioFile = serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        vec![Problem {
            path: if path == "." { String::new() } else { path },
            message: super::words::plain(&e.into_inner().to_string()),
        }]
    })?;
    validate_file(raw, base_dir)
}

/// The Region whose Savings Plans and Reserved Instances the scenario's commitments must be:
/// the scenario's `region` (default [`crate::defaults::DEFAULT_REGION`]); every reader of the
/// commitments' Region goes through here.
pub fn savings_plan_region(scenario: &ScenarioFile) -> &str {
    scenario
        .region
        .as_deref()
        .unwrap_or(crate::defaults::DEFAULT_REGION)
}

/// Stage two on a parsed file: every problem, or the scenario.
fn validate_file(raw: ScenarioFile, base_dir: &Path) -> Result<Scenario, Vec<Problem>> {
    let mut v = Validator {
        problems: Vec::new(),
        base_dir: base_dir.to_path_buf(),
        scaling_defaults: None,
        broken: Broken::default(),
        aws_ignored: Vec::new(),
        warnings: Vec::new(),
        fargate_large_sizes: fargate::DEFAULT_FARGATE_LARGE_SIZES,
        azs_len: 0,
    };
    let scenario = v.scenario(raw);
    match scenario {
        Some(s) if v.problems.is_empty() => {
            // Only a scenario valid otherwise is estimated: its counts mean what they say.
            match work::check(&s, None) {
                Some(p) => Err(vec![p]),
                None => Ok(s),
            }
        }
        _ => Err(v.problems),
    }
}

struct Validator {
    problems: Vec<Problem>,
    base_dir: PathBuf,
    /// Target tracking alarm knobs from `settings`, applied to every policy.
    scaling_defaults: Option<scaling::ScalingDefaults>,
    /// What failed to validate, so problems that follow from it are not reported too.
    broken: Broken,
    /// One line per pasted AWS object naming the fields set aside (`Scenario::aws_ignored`).
    aws_ignored: Vec<String>,
    /// Mistakes the run can go past (`Scenario::warnings`), each `path: message`.
    warnings: Vec<String>,
    /// `settings.fargateLargeSizes`, read before the task definitions are checked.
    fargate_large_sizes: bool,
    /// How many cluster zones validated: a Managed Instances provider launches into all.
    azs_len: usize,
}

/// The `operatingSystemFamily` values of Windows Server that Fargate runs (EC2 takes every
/// Windows value of `units::OsFamily`, on instances of that release).
/// Source: AWS Batch API Reference, RuntimePlatform ("Valid values are: LINUX (default),
/// WINDOWS_SERVER_2019_CORE, WINDOWS_SERVER_2019_FULL, WINDOWS_SERVER_2022_CORE, and
/// WINDOWS_SERVER_2022_FULL"), <https://docs.aws.amazon.com/batch/latest/APIReference/API_RuntimePlatform.html>,
/// the Fargate subset of ECS's OperatingSystemFamily.
const WINDOWS_FAMILIES: [&str; 4] = [
    "WINDOWS_SERVER_2019_FULL",
    "WINDOWS_SERVER_2019_CORE",
    "WINDOWS_SERVER_2022_FULL",
    "WINDOWS_SERVER_2022_CORE",
];

/// Stands in [`Broken`]'s name sets for an element rejected before its name could be read
/// (a typo in the name's own key): an unresolved reference may mean it, so it is not
/// reported either.
const UNNAMED: &str = "\u{0}unnamed";

/// Objects that have a problem of their own. A reference to one of them is not a second
/// mistake: "no task definition with family api" after "cpu 300 is not a Fargate size" would
/// send the user looking for a typo that is not there (issue 10, point 5). Checks that
/// depend on a broken object are skipped; its own problem is the one reported.
#[derive(Debug, Default)]
struct Broken {
    /// `cluster` did not parse, or has no usable zones: zone names, associations and the
    /// default strategy are unknown.
    cluster: bool,
    /// Some `cluster.capacityProviders` entry is wrong, so which providers are associated
    /// is unknown.
    associations: bool,
    /// `cluster.defaultCapacityProviderStrategy` has a problem.
    default_strategy: bool,
    /// Names referred to but defined nowhere, by kind (`"provider"`, `"zone"`, …): reported
    /// at the first reference only, as one misspelt definition would otherwise be reported
    /// at every place that uses the right name.
    missing: BTreeSet<(&'static str, String)>,
    /// Names defined by elements that have problems, by kind.
    asgs: BTreeSet<String>,
    providers: BTreeSet<String>,
    task_defs: BTreeSet<String>,
    services: BTreeSet<String>,
    workloads: BTreeSet<String>,
}

impl Broken {
    /// The name of an element rejected by serde, or [`UNNAMED`].
    fn rejected<T>(item: &Lenient<T>, key: &str) -> String {
        item.rejected_name(key).unwrap_or(UNNAMED).to_string()
    }

    /// True the first time `name` of `kind` is found missing (report it then only).
    fn first_missing(&mut self, kind: &'static str, name: &str) -> bool {
        self.missing.insert((kind, name.to_string()))
    }

    /// True if a reference to `name` may mean an element with problems of its own.
    fn has(set: &BTreeSet<String>, name: &str) -> bool {
        set.contains(name) || set.contains(UNNAMED)
    }
}

/// Names resolved so far, for cross-references.
struct Names {
    azs: Vec<String>,
    providers: Vec<CapacityProvider>,
    associated: Vec<CapacityProviderId>,
    task_defs: Vec<TaskDefinition>,
    catalog: Catalog,
    /// The Auto Scaling groups that validated.
    asgs: Vec<AutoScalingGroupSpec>,
    /// True when every Auto Scaling group validated, so `asgs` is all the cluster has.
    asgs_complete: bool,
    /// Registered-memory arithmetic and `awsvpcTrunking`, when the settings they come from
    /// are valid.
    memory_overhead: Option<(crate::cloud::MemoryOverhead, bool)>,
    /// The `externalInstances` groups that validated (ECS Anywhere).
    external_groups: external::Groups,
}

impl Validator {
    fn problem(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem {
            path: path.into(),
            message: message.into(),
        });
    }

    fn lenient<'a, T>(&mut self, path: &str, item: &'a Lenient<T>) -> Option<&'a T> {
        match &item.0 {
            Ok(t) => Some(t),
            Err(e) => {
                // serde's path inside the element starts at the element itself; a value read
                // by hand inside it (a distribution) may prefix a path of its own.
                let mut sub = path.to_string();
                let mut msg = e.message.as_str();
                while let Some((p, m)) = msg.split_once(": ") {
                    if p.is_empty()
                        || !p
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || "[]._".contains(c))
                    {
                        break;
                    }
                    if p.starts_with('[') {
                        sub.push_str(p);
                    } else {
                        sub = format!("{sub}.{p}");
                    }
                    msg = m;
                }
                self.problem(sub, msg);
                None
            }
        }
    }

    fn scenario(&mut self, raw: ScenarioFile) -> Option<Scenario> {
        if raw.name.trim().is_empty() {
            self.problem("name", "expected a non-empty scenario name");
        } else if raw.name.contains(['/', '\\']) || raw.name.starts_with('.') {
            self.problem(
                "name",
                format!("{:?} is used as a folder name under results/; expected no '/', '\\' or leading '.'", raw.name),
            );
        }
        let duration = raw.duration.0;
        if duration.0 == 0 {
            self.problem("duration", "expected a positive duration");
        } else if duration > defaults::MAX_DURATION {
            self.problem(
                "duration",
                // In days, the unit of the limit (the clock's own Display is seconds).
                format!(
                    "{} days is over the limit of 366 days",
                    duration.0 as f64 / 86_400_000.0
                ),
            );
        }

        let catalog = self.catalog(&raw);
        let before_settings = self.problems.len();
        let settings = self.settings(raw.settings.as_ref());
        self.fargate_large_sizes = settings
            .as_ref()
            .map_or(fargate::DEFAULT_FARGATE_LARGE_SIZES, |s| {
                s.fargate_large_sizes
            });
        // The capacity check needs registered sizes; with broken settings it stays silent.
        let memory_overhead = settings
            .as_ref()
            .filter(|_| self.problems.len() == before_settings)
            .map(|s| (s.memory_overhead, s.awsvpc_trunking));

        // Cluster AZs first: everything else refers to them.
        let cluster_raw = self.lenient("cluster", &raw.cluster);
        self.broken.cluster = cluster_raw.map_or(true, |c| c.availability_zones.is_empty());
        let mut azs: Vec<String> = Vec::new();
        if let Some(c) = cluster_raw {
            if c.cluster_name.trim().is_empty() {
                self.problem("cluster.clusterName", "expected a non-empty name");
            }
            if c.availability_zones.is_empty() {
                self.problem(
                    "cluster.availabilityZones",
                    "expected at least one Availability Zone name, e.g. [\"us-east-1a\"]",
                );
            }
            if c.availability_zones.len() > 255 {
                self.problem("cluster.availabilityZones", "expected at most 255 zones");
            }
            for (i, az) in c.availability_zones.iter().enumerate() {
                if az.trim().is_empty() {
                    self.problem(
                        format!("cluster.availabilityZones[{i}]"),
                        "expected a zone name",
                    );
                } else if azs.contains(az) {
                    self.problem(
                        format!("cluster.availabilityZones[{i}]"),
                        format!("{az:?} is listed twice"),
                    );
                } else {
                    azs.push(az.clone());
                }
            }
        }
        // Zones listed but none usable (all blank): as unknown as no list at all.
        self.broken.cluster |= azs.is_empty();
        self.azs_len = azs.len();

        // ASGs (before providers, which refer to them).
        let mut asgs: Vec<AutoScalingGroupSpec> = Vec::new();
        let mut asgs_complete = true;
        for (i, item) in raw.auto_scaling_groups.iter().enumerate() {
            let path = format!("autoScalingGroups[{i}]");
            let Some(a) = self.lenient(&path, item) else {
                asgs_complete = false;
                let name = Broken::rejected(item, "autoScalingGroupName");
                self.broken.asgs.insert(name);
                continue;
            };
            let spec = self.asg(&path, a, &azs, catalog.as_ref());
            asgs_complete &= spec.is_some();
            if spec.is_none() {
                self.broken.asgs.insert(a.auto_scaling_group_name.clone());
            }
            if let Some(spec) = spec {
                if asgs.iter().any(|x| x.name == spec.name) {
                    self.problem(
                        format!("{path}.autoScalingGroupName"),
                        format!("{:?} is defined twice", spec.name),
                    );
                }
                asgs.push(spec);
            }
        }

        let asg_names: Vec<String> = asgs.iter().map(|a| a.name.clone()).collect();
        let external_groups = external::groups(
            self,
            &raw.external_instances,
            memory_overhead.map(|m| m.0.ecs_reserved_mib),
            &asg_names,
        );

        // Capacity providers: the ASG-backed ones in file order, then FARGATE and FARGATE_SPOT.
        let mut providers: Vec<CapacityProvider> = Vec::new();
        for (i, item) in raw.capacity_providers.iter().enumerate() {
            let path = format!("capacityProviders[{i}]");
            let Some(p) = self.lenient(&path, item) else {
                let name = Broken::rejected(item, "name");
                self.broken.providers.insert(name);
                continue;
            };
            self.note_ignored(&path, &p.name, (&p.aws_ignored, &p.aws_not_modelled), &[]);
            let knobs = raw
                .settings
                .as_ref()
                .and_then(|l| l.0.as_ref().ok())
                .and_then(|s| s.managed_scaling.as_ref());
            let (count, problems) = (providers.len(), self.problems.len());
            self.provider(&path, p, &mut providers, &mut asgs, knobs, catalog.as_ref());
            if providers.len() == count || self.problems.len() > problems {
                self.broken.providers.insert(p.name.trim().to_string());
            }
        }
        for (name, kind) in [
            (FARGATE, CapacityProviderKind::Fargate),
            (FARGATE_SPOT, CapacityProviderKind::FargateSpot),
        ] {
            providers.push(CapacityProvider {
                name: name.to_string(),
                kind,
                managed_termination_protection: false,
                managed_draining: false,
                managed_scaling: None,
                managed_instances: None,
            });
        }

        // Cluster associations and default strategy.
        let mut associated = Vec::new();
        let mut default_strategy = Vec::new();
        if let Some(c) = cluster_raw {
            for (i, name) in c.capacity_providers.iter().enumerate() {
                match providers.iter().position(|p| &p.name == name) {
                    Some(idx) => {
                        let id = CapacityProviderId::from_index(idx);
                        if associated.contains(&id) {
                            self.problem(
                                format!("cluster.capacityProviders[{i}]"),
                                format!("{name:?} is listed twice"),
                            );
                        } else {
                            associated.push(id);
                        }
                    }
                    // A provider with problems of its own is associated as far as the
                    // user meant; what refers to it waits for that fix.
                    None if Broken::has(&self.broken.providers, name) => {}
                    None => {
                        self.broken.associations = true;
                        if !self.broken.first_missing("provider", name) {
                            continue;
                        }
                        self.problem(
                            format!("cluster.capacityProviders[{i}]"),
                            format!(
                                "no capacity provider named {name:?}; expected one of {}",
                                list(providers.iter().map(|p| p.name.as_str()))
                            ),
                        );
                    }
                }
            }
            let before = self.problems.len();
            let resolved = self.strategy(
                "cluster.defaultCapacityProviderStrategy",
                &c.default_capacity_provider_strategy,
                &providers,
                &associated,
            );
            self.broken.default_strategy = resolved.is_none() || self.problems.len() > before;
            default_strategy = resolved.unwrap_or_default();
        }

        // Task definitions.
        let mut task_defs: Vec<TaskDefinition> = Vec::new();
        for (i, item) in raw.task_definitions.iter().enumerate() {
            let path = format!("taskDefinitions[{i}]");
            let Some(t) = self.lenient(&path, item) else {
                let name = Broken::rejected(item, "family");
                self.broken.task_defs.insert(name);
                continue;
            };
            let mut extra = inference_accelerator_notes(t.container_definitions.as_deref());
            let on_fargate = t
                .requires_compatibilities
                .as_ref()
                .is_some_and(|l| l.iter().any(|c| c == "FARGATE"));
            if t.ephemeral_storage.is_some() && !on_fargate {
                // Amazon ECS API Reference, EphemeralStorage: "for tasks hosted on AWS
                // Fargate"; an EC2 task uses its instance's storage, which ecsim does not model.
                extra.push("ephemeralStorage (it sizes Fargate task storage; this task definition runs on EC2, where tasks use the instance's storage)".to_string());
            }
            self.note_ignored(
                &path,
                &t.family,
                (&t.aws_ignored, &t.aws_not_modelled),
                &extra,
            );
            let td = self.task_definition(&path, t);
            if td.is_none() {
                self.broken.task_defs.insert(t.family.clone());
            }
            if let Some(td) = td {
                if task_defs.iter().any(|x| x.family == td.family) {
                    self.problem(
                        format!("{path}.family"),
                        format!("{:?} is defined twice", td.family),
                    );
                }
                task_defs.push(td);
            }
        }
        if task_defs.len() > usize::from(u16::MAX) {
            self.problem("taskDefinitions", "expected at most 65535 task definitions");
        }

        let catalog = catalog?;
        let names = Names {
            azs,
            providers,
            associated,
            task_defs,
            catalog,
            asgs,
            asgs_complete,
            memory_overhead,
            external_groups,
        };

        let mut services = Vec::new();
        for (i, item) in raw.services.iter().enumerate() {
            let path = format!("services[{i}]");
            let Some(s) = self.lenient(&path, item) else {
                let name = Broken::rejected(item, "serviceName");
                self.broken.services.insert(name);
                continue;
            };
            self.note_ignored(
                &path,
                &s.service_name,
                (&s.aws_ignored, &s.aws_not_modelled),
                &[],
            );
            let spec = self.service(&path, s, &names, &default_strategy);
            if spec.is_none() {
                self.broken.services.insert(s.service_name.clone());
            }
            if let Some(spec) = spec {
                if services.iter().any(|x: &ServiceSpec| x.name == spec.name) {
                    self.problem(
                        format!("{path}.serviceName"),
                        format!("{:?} is defined twice", spec.name),
                    );
                }
                services.push(spec);
            }
        }
        let mut workloads = Vec::new();
        for (i, item) in raw.workloads.iter().enumerate() {
            let path = format!("workloads[{i}]");
            let Some(w) = self.lenient(&path, item) else {
                let name = Broken::rejected(item, "name");
                self.broken.workloads.insert(name);
                continue;
            };
            let spec = self.workload(&path, w, &names, &default_strategy, duration);
            if spec.is_none() {
                self.broken.workloads.insert(w.name.clone());
            }
            if let Some(spec) = spec {
                if workloads.iter().any(|x: &WorkloadSpec| x.name == spec.name) {
                    self.problem(
                        format!("{path}.name"),
                        format!("{:?} is defined twice", spec.name),
                    );
                }
                workloads.push(spec);
            }
        }
        if services.len() > usize::from(u16::MAX) || workloads.len() > usize::from(u16::MAX) {
            self.problem(
                "services",
                "expected at most 65535 services and 65535 workloads",
            );
        }
        if services.is_empty() && workloads.is_empty() && self.problems.is_empty() {
            self.problem(
                "services",
                "expected at least one service or workload: nothing would run",
            );
        }

        let faults = self.faults(raw.faults.as_ref(), &names, &services, &workloads, duration);
        let sp_region = savings_plan_region(&raw).to_string();
        let commitments =
            self.commitments(&raw.commitments, &names.catalog, &names.asgs, &sp_region);
        let cluster = Cluster {
            name: cluster_raw
                .map(|c| c.cluster_name.clone())
                .unwrap_or_default(),
            availability_zones: names.azs,
            capacity_providers: names.associated,
            default_strategy,
        };
        let settings = settings?;
        if settings.measure_from >= duration && duration.0 > 0 {
            self.problem(
                "settings.measureFrom",
                format!(
                    "expected less than the duration ({duration}): the measurement window runs from measureFrom to the end, found {}",
                    settings.measure_from
                ),
            );
        }
        cluster_raw?;
        // External groups join the catalog and the groups last: every name above resolved
        // against the EC2 catalog and the Auto Scaling groups alone.
        let mut catalog = names.catalog;
        let mut auto_scaling_groups = names.asgs;
        auto_scaling_groups.extend(external::finish(&mut catalog, names.external_groups));
        Some(Scenario {
            aws_ignored: std::mem::take(&mut self.aws_ignored),
            warnings: std::mem::take(&mut self.warnings),
            name: raw.name,
            description: raw.description.unwrap_or_default(),
            seed: raw.seed.unwrap_or(defaults::SEED),
            duration,
            base_dir: self.base_dir.clone(),
            catalog,
            cluster,
            capacity_providers: names.providers,
            auto_scaling_groups,
            task_definitions: names.task_defs,
            services,
            workloads,
            settings,
            faults,
            commitments,
        })
    }

    /// `commitments[]`: each element resolved, each mistake reported at its path.
    fn commitments(
        &mut self,
        raw: &[Lenient<crate::scenario::file::CommitmentFile>],
        catalog: &Catalog,
        asgs: &[AutoScalingGroupSpec],
        region: &str,
    ) -> Vec<crate::billing::commitments::Commitment> {
        use crate::billing::commitments::{self as cm, Commitment, CommitmentKind};
        let mut out = Vec::new();
        // The families the scenario can run On-Demand: commitments cover On-Demand usage
        // only, so a family seen only in Spot groups is as good as absent. A list of the
        // groups' types, read once per scenario, never on a per-event path.
        let on_demand_families: std::collections::BTreeSet<&str> = asgs
            .iter()
            .filter(|g| !g.spot)
            .flat_map(|g| g.instance_types.iter())
            .filter_map(|&t| cm::family_and_size(&catalog.get(t).name).map(|(f, _)| f))
            .collect();
        let spot_families: std::collections::BTreeSet<&str> = asgs
            .iter()
            .filter(|g| g.spot)
            .flat_map(|g| g.instance_types.iter())
            .filter_map(|&t| cm::family_and_size(&catalog.get(t).name).map(|(f, _)| f))
            .collect();

        // Commitments are applied hour by hour at each type's Linux On-Demand price
        // (`billing::commitments`); a Windows group's usage would be priced as Linux, so the
        // pair is refused rather than answered wrongly. Reported once, at the first commitment.
        if !raw.is_empty() {
            if let Some(g) = asgs.iter().find(|g| g.os.is_windows()) {
                self.problem(
                    "commitments[0]",
                    format!(
                        "commitments are applied to Linux usage only, and Auto Scaling group {:?} runs {}; leave commitments out or make the group LINUX",
                        g.name,
                        g.os.ecs_name()
                    ),
                );
            }
        }
        for (i, item) in raw.iter().enumerate() {
            let path = format!("commitments[{i}]");
            let Some(c) = self.lenient(&path, item) else {
                continue;
            };
            let before = self.problems.len();
            // A fraction of On-Demand: above 0, at most 1 (a "discount" above On-Demand is
            // a typo, and 0 would divide).
            let fraction = |v: &mut Self, field: &str, x: Option<f64>| -> f64 {
                match x {
                    Some(r) if r.is_finite() && r > 0.0 && r <= 1.0 => r,
                    Some(r) => {
                        v.problem(
                            format!("{path}.{field}"),
                            format!("expected the Savings Plans price as a fraction of On-Demand, above 0 and at most 1 (0.72 for 28 % off), found {r}"),
                        );
                        1.0
                    }
                    None => {
                        v.problem(
                            format!("{path}.{field}"),
                            "missing: ecsim ships no Savings Plans rates; give the Savings Plans price as a fraction of On-Demand (0.72 for 28 % off), from the AWS Savings Plans pricing page",
                        );
                        1.0
                    }
                }
            };
            let money = |v: &mut Self, field: &str, x: Option<f64>| -> f64 {
                match x {
                    Some(u) if u.is_finite() && u >= 0.0 => u,
                    Some(u) => {
                        v.problem(
                            format!("{path}.{field}"),
                            format!("expected USD per hour, 0 or more, found {u}"),
                        );
                        0.0
                    }
                    None => {
                        v.problem(format!("{path}.{field}"), "missing: expected USD per hour");
                        0.0
                    }
                }
            };
            let unused = |v: &mut Self, field: &str, present: bool| {
                if present {
                    v.problem(
                        format!("{path}.{field}"),
                        format!("not used by a {}: remove it", c.kind),
                    );
                }
            };
            // The region check: an EC2 Instance Savings Plan and a regional RI apply only in
            // the Region they were bought in, and a Compute Savings Plan's rates are its
            // Region's, so a commitment naming another Region than the scenario's is a
            // mistake, not something to apply quietly.
            if let Some(r) = &c.region {
                if r != region {
                    self.problem(
                        format!("{path}.region"),
                        format!("{r:?} is not the scenario's Region ({region:?}): a commitment applies to usage in the Region it was bought in; remove it or use {region:?}"),
                    );
                }
            }
            let (hourly, kind) = match c.kind.as_str() {
                "ComputeSavingsPlan" => {
                    unused(self, "rate", c.rate.is_some());
                    unused(self, "instanceFamily", c.instance_family.is_some());
                    unused(self, "instanceType", c.instance_type.is_some());
                    unused(self, "instanceCount", c.instance_count.is_some());
                    unused(self, "effectiveHourlyUsd", c.effective_hourly_usd.is_some());
                    let hourly = money(self, "hourlyCommitmentUsd", c.hourly_commitment_usd);
                    let ec2_rate = fraction(self, "ec2Rate", c.ec2_rate);
                    let fargate_rate = fraction(self, "fargateRate", c.fargate_rate);
                    (
                        hourly,
                        CommitmentKind::ComputeSavingsPlan {
                            ec2_rate,
                            fargate_rate,
                        },
                    )
                }
                "EC2InstanceSavingsPlan" => {
                    unused(self, "ec2Rate", c.ec2_rate.is_some());
                    unused(self, "fargateRate", c.fargate_rate.is_some());
                    unused(self, "instanceType", c.instance_type.is_some());
                    unused(self, "instanceCount", c.instance_count.is_some());
                    unused(self, "effectiveHourlyUsd", c.effective_hourly_usd.is_some());
                    let hourly = money(self, "hourlyCommitmentUsd", c.hourly_commitment_usd);
                    let rate = fraction(self, "rate", c.rate);
                    let family = c.instance_family.clone().unwrap_or_default();
                    let known = catalog
                        .instance_types
                        .iter()
                        .any(|t| cm::family_and_size(&t.name).is_some_and(|(f, _)| f == family));
                    if c.instance_family.is_none() {
                        self.problem(
                            format!("{path}.instanceFamily"),
                            "missing: expected the instance family the plan covers, e.g. \"m5\"",
                        );
                    } else if !known {
                        self.problem(
                            format!("{path}.instanceFamily"),
                            format!("{family:?} is no instance family of the catalog"),
                        );
                    } else {
                        self.never_runs(
                            &format!("{path}.instanceFamily"),
                            &family,
                            &on_demand_families,
                            &spot_families,
                        );
                    }
                    (
                        hourly,
                        CommitmentKind::Ec2InstanceSavingsPlan { family, rate },
                    )
                }
                "StandardReservedInstance" | "ConvertibleReservedInstance" => {
                    unused(
                        self,
                        "hourlyCommitmentUsd",
                        c.hourly_commitment_usd.is_some(),
                    );
                    unused(self, "ec2Rate", c.ec2_rate.is_some());
                    unused(self, "fargateRate", c.fargate_rate.is_some());
                    unused(self, "rate", c.rate.is_some());
                    unused(self, "instanceFamily", c.instance_family.is_some());
                    let each = money(self, "effectiveHourlyUsd", c.effective_hourly_usd);
                    let count = c.instance_count.unwrap_or(1);
                    if count == 0 {
                        self.problem(
                            format!("{path}.instanceCount"),
                            "expected 1 or more reserved instances, found 0",
                        );
                    }
                    let name = c.instance_type.clone().unwrap_or_default();
                    let parts = cm::family_and_size(&name)
                        .and_then(|(f, size)| cm::normalization_factor(size).map(|n| (f, n)));
                    let (family, factor) = match (&c.instance_type, parts) {
                        (None, _) => {
                            self.problem(
                                format!("{path}.instanceType"),
                                "missing: expected the reserved instance type, e.g. \"m5.xlarge\"",
                            );
                            (String::new(), 0.0)
                        }
                        (Some(_), _) if catalog.find(&name).is_none() => {
                            self.problem(
                                format!("{path}.instanceType"),
                                format!("{name:?} is not in the catalog"),
                            );
                            (String::new(), 0.0)
                        }
                        (Some(_), None) => {
                            self.problem(
                                format!("{path}.instanceType"),
                                format!("{name:?} has no size-flexibility normalisation factor ecsim knows (metal sizes are not modelled)"),
                            );
                            (String::new(), 0.0)
                        }
                        (Some(_), Some((f, n))) => {
                            self.never_runs(
                                &format!("{path}.instanceType"),
                                f,
                                &on_demand_families,
                                &spot_families,
                            );
                            (f.to_string(), n)
                        }
                    };
                    (
                        each * f64::from(count),
                        CommitmentKind::ReservedInstances {
                            family,
                            units: factor * f64::from(count),
                            hourly_usd: each * f64::from(count),
                            convertible: c.kind == "ConvertibleReservedInstance",
                        },
                    )
                }
                other => {
                    self.problem(
                        format!("{path}.type"),
                        format!("expected ComputeSavingsPlan, EC2InstanceSavingsPlan, StandardReservedInstance or ConvertibleReservedInstance, found {other:?}"),
                    );
                    continue;
                }
            };
            if self.problems.len() > before {
                continue;
            }
            out.push(Commitment {
                label: format!("commitments[{i}] {}", c.kind),
                hourly_usd: hourly,
                term: c
                    .term
                    .clone()
                    .unwrap_or_else(|| cm::DEFAULT_TERM.to_string()),
                payment_option: c
                    .payment_option
                    .clone()
                    .unwrap_or_else(|| cm::DEFAULT_PAYMENT_OPTION.to_string()),
                kind,
            });
        }
        out
    }

    /// The warning for a commitment on a family no On-Demand Auto Scaling group of the
    /// scenario launches: it is paid every hour and never used. A warning, not an error,
    /// since paying for an idle commitment is something a user may want to see priced.
    fn never_runs(
        &mut self,
        path: &str,
        family: &str,
        on_demand: &std::collections::BTreeSet<&str>,
        spot: &std::collections::BTreeSet<&str>,
    ) {
        if on_demand.contains(family) {
            return;
        }
        let why = if spot.contains(family) {
            "only Spot groups run it, and commitments never cover Spot"
        } else {
            "no Auto Scaling group of the scenario runs it"
        };
        self.warnings.push(format!(
            "{path}: the scenario never runs {family:?} On-Demand ({why}): the commitment is paid every hour and never used"
        ));
    }

    fn catalog(&mut self, raw: &ScenarioFile) -> Option<Catalog> {
        let loaded;
        let (tables, dir_label) = match &raw.catalog_dir {
            None => (crate::cloud::tables::embedded(), None),
            Some(dir) => {
                let path = self.base_dir.join(dir);
                match crate::cloud::tables::load_dir(&path) {
                    Ok(t) => {
                        loaded = t;
                        (&loaded, Some(path.display().to_string()))
                    }
                    Err(errors) => {
                        for e in errors {
                            self.problem("catalogDir", e.to_string());
                        }
                        return None;
                    }
                }
            }
        };
        let region = raw
            .region
            .as_deref()
            .unwrap_or(crate::defaults::DEFAULT_REGION);
        let mut catalog = if dir_label.is_none() && region == crate::defaults::DEFAULT_REGION {
            // The common case, built once per process.
            Catalog::embedded_us_east_1()
        } else {
            match Catalog::for_region(tables, region, dir_label.as_deref()) {
                Ok(c) => c,
                Err(e) => {
                    self.problem("region", e);
                    return None;
                }
            }
        };
        let mut ok = true;
        if let Some(file) = &raw.catalog_file {
            let path = self.base_dir.join(file);
            if path.is_dir() {
                self.problem(
                    "catalogFile",
                    format!(
                        "{} is a folder; expected a JSON file of catalog overrides (relative to the scenario file)",
                        path.display()
                    ),
                );
                return None;
            }
            match crate::cloud::load_overrides(&path) {
                Ok(o) => {
                    if let Err(problems) = catalog.apply(&o) {
                        ok = false;
                        for p in problems {
                            self.problem(
                                format!("catalogFile({}).{}", path.display(), p.path),
                                p.expected,
                            );
                        }
                    }
                }
                Err(e) => {
                    ok = false;
                    self.problem("catalogFile", e.to_string());
                }
            }
        }
        if let Some(inline) = &raw.catalog {
            if let Some(o) = self.lenient("catalog", inline) {
                if let Err(problems) = catalog.apply(o) {
                    ok = false;
                    for p in problems {
                        self.problem(format!("catalog.{}", p.path), p.expected);
                    }
                }
            } else {
                ok = false;
            }
        }
        ok.then_some(catalog)
    }

    fn latency(&mut self, path: &str, raw: Option<&LatencyFile>, default: Latency) -> Latency {
        let Some(raw) = raw else { return default };
        match raw {
            LatencyFile::Fixed(d) | LatencyFile::Shaped(LatencyShape::Fixed(d)) => {
                Latency::Fixed(d.0)
            }
            LatencyFile::Shaped(LatencyShape::Uniform { min, max }) => {
                if max.0 < min.0 {
                    self.problem(
                        format!("{path}.uniform"),
                        format!("expected min ≤ max, found min {} > max {}", min.0, max.0),
                    );
                }
                Latency::Uniform {
                    min: min.0,
                    max: max.0,
                }
            }
            LatencyFile::Shaped(LatencyShape::LogNormal { median, sigma }) => {
                if !(sigma.is_finite() && *sigma >= 0.0 && *sigma <= 5.0) {
                    self.problem(
                        format!("{path}.logNormal.sigma"),
                        format!("expected a number in [0, 5], found {sigma}"),
                    );
                }
                Latency::LogNormal {
                    median: median.0,
                    sigma: *sigma,
                }
            }
            LatencyFile::Shaped(LatencyShape::Exponential { mean }) => {
                Latency::Exponential { mean: mean.0 }
            }
        }
    }

    fn settings(&mut self, raw: Option<&Lenient<SettingsFile>>) -> Option<Settings> {
        let empty = SettingsFile::default();
        let s = match raw {
            None => &empty,
            Some(l) => self.lenient("settings", l)?,
        };
        let p = "settings";
        self.scaling_defaults = Some(self.scaling_defaults(s));
        let start_time_unix_s = self.start_time(s.start_time.as_deref());
        let reserved = MemoryMib(
            s.reserved_memory_mib
                .unwrap_or(crate::cloud::DEFAULT_ECS_RESERVED_MEMORY_MIB),
        );
        // No fraction: each type's hypervisor default (cloud::catalog); a fraction applies to
        // every type.
        let mut memory_overhead = match s.memory_overhead_fraction {
            None => crate::cloud::MemoryOverhead {
                ecs_reserved_mib: reserved.0,
                ..crate::cloud::MemoryOverhead::default()
            },
            Some(fraction) => match crate::cloud::MemoryOverhead::from_fraction(fraction, reserved)
            {
                Some(m) if fraction < 0.9 => m,
                _ => {
                    self.problem(
                        format!("{p}.memoryOverheadFraction"),
                        format!("expected a fraction in [0, 0.9), found {fraction}"),
                    );
                    crate::cloud::MemoryOverhead::default()
                }
            },
        };
        // Windows Server's share, overridable on its own: the Linux fraction is about what
        // `MemTotal` leaves out, which Windows does not (cloud::DEFAULT_WINDOWS_MEMORY_OVERHEAD_PPM).
        if let Some(fraction) = s.windows_memory_overhead_fraction {
            match crate::cloud::MemoryOverhead::from_fraction(fraction, reserved) {
                Some(m) if fraction < 0.9 => {
                    memory_overhead.windows_overhead_ppm = m.vm_overhead_ppm.unwrap_or(0);
                }
                _ => self.problem(
                    format!("{p}.windowsMemoryOverheadFraction"),
                    format!("expected a fraction in [0, 0.9), found {fraction}"),
                ),
            }
        }
        let positive = |v: &mut Validator, name: &str, val: u64| {
            if val == 0 {
                v.problem(format!("{p}.{name}"), "expected a positive value");
            }
        };
        let settings = Settings {
            instance_running_latency: self.latency(
                &format!("{p}.instanceRunningLatency"),
                s.instance_running_latency.as_ref(),
                defaults::INSTANCE_RUNNING_LATENCY,
            ),
            agent_registration_latency: self.latency(
                &format!("{p}.agentRegistrationLatency"),
                s.agent_registration_latency.as_ref(),
                defaults::AGENT_REGISTRATION_LATENCY,
            ),
            ec2_task_start_latency: self.latency(
                &format!("{p}.ec2TaskStartLatency"),
                s.ec2_task_start_latency.as_ref(),
                defaults::EC2_TASK_START_LATENCY,
            ),
            fargate_provisioning_latency: self.latency(
                &format!("{p}.fargateProvisioningLatency"),
                s.fargate_provisioning_latency.as_ref(),
                defaults::FARGATE_PROVISIONING_LATENCY,
            ),
            fargate_task_start_latency: self.latency(
                &format!("{p}.fargateTaskStartLatency"),
                s.fargate_task_start_latency.as_ref(),
                defaults::FARGATE_TASK_START_LATENCY,
            ),
            task_stop_latency: self.latency(
                &format!("{p}.taskStopLatency"),
                s.task_stop_latency.as_ref(),
                defaults::TASK_STOP_LATENCY,
            ),
            provisioning_timeout: s
                .provisioning_timeout
                .map_or(defaults::PROVISIONING_TIMEOUT, |d| d.0),
            start_time_unix_s,
            spot_instance_draining: s
                .spot_instance_draining
                .unwrap_or(crate::faults::throttle::ECS_ENABLE_SPOT_INSTANCE_DRAINING_DEFAULT),
            stop_timeout: s
                .stop_timeout
                .map_or(crate::faults::throttle::DEFAULT_STOP_TIMEOUT, |d| d.0),
            task_retry: crate::faults::throttle::ThrottleConfig {
                first_delay: s
                    .task_retry_first_delay
                    .map_or(crate::faults::throttle::THROTTLE_FIRST_DELAY, |d| d.0),
                factor: crate::faults::throttle::THROTTLE_FACTOR,
                cap: s
                    .task_retry_max_delay
                    .map_or(crate::faults::throttle::THROTTLE_CAP, |d| d.0),
            },
            draining_timeout: s
                .draining_timeout
                .map_or(defaults::DRAINING_TIMEOUT, |d| d.0),
            provisioning_tasks_per_cluster: s
                .provisioning_tasks_per_cluster
                .unwrap_or(defaults::PROVISIONING_TASKS_PER_CLUSTER),
            fargate_large_sizes: s
                .fargate_large_sizes
                .unwrap_or(fargate::DEFAULT_FARGATE_LARGE_SIZES),
            memory_overhead,
            awsvpc_trunking: match s.awsvpc_trunking.as_deref() {
                None => defaults::AWSVPC_TRUNKING,
                Some("enabled") => true,
                Some("disabled") => false,
                Some(other) => {
                    self.problem(
                        format!("{p}.awsvpcTrunking"),
                        format!("expected \"enabled\" or \"disabled\" (the ECS account setting's values), found {other:?}"),
                    );
                    defaults::AWSVPC_TRUNKING
                }
            },
            fargate_launch_burst: s
                .fargate_launch_burst
                .unwrap_or(defaults::FARGATE_LAUNCH_BURST),
            fargate_launch_rate_per_second: s
                .fargate_launch_rate_per_second
                .unwrap_or(defaults::FARGATE_LAUNCH_RATE_PER_SECOND),
            run_task_max_count: s.run_task_max_count.unwrap_or(defaults::RUN_TASK_MAX_COUNT),
            run_task_burst: s.run_task_burst.unwrap_or(defaults::RUN_TASK_BURST),
            run_task_rate_per_second: s
                .run_task_rate_per_second
                .unwrap_or(defaults::RUN_TASK_RATE_PER_SECOND),
            service_scheduler_interval: s
                .service_scheduler_interval
                .map_or(defaults::SERVICE_SCHEDULER_INTERVAL, |d| d.0),
            metric_delay: s.metric_delay.map_or(defaults::METRIC_DELAY, |d| d.0),
            cpu_beyond_reservation: s
                .cpu_beyond_reservation
                .unwrap_or(defaults::CPU_BEYOND_RESERVATION),
            high_resolution_metric_delay: s
                .high_resolution_metric_delay
                .map_or(defaults::HIGH_RESOLUTION_METRIC_DELAY, |d| d.0),
            placement_backfill_window: s
                .placement_backfill_window
                .unwrap_or(defaults::PLACEMENT_BACKFILL_WINDOW),
            max_events: s.max_events.unwrap_or(defaults::MAX_EVENTS),
            event_log_limit: s.event_log_limit.unwrap_or(defaults::EVENT_LOG_LIMIT),
            explain_limit: s.explain_limit.unwrap_or(defaults::EXPLAIN_LIMIT),
            start: match s.start.as_deref() {
                None => defaults::START,
                Some("warm") => StartMode::Warm,
                Some("cold") => StartMode::Cold,
                Some(other) => {
                    self.problem(
                        format!("{p}.start"),
                        format!("expected \"warm\" or \"cold\", found {other:?}"),
                    );
                    defaults::START
                }
            },
            measure_from: s.measure_from.map_or(defaults::MEASURE_FROM, |d| d.0),
            max_work: s.max_work.unwrap_or(defaults::MAX_WORK),
            max_replica_memory_mib: s
                .max_replica_memory_mib
                .unwrap_or(defaults::MAX_REPLICA_MEMORY_MIB),
            deployment_healthy_after: s.deployment_healthy_after.map_or(
                crate::scheduler::deployment::HEALTHY_AFTER_RUNNING_WITHOUT_LOAD_BALANCER,
                |d| d.0,
            ),
            az_rebalancing_interval: s
                .az_rebalancing_interval
                .map_or(defaults::AZ_REBALANCING_INTERVAL, |d| d.0),
        };
        if settings.measure_from.0 % 60_000 != 0 {
            // The per-minute figures (averages, minutes below desired) are counted per
            // whole minute, so a window that starts inside a minute could not be exact.
            self.problem(
                format!("{p}.measureFrom"),
                format!(
                    "expected a whole number of minutes, found {}",
                    settings.measure_from
                ),
            );
        }
        positive(self, "provisioningTimeout", settings.provisioning_timeout.0);
        positive(
            self,
            "azRebalancingInterval",
            settings.az_rebalancing_interval.0,
        );
        positive(
            self,
            "provisioningTasksPerCluster",
            settings.provisioning_tasks_per_cluster.into(),
        );
        positive(
            self,
            "fargateLaunchBurst",
            settings.fargate_launch_burst.into(),
        );
        positive(
            self,
            "fargateLaunchRatePerSecond",
            settings.fargate_launch_rate_per_second.into(),
        );
        positive(self, "runTaskMaxCount", settings.run_task_max_count.into());
        positive(self, "runTaskBurst", settings.run_task_burst.into());
        positive(
            self,
            "runTaskRatePerSecond",
            settings.run_task_rate_per_second.into(),
        );
        positive(
            self,
            "serviceSchedulerInterval",
            settings.service_scheduler_interval.0,
        );
        for (name, d) in [
            ("metricDelay", settings.metric_delay),
            (
                "highResolutionMetricDelay",
                settings.high_resolution_metric_delay,
            ),
        ] {
            // Zero is allowed: it turns the delay off.
            if d > defaults::MAX_METRIC_DELAY {
                self.problem(
                    format!("{p}.{name}"),
                    format!("expected at most {}, found {d}", defaults::MAX_METRIC_DELAY),
                );
            }
        }
        positive(
            self,
            "placementBackfillWindow",
            settings.placement_backfill_window.into(),
        );
        positive(self, "maxEvents", settings.max_events);
        positive(self, "maxWork", settings.max_work);
        positive(self, "maxReplicaMemoryMib", settings.max_replica_memory_mib);
        if settings.stop_timeout > crate::faults::throttle::MAX_FARGATE_STOP_TIMEOUT {
            self.problem(
                format!("{p}.stopTimeout"),
                format!(
                    "expected at most {} (the Fargate maximum), found {}",
                    crate::faults::throttle::MAX_FARGATE_STOP_TIMEOUT,
                    settings.stop_timeout
                ),
            );
        }
        if let Err(e) = settings.task_retry.validate() {
            self.problem(
                format!("{p}.taskRetryFirstDelay"),
                format!("expected taskRetryFirstDelay ≤ taskRetryMaxDelay: {e}"),
            );
        }
        Some(settings)
    }

    fn asg(
        &mut self,
        path: &str,
        a: &AutoScalingGroupFile,
        azs: &[String],
        catalog: Option<&Catalog>,
    ) -> Option<AutoScalingGroupSpec> {
        let before = self.problems.len();
        if a.auto_scaling_group_name.trim().is_empty() {
            self.problem(
                format!("{path}.autoScalingGroupName"),
                "expected a non-empty name",
            );
        }
        let mut types = Vec::new();
        if a.instance_types.is_empty() {
            self.problem(
                format!("{path}.instanceTypes"),
                "expected at least one instance type, e.g. [\"m5.large\"]",
            );
        }
        if let Some(catalog) = catalog {
            for (i, t) in a.instance_types.iter().enumerate() {
                match catalog.find(t) {
                    Some(id) => types.push(id),
                    None if catalog.is_not_offered(t) => self.problem(
                        format!("{path}.instanceTypes[{i}]"),
                        format!("instance type {t:?} is not offered in {} (the catalog has no On-Demand price for it there); choose another type, another region, or add its price under \"catalog\"", catalog.region),
                    ),
                    None => self.problem(
                        format!("{path}.instanceTypes[{i}]"),
                        format!("unknown instance type {t:?}; expected one of the catalog ({}) or add it under \"catalog\"", suggestions(catalog, t)),
                    ),
                }
            }
        }
        let mut asg_azs = Vec::new();
        match &a.availability_zones {
            None => asg_azs = (0..azs.len()).map(AzId::from_index).collect(),
            Some(list) => {
                if list.is_empty() {
                    self.problem(
                        format!("{path}.availabilityZones"),
                        "expected at least one zone (or leave it out for all of the cluster's)",
                    );
                }
                for (i, z) in list.iter().enumerate() {
                    match azs.iter().position(|x| x == z) {
                        Some(idx) => asg_azs.push(AzId::from_index(idx)),
                        // The cluster's zones are unknown: its own problem says why.
                        None if self.broken.cluster => {}
                        None if !self.broken.first_missing("zone", z) => {}
                        None => self.problem(
                            format!("{path}.availabilityZones[{i}]"),
                            format!(
                                "{z:?} is not one of cluster.availabilityZones ({})",
                                list_strs(azs)
                            ),
                        ),
                    }
                }
            }
        }
        let max_allowed = i64::from(defaults::MAX_INSTANCES_PER_ASG);
        let in_range = |v: &mut Validator, field: &str, x: i64| -> u32 {
            if !(0..=max_allowed).contains(&x) {
                v.problem(
                    format!("{path}.{field}"),
                    format!("expected 0 to {max_allowed}, found {x}"),
                );
                0
            } else {
                x as u32
            }
        };
        let sizes = self.problems.len();
        let min_size = in_range(self, "minSize", a.min_size);
        let max_size = in_range(self, "maxSize", a.max_size);
        // Left out, desiredCapacity is minSize: a bad minSize is one mistake, not two.
        let desired_capacity = match a.desired_capacity {
            Some(d) => in_range(self, "desiredCapacity", d),
            None => min_size,
        };
        // The sizes are compared only when each is in range (an out-of-range one is the
        // mistake), and desiredCapacity only when minSize ≤ maxSize (else none fits).
        let sizes_ok = self.problems.len() == sizes;
        if sizes_ok && min_size > max_size {
            self.problem(
                format!("{path}.minSize"),
                format!("expected minSize ≤ maxSize, found {min_size} > {max_size}"),
            );
        } else if sizes_ok && (desired_capacity < min_size || desired_capacity > max_size) {
            self.problem(format!("{path}.desiredCapacity"), format!("expected minSize ≤ desiredCapacity ≤ maxSize, found {desired_capacity} outside {min_size} to {max_size}"));
        }
        let mut purchase_ok = true;
        let spot = match a.purchase_option.as_deref() {
            None | Some("on-demand") => false,
            Some("spot") => true,
            Some(other) => {
                self.problem(
                    format!("{path}.purchaseOption"),
                    format!("expected \"on-demand\" or \"spot\", found {other:?}"),
                );
                purchase_ok = false;
                false
            }
        };
        let price_factor = if spot {
            a.spot_price_factor
                .unwrap_or(defaults::EC2_SPOT_PRICE_FACTOR)
        } else {
            // With a misspelt purchaseOption the factor may well be meant for Spot.
            if a.spot_price_factor.is_some() && purchase_ok {
                self.problem(
                    format!("{path}.spotPriceFactor"),
                    "only meaningful with \"purchaseOption\": \"spot\"",
                );
            }
            1.0
        };
        if !(price_factor > 0.0 && price_factor <= 1.0) {
            self.problem(
                format!("{path}.spotPriceFactor"),
                format!(
                    "expected a fraction of the on-demand price in (0, 1], found {price_factor}"
                ),
            );
        }
        let os = match a.os_family.as_deref() {
            None => OsFamily::Linux,
            Some(name) => match OsFamily::parse(name) {
                Some(os) => os,
                None => {
                    self.problem(
                        format!("{path}.osFamily"),
                        format!(
                            "expected one of {}, found {name:?} (the ecs.os-family of the group's AMI)",
                            OsFamily::ALL.map(|f| format!("{:?}", f.ecs_name())).join(", ")
                        ),
                    );
                    OsFamily::Linux
                }
            },
        };
        if os.is_windows() {
            if let Some(catalog) = catalog {
                // `types` holds the resolved names, in order; an unknown name was reported
                // above and is skipped here (one mistake, one message).
                let mut resolved = types.iter();
                for (i, t) in a.instance_types.iter().enumerate() {
                    if catalog.find(t).is_none() {
                        continue;
                    }
                    let Some(&id) = resolved.next() else { break };
                    let ty = catalog.get(id);
                    // Amazon ECS Developer Guide, "Amazon ECS-optimized Windows AMIs": every
                    // variant is x86_64 (EC2 offers no Windows Server on Graviton).
                    if ty.arch != CpuArchitecture::X86_64 {
                        self.problem(
                            format!("{path}.instanceTypes[{i}]"),
                            format!(
                                "{t:?} is an {} instance type, and Windows Server runs on x86_64 types only; choose an x86_64 type or \"osFamily\": \"LINUX\"",
                                ty.arch.attribute_value()
                            ),
                        );
                    } else if let Err(why) = catalog.windows_usd_per_hour(id) {
                        // Never a default: a Windows group is priced at its Windows price.
                        self.problem(format!("{path}.instanceTypes[{i}]"), why);
                    }
                }
            }
        }
        if self.problems.len() > before {
            return None;
        }
        Some(AutoScalingGroupSpec {
            os,
            name: a.auto_scaling_group_name.clone(),
            instance_types: types,
            availability_zones: asg_azs,
            min_size,
            max_size,
            desired_capacity,
            spot,
            price_factor,
            capacity_provider: None,
            external: None,
            managed_instances: false,
        })
    }

    fn provider(
        &mut self,
        path: &str,
        p: &CapacityProviderFile,
        providers: &mut Vec<CapacityProvider>,
        asgs: &mut Vec<AutoScalingGroupSpec>,
        knobs: Option<&ManagedScalingSettingsFile>,
        catalog: Option<&Catalog>,
    ) {
        let name = p.name.trim();
        if name.is_empty() {
            self.problem(format!("{path}.name"), "expected a non-empty name");
            return;
        }
        // [DOC] §2.2: FARGATE and FARGATE_SPOT are reserved; AWS also reserves the aws/ecs prefixes.
        if name == FARGATE || name == FARGATE_SPOT {
            self.problem(format!("{path}.name"), format!("{name:?} is reserved: FARGATE and FARGATE_SPOT exist already; just list them in cluster.capacityProviders"));
            return;
        }
        let lower = name.to_ascii_lowercase();
        if lower.starts_with("aws") || lower.starts_with("ecs") || lower.starts_with("fargate") {
            self.problem(format!("{path}.name"), format!("{name:?}: names may not begin with \"aws\", \"ecs\" or \"fargate\" (AWS reserves them)"));
        }
        if providers.iter().any(|x| x.name == name) {
            self.problem(format!("{path}.name"), format!("{name:?} is defined twice"));
            return;
        }
        let id = CapacityProviderId::from_index(providers.len());
        let g = match (
            &p.auto_scaling_group_provider,
            &p.managed_instances_provider,
        ) {
            (Some(g), None) => {
                if p.management_fee.is_some() {
                    self.problem(
                        format!("{path}.managementFee"),
                        "only meaningful with \"managedInstancesProvider\" (an Auto Scaling group provider has no management fee)",
                    );
                }
                g
            }
            (None, Some(m)) => {
                self.managed_instances_provider(path, name, id, m, p, providers, asgs, catalog);
                return;
            }
            (Some(_), Some(_)) => {
                self.problem(
                    path,
                    "expected one of \"autoScalingGroupProvider\" and \"managedInstancesProvider\", found both",
                );
                return;
            }
            (None, None) => {
                self.problem(
                    path,
                    "missing: expected \"autoScalingGroupProvider\" (an Auto Scaling group) or \"managedInstancesProvider\" (ECS Managed Instances)",
                );
                return;
            }
        };
        let asg_name = g.auto_scaling_group_arn.rsplit('/').next().unwrap_or("");
        let Some(asg_idx) = asgs
            .iter()
            .position(|a| a.name == asg_name && !a.managed_instances)
        else {
            if Broken::has(&self.broken.asgs, asg_name) {
                return;
            }
            self.problem(
                format!("{path}.autoScalingGroupProvider.autoScalingGroupArn"),
                format!(
                    "no Auto Scaling group named {asg_name:?}; expected one of {}",
                    list(asgs.iter().map(|a| a.name.as_str()))
                ),
            );
            return;
        };
        if let Some(other) = asgs[asg_idx].capacity_provider {
            self.problem(
                format!("{path}.autoScalingGroupProvider.autoScalingGroupArn"),
                format!("Auto Scaling group {asg_name:?} is already used by capacity provider {:?}; one ASG backs one provider", providers[other.index()].name),
            );
            return;
        }
        let flag = |v: &mut Validator, field: &str, val: &Option<String>, default: bool| -> bool {
            match val.as_deref() {
                None => default,
                Some("ENABLED") => true,
                Some("DISABLED") => false,
                Some(o) => {
                    v.problem(
                        format!("{path}.autoScalingGroupProvider.{field}"),
                        format!("expected \"ENABLED\" or \"DISABLED\", found {o:?}"),
                    );
                    default
                }
            }
        };
        // [API] AutoScalingGroupProvider: managed termination protection is off by default;
        // [DOC] managed draining is on by default when a provider is created (§1.7).
        let managed_termination_protection = flag(
            self,
            "managedTerminationProtection",
            &g.managed_termination_protection,
            false,
        );
        let managed_draining = flag(self, "managedDraining", &g.managed_draining, true);
        let scaling_problems = self.problems.len();
        let managed_scaling = g.managed_scaling.as_ref().and_then(|m| {
            self.managed_scaling(
                &format!("{path}.autoScalingGroupProvider.managedScaling"),
                m,
                knobs,
            )
        });
        // [DOC] ecs-reference §1.7: managed termination protection requires managed scaling.
        // Given but invalid, managed scaling has its own problem; do not add this one.
        if managed_termination_protection
            && managed_scaling.is_none()
            && self.problems.len() == scaling_problems
        {
            self.problem(
                format!("{path}.autoScalingGroupProvider.managedTerminationProtection"),
                "managed termination protection requires managed scaling (managedScaling.status ENABLED)",
            );
        }
        if managed_scaling.is_some() && asgs[asg_idx].max_size == 0 {
            self.problem(
                format!("{path}.autoScalingGroupProvider.managedScaling"),
                format!("Auto Scaling group {asg_name:?} has maxSize 0: managed scaling cannot scale out (ecs-reference §1.1)"),
            );
        }
        asgs[asg_idx].capacity_provider = Some(id);
        providers.push(CapacityProvider {
            name: name.to_string(),
            kind: CapacityProviderKind::AutoScalingGroup(AsgId::from_index(asg_idx)),
            managed_termination_protection,
            managed_draining,
            managed_scaling,
            managed_instances: None,
        });
    }

    /// A `managedInstancesProvider`: its requirements resolved against the catalog, its fee,
    /// its optimization delay, and the hidden Auto Scaling group the simulation launches
    /// into (appended after the scenario's own groups, so their ids do not move).
    #[allow(clippy::too_many_arguments)]
    fn managed_instances_provider(
        &mut self,
        path: &str,
        name: &str,
        id: CapacityProviderId,
        m: &crate::scenario::file::ManagedInstancesProviderFile,
        p: &CapacityProviderFile,
        providers: &mut Vec<CapacityProvider>,
        asgs: &mut Vec<AutoScalingGroupSpec>,
        catalog: Option<&Catalog>,
    ) {
        use crate::autoscaling::managed_instances as mi;
        let before = self.problems.len();
        let mp = format!("{path}.managedInstancesProvider");
        let lt = &m.instance_launch_template;
        let ltp = format!("{mp}.instanceLaunchTemplate");
        match lt.capacity_option_type.as_deref() {
            None | Some("ON_DEMAND") => {}
            Some("SPOT") => self.problem(
                format!("{ltp}.capacityOptionType"),
                "\"SPOT\" Managed Instances are not modelled; use \"ON_DEMAND\" (or an Auto Scaling group with \"purchaseOption\": \"spot\")",
            ),
            Some(o) => self.problem(
                format!("{ltp}.capacityOptionType"),
                format!("expected \"ON_DEMAND\" or \"SPOT\", found {o:?}"),
            ),
        }
        let r = &lt.instance_requirements;
        let rp = format!("{ltp}.instanceRequirements");
        // A `{min, max}` of whole numbers; `min` required where AWS requires it.
        let range = |v: &mut Validator,
                     field: &str,
                     x: Option<&crate::scenario::file::RangeFile>,
                     min_required: bool|
         -> (u32, Option<u32>) {
            let Some(x) = x else { return (0, None) };
            let whole = |v: &mut Validator, which: &str, val: Option<f64>| -> Option<u32> {
                let val = val?;
                if val.fract() != 0.0 || !(0.0..=f64::from(u32::MAX)).contains(&val) {
                    v.problem(
                        format!("{rp}.{field}.{which}"),
                        format!("expected a whole number of 0 or more, found {val}"),
                    );
                    return None;
                }
                Some(val as u32)
            };
            if min_required && x.min.is_none() {
                v.problem(
                    format!("{rp}.{field}.min"),
                    "missing: AWS requires a minimum, e.g. 2",
                );
            }
            let min = whole(v, "min", x.min).unwrap_or(0);
            let max = whole(v, "max", x.max);
            if max.is_some_and(|mx| mx < min) {
                v.problem(
                    format!("{rp}.{field}"),
                    format!("expected min ≤ max, found {min} > {}", max.unwrap_or(0)),
                );
            }
            (min, max)
        };
        let vcpu = range(self, "vCpuCount", Some(&r.v_cpu_count), true);
        let memory_mib = range(self, "memoryMiB", Some(&r.memory_mib), true);
        // [API] EC2 InstanceRequirements: acceleratorCount defaults to no limit, but the
        // default set of types is "general purpose" (ManagedInstances.html); without the
        // field we keep accelerated types out, as a GPU type is never the cheapest choice
        // for tasks that ask for no GPU.
        let accelerators = match &r.accelerator_count {
            Some(a) => range(self, "acceleratorCount", Some(a), false),
            None => (0, Some(0)),
        };
        let per_vcpu = r
            .memory_gib_per_v_cpu
            .as_ref()
            .map_or((None, None), |x| (x.min, x.max));
        for (i, c) in r.cpu_manufacturers.iter().enumerate() {
            if !["intel", "amd", "amazon-web-services"].contains(&c.as_str()) {
                self.problem(
                    format!("{rp}.cpuManufacturers[{i}]"),
                    format!("expected \"intel\", \"amd\" or \"amazon-web-services\", found {c:?}"),
                );
            }
        }
        for (i, g) in r.instance_generations.iter().enumerate() {
            if !["current", "previous"].contains(&g.as_str()) {
                self.problem(
                    format!("{rp}.instanceGenerations[{i}]"),
                    format!("expected \"current\" or \"previous\", found {g:?}"),
                );
            }
        }
        // [API] allowedInstanceTypes and excludedInstanceTypes cannot both be given.
        if !r.allowed_instance_types.is_empty() && !r.excluded_instance_types.is_empty() {
            self.problem(
                format!("{rp}.excludedInstanceTypes"),
                "AWS accepts allowedInstanceTypes or excludedInstanceTypes, not both",
            );
        }
        let inclusion = |v: &mut Validator, field: &str, x: &Option<String>| {
            match x.as_deref() {
                // [API] EC2 InstanceRequirements: bareMetal and burstablePerformance default
                // to "excluded".
                None => mi::Inclusion::Excluded,
                Some(s) => mi::Inclusion::parse(s).unwrap_or_else(|| {
                    v.problem(
                        format!("{rp}.{field}"),
                        format!("expected \"included\", \"excluded\" or \"required\", found {s:?}"),
                    );
                    mi::Inclusion::Excluded
                }),
            }
        };
        let bare_metal = inclusion(self, "bareMetal", &r.bare_metal);
        let burstable = inclusion(self, "burstablePerformance", &r.burstable_performance);
        let requirements = mi::InstanceRequirements {
            vcpu,
            memory_mib,
            memory_gib_per_vcpu: per_vcpu,
            accelerators,
            cpu_manufacturers: r.cpu_manufacturers.clone(),
            instance_generations: r.instance_generations.clone(),
            allowed: r.allowed_instance_types.clone(),
            excluded: r.excluded_instance_types.clone(),
            bare_metal,
            burstable,
        };
        let scale_in_after = match m
            .infrastructure_optimization
            .as_ref()
            .and_then(|o| o.scale_in_after)
        {
            None => Some(mi::DEFAULT_SCALE_IN_AFTER),
            Some(-1) => None,
            Some(s) if (0..=mi::MAX_SCALE_IN_AFTER_SECONDS).contains(&s) => {
                Some(SimDuration::from_secs(s as u64))
            }
            Some(s) => {
                self.problem(
                    format!("{mp}.infrastructureOptimization.scaleInAfter"),
                    format!("expected -1 (optimization off) or 0 to 3600 seconds, found {s}"),
                );
                None
            }
        };
        let fp = format!("{path}.managementFee");
        let fee = match &p.management_fee {
            None => {
                self.problem(
                    fp.clone(),
                    "missing: AWS charges a management fee per instance-hour by instance type (https://aws.amazon.com/ecs/pricing/) and ecsim ships no table of it; give {\"fractionOfOnDemand\": 0.12} or {\"usdPerHour\": {\"m6i.large\": 0.0115}}",
                );
                None
            }
            Some(f) => {
                match (f.fraction_of_on_demand, &f.usd_per_hour) {
                    (Some(x), None) => {
                        if !(x.is_finite() && (0.0..=1.0).contains(&x)) {
                            self.problem(
                            format!("{fp}.fractionOfOnDemand"),
                            format!("expected a fraction of the On-Demand price from 0 to 1, found {x}"),
                        );
                            None
                        } else {
                            Some(mi::ManagementFee::FractionOfOnDemand(x))
                        }
                    }
                    (None, Some(table)) => {
                        let mut out = std::collections::BTreeMap::new();
                        for (ty, usd) in table {
                            if !(usd.is_finite() && *usd >= 0.0) {
                                self.problem(
                                    format!("{fp}.usdPerHour.{ty}"),
                                    format!("expected a price of 0 or more, found {usd}"),
                                );
                                continue;
                            }
                            match catalog.and_then(|c| c.find(ty)) {
                                Some(t) => {
                                    out.insert(t, *usd);
                                }
                                None if catalog.is_some() => self.problem(
                                    format!("{fp}.usdPerHour.{ty}"),
                                    format!("unknown instance type {ty:?}"),
                                ),
                                None => {}
                            }
                        }
                        if table.is_empty() {
                            self.problem(
                                format!("{fp}.usdPerHour"),
                                "expected at least one instance type and its fee",
                            );
                        }
                        Some(mi::ManagementFee::UsdPerHour(out))
                    }
                    _ => {
                        self.problem(
                            fp.clone(),
                            "expected exactly one of \"fractionOfOnDemand\" and \"usdPerHour\"",
                        );
                        None
                    }
                }
            }
        };
        let op = format!("{path}.optimizationModel");
        let model = p.optimization_model.as_ref();
        let period = model
            .and_then(|m| m.period.as_ref())
            .map_or(mi::OPTIMIZATION_PERIOD, |d| d.0);
        if period.0 == 0 || period > SimDuration::from_mins(24 * 60) {
            self.problem(
                format!("{op}.period"),
                format!("expected a period from 1 ms to 24 h, found {period}"),
            );
        }
        let pct = model
            .and_then(|m| m.underutilized_reserved_percent)
            .unwrap_or(mi::UNDERUTILIZED_RESERVED_FRACTION * 100.0);
        if !(pct.is_finite() && (0.0..=100.0).contains(&pct)) {
            self.problem(
                format!("{op}.underutilizedReservedPercent"),
                format!("expected a percentage from 0 (never) to 100, found {pct}"),
            );
        }
        let max_instances = model
            .and_then(|m| m.max_instances)
            .unwrap_or(i64::from(mi::MAX_INSTANCES));
        if !(1..=i64::from(defaults::MAX_INSTANCES_PER_ASG)).contains(&max_instances) {
            self.problem(
                format!("{op}.maxInstances"),
                format!(
                    "expected 1 to {}, found {max_instances}",
                    defaults::MAX_INSTANCES_PER_ASG
                ),
            );
        }
        let Some(catalog) = catalog else { return };
        if self.problems.len() > before {
            return;
        }
        let Some(fee) = fee else { return };
        // The types the requirements admit and the fee prices, cheapest (EC2 + fee) first.
        let mut types: Vec<(f64, InstanceTypeId)> = requirements
            .matching(catalog)
            .into_iter()
            .filter_map(|t| {
                let od = catalog.get(t).on_demand_usd_per_hour;
                fee.usd_per_hour(t, od).map(|f| (od + f, t))
            })
            .collect();
        if types.is_empty() {
            let fee_note = match &fee {
                mi::ManagementFee::UsdPerHour(_) => " and has a fee in managementFee.usdPerHour",
                mi::ManagementFee::FractionOfOnDemand(_) => "",
            };
            self.problem(
                rp,
                format!(
                    "no instance type of the {} catalog meets these requirements{fee_note} (vCpuCount {}, memoryMiB {}, acceleratorCount {}, bareMetal and burstablePerformance \"excluded\" unless given); widen them",
                    catalog.region,
                    show_range(vcpu),
                    show_range(memory_mib),
                    show_range(accelerators),
                ),
            );
            return;
        }
        types.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let asg = AsgId::from_index(asgs.len());
        asgs.push(AutoScalingGroupSpec {
            name: format!("{name} (managed instances)"),
            instance_types: types.into_iter().map(|(_, t)| t).collect(),
            availability_zones: (0..self.azs_len).map(AzId::from_index).collect(),
            min_size: 0,
            max_size: max_instances as u32,
            desired_capacity: 0,
            spot: false,
            price_factor: 1.0,
            capacity_provider: Some(id),
            // Managed Instances run ECS's own Linux (Bottlerocket-based) image; Windows is not offered.
            os: OsFamily::Linux,
            external: None,
            managed_instances: true,
        });
        providers.push(CapacityProvider {
            name: name.to_string(),
            kind: CapacityProviderKind::AutoScalingGroup(asg),
            // ECS owns the instances: it never terminates one with tasks (it drains first).
            managed_termination_protection: false,
            managed_draining: true,
            managed_scaling: None,
            managed_instances: Some(mi::ManagedInstancesConfig {
                requirements,
                scale_in_after,
                fee,
                period,
                underutilized_fraction: pct / 100.0,
            }),
        });
    }

    fn strategy(
        &mut self,
        path: &str,
        items: &[StrategyItemFile],
        providers: &[CapacityProvider],
        associated: &[CapacityProviderId],
    ) -> Option<Vec<StrategyItem>> {
        let before = self.problems.len();
        if items.len() > MAX_STRATEGY_ITEMS {
            self.problem(
                path,
                format!(
                    "expected at most {MAX_STRATEGY_ITEMS} items, found {}",
                    items.len()
                ),
            );
        }
        let mut out: Vec<StrategyItem> = Vec::new();
        let mut unknown = false;
        let mut with_base = 0;
        for (i, it) in items.iter().enumerate() {
            let ip = format!("{path}[{i}]");
            let Some(idx) = providers
                .iter()
                .position(|p| p.name == it.capacity_provider)
            else {
                if Broken::has(&self.broken.providers, &it.capacity_provider)
                    || !self.broken.first_missing("provider", &it.capacity_provider)
                {
                    // Unknown until that provider is fixed (or its missing name, reported
                    // where first used, is); say nothing more here.
                    unknown = true;
                    continue;
                }
                self.problem(
                    format!("{ip}.capacityProvider"),
                    format!(
                        "no capacity provider named {:?}; expected one of {}",
                        it.capacity_provider,
                        list(providers.iter().map(|p| p.name.as_str()))
                    ),
                );
                continue;
            };
            let id = CapacityProviderId::from_index(idx);
            // Associations are unknown while the cluster or its list has problems.
            if !associated.contains(&id) && !self.broken.cluster && !self.broken.associations {
                self.problem(format!("{ip}.capacityProvider"), format!("{:?} is not associated with the cluster; add it to cluster.capacityProviders", it.capacity_provider));
            }
            if out.iter().any(|x| x.capacity_provider == id) {
                self.problem(
                    format!("{ip}.capacityProvider"),
                    format!("{:?} appears twice in the strategy", it.capacity_provider),
                );
            }
            let base = it.base.unwrap_or(0);
            if !(0..=MAX_BASE).contains(&base) {
                self.problem(
                    format!("{ip}.base"),
                    format!("expected 0 to {MAX_BASE}, found {base}"),
                );
            }
            if base > 0 {
                with_base += 1;
            }
            // [DOC] §2.1: the API default weight is 0.
            let weight = it.weight.unwrap_or(0);
            if !(0..=MAX_WEIGHT).contains(&weight) {
                self.problem(
                    format!("{ip}.weight"),
                    format!("expected 0 to {MAX_WEIGHT}, found {weight}"),
                );
            }
            out.push(StrategyItem {
                capacity_provider: id,
                base: base.clamp(0, MAX_BASE) as u32,
                weight: weight.clamp(0, MAX_WEIGHT) as u32,
            });
        }
        if self.problems.len() > before || unknown {
            return None;
        }
        if out.is_empty() {
            return Some(out);
        }
        // [DOC] §2.1: only one provider may have a base; at least one weight must be > 0.
        if with_base > 1 {
            self.problem(
                path,
                "only one capacity provider in a strategy can have a base",
            );
        }
        if out.iter().all(|x| x.weight == 0) {
            self.problem(path, "at least one capacity provider must have a weight greater than 0 (the API default weight is 0)");
        }
        // [DOC] §2.1: a strategy holds ASG providers or Fargate providers, never both.
        let fargate = out
            .iter()
            .filter(|x| {
                !matches!(
                    providers[x.capacity_provider.index()].kind,
                    CapacityProviderKind::AutoScalingGroup(_)
                )
            })
            .count();
        if fargate != 0 && fargate != out.len() {
            self.problem(path, "a strategy may contain Auto Scaling group providers or FARGATE/FARGATE_SPOT, not both");
        }
        (self.problems.len() == before).then_some(out)
    }

    /// Remembers the AWS fields a pasted object carried and ecsim does not read: one line per
    /// object, so `validate` lists them once instead of rejecting them one at a time. Fields
    /// that matter to AWS but that the model leaves out (and a container's Elastic Inference
    /// requirement) are named apart, with why.
    fn note_ignored(
        &mut self,
        path: &str,
        name: &str,
        (read_only, unmodelled): (&[String], &[String]),
        extra: &[String],
    ) {
        let mut parts = Vec::new();
        if !read_only.is_empty() {
            parts.push(format!("AWS fields not read: {}", read_only.join(", ")));
        }
        let mut not_modelled: Vec<String> = unmodelled
            .iter()
            .filter_map(|f| NOT_MODELLED.iter().find(|(k, _)| k == f))
            .map(|(k, why)| format!("{k} ({why})"))
            .collect();
        not_modelled.extend(extra.iter().cloned());
        if !not_modelled.is_empty() {
            parts.push(format!("not modelled: {}", not_modelled.join("; ")));
        }
        if !parts.is_empty() {
            self.aws_ignored
                .push(format!("{path} ({name:?}): {}", parts.join("; ")));
        }
    }

    fn task_definition(&mut self, path: &str, t: &TaskDefinitionFile) -> Option<TaskDefinition> {
        let before = self.problems.len();
        if t.family.trim().is_empty() {
            self.problem(format!("{path}.family"), "expected a non-empty family name");
        }
        let mut external_compatible = false;
        let (ec2_compatible, fargate_compatible) = match &t.requires_compatibilities {
            // AWS validates a task definition without requiresCompatibilities for EC2 only.
            None => (true, false),
            Some(list) => {
                let mut e = false;
                let mut f = false;
                for (i, c) in list.iter().enumerate() {
                    match c.as_str() {
                        "EC2" => e = true,
                        "FARGATE" => f = true,
                        // Amazon ECS Developer Guide, "Running workloads on external
                        // instances": requiresCompatibilities EXTERNAL validates the task
                        // definition for ECS Anywhere.
                        "EXTERNAL" => external_compatible = true,
                        "MANAGED_INSTANCES" => self.problem(
                            format!("{path}.requiresCompatibilities[{i}]"),
                            format!(
                                "{c:?} capacity is not modelled; expected \"EC2\", \"FARGATE\" or \"EXTERNAL\""
                            ),
                        ),
                        other => self.problem(
                            format!("{path}.requiresCompatibilities[{i}]"),
                            format!("expected \"EC2\", \"FARGATE\" or \"EXTERNAL\", found {other:?}"),
                        ),
                    }
                }
                (e, f)
            }
        };
        if external_compatible && t.network_mode.as_deref() == Some("awsvpc") {
            // "Amazon ECS clusters for external instances", considerations: the awsvpc
            // network mode is not supported on external instances.
            self.problem(
                format!("{path}.networkMode"),
                "external instances (ECS Anywhere) do not support the awsvpc network mode; use \"bridge\", \"host\" or \"none\", or drop \"EXTERNAL\" from requiresCompatibilities",
            );
        }
        let arch = match t
            .runtime_platform
            .as_ref()
            .and_then(|r| r.cpu_architecture.as_deref())
        {
            None | Some("X86_64") => CpuArchitecture::X86_64,
            Some("ARM64") => CpuArchitecture::Arm64,
            Some(o) => {
                self.problem(
                    format!("{path}.runtimePlatform.cpuArchitecture"),
                    format!("expected \"X86_64\" or \"ARM64\", found {o:?}"),
                );
                CpuArchitecture::X86_64
            }
        };
        let os_family = match t
            .runtime_platform
            .as_ref()
            .and_then(|r| r.operating_system_family.as_deref())
        {
            None => OsFamily::Linux,
            Some(name) => match OsFamily::parse(name) {
                Some(f) => f,
                None => {
                    self.problem(
                        format!("{path}.runtimePlatform.operatingSystemFamily"),
                        format!(
                            "expected one of {}, found {name:?}",
                            OsFamily::ALL
                                .map(|f| format!("{:?}", f.ecs_name()))
                                .join(", ")
                        ),
                    );
                    OsFamily::Linux
                }
            },
        };
        let os = if os_family.is_windows() {
            FargateOs::Windows
        } else {
            FargateOs::Linux
        };
        if os == FargateOs::Windows {
            // Windows is x86 only, on Fargate and on EC2 (Amazon ECS Developer Guide, "Fargate
            // capacity providers": Windows is not on Fargate Spot; AWS Batch RuntimePlatform:
            // cpuArchitecture "must be set to X86_64 for Windows containers"; the ECS-optimized
            // Windows AMIs are x86_64 only).
            if arch == CpuArchitecture::Arm64 {
                self.problem(
                    format!("{path}.runtimePlatform.cpuArchitecture"),
                    "Windows tasks run on X86_64 only; use \"X86_64\" or a Linux task",
                );
            }
            if fargate_compatible && !WINDOWS_FAMILIES.contains(&os_family.ecs_name()) {
                self.problem(
                    format!("{path}.runtimePlatform.operatingSystemFamily"),
                    format!(
                        "Fargate runs Windows tasks of {} only, not {:?}; choose one of those, or set requiresCompatibilities to [\"EC2\"] for instances of that Windows Server release",
                        WINDOWS_FAMILIES.map(|w| format!("{w:?}")).join(", "),
                        os_family.ecs_name()
                    ),
                );
            }
        }
        let ephemeral_storage_gib = t.ephemeral_storage.as_ref().map(|e| e.size_in_gib);
        if let Some(gib) = ephemeral_storage_gib {
            if !fargate::FARGATE_EPHEMERAL_STORAGE_GIB.contains(&gib) {
                self.problem(
                    format!("{path}.ephemeralStorage.sizeInGiB"),
                    format!(
                        "expected {} to {} GiB (Fargate includes 20 GiB; leave ephemeralStorage out for that), found {gib}",
                        fargate::FARGATE_EPHEMERAL_STORAGE_GIB.start(),
                        fargate::FARGATE_EPHEMERAL_STORAGE_GIB.end()
                    ),
                );
            }
        }
        let cpu = t
            .cpu
            .as_ref()
            .and_then(|v| self.cpu_value(&format!("{path}.cpu"), v));
        let memory = t
            .memory
            .as_ref()
            .and_then(|v| self.memory_value(&format!("{path}.memory"), v));
        // Without task-level values, add up the containers (EC2 only; Fargate requires them).
        let (mut c_cpu, mut c_mem, mut any_mem) = (0u32, 0u32, false);
        for (i, c) in t.container_definitions.iter().flatten().enumerate() {
            let cp = format!("{path}.containerDefinitions[{i}]");
            if let Some(v) = c.get("cpu") {
                match v.as_u64() {
                    Some(x) if x <= 1_000_000 => c_cpu += x as u32,
                    _ => self.problem(
                        format!("{cp}.cpu"),
                        format!("expected CPU units as a whole number, found {v}"),
                    ),
                }
            }
            // What ECS subtracts from the instance for a container: "If you specify
            // memoryReservation, then that value is subtracted from the available memory
            // resources for the container instance where the container is placed. Otherwise,
            // the value of memory is used." (Amazon ECS API Reference, ContainerDefinition,
            // memoryReservation: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html).
            let m = match c.get("memoryReservation") {
                Some(v) => Some(("memoryReservation", v)),
                None => c.get("memory").map(|v| ("memory", v)),
            };
            if let Some((key, v)) = m {
                match v.as_u64() {
                    Some(x) if x <= 10_000_000 => {
                        c_mem += x as u32;
                        any_mem = true;
                    }
                    _ => self.problem(
                        format!("{cp}.{key}"),
                        format!("expected MiB as a whole number, found {v}"),
                    ),
                }
            }
        }
        let (cpu_read, memory_read) = (cpu.is_some(), memory.is_some());
        let cpu = cpu.unwrap_or(CpuUnits(c_cpu));
        let memory = match memory {
            Some(m) => m,
            None if any_mem => MemoryMib(c_mem),
            // Given but unreadable: reported above.
            None if t.memory.is_some() => MemoryMib(0),
            None => {
                self.problem(format!("{path}.memory"), "expected task-level memory (e.g. \"1024\" or \"1 GB\"), or memory/memoryReservation on the containers");
                MemoryMib(0)
            }
        };
        // A cpu or memory that did not read has its problem; the Fargate pair would repeat it.
        let sizes_read = (t.cpu.is_none() || cpu_read) && (t.memory.is_none() || memory_read);
        let sizes = fargate::FargateSizes {
            os,
            large: self.fargate_large_sizes,
        };
        if fargate_compatible && sizes_read {
            if t.cpu.is_none() {
                self.problem(
                    format!("{path}.cpu"),
                    "Fargate requires task-level cpu (e.g. \"256\" or \".25 vCPU\")",
                );
            } else if t.memory.is_some() && !sizes.is_valid_size(cpu, memory) {
                // A CPU size Fargate does not have is the cpu's fault; a valid CPU with a
                // memory it does not pair with is the memory's.
                let field = if sizes.valid_memory_mib(cpu).is_some() {
                    "memory"
                } else {
                    "cpu"
                };
                self.problem(
                    format!("{path}.{field}"),
                    fargate_pair_message(sizes, cpu, memory),
                );
            }
        }
        // Task definition constraints: AWS allows memberOf only (RegisterTaskDefinition,
        // placementConstraints); they are compiled where a service or workload uses them.
        let mut member_of = Vec::new();
        for (i, c) in t.placement_constraints.iter().flatten().enumerate() {
            let cp = format!("{path}.placementConstraints[{i}]");
            match (c.kind.as_str(), c.expression.as_deref()) {
                ("memberOf", Some(e)) => match expression::parse(e) {
                    Ok(expr) => member_of.push(expr),
                    Err(err) => self.problem(format!("{cp}.expression"), err.to_string()),
                },
                ("memberOf", None) => self.problem(
                    format!("{cp}.expression"),
                    "memberOf needs an expression, e.g. \"attribute:ecs.instance-type =~ m6i.*\"",
                ),
                (o, _) => self.problem(
                    format!("{cp}.type"),
                    format!(
                        "a task definition's constraints can only be \"memberOf\", found {o:?}"
                    ),
                ),
            }
        }
        let (gpu, neuron) = self.container_devices(path, t.container_definitions.as_deref());
        if gpu > 0 && fargate_compatible {
            // "GPUs aren't supported for tasks that run on Fargate" (ECS API Reference,
            // ResourceRequirement).
            self.problem(
                format!("{path}.requiresCompatibilities"),
                format!("Fargate offers no GPUs, and the containers ask for {gpu}; run this task definition on EC2 only"),
            );
        }
        // Absent, the EC2 default (bridge): no ENI on an instance. AWS refuses a
        // FARGATE-compatible task definition without awsvpc; such a file is still run (its
        // Fargate tasks are awsvpc by nature), its EC2 tasks as bridge, with a warning.
        let network_mode = match t.network_mode.as_deref() {
            Some(m) => m,
            None if fargate_compatible && ec2_compatible => {
                self.warnings.push(format!(
                    "{path}.networkMode: AWS requires \"awsvpc\" for a task definition that may run on FARGATE; none is given, so its tasks on EC2 are placed as {:?} (no ENI each); set \"networkMode\": \"awsvpc\" to count ENIs",
                    defaults::NETWORK_MODE
                ));
                defaults::NETWORK_MODE
            }
            None if fargate_compatible => "awsvpc",
            None => defaults::NETWORK_MODE,
        };
        match network_mode {
            "awsvpc" => {}
            "bridge" | "host" | "none" | "default" if fargate_compatible && t.network_mode.is_some() => self.problem(
                format!("{path}.networkMode"),
                format!("Fargate requires \"awsvpc\", found {network_mode:?}"),
            ),
            "bridge" | "host" | "none" | "default" => {}
            other => self.problem(
                format!("{path}.networkMode"),
                format!("expected \"awsvpc\", \"bridge\", \"host\", \"none\" or (Windows) \"default\", found {other:?}"),
            ),
        }
        // On EC2 each awsvpc task takes one ENI of its instance ("Each Amazon ECS task that
        // uses the awsvpc network mode receives its own elastic network interface", ECS
        // Developer Guide, container-instance-eni.md); on Fargate it is AWS's, not counted.
        let eni = u32::from(network_mode == "awsvpc");
        if self.problems.len() > before {
            return None;
        }
        let start_failure_probability =
            match t.ecsim.as_ref().and_then(|e| e.start_failure_probability) {
                None => 0.0,
                Some(p) if (0.0..=1.0).contains(&p) => p,
                Some(p) => {
                    self.problem(
                        format!("{path}.ecsim.startFailureProbability"),
                        format!("expected a probability from 0 to 1, found {p}"),
                    );
                    0.0
                }
            };
        if self.problems.len() > before {
            return None;
        }
        Some(TaskDefinition {
            start_failure_probability,
            member_of,
            family: t.family.clone(),
            size: Resources::new(cpu.0, memory.0).with_devices(eni, gpu, neuron),
            arch,
            ec2_compatible,
            fargate_compatible,
            external_compatible,
            cpu_hard_limit: t.cpu.is_some(),
            os,
            os_family,
            ephemeral_storage_gib,
        })
    }

    /// The GPUs and Neuron devices a task definition's containers ask for.
    ///
    /// GPUs: `resourceRequirements` of type `GPU`, whose `value` is a whole number of
    /// physical GPUs, summed over the containers ("The number of GPUs reserved for all
    /// containers in a task cannot exceed the number of available GPUs on the container
    /// instance", ECS Developer Guide, ecs-gpu.md). Neuron devices (Inferentia, Trainium):
    /// ECS takes no requirement for them — "Neuron resource requirements can't be defined in a
    /// task definition. Instead, you configure a container to use specific AWS Trainium or AWS
    /// Inferentia chips available on the host container instance ... using the
    /// `linuxParameters` parameter" and "Only one inference or inference-training task can run
    /// on each chip" (ECS Developer Guide, ecs-inference.md) — so the model counts the distinct
    /// `/dev/neuronN` host paths the containers map and reserves that many whole chips.
    fn container_devices(
        &mut self,
        path: &str,
        containers: Option<&[serde_json::Value]>,
    ) -> (u32, u32) {
        let mut gpu: u32 = 0;
        let mut neuron: Vec<u32> = Vec::new();
        for (i, c) in containers.unwrap_or_default().iter().enumerate() {
            let cp = format!("{path}.containerDefinitions[{i}]");
            for (j, r) in c
                .get("resourceRequirements")
                .and_then(|r| r.as_array())
                .into_iter()
                .flatten()
                .enumerate()
            {
                let rp = format!("{cp}.resourceRequirements[{j}]");
                match r.get("type").and_then(|t| t.as_str()) {
                    Some("GPU") => {
                        // AWS's `value` is a string ("2"); a bare number is taken too.
                        let v = r.get("value");
                        let n = match v {
                            Some(serde_json::Value::String(s)) => s.trim().parse::<u32>().ok(),
                            Some(serde_json::Value::Number(n)) => {
                                n.as_u64().and_then(|x| u32::try_from(x).ok())
                            }
                            _ => None,
                        };
                        match n {
                            Some(n) if (1..=MAX_TASK_GPUS).contains(&n) => gpu = gpu.saturating_add(n),
                            _ => self.problem(
                                format!("{rp}.value"),
                                format!(
                                    "expected a whole number of GPUs from 1 to {MAX_TASK_GPUS} (as a string, e.g. \"1\"), found {}",
                                    v.map_or_else(|| "nothing".to_string(), |v| v.to_string())
                                ),
                            ),
                        }
                    }
                    Some("InferenceAccelerator") => {}
                    other => self.problem(
                        format!("{rp}.type"),
                        format!(
                            "expected \"GPU\" or \"InferenceAccelerator\", found {}",
                            other.map_or_else(|| "nothing".to_string(), |o| format!("{o:?}"))
                        ),
                    ),
                }
            }
            for (j, d) in c
                .get("linuxParameters")
                .and_then(|l| l.get("devices"))
                .and_then(|d| d.as_array())
                .into_iter()
                .flatten()
                .enumerate()
            {
                let Some(host) = d.get("hostPath").and_then(|h| h.as_str()) else {
                    self.problem(
                        format!("{cp}.linuxParameters.devices[{j}].hostPath"),
                        "expected the device's path on the instance, e.g. \"/dev/neuron0\"",
                    );
                    continue;
                };
                if let Some(n) = neuron_device(host) {
                    if !neuron.contains(&n) {
                        neuron.push(n);
                    }
                }
            }
        }
        if gpu > MAX_TASK_GPUS {
            self.problem(
                format!("{path}.containerDefinitions"),
                format!("the containers ask for {gpu} GPUs together; no instance type has more than {MAX_TASK_GPUS}"),
            );
        }
        // At most a few dozen distinct paths: the count fits.
        (gpu, u32::try_from(neuron.len()).unwrap_or(u32::MAX))
    }

    fn cpu_value(&mut self, path: &str, v: &serde_json::Value) -> Option<CpuUnits> {
        let parsed = match v {
            serde_json::Value::Number(n) => n.as_u64().map(|x| x as f64),
            serde_json::Value::String(s) => {
                let t = s.trim();
                let lower = t.to_ascii_lowercase();
                if let Some(num) = lower.strip_suffix("vcpu") {
                    num.trim()
                        .parse::<f64>()
                        .ok()
                        .map(|x| x * f64::from(CPU_UNITS_PER_VCPU))
                } else {
                    t.parse::<u64>().ok().map(|x| x as f64)
                }
            }
            _ => None,
        };
        match parsed {
            Some(x) if (0.0..=1_000_000.0).contains(&x) && x.fract() == 0.0 => {
                Some(CpuUnits(x as u32))
            }
            _ => {
                self.problem(
                    path,
                    format!("expected CPU units (\"512\", 512) or vCPUs (\"0.5 vCPU\"), found {v}"),
                );
                None
            }
        }
    }

    fn memory_value(&mut self, path: &str, v: &serde_json::Value) -> Option<MemoryMib> {
        let parsed = match v {
            serde_json::Value::Number(n) => n.as_u64().map(|x| x as f64),
            serde_json::Value::String(s) => {
                let t = s.trim();
                let lower = t.to_ascii_lowercase();
                if let Some(num) = lower.strip_suffix("gb") {
                    num.trim().parse::<f64>().ok().map(|x| x * 1024.0)
                } else {
                    t.parse::<u64>().ok().map(|x| x as f64)
                }
            }
            _ => None,
        };
        match parsed {
            Some(x) if x.is_finite() && x > 0.0 && x <= 10_000_000.0 && x.fract() == 0.0 => {
                Some(MemoryMib(x as u32))
            }
            _ => {
                self.problem(
                    path,
                    format!("expected MiB (\"1024\", 1024) or GB (\"1 GB\"), found {v}"),
                );
                None
            }
        }
    }

    /// Resolves launchType / capacityProviderStrategy / the cluster default.
    #[allow(clippy::too_many_arguments)]
    fn launch(
        &mut self,
        path: &str,
        launch_type: Option<&str>,
        strategy: Option<&Vec<StrategyItemFile>>,
        names: &Names,
        default_strategy: &[StrategyItem],
        td: &TaskDefinition,
    ) -> Option<LaunchTarget> {
        let target = match (launch_type, strategy) {
            (Some(_), Some(_)) => {
                self.problem(
                    path,
                    "launchType and capacityProviderStrategy are mutually exclusive; give one",
                );
                return None;
            }
            (Some("EC2"), None) => LaunchTarget::Ec2,
            (Some("FARGATE"), None) => LaunchTarget::Fargate,
            (Some("EXTERNAL"), None) => {
                return external::launch(self, path, td, &names.external_groups);
            }
            (Some(o), None) => {
                self.problem(
                    format!("{path}.launchType"),
                    format!("expected \"EC2\", \"FARGATE\" or \"EXTERNAL\", found {o:?}"),
                );
                return None;
            }
            (None, Some(items)) => {
                let s = self.strategy(
                    &format!("{path}.capacityProviderStrategy"),
                    items,
                    &names.providers,
                    &names.associated,
                )?;
                if s.is_empty() {
                    self.problem(
                        format!("{path}.capacityProviderStrategy"),
                        "expected at least one item (or leave it out for the cluster default)",
                    );
                    return None;
                }
                LaunchTarget::Strategy(s)
            }
            // The default strategy has problems of its own: the target is unknown.
            (None, None) if self.broken.default_strategy || self.broken.cluster => return None,
            // [DOC] §2.1: neither given → the cluster's default strategy; with none, EC2.
            (None, None) if default_strategy.is_empty() => LaunchTarget::Ec2,
            (None, None) => LaunchTarget::Strategy(default_strategy.to_vec()),
        };
        let uses_fargate = match &target {
            LaunchTarget::Ec2 | LaunchTarget::External => false,
            LaunchTarget::Fargate => true,
            LaunchTarget::Strategy(s) => s.iter().any(|x| {
                !matches!(
                    names.providers[x.capacity_provider.index()].kind,
                    CapacityProviderKind::AutoScalingGroup(_)
                )
            }),
        };
        let uses_fargate_spot = match &target {
            LaunchTarget::Strategy(s) => s.iter().any(|x| {
                matches!(
                    names.providers[x.capacity_provider.index()].kind,
                    CapacityProviderKind::FargateSpot
                )
            }),
            _ => false,
        };
        if uses_fargate_spot && td.os == FargateOs::Windows {
            // Amazon ECS Developer Guide, "Fargate capacity providers": "Windows containers
            // on Fargate don't support the Fargate Spot capacity provider."
            self.problem(format!("{path}.capacityProviderStrategy"), format!("task definition {:?} is a Windows task, and Fargate Spot does not run Windows containers; use FARGATE", td.family));
        }
        if uses_fargate && !td.fargate_compatible {
            self.problem(format!("{path}.taskDefinition"), format!("task definition {:?} is not Fargate-compatible; add \"FARGATE\" to its requiresCompatibilities", td.family));
        }
        if !uses_fargate && !td.ec2_compatible {
            self.problem(format!("{path}.taskDefinition"), format!("task definition {:?} is not EC2-compatible; add \"EC2\" to its requiresCompatibilities", td.family));
        }
        Some(target)
    }

    fn placement(
        &mut self,
        path: &str,
        strategy: Option<&Vec<PlacementStrategyFile>>,
        constraints: Option<&Vec<PlacementConstraintFile>>,
        names: &Names,
        target: Option<&LaunchTarget>,
        td: Option<&TaskDefinition>,
    ) -> (
        Vec<PlacementStrategy>,
        Vec<PlacementConstraint>,
        Vec<expression::Expr>,
    ) {
        let mut out_s = Vec::new();
        let mut out_c = Vec::new();
        // The memberOf expressions as parsed, for the static capacity check.
        let mut member_of = Vec::new();
        let on_fargate = matches!(target, Some(LaunchTarget::Fargate))
            || matches!(target, Some(LaunchTarget::Strategy(s)) if s.iter().any(|x| !matches!(names.providers[x.capacity_provider.index()].kind, CapacityProviderKind::AutoScalingGroup(_))));
        // The task definition's own memberOf constraints apply wherever it is placed, with
        // the service's or workload's (RegisterTaskDefinition, placementConstraints).
        if let Some(td) = td.filter(|td| !td.member_of.is_empty()) {
            if on_fargate {
                self.problem(
                    format!("{path}.taskDefinition"),
                    format!("task definition {:?} has placementConstraints, which Fargate does not support; remove them or launch on EC2", td.family),
                );
                return (out_s, out_c, member_of);
            }
            let attr_names = self.attribute_names(names);
            for expr in &td.member_of {
                out_c.push(PlacementConstraint::MemberOf(expr.compile(&attr_names)));
                member_of.push(expr.clone());
            }
        }
        let given =
            strategy.is_some_and(|s| !s.is_empty()) || constraints.is_some_and(|c| !c.is_empty());
        if on_fargate && given {
            // [DOC] §4.2: placement strategies and constraints are not supported on Fargate.
            self.problem(
                format!("{path}.placementStrategy"),
                "placement strategies and constraints are not supported on Fargate; remove them",
            );
            return (out_s, out_c, member_of);
        }
        if let Some(list) = strategy {
            if list.len() > MAX_PLACEMENT_STRATEGIES {
                self.problem(
                    format!("{path}.placementStrategy"),
                    format!(
                        "expected at most {MAX_PLACEMENT_STRATEGIES} rules, found {}",
                        list.len()
                    ),
                );
            }
            for (i, s) in list.iter().enumerate() {
                let sp = format!("{path}.placementStrategy[{i}]");
                let field = s.field.as_deref();
                let parsed = match (s.kind.as_str(), field) {
                    ("random", None) => Some(PlacementStrategy::Random),
                    ("random", Some(_)) => {
                        self.problem(format!("{sp}.field"), "random takes no field");
                        None
                    }
                    ("binpack", Some(f)) if f.eq_ignore_ascii_case("cpu") => {
                        Some(PlacementStrategy::Binpack(BinpackField::Cpu))
                    }
                    ("binpack", Some(f)) if f.eq_ignore_ascii_case("memory") => {
                        Some(PlacementStrategy::Binpack(BinpackField::Memory))
                    }
                    ("binpack", f) => {
                        let found = f.map_or("no field".to_string(), |f| format!("{f:?}"));
                        self.problem(
                            format!("{sp}.field"),
                            format!("binpack needs field \"cpu\" or \"memory\", found {found}"),
                        );
                        None
                    }
                    ("spread", Some("instanceId" | "host")) => {
                        Some(PlacementStrategy::Spread(SpreadField::InstanceId))
                    }
                    ("spread", Some(f)) => match Attribute::parse(f) {
                        Some(a) => Some(PlacementStrategy::Spread(SpreadField::Attribute(a))),
                        None => {
                            self.problem(format!("{sp}.field"), format!("spread needs \"instanceId\", \"host\" or one of attribute:ecs.availability-zone, attribute:ecs.instance-type, attribute:ecs.cpu-architecture, attribute:ecs.os-type, attribute:ecs.os-family; found {f:?}"));
                            None
                        }
                    },
                    ("spread", None) => {
                        self.problem(
                            format!("{sp}.field"),
                            "spread needs a field, e.g. \"attribute:ecs.availability-zone\"",
                        );
                        None
                    }
                    (o, _) => {
                        self.problem(
                            format!("{sp}.type"),
                            format!("expected \"binpack\", \"spread\" or \"random\", found {o:?}"),
                        );
                        None
                    }
                };
                out_s.extend(parsed);
            }
        }
        if let Some(list) = constraints {
            if list.len() > MAX_PLACEMENT_CONSTRAINTS {
                self.problem(
                    format!("{path}.placementConstraints"),
                    format!(
                        "expected at most {MAX_PLACEMENT_CONSTRAINTS} constraints, found {}",
                        list.len()
                    ),
                );
            }
            let attr_names = self.attribute_names(names);
            for (i, c) in list.iter().enumerate() {
                let cp = format!("{path}.placementConstraints[{i}]");
                match (c.kind.as_str(), c.expression.as_deref()) {
                    ("distinctInstance", None) => out_c.push(PlacementConstraint::DistinctInstance),
                    ("distinctInstance", Some(_)) => self.problem(format!("{cp}.expression"), "distinctInstance takes no expression"),
                    ("memberOf", Some(e)) => match expression::parse(e) {
                        Ok(expr) => {
                            out_c.push(PlacementConstraint::MemberOf(expr.compile(&attr_names)));
                            member_of.push(expr);
                        }
                        Err(err) => self.problem(format!("{cp}.expression"), err.to_string()),
                    },
                    ("memberOf", None) => self.problem(format!("{cp}.expression"), "memberOf needs an expression, e.g. \"attribute:ecs.availability-zone in [us-east-1a, us-east-1b]\""),
                    (o, _) => self.problem(format!("{cp}.type"), format!("expected \"distinctInstance\" or \"memberOf\", found {o:?}")),
                }
            }
        }
        (out_s, out_c, member_of)
    }

    fn attribute_names(&self, names: &Names) -> crate::scheduler::placement::AttributeNames {
        crate::scheduler::placement::AttributeNames::new(
            names.azs.clone(),
            names
                .catalog
                .instance_types
                .iter()
                .map(|t| t.name.clone())
                .collect(),
        )
    }

    fn find_task_def(&mut self, path: &str, name: &str, names: &Names) -> Option<TaskDefId> {
        // `family:revision` names the family; ecsim keeps one revision per family.
        let family = name.rsplit('/').next().unwrap_or(name);
        let family = family.split(':').next().unwrap_or(family);
        match names.task_defs.iter().position(|t| t.family == family) {
            Some(i) => Some(TaskDefId::from_index(i)),
            None if Broken::has(&self.broken.task_defs, family) => None,
            None if !self.broken.first_missing("task definition", family) => None,
            None => {
                self.problem(
                    path,
                    format!(
                        "no task definition with family {family:?}; expected one of {}",
                        list(names.task_defs.iter().map(|t| t.family.as_str()))
                    ),
                );
                None
            }
        }
    }

    fn service(
        &mut self,
        path: &str,
        s: &ServiceFile,
        names: &Names,
        default_strategy: &[StrategyItem],
    ) -> Option<ServiceSpec> {
        let before = self.problems.len();
        if s.service_name.trim().is_empty() {
            self.problem(format!("{path}.serviceName"), "expected a non-empty name");
        }
        let daemon = match s.scheduling_strategy.as_deref() {
            None | Some("REPLICA") => false,
            Some("DAEMON") => true,
            Some(st) => {
                self.problem(
                    format!("{path}.schedulingStrategy"),
                    format!("expected \"REPLICA\" or \"DAEMON\", found {st:?}"),
                );
                false
            }
        };
        if daemon {
            self.daemon_refusals(path, s);
        } else {
            match s.desired_count {
                None => self.problem(
                    format!("{path}.desiredCount"),
                    "expected the number of tasks to keep running (required for a REPLICA service)",
                ),
                Some(n) if !(0..=MAX_DESIRED_COUNT).contains(&n) => self.problem(
                    format!("{path}.desiredCount"),
                    format!("expected 0 to {MAX_DESIRED_COUNT}, found {n}"),
                ),
                Some(_) => {}
            }
        }
        let td = self.find_task_def(&format!("{path}.taskDefinition"), &s.task_definition, names);
        // A DAEMON service runs on the cluster's container instances: launch type EC2
        // whatever the cluster's default strategy (a strategy or Fargate was refused above).
        let launch_type = if daemon {
            Some("EC2")
        } else {
            s.launch_type.as_deref()
        };
        let strategy_items = if daemon {
            None
        } else {
            s.capacity_provider_strategy.as_ref()
        };
        let launch = td.and_then(|td| {
            self.launch(
                path,
                launch_type,
                strategy_items,
                names,
                default_strategy,
                &names.task_defs[td.index()],
            )
        });
        if launch == Some(LaunchTarget::External)
            && s.load_balancers.as_ref().is_some_and(|l| !l.is_empty())
        {
            // "Amazon ECS clusters for external instances": no Elastic Load Balancing for
            // external instances.
            self.problem(
                format!("{path}.loadBalancers"),
                "external instances (ECS Anywhere) do not support Elastic Load Balancing; leave loadBalancers out of a service with launchType \"EXTERNAL\"",
            );
        }
        // A DAEMON service's strategy, load and auto scaling were refused above: not read
        // again, so each mistake gives one message.
        let (strategy, constraints, member_of) = self.placement(
            path,
            if daemon {
                None
            } else {
                s.placement_strategy.as_ref()
            },
            s.placement_constraints.as_ref(),
            names,
            launch.as_ref(),
            td.map(|td| &names.task_defs[td.index()]),
        );
        let load = s
            .load
            .as_ref()
            .filter(|_| !daemon)
            .and_then(|l| self.service_load(&format!("{path}.load"), l));
        let knobs = self.scaling_defaults.unwrap_or(scaling::ScalingDefaults {
            high_datapoints: crate::autoscaling::target_tracking::DEFAULT_HIGH_ALARM_DATAPOINTS,
            low_datapoints: crate::autoscaling::target_tracking::DEFAULT_LOW_ALARM_DATAPOINTS,
            low_ratio: crate::autoscaling::target_tracking::DEFAULT_LOW_ALARM_RATIO,
        });
        let auto_scaling = s.auto_scaling.as_ref().filter(|_| !daemon).and_then(|a| {
            self.service_auto_scaling(&format!("{path}.autoScaling"), a, s.load.is_some(), knobs)
        });
        let deployment = self.deployment_config(path, s);
        let planned = self.deployment_schedule(path, s, names);
        let (az_rebalancing, az_rebalancing_off) =
            self.az_rebalancing(path, s, daemon, &deployment, &strategy, &member_of);
        if self.problems.len() > before {
            return None;
        }
        let td = td?;
        let launch = launch?;
        self.check_capacity(
            path,
            &format!("service {:?}", s.service_name),
            &names.task_defs[td.index()],
            None,
            &launch,
            &member_of,
            names,
        );
        let mut deployment_schedule = Vec::with_capacity(planned.len());
        for (when, new_td, td_path) in planned {
            if let Some(n) = new_td.filter(|&n| n != td) {
                let def = &names.task_defs[n.index()];
                let fargate = matches!(launch, LaunchTarget::Fargate)
                    || matches!(&launch, LaunchTarget::Strategy(items) if items.iter().any(|i| !matches!(names.providers[i.capacity_provider.index()].kind, CapacityProviderKind::AutoScalingGroup(_))));
                if launch == LaunchTarget::External {
                    if !def.external_compatible {
                        self.problem(&td_path, format!("task definition {:?} is not EXTERNAL-compatible; add \"EXTERNAL\" to its requiresCompatibilities", def.family));
                    }
                } else if fargate && !def.fargate_compatible {
                    self.problem(&td_path, format!("task definition {:?} is not Fargate-compatible; add \"FARGATE\" to its requiresCompatibilities", def.family));
                } else if !fargate && !def.ec2_compatible {
                    self.problem(&td_path, format!("task definition {:?} is not EC2-compatible; add \"EC2\" to its requiresCompatibilities", def.family));
                } else {
                    self.check_capacity(
                        &td_path,
                        &format!("service {:?} (deployment)", s.service_name),
                        def,
                        None,
                        &launch,
                        &member_of,
                        names,
                    );
                }
            }
            deployment_schedule.push(DeploymentPlan {
                when,
                task_definition: new_td,
            });
        }
        Some(ServiceSpec {
            deployment,
            deployment_schedule,
            name: s.service_name.clone(),
            task_definition: td,
            // A DAEMON service's desired count is derived at run time (one per qualifying
            // ACTIVE instance).
            desired_count: if daemon {
                0
            } else {
                s.desired_count.unwrap_or(0) as u32
            },
            daemon,
            launch,
            placement_strategy: strategy,
            placement_constraints: constraints,
            load,
            auto_scaling,
            az_rebalancing,
            az_rebalancing_off,
        })
    }

    /// `availabilityZoneRebalancing` of service `s`: whether the scheduler rebalances it.
    ///
    /// Absent: ENABLED when the service is eligible, as ECS defaults a new service; an
    /// explicit ENABLED that ECS refuses is a problem; one that ECS accepts but that "won't
    /// work" (the first placement strategy is not a spread over zones) is a warning.
    /// Source: Amazon ECS Developer Guide, "Balancing an Amazon ECS service across
    /// Availability Zones",
    /// <https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-rebalancing.html>.
    fn az_rebalancing(
        &mut self,
        path: &str,
        s: &ServiceFile,
        daemon: bool,
        deployment: &crate::scheduler::deployment::DeploymentConfig,
        strategy: &[PlacementStrategy],
        member_of: &[expression::Expr],
    ) -> (bool, &'static str) {
        use crate::scheduler::az_rebalancing::Eligibility;
        fn mentions_az(e: &expression::Expr) -> bool {
            match e {
                expression::Expr::Test { subject, .. } => *subject == Attribute::AvailabilityZone,
                expression::Expr::Not(a) => mentions_az(a),
                expression::Expr::And(a, b) | expression::Expr::Or(a, b) => {
                    mentions_az(a) || mentions_az(b)
                }
            }
        }
        // A Classic Load Balancer is named by `loadBalancerName` with no target group.
        let classic_load_balancer = s.load_balancers.as_ref().is_some_and(|lbs| {
            lbs.iter().any(|lb| {
                lb.get("loadBalancerName").is_some_and(|v| !v.is_null())
                    && lb.get("targetGroupArn").map_or(true, |v| v.is_null())
            })
        });
        let eligibility = Eligibility {
            daemon,
            external: s.launch_type.as_deref() == Some("EXTERNAL"),
            maximum_percent: deployment.maximum_percent,
            classic_load_balancer,
            az_constraint: member_of.iter().any(mentions_az),
            spreads_over_zones_first: strategy.first().map_or(true, |f| {
                *f == PlacementStrategy::Spread(SpreadField::Attribute(Attribute::AvailabilityZone))
            }),
        };
        let p = format!("{path}.availabilityZoneRebalancing");
        // Why it is off, for `--explain` (empty when on).
        let why_not = || {
            match eligibility.refusal() {
            Some(r) => r.words(),
            None if !eligibility.works() => "the first placement strategy is not a spread over attribute:ecs.availability-zone, so ECS does not rebalance the service",
            None => "",
        }
        };
        match s.availability_zone_rebalancing.as_deref() {
            None => {
                let on = eligibility.default_enabled();
                (on, if on { "" } else { why_not() })
            }
            Some("DISABLED") => (
                false,
                "availabilityZoneRebalancing is DISABLED in the scenario",
            ),
            Some("ENABLED") => {
                if let Some(r) = eligibility.refusal() {
                    self.problem(p, r.message());
                    (false, r.words())
                } else if !eligibility.works() {
                    self.warnings.push(format!("{p}: the first placement strategy is not a spread over attribute:ecs.availability-zone, so ECS accepts ENABLED but does not rebalance the service; put that spread first or set it to \"DISABLED\""));
                    (false, why_not())
                } else {
                    (true, "")
                }
            }
            Some(o) => {
                self.problem(
                    p,
                    format!("expected \"ENABLED\" or \"DISABLED\", found {o:?}"),
                );
                (false, "")
            }
        }
    }

    /// The DAEMON service settings AWS refuses, one problem each.
    ///
    /// Source: Amazon ECS Developer Guide, "Amazon ECS service deployment controllers and
    /// strategies" (Daemon scheduling strategy),
    /// <https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_service-options.html>:
    /// "there is no need to specify a desired number of tasks, a task placement strategy, or
    /// use Service Auto Scaling policies"; "Fargate tasks do not support the DAEMON scheduling
    /// strategy"; and ecs-reference §5.1 (no capacity provider strategy with DAEMON).
    fn daemon_refusals(&mut self, path: &str, s: &ServiceFile) {
        if s.capacity_provider_strategy.is_some() {
            self.problem(
                format!("{path}.capacityProviderStrategy"),
                "a DAEMON service cannot use a capacity provider strategy (ECS refuses it); leave it out or give launchType \"EC2\"",
            );
        }
        match s.launch_type.as_deref() {
            None | Some("EC2") => {}
            Some("FARGATE") => self.problem(
                format!("{path}.launchType"),
                "Fargate does not support the DAEMON scheduling strategy; use \"EC2\" or a REPLICA service",
            ),
            Some(o) => self.problem(
                format!("{path}.launchType"),
                format!("expected \"EC2\" for a DAEMON service, found {o:?}"),
            ),
        }
        if s.placement_strategy.as_ref().is_some_and(|v| !v.is_empty()) {
            self.problem(
                format!("{path}.placementStrategy"),
                "a DAEMON service takes no placement strategy (one task on every qualifying instance); leave it out",
            );
        }
        if s.auto_scaling.is_some() {
            self.problem(
                format!("{path}.autoScaling"),
                "a DAEMON service cannot use service auto scaling (its task count follows the instances); leave it out",
            );
        }
        if s.load.is_some() {
            self.problem(
                format!("{path}.load"),
                "ecsim does not model a request load on a DAEMON service; leave it out",
            );
        }
    }

    fn workload(
        &mut self,
        path: &str,
        w: &WorkloadFile,
        names: &Names,
        default_strategy: &[StrategyItem],
        horizon: SimDuration,
    ) -> Option<WorkloadSpec> {
        let before = self.problems.len();
        if w.name.trim().is_empty() {
            self.problem(format!("{path}.name"), "expected a non-empty name");
        }
        let td = self.find_task_def(&format!("{path}.taskDefinition"), &w.task_definition, names);
        let launch = td.and_then(|td| {
            self.launch(
                path,
                w.launch_type.as_deref(),
                w.capacity_provider_strategy.as_ref(),
                names,
                default_strategy,
                &names.task_defs[td.index()],
            )
        });
        let (strategy, constraints, member_of) = self.placement(
            path,
            w.placement_strategy.as_ref(),
            w.placement_constraints.as_ref(),
            names,
            launch.as_ref(),
            td.map(|td| &names.task_defs[td.index()]),
        );
        let sp = format!("{path}.source");
        let source = match &w.source {
            SourceFile::Csv(f) => self
                .trace_path(&format!("{sp}.csv.path"), &f.path)
                .map(|path| WorkloadSource::Csv { path }),
            SourceFile::Alibaba(a) => {
                let mut options = AlibabaOptions::default();
                if let Some(m) = a.machine_memory_mib {
                    if m == 0 {
                        self.problem(
                            format!("{sp}.alibaba.machineMemoryMib"),
                            "expected a positive number of MiB",
                        );
                    }
                    options.machine_memory_mib = m;
                }
                if let Some(n) = a.job_sample {
                    if n == 0 {
                        self.problem(
                            format!("{sp}.alibaba.jobSample"),
                            "expected a positive number (1 keeps every job)",
                        );
                    }
                    options.job_sample = n.max(1);
                }
                self.trace_path(&format!("{sp}.alibaba.path"), &a.path)
                    .map(|path| WorkloadSource::Alibaba { path, options })
            }
            SourceFile::AlibabaGpu(a) => {
                let gp = format!("{sp}.alibabaGpu");
                let mut options = AlibabaGpuOptions::default();
                if let Some(phases) = &a.phases {
                    if phases.is_empty() {
                        self.problem(
                            format!("{gp}.phases"),
                            "expected at least one of \"Running\", \"Succeeded\", \"Failed\", \"Pending\"",
                        );
                    }
                    let mut parsed = Vec::with_capacity(phases.len());
                    for (i, phase) in phases.iter().enumerate() {
                        match PodPhase::parse(phase) {
                            Some(p) => parsed.push(p),
                            None => self.problem(
                                format!("{gp}.phases[{i}]"),
                                format!("expected one of \"Running\", \"Succeeded\", \"Failed\", \"Pending\", found {phase:?}"),
                            ),
                        }
                    }
                    options.phases = parsed;
                }
                if let Some(kind) = &a.pods {
                    match kind.as_str() {
                        "all" => options.pods = PodKind::All,
                        "gpu" => options.pods = PodKind::Gpu,
                        "cpuOnly" => options.pods = PodKind::CpuOnly,
                        other => self.problem(
                            format!("{gp}.pods"),
                            format!("expected \"all\", \"gpu\" or \"cpuOnly\", found {other:?}"),
                        ),
                    }
                }
                if let Some(origin) = a.origin {
                    options.origin = origin.0;
                }
                if let Some(b) = &a.before_origin {
                    match b.as_str() {
                        "trimToWindow" => options.before_origin = BeforeOrigin::TrimToWindow,
                        "clampSubmit" => options.before_origin = BeforeOrigin::ClampSubmit,
                        other => self.problem(
                            format!("{gp}.beforeOrigin"),
                            format!(
                                "expected \"trimToWindow\" or \"clampSubmit\", found {other:?}"
                            ),
                        ),
                    }
                }
                if let Some(n) = a.pod_sample {
                    if n == 0 {
                        self.problem(
                            format!("{gp}.podSample"),
                            "expected a positive number (1 keeps every pod)",
                        );
                    }
                    options.pod_sample = n.max(1);
                }
                self.trace_path(&format!("{gp}.path"), &a.path)
                    .map(|path| WorkloadSource::AlibabaGpu { path, options })
            }
            SourceFile::Swf(s) => {
                let mut options = SwfOptions::default();
                for (field, val, slot) in [
                    (
                        "cpuUnitsPerProcessor",
                        s.cpu_units_per_processor,
                        &mut options.cpu_units_per_processor,
                    ),
                    (
                        "memoryMibPerProcessor",
                        s.memory_mib_per_processor,
                        &mut options.memory_mib_per_processor,
                    ),
                    (
                        "processorsPerTask",
                        s.processors_per_task,
                        &mut options.processors_per_task,
                    ),
                ] {
                    if let Some(v) = val {
                        if v == 0 {
                            self.problem(format!("{sp}.swf.{field}"), "expected a positive number");
                        }
                        *slot = v;
                    }
                }
                self.trace_path(&format!("{sp}.swf.path"), &s.path)
                    .map(|path| WorkloadSource::Swf { path, options })
            }
            SourceFile::Poisson(p) => {
                let rate = p.rate_per_hour;
                if !(rate.is_finite() && rate > 0.0) {
                    self.problem(
                        format!("{sp}.poisson.ratePerHour"),
                        format!("expected a positive rate, found {rate}"),
                    );
                } else if rate > MAX_POISSON_RATE_PER_HOUR {
                    // `{:e}`: 1e300 printed with `{}` is a 301-digit number.
                    self.problem(
                        format!("{sp}.poisson.ratePerHour"),
                        format!(
                            "expected at most {MAX_POISSON_RATE_PER_HOUR:e} submissions per hour, found {rate:e}"
                        ),
                    );
                }
                let duration = match self.latency(
                    &format!("{sp}.poisson.duration"),
                    Some(&p.duration),
                    Latency::Fixed(SimDuration::ZERO),
                ) {
                    Latency::Fixed(d) => DurationDistribution::Fixed {
                        secs: d.as_secs_f64(),
                    },
                    Latency::Uniform { min, max } => DurationDistribution::Uniform {
                        min_s: min.as_secs_f64(),
                        max_s: max.as_secs_f64(),
                    },
                    // The generator is parameterised by the mean; ecsim latencies by the median.
                    Latency::LogNormal { median, sigma } => DurationDistribution::LogNormal {
                        mean_s: median.as_secs_f64() * (sigma * sigma / 2.0).exp(),
                        sigma,
                    },
                    Latency::Exponential { mean } => DurationDistribution::Exponential {
                        mean_s: mean.as_secs_f64(),
                    },
                };
                let count = p.count.unwrap_or(1);
                if count == 0 {
                    self.problem(
                        format!("{sp}.poisson.count"),
                        "expected at least 1 task per submission",
                    );
                }
                let size = td
                    .map(|t| names.task_defs[t.index()].size)
                    .unwrap_or_default();
                let start = p.start.map_or(SimDuration::ZERO, |d| d.0);
                let end = p.end.map_or(horizon, |d| d.0);
                if end <= start {
                    self.problem(format!("{sp}.poisson.end"), "expected end after start");
                }
                let options = GeneratedOptions {
                    rate_per_hour: p.rate_per_hour,
                    duration,
                    cpu: size.cpu,
                    memory: size.memory,
                    count: count.max(1),
                    start: SimTime::ZERO + start,
                    end: SimTime::ZERO + end,
                    max_jobs: u64::MAX,
                };
                // Let the generator check its own options too, so `run` cannot fail on them;
                // only when nothing above is wrong (it would repeat that in its own terms)
                // and the task definition, whose size it checks, is known.
                if self.problems.len() == before && td.is_some() {
                    if let Err(e) = GeneratedSource::new(
                        options,
                        crate::engine::RngStreams::new(0).stream(crate::engine::Stream::Workload),
                    ) {
                        let (field, what) = generated_option_field(e.option);
                        let at = match field {
                            Some(f) => format!("{sp}.poisson.{f}"),
                            None => format!("{path}.taskDefinition"),
                        };
                        self.problem(
                            at,
                            format!(
                                "{what}: expected {}, found {}",
                                e.expected.replace("min_s", "min"),
                                e.found
                            ),
                        );
                    }
                }
                Some(WorkloadSource::Generated(options))
            }
        };
        if self.problems.len() > before {
            return None;
        }
        let td = td?;
        let launch = launch?;
        let source = source?;
        // Poisson submissions have the task definition's size; trace rows carry their own,
        // known only as the trace is read, and one too large is counted as never placed.
        if let WorkloadSource::Generated(g) = &source {
            self.check_capacity(
                path,
                &format!("workload {:?}", w.name),
                &names.task_defs[td.index()],
                Some({
                    // The task definition's devices, the generator's CPU and memory, as at
                    // run time.
                    let d = names.task_defs[td.index()].size;
                    Resources::new(g.cpu.0, g.memory.0).with_devices(d.eni, d.gpu, d.neuron)
                }),
                &launch,
                &member_of,
                names,
            );
        }
        Some(WorkloadSpec {
            name: w.name.clone(),
            task_definition: td,
            source,
            launch,
            placement_strategy: strategy,
            placement_constraints: constraints,
        })
    }

    /// Issue 10, point 4: a task that no instance its capacity can launch could ever hold is
    /// an error on its service or workload (it would otherwise wait the whole run unseen).
    /// Silent when a cause it depends on is broken (an Auto Scaling group or the settings),
    /// since that cause has its own message.
    #[allow(clippy::too_many_arguments)]
    fn check_capacity(
        &mut self,
        path: &str,
        owner: &str,
        td: &TaskDefinition,
        size: Option<Resources>,
        launch: &LaunchTarget,
        member_of: &[expression::Expr],
        names: &Names,
    ) {
        let Some(overhead) = names.memory_overhead else {
            return;
        };
        if self.broken.cluster {
            return;
        }
        let needs = capacity::TaskNeeds {
            family: &td.family,
            size: size.unwrap_or(td.size),
            arch: td.arch,
            os: td.os_family,
            member_of,
        };
        let provider_reach = |cp: CapacityProviderId| -> Option<capacity::Reach<'_>> {
            let p = &names.providers[cp.index()];
            match p.kind {
                CapacityProviderKind::AutoScalingGroup(a) => Some(capacity::Reach {
                    asg: &names.asgs[a.index()],
                    provider: Some(p.name.as_str()),
                }),
                CapacityProviderKind::Fargate | CapacityProviderKind::FargateSpot => None,
            }
        };
        let reason = match launch {
            // Fargate sizes are checked with the task definition; external groups by
            // `external::launch`.
            LaunchTarget::Fargate | LaunchTarget::External => None,
            LaunchTarget::Ec2 => {
                // With no group at all, say so once, not once per service and workload.
                if !names.asgs_complete
                    || (names.asgs.is_empty() && !self.broken.first_missing("any group", ""))
                {
                    return;
                }
                let reach: Vec<capacity::Reach<'_>> = names
                    .asgs
                    .iter()
                    .map(|asg| capacity::Reach {
                        asg,
                        provider: None,
                    })
                    .collect();
                capacity::why_never_placed(&needs, &reach, &names.catalog, &names.azs, overhead)
                    .map(|why| format!("{owner} can never place a task: {why}"))
            }
            LaunchTarget::Strategy(items) => {
                // Only items with a base or a weight ever receive tasks.
                let receiving: Vec<capacity::Reach<'_>> = items
                    .iter()
                    .filter(|x| x.base > 0 || x.weight > 0)
                    .filter_map(|x| provider_reach(x.capacity_provider))
                    .collect();
                if receiving.is_empty() {
                    None
                } else {
                    match capacity::why_never_placed(
                        &needs,
                        &receiving,
                        &names.catalog,
                        &names.azs,
                        overhead,
                    ) {
                        Some(all) => Some(format!("{owner} can never place a task: {all}")),
                        // Some provider holds it; one the strategy still sends tasks to may not.
                        None => {
                            let stuck: Vec<String> = receiving
                                .iter()
                                .filter_map(|r| {
                                    capacity::why_never_placed(
                                        &needs,
                                        std::slice::from_ref(r),
                                        &names.catalog,
                                        &names.azs,
                                        overhead,
                                    )
                                    .map(|why| {
                                        format!(
                                            "{owner} can never place the tasks its strategy sends to capacity provider {:?}: {why}",
                                            r.provider.unwrap_or_default()
                                        )
                                    })
                                })
                                .collect();
                            (!stuck.is_empty()).then(|| stuck.join("; "))
                        }
                    }
                }
            }
        };
        if let Some(why) = reason {
            self.problem(path, why);
        }
    }

    fn trace_path(&mut self, path: &str, rel: &str) -> Option<PathBuf> {
        let p = self.base_dir.join(rel);
        if p.is_file() {
            Some(p)
        } else if p.is_dir() {
            self.problem(
                path,
                format!(
                    "{} is a folder; expected a trace file (paths are relative to the scenario file)",
                    p.display()
                ),
            );
            None
        } else {
            self.problem(
                path,
                format!(
                    "trace file {} does not exist (paths are relative to the scenario file)",
                    p.display()
                ),
            );
            None
        }
    }
}

/// The scenario's key for a `GeneratedOptions` field, and how to name it in a message:
/// `None` for the sizes, which come from the task definition.
fn generated_option_field(option: &str) -> (Option<&'static str>, &'static str) {
    match option {
        "rate_per_hour" => (Some("ratePerHour"), "ratePerHour"),
        "end" => (Some("end"), "end"),
        "cpu" => (None, "the task definition's cpu"),
        "memory" => (None, "the task definition's memory"),
        _ => (Some("duration"), "duration"),
    }
}

fn list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let v: Vec<String> = names.map(|n| format!("{n:?}")).collect();
    if v.is_empty() {
        "(none defined)".to_string()
    } else {
        v.join(", ")
    }
}

fn list_strs(names: &[String]) -> String {
    list(names.iter().map(String::as_str))
}

/// The message for an invalid Fargate pair, naming the valid memory values (§7.2).
fn fargate_pair_message(sizes: fargate::FargateSizes, cpu: CpuUnits, memory: MemoryMib) -> String {
    let cpus = match (sizes.os, sizes.large) {
        (fargate::FargateOs::Windows, _) => "1024, 2048, 4096 (Windows on Fargate)",
        (fargate::FargateOs::Linux, true) => "256, 512, 1024, 2048, 4096, 8192, 16384, 32768",
        (fargate::FargateOs::Linux, false) => {
            "256, 512, 1024, 2048, 4096, 8192, 16384 (settings.fargateLargeSizes is false)"
        }
    };
    match sizes.valid_memory_mib(cpu) {
        Some(valid) => {
            format!(
            "{} MiB is not a valid Fargate memory size for {} CPU units; expected one of {} MiB",
            memory.0,
            cpu.0,
            valid.iter().map(|m| m.0.to_string()).collect::<Vec<_>>().join(", ")
        )
        }
        None => format!(
            "{} CPU units is not a valid Fargate CPU size; expected one of {cpus}",
            cpu.0
        ),
    }
}

/// The `resourceRequirements` of type `InferenceAccelerator` among a task definition's
/// containers, as notes: they name Amazon Elastic Inference accelerators (the task
/// definition's `inferenceAccelerators`), which ecsim does not model; Inferentia chips are
/// asked for through `linuxParameters.devices` instead (ECS Developer Guide, ecs-inference.md).
fn inference_accelerator_notes(containers: Option<&[serde_json::Value]>) -> Vec<String> {
    let mut out = Vec::new();
    for (i, c) in containers.unwrap_or_default().iter().enumerate() {
        let Some(list) = c.get("resourceRequirements").and_then(|r| r.as_array()) else {
            continue;
        };
        for r in list {
            if r.get("type").and_then(|t| t.as_str()) == Some("InferenceAccelerator") {
                out.push(format!(
                    "containerDefinitions[{i}].resourceRequirements InferenceAccelerator (Elastic Inference, not modelled; Inferentia chips are mapped with linuxParameters.devices)"
                ));
            }
        }
    }
    out
}

/// `min–max` of a validated range, `min+` when unbounded.
fn show_range((min, max): (u32, Option<u32>)) -> String {
    match max {
        Some(m) => format!("{min}–{m}"),
        None => format!("{min}+"),
    }
}

/// The device number of an AWS Neuron device path, `/dev/neuron<N>`.
fn neuron_device(path: &str) -> Option<u32> {
    path.strip_prefix("/dev/neuron")?.parse().ok()
}

/// Up to six catalog types to suggest for an unknown `name`: its family's sizes if the
/// family is known (a misspelt size), else a few common types of the Region.
fn suggestions(catalog: &Catalog, name: &str) -> String {
    let family = name.split('.').next().unwrap_or(name);
    let same_family: Vec<&str> = catalog
        .instance_types
        .iter()
        .map(|t| t.name.as_str())
        .filter(|n| n.split('.').next() == Some(family))
        .take(6)
        .collect();
    let picks = if same_family.is_empty() {
        [
            "m5.large",
            "m6i.large",
            "c5.large",
            "r5.large",
            "m7g.large",
            "t3.medium",
        ]
        .into_iter()
        .filter(|n| catalog.find(n).is_some())
        .collect()
    } else {
        same_family
    };
    picks.join(", ") + ", …"
}
