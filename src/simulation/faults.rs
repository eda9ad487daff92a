//! Failures at run time: instance failures, AZ outages, EC2 Spot and Fargate Spot
//! interruptions, task crashes, and what they cost.
//!
//! The samplers are in `faults`; this file decides when each fault happens and applies it.
//! Every draw comes from a generator derived from the fault model's stream name and the id of
//! the instance or task it is about, so turning one fault model on changes neither the
//! workload nor another model's draws for the same entity.
//!
//! Consequences, in ECS's order:
//! - a failed, interrupted or lost instance is terminated with its tasks; its ASG launches a
//!   replacement to get back to its desired capacity (launch latency applies);
//! - service tasks that die are replaced by the service scheduler; batch tasks that die are
//!   re-run from the start, and the work they had done is counted as wasted;
//! - a task that fails before RUNNING makes its service back off before the next launch
//!   (\[DOC\] ecs-reference §5.2).

use super::{Event, Simulation};
use crate::engine::{SimDuration, SimRng, SimTime};
use crate::faults::{poisson, STREAM_AZ_OUTAGE, STREAM_EC2_SPOT_INTERRUPTION};
use crate::faults::{STREAM_FARGATE_SPOT_INTERRUPTION, STREAM_INSTANCE_FAILURE, STREAM_TASK_CRASH};
use crate::ids::{AsgId, AzId, InstanceId, Owner, ServiceId, TaskId};
use crate::scenario::FaultScope;
use crate::scheduler::placement;
use crate::scheduler::task::{Placement, StopCode, Target, TaskStatus};

/// What the faults did, for the report.
#[derive(Clone, Debug, Default)]
pub(super) struct FaultStats {
    pub(super) instance_failures: u64,
    pub(super) az_outages: u64,
    pub(super) spot_notices: u64,
    pub(super) spot_terminations: u64,
    pub(super) fargate_spot_interruptions: u64,
    pub(super) fargate_spot_shortages: u64,
    pub(super) task_crashes: u64,
    pub(super) start_failures: u64,
    pub(super) tasks_killed: u64,
    pub(super) batch_reruns: u64,
    pub(super) wasted_task_seconds: f64,
    pub(super) wasted_usd: f64,
    /// Spot instances set to DRAINING on their interruption notice and not yet reclaimed.
    pub(super) spot_drained: Vec<InstanceId>,
}

/// A service's availability under faults.
#[derive(Clone, Debug, Default)]
pub(super) struct ServiceFaults {
    /// Earliest fault not yet recovered from (the service has been below desired since).
    pub(super) since: Option<SimTime>,
    /// Times to recover, one per recovered episode.
    pub(super) recoveries: Vec<SimDuration>,
    /// Tasks the faults killed.
    pub(super) tasks_lost: u64,
    /// Consecutive tasks that failed before RUNNING (the throttle's count).
    pub(super) start_failures: u32,
    /// No new task before this time (the throttle).
    pub(super) retry_at: SimTime,
    /// Requests not served in minutes when a fault was not yet recovered.
    pub(super) unserved_due_to_faults: f64,
    /// When the last recovery happened.
    pub(super) last_recovery: Option<SimTime>,
    /// Σ over minutes of (desired − RUNNING) where positive.
    pub(super) task_minutes_below: u64,
}

impl ServiceFaults {
    /// True if a fault was unrecovered at some point of the minute ending at `now`.
    pub(super) fn hurt_during_minute(&self, now: SimTime) -> bool {
        self.since.is_some()
            || self
                .last_recovery
                .is_some_and(|r| now.saturating_since(r) < SimDuration::from_mins(1))
    }
}

/// The stream index of model `model`'s draw about an entity with stable key `entity` (an
/// instance's group and launch number, or a task's owner and task number).
fn key(entity: u64, model: usize) -> u64 {
    (entity << 8) | model as u64
}

impl<'s> Simulation<'s> {
    fn fault_rng(&self, stream: &str, index: u64) -> SimRng {
        self.streams.named(stream, index)
    }

