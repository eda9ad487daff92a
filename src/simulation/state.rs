//! Incremental counters and the report built from them at the end of a run.
//!
//! Every figure the per-minute row needs is kept up to date as tasks and instances change
//! state, so the tick costs O(1) whatever the cluster size.

use crate::billing::Billing;
use crate::engine::{SimDuration, SimTime};
use crate::ids::Owner;
use crate::report::*;
use crate::scenario::Scenario;
use crate::scheduler::task::{StopCode, StopKind, TaskStatus};
use crate::units::Resources;

const STATUS_COUNT: usize = 6;

/// The `cost.by_capacity_provider` key for EC2 instances of ASGs with no capacity provider.
pub const NO_PROVIDER: &str = crate::report::NO_CAPACITY_PROVIDER;

fn status_index(s: TaskStatus) -> usize {
    match s {
        TaskStatus::Queued => 0,
        TaskStatus::Provisioning => 1,
        TaskStatus::Pending => 2,
        TaskStatus::Running => 3,
        TaskStatus::Stopping => 4,
        TaskStatus::Stopped => 5,
    }
}

/// Per-owner task accounting.
#[derive(Clone, Debug, Default)]
struct OwnerCounts {
    counts: TaskCounts,
    by_status: [u64; STATUS_COUNT],
    waits: Waits,
}

/// How many recent waits [`Waits`] holds before folding them into its counts.
/// \[DERIVED\] ecsim's choice: 32 KiB per owner, large enough that sorting a batch costs a
/// few nanoseconds per wait, small enough to stay in cache.
const WAIT_BATCH: usize = 4096;

/// An owner's waits to RUNNING, exactly: how many tasks waited each number of milliseconds.
///
/// A `Vec` of every wait grew by 8 bytes per task started (800 MB for 100 million tasks);
/// this grows with the distinct waits instead (issue 13). New waits go to a small batch,
/// sorted and folded into the counts when full, so a start costs a push, not a map insert.
///
/// The counts are sorted runs of `(ms, tasks)` merged like a log-structured merge tree:
/// each run is more than twice as long as the next, so a wait is merged O(log) times, by
/// sequential passes. A `BTreeMap` here cost one or two cache misses per folded wait once
/// it outgrew the cache: waits are drawn in milliseconds, so nearly every one is distinct,
/// and at 50,000 instances its inserts were about 0.27 last-level misses per event of the
/// whole run (callgrind, `benches/scale` 50000:1).
#[derive(Clone, Debug, Default)]
struct Waits {
    batch: Vec<u64>,
    /// Sorted runs, each key once per run, longest first; a key may be in several runs.
    runs: Vec<Vec<(u64, u64)>>,
}

impl Waits {
    fn push(&mut self, ms: u64) {
        self.batch.push(ms);
        if self.batch.len() >= WAIT_BATCH {
            self.fold();
        }
    }

    fn fold(&mut self) {
        self.batch.sort_unstable();
        let run: Vec<(u64, u64)> = self
            .batch
            .chunk_by(|a, b| a == b)
            .map(|same| (same[0], same.len() as u64))
            .collect();
        self.batch.clear();
        self.runs.push(run);
        while let [.., older, newer] = &self.runs[..] {
            if older.len() > 2 * newer.len() {
                break;
            }
            let newer = self.runs.pop().unwrap_or_default();
            let older = self.runs.pop().unwrap_or_default();
            self.runs.push(merge_runs(&older, &newer));
        }
    }

    /// Forgets every wait (the measurement window starts).
    fn clear(&mut self) {
        self.batch.clear();
        self.runs.clear();
    }

    /// `(ms, tasks)` entries held, over every run: the memory the counts take.
    #[cfg(test)]
    fn entries(&self) -> usize {
        self.runs.iter().map(Vec::len).sum()
    }

    /// Adds these waits to `into` (ms → tasks).
    fn add_to(&self, into: &mut std::collections::BTreeMap<u64, u64>) {
        for run in &self.runs {
            for &(ms, n) in run {
                *into.entry(ms).or_insert(0) += n;
            }
        }
        for &ms in &self.batch {
            *into.entry(ms).or_insert(0) += 1;
        }
    }
}

