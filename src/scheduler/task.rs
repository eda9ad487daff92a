//! A task and its lifecycle.
//!
//! \[DOC\] ecs-reference §3.1: PROVISIONING → PENDING → ACTIVATING → RUNNING → DEACTIVATING →
//! STOPPING → DEPROVISIONING → STOPPED. ecsim keeps the states capacity depends on and folds
//! ACTIVATING into PENDING and DEACTIVATING/DEPROVISIONING into STOPPING.
//! `Queued` is ecsim's own: a batch submission waiting in the submitter (RunTask retried), not
//! yet known to ECS.

use crate::engine::{SimDuration, SimTime};
use crate::ids::{AzId, CapacityProviderId, InstanceId, Owner, TaskId};
use crate::units::Resources;

/// `lastStatus`, plus `Queued`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TaskStatus {
    /// Waiting in the batch submitter; not an ECS task yet.
    Queued,
    /// Waiting for capacity (capacity providers) or for its ENI (Fargate).
    Provisioning,
    /// Placed; image pull and container start.
    Pending,
    /// Running.
    Running,
    /// Stopping: SIGTERM, exit, deprovisioning.
    Stopping,
    /// Stopped: a final state.
    Stopped,
}

impl TaskStatus {
    /// The ECS word.
    pub fn ecs_name(self) -> &'static str {
        match self {
            TaskStatus::Queued => "QUEUED",
            TaskStatus::Provisioning => "PROVISIONING",
            TaskStatus::Pending => "PENDING",
            TaskStatus::Running => "RUNNING",
            TaskStatus::Stopping => "STOPPING",
            TaskStatus::Stopped => "STOPPED",
        }
    }
}

/// Why a task stopped (`stopCode` and reason, in ECS's words where it has them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum StopCode {
    /// `EssentialContainerExited`: a batch task finished its work.
    EssentialContainerExited,
    /// `TaskFailedToStart`: waited in PROVISIONING past the timeout.
    ProvisioningTimeout,
    /// `TaskFailedToStart`: no Fargate size covers the request.
    NoFargateSize,
    /// `TaskFailedToStart`: larger than every instance type the capacity can launch.
    NeverFits,
    /// `ServiceSchedulerInitiated`: the service's desired count went down.
    ServiceScaleIn,
    /// `ServiceSchedulerInitiated`: its instance is DRAINING and a replacement is running.
    InstanceDraining,
    /// The host EC2 instance was terminated under the task.
    InstanceTerminated,
    /// The host EC2 instance failed (status checks) and was replaced.
    InstanceFailed,
    /// The external instance (ECS Anywhere) the task ran on failed; nothing replaces it.
    ExternalInstanceFailed,
    /// The task's Availability Zone went down.
    AzOutage,
    /// A Spot interruption: the EC2 Spot host was reclaimed, or the Fargate Spot task was.
    SpotInterruption,
    /// The task crashed while RUNNING (its essential container exited with an error).
    TaskFailed,
    /// The task failed before reaching RUNNING (image pull, bad configuration).
    CannotStart,
    /// No Availability Zone could take a Fargate task (all of the cluster's are down).
    AzUnavailable,
    /// `ServiceSchedulerInitiated`: AZ rebalancing stopped it once its replacement in a
    /// zone with fewer tasks was healthy.
    AzRebalancing,
}

/// What a stop means for the counts in the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopKind {
    /// The task did its work (a batch task ran to its end).
    Completed,
    /// The service scheduler stopped a healthy task (scale-in, draining).
    StoppedByScheduler,
    /// The task never got capacity.
    NeverPlaced,
    /// The task was killed by a loss of its capacity.
    Interrupted,
    /// The task failed by itself (crashed while RUNNING or failed to start).
    Crashed,
}

