//! How the model carries out service deployments: rolling updates within
//! `minimumHealthyPercent`/`maximumPercent`, the circuit breaker and its rollback, ECS's own
//! blue/green (`BLUE_GREEN`) and CodeDeploy's (`CODE_DEPLOY`), and what each deployment cost.
//!
//! The arithmetic (how many to start and stop, the threshold, the traffic timetable) comes
//! from the pure rules in `scheduler::deployment`; this file applies them and keeps the
//! counts they read, incrementally: each service keeps how many live, RUNNING and healthy
//! tasks its current deployment has (a task carries the generation that started it), so a
//! step never scans the cluster, and only the deploying service's own old tasks are walked
//! when some must stop.
//!
//! Modelling choices (README "Deployments" says them to users):
//! - A new task is healthy `settings.deploymentHealthyAfter` (40 s) after RUNNING, or after
//!   `healthCheckGracePeriodSeconds` when the service has a load balancer; old tasks RUNNING
//!   at the start count healthy.
//! - The circuit breaker counts new tasks that fail before RUNNING (stage 1); health-check
//!   failures after RUNNING (stage 2) are not modelled.
//! - Traffic during blue/green: the load model spreads requests over every RUNNING task of
//!   the service, blue and green. The service-average CPU and memory AWS publishes, and the
//!   served rate, are then what any split by weight gives while no task is saturated (the
//!   load model is linear below saturation), so the CodeDeploy weights are logged but do not
//!   change the load.
//! - Service auto scaling does not scale in while a deployment is in progress (see
//!   `policies::evaluate_services`).

use super::{Event, Simulation};
use crate::engine::{SimDuration, SimTime};
use crate::ids::{AsgId, Owner, ServiceId, TaskDefId, TaskId};
use crate::report::DeploymentSummary;
use crate::scenario::{CapacityProviderKind, DeploymentWhen, LaunchTarget};
use crate::scheduler::deployment::{self as rules, DeploymentKind, RollingCounts};
use crate::scheduler::task::{StopCode, TaskStatus};

/// The stream of a task definition's start failures (`ecsim.startFailureProbability`), keyed
/// by the task, so turning it on shifts no other draw.
const STREAM_START_FAILURE: u64 = crate::engine::rng::stream_hash("deployment.start-failure");

/// Where a blue/green deployment is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Starting the green set.
    Provisioning,
    /// Green is ready; the `.0`-th traffic shift is next (the last one is 100 %), then the
    /// bake or termination wait.
    Shifting(u32),
    /// The blue set is being stopped.
    Draining,
}

/// One deployment, for the report and while in progress.
pub(super) struct DeploymentRun {
    id: String,
    service: ServiceId,
    kind: DeploymentKind,
    from_td: TaskDefId,
    to_td: TaskDefId,
    rollback: bool,
    started_at: SimTime,
    ended_at: Option<SimTime>,
    outcome: &'static str,
    tasks_started: u32,
    failed_tasks: u32,
    threshold: Option<u32>,
    extra_task_ms: u64,
    phase: Phase,
    /// Auto Scaling groups the service's tasks can run on.
    asgs: Vec<AsgId>,
    baseline_instances: u32,
    extra_instance_minutes: u64,
    extra_instance_usd: f64,
    /// Still counting extra instances (until the count is back at the baseline).
    instances_open: bool,
}

/// A service's deployment state.
pub(super) struct ServiceDeploy {
    /// The task definition new tasks use (the PRIMARY deployment's).
    td: TaskDefId,
    /// The task definition of the last deployment that completed: the rollback target.
    last_completed_td: TaskDefId,
    /// Generation of the PRIMARY deployment; tasks with a lower one are old.
    generation: u32,
    /// The deployment in progress (index into `Simulation::deployments`).
    active: Option<usize>,
    /// Live (PROVISIONING, PENDING, RUNNING, not replaced) tasks of the current generation.
    new_live: u32,
    /// Of those, RUNNING.
    new_running: u32,
    /// Of those, healthy.
    new_healthy: u32,
    /// The old tasks still to stop, taken from the end; not-RUNNING ones last in, first out.
    old_queue: Vec<TaskId>,
    /// A FAILED deployment without rollback launches no new task until the next one.
    blocked: bool,
    /// A stall was logged for the active deployment.
    stalled: bool,
    /// Tasks above desired at `acc_at`, for the extra task-hours.
    acc_excess: u32,
    acc_at: SimTime,
    /// How many deployments this service started (for the id).
    started: u32,
    /// New tasks started since the last "has started" event.
    just_started: Vec<TaskId>,
}

