//! A task and its lifecycle.
//!
//! \[DOC\] ecs-reference §3.1: PROVISIONING → PENDING → ACTIVATING → RUNNING → DEACTIVATING →
//! STOPPING → DEPROVISIONING → STOPPED. ecsim keeps the states capacity depends on and folds
//! ACTIVATING into PENDING and DEACTIVATING/DEPROVISIONING into STOPPING.
//! `Queued` is ecsim's own: a batch submission waiting in the submitter (RunTask retried), not
//! yet known to ECS.

use crate::engine::{SimDuration, SimTime};
use crate::ids::{AzId, CapacityProviderId, InstanceId, Owner};
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
            StopCode::ServiceScaleIn | StopCode::InstanceDraining => StopKind::StoppedByScheduler,
            StopCode::ProvisioningTimeout
            | StopCode::NoFargateSize
            | StopCode::NeverFits
            | StopCode::AzUnavailable => StopKind::NeverPlaced,
            StopCode::InstanceTerminated
            | StopCode::InstanceFailed
            | StopCode::AzOutage
            | StopCode::SpotInterruption => StopKind::Interrupted,
            StopCode::TaskFailed | StopCode::CannotStart => StopKind::Crashed,
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
            StopCode::ServiceScaleIn | StopCode::InstanceDraining => "ServiceSchedulerInitiated",
            StopCode::InstanceTerminated
            | StopCode::InstanceFailed
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
            StopCode::AzOutage => "The task's Availability Zone is unavailable",
            StopCode::SpotInterruption => "Your Spot Task was interrupted.",
            StopCode::TaskFailed => "Essential container in task exited (exit code 1)",
            StopCode::CannotStart => "CannotPullContainerError: the task failed to start",
            StopCode::AzUnavailable => "No Availability Zone of the cluster can take the task",
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
