//! The model's run loop: one closed [`Event`] enum, one `match`, and the state it acts on.
//!
//! This is where ECS concepts meet the engine. Each handler applies a decision taken by a
//! pure policy elsewhere (`scheduler::placement`, `scheduler::capacity_provider_strategy`)
//! and keeps the incremental counters the report reads, so the per-minute tick never rescans
//! tasks or instances.
//! It never touches the filesystem except through the trace readers, and never the clock.

mod burst;
mod daemon;
mod deployment;
mod explain;
mod explain_capacity;
mod faults;
mod managed_instances;
mod policies;
mod prefetch;
mod rebalance;
mod run_task;
mod scaling;
mod state;
mod warm;
mod window;

/// Tasks one run may create: task numbers (`TaskId.0`, printed in outputs) are 32 bits.
const TASK_NUMBERS: u64 = 1 << 32;

/// Milliseconds per hour: commitments are priced per hour (AWS bills them hourly).
const HOUR_MS: u64 = 3_600_000;

use std::collections::VecDeque;

use crate::billing::Billing;
use crate::cloud::fargate;
use crate::cluster::{AutoScalingGroup, ContainerInstance, InstanceStatus};
use crate::engine::{EventQueue, RngStreams, SimDuration, SimRng, SimTime, Stream};
use crate::ids::{
    AsgId, AzId, CapacityProviderId, InstanceId, Owner, ServiceId, TaskId, WorkloadId,
};
use crate::report::{EventRecord, Report};
use crate::scenario::WorkloadSource;
use crate::scenario::{CapacityProviderKind, LaunchTarget, Scenario, StartMode, StrategyItem};
use crate::scheduler::capacity_provider_strategy;
use crate::scheduler::placement::{self, PlacementRequest, Placer, Pool};
use crate::scheduler::task::{Placement, StopCode, StopKind, Target, Task, TaskStatus, TaskTable};
use crate::units::Resources;
use crate::workload::{
    AlibabaGpuReader, AlibabaReader, CsvReader, GeneratedSource, JobSource, JobSubmission,
    SwfReader, TraceError,
};

pub use state::Counters;

/// One minute: the metric period.
/// \[DOC\] ecs-reference §4.6: ECS publishes one datapoint per minute.
pub const METRIC_PERIOD: SimDuration = SimDuration::from_mins(1);

/// How often a service may repeat "unable to place a task" while it keeps failing.
/// \[DERIVED\] ECS repeats the event while the problem lasts; one per 10 minutes keeps the log
/// readable without hiding a long outage.
const UNABLE_TO_PLACE_REPEAT: SimDuration = SimDuration::from_mins(10);

/// Stream names of the latency draws. Each draw is keyed by the instance (group, launch
/// number) or task (owner, task number) it is about, so a change elsewhere (a fault's
/// replacement launches, another service's scaling) never shifts it.
const LATENCY_INSTANCE_RUNNING: u64 = crate::engine::rng::stream_hash("latency.instance-running");
const LATENCY_AGENT_REGISTRATION: u64 =
    crate::engine::rng::stream_hash("latency.agent-registration");
const LATENCY_EC2_TASK_START: u64 = crate::engine::rng::stream_hash("latency.ec2-task-start");
const LATENCY_FARGATE_PROVISIONING: u64 =
    crate::engine::rng::stream_hash("latency.fargate-provisioning");
const LATENCY_FARGATE_TASK_START: u64 =
    crate::engine::rng::stream_hash("latency.fargate-task-start");
const LATENCY_TASK_STOP: u64 = crate::engine::rng::stream_hash("latency.task-stop");

/// Everything that can happen. Adding a variant makes the compiler list every handler to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// Record a time-series row.
    MetricsTick,
    /// The service scheduler's periodic reconcile.
    ServiceSchedulerTick,
    /// A reconcile asked for by a change (coalesced: at most one queued).
    Reconcile,
    /// Try to place waiting tasks after capacity changed (coalesced).
    PlacementPass,
    /// The next submission of a workload is due.
    Submission(WorkloadId),
    /// An EC2 instance reached `running`: billing starts.
    InstanceRunning(InstanceId),
    /// The agent registered: the instance is ACTIVE.
    InstanceRegistered(InstanceId),
    /// Fargate ENI attached: image pull starts (PENDING, billing starts).
    TaskPullStarted(TaskId),
    /// PENDING → RUNNING.
    TaskRunning(TaskId),
    /// A batch task's essential container exits: RUNNING → STOPPING.
    TaskExited(TaskId),
    /// STOPPING → STOPPED. The second field names the instance the task is on, only so the
    /// event loop can load it ahead (`prefetch`); the handler reads the task's placement.
    TaskStopped(TaskId, prefetch::OnInstance),
    /// A PROVISIONING task's wait limit.
    ProvisioningTimeout(TaskId),
    /// A DRAINING instance's lifecycle hook timed out: terminate it with what still runs.
    DrainingTimeout(InstanceId),
    /// A service's request rate changes.
    LoadStep(ServiceId),
    /// A 20-second metric period ended (high-resolution service metrics).
    HighResolutionTick,
    /// Service metric datapoints of one resolution reach the alarms, the metric delay after
    /// the period they describe.
    MetricsPublished(crate::autoscaling::Resolution),
    /// A scheduled action of a service is due.
    ScheduledAction(ServiceId),
    /// An instance fails its status checks.
    InstanceFailure(InstanceId),
    /// A scheduled instance failure of model `.0` (the `.1`-th time in its list).
    ScheduledInstanceFailure(u16, u32),
    /// An EC2 Spot interruption notice for an instance.
    SpotNotice(InstanceId),
    /// The `.0`-th scheduled EC2 Spot interruption notice.
    ScheduledSpotNotice(u32),
    /// Two minutes after the notice: the Spot instance is reclaimed.
    SpotTermination(InstanceId),
    /// A Fargate Spot task is reclaimed.
    FargateSpotInterruption(TaskId),
    /// A RUNNING task crashes.
    TaskCrash(TaskId),
    /// An AZ outage window starts.
    AzOutageStart(u32),
    /// An AZ outage window ends.
    AzOutageEnd(u32),
    /// The `.1`-th planned deployment of a service is due.
    DeploymentStart(ServiceId, u32),
    /// A new task's health grace ended: the deployment counts it healthy.
    DeploymentTaskHealthy(TaskId),
    /// A blue/green deployment's next traffic shift or the end of its wait (service,
    /// deployment index).
    DeploymentTimer(ServiceId, u32),
    /// A Fargate Spot capacity shortage starts: FARGATE_SPOT starts no task.
    FargateSpotShortageStart(u32),
    /// A Fargate Spot capacity shortage ends: waiting tasks launch.
    FargateSpotShortageEnd(u32),
    /// A throttled `RunTask` call's token is due: its tasks launch.
    RunTaskCall,
    /// A task started by AZ rebalancing has been RUNNING for its health grace.
    AzRebalanceTaskHealthy(TaskId),
    /// A service's next AZ rebalancing look is due (the pace, or after a failed placement).
    AzRebalanceCheck(ServiceId),
}

impl Event {
    /// The task this event is about, if any: such an event is ignored once its task is gone.
    fn task(self) -> Option<TaskId> {
        match self {
            Event::TaskPullStarted(t)
            | Event::TaskRunning(t)
            | Event::TaskExited(t)
            | Event::TaskStopped(t, _)
            | Event::ProvisioningTimeout(t)
            | Event::FargateSpotInterruption(t)
            | Event::DeploymentTaskHealthy(t)
            | Event::AzRebalanceTaskHealthy(t)
            | Event::TaskCrash(t) => Some(t),
            _ => None,
        }
    }
}

/// Why a run could not finish.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A trace row or file was bad.
    #[error(transparent)]
    Trace(#[from] TraceError),
    /// The event budget ran out: a policy probably loops.
    #[error("the run processed {limit} events without reaching its end at {at}; raise settings.maxEvents if this is expected, otherwise a policy loops")]
    EventBudget {
        /// The limit in force.
        limit: u64,
        /// Simulated time reached.
        at: SimTime,
    },
    /// The run outgrew its work cap: more live tasks, queued task ids and instances, or more
    /// events waiting, than `settings.maxWork` (or more tasks created than task numbers). Stopping here is what keeps memory bounded when the
    /// scenario's estimate was too low (a trace `run` does not read ahead, an unlucky draw).
    #[error("the run stopped at {at}: {what}, over settings.maxWork = {limit} (about {} of memory); check the workloads' rates, counts and traces, or raise settings.maxWork if the run is meant to be this large", crate::scenario::human_bytes(*limit as f64 * crate::defaults::WORK_ITEM_BYTES as f64))]
    WorkCap {
        /// What outgrew the cap, in the scenario's words.
        what: String,
        /// The limit in force.
        limit: u64,
        /// Simulated time reached.
        at: SimTime,
    },
}

/// Progress, reported to a callback now and then (the binary draws it on stderr).
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    /// Simulated time reached.
    pub now: SimTime,
    /// Simulated end.
    pub end: SimTime,
    /// Events processed so far.
    pub events: u64,
}

/// A service at run time.
struct ServiceState {
    desired: u32,
    /// Tasks in PROVISIONING, PENDING or RUNNING (what counts toward desired).
    live: u32,
    running: u32,
    /// Live tasks per strategy item (same order as the strategy).
    per_item: Vec<u32>,
    steady: bool,
    last_unable_event: Option<SimTime>,
    minutes_below_desired: u64,
    /// Live tasks (PROVISIONING, PENDING, RUNNING and not replaced), for scale-in.
    tasks: Vec<TaskId>,
    /// RUNNING tasks on DRAINING instances waiting for a replacement, oldest first.
    replacing: VecDeque<TaskId>,
}

/// A workload at run time.
struct WorkloadState {
    source: JobSource,
    next: Option<JobSubmission>,
    submissions: u64,
    exhausted: bool,
}