impl ServiceDeploy {
    pub(super) fn new(td: TaskDefId) -> ServiceDeploy {
        ServiceDeploy {
            td,
            last_completed_td: td,
            generation: 0,
            active: None,
            new_live: 0,
            new_running: 0,
            new_healthy: 0,
            old_queue: Vec::new(),
            blocked: false,
            stalled: false,
            acc_excess: 0,
            acc_at: SimTime::ZERO,
            started: 0,
            just_started: Vec::new(),
        }
    }
}

impl<'s> Simulation<'s> {
    /// The task definition new tasks of service `s` use.
    pub(super) fn service_td(&self, s: ServiceId) -> TaskDefId {
        self.service_deploys[s.index()].td
    }

    /// The generation a new task of `owner` belongs to.
    pub(super) fn generation_of(&self, owner: Owner) -> u32 {
        match owner {
            Owner::Service(s) => self.service_deploys[s.index()].generation,
            Owner::Workload(_) => 0,
        }
    }

    /// True while service `s` has a deployment in progress (service auto scaling does not
    /// scale in then).
    pub(super) fn deploying(&self, s: ServiceId) -> bool {
        self.service_deploys[s.index()].active.is_some()
    }

    /// True when service `s` must launch nothing (a FAILED deployment without rollback).
    pub(super) fn deployment_blocked(&self, s: ServiceId) -> bool {
        self.service_deploys[s.index()].blocked
    }

    /// Time zero: the first firing of every planned deployment.
    pub(super) fn start_deployments(&mut self) {
        for s in 0..self.sc.services.len() {
            for i in 0..self.sc.services[s].deployment_schedule.len() {
                self.schedule_planned(ServiceId::from_index(s), i as u32, None);
            }
        }
    }

    /// Schedules plan `i` of service `s` at its next firing after `after` (the start when
    /// `None`).
    fn schedule_planned(&mut self, s: ServiceId, i: u32, after: Option<SimTime>) {
        let plan = &self.sc.services[s.index()].deployment_schedule[i as usize];
        let at = match &plan.when {
            DeploymentWhen::At(d) => match after {
                None => Some(SimTime::ZERO + *d),
                Some(_) => None,
            },
            DeploymentWhen::Schedule(sch) => {
                let epoch = self.sc.settings.start_time_unix_s;
                let after_s = epoch + after.map_or(0, |t| t.as_secs() as i64);
                sch.next_after(after_s, epoch)
                    .filter(|&t| t >= epoch)
                    .map(|t| SimTime::ZERO + SimDuration::from_secs((t - epoch) as u64))
            }
        };
        if let Some(at) = at.filter(|&t| t <= self.end) {
            self.queue.schedule_at(at, Event::DeploymentStart(s, i));
        }
    }

    /// A planned deployment of service `s` is due.
    pub(super) fn planned_deployment(&mut self, s: ServiceId, i: u32, now: SimTime) {
        let plan = &self.sc.services[s.index()].deployment_schedule[i as usize];
        let td = plan
            .task_definition
            .unwrap_or(self.service_deploys[s.index()].td);
        self.begin_deployment(s, td, false, now);
        self.schedule_planned(s, i, Some(now));
    }

