//! What a request rate does to a long-running service's tasks: how much of it they serve,
//! how busy their CPU and memory are, and the CloudWatch-like datapoints the service's
//! auto scaling sees.
//!
//! This module owns the load model and its exact integration over time. It does not decide
//! how many tasks run (the service scheduler does), read traces ([`super::request_rate`]) or
//! act on the datapoints ([`crate::autoscaling`]).
//!
//! # The load model
//!
//! Requests arrive at rate `r` (requests per second) and `n` tasks are running. One task
//! serves at most `c` = [`LoadModel::requests_per_task_per_second`] requests per second, which
//! is what it serves at 100 % of its CPU. The load is spread evenly: each task is offered
//! `r / n`.
//!
//! - Load fraction `ρ = min(1, r / (n × c))` (0 when `r` = 0).
//! - Served rate `min(r, n × c)`. The rest, `max(0, r − n × c)`, is **unserved**: the
//!   shortfall of a service that has too few tasks. With `n` = 0 all of `r` is unserved.
//!   Requests are not queued or retried: what is not served when it arrives is lost.
//! - CPU of each task, in % of the task's CPU: `baseline_cpu + (100 − baseline_cpu) × ρ`.
//!   It never exceeds 100 % unless the tasks may burst: on EC2 a task without a task-level
//!   CPU limit may use spare CPU of its instance, and ECS then reports more than 100 %
//!   (ecs-reference §4.6). The simulation tells the meter the tasks' average CPU ceiling `k`
//!   in reservations ([`LoadMeter::set_cpu_ceiling`], 1 = capped; see
//!   `simulation::burst`). Then `ρ` may reach `ρ_max = (k − b) / (1 − b)` (`b` the baseline
//!   as a fraction), the tasks serve up to `n × c × ρ_max` requests per second, and CPU reads
//!   up to `100 × k` %. Memory follows `min(ρ, 1)`: it is a hard limit.
//! - Memory of each task, in % of the task's memory:
//!   `baseline_memory + (memory_at_capacity − baseline_memory) × ρ`.
//!
//! # Integration and datapoints
//!
//! [`LoadMeter`] holds the current `r` and `n` and integrates the quantities above over
//! simulated time; between two changes everything is constant, so each interval adds
//! `value × length` exactly once, in time order, and the result depends only on the
//! sequence of changes. [`LoadTotals`] are the cumulative integrals; the difference of two
//! totals covers one metric period, and [`datapoints`] turns it into:
//!
//! - `ECSServiceAverageCPUUtilization` = ∫ CPU used / ∫ task CPU × 100, i.e.
//!   `cpu_used_task_seconds / task_seconds × 100`: the average over the running tasks and
//!   over the period. No datapoint when no task ran in the period (`task_seconds` = 0), which
//!   the alarms read as INSUFFICIENT_DATA.
//! - `ECSServiceAverageMemoryUtilization` likewise with memory.
//! - `ALBRequestCountPerTarget` = requests offered in the period / average number of running
//!   tasks over the period (`task_seconds / period`), per minute (× 60 s / period).
//!   The average is taken as at least one target: with no running task the datapoint is the
//!   period's whole request count per minute, as if one target received it, because AWS
//!   emits real values for this metric so that a service at 0 tasks can scale out
//!   (ecs-reference §6.2); the same floor keeps a task that ran only a few milliseconds of the
//!   period from turning the metric into a huge number. A period with no request gives 0.

use crate::autoscaling::ServiceDatapoints;
use crate::engine::time::{SimDuration, SimTime};

/// How one task of a service responds to load. See the module documentation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LoadModel {
    /// Requests per second one task serves at 100 % of its CPU; > 0.
    pub requests_per_task_per_second: f64,
    /// CPU a task uses with no load, % of its CPU (0 to 100).
    pub baseline_cpu_percent: f64,
    /// Memory a task uses with no load, % of its memory (0 to 100).
    pub baseline_memory_percent: f64,
    /// Memory a task uses at full load, % of its memory (0 to 100).
    pub memory_percent_at_capacity: f64,
}

