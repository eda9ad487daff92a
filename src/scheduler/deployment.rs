//! Service deployments: the pure rules of how many tasks a deployment starts and stops.
//!
//! Owns the deployment configuration (`deploymentConfiguration`, `deploymentController`,
//! CodeDeploy's traffic shifting), its AWS defaults, the rolling-update arithmetic
//! (`minimumHealthyPercent` rounded up, `maximumPercent` rounded down), the circuit breaker's
//! failure threshold, and the traffic-shift timetable of a blue/green deployment.
//! It does not own tasks or time: `simulation::deployment` applies these decisions to the
//! world and keeps the counts they read.
//!
//! Sources (AWS documentation, cited by title and address):
//! - "Deploy Amazon ECS services by replacing tasks",
//!   <https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html>:
//!   the minimum healthy percent is rounded up, the maximum percent rounded down; desired 4
//!   with min 50 % may stop two tasks before starting two; max 200 % may start four new tasks
//!   before stopping the four old ones.
//! - "DeploymentConfiguration" (ECS API Reference),
//!   <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html>:
//!   defaults 100 % and 200 % for REPLICA services; maximum percent counts tasks in the
//!   RUNNING or PENDING state; "If a task has no essential containers with a health check
//!   defined, the service scheduler will wait for 40 seconds after a task reaches a RUNNING
//!   state before the task is counted towards the minimum healthy percent total";
//!   `bakeTimeInMinutes` must be given with the BLUE_GREEN strategy.
//! - "ServiceDeploymentCircuitBreaker" (ECS API Reference),
//!   <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeploymentCircuitBreaker.html>:
//!   "a minimum threshold of 3 and a maximum threshold of 200 … 0.5 * desired task count".
//! - "Working with deployment configurations in CodeDeploy",
//!   <https://docs.aws.amazon.com/codedeploy/latest/userguide/deployment-configurations.html>:
//!   the predefined ECS configurations (`CodeDeployDefault.ECSAllAtOnce`, `ECSCanary10Percent5Minutes`,
//!   `ECSCanary10Percent15Minutes`, `ECSLinear10PercentEvery1Minutes`,
//!   `ECSLinear10PercentEvery3Minutes`).
//! - "BlueInstanceTerminationOption" (CodeDeploy API Reference),
//!   <https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_BlueInstanceTerminationOption.html>:
//!   for ECS, `terminationWaitTimeInMinutes` is the wait before the blue task set is deleted.

use crate::engine::SimDuration;

/// `minimumHealthyPercent` of a REPLICA service when the scenario gives none.
/// \[API\] "DeploymentConfiguration": "The default value for minimum healthy percent is 100%."
pub const DEFAULT_MINIMUM_HEALTHY_PERCENT: u32 = 100;

/// `maximumPercent` of a REPLICA service when the scenario gives none.
/// \[API\] "DeploymentConfiguration": "The default maximumPercent value for a service using the
/// REPLICA service scheduler is 200%."
pub const DEFAULT_MAXIMUM_PERCENT: u32 = 200;

/// How long a new task of a service without a load balancer must be RUNNING before it counts
/// as healthy. \[API\] "DeploymentConfiguration" (`minimumHealthyPercent`): "the service
/// scheduler will wait for 40 seconds after a task reaches a RUNNING state". Overridable by
/// `settings.deploymentHealthyAfter`.
pub const HEALTHY_AFTER_RUNNING_WITHOUT_LOAD_BALANCER: SimDuration = SimDuration::from_secs(40);

/// `healthCheckGracePeriodSeconds` when a service with a load balancer gives none.
/// \[API\] "CreateService": "If you don't specify a health check grace period value, the default
/// value of 0 is used." The model takes a task with a load balancer as healthy once this grace
/// has passed after RUNNING (target registration and the first health check are not modelled).
pub const DEFAULT_HEALTH_CHECK_GRACE_PERIOD: SimDuration = SimDuration::ZERO;

/// The circuit breaker's failure threshold is `0.5 × desiredCount`, clamped to these bounds.
/// \[API\] "ServiceDeploymentCircuitBreaker": minimum threshold 3, maximum 200.
pub const CIRCUIT_BREAKER_MIN_THRESHOLD: u32 = 3;
/// See [`CIRCUIT_BREAKER_MIN_THRESHOLD`].
pub const CIRCUIT_BREAKER_MAX_THRESHOLD: u32 = 200;