    /// Starts a deployment of `td` on service `s`: every live task becomes old.
    fn begin_deployment(&mut self, s: ServiceId, td: TaskDefId, rollback: bool, now: SimTime) {
        // A rebalancing in progress stops first, so the deployment starts from the desired count.
        self.rebalance_interrupted(s, now);
        self.deploy_accrue(s, now);
        if let Some(prev) = self.service_deploys[s.index()].active {
            // A newer deployment replaces one in progress; its tasks become old too.
            self.end_run(prev, now, "SUPERSEDED");
        }
        let spec = &self.sc.services[s.index()];
        let name = spec.name.clone();
        let n = self.service_deploys[s.index()].started;
        let id = format!(
            "ecs-svc/{:019}",
            crate::engine::rng::stream_hash(&format!("{name}/{n}")) % 10_000_000_000_000_000_000
        );
        let kind = if rollback {
            // A rollback is a rolling update back to the last completed task definition.
            DeploymentKind::Rolling
        } else {
            spec.deployment.kind
        };
        let threshold = (spec.deployment.circuit_breaker.is_some() && !kind.is_blue_green())
            .then(|| rules::circuit_breaker_threshold(self.services[s.index()].desired));
        let asgs: Vec<AsgId> = match &spec.launch {
            // Launch type EC2 reaches every group but the external ones, EXTERNAL only those.
            LaunchTarget::Ec2 | LaunchTarget::External => {
                let external = spec.launch == LaunchTarget::External;
                (0..self.asgs.len())
                    .filter(|&a| self.sc.auto_scaling_groups[a].external.is_some() == external)
                    .map(AsgId::from_index)
                    .collect()
            }
            LaunchTarget::Fargate => Vec::new(),
            LaunchTarget::Strategy(items) => items
                .iter()
                .filter_map(|it| {
                    match self.sc.capacity_providers[it.capacity_provider.index()].kind {
                        CapacityProviderKind::AutoScalingGroup(a) => Some(a),
                        _ => None,
                    }
                })
                .collect(),
        };
        let baseline_instances = asgs.iter().map(|a| self.asgs[a.index()].in_service).sum();
        let idx = self.deployments.len();
        if !asgs.is_empty() {
            self.instance_counting.push(idx);
        }
        self.deployments.push(DeploymentRun {
            id: id.clone(),
            service: s,
            kind,
            from_td: self.service_deploys[s.index()].td,
            to_td: td,
            rollback,
            started_at: now,
            ended_at: None,
            outcome: "IN_PROGRESS",
            tasks_started: 0,
            failed_tasks: 0,
            threshold,
            extra_task_ms: 0,
            phase: Phase::Provisioning,
            instances_open: !asgs.is_empty(),
            asgs,
            baseline_instances,
            extra_instance_minutes: 0,
            extra_instance_usd: 0.0,
        });
        // Old tasks to stop: RUNNING ones first in line, those not running yet (free to stop)
        // taken first (from the end).
        let mut old: Vec<TaskId> = self.services[s.index()].tasks.clone();
        old.sort_by_key(|t| {
            let task = &self.tasks[t.index()];
            (task.status != TaskStatus::Running, task.seq)
        });
        let sd = &mut self.service_deploys[s.index()];
        sd.started += 1;
        sd.generation += 1;
        sd.td = td;
        sd.active = Some(idx);
        sd.new_live = 0;
        sd.new_running = 0;
        sd.new_healthy = 0;
        sd.old_queue = old;
        sd.blocked = false;
        sd.stalled = false;
        for &t in &self.services[s.index()].tasks {
            let task = &mut self.tasks[t.index()];
            task.deploy_running = false;
            task.healthy = false;
        }
        // A new deployment resets the start back-off (ecs-reference §5.2).
        self.service_faults[s.index()].retry_at = now;
        self.service_faults[s.index()].start_failures = 0;
        let family = self.sc.task_definitions[td.index()].family.clone();
        let message = if rollback {
            format!("(service {name}) rolling back to task definition {family}: (deployment {id}) started.")
        } else {
            format!(
                "(service {name}) (deployment {id}) started: {} deployment of task definition {family}.",
                kind.name()
            )
        };
        self.log(now, "deployment", name, message);
        self.services[s.index()].steady = false;
        self.request_reconcile();
    }

