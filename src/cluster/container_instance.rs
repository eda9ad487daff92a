//! A container instance: an EC2 instance registered to the cluster.

use crate::engine::SimTime;
use crate::ids::{AsgId, AzId, CapacityProviderId, InstanceId, InstanceTypeId, Owner};
use crate::units::{CpuArchitecture, OsFamily, Resources};

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

/// One EC2 instance and what ECS knows of it.
#[derive(Clone, Debug)]
pub struct ContainerInstance {
    /// Its id (index in the instance table).
    pub id: InstanceId,
    /// The Auto Scaling group that launched it.
    pub asg: AsgId,
    /// The capacity provider of that ASG, if the ASG is behind one.
    pub capacity_provider: Option<CapacityProviderId>,
    /// EC2 instance type.
    pub instance_type: InstanceTypeId,
    /// Availability Zone (`attribute:ecs.availability-zone`).
    pub az: AzId,
    /// CPU architecture (`attribute:ecs.cpu-architecture`).
    pub arch: CpuArchitecture,
    /// The AMI's operating system, as the agent registers it (`ecs.os-family`; `ecs.os-type`
    /// follows from it): its group's `osFamily`.
    pub os: OsFamily,
    /// True for a Spot instance.
    pub spot: bool,
    /// True for an external instance (ECS Anywhere, `ecs.capability.external`): only tasks of
    /// launch type EXTERNAL are placed on it, and EC2 tasks never are.
    pub external: bool,
    /// What the agent registered: vCPU × 1024 CPU units, memory below nominal, and the
    /// devices tasks may take (ENIs for `awsvpc` tasks, GPUs, Neuron devices).
    pub registered: Resources,
    /// Sum of what the tasks placed here (PENDING through STOPPING) reserve.
    pub reserved: Resources,
    /// Lifecycle status.
    pub status: InstanceStatus,
    /// Non-daemon tasks placed here (PENDING through STOPPING).
    pub task_count: u32,
    /// Tasks per group (service or workload) placed here, for `spread(instanceId)` and
    /// `distinctInstance`. Short: an instance holds few groups, so a `Vec` beats a map.
    pub group_counts: Vec<(Owner, u32)>,
    /// When EC2 launched it.
    pub launched_at: SimTime,
    /// When it registered with the cluster (became ACTIVE).
    pub registered_at: Option<SimTime>,
    /// When EC2 reported it `running` (billing starts); `None` while still `pending`.
    pub running_at: Option<SimTime>,
    /// This instance is its group's `seq`-th launch (from 0): with the group, the key of the
    /// instance's own random draws.
    pub seq: u32,
    /// When it was terminated.
    pub terminated_at: Option<SimTime>,
    /// Since when it has held no task but daemons (its registration, or its last task's
    /// release); `None` while a task is bound. Managed Instances' idle detection reads it.
    pub empty_since: Option<SimTime>,
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
            group_counts: Vec::new(),
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
