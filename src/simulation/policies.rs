//! The auto scaling loops at run time: request load on services, the metric periods that
//! feed service auto scaling, scheduled actions, and capacity provider managed scaling.
//!
//! Each loop computes its metric from the world, asks the pure policy in `autoscaling`, and
//! applies the answer through `scaling.rs`. Every activity is logged with its cause.

use std::collections::VecDeque;

use super::{Event, Simulation};
use crate::autoscaling::managed_scaling::{
    capacity_provider_reservation, reservation_from_counts, reservation_steps, AsgBounds,
    InstanceView, ManagedScaling, ProviderView, Reservation,
};
use crate::autoscaling::service::ServiceAutoScaling;
use crate::autoscaling::{Resolution, ScalingActivity, ServiceDatapoints};
use crate::cluster::InstanceStatus;
use crate::engine::{SimDuration, SimTime};
use crate::ids::{AsgId, CapacityProviderId, Owner, ServiceId};
use crate::report::{ProviderMinuteRow, ScalingActivityCounts, ServiceMinuteRow};
use crate::scenario::{CapacityProviderKind, RateSourceSpec};
use crate::scheduler::task::TaskStatus;
use crate::units::Resources;
use crate::workload::request_rate::{RateReader, RateStep};
use crate::workload::service_load::{datapoints, LoadMeter, LoadTotals};
use crate::workload::TraceError;

/// A service's load at run time.
pub(super) struct LoadState {
    meter: LoadMeter,
    source: RateReader,
    /// The next rate step, scheduled as `Event::LoadStep`.
    pending: Option<RateStep>,
    /// Totals at the last datapoint, per resolution (standard, high).
    last: [LoadTotals; 2],
    /// Totals at the last minute row.
    last_minute: LoadTotals,
    pub(super) minutes_with_shortfall: u64,
}

/// A service's auto scaling at run time.
pub(super) struct ServiceScaling {
    pub(super) policy: Option<ServiceAutoScaling>,
    pub(super) load: Option<LoadState>,
    pub(super) desired_min: u32,
    pub(super) desired_max: u32,
    pub(super) activities: ScalingActivityCounts,
    /// Datapoints computed but not yet published, per resolution (standard, high), oldest
    /// first: at most `metric delay ÷ period + 1` each.
    /// Each with the RUNNING count at the end of its period (see `deliver_datapoints`).
    in_flight: [VecDeque<(ServiceDatapoints, u32)>; 2],
}

/// An ASG capacity provider's managed scaling at run time.
pub(super) struct ProviderScaling {
    pub(super) asg: AsgId,
    pub(super) managed: Option<ManagedScaling>,
    pub(super) last: Option<Reservation>,
    /// Registered size of the largest and smallest instance types of the ASG.
    pub(super) largest: Resources,
    pub(super) smallest: Resources,
    pub(super) multi_type_or_multi_az: bool,
    /// What the DAEMON services reserve on a new instance of the ASG.
    pub(super) daemon_reserve: Resources,
    pub(super) scale_out: u64,
    pub(super) scale_in: u64,
    pub(super) instances_min: u32,
    pub(super) instances_max: u32,
    /// Instances with a lower index were in service when the run started (set at the first
    /// managed scaling minute, which runs before anything can scale). They stand for a
    /// running cluster, so they are past their warm-up.
    started_with: Option<usize>,
}

/// A service's load totals at the start of the measurement window.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct LoadMark {
    totals: LoadTotals,
    minutes_with_shortfall: u64,
}

impl LoadState {
    /// The totals at the end of the run, less those at `mark` (the window's start) if any.
    pub(super) fn end(&mut self, end: SimTime, mark: Option<&LoadMark>) -> super::state::LoadEnd {
        let m = mark.copied().unwrap_or_default();
        let t = self.meter.totals(end).since(&m.totals);
        super::state::LoadEnd {
            requests: t.offered,
            served: t.served,
            minutes_with_shortfall: self.minutes_with_shortfall - m.minutes_with_shortfall,
            cpu_used_task_seconds: t.cpu_used_task_seconds,
            task_seconds: t.task_seconds,
        }
    }