    /// Ends deployment `idx` with `outcome` (its extra task-hours stop counting now).
    fn end_run(&mut self, idx: usize, now: SimTime, outcome: &'static str) {
        let s = self.deployments[idx].service;
        self.deploy_accrue(s, now);
        let run = &mut self.deployments[idx];
        run.ended_at = Some(now);
        run.outcome = outcome;
        if self.service_deploys[s.index()].active == Some(idx) {
            self.service_deploys[s.index()].active = None;
        }
    }

    /// A task of service `s` starts counting toward its desired count.
    pub(super) fn deploy_task_added(&mut self, s: ServiceId, t: TaskId) {
        let sd = &mut self.service_deploys[s.index()];
        if self.tasks[t.index()].generation == sd.generation {
            sd.new_live += 1;
            if let Some(d) = sd.active {
                self.deployments[d].tasks_started += 1;
                sd.just_started.push(t);
            }
        }
    }

    /// A task of service `s` stops counting toward its desired count.
    pub(super) fn deploy_task_retired(&mut self, s: ServiceId, t: TaskId) {
        let sd = &mut self.service_deploys[s.index()];
        let task = &mut self.tasks[t.index()];
        if task.generation == sd.generation {
            sd.new_live -= 1;
            if task.deploy_running {
                sd.new_running -= 1;
            }
            if task.healthy {
                sd.new_healthy -= 1;
            }
        }
        task.deploy_running = false;
        task.healthy = false;
    }

    /// Task `t` of service `s` is RUNNING: a new one starts its health grace.
    pub(super) fn deploy_task_running(&mut self, s: ServiceId, t: TaskId, now: SimTime) {
        let sd = &mut self.service_deploys[s.index()];
        let task = &mut self.tasks[t.index()];
        if task.generation != sd.generation || task.replaced {
            return;
        }
        task.deploy_running = true;
        sd.new_running += 1;
        if sd.active.is_none() {
            return;
        }
        let grace = self.sc.services[s.index()]
            .deployment
            .health_check_grace_period
            .unwrap_or(self.sc.settings.deployment_healthy_after);
        self.queue
            .schedule_at(now + grace, Event::DeploymentTaskHealthy(t));
    }

    /// Task `t`'s health grace ended.
    pub(super) fn deploy_task_healthy(&mut self, t: TaskId, now: SimTime) {
        let task = &self.tasks[t.index()];
        let Owner::Service(s) = task.owner else {
            return;
        };
        if !task.deploy_running || task.healthy {
            return;
        }
        self.tasks[t.index()].healthy = true;
        self.service_deploys[s.index()].new_healthy += 1;
        self.deployment_step(s, now);
    }

    /// True when task `t` fails to start because its task definition says so
    /// (`ecsim.startFailureProbability`); the task is then stopping.
    pub(super) fn task_definition_start_fails(
        &mut self,
        t: TaskId,
        now: SimTime,
        warm: bool,
    ) -> bool {
        let Owner::Service(s) = self.tasks[t.index()].owner else {
            return false;
        };
        if warm {
            return false;
        }
        let td = if self.tasks[t.index()].generation == self.service_deploys[s.index()].generation {
            self.service_deploys[s.index()].td
        } else {
            // An old task: its definition is the one before the current deployment.
            match self.service_deploys[s.index()].active {
                Some(d) => self.deployments[d].from_td,
                None => self.service_deploys[s.index()].td,
            }
        };
        let p = self.sc.task_definitions[td.index()].start_failure_probability;
        if p <= 0.0 {
            return false;
        }
        let mut rng = self.task_rng(STREAM_START_FAILURE, t);
        if rand::Rng::gen::<f64>(&mut rng) >= p {
            return false;
        }
        self.begin_stop(t, now, StopCode::CannotStart);
        // The service scheduler backs off as after any failed start (ecs-reference §5.2).
        self.start_failed_at_once(s, now);
        true
    }

