//! Cost meters: what EC2 instances and Fargate tasks cost, and who the cost belongs to.
//!
//! Owns one open meter per running instance and per running task, the integer totals per rate
//! class they close into (`ledger`), and the rules of ecs-reference §7.1 and §7.6:
//!
//! - **EC2** is billed per second from the running state to termination, at least
//!   [`EC2_MINIMUM_BILLED_SECONDS`] per launch, at the price the caller passes (On-Demand, or
//!   On-Demand × a Spot factor, see [`ec2_usd_per_hour`]).
//! - **Fargate** is billed per second, a partial second rounded up, from the start of the
//!   image pull to the task's stop, at least [`FARGATE_MINIMUM_BILLED`](crate::cloud::fargate::FARGATE_MINIMUM_BILLED) (five minutes on Windows), plus ephemeral storage above 20 GiB, on the task size
//!   (already rounded to a valid Fargate size), at the x86 or ARM rate, × the Spot factor on
//!   FARGATE_SPOT.
//! - **Attribution**: while a task reserves (cpu, mem) on an instance that registered
//!   (CPU, MEM), its owner is charged price × time × (½·cpu/CPU + ½·mem/MEM). Whatever EC2 cost
//!   no reservation covers (empty capacity, the 60-second minimum's extra, the rounding up to
//!   whole seconds) is *idle*, never negative.
//!
//! Money does not drift: meters close into `u128` sums of milliseconds, CPU-unit·ms and
//! MiB·ms per rate class, and those become [`Usd`] (an `f64`) only when a snapshot or the
//! breakdown is asked for, in the three conversion functions of `ledger`.
//! Closed meters cost no memory: only open meters have state, in `Vec`s indexed by id.
//!
//! It deliberately does not decide anything (when instances launch, where tasks go), does not
//! know names (capacity providers and owners are typed ids the caller resolves), and does not
//! model Savings Plans, EBS, data transfer, public IPv4 or ephemeral storage.

pub mod commitments;
mod ledger;

use std::collections::BTreeMap;

use crate::cloud::fargate::{
    is_valid_size, minimum_billed, FargateOs, FARGATE_BILLING_GRANULARITY,
};
use crate::cloud::FargatePricing;
use crate::engine::{SimDuration, SimTime};
use crate::ids::{CapacityProviderId, InstanceId, InstanceTypeId, Owner, TaskId};
use crate::units::{CpuArchitecture, Resources};

pub use ledger::Usd;
use ledger::{
    ec2_usd, fargate_usd, Ec2Class, Ec2ClassKey, FargateClass, FargateClassKey, FargateQuantity,
};

/// Shortest billed EC2 run per launch, seconds, on Linux and on Windows.
/// Source: ecs-reference §7.6 [API EC2 StartInstances: "a one-minute minimum … and thereafter
/// per second"; OBS]. Windows Server has been billed the same way since 11 June 2021 (AWS
/// What's New, "Announcing per second billing for EC2 Windows Server and SQL Server
/// instances", <https://aws.amazon.com/about-aws/whats-new/2021/06/announcing-per-second-billing-for-ec2-windows-server-and-sql-server-instances/>:
/// "in one second increments, with a minimum of 1 minute"); before, Windows was billed by
/// the hour (the 2017 per-second announcement excluded it).
pub const EC2_MINIMUM_BILLED_SECONDS: u64 = 60;

/// EC2 bills per second.
/// Source: ecs-reference §7.6 \[API EC2 StartInstances\]. How a partial second is billed is not
/// stated \[UNCERTAIN\]; we round it up, as Fargate does (§7.1), so a run is never under-billed.
pub const EC2_BILLING_GRANULARITY: SimDuration = SimDuration::from_secs(1);

/// The hourly price of an EC2 instance: On-Demand, or On-Demand × `spot_price_factor` for a
/// Spot instance (§7.6: Spot is "up to 90 %" off and moves slowly, so the scenario chooses the
/// factor).
pub fn ec2_usd_per_hour(on_demand_usd_per_hour: f64, spot_price_factor: Option<f64>) -> f64 {
    match spot_price_factor {
        Some(factor) => on_demand_usd_per_hour * factor,
        None => on_demand_usd_per_hour,
    }
}

/// `ms` rounded up to a multiple of `granularity`, and at least `minimum`.
fn billed_ms(ms: u64, granularity: SimDuration, minimum: SimDuration) -> u64 {
    let g = granularity.as_millis();
    ms.div_ceil(g).saturating_mul(g).max(minimum.as_millis())
}

/// An instance's meter. It stays after the instance stops, because a task released later
/// (in the same millisecond or by `finish`) must know when the instance stopped.
#[derive(Clone, Copy, Debug)]
struct InstanceMeter {
    class: u32,
    since: SimTime,
    stopped_at: Option<SimTime>,
}

/// A task's open meter. Small, because a run may have over a million tasks.
#[derive(Clone, Copy, Debug)]
enum TaskMeter {
    /// A reservation on an EC2 instance, for attribution.
    Ec2 {
        instance: InstanceId,
        owner: Owner,
        need: Resources,
        since: SimTime,
    },
    /// A Fargate task being billed.
    Fargate {
        class: u32,
        owner: Owner,
        size: Resources,
        /// Ephemeral storage above the included 20 GiB (at most 180).
        extra_storage_gib: u16,
        since: SimTime,
    },
}

/// How a Fargate task is priced: its architecture, operating system, Spot or not, and the
/// ephemeral storage it asked for above the included amount.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FargateKind {
    /// CPU architecture.
    pub arch: CpuArchitecture,
    /// On FARGATE_SPOT.
    pub spot: bool,
    /// Linux or Windows.
    pub os: FargateOs,
    /// `ephemeralStorage.sizeInGiB` minus the included 20 GiB (0 when not set).
    pub extra_storage_gib: u16,
}

impl FargateKind {
    /// A Linux task of `arch` with the included storage only.
    pub fn linux(arch: CpuArchitecture, spot: bool) -> FargateKind {
        FargateKind {
            arch,
            spot,
            os: FargateOs::Linux,
            extra_storage_gib: 0,
        }
    }
}

/// The open task meters, indexed by the task's slot in the simulation's task table: slots
/// are dense among live tasks, so a `Vec` indexed by slot is smaller and faster than the hash
/// map it replaces (which was itself chosen over a `BTreeMap` that cost 10–20 % of an M/M/c
/// run). Each entry keeps its full id, so a meter is found only by the task that opened it.
#[derive(Clone, Debug, Default)]
struct TaskMeters {
    slots: Vec<Option<(TaskId, TaskMeter)>>,
}

impl TaskMeters {
    /// Opens `meter` for `task`; the meter its slot already held, if any (a bug: a task's
    /// meter is closed before its slot is reused).
    fn insert(&mut self, task: TaskId, meter: TaskMeter) -> Option<TaskMeter> {
        let entry = slot(&mut self.slots, task.index());
        let previous = entry.map(|(_, m)| m);
        *entry = Some((task, meter));
        previous
    }

    /// Closes `task`'s meter and returns it.
    fn remove(&mut self, task: TaskId) -> Option<TaskMeter> {
        let entry = self.slots.get_mut(task.index())?;
        if entry.is_some_and(|(t, _)| t == task) {
            entry.take().map(|(_, m)| m)
        } else {
            None
        }
    }

    /// How many meters are open.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.slots.iter().flatten().count()
    }

    /// True when no meter is open.
    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The open meters, in slot order.
    fn iter(&self) -> impl Iterator<Item = (TaskId, &TaskMeter)> + '_ {
        self.slots.iter().flatten().map(|(t, m)| (*t, m))
    }
}

/// Closed EC2 reservations per (owner, EC2 class): CPU-unit·ms and MiB·ms.
///
/// Every EC2 task release adds to one entry, so the lookup is two `Vec` indexings rather
/// than a `BTreeMap` walk (the map's search and `entry` were about 1.7 % of an M/M/c run,
/// issue 13). Readers get the `BTreeMap` they had, in the same `(owner, class)` order, from
/// [`OwnerClassSums::to_map`]: the summary sums floats in that order, so it must not change.
#[derive(Clone, Debug, Default)]
struct OwnerClassSums {
    /// Per owner key (a service's index × 2, a workload's × 2 + 1), per class: one more than
    /// the entry's index in `sums`, or 0 when that pair has none yet.
    index: Vec<Vec<u32>>,
    /// The entries, in the order they were first touched.
    sums: Vec<((Owner, u32), (u128, u128))>,
}

impl OwnerClassSums {
    /// The sums of `(owner, class)`, created at zero on first use (as the map's `or_default`
    /// did: an entry exists once a release touched it, even with nothing to add).
    #[inline]
    fn entry(&mut self, owner: Owner, class: u32) -> &mut (u128, u128) {
        let key = match owner {
            Owner::Service(s) => 2 * s.index(),
            Owner::Workload(w) => 2 * w.index() + 1,
        };
        if self.index.len() <= key {
            self.index.resize_with(key + 1, Vec::new);
        }
        let row = &mut self.index[key];
        let c = class as usize;
        if row.len() <= c {
            row.resize(c + 1, 0);
        }
        if row[c] == 0 {
            self.sums.push(((owner, class), (0, 0)));
            row[c] = to_class_index(self.sums.len());
        }
        &mut self.sums[row[c] as usize - 1].1
    }

    /// Every entry, ordered by `(owner, class)`.
    fn to_map(&self) -> BTreeMap<(Owner, u32), (u128, u128)> {
        self.sums.iter().copied().collect()
    }
}

/// Cost up to a moment of the run: closed meters in full, open meters up to that moment
/// (without the minimum).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CostSnapshot {
    /// EC2 plus Fargate plus external instances.
    pub total_usd: Usd,
    /// EC2 instances.
    pub ec2_usd: Usd,
    /// Fargate and Fargate Spot tasks.
    pub fargate_usd: Usd,
    /// External instances (ECS Anywhere fee plus the machines' own cost).
    pub external_usd: Usd,
    /// Managed Instances management fees.
    pub management_fee_usd: Usd,
}

