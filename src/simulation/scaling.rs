//! How the model carries out scaling decisions: a service's desired count going up or down,
//! an Auto Scaling group growing or shrinking, and instances draining and terminating.
//!
//! The decisions themselves come from pure policies (`autoscaling`, `cluster::termination`);
//! this file only applies them to the world, in ECS's order:
//! - service scale-in stops tasks that are not running yet first, then follows the service's
//!   placement strategy in reverse: by default it balances across AZs and instances (\[DOC\]
//!   ECS developer guide, "Service scheduler concepts": stop tasks in the AZ with the most
//!   tasks, then on the instance with the most tasks); binpack stops the task on the
//!   instance that would have the most of its field left (ecs-reference §4.2);
//! - a DRAINING instance takes no new task, its PENDING service tasks stop at once and its
//!   RUNNING service tasks stop only once a replacement runs; standalone (batch) tasks are
//!   left alone (\[DOC\] ecs-reference §1.7);
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
        let from = self.services[s.index()].desired;
        self.services[s.index()].desired = to;
        if !self.deployments.is_empty() {
            self.deploy_accrue(s, now);
        }
        let st = &mut self.services[s.index()];
        if to > from {
            st.steady = false;
            self.request_reconcile();
        } else if to < from {
            self.scale_in_service(s, now);
        }
    }

    /// Stops live tasks of `s` until no more than `desired` remain.
    pub(super) fn scale_in_service(&mut self, s: ServiceId, now: SimTime) {
        let st = &self.services[s.index()];
        if st.live > st.desired {
            let count = (st.live - st.desired) as usize;
            for t in self.scale_in_victims(s, count) {
                match self.tasks[t.index()].status {
                    TaskStatus::Provisioning => {
                        self.fail_unplaced(t, now, StopCode::ServiceScaleIn)
                    }
                    _ => self.begin_stop(t, now, StopCode::ServiceScaleIn),
                }
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

    /// The `count` live tasks of `s` a scale-in stops, in order.
    ///
    /// With a capacity provider strategy, each victim comes from the provider furthest above
    /// its share of the tasks that remain (\[DERIVED\] ecs-reference §2.1: remove in the
    /// reverse sense). Within a provider: tasks not RUNNING yet first (PROVISIONING, then
    /// PENDING, newest first), then RUNNING tasks from the AZ with the most of them, then
    /// from the instance with the most, newest first. Cost: O(n log n + count × (AZs +
    /// items + log n)) for n live tasks.
    pub(super) fn scale_in_victims(&self, s: ServiceId, count: usize) -> Vec<TaskId> {
        let st = &self.services[s.index()];
        let items: &[crate::scenario::StrategyItem] = match &self.sc.services[s.index()].launch {
            LaunchTarget::Strategy(items) => items,
            _ => &[],
        };
        let groups = items.len().max(1);
        let az_count = self.sc.cluster.availability_zones.len().max(1);
        let spec = &self.sc.services[s.index()];
        let default = placement::service_default_strategy();
        let chain = if spec.placement_strategy.is_empty() {
            default
        } else {
            &spec.placement_strategy[..]
        };
        let mut pickers: Vec<GroupPicker> = if chain == default {
            let mut pickers: Vec<VictimPicker> =
                (0..groups).map(|_| VictimPicker::new(az_count)).collect();
            for &t in &st.tasks {
                let task = &self.tasks[t.index()];
                let g = self.strategy_group(items, task.target);
                pickers[g].add(t, task.status, task.placement, self.instances.as_slice());
            }
            pickers
                .into_iter()
                .map(|mut p| {
                    p.seal();
                    GroupPicker::Balanced(p)
                })
                .collect()
        } else {
            self.ranked_pickers(s, chain, items)
        };
        // Which item each of the first `live` tasks of a fresh distribution goes to: the
        // ideal counts for m tasks are the first m entries.
        let live = st.live as usize;
        let mut added = Vec::new();
        let mut per_item: Vec<u32> = st.per_item.clone();
        let mut ideal = vec![0u32; items.len()];
        if !items.is_empty() {
            added.reserve(live);
            for _ in 0..live {
                let i = capacity_provider_strategy::choose(items, &ideal).unwrap_or(0);
                ideal[i] += 1;
                added.push(i);
            }
        }
        let mut out = Vec::with_capacity(count);
        let mut remaining = live;
        while out.len() < count && remaining > 0 {
            let g = if items.is_empty() {
                0
            } else {
                // One task fewer: the ideal loses the last task a fresh fill would add.
                ideal[added[remaining - 1]] -= 1;
                match (0..items.len())
                    .filter(|&i| per_item[i] > ideal[i] && !pickers[i].is_empty())
                    .max_by_key(|&i| (per_item[i] - ideal[i], Reverse(i)))
                {
                    Some(i) => i,
                    None => match (0..items.len()).find(|&i| !pickers[i].is_empty()) {
                        Some(i) => i,
                        None => break,
                    },
                }
            };
            let Some(t) = pickers[g].pop() else {
                break;
            };
            if !items.is_empty() {
                per_item[g] = per_item[g].saturating_sub(1);
            }
            remaining -= 1;
            out.push(t);
        }
        out
    }

    /// Scale-in pickers for a service with its own placement strategy: every live task is
    /// ranked once by the strategy in reverse, then taken in that order (per provider).
    ///
    /// \[DOC\] ecs-reference §4.2–4.3: a scale-in follows the service's placement strategy in
    /// reverse. Spread stops tasks where the service has the most; binpack stops the task on
    /// the instance that would have the most of the field left after the stop, so the least
    /// packed instances empty first and the cluster can shrink. Rules apply in order as
    /// tie-breakers; `random` is left to the final tie-break (newest first). Counts are taken
    /// before the scale-in starts.
    fn ranked_pickers(
        &self,
        s: ServiceId,
        chain: &[PlacementStrategy],
        items: &[crate::scenario::StrategyItem],
    ) -> Vec<GroupPicker> {
        let st = &self.services[s.index()];
        let owner = Owner::Service(s);
        let groups = items.len().max(1);
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
        type Ranked = (
            u8,
            [i64; placement::MAX_STRATEGY_RULES],
            Reverse<u32>,
            TaskId,
        );
        let mut ordered: Vec<Vec<Ranked>> = vec![Vec::new(); groups];
        for &t in &st.tasks {
            let task = &self.tasks[t.index()];
            let g = self.strategy_group(items, task.target);
            let stage = match task.status {
                TaskStatus::Provisioning => 0u8,
                TaskStatus::Pending => 1,
                _ => 2,
            };
            ordered[g].push((stage, rank(t), Reverse(t.0), t));
        }
        ordered
            .into_iter()
            .map(|mut o| {
                // Popped from the end: sort descending.
                o.sort_unstable_by(|a, b| b.cmp(a));
                GroupPicker::Ranked(o.into_iter().map(|x| x.3).collect())
            })
            .collect()
    }

    /// The strategy item a task's capacity belongs to (0 without a strategy).
    fn strategy_group(
        &self,
        items: &[crate::scenario::StrategyItem],
        target: crate::scheduler::task::Target,
    ) -> usize {
        if items.is_empty() {
            return 0;
        }
        let cp = self.provider_of(target);
        items
            .iter()
            .position(|x| Some(x.capacity_provider) == cp)
            .unwrap_or(0)
    }

    fn provider_of(
        &self,
        target: crate::scheduler::task::Target,
    ) -> Option<crate::ids::CapacityProviderId> {
        use crate::scheduler::task::Target;
        match target {
            Target::Ec2Provider(cp) => Some(cp),
            Target::Fargate { provider, .. } => Some(provider),
            Target::Ec2Cluster | Target::External => None,
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
        let current = a.in_service;
        if to > current {
            for _ in current..to {
                if self.launch_instance(asg, now, true).is_none() {
                    break;
                }
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
        let in_service = self.asgs[asg.index()].in_service;
        debug_assert_eq!(in_service as usize, self.asg_in_service(asg).count());
        // A scale-out the group could not launch (its zones are down) stays desired: EC2 Auto
        // Scaling keeps trying and launches once a zone is back.
        self.asgs[asg.index()].desired_capacity = if to > current {
            in_service.max(to)
        } else {
            in_service
        };
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
        let a = &mut self.asgs[self.instances[i.index()].asg.index()];
        a.in_service -= 1;
        a.draining += 1;
        if !self.instance_tasks[i.index()].is_empty() {
            a.non_empty -= 1;
        }
        self.daemons_instance_left(i, now);
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
        // [DOC] ecs-reference §4.5: daemon tasks stop last, once every other task is gone.
        if self.instance_tasks[i.index()].is_empty() && !self.stop_daemons_last(i, now) {
            self.terminate_instance(i, now);
        } else {
            self.queue.schedule_at(
                now + self.sc.settings.draining_timeout,
                Event::DrainingTimeout(i),
            );
        }
    }

    /// Terminates instance `i` (a scale-in or a rebalance): billing stops, and tasks still on
    /// it stop with it.
    pub(super) fn terminate_instance(&mut self, i: InstanceId, now: SimTime) {
        self.terminate_instance_with(i, now, StopCode::InstanceTerminated);
    }

    /// Terminates instance `i`; tasks still on it stop with `code`.
    pub(super) fn terminate_instance_with(&mut self, i: InstanceId, now: SimTime, code: StopCode) {
        let status = self.instances[i.index()].status;
        if status == InstanceStatus::Terminated {
            return;
        }
        self.counters.advance(now);
        let registered = self.instances[i.index()].registered;
        let a = &mut self.asgs[self.instances[i.index()].asg.index()];
        match status {
            InstanceStatus::Pending | InstanceStatus::Active => {
                a.in_service -= 1;
                if !self.instance_tasks[i.index()].is_empty() {
                    a.non_empty -= 1;
                }
            }
            InstanceStatus::Draining => a.draining -= 1,
            InstanceStatus::Terminated => {}
        }
        match status {
            InstanceStatus::Pending => self.counters.instances_pending -= 1,
            InstanceStatus::Active => {
                self.daemons_instance_left(i, now);
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
        let mut on = std::mem::take(&mut self.instance_tasks[i.index()]);
        on.extend(self.take_daemon_tasks(i));
        for t in on {
            let task = &self.tasks[t.index()];
            if let (Owner::Service(s), true) = (task.owner, task.replaced) {
                self.services[s.index()].replacing.retain(|&x| x != t);
            }
            if matches!(task.status, TaskStatus::Pending | TaskStatus::Running) {
                self.task_killed(t, now, code);
                self.begin_stop(t, now, code);
            }
            self.task_stopped(t, now);
        }
        if billed {
            self.billing.instance_stopped(i, now);
            let whole = self.instance_type_size(self.instances[i.index()].instance_type);
            self.counters.instance_billed(whole, false);
        }
        if !self.defer_reruns {
            self.flush_reruns(now);
        }
        let a = &mut self.asgs[asg.index()];
        // Launch order is id order, so the group's list is sorted: find, don't scan.
        if let Ok(pos) = a.instances.binary_search(&i) {
            a.instances.remove(pos);
            a.live_by_az[self.instances[i.index()].az.index()] -= 1;
        }
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

/// Picks scale-in victims among one provider's live tasks of a service (see
/// `Simulation::scale_in_victims`).
struct VictimPicker {
    /// Tasks not RUNNING yet, popped from the end: PROVISIONING newest last.
    waiting: Vec<(u8, u32, TaskId)>,
    /// Per AZ: RUNNING tasks left, and a max-heap of (tasks on the instance, newest task,
    /// instance slot); entries whose count is stale are skipped.
    az_left: Vec<u32>,
    az_heap: Vec<std::collections::BinaryHeap<(u32, u32, usize)>>,
    /// Per instance slot: its RUNNING tasks, oldest first, and the AZ.
    slots: Vec<(Vec<TaskId>, usize)>,
    /// Slot of each instance (by `InstanceId`), `u32::MAX` when it has none yet.
    slot_of: Vec<u32>,
}

impl VictimPicker {
    fn new(az_count: usize) -> VictimPicker {
        VictimPicker {
            waiting: Vec::new(),
            az_left: vec![0; az_count],
            az_heap: vec![std::collections::BinaryHeap::new(); az_count],
            slots: Vec::new(),
            slot_of: Vec::new(),
        }
    }

    fn add(
        &mut self,
        t: TaskId,
        status: TaskStatus,
        placement: Placement,
        instances: &[crate::cluster::ContainerInstance],
    ) {
        match status {
            TaskStatus::Provisioning | TaskStatus::Pending => {
                // Popped from the end: PROVISIONING before PENDING, newest first.
                let stage = if status == TaskStatus::Provisioning {
                    1
                } else {
                    0
                };
                self.waiting.push((stage, t.0, t));
            }
            _ => {
                // Fargate tasks are alone on their "instance": each gets its own slot.
                let (instance, az) = match placement {
                    Placement::Instance(i) => (Some(i.index()), instances[i.index()].az.index()),
                    Placement::Fargate(az) => (None, az.index()),
                    Placement::Unplaced => (None, 0),
                };
                let az = az.min(self.az_left.len() - 1);
                let existing = instance.and_then(|i| {
                    if self.slot_of.len() <= i {
                        self.slot_of.resize(instances.len().max(i + 1), u32::MAX);
                    }
                    (self.slot_of[i] != u32::MAX).then_some(self.slot_of[i] as usize)
                });
                let slot = match existing {
                    Some(slot) => slot,
                    None => {
                        self.slots.push((Vec::new(), az));
                        let slot = self.slots.len() - 1;
                        if let Some(i) = instance {
                            self.slot_of[i] = slot as u32;
                        }
                        slot
                    }
                };
                self.slots[slot].0.push(t);
                self.az_left[az] += 1;
            }
        }
    }

    /// Call once after the last `add`.
    fn seal(&mut self) {
        self.waiting.sort_unstable();
        for (slot, (tasks, az)) in self.slots.iter_mut().enumerate() {
            tasks.sort_unstable_by_key(|t| t.0);
            if let Some(newest) = tasks.last() {
                self.az_heap[*az].push((tasks.len() as u32, newest.0, slot));
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.waiting.is_empty() && self.az_left.iter().all(|&n| n == 0)
    }

    fn pop(&mut self) -> Option<TaskId> {
        if let Some((_, _, t)) = self.waiting.pop() {
            return Some(t);
        }
        // The AZ with the most RUNNING tasks (lowest index among equals).
        let az = (0..self.az_left.len())
            .filter(|&a| self.az_left[a] > 0)
            .max_by_key(|&a| (self.az_left[a], Reverse(a)))?;
        while let Some((n, _, slot)) = self.az_heap[az].pop() {
            let tasks = &mut self.slots[slot].0;
            if tasks.len() as u32 != n {
                continue; // stale
            }
            let t = tasks.pop()?;
            if let Some(newest) = tasks.last() {
                self.az_heap[az].push((tasks.len() as u32, newest.0, slot));
            }
            self.az_left[az] -= 1;
            return Some(t);
        }
        None
    }
}

/// The scale-in order within one provider of a service.
enum GroupPicker {
    /// The default strategy: AZ balance, then instance balance, counts kept up to date.
    Balanced(VictimPicker),
    /// Any other strategy: a fixed order, popped from the end.
    Ranked(Vec<TaskId>),
}

impl GroupPicker {
    fn is_empty(&self) -> bool {
        match self {
            GroupPicker::Balanced(p) => p.is_empty(),
            GroupPicker::Ranked(v) => v.is_empty(),
        }
    }

    fn pop(&mut self) -> Option<TaskId> {
        match self {
            GroupPicker::Balanced(p) => p.pop(),
            GroupPicker::Ranked(v) => v.pop(),
        }
    }
}
