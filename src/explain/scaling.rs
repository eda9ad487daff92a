//! Scaling traces: service auto scaling (alarms, M of N, the formula with its numbers,
//! cooldowns, min/max and how several policies combined) and capacity provider managed
//! scaling (M and N, the binpack of PROVISIONING tasks, the step clamps, warm-up and the
//! scale-in hold).
//!
//! Owns `ServiceScalingTrace`, `ManagedScalingTrace` and the pure functions that build them
//! from the policies' state after a period (alarms, proposals) and before it (cooldown
//! clocks, the last scale-out), with the activity the policy answered.
//! It recomputes the published formulas with the policies' own public functions
//! (`scale_out_capacity`, `select_step`, `adjusted_capacity`), never decides anything.

use serde::{Deserialize, Serialize};

use crate::autoscaling::alarm::{Alarm, AlarmState};
use crate::autoscaling::managed_scaling::{
    AsgBounds, ManagedScaling, Reservation, ReservationSteps,
};
use crate::autoscaling::service::ServiceAutoScaling;
use crate::autoscaling::step_scaling::{
    adjusted_capacity, round_percent_adjustment, select_step, AdjustmentType, StepScalingPolicy,
};
use crate::autoscaling::target_tracking::TargetTrackingPolicy;
use crate::autoscaling::{Direction, ScalingActivity};
use crate::engine::SimTime;

/// One period of a service's auto scaling in which a policy was invoked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceScalingTrace {
    /// The metric period, seconds (60, or 20 for high resolution).
    pub period_s: u64,
    /// RUNNING tasks: the base of every formula (ecs-reference §6.1).
    pub running: u32,
    /// Desired count before the decision.
    pub desired: u32,
    /// `MinCapacity` now.
    pub min_capacity: u32,
    /// `MaxCapacity` now.
    pub max_capacity: u32,
    /// Every policy evaluated in this period, in configuration order (target tracking, then
    /// step scaling).
    pub policies: Vec<PolicyTrace>,
    /// How the policies' answers were combined, and the outcome.
    pub combination: String,
    /// The activity, if the desired count changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity: Option<ActivityTrace>,
}

/// A change of a desired count.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActivityTrace {
    /// Before.
    pub from: u32,
    /// After.
    pub to: u32,
    /// The policy that acted.
    pub policy: String,
    /// The cause, as events.jsonl has it.
    pub cause: String,
}

impl ActivityTrace {
    fn of(a: &ScalingActivity) -> ActivityTrace {
        ActivityTrace {
            from: a.from,
            to: a.to,
            policy: a.policy.clone(),
            cause: a.cause.clone(),
        }
    }
}

/// One policy in one period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PolicyTrace {
    /// Its name.
    pub policy: String,
    /// "target tracking" or "step scaling".
    pub kind: String,
    /// The CloudWatch metric.
    pub metric: String,
    /// Its alarms after this period's datapoint.
    pub alarms: Vec<AlarmTrace>,
    /// What it asked for, if an alarm is in ALARM.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposal: Option<ProposalTrace>,
    /// Its cooldown clocks before the decision.
    pub cooldown: String,
    /// Whether its answer acted, and if not, why.
    pub verdict: String,
}

/// An alarm's window and its M-of-N evaluation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlarmTrace {
    /// Its name.
    pub name: String,
    /// `>`, `>=`, `<`, `<=`.
    pub comparison: String,
    /// Its threshold.
    pub threshold: f64,
    /// The datapoints in the window, oldest first (`null`: missing).
    pub datapoints: Vec<Option<f64>>,
    /// How many of them breach.
    pub breaching: u32,
    /// `DatapointsToAlarm` (M).
    pub datapoints_to_alarm: u32,
    /// `EvaluationPeriods` (N).
    pub evaluation_periods: u32,
    /// OK, ALARM or INSUFFICIENT_DATA.
    pub state: String,
}

/// The trace of an alarm's current window.
pub fn alarm_trace(name: &str, alarm: &Alarm) -> AlarmTrace {
    let spec = alarm.spec();
    let datapoints: Vec<Option<f64>> = alarm.datapoints().collect();
    let breaching = datapoints
        .iter()
        .flatten()
        .filter(|&&v| spec.comparison.breaches(v, spec.threshold))
        .count() as u32;
    AlarmTrace {
        name: name.to_string(),
        comparison: spec.comparison.symbol().to_string(),
        threshold: spec.threshold,
        datapoints,
        breaching,
        datapoints_to_alarm: spec.datapoints_to_alarm,
        evaluation_periods: spec.evaluation_periods,
        state: state_name(alarm.state()).to_string(),
    }
}