    /// Time zero: scheduled failures, outages and notices.
    pub(super) fn start_faults(&mut self) {
        let f = &self.sc.faults;
        for (k, spec) in f.instance_failures.iter().enumerate() {
            if let crate::faults::lifetime::TimeToFailure::Scheduled(times) = &spec.lifetime {
                for (j, &t) in times.iter().enumerate() {
                    if SimTime::ZERO + t <= self.end {
                        self.queue.schedule_at(
                            SimTime::ZERO + t,
                            Event::ScheduledInstanceFailure(k as u16, j as u32),
                        );
                    }
                }
            }
        }
        let mut windows = f.az_outages.clone();
        if let Some(r) = &f.random_az_outages {
            let mut rng = self.fault_rng(STREAM_AZ_OUTAGE, 0);
            windows.extend(r.windows(
                self.sc.cluster.availability_zones.len().min(255) as u8,
                self.end,
                &mut rng,
            ));
            windows = crate::faults::outage::merge(windows);
        }
        for (w, win) in windows.iter().enumerate() {
            if win.start <= self.end {
                self.queue
                    .schedule_at(win.start, Event::AzOutageStart(w as u32));
                self.queue
                    .schedule_at(win.start + win.duration, Event::AzOutageEnd(w as u32));
            }
        }
        self.outage_windows = windows;
        let mut shortages = f.fargate_spot_shortages.clone();
        if let Some(r) = &f.random_fargate_spot_shortages {
            let mut rng = self.fault_rng(crate::faults::STREAM_FARGATE_SPOT_SHORTAGE, 0);
            shortages.extend(r.windows(self.end, &mut rng));
            shortages = crate::faults::fargate_spot::merge(shortages);
        }
        for (w, win) in shortages.iter().enumerate() {
            if win.start > self.end {
                continue;
            }
            if win.start == SimTime::ZERO {
                // In force before anything launches at time zero (cold starts, batch
                // submissions), whatever order the time-zero events run in.
                self.spot_short += 1;
                self.fault_stats.fargate_spot_shortages += 1;
            } else {
                self.queue
                    .schedule_at(win.start, Event::FargateSpotShortageStart(w as u32));
            }
            self.queue
                .schedule_at(win.end(), Event::FargateSpotShortageEnd(w as u32));
        }
        self.shortage_windows = shortages;
        for (j, &t) in f.spot_at.iter().enumerate() {
            if SimTime::ZERO + t <= self.end {
                self.queue
                    .schedule_at(SimTime::ZERO + t, Event::ScheduledSpotNotice(j as u32));
            }
        }
    }

    /// An instance reached `running`: draw its failure and Spot interruption times.
    pub(super) fn instance_faults(&mut self, id: InstanceId, now: SimTime) {
        let inst = &self.instances[id.index()];
        let (ty, cp, spot) = (inst.instance_type, inst.capacity_provider, inst.spot);
        for (k, spec) in self.sc.faults.instance_failures.iter().enumerate() {
            let applies = match spec.scope {
                FaultScope::All => true,
                FaultScope::CapacityProvider(p) => cp == Some(p),
                FaultScope::InstanceType(t) => ty == t,
            };
            if !applies {
                continue;
            }
            let mut rng = self.fault_rng(STREAM_INSTANCE_FAILURE, key(self.instance_key(id), k));
            if let Some(d) = spec.lifetime.sample(&mut rng) {
                if now + d <= self.end {
                    self.queue.schedule_at(now + d, Event::InstanceFailure(id));
                }
            }
        }
        let rate = self.sc.faults.spot_rate_per_instance_hour;
        if spot && rate > 0.0 {
            let mut rng =
                self.fault_rng(STREAM_EC2_SPOT_INTERRUPTION, key(self.instance_key(id), 0));
            if let Some(d) = poisson::next_arrival(rate, &mut rng) {
                if now + d <= self.end {
                    self.queue.schedule_at(now + d, Event::SpotNotice(id));
                }
            }
        }
    }