/// The world: everything the handlers act on.
pub struct Simulation<'s> {
    sc: &'s Scenario,
    queue: EventQueue<Event>,
    end: SimTime,
    /// The root of every generator, for per-entity fault streams.
    streams: RngStreams,
    /// Active outage windows per AZ.
    az_down: Vec<u32>,
    /// AZ outage windows (scheduled and random), merged.
    outage_windows: Vec<crate::faults::outage::AzOutageWindow>,
    /// Fargate Spot shortage windows in force (scripted and drawn, merged), and how many are
    /// open now (windows are merged, so 0 or 1).
    shortage_windows: Vec<crate::faults::fargate_spot::ShortageWindow>,
    spot_short: u32,
    /// FARGATE_SPOT tasks waiting in PROVISIONING for a shortage to end, in arrival order;
    /// stopped ones are skipped when the queue drains.
    spot_waiting: VecDeque<TaskId>,
    fault_stats: faults::FaultStats,
    /// Batch tasks to re-run (work lost with their capacity), launched once the loss is over.
    reruns: Vec<(Owner, Resources, Target, Option<SimDuration>)>,
    /// Set while a whole AZ is being lost, so re-runs wait until it is gone.
    defer_reruns: bool,
    /// Per service: availability under faults.
    service_faults: Vec<faults::ServiceFaults>,
    /// Tasks created so far per owner (services, then workloads).
    owner_seq: Vec<u32>,
    /// Instances launched so far per Auto Scaling group.
    asg_seq: Vec<u32>,
    /// Per ASG, the instances launched after the group's initial capacity (replacements and
    /// scale-outs, at time zero included), for the capacity provider summary.
    asg_launched: Vec<u64>,
    placement_rng: SimRng,
    scaling_rng: SimRng,
    instances: Vec<ContainerInstance>,
    /// Tasks bound to each instance (PENDING, RUNNING, STOPPING), for draining and termination;
    /// DAEMON tasks are kept apart in `instance_daemons`, so "empty" means no other task.
    instance_tasks: Vec<crate::cluster::InstanceTasks>,
    /// The DAEMON services, in service order.
    daemons: Vec<ServiceId>,
    /// Per instance, its daemon tasks; empty (never pushed) when the scenario has no daemon.
    instance_daemons: Vec<daemon::InstanceDaemons>,
    asgs: Vec<AutoScalingGroup>,
    /// Live tasks (a slab: a STOPPED task's slot is reused, see `TaskTable`).
    tasks: TaskTable,
    services: Vec<ServiceState>,
    workloads: Vec<WorkloadState>,
    placer: Placer,
    billing: Billing,
    /// Batch tasks with launch type EC2 waiting for room (FIFO with a backfill window).
    cluster_queue: VecDeque<TaskId>,
    /// The cluster has external instances (ECS Anywhere): the cost series has their column.
    has_external: bool,
    /// Batch tasks with launch type EXTERNAL waiting for room on external instances: a queue
    /// of its own, so a size that failed there never holds back an EC2 task of the same size.
    external_queue: VecDeque<TaskId>,
    /// Largest free CPU and memory among external instances that gained room since the last
    /// pass (the external pool's `changed_max_free`).
    external_changed_max_free: Resources,
    /// Per capacity provider: tasks in PROVISIONING waiting for an instance.
    provider_waiting: Vec<VecDeque<TaskId>>,
    /// Per capacity provider: batch tasks waiting for a PROVISIONING slot (cluster quota).
    provider_submit: Vec<VecDeque<TaskId>>,
    /// Fargate tasks per owner per AZ, for AZ balancing.
    fargate_az_counts: Vec<Vec<u32>>,
    /// Fargate launch token buckets (GCRA theoretical arrival time), on-demand and Spot.
    fargate_tat: [SimTime; 2],
    /// The `RunTask` API token bucket (GCRA theoretical arrival time).
    run_task_tat: SimTime,
    /// Tasks of throttled `RunTask` calls, with the time each call is let through, in order.
    run_task_queue: VecDeque<(SimTime, TaskId)>,
    reconcile_queued: bool,
    pass_queued: bool,
    /// Scratch for `drain_queue`: the sizes that failed in the queue being drained.
    failed_sizes: Vec<Resources>,
    /// Scratch for `submit`: the tasks of one RunTask call, and their count per strategy
    /// item.
    call_scratch: Vec<TaskId>,
    per_item_scratch: Vec<u32>,
    pass_id: u32,
    /// Largest free CPU and memory among instances that gained room since the last pass, per
    /// pool (index = provider id; last = instances with no provider).
    changed_max_free: Vec<Resources>,
    /// Per pool (index = provider id; then the whole cluster's EC2 instances; last = external
    /// instances): the registered size of each instance type its groups can launch. A task
    /// that fits none of them can never run there.
    pool_shapes: Vec<Vec<Resources>>,
    counters: Counters,
    /// Per service: load and auto scaling (same index as `services`).
    service_scaling: Vec<policies::ServiceScaling>,
    /// Per ASG capacity provider: managed scaling.
    provider_scaling: Vec<policies::ProviderScaling>,
    /// The provider of each `provider_scaling` entry.
    provider_scaling_index: Vec<CapacityProviderId>,
    /// Per Managed Instances provider: its candidate types and optimization clock.
    managed_instances: Vec<managed_instances::ManagedInstancesState>,
    /// Some service policy uses 20-second metrics.
    high_resolution: bool,
    /// Spare-CPU bookkeeping for services whose EC2 tasks may burst (`None` when none can).
    burst: Option<burst::Burst>,
    service_series: Vec<crate::report::ServiceMinuteRow>,
    provider_series: Vec<crate::report::ProviderMinuteRow>,
    report_events: Vec<EventRecord>,
    events_dropped: u64,
    /// The minute tick at which the measurement window starts (`settings.measureFrom`);
    /// `None` when it starts at time zero.
    measure_at: Option<SimTime>,
    /// The marks taken there.
    window: Option<window::Window>,
    /// Billing's usage marks at each hour of the window (from its start), for commitments;
    /// empty when the scenario has none, so a run without commitments takes no mark.
    hour_marks: Vec<crate::billing::UsageMark>,
    /// Decision traces, only with `--explain` (`None` costs each decision site one test).
    explain: Option<Box<explain::ExplainState>>,
    /// Per service: its deployment state (same index as `services`).
    service_deploys: Vec<deployment::ServiceDeploy>,
    /// Every deployment started, in start order.
    deployments: Vec<deployment::DeploymentRun>,
    /// The deployments still counting extra instances (indices into `deployments`).
    instance_counting: Vec<usize>,
    /// Per service: its AZ rebalancing state (same index as `services`).
    rebalance: Vec<rebalance::ServiceRebalance>,
}

impl<'s> Simulation<'s> {
    /// Builds the world at time zero for `scenario` with root `seed`.
    pub fn new(sc: &'s Scenario, seed: u64) -> Result<Self, RunError> {
        let streams = RngStreams::new(seed);
        let provider_count = sc.capacity_providers.len();
        let owner_count = sc.services.len() + sc.workloads.len();
        let mut workloads = Vec::with_capacity(sc.workloads.len());
        for (i, w) in sc.workloads.iter().enumerate() {
            let rng = streams.named(Stream::Workload.name(), i as u64);
            let source = open_source(&w.source, rng)?;
            workloads.push(WorkloadState {
                source,
                next: None,
                submissions: 0,
                exhausted: false,
            });
        }
        let services = sc
            .services
            .iter()
            .map(|s| ServiceState {
                desired: s.desired_count,
                live: 0,
                running: 0,
                per_item: match &s.launch {
                    LaunchTarget::Strategy(items) => vec![0; items.len()],
                    _ => Vec::new(),
                },
                steady: false,
                last_unable_event: None,
                minutes_below_desired: 0,
                tasks: Vec::new(),
                replacing: VecDeque::new(),
            })
            .collect();
        let asgs = sc
            .auto_scaling_groups
            .iter()
            .enumerate()
            .map(|(i, a)| AutoScalingGroup {
                id: AsgId::from_index(i),
                name: a.name.clone(),
                capacity_provider: a.capacity_provider,
                instance_types: a.instance_types.clone(),
                azs: a.availability_zones.clone(),
                min_size: a.min_size,
                max_size: a.max_size,
                desired_capacity: a.desired_capacity,
                spot: a.spot,
                managed_instances: a.managed_instances,
                instances: Vec::new(),
                live_by_az: vec![0; sc.cluster.availability_zones.len()],
                in_service: 0,
                draining: 0,
                non_empty: 0,
                rebalance_pending: 0,
            })
            .collect();
        let mut pool_shapes = vec![Vec::new(); provider_count + 2];
        for a in &sc.auto_scaling_groups {
            if let Some(ext) = &a.external {
                pool_shapes[provider_count + 1].push(ext.registered);
                continue;
            }
            for &t in &a.instance_types {
                let shape = sc.catalog.registered_resources_on(
                    t,
                    sc.settings.memory_overhead,
                    sc.settings.awsvpc_trunking,
                    a.os,
                );
                if let Some(cp) = a.capacity_provider {
                    pool_shapes[cp.index()].push(shape);
                }
                pool_shapes[provider_count].push(shape);
            }
        }
        let mut placer = Placer::new(sc.cluster.availability_zones.len());
        // The spread(instanceId) index is kept for services (their default strategy) and for
        // workloads that ask for that strategy; binpack-only workloads do not pay for it.
        for s in 0..sc.services.len() {
            // A daemon is placed on a given instance, never by a spread search.
            if !sc.services[s].daemon {
                placer.track_spread(Owner::Service(ServiceId::from_index(s)));
            }
        }
        for (w, spec) in sc.workloads.iter().enumerate() {
            if spec.placement_strategy.iter().any(|r| {
                matches!(
                    r,
                    placement::PlacementStrategy::Spread(placement::SpreadField::InstanceId)
                )
            }) {
                placer.track_spread(Owner::Workload(WorkloadId::from_index(w)));
            }
        }
        // Likewise the free-CPU order, only if some chain binpacks on CPU (two B-tree
        // updates per reservation and release otherwise spent for nothing).
        let binpacks_cpu = |chain: &[placement::PlacementStrategy]| {
            chain.contains(&placement::PlacementStrategy::Binpack(
                placement::BinpackField::Cpu,
            ))
        };
        if sc
            .services
            .iter()
            .any(|s| binpacks_cpu(&s.placement_strategy))
            || sc
                .workloads
                .iter()
                .any(|w| binpacks_cpu(&w.placement_strategy))
        {
            placer.track_binpack_cpu();
        }
        let mut sim = Simulation {
            pool_shapes,
            sc,
            queue: EventQueue::new(),
            end: SimTime::ZERO + sc.duration,
            streams,
            az_down: vec![0; sc.cluster.availability_zones.len()],
            outage_windows: Vec::new(),
            shortage_windows: Vec::new(),
            spot_short: 0,
            spot_waiting: VecDeque::new(),
            fault_stats: faults::FaultStats::default(),
            reruns: Vec::new(),
            defer_reruns: false,
            service_faults: vec![faults::ServiceFaults::default(); sc.services.len()],
            owner_seq: vec![0; sc.services.len() + sc.workloads.len()],
            asg_seq: vec![0; sc.auto_scaling_groups.len()],
            asg_launched: vec![0; sc.auto_scaling_groups.len()],
            placement_rng: streams.stream(Stream::Placement),
            scaling_rng: streams.stream(Stream::Scaling),
            instances: Vec::new(),
            instance_tasks: Vec::new(),
            daemons: (0..sc.services.len())
                .filter(|&s| sc.services[s].daemon)
                .map(ServiceId::from_index)
                .collect(),
            instance_daemons: Vec::new(),
            asgs,
            tasks: TaskTable::new(),
            services,
            workloads,
            placer,
            billing: Billing::new(sc.catalog.fargate),
            cluster_queue: VecDeque::new(),
            has_external: sc.auto_scaling_groups.iter().any(|a| a.external.is_some()),
            external_queue: VecDeque::new(),
            external_changed_max_free: Resources::default(),
            provider_waiting: vec![VecDeque::new(); provider_count],
            provider_submit: vec![VecDeque::new(); provider_count],
            fargate_az_counts: vec![vec![0; sc.cluster.availability_zones.len()]; owner_count],
            fargate_tat: [SimTime::ZERO; 2],
            run_task_tat: SimTime::ZERO,
            run_task_queue: VecDeque::new(),
            reconcile_queued: false,
            pass_queued: false,
            failed_sizes: Vec::new(),
            call_scratch: Vec::new(),
            per_item_scratch: Vec::new(),
            pass_id: 0,
            changed_max_free: vec![Resources::default(); provider_count + 1],
            counters: Counters::new(sc),
            service_scaling: Vec::new(),
            provider_scaling: Vec::new(),
            provider_scaling_index: Vec::new(),
            managed_instances: Vec::new(),
            high_resolution: false,
            burst: None,
            service_series: Vec::new(),
            provider_series: Vec::new(),
            report_events: Vec::new(),
            events_dropped: 0,
            measure_at: (sc.settings.measure_from > SimDuration::ZERO)
                .then(|| SimTime::ZERO + sc.settings.measure_from),
            window: None,
            hour_marks: Vec::new(),
            explain: None,
            service_deploys: sc
                .services
                .iter()
                .map(|s| deployment::ServiceDeploy::new(s.task_definition))
                .collect(),
            deployments: Vec::new(),
            instance_counting: Vec::new(),
            rebalance: (0..sc.services.len())
                .map(|s| rebalance::ServiceRebalance::new(sc, s))
                .collect(),
        };
        sim.init_service_scaling()?;
        sim.init_burst();
        sim.init_provider_scaling();
        Ok(sim)
    }

