//! How the model carries out scaling decisions: a service's desired count going up or down,
//! an Auto Scaling group growing or shrinking, and instances draining and terminating.
//!
//! The decisions themselves come from pure policies (`autoscaling`, `cluster::termination`);
//! this file only applies them to the world, in ECS's order:
//! - service scale-in stops tasks that are not running yet first, then follows the service's
//!   placement strategy in reverse: by default it balances across AZs and instances ([DOC]
//!   ECS developer guide, "Service scheduler concepts": stop tasks in the AZ with the most
//!   tasks, then on the instance with the most tasks); binpack stops the task on the
//!   instance that would have the most of its field left (ecs-reference §4.2);
//! - a DRAINING instance takes no new task, its PENDING service tasks stop at once and its
//!   RUNNING service tasks stop only once a replacement runs; standalone (batch) tasks are
//!   left alone ([DOC] ecs-reference §1.7);
//! - a terminated instance takes its remaining tasks with it; the service scheduler replaces
//!   service tasks.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use super::{Event, Simulation};
use crate::cluster::InstanceStatus;
use crate::engine::SimTime;
use crate::ids::{AsgId, InstanceId, Owner, ServiceId, TaskId};
use crate::scenario::LaunchTarget;
use crate::scheduler::capacity_provider_strategy;
use crate::scheduler::placement::{self, Attribute, BinpackField, PlacementStrategy, SpreadField};
use crate::scheduler::task::{Placement, StopCode, TaskStatus};

impl<'s> Simulation<'s> {
    /// Sets service `s`'s desired count (service auto scaling); scale-in stops tasks now,
    /// scale-out leaves the launches to the service scheduler.
    pub(super) fn set_service_desired(&mut self, s: ServiceId, to: u32, now: SimTime) {
        let st = &mut self.services[s.index()];
        let from = st.desired;
        st.desired = to;
        if to > from {
            st.steady = false;
            self.request_reconcile();
        } else if to < from {
            self.scale_in_service(s, now);
        }
    }

    /// Stops live tasks of `s` until no more than `desired` remain.
    fn scale_in_service(&mut self, s: ServiceId, now: SimTime) {
        while self.services[s.index()].live > self.services[s.index()].desired {
            let Some(t) = self.scale_in_victim(s) else {
                break;
            };
            match self.tasks[t.index()].status {
                TaskStatus::Provisioning => self.fail_unplaced(t, now, StopCode::ServiceScaleIn),
                _ => self.begin_stop(t, now, StopCode::ServiceScaleIn),
            }
        }
        // Tasks waiting on a DRAINING instance for a replacement are surplus once the
        // service has enough live tasks: no replacement will come for them.
        while !self.services[s.index()].replacing.is_empty()
            && self.services[s.index()].live >= self.services[s.index()].desired
        {
            if let Some(old) = self.services[s.index()].replacing.pop_front() {
                self.begin_stop(old, now, StopCode::InstanceDraining);
            }
        }
    }