/// CodeDeploy's wait before it deletes the blue task set when the scenario gives none.
/// \[DOC\] AWS CDK "CfnCodeDeployBlueGreenAdditionalOptions",
/// <https://docs.aws.amazon.com/cdk/api/latest/docs/@aws-cdk_core.CfnCodeDeployBlueGreenAdditionalOptions.html>:
/// `terminationWaitTimeInMinutes` "(optional, default: 5 minutes)". The CodeDeploy API itself
/// states no default; the CDK's is the one most ECS blue/green stacks get.
pub const DEFAULT_TERMINATION_WAIT: SimDuration = SimDuration::from_mins(5);

/// CodeDeploy's deployment configuration when the scenario names none.
/// \[DOC\] "Working with deployment configurations in CodeDeploy": an ECS deployment group
/// without one uses `CodeDeployDefault.ECSAllAtOnce`.
pub const DEFAULT_CODE_DEPLOY_CONFIG: &str = "CodeDeployDefault.ECSAllAtOnce";

/// The most `bakeTimeInMinutes` and `terminationWaitTimeInMinutes` accept.
/// \[API\] "DeploymentConfiguration": bake time 0 to 1440 minutes; "BlueInstanceTerminationOption":
/// termination wait at most 2880 minutes. One cap (the larger) keeps validation simple.
pub const MAX_WAIT_MINUTES: u32 = 2880;

/// The circuit breaker: `deploymentConfiguration.deploymentCircuitBreaker`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CircuitBreaker {
    /// `rollback`: roll back to the last completed deployment when it trips.
    pub rollback: bool,
}

/// How traffic moves from the blue task set to the green one (CodeDeploy).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrafficShift {
    /// `ECSAllAtOnce`: 100 % at once.
    AllAtOnce,
    /// `ECSCanaryNPercentMMinutes`: N % first, the rest M minutes later.
    Canary {
        /// Percent shifted first.
        percent: u32,
        /// Wait before the rest.
        interval: SimDuration,
    },
    /// `ECSLinearNPercentEveryMMinutes`: N % more every M minutes.
    Linear {
        /// Percent added per step.
        percent: u32,
        /// Wait between steps.
        interval: SimDuration,
    },
}

impl TrafficShift {
    /// Reads a CodeDeploy deployment configuration name: the five predefined ECS ones, or any
    /// `CodeDeployDefault.ECSCanary<N>Percent<M>Minutes` / `ECSLinear<N>PercentEvery<M>Minutes`
    /// (custom configurations of the same shape, written the same way).
    pub fn parse(name: &str) -> Result<TrafficShift, String> {
        let expected = "expected CodeDeployDefault.ECSAllAtOnce, CodeDeployDefault.ECSCanary<N>Percent<M>Minutes (e.g. ECSCanary10Percent5Minutes) or CodeDeployDefault.ECSLinear<N>PercentEvery<M>Minutes (e.g. ECSLinear10PercentEvery1Minutes)";
        let bad = || format!("{expected}, found {name:?}");
        let rest = name.strip_prefix("CodeDeployDefault.").ok_or_else(bad)?;
        if rest == "ECSAllAtOnce" {
            return Ok(TrafficShift::AllAtOnce);
        }
        let num = |s: &str| -> Option<u32> { s.parse::<u32>().ok() };
        if let Some(r) = rest.strip_prefix("ECSCanary") {
            let (p, m) = r.split_once("Percent").ok_or_else(bad)?;
            let m = m.strip_suffix("Minutes").ok_or_else(bad)?;
            let (p, m) = (num(p).ok_or_else(bad)?, num(m).ok_or_else(bad)?);
            if !(1..=99).contains(&p) || m == 0 || m > MAX_WAIT_MINUTES {
                return Err(bad());
            }
            return Ok(TrafficShift::Canary {
                percent: p,
                interval: SimDuration::from_mins(u64::from(m)),
            });
        }
        if let Some(r) = rest.strip_prefix("ECSLinear") {
            let (p, m) = r.split_once("PercentEvery").ok_or_else(bad)?;
            let m = m.strip_suffix("Minutes").ok_or_else(bad)?;
            let (p, m) = (num(p).ok_or_else(bad)?, num(m).ok_or_else(bad)?);
            if !(1..=99).contains(&p) || m == 0 || m > MAX_WAIT_MINUTES {
                return Err(bad());
            }
            return Ok(TrafficShift::Linear {
                percent: p,
                interval: SimDuration::from_mins(u64::from(m)),
            });
        }
        Err(bad())
    }

