//! A task and its lifecycle.
//!
//! [DOC] ecs-reference §3.1: PROVISIONING → PENDING → ACTIVATING → RUNNING → DEACTIVATING →
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
    /// `TaskFailedToStart`: no valid Fargate size covers the requested CPU and memory.
    NoFargateSize,
    /// `TaskFailedToStart`: larger than any instance the pool can ever offer.
    NeverFits,
}

impl StopCode {
    /// True when the task did its work.
    pub fn completed(self) -> bool {
        self == StopCode::EssentialContainerExited
    }

    /// True when the task never got capacity.
    pub fn never_placed(self) -> bool {
        !self.completed()
    }

    /// ECS-style `stoppedReason`.
    pub fn reason(self) -> &'static str {
        match self {
            StopCode::EssentialContainerExited => "Essential container in task exited",
            StopCode::ProvisioningTimeout => {
                "Timeout waiting for capacity: the task stayed in PROVISIONING past the limit"
            }
            StopCode::NoFargateSize => "No Fargate task size covers the requested CPU and memory",
            StopCode::NeverFits => "No instance type in the capacity can hold the task",
        }
    }
}

/// Where a task's capacity comes from.
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
}
