//! Stage two: [`file::ScenarioFile`] → [`Scenario`], collecting every problem with its path.

use std::path::{Path, PathBuf};

use super::file::*;
use super::*;
use crate::cloud::{fargate, Catalog};
use crate::defaults;
use crate::engine::SimTime;
use crate::ids::{AsgId, AzId, CapacityProviderId, TaskDefId};
use crate::scheduler::placement::{
    expression, Attribute, BinpackField, PlacementConstraint, PlacementStrategy, SpreadField,
};
use crate::units::{CpuUnits, MemoryMib, CPU_UNITS_PER_VCPU};
use crate::workload::{DurationDistribution, GeneratedSource};

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

/// Reads, parses and validates the scenario at `path`.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let (text, base_dir) = read_file(path)?;
    from_json_str(&text, path, &base_dir)
}

/// The text of the scenario file at `path`, and the folder its relative paths start from.
pub(crate) fn read_file(path: &Path) -> Result<(String, PathBuf), ScenarioError> {
    let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io {
        file: path.to_path_buf(),
        source,
    })?;
    let base_dir = path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    Ok((text, base_dir))
}

/// Parses and validates scenario text; `file` names it in errors, `base_dir` anchors paths.
pub fn from_json_str(text: &str, file: &Path, base_dir: &Path) -> Result<Scenario, ScenarioError> {
    let raw: ScenarioFile = {
        let de = &mut serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let message = if path == "." || path.is_empty() {
                inner.to_string()
            } else {
                format!("{path}: {inner}")
            };
            ScenarioError::Syntax {
                file: file.to_path_buf(),
                line: inner.line(),
                column: inner.column(),
                message,
            }
        })?
    };
    validate_file(raw, base_dir).map_err(|problems| ScenarioError::Invalid {
        file: file.to_path_buf(),
        problems,
    })
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
            message: e.into_inner().to_string(),
        }]
    })?;
    validate_file(raw, base_dir)
}