    /// The totals at `now`, for the start of the measurement window.
    pub(super) fn mark(&mut self, now: SimTime) -> LoadMark {
        LoadMark {
            totals: self.meter.totals(now),
            minutes_with_shortfall: self.minutes_with_shortfall,
        }
    }
}

fn res_index(r: Resolution) -> usize {
    match r {
        Resolution::Standard => 0,
        Resolution::High => 1,
    }
}

impl<'s> Simulation<'s> {
    /// Builds the run-time state of every service's load and scaling policies.
    pub(super) fn init_service_scaling(&mut self) -> Result<(), TraceError> {
        for (i, spec) in self.sc.services.iter().enumerate() {
            let load = match &spec.load {
                None => None,
                Some(l) => {
                    let source = match &l.source {
                        RateSourceSpec::Trace { path, options } => RateReader::open(path, options)?,
                        RateSourceSpec::Points {
                            points,
                            repeat_every,
                        } => {
                            RateReader::from_points(points.clone(), *repeat_every).map_err(|e| {
                                TraceError::Option {
                                    file: format!("<services[{i}].load.points>").into(),
                                    option: "points",
                                    expected: "rates ≥ 0 in time order",
                                    found: e.to_string(),
                                }
                            })?
                        }
                    };
                    Some(LoadState {
                        meter: LoadMeter::new(l.model),
                        source,
                        pending: None,
                        last: [LoadTotals::default(); 2],
                        last_minute: LoadTotals::default(),
                        minutes_with_shortfall: 0,
                    })
                }
            };
            let policy = spec.auto_scaling.clone().map(ServiceAutoScaling::new);
            if let Some(p) = &policy {
                if p.resolutions().any(|r| r == Resolution::High) {
                    self.high_resolution = true;
                }
                // The scalable target's bounds hold from the start.
                let st = &mut self.services[i];
                st.desired = st.desired.clamp(p.min_capacity(), p.max_capacity());
            }
            let desired = self.services[i].desired;
            self.service_scaling.push(ServiceScaling {
                policy,
                load,
                desired_min: desired,
                desired_max: desired,
                activities: ScalingActivityCounts::default(),
                in_flight: Default::default(),
            });
        }
        Ok(())
    }

    /// Builds the run-time state of each ASG capacity provider.
    pub(super) fn init_provider_scaling(&mut self) {
        for (i, cp) in self.sc.capacity_providers.iter().enumerate() {
            let CapacityProviderKind::AutoScalingGroup(asg) = cp.kind else {
                continue;
            };
            let spec = &self.sc.auto_scaling_groups[asg.index()];
            let mut shapes: Vec<Resources> = spec
                .instance_types
                .iter()
                .map(|&t| {
                    self.sc.catalog.registered_resources_on(
                        t,
                        self.sc.settings.memory_overhead,
                        self.sc.settings.awsvpc_trunking,
                        spec.os,
                    )
                })
                .collect();
            // [DOC] ecs-reference §1.3: types sorted on vCPU, memory, ENIs (ports: not modelled) and GPUs.
            shapes.sort_by_key(|r| (r.cpu, r.memory, r.eni, r.gpu));
            self.provider_scaling.push(ProviderScaling {
                asg,
                managed: cp.managed_scaling.map(|c| ManagedScaling::new(c, &cp.name)),
                last: None,
                largest: shapes.last().copied().unwrap_or_default(),
                smallest: shapes.first().copied().unwrap_or_default(),
                multi_type_or_multi_az: spec.instance_types.len() > 1
                    || spec.availability_zones.len() > 1,
                daemon_reserve: self.daemon_reserve_of(asg),
                scale_out: 0,
                scale_in: 0,
                instances_min: u32::MAX,
                instances_max: 0,
                started_with: None,
            });
            self.provider_scaling_index
                .push(CapacityProviderId::from_index(i));
        }
        self.init_managed_instances();
    }