fn state_name(s: AlarmState) -> &'static str {
    match s {
        AlarmState::Ok => "OK",
        AlarmState::Alarm => "ALARM",
        AlarmState::InsufficientData => "INSUFFICIENT_DATA",
    }
}

/// What a policy computed, with the numbers that went in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProposalTrace {
    /// "out" or "in".
    pub direction: String,
    /// The formula with its numbers.
    pub formula: String,
    /// The count the formula gives.
    pub computed: u32,
    /// After the [MinCapacity, MaxCapacity] clamp.
    pub clamped: u32,
    /// The metric value acted on (latest datapoint, or the window's aggregate).
    pub metric: f64,
    /// Target tracking: the target value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<f64>,
    /// Step scaling: the step matched and its arithmetic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<StepTrace>,
}

/// The step a step scaling policy matched.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepTrace {
    /// `MetricAggregationType`.
    pub aggregation: String,
    /// The aggregate of the alarm window.
    pub aggregate: f64,
    /// The alarm threshold.
    pub threshold: f64,
    /// aggregate − threshold.
    pub difference: f64,
    /// The matched step's interval of the difference.
    pub interval: String,
    /// `AdjustmentType`.
    pub adjustment_type: String,
    /// `ScalingAdjustment`.
    pub adjustment: i64,
    /// The count the adjustment applies to (running, or the cooldown's base).
    pub base: u32,
}

fn direction_name(d: Direction) -> &'static str {
    match d {
        Direction::Out => "out",
        Direction::In => "in",
    }
}

fn clamp(c: u32, min: u32, max: u32) -> u32 {
    c.clamp(min, max.max(min))
}

