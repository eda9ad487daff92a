//! The simulation's side of `--explain` for ECS Managed Instances (launches, optimization
//! passes) and Availability Zone rebalancing (checks that act or are held back).
//!
//! Like `explain.rs`, every function here runs only when the run explains, reads the values
//! the decision was taken on (handed over by the decision site, captured before it acted),
//! changes nothing and draws no random number. Passes and checks that neither act nor change
//! their reason are not written again: a provider at its cap or a service held back by a
//! deployment would otherwise repeat itself every minute.

use super::managed_instances::{Consolidation, ConsolidationTry};
use super::rebalance::covered_zones;
use super::Simulation;
use crate::autoscaling::managed_instances::{Demand, PlanRound};
use crate::engine::{SimDuration, SimTime};
use crate::explain::managed_instances::{
    launch_rounds, ConsolidationCandidate, ConsolidationTrace, ManagedInstancesLaunchTrace,
    ShapeTrace, CANDIDATE_LIMIT,
};
use crate::explain::rebalancing::{room_rule, zone_tasks, zones_trace, AzRebalancingTrace};
use crate::explain::{Budget, Decision, LIST_LIMIT};
use crate::ids::{CapacityProviderId, InstanceId, ServiceId};
use crate::scheduler::az_rebalancing as rules;
use crate::scheduler::deployment::maximum_tasks;
use crate::scheduler::placement::instance_display_id;
use crate::scheduler::task::{Placement, TaskStatus};

/// What a rebalancing check hands its trace: what it did and the counts it decided on.
pub(super) struct RebalanceCheck<'a> {
    /// "started tasks", "stopped tasks", "balanced", "blocked", "interrupted", "not eligible".
    pub(super) action: &'static str,
    /// Live tasks per zone the check looked at (before it started or stopped any).
    pub(super) counts: &'a [u32],
    /// Zones the service's capacity covers.
    pub(super) covered: &'a [bool],
    /// Whether to show the room arithmetic (a check that got as far as planning moves).
    pub(super) room: bool,
    /// Moves the step made.
    pub(super) moves: u32,
    /// Tasks started, per zone index.
    pub(super) started: &'a [(usize, Vec<u32>)],
    /// Tasks stopped, per zone index.
    pub(super) stopped: &'a [(usize, Vec<u32>)],
    /// Why, in words.
    pub(super) reason: String,
    /// Events logged from this index on belong to the check.
    pub(super) events_before: usize,
}

fn round_usd(v: f64) -> f64 {
    (v * 1e8).round() / 1e8
}

fn percent(part: u32, whole: u32) -> f64 {
    if whole == 0 {
        0.0
    } else {
        (f64::from(part) / f64::from(whole) * 10_000.0).round() / 100.0
    }
}