    /// Task `t` failed before RUNNING: the circuit breaker counts it.
    pub(super) fn deploy_start_failed(&mut self, t: TaskId, now: SimTime) {
        let task = &self.tasks[t.index()];
        let Owner::Service(s) = task.owner else {
            return;
        };
        let sd = &self.service_deploys[s.index()];
        if task.generation != sd.generation {
            return;
        }
        let Some(d) = sd.active else {
            return;
        };
        self.deployments[d].failed_tasks += 1;
        let Some(threshold) = self.deployments[d].threshold else {
            return;
        };
        if self.deployments[d].failed_tasks < threshold {
            return;
        }
        // [API] ServiceDeploymentCircuitBreaker: the deployment moves to FAILED and launches no
        // new task; with rollback, the service goes back to the last completed deployment.
        let rollback = self.sc.services[s.index()]
            .deployment
            .circuit_breaker
            .is_some_and(|c| c.rollback);
        let name = self.sc.services[s.index()].name.clone();
        let id = self.deployments[d].id.clone();
        self.log(
            now,
            "deployment",
            name.clone(),
            format!("(service {name}) (deployment {id}) deployment failed: tasks failed to start ({threshold} failed, threshold {threshold})."),
        );
        let back_to = self.service_deploys[s.index()].last_completed_td;
        if rollback {
            self.end_run(d, now, "ROLLED_BACK");
            self.begin_deployment(s, back_to, true, now);
        } else {
            self.end_run(d, now, "FAILED");
            self.service_deploys[s.index()].blocked = true;
        }
    }

    /// The service scheduler's look at service `s`'s deployment: start and stop what the
    /// rules allow, and end the deployment when it is done.
    pub(super) fn deployment_step(&mut self, s: ServiceId, now: SimTime) {
        self.deployment_step_inner(s, now);
        self.log_started_tasks(s, now);
    }

    fn deployment_step_inner(&mut self, s: ServiceId, now: SimTime) {
        let Some(d) = self.service_deploys[s.index()].active else {
            return;
        };
        let st = &self.services[s.index()];
        let sd = &self.service_deploys[s.index()];
        let old_live = st.live - sd.new_live;
        // Old RUNNING tasks: the service's RUNNING tasks that count toward desired, minus
        // the new ones. Replaced tasks (on a DRAINING instance) are RUNNING but not live.
        let old_running = self.old_running(s);
        let counts = RollingCounts {
            desired: st.desired,
            old_live,
            old_running,
            new_live: sd.new_live,
            new_healthy: sd.new_healthy,
        };
        let kind = self.deployments[d].kind;
        if !kind.is_blue_green() {
            if rules::rolling_done(counts) {
                self.complete(s, d, now);
                return;
            }
            let cfg = self.sc.services[s.index()].deployment;
            let step =
                rules::rolling_step(counts, cfg.minimum_healthy_percent, cfg.maximum_percent);
            if step.is_idle() && sd.new_live == sd.new_healthy && !sd.stalled {
                // [DOC] "Deploy Amazon ECS services by replacing tasks": with these percents
                // the scheduler can neither start a new task nor stop an old one.
                self.service_deploys[s.index()].stalled = true;
                self.deployments[d].outcome = "STALLED";
                let name = self.sc.services[s.index()].name.clone();
                let id = self.deployments[d].id.clone();
                self.log(now, "deployment", name.clone(), format!("(service {name}) (deployment {id}) cannot make progress: minimumHealthyPercent {}% of {} leaves no task to stop and maximumPercent {}% leaves no room to start one.", cfg.minimum_healthy_percent, st.desired, cfg.maximum_percent));
                return;
            }
            self.stop_old(s, step.stop_not_running, step.stop_running, now);
            self.start_new(s, step.start, now);
        } else {
            match self.deployments[d].phase {
                Phase::Provisioning => {
                    let want = counts.desired.saturating_sub(counts.new_live);
                    self.start_new(s, want, now);
                    if counts.new_healthy >= counts.desired {
                        self.deployments[d].phase = Phase::Shifting(0);
                        // The green set is ready: the traffic timetable starts now.
                        let (steps, _) = kind.blue_green_plan();
                        for (at, _) in steps {
                            self.queue
                                .schedule_at(now + at, Event::DeploymentTimer(s, d as u32));
                        }
                    }
                }
                Phase::Shifting(_) => {
                    // Green scales with the desired count while traffic moves.
                    let want = counts.desired.saturating_sub(counts.new_live);
                    self.start_new(s, want, now);
                }
                Phase::Draining => {
                    let n = self.service_deploys[s.index()].old_queue.len() as u32;
                    self.stop_old(s, n, n, now);
                    let old_live =
                        self.services[s.index()].live - self.service_deploys[s.index()].new_live;
                    if old_live == 0 {
                        self.complete(s, d, now);
                    }
                }
            }
        }
    }