    /// Time zero: first load steps, first scheduled actions, the high-resolution tick.
    pub(super) fn start_policies(&mut self, now: SimTime) -> Result<(), TraceError> {
        for s in 0..self.service_scaling.len() {
            let sid = ServiceId::from_index(s);
            if self.service_scaling[s].load.is_some() {
                self.pull_load_step(sid, now)?;
            }
            if self.service_scaling[s]
                .policy
                .as_ref()
                .is_some_and(|p| p.has_scheduled_actions())
            {
                // Actions due at time zero run first; the handler schedules the next.
                self.queue.schedule_at(now, Event::ScheduledAction(sid));
            }
        }
        if self.high_resolution {
            self.queue
                .schedule_at(now + Resolution::High.period(), Event::HighResolutionTick);
        }
        Ok(())
    }

    /// Applies due rate steps of service `s` and schedules the next one.
    pub(super) fn pull_load_step(&mut self, s: ServiceId, now: SimTime) -> Result<(), TraceError> {
        let end = self.end;
        let Some(l) = self.service_scaling[s.index()].load.as_mut() else {
            return Ok(());
        };
        if let Some(step) = l.pending.take() {
            l.meter.set_rate(now, step.requests_per_second);
        }
        loop {
            match l.source.next() {
                None => return Ok(()),
                Some(Err(e)) => return Err(e),
                Some(Ok(step)) => {
                    if step.at <= now {
                        l.meter.set_rate(now, step.requests_per_second);
                        continue;
                    }
                    if step.at <= end {
                        l.pending = Some(step);
                        self.queue.schedule_at(step.at, Event::LoadStep(s));
                    }
                    return Ok(());
                }
            }
        }
    }

    /// Tells the load meter of service `s` how many tasks run now (and, when they may
    /// burst, how much CPU they may use).
    pub(super) fn service_running_changed(&mut self, s: ServiceId, now: SimTime) {
        if !self.deployments.is_empty() {
            self.deploy_accrue(s, now);
        }
        let running = self.services[s.index()].running;
        if let Some(l) = self.service_scaling[s.index()].load.as_mut() {
            l.meter.set_running(now, running);
        }
        self.burst_ceiling_changed(s, now);
    }

    /// Sets up `simulation::burst` when `settings.cpuBeyondReservation` is on and some
    /// service with a load model has a task definition without a task-level `cpu`.
    pub(super) fn init_burst(&mut self) {
        if !self.sc.settings.cpu_beyond_reservation {
            return;
        }
        let task_defs: Vec<bool> = self
            .sc
            .task_definitions
            .iter()
            .map(|td| !td.cpu_hard_limit && td.size.cpu.0 > 0)
            .collect();
        let services: Vec<bool> = self
            .sc
            .services
            .iter()
            .map(|spec| spec.load.is_some() && task_defs[spec.task_definition.index()])
            .collect();
        if services.iter().any(|&b| b) {
            self.burst = Some(super::burst::Burst::new(task_defs, services));
        }
    }

    /// `U_k / B_k` of instance `i` now (0 without burst bookkeeping).
    pub(super) fn burst_ratio(&self, i: crate::ids::InstanceId) -> f64 {
        match &self.burst {
            None => 0.0,
            Some(b) => {
                let inst = &self.instances[i.index()];
                b.ratio(i, inst.registered.cpu.0.saturating_sub(inst.reserved.cpu.0))
            }
        }
    }

