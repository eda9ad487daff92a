//! How the model carries out Availability Zone rebalancing of services
//! (`availabilityZoneRebalancing`): when a steady service's tasks are spread unevenly over its
//! zones, start tasks in the zones with the fewest, wait for them to be RUNNING and healthy,
//! then stop as many in the zones with the most.
//!
//! The rules (eligibility, what balanced means, which moves) are the pure functions of
//! `scheduler::az_rebalancing`; this file applies them. Each rebalancing service keeps its live
//! tasks per zone as counters updated where a task gets its zone (bound to an instance, or
//! given a Fargate zone) and where it stops counting toward the desired count (`retire`), so
//! looking at a service costs O(zones), never a walk of its tasks or of the cluster; only a
//! step that stops tasks walks the service's own tasks (the scale-in choice).
//!
//! Source of the documented behaviour: Amazon ECS Developer Guide, "Balancing an Amazon ECS
//! service across Availability Zones",
//! <https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-rebalancing.html>, and
//! for the event texts "Amazon ECS Availability Zone service rebalancing service event
//! messages",
//! <https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-rebalancing-event-messages-list.html>.
//!
//! Modelling choices (README "AZ rebalancing" says them to users):
//! - A step starts as many moves as the `maximumPercent` headroom allows (ECS refuses the
//!   feature at 100 %, so it needs room above the desired count; it documents no other bound).
//! - The new tasks are healthy as in a deployment: `settings.deploymentHealthyAfter` after
//!   RUNNING, or `healthCheckGracePeriodSeconds` with a load balancer.
//! - The tasks stopped come from the zones with the most live tasks, one at a time; within a
//!   zone, the service scheduler's scale-in choice (the instance with the most, the capacity
//!   provider shares). They stop with `StopCode::AzRebalancing`.
//! - Zones that are down do not count ("the available Availability Zones"); nor do zones the
//!   service's capacity does not cover.
//! - Steps are `settings.azRebalancingInterval` apart, and a step whose task cannot be placed
//!   waits that long before it tries again.

use std::collections::BTreeMap;

use super::explain_capacity::RebalanceCheck;
use super::{Event, Simulation};
use crate::engine::SimTime;
use crate::ids::{AzId, Owner, ServiceId, TaskId};
use crate::report::AzRebalancingSummary;
use crate::scenario::{CapacityProviderKind, LaunchTarget, Scenario};
use crate::scheduler::az_rebalancing as rules;
use crate::scheduler::deployment::maximum_tasks;
use crate::scheduler::placement::{
    self, Attribute, CompiledExpr, PlacementConstraint, PlacementRequest, Pool,
};
use crate::scheduler::task::{Placement, StopCode, Target, TaskStatus};

/// A service's AZ rebalancing state; empty (`zones` empty) when it does not rebalance.
pub(super) struct ServiceRebalance {
    /// Zones its capacity covers, by zone index.
    pub(super) zones: Vec<bool>,
    /// Its live tasks (PROVISIONING, PENDING, RUNNING, not replaced) that have a zone, per
    /// zone. Empty when the service does not rebalance.
    pub(super) az_live: Vec<u32>,
    /// A rebalancing operation was announced and has not completed.
    in_progress: bool,
    /// Tasks the current step started that are not healthy yet.
    in_flight: Vec<TaskId>,
    /// New tasks that became healthy: as many surplus tasks are to stop.
    owed: u32,
    /// When the current step started its tasks.
    step_at: SimTime,
    /// Not looked at before this time (the pace, and the wait after a failed placement).
    next_at: SimTime,
    /// When a placement failure was last logged.
    failure_logged: Option<SimTime>,
    operations_started: u64,
    operations_completed: u64,
    operations_stopped: u64,
    tasks_started: u64,
    tasks_stopped: u64,
    placement_failures: u64,
    /// Σ over stopped surplus tasks of the time from their step's start: the task time the
    /// service ran above its desired count for the moves.
    extra_task_ms: u64,
}

