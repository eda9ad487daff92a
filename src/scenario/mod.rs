//! The scenario: read the JSON file, apply defaults, resolve names to typed ids, check
//! everything, and hand the engine a [`Scenario`] it can trust.
//!
//! Two stages (ripgrep's lowargs → hiargs): [`file`](mod@file) mirrors the JSON exactly; `validate`
//! is the only place that applies defaults and checks cross-references, and it collects
//! *every* problem with its JSON path before giving up.
//! The model accepts only a validated [`Scenario`], so its preconditions are carried by the
//! type. Model types do not derive `Serialize`: the JSON format is the stability boundary.

pub mod duration;
pub mod file;
mod validate;
pub mod variants;
pub(crate) mod words;

use std::path::{Path, PathBuf};

use crate::cloud::Catalog;
use crate::distribution::Latency;
use crate::engine::SimDuration;
use crate::ids::{AsgId, AzId, CapacityProviderId, InstanceTypeId, TaskDefId};
use crate::scheduler::placement::{PlacementConstraint, PlacementStrategy};
use crate::units::{CpuArchitecture, Resources};
use crate::workload::{AlibabaGpuOptions, AlibabaOptions, GeneratedOptions, SwfOptions};

/// Validates a scenario held as a JSON value (a patched document: variants, sweep points).
pub(crate) use validate::from_value;
pub(crate) use validate::strip_bom;
pub use validate::work::{
    check as check_work, estimate as estimate_work, human_bytes, TracedWork, WorkEstimate, WorkPart,
};
pub use validate::{from_json_str, load};
pub use variants::{
    load_set, load_set_with, set_from_json_str, set_from_json_str_with, Override, ScenarioSet,
    Variant,
};

/// One problem in a scenario: where and what was expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// JSON path, e.g. `services[2].desiredCount`.
    pub path: String,
    /// What is wrong and what was expected.
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    // `error`, not `source`: the OS error is in the message, and a `source` would make
    // `{:#}` print it twice (issue 10, point 5).
    #[error("{file}: cannot read the scenario: {error}")]
    Io {
        /// The scenario file.
        file: PathBuf,
        /// The OS error (in the message, so not a `source`).
        error: std::io::Error,
    },
    /// The file is not JSON, or its top level does not have the expected shape.
    #[error("{file}:{line}:{column}: {message}")]
    Syntax {
        /// The scenario file.
        file: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What serde found and expected.
        message: String,
    },
    /// The JSON is well formed but the scenario is not valid.
    #[error("{file}: {} problem{} found:\n{}", problems.len(), if problems.len() == 1 { "" } else { "s" }, problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid {
        /// The scenario file.
        file: PathBuf,
        /// Every problem, in document order.
        problems: Vec<Problem>,
    },
}

/// A validated scenario. Names are resolved to ids; defaults are applied.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Scenario name.
    pub name: String,
    /// What it shows.
    pub description: String,
    /// Root seed.
    pub seed: u64,
    /// Simulated span.
    pub duration: SimDuration,
    /// Folder of the scenario file; trace paths are relative to it.
    pub base_dir: PathBuf,
    /// Instance types and prices, with overrides applied.
    pub catalog: Catalog,
    /// The cluster.
    pub cluster: Cluster,
    /// Capacity providers, indexed by [`CapacityProviderId`].
    pub capacity_providers: Vec<CapacityProvider>,
    /// Auto Scaling groups, indexed by [`AsgId`].
    pub auto_scaling_groups: Vec<AutoScalingGroupSpec>,
    /// Task definitions, indexed by [`TaskDefId`].
    pub task_definitions: Vec<TaskDefinition>,
    /// Services, indexed by `ServiceId`.
    pub services: Vec<ServiceSpec>,
    /// Batch workloads, indexed by `WorkloadId`.
    pub workloads: Vec<WorkloadSpec>,
    /// Model settings in force.
    pub settings: Settings,
    /// Failures to inject (all off unless the scenario lists them).
    pub faults: Faults,
    /// One line per pasted AWS object (task definition, service, capacity provider) naming
    /// the AWS fields it carried that ecsim set aside, and those AWS honours but the model
    /// does not; `ecsim validate` prints them.
    pub aws_ignored: Vec<String>,
    /// Mistakes the run can go past, each `path: message` (a commitment on an instance
    /// family the scenario never runs On-Demand); `validate` prints them, `run` on stderr.
    pub warnings: Vec<String>,
    /// Savings Plans and Reserved Instances, applied to the usage after the run.
    pub commitments: Vec<crate::billing::commitments::Commitment>,
}

