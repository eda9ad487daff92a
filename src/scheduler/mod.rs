//! The ECS schedulers' decisions about where tasks run.
//!
//! Owns placement of tasks on EC2 container instances (`placement`).
//! Also the capacity provider strategy rule (`capacity_provider_strategy`), the AZ
//! rebalancing rules (`az_rebalancing`) and the task lifecycle types (`task`). It does not own instance state (`cluster`); the service
//! scheduler's desired-count loop runs in `simulation`.

pub mod az_rebalancing;
pub mod capacity_provider_strategy;
pub mod deployment;
pub mod placement;
pub mod task;