impl ServiceRebalance {
    /// The state of service `s` at time zero.
    pub(super) fn new(sc: &Scenario, s: usize) -> ServiceRebalance {
        let spec = &sc.services[s];
        let n = sc.cluster.availability_zones.len();
        let (zones, az_live) = if spec.az_rebalancing {
            (covered_zones(sc, s), vec![0; n])
        } else {
            (Vec::new(), Vec::new())
        };
        ServiceRebalance {
            zones,
            az_live,
            in_progress: false,
            in_flight: Vec::new(),
            owed: 0,
            step_at: SimTime::ZERO,
            next_at: SimTime::ZERO,
            failure_logged: None,
            operations_started: 0,
            operations_completed: 0,
            operations_stopped: 0,
            tasks_started: 0,
            tasks_stopped: 0,
            placement_failures: 0,
            extra_task_ms: 0,
        }
    }
}

/// The zones service `s`'s capacity covers, by zone index: every zone of the cluster for
/// Fargate (its subnets, here), the zones of the Auto Scaling groups it can use for EC2.
pub(super) fn covered_zones(sc: &Scenario, s: usize) -> Vec<bool> {
    let spec = &sc.services[s];
    let n = sc.cluster.availability_zones.len();
    let mut zones = vec![false; n];
    let mut groups = Vec::new();
    let mut fargate = false;
    match &spec.launch {
        LaunchTarget::Fargate => fargate = true,
        // Refused by validation (external instances have no zone); no zones here.
        LaunchTarget::External => {}
        LaunchTarget::Ec2 => groups.extend(0..sc.auto_scaling_groups.len()),
        LaunchTarget::Strategy(items) => {
            for item in items {
                match sc.capacity_providers[item.capacity_provider.index()].kind {
                    CapacityProviderKind::AutoScalingGroup(a) => groups.push(a.index()),
                    CapacityProviderKind::Fargate | CapacityProviderKind::FargateSpot => {
                        fargate = true
                    }
                }
            }
        }
    }
    for a in groups {
        for z in &sc.auto_scaling_groups[a].availability_zones {
            zones[z.index()] = true;
        }
    }
    if fargate {
        zones.iter_mut().for_each(|z| *z = true);
    }
    zones
}

/// "N tasks in A, N in B, and N in C", as the documented messages list zones; `tasks_each`
/// repeats "tasks" after every count (the "is AZ balanced" message does).
fn zone_list(items: &[(u32, &str)], tasks_each: bool) -> String {
    let mut out = String::new();
    for (k, (n, z)) in items.iter().enumerate() {
        if k > 0 {
            out.push_str(if items.len() == 2 {
                " and "
            } else if k + 1 == items.len() {
                ", and "
            } else {
                ", "
            });
        }
        if k == 0 || tasks_each {
            out.push_str(&format!("{n} tasks in {z}"));
        } else {
            out.push_str(&format!("{n} in {z}"));
        }
    }
    out
}