/// Failures to inject. Each model draws from its own RNG stream.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    /// Instance failures.
    pub instance_failures: Vec<InstanceFailureSpec>,
    /// Scheduled AZ outages, merged and sorted.
    pub az_outages: Vec<crate::faults::outage::AzOutageWindow>,
    /// Random AZ outages.
    pub random_az_outages: Option<crate::faults::outage::RandomAzOutages>,
    /// EC2 Spot interruption notices per Spot instance-hour (0: none).
    pub spot_rate_per_instance_hour: f64,
    /// EC2 Spot interruption notices at these times (one Spot instance each).
    pub spot_at: Vec<SimDuration>,
    /// Fargate Spot interruptions per FARGATE_SPOT task-hour (0: none).
    pub fargate_spot_rate_per_task_hour: f64,
    /// Scheduled Fargate Spot capacity shortages, merged and sorted.
    pub fargate_spot_shortages: Vec<crate::faults::fargate_spot::ShortageWindow>,
    /// Random Fargate Spot capacity shortages.
    pub random_fargate_spot_shortages: Option<crate::faults::fargate_spot::RandomShortages>,
    /// Task crashes.
    pub task_crashes: Vec<TaskCrashSpec>,
}

impl Faults {
    /// True when no fault model is on.
    pub fn is_empty(&self) -> bool {
        self.instance_failures.is_empty()
            && self.az_outages.is_empty()
            && self.random_az_outages.is_none()
            && self.spot_rate_per_instance_hour == 0.0
            && self.spot_at.is_empty()
            && self.fargate_spot_rate_per_task_hour == 0.0
            && self.fargate_spot_shortages.is_empty()
            && self.random_fargate_spot_shortages.is_none()
            && self.task_crashes.is_empty()
    }
}

/// Which instances an instance failure model applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultScope {
    /// Every EC2 instance.
    All,
    /// Instances behind this capacity provider.
    CapacityProvider(CapacityProviderId),
    /// Instances of this type.
    InstanceType(InstanceTypeId),
}

/// One instance failure model.
#[derive(Clone, Debug)]
pub struct InstanceFailureSpec {
    /// Which instances.
    pub scope: FaultScope,
    /// When they fail.
    pub lifetime: crate::faults::lifetime::TimeToFailure,
}

/// Task crashes of one service or workload.
#[derive(Clone, Copy, Debug)]
pub struct TaskCrashSpec {
    /// The service or workload.
    pub owner: crate::ids::Owner,
    /// Crashes per RUNNING task-hour.
    pub rate_per_task_hour: f64,
    /// Probability that a task fails before it reaches RUNNING.
    pub crash_at_start_probability: f64,
}

/// The cluster.
#[derive(Clone, Debug)]
pub struct Cluster {
    /// `clusterName`.
    pub name: String,
    /// AZ names, indexed by [`AzId`].
    pub availability_zones: Vec<String>,
    /// Providers associated with the cluster.
    pub capacity_providers: Vec<CapacityProviderId>,
    /// `defaultCapacityProviderStrategy` (empty: launch type EC2).
    pub default_strategy: Vec<StrategyItem>,
}

/// What backs a capacity provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CapacityProviderKind {
    /// An EC2 Auto Scaling group.
    AutoScalingGroup(AsgId),
    /// `FARGATE`.
    Fargate,
    /// `FARGATE_SPOT`.
    FargateSpot,
}

