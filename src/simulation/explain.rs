//! The simulation's side of `--explain`: one call per decision site lands here, gathers the
//! read-only views the decision was taken on and hands them to the pure tracers of
//! `crate::explain`.
//!
//! Every function here runs only when the run explains (`Simulation::explain` is `Some`), and
//! none changes the world or draws from a random stream, so a run decides the same with and
//! without `--explain`. Traces past `settings.explainLimit` are not built at all: a long run
//! pays for at most that many.

use super::{Event, Simulation};
use crate::autoscaling::managed_scaling::{
    AsgBounds, ManagedScaling, Reservation, ReservationSteps,
};
use crate::autoscaling::service::ServiceAutoScaling;
use crate::autoscaling::{Resolution, ScalingActivity};
use crate::cluster::InstanceStatus;
use crate::engine::SimTime;
use crate::explain::placement::{grouped_reason, trace, Names};
use crate::explain::scaling::{managed_trace, service_trace, ManagedMinute};
use crate::explain::{
    strategy_trace, Budget, Decision, Explainer, Explanations, FaultTrace, NeverPlacedTrace,
    PendingKey, ScheduledTrace, LIST_LIMIT,
};
use crate::ids::{CapacityProviderId, InstanceId, Owner, ServiceId, TaskId};
use crate::scenario::StrategyItem;
use crate::scheduler::placement::{self, PlacementRequest, Pool};
use crate::scheduler::task::{Placement, StopCode, Target, TaskStatus};

/// What a run that explains carries besides the records.
pub(super) struct ExplainState {
    pub(super) x: Explainer,
    names: Names,
    /// Per service, the kind of the last scaling trace kept: a policy whose alarm stays in
    /// ALARM while a cooldown blocks it would otherwise write the same explanation every
    /// period; a new one is kept when what happens changes.
    last_service: Vec<String>,
    /// Per capacity provider, the same for managed scaling.
    last_provider: Vec<String>,
    /// Per capacity provider, the kind of the last Managed Instances launch trace and
    /// optimization pass trace that did not launch or give anything back (a provider at its cap, or an instance kept because its tasks fit
    /// nowhere else, would say the same every minute or pass).
    pub(super) last_managed_instances: Vec<[String; 2]>,
    /// Per service, the kind of the last AZ rebalancing trace that did not act (a check
    /// blocked by a deployment runs at every reconcile).
    pub(super) last_rebalance: Vec<String>,
    /// Per service, whether the note on why AZ rebalancing is off was written.
    pub(super) rebalance_off_noted: Vec<bool>,
}

/// What a fault handler is about to act on, taken before it acts.
pub(super) struct FaultBefore {
    tasks: usize,
    instances: usize,
    events: usize,
    at_risk_instances: Vec<InstanceId>,
    at_risk_tasks: Vec<TaskId>,
}

impl<'s> Simulation<'s> {
    /// Turns explaining on for this run (`ecsim run --explain`).
    pub fn explaining(mut self) -> Self {
        self.explain = Some(Box::new(ExplainState {
            x: Explainer::new(self.sc.settings.explain_limit),
            names: Names::of(self.sc),
            last_service: vec![String::new(); self.sc.services.len()],
            last_provider: vec![String::new(); self.sc.capacity_providers.len()],
            last_managed_instances: vec![Default::default(); self.sc.capacity_providers.len()],
            last_rebalance: vec![String::new(); self.sc.services.len()],
            rebalance_off_noted: vec![false; self.sc.services.len()],
        }));
        self
    }

    /// The 1-based events.jsonl line of the last event logged since `before` events, if any.
    pub(super) fn event_since(&self, before: usize) -> Option<u64> {
        (self.report_events.len() > before).then_some(self.report_events.len() as u64)
    }

