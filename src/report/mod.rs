//! What a run produced, as data: the summary, the per-minute time series and the event log.
//!
//! The [`Report`] is the only `Serialize` output of the model; renderers are pure functions
//! of it (`json`, `csv`, `events`, `table`), and the binary decides file names and writes.
//! `summary.json` carries a `schema_version`; `cost.total_usd` and
//! `cost.by_capacity_provider` are a contract other tools read: keep them stable.

pub mod assumptions;
pub mod charts;
pub mod html;
pub mod render;

use serde::Serialize;
use std::collections::BTreeMap;

/// Version of the `summary.json` schema. Bump on any breaking change to its fields.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything a run reports.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Headline figures.
    pub summary: Summary,
    /// One row per simulated minute.
    pub timeseries: Vec<MinuteRow>,
    /// One row per service per simulated minute.
    pub service_series: Vec<ServiceMinuteRow>,
    /// One row per ASG capacity provider per simulated minute.
    pub provider_series: Vec<ProviderMinuteRow>,
    /// One row per batch workload per simulated minute.
    pub workload_series: Vec<WorkloadMinuteRow>,
    /// Service events, instance and task lifecycle notes, in time order.
    pub events: Vec<EventRecord>,
    /// The columns of `cost_series`: every capacity provider of the scenario, in its order,
    /// then [`NO_CAPACITY_PROVIDER`] when an ASG has no provider in front.
    pub cost_series_providers: Vec<String>,
    /// Cumulative cost per capacity provider and its EC2 idle part, one row per minute.
    pub cost_series: Vec<CostMinuteRow>,
    /// How long tasks waited from submission to RUNNING, in fixed bins.
    pub wait_histogram: Vec<WaitBin>,
    /// `commitments.csv` (one row per hour of the window); `None` without commitments.
    pub commitments_csv: Option<String>,
    /// The cost with commitments, cumulative at the end of each hour of the window, for the
    /// cost chart; empty without commitments (and then not serialised, so nothing changes).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub commitment_series: Vec<CommitmentHourPoint>,
    /// Decision traces (`explain.jsonl`), only from a run with `--explain`; not part of the
    /// serialised report, so the other outputs are the same with and without it.
    #[serde(skip)]
    pub explain: Option<crate::explain::Explanations>,
}

/// The cost with commitments at the end of one hour of the window, cumulative from the
/// window's start.
#[derive(Clone, Debug, Default, Serialize)]
pub struct CommitmentHourPoint {
    /// End of the hour, seconds since the start of the run.
    pub end_s: f64,
    /// Commitment fees so far, paid used or not, USD.
    pub fees_usd: f64,
    /// Fees plus the On-Demand spill and the Spot cost so far: what the window costs with
    /// commitments, USD.
    pub effective_usd: f64,
}

/// The `cost.by_capacity_provider` key (and `cost_series_providers` entry) for EC2 instances
/// of ASGs with no capacity provider.
pub const NO_CAPACITY_PROVIDER: &str = "(no capacity provider)";

/// The cost series' and `cost.byCapacityProvider`'s key for external instances (ECS
/// Anywhere), which have no capacity provider: the launch type's name.
pub const EXTERNAL_INSTANCES: &str = "EXTERNAL";

/// Whether a `cost_series_providers` entry is billed as Fargate tasks rather than EC2
/// instances. ECS reserves these two names for the Fargate providers, so a name is enough.
pub fn is_fargate_provider(name: &str) -> bool {
    name == "FARGATE" || name == "FARGATE_SPOT"
}

/// Cumulative cost at the end of a minute, open meters counted up to then without the
/// 60-second minimum (which the end-of-run totals include).
#[derive(Clone, Debug, Default, Serialize)]
pub struct CostMinuteRow {
    /// Minutes since the start.
    pub minute: u64,
    /// USD so far per entry of `Report::cost_series_providers`.
    pub by_provider_usd: Vec<f64>,
    /// The EC2 idle part of `by_provider_usd` (cost no task reservation covers), aligned with
    /// it; 0 for Fargate providers, which have no idle capacity.
    pub idle_by_provider_usd: Vec<f64>,
    /// EC2 cost so far that no task reservation covers: the sum of `idle_by_provider_usd`
    /// (summed before rounding, so it may differ from the rounded parts' sum by 1e-6 each).
    pub idle_usd: f64,
}

/// Upper edges of the wait histogram bins, seconds: a 1-2-5 scale from 1 s to one day, so
/// a Fargate start (tens of seconds) and a queue of hours both land in readable bins. The
/// last bin is open-ended.
pub const WAIT_BIN_UPPER_S: [f64; 17] = [
    1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1200.0, 1800.0, 3600.0, 7200.0,
    14400.0, 43200.0, 86400.0,
];