    /// Runs to the scenario's end and returns the report.
    pub fn run(mut self, progress: &mut dyn FnMut(Progress)) -> Result<Report, RunError> {
        self.start()?;
        self.tasks.recycle();
        let limit = self.sc.settings.max_events;
        let mut next_progress = 0u64;
        while let Some(t) = self.queue.peek_time() {
            if t > self.end {
                break;
            }
            let Some((now, event)) = self.queue.pop() else {
                break;
            };
            if self.queue.delivered_count() > limit {
                return Err(RunError::EventBudget { limit, at: now });
            }
            self.prefetch_next();
            self.handle(now, event)?;
            self.tasks.recycle();
            self.check_work_cap(now)?;
            if self.queue.delivered_count() >= next_progress {
                next_progress += 1 << 16;
                progress(Progress {
                    now,
                    end: self.end,
                    events: self.queue.delivered_count(),
                });
            }
        }
        progress(Progress {
            now: self.end,
            end: self.end,
            events: self.queue.delivered_count(),
        });
        Ok(self.finish())
    }

    /// Stops the run once it holds more than `settings.maxWork` live tasks, launched instances
    /// and queued task ids, or more than `EVENTS_PER_WORK_ITEM` times that many waiting
    /// events. A few length compares per event: live tasks are what the task table holds
    /// (finished tasks are released, issue 13), instances stay for the report, and the
    /// waiting queues may hold ids of tasks that timed out until a pass removes them, so
    /// they are counted too; the event queue is checked on its own.
    #[inline]
    fn check_work_cap(&self, now: SimTime) -> Result<(), RunError> {
        let limit = self.sc.settings.max_work;
        if self.held_work() > limit
            || self.queue.len() as u64 > limit.saturating_mul(crate::defaults::EVENTS_PER_WORK_ITEM)
            || self.tasks.created() > TASK_NUMBERS
        {
            return Err(self.work_cap_error(now));
        }
        Ok(())
    }

    /// Work items held now: live tasks, instances launched (kept for the report) and task ids
    /// in the waiting queues (O(capacity providers)).
    #[inline]
    fn held_work(&self) -> u64 {
        self.tasks.live() as u64 + self.instances.len() as u64 + self.queued_ids() as u64
    }

    /// Task ids in the waiting queues, stale ones (timed out, removed lazily) included.
    #[inline]
    fn queued_ids(&self) -> usize {
        self.cluster_queue.len()
            + self.external_queue.len()
            + self
                .provider_waiting
                .iter()
                .map(VecDeque::len)
                .sum::<usize>()
            + self
                .provider_submit
                .iter()
                .map(VecDeque::len)
                .sum::<usize>()
    }

    /// The error [`Self::check_work_cap`] returns; out of line, so the check that runs after
    /// every event stays a few instructions.
    #[cold]
    #[inline(never)]
    fn work_cap_error(&self, now: SimTime) -> RunError {
        let limit = self.sc.settings.max_work;
        let what = if self.held_work() > limit {
            format!(
                "{} tasks alive, {} waiting in queues and {} instances launched",
                self.tasks.live(),
                self.queued_ids(),
                self.instances.len()
            )
        } else if self.tasks.created() > TASK_NUMBERS {
            format!(
                "{} tasks created, more than ecsim numbers in one run ({TASK_NUMBERS})",
                self.tasks.created()
            )
        } else {
            format!(
                "{} events waiting (at most {} per work item)",
                self.queue.len(),
                crate::defaults::EVENTS_PER_WORK_ITEM
            )
        };
        RunError::WorkCap {
            what,
            limit,
            at: now,
        }
    }

    /// Time zero: the ASGs' instances registered, the services' tasks RUNNING (warm start)
    /// or launched by the first reconcile (cold start), the first submissions and ticks
    /// queued.
    fn start(&mut self) -> Result<(), RunError> {
        let now = SimTime::ZERO;
        // The run starts with each ASG at its desired capacity, registered and billed from
        // zero: a planning run asks what a running cluster costs, not how it boots.
        for a in 0..self.asgs.len() {
            let desired = self.asgs[a].desired_capacity;
            for _ in 0..desired {
                if let Some(id) = self.launch_instance(AsgId::from_index(a), now, false) {
                    self.instance_running(id, now);
                    self.instance_registered(id, now);
                }
            }
        }
        if self.sc.settings.start == StartMode::Warm {
            self.warm_start_services(now);
        }
        for w in 0..self.workloads.len() {
            self.pull_submission(WorkloadId::from_index(w), now)?;
        }
        self.start_policies(now)?;
        self.start_faults();
        self.start_deployments();
        self.queue.schedule_at(now, Event::MetricsTick);
        self.queue.schedule_at(now, Event::ServiceSchedulerTick);
        Ok(())
    }

    fn handle(&mut self, now: SimTime, event: Event) -> Result<(), RunError> {
        if let Some(t) = event.task() {
            if !self.tasks.is_current(t) {
                // The task is gone: STOPPED, and its slot reused. Every task event is
                // ignored for a STOPPED task, so this is the same as it always was.
                return Ok(());
            }
        }
        match event {
            Event::MetricsTick => {
                self.record_minute(now);
                self.record_policy_rows(now);
                if self.measure_at == Some(now) {
                    // After the minute ending now was counted: it belongs to the warm-up.
                    self.mark_window(now);
                }
                if now > SimTime::ZERO {
                    self.evaluate_services(now, crate::autoscaling::Resolution::Standard);
                }
                self.managed_scaling_tick(now);
                if !self.instance_counting.is_empty() {
                    self.deployment_minute();
                }
                self.queue.schedule_in(METRIC_PERIOD, Event::MetricsTick);
            }
            Event::ServiceSchedulerTick => {
                self.reconcile_services(now);
                self.queue.schedule_in(
                    self.sc.settings.service_scheduler_interval,
                    Event::ServiceSchedulerTick,
                );
            }
            Event::Reconcile => {
                self.reconcile_queued = false;
                self.reconcile_services(now);
            }
            Event::PlacementPass => {
                self.pass_queued = false;
                self.placement_pass(now);
            }
            Event::Submission(w) => self.submit(w, now)?,
            Event::InstanceRunning(i) => self.instance_running(i, now),
            Event::InstanceRegistered(i) => self.instance_registered(i, now),
            Event::TaskPullStarted(t) => self.task_pull_started(t, now),
            Event::TaskRunning(t) => self.task_running(t, now),
            Event::TaskExited(t) => self.begin_stop(t, now, StopCode::EssentialContainerExited),
            Event::TaskStopped(t, _) => self.task_stopped(t, now),
            Event::LoadStep(s) => self.pull_load_step(s, now)?,
            Event::HighResolutionTick => {
                self.evaluate_services(now, crate::autoscaling::Resolution::High);
                self.queue.schedule_in(
                    crate::autoscaling::Resolution::High.period(),
                    Event::HighResolutionTick,
                );
            }
            Event::MetricsPublished(r) => self.publish_datapoints(now, r),
            Event::ScheduledAction(s) => self.run_scheduled_actions(s, now),
            Event::RunTaskCall => self.run_task_due(now),
            Event::InstanceFailure(_)
            | Event::ScheduledInstanceFailure(..)
            | Event::SpotNotice(_)
            | Event::ScheduledSpotNotice(_)
            | Event::SpotTermination(_)
            | Event::FargateSpotInterruption(_)
            | Event::TaskCrash(_)
            | Event::AzOutageStart(_)
            | Event::AzOutageEnd(_)
            | Event::FargateSpotShortageStart(_)
            | Event::FargateSpotShortageEnd(_) => {
                let before = self.explain.is_some().then(|| self.fault_before(&event));
                self.handle_fault(now, event);
                if let Some(b) = before {
                    self.explain_fault(b, &event, now);
                }
            }
            Event::DrainingTimeout(i) => {
                if self.instances[i.index()].status == InstanceStatus::Draining {
                    self.terminate_instance(i, now);
                }
            }
            Event::DeploymentStart(s, i) => self.planned_deployment(s, i, now),
            Event::DeploymentTaskHealthy(t) => self.deploy_task_healthy(t, now),
            Event::DeploymentTimer(s, d) => self.deployment_timer(s, d, now),
            Event::AzRebalanceTaskHealthy(t) => self.rebalance_task_healthy(t),
            Event::AzRebalanceCheck(s) => self.rebalance_check(s, now),
            Event::ProvisioningTimeout(t) => {
                if self.tasks[t.index()].status == TaskStatus::Provisioning {
                    self.fail_unplaced(t, now, StopCode::ProvisioningTimeout);
                }
            }
        }
        Ok(())
    }

    // ---- instances -------------------------------------------------------------------------

    /// Launches one instance for `asg`; `None` when every one of its AZs is down.
    fn launch_instance(&mut self, asg: AsgId, now: SimTime, schedule: bool) -> Option<InstanceId> {
        let a = &self.asgs[asg.index()];
        // EC2 Auto Scaling balances across its AZs: launch into the one with fewest instances
        // (among the zones that are up).
        debug_assert!(a.azs.iter().all(|az| a.live_by_az[az.index()] as usize
            == a.instances
                .iter()
                .filter(|i| self.instances[i.index()].az == *az)
                .count()));
        let az = *a
            .azs
            .iter()
            .filter(|az| !self.az_down(**az))
            .min_by_key(|az| (a.live_by_az[az.index()], az.0))?;
        Some(self.launch_instance_at(asg, az, now, schedule))
    }

    /// Launches one instance for `asg` in zone `az` (AZ rebalancing); `None` if it is down.
    fn launch_instance_in(&mut self, asg: AsgId, az: AzId, now: SimTime) -> Option<InstanceId> {
        if self.az_down(az) {
            return None;
        }
        Some(self.launch_instance_at(asg, az, now, true))
    }

    fn launch_instance_at(
        &mut self,
        asg: AsgId,
        az: AzId,
        now: SimTime,
        schedule: bool,
    ) -> InstanceId {
        let instance_type = self.asgs[asg.index()].instance_types[0];
        self.launch_typed_at(asg, az, instance_type, now, schedule)
    }

    /// Launches one instance of `instance_type` for `asg` in zone `az`: the group's first type
    /// for EC2 Auto Scaling, the selection's choice for a Managed Instances provider.
    fn launch_typed_at(
        &mut self,
        asg: AsgId,
        az: AzId,
        instance_type: crate::ids::InstanceTypeId,
        now: SimTime,
        schedule: bool,
    ) -> InstanceId {
        let a = &self.asgs[asg.index()];
        let os = self.sc.auto_scaling_groups[asg.index()].os;
        let external = self.sc.auto_scaling_groups[asg.index()].external;
        // An external machine registers what its group says (its OS's memory less
        // ECS_RESERVED_MEMORY), not an EC2 type's hypervisor arithmetic.
        let registered = match &external {
            Some(ext) => ext.registered,
            None => self.sc.catalog.registered_resources_on(
                instance_type,
                self.sc.settings.memory_overhead,
                self.sc.settings.awsvpc_trunking,
                os,
            ),
        };
        let id = InstanceId::from_index(self.instances.len());
        let seq = self.asg_seq[asg.index()];
        self.asg_seq[asg.index()] += 1;
        let arch = self.sc.catalog.get(instance_type).arch;
        let mut inst =
            ContainerInstance::launched(id, asg, instance_type, az, arch, registered, now);
        inst.capacity_provider = a.capacity_provider;
        inst.seq = seq;
        inst.spot = a.spot;
        inst.os = os;
        inst.external = external.is_some();
        self.instances.push(inst);
        self.instance_tasks.push(Default::default());
        if !self.daemons.is_empty() {
            self.instance_daemons
                .push(daemon::InstanceDaemons::default());
        }
        self.asgs[asg.index()].instances.push(id);
        self.asgs[asg.index()].live_by_az[az.index()] += 1;
        self.asgs[asg.index()].in_service += 1;
        self.counters.instances_launched += 1;
        self.counters.instances_pending += 1;
        self.counters.peak_instances = self
            .counters
            .peak_instances
            .max(self.counters.live_instances());
        if schedule {
            // Only the initial capacity is launched unscheduled (it is running at zero).
            self.asg_launched[asg.index()] += 1;
            let d = self
                .sc
                .settings
                .instance_running_latency
                .sample(&mut self.instance_rng(LATENCY_INSTANCE_RUNNING, id));
            self.queue.schedule_at(now + d, Event::InstanceRunning(id));
        }
        id
    }

