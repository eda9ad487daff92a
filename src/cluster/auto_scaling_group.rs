//! An EC2 Auto Scaling group: the instances it launches and how many it wants.

use crate::ids::{AsgId, AzId, CapacityProviderId, InstanceId, InstanceTypeId};

/// Runtime state of one Auto Scaling group.
#[derive(Clone, Debug)]
pub struct AutoScalingGroup {
    /// Its id.
    pub id: AsgId,
    /// Its name in the scenario.
    pub name: String,
    /// The capacity provider in front of it, if any.
    pub capacity_provider: Option<CapacityProviderId>,
    /// Instance types it may launch, in the order given (the first is launched).
    pub instance_types: Vec<InstanceTypeId>,
    /// AZs it launches into; new instances go to the AZ with the fewest live instances
    /// (EC2 Auto Scaling's AZ rebalancing).
    pub azs: Vec<AzId>,
    /// `MinSize`.
    pub min_size: u32,
    /// `MaxSize`.
    pub max_size: u32,
    /// `DesiredCapacity`.
    pub desired_capacity: u32,
    /// Launch Spot instances.
    pub spot: bool,
    /// The hidden group of a Managed Instances provider: the provider picks each launch's
    /// type, and EC2 Auto Scaling's replacement and zone rebalancing do not apply.
    pub managed_instances: bool,
    /// Live instances (pending, active or draining), in launch order (so ascending ids).
    pub instances: Vec<InstanceId>,
    /// Live instances (as in `instances`) per AZ, indexed by `AzId`, kept by the simulation:
    /// a launch picks its zone from these in O(AZs), not by counting the group.
    pub live_by_az: Vec<u32>,
    /// Instances in service (pending or ACTIVE), kept by the simulation.
    pub in_service: u32,
    /// Instances DRAINING, kept by the simulation.
    pub draining: u32,
    /// In-service instances with at least one task, kept by the simulation.
    pub non_empty: u32,
    /// Instances launched to rebalance into a recovered AZ whose surplus counterpart
    /// elsewhere is not terminated yet.
    pub rebalance_pending: u32,
}