    /// A task is about to become RUNNING: true if it fails to start instead (a bad
    /// deployment); otherwise its crash and Fargate Spot interruption are drawn.
    ///
    /// `warm`: the task was RUNNING at time zero (warm start): it cannot fail to start, but
    /// its crash and interruption times are drawn as for any other task.
    pub(super) fn task_start_faults(&mut self, t: TaskId, now: SimTime, warm: bool) -> bool {
        let task = &self.tasks[t.index()];
        let owner = task.owner;
        let end_of_work = task.run_time.map(|r| now + r);
        let spot_fargate = matches!(task.target, Target::Fargate { spot: true, .. });
        if let Some(spec) = self.crash_spec(owner) {
            let mut rng = self.fault_rng(STREAM_TASK_CRASH, key(self.task_key(t), 0));
            if spec.crash_at_start_probability > 0.0
                && rand::Rng::gen::<f64>(&mut rng) < spec.crash_at_start_probability
                && !warm
            {
                self.fault_stats.start_failures += 1;
                self.begin_stop(t, now, StopCode::CannotStart);
                if let Owner::Service(s) = owner {
                    let sf = &mut self.service_faults[s.index()];
                    sf.start_failures += 1;
                    sf.since.get_or_insert(now);
                    let delay = self.sc.settings.task_retry.delay_after(sf.start_failures);
                    sf.retry_at = now + delay;
                    // The scheduler looks again when the back-off ends.
                    self.queue.schedule_at(now + delay, Event::Reconcile);
                }
                return true;
            }
            if let Some(d) = poisson::next_arrival(spec.rate_per_task_hour, &mut rng) {
                if now + d <= self.end && end_of_work.map_or(true, |e| now + d < e) {
                    self.queue.schedule_at(now + d, Event::TaskCrash(t));
                }
            }
        }
        if let Owner::Service(s) = owner {
            let sf = &mut self.service_faults[s.index()];
            sf.start_failures = 0;
            // Recovered the moment the service is back at its desired count (this task is
            // about to count as RUNNING).
            if let Some(since) = sf.since {
                let st = &self.services[s.index()];
                if st.running + 1 >= st.desired {
                    sf.recoveries.push(now.saturating_since(since));
                    sf.since = None;
                    sf.last_recovery = Some(now);
                }
            }
        }
        let rate = self.sc.faults.fargate_spot_rate_per_task_hour;
        if spot_fargate && rate > 0.0 {
            let mut rng =
                self.fault_rng(STREAM_FARGATE_SPOT_INTERRUPTION, key(self.task_key(t), 0));
            if let Some(d) = poisson::next_arrival(rate, &mut rng) {
                if now + d <= self.end && end_of_work.map_or(true, |e| now + d < e) {
                    self.queue
                        .schedule_at(now + d, Event::FargateSpotInterruption(t));
                }
            }
        }
        false
    }

    /// A service task stopped as soon as it was launched: count it as a failed start and
    /// back off (\[DOC\] ecs-reference §5.2).
    pub(super) fn start_failed_at_once(&mut self, s: ServiceId, now: SimTime) {
        let sf = &mut self.service_faults[s.index()];
        sf.start_failures += 1;
        let delay = self.sc.settings.task_retry.delay_after(sf.start_failures);
        sf.retry_at = now + delay;
        self.queue.schedule_at(now + delay, Event::Reconcile);
    }

    fn crash_spec(&self, owner: Owner) -> Option<crate::scenario::TaskCrashSpec> {
        self.sc
            .faults
            .task_crashes
            .iter()
            .find(|c| c.owner == owner)
            .copied()
    }

    /// True while service `s` must not start a task (the back-off after failed starts).
    pub(super) fn throttled(&self, s: ServiceId, now: SimTime) -> bool {
        self.service_faults
            .get(s.index())
            .is_some_and(|f| now < f.retry_at)
    }

