//! ecsim: a discrete-event simulator of Amazon ECS capacity.
#![warn(missing_docs)]

pub mod billing;
pub mod cloud;
pub mod cluster;
pub mod engine;
pub mod ids;
pub mod report;
pub mod scenario;
pub mod scheduler;
pub mod units;
pub mod workload;
