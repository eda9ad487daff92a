//! The scalable target of an ECS service (`ecs:service:DesiredCount`): its min/max capacity,
//! its scaling policies and its scheduled actions, combined as Application Auto Scaling
//! combines them.
//!
//! The simulation feeds one set of datapoints per metric period and resolution
//! ([`ServiceAutoScaling::on_datapoints`]) and runs scheduled actions when they are due
//! ([`ServiceAutoScaling::next_scheduled`], [`ServiceAutoScaling::on_scheduled`]); each call
//! answers with at most one [`ScalingActivity`]. Nothing here knows about tasks, placement or
//! the clock: the caller passes the running and desired counts and applies the answer.
//!
//! Rules: ecs-reference §6.1 (running count as base, min/max), §6.2 (cooldowns, several
//! policies), §6.3 (step scaling), §6.4 (scheduled actions).

use std::collections::BTreeSet;

use super::schedule::Schedule;
use super::step_scaling::{StepScalingConfig, StepScalingPolicy};
use super::target_tracking::{TargetTrackingConfig, TargetTrackingPolicy};
use super::{Direction, Proposal, Resolution, ScalingActivity, ServiceDatapoints};
use crate::engine::{SimDuration, SimTime};

/// A scheduled action: at each firing of `schedule`, set MinCapacity and/or MaxCapacity.
#[derive(Clone, Debug, PartialEq)]
pub struct ScheduledActionConfig {
    /// Action name, used in the activity cause.
    pub name: String,
    /// When it runs (UTC).
    pub schedule: Schedule,
    /// New MinCapacity, if it sets one.
    pub min_capacity: Option<u32>,
    /// New MaxCapacity, if it sets one.
    pub max_capacity: Option<u32>,
}

impl ScheduledActionConfig {
    /// Checks what the scenario validator must reject.
    pub fn validate(&self) -> Result<(), String> {
        if self.name.trim().is_empty() {
            return Err("expected a non-empty scheduled action name".to_string());
        }
        match (self.min_capacity, self.max_capacity) {
            (None, None) => Err(
                "expected a min capacity, a max capacity or both (an action only sets these)"
                    .to_string(),
            ),
            (Some(lo), Some(hi)) if lo > hi => Err(format!(
                "expected min capacity ≤ max capacity, got {lo} > {hi}"
            )),
            _ => Ok(()),
        }
    }

    /// `scheduled action <name> set min capacity to 4 and max capacity to 10`.
    fn describe(&self) -> String {
        let what = match (self.min_capacity, self.max_capacity) {
            (Some(lo), Some(hi)) => format!("min capacity to {lo} and max capacity to {hi}"),
            (Some(lo), None) => format!("min capacity to {lo}"),
            (None, Some(hi)) => format!("max capacity to {hi}"),
            (None, None) => "nothing".to_string(),
        };
        format!("scheduled action {} set {what}", self.name)
    }
}

/// Service auto scaling as the scenario validator builds it.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceAutoScalingConfig {
    /// MinCapacity of the scalable target (0 allowed, §6.1).
    pub min_capacity: u32,
    /// MaxCapacity of the scalable target.
    pub max_capacity: u32,
    /// Target tracking policies.
    pub target_tracking: Vec<TargetTrackingConfig>,
    /// Step scaling policies.
    pub step_scaling: Vec<StepScalingConfig>,
    /// Scheduled actions, in the order they run when due at the same time.
    pub scheduled_actions: Vec<ScheduledActionConfig>,
}

impl ServiceAutoScalingConfig {
    /// Checks everything the scenario validator must reject; the first problem found, saying
    /// what was expected and in which policy or action.
    pub fn validate(&self) -> Result<(), String> {
        if self.min_capacity > self.max_capacity {
            return Err(format!(
                "expected min capacity ≤ max capacity, got {} > {}",
                self.min_capacity, self.max_capacity
            ));
        }
        let mut names = BTreeSet::new();
        for p in &self.target_tracking {
            p.validate()
                .map_err(|e| format!("target tracking policy {:?}: {e}", p.name))?;
            if !names.insert(p.name.as_str()) {
                return Err(format!(
                    "expected unique policy names, {:?} is used twice",
                    p.name
                ));
            }
        }
        for p in &self.step_scaling {
            p.validate()
                .map_err(|e| format!("step scaling policy {:?}: {e}", p.name))?;
            if !names.insert(p.name.as_str()) {
                return Err(format!(
                    "expected unique policy names, {:?} is used twice",
                    p.name
                ));
            }
        }
        let mut actions = BTreeSet::new();
        for a in &self.scheduled_actions {
            a.validate()
                .map_err(|e| format!("scheduled action {:?}: {e}", a.name))?;
            if !actions.insert(a.name.as_str()) {
                return Err(format!(
                    "expected unique scheduled action names, {:?} is used twice",
                    a.name
                ));
            }
        }
        Ok(())
    }
}

/// Which policy a candidate decision comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    TargetTracking(usize),
    Step(usize),
}

/// One policy's proposal, clamped to [min, max].
struct Candidate {
    source: Source,
    proposal: Proposal,
    capacity: u32,
}

/// A service's scalable target at run time.
#[derive(Clone, Debug)]
pub struct ServiceAutoScaling {
    min: u32,
    max: u32,
    target_tracking: Vec<TargetTrackingPolicy>,
    step_scaling: Vec<StepScalingPolicy>,
    scheduled: Vec<ScheduledActionConfig>,
    /// Unix second up to which scheduled actions have run; `None` before the first call.
    scheduled_through: Option<i64>,
}

impl ServiceAutoScaling {
    /// The scalable target of a validated configuration, every alarm in INSUFFICIENT_DATA.
    pub fn new(cfg: ServiceAutoScalingConfig) -> ServiceAutoScaling {
        debug_assert_eq!(
            cfg.validate(),
            Ok(()),
            "service auto scaling config not validated"
        );
        ServiceAutoScaling {
            min: cfg.min_capacity,
            max: cfg.max_capacity,
            target_tracking: cfg
                .target_tracking
                .into_iter()
                .map(TargetTrackingPolicy::new)
                .collect(),
            step_scaling: cfg
                .step_scaling
                .into_iter()
                .map(StepScalingPolicy::new)
                .collect(),
            scheduled: cfg.scheduled_actions,
            scheduled_through: None,
        }
    }

    /// Current MinCapacity (scheduled actions change it).
    pub fn min_capacity(&self) -> u32 {
        self.min
    }