/// Cost up to a moment of the run per capacity provider (`None`: EC2 instances of ASGs with
/// no provider in front), for the per-minute cost series.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProviderCosts {
    /// EC2 and Fargate cost per provider; providers with no cost yet are absent.
    pub cost_usd: BTreeMap<Option<CapacityProviderId>, Usd>,
    /// The EC2 idle part of `cost_usd`, per provider that has had EC2 instances.
    pub idle_usd: BTreeMap<Option<CapacityProviderId>, Usd>,
    /// External instances (in neither map): their cost and its idle part.
    pub external_usd: Usd,
    /// The idle part of `external_usd`.
    pub external_idle_usd: Usd,
}

impl ProviderCosts {
    /// EC2 idle cost of all providers.
    pub fn idle_total_usd(&self) -> Usd {
        self.idle_usd.values().sum()
    }
}

/// The cost of a whole run, broken down.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CostBreakdown {
    /// EC2 plus Fargate plus external instances plus Managed Instances management fees.
    pub total_usd: Usd,
    /// ECS Managed Instances management fees (on top of `ec2_usd`, which holds those
    /// instances' EC2 price); in `by_capacity_provider_usd`, not in `by_owner_usd` nor idle.
    pub management_fee_usd: Usd,
    /// EC2 instances, idle time included.
    pub ec2_usd: Usd,
    /// Fargate and Fargate Spot tasks.
    pub fargate_usd: Usd,
    /// The Fargate Spot part of `fargate_usd`.
    pub fargate_spot_usd: Usd,
    /// EC2 cost no task reservation accounts for (empty capacity, minimum and rounding).
    pub idle_usd: Usd,
    /// `idle_usd` per capacity provider (`None`: ASGs with no provider in front); one entry
    /// per provider that had EC2 instances, 0 included. Sums to `idle_usd`.
    pub idle_by_capacity_provider_usd: BTreeMap<Option<CapacityProviderId>, Usd>,
    /// EC2 and Fargate cost per capacity provider.
    pub by_capacity_provider_usd: BTreeMap<CapacityProviderId, Usd>,
    /// EC2 cost of instances that are not behind a capacity provider.
    pub ec2_without_capacity_provider_usd: Usd,
    /// Cost per owner: attributed EC2 cost plus Fargate cost. Idle cost belongs to nobody.
    pub by_owner_usd: BTreeMap<Owner, Usd>,
    /// EC2 cost per instance type.
    pub by_instance_type_usd: BTreeMap<InstanceTypeId, Usd>,
    /// Billed instance-hours (minimum and rounding included).
    pub instance_hours: f64,
    /// Instances launched.
    pub instance_launch_count: u64,
    /// Billed Fargate vCPU-hours.
    pub fargate_vcpu_hours: f64,
    /// Billed Fargate GB-hours.
    pub fargate_gb_hours: f64,
    /// Fargate tasks started.
    pub fargate_task_count: u64,
    /// External instances (ECS Anywhere): their whole cost, in none of the EC2 figures above
    /// (`by_owner_usd` includes the owners' shares of it).
    pub external_usd: Usd,
    /// The part of `external_usd` no task reservation accounts for.
    pub external_idle_usd: Usd,
    /// External cost and billed instance-hours per instance type (one type per group).
    pub external_by_instance_type: BTreeMap<InstanceTypeId, (Usd, f64)>,
    /// Billed external instance-hours.
    pub external_instance_hours: f64,
}

/// One EC2 rate class's totals at a mark.
#[derive(Clone, Copy, Debug, Default)]
struct Ec2Mark {
    billed_ms: u128,
    reserved_cpu_ms: u128,
    reserved_mib_ms: u128,
    launches: u64,
}

/// The billing meters' integer totals at one moment (see [`Billing::mark`]), indexed like the
/// rate classes; classes created after the mark have none.
#[derive(Clone, Debug, Default)]
pub struct BillingMark {
    ec2: Vec<Ec2Mark>,
    fargate: Vec<(FargateQuantity, u64)>,
    ec2_by_owner: BTreeMap<(Owner, u32), (u128, u128)>,
    fargate_by_owner: BTreeMap<(Owner, u32), FargateQuantity>,
}

/// The meters' cumulative billed quantities per rate class at one moment, open meters counted
/// up to it: what [`Billing::hour_usage`] subtracts to give one hour's usage for
/// commitments. O(rate classes) to take, so one per simulated hour costs nothing per event.
#[derive(Clone, Debug, Default)]
pub struct UsageMark {
    at_ms: u64,
    ec2_ms: Vec<u128>,
    fargate: Vec<FargateQuantity>,
}

/// All the cost meters of one run.
#[derive(Clone, Debug)]
pub struct Billing {
    fargate_pricing: FargatePricing,
    instances: Vec<Option<InstanceMeter>>,
    /// Open task meters only: a meter is removed when its task releases or stops, so this
    /// follows the live tasks, not every task ever metered (issue 13).
    tasks: TaskMeters,
    ec2_classes: Vec<Ec2Class>,
    ec2_class_index: BTreeMap<Ec2ClassKey, u32>,
    fargate_classes: Vec<FargateClass>,
    fargate_class_index: BTreeMap<FargateClassKey, u32>,
    /// Closed EC2 reservations per (owner, EC2 class): CPU-unit·ms and MiB·ms.
    ec2_reserved_by_owner: OwnerClassSums,
    /// Closed Fargate quantities per (owner, Fargate class).
    fargate_by_owner: BTreeMap<(Owner, u32), FargateQuantity>,
    /// The latest time any call has seen: the meters assume time never goes backwards.
    latest: SimTime,
    finished: bool,
}

/// Grows `v` so `index` is valid.
fn slot<T>(v: &mut Vec<Option<T>>, index: usize) -> &mut Option<T> {
    if v.len() <= index {
        v.resize_with(index + 1, || None);
    }
    &mut v[index]
}

impl UsageMark {
    /// When the mark was taken, milliseconds from the start of the run.
    pub fn at_ms(&self) -> u64 {
        self.at_ms
    }
}

impl Billing {
    /// Meters priced with `fargate` for Fargate tasks; EC2 prices come with each instance.
    pub fn new(fargate: FargatePricing) -> Billing {
        Billing {
            fargate_pricing: fargate,
            instances: Vec::new(),
            tasks: TaskMeters::default(),
            ec2_classes: Vec::new(),
            ec2_class_index: BTreeMap::new(),
            fargate_classes: Vec::new(),
            fargate_class_index: BTreeMap::new(),
            ec2_reserved_by_owner: OwnerClassSums::default(),
            fargate_by_owner: BTreeMap::new(),
            latest: SimTime::ZERO,
            finished: false,
        }
    }

    fn advance(&mut self, now: SimTime) {
        assert!(!self.finished, "billing event at {now} after finish");
        assert!(
            now >= self.latest,
            "billing event at {now} before an earlier one at {}",
            self.latest
        );
        self.latest = now;
    }

    /// Starts billing instance `id` (it entered EC2's `running` state) at `usd_per_hour`
    /// (already Spot-adjusted, see [`ec2_usd_per_hour`]).
    ///
    /// # Panics
    /// If `id` was started before, if time went backwards, or if the price is negative or not
    /// finite (scenario validation rejects such prices).
    pub fn instance_started(
        &mut self,
        id: InstanceId,
        now: SimTime,
        instance_type: InstanceTypeId,
        usd_per_hour: f64,
        provider: Option<CapacityProviderId>,
        registered: Resources,
    ) {
        self.start_instance(
            id,
            now,
            instance_type,
            usd_per_hour,
            0.0,
            provider,
            registered,
            false,
        );
    }

    /// [`Billing::instance_started`] for an instance that also pays a management fee of
    /// `fee_usd_per_hour` (ECS Managed Instances), metered like the instance: per second,
    /// with its one-minute minimum (AWS ECS pricing page: "billed per second with a one-minute
    /// minimum").
    ///
    /// # Panics
    /// As [`Billing::instance_started`], and if the fee is negative or not finite.
    #[allow(clippy::too_many_arguments)]
    pub fn instance_started_with_fee(
        &mut self,
        id: InstanceId,
        now: SimTime,
        instance_type: InstanceTypeId,
        usd_per_hour: f64,
        fee_usd_per_hour: f64,
        provider: Option<CapacityProviderId>,
        registered: Resources,
    ) {
        self.start_instance(
            id,
            now,
            instance_type,
            usd_per_hour,
            fee_usd_per_hour,
            provider,
            registered,
            false,
        );
    }

