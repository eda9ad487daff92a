//! ECS Managed Instances at run time: each minute, launch the instance types the selection
//! (`autoscaling::managed_instances::plan_launches`) picks for the tasks waiting on the
//! provider; every `OPTIMIZATION_PERIOD`, terminate idle instances and drain one
//! under-utilized instance whose tasks fit elsewhere.
//!
//! The provider's instances live in a hidden Auto Scaling group (`managed_instances`), so
//! placement, draining, billing and the per-provider rows are the ASGs' own; this module only
//! decides what to launch and what to give back.
//! Cost: the launch minute is O(1) when nothing waits, else O(waiting tasks + the group's
//! pending instances + candidates × shapes per launch); the optimization pass is O(instances
//! of the provider) once per period, never per event.

use std::collections::BTreeMap;

use super::Simulation;
use crate::autoscaling::managed_instances::{self as mi, Candidate, Demand};
use crate::cluster::InstanceStatus;
use crate::engine::SimTime;
use crate::ids::{AsgId, CapacityProviderId, InstanceId, Owner};
use crate::scheduler::task::TaskStatus;
use crate::units::Resources;

/// One Managed Instances provider's run-time state.
#[derive(Clone, Debug)]
pub(super) struct ManagedInstancesState {
    pub(super) cp: CapacityProviderId,
    /// The hidden group's types as the selection sees them, cheapest first.
    pub(super) candidates: Vec<Candidate>,
    /// What DAEMON services reserve on a new instance of the group.
    daemon_reserve: Resources,
    /// The next infrastructure optimization pass.
    next_optimization: SimTime,
}

/// Where an ACTIVE instance stands in an optimization pass (idle ones aside).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Consolidation {
    /// No task: the idle rule's, not this one's.
    Empty,
    /// At or above the under-utilization threshold.
    Busy,
    /// Under it, but registered less than `scaleInAfter` ago.
    TooRecent,
    /// Under it, but holding a task that is not a RUNNING service task (a batch task would
    /// hold the instance until it ends; a task starting has not settled).
    Unmovable,
    /// Under it and eligible; the number orders candidates, least reserved first (CPU share
    /// plus memory share, scaled by the registered sizes so it stays an integer).
    Candidate(u64),
}

/// An eligible under-utilized instance of a pass, as it stood before the pass drained
/// anything (`--explain` only).
pub(super) struct ConsolidationTry {
    pub(super) instance: InstanceId,
    pub(super) reserved: Resources,
    pub(super) registered: Resources,
    pub(super) tasks: u32,
}

