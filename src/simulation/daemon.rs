//! DAEMON services (`schedulingStrategy: DAEMON`): one task on every ACTIVE container
//! instance that meets the service's placement constraints.
//!
//! Source: Amazon ECS Developer Guide, "Amazon ECS service deployment controllers and
//! strategies", Daemon scheduling strategy,
//! <https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_service-options.html>:
//! "The daemon scheduling strategy deploys exactly one task on each active container instance
//! that meets all of the task placement constraints"; ECS reserves the daemons' resources on
//! every qualifying instance, starts them first when an instance registers and, when an
//! instance drains, stops them last, after every other task has stopped (ecs-reference §4.5,
//! §5.1).
//!
//! How the model keeps it cheap: a daemon task is never placed by a search. When an instance
//! registers, each daemon service is checked against that one instance (O(daemons)); when a
//! daemon task stops on an ACTIVE instance, or room frees there, only that instance's missing
//! daemons are tried again. A daemon service's desired count is the number of ACTIVE
//! instances that qualify, kept as instances register and leave. So no step of an event
//! walks the instances, and time zero over N instances is O(N × daemons) once.
//!
//! Daemon tasks live in their own per-instance list (`InstanceDaemons`), not in
//! `instance_tasks`: everything that asks "is this instance empty?" (managed termination
//! protection, the ASG's `non_empty` counter, managed scaling's M, draining) then ignores
//! them, as AWS does (ecs-reference §1.2, §1.7: an instance running only daemon tasks is
//! empty).

use super::Simulation;
use crate::cluster::InstanceStatus;
use crate::engine::SimTime;
use crate::ids::{InstanceId, Owner, ServiceId, TaskId};
use crate::scenario::StartMode;
use crate::scheduler::placement::{self, constraint};
use crate::scheduler::task::{StopCode, Target, TaskStatus};
use crate::units::Resources;

/// The daemon tasks bound to one instance.
#[derive(Clone, Debug, Default)]
pub(super) struct InstanceDaemons {
    /// Daemon tasks PENDING, RUNNING or STOPPING on the instance.
    pub(super) tasks: Vec<TaskId>,
    /// Daemon services this instance qualifies for (set when it registers).
    pub(super) eligible: u16,
    /// It counted toward the daemons' desired counts (ACTIVE and registered).
    pub(super) counted: bool,
}

impl<'s> Simulation<'s> {
    /// True when `owner` is a DAEMON service.
    #[inline]
    pub(super) fn is_daemon(&self, owner: Owner) -> bool {
        matches!(owner, Owner::Service(s) if self.sc.services[s.index()].daemon)
    }

    /// True when daemon service `s` may run on instance `i`: its architecture, operating
    /// system and `memberOf` constraints (the task definition's included).
    fn daemon_qualifies(&self, s: ServiceId, i: InstanceId) -> bool {
        let spec = &self.sc.services[s.index()];
        let td = &self.sc.task_definitions[spec.task_definition.index()];
        // DAEMON services run with launch type EC2 here: never on an external instance.
        !self.instances[i.index()].external
            && constraint::check(
                &self.instances[i.index()],
                Some(td.arch),
                td.os_family,
                Owner::Service(s),
                &spec.placement_constraints,
            )
            .is_ok()
    }

    /// What every qualifying daemon reserves on a new instance of `asg`, for managed
    /// scaling's M: the most over the group's AZs, on its first instance type (the one it
    /// launches).
    pub(super) fn daemon_reserve_of(&self, asg: crate::ids::AsgId) -> Resources {
        if self.daemons.is_empty() {
            return Resources::default();
        }
        let spec = &self.sc.auto_scaling_groups[asg.index()];
        let Some(&ty) = spec.instance_types.first() else {
            return Resources::default();
        };
        let registered = self.sc.catalog.registered_resources_on(
            ty,
            self.sc.settings.memory_overhead,
            self.sc.settings.awsvpc_trunking,
            spec.os,
        );
        let arch = self.sc.catalog.get(ty).arch;
        let mut most = Resources::default();
        for &az in &spec.availability_zones {
            let mut probe = crate::cluster::ContainerInstance::launched(
                InstanceId::from_index(0),
                asg,
                ty,
                az,
                arch,
                registered,
                SimTime::ZERO,
            );
            probe.capacity_provider = spec.capacity_provider;
            probe.os = spec.os;
            let mut sum = Resources::default();
            for &s in &self.daemons {
                let sp = &self.sc.services[s.index()];
                let td = &self.sc.task_definitions[sp.task_definition.index()];
                if constraint::check(
                    &probe,
                    Some(td.arch),
                    td.os_family,
                    Owner::Service(s),
                    &sp.placement_constraints,
                )
                .is_ok()
                {
                    sum = sum + td.size;
                }
            }
            if (sum.cpu, sum.memory) > (most.cpu, most.memory) {
                most = sum;
            }
        }
        most
    }