    /// A task of `owner` reserving `cpu` units was placed on (`add`) or released from
    /// instance `i`, whose ratio was `before`: keeps `B_k` and every RUNNING service's
    /// headroom there in step. O(burstable services on the instance).
    pub(super) fn burst_reservation_changed(
        &mut self,
        owner: Owner,
        i: crate::ids::InstanceId,
        cpu: u32,
        add: bool,
        before: f64,
        now: SimTime,
    ) {
        let Some(b) = self.burst.as_mut() else {
            return;
        };
        let td = match owner {
            Owner::Service(s) => self.sc.services[s.index()].task_definition,
            Owner::Workload(w) => self.sc.workloads[w.index()].task_definition,
        };
        if b.burstable_task_def[td.index()] {
            b.shares_changed(i, cpu, add);
        }
        let after = self.burst_ratio(i);
        if before == after {
            return;
        }
        let Some(b) = self.burst.as_mut() else {
            return;
        };
        let moved: Vec<ServiceId> = b
            .ratio_changed(i, before, after)
            .iter()
            .map(|&(s, _)| s)
            .collect();
        for s in moved {
            self.burst_ceiling_changed(s, now);
        }
    }

    /// Task `t` of service `s` started (`started`) or stopped RUNNING: adds or removes its
    /// instance's ratio from the service's headroom.
    pub(super) fn burst_task_running(
        &mut self,
        t: crate::ids::TaskId,
        s: ServiceId,
        started: bool,
    ) {
        let crate::scheduler::task::Placement::Instance(i) = self.tasks[t.index()].placement else {
            return;
        };
        let ratio = self.burst_ratio(i);
        let running = self.services[s.index()].running;
        if let Some(b) = self.burst.as_mut() {
            if b.burstable_service[s.index()] {
                b.task_running(s, i, ratio, started, running);
            }
        }
    }

    /// Tells service `s`'s load meter its tasks' CPU ceiling now.
    fn burst_ceiling_changed(&mut self, s: ServiceId, now: SimTime) {
        let Some(b) = self.burst.as_ref() else {
            return;
        };
        if !b.burstable_service[s.index()] {
            return;
        }
        let ceiling = b.ceiling(s, self.services[s.index()].running);
        if let Some(l) = self.service_scaling[s.index()].load.as_mut() {
            l.meter.set_cpu_ceiling(now, ceiling);
        }
    }

    fn schedule_next_action(&mut self, s: ServiceId, after: SimTime) {
        let epoch = self.sc.settings.start_time_unix_s;
        let Some(p) = self.service_scaling[s.index()].policy.as_ref() else {
            return;
        };
        if let Some(t) = p.next_scheduled(after, epoch) {
            if t <= self.end {
                self.queue.schedule_at(t, Event::ScheduledAction(s));
            }
        }
    }

    /// Runs the scheduled actions of service `s` due now.
    pub(super) fn run_scheduled_actions(&mut self, s: ServiceId, now: SimTime) {
        let epoch = self.sc.settings.start_time_unix_s;
        let desired = self.services[s.index()].desired;
        let act = self.service_scaling[s.index()]
            .policy
            .as_mut()
            .and_then(|p| p.on_scheduled(now, epoch, desired));
        if let Some(act) = act {
            self.service_scaling[s.index()].activities.scheduled += 1;
            let events_before = self.report_events.len();
            let traced = self.explain.is_some().then(|| act.clone());
            self.apply_service_activity(s, act, now);
            if let Some(act) = traced {
                self.explain_scheduled(s, &act, now, events_before);
            }
        }
        self.schedule_next_action(s, now);
    }

