//! The cluster's EC2 capacity: container instances, Auto Scaling groups and Availability Zones.
//!
//! Owns the state of each instance (its lifecycle and what is reserved on it) and of each
//! ASG (its size and launch template).
//! It does not decide where tasks go (that is `scheduler::placement`) nor what anything costs
//! (`billing`).

pub mod auto_scaling_group;
pub mod container_instance;
pub mod termination;

pub use auto_scaling_group::AutoScalingGroup;
pub use container_instance::{ContainerInstance, InstanceStatus};
