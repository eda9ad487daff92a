//! Step scaling policies for ECS services (Application Auto Scaling).
//!
//! A step policy is triggered by a user-owned CloudWatch alarm. While the alarm is in ALARM,
//! the policy aggregates the alarm window's datapoints (`MetricAggregationType`), measures how
//! far the aggregate is from the alarm threshold, picks the step adjustment whose interval
//! contains that difference and applies it to the running count. This file holds the
//! configuration, its validation (AWS's rules for step intervals), the arithmetic (interval
//! edges, percent rounding, `MinAdjustmentMagnitude`) and the policy's cooldown clocks. The
//! scalable target ([`super::service`]) clamps to min/max and combines policies.
//!
//! Rules: ecs-reference §6.3 (\[DOC\] AAS-UG-2023 `application-auto-scaling-step-scaling-
//! policies.md`; \[API\] `StepScalingPolicyConfiguration`, `StepAdjustment`).

use std::fmt;

use super::alarm::{Alarm, AlarmSpec, AlarmState, Comparison};
use super::{breaching_count, fmt_value, Direction, Proposal, Resolution, ServiceMetric};
use crate::engine::{SimDuration, SimTime};

/// \[DOC\] ecs-reference §6.3: a step policy's `Cooldown` defaults to 300 s, with the same
/// scale-out/scale-in semantics as target tracking.
pub const DEFAULT_STEP_COOLDOWN: SimDuration = SimDuration::from_secs(300);

/// \[DOC\] ecs-reference §6.3: `MetricAggregationType` defaults to `Average`.
pub const DEFAULT_METRIC_AGGREGATION: MetricAggregation = MetricAggregation::Average;

/// The alarm that triggers a step policy (user-owned in AWS; here part of the policy).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepAlarmConfig {
    /// The service metric the alarm watches.
    pub metric: ServiceMetric,
    /// 60 s or 20 s datapoints.
    pub resolution: Resolution,
    /// Alarm threshold; step bounds are relative to it.
    pub threshold: f64,
    /// Comparison with the threshold.
    pub comparison: Comparison,
    /// `EvaluationPeriods` (N ≥ 1).
    pub evaluation_periods: u32,
    /// `DatapointsToAlarm` (1 ≤ M ≤ N).
    pub datapoints_to_alarm: u32,
}

impl StepAlarmConfig {
    /// The CloudWatch alarm it describes.
    pub fn spec(&self) -> AlarmSpec {
        AlarmSpec {
            threshold: self.threshold,
            comparison: self.comparison,
            evaluation_periods: self.evaluation_periods,
            datapoints_to_alarm: self.datapoints_to_alarm,
        }
    }

    /// Checks what the scenario validator must reject.
    pub fn validate(&self) -> Result<(), String> {
        if !self.threshold.is_finite() {
            return Err(format!(
                "expected a finite alarm threshold, got {}",
                self.threshold
            ));
        }
        if self.evaluation_periods == 0 {
            return Err("expected evaluation periods ≥ 1".to_string());
        }
        if self.datapoints_to_alarm == 0 || self.datapoints_to_alarm > self.evaluation_periods {
            return Err(format!(
                "expected 1 ≤ datapoints to alarm ≤ evaluation periods ({}), got {}",
                self.evaluation_periods, self.datapoints_to_alarm
            ));
        }
        Ok(())
    }

    /// True for `GreaterThan…` alarms, whose breaches lie above the threshold.
    pub fn breaches_upward(&self) -> bool {
        matches!(
            self.comparison,
            Comparison::GreaterThan | Comparison::GreaterThanOrEqualTo
        )
    }
}

/// How a step's `ScalingAdjustment` is applied (`AdjustmentType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdjustmentType {
    /// Add the adjustment (negative: remove) to the current count.
    ChangeInCapacity,
    /// Set the count to the adjustment (must be ≥ 0).
    ExactCapacity,
    /// Add the adjustment as a percentage of the current count, rounded per §6.3.
    PercentChangeInCapacity,
}

impl AdjustmentType {
    /// The AWS name.
    pub fn aws_name(self) -> &'static str {
        match self {
            AdjustmentType::ChangeInCapacity => "ChangeInCapacity",
            AdjustmentType::ExactCapacity => "ExactCapacity",
            AdjustmentType::PercentChangeInCapacity => "PercentChangeInCapacity",
        }
    }
}

/// One step: an interval of `aggregate − threshold` and the adjustment applied inside it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepAdjustment {
    /// Lower bound of the difference; `None` is −∞.
    pub metric_interval_lower_bound: Option<f64>,
    /// Upper bound of the difference; `None` is +∞.
    pub metric_interval_upper_bound: Option<f64>,
    /// The adjustment (meaning set by [`AdjustmentType`]).
    pub scaling_adjustment: i64,
}