/// Stage two on a parsed file: every problem, or the scenario.
fn validate_file(raw: ScenarioFile, base_dir: &Path) -> Result<Scenario, Vec<Problem>> {
    let mut v = Validator {
        problems: Vec::new(),
        base_dir: base_dir.to_path_buf(),
        scaling_defaults: None,
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
}

/// Names resolved so far, for cross-references.
struct Names {
    azs: Vec<String>,
    providers: Vec<CapacityProvider>,
    associated: Vec<CapacityProviderId>,
    task_defs: Vec<TaskDefinition>,
    catalog: Catalog,
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
                // serde's path inside the element starts at the element itself.
                let (sub, msg) = match e.split_once(": ") {
                    Some((p, m)) if !p.contains(' ') => (format!("{path}.{p}"), m.to_string()),
                    _ => (path.to_string(), e.clone()),
                };
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
                format!("{} is over the limit of 366 days", duration),
            );
        }

        let catalog = self.catalog(&raw);
        let settings = self.settings(raw.settings.as_ref());

        // Cluster AZs first: everything else refers to them.
        let cluster_raw = self.lenient("cluster", &raw.cluster);
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

        // ASGs (before providers, which refer to them).
        let mut asgs: Vec<AutoScalingGroupSpec> = Vec::new();
        for (i, item) in raw.auto_scaling_groups.iter().enumerate() {
            let path = format!("autoScalingGroups[{i}]");
            let Some(a) = self.lenient(&path, item) else {
                continue;
            };
            if let Some(spec) = self.asg(&path, a, &azs, catalog.as_ref()) {
                if asgs.iter().any(|x| x.name == spec.name) {
                    self.problem(
                        format!("{path}.autoScalingGroupName"),
                        format!("{:?} is defined twice", spec.name),
                    );
                }
                asgs.push(spec);
            }
        }

        // Capacity providers: the ASG-backed ones in file order, then FARGATE and FARGATE_SPOT.
        let mut providers: Vec<CapacityProvider> = Vec::new();
        for (i, item) in raw.capacity_providers.iter().enumerate() {
            let path = format!("capacityProviders[{i}]");
            let Some(p) = self.lenient(&path, item) else {
                continue;
            };
            let knobs = raw
                .settings
                .as_ref()
                .and_then(|l| l.0.as_ref().ok())
                .and_then(|s| s.managed_scaling.as_ref());
            self.provider(&path, p, &mut providers, &mut asgs, knobs);
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
                    None => self.problem(
                        format!("cluster.capacityProviders[{i}]"),
                        format!(
                            "no capacity provider named {name:?}; expected one of {}",
                            list(providers.iter().map(|p| p.name.as_str()))
                        ),
                    ),
                }
            }
            default_strategy = self
                .strategy(
                    "cluster.defaultCapacityProviderStrategy",
                    &c.default_capacity_provider_strategy,
                    &providers,
                    &associated,
                )
                .unwrap_or_default();
        }

        // Task definitions.
        let mut task_defs: Vec<TaskDefinition> = Vec::new();
        for (i, item) in raw.task_definitions.iter().enumerate() {
            let path = format!("taskDefinitions[{i}]");
            let Some(t) = self.lenient(&path, item) else {
                continue;
            };
            if let Some(td) = self.task_definition(&path, t) {
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
        };

        let mut services = Vec::new();
        for (i, item) in raw.services.iter().enumerate() {
            let path = format!("services[{i}]");
            let Some(s) = self.lenient(&path, item) else {
                continue;
            };
            if let Some(spec) = self.service(&path, s, &names, &default_strategy) {
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
                continue;
            };
            if let Some(spec) = self.workload(&path, w, &names, &default_strategy, duration) {
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
        let cluster = Cluster {
            name: cluster_raw
                .map(|c| c.cluster_name.clone())
                .unwrap_or_default(),
            availability_zones: names.azs,
            capacity_providers: names.associated,
            default_strategy,
        };
        let settings = settings?;
        cluster_raw?;
        Some(Scenario {
            name: raw.name,
            description: raw.description.unwrap_or_default(),
            seed: raw.seed.unwrap_or(defaults::SEED),
            duration,
            base_dir: self.base_dir.clone(),
            catalog: names.catalog,
            cluster,
            capacity_providers: names.providers,
            auto_scaling_groups: asgs,
            task_definitions: names.task_defs,
            services,
            workloads,
            settings,
            faults,
        })
    }

    fn catalog(&mut self, raw: &ScenarioFile) -> Option<Catalog> {
        let mut catalog = Catalog::embedded_us_east_1();
        let mut ok = true;
        if let Some(file) = &raw.catalog_file {
            let path = self.base_dir.join(file);
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
        let memory_overhead_fraction = s
            .memory_overhead_fraction
            .unwrap_or(crate::cloud::DEFAULT_VM_MEMORY_OVERHEAD_FRACTION);
        let reserved = MemoryMib(
            s.reserved_memory_mib
                .unwrap_or(crate::cloud::DEFAULT_ECS_RESERVED_MEMORY_MIB),
        );
        let memory_overhead =
            match crate::cloud::MemoryOverhead::from_fraction(memory_overhead_fraction, reserved) {
                Some(m) if memory_overhead_fraction < 0.9 => m,
                _ => {
                    self.problem(
                        format!("{p}.memoryOverheadFraction"),
                        format!(
                            "expected a fraction in [0, 0.9), found {memory_overhead_fraction}"
                        ),
                    );
                    crate::cloud::MemoryOverhead::default()
                }
            };
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
            memory_overhead,
            fargate_launch_burst: s
                .fargate_launch_burst
                .unwrap_or(defaults::FARGATE_LAUNCH_BURST),
            fargate_launch_rate_per_second: s
                .fargate_launch_rate_per_second
                .unwrap_or(defaults::FARGATE_LAUNCH_RATE_PER_SECOND),
            service_scheduler_interval: s
                .service_scheduler_interval
                .map_or(defaults::SERVICE_SCHEDULER_INTERVAL, |d| d.0),
            placement_backfill_window: s
                .placement_backfill_window
                .unwrap_or(defaults::PLACEMENT_BACKFILL_WINDOW),
            max_events: s.max_events.unwrap_or(defaults::MAX_EVENTS),
            event_log_limit: s.event_log_limit.unwrap_or(defaults::EVENT_LOG_LIMIT),
            max_work: s.max_work.unwrap_or(defaults::MAX_WORK),
            max_replica_memory_mib: s
                .max_replica_memory_mib
                .unwrap_or(defaults::MAX_REPLICA_MEMORY_MIB),
        };
        positive(self, "provisioningTimeout", settings.provisioning_timeout.0);
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
        positive(
            self,
            "serviceSchedulerInterval",
            settings.service_scheduler_interval.0,
        );
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
                    None => self.problem(
                        format!("{path}.instanceTypes[{i}]"),
                        format!("unknown instance type {t:?}; expected one of the catalog ({}) or add it under \"catalog\"", catalog.instance_types.iter().take(6).map(|t| t.name.as_str()).collect::<Vec<_>>().join(", ") + ", …"),
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
                    format!("expected 0..={max_allowed}, found {x}"),
                );
                0
            } else {
                x as u32
            }
        };
        let min_size = in_range(self, "minSize", a.min_size);
        let max_size = in_range(self, "maxSize", a.max_size);
        let desired_capacity = in_range(
            self,
            "desiredCapacity",
            a.desired_capacity.unwrap_or(a.min_size),
        );
        if min_size > max_size {
            self.problem(
                format!("{path}.minSize"),
                format!("expected minSize ≤ maxSize, found {min_size} > {max_size}"),
            );
        }
        if desired_capacity < min_size || desired_capacity > max_size {
            self.problem(format!("{path}.desiredCapacity"), format!("expected minSize ≤ desiredCapacity ≤ maxSize, found {desired_capacity} outside {min_size}..={max_size}"));
        }
        let spot = match a.purchase_option.as_deref() {
            None | Some("on-demand") => false,
            Some("spot") => true,
            Some(other) => {
                self.problem(
                    format!("{path}.purchaseOption"),
                    format!("expected \"on-demand\" or \"spot\", found {other:?}"),
                );
                false
            }
        };
        let price_factor = if spot {
            a.spot_price_factor
                .unwrap_or(defaults::EC2_SPOT_PRICE_FACTOR)
        } else {
            if a.spot_price_factor.is_some() {
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
        if self.problems.len() > before {
            return None;
        }
        Some(AutoScalingGroupSpec {
            name: a.auto_scaling_group_name.clone(),
            instance_types: types,
            availability_zones: asg_azs,
            min_size,
            max_size,
            desired_capacity,
            spot,
            price_factor,
            capacity_provider: None,
        })
    }

    fn provider(
        &mut self,
        path: &str,
        p: &CapacityProviderFile,
        providers: &mut Vec<CapacityProvider>,
        asgs: &mut [AutoScalingGroupSpec],
        knobs: Option<&ManagedScalingSettingsFile>,
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
        let g = &p.auto_scaling_group_provider;
        let asg_name = g.auto_scaling_group_arn.rsplit('/').next().unwrap_or("");
        let id = CapacityProviderId::from_index(providers.len());
        let Some(asg_idx) = asgs.iter().position(|a| a.name == asg_name) else {
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
        let managed_scaling = g.managed_scaling.as_ref().and_then(|m| {
            self.managed_scaling(
                &format!("{path}.autoScalingGroupProvider.managedScaling"),
                m,
                knobs,
            )
        });
        // [DOC] ecs-reference §1.7: managed termination protection requires managed scaling.
        if managed_termination_protection && managed_scaling.is_none() {
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
        let mut with_base = 0;
        for (i, it) in items.iter().enumerate() {
            let ip = format!("{path}[{i}]");
            let Some(idx) = providers
                .iter()
                .position(|p| p.name == it.capacity_provider)
            else {
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
            if !associated.contains(&id) {
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
                    format!("expected 0..={MAX_BASE}, found {base}"),
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
                    format!("expected 0..={MAX_WEIGHT}, found {weight}"),
                );
            }
            out.push(StrategyItem {
                capacity_provider: id,
                base: base.clamp(0, MAX_BASE) as u32,
                weight: weight.clamp(0, MAX_WEIGHT) as u32,
            });
        }
        if self.problems.len() > before {
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

    fn task_definition(&mut self, path: &str, t: &TaskDefinitionFile) -> Option<TaskDefinition> {
        let before = self.problems.len();
        if t.family.trim().is_empty() {
            self.problem(format!("{path}.family"), "expected a non-empty family name");
        }
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
                        "EXTERNAL" | "MANAGED_INSTANCES" => self.problem(
                            format!("{path}.requiresCompatibilities[{i}]"),
                            format!(
                                "{c:?} capacity is not modelled; expected \"EC2\" or \"FARGATE\""
                            ),
                        ),
                        other => self.problem(
                            format!("{path}.requiresCompatibilities[{i}]"),
                            format!("expected \"EC2\" or \"FARGATE\", found {other:?}"),
                        ),
                    }
                }
                (e, f)
            }
        };
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
        if let Some(os) = t
            .runtime_platform
            .as_ref()
            .and_then(|r| r.operating_system_family.as_deref())
        {
            if os != "LINUX" {
                self.problem(format!("{path}.runtimePlatform.operatingSystemFamily"), format!("only \"LINUX\" is modelled (Windows billing minimums and sizes differ), found {os:?}"));
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
            let m = c.get("memory").or_else(|| c.get("memoryReservation"));
            if let Some(v) = m {
                match v.as_u64() {
                    Some(x) if x <= 10_000_000 => {
                        c_mem += x as u32;
                        any_mem = true;
                    }
                    _ => self.problem(
                        format!("{cp}.memory"),
                        format!("expected MiB as a whole number, found {v}"),
                    ),
                }
            }
        }
        let cpu = cpu.unwrap_or(CpuUnits(c_cpu));
        let memory = match memory {
            Some(m) => m,
            None if any_mem => MemoryMib(c_mem),
            None => {
                self.problem(format!("{path}.memory"), "expected task-level memory (e.g. \"1024\" or \"1 GB\"), or memory/memoryReservation on the containers");
                MemoryMib(0)
            }
        };
        if fargate_compatible {
            if t.cpu.is_none() {
                self.problem(
                    format!("{path}.cpu"),
                    "Fargate requires task-level cpu (e.g. \"256\" or \".25 vCPU\")",
                );
            } else if t.memory.is_some() && !fargate::is_valid_size(cpu, memory) {
                self.problem(format!("{path}.memory"), fargate_pair_message(cpu, memory));
            }
        }
        if self.problems.len() > before {
            return None;
        }
        Some(TaskDefinition {
            family: t.family.clone(),
            size: Resources { cpu, memory },
            arch,
            ec2_compatible,
            fargate_compatible,
        })
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
            (Some(o), None) => {
                self.problem(
                    format!("{path}.launchType"),
                    format!("expected \"EC2\" or \"FARGATE\", found {o:?}"),
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
            // [DOC] §2.1: neither given → the cluster's default strategy; with none, EC2.
            (None, None) if default_strategy.is_empty() => LaunchTarget::Ec2,
            (None, None) => LaunchTarget::Strategy(default_strategy.to_vec()),
        };
        let uses_fargate = match &target {
            LaunchTarget::Ec2 => false,
            LaunchTarget::Fargate => true,
            LaunchTarget::Strategy(s) => s.iter().any(|x| {
                !matches!(
                    names.providers[x.capacity_provider.index()].kind,
                    CapacityProviderKind::AutoScalingGroup(_)
                )
            }),
        };
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
    ) -> (Vec<PlacementStrategy>, Vec<PlacementConstraint>) {
        let mut out_s = Vec::new();
        let mut out_c = Vec::new();
        let on_fargate = matches!(target, Some(LaunchTarget::Fargate))
            || matches!(target, Some(LaunchTarget::Strategy(s)) if s.iter().any(|x| !matches!(names.providers[x.capacity_provider.index()].kind, CapacityProviderKind::AutoScalingGroup(_))));
        let given =
            strategy.is_some_and(|s| !s.is_empty()) || constraints.is_some_and(|c| !c.is_empty());
        if on_fargate && given {
            // [DOC] §4.2: placement strategies and constraints are not supported on Fargate.
            self.problem(
                format!("{path}.placementStrategy"),
                "placement strategies and constraints are not supported on Fargate; remove them",
            );
            return (out_s, out_c);
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
                        self.problem(
                            format!("{sp}.field"),
                            format!("binpack needs field \"cpu\" or \"memory\", found {f:?}"),
                        );
                        None
                    }
                    ("spread", Some("instanceId" | "host")) => {
                        Some(PlacementStrategy::Spread(SpreadField::InstanceId))
                    }
                    ("spread", Some(f)) => match Attribute::parse(f) {
                        Some(a) => Some(PlacementStrategy::Spread(SpreadField::Attribute(a))),
                        None => {
                            self.problem(format!("{sp}.field"), format!("spread needs \"instanceId\", \"host\" or one of attribute:ecs.availability-zone, attribute:ecs.instance-type, attribute:ecs.cpu-architecture; found {f:?}"));
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
                        Ok(expr) => out_c.push(PlacementConstraint::MemberOf(expr.compile(&attr_names))),
                        Err(err) => self.problem(format!("{cp}.expression"), err.to_string()),
                    },
                    ("memberOf", None) => self.problem(format!("{cp}.expression"), "memberOf needs an expression, e.g. \"attribute:ecs.availability-zone in [us-east-1a, us-east-1b]\""),
                    (o, _) => self.problem(format!("{cp}.type"), format!("expected \"distinctInstance\" or \"memberOf\", found {o:?}")),
                }
            }
        }
        (out_s, out_c)
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
        if let Some(st) = s.scheduling_strategy.as_deref() {
            if st != "REPLICA" {
                self.problem(
                    format!("{path}.schedulingStrategy"),
                    format!("only \"REPLICA\" is modelled so far, found {st:?}"),
                );
            }
        }
        if !(0..=MAX_DESIRED_COUNT).contains(&s.desired_count) {
            self.problem(
                format!("{path}.desiredCount"),
                format!(
                    "expected 0..={MAX_DESIRED_COUNT}, found {}",
                    s.desired_count
                ),
            );
        }
        let td = self.find_task_def(&format!("{path}.taskDefinition"), &s.task_definition, names);
        let launch = td.and_then(|td| {
            self.launch(
                path,
                s.launch_type.as_deref(),
                s.capacity_provider_strategy.as_ref(),
                names,
                default_strategy,
                &names.task_defs[td.index()],
            )
        });
        let (strategy, constraints) = self.placement(
            path,
            s.placement_strategy.as_ref(),
            s.placement_constraints.as_ref(),
            names,
            launch.as_ref(),
        );
        let load = s
            .load
            .as_ref()
            .and_then(|l| self.service_load(&format!("{path}.load"), l));
        let knobs = self.scaling_defaults.unwrap_or(scaling::ScalingDefaults {
            high_datapoints: crate::autoscaling::target_tracking::DEFAULT_HIGH_ALARM_DATAPOINTS,
            low_datapoints: crate::autoscaling::target_tracking::DEFAULT_LOW_ALARM_DATAPOINTS,
            low_ratio: crate::autoscaling::target_tracking::DEFAULT_LOW_ALARM_RATIO,
        });
        let auto_scaling = s.auto_scaling.as_ref().and_then(|a| {
            self.service_auto_scaling(&format!("{path}.autoScaling"), a, s.load.is_some(), knobs)
        });
        if self.problems.len() > before {
            return None;
        }
        Some(ServiceSpec {
            name: s.service_name.clone(),
            task_definition: td?,
            desired_count: s.desired_count as u32,
            launch: launch?,
            placement_strategy: strategy,
            placement_constraints: constraints,
            load,
            auto_scaling,
        })
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
        let (strategy, constraints) = self.placement(
            path,
            w.placement_strategy.as_ref(),
            w.placement_constraints.as_ref(),
            names,
            launch.as_ref(),
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
                if !(p.rate_per_hour.is_finite() && p.rate_per_hour > 0.0 && p.rate_per_hour <= 1e9)
                {
                    self.problem(
                        format!("{sp}.poisson.ratePerHour"),
                        format!("expected a positive rate, found {}", p.rate_per_hour),
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
                // Let the generator check its own options too, so `run` cannot fail on them.
                if let Err(e) = GeneratedSource::new(
                    options,
                    crate::engine::RngStreams::new(0).stream(crate::engine::Stream::Workload),
                ) {
                    self.problem(format!("{sp}.poisson"), e.to_string());
                }
                Some(WorkloadSource::Generated(options))
            }
        };
        if self.problems.len() > before {
            return None;
        }
        Some(WorkloadSpec {
            name: w.name.clone(),
            task_definition: td?,
            source: source?,
            launch: launch?,
            placement_strategy: strategy,
            placement_constraints: constraints,
        })
    }

    fn trace_path(&mut self, path: &str, rel: &str) -> Option<PathBuf> {
        let p = self.base_dir.join(rel);
        if p.is_file() {
            Some(p)
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
fn fargate_pair_message(cpu: CpuUnits, memory: MemoryMib) -> String {
    match fargate::valid_memory_mib(cpu) {
        Some(valid) => format!(
            "{} MiB is not a valid Fargate memory size for {} CPU units; expected one of {} MiB",
            memory.0,
            cpu.0,
            valid.iter().map(|m| m.0.to_string()).collect::<Vec<_>>().join(", ")
        ),
        None => format!(
            "{} CPU units is not a valid Fargate CPU size; expected one of 256, 512, 1024, 2048, 4096, 8192, 16384, 32768",
            cpu.0
        ),
    }
}