impl Simulation<'_> {
    /// Where ACTIVE instance `i` stands in an optimization pass at `now`.
    fn consolidation(
        &self,
        i: InstanceId,
        now: SimTime,
        delay: crate::engine::SimDuration,
        fraction: f64,
    ) -> Consolidation {
        let inst = &self.instances[i.index()];
        let tasks = &self.instance_tasks[i.index()];
        if tasks.is_empty() {
            return Consolidation::Empty;
        }
        if !mi::underutilized(inst.reserved, inst.registered, fraction) {
            return Consolidation::Busy;
        }
        if !inst.registered_at.is_some_and(|t| now - t >= delay) {
            return Consolidation::TooRecent;
        }
        if !tasks.iter().all(|t| {
            matches!(self.tasks[t.index()].owner, Owner::Service(_))
                && self.tasks[t.index()].status == TaskStatus::Running
        }) {
            return Consolidation::Unmovable;
        }
        Consolidation::Candidate(
            u64::from(inst.reserved.cpu.0) * u64::from(inst.registered.memory.0)
                + u64::from(inst.reserved.memory.0) * u64::from(inst.registered.cpu.0),
        )
    }

    /// Builds the state of every Managed Instances provider (after the ASG providers').
    pub(super) fn init_managed_instances(&mut self) {
        for (i, cp) in self.sc.capacity_providers.iter().enumerate() {
            let (Some(cfg), crate::scenario::CapacityProviderKind::AutoScalingGroup(asg)) =
                (cp.managed_instances.as_ref(), cp.kind)
            else {
                continue;
            };
            let daemon_reserve = self.daemon_reserve_of(asg);
            let candidates = self.sc.auto_scaling_groups[asg.index()]
                .instance_types
                .iter()
                .map(|&t| {
                    let ty = self.sc.catalog.get(t);
                    let fee = cfg
                        .fee
                        .usd_per_hour(t, ty.on_demand_usd_per_hour)
                        .unwrap_or(0.0);
                    Candidate {
                        instance_type: t,
                        arch: ty.arch,
                        room: self
                            .sc
                            .catalog
                            .registered_resources(
                                t,
                                self.sc.settings.memory_overhead,
                                self.sc.settings.awsvpc_trunking,
                            )
                            .saturating_sub(daemon_reserve),
                        usd_per_hour: ty.on_demand_usd_per_hour + fee,
                    }
                })
                .collect();
            self.managed_instances.push(ManagedInstancesState {
                cp: CapacityProviderId::from_index(i),
                candidates,
                daemon_reserve,
                next_optimization: SimTime::ZERO + cfg.period,
            });
        }
    }

    /// The minute of Managed Instances provider `cp` (hidden group `asg`): launches for the
    /// waiting tasks, then the optimization pass when it is due.
    pub(super) fn managed_instances_minute(
        &mut self,
        cp: CapacityProviderId,
        asg: AsgId,
        now: SimTime,
    ) {
        let Some(k) = self.managed_instances.iter().position(|m| m.cp == cp) else {
            return;
        };
        if !self.provider_waiting[cp.index()].is_empty() {
            self.managed_instances_launch(k, asg, now);
        }
        if now >= self.managed_instances[k].next_optimization {
            let period = self.sc.capacity_providers[cp.index()]
                .managed_instances
                .as_ref()
                .map_or(mi::OPTIMIZATION_PERIOD, |m| m.period);
            self.managed_instances[k].next_optimization = now + period;
            self.managed_instances_optimize(k, asg, now);
        }
    }

    fn managed_instances_launch(&mut self, k: usize, asg: AsgId, now: SimTime) {
        let cp = self.managed_instances[k].cp;
        // The waiting tasks by shape, in a BTreeMap so the order never depends on hashing.
        let mut shapes: BTreeMap<(Resources, u8), Demand> = BTreeMap::new();
        for &t in &self.provider_waiting[cp.index()] {
            let Some(task) = self.tasks.get(t) else {
                continue;
            };
            if task.status != TaskStatus::Provisioning {
                continue;
            }
            let arch = self.arch_of(task.owner);
            shapes
                .entry((task.need, arch as u8))
                .or_insert(Demand {
                    need: task.need,
                    arch,
                    count: 0,
                })
                .count += 1;
        }
        let mut demand: Vec<Demand> = shapes.into_values().collect();
        demand.sort_by_key(|d| std::cmp::Reverse((d.need.cpu, d.need.memory)));
        // Room on the provider's instances takes some of them first: instances launched and
        // not yet registered (ECS does not launch twice for the same tasks), and free room on
        // ACTIVE ones (a task the placement pass has not reached yet: its backfill window
        // stops after `PLACEMENT_BACKFILL_WINDOW` tasks), for which a pass is asked instead.
        let daemon_reserve = self.managed_instances[k].daemon_reserve;
        let mut active_room = false;
        // With `--explain`, the waiting count per shape and what pending and ACTIVE room took
        // of it ([waiting, on pending, on active] per shape); nothing otherwise.
        let mut taken: Option<Vec<[u32; 3]>> = self
            .explain
            .is_some()
            .then(|| demand.iter().map(|d| [d.count, 0, 0]).collect());
        for &i in &self.asgs[asg.index()].instances {
            let inst = &self.instances[i.index()];
            let room = match inst.status {
                InstanceStatus::Pending => inst.free().saturating_sub(daemon_reserve),
                InstanceStatus::Active => inst.free(),
                InstanceStatus::Draining | InstanceStatus::Terminated => continue,
            };
            let of_arch: Vec<Demand> = demand
                .iter()
                .map(|d| Demand {
                    count: if d.arch == inst.arch { d.count } else { 0 },
                    ..*d
                })
                .collect();
            for (j, (d, n)) in demand
                .iter_mut()
                .zip(mi::pack_one(room, &of_arch))
                .enumerate()
            {
                d.count -= n;
                active_room |= n > 0 && inst.status == InstanceStatus::Active;
                if let Some(t) = taken.as_mut() {
                    t[j][if inst.status == InstanceStatus::Active {
                        2
                    } else {
                        1
                    }] += n;
                }
            }
        }
        if active_room {
            self.request_pass();
        }
        if demand.iter().all(|d| d.count == 0) {
            return;
        }
        let a = &self.asgs[asg.index()];
        let limit = a.max_size.saturating_sub(a.in_service);
        let mut rounds: Vec<mi::PlanRound> = Vec::new();
        let record = taken
            .is_some()
            .then_some((&mut rounds, crate::explain::managed_instances::ROUND_LIMIT));
        let plan = mi::plan_launches_recorded(
            &self.managed_instances[k].candidates,
            &demand,
            limit,
            record,
        );
        let events_before = self.report_events.len();
        if plan.is_empty() {
            if let Some(t) = taken {
                self.explain_mi_launch(k, now, &demand, &t, limit, &rounds, &plan, (&[], 0), 0);
            }
            return;
        }
        let waiting: u32 = demand.iter().map(|d| d.count).sum();
        let mut launched: BTreeMap<crate::ids::InstanceTypeId, u32> = BTreeMap::new();
        for &c in &plan {
            let ty = self.managed_instances[k].candidates[c].instance_type;
            let a = &self.asgs[asg.index()];
            // Into the zone with the fewest of the provider's instances, as EC2 Auto Scaling
            // would, among the zones that are up.
            let Some(az) = a
                .azs
                .iter()
                .filter(|az| !self.az_down(**az))
                .min_by_key(|az| (a.live_by_az[az.index()], az.0))
                .copied()
            else {
                break;
            };
            self.launch_typed_at(asg, az, ty, now, true);
            *launched.entry(ty).or_default() += 1;
        }
        let a = &mut self.asgs[asg.index()];
        a.desired_capacity = a.in_service;
        if launched.is_empty() {
            if let Some(t) = taken {
                self.explain_mi_launch(k, now, &demand, &t, limit, &rounds, &plan, (&[], 0), 0);
            }
            return;
        }
        let types: Vec<String> = launched
            .iter()
            .map(|(t, n)| format!("{n} × {}", self.sc.catalog.get(*t).name))
            .collect();
        let name = self.sc.capacity_providers[cp.index()].name.clone();
        self.log(
            now,
            "scaling",
            name,
            format!(
                "Managed Instances launching {} for {waiting} waiting tasks (cheapest per task held).",
                types.join(", ")
            ),
        );
        if let Some(t) = taken {
            self.explain_mi_launch(
                k,
                now,
                &demand,
                &t,
                limit,
                &rounds,
                &plan,
                (&types, launched.values().sum()),
                events_before,
            );
        }
    }

    fn managed_instances_optimize(&mut self, k: usize, asg: AsgId, now: SimTime) {
        let cp = self.managed_instances[k].cp;
        let Some((delay, fraction)) = self.sc.capacity_providers[cp.index()]
            .managed_instances
            .as_ref()
            .and_then(|m| m.scale_in_after.map(|d| (d, m.underutilized_fraction)))
        else {
            return;
        };
        let active: Vec<InstanceId> = self.asgs[asg.index()]
            .instances
            .iter()
            .copied()
            .filter(|i| self.instances[i.index()].status == InstanceStatus::Active)
            .collect();
        let name = self.sc.capacity_providers[cp.index()].name.clone();
        let events_before = self.report_events.len();
        // [DOC] Idle instance detection: an instance with no running task is set
        // DEREGISTERING (here: drained, which with no task terminates it at once).
        let mut gone: Vec<InstanceId> = Vec::new();
        for &i in &active {
            let inst = &self.instances[i.index()];
            let idle = self.instance_tasks[i.index()].is_empty()
                && inst.empty_since.is_some_and(|t| now - t >= delay);
            if idle {
                gone.push(i);
            }
        }
        for &i in &gone {
            self.log(
                now,
                "scaling",
                name.clone(),
                format!(
                    "Managed Instances: {} idle for at least {} s; deregistering and terminating it.",
                    crate::scheduler::placement::instance_display_id(i),
                    delay.as_millis() / 1000
                ),
            );
            self.drain_instance(i, now);
        }
        // [DOC] Under-utilized instance detection: an instance whose tasks can run on the
        // others is drained. One per pass, the least reserved first, only service tasks (they
        // move; a batch task would hold the instance until it ends anyway), only instances
        // registered at least the delay ago (`consolidation`).
        let mut rooms: Vec<(InstanceId, Resources)> = Vec::new();
        let mut under: Vec<(u64, InstanceId)> = Vec::new();
        // With `--explain`: the instances under the threshold the pass did not try (too
        // recent, or holding a task that does not move), taken before anything is drained.
        let mut kept: Option<Vec<(InstanceId, Consolidation)>> =
            self.explain.is_some().then(Vec::new);
        for &i in &active {
            if gone.contains(&i) {
                continue;
            }
            rooms.push((i, self.instances[i.index()].free()));
            match self.consolidation(i, now, delay, fraction) {
                Consolidation::Candidate(used) => under.push((used, i)),
                c @ (Consolidation::TooRecent | Consolidation::Unmovable) => {
                    if let Some(list) = kept.as_mut() {
                        list.push((i, c));
                    }
                }
                Consolidation::Empty | Consolidation::Busy => {}
            }
        }
        under.sort();
        let mut drained: Option<usize> = None;
        // What each candidate holds, read before a drain changes it (`--explain` only).
        let tried: Vec<ConsolidationTry> = if kept.is_some() {
            under
                .iter()
                .map(|&(_, i)| {
                    let inst = &self.instances[i.index()];
                    ConsolidationTry {
                        instance: i,
                        reserved: inst.reserved,
                        registered: inst.registered,
                        tasks: self.instance_tasks[i.index()].len() as u32,
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        for (pos, &(_, i)) in under.iter().enumerate() {
            let needs: Vec<Resources> = self.instance_tasks[i.index()]
                .iter()
                .map(|t| self.tasks[t.index()].need)
                .collect();
            let mut others: Vec<Resources> = rooms
                .iter()
                .filter(|(j, _)| *j != i)
                .map(|(_, r)| *r)
                .collect();
            if mi::fits_elsewhere(&needs, &mut others) {
                self.log(
                    now,
                    "scaling",
                    name.clone(),
                    format!(
                        "Managed Instances: {} is under-utilized and its {} tasks fit on the other instances; draining it.",
                        crate::scheduler::placement::instance_display_id(i),
                        needs.len()
                    ),
                );
                drained = Some(pos);
                self.drain_instance(i, now);
                break;
            }
        }
        if let Some(kept) = kept {
            self.explain_consolidation(
                k,
                now,
                (delay, fraction),
                active.len() as u32,
                &gone,
                &tried,
                drained,
                rooms.len() as u32,
                &kept,
                events_before,
            );
        }
        let a = &mut self.asgs[asg.index()];
        a.desired_capacity = a.in_service;
    }
}
