//! Fault models: when instances fail, when Spot capacity is reclaimed, when tasks crash,
//! when an Availability Zone goes dark, and how the service scheduler backs off from tasks
//! that keep failing to start.
//!
//! Everything here is a pure sampler or rule; nothing schedules events. The simulation
//! draws a time from a model and schedules the fault itself.
//!
//! # The faults
//!
//! - **Instance failure** ([`lifetime::TimeToFailure`]): an EC2 container instance stops
//!   without notice (hardware or host failure, a kernel panic). Its tasks stop; the service
//!   scheduler replaces them elsewhere and the Auto Scaling group replaces the instance. The
//!   time from an instance's start to its failure is exponential (constant hazard, given an
//!   MTBF), Weibull (shape < 1 for infant mortality, > 1 for wear-out) or scheduled at fixed
//!   offsets from the start of the run (a scripted failure).
//! - **EC2 Spot interruption** ([`poisson::next_arrival`], a rate per instance-hour): EC2
//!   reclaims a Spot instance after a [`SPOT_INTERRUPTION_NOTICE`] (ecs-reference §5.6). The
//!   instance is set to DRAINING on the notice only if the agent runs with
//!   `ECS_ENABLE_SPOT_INSTANCE_DRAINING=true`
//!   ([`ECS_ENABLE_SPOT_INSTANCE_DRAINING_DEFAULT`] is `false`).
//! - **Fargate Spot interruption** (a rate per task-hour): Fargate reclaims a FARGATE_SPOT
//!   task after a [`FARGATE_SPOT_WARNING`]; the task gets SIGTERM with stop code
//!   `TerminationNotice`, then SIGKILL after its stop timeout (ecs-reference §2.2).
//! - **Task crash** (a rate per task-hour): a RUNNING task exits on its own (a bug, an
//!   out-of-memory kill). It reached RUNNING, so the service scheduler replaces it without
//!   throttling (ecs-reference §5.2).
//! - **AZ outage** ([`outage`]): every instance and task in one Availability Zone is lost for
//!   a window; scripted windows, or random ones at a rate per AZ per year.
//! - **Start-failure throttling** ([`throttle::ThrottleConfig`]): not a fault but the service
//!   scheduler's answer to one. Tasks that go PENDING → STOPPED without reaching RUNNING
//!   are retried after a wait that grows up to a cap; ECS never gives up (ecs-reference §5.2).
//!
//! # Independence rule
//!
//! Each fault model draws from its own RNG stream, obtained with
//! [`RngStreams::named`](crate::engine::RngStreams::named) and one of the `STREAM_*` names
//! below; the simulation keys the index by the instance or task the draw is about. Turning a
//! fault model on therefore changes neither the workload's draws nor another fault model's
//! draws for the same entity: the job arrivals are the same, and an instance that exists in
//! both runs gets the same time to failure.
//!
//! The simulation keys every latency draw the same way (an instance by its group and launch
//! number, a task by its owner and task number), so one model's replacement launches shift
//! neither another entity's latencies nor its fault draws
//! (`tests/it/faults.rs::with_random_latencies_…` checks it). Entities still interact
//! through the model itself, e.g. two services sharing instances.
//!
//! # Units and rounding
//!
//! Samplers work in `f64` milliseconds and round once to whole milliseconds, so event times
//! stay integers. Uniform draws are taken as `1 − rng.gen::<f64>()`, which lies in (0, 1],
//! so the logarithm in every inverse CDF is finite. Any sample longer than [`SAMPLE_CAP`]
//! saturates at it instead of overflowing.

pub mod fargate_spot;
pub mod lifetime;
pub mod outage;
pub mod poisson;
pub mod throttle;

pub use lifetime::TimeToFailure;
pub use outage::{AzOutageWindow, RandomAzOutages};
pub use throttle::{
    ThrottleConfig, DEFAULT_STOP_TIMEOUT, ECS_ENABLE_SPOT_INSTANCE_DRAINING_DEFAULT,
    FARGATE_SPOT_WARNING, MAX_FARGATE_STOP_TIMEOUT, SPOT_INTERRUPTION_NOTICE,
};

use rand::Rng;

use crate::engine::{SimDuration, SimRng};

/// RNG stream of instance failures ([`TimeToFailure`]).
pub const STREAM_INSTANCE_FAILURE: &str = "faults.instance-failure";
/// RNG stream of EC2 Spot interruptions (per instance-hour).
pub const STREAM_EC2_SPOT_INTERRUPTION: &str = "faults.ec2-spot-interruption";
/// RNG stream of Fargate Spot interruptions (per task-hour).
pub const STREAM_FARGATE_SPOT_INTERRUPTION: &str = "faults.fargate-spot-interruption";
/// RNG stream of task crashes (per task-hour).
pub const STREAM_TASK_CRASH: &str = "faults.task-crash";
/// RNG stream of random AZ outages (onsets and durations).
pub const STREAM_AZ_OUTAGE: &str = "faults.az-outage";