    /// Current MaxCapacity (scheduled actions change it).
    pub fn max_capacity(&self) -> u32 {
        self.max
    }

    /// The target tracking policies, in configuration order.
    pub fn target_tracking(&self) -> &[TargetTrackingPolicy] {
        &self.target_tracking
    }

    /// The step scaling policies, in configuration order.
    pub fn step_scaling(&self) -> &[StepScalingPolicy] {
        &self.step_scaling
    }

    /// The resolutions some policy needs datapoints for, sorted; the simulation calls
    /// [`ServiceAutoScaling::on_datapoints`] once per period of each.
    pub fn has_scheduled_actions(&self) -> bool {
        !self.scheduled.is_empty()
    }

    /// The metric resolutions its policies need datapoints for.
    pub fn resolutions(&self) -> impl Iterator<Item = Resolution> {
        let set: BTreeSet<Resolution> = self
            .target_tracking
            .iter()
            .map(|p| p.config().resolution)
            .chain(
                self.step_scaling
                    .iter()
                    .map(|p| p.config().alarm.resolution),
            )
            .collect();
        set.into_iter()
    }

    fn clamp(&self, capacity: u32) -> u32 {
        // [DOC] ecs-reference §6.1: results stay within [min, max]. A scale-out from below
        // min lands at least on min; a scale-in from above max lands at most on max.
        capacity.clamp(self.min, self.max.max(self.min))
    }

    /// Feeds one period's datapoints at `resolution` to the policies that use it, and
    /// decides. `running` is the running task count (the base of every computation, §6.1);
    /// `desired` the current desired count.
    ///
    /// Order of the rules:
    /// 1. Every policy of this resolution whose alarm is in ALARM proposes a count (CloudWatch
    ///    re-invokes the action every period while in ALARM); proposals are clamped to
    ///    [min, max].
    /// 2. Scale-out: a proposal counts only if it exceeds the desired count and, inside the
    ///    policy's scale-out cooldown, the count its last scale-out set (§6.2: capacity added
    ///    during the cooldown counts toward the next decision). Any policy may scale out;
    ///    the largest count wins (§6.2, §6.3). A scale-out cancels every running scale-in
    ///    cooldown.
    /// 3. Otherwise scale-in, by target tracking only if every target tracking policy with
    ///    scale-in enabled has its AlarmLow in ALARM (INSUFFICIENT_DATA or OK blocks it) and
    ///    none is in its scale-in cooldown; by a step policy if it is not in its cooldown.
    ///    The largest count wins, and it applies only if it is below the desired count.
    ///    \[DERIVED\] it is also never below what a policy in AlarmHigh proposed this period
    ///    without scaling out (the "largest capacity wins" rule of §6.2 applied to every
    ///    policy invoked in the period).
    pub fn on_datapoints(
        &mut self,
        now: SimTime,
        resolution: Resolution,
        dp: &ServiceDatapoints,
        running: u32,
        desired: u32,
    ) -> Option<ScalingActivity> {
        for p in &mut self.target_tracking {
            if p.config().resolution == resolution {
                p.push(dp.get(p.config().metric));
            }
        }
        for p in &mut self.step_scaling {
            if p.config().alarm.resolution == resolution {
                p.push(dp.get(p.config().alarm.metric));
            }
        }

        let mut outs = Vec::new();
        let mut tt_in_invoked = false;
        for (i, p) in self.target_tracking.iter().enumerate() {
            if p.config().resolution != resolution {
                continue;
            }
            match p.propose(running, self.min) {
                Some(prop) if prop.direction == Direction::Out => {
                    outs.push(self.candidate(Source::TargetTracking(i), prop));
                }
                Some(_) => tt_in_invoked = true,
                None => {}
            }
        }
        let mut step_ins = Vec::new();
        for (i, p) in self.step_scaling.iter().enumerate() {
            if p.config().alarm.resolution != resolution {
                continue;
            }
            if let Some(prop) = p.propose(now, running, desired) {
                let c = self.candidate(Source::Step(i), prop);
                match c.proposal.direction {
                    Direction::Out => outs.push(c),
                    Direction::In => step_ins.push(c),
                }
            }
        }

        // 2. Scale-out.
        let acting_outs = outs.iter().filter(|c| {
            let floor = match c.source {
                Source::TargetTracking(i) => self.target_tracking[i].scale_out_cooldown_floor(now),
                Source::Step(i) => self.step_scaling[i].scale_out_cooldown_floor(now),
            };
            c.capacity > desired.max(floor.unwrap_or(0))
        });
        if let Some(best) = largest(acting_outs) {
            let (source, to) = (best.source, best.capacity);
            let cause = self.cause(best, running, desired, None);
            let activity = ScalingActivity {
                from: desired,
                to,
                policy: self.policy_name(source),
                cause,
                metric_value: Some(best.proposal.metric_value),
            };
            match source {
                Source::TargetTracking(i) => self.target_tracking[i].record_scale_out(now, to),
                Source::Step(i) => self.step_scaling[i].record_scale_out(now, running, to),
            }
            // [DOC] ecs-reference §6.2, §6.3: a scale-out stops a running scale-in cooldown.
            // [DERIVED] we stop every policy's, since scale-in needs all target tracking
            // policies to agree anyway.
            self.target_tracking
                .iter_mut()
                .for_each(TargetTrackingPolicy::cancel_scale_in_cooldown);
            self.step_scaling
                .iter_mut()
                .for_each(StepScalingPolicy::cancel_scale_in_cooldown);
            return Some(activity);
        }

        // 3. Scale-in.
        let mut ins = Vec::new();
        let enabled: Vec<usize> = (0..self.target_tracking.len())
            .filter(|&i| self.target_tracking[i].scales_in())
            .collect();
        let tt_agree = tt_in_invoked
            && !enabled.is_empty()
            && enabled.iter().all(|&i| {
                let p = &self.target_tracking[i];
                p.wants_in() && !p.in_scale_in_cooldown(now)
            });
        if tt_agree {
            // Each policy proposes from its own latest datapoint; the largest count wins.
            let tt_ins: Vec<Candidate> = enabled
                .iter()
                .filter_map(|&i| {
                    let prop = self.target_tracking[i].propose(running, self.min)?;
                    Some(self.candidate(Source::TargetTracking(i), prop))
                })
                .collect();
            let best = largest(tt_ins.iter()).map(|b| b.source);
            ins.extend(tt_ins.into_iter().filter(|c| Some(c.source) == best));
        }
        ins.extend(step_ins.into_iter().filter(|c| match c.source {
            Source::Step(i) => !self.step_scaling[i].in_scale_in_cooldown(now),
            Source::TargetTracking(_) => true,
        }));
        let best = largest(ins.iter())?;
        let floor = largest(outs.iter()).filter(|o| o.capacity > best.capacity);
        let to = floor.map_or(best.capacity, |o| o.capacity);
        if to >= desired {
            return None;
        }
        let source = best.source;
        let mut cause = self.cause(best, running, desired, floor.map(|o| (o, to)));
        if let (Source::TargetTracking(_), n @ 2..) = (source, enabled.len()) {
            cause.push_str(&format!(
                "; all {n} target tracking policies with scale-in enabled are in ALARM"
            ));
        }
        let activity = ScalingActivity {
            from: desired,
            to,
            policy: self.policy_name(source),
            cause,
            metric_value: Some(best.proposal.metric_value),
        };
        match source {
            // Every target tracking policy agreed to this scale-in: each starts its cooldown.
            Source::TargetTracking(_) => {
                for &i in &enabled {
                    self.target_tracking[i].record_scale_in(now);
                }
            }
            Source::Step(i) => self.step_scaling[i].record_scale_in(now),
        }
        Some(activity)
    }

