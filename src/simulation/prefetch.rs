//! Cache hints for the events about to be handled (issue 13).
//!
//! At 50,000 instances and more, what an event reads (its task's slot, the instance the task
//! is on, that instance's task list, the billing meters) has left the cache in the minutes
//! since the event was scheduled, and the handler waited for each miss in turn. Before an
//! event is handled, the loop names what the *next* event will read, from
//! [`crate::engine::EventQueue::peek`], so it loads while this event is handled: the task's
//! slot, and for a stopping EC2 task (which releases its reservation) the instance, its task
//! list (the inline block; a list spilled to the heap is not followed) and both billing meters, found from the instance the event carries
//! ([`OnInstance`]) rather than from the task slot, which is not loaded yet.
//!
//! Hints only: a wrong guess (the next event changes because this one schedules an earlier
//! one) costs a wasted load and changes nothing a run computes.

use crate::engine::prefetch::prefetch_lines;
use crate::ids::InstanceId;
use crate::scheduler::task::Placement;

use super::{Event, Simulation};

/// The instance a stopping task is on, carried in its `TaskStopped` event only so the loop
/// can load the instance before the event is handled; none for a task not on an instance.
/// Free in the queue: the event fits the same 32-byte entry with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OnInstance(u32);

impl OnInstance {
    /// What `placement` names: its instance, or none.
    pub(super) fn of(placement: Placement) -> OnInstance {
        match placement {
            Placement::Instance(i) => OnInstance(i.0),
            Placement::Unplaced | Placement::Fargate(_) => OnInstance(u32::MAX),
        }
    }

    fn get(self) -> Option<InstanceId> {
        (self.0 != u32::MAX).then_some(InstanceId(self.0))
    }
}

impl Simulation<'_> {
    /// Names what the event after the one about to be handled will read.
    #[inline]
    pub(super) fn prefetch_next(&self) {
        let Some(&next) = self.queue.peek() else {
            return;
        };
        if let Some(t) = next.task() {
            self.tasks.prefetch(t);
        }
        // A stopped EC2 task releases its reservation: the instance's first three lines
        // (its resources, then its per-group counts), its task list and both meters.
        if let Event::TaskStopped(t, on) = next {
            if let Some(i) = on.get() {
                if let Some(inst) = self.instances.get(i.index()) {
                    prefetch_lines(inst, 3);
                }
                if let Some(on) = self.instance_tasks.get(i.index()) {
                    prefetch_lines(on, 2);
                }
                self.billing.prefetch_ec2_release(t, i);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hint_keeps_an_event_within_sixteen_bytes() {
        // A queue entry is the 16-byte key and the event: 32 bytes while the event is 16.
        assert!(std::mem::size_of::<Event>() <= 16);
    }

    #[test]
    fn the_hint_names_only_instances() {
        let i = InstanceId(7);
        assert_eq!(OnInstance::of(Placement::Instance(i)).get(), Some(i));
        assert_eq!(OnInstance::of(Placement::Unplaced).get(), None);
        assert_eq!(
            OnInstance::of(Placement::Fargate(crate::ids::AzId(0))).get(),
            None
        );
    }
}