/// A [`LoadModel`] field out of range.
#[derive(Clone, Copy, Debug, PartialEq, thiserror::Error)]
#[error("load model `{field}`: expected {expected}, found {found}")]
pub struct LoadModelError {
    /// The field's name.
    pub field: &'static str,
    /// What it must be.
    pub expected: &'static str,
    /// What it was.
    pub found: f64,
}

impl LoadModel {
    /// Checks every field's range; the first bad field is the error.
    pub fn validate(&self) -> Result<(), LoadModelError> {
        let percent = "a percentage from 0 to 100";
        let checks = [
            (
                "requests_per_task_per_second",
                self.requests_per_task_per_second,
                "a finite number > 0",
                self.requests_per_task_per_second.is_finite()
                    && self.requests_per_task_per_second > 0.0,
            ),
            (
                "baseline_cpu_percent",
                self.baseline_cpu_percent,
                percent,
                (0.0..=100.0).contains(&self.baseline_cpu_percent),
            ),
            (
                "baseline_memory_percent",
                self.baseline_memory_percent,
                percent,
                (0.0..=100.0).contains(&self.baseline_memory_percent),
            ),
            (
                "memory_percent_at_capacity",
                self.memory_percent_at_capacity,
                percent,
                (0.0..=100.0).contains(&self.memory_percent_at_capacity),
            ),
        ];
        for (field, found, expected, ok) in checks {
            if !ok {
                return Err(LoadModelError {
                    field,
                    expected,
                    found,
                });
            }
        }
        Ok(())
    }

    /// The load fraction `ρ` of each of `running` tasks at `requests_per_second`.
    pub fn load_fraction(&self, requests_per_second: f64, running: u32) -> f64 {
        let capacity = f64::from(running) * self.requests_per_task_per_second;
        if capacity > 0.0 {
            (requests_per_second / capacity).min(1.0)
        } else {
            0.0
        }
    }

    /// CPU used by one task at load fraction `rho`, as a fraction of its CPU (0 to 1, or to
    /// `ceiling` when the task may burst).
    fn cpu_fraction(&self, rho: f64, ceiling: f64) -> f64 {
        let percent = self.baseline_cpu_percent + (100.0 - self.baseline_cpu_percent) * rho;
        percent.min(100.0 * ceiling) / 100.0
    }

    /// The highest load fraction tasks with an average CPU ceiling of `ceiling` reservations
    /// reach: where `baseline + (1 − baseline) × ρ` meets the ceiling. 1 without bursting.
    fn max_load_fraction(&self, ceiling: f64) -> f64 {
        let b = self.baseline_cpu_percent / 100.0;
        if ceiling <= 1.0 || b >= 1.0 {
            1.0
        } else {
            (ceiling - b) / (1.0 - b)
        }
    }

    /// Memory used by one task at load fraction `rho`, as a fraction of its memory; a load
    /// above the reservation's (bursting CPU) uses the memory of full load.
    fn memory_fraction(&self, rho: f64) -> f64 {
        let percent = self.baseline_memory_percent
            + (self.memory_percent_at_capacity - self.baseline_memory_percent) * rho.min(1.0);
        percent / 100.0
    }
}

/// Integrals of a service's load since the meter started.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LoadTotals {
    /// Requests that arrived.
    pub offered: f64,
    /// Requests the running tasks served.
    pub served: f64,
    /// ∫ running tasks dt, in task-seconds.
    pub task_seconds: f64,
    /// ∫ Σ over running tasks of the CPU fraction each uses dt, in task-seconds.
    pub cpu_used_task_seconds: f64,
    /// ∫ Σ over running tasks of the memory fraction each uses dt, in task-seconds.
    pub memory_used_task_seconds: f64,
}

impl LoadTotals {
    /// What was added between `earlier` and `self` (both from the same meter).
    pub fn since(&self, earlier: &LoadTotals) -> LoadTotals {
        LoadTotals {
            offered: self.offered - earlier.offered,
            served: self.served - earlier.served,
            task_seconds: self.task_seconds - earlier.task_seconds,
            cpu_used_task_seconds: self.cpu_used_task_seconds - earlier.cpu_used_task_seconds,
            memory_used_task_seconds: self.memory_used_task_seconds
                - earlier.memory_used_task_seconds,
        }
    }