    fn pool_name(&self, pool: Pool) -> String {
        match pool {
            Pool::Cluster => format!("the cluster {}", self.sc.cluster.name),
            Pool::CapacityProvider(cp) => format!(
                "capacity provider {}",
                self.sc.capacity_providers[cp.index()].name
            ),
            Pool::External => format!(
                "the external instances of the cluster {}",
                self.sc.cluster.name
            ),
        }
    }

    fn placement_trace(
        &self,
        req: &PlacementRequest,
        chosen: Option<InstanceId>,
    ) -> Option<crate::explain::placement::PlacementTrace> {
        let e = self.explain.as_ref()?;
        let down: Vec<bool> = self.az_down.iter().map(|&n| n > 0).collect();
        Some(trace(
            req,
            &self.instances,
            &down,
            self.pool_name(req.pool),
            &e.names,
            chosen,
        ))
    }

    fn service_of(&self, owner: Owner) -> Option<String> {
        match owner {
            Owner::Service(s) => Some(self.sc.services[s.index()].name.clone()),
            Owner::Workload(_) => None,
        }
    }

    /// A placement of existing task `t` (success, or its first failure).
    pub(super) fn explain_place(
        &mut self,
        t: TaskId,
        req: &PlacementRequest,
        got: Option<InstanceId>,
    ) {
        let Some(e) = self.explain.as_mut() else {
            return;
        };
        if e.x.full(Budget::Tasks) || (got.is_none() && !e.x.first_failure(t.0)) {
            return;
        }
        let Some(p) = self.placement_trace(req, got) else {
            return;
        };
        let owner = self.tasks[t.index()].owner;
        let (subject, service) = (self.owner_name(owner), self.service_of(owner));
        let time_s = self.queue_now_s();
        if let Some(e) = self.explain.as_mut() {
            e.x.push(
                time_s,
                subject,
                Some(t.0),
                service,
                None,
                Decision::Placement(p),
            );
        }
    }

    /// A placement found for a task of service `s` that is created next (launch type EC2,
    /// and warm starts): its number is the next one.
    pub(super) fn explain_probe(&mut self, s: ServiceId, req: &PlacementRequest, got: InstanceId) {
        if self
            .explain
            .as_mut()
            .map_or(true, |e| e.x.full(Budget::Tasks))
        {
            return;
        }
        let Some(p) = self.placement_trace(req, Some(got)) else {
            return;
        };
        let t = self.tasks.created() as u32;
        let name = self.sc.services[s.index()].name.clone();
        let time_s = self.queue_now_s();
        let key = self.pending_key(Owner::Service(s));
        if let Some(e) = self.explain.as_mut() {
            // The provider was chosen first: its trace goes first, about the same task.
            if let Some(st) = e.x.take_pending_strategy(key) {
                e.x.push(
                    time_s,
                    name.clone(),
                    Some(t),
                    Some(name.clone()),
                    None,
                    Decision::CapacityProviderStrategy(st),
                );
            }
            e.x.push(
                time_s,
                name.clone(),
                Some(t),
                Some(name),
                None,
                Decision::Placement(p),
            );
        }
    }

    /// Service `s` (launch type EC2) could not place a task and said so in an event.
    pub(super) fn explain_unable(
        &mut self,
        s: ServiceId,
        req: &PlacementRequest,
        events_before: usize,
    ) {
        if self
            .explain
            .as_mut()
            .map_or(true, |e| e.x.full(Budget::Tasks))
        {
            return;
        }
        let Some(p) = self.placement_trace(req, None) else {
            return;
        };
        let name = self.sc.services[s.index()].name.clone();
        let event = self.event_since(events_before);
        let time_s = self.queue_now_s();
        if let Some(e) = self.explain.as_mut() {
            e.x.push(
                time_s,
                name.clone(),
                None,
                Some(name),
                event,
                Decision::Placement(p),
            );
        }
    }