impl Simulation<'_> {
    /// A Managed Instances minute whose waiting tasks no instance already there could all
    /// take: `left` is what remained per shape after pending and ACTIVE room (`taken`:
    /// waiting, on pending, on active per shape, same order), `limit` how many instances the
    /// provider could still launch, `rounds` the selection's record, `plan` its choice,
    /// `launched` the types launched as the event says them.
    // Off the hot paths: only `--explain` calls it, so it is kept out of its callers.
    #[cold]
    #[inline(never)]
    #[allow(clippy::too_many_arguments)]
    pub(super) fn explain_mi_launch(
        &mut self,
        k: usize,
        now: SimTime,
        left: &[Demand],
        taken: &[[u32; 3]],
        limit: u32,
        rounds: &[PlanRound],
        plan: &[usize],
        (launched, instances_launched): (&[String], u32),
        events_before: usize,
    ) {
        let cp = self.managed_instances[k].cp;
        if self
            .explain
            .as_mut()
            .map_or(true, |e| e.x.full(Budget::Others))
        {
            return;
        }
        let sc = self.sc;
        let cfg = sc.capacity_providers[cp.index()].managed_instances.as_ref();
        let candidates = &self.managed_instances[k].candidates;
        let name = |c: usize| sc.catalog.get(candidates[c].instance_type).name.clone();
        let prices = |c: usize| {
            let t = candidates[c].instance_type;
            let ec2 = sc.catalog.get(t).on_demand_usd_per_hour;
            // The fee exactly as the candidate's price was built (`init_managed_instances`).
            let fee = cfg.and_then(|m| m.fee.usd_per_hour(t, ec2)).unwrap_or(0.0);
            // Rounded to a millionth of a cent so the file reads $0.010406, not float noise;
            // the per-task figures divide the candidate's own price.
            (round_usd(ec2), round_usd(fee))
        };
        let traced_rounds = launch_rounds(candidates, rounds, name, prices);
        let shapes: Vec<ShapeTrace> = left
            .iter()
            .zip(taken)
            .map(|(d, t)| ShapeTrace {
                cpu: d.need.cpu.0,
                memory_mib: d.need.memory.0,
                architecture: d.arch.attribute_value().to_string(),
                waiting: t[0],
                on_pending: t[1],
                on_active: t[2],
                left: d.count,
            })
            .collect();
        let waiting_tasks: u32 = taken.iter().map(|t| t[0]).sum();
        let left_total: u32 = left.iter().map(|d| d.count).sum();
        let tasks: Vec<u32> = self.provider_waiting[cp.index()]
            .iter()
            .filter(|&&t| {
                self.tasks
                    .get(t)
                    .is_some_and(|x| x.status == TaskStatus::Provisioning)
            })
            .take(LIST_LIMIT)
            .map(|t| t.0)
            .collect();
        let n_launched = instances_launched;
        let outcome = if n_launched > 0 {
            format!(
                "launched {n_launched} instance{} for the {left_total} task{} left",
                if n_launched == 1 { "" } else { "s" },
                if left_total == 1 { "" } else { "s" }
            )
        } else if limit == 0 {
            "no launch: the provider already runs as many instances as it may; the tasks keep waiting"
                .to_string()
        } else if plan.is_empty() {
            "no launch: no admitted type holds any of the tasks left; they keep waiting".to_string()
        } else {
            "no launch: every Availability Zone of the provider is down; the tasks keep waiting"
                .to_string()
        };
        let kind = if n_launched > 0 {
            String::new()
        } else {
            outcome.clone()
        };
        let trace = ManagedInstancesLaunchTrace {
            waiting_tasks,
            tasks,
            shapes,
            left: left_total,
            types_matched: candidates.len() as u32,
            launch_limit: limit,
            rounds: traced_rounds,
            instances_chosen: plan.len() as u32,
            launched: launched.to_vec(),
            outcome,
        };
        let event = if n_launched > 0 {
            self.event_since(events_before)
        } else {
            None
        };
        self.push_managed_instances(
            cp,
            0,
            kind,
            now,
            event,
            Decision::ManagedInstancesLaunch(trace),
        );
    }

    /// An optimization pass of Managed Instances provider `k`: `active` instances looked at,
    /// `gone` terminated as idle, `tried` the eligible under-utilized ones in the order the
    /// pass tried them and `drained` the position of the one drained, `rooms` the instances
    /// whose free room counted, `kept` the under-utilized ones it did not try.
    // Off the hot paths: only `--explain` calls it, so it is kept out of its callers.
    #[cold]
    #[inline(never)]
    #[allow(clippy::too_many_arguments)]
    pub(super) fn explain_consolidation(
        &mut self,
        k: usize,
        now: SimTime,
        (delay, fraction): (SimDuration, f64),
        active: u32,
        gone: &[InstanceId],
        tried: &[ConsolidationTry],
        drained: Option<usize>,
        rooms: u32,
        kept: &[(InstanceId, Consolidation)],
        events_before: usize,
    ) {
        if gone.is_empty() && tried.is_empty() && kept.is_empty() {
            return;
        }
        let cp = self.managed_instances[k].cp;
        if self
            .explain
            .as_mut()
            .map_or(true, |e| e.x.full(Budget::Others))
        {
            return;
        }
        let type_of = |i: InstanceId| {
            self.sc
                .catalog
                .get(self.instances[i.index()].instance_type)
                .name
                .clone()
        };
        let others = rooms.saturating_sub(1);
        let mut candidates: Vec<ConsolidationCandidate> = Vec::new();
        for (pos, t) in tried.iter().enumerate() {
            let verdict = match drained {
                Some(d) if d == pos => format!(
                    "drained: its {} fit in the free room of the other {others} instance{} (first fit, largest first)",
                    if t.tasks == 1 { "task".to_string() } else { format!("{} tasks", t.tasks) },
                    if others == 1 { "" } else { "s" }
                ),
                Some(d) if d < pos => {
                    "not tried: one instance is drained per pass".to_string()
                }
                _ => format!(
                    "kept: its tasks would not all fit in the free room of the other {others} instance{} (first fit, largest first)",
                    if others == 1 { "" } else { "s" }
                ),
            };
            candidates.push(ConsolidationCandidate {
                instance: instance_display_id(t.instance),
                instance_type: type_of(t.instance),
                tasks: t.tasks,
                cpu_reserved_percent: percent(t.reserved.cpu.0, t.registered.cpu.0),
                memory_reserved_percent: percent(t.reserved.memory.0, t.registered.memory.0),
                verdict,
            });
        }
        for &(i, c) in kept {
            let inst = &self.instances[i.index()];
            let verdict = match c {
                Consolidation::TooRecent => format!(
                    "kept: registered less than scaleInAfter ({} s) ago",
                    delay.as_millis() / 1000
                ),
                _ => "kept: it holds a task that does not move (a batch task, which would hold the instance until it ends, or a task not RUNNING yet)".to_string(),
            };
            candidates.push(ConsolidationCandidate {
                instance: instance_display_id(i),
                instance_type: type_of(i),
                tasks: self.instance_tasks[i.index()].len() as u32,
                cpu_reserved_percent: percent(inst.reserved.cpu.0, inst.registered.cpu.0),
                memory_reserved_percent: percent(inst.reserved.memory.0, inst.registered.memory.0),
                verdict,
            });
        }
        let total = candidates.len();
        candidates.truncate(CANDIDATE_LIMIT);
        let drained_id = drained
            .and_then(|d| tried.get(d))
            .map(|t| instance_display_id(t.instance));
        let acted = !gone.is_empty() || drained_id.is_some();
        let outcome = match (gone.len(), &drained_id) {
            (0, None) => "nothing given back: no instance was idle for scaleInAfter, and no under-utilized instance could be emptied".to_string(),
            (n, None) => format!("terminated {n} idle instance{}; no under-utilized instance drained", if n == 1 { "" } else { "s" }),
            (0, Some(d)) => format!("drained {d}: its tasks are replaced on the other instances, then it terminates"),
            (n, Some(d)) => format!("terminated {n} idle instance{} and drained {d}", if n == 1 { "" } else { "s" }),
        };
        let kind: String = if acted {
            String::new()
        } else {
            candidates
                .iter()
                .map(|c| format!("{} {}|", c.instance, c.verdict))
                .collect()
        };
        let trace = ConsolidationTrace {
            instances: active,
            scale_in_after_s: delay.as_millis() / 1000,
            threshold_percent: (fraction * 10_000.0).round() / 100.0,
            idle_terminated: gone
                .iter()
                .take(LIST_LIMIT)
                .map(|&i| instance_display_id(i))
                .collect(),
            idle_count: gone.len() as u32,
            more: (total - candidates.len()) as u32,
            candidates,
            drained: drained_id,
            outcome,
        };
        let event = (self.report_events.len() > events_before).then_some(events_before as u64 + 1);
        self.push_managed_instances(
            cp,
            1,
            kind,
            now,
            event,
            Decision::ManagedInstancesConsolidation(trace),
        );
    }

    /// Records a Managed Instances trace of provider `cp`, unless `kind` (non-empty for a
    /// minute or pass that did nothing) repeats the last one of the same sort (`sort` 0:
    /// launch minutes, 1: optimization passes), which would say the same every time.
    fn push_managed_instances(
        &mut self,
        cp: CapacityProviderId,
        sort: usize,
        kind: String,
        now: SimTime,
        event: Option<u64>,
        decision: Decision,
    ) {
        let subject = self.sc.capacity_providers[cp.index()].name.clone();
        let Some(e) = self.explain.as_mut() else {
            return;
        };
        let last = &mut e.last_managed_instances[cp.index()][sort];
        if !kind.is_empty() && *last == kind {
            return;
        }
        *last = kind;
        e.x.push(now.as_secs_f64(), subject, None, None, event, decision);
    }

    /// A rebalancing check of service `s` that acted or was held back. Checks that did not act
    /// ("blocked", "not eligible") are written once per reason in a row.
    // Off the hot paths: only `--explain` calls it, so it is kept out of its callers.
    #[cold]
    #[inline(never)]
    pub(super) fn explain_rebalance(&mut self, s: ServiceId, now: SimTime, c: RebalanceCheck<'_>) {
        if self
            .explain
            .as_mut()
            .map_or(true, |e| e.x.full(Budget::Others))
        {
            return;
        }
        let si = s.index();
        let acted = !matches!(c.action, "blocked" | "not eligible");
        let kind = if acted {
            String::new()
        } else {
            format!("{}: {}", c.action, c.reason)
        };
        if !kind.is_empty()
            && self
                .explain
                .as_ref()
                .is_some_and(|e| e.last_rebalance[si] == kind)
        {
            return;
        }

        let spec = &self.sc.services[si];
        let desired = self.services[si].desired;
        let names = &self.sc.cluster.availability_zones;
        let down: Vec<bool> = self.az_down.iter().map(|&n| n > 0).collect();
        let usable: Vec<bool> = (0..names.len())
            .map(|z| c.covered.get(z).copied().unwrap_or(false) && !down[z])
            .collect();
        let needed = rules::plan_moves(c.counts, &usable, u32::MAX).len() as u32;
        let maximum_percent = spec.deployment.maximum_percent;
        let room = if c.room {
            room_rule(
                desired,
                maximum_percent,
                maximum_tasks(desired, maximum_percent),
                needed,
            )
        } else {
            String::new()
        };
        let trace = AzRebalancingTrace {
            action: c.action.to_string(),
            desired,
            zones: zones_trace(names, c.counts, c.covered, &down),
            maximum_percent,
            room_rule: room,
            moves_to_balance: needed,
            moves: c.moves,
            started: zone_tasks(names, c.started),
            stopped: zone_tasks(names, c.stopped),
            reason: c.reason,
        };
        let event =
            (self.report_events.len() > c.events_before).then_some(c.events_before as u64 + 1);
        let name = spec.name.clone();
        let Some(e) = self.explain.as_mut() else {
            return;
        };
        e.last_rebalance[si] = kind;
        e.x.push(
            now.as_secs_f64(),
            name.clone(),
            None,
            Some(name),
            event,
            Decision::AzRebalancing(trace),
        );
    }

    /// Once per run, at the service's first steady reconcile: why service `s` does not
    /// rebalance, with its tasks per zone then. A walk of the service's own tasks, once.
    // Off the hot paths: only `--explain` calls it, so it is kept out of its callers.
    #[cold]
    #[inline(never)]
    pub(super) fn explain_rebalance_off(&mut self, s: ServiceId, now: SimTime) {
        let si = s.index();
        let Some(e) = self.explain.as_ref() else {
            return;
        };
        if e.rebalance_off_noted[si] {
            return;
        }
        let st = &self.services[si];
        if st.desired == 0 || st.live != st.desired || st.running != st.desired {
            return;
        }
        let n = self.sc.cluster.availability_zones.len();
        let mut counts = vec![0u32; n];
        for &t in &st.tasks {
            let az = match self.tasks[t.index()].placement {
                Placement::Instance(i) => self.instances[i.index()].az,
                Placement::Fargate(az) => az,
                Placement::Unplaced => continue,
            };
            counts[az.index()] += 1;
        }
        let covered = covered_zones(self.sc, si);
        let why = self.sc.services[si].az_rebalancing_off;
        if let Some(e) = self.explain.as_mut() {
            e.rebalance_off_noted[si] = true;
        }
        self.explain_rebalance(
            s,
            now,
            RebalanceCheck {
                action: "not eligible",
                counts: &counts,
                covered: &covered,
                room: false,
                moves: 0,
                started: &[],
                stopped: &[],
                reason: format!("AZ rebalancing is off for this service: {why}"),
                events_before: self.report_events.len(),
            },
        );
    }
}