    /// A blue/green timer of deployment `d` of service `s` fired: the next traffic shift, or
    /// the end of the bake (termination wait).
    pub(super) fn deployment_timer(&mut self, s: ServiceId, d: u32, now: SimTime) {
        let d = d as usize;
        if self.service_deploys[s.index()].active != Some(d) {
            return;
        }
        let Phase::Shifting(k) = self.deployments[d].phase else {
            return;
        };
        let kind = self.deployments[d].kind;
        let (steps, wait) = kind.blue_green_plan();
        let name = self.sc.services[s.index()].name.clone();
        let id = self.deployments[d].id.clone();
        if let Some(&(_, pct)) = steps.get(k as usize) {
            self.deployments[d].phase = Phase::Shifting(k + 1);
            self.log(now, "deployment", name.clone(), format!("(service {name}) (deployment {id}) shifted {pct}% of production traffic to the green task set."));
            if pct >= 100 {
                // Both sets run for the bake time (termination wait) before blue goes.
                self.queue
                    .schedule_at(now + wait, Event::DeploymentTimer(s, d as u32));
            }
        } else {
            self.deployments[d].phase = Phase::Draining;
            self.log(now, "deployment", name.clone(), format!("(service {name}) (deployment {id}) wait of {wait} ended: stopping the blue task set."));
            self.deployment_step(s, now);
        }
    }

    fn old_running(&self, s: ServiceId) -> u32 {
        // Old RUNNING live tasks = RUNNING live tasks − new RUNNING ones; RUNNING tasks
        // replaced on a DRAINING instance are RUNNING but not live.
        let st = &self.services[s.index()];
        let replaced_running = st
            .replacing
            .iter()
            .filter(|&&t| {
                self.tasks.is_current(t) && self.tasks[t.index()].status == TaskStatus::Running
            })
            .count() as u32;
        st.running
            .saturating_sub(replaced_running)
            .saturating_sub(self.service_deploys[s.index()].new_running)
    }

    /// Launches up to `n` new tasks of service `s`.
    fn start_new(&mut self, s: ServiceId, n: u32, now: SimTime) {
        for _ in 0..n {
            if self.throttled(s, now) || !self.launch_service_task(s, now) {
                break;
            }
        }
    }

    /// Logs the tasks service `s` started since the last call, in ECS's words:
    /// "(service web) has started 2 tasks: (task 12) (task 13)."
    pub(super) fn log_started_tasks(&mut self, s: ServiceId, now: SimTime) {
        let started = std::mem::take(&mut self.service_deploys[s.index()].just_started);
        if started.is_empty() {
            return;
        }
        if self.event_log_full() {
            // Counted as dropped without building a message nobody will read.
            self.events_dropped += 1;
            return;
        }
        let name = self.sc.services[s.index()].name.clone();
        let list: Vec<String> = started.iter().map(|t| format!("(task {})", t.0)).collect();
        let n = started.len();
        let noun = if n == 1 { "task" } else { "tasks" };
        self.log(
            now,
            "deployment",
            name.clone(),
            format!(
                "(service {name}) has started {n} {noun}: {}.",
                list.join(" ")
            ),
        );
    }