impl StepAdjustment {
    /// True when `diff` (aggregate − threshold) falls in the step.
    ///
    /// \[API\] ecs-reference §6.3 / AAS-API `StepAdjustment`: when the metric is above the
    /// threshold the lower bound is inclusive and the upper exclusive (`[lo, hi)`); below it,
    /// the lower bound is exclusive and the upper inclusive (`(lo, hi]`). `above` picks the
    /// side; at exactly the threshold the caller decides (see [`select_step`]).
    pub fn contains(&self, diff: f64, above: bool) -> bool {
        let lo = self.metric_interval_lower_bound;
        let hi = self.metric_interval_upper_bound;
        if above {
            lo.map_or(true, |l| diff >= l) && hi.map_or(true, |h| diff < h)
        } else {
            lo.map_or(true, |l| diff > l) && hi.map_or(true, |h| diff <= h)
        }
    }

    /// The interval as text, e.g. `[10, 20)`, `(-inf, -5]`.
    pub fn interval(&self, above: bool) -> String {
        let lo = self
            .metric_interval_lower_bound
            .map_or("-inf".to_string(), fmt_value);
        let hi = self
            .metric_interval_upper_bound
            .map_or("+inf".to_string(), fmt_value);
        if above {
            format!("[{lo}, {hi})")
        } else {
            format!("({lo}, {hi}]")
        }
    }
}

/// How the alarm window's datapoints are combined (`MetricAggregationType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricAggregation {
    /// Mean ([`DEFAULT_METRIC_AGGREGATION`]).
    Average,
    /// Smallest.
    Minimum,
    /// Largest.
    Maximum,
}

impl MetricAggregation {
    /// The AWS name.
    pub fn aws_name(self) -> &'static str {
        match self {
            MetricAggregation::Average => "Average",
            MetricAggregation::Minimum => "Minimum",
            MetricAggregation::Maximum => "Maximum",
        }
    }

    /// The aggregate of `values`; `None` when there are none.
    pub fn aggregate(self, values: impl IntoIterator<Item = f64>) -> Option<f64> {
        let mut count = 0u32;
        let mut sum = 0.0;
        let mut min = f64::INFINITY;
        let mut max = f64::NEG_INFINITY;
        for v in values {
            count += 1;
            sum += v;
            min = min.min(v);
            max = max.max(v);
        }
        if count == 0 {
            return None;
        }
        Some(match self {
            MetricAggregation::Average => sum / f64::from(count),
            MetricAggregation::Minimum => min,
            MetricAggregation::Maximum => max,
        })
    }
}

impl fmt::Display for MetricAggregation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.aws_name())
    }
}

/// A step scaling policy, as the scenario validator builds it.
#[derive(Clone, Debug, PartialEq)]
pub struct StepScalingConfig {
    /// Policy name; its alarm is named `StepScaling-<name>-Alarm`.
    pub name: String,
    /// The alarm that triggers it.
    pub alarm: StepAlarmConfig,
    /// How adjustments apply.
    pub adjustment_type: AdjustmentType,
    /// The steps (validated by [`validate_step_adjustments`]).
    pub step_adjustments: Vec<StepAdjustment>,
    /// `MinAdjustmentMagnitude`: smallest number of tasks a percent adjustment changes.
    pub min_adjustment_magnitude: Option<u32>,
    /// `Cooldown` ([`DEFAULT_STEP_COOLDOWN`]).
    pub cooldown: SimDuration,
    /// `MetricAggregationType` ([`DEFAULT_METRIC_AGGREGATION`]).
    pub metric_aggregation_type: MetricAggregation,
}

impl StepScalingConfig {
    /// Checks what the scenario validator must reject; the message says what was expected.
    pub fn validate(&self) -> Result<(), String> {
        if self.name.trim().is_empty() {
            return Err("expected a non-empty policy name".to_string());
        }
        self.alarm.validate()?;
        validate_step_adjustments(&self.step_adjustments, self.adjustment_type)?;
        match self.min_adjustment_magnitude {
            None => {}
            Some(_) if self.adjustment_type != AdjustmentType::PercentChangeInCapacity => {
                // [DOC] ecs-reference §6.3: MinAdjustmentMagnitude applies to percent
                // adjustments only.
                return Err(format!(
                    "expected no min adjustment magnitude with {} (it applies to \
                     PercentChangeInCapacity only)",
                    self.adjustment_type.aws_name()
                ));
            }
            Some(0) => return Err("expected a min adjustment magnitude ≥ 1".to_string()),
            Some(_) => {}
        }
        Ok(())
    }

    /// The name we give the triggering alarm in causes.
    pub fn alarm_name(&self) -> String {
        format!("StepScaling-{}-Alarm", self.name)
    }
}

