//! The event queue: a 4-ary min-heap of small `(time, seq)` keys over a slab of events.
//!
//! Why this shape: the simulation spends a noticeable share of a run popping events, and a
//! binary heap of whole entries moves the payload on every sift step. Here the heap holds only
//! 16-byte `Copy` keys (so sifting moves a hole with plain copies, no swaps), the events sit
//! still in a slab and are touched once on schedule and once on pop, and the heap is 4-ary,
//! so it is half as deep, and it is laid out so the four children of a node fill exactly one
//! cache line.
//! The delivery order is exactly that of the module doc: `(time, seq)` ascending.
//!
//! Events scheduled for the current time (zero delay: coalesced reconciles and placement
//! passes, zero latencies) skip the heap and go to a FIFO, `due_now`. That keeps the order:
//! anything scheduled at `now` has a larger sequence number than every event already waiting,
//! and while time stands at `now` nothing new can enter the heap at `now`, so the events due
//! now are exactly the heap's keys at `now` (scheduled earlier, in `seq` order) followed by
//! the FIFO (in scheduling order). A push and a pop on a ring buffer replace two sifts.

use std::collections::VecDeque;

use super::time::{SimDuration, SimTime};

/// How many low bits of [`Key::tie`] hold the slab slot; the high bits hold the sequence.
const SLOT_BITS: u32 = 32;
/// Mask of the slot bits of [`Key::tie`].
const SLOT_MASK: u64 = (1 << SLOT_BITS) - 1;
/// The first sequence number that no longer fits above the slot bits.
const SEQ_LIMIT: u64 = 1 << (64 - SLOT_BITS);
/// Children per heap node.
const ARITY: usize = 4;

/// The ordering key of one pending event.
///
/// `tie` is `seq << SLOT_BITS | slot`. Sequence numbers are unique, so comparing `tie`
/// compares `seq` and the slot bits never decide an order: `(time, tie)` orders exactly as
/// `(time, seq)`.
#[derive(Clone, Copy)]
struct Key {
    time: u64,
    tie: u64,
}

impl Key {
    /// `(time, seq)` comparison as one 128-bit compare (two machine compares, no branch).
    #[inline(always)]
    fn before(self, other: Key) -> bool {
        (((self.time as u128) << 64) | self.tie as u128)
            < (((other.time as u128) << 64) | other.tie as u128)
    }

    /// The slab slot holding this key's event.
    #[inline(always)]
    fn slot(self) -> usize {
        (self.tie & SLOT_MASK) as usize
    }
}

/// One cache line of keys: the four children of one heap node.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Line([Key; ARITY]);

/// The heap's storage: node `n` lives at position `n + 3` of a run of cache-aligned lines,
/// so the four children of node `n` (`4n + 1 ..= 4n + 4`, at positions `4n + 4 ..= 4n + 7`)
/// are exactly line `n + 1`: one cache miss per level on the way down instead of two.
struct Nodes {
    lines: Vec<Line>,
    len: usize,
}

/// Where node `n` lives: (line, slot in the line).
#[inline(always)]
fn place(n: usize) -> (usize, usize) {
    let p = n + ARITY - 1;
    (p / ARITY, p % ARITY)
}

impl Nodes {
    #[inline(always)]
    fn get(&self, n: usize) -> Key {
        let (l, s) = place(n);
        self.lines[l].0[s]
    }

    #[inline(always)]
    fn set(&mut self, n: usize, key: Key) {
        let (l, s) = place(n);
        self.lines[l].0[s] = key;
    }

    /// Makes room for one more node (its content is set by the caller). Lines are never
    /// given back when the heap shrinks, like a `Vec`'s capacity: the next burst reuses them.
    #[inline(always)]
    fn grow(&mut self) {
        let (l, _) = place(self.len);
        if l == self.lines.len() {
            self.lines.push(Line([Key { time: 0, tie: 0 }; ARITY]));
        }
        self.len += 1;
    }
}