/// A capacity provider.
#[derive(Clone, Debug)]
pub struct CapacityProvider {
    /// Its name.
    pub name: String,
    /// What backs it.
    pub kind: CapacityProviderKind,
    /// Managed termination protection (only for ASG providers).
    pub managed_termination_protection: bool,
    /// Managed draining (only for ASG providers).
    pub managed_draining: bool,
    /// Managed scaling (cluster auto scaling), when enabled.
    pub managed_scaling: Option<crate::autoscaling::managed_scaling::ManagedScalingConfig>,
    /// A `managedInstancesProvider`: ECS launches and consolidates the instances of its
    /// hidden Auto Scaling group (kind [`CapacityProviderKind::AutoScalingGroup`]) itself.
    pub managed_instances: Option<crate::autoscaling::managed_instances::ManagedInstancesConfig>,
}

/// One item of a capacity provider strategy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StrategyItem {
    /// The provider.
    pub capacity_provider: CapacityProviderId,
    /// Tasks placed here before weights apply.
    pub base: u32,
    /// Relative share after the base.
    pub weight: u32,
}

/// How a service's or workload's tasks get capacity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LaunchTarget {
    /// `launchType: EC2`: any instance of the cluster; invisible to cluster auto scaling.
    Ec2,
    /// `launchType: FARGATE`.
    Fargate,
    /// A capacity provider strategy (given, or the cluster default).
    Strategy(Vec<StrategyItem>),
    /// `launchType: EXTERNAL` (ECS Anywhere): the cluster's external instances only, never
    /// a capacity provider (ECS refuses one for external instances).
    External,
}

/// An Auto Scaling group as configured.
#[derive(Clone, Debug)]
pub struct AutoScalingGroupSpec {
    /// `autoScalingGroupName`.
    pub name: String,
    /// Instance types; the first is launched.
    pub instance_types: Vec<InstanceTypeId>,
    /// AZs it launches into.
    pub availability_zones: Vec<AzId>,
    /// `minSize`.
    pub min_size: u32,
    /// `maxSize`.
    pub max_size: u32,
    /// `desiredCapacity` at the start.
    pub desired_capacity: u32,
    /// Spot instances.
    pub spot: bool,
    /// Price as a fraction of on-demand (1.0 for on-demand).
    pub price_factor: f64,
    /// The provider in front of it.
    pub capacity_provider: Option<CapacityProviderId>,
    /// `osFamily`: the AMI's operating system, which its instances register as
    /// `ecs.os-family`; a Windows group is priced at its types' Windows On-Demand prices.
    pub os: crate::units::OsFamily,
    /// `Some` for a group of ECS Anywhere external instances (`externalInstances[]`): a fixed
    /// count, never scaled nor replaced, billed at the Anywhere fee plus the machine's cost.
    pub external: Option<ExternalGroup>,
    /// The hidden group of a `managedInstancesProvider`, not one of `autoScalingGroups`: its
    /// `instance_types` are the types the requirements admit, cheapest (EC2 + fee) first,
    /// and it launches the type the selection picks, never replaces lost instances and never
    /// rebalances zones.
    pub managed_instances: bool,
}

impl AutoScalingGroupSpec {
    /// What an instance of type `t` launched by this group costs per hour: the On-Demand
    /// list price of the group's OS (Linux, or Windows with its licence included) times the
    /// group's price factor (1 for On-Demand, the Spot factor for Spot).
    ///
    /// # Panics
    /// If the group runs Windows and `t` has no Windows price: validation refuses such a
    /// group (at its `instanceTypes`), so this is a bug, not bad input.
    pub fn usd_per_hour(&self, catalog: &Catalog, t: InstanceTypeId) -> f64 {
        let ty = catalog.get(t);
        let list = if self.os.is_windows() {
            ty.windows_on_demand_usd_per_hour.unwrap_or_else(|| {
                panic!(
                    "Windows group {:?} has type {} without a Windows price; validation checks this",
                    self.name, ty.name
                )
            })
        } else {
            ty.on_demand_usd_per_hour
        };
        list * self.price_factor
    }
}