/// Two sorted runs merged into one, the counts of a key in both added.
fn merge_runs(a: &[(u64, u64)], b: &[(u64, u64)]) -> Vec<(u64, u64)> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (ka, na) = a[i];
        let (kb, nb) = b[j];
        match ka.cmp(&kb) {
            std::cmp::Ordering::Less => {
                out.push((ka, na));
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push((kb, nb));
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                out.push((ka, na + nb));
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// The running totals the report is built from.
pub struct Counters {
    owners: Vec<OwnerCounts>,
    service_count: usize,
    by_status: [u32; STATUS_COUNT],
    /// Instances launched, not yet registered.
    pub instances_pending: u32,
    /// ACTIVE instances.
    pub instances_active: u32,
    /// DRAINING instances.
    pub instances_draining: u32,
    /// Instances launched so far.
    pub instances_launched: u64,
    /// Most live instances at once.
    pub peak_instances: u64,
    /// Registered resources of ACTIVE and DRAINING instances.
    pub registered: Resources,
    /// Reserved resources on them.
    pub reserved: Resources,
    /// Tasks in PROVISIONING waiting for EC2 capacity (the cluster quota counts these).
    pub provisioning_waiting: u32,
    last_advance: SimTime,
    reserved_cpu_ms: u128,
    registered_cpu_ms: u128,
    reserved_mem_ms: u128,
    registered_mem_ms: u128,
    rows: Vec<MinuteRow>,
    /// One row per workload per minute, from the per-owner status counts (O(workloads) a
    /// minute, never a scan of tasks).
    workload_rows: Vec<WorkloadMinuteRow>,
    cost_rows: Vec<CostMinuteRow>,
    /// Σ RUNNING time of tasks that left RUNNING (or were running at the end), ms.
    ec2_running_ms: u128,
    fargate_running_ms: u128,
    /// The same on external instances (ECS Anywhere), counted apart from EC2.
    external_running_ms: u128,
    /// Per owner (services then workloads): its tasks' use comes from a load model, read
    /// each minute from the service's meter rather than from `running_unmodelled`.
    load_modelled: Vec<bool>,
    /// Whole instance types (vCPU as CPU units, memory) of EC2 instances being billed.
    ec2_paid: Amount,
    /// Rounded Fargate sizes of the Fargate tasks being billed.
    fargate_paid: Amount,
    /// Requested sizes of those same tasks.
    fargate_reserved: Amount,
    /// Reservations of RUNNING tasks whose owner has no load model.
    running_unmodelled: Amount,
    /// Per workload: when its work started and last progressed, for `makespan_s`.
    makespans: Vec<MakespanClock>,
}

/// A workload's makespan, kept as its tasks come and go (O(1) per submission and per
/// completion): a whole-run figure, since a batch is one piece of work however the window
/// cuts it.
#[derive(Clone, Copy, Debug, Default)]
struct MakespanClock {
    /// The first submission read from the source.
    first_submission: Option<SimTime>,
    /// The last task that stopped having completed its work.
    last_completion: Option<SimTime>,
    /// Tasks asked for by the source (re-runs after a fault are not new work).
    source_tasks: u64,
    /// Tasks that completed. Each completion finishes one source task: a task killed by a
    /// fault never completes, and its re-run is the one that may.
    completed: u64,
}

/// The counters at the start of the measurement window (`settings.measureFrom`): the
/// cumulative integer totals the window's figures subtract.
pub struct CountersMark {
    /// When it was taken.
    pub at: SimTime,
    /// Per owner: task counts and tasks in flight. (Waits before the window are dropped
    /// when the mark is taken.)
    owners: Vec<(TaskCounts, u64)>,
    reserved_cpu_ms: u128,
    registered_cpu_ms: u128,
    reserved_mem_ms: u128,
    registered_mem_ms: u128,
    /// RUNNING time so far, tasks still RUNNING at the mark included up to it.
    ec2_running_ms: u128,
    fargate_running_ms: u128,
    external_running_ms: u128,
    instances_launched: u64,
}

/// Everything the report's window figures subtract, taken at the start of the window.
pub struct WindowMark {
    /// The counters.
    pub counters: CountersMark,
    /// The billing meters.
    pub billing: crate::billing::BillingMark,
    /// Per workload: submissions so far.
    pub submissions: Vec<u64>,
}

/// CPU units and MiB summed over many instances or tasks (u64: no overflow in any cluster
/// the caps allow).
#[derive(Clone, Copy, Debug, Default)]
struct Amount {
    cpu: u64,
    mib: u64,
}

impl Amount {
    fn add(&mut self, r: Resources) {
        self.cpu += u64::from(r.cpu.0);
        self.mib += u64::from(r.memory.0);
    }

    fn sub(&mut self, r: Resources) {
        self.cpu -= u64::from(r.cpu.0);
        self.mib -= u64::from(r.memory.0);
    }
}

fn vcpu(cpu_units: u64) -> f64 {
    cpu_units as f64 / f64::from(crate::units::CPU_UNITS_PER_VCPU)
}

fn gib(mib: u64) -> f64 {
    mib as f64 / 1024.0
}

impl Counters {
    /// Empty counters for `sc`.
    pub fn new(sc: &Scenario) -> Self {
        Counters {
            owners: vec![OwnerCounts::default(); sc.services.len() + sc.workloads.len()],
            service_count: sc.services.len(),
            by_status: [0; STATUS_COUNT],
            instances_pending: 0,
            instances_active: 0,
            instances_draining: 0,
            instances_launched: 0,
            peak_instances: 0,
            registered: Resources::default(),
            reserved: Resources::default(),
            provisioning_waiting: 0,
            last_advance: SimTime::ZERO,
            reserved_cpu_ms: 0,
            registered_cpu_ms: 0,
            reserved_mem_ms: 0,
            registered_mem_ms: 0,
            rows: Vec::new(),
            workload_rows: Vec::new(),
            cost_rows: Vec::new(),
            ec2_running_ms: 0,
            fargate_running_ms: 0,
            external_running_ms: 0,
            load_modelled: sc
                .services
                .iter()
                .map(|s| s.load.is_some())
                .chain(sc.workloads.iter().map(|_| false))
                .collect(),
            ec2_paid: Amount::default(),
            fargate_paid: Amount::default(),
            fargate_reserved: Amount::default(),
            running_unmodelled: Amount::default(),
            makespans: vec![MakespanClock::default(); sc.workloads.len()],
        }
    }

    /// Workload `w`'s source asked for `count` tasks at `now` (one RunTask call; fault
    /// re-runs are not submissions of new work and do not come here).
    pub fn work_submitted(&mut self, w: crate::ids::WorkloadId, now: SimTime, count: u32) {
        let m = &mut self.makespans[w.index()];
        m.first_submission.get_or_insert(now);
        m.source_tasks += u64::from(count);
    }

    /// EC2 billing of an instance whose type has `whole` (vCPU × 1024, memory) started
    /// (`billed`) or stopped. Paid capacity is the whole instance type, not its registered
    /// resources: the price buys the memory the OS and agent keep too.
    pub fn instance_billed(&mut self, whole: Resources, billed: bool) {
        if billed {
            self.ec2_paid.add(whole);
        } else {
            self.ec2_paid.sub(whole);
        }
    }

    /// Fargate billing of a task of requested size `need`, billed as `size`, started
    /// (`billed`, at image pull: ecs-reference §7.1) or stopped. Its reservation is counted over
    /// the same span, so paid − reserved on Fargate is the size rounding alone.
    pub fn fargate_billed(&mut self, size: Resources, need: Resources, billed: bool) {
        if billed {
            self.fargate_paid.add(size);
            self.fargate_reserved.add(need);
        } else {
            self.fargate_paid.sub(size);
            self.fargate_reserved.sub(need);
        }
    }

    /// A task of owner `o` reserving `need` entered (`running`) or left RUNNING. Only tasks
    /// without a load model are counted: they are taken to use their whole reservation.
    pub fn running_changed(&mut self, o: Owner, need: Resources, running: bool) {
        let i = match o {
            Owner::Service(s) => s.index(),
            Owner::Workload(w) => self.service_count + w.index(),
        };
        if self.load_modelled[i] {
            return;
        }
        if running {
            self.running_unmodelled.add(need);
        } else {
            self.running_unmodelled.sub(need);
        }
    }

    /// Adds what the services with a load model use at the end of the minute just recorded, vCPU
    /// and GiB, to that minute's row.
    pub fn add_modelled_use(&mut self, vcpu_used: f64, memory_gib_used: f64) {
        if let Some(r) = self.rows.last_mut() {
            r.vcpu_used = round4(r.vcpu_used + vcpu_used);
            r.memory_gib_used = round4(r.memory_gib_used + memory_gib_used);
        }
    }

    /// A task was RUNNING for `ran`, on Fargate, on an external instance or on an EC2
    /// instance.
    pub fn task_ran(&mut self, on: RanOn, ran: SimDuration) {
        match on {
            RanOn::Fargate => self.fargate_running_ms += u128::from(ran.0),
            RanOn::External => self.external_running_ms += u128::from(ran.0),
            RanOn::Ec2 => self.ec2_running_ms += u128::from(ran.0),
        }
    }

    /// Appends the cost row for the minute ending at `now`: cumulative cost and its EC2 idle
    /// part, each one value per `cost_series_providers` entry.
    pub fn push_cost_row(
        &mut self,
        now: SimTime,
        by_provider_usd: Vec<f64>,
        idle_by_provider_usd: Vec<f64>,
    ) {
        // The total is summed before rounding, so it is the idle of the run to the micro-dollar
        // rather than the sum of rounded parts.
        let idle_usd = round6(idle_by_provider_usd.iter().sum());
        self.cost_rows.push(CostMinuteRow {
            minute: now.0 / 60_000,
            by_provider_usd: by_provider_usd.into_iter().map(round6).collect(),
            idle_by_provider_usd: idle_by_provider_usd.into_iter().map(round6).collect(),
            idle_usd,
        });
    }

    fn owner(&mut self, o: Owner) -> &mut OwnerCounts {
        let i = match o {
            Owner::Service(s) => s.index(),
            Owner::Workload(w) => self.service_count + w.index(),
        };
        &mut self.owners[i]
    }

    /// Instances alive (pending, active or draining).
    pub fn live_instances(&self) -> u64 {
        u64::from(self.instances_pending + self.instances_active + self.instances_draining)
    }

    /// The totals at `now`, for the start of the measurement window; `open_ec2_ms` and
    /// `open_fargate_ms` are the RUNNING time so far of the tasks RUNNING now (the counters
    /// add a task's time only when it leaves RUNNING). Restarts the peak: from here on,
    /// `peak_instances` is the window's peak. Forgets the waits so far: the window's waits
    /// are those of the tasks that start in it.
    pub fn mark(
        &mut self,
        now: SimTime,
        open_ec2_ms: u128,
        open_fargate_ms: u128,
        open_external_ms: u128,
    ) -> CountersMark {
        self.advance(now);
        let stopped = status_index(TaskStatus::Stopped);
        let mark = CountersMark {
            at: now,
            owners: self
                .owners
                .iter()
                .map(|o| (o.counts.clone(), o.by_status[..stopped].iter().sum()))
                .collect(),
            reserved_cpu_ms: self.reserved_cpu_ms,
            registered_cpu_ms: self.registered_cpu_ms,
            reserved_mem_ms: self.reserved_mem_ms,
            registered_mem_ms: self.registered_mem_ms,
            ec2_running_ms: self.ec2_running_ms + open_ec2_ms,
            fargate_running_ms: self.fargate_running_ms + open_fargate_ms,
            external_running_ms: self.external_running_ms + open_external_ms,
            instances_launched: self.instances_launched,
        };
        self.peak_instances = self.live_instances();
        for o in &mut self.owners {
            o.waits.clear();
        }
        mark
    }

    /// A task of owner `o` was RUNNING at time zero (warm start): it counts as started, but
    /// records no wait, since it never waited within the run.
    pub fn task_started_warm(&mut self, o: Owner) {
        self.owner(o).counts.started += 1;
    }

    /// Integrates reservation over time up to `now`; call before changing `reserved` or
    /// `registered`.
    pub fn advance(&mut self, now: SimTime) {
        let dt = u128::from(now.saturating_since(self.last_advance).0);
        if dt > 0 {
            self.reserved_cpu_ms += u128::from(self.reserved.cpu.0) * dt;
            self.registered_cpu_ms += u128::from(self.registered.cpu.0) * dt;
            self.reserved_mem_ms += u128::from(self.reserved.memory.0) * dt;
            self.registered_mem_ms += u128::from(self.registered.memory.0) * dt;
            self.last_advance = now;
        }
    }

    /// A task was created.
    pub fn task_submitted(&mut self, o: Owner) {
        self.owner(o).counts.submitted += 1;
    }

    /// A task moved between states (`None` = not counted yet / no longer counted).
    pub fn set_status(&mut self, o: Owner, from: Option<TaskStatus>, to: Option<TaskStatus>) {
        let oc = self.owner(o);
        if let Some(f) = from {
            oc.by_status[status_index(f)] -= 1;
        }
        if let Some(t) = to {
            oc.by_status[status_index(t)] += 1;
        }
        if let Some(f) = from {
            self.by_status[status_index(f)] -= 1;
        }
        if let Some(t) = to {
            self.by_status[status_index(t)] += 1;
        }
    }

    /// A task reached RUNNING after waiting `wait`.
    pub fn task_started(&mut self, o: Owner, wait: SimDuration) {
        let oc = self.owner(o);
        oc.counts.started += 1;
        oc.waits.push(wait.0);
    }

    /// A task reached STOPPED with `code` at `now`.
    pub fn task_finished(&mut self, o: Owner, code: StopCode, now: SimTime) {
        if let (Owner::Workload(w), StopKind::Completed) = (o, code.kind()) {
            let m = &mut self.makespans[w.index()];
            m.last_completion = Some(now);
            m.completed += 1;
        }
        let oc = self.owner(o);
        match code.kind() {
            StopKind::Completed => oc.counts.completed += 1,
            StopKind::StoppedByScheduler => oc.counts.stopped_by_scheduler += 1,
            StopKind::NeverPlaced => {
                oc.counts.failed += 1;
                oc.counts.never_placed += 1;
            }
            StopKind::Interrupted => {
                oc.counts.failed += 1;
                oc.counts.interrupted += 1;
            }
            StopKind::Crashed => {
                oc.counts.failed += 1;
                oc.counts.crashed += 1;
            }
        }
    }

    /// Tasks of owner `o` currently in `s`.
    pub fn owner_in_status(&self, o: Owner, s: TaskStatus) -> u64 {
        let i = match o {
            Owner::Service(s) => s.index(),
            Owner::Workload(w) => self.service_count + w.index(),
        };
        self.owners[i].by_status[status_index(s)]
    }

    /// Tasks currently in `s`, over all owners.
    pub fn in_status(&self, s: TaskStatus) -> u32 {
        self.by_status[status_index(s)]
    }

    /// Appends the row for the minute ending at `now`.
    pub fn push_row(&mut self, now: SimTime, cost_usd: f64) {
        let pct = |a: u32, b: u32| {
            if b == 0 {
                0.0
            } else {
                round4(f64::from(a) * 100.0 / f64::from(b))
            }
        };
        self.rows.push(MinuteRow {
            minute: now.0 / 60_000,
            instances_pending: self.instances_pending,
            instances_active: self.instances_active,
            instances_draining: self.instances_draining,
            tasks_queued: self.in_status(TaskStatus::Queued),
            tasks_provisioning: self.in_status(TaskStatus::Provisioning),
            tasks_pending: self.in_status(TaskStatus::Pending),
            tasks_running: self.in_status(TaskStatus::Running),
            cpu_reserved_pct: pct(self.reserved.cpu.0, self.registered.cpu.0),
            memory_reserved_pct: pct(self.reserved.memory.0, self.registered.memory.0),
            cost_usd: round6(cost_usd),
            vcpu_paid: round4(vcpu(self.ec2_paid.cpu + self.fargate_paid.cpu)),
            vcpu_reserved: round4(vcpu(
                u64::from(self.reserved.cpu.0) + self.fargate_reserved.cpu,
            )),
            vcpu_used: round4(vcpu(self.running_unmodelled.cpu)),
            memory_gib_paid: round4(gib(self.ec2_paid.mib + self.fargate_paid.mib)),
            memory_gib_reserved: round4(gib(
                u64::from(self.reserved.memory.0) + self.fargate_reserved.mib
            )),
            memory_gib_used: round4(gib(self.running_unmodelled.mib)),
        });
        let minute = now.0 / 60_000;
        for (w, oc) in self.owners[self.service_count..].iter().enumerate() {
            let n =
                |st: TaskStatus| u32::try_from(oc.by_status[status_index(st)]).unwrap_or(u32::MAX);
            self.workload_rows.push(WorkloadMinuteRow {
                minute,
                workload: u32::try_from(w).unwrap_or(u32::MAX),
                queued: n(TaskStatus::Queued),
                pending: n(TaskStatus::Provisioning).saturating_add(n(TaskStatus::Pending)),
                running: n(TaskStatus::Running),
            });
        }
    }
}

/// Rounds for output: money to a micro-dollar. This is the one rounding point of money in
/// the report; accumulation upstream is exact.
pub fn round6(x: f64) -> f64 {
    // `+ 0.0` turns a rounded -0.0 into 0.0, so the JSON never says "-0.0".
    (x * 1e6).round() / 1e6 + 0.0
}

fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

/// The external instances' cost lines (ECS Anywhere), per group and in total; `None` when
/// the cluster has none. Each group's cost is its one rate class's, split into the Anywhere
/// fee and the machine's cost in proportion to the two rates (the meter bills their sum).
fn external_summary(
    sc: &Scenario,
    costs: &crate::billing::CostBreakdown,
) -> Option<crate::report::ExternalCostSummary> {
    let groups: Vec<_> = sc
        .auto_scaling_groups
        .iter()
        .filter_map(|a| a.external.map(|e| (a, e)))
        .collect();
    if groups.is_empty() {
        return None;
    }
    let mut out = crate::report::ExternalCostSummary::default();
    let (mut fee_total, mut machine_total) = (0.0, 0.0);
    for (a, e) in groups {
        let (usd, hours) = a
            .instance_types
            .first()
            .and_then(|t| costs.external_by_instance_type.get(t))
            .copied()
            .unwrap_or((0.0, 0.0));
        let rate = e.anywhere_usd_per_instance_hour + e.machine_usd_per_hour;
        let fee = if rate > 0.0 {
            usd * e.anywhere_usd_per_instance_hour / rate
        } else {
            0.0
        };
        fee_total += fee;
        machine_total += usd - fee;
        out.groups.insert(
            a.name.clone(),
            crate::report::ExternalGroupCost {
                instances: a.desired_capacity,
                instance_hours: round4(hours),
                anywhere_fee_usd: round6(fee),
                machine_usd: round6(usd - fee),
                total_usd: round6(usd),
            },
        );
    }
    out.total_usd = round6(costs.external_usd);
    out.anywhere_fee_usd = round6(fee_total);
    out.machine_usd = round6(machine_total);
    out.idle_usd = round6(costs.external_idle_usd);
    out.instance_hours = round4(costs.external_instance_hours);
    Some(out)
}

/// Where a task ran, for the RUNNING-time counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RanOn {
    /// An EC2 instance.
    Ec2,
    /// Fargate or Fargate Spot.
    Fargate,
    /// An external instance (ECS Anywhere).
    External,
}

/// Where task `task` runs, for [`Counters::task_ran`].
pub fn ran_on(task: &crate::scheduler::task::Task) -> RanOn {
    match (task.placement, task.target) {
        (crate::scheduler::task::Placement::Fargate(_), _) => RanOn::Fargate,
        (_, crate::scheduler::task::Target::External) => RanOn::External,
        _ => RanOn::Ec2,
    }
}

/// The columns of the cost series: every capacity provider, then [`NO_PROVIDER`] when an
/// ASG has no provider in front, then [`EXTERNAL_INSTANCES`](crate::report::EXTERNAL_INSTANCES)
/// when the cluster has external instances.
pub fn cost_series_providers(sc: &Scenario) -> Vec<String> {
    let mut names: Vec<String> = sc
        .capacity_providers
        .iter()
        .map(|c| c.name.clone())
        .collect();
    if sc
        .auto_scaling_groups
        .iter()
        .any(|a| a.capacity_provider.is_none() && a.external.is_none())
    {
        names.push(NO_PROVIDER.to_string());
    }
    if sc.auto_scaling_groups.iter().any(|a| a.external.is_some()) {
        names.push(crate::report::EXTERNAL_INSTANCES.to_string());
    }
    names
}

/// The statistics of waits given as ms → tasks.
fn wait_stats(waits: &std::collections::BTreeMap<u64, u64>) -> WaitStats {
    let Some((&max, _)) = waits.last_key_value() else {
        return WaitStats::default();
    };
    let n: u64 = waits.values().sum();
    // Nearest-rank percentiles: the smallest value with at least p% of samples at or below.
    let pick = |p: f64| -> f64 {
        let rank = (((p / 100.0) * n as f64).ceil().max(1.0) as u64).min(n);
        let mut seen = 0u64;
        for (&ms, &c) in waits {
            seen += c;
            if seen >= rank {
                return ms as f64 / 1000.0;
            }
        }
        max as f64 / 1000.0
    };
    let sum: u128 = waits
        .iter()
        .map(|(&w, &c)| u128::from(w) * u128::from(c))
        .sum();
    WaitStats {
        count: n,
        mean: round4(sum as f64 / n as f64 / 1000.0),
        p50: pick(50.0),
        p95: pick(95.0),
        p99: pick(99.0),
        max: max as f64 / 1000.0,
    }
}

/// Mean of `f` over the rows that end a simulated minute (minute ≥ 1; the minute-0 row is
/// the start state, before anything ran): a minute-sampled average, 0 with no such row.
///
/// Only rows after `from_minute` count: the measurement window's minutes.
fn minute_mean(rows: &[MinuteRow], from_minute: u64, f: impl Fn(&MinuteRow) -> f64) -> f64 {
    let (sum, n) = rows
        .iter()
        .filter(|r| r.minute >= 1 && r.minute > from_minute)
        .fold((0.0, 0u64), |(s, n), r| (s + f(r), n + 1));
    if n == 0 {
        0.0
    } else {
        round4(sum / n as f64)
    }
}

/// An owner's counts over the window: events since `mark` (the owner's counts and in-flight
/// tasks at the window's start), states at the end.
fn finalize_counts(oc: &OwnerCounts, mark: Option<&(TaskCounts, u64)>) -> TaskCounts {
    let mut c = oc.counts.clone();
    if let Some((m, in_flight)) = mark {
        c.submitted -= m.submitted;
        c.started -= m.started;
        c.completed -= m.completed;
        c.stopped_by_scheduler -= m.stopped_by_scheduler;
        c.failed -= m.failed;
        c.never_placed -= m.never_placed;
        c.interrupted -= m.interrupted;
        c.crashed -= m.crashed;
        c.in_flight_at_start = *in_flight;
    }
    let st = &oc.by_status;
    c.running_at_end = st[status_index(TaskStatus::Running)];
    c.waiting_at_end =
        st[status_index(TaskStatus::Queued)] + st[status_index(TaskStatus::Provisioning)];
    c.in_flight_at_end = st[..status_index(TaskStatus::Stopped)].iter().sum();
    c
}

fn add_counts(a: &mut TaskCounts, b: &TaskCounts) {
    a.submitted += b.submitted;
    a.started += b.started;
    a.completed += b.completed;
    a.failed += b.failed;
    a.never_placed += b.never_placed;
    a.stopped_by_scheduler += b.stopped_by_scheduler;
    a.interrupted += b.interrupted;
    a.crashed += b.crashed;
    a.in_flight_at_start += b.in_flight_at_start;
    a.in_flight_at_end += b.in_flight_at_end;
    a.running_at_end += b.running_at_end;
    a.waiting_at_end += b.waiting_at_end;
}

/// Source tasks of the workload whose work is not done at the end of the run: still
/// queued, waiting or running, or stopped without completing and not re-run (never placed,
/// stopped by a scale-in).
fn unfinished_tasks(m: &MakespanClock) -> u64 {
    m.source_tasks.saturating_sub(m.completed)
}

/// The workload's makespan, seconds: first submission to last completion when all its work
/// is done; when some is not, first submission to the end of the run (`end`), a lower bound
/// of the true makespan, so a run that did not finish never looks faster than the run; `None`
/// when nothing was submitted.
fn makespan_s(m: &MakespanClock, end: SimDuration) -> Option<f64> {
    let first = m.first_submission?;
    let last = if unfinished_tasks(m) > 0 {
        SimTime(end.0)
    } else {
        m.last_completion.unwrap_or(first)
    };
    Some(last.saturating_since(first).as_secs_f64())
}

/// Builds the report at the end of a run.
#[allow(clippy::too_many_arguments)]
/// A service's state at the end of the run, for its summary.
pub struct ServiceEnd {
    pub desired: u32,
    pub running: u32,
    pub minutes_below_desired: u64,
    pub desired_min: u32,
    pub desired_max: u32,
    pub activities: ScalingActivityCounts,
    pub load: Option<LoadEnd>,
    pub live_by_provider: std::collections::BTreeMap<String, u32>,
    pub availability: AvailabilitySummary,
    /// What AZ rebalancing did (`None` when it never acted).
    pub az_rebalancing: Option<crate::report::AzRebalancingSummary>,
}

/// A service's load totals at the end of the run.
pub struct LoadEnd {
    pub requests: f64,
    pub served: f64,
    pub minutes_with_shortfall: u64,
    pub cpu_used_task_seconds: f64,
    pub task_seconds: f64,
}

/// What the run loop hands over besides the counters.
pub struct RunOutcome {
    pub faults: Option<FaultSummary>,
    pub services: Vec<ServiceEnd>,
    pub submissions: Vec<u64>,
    pub providers: Vec<CapacityProviderSummary>,
    pub service_series: Vec<ServiceMinuteRow>,
    pub provider_series: Vec<ProviderMinuteRow>,
    pub events: Vec<EventRecord>,
    pub events_dropped: u64,
    pub events_processed: u64,
    /// The marks at the start of the measurement window; `None`: it starts at time zero.
    pub window: Option<WindowMark>,
    /// Billing's usage marks at each hour of the window, for commitments (empty without).
    pub hour_marks: Vec<crate::billing::UsageMark>,
}

pub fn build_report(
    sc: &Scenario,
    counters: &Counters,
    billing: &Billing,
    outcome: RunOutcome,
) -> Report {
    let RunOutcome {
        faults,
        services,
        submissions,
        providers,
        service_series,
        provider_series,
        events,
        events_dropped,
        events_processed,
        window,
        hour_marks,
    } = outcome;
    // Commitments price the usage of each hour of the window after the run.
    let commitments = (!sc.commitments.is_empty()).then(|| {
        let usage: Vec<_> = hour_marks
            .windows(2)
            .map(|w| {
                billing.hour_usage(&w[0], &w[1], |t| {
                    let it = sc.catalog.get(t);
                    (it.name.clone(), it.on_demand_usd_per_hour)
                })
            })
            .collect();
        crate::billing::commitments::apply(&sc.commitments, &usage)
    });
    let costs = billing.breakdown_since(window.as_ref().map(|w| &w.billing));
    let cm = window.as_ref().map(|w| &w.counters);
    let from = cm.map_or(SimTime::ZERO, |m| m.at);
    let from_minute = from.0 / 60_000;
    let window_span = SimDuration(sc.duration.0.saturating_sub(from.0));
    let hours = window_span.as_secs_f64() / 3600.0;
    // Waits recorded before the window (tasks that started RUNNING in the warm-up) were
    // dropped at its start: the window's waits are those of the tasks that started in it.
    let mut all = TaskCounts::default();
    let mut all_waits = std::collections::BTreeMap::new();
    let mut service_summaries = Vec::new();
    for (i, spec) in sc.services.iter().enumerate() {
        let oc = &counters.owners[i];
        let tc = finalize_counts(oc, cm.map(|m| &m.owners[i]));
        add_counts(&mut all, &tc);
        oc.waits.add_to(&mut all_waits);
        let end = &services[i];
        let cost = costs
            .by_owner_usd
            .get(&Owner::Service(crate::ids::ServiceId::from_index(i)))
            .copied()
            .unwrap_or(0.0);
        let load = end.load.as_ref().map(|l| {
            let unserved = (l.requests - l.served).max(0.0);
            LoadSummary {
                requests: round4(l.requests),
                served: round4(l.served),
                unserved: round4(unserved),
                unserved_pct: if l.requests > 0.0 {
                    round4(unserved * 100.0 / l.requests)
                } else {
                    0.0
                },
                minutes_with_shortfall: l.minutes_with_shortfall,
                cost_per_million_requests_usd: if l.served > 0.0 {
                    round6(cost * 1e6 / l.served)
                } else {
                    0.0
                },
                cpu_utilization_avg_pct: if l.task_seconds > 0.0 {
                    round4(l.cpu_used_task_seconds * 100.0 / l.task_seconds)
                } else {
                    0.0
                },
            }
        });
        service_summaries.push(ServiceSummary {
            name: spec.name.clone(),
            desired_count: end.desired,
            running_at_end: end.running,
            tasks: tc,
            minutes_below_desired: end.minutes_below_desired,
            cost_usd: round6(cost),
            desired_min: end.desired_min,
            desired_max: end.desired_max,
            scaling_activities: end.activities.clone(),
            live_tasks_by_capacity_provider: end.live_by_provider.clone(),
            availability: end.availability.clone(),
            load,
            az_rebalancing: end.az_rebalancing.clone(),
        });
    }
    let mut workload_summaries = Vec::new();
    for (i, spec) in sc.workloads.iter().enumerate() {
        let oi = sc.services.len() + i;
        let oc = &counters.owners[oi];
        let tc = finalize_counts(oc, cm.map(|m| &m.owners[oi]));
        add_counts(&mut all, &tc);
        oc.waits.add_to(&mut all_waits);
        let mut w = std::collections::BTreeMap::new();
        oc.waits.add_to(&mut w);
        let cost = costs
            .by_owner_usd
            .get(&Owner::Workload(crate::ids::WorkloadId::from_index(i)))
            .copied()
            .unwrap_or(0.0);
        workload_summaries.push(WorkloadSummary {
            name: spec.name.clone(),
            submissions: submissions[i] - window.as_ref().map_or(0, |w| w.submissions[i]),
            cost_per_completed_task_usd: if tc.completed == 0 {
                0.0
            } else {
                round6(cost / tc.completed as f64)
            },
            tasks: tc,
            wait_time_s: wait_stats(&w),
            cost_usd: round6(cost),
            makespan_s: makespan_s(&counters.makespans[i], sc.duration),
            unfinished_tasks: unfinished_tasks(&counters.makespans[i]),
        });
    }
    let pct = |a: u128, b: u128| {
        if b == 0 {
            0.0
        } else {
            round4(a as f64 * 100.0 / b as f64)
        }
    };
    let mut by_cp = std::collections::BTreeMap::new();
    for (cp, v) in &costs.by_capacity_provider_usd {
        *by_cp
            .entry(sc.capacity_providers[cp.index()].name.clone())
            .or_insert(0.0) += v;
    }
    if costs.ec2_without_capacity_provider_usd > 0.0 {
        // ASGs with no provider in front (capacity for launch type EC2).
        by_cp.insert(
            NO_PROVIDER.to_string(),
            costs.ec2_without_capacity_provider_usd,
        );
    }
    if costs.external_usd > 0.0 {
        // External instances have no provider: keyed by their launch type.
        by_cp.insert(
            crate::report::EXTERNAL_INSTANCES.to_string(),
            costs.external_usd,
        );
    }
    let by_cp = by_cp.into_iter().map(|(k, v)| (k, round6(v))).collect();
    let external = external_summary(sc, &costs);
    // Named like `by_capacity_provider`: the provider's name, or NO_PROVIDER for ASGs without.
    let idle_by_cp = costs
        .idle_by_capacity_provider_usd
        .iter()
        .map(|(cp, v)| {
            let name = cp.map_or(NO_PROVIDER, |cp| {
                sc.capacity_providers[cp.index()].name.as_str()
            });
            (name.to_string(), round6(*v))
        })
        .collect();
    let by_service = service_summaries
        .iter()
        .map(|s| (s.name.clone(), s.cost_usd))
        .collect();
    let by_workload = workload_summaries
        .iter()
        .map(|w| (w.name.clone(), w.cost_usd))
        .collect();
    let wait_histogram =
        crate::report::wait_histogram_counts(all_waits.iter().map(|(&ms, &n)| (ms, n)));
    let prices = PriceBasis::of(&sc.catalog);
    let summary = Summary {
        schema_version: SCHEMA_VERSION,
        scenario: sc.name.clone(),
        seed: 0,
        duration_s: sc.duration.as_secs_f64(),
        prices: prices.clone(),
        window: WindowSummary {
            from_s: from.as_secs_f64(),
            to_s: sc.duration.as_secs_f64(),
            duration_s: window_span.as_secs_f64(),
        },
        cost: CostSummary {
            total_usd: round6(costs.total_usd),
            per_hour_usd: if hours > 0.0 {
                round6(costs.total_usd / hours)
            } else {
                0.0
            },
            per_million_requests_usd: {
                let served: f64 = services
                    .iter()
                    .filter_map(|e| e.load.as_ref().map(|l| l.served))
                    .sum();
                services.iter().any(|e| e.load.is_some()).then(|| {
                    if served > 0.0 {
                        round6(costs.total_usd * 1e6 / served)
                    } else {
                        0.0
                    }
                })
            },
            by_capacity_provider: by_cp,
            by_service,
            by_workload,
            ec2_usd: round6(costs.ec2_usd),
            fargate_usd: round6(costs.fargate_usd),
            idle_usd: round6(costs.idle_usd),
            idle_by_capacity_provider: idle_by_cp,
            fargate_spot_usd: round6(costs.fargate_spot_usd),
            management_fee_usd: sc
                .capacity_providers
                .iter()
                .any(|p| p.managed_instances.is_some())
                .then(|| round6(costs.management_fee_usd)),
            commitments: commitments
                .as_ref()
                .map(|r| r.summary(&sc.commitments, round6)),
            external,
        },
        reservation: ReservationSummary {
            cpu_pct_avg: pct(
                counters.reserved_cpu_ms - cm.map_or(0, |m| m.reserved_cpu_ms),
                counters.registered_cpu_ms - cm.map_or(0, |m| m.registered_cpu_ms),
            ),
            memory_pct_avg: pct(
                counters.reserved_mem_ms - cm.map_or(0, |m| m.reserved_mem_ms),
                counters.registered_mem_ms - cm.map_or(0, |m| m.registered_mem_ms),
            ),
        },
        instances: InstanceSummary {
            launched: counters.instances_launched - cm.map_or(0, |m| m.instances_launched),
            // Restarted at the mark: the window's peak.
            peak: counters.peak_instances,
            instance_hours: round4(costs.instance_hours),
        },
        tasks: all,
        usage: {
            let hours = |ms: u128| round4(ms as f64 / 3_600_000.0);
            let ec2_ms = counters.ec2_running_ms - cm.map_or(0, |m| m.ec2_running_ms);
            let fargate_ms = counters.fargate_running_ms - cm.map_or(0, |m| m.fargate_running_ms);
            let external_ms =
                counters.external_running_ms - cm.map_or(0, |m| m.external_running_ms);
            UsageSummary {
                running_task_hours: hours(ec2_ms + fargate_ms + external_ms),
                external_running_task_hours: sc
                    .auto_scaling_groups
                    .iter()
                    .any(|a| a.external.is_some())
                    .then(|| hours(external_ms)),
                ec2_running_task_hours: hours(ec2_ms),
                fargate_running_task_hours: hours(fargate_ms),
                ec2_instance_hours: round4(costs.instance_hours),
                ec2_reserved_share_pct: if costs.ec2_usd > 0.0 {
                    round4((costs.ec2_usd - costs.idle_usd).max(0.0) * 100.0 / costs.ec2_usd)
                } else {
                    0.0
                },
                fargate_vcpu_hours: round4(costs.fargate_vcpu_hours),
                fargate_gb_hours: round4(costs.fargate_gb_hours),
                vcpu_paid_avg: minute_mean(&counters.rows, from_minute, |r| r.vcpu_paid),
                vcpu_reserved_avg: minute_mean(&counters.rows, from_minute, |r| r.vcpu_reserved),
                vcpu_used_avg: minute_mean(&counters.rows, from_minute, |r| r.vcpu_used),
                memory_gib_paid_avg: minute_mean(&counters.rows, from_minute, |r| {
                    r.memory_gib_paid
                }),
                memory_gib_reserved_avg: minute_mean(&counters.rows, from_minute, |r| {
                    r.memory_gib_reserved
                }),
                memory_gib_used_avg: minute_mean(&counters.rows, from_minute, |r| {
                    r.memory_gib_used
                }),
            }
        },
        wait_time_s: wait_stats(&all_waits),
        services: service_summaries,
        workloads: workload_summaries,
        capacity_providers: providers,
        faults,
        event_log: EventLogSummary {
            logged: events.len() as u64,
            dropped: events_dropped,
        },
        engine: EngineSummary { events_processed },
        assumptions: crate::report::assumptions::for_scenario(sc, &prices),
        deployments: None,
    };
    Report {
        summary,
        timeseries: counters.rows.clone(),
        service_series,
        provider_series,
        workload_series: counters.workload_rows.clone(),
        events,
        cost_series_providers: cost_series_providers(sc),
        cost_series: counters.cost_rows.clone(),
        commitment_series: commitments
            .as_ref()
            .map(|r| r.cumulative())
            .unwrap_or_default(),
        commitments_csv: commitments.map(|r| r.csv(&sc.commitments)),
        explain: None,
        wait_histogram,
    }
}

#[cfg(test)]
mod makespan_tests {
    use super::*;

    #[test]
    fn makespan_counts_finished_work_and_runs_unfinished_work_to_the_end() {
        let end = SimDuration(10 * 3_600_000);
        assert_eq!(makespan_s(&MakespanClock::default(), end), None);
        // Two tasks asked for at 1 h; one completes at 3 h, the other was killed and its
        // re-run completes at 5 h: done, 4 h.
        let mut m = MakespanClock {
            first_submission: Some(SimTime(3_600_000)),
            last_completion: Some(SimTime(5 * 3_600_000)),
            source_tasks: 2,
            completed: 2,
        };
        assert_eq!(unfinished_tasks(&m), 0);
        assert_eq!(makespan_s(&m, end), Some(4.0 * 3600.0));
        // One of them never completed: the makespan runs to the end of the run (9 h), not to
        // the last completion.
        m.completed = 1;
        assert_eq!(unfinished_tasks(&m), 1);
        assert_eq!(makespan_s(&m, end), Some(9.0 * 3600.0));
    }
}

#[cfg(test)]
mod wait_tests {
    use super::*;

    /// The statistics as they were computed from every wait kept in a `Vec`: the reference.
    fn reference(waits: &mut [u64]) -> WaitStats {
        if waits.is_empty() {
            return WaitStats::default();
        }
        waits.sort_unstable();
        let n = waits.len();
        let pick = |p: f64| -> f64 {
            let rank = ((p / 100.0) * n as f64).ceil().max(1.0) as usize;
            waits[rank.min(n) - 1] as f64 / 1000.0
        };
        let sum: u128 = waits.iter().map(|&w| u128::from(w)).sum();
        WaitStats {
            count: n as u64,
            mean: round4(sum as f64 / n as f64 / 1000.0),
            p50: pick(50.0),
            p95: pick(95.0),
            p99: pick(99.0),
            max: waits[n - 1] as f64 / 1000.0,
        }
    }

    fn stats(w: &Waits) -> WaitStats {
        let mut m = std::collections::BTreeMap::new();
        w.add_to(&mut m);
        wait_stats(&m)
    }

    #[test]
    fn counted_waits_give_the_statistics_of_every_wait() {
        use rand::Rng;
        let mut rng = crate::engine::RngStreams::new(7).stream(crate::engine::Stream::Workload);
        for n in [
            0usize,
            1,
            2,
            99,
            WAIT_BATCH - 1,
            WAIT_BATCH,
            3 * WAIT_BATCH + 17,
        ] {
            let mut all = Vec::new();
            let mut w = Waits::default();
            for _ in 0..n {
                // Few distinct values (many ties) and a long tail.
                let ms = if rng.gen_bool(0.7) {
                    rng.gen_range(0..50u64) * 1000
                } else {
                    rng.gen_range(0..10_000_000u64)
                };
                all.push(ms);
                w.push(ms);
            }
            let got = stats(&w);
            let want = reference(&mut all);
            assert_eq!(format!("{got:?}"), format!("{want:?}"), "{n} waits");
            let bins = crate::report::wait_histogram(&all);
            let mut m = std::collections::BTreeMap::new();
            w.add_to(&mut m);
            let counted = crate::report::wait_histogram_counts(m);
            assert_eq!(format!("{bins:?}"), format!("{counted:?}"));
        }
    }

    #[test]
    fn memory_follows_distinct_waits_not_tasks() {
        // A million tasks that waited one of three durations: three counts and a batch, where
        // the `Vec` of every wait held a million entries.
        let mut w = Waits::default();
        for i in 0..1_000_000u64 {
            w.push([1_000, 2_500, 60_000][(i % 3) as usize]);
        }
        assert_eq!(w.entries(), 3);
        assert!(w.batch.len() < WAIT_BATCH);
        assert_eq!(stats(&w).count, 1_000_000);
    }

    /// Many folds of mostly distinct waits (the runs merge at many sizes): the counts are
    /// exactly those of a map fed every wait, and each run is over twice the next.
    #[test]
    fn merged_runs_count_like_a_map() {
        use rand::Rng;
        let mut rng = crate::engine::RngStreams::new(11).stream(crate::engine::Stream::Workload);
        let mut w = Waits::default();
        let mut want = std::collections::BTreeMap::new();
        for i in 0..(37 * WAIT_BATCH + 5) {
            let ms = if i % 5 == 0 {
                rng.gen_range(0..20u64)
            } else {
                rng.gen_range(0..5_000_000u64)
            };
            w.push(ms);
            *want.entry(ms).or_insert(0u64) += 1;
        }
        for pair in w.runs.windows(2) {
            assert!(pair[0].len() > 2 * pair[1].len());
        }
        for run in &w.runs {
            assert!(
                run.windows(2).all(|p| p[0].0 < p[1].0),
                "a run is sorted, keys once"
            );
        }
        let mut got = std::collections::BTreeMap::new();
        w.add_to(&mut got);
        assert_eq!(got, want);
        w.clear();
        let mut none = std::collections::BTreeMap::new();
        w.add_to(&mut none);
        assert!(none.is_empty());
    }
}
