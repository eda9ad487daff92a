//! Target tracking scaling policies for ECS services (Application Auto Scaling).
//!
//! A policy owns the two alarms AWS creates for it (AlarmHigh and AlarmLow), is fed one
//! datapoint per period, and answers with a [`Proposal`]: the desired count it would set.
//! It does not apply min/max capacity, does not combine itself with other policies and does
//! not decide which cooldown wins: the scalable target ([`super::service`]) does, so that the
//! rules for several policies live in one place. The policy does keep its own cooldown clocks,
//! which the scalable target reads and updates.
//!
//! Rules: ecs-reference §6.1 (running count as the starting point) and §6.2 (alarms,
//! cooldowns, proportional scale-out, conservative scale-in).

use super::alarm::{Alarm, AlarmSpec, AlarmState, Comparison};
use super::{
    breaching_count, ceil_count, fmt_value, latest_value, Direction, Proposal, Resolution,
    ServiceMetric,
};
use crate::engine::{SimDuration, SimTime};

/// \[API\] ecs-reference §6.2: `ScaleOutCooldown` defaults to 300 s for ECS services (CDK docs:
/// "Duration.seconds(300) for … ECS services").
pub const DEFAULT_SCALE_OUT_COOLDOWN: SimDuration = SimDuration::from_secs(300);

/// \[API\] ecs-reference §6.2: `ScaleInCooldown` defaults to 300 s for ECS services.
pub const DEFAULT_SCALE_IN_COOLDOWN: SimDuration = SimDuration::from_secs(300);

/// \[API\] ecs-reference §6.2: `DisableScaleIn` defaults to false.
pub const DEFAULT_DISABLE_SCALE_IN: bool = false;

/// \[OBS\] ecs-reference §6.2: AlarmHigh is "metric > target" for 3 of 3 periods (exported live
/// alarms: `evaluation_periods = 3`, `period = 60`; copilot-cli #4233).
pub const DEFAULT_HIGH_ALARM_DATAPOINTS: u32 = 3;

/// \[OBS\] ecs-reference §6.2: AlarmLow needs 15 of 15 periods (exported live alarms:
/// `evaluation_periods = 15`).
pub const DEFAULT_LOW_ALARM_DATAPOINTS: u32 = 15;

/// \[OBS\] ecs-reference §6.2: AlarmLow's threshold is 0.9 × target (exported alarms: target 70
/// → threshold 63, target 80 → 72); \[DOC\] AAS-UG-2023 only says scale-in happens when the
/// metric is "usually more than 10 % lower" than the target.
pub const DEFAULT_LOW_ALARM_RATIO: f64 = 0.9;

/// A target tracking policy, as the scenario validator builds it (defaults applied).
#[derive(Clone, Debug, PartialEq)]
pub struct TargetTrackingConfig {
    /// Policy name; alarms are named `TargetTracking-<name>-AlarmHigh` / `-AlarmLow`.
    pub name: String,
    /// The predefined metric tracked.
    pub metric: ServiceMetric,
    /// 60 s or 20 s datapoints.
    pub resolution: Resolution,
    /// `TargetValue`; must be > 0.
    pub target_value: f64,
    /// `ScaleOutCooldown` ([`DEFAULT_SCALE_OUT_COOLDOWN`]).
    pub scale_out_cooldown: SimDuration,
    /// `ScaleInCooldown` ([`DEFAULT_SCALE_IN_COOLDOWN`]).
    pub scale_in_cooldown: SimDuration,
    /// `DisableScaleIn` ([`DEFAULT_DISABLE_SCALE_IN`]): no AlarmLow, never votes to scale in.
    pub disable_scale_in: bool,
    /// AlarmHigh's M = N ([`DEFAULT_HIGH_ALARM_DATAPOINTS`]).
    pub high_alarm_datapoints: u32,
    /// AlarmLow's M = N ([`DEFAULT_LOW_ALARM_DATAPOINTS`]).
    pub low_alarm_datapoints: u32,
    /// AlarmLow's threshold as a fraction of the target ([`DEFAULT_LOW_ALARM_RATIO`]).
    pub low_alarm_ratio: f64,
}

