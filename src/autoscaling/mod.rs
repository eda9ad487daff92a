//! Auto scaling as AWS runs it: CloudWatch-like alarms ([`alarm`]), service auto scaling
//! (Application Auto Scaling: target tracking, step scaling, scheduled actions) and cluster
//! auto scaling (capacity provider managed scaling).
//!
//! Everything here is a pure policy over plain numbers: it is fed one datapoint per metric
//! period and answers with a new desired count and the cause, in AWS's wording. The
//! simulation owns the clock, computes the metrics and applies the answers.
//! Rules and numbers: ecs-reference §1 (cluster auto scaling), §4.6 (metrics), §6 (service
//! auto scaling).

pub mod alarm;
pub mod managed_instances;
pub mod managed_scaling;
pub mod schedule;
pub mod service;
pub mod step_scaling;
pub mod target_tracking;

use crate::engine::SimDuration;
use alarm::Alarm;

/// A service metric Application Auto Scaling can track (`PredefinedMetricType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ServiceMetric {
    /// `ECSServiceAverageCPUUtilization` (%).
    CpuUtilization,
    /// `ECSServiceAverageMemoryUtilization` (%).
    MemoryUtilization,
    /// `ALBRequestCountPerTarget` (requests per target per minute).
    RequestCountPerTarget,
}

impl ServiceMetric {
    /// The AWS name (`PredefinedMetricType`), with the high-resolution suffix when asked.
    pub fn aws_name(self, resolution: Resolution) -> &'static str {
        match (self, resolution) {
            (ServiceMetric::CpuUtilization, Resolution::Standard) => {
                "ECSServiceAverageCPUUtilization"
            }
            (ServiceMetric::CpuUtilization, Resolution::High) => {
                "ECSServiceAverageCPUUtilizationHighResolution"
            }
            (ServiceMetric::MemoryUtilization, Resolution::Standard) => {
                "ECSServiceAverageMemoryUtilization"
            }
            (ServiceMetric::MemoryUtilization, Resolution::High) => {
                "ECSServiceAverageMemoryUtilizationHighResolution"
            }
            (ServiceMetric::RequestCountPerTarget, _) => "ALBRequestCountPerTarget",
        }
    }
}

/// How often a metric is published.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Resolution {
    /// One datapoint per minute. \[DOC\] ecs-reference §4.6.
    Standard,
    /// One datapoint per 20 s (the `…HighResolution` metrics). \[DOC\] ecs-reference §4.6.
    High,
}

impl Resolution {
    /// The period of one datapoint.
    pub fn period(self) -> SimDuration {
        match self {
            Resolution::Standard => SimDuration::from_secs(60),
            Resolution::High => SimDuration::from_secs(20),
        }
    }
}

/// One period's datapoints for a service; `None` where CloudWatch would have no data
/// (e.g. CPU utilization of a service with no running task).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ServiceDatapoints {
    /// `ECSServiceAverageCPUUtilization`, %.
    pub cpu_utilization: Option<f64>,
    /// `ECSServiceAverageMemoryUtilization`, %.
    pub memory_utilization: Option<f64>,
    /// `ALBRequestCountPerTarget`, requests per target per minute.
    pub request_count_per_target: Option<f64>,
}

impl ServiceDatapoints {
    /// The datapoint of `metric`.
    pub fn get(&self, metric: ServiceMetric) -> Option<f64> {
        match metric {
            ServiceMetric::CpuUtilization => self.cpu_utilization,
            ServiceMetric::MemoryUtilization => self.memory_utilization,
            ServiceMetric::RequestCountPerTarget => self.request_count_per_target,
        }
    }
}

/// A change of a desired count decided by a policy, with its cause in AWS's wording.
#[derive(Clone, Debug, PartialEq)]
pub struct ScalingActivity {
    /// Desired count before.
    pub from: u32,
    /// Desired count after.
    pub to: u32,
    /// The policy or scheduled action that acted.
    pub policy: String,
    /// Why, e.g. "monitor alarm TargetTracking-cpu70-AlarmHigh in state ALARM triggered policy
    /// cpu70 (ECSServiceAverageCPUUtilization 85.2 > 70 for 3 of 3 datapoints); setting desired
    /// count to 5 from 4 (running 4)".
    pub cause: String,
    /// The metric value that triggered it, when a metric did.
    pub metric_value: Option<f64>,
}

/// Which way a policy wants to move the desired count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Add tasks.
    Out,
    /// Remove tasks.
    In,
}

/// What one policy asks for after a period's datapoints, before the scalable target applies
/// its min/max, cooldowns and the rules that combine several policies.
#[derive(Clone, Debug, PartialEq)]
pub struct Proposal {
    /// Scale out or in.
    pub direction: Direction,
    /// The desired count the policy computed, before clamping to [min, max].
    pub capacity: u32,
    /// The metric value the policy acted on (the latest datapoint for target tracking, the
    /// aggregate of the alarm window for step scaling).
    pub metric_value: f64,
    /// The cause in AWS's wording: which alarm in which state triggered which policy, with
    /// the metric and the datapoint counts.
    pub reason: String,
}

/// Formats a metric value or threshold for event messages: at most three decimals, no
/// trailing zeros (`70`, `85.2`, `63`, not `63.00000000000001`).
pub(crate) fn fmt_value(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        &s
    };
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// The most recent datapoint present in an alarm's window.
pub(crate) fn latest_value(alarm: &Alarm) -> Option<f64> {
    alarm.datapoints().flatten().last()
}

/// How many datapoints of an alarm's window breach its threshold.
pub(crate) fn breaching_count(alarm: &Alarm) -> usize {
    let spec = alarm.spec();
    alarm
        .datapoints()
        .flatten()
        .filter(|&v| spec.comparison.breaches(v, spec.threshold))
        .count()
}

/// `ceil(x)` as a task count, saturating, with a small tolerance so that float noise in a
/// product such as `3 × 70 / 70` never adds a task.
pub(crate) fn ceil_count(x: f64) -> u32 {
    if !x.is_finite() || x <= 0.0 {
        return if x.is_infinite() && x > 0.0 {
            u32::MAX
        } else {
            0
        };
    }
    let c = (x - 1e-9).ceil();
    if c >= u32::MAX as f64 {
        u32::MAX
    } else {
        c.max(0.0) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_print_without_float_noise() {
        assert_eq!(fmt_value(70.0), "70");
        assert_eq!(fmt_value(85.2), "85.2");
        assert_eq!(fmt_value(0.9 * 70.0), "63");
        assert_eq!(fmt_value(-0.0001), "0");
        assert_eq!(fmt_value(12.3456), "12.346");
    }

    #[test]
    fn ceil_count_ignores_float_noise() {
        // 3 × 63.00000000000001 / 63 is 3.0000000000000004 in floats: still 3 tasks.
        assert_eq!(ceil_count(3.0 * (0.9 * 70.0) / 63.0), 3);
        assert_eq!(ceil_count(3.01), 4);
        assert_eq!(ceil_count(0.0), 0);
        assert_eq!(ceil_count(-2.0), 0);
        assert_eq!(ceil_count(f64::INFINITY), u32::MAX);
        assert_eq!(ceil_count(f64::NAN), 0);
    }
}