fn task_ids(ts: &[TaskId]) -> String {
    ts.iter()
        .map(|t| t.0.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

impl<'s> Simulation<'s> {
    /// Live task `t` of service `s` got zone `az` (bound to an instance, or a Fargate zone).
    #[inline]
    pub(super) fn rebalance_zone_added(&mut self, s: ServiceId, az: AzId) {
        if let Some(c) = self.rebalance[s.index()].az_live.get_mut(az.index()) {
            *c += 1;
        }
    }

    /// Live task `t` of service `s` stops counting toward its desired count.
    #[inline]
    pub(super) fn rebalance_task_retired(&mut self, s: ServiceId, t: TaskId) {
        let rb = &self.rebalance[s.index()];
        if rb.az_live.is_empty() {
            return;
        }
        let az = match self.tasks[t.index()].placement {
            Placement::Instance(i) => Some(self.instances[i.index()].az),
            Placement::Fargate(az) => Some(az),
            Placement::Unplaced => None,
        };
        let rb = &mut self.rebalance[s.index()];
        if let Some(az) = az {
            rb.az_live[az.index()] -= 1;
        }
        if let Some(p) = rb.in_flight.iter().position(|&x| x == t) {
            // A new task that never became healthy (failed to start, scaled in): nothing is
            // owed for it; the step goes on with the others.
            rb.in_flight.swap_remove(p);
            self.request_reconcile();
        }
    }

    /// Task `t` of service `s` is RUNNING: a task of the current step starts its health wait.
    pub(super) fn rebalance_task_running(&mut self, s: ServiceId, t: TaskId, now: SimTime) {
        if !self.rebalance[s.index()].in_flight.contains(&t) {
            return;
        }
        // [DOC] "The scheduler waits for the newly started tasks to be HEALTHY and RUNNING
        // before stopping the tasks in the over-scaled Availability Zone."
        let grace = self.sc.services[s.index()]
            .deployment
            .health_check_grace_period
            .unwrap_or(self.sc.settings.deployment_healthy_after);
        self.queue
            .schedule_at(now + grace, Event::AzRebalanceTaskHealthy(t));
    }

    /// A rebalancing task's health wait ended.
    pub(super) fn rebalance_task_healthy(&mut self, t: TaskId) {
        let (owner, status) = (self.tasks[t.index()].owner, self.tasks[t.index()].status);
        let Owner::Service(s) = owner else {
            return;
        };
        let rb = &mut self.rebalance[s.index()];
        let Some(p) = rb.in_flight.iter().position(|&x| x == t) else {
            return;
        };
        if status != TaskStatus::Running {
            return;
        }
        rb.in_flight.swap_remove(p);
        rb.owed += 1;
        self.request_reconcile();
    }

    /// A deployment of service `s` starts: a rebalancing in progress stops, and the tasks it
    /// started above the desired count are scaled in.
    ///
    /// \[DOC\] "Rebalancing stops unexpectedly ... Look for concurrent service deployments that
    /// could interrupt rebalancing"; the service event is "service (service-name) stopped AZ
    /// Rebalancing."
    pub(super) fn rebalance_interrupted(&mut self, s: ServiceId, now: SimTime) {
        let rb = &mut self.rebalance[s.index()];
        if !rb.in_progress {
            return;
        }
        rb.in_progress = false;
        rb.operations_stopped += 1;
        let pending = !rb.in_flight.is_empty() || rb.owed > 0;
        rb.in_flight.clear();
        rb.owed = 0;
        let name = self.sc.services[s.index()].name.clone();
        let events_before = self.report_events.len();
        self.log(
            now,
            "service",
            name.clone(),
            format!("service ({name}) stopped AZ Rebalancing."),
        );
        if self.explain.is_some() {
            let rb = &self.rebalance[s.index()];
            let (counts, covered) = (rb.az_live.clone(), rb.zones.clone());
            self.explain_rebalance(
                s,
                now,
                RebalanceCheck {
                    action: "interrupted",
                    counts: &counts,
                    covered: &covered,
                    room: false,
                    moves: 0,
                    started: &[],
                    stopped: &[],
                    reason: format!(
                        "a deployment started: ECS stops rebalancing{}",
                        if pending {
                            "; the tasks this operation started above the desired count are scaled in"
                        } else {
                            ""
                        }
                    ),
                    events_before,
                },
            );
        }
        if pending {
            self.scale_in_service(s, now);
        }
    }

    /// Looks at service `s`: carries a step on, or starts one if its spread is uneven.
    /// O(zones) unless it starts or stops tasks.
    pub(super) fn rebalance_check(&mut self, s: ServiceId, now: SimTime) {
        let si = s.index();
        if self.rebalance[si].zones.is_empty() || !self.rebalance[si].in_flight.is_empty() {
            return;
        }
        if self.deploying(s) || self.deployment_blocked(s) || self.throttled(s, now) {
            // [DOC] "Amazon ECS starts monitoring a service after it reaches the steady state";
            // a service backing off after failed starts is not steady either.
            if self.explain.is_some() {
                self.explain_rebalance_held(s, now);
            }
            return;
        }
        if self.rebalance[si].owed > 0 {
            self.rebalance_stop_surplus(s, now);
            return;
        }
        if now < self.rebalance[si].next_at {
            return;
        }
        let st = &self.services[si];
        let desired = st.desired;
        if st.live != desired || st.running != desired || desired == 0 {
            return;
        }
        // The usual answer (balanced, nothing in progress) without allocating: this runs on
        // every reconcile of every rebalancing service.
        let rb = &self.rebalance[si];
        // Every live task placed in a zone. `running` may still count a task that a drain
        // retired (replaced, RUNNING until it stops) while its replacement waits unplaced:
        // not steady, so wait for the next reconcile. O(zones).
        if rb.az_live.iter().sum::<u32>() != desired {
            return;
        }
        let (mut lo, mut hi) = (u32::MAX, 0);
        for (z, &c) in rb.az_live.iter().enumerate() {
            if rb.zones[z] && self.az_down[z] == 0 {
                lo = lo.min(c);
                hi = hi.max(c);
            }
        }
        if !rb.in_progress && (lo == u32::MAX || hi - lo <= 1) {
            if let Some(e) = self.explain.as_mut() {
                // Balanced and at rest: a later block is news again.
                e.last_rebalance[si].clear();
            }
            return;
        }
        let usable: Vec<bool> = rb
            .zones
            .iter()
            .enumerate()
            .map(|(z, &ok)| ok && self.az_down[z] == 0)
            .collect();
        let counts = rb.az_live.clone();
        if rules::is_balanced(&counts, &usable) {
            if self.rebalance[si].in_progress {
                self.rebalance[si].in_progress = false;
                self.rebalance[si].operations_completed += 1;
                let list = self.zone_counts(&counts, &usable, true);
                let name = self.sc.services[si].name.clone();
                let events_before = self.report_events.len();
                self.log(
                    now,
                    "service",
                    name.clone(),
                    format!("service ({name}) is AZ balanced with {list}."),
                );
                if self.explain.is_some() {
                    let covered = self.rebalance[si].zones.clone();
                    self.explain_rebalance(
                        s,
                        now,
                        RebalanceCheck {
                            action: "balanced",
                            counts: &counts,
                            covered: &covered,
                            room: false,
                            moves: 0,
                            started: &[],
                            stopped: &[],
                            reason: "the counted zones hold within one task of each other: the rebalancing operation is complete".into(),
                            events_before,
                        },
                    );
                }
            }
            return;
        }
        // Room above the desired count: the new tasks run before the surplus stops.
        let spec = &self.sc.services[si];
        let room = maximum_tasks(desired, spec.deployment.maximum_percent).saturating_sub(desired);
        let moves = rules::plan_moves(&counts, &usable, room);
        if moves.is_empty() {
            if self.explain.is_some() {
                let covered = self.rebalance[si].zones.clone();
                self.explain_rebalance(
                    s,
                    now,
                    RebalanceCheck {
                        action: "blocked",
                        counts: &counts,
                        covered: &covered,
                        room: true,
                        moves: 0,
                        started: &[],
                        stopped: &[],
                        reason: "not balanced, but maximumPercent leaves no room above the desired count: a move starts a task before it stops one".into(),
                        events_before: self.report_events.len(),
                    },
                );
            }
            return;
        }
        let events_before = self.report_events.len();
        let mut failed_zone: Option<AzId> = None;
        if !self.rebalance[si].in_progress {
            self.rebalance[si].in_progress = true;
            self.rebalance[si].operations_started += 1;
            let list = self.zone_counts(&counts, &usable, false);
            let name = spec.name.clone();
            self.log(
                now,
                "service",
                name.clone(),
                format!(
                    "service ({name}) is not AZ balanced with {list}. AZ Rebalancing in progress."
                ),
            );
        }
        let mut started: BTreeMap<usize, Vec<TaskId>> = BTreeMap::new();
        for m in &moves {
            match self.start_rebalance_task(s, AzId::from_index(m.to), now) {
                Some(t) => started.entry(m.to).or_default().push(t),
                None => {
                    self.rebalance_placement_failed(s, AzId::from_index(m.to), now);
                    failed_zone = Some(AzId::from_index(m.to));
                    break;
                }
            }
        }
        let traced: Option<Vec<(usize, Vec<u32>)>> = self.explain.is_some().then(|| {
            started
                .iter()
                .map(|(&z, ts)| (z, ts.iter().map(|t| t.0).collect()))
                .collect()
        });
        // The next step waits at least the interval, even if this one's tasks fail to start.
        self.rebalance[si].next_at = now + self.sc.settings.az_rebalancing_interval;
        let name = self.sc.services[si].name.clone();
        for (z, ts) in started {
            let rb = &mut self.rebalance[si];
            rb.tasks_started += ts.len() as u64;
            rb.step_at = now;
            // A task whose start failed at once is already gone from `live`.
            rb.in_flight.extend(ts.iter().copied().filter(|&t| {
                self.tasks.is_current(t)
                    && matches!(
                        self.tasks[t.index()].status,
                        TaskStatus::Provisioning | TaskStatus::Pending | TaskStatus::Running
                    )
            }));
            let zone = self.sc.cluster.availability_zones[z].clone();
            self.log(
                now,
                "service",
                name.clone(),
                format!(
                    "{name} has started {} tasks in {zone} to AZ Rebalance: {}.",
                    ts.len(),
                    task_ids(&ts)
                ),
            );
        }
        if let Some(traced) = traced {
            let n: usize = traced.iter().map(|(_, ts)| ts.len()).sum();
            let mut reason = if n > 0 {
                format!(
                    "not balanced: {n} of {} planned move{} started, each a task in a zone with the fewest tasks; as many tasks stop in the fullest zones once the new ones are RUNNING and healthy",
                    moves.len(),
                    if moves.len() == 1 { "" } else { "s" }
                )
            } else {
                "not balanced, but no task could be started".to_string()
            };
            if let Some(az) = failed_zone {
                reason.push_str(&format!(
                    "; a task for {} found no room on the zone's existing instances (ECS launches no instance to rebalance), so the step stopped there and tries again in {} s",
                    self.sc.cluster.availability_zones[az.index()],
                    self.sc.settings.az_rebalancing_interval.as_millis() / 1000
                ));
            }
            let covered = self.rebalance[si].zones.clone();
            self.explain_rebalance(
                s,
                now,
                RebalanceCheck {
                    action: if n > 0 { "started tasks" } else { "blocked" },
                    counts: &counts,
                    covered: &covered,
                    room: true,
                    moves: moves.len() as u32,
                    started: &traced,
                    stopped: &[],
                    reason,
                    events_before,
                },
            );
        }
    }

    /// `--explain` only: the reconcile skipped service `s` (a FAILED deployment, the start
    /// back-off); the check, which returns at once for the same reason, traces why
    /// rebalancing is held back. Out of line so the reconcile, inlined into the event
    /// handler, does not grow a third copy of the check.
    #[cold]
    #[inline(never)]
    pub(super) fn explain_rebalance_blocked(&mut self, s: ServiceId, now: SimTime) {
        self.rebalance_check(s, now);
    }

    /// `--explain`: why a check of service `s` was held back, when there was something to do
    /// (a spread that is not balanced, or an operation in progress). O(zones).
    #[cold]
    #[inline(never)]
    fn explain_rebalance_held(&mut self, s: ServiceId, now: SimTime) {
        let si = s.index();
        let rb = &self.rebalance[si];
        let usable: Vec<bool> = rb
            .zones
            .iter()
            .enumerate()
            .map(|(z, &ok)| ok && self.az_down[z] == 0)
            .collect();
        if !rb.in_progress && rules::is_balanced(&rb.az_live, &usable) {
            return;
        }
        let reason = if self.deploying(s) {
            "a deployment is in progress: ECS rebalances a service only once it is in steady state"
        } else if self.deployment_blocked(s) {
            "the service's deployment FAILED without rollback and it launches no task"
        } else {
            "the service is backing off after tasks failed to start (not in steady state), so no task is started"
        };
        let (counts, covered) = (rb.az_live.clone(), rb.zones.clone());
        self.explain_rebalance(
            s,
            now,
            RebalanceCheck {
                action: "blocked",
                counts: &counts,
                covered: &covered,
                room: false,
                moves: 0,
                started: &[],
                stopped: &[],
                reason: reason.into(),
                events_before: self.report_events.len(),
            },
        );
    }

    /// "N tasks in A, N in B, and N in C" over the usable zones.
    fn zone_counts(&self, counts: &[u32], usable: &[bool], tasks_each: bool) -> String {
        let items: Vec<(u32, &str)> = counts
            .iter()
            .enumerate()
            .filter(|&(z, _)| usable[z])
            .map(|(z, &n)| (n, self.sc.cluster.availability_zones[z].as_str()))
            .collect();
        zone_list(&items, tasks_each)
    }

    /// Starts one task of service `s` in zone `az`, on capacity that is there now: ECS
    /// places it like any task of the service, restricted to the zone, and launches no
    /// instance for it. \[DOC\] "Amazon ECS can't launch new instances in underutilized
    /// Availability Zones as part of the rebalancing process, limiting the rebalancing to
    /// existing container instances." `None` when it cannot be placed.
    fn start_rebalance_task(&mut self, s: ServiceId, az: AzId, now: SimTime) -> Option<TaskId> {
        let sc: &'s Scenario = self.sc;
        let spec = &sc.services[s.index()];
        let need = sc.task_definitions[self.service_td(s).index()].size;
        let mut per_item = std::mem::take(&mut self.services[s.index()].per_item);
        let target = self.choose_target(&spec.launch, &mut per_item);
        let undo = |sim: &mut Self, mut per_item: Vec<u32>| {
            if let Some(i) = sim.strategy_item_of(s, target) {
                per_item[i] -= 1;
            }
            sim.services[s.index()].per_item = per_item;
        };
        match target {
            // Validation refuses rebalancing for launch type EXTERNAL: never reached.
            Target::External => {
                undo(self, per_item);
                None
            }
            Target::Fargate { spot, .. } => {
                if (spot && self.spot_short > 0) || self.az_down[az.index()] > 0 {
                    undo(self, per_item);
                    return None;
                }
                self.services[s.index()].per_item = per_item;
                let t = self.new_task(Owner::Service(s), need, target, now, None);
                self.services[s.index()].live += 1;
                self.add_service_task(s, t);
                self.launch_fargate_in(t, now, spot, Some(az));
                Some(t)
            }
            Target::Ec2Cluster | Target::Ec2Provider(_) => {
                let pool = match target {
                    Target::Ec2Provider(cp) => Pool::CapacityProvider(cp),
                    _ => Pool::Cluster,
                };
                // The service's own chain and constraints, plus "in this zone".
                let default = placement::service_default_strategy();
                let strategy: &[placement::PlacementStrategy] = if spec
                    .placement_strategy
                    .is_empty()
                    && spec.placement_constraints.is_empty()
                {
                    default
                } else {
                    &spec.placement_strategy
                };
                let mut constraints = spec.placement_constraints.clone();
                constraints.push(PlacementConstraint::MemberOf(CompiledExpr::Test {
                    subject: Attribute::AvailabilityZone,
                    codes: vec![u16::from(az.0)],
                    negated: false,
                }));
                let req = PlacementRequest {
                    need,
                    group: Owner::Service(s),
                    arch: Some(sc.task_definitions[spec.task_definition.index()].arch),
                    os: sc.task_definitions[spec.task_definition.index()].os_family,
                    pool,
                    strategy,
                    constraints: &constraints,
                };
                match self
                    .placer
                    .find(&req, &self.instances, &mut self.placement_rng)
                {
                    Some(i) => {
                        self.services[s.index()].per_item = per_item;
                        let t = self.new_task(Owner::Service(s), need, target, now, None);
                        self.services[s.index()].live += 1;
                        self.add_service_task(s, t);
                        self.bind(t, i, now);
                        Some(t)
                    }
                    None => {
                        undo(self, per_item);
                        None
                    }
                }
            }
        }
    }

    /// A rebalancing task found no room in zone `az`: say so (at most once per
    /// `UNABLE_TO_PLACE_REPEAT`) and wait a step's interval.
    fn rebalance_placement_failed(&mut self, s: ServiceId, az: AzId, now: SimTime) {
        let interval = self.sc.settings.az_rebalancing_interval;
        let rb = &mut self.rebalance[s.index()];
        rb.placement_failures += 1;
        rb.next_at = now + interval;
        self.queue
            .schedule_at(rb.next_at, Event::AzRebalanceCheck(s));
        let quiet = rb
            .failure_logged
            .is_some_and(|t| now.saturating_since(t) < super::UNABLE_TO_PLACE_REPEAT);
        if quiet {
            return;
        }
        rb.failure_logged = Some(now);
        let name = self.sc.services[s.index()].name.clone();
        let zone = self.sc.cluster.availability_zones[az.index()].clone();
        let fargate = matches!(self.sc.services[s.index()].launch, LaunchTarget::Fargate);
        // [DOC] SERVICE_TASK_PLACEMENT_FAILURE, one text for EC2 and one for Fargate.
        let msg = if fargate {
            format!("service ({name}) is unable to place a task in {zone}.")
        } else {
            format!("service ({name}) is unable to place a task in {zone} because no container instance met all of its requirements.")
        };
        self.log(now, "service", name, msg);
    }

    /// Every new task of the step is healthy: stop as many surplus tasks, each from the zone
    /// with the most live tasks, in the scale-in order within it (`rebalance_victims`).
    fn rebalance_stop_surplus(&mut self, s: ServiceId, now: SimTime) {
        let si = s.index();
        let owed = std::mem::take(&mut self.rebalance[si].owed);
        let st = &self.services[si];
        let n = owed.min(st.live.saturating_sub(st.desired));
        let interval = self.sc.settings.az_rebalancing_interval;
        self.rebalance[si].next_at = now + interval;
        self.queue
            .schedule_at(now + interval, Event::AzRebalanceCheck(s));
        let before: Option<Vec<u32>> = self
            .explain
            .is_some()
            .then(|| self.rebalance[si].az_live.clone());
        if n == 0 {
            // The desired count rose meanwhile: the new tasks are simply kept.
            if let Some(counts) = before {
                let reason = format!(
                    "{owed} new task{} healthy, but the desired count rose meanwhile: no surplus to stop, the new tasks are kept",
                    if owed == 1 { " is" } else { "s are" }
                );
                let events_before = self.report_events.len();
                self.explain_surplus_stop(s, now, &counts, &[], reason, events_before);
            }
            return;
        }
        let events_before = self.report_events.len();
        let victims = self.rebalance_victims(s, n as usize);
        let mut by_zone: BTreeMap<usize, Vec<TaskId>> = BTreeMap::new();
        for &v in &victims {
            let z = match self.tasks[v.index()].placement {
                Placement::Instance(i) => self.instances[i.index()].az.index(),
                Placement::Fargate(az) => az.index(),
                Placement::Unplaced => usize::MAX,
            };
            by_zone.entry(z).or_default().push(v);
        }
        let step = now.saturating_since(self.rebalance[si].step_at);
        let rb = &mut self.rebalance[si];
        rb.tasks_stopped += victims.len() as u64;
        rb.extra_task_ms += victims.len() as u64 * step.0;
        let name = self.sc.services[si].name.clone();
        let traced: Option<Vec<(usize, Vec<u32>)>> = before.is_some().then(|| {
            by_zone
                .iter()
                .map(|(&z, ts)| (z, ts.iter().map(|t| t.0).collect()))
                .collect()
        });
        for (z, ts) in by_zone {
            for &t in &ts {
                if self.tasks[t.index()].status == TaskStatus::Provisioning {
                    self.fail_unplaced(t, now, StopCode::AzRebalancing);
                } else {
                    self.begin_stop(t, now, StopCode::AzRebalancing);
                }
            }
            let Some(zone) = self.sc.cluster.availability_zones.get(z).cloned() else {
                continue;
            };
            self.log(
                now,
                "service",
                name.clone(),
                format!(
                    "{name} has stopped {} running tasks in {zone} due to AZ rebalancing: {}.",
                    ts.len(),
                    task_ids(&ts)
                ),
            );
        }
        if let (Some(counts), Some(traced)) = (before, traced) {
            let reason = format!(
                "the step's {owed} new task{} RUNNING and healthy: {n} surplus task{} stopped, each from the zone with the most live tasks, then as a scale-in chooses within it",
                if owed == 1 { " is" } else { "s are" },
                if n == 1 { "" } else { "s" }
            );
            self.explain_surplus_stop(s, now, &counts, &traced, reason, events_before);
        }
    }

    /// The `--explain` trace of a step's surplus stop: `counts` are the zones' live tasks
    /// before it, `stopped` the tasks it stopped per zone.
    fn explain_surplus_stop(
        &mut self,
        s: ServiceId,
        now: SimTime,
        counts: &[u32],
        stopped: &[(usize, Vec<u32>)],
        reason: String,
        events_before: usize,
    ) {
        let covered = self.rebalance[s.index()].zones.clone();
        self.explain_rebalance(
            s,
            now,
            RebalanceCheck {
                action: "stopped tasks",
                counts,
                covered: &covered,
                room: false,
                moves: 0,
                started: &[],
                stopped,
                reason,
                events_before,
            },
        );
    }

    /// The `n` tasks a step stops: each from the zone that then has the most live tasks
    /// (lowest index among equals), and within it the one the service's scale-in would stop
    /// first (instance with the most tasks, capacity provider shares). O(tasks of the service
    /// + n × zones).
    ///
    /// \[DOC\] "Stops the tasks in Availability Zones with the largest number of running
    /// tasks." The scale-in order alone is not enough: with a capacity provider strategy it
    /// first evens the providers' shares, so it could stop the very task the step had just
    /// started in the zone with the fewest, and the service went on moving a task into that
    /// zone and out again until the end of the run (44 times in a day of
    /// `scenarios/worldcup-fargate/fargate-spot.json`).
    fn rebalance_victims(&self, s: ServiceId, n: usize) -> Vec<TaskId> {
        let si = s.index();
        let rb = &self.rebalance[si];
        let mut counts = rb.az_live.clone();
        let mut by_zone: Vec<std::collections::VecDeque<TaskId>> =
            vec![std::collections::VecDeque::new(); counts.len()];
        let mut zoneless = std::collections::VecDeque::new();
        for t in self.scale_in_victims(s, self.services[si].live as usize) {
            let z = match self.tasks[t.index()].placement {
                Placement::Instance(i) => Some(self.instances[i.index()].az.index()),
                Placement::Fargate(az) => Some(az.index()),
                Placement::Unplaced => None,
            };
            match z.filter(|&z| z < by_zone.len()) {
                Some(z) => by_zone[z].push_back(t),
                None => zoneless.push_back(t),
            }
        }
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            let top = (0..counts.len())
                .filter(|&z| rb.zones.get(z).copied().unwrap_or(false) && !by_zone[z].is_empty())
                .max_by_key(|&z| (counts[z], std::cmp::Reverse(z)));
            let next = match top {
                Some(z) => {
                    counts[z] = counts[z].saturating_sub(1);
                    by_zone[z].pop_front()
                }
                // No zone the service rebalances over has a task left: the scale-in order.
                None => zoneless
                    .pop_front()
                    .or_else(|| by_zone.iter_mut().find_map(|q| q.pop_front())),
            };
            match next {
                Some(t) => out.push(t),
                None => break,
            }
        }
        out
    }

    /// The `az_rebalancing` figures of service `s` (`None` when it never rebalanced).
    pub(super) fn rebalance_summary(&self, s: ServiceId) -> Option<AzRebalancingSummary> {
        let rb = &self.rebalance[s.index()];
        if rb.operations_started == 0 && rb.placement_failures == 0 {
            return None;
        }
        let round = |x: f64| (x * 1e6).round() / 1e6;
        let hours = rb.extra_task_ms as f64 / 3_600_000.0;
        let td = self.service_td(s);
        // Counted from the tasks (once, at the end), not from the counters it checks.
        let mut by_zone: BTreeMap<String, u32> = BTreeMap::new();
        let mut counted = vec![0u32; rb.az_live.len()];
        for (z, &ok) in rb.zones.iter().enumerate() {
            if ok {
                by_zone.insert(self.sc.cluster.availability_zones[z].clone(), 0);
            }
        }
        for &t in &self.services[s.index()].tasks {
            let az = match self.tasks[t.index()].placement {
                Placement::Instance(i) => self.instances[i.index()].az,
                Placement::Fargate(az) => az,
                Placement::Unplaced => continue,
            };
            counted[az.index()] += 1;
            *by_zone
                .entry(self.sc.cluster.availability_zones[az.index()].clone())
                .or_insert(0) += 1;
        }
        debug_assert_eq!(counted, rb.az_live, "per-zone live counters drifted");
        Some(AzRebalancingSummary {
            tasks_by_zone_at_end: by_zone,
            operations_started: rb.operations_started,
            operations_completed: rb.operations_completed,
            operations_stopped: rb.operations_stopped,
            in_progress_at_end: rb.in_progress,
            tasks_started: rb.tasks_started,
            tasks_stopped: rb.tasks_stopped,
            placement_failures: rb.placement_failures,
            extra_task_hours: round(hours),
            extra_task_cost_usd: round(self.fargate_usd_per_task_hour(s, td) * hours),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zone_lists_read_as_the_documented_messages() {
        let three = [(0, "a"), (4, "b"), (2, "c")];
        assert_eq!(zone_list(&three, false), "0 tasks in a, 4 in b, and 2 in c");
        assert_eq!(
            zone_list(&three, true),
            "0 tasks in a, 4 tasks in b, and 2 tasks in c"
        );
        assert_eq!(
            zone_list(&[(2, "a"), (0, "b")], false),
            "2 tasks in a and 0 in b"
        );
        assert_eq!(zone_list(&[(6, "a")], false), "6 tasks in a");
    }
}