    /// Stops up to `not_running` old tasks not RUNNING yet and `running` old RUNNING ones.
    fn stop_old(&mut self, s: ServiceId, mut not_running: u32, mut running: u32, now: SimTime) {
        let mut stopped = Vec::new();
        let mut keep = Vec::new();
        while not_running > 0 || running > 0 {
            let Some(t) = self.service_deploys[s.index()].old_queue.pop() else {
                break;
            };
            // A task gone since the deployment began (its slot may hold another one now).
            if !self.tasks.is_current(t) {
                continue;
            }
            let task = &self.tasks[t.index()];
            let live = !task.replaced
                && matches!(
                    task.status,
                    TaskStatus::Provisioning | TaskStatus::Pending | TaskStatus::Running
                );
            if !live {
                continue;
            }
            match task.status {
                TaskStatus::Running if running > 0 => {
                    running -= 1;
                    stopped.push(t);
                    self.begin_stop(t, now, StopCode::ServiceScaleIn);
                }
                TaskStatus::Running => keep.push(t),
                TaskStatus::Provisioning if not_running > 0 => {
                    not_running -= 1;
                    self.fail_unplaced(t, now, StopCode::ServiceScaleIn);
                }
                _ if not_running > 0 => {
                    not_running -= 1;
                    self.begin_stop(t, now, StopCode::ServiceScaleIn);
                }
                _ => keep.push(t),
            }
        }
        let q = &mut self.service_deploys[s.index()].old_queue;
        q.extend(keep.into_iter().rev());
        if !stopped.is_empty() && self.event_log_full() {
            self.events_dropped += 1;
        } else if !stopped.is_empty() {
            let name = self.sc.services[s.index()].name.clone();
            let list: Vec<String> = stopped.iter().map(|t| format!("(task {})", t.0)).collect();
            let n = stopped.len();
            let noun = if n == 1 { "task" } else { "tasks" };
            self.log(
                now,
                "deployment",
                name.clone(),
                format!(
                    "(service {name}) has stopped {n} running {noun}: {}.",
                    list.join(" ")
                ),
            );
        }
    }

    fn event_log_full(&self) -> bool {
        self.report_events.len() >= self.sc.settings.event_log_limit as usize
    }

    fn complete(&mut self, s: ServiceId, d: usize, now: SimTime) {
        let td = self.deployments[d].to_td;
        self.end_run(d, now, "COMPLETED");
        self.service_deploys[s.index()].last_completed_td = td;
        let name = self.sc.services[s.index()].name.clone();
        let id = self.deployments[d].id.clone();
        self.log(
            now,
            "deployment",
            name.clone(),
            format!("(service {name}) (deployment {id}) deployment completed."),
        );
        let st = &mut self.services[s.index()];
        if st.running == st.desired && !st.steady {
            st.steady = true;
            self.log(
                now,
                "service",
                name.clone(),
                format!("(service {name}) has reached a steady state."),
            );
        }
    }

    /// Counts the extra task time of service `s` up to `now` and takes the new excess.
    /// Called whenever its RUNNING or desired count changes.
    pub(super) fn deploy_accrue(&mut self, s: ServiceId, now: SimTime) {
        let st = &self.services[s.index()];
        let excess = st.running.saturating_sub(st.desired);
        let sd = &mut self.service_deploys[s.index()];
        if let Some(d) = sd.active {
            let ms = now.saturating_since(sd.acc_at).as_millis();
            self.deployments[d].extra_task_ms += u64::from(sd.acc_excess) * ms;
        }
        sd.acc_excess = excess;
        sd.acc_at = now;
    }

