//! The event queue: a radix heap of `(time, seq)` keys, each carrying its event.
//!
//! Why the radix heap (issue 13): at 50,000 instances the 4-ary heap it replaced held tens of
//! thousands of keys and this module was the largest source of D1 misses in callgrind (17.1 M
//! of 73.5 M, 2.1 per event against 0.22 at 1,000 instances): every pop walked a path of
//! lines spread over the whole heap. The queue is monotone (a key is only scheduled after the
//! last one popped: `schedule_later` asserts it), so a radix heap delivers the same exact
//! order: bucket `b` holds the entries whose highest bit differing from the last popped key
//! is bit `b - 1` of the 128-bit `(time, seq)`; the lowest non-empty bucket holds the
//! minimum, and a pop spreads the rest of that bucket into lower buckets relative to it.
//! Entries move only downwards, appended to short arrays, so a pop reads one or two runs of
//! entries. Callgrind, faae6ce's 4-ary heap -> radix heap (events identical): 50000:1
//! 19,387 M -> 18,703 M instructions (-3.5 %), 73.46 M -> 62.25 M D1 read misses (-15 %; this
//! module's own 17.1 M -> 4.5 M). Keeping the 4-ary heap for small queues was measured too
//! (38d091c, baf7304) and not needed: the radix heap alone was cheaper at every size.
//!
//! Why the events ride in the entries: the radix heap first held 16-byte keys naming a slot
//! of a separate slab of events, so the payload would not move with every refiling. But an
//! event waits minutes of simulated time (a batch task's exit, 20 minutes on), so at 50,000
//! instances its slab slot had left the cache by the pop: that one read was about 6 % of the
//! run (issue 13, `perf` on `benches/scale` 50000:7). Carried in the entry, the event
//! arrives with the key, on lines the pop reads in sequence, and [`EventQueue::peek`] can
//! name the next event while the current one is handled, so the model can ask for what the
//! next one will touch ahead of time (`simulation`'s prefetch).
//! The delivery order is `(time, seq)` ascending.
//!
//! Events scheduled for the current time (zero delay: coalesced reconciles and placement
//! passes, zero latencies) skip the radix heap and go to a FIFO, `due_now`. That keeps the
//! order: anything scheduled at `now` comes after every event already waiting in scheduling
//! order (it would have had a larger sequence number), and while time stands at `now` nothing new can enter the radix heap at `now`, so
//! the events due now are exactly the radix heap's entries at `now` (scheduled earlier, in
//! `seq` order) followed by the FIFO (in scheduling order). A push and a pop on a ring
//! buffer replace a bucket push and a pop.

use std::collections::VecDeque;

use super::time::{SimDuration, SimTime};

/// The ordering key of one pending event.
///
/// Sequence numbers are unique and never reused (a `u64` counted up once per event entering
/// the radix heap: at a billion events a second it would last five centuries), so
/// `(time, seq)` orders every pair of entries. Events due now take the FIFO and no number.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Key {
    time: u64,
    seq: u64,
}

impl Key {
    /// `(time, seq)` comparison as one 128-bit compare (two machine compares, no branch).
    #[inline(always)]
    fn before(self, other: Key) -> bool {
        (((self.time as u128) << 64) | self.seq as u128)
            < (((other.time as u128) << 64) | other.seq as u128)
    }
}

/// One pending event and its key.
struct Entry<E> {
    key: Key,
    event: E,
}

/// Buckets of the radix heap: bucket `b` (1..=128) holds the entries whose highest bit
/// differing from [`Radix::last`] is bit `b - 1` of the 128-bit `(time, seq)`. Bucket 0 (equal
/// to `last`) would hold only a key already popped, so it stays empty.
const BUCKETS: usize = 129;

/// The bucket of `key` relative to `base` (which is not after it): one plus the index of the
/// highest differing bit of the 128-bit keys.
#[inline(always)]
fn bucket_of(key: Key, base: Key) -> usize {
    let t = key.time ^ base.time;
    if t != 0 {
        128 - t.leading_zeros() as usize
    } else {
        64 - (key.seq ^ base.seq).leading_zeros() as usize
    }
}

/// A radix heap (Ahuja, Mehlhorn, Orlin and Tarjan 1990) over the 128-bit `(time, seq)`
/// keys: valid because the queue is monotone (every key scheduled is after the last key
/// popped, `schedule_later`'s assert). Entries only ever move to lower buckets, in
/// sequential runs, so a pop touches one or two short arrays instead of a path down a
/// comparison heap.
struct Radix<E> {
    buckets: Vec<Vec<Entry<E>>>,
    /// Bit `b - 1` is set exactly when bucket `b` is not empty.
    nonempty: u128,
    /// The key last popped; `(0, 0)` before the first pop, which every key is after (a key
    /// is only made for a time after now, and its `seq` is at least 1).
    last: Key,
    /// The earliest pending key and where its entry sits (bucket, index), valid when
    /// `len > 0`: the engine peeks before every pop, so the minimum is kept ready.
    top: Key,
    top_bucket: usize,
    top_pos: usize,
    len: usize,
}

