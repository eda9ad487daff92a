//! Warm start: at time zero each service begins with its desired count RUNNING.
//!
//! A scenario describes a running system. Its ASGs' instances are already running and
//! registered at time zero (see `Simulation::start`); with `settings.start: "warm"` (the
//! default, [`crate::defaults::START`]) its services are too. Each service's tasks are placed
//! at time zero by the same rules as any other (capacity provider strategy, placement
//! strategies and constraints, Fargate AZ balance) onto the capacity present then, and become
//! RUNNING at once: no start latency, no Fargate launch token, billed from zero, no events in
//! the timeline and no wait sample (they never waited within the run).
//!
//! When the capacity at time zero cannot hold a service's desired count, the tasks that fit
//! start RUNNING and the rest start the cold way (the service scheduler launches them at time
//! zero with the usual latencies, and they wait for capacity like any other): one event says
//! how many. Batch workloads are not touched: their submissions are what the trace says.
//!
//! It deliberately does not change anything else at time zero: load, alarms and managed
//! scaling see the warm tasks as they see any RUNNING task.

use super::Simulation;
use crate::engine::SimTime;
use crate::ids::{AzId, Owner, ServiceId};
use crate::scheduler::placement::Pool;
use crate::scheduler::task::{Placement, Target, TaskStatus};

impl<'s> Simulation<'s> {
    /// Places and starts every service's desired count at time zero, those that fit.
    pub(super) fn warm_start_services(&mut self, now: SimTime) {
        debug_assert_eq!(now, SimTime::ZERO);
        for s in 0..self.services.len() {
            if self.sc.services[s].daemon {
                // Its tasks started warm as each instance registered (`daemon`).
                self.services[s].steady = self.services[s].running == self.services[s].desired;
                continue;
            }
            let sid = ServiceId::from_index(s);
            let desired = self.services[s].desired;
            while self.services[s].live < desired {
                if !self.warm_task(sid, now) {
                    break;
                }
            }
            let running = self.services[s].running;
            if running == desired {
                // Steady from the start: no "reached a steady state" event for a service
                // that never left it.
                self.services[s].steady = true;
            } else {
                let name = self.sc.services[s].name.clone();
                self.log(
                    now,
                    "service",
                    name.clone(),
                    format!(
                        "(service {name}) started warm with {running} of its {desired} tasks RUNNING: the capacity at time zero holds no more; the other {} start cold.",
                        desired - running
                    ),
                );
            }
        }
    }

    /// Starts one warm task of service `s`; false (and nothing changed) when it does not fit
    /// the capacity present now.
    fn warm_task(&mut self, s: ServiceId, now: SimTime) -> bool {
        let spec = &self.sc.services[s.index()];
        let need = self.sc.task_definitions[spec.task_definition.index()].size;
        let mut per_item = std::mem::take(&mut self.services[s.index()].per_item);
        let target = self.choose_target(&spec.launch, &mut per_item);
        let undo = |sim: &Self, per_item: &mut Vec<u32>| {
            if let Some(i) = sim.strategy_item_of(s, target) {
                per_item[i] -= 1;
            }
        };
        if self.never_fits(target, need) {
            undo(self, &mut per_item);
            self.services[s.index()].per_item = per_item;
            return false;
        }
        match target {
            Target::Ec2Cluster | Target::Ec2Provider(_) | Target::External => {
                let pool = match target {
                    Target::Ec2Provider(cp) => Pool::CapacityProvider(cp),
                    Target::External => Pool::External,
                    _ => Pool::Cluster,
                };
                let Ok(i) = self.new_probe(s, need, pool) else {
                    undo(self, &mut per_item);
                    self.services[s.index()].per_item = per_item;
                    return false;
                };
                self.services[s.index()].per_item = per_item;
                let t = self.new_task(Owner::Service(s), need, target, now, None);
                self.services[s.index()].live += 1;
                self.add_service_task(s, t);
                self.reserve_on(t, i, now);
                self.task_became_running(t, now, true);
            }
            Target::Fargate { .. } => {
                let Some(size) = self.fargate_sizes(Owner::Service(s)).round_up(need) else {
                    undo(self, &mut per_item);
                    self.services[s.index()].per_item = per_item;
                    return false;
                };
                let oi = self.owner_index(Owner::Service(s));
                let down = &self.az_down;
                let counts = &self.fargate_az_counts[oi];
                // [DOC] §4.3: Fargate keeps a service's tasks balanced across AZs.
                let Some(az) = (0..counts.len())
                    .filter(|&i| down[i] == 0)
                    .min_by_key(|&i| (counts[i], i))
                else {
                    undo(self, &mut per_item);
                    self.services[s.index()].per_item = per_item;
                    return false;
                };
                self.services[s.index()].per_item = per_item;
                let t = self.new_task(Owner::Service(s), need, target, now, None);
                self.services[s.index()].live += 1;
                self.add_service_task(s, t);
                self.fargate_az_counts[oi][az] += 1;
                let task = &mut self.tasks[t.index()];
                task.fargate_size = size;
                task.placement = Placement::Fargate(AzId::from_index(az));
                self.rebalance_zone_added(s, AzId::from_index(az));
                self.set_status(t, TaskStatus::Provisioning);
                // Billed from zero like the instances present at zero; no launch token spent.
                self.fargate_billing_starts(t, now);
                self.task_became_running(t, now, true);
            }
        }
        true
    }
}