/// One bin of the wait histogram: waits in `[lower_s, upper_s)`.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct WaitBin {
    /// Lower edge, seconds (inclusive).
    pub lower_s: f64,
    /// Upper edge, seconds (exclusive); `None` for the open-ended last bin.
    pub upper_s: Option<f64>,
    /// Tasks whose wait fell in the bin.
    pub count: u64,
}

/// The wait histogram of `waits_ms` (milliseconds): one bin per [`WAIT_BIN_UPPER_S`] edge
/// plus the open-ended last one, all present even when empty.
pub fn wait_histogram(waits_ms: &[u64]) -> Vec<WaitBin> {
    wait_histogram_counts(waits_ms.iter().map(|&w| (w, 1)))
}

/// The wait histogram of waits given as `(milliseconds, how many tasks waited that long)`
/// (the run keeps waits so, issue 13); the same bins as [`wait_histogram`].
pub fn wait_histogram_counts(waits_ms: impl IntoIterator<Item = (u64, u64)>) -> Vec<WaitBin> {
    let mut bins: Vec<WaitBin> = Vec::with_capacity(WAIT_BIN_UPPER_S.len() + 1);
    let mut lower = 0.0;
    for &upper in &WAIT_BIN_UPPER_S {
        bins.push(WaitBin {
            lower_s: lower,
            upper_s: Some(upper),
            count: 0,
        });
        lower = upper;
    }
    bins.push(WaitBin {
        lower_s: lower,
        upper_s: None,
        count: 0,
    });
    // Edges are whole seconds, so compare in milliseconds, exactly (converted once: a
    // month's run has millions of waits).
    let edges_ms = WAIT_BIN_UPPER_S.map(|u| u as u64 * 1000);
    for (w, n) in waits_ms {
        bins[edges_ms.partition_point(|&e| e <= w)].count += n;
    }
    bins
}

/// `summary.json`.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// Schema version of this file.
    pub schema_version: u32,
    /// Scenario name.
    pub scenario: String,
    /// Root seed of the run (rerun with `--seed` to reproduce).
    pub seed: u64,
    /// Simulated span in seconds.
    pub duration_s: f64,
    /// Which prices the cost is computed from.
    pub prices: PriceBasis,
    /// The measurement window every figure below counts (`settings.measureFrom` to the end),
    /// unless a figure says it is a state or covers the whole run.
    pub window: WindowSummary,
    /// What the capacity cost.
    pub cost: CostSummary,
    /// Time-weighted CPU and memory reservation of the EC2 capacity.
    pub reservation: ReservationSummary,
    /// EC2 instances.
    pub instances: InstanceSummary,
    /// Task counts over all services and workloads.
    pub tasks: TaskCounts,
    /// Task-hours and capacity-hours: what the cost bought.
    pub usage: UsageSummary,
    /// Time from submission (or creation by the service scheduler) to RUNNING.
    pub wait_time_s: WaitStats,
    /// Per service.
    pub services: Vec<ServiceSummary>,
    /// Per batch workload.
    pub workloads: Vec<WorkloadSummary>,
    /// Per ASG capacity provider: cluster auto scaling.
    pub capacity_providers: Vec<CapacityProviderSummary>,
    /// What the injected faults did (absent when no fault model is on).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub faults: Option<FaultSummary>,
    /// The event log: how many records were kept and how many dropped past the limit.
    pub event_log: EventLogSummary,
    /// The engine's own figures.
    pub engine: EngineSummary,
    /// Every modelling simplification and every default in force, with its source.
    pub assumptions: Vec<Assumption>,
    /// Every service deployment, in start order (absent when there is none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployments: Option<Vec<DeploymentSummary>>,
}

