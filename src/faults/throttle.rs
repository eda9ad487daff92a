//! The service scheduler's back-off for tasks that fail to start, and the fixed notice and
//! stop times around interruptions.
//!
//! ecs-reference §5.2: when a service's tasks go PENDING → STOPPED without reaching RUNNING
//! (no resources, image pull failure, disk full), the service scheduler waits longer and
//! longer between launch attempts, up to a cap. Tasks that reach RUNNING and then die
//! (health check, exit code, a crash) are not throttled. A new deployment (a new task
//! definition) resets the back-off, and ECS never stops retrying. Only the cap is
//! documented; the growth curve is not, so [`ThrottleConfig`] makes it a parameter.
//!
//! The caller owns the count of consecutive start failures per service: it increments it
//! when a task stops before RUNNING, resets it to 0 when a task of the service reaches
//! RUNNING or a new deployment starts, and waits [`ThrottleConfig::delay_after`] that count
//! before the next launch.

use crate::engine::SimDuration;

/// Longest wait between retries of a service whose tasks keep failing to start.
/// \[DOC\] ecs-reference §5.2 and §8: 27 minutes in the current developer guide ("may
/// change"); the 2023 guide said [`THROTTLE_CAP_2023`].
pub const THROTTLE_CAP: SimDuration = SimDuration::from_mins(27);

/// The cap in the June 2023 developer guide, for comparison runs.
/// \[DOC\] ecs-reference §5.2 and §8 (superseded by [`THROTTLE_CAP`]).
pub const THROTTLE_CAP_2023: SimDuration = SimDuration::from_mins(15);

/// Wait after the first start failure.
///
/// \[UNCERTAIN\] ecs-reference §5.2: AWS documents only that the wait "increases
/// incrementally". 10 s is about one service-scheduler pass: a single failure (a bad
/// host, a transient pull error) is retried almost at once, as users see in practice, and
/// only repeated failures are slowed down. With [`THROTTLE_FACTOR`] 2 the waits are 10 s,
/// 20 s, 40 s, 80 s, 160 s, 320 s (5 min 20 s, the sixth), 640 s, 1 280 s, then the 27 min
/// cap from the ninth failure on; about 43 minutes of retrying pass before the cap. The one
/// \[OBS\] in §5.2 (a retry about 5 min after ~50 s without resources, reproio/ecs_deploy PR
/// #53) concerns placement failures rather than start failures and does not say which
/// retry it was, so it fits this curve without pinning it.
pub const THROTTLE_FIRST_DELAY: SimDuration = SimDuration::from_secs(10);

/// Growth of the wait per further consecutive start failure.
/// \[UNCERTAIN\] ecs-reference §5.2: doubling, the usual exponential back-off; see
/// [`THROTTLE_FIRST_DELAY`] for the resulting curve.
pub const THROTTLE_FACTOR: u32 = 2;

/// EC2 Spot interruption notice: the instance is reclaimed this long after the notice.
/// \[DOC\] ecs-reference §5.6 (EC2 User Guide, `spot-instance-termination-notices`; the
/// notice is best effort, a rebalance recommendation may come earlier).
pub const SPOT_INTERRUPTION_NOTICE: SimDuration = SimDuration::from_mins(2);

/// Fargate Spot interruption warning before the task is stopped (SIGTERM, stop code
/// `TerminationNotice`). \[DOC\] ecs-reference §2.2.
pub const FARGATE_SPOT_WARNING: SimDuration = SimDuration::from_mins(2);

/// Container `stopTimeout` default: SIGTERM, then SIGKILL this long after.
/// \[DOC\] ecs-reference §2.2.
pub const DEFAULT_STOP_TIMEOUT: SimDuration = SimDuration::from_secs(30);

/// Largest container `stopTimeout` on Fargate. \[DOC\] ecs-reference §2.2.
pub const MAX_FARGATE_STOP_TIMEOUT: SimDuration = SimDuration::from_secs(120);

/// Whether the ECS agent sets a Spot instance to DRAINING when it receives the interruption
/// notice (`ECS_ENABLE_SPOT_INSTANCE_DRAINING`). Off unless the user sets it.
/// \[CODE\] ecs-reference §5.6 (Agent README config table).
pub const ECS_ENABLE_SPOT_INSTANCE_DRAINING_DEFAULT: bool = false;

/// The growth curve of the start-failure back-off: after `n ≥ 1` consecutive failures the
/// wait is `min(cap, first_delay · factor^(n−1))`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThrottleConfig {
    /// Wait after the first failure.
    pub first_delay: SimDuration,
    /// Multiplier per further failure (≥ 1; 1 gives a constant wait).
    pub factor: u32,
    /// Longest wait.
    pub cap: SimDuration,
}

impl Default for ThrottleConfig {
    /// [`THROTTLE_FIRST_DELAY`], [`THROTTLE_FACTOR`], [`THROTTLE_CAP`].
    fn default() -> Self {
        ThrottleConfig {
            first_delay: THROTTLE_FIRST_DELAY,
            factor: THROTTLE_FACTOR,
            cap: THROTTLE_CAP,
        }
    }
}