    /// Task `t` (RUNNING or PENDING) is about to be killed with `code`. If a fault kills it
    /// (instance failure, AZ outage, Spot, crash): count the loss, re-run batch work, and
    /// start the service's recovery clock; otherwise (scale-in, rebalance, draining timeout)
    /// nothing.
    pub(super) fn task_killed(&mut self, t: TaskId, now: SimTime, code: StopCode) {
        let task = &self.tasks[t.index()];
        if !matches!(task.status, TaskStatus::Pending | TaskStatus::Running) {
            return;
        }
        let fault = matches!(
            code,
            StopCode::InstanceFailed
                | StopCode::ExternalInstanceFailed
                | StopCode::AzOutage
                | StopCode::SpotInterruption
                | StopCode::TaskFailed
        );
        if !fault {
            // A scale-in, a rebalance or a draining timeout: the scheduler's doing, not a
            // fault. The task is interrupted as it was before faults existed: no re-run, no
            // wasted work, nothing counted.
            return;
        }
        self.fault_stats.tasks_killed += 1;
        let ran = task
            .started_at
            .filter(|_| task.status == TaskStatus::Running)
            .map_or(SimDuration::ZERO, |s| now.saturating_since(s));
        let (owner, need, target, run_time) = (task.owner, task.need, task.target, task.run_time);
        // Work is wasted only where it has to be done again: batch tasks. A service task
        // that dies costs availability instead (counted per service).
        if ran > SimDuration::ZERO && matches!(owner, Owner::Workload(_)) {
            self.fault_stats.wasted_task_seconds += ran.as_secs_f64();
            self.fault_stats.wasted_usd += self.task_cost_rate(t) * ran.as_secs_f64();
        }
        match owner {
            Owner::Service(s) => {
                let sf = &mut self.service_faults[s.index()];
                sf.tasks_lost += 1;
                sf.since.get_or_insert(now);
            }
            Owner::Workload(_) => {
                // Batch work lost to a failure is re-run from the start, once the instances
                // going down with this one are gone (so it does not land on one of them).
                self.fault_stats.batch_reruns += 1;
                self.reruns.push((owner, need, target, run_time));
            }
        }
    }

    /// Resubmits the batch tasks whose work was lost.
    pub(super) fn flush_reruns(&mut self, now: SimTime) {
        for (owner, need, target, run_time) in std::mem::take(&mut self.reruns) {
            let t = self.new_task(owner, need, target, now, run_time);
            self.launch_task(t, now, true);
        }
    }

    /// USD per second the task costs while it runs: its Fargate rate, or its share of its
    /// instance's price (½ CPU share + ½ memory share, as billing attributes it).
    fn task_cost_rate(&self, t: TaskId) -> f64 {
        let task = &self.tasks[t.index()];
        match task.placement {
            Placement::Instance(i) => {
                let inst = &self.instances[i.index()];
                let price = self.sc.auto_scaling_groups[inst.asg.index()]
                    .usd_per_hour(&self.sc.catalog, inst.instance_type);
                let share = 0.5 * f64::from(task.need.cpu.0)
                    / f64::from(inst.registered.cpu.0.max(1))
                    + 0.5 * f64::from(task.need.memory.0)
                        / f64::from(inst.registered.memory.0.max(1));
                price / 3600.0 * share
            }
            Placement::Fargate(_) => {
                let spot = matches!(task.target, Target::Fargate { spot: true, .. });
                let rate = self.sc.catalog.fargate.rate(self.arch_of(task.owner), spot);
                rate.usd_per_vcpu_second * f64::from(task.fargate_size.cpu.0) / 1024.0
                    + rate.usd_per_gb_second * f64::from(task.fargate_size.memory.0) / 1024.0
            }
            Placement::Unplaced => 0.0,
        }
    }

    /// Terminates instance `i` because of a fault and lets its ASG replace it.
    fn fail_instance(&mut self, i: InstanceId, now: SimTime, code: StopCode, what: &str) {
        if self.instances[i.index()].status == crate::cluster::InstanceStatus::Terminated {
            return;
        }
        self.log(
            now,
            "fault",
            placement::instance_display_id(i),
            what.to_string(),
        );
        let asg = self.instances[i.index()].asg;
        // Gone for this reason, not reclaimed later.
        self.fault_stats.spot_drained.retain(|&x| x != i);
        self.terminate_instance_with(i, now, code);
        self.replace_instances(asg, now);
    }

    /// EC2 Auto Scaling keeps the group at its desired capacity: it launches replacements
    /// for instances that were lost (into AZs that are up).
    ///
    /// An external group (ECS Anywhere) has no Auto Scaling group: nothing replaces a machine
    /// that failed, for the rest of the run.
    pub(super) fn replace_instances(&mut self, asg: AsgId, now: SimTime) -> u32 {
        let mut launched = 0;
        if self.sc.auto_scaling_groups[asg.index()].external.is_some() {
            return launched;
        }
        // A Managed Instances provider launches for waiting tasks only (its next minute).
        if self.asgs[asg.index()].managed_instances {
            return 0;
        }
        while self.asgs[asg.index()].in_service < self.asgs[asg.index()].desired_capacity {
            if self.launch_instance(asg, now, true).is_none() {
                break;
            }
            launched += 1;
        }
        launched
    }