/// RNG stream of random Fargate Spot capacity shortages (onsets and durations).
pub const STREAM_FARGATE_SPOT_SHORTAGE: &str = "faults.fargate-spot-shortage";

/// Every fault stream name, for tests and for the report's assumptions.
pub const ALL_STREAMS: [&str; 6] = [
    STREAM_INSTANCE_FAILURE,
    STREAM_EC2_SPOT_INTERRUPTION,
    STREAM_FARGATE_SPOT_INTERRUPTION,
    STREAM_TASK_CRASH,
    STREAM_AZ_OUTAGE,
    STREAM_FARGATE_SPOT_SHORTAGE,
];

/// The longest duration any fault sampler returns: 1,000 years of 365 days.
///
/// A modelling bound, not an AWS figure: far beyond any run (`defaults::MAX_DURATION` is
/// 366 days), so a sample at the cap means "not within this run", and well inside both
/// `u64` milliseconds and the integers an `f64` holds exactly (2^53 ms ≈ 285,000 years).
pub const SAMPLE_CAP: SimDuration = SimDuration(1_000 * 365 * 24 * 3_600_000);

/// A uniform draw in (0, 1]: `1 − U` with `U = rng.gen::<f64>()` in [0, 1).
/// Its logarithm is finite (at least `ln 2^-53 ≈ −36.7`).
pub(crate) fn unit_open_closed(rng: &mut SimRng) -> f64 {
    1.0 - rng.gen::<f64>()
}

/// Rounds float milliseconds to a duration, saturating at [`SAMPLE_CAP`]; negative or NaN
/// inputs give zero.
pub(crate) fn duration_from_ms(ms: f64) -> SimDuration {
    if ms.is_nan() || ms <= 0.0 {
        SimDuration::ZERO
    } else if ms >= SAMPLE_CAP.0 as f64 {
        SAMPLE_CAP
    } else {
        SimDuration(ms.round() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{RngStreams, Stream};

    #[test]
    fn fault_streams_are_distinct_from_each_other_and_from_the_core_streams() {
        let s = RngStreams::new(2024);
        let mut firsts: Vec<u64> = ALL_STREAMS
            .iter()
            .map(|name| s.named(name, 0).gen::<u64>())
            .collect();
        for core in [
            Stream::Workload,
            Stream::Latency,
            Stream::Placement,
            Stream::Faults,
            Stream::Scaling,
        ] {
            firsts.push(s.stream(core).gen());
        }
        let mut sorted = firsts.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), firsts.len(), "{firsts:?}");
        // Index distinguishes two models of the same kind.
        let a: u64 = s.named(STREAM_INSTANCE_FAILURE, 0).gen();
        let b: u64 = s.named(STREAM_INSTANCE_FAILURE, 1).gen();
        assert_ne!(a, b);
    }

    #[test]
    fn drawing_from_one_fault_stream_leaves_another_unchanged() {
        let s = RngStreams::new(7);
        let alone: Vec<u64> = {
            let mut spot = s.named(STREAM_EC2_SPOT_INTERRUPTION, 0);
            (0..5).map(|_| spot.gen()).collect()
        };
        let mut failures = s.named(STREAM_INSTANCE_FAILURE, 0);
        let mut spot = s.named(STREAM_EC2_SPOT_INTERRUPTION, 0);
        let mut interleaved = Vec::new();
        for _ in 0..5 {
            let _: f64 = failures.gen();
            let _: f64 = failures.gen();
            interleaved.push(spot.gen::<u64>());
        }
        assert_eq!(alone, interleaved);
    }

    #[test]
    fn unit_draws_are_in_the_half_open_interval() {
        let mut rng = RngStreams::new(1).named("faults.test", 0);
        for _ in 0..100_000 {
            let u = unit_open_closed(&mut rng);
            assert!(u > 0.0 && u <= 1.0, "{u}");
        }
    }

    #[test]
    fn durations_round_and_saturate() {
        assert_eq!(duration_from_ms(1.4), SimDuration(1));
        assert_eq!(duration_from_ms(1.5), SimDuration(2));
        assert_eq!(duration_from_ms(-1.0), SimDuration::ZERO);
        assert_eq!(duration_from_ms(f64::NAN), SimDuration::ZERO);
        assert_eq!(duration_from_ms(f64::INFINITY), SAMPLE_CAP);
        assert_eq!(duration_from_ms(1e300), SAMPLE_CAP);
        assert_eq!(SAMPLE_CAP.0, 31_536_000_000_000);
    }
}