/// Checks a policy's steps against AWS's rules.
///
/// \[API\] ecs-reference §6.3 and AAS-API `StepAdjustment`: intervals neither overlap nor leave
/// a gap; at most one step has no lower bound and at most one has no upper bound; no step
/// lacks both bounds (AWS states this without exception, so a single unbounded step is
/// rejected too); a negative lower bound requires a step with no lower bound, and a positive
/// upper bound a step with no upper bound; `ExactCapacity` adjustments are non-negative.
pub fn validate_step_adjustments(
    steps: &[StepAdjustment],
    adjustment_type: AdjustmentType,
) -> Result<(), String> {
    if steps.is_empty() {
        return Err("expected at least one step adjustment".to_string());
    }
    for (i, s) in steps.iter().enumerate() {
        let (lo, hi) = (s.metric_interval_lower_bound, s.metric_interval_upper_bound);
        if lo.is_some_and(|v| !v.is_finite()) || hi.is_some_and(|v| !v.is_finite()) {
            return Err(format!("step adjustment {i}: expected finite bounds"));
        }
        if lo.is_none() && hi.is_none() {
            return Err(format!(
                "step adjustment {i}: expected a lower or an upper bound (AWS rejects a step \
                 with neither)"
            ));
        }
        if let (Some(l), Some(h)) = (lo, hi) {
            if l >= h {
                return Err(format!(
                    "step adjustment {i}: expected lower bound < upper bound, got {} and {}",
                    fmt_value(l),
                    fmt_value(h)
                ));
            }
        }
        if adjustment_type == AdjustmentType::ExactCapacity && s.scaling_adjustment < 0 {
            return Err(format!(
                "step adjustment {i}: expected a non-negative adjustment with ExactCapacity, \
                 got {}",
                s.scaling_adjustment
            ));
        }
    }
    let open_below = steps
        .iter()
        .filter(|s| s.metric_interval_lower_bound.is_none())
        .count();
    let open_above = steps
        .iter()
        .filter(|s| s.metric_interval_upper_bound.is_none())
        .count();
    if open_below > 1 {
        return Err("expected at most one step adjustment without a lower bound".to_string());
    }
    if open_above > 1 {
        return Err("expected at most one step adjustment without an upper bound".to_string());
    }
    if open_below == 0
        && steps
            .iter()
            .any(|s| s.metric_interval_lower_bound.is_some_and(|l| l < 0.0))
    {
        return Err(
            "expected a step adjustment without a lower bound, since one has a negative lower \
             bound"
                .to_string(),
        );
    }
    if open_above == 0
        && steps
            .iter()
            .any(|s| s.metric_interval_upper_bound.is_some_and(|h| h > 0.0))
    {
        return Err(
            "expected a step adjustment without an upper bound, since one has a positive upper \
             bound"
                .to_string(),
        );
    }
    // Sorted by lower bound (−∞ first), each step must end exactly where the next begins.
    let mut sorted: Vec<&StepAdjustment> = steps.iter().collect();
    sorted.sort_by(|a, b| {
        let key = |s: &StepAdjustment| s.metric_interval_lower_bound.unwrap_or(f64::NEG_INFINITY);
        key(a).total_cmp(&key(b))
    });
    for pair in sorted.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let end = a.metric_interval_upper_bound.unwrap_or(f64::INFINITY);
        let start = b.metric_interval_lower_bound.unwrap_or(f64::NEG_INFINITY);
        if end < start {
            return Err(format!(
                "expected step adjustments without gaps, but nothing covers [{}, {})",
                fmt_value(end),
                fmt_value(start)
            ));
        }
        if end > start {
            return Err(format!(
                "expected step adjustments without overlaps, but two cover {}",
                fmt_value(start)
            ));
        }
    }
    Ok(())
}

/// The step whose interval contains `diff` (aggregate − threshold).
///
/// Above the threshold intervals are `[lo, hi)`, below it `(lo, hi]` (see
/// [`StepAdjustment::contains`]). At exactly the threshold AWS's own examples put the value
/// in both a `[0, 10)` step and a `(-10, 0]` step, so we try the side the alarm breaches
/// towards first (`prefer_above` for `GreaterThan…` alarms), then the other.
pub fn select_step(
    steps: &[StepAdjustment],
    diff: f64,
    prefer_above: bool,
) -> Option<(&StepAdjustment, bool)> {
    let find = |above: bool| steps.iter().find(|s| s.contains(diff, above));
    if diff > 0.0 {
        find(true).map(|s| (s, true))
    } else if diff < 0.0 {
        find(false).map(|s| (s, false))
    } else {
        find(prefer_above)
            .map(|s| (s, prefer_above))
            .or_else(|| find(!prefer_above).map(|s| (s, !prefer_above)))
    }
}

/// Rounds a percent adjustment computed as a number of tasks.
///
/// \[DOC\] ecs-reference §6.3: greater than 1 rounds down (12.7 → 12); between 0 and 1 becomes
/// 1; between −1 and 0 becomes −1; less than −1 rounds toward zero (−6.67 → −6). Whole values
/// are kept.
pub fn round_percent_adjustment(x: f64) -> i64 {
    if !x.is_finite() || x == 0.0 {
        0
    } else if x > 0.0 && x < 1.0 {
        1
    } else if x < 0.0 && x > -1.0 {
        -1
    } else {
        // Both remaining cases (≥ 1 and ≤ −1) round toward zero.
        x.trunc() as i64
    }
}