    /// The capacity provider strategy chose item `chosen` for the next task.
    pub(super) fn explain_strategy(
        &mut self,
        items: &[StrategyItem],
        counts: &[u32],
        chosen: usize,
    ) {
        let sc = self.sc;
        let Some(e) = self.explain.as_mut() else {
            return;
        };
        if e.x.full(Budget::Tasks) {
            return;
        }
        let s = strategy_trace(items, counts, chosen, |cp: CapacityProviderId| {
            sc.capacity_providers[cp.index()].name.clone()
        });
        let key = PendingKey {
            task: self.tasks.created() as u32,
            at_ms: self.queue.now().0,
            strategy: items.as_ptr() as usize,
        };
        if let Some(e) = self.explain.as_mut() {
            e.x.set_pending_strategy(key, s);
        }
    }

    /// Task `t` was just created: its strategy trace, if one waits, is now about it.
    pub(super) fn explain_task_created(&mut self, t: TaskId) {
        let owner = self.tasks[t.index()].owner;
        let (subject, service) = (self.owner_name(owner), self.service_of(owner));
        let time_s = self.queue_now_s();
        let mut key = self.pending_key(owner);
        key.task = t.0;
        let Some(e) = self.explain.as_mut() else {
            return;
        };
        if let Some(s) = e.x.take_pending_strategy(key) {
            e.x.push(
                time_s,
                subject,
                Some(t.0),
                service,
                None,
                Decision::CapacityProviderStrategy(s),
            );
        }
    }

    fn never_placed(
        &mut self,
        t: TaskId,
        outcome: String,
        code: Option<StopCode>,
        event: Option<u64>,
    ) {
        if self.explain.is_none() {
            return;
        }
        let task = &self.tasks[t.index()];
        let owner = task.owner;
        let ec2 = matches!(task.target, Target::Ec2Cluster | Target::Ec2Provider(_));
        let full = self
            .explain
            .as_mut()
            .map_or(true, |e| e.x.full(Budget::NeverPlaced));
        let (reason, placement) = match code {
            Some(StopCode::NeverFits) => (
                "The task is larger than every instance type its capacity can launch.".to_string(),
                None,
            ),
            Some(StopCode::NoFargateSize) => (
                "No Fargate task size covers the task's CPU and memory.".to_string(),
                None,
            ),
            Some(StopCode::AzUnavailable) => (
                "Every Availability Zone of the cluster is down: Fargate has nowhere to run the task.".to_string(),
                None,
            ),
            _ if ec2 => {
                let req = self.request_for(t);
                let f = placement::failure::diagnose_uncounted(&req, &self.instances);
                let grouped = match code {
                    Some(StopCode::ProvisioningTimeout) => format!(
                        "PROVISIONING timed out; {}",
                        grouped_reason(&f)
                    ),
                    _ => grouped_reason(&f),
                };
                let p = if full { None } else { self.placement_trace(&req, None) };
                (grouped, p)
            }
            _ => ("Fargate did not start the task before the end of the run.".to_string(), None),
        };
        let (subject, service) = (self.owner_name(owner), self.service_of(owner));
        let time_s = self.queue_now_s();
        let Some(e) = self.explain.as_mut() else {
            return;
        };
        let n = e.x.push(
            time_s,
            subject,
            Some(t.0),
            service,
            event,
            Decision::NeverPlaced(NeverPlacedTrace {
                outcome,
                reason: reason.clone(),
                placement,
            }),
        );
        e.x.count_never_placed(&reason, t.0, n);
    }

    /// Task `t` stopped without ever being placed (`code`), having logged an event since
    /// `events_before`.
    pub(super) fn explain_stopped_unplaced(
        &mut self,
        t: TaskId,
        code: StopCode,
        events_before: usize,
    ) {
        if self.explain.is_none() {
            return;
        }
        let event = self.event_since(events_before);
        self.never_placed(t, format!("stopped: {}", code.reason()), Some(code), event);
    }

