//! CPU beyond the reservation on EC2: how much spare instance CPU each service's RUNNING
//! tasks may use, kept incrementally so no step is proportional to the cluster.
//!
//! \[DOC\] A container's `cpu` is a relative share, not a cap: "Linux containers share
//! unallocated CPU units with other containers on the container instance with the same ratio
//! as their allocated amount … a container could use the full 1,024 CPU unit share" when
//! alone on a one-vCPU instance with 512 units (Amazon ECS API Reference, ContainerDefinition,
//! `cpu`: <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html>).
//! A task-level `cpu` is a limit: "When you set the cpu parameter on the task-level, you'll
//! also be setting the maximum amount of CPU resources that your containers in a task are
//! allowed" (AWS re:Post Knowledge Center, "How does Amazon ECS allocate CPU to tasks?":
//! <https://repost.aws/knowledge-center/ecs-cpu-allocation>). So a task may burst only on
//! EC2 and only when its task definition has no task-level `cpu`; ECS then reports the
//! service's `CPUUtilization` (used ÷ reserved) above 100 % (ecs-reference §4.6). Fargate
//! tasks always have a task-level size and stay capped.
//!
//! The model: instance k has `U_k` unreserved CPU units (registered − reserved) and `B_k`
//! units reserved by burstable tasks; a burstable task reserving `R` units on it may use up
//! to `R × (1 + U_k / B_k)`, its share of the unreserved CPU in the ratio of the
//! reservations, as the documentation describes. A service's tasks share their load evenly,
//! so what counts is their average ceiling, `1 + S / n` reservations, where `n` is the
//! service's RUNNING count and `S = Σ over its RUNNING EC2 tasks of U_k / B_k`.
//! `S` is kept per service: a task that starts or stops running adds or removes its
//! instance's ratio, and a reservation change on instance k moves every service RUNNING
//! there by its count × the change of the ratio, a pass over the few services of one
//! instance, never over the cluster.
//!
//! Deliberately left out (both make the model conservative): CPU reserved but left idle by
//! other tasks, which shares would also lend, and the fact that a neighbour which does not
//! need its share of the unreserved CPU leaves it to the others.

use crate::ids::{InstanceId, ServiceId};

/// Spare-CPU bookkeeping; present only when some service can burst.
#[derive(Debug, Default)]
pub(super) struct Burst {
    /// Per task definition: its tasks may burst (no task-level `cpu`, CPU units > 0).
    pub(super) burstable_task_def: Vec<bool>,
    /// Per service: its tasks may burst and it has a load model that uses the headroom.
    pub(super) burstable_service: Vec<bool>,
    /// Per instance: `B_k`, CPU units reserved by burstable tasks.
    shares: Vec<u64>,
    /// Per instance: RUNNING tasks of burstable services, by service (a handful each).
    running: Vec<Vec<(ServiceId, u32)>>,
    /// Per service: `S`.
    headroom: Vec<f64>,
}

impl Burst {
    /// Bookkeeping for `services` services, of which `burstable_service` may burst.
    pub(super) fn new(burstable_task_def: Vec<bool>, burstable_service: Vec<bool>) -> Burst {
        let n = burstable_service.len();
        Burst {
            burstable_task_def,
            burstable_service,
            shares: Vec::new(),
            running: Vec::new(),
            headroom: vec![0.0; n],
        }
    }

    fn grow(&mut self, i: InstanceId) {
        if self.shares.len() <= i.index() {
            self.shares.resize(i.index() + 1, 0);
            self.running.resize_with(i.index() + 1, Vec::new);
        }
    }

    /// `U_k / B_k` for an instance with `unreserved` CPU units free (0 with no burstable
    /// task on it).
    pub(super) fn ratio(&self, i: InstanceId, unreserved: u32) -> f64 {
        match self.shares.get(i.index()) {
            Some(&b) if b > 0 => f64::from(unreserved) / b as f64,
            _ => 0.0,
        }
    }

    /// A burstable task's reservation of `cpu` units was added to (`add`) or removed from
    /// instance `i`.
    pub(super) fn shares_changed(&mut self, i: InstanceId, cpu: u32, add: bool) {
        self.grow(i);
        let b = &mut self.shares[i.index()];
        if add {
            *b += u64::from(cpu);
        } else {
            *b -= u64::from(cpu);
        }
    }

    /// Instance `i`'s ratio went from `before` to `after`: moves `S` of every service
    /// RUNNING there. Returns the services moved, for their meters.
    pub(super) fn ratio_changed(
        &mut self,
        i: InstanceId,
        before: f64,
        after: f64,
    ) -> &[(ServiceId, u32)] {
        self.grow(i);
        if before != after {
            for &(s, c) in &self.running[i.index()] {
                self.headroom[s.index()] += f64::from(c) * (after - before);
            }
        }
        &self.running[i.index()]
    }

    /// A task of burstable service `s` on instance `i` started (`true`) or stopped running,
    /// with the instance's ratio `ratio` now; `running_now` is the service's RUNNING count
    /// after the change.
    pub(super) fn task_running(
        &mut self,
        s: ServiceId,
        i: InstanceId,
        ratio: f64,
        started: bool,
        running_now: u32,
    ) {
        self.grow(i);
        let list = &mut self.running[i.index()];
        let pos = list.iter().position(|&(x, _)| x == s);
        if started {
            match pos {
                Some(p) => list[p].1 += 1,
                None => list.push((s, 1)),
            }
            self.headroom[s.index()] += ratio;
        } else if let Some(p) = pos {
            list[p].1 -= 1;
            if list[p].1 == 0 {
                list.swap_remove(p);
            }
            self.headroom[s.index()] -= ratio;
        }
        if running_now == 0 {
            // Nothing runs: exactly zero, so rounding residues never outlive the tasks.
            self.headroom[s.index()] = 0.0;
        }
    }

    /// The average CPU ceiling of service `s`'s `running` tasks, in reservations (≥ 1).
    pub(super) fn ceiling(&self, s: ServiceId, running: u32) -> f64 {
        if running == 0 {
            return 1.0;
        }
        1.0 + (self.headroom[s.index()] / f64::from(running)).max(0.0)
    }
}