/// The desired count a step adjustment yields from `base` tasks.
///
/// \[DOC\] ecs-reference §6.3: `ExactCapacity` sets the count; `ChangeInCapacity` adds;
/// `PercentChangeInCapacity` adds `base × adjustment / 100` rounded by
/// [`round_percent_adjustment`], then at least `MinAdjustmentMagnitude` tasks in the same
/// direction.
pub fn adjusted_capacity(
    base: u32,
    adjustment_type: AdjustmentType,
    scaling_adjustment: i64,
    min_adjustment_magnitude: Option<u32>,
) -> u32 {
    let to_count = |v: i64| v.clamp(0, i64::from(u32::MAX)) as u32;
    match adjustment_type {
        AdjustmentType::ExactCapacity => to_count(scaling_adjustment),
        AdjustmentType::ChangeInCapacity => to_count(i64::from(base) + scaling_adjustment),
        AdjustmentType::PercentChangeInCapacity => {
            let x = f64::from(base) * scaling_adjustment as f64 / 100.0;
            let mut change = round_percent_adjustment(x);
            if let Some(m) = min_adjustment_magnitude {
                if scaling_adjustment != 0 && change.abs() < i64::from(m) {
                    change = scaling_adjustment.signum() * i64::from(m);
                }
            }
            to_count(i64::from(base) + change)
        }
    }
}

/// The running scale-out cooldown of a step policy.
#[derive(Clone, Copy, Debug, PartialEq)]
struct OutCooldown {
    at: SimTime,
    /// The count the initiating scale-out started from.
    base: u32,
    /// The count it set.
    to: u32,
}

/// A step scaling policy at run time: configuration, alarm and cooldown clocks.
#[derive(Clone, Debug)]
pub struct StepScalingPolicy {
    cfg: StepScalingConfig,
    alarm: Alarm,
    out_cooldown: Option<OutCooldown>,
    last_scale_in: Option<SimTime>,
}

impl StepScalingPolicy {
    /// A policy whose alarm is in INSUFFICIENT_DATA, with no cooldown running.
    pub fn new(cfg: StepScalingConfig) -> StepScalingPolicy {
        let alarm = Alarm::new(cfg.alarm.spec());
        StepScalingPolicy {
            cfg,
            alarm,
            out_cooldown: None,
            last_scale_in: None,
        }
    }

    /// Its configuration.
    pub fn config(&self) -> &StepScalingConfig {
        &self.cfg
    }

    /// Feeds one period's datapoint (`None`: missing) to the alarm.
    pub fn push(&mut self, datapoint: Option<f64>) {
        self.alarm.push(datapoint);
    }

    /// The alarm, for explanations (`crate::explain`).
    pub fn alarm(&self) -> &Alarm {
        &self.alarm
    }

    /// The base of a scale-out at `now`: the count the running cooldown's first scale-out
    /// started from, if one runs (see [`StepScalingPolicy::propose`]).
    pub fn scale_out_base(&self, now: SimTime) -> Option<u32> {
        self.running_out_cooldown(now).map(|cd| cd.base)
    }

    /// The alarm's state.
    pub fn alarm_state(&self) -> AlarmState {
        self.alarm.state()
    }

    /// What the policy asks for now, or `None` (alarm not in ALARM, no step matches, or the
    /// step changes nothing).
    ///
    /// The base is the running count (ecs-reference §6.1), except for a scale-out during this
    /// policy's scale-out cooldown: \[DOC\] §6.3/§6.2 "capacity added in the cooldown counts
    /// toward the next decision" and no further scale-out happens "unless a larger one is
    /// triggered", so the adjustment is applied to the count the initiating scale-out started
    /// from. A second alarm period with the same step then proposes what is already set (and
    /// does nothing), while a larger step adds only the difference. \[DERIVED\] reading of
    /// AAS-UG-2023; AWS does not say which count it uses as the base inside the cooldown.
    pub fn propose(&self, now: SimTime, running: u32, desired: u32) -> Option<Proposal> {
        if self.alarm.state() != AlarmState::Alarm {
            return None;
        }
        let agg = self
            .cfg
            .metric_aggregation_type
            .aggregate(self.alarm.datapoints().flatten())?;
        let threshold = self.cfg.alarm.threshold;
        let diff = agg - threshold;
        let (step, above) = select_step(
            &self.cfg.step_adjustments,
            diff,
            self.cfg.alarm.breaches_upward(),
        )?;
        let adj = step.scaling_adjustment;
        let (direction, capacity) = match self.cfg.adjustment_type {
            AdjustmentType::ExactCapacity => {
                let c = adjusted_capacity(running, AdjustmentType::ExactCapacity, adj, None);
                match c.cmp(&desired) {
                    std::cmp::Ordering::Greater => (Direction::Out, c),
                    std::cmp::Ordering::Less => (Direction::In, c),
                    std::cmp::Ordering::Equal => return None,
                }
            }
            kind => {
                let direction = match adj.signum() {
                    1 => Direction::Out,
                    -1 => Direction::In,
                    _ => return None,
                };
                let base = match (direction, self.running_out_cooldown(now)) {
                    (Direction::Out, Some(cd)) => cd.base,
                    _ => running,
                };
                let c = adjusted_capacity(base, kind, adj, self.cfg.min_adjustment_magnitude);
                (direction, c)
            }
        };
        let spec = self.alarm.spec();
        let reason = format!(
            "monitor alarm {} in state ALARM triggered policy {} ({} {} {} {} for {} of {} \
             datapoints; {} {} is {:+} from the threshold, step {}: {} {:+})",
            self.cfg.alarm_name(),
            self.cfg.name,
            self.cfg.alarm.metric.aws_name(self.cfg.alarm.resolution),
            fmt_value(latest_or(&self.alarm, agg)),
            spec.comparison.symbol(),
            fmt_value(threshold),
            breaching_count(&self.alarm),
            spec.evaluation_periods,
            self.cfg.metric_aggregation_type,
            fmt_value(agg),
            RoundedSigned(diff),
            step.interval(above),
            self.cfg.adjustment_type.aws_name(),
            adj,
        );
        Some(Proposal {
            direction,
            capacity,
            metric_value: agg,
            reason,
        })
    }

