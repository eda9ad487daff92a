//! The event queue: a binary heap ordered by `(time, seq)`.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::time::{SimDuration, SimTime};

struct Entry<E> {
    time: SimTime,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.time == other.time && self.seq == other.seq
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    /// Reversed, so the std max-heap pops the earliest `(time, seq)` first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}

/// A future-event list with the ordering guarantee of the module doc.
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    next_seq: u64,
    now: SimTime,
    delivered_count: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    /// An empty queue at time zero.
    pub fn new() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            next_seq: 0,
            now: SimTime::ZERO,
            delivered_count: 0,
        }
    }

    /// The time of the event last delivered (zero before the first).
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// How many events have been popped so far.
    pub fn delivered_count(&self) -> u64 {
        self.delivered_count
    }

    /// How many events are waiting.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// True when no event is waiting.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Schedules `event` at absolute time `time`.
    ///
    /// # Panics
    /// If `time` is before [`EventQueue::now`]: the model tried to change the past.
    pub fn schedule_at(&mut self, time: SimTime, event: E) {
        assert!(
            time >= self.now,
            "event scheduled in the past: {} < now {}",
            time,
            self.now
        );
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Entry { time, seq, event });
    }

    /// Schedules `event` after `delay` from now.
    pub fn schedule_in(&mut self, delay: SimDuration, event: E) {
        self.schedule_at(self.now + delay, event);
    }

    /// The time of the next event, if any, without removing it.
    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|e| e.time)
    }

    /// Removes the next event and advances `now` to its time.
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        let entry = self.heap.pop()?;
        debug_assert!(entry.time >= self.now);
        self.now = entry.time;
        self.delivered_count += 1;
        Some((entry.time, entry.event))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_time_events_come_out_in_scheduling_order() {
        let mut q = EventQueue::new();
        q.schedule_at(SimTime(10), 'b');
        q.schedule_at(SimTime(5), 'a');
        q.schedule_at(SimTime(10), 'c');
        q.schedule_at(SimTime(10), 'd');
        let order: Vec<char> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, vec!['a', 'b', 'c', 'd']);
        assert_eq!(q.now(), SimTime(10));
        assert_eq!(q.delivered_count(), 4);
    }

    #[test]
    fn pops_in_time_then_sequence_order_under_random_load() {
        use rand::Rng;
        let mut rng = crate::engine::RngStreams::new(3).stream(crate::engine::Stream::Workload);
        let mut q = EventQueue::new();
        let mut last = (SimTime::ZERO, 0u64);
        let mut seq_of = std::collections::BTreeMap::new();
        let mut next = 0u64;
        for round in 0..20_000u64 {
            if round % 3 != 2 || q.is_empty() {
                let t = q.now() + SimDuration(rng.gen_range(0..50));
                seq_of.insert(next, t);
                q.schedule_at(t, next);
                next += 1;
            } else if let Some((t, id)) = q.pop() {
                // Ids are assigned in scheduling order, so (time, id) must never go back.
                assert!(
                    (t, id) > last || last == (SimTime::ZERO, 0),
                    "{:?} after {:?}",
                    (t, id),
                    last
                );
                assert_eq!(seq_of[&id], t);
                last = (t, id);
            }
        }
    }

    #[test]
    fn schedule_in_is_relative_to_last_delivered_event() {
        let mut q = EventQueue::new();
        q.schedule_at(SimTime(100), 1u8);
        q.pop();
        q.schedule_in(SimDuration(50), 2u8);
        assert_eq!(q.pop(), Some((SimTime(150), 2u8)));
    }

    #[test]
    #[allow(clippy::panic)]
    fn scheduling_in_the_past_is_a_bug() {
        let mut q = EventQueue::new();
        q.schedule_at(SimTime(100), ());
        q.pop();
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            q.schedule_at(SimTime(99), ())
        }));
        assert!(r.is_err());
    }
}