/// A future-event list with the ordering guarantee of the module doc.
pub struct EventQueue<E> {
    /// The 4-ary min-heap: the children of `i` are `ARITY * i + 1 ..= ARITY * i + ARITY`.
    heap: Nodes,
    /// Event payloads; `Some` exactly for the slots named by a key in `heap`.
    slab: Vec<Option<E>>,
    /// Empty slab slots, reused last-freed first (that slot is most likely still in cache).
    free: Vec<u32>,
    /// Events scheduled at `now` while time stood at `now`, in scheduling order: delivered
    /// after the heap's keys at `now` (see the module doc).
    due_now: VecDeque<E>,
    /// The sequence number the next scheduled event gets (below `seq_limit`).
    next_seq: u64,
    /// When `next_seq` reaches this, pending keys are renumbered (a field so tests can lower it).
    seq_limit: u64,
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
            heap: Nodes {
                lines: Vec::new(),
                len: 0,
            },
            slab: Vec::new(),
            free: Vec::new(),
            due_now: VecDeque::new(),
            next_seq: 0,
            seq_limit: SEQ_LIMIT,
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
        self.heap.len + self.due_now.len()
    }

    /// True when no event is waiting.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Schedules `event` at absolute time `time`.
    ///
    /// The due-now case is a ring-buffer push, inlined at every call site; the heap case is
    /// out of line. Three in five events of an M/M/c run with zero latencies are due now,
    /// and the call, its register saves and the heap path's checks cost more than the push.
    ///
    /// # Panics
    /// If `time` is before [`EventQueue::now`]: the model tried to change the past.
    #[inline(always)]
    pub fn schedule_at(&mut self, time: SimTime, event: E) {
        if time == self.now {
            // Due now: after everything already waiting (module doc), no sift needed.
            self.due_now.push_back(event);
            return;
        }
        self.schedule_later(time, event);
    }

    /// [`EventQueue::schedule_at`] for a time other than now: a key into the heap.
    #[inline(never)]
    fn schedule_later(&mut self, time: SimTime, event: E) {
        assert!(
            time > self.now,
            "event scheduled in the past: {} < now {}",
            time,
            self.now
        );
        if self.next_seq >= self.seq_limit {
            self.renumber();
        }
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slab[slot as usize] = Some(event);
                slot as u64
            }
            None => {
                let slot = self.slab.len() as u64;
                assert!(
                    slot <= SLOT_MASK,
                    "more than {SLOT_MASK} events pending at once"
                );
                self.slab.push(Some(event));
                slot
            }
        };
        let key = Key {
            time: time.0,
            tie: (self.next_seq << SLOT_BITS) | slot,
        };
        self.next_seq += 1;
        self.sift_up(key);
    }

    /// Schedules `event` after `delay` from now.
    pub fn schedule_in(&mut self, delay: SimDuration, event: E) {
        self.schedule_at(self.now + delay, event);
    }

    /// The time of the next event, if any, without removing it.
    pub fn peek_time(&self) -> Option<SimTime> {
        if !self.due_now.is_empty() {
            return Some(self.now);
        }
        (self.heap.len > 0).then(|| SimTime(self.heap.get(0).time))
    }

    /// Removes the next event and advances `now` to its time.
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        if !self.due_now.is_empty() && (self.heap.len == 0 || self.heap.get(0).time > self.now.0) {
            // The heap's keys at `now` went first; these follow in scheduling order.
            let event = self.due_now.pop_front()?;
            self.delivered_count += 1;
            return Some((self.now, event));
        }
        if self.heap.len == 0 {
            return None;
        }
        let top = self.heap.get(0);
        self.heap.len -= 1;
        let last = self.heap.get(self.heap.len);
        if self.heap.len > 0 {
            self.sift_down(last);
        }
        let slot = top.slot();
        let event = self.slab[slot]
            .take()
            .expect("a heap key always names a filled slot"); // ok: filled on schedule, emptied only here
        self.free.push(slot as u32);
        let time = SimTime(top.time);
        debug_assert!(time >= self.now);
        self.now = time;
        self.delivered_count += 1;
        Some((time, event))
    }

    /// Appends `key` and moves it up to its place: parents later than it move down one level.
    #[inline]
    fn sift_up(&mut self, key: Key) {
        let heap = &mut self.heap;
        let mut hole = heap.len;
        heap.grow();
        while hole > 0 {
            let parent = (hole - 1) / ARITY;
            let p = heap.get(parent);
            if !key.before(p) {
                break;
            }
            heap.set(hole, p);
            hole = parent;
        }
        heap.set(hole, key);
    }

    /// Puts `key` at the root (whose key was removed) and moves it to its place.
    ///
    /// `key` is the former last leaf, so it usually belongs near the bottom again. As in
    /// Floyd's variant, the hole first walks down along the earliest children to a leaf without
    /// comparing against `key` (three compares a level instead of four), then `key` climbs
    /// back up from there, which is usually zero or one step.
    #[inline]
    fn sift_down(&mut self, key: Key) {
        let heap = &mut self.heap;
        let len = heap.len;
        let mut hole = 0;
        loop {
            let first = ARITY * hole + 1;
            // The earliest child and its key: the key moves up into the hole as it is, not
            // read again from the heap.
            let (best, best_key) = if first + ARITY <= len {
                // All four children exist and fill line `hole + 1`: a fixed tournament.
                let [a, b, c, d] = heap.lines[hole + 1].0;
                let (ab, kab) = if b.before(a) {
                    (first + 1, b)
                } else {
                    (first, a)
                };
                let (cd, kcd) = if d.before(c) {
                    (first + 3, d)
                } else {
                    (first + 2, c)
                };
                if kcd.before(kab) {
                    (cd, kcd)
                } else {
                    (ab, kab)
                }
            } else if first < len {
                let mut best = (first, heap.get(first));
                for child in first + 1..len {
                    let k = heap.get(child);
                    if k.before(best.1) {
                        best = (child, k);
                    }
                }
                best
            } else {
                break;
            };
            heap.set(hole, best_key);
            hole = best;
        }
        while hole > 0 {
            let parent = (hole - 1) / ARITY;
            let p = heap.get(parent);
            if !key.before(p) {
                break;
            }
            heap.set(hole, p);
            hole = parent;
        }
        heap.set(hole, key);
    }

    /// Gives the pending keys fresh sequence numbers `0..len` in their delivery order, so the
    /// counter can go on without overflowing the bits above the slot. Order is unchanged:
    /// the keys are sorted by `(time, seq)` first, and a sorted array is a valid heap.
    #[cold]
    fn renumber(&mut self) {
        let mut keys: Vec<Key> = (0..self.heap.len).map(|n| self.heap.get(n)).collect();
        keys.sort_unstable_by_key(|k| ((k.time as u128) << 64) | k.tie as u128);
        for (seq, key) in keys.into_iter().enumerate() {
            let tie = ((seq as u64) << SLOT_BITS) | (key.tie & SLOT_MASK);
            self.heap.set(seq, Key { tie, ..key });
        }
        self.next_seq = self.heap.len as u64;
        assert!(
            self.next_seq < self.seq_limit,
            "more events pending than sequence numbers"
        );
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
    fn events_due_now_skip_the_heap_and_keep_their_order() {
        let mut q = EventQueue::new();
        q.schedule_at(SimTime(10), 'a');
        q.schedule_at(SimTime(10), 'b');
        q.schedule_at(SimTime(0), 'z');
        // At time zero, 'z' is due now: it waits in the FIFO, not in the heap.
        assert_eq!((q.heap.len, q.due_now.len()), (2, 1));
        assert_eq!(q.pop(), Some((SimTime(0), 'z')));
        assert_eq!(q.pop(), Some((SimTime(10), 'a')));
        // Scheduled at 10 while 'b' (scheduled earlier for 10) waits in the heap: after it.
        q.schedule_in(SimDuration::ZERO, 'c');
        q.schedule_at(SimTime(11), 'e');
        q.schedule_in(SimDuration::ZERO, 'd');
        assert_eq!(q.due_now.len(), 2);
        assert_eq!(q.peek_time(), Some(SimTime(10)));
        let order: Vec<char> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, vec!['b', 'c', 'd', 'e']);
        assert_eq!(q.delivered_count(), 6);
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
    /// Replays `ops` on the queue and on a reference (a sorted list of `(time, seq)`), and
    /// checks every pop agrees. `Some(d)` schedules an event `d` ms after now, `None` pops.
    /// With `tight`, the sequence space is one more than the most events ever pending, so
    /// the queue renumbers its keys often; the order must not notice.
    fn agrees_with_reference(ops: &[Option<u64>], tight: bool) {
        let mut q = EventQueue::new();
        if tight {
            let (mut pending, mut most) = (0u64, 0u64);
            for op in ops {
                match op {
                    Some(_) => pending += 1,
                    None => pending = pending.saturating_sub(1),
                }
                most = most.max(pending);
            }
            q.seq_limit = most + 1;
        }
        let mut reference: std::collections::BTreeSet<(SimTime, u64)> = Default::default();
        let mut id = 0u64;
        for op in ops {
            match *op {
                Some(delay) => {
                    let t = q.now() + SimDuration(delay);
                    q.schedule_at(t, id);
                    reference.insert((t, id));
                    id += 1;
                }
                None => {
                    let expected = reference.pop_first();
                    assert_eq!(q.pop(), expected);
                }
            }
            assert_eq!(q.len(), reference.len());
            assert_eq!(q.peek_time(), reference.first().map(|&(t, _)| t));
        }
        while let Some(expected) = reference.pop_first() {
            assert_eq!(q.pop(), Some(expected));
        }
        assert!(q.is_empty());
        assert_eq!(q.delivered_count(), id);
    }

    proptest::proptest! {
        #[test]
        fn pop_order_matches_a_sorted_reference(
            // Delays of 0..4 make most events tie on time, so the sequence tie-break decides.
            ops in proptest::collection::vec(proptest::option::weighted(0.6, 0u64..4), 0..600),
            wide in proptest::collection::vec(proptest::option::weighted(0.55, 0u64..100_000), 0..600),
        ) {
            agrees_with_reference(&ops, false);
            agrees_with_reference(&wide, false);
            agrees_with_reference(&ops, true);
            agrees_with_reference(&wide, true);
        }
    }
}