/// One service deployment: when, how it ended, and what it cost above the steady state.
///
/// The steady state is the service at its desired count and the cluster at the instance
/// count it had when the deployment started: extra task-hours are RUNNING tasks above the
/// desired count while the deployment is in progress; extra instance-hours are in-service
/// instances of the service's Auto Scaling groups above the count at the start, from the
/// start until the count first comes back to it (the scale-in after a deployment is part of
/// its cost), sampled each minute.
#[derive(Clone, Debug, Serialize)]
pub struct DeploymentSummary {
    /// `ecs-svc/…`, as ECS names deployments.
    pub id: String,
    /// The service.
    pub service: String,
    /// `ROLLING`, `BLUE_GREEN` or `CODE_DEPLOY`.
    pub kind: &'static str,
    /// The task definition deployed.
    pub task_definition: String,
    /// The task definition it replaced.
    pub from_task_definition: String,
    /// A rollback started by the circuit breaker.
    pub rollback: bool,
    /// Start, seconds since the start of the run.
    pub started_s: f64,
    /// End, seconds; absent when still in progress at the end of the run.
    pub ended_s: Option<f64>,
    /// `ended_s − started_s`, or up to the end of the run when in progress.
    pub duration_s: f64,
    /// `COMPLETED`, `FAILED` (circuit breaker), `ROLLED_BACK` (failed, then rolled back),
    /// `SUPERSEDED` (a newer deployment started first), `STALLED` (cannot progress, e.g.
    /// min 100 % with max 100 %) or `IN_PROGRESS`.
    pub outcome: &'static str,
    /// New tasks started by this deployment.
    pub tasks_started: u32,
    /// New tasks that failed to start (what the circuit breaker counts).
    pub failed_tasks: u32,
    /// The circuit breaker's threshold at the start, when it is on.
    pub circuit_breaker_threshold: Option<u32>,
    /// Task-hours above the desired count while in progress.
    pub extra_task_hours: f64,
    /// Instance-hours above the instance count at the start.
    pub extra_instance_hours: f64,
    /// Cost of the extra task-hours on Fargate (0 on EC2, where instances carry the cost), USD.
    pub extra_task_cost_usd: f64,
    /// Cost of the extra instance-hours, USD.
    pub extra_instance_cost_usd: f64,
}

/// Which prices a run used: the catalog's Region, operating system and price dates, where
/// the tables came from, and whether the scenario overrode any (`catalog`, `catalogFile`).
#[derive(Clone, Debug, Serialize)]
pub struct PriceBasis {
    /// AWS Region of the prices (the scenario's `region`).
    pub region: String,
    /// Operating system of the prices.
    pub operating_system: String,
    /// Date of the EC2 On-Demand prices.
    pub ec2_prices_as_of: String,
    /// Date of the Fargate prices.
    pub fargate_prices_as_of: String,
    /// The scenario's `catalogDir` the prices came from; absent for the embedded tables.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub catalog_dir: Option<String>,
    /// The scenario changed or added prices (`catalog` or `catalogFile`).
    pub overridden: bool,
}

impl Default for PriceBasis {
    /// The embedded us-east-1 catalog's basis.
    fn default() -> Self {
        PriceBasis::of(&crate::cloud::Catalog::embedded_us_east_1())
    }
}

impl PriceBasis {
    /// The basis of the prices in `catalog`.
    pub fn of(catalog: &crate::cloud::Catalog) -> PriceBasis {
        PriceBasis {
            region: catalog.region.clone(),
            operating_system: crate::cloud::catalog::PRICE_OPERATING_SYSTEM.to_string(),
            ec2_prices_as_of: catalog.ec2_prices_as_of.clone(),
            fargate_prices_as_of: catalog.fargate_prices_as_of.clone(),
            catalog_dir: catalog.catalog_dir.clone(),
            overridden: catalog.overridden,
        }
    }

    /// One line for the top of a report: "us-east-1 Linux On-Demand list prices (EC2 as of
    /// 2026-07-20, Fargate 2025–2026)", and whether the scenario overrode some.
    pub fn statement(&self) -> String {
        format!(
            "{} {} On-Demand list prices (EC2 as of {}, Fargate as of {}){}",
            self.region,
            self.operating_system,
            self.ec2_prices_as_of,
            self.fargate_prices_as_of,
            match (&self.catalog_dir, self.overridden) {
                (Some(dir), true) => format!(" from {dir}; the scenario overrides some (catalog)"),
                (Some(dir), false) => format!(" from {dir}"),
                (None, true) => "; the scenario overrides some (catalog)".to_owned(),
                (None, false) => String::new(),
            }
        )
    }
}