impl StopCode {
    /// What the stop means for the counts.
    pub fn kind(self) -> StopKind {
        match self {
            StopCode::EssentialContainerExited => StopKind::Completed,
            StopCode::ServiceScaleIn | StopCode::InstanceDraining | StopCode::AzRebalancing => {
                StopKind::StoppedByScheduler
            }
            StopCode::ProvisioningTimeout
            | StopCode::NoFargateSize
            | StopCode::NeverFits
            | StopCode::AzUnavailable => StopKind::NeverPlaced,
            StopCode::InstanceTerminated
            | StopCode::InstanceFailed
            | StopCode::ExternalInstanceFailed
            | StopCode::AzOutage
            | StopCode::SpotInterruption => StopKind::Interrupted,
            StopCode::TaskFailed | StopCode::CannotStart => StopKind::Crashed,
        }
    }

    /// The code of a task whose instance failed: an EC2 instance's, or an external one's
    /// (ECS Anywhere machines are not EC2 and fail no EC2 status check).
    pub fn instance_failure(external: bool) -> StopCode {
        if external {
            StopCode::ExternalInstanceFailed
        } else {
            StopCode::InstanceFailed
        }
    }

    /// ECS's `stopCode`.
    pub fn ecs_stop_code(self) -> &'static str {
        match self {
            StopCode::EssentialContainerExited => "EssentialContainerExited",
            StopCode::ProvisioningTimeout
            | StopCode::NoFargateSize
            | StopCode::NeverFits
            | StopCode::AzUnavailable
            | StopCode::CannotStart => "TaskFailedToStart",
            StopCode::ServiceScaleIn | StopCode::InstanceDraining | StopCode::AzRebalancing => {
                "ServiceSchedulerInitiated"
            }
            // An external machine that fails is gone like a terminated host; ECS has no
            // stop code of its own for it (`TaskStopCode` in the API Reference lists none).
            StopCode::InstanceTerminated
            | StopCode::InstanceFailed
            | StopCode::ExternalInstanceFailed
            | StopCode::AzOutage
            | StopCode::SpotInterruption => "TerminationNotice",
            StopCode::TaskFailed => "EssentialContainerExited",
        }
    }

    /// The stopped reason.
    pub fn reason(self) -> &'static str {
        match self {
            StopCode::EssentialContainerExited => "Essential container in task exited",
            StopCode::ProvisioningTimeout => {
                "Timeout waiting for capacity: the task stayed in PROVISIONING past the limit"
            }
            StopCode::NoFargateSize => "No Fargate task size covers the requested CPU and memory",
            StopCode::NeverFits => "No instance type in the capacity can hold the task",
            StopCode::ServiceScaleIn => "Scaling activity initiated by (deployment ecs-svc)",
            StopCode::InstanceDraining => {
                "Service scheduler stopped the task: its container instance is DRAINING"
            }
            StopCode::InstanceTerminated => "Host EC2 instance terminated",
            StopCode::InstanceFailed => {
                "Host EC2 instance failed its status checks and was terminated"
            }
            // ECS documents no stopped reason for an external instance that fails; its task
            // state change events say that when "the underlying container instance is stopped
            // or terminated", the tasks running on it "are transitioned to the STOPPED status"
            // (Amazon ECS Developer Guide, "Amazon ECS task state change events",
            // <https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_task_events.html>).
            // A plain account, then: not EC2, no status checks, no Auto Scaling group.
            StopCode::ExternalInstanceFailed => {
                "External instance (ECS Anywhere) failed: the task stopped with its machine"
            }
            StopCode::AzOutage => "The task's Availability Zone is unavailable",
            StopCode::SpotInterruption => "Your Spot Task was interrupted.",
            StopCode::TaskFailed => "Essential container in task exited (exit code 1)",
            StopCode::CannotStart => "CannotPullContainerError: the task failed to start",
            StopCode::AzUnavailable => "No Availability Zone of the cluster can take the task",
            StopCode::AzRebalancing => {
                "Service scheduler stopped the task to rebalance the service across Availability Zones"
            }
        }
    }
}

/// Which capacity a task asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// `launchType: EC2`: any instance of the cluster.
    Ec2Cluster,
    /// An ASG capacity provider: its instances only.
    Ec2Provider(CapacityProviderId),
    /// `launchType: EXTERNAL`: the cluster's external instances (ECS Anywhere) only.
    External,
    /// Fargate (on-demand or Spot); the provider id is FARGATE or FARGATE_SPOT.
    Fargate {
        /// `FARGATE` or `FARGATE_SPOT` (also for `launchType: FARGATE`).
        provider: CapacityProviderId,
        /// Fargate Spot.
        spot: bool,
    },
}