    /// Starts billing external instance `id` (ECS Anywhere) at `usd_per_hour`, the Anywhere
    /// fee plus the machine's own cost. Metered like an EC2 instance (per second, the same
    /// minimum), reported apart: [`CostBreakdown::external_usd`].
    ///
    /// # Panics
    /// As [`Billing::instance_started`].
    pub fn external_instance_started(
        &mut self,
        id: InstanceId,
        now: SimTime,
        instance_type: InstanceTypeId,
        usd_per_hour: f64,
        registered: Resources,
    ) {
        self.start_instance(
            id,
            now,
            instance_type,
            usd_per_hour,
            0.0,
            None,
            registered,
            true,
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn start_instance(
        &mut self,
        id: InstanceId,
        now: SimTime,
        instance_type: InstanceTypeId,
        usd_per_hour: f64,
        fee_usd_per_hour: f64,
        provider: Option<CapacityProviderId>,
        registered: Resources,
        external: bool,
    ) {
        self.advance(now);
        assert!(
            usd_per_hour.is_finite() && usd_per_hour >= 0.0,
            "{id:?}: price {usd_per_hour} USD/h is not a price"
        );
        assert!(
            fee_usd_per_hour.is_finite() && fee_usd_per_hour >= 0.0,
            "{id:?}: fee {fee_usd_per_hour} USD/h is not a price"
        );
        let key = Ec2ClassKey {
            instance_type,
            usd_per_hour_bits: usd_per_hour.to_bits(),
            provider,
            registered,
            external,
            fee_usd_per_hour_bits: fee_usd_per_hour.to_bits(),
        };
        let class = match self.ec2_class_index.get(&key) {
            Some(&c) => c,
            None => {
                let c = to_class_index(self.ec2_classes.len());
                self.ec2_classes.push(Ec2Class::new(key, usd_per_hour));
                self.ec2_class_index.insert(key, c);
                c
            }
        };
        let meter = slot(&mut self.instances, id.index());
        assert!(meter.is_none(), "{id:?} started twice");
        *meter = Some(InstanceMeter {
            class,
            since: now,
            stopped_at: None,
        });
        let c = &mut self.ec2_classes[class as usize];
        c.launches += 1;
        c.open_count += 1;
        c.open_since_ms_sum += u128::from(now.as_millis());
    }

    /// Stops billing instance `id` (it left the `running` state): bills at least
    /// [`EC2_MINIMUM_BILLED_SECONDS`], whole seconds rounded up.
    ///
    /// Tasks still reserved on it stop accruing attribution at `now`.
    ///
    /// # Panics
    /// If `id` is not running.
    pub fn instance_stopped(&mut self, id: InstanceId, now: SimTime) {
        self.advance(now);
        let meter = self
            .instances
            .get_mut(id.index())
            .and_then(Option::as_mut)
            .filter(|m| m.stopped_at.is_none());
        let Some(meter) = meter else {
            panic!("{id:?} stopped but it is not running");
        };
        meter.stopped_at = Some(now);
        let ran_ms = (now - meter.since).as_millis();
        let c = &mut self.ec2_classes[meter.class as usize];
        c.open_count -= 1;
        c.open_since_ms_sum -= u128::from(meter.since.as_millis());
        c.billed_ms += u128::from(billed_ms(
            ran_ms,
            EC2_BILLING_GRANULARITY,
            SimDuration::from_secs(EC2_MINIMUM_BILLED_SECONDS),
        ));
    }

    /// Task `task` of `owner` reserves `need` on running instance `instance` from `now`.
    ///
    /// # Panics
    /// If the instance is not running or the task already has a meter.
    pub fn ec2_task_reserved(
        &mut self,
        task: TaskId,
        instance: InstanceId,
        owner: Owner,
        need: Resources,
        now: SimTime,
    ) {
        self.advance(now);
        let running = self
            .instances
            .get(instance.index())
            .and_then(|m| m.as_ref())
            .is_some_and(|m| m.stopped_at.is_none());
        assert!(
            running,
            "{task:?} reserved on {instance:?}, which is not running"
        );
        if let Some(m) = self.instances.get(instance.index()).copied().flatten() {
            let c = &mut self.ec2_classes[m.class as usize];
            let since = u128::from(now.as_millis());
            c.open_res_cpu_sum += u128::from(need.cpu.0);
            c.open_res_mib_sum += u128::from(need.memory.0);
            c.open_res_cpu_since_sum += u128::from(need.cpu.0) * since;
            c.open_res_mib_since_sum += u128::from(need.memory.0) * since;
        }
        let meter = TaskMeter::Ec2 {
            instance,
            owner,
            need,
            since: now,
        };
        let previous = self.tasks.insert(task, meter);
        assert!(previous.is_none(), "{task:?} already has a meter");
    }

    /// Starts loading what [`Billing::ec2_task_released`] will read for `task` on `instance`
    /// (its meter and the instance's) into the cache: a hint, see `crate::engine::prefetch`.
    #[inline]
    pub fn prefetch_ec2_release(&self, task: TaskId, instance: InstanceId) {
        if let Some(m) = self.tasks.slots.get(task.index()) {
            crate::engine::prefetch::prefetch(m);
        }
        if let Some(m) = self.instances.get(instance.index()) {
            crate::engine::prefetch::prefetch(m);
        }
    }

    /// Task `task` releases its reservation at `now` (or when its instance stopped, if that
    /// was earlier).
    ///
    /// # Panics
    /// If `task` holds no EC2 reservation.
    pub fn ec2_task_released(&mut self, task: TaskId, now: SimTime) {
        self.advance(now);
        let meter = self.tasks.remove(task);
        let Some(TaskMeter::Ec2 {
            instance,
            owner,
            need,
            since,
        }) = meter
        else {
            panic!("{task:?} released but it holds no EC2 reservation");
        };
        let Some(instance_meter) = self.instances.get(instance.index()).copied().flatten() else {
            panic!("{task:?} was reserved on {instance:?}, which has no meter");
        };
        let end = instance_meter.stopped_at.map_or(now, |stop| stop.min(now));
        let ms = u128::from(end.saturating_since(since).as_millis());
        let cpu_ms = u128::from(need.cpu.0) * ms;
        let mib_ms = u128::from(need.memory.0) * ms;
        let c = &mut self.ec2_classes[instance_meter.class as usize];
        c.reserved_cpu_ms += cpu_ms;
        c.reserved_mib_ms += mib_ms;
        let since_ms = u128::from(since.as_millis());
        c.open_res_cpu_sum -= u128::from(need.cpu.0);
        c.open_res_mib_sum -= u128::from(need.memory.0);
        c.open_res_cpu_since_sum -= u128::from(need.cpu.0) * since_ms;
        c.open_res_mib_since_sum -= u128::from(need.memory.0) * since_ms;
        let by_owner = self
            .ec2_reserved_by_owner
            .entry(owner, instance_meter.class);
        by_owner.0 += cpu_ms;
        by_owner.1 += mib_ms;
    }

    /// Starts billing Fargate task `task` at the start of its image pull.
    ///
    /// `size` is the task size already rounded to a valid Fargate size
    /// ([`crate::cloud::fargate::round_up`]); `kind` says how it is priced.
    ///
    /// # Panics
    /// If the task already has a meter or `size` is not a valid Fargate size.
    pub fn fargate_task_started(
        &mut self,
        task: TaskId,
        owner: Owner,
        provider: CapacityProviderId,
        size: Resources,
        kind: FargateKind,
        now: SimTime,
    ) {
        self.advance(now);
        assert!(
            is_valid_size(size.cpu, size.memory),
            "{task:?}: {size:?} is not a Fargate task size; round it up first"
        );
        let key = FargateClassKey {
            provider,
            arch: kind.arch,
            spot: kind.spot,
            os: kind.os,
        };
        let class = match self.fargate_class_index.get(&key) {
            Some(&c) => c,
            None => {
                let c = to_class_index(self.fargate_classes.len());
                let rate = self.fargate_pricing.rate_for(kind.os, kind.arch, kind.spot);
                let storage = self.fargate_pricing.usd_per_extra_ephemeral_gb_second;
                self.fargate_classes
                    .push(FargateClass::new(key, rate, storage));
                self.fargate_class_index.insert(key, c);
                c
            }
        };
        let meter = TaskMeter::Fargate {
            class,
            owner,
            size,
            extra_storage_gib: kind.extra_storage_gib,
            since: now,
        };
        let previous = self.tasks.insert(task, meter);
        assert!(previous.is_none(), "{task:?} already has a meter");
        let c = &mut self.fargate_classes[class as usize];
        let since_ms = u128::from(now.as_millis());
        let storage = u128::from(kind.extra_storage_gib);
        c.tasks += 1;
        c.open_cpu_sum += u128::from(size.cpu.0);
        c.open_mib_sum += u128::from(size.memory.0);
        c.open_cpu_since_sum += u128::from(size.cpu.0) * since_ms;
        c.open_mib_since_sum += u128::from(size.memory.0) * since_ms;
        c.open_storage_sum += storage;
        c.open_storage_since_sum += storage * since_ms;
    }

    /// Stops billing Fargate task `task`: whole seconds rounded up, at least
    /// [`FARGATE_MINIMUM_BILLED`](crate::cloud::fargate::FARGATE_MINIMUM_BILLED) (five minutes on Windows).
    ///
    /// # Panics
    /// If `task` has no Fargate meter.
    pub fn fargate_task_stopped(&mut self, task: TaskId, now: SimTime) {
        self.advance(now);
        let meter = self.tasks.remove(task);
        let Some(TaskMeter::Fargate {
            class,
            owner,
            size,
            extra_storage_gib,
            since,
        }) = meter
        else {
            panic!("{task:?} stopped but it has no Fargate meter");
        };
        let c = &mut self.fargate_classes[class as usize];
        let billed = billed_ms(
            (now - since).as_millis(),
            FARGATE_BILLING_GRANULARITY,
            minimum_billed(c.key.os),
        );
        let q = FargateQuantity::of(size, extra_storage_gib, billed);
        let since_ms = u128::from(since.as_millis());
        let storage = u128::from(extra_storage_gib);
        c.open_cpu_sum -= u128::from(size.cpu.0);
        c.open_mib_sum -= u128::from(size.memory.0);
        c.open_cpu_since_sum -= u128::from(size.cpu.0) * since_ms;
        c.open_mib_since_sum -= u128::from(size.memory.0) * since_ms;
        c.open_storage_sum -= storage;
        c.open_storage_since_sum -= storage * since_ms;
        c.quantity.add(q);
        self.fargate_by_owner
            .entry((owner, class))
            .or_default()
            .add(q);
    }

    /// Cost so far: closed meters in full, open meters up to `now` without the minimum.
    ///
    /// Never decreases as `now` and the events advance, and after [`Billing::finish`] equals
    /// the breakdown's total. Costs O(rate classes), not O(meters).
    ///
    /// # Panics
    /// If `now` is before the latest event billing has seen.
    pub fn cost_so_far(&self, now: SimTime) -> CostSnapshot {
        assert!(
            now >= self.latest,
            "cost asked at {now}, before the latest billing event at {}",
            self.latest
        );
        let now_ms = if self.finished {
            self.latest.as_millis()
        } else {
            now.as_millis()
        };
        let ec2_usd: Usd = self
            .ec2_classes
            .iter()
            .filter(|c| !c.key.external)
            .map(|c| ec2_usd(c.usd_per_hour, c.billed_ms_at(now_ms)))
            .sum();
        let external_usd: Usd = self
            .ec2_classes
            .iter()
            .filter(|c| c.key.external)
            .map(|c| ledger::ec2_usd(c.usd_per_hour, c.billed_ms_at(now_ms)))
            .sum();
        let management_fee_usd: Usd = self
            .ec2_classes
            .iter()
            .filter(|c| c.fee_usd_per_hour > 0.0)
            .map(|c| ledger::ec2_usd(c.fee_usd_per_hour, c.billed_ms_at(now_ms)))
            .sum();
        let fargate_usd: Usd = self
            .fargate_classes
            .iter()
            .map(|c| fargate_usd(c.rate, c.storage_rate, c.quantity_at(now_ms)))
            .sum();
        CostSnapshot {
            total_usd: ec2_usd + fargate_usd + external_usd + management_fee_usd,
            ec2_usd,
            fargate_usd,
            external_usd,
            management_fee_usd,
        }
    }

    /// Cost up to `now` per capacity provider (`None`: instances of ASGs without one), and the
    /// EC2 idle part of it per provider, open meters and reservations counted up to `now`
    /// without the minimum: the per-minute cost series. Providers with no cost yet are absent
    /// from the first map; the second has exactly the providers with EC2 instances so far
    /// (Fargate has no idle capacity: it bills the task size, all of it the owner's).
    pub fn cost_so_far_by_provider(&self, now: SimTime) -> ProviderCosts {
        let now_ms = if self.finished {
            self.latest.as_millis()
        } else {
            now.as_millis()
        };
        let mut by = ProviderCosts::default();
        for c in &self.ec2_classes {
            if c.key.external {
                by.external_usd += ec2_usd(c.usd_per_hour, c.billed_ms_at(now_ms));
                by.external_idle_usd += c.share_usd(c.idle_share_at(now_ms));
                continue;
            }
            *by.cost_usd.entry(c.key.provider).or_insert(0.0) +=
                ec2_usd(c.usd_per_hour, c.billed_ms_at(now_ms));
            if c.fee_usd_per_hour > 0.0 {
                *by.cost_usd.entry(c.key.provider).or_insert(0.0) +=
                    ec2_usd(c.fee_usd_per_hour, c.billed_ms_at(now_ms));
            }
            // Idle is converted per class (each class has its own price and registered
            // resources), so summing classes of one provider is exact up to float addition.
            *by.idle_usd.entry(c.key.provider).or_insert(0.0) +=
                c.share_usd(c.idle_share_at(now_ms));
        }
        for c in &self.fargate_classes {
            *by.cost_usd.entry(Some(c.key.provider)).or_insert(0.0) +=
                fargate_usd(c.rate, c.storage_rate, c.quantity_at(now_ms));
        }
        by
    }

    /// Closes every open meter at `end`: reservations first, then Fargate tasks and
    /// instances, each billed up to `end` with its minimum applied.
    ///
    /// # Panics
    /// If called twice or with `end` before the latest event.
    pub fn finish(&mut self, end: SimTime) {
        self.advance(end);
        let mut open: Vec<(TaskId, bool)> = self
            .tasks
            .iter()
            .map(|(t, m)| (t, matches!(m, TaskMeter::Ec2 { .. })))
            .collect();
        open.sort_unstable_by_key(|&(t, _)| t);
        for (t, ec2) in open {
            if ec2 {
                self.ec2_task_released(t, end);
            } else {
                self.fargate_task_stopped(t, end);
            }
        }
        for index in 0..self.instances.len() {
            if self.instances[index].is_some_and(|m| m.stopped_at.is_none()) {
                self.instance_stopped(InstanceId::from_index(index), end);
            }
        }
        self.finished = true;
    }

    /// The meters' integer totals at `now`, open meters and open reservations counted up to
    /// `now` without minimum or rounding (as [`Billing::cost_so_far`] counts them): what
    /// [`Billing::breakdown_since`] subtracts to give the cost of a measurement window.
    ///
    /// Visits every open task meter once (owners' shares of open reservations are not kept
    /// as running sums), so call it once per run, not per event.
    ///
    /// # Panics
    /// If `now` is before the latest event billing has seen, or after [`Billing::finish`].
    pub fn mark(&self, now: SimTime) -> BillingMark {
        assert!(!self.finished, "billing mark at {now} after finish");
        assert!(
            now >= self.latest,
            "billing mark at {now}, before the latest billing event at {}",
            self.latest
        );
        let now_ms = now.as_millis();
        let mut mark = BillingMark {
            ec2: self
                .ec2_classes
                .iter()
                .map(|c| Ec2Mark {
                    billed_ms: c.billed_ms_at(now_ms),
                    reserved_cpu_ms: c.reserved_cpu_ms,
                    reserved_mib_ms: c.reserved_mib_ms,
                    launches: c.launches,
                })
                .collect(),
            fargate: self
                .fargate_classes
                .iter()
                .map(|c| (c.quantity_at(now_ms), c.tasks))
                .collect(),
            ec2_by_owner: self.ec2_reserved_by_owner.to_map(),
            fargate_by_owner: self.fargate_by_owner.clone(),
        };
        // Sums of integers: the order of the open meters cannot change the mark.
        for (_, meter) in self.tasks.iter() {
            match *meter {
                TaskMeter::Ec2 {
                    instance,
                    owner,
                    need,
                    since,
                } => {
                    let Some(im) = self.instances.get(instance.index()).copied().flatten() else {
                        continue;
                    };
                    // As `ec2_task_released` counts it: up to `now` or the instance's stop.
                    let end = im.stopped_at.map_or(now, |stop| stop.min(now));
                    let ms = u128::from(end.saturating_since(since).as_millis());
                    let (cpu_ms, mib_ms) =
                        (u128::from(need.cpu.0) * ms, u128::from(need.memory.0) * ms);
                    let m = &mut mark.ec2[im.class as usize];
                    m.reserved_cpu_ms += cpu_ms;
                    m.reserved_mib_ms += mib_ms;
                    let o = mark.ec2_by_owner.entry((owner, im.class)).or_default();
                    o.0 += cpu_ms;
                    o.1 += mib_ms;
                }
                TaskMeter::Fargate {
                    class,
                    owner,
                    size,
                    extra_storage_gib,
                    since,
                } => {
                    let q = FargateQuantity::of(
                        size,
                        extra_storage_gib,
                        now.saturating_since(since).as_millis(),
                    );
                    mark.fargate_by_owner
                        .entry((owner, class))
                        .or_default()
                        .add(q);
                }
            }
        }
        mark
    }

    /// The cumulative billed quantities per rate class at `now` (after [`Billing::finish`],
    /// at the end), open meters counted up to `now` without minimum, as
    /// [`Billing::cost_so_far`] counts them. A meter's minimum and rounding fall in the hour
    /// it closes, as in the measurement window.
    pub fn usage_mark(&self, now: SimTime) -> UsageMark {
        let now_ms = if self.finished {
            self.latest.as_millis()
        } else {
            now.as_millis()
        };
        UsageMark {
            at_ms: now_ms,
            ec2_ms: self
                .ec2_classes
                .iter()
                .map(|c| c.billed_ms_at(now_ms))
                .collect(),
            fargate: self
                .fargate_classes
                .iter()
                .map(|c| c.quantity_at(now_ms))
                .collect(),
        }
    }

    /// The usage between two marks, for commitments: On-Demand EC2 instance-hours per
    /// instance type, On-Demand Fargate cost, and the cost commitments cannot cover.
    ///
    /// `on_demand(type)` gives a type's name and On-Demand price: an EC2 class is On-Demand
    /// when its price is exactly that (Spot classes are priced On-Demand × a factor below
    /// 1, see [`ec2_usd_per_hour`]); Fargate Spot classes are flagged in their key.
    /// `fraction` is the span's length in hours; `start_s` its start.
    pub fn hour_usage(
        &self,
        from: &UsageMark,
        to: &UsageMark,
        on_demand: impl Fn(InstanceTypeId) -> (String, f64),
    ) -> commitments::HourUsage {
        let mut by_type: BTreeMap<String, (u128, f64)> = BTreeMap::new();
        let mut ineligible = 0.0;
        for (i, c) in self.ec2_classes.iter().enumerate() {
            let before = from.ec2_ms.get(i).copied().unwrap_or(0);
            let ms = to
                .ec2_ms
                .get(i)
                .copied()
                .unwrap_or(0)
                .saturating_sub(before);
            if ms == 0 {
                continue;
            }
            if c.key.external {
                // Not EC2: no Savings Plan or Reserved Instance covers an on-premises machine
                // or the Anywhere fee.
                ineligible += ec2_usd(c.usd_per_hour, ms);
                continue;
            }
            // A Managed Instances management fee is not EC2 usage: no Savings Plan or
            // Reserved Instance covers it (the EC2 part is covered like any On-Demand
            // instance), so it is paid as it is.
            if c.fee_usd_per_hour > 0.0 {
                ineligible += ec2_usd(c.fee_usd_per_hour, ms);
            }
            let (name, price) = on_demand(c.key.instance_type);
            if price.to_bits() == c.usd_per_hour.to_bits() {
                let e = by_type.entry(name).or_insert((0, price));
                e.0 += ms;
            } else {
                ineligible += ec2_usd(c.usd_per_hour, ms);
            }
        }
        let mut fargate_on_demand = 0.0;
        for (i, c) in self.fargate_classes.iter().enumerate() {
            let before = from.fargate.get(i).copied().unwrap_or_default();
            let q = to.fargate.get(i).copied().unwrap_or_default().minus(before);
            let usd = fargate_usd(c.rate, c.storage_rate, q);
            if c.key.spot {
                ineligible += usd;
            } else {
                fargate_on_demand += usd;
            }
        }
        let span_ms = to.at_ms.saturating_sub(from.at_ms);
        commitments::HourUsage {
            start_s: from.at_ms as f64 / ledger::MS_PER_SECOND as f64,
            fraction: span_ms as f64 / ledger::MS_PER_HOUR as f64,
            ec2: by_type
                .into_iter()
                .map(|(name, (ms, price))| commitments::Ec2Usage {
                    instance_type: name,
                    instance_hours: ms as f64 / ledger::MS_PER_HOUR as f64,
                    on_demand_usd_per_hour: price,
                })
                .collect(),
            fargate_on_demand_usd: fargate_on_demand,
            ineligible_usd: ineligible,
        }
    }

    /// The cost of the run, broken down.
    ///
    /// # Panics
    /// If [`Billing::finish`] has not been called: open meters would be missing.
    pub fn breakdown(&self) -> CostBreakdown {
        self.breakdown_since(None)
    }

    /// The cost from `mark` (taken by [`Billing::mark`]) to the end of the run, broken down;
    /// the whole run with `None`. Each integer total minus its value at the mark, converted
    /// to dollars once: a meter open at the mark is billed in the window for its time after
    /// the mark, and its minimum and rounding fall in the window, where it closed.
    ///
    /// # Panics
    /// If [`Billing::finish`] has not been called: open meters would be missing.
    pub fn breakdown_since(&self, mark: Option<&BillingMark>) -> CostBreakdown {
        assert!(self.finished, "breakdown asked before finish");
        let mut b = CostBreakdown::default();
        let mut billed_ms_total: u128 = 0;
        for (i, c) in self.ec2_classes.iter().enumerate() {
            let m = mark.and_then(|m| m.ec2.get(i)).copied().unwrap_or_default();
            let billed_ms = c.billed_ms.saturating_sub(m.billed_ms);
            let usd = ec2_usd(c.usd_per_hour, billed_ms);
            if c.key.external {
                let hours = billed_ms as f64 / ledger::MS_PER_HOUR as f64;
                b.external_usd += usd;
                b.external_instance_hours += hours;
                b.external_idle_usd += c.share_usd(c.idle_share_of(
                    billed_ms,
                    c.reserved_cpu_ms.saturating_sub(m.reserved_cpu_ms),
                    c.reserved_mib_ms.saturating_sub(m.reserved_mib_ms),
                ));
                let e = b
                    .external_by_instance_type
                    .entry(c.key.instance_type)
                    .or_default();
                e.0 += usd;
                e.1 += hours;
                continue;
            }
            b.ec2_usd += usd;
            billed_ms_total += billed_ms;
            b.instance_launch_count += c.launches - m.launches;
            let idle = c.share_usd(c.idle_share_of(
                billed_ms,
                c.reserved_cpu_ms.saturating_sub(m.reserved_cpu_ms),
                c.reserved_mib_ms.saturating_sub(m.reserved_mib_ms),
            ));
            b.idle_usd += idle;
            *b.idle_by_capacity_provider_usd
                .entry(c.key.provider)
                .or_default() += idle;
            *b.by_instance_type_usd
                .entry(c.key.instance_type)
                .or_default() += usd;
            match c.key.provider {
                Some(p) => *b.by_capacity_provider_usd.entry(p).or_default() += usd,
                None => b.ec2_without_capacity_provider_usd += usd,
            }
            if c.fee_usd_per_hour > 0.0 {
                let fee = ec2_usd(c.fee_usd_per_hour, billed_ms);
                b.management_fee_usd += fee;
                if let Some(p) = c.key.provider {
                    *b.by_capacity_provider_usd.entry(p).or_default() += fee;
                }
            }
        }
        b.instance_hours = billed_ms_total as f64 / ledger::MS_PER_HOUR as f64;
        let mut fargate_total = FargateQuantity::default();
        for (i, c) in self.fargate_classes.iter().enumerate() {
            let (mq, mt) = mark
                .and_then(|m| m.fargate.get(i))
                .copied()
                .unwrap_or_default();
            let q = c.quantity.minus(mq);
            let usd = fargate_usd(c.rate, c.storage_rate, q);
            b.fargate_usd += usd;
            fargate_total.add(q);
            b.fargate_task_count += c.tasks - mt;
            if c.key.spot {
                b.fargate_spot_usd += usd;
            }
            *b.by_capacity_provider_usd
                .entry(c.key.provider)
                .or_default() += usd;
        }
        b.fargate_vcpu_hours = fargate_total.vcpu_hours();
        b.fargate_gb_hours = fargate_total.gb_hours();
        b.total_usd = b.ec2_usd + b.fargate_usd + b.external_usd + b.management_fee_usd;
        for (&(owner, class), &(cpu_ms, mib_ms)) in &self.ec2_reserved_by_owner.to_map() {
            let c = &self.ec2_classes[class as usize];
            let (mc, mm) = mark
                .and_then(|m| m.ec2_by_owner.get(&(owner, class)))
                .copied()
                .unwrap_or_default();
            let share = c.share(cpu_ms.saturating_sub(mc), mib_ms.saturating_sub(mm));
            *b.by_owner_usd.entry(owner).or_default() += c.share_usd(share);
        }
        for (&(owner, class), &q) in &self.fargate_by_owner {
            let c = &self.fargate_classes[class as usize];
            let mq = mark
                .and_then(|m| m.fargate_by_owner.get(&(owner, class)))
                .copied()
                .unwrap_or_default();
            *b.by_owner_usd.entry(owner).or_default() +=
                fargate_usd(c.rate, c.storage_rate, q.minus(mq));
        }
        b
    }
}

/// A class index. Classes are distinct (type, price, provider, registered) or (provider,
/// arch, Spot) combinations, so their number is bounded by the scenario's size.
fn to_class_index(len: usize) -> u32 {
    u32::try_from(len).unwrap_or_else(|_| panic!("more than u32::MAX rate classes"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::fargate::round_up;
    use crate::cloud::{Catalog, MemoryOverhead};
    use crate::ids::{ServiceId, WorkloadId};
    use proptest::prelude::*;

    const SVC: Owner = Owner::Service(ServiceId(0));
    const BATCH: Owner = Owner::Workload(WorkloadId(0));
    const ASG_CP: CapacityProviderId = CapacityProviderId(0);
    const FARGATE_CP: CapacityProviderId = CapacityProviderId(1);
    const FARGATE_SPOT_CP: CapacityProviderId = CapacityProviderId(2);

    fn secs(s: u64) -> SimTime {
        SimTime(s * 1000)
    }

    fn close(actual: f64, expected: f64) -> bool {
        (actual - expected).abs() <= 1e-12 * expected.abs().max(1.0)
    }

    macro_rules! assert_usd {
        ($actual:expr, $expected:expr) => {{
            let (a, e): (f64, f64) = ($actual, $expected);
            assert!(close(a, e), "{} = {a}, expected {e}", stringify!($actual));
        }};
    }

    fn m5_large(c: &Catalog) -> (InstanceTypeId, f64, Resources) {
        let id = c.find("m5.large").expect("m5.large is in the catalog");
        (
            id,
            c.get(id).on_demand_usd_per_hour,
            c.registered_resources(id, MemoryOverhead::default(), false),
        )
    }

    fn one_instance(run: SimDuration, spot_factor: Option<f64>) -> CostBreakdown {
        let c = Catalog::embedded_us_east_1();
        let (ty, price, reg) = m5_large(&c);
        let mut b = Billing::new(c.fargate);
        let price = ec2_usd_per_hour(price, spot_factor);
        b.instance_started(InstanceId(0), SimTime(0), ty, price, Some(ASG_CP), reg);
        b.instance_stopped(InstanceId(0), SimTime(0) + run);
        b.finish(SimTime(0) + run);
        b.breakdown()
    }

    fn one_fargate_task(
        size: Resources,
        arch: CpuArchitecture,
        spot: bool,
        run_ms: u64,
    ) -> CostBreakdown {
        let mut b = Billing::new(FargatePricing::us_east_1());
        let provider = if spot { FARGATE_SPOT_CP } else { FARGATE_CP };
        b.fargate_task_started(
            TaskId(0, 0),
            BATCH,
            provider,
            size,
            FargateKind::linux(arch, spot),
            SimTime(0),
        );
        b.fargate_task_stopped(TaskId(0, 0), SimTime(run_ms));
        b.finish(SimTime(run_ms));
        b.breakdown()
    }

    /// Issue 13: a closed task meter is dropped, so billing's per-task state follows the
    /// live tasks (it used to keep a slot for every task ever metered), and ids stay valid.
    /// ECS Managed Instances: the management fee is billed for the instance's billed time on
    /// its own line, on top of the EC2 price, and belongs to the provider, not to the tasks.
    /// One c6a.2xlarge hour in us-east-1: EC2 $0.306; fee $0.037 (the ECS pricing page's
    /// example); total $0.343. Thirty seconds: the one-minute minimum applies to both,
    /// $0.306 / 60 = $0.0051 and $0.037 / 60 = $0.000616667.
    #[test]
    fn management_fee_is_billed_on_its_own_line() {
        let c = Catalog::embedded_us_east_1();
        let ty = c
            .find("c6a.2xlarge")
            .expect("c6a.2xlarge is in the catalog");
        let reg = c.registered_resources(ty, MemoryOverhead::default(), false);
        let price = c.get(ty).on_demand_usd_per_hour;
        assert_usd!(price, 0.306);
        for (run_s, ec2, fee) in [(3600, 0.306, 0.037), (30, 0.306 / 60.0, 0.037 / 60.0)] {
            let mut b = Billing::new(c.fargate);
            b.instance_started_with_fee(
                InstanceId(0),
                SimTime(0),
                ty,
                price,
                0.037,
                Some(ASG_CP),
                reg,
            );
            // A task reserves the whole instance for the whole run.
            b.ec2_task_reserved(TaskId(0, 0), InstanceId(0), SVC, reg, SimTime(0));
            let start = b.usage_mark(SimTime(0));
            let end = b.usage_mark(secs(run_s));
            // Commitments see the instance as On-Demand EC2 usage and the fee as cost they
            // cannot cover (measured before the minimum is applied at the stop).
            let h = b.hour_usage(&start, &end, |_| ("c6a.2xlarge".into(), price));
            assert_eq!(h.ec2.len(), 1);
            assert_usd!(h.ec2[0].instance_hours, run_s as f64 / 3600.0);
            assert_usd!(h.ineligible_usd, 0.037 * run_s as f64 / 3600.0);
            b.instance_stopped(InstanceId(0), secs(run_s));
            b.finish(secs(run_s));
            let d = b.breakdown();
            assert_usd!(d.ec2_usd, ec2);
            assert_usd!(d.management_fee_usd, fee);
            assert_usd!(d.total_usd, ec2 + fee);
            assert_usd!(d.by_capacity_provider_usd[&ASG_CP], ec2 + fee);
            // The task owns its reserved seconds; the rest of the one-minute minimum is idle
            // (30 s: $0.306 × 30 / 3600 = $0.00255 each). The fee is in neither.
            let owned = 0.306 * run_s as f64 / 3600.0;
            assert_usd!(d.by_owner_usd[&SVC], owned);
            assert_usd!(d.idle_usd, ec2 - owned);
            let snap = b.cost_so_far(secs(run_s));
            assert_usd!(snap.management_fee_usd, fee);
            assert_usd!(snap.total_usd, ec2 + fee);
        }
    }

    #[test]
    fn task_meters_follow_live_tasks() {
        let c = Catalog::embedded_us_east_1();
        let (ty, price, reg) = m5_large(&c);
        let mut b = Billing::new(c.fargate);
        b.instance_started(InstanceId(0), SimTime(0), ty, price, Some(ASG_CP), reg);
        let need = Resources::new(256, 512);
        // 1,000 tasks one after the other, one second each, on one instance; each takes the
        // slot the one before left, as in the simulation's task table.
        for i in 0..1_000u32 {
            b.ec2_task_reserved(TaskId(i, 0), InstanceId(0), BATCH, need, secs(u64::from(i)));
            b.ec2_task_released(TaskId(i, 0), secs(u64::from(i) + 1));
            assert_eq!(b.tasks.slots.len(), 1);
            assert!(
                b.tasks.is_empty(),
                "task {i}: {} meters kept",
                b.tasks.len()
            );
        }
        // One still open at the end is closed by finish, as before.
        b.ec2_task_reserved(TaskId(5_000, 0), InstanceId(0), SVC, need, secs(1_000));
        assert_eq!(b.tasks.len(), 1);
        // A meter is found only by the task that opened it, not by a later one in its slot.
        assert!(b.tasks.remove(TaskId(5_001, 0)).is_none());
        b.finish(secs(2_000));
        assert!(b.tasks.is_empty());
        let bd = b.breakdown();
        // Reserved: 1,000 × 1 s + 1,000 s = 2,000 s of 256 CPU / 512 MiB on a 2,000 s
        // instance; the idle share is what is left, so it is below the total.
        assert!(bd.idle_usd < bd.ec2_usd);
        assert!(bd.by_owner_usd[&BATCH] > 0.0 && bd.by_owner_usd[&SVC] > 0.0);
    }

    #[test]
    fn ec2_per_second() {
        let b = one_instance(SimDuration::from_secs(90), None);
        // m5.large for 90 s: 90 × 0.096 / 3600 = 0.0024 USD.
        assert_usd!(b.ec2_usd, 0.0024);
        assert_usd!(b.total_usd, 0.0024);
        assert_usd!(b.by_capacity_provider_usd[&ASG_CP], 0.0024);
        // 90 s = 0.025 instance-hours.
        assert_usd!(b.instance_hours, 0.025);
        // Nothing reserved: all of it is idle.
        assert_usd!(b.idle_usd, 0.0024);
        assert_eq!(b.instance_launch_count, 1);
    }

    #[test]
    fn ec2_minimum_and_rounding() {
        let b = one_instance(SimDuration::from_secs(20), None);
        // 20 s is billed as the 60 s minimum: 60 × 0.096 / 3600 = 0.0016 USD.
        assert_usd!(b.ec2_usd, 0.0016);
        // 90.001 s rounds up to 91 s: 91 × 0.096 / 3600 = 0.0024266…
        let b = one_instance(SimDuration::from_millis(90_001), None);
        assert_usd!(b.ec2_usd, 91.0 * 0.096 / 3600.0);
    }

    #[test]
    fn ec2_spot_factor() {
        let b = one_instance(SimDuration::from_secs(3600), Some(0.3));
        // One hour at 0.096 × 0.3 = 0.0288 USD/h.
        assert_usd!(b.ec2_usd, 0.0288);
    }

    #[test]
    fn fargate_minimum() {
        // 0.25 vCPU / 0.5 GB for 45.3 s → billed 60 s:
        // 60 × (0.25 × 0.000011244 + 0.5 × 0.000001235) = 60 × 0.0000034285 = 0.00020571.
        let b = one_fargate_task(
            Resources::new(256, 512),
            CpuArchitecture::X86_64,
            false,
            45_300,
        );
        assert_usd!(b.fargate_usd, 0.00020571);
        assert_usd!(b.by_owner_usd[&BATCH], 0.00020571);
        assert_usd!(b.by_capacity_provider_usd[&FARGATE_CP], 0.00020571);
        // 60 s × 0.25 vCPU = 15 vCPU-s = 1/240 vCPU-h; × 0.5 GB = 30 GB-s = 1/120 GB-h.
        assert_usd!(b.fargate_vcpu_hours, 1.0 / 240.0);
        assert_usd!(b.fargate_gb_hours, 1.0 / 120.0);
    }

    #[test]
    fn fargate_rounds_partial_seconds_up() {
        // 1 vCPU / 2 GB for 3600.2 s → 3601 s:
        // 3601 × (1 × 0.000011244 + 2 × 0.000001235) = 3601 × 0.000013714 = 0.049384114.
        let b = one_fargate_task(
            Resources::new(1024, 2048),
            CpuArchitecture::X86_64,
            false,
            3_600_200,
        );
        assert_usd!(b.fargate_usd, 0.049384114);
    }

    #[test]
    fn fargate_arm_rate() {
        // ARM, 1 vCPU / 2 GB for 100 s:
        // 100 × (0.0000089944 + 2 × 0.0000009889) = 100 × 0.0000109722 = 0.00109722.
        let b = one_fargate_task(
            Resources::new(1024, 2048),
            CpuArchitecture::Arm64,
            false,
            100_000,
        );
        assert_usd!(b.fargate_usd, 0.00109722);
    }

    #[test]
    fn fargate_spot_per_dimension_rates() {
        // Spot, x86, 1 vCPU / 2 GB for 1000 s at the published Spot rates (issue 15 point 6):
        // 0.01334053 / 3600 = 0.00000370570278 per vCPU-s; 0.00146489 / 3600 = 0.00000040691389
        // per GB-s; 1000 × (0.00000370570278 + 2 × 0.00000040691389) = 0.00451953056.
        // (With the old single factor: 1000 × 0.000013714 × 0.33 = 0.00452562.)
        let b = one_fargate_task(
            Resources::new(1024, 2048),
            CpuArchitecture::X86_64,
            true,
            1_000_000,
        );
        let expected = 1000.0 * (0.01334053 / 3600.0 + 2.0 * 0.00146489 / 3600.0);
        assert_usd!(b.fargate_usd, expected);
        assert!((b.fargate_usd - 0.00451953056).abs() < 1e-11);
        assert_usd!(b.fargate_spot_usd, expected);
        assert_usd!(b.by_capacity_provider_usd[&FARGATE_SPOT_CP], expected);
    }

    /// One task of `kind` on FARGATE for `run_ms`.
    fn one_task_of(size: Resources, kind: FargateKind, run_ms: u64) -> CostBreakdown {
        let mut b = Billing::new(FargatePricing::us_east_1());
        b.fargate_task_started(TaskId(0, 0), BATCH, FARGATE_CP, size, kind, SimTime(0));
        b.fargate_task_stopped(TaskId(0, 0), SimTime(run_ms));
        b.finish(SimTime(run_ms));
        b.breakdown()
    }

    #[test]
    fn fargate_ephemeral_storage_above_20_gib_is_billed() {
        // 0.25 vCPU / 0.5 GB, x86, ephemeralStorage.sizeInGiB = 50, for 10 minutes = 600 s:
        // compute 600 × 0.0000034285 = 0.0020571;
        // storage (50 − 20) GiB × 600 s × 0.0000000308 = 18000 × 0.0000000308 = 0.0005544;
        // total 0.0026115.
        let kind = FargateKind {
            extra_storage_gib: 30,
            ..FargateKind::linux(CpuArchitecture::X86_64, false)
        };
        let b = one_task_of(Resources::new(256, 512), kind, 600_000);
        assert_usd!(b.fargate_usd, 0.0026115);
        // The included 20 GiB cost nothing: the same task without extra storage.
        let plain = one_task_of(
            Resources::new(256, 512),
            FargateKind::linux(CpuArchitecture::X86_64, false),
            600_000,
        );
        assert_usd!(plain.fargate_usd, 0.0020571);
    }

    #[test]
    fn fargate_windows_bills_five_minutes_and_the_licence() {
        // Windows, 1 vCPU / 2 GB, runs 3 minutes → billed the 5-minute minimum, 300 s:
        // vCPU 300 × 1 × (0.0000254167 + 0.0000127778 licence) = 300 × 0.0000381945 = 0.01145835;
        // memory 300 × 2 × 0.0000027778 = 0.00166668; total 0.01312503.
        let kind = FargateKind {
            os: FargateOs::Windows,
            ..FargateKind::linux(CpuArchitecture::X86_64, false)
        };
        let b = one_task_of(Resources::new(1024, 2048), kind, 180_000);
        assert_usd!(b.fargate_usd, 0.01312503);
        // 300 s × 1 vCPU = 1/12 vCPU-hour billed.
        assert_usd!(b.fargate_vcpu_hours, 300.0 / 3600.0);
        // The same Linux task is billed its 180 s: 180 × 0.000013714 = 0.00246852.
        let linux = one_task_of(
            Resources::new(1024, 2048),
            FargateKind::linux(CpuArchitecture::X86_64, false),
            180_000,
        );
        assert_usd!(linux.fargate_usd, 0.00246852);
    }

    #[test]
    fn fargate_bills_the_rounded_size() {
        // A task needing 300 CPU / 700 MiB runs as 512 / 1024 (0.5 vCPU / 1 GB).
        let size = round_up(Resources::new(300, 700)).expect("fits Fargate");
        assert_eq!(size, Resources::new(512, 1024));
        // 120 s × (0.5 × 0.000011244 + 1 × 0.000001235) = 120 × 0.000006857 = 0.00082284.
        let b = one_fargate_task(size, CpuArchitecture::X86_64, false, 120_000);
        assert_usd!(b.fargate_usd, 0.00082284);
    }

    #[test]
    fn attribution_splits_cpu_and_memory_evenly() {
        let c = Catalog::embedded_us_east_1();
        let (ty, price, _) = m5_large(&c);
        // An m5.large registered as 2048 CPU / 8000 MiB (8000 rather than the default 7577,
        // so a quarter of the memory is a whole 2000 MiB).
        let reg = Resources::new(2048, 8000);
        let mut b = Billing::new(c.fargate);
        b.instance_started(InstanceId(0), SimTime(0), ty, price, Some(ASG_CP), reg);
        // Half the CPU (1024 of 2048) and a quarter of the memory (2000 of 8000), all hour.
        let need = Resources::new(1024, 2000);
        b.ec2_task_reserved(TaskId(0, 0), InstanceId(0), SVC, need, SimTime(0));
        b.ec2_task_released(TaskId(0, 0), secs(3600));
        b.instance_stopped(InstanceId(0), secs(3600));
        b.finish(secs(3600));
        let r = b.breakdown();
        // Owner: 0.096 × 1 h × (½ × 1024/2048 + ½ × 2000/8000) = 0.096 × 0.375 = 0.036.
        assert_usd!(r.by_owner_usd[&SVC], 0.036);
        // Idle: 0.096 × 0.625 = 0.06.
        assert_usd!(r.idle_usd, 0.06);
        assert_usd!(r.ec2_usd, 0.096);
    }

    #[test]
    fn minimum_extra_goes_to_idle_and_release_stops_at_instance_stop() {
        let c = Catalog::embedded_us_east_1();
        let (ty, price, _) = m5_large(&c);
        let reg = Resources::new(2048, 8192);
        let mut b = Billing::new(c.fargate);
        b.instance_started(InstanceId(3), secs(10), ty, price, None, reg);
        // The task takes the whole instance for its whole 20 s life, and is released only at
        // finish, after the instance stopped: attribution ends at the instance's stop.
        b.ec2_task_reserved(TaskId(7, 7), InstanceId(3), BATCH, reg, secs(10));
        b.instance_stopped(InstanceId(3), secs(30));
        b.finish(secs(100));
        let r = b.breakdown();
        // Billed 60 s: 60 × 0.096 / 3600 = 0.0016. Owner: 20 s × 1 = 20 × 0.096 / 3600
        // = 0.000533…; idle: the 40 s of minimum = 0.001066…
        assert_usd!(r.ec2_usd, 0.0016);
        assert_usd!(r.ec2_without_capacity_provider_usd, 0.0016);
        assert_usd!(r.by_owner_usd[&BATCH], 20.0 * 0.096 / 3600.0);
        assert_usd!(r.idle_usd, 40.0 * 0.096 / 3600.0);
    }

    #[test]
    fn finish_closes_open_meters_with_minimum() {
        let c = Catalog::embedded_us_east_1();
        let (ty, price, reg) = m5_large(&c);
        let mut b = Billing::new(c.fargate);
        b.instance_started(InstanceId(0), secs(0), ty, price, Some(ASG_CP), reg);
        b.fargate_task_started(
            TaskId(5, 5),
            SVC,
            FARGATE_CP,
            Resources::new(256, 512),
            FargateKind::linux(CpuArchitecture::X86_64, false),
            secs(5),
        );
        // Open meters up to 15 s, without the minimum: EC2 15 s × 0.096 / 3600 = 0.0004;
        // Fargate 10 s × 0.0000034285 = 0.000034285.
        let snap = b.cost_so_far(secs(15));
        assert_usd!(snap.ec2_usd, 0.0004);
        assert_usd!(snap.fargate_usd, 0.000034285);
        b.finish(secs(15));
        // At finish both minimums apply: EC2 60 s = 0.0016; Fargate 60 s = 0.00020571.
        let r = b.breakdown();
        assert_usd!(r.ec2_usd, 0.0016);
        assert_usd!(r.fargate_usd, 0.00020571);
        assert_eq!(b.cost_so_far(secs(15)).total_usd, r.total_usd);
        assert_eq!(b.cost_so_far(secs(99)).total_usd, r.total_usd);
    }

    #[test]
    fn many_short_fargate_tasks_sum_exactly() {
        let mut b = Billing::new(FargatePricing::us_east_1());
        // 10 000 one-second tasks of 0.25 vCPU / 0.5 GB, one after another over 10 000 s.
        for i in 0..10_000u32 {
            let t = TaskId(i, i);
            let start = SimTime(u64::from(i) * 1000);
            b.fargate_task_started(
                t,
                BATCH,
                FARGATE_CP,
                Resources::new(256, 512),
                FargateKind::linux(CpuArchitecture::X86_64, false),
                start,
            );
            b.fargate_task_stopped(t, start + SimDuration::from_secs(1));
        }
        b.finish(secs(10_000));
        let r = b.breakdown();
        // Each is billed the 60 s minimum: 10 000 × 60 × 0.0000034285 = 2.0571 USD.
        assert_usd!(r.fargate_usd, 2.0571);
        // The same figure from the closed-form integer totals, through the same single
        // conversion, is bit-identical: 10 000 × 60 000 ms × 256 units and × 512 MiB.
        let q = FargateQuantity {
            cpu_ms: 10_000 * 60_000 * 256,
            mib_ms: 10_000 * 60_000 * 512,
            storage_gib_ms: 0,
        };
        assert_eq!(
            r.fargate_usd,
            fargate_usd(FargatePricing::us_east_1().x86, 0.0, q)
        );
    }

    #[test]
    fn month_of_meters_equals_closed_form() {
        let c = Catalog::embedded_us_east_1();
        let (ty, price, reg) = m5_large(&c);
        let mut b = Billing::new(c.fargate);
        let month_ms: u64 = 30 * 24 * 3600 * 1000;
        let mut expected_ec2_ms: u128 = 0;
        let mut expected_fargate_cpu_ms: u128 = 0;
        let mut expected_fargate_mib_ms: u128 = 0;
        let mut naive_usd = 0.0f64;
        let (mut now, mut i) = (0u64, 0u32);
        // Back-to-back meters of irregular length (7 ms to 250 s) for 30 days: an instance
        // and a Fargate 0.5 vCPU / 1 GB task over each interval.
        while now < month_ms {
            let run = 7 + (u64::from(i) * 7_919) % 250_000;
            let end = (now + run).min(month_ms);
            let id = InstanceId(i);
            b.instance_started(id, SimTime(now), ty, price, Some(ASG_CP), reg);
            b.fargate_task_started(
                TaskId(i, i),
                SVC,
                FARGATE_CP,
                Resources::new(512, 1024),
                FargateKind::linux(CpuArchitecture::X86_64, false),
                SimTime(now),
            );
            b.instance_stopped(id, SimTime(end));
            b.fargate_task_stopped(TaskId(i, i), SimTime(end));
            // Both bill whole seconds rounded up, at least 60 s.
            let billed = ((end - now).div_ceil(1000) * 1000).max(60_000);
            expected_ec2_ms += u128::from(billed);
            expected_fargate_cpu_ms += 512 * u128::from(billed);
            expected_fargate_mib_ms += 1024 * u128::from(billed);
            naive_usd += billed as f64 / 1000.0 * (0.5 * 0.000011244 + 0.000001235);
            now = end;
            i += 1;
        }
        b.finish(SimTime(month_ms));
        let r = b.breakdown();
        assert!(i > 20_000, "{i} meters");
        assert_eq!(r.ec2_usd, ec2_usd(price, expected_ec2_ms));
        let q = FargateQuantity {
            cpu_ms: expected_fargate_cpu_ms,
            mib_ms: expected_fargate_mib_ms,
            storage_gib_ms: 0,
        };
        assert_eq!(r.fargate_usd, fargate_usd(c.fargate.x86, 0.0, q));
        assert_eq!(r.total_usd, r.ec2_usd + r.fargate_usd);
        // Adding each meter's dollars as a float lands close, but not necessarily on the
        // same bits; the integer ledger is the reference.
        assert!((naive_usd - r.fargate_usd).abs() < 1e-9);
    }

    #[test]
    #[allow(clippy::float_cmp)]
    fn breakdown_parts_add_up() {
        let c = Catalog::embedded_us_east_1();
        let (ty, price, reg) = m5_large(&c);
        let mut b = Billing::new(c.fargate);
        b.instance_started(InstanceId(0), secs(0), ty, price, Some(ASG_CP), reg);
        b.ec2_task_reserved(
            TaskId(0, 0),
            InstanceId(0),
            SVC,
            Resources::new(512, 1000),
            secs(1),
        );
        b.ec2_task_reserved(
            TaskId(1, 1),
            InstanceId(0),
            BATCH,
            Resources::new(1024, 3000),
            secs(2),
        );
        b.fargate_task_started(
            TaskId(2, 2),
            SVC,
            FARGATE_CP,
            Resources::new(2048, 4096),
            FargateKind::linux(CpuArchitecture::Arm64, false),
            secs(3),
        );
        b.ec2_task_released(TaskId(0, 0), secs(500));
        b.finish(secs(1000));
        let r = b.breakdown();
        let owners: f64 = r.by_owner_usd.values().sum();
        assert_usd!(owners + r.idle_usd, r.total_usd);
        let providers: f64 = r.by_capacity_provider_usd.values().sum();
        assert_usd!(providers + r.ec2_without_capacity_provider_usd, r.total_usd);
        let types: f64 = r.by_instance_type_usd.values().sum();
        assert_usd!(types, r.ec2_usd);
        assert_eq!(r.fargate_task_count, 1);
    }

    #[test]
    fn cost_by_provider_so_far_matches_the_breakdown_at_the_end() {
        // Whole seconds and runs past the 60 s minimum, so the snapshot (no minimum) and the
        // breakdown (minimum and rounding) agree exactly.
        let c = Catalog::embedded_us_east_1();
        let (ty, price, reg) = m5_large(&c);
        let mut b = Billing::new(c.fargate);
        b.instance_started(InstanceId(0), secs(0), ty, price, Some(ASG_CP), reg);
        b.ec2_task_reserved(
            TaskId(0, 0),
            InstanceId(0),
            SVC,
            Resources::new(512, 1000),
            secs(10),
        );
        b.ec2_task_reserved(
            TaskId(1, 1),
            InstanceId(0),
            BATCH,
            Resources::new(1024, 3000),
            secs(20),
        );
        b.fargate_task_started(
            TaskId(2, 2),
            SVC,
            FARGATE_CP,
            Resources::new(2048, 4096),
            FargateKind::linux(CpuArchitecture::X86_64, false),
            secs(30),
        );
        // Mid-run: one reservation closed, one open; idle is the instance time they leave.
        b.ec2_task_released(TaskId(0, 0), secs(500));
        let at_600 = b.cost_so_far_by_provider(secs(600));
        let (mid_idle, mid) = (at_600.idle_total_usd(), at_600.cost_usd);
        let hour_usd = price / 3600.0;
        let reg_cpu = f64::from(reg.cpu.0);
        let reg_mem = f64::from(reg.memory.0);
        let share = |cpu: f64, mem: f64, s: f64| (0.5 * cpu / reg_cpu + 0.5 * mem / reg_mem) * s;
        let reserved_s = share(512.0, 1000.0, 490.0) + share(1024.0, 3000.0, 580.0);
        assert_usd!(mid_idle, (600.0 - reserved_s) * hour_usd);
        assert_usd!(mid[&Some(ASG_CP)], 600.0 * hour_usd);
        b.finish(secs(1000));
        let at_end = b.cost_so_far_by_provider(secs(1000));
        let (idle, by) = (at_end.idle_total_usd(), at_end.cost_usd);
        let r = b.breakdown();
        assert_usd!(idle, r.idle_usd);
        for (cp, usd) in &r.by_capacity_provider_usd {
            assert_usd!(by[&Some(*cp)], *usd);
        }
        assert_eq!(by.len(), r.by_capacity_provider_usd.len());
    }

    #[test]
    fn idle_per_provider_follows_each_groups_reservations() {
        // Three groups with their own reservations: A (On-Demand, half an instance reserved
        // from 100 s), B (Spot at 0.3, all the CPU and no memory from 200 s to 600 s, still
        // open at the mid-run look at 500 s) and an
        // ASG with no provider (nothing reserved). Each one's idle is its own instance time
        // minus its own reserved share; nothing leaks from one group to another.
        const B_CP: CapacityProviderId = CapacityProviderId(3);
        let c = Catalog::embedded_us_east_1();
        let (ty, price, reg) = m5_large(&c);
        let spot_price = ec2_usd_per_hour(price, Some(0.3));
        let mut b = Billing::new(c.fargate);
        b.instance_started(InstanceId(0), secs(0), ty, price, Some(ASG_CP), reg);
        b.instance_started(InstanceId(1), secs(0), ty, spot_price, Some(B_CP), reg);
        b.instance_started(InstanceId(2), secs(0), ty, price, None, reg);
        let half = Resources::new(reg.cpu.0 / 2, reg.memory.0 / 2);
        b.ec2_task_reserved(TaskId(0, 0), InstanceId(0), SVC, half, secs(100));
        let all_cpu = Resources::new(reg.cpu.0, 0);
        b.ec2_task_reserved(TaskId(1, 1), InstanceId(1), BATCH, all_cpu, secs(200));

        // The instance-seconds a reservation of `need` for `s` seconds accounts for.
        let share = |need: Resources, s: f64| {
            (0.5 * f64::from(need.cpu.0) / f64::from(reg.cpu.0)
                + 0.5 * f64::from(need.memory.0) / f64::from(reg.memory.0))
                * s
        };
        let usd = |per_hour: f64, s: f64| s * per_hour / 3600.0;

        let mid = b.cost_so_far_by_provider(secs(500));
        assert_usd!(
            mid.idle_usd[&Some(ASG_CP)],
            usd(price, 500.0 - share(half, 400.0))
        );
        assert_usd!(
            mid.idle_usd[&Some(B_CP)],
            usd(spot_price, 500.0 - share(all_cpu, 300.0))
        );
        assert_usd!(mid.idle_usd[&None], usd(price, 500.0));
        assert_eq!(mid.idle_usd.len(), 3);
        assert_usd!(
            mid.idle_total_usd(),
            mid.idle_usd.values().copied().sum::<f64>()
        );
        b.ec2_task_released(TaskId(1, 1), secs(600));

        b.finish(secs(1000));
        let end = b.cost_so_far_by_provider(secs(1000));
        let expected = [
            (Some(ASG_CP), usd(price, 1000.0 - share(half, 900.0))),
            (Some(B_CP), usd(spot_price, 1000.0 - share(all_cpu, 400.0))),
            (None, usd(price, 1000.0)),
        ];
        let r = b.breakdown();
        for (cp, want) in expected {
            assert_usd!(end.idle_usd[&cp], want);
            assert_usd!(r.idle_by_capacity_provider_usd[&cp], want);
        }
        assert_eq!(r.idle_by_capacity_provider_usd.len(), 3);
        let sum: f64 = r.idle_by_capacity_provider_usd.values().sum();
        assert_usd!(sum, r.idle_usd);
    }

    /// One step of a random billing history.
    #[derive(Clone, Debug)]
    enum Op {
        StartInstance,
        StopInstance(usize),
        Reserve(usize, u32, u32),
        Release(usize),
        StartFargate(u32, bool, bool),
        StopFargate(usize),
    }

    fn op() -> impl Strategy<Value = (u64, Op)> {
        let kind = prop_oneof![
            Just(Op::StartInstance),
            any::<usize>().prop_map(Op::StopInstance),
            (any::<usize>(), 0u32..2048, 0u32..7577).prop_map(|(i, c, m)| Op::Reserve(i, c, m)),
            any::<usize>().prop_map(Op::Release),
            (0u32..40_000, any::<bool>(), any::<bool>())
                .prop_map(|(s, a, sp)| Op::StartFargate(s, a, sp)),
            any::<usize>().prop_map(Op::StopFargate),
        ];
        (0u64..120_000, kind)
    }

    proptest! {
        /// The dense per-(owner, class) sums hold what the `BTreeMap` they replace held,
        /// zero entries included, and read back in the map's order whatever the order the
        /// pairs were first touched in (issue 13).
        #[test]
        fn owner_class_sums_match_a_map(
            adds in prop::collection::vec((any::<bool>(), 0u16..5, 0u32..4, 0u128..1_000, 0u128..1_000), 0..80),
        ) {
            let mut sums = OwnerClassSums::default();
            let mut reference: BTreeMap<(Owner, u32), (u128, u128)> = BTreeMap::new();
            for (service, id, class, cpu, mib) in adds {
                let owner = if service {
                    Owner::Service(ServiceId(id))
                } else {
                    Owner::Workload(WorkloadId(id))
                };
                let e = sums.entry(owner, class);
                e.0 += cpu;
                e.1 += mib;
                let r = reference.entry((owner, class)).or_default();
                r.0 += cpu;
                r.1 += mib;
            }
            let got: Vec<_> = sums.to_map().into_iter().collect();
            let want: Vec<_> = reference.into_iter().collect();
            prop_assert_eq!(got, want);
        }

        #[test]
        fn cost_so_far_never_decreases(ops in prop::collection::vec(op(), 1..120), tail in 0u64..200_000) {
            let c = Catalog::embedded_us_east_1();
            let (ty, price, reg) = m5_large(&c);
            let mut b = Billing::new(c.fargate);
            let (mut now, mut last) = (SimTime(0), 0.0f64);
            let (mut running, mut reserved, mut fargate) = (Vec::new(), Vec::new(), Vec::new());
            let mut free: Vec<Resources> = Vec::new();
            let (mut next_instance, mut next_task) = (0u32, 0u32);
            for (dt, op) in ops {
                now += SimDuration::from_millis(dt);
                let before = b.cost_so_far(now).total_usd;
                prop_assert!(before >= last, "{before} < {last} before {op:?}");
                match op {
                    Op::StartInstance => {
                        let spot = if next_instance % 2 == 0 { None } else { Some(0.3) };
                        b.instance_started(InstanceId(next_instance), now, ty,
                            ec2_usd_per_hour(price, spot), Some(ASG_CP), reg);
                        running.push(InstanceId(next_instance));
                        free.push(reg);
                        next_instance += 1;
                    }
                    Op::StopInstance(i) if !running.is_empty() => {
                        let id = running.swap_remove(i % running.len());
                        b.instance_stopped(id, now);
                    }
                    Op::Reserve(i, cpu, mem) if !running.is_empty() => {
                        // Placement never over-reserves an instance; neither does this test.
                        let inst: InstanceId = running[i % running.len()];
                        let need = Resources::new(cpu, mem);
                        if free[inst.index()].fits(need) {
                            free[inst.index()] = free[inst.index()] - need;
                            let owner = if cpu % 2 == 0 { SVC } else { BATCH };
                            b.ec2_task_reserved(TaskId(next_task, next_task), inst, owner, need, now);
                            reserved.push((TaskId(next_task, next_task), inst, need));
                            next_task += 1;
                        }
                    }
                    Op::Release(i) if !reserved.is_empty() => {
                        let (t, inst, need) = reserved.swap_remove(i % reserved.len());
                        free[inst.index()] = free[inst.index()] + need;
                        b.ec2_task_released(t, now);
                    }
                    Op::StartFargate(need, arm, spot) => {
                        let size = round_up(Resources::new(need % 8192, need))
                            .expect("at most 8 vCPU / 40 000 MiB fits Fargate");
                        let arch = if arm { CpuArchitecture::Arm64 } else { CpuArchitecture::X86_64 };
                        let cp = if spot { FARGATE_SPOT_CP } else { FARGATE_CP };
                        b.fargate_task_started(TaskId(next_task, next_task), SVC, cp, size, FargateKind::linux(arch, spot), now);
                        fargate.push(TaskId(next_task, next_task));
                        next_task += 1;
                    }
                    Op::StopFargate(i) if !fargate.is_empty() => {
                        let t = fargate.swap_remove(i % fargate.len());
                        b.fargate_task_stopped(t, now);
                    }
                    _ => {}
                }
                let after = b.cost_so_far(now).total_usd;
                prop_assert!(after >= before, "{after} < {before} after {op:?}");
                last = after;
            }
            let end = now + SimDuration::from_millis(tail);
            let at_end = b.cost_so_far(end).total_usd;
            prop_assert!(at_end >= last);
            b.finish(end);
            let r = b.breakdown();
            prop_assert!(r.total_usd >= at_end);
            prop_assert_eq!(b.cost_so_far(end).total_usd, r.total_usd);
            prop_assert!(r.idle_usd >= 0.0);
            let idle_parts: f64 = r.idle_by_capacity_provider_usd.values().sum();
            prop_assert!(close(idle_parts, r.idle_usd), "{idle_parts} vs {}", r.idle_usd);
            let owners: f64 = r.by_owner_usd.values().sum();
            prop_assert!(close(owners + r.idle_usd, r.total_usd), "{owners} + {} vs {}", r.idle_usd, r.total_usd);
        }
    }
}