    /// Requests that arrived but were not served (never negative).
    pub fn unserved(&self) -> f64 {
        (self.offered - self.served).max(0.0)
    }
}

/// Integrates one service's load over simulated time. See the module documentation.
///
/// Starts at time 0 with no load and no running task. Calls must come in non-decreasing
/// time order.
#[derive(Clone, Debug)]
pub struct LoadMeter {
    model: LoadModel,
    /// Time up to which `totals` is integrated.
    at: SimTime,
    requests_per_second: f64,
    running: u32,
    /// The running tasks' average CPU ceiling, in reservations: 1 unless they may burst.
    cpu_ceiling: f64,
    totals: LoadTotals,
}

impl LoadMeter {
    /// A meter for tasks that behave as `model` says.
    ///
    /// Panics if `model` is out of range: the scenario validates it first
    /// ([`LoadModel::validate`]).
    pub fn new(model: LoadModel) -> Self {
        if let Err(e) = model.validate() {
            panic!("LoadMeter::new with an unvalidated model: {e}");
        }
        LoadMeter {
            model,
            at: SimTime::ZERO,
            requests_per_second: 0.0,
            running: 0,
            cpu_ceiling: 1.0,
            totals: LoadTotals::default(),
        }
    }

    /// The running tasks' average CPU ceiling becomes `reservations` (≥ 1; 1 = no bursting)
    /// at `now`.
    pub fn set_cpu_ceiling(&mut self, now: SimTime, reservations: f64) {
        assert!(
            reservations.is_finite() && reservations >= 1.0,
            "CPU ceiling {reservations} is not a finite number ≥ 1"
        );
        self.advance(now);
        self.cpu_ceiling = reservations;
    }

    /// The offered rate becomes `requests_per_second` (finite, ≥ 0) at `now`.
    pub fn set_rate(&mut self, now: SimTime, requests_per_second: f64) {
        assert!(
            requests_per_second.is_finite() && requests_per_second >= 0.0,
            "request rate {requests_per_second} is not a finite number ≥ 0"
        );
        self.advance(now);
        self.requests_per_second = requests_per_second;
    }

    /// The number of running tasks becomes `running_tasks` at `now`.
    pub fn set_running(&mut self, now: SimTime, running_tasks: u32) {
        self.advance(now);
        self.running = running_tasks;
    }

    /// Integrates up to `now` and returns the totals since time 0.
    pub fn totals(&mut self, now: SimTime) -> LoadTotals {
        self.advance(now);
        self.totals
    }

    /// The current offered rate, requests per second.
    pub fn rate(&self) -> f64 {
        self.requests_per_second
    }

    /// The current number of running tasks.
    pub fn running(&self) -> u32 {
        self.running
    }

    /// The current load fraction `ρ` of each running task (above 1 only when they burst).
    pub fn load_fraction(&self) -> f64 {
        self.rho()
    }

    /// `ρ`: the offered load over the running tasks' capacity at their reservation, up to
    /// what their CPU ceiling allows.
    fn rho(&self) -> f64 {
        let n = f64::from(self.running);
        let capacity = n * self.model.requests_per_task_per_second;
        if capacity > 0.0 {
            (self.requests_per_second / capacity)
                .min(self.model.max_load_fraction(self.cpu_ceiling))
        } else {
            0.0
        }
    }

    /// What the running tasks use at this instant, in whole tasks: (Σ CPU fraction,
    /// Σ memory fraction) over the running tasks at the current load fraction. An
    /// end-of-minute state like the other columns of the minute row, so "used" never exceeds
    /// what the same tasks reserve at that moment, except for CPU when they burst into their
    /// instances' unreserved CPU (never beyond the instances).
    pub fn use_now(&self) -> (f64, f64) {
        let rho = self.rho();
        let n = f64::from(self.running);
        (
            n * self.model.cpu_fraction(rho, self.cpu_ceiling),
            n * self.model.memory_fraction(rho),
        )
    }