/// Where the task runs once placed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// Not placed yet.
    Unplaced,
    /// On a container instance.
    Instance(InstanceId),
    /// On Fargate in an AZ.
    Fargate(AzId),
}

/// One task.
#[derive(Clone, Debug)]
pub struct Task {
    /// Service or workload.
    pub owner: Owner,
    /// What it reserves on EC2 (and requests on Fargate before size rounding).
    pub need: Resources,
    /// Fargate size billed (rounded up to a valid size); zero on EC2.
    pub fargate_size: Resources,
    /// `lastStatus`.
    pub status: TaskStatus,
    /// Capacity it must use.
    pub target: Target,
    /// Where it runs.
    pub placement: Placement,
    /// Submitted (batch) or created by the service scheduler.
    pub submitted_at: SimTime,
    /// Reached RUNNING.
    pub started_at: Option<SimTime>,
    /// Batch run time from RUNNING to exit; `None` for service tasks (run until stopped).
    pub run_time: Option<SimDuration>,
    /// Why it stopped, once it is stopping or stopped.
    pub stop_code: Option<StopCode>,
    /// The placement pass that last tried this task (see `simulation::placement_pass`).
    pub last_pass: u32,
    /// A service task on a DRAINING instance, no longer counted toward the desired count:
    /// it keeps running until a replacement is RUNNING (ecs-reference §1.7).
    pub replaced: bool,
    /// Position in its service's list of live tasks (unused for batch tasks).
    pub service_slot: u32,
    /// This task is its owner's `seq`-th (from 0): with the owner, the key of the task's own
    /// random draws, stable when other owners' tasks come and go.
    pub seq: u32,
    /// The service's deployment generation it was started by (0 before any deployment; batch
    /// tasks 0): tasks of an older generation are the ones a deployment replaces.
    pub generation: u32,
    /// Counted RUNNING by its service's current deployment.
    pub deploy_running: bool,
    /// Past its health grace: counted healthy by its service's current deployment.
    pub healthy: bool,
}

/// The live tasks: a slab whose slots are reused once their task is STOPPED, so a run's
/// memory follows the tasks alive at once, not every task it ever created (issue 13).
///
/// The simulation reaches a task as `tasks[t.index()]` (the slot), as it did when this was a
/// `Vec` of every task. That is right for any id taken from live state (a service's task
/// list, an instance's tasks, a task being handled). An id kept past its task's end (in an
/// event, or in a queue with lazy removal) must be checked with [`TaskTable::is_current`]
/// first: once the slot is reused, it holds another task.
///
/// A task is released when it becomes STOPPED, but its slot is only reused after the event
/// being handled ([`TaskTable::recycle`]): within one handler a just-stopped task still reads
/// as STOPPED, whatever else the handler creates.
#[derive(Clone, Debug, Default)]
pub struct TaskTable {
    /// The tasks, each beside its number.
    slots: Vec<Slot>,
    /// Slots free for reuse, last freed first (most likely still in cache).
    free: Vec<u32>,
    /// Slots released during the current event, not yet reusable.
    released: Vec<u32>,
    /// Tasks created so far: the next task's number.
    created: u64,
}

/// One slot of [`TaskTable`]: the task and its number together.
///
/// Every task event first checks the id's number ([`TaskTable::is_current`]) and then reads
/// the task: with the numbers in a `Vec` of their own, that was two cache misses per event
/// once the live tasks outgrow the cache (issue 13: 200,000 live tasks at 50,000
/// instances). Beside the task, the check reads the line the handler reads next. 128 bytes
/// long (a layout test holds [`Task`] and its number within them) and aligned to 128, a slot is two whole lines, never three, and
/// the pair the adjacent-line prefetcher of x86 cores fetches together.
#[derive(Clone, Debug)]
#[repr(C, align(128))]
pub struct Slot {
    /// The number of the task in the slot (its last occupant once freed). First, so the
    /// check reads the line holding the task's first fields, not the slot's second line.
    number: u32,
    task: Task,
}