    /// The minute tick: extra instances of every deployment still counting them. Costs
    /// O(open deployments × their groups), never the cluster's size nor the number of
    /// deployments already closed.
    pub(super) fn deployment_minute(&mut self) {
        let mut open = std::mem::take(&mut self.instance_counting);
        for &d in &open {
            let run = &self.deployments[d];
            let mut extra_usd = 0.0;
            let mut now_count = 0u32;
            for a in &run.asgs {
                let g = &self.asgs[a.index()];
                now_count += g.in_service;
            }
            let extra = now_count.saturating_sub(run.baseline_instances);
            if extra > 0 {
                // Priced at the group's first instance type (its price factor applied): a
                // mixed-type group's extra instances are assumed to be of that type.
                let a = run.asgs[0];
                let spec = &self.sc.auto_scaling_groups[a.index()];
                let price = spec
                    .instance_types
                    .first()
                    .map_or(0.0, |&t| spec.usd_per_hour(&self.sc.catalog, t));
                extra_usd = f64::from(extra) * price / 60.0;
            }
            let run = &mut self.deployments[d];
            run.extra_instance_minutes += u64::from(extra);
            run.extra_instance_usd += extra_usd;
            if run.ended_at.is_some() && extra == 0 {
                run.instances_open = false;
            }
        }
        open.retain(|&d| self.deployments[d].instances_open);
        self.instance_counting = open;
    }

    /// The `deployments` array of the summary (`None` when there were none).
    pub(super) fn deployment_summaries(&mut self) -> Option<Vec<DeploymentSummary>> {
        if self.deployments.is_empty() {
            return None;
        }
        let end = self.end;
        for s in 0..self.services.len() {
            self.deploy_accrue(ServiceId::from_index(s), end);
        }
        let round = |x: f64| (x * 1e6).round() / 1e6;
        Some(
            self.deployments
                .iter()
                .map(|r| {
                    let spec = &self.sc.services[r.service.index()];
                    let extra_task_hours = r.extra_task_ms as f64 / 3_600_000.0;
                    let task_cost =
                        self.fargate_usd_per_task_hour(r.service, r.to_td) * extra_task_hours;
                    let ended = r.ended_at.unwrap_or(end);
                    DeploymentSummary {
                        id: r.id.clone(),
                        service: spec.name.clone(),
                        kind: r.kind.name(),
                        task_definition: self.sc.task_definitions[r.to_td.index()].family.clone(),
                        from_task_definition: self.sc.task_definitions[r.from_td.index()]
                            .family
                            .clone(),
                        rollback: r.rollback,
                        started_s: r.started_at.as_secs_f64(),
                        ended_s: r.ended_at.map(|t| t.as_secs_f64()),
                        duration_s: ended.saturating_since(r.started_at).as_secs_f64(),
                        outcome: r.outcome,
                        tasks_started: r.tasks_started,
                        failed_tasks: r.failed_tasks,
                        circuit_breaker_threshold: r.threshold,
                        extra_task_hours: round(extra_task_hours),
                        extra_instance_hours: round(r.extra_instance_minutes as f64 / 60.0),
                        extra_task_cost_usd: round(task_cost),
                        extra_instance_cost_usd: round(r.extra_instance_usd),
                    }
                })
                .collect(),
        )
    }

    /// What one task of `td` costs per hour on Fargate when service `s` runs only on
    /// Fargate; 0 when it runs on EC2 (the instances carry the cost).
    pub(super) fn fargate_usd_per_task_hour(&self, s: ServiceId, td: TaskDefId) -> f64 {
        let spot = match &self.sc.services[s.index()].launch {
            LaunchTarget::Fargate => false,
            LaunchTarget::Ec2 | LaunchTarget::External => return 0.0,
            LaunchTarget::Strategy(items) => {
                let kinds: Vec<_> = items
                    .iter()
                    .map(|i| self.sc.capacity_providers[i.capacity_provider.index()].kind)
                    .collect();
                if kinds
                    .iter()
                    .any(|k| matches!(k, CapacityProviderKind::AutoScalingGroup(_)))
                {
                    return 0.0;
                }
                kinds
                    .iter()
                    .all(|k| matches!(k, CapacityProviderKind::FargateSpot))
            }
        };
        let def = &self.sc.task_definitions[td.index()];
        let Some(size) = crate::cloud::fargate::round_up(def.size) else {
            return 0.0;
        };
        let rate = self.sc.catalog.fargate.rate(def.arch, spot);
        let vcpu = f64::from(size.cpu.0) / 1024.0;
        let gb = f64::from(size.memory.0) / 1024.0;
        (vcpu * rate.usd_per_vcpu_second + gb * rate.usd_per_gb_second) * 3600.0
    }
}