    fn instance_running(&mut self, id: InstanceId, now: SimTime) {
        let inst = &self.instances[id.index()];
        if inst.status == InstanceStatus::Terminated {
            return;
        }
        self.instances[id.index()].running_at = Some(now);
        let inst = &self.instances[id.index()];
        let asg = &self.sc.auto_scaling_groups[inst.asg.index()];
        let price = asg.usd_per_hour(&self.sc.catalog, inst.instance_type);
        if asg.external.is_some() {
            // The Anywhere fee plus the machine's own cost, metered apart from EC2.
            self.billing.external_instance_started(
                id,
                now,
                inst.instance_type,
                price,
                inst.registered,
            );
        } else {
            // A Managed Instances provider's fee, billed like the instance (per second,
            // one-minute minimum) on its own line.
            let on_demand = self
                .sc
                .catalog
                .get(inst.instance_type)
                .on_demand_usd_per_hour;
            let fee = inst
                .capacity_provider
                .and_then(|cp| {
                    self.sc.capacity_providers[cp.index()]
                        .managed_instances
                        .as_ref()
                })
                .and_then(|m| m.fee.usd_per_hour(inst.instance_type, on_demand))
                .unwrap_or(0.0);
            self.billing.instance_started_with_fee(
                id,
                now,
                inst.instance_type,
                price,
                fee,
                inst.capacity_provider,
                inst.registered,
            );
        }
        // Paid from the running state on (ecs-reference §7.6), as billing does.
        let whole = self.instance_type_size(inst.instance_type);
        self.counters.instance_billed(whole, true);
        let inst = &self.instances[id.index()];
        if now > SimTime::ZERO {
            let (az, ty) = (inst.az, inst.instance_type);
            let msg = format!(
                "EC2 instance {} running in {} (billing starts)",
                self.sc.catalog.get(ty).name,
                self.sc.cluster.availability_zones[az.index()]
            );
            self.log(now, "instance", placement::instance_display_id(id), msg);
        }
        if !self.sc.faults.is_empty() {
            self.instance_faults(id, now);
        }
        if now != SimTime::ZERO || self.queue.delivered_count() > 0 {
            let d = self
                .sc
                .settings
                .agent_registration_latency
                .sample(&mut self.instance_rng(LATENCY_AGENT_REGISTRATION, id));
            self.queue
                .schedule_at(now + d, Event::InstanceRegistered(id));
        }
    }

    /// The whole size of an instance type (vCPU as CPU units, memory): what its price buys.
    fn instance_type_size(&self, ty: crate::ids::InstanceTypeId) -> Resources {
        let t = self.sc.catalog.get(ty);
        Resources::new(
            t.vcpu.saturating_mul(crate::units::CPU_UNITS_PER_VCPU),
            t.memory_mib,
        )
    }

    fn instance_registered(&mut self, id: InstanceId, now: SimTime) {
        if self.instances[id.index()].status != InstanceStatus::Pending {
            return;
        }
        self.counters.advance(now);
        let inst = &mut self.instances[id.index()];
        inst.mark_registered(now);
        self.counters.instances_pending -= 1;
        self.counters.instances_active += 1;
        self.counters.registered = self.counters.registered + inst.registered;
        self.placer.add_instance(&self.instances[id.index()]);
        // Daemon tasks first: they take their room before any waiting task sees the instance.
        self.daemons_on_registration(id, now);
        self.note_room(id);
        if now > SimTime::ZERO {
            self.log(
                now,
                "instance",
                placement::instance_display_id(id),
                "Container instance registered and ACTIVE".to_string(),
            );
        }
        self.request_reconcile();
        self.request_pass();
        let asg = self.instances[id.index()].asg;
        if self.asgs[asg.index()].rebalance_pending > 0 {
            self.rebalance_after_launch(id, now);
        }
    }

    // ---- submissions -------------------------------------------------------------------------

    /// Reads the next submission of workload `w` and schedules it.
    fn pull_submission(&mut self, w: WorkloadId, now: SimTime) -> Result<(), RunError> {
        let ws = &mut self.workloads[w.index()];
        if ws.exhausted {
            return Ok(());
        }
        match ws.source.next() {
            None => {
                ws.exhausted = true;
                ws.next = None;
            }
            Some(Err(e)) => return Err(e.into()),
            Some(Ok(job)) => {
                let at = job.submit.max(now);
                if at > self.end {
                    // Past the end of the run: stop reading; the rest of the trace is not needed.
                    ws.exhausted = true;
                    ws.next = None;
                } else {
                    ws.next = Some(job);
                    self.queue.schedule_at(at, Event::Submission(w));
                }
            }
        }
        Ok(())
    }

    fn submit(&mut self, w: WorkloadId, now: SimTime) -> Result<(), RunError> {
        let Some(job) = self.workloads[w.index()].next.take() else {
            return self.pull_submission(w, now);
        };
        self.workloads[w.index()].submissions += 1;
        self.counters.work_submitted(w, now, job.count);
        let spec = &self.sc.workloads[w.index()];
        // A row sizes CPU and memory; the devices come from the task definition (its network
        // mode's ENI, its Neuron devices), GPUs from the row when it gives some (issue 15).
        let td = &self.sc.task_definitions[spec.task_definition.index()].size;
        let gpus = if job.gpus > 0 { job.gpus } else { td.gpu };
        let need = Resources::new(job.cpu.0, job.memory.0).with_devices(td.eni, gpus, td.neuron);
        let owner = Owner::Workload(w);
        // One row can ask for up to 2³² tasks at once: check before creating them, since the
        // run loop's check comes only after this handler.
        if self.held_work() + u64::from(job.count) > self.sc.settings.max_work
            || self.tasks.created() + u64::from(job.count) > TASK_NUMBERS
        {
            return Err(self.submission_over_cap(w, &job, now));
        }
        // RunTask takes at most `runTaskMaxCount` tasks a call (AWS: 10), so a submission of
        // more is several calls, each through the API's token bucket (`run_task`). A
        // strategy's base applies per call, so its counts start at zero for each call.
        let per_call = self.sc.settings.run_task_max_count.max(1);
        let mut left = job.count;
        // The fields' buffers, so a submission allocates nothing (two allocations per
        // submission were a visible share of a batch run, issue 13).
        let mut call = std::mem::take(&mut self.call_scratch);
        let mut per_item = std::mem::take(&mut self.per_item_scratch);
        while left > 0 {
            let n = left.min(per_call);
            left -= n;
            per_item.clear();
            if let LaunchTarget::Strategy(items) = &spec.launch {
                per_item.resize(items.len(), 0);
            }
            call.clear();
            for _ in 0..n {
                let target = self.choose_target(&spec.launch, &mut per_item);
                call.push(self.new_task(owner, need, target, now, Some(job.duration)));
            }
            self.run_task_call(&call, now);
        }
        self.call_scratch = call;
        self.per_item_scratch = per_item;
        self.pull_submission(w, now)
    }

    /// The error of a submission whose tasks would outgrow the work cap (out of line: cold).
    #[cold]
    #[inline(never)]
    fn submission_over_cap(&self, w: WorkloadId, job: &JobSubmission, now: SimTime) -> RunError {
        // Generated submissions have no line.
        let row = if job.line > 0 {
            format!(" (trace line {})", job.line)
        } else {
            String::new()
        };
        RunError::WorkCap {
            what: format!(
                "workload {} submits {} tasks at once{row} with {} tasks alive ({} created)",
                self.sc.workloads[w.index()].name,
                job.count,
                self.tasks.live(),
                self.tasks.created()
            ),
            limit: self.sc.settings.max_work,
            at: now,
        }
    }

    /// Which capacity the next task of a launch target uses; bumps the strategy counts.
    fn choose_target(&mut self, launch: &LaunchTarget, per_item: &mut [u32]) -> Target {
        match launch {
            LaunchTarget::Ec2 => Target::Ec2Cluster,
            LaunchTarget::External => Target::External,
            LaunchTarget::Fargate => Target::Fargate {
                provider: self.fargate_provider(false),
                spot: false,
            },
            LaunchTarget::Strategy(items) => {
                let i = capacity_provider_strategy::choose(items, per_item).unwrap_or(0);
                if self.explain.is_some() {
                    self.explain_strategy(items, per_item, i);
                }
                per_item[i] += 1;
                self.target_of(items[i])
            }
        }
    }

    fn target_of(&self, item: StrategyItem) -> Target {
        match self.sc.capacity_providers[item.capacity_provider.index()].kind {
            CapacityProviderKind::AutoScalingGroup(_) => {
                Target::Ec2Provider(item.capacity_provider)
            }
            CapacityProviderKind::Fargate => Target::Fargate {
                provider: item.capacity_provider,
                spot: false,
            },
            CapacityProviderKind::FargateSpot => Target::Fargate {
                provider: item.capacity_provider,
                spot: true,
            },
        }
    }

    fn fargate_provider(&self, spot: bool) -> CapacityProviderId {
        let want = if spot {
            CapacityProviderKind::FargateSpot
        } else {
            CapacityProviderKind::Fargate
        };
        let idx = self
            .sc
            .capacity_providers
            .iter()
            .position(|p| p.kind == want)
            .unwrap_or(0);
        CapacityProviderId::from_index(idx)
    }

    fn new_task(
        &mut self,
        owner: Owner,
        need: Resources,
        target: Target,
        now: SimTime,
        run_time: Option<SimDuration>,
    ) -> TaskId {
        let id = self.tasks.insert(Task {
            owner,
            need,
            fargate_size: Resources::default(),
            status: TaskStatus::Queued,
            target,
            placement: Placement::Unplaced,
            submitted_at: now,
            started_at: None,
            run_time,
            stop_code: None,
            last_pass: 0,
            replaced: false,
            service_slot: 0,
            generation: self.generation_of(owner),
            deploy_running: false,
            healthy: false,
            seq: {
                let oi = self.owner_index(owner);
                let n = self.owner_seq[oi];
                self.owner_seq[oi] += 1;
                n
            },
        });
        self.counters.task_submitted(owner);
        self.counters
            .set_status(owner, None, Some(TaskStatus::Queued));
        if self.explain.is_some() {
            self.explain_task_created(id);
        }
        id
    }

    // ---- launching ----------------------------------------------------------------------------

    /// Sends a new task to its capacity. `batch`: a submitter queues it when ECS cannot take it.
    fn launch_task(&mut self, t: TaskId, now: SimTime, batch: bool) {
        let target = self.tasks[t.index()].target;
        {
            if self.never_fits(target, self.tasks[t.index()].need) {
                // Larger than every instance type the capacity can launch: RunTask would
                // fail for good, so the task stops at once rather than wait forever.
                self.set_status(t, TaskStatus::Provisioning);
                if let Target::Ec2Provider(_) = target {
                    self.counters.provisioning_waiting += 1;
                }
                self.fail_unplaced(t, now, StopCode::NeverFits);
                return;
            }
        }
        match target {
            Target::Fargate { spot, .. } => self.launch_fargate_in(t, now, spot, None),
            Target::Ec2Cluster => {
                if !self.try_place(t, now) {
                    debug_assert!(
                        batch,
                        "service tasks are only created once placement succeeded"
                    );
                    self.cluster_queue.push_back(t);
                    self.tasks[t.index()].last_pass = self.pass_id;
                }
            }
            Target::External => {
                if !self.try_place(t, now) {
                    debug_assert!(
                        batch,
                        "service tasks are only created once placement succeeded"
                    );
                    self.external_queue.push_back(t);
                    self.tasks[t.index()].last_pass = self.pass_id;
                }
            }
            Target::Ec2Provider(cp) => {
                if !self.provider_waiting[cp.index()].is_empty() || !self.try_place(t, now) {
                    if self.counters.provisioning_waiting
                        >= self.sc.settings.provisioning_tasks_per_cluster
                    {
                        // The cluster's PROVISIONING quota is full: RunTask fails; the
                        // submitter keeps the task and retries when a slot frees.
                        self.provider_submit[cp.index()].push_back(t);
                    } else {
                        self.enter_provisioning(t, cp, now);
                    }
                }
            }
        }
    }