/// Cost figures in USD.
#[derive(Clone, Debug, Default, Serialize)]
pub struct CostSummary {
    /// Everything.
    pub total_usd: f64,
    /// Average cost per simulated hour.
    pub per_hour_usd: f64,
    /// Total cost (idle capacity included) per million requests served by the services
    /// with a load model; absent when no service has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_million_requests_usd: Option<f64>,
    /// By capacity provider name (`FARGATE`, `FARGATE_SPOT`, an ASG provider, or
    /// [`NO_CAPACITY_PROVIDER`] for the instances of ASGs without one).
    pub by_capacity_provider: BTreeMap<String, f64>,
    /// By service name (EC2 cost attributed by reservation; Fargate billed directly).
    pub by_service: BTreeMap<String, f64>,
    /// By workload name.
    pub by_workload: BTreeMap<String, f64>,
    /// EC2 instances.
    pub ec2_usd: f64,
    /// Fargate and Fargate Spot tasks.
    pub fargate_usd: f64,
    /// EC2 capacity paid for but not reserved by any task.
    pub idle_usd: f64,
    /// `idle_usd` per capacity provider, keyed like `by_capacity_provider`; one entry per
    /// provider that ran EC2 instances (Fargate providers have no idle capacity).
    pub idle_by_capacity_provider: BTreeMap<String, f64>,
    /// The Fargate Spot part of `fargate_usd`.
    pub fargate_spot_usd: f64,
    /// ECS Managed Instances management fees, on top of `ec2_usd` (which holds those
    /// instances' EC2 price) and in their provider's `by_capacity_provider`; absent when no
    /// Managed Instances provider ran an instance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub management_fee_usd: Option<f64>,
    /// Savings Plans and Reserved Instances applied hour by hour to this window's usage;
    /// absent when the scenario has none (every other figure is without commitments).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commitments: Option<crate::billing::commitments::CommitmentsSummary>,
    /// External instances (ECS Anywhere): the Anywhere fee and the machines' own cost, in
    /// `total_usd` but in none of the EC2 figures; absent when the cluster has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external: Option<ExternalCostSummary>,
}

/// What external instances (ECS Anywhere) cost over the window.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ExternalCostSummary {
    /// Fee plus machines.
    pub total_usd: f64,
    /// The ECS Anywhere fee: registered instance-hours × the fee per instance-hour.
    pub anywhere_fee_usd: f64,
    /// The machines' own cost the scenario gave (`machineUsdPerHour`).
    pub machine_usd: f64,
    /// The part of `total_usd` no task reservation accounts for (½·CPU + ½·memory, as EC2).
    pub idle_usd: f64,
    /// Registered instance-hours billed.
    pub instance_hours: f64,
    /// Per `externalInstances` group, by name.
    pub groups: BTreeMap<String, ExternalGroupCost>,
}

/// One external group's cost lines.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ExternalGroupCost {
    /// Instances the group registers.
    pub instances: u32,
    /// Registered instance-hours billed.
    pub instance_hours: f64,
    /// The ECS Anywhere fee.
    pub anywhere_fee_usd: f64,
    /// The machines' own cost.
    pub machine_usd: f64,
    /// Fee plus machines.
    pub total_usd: f64,
}

/// What the capacity was used for, in hours.
#[derive(Clone, Debug, Default, Serialize)]
pub struct UsageSummary {
    /// Σ time tasks spent RUNNING, hours (the work done, whatever it ran on).
    pub running_task_hours: f64,
    /// Of which on EC2 instances.
    pub ec2_running_task_hours: f64,
    /// Of which on Fargate and Fargate Spot.
    pub fargate_running_task_hours: f64,
    /// Of which on external instances (ECS Anywhere); absent when the cluster has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_running_task_hours: Option<f64>,
    /// EC2 instance-hours billed (the 60-second minimum included).
    pub ec2_instance_hours: f64,
    /// The share of the EC2 spend that task reservations cover, % (100 × (EC2 − idle) /
    /// EC2, billing's ½·CPU + ½·memory attribution); 0 without EC2.
    pub ec2_reserved_share_pct: f64,
    /// Fargate vCPU-hours billed.
    pub fargate_vcpu_hours: f64,
    /// Fargate GB-hours billed.
    pub fargate_gb_hours: f64,
    /// Mean of `timeseries.csv`'s `vcpu_paid` over the end-of-minute rows (minute ≥ 1):
    /// minute-sampled, not integrated between minutes. Likewise the five below.
    pub vcpu_paid_avg: f64,
    /// Mean `vcpu_reserved` (minute-sampled).
    pub vcpu_reserved_avg: f64,
    /// Mean `vcpu_used` (minute-sampled).
    pub vcpu_used_avg: f64,
    /// Mean `memory_gib_paid` (minute-sampled).
    pub memory_gib_paid_avg: f64,
    /// Mean `memory_gib_reserved` (minute-sampled).
    pub memory_gib_reserved_avg: f64,
    /// Mean `memory_gib_used` (minute-sampled).
    pub memory_gib_used_avg: f64,
}

/// Reservation of EC2 capacity (ACTIVE and DRAINING instances), time-weighted over the run.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ReservationSummary {
    /// Σ reserved CPU-time / Σ registered CPU-time × 100.
    pub cpu_pct_avg: f64,
    /// Σ reserved memory-time / Σ registered memory-time × 100.
    pub memory_pct_avg: f64,
}