    /// One metric period of `resolution` ended: compute every service's datapoints and feed
    /// them to its policies once CloudWatch has published them, `settings.metricDelay` (or
    /// `highResolutionMetricDelay`) later.
    ///
    /// Every service's datapoints of one period fall due at the same moment, so one
    /// `Event::MetricsPublished` per period delivers them all from per-service FIFO queues of
    /// about delay ÷ period entries: the delay adds O(1) work per service and period, never a
    /// pass over history. With no delay they are delivered at once, as before the delay
    /// existed, so a zero setting reproduces that model exactly.
    pub(super) fn evaluate_services(&mut self, now: SimTime, resolution: Resolution) {
        let ri = res_index(resolution);
        let delay = self.metric_delay(resolution);
        let mut queued = false;
        for s in 0..self.service_scaling.len() {
            let sc = &mut self.service_scaling[s];
            let Some(policy) = sc.policy.as_ref() else {
                continue;
            };
            if !policy.resolutions().any(|r| r == resolution) {
                continue;
            }
            let dp = match sc.load.as_mut() {
                Some(l) => {
                    let totals = l.meter.totals(now);
                    let delta = totals.since(&l.last[ri]);
                    l.last[ri] = totals;
                    datapoints(&delta, resolution.period())
                }
                None => ServiceDatapoints::default(),
            };
            let running = self.services[s].running;
            if delay == SimDuration::ZERO {
                self.deliver_datapoints(s, now, resolution, dp, running);
            } else {
                self.service_scaling[s].in_flight[ri].push_back((dp, running));
                queued = true;
            }
        }
        if queued {
            self.queue
                .schedule_in(delay, Event::MetricsPublished(resolution));
        }
    }

    /// The datapoints of the period that ended `metric_delay` ago reach the alarms: each
    /// queued service takes the oldest of its queue (queues are FIFO and every period's
    /// delivery is scheduled in period order, so the oldest is the one due now).
    pub(super) fn publish_datapoints(&mut self, now: SimTime, resolution: Resolution) {
        let ri = res_index(resolution);
        for s in 0..self.service_scaling.len() {
            if let Some((dp, running)) = self.service_scaling[s].in_flight[ri].pop_front() {
                self.deliver_datapoints(s, now, resolution, dp, running);
            }
        }
    }

    /// The publication delay of `resolution`'s datapoints.
    fn metric_delay(&self, resolution: Resolution) -> SimDuration {
        match resolution {
            Resolution::Standard => self.sc.settings.metric_delay,
            Resolution::High => self.sc.settings.high_resolution_metric_delay,
        }
    }

    /// Service `s`'s policies see one period's datapoints at `now`, with `running`, the
    /// RUNNING count at the end of the period the datapoints describe, and the desired count
    /// of `now`.
    ///
    /// Why the running count of the period and not of `now`: target tracking sizes the
    /// service as running × metric ÷ target, which estimates the tasks the load needs only
    /// when the metric and the count describe the same tasks. A datapoint published three
    /// minutes late describes the tasks of three minutes ago; multiplying it by a count that
    /// already includes the scale-out it caused would scale out again on the same load, each
    /// delayed datapoint compounding the last. (AWS does not document which count it uses;
    /// this reading keeps a load step's scale-out to one activity, as AWS's "continuously but
    /// not excessively" cooldown rule intends. With no delay both counts are the same.)
    fn deliver_datapoints(
        &mut self,
        s: usize,
        now: SimTime,
        resolution: Resolution,
        dp: ServiceDatapoints,
        running: u32,
    ) {
        let desired = self.services[s].desired;
        let explaining = self.explain.is_some();
        let Some(policy) = self.service_scaling[s].policy.as_mut() else {
            return;
        };
        // The explanation needs the cooldown clocks as they were before this period.
        let before = explaining.then(|| policy.clone());
        let mut act = policy.on_datapoints(now, resolution, &dp, running, desired);
        if act.as_ref().is_some_and(|a| a.to < a.from) && self.deploying(ServiceId::from_index(s)) {
            // [DOC] "Troubleshooting service auto scaling in Amazon ECS",
            // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/troubleshoot-service-auto-scaling.html:
            // "Application Auto Scaling turns off scale-in processes while Amazon ECS
            // deployments are in progress"; scale-out continues.
            self.service_scaling[s].activities.scale_in_suppressed += 1;
            act = None;
        }
        let traced = before.as_ref().and(act.clone());
        let events_before = self.report_events.len();
        if let Some(act) = act {
            if act.to > act.from {
                self.service_scaling[s].activities.scale_out += 1;
            } else {
                self.service_scaling[s].activities.scale_in += 1;
            }
            self.apply_service_activity(ServiceId::from_index(s), act, now);
        }
        if let Some(b) = before {
            self.explain_service_scaling(
                s,
                &b,
                now,
                resolution,
                running,
                desired,
                traced.as_ref(),
                events_before,
            );
        }
    }