    /// True when AZ `az` is in an outage.
    pub(super) fn az_down(&self, az: AzId) -> bool {
        self.az_down.get(az.index()).is_some_and(|&n| n > 0)
    }

    /// Handles the fault events.
    pub(super) fn handle_fault(&mut self, now: SimTime, event: Event) {
        match event {
            Event::InstanceFailure(i)
                if self.instances[i.index()].status
                    != crate::cluster::InstanceStatus::Terminated =>
            {
                self.fault_stats.instance_failures += 1;
                // An ECS Anywhere machine is not EC2 and has no Auto Scaling group: nothing
                // replaces it (`replace_instances`), so its event must not say one does.
                let external = self.instances[i.index()].external;
                let what = if external {
                    "External instance failed; no Auto Scaling group replaces it"
                } else {
                    "EC2 instance failed its status checks; the Auto Scaling group terminates and replaces it"
                };
                self.fail_instance(i, now, StopCode::instance_failure(external), what);
            }
            Event::ScheduledInstanceFailure(k, j) => {
                let spec = &self.sc.faults.instance_failures[usize::from(k)];
                let scope = spec.scope;
                let candidates: Vec<InstanceId> = self
                    .instances
                    .iter()
                    .filter(|inst| {
                        inst.in_service() || inst.status == crate::cluster::InstanceStatus::Draining
                    })
                    .filter(|inst| match scope {
                        FaultScope::All => true,
                        FaultScope::CapacityProvider(p) => inst.capacity_provider == Some(p),
                        FaultScope::InstanceType(t) => inst.instance_type == t,
                    })
                    .map(|inst| inst.id)
                    .collect();
                if !candidates.is_empty() {
                    let mut rng = self.fault_rng(
                        STREAM_INSTANCE_FAILURE,
                        (1u64 << 48) | (u64::from(k) << 32) | u64::from(j),
                    );
                    let i = candidates[rand::Rng::gen_range(&mut rng, 0..candidates.len())];
                    self.queue.schedule_at(now, Event::InstanceFailure(i));
                }
            }
            Event::SpotNotice(i) => self.spot_notice(i, now),
            Event::ScheduledSpotNotice(j) => {
                let candidates: Vec<InstanceId> = self
                    .instances
                    .iter()
                    .filter(|inst| inst.spot && inst.in_service())
                    .map(|inst| inst.id)
                    .collect();
                if !candidates.is_empty() {
                    let mut rng =
                        self.fault_rng(STREAM_EC2_SPOT_INTERRUPTION, (1u64 << 40) | u64::from(j));
                    let i = candidates[rand::Rng::gen_range(&mut rng, 0..candidates.len())];
                    self.spot_notice(i, now);
                }
            }
            Event::SpotTermination(i) => self.spot_termination(i, now),
            Event::FargateSpotInterruption(t)
                if self.tasks[t.index()].status == TaskStatus::Running =>
            {
                self.fault_stats.fargate_spot_interruptions += 1;
                let subject = self.owner_name(self.tasks[t.index()].owner);
                self.log(
                    now,
                    "fault",
                    subject,
                    format!("task {}: Fargate Spot interruption: two-minute warning and SIGTERM; the task stops after its stopTimeout", t.0),
                );
                self.task_killed(t, now, StopCode::SpotInterruption);
                let d = self.sc.settings.stop_timeout;
                self.begin_stop_after(t, now, StopCode::SpotInterruption, Some(d));
            }
            Event::TaskCrash(t) if self.tasks[t.index()].status == TaskStatus::Running => {
                self.fault_stats.task_crashes += 1;
                self.task_killed(t, now, StopCode::TaskFailed);
                self.begin_stop(t, now, StopCode::TaskFailed);
            }
            Event::AzOutageStart(w) => self.az_outage_start(w as usize, now),
            Event::AzOutageEnd(w) => self.az_outage_end(w as usize, now),
            Event::FargateSpotShortageStart(_) => {
                self.spot_short += 1;
                self.fault_stats.fargate_spot_shortages += 1;
                self.log(
                    now,
                    "fault",
                    "FARGATE_SPOT".to_string(),
                    "Fargate Spot capacity is unavailable: new FARGATE_SPOT tasks wait in PROVISIONING (running ones keep running)".to_string(),
                );
            }
            Event::FargateSpotShortageEnd(_) => {
                self.spot_short = self.spot_short.saturating_sub(1);
                if self.spot_short == 0 {
                    let waiting = std::mem::take(&mut self.spot_waiting);
                    self.log(
                        now,
                        "fault",
                        "FARGATE_SPOT".to_string(),
                        format!(
                            "Fargate Spot capacity is back: {} waiting tasks launch",
                            waiting.len()
                        ),
                    );
                    for t in waiting {
                        // Gone (its slot may hold another task now) or stopped while it
                        // waited (scale-in, the end of its service).
                        if !self.tasks.is_current(t) {
                            continue;
                        }
                        let task = &self.tasks[t.index()];
                        if task.status != TaskStatus::Provisioning
                            || task.placement != Placement::Unplaced
                        {
                            continue;
                        }
                        self.launch_fargate_in(t, now, true, None);
                    }
                }
            }
            _ => {}
        }
        self.flush_reruns(now);
    }