/// EC2 instance figures.
#[derive(Clone, Debug, Default, Serialize)]
pub struct InstanceSummary {
    /// Instances launched (including those present at the start).
    pub launched: u64,
    /// Most instances alive at once.
    pub peak: u64,
    /// Instance-hours billed.
    pub instance_hours: f64,
}

/// The measurement window, seconds from time zero.
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq)]
pub struct WindowSummary {
    /// Start (`settings.measureFrom`): what happened before is warm-up, left out.
    pub from_s: f64,
    /// End: the end of the run.
    pub to_s: f64,
    /// `to_s − from_s`: the span cost per hour and the averages are taken over.
    pub duration_s: f64,
}

/// Where every task ended up: `in_flight_at_start` + `submitted` = `completed` +
/// `stopped_by_scheduler` + `failed` + `in_flight_at_end`.
///
/// Counts of things that happen (submitted, started, completed, stopped, failed) are counted
/// within the measurement window (`Summary::window`); `in_flight_at_start` and the `_at_end`
/// counts are states at its two ends.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct TaskCounts {
    /// Tasks submitted (batch) or created by the service scheduler.
    pub submitted: u64,
    /// Tasks that reached RUNNING.
    pub started: u64,
    /// Batch tasks whose essential container exited after its run time.
    pub completed: u64,
    /// Healthy tasks the service scheduler stopped (scale-in, moved off a DRAINING instance).
    pub stopped_by_scheduler: u64,
    /// Tasks stopped without completing (never placed, or killed with their instance).
    pub failed: u64,
    /// Of the failed, those that never got capacity (PROVISIONING timeout, no Fargate size).
    pub never_placed: u64,
    /// Of the failed, those killed when their capacity went away (instance terminated or
    /// failed, AZ outage, Spot interruption).
    pub interrupted: u64,
    /// Of the failed, those that crashed while RUNNING or failed to start.
    pub crashed: u64,
    /// Tasks queued, provisioning, pending, running or stopping when the measurement window
    /// started (`settings.measureFrom`; 0 when it starts at time zero).
    pub in_flight_at_start: u64,
    /// Tasks still queued, provisioning, pending, running or stopping at the end.
    pub in_flight_at_end: u64,
    /// Of those, tasks RUNNING at the end.
    pub running_at_end: u64,
    /// Of those, tasks still waiting for capacity (queued or PROVISIONING) at the end.
    pub waiting_at_end: u64,
}

/// Distribution of waits, in seconds.
#[derive(Clone, Debug, Default, Serialize)]
pub struct WaitStats {
    /// Tasks measured (those that reached RUNNING).
    pub count: u64,
    /// Mean.
    pub mean: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Longest.
    pub max: f64,
}

/// One service.
#[derive(Clone, Debug, Serialize)]
pub struct ServiceSummary {
    /// `serviceName`.
    pub name: String,
    /// `desiredCount` at the end.
    pub desired_count: u32,
    /// RUNNING tasks at the end.
    pub running_at_end: u32,
    /// Task counts.
    pub tasks: TaskCounts,
    /// Minutes below desired: minutes that ended with fewer RUNNING tasks than desired
    /// (however many fewer). Compare `availability.task_minutes_below_desired`.
    pub minutes_below_desired: u64,
    /// Cost attributed to it.
    pub cost_usd: f64,
    /// Smallest and largest desired count during the run.
    pub desired_min: u32,
    /// Largest desired count during the run.
    pub desired_max: u32,
    /// Service auto scaling activities (scale-out, scale-in, scheduled).
    pub scaling_activities: ScalingActivityCounts,
    /// Tasks counting toward the desired count at the end (PROVISIONING, PENDING, RUNNING),
    /// by capacity provider (`EC2` or `FARGATE` for a launch type).
    pub live_tasks_by_capacity_provider: BTreeMap<String, u32>,
    /// The request load and how much of it found capacity (absent without a load model).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub load: Option<LoadSummary>,
    /// Availability: how far below desired the service ran, and how faults hurt it.
    pub availability: AvailabilitySummary,
    /// What Availability Zone rebalancing did, over the whole run (absent when it never
    /// found the service unbalanced, or the service does not use it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub az_rebalancing: Option<AzRebalancingSummary>,
}