    /// The shifts, as (time after the green set is ready, percent of traffic on green), the
    /// last one always 100 %. Canary 10 % 5 min: (0, 10), (5 min, 100). Linear 10 % every
    /// 1 min: (0, 10), (1 min, 20), … (9 min, 100).
    pub fn steps(&self) -> Vec<(SimDuration, u32)> {
        match *self {
            TrafficShift::AllAtOnce => vec![(SimDuration::ZERO, 100)],
            TrafficShift::Canary { percent, interval } => {
                vec![(SimDuration::ZERO, percent), (interval, 100)]
            }
            TrafficShift::Linear { percent, interval } => {
                let mut out = Vec::new();
                let mut k = 0u64;
                loop {
                    let p = (percent as u64 * (k + 1)).min(100) as u32;
                    out.push((SimDuration(interval.0 * k), p));
                    if p >= 100 {
                        return out;
                    }
                    k += 1;
                }
            }
        }
    }
}

/// Which deployment a service runs, from `deploymentController.type` and
/// `deploymentConfiguration.strategy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeploymentKind {
    /// `ECS` controller, `ROLLING` strategy (the default).
    Rolling,
    /// `ECS` controller, `BLUE_GREEN` strategy: a full green set, traffic switched at once,
    /// both sets kept for `bakeTimeInMinutes`.
    BlueGreen {
        /// `bakeTimeInMinutes`.
        bake: SimDuration,
    },
    /// `CODE_DEPLOY` controller: a full green task set, traffic shifted per the CodeDeploy
    /// configuration, the blue set kept for the termination wait.
    CodeDeploy {
        /// The traffic shift.
        shift: TrafficShift,
        /// `terminationWaitTimeInMinutes`.
        termination_wait: SimDuration,
    },
}

impl DeploymentKind {
    /// The word the summary uses.
    pub fn name(&self) -> &'static str {
        match self {
            DeploymentKind::Rolling => "ROLLING",
            DeploymentKind::BlueGreen { .. } => "BLUE_GREEN",
            DeploymentKind::CodeDeploy { .. } => "CODE_DEPLOY",
        }
    }

    /// Blue/green of either kind: a full second task set.
    pub fn is_blue_green(&self) -> bool {
        !matches!(self, DeploymentKind::Rolling)
    }

    /// How long both sets run after all traffic is on green, and the traffic timetable.
    pub fn blue_green_plan(&self) -> (Vec<(SimDuration, u32)>, SimDuration) {
        match *self {
            DeploymentKind::Rolling => (Vec::new(), SimDuration::ZERO),
            DeploymentKind::BlueGreen { bake } => (vec![(SimDuration::ZERO, 100)], bake),
            DeploymentKind::CodeDeploy {
                shift,
                termination_wait,
            } => (shift.steps(), termination_wait),
        }
    }
}

/// A service's deployment settings, validated.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DeploymentConfig {
    /// `minimumHealthyPercent` (0–100).
    pub minimum_healthy_percent: u32,
    /// `maximumPercent` (≥ 100).
    pub maximum_percent: u32,
    /// `deploymentCircuitBreaker` when `enable` is true.
    pub circuit_breaker: Option<CircuitBreaker>,
    /// Rolling or blue/green.
    pub kind: DeploymentKind,
    /// With a load balancer: `healthCheckGracePeriodSeconds`, after which a new RUNNING task
    /// counts as healthy. `None` without one: `settings.deploymentHealthyAfter` (40 s) applies.
    pub health_check_grace_period: Option<SimDuration>,
}

impl Default for DeploymentConfig {
    fn default() -> Self {
        DeploymentConfig {
            minimum_healthy_percent: DEFAULT_MINIMUM_HEALTHY_PERCENT,
            maximum_percent: DEFAULT_MAXIMUM_PERCENT,
            circuit_breaker: None,
            kind: DeploymentKind::Rolling,
            health_check_grace_period: None,
        }
    }
}