    fn spot_notice(&mut self, i: InstanceId, now: SimTime) {
        use crate::cluster::InstanceStatus;
        if matches!(self.instances[i.index()].status, InstanceStatus::Terminated) {
            return;
        }
        self.fault_stats.spot_notices += 1;
        let draining = self.sc.settings.spot_instance_draining;
        self.log(
            now,
            "fault",
            placement::instance_display_id(i),
            format!(
                "EC2 Spot interruption notice: the instance terminates in 2 minutes{}",
                if draining {
                    "; the agent sets it to DRAINING (ECS_ENABLE_SPOT_INSTANCE_DRAINING=true)"
                } else {
                    " (Spot draining is off, as by default)"
                }
            ),
        );
        if draining {
            self.fault_stats.spot_drained.push(i);
            self.drain_instance(i, now);
        }
        self.queue.schedule_at(
            now + crate::faults::throttle::SPOT_INTERRUPTION_NOTICE,
            Event::SpotTermination(i),
        );
    }

    /// EC2 reclaims a Spot instance two minutes after its notice.
    fn spot_termination(&mut self, i: InstanceId, now: SimTime) {
        let drained = match self.fault_stats.spot_drained.iter().position(|&x| x == i) {
            Some(p) => {
                self.fault_stats.spot_drained.swap_remove(p);
                true
            }
            None => false,
        };
        if self.instances[i.index()].status != crate::cluster::InstanceStatus::Terminated {
            self.fault_stats.spot_terminations += 1;
            self.fail_instance(
                i,
                now,
                StopCode::SpotInterruption,
                "EC2 Spot instance reclaimed and terminated; the Auto Scaling group launches a replacement",
            );
        } else if drained {
            // Drained on the notice, it was terminated as soon as its last task stopped; EC2
            // reclaims it now all the same, and only now does its Auto Scaling group see it
            // gone and launch a replacement.
            self.fault_stats.spot_terminations += 1;
            let asg = self.instances[i.index()].asg;
            let launched = self.replace_instances(asg, now);
            self.log(
                now,
                "fault",
                placement::instance_display_id(i),
                if launched > 0 {
                    "EC2 Spot instance reclaimed (it had been drained); the Auto Scaling group launches a replacement"
                } else {
                    "EC2 Spot instance reclaimed (it had been drained); the Auto Scaling group is at its desired capacity"
                }
                .to_string(),
            );
        }
    }