impl TargetTrackingConfig {
    /// A policy on 1-minute datapoints with every AWS default.
    pub fn new(name: &str, metric: ServiceMetric, target_value: f64) -> TargetTrackingConfig {
        TargetTrackingConfig {
            name: name.to_string(),
            metric,
            resolution: Resolution::Standard,
            target_value,
            scale_out_cooldown: DEFAULT_SCALE_OUT_COOLDOWN,
            scale_in_cooldown: DEFAULT_SCALE_IN_COOLDOWN,
            disable_scale_in: DEFAULT_DISABLE_SCALE_IN,
            high_alarm_datapoints: DEFAULT_HIGH_ALARM_DATAPOINTS,
            low_alarm_datapoints: DEFAULT_LOW_ALARM_DATAPOINTS,
            low_alarm_ratio: DEFAULT_LOW_ALARM_RATIO,
        }
    }

    /// Checks what the scenario validator must reject; the message says what was expected.
    pub fn validate(&self) -> Result<(), String> {
        if self.name.trim().is_empty() {
            return Err("expected a non-empty policy name".to_string());
        }
        if !(self.target_value.is_finite() && self.target_value > 0.0) {
            return Err(format!(
                "expected a target value > 0, got {}",
                self.target_value
            ));
        }
        if self.high_alarm_datapoints == 0 {
            return Err("expected high alarm datapoints ≥ 1".to_string());
        }
        if self.low_alarm_datapoints == 0 {
            return Err("expected low alarm datapoints ≥ 1".to_string());
        }
        if !(self.low_alarm_ratio > 0.0 && self.low_alarm_ratio <= 1.0) {
            return Err(format!(
                "expected a low alarm ratio in (0, 1], got {}",
                self.low_alarm_ratio
            ));
        }
        Ok(())
    }

    /// The name AWS gives the scale-out alarm (AWS appends a UUID, which we omit).
    pub fn high_alarm_name(&self) -> String {
        format!("TargetTracking-{}-AlarmHigh", self.name)
    }

    /// The name AWS gives the scale-in alarm.
    pub fn low_alarm_name(&self) -> String {
        format!("TargetTracking-{}-AlarmLow", self.name)
    }

    /// AlarmHigh: metric > target for M of M datapoints.
    pub fn high_alarm_spec(&self) -> AlarmSpec {
        AlarmSpec {
            threshold: self.target_value,
            comparison: Comparison::GreaterThan,
            evaluation_periods: self.high_alarm_datapoints,
            datapoints_to_alarm: self.high_alarm_datapoints,
        }
    }

    /// AlarmLow: metric < ratio × target for M of M datapoints.
    pub fn low_alarm_spec(&self) -> AlarmSpec {
        AlarmSpec {
            threshold: self.low_alarm_ratio * self.target_value,
            comparison: Comparison::LessThan,
            evaluation_periods: self.low_alarm_datapoints,
            datapoints_to_alarm: self.low_alarm_datapoints,
        }
    }
}

/// The desired count a scale-out proposes.
///
/// \[DOC\] ecs-reference §6.2: scale-out is proportional to the metric, "as fast as it can",
/// rounding capacity up; §6.1: the starting point is the running count, and from 0 running
/// tasks AAS scales out "by the minimum possible amount" once it has a datapoint.
/// \[UNCERTAIN\] AWS does not publish the formula; our working model (\[DERIVED\] §6.2) is
/// `ceil(running × metric / target)`, at least `running + 1` (an alarm in ALARM always asks
/// for more), and `max(1, min_capacity)` from 0 running tasks.
pub fn scale_out_capacity(running: u32, metric: f64, target: f64, min_capacity: u32) -> u32 {
    if running == 0 {
        return min_capacity.max(1);
    }
    ceil_count(f64::from(running) * metric / target).max(running.saturating_add(1))
}

/// The desired count a scale-in proposes.
///
/// \[DOC\] ecs-reference §6.2: scale-in is gradual and rounds conservatively (keeps capacity).
/// \[UNCERTAIN\] the formula is our working model: `ceil(running × metric / target)`, rounding
/// the remaining capacity up so that fewer tasks are removed.
pub fn scale_in_capacity(running: u32, metric: f64, target: f64) -> u32 {
    ceil_count(f64::from(running) * metric / target)
}

