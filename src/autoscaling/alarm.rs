//! CloudWatch-like metric alarms: M of N datapoints beyond a threshold.
//!
//! \[DOC\] CloudWatch "Evaluating an alarm": an alarm looks at the last `EvaluationPeriods`
//! datapoints and goes to ALARM when at least `DatapointsToAlarm` of them breach. With the
//! default missing-data treatment (`missing`), missing datapoints are neither breaching nor
//! not breaching; when every datapoint of the window is missing the alarm is
//! INSUFFICIENT_DATA. Application Auto Scaling does nothing while an alarm has insufficient
//! data (ecs-reference §6.2).

use std::collections::VecDeque;

/// How a datapoint is compared with the threshold (`ComparisonOperator`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    /// `GreaterThanThreshold`.
    GreaterThan,
    /// `GreaterThanOrEqualToThreshold`.
    GreaterThanOrEqualTo,
    /// `LessThanThreshold`.
    LessThan,
    /// `LessThanOrEqualToThreshold`.
    LessThanOrEqualTo,
}

impl Comparison {
    /// True when `value` breaches `threshold`.
    pub fn breaches(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparison::GreaterThan => value > threshold,
            Comparison::GreaterThanOrEqualTo => value >= threshold,
            Comparison::LessThan => value < threshold,
            Comparison::LessThanOrEqualTo => value <= threshold,
        }
    }

    /// The CloudWatch name.
    pub fn aws_name(self) -> &'static str {
        match self {
            Comparison::GreaterThan => "GreaterThanThreshold",
            Comparison::GreaterThanOrEqualTo => "GreaterThanOrEqualToThreshold",
            Comparison::LessThan => "LessThanThreshold",
            Comparison::LessThanOrEqualTo => "LessThanOrEqualToThreshold",
        }
    }

    /// The comparison as a symbol, for event messages.
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::GreaterThan => ">",
            Comparison::GreaterThanOrEqualTo => ">=",
            Comparison::LessThan => "<",
            Comparison::LessThanOrEqualTo => "<=",
        }
    }
}

/// An alarm's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlarmState {
    /// Not breaching.
    Ok,
    /// Breaching: the alarm invokes its action every period while in this state.
    Alarm,
    /// Every datapoint of the window is missing.
    InsufficientData,
}

/// An alarm's configuration.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AlarmSpec {
    /// Threshold.
    pub threshold: f64,
    /// Comparison with the threshold.
    pub comparison: Comparison,
    /// `EvaluationPeriods` (N): the window, in datapoints.
    pub evaluation_periods: u32,
    /// `DatapointsToAlarm` (M ≤ N): breaching datapoints needed in the window.
    pub datapoints_to_alarm: u32,
}

/// An alarm with its recent datapoints.
#[derive(Clone, Debug)]
pub struct Alarm {
    spec: AlarmSpec,
    window: VecDeque<Option<f64>>,
    state: AlarmState,
}

impl Alarm {
    /// A new alarm; it starts in INSUFFICIENT_DATA, as CloudWatch alarms do.
    pub fn new(spec: AlarmSpec) -> Alarm {
        Alarm {
            spec,
            window: VecDeque::with_capacity(spec.evaluation_periods as usize),
            state: AlarmState::InsufficientData,
        }
    }

    /// Its configuration.
    pub fn spec(&self) -> &AlarmSpec {
        &self.spec
    }

    /// The state after the last datapoint.
    pub fn state(&self) -> AlarmState {
        self.state
    }

    /// Adds one period's datapoint (`None`: missing) and re-evaluates.
    pub fn push(&mut self, datapoint: Option<f64>) -> AlarmState {
        if self.window.len() == self.spec.evaluation_periods.max(1) as usize {
            self.window.pop_front();
        }
        self.window.push_back(datapoint);
        let breaching = self
            .window
            .iter()
            .flatten()
            .filter(|&&v| self.spec.comparison.breaches(v, self.spec.threshold))
            .count();
        self.state = if breaching >= self.spec.datapoints_to_alarm.max(1) as usize {
            AlarmState::Alarm
        } else if self.window.iter().all(Option::is_none) {
            AlarmState::InsufficientData
        } else {
            AlarmState::Ok
        };
        self.state
    }

    /// Forgets the datapoints (used when the alarm's subject changes beyond recognition,
    /// e.g. a scaling activity that AWS re-evaluates from scratch). Keeps the state.
    pub fn clear(&mut self) {
        self.window.clear();
    }

    /// The datapoints in the window, oldest first.
    pub fn datapoints(&self) -> impl Iterator<Item = Option<f64>> + '_ {
        self.window.iter().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn high(m: u32, n: u32) -> Alarm {
        Alarm::new(AlarmSpec {
            threshold: 70.0,
            comparison: Comparison::GreaterThan,
            evaluation_periods: n,
            datapoints_to_alarm: m,
        })
    }

    #[test]
    fn three_of_three_fires_on_the_third_breaching_datapoint() {
        let mut a = high(3, 3);
        assert_eq!(a.push(Some(50.0)), AlarmState::Ok);
        assert_eq!(a.push(Some(90.0)), AlarmState::Ok);
        assert_eq!(a.push(Some(90.0)), AlarmState::Ok);
        assert_eq!(a.push(Some(90.0)), AlarmState::Alarm);
        // One good datapoint ends it.
        assert_eq!(a.push(Some(60.0)), AlarmState::Ok);
    }

    #[test]
    fn threshold_itself_does_not_breach_greater_than() {
        let mut a = high(1, 1);
        assert_eq!(a.push(Some(70.0)), AlarmState::Ok);
        assert_eq!(a.push(Some(70.1)), AlarmState::Alarm);
    }

    #[test]
    fn all_missing_is_insufficient_data() {
        let mut a = high(2, 3);
        assert_eq!(a.state(), AlarmState::InsufficientData);
        assert_eq!(a.push(None), AlarmState::InsufficientData);
        assert_eq!(a.push(Some(80.0)), AlarmState::Ok);
        assert_eq!(a.push(Some(80.0)), AlarmState::Alarm);
        a.push(None);
        a.push(None);
        assert_eq!(a.push(None), AlarmState::InsufficientData);
    }

    #[test]
    fn m_of_n_counts_breaches_anywhere_in_the_window() {
        let mut a = high(2, 3);
        a.push(Some(80.0));
        a.push(Some(10.0));
        assert_eq!(a.push(Some(80.0)), AlarmState::Alarm);
        assert_eq!(a.push(Some(10.0)), AlarmState::Ok);
    }
}