    fn az_outage_start(&mut self, w: usize, now: SimTime) {
        let az = self.outage_windows[w].az;
        self.az_down[az.index()] += 1;
        if self.az_down[az.index()] > 1 {
            return;
        }
        self.fault_stats.az_outages += 1;
        let name = self.sc.cluster.availability_zones[az.index()].clone();
        self.log(
            now,
            "fault",
            name.clone(),
            format!("Availability Zone {name} is down: its instances and Fargate tasks are lost and nothing launches there"),
        );
        let lost: Vec<InstanceId> = self
            .instances
            .iter()
            .filter(|inst| {
                // External instances are in no AWS zone: an outage does not reach them.
                inst.az == az
                    && !inst.external
                    && inst.status != crate::cluster::InstanceStatus::Terminated
            })
            .map(|inst| inst.id)
            .collect();
        self.fault_stats.spot_drained.retain(|x| !lost.contains(x));
        self.defer_reruns = true;
        for i in lost {
            self.terminate_instance_with(i, now, StopCode::AzOutage);
        }
        // Fargate tasks in the zone.
        // A pass over the live tasks: an outage is rare, and its cost is its tasks'.
        let mut fargate: Vec<TaskId> = self
            .tasks
            .iter_live()
            .filter(|(_, task)| {
                task.placement == Placement::Fargate(az)
                    && matches!(
                        task.status,
                        TaskStatus::Provisioning | TaskStatus::Pending | TaskStatus::Running
                    )
            })
            .map(|(t, _)| t)
            .collect();
        // In creation order, as when the table held every task: the order reaches the log.
        fargate.sort_unstable();
        for t in fargate {
            if self.tasks[t.index()].status == TaskStatus::Provisioning {
                self.fail_unplaced(t, now, StopCode::AzOutage);
            } else {
                self.task_killed(t, now, StopCode::AzOutage);
                self.begin_stop_after(t, now, StopCode::AzOutage, Some(SimDuration::ZERO));
            }
        }
        self.defer_reruns = false;
        for a in 0..self.asgs.len() {
            self.replace_instances(AsgId::from_index(a), now);
        }
        self.request_reconcile();
    }

    fn az_outage_end(&mut self, w: usize, now: SimTime) {
        let az = self.outage_windows[w].az;
        self.az_down[az.index()] -= 1;
        if self.az_down[az.index()] > 0 {
            return;
        }
        let name = self.sc.cluster.availability_zones[az.index()].clone();
        self.log(
            now,
            "fault",
            name.clone(),
            format!(
                "Availability Zone {name} has recovered; Auto Scaling groups rebalance into it"
            ),
        );
        // Groups that could not launch during the outage launch now.
        for a in 0..self.asgs.len() {
            self.replace_instances(AsgId::from_index(a), now);
        }
        // [DOC] EC2 Auto Scaling AZ rebalancing launches new instances in the recovered zone
        // first and terminates surplus ones elsewhere once they are in service.
        for a in 0..self.asgs.len() {
            let asg = AsgId::from_index(a);
            if !self.asgs[a].azs.contains(&az)
                || self.sc.auto_scaling_groups[a].external.is_some()
                || self.asgs[a].managed_instances
            {
                continue;
            }
            let zones = self.asgs[a]
                .azs
                .iter()
                .filter(|z| !self.az_down(**z))
                .count() as u32;
            let target = self.asgs[a].in_service / zones.max(1);
            let here = self.asgs[a]
                .instances
                .iter()
                .filter(|i| {
                    let inst = &self.instances[i.index()];
                    inst.az == az && inst.in_service()
                })
                .count() as u32;
            for _ in here..target {
                if self.launch_instance_in(asg, az, now).is_some() {
                    self.asgs[a].rebalance_pending += 1;
                }
            }
        }
    }

    /// A rebalancing instance registered: terminate one surplus instance elsewhere.
    pub(super) fn rebalance_after_launch(&mut self, i: InstanceId, now: SimTime) {
        let asg = self.instances[i.index()].asg;
        if self.asgs[asg.index()].rebalance_pending == 0 {
            return;
        }
        self.asgs[asg.index()].rebalance_pending -= 1;
        if self.asgs[asg.index()].in_service <= self.asgs[asg.index()].desired_capacity {
            // Something else already brought the group back to its size.
            return;
        }
        let new_az = self.instances[i.index()].az;
        // The zone with the most instances in service, then the lowest index.
        let mut per_az: Vec<(u32, AzId)> = Vec::new();
        for &j in &self.asgs[asg.index()].instances {
            let inst = &self.instances[j.index()];
            if !inst.in_service() || inst.az == new_az {
                continue;
            }
            match per_az.iter_mut().find(|(_, z)| *z == inst.az) {
                Some((n, _)) => *n += 1,
                None => per_az.push((1, inst.az)),
            }
        }
        let Some(&(_, from)) = per_az
            .iter()
            .max_by_key(|(n, z)| (*n, std::cmp::Reverse(z.0)))
        else {
            return;
        };
        // Prefer an empty instance, then the newest.
        let victim = self.asgs[asg.index()]
            .instances
            .iter()
            .copied()
            .filter(|j| {
                let inst = &self.instances[j.index()];
                inst.in_service() && inst.az == from && *j != i
            })
            .min_by_key(|j| {
                (
                    !self.instance_tasks[j.index()].is_empty(),
                    std::cmp::Reverse(j.0),
                )
            });
        // Scale-in protection (managed termination protection) also holds against
        // rebalancing: an instance with tasks stays, and managed scaling removes the surplus
        // later once instances are empty.
        let protected = self.asgs[asg.index()].capacity_provider.is_some_and(|cp| {
            self.sc.capacity_providers[cp.index()].managed_termination_protection
        });
        let victim = victim.filter(|v| !protected || self.instance_tasks[v.index()].is_empty());
        if let Some(v) = victim {
            let drain = self.asgs[asg.index()]
                .capacity_provider
                .is_some_and(|cp| self.sc.capacity_providers[cp.index()].managed_draining);
            self.log(
                now,
                "instance",
                placement::instance_display_id(v),
                "Terminating the instance to rebalance the Auto Scaling group across zones"
                    .to_string(),
            );
            if drain {
                self.drain_instance(v, now);
            } else {
                self.terminate_instance(v, now);
            }
        }
    }