fn fmt(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

fn tt_proposal(
    p: &TargetTrackingPolicy,
    running: u32,
    min: u32,
    max: u32,
) -> Option<ProposalTrace> {
    let prop = p.propose(running, min)?;
    let target = p.config().target_value;
    let raw = f64::from(running) * prop.metric_value / target;
    let formula = match prop.direction {
        Direction::Out if running == 0 => format!(
            "no task running: scale out by the minimum possible amount, max(1, min capacity {min}) = {}",
            prop.capacity
        ),
        Direction::Out => format!(
            "ceil(running {running} × metric {} ÷ target {}) = ceil({}), at least running + 1 = {}: {}",
            fmt(prop.metric_value),
            fmt(target),
            fmt(raw),
            running.saturating_add(1),
            prop.capacity
        ),
        Direction::In => format!(
            "ceil(running {running} × metric {} ÷ target {}) = ceil({}) = {}",
            fmt(prop.metric_value),
            fmt(target),
            fmt(raw),
            prop.capacity
        ),
    };
    Some(ProposalTrace {
        direction: direction_name(prop.direction).into(),
        formula,
        computed: prop.capacity,
        clamped: clamp(prop.capacity, min, max),
        metric: prop.metric_value,
        target: Some(target),
        step: None,
    })
}

fn step_proposal(
    p: &StepScalingPolicy,
    before: &StepScalingPolicy,
    now: SimTime,
    running: u32,
    desired: u32,
    min: u32,
    max: u32,
) -> Option<ProposalTrace> {
    let prop = p.propose(now, running, desired)?;
    let cfg = p.config();
    let agg = prop.metric_value;
    let diff = agg - cfg.alarm.threshold;
    let (step, above) = select_step(&cfg.step_adjustments, diff, cfg.alarm.breaches_upward())?;
    let adj = step.scaling_adjustment;
    let base = match (prop.direction, cfg.adjustment_type) {
        (_, AdjustmentType::ExactCapacity) => running,
        (Direction::Out, _) => before.scale_out_base(now).unwrap_or(running),
        (Direction::In, _) => running,
    };
    let formula = match cfg.adjustment_type {
        AdjustmentType::ExactCapacity => format!("ExactCapacity {adj}: {}", prop.capacity),
        AdjustmentType::ChangeInCapacity => {
            format!("base {base} {adj:+} = {}", prop.capacity)
        }
        AdjustmentType::PercentChangeInCapacity => {
            let x = f64::from(base) * adj as f64 / 100.0;
            format!(
                "base {base} × {adj:+} % = {} tasks, rounded to {}{}: {}",
                fmt(x),
                round_percent_adjustment(x),
                cfg.min_adjustment_magnitude
                    .map_or(String::new(), |m| format!(" (MinAdjustmentMagnitude {m})")),
                prop.capacity
            )
        }
    };
    debug_assert_eq!(
        adjusted_capacity(base, cfg.adjustment_type, adj, cfg.min_adjustment_magnitude),
        prop.capacity,
        "the step trace's base disagrees with the policy"
    );
    Some(ProposalTrace {
        direction: direction_name(prop.direction).into(),
        formula,
        computed: prop.capacity,
        clamped: clamp(prop.capacity, min, max),
        metric: agg,
        target: None,
        step: Some(StepTrace {
            aggregation: cfg.metric_aggregation_type.to_string(),
            aggregate: agg,
            threshold: cfg.alarm.threshold,
            difference: diff,
            interval: step.interval(above),
            adjustment_type: cfg.adjustment_type.aws_name().into(),
            adjustment: adj,
            base,
        }),
    })
}

fn secs_left(until: SimTime, now: SimTime) -> u64 {
    until.saturating_since(now).0 / 1000
}

/// The trace of one period of `after` (the scalable target once the period's datapoints were
/// pushed and it decided), given its state `before` and the activity it answered.
///
/// `None` when no policy was invoked (no alarm in ALARM) and nothing changed: a quiet period
/// explains nothing.
#[allow(clippy::too_many_arguments)]
pub fn service_trace(
    before: &ServiceAutoScaling,
    after: &ServiceAutoScaling,
    now: SimTime,
    period_s: u64,
    running: u32,
    desired: u32,
    activity: Option<&ScalingActivity>,
) -> Option<ServiceScalingTrace> {
    let (min, max) = (before.min_capacity(), before.max_capacity());
    let mut policies = Vec::new();
    let resolution_of = |r: crate::autoscaling::Resolution| r.period().0 / 1000 == period_s;
    let enabled_in: Vec<(String, bool)> = after
        .target_tracking()
        .iter()
        .filter(|p| p.scales_in())
        .map(|p| (p.config().name.clone(), p.wants_in()))
        .collect();
    for (i, p) in after.target_tracking().iter().enumerate() {
        if !resolution_of(p.config().resolution) {
            continue;
        }
        let b = &before.target_tracking()[i];
        let mut alarms = vec![alarm_trace(&p.config().high_alarm_name(), p.high_alarm())];
        if let Some(low) = p.low_alarm() {
            alarms.push(alarm_trace(&p.config().low_alarm_name(), low));
        }
        let proposal = tt_proposal(p, running, min, max);
        let floor = b.scale_out_cooldown_floor(now);
        let in_cd = b.in_scale_in_cooldown(now);
        let cooldown = format!(
            "scale-out cooldown {} s: {}; scale-in cooldown {} s: {}",
            p.config().scale_out_cooldown.0 / 1000,
            floor.map_or("not running".to_string(), |f| format!(
                "running, a scale-out must exceed the {f} it set"
            )),
            p.config().scale_in_cooldown.0 / 1000,
            if in_cd { "running" } else { "not running" }
        );
        let verdict = verdict(
            &p.config().name,
            proposal.as_ref(),
            floor,
            in_cd,
            desired,
            activity,
            Some(&enabled_in),
        );
        policies.push(PolicyTrace {
            policy: p.config().name.clone(),
            kind: "target tracking".into(),
            metric: p
                .config()
                .metric
                .aws_name(p.config().resolution)
                .to_string(),
            alarms,
            proposal,
            cooldown,
            verdict,
        });
    }
    for (i, p) in after.step_scaling().iter().enumerate() {
        if !resolution_of(p.config().alarm.resolution) {
            continue;
        }
        let b = &before.step_scaling()[i];
        let alarms = vec![alarm_trace(&p.config().alarm_name(), p.alarm())];
        let proposal = step_proposal(p, b, now, running, desired, min, max);
        let floor = b.scale_out_cooldown_floor(now);
        let in_cd = b.in_scale_in_cooldown(now);
        let cooldown = format!(
            "cooldown {} s: {}{}",
            p.config().cooldown.0 / 1000,
            floor.map_or("no scale-out cooldown running".to_string(), |f| format!(
                "scale-out cooldown running, a scale-out must exceed the {f} it set"
            )),
            if in_cd {
                "; scale-in cooldown running"
            } else {
                ""
            }
        );
        let verdict = verdict(
            &p.config().name,
            proposal.as_ref(),
            floor,
            in_cd,
            desired,
            activity,
            None,
        );
        policies.push(PolicyTrace {
            policy: p.config().name.clone(),
            kind: "step scaling".into(),
            metric: p
                .config()
                .alarm
                .metric
                .aws_name(p.config().alarm.resolution)
                .to_string(),
            alarms,
            proposal,
            cooldown,
            verdict,
        });
    }
    if activity.is_none() && policies.iter().all(|p| p.proposal.is_none()) {
        return None;
    }
    let combination = match activity {
        Some(a) if a.to > a.from => format!(
            "scale-out: every proposal above the desired count {desired} (and above its own policy's cooldown floor) may act and the largest wins (ecs-reference §6.2–6.3): {} sets {}",
            a.policy, a.to
        ),
        Some(a) => format!(
            "no policy scales out; scale-in: target tracking only when every policy with scale-in enabled has AlarmLow in ALARM and no scale-in cooldown, step scaling outside its cooldown; the largest count wins and it must be below the desired count {desired} (ecs-reference §6.2–6.3): {} sets {}",
            a.policy, a.to
        ),
        None => format!(
            "nothing changes: no proposal passes the rules (a scale-out must exceed the desired count {desired} and its cooldown floor; a scale-in needs every target tracking policy to agree, no cooldown, and a count below {desired})"
        ),
    };
    Some(ServiceScalingTrace {
        period_s,
        running,
        desired,
        min_capacity: min,
        max_capacity: max,
        policies,
        combination,
        activity: activity.map(ActivityTrace::of),
    })
}

fn verdict(
    name: &str,
    proposal: Option<&ProposalTrace>,
    floor: Option<u32>,
    in_cooldown: bool,
    desired: u32,
    activity: Option<&ScalingActivity>,
    target_tracking_in: Option<&[(String, bool)]>,
) -> String {
    let Some(p) = proposal else {
        return "no alarm in ALARM: the policy is not invoked".into();
    };
    if activity.is_some_and(|a| a.policy == name) {
        return format!("acts: {} → {}", desired, activity.map_or(0, |a| a.to));
    }
    let clamp_note = if p.clamped != p.computed {
        format!(" (computed {}, clamped to {})", p.computed, p.clamped)
    } else {
        String::new()
    };
    if p.direction == "out" {
        if p.clamped <= desired {
            return format!(
                "asks for {}{clamp_note}, not above the desired count {desired}: nothing to add",
                p.clamped
            );
        }
        if let Some(f) = floor.filter(|&f| p.clamped <= f) {
            return format!(
                "asks for {}{clamp_note}, but its scale-out cooldown is running and already set {f}: capacity added in the cooldown counts",
                p.clamped
            );
        }
        return match activity {
            Some(a) => format!(
                "asks for {}{clamp_note}; {} asked for more and wins",
                p.clamped, a.policy
            ),
            None => format!("asks for {}{clamp_note}", p.clamped),
        };
    }
    if in_cooldown {
        return format!(
            "asks for {}{clamp_note}, but its scale-in cooldown is running",
            p.clamped
        );
    }
    if let Some(tt) = target_tracking_in {
        let blocking: Vec<&str> = tt
            .iter()
            .filter(|(_, wants)| !wants)
            .map(|(n, _)| n.as_str())
            .collect();
        if !blocking.is_empty() {
            return format!(
                "asks for {}{clamp_note}, but scale-in needs every target tracking policy with scale-in enabled in AlarmLow ALARM; not: {}",
                p.clamped,
                blocking.join(", ")
            );
        }
    }
    if p.clamped >= desired {
        return format!(
            "asks for {}{clamp_note}, not below the desired count {desired}: nothing to remove",
            p.clamped
        );
    }
    match activity {
        Some(a) => format!(
            "asks for {}{clamp_note}; {} acts instead ({} → {})",
            p.clamped, a.policy, a.from, a.to
        ),
        None => format!(
            "asks for {}{clamp_note}, kept at the desired count by a scale-out proposal of another policy",
            p.clamped
        ),
    }
}

/// One minute of a capacity provider's managed scaling.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ManagedScalingTrace {
    /// M: instances needed.
    pub m: u32,
    /// N: instances in the group (pending ones included).
    pub n: u32,
    /// How M was found.
    pub m_rule: String,
    /// `CapacityProviderReservation` = M ÷ N × 100 (or its special cases).
    pub reservation: f64,
    /// `targetCapacity`.
    pub target_capacity: u32,
    /// Tasks PROVISIONING on this provider.
    pub provisioning_tasks: u32,
    /// The binpack of the PROVISIONING tasks, when there are some.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binpack: Option<BinpackTrace>,
    /// The high and low alarms after this minute's datapoint.
    pub alarms: Vec<AlarmTrace>,
    /// Instance warm-up state.
    pub warm_up: String,
    /// Scale-in hold after the last scale-out.
    pub scale_in_hold: String,
    /// The desired capacity formula with its numbers and clamps.
    pub formula: String,
    /// The group's desired capacity before.
    pub desired: u32,
    /// `MinSize`.
    pub min_size: u32,
    /// `MaxSize`.
    pub max_size: u32,
    /// Most instances one scale-in step removes: max(1, ⌊N × the scale-in fraction⌋).
    pub scale_in_step: u32,
    /// The activity, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity: Option<ActivityTrace>,
    /// What happened and why.
    pub outcome: String,
}