    fn running_out_cooldown(&self, now: SimTime) -> Option<OutCooldown> {
        self.out_cooldown
            .filter(|cd| now < cd.at + self.cfg.cooldown)
    }

    /// The count set by this policy's last scale-out while its cooldown runs at `now`; a new
    /// scale-out must exceed it.
    pub fn scale_out_cooldown_floor(&self, now: SimTime) -> Option<u32> {
        self.running_out_cooldown(now).map(|cd| cd.to)
    }

    /// True while the cooldown started by this policy's last scale-in runs: \[DOC\] §6.3
    /// scale-in is blocked until it expires.
    pub fn in_scale_in_cooldown(&self, now: SimTime) -> bool {
        self.last_scale_in
            .is_some_and(|at| now < at + self.cfg.cooldown)
    }

    /// Records a scale-out this policy won from `running` tasks to `to`. Inside a running
    /// cooldown the original base is kept, so the chain of scale-outs is measured from where
    /// it started.
    pub fn record_scale_out(&mut self, now: SimTime, running: u32, to: u32) {
        let base = self.running_out_cooldown(now).map_or(running, |cd| cd.base);
        self.out_cooldown = Some(OutCooldown { at: now, base, to });
    }

    /// Records a scale-in this policy won: starts its cooldown.
    pub fn record_scale_in(&mut self, now: SimTime) {
        self.last_scale_in = Some(now);
    }

    /// \[DOC\] ecs-reference §6.3 (same as §6.2): a scale-out cancels a running scale-in
    /// cooldown.
    pub fn cancel_scale_in_cooldown(&mut self) {
        self.last_scale_in = None;
    }
}

/// The latest datapoint of the window, or `fallback`.
fn latest_or(alarm: &Alarm, fallback: f64) -> f64 {
    super::latest_value(alarm).unwrap_or(fallback)
}

/// A signed value printed like [`fmt_value`] with an explicit `+`.
struct RoundedSigned(f64);