/// What AZ rebalancing (`availabilityZoneRebalancing`) did for one service, over the whole
/// run (not only the measurement window, like scaling activities).
#[derive(Clone, Debug, Default, Serialize)]
pub struct AzRebalancingSummary {
    /// Rebalancing operations started ("is not AZ balanced ... AZ Rebalancing in progress").
    pub operations_started: u64,
    /// Operations that ended balanced ("is AZ balanced").
    pub operations_completed: u64,
    /// Operations stopped by a deployment ("stopped AZ Rebalancing").
    pub operations_stopped: u64,
    /// An operation was still in progress at the end.
    pub in_progress_at_end: bool,
    /// Tasks started in the zones with the fewest tasks.
    pub tasks_started: u64,
    /// Tasks stopped in the zones with the most, once their replacements were healthy.
    pub tasks_stopped: u64,
    /// Steps whose task could not be placed in the short zone (no room on its instances).
    pub placement_failures: u64,
    /// Task-hours run above the desired count by the moves: for each stopped task, the time
    /// from its step's start to its stop.
    pub extra_task_hours: f64,
    /// What those task-hours cost on Fargate; 0 on EC2, where the instances already running
    /// carry them (rebalancing launches no instance).
    pub extra_task_cost_usd: f64,
    /// Live tasks (PROVISIONING, PENDING, RUNNING) per zone of the service at the end,
    /// counted from the tasks themselves.
    pub tasks_by_zone_at_end: BTreeMap<String, u32>,
}

/// A service's availability over the run.
#[derive(Clone, Debug, Default, Serialize)]
pub struct AvailabilitySummary {
    /// Task-minutes below desired: Σ over minutes of (desired − RUNNING) where positive, so
    /// one minute with three tasks missing counts 3. Compare
    /// `ServiceSummary::minutes_below_desired`.
    pub task_minutes_below_desired: u64,
    /// Service tasks killed by faults (instance failure, AZ outage, Spot, crash).
    pub tasks_lost_to_faults: u64,
    /// Faults the service recovered from (back to its desired count).
    pub recoveries: u64,
    /// Mean time from a fault to being back at the desired count, seconds.
    pub time_to_recover_mean_s: f64,
    /// Longest such time, seconds.
    pub time_to_recover_max_s: f64,
    /// A fault not recovered from at the end of the run.
    pub unrecovered_at_end: bool,
    /// Requests not served in minutes when the service had not recovered from a fault.
    pub unserved_due_to_faults: f64,
    /// The other unserved requests: load above what scaling provided.
    pub unserved_due_to_scaling: f64,
}

/// What the injected faults did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FaultSummary {
    /// Instances that failed their status checks.
    pub instance_failures: u64,
    /// AZ outages that started.
    pub az_outages: u64,
    /// EC2 Spot interruption notices.
    pub spot_interruption_notices: u64,
    /// EC2 Spot instances reclaimed.
    pub spot_instances_reclaimed: u64,
    /// Fargate Spot tasks reclaimed.
    pub fargate_spot_interruptions: u64,
    /// Fargate Spot capacity shortages that started (absent when none: older reports).
    #[serde(skip_serializing_if = "is_zero")]
    pub fargate_spot_shortages: u64,
    /// RUNNING tasks that crashed.
    pub task_crashes: u64,
    /// Tasks that failed before RUNNING.
    pub task_start_failures: u64,
    /// PENDING or RUNNING tasks the faults killed.
    pub tasks_killed: u64,
    /// Batch tasks re-run from the start after their work was lost.
    pub batch_task_reruns: u64,
    /// Task-seconds of work lost (RUNNING time of killed tasks).
    pub wasted_task_seconds: f64,
    /// What that lost work cost, USD (Fargate rate, or the task's share of its instance).
    pub wasted_cost_usd: f64,
}

/// How many scaling activities of each kind ran.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct ScalingActivityCounts {
    /// Desired count raised by a policy.
    pub scale_out: u64,
    /// Desired count lowered by a policy.
    pub scale_in: u64,
    /// Desired count changed by a scheduled action.
    pub scheduled: u64,
    /// Scale-ins a policy asked for during a deployment, which Application Auto Scaling does
    /// not carry out (absent when none).
    #[serde(skip_serializing_if = "is_zero")]
    pub scale_in_suppressed: u64,
}

fn is_zero(x: &u64) -> bool {
    *x == 0
}

/// A service's request load over the run.
#[derive(Clone, Debug, Default, Serialize)]
pub struct LoadSummary {
    /// Requests that arrived: the load model's exact integral of the rate, so not always
    /// whole (tables show it rounded to whole requests).
    pub requests: f64,
    /// Requests served: no more than the RUNNING tasks' capacity.
    pub served: f64,
    /// Requests above the capacity of the RUNNING tasks: the shortfall.
    pub unserved: f64,
    /// `unserved / requests` × 100.
    pub unserved_pct: f64,
    /// Minutes in which some requests found no capacity.
    pub minutes_with_shortfall: u64,
    /// Cost attributed to the service (its reservations; idle EC2 capacity excluded) per
    /// million requests served. Compare launch types with `cost.per_million_requests_usd`.
    pub cost_per_million_requests_usd: f64,
    /// Time-weighted CPU utilization of the running tasks, %.
    pub cpu_utilization_avg_pct: f64,
}