/// The lower limit on healthy tasks: `desired × minimumHealthyPercent / 100`, rounded up.
pub fn minimum_healthy_tasks(desired: u32, minimum_healthy_percent: u32) -> u32 {
    ((u64::from(desired) * u64::from(minimum_healthy_percent)).div_ceil(100)) as u32
}

/// The upper limit on RUNNING and PENDING tasks: `desired × maximumPercent / 100`, rounded down.
pub fn maximum_tasks(desired: u32, maximum_percent: u32) -> u32 {
    (u64::from(desired) * u64::from(maximum_percent) / 100).min(u64::from(u32::MAX)) as u32
}

/// The circuit breaker's failure threshold: `clamp(ceil(0.5 × desired), 3, 200)`.
pub fn circuit_breaker_threshold(desired: u32) -> u32 {
    desired
        .div_ceil(2)
        .clamp(CIRCUIT_BREAKER_MIN_THRESHOLD, CIRCUIT_BREAKER_MAX_THRESHOLD)
}

/// What a rolling deployment's counts are now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RollingCounts {
    /// The service's desired count.
    pub desired: u32,
    /// Tasks of the old deployments in PROVISIONING, PENDING or RUNNING.
    pub old_live: u32,
    /// Of those, RUNNING (counted healthy: they passed their grace long ago).
    pub old_running: u32,
    /// Tasks of the new deployment in PROVISIONING, PENDING or RUNNING.
    pub new_live: u32,
    /// Of those, RUNNING and past their grace: healthy.
    pub new_healthy: u32,
}

/// What a rolling deployment does next.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RollingStep {
    /// New tasks to start now.
    pub start: u32,
    /// Old tasks that are not RUNNING, to stop (they hold no healthy count).
    pub stop_not_running: u32,
    /// Old RUNNING tasks to stop now.
    pub stop_running: u32,
}

impl RollingStep {
    /// Nothing to do.
    pub fn is_idle(&self) -> bool {
        self.start == 0 && self.stop_not_running == 0 && self.stop_running == 0
    }
}

/// One step of a rolling update with `minimumHealthyPercent` `min_pct` and `maximumPercent`
/// `max_pct`.
///
/// New tasks start while the new deployment has fewer than `desired` and the service stays
/// within `maximumPercent` (RUNNING + PENDING, PROVISIONING counted too: such a task holds a
/// place in the deployment). Old tasks that are not RUNNING stop at once; old RUNNING tasks
/// stop while the healthy count (old RUNNING + new healthy) stays at or above
/// `minimumHealthyPercent`.
pub fn rolling_step(c: RollingCounts, min_pct: u32, max_pct: u32) -> RollingStep {
    let live = c.old_live + c.new_live;
    let max_total = maximum_tasks(c.desired, max_pct);
    let min_healthy = minimum_healthy_tasks(c.desired, min_pct);
    let stop_not_running = c.old_live - c.old_running;
    // Once the old tasks that are not running are gone, the room left under the maximum.
    let live_after = live - stop_not_running;
    let healthy = c.old_running + c.new_healthy;
    let stop_running = healthy.saturating_sub(min_healthy).min(c.old_running);
    let live_after = live_after - stop_running;
    let start = c
        .desired
        .saturating_sub(c.new_live)
        .min(max_total.saturating_sub(live_after));
    RollingStep {
        start,
        stop_not_running,
        stop_running,
    }
}