    /// Daemon tasks bound to instance `i` (none when the scenario has no daemon).
    pub(super) fn daemon_tasks_on(&self, i: InstanceId) -> &[TaskId] {
        self.instance_daemons
            .get(i.index())
            .map_or(&[], |d| d.tasks.as_slice())
    }

    /// Instance `i` registered (ACTIVE): each qualifying daemon service counts it and places
    /// its task there, before any replica task can take the room.
    pub(super) fn daemons_on_registration(&mut self, i: InstanceId, now: SimTime) {
        if self.daemons.is_empty() {
            return;
        }
        let mut eligible = 0u16;
        for k in 0..self.daemons.len() {
            let s = self.daemons[k];
            if self.daemon_qualifies(s, i) {
                eligible += 1;
                self.services[s.index()].desired += 1;
                self.daemon_desired_changed(s, now);
                self.place_daemon(s, i, now);
            }
        }
        let d = &mut self.instance_daemons[i.index()];
        d.eligible = eligible;
        d.counted = true;
    }

    /// Instance `i` stops being ACTIVE (draining, terminated): the daemon services it
    /// qualified for no longer count it.
    pub(super) fn daemons_instance_left(&mut self, i: InstanceId, now: SimTime) {
        let Some(d) = self.instance_daemons.get_mut(i.index()) else {
            return;
        };
        if !d.counted {
            return;
        }
        d.counted = false;
        for k in 0..self.daemons.len() {
            let s = self.daemons[k];
            if self.daemon_qualifies(s, i) {
                self.services[s.index()].desired -= 1;
                self.daemon_desired_changed(s, now);
            }
        }
    }

    /// Keeps the summary's desired range of daemon service `s` (the instances it ran on): at
    /// time zero the range starts at the count the registered instances give.
    fn daemon_desired_changed(&mut self, s: ServiceId, now: SimTime) {
        let d = self.services[s.index()].desired;
        let sc = &mut self.service_scaling[s.index()];
        if now == SimTime::ZERO {
            sc.desired_min = d;
            sc.desired_max = d;
        } else {
            sc.desired_min = sc.desired_min.min(d);
            sc.desired_max = sc.desired_max.max(d);
        }
    }

    /// Room freed on instance `i`, or one of its daemon tasks stopped: an ACTIVE instance
    /// missing a daemon gets it now, before the placement pass offers the room to waiting
    /// replica and standalone tasks.
    pub(super) fn daemons_room_freed(&mut self, i: InstanceId, now: SimTime) {
        let Some(d) = self.instance_daemons.get(i.index()) else {
            return;
        };
        if d.tasks.len() >= usize::from(d.eligible)
            || self.instances[i.index()].status != InstanceStatus::Active
        {
            return;
        }
        for k in 0..self.daemons.len() {
            let s = self.daemons[k];
            let has = self.instance_daemons[i.index()].tasks.iter().any(|&t| {
                self.tasks[t.index()].owner == Owner::Service(s)
                    && self.tasks[t.index()].status != TaskStatus::Stopping
            });
            if !has && self.daemon_qualifies(s, i) {
                self.place_daemon(s, i, now);
            }
        }
    }

    /// Starts daemon service `s`'s task on instance `i` if it fits; at time zero of a warm
    /// start it is RUNNING at once, like the services' warm tasks.
    fn place_daemon(&mut self, s: ServiceId, i: InstanceId, now: SimTime) {
        let need =
            self.sc.task_definitions[self.sc.services[s.index()].task_definition.index()].size;
        if !self.instances[i.index()].free().fits(need) {
            let name = self.sc.services[s.index()].name.clone();
            let id = placement::instance_display_id(i);
            self.maybe_log_unable(
                s,
                now,
                format!("(service {name}) was unable to place a task on container instance {id} because it does not have enough CPU or memory left for the daemon task."),
            );
            return;
        }
        let t = self.new_task(Owner::Service(s), need, Target::Ec2Cluster, now, None);
        self.services[s.index()].live += 1;
        self.add_service_task(s, t);
        if now == SimTime::ZERO
            && self.sc.settings.start == StartMode::Warm
            && self.queue.delivered_count() == 0
        {
            self.reserve_on(t, i, now);
            self.task_became_running(t, now, true);
        } else {
            self.bind(t, i, now);
        }
    }

    /// Instance `i` is DRAINING and its other tasks are gone: its daemon tasks stop now,
    /// last. True when some daemon task is still there (the instance waits for it).
    pub(super) fn stop_daemons_last(&mut self, i: InstanceId, now: SimTime) -> bool {
        let tasks: Vec<TaskId> = self.daemon_tasks_on(i).to_vec();
        for &t in &tasks {
            self.begin_stop(t, now, StopCode::InstanceDraining);
        }
        !tasks.is_empty()
    }

    /// Removes task `t` from instance `i`'s daemon list (it stopped).
    pub(super) fn unbind_daemon(&mut self, t: TaskId, i: InstanceId) {
        if let Some(d) = self.instance_daemons.get_mut(i.index()) {
            if let Some(pos) = d.tasks.iter().position(|&x| x == t) {
                d.tasks.swap_remove(pos);
            }
        }
    }