/// The binpack that turned PROVISIONING tasks into M.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BinpackTrace {
    /// Task groups by requirement, largest first: "3 × 1024 CPU / 2048 MiB".
    pub groups: Vec<String>,
    /// Tasks fitting not even the smallest instance type (left out of M).
    pub incompatible: u32,
    /// Instances the binpack opens, after filling the free room of existing ones (c).
    pub calculated: u32,
    /// `minimumScalingStepSize`.
    pub minimum_scaling_step_size: u32,
    /// `maximumScalingStepSize`.
    pub maximum_scaling_step_size: u32,
    /// Instances to add after the step clamps.
    pub add: u32,
}

/// Inputs of one managed scaling minute.
pub struct ManagedMinute<'a> {
    /// The policy before the minute (cooldown clocks, last scale-out).
    pub before: &'a ManagedScaling,
    /// The policy after it (alarms with this minute's datapoint).
    pub after: &'a ManagedScaling,
    /// The minute.
    pub now: SimTime,
    /// The reservation published.
    pub r: &'a Reservation,
    /// The group's bounds and desired capacity.
    pub bounds: AsgBounds,
    /// The newest launch still counted for warm-up.
    pub newest_launch: Option<SimTime>,
    /// The binpack steps, when tasks are PROVISIONING.
    pub steps: Option<ReservationSteps>,
    /// Tasks PROVISIONING.
    pub provisioning: u32,
    /// The activity applied, if any.
    pub activity: Option<&'a ScalingActivity>,
    /// Why an activity the policy answered was not applied, if it was not.
    pub suppressed: Option<&'a str>,
}