impl<E> Radix<E> {
    fn new() -> Self {
        Radix {
            buckets: (0..BUCKETS).map(|_| Vec::new()).collect(),
            nonempty: 0,
            last: Key { time: 0, seq: 0 },
            top: Key { time: 0, seq: 0 },
            top_bucket: 0,
            top_pos: 0,
            len: 0,
        }
    }

    /// The earliest pending entry's event (`len > 0`).
    #[inline(always)]
    fn top_event(&self) -> &E {
        &self.buckets[self.top_bucket][self.top_pos].event
    }

    /// Adds `e`, whose key must be after `last`.
    #[inline]
    fn push(&mut self, e: Entry<E>) {
        let key = e.key;
        let b = bucket_of(key, self.last);
        debug_assert!(b > 0, "a key equal to the last one popped");
        let v = &mut self.buckets[b];
        v.push(e);
        self.nonempty |= 1 << (b - 1);
        if self.len == 0 || key.before(self.top) {
            self.top = key;
            self.top_bucket = b;
            self.top_pos = v.len() - 1;
        }
        self.len += 1;
    }

    /// Removes and returns the earliest entry (`len > 0`). The rest of its bucket shares its
    /// bits above the bucket's bit, so relative to it they all fall into lower buckets.
    #[inline]
    fn pop(&mut self) -> Entry<E> {
        let top = self.top;
        let b = self.top_bucket;
        let mut v = std::mem::take(&mut self.buckets[b]);
        let entry = v.swap_remove(self.top_pos);
        self.nonempty &= !(1 << (b - 1));
        self.last = top;
        self.len -= 1;
        for e in v.drain(..) {
            let nb = bucket_of(e.key, top);
            self.buckets[nb].push(e);
            self.nonempty |= 1 << (nb - 1);
        }
        // Give the emptied array (and its capacity) back to its bucket.
        self.buckets[b] = v;
        if self.len > 0 {
            self.find_top();
        }
        entry
    }

    /// Sets `top` to the earliest key of the lowest non-empty bucket, which holds the minimum.
    #[inline]
    fn find_top(&mut self) {
        let b = self.nonempty.trailing_zeros() as usize + 1;
        let v = &self.buckets[b];
        let (mut pos, mut best) = (0, v[0].key);
        for (i, e) in v.iter().enumerate().skip(1) {
            if e.key.before(best) {
                best = e.key;
                pos = i;
            }
        }
        self.top = best;
        self.top_bucket = b;
        self.top_pos = pos;
    }

    /// Checks every invariant of the structure (tests only).
    #[cfg(test)]
    fn check(&self) {
        assert!(self.buckets[0].is_empty(), "bucket 0 holds an entry");
        let mut len = 0;
        for (b, v) in self.buckets.iter().enumerate().skip(1) {
            let flagged = self.nonempty & (1 << (b - 1)) != 0;
            assert_eq!(flagged, !v.is_empty(), "`nonempty` wrong for bucket {b}");
            for e in v {
                assert_eq!(
                    bucket_of(e.key, self.last),
                    b,
                    "an entry in the wrong bucket"
                );
                assert!(
                    self.last.before(e.key),
                    "a pending key not after the last popped"
                );
                assert!(!e.key.before(self.top), "an entry before `top`");
            }
            len += v.len();
        }
        assert_eq!(len, self.len);
        if self.len > 0 {
            let t = self.buckets[self.top_bucket][self.top_pos].key;
            assert!(t == self.top, "`top` misplaced");
        }
    }
}