/// One ASG capacity provider.
#[derive(Clone, Debug, Serialize)]
pub struct CapacityProviderSummary {
    /// Provider name.
    pub name: String,
    /// Managed scaling on.
    pub managed_scaling: bool,
    /// ASG desired capacity raised by managed scaling.
    pub scale_out: u64,
    /// ASG desired capacity lowered by managed scaling.
    pub scale_in: u64,
    /// Fewest and most instances in service at a minute boundary.
    pub instances_min: u32,
    /// Most instances in service at a minute boundary.
    pub instances_max: u32,
    /// Instances launched by scaling during the run.
    pub instances_launched: u64,
    /// Instances terminated during the run.
    pub instances_terminated: u64,
}

/// One row of `services.csv`.
#[derive(Clone, Debug, Serialize)]
pub struct ServiceMinuteRow {
    /// Minutes since the start.
    pub minute: u64,
    /// Service index (into `summary.services`).
    pub service: u32,
    /// Desired count.
    pub desired: u32,
    /// RUNNING tasks.
    pub running: u32,
    /// Tasks in PROVISIONING or PENDING.
    pub pending: u32,
    /// Mean offered load over the past minute, requests/s.
    pub requests_per_second: f64,
    /// Requests of the past minute that found no capacity.
    pub unserved_requests: f64,
    /// `ECSServiceAverageCPUUtilization` of the past minute, % (empty: no data).
    pub cpu_utilization: Option<f64>,
    /// `ECSServiceAverageMemoryUtilization` of the past minute, % (empty: no data).
    pub memory_utilization: Option<f64>,
}

/// One row of `capacity_providers.csv`.
#[derive(Clone, Debug, Serialize)]
pub struct ProviderMinuteRow {
    /// Minutes since the start.
    pub minute: u64,
    /// Provider index (into `summary.capacity_providers`).
    pub provider: u32,
    /// Instances in service (pending or ACTIVE).
    pub instances: u32,
    /// Instances DRAINING.
    pub draining: u32,
    /// ASG desired capacity.
    pub desired_capacity: u32,
    /// `CapacityProviderReservation`, % (empty without managed scaling).
    pub reservation: Option<f64>,
    /// M: instances needed.
    pub m: Option<u32>,
}

/// One batch workload at the end of a simulated minute: where its tasks are, for the
/// capacity chart's workload panels (a backlog shows as `queued` growing).
#[derive(Clone, Debug, Default, Serialize)]
pub struct WorkloadMinuteRow {
    /// Minutes since the start.
    pub minute: u64,
    /// Workload index (into `summary.workloads`).
    pub workload: u32,
    /// Tasks in the submitter's queue, not yet known to ECS (`tasks_queued` of
    /// `timeseries.csv`, for this workload).
    pub queued: u32,
    /// Tasks in PROVISIONING or PENDING (as `pending` of `services.csv`).
    pub pending: u32,
    /// Tasks RUNNING.
    pub running: u32,
}

/// One batch workload.
#[derive(Clone, Debug, Serialize)]
pub struct WorkloadSummary {
    /// Name.
    pub name: String,
    /// Submissions read from its source (RunTask calls).
    pub submissions: u64,
    /// Task counts.
    pub tasks: TaskCounts,
    /// Waits.
    pub wait_time_s: WaitStats,
    /// Cost attributed to it: its tasks' share of the EC2 instances they reserved (½ CPU +
    /// ½ memory) and their Fargate bills; idle EC2 capacity is not in it.
    pub cost_usd: f64,
    /// `cost_usd` ÷ this workload's completed tasks (0 when none completed): the
    /// workload's own cost per completed task, not the whole bill's.
    pub cost_per_completed_task_usd: f64,
    /// Seconds from its first submission to its last task's completion: a whole-run figure
    /// (a batch is one piece of work, whatever `settings.measureFrom` leaves out). When
    /// `unfinished_tasks` > 0 it runs to the end of the run instead, so unfinished work never
    /// looks fast. `null` when nothing was submitted.
    pub makespan_s: Option<f64>,
    /// Tasks asked for by the source whose work is not done at the end of the run (in
    /// flight, never placed, or stopped by the scheduler without a re-run); whole run.
    pub unfinished_tasks: u64,
}