impl TaskTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Stores `task` as the next task created and returns its id. Numbers are 32 bits: past
    /// 2³² tasks they wrap, and [`TaskTable::created`] lets the run loop stop before any
    /// wrapped number is seen by another event.
    pub fn insert(&mut self, task: Task) -> TaskId {
        let number = self.created as u32;
        self.created += 1;
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slots[slot as usize] = Slot { number, task };
                slot
            }
            None => {
                let slot = u32::try_from(self.slots.len()).expect(
                    "fewer than 2³² tasks alive at once: the work cap stops a run far earlier",
                ); // ok: settings.maxWork bounds live tasks
                self.slots.push(Slot { number, task });
                slot
            }
        };
        TaskId::new(number, slot)
    }

    /// True when `t` still names the task in its slot: false once that task was STOPPED and
    /// its slot reused (then `t` is a task that is gone, and STOPPED).
    #[inline]
    pub fn is_current(&self, t: TaskId) -> bool {
        self.slots.get(t.index()).map(|s| s.number) == Some(t.0)
    }

    /// Starts loading task `t`'s slot (both lines) into the cache: a hint for an event that
    /// will read it soon (see `crate::engine::prefetch`).
    #[inline]
    pub fn prefetch(&self, t: TaskId) {
        if let Some(s) = self.slots.get(t.index()) {
            crate::engine::prefetch::prefetch_lines(s, 2);
        }
    }

    /// The task `t`, if it is current.
    #[inline]
    pub fn get(&self, t: TaskId) -> Option<&Task> {
        self.slots
            .get(t.index())
            .filter(|s| s.number == t.0)
            .map(|s| &s.task)
    }

    /// Task `t` became STOPPED: its slot may be reused after the current event.
    pub fn release(&mut self, t: TaskId) {
        debug_assert!(self.is_current(t));
        debug_assert_eq!(self.slots[t.index()].task.status, TaskStatus::Stopped);
        self.released.push(t.1);
    }

    /// Makes the slots released during the event just handled reusable.
    #[inline]
    pub fn recycle(&mut self) {
        // Usually none or one slot: a push, not `append`'s call to `memcpy` (about 1 % of an
        // M/M/c run, issue 13). Same order either way.
        match self.released[..] {
            [] => {}
            [slot] => {
                self.free.push(slot);
                self.released.clear();
            }
            _ => self.free.append(&mut self.released),
        }
    }

    /// Tasks alive now (not STOPPED).
    pub fn live(&self) -> usize {
        self.slots.len() - self.free.len() - self.released.len()
    }

    /// Tasks created so far, stopped ones included.
    pub fn created(&self) -> u64 {
        self.created
    }

    /// The live tasks with their ids, in slot order (not creation order: sort the ids where
    /// order matters).
    pub fn iter_live(&self) -> impl Iterator<Item = (TaskId, &Task)> + '_ {
        self.slots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.task.status != TaskStatus::Stopped)
            .map(|(slot, s)| (TaskId::new(s.number, slot as u32), &s.task))
    }
}

/// Every slot's task, live or STOPPED (a freed slot keeps its last, STOPPED, occupant): for
/// passes that filter by status.
impl<'a> IntoIterator for &'a TaskTable {
    type Item = &'a Task;
    type IntoIter = std::iter::Map<std::slice::Iter<'a, Slot>, fn(&Slot) -> &Task>;

    fn into_iter(self) -> Self::IntoIter {
        self.slots.iter().map(|s| &s.task)
    }
}

impl std::ops::Index<usize> for TaskTable {
    type Output = Task;

    #[inline]
    fn index(&self, slot: usize) -> &Task {
        &self.slots[slot].task
    }
}