/// What sets a group of external instances (ECS Anywhere) apart from an Auto Scaling group.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ExternalGroup {
    /// What each instance registers: vCPU × 1024 units, and the memory the OS reports less
    /// `ECS_RESERVED_MEMORY`.
    pub registered: Resources,
    /// The ECS Anywhere fee, USD per registered instance-hour.
    pub anywhere_usd_per_instance_hour: f64,
    /// The user's own cost of one machine, USD per hour (power, hardware, space); 0 unless given.
    pub machine_usd_per_hour: f64,
}

/// A task definition, reduced to what capacity depends on.
#[derive(Clone, Debug)]
pub struct TaskDefinition {
    /// `family`.
    pub family: String,
    /// Task size: what it reserves on EC2 and what Fargate bills (before rounding).
    pub size: Resources,
    /// `runtimePlatform.cpuArchitecture`.
    pub arch: CpuArchitecture,
    /// May run on EC2.
    pub ec2_compatible: bool,
    /// May run on Fargate.
    pub fargate_compatible: bool,
    /// May run on external instances (`requiresCompatibilities` has `EXTERNAL`).
    pub external_compatible: bool,
    /// The task definition sets a task-level `cpu`, which caps its CPU use on EC2; without
    /// it the containers' `cpu` are shares and the task may use spare instance CPU.
    pub cpu_hard_limit: bool,
    /// `runtimePlatform.operatingSystemFamily`, as Fargate prices it: Linux or Windows.
    pub os: crate::cloud::fargate::FargateOs,
    /// `runtimePlatform.operatingSystemFamily` exactly (LINUX when not given): on EC2 only
    /// instances that registered this `ecs.os-family` take the task.
    pub os_family: crate::units::OsFamily,
    /// `ephemeralStorage.sizeInGiB` (21–200), billed above the included 20 GiB on Fargate.
    pub ephemeral_storage_gib: Option<u32>,
    /// The task definition's own `placementConstraints` (memberOf only, as AWS allows), as
    /// parsed; each service and workload using it adds them to its own.
    pub member_of: Vec<crate::scheduler::placement::expression::Expr>,
    /// `ecsim.startFailureProbability`: chance a task of this definition fails before RUNNING.
    pub start_failure_probability: f64,
}

/// A service.
#[derive(Clone, Debug)]
pub struct ServiceSpec {
    /// `serviceName`.
    pub name: String,
    /// Its task definition.
    pub task_definition: TaskDefId,
    /// `desiredCount` (0 for a DAEMON service: its count follows the instances).
    pub desired_count: u32,
    /// `schedulingStrategy: DAEMON`: one task on every ACTIVE container instance that meets
    /// its placement constraints, launch type EC2, no placement strategy, no auto scaling.
    pub daemon: bool,
    /// Launch type or strategy.
    pub launch: LaunchTarget,
    /// `placementStrategy` (the service default when none and no constraints are given).
    pub placement_strategy: Vec<PlacementStrategy>,
    /// `placementConstraints`.
    pub placement_constraints: Vec<PlacementConstraint>,
    /// The request load on the service, if modelled.
    pub load: Option<ServiceLoadSpec>,
    /// Service auto scaling (Application Auto Scaling), if registered.
    pub auto_scaling: Option<crate::autoscaling::service::ServiceAutoScalingConfig>,
    /// `deploymentConfiguration`, `deploymentController` and the health grace, resolved.
    pub deployment: crate::scheduler::deployment::DeploymentConfig,
    /// When the service deploys (`deploymentSchedule`); empty for most services.
    pub deployment_schedule: Vec<DeploymentPlan>,
    /// `availabilityZoneRebalancing` in force: ENABLED and the service eligible, so the
    /// scheduler evens its tasks out over its zones (`simulation::rebalance`).
    pub az_rebalancing: bool,
    /// Why it is off, in words `--explain` prints (empty when it is on).
    pub az_rebalancing_off: &'static str,
}