    fn apply_service_activity(&mut self, s: ServiceId, act: ScalingActivity, now: SimTime) {
        let sc = &mut self.service_scaling[s.index()];
        sc.desired_min = sc.desired_min.min(act.to);
        sc.desired_max = sc.desired_max.max(act.to);
        let name = self.sc.services[s.index()].name.clone();
        self.log_cause(
            now,
            "scaling",
            name,
            format!(
                "Setting desired count to {} (from {}) by policy {}.",
                act.to, act.from, act.policy
            ),
            act.cause.clone(),
        );
        self.set_service_desired(s, act.to, now);
    }

    /// The managed scaling minute: publish `CapacityProviderReservation`, act on it.
    pub(super) fn managed_scaling_tick(&mut self, now: SimTime) {
        for p in 0..self.provider_scaling.len() {
            let cp = self.provider_scaling_index[p];
            let asg = self.provider_scaling[p].asg;
            let started_with = *self.provider_scaling[p]
                .started_with
                .get_or_insert(self.instances.len());
            let in_service = self.asgs[asg.index()].in_service;
            let ps = &mut self.provider_scaling[p];
            ps.instances_min = ps.instances_min.min(in_service);
            ps.instances_max = ps.instances_max.max(in_service);
            if self.sc.capacity_providers[cp.index()]
                .managed_instances
                .is_some()
            {
                self.managed_instances_minute(cp, asg, now);
                continue;
            }
            let ps = &mut self.provider_scaling[p];
            if ps.managed.is_none() {
                continue;
            }
            let Some(cfg) = self.sc.capacity_providers[cp.index()]
                .managed_scaling
                .as_ref()
            else {
                continue;
            };
            let provisioning: Vec<Resources> = self.provider_waiting[cp.index()]
                .iter()
                .filter_map(|&t| self.tasks.get(t))
                .filter(|t| t.status == TaskStatus::Provisioning)
                .map(|t| t.need)
                .collect();
            // The newest launch that is still warming up counts; instances present at the
            // start are not newly launched ([DOC] ecs-reference §1.4–1.5: the warm-up holds
            // back scale-outs after a scale-out, not the first one of a running cluster).
            // The group's list is in launch order, so `launched_at` never decreases along it:
            // the newest is the last in-service entry, found from the end (past draining
            // ones only) rather than by a pass over the group every minute of a scale-out.
            let newest_launch = |sim: &Self| {
                let newest = sim.asgs[asg.index()]
                    .instances
                    .iter()
                    .rev()
                    .take_while(|i| i.index() >= started_with)
                    .map(|i| &sim.instances[i.index()])
                    .find(|inst| inst.in_service())
                    .map(|inst| inst.launched_at);
                debug_assert_eq!(
                    newest,
                    sim.asgs[asg.index()]
                        .instances
                        .iter()
                        .filter(|i| i.index() >= started_with)
                        .map(|i| &sim.instances[i.index()])
                        .filter(|inst| inst.in_service())
                        .map(|inst| inst.launched_at)
                        .max()
                );
                newest
            };
            // The binpack behind M, for an explanation, taken on the view M is computed from.
            let mut steps = None;
            let (r, newest) = if provisioning.is_empty() {
                // Nothing waits: M is the non-empty instances, kept as counters, so the
                // minute costs O(1) however large the group.
                let a = &self.asgs[asg.index()];
                debug_assert_eq!(
                    a.non_empty as usize,
                    a.instances
                        .iter()
                        .filter(|i| self.instances[i.index()].in_service()
                            && !self.instance_tasks[i.index()].is_empty())
                        .count()
                );
                let r = reservation_from_counts(a.non_empty, in_service, cfg);
                // Only a scale-out looks at the warm-up.
                let newest = if r.value > f64::from(cfg.target_capacity) {
                    newest_launch(self)
                } else {
                    None
                };
                (r, newest)
            } else {
                let daemon_reserve = self.provider_scaling[p].daemon_reserve;
                let views: Vec<InstanceView> = self.asgs[asg.index()]
                    .instances
                    .iter()
                    .map(|i| &self.instances[i.index()])
                    .filter(|inst| inst.in_service())
                    .map(|inst| InstanceView {
                        // A pending instance will start its daemon tasks first.
                        free: if inst.status == InstanceStatus::Active {
                            inst.free()
                        } else {
                            inst.free().saturating_sub(daemon_reserve)
                        },
                        registered: inst.registered,
                        non_empty: !self.instance_tasks[inst.id.index()].is_empty(),
                        launched_at: inst.launched_at,
                        active: inst.status == InstanceStatus::Active,
                    })
                    .collect();
                let ps = &self.provider_scaling[p];
                let view = ProviderView {
                    instances: &views,
                    provisioning: &provisioning,
                    largest_type: ps.largest,
                    smallest_type: ps.smallest,
                    multi_type_or_multi_az: ps.multi_type_or_multi_az,
                    daemon_reserve: ps.daemon_reserve,
                };
                if self.explain.is_some() {
                    steps = Some(reservation_steps(&view, cfg));
                }
                (
                    capacity_provider_reservation(&view, cfg),
                    newest_launch(self),
                )
            };
            let a = &self.asgs[asg.index()];
            let bounds = AsgBounds {
                min_size: a.min_size,
                max_size: a.max_size,
                desired: in_service,
            };
            let ps = &mut self.provider_scaling[p];
            let before = if self.explain.is_some() {
                ps.managed.clone()
            } else {
                None
            };
            let act = ps
                .managed
                .as_mut()
                .and_then(|m| m.on_minute(now, &r, bounds, newest));
            ps.last = Some(r);
            let answered = before.as_ref().and(act.clone());
            // The group is already trying to reach this size (launches failed): not a new
            // activity.
            let act =
                act.filter(|a| !(a.to > a.from && a.to <= self.asgs[asg.index()].desired_capacity));
            // While the group rebalances into a recovered zone it is above its desired
            // capacity on purpose; the rebalance itself removes the surplus.
            let act =
                act.filter(|a| !(a.to < a.from && self.asgs[asg.index()].rebalance_pending > 0));
            let events_before = self.report_events.len();
            let applied = before.as_ref().and(act.clone());
            if let Some(act) = act {
                let got = self.set_asg_desired(asg, act.to, now);
                let ps = &mut self.provider_scaling[p];
                if act.to > act.from {
                    ps.scale_out += 1;
                } else {
                    ps.scale_in += 1;
                }
                let name = self.sc.capacity_providers[cp.index()].name.clone();
                let message = if got < act.to && act.to > act.from {
                    format!(
                        "Changing the desired capacity of {} from {} to {}; launching failed: no Availability Zone of the group is available.",
                        self.asgs[asg.index()].name,
                        act.from,
                        act.to
                    )
                } else if got == act.to {
                    format!(
                        "Changing the desired capacity of {} from {} to {}.",
                        self.asgs[asg.index()].name,
                        act.from,
                        act.to
                    )
                } else {
                    format!(
                        "Changing the desired capacity of {} from {} to {}; {} instances kept by managed termination protection.",
                        self.asgs[asg.index()].name,
                        act.from,
                        act.to,
                        got.saturating_sub(act.to)
                    )
                };
                self.log_cause(now, "scaling", name, message, act.cause);
            }
            if let Some(b) = before {
                self.explain_managed(
                    p,
                    &b,
                    now,
                    &r,
                    bounds,
                    newest,
                    (steps, provisioning.len() as u32),
                    answered.as_ref(),
                    applied.as_ref(),
                    events_before,
                );
            }
        }
    }