    /// True when no instance type the target's capacity can launch holds `need`.
    fn never_fits(&self, target: Target, need: Resources) -> bool {
        let pool = match target {
            Target::Ec2Provider(cp) => cp.index(),
            Target::Ec2Cluster => self.pool_shapes.len() - 2,
            Target::External => self.pool_shapes.len() - 1,
            Target::Fargate { .. } => return false,
        };
        !self.pool_shapes[pool].iter().any(|s| s.fits(need))
    }

    fn enter_provisioning(&mut self, t: TaskId, cp: CapacityProviderId, now: SimTime) {
        self.set_status(t, TaskStatus::Provisioning);
        self.counters.provisioning_waiting += 1;
        self.provider_waiting[cp.index()].push_back(t);
        self.tasks[t.index()].last_pass = self.pass_id;
        self.queue.schedule_at(
            now + self.sc.settings.provisioning_timeout,
            Event::ProvisioningTimeout(t),
        );
    }

    /// Launches a Fargate task; `zone`: in that zone (AZ rebalancing), else in the zone up
    /// with the fewest of its owner's tasks.
    fn launch_fargate_in(&mut self, t: TaskId, now: SimTime, spot: bool, zone: Option<AzId>) {
        if spot && self.spot_short > 0 {
            // No Fargate Spot capacity: the task waits in PROVISIONING, still on FARGATE_SPOT
            // (no fallback to FARGATE), and launches when the shortage ends.
            self.set_status(t, TaskStatus::Provisioning);
            self.spot_waiting.push_back(t);
            return;
        }
        let need = self.tasks[t.index()].need;
        let sizes = self.fargate_sizes(self.tasks[t.index()].owner);
        let Some(size) = sizes.round_up(need) else {
            self.set_status(t, TaskStatus::Provisioning);
            self.fail_unplaced(t, now, StopCode::NoFargateSize);
            return;
        };
        let owner = self.tasks[t.index()].owner;
        // [DOC] §4.3: Fargate keeps a service's tasks balanced across AZs.
        let oi = self.owner_index(owner);
        let down = &self.az_down;
        let counts = &mut self.fargate_az_counts[oi];
        let chosen = match zone {
            Some(z) => (down[z.index()] == 0).then_some(z.index()),
            None => (0..counts.len())
                .filter(|&i| down[i] == 0)
                .min_by_key(|&i| (counts[i], i)),
        };
        let Some(az) = chosen else {
            self.set_status(t, TaskStatus::Provisioning);
            self.fail_unplaced(t, now, StopCode::AzUnavailable);
            return;
        };
        counts[az] += 1;
        let task = &mut self.tasks[t.index()];
        task.fargate_size = size;
        task.placement = Placement::Fargate(AzId::from_index(az));
        if let Owner::Service(s) = owner {
            self.rebalance_zone_added(s, AzId::from_index(az));
        }
        self.set_status(t, TaskStatus::Provisioning);
        // [DOC] §5.5: launches are rate limited by a token bucket per account (burst 100,
        // 20/s), separately for on-demand and Spot. GCRA: integer, exact, deterministic.
        let s = &self.sc.settings;
        let interval = SimDuration(1000 / u64::from(s.fargate_launch_rate_per_second).max(1));
        let tolerance =
            SimDuration(interval.0 * u64::from(s.fargate_launch_burst.saturating_sub(1)));
        let bucket = &mut self.fargate_tat[usize::from(spot)];
        let tat = (*bucket).max(now);
        let allowed_at = if tat.0 > now.0 + tolerance.0 {
            SimTime(tat.0 - tolerance.0)
        } else {
            now
        };
        *bucket = tat + interval;
        let d = s
            .fargate_provisioning_latency
            .sample_with(|| self.task_rng(LATENCY_FARGATE_PROVISIONING, t));
        self.queue
            .schedule_at(allowed_at + d, Event::TaskPullStarted(t));
    }

    /// Tries to place an EC2 task now; on success it is PENDING with its start scheduled.
    fn try_place(&mut self, t: TaskId, now: SimTime) -> bool {
        match self.place(t) {
            Some(i) => {
                self.bind(t, i, now);
                true
            }
            None => false,
        }
    }