    /// Takes instance `i`'s daemon tasks (it is being terminated).
    pub(super) fn take_daemon_tasks(&mut self, i: InstanceId) -> Vec<TaskId> {
        self.instance_daemons
            .get_mut(i.index())
            .map(|d| std::mem::take(&mut d.tasks))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::Simulation;
    use crate::cluster::InstanceStatus;
    use crate::engine::{SimDuration, SimTime};
    use crate::ids::{InstanceId, Owner};
    use crate::scheduler::task::{StopCode, TaskStatus};

    /// \[DOC\] ecs-reference §4.5 (ECS Developer Guide, "Amazon ECS services"): when an
    /// instance drains, its daemon task is stopped last. Two m6i.large in one zone, a web
    /// service of 2 tasks (one per instance, the default spread) and a daemon on each. Instance
    /// 0 drains at one minute: its web task waits for its replacement on instance 1, then
    /// stops; only then does the daemon task stop, and the instance terminates after it.
    #[test]
    fn daemon_tasks_stop_last_when_an_instance_drains() {
        let text = r#"{
            "name": "drain", "seed": 1, "duration": "1h",
            "cluster": { "clusterName": "drain", "availabilityZones": ["us-east-1a"] },
            "autoScalingGroups": [{ "autoScalingGroupName": "asg", "instanceTypes": ["m6i.large"],
                                    "minSize": 2, "maxSize": 2 }],
            "taskDefinitions": [
                { "family": "web", "cpu": "512", "memory": "1024", "requiresCompatibilities": ["EC2"] },
                { "family": "agent", "cpu": "256", "memory": "512", "requiresCompatibilities": ["EC2"] }
            ],
            "services": [
                { "serviceName": "web", "taskDefinition": "web", "desiredCount": 2, "launchType": "EC2" },
                { "serviceName": "agent", "taskDefinition": "agent", "schedulingStrategy": "DAEMON" }
            ]
        }"#;
        let sc = crate::scenario::from_json_str(text, Path::new("drain.json"), Path::new("."))
            .unwrap_or_else(|e| panic!("{e}"));
        let mut sim = Simulation::new(&sc, 1).unwrap_or_else(|e| panic!("{e}"));
        sim.start().unwrap_or_else(|e| panic!("{e}"));
        let step_to = |sim: &mut Simulation, until: SimTime, check: &mut dyn FnMut(&Simulation)| {
            while sim.queue.peek_time().is_some_and(|t| t <= until) {
                let Some((now, ev)) = sim.queue.pop() else {
                    break;
                };
                sim.handle(now, ev).unwrap_or_else(|e| panic!("{e}"));
                check(sim);
            }
        };
        step_to(
            &mut sim,
            SimTime::ZERO + SimDuration::from_mins(1),
            &mut |_| {},
        );
        let i0 = InstanceId::from_index(0);
        let daemon = sim.daemon_tasks_on(i0).to_vec();
        assert_eq!(daemon.len(), 1, "one daemon task on the instance");
        let daemon = daemon[0];
        assert_eq!(sim.tasks[daemon.index()].status, TaskStatus::Running);
        assert_eq!(
            sim.instance_tasks[i0.index()].len(),
            1,
            "one web task there"
        );
        let web = sim.instance_tasks[i0.index()][0];
        assert!(matches!(sim.tasks[web.index()].owner, Owner::Service(_)));

        let now = SimTime::ZERO + SimDuration::from_mins(1);
        sim.drain_instance(i0, now);
        // Draining: the daemon keeps running while the web task waits for its replacement.
        assert_eq!(sim.tasks[daemon.index()].status, TaskStatus::Running);
        assert_eq!(
            sim.services[1].desired, 1,
            "the draining instance no longer counts"
        );
        let mut web_gone_first = true;
        step_to(
            &mut sim,
            SimTime::ZERO + SimDuration::from_mins(30),
            &mut |sim| {
                if sim.tasks[daemon.index()].status != TaskStatus::Running
                    && sim.tasks[web.index()].status != TaskStatus::Stopped
                {
                    web_gone_first = false;
                }
            },
        );
        assert!(
            web_gone_first,
            "the daemon task stopped before the web task"
        );
        assert_eq!(sim.tasks[web.index()].status, TaskStatus::Stopped);
        assert_eq!(sim.tasks[daemon.index()].status, TaskStatus::Stopped);
        assert_eq!(
            sim.tasks[daemon.index()].stop_code,
            Some(StopCode::InstanceDraining)
        );
        assert_eq!(sim.instances[i0.index()].status, InstanceStatus::Terminated);
        // The replacement web task runs on the other instance, beside its daemon.
        assert_eq!(sim.services[0].running, 2);
        assert_eq!(sim.services[1].running, 1);
    }
}
