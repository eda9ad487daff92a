//! The `RunTask` API in front of batch workloads: at most `runTaskMaxCount` (AWS: 10) tasks
//! per call, and calls throttled by the account's token bucket (ecs-reference §5.5).
//!
//! Sources: Amazon ECS API Reference, "RunTask" (`count`: up to 10 tasks per call),
//! <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html>, and "Request
//! throttling for the Amazon ECS API" (a token bucket per account and Region: its maximum
//! capacity is the burst, its refill rate the sustained rate),
//! <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html>.
//!
//! A submission of n tasks makes ceil(n / max count) calls. Each call takes a token from a
//! GCRA bucket (integer milliseconds, exact, deterministic, like the Fargate launch bucket):
//! a call allowed now launches its tasks at once, as before; a throttled call is retried by
//! the submitter when its token is due, one `RunTaskCall` event per call. Calls are due in the
//! order they were made, so one FIFO queue of (due time, task) holds every throttled task.
//! The Fargate launch bucket still applies after the call, on top of this one.
//!
//! Service tasks are not affected: the service scheduler starts them inside ECS, not through
//! the RunTask API.

use super::{Event, Simulation};
use crate::engine::{SimDuration, SimTime};
use crate::ids::TaskId;

/// The time a `RunTask` call made at `now` is let through, and the bucket's new theoretical
/// arrival time (GCRA with queueing: every call is eventually served, in order).
pub(super) fn gcra(
    tat: SimTime,
    now: SimTime,
    burst: u32,
    rate_per_second: u32,
) -> (SimTime, SimTime) {
    let interval = SimDuration(1000 / u64::from(rate_per_second).max(1));
    let tolerance = SimDuration(interval.0 * u64::from(burst.saturating_sub(1)));
    let tat = tat.max(now);
    let allowed_at = if tat.0 > now.0 + tolerance.0 {
        SimTime(tat.0 - tolerance.0)
    } else {
        now
    };
    (allowed_at, tat + interval)
}

impl<'s> Simulation<'s> {
    /// Makes the `RunTask` call for `tasks` (at most the per-call count) at `now`: launched
    /// now when the bucket allows, else queued until the call's token is due.
    pub(super) fn run_task_call(&mut self, tasks: &[TaskId], now: SimTime) {
        let s = &self.sc.settings;
        let (allowed_at, tat) = gcra(
            self.run_task_tat,
            now,
            s.run_task_burst,
            s.run_task_rate_per_second,
        );
        self.run_task_tat = tat;
        if allowed_at <= now && self.run_task_queue.is_empty() {
            for &t in tasks {
                self.launch_task(t, now, true);
            }
            return;
        }
        for &t in tasks {
            self.run_task_queue.push_back((allowed_at, t));
        }
        self.queue.schedule_at(allowed_at, Event::RunTaskCall);
    }

    /// A throttled call's token is due: launch every queued task whose call is due.
    pub(super) fn run_task_due(&mut self, now: SimTime) {
        while let Some(&(due, t)) = self.run_task_queue.front() {
            if due > now {
                break;
            }
            self.run_task_queue.pop_front();
            self.launch_task(t, now, true);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::gcra;
    use crate::engine::SimTime;

    /// Burst 20, 20 per second: the first 20 calls at once, then one every 50 ms; so call k
    /// (from 0) is let through at max(0, k − 19) × 50 ms.
    #[test]
    fn the_bucket_lets_the_burst_through_then_the_sustained_rate() {
        let mut tat = SimTime::ZERO;
        for k in 0..100u64 {
            let (at, next) = gcra(tat, SimTime::ZERO, 20, 20);
            tat = next;
            assert_eq!(at.0, k.saturating_sub(19) * 50, "call {k}");
        }
        // After a pause long enough to refill the bucket, a burst passes again.
        let later = SimTime(60_000);
        let (at, _) = gcra(tat, later, 20, 20);
        assert_eq!(at, later);
    }
}