    fn candidate(&self, source: Source, proposal: Proposal) -> Candidate {
        let capacity = self.clamp(proposal.capacity);
        Candidate {
            source,
            proposal,
            capacity,
        }
    }

    fn policy_name(&self, source: Source) -> String {
        match source {
            Source::TargetTracking(i) => self.target_tracking[i].config().name.clone(),
            Source::Step(i) => self.step_scaling[i].config().name.clone(),
        }
    }

    /// The activity cause: the policy's reason, then the change and why it is not exactly
    /// what the policy computed (min/max, another policy's floor).
    fn cause(
        &self,
        c: &Candidate,
        running: u32,
        desired: u32,
        floor: Option<(&Candidate, u32)>,
    ) -> String {
        let to = floor.map_or(c.capacity, |(_, to)| to);
        let mut s = format!(
            "{}; setting desired count to {to} from {desired} (running {running}",
            c.proposal.reason
        );
        if c.capacity > c.proposal.capacity {
            s.push_str(&format!(
                ", policy computed {}, raised to min capacity {}",
                c.proposal.capacity, self.min
            ));
        } else if c.capacity < c.proposal.capacity {
            s.push_str(&format!(
                ", policy computed {}, limited to max capacity {}",
                c.proposal.capacity, self.max
            ));
        }
        if let Some((o, to)) = floor {
            s.push_str(&format!(
                ", kept at {to}, the count policy {} proposes",
                self.policy_name(o.source)
            ));
        }
        s.push(')');
        s
    }

    /// The earliest scheduled action strictly after `after`; sim time 0 is Unix time
    /// `epoch_unix_s` (UTC). Actions due exactly at time 0 are not returned: call
    /// [`ServiceAutoScaling::on_scheduled`] at time 0 to run them.
    pub fn next_scheduled(&self, after: SimTime, epoch_unix_s: i64) -> Option<SimTime> {
        let after_s = epoch_unix_s + (after.as_secs() as i64);
        self.scheduled
            .iter()
            .filter_map(|a| a.schedule.next_after(after_s, epoch_unix_s))
            .min()
            .map(|t| SimTime::ZERO + SimDuration::from_secs((t - epoch_unix_s) as u64))
    }

    /// Runs every scheduled action due since the previous call (or since the start, on the
    /// first call) up to `now`, in time order and, at the same time, in configuration order.
    /// Each sets MinCapacity and/or MaxCapacity; then a desired count below the new min rises
    /// to it and one above the new max falls to it (\[DOC\] ecs-reference §6.4). Returns the
    /// change of desired count, if any.
    ///
    /// Scheduled actions ignore and do not touch the policies' cooldowns (\[DOC\] §6.2:
    /// "scheduled actions may run during a cooldown").
    ///
    /// \[UNCERTAIN\] an action that sets only a min above the current max (or only a max below
    /// the current min) drags the other bound along; AWS does not say what it does.
    pub fn on_scheduled(
        &mut self,
        now: SimTime,
        epoch_unix_s: i64,
        desired: u32,
    ) -> Option<ScalingActivity> {
        let now_s = epoch_unix_s + now.as_secs() as i64;
        let since = self.scheduled_through.unwrap_or(epoch_unix_s - 1);
        if now_s <= since {
            return None;
        }
        self.scheduled_through = Some(now_s);
        let mut due: Vec<(i64, usize)> = self
            .scheduled
            .iter()
            .enumerate()
            .filter_map(|(i, a)| {
                let t = a.schedule.next_after(since, epoch_unix_s)?;
                (t <= now_s).then_some((t, i))
            })
            .collect();
        due.sort_unstable();
        let mut current = desired;
        let mut parts = Vec::new();
        let mut names = Vec::new();
        for (_, i) in due {
            let a = &self.scheduled[i];
            match (a.min_capacity, a.max_capacity) {
                (Some(lo), Some(hi)) => (self.min, self.max) = (lo, hi),
                (Some(lo), None) => (self.min, self.max) = (lo, self.max.max(lo)),
                (None, Some(hi)) => (self.min, self.max) = (self.min.min(hi), hi),
                (None, None) => {}
            }
            parts.push(a.describe());
            names.push(a.name.as_str());
            current = current.clamp(self.min, self.max);
        }
        if current == desired {
            return None;
        }
        Some(ScalingActivity {
            from: desired,
            to: current,
            policy: names.join(", "),
            cause: format!(
                "{}; setting desired count to {current} from {desired}",
                parts.join("; ")
            ),
            metric_value: None,
        })
    }
}

