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
pub mod managed_scaling;

use crate::engine::SimDuration;

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
    /// One datapoint per minute. [DOC] ecs-reference §4.6.
    Standard,
    /// One datapoint per 20 s (the `…HighResolution` metrics). [DOC] ecs-reference §4.6.
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
    /// Why, e.g. "monitor alarm TargetTracking-web-AlarmHigh in state ALARM triggered policy
    /// cpu70 (ECSServiceAverageCPUUtilization 85.2 > 70 for 3 datapoints)".
    pub cause: String,
    /// The metric value that triggered it, when a metric did.
    pub metric_value: Option<f64>,
}