/// A target tracking policy at run time: its configuration, its two alarms and its cooldown
/// clocks.
#[derive(Clone, Debug)]
pub struct TargetTrackingPolicy {
    cfg: TargetTrackingConfig,
    high: Alarm,
    low: Option<Alarm>,
    /// When the last scale-out this policy won happened, and the desired count it set.
    last_scale_out: Option<(SimTime, u32)>,
    /// When the last scale-in this policy took part in happened (cleared by a scale-out).
    last_scale_in: Option<SimTime>,
}

impl TargetTrackingPolicy {
    /// A policy with both alarms in INSUFFICIENT_DATA and no cooldown running.
    pub fn new(cfg: TargetTrackingConfig) -> TargetTrackingPolicy {
        let high = Alarm::new(cfg.high_alarm_spec());
        // [DERIVED] a policy that never scales in has no use for AlarmLow (§6.2 DisableScaleIn).
        let low = (!cfg.disable_scale_in).then(|| Alarm::new(cfg.low_alarm_spec()));
        TargetTrackingPolicy {
            cfg,
            high,
            low,
            last_scale_out: None,
            last_scale_in: None,
        }
    }

    /// Its configuration.
    pub fn config(&self) -> &TargetTrackingConfig {
        &self.cfg
    }

    /// Feeds one period's datapoint (`None`: missing) to both alarms.
    pub fn push(&mut self, datapoint: Option<f64>) {
        self.high.push(datapoint);
        if let Some(low) = &mut self.low {
            low.push(datapoint);
        }
    }

    /// AlarmHigh, for explanations (`crate::explain`).
    pub fn high_alarm(&self) -> &Alarm {
        &self.high
    }

    /// AlarmLow, for explanations; `None` when scale-in is disabled.
    pub fn low_alarm(&self) -> Option<&Alarm> {
        self.low.as_ref()
    }

    /// AlarmHigh's state.
    pub fn high_state(&self) -> AlarmState {
        self.high.state()
    }

    /// AlarmLow's state; `None` when scale-in is disabled (no such alarm).
    pub fn low_state(&self) -> Option<AlarmState> {
        self.low.as_ref().map(Alarm::state)
    }

    /// True when this policy takes part in scale-in decisions.
    pub fn scales_in(&self) -> bool {
        self.low.is_some()
    }

    /// True when AlarmLow is in ALARM: the policy is ready to scale in.
    pub fn wants_in(&self) -> bool {
        self.low_state() == Some(AlarmState::Alarm)
    }

    /// What the policy asks for given its alarms' current states, from the running count.
    ///
    /// \[DOC\] CloudWatch re-invokes an alarm's action every period while the alarm stays in
    /// ALARM, so this is asked every period; the cooldowns in [`super::service`] keep the
    /// repeated invocations from stacking. INSUFFICIENT_DATA and OK propose nothing
    /// (ecs-reference §6.2: "missing data ⇒ no scaling either way").
    pub fn propose(&self, running: u32, min_capacity: u32) -> Option<Proposal> {
        let target = self.cfg.target_value;
        if self.high.state() == AlarmState::Alarm {
            let value = latest_value(&self.high)?;
            return Some(Proposal {
                direction: Direction::Out,
                capacity: scale_out_capacity(running, value, target, min_capacity),
                metric_value: value,
                reason: self.reason(&self.high, &self.cfg.high_alarm_name(), value),
            });
        }
        let low = self.low.as_ref()?;
        if low.state() == AlarmState::Alarm {
            let value = latest_value(low)?;
            return Some(Proposal {
                direction: Direction::In,
                capacity: scale_in_capacity(running, value, target),
                metric_value: value,
                reason: self.reason(low, &self.cfg.low_alarm_name(), value),
            });
        }
        None
    }

    /// `monitor alarm <alarm> in state ALARM triggered policy <policy> (<metric> <value> >
    /// <threshold> for <k> of <n> datapoints)`.
    fn reason(&self, alarm: &Alarm, alarm_name: &str, value: f64) -> String {
        let spec = alarm.spec();
        format!(
            "monitor alarm {alarm_name} in state ALARM triggered policy {} ({} {} {} {} for {} of {} datapoints)",
            self.cfg.name,
            self.cfg.metric.aws_name(self.cfg.resolution),
            fmt_value(value),
            spec.comparison.symbol(),
            fmt_value(spec.threshold),
            breaching_count(alarm),
            spec.evaluation_periods,
        )
    }