impl fmt::Display for RoundedSigned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = fmt_value(self.0);
        if s.starts_with('-') {
            f.write_str(&s)
        } else {
            write!(f, "+{s}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(lo: Option<f64>, hi: Option<f64>, adj: i64) -> StepAdjustment {
        StepAdjustment {
            metric_interval_lower_bound: lo,
            metric_interval_upper_bound: hi,
            scaling_adjustment: adj,
        }
    }

    /// Scale-out steps over threshold 70: [0, 10) +1, [10, 20) +2, [20, ∞) +4.
    fn out_steps() -> Vec<StepAdjustment> {
        vec![
            step(Some(0.0), Some(10.0), 1),
            step(Some(10.0), Some(20.0), 2),
            step(Some(20.0), None, 4),
        ]
    }

    fn policy(
        comparison: Comparison,
        threshold: f64,
        m_of_n: (u32, u32),
        adjustment_type: AdjustmentType,
        steps: Vec<StepAdjustment>,
    ) -> StepScalingPolicy {
        StepScalingPolicy::new(StepScalingConfig {
            name: "cpu-steps".into(),
            alarm: StepAlarmConfig {
                metric: ServiceMetric::CpuUtilization,
                resolution: Resolution::Standard,
                threshold,
                comparison,
                evaluation_periods: m_of_n.1,
                datapoints_to_alarm: m_of_n.0,
            },
            adjustment_type,
            step_adjustments: steps,
            min_adjustment_magnitude: None,
            cooldown: DEFAULT_STEP_COOLDOWN,
            metric_aggregation_type: DEFAULT_METRIC_AGGREGATION,
        })
    }

    #[test]
    fn percent_rounding_follows_the_documented_rules() {
        assert_eq!(round_percent_adjustment(1.5), 1);
        assert_eq!(round_percent_adjustment(0.4), 1);
        assert_eq!(round_percent_adjustment(-0.4), -1);
        assert_eq!(round_percent_adjustment(-1.5), -1);
        assert_eq!(round_percent_adjustment(12.7), 12);
        assert_eq!(round_percent_adjustment(-6.67), -6);
        assert_eq!(round_percent_adjustment(1.0), 1);
        assert_eq!(round_percent_adjustment(-1.0), -1);
        assert_eq!(round_percent_adjustment(0.0), 0);
    }

    #[test]
    fn adjustment_types() {
        use AdjustmentType::*;
        assert_eq!(adjusted_capacity(4, ChangeInCapacity, 2, None), 6);
        assert_eq!(adjusted_capacity(4, ChangeInCapacity, -6, None), 0);
        assert_eq!(adjusted_capacity(4, ExactCapacity, 9, None), 9);
        // 10 × 15 % = 1.5 → +1.
        assert_eq!(adjusted_capacity(10, PercentChangeInCapacity, 15, None), 11);
        // 2 × 20 % = 0.4 → +1.
        assert_eq!(adjusted_capacity(2, PercentChangeInCapacity, 20, None), 3);
        // 2 × −20 % = −0.4 → −1.
        assert_eq!(adjusted_capacity(2, PercentChangeInCapacity, -20, None), 1);
        // 10 × −15 % = −1.5 → −1.
        assert_eq!(adjusted_capacity(10, PercentChangeInCapacity, -15, None), 9);
        // 30 × −22 % = −6.6 → −6.
        assert_eq!(
            adjusted_capacity(30, PercentChangeInCapacity, -22, None),
            24
        );
    }

    #[test]
    fn min_adjustment_magnitude_raises_small_percent_changes() {
        use AdjustmentType::PercentChangeInCapacity as P;
        // 10 × 15 % = 1.5 → 1, raised to 3.
        assert_eq!(adjusted_capacity(10, P, 15, Some(3)), 13);
        // 10 × −15 % = −1.5 → −1, raised to −3.
        assert_eq!(adjusted_capacity(10, P, -15, Some(3)), 7);
        // 100 × 50 % = 50 ≥ 3: unchanged.
        assert_eq!(adjusted_capacity(100, P, 50, Some(3)), 150);
        // From 0 tasks the percentage is 0 tasks; the magnitude still moves 2.
        assert_eq!(adjusted_capacity(0, P, 50, Some(2)), 2);
        assert_eq!(adjusted_capacity(0, P, 50, None), 0);
    }

    #[test]
    fn interval_edges_above_and_below_the_threshold() {
        let above = step(Some(0.0), Some(10.0), 1);
        assert!(above.contains(0.0, true));
        assert!(above.contains(9.999, true));
        assert!(!above.contains(10.0, true));
        let below = step(Some(-10.0), Some(0.0), -1);
        assert!(below.contains(0.0, false));
        assert!(below.contains(-9.999, false));
        assert!(!below.contains(-10.0, false));

        let steps = out_steps();
        let pick = |d: f64| select_step(&steps, d, true).map(|(s, _)| s.scaling_adjustment);
        assert_eq!(pick(0.0), Some(1));
        assert_eq!(pick(9.99), Some(1));
        // 10 belongs to [10, 20), not [0, 10).
        assert_eq!(pick(10.0), Some(2));
        assert_eq!(pick(20.0), Some(4));
        assert_eq!(pick(1e9), Some(4));
        assert_eq!(pick(-0.5), None);

        let in_steps = vec![
            step(Some(-10.0), Some(0.0), -1),
            step(None, Some(-10.0), -3),
        ];
        let pick = |d: f64| select_step(&in_steps, d, false).map(|(s, _)| s.scaling_adjustment);
        assert_eq!(pick(0.0), Some(-1));
        // −10 belongs to (−∞, −10], not (−10, 0].
        assert_eq!(pick(-10.0), Some(-3));
        assert_eq!(pick(-9.99), Some(-1));
        assert_eq!(pick(0.01), None);

        // At the threshold with both sides present, the alarm's direction decides.
        let both = vec![step(None, Some(0.0), -1), step(Some(0.0), None, 1)];
        assert_eq!(
            select_step(&both, 0.0, true).unwrap().0.scaling_adjustment,
            1
        );
        assert_eq!(
            select_step(&both, 0.0, false).unwrap().0.scaling_adjustment,
            -1
        );
    }

    #[test]
    fn step_validation_accepts_aws_shapes() {
        use AdjustmentType::*;
        assert_eq!(
            validate_step_adjustments(&out_steps(), ChangeInCapacity),
            Ok(())
        );
        let in_steps = vec![
            step(Some(-10.0), Some(0.0), -1),
            step(None, Some(-10.0), -3),
        ];
        assert_eq!(
            validate_step_adjustments(&in_steps, ChangeInCapacity),
            Ok(())
        );
        assert_eq!(
            validate_step_adjustments(&[step(Some(0.0), None, 2)], ChangeInCapacity),
            Ok(())
        );
        assert_eq!(
            validate_step_adjustments(&[step(None, Some(0.0), -2)], ChangeInCapacity),
            Ok(())
        );
        // Both sides of the threshold in one policy, in any order.
        let two_sided = vec![step(Some(0.0), None, 1), step(None, Some(0.0), -1)];
        assert_eq!(
            validate_step_adjustments(&two_sided, ChangeInCapacity),
            Ok(())
        );
    }

    #[test]
    fn step_validation_rejects_what_aws_rejects() {
        use AdjustmentType::*;
        let err = |steps: &[StepAdjustment], t| validate_step_adjustments(steps, t).unwrap_err();
        assert!(err(&[], ChangeInCapacity).contains("at least one"));
        assert!(err(&[step(None, None, 1)], ChangeInCapacity).contains("lower or an upper"));
        assert!(err(&[step(Some(5.0), Some(5.0), 1)], ChangeInCapacity).contains("lower bound <"));
        // Gap between 10 and 15.
        let gap = vec![step(Some(0.0), Some(10.0), 1), step(Some(15.0), None, 2)];
        assert!(err(&gap, ChangeInCapacity).contains("gaps"));
        // Overlap on [5, 10).
        let overlap = vec![step(Some(0.0), Some(10.0), 1), step(Some(5.0), None, 2)];
        assert!(err(&overlap, ChangeInCapacity).contains("overlaps"));
        // Two open upper ends.
        let two_open = vec![step(Some(0.0), None, 1), step(Some(10.0), None, 2)];
        assert!(err(&two_open, ChangeInCapacity)
            .contains("at most one step adjustment without an upper"));
        let two_open_low = vec![step(None, Some(0.0), -1), step(None, Some(-10.0), -2)];
        assert!(err(&two_open_low, ChangeInCapacity).contains("without a lower"));
        // Positive upper bound with no open upper end.
        assert!(err(&[step(Some(0.0), Some(10.0), 1)], ChangeInCapacity)
            .contains("since one has a positive upper bound"));
        // Negative lower bound with no open lower end.
        assert!(err(&[step(Some(-10.0), Some(0.0), -1)], ChangeInCapacity)
            .contains("since one has a negative lower bound"));
        assert!(err(&[step(Some(0.0), None, -1)], ExactCapacity).contains("non-negative"));
        assert!(err(&[step(Some(0.0), Some(f64::NAN), 1)], ChangeInCapacity).contains("finite"));
    }

    #[test]
    fn config_validation() {
        let p = policy(
            Comparison::GreaterThan,
            70.0,
            (3, 3),
            AdjustmentType::ChangeInCapacity,
            out_steps(),
        );
        assert_eq!(p.config().validate(), Ok(()));
        let mut c = p.config().clone();
        c.min_adjustment_magnitude = Some(2);
        assert!(c
            .validate()
            .unwrap_err()
            .contains("PercentChangeInCapacity only"));
        c.adjustment_type = AdjustmentType::PercentChangeInCapacity;
        assert_eq!(c.validate(), Ok(()));
        c.min_adjustment_magnitude = Some(0);
        assert!(c.validate().unwrap_err().contains("≥ 1"));
        let mut c = p.config().clone();
        c.alarm.datapoints_to_alarm = 4;
        assert!(c.validate().unwrap_err().contains("datapoints to alarm"));
        c.alarm.evaluation_periods = 0;
        assert!(c.validate().unwrap_err().contains("evaluation periods ≥ 1"));
    }

    #[test]
    fn aggregation_types() {
        let v = [80.0, 95.0, 71.0];
        assert_eq!(MetricAggregation::Average.aggregate(v), Some(82.0));
        assert_eq!(MetricAggregation::Minimum.aggregate(v), Some(71.0));
        assert_eq!(MetricAggregation::Maximum.aggregate(v), Some(95.0));
        assert_eq!(MetricAggregation::Average.aggregate([]), None);

        // The same window picks different steps: average 82 → diff 12 → +2; minimum 71 →
        // diff 1 → +1; maximum 95 → diff 25 → +4.
        for (agg, want) in [
            (MetricAggregation::Average, 12),
            (MetricAggregation::Minimum, 11),
            (MetricAggregation::Maximum, 14),
        ] {
            let mut p = policy(
                Comparison::GreaterThan,
                70.0,
                (3, 3),
                AdjustmentType::ChangeInCapacity,
                out_steps(),
            );
            p.cfg.metric_aggregation_type = agg;
            for x in v {
                p.push(Some(x));
            }
            let prop = p.propose(SimTime::ZERO, 10, 10).unwrap();
            assert_eq!(prop.capacity, want, "{agg}");
        }
    }

    #[test]
    fn proposes_only_while_the_alarm_is_in_alarm() {
        let mut p = policy(
            Comparison::GreaterThan,
            70.0,
            (2, 3),
            AdjustmentType::ChangeInCapacity,
            out_steps(),
        );
        p.push(Some(90.0));
        assert_eq!(p.propose(SimTime::ZERO, 4, 4), None);
        p.push(Some(50.0));
        p.push(Some(76.0));
        // 2 of 3 breach; average (90 + 50 + 76) / 3 = 72 → diff 2 → [0, 10) → +1.
        let prop = p.propose(SimTime::ZERO, 4, 4).unwrap();
        assert_eq!(prop.direction, Direction::Out);
        assert_eq!(prop.capacity, 5);
        assert_eq!(prop.metric_value, 72.0);
        assert_eq!(
            prop.reason,
            "monitor alarm StepScaling-cpu-steps-Alarm in state ALARM triggered policy cpu-steps \
             (ECSServiceAverageCPUUtilization 76 > 70 for 2 of 3 datapoints; Average 72 is +2 \
             from the threshold, step [0, 10): ChangeInCapacity +1)"
        );
        p.push(Some(10.0));
        assert_eq!(p.propose(SimTime::ZERO, 4, 4), None);
    }

    #[test]
    fn below_threshold_policy_scales_in() {
        let mut p = policy(
            Comparison::LessThan,
            30.0,
            (1, 1),
            AdjustmentType::ChangeInCapacity,
            vec![
                step(Some(-10.0), Some(0.0), -1),
                step(None, Some(-10.0), -3),
            ],
        );
        p.push(Some(20.0));
        // diff −10 → (−∞, −10] → −3 from 8 running.
        let prop = p.propose(SimTime::ZERO, 8, 8).unwrap();
        assert_eq!((prop.direction, prop.capacity), (Direction::In, 5));
        assert!(prop
            .reason
            .contains("step (-inf, -10]: ChangeInCapacity -3"));
    }

    #[test]
    fn exact_capacity_direction_is_relative_to_desired() {
        let mut p = policy(
            Comparison::GreaterThan,
            70.0,
            (1, 1),
            AdjustmentType::ExactCapacity,
            vec![step(Some(0.0), None, 6)],
        );
        p.push(Some(80.0));
        assert_eq!(
            p.propose(SimTime::ZERO, 3, 4)
                .map(|x| (x.direction, x.capacity)),
            Some((Direction::Out, 6))
        );
        assert_eq!(
            p.propose(SimTime::ZERO, 3, 9)
                .map(|x| (x.direction, x.capacity)),
            Some((Direction::In, 6))
        );
        assert_eq!(p.propose(SimTime::ZERO, 3, 6), None);
    }

    #[test]
    fn scale_out_in_cooldown_counts_from_the_initiating_base() {
        let mut p = policy(
            Comparison::GreaterThan,
            70.0,
            (1, 1),
            AdjustmentType::ChangeInCapacity,
            out_steps(),
        );
        let t0 = SimTime(600_000);
        p.push(Some(75.0));
        // 4 running + 1.
        assert_eq!(p.propose(t0, 4, 4).unwrap().capacity, 5);
        p.record_scale_out(t0, 4, 5);
        // One minute later the new task runs and the alarm still fires with the same step:
        // still based on 4, so 5 again, which the scalable target ignores (floor 5).
        let t1 = t0 + SimDuration::from_secs(60);
        p.push(Some(75.0));
        assert_eq!(p.propose(t1, 5, 5).unwrap().capacity, 5);
        assert_eq!(p.scale_out_cooldown_floor(t1), Some(5));
        // A larger step (+4) adds only the difference: 4 + 4 = 8.
        p.push(Some(95.0));
        assert_eq!(p.propose(t1, 5, 5).unwrap().capacity, 8);
        p.record_scale_out(t1, 5, 8);
        // The base stays 4 through the chain; after the cooldown the running count is used.
        let t2 = t1 + SimDuration::from_secs(299);
        assert_eq!(p.propose(t2, 8, 8).unwrap().capacity, 8);
        let t3 = t1 + SimDuration::from_secs(300);
        assert_eq!(p.propose(t3, 8, 8).unwrap().capacity, 12);
        assert_eq!(p.scale_out_cooldown_floor(t3), None);
    }

    #[test]
    fn scale_in_cooldown_clock() {
        let mut p = policy(
            Comparison::LessThan,
            30.0,
            (1, 1),
            AdjustmentType::ChangeInCapacity,
            vec![step(None, Some(0.0), -1)],
        );
        let t = SimTime(1_000);
        p.record_scale_in(t);
        assert!(p.in_scale_in_cooldown(t + SimDuration::from_secs(299)));
        assert!(!p.in_scale_in_cooldown(t + SimDuration::from_secs(300)));
        p.cancel_scale_in_cooldown();
        assert!(!p.in_scale_in_cooldown(t));
    }
}
