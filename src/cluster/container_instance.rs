//! A container instance: an EC2 instance registered to the cluster.

use crate::engine::SimTime;
use crate::ids::{AsgId, AzId, CapacityProviderId, InstanceId, InstanceTypeId, Owner};
use crate::units::{CpuArchitecture, OsFamily, Resources};

use super::inline_list::{Filler, InlineList};

/// Where an instance is in its life.
///
/// EC2 states and ECS container-instance states folded into one line:
/// `Pending` (EC2 launched, agent not yet registered) → `Active` → `Draining` → `Terminated`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum InstanceStatus {
    /// Launched, booting; billed once EC2 reports it running, not yet usable by ECS.
    Pending,
    /// Registered with the cluster; tasks may be placed on it.
    Active,
    /// No new tasks are placed; service tasks are being moved off.
    Draining,
    /// Gone. Kept in the table so ids stay stable and reports can see its history.
    Terminated,
}

impl InstanceStatus {
    /// The ECS word for the status.
    pub fn ecs_name(self) -> &'static str {
        match self {
            InstanceStatus::Pending => "PENDING",
            InstanceStatus::Active => "ACTIVE",
            InstanceStatus::Draining => "DRAINING",
            InstanceStatus::Terminated => "INACTIVE",
        }
    }
}

/// Tasks of one group per instance kept inline before spilling to the heap.
///
/// \[DERIVED\] ecsim's choice: 12 groups fill the instance's second and third cache lines
/// (see [`ContainerInstance`]). The default `spread(instanceId)` puts every service's tasks
/// on the same lowest-id instances first, so an instance commonly holds one task of each of
/// many services: `benches/scale`'s ten services and one batch workload make 11.
pub const INLINE_GROUPS: usize = 12;

/// Tasks per group (service or workload) on one instance.
pub type GroupCounts = InlineList<(Owner, u32), INLINE_GROUPS>;

impl Filler for (Owner, u32) {
    const FILL: Self = (Owner::Service(crate::ids::ServiceId(u16::MAX)), 0);
}

/// One EC2 instance and what ECS knows of it.
///
/// Laid out for the per-event path (issue 13): at 50,000 instances and more the instance
/// table is far larger than the cache, so each instance a task is placed on or released
/// from costs a miss per cache line touched. The fields placement's filter
/// (`PlacementRequest::is_candidate`), the placement index and `reserve`/`release` read
/// come first and fill the first 64-byte line; the per-group counts follow inline, then
/// the timestamps, which only lifecycle events read. The instance is aligned to 128 bytes,
/// the pair of lines x86 cores' adjacent-line prefetcher fetches together, so the first
/// line and the first groups arrive as one.
#[derive(Clone, Debug)]
#[repr(C, align(128))]
pub struct ContainerInstance {
    // -- first line: what every placement, reservation and release reads --
    /// What the agent registered: vCPU × 1024 CPU units, memory below nominal, and the
    /// devices tasks may take (ENIs for `awsvpc` tasks, GPUs, Neuron devices).
    pub registered: Resources,
    /// Sum of what the tasks placed here (PENDING through STOPPING) reserve.
    pub reserved: Resources,
    /// Its id (index in the instance table).
    pub id: InstanceId,
    /// The capacity provider of that ASG, if the ASG is behind one.
    pub capacity_provider: Option<CapacityProviderId>,
    /// The Auto Scaling group that launched it.
    pub asg: AsgId,
    /// EC2 instance type.
    pub instance_type: InstanceTypeId,
    /// Availability Zone (`attribute:ecs.availability-zone`).
    pub az: AzId,
    /// CPU architecture (`attribute:ecs.cpu-architecture`).
    pub arch: CpuArchitecture,
    /// The AMI's operating system, as the agent registers it (`ecs.os-family`; `ecs.os-type`
    /// follows from it): its group's `osFamily`.
    pub os: OsFamily,
    /// Lifecycle status.
    pub status: InstanceStatus,
    /// True for an external instance (ECS Anywhere, `ecs.capability.external`): only tasks of
    /// launch type EXTERNAL are placed on it, and EC2 tasks never are.
    pub external: bool,
    /// True for a Spot instance.
    pub spot: bool,
    /// Non-daemon tasks placed here (PENDING through STOPPING).
    pub task_count: u32,
    // -- second and third lines: per-group counts, read and written per reservation --
    /// Tasks per group (service or workload) placed here, for `spread(instanceId)` and
    /// `distinctInstance`. Short: an instance holds few groups, so a list beats a map, and
    /// inline (up to [`INLINE_GROUPS`]) it costs no heap allocation and no second miss.
    pub group_counts: GroupCounts,
    /// Since when it has held no task but daemons (its registration, or its last task's
    /// release); `None` while a task is bound. Managed Instances' idle detection reads it.
    pub empty_since: Option<SimTime>,
    /// This instance is its group's `seq`-th launch (from 0): with the group, the key of the
    /// instance's own random draws.
    pub seq: u32,
    // -- fourth line: the lifecycle's timestamps --
    /// When EC2 launched it.
    pub launched_at: SimTime,
    /// When it registered with the cluster (became ACTIVE).
    pub registered_at: Option<SimTime>,
    /// When EC2 reported it `running` (billing starts); `None` while still `pending`.
    pub running_at: Option<SimTime>,
    /// When it was terminated.
    pub terminated_at: Option<SimTime>,
}