/// The candidate with the largest count; the first one listed on ties (target tracking
/// before step, configuration order within each).
fn largest<'a>(cands: impl Iterator<Item = &'a Candidate>) -> Option<&'a Candidate> {
    cands.fold(None, |best: Option<&Candidate>, c| match best {
        Some(b) if b.capacity >= c.capacity => Some(b),
        _ => Some(c),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::autoscaling::alarm::Comparison;
    use crate::autoscaling::schedule::days_from_civil;
    use crate::autoscaling::step_scaling::{
        AdjustmentType, MetricAggregation, StepAdjustment, StepAlarmConfig,
    };
    use crate::autoscaling::ServiceMetric;

    fn cpu(v: f64) -> ServiceDatapoints {
        ServiceDatapoints {
            cpu_utilization: Some(v),
            ..Default::default()
        }
    }

    fn cpu_mem(c: f64, m: Option<f64>) -> ServiceDatapoints {
        ServiceDatapoints {
            cpu_utilization: Some(c),
            memory_utilization: m,
            ..Default::default()
        }
    }

    fn cpu70() -> TargetTrackingConfig {
        TargetTrackingConfig::new("cpu70", ServiceMetric::CpuUtilization, 70.0)
    }

    fn mem50() -> TargetTrackingConfig {
        TargetTrackingConfig::new("mem50", ServiceMetric::MemoryUtilization, 50.0)
    }

    fn config(min: u32, max: u32, tt: Vec<TargetTrackingConfig>) -> ServiceAutoScalingConfig {
        ServiceAutoScalingConfig {
            min_capacity: min,
            max_capacity: max,
            target_tracking: tt,
            step_scaling: vec![],
            scheduled_actions: vec![],
        }
    }

    /// Feeds 1-minute datapoints and applies the answers like the simulation would.
    struct Harness {
        scaling: ServiceAutoScaling,
        /// Minutes fed so far; datapoint k is fed at minute k.
        minute: u64,
        running: u32,
        desired: u32,
        /// Tasks start at once (running follows desired) when true.
        follow: bool,
    }

    impl Harness {
        fn new(cfg: ServiceAutoScalingConfig, count: u32, follow: bool) -> Harness {
            assert_eq!(cfg.validate(), Ok(()));
            Harness {
                scaling: ServiceAutoScaling::new(cfg),
                minute: 0,
                running: count,
                desired: count,
                follow,
            }
        }

        fn now(&self) -> SimTime {
            SimTime(self.minute * 60_000)
        }

        fn feed(&mut self, dp: ServiceDatapoints) -> Option<ScalingActivity> {
            self.minute += 1;
            let now = self.now();
            let a = self.scaling.on_datapoints(
                now,
                Resolution::Standard,
                &dp,
                self.running,
                self.desired,
            );
            if let Some(a) = &a {
                assert_eq!(a.from, self.desired);
                self.desired = a.to;
                if self.follow {
                    self.running = a.to;
                }
            }
            a
        }

        /// Feeds `n` copies of `dp`, asserting nothing happens.
        fn quiet(&mut self, n: usize, dp: ServiceDatapoints) {
            for _ in 0..n {
                let a = self.feed(dp);
                assert_eq!(a, None, "minute {}", self.minute);
            }
        }
    }

    #[test]
    fn scale_out_at_the_third_breaching_datapoint_and_not_before() {
        let mut h = Harness::new(config(1, 20, vec![cpu70()]), 4, false);
        h.quiet(5, cpu(50.0));
        // The load crosses the target at datapoint 6; datapoints 6 and 7 breach quietly.
        h.quiet(2, cpu(105.0));
        let a = h
            .feed(cpu(105.0))
            .expect("scale-out at the 3rd breaching datapoint");
        assert_eq!(h.minute, 8);
        // 4 running × 105 / 70 = 6.
        assert_eq!((a.from, a.to), (4, 6));
        assert_eq!(a.policy, "cpu70");
        assert_eq!(a.metric_value, Some(105.0));
        assert_eq!(
            a.cause,
            "monitor alarm TargetTracking-cpu70-AlarmHigh in state ALARM triggered policy cpu70 \
             (ECSServiceAverageCPUUtilization 105 > 70 for 3 of 3 datapoints); setting desired \
             count to 6 from 4 (running 4)"
        );
        // The new tasks are still pending (running 4): the alarm fires again but proposes 6,
        // which does not exceed the desired 6.
        h.quiet(1, cpu(105.0));
        // More load inside the cooldown: 4 × 140 / 70 = 8 > 6, a larger scale-out applies.
        let a = h.feed(cpu(140.0)).unwrap();
        assert_eq!((a.from, a.to), (6, 8));
    }

    #[test]
    fn scale_out_cooldown_floor_is_what_the_last_scale_out_set() {
        let mut h = Harness::new(config(1, 20, vec![cpu70()]), 4, false);
        h.quiet(2, cpu(140.0));
        // Minute 3: 4 × 140 / 70 = 8.
        assert_eq!(h.feed(cpu(140.0)).map(|a| a.to), Some(8));
        // Something else (a scheduled max) brings desired back to 5; within the 300 s
        // cooldown the same proposal (8) does not exceed what the scale-out set (8).
        h.desired = 5;
        h.quiet(4, cpu(140.0));
        // Minute 8 = 300 s after minute 3: the cooldown is over, 5 → 8.
        assert_eq!(h.feed(cpu(140.0)).map(|a| (a.from, a.to)), Some((5, 8)));
    }

    #[test]
    fn tasks_that_start_let_the_proportional_rule_continue() {
        let mut h = Harness::new(config(1, 50, vec![cpu70()]), 4, true);
        h.quiet(2, cpu(105.0));
        // 4 × 105 / 70 = 6.
        assert_eq!(h.feed(cpu(105.0)).map(|a| a.to), Some(6));
        // The new tasks run and the load per task is still 105 %: 6 × 105 / 70 = 9.
        assert_eq!(h.feed(cpu(105.0)).map(|a| a.to), Some(9));
    }

    #[test]
    fn scale_in_only_after_fifteen_datapoints_below_ninety_percent_of_target() {
        let mut h = Harness::new(config(1, 20, vec![cpu70()]), 10, true);
        h.quiet(14, cpu(40.0));
        let a = h
            .feed(cpu(40.0))
            .expect("scale-in at the 15th low datapoint");
        assert_eq!(h.minute, 15);
        // 10 × 40 / 70 = 5.71 → 6 (capacity rounded up).
        assert_eq!((a.from, a.to), (10, 6));
        assert_eq!(
            a.cause,
            "monitor alarm TargetTracking-cpu70-AlarmLow in state ALARM triggered policy cpu70 \
             (ECSServiceAverageCPUUtilization 40 < 63 for 15 of 15 datapoints); setting desired \
             count to 6 from 10 (running 10)"
        );
        // 63 = 0.9 × 70 is not below the threshold: no scale-in ever.
        let mut h = Harness::new(config(1, 20, vec![cpu70()]), 10, true);
        h.quiet(40, cpu(63.0));
    }

    #[test]
    fn scale_in_cooldown_blocks_a_second_scale_in() {
        let mut h = Harness::new(config(1, 20, vec![cpu70()]), 10, true);
        h.quiet(14, cpu(40.0));
        assert_eq!(h.feed(cpu(40.0)).map(|a| a.to), Some(6));
        // AlarmLow stays in ALARM and proposes 6 × 40 / 70 = 3.43 → 4, but the 300 s
        // cooldown from minute 15 blocks minutes 16–19.
        h.quiet(4, cpu(40.0));
        let a = h.feed(cpu(40.0)).unwrap();
        assert_eq!(h.minute, 20);
        assert_eq!((a.from, a.to), (6, 4));
    }

    #[test]
    fn a_scale_out_cancels_the_scale_in_cooldown() {
        let mut long = cpu70();
        long.scale_in_cooldown = crate::engine::SimDuration::from_secs(3600);

        // Control: with only low load the second scale-in waits the full hour.
        let mut h = Harness::new(config(1, 20, vec![long.clone()]), 10, true);
        h.quiet(14, cpu(40.0));
        assert_eq!(h.feed(cpu(40.0)).map(|a| a.to), Some(6));
        h.quiet(59, cpu(40.0));
        // Minute 75 = 15 + 60: 6 × 40 / 70 = 3.43 → 4.
        assert_eq!(h.feed(cpu(40.0)).map(|a| (a.from, a.to)), Some((6, 4)));

        // With a burst in between, the scale-out at minute 18 cancels the cooldown.
        let mut h = Harness::new(config(1, 20, vec![long]), 10, true);
        h.quiet(14, cpu(40.0));
        assert_eq!(h.feed(cpu(40.0)).map(|a| a.to), Some(6));
        h.quiet(2, cpu(105.0));
        // 6 × 105 / 70 = 9.
        assert_eq!(h.feed(cpu(105.0)).map(|a| (a.from, a.to)), Some((6, 9)));
        h.quiet(14, cpu(40.0));
        // Minute 33, well inside the hour: 9 × 40 / 70 = 5.14 → 6.
        let a = h.feed(cpu(40.0)).unwrap();
        assert_eq!(h.minute, 33);
        assert_eq!((a.from, a.to), (9, 6));
    }

    #[test]
    fn disable_scale_in_never_scales_in_but_still_scales_out() {
        let mut c = cpu70();
        c.disable_scale_in = true;
        let mut h = Harness::new(config(1, 20, vec![c]), 10, true);
        h.quiet(60, cpu(5.0));
        h.quiet(2, cpu(105.0));
        // 10 × 105 / 70 = 15.
        assert_eq!(h.feed(cpu(105.0)).map(|a| a.to), Some(15));
    }

    #[test]
    fn insufficient_data_does_nothing() {
        let mut h = Harness::new(config(0, 20, vec![cpu70()]), 0, true);
        h.quiet(30, ServiceDatapoints::default());
        let mut h = Harness::new(config(1, 20, vec![cpu70()]), 3, true);
        h.quiet(30, ServiceDatapoints::default());
        // One datapoint in 15 keeps AlarmLow out of ALARM (15 of 15 needed).
        let mut h = Harness::new(config(1, 20, vec![cpu70()]), 10, true);
        h.quiet(14, cpu(10.0));
        h.quiet(20, ServiceDatapoints::default());
    }

    #[test]
    fn from_zero_tasks_a_real_zero_metric_scales_out_by_the_minimum() {
        let alb = TargetTrackingConfig::new("rps", ServiceMetric::RequestCountPerTarget, 100.0);
        let req = |v: f64| ServiceDatapoints {
            request_count_per_target: Some(v),
            ..Default::default()
        };
        let mut h = Harness::new(config(0, 10, vec![alb.clone()]), 0, false);
        h.quiet(2, req(500.0));
        // 0 running: the minimum possible amount, max(1, min 0) = 1.
        assert_eq!(h.feed(req(500.0)).map(|a| (a.from, a.to)), Some((0, 1)));
        // With min 2 the minimum is 2.
        let mut h = Harness::new(config(2, 10, vec![alb]), 0, false);
        h.desired = 0;
        h.quiet(2, req(500.0));
        assert_eq!(h.feed(req(500.0)).map(|a| (a.from, a.to)), Some((0, 2)));
    }

    #[test]
    fn any_policy_can_scale_out_and_the_largest_wins() {
        let mut h = Harness::new(config(1, 50, vec![cpu70(), mem50()]), 4, false);
        h.quiet(2, cpu_mem(105.0, Some(10.0)));
        // Memory is low, CPU high: CPU alone scales out, 4 × 105 / 70 = 6.
        let a = h.feed(cpu_mem(105.0, Some(10.0))).unwrap();
        assert_eq!((a.to, a.policy.as_str()), (6, "cpu70"));

        let mut h = Harness::new(config(1, 50, vec![cpu70(), mem50()]), 4, false);
        h.quiet(2, cpu_mem(105.0, Some(100.0)));
        // CPU proposes 6, memory 4 × 100 / 50 = 8: memory wins.
        let a = h.feed(cpu_mem(105.0, Some(100.0))).unwrap();
        assert_eq!((a.to, a.policy.as_str()), (8, "mem50"));
    }

    #[test]
    fn scale_in_needs_every_policy_and_the_largest_count_wins() {
        let mut h = Harness::new(config(1, 50, vec![cpu70(), mem50()]), 10, true);
        // CPU low, memory at its target (AlarmLow OK): no scale-in.
        h.quiet(15, cpu_mem(40.0, Some(50.0)));
        // Memory drops below 45 = 0.9 × 50 from minute 16; its AlarmLow fires at minute 30.
        h.quiet(14, cpu_mem(40.0, Some(20.0)));
        let a = h.feed(cpu_mem(40.0, Some(20.0))).unwrap();
        assert_eq!(h.minute, 30);
        // CPU: 10 × 40 / 70 = 5.71 → 6; memory: 10 × 20 / 50 = 4; the larger, 6, wins.
        assert_eq!((a.from, a.to, a.policy.as_str()), (10, 6, "cpu70"));
        assert!(a
            .cause
            .ends_with("; all 2 target tracking policies with scale-in enabled are in ALARM"));
    }

    #[test]
    fn a_policy_without_data_blocks_scale_in() {
        let mut h = Harness::new(config(1, 50, vec![cpu70(), mem50()]), 10, true);
        h.quiet(40, cpu_mem(40.0, None));
    }

    #[test]
    fn a_policy_with_scale_in_disabled_does_not_block_scale_in() {
        let mut m = mem50();
        m.disable_scale_in = true;
        let mut h = Harness::new(config(1, 50, vec![cpu70(), m]), 10, true);
        h.quiet(14, cpu_mem(40.0, Some(50.0)));
        assert_eq!(h.feed(cpu_mem(40.0, Some(50.0))).map(|a| a.to), Some(6));
    }

    #[test]
    fn a_policy_in_alarm_high_keeps_a_scale_in_at_its_count() {
        let mut m = mem50();
        m.disable_scale_in = true;
        // 6 running of 10 desired (4 tasks cannot be placed).
        let mut h = Harness::new(config(1, 50, vec![cpu70(), m]), 10, false);
        h.running = 6;
        // Memory is high: 6 × 60 / 50 = 7.2 → 8, not above the desired 10, so no scale-out.
        h.quiet(14, cpu_mem(20.0, Some(60.0)));
        // CPU's AlarmLow fires at minute 15 with 6 × 20 / 70 = 1.71 → 2, but memory's 8 is the
        // largest count of the policies acting: 10 → 8.
        let a = h.feed(cpu_mem(20.0, Some(60.0))).unwrap();
        assert_eq!((a.from, a.to, a.policy.as_str()), (10, 8, "cpu70"));
        assert!(a
            .cause
            .ends_with("(running 6, kept at 8, the count policy mem50 proposes)"));
    }

    #[test]
    fn min_and_max_clamp_per_section_6_1() {
        // desired < min and a scale-out fires: at least min. 2 × 80 / 70 = 2.29 → 3 → 5.
        let mut h = Harness::new(config(5, 20, vec![cpu70()]), 2, false);
        h.quiet(2, cpu(80.0));
        let a = h.feed(cpu(80.0)).unwrap();
        assert_eq!((a.from, a.to), (2, 5));
        assert!(a
            .cause
            .ends_with("(running 2, policy computed 3, raised to min capacity 5)"));

        // desired > max and a scale-in fires: at most max. 12 × 60 / 70 = 10.29 → 11 → 8.
        let mut h = Harness::new(config(1, 8, vec![cpu70()]), 12, true);
        h.quiet(14, cpu(60.0));
        let a = h.feed(cpu(60.0)).unwrap();
        assert_eq!((a.from, a.to), (12, 8));
        assert!(a.cause.contains("limited to max capacity 8"));

        // A scale-out is limited to max: 4 × 140 / 70 = 8 → 6.
        let mut h = Harness::new(config(1, 6, vec![cpu70()]), 4, false);
        h.quiet(2, cpu(140.0));
        assert_eq!(h.feed(cpu(140.0)).map(|a| a.to), Some(6));

        // Scale-out above max does nothing.
        let mut h = Harness::new(config(1, 6, vec![cpu70()]), 6, true);
        h.quiet(20, cpu(140.0));

        // Scale-in below min does nothing: 4 × 10 / 70 = 0.57 → 1 → min 4 = desired.
        let mut h = Harness::new(config(4, 20, vec![cpu70()]), 4, true);
        h.quiet(40, cpu(10.0));

        // desired < min and a scale-in fires: nothing (it would raise the count).
        let mut h = Harness::new(config(4, 20, vec![cpu70()]), 2, true);
        h.quiet(40, cpu(10.0));
    }

    #[test]
    fn high_resolution_policies_see_only_their_own_datapoints() {
        let mut c = cpu70();
        c.resolution = Resolution::High;
        let mut s = ServiceAutoScaling::new(config(1, 20, vec![c]));
        assert_eq!(s.resolutions().collect::<Vec<_>>(), vec![Resolution::High]);
        // Standard-resolution calls do not reach it.
        for k in 1..=5 {
            let now = SimTime(k * 60_000);
            assert_eq!(
                s.on_datapoints(now, Resolution::Standard, &cpu(105.0), 4, 4),
                None
            );
        }
        // Three 20 s datapoints: 40 s after the first breach.
        assert_eq!(
            s.on_datapoints(SimTime(320_000), Resolution::High, &cpu(105.0), 4, 4),
            None
        );
        assert_eq!(
            s.on_datapoints(SimTime(340_000), Resolution::High, &cpu(105.0), 4, 4),
            None
        );
        let a = s.on_datapoints(SimTime(360_000), Resolution::High, &cpu(105.0), 4, 4);
        let a = a.unwrap();
        assert_eq!(a.to, 6);
        assert!(a
            .cause
            .contains("ECSServiceAverageCPUUtilizationHighResolution 105 > 70"));
    }

    fn step_policy(
        name: &str,
        threshold: f64,
        comparison: Comparison,
        steps: Vec<StepAdjustment>,
    ) -> StepScalingConfig {
        StepScalingConfig {
            name: name.to_string(),
            alarm: StepAlarmConfig {
                metric: ServiceMetric::CpuUtilization,
                resolution: Resolution::Standard,
                threshold,
                comparison,
                evaluation_periods: 1,
                datapoints_to_alarm: 1,
            },
            adjustment_type: AdjustmentType::ChangeInCapacity,
            step_adjustments: steps,
            min_adjustment_magnitude: None,
            cooldown: crate::autoscaling::step_scaling::DEFAULT_STEP_COOLDOWN,
            metric_aggregation_type: MetricAggregation::Average,
        }
    }

    fn open_above(adj: i64) -> Vec<StepAdjustment> {
        vec![StepAdjustment {
            metric_interval_lower_bound: Some(0.0),
            metric_interval_upper_bound: None,
            scaling_adjustment: adj,
        }]
    }

    fn open_below(adj: i64) -> Vec<StepAdjustment> {
        vec![StepAdjustment {
            metric_interval_lower_bound: None,
            metric_interval_upper_bound: Some(0.0),
            scaling_adjustment: adj,
        }]
    }

    fn steps_only(steps: Vec<StepScalingConfig>) -> ServiceAutoScalingConfig {
        ServiceAutoScalingConfig {
            step_scaling: steps,
            ..config(1, 50, vec![])
        }
    }

    #[test]
    fn step_outs_beat_ins_and_the_largest_out_wins() {
        let cfg = steps_only(vec![
            step_policy("in-below-90", 90.0, Comparison::LessThan, open_below(-1)),
            step_policy("out-plus-1", 70.0, Comparison::GreaterThan, open_above(1)),
            step_policy("out-plus-3", 75.0, Comparison::GreaterThan, open_above(3)),
        ]);
        let mut h = Harness::new(cfg, 4, true);
        // At 80 all three alarms are in ALARM: the ins lose, +3 beats +1: 4 + 3 = 7.
        let a = h.feed(cpu(80.0)).unwrap();
        assert_eq!((a.from, a.to, a.policy.as_str()), (4, 7, "out-plus-3"));
        assert_eq!(
            a.cause,
            "monitor alarm StepScaling-out-plus-3-Alarm in state ALARM triggered policy \
             out-plus-3 (ECSServiceAverageCPUUtilization 80 > 75 for 1 of 1 datapoints; Average \
             80 is +5 from the threshold, step [0, +inf): ChangeInCapacity +3); setting desired \
             count to 7 from 4 (running 4)"
        );
    }

    #[test]
    fn step_scale_in_cooldown_and_its_cancellation() {
        let cfg = steps_only(vec![
            step_policy("in", 30.0, Comparison::LessThan, open_below(-1)),
            step_policy("out", 80.0, Comparison::GreaterThan, open_above(2)),
        ]);
        let mut h = Harness::new(cfg.clone(), 10, true);
        assert_eq!(h.feed(cpu(10.0)).map(|a| a.to), Some(9));
        // Cooldown 300 s from minute 1: minutes 2–5 blocked, minute 6 scales in.
        h.quiet(4, cpu(10.0));
        assert_eq!(h.feed(cpu(10.0)).map(|a| (a.from, a.to)), Some((9, 8)));

        let mut h = Harness::new(cfg, 10, true);
        assert_eq!(h.feed(cpu(10.0)).map(|a| a.to), Some(9));
        // A scale-out at minute 2 cancels the scale-in cooldown: minute 3 scales in again.
        assert_eq!(h.feed(cpu(90.0)).map(|a| (a.from, a.to)), Some((9, 11)));
        assert_eq!(h.feed(cpu(10.0)).map(|a| (a.from, a.to)), Some((11, 10)));
    }

    #[test]
    fn step_and_target_tracking_together_take_the_largest() {
        let mut cfg = config(1, 50, vec![cpu70()]);
        cfg.step_scaling = vec![step_policy(
            "out-plus-1",
            100.0,
            Comparison::GreaterThan,
            open_above(1),
        )];
        let mut h = Harness::new(cfg, 4, false);
        // Minute 1: the step alarm (1 of 1) fires: 4 + 1 = 5.
        assert_eq!(
            h.feed(cpu(140.0)).map(|a| (a.to, a.policy)),
            Some((5, "out-plus-1".into()))
        );
        // Minute 2: the step policy is in cooldown (base 4 → 5 again, not above 5).
        h.quiet(1, cpu(140.0));
        // Minute 3: target tracking 4 × 140 / 70 = 8 beats the step's 5.
        assert_eq!(
            h.feed(cpu(140.0)).map(|a| (a.to, a.policy)),
            Some((8, "cpu70".into()))
        );
    }

    #[test]
    fn resolutions_lists_each_needed_period_once() {
        let mut hi = mem50();
        hi.resolution = Resolution::High;
        let mut cfg = config(1, 10, vec![cpu70(), hi, cpu70()]);
        cfg.target_tracking[2].name = "other".into();
        let s = ServiceAutoScaling::new(cfg);
        assert_eq!(
            s.resolutions().collect::<Vec<_>>(),
            vec![Resolution::Standard, Resolution::High]
        );
        let none = ServiceAutoScaling::new(config(1, 10, vec![]));
        assert_eq!(none.resolutions().count(), 0);
    }

    #[test]
    fn config_validation() {
        assert_eq!(config(2, 2, vec![cpu70()]).validate(), Ok(()));
        assert!(config(3, 2, vec![])
            .validate()
            .unwrap_err()
            .contains("min capacity ≤ max capacity, got 3 > 2"));
        let mut bad = cpu70();
        bad.target_value = -1.0;
        assert_eq!(
            config(1, 2, vec![bad]).validate().unwrap_err(),
            "target tracking policy \"cpu70\": expected a target value > 0, got -1"
        );
        assert!(config(1, 2, vec![cpu70(), cpu70()])
            .validate()
            .unwrap_err()
            .contains("unique policy names"));
        let mut steps = steps_only(vec![step_policy(
            "s",
            70.0,
            Comparison::GreaterThan,
            vec![StepAdjustment {
                metric_interval_lower_bound: None,
                metric_interval_upper_bound: None,
                scaling_adjustment: 1,
            }],
        )]);
        assert!(steps
            .validate()
            .unwrap_err()
            .starts_with("step scaling policy \"s\": step adjustment 0"));
        steps.step_scaling.clear();
        let action = |name: &str, lo, hi| ScheduledActionConfig {
            name: name.into(),
            schedule: Schedule::parse("rate(1 hour)").unwrap(),
            min_capacity: lo,
            max_capacity: hi,
        };
        steps.scheduled_actions = vec![action("a", Some(1), None), action("b", None, Some(3))];
        assert_eq!(steps.validate(), Ok(()));
        steps.scheduled_actions = vec![action("a", None, None)];
        assert!(steps
            .validate()
            .unwrap_err()
            .contains("a min capacity, a max capacity or both"));
        steps.scheduled_actions = vec![action("a", Some(5), Some(3))];
        assert!(steps.validate().unwrap_err().contains("got 5 > 3"));
        steps.scheduled_actions = vec![action("a", Some(1), None), action("a", Some(2), None)];
        assert!(steps
            .validate()
            .unwrap_err()
            .contains("unique scheduled action names"));
    }

    /// 2024-06-03 00:00:00 UTC, a Monday.
    fn epoch() -> i64 {
        days_from_civil(2024, 6, 3) * 86_400
    }

    fn hours(h: u64) -> SimTime {
        SimTime(h * 3_600_000)
    }

    fn scheduled(actions: Vec<(&str, &str, Option<u32>, Option<u32>)>) -> ServiceAutoScaling {
        let mut cfg = config(1, 10, vec![cpu70()]);
        cfg.scheduled_actions = actions
            .into_iter()
            .map(|(name, s, lo, hi)| ScheduledActionConfig {
                name: name.into(),
                schedule: Schedule::parse(s).unwrap(),
                min_capacity: lo,
                max_capacity: hi,
            })
            .collect();
        ServiceAutoScaling::new(cfg)
    }

    #[test]
    fn scheduled_action_raising_min_raises_a_lower_desired_count() {
        let mut s = scheduled(vec![
            ("morning", "cron(0 8 ? * MON-FRI *)", Some(4), Some(10)),
            ("evening", "cron(0 20 ? * * *)", Some(1), None),
        ]);
        let e = epoch();
        assert_eq!(s.next_scheduled(SimTime::ZERO, e), Some(hours(8)));
        let a = s.on_scheduled(hours(8), e, 2).unwrap();
        assert_eq!((a.from, a.to, a.policy.as_str()), (2, 4, "morning"));
        assert_eq!(
            a.cause,
            "scheduled action morning set min capacity to 4 and max capacity to 10; setting \
             desired count to 4 from 2"
        );
        assert_eq!((s.min_capacity(), s.max_capacity()), (4, 10));
        assert_eq!(a.metric_value, None);
        // Evening lowers min; desired 6 is within [1, 10]: bounds change, the count does not.
        assert_eq!(s.next_scheduled(hours(8), e), Some(hours(20)));
        assert_eq!(s.on_scheduled(hours(20), e, 6), None);
        assert_eq!((s.min_capacity(), s.max_capacity()), (1, 10));
        // Next firing: Tuesday 08:00.
        assert_eq!(s.next_scheduled(hours(20), e), Some(hours(32)));
    }

    #[test]
    fn scheduled_action_lowering_max_lowers_a_higher_desired_count() {
        let mut s = scheduled(vec![("cap", "at(2024-06-03T12:00:00)", None, Some(3))]);
        let e = epoch();
        assert_eq!(s.next_scheduled(SimTime::ZERO, e), Some(hours(12)));
        let a = s.on_scheduled(hours(12), e, 6).unwrap();
        assert_eq!((a.from, a.to), (6, 3));
        assert_eq!(
            a.cause,
            "scheduled action cap set max capacity to 3; setting desired count to 3 from 6"
        );
        assert_eq!(s.next_scheduled(hours(12), e), None);
        assert_eq!(s.on_scheduled(hours(13), e, 3), None);
    }

    #[test]
    fn scheduled_actions_due_together_run_in_order() {
        let mut s = scheduled(vec![
            ("a", "at(2024-06-03T01:00:00)", Some(5), Some(10)),
            ("b", "at(2024-06-03T01:00:00)", None, Some(8)),
            ("c", "at(2024-06-03T00:30:00)", Some(2), None),
        ]);
        let e = epoch();
        assert_eq!(s.next_scheduled(SimTime::ZERO, e), Some(SimTime(1_800_000)));
        // Called late (01:00:30): c (00:30) then a and b (01:00), in that order.
        let a = s.on_scheduled(SimTime(3_630_000), e, 9).unwrap();
        assert_eq!((s.min_capacity(), s.max_capacity()), (5, 8));
        assert_eq!((a.from, a.to, a.policy.as_str()), (9, 8, "c, a, b"));
        assert_eq!(
            a.cause,
            "scheduled action c set min capacity to 2; scheduled action a set min capacity to 5 \
             and max capacity to 10; scheduled action b set max capacity to 8; setting desired \
             count to 8 from 9"
        );
        // Nothing runs twice.
        assert_eq!(s.on_scheduled(hours(2), e, 8), None);
    }

    #[test]
    fn scheduled_action_bounds_drag_each_other() {
        // Min 12 above the current max 10 raises max too; then max 3 below min lowers min.
        let mut s = scheduled(vec![
            ("up", "at(2024-06-03T01:00:00)", Some(12), None),
            ("down", "at(2024-06-03T02:00:00)", None, Some(3)),
        ]);
        let e = epoch();
        assert_eq!(s.on_scheduled(hours(1), e, 4).map(|a| a.to), Some(12));
        assert_eq!((s.min_capacity(), s.max_capacity()), (12, 12));
        assert_eq!(s.on_scheduled(hours(2), e, 12).map(|a| a.to), Some(3));
        assert_eq!((s.min_capacity(), s.max_capacity()), (3, 3));
    }

    #[test]
    fn scheduled_actions_at_the_start_and_before_it() {
        let mut s = scheduled(vec![
            ("past", "at(2024-06-02T12:00:00)", Some(9), None),
            ("start", "at(2024-06-03T00:00:00)", Some(3), None),
        ]);
        let e = epoch();
        // An action due exactly at time 0 is not "strictly after" 0 ...
        assert_eq!(s.next_scheduled(SimTime::ZERO, e), None);
        // ... and runs when the simulation calls on_scheduled at time 0; the past one never.
        let a = s.on_scheduled(SimTime::ZERO, e, 1).unwrap();
        assert_eq!((a.to, a.policy.as_str()), (3, "start"));
        assert_eq!(s.min_capacity(), 3);
    }

    #[test]
    fn rate_actions_fire_one_period_after_the_start() {
        let mut s = scheduled(vec![("tick", "rate(30 minutes)", Some(2), None)]);
        let e = epoch();
        assert_eq!(s.next_scheduled(SimTime::ZERO, e), Some(SimTime(1_800_000)));
        assert_eq!(
            s.next_scheduled(SimTime(1_800_000), e),
            Some(SimTime(3_600_000))
        );
        // Sub-second offsets: strictly after 1 799.5 s is 1 800 s.
        assert_eq!(
            s.next_scheduled(SimTime(1_799_500), e),
            Some(SimTime(1_800_000))
        );
        assert_eq!(
            s.on_scheduled(SimTime(1_800_000), e, 1).map(|a| a.to),
            Some(2)
        );
    }

    #[test]
    fn scheduled_actions_run_during_cooldowns() {
        let mut cfg = config(1, 20, vec![cpu70()]);
        cfg.scheduled_actions = vec![ScheduledActionConfig {
            name: "floor".into(),
            schedule: Schedule::parse("at(2024-06-03T00:17:00)").unwrap(),
            min_capacity: Some(8),
            max_capacity: None,
        }];
        let mut h = Harness::new(cfg, 10, true);
        h.quiet(14, cpu(40.0));
        // Scale-in at minute 15 starts a 300 s scale-in cooldown.
        assert_eq!(h.feed(cpu(40.0)).map(|a| a.to), Some(6));
        h.quiet(1, cpu(40.0));
        // Minute 17, inside the cooldown: the scheduled action still raises 6 → 8.
        let a = h
            .scaling
            .on_scheduled(SimTime(17 * 60_000), epoch(), 6)
            .unwrap();
        assert_eq!((a.from, a.to), (6, 8));
        h.desired = 8;
        h.running = 8;
        // And the policy's cooldown is untouched: minute 20 may scale in, but not below 8.
        h.quiet(3, cpu(40.0));
        assert_eq!(h.desired, 8);
    }
}