    /// The report's fault figures.
    pub(super) fn fault_summary(&self) -> Option<crate::report::FaultSummary> {
        if self.sc.faults.is_empty() {
            return None;
        }
        let f = &self.fault_stats;
        Some(crate::report::FaultSummary {
            instance_failures: f.instance_failures,
            az_outages: f.az_outages,
            spot_interruption_notices: f.spot_notices,
            spot_instances_reclaimed: f.spot_terminations,
            fargate_spot_interruptions: f.fargate_spot_interruptions,
            fargate_spot_shortages: f.fargate_spot_shortages,
            task_crashes: f.task_crashes,
            task_start_failures: f.start_failures,
            tasks_killed: f.tasks_killed,
            batch_task_reruns: f.batch_reruns,
            wasted_task_seconds: (f.wasted_task_seconds * 1000.0).round() / 1000.0,
            wasted_cost_usd: (f.wasted_usd * 1e6).round() / 1e6 + 0.0,
        })
    }

    /// Service `s`'s availability figures; `unserved` is its unserved requests in the
    /// measurement window, which starts at `mark` (`None`: time zero). Recoveries and their
    /// times cover the whole run: an episode may straddle the window's start.
    pub(super) fn availability(
        &self,
        s: usize,
        unserved: f64,
        mark: Option<&super::window::ServiceMark>,
    ) -> crate::report::AvailabilitySummary {
        let sf = &self.service_faults[s];
        let m = mark.cloned().unwrap_or_default();
        let unserved_due_to_faults = sf.unserved_due_to_faults - m.unserved_due_to_faults;
        let n = sf.recoveries.len();
        let secs: Vec<f64> = sf.recoveries.iter().map(|d| d.as_secs_f64()).collect();
        let round = |x: f64| (x * 10_000.0).round() / 10_000.0 + 0.0;
        crate::report::AvailabilitySummary {
            task_minutes_below_desired: sf.task_minutes_below - m.task_minutes_below,
            tasks_lost_to_faults: sf.tasks_lost - m.tasks_lost,
            recoveries: n as u64,
            time_to_recover_mean_s: if n == 0 {
                0.0
            } else {
                round(secs.iter().sum::<f64>() / n as f64)
            },
            time_to_recover_max_s: round(secs.iter().copied().fold(0.0, f64::max)),
            unrecovered_at_end: sf.since.is_some(),
            unserved_due_to_faults: round(unserved_due_to_faults),
            unserved_due_to_scaling: round((unserved - unserved_due_to_faults).max(0.0)),
        }
    }

    /// Availability bookkeeping each minute: recoveries, and whose fault the unserved
    /// requests of the minute were.
    pub(super) fn fault_minute(&mut self, now: SimTime) {
        for s in 0..self.services.len() {
            let st = &self.services[s];
            let sf = &mut self.service_faults[s];
            if now > SimTime::ZERO {
                sf.task_minutes_below += u64::from(st.desired.saturating_sub(st.running));
            }
            if let Some(since) = sf.since {
                if st.running >= st.desired {
                    sf.recoveries.push(now.saturating_since(since));
                    sf.since = None;
                    sf.last_recovery = Some(now);
                }
            }
        }
    }
}