impl ContainerInstance {
    /// An instance EC2 has just launched: PENDING, nothing reserved, not behind a capacity
    /// provider, Linux and on-demand until the caller says otherwise.
    pub fn launched(
        id: InstanceId,
        asg: AsgId,
        instance_type: InstanceTypeId,
        az: AzId,
        arch: CpuArchitecture,
        registered: Resources,
        now: SimTime,
    ) -> ContainerInstance {
        ContainerInstance {
            id,
            asg,
            capacity_provider: None,
            instance_type,
            az,
            arch,
            os: OsFamily::Linux,
            spot: false,
            external: false,
            registered,
            reserved: Resources::default(),
            status: InstanceStatus::Pending,
            task_count: 0,
            group_counts: GroupCounts::new(),
            launched_at: now,
            registered_at: None,
            running_at: None,
            seq: 0,
            terminated_at: None,
            empty_since: None,
        }
    }

    /// The agent registered the instance: it becomes ACTIVE.
    pub fn mark_registered(&mut self, now: SimTime) {
        self.status = InstanceStatus::Active;
        self.registered_at = Some(now);
        self.empty_since = Some(now);
    }

    /// CPU, memory and devices not reserved by any task.
    #[inline]
    pub fn free(&self) -> Resources {
        self.registered - self.reserved
    }

    /// How many tasks of `group` are placed here.
    #[inline]
    pub fn group_count(&self, group: Owner) -> u32 {
        self.group_counts
            .iter()
            .find(|(g, _)| *g == group)
            .map_or(0, |(_, n)| *n)
    }

    /// Pending or ACTIVE: counts toward its Auto Scaling group's capacity.
    #[inline]
    pub fn in_service(&self) -> bool {
        matches!(
            self.status,
            InstanceStatus::Pending | InstanceStatus::Active
        )
    }

    /// True when ECS may place new tasks here.
    #[inline]
    pub fn accepts_tasks(&self) -> bool {
        self.status == InstanceStatus::Active
    }

    /// Records a task of `group` reserving `need` here.
    ///
    /// # Panics
    /// If the instance would be over-reserved: placement must have checked the fit.
    pub fn reserve(&mut self, need: Resources, group: Owner) {
        assert!(
            self.free().fits(need),
            "instance {:?} over-reserved: free {:?}, need {:?}",
            self.id,
            self.free(),
            need
        );
        self.reserved = self.reserved + need;
        self.task_count += 1;
        match self.group_counts.iter_mut().find(|(g, _)| *g == group) {
            Some((_, n)) => *n += 1,
            None => self.group_counts.push((group, 1)),
        }
    }

    /// Records that a task of `group` reserving `need` has left.
    ///
    /// # Panics
    /// If nothing of that size or group was reserved: the books are broken.
    pub fn release(&mut self, need: Resources, group: Owner) {
        assert!(
            self.reserved.fits(need),
            "instance {:?} releases more than it reserved",
            self.id
        );
        self.reserved = self.reserved - need;
        self.task_count -= 1;
        let pos = self
            .group_counts
            .iter()
            .position(|(g, _)| *g == group)
            .expect("released a task of a group not on this instance"); // ok: invariant
        self.group_counts[pos].1 -= 1;
        if self.group_counts[pos].1 == 0 {
            self.group_counts.swap_remove(pos);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{align_of, offset_of, size_of};

    /// The layout the per-event path was tuned for (see [`ContainerInstance`]): a field
    /// added in the wrong place, or grown, shows here rather than as a slower large run.
    #[test]
    fn the_hot_fields_share_the_first_line_and_the_groups_follow() {
        assert_eq!(align_of::<ContainerInstance>(), 128);
        assert_eq!(size_of::<ContainerInstance>(), 256);
        for end in [
            offset_of!(ContainerInstance, registered) + size_of::<Resources>(),
            offset_of!(ContainerInstance, reserved) + size_of::<Resources>(),
            offset_of!(ContainerInstance, status) + 1,
            offset_of!(ContainerInstance, az) + 1,
            offset_of!(ContainerInstance, capacity_provider) + 4,
            offset_of!(ContainerInstance, external) + 1,
        ] {
            assert!(
                end <= 64,
                "a hot field ends at byte {end}, past the first line"
            );
        }
        assert_eq!(offset_of!(ContainerInstance, group_counts), 64);
        assert!(offset_of!(ContainerInstance, empty_since) + size_of::<Option<SimTime>>() <= 192);
    }

    fn instance() -> ContainerInstance {
        let mut i = ContainerInstance::launched(
            InstanceId(0),
            AsgId(0),
            InstanceTypeId(0),
            AzId(0),
            CpuArchitecture::X86_64,
            Resources::new(1 << 20, 1 << 20),
            SimTime::ZERO,
        );
        i.mark_registered(SimTime::ZERO);
        i
    }

    /// More groups than fit inline: counts stay exact through the spill and back.
    #[test]
    fn group_counts_past_the_inline_capacity() {
        let mut i = instance();
        let need = Resources::new(1, 1);
        let groups = INLINE_GROUPS as u16 + 3;
        for round in 0..2 {
            for g in 0..groups {
                i.reserve(need, Owner::Service(crate::ids::ServiceId(g)));
            }
            for g in 0..groups {
                assert_eq!(
                    i.group_count(Owner::Service(crate::ids::ServiceId(g))),
                    round + 1
                );
            }
        }
        for g in 0..groups {
            i.release(need, Owner::Service(crate::ids::ServiceId(g)));
            i.release(need, Owner::Service(crate::ids::ServiceId(g)));
            assert_eq!(i.group_count(Owner::Service(crate::ids::ServiceId(g))), 0);
        }
        assert!(i.group_counts.is_empty());
        assert_eq!(i.task_count, 0);
        assert_eq!(i.reserved, Resources::default());
    }
}
