//! The ECS schedulers' decisions about where tasks run.
//!
//! Owns placement of tasks on EC2 container instances (`placement`).
//! It does not own instance state (`cluster`), nor the service scheduler's desired-count loop.

pub mod placement;