    /// The desired count set by this policy's last scale-out while its scale-out cooldown is
    /// running at `now`; a new scale-out must exceed it.
    pub fn scale_out_cooldown_floor(&self, now: SimTime) -> Option<u32> {
        self.last_scale_out
            .filter(|&(at, _)| now < at + self.cfg.scale_out_cooldown)
            .map(|(_, to)| to)
    }

    /// True while the scale-in cooldown started by the last scale-in is running.
    pub fn in_scale_in_cooldown(&self, now: SimTime) -> bool {
        self.last_scale_in
            .is_some_and(|at| now < at + self.cfg.scale_in_cooldown)
    }

    /// Records a scale-out this policy won.
    pub fn record_scale_out(&mut self, now: SimTime, to: u32) {
        self.last_scale_out = Some((now, to));
    }

    /// Records a scale-in this policy took part in: starts its scale-in cooldown.
    pub fn record_scale_in(&mut self, now: SimTime) {
        self.last_scale_in = Some(now);
    }

    /// \[DOC\] ecs-reference §6.2: a scale-out during the scale-in cooldown cancels it.
    pub fn cancel_scale_in_cooldown(&mut self) {
        self.last_scale_in = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cpu70() -> TargetTrackingPolicy {
        TargetTrackingPolicy::new(TargetTrackingConfig::new(
            "cpu70",
            ServiceMetric::CpuUtilization,
            70.0,
        ))
    }

    #[test]
    fn defaults_are_the_aws_ones() {
        let c = TargetTrackingConfig::new("p", ServiceMetric::CpuUtilization, 70.0);
        assert_eq!(c.scale_out_cooldown, SimDuration::from_secs(300));
        assert_eq!(c.scale_in_cooldown, SimDuration::from_secs(300));
        assert!(!c.disable_scale_in);
        assert_eq!(c.high_alarm_spec().evaluation_periods, 3);
        assert_eq!(c.high_alarm_spec().datapoints_to_alarm, 3);
        // 0.9 × 70 = 63.
        assert!((c.low_alarm_spec().threshold - 63.0).abs() < 1e-9);
        assert_eq!(c.low_alarm_spec().evaluation_periods, 15);
        assert_eq!(c.high_alarm_name(), "TargetTracking-p-AlarmHigh");
        assert_eq!(c.low_alarm_name(), "TargetTracking-p-AlarmLow");
        assert_eq!(c.validate(), Ok(()));
    }

    #[test]
    fn validation_rejects_bad_values() {
        let ok = TargetTrackingConfig::new("p", ServiceMetric::CpuUtilization, 70.0);
        let mut c = ok.clone();
        c.target_value = 0.0;
        assert!(c.validate().unwrap_err().contains("target value > 0"));
        c.target_value = f64::NAN;
        assert!(c.validate().is_err());
        let mut c = ok.clone();
        c.name = " ".into();
        assert!(c.validate().unwrap_err().contains("name"));
        let mut c = ok.clone();
        c.high_alarm_datapoints = 0;
        assert!(c.validate().unwrap_err().contains("high alarm"));
        let mut c = ok.clone();
        c.low_alarm_datapoints = 0;
        assert!(c.validate().unwrap_err().contains("low alarm datapoints"));
        let mut c = ok;
        c.low_alarm_ratio = 1.5;
        assert!(c.validate().unwrap_err().contains("(0, 1]"));
    }

    #[test]
    fn scale_out_is_proportional_to_the_running_count() {
        // 4 × 85.2 / 70 = 4.87 → 5.
        assert_eq!(scale_out_capacity(4, 85.2, 70.0, 1), 5);
        // 10 × 140 / 70 = 20 exactly → 20.
        assert_eq!(scale_out_capacity(10, 140.0, 70.0, 1), 20);
        // 10 × 70.1 / 70 = 10.01 → 11; never less than running + 1.
        assert_eq!(scale_out_capacity(10, 70.1, 70.0, 1), 11);
        assert_eq!(scale_out_capacity(10, 70.0001, 70.0, 1), 11);
        // From 0 running tasks: the minimum possible amount, at least min capacity.
        assert_eq!(scale_out_capacity(0, 500.0, 70.0, 0), 1);
        assert_eq!(scale_out_capacity(0, 500.0, 70.0, 3), 3);
    }

    #[test]
    fn scale_in_rounds_capacity_up() {
        // 10 × 50 / 70 = 7.14 → 8 (remove 2, not 3).
        assert_eq!(scale_in_capacity(10, 50.0, 70.0), 8);
        // 7 × 60 / 70 = 6 exactly → 6.
        assert_eq!(scale_in_capacity(7, 60.0, 70.0), 6);
        // A real zero (ALBRequestCountPerTarget) can reach 0.
        assert_eq!(scale_in_capacity(5, 0.0, 100.0), 0);
    }

    #[test]
    fn high_alarm_proposes_at_the_third_breaching_datapoint() {
        let mut p = cpu70();
        p.push(Some(50.0));
        assert_eq!(p.propose(4, 1), None);
        p.push(Some(85.2));
        p.push(Some(85.2));
        assert_eq!(p.high_state(), AlarmState::Ok);
        assert_eq!(p.propose(4, 1), None);
        p.push(Some(85.2));
        assert_eq!(p.high_state(), AlarmState::Alarm);
        let prop = p.propose(4, 1).unwrap();
        assert_eq!(prop.direction, Direction::Out);
        // 4 × 85.2 / 70 = 4.87 → 5.
        assert_eq!(prop.capacity, 5);
        assert_eq!(prop.metric_value, 85.2);
        assert_eq!(
            prop.reason,
            "monitor alarm TargetTracking-cpu70-AlarmHigh in state ALARM triggered policy cpu70 \
             (ECSServiceAverageCPUUtilization 85.2 > 70 for 3 of 3 datapoints)"
        );
    }

    #[test]
    fn low_alarm_needs_fifteen_datapoints_below_ninety_percent() {
        let mut p = cpu70();
        for i in 1..=15 {
            // 62.9 < 63 = 0.9 × 70.
            p.push(Some(62.9));
            let want = if i < 15 { None } else { Some(Direction::In) };
            assert_eq!(p.propose(10, 1).map(|x| x.direction), want, "datapoint {i}");
        }
        let prop = p.propose(10, 1).unwrap();
        // 10 × 62.9 / 70 = 8.99 → 9.
        assert_eq!(prop.capacity, 9);
        assert!(prop.reason.contains("TargetTracking-cpu70-AlarmLow"));
        assert!(prop.reason.contains("62.9 < 63 for 15 of 15 datapoints"));
        // 63 itself is not below the threshold.
        let mut p = cpu70();
        for _ in 0..20 {
            p.push(Some(63.0));
        }
        assert_eq!(p.low_state(), Some(AlarmState::Ok));
        assert_eq!(p.propose(10, 1), None);
    }

    #[test]
    fn disabled_scale_in_has_no_low_alarm() {
        let mut c = TargetTrackingConfig::new("p", ServiceMetric::CpuUtilization, 70.0);
        c.disable_scale_in = true;
        let mut p = TargetTrackingPolicy::new(c);
        for _ in 0..30 {
            p.push(Some(1.0));
        }
        assert!(!p.scales_in());
        assert_eq!(p.low_state(), None);
        assert_eq!(p.propose(10, 1), None);
    }

    #[test]
    fn missing_data_proposes_nothing() {
        let mut p = cpu70();
        for _ in 0..20 {
            p.push(None);
        }
        assert_eq!(p.high_state(), AlarmState::InsufficientData);
        assert_eq!(p.low_state(), Some(AlarmState::InsufficientData));
        assert_eq!(p.propose(3, 1), None);
    }

    #[test]
    fn cooldown_clocks() {
        let mut p = cpu70();
        let t = SimTime(1_000_000);
        assert_eq!(p.scale_out_cooldown_floor(t), None);
        p.record_scale_out(t, 7);
        assert_eq!(
            p.scale_out_cooldown_floor(t + SimDuration::from_secs(299)),
            Some(7)
        );
        assert_eq!(
            p.scale_out_cooldown_floor(t + SimDuration::from_secs(300)),
            None
        );
        p.record_scale_in(t);
        assert!(p.in_scale_in_cooldown(t + SimDuration::from_secs(299)));
        assert!(!p.in_scale_in_cooldown(t + SimDuration::from_secs(300)));
        p.cancel_scale_in_cooldown();
        assert!(!p.in_scale_in_cooldown(t + SimDuration::from_secs(1)));
    }
}