    /// The model the meter was built with.
    pub fn model(&self) -> &LoadModel {
        &self.model
    }

    fn advance(&mut self, now: SimTime) {
        assert!(
            now >= self.at,
            "LoadMeter went back in time: {now} after {}",
            self.at
        );
        if now == self.at {
            return;
        }
        let seconds = (now - self.at).as_secs_f64();
        self.at = now;
        let r = self.requests_per_second;
        let n = f64::from(self.running);
        let rho = self.rho();
        let rho_max = self.model.max_load_fraction(self.cpu_ceiling);
        let served = r.min(n * self.model.requests_per_task_per_second * rho_max);
        let cpu = self.model.cpu_fraction(rho, self.cpu_ceiling);
        let t = &mut self.totals;
        t.offered += r * seconds;
        t.served += served * seconds;
        t.task_seconds += n * seconds;
        t.cpu_used_task_seconds += n * cpu * seconds;
        t.memory_used_task_seconds += n * self.model.memory_fraction(rho) * seconds;
    }
}

/// The datapoints of one metric period from `delta`, the totals added over that period
/// (`later.since(&earlier)`). See the module documentation for the definitions.
///
/// Panics if `period` is zero.
pub fn datapoints(delta: &LoadTotals, period: SimDuration) -> ServiceDatapoints {
    assert!(period > SimDuration::ZERO, "a metric period of zero length");
    let period_seconds = period.as_secs_f64();
    let utilization = |used: f64| {
        (delta.task_seconds > 0.0).then(|| (used / delta.task_seconds * 100.0).clamp(0.0, 100.0))
    };
    // CPU may read above 100 % when the tasks burst (used ÷ reserved, as ECS computes it).
    let cpu_utilization = (delta.task_seconds > 0.0)
        .then(|| (delta.cpu_used_task_seconds / delta.task_seconds * 100.0).max(0.0));
    // At least one target: see the module documentation.
    let targets = (delta.task_seconds / period_seconds).max(1.0);
    let per_minute = 60.0 / period_seconds;
    ServiceDatapoints {
        cpu_utilization,
        memory_utilization: utilization(delta.memory_used_task_seconds),
        request_count_per_target: Some((delta.offered.max(0.0) / targets) * per_minute),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> LoadModel {
        LoadModel {
            requests_per_task_per_second: 80.0,
            baseline_cpu_percent: 10.0,
            baseline_memory_percent: 20.0,
            memory_percent_at_capacity: 60.0,
        }
    }

    fn secs(s: u64) -> SimTime {
        SimTime(s * 1000)
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9 * b.abs().max(1.0)
    }

    #[test]
    fn overload_then_light_load_integrate_by_hand() {
        let mut m = LoadMeter::new(model());
        m.set_rate(secs(0), 200.0);
        m.set_running(secs(0), 2);
        let t0 = m.totals(secs(0));
        assert_eq!(t0, LoadTotals::default());

        // 0–60 s: 200 req/s on 2 tasks of 80 req/s. Capacity 160 < 200, so ρ = 1:
        // offered 200 × 60 = 12,000; served 160 × 60 = 9,600; unserved 2,400;
        // 2 tasks × 60 s = 120 task-s; CPU 100 % (120 task-s used); memory 60 % (72).
        let t60 = m.totals(secs(60));
        let d = t60.since(&t0);
        assert!(close(d.offered, 12_000.0), "{d:?}");
        assert!(close(d.served, 9_600.0), "{d:?}");
        assert!(close(d.unserved(), 2_400.0), "{d:?}");
        assert!(close(d.task_seconds, 120.0), "{d:?}");
        assert!(close(d.cpu_used_task_seconds, 120.0), "{d:?}");
        assert!(close(d.memory_used_task_seconds, 72.0), "{d:?}");
        let p = datapoints(&d, SimDuration::from_secs(60));
        assert!(close(p.cpu_utilization.unwrap(), 100.0), "{p:?}");
        assert!(close(p.memory_utilization.unwrap(), 60.0), "{p:?}");
        // 12,000 requests / 2 targets in one minute.
        assert!(close(p.request_count_per_target.unwrap(), 6_000.0), "{p:?}");

        // 60–120 s: 100 req/s on 4 tasks: ρ = 100 / 320 = 0.3125;
        // CPU 10 + 90 × 0.3125 = 38.125 %; memory 20 + 40 × 0.3125 = 32.5 %;
        // CPU used 4 × 0.38125 × 60 = 91.5 task-s; memory 4 × 0.325 × 60 = 78 task-s.
        m.set_running(secs(60), 4);
        m.set_rate(secs(60), 100.0);
        assert!(close(m.load_fraction(), 0.3125));
        let t120 = m.totals(secs(120));
        let d = t120.since(&t60);
        assert!(
            close(d.offered, 6_000.0) && close(d.served, 6_000.0),
            "{d:?}"
        );
        assert_eq!(d.unserved(), 0.0);
        assert!(close(d.cpu_used_task_seconds, 91.5), "{d:?}");
        assert!(close(d.memory_used_task_seconds, 78.0), "{d:?}");
        let p = datapoints(&d, SimDuration::from_secs(60));
        assert!(close(p.cpu_utilization.unwrap(), 38.125), "{p:?}");
        assert!(close(p.memory_utilization.unwrap(), 32.5), "{p:?}");
        // 6,000 requests / 4 targets.
        assert!(close(p.request_count_per_target.unwrap(), 1_500.0), "{p:?}");

        // Both minutes as one 120 s period: 360 task-s, CPU used 211.5 → 58.75 %;
        // 18,000 requests / 3 targets on average = 6,000 per 2 minutes = 3,000 per minute.
        let d = t120.since(&t0);
        let p = datapoints(&d, SimDuration::from_secs(120));
        assert!(close(p.cpu_utilization.unwrap(), 58.75), "{p:?}");
        assert!(close(p.request_count_per_target.unwrap(), 3_000.0), "{p:?}");
        assert!(close(d.unserved(), 2_400.0), "{d:?}");
    }

    #[test]
    fn no_running_task_means_no_utilization_but_a_request_count() {
        let mut m = LoadMeter::new(model());
        // 50 req/s for a minute with no task: all 3,000 unserved; CPU and memory have no
        // datapoint; the request count is the minute's total, as if one target got it.
        m.set_rate(secs(0), 50.0);
        let d = m.totals(secs(60));
        assert!(close(d.unserved(), 3_000.0), "{d:?}");
        assert_eq!(d.task_seconds, 0.0);
        let p = datapoints(&d, SimDuration::from_secs(60));
        assert_eq!((p.cpu_utilization, p.memory_utilization), (None, None));
        assert!(close(p.request_count_per_target.unwrap(), 3_000.0), "{p:?}");
        // Over 20 s (a high-resolution period) 1,000 requests are 3,000 per minute.
        let d = m.totals(secs(80)).since(&d);
        let p = datapoints(&d, SimDuration::from_secs(20));
        assert!(close(p.request_count_per_target.unwrap(), 3_000.0), "{p:?}");
        // No requests and no task: a real 0.
        m.set_rate(secs(80), 0.0);
        let before = m.totals(secs(80));
        let p = datapoints(
            &m.totals(secs(140)).since(&before),
            SimDuration::from_secs(60),
        );
        assert_eq!(p.request_count_per_target, Some(0.0));
        assert_eq!(p.cpu_utilization, None);
    }

    #[test]
    fn idle_tasks_use_their_baseline_and_a_short_lived_task_counts_as_one_target() {
        let mut m = LoadMeter::new(model());
        m.set_running(secs(0), 3);
        // No load: CPU 10 %, memory 20 %.
        let d = m.totals(secs(60));
        let p = datapoints(&d, SimDuration::from_secs(60));
        assert!(close(p.cpu_utilization.unwrap(), 10.0), "{p:?}");
        assert!(close(p.memory_utilization.unwrap(), 20.0), "{p:?}");
        assert_eq!(p.request_count_per_target, Some(0.0));

        // 10 req/s for a minute; one task runs only the last 30 s: 0.5 task on average,
        // counted as 1 target, so 600 requests per target per minute (not 1,200).
        m.set_running(secs(60), 0);
        m.set_rate(secs(60), 10.0);
        m.set_running(secs(90), 1);
        let d = m.totals(secs(120)).since(&d);
        assert!(close(d.task_seconds, 30.0), "{d:?}");
        // Served only while the task ran: 10 × 30 = 300 of 600.
        assert!(
            close(d.served, 300.0) && close(d.unserved(), 300.0),
            "{d:?}"
        );
        let p = datapoints(&d, SimDuration::from_secs(60));
        assert!(close(p.request_count_per_target.unwrap(), 600.0), "{p:?}");
        // ρ = 10 / 80 = 0.125: CPU 10 + 90 × 0.125 = 21.25 %.
        assert!(close(p.cpu_utilization.unwrap(), 21.25), "{p:?}");
    }

    #[test]
    fn memory_follows_load_between_baseline_and_capacity() {
        let m = model();
        for (rho, expected) in [(0.0, 0.20), (0.5, 0.40), (1.0, 0.60)] {
            assert!(close(m.memory_fraction(rho), expected), "ρ {rho}");
        }
        // Memory may also fall with load (a cache evicted under pressure, say).
        let falling = LoadModel {
            memory_percent_at_capacity: 5.0,
            ..m
        };
        assert!(close(falling.memory_fraction(1.0), 0.05));
        // CPU never exceeds 100 %, however overloaded.
        assert_eq!(m.cpu_fraction(m.load_fraction(1e9, 1), 1.0), 1.0);
    }

    #[test]
    fn a_cpu_ceiling_lets_tasks_serve_and_read_beyond_their_reservation() {
        // Baseline 10 %: ρ_max = (k − b) / (1 − b). With k = 2 reservations:
        // (2 − 0.1) / 0.9 = 2.1111; 2 tasks of 80 req/s serve up to 2 × 80 × 2.1111 = 337.78
        // req/s of the 400 offered; CPU = 10 + 90 × 2.1111 = 200 % (the ceiling); memory at
        // full load, 60 % (it is a hard limit: it follows min(ρ, 1)).
        let mut m = LoadMeter::new(model());
        m.set_rate(secs(0), 400.0);
        m.set_running(secs(0), 2);
        m.set_cpu_ceiling(secs(0), 2.0);
        let d = m.totals(secs(60));
        let p = datapoints(&d, SimDuration::from_secs(60));
        assert!(close(d.served, 2.0 * 80.0 * (1.9 / 0.9) * 60.0), "{d:?}");
        assert!(close(p.cpu_utilization.unwrap(), 200.0), "{p:?}");
        assert!(close(p.memory_utilization.unwrap(), 60.0), "{p:?}");
        // A light load does not reach the ceiling: 80 req/s on 2 tasks, ρ = 0.5, CPU 55 %,
        // whatever the ceiling.
        m.set_rate(secs(60), 80.0);
        let d = m.totals(secs(120)).since(&d);
        let p = datapoints(&d, SimDuration::from_secs(60));
        assert!(close(p.cpu_utilization.unwrap(), 55.0), "{p:?}");
        assert_eq!(d.unserved(), 0.0);
    }

    #[test]
    fn invalid_models_are_refused() {
        let bad = LoadModel {
            requests_per_task_per_second: 0.0,
            ..model()
        };
        assert_eq!(
            bad.validate().unwrap_err().to_string(),
            "load model `requests_per_task_per_second`: expected a finite number > 0, found 0"
        );
        let bad = LoadModel {
            memory_percent_at_capacity: 120.0,
            ..model()
        };
        assert_eq!(
            bad.validate().unwrap_err().to_string(),
            "load model `memory_percent_at_capacity`: expected a percentage from 0 to 100, found 120"
        );
        let bad = LoadModel {
            baseline_cpu_percent: f64::NAN,
            ..model()
        };
        assert_eq!(bad.validate().unwrap_err().field, "baseline_cpu_percent");
        assert!(model().validate().is_ok());
    }
}