impl ThrottleConfig {
    /// The wait before the next launch after `consecutive_failures` start failures in a
    /// row: zero for none, then `first_delay · factor^(n−1)`, never more than `cap`. Exact
    /// integer arithmetic; any count, however large, saturates at the cap.
    pub fn delay_after(&self, consecutive_failures: u32) -> SimDuration {
        if consecutive_failures == 0 {
            return SimDuration::ZERO;
        }
        let growth = u64::from(self.factor.max(1)).checked_pow(consecutive_failures - 1);
        let wait = growth.and_then(|g| self.first_delay.0.checked_mul(g));
        SimDuration(wait.map_or(self.cap.0, |w| w.min(self.cap.0)))
    }

    /// Checks the parameters: `factor ≥ 1` and `first_delay ≤ cap`.
    pub fn validate(&self) -> Result<(), String> {
        if self.factor == 0 {
            return Err("factor must be at least 1".into());
        }
        if self.first_delay > self.cap {
            return Err(format!(
                "firstDelay ({}) must not exceed cap ({})",
                self.first_delay, self.cap
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_curve_doubles_from_ten_seconds_to_the_cap() {
        let t = ThrottleConfig::default();
        assert_eq!(t.validate(), Ok(()));
        let secs: Vec<u64> = (0..=10).map(|n| t.delay_after(n).0 / 1000).collect();
        assert_eq!(secs, [0, 10, 20, 40, 80, 160, 320, 640, 1280, 1620, 1620]);
        // Monotone and capped for every count.
        let mut last = SimDuration::ZERO;
        for n in 0..200 {
            let d = t.delay_after(n);
            assert!(d >= last && d <= THROTTLE_CAP, "{n}: {d}");
            last = d;
        }
    }

    #[test]
    fn huge_counts_saturate_without_overflow() {
        for cfg in [
            ThrottleConfig::default(),
            ThrottleConfig {
                first_delay: SimDuration(u64::MAX / 2),
                factor: u32::MAX,
                cap: SimDuration(u64::MAX),
            },
        ] {
            for n in [64, 65, 1_000, u32::MAX] {
                assert_eq!(cfg.delay_after(n), cfg.cap, "{cfg:?} {n}");
            }
        }
        // first_delay · factor overflows u64 on the second failure.
        let big = ThrottleConfig {
            first_delay: SimDuration(u64::MAX / 2),
            factor: 3,
            cap: SimDuration(u64::MAX - 1),
        };
        assert_eq!(big.delay_after(1), SimDuration(u64::MAX / 2));
        assert_eq!(big.delay_after(2), SimDuration(u64::MAX - 1));
    }

    #[test]
    fn factor_one_is_constant_and_the_2023_cap_binds_earlier() {
        let flat = ThrottleConfig {
            first_delay: SimDuration::from_secs(30),
            factor: 1,
            cap: THROTTLE_CAP,
        };
        assert!((1..50).all(|n| flat.delay_after(n) == SimDuration::from_secs(30)));
        let old = ThrottleConfig {
            cap: THROTTLE_CAP_2023,
            ..ThrottleConfig::default()
        };
        assert_eq!(old.delay_after(7), SimDuration::from_secs(640));
        assert_eq!(old.delay_after(8), THROTTLE_CAP_2023);
    }

    #[test]
    fn validation() {
        let zero_factor = ThrottleConfig {
            factor: 0,
            ..ThrottleConfig::default()
        };
        assert!(zero_factor.validate().is_err());
        // Even unvalidated, factor 0 behaves as 1 rather than dropping to zero.
        assert_eq!(zero_factor.delay_after(3), THROTTLE_FIRST_DELAY);
        let inverted = ThrottleConfig {
            first_delay: SimDuration::from_mins(30),
            ..ThrottleConfig::default()
        };
        assert!(inverted.validate().is_err());
        let off = ThrottleConfig {
            first_delay: SimDuration::ZERO,
            factor: 2,
            cap: SimDuration::ZERO,
        };
        assert_eq!(off.validate(), Ok(()));
        assert_eq!(off.delay_after(5), SimDuration::ZERO);
    }

    #[test]
    fn documented_constants() {
        assert_eq!(SPOT_INTERRUPTION_NOTICE, SimDuration(120_000));
        assert_eq!(FARGATE_SPOT_WARNING, SimDuration(120_000));
        assert_eq!(DEFAULT_STOP_TIMEOUT, SimDuration(30_000));
        assert_eq!(MAX_FARGATE_STOP_TIMEOUT, SimDuration(120_000));
        assert_eq!(THROTTLE_CAP, SimDuration(1_620_000));
        assert_eq!(THROTTLE_CAP_2023, SimDuration(900_000));
        const { assert!(!ECS_ENABLE_SPOT_INSTANCE_DRAINING_DEFAULT) };
    }
}