    fn request_for(&self, t: TaskId) -> PlacementRequest<'s> {
        let task = &self.tasks[t.index()];
        let (strategy, constraints, td) = match task.owner {
            Owner::Service(s) => {
                let spec = &self.sc.services[s.index()];
                (
                    &spec.placement_strategy[..],
                    &spec.placement_constraints[..],
                    &self.sc.task_definitions[spec.task_definition.index()],
                )
            }
            Owner::Workload(w) => {
                let spec = &self.sc.workloads[w.index()];
                (
                    &spec.placement_strategy[..],
                    &spec.placement_constraints[..],
                    &self.sc.task_definitions[spec.task_definition.index()],
                )
            }
        };
        let (arch, os) = (td.arch, td.os_family);
        let default = placement::service_default_strategy();
        let strategy: &'s [placement::PlacementStrategy] = if strategy.is_empty()
            && constraints.is_empty()
            && matches!(task.owner, Owner::Service(_))
        {
            default
        } else {
            strategy
        };
        PlacementRequest {
            need: task.need,
            group: task.owner,
            arch: Some(arch),
            os,
            pool: match task.target {
                Target::Ec2Provider(cp) => Pool::CapacityProvider(cp),
                Target::External => Pool::External,
                _ => Pool::Cluster,
            },
            strategy,
            constraints,
        }
    }

    /// Where task `t` goes now, if anywhere; why not is not worked out (nobody reads it).
    fn place(&mut self, t: TaskId) -> Option<InstanceId> {
        let req = self.request_for(t);
        let got = self
            .placer
            .find(&req, &self.instances, &mut self.placement_rng);
        if self.explain.is_some() {
            self.explain_place(t, &req, got);
        }
        got
    }

    /// Reserves the task on instance `i`: PENDING, start scheduled, billing attributed.
    fn bind(&mut self, t: TaskId, i: InstanceId, now: SimTime) {
        self.reserve_on(t, i, now);
        let d = self
            .sc
            .settings
            .ec2_task_start_latency
            .sample_with(|| self.task_rng(LATENCY_EC2_TASK_START, t));
        self.queue.schedule_at(now + d, Event::TaskRunning(t));
    }

    /// Reserves the task on instance `i`: PENDING, billing attributed; nothing scheduled.
    fn reserve_on(&mut self, t: TaskId, i: InstanceId, now: SimTime) {
        self.counters.advance(now);
        let (need, owner) = (self.tasks[t.index()].need, self.tasks[t.index()].owner);
        let before = self.burst_ratio(i);
        self.placer
            .reserve(&mut self.instances[i.index()], need, owner);
        self.burst_reservation_changed(owner, i, need.cpu.0, true, before, now);
        self.counters.reserved = self.counters.reserved + need;
        self.billing.ec2_task_reserved(t, i, owner, need, now);
        self.tasks[t.index()].placement = Placement::Instance(i);
        if let Owner::Service(s) = owner {
            self.rebalance_zone_added(s, self.instances[i.index()].az);
        }
        if self.is_daemon(owner) {
            // Not counted in `non_empty`: an instance with only daemon tasks is empty.
            self.instance_daemons[i.index()].tasks.push(t);
        } else {
            if self.instance_tasks[i.index()].is_empty() && self.instances[i.index()].in_service() {
                self.asgs[self.instances[i.index()].asg.index()].non_empty += 1;
            }
            self.instance_tasks[i.index()].push(t);
            self.instances[i.index()].empty_since = None;
        }
        if self.tasks[t.index()].status == TaskStatus::Provisioning {
            self.counters.provisioning_waiting -= 1;
        }
        self.set_status(t, TaskStatus::Pending);
    }

    // ---- task lifecycle -----------------------------------------------------------------------

    fn task_pull_started(&mut self, t: TaskId, now: SimTime) {
        let task = &self.tasks[t.index()];
        if task.status != TaskStatus::Provisioning {
            // Stopped while Fargate provisioned it (scale-in).
            return;
        }
        if !matches!(task.target, Target::Fargate { .. }) {
            return;
        }
        self.fargate_billing_starts(t, now);
        let d = self
            .sc
            .settings
            .fargate_task_start_latency
            .sample_with(|| self.task_rng(LATENCY_FARGATE_TASK_START, t));
        self.queue.schedule_at(now + d, Event::TaskRunning(t));
    }

    /// A PROVISIONING Fargate task starts being billed (its image pull starts): PENDING.
    fn fargate_billing_starts(&mut self, t: TaskId, now: SimTime) {
        let task = &self.tasks[t.index()];
        let Target::Fargate { provider, spot } = task.target else {
            return;
        };
        let kind = self.fargate_kind(task.owner, spot);
        self.billing
            .fargate_task_started(t, task.owner, provider, task.fargate_size, kind, now);
        // Billed from the image pull on (ecs-reference §7.1).
        self.counters
            .fargate_billed(task.fargate_size, task.need, true);
        self.set_status(t, TaskStatus::Pending);
    }

    fn task_running(&mut self, t: TaskId, now: SimTime) {
        self.task_became_running(t, now, false);
    }

    /// PENDING → RUNNING. `warm`: a task RUNNING at time zero (warm start), which cannot
    /// fail to start, waited for nothing, and is no news in the timeline.
    fn task_became_running(&mut self, t: TaskId, now: SimTime, warm: bool) {
        if self.tasks[t.index()].status != TaskStatus::Pending {
            // Stopped while PENDING (scale-in, draining, termination).
            return;
        }
        if self.task_definition_start_fails(t, now, warm)
            || (!self.sc.faults.is_empty() && self.task_start_faults(t, now, warm))
        {
            // It failed to start instead; a deployment's circuit breaker counts it.
            if !self.deployments.is_empty() {
                self.deploy_start_failed(t, now);
            }
            return;
        }
        self.set_status(t, TaskStatus::Running);
        let task = &mut self.tasks[t.index()];
        task.started_at = Some(now);
        let wait = now.saturating_since(task.submitted_at);
        let owner = task.owner;
        let run_time = task.run_time;
        if warm {
            self.counters.task_started_warm(owner);
        } else {
            self.counters.task_started(owner, wait);
        }
        if let Some(rt) = run_time {
            self.queue.schedule_at(now + rt, Event::TaskExited(t));
        }
        if let Owner::Service(s) = owner {
            // [DOC] ecs-reference §1.7: a task on a DRAINING instance stops once its
            // replacement runs.
            if let Some(old) = self.services[s.index()].replacing.pop_front() {
                self.begin_stop(old, now, StopCode::InstanceDraining);
            }
            self.services[s.index()].running += 1;
            self.burst_task_running(t, s, true);
            self.deploy_task_running(s, t, now);
            self.rebalance_task_running(s, t, now);
            self.service_running_changed(s, now);
            let st = &mut self.services[s.index()];
            if st.running == st.desired && !st.steady && !warm {
                st.steady = true;
                let name = self.sc.services[s.index()].name.clone();
                self.log(
                    now,
                    "service",
                    name.clone(),
                    format!("(service {name}) has reached a steady state."),
                );
            }
        }
    }

    fn begin_stop(&mut self, t: TaskId, now: SimTime, code: StopCode) {
        self.begin_stop_after(t, now, code, None);
    }

    /// RUNNING or PENDING → STOPPING; STOPPED after `stopping` (or the stop latency).
    fn begin_stop_after(
        &mut self,
        t: TaskId,
        now: SimTime,
        code: StopCode,
        stopping: Option<SimDuration>,
    ) {
        if !self.tasks.is_current(t) {
            // Gone (a replacement waiting on a task that stopped meanwhile).
            return;
        }
        let task = &mut self.tasks[t.index()];
        if task.status != TaskStatus::Running && task.status != TaskStatus::Pending {
            return;
        }
        let was_running = task.status == TaskStatus::Running;
        task.stop_code = Some(code);
        let owner = task.owner;
        self.set_status(t, TaskStatus::Stopping);
        if let Owner::Service(s) = owner {
            let st = &mut self.services[s.index()];
            if was_running {
                st.running -= 1;
            }
            st.steady = false;
            if was_running {
                self.burst_task_running(t, s, false);
                self.service_running_changed(s, now);
            }
            // The task no longer counts toward the desired count: the service scheduler
            // starts its replacement now, not when it is finally STOPPED.
            self.request_reconcile();
        }
        let d = match stopping {
            Some(d) => d,
            None => self
                .sc
                .settings
                .task_stop_latency
                .sample_with(|| self.task_rng(LATENCY_TASK_STOP, t)),
        };
        let on = prefetch::OnInstance::of(self.tasks[t.index()].placement);
        self.queue.schedule_at(now + d, Event::TaskStopped(t, on));
    }

    fn task_stopped(&mut self, t: TaskId, now: SimTime) {
        if self.tasks[t.index()].status != TaskStatus::Stopping {
            // Already stopped with its instance.
            return;
        }
        self.set_status(t, TaskStatus::Stopped);
        let task = &self.tasks[t.index()];
        let (owner, need, placement, code) =
            (task.owner, task.need, task.placement, task.stop_code);
        match placement {
            Placement::Instance(i) => {
                self.counters.advance(now);
                let before = self.burst_ratio(i);
                self.placer
                    .release(&mut self.instances[i.index()], need, owner);
                self.burst_reservation_changed(owner, i, need.cpu.0, false, before, now);
                self.counters.reserved = self.counters.reserved - need;
                self.billing.ec2_task_released(t, now);
                if self.is_daemon(owner) {
                    self.unbind_daemon(t, i);
                } else {
                    let on = &mut self.instance_tasks[i.index()];
                    if let Some(pos) = on.iter().position(|&x| x == t) {
                        on.swap_remove(pos);
                        if on.is_empty() {
                            self.instances[i.index()].empty_since = Some(now);
                        }
                        if on.is_empty() && self.instances[i.index()].in_service() {
                            self.asgs[self.instances[i.index()].asg.index()].non_empty -= 1;
                        }
                    }
                }
                // A missing daemon takes freed room first.
                self.daemons_room_freed(i, now);
                self.note_room(i);
                self.request_pass();
                if self.instances[i.index()].status == InstanceStatus::Draining
                    && self.instance_tasks[i.index()].is_empty()
                    && !self.stop_daemons_last(i, now)
                {
                    self.terminate_instance(i, now);
                }
            }
            Placement::Fargate(az) => {
                self.billing.fargate_task_stopped(t, now);
                let size = self.tasks[t.index()].fargate_size;
                self.counters.fargate_billed(size, need, false);
                let oi = self.owner_index(owner);
                self.fargate_az_counts[oi][az.index()] -= 1;
            }
            Placement::Unplaced => {}
        }
        self.counters.task_finished(
            owner,
            code.unwrap_or(StopCode::EssentialContainerExited),
            now,
        );
        if let Owner::Service(_) = owner {
            self.request_reconcile();
        }
    }

    /// A task that is not on an instance stops at once: it never got capacity (PROVISIONING
    /// timeout, no Fargate size, never fits) or the service scaled in while it waited.
    fn fail_unplaced(&mut self, t: TaskId, now: SimTime, code: StopCode) {
        let task = &mut self.tasks[t.index()];
        let owner = task.owner;
        task.stop_code = Some(code);
        match (task.target, task.placement) {
            (Target::Ec2Provider(_), Placement::Unplaced)
                if task.status == TaskStatus::Provisioning =>
            {
                self.counters.provisioning_waiting -= 1;
                // Removed from its waiting queue lazily (its status is checked there).
            }
            (_, Placement::Fargate(az)) => {
                // Fargate was provisioning it; nothing was billed yet.
                let oi = self.owner_index(owner);
                self.fargate_az_counts[oi][az.index()] -= 1;
            }
            _ => {}
        }
        self.set_status(t, TaskStatus::Stopped);
        self.counters.task_finished(owner, code, now);
        if code.kind() == StopKind::NeverPlaced {
            let subject = self.owner_name(owner);
            let events_before = self.report_events.len();
            self.log(
                now,
                "task",
                subject,
                format!("task {} stopped: {}", t.0, code.reason()),
            );
            if self.explain.is_some() {
                self.explain_stopped_unplaced(t, code, events_before);
            }
        }
        self.request_pass();
        if let Owner::Service(_) = owner {
            self.request_reconcile();
        }
    }

    fn set_status(&mut self, t: TaskId, status: TaskStatus) {
        let task = &mut self.tasks[t.index()];
        let from = task.status;
        task.status = status;
        if from == TaskStatus::Running && status != TaskStatus::Running {
            if let Some(started) = task.started_at {
                let now = self.queue.now();
                let on = state::ran_on(task);
                self.counters.task_ran(on, now.saturating_since(started));
            }
        }
        let owner = task.owner;
        if (from == TaskStatus::Running) != (status == TaskStatus::Running) {
            let need = task.need;
            self.counters
                .running_changed(owner, need, status == TaskStatus::Running);
        }
        self.counters.set_status(owner, Some(from), Some(status));
        if status == TaskStatus::Stopped && from != TaskStatus::Stopped {
            // Its slot is reused after this event; what the report needs was counted.
            self.tasks.release(t);
        }
        if let Owner::Service(s) = owner {
            let live = |x: TaskStatus| {
                matches!(
                    x,
                    TaskStatus::Provisioning | TaskStatus::Pending | TaskStatus::Running
                )
            };
            if live(from) && !live(status) && !self.tasks[t.index()].replaced {
                self.retire(s, t);
            }
        }
    }

    /// Task `t` counts toward service `s`'s desired count (its `live` was bumped).
    fn add_service_task(&mut self, s: ServiceId, t: TaskId) {
        let st = &mut self.services[s.index()];
        self.tasks[t.index()].service_slot = st.tasks.len() as u32;
        st.tasks.push(t);
        self.deploy_task_added(s, t);
    }

    /// Task `t` stops counting toward service `s`'s desired count.
    fn retire(&mut self, s: ServiceId, t: TaskId) {
        let st = &mut self.services[s.index()];
        st.live -= 1;
        let pos = self.tasks[t.index()].service_slot as usize;
        debug_assert_eq!(st.tasks.get(pos), Some(&t));
        st.tasks.swap_remove(pos);
        if let Some(&moved) = st.tasks.get(pos) {
            self.tasks[moved.index()].service_slot = pos as u32;
        }
        if let Some(i) = self.strategy_item_of(s, self.tasks[t.index()].target) {
            self.services[s.index()].per_item[i] -= 1;
        }
        self.deploy_task_retired(s, t);
        self.rebalance_task_retired(s, t);
    }

    fn strategy_item_of(&self, s: ServiceId, target: Target) -> Option<usize> {
        let LaunchTarget::Strategy(items) = &self.sc.services[s.index()].launch else {
            return None;
        };
        let cp = match target {
            Target::Ec2Provider(cp) => cp,
            Target::Fargate { provider, .. } => provider,
            Target::Ec2Cluster | Target::External => return None,
        };
        items.iter().position(|x| x.capacity_provider == cp)
    }

    // ---- service scheduler ----------------------------------------------------------------------

    fn request_reconcile(&mut self) {
        if !self.reconcile_queued {
            self.reconcile_queued = true;
            self.queue.schedule_in(SimDuration::ZERO, Event::Reconcile);
        }
    }

    /// \[DOC\] §5.1: a REPLICA service keeps `desiredCount` tasks; stopped tasks are replaced.
    fn reconcile_services(&mut self, now: SimTime) {
        for s in 0..self.services.len() {
            if self.sc.services[s].daemon {
                // Placed per instance (`daemon`), never by the replica loop.
                continue;
            }
            let sid = ServiceId::from_index(s);
            if self.deployment_blocked(sid) {
                // A FAILED deployment without rollback launches no new task; what it left
                // above the desired count is stopped as in a scale-in.
                if self.services[s].live > self.services[s].desired {
                    self.scale_in_service(sid, now);
                }
                if self.explain.is_some() && self.sc.services[s].az_rebalancing {
                    self.explain_rebalance_blocked(sid, now);
                }
                continue;
            }
            if self.deploying(sid) {
                self.deployment_step(sid, now);
            }
            if self.throttled(sid, now) {
                // [DOC] ecs-reference §5.2: back-off after tasks failed to start.
                if self.explain.is_some() && self.sc.services[s].az_rebalancing {
                    self.explain_rebalance_blocked(sid, now);
                }
                continue;
            }
            while self.services[s].live < self.services[s].desired {
                if !self.launch_service_task(sid, now) {
                    break;
                }
            }
            self.stop_uncovered_draining_tasks(sid, now);
            if !self.deployments.is_empty() {
                self.log_started_tasks(sid, now);
            }
            if self.sc.services[s].az_rebalancing {
                self.rebalance_check(sid, now);
            } else if self.explain.is_some() {
                self.explain_rebalance_off(sid, now);
            }
        }
    }

    /// Stops the tasks of `s` still waiting on a DRAINING instance when the service already
    /// has its desired count of live tasks RUNNING: no replacement will come for them. They
    /// are otherwise stopped when a replacement reaches RUNNING, or by a scale-in; but a drain
    /// that retires a task while the service runs one above its desired count (an AZ
    /// rebalancing's new task before its surplus is stopped) launches no replacement, and
    /// the task ran on until the draining timeout killed it (`scenarios/managed-instances`,
    /// twice a day). O(tasks waiting on DRAINING instances), nothing when there are none.
    fn stop_uncovered_draining_tasks(&mut self, s: ServiceId, now: SimTime) {
        let st = &self.services[s.index()];
        if st.replacing.is_empty() || st.live < st.desired {
            return;
        }
        let waiting_running = st
            .replacing
            .iter()
            .filter(|&&t| {
                self.tasks.is_current(t) && self.tasks[t.index()].status == TaskStatus::Running
            })
            .count() as u32;
        if st.running.saturating_sub(waiting_running) < st.desired {
            // A live task is not RUNNING yet: the old one keeps serving until it is.
            return;
        }
        while let Some(old) = self.services[s.index()].replacing.pop_front() {
            if self.tasks.is_current(old) && self.tasks[old.index()].status == TaskStatus::Running {
                self.begin_stop(old, now, StopCode::InstanceDraining);
            }
        }
    }

    /// Starts one task of service `s`. False when ECS could not place it (an event is logged).
    fn launch_service_task(&mut self, s: ServiceId, now: SimTime) -> bool {
        let spec = &self.sc.services[s.index()];
        let need = self.sc.task_definitions[self.service_td(s).index()].size;
        let mut per_item = std::mem::take(&mut self.services[s.index()].per_item);
        let target = self.choose_target(&spec.launch, &mut per_item);
        // A task larger than every instance type its capacity can launch will never be
        // placed. Validation refuses such services; should one get here anyway (a scenario
        // built in code), the task is created and stops at once with `NeverFits`, so the
        // summary counts it as never placed (issue 10, point 4) instead of the service
        // silently running nothing, and the scheduler backs off as after a failed start.
        let never_fits = self.never_fits(target, need);
        if never_fits {
            let name = self.sc.services[s.index()].name.clone();
            self.maybe_log_unable(s, now, format!("(service {name}) was unable to place a task because no container instance met all of its requirements: the task is larger than every instance type its capacity can launch."));
        }
        if matches!(target, Target::Ec2Cluster | Target::External) && !never_fits {
            // Launch type EC2 (or EXTERNAL): ECS places the task or reports why not; no task
            // is created.
            let pool = if target == Target::External {
                Pool::External
            } else {
                Pool::Cluster
            };
            let probe = self.new_probe(s, need, pool);
            match probe {
                Ok(i) => {
                    self.services[s.index()].per_item = per_item;
                    let t = self.new_task(Owner::Service(s), need, target, now, None);
                    self.services[s.index()].live += 1;
                    self.add_service_task(s, t);
                    self.bind(t, i, now);
                    true
                }
                Err(req) => {
                    self.services[s.index()].per_item = per_item;
                    // Why it failed is a pass over every instance: worked out only when the
                    // event is logged, not on every throttled retry (issue 13).
                    if !self.unable_throttled(s, now) {
                        let f = placement::failure::diagnose(&req, &self.instances);
                        let events_before = self.report_events.len();
                        self.unable_to_place(s, now, &f);
                        if self.explain.is_some() {
                            self.explain_unable(s, &req, events_before);
                        }
                    }
                    false
                }
            }
        } else {
            if let (Target::Ec2Provider(_), false) = (target, never_fits) {
                if self.counters.provisioning_waiting
                    >= self.sc.settings.provisioning_tasks_per_cluster
                {
                    // Undo the count bump: no task is created.
                    if let Some(i) = self.strategy_item_of(s, target) {
                        per_item[i] -= 1;
                    }
                    self.services[s.index()].per_item = per_item;
                    let name = self.sc.services[s.index()].name.clone();
                    self.maybe_log_unable(s, now, format!("(service {name}) was unable to place a task because the cluster has reached its limit of tasks in the PROVISIONING state."));
                    return false;
                }
            }
            self.services[s.index()].per_item = per_item;
            let t = self.new_task(Owner::Service(s), need, target, now, None);
            self.services[s.index()].live += 1;
            self.add_service_task(s, t);
            self.launch_task(t, now, false);
            if self.tasks[t.index()].status == TaskStatus::Stopped {
                // It failed at once (no Fargate size, no zone up): launching again now would
                // fail the same way, so the scheduler backs off as after a failed start.
                self.start_failed_at_once(s, now);
                return false;
            }
            true
        }
    }

    /// Where a new task of service `s` needing `need` would go in `pool`, before it exists;
    /// when nowhere, the request, so the caller can ask why only if it will say so.
    fn new_probe(
        &mut self,
        s: ServiceId,
        need: Resources,
        pool: Pool,
    ) -> Result<InstanceId, PlacementRequest<'s>> {
        let spec = &self.sc.services[s.index()];
        let default = placement::service_default_strategy();
        let strategy: &[placement::PlacementStrategy] =
            if spec.placement_strategy.is_empty() && spec.placement_constraints.is_empty() {
                default
            } else {
                &spec.placement_strategy
            };
        let req = PlacementRequest {
            need,
            group: Owner::Service(s),
            arch: Some(self.sc.task_definitions[spec.task_definition.index()].arch),
            os: self.sc.task_definitions[spec.task_definition.index()].os_family,
            pool,
            strategy,
            constraints: &spec.placement_constraints,
        };
        let got = self
            .placer
            .find(&req, &self.instances, &mut self.placement_rng);
        if let (Some(i), true) = (got, self.explain.is_some()) {
            self.explain_probe(s, &req, i);
        }
        got.ok_or(req)
    }

    fn unable_to_place(&mut self, s: ServiceId, now: SimTime, f: &placement::PlacementFailure) {
        let name = self.sc.services[s.index()].name.clone();
        let msg = format!(
            "(service {name}) was unable to place a task because {}",
            f.ecs_reason()
        );
        self.maybe_log_unable(s, now, msg);
    }

    /// True when an "unable to place" event of service `s` now would be dropped: one was
    /// logged less than [`UNABLE_TO_PLACE_REPEAT`] ago.
    fn unable_throttled(&self, s: ServiceId, now: SimTime) -> bool {
        self.services[s.index()]
            .last_unable_event
            .is_some_and(|t| now.saturating_since(t) < UNABLE_TO_PLACE_REPEAT)
    }

    fn maybe_log_unable(&mut self, s: ServiceId, now: SimTime, msg: String) {
        if self.unable_throttled(s, now) {
            return;
        }
        self.services[s.index()].last_unable_event = Some(now);
        let name = self.sc.services[s.index()].name.clone();
        self.log(now, "service", name, msg);
    }

    // ---- placement passes -----------------------------------------------------------------------

    fn request_pass(&mut self) {
        if !self.pass_queued {
            self.pass_queued = true;
            self.queue
                .schedule_in(SimDuration::ZERO, Event::PlacementPass);
        }
    }

    /// Records that instance `i` gained room, for the cheap filter of the next pass.
    fn note_room(&mut self, i: InstanceId) {
        let inst = &self.instances[i.index()];
        if !inst.accepts_tasks() {
            return;
        }
        let free = inst.free();
        if inst.external {
            let m = &mut self.external_changed_max_free;
            m.cpu = m.cpu.max(free.cpu);
            m.memory = m.memory.max(free.memory);
            return;
        }
        let slot = inst
            .capacity_provider
            .map_or(self.changed_max_free.len() - 1, |c| c.index());
        for idx in [slot, self.changed_max_free.len() - 1] {
            let m = &mut self.changed_max_free[idx];
            // Per dimension: an upper bound on any one instance's room, devices included.
            m.cpu = m.cpu.max(free.cpu);
            m.memory = m.memory.max(free.memory);
            m.eni = m.eni.max(free.eni);
            m.gpu = m.gpu.max(free.gpu);
            m.neuron = m.neuron.max(free.neuron);
        }
    }

    /// Places waiting tasks after capacity changed.
    ///
    /// Queues are FIFO with a bounded backfill window: at most `placementBackfillWindow` full
    /// placement attempts per queue per pass. Two filters keep a pass cheap on long queues:
    /// a task tried in the previous pass is retried only if some instance that gained room
    /// since could hold it; and within a pass, once a size fails, larger sizes are skipped.
    fn placement_pass(&mut self, now: SimTime) {
        let prev_pass = self.pass_id;
        self.pass_id += 1;
        if self.cluster_queue.is_empty()
            && self.external_queue.is_empty()
            && self.provider_waiting.iter().all(VecDeque::is_empty)
            && self.provider_submit.iter().all(VecDeque::is_empty)
        {
            // Nothing waits (every pass of a run with room to spare, and most M/M/c ones): all
            // the full pass below would do is forget the room noted since the last pass, so
            // do only that. O(capacity providers), like the checks above; a pass is
            // requested on every stopped task, and the full pass's queue swaps and scratch
            // buffers were about 2 % of `benches/month_run` (issue 13).
            self.changed_max_free.fill(Resources::default());
            self.external_changed_max_free = Resources::default();
            return;
        }
        // The room noted since the last pass, read here; room noted from now on is the next
        // pass's. On the stack for the usual few providers: a pass per stopped task made this
        // allocation a visible share of an M/M/c run (issue 13).
        let mut inline = [Resources::default(); 8];
        let spilled: Vec<Resources>;
        let n = self.changed_max_free.len();
        let changed: &[Resources] = if n <= inline.len() {
            inline[..n].copy_from_slice(&self.changed_max_free);
            &inline[..n]
        } else {
            spilled = self.changed_max_free.clone();
            &spilled
        };
        self.changed_max_free.fill(Resources::default());
        let window = self.sc.settings.placement_backfill_window as usize;
        // Provider queues (tasks in PROVISIONING), then the launch-type EC2 queue.
        for (cp, room) in changed.iter().enumerate().take(self.provider_waiting.len()) {
            let mut q = std::mem::take(&mut self.provider_waiting[cp]);
            self.drain_queue(&mut q, now, window, prev_pass, *room);
            self.provider_waiting[cp] = q;
        }
        let mut q = std::mem::take(&mut self.cluster_queue);
        self.drain_queue(
            &mut q,
            now,
            window,
            prev_pass,
            *changed.last().unwrap_or(&Resources::default()),
        );
        self.cluster_queue = q;
        if !self.external_queue.is_empty() {
            let room = std::mem::take(&mut self.external_changed_max_free);
            let mut q = std::mem::take(&mut self.external_queue);
            self.drain_queue(&mut q, now, window, prev_pass, room);
            self.external_queue = q;
        } else {
            self.external_changed_max_free = Resources::default();
        }
        // Batch tasks held by the submitter move into PROVISIONING as quota frees.
        for cp in 0..self.provider_submit.len() {
            while self.counters.provisioning_waiting
                < self.sc.settings.provisioning_tasks_per_cluster
            {
                let Some(t) = self.provider_submit[cp].pop_front() else {
                    break;
                };
                if !self.tasks.is_current(t) {
                    continue;
                }
                let cpid = CapacityProviderId::from_index(cp);
                if !self.provider_waiting[cp].is_empty() || !self.try_place(t, now) {
                    self.enter_provisioning(t, cpid, now);
                }
            }
        }
    }

    fn drain_queue(
        &mut self,
        q: &mut VecDeque<TaskId>,
        now: SimTime,
        window: usize,
        prev_pass: u32,
        changed: Resources,
    ) {
        let mut attempts = 0usize;
        // Sizes that failed this pass; the field's buffer, so a pass allocates nothing
        // (a failed attempt after each freed room was a malloc per M/M/c departure).
        let mut failed = std::mem::take(&mut self.failed_sizes);
        failed.clear();
        let mut idx = 0usize;
        let scan_limit = window.saturating_mul(16).max(window);
        let mut scanned = 0usize;
        while idx < q.len() && attempts < window && scanned < scan_limit {
            let t = q[idx];
            let task = &self.tasks[t.index()];
            if !self.tasks.is_current(t)
                || !matches!(task.status, TaskStatus::Queued | TaskStatus::Provisioning)
            {
                // Timed out (lazy removal); its slot may hold another task by now.
                q.remove(idx);
                continue;
            }
            scanned += 1;
            let need = task.need;
            let recently_tried = task.last_pass == prev_pass;
            if (recently_tried && !changed.fits(need))
                || failed
                    .iter()
                    // A need at least as large on every dimension (devices too) fails too.
                    .any(|f| need.fits(*f))
            {
                self.tasks[t.index()].last_pass = self.pass_id;
                idx += 1;
                continue;
            }
            attempts += 1;
            self.tasks[t.index()].last_pass = self.pass_id;
            if self.try_place(t, now) {
                q.remove(idx);
            } else {
                failed.push(need);
                idx += 1;
            }
        }
        // Tasks beyond the window keep their old `last_pass`, so they get a full attempt when
        // they reach it.
        self.failed_sizes = failed;
    }

    // ---- reporting helpers ------------------------------------------------------------------------

    /// The generator for `stream` keyed by instance `i` (its group and launch number).
    fn instance_rng(&self, stream: u64, i: InstanceId) -> SimRng {
        self.streams.named_hash(stream, self.instance_key(i))
    }

    /// An instance's stable key: its group and its launch number within the group.
    fn instance_key(&self, i: InstanceId) -> u64 {
        let inst = &self.instances[i.index()];
        (u64::from(inst.asg.0) << 32) | u64::from(inst.seq)
    }

    /// The generator for `stream` keyed by task `t` (its owner and task number).
    fn task_rng(&self, stream: u64, t: TaskId) -> SimRng {
        self.streams.named_hash(stream, self.task_key(t))
    }

    /// A task's stable key: owner index and the task's number within its owner.
    fn task_key(&self, t: TaskId) -> u64 {
        let task = &self.tasks[t.index()];
        ((self.owner_index(task.owner) as u64) << 32) | u64::from(task.seq)
    }

    fn owner_index(&self, owner: Owner) -> usize {
        match owner {
            Owner::Service(s) => s.index(),
            Owner::Workload(w) => self.sc.services.len() + w.index(),
        }
    }

    fn owner_name(&self, owner: Owner) -> String {
        match owner {
            Owner::Service(s) => self.sc.services[s.index()].name.clone(),
            Owner::Workload(w) => self.sc.workloads[w.index()].name.clone(),
        }
    }

    fn arch_of(&self, owner: Owner) -> crate::units::CpuArchitecture {
        self.task_def_of(owner).arch
    }

    fn task_def_of(&self, owner: Owner) -> &crate::scenario::TaskDefinition {
        let td = match owner {
            Owner::Service(s) => self.sc.services[s.index()].task_definition,
            Owner::Workload(w) => self.sc.workloads[w.index()].task_definition,
        };
        &self.sc.task_definitions[td.index()]
    }

    /// The Fargate sizes `owner`'s tasks may use: its OS and `settings.fargateLargeSizes`.
    fn fargate_sizes(&self, owner: Owner) -> fargate::FargateSizes {
        fargate::FargateSizes {
            os: self.task_def_of(owner).os,
            large: self.sc.settings.fargate_large_sizes,
        }
    }

    /// How `owner`'s Fargate tasks are priced.
    fn fargate_kind(&self, owner: Owner, spot: bool) -> crate::billing::FargateKind {
        let td = self.task_def_of(owner);
        let included = fargate::FARGATE_EPHEMERAL_STORAGE_INCLUDED_GIB;
        crate::billing::FargateKind {
            arch: td.arch,
            spot,
            os: td.os,
            // Validation keeps sizeInGiB in 21..=200, so the extra fits a u16.
            extra_storage_gib: td.ephemeral_storage_gib.map_or(0, |g| {
                u16::try_from(g.saturating_sub(included)).unwrap_or(u16::MAX)
            }),
        }
    }

    fn log(&mut self, now: SimTime, kind: &'static str, subject: String, message: String) {
        self.log_cause(now, kind, subject, message, String::new());
    }

    /// Logs an event with its cause (scaling activities); an empty cause is left out.
    fn log_cause(
        &mut self,
        now: SimTime,
        kind: &'static str,
        subject: String,
        message: String,
        cause: String,
    ) {
        if self.report_events.len() >= self.sc.settings.event_log_limit as usize {
            self.events_dropped += 1;
            return;
        }
        self.report_events.push(EventRecord {
            time_s: now.as_secs_f64(),
            kind,
            subject,
            message,
            cause: if cause.is_empty() { None } else { Some(cause) },
        });
    }

    fn record_minute(&mut self, now: SimTime) {
        self.counters.advance(now);
        self.fault_minute(now);
        for st in &mut self.services {
            if st.running < st.desired && now > SimTime::ZERO {
                st.minutes_below_desired += 1;
            }
        }
        let cost = self.billing.cost_so_far(now);
        self.counters.push_row(now, cost.total_usd);
        let start = self.measure_at.unwrap_or(SimTime::ZERO);
        if !self.sc.commitments.is_empty()
            && now >= start
            && (now - start).as_millis() % HOUR_MS == 0
        {
            // Hours start at the window's start, so commitments price exactly the window.
            self.hour_marks.push(self.billing.usage_mark(now));
        }
        let by = self.billing.cost_so_far_by_provider(now);
        // One column per `cost_series_providers` entry, in its order: the scenario's
        // providers, then the no-provider ASGs when there are any. A provider billing has not
        // seen yet (or a Fargate one, for idle) is 0.
        let mut keys: Vec<Option<CapacityProviderId>> = (0..self.sc.capacity_providers.len())
            .map(|i| Some(CapacityProviderId::from_index(i)))
            .collect();
        if self
            .sc
            .auto_scaling_groups
            .iter()
            .any(|a| a.capacity_provider.is_none() && a.external.is_none())
        {
            keys.push(None);
        }
        let column = |m: &std::collections::BTreeMap<Option<CapacityProviderId>, f64>| {
            keys.iter()
                .map(|k| m.get(k).copied().unwrap_or(0.0))
                .collect::<Vec<f64>>()
        };
        let (mut cost, mut idle) = (column(&by.cost_usd), column(&by.idle_usd));
        if self.has_external {
            // The external instances' column, last (`state::cost_series_providers`).
            cost.push(by.external_usd);
            idle.push(by.external_idle_usd);
        }
        self.counters.push_cost_row(now, cost, idle);
    }

    fn finish(mut self) -> Report {
        let end = self.end;
        // Before anything is taken apart: the tasks still waiting are explained on the final
        // state of the cluster.
        let explanations = self.finish_explain();
        self.counters.advance(end);
        for task in &self.tasks {
            if let (TaskStatus::Running, Some(started)) = (task.status, task.started_at) {
                self.counters
                    .task_ran(state::ran_on(task), end.saturating_since(started));
            }
        }
        self.billing.finish(end);
        if !self.sc.commitments.is_empty() {
            // The last (maybe partial) hour ends at the end of the run.
            let last = self.billing.usage_mark(end);
            if self
                .hour_marks
                .last()
                .map_or(true, |m| m.at_ms() < last.at_ms())
            {
                self.hour_marks.push(last);
            }
        }
        let events_processed = self.queue.delivered_count();
        let window = self.window.take();
        let service_mark = |s: usize| window.as_ref().map(|w| &w.services[s]);
        let unserved: Vec<f64> = self
            .service_scaling
            .iter_mut()
            .enumerate()
            .map(|(s, sc)| {
                sc.load.as_mut().map_or(0.0, |l| {
                    let e = l.end(end, service_mark(s).and_then(|m| m.load.as_ref()));
                    (e.requests - e.served).max(0.0)
                })
            })
            .collect();
        let availability: Vec<crate::report::AvailabilitySummary> = (0..self.services.len())
            .map(|s| self.availability(s, unserved[s], service_mark(s)))
            .collect();
        let fault_summary = self.fault_summary();
        let services = self
            .services
            .iter()
            .zip(&mut self.service_scaling)
            .zip(availability)
            .enumerate()
            .map(|(s, ((st, sc), availability))| state::ServiceEnd {
                availability,
                desired: st.desired,
                running: st.running,
                minutes_below_desired: st.minutes_below_desired
                    - service_mark(s).map_or(0, |m| m.minutes_below_desired),
                desired_min: sc.desired_min,
                desired_max: sc.desired_max,
                activities: sc.activities.clone(),
                live_by_provider: st
                    .tasks
                    .iter()
                    .map(|t| match self.tasks[t.index()].target {
                        Target::Ec2Cluster => "EC2".to_string(),
                        Target::External => "EXTERNAL".to_string(),
                        Target::Ec2Provider(cp) | Target::Fargate { provider: cp, .. } => {
                            self.sc.capacity_providers[cp.index()].name.clone()
                        }
                    })
                    .fold(std::collections::BTreeMap::new(), |mut m, k| {
                        *m.entry(k).or_insert(0u32) += 1;
                        m
                    }),
                load: sc
                    .load
                    .as_mut()
                    .map(|l| l.end(end, service_mark(s).and_then(|m| m.load.as_ref()))),
                az_rebalancing: None,
            })
            .collect::<Vec<_>>();
        let mut services = services;
        for (s, end) in services.iter_mut().enumerate() {
            end.az_rebalancing = self.rebalance_summary(ServiceId::from_index(s));
        }
        let providers = self
            .provider_scaling
            .iter()
            .zip(&self.provider_scaling_index)
            .map(|(ps, cp)| crate::report::CapacityProviderSummary {
                name: self.sc.capacity_providers[cp.index()].name.clone(),
                managed_scaling: ps.managed.is_some(),
                scale_out: ps.scale_out,
                scale_in: ps.scale_in,
                instances_min: if ps.instances_min == u32::MAX {
                    0
                } else {
                    ps.instances_min
                },
                instances_max: ps.instances_max,
                // Counted at launch: an instance launched by a scale-out at time zero is
                // launched too (filtering on `launched_at > 0` left it out).
                instances_launched: self.asg_launched[ps.asg.index()],
                instances_terminated: self
                    .instances
                    .iter()
                    .filter(|i| i.asg == ps.asg && i.status == InstanceStatus::Terminated)
                    .count() as u64,
            })
            .collect();
        let outcome = state::RunOutcome {
            faults: fault_summary,
            services,
            submissions: self.workloads.iter().map(|w| w.submissions).collect(),
            providers,
            service_series: std::mem::take(&mut self.service_series),
            provider_series: std::mem::take(&mut self.provider_series),
            events: std::mem::take(&mut self.report_events),
            events_dropped: self.events_dropped,
            events_processed,
            window: window.map(|w| w.marks),
            hour_marks: std::mem::take(&mut self.hour_marks),
        };
        let deployments = self.deployment_summaries();
        let mut report = state::build_report(self.sc, &self.counters, &self.billing, outcome);
        report.explain = explanations;
        report.summary.deployments = deployments;
        report
    }
}