/// The trace of one managed scaling minute.
pub fn managed_trace(x: &ManagedMinute) -> ManagedScalingTrace {
    let cfg = x.after.config();
    let target = f64::from(cfg.target_capacity);
    let (high, low) = x.after.alarms();
    let (high_name, low_name) = x.after.alarm_names();
    let r = x.r;
    let m_rule = match &x.steps {
        None => format!("no task is PROVISIONING: M = the non-empty instances = {}", r.m),
        Some(s) if s.calculated == 0 && s.groups.is_empty() => format!(
            "every PROVISIONING task is larger than the smallest instance type: no action, M = non-empty instances = {}",
            r.m
        ),
        Some(s) => {
            debug_assert_eq!(
                r.n.saturating_add(s.add).max(s.non_empty),
                r.m,
                "the binpack trace disagrees with the reservation"
            );
            format!(
            "M = max(N {} + instances to add {}, non-empty instances {}) = {}",
            r.n, s.add, s.non_empty, r.m
        )
        }
    };
    let binpack = x.steps.as_ref().map(|s| BinpackTrace {
        groups: s
            .groups
            .iter()
            .map(|(need, k)| format!("{k} × {} CPU / {} MiB", need.cpu.0, need.memory.0))
            .collect(),
        incompatible: s.incompatible,
        calculated: s.calculated,
        minimum_scaling_step_size: cfg.minimum_scaling_step_size,
        maximum_scaling_step_size: cfg.maximum_scaling_step_size,
        add: s.add,
    });
    let warming = x
        .newest_launch
        .is_some_and(|t| x.now.saturating_since(t) < cfg.instance_warmup_period);
    let warm_up = match x.newest_launch {
        Some(t) if warming => format!(
            "the newest instance was launched {} s ago, within instanceWarmupPeriod {} s: scale-out waits",
            x.now.saturating_since(t).0 / 1000,
            cfg.instance_warmup_period.0 / 1000
        ),
        Some(t) => format!(
            "the newest instance was launched {} s ago, past instanceWarmupPeriod {} s",
            x.now.saturating_since(t).0 / 1000,
            cfg.instance_warmup_period.0 / 1000
        ),
        None if high.state() != AlarmState::Alarm => {
            "not checked: only a scale-out waits for a new instance to warm up".into()
        }
        None => "no instance launched since the start is in service".into(),
    };
    let held_until = x
        .before
        .last_scale_out()
        .map(|t| t + cfg.scale_in_hold_after_scale_out);
    let scale_in_hold = match held_until {
        Some(u) if x.now < u => format!(
            "last scale-out {} s ago: no scale-in for {} s more",
            x.now
                .saturating_since(x.before.last_scale_out().unwrap_or(x.now))
                .0
                / 1000,
            secs_left(u, x.now)
        ),
        Some(_) => "the hold after the last scale-out is over".into(),
        None => "no scale-out yet".into(),
    };
    let b = x.bounds;
    let scale_in_step = ((f64::from(r.n) * cfg.max_scale_in_fraction).floor() as u32).max(1);
    let formula = if high.state() == AlarmState::Alarm {
        let raw = f64::from(r.n.max(1)) * r.value / target;
        format!(
            "scale-out: ceil(max(N, 1) {} × {} ÷ {}) = ceil({}), at least desired + 1 = {}, within MinSize {} and MaxSize {}",
            r.n.max(1),
            fmt(r.value),
            cfg.target_capacity,
            fmt(raw),
            b.desired.saturating_add(1),
            b.min_size,
            b.max_size
        )
    } else if low.state() == AlarmState::Alarm {
        let raw = f64::from(r.n) * r.value / target;
        let step = scale_in_step;
        format!(
            "scale-in: ceil(N {} × {} ÷ {}) = ceil({}), at least MinSize {}; at most {} instances per step (max(1, floor(N × {})))",
            r.n,
            fmt(r.value),
            cfg.target_capacity,
            fmt(raw),
            b.min_size,
            step,
            cfg.max_scale_in_fraction
        )
    } else {
        format!(
            "no alarm in ALARM: the reservation {} is not {} the target {} for enough datapoints",
            fmt(r.value),
            if r.value > target { "above" } else { "below" },
            cfg.target_capacity
        )
    };
    let outcome = match (x.activity, x.suppressed) {
        (Some(a), _) => format!("desired capacity {} → {}", a.from, a.to),
        (None, Some(why)) => why.to_string(),
        (None, None) if high.state() == AlarmState::Alarm && warming => {
            "no change: an instance is still warming up".into()
        }
        (None, None) if high.state() == AlarmState::Alarm => {
            format!("no change: already at MaxSize {}", b.max_size)
        }
        (None, None)
            if low.state() == AlarmState::Alarm && held_until.is_some_and(|u| x.now < u) =>
        {
            "no change: scale-in is held after the last scale-out".into()
        }
        (None, None) if low.state() == AlarmState::Alarm => {
            format!(
                "no change: already at MinSize {} or at the computed size",
                b.min_size
            )
        }
        (None, None) => "no change".into(),
    };
    ManagedScalingTrace {
        m: r.m,
        n: r.n,
        m_rule,
        reservation: r.value,
        target_capacity: cfg.target_capacity,
        provisioning_tasks: x.provisioning,
        binpack,
        alarms: vec![alarm_trace(high_name, high), alarm_trace(low_name, low)],
        warm_up,
        scale_in_hold,
        formula,
        desired: b.desired,
        min_size: b.min_size,
        max_size: b.max_size,
        scale_in_step,
        activity: x.activity.map(ActivityTrace::of),
        outcome,
    }
}