    /// Appends this minute's per-service and per-provider rows.
    pub(super) fn record_policy_rows(&mut self, now: SimTime) {
        let minute = now.0 / 60_000;
        let (mut vcpu_used, mut gib_used) = (0.0, 0.0);
        for s in 0..self.services.len() {
            let owner = Owner::Service(ServiceId::from_index(s));
            let pending = self
                .counters
                .owner_in_status(owner, TaskStatus::Provisioning)
                + self.counters.owner_in_status(owner, TaskStatus::Pending);
            let st = &self.services[s];
            let (rps, unserved, cpu, mem) = match self.service_scaling[s].load.as_mut() {
                Some(l) if now > SimTime::ZERO => {
                    let totals = l.meter.totals(now);
                    let d = totals.since(&l.last_minute);
                    l.last_minute = totals;
                    let dp = datapoints(&d, SimDuration::from_mins(1));
                    // What the load model says the RUNNING tasks use at the end of the
                    // minute (whole tasks' worth × the task size), for timeseries.csv's
                    // `vcpu_used` and `memory_gib_used`: a snapshot, like paid and reserved,
                    // so a minute in which tasks die cannot show more used than reserved.
                    let spec = &self.sc.services[s];
                    let size = self.sc.task_definitions[spec.task_definition.index()].size;
                    let (cpu_tasks, memory_tasks) = l.meter.use_now();
                    vcpu_used += cpu_tasks * size.cpu.as_vcpu_f64();
                    gib_used += memory_tasks * size.memory.as_gib_f64();
                    let unserved = d.unserved();
                    if self.service_faults[s].hurt_during_minute(now) {
                        self.service_faults[s].unserved_due_to_faults += unserved;
                    }
                    // Offered and served are summed separately, so a minute with no
                    // shortfall can differ by a rounding residue (a few 1e-9 once the totals
                    // reach tens of millions): count the minute only if services.csv shows
                    // some unserved requests.
                    if round4(unserved) > 0.0 {
                        l.minutes_with_shortfall += 1;
                    }
                    (
                        round4(d.offered / 60.0),
                        round4(unserved),
                        dp.cpu_utilization.map(round4),
                        dp.memory_utilization.map(round4),
                    )
                }
                _ => (0.0, 0.0, None, None),
            };
            self.service_series.push(ServiceMinuteRow {
                minute,
                service: s as u32,
                desired: st.desired,
                running: st.running,
                pending: pending as u32,
                requests_per_second: rps,
                unserved_requests: unserved,
                cpu_utilization: cpu,
                memory_utilization: mem,
            });
        }
        self.counters.add_modelled_use(vcpu_used, gib_used);
        for p in 0..self.provider_scaling.len() {
            let ps = &self.provider_scaling[p];
            let a = &self.asgs[ps.asg.index()];
            // The group's counters, not a count of its instances: the row costs O(1) however
            // large the group (issue 13).
            let (instances, draining) = (a.in_service, a.draining);
            debug_assert_eq!(
                (instances as usize, draining as usize),
                a.instances.iter().fold((0, 0), |(n, d), i| {
                    match self.instances[i.index()].status {
                        InstanceStatus::Pending | InstanceStatus::Active => (n + 1, d),
                        InstanceStatus::Draining => (n, d + 1),
                        InstanceStatus::Terminated => (n, d),
                    }
                })
            );
            self.provider_series.push(ProviderMinuteRow {
                minute,
                provider: p as u32,
                instances,
                draining,
                desired_capacity: a.desired_capacity,
                reservation: ps.last.map(|r| round4(r.value)),
                m: ps.last.map(|r| r.m),
            });
        }
    }
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}