/// True when a rolling deployment is done: `desired` healthy new tasks and no old one left.
pub fn rolling_done(c: RollingCounts) -> bool {
    c.old_live == 0 && c.new_healthy >= c.desired
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percents_round_as_aws_documents() {
        // "Deploy Amazon ECS services by replacing tasks": min 50 % of 4 = 2 (may stop two
        // before starting two); min 75 % of 2 = ceil(1.5) = 2 (can't stop any);
        // max 200 % of 4 = 8 (may start four new before stopping four old).
        assert_eq!(minimum_healthy_tasks(4, 50), 2);
        assert_eq!(minimum_healthy_tasks(2, 75), 2);
        assert_eq!(maximum_tasks(4, 200), 8);
        // Rounded down: 3 × 150 % = 4.5 → 4; rounded up: 3 × 50 % = 1.5 → 2.
        assert_eq!(maximum_tasks(3, 150), 4);
        assert_eq!(minimum_healthy_tasks(3, 50), 2);
    }

    #[test]
    fn circuit_breaker_threshold_clamps() {
        // clamp(ceil(0.5 × d), 3, 200): d = 1 → 3; d = 4 → 3; d = 7 → ceil(3.5) = 4;
        // d = 10 → 5; d = 1000 → 200.
        assert_eq!(circuit_breaker_threshold(1), 3);
        assert_eq!(circuit_breaker_threshold(4), 3);
        assert_eq!(circuit_breaker_threshold(7), 4);
        assert_eq!(circuit_breaker_threshold(10), 5);
        assert_eq!(circuit_breaker_threshold(1000), 200);
    }

    #[test]
    fn desired_4_min_50_max_200_starts_4_and_stops_2() {
        // desired 4, min 50 %, max 200 %: at most 8 tasks, at least 2 healthy. With 4 old
        // RUNNING: stop 2 of them (4 − 2 healthy to spare) and start 4 new (2 + 4 ≤ 8).
        let c = RollingCounts {
            desired: 4,
            old_live: 4,
            old_running: 4,
            ..Default::default()
        };
        let s = rolling_step(c, 50, 200);
        assert_eq!(s.stop_running, 2);
        assert_eq!(s.start, 4);
    }

    #[test]
    fn min_100_max_200_starts_first_and_stops_as_new_become_healthy() {
        // desired 4, min 100 %, max 200 %: 4 healthy must stay; up to 8 tasks: start 4 new,
        // stop none until one is healthy.
        let mut c = RollingCounts {
            desired: 4,
            old_live: 4,
            old_running: 4,
            ..Default::default()
        };
        let s = rolling_step(c, 100, 200);
        assert_eq!((s.start, s.stop_running), (4, 0));
        c.new_live = 4;
        c.new_healthy = 1;
        // Healthy 4 + 1 = 5 ≥ 4: one old task may stop; no new one to start (4 of 4).
        let s = rolling_step(c, 100, 200);
        assert_eq!((s.start, s.stop_running), (0, 1));
    }

    #[test]
    fn min_100_max_150_goes_in_batches() {
        // desired 4, max 150 %: floor(6) = 6 tasks, so only 2 new at first.
        let c = RollingCounts {
            desired: 4,
            old_live: 4,
            old_running: 4,
            ..Default::default()
        };
        assert_eq!(rolling_step(c, 100, 150).start, 2);
    }

    #[test]
    fn min_100_max_100_cannot_progress() {
        // desired 4, min 100 % (4 healthy), max 100 % (4 tasks): no room to start, no
        // healthy task to spare: the deployment cannot move.
        let c = RollingCounts {
            desired: 4,
            old_live: 4,
            old_running: 4,
            ..Default::default()
        };
        assert!(rolling_step(c, 100, 100).is_idle());
        // min 75 % of 4 = 3 with max 100 %: stop one, then start one.
        let s = rolling_step(c, 75, 100);
        assert_eq!((s.stop_running, s.start), (1, 1));
    }

    #[test]
    fn done_when_all_new_healthy_and_no_old() {
        let c = RollingCounts {
            desired: 3,
            old_live: 0,
            old_running: 0,
            new_live: 3,
            new_healthy: 3,
        };
        assert!(rolling_done(c));
        assert!(!rolling_done(RollingCounts { old_live: 1, ..c }));
    }

    #[test]
    fn codedeploy_names_parse() {
        assert_eq!(
            TrafficShift::parse("CodeDeployDefault.ECSAllAtOnce"),
            Ok(TrafficShift::AllAtOnce)
        );
        let c = TrafficShift::parse("CodeDeployDefault.ECSCanary10Percent5Minutes").unwrap();
        assert_eq!(
            c.steps(),
            vec![(SimDuration::ZERO, 10), (SimDuration::from_mins(5), 100)]
        );
        let l = TrafficShift::parse("CodeDeployDefault.ECSLinear10PercentEvery1Minutes").unwrap();
        let steps = l.steps();
        // 10 % every minute: 10 steps, the last (100 %) 9 minutes after the first.
        assert_eq!(steps.len(), 10);
        assert_eq!(steps[9], (SimDuration::from_mins(9), 100));
        assert!(TrafficShift::parse("ECSAllAtOnce").is_err());
        assert!(TrafficShift::parse("CodeDeployDefault.ECSCanary0Percent5Minutes").is_err());
    }
}