/// One `deploymentSchedule` entry, validated.
#[derive(Clone, Debug)]
pub struct DeploymentPlan {
    /// When it fires.
    pub when: DeploymentWhen,
    /// The task definition to deploy; `None`: the service's current one (forced new
    /// deployment, or a new revision of the same size).
    pub task_definition: Option<TaskDefId>,
}

/// When a planned deployment starts.
#[derive(Clone, Debug)]
pub enum DeploymentWhen {
    /// Once, this long after the start.
    At(SimDuration),
    /// On a `rate`/`cron`/`at` schedule, like a scheduled action.
    Schedule(crate::autoscaling::schedule::Schedule),
}

/// The request load on a service: where the rate comes from and what a task does with it.
#[derive(Clone, Debug)]
pub struct ServiceLoadSpec {
    /// The request-rate series.
    pub source: RateSourceSpec,
    /// Per-task capacity and resource use.
    pub model: crate::workload::service_load::LoadModel,
}

/// Where a service's request rate comes from.
#[derive(Clone, Debug)]
pub enum RateSourceSpec {
    /// A trace file.
    Trace {
        /// Resolved path.
        path: PathBuf,
        /// Reader options.
        options: crate::workload::request_rate::RateOptions,
    },
    /// Inline steps.
    Points {
        /// Steps in time order.
        points: Vec<crate::workload::request_rate::RateStep>,
        /// Repeat the steps with this period.
        repeat_every: Option<SimDuration>,
    },
}

/// Where a workload's submissions come from.
#[derive(Clone, Debug)]
pub enum WorkloadSource {
    /// ecsim batch CSV.
    Csv {
        /// Resolved path.
        path: PathBuf,
    },
    /// Alibaba v2017 `batch_task`.
    Alibaba {
        /// Resolved path.
        path: PathBuf,
        /// Reader options.
        options: AlibabaOptions,
    },
    /// Alibaba GPU v2023 pod list.
    AlibabaGpu {
        /// Resolved path.
        path: PathBuf,
        /// Reader options.
        options: AlibabaGpuOptions,
    },
    /// Standard Workload Format.
    Swf {
        /// Resolved path.
        path: PathBuf,
        /// Reader options.
        options: SwfOptions,
    },
    /// Poisson arrivals.
    Generated(GeneratedOptions),
}

/// A batch workload.
#[derive(Clone, Debug)]
pub struct WorkloadSpec {
    /// Name.
    pub name: String,
    /// Task definition (rows override its size).
    pub task_definition: TaskDefId,
    /// Source of submissions.
    pub source: WorkloadSource,
    /// Launch type or strategy.
    pub launch: LaunchTarget,
    /// `placementStrategy`.
    pub placement_strategy: Vec<PlacementStrategy>,
    /// `placementConstraints`.
    pub placement_constraints: Vec<PlacementConstraint>,
}