/// Runs `scenario` with `seed` (the scenario's own unless overridden) and returns the report.
pub fn run(
    scenario: &Scenario,
    seed: u64,
    progress: &mut dyn FnMut(Progress),
) -> Result<Report, RunError> {
    Simulation::new(scenario, seed)?.run(progress)
}

/// [`run`] with decision traces (`ecsim run --explain`): the report's `explain` holds them.
/// Every other output is the same as [`run`]'s.
pub fn run_explained(
    scenario: &Scenario,
    seed: u64,
    progress: &mut dyn FnMut(Progress),
) -> Result<Report, RunError> {
    Simulation::new(scenario, seed)?.explaining().run(progress)
}

/// Opens the reader or generator behind a workload.
pub fn open_source(source: &WorkloadSource, rng: SimRng) -> Result<JobSource, TraceError> {
    Ok(match source {
        WorkloadSource::Csv { path } => JobSource::Csv(CsvReader::open(path)?),
        WorkloadSource::Alibaba { path, options } => {
            JobSource::Alibaba(AlibabaReader::open(path, options)?)
        }
        WorkloadSource::AlibabaGpu { path, options } => {
            JobSource::AlibabaGpu(AlibabaGpuReader::open(path, options)?)
        }
        WorkloadSource::Swf { path, options } => JobSource::Swf(SwfReader::open(path, *options)?),
        WorkloadSource::Generated(options) => {
            JobSource::Generated(GeneratedSource::new(*options, rng).map_err(|e| {
                TraceError::Option {
                    file: "<generated>".into(),
                    option: e.option,
                    expected: e.expected,
                    found: e.found,
                }
            })?)
        }
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::scheduler::placement::failure::DIAGNOSE_CALLS;

    /// Issue 13: a service that cannot place its tasks retries on every reconcile, and each
    /// failed try used to explain itself with a pass over every instance, though the event
    /// saying why is logged at most once per `UNABLE_TO_PLACE_REPEAT`. Now the reason is
    /// worked out only for the events logged.
    #[test]
    fn unable_to_place_reason_only_for_logged_events() {
        // One m5.large (2,048 CPU units) holds two of the 1,024-unit tasks; the other 98 never
        // fit, for six hours.
        let text = r#"{
            "name": "full", "seed": 1, "duration": "6h",
            "cluster": { "clusterName": "full", "availabilityZones": ["us-east-1a"] },
            "autoScalingGroups": [{ "autoScalingGroupName": "asg", "instanceTypes": ["m5.large"],
                                    "minSize": 1, "maxSize": 1 }],
            "taskDefinitions": [{ "family": "web", "cpu": "1024", "memory": "512",
                                  "requiresCompatibilities": ["EC2"] }],
            "services": [{ "serviceName": "web", "taskDefinition": "web", "desiredCount": 100,
                           "launchType": "EC2" }]
        }"#;
        let sc = crate::scenario::from_json_str(text, Path::new("full.json"), Path::new("."))
            .unwrap_or_else(|e| panic!("{e}"));
        DIAGNOSE_CALLS.with(|c| c.set(0));
        let report = super::run(&sc, 1, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
        let logged = report
            .events
            .iter()
            .filter(|e| e.message.contains("was unable to place a task"))
            .count() as u64;
        // Every 10 minutes over 6 hours: about 36 events.
        assert!(logged >= 30, "{logged} unable-to-place events");
        // One reason per event logged; before, one per failed try (a few per minute here).
        let calls = DIAGNOSE_CALLS.with(std::cell::Cell::get);
        assert_eq!(
            calls, logged,
            "{calls} reasons worked out for {logged} events"
        );
    }
}