/// Event log bookkeeping.
#[derive(Clone, Debug, Default, Serialize)]
pub struct EventLogSummary {
    /// Records in `events.jsonl`.
    pub logged: u64,
    /// Records dropped past `settings.eventLogLimit`.
    pub dropped: u64,
}

/// Engine figures.
#[derive(Clone, Debug, Default, Serialize)]
pub struct EngineSummary {
    /// Events processed.
    pub events_processed: u64,
}

/// One modelling assumption or default in force.
#[derive(Clone, Debug, Serialize)]
pub struct Assumption {
    /// What it is about.
    pub topic: String,
    /// The value or rule in force.
    pub value: String,
    /// Where it comes from.
    pub source: String,
}

/// One row of `timeseries.csv`: the state at the end of a simulated minute.
#[derive(Clone, Debug, Default, Serialize)]
pub struct MinuteRow {
    /// Minutes since the start.
    pub minute: u64,
    /// EC2 instances launched but not yet registered.
    pub instances_pending: u32,
    /// ACTIVE instances.
    pub instances_active: u32,
    /// DRAINING instances.
    pub instances_draining: u32,
    /// Tasks waiting in a submitter queue (not yet known to ECS).
    pub tasks_queued: u32,
    /// Tasks in PROVISIONING.
    pub tasks_provisioning: u32,
    /// Tasks in PENDING.
    pub tasks_pending: u32,
    /// Tasks RUNNING.
    pub tasks_running: u32,
    /// Reserved CPU of ACTIVE and DRAINING instances, %.
    pub cpu_reserved_pct: f64,
    /// Reserved memory of ACTIVE and DRAINING instances, %.
    pub memory_reserved_pct: f64,
    /// Cost so far, USD.
    pub cost_usd: f64,
    /// vCPU being paid for: the whole instance type of every billed EC2 instance (from
    /// `running` to termination) plus the rounded size of every billed Fargate task (from
    /// image pull to STOPPED).
    pub vcpu_paid: f64,
    /// vCPU reserved: tasks' reservations on ACTIVE and DRAINING instances plus the requested
    /// (unrounded) size of the billed Fargate tasks.
    pub vcpu_reserved: f64,
    /// vCPU used at the end of the minute: for services with a load model, what the model says
    /// their RUNNING tasks use at the current load; every other RUNNING task (services without
    /// a load model, batch tasks) at its reservation.
    pub vcpu_used: f64,
    /// Memory being paid for, GiB (as `vcpu_paid`).
    pub memory_gib_paid: f64,
    /// Memory reserved, GiB (as `vcpu_reserved`).
    pub memory_gib_reserved: f64,
    /// Memory used, GiB (as `vcpu_used`, with the load model's memory utilization).
    pub memory_gib_used: f64,
}

/// One record of `events.jsonl`.
#[derive(Clone, Debug, Serialize)]
pub struct EventRecord {
    /// Simulated seconds since the start.
    pub time_s: f64,
    /// Kind: `service`, `task`, `instance`, `workload`.
    pub kind: &'static str,
    /// The service, workload, instance or task it is about.
    pub subject: String,
    /// The message, in ECS's wording where ECS has one.
    pub message: String,
    /// For scaling activities: the cause (alarm, policy, metric value), in AWS's wording.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_histogram_bins_are_half_open_and_the_last_is_open_ended() {
        let h = wait_histogram(&[
            0,
            999,
            1_000,
            1_999,
            2_000,
            59_999,
            60_000,
            86_400_000,
            u64::MAX,
        ]);
        assert_eq!(h.len(), WAIT_BIN_UPPER_S.len() + 1);
        let count = |lower: f64| h.iter().find(|b| b.lower_s == lower).map(|b| b.count);
        assert_eq!(count(0.0), Some(2)); // 0 and 0.999 s
        assert_eq!(count(1.0), Some(2)); // 1 and 1.999 s
        assert_eq!(count(2.0), Some(1));
        assert_eq!(count(30.0), Some(1)); // 59.999 s is below the 60 s edge
        assert_eq!(count(60.0), Some(1));
        assert_eq!(count(86_400.0), Some(2)); // one day and beyond: the open bin
        assert_eq!(h.last().and_then(|b| b.upper_s), None);
        assert_eq!(h.iter().map(|b| b.count).sum::<u64>(), 9);
        // Contiguous edges.
        for pair in h.windows(2) {
            assert_eq!(pair[0].upper_s, Some(pair[1].lower_s));
        }
    }

    #[test]
    fn an_empty_histogram_still_has_every_bin() {
        let h = wait_histogram(&[]);
        assert_eq!(h.len(), WAIT_BIN_UPPER_S.len() + 1);
        assert!(h.iter().all(|b| b.count == 0));
    }
}