    /// A period of service auto scaling: `before` is the scalable target before it.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn explain_service_scaling(
        &mut self,
        s: usize,
        before: &ServiceAutoScaling,
        now: SimTime,
        resolution: Resolution,
        running: u32,
        desired: u32,
        activity: Option<&ScalingActivity>,
        events_before: usize,
    ) {
        if self
            .explain
            .as_mut()
            .map_or(true, |e| e.x.full(Budget::Others))
        {
            return;
        }
        let Some(after) = self.service_scaling[s].policy.as_ref() else {
            return;
        };
        let Some(t) = service_trace(
            before,
            after,
            now,
            resolution.period().0 / 1000,
            running,
            desired,
            activity,
        ) else {
            return;
        };
        let kind: String = if activity.is_some() {
            // Every activity is kept.
            String::new()
        } else {
            t.policies
                .iter()
                .map(|p| p.verdict.split(':').next().unwrap_or("").to_string() + "|")
                .collect()
        };
        let event = activity.and_then(|_| self.event_since(events_before));
        let name = self.sc.services[s].name.clone();
        let Some(e) = self.explain.as_mut() else {
            return;
        };
        if !kind.is_empty() && e.last_service[s] == kind {
            return;
        }
        e.last_service[s] = kind;
        e.x.push(
            now.as_secs_f64(),
            name.clone(),
            None,
            Some(name),
            event,
            Decision::ServiceScaling(t),
        );
    }

    /// A scheduled action changed service `s`'s desired count.
    pub(super) fn explain_scheduled(
        &mut self,
        s: ServiceId,
        act: &ScalingActivity,
        now: SimTime,
        events_before: usize,
    ) {
        let event = self.event_since(events_before);
        let name = self.sc.services[s.index()].name.clone();
        let Some(e) = self.explain.as_mut() else {
            return;
        };
        e.last_service[s.index()] = String::new();
        e.x.push(
            now.as_secs_f64(),
            name.clone(),
            None,
            Some(name),
            event,
            Decision::ScheduledAction(ScheduledTrace {
                from: act.from,
                to: act.to,
                policy: act.policy.clone(),
                cause: act.cause.clone(),
            }),
        );
    }

    /// A managed scaling minute of provider `cp`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn explain_managed(
        &mut self,
        p: usize,
        before: &ManagedScaling,
        now: SimTime,
        r: &Reservation,
        bounds: AsgBounds,
        newest_launch: Option<SimTime>,
        (steps, provisioning): (Option<ReservationSteps>, u32),
        answered: Option<&ScalingActivity>,
        applied: Option<&ScalingActivity>,
        events_before: usize,
    ) {
        if self
            .explain
            .as_mut()
            .map_or(true, |e| e.x.full(Budget::Others))
        {
            return;
        }
        let cp = self.provider_scaling_index[p];
        let Some(after) = self.provider_scaling[p].managed.as_ref() else {
            return;
        };
        let (high, low) = after.alarms();
        let alarmed = high.state() == crate::autoscaling::alarm::AlarmState::Alarm
            || low.state() == crate::autoscaling::alarm::AlarmState::Alarm;
        if applied.is_none() && answered.is_none() && !alarmed {
            return;
        }
        let suppressed = match (answered, applied) {
            (Some(a), None) if a.to > a.from => Some(
                "no new activity: the group is already trying to reach this size (earlier launches failed)",
            ),
            (Some(_), None) => {
                Some("no scale-in: the group is rebalancing into a recovered zone")
            }
            _ => None,
        };
        let t = managed_trace(&ManagedMinute {
            before,
            after,
            now,
            r,
            bounds,
            newest_launch,
            steps,
            provisioning,
            activity: applied,
            suppressed,
        });
        let kind = if applied.is_some() {
            String::new()
        } else {
            t.outcome.clone()
        };
        let event = applied.and_then(|_| self.event_since(events_before));
        let name = self.sc.capacity_providers[cp.index()].name.clone();
        let Some(e) = self.explain.as_mut() else {
            return;
        };
        if !kind.is_empty() && e.last_provider[cp.index()] == kind {
            return;
        }
        e.last_provider[cp.index()] = kind;
        e.x.push(
            now.as_secs_f64(),
            name,
            None,
            None,
            event,
            Decision::ManagedScaling(t),
        );
    }

    /// What fault `event` puts at risk, before its handler runs.
    pub(super) fn fault_before(&self, event: &Event) -> FaultBefore {
        let mut at_risk_instances = Vec::new();
        let mut at_risk_tasks = Vec::new();
        match *event {
            Event::InstanceFailure(i) | Event::SpotNotice(i) | Event::SpotTermination(i) => {
                at_risk_instances.push(i);
                at_risk_tasks.extend(self.instance_tasks[i.index()].iter().copied());
            }
            Event::FargateSpotInterruption(t) | Event::TaskCrash(t) => at_risk_tasks.push(t),
            Event::AzOutageStart(w) => {
                let az = self.outage_windows[w as usize].az;
                for inst in &self.instances {
                    if inst.az == az && inst.status != InstanceStatus::Terminated {
                        at_risk_instances.push(inst.id);
                        at_risk_tasks.extend(self.instance_tasks[inst.id.index()].iter().copied());
                    }
                }
                let first = at_risk_tasks.len();
                for (id, task) in self.tasks.iter_live() {
                    if task.placement == Placement::Fargate(az)
                        && matches!(
                            task.status,
                            TaskStatus::Provisioning | TaskStatus::Pending | TaskStatus::Running
                        )
                    {
                        at_risk_tasks.push(id);
                    }
                }
                // The live table is in slot order: list them in creation order.
                at_risk_tasks[first..].sort_unstable_by_key(|t| t.0);
            }
            _ => {}
        }
        FaultBefore {
            tasks: self.tasks.created() as usize,
            instances: self.instances.len(),
            events: self.report_events.len(),
            at_risk_instances,
            at_risk_tasks,
        }
    }

    /// The fault handled since `b`: what failed, what was lost, what replaced it.
    pub(super) fn explain_fault(&mut self, b: FaultBefore, event: &Event, now: SimTime) {
        if self
            .explain
            .as_mut()
            .map_or(true, |e| e.x.full(Budget::Others))
        {
            return;
        }
        let lost_instances: Vec<String> = b
            .at_risk_instances
            .iter()
            .filter(|i| {
                matches!(
                    self.instances[i.index()].status,
                    InstanceStatus::Terminated | InstanceStatus::Draining
                )
            })
            .map(|&i| placement::instance_display_id(i))
            .collect();
        let lost: Vec<u32> = b
            .at_risk_tasks
            .iter()
            .filter(|&&t| {
                // A task gone is a task lost (its slot is not reused within the event, so
                // this holds the task itself).
                !self.tasks.is_current(t)
                    || matches!(
                        self.tasks[t.index()].status,
                        TaskStatus::Stopping | TaskStatus::Stopped
                    )
            })
            .map(|t| t.0)
            .collect();
        let launched: Vec<String> = (b.instances..self.instances.len())
            .take(LIST_LIMIT)
            .map(|i| placement::instance_display_id(InstanceId::from_index(i)))
            .collect();
        let started: Vec<u32> = (b.tasks..self.tasks.created() as usize)
            .take(LIST_LIMIT)
            .map(|t| t as u32)
            .collect();
        let logged = self.report_events.len() > b.events;
        if !logged && lost.is_empty() && lost_instances.is_empty() {
            return;
        }
        let (what, subject) = match self.report_events.get(b.events) {
            Some(ev) => (ev.message.clone(), ev.subject.clone()),
            None => match *event {
                Event::TaskCrash(t) => (
                    format!(
                        "task {} crashed (its essential container exited with an error)",
                        t.0
                    ),
                    self.owner_name(self.tasks[t.index()].owner),
                ),
                _ => ("a fault".to_string(), "fault".to_string()),
            },
        };
        let note = match *event {
            Event::SpotNotice(_) => "the instance is DRAINING: its service tasks are replaced elsewhere before they stop; batch tasks run on until the instance is reclaimed",
            Event::AzOutageEnd(_) => "the zone is back: Auto Scaling groups rebalance into it",
            _ => "lost service tasks are replaced by the service scheduler's next reconcile (a new task each, placed like any other); lost batch tasks are re-run as new tasks once the loss is over",
        };
        let first_event = (self.report_events.len() > b.events).then_some(b.events as u64 + 1);
        let service = b
            .at_risk_tasks
            .first()
            .and_then(|t| self.service_of(self.tasks[t.index()].owner))
            .filter(|_| {
                matches!(
                    event,
                    Event::TaskCrash(_) | Event::FargateSpotInterruption(_)
                )
            });
        let task = match *event {
            Event::TaskCrash(t) | Event::FargateSpotInterruption(t) => Some(t.0),
            _ => None,
        };
        // The code the handler stopped the lost tasks with (a crash's depends on the task's
        // state, so it is left out).
        let code = match *event {
            Event::InstanceFailure(i) => Some(StopCode::instance_failure(
                self.instances[i.index()].external,
            )),
            Event::SpotTermination(_) | Event::FargateSpotInterruption(_) => {
                Some(StopCode::SpotInterruption)
            }
            Event::AzOutageStart(_) => Some(StopCode::AzOutage),
            _ => None,
        };
        let stopped_reason = code
            .filter(|_| !lost.is_empty())
            .map(|c| c.reason().to_string());
        let trace = FaultTrace {
            stopped_reason,
            what,
            instances_lost: lost_instances.into_iter().take(LIST_LIMIT).collect(),
            tasks_lost_count: lost.len() as u64,
            tasks_lost: lost.into_iter().take(LIST_LIMIT).collect(),
            instances_launched: launched,
            tasks_started: started,
            note: note.to_string(),
        };
        if let Some(e) = self.explain.as_mut() {
            e.x.push(
                now.as_secs_f64(),
                subject,
                task,
                service,
                first_event,
                Decision::Fault(trace),
            );
        }
    }

    /// At the end: the tasks still waiting for capacity, then the finished trace.
    pub(super) fn finish_explain(&mut self) -> Option<Explanations> {
        self.explain.as_ref()?;
        let mut waiting: Vec<TaskId> = Vec::new();
        waiting.extend(self.cluster_queue.iter().copied());
        waiting.extend(self.external_queue.iter().copied());
        for q in self.provider_waiting.iter().chain(&self.provider_submit) {
            waiting.extend(q.iter().copied());
        }
        waiting.sort_unstable();
        waiting.dedup();
        for t in waiting {
            let task = &self.tasks[t.index()];
            if matches!(task.status, TaskStatus::Queued | TaskStatus::Provisioning)
                && task.placement == Placement::Unplaced
            {
                self.never_placed(
                    t,
                    "still waiting for capacity at the end of the run".into(),
                    None,
                    None,
                );
            }
        }
        self.explain.take().map(|e| e.x.finish())
    }

    /// The key of a strategy trace left for the next task of `owner`.
    fn pending_key(&self, owner: Owner) -> PendingKey {
        let launch = match owner {
            Owner::Service(s) => &self.sc.services[s.index()].launch,
            Owner::Workload(w) => &self.sc.workloads[w.index()].launch,
        };
        let strategy = match launch {
            crate::scenario::LaunchTarget::Strategy(items) => items.as_ptr() as usize,
            _ => 0,
        };
        PendingKey {
            task: self.tasks.created() as u32,
            at_ms: self.queue.now().0,
            strategy,
        }
    }

    fn queue_now_s(&self) -> f64 {
        self.queue.now().as_secs_f64()
    }
}