/// Settings in force: AWS defaults from [`crate::defaults`] unless the scenario overrides them.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Launch → `running`.
    pub instance_running_latency: Latency,
    /// `running` → registered.
    pub agent_registration_latency: Latency,
    /// EC2 PENDING → RUNNING.
    pub ec2_task_start_latency: Latency,
    /// Fargate PROVISIONING.
    pub fargate_provisioning_latency: Latency,
    /// Fargate pull → RUNNING.
    pub fargate_task_start_latency: Latency,
    /// STOPPING → STOPPED.
    pub task_stop_latency: Latency,
    /// PROVISIONING timeout.
    pub provisioning_timeout: SimDuration,
    /// How long a DRAINING instance waits for its tasks before it is terminated anyway.
    pub draining_timeout: SimDuration,
    /// The agent's ECS_ENABLE_SPOT_INSTANCE_DRAINING: drain on a Spot interruption notice.
    pub spot_instance_draining: bool,
    /// SIGTERM to SIGKILL when a Fargate Spot task is interrupted.
    pub stop_timeout: SimDuration,
    /// The service scheduler's back-off for tasks that fail before RUNNING.
    pub task_retry: crate::faults::throttle::ThrottleConfig,
    /// Unix time (UTC seconds) of simulated time zero, for scheduled actions.
    pub start_time_unix_s: i64,
    /// PROVISIONING tasks per cluster.
    pub provisioning_tasks_per_cluster: u32,
    /// Whether Fargate offers the 32 vCPU sizes (`settings.fargateLargeSizes`).
    pub fargate_large_sizes: bool,
    /// Memory the OS, hypervisor and `ECS_RESERVED_MEMORY` keep from registration.
    pub memory_overhead: crate::cloud::MemoryOverhead,
    /// The `awsvpcTrunking` account setting: instances launched get ECS's trunk task limit.
    pub awsvpc_trunking: bool,
    /// Fargate launch burst.
    pub fargate_launch_burst: u32,
    /// Fargate launches per second.
    pub fargate_launch_rate_per_second: u32,
    /// Tasks per `RunTask` call: a batch submission of more is split into calls.
    pub run_task_max_count: u32,
    /// `RunTask` API token bucket burst, calls.
    pub run_task_burst: u32,
    /// `RunTask` calls per second, sustained.
    pub run_task_rate_per_second: u32,
    /// Service scheduler interval.
    pub service_scheduler_interval: SimDuration,
    /// End of a 60 s metric period until service auto scaling's alarms act on its datapoint
    /// (CloudWatch publication and alarm evaluation).
    pub metric_delay: SimDuration,
    /// The same for 20 s (high-resolution) datapoints.
    pub high_resolution_metric_delay: SimDuration,
    /// EC2 tasks without a task-level `cpu` may use spare CPU of their instance.
    pub cpu_beyond_reservation: bool,
    /// Placement backfill window.
    pub placement_backfill_window: u32,
    /// Event budget.
    pub max_events: u64,
    /// Event log cap.
    pub event_log_limit: u32,
    /// Decision trace cap (`settings.explainLimit`).
    pub explain_limit: u64,
    /// How services begin at time zero.
    pub start: StartMode,
    /// Start of the measurement window: every figure of the summary counts from here to the
    /// end of the run. Zero (the default) measures the whole run.
    pub measure_from: SimDuration,
    /// Work cap: tasks alive at once + instances launched (+ request-rate steps in the
    /// estimate).
    pub max_work: u64,
    /// Memory cap of a Monte Carlo run's accumulators, MiB.
    pub max_replica_memory_mib: u64,
    /// How long a new task of a service without a load balancer must be RUNNING before a
    /// deployment counts it healthy.
    pub deployment_healthy_after: SimDuration,
    /// The pace of AZ rebalancing (`settings.azRebalancingInterval`).
    pub az_rebalancing_interval: SimDuration,
}

/// How a scenario's services begin (`settings.start`).
///
/// A scenario describes a running system, so by default ([`crate::defaults::START`]) each
/// service begins with its desired count of tasks RUNNING, as the ASGs' instances at time
/// zero are already running and registered. `Cold` launches them at time zero through the
/// usual PROVISIONING/PENDING path instead, to study a deployment from nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartMode {
    /// Desired tasks RUNNING at time zero on the capacity present then (those that fit).
    Warm,
    /// Every task launched at time zero with the usual start latencies.
    Cold,
}

impl StartMode {
    /// The scenario's word for it.
    pub fn as_str(self) -> &'static str {
        match self {
            StartMode::Warm => "warm",
            StartMode::Cold => "cold",
        }
    }
}

impl Scenario {
    /// Loads and validates a scenario file (see [`load`]).
    pub fn from_path(path: &Path) -> Result<Scenario, ScenarioError> {
        load(path)
    }

    /// The provider named `name`, if any.
    pub fn capacity_provider_named(&self, name: &str) -> Option<CapacityProviderId> {
        self.capacity_providers
            .iter()
            .position(|c| c.name == name)
            .map(CapacityProviderId::from_index)
    }
}