impl std::ops::IndexMut<usize> for TaskTable {
    #[inline]
    fn index_mut(&mut self, slot: usize) -> &mut Task {
        &mut self.slots[slot].task
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{Owner, WorkloadId};

    /// A failed external machine is not an EC2 host: its tasks' reason says so, and the
    /// loss counts as an interruption like an EC2 instance failure.
    #[test]
    fn an_external_instance_failure_has_its_own_reason() {
        let ext = StopCode::instance_failure(true);
        assert_eq!(ext, StopCode::ExternalInstanceFailed);
        assert_eq!(StopCode::instance_failure(false), StopCode::InstanceFailed);
        assert!(!ext.reason().contains("EC2"), "{}", ext.reason());
        assert!(ext.reason().contains("ECS Anywhere"));
        assert_eq!(ext.kind(), StopKind::Interrupted);
        assert_eq!(ext.ecs_stop_code(), "TerminationNotice");
    }

    fn task(status: TaskStatus) -> Task {
        Task {
            owner: Owner::Workload(WorkloadId(0)),
            need: Resources::default(),
            fargate_size: Resources::default(),
            status,
            target: Target::Ec2Cluster,
            placement: Placement::Unplaced,
            submitted_at: SimTime::ZERO,
            started_at: None,
            run_time: None,
            stop_code: None,
            last_pass: 0,
            replaced: false,
            service_slot: 0,
            seq: 0,
            generation: 0,
            deploy_running: false,
            healthy: false,
        }
    }

    /// The slot is two whole cache lines (see [`Slot`]): a field added to [`Task`] that
    /// pushes it to three shows here, so the layout is chosen, not drifted into.
    #[test]
    fn a_slot_is_two_cache_lines() {
        assert_eq!(std::mem::size_of::<Slot>(), 128);
        assert_eq!(std::mem::align_of::<Slot>(), 128);
    }

    #[test]
    fn slots_are_reused_after_the_event_and_old_ids_go_stale() {
        let mut tasks = TaskTable::new();
        let a = tasks.insert(task(TaskStatus::Queued));
        let b = tasks.insert(task(TaskStatus::Queued));
        assert_eq!((a, b), (TaskId::new(0, 0), TaskId::new(1, 1)));
        tasks[a.index()].status = TaskStatus::Stopped;
        tasks.release(a);
        // Within the event, the slot is not reused: `a` still reads as STOPPED.
        let c = tasks.insert(task(TaskStatus::Queued));
        assert_eq!(c, TaskId::new(2, 2));
        assert!(tasks.is_current(a));
        assert_eq!(tasks.live(), 2);
        tasks.recycle();
        // After it, the next task takes `a`'s slot and `a` names a task that is gone.
        let d = tasks.insert(task(TaskStatus::Provisioning));
        assert_eq!(d, TaskId::new(3, 0));
        assert!(!tasks.is_current(a));
        assert!(tasks.get(a).is_none());
        assert_eq!(
            tasks.get(d).map(|t| t.status),
            Some(TaskStatus::Provisioning)
        );
        assert_eq!(tasks.created(), 4);
        assert_eq!(tasks.live(), 3);
        // Ids order by number, so "newest" is the largest whatever the slot.
        assert!(d > c && c > b);
        let live: Vec<TaskId> = tasks.iter_live().map(|(t, _)| t).collect();
        assert_eq!(live, [d, b, c]);
    }

    /// `recycle` frees one slot with a push and several with `append` (issue 13): either way
    /// the slots become free in release order, so the last released is reused first.
    #[test]
    fn slots_released_in_one_event_are_reused_last_released_first() {
        let mut tasks = TaskTable::new();
        let ids: Vec<TaskId> = (0..4)
            .map(|_| tasks.insert(task(TaskStatus::Queued)))
            .collect();
        let stop = |tasks: &mut TaskTable, t: TaskId| {
            tasks[t.index()].status = TaskStatus::Stopped;
            tasks.release(t);
        };
        // One event releases a single slot: it is the next one reused.
        stop(&mut tasks, ids[1]);
        tasks.recycle();
        let e = tasks.insert(task(TaskStatus::Queued));
        assert_eq!(e.index(), ids[1].index());
        // One event releases three: reused in the reverse of their release order.
        for &t in &[ids[0], ids[3], ids[2]] {
            stop(&mut tasks, t);
        }
        tasks.recycle();
        let reused: Vec<usize> = (0..3)
            .map(|_| tasks.insert(task(TaskStatus::Queued)).index())
            .collect();
        assert_eq!(reused, [ids[2].index(), ids[3].index(), ids[0].index()]);
        // Live: `e` and the three just inserted.
        assert_eq!(tasks.live(), 4);
    }
}
