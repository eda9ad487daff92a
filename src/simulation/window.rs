//! The measurement window: `settings.measureFrom` to the end of the run.
//!
//! Every figure of the summary counts the window only, so a warm-up (a cold start, a queue
//! filling, a scaling policy settling) can be left out. The figures are exact: at the minute
//! tick at `measureFrom`, once the minute ending then has been counted, the cumulative
//! totals (billing's integer meters, the reservation integrals, the load meters' integrals,
//! the task counters, the per-minute counters) are copied, and the report subtracts them from
//! the totals at the end. Nothing is re-derived and nothing is added to any per-event path:
//! the mark is one step at one tick, which visits every task once (the RUNNING time of the
//! tasks running then is only added to the counters when they stop).
//!
//! What is not a window figure, and why, is documented in the README (capacity providers'
//! scaling counts, service scaling activities, recoveries, fault counts: whole run).

use super::Simulation;
use crate::engine::SimTime;
use crate::scheduler::task::TaskStatus;

/// A service's figures at the start of the measurement window.
#[derive(Clone, Debug, Default)]
pub(super) struct ServiceMark {
    pub(super) minutes_below_desired: u64,
    pub(super) task_minutes_below: u64,
    pub(super) tasks_lost: u64,
    pub(super) unserved_due_to_faults: f64,
    pub(super) load: Option<super::policies::LoadMark>,
}

/// Everything taken at the start of the window.
pub(super) struct Window {
    /// What `state::build_report` subtracts.
    pub(super) marks: super::state::WindowMark,
    /// Per service, what `finish` subtracts.
    pub(super) services: Vec<ServiceMark>,
}

impl<'s> Simulation<'s> {
    /// Takes the marks at `now`, the start of the measurement window.
    pub(super) fn mark_window(&mut self, now: SimTime) {
        let (mut ec2_ms, mut fargate_ms, mut external_ms) = (0u128, 0u128, 0u128);
        for task in &self.tasks {
            if let (TaskStatus::Running, Some(started)) = (task.status, task.started_at) {
                let ran = u128::from(now.saturating_since(started).0);
                match super::state::ran_on(task) {
                    super::state::RanOn::Fargate => fargate_ms += ran,
                    super::state::RanOn::External => external_ms += ran,
                    super::state::RanOn::Ec2 => ec2_ms += ran,
                }
            }
        }
        let counters = self.counters.mark(now, ec2_ms, fargate_ms, external_ms);
        let billing = self.billing.mark(now);
        let services = (0..self.services.len())
            .map(|s| {
                let sf = &self.service_faults[s];
                ServiceMark {
                    minutes_below_desired: self.services[s].minutes_below_desired,
                    task_minutes_below: sf.task_minutes_below,
                    tasks_lost: sf.tasks_lost,
                    unserved_due_to_faults: sf.unserved_due_to_faults,
                    load: self.service_scaling[s].load.as_mut().map(|l| l.mark(now)),
                }
            })
            .collect();
        self.window = Some(Window {
            marks: super::state::WindowMark {
                counters,
                billing,
                submissions: self.workloads.iter().map(|w| w.submissions).collect(),
            },
            services,
        });
    }
}