    /// Which live task of `s` a scale-in stops next.
    fn scale_in_victim(&self, s: ServiceId) -> Option<TaskId> {
        let st = &self.services[s.index()];
        // With a capacity provider strategy, take from the provider furthest above its
        // share of one task fewer ([DERIVED] ecs-reference §2.1: remove in the reverse sense).
        let item = match &self.sc.services[s.index()].launch {
            LaunchTarget::Strategy(items) if st.live > 0 => {
                let mut ideal = vec![0u32; items.len()];
                for _ in 0..st.live - 1 {
                    if let Some(i) = capacity_provider_strategy::choose(items, &ideal) {
                        ideal[i] += 1;
                    }
                }
                (0..items.len())
                    .filter(|&i| st.per_item[i] > ideal[i])
                    .max_by_key(|&i| (st.per_item[i] - ideal[i], Reverse(i)))
                    .map(|i| items[i].capacity_provider)
            }
            _ => None,
        };
        let owner = Owner::Service(s);
        // [DOC] ecs-reference §4.2–4.3: a scale-in follows the service's placement strategy
        // in reverse. Spread stops tasks where the service has the most (the default chain:
        // the AZ with the most tasks, then the instance with the most); binpack stops the task
        // on the instance that would have the most of the field left after the stop. Rules
        // apply in order as tie-breakers; `random` is left to the final tie-break.
        let spec = &self.sc.services[s.index()];
        let chain = if spec.placement_strategy.is_empty() {
            placement::service_default_strategy()
        } else {
            &spec.placement_strategy[..]
        };
        // Tasks of the service per value of each spread attribute other than the AZ (which
        // the placer counts).
        let mut by_value: Vec<(Attribute, BTreeMap<u16, u32>)> = chain
            .iter()
            .filter_map(|r| match r {
                PlacementStrategy::Spread(SpreadField::Attribute(a))
                    if *a != Attribute::AvailabilityZone =>
                {
                    Some((*a, BTreeMap::new()))
                }
                _ => None,
            })
            .collect();
        if !by_value.is_empty() {
            for &t in &st.tasks {
                if let Placement::Instance(i) = self.tasks[t.index()].placement {
                    for (a, counts) in &mut by_value {
                        *counts
                            .entry(a.value_of(&self.instances[i.index()]))
                            .or_default() += 1;
                    }
                }
            }
        }
        let rank = |t: TaskId| {
            let task = &self.tasks[t.index()];
            let mut rank = [0i64; placement::MAX_STRATEGY_RULES];
            for (k, rule) in chain.iter().take(rank.len()).enumerate() {
                let more_first = match (*rule, task.placement) {
                    (
                        PlacementStrategy::Spread(SpreadField::Attribute(
                            Attribute::AvailabilityZone,
                        )),
                        Placement::Instance(i),
                    ) => self
                        .placer
                        .group_count_in_az(owner, self.instances[i.index()].az),
                    (
                        PlacementStrategy::Spread(SpreadField::Attribute(
                            Attribute::AvailabilityZone,
                        )),
                        Placement::Fargate(az),
                    ) => self.fargate_az_counts[self.owner_index(owner)][az.index()],
                    (
                        PlacementStrategy::Spread(SpreadField::InstanceId),
                        Placement::Instance(i),
                    ) => self.instances[i.index()].group_count(owner),
                    (PlacementStrategy::Spread(SpreadField::InstanceId), Placement::Fargate(_)) => {
                        1
                    }
                    (
                        PlacementStrategy::Spread(SpreadField::Attribute(a)),
                        Placement::Instance(i),
                    ) => {
                        let value = a.value_of(&self.instances[i.index()]);
                        by_value
                            .iter()
                            .find(|(b, _)| *b == a)
                            .and_then(|(_, counts)| counts.get(&value).copied())
                            .unwrap_or(0)
                    }
                    (PlacementStrategy::Binpack(BinpackField::Cpu), Placement::Instance(i)) => {
                        self.instances[i.index()].free().cpu.0
                    }
                    (PlacementStrategy::Binpack(BinpackField::Memory), Placement::Instance(i)) => {
                        self.instances[i.index()].free().memory.0
                    }
                    _ => 0,
                };
                rank[k] = -i64::from(more_first);
            }
            rank
        };
        st.tasks
            .iter()
            .copied()
            .filter(|&t| {
                let task = &self.tasks[t.index()];
                item.is_none() || self.provider_of(task.target) == item
            })
            .min_by_key(|&t| {
                let stage = match self.tasks[t.index()].status {
                    TaskStatus::Provisioning => 0u8,
                    TaskStatus::Pending => 1,
                    _ => 2,
                };
                // Newest first among equals: deterministic, and it keeps long-lived tasks.
                (stage, rank(t), Reverse(t.0))
            })
    }

    fn provider_of(
        &self,
        target: crate::scheduler::task::Target,
    ) -> Option<crate::ids::CapacityProviderId> {
        use crate::scheduler::task::Target;
        match target {
            Target::Ec2Provider(cp) => Some(cp),
            Target::Fargate { provider, .. } => Some(provider),
            Target::Ec2Cluster => None,
        }
    }