/// A future-event list with the ordering guarantee of the module doc.
pub struct EventQueue<E> {
    /// The events not due now.
    radix: Radix<E>,
    /// Events scheduled at `now` while time stood at `now`, in scheduling order: delivered
    /// after the radix heap's entries at `now` (see the module doc).
    due_now: VecDeque<E>,
    /// The sequence number the next event scheduled into the radix heap gets.
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
            radix: Radix::new(),
            due_now: VecDeque::new(),
            // From 1, so no key can equal the radix heap's initial `last`, `(0, 0)` (none
            // could anyway: a key at time zero would be due now, and take the FIFO).
            next_seq: 1,
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
        self.radix.len + self.due_now.len()
    }

    /// True when no event is waiting.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Schedules `event` at absolute time `time`.
    ///
    /// The due-now case is a ring-buffer push, inlined at every call site; the radix heap
    /// case is out of line. Three in five events of an M/M/c run with zero latencies are due
    /// now, and the call, its register saves and the other path's checks cost more than the
    /// push.
    ///
    /// # Panics
    /// If `time` is before [`EventQueue::now`]: the model tried to change the past.
    #[inline(always)]
    pub fn schedule_at(&mut self, time: SimTime, event: E) {
        if time == self.now {
            // Due now: after everything already waiting (module doc), no bucket needed.
            self.due_now.push_back(event);
            return;
        }
        self.schedule_later(time, event);
    }

    /// [`EventQueue::schedule_at`] for a time other than now: an entry into the radix heap.
    #[inline(never)]
    fn schedule_later(&mut self, time: SimTime, event: E) {
        assert!(
            time > self.now,
            "event scheduled in the past: {} < now {}",
            time,
            self.now
        );
        let key = Key {
            time: time.0,
            seq: self.next_seq,
        };
        self.next_seq += 1;
        self.radix.push(Entry { key, event });
    }

    /// Schedules `event` after `delay` from now.
    pub fn schedule_in(&mut self, delay: SimDuration, event: E) {
        self.schedule_at(self.now + delay, event);
    }

    /// True when the next event is the due-now FIFO's front: the radix heap has nothing at
    /// `now` left (its entries at `now` go first, see the module doc).
    #[inline(always)]
    fn due_now_next(&self) -> bool {
        !self.due_now.is_empty() && (self.radix.len == 0 || self.radix.top.time > self.now.0)
    }

    /// The time of the next event, if any, without removing it.
    pub fn peek_time(&self) -> Option<SimTime> {
        if !self.due_now.is_empty() {
            return Some(self.now);
        }
        (self.radix.len > 0).then_some(SimTime(self.radix.top.time))
    }

    /// The event [`EventQueue::pop`] would deliver next, if nothing else is scheduled first:
    /// for looking ahead at what it will touch (a hint, never a promise).
    #[inline]
    pub fn peek(&self) -> Option<&E> {
        if self.due_now_next() {
            return self.due_now.front();
        }
        (self.radix.len > 0).then(|| self.radix.top_event())
    }

    /// Removes the next event and advances `now` to its time.
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        if self.due_now_next() {
            // The radix heap's entries at `now` went first; these follow in scheduling order.
            let event = self.due_now.pop_front()?;
            self.delivered_count += 1;
            return Some((self.now, event));
        }
        if self.radix.len == 0 {
            return None;
        }
        let top = self.radix.pop();
        let time = SimTime(top.key.time);
        debug_assert!(time >= self.now);
        self.now = time;
        self.delivered_count += 1;
        Some((time, top.event))
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
    fn events_due_now_skip_the_radix_heap_and_keep_their_order() {
        let mut q = EventQueue::new();
        q.schedule_at(SimTime(10), 'a');
        q.schedule_at(SimTime(10), 'b');
        q.schedule_at(SimTime(0), 'z');
        // At time zero, 'z' is due now: it waits in the FIFO, not in the radix heap.
        assert_eq!((q.radix.len, q.due_now.len()), (2, 1));
        assert_eq!(q.pop(), Some((SimTime(0), 'z')));
        assert_eq!(q.pop(), Some((SimTime(10), 'a')));
        // Scheduled at 10 while 'b' (scheduled earlier for 10) waits in the radix heap: after it.
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
    /// checks every pop agrees, and that `peek` names the event `pop` then delivers.
    /// `Some(d)` schedules an event `d` ms after now, `None` pops.
    fn agrees_with_reference(ops: &[Option<u64>]) {
        let mut q = EventQueue::new();
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
                    assert_eq!(q.peek().copied(), expected.map(|(_, id)| id));
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
            agrees_with_reference(&ops);
            agrees_with_reference(&wide);
        }
    }

    /// One step of [`matches_a_binary_heap`]: schedule at now, schedule `d` ms later, or pop.
    #[derive(Clone, Copy, Debug)]
    enum Op {
        Now,
        Later(u64),
        Pop,
    }

    fn op() -> impl proptest::strategy::Strategy<Value = Op> {
        use proptest::prelude::*;
        prop_oneof![
            2 => Just(Op::Now),
            3 => (1u64..4).prop_map(Op::Later),
            2 => (1u64..1 << 40).prop_map(Op::Later),
            4 => Just(Op::Pop),
        ]
    }

    /// Replays `ops` on the queue and on a `BinaryHeap` of `Reverse((time, seq))`; every pop
    /// and peek must agree, and the radix heap's invariants must hold after every step.
    fn matches_a_binary_heap(ops: &[Op]) {
        use std::cmp::Reverse;
        let mut q = EventQueue::new();
        let mut reference = std::collections::BinaryHeap::new();
        let mut seq = 0u64;
        for &op in ops {
            match op {
                Op::Now | Op::Later(_) => {
                    let t = match op {
                        Op::Later(d) => q.now() + SimDuration(d),
                        _ => q.now(),
                    };
                    q.schedule_at(t, seq);
                    reference.push(Reverse((t, seq)));
                    seq += 1;
                }
                Op::Pop => {
                    let expected = reference.pop().map(|Reverse(e)| e);
                    assert_eq!(q.peek().copied(), expected.map(|(_, s)| s));
                    assert_eq!(q.pop(), expected);
                }
            }
            q.radix.check();
            assert_eq!(q.len(), reference.len());
            assert_eq!(q.peek_time(), reference.peek().map(|Reverse((t, _))| *t));
        }
        while let Some(Reverse(expected)) = reference.pop() {
            assert_eq!(q.pop(), Some(expected));
        }
        assert_eq!(q.pop(), None);
        assert_eq!(q.delivered_count(), seq);
    }

    proptest::proptest! {
        #[test]
        fn delivery_order_matches_a_binary_heap(
            ops in proptest::collection::vec(op(), 0..800),
        ) {
            matches_a_binary_heap(&ops);
        }
    }
}