    /// Live instances of an ASG that count toward its capacity (not draining, not gone).
    pub(super) fn asg_in_service(&self, asg: AsgId) -> impl Iterator<Item = InstanceId> + '_ {
        self.asgs[asg.index()]
            .instances
            .iter()
            .copied()
            .filter(|i| {
                matches!(
                    self.instances[i.index()].status,
                    InstanceStatus::Pending | InstanceStatus::Active
                )
            })
    }

    /// Sets an ASG's desired capacity: launches instances, or picks instances to leave
    /// (EC2 Auto Scaling's choice, restricted to empty ones under managed termination
    /// protection) and drains or terminates them. Returns the desired capacity in force,
    /// which is higher than asked when protection kept instances.
    pub(super) fn set_asg_desired(&mut self, asg: AsgId, to: u32, now: SimTime) -> u32 {
        let a = &self.asgs[asg.index()];
        let to = to.clamp(a.min_size, a.max_size);
        let current = self.asg_in_service(asg).count() as u32;
        if to > current {
            for _ in current..to {
                self.launch_instance(asg, now, true);
            }
        } else if to < current {
            let ids: Vec<InstanceId> = self.asg_in_service(asg).collect();
            let candidates: Vec<crate::cluster::termination::Candidate> = ids
                .iter()
                .map(|&i| {
                    let inst = &self.instances[i.index()];
                    crate::cluster::termination::Candidate {
                        az: inst.az,
                        launched_at: inst.launched_at,
                        empty: self.instance_tasks[i.index()].is_empty(),
                    }
                })
                .collect();
            let provider = a
                .capacity_provider
                .map(|cp| &self.sc.capacity_providers[cp.index()]);
            let protect = provider.is_some_and(|p| p.managed_termination_protection);
            let drain = provider.is_some_and(|p| p.managed_draining);
            let victims = crate::cluster::termination::choose_victims(
                &candidates,
                (current - to) as usize,
                protect,
                &mut self.scaling_rng,
            );
            for v in victims {
                let i = ids[v];
                if drain {
                    self.drain_instance(i, now);
                } else {
                    self.terminate_instance(i, now);
                }
            }
        }
        let in_service = self.asg_in_service(asg).count() as u32;
        self.asgs[asg.index()].desired_capacity = in_service;
        in_service
    }

    /// Sets instance `i` to DRAINING (managed draining): no new tasks; service tasks move.
    pub(super) fn drain_instance(&mut self, i: InstanceId, now: SimTime) {
        match self.instances[i.index()].status {
            InstanceStatus::Active => {}
            InstanceStatus::Pending => {
                // Not registered yet: nothing to drain.
                self.terminate_instance(i, now);
                return;
            }
            InstanceStatus::Draining | InstanceStatus::Terminated => return,
        }
        self.counters.advance(now);
        self.placer.remove_instance(&self.instances[i.index()]);
        self.instances[i.index()].status = InstanceStatus::Draining;
        self.counters.instances_active -= 1;
        self.counters.instances_draining += 1;
        self.log(
            now,
            "instance",
            placement::instance_display_id(i),
            "Container instance set to DRAINING".to_string(),
        );
        for t in self.instance_tasks[i.index()].clone() {
            let task = &self.tasks[t.index()];
            let Owner::Service(s) = task.owner else {
                // Standalone tasks are left to finish.
                continue;
            };
            match task.status {
                TaskStatus::Pending => self.begin_stop(t, now, StopCode::InstanceDraining),
                TaskStatus::Running if !task.replaced => {
                    self.retire(s, t);
                    self.tasks[t.index()].replaced = true;
                    self.services[s.index()].replacing.push_back(t);
                }
                _ => {}
            }
        }
        self.request_reconcile();
        if self.instance_tasks[i.index()].is_empty() {
            self.terminate_instance(i, now);
        } else {
            self.queue.schedule_at(
                now + self.sc.settings.draining_timeout,
                Event::DrainingTimeout(i),
            );
        }
    }

    /// Terminates instance `i`: billing stops, and tasks still on it stop with it.
    pub(super) fn terminate_instance(&mut self, i: InstanceId, now: SimTime) {
        let status = self.instances[i.index()].status;
        if status == InstanceStatus::Terminated {
            return;
        }
        self.counters.advance(now);
        let registered = self.instances[i.index()].registered;
        match status {
            InstanceStatus::Pending => self.counters.instances_pending -= 1,
            InstanceStatus::Active => {
                self.placer.remove_instance(&self.instances[i.index()]);
                self.counters.instances_active -= 1;
                self.counters.registered = self.counters.registered - registered;
            }
            InstanceStatus::Draining => {
                self.counters.instances_draining -= 1;
                self.counters.registered = self.counters.registered - registered;
            }
            InstanceStatus::Terminated => {}
        }
        let inst = &mut self.instances[i.index()];
        inst.status = InstanceStatus::Terminated;
        inst.terminated_at = Some(now);
        let asg = inst.asg;
        let billed = inst.running_at.is_some();
        for t in std::mem::take(&mut self.instance_tasks[i.index()]) {
            let task = &self.tasks[t.index()];
            if let (Owner::Service(s), true) = (task.owner, task.replaced) {
                self.services[s.index()].replacing.retain(|&x| x != t);
            }
            if matches!(task.status, TaskStatus::Pending | TaskStatus::Running) {
                self.begin_stop(t, now, StopCode::InstanceTerminated);
            }
            self.task_stopped(t, now);
        }
        if billed {
            self.billing.instance_stopped(i, now);
        }
        self.asgs[asg.index()].instances.retain(|&x| x != i);
        self.log(
            now,
            "instance",
            placement::instance_display_id(i),
            "Instance terminated; container instance deregistered".to_string(),
        );
        self.request_reconcile();
        self.request_pass();
    }
}
